//! Store throughput and query latency.
//!
//! `cargo bench -p diorama --bench store` prints:
//! - events/s appending 1,000,000 realistic events (mostly comments with
//!   authors and ~80-character text, some metric updates, a few videos) in
//!   calls of 1,000–10,000 events, indexes and aggregates included: each run
//!   and the median of `STORE_BENCH_REPEAT` runs (default 3), and the bytes
//!   stored per event;
//! - the same stream appended one event per call (first 100,000 events), as
//!   a baseline, and the ratio to the median;
//! - time per `interactions()` page of 50 on an owner with 100k
//!   interactions, for each kind of filter, and a few point reads.
//!
//! - `commit` (only when asked): the cost of making live windows durable
//!   before they are published: 200 owners append windows of 10 events,
//!   round after round, with no flush, with one group commit per round (as
//!   the server's publisher does) and with one commit per window.
//!
//! - `rest`: bytes per event at rest: the stream of the first figure
//!   appended into a fresh data folder, flushed and closed, then the
//!   folder's size (file lengths and allocated blocks) divided by the
//!   events, with what each tree holds;
//! - `live`: the same for live profiles: `STORE_BENCH_OWNERS` (300) YouTube
//!   simulators of a 100k creator, stepped natively one virtual minute per
//!   round for `STORE_BENCH_ROUNDS` (240) rounds, each owner appending its
//!   window and the round ending with a group commit, as `diorama serve`
//!   at 60x does in 4 minutes; every 15 rounds each owner checkpoints its
//!   plugin snapshot and live state (the server's default 15 s).
//!
//! Set `STORE_BENCH_EVENTS` to change the size of the first figure and
//! `STORE_BENCH_PARTS` (any of `blocks,single,queries,commit,rest,live`) to
//! run only some (default all but `commit`). `STORE_BENCH_CONFIGS` lists
//! the store configurations to compare in `blocks`, `rest` and `live`
//! (default `previous,default`; see `configs`), one after the other
//! within each repeat, so a busy machine slows them alike; `rest` and
//! `live` print where the bytes go (trees, and sled's files beyond them).

use std::time::{Duration, Instant};

use diorama::event::StoredEvent;
use diorama::store::{
    CountQuery, InteractionFilter, LogCompression, Options, Packing, RecordTree, Space, Store,
};
use diorama_sdk::harness::Harness;
use diorama_sdk::{Author, Content, Event, Interaction, Metric, Payload, MINUTE};

/// The allocator the `diorama` binary uses, so the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// xorshift64*: fixed seed, so every run appends the same stream.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn id(&mut self, len: usize) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        (0..len)
            .map(|_| A[self.below(64) as usize] as char)
            .collect()
    }
}

const WORDS: [&str; 24] = [
    "great", "video", "thanks", "for", "sharing", "this", "I", "tried", "it", "and", "it",
    "worked", "love", "the", "editing", "when", "is", "part", "two", "coming", "out", "so",
    "helpful", "honestly",
];

fn text(r: &mut Rng) -> String {
    let mut s = String::with_capacity(96);
    while s.len() < 60 + r.below(40) as usize {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(WORDS[r.below(WORDS.len() as u64) as usize]);
    }
    s
}

