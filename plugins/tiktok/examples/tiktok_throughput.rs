//! How fast the TikTok simulator produces events natively (one virtual
//! day of a large account, stepped minute by minute), and the median
//! engagement per video of a 100k account over ten days.
//!
//! ```text
//! cargo run --release -p diorama-tiktok --example tiktok_throughput
//! ```

use std::time::Instant;

use diorama_sdk::harness::Harness;
use diorama_sdk::{snapshot, Event, Payload, Platform, DAY, MINUTE};
use diorama_tiktok::TikTok;

fn run(label: &str, seed: u64, params: &str) {
    let config = Harness::<TikTok>::config(seed, "comedy", params);
    let started = Instant::now();
    let mut tt = match <TikTok as Platform>::init(&config) {
        Ok(tt) => tt,
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
        tt.step(from, from + MINUTE, &mut out);
        events += out.len();
        interactions += out
            .iter()
            .filter(|e| e.type_name() == "interaction")
            .count();
        from += MINUTE;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let bytes = snapshot(&tt).len();
    println!(
        "{label}, seed {seed}: {events} events ({interactions} interactions) in {:.1} ms: {:.0} events/s, {:.2} µs/event; snapshot {bytes} bytes",
        elapsed * 1e3,
        events as f64 / elapsed,
        elapsed * 1e6 / events.max(1) as f64,
    );
}

fn engagement(seed: u64) {
    let mut h = Harness::<TikTok>::new(Harness::<TikTok>::config(seed, "comedy", "{}"))
        .expect("defaults are valid");
    let events: Vec<Event> = h.advance(10 * DAY);
    let end = h.now();
    let mut ratios = Vec::new();
    for e in &events {
        let Payload::Content(c) = &e.payload else {
            continue;
        };
        if e.at > end - 5 * DAY {
            continue;
        }
        let last = |name: &str| {
            events
                .iter()
                .rev()
                .find_map(|e| match &e.payload {
                    Payload::Metric(m)
                        if m.name == name && m.content_id.as_deref() == Some(c.id.as_str()) =>
                    {
                        Some(m.total)
                    }
                    _ => None,
                })
                .unwrap_or(0)
        };
        ratios.push((last("likes") + last("comments") + last("shares")) as f64 / 1000.0);
    }
    ratios.sort_by(f64::total_cmp);
    if let Some(median) = ratios.get(ratios.len() / 2) {
        println!(
            "100k followers, seed {seed}: median engagement {median:.2} % over {} posts (min {:.2} %, max {:.2} %)",
            ratios.len(),
            ratios[0],
            ratios[ratios.len() - 1]
        );
    }
}

fn main() {
    for seed in 1..=3 {
        run(
            "20M followers, defaults",
            seed,
            r#"{"followers": 20000000}"#,
        );
    }
    run(
        "20M followers, comment_rate 0.03",
        1,
        r#"{"followers": 20000000, "comment_rate": 0.03}"#,
    );
    for seed in 1..=3 {
        engagement(seed);
    }
}
