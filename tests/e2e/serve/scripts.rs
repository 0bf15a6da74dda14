//! Scenarios on live profiles stop at their wall-clock limit (time spent
//! waiting for the live clock excluded), and at once when their profile is
//! stopped or deleted.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::*;

/// Compares two equal 8 MiB strings forever: each comparison takes about
/// a millisecond and counts as one operation, so only the wall-clock limit
/// or a cancellation ends it.
const SPIN: &str = "let s = \"x\"; let t = \"x\";\n\
                    for i in 0..23 { s += s; t += t; }\n\
                    let n = 0;\n\
                    loop { if s == t { n += 1; } }\n";

fn profile(s: &Server) -> Profile {
    s.create(json!({
        "platforms": ["youtube"],
        "seed": 5,
        "speed": 5_000,
        "limits": {"interactions_per_day": 10_000_000},
    }))
}

/// Post `script` on the profile; returns the run's path.
fn post_script(s: &Server, p: &Profile, script: &str) -> String {
    let scenarios = format!("/v1/profiles/{}/scenarios", p.id);
    let run = s
        .post(&scenarios, ADMIN, &json!({ "script": script }))
        .expect(202);
    assert_eq!(run["status"], "running", "{run}");
    let id = match &run["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    format!("{scenarios}/{id}")
}

fn ended(s: &Server, run: &str, limit: Duration) -> Value {
    wait_for("the scenario to end", limit, || {
        let r = s.get(run, ADMIN).expect(200);
        (r["status"] != "running").then_some(r)
    })
}

#[test]
fn a_live_scenario_stops_at_its_time_limit_but_may_wait_longer() {
    let s = Server::start_with(&["--script-timeout", "3"]);
    let p = profile(&s);
    let began = Instant::now();
    let spin = post_script(&s, &p, SPIN);
    // Waiting 6 s for the live clock (500 virtual minutes at speed 5000)
    // is not the script's running time.
    let wait = post_script(
        &s,
        &p,
        "advance(minutes(500));\nexpect(true, \"waited past the limit\");\n",
    );
    let r = ended(&s, &spin, Duration::from_secs(60));
    let secs = began.elapsed().as_secs_f64();
    assert_eq!(r["status"], "error", "{r}");
    assert!(
        r["error"]
            .as_str()
            .is_some_and(|e| e.contains("more than 3 s of wall-clock time")),
        "{r}"
    );
    assert!((3.0..30.0).contains(&secs), "{secs:.1} s");
    let r = ended(&s, &wait, Duration::from_secs(60));
    assert_eq!(r["status"], "passed", "{r}");
    assert!(began.elapsed() >= Duration::from_secs(5), "it did wait");
}

#[test]
fn stopping_a_profile_cancels_its_scenario_at_once() {
    let s = Server::start();
    let p = profile(&s);
    let spin = post_script(&s, &p, SPIN);
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(s.get(&spin, ADMIN).expect(200)["status"], "running");
    let began = Instant::now();
    s.post(&format!("/v1/profiles/{}/stop", p.id), ADMIN, &json!({}))
        .expect(200);
    let r = ended(&s, &spin, Duration::from_secs(30));
    assert_eq!(r["status"], "error", "{r}");
    assert!(
        r["error"]
            .as_str()
            .is_some_and(|e| e.contains("cancelled: the live profile was stopped")),
        "{r}"
    );
    assert!(
        began.elapsed() < Duration::from_secs(10),
        "{:?}",
        began.elapsed()
    );
}

/// CPU time the process used (user + system), in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    // Fields after the command name (which is in parentheses): utime is
    // the 12th, stime the 13th.
    let rest = &stat[stat.rfind(')').expect("a command name") + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

/// Ticks used over `d`.
fn cpu_over(pid: u32, d: Duration) -> u64 {
    let a = cpu_ticks(pid);
    std::thread::sleep(d);
    cpu_ticks(pid) - a
}

#[test]
fn deleting_a_profile_ends_its_scenario_at_once() {
    let s = Server::start();
    let p = profile(&s);
    // Paused, the profile itself costs nothing: what burns is the script.
    s.pause(&p.id);
    post_script(&s, &p, SPIN);
    std::thread::sleep(Duration::from_millis(500));
    let busy = cpu_over(s.pid(), Duration::from_secs(2));
    // At least a twentieth of a core (on a loaded machine the spinning script
    // gets less than a whole one).
    assert!(busy >= 10, "the script spins: {busy} ticks in 2 s");
    s.call(
        "DELETE",
        &format!("/v1/profiles/{}", p.id),
        Some(ADMIN),
        None,
    )
    .expect(200);
    std::thread::sleep(Duration::from_secs(1));
    let idle = cpu_over(s.pid(), Duration::from_secs(2));
    assert!(
        idle * 4 < busy,
        "the script ended with its profile: {idle} ticks in 2 s after, {busy} before"
    );
}
