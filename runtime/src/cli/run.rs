//! `diorama run SCRIPT`: run a scenario in virtual time and report.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{load_plugins, PluginDirArg};
use crate::engine::{clock, EventListener, RunSettings, Simulation};
use crate::report::{junit_xml, JsonlWriter, ProfileSummary, RunReport, Status};
use crate::script::{self, Limits, Progress};
use crate::store::Store;

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The scenario script (*.rhai).
    #[arg(value_name = "SCRIPT")]
    script: PathBuf,
    /// The run's seed: the same script and seed give byte-identical output.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Write events.jsonl and report.json into this folder (created if missing).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Write a JUnit XML report (one test case per expectation) to this file.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// The data folder (an embedded database; created if missing).
    #[arg(long, value_name = "DIR", default_value = "diorama-data")]
    data: PathBuf,
    /// Stop the script after this many seconds of wall-clock time.
    #[arg(long, value_name = "SECONDS",
          default_value_t = script::DEFAULT_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    timeout: u64,
    #[command(flatten)]
    dir: PluginDirArg,
}

fn fail(message: impl std::fmt::Display) -> i32 {
    eprintln!("error: {message}");
    2
}

pub fn run(args: RunArgs) -> i32 {
    let began = Instant::now();
    let display = args.script.to_string_lossy().replace('\\', "/");
    if !args.script.is_file() {
        return fail(format!("{display}: no such script file"));
    }
    let host = match load_plugins(&args.dir) {
        Ok(h) => Arc::new(h),
        Err(e) => return fail(e),
    };
    let store = match Store::open(&args.data) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let mut listeners: Vec<Box<dyn EventListener>> = Vec::new();
    if let Some(out) = &args.out {
        if let Err(e) = std::fs::create_dir_all(out) {
            return fail(format!(
                "cannot create the output folder {}: {e}",
                out.display()
            ));
        }
        match JsonlWriter::create(out) {
            Ok(w) => listeners.push(Box::new(w)),
            Err(e) => {
                return fail(format!(
                    "cannot write {}: {e}",
                    out.join("events.jsonl").display()
                ))
            }
        }
    }
    let script_sha256 = match std::fs::read(&args.script) {
        Ok(bytes) => {
            use sha2::{Digest, Sha256};
            hex::encode(Sha256::digest(&bytes))
        }
        Err(e) => return fail(format!("{display}: cannot read the script: {e}")),
    };
    let run_id = match store.new_run(&serde_json::json!({
        "script": display,
        "script_sha256": script_sha256,
        "seed": args.seed,
        "status": "running",
    })) {
        Ok(id) => id,
        Err(e) => return fail(e),
    };

    let settings = RunSettings {
        seed: args.seed,
        ..Default::default()
    };
    let sim = Arc::new(Mutex::new(Simulation::new(
        host,
        store.clone(),
        settings,
        listeners,
    )));
    let progress = std::io::stderr().is_terminal().then(progress_line);
    let outcome = script::run_file(
        &args.script,
        &display,
        sim.clone(),
        &Limits {
            timeout: Some(Duration::from_secs(args.timeout)),
            ..Limits::default()
        },
        progress,
    );
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[2K");
    }

    let mut sim = match sim.lock() {
        Ok(s) => s,
        Err(p) => p.into_inner(),
    };
    let mut error = outcome.error;
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
        display.clone(),
        args.seed,
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

    let mut code = report.status.exit_code();
    if let Some(out) = &args.out {
        if let Err(e) = report.write_json(out) {
            code = fail(format!(
                "cannot write {}: {e}",
                out.join("report.json").display()
            ));
        }
    }
    if let Some(path) = &args.junit {
        if let Err(e) = write_file(path, &junit_xml(&report)) {
            code = fail(format!("cannot write {}: {e}", path.display()));
        }
    }
    let record = serde_json::json!({
        "script": display,
        "script_sha256": script_sha256,
        "seed": args.seed,
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
        code = fail(e);
    }
    print!("{}", report.summary());
    let _ = std::io::stdout().flush();
    if let (Status::Error, Some(e)) = (report.status, &report.error) {
        eprintln!("error: {e}");
    }
    tracing::info!(
        "run finished in {:.2}s of wall time",
        began.elapsed().as_secs_f64()
    );
    code
}

fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}

/// A progress line on stderr, redrawn at most ten times a second.
fn progress_line() -> Progress {
    let mut last = Instant::now();
    Box::new(move |now, events| {
        if last.elapsed() >= Duration::from_millis(100) {
            last = Instant::now();
            eprint!(
                "\r\x1b[2K  virtual time {}  events {}",
                clock::format_instant(now),
                events
            );
        }
    })
}
