//! Reaction timing: when an audience reacts to a post, and how reactions
//! breed further reactions.
//!
//! # The SEISMIC reaction-delay kernel
//!
//! Zhao et al. (2015), "SEISMIC: A Self-Exciting Point Process Model for
//! Predicting Tweet Popularity", fit the delay `s` (seconds) between a post
//! (or reshare) and a reaction to it with a kernel that is flat for the first
//! five minutes and a power law after:
//!
//! ```text
//! φ(s) = c                          for 0 ≤ s ≤ s0
//! φ(s) = c · (s / s0)^−(1+θ)        for s > s0
//! c = 6.2657e-4 /s, θ = 0.2315, s0 = 300 s
//! ```
//!
//! With these constants the kernel integrates to 1 (c = θ / (s0 (1+θ))):
//! about 18.8 % of reactions fall in the first five minutes, the median delay
//! is about 40.6 minutes and the tail is long (about 22 % of reactions come
//! more than a day later, 10 % more than 30 days later).
//!
//! A simulator cannot wait forever, so [`Seismic`] truncates the tail at a
//! horizon ([`DEFAULT_HORIZON`], 30 days) and renormalises the remaining mass
//! to 1. The `truncated_*` functions, [`Seismic::share`] and
//! [`Seismic::sample_delay`] use the truncated kernel; with the 30-day horizon
//! 20.9 % of reactions fall in the first five minutes and the median delay is
//! about 26.9 minutes. The untruncated numbers are [`Seismic::density`],
//! [`Seismic::integral`] and [`Seismic::cdf`].
//!
//! # Self-excitation
//!
//! Reactions excite further reactions: a comment draws replies, a reshare
//! reaches new people. [`SelfExcitation`] and [`Excitation`] model this as a
//! marked Hawkes process in the style of Mishra, Rizoiu and Xie (2016),
//! "Feature Driven and Point Process Approaches for Popularity Prediction",
//! whose marked-Hawkes fit has κ = 0.024, β = 0.5 (and a power-law memory
//! kernel with c = 0.001, θ = 0.2), with marks `m` = the reacting user's
//! follower count, power-law distributed with density exponent α ≈ 2.
//!
//! A reaction by a user with `m` followers triggers on average
//! `κ · (1+m)^β · scale` further reactions (capped, see
//! [`SelfExcitation::offspring`]). Unlike Mishra et al. we spread those
//! offspring over an *exponential* memory kernel with time constant `memory`,
//! normalised to 1, so one number per content item carries the whole
//! excitation state (see [`Excitation`]); `scale` stands in for the mass of
//! Mishra's unnormalised kernel and lets a platform pick its branching ratio
//! (see [`SelfExcitation::branching_ratio`]). Keep the branching ratio well
//! below 1 or the process explodes.

use serde::{Deserialize, Serialize};

use super::rng::Rng;
use crate::types::{Millis, DAY, HOUR, MINUTE, SECOND};

/// SEISMIC's initial reaction density, per second.
pub const SEISMIC_C: f64 = 6.2657e-4;
/// SEISMIC's power-law tail exponent.
pub const SEISMIC_THETA: f64 = 0.2315;
/// SEISMIC's flat initial period, seconds.
pub const SEISMIC_S0: f64 = 300.0;
/// The default horizon after which reactions are cut off: 30 days.
pub const DEFAULT_HORIZON: Millis = 30 * DAY;

/// The SEISMIC reaction-delay kernel, truncated at a horizon. Times are in
/// seconds for the `f64` functions and in milliseconds for the `Millis` ones.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Seismic {
    c: f64,
    theta: f64,
    s0: f64,
    /// The horizon, seconds.
    horizon: f64,
    /// The untruncated mass up to the horizon.
    mass: f64,
}

impl Default for Seismic {
    fn default() -> Self {
        Seismic::standard()
    }
}

impl Seismic {
    /// The kernel with Zhao et al.'s constants, truncated at 30 days.
    pub fn standard() -> Self {
        Seismic::new(SEISMIC_C, SEISMIC_THETA, SEISMIC_S0, DEFAULT_HORIZON)
    }

