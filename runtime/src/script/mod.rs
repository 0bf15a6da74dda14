//! Scenarios: Rhai scripts that create profiles, advance virtual time, send
//! signals, query what happened and state expectations.
//!
//! The engine's limits are set (operations, call depth, expression depth,
//! string, array and map sizes, modules), so a bad script ends with an error,
//! never a hang. Imports resolve only inside the script's own folder.

mod api;
mod driver;
mod error;
mod meter;
pub mod ready;
mod resolver;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diorama_sdk::Millis;
use rhai::{Engine, EvalAltResult, ModuleResolver};

use crate::engine::Simulation;
use crate::report::{Expectation, ReportedValue};
use driver::{Batch, Driver, Live};
use error::suffix_of;

pub use driver::LiveClock;
pub use error::{Cancelled, RuntimeError, ScriptError, SyntaxError};

/// ScriptLimits a script runs under.
#[derive(Clone, Debug)]
pub struct ScriptLimits {
    pub max_operations: u64,
    pub max_call_levels: usize,
    pub max_expr_depth: usize,
    pub max_string_size: usize,
    pub max_array_size: usize,
    pub max_map_size: usize,
    pub max_modules: usize,
    /// Wall-clock time the script may run (waits for a live profile's
    /// clock excluded); `None`: no limit.
    pub timeout: Option<Duration>,
    /// The most `expect` calls a run records.
    pub max_expectations: usize,
    /// The most `report` calls a run records.
    pub max_values: usize,
    /// The longest expectation message or reported name (bytes).
    pub max_message_bytes: usize,
    /// The largest reported value, as JSON (bytes).
    pub max_value_bytes: usize,
    /// What messages, names and reported values may add up to (bytes).
    pub max_recorded_bytes: usize,
    /// The largest options map handed to a plugin (profile options,
    /// signal or action parameters), as JSON (bytes).
    pub max_params_bytes: usize,
    /// The most signals and actions a script sends.
    pub max_signals_and_actions: usize,
    /// The most profiles a script creates.
    pub max_profiles: usize,
    /// What `print` and `debug` may write in all (bytes); later output is dropped.
    pub max_print_bytes: usize,
}

/// The default wall-clock limit of a script.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

impl Default for ScriptLimits {
    fn default() -> Self {
        ScriptLimits {
            max_operations: 20_000_000,
            max_call_levels: 64,
            max_expr_depth: 64,
            // Also counted over nested values: 10,000 interactions of about
            // 500 bytes of text each must fit.
            max_string_size: 16 << 20,
            max_array_size: MAX_ARRAY_SIZE,
            // Sizes are counted over nested values: 10,000 interaction maps
            // of about 17 entries each must fit.
            max_map_size: 500_000,
            max_modules: 64,
            timeout: Some(DEFAULT_TIMEOUT),
            max_expectations: 10_000,
            max_values: 10_000,
            max_message_bytes: 4 << 10,
            max_value_bytes: 64 << 10,
            max_recorded_bytes: 16 << 20,
            max_params_bytes: 16 << 10,
            max_signals_and_actions: 10_000,
            max_profiles: 32,
            max_print_bytes: 1 << 20,
        }
    }
}

/// Rhai checks an array's size after every method call on it by walking
/// the whole array (nested arrays included), so filling one with `push`
/// costs the square of its length: 200,000 elements took minutes, 25,000
/// take a few seconds. A query returns at most 10,000 interactions.
pub const MAX_ARRAY_SIZE: usize = 25_000;

/// Progress callback: (virtual now, events so far).
pub type Progress = Box<dyn FnMut(Millis, u64) + Send>;

/// What a script produced.
#[derive(Debug, Default)]
pub struct ScriptOutcome {
    pub expectations: Vec<Expectation>,
    pub values: Vec<ReportedValue>,
    /// Why the script stopped early (its text shows as `file:line:column: message`).
    pub error: Option<ScriptError>,
}

/// What the script's functions share.
pub(crate) struct Recorder {
    pub expectations: Vec<Expectation>,
    pub values: Vec<ReportedValue>,
    /// Bytes of messages, names and values recorded so far.
    pub recorded_bytes: usize,
}

impl Recorder {
    /// Count `n` more recorded bytes, refused past `max`.
    pub(crate) fn take_bytes(&mut self, n: usize, max: usize) -> Result<(), Box<EvalAltResult>> {
        let total = self.recorded_bytes.saturating_add(n);
        if total > max {
            return Err(format!(
                "the script's expectations and reported values take more than {max} bytes, the most a run records"
            )
            .into());
        }
        self.recorded_bytes = total;
        Ok(())
    }
}

