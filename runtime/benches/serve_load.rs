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
//!
//! `cargo bench -p diorama --bench serve_load`
//!
//! Settings (environment):
//! - `DIORAMA_BENCH_PART`: `1`, `2` or `all` (default);
//! - `DIORAMA_BENCH_RATE` (2000), `DIORAMA_BENCH_SECONDS` (10),
//!   `DIORAMA_BENCH_INTERACTIONS` (100000), `DIORAMA_BENCH_IN_FLIGHT` (256);
//! - `DIORAMA_BENCH_PROFILES` (1000), `DIORAMA_BENCH_LIVE_SECONDS` (60),
//!   `DIORAMA_BENCH_PLATFORMS` (`all`, or `youtube` for YouTube only),
//!   `DIORAMA_BENCH_WORKERS` (the server's `--workers`; its default when unset).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::time::Instant;

const TOKEN: &str = "bench-admin-token";
const INTERACTIONS_ROUTE: &str = "route=\"/v1/profiles/{id}/interactions\"";
const LATENESS: &str = "diorama_event_lateness_seconds";
const REQUESTS: &str = "diorama_http_request_duration_seconds";

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}: cannot read `{v}` as a number")),
        Err(_) => default,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A fixed-seed xorshift64 generator: the request mix is the same every run.
struct XorShift(u64);

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

// ---------------------------------------------------------------------------
// The server process.

/// A running `diorama serve` on a free port, with its own data folder.
struct Server {
    child: Child,
    pid: u32,
    base: String,
    stderr: PathBuf,
    /// Kept open so the server's stdout never breaks.
    _stdout: BufReader<ChildStdout>,
    _data: tempfile::TempDir,
}

/// The compiled-component cache, shared with the end-to-end tests.
fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("component-cache")
}

impl Server {
    fn start(extra: &[String]) -> Server {
        let data = tempfile::tempdir().expect("a scratch folder for the server's data");
        let stderr = data.path().join("server-stderr.log");
        let log = std::fs::File::create(&stderr).expect("the server's stderr log");
        let db = data.path().join("db");
        let mut child = Command::new(env!("CARGO_BIN_EXE_diorama"))
            .arg("serve")
            .args(["--addr", "127.0.0.1:0", "--admin-token", TOKEN, "--data"])
            .arg(&db)
            .args(extra)
            .env("DIORAMA_CACHE_DIR", cache_dir())
            .env_remove("DIORAMA_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("the diorama binary starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        let read = stdout.read_line(&mut line).unwrap_or(0);
        let base = line
            .strip_prefix("diorama serve: listening on ")
            .and_then(|rest| rest.split(" (data:").next())
            .filter(|_| read > 0)
            .map(str::to_string)
            .unwrap_or_else(|| {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the server did not print its address; stdout: {line:?}; stderr:\n{}",
                    std::fs::read_to_string(&stderr).unwrap_or_default()
                )
            });
        Server {
            pid: child.id(),
            child,
            base,
            stderr,
            _stdout: stdout,
            _data: data,
        }
    }

    /// SIGTERM, then wait for the exit: the time it took and whether it
    /// stopped cleanly.
    fn stop(mut self) -> (Duration, bool) {
        let t = std::time::Instant::now();
        let sent = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .expect("`kill` runs");
        assert!(sent.success(), "kill -TERM {} failed", self.pid);
        let status = self.child.wait().expect("waiting for the server");
        let took = t.elapsed();
        let log = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let clean = status.success() && log.contains("diorama serve: stopped cleanly");
        if !clean {
            eprintln!("the server did not stop cleanly ({status}); stderr:\n{log}");
        }
        (took, clean)
    }
}

/// A server the benchmark started never outlives it: when a measurement
/// fails (a panic unwinds through here) the server is killed and reaped.
impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// ---------------------------------------------------------------------------
// What /proc says about the server.

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// utime + stime in clock ticks from a `stat` file.
fn stat_ticks(path: &str) -> u64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // Fields after the command name (which may hold spaces): state is the
    // first, utime and stime the 12th and 13th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    n(11) + n(12)
}

fn cpu_ticks(pid: u32) -> u64 {
    stat_ticks(&format!("/proc/{pid}/stat"))
}

