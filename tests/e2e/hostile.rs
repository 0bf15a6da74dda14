//! A hostile plugin can stop a run (exit 2, a clear message) but never hang
//! or crash the host.

use crate::common::*;

fn run_mode(mode: &str) -> Run {
    let dir = scratch();
    let script = dir.path().join("hostile.rhai");
    std::fs::write(
        &script,
        format!(
            "let p = profile(#{{ hostile: #{{ mode: \"{mode}\" }} }});\nadvance(minutes(5));\nexpect(true, \"survived\");\n"
        ),
    )
    .unwrap();
    let plugins = test_plugins();
    diorama(
        dir.path(),
        &[
            "run",
            "hostile.rhai",
            "--plugins",
            path_str(&plugins),
            "--out",
            "o",
        ],
    )
}

#[test]
fn a_well_behaved_control_passes() {
    let r = run_mode("well");
    assert_eq!(r.code, 0, "{}", r.describe());
}

#[test]
fn an_infinite_loop_in_step_is_stopped() {
    let r = run_mode("loop");
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("`hostile`"), "{}", r.describe());
    assert!(r.stderr.contains("`step`"), "{}", r.describe());
    assert!(r.stderr.contains("timed out"), "{}", r.describe());
}

#[test]
fn an_infinite_loop_in_init_is_stopped() {
    let r = run_mode("init-loop");
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("`init`"), "{}", r.describe());
    assert!(r.stderr.contains("timed out"), "{}", r.describe());
}

#[test]
fn a_memory_bomb_is_stopped() {
    let r = run_mode("memory");
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("out of memory"), "{}", r.describe());
}

#[test]
fn a_trap_is_reported_with_the_plugins_message() {
    let r = run_mode("trap");
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("trap"), "{}", r.describe());
    assert!(
        r.stderr.contains("hostile plugin traps on purpose"),
        "{}",
        r.describe()
    );
}

#[test]
fn results_pointing_at_the_same_bytes_are_refused() {
    // Every event's message points at the same 8 MiB of the plugin's
    // memory: the run stops at the host's result budget instead of copying
    // 32 GiB.
    let r = run_mode("alias");
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(
        r.stderr
            .contains("plugin `hostile` failed in `step`: its results exceed the 64 MiB"),
        "{}",
        r.describe()
    );
}
