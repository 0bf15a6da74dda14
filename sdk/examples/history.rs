//! How fast the built-in platforms step a profile's past natively: 90
//! virtual days of a 100k creator, stepped in the host's history window
//! (an hour), as `POST /v1/profiles` with `history_days: 90` does, with the
//! events counted by type. Name platforms to measure only those.
//!
//! ```text
//! cargo run --release -p diorama-sdk --example history [youtube|instagram|tiktok]
//! ```

use std::collections::BTreeMap;
use std::time::Instant;

use diorama_instagram::Instagram;
use diorama_sdk::harness::Harness;
use diorama_sdk::kit::signals;
use diorama_sdk::{AccountConfig, Platform, DAY, HOUR};
use diorama_tiktok::TikTok;
use diorama_youtube::YouTube;

fn run<P: Platform>(name: &str, niche: &str, params: &str) -> f64 {
    let config = Harness::<P>::config(1, niche, params);
    let end = config.start;
    let mut from = end - 90 * DAY;
    let mut out = Vec::with_capacity(4096);
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let started = Instant::now();
    let mut state = P::init(&AccountConfig {
        start: from,
        ..config
    })
    .expect("init");
    if std::env::var_os("FINE").is_none() {
        let until = serde_json::json!({ "until": end });
        state.signal(from, signals::PAST, &until).expect("past");
    }
    while from < end {
        out.clear();
        state.step(from, from + HOUR, &mut out);
        for e in &out {
            let kind = match &e.payload {
                diorama_sdk::Payload::Metric(m) => format!("metric {}", m.name),
                _ => e.type_name().to_string(),
            };
            *kinds.entry(kind).or_default() += 1;
        }
        from += HOUR;
    }
    let seconds = started.elapsed().as_secs_f64();
    let total: usize = kinds.values().sum();
    println!(
        "{name}: {total} events in {:.0} ms  {kinds:?}",
        seconds * 1e3
    );
    seconds
}

fn main() {
    let asked: Vec<String> = std::env::args().skip(1).collect();
    let wants = |name: &str| asked.is_empty() || asked.iter().any(|a| a == name);
    let mut total = 0.0;
    if wants("youtube") {
        total += run::<YouTube>("youtube", "tech", r#"{"subscribers": 100000}"#);
    }
    if wants("instagram") {
        total += run::<Instagram>("instagram", "tech", r#"{"followers": 60000}"#);
    }
    if wants("tiktok") {
        total += run::<TikTok>("tiktok", "tech", r#"{"followers": 80000}"#);
    }
    println!("all: {:.0} ms", total * 1e3);
}