/// A creator's stream: a video every ~2,000 events, metric updates for
/// recent videos (~8 %), a few account metrics and DMs, the rest comments
/// and replies from a heavy-tailed pool of 20,000 viewers.
fn stream(owner: u64, n: usize) -> Vec<StoredEvent> {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let authors: Vec<Author> = (0..20_000)
        .map(|k| Author {
            id: format!("UC{}", r.id(22)),
            handle: format!("@viewer{k}"),
            display_name: format!("Viewer {k}"),
            avatar_url: format!(
                "https://yt3.ggpht.com/ytc/{}=s88-c-k-c0x00ffffff-no-rj",
                r.id(40)
            ),
            verified: r.below(50) == 0,
            followers: r.below(100_000),
        })
        .collect();
    let mut videos: Vec<String> = Vec::new();
    let mut views: Vec<i64> = Vec::new();
    let mut out = Vec::with_capacity(n);
    let mut at: i64 = 1_767_225_600_000;
    for seq in 1..=n as u64 {
        at += r.below(400) as i64;
        let roll = r.below(1000);
        let payload = if videos.is_empty() || roll < 1 {
            let id = r.id(11);
            videos.push(id.clone());
            views.push(0);
            Payload::Content(Content {
                url: format!("https://www.youtube.com/watch?v={id}"),
                id,
                kind: "video".into(),
                title: text(&mut r),
                text: format!("{} {}", text(&mut r), text(&mut r)),
            })
        } else if roll < 80 {
            let v = videos.len() - 1 - (r.below(videos.len().min(10) as u64) as usize);
            let delta = r.below(500) as i64;
            views[v] += delta;
            Payload::Metric(Metric {
                content_id: Some(videos[v].clone()),
                name: if roll.is_multiple_of(2) {
                    "views"
                } else {
                    "likes"
                }
                .into(),
                total: views[v],
                delta,
            })
        } else if roll < 82 {
            Payload::Metric(Metric {
                content_id: None,
                name: "subscribers".into(),
                total: 100_000 + seq as i64 / 100,
                delta: 1,
            })
        } else {
            // Heavy-tailed author choice: squaring a uniform favours the head.
            let u = r.below(1 << 20) as f64 / (1u64 << 20) as f64;
            let a = &authors[(u * u * authors.len() as f64) as usize];
            let dm = roll < 90;
            let v = videos.len() - 1 - (r.below(videos.len().min(5) as u64) as usize);
            let sentiment = match r.below(20) {
                0..=12 => "positive",
                13..=17 => "neutral",
                _ => "negative",
            };
            Payload::Interaction(Interaction {
                id: format!("Ugz{}", r.id(23)),
                kind: if dm {
                    "dm"
                } else if roll < 300 {
                    "reply"
                } else {
                    "comment"
                }
                .into(),
                content_id: (!dm).then(|| videos[v].clone()),
                parent_id: (90..300)
                    .contains(&roll)
                    .then(|| format!("Ugz{}", r.id(23))),
                author: a.clone(),
                text: text(&mut r),
                sentiment: (!dm).then(|| sentiment.into()),
                dm_type: dm.then(|| "fan".into()),
            })
        };
        out.push(StoredEvent {
            seq,
            profile: owner,
            platform: "youtube".into(),
            event: Event { at, payload },
        });
    }
    out
}

/// Appends `events` for owner 1 in calls of 1,000–10,000 and flushes:
/// (time appending, time flushing, calls).
fn append_in_blocks(
    store: &Store,
    events: &[StoredEvent],
) -> Result<(Duration, Duration, usize), Box<dyn std::error::Error>> {
    let sizes = [1000usize, 2500, 5000, 10_000, 4000, 1500];
    let start = Instant::now();
    let (mut i, mut calls) = (0, 0);
    while i < events.len() {
        let end = (i + sizes[calls % sizes.len()]).min(events.len());
        store.append(1, &events[i..end])?;
        i = end;
        calls += 1;
    }
    let appending = start.elapsed();
    store.flush()?;
    Ok((appending, start.elapsed() - appending, calls))
}

fn per_sec(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

/// Live windows appended by many owners, made durable three ways.
fn commit_costs() -> Result<(), Box<dyn std::error::Error>> {
    const OWNERS: u64 = 200;
    const WINDOW: usize = 10;
    let template = stream(1, WINDOW * 60);
    let window = |owner: u64, round: usize| -> Vec<StoredEvent> {
        let from = (round * WINDOW) % template.len();
        template[from..from + WINDOW]
            .iter()
            .enumerate()
            .map(|(k, e)| StoredEvent {
                seq: (round * WINDOW + k + 1) as u64,
                profile: owner,
                ..e.clone()
            })
            .collect()
    };
    let dir = tempfile::tempdir()?;
    // (label, rounds, commit after every window, commit after every round)
    let modes = [
        ("no flush", 50, false, false),
        ("group commit per round", 50, false, true),
        ("commit per window", 5, true, false),
    ];
    for (i, (label, rounds, per_window, per_round)) in modes.into_iter().enumerate() {
        let store = Store::open(&dir.path().join(format!("commit{i}")))?;
        let mut commits = 0u32;
        let mut flushing = Duration::ZERO;
        let start = Instant::now();
        for round in 0..rounds {
            for owner in 1..=OWNERS {
                store.append(owner, &window(owner, round))?;
                if per_window {
                    let t = Instant::now();
                    store.commit()?;
                    flushing += t.elapsed();
                    commits += 1;
                }
            }
            if per_round {
                let t = Instant::now();
                store.commit()?;
                flushing += t.elapsed();
                commits += 1;
            }
        }
        let total = start.elapsed();
        let n = rounds * OWNERS as usize * WINDOW;
        println!(
            "live windows, {label}: {:>9.0} events/s ({n} events, {} windows of {WINDOW}; {commits} commits, {:.2} ms each)",
            per_sec(n, total),
            rounds * OWNERS as usize,
            if commits > 0 {
                flushing.as_secs_f64() * 1e3 / commits as f64
            } else {
                0.0
            }
        );
    }
    Ok(())
}

/// Sum of file lengths and of allocated bytes under `dir`.
fn dir_size(dir: &std::path::Path) -> std::io::Result<(u64, u64)> {
    let (mut len, mut alloc) = (0u64, 0u64);
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_dir() {
            let (l, a) = dir_size(&entry.path())?;
            len += l;
            alloc += a;
        } else {
            len += meta.len();
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                alloc += meta.blocks() * 512;
            }
        }
    }
    Ok((len, alloc))
}

