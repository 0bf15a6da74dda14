//! One video: its reach, counters, excitation and spikes.

use serde::{Deserialize, Serialize};

use diorama_sdk::models::spike::Spike;
use diorama_sdk::models::timing::{Excitation, Seismic};
use diorama_sdk::Millis;

/// How many recent top-level comments a video remembers as reply targets.
const THREADS: usize = 12;

/// A recent top-level comment: its id and its author's handle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Thread {
    pub id: u64,
    pub handle: String,
}

/// The metrics a video reports, in [`Video::totals`] order.
pub const METRICS: [&str; 4] = ["views", "likes", "comments", "shares"];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Video {
    pub id: String,
    pub published: Millis,
    pub seconds: u32,
    /// Expected lifetime views without any spike.
    pub reach: f64,
    /// Likes and shares per view for this video.
    pub like_ratio: f64,
    pub share_ratio: f64,
    pub views: i64,
    pub likes: i64,
    pub comments: i64,
    pub shares: i64,
    /// Totals at the last metric update, in [`METRICS`] order.
    pub reported: [i64; 4],
    /// Expected views not yet drawn into `views`.
    pub pending_views: f64,
    pub next_metric: Millis,
    pub excitation: Excitation,
    pub spikes: Vec<Spike>,
    pub threads: Vec<Thread>,
    pub thread_next: u8,
    pub active: bool,
}

impl Video {
    pub fn new(id: String, published: Millis, seconds: u32, reach: f64) -> Self {
        Video {
            id,
            published,
            seconds,
            reach,
            like_ratio: 0.0,
            share_ratio: 0.0,
            views: 0,
            likes: 0,
            comments: 0,
            shares: 0,
            reported: [0; 4],
            pending_views: 0.0,
            next_metric: published,
            excitation: Excitation::default(),
            spikes: Vec::new(),
            threads: Vec::new(),
            thread_next: 0,
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

    pub fn totals(&self) -> [i64; 4] {
        [self.views, self.likes, self.comments, self.shares]
    }

    pub fn remember_thread(&mut self, thread: Thread) {
        if self.threads.len() < THREADS {
            self.threads.push(thread);
        } else {
            let i = self.thread_next as usize % THREADS;
            self.threads[i] = thread;
            self.thread_next = ((i + 1) % THREADS) as u8;
        }
    }
}
