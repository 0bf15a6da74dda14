//! `diorama serve`: the HTTP server for live demo profiles.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::PluginDirArg;
use crate::http::limits::{Gates, ServeLimits};
use crate::http::{self, AppState};
use crate::live::scenario::Runs;
use crate::live::LiveError;
use crate::live::{LiveConfig, LiveManager};
use crate::plugin::PluginError;
use crate::script::ScriptLimits;
use crate::store::{Store, StoreError};
use crate::telemetry::Telemetry;
use crate::webhook::{WebhookConfig, WebhookError, Webhooks};

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:7700")]
    pub addr: SocketAddr,
    /// Folder of the server's database (created if missing).
    #[arg(long, value_name = "DIR", default_value = "diorama-data")]
    pub data: PathBuf,
    /// The admin token (manages profiles). Without it a random one is made and printed.
    #[arg(long, env = "DIORAMA_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// The most profiles running at once.
    #[arg(long, default_value_t = 1000)]
    pub max_live: usize,
    /// Threads stepping live profiles.
    #[arg(long, default_value_t = 2)]
    pub workers: usize,
    /// Seconds between sweeps for expired profiles.
    #[arg(long, default_value_t = 60.0, value_name = "SECONDS")]
    pub sweep_every: f64,
    /// Seconds between snapshots of a running profile (after a crash, a profile replays
    /// from its last snapshot).
    #[arg(long, default_value_t = 15.0, value_name = "SECONDS")]
    pub snapshot_every: f64,
    /// Seconds before a failed webhook delivery is first retried (it doubles up to an hour).
    #[arg(long, default_value_t = 1.0, value_name = "SECONDS")]
    pub webhook_retry: f64,
    /// Seconds a scenario run on a live profile may spend running (waits for the live clock
    /// excluded) before it is stopped.
    #[arg(long, value_name = "SECONDS", default_value_t = crate::script::DEFAULT_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub script_timeout: u64,
    /// Let webhooks target private, link-local, unique-local, CGNAT and cloud-metadata
    /// addresses (loopback is always allowed).
    #[arg(long)]
    pub allow_private_webhooks: bool,
    /// The most connections open at once; more are answered 503 and closed.
    #[arg(long, default_value_t = ServeLimits::default().max_connections, value_name = "N")]
    pub max_connections: usize,
    /// The most requests handled at once; more are answered 503.
    #[arg(long, default_value_t = ServeLimits::default().max_in_flight, value_name = "N")]
    pub max_in_flight: usize,
    /// The most event streams open at once on the server; more are answered 503.
    #[arg(long, default_value_t = ServeLimits::default().max_streams, value_name = "N")]
    pub max_streams: usize,
    /// The most event streams open at once on one profile; more are answered 429.
    #[arg(long, default_value_t = ServeLimits::default().max_streams_per_profile, value_name = "N")]
    pub max_streams_per_profile: usize,
    /// Actions and signals one token may send per second (in bursts of as many);
    /// past it the API answers 429 with Retry-After.
    #[arg(long, default_value_t = 20.0, value_name = "PER_SECOND")]
    pub action_rate: f64,
    /// Also serve over TLS on this address, with certificates for the plugins' API hosts
    /// from a certificate authority kept in the data folder (its certificate's path is
    /// printed: trust it in the client).
    #[arg(long, value_name = "ADDR")]
    pub tls_addr: Option<SocketAddr>,
    #[command(flatten)]
    pub plugins: PluginDirArg,
}

