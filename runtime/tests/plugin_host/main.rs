//! The plugin host against real components: the embedded YouTube simulator,
//! the deliberately misbehaving `hostile` test plugin
//! (`tests/plugins/hostile`) and the `legacy` plugin built for contract 0.1
//! (`tests/plugins/legacy`), both built by the runtime's build script.

mod budget;
mod cache;
mod loading;
mod sandbox;
mod versions;

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
        .instantiate("youtube", &config(&yt.info.defaults_json(), 42))
        .expect("youtube instantiates with its defaults");
    assert_eq!(instance.platform(), "youtube");
    let mut events = Vec::new();
    let mut t = START;
    while t < START + DAY {
        events.extend(instance.step(t, t + HOUR).expect("step").events);
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
    assert_eq!(names, ["archive", "hostile", "legacy"]);
    let p = host.get("hostile").expect("hostile");
    assert_eq!(
        p.source,
        PluginSource::File(test_plugins().join("hostile.wasm"))
    );
    assert_eq!(p.interface_version, "0.3.0");
    assert_eq!(p.info.signals[0].name, "misbehave");
}

#[test]
fn a_well_behaved_instance_steps_signals_and_acts() {
    let host = hostile_host();
    let mut i = host.instantiate("hostile", &mode("well")).expect("init");
    let events = i.step(START, START + MINUTE).expect("step").events;
    assert_eq!(
        notices(&events),
        [(START, "tick".to_string(), "still here".to_string())]
    );
    // An action hostile does not have: the platform's own error, not a
    // host failure.
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
    let events = i
        .act(
            START,
            &Action {
                kind: "poke".into(),
                params: "{}".into(),
            },
        )
        .expect("act is answered")
        .expect("poke is an action");
    assert_eq!(notices(&events), [(START, "poked".into(), "{}".into())]);
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
    assert_eq!(
        i.step(START, START + MINUTE)
            .expect("still steps")
            .events
            .len(),
        1
    );

    let e = host
        .instantiate("hostile", &config(r#"{"mood":"x"}"#, 1))
        .unwrap_err();
    assert_eq!((&e.kind, e.call), (&ErrorKind::Rejected, "init"));
    assert!(e.reason.contains("bad params"), "{e}");
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
            .events
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
            .events
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
    assert_eq!(
        e.to_string(),
        "unknown platform `foo` (available: archive, hostile, legacy)"
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
                i.step(START, START + MINUTE).expect("step").events.len()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("thread"), 1);
    }
}
