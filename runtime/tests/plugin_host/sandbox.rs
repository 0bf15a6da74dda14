//! The sandbox's limits: CPU deadlines, memory, the result budget, traps,
//! bounded output, exits, and what a plugin can see of the world.

use super::*;

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
        let events = i.step(at, at + MINUTE).expect("probe").events;
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