/// Prints the folder's size per event and the store's breakdown.
fn print_at_rest(
    label: &str,
    dir: &std::path::Path,
    space: &Space,
    events: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let (len, alloc) = dir_size(dir)?;
    let per = |b: u64| b as f64 / events.max(1) as f64;
    println!(
        "{label}: {:.0} B/event at rest ({events} events; folder {:.1} MiB in files, {:.1} MiB allocated = {:.0} B/event; sled size_on_disk {:.1} MiB; live keys and values {:.0} B/event)",
        per(len),
        len as f64 / 1048576.0,
        alloc as f64 / 1048576.0,
        per(alloc),
        space.size_on_disk as f64 / 1048576.0,
        per(space.live_bytes()),
    );
    // Where the bytes go, by what the trees hold.
    let tree = |names: &[&str]| -> u64 {
        space
            .trees
            .iter()
            .filter(|t| names.contains(&t.name.as_str()))
            .map(|t| t.key_bytes + t.value_bytes)
            .sum()
    };
    let blocks = tree(&["events"]);
    let indexes = tree(&["event_index"]);
    let snapshots = tree(&["snapshots"]);
    let live = tree(&["live", "journal"]);
    let records = tree(&["aggregates", "content", "content_order"]);
    let trees = space.live_bytes();
    let other = trees - blocks - indexes - snapshots - live - records;
    println!(
        "  per event: blocks {:.1} ({} packed, {} raw) + indexes {:.1} + snapshots {:.1} + live state and journal {:.1} + aggregates and content {:.1} + other {:.1} = trees {:.1}; sled's files beyond the trees {:+.1} (old versions not yet reclaimed, page headers; below zero when sled compresses its log)",
        per(blocks),
        space.packed_blocks,
        space.raw_blocks,
        per(indexes),
        per(snapshots),
        per(live),
        per(records),
        per(other),
        per(trees),
        (len as f64 - trees as f64) / events.max(1) as f64,
    );
    for t in &space.trees {
        if t.keys == 0 {
            continue;
        }
        println!(
            "  {:<16} {:>8} keys {:>10} B keys {:>12} B values  {:>7.1} B/event",
            t.name,
            t.keys,
            t.key_bytes,
            t.value_bytes,
            per(t.key_bytes + t.value_bytes)
        );
    }
    Ok(())
}

/// The store configurations to compare (`STORE_BENCH_CONFIGS`): `previous`
/// (as the build before packing wrote: raw blocks, sled's log at zstd 1),
/// `default` (what `Store::open` uses), or `BLOCKS:LOG`, each `off` or a
/// zstd level (`1:off` packs blocks at level 1 with an uncompressed log),
/// with `:seal` to seal small appends into packed blocks (`1:1:seal`).
fn configs() -> Result<Vec<Options>, Box<dyn std::error::Error>> {
    let list = std::env::var("STORE_BENCH_CONFIGS").unwrap_or_else(|_| "previous,default".into());
    let level = |w: &str| -> Result<Option<i32>, Box<dyn std::error::Error>> {
        match w {
            "off" => Ok(None),
            l => Ok(Some(l.parse().map_err(|_| {
                format!("STORE_BENCH_CONFIGS: `{l}` is neither `off` nor a zstd level")
            })?)),
        }
    };
    list.split(',')
        .map(|w| match w.trim() {
            "previous" => Ok(Options::PREVIOUS),
            "default" => Ok(Options::DEFAULT),
            spec => {
                let (pair, seal_tails) = match spec.strip_suffix(":seal") {
                    Some(p) => (p, true),
                    None => (spec, false),
                };
                let (b, l) = pair.split_once(':').ok_or_else(|| {
                    format!(
                        "STORE_BENCH_CONFIGS: `{pair}` is not `previous`, `default` or BLOCKS:LOG"
                    )
                })?;
                let packing = match level(b)? {
                    None => Packing::OFF,
                    Some(n) => Packing::zstd(n).ok_or_else(|| {
                        format!("STORE_BENCH_CONFIGS: block level {n} is not 1-19")
                    })?,
                };
                let log = match level(l)? {
                    None => LogCompression::OFF,
                    Some(n) => LogCompression::zstd(n)
                        .ok_or_else(|| format!("STORE_BENCH_CONFIGS: log level {n} is not 1-22"))?,
                };
                Ok(Options {
                    log,
                    packing,
                    seal_tails,
                })
            }
        })
        .collect()
}

