//! One post, reel or story: its reach, counters, excitation and spikes.

use serde::{Deserialize, Serialize};

use diorama_sdk::kit::threads::{Discussion, Post};
use diorama_sdk::models::spike::Spike;
use diorama_sdk::models::timing::Seismic;
use diorama_sdk::{Millis, DAY};

/// How long a story stays up.
pub const STORY_LIFETIME: Millis = DAY;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Post,
    Reel,
    Story,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Post => "post",
            Kind::Reel => "reel",
            Kind::Story => "story",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "post" => Some(Kind::Post),
            "reel" => Some(Kind::Reel),
            "story" => Some(Kind::Story),
            _ => None,
        }
    }

    /// The metric counters this kind reports, in [`Media::totals`] order
    /// (views, likes, comments).
    pub fn metric_names(self) -> [Option<&'static str>; 3] {
        match self {
            Kind::Post => [None, Some("likes"), Some("comments")],
            Kind::Reel => [Some("views"), Some("likes"), Some("comments")],
            Kind::Story => [Some("story_views"), None, None],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Media {
    pub id: String,
    pub kind: Kind,
    pub published: Millis,
    /// A reel's length, seconds (bounds the timestamps viewers quote).
    pub seconds: Option<u32>,
    /// Expected lifetime accounts reached without any spike.
    pub reach: f64,
    /// Likes per account reached.
    pub like_ratio: f64,
    /// Comments per account reached.
    pub comment_ratio: f64,
    pub views: i64,
    pub likes: i64,
    /// Totals at the last metric update: views, likes, comments.
    pub reported: [i64; 3],
    /// Expected views not yet drawn into `views`.
    pub pending_views: f64,
    pub next_metric: Millis,
    pub spikes: Vec<Spike>,
    /// Its comments, their excitation and the threads replies answer.
    #[serde(flatten)]
    pub talk: Discussion,
    pub active: bool,
}

impl Media {
    pub fn new(id: String, kind: Kind, published: Millis, reach: f64) -> Self {
        Media {
            id,
            kind,
            published,
            seconds: None,
            reach,
            like_ratio: 0.0,
            comment_ratio: 0.0,
            views: 0,
            likes: 0,
            reported: [0; 3],
            pending_views: 0.0,
            next_metric: published,
            spikes: Vec::new(),
            talk: Discussion::default(),
            active: true,
        }
    }

    /// When a story expires (never for posts and reels).
    pub fn expires(&self) -> Millis {
        match self.kind {
            Kind::Story => self.published + STORY_LIFETIME,
            _ => Millis::MAX,
        }
    }

    /// Expected views in `[a, b)` before the daily rhythm: the SEISMIC
    /// share of the reach plus any viral excess.
    pub fn expected_views(&self, kernel: &Seismic, a: Millis, b: Millis) -> f64 {
        let a = a.max(self.published);
        let b = b.min(self.expires());
        if b <= a {
            return 0.0;
        }
        let base = self.reach * kernel.share(a - self.published, b - self.published);
        base + self.spikes.iter().map(|s| s.extra(a, b, base)).sum::<f64>()
    }

    /// The viral multiplier's excess at `t` (0 without a spike).
    pub fn viral_excess(&self, t: Millis) -> f64 {
        self.spikes.iter().map(|s| s.excess(t)).sum()
    }

    pub fn totals(&self) -> [i64; 3] {
        [self.views, self.likes, self.talk.comments]
    }
}

impl Post for Media {
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

    /// A story that expired stays at rest.
    fn wake(&mut self) -> bool {
        if self.active || self.kind == Kind::Story {
            return false;
        }
        self.active = true;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diorama_sdk::{HOUR, MINUTE};

    #[test]
    fn stories_stop_drawing_views_at_expiry() {
        let k = Seismic::standard();
        let s = Media::new("s".into(), Kind::Story, 0, 5_000.0);
        assert!(s.expected_views(&k, 23 * HOUR, 23 * HOUR + MINUTE) > 0.0);
        assert_eq!(s.expected_views(&k, DAY, DAY + MINUTE), 0.0);
        let half = s.expected_views(&k, DAY - 30 * 1000, DAY + 30 * 1000);
        let whole = s.expected_views(&k, DAY - 60 * 1000, DAY);
        assert!(half < whole && half > 0.0);
        let p = Media::new("p".into(), Kind::Post, 0, 5_000.0);
        assert!(p.expected_views(&k, DAY, DAY + MINUTE) > 0.0);
    }
}
