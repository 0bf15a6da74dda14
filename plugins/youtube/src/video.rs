//! One upload's state: its kind, reach, counters, excitation and viral
//! spikes.

use serde::{Deserialize, Serialize};

use crate::style::CommentId;
use diorama_sdk::kit::threads::{remember, THREADS};
use diorama_sdk::models::rng::fnv1a;
use diorama_sdk::models::spike::Spike;
use diorama_sdk::models::text::{Gist, Said};
use diorama_sdk::models::timing::{Excitation, Seismic};
use diorama_sdk::Millis;

/// How many top-level comments per upload collect likes: the ones
/// viewers see first under it.
pub const TOP_COMMENTS: usize = 10;

/// Comment likes are drawn and reported at most this often per upload.
pub const COMMENT_LIKES_INTERVAL: Millis = 2 * 60 * 60 * 1000;

/// Comment likes per view, per unit of a comment's appeal.
pub const COMMENT_LIKES_PER_VIEW: f64 = 0.001;

/// A top-level comment that collects likes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LikedComment {
    pub id: CommentId,
    /// How likeable it is: power-law across comments (most near the
    /// minimum, a few dozens of times more).
    pub appeal: f64,
    pub likes: i64,
    /// The total at the last `comment_likes` update.
    pub reported: i64,
}

/// A comment's appeal, from its id (so it takes no draw from the
/// audience's generator): Pareto with minimum 0.2 and tail exponent 1.2,
/// capped at 40 (a top comment gets a few per cent of the views in likes).
pub fn appeal(id: &CommentId) -> f64 {
    let u = (fnv1a(id.to_id().as_bytes()) >> 11) as f64 / (1u64 << 53) as f64;
    (0.2 / (1.0 - u).powf(1.0 / 1.2)).min(40.0)
}

