//! API fuzzing: schemathesis generates requests from the OpenAPI document
//! that `diorama serve` publishes and sends them to the real server, once
//! with the admin token and once with a profile token. Every answer must be
//! a non-5xx whose status, content type and body match the document.
//!
//! Schemathesis is a Python program; the test installs the pinned version
//! from `tests/fuzz/requirements.txt` into a virtual environment in the
//! build directory the first time it runs (and again when the pin changes).
//! A machine without `python3` fails this test with a message saying so.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::common::{python_venv, root};
use crate::serve::{Server, ADMIN};

/// Examples per operation and phase: enough to reach every validation path
/// of our small bodies, small enough to keep the run near a minute.
const MAX_EXAMPLES: &str = "30";
/// The fuzzer's seed: the same requests on every run.
const SEED: &str = "20261202";

/// The schemathesis executable, installed on first use.
fn schemathesis() -> PathBuf {
    let exe = python_venv("fuzz-venv", "tests/fuzz/requirements.txt").join("bin/schemathesis");
    assert!(exe.exists(), "pip installed no schemathesis executable");
    exe
}

/// What one schemathesis run found: (operations, test cases, failures).
fn fuzz(
    server: &Server,
    token: &str,
    (profile, spare): (&str, &str),
    label: &str,
    out: &Path,
) -> (u64, u64, u64) {
    let exe = schemathesis();
    let report = out.join(format!("{label}.ndjson"));
    let junit = out.join(format!("{label}.xml"));
    let output = Command::new(&exe)
        .arg("--config-file")
        .arg(root().join("tests/fuzz/schemathesis.toml"))
        .arg("run")
        .arg(server.url("/v1/openapi.json"))
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        ])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", MAX_EXAMPLES, "--seed", SEED])
        .args(["--workers", "1", "--request-timeout", "20", "--no-shrink"])
        // A stream never ends by design; it is tested in `serve::stream`.
        .args(["--exclude-path-regex", "/stream$"])
        .args(["--report", "ndjson,junit"])
        .arg("--report-ndjson-path")
        .arg(&report)
        .arg("--report-junit-path")
        .arg(&junit)
        .env("DIORAMA_FUZZ_PROFILE", profile)
        .env("DIORAMA_FUZZ_SPARE", spare)
        .env("NO_COLOR", "1")
        .current_dir(out)
        .output()
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "schemathesis ({label} token) found problems ({})\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n--- server log\n{}",
        output.status,
        server.log()
    );
    let xml = std::fs::read_to_string(&junit).expect("the JUnit report");
    let attr = |name: &str| -> u64 {
        let key = format!(" {name}=\"");
        xml.find("<testsuite ")
            .and_then(|i| xml[i..].find(&key).map(|j| i + j + key.len()))
            .and_then(|start| {
                xml[start..]
                    .find('"')
                    .and_then(|end| xml[start..start + end].parse().ok())
            })
            .unwrap_or_else(|| panic!("the JUnit report has no {name} count:\n{xml}"))
    };
    let operations = attr("tests");
    let failures = attr("failures") + attr("errors");
    let cases = std::fs::read_to_string(&report)
        .expect("the ndjson report")
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| {
            v.get("ScenarioFinished")
                .and_then(|s| s.get("recorder"))
                .and_then(|r| r.get("cases"))
                .and_then(|c| c.as_object())
                .map(|c| c.len() as u64)
        })
        .sum();
    (operations, cases, failures)
}

#[test]
fn the_openapi_document_survives_fuzzing_with_both_tokens() {
    let server = Server::start();
    let profile = server.create(json!({
        "niche": "tech", "size": 20000, "speed": 600
    }));
    let spare = server.create(json!({ "niche": "gaming", "size": 5000 }));
    let out = tempfile::tempdir().expect("a scratch folder");
    for (label, token) in [("admin", ADMIN), ("profile", profile.token.as_str())] {
        let ids = (profile.id.as_str(), spare.id.as_str());
        let (operations, cases, failures) = fuzz(&server, token, ids, label, out.path());
        eprintln!(
            "schemathesis, {label} token: {operations} operations, {cases} test cases, {failures} failures"
        );
        assert!(
            operations >= 10,
            "the fuzzer reached only {operations} operations"
        );
        assert!(
            cases > operations,
            "the fuzzer sent only {cases} test cases"
        );
        assert_eq!(failures, 0);
    }
    // The server still answers after everything the fuzzer sent.
    server.get("/healthz", ADMIN).expect(200);
}