    /// A kernel with other constants (`c` per second, `s0` seconds) or
    /// another horizon (at least `s0`).
    pub fn new(c: f64, theta: f64, s0: f64, horizon: Millis) -> Self {
        let c = if c.is_finite() && c > 0.0 {
            c
        } else {
            SEISMIC_C
        };
        let theta = if theta.is_finite() && theta > 0.0 {
            theta
        } else {
            SEISMIC_THETA
        };
        let s0 = if s0.is_finite() && s0 > 0.0 {
            s0
        } else {
            SEISMIC_S0
        };
        let horizon = (horizon as f64 / SECOND as f64).max(s0);
        let mut k = Seismic {
            c,
            theta,
            s0,
            horizon,
            mass: 1.0,
        };
        k.mass = k.cdf(horizon);
        k
    }

    /// The same kernel with another horizon.
    pub fn with_horizon(self, horizon: Millis) -> Self {
        Seismic::new(self.c, self.theta, self.s0, horizon)
    }

    /// The horizon, milliseconds.
    pub fn horizon(&self) -> Millis {
        (self.horizon * SECOND as f64) as Millis
    }

    /// The untruncated density φ(s), per second; 0 before 0.
    pub fn density(&self, s: f64) -> f64 {
        if s < 0.0 {
            0.0
        } else if s <= self.s0 {
            self.c
        } else {
            self.c * (s / self.s0).powf(-(1.0 + self.theta))
        }
    }

    /// The untruncated integral of φ over `[a, b]` (seconds), in closed form.
    pub fn integral(&self, a: f64, b: f64) -> f64 {
        let a = a.max(0.0);
        if b <= a {
            return 0.0;
        }
        let mut total = 0.0;
        // Flat part.
        if a < self.s0 {
            total += self.c * (b.min(self.s0) - a);
        }
        // Power-law part: ∫ c (s/s0)^−(1+θ) ds = c s0 / θ · [(s/s0)^−θ].
        if b > self.s0 {
            let lo = a.max(self.s0);
            let k = self.c * self.s0 / self.theta;
            total += k * ((lo / self.s0).powf(-self.theta) - (b / self.s0).powf(-self.theta));
        }
        total
    }

    /// The untruncated share of reactions within `s` seconds.
    pub fn cdf(&self, s: f64) -> f64 {
        self.integral(0.0, s)
    }

    /// The untruncated kernel's total mass, c·s0·(1 + 1/θ) (≈ 1 for the
    /// standard constants).
    pub fn total_mass(&self) -> f64 {
        self.c * self.s0 * (1.0 + 1.0 / self.theta)
    }

    /// The share of reactions within `s` seconds, truncated and renormalised.
    pub fn truncated_cdf(&self, s: f64) -> f64 {
        (self.cdf(s.min(self.horizon)) / self.mass).min(1.0)
    }

    /// The truncated, renormalised share of reactions between `a` and `b`
    /// seconds after the post.
    pub fn truncated_integral(&self, a: f64, b: f64) -> f64 {
        self.integral(a.min(self.horizon), b.min(self.horizon)) / self.mass
    }

    /// The truncated, renormalised share of reactions whose delay falls in
    /// `[from, to)` milliseconds after the post: multiply by the expected
    /// total number of reactions to get the expected number in that window.
    pub fn share(&self, from: Millis, to: Millis) -> f64 {
        self.truncated_integral(from as f64 / 1000.0, to as f64 / 1000.0)
    }

    /// The truncated density at `age` milliseconds after the post, per
    /// millisecond.
    pub fn rate(&self, age: Millis) -> f64 {
        let s = age as f64 / 1000.0;
        if s > self.horizon {
            0.0
        } else {
            self.density(s) / self.mass / 1000.0
        }
    }

