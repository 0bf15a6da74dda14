//! `diorama run SCRIPT --seeds 1..100`: the scenario once per seed, in
//! parallel, and what held across the seeds: each expectation's pass rate
//! and the seeds that failed it, the errors, and the distribution of every
//! reported value.
//!
//! Each seed runs on its own fresh store in a temporary folder (removed
//! when the seed is done), so seeds share nothing and may run in any order
//! on any thread: a seed's outcome is the one `run --seed N` gives on a new
//! data folder. The data folder (`--data`) records the whole run once.
//! Everything printed is sorted by seed and by first appearance, never by
//! which thread finished first.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};

mod summary;

use super::fail;
use super::run::{write_file, Job, Once, RunError};
use crate::report::{RunReport, RunStatus};
use crate::store::Store;
use summary::Summary;

/// The most seeds one `--seeds` run takes.
pub const MAX_SEEDS: usize = 10_000;

/// The stack of a seed's thread: scripts recurse as deep as on the main thread.
const STACK_SIZE: usize = 8 << 20;

/// Seeds from `--seeds`, sorted and without repeats.
#[derive(Clone, Debug)]
pub struct SeedList {
    pub spec: String,
    pub seeds: Vec<u64>,
}

/// Why `--seeds` was refused (clap shows it after the flag's name).
#[derive(Debug, thiserror::Error)]
pub enum SeedsError {
    #[error("`{text}` has an empty item; give seeds like 1..100 or 1,5,9")]
    EmptyItem { text: String },
    #[error("`{item}` is not a seed (0 to {}) or a range A..B", u64::MAX)]
    NotASeed { item: String },
    #[error("`{item}` is an empty range: its start is above its end")]
    EmptyRange { item: String },
    #[error("more than {MAX_SEEDS} seeds; run fewer at a time")]
    TooMany,
}

/// Parse `1..100`, `1,5,9` or a mix; ranges are inclusive.
pub fn parse_seeds(text: &str) -> Result<SeedList, SeedsError> {
    let mut seeds = BTreeSet::new();
    for item in text.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(SeedsError::EmptyItem {
                text: text.to_string(),
            });
        }
        let number = |s: &str| {
            s.trim().parse::<u64>().map_err(|_| SeedsError::NotASeed {
                item: item.to_string(),
            })
        };
        let (first, last) = match item.split_once("..") {
            Some((a, b)) => (number(a)?, number(b.strip_prefix('=').unwrap_or(b))?),
            None => {
                let n = number(item)?;
                (n, n)
            }
        };
        if first > last {
            return Err(SeedsError::EmptyRange {
                item: item.to_string(),
            });
        }
        // Counted before expanding, so `0..18446744073709551615` is refused
        // without building it.
        let span = (last - first).saturating_add(1);
        if span > MAX_SEEDS as u64 || seeds.len() + span as usize > MAX_SEEDS {
            return Err(SeedsError::TooMany);
        }
        seeds.extend(first..=last);
    }
    Ok(SeedList {
        spec: text.to_string(),
        seeds: seeds.into_iter().collect(),
    })
}

pub struct Options<'a> {
    pub jobs: Option<usize>,
    pub json: bool,
    pub report: Option<&'a Path>,
    pub out: Option<&'a Path>,
}

/// One seed's outcome.
struct SeedRun {
    seed: u64,
    report: Option<RunReport>,
    error: Option<String>,
}

impl SeedRun {
    fn status(&self) -> RunStatus {
        match &self.report {
            Some(r) if self.error.is_none() => r.status,
            _ => RunStatus::Error,
        }
    }
}

