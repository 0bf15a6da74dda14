//! One video: its reach, counters, excitation and spikes.

use serde::{Deserialize, Serialize};

use diorama_sdk::kit::threads::{Discussion, Post};
use diorama_sdk::models::spike::Spike;
use diorama_sdk::models::timing::Seismic;
use diorama_sdk::Millis;

/// The metrics a video reports, in [`Video::totals`] order.
pub const METRICS: [&str; 4] = ["views", "likes", "comments", "shares"];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Video {
    pub id: String,
    /// The caption it was published with (its description); older
    /// snapshots have none.
    #[serde(default)]
    pub caption: String,
    pub published: Millis,
    pub seconds: u32,
    /// Expected lifetime views without any spike.
    pub reach: f64,
    /// Likes and shares per view for this video.
    pub like_ratio: f64,
    pub share_ratio: f64,
    pub views: i64,
    pub likes: i64,
    pub shares: i64,
    /// Totals at the last metric update, in [`METRICS`] order.
    pub reported: [i64; 4],
    /// Expected views not yet drawn into `views`.
    pub pending_views: f64,
    pub next_metric: Millis,
    pub spikes: Vec<Spike>,
    /// Its comments, their excitation and the threads replies answer.
    #[serde(flatten)]
    pub talk: Discussion,
    pub active: bool,
}

impl Video {
    pub fn new(id: String, published: Millis, seconds: u32, reach: f64) -> Self {
        Video {
            id,
            caption: String::new(),
            published,
            seconds,
            reach,
            like_ratio: 0.0,
            share_ratio: 0.0,
            views: 0,
            likes: 0,
            shares: 0,
            reported: [0; 4],
            pending_views: 0.0,
            next_metric: published,
            spikes: Vec::new(),
            talk: Discussion::default(),
            active: true,
        }
    }

    /// Expected views in `[a, b)` before the daily rhythm: the SEISMIC
    /// share of the reach plus any viral excess.
    pub fn expected_views(&self, kernel: &Seismic, a: Millis, b: Millis) -> f64 {
        let a = a.max(self.published);
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

    /// The title: the caption before its hashtags.
    pub fn title(&self) -> &str {
        self.caption.split(" #").next().unwrap_or_default().trim()
    }

    pub fn totals(&self) -> [i64; 4] {
        [self.views, self.likes, self.talk.comments, self.shares]
    }
}

impl Post for Video {
    fn id(&self) -> &str {
        &self.id
    }

    fn published(&self) -> Millis {
        self.published
    }

    fn seconds(&self) -> Option<u32> {
        Some(self.seconds)
    }

    fn discussion(&mut self) -> &mut Discussion {
        &mut self.talk
    }

    fn wake(&mut self) -> bool {
        !std::mem::replace(&mut self.active, true)
    }
}
