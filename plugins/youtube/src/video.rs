//! One video's state: its reach, counters, excitation and viral spikes.

use serde::{Deserialize, Serialize};

use diorama_sdk::models::ids::CommentId;
use diorama_sdk::models::timing::{Excitation, Seismic};
use diorama_sdk::Millis;

/// How many recent top-level comments a video remembers as reply targets.
const THREADS: usize = 12;

/// A `viral` spike on one video. The video's reach is multiplied by a factor
/// m(t) that ramps linearly from 1 to `factor` over `ramp`, then decays
/// exponentially back toward 1 with time constant `decay`:
///
/// ```text
/// m(t) = 1 + (factor − 1) · r(t),  r = (t − start)/ramp on the ramp,
///                                  r = exp(−(t − start − ramp)/decay) after
/// ```
///
/// On top of the video's normal views, (m(t) − 1) × max(normal rate,
/// `reach_rate`) extra views arrive, where `reach_rate` spreads the video's
/// reach (at least the channel's typical reach) over the spike's duration
/// (ramp/2 + decay). So an old video that goes viral gains about
/// (factor − 1) × its reach, while a fresh one, whose normal rate is still
/// high, has that rate multiplied. Likes and comments follow views.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Viral {
    pub start: Millis,
    pub factor: f64,
    pub ramp: Millis,
    pub decay: Millis,
    /// Views per millisecond at which the reach is spread.
    pub reach_rate: f64,
}

impl Viral {
    /// m(t) − 1.
    pub fn excess(&self, t: Millis) -> f64 {
        if t < self.start {
            return 0.0;
        }
        let dt = (t - self.start) as f64;
        let ramp = self.ramp as f64;
        let r = if dt < ramp {
            dt / ramp
        } else {
            (-(dt - ramp) / self.decay.max(1) as f64).exp()
        };
        (self.factor - 1.0) * r
    }

    /// Whether the spike has faded to nothing (m − 1 below 0.2 %).
    pub fn faded(&self, t: Millis) -> bool {
        t > self.start + self.ramp && self.excess(t) < 0.002
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Video {
    pub id: String,
    pub published: Millis,
    /// Length, seconds (bounds the timestamps viewers quote).
    pub seconds: u32,
    /// Expected lifetime views without any spike.
    pub reach: f64,
    /// Likes per view for this video.
    pub like_ratio: f64,
    pub views: i64,
    pub likes: i64,
    pub comments: i64,
    /// Totals at the last metric update: views, likes, comments.
    pub reported: [i64; 3],
    /// Expected views not yet drawn into `views`.
    pub pending_views: f64,
    pub next_metric: Millis,
    pub excitation: Excitation,
    pub virals: Vec<Viral>,
    /// Recent top-level comments: reply targets.
    pub threads: Vec<CommentId>,
    pub thread_next: u8,
    pub active: bool,
}

impl Video {
    pub fn new(id: String, published: Millis, seconds: u32, reach: f64, like_ratio: f64) -> Self {
        Video {
            id,
            published,
            seconds,
            reach,
            like_ratio,
            views: 0,
            likes: 0,
            comments: 0,
            reported: [0; 3],
            pending_views: 0.0,
            next_metric: published,
            excitation: Excitation::default(),
            virals: Vec::new(),
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
        if self.virals.is_empty() {
            return base;
        }
        let mid = a + (b - a) / 2;
        let dt = (b - a) as f64;
        let extra: f64 = self
            .virals
            .iter()
            .map(|v| v.excess(mid) * base.max(v.reach_rate * dt))
            .sum();
        base + extra
    }

    /// The viral multiplier's excess at `t` (0 without a spike).
    pub fn viral_excess(&self, t: Millis) -> f64 {
        self.virals.iter().map(|v| v.excess(t)).sum()
    }

    pub fn remember_thread(&mut self, id: CommentId) {
        if self.threads.len() < THREADS {
            self.threads.push(id);
        } else {
            let i = self.thread_next as usize % THREADS;
            self.threads[i] = id;
            self.thread_next = ((i + 1) % THREADS) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diorama_sdk::{DAY, HOUR, MINUTE};

    #[test]
    fn viral_ramps_then_decays() {
        let v = Viral {
            start: 0,
            factor: 40.0,
            ramp: 30 * MINUTE,
            decay: 8 * HOUR,
            reach_rate: 1.0,
        };
        assert_eq!(v.excess(-1), 0.0);
        assert!((v.excess(15 * MINUTE) - 19.5).abs() < 1e-9);
        assert!((v.excess(30 * MINUTE) - 39.0).abs() < 1e-9);
        assert!((v.excess(30 * MINUTE + 8 * HOUR) - 39.0 / std::f64::consts::E).abs() < 1e-9);
        assert!(!v.faded(DAY));
        assert!(v.faded(5 * DAY));
    }

    #[test]
    fn views_follow_the_kernel() {
        let k = Seismic::standard();
        let v = Video::new("x".into(), 0, 600, 10_000.0, 0.04);
        let first = v.expected_views(&k, 0, 5 * MINUTE);
        assert!((first - 10_000.0 * k.share(0, 5 * MINUTE)).abs() < 1e-9);
        assert_eq!(v.expected_views(&k, -MINUTE, 0), 0.0);
        let day: f64 = (0..1440)
            .map(|m| v.expected_views(&k, m * MINUTE, (m + 1) * MINUTE))
            .sum();
        assert!((day - 10_000.0 * k.share(0, DAY)).abs() < 1e-6);
    }
}