    /// The delay (seconds) below which a share `p` of the truncated
    /// reactions fall: the inverse of [`truncated_cdf`](Self::truncated_cdf).
    pub fn quantile(&self, p: f64) -> f64 {
        let p = p.clamp(0.0, 1.0) * self.mass;
        let flat = self.c * self.s0;
        let s = if p <= flat {
            p / self.c
        } else {
            // p = flat + c s0/θ (1 − x^−θ), x = s/s0.
            let y = 1.0 - (p - flat) * self.theta / (self.c * self.s0);
            if y <= 0.0 {
                self.horizon
            } else {
                self.s0 * y.powf(-1.0 / self.theta)
            }
        };
        s.min(self.horizon)
    }

    /// Draw a reaction delay, milliseconds, by inverting the truncated CDF.
    pub fn sample_delay(&self, rng: &mut Rng) -> Millis {
        (self.quantile(rng.unit()) * 1000.0) as Millis
    }
}

/// How reactions excite further reactions: the mark term of a marked Hawkes
/// process and the memory over which the offspring arrive. See the module
/// documentation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SelfExcitation {
    /// Mark coefficient κ (Mishra et al.: 0.024).
    pub kappa: f64,
    /// Mark exponent β (Mishra et al.: 0.5).
    pub beta: f64,
    /// Mass of the memory kernel: offspring per unit of `κ·(1+m)^β`.
    pub scale: f64,
    /// Time constant of the exponential memory, milliseconds.
    pub memory: Millis,
    /// The most offspring one reaction can trigger, however many followers
    /// its author has (keeps the process stable).
    pub max_offspring: f64,
}

impl SelfExcitation {
    /// κ of Mishra et al. (2016).
    pub const MISHRA_KAPPA: f64 = 0.024;
    /// β of Mishra et al. (2016).
    pub const MISHRA_BETA: f64 = 0.5;
    /// The kernel offset `c` of Mishra et al. (2016).
    pub const MISHRA_C: f64 = 0.001;
    /// The kernel exponent θ of Mishra et al. (2016).
    pub const MISHRA_THETA: f64 = 0.2;

    /// Mishra et al.'s κ and β with a platform-chosen kernel mass and memory.
    pub fn mishra(scale: f64, memory: Millis, max_offspring: f64) -> Self {
        SelfExcitation {
            kappa: Self::MISHRA_KAPPA,
            beta: Self::MISHRA_BETA,
            scale,
            memory: memory.max(1),
            max_offspring,
        }
    }

    /// The mass of Mishra et al.'s unnormalised power-law memory kernel
    /// (τ + c)^−(1+θ), c^−θ/θ ≈ 19.9: their `scale`.
    pub fn mishra_kernel_mass() -> f64 {
        Self::MISHRA_C.powf(-Self::MISHRA_THETA) / Self::MISHRA_THETA
    }

    /// The expected number of further reactions one reaction by an author
    /// with `followers` followers triggers.
    pub fn offspring(&self, followers: u64) -> f64 {
        let v = self.kappa * (1.0 + followers as f64).powf(self.beta) * self.scale;
        if v.is_finite() {
            v.clamp(0.0, self.max_offspring.max(0.0))
        } else {
            0.0
        }
    }

    /// The branching ratio (mean offspring per reaction, ignoring the cap)
    /// when marks are power-law with density exponent `alpha` on m ≥ 1:
    /// κ · scale · (α−1)/(α−1−β), infinite when α ≤ 1 + β.
    pub fn branching_ratio(&self, alpha: f64) -> f64 {
        if alpha <= 1.0 + self.beta {
            f64::INFINITY
        } else {
            self.kappa * self.scale * (alpha - 1.0) / (alpha - 1.0 - self.beta)
        }
    }
}

/// The excitation state of one content item: the extra reaction rate that
/// past reactions still cause, decaying exponentially. Each reaction
/// [`bump`](Self::bump)s it by its offspring; the offspring then arrive at a
/// rate that decays with the memory time constant, so that in total exactly
/// the bumped number is expected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Excitation {
    /// Extra reactions per millisecond at `at`.
    rate: f64,
    at: Millis,
}

impl Excitation {
    /// The extra reaction rate at `at` (≥ the last bump), per millisecond.
    pub fn rate_at(&self, at: Millis, memory: Millis) -> f64 {
        let dt = (at - self.at).max(0) as f64;
        self.rate * (-dt / memory.max(1) as f64).exp()
    }