pub fn run_seeds(job: &Job, store: &Store, list: &SeedList, opts: Options) -> i32 {
    let seeds = &list.seeds;
    let jobs = opts
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, seeds.len().max(1));
    let record_id = match store.new_run(&serde_json::json!({
        "script": job.display,
        "script_sha256": job.sha256,
        "seeds": list.spec,
        "status": "running",
    })) {
        Ok(id) => id,
        Err(e) => return fail(e),
    };

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<SeedRun>>> = Mutex::new((0..seeds.len()).map(|_| None).collect());
    // The progress line: on a terminal only, never in an output file.
    let bar = if std::io::stderr().is_terminal() && !opts.json {
        // A template without placeholders for the bar cannot fail to parse.
        let style = ProgressStyle::with_template("  seeds done {pos} of {len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        ProgressBar::new(seeds.len() as u64).with_style(style)
    } else {
        ProgressBar::hidden()
    };
    let spawned = std::thread::scope(|scope| {
        for worker in 0..jobs {
            let spawned = std::thread::Builder::new()
                .name(format!("diorama-seeds-{worker}"))
                .stack_size(STACK_SIZE)
                .spawn_scoped(scope, || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&seed) = seeds.get(i) else { break };
                    let outcome = run_one(job, seed, opts.out);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(outcome);
                    bar.inc(1);
                });
            if let Err(e) = spawned {
                // Stop handing out seeds; the workers already started finish theirs.
                next.store(seeds.len(), Ordering::Relaxed);
                return Err(RunError::Thread(e));
            }
        }
        Ok(())
    });
    bar.finish_and_clear();
    if let Err(e) = spawned {
        return fail(e);
    }
    let runs: Vec<SeedRun> = results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .zip(seeds)
        .map(|(r, &seed)| {
            r.unwrap_or(SeedRun {
                seed,
                report: None,
                error: Some("the seed did not run".into()),
            })
        })
        .collect();

    let summary = Summary::new(&job.display, &list.spec, &runs);
    let mut code = summary.status.exit_code();
    let json = summary.to_json();
    if let Some(out) = opts.out {
        let path = out.join("seeds.json");
        if let Err(source) = write_file(&path, &json) {
            code = fail(RunError::Write { path, source });
        }
    }
    if let Some(path) = opts.report {
        if let Err(source) = write_file(path, &json) {
            code = fail(RunError::Write {
                path: path.to_path_buf(),
                source,
            });
        }
    }
    let record = serde_json::json!({
        "script": job.display,
        "script_sha256": job.sha256,
        "seeds": list.spec,
        "status": summary.status,
        "runs": summary.runs.iter().map(|r| serde_json::json!({
            "seed": r.seed, "status": r.status, "events": r.events, "error": r.error,
        })).collect::<Vec<_>>(),
    });
    if let Err(e) = store
        .update_run(record_id, &record)
        .and_then(|_| store.flush())
    {
        code = fail(e);
    }
    if opts.json {
        print!("{json}");
    } else {
        print!("{}", summary.text());
    }
    let _ = std::io::stdout().flush();
    code
}

/// Run one seed on a store of its own.
fn run_one(job: &Job, seed: u64, out: Option<&Path>) -> SeedRun {
    let failed = |error: String| SeedRun {
        seed,
        report: None,
        error: Some(error),
    };
    let dir = match tempfile::Builder::new()
        .prefix(&format!("diorama-seed-{seed}-"))
        .tempdir()
    {
        Ok(d) => d,
        Err(e) => return failed(RunError::TempFolder(e).to_string()),
    };
    let store = match Store::open(dir.path()) {
        Ok(s) => s,
        Err(e) => return failed(e.to_string()),
    };
    let out = out.map(|o| o.join(format!("seed-{seed}")));
    let once = job.run(&store, seed, out.as_deref(), None);
    // The store is closed before its folder is removed.
    drop(store);
    if let Err(e) = dir.close() {
        tracing::warn!(seed, error = %e, "cannot remove a seed's temporary data folder");
    }
    match once {
        Ok(Once { report, late_error }) => SeedRun {
            seed,
            error: late_error
                .map(|e| e.to_string())
                .or_else(|| report.error.clone()),
            report: Some(report),
        },
        Err(e) => failed(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_parse_ranges_lists_and_mixes() {
        assert_eq!(parse_seeds("1..5").unwrap().seeds, vec![1, 2, 3, 4, 5]);
        assert_eq!(parse_seeds("9, 1,5").unwrap().seeds, vec![1, 5, 9]);
        assert_eq!(
            parse_seeds("3..4,1,4,10..=11").unwrap().seeds,
            vec![1, 3, 4, 10, 11]
        );
        assert_eq!(parse_seeds("7").unwrap().seeds, vec![7]);
        assert_eq!(parse_seeds("1..10000").unwrap().seeds.len(), 10_000);
        for (bad, says) in [
            ("", "empty item"),
            ("1,,2", "empty item"),
            ("x", "`x` is not a seed"),
            ("1..x", "`1..x` is not a seed"),
            ("-1", "not a seed"),
            ("5..1", "empty range"),
            ("1..10001", "more than 10000"),
            ("0..18446744073709551615", "more than 10000"),
            ("1..9999,20000,30000", "more than 10000"),
        ] {
            let e = parse_seeds(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
