//! The plugin host against real components: the embedded YouTube simulator
//! and the deliberately misbehaving `hostile` test plugin
//! (`tests/plugins/hostile`, built by the runtime's build script).

use std::path::{Path, PathBuf};
use std::time::Duration;

use diorama::plugin::{ErrorKind, HostOptions, PluginError, PluginHost, PluginSource};
use diorama_sdk::{AccountConfig, Action, Payload, DAY, HOUR, MINUTE};

const TEST_PLUGINS: &str = env!("DIORAMA_TEST_PLUGIN_DIR");
const START: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

/// A compiled-component cache shared by the tests of this file.
fn shared_cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugin-cache")
}

fn options() -> HostOptions {
    HostOptions {
        cache_dir: Some(shared_cache()),
        ..HostOptions::default()
    }
}

fn test_plugins() -> &'static Path {
    Path::new(TEST_PLUGINS)
}

fn hostile_host() -> PluginHost {
    let mut host = PluginHost::new(options()).expect("host");
    host.load_dir(test_plugins()).expect("test plugins load");
    host
}

fn config(params: &str, seed: u64) -> AccountConfig {
    AccountConfig {
        profile: "p1".into(),
        niche: "tech".into(),
        seed,
        start: START,
        timezone: "Europe/Paris".into(),
        params: params.into(),
    }
}

