//! `diorama run SCRIPT`: run a scenario in virtual time and report; with
//! `--seeds`, run it once per seed and report across seeds.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::seeds;
use super::{fail, load_plugins, PluginDirArg};
use crate::engine::{RunSettings, Simulation};
use crate::event::{time, EventListener};
use crate::plugin::PluginHost;
use crate::report::{junit_xml, JsonlWriter, ProfileSummary, RunReport, RunStatus};
use crate::script::{self, Progress, ScriptLimits};
use crate::store::{Store, StoreError};

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The scenario script (*.rhai).
    #[arg(value_name = "SCRIPT")]
    script: PathBuf,
    /// The run's seed: the same script and seed give byte-identical output.
    #[arg(long, default_value_t = 42, conflicts_with = "seeds")]
    seed: u64,
    /// Run once per seed and report across them: `1..100` (inclusive), `1,5,9`, or a mix
    /// (`1..10,42`); at most 10,000 seeds.
    #[arg(long, value_name = "SEEDS", value_parser = seeds::parse_seeds)]
    seeds: Option<seeds::SeedList>,
    /// With --seeds: how many seeds run at once (default: the machine's cores).
    #[arg(long, value_name = "N", requires = "seeds",
          value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: Option<u16>,
    /// With --seeds: print the report as JSON on stdout instead of text.
    #[arg(long, requires = "seeds")]
    json: bool,
    /// With --seeds: also write the report as JSON to this file.
    #[arg(long, value_name = "FILE", requires = "seeds")]
    report: Option<PathBuf>,
    /// Write events.jsonl and report.json into this folder (created if missing); with
    /// --seeds, into one `seed-N` subfolder per seed, plus `seeds.json`.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Write a JUnit XML report (one test case per expectation) to this file.
    #[arg(long, value_name = "FILE", conflicts_with = "seeds")]
    junit: Option<PathBuf>,
    /// The data folder (an embedded database; created if missing).
    #[arg(long, value_name = "DIR", default_value = "diorama-data")]
    data: PathBuf,
    /// Stop the script after this many seconds of wall-clock time (per seed with --seeds).
    #[arg(long, value_name = "SECONDS",
          default_value_t = script::DEFAULT_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    timeout: u64,
    #[command(flatten)]
    dir: PluginDirArg,
}