/// `blocks zstd 1, log off`, with `(previous)`/`(default)` when it is one.
fn config_name(o: Options) -> String {
    let level = |l: Option<i32>| match l {
        Some(l) => format!("zstd {l}"),
        None => "off".into(),
    };
    let mut name = format!(
        "blocks {}, log {}",
        level(o.packing.level()),
        level(o.log.level())
    );
    if o.seal_tails {
        name.push_str(", tails sealed");
    }
    if o == Options::PREVIOUS {
        name.push_str(" (previous)");
    } else if o == Options::DEFAULT {
        name.push_str(" (default)");
    }
    name
}

/// Bytes per event at rest of the block-append stream.
fn at_rest(events: &[StoredEvent], options: Options) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("rest");
    let store = Store::open_with(&path, options)?;
    let (appending, flushing, _) = append_in_blocks(&store, events)?;
    let space = store.space()?;
    drop(store);
    print_at_rest(
        &format!(
            "at rest, {}, calls of 1,000-10,000 ({:.0} events/s)",
            config_name(options),
            per_sec(events.len(), appending + flushing)
        ),
        &path,
        &space,
        events.len() as u64,
    )
}

const LIVE_STATE: RecordTree = RecordTree::new("live");
const JOURNAL: RecordTree = RecordTree::new("journal");

