//! Shared building blocks for platform simulators. Every model is
//! deterministic: randomness comes only from a [`rng::Rng`] seeded at `init`.

pub mod rng;
pub mod time;