    /// The expected number of extra reactions in `[from, to)` (from ≥ the
    /// last bump): the integral of the decaying rate.
    pub fn expected(&self, from: Millis, to: Millis, memory: Millis) -> f64 {
        if to <= from || self.rate <= 0.0 {
            return 0.0;
        }
        let tau = memory.max(1) as f64;
        self.rate_at(from, memory) * tau * (1.0 - (-((to - from) as f64) / tau).exp())
    }

    /// The expected number of extra reactions still to come after `at`.
    pub fn remaining(&self, at: Millis, memory: Millis) -> f64 {
        self.rate_at(at, memory) * memory.max(1) as f64
    }

    /// Add `offspring` expected reactions, arriving from `at` on.
    pub fn bump(&mut self, at: Millis, offspring: f64, memory: Millis) {
        if !(offspring.is_finite() && offspring > 0.0) {
            return;
        }
        let at = at.max(self.at);
        self.rate = self.rate_at(at, memory) + offspring / memory.max(1) as f64;
        self.at = at;
    }

    /// Forget excitation that can no longer cause `threshold` reactions.
    pub fn prune(&mut self, at: Millis, memory: Millis, threshold: f64) {
        if self.remaining(at, memory) < threshold {
            self.rate = 0.0;
            self.at = at.max(self.at);
        }
    }
}

