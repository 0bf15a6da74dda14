//! How fast the X simulator produces events natively: one virtual day of a
//! large account, stepped minute by minute as the host steps it, measured
//! by [`diorama_sdk::kit::throughput`] (the same code the SDK's
//! `throughput` example runs on the other built-in platforms).
//!
//! ```text
//! cargo run --release -p diorama-x --example throughput
//! ```

use diorama_sdk::kit::throughput::{report, Case};
use diorama_x::X;

fn main() {
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
    let events: usize = runs.iter().map(|m| m.events).sum();
    let seconds: f64 = runs.iter().map(|m| m.seconds).sum();
    println!(
        "x: {events} events in {seconds:.2} s: {:.0} events/s",
        events as f64 / seconds.max(1e-9)
    );
}
