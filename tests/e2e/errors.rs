//! Bad scripts and bad arguments end with exit 2 and a precise message.

use crate::common::*;

#[test]
fn a_syntax_error_names_line_and_column() {
    let dir = scratch();
    let r = diorama(
        dir.path(),
        &["run", path_str(&scenario("syntax_error.rhai"))],
    );
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(
        r.stderr.contains("syntax_error.rhai:4:"),
        "{}",
        r.describe()
    );
    assert!(r.stderr.contains("syntax error"), "{}", r.describe());
}

#[test]
fn a_script_that_never_ends_hits_the_operation_limit() {
    let dir = scratch();
    let r = diorama(dir.path(), &["run", path_str(&scenario("forever.rhai"))]);
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("operation limit"), "{}", r.describe());
    assert!(r.stderr.contains("forever.rhai:"), "{}", r.describe());
}

#[test]
fn imports_cannot_leave_the_script_folder() {
    let dir = scratch();
    let r = diorama(
        dir.path(),
        &["run", path_str(&scenario("escape_import.rhai"))],
    );
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(
        r.stderr.contains("only from their own folder"),
        "{}",
        r.describe()
    );
}

#[test]
fn an_unknown_platform_is_named() {
    let dir = scratch();
    let r = diorama(
        dir.path(),
        &["run", path_str(&scenario("unknown_platform.rhai"))],
    );
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("`myspace`"), "{}", r.describe());
    assert!(
        r.stderr.contains("youtube"),
        "lists what exists: {}",
        r.describe()
    );
}

#[test]
fn a_missing_script_and_bad_arguments_exit_2() {
    let dir = scratch();
    let r = diorama(dir.path(), &["run", "nope.rhai"]);
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("nope.rhai"), "{}", r.describe());

    let r = diorama(
        dir.path(),
        &["run", path_str(&scenario("passing.rhai")), "--seed", "x"],
    );
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("--seed"), "{}", r.describe());

    let r = diorama(dir.path(), &["launch"]);
    assert_eq!(r.code, 2, "{}", r.describe());
}

#[test]
fn a_runtime_error_in_a_script_names_the_place() {
    let dir = scratch();
    let script = dir.path().join("bad_signal.rhai");
    std::fs::write(
        &script,
        "let p = profile(#{ youtube: #{} });\nadvance(hours(6));\nlet v = p.latest(\"youtube\");\nsignal(v, \"meteor\", #{});\n",
    )
    .unwrap();
    let r = diorama(dir.path(), &["run", "bad_signal.rhai"]);
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("bad_signal.rhai:4:"), "{}", r.describe());
    assert!(r.stderr.contains("meteor"), "{}", r.describe());
    assert!(r.stderr.contains("youtube"), "{}", r.describe());
}

#[test]
fn a_signal_for_the_whole_account_sent_on_content_is_refused() {
    let dir = scratch();
    let script = dir.path().join("account_signal.rhai");
    std::fs::write(
        &script,
        "let p = profile(#{ youtube: #{} });\nadvance(hours(6));\nlet v = p.latest(\"youtube\");\nsignal(v, \"troll_wave\", #{ size: 10 });\nsignal(v, \"shadowban\", #{});\n",
    )
    .unwrap();
    let r = diorama(dir.path(), &["run", "account_signal.rhai"]);
    assert_eq!(r.code, 2, "{}", r.describe());
    // `troll_wave` applies to one video: sent on it, it is accepted.
    assert!(
        r.stderr.contains("account_signal.rhai:5:"),
        "{}",
        r.describe()
    );
    assert!(
        r.stderr
            .contains("youtube applies `shadowban` to the whole account")
            && r.stderr.contains("p.signal(\"youtube\", \"shadowban\""),
        "{}",
        r.describe()
    );
}

#[test]
fn bad_platform_parameters_are_named() {
    let dir = scratch();
    let script = dir.path().join("bad_params.rhai");
    std::fs::write(
        &script,
        "let p = profile(#{ youtube: #{ subscribrs: 5 } });\n",
    )
    .unwrap();
    let r = diorama(dir.path(), &["run", "bad_params.rhai"]);
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("subscribrs"), "{}", r.describe());
    assert!(r.stderr.contains("bad_params.rhai:1:"), "{}", r.describe());
}

