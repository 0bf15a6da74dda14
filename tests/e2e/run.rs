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
    let run: serde_json::Value = store.run(1).expect("readable").expect("run 1 is recorded");
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
    assert!(store
        .run::<serde_json::Value>(2)
        .expect("readable")
        .is_none());
    // The profile the script created is stored too, with its events.
    let profiles = store.profiles::<serde_json::Value>().expect("profiles");
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

    // A reading sample: the lines asked for, each a real comment, reply or
    // DM of the log, with its post; the same lines every time.
    let sample = diorama(dir.path(), &["stats", "o", "--sample", "10"]);
    assert_eq!(sample.code, 0, "{}", sample.describe());
    let rows: Vec<&str> = sample
        .stdout
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect();
    let interactions = events
        .iter()
        .filter(|e| matches!(e["kind"].as_str(), Some("comment" | "reply" | "dm")))
        .count();
    assert_eq!(rows.len(), interactions.min(10), "{}", sample.stdout);
    for row in &rows {
        let text = row.split(" | ").nth(5).expect("six columns");
        let text = text.split("  [post: ").next().unwrap();
        assert!(
            events.iter().any(|e| e["text"].as_str().is_some_and(|t| t
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                == text)),
            "not in the log: {row}"
        );
    }
    assert!(
        rows.iter().any(|r| r.contains("[post: ")),
        "{}",
        sample.stdout
    );
    let again = diorama(dir.path(), &["stats", "o", "--sample", "10"]);
    assert_eq!(again.stdout, sample.stdout);
    for bad in ["0", "10001", "many"] {
        let r = diorama(dir.path(), &["stats", "o", "--sample", bad]);
        assert_eq!(r.code, 2, "--sample {bad}: {}", r.describe());
    }
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

#[test]
fn seeds_report_pass_rates_failing_seeds_and_distributions() {
    let dir = scratch();
    let script = scenario("seed_coin.rhai");
    let r = diorama(
        dir.path(),
        &[
            "run",
            path_str(&script),
            "--seeds",
            "1..10,12",
            "--report",
            "seeds.json",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.describe());
    // Multiples of 3 among 1..10 and 12: 3, 6, 9, 12.
    assert!(
        r.stdout.contains("100.0%  11/11  always holds"),
        "{}",
        r.describe()
    );
    assert!(
        r.stdout
            .contains("63.6%  7/11  the seed is not a multiple of 3  ("),
        "{}",
        r.describe()
    );
    assert!(
        r.stdout.contains("failed on seeds 3, 6, 9, 12"),
        "{}",
        r.describe()
    );
    // seed: 1..10, 12 → min 1, median (6th of 11) 6, p90 (10th) 10, max 12.
    assert!(
        r.stdout.contains("    seed  1  6  10  12  (11 seeds)"),
        "{}",
        r.describe()
    );
    assert!(
        r.stdout
            .contains("    even  -  -  -  -  (6 seeds, 6 not numbers)"),
        "{}",
        r.describe()
    );
    assert!(
        r.stdout.contains(
            "FAILED: 1 of 2 expectations failed on some seeds (4 of 11 seeds failed: 3, 6, 9, 12)"
        ),
        "{}",
        r.describe()
    );

    let json = read_json(&dir.path().join("seeds.json"));
    assert_eq!(json["status"], "failed");
    assert_eq!(json["count"], 11);
    assert_eq!(
        (json["passed"].as_u64(), json["failed"].as_u64()),
        (Some(7), Some(4))
    );
    let e = &json["expectations"][1];
    assert_eq!(e["message"], "the seed is not a multiple of 3");
    assert_eq!(e["runs"], 11);
    assert_eq!(e["held"], 7);
    assert_eq!(e["failed_seeds"], serde_json::json!([3, 6, 9, 12]));
    let tenth = &json["values"][1];
    assert_eq!(tenth["name"], "tenth");
    assert_eq!(
        (
            &tenth["min"],
            &tenth["median"],
            &tenth["p90"],
            &tenth["max"]
        ),
        (
            &serde_json::json!(0),
            &serde_json::json!(0),
            &serde_json::json!(1),
            &serde_json::json!(1)
        )
    );
    let seeds: Vec<u64> = json["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seed"].as_u64().unwrap())
        .collect();
    assert_eq!(seeds, vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]);

    // `--json` prints the same document; the thread count changes nothing.
    let one = diorama(
        dir.path(),
        &[
            "run",
            path_str(&script),
            "--seeds",
            "12,1..10",
            "--json",
            "--jobs",
            "1",
        ],
    );
    let four = diorama(
        dir.path(),
        &[
            "run",
            path_str(&script),
            "--seeds",
            "1..10,12",
            "--json",
            "--jobs",
            "4",
        ],
    );
    assert_eq!(one.code, 1, "{}", one.describe());
    let parsed: serde_json::Value = serde_json::from_str(&one.stdout).expect("JSON on stdout");
    assert_eq!(parsed["expectations"], json["expectations"]);
    assert_eq!(parsed["values"], json["values"]);
    assert_eq!(
        one.stdout.replace("12,1..10", "1..10,12"),
        four.stdout,
        "same output whatever the threads"
    );
}

