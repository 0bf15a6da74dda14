//! Restarts: after SIGTERM and after kill -9 a running profile resumes
//! where it stopped, its log numbered 1..N with nothing lost or repeated.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::*;

const SPEED: f64 = 5_000.0;

/// Checks the whole log: seqs 1..N, and no content or interaction id
/// stored twice (a replayed event would be). Returns the log.
fn check_log(s: &Server, p: &Profile, what: &str) -> Vec<Value> {
    let log = s.all_events(&p.id, &p.token);
    let n = assert_contiguous(&log, what);
    assert_eq!(
        s.view(&p.id, &p.token)["events"].as_u64(),
        Some(n),
        "{what}: the view counts the log"
    );
    let mut ids = BTreeSet::new();
    for e in &log {
        if let Some(id) = e["id"].as_str() {
            assert!(
                ids.insert((
                    e["platform"].to_string(),
                    e["type"].to_string(),
                    id.to_string()
                )),
                "{what}: {} {} `{id}` is stored twice (seq {})",
                e["platform"],
                e["type"],
                e["seq"]
            );
        }
    }
    log
}

fn events(s: &Server, p: &Profile) -> u64 {
    s.view(&p.id, &p.token)["events"].as_u64().unwrap()
}

#[test]
fn a_profile_survives_a_clean_restart_and_a_crash() {
    let mut s = Server::start();
    let p = s.create(json!({
        "platforms": ["youtube", "instagram"],
        "size": 500_000,
        "seed": 51,
        "speed": SPEED,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    wait_for("200 events", PATIENCE, || {
        (events(&s, &p) >= 200).then_some(())
    });

    // SIGTERM mid-run.
    let seen = s.all_events(&p.id, &p.token);
    let asked = Instant::now();
    let before = s.view(&p.id, &p.token);
    s.terminate();
    let ran_before_stop = asked.elapsed();
    // Down for a while: virtual time must not run on meanwhile.
    std::thread::sleep(Duration::from_secs(3));
    let spawned = Instant::now();
    s.restart();
    let after = s.view(&p.id, &p.token);
    let ran_after_start = spawned.elapsed();
    assert_eq!(after["status"], "running", "it resumes: {after}");
    assert_eq!(after["speed"], before["speed"]);
    let (t0, t1) = (
        before["now"].as_i64().unwrap(),
        after["now"].as_i64().unwrap(),
    );
    assert!(t1 >= t0, "virtual time goes on from {t0}, not back to {t1}");
    let most = ((ran_before_stop + ran_after_start).as_secs_f64() + 0.5) * SPEED * 1000.0;
    assert!(
        ((t1 - t0) as f64) <= most,
        "virtual time ran on while the server was down: {t0} → {t1} ({} s virtual, at most {} s while up)",
        (t1 - t0) / 1000,
        most / 1000.0
    );
    let n0 = seen.len() as u64;
    wait_for("more events after the restart", PATIENCE, || {
        (events(&s, &p) >= n0 + 200).then_some(())
    });
    s.pause(&p.id);
    let log = check_log(&s, &p, "after SIGTERM");
    assert_eq!(
        &log[..seen.len()],
        &seen[..],
        "what was stored before is unchanged"
    );

    // kill -9 mid-run: restored from the last snapshot, replayed.
    s.post(&format!("/v1/profiles/{}/resume", p.id), ADMIN, &json!({}))
        .expect(200);
    let n1 = log.len() as u64;
    wait_for("200 more events", PATIENCE, || {
        (events(&s, &p) >= n1 + 200).then_some(())
    });
    // Past at least one snapshot, and some events after it.
    std::thread::sleep(Duration::from_millis(700));
    let seen = s.all_events(&p.id, &p.token);
    s.crash();
    s.restart();
    let after = s.view(&p.id, &p.token);
    assert_eq!(
        after["status"], "running",
        "it resumes after a crash: {after}"
    );
    let n2 = seen.len() as u64;
    wait_for(
        "events beyond those seen before the crash",
        PATIENCE,
        || (events(&s, &p) >= n2 + 200).then_some(()),
    );
    s.pause(&p.id);
    let log = check_log(&s, &p, "after kill -9");
    assert_eq!(
        &log[..seen.len()],
        &seen[..],
        "the events served before the crash are still the same ones"
    );

    // And once more, a clean stop of a paused profile keeps it paused.
    s.terminate();
    s.restart();
    let v = s.view(&p.id, &p.token);
    assert_eq!(v["status"], "paused", "{v}");
    assert_eq!(v["events"].as_u64(), Some(log.len() as u64));
}
