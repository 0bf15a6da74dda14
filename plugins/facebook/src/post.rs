//! One Page post (a status or link post, a photo, a video or a reel): its
//! reach, reactions by type, shares, comments, excitation and spikes.

use serde::{Deserialize, Serialize};

use diorama_sdk::kit::threads::{Discussion, Post as ThreadPost};
use diorama_sdk::models::spike::Spike;
use diorama_sdk::models::timing::Seismic;
use diorama_sdk::Millis;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Post,
    Photo,
    Video,
    Reel,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Post, Kind::Photo, Kind::Video, Kind::Reel];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Post => "post",
            Kind::Photo => "photo",
            Kind::Video => "video",
            Kind::Reel => "reel",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The Graph API's `status_type` of a Page post of this kind.
    pub fn status_type(self) -> &'static str {
        match self {
            Kind::Post => "mobile_status_update",
            Kind::Photo => "added_photos",
            Kind::Video | Kind::Reel => "added_video",
        }
    }

    /// Videos and reels play: they count video views.
    pub fn plays(self) -> bool {
        matches!(self, Kind::Video | Kind::Reel)
    }
}

/// The six reactions, in the Graph API's order and names.
pub const REACTIONS: [&str; 6] = ["like", "love", "haha", "wow", "sad", "angry"];
/// Index of `angry` in [`REACTIONS`].
pub const ANGRY: usize = 5;

/// A wave of angry reactions on one post: `size` of them spread evenly
/// over `[start, start + duration)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AngryWave {
    pub start: Millis,
    pub duration: Millis,
    pub size: u64,
    pub given: u64,
}

impl AngryWave {
    /// How many are due by `b` and not yet given (marks them given).
    pub fn due(&mut self, b: Millis) -> u64 {
        let elapsed = (b - self.start).clamp(0, self.duration.max(1));
        let by = (self.size as u128 * elapsed as u128 / self.duration.max(1) as u128) as u64;
        let n = by.saturating_sub(self.given);
        self.given += n;
        n
    }

    pub fn done(&self) -> bool {
        self.given >= self.size
    }
}

/// A comment storm: comments on one post multiplied by `factor` over
/// `[start, end)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Storm {
    pub start: Millis,
    pub end: Millis,
    pub factor: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub id: String,
    pub kind: Kind,
    pub published: Millis,
    /// A video's or reel's length, seconds.
    pub seconds: Option<u32>,
    /// Expected lifetime accounts reached without any spike.
    pub reach: f64,
    /// Reactions per account reached.
    pub reaction_ratio: f64,
    /// Comments per account reached.
    pub comment_ratio: f64,
    /// Shares per account reached.
    pub share_ratio: f64,
    /// Views: the people the post reached (Meta's Page insights count
    /// "views" in place of impressions since 2024).
    pub views: i64,
    /// Reactions by type, in [`REACTIONS`] order.
    pub reactions: [i64; 6],
    pub shares: i64,
    /// Totals at the last metric update, in [`Post::totals`] order.
    pub reported: [i64; 10],
    pub pending_views: f64,
    pub next_metric: Millis,
    pub spikes: Vec<Spike>,
    #[serde(default)]
    pub angry_waves: Vec<AngryWave>,
    #[serde(default)]
    pub storms: Vec<Storm>,
    #[serde(flatten)]
    pub talk: Discussion,
    pub active: bool,
}

/// The metric names in [`Post::totals`] order.
pub const METRICS: [&str; 10] = [
    "views",
    "reactions",
    "comments",
    "shares",
    "reactions_like",
    "reactions_love",
    "reactions_haha",
    "reactions_wow",
    "reactions_sad",
    "reactions_angry",
];

impl Post {
    pub fn new(id: String, kind: Kind, published: Millis, reach: f64) -> Self {
        Post {
            id,
            kind,
            published,
            seconds: None,
            reach,
            reaction_ratio: 0.0,
            comment_ratio: 0.0,
            share_ratio: 0.0,
            views: 0,
            reactions: [0; 6],
            shares: 0,
            reported: [0; 10],
            pending_views: 0.0,
            next_metric: published,
            spikes: Vec::new(),
            angry_waves: Vec::new(),
            storms: Vec::new(),
            talk: Discussion::default(),
            active: true,
        }
    }

    /// Expected accounts reached in `[a, b)` before the daily rhythm.
    pub fn expected_views(&self, kernel: &Seismic, a: Millis, b: Millis) -> f64 {
        let a = a.max(self.published);
        if b <= a {
            return 0.0;
        }
        let base = self.reach * kernel.share(a - self.published, b - self.published);
        base + self.spikes.iter().map(|s| s.extra(a, b, base)).sum::<f64>()
    }

    pub fn viral_excess(&self, t: Millis) -> f64 {
        self.spikes.iter().map(|s| s.excess(t)).sum()
    }

    /// The comment storms' multiplier at `t` (1 without one).
    pub fn storm_factor(&self, t: Millis) -> f64 {
        self.storms
            .iter()
            .filter(|s| s.start <= t && t < s.end)
            .map(|s| s.factor)
            .fold(1.0, f64::max)
    }

    pub fn reaction_total(&self) -> i64 {
        self.reactions.iter().sum()
    }

    pub fn totals(&self) -> [i64; 10] {
        let r = &self.reactions;
        [
            self.views,
            self.reaction_total(),
            self.talk.comments,
            self.shares,
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
        ]
    }

    /// Whether a signal keeps it drawing activity.
    pub fn stirred(&self, b: Millis) -> bool {
        !self.spikes.is_empty()
            || self.angry_waves.iter().any(|w| !w.done())
            || self.storms.iter().any(|s| s.end > b)
    }
}

impl ThreadPost for Post {
    fn id(&self) -> &str {
        &self.id
    }

    fn published(&self) -> Millis {
        self.published
    }

    fn seconds(&self) -> Option<u32> {
        self.seconds
    }

    fn discussion(&mut self) -> &mut Discussion {
        &mut self.talk
    }

    fn wake(&mut self) -> bool {
        if self.active {
            return false;
        }
        self.active = true;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diorama_sdk::HOUR;

    #[test]
    fn an_angry_wave_gives_its_size_over_its_duration() {
        let mut w = AngryWave {
            start: 0,
            duration: 2 * HOUR,
            size: 1_000,
            given: 0,
        };
        assert_eq!(w.due(HOUR), 500);
        assert_eq!(w.due(HOUR), 0);
        assert_eq!(w.due(5 * HOUR), 500);
        assert!(w.done());
    }
}
