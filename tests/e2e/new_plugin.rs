//! `diorama new-plugin`: a plugin crate made in a folder outside the
//! workspace passes its own tests, builds to a component with its one
//! command, and that component loads with `--plugins` and runs the crate's
//! scenario.
//!
//! The crate's builds share one target folder under this build's
//! (`target/tmp/new-plugin`), so only the first run compiles its
//! dependencies (they come from the registry, at the versions of the
//! workspace's lock file that the crate carries).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::common::*;

/// Run `cargo ARGS` in `dir` as a plugin author would: nothing of this
/// build's environment (flags, target folder, the variables cargo sets for
/// tests) leaks in; the target folder is the shared one.
fn cargo(dir: &Path, args: &[&str]) -> Run {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut cmd = Command::new(cargo);
    cmd.args(args).current_dir(dir);
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        let leaks = (key.starts_with("CARGO_") && key != "CARGO_HOME")
            || key.starts_with("RUSTC")
            || matches!(key, "RUSTFLAGS" | "RUSTDOCFLAGS" | "DIORAMA_LOG");
        if leaks {
            cmd.env_remove(key);
        }
    }
    cmd.env("CARGO_TARGET_DIR", shared_target());
    let out = cmd.output().expect("cargo runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn shared_target() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("new-plugin")
}

#[test]
fn a_new_plugin_tests_builds_loads_and_runs_its_scenario_outside_the_workspace() {
    let scratch = scratch();
    assert!(
        !scratch.path().starts_with(root()),
        "the scratch folder must be outside the workspace"
    );
    let r = diorama(scratch.path(), &["new-plugin", "mastodon"]);
    assert_eq!(r.code, 0, "{}", r.describe());
    assert!(r.stdout.contains("cargo build-plugin"), "{}", r.describe());
    let krate = scratch.path().join("mastodon");

    let started = Instant::now();
    let test = cargo(&krate, &["test"]);
    assert_eq!(
        test.code,
        0,
        "cargo test in the new crate\n{}",
        test.describe()
    );
    assert!(
        test.stdout.contains("test result: ok"),
        "{}",
        test.describe()
    );
    let tested = started.elapsed();

    let build = cargo(&krate, &["build-plugin"]);
    assert_eq!(build.code, 0, "cargo build-plugin\n{}", build.describe());
    let built = started.elapsed() - tested;
    let components = shared_target().join("wasm32-wasip2/plugin");
    let component = components.join("mastodon.wasm");
    assert!(component.is_file(), "{} is missing", component.display());
    eprintln!(
        "new plugin: cargo test {:.1} s, cargo build-plugin {:.1} s",
        tested.as_secs_f64(),
        built.as_secs_f64()
    );

    let plugins = path_str(&components);
    let listed = diorama(&krate, &["plugins", "--plugins", plugins, "--json"]);
    assert_eq!(listed.code, 0, "{}", listed.describe());
    let list: serde_json::Value = serde_json::from_str(&listed.stdout).expect("JSON");
    let mastodon = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "mastodon")
        .unwrap_or_else(|| panic!("mastodon is not listed\n{}", listed.describe()));
    assert!(
        mastodon["source"]
            .as_str()
            .unwrap()
            .ends_with("mastodon.wasm"),
        "{mastodon}"
    );
    assert_eq!(mastodon["interface"], diorama_sdk::INTERFACE_VERSION);
    assert_eq!(mastodon["content_kinds"], serde_json::json!(["post"]));
    assert_eq!(mastodon["actions"], serde_json::json!(["publish"]));

    let run = |out: &str| {
        diorama(
            &krate,
            &[
                "run",
                "scenarios/smoke.rhai",
                "--plugins",
                plugins,
                "--out",
                out,
                "--data",
                &format!("{out}-data"),
            ],
        )
    };
    let r = run("out");
    assert_eq!(r.code, 0, "the smoke scenario\n{}", r.describe());
    assert!(r.stdout.contains("PASSED"), "{}", r.describe());
    let report = read_json(&krate.join("out/report.json"));
    let expectations = report["expectations"].as_array().unwrap();
    assert_eq!(expectations.len(), 5, "{report}");
    assert!(expectations.iter().all(|e| e["passed"] == true), "{report}");
    let events = read_lines(&krate.join("out/events.jsonl"));
    assert!(!events.is_empty());
    assert!(
        events.iter().all(|e| e["platform"] == "mastodon"),
        "every event comes from the new platform"
    );
    let count = |ty: &str, kind: &str| {
        events
            .iter()
            .filter(|e| e["type"] == ty && e["kind"] == kind)
            .count()
    };
    assert!(count("content", "post") >= 2, "posts");
    assert!(count("interaction", "comment") > 10, "comments");
    assert!(count("metric", "views") > 0, "views");

    // The same scenario and seed give the same bytes through the component.
    let again = run("again");
    assert_eq!(again.code, 0, "{}", again.describe());
    assert_eq!(
        std::fs::read(krate.join("out/events.jsonl")).unwrap(),
        std::fs::read(krate.join("again/events.jsonl")).unwrap()
    );
}

#[test]
fn new_plugin_refuses_bad_names_and_occupied_folders() {
    let scratch = scratch();
    for bad in ["Mastodon", "my-site", "2site", "fn", "diorama"] {
        let r = diorama(scratch.path(), &["new-plugin", bad]);
        assert_eq!(r.code, 2, "{bad}\n{}", r.describe());
        assert!(
            r.stderr
                .contains(&format!("`{bad}` cannot name a platform")),
            "{}",
            r.describe()
        );
    }
    let dir = path_str(scratch.path());
    let r = diorama(
        scratch.path(),
        &["new-plugin", "site", "--dir", "nested/plugins"],
    );
    assert_eq!(r.code, 0, "{}", r.describe());
    assert!(scratch
        .path()
        .join("nested/plugins/site/src/lib.rs")
        .is_file());
    let r = diorama(
        scratch.path(),
        &["new-plugin", "site", "--dir", "nested/plugins"],
    );
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("already exists"), "{}", r.describe());
    // An empty folder of that name is fine.
    std::fs::create_dir(scratch.path().join("empty")).unwrap();
    let r = diorama(scratch.path(), &["new-plugin", "empty", "--dir", dir]);
    assert_eq!(r.code, 0, "{}", r.describe());
    let r = diorama(scratch.path(), &["new-plugin"]);
    assert_eq!(r.code, 2, "{}", r.describe());
    // Nothing but the crates is left in the folders.
    let mut names: Vec<String> = std::fs::read_dir(scratch.path().join("nested/plugins"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["site"]);
}
