//! How fast the YouTube simulator produces events natively: one virtual
//! day of a 20-million-subscriber channel, stepped minute by minute.
//!
//! ```text
//! cargo run --release -p diorama-youtube --example throughput
//! ```

use std::time::Instant;

use diorama_sdk::harness::Harness;
use diorama_sdk::{snapshot, Platform, DAY, MINUTE};
use diorama_youtube::YouTube;

fn run(label: &str, seed: u64, params: &str) {
    let config = Harness::<YouTube>::config(seed, "gaming", params);
    let started = Instant::now();
    let mut yt = match <YouTube as Platform>::init(&config) {
        Ok(yt) => yt,
        Err(e) => {
            eprintln!("{label}: {e}");
            return;
        }
    };
    let mut out = Vec::with_capacity(4096);
    let mut events = 0usize;
    let mut interactions = 0usize;
    let mut from = config.start;
    while from < config.start + DAY {
        out.clear();
        yt.step(from, from + MINUTE, &mut out);
        events += out.len();
        interactions += out
            .iter()
            .filter(|e| e.type_name() == "interaction")
            .count();
        from += MINUTE;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let snap = Instant::now();
    let bytes = snapshot(&yt).len();
    let snap_ms = snap.elapsed().as_secs_f64() * 1e3;
    println!(
        "{label}, seed {seed}: {events} events ({interactions} comments and replies) in {:.1} ms: {:.0} events/s, {:.2} µs/event; snapshot {bytes} bytes in {snap_ms:.1} ms",
        elapsed * 1e3,
        events as f64 / elapsed,
        elapsed * 1e6 / events.max(1) as f64,
    );
}

fn main() {
    for seed in 1..=3 {
        run(
            "20M subscribers, defaults",
            seed,
            r#"{"subscribers": 20000000}"#,
        );
    }
    run(
        "20M subscribers, comment_rate 0.2 (about a million events)",
        1,
        r#"{"subscribers": 20000000, "comment_rate": 0.2}"#,
    );
}
