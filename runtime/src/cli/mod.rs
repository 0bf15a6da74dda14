//! The command line: `diorama run`, `diorama serve`, `diorama plugins`,
//! `diorama stats`, `diorama new-plugin`.
//!
//! Exit codes: 0 when every expectation holds, 1 when one fails, 2 on any
//! error (bad arguments, script syntax or runtime error, plugin failure).

mod new_plugin;
mod plugins;
mod run;
mod seeds;
mod serve;
mod stats;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "diorama",
    version,
    about = "A miniature, scriptable replica of social platforms",
    long_about = "A miniature, scriptable replica of social platforms: sandboxed platform \
                  simulators (WebAssembly components) driven over virtual time by Rhai scenarios, \
                  with every event stored in an embedded database."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario script in virtual time; exit 0 if every expectation holds, 1 if one
    /// fails, 2 on an error.
    Run(run::RunArgs),
    /// List the available platform plugins.
    Plugins(plugins::PluginsArgs),
    /// Serve live demo profiles over HTTP: streams, webhooks, scenarios on demand.
    Serve(serve::ServeArgs),
    /// Print realism figures over a run's output folder: mixes, uniqueness, local hours,
    /// reaction delays, views and engagement.
    Stats(stats::StatsArgs),
    /// Create a platform plugin crate to start from, building on its own: a minimal platform,
    /// its tests, a scenario and a one-command build to a component.
    NewPlugin(new_plugin::NewPluginArgs),
}

/// Options shared by commands that load plugins.
#[derive(clap::Args, Debug, Clone)]
pub struct PluginDirArg {
    /// Load extra plugins (*.wasm components) from this folder; a plugin with the name of a
    /// built-in one replaces it.
    #[arg(long, value_name = "DIR")]
    pub plugins: Option<PathBuf>,
}

/// Parse the arguments and run the command; returns the exit code.
pub fn main() -> i32 {
    init_logging();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Plugins(args) => plugins::plugins(args),
        Command::Stats(args) => stats::stats(args),
        Command::Serve(args) => serve::serve(args),
        Command::NewPlugin(args) => new_plugin::new_plugin(args),
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("DIORAMA_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        // On a failed write (stderr a closed pipe) the subscriber would
        // report it with `eprintln!`, which panics: the thread that logged
        // (a live worker, the shutdown) would die instead of finishing.
        .log_internal_errors(false)
        .try_init();
}

/// The one place a command's failure becomes its exit code: the error on
/// stderr, and 2. (`diorama run` that ran ends with
/// [`RunStatus::exit_code`](crate::report::RunStatus::exit_code); clap's
/// usage errors are mapped in [`main`].)
pub(crate) fn fail(e: impl std::error::Error) -> i32 {
    eprintln!("error: {e}");
    2
}

/// Load the built-in plugins and those of `--plugins`.
pub(crate) fn load_plugins(
    dir: &PluginDirArg,
) -> Result<crate::plugin::PluginHost, crate::plugin::PluginError> {
    let mut host = crate::plugin::PluginHost::new(crate::plugin::HostOptions::default())?;
    host.load_builtin()?;
    if let Some(d) = &dir.plugins {
        host.load_dir(d)?;
    }
    Ok(host)
}
