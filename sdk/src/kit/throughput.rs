//! How fast a platform produces events natively, the same measuring for
//! every platform: [`report`] for a list of cases, [`measure`] for one run.
//! The SDK's `throughput` example runs it on the built-in platforms:
//!
//! ```text
//! cargo run --release -p diorama-sdk --example throughput [NAME …]
//! ```

use std::time::Instant;

use crate::harness::Harness;
use crate::platform::{snapshot, Platform};
use crate::types::{Millis, DAY, MINUTE};

/// One measured run.
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    pub events: usize,
    pub interactions: usize,
    /// Wall-clock seconds stepping (`init` included).
    pub seconds: f64,
    pub snapshot_bytes: usize,
    pub snapshot_seconds: f64,
}

impl Measured {
    pub fn events_per_second(&self) -> f64 {
        self.events as f64 / self.seconds.max(1e-9)
    }
}

/// One case of a throughput run: a label, the account's parameters and
/// the seeds to run it on.
#[derive(Clone, Debug)]
pub struct Case<'a> {
    pub label: &'a str,
    pub params: &'a str,
    pub seeds: std::ops::RangeInclusive<u64>,
}

/// Step `P` natively minute by minute over `duration` from the harness's
/// start (seed, niche, params as given), as the host steps it, counting the
/// events; then snapshot it.
pub fn measure<P: Platform>(
    seed: u64,
    niche: &str,
    params: &str,
    duration: Millis,
) -> Result<Measured, String> {
    let config = Harness::<P>::config(seed, niche, params);
    let started = Instant::now();
    let mut state = P::init(&config)?;
    let mut out = Vec::with_capacity(4096);
    let (mut events, mut interactions) = (0, 0);
    let mut from = config.start;
    while from < config.start + duration {
        out.clear();
        state.step(from, from + MINUTE, &mut out);
        events += out.len();
        interactions += out
            .iter()
            .filter(|e| e.type_name() == "interaction")
            .count();
        from += MINUTE;
    }
    let seconds = started.elapsed().as_secs_f64();
    let snap = Instant::now();
    let snapshot_bytes = snapshot(&state).len();
    Ok(Measured {
        events,
        interactions,
        seconds,
        snapshot_bytes,
        snapshot_seconds: snap.elapsed().as_secs_f64(),
    })
}

/// Measure one virtual day of every case on every seed and print a line
/// each: events, events/s, µs per event, snapshot size; returns the runs.
pub fn report<P: Platform>(niche: &str, cases: &[Case<'_>]) -> Vec<Measured> {
    let name = P::describe().name;
    let mut runs = Vec::new();
    for case in cases {
        for seed in case.seeds.clone() {
            match measure::<P>(seed, niche, case.params, DAY) {
                Ok(m) => {
                    println!(
                        "{name}, {}, seed {seed}: {} events ({} interactions) in {:.1} ms: {:.0} events/s, {:.2} µs/event; snapshot {} bytes in {:.1} ms",
                        case.label,
                        m.events,
                        m.interactions,
                        m.seconds * 1e3,
                        m.events_per_second(),
                        m.seconds * 1e6 / m.events.max(1) as f64,
                        m.snapshot_bytes,
                        m.snapshot_seconds * 1e3,
                    );
                    runs.push(m);
                }
                Err(e) => eprintln!("{name}, {}: {e}", case.label),
            }
        }
    }
    runs
}