/// Run the script at `path` against `sim`. The simulation is left as the
/// script ended it (call [`Simulation::finish`] after).
pub fn run_file(
    path: &Path,
    display_name: &str,
    sim: Arc<Mutex<Simulation>>,
    limits: &ScriptLimits,
    progress: Option<Progress>,
) -> ScriptOutcome {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            return ScriptOutcome {
                error: Some(ScriptError::Unreadable {
                    file: display_name.to_string(),
                    source: e,
                }),
                ..Default::default()
            }
        }
    };
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    run_text(&text, display_name, folder, sim, limits, progress)
}

/// Run script `text` on a live profile's simulation: `advance` waits for
/// the live clock. Imports come from the built-in scenario library.
/// `compiled` is called once the script has compiled (with its syntax
/// error otherwise), before it runs.
pub fn run_live(
    text: &str,
    display_name: &str,
    sim: Arc<Mutex<Simulation>>,
    limits: &ScriptLimits,
    clock: Arc<dyn LiveClock>,
    compiled: impl FnOnce(Result<(), SyntaxError>),
) -> ScriptOutcome {
    run_with(
        text,
        display_name,
        ready::LibraryResolver,
        sim,
        limits,
        Live::new(clock),
        compiled,
    )
}

/// Run script `text`, resolving imports in `folder`.
pub fn run_text(
    text: &str,
    display_name: &str,
    folder: &Path,
    sim: Arc<Mutex<Simulation>>,
    limits: &ScriptLimits,
    progress: Option<Progress>,
) -> ScriptOutcome {
    run_with(
        text,
        display_name,
        resolver::FolderResolver::new(folder),
        sim,
        limits,
        Batch::new(progress),
        |_| {},
    )
}

fn run_with(
    text: &str,
    display_name: &str,
    resolver: impl ModuleResolver + 'static,
    sim: Arc<Mutex<Simulation>>,
    limits: &ScriptLimits,
    driver: Arc<dyn Driver>,
    compiled: impl FnOnce(Result<(), SyntaxError>),
) -> ScriptOutcome {
    let recorder = Arc::new(Mutex::new(Recorder {
        expectations: Vec::new(),
        values: Vec::new(),
        recorded_bytes: 0,
    }));
    let mut engine = Engine::new();
    apply_limits(&mut engine, limits);
    engine.set_module_resolver(resolver);
    let printed = Arc::new(Printed {
        bytes: AtomicUsize::new(0),
        max: limits.max_print_bytes,
    });
    let p = printed.clone();
    engine.on_print(move |s| p.write(s));
    engine.on_debug(move |s, src, pos| {
        printed.write(&format!("{}{}: {s}", src.unwrap_or(""), suffix_of(pos)))
    });
    let meter = meter::Meter::new(limits.max_operations, limits.timeout, driver.clone());
    meter.install(&mut engine);
    api::register(
        &mut engine,
        sim,
        recorder.clone(),
        display_name,
        driver,
        limits,
        meter,
    );

    let error = match engine.compile(text) {
        Err(e) => {
            let error = SyntaxError::new(display_name, &e);
            compiled(Err(error.clone()));
            Some(error.into())
        }
        Ok(mut ast) => {
            compiled(Ok(()));
            ast.set_source(display_name);
            engine
                .run_ast(&ast)
                .err()
                .map(|e| runtime_error(display_name, &e, limits).into())
        }
    };
    drop(engine);
    let mut rec = match recorder.lock() {
        Ok(r) => r,
        Err(p) => p.into_inner(),
    };
    ScriptOutcome {
        expectations: std::mem::take(&mut rec.expectations),
        values: std::mem::take(&mut rec.values),
        error,
    }
}

/// `print` and `debug` output on stderr, capped so a script cannot fill
/// a log or a disk with it.
struct Printed {
    bytes: AtomicUsize,
    max: usize,
}

impl Printed {
    /// The longest line printed; longer ones are cut.
    const MAX_LINE: usize = 4 << 10;

    fn write(&self, s: &str) {
        let mut line = s;
        if line.len() > Self::MAX_LINE {
            let mut cut = Self::MAX_LINE;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            line = &line[..cut];
        }
        let before = self.bytes.fetch_add(line.len() + 1, Ordering::Relaxed);
        if before.saturating_add(line.len() + 1) <= self.max {
            if line.len() < s.len() {
                eprintln!("{line}... ({} bytes cut)", s.len() - line.len());
            } else {
                eprintln!("{line}");
            }
        } else if before <= self.max {
            eprintln!(
                "(the script printed more than {} bytes; further output is dropped)",
                self.max
            );
        }
    }
}

