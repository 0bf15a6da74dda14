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
            .contains("plugin `hostile` failed in `step`: its results exceed the 128 MiB"),
        "{}",
        r.describe()
    );
}

#[test]
fn results_over_the_budget_stop_the_run_with_the_figure() {
    for (mode, message) in [
        (
            "flood",
            "plugin `hostile` failed in `step`: over budget: it returned 100,001 events; a call may return at most 100,000",
        ),
        (
            "long-strings",
            "plugin `hostile` failed in `step`: over budget: its results hold 16,777,217 bytes of strings; a call may return at most 16,777,216 (16 MiB)",
        ),
        (
            "early-due",
            "plugin `hostile` broke the contract in `step`: its next-due",
        ),
    ] {
        let r = run_mode(mode);
        assert_eq!(r.code, 2, "{mode}: {}", r.describe());
        assert!(r.stderr.contains(message), "{mode}: {}", r.describe());
        assert!(!r.stderr.contains("panicked"), "{mode}: {}", r.describe());
    }
}

/// `diorama serve` as a benchmark that died leaves it: its stdout a pipe
/// nobody reads any more, its data folder removed, a busy profile running.
/// SIGTERM still stops it, within seconds.
#[cfg(unix)]
#[test]
fn serve_stops_on_sigterm_with_its_outputs_gone() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    /// Kills the server if the test fails before it stopped.
    struct Reaper(std::process::Child);
    impl Drop for Reaper {
        fn drop(&mut self) {
            if let Ok(None) = self.0.try_wait() {
                let _ = self.0.kill();
                let _ = self.0.wait();
            }
        }
    }

    let dir = scratch();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let token = "hostile-e2e-admin-token";
    let child = Command::new(env!("CARGO_BIN_EXE_diorama"))
        .args(["serve", "--addr", "127.0.0.1:0", "--admin-token", token])
        .arg("--data")
        .arg(data.join("db"))
        .env("DIORAMA_CACHE_DIR", dir.path().join("cache"))
        .env_remove("DIORAMA_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the diorama binary starts");
    let mut server = Reaper(child);
    let mut stdout = std::io::BufReader::new(server.0.stdout.take().unwrap());
    let stderr = server.0.stderr.take().unwrap();
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let base = line
        .strip_prefix("diorama serve: listening on ")
        .and_then(|rest| rest.split(" (data:").next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();

    // A big creator's viral day, as fast as the server goes.
    let created = reqwest::blocking::Client::new()
        .post(format!("{base}/v1/profiles"))
        .bearer_auth(token)
        .json(&serde_json::json!({
            "name": "busy",
            "platforms": {"youtube": {"audience": 5_000_000, "comment_volume": "viral"}},
            "speed": 100_000,
            "limits": {"interactions_per_day": 100_000_000u64},
        }))
        .send()
        .expect("POST /v1/profiles");
    assert_eq!(created.status().as_u16(), 201);
    std::thread::sleep(Duration::from_secs(4));

    // The reader goes away, and the data folder with it.
    drop(stdout);
    drop(stderr);
    for _ in 0..20 {
        if std::fs::remove_dir_all(&data).is_ok() || !data.exists() {
            break;
        }
    }
    let t = Instant::now();
    let sent = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .expect("`kill` runs");
    assert!(sent.success());
    let status = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            t.elapsed() < Duration::from_secs(25),
            "the server still runs {:?} after SIGTERM",
            t.elapsed()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    // It exits by itself (with an error: its data is gone), not by a signal.
    assert!(status.code().is_some(), "{status}");
}