/// Why `diorama serve` could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("--{name} must be a positive number of seconds, got {value}")]
    Seconds { name: &'static str, value: f64 },
    #[error("--action-rate must be above 0 and at most 1000000 per second, got {0}")]
    ActionRate(f64),
    #[error("--{0} must be at least 1")]
    AtLeastOne(&'static str),
    #[error("no randomness for a token: {0}")]
    Randomness(getrandom::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Plugins(#[from] PluginError),
    #[error(transparent)]
    Live(#[from] LiveError),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("cannot start webhook delivery: {0}")]
    Webhooks(WebhookError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] crate::http::tls::TlsError),
    #[error("cannot read the bound address: {0}")]
    BoundAddress(std::io::Error),
    #[error("the server failed: {0}")]
    Server(std::io::Error),
    #[error("{what}: cannot start a thread: {source}")]
    Thread {
        what: &'static str,
        source: std::io::Error,
    },
    #[error("{what} did not finish within {seconds} s (is the data folder still there?)")]
    DidNotFinish { what: &'static str, seconds: u64 },
}

fn seconds(name: &'static str, value: f64) -> Result<Duration, ServeError> {
    if value.is_finite() && value > 0.0 && value < 1e9 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(ServeError::Seconds { name, value })
    }
}

/// After the stop signal, how long the shutdown may take before the process
/// exits anyway (a plugin call or a store write that never returns must not
/// keep a stopped server alive).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

pub fn serve(args: ServeArgs) -> i32 {
    match run(args) {
        Ok(()) => 0,
        Err(e) => {
            say(&format!("diorama serve: {e}"));
            2
        }
    }
}

/// Print a line on stderr, or nothing if stderr is gone: `eprintln!` panics
/// on a closed pipe, and a panic in the shutdown path would leave the server
/// running.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn run(args: ServeArgs) -> Result<(), ServeError> {
    let sweep_every = seconds("sweep-every", args.sweep_every)?;
    let snapshot_every = seconds("snapshot-every", args.snapshot_every)?;
    let first_retry = seconds("webhook-retry", args.webhook_retry)?;
    if !(args.action_rate.is_finite() && args.action_rate > 0.0 && args.action_rate <= 1e6) {
        return Err(ServeError::ActionRate(args.action_rate));
    }
    for (name, v) in [
        ("max-live", args.max_live),
        ("max-connections", args.max_connections),
        ("max-in-flight", args.max_in_flight),
        ("max-streams", args.max_streams),
        ("max-streams-per-profile", args.max_streams_per_profile),
    ] {
        if v == 0 {
            return Err(ServeError::AtLeastOne(name));
        }
    }
    let serve_limits = ServeLimits {
        max_connections: args.max_connections,
        max_in_flight: args.max_in_flight,
        max_streams: args.max_streams,
        max_streams_per_profile: args.max_streams_per_profile,
    };
    let admin_token = match args.admin_token.filter(|t| !t.trim().is_empty()) {
        Some(t) => t,
        None => {
            let mut b = [0u8; 24];
            getrandom::fill(&mut b).map_err(ServeError::Randomness)?;
            let t = format!("dat_{}", hex::encode(b));
            say(&format!("diorama serve: no admin token given (--admin-token or DIORAMA_ADMIN_TOKEN); this run's admin token is {t}"));
            t
        }
    };
    let store = Store::open(&args.data)?;
    let host = super::load_plugins(&args.plugins)?;
    // Store reads and plugin calls run on the blocking pool. They use the
    // CPU, so more threads than a few per core only add memory and start-up
    // cost under a burst: the pool is capped (tokio's default is 512).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(16)
        .enable_all()
        .thread_name("diorama-http")
        .build()
        .map_err(ServeError::Runtime)?;
    let telemetry = Arc::new(Telemetry::default());
    let webhooks = Webhooks::new(
        store.clone(),
        WebhookConfig {
            first_retry,
            allow_private: args.allow_private_webhooks,
            ..WebhookConfig::default()
        },
    );
    let script_limits = ScriptLimits {
        timeout: Some(Duration::from_secs(args.script_timeout)),
        ..ScriptLimits::default()
    };
    let runs = Runs::new(store.clone(), script_limits);
    runs.mark_interrupted()?;
    let live = LiveManager::open(
        Arc::new(host),
        store.clone(),
        webhooks.clone(),
        telemetry.clone(),
        LiveConfig {
            max_live: args.max_live,
            workers: args.workers,
            snapshot_every,
            action_rate: args.action_rate,
            ..LiveConfig::default()
        },
    )?;
    // Hooks in a platform's format are shaped by the profiles' plugins:
    // delivery starts once the profiles are restored.
    webhooks.set_shaper(live.shaper());
    webhooks
        .start(runtime.handle())
        .map_err(ServeError::Webhooks)?;
    // From here the store is flushed explicitly at the end, and never
    // dropped: sled's drop flushes again and, once a write has failed (the
    // data folder removed under it, a full disk), waits forever for a flush
    // that cannot complete. The process exit releases it.
    std::mem::forget(store.clone());
    let (closing, _) = tokio::sync::watch::channel(false);
    let state = Arc::new(AppState {
        live: live.clone(),
        webhooks: webhooks.clone(),
        telemetry,
        admin_token,
        scenarios: runs,
        closing: closing.clone(),
        gates: Gates::new(serve_limits),
    });
    let data = args.data.display().to_string();
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|source| ServeError::Listen {
                addr: args.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(ServeError::BoundAddress)?;
        {
            // Written, not `println!`: a closed stdout must not panic.
            use std::io::Write;
            let mut out = std::io::stdout();
            let _ = writeln!(
                out,
                "diorama serve: listening on http://{addr} (data: {data})"
            );
            let _ = out.flush();
        }
        if let Some(tls_addr) = args.tls_addr {
            serve_tls(tls_addr, &args.data, &state).await?;
        }
        let shutdown = async move {
            wait_for_signal().await;
            say("diorama serve: stopping: snapshotting live profiles");
            start_watchdog();
            let _ = closing.send(true);
        };
        http::serve(listener, state, sweep_every, shutdown)
            .await
            .map_err(ServeError::Server)
    });
    let stopped = within(LIVE_STOP_WAIT, "snapshotting the live profiles", {
        let live = live.clone();
        move || Ok(live.shutdown()?)
    });
    runtime.block_on(webhooks.shutdown());
    // Blocking tasks still running (a store read on a failing disk) are
    // not waited for.
    runtime.shutdown_timeout(Duration::from_secs(2));
    // A store too wedged to take the snapshots will not flush either.
    let wedged = matches!(&stopped, Err(ServeError::DidNotFinish { .. }));
    if !wedged {
        within(FLUSH_WAIT, "flushing the store", {
            let store = store.clone();
            move || Ok(store.flush()?)
        })?;
    }
    served?;
    stopped?;
    say("diorama serve: stopped cleanly");
    Ok(())
}

/// Start the TLS listener on `addr` beside the plain one, with the
/// authority kept under `data`, and say where its certificate is. It stops
/// when the server starts stopping.
async fn serve_tls(
    addr: SocketAddr,
    data: &std::path::Path,
    state: &http::ApiState,
) -> Result<(), ServeError> {
    let mut hosts: Vec<String> = Vec::new();
    for p in state.live.host().plugins() {
        hosts.extend(p.info.api_hosts.iter().cloned());
    }
    let authority = http::tls::Authority::open(data, &hosts)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Listen { addr, source })?;
    let bound = listener.local_addr().map_err(ServeError::BoundAddress)?;
    let ca = authority.ca_file.display();
    say(&format!(
        "diorama serve: TLS on https://{bound} for {}",
        authority.names.join(", ")
    ));
    say(&format!(
        "diorama serve: the certificate authority is {ca}; trust it in the client \
         (curl --cacert {ca}, REQUESTS_CA_BUNDLE={ca} or SSL_CERT_FILE={ca}, or for the whole \
         system: cp {ca} /usr/local/share/ca-certificates/diorama.crt && update-ca-certificates) \
         and send the API hosts here (a hosts-file line `127.0.0.1 <host>`, with the TLS \
         listener on port 443)"
    ));
    let listener = authority.listen(listener, state.gates.limits.max_connections);
    let mut closing = state.closing.subscribe();
    let stopped = async move {
        let _ = closing.wait_for(|c| *c).await;
    };
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = http::tls::serve(listener, state, stopped).await {
            say(&format!("diorama serve: the TLS listener failed: {e}"));
        }
    });
    Ok(())
}