/// What was published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// A regular (horizontal) video.
    Video,
    /// A vertical short: more views per subscriber, fewer comments per
    /// view, and its audience comes and goes faster.
    Short,
    /// A community (text) post: likes and comments, no views.
    Community,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Video => "video",
            Kind::Short => "short",
            Kind::Community => "community",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "video" => Some(Kind::Video),
            "short" => Some(Kind::Short),
            "community" => Some(Kind::Community),
            _ => None,
        }
    }

    /// How many times faster than a video's the audience's reaction curve
    /// runs.
    pub fn speed(self) -> Millis {
        match self {
            Kind::Short => 3,
            Kind::Video | Kind::Community => 1,
        }
    }

    /// Whether it counts against the upload limit.
    pub fn is_upload(self) -> bool {
        self != Kind::Community
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Video {
    pub id: String,
    pub kind: Kind,
    pub published: Millis,
    /// Length, seconds (bounds the timestamps viewers quote; 0 for a
    /// community post).
    pub seconds: u32,
    /// Expected lifetime views (impressions for a community post) without
    /// any spike.
    pub reach: f64,
    /// Likes per view for this upload.
    pub like_ratio: f64,
    /// Comments per view for this upload.
    pub comment_ratio: f64,
    pub views: i64,
    pub likes: i64,
    pub comments: i64,
    /// Totals at the last metric update: views, likes, comments.
    pub reported: [i64; 3],
    /// Expected views not yet drawn into `views`.
    pub pending_views: f64,
    pub next_metric: Millis,
    pub excitation: Excitation,
    pub spikes: Vec<Spike>,
    /// Recent top-level comments: reply targets.
    pub threads: Vec<CommentId>,
    pub thread_next: u8,
    /// What each of `threads` said, for the replies that answer it.
    #[serde(default)]
    pub said: Vec<Said>,
    /// What the upload is about, read from its title and description.
    #[serde(default)]
    pub gist: Gist,
    /// The top-level comments that collect likes (at most
    /// [`TOP_COMMENTS`]).
    #[serde(default)]
    pub liked: Vec<LikedComment>,
    /// Views since the comments' likes were last drawn.
    #[serde(default)]
    pub liked_views: i64,
    /// When their likes are drawn next.
    #[serde(default)]
    pub liked_next: Millis,
    /// Kept active at least until then (a troll wave under way).
    pub busy_until: Millis,
    pub active: bool,
}

impl Video {
    pub fn new(
        id: String,
        kind: Kind,
        published: Millis,
        seconds: u32,
        reach: f64,
        like_ratio: f64,
        comment_ratio: f64,
    ) -> Self {
        Video {
            id,
            kind,
            published,
            seconds,
            reach,
            like_ratio,
            comment_ratio,
            views: 0,
            likes: 0,
            comments: 0,
            reported: [0; 3],
            pending_views: 0.0,
            next_metric: published,
            excitation: Excitation::default(),
            spikes: Vec::new(),
            threads: Vec::new(),
            thread_next: 0,
            said: Vec::new(),
            gist: Gist::default(),
            liked: Vec::new(),
            liked_views: 0,
            liked_next: published,
            busy_until: published,
            active: true,
        }
    }

    /// Expected views in `[a, b)` before the daily rhythm: the SEISMIC
    /// share of the reach (on the kind's clock) plus any viral excess.
    pub fn expected_views(&self, kernel: &Seismic, a: Millis, b: Millis) -> f64 {
        let a = a.max(self.published);
        if b <= a {
            return 0.0;
        }
        let k = self.kind.speed();
        let base = self.reach * kernel.share((a - self.published) * k, (b - self.published) * k);
        if self.spikes.is_empty() {
            return base;
        }
        let extra: f64 = self.spikes.iter().map(|s| s.extra(a, b, base)).sum();
        base + extra
    }

    /// The age on the reaction curve's clock.
    pub fn curve_age(&self, at: Millis) -> Millis {
        (at - self.published).saturating_mul(self.kind.speed())
    }

    /// The viral multiplier's excess at `t` (0 without a spike).
    pub fn viral_excess(&self, t: Millis) -> f64 {
        self.spikes.iter().map(|v| v.excess(t)).sum()
    }

    /// Consider a new top-level comment for the ones that collect likes:
    /// it takes a free place, or the place of the least liked and least
    /// appealing one if it is more appealing.
    pub fn track_comment(&mut self, id: CommentId) {
        let appeal = appeal(&id);
        let entry = LikedComment {
            id,
            appeal,
            likes: 0,
            reported: 0,
        };
        if self.liked.len() < TOP_COMMENTS {
            self.liked.push(entry);
            return;
        }
        let score = |c: &LikedComment| c.likes as f64 + c.appeal;
        let mut weakest = 0;
        for (i, c) in self.liked.iter().enumerate() {
            if score(c) < score(&self.liked[weakest]) {
                weakest = i;
            }
        }
        if appeal > score(&self.liked[weakest]) {
            self.liked[weakest] = entry;
        }
    }

    pub fn remember_thread(&mut self, id: CommentId, said: Said) {
        let i = if self.threads.len() < THREADS {
            self.threads.len()
        } else {
            self.thread_next as usize % THREADS
        };
        remember(&mut self.threads, &mut self.thread_next, id);
        if self.said.len() <= i {
            self.said.resize(i + 1, Said::default());
        }
        self.said[i] = said;
    }

    /// What thread `i` said.
    pub fn said(&self, i: usize) -> Said {
        self.said.get(i).copied().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diorama_sdk::{DAY, MINUTE};

    #[test]
    fn views_follow_the_kernel() {
        let k = Seismic::standard();
        let v = Video::new("x".into(), Kind::Video, 0, 600, 10_000.0, 0.04, 0.005);
        let first = v.expected_views(&k, 0, 5 * MINUTE);
        assert!((first - 10_000.0 * k.share(0, 5 * MINUTE)).abs() < 1e-9);
        assert_eq!(v.expected_views(&k, -MINUTE, 0), 0.0);
        let day: f64 = (0..1440)
            .map(|m| v.expected_views(&k, m * MINUTE, (m + 1) * MINUTE))
            .sum();
        assert!((day - 10_000.0 * k.share(0, DAY)).abs() < 1e-6);
    }

    #[test]
    fn shorts_decay_faster() {
        let k = Seismic::standard();
        let v = Video::new("x".into(), Kind::Video, 0, 600, 10_000.0, 0.04, 0.005);
        let s = Video::new("y".into(), Kind::Short, 0, 40, 10_000.0, 0.04, 0.005);
        let day = |v: &Video| v.expected_views(&k, 0, DAY) / v.reach;
        assert!(day(&s) > day(&v) + 0.05, "{} {}", day(&s), day(&v));
        assert_eq!(Kind::parse("short"), Some(Kind::Short));
        assert_eq!(Kind::parse("reel"), None);
    }

    #[test]
    fn appeal_is_heavy_tailed_and_tracking_is_bounded() {
        let mut rng = diorama_sdk::models::rng::Rng::new(1, "appeal");
        let mut v = Video::new("x".into(), Kind::Video, 0, 600, 10_000.0, 0.04, 0.005);
        let mut all: Vec<f64> = (0..2000)
            .map(|_| {
                let id = CommentId::random(&mut rng);
                v.track_comment(id);
                appeal(&id)
            })
            .collect();
        all.sort_by(f64::total_cmp);
        assert!(all[0] >= 0.2 && all[1999] <= 40.0);
        assert!(all[1999] > 30.0 * all[1000], "{} {}", all[1999], all[1000]);
        assert_eq!(v.liked.len(), TOP_COMMENTS);
        assert!(v.liked.iter().all(|c| c.appeal > all[1000]));
    }
}
