//! One channel post: its reach, counters, discussion and spikes.

use serde::{Deserialize, Serialize};

use diorama_sdk::kit::threads::{Discussion, Post};
use diorama_sdk::models::spike::Spike;
use diorama_sdk::models::timing::Seismic;
use diorama_sdk::Millis;

/// The metrics a post reports, in [`ChannelPost::totals`] order.
pub const METRICS: [&str; 4] = ["views", "reactions", "forwards", "comments"];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelPost {
    /// The message id in the channel.
    pub id: String,
    pub text: String,
    pub published: Millis,
    /// Expected lifetime views without any spike.
    pub reach: f64,
    /// Reactions and forwards per view for this post.
    pub reaction_ratio: f64,
    pub forward_ratio: f64,
    pub views: i64,
    pub reactions: i64,
    pub forwards: i64,
    /// Totals at the last metric update, in [`METRICS`] order.
    pub reported: [i64; 4],
    /// Expected views (and forward-storm excess) not yet drawn.
    pub pending_views: f64,
    pub pending_storm: f64,
    pub next_metric: Millis,
    pub spikes: Vec<Spike>,
    /// Its comments in the discussion group, their excitation and threads.
    #[serde(flatten)]
    pub talk: Discussion,
    pub active: bool,
    /// Deleted by the creator (through the Bot API): no longer drawing.
    #[serde(default)]
    pub deleted: bool,
}

impl ChannelPost {
    pub fn new(id: String, text: String, published: Millis, reach: f64) -> Self {
        ChannelPost {
            id,
            text,
            published,
            reach,
            reaction_ratio: 0.0,
            forward_ratio: 0.0,
            views: 0,
            reactions: 0,
            forwards: 0,
            reported: [0; 4],
            pending_views: 0.0,
            pending_storm: 0.0,
            next_metric: published,
            spikes: Vec::new(),
            talk: Discussion::default(),
            active: true,
            deleted: false,
        }
    }

    /// Expected views in `[a, b)` before the daily rhythm: the SEISMIC
    /// share of the reach plus any viral excess.
    pub fn expected_views(&self, kernel: &Seismic, a: Millis, b: Millis) -> (f64, f64) {
        let a = a.max(self.published);
        if b <= a {
            return (0.0, 0.0);
        }
        let base = self.reach * kernel.share(a - self.published, b - self.published);
        let extra = self.spikes.iter().map(|s| s.extra(a, b, base)).sum::<f64>();
        (base, extra)
    }

    /// The viral multiplier's excess at `t` (0 without a spike).
    pub fn viral_excess(&self, t: Millis) -> f64 {
        self.spikes.iter().map(|s| s.excess(t)).sum()
    }

    pub fn totals(&self) -> [i64; 4] {
        [
            self.views,
            self.reactions,
            self.forwards,
            self.talk.comments,
        ]
    }
}

impl Post for ChannelPost {
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
        !std::mem::replace(&mut self.active, true)
    }
}
