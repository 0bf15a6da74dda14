//! The load benchmark of `diorama serve`: the real binary on a free port,
//! driven over HTTP by a load client in this file. Prints, from one run:
//!
//! 1. listing interactions: one profile grown to 100,000 interactions and
//!    paused, then an open-loop load of `GET /v1/profiles/{id}/interactions`
//!    (2,000 requests/s for 10 s): half plain pages, a quarter negative
//!    comments, a quarter one content's interactions; each from the first
//!    page (one in five) or a random cursor across the range. Request `i` is
//!    due at `start + i / rate` and its latency counts from that instant, so
//!    a server falling behind shows as queueing (no coordinated omission).
//!    Client-side percentiles, then the server's own histogram.
//! 2. many live profiles: 1,000 profiles of a 100k creator on every platform
//!    at 60x, created one after the other, then left running for 60 s: event
//!    lateness (from the server's histogram, only what the window added),
//!    events per second, memory per profile, CPU, the busiest threads, and
//!    how long the clean shutdown (a snapshot of every profile) takes.
//! 3. many idle profiles: 50,000 profiles created and never started (they
//!    hold no plugin instance), by four clients at once: memory per profile.
//! 4. a platform's own API: the same read through TikTok's `video/list`
//!    and through `/v1`, under the load of part 1 (see `native.rs`).
//!
//! `cargo bench -p diorama --bench serve_load`
//!
//! Settings (environment):
//! - `DIORAMA_BENCH_PART`: `1`, `2`, `3`, `4` or `all` (default);
//! - `DIORAMA_BENCH_RATE` (2000), `DIORAMA_BENCH_SECONDS` (10),
//!   `DIORAMA_BENCH_INTERACTIONS` (100000), `DIORAMA_BENCH_IN_FLIGHT` (256);
//! - `DIORAMA_BENCH_PROFILES` (1000), `DIORAMA_BENCH_LIVE_SECONDS` (60),
//!   `DIORAMA_BENCH_PLATFORMS` (`all`, or `youtube` for YouTube only),
//!   `DIORAMA_BENCH_WORKERS` (the server's `--workers`; its default when unset);
//! - `DIORAMA_BENCH_SOAK=1`: part 2 runs 30 minutes (unless
//!   `DIORAMA_BENCH_LIVE_SECONDS` says otherwise) and prints memory every
//!   minute, to see whether it stays flat;
//! - `DIORAMA_BENCH_IDLE` (50000), `DIORAMA_BENCH_CLIENTS` (4): part 3.

mod client;
mod listing;
mod live;
mod native;
mod prometheus;
mod server;

use client::*;
use listing::*;
use live::*;
use native::*;
use prometheus::*;
use server::*;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::time::Instant;

pub(crate) const TOKEN: &str = "bench-admin-token";
pub(crate) const INTERACTIONS_ROUTE: &str = "route=\"/v1/profiles/{id}/interactions\"";
pub(crate) const LATENESS: &str = "diorama_event_lateness_seconds";
pub(crate) const REQUESTS: &str = "diorama_http_request_duration_seconds";

pub(crate) fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}: cannot read `{v}` as a number")),
        Err(_) => default,
    }
}

pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A fixed-seed xorshift64 generator: the request mix is the same every run.
pub(crate) struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn main() {
    let part = std::env::var("DIORAMA_BENCH_PART").unwrap_or_else(|_| "all".into());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the load client's runtime");
    println!("diorama serve load benchmark");
    println!();
    runtime.block_on(async {
        if part == "all" || part == "1" {
            part_listing().await;
        }
        if part == "all" || part == "2" {
            part_live().await;
        }
        if part == "all" || part == "3" {
            part_idle().await;
        }
        if part == "all" || part == "4" {
            part_native().await;
        }
    });
}
