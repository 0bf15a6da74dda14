//! The report across seeds: each expectation's pass rate and failing
//! seeds, the spread of every reported value, seed by seed outcomes; as
//! JSON and as text.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::SeedRun;
use crate::report::RunStatus;

/// The most failing seeds the text report lists for one expectation
/// (the JSON report lists them all).
const LISTED_SEEDS: usize = 20;

/// The report across seeds (`--json`, `--report`, `seeds.json`).
#[derive(Serialize)]
pub(super) struct Summary {
    script: String,
    seeds: String,
    pub status: RunStatus,
    /// How many seeds ran, passed, failed an expectation, stopped on an error.
    count: usize,
    passed: usize,
    failed: usize,
    errors: usize,
    expectations: Vec<ExpectationSummary>,
    values: Vec<ValueSummary>,
    /// Seed by seed, in seed order.
    pub runs: Vec<RunSummary>,
}

#[derive(Serialize)]
struct ExpectationSummary {
    message: String,
    at: String,
    /// Seeds that reached the expectation, and those on which it held
    /// every time.
    runs: usize,
    held: usize,
    pass_rate: f64,
    failed_seeds: Vec<u64>,
}

#[derive(Serialize)]
struct ValueSummary {
    name: String,
    /// Seeds that reported it (the last value of each seed counts).
    count: usize,
    /// Of those, the numbers the distribution is over.
    numeric: usize,
    min: Option<Value>,
    median: Option<Value>,
    p90: Option<Value>,
    max: Option<Value>,
}

#[derive(Serialize)]
pub(super) struct RunSummary {
    pub seed: u64,
    pub status: RunStatus,
    pub events: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Summary {
    pub fn new(script: &str, spec: &str, runs: &[SeedRun]) -> Summary {
        // Expectations and values keyed by first appearance, scanning the
        // seeds in order: the order is the script's, whatever the threads did.
        let mut exp_order: Vec<(String, String)> = Vec::new();
        let mut exps: BTreeMap<(String, String), (usize, usize, Vec<u64>)> = BTreeMap::new();
        let mut val_order: Vec<String> = Vec::new();
        let mut vals: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for run in runs {
            let Some(report) = &run.report else { continue };
            let mut outcome: BTreeMap<(String, String), bool> = BTreeMap::new();
            for e in &report.expectations {
                let key = (e.at.clone(), e.message.clone());
                if !exps.contains_key(&key) && !outcome.contains_key(&key) {
                    exp_order.push(key.clone());
                }
                *outcome.entry(key).or_insert(true) &= e.passed;
            }
            for (key, held) in outcome {
                let entry = exps.entry(key).or_insert((0, 0, Vec::new()));
                entry.0 += 1;
                if held {
                    entry.1 += 1;
                } else {
                    entry.2.push(run.seed);
                }
            }
            let mut last: BTreeMap<&str, &Value> = BTreeMap::new();
            for v in &report.values {
                if !vals.contains_key(&v.name) && !last.contains_key(v.name.as_str()) {
                    val_order.push(v.name.clone());
                }
                last.insert(&v.name, &v.value);
            }
            for (name, value) in last {
                vals.entry(name.to_string())
                    .or_default()
                    .push(value.clone());
            }
        }
        let expectations = exp_order
            .into_iter()
            .map(|key| {
                let (runs, held, failed_seeds) = exps.remove(&key).unwrap_or_default();
                ExpectationSummary {
                    message: key.1,
                    at: key.0,
                    runs,
                    held,
                    pass_rate: if runs == 0 {
                        0.0
                    } else {
                        held as f64 / runs as f64
                    },
                    failed_seeds,
                }
            })
            .collect();
        let values = val_order
            .into_iter()
            .map(|name| {
                let samples = vals.remove(&name).unwrap_or_default();
                distribution(name, &samples)
            })
            .collect();
        let runs: Vec<RunSummary> = runs
            .iter()
            .map(|r| RunSummary {
                seed: r.seed,
                status: r.status(),
                events: r.report.as_ref().map_or(0, |r| r.events),
                error: r.error.clone(),
            })
            .collect();
        let count_of = |s: RunStatus| runs.iter().filter(|r| r.status == s).count();
        let (passed, failed, errors) = (
            count_of(RunStatus::Passed),
            count_of(RunStatus::Failed),
            count_of(RunStatus::Error),
        );
        let status = if errors > 0 {
            RunStatus::Error
        } else if failed > 0 {
            RunStatus::Failed
        } else {
            RunStatus::Passed
        };
        Summary {
            script: script.to_string(),
            seeds: spec.to_string(),
            status,
            count: runs.len(),
            passed,
            failed,
            errors,
            expectations,
            values,
            runs,
        }
    }

    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialising cannot fail.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    pub fn text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{}  seeds {} ({} runs)",
            self.script, self.seeds, self.count
        );
        if !self.expectations.is_empty() {
            let _ = writeln!(s, "  expectations (held on / reached by seeds):");
        }
        for e in &self.expectations {
            let _ = write!(
                s,
                "    {:>6.1}%  {}/{}  {}  ({})",
                e.pass_rate * 100.0,
                e.held,
                e.runs,
                e.message,
                e.at
            );
            if !e.failed_seeds.is_empty() {
                let _ = write!(s, "  failed on seeds {}", seed_list(&e.failed_seeds));
            }
            s.push('\n');
        }
        if !self.values.is_empty() {
            let _ = writeln!(s, "  values (over seeds: min, median, p90, max):");
        }
        for v in &self.values {
            let show = |x: &Option<Value>| x.as_ref().map_or("-".to_string(), Value::to_string);
            let _ = write!(
                s,
                "    {}  {}  {}  {}  {}  ({} seeds",
                v.name,
                show(&v.min),
                show(&v.median),
                show(&v.p90),
                show(&v.max),
                v.count
            );
            if v.numeric < v.count {
                let _ = write!(s, ", {} not numbers", v.count - v.numeric);
            }
            s.push_str(")\n");
        }
        let errors: Vec<&RunSummary> = self.runs.iter().filter(|r| r.error.is_some()).collect();
        if !errors.is_empty() {
            let _ = writeln!(s, "  errors:");
        }
        for r in &errors {
            let message = r.error.as_deref().unwrap_or_default();
            let first = message.lines().next().unwrap_or_default();
            let _ = writeln!(s, "    seed {}: {first}", r.seed);
        }
        let seeds_of = |st: RunStatus| -> Vec<u64> {
            self.runs
                .iter()
                .filter(|r| r.status == st)
                .map(|r| r.seed)
                .collect()
        };
        let verdict = match self.status {
            RunStatus::Passed => format!(
                "PASSED: {} expectations held on all {} seeds",
                self.expectations.len(),
                self.count
            ),
            RunStatus::Failed => {
                let failing = self
                    .expectations
                    .iter()
                    .filter(|e| !e.failed_seeds.is_empty())
                    .count();
                format!(
                    "FAILED: {failing} of {} expectations failed on some seeds ({} of {} seeds failed: {})",
                    self.expectations.len(),
                    self.failed,
                    self.count,
                    seed_list(&seeds_of(RunStatus::Failed))
                )
            }
            RunStatus::Error => {
                let mut v = format!(
                    "ERROR: {} of {} seeds stopped on an error (seeds {})",
                    self.errors,
                    self.count,
                    seed_list(&seeds_of(RunStatus::Error))
                );
                if self.failed > 0 {
                    let _ = write!(
                        v,
                        "; {} failed an expectation (seeds {})",
                        self.failed,
                        seed_list(&seeds_of(RunStatus::Failed))
                    );
                }
                v
            }
        };
        let _ = writeln!(s, "{verdict}");
        s
    }
}

