//! One post: its reach, counters, reply settings, excitation and spikes.

use serde::{Deserialize, Serialize};

use diorama_sdk::kit::threads::{Discussion, Post as KitPost};
use diorama_sdk::models::spike::Spike;
use diorama_sdk::models::timing::Seismic;
use diorama_sdk::Millis;

/// The metrics a post reports, in [`Post::totals`] order: `views` are X's
/// impressions (X shows them as views), `comments` its replies and
/// `shares` its reposts, under the names scripts and `diorama stats` read
/// on every platform; the native API gives them X's own names.
pub const METRICS: [&str; 6] = [
    "views",
    "likes",
    "comments",
    "shares",
    "quotes",
    "bookmarks",
];

/// Who may reply to a post (`reply_settings` in the API).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReplySettings {
    #[default]
    Everyone,
    /// Accounts the creator follows.
    Following,
    /// Only accounts the post mentions.
    MentionedUsers,
    Subscribers,
    Verified,
}

impl ReplySettings {
    pub const NAMES: [&'static str; 5] = [
        "everyone",
        "following",
        "mentionedUsers",
        "subscribers",
        "verified",
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "everyone" => ReplySettings::Everyone,
            "following" => ReplySettings::Following,
            "mentionedUsers" => ReplySettings::MentionedUsers,
            "subscribers" => ReplySettings::Subscribers,
            "verified" => ReplySettings::Verified,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReplySettings::Everyone => "everyone",
            ReplySettings::Following => "following",
            ReplySettings::MentionedUsers => "mentionedUsers",
            ReplySettings::Subscribers => "subscribers",
            ReplySettings::Verified => "verified",
        }
    }

    /// The share of the audience's replies still possible: the accounts
    /// the creator follows are a few percent of its repliers, a post that
    /// mentions nobody gets none, subscribers and verified accounts are a
    /// small share of an audience.
    pub fn reply_factor(self) -> f64 {
        match self {
            ReplySettings::Everyone => 1.0,
            ReplySettings::Following => 0.05,
            ReplySettings::MentionedUsers => 0.0,
            ReplySettings::Subscribers => 0.02,
            ReplySettings::Verified => 0.1,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub id: String,
    pub text: String,
    pub published: Millis,
    /// Expected lifetime impressions without any spike.
    pub reach: f64,
    /// Likes, reposts, bookmarks per impression for this post.
    pub like_ratio: f64,
    pub repost_ratio: f64,
    pub bookmark_ratio: f64,
    pub reply_settings: ReplySettings,
    /// The creator's post this one continues (a thread), if any.
    pub in_reply_to: Option<String>,
    /// The post it quotes, if any.
    pub quotes_post: Option<String>,
    /// The conversation: the thread's first post.
    pub conversation: String,
    pub deleted: bool,
    pub views: i64,
    pub likes: i64,
    pub reposts: i64,
    pub quotes: i64,
    pub bookmarks: i64,
    /// Totals at the last metric update, in [`METRICS`] order.
    pub reported: [i64; 6],
    /// Expected impressions, likes, reposts and bookmarks not yet drawn.
    pub pending_views: f64,
    pub pending_likes: f64,
    pub pending_reposts: f64,
    pub pending_bookmarks: f64,
    pub next_metric: Millis,
    pub spikes: Vec<Spike>,
    #[serde(flatten)]
    pub talk: Discussion,
    pub active: bool,
}

impl Post {
    pub fn new(id: String, text: String, published: Millis, reach: f64) -> Self {
        Post {
            conversation: id.clone(),
            id,
            text,
            published,
            reach,
            like_ratio: 0.0,
            repost_ratio: 0.0,
            bookmark_ratio: 0.0,
            reply_settings: ReplySettings::Everyone,
            in_reply_to: None,
            quotes_post: None,
            deleted: false,
            views: 0,
            likes: 0,
            reposts: 0,
            quotes: 0,
            bookmarks: 0,
            reported: [0; 6],
            pending_views: 0.0,
            pending_likes: 0.0,
            pending_reposts: 0.0,
            pending_bookmarks: 0.0,
            next_metric: published,
            spikes: Vec::new(),
            talk: Discussion::default(),
            active: true,
        }
    }

    /// Expected impressions in `[a, b)` before the daily rhythm: the
    /// reaction curve's share of the reach plus any viral excess.
    pub fn expected_views(&self, kernel: &Seismic, a: Millis, b: Millis) -> f64 {
        let a = a.max(self.published);
        if b <= a || self.deleted {
            return 0.0;
        }
        let base = self.reach * kernel.share(a - self.published, b - self.published);
        base + self.spikes.iter().map(|s| s.extra(a, b, base)).sum::<f64>()
    }

    /// The viral multiplier's excess at `t` (0 without a spike).
    pub fn viral_excess(&self, t: Millis) -> f64 {
        self.spikes.iter().map(|s| s.excess(t)).sum()
    }

    pub fn totals(&self) -> [i64; 6] {
        [
            self.views,
            self.likes,
            self.talk.comments,
            self.reposts,
            self.quotes,
            self.bookmarks,
        ]
    }
}

impl KitPost for Post {
    fn id(&self) -> &str {
        &self.id
    }

    fn published(&self) -> Millis {
        self.published
    }

    fn seconds(&self) -> Option<u32> {
        None
    }

    fn discussion(&mut self) -> &mut Discussion {
        &mut self.talk
    }

    fn wake(&mut self) -> bool {
        !self.deleted && !std::mem::replace(&mut self.active, true)
    }
}