/// How long snapshotting the live profiles at shutdown may take.
const LIVE_STOP_WAIT: Duration = Duration::from_secs(10);

/// How long the final flush may take (milliseconds on a working disk).
const FLUSH_WAIT: Duration = Duration::from_secs(5);

/// Run a shutdown step on a thread of its own and wait for it at most
/// `wait`: after a failed write (the data folder removed under it, a full
/// disk) sled's flush waits forever, and so would the server.
fn within(
    wait: Duration,
    what: &'static str,
    step: impl FnOnce() -> Result<(), ServeError> + Send + 'static,
) -> Result<(), ServeError> {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("diorama-stopping".into())
        .spawn(move || {
            let _ = done.send(step());
        })
        .map_err(|source| ServeError::Thread { what, source })?;
    match finished.recv_timeout(wait) {
        Ok(result) => result,
        Err(_) => Err(ServeError::DidNotFinish {
            what,
            seconds: wait.as_secs(),
        }),
    }
}

/// Once the stop signal came: exit after [`SHUTDOWN_GRACE`] if the shutdown
/// has not finished by then, or at once on a second signal.
fn start_watchdog() {
    let forced = |why: &str| {
        say(&format!(
            "diorama serve: {why}; exiting without finishing the shutdown"
        ));
        std::process::exit(1);
    };
    let _ = std::thread::Builder::new()
        .name("diorama-stop-watchdog".into())
        .spawn(move || {
            std::thread::sleep(SHUTDOWN_GRACE);
            forced(&format!(
                "the shutdown took more than {} s",
                SHUTDOWN_GRACE.as_secs()
            ));
        });
    let _ = std::thread::Builder::new()
        .name("diorama-stop-again".into())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(wait_for_signal());
            forced("a second stop signal came");
        });
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
