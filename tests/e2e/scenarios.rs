//! Every ready scenario in `scenarios/` runs green, on several seeds: a
//! scenario states the phenomenon it shows, so it must hold whatever the
//! seed, not only on the default one.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::common::*;

/// A few seeds besides the default (42); the whole range 1..100 is checked
/// by hand. Among them are seeds on which earlier versions of viral_spike
/// (1, 2, 4), troll_wave and product_launch (6) and shadowban (17) failed,
/// while the suite's time stays reasonable (about half a minute).
const SEEDS: &[u64] = &[1, 2, 3, 4, 5, 6, 17, 42];

fn ready_scenarios() -> Vec<PathBuf> {
    let mut names: Vec<_> = std::fs::read_dir(root().join("scenarios"))
        .expect("the scenarios folder")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rhai"))
        .collect();
    names.sort();
    names
}

/// The seed each ready scenario runs twice with, to check it gives the
/// same bytes both times.
const REPEATED: u64 = 1;

/// Runs of the binary at the same time (each one is single-threaded).
const WORKERS: usize = 2;

/// What one run of a scenario gave.
struct Outcome {
    /// What went wrong, naming the scenario, the seed and each failed
    /// expectation; `None` when every expectation held.
    failure: Option<String>,
    /// `events.jsonl` then `report.json`.
    output: Vec<u8>,
}

fn check(script: &Path, seed: u64) -> Outcome {
    let dir = scratch();
    let seed_arg = seed.to_string();
    let r = diorama(
        dir.path(),
        &["run", path_str(script), "--seed", &seed_arg, "--out", "o"],
    );
    let name = script.file_stem().and_then(|s| s.to_str()).unwrap_or("?");
    let report = dir.path().join("o/report.json");
    let mut output = std::fs::read(dir.path().join("o/events.jsonl")).unwrap_or_default();
    output.extend(std::fs::read(&report).unwrap_or_default());
    if r.code == 0 {
        return Outcome {
            failure: None,
            output,
        };
    }
    let failed: Vec<String> = if r.code == 1 && report.is_file() {
        read_json(&report)["expectations"]
            .as_array()
            .map(|list| {
                list.iter()
                    .filter(|e| e["passed"] != true)
                    .map(|e| format!("    expectation failed: {} ({})", e["message"], e["at"]))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    Outcome {
        failure: Some(format!(
            "{name} seed {seed}: exit {}\n{}\n{}",
            r.code,
            failed.join("\n"),
            r.describe()
        )),
        output,
    }
}

#[test]
fn every_ready_scenario_passes_on_several_seeds_and_repeats_itself() {
    let names = ready_scenarios();
    assert!(names.len() >= 9, "the scenario library: {names:?}");
    for script in &names {
        let head = std::fs::read_to_string(script).unwrap();
        assert!(
            head.starts_with("// "),
            "{} is documented at its top",
            script.display()
        );
    }
    // Every (scenario, seed), and the repeated seed once more.
    let jobs: Vec<(&PathBuf, u64)> = names
        .iter()
        .flat_map(|s| {
            SEEDS
                .iter()
                .chain(std::iter::once(&REPEATED))
                .map(move |&seed| (s, seed))
        })
        .collect();
    let next = Mutex::new(jobs.iter());
    let done = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| loop {
                let job = next.lock().unwrap().next();
                let Some(&(script, seed)) = job else { break };
                let outcome = check(script, seed);
                done.lock().unwrap().push((script, seed, outcome));
            });
        }
    });
    let mut done = done.into_inner().unwrap();
    done.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut failures: Vec<String> = done
        .iter()
        .filter_map(|(_, _, o)| o.failure.clone())
        .collect();
    failures.dedup();
    for script in &names {
        let twice: Vec<&Outcome> = done
            .iter()
            .filter(|(s, seed, _)| s == &script && *seed == REPEATED)
            .map(|(_, _, o)| o)
            .collect();
        assert_eq!(twice.len(), 2);
        assert!(
            !twice[0].output.is_empty(),
            "{} seed {REPEATED} wrote its output",
            script.display()
        );
        if twice[0].output != twice[1].output {
            failures.push(format!(
                "{} seed {REPEATED}: two runs gave different events.jsonl or report.json",
                script.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} runs failed:\n\n{}",
        failures.len(),
        jobs.len(),
        failures.join("\n\n")
    );
}

/// Expectations that hold whether or not the phenomenon happened prove
/// nothing: each ready scenario that perturbs the simulation fails once
/// its signals are taken out.
#[test]
fn a_ready_scenario_without_its_signals_fails() {
    let dir = scratch();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    std::fs::copy(
        root().join("scenarios/lib/common.rhai"),
        lib.join("common.rhai"),
    )
    .unwrap();
    let perturbing = [
        "brand_deal_flood",
        "controversy",
        "facebook_angry_wave",
        "facebook_restriction",
        "milestone",
        "shadowban",
        "troll_wave",
        "viral_spike",
    ];
    let mut held = Vec::new();
    for name in perturbing {
        let text = std::fs::read_to_string(root().join(format!("scenarios/{name}.rhai"))).unwrap();
        let is_signal = |line: &str| {
            let t = line.trim_start();
            t.starts_with("viral(") || t.starts_with("signal(") || t.starts_with("p.signal(")
        };
        assert!(text.lines().any(is_signal), "{name} sends a signal");
        let calm: Vec<&str> = text.lines().filter(|l| !is_signal(l)).collect();
        let script = dir.path().join(format!("{name}.rhai"));
        std::fs::write(&script, calm.join("\n")).unwrap();
        let data = dir.path().join(format!("data-{name}"));
        let r = diorama(
            dir.path(),
            &["run", path_str(&script), "--data", path_str(&data)],
        );
        if r.code != 1 {
            held.push(format!("{name} without its signals: {}", r.describe()));
        }
    }
    assert!(held.is_empty(), "{}", held.join("\n\n"));
}
