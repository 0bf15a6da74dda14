//! The seeded generator every simulator draws from.
//!
//! The core is xoshiro256++ (Blackman and Vigna), seeded through SplitMix64:
//! a generator of excellent statistical quality for simulation, and fast
//! everywhere. ChaCha was the first choice, but inside a WebAssembly
//! component it runs without SIMD and cost a large share of a plugin's time;
//! nothing here needs a cryptographic generator.

use rand::{Rng as _, RngCore};
use serde::{Deserialize, Serialize};

/// xoshiro256++: 256 bits of state, period 2^256 − 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Xoshiro256pp {
    s: [u64; 4],
}

impl Xoshiro256pp {
    /// Expand a 64-bit seed into a full state with SplitMix64 (never all zero).
    fn from_seed(mut x: u64) -> Self {
        let mut s = [0u64; 4];
        for word in s.iter_mut() {
            x = x.wrapping_add(GOLDEN_GAMMA);
            *word = splitmix64_mix(x);
        }
        if s == [0; 4] {
            s[0] = 1;
        }
        Xoshiro256pp { s }
    }
}

impl RngCore for Xoshiro256pp {
    fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// A seeded generator whose state is part of the platform's serde state, so
/// a restored snapshot continues the same stream.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Rng {
    inner: Xoshiro256pp,
}

impl Rng {
    /// A generator for `seed`, separated by `stream` so two uses of one
    /// seed (e.g. two platforms of one profile) draw different numbers.
    pub fn new(seed: u64, stream: &str) -> Self {
        let mixed = seed ^ fnv1a(stream.as_bytes()).rotate_left(32);
        Rng {
            inner: Xoshiro256pp::from_seed(mixed),
        }
    }

    /// A uniform float in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.inner.random::<f64>()
    }

    /// A uniform integer in [0, n); 0 when n is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.inner.random_range(0..n)
        }
    }

    /// A uniform integer in [lo, hi].
    pub fn range_i64(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.inner.random_range(lo..=hi)
        }
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A random element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index drawn with the given weights (which need not sum to 1).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }

    /// A standard normal deviate (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(f64::MIN_POSITIVE);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// A log-normal deviate with the given parameters of the underlying normal.
    pub fn lognormal(&mut self, mu: f64, sigma: f64) -> f64 {
        (mu + sigma * self.normal()).exp()
    }

    /// An exponential deviate with the given rate.
    pub fn exponential(&mut self, rate: f64) -> f64 {
        -(1.0 - self.unit()).ln() / rate
    }

    /// A Poisson deviate with mean `lambda` (inversion for small means, a
    /// rounded normal approximation for large ones).
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 || !lambda.is_finite() {
            return 0;
        }
        if lambda < 30.0 {
            let l = (-lambda).exp();
            let mut k = 0u64;
            let mut p = 1.0;
            loop {
                p *= self.unit();
                if p <= l {
                    return k;
                }
                k += 1;
            }
        }
        let x = lambda + lambda.sqrt() * self.normal();
        x.round().max(0.0) as u64
    }

    /// A Pareto (power-law) deviate ≥ `min` with tail exponent `alpha`.
    pub fn pareto(&mut self, min: f64, alpha: f64) -> f64 {
        min / (1.0 - self.unit()).powf(1.0 / alpha)
    }

    /// Raw 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }
}

/// SplitMix64's increment: the odd constant its state advances by.
pub const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's finaliser: spreads every bit of `z` over all 64, so
/// values that differ in a few bits (a hash of similar short names, two
/// neighbouring numbers) come out unrelated.
pub fn splitmix64_mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a, for turning names into stream numbers.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoshiro_matches_the_reference_output() {
        // The reference implementation's first outputs for state {1, 2, 3, 4}.
        let mut x = Xoshiro256pp { s: [1, 2, 3, 4] };
        let got: Vec<u64> = (0..3).map(|_| x.next_u64()).collect();
        assert_eq!(got, [41_943_041, 58_720_359, 3_588_806_011_781_223]);
    }

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::new(7, "youtube");
        let mut b = Rng::new(7, "youtube");
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
    }

    #[test]
    fn streams_differ() {
        let mut a = Rng::new(7, "youtube");
        let mut b = Rng::new(7, "tiktok");
        assert_ne!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn serde_roundtrip_continues_stream() {
        let mut a = Rng::new(1, "x");
        a.next_u64();
        let json = serde_json::to_string(&a).unwrap();
        let mut b: Rng = serde_json::from_str(&json).unwrap();
        assert_eq!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn poisson_mean_is_close() {
        let mut r = Rng::new(3, "p");
        for lambda in [0.5, 4.0, 80.0] {
            let n = 20_000;
            let sum: u64 = (0..n).map(|_| r.poisson(lambda)).sum();
            let mean = sum as f64 / n as f64;
            assert!(
                (mean - lambda).abs() < lambda * 0.05 + 0.05,
                "{lambda}: {mean}"
            );
        }
    }
}
