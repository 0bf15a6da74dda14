//! Heavy-tailed popularity: how good a post is (log-normal: most posts get
//! modest reach, a few get most of it) and how many followers an account has
//! (power law, density exponent α ≈ 2, as in Mishra et al. 2016).

use serde::{Deserialize, Serialize};

use super::rng::Rng;

/// The default spread of post quality: σ of the underlying normal. With
/// σ = 0.9 the median post gets 2/3 of the mean and the best 10 % of posts
/// take about a third of all views.
pub const DEFAULT_QUALITY_SIGMA: f64 = 0.9;

/// The density exponent of follower counts (Mishra et al. 2016: α ≈ 2.016).
pub const FOLLOWER_ALPHA: f64 = 2.0;

/// A log-normal distribution: `exp(mu + sigma · N(0, 1))`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogNormal {
    pub mu: f64,
    pub sigma: f64,
}

impl LogNormal {
    /// The log-normal with this mean and spread.
    pub fn with_mean(mean: f64, sigma: f64) -> Self {
        let sigma = sigma.abs();
        LogNormal {
            mu: mean.max(f64::MIN_POSITIVE).ln() - sigma * sigma / 2.0,
            sigma,
        }
    }

    /// The log-normal with this median and spread.
    pub fn with_median(median: f64, sigma: f64) -> Self {
        LogNormal {
            mu: median.max(f64::MIN_POSITIVE).ln(),
            sigma: sigma.abs(),
        }
    }

    pub fn mean(&self) -> f64 {
        (self.mu + self.sigma * self.sigma / 2.0).exp()
    }

    pub fn median(&self) -> f64 {
        self.mu.exp()
    }

    pub fn sample(&self, rng: &mut Rng) -> f64 {
        rng.lognormal(self.mu, self.sigma)
    }
}

/// A post's quality factor: log-normal with mean 1 and spread `sigma`
/// ([`DEFAULT_QUALITY_SIGMA`] is a good default). Multiply a typical reach by
/// it to get the post's expected reach.
pub fn quality(rng: &mut Rng, sigma: f64) -> f64 {
    LogNormal::with_mean(1.0, sigma).sample(rng)
}

/// A power law on `[min, max]` with density ∝ x^−alpha (alpha > 1), drawn
/// by inversion and clamped at `max`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PowerLaw {
    pub min: f64,
    pub alpha: f64,
    pub max: f64,
}

impl PowerLaw {
    /// Follower counts of ordinary accounts: α = 2 on [1, 5·10^8]: half
    /// have at most 1, one in a hundred more than 100, one in ten thousand
    /// more than 10 000.
    pub fn followers() -> Self {
        PowerLaw {
            min: 1.0,
            alpha: FOLLOWER_ALPHA,
            max: 5e8,
        }
    }

    pub fn sample(&self, rng: &mut Rng) -> f64 {
        let tail = (self.alpha - 1.0).max(1e-6);
        rng.pareto(self.min.max(f64::MIN_POSITIVE), tail)
            .min(self.max)
    }

    /// A whole count: the sample minus `min`, rounded down (so counts start
    /// at 0 when `min` is 1).
    pub fn sample_count(&self, rng: &mut Rng) -> u64 {
        (self.sample(rng) - self.min).max(0.0) as u64
    }

    /// P(X > x), before clamping.
    pub fn ccdf(&self, x: f64) -> f64 {
        if x <= self.min {
            1.0
        } else {
            (self.min / x).powf(self.alpha - 1.0)
        }
    }
}

/// A follower count from [`PowerLaw::followers`].
pub fn followers(rng: &mut Rng) -> u64 {
    PowerLaw::followers().sample_count(rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quality_has_mean_one_and_a_heavy_tail() {
        let mut rng = Rng::new(5, "quality");
        let n = 50_000;
        let mut q: Vec<f64> = (0..n)
            .map(|_| quality(&mut rng, DEFAULT_QUALITY_SIGMA))
            .collect();
        let mean = q.iter().sum::<f64>() / n as f64;
        assert!((mean - 1.0).abs() < 0.03, "{mean}");
        q.sort_by(f64::total_cmp);
        let median = q[n / 2];
        assert!((median - (-0.405f64).exp()).abs() < 0.03, "{median}");
        // The top 10 % of posts hold about a third of all reach.
        let top: f64 = q[n - n / 10..].iter().sum();
        let share = top / q.iter().sum::<f64>();
        assert!((0.30..0.40).contains(&share), "{share}");
    }

    #[test]
    fn lognormal_constructors() {
        let l = LogNormal::with_mean(10.0, 1.0);
        assert!((l.mean() - 10.0).abs() < 1e-9);
        let m = LogNormal::with_median(3.0, 0.5);
        assert!((m.median() - 3.0).abs() < 1e-12);
    }

    #[test]
    fn followers_are_power_law() {
        let p = PowerLaw::followers();
        let mut rng = Rng::new(9, "followers");
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| p.sample(&mut rng)).collect();
        for x in [10.0, 100.0, 1000.0] {
            let emp = xs.iter().filter(|&&v| v > x).count() as f64 / n as f64;
            let th = p.ccdf(x);
            assert!((emp / th - 1.0).abs() < 0.15, "{x}: {emp} vs {th}");
        }
        assert!(xs.iter().all(|&v| v >= 1.0 && v <= p.max));
        let counts: Vec<u64> = (0..1000).map(|_| followers(&mut rng)).collect();
        assert!(counts.iter().filter(|&&c| c == 0).count() > 400);
        assert!(counts.iter().any(|&c| c > 100));
    }
}