fn mode(mode: &str) -> AccountConfig {
    config(&format!(r#"{{"mode":"{mode}"}}"#, mode = mode), 7)
}

fn notices(events: &[diorama_sdk::Event]) -> Vec<(i64, String, String)> {
    events
        .iter()
        .filter_map(|e| match &e.payload {
            Payload::Notice(n) => Some((e.at, n.code.clone(), n.message.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn builtin_youtube_loads_describes_and_steps() {
    let mut host = PluginHost::new(options()).expect("host");
    host.load_builtin().expect("built-in plugins load");
    let yt = host.get("youtube").expect("youtube is built in");
    assert_eq!(yt.info.name, "youtube");
    assert_eq!(yt.source, PluginSource::Builtin);
    assert_eq!(yt.interface_version, diorama_sdk::INTERFACE_VERSION);
    assert!(yt.info.signals.iter().any(|s| s.name == "viral"));

    let mut instance = host
        .instantiate("youtube", &config(&yt.info.defaults, 42))
        .expect("youtube instantiates with its defaults");
    assert_eq!(instance.platform(), "youtube");
    let mut events = Vec::new();
    let mut t = START;
    while t < START + DAY {
        events.extend(instance.step(t, t + HOUR).expect("step"));
        t += HOUR;
    }
    assert!(!events.is_empty(), "a day of youtube produces events");
    assert!(events.iter().all(|e| e.at >= START && e.at < START + DAY));
}

#[test]
fn hostile_loads_from_a_directory() {
    let host = hostile_host();
    let names: Vec<&str> = host
        .plugins()
        .iter()
        .map(|p| p.info.name.as_str())
        .collect();
    assert_eq!(names, ["hostile"]);
    let p = host.get("hostile").expect("hostile");
    assert_eq!(
        p.source,
        PluginSource::File(test_plugins().join("hostile.wasm"))
    );
    assert_eq!(p.interface_version, "0.1.0");
    assert_eq!(p.info.signals[0].name, "misbehave");
}

#[test]
fn a_well_behaved_instance_steps_signals_and_acts() {
    let host = hostile_host();
    let mut i = host.instantiate("hostile", &mode("well")).expect("init");
    let events = i.step(START, START + MINUTE).expect("step");
    assert_eq!(
        notices(&events),
        [(START, "tick".to_string(), "still here".to_string())]
    );
    // hostile has no actions: the SDK's default answer comes back as the
    // platform's own error, not a host failure.
    let answer = i
        .act(
            START,
            &Action {
                kind: "publish".into(),
                params: "{}".into(),
            },
        )
        .expect("act is answered");
    assert!(answer.is_err());
    assert!(!i.is_failed());
}

#[test]
fn a_plugin_error_is_rejected_and_the_instance_lives_on() {
    let host = hostile_host();
    let mut i = host.instantiate("hostile", &mode("well")).expect("init");
    let e = i.signal(START, "nonsense", "{}").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Rejected);
    assert_eq!(
        e.to_string(),
        "plugin `hostile` rejected `signal`: hostile does not understand the signal `nonsense`"
    );
    assert!(!i.is_failed());
    let e = i.signal(START, "misbehave", "not json").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Rejected);
    assert_eq!(i.step(START, START + MINUTE).expect("still steps").len(), 1);

    let e = host
        .instantiate("hostile", &config(r#"{"mood":"x"}"#, 1))
        .unwrap_err();
    assert_eq!((&e.kind, e.call), (&ErrorKind::Rejected, "init"));
    assert!(e.reason.contains("bad params"), "{e}");
}

#[test]
fn a_loop_in_step_times_out_and_poisons_the_instance() {
    let host = hostile_host();
    let mut i = host.instantiate("hostile", &mode("loop")).expect("init");
    let e = i.step(START, START + MINUTE).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::Timeout {
            limit: Duration::from_secs(1)
        }
    );
    assert_eq!((e.plugin.as_str(), e.call), ("hostile", "step"));
    assert_eq!(
        e.to_string(),
        "plugin `hostile` failed in `step`: timed out (no answer within 1s; the instance was stopped)"
    );
    assert!(i.is_failed());
    // Every later call returns the same failure without calling in: the
    // error still names `step`.
    assert_eq!(i.snapshot().unwrap_err(), e);
    assert_eq!(
        i.signal(START, "misbehave", r#"{"mode":"well"}"#)
            .unwrap_err(),
        e
    );
    assert_eq!(i.step(START, START + MINUTE).unwrap_err(), e);
}

#[test]
fn a_loop_in_init_times_out() {
    let host = hostile_host();
    let e = host.instantiate("hostile", &mode("init-loop")).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Timeout { .. }), "{e}");
    assert_eq!(e.call, "init");
}

#[test]
fn a_memory_bomb_runs_out_of_memory() {
    let host = hostile_host();
    let mut i = host.instantiate("hostile", &mode("memory")).expect("init");
    let e = i.step(START, START + MINUTE).unwrap_err();
    assert_eq!(e.kind, ErrorKind::OutOfMemory { limit: 64 << 20 });
    assert_eq!(
        e.to_string(),
        "plugin `hostile` failed in `step`: out of memory (limit 64 MiB)"
    );
    assert!(i.is_failed());
}

#[test]
fn results_aliasing_one_buffer_are_refused_within_the_budget() {
    // 4096 events whose messages all point at the same 8 MiB of guest
    // memory: 32 GiB if copied whole. The host stops at its result budget.
    let host = hostile_host();
    let mut i = host.instantiate("hostile", &mode("alias")).expect("init");
    let e = i.step(START, START + MINUTE).unwrap_err();
    assert_eq!(e.kind, ErrorKind::ResultTooLarge { limit: 128 << 20 });
    assert_eq!(
        e.to_string(),
        "plugin `hostile` failed in `step`: its results exceed the 128 MiB a call may hand the host (the instance was stopped)"
    );
    assert!(i.is_failed());
    assert_eq!(i.snapshot().unwrap_err(), e);

    // The budget is the host's option: a smaller one holds too.
    let mut host = PluginHost::new(HostOptions {
        result_limit: 1 << 20,
        ..options()
    })
    .expect("host");
    host.load_dir(test_plugins()).expect("load");
    let mut i = host.instantiate("hostile", &mode("well")).expect("init");
    i.step(START, START + MINUTE).expect("a small result fits");
    i.signal(START, "misbehave", r#"{"mode":"alias"}"#)
        .expect("switch");
    let e = i.step(START + MINUTE, START + 2 * MINUTE).unwrap_err();
    assert_eq!(e.kind, ErrorKind::ResultTooLarge { limit: 1 << 20 });
}

#[test]
fn a_trap_reports_the_guest_panic_message() {
    let host = hostile_host();
    let mut i = host.instantiate("hostile", &mode("trap")).expect("init");
    let e = i.step(START, START + MINUTE).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Trap);
    assert!(
        e.to_string().starts_with(
            "plugin `hostile` failed in `step`: trapped: hostile plugin traps on purpose"
        ),
        "{e}"
    );
    assert!(i.is_failed());
}

#[test]
fn a_flood_on_stderr_is_bounded_and_the_last_words_survive() {
    let host = hostile_host();
    let mut i = host
        .instantiate("hostile", &mode("noisy-trap"))
        .expect("init");
    let e = i.step(START, START + MINUTE).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Trap);
    assert!(
        e.reason.starts_with("hostile plugin traps after the noise"),
        "{e}"
    );
    assert!(e.reason.len() < 4096);
}

#[test]
fn a_runaway_recursion_is_a_trap() {
    let host = hostile_host();
    let mut i = host.instantiate("hostile", &mode("recurse")).expect("init");
    let e = i.step(START, START + MINUTE).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Trap);
    // A Rust guest's stack lives in its linear memory and runs off its start
    // before the engine's own stack limit is reached.
    assert!(
        e.reason.contains("out of bounds memory access")
            || e.reason.contains("call stack exhausted"),
        "{e}"
    );
    assert!(i.is_failed());
}

#[test]
fn a_plugin_exiting_is_reported() {
    let host = hostile_host();
    let mut i = host.instantiate("hostile", &mode("exit")).expect("init");
    let e = i.step(START, START + MINUTE).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Trap);
    // WASI 0.2 `exit` carries success or failure, not the code.
    assert_eq!(e.reason, "the plugin exited (status 1)");
}

#[test]
fn the_sandbox_shows_virtual_time_seeded_randomness_and_nothing_else() {
    let host = hostile_host();
    let probe = |seed: u64, at: i64| -> serde_json::Value {
        let mut i = host
            .instantiate("hostile", &config(r#"{"mode":"probe"}"#, seed))
            .expect("init");
        let events = i.step(at, at + MINUTE).expect("probe");
        let message = &notices(&events)[0].2;
        serde_json::from_str(message).expect("probe json")
    };
    let a = probe(1, START + HOUR);
    assert_eq!(a["now_ms"], START + HOUR, "the wall clock is virtual");
    assert_eq!(
        a["slept_ns"], 0,
        "sleeping returns at once, time does not pass"
    );
    assert_eq!(a["env"], 0);
    assert_eq!(a["args"], 0);
    assert_eq!(a["files"], false);
    assert_eq!(a["network"], false);
    let b = probe(1, START + HOUR);
    let c = probe(2, START + HOUR);
    assert_eq!(a["random"], b["random"], "same seed, same randomness");
    assert_ne!(a["random"], c["random"], "another seed, other randomness");
}

#[test]
fn instances_do_not_share_state() {
    let host = hostile_host();
    let mut a = host.instantiate("hostile", &mode("well")).expect("a");
    let mut b = host.instantiate("hostile", &mode("well")).expect("b");
    a.signal(START, "misbehave", r#"{"mode":"trap"}"#)
        .expect("signal");
    assert_eq!(
        a.step(START, START + MINUTE).unwrap_err().kind,
        ErrorKind::Trap
    );
    assert_eq!(
        b.step(START, START + MINUTE)
            .expect("b is unaffected")
            .len(),
        1
    );
}

#[test]
fn snapshot_and_restore_round_trip() {
    let host = hostile_host();
    let mut well = host.instantiate("hostile", &mode("well")).expect("well");
    let mut trap = host.instantiate("hostile", &mode("trap")).expect("trap");
    let state = well.snapshot().expect("snapshot");
    assert!(!state.is_empty());
    trap.restore(&state).expect("restore");
    assert_eq!(trap.snapshot().expect("snapshot"), state);
    assert_eq!(
        trap.step(START, START + MINUTE)
            .expect("restored to well")
            .len(),
        1
    );
    let e = well.restore(b"garbage").unwrap_err();
    assert_eq!((&e.kind, e.call), (&ErrorKind::Rejected, "restore"));
    assert!(!well.is_failed());
}

#[test]
fn an_unknown_platform_names_the_available_ones() {
    let host = hostile_host();
    let e = host.instantiate("foo", &mode("well")).unwrap_err();
    assert_eq!(e.to_string(), "unknown platform `foo` (available: hostile)");
}

#[test]
fn the_cache_is_used_and_a_corrupt_file_is_recovered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = || HostOptions {
        cache_dir: Some(dir.path().to_path_buf()),
        ..HostOptions::default()
    };
    let load = || {
        let mut host = PluginHost::new(opts()).expect("host");
        host.load_dir(test_plugins()).expect("load");
        host
    };
    let first = load();
    assert_eq!(first.cache_stats().compiled, 1);
    assert_eq!(first.cache_stats().hits, 0);
    let bytes = std::fs::read(test_plugins().join("hostile.wasm")).expect("read");
    let file = first.cache_file_for(&bytes).expect("a cache file");
    assert!(file.is_file());

    let second = load();
    assert_eq!(second.cache_stats().hits, 1);
    assert_eq!(second.cache_stats().compiled, 0);
    let mut i = second.instantiate("hostile", &mode("well")).expect("init");
    assert_eq!(i.step(START, START + MINUTE).expect("step").len(), 1);
    // A loaded cache file is mapped into memory: damage it only once no
    // host of this process uses it (as when it is damaged on disk between
    // two runs).
    drop((first, second, i));

    for corruption in [b"garbage".to_vec(), {
        let mut half = std::fs::read(&file).expect("read cache");
        half.truncate(half.len() / 2);
        half
    }] {
        std::fs::write(&file, corruption).expect("corrupt");
        let recovered = load();
        assert_eq!(recovered.cache_stats().recovered, 1);
        assert_eq!(recovered.cache_stats().compiled, 1);
        let mut i = recovered
            .instantiate("hostile", &mode("well"))
            .expect("init");
        assert_eq!(i.step(START, START + MINUTE).expect("step").len(), 1);
        let again = load();
        assert_eq!(again.cache_stats().hits, 1, "the file was rewritten");
        drop((recovered, i, again));
    }
}

/// A host over the test plugins with its cache in `dir`.
fn cached_host(dir: &Path) -> PluginHost {
    let mut host = PluginHost::new(HostOptions {
        cache_dir: Some(dir.to_path_buf()),
        ..HostOptions::default()
    })
    .expect("host");
    host.load_dir(test_plugins()).expect("load");
    host
}

/// The hostile plugin's cache file under `dir`, written by a first load.
fn cached_hostile(dir: &Path) -> PathBuf {
    let host = cached_host(dir);
    assert_eq!(host.cache_stats().compiled, 1);
    let bytes = std::fs::read(test_plugins().join("hostile.wasm")).expect("read");
    let file = host.cache_file_for(&bytes).expect("a cache file");
    assert!(file.is_file());
    file
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[cfg(unix)]
#[test]
fn the_cache_directory_is_created_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("new").join("cache");
    let host = cached_host(&dir);
    assert_eq!(host.cache_dir(), Some(dir.as_path()));
    for d in [&dir, &tmp.path().join("new")] {
        let mode = std::fs::metadata(d).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{}", d.display());
    }
}

#[cfg(unix)]
#[test]
fn a_cache_file_that_is_a_link_is_refused_and_replaced() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("cache");
    let file = cached_hostile(&dir);
    // A valid compiled component, reached through a link: it could be
    // swapped for anything after the cache checked it.
    let elsewhere = tmp.path().join("elsewhere.cwasm");
    std::fs::rename(&file, &elsewhere).expect("move");
    std::os::unix::fs::symlink(&elsewhere, &file).expect("symlink");

    let host = cached_host(&dir);
    let stats = host.cache_stats();
    assert_eq!((stats.refused, stats.hits, stats.compiled), (1, 0, 1));
    let mut i = host.instantiate("hostile", &mode("well")).expect("init");
    assert_eq!(i.step(START, START + MINUTE).expect("step").len(), 1);
    let meta = std::fs::symlink_metadata(&file).expect("stat");
    assert!(meta.is_file(), "the link was replaced by a file");
    assert!(elsewhere.is_file(), "the link's target was left alone");
    assert_eq!(cached_host(&dir).cache_stats().hits, 1);
}

#[cfg(unix)]
#[test]
fn a_cache_file_others_could_write_is_refused_and_replaced() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("cache");
    let file = cached_hostile(&dir);
    assert_eq!(
        std::fs::metadata(&file).expect("stat").permissions().mode() & 0o777,
        0o600
    );
    for bits in [0o666, 0o620] {
        chmod(&file, bits);
        let host = cached_host(&dir);
        let stats = host.cache_stats();
        assert_eq!(
            (stats.refused, stats.hits, stats.compiled),
            (1, 0, 1),
            "{bits:o}"
        );
        let rewritten = std::fs::metadata(&file).expect("stat");
        assert_eq!(rewritten.permissions().mode() & 0o777, 0o600);
        assert_eq!(cached_host(&dir).cache_stats().hits, 1);
    }
    // Run as root, the test can also hand the file to another user.
    if std::fs::metadata(tmp.path()).expect("stat").uid() == 0 {
        std::os::unix::fs::chown(&file, Some(65534), None).expect("chown");
        let stats = cached_host(&dir).cache_stats();
        assert_eq!((stats.refused, stats.hits, stats.compiled), (1, 0, 1));
    }
}

#[cfg(unix)]
#[test]
fn a_cache_directory_others_could_write_is_not_used() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("cache");
    let file = cached_hostile(&dir);
    for bits in [0o777, 0o770, 0o733] {
        chmod(&dir, bits);
        let host = cached_host(&dir);
        assert_eq!(host.cache_dir(), None, "{bits:o}");
        let stats = host.cache_stats();
        assert_eq!((stats.hits, stats.compiled), (0, 1), "{bits:o}");
        let mut i = host.instantiate("hostile", &mode("well")).expect("init");
        assert_eq!(i.step(START, START + MINUTE).expect("step").len(), 1);
    }
    chmod(&dir, 0o700);
    assert!(file.is_file());
    assert_eq!(cached_host(&dir).cache_stats().hits, 1);
}

#[test]
fn a_non_component_file_is_a_load_error_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junk = dir.path().join("junk.wasm");
    std::fs::write(&junk, b"this is not webassembly").expect("write");
    let mut host = PluginHost::new(options()).expect("host");
    let e = host.load_dir(dir.path()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Load);
    assert_eq!(
        e.to_string(),
        format!(
            "{}: not a WebAssembly component: not a WebAssembly file at all",
            junk.display()
        )
    );

    // A core module is recognised as such.
    std::fs::write(&junk, b"\0asm\x01\0\0\0").expect("write");
    let e = host.load_dir(dir.path()).unwrap_err();
    assert!(
        e.to_string().contains("it is a core WebAssembly module"),
        "{e}"
    );

    // A component that is not well-formed.
    std::fs::write(&junk, b"\0asm\x0d\0\x01\0\x07\x09garbage").expect("write");
    let e = host.load_dir(dir.path()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Load);
    assert!(
        e.to_string().starts_with(&format!(
            "{}: not a valid WebAssembly component",
            junk.display()
        )),
        "{e}"
    );
}

