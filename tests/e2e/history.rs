//! A profile's past and its schedule in a batch run: the same seed gives
//! the same history, byte for byte, before the run's start.

use crate::common::*;

fn run_once(seed: &str) -> (Run, Vec<u8>) {
    let dir = scratch();
    let script = scenario("history_schedule.rhai");
    let r = diorama(
        dir.path(),
        &["run", path_str(&script), "--seed", seed, "--out", "o"],
    );
    assert_eq!(r.code, 0, "{}", r.describe());
    let events = std::fs::read(dir.path().join("o/events.jsonl")).unwrap();
    (r, events)
}

#[test]
fn a_past_is_the_same_for_a_seed_and_a_schedule_goes_out_at_its_time() {
    let (run, a) = run_once("11");
    assert!(run.stdout.contains("PASSED"), "{}", run.describe());
    let (_, b) = run_once("11");
    assert!(a == b, "events.jsonl differs between two runs with seed 11");
    let (_, c) = run_once("12");
    assert!(a != c, "seeds 11 and 12 gave the same past");
    // The first line is from the profile's past, three days before the start.
    let first: serde_json::Value =
        serde_json::from_str(std::str::from_utf8(&a).unwrap().lines().next().unwrap()).unwrap();
    let at = first["at"].as_i64().unwrap();
    let start = 1_767_571_200_000i64; // 2026-01-05T00:00:00Z
    assert!(
        (start - 3 * 86_400_000..start).contains(&at),
        "the log opens in the past: {first}"
    );
}