/// `3, 7, 12`, cut after [`LISTED_SEEDS`].
fn seed_list(seeds: &[u64]) -> String {
    let mut parts: Vec<String> = seeds
        .iter()
        .take(LISTED_SEEDS)
        .map(u64::to_string)
        .collect();
    if seeds.len() > LISTED_SEEDS {
        parts.push(format!("and {} more", seeds.len() - LISTED_SEEDS));
    }
    parts.join(", ")
}

/// Min, median, p90 and max of the numbers among `samples`, by the
/// nearest-rank method: each is one of the samples, so integers stay
/// integers.
fn distribution(name: String, samples: &[Value]) -> ValueSummary {
    let mut numbers: Vec<(f64, &Value)> = samples
        .iter()
        .filter_map(|v| v.as_f64().map(|f| (f, v)))
        .collect();
    numbers.sort_by(|a, b| a.0.total_cmp(&b.0));
    let rank = |q: f64| -> Option<Value> {
        if numbers.is_empty() {
            return None;
        }
        let n = numbers.len();
        let i = ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
        Some(numbers[i].1.clone())
    };
    ValueSummary {
        name,
        count: samples.len(),
        numeric: numbers.len(),
        min: rank(0.0),
        median: rank(0.5),
        p90: rank(0.9),
        max: rank(1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distributions_use_nearest_ranks() {
        let samples: Vec<Value> = (1..=10).rev().map(Value::from).collect();
        let d = distribution("v".into(), &samples);
        assert_eq!(d.min, Some(Value::from(1)));
        assert_eq!(d.median, Some(Value::from(5)));
        assert_eq!(d.p90, Some(Value::from(9)));
        assert_eq!(d.max, Some(Value::from(10)));
        let d = distribution("v".into(), &[Value::from("a"), Value::from(2.5)]);
        assert_eq!((d.count, d.numeric), (2, 1));
        assert_eq!(d.median, Some(Value::from(2.5)));
        let d = distribution("v".into(), &[Value::from("a")]);
        assert_eq!(d.min, None);
    }
}