/// Time to a post's next metric update: 5–15 minutes while it is fresh
/// (under six hours old) or `hot` (e.g. viral), then longer as it ages
/// (about hourly after a day, every few hours after four days).
pub fn metric_interval(age: Millis, hot: bool, rng: &mut Rng) -> Millis {
    if age < 6 * HOUR || hot {
        return 5 * MINUTE + rng.below(10 * MINUTE as u64) as Millis;
    }
    let hours = age as f64 / HOUR as f64;
    let mean =
        (10.0 * MINUTE as f64 * (1.0 + hours / 4.0)).clamp(10.0 * MINUTE as f64, 6.0 * HOUR as f64);
    (mean * (0.5 + rng.unit())) as Millis
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{HOUR, MINUTE};

    #[test]
    fn standard_kernel_integrates_to_one() {
        let k = Seismic::standard();
        assert!((k.total_mass() - 1.0).abs() < 1e-3, "{}", k.total_mass());
        assert!((k.cdf(1e15) - 1.0).abs() < 2e-3);
    }

    #[test]
    fn nineteen_percent_in_five_minutes_median_near_forty_minutes() {
        let k = Seismic::standard();
        let five = k.cdf(300.0);
        assert!((five - 0.188).abs() < 0.002, "{five}");
        // Median of the untruncated kernel: cdf crosses 0.5 near 40.6 min.
        let before = k.cdf(39.0 * 60.0);
        let after = k.cdf(42.0 * 60.0);
        assert!(before < 0.5 && after > 0.5, "{before} {after}");
        // About 22 % arrive after a day.
        let day = 1.0 - k.cdf(86_400.0);
        assert!((day - 0.22).abs() < 0.01, "{day}");
    }

    #[test]
    fn integral_matches_numeric_integration_of_density() {
        let k = Seismic::standard();
        for (a, b) in [
            (0.0, 120.0),
            (100.0, 900.0),
            (3600.0, 7200.0),
            (250.0, 86_400.0),
        ] {
            let n = 200_000;
            let h = (b - a) / n as f64;
            let num: f64 = (0..n)
                .map(|i| k.density(a + (i as f64 + 0.5) * h) * h)
                .sum();
            let closed = k.integral(a, b);
            assert!(
                (num - closed).abs() < 1e-6 * closed.max(1e-3),
                "{a}..{b}: {num} vs {closed}"
            );
        }
    }

    #[test]
    fn truncation_renormalises() {
        let k = Seismic::standard();
        assert!((k.truncated_cdf(k.horizon) - 1.0).abs() < 1e-12);
        assert_eq!(k.truncated_cdf(k.horizon * 10.0), 1.0);
        let five = k.truncated_cdf(300.0);
        assert!((five - 0.209).abs() < 0.002, "{five}");
        let median = k.quantile(0.5) / 60.0;
        assert!((26.0..28.0).contains(&median), "{median}");
        assert!((k.share(0, DEFAULT_HORIZON) - 1.0).abs() < 1e-12);
        assert_eq!(k.share(DEFAULT_HORIZON, DEFAULT_HORIZON + DAY), 0.0);
        // Shares of adjacent windows add up.
        let a = k.share(0, 7 * MINUTE) + k.share(7 * MINUTE, 3 * HOUR);
        assert!((a - k.share(0, 3 * HOUR)).abs() < 1e-12);
    }

    #[test]
    fn quantile_inverts_cdf() {
        let k = Seismic::standard();
        for p in [0.01, 0.1, 0.2, 0.21, 0.5, 0.8, 0.99] {
            let s = k.quantile(p);
            assert!((k.truncated_cdf(s) - p).abs() < 1e-9, "{p}");
        }
    }

    #[test]
    fn sampled_delays_follow_the_kernel() {
        let k = Seismic::standard();
        let mut rng = Rng::new(11, "delays");
        let n = 100_000;
        let mut d: Vec<Millis> = (0..n).map(|_| k.sample_delay(&mut rng)).collect();
        d.sort_unstable();
        let five = d.iter().filter(|&&x| x <= 5 * MINUTE).count() as f64 / n as f64;
        assert!((five - 0.209).abs() < 0.005, "{five}");
        let median = d[n / 2] as f64 / MINUTE as f64;
        assert!((25.0..29.0).contains(&median), "{median}");
        let over_day = d.iter().filter(|&&x| x > DAY).count() as f64 / n as f64;
        assert!((0.12..0.15).contains(&over_day), "long tail: {over_day}");
        assert!(*d.last().unwrap_or(&0) <= DEFAULT_HORIZON);
        // A longer horizon moves the sampled median toward the untruncated 40.6 min.
        let long = k.with_horizon(1_000_000_000 * DAY);
        let m = long.quantile(0.5) / 60.0;
        assert!((39.5..41.5).contains(&m), "{m}");
    }

    #[test]
    fn excitation_delivers_its_offspring_and_decays() {
        let memory = 30 * MINUTE;
        let mut e = Excitation::default();
        e.bump(0, 2.0, memory);
        let total = e.expected(0, 100 * memory, memory);
        assert!((total - 2.0).abs() < 1e-9, "{total}");
        let first = e.expected(0, memory, memory);
        assert!((first - 2.0 * (1.0 - (-1.0f64).exp())).abs() < 1e-9);
        assert!(e.rate_at(memory, memory) < e.rate_at(0, memory));
        // Bumps add up.
        e.bump(memory, 1.0, memory);
        let rest = e.remaining(memory, memory);
        assert!(
            (rest - (2.0 * (-1.0f64).exp() + 1.0)).abs() < 1e-9,
            "{rest}"
        );
        e.prune(100 * memory, memory, 1e-6);
        assert_eq!(e.remaining(100 * memory, memory), 0.0);
        // Bad offspring values are ignored.
        e.bump(200 * memory, f64::NAN, memory);
        assert_eq!(e.remaining(200 * memory, memory), 0.0);
    }

    #[test]
    fn offspring_grow_with_followers_and_are_capped() {
        let x = SelfExcitation::mishra(5.0, 30 * MINUTE, 3.0);
        assert!(x.offspring(0) < x.offspring(100));
        assert!(x.offspring(100) < x.offspring(10_000));
        assert_eq!(x.offspring(u64::MAX), 3.0);
        assert!((x.offspring(99) - 0.024 * 10.0 * 5.0).abs() < 1e-12);
        // Power-law marks with α = 2: (α−1)/(α−1−β) = 2.
        assert!((x.branching_ratio(2.0) - 0.024 * 5.0 * 2.0).abs() < 1e-12);
        assert!(x.branching_ratio(1.4).is_infinite());
        let m = SelfExcitation::mishra_kernel_mass();
        assert!((m - 19.9).abs() < 0.05, "{m}");
    }
}