/// Why `diorama run` could not run or report (an expectation that fails
/// is not an error: it is the run's [`RunStatus`]).
#[derive(Debug, thiserror::Error)]
pub(super) enum RunError {
    #[error("{script}: no such script file")]
    NoScript { script: String },
    #[error("{script}: cannot read the script: {source}")]
    ReadScript {
        script: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot create the output folder {}: {source}", path.display())]
    CreateFolder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Junit {
        path: PathBuf,
        source: quick_junit::SerializeError,
    },
    #[error("cannot start a thread for the seeds: {0}")]
    Thread(std::io::Error),
    #[error("cannot create a temporary data folder: {0}")]
    TempFolder(std::io::Error),
}

impl RunError {
    fn write(path: PathBuf) -> impl FnOnce(std::io::Error) -> RunError {
        move |source| RunError::Write { path, source }
    }
}

/// What every run of the script shares.
pub(super) struct Job {
    pub script: PathBuf,
    pub display: String,
    pub sha256: String,
    pub host: Arc<PluginHost>,
    pub limits: ScriptLimits,
}

/// One run of the script with one seed.
pub(super) struct Once {
    pub report: RunReport,
    /// An error after the script ended (writing its output, the store).
    pub late_error: Option<RunError>,
}

impl Job {
    /// Run the script once with `seed` on `store`, writing events to
    /// `out` when given.
    pub fn run(
        &self,
        store: &Store,
        seed: u64,
        out: Option<&Path>,
        progress: Option<Progress>,
    ) -> Result<Once, RunError> {
        let mut listeners: Vec<Box<dyn EventListener>> = Vec::new();
        if let Some(out) = out {
            std::fs::create_dir_all(out).map_err(|source| RunError::CreateFolder {
                path: out.to_path_buf(),
                source,
            })?;
            let w = JsonlWriter::create(out).map_err(RunError::write(out.join("events.jsonl")))?;
            listeners.push(Box::new(w));
        }
        let run_id = store.new_run(&serde_json::json!({
            "script": self.display,
            "script_sha256": self.sha256,
            "seed": seed,
            "status": "running",
        }))?;
        let settings = RunSettings {
            seed,
            ..Default::default()
        };
        let sim = Arc::new(Mutex::new(Simulation::new(
            self.host.clone(),
            store.clone(),
            settings,
            listeners,
        )));
        let outcome = script::run_file(
            &self.script,
            &self.display,
            sim.clone(),
            &self.limits,
            progress,
        );
        let mut sim = match sim.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        let mut error = outcome.error.map(|e| e.to_string());
        if let Err(e) = sim.finish() {
            error.get_or_insert_with(|| e.to_string());
        }
        let profiles = sim
            .profiles()
            .map(|(_, spec)| ProfileSummary {
                name: spec.name.clone(),
                niche: spec.niche.clone(),
                timezone: spec.timezone.clone(),
                platforms: spec.platforms.clone(),
            })
            .collect();
        let report = RunReport::new(
            self.display.clone(),
            seed,
            sim.settings().start,
            sim.now(),
            sim.total_events(),
            sim.tally().clone(),
            profiles,
            outcome.expectations,
            outcome.values,
            error,
        );
        drop(sim);

        let mut late_error = None;
        if let Some(out) = out {
            late_error = report
                .write_json(out)
                .map_err(RunError::write(out.join("report.json")))
                .err();
        }
        let record = serde_json::json!({
            "script": self.display,
            "script_sha256": self.sha256,
            "seed": seed,
            "status": report.status,
            "start": report.start_ms,
            "end": report.end_ms,
            "events": report.events,
            "expectations": report.expectations,
            "error": report.error,
        });
        if let Err(e) = store
            .update_run(run_id, &record)
            .and_then(|_| store.flush())
        {
            late_error.get_or_insert(e.into());
        }
        Ok(Once { report, late_error })
    }
}

pub fn run(args: RunArgs) -> i32 {
    let began = Instant::now();
    let display = args.script.to_string_lossy().replace('\\', "/");
    if !args.script.is_file() {
        return fail(RunError::NoScript { script: display });
    }
    let sha256 = match std::fs::read(&args.script) {
        Ok(bytes) => {
            use sha2::{Digest, Sha256};
            hex::encode(Sha256::digest(&bytes))
        }
        Err(source) => {
            return fail(RunError::ReadScript {
                script: display,
                source,
            })
        }
    };
    let host = match load_plugins(&args.dir) {
        Ok(h) => Arc::new(h),
        Err(e) => return fail(e),
    };
    let store = match Store::open(&args.data) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let job = Job {
        script: args.script.clone(),
        display,
        sha256,
        host,
        limits: ScriptLimits {
            timeout: Some(Duration::from_secs(args.timeout)),
            ..ScriptLimits::default()
        },
    };
    let code = match &args.seeds {
        Some(list) => seeds::run_seeds(
            &job,
            &store,
            list,
            seeds::Options {
                jobs: args.jobs.map(usize::from),
                json: args.json,
                report: args.report.as_deref(),
                out: args.out.as_deref(),
            },
        ),
        None => run_single(&job, &store, &args),
    };
    tracing::info!(
        "run finished in {:.2}s of wall time",
        began.elapsed().as_secs_f64()
    );
    code
}

fn run_single(job: &Job, store: &Store, args: &RunArgs) -> i32 {
    let bar = std::io::stderr().is_terminal().then(progress_bar);
    let once = job.run(
        store,
        args.seed,
        args.out.as_deref(),
        bar.clone().map(progress_line),
    );
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let Once { report, late_error } = match once {
        Ok(o) => o,
        Err(e) => return fail(e),
    };
    let mut code = report.status.exit_code();
    if let Some(e) = late_error {
        code = fail(e);
    }
    if let Some(path) = &args.junit {
        let written = junit_xml(&report)
            .map_err(|source| RunError::Junit {
                path: path.clone(),
                source,
            })
            .and_then(|xml| write_file(path, &xml).map_err(RunError::write(path.clone())));
        if let Err(e) = written {
            code = fail(e);
        }
    }
    print!("{}", report.summary());
    let _ = std::io::stdout().flush();
    if let (RunStatus::Error, Some(e)) = (report.status, &report.error) {
        eprintln!("error: {e}");
    }
    code
}

pub(super) fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}

/// The progress line on stderr (a terminal only; never in an output file).
fn progress_bar() -> ProgressBar {
    // A template without placeholders for the bar cannot fail to parse.
    let style = ProgressStyle::with_template("  {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    ProgressBar::new_spinner().with_style(style)
}

/// The script's progress on `bar`, set at every step; indicatif redraws it
/// at most 20 times a second. (Setting it only every 100 ms, as the
/// hand-drawn line did, made no measurable difference: a 20-day run of
/// 485k events on a terminal took 2.5–4.3 s throttled, 2.5–3.3 s not, on a
/// busy machine.)
fn progress_line(bar: ProgressBar) -> Progress {
    Box::new(move |now, events| {
        bar.set_message(format!(
            "virtual time {}  events {}",
            time::format_instant(now),
            events
        ));
    })
}