fn apply_limits(engine: &mut Engine, l: &ScriptLimits) {
    engine.set_max_operations(l.max_operations);
    engine.set_max_call_levels(l.max_call_levels);
    engine.set_max_expr_depths(l.max_expr_depth, l.max_expr_depth);
    engine.set_max_string_size(l.max_string_size);
    engine.set_max_array_size(l.max_array_size);
    engine.set_max_map_size(l.max_map_size);
    engine.set_max_modules(l.max_modules);
}

/// The innermost place the error happened (inside an imported module or a
/// function), its message, and the call chain.
fn runtime_error(file: &str, e: &EvalAltResult, limits: &ScriptLimits) -> RuntimeError {
    let mut chain = Vec::new();
    let mut source = file.to_string();
    let mut pos = e.position();
    let mut inner = e;
    loop {
        match inner {
            EvalAltResult::ErrorInFunctionCall(name, src, next, p) => {
                chain.push(format!("in `{name}`, called at {source}{}", suffix_of(*p)));
                if !src.is_empty() {
                    source = src.clone();
                }
                pos = next.position();
                inner = next;
            }
            EvalAltResult::ErrorInModule(name, next, p) => {
                chain.push(format!(
                    "in module `{name}`, imported at {source}{}",
                    suffix_of(*p)
                ));
                source = name.clone();
                pos = next.position();
                inner = next;
            }
            _ => break,
        }
    }
    let message = match inner {
        EvalAltResult::ErrorRuntime(d, _) => d.to_string(),
        EvalAltResult::ErrorDataTooLarge(what, _) => {
            let limit = match what.as_str() {
                "Size of array/BLOB" => format!(
                    "{} elements (nested arrays and BLOB bytes included)",
                    limits.max_array_size
                ),
                "Size of object map" => {
                    format!("{} entries (nested maps included)", limits.max_map_size)
                }
                "Length of string" => format!(
                    "{} bytes (strings inside arrays and maps included)",
                    limits.max_string_size
                ),
                _ => "its limit".to_string(),
            };
            format!("{what} too large: a script's values may hold at most {limit}")
        }
        EvalAltResult::ErrorTerminated(token, _) => {
            match token.clone().try_cast::<meter::StopToken>() {
                Some(meter::StopToken(m)) => m,
                None => token.to_string(),
            }
        }
        EvalAltResult::ErrorTooManyOperations(_) => {
            "the script exceeded its operation limit (a loop that never ends?)".to_string()
        }
        other => {
            let mut m = other.to_string();
            // Rhai appends " (line L, position P)"; the position is given in front.
            if let Some(i) = m.rfind(" (line ") {
                m.truncate(i);
            }
            m
        }
    };
    RuntimeError {
        file: source,
        line: pos.line(),
        column: pos.position(),
        message,
        chain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RunSettings;
    use crate::event::time;
    use crate::plugin::{HostOptions, PluginHost};
    use crate::store::Store;

    fn simulation(start: Millis) -> (tempfile::TempDir, Simulation) {
        let dir = tempfile::tempdir().unwrap();
        let host = Arc::new(PluginHost::new(HostOptions::default()).unwrap());
        let store = Store::open(dir.path()).unwrap();
        let settings = RunSettings {
            start,
            ..Default::default()
        };
        (dir, Simulation::new(host, store, settings, Vec::new()))
    }

    /// The span check is overflow-free whatever the start (the live server
    /// and the engine take starts the script API refuses): an advance to
    /// the end of time was a wrapped difference that skipped the cap.
    #[test]
    fn an_advance_past_the_integer_range_is_refused_from_any_start() {
        for start in [i64::MIN / 2, -62_135_596_800_000, 0, time::MAX_START] {
            let (_dir, mut sim) = simulation(start);
            sim.advance(1, |_, _| {}).unwrap();
            for d in [i64::MAX, i64::MAX - 1, time::MAX_RUN_SPAN] {
                let e = sim.advance(d, |_, _| {}).unwrap_err().to_string();
                assert!(e.contains("past its limit of 366d"), "{start} + {d}: {e}");
            }
            assert_eq!(sim.now(), start + 1, "nothing moved");
            sim.advance(time::MAX_RUN_SPAN - 1, |_, _| {}).unwrap();
        }
    }
}