/// Live profiles: windows of one virtual minute, a group commit per round,
/// a checkpoint (snapshot, state, journal dropped) every 15 rounds.
fn live_at_rest(options: Options) -> Result<(), Box<dyn std::error::Error>> {
    type Yt = Harness<diorama_youtube::YouTube>;
    let owners: u64 = std::env::var("STORE_BENCH_OWNERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let rounds: usize = std::env::var("STORE_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(240);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("live");
    let store = Store::open_with(&path, options)?;
    let mut sims = Vec::new();
    for owner in 1..=owners {
        let config = Yt::config(owner, "tech", r#"{"subscribers": 100000}"#);
        sims.push((owner, Yt::new(config)?, 1u64));
        store.put_profile(
            owner,
            &serde_json::json!({ "id": owner, "name": format!("creator {owner}") }),
        )?;
    }
    let (mut n, mut snapshot_bytes, mut snapshots) = (0u64, 0u64, 0u64);
    let mut stepping = Duration::ZERO;
    let start = Instant::now();
    for round in 0..rounds {
        for (owner, sim, next) in sims.iter_mut() {
            let t = Instant::now();
            let window = sim.advance(MINUTE);
            stepping += t.elapsed();
            let events: Vec<StoredEvent> = window
                .into_iter()
                .map(|event| {
                    *next += 1;
                    StoredEvent {
                        seq: *next - 1,
                        profile: *owner,
                        platform: "youtube".into(),
                        event,
                    }
                })
                .collect();
            n += events.len() as u64;
            store.append(*owner, &events)?;
            if round % 15 == 14 {
                let t = Instant::now();
                let snap = diorama_sdk::snapshot(sim.state());
                stepping += t.elapsed();
                snapshot_bytes += snap.len() as u64;
                snapshots += 1;
                let state = serde_json::to_vec(&serde_json::json!({
                    "status": "running", "speed": 60.0, "now": sim.now(),
                    "next_seq": *next, "window": MINUTE, "journal_next": 0,
                    "day": sim.now() / 86_400_000, "day_interactions": round * 3,
                }))?;
                store.checkpoint(
                    *owner,
                    &[("youtube".to_string(), snap)],
                    &[(LIVE_STATE, b"state", &state)],
                    &[(JOURNAL, b"0")],
                )?;
            }
        }
        store.commit()?;
    }
    let took = start.elapsed().saturating_sub(stepping);
    let space = store.space()?;
    drop(store);
    print_at_rest(
        &format!(
            "live, {}, {owners} owners x {rounds} windows ({:.0} events/s stored; snapshots {:.0} KiB on average)",
            config_name(options),
            per_sec(n as usize, took),
            snapshot_bytes as f64 / 1024.0 / snapshots.max(1) as f64
        ),
        &path,
        &space,
        n,
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::var("STORE_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    // Which parts to run: any of blocks, single, queries (default all).
    let parts = std::env::var("STORE_BENCH_PARTS")
        .unwrap_or_else(|_| "blocks,single,queries,rest,live".into());
    let run = |part: &str| parts.split(',').any(|p| p.trim() == part);
    if run("commit") {
        commit_costs()?;
    }
    let configs = configs()?;
    if run("live") {
        for &c in &configs {
            live_at_rest(c)?;
        }
    }
    let events = stream(1, n);
    let interactions = events
        .iter()
        .filter(|e| matches!(e.event.payload, Payload::Interaction(_)))
        .count();
    println!(
        "store bench: {n} events ({interactions} interactions), postcard size {:.0} B/event",
        events
            .iter()
            .map(|e| postcard::to_allocvec(&e.event)
                .map(|v| v.len())
                .unwrap_or(0))
            .sum::<usize>() as f64
            / n as f64
    );

    // 1. Block appends in calls of 1,000–10,000 events, into fresh stores;
    // the machine is shared, so each figure is the median of several runs.
    let repeat: usize = std::env::var("STORE_BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir()?;
    // Per configuration, its rates; the store's own (or the first asked)
    // fills `store` first: the queries below read it.
    let main = configs
        .iter()
        .position(|&c| c == Options::DEFAULT)
        .unwrap_or(0);
    let store = Store::open_with(&dir.path().join("blocks"), configs[main])?;
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); configs.len()];
    if run("blocks") {
        for r in 0..repeat.max(1) {
            for (k, &c) in configs.iter().enumerate() {
                let target = if r == 0 && k == main {
                    store.clone()
                } else {
                    Store::open_with(&dir.path().join(format!("blocks{r}-{k}")), c)?
                };
                let (appending, flushing, calls) = append_in_blocks(&target, &events)?;
                let rate = per_sec(n, appending + flushing);
                println!(
                    "block appends, {}:  {rate:>9.0} events/s  ({n} events in {calls} calls of 1,000-10,000: {:.2} s appending + {:.2} s flush)",
                    config_name(c),
                    appending.as_secs_f64(),
                    flushing.as_secs_f64()
                );
                rates[k].push(rate);
            }
        }
    }
    let mut blocks_rate = 0.0;
    for (k, rates) in rates.iter_mut().enumerate() {
        rates.sort_by(f64::total_cmp);
        let median = rates.get(rates.len() / 2).copied().unwrap_or(0.0);
        if k == main {
            blocks_rate = median;
        }
        if rates.len() > 1 {
            println!(
                "  {}: median {median:.0} events/s of {} runs (min {:.0}, max {:.0})",
                config_name(configs[k]),
                rates.len(),
                rates[0],
                rates[rates.len() - 1]
            );
        }
    }
    let st = store.owner_stats(1)?;
    if st.events > 0 {
        println!(
            "  stored: {} blocks, {:.0} B/event in blocks + {:.0} B/event of index",
            st.blocks,
            st.block_bytes as f64 / st.events as f64,
            st.index_bytes as f64 / st.events as f64
        );
    }

    if run("rest") {
        for &c in &configs {
            at_rest(&events, c)?;
        }
    }

    // 2. Single-event calls.
    let single_n = if run("single") { n.min(100_000) } else { 0 };
    if single_n > 0 {
        let store2 = Store::open(&dir.path().join("single"))?;
        let start = Instant::now();
        for e in &events[..single_n] {
            store2.append(1, std::slice::from_ref(e))?;
        }
        store2.flush()?;
        let single_rate = per_sec(single_n, start.elapsed());
        println!(
            "single appends: {:>9.0} events/s  ({single_n} calls of one event); blocks are {:.1}x faster",
            single_rate,
            blocks_rate / single_rate
        );
        drop(store2);
    }

    if !run("queries") {
        return Ok(());
    }
    // 3. Queries on an owner with 100k interactions.
    let mut cut = 0;
    let mut seen = 0;
    while cut < events.len() && seen < 100_000 {
        if matches!(events[cut].event.payload, Payload::Interaction(_)) {
            seen += 1;
        }
        cut += 1;
    }
    let owner2: Vec<StoredEvent> = events[..cut]
        .iter()
        .cloned()
        .map(|mut e| {
            e.profile = 2;
            e
        })
        .collect();
    for chunk in owner2.chunks(5000) {
        store.append(2, chunk)?;
    }
    let popular_video = store
        .contents(2, Some("youtube"), Some("video"))?
        .into_iter()
        .max_by_key(|c| c.interactions)
        .ok_or("no video")?;
    let author_of = |pick: usize| -> String {
        let mut ids: Vec<&str> = owner2
            .iter()
            .filter_map(|e| match &e.event.payload {
                Payload::Interaction(i) => Some(i.author.id.as_str()),
                _ => None,
            })
            .collect();
        ids.sort_unstable();
        let mut counts: Vec<(usize, &str)> = Vec::new();
        for id in ids {
            match counts.last_mut() {
                Some((c, last)) if *last == id => *c += 1,
                _ => counts.push((1, id)),
            }
        }
        counts.sort();
        counts[pick.min(counts.len() - 1)].1.to_string()
    };
    let busiest = author_of(usize::MAX);
    let rare = author_of(0);
    println!(
        "interactions() on an owner with {seen} interactions ({cut} events), page of 50, cursor walk:"
    );
    let video_name = format!(
        "content = most commented video ({} interactions)",
        popular_video.interactions
    );
    let filters: Vec<(&str, InteractionFilter)> = vec![
        ("no filter", InteractionFilter::default()),
        (
            "kind = comment, sentiment = negative",
            InteractionFilter {
                kind: Some("comment".into()),
                sentiment: Some("negative".into()),
                ..Default::default()
            },
        ),
        (
            &video_name,
            InteractionFilter {
                content_id: Some(popular_video.id.clone()),
                ..Default::default()
            },
        ),
        (
            "author = busiest viewer",
            InteractionFilter {
                author_id: Some(busiest),
                ..Default::default()
            },
        ),
        (
            "author = a one-comment viewer (scans every block index)",
            InteractionFilter {
                author_id: Some(rare),
                ..Default::default()
            },
        ),
        (
            "kind = dm",
            InteractionFilter {
                kind: Some("dm".into()),
                ..Default::default()
            },
        ),
    ];
    for (name, f) in &filters {
        let mut pages = 0usize;
        let mut got = 0usize;
        let mut cursor = None;
        let start = Instant::now();
        while pages < 200 {
            let page = store.interactions(2, f, cursor, 50)?;
            pages += 1;
            got += page.len();
            match page.last() {
                Some(e) if page.len() == 50 => cursor = Some(e.seq),
                _ => break,
            }
        }
        let per_page = start.elapsed() / pages as u32;
        println!("  {name:<58} {per_page:>10.1?}/page ({pages} pages, {got} results)");
    }
    let start = Instant::now();
    let reads = 10_000u64;
    let mut r = Rng(7);
    for _ in 0..reads {
        let seq = 1 + r.below(cut as u64);
        store.event(2, seq)?.ok_or("missing event")?;
    }
    println!(
        "  event(seq), random seqs: {:>10.1?}/read",
        start.elapsed() / reads as u32
    );
    let start = Instant::now();
    let q = CountQuery {
        kind: Some("comment".into()),
        sentiment: Some("negative".into()),
        ..Default::default()
    };
    let mut c = 0;
    for _ in 0..1000 {
        c = store.count(2, &q)?;
    }
    println!(
        "  count(kind = comment, sentiment = negative) = {c}: {:>10.1?}/query",
        start.elapsed() / 1000
    );
    let start = Instant::now();
    let latest = store.latest_content(2, Some("youtube"), Some("video"))?;
    println!(
        "  latest_content: {:?} ({:.1?})",
        latest.map(|c| (c.id, c.metrics.get("views").copied())),
        start.elapsed()
    );
    Ok(())
}
