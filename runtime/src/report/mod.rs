//! What a run leaves behind for people and CI systems: `events.jsonl` (one
//! event per line, in event order, stable key order), `report.json` and a
//! JUnit XML report. Everything here is a pure function of the run, so the
//! same scenario and seed give the same bytes.

mod jsonl;
mod junit;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::event::{time, EventCounts};

pub use jsonl::JsonlWriter;
pub use junit::junit_xml;

/// One `expect(condition, message)` of a script.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Expectation {
    pub message: String,
    pub passed: bool,
    /// Where in the script (`file:line:column`).
    pub at: String,
}

/// One `report(name, value)` of a script.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ReportedValue {
    pub name: String,
    pub value: serde_json::Value,
}

/// The outcome of a run.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Every expectation held.
    Passed,
    /// At least one expectation failed.
    Failed,
    /// The run stopped on an error.
    Error,
}

impl RunStatus {
    /// The exit code `diorama run` ends with.
    pub fn exit_code(self) -> i32 {
        match self {
            RunStatus::Passed => 0,
            RunStatus::Failed => 1,
            RunStatus::Error => 2,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ProfileSummary {
    pub name: String,
    pub niche: String,
    pub timezone: String,
    pub platforms: BTreeMap<String, serde_json::Value>,
}

/// `report.json`.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    pub diorama: String,
    pub script: String,
    pub seed: u64,
    pub status: RunStatus,
    pub start: String,
    pub end: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub virtual_duration: String,
    pub events: u64,
    /// platform → type → kind → count.
    pub counts: EventCounts,
    pub profiles: Vec<ProfileSummary>,
    pub expectations: Vec<Expectation>,
    pub values: Vec<ReportedValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl RunReport {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        script: String,
        seed: u64,
        start_ms: i64,
        end_ms: i64,
        events: u64,
        counts: EventCounts,
        profiles: Vec<ProfileSummary>,
        expectations: Vec<Expectation>,
        values: Vec<ReportedValue>,
        error: Option<String>,
    ) -> RunReport {
        let status = if error.is_some() {
            RunStatus::Error
        } else if expectations.iter().all(|e| e.passed) {
            RunStatus::Passed
        } else {
            RunStatus::Failed
        };
        RunReport {
            diorama: env!("CARGO_PKG_VERSION").to_string(),
            script,
            seed,
            status,
            start: time::format_instant(start_ms),
            end: time::format_instant(end_ms),
            start_ms,
            end_ms,
            virtual_duration: time::format_duration(end_ms - start_ms),
            events,
            counts,
            profiles,
            expectations,
            values,
            error,
        }
    }

    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The summary `diorama run` prints on stdout.
    pub fn summary(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{}  seed {}  {} -> {} ({} virtual)",
            self.script, self.seed, self.start, self.end, self.virtual_duration
        );
        for e in &self.expectations {
            let mark = if e.passed { "ok  " } else { "FAIL" };
            let _ = writeln!(s, "  {mark} {}  ({})", e.message, e.at);
        }
        for v in &self.values {
            let _ = writeln!(s, "  {} = {}", v.name, v.value);
        }
        let mut per_platform = Vec::new();
        for (platform, types) in &self.counts {
            let n: u64 = types.values().flat_map(|k| k.values()).sum();
            per_platform.push(format!("{platform} {n}"));
        }
        let _ = writeln!(
            s,
            "  events: {}{}",
            self.events,
            if per_platform.is_empty() {
                String::new()
            } else {
                format!(" ({})", per_platform.join(", "))
            }
        );
        let failed = self.expectations.iter().filter(|e| !e.passed).count();
        let verdict = match self.status {
            RunStatus::Passed => format!("PASSED: {} expectations held", self.expectations.len()),
            RunStatus::Failed => format!(
                "FAILED: {failed} of {} expectations failed",
                self.expectations.len()
            ),
            RunStatus::Error => format!(
                "ERROR: {}",
                self.error
                    .as_deref()
                    .unwrap_or("the run stopped on an error")
            ),
        };
        let _ = writeln!(s, "{verdict}");
        s
    }

    /// Write `report.json` into `dir`.
    pub fn write_json(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::write(dir.join("report.json"), self.to_json())
    }
}
