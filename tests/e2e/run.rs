//! `diorama run` on scenarios that should pass or fail.

use crate::common::*;

#[test]
fn viral_spike_passes_and_writes_reports() {
    let dir = scratch();
    let script = root().join("scenarios/viral_spike.rhai");
    let r = diorama(
        dir.path(),
        &[
            "run",
            path_str(&script),
            "--out",
            "out",
            "--junit",
            "out/junit.xml",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.describe());
    assert!(r.stdout.contains("PASSED"), "{}", r.describe());
    assert!(
        dir.path().join("diorama-data").is_dir(),
        "the default data folder is used"
    );

    let report = read_json(&dir.path().join("out/report.json"));
    assert_eq!(report["status"], "passed");
    assert_eq!(report["seed"], 42);
    assert_eq!(report["start"], "2026-01-05T00:00:00.000Z");
    assert_eq!(report["end"], "2026-01-06T06:00:00.000Z");
    let expectations = report["expectations"].as_array().unwrap();
    assert!(expectations.len() >= 5);
    assert!(expectations.iter().all(|e| e["passed"] == true));
    let views = report["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "views")
        .expect("views reported")["value"]
        .as_i64()
        .unwrap();
    assert!(views > 400_000, "{views}");

    let events = read_lines(&dir.path().join("out/events.jsonl"));
    assert_eq!(report["events"].as_u64().unwrap(), events.len() as u64);
    let mut last = i64::MIN;
    for (i, e) in events.iter().enumerate() {
        let at = e["at"].as_i64().expect("at");
        assert!(at >= last, "events are in time order");
        last = at;
        assert_eq!(e["seq"].as_u64(), Some(i as u64 + 1));
        assert_eq!(e["platform"], "youtube");
        assert_eq!(e["profile"], "techtalks");
        assert!(e["kind"].is_string());
    }
    let comment = events
        .iter()
        .find(|e| e["kind"] == "comment")
        .expect("comments in the log");
    for key in ["id", "content_id", "author", "text", "sentiment"] {
        assert!(!comment[key].is_null(), "comment has `{key}`: {comment}");
    }
    let counted: u64 = report["counts"]["youtube"]["interaction"]["comment"]
        .as_u64()
        .unwrap();
    let seen = events.iter().filter(|e| e["kind"] == "comment").count() as u64;
    assert_eq!(counted, seen);

    let junit = std::fs::read_to_string(dir.path().join("out/junit.xml")).unwrap();
    assert!(junit.starts_with("<?xml"));
    assert_eq!(
        junit.matches("<testcase ").count(),
        expectations.len(),
        "{junit}"
    );
    assert!(junit.contains("failures=\"0\""));
}

#[test]
fn shared_modules_import_from_the_script_folder() {
    let dir = scratch();
    let r = diorama(
        dir.path(),
        &["run", path_str(&scenario("passing.rhai")), "--out", "o"],
    );
    assert_eq!(r.code, 0, "{}", r.describe());
    let report = read_json(&dir.path().join("o/report.json"));
    assert_eq!(report["profiles"][0]["name"], "demo");
    assert_eq!(report["profiles"][0]["niche"], "gaming");
}

#[test]
fn a_failed_expectation_exits_1_with_a_readable_message() {
    let dir = scratch();
    let r = diorama(
        dir.path(),
        &[
            "run",
            path_str(&scenario("failing.rhai")),
            "--junit",
            "j.xml",
            "--out",
            "o",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.describe());
    assert!(
        r.stdout.contains("FAIL a billion comments in two hours"),
        "{}",
        r.describe()
    );
    assert!(
        r.stdout.contains("failing.rhai:5:1"),
        "names the line: {}",
        r.describe()
    );
    assert!(r.stdout.contains("FAILED: 1 of 2 expectations failed"));
    let junit = std::fs::read_to_string(dir.path().join("j.xml")).unwrap();
    assert!(junit.contains("failures=\"1\""), "{junit}");
    assert!(junit.contains("<failure message=\"a billion comments in two hours\">"));
    assert_eq!(
        read_json(&dir.path().join("o/report.json"))["status"],
        "failed"
    );
}

#[test]
fn the_data_folder_and_store_survive_runs() {
    let dir = scratch();
    for _ in 0..2 {
        let r = diorama(
            dir.path(),
            &["run", path_str(&scenario("failing.rhai")), "--data", "db"],
        );
        assert_eq!(r.code, 1, "{}", r.describe());
    }
    assert!(dir.path().join("db").is_dir());
}

#[test]
fn each_run_is_recorded_with_its_seed_script_and_outcome() {
    let dir = scratch();
    let script = scenario("failing.rhai");
    let r = diorama(
        dir.path(),
        &["run", path_str(&script), "--data", "db", "--seed", "9"],
    );
    assert_eq!(r.code, 1, "{}", r.describe());
    let store = diorama::store::Store::open(&dir.path().join("db")).expect("the store opens");
    let run = store.run(1).expect("readable").expect("run 1 is recorded");
    assert_eq!(run["seed"], 9);
    assert_eq!(run["status"], "failed");
    assert_eq!(run["script"], path_str(&script));
    let expected = {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(std::fs::read(&script).unwrap()))
    };
    assert_eq!(run["script_sha256"], expected.as_str());
    assert_eq!(run["expectations"].as_array().map(Vec::len), Some(2));
    assert_eq!(run["expectations"][1]["passed"], false);
    assert!(store.run(2).expect("readable").is_none());
    // The profile the script created is stored too, with its events.
    let profiles = store.profiles().expect("profiles");
    assert_eq!(profiles.len(), 1);
    let (owner, record) = &profiles[0];
    assert_eq!(record["name"], "p1");
    assert!(store.last_seq(*owner).expect("readable").unwrap_or(0) > 0);
}

#[test]
fn stats_reads_a_runs_output_folder() {
    let dir = scratch();
    let r = diorama(
        dir.path(),
        &["run", path_str(&scenario("passing.rhai")), "--out", "o"],
    );
    assert_eq!(r.code, 0, "{}", r.describe());
    let r = diorama(dir.path(), &["stats", "o", "--json"]);
    assert_eq!(r.code, 0, "{}", r.describe());
    let st: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let events = read_lines(&dir.path().join("o/events.jsonl"));
    assert_eq!(st["events"].as_u64(), Some(events.len() as u64));
    let comments = events.iter().filter(|e| e["kind"] == "comment").count() as u64;
    assert_eq!(
        st["interactions"]["youtube"]["comment"].as_u64(),
        Some(comments)
    );
    assert_eq!(st["hours"]["histogram"].as_array().map(Vec::len), Some(24));
    assert!(st["engagement"][0]["median"].as_f64().unwrap() > 0.0);

    let text = diorama(dir.path(), &["stats", "o"]);
    assert_eq!(text.code, 0, "{}", text.describe());
    assert!(
        text.stdout.contains("Comment sentiment"),
        "{}",
        text.describe()
    );
    assert!(
        text.stdout.contains("Reaction delay"),
        "{}",
        text.describe()
    );

    let missing = diorama(dir.path(), &["stats", "nowhere"]);
    assert_eq!(missing.code, 2, "{}", missing.describe());
    assert!(missing.stderr.contains("nowhere"), "{}", missing.describe());
}

#[test]
fn progress_shows_on_a_terminal_and_stays_quiet_otherwise() {
    let dir = scratch();
    let script = scenario("realism.rhai");
    // Not a terminal: stderr carries no progress line.
    let quiet = diorama(dir.path(), &["run", path_str(&script), "--data", "quiet"]);
    assert_eq!(quiet.code, 0, "{}", quiet.describe());
    assert!(
        !quiet.stderr.contains("virtual time"),
        "{}",
        quiet.describe()
    );

    // A pseudo-terminal (util-linux `script`): the progress line appears.
    let command = format!(
        "{} run {} --data tty",
        env!("CARGO_BIN_EXE_diorama"),
        path_str(&script)
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir.path())
        .env("DIORAMA_CACHE_DIR", dir.path().join("cache"))
        .output()
        .expect("util-linux `script` runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("virtual time 2026-01-"), "{text}");
    assert!(text.contains("PASSED"), "{text}");
}