/// A component exporting an empty instance under `export_name`.
fn component_exporting(export_name: Option<&str>) -> Vec<u8> {
    use wasm_encoder::{
        Component, ComponentExportKind, ComponentExportSection, ComponentInstanceSection,
    };
    let mut component = Component::new();
    if let Some(name) = export_name {
        let mut instances = ComponentInstanceSection::new();
        instances.export_items(std::iter::empty::<(&str, ComponentExportKind, u32)>());
        component.section(&instances);
        let mut exports = ComponentExportSection::new();
        exports.export(name, ComponentExportKind::Instance, 0, None);
        component.section(&exports);
    }
    component.finish()
}

#[test]
fn a_plugin_for_another_interface_version_is_refused_before_instantiation() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("y.wasm"),
        component_exporting(Some("diorama:platform/simulator@0.2.0")),
    )
    .expect("write");
    let mut host = PluginHost::new(options()).expect("host");
    let e = host.load_dir(dir.path()).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::Version {
            found: Some("0.2.0".into())
        }
    );
    assert_eq!(
        e.to_string(),
        "plugin y.wasm was built for diorama:platform@0.2.0; this diorama supports 0.1.0"
    );

    std::fs::write(dir.path().join("y.wasm"), component_exporting(None)).expect("write");
    let e = host.load_dir(dir.path()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Version { found: None });
    assert_eq!(
        e.to_string(),
        "plugin y.wasm is not a diorama platform: it does not export `diorama:platform/simulator` (it exports: nothing)"
    );
}

#[test]
fn a_plugin_of_the_same_name_replaces_the_earlier_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        test_plugins().join("hostile.wasm"),
        dir.path().join("again.wasm"),
    )
    .expect("copy");
    let mut host = hostile_host();
    host.load_dir(dir.path()).expect("load");
    assert_eq!(host.plugins().len(), 1);
    assert_eq!(
        host.get("hostile").expect("hostile").source,
        PluginSource::File(dir.path().join("again.wasm"))
    );
}

#[test]
fn a_missing_plugin_directory_is_a_load_error() {
    let mut host = PluginHost::new(options()).expect("host");
    let e: PluginError = host.load_dir(Path::new("does/not/exist")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Load);
    assert!(
        e.to_string()
            .starts_with("does/not/exist: cannot read the plugin directory"),
        "{e}"
    );
}

#[test]
fn the_host_and_instances_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<PluginHost>();
    send::<diorama::plugin::PluginInstance>();

    let host = std::sync::Arc::new(hostile_host());
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let host = host.clone();
            std::thread::spawn(move || {
                let mut i = host.instantiate("hostile", &mode("well")).expect("init");
                i.step(START, START + MINUTE).expect("step").len()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("thread"), 1);
    }
}
