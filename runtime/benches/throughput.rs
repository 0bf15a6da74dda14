//! The foundation benchmark. Prints, from one run:
//!
//! 1. events per second through the component boundary, the same YouTube
//!    simulator built natively in the same run, and their ratio;
//! 2. end-to-end events per second of a run persisted to sled (about a
//!    million events);
//! 3. compile time, load time from the compiled-component cache, and
//!    instantiation time.
//!
//! `cargo bench -p diorama --bench throughput`

use std::sync::Arc;
use std::time::{Duration, Instant};

use diorama::engine::{RunSettings, Simulation};
use diorama::plugin::{HostOptions, PluginHost};
use diorama::store::Store;
use diorama_sdk::harness::Harness;
use diorama_sdk::{AccountConfig, Event, DAY, MINUTE};
use diorama_youtube::YouTube;

const WINDOW: i64 = MINUTE;

fn config(subscribers: u64) -> AccountConfig {
    AccountConfig {
        profile: "bench".into(),
        niche: "tech".into(),
        seed: 42,
        start: 1_767_571_200_000,
        timezone: "UTC".into(),
        params: format!("{{\"subscribers\": {subscribers}}}"),
    }
}

fn rate(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

fn fmt_rate(r: f64) -> String {
    if r >= 1e6 {
        format!("{:.2} M events/s", r / 1e6)
    } else {
        format!("{:.0} k events/s", r / 1e3)
    }
}

fn host(cache: &std::path::Path) -> PluginHost {
    let mut host = PluginHost::new(HostOptions {
        cache_dir: Some(cache.to_path_buf()),
        ..Default::default()
    })
    .expect("plugin host");
    host.load_builtin().expect("built-in plugins");
    host
}

fn main() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let cache = scratch.path().join("cache");
    let subscribers = 20_000_000;
    let span = DAY;

    // 3. Compile, cache load, instantiate.
    let t = Instant::now();
    let cold = host(&cache);
    let compile = t.elapsed();
    drop(cold);
    let t = Instant::now();
    let warm = host(&cache);
    let load = t.elapsed();
    let n_inst = 500;
    let small = config(1_000);
    let t = Instant::now();
    for _ in 0..n_inst {
        let i = warm.instantiate("youtube", &small).expect("instantiate");
        std::hint::black_box(i);
    }
    let per_instance = t.elapsed() / n_inst;

    // 1. Native versus component, same plugin, same windows.
    let mut native = Harness::<YouTube>::new(config(subscribers))
        .expect("native init")
        .with_window(WINDOW);
    let mut buf: Vec<Event> = Vec::new();
    let t = Instant::now();
    native.advance_into(span, &mut buf);
    let native_time = t.elapsed();
    let native_events = buf.len() as u64;
    drop(buf);

    let mut inst = warm
        .instantiate("youtube", &config(subscribers))
        .expect("component init");
    let start = config(subscribers).start;
    let mut component_events = 0u64;
    let t = Instant::now();
    let mut now = start;
    while now < start + span {
        let events = inst.step(now, now + WINDOW).expect("step");
        component_events += events.len() as u64;
        now += WINDOW;
    }
    let component_time = t.elapsed();
    assert_eq!(
        native_events, component_events,
        "the native and component builds must produce the same events"
    );

    // 2. End to end: the engine, the component, the merge, sled.
    let store = Store::open(&scratch.path().join("data")).expect("store");
    let mut sim = Simulation::new(
        Arc::new(warm),
        store,
        RunSettings::default(),
        Vec::new(),
    );
    let mut platforms = std::collections::BTreeMap::new();
    platforms.insert(
        "youtube".to_string(),
        serde_json::json!({ "subscribers": subscribers }),
    );
    sim.add_profile(
        diorama::engine::ProfileSpec {
            name: "bench".into(),
            niche: "tech".into(),
            timezone: "UTC".into(),
            platforms,
        },
        serde_json::json!({}),
    )
    .expect("profile");
    let t = Instant::now();
    sim.advance(span, |_, _| {}).expect("advance");
    sim.finish().expect("finish");
    let e2e_time = t.elapsed();
    let e2e_events = sim.total_events();

    let native_rate = rate(native_events, native_time);
    let component_rate = rate(component_events, component_time);
    let e2e_rate = rate(e2e_events, e2e_time);
    println!("diorama foundation benchmark (YouTube, {subscribers} subscribers, 1 virtual day, 1-minute windows)");
    println!();
    println!("plugin boundary ({native_events} events)");
    println!("  native build          {:>10.1} ms   {}", native_time.as_secs_f64() * 1e3, fmt_rate(native_rate));
    println!("  component (wasmtime)  {:>10.1} ms   {}", component_time.as_secs_f64() * 1e3, fmt_rate(component_rate));
    println!("  component / native    {:>10.2}x slower   (aim: within 2x)", native_rate / component_rate);
    println!();
    println!("end to end, persisted to sled ({e2e_events} events)");
    println!("  run                   {:>10.1} ms   {}   (aim: >= 300 k events/s)", e2e_time.as_secs_f64() * 1e3, fmt_rate(e2e_rate));
    println!();
    println!("plugin loading");
    println!("  compile (cold cache)  {:>10.1} ms", compile.as_secs_f64() * 1e3);
    println!("  load from cache       {:>10.1} ms", load.as_secs_f64() * 1e3);
    println!("  instantiate + init    {:>10.1} us   (mean of {n_inst}; aim: under 1 ms)", per_instance.as_secs_f64() * 1e6);
}