fn ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// CPU ticks per thread, by thread id: (name, ticks).
fn thread_ticks(pid: u32) -> BTreeMap<u64, (String, u64)> {
    let mut out = BTreeMap::new();
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for entry in dir.flatten() {
        let Some(tid) = entry.file_name().to_str().and_then(|t| t.parse().ok()) else {
            continue;
        };
        let base = format!("/proc/{pid}/task/{tid}");
        let name = std::fs::read_to_string(format!("{base}/comm")).unwrap_or_default();
        out.insert(
            tid,
            (name.trim().to_string(), stat_ticks(&format!("{base}/stat"))),
        );
    }
    out
}

/// The busiest threads between two readings, grouped by name, as percent of
/// one core over `secs`.
fn busiest_threads(
    before: &BTreeMap<u64, (String, u64)>,
    after: &BTreeMap<u64, (String, u64)>,
    secs: f64,
) -> Vec<(String, usize, f64)> {
    let mut by_name: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    for (tid, (name, ticks)) in after {
        let was = before.get(tid).map_or(0, |(_, t)| *t);
        let e = by_name.entry(name.clone()).or_default();
        e.0 += 1;
        e.1 += ticks.saturating_sub(was);
    }
    let tck = ticks_per_second();
    let mut list: Vec<(String, usize, f64)> = by_name
        .into_iter()
        .map(|(name, (n, t))| (name, n, t as f64 / tck / secs * 100.0))
        .filter(|(_, _, pct)| *pct > 0.0)
        .collect();
    list.sort_by(|a, b| b.2.total_cmp(&a.2));
    list.truncate(6);
    list
}

fn print_threads(list: &[(String, usize, f64)]) {
    for (name, n, pct) in list {
        println!("    {name:<24} x{n:<4} {pct:>6.1} %");
    }
}

// ---------------------------------------------------------------------------
// Prometheus text.

