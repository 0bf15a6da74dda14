//! Scenarios: Rhai scripts that create profiles, advance virtual time, send
//! signals, query what happened and state expectations.
//!
//! The engine's limits are set (operations, call depth, expression depth,
//! string, array and map sizes, modules), so a bad script ends with an error,
//! never a hang. Imports resolve only inside the script's own folder.

mod api;
pub mod ready;
mod resolver;

use std::path::Path;
use std::sync::{Arc, Mutex};

use diorama_sdk::Millis;
use rhai::{Engine, EvalAltResult, ModuleResolver, ParseError, Position};

use crate::engine::Simulation;
use crate::report::{Expectation, ReportedValue};

/// Limits a script runs under.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_operations: u64,
    pub max_call_levels: usize,
    pub max_expr_depth: usize,
    pub max_string_size: usize,
    pub max_array_size: usize,
    pub max_map_size: usize,
    pub max_modules: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 20_000_000,
            max_call_levels: 64,
            max_expr_depth: 64,
            // Also counted over nested values: 10,000 interactions of about
            // 500 bytes of text each must fit.
            max_string_size: 16 << 20,
            max_array_size: 200_000,
            // Sizes are counted over nested values: 10,000 interaction maps
            // of about 17 entries each must fit.
            max_map_size: 500_000,
            max_modules: 64,
        }
    }
}

/// Progress callback: (virtual now, events so far).
pub type Progress = Box<dyn FnMut(Millis, u64) + Send>;

/// What a script produced.
#[derive(Debug, Default)]
pub struct ScriptOutcome {
    pub expectations: Vec<Expectation>,
    pub values: Vec<ReportedValue>,
    /// A syntax or runtime error, as `file:line:column: message`.
    pub error: Option<String>,
}

/// The clock of a live profile, as a script on it sees it.
pub trait LiveClock: Send + Sync {
    /// Block until the profile's virtual time reaches `at`; an error when
    /// the profile stops or goes away first.
    fn wait_until(&self, at: Millis) -> Result<(), String>;
}

/// What the script's functions share.
pub(crate) struct Recorder {
    pub expectations: Vec<Expectation>,
    pub values: Vec<ReportedValue>,
    pub progress: Option<Progress>,
}

/// Run the script at `path` against `sim`. The simulation is left as the
/// script ended it (call [`Simulation::finish`] after).
pub fn run_file(
    path: &Path,
    display_name: &str,
    sim: Arc<Mutex<Simulation>>,
    limits: &Limits,
    progress: Option<Progress>,
) -> ScriptOutcome {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            return ScriptOutcome {
                error: Some(format!("{display_name}: cannot read the script: {e}")),
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
    limits: &Limits,
    clock: Arc<dyn LiveClock>,
    compiled: impl FnOnce(Result<(), String>),
) -> ScriptOutcome {
    run_with(
        text,
        display_name,
        ready::LibraryResolver,
        sim,
        limits,
        None,
        Some(clock),
        compiled,
    )
}

/// Run script `text`, resolving imports in `folder`.
pub fn run_text(
    text: &str,
    display_name: &str,
    folder: &Path,
    sim: Arc<Mutex<Simulation>>,
    limits: &Limits,
    progress: Option<Progress>,
) -> ScriptOutcome {
    run_with(
        text,
        display_name,
        resolver::FolderResolver::new(folder),
        sim,
        limits,
        progress,
        None,
        |_| {},
    )
}

#[allow(clippy::too_many_arguments)]
fn run_with(
    text: &str,
    display_name: &str,
    resolver: impl ModuleResolver + 'static,
    sim: Arc<Mutex<Simulation>>,
    limits: &Limits,
    progress: Option<Progress>,
    live: Option<Arc<dyn LiveClock>>,
    compiled: impl FnOnce(Result<(), String>),
) -> ScriptOutcome {
    let recorder = Arc::new(Mutex::new(Recorder {
        expectations: Vec::new(),
        values: Vec::new(),
        progress,
    }));
    let mut engine = Engine::new();
    apply_limits(&mut engine, limits);
    engine.set_module_resolver(resolver);
    engine.on_print(|s| eprintln!("{s}"));
    engine.on_debug(|s, src, pos| {
        eprintln!("{}{}: {s}", src.unwrap_or(""), position_suffix(pos));
    });
    api::register(&mut engine, sim, recorder.clone(), display_name, live);

    let error = match engine.compile(text) {
        Err(e) => {
            let message = syntax_error(display_name, &e);
            compiled(Err(message.clone()));
            Some(message)
        }
        Ok(mut ast) => {
            compiled(Ok(()));
            ast.set_source(display_name);
            engine
                .run_ast(&ast)
                .err()
                .map(|e| runtime_error(display_name, &e))
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

fn apply_limits(engine: &mut Engine, l: &Limits) {
    engine.set_max_operations(l.max_operations);
    engine.set_max_call_levels(l.max_call_levels);
    engine.set_max_expr_depths(l.max_expr_depth, l.max_expr_depth);
    engine.set_max_string_size(l.max_string_size);
    engine.set_max_array_size(l.max_array_size);
    engine.set_max_map_size(l.max_map_size);
    engine.set_max_modules(l.max_modules);
}

fn position_suffix(pos: Position) -> String {
    match (pos.line(), pos.position()) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

fn syntax_error(file: &str, e: &ParseError) -> String {
    format!(
        "{file}{}: syntax error: {}",
        position_suffix(e.position()),
        e.err_type()
    )
}

/// `file:line:column: message`, naming the innermost place the error
/// happened (inside an imported module or a function), plus the call chain.
fn runtime_error(file: &str, e: &EvalAltResult) -> String {
    let mut chain = Vec::new();
    let mut source = file.to_string();
    let mut pos = e.position();
    let mut inner = e;
    loop {
        match inner {
            EvalAltResult::ErrorInFunctionCall(name, src, next, p) => {
                chain.push(format!(
                    "in `{name}`, called at {source}{}",
                    position_suffix(*p)
                ));
                if !src.is_empty() {
                    source = src.clone();
                }
                pos = next.position();
                inner = next;
            }
            EvalAltResult::ErrorInModule(name, next, p) => {
                chain.push(format!(
                    "in module `{name}`, imported at {source}{}",
                    position_suffix(*p)
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
    let mut out = format!("{source}{}: {message}", position_suffix(pos));
    for c in chain.iter().rev() {
        out.push_str(&format!("\n  {c}"));
    }
    out
}