/// Run `diorama run SCRIPT ARGS...` on a test scenario; (run, seconds
/// taken). A run still going after [`HOSTILE_BOUND`] is killed (and its
/// exit code is then -1), so a script that is not stopped fails the test
/// instead of hanging it.
fn timed_run(script: &str, args: &[&str]) -> (Run, f64) {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let dir = scratch();
    let path = scenario(script);
    let began = std::time::Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_diorama"))
        .arg("run")
        .arg(&path)
        .args(args)
        .current_dir(dir.path())
        .env(
            "DIORAMA_CACHE_DIR",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("component-cache"),
        )
        .env_remove("DIORAMA_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the diorama binary runs");
    // Read both pipes on threads so a chatty run cannot block on them,
    // keeping the first 8 MiB of each (a flood fails the test, not the
    // machine's memory).
    fn capture(mut from: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let _ = (&mut from).take(8 << 20).read_to_end(&mut kept);
            let _ = std::io::copy(&mut from, &mut std::io::sink());
            String::from_utf8_lossy(&kept).into_owned()
        })
    }
    let out = capture(child.stdout.take().expect("stdout"));
    let err = capture(child.stderr.take().expect("stderr"));
    let code = loop {
        if let Some(status) = child.try_wait().expect("waiting for diorama") {
            break status.code().unwrap_or(-1);
        }
        if began.elapsed().as_secs_f64() > HOSTILE_BOUND {
            let _ = child.kill();
            let _ = child.wait();
            break -1;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let secs = began.elapsed().as_secs_f64();
    let run = Run {
        code,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    };
    (run, secs)
}

/// Hostile scripts end with exit 2, a message naming the cap, and well
/// within this many seconds (they ran for minutes, or until the memory
/// ran out, before the caps; the wall-clock limit is 300 s by default, so
/// ending sooner proves the cap did it).
const HOSTILE_BOUND: f64 = 45.0;

fn assert_stopped(r: &Run, secs: f64, says: &str, place: &str) {
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains(says), "says `{says}`: {}", r.describe());
    assert!(
        r.stderr.contains(place),
        "names `{place}`: {}",
        r.describe()
    );
    assert!(
        secs < HOSTILE_BOUND,
        "ended in {secs:.1} s, over {HOSTILE_BOUND} s: {}",
        r.describe()
    );
}

#[test]
fn reported_values_have_a_size_cap() {
    let (r, secs) = timed_run("huge_reports.rhai", &[]);
    assert_stopped(
        &r,
        secs,
        "a reported value may be at most 65536 bytes",
        "huge_reports.rhai:5:",
    );
}

#[test]
fn expectations_have_a_count_cap() {
    let (r, secs) = timed_run("many_expectations.rhai", &[]);
    assert_stopped(
        &r,
        secs,
        "more than 10000 expectations",
        "many_expectations.rhai:4:",
    );
}

#[test]
fn scanning_a_huge_string_is_charged_against_the_operation_limit() {
    let (r, secs) = timed_run("scan_forever.rhai", &[]);
    assert_stopped(&r, secs, "operation limit", "scan_forever.rhai:5:");
}

#[test]
fn an_array_grown_forever_hits_its_size_limit_quickly() {
    let (r, secs) = timed_run("push_forever.rhai", &[]);
    assert_stopped(
        &r,
        secs,
        "Size of array/BLOB too large: a script's values may hold at most 25000 elements",
        "push_forever.rhai:3:",
    );
}

#[test]
fn time_arithmetic_cannot_overflow_past_the_virtual_time_cap() {
    let (r, secs) = timed_run("time_overflow.rhai", &[]);
    assert_stopped(
        &r,
        secs,
        "the start must lie between 1970-01-01",
        "time_overflow.rhai:3:",
    );
    let (r, secs) = timed_run("advance_overflow.rhai", &[]);
    assert_stopped(
        &r,
        secs,
        "past its limit of 366d of virtual time",
        "advance_overflow.rhai:4:",
    );
}

#[test]
fn the_wall_clock_limit_stops_what_operations_do_not() {
    let (r, secs) = timed_run("compare_forever.rhai", &["--timeout", "3"]);
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(
        r.stderr.contains("more than 3 s of wall-clock time"),
        "{}",
        r.describe()
    );
    assert!(
        r.stderr.contains("compare_forever.rhai:"),
        "{}",
        r.describe()
    );
    assert!(secs >= 3.0, "not before the limit: {secs:.1} s");
    assert!(secs < 30.0, "soon after the limit: {secs:.1} s");

    for bad in ["0", "86401", "soon"] {
        let (r, _) = timed_run("passing.rhai", &["--timeout", bad]);
        assert_eq!(r.code, 2, "{}", r.describe());
        assert!(r.stderr.contains("--timeout"), "{}", r.describe());
    }
}

#[test]
fn what_a_script_sends_to_the_platforms_is_capped() {
    let (r, secs) = timed_run("act_flood.rhai", &[]);
    assert_stopped(
        &r,
        secs,
        "more than 10000 signals and actions",
        "act_flood.rhai:4:",
    );
    let (r, secs) = timed_run("big_params.rhai", &[]);
    assert_stopped(
        &r,
        secs,
        "action parameters are 1048605 bytes of JSON; at most 16384 are accepted",
        "big_params.rhai:4:",
    );
}

#[test]
fn printed_output_is_capped() {
    let (r, secs) = timed_run("print_flood.rhai", &[]);
    assert_stopped(&r, secs, "operation limit", "print_flood.rhai:5:");
    assert!(
        r.stderr.contains("(8384512 bytes cut)"),
        "long lines are cut: {}",
        &r.stderr[..2000.min(r.stderr.len())]
    );
    assert!(
        r.stderr.contains("further output is dropped"),
        "{}",
        &r.stderr[r.stderr.len().saturating_sub(2000)..]
    );
    assert!(
        r.stderr.len() < (1 << 20) + 10_000,
        "{} bytes on stderr",
        r.stderr.len()
    );
}
