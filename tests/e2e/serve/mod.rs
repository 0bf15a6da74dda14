//! `diorama serve` end to end: the real binary on a free port, driven over
//! HTTP by real clients (a blocking HTTP client, a server-sent events
//! reader and a webhook receiver on a plain TCP socket).
//!
//! Each test starts its own server on its own scratch data folder, at high
//! simulation speeds so minutes of virtual time pass in a second, and polls
//! with deadlines rather than sleeping. A server still running when a test
//! ends (or fails) is killed; a failing test prints the server's log.

mod action_limits;
mod actions;
mod bad_input;
mod caps;
mod control;
mod crash_drill;
mod delete;
mod delete_race;
mod faults;
mod funnel_stats;
mod health;
mod isolation;
mod live;
mod metrics_labels;
mod native;
mod native_credentials;
mod native_fuzz;
mod native_routing;
mod native_tiktok;
mod platform_hooks;
mod platform_knowledge;
mod ranges;
mod restart;
mod roles;
mod scenario_runs;
mod scheduled;
mod scripts;
mod stream;
mod sweeper;
mod webhook_targets;
mod webhooks;

mod receiver;
mod server;
mod sse;

pub use receiver::{Delivery, Receiver};
pub use server::{Profile, Resp, Server};
pub use sse::Sse;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The admin token every test server runs with.
pub const ADMIN: &str = "e2e-admin-token";

/// How long a test waits for something that should happen in about a
/// second before it fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Poll `check` every 50 ms until it gives a value; fail after `limit`
/// saying what was awaited.
pub fn wait_for<T>(what: &str, limit: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The value of an unlabelled Prometheus sample (`name value`).
pub fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// Checks that events are numbered 1..=N with no gap and no duplicate;
/// returns N.
pub fn assert_contiguous(events: &[Value], what: &str) -> u64 {
    for (i, e) in events.iter().enumerate() {
        let want = i as u64 + 1;
        assert_eq!(
            e["seq"].as_u64(),
            Some(want),
            "{what}: event #{i} should have seq {want}: {e}\n(seqs around it: {:?})",
            events[i.saturating_sub(3)..(i + 3).min(events.len())]
                .iter()
                .map(|e| e["seq"].clone())
                .collect::<Vec<_>>()
        );
    }
    events.len() as u64
}

/// Wall-clock unix seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}
