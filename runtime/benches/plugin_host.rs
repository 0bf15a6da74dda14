//! The plugin host's own figures: compiling a component versus loading it
//! from the compiled-component cache, and instantiating from the cache
//! (pre-instantiated component, new sandbox, `init`).
//!
//! `cargo bench -p diorama --bench plugin_host`

use std::path::Path;
use std::time::{Duration, Instant};

use diorama::plugin::{HostOptions, PluginHost};
use diorama_sdk::{AccountConfig, MINUTE};

const INSTANCES: u32 = 1000;

fn config(params: &str, seed: u64) -> AccountConfig {
    AccountConfig {
        profile: "bench".into(),
        niche: "tech".into(),
        seed,
        start: 1_767_571_200_000,
        timezone: "UTC".into(),
        params: params.into(),
    }
}

/// A host on `cache` with the built-in plugins and the test plugins; the
/// time it took.
fn load(cache: &Path) -> (PluginHost, Duration) {
    let started = Instant::now();
    let mut host = PluginHost::new(HostOptions {
        cache_dir: Some(cache.to_path_buf()),
        ..HostOptions::default()
    })
    .expect("host");
    if let Err(e) = host.load_builtin() {
        eprintln!("(built-in plugins not measured: {e})");
    }
    host.load_dir(Path::new(env!("DIORAMA_TEST_PLUGIN_DIR")))
        .expect("test plugins");
    (host, started.elapsed())
}

fn main() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let cache = scratch.path().join("cache");

    let (cold, compile) = load(&cache);
    let names: Vec<String> = cold.plugins().iter().map(|p| p.info.name.clone()).collect();
    let compiled = cold.cache_stats().compiled;
    drop(cold);
    let (warm, from_cache) = load(&cache);
    assert_eq!(
        warm.cache_stats().hits,
        compiled,
        "every plugin came from the cache"
    );

    println!(
        "plugin host ({} plugins: {})",
        names.len(),
        names.join(", ")
    );
    println!(
        "  load, compiling         {:>9.1} ms",
        compile.as_secs_f64() * 1e3
    );
    println!(
        "  load, from the cache    {:>9.1} ms",
        from_cache.as_secs_f64() * 1e3
    );

    for name in &names {
        let plugin = warm.get(name).expect("loaded");
        let params = if name == "hostile" {
            r#"{"mode":"well"}"#.to_string()
        } else {
            plugin.info.defaults_json()
        };
        // Warm up.
        for seed in 0..10 {
            let _ = warm
                .instantiate(name, &config(&params, seed))
                .expect("instantiate");
        }
        let started = Instant::now();
        for seed in 0..u64::from(INSTANCES) {
            let instance = warm
                .instantiate(name, &config(&params, seed))
                .expect("instantiate");
            std::hint::black_box(&instance);
        }
        let per = started.elapsed() / INSTANCES;

        let mut instance = warm
            .instantiate(name, &config(&params, 1))
            .expect("instantiate");
        let mut t = 1_767_571_200_000;
        let started = Instant::now();
        for _ in 0..INSTANCES {
            let events = instance.step(t, t + MINUTE).expect("step");
            std::hint::black_box(events);
            t += MINUTE;
        }
        let step = started.elapsed() / INSTANCES;
        println!(
            "  {name:<10} instantiate + init {:>7.1} µs   one-minute step {:>7.1} µs",
            per.as_secs_f64() * 1e6,
            step.as_secs_f64() * 1e6
        );
    }
}