/// The value of an unlabelled sample.
fn scalar(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

/// A histogram's cumulative buckets (bound, count), summed over every series
/// whose labels contain `labels` (empty: every series).
fn buckets(text: &str, name: &str, labels: &str) -> Vec<(f64, u64)> {
    let prefix = format!("{name}_bucket{{");
    let mut out: Vec<(f64, u64)> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(&prefix) else {
            continue;
        };
        let Some((inside, value)) = rest.rsplit_once("} ") else {
            continue;
        };
        if !inside.contains(labels) {
            continue;
        }
        let Some(le) = inside
            .split("le=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
        else {
            continue;
        };
        let bound = if le == "+Inf" {
            f64::INFINITY
        } else {
            le.parse().unwrap_or(f64::NAN)
        };
        let count: u64 = value.trim().parse().unwrap_or(0);
        match out.iter_mut().find(|(b, _)| *b == bound) {
            Some(slot) => slot.1 += count,
            None => out.push((bound, count)),
        }
    }
    out
}

/// What the histogram gained between two readings.
fn delta(after: &[(f64, u64)], before: &[(f64, u64)]) -> Vec<(f64, u64)> {
    after
        .iter()
        .map(|(b, n)| {
            let was = before.iter().find(|(bb, _)| bb == b).map_or(0, |(_, c)| *c);
            (*b, n.saturating_sub(was))
        })
        .collect()
}

fn total(h: &[(f64, u64)]) -> u64 {
    h.last().map_or(0, |(_, n)| *n)
}

/// The smallest bucket bound holding at least `q` of the observations.
fn quantile_bound(h: &[(f64, u64)], q: f64) -> Option<f64> {
    let n = total(h);
    if n == 0 {
        return None;
    }
    let want = ((q * n as f64).ceil() as u64).max(1);
    h.iter().find(|(_, c)| *c >= want).map(|(b, _)| *b)
}

/// The bound of the highest non-empty bucket.
fn worst_bucket(h: &[(f64, u64)]) -> Option<f64> {
    let mut below = 0;
    let mut worst = None;
    for (b, c) in h {
        if *c > below {
            worst = Some(*b);
        }
        below = *c;
    }
    worst
}

fn fmt_bound(b: Option<f64>) -> String {
    match b {
        None => "-".into(),
        Some(b) if b.is_infinite() => "> 10 s".into(),
        Some(b) => format!("<= {:.1} ms", b * 1e3),
    }
}

// ---------------------------------------------------------------------------
// The HTTP client.

#[derive(Clone)]
struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    fn new(base: &str, pool: usize) -> Api {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(pool)
            .tcp_nodelay(true)
            .timeout(Duration::from_secs(60))
            .build()
            .expect("an HTTP client");
        Api {
            client,
            base: base.to_string(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn get(&self, path: &str) -> Value {
        let res = self
            .client
            .get(self.url(path))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        assert_eq!(status, 200, "GET {path}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {path}: not JSON ({e})"))
    }

    async fn post(&self, path: &str, body: &Value, want: u16) -> Value {
        let res = self
            .client
            .post(self.url(path))
            .bearer_auth(TOKEN)
            .json(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        assert_eq!(status, want, "POST {path} {body}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("POST {path}: not JSON ({e})"))
    }

    async fn metrics(&self) -> String {
        let res = self
            .client
            .get(self.url("/metrics"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("GET /metrics");
        assert_eq!(res.status(), 200, "GET /metrics");
        res.text().await.expect("the metrics text")
    }
}

// ---------------------------------------------------------------------------
// Part 1: listing interactions under an open-loop load.

/// Every interaction of a profile, page by page: (count, largest seq, pages).
async fn walk_interactions(api: &Api, id: &str) -> (u64, u64, u64) {
    let (mut count, mut last, mut pages) = (0u64, 0u64, 0u64);
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/v1/profiles/{id}/interactions?limit=1000&after={a}"),
            None => format!("/v1/profiles/{id}/interactions?limit=1000"),
        };
        let page = api.get(&path).await;
        pages += 1;
        let items = page["items"].as_array().map_or(&[][..], |v| v.as_slice());
        count += items.len() as u64;
        if let Some(seq) = items.last().and_then(|e| e["seq"].as_u64()) {
            last = seq;
        }
        if page["has_more"] != true {
            return (count, last, pages);
        }
        after = page["next"].as_str().map(str::to_string);
    }
}

/// Grow one profile to at least `target` interactions, then pause it:
/// (id, interactions, largest seq).
async fn grow_profile(api: &Api, target: u64) -> (String, u64, u64) {
    let created = api
        .post(
            "/v1/profiles",
            &json!({
                "name": "load",
                "platforms": {"youtube": {"audience": 5_000_000, "comment_volume": "viral"}},
                "speed": 100_000,
                "limits": {"interactions_per_day": 100_000_000u64},
            }),
            201,
        )
        .await;
    let id = created["id"]
        .as_str()
        .expect("the profile's id")
        .to_string();
    let t = std::time::Instant::now();
    let mut want_events = target + target / 10;
    loop {
        loop {
            let view = api.get(&format!("/v1/profiles/{id}")).await;
            let events = view["events"].as_u64().unwrap_or(0);
            if events >= want_events {
                break;
            }
            let status = view["status"].as_str().unwrap_or("");
            assert_eq!(status, "running", "profile {id} stopped growing: {view}");
            assert!(
                t.elapsed() < Duration::from_secs(600),
                "profile {id} has {events} events after 10 minutes (wanted {want_events})"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        api.post(&format!("/v1/profiles/{id}/pause"), &json!({}), 200)
            .await;
        let (count, last, _) = walk_interactions(api, &id).await;
        if count >= target {
            return (id, count, last);
        }
        want_events += (target - count) + target / 10;
        api.post(&format!("/v1/profiles/{id}/resume"), &json!({}), 200)
            .await;
    }
}

/// One request of the mix.
fn mixed_path(rng: &mut XorShift, id: &str, last_seq: u64, contents: &[String]) -> String {
    let mut path = format!("/v1/profiles/{id}/interactions?limit=50");
    match rng.below(4) {
        0 | 1 => {}
        2 => path.push_str("&kind=comment&sentiment=negative"),
        _ => {
            let c = &contents[rng.below(contents.len() as u64) as usize];
            path.push_str(&format!("&content={c}"));
        }
    }
    if rng.below(5) != 0 {
        path.push_str(&format!("&after={}", rng.below(last_seq + 1)));
    }
    path
}

struct LoadResult {
    /// In due order.
    latencies: Vec<Duration>,
    errors: u64,
    first_error: Option<String>,
    elapsed: Duration,
    /// Requests the in-flight cap held back past their due time.
    held_back: u64,
}

/// Send `paths` open loop at `rate` per second, at most `in_flight` at once;
/// each latency counts from the request's due time.
async fn open_loop(api: &Api, paths: Vec<String>, rate: f64, in_flight: usize) -> LoadResult {
    let gate = Arc::new(tokio::sync::Semaphore::new(in_flight));
    let start = Instant::now() + Duration::from_millis(50);
    let mut tasks = Vec::with_capacity(paths.len());
    let mut held_back = 0;
    for (i, path) in paths.into_iter().enumerate() {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due).await;
        let permit = match gate.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                held_back += 1;
                gate.clone()
                    .acquire_owned()
                    .await
                    .expect("the gate stays open")
            }
        };
        let request = api.client.get(api.url(&path)).bearer_auth(TOKEN);
        tasks.push(tokio::spawn(async move {
            let outcome = match request.send().await {
                Ok(res) => {
                    let status = res.status();
                    match res.bytes().await {
                        Ok(_) if status == 200 => Ok(()),
                        Ok(body) => Err(format!(
                            "{status}: {}",
                            String::from_utf8_lossy(&body[..body.len().min(200)])
                        )),
                        Err(e) => Err(format!("{status}, body: {e}")),
                    }
                }
                Err(e) => Err(e.to_string()),
            };
            drop(permit);
            (due.elapsed(), outcome.err().map(|e| format!("{path}: {e}")))
        }));
    }
    let mut latencies = Vec::with_capacity(tasks.len());
    let mut errors = 0;
    let mut first_error = None;
    for t in tasks {
        let (latency, err) = t.await.expect("a request task");
        latencies.push(latency);
        if let Some(e) = err {
            errors += 1;
            first_error.get_or_insert(e);
        }
    }
    LoadResult {
        latencies,
        errors,
        first_error,
        elapsed: start.elapsed(),
        held_back,
    }
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

async fn part_listing() {
    let rate: f64 = setting("DIORAMA_BENCH_RATE", 2_000.0);
    let seconds: f64 = setting("DIORAMA_BENCH_SECONDS", 10.0);
    let target: u64 = setting("DIORAMA_BENCH_INTERACTIONS", 100_000);
    let in_flight: usize = setting("DIORAMA_BENCH_IN_FLIGHT", 256);
    let server = Server::start(&[]);
    let api = Api::new(&server.base, in_flight);

    let t = std::time::Instant::now();
    let (id, interactions, last_seq) = grow_profile(&api, target).await;
    let grow = t.elapsed();
    let t = std::time::Instant::now();
    let (_, _, pages) = walk_interactions(&api, &id).await;
    let walk = t.elapsed();
    let contents: Vec<String> = api
        .get(&format!("/v1/profiles/{id}/contents?limit=1000"))
        .await["items"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|c| c["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    assert!(!contents.is_empty(), "profile {id} published no content");

    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let n = (rate * seconds).round() as usize;
    let paths: Vec<String> = (0..n)
        .map(|_| mixed_path(&mut rng, &id, last_seq, &contents))
        .collect();
    let m0 = api.metrics().await;
    let threads0 = thread_ticks(server.pid);
    let cpu0 = cpu_ticks(server.pid);
    let result = open_loop(&api, paths, rate, in_flight).await;
    let secs = result.elapsed.as_secs_f64();
    let cpu = (cpu_ticks(server.pid) - cpu0) as f64 / ticks_per_second() / secs * 100.0;
    let threads = busiest_threads(&threads0, &thread_ticks(server.pid), secs);
    let m1 = api.metrics().await;
    let rss = rss_kib(server.pid);
    let (shutdown, clean) = server.stop();

    let mut sorted = result.latencies.clone();
    sorted.sort();
    let served = delta(
        &buckets(&m1, REQUESTS, INTERACTIONS_ROUTE),
        &buckets(&m0, REQUESTS, INTERACTIONS_ROUTE),
    );
    println!("1. listing interactions (one paused YouTube profile, 5M audience, viral comments)");
    println!(
        "  data                  {interactions} interactions (last seq {last_seq}), {} contents; grown in {:.1} s",
        contents.len(),
        grow.as_secs_f64()
    );
    println!(
        "  full walk             {pages} pages of 1000 in {:.1} ms",
        ms(walk)
    );
    println!("  open-loop load        target {rate:.0} req/s for {seconds:.0} s, at most {in_flight} in flight");
    println!(
        "                        mix: 50% plain, 25% kind=comment&sentiment=negative, 25% content=<one of {}>; 80% from a random cursor",
        contents.len()
    );
    println!(
        "  sent                  {} requests in {:.2} s: {:.0} req/s achieved",
        sorted.len(),
        secs,
        sorted.len() as f64 / secs
    );
    println!(
        "  errors                {}{}",
        result.errors,
        result
            .first_error
            .map(|e| format!("   (first: {e})"))
            .unwrap_or_default()
    );
    println!(
        "  held back             {} requests waited for a free slot",
        result.held_back
    );
    println!(
        "  latency from due time p50 {:.2} ms   p90 {:.2} ms   p99 {:.2} ms   max {:.2} ms   (aim: p99 < 10 ms)",
        ms(percentile(&sorted, 0.50)),
        ms(percentile(&sorted, 0.90)),
        ms(percentile(&sorted, 0.99)),
        ms(percentile(&sorted, 1.0)),
    );
    let per_second: Vec<String> = result
        .latencies
        .chunks((rate.round() as usize).max(1))
        .map(|c| {
            let mut c = c.to_vec();
            c.sort();
            format!("{:.1}", ms(percentile(&c, 0.99)))
        })
        .collect();
    println!("  p99 second by second  {} ms", per_second.join(" "));
    println!(
        "  server's histogram    {} requests on /v1/profiles/{{id}}/interactions; p50 {}, p99 {}",
        total(&served),
        fmt_bound(quantile_bound(&served, 0.50)),
        fmt_bound(quantile_bound(&served, 0.99)),
    );
    println!(
        "  server                {cpu:.0} % CPU (of one core), RSS {:.1} MiB; busiest threads:",
        rss as f64 / 1024.0
    );
    print_threads(&threads);
    println!(
        "  shutdown              {:.1} ms{}",
        ms(shutdown),
        if clean { "" } else { "   NOT CLEAN" }
    );
    println!();
}

// ---------------------------------------------------------------------------
// Part 2: many live profiles at 60x.

async fn part_live() {
    let n: usize = setting("DIORAMA_BENCH_PROFILES", 1_000);
    let live_secs: u64 = setting("DIORAMA_BENCH_LIVE_SECONDS", 60);
    let which = std::env::var("DIORAMA_BENCH_PLATFORMS").unwrap_or_else(|_| "all".into());
    let workers: Option<usize> = std::env::var("DIORAMA_BENCH_WORKERS")
        .ok()
        .map(|w| w.parse().expect("DIORAMA_BENCH_WORKERS: a number"));
    let mut body = json!({ "size": 100_000, "speed": 60 });
    match which.as_str() {
        "all" => {}
        "youtube" => body["platforms"] = json!(["youtube"]),
        other => panic!("DIORAMA_BENCH_PLATFORMS: `all` or `youtube`, got `{other}`"),
    }
    let mut args = vec!["--max-live".to_string(), n.max(1_000).to_string()];
    if let Some(w) = workers {
        args.extend(["--workers".to_string(), w.to_string()]);
    }
    let server = Server::start(&args);
    let api = Api::new(&server.base, 8);
    let pid = server.pid;
    let tck = ticks_per_second();

    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = rss_kib(pid);
    let t = std::time::Instant::now();
    let mut slowest = Duration::ZERO;
    for _ in 0..n {
        let one = std::time::Instant::now();
        api.post("/v1/profiles", &body, 201).await;
        slowest = slowest.max(one.elapsed());
    }
    let create = t.elapsed();
    let rss_created = rss_kib(pid);

    let m0 = api.metrics().await;
    let cpu0 = cpu_ticks(pid);
    let threads0 = thread_ticks(pid);
    let t0 = std::time::Instant::now();
    println!(
        "2. {n} live profiles at 60x ({}), created in {:.2} s; running for {live_secs} s",
        if which == "all" {
            "YouTube, Instagram, TikTok"
        } else {
            "YouTube only"
        },
        create.as_secs_f64()
    );
    let (mut last_cpu, mut last_t, mut last_events) =
        (cpu0, t0, scalar(&m0, "diorama_events_generated_total"));
    while t0.elapsed() < Duration::from_secs(live_secs) {
        let left = Duration::from_secs(live_secs).saturating_sub(t0.elapsed());
        tokio::time::sleep(left.min(Duration::from_secs(10))).await;
        let m = api.metrics().await;
        let (cpu, now) = (cpu_ticks(pid), std::time::Instant::now());
        let events = scalar(&m, "diorama_events_generated_total");
        let dt = now.duration_since(last_t).as_secs_f64();
        println!(
            "  at {:>3.0} s: {:>5.0} % CPU, {:>7.0} events/s, RSS {:.0} MiB, live {}",
            t0.elapsed().as_secs_f64(),
            (cpu - last_cpu) as f64 / tck / dt * 100.0,
            (events - last_events) / dt,
            rss_kib(pid) as f64 / 1024.0,
            scalar(&m, "diorama_live_profiles"),
        );
        (last_cpu, last_t, last_events) = (cpu, now, events);
    }
    let m1 = api.metrics().await;
    let secs = t0.elapsed().as_secs_f64();
    let cpu = (cpu_ticks(pid) - cpu0) as f64 / tck / secs * 100.0;
    let threads = busiest_threads(&threads0, &thread_ticks(pid), secs);
    let rss_end = rss_kib(pid);
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for p in api.get("/v1/profiles").await["profiles"]
        .as_array()
        .map_or(&[][..], |v| v.as_slice())
    {
        *statuses
            .entry(p["status"].as_str().unwrap_or("?").to_string())
            .or_default() += 1;
    }
    let (shutdown, clean) = server.stop();

    let late = delta(&buckets(&m1, LATENESS, ""), &buckets(&m0, LATENESS, ""));
    let events = scalar(&m1, "diorama_events_generated_total")
        - scalar(&m0, "diorama_events_generated_total");
    let worst = worst_bucket(&late);
    let per_profile = |after: u64| (after.saturating_sub(rss_before)) as f64 / n.max(1) as f64;
    println!(
        "  creating              {:.2} ms per profile (slowest {:.1} ms)",
        ms(create) / n.max(1) as f64,
        ms(slowest)
    );
    println!(
        "  statuses at the end   {}",
        statuses
            .iter()
            .map(|(s, c)| format!("{s} {c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  events                {events:.0} in {secs:.1} s: {:.0} events/s",
        events / secs
    );
    println!(
        "  event lateness        {} events; p50 {}, p90 {}, p99 {}, worst bucket {}   (aim: p99 < 100 ms)",
        total(&late),
        fmt_bound(quantile_bound(&late, 0.50)),
        fmt_bound(quantile_bound(&late, 0.90)),
        fmt_bound(quantile_bound(&late, 0.99)),
        fmt_bound(worst),
    );
    println!(
        "  memory (RSS)          {:.1} MiB before, {:.1} MiB once created, {:.1} MiB at the end",
        rss_before as f64 / 1024.0,
        rss_created as f64 / 1024.0,
        rss_end as f64 / 1024.0
    );
    println!(
        "  per profile           {:.0} KiB once created, {:.0} KiB at the end",
        per_profile(rss_created),
        per_profile(rss_end)
    );
    println!("  CPU                   {cpu:.0} % of one core over the window; busiest threads:");
    print_threads(&threads);
    println!(
        "  clean shutdown        {:.2} s (snapshots every profile){}",
        shutdown.as_secs_f64(),
        if clean { "" } else { "   NOT CLEAN" }
    );
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
    });
}
