//! How fast the built-in platforms produce events natively: one virtual
//! day of a large account, stepped minute by minute as the host steps it,
//! measured by [`diorama_sdk::kit::throughput`] (the same code for every
//! platform). Name platforms to measure only those.
//!
//! ```text
//! cargo run --release -p diorama-sdk --example throughput [youtube|instagram|tiktok|x …]
//! ```

use diorama_instagram::Instagram;
use diorama_sdk::kit::throughput::{report, Case, Measured};
use diorama_tiktok::TikTok;
use diorama_x::X;
use diorama_youtube::YouTube;

/// A case on seeds 1 to 3, and a chattier one on seed 1.
fn cases<'a>(audience: &'a str, chatty: &'a str) -> [Case<'a>; 2] {
    [
        Case {
            label: "defaults",
            params: audience,
            seeds: 1..=3,
        },
        Case {
            label: "a high comment rate",
            params: chatty,
            seeds: 1..=1,
        },
    ]
}

fn main() {
    let asked: Vec<String> = std::env::args().skip(1).collect();
    let wants = |name: &str| asked.is_empty() || asked.iter().any(|a| a == name);
    let mut summary: Vec<(&str, Vec<Measured>)> = Vec::new();
    if wants("youtube") {
        let runs = report::<YouTube>(
            "gaming",
            &cases(
                r#"{"subscribers": 20000000}"#,
                r#"{"subscribers": 20000000, "comment_rate": 0.2}"#,
            ),
        );
        summary.push(("youtube", runs));
    }
    if wants("instagram") {
        let runs = report::<Instagram>(
            "beauty",
            &cases(
                r#"{"followers": 20000000}"#,
                r#"{"followers": 20000000, "comment_rate": 0.05}"#,
            ),
        );
        summary.push(("instagram", runs));
    }
    if wants("tiktok") {
        let runs = report::<TikTok>(
            "comedy",
            &cases(
                r#"{"followers": 20000000}"#,
                r#"{"followers": 20000000, "comment_rate": 0.03}"#,
            ),
        );
        summary.push(("tiktok", runs));
    }
    if wants("x") {
        let runs = report::<X>(
            "tech",
            &[
                Case {
                    label: "defaults",
                    params: r#"{"followers": 20000000}"#,
                    seeds: 1..=3,
                },
                Case {
                    label: "a high reply rate",
                    params: r#"{"followers": 20000000, "reply_rate": 0.02}"#,
                    seeds: 1..=1,
                },
            ],
        );
        summary.push(("x", runs));
    }
    if summary.is_empty() {
        eprintln!("unknown platform among {asked:?}: youtube, instagram, tiktok or x");
        std::process::exit(2);
    }
    for (name, runs) in summary {
        let events: usize = runs.iter().map(|m| m.events).sum();
        let seconds: f64 = runs.iter().map(|m| m.seconds).sum();
        println!(
            "{name}: {events} events in {:.2} s over {} runs: {:.0} events/s",
            seconds,
            runs.len(),
            events as f64 / seconds.max(1e-9)
        );
    }
}