#[test]
fn an_error_on_one_seed_exits_2_and_is_reported_for_that_seed() {
    let dir = scratch();
    let r = diorama(
        dir.path(),
        &[
            "run",
            path_str(&scenario("seed_error.rhai")),
            "--seeds",
            "5..8",
            "--json",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.describe());
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(json["status"], "error");
    assert_eq!(json["errors"], 1);
    let runs = json["runs"].as_array().unwrap();
    assert_eq!(runs[2]["seed"], 7);
    assert_eq!(runs[2]["status"], "error");
    assert!(
        runs[2]["error"]
            .as_str()
            .is_some_and(|e| e.contains("seven is unlucky") && e.contains("seed_error.rhai:3:")),
        "{json}"
    );
    assert!(runs
        .iter()
        .filter(|r| r["seed"] != 7)
        .all(|r| r["status"] == "passed"));
    assert_eq!(json["values"][0]["count"], 3, "seed 7 reported nothing");

    let text = diorama(
        dir.path(),
        &[
            "run",
            path_str(&scenario("seed_error.rhai")),
            "--seeds",
            "5..8",
        ],
    );
    assert_eq!(text.code, 2, "{}", text.describe());
    assert!(text.stdout.contains("    seed 7: "), "{}", text.describe());
    assert!(
        text.stdout
            .contains("ERROR: 1 of 4 seeds stopped on an error (seeds 7)"),
        "{}",
        text.describe()
    );
}

#[test]
fn each_seed_runs_on_its_own_store_like_a_single_run() {
    let dir = scratch();
    let script = scenario("passing.rhai");
    let r = diorama(
        dir.path(),
        &[
            "run",
            path_str(&script),
            "--seeds",
            "2..3",
            "--out",
            "many",
            "--data",
            "db",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.describe());
    assert!(r.stdout.contains("PASSED"), "{}", r.describe());
    let single = diorama(
        dir.path(),
        &[
            "run",
            path_str(&script),
            "--seed",
            "3",
            "--out",
            "one",
            "--data",
            "db1",
        ],
    );
    assert_eq!(single.code, 0, "{}", single.describe());
    let read = |p: &str| std::fs::read(dir.path().join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    assert_eq!(
        read("many/seed-3/events.jsonl"),
        read("one/events.jsonl"),
        "seed 3 among others gives the same events as seed 3 alone"
    );
    assert!(dir.path().join("many/seed-2/report.json").is_file());
    assert_eq!(read_json(&dir.path().join("many/seeds.json"))["count"], 2);
    // The data folder records the whole run once.
    let store = diorama::store::Store::open(&dir.path().join("db")).expect("the store opens");
    let run: serde_json::Value = store
        .run(1)
        .expect("readable")
        .expect("the run is recorded");
    assert_eq!(run["seeds"], "2..3");
    assert_eq!(run["status"], "passed");
    assert_eq!(run["runs"].as_array().map(Vec::len), Some(2));
    assert!(store
        .run::<serde_json::Value>(2)
        .expect("readable")
        .is_none());
    assert!(
        store
            .profiles::<serde_json::Value>()
            .expect("profiles")
            .is_empty(),
        "seeds used their own stores"
    );
}

#[test]
fn bad_seed_lists_and_flags_are_refused() {
    let dir = scratch();
    let script = scenario("passing.rhai");
    for (args, says) in [
        (vec!["--seeds", "5..1"], "empty range"),
        (vec!["--seeds", "1..20000"], "more than 10000 seeds"),
        (vec!["--seeds", "a,b"], "is not a seed"),
        (vec!["--seeds", "1..3", "--seed", "4"], "--seed"),
        (vec!["--seeds", "1..3", "--junit", "j.xml"], "--junit"),
        (vec!["--seeds", "1..3", "--jobs", "0"], "--jobs"),
        (vec!["--json"], "--seeds"),
    ] {
        let mut all = vec!["run", path_str(&script)];
        all.extend(args.iter().copied());
        let r = diorama(dir.path(), &all);
        assert_eq!(r.code, 2, "{args:?}: {}", r.describe());
        assert!(
            r.stderr.contains(says),
            "{args:?} says {says}: {}",
            r.describe()
        );
    }
}
