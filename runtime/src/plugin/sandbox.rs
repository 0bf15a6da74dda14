//! The sandbox a plugin instance runs in.
//!
//! A plugin is untrusted code. Each instance gets its own `Store` with:
//!
//! - **no files, environment, arguments or network**: the WASI context has no
//!   preopened directories, no variables, no arguments, and TCP, UDP and name
//!   lookups are disabled;
//! - **captured output**: stdout and stderr go to bounded in-memory pipes that
//!   keep only their last few KiB (never the host's own streams); stderr's tail
//!   is quoted when the instance traps, so a guest's panic message reaches the
//!   user;
//! - **virtual clocks**: the wall clock and the monotonic clock both read the
//!   virtual time of the current call, and sleeping returns at once (time does
//!   not pass inside a call), so no guest can block the host or observe real
//!   time;
//! - **deterministic randomness**: every WASI random source is a ChaCha
//!   generator seeded from the account's seed;
//! - **a CPU deadline per call**, by epoch interruption: a ticker thread
//!   advances the engine's epoch every [`TICK`]; a call still running after
//!   the call timeout traps;
//! - **a memory limit**, with growth failures turned into traps; the limiter
//!   remembers that it refused, so the failure is reported as out of memory
//!   rather than as a generic trap;
//! - **bounded logs**: `host.log` forwards to `tracing` under the plugin's
//!   name, at most [`LOG_BUDGET`] bytes per call.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use diorama_sdk::Millis;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use wasmtime::component::{Resource, ResourceTable};
use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{DynPollable, OutputStream, Pollable, StreamError, StreamResult};
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxView, WasiView};

use super::bindings::v0_1_0::diorama::platform::host;
use super::bindings::v0_1_0::wit;

/// How often the epoch advances. A looping call is stopped between one and
/// two ticks after its deadline.
pub(crate) const TICK: Duration = Duration::from_millis(10);

/// How many bytes a plugin may log through `host.log` in one call.
pub(crate) const LOG_BUDGET: usize = 64 * 1024;

/// How many bytes of a guest's stdout and stderr are kept (the last ones).
const PIPE_TAIL: usize = 8 * 1024;

/// The most `wasi:random` bytes a guest may ask for at once.
const MAX_RANDOM: u64 = 1 << 20;

/// The most WASI resources (streams, pollables...) an instance may hold.
const MAX_RESOURCES: usize = 4096;

/// The most table elements (function references) an instance may have.
const MAX_TABLE_ELEMENTS: usize = 100_000;

/// How the engine lays out each instance's linear memory.
///
/// Wasmtime's default on 64-bit hosts reserves 4 GiB of address space per
/// linear memory, plus guard regions, so that 32-bit memories need no bounds
/// checks. A live server holds one instance per (profile, platform): 30,000
/// instances would reserve about 120 TiB, near the 128 TiB a process can
/// address, and fail before. An instance can never grow past the memory
/// limit anyway (the [`Limiter`] refuses), so each memory reserves exactly
/// that (rounded up to whole wasm pages, at least one) and never moves:
/// 30,000 instances of the default 64 MiB limit reserve about 2.8 TiB
/// with their guard regions. The price is an explicit bounds check on
/// memory accesses, a few percent of a step.
pub(crate) fn configure_memory(config: &mut wasmtime::Config, memory_limit: usize) {
    const PAGE: u64 = 64 * 1024;
    const MAX: u64 = 4 << 30;
    let reservation = (memory_limit as u64)
        .div_ceil(PAGE)
        .saturating_mul(PAGE)
        .clamp(PAGE, MAX);
    config
        .memory_reservation(reservation)
        .memory_reservation_for_growth(0)
        // The guard after each memory stays (it lets the compiler merge the
        // bounds checks of nearby accesses); none is needed before it.
        .guard_before_linear_memory(false);
}

/// Everything a plugin instance's store holds.
pub(crate) struct StoreData {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) limiter: Limiter,
    pub(crate) clock: VirtualClock,
    pub(crate) stdout: TailPipe,
    pub(crate) stderr: TailPipe,
    /// The plugin's name, for its log lines.
    plugin: Arc<str>,
    /// Bytes the plugin may still log during the current call.
    log_budget: usize,
    /// Whether a log line was dropped during the current call.
    log_dropped: bool,
}

impl StoreData {
    pub(crate) fn new(plugin: Arc<str>, seed: u64, memory_limit: usize) -> Self {
        let clock = VirtualClock::default();
        let stdout = TailPipe::new(PIPE_TAIL);
        let stderr = TailPipe::new(PIPE_TAIL);
        let mut builder = WasiCtx::builder();
        builder
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .wall_clock(clock.clone())
            .monotonic_clock(clock.clone())
            .secure_random(GuestRng::new(seed, 1))
            .insecure_random(GuestRng::new(seed, 2))
            .insecure_random_seed(GuestRng::new(seed, 3).seed128())
            .max_random_size(MAX_RANDOM)
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false);
        let mut table = ResourceTable::new();
        table.set_max_capacity(MAX_RESOURCES);
        StoreData {
            wasi: builder.build(),
            table,
            limiter: Limiter::new(memory_limit),
            clock,
            stdout,
            stderr,
            plugin,
            log_budget: LOG_BUDGET,
            log_dropped: false,
        }
    }

    /// Prepare for a call made at virtual time `now`.
    pub(crate) fn begin_call(&mut self, now: Millis) {
        self.clock.set(now);
        self.log_budget = LOG_BUDGET;
        self.log_dropped = false;
        self.stdout.clear();
        self.stderr.clear();
    }

    /// Forward what the guest printed during the call to `tracing` (debug).
    pub(crate) fn end_call(&mut self) {
        for (stream, pipe) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            let text = pipe.text();
            if !text.is_empty() {
                tracing::debug!(plugin = %self.plugin, stream, "{}", text.trim_end());
            }
        }
    }
}

impl WasiView for StoreData {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// The shared types interface has no functions.
impl wit::Host for StoreData {}

impl host::Host for StoreData {
    fn log(&mut self, level: wit::Level, message: String) {
        if self.log_budget < message.len() {
            if !self.log_dropped {
                self.log_dropped = true;
                tracing::warn!(
                    plugin = %self.plugin,
                    "the plugin logged more than {} KiB in one call; further lines of this call are dropped",
                    LOG_BUDGET / 1024
                );
            }
            return;
        }
        self.log_budget -= message.len();
        let plugin = &*self.plugin;
        match level {
            wit::Level::Trace => tracing::trace!(plugin, "{message}"),
            wit::Level::Debug => tracing::debug!(plugin, "{message}"),
            wit::Level::Info => tracing::info!(plugin, "{message}"),
            wit::Level::Warn => tracing::warn!(plugin, "{message}"),
            wit::Level::Error => tracing::error!(plugin, "{message}"),
        }
    }
}

/// Wraps [`StoreLimits`] and remembers whether it refused memory growth, so
/// the resulting trap can be reported as "out of memory".
pub(crate) struct Limiter {
    inner: StoreLimits,
    memory_limit: usize,
    pub(crate) memory_refused: bool,
}

impl Limiter {
    fn new(memory_limit: usize) -> Self {
        Limiter {
            inner: StoreLimitsBuilder::new()
                .memory_size(memory_limit)
                .table_elements(MAX_TABLE_ELEMENTS)
                // A Rust component is one core instance plus a few small
                // adapter and shim instances.
                .instances(32)
                .tables(32)
                .memories(4)
                .trap_on_grow_failure(true)
                .build(),
            memory_limit,
            memory_refused: false,
        }
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let answer = self.inner.memory_growing(current, desired, maximum);
        if desired > self.memory_limit && !matches!(answer, Ok(true)) {
            self.memory_refused = true;
        }
        answer
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        // The host could not provide memory the limit allowed: report it as
        // out of memory too.
        self.memory_refused = true;
        self.inner.memory_grow_failed(error)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.inner.table_growing(current, desired, maximum)
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.inner.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.inner.instances()
    }

    fn tables(&self) -> usize {
        self.inner.tables()
    }

    fn memories(&self) -> usize {
        self.inner.memories()
    }
}

/// The virtual time of the current call, as both WASI clocks see it.
#[derive(Clone, Default)]
pub(crate) struct VirtualClock(Arc<AtomicI64>);

impl VirtualClock {
    pub(crate) fn set(&self, now: Millis) {
        self.0.store(now, Ordering::Relaxed);
    }

    fn millis(&self) -> u64 {
        u64::try_from(self.0.load(Ordering::Relaxed)).unwrap_or(0)
    }

    fn nanos(&self) -> u64 {
        self.millis().saturating_mul(1_000_000)
    }
}

impl HostWallClock for VirtualClock {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }

    fn now(&self) -> Duration {
        Duration::from_millis(self.millis())
    }
}

impl HostMonotonicClock for VirtualClock {
    fn resolution(&self) -> u64 {
        1_000_000
    }

    fn now(&self) -> u64 {
        self.nanos()
    }
}

// `wasi:clocks/monotonic-clock` on virtual time. It replaces the stock
// implementation, whose `subscribe-*` pollables wait in real time inside a
// host call, where the epoch deadline cannot stop them: here, time does not
// pass inside a call, so every subscription is ready at once.
impl wasmtime_wasi::p2::bindings::clocks::monotonic_clock::Host for StoreData {
    fn now(&mut self) -> wasmtime::Result<u64> {
        Ok(self.clock.nanos())
    }

    fn resolution(&mut self) -> wasmtime::Result<u64> {
        Ok(1_000_000)
    }

    fn subscribe_instant(&mut self, _when: u64) -> wasmtime::Result<Resource<DynPollable>> {
        ready_pollable(&mut self.table)
    }

    fn subscribe_duration(&mut self, _duration: u64) -> wasmtime::Result<Resource<DynPollable>> {
        ready_pollable(&mut self.table)
    }
}

/// A pollable that is always ready.
struct Ready;

#[wasmtime_wasi::async_trait]
impl Pollable for Ready {
    async fn ready(&mut self) {}
}

fn ready_pollable(table: &mut ResourceTable) -> wasmtime::Result<Resource<DynPollable>> {
    let ready = table.push(Ready)?;
    wasmtime_wasi::p2::subscribe(table, ready)
}

/// A guest's randomness: ChaCha20 seeded from the account's seed and a
/// stream number, so each WASI random source is independent and
/// reproducible.
pub(crate) struct GuestRng(ChaCha20Rng);

impl GuestRng {
    fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        GuestRng(rng)
    }

    fn seed128(mut self) -> u128 {
        (u128::from(self.0.next_u64()) << 64) | u128::from(self.0.next_u64())
    }
}

impl wasi_rand_core::TryRng for GuestRng {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.0.next_u32())
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(self.0.next_u64())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0.fill_bytes(dst);
        Ok(())
    }
}

/// An in-memory output stream that keeps only its last `capacity` bytes.
/// Writing never fails and never blocks, whatever the guest writes.
#[derive(Clone)]
pub(crate) struct TailPipe {
    buffer: Arc<Mutex<VecDeque<u8>>>,
    capacity: usize,
}

impl TailPipe {
    fn new(capacity: usize) -> Self {
        TailPipe {
            buffer: Arc::new(Mutex::new(VecDeque::with_capacity(capacity))),
            capacity,
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut VecDeque<u8>) -> R) -> R {
        // A poisoned lock only means another thread panicked mid-write of
        // captured output; the bytes are still fine to use.
        let mut guard = match self.buffer.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    fn clear(&self) {
        self.with(|b| b.clear());
    }

    /// What was written since the last clear (at most the last `capacity`
    /// bytes), as text.
    pub(crate) fn text(&self) -> String {
        self.with(|b| {
            let (front, back) = b.as_slices();
            let mut bytes = Vec::with_capacity(b.len());
            bytes.extend_from_slice(front);
            bytes.extend_from_slice(back);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    }

    fn push(&self, bytes: &[u8]) {
        let capacity = self.capacity;
        self.with(|b| {
            let bytes = &bytes[bytes.len().saturating_sub(capacity)..];
            let overflow = (b.len() + bytes.len()).saturating_sub(capacity);
            b.drain(..overflow.min(b.len()));
            b.extend(bytes);
        });
    }
}

impl IsTerminal for TailPipe {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for TailPipe {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        // Only used by WASIp3 guests, which the host does not link: a
        // zero-capacity pipe refuses every write.
        Box::new(wasmtime_wasi::p2::pipe::MemoryOutputPipe::new(0))
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for TailPipe {
    async fn ready(&mut self) {}
}

#[wasmtime_wasi::async_trait]
impl OutputStream for TailPipe {
    fn write(&mut self, bytes: bytes::Bytes) -> StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> Result<usize, StreamError> {
        Ok(PIPE_TAIL)
    }
}

/// Advances an engine's epoch every [`TICK`] while any host or instance
/// holds it; stops when the last one is dropped.
pub(crate) struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    pub(crate) fn start(engine: &wasmtime::Engine) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let engine = engine.weak();
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("diorama-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::park_timeout(TICK);
                    match engine.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            })?;
        Ok(EpochTicker {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

/// Whether the trap that ended a call came from the epoch deadline.
pub(crate) fn is_interrupt(error: &wasmtime::Error) -> bool {
    matches!(
        error.downcast_ref::<wasmtime::Trap>(),
        Some(wasmtime::Trap::Interrupt)
    )
}

/// The last meaningful lines a guest wrote to stderr: its panic message, in
/// the case of a Rust guest.
pub(crate) fn last_words(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .filter(|l| !l.starts_with("note: run with `RUST_BACKTRACE"))
        .collect();
    if lines.is_empty() {
        return None;
    }
    // A Rust panic reads "thread '...' panicked at FILE:LINE:COL:\nMESSAGE".
    if let Some(at) = lines.iter().rposition(|l| l.contains("panicked at")) {
        let location = lines[at]
            .split("panicked at")
            .nth(1)
            .map(|s| s.trim().trim_end_matches(':').to_string())
            .unwrap_or_default();
        let message: Vec<&str> = lines[at + 1..].iter().take(8).copied().collect();
        let message = message.join("\n");
        return Some(match (message.is_empty(), location.is_empty()) {
            (true, _) => lines[at].trim().to_string(),
            (false, true) => message,
            (false, false) => format!("{message} (panicked at {location})"),
        });
    }
    let start = lines.len().saturating_sub(5);
    Some(lines[start..].join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_pipe_keeps_the_last_bytes() {
        let pipe = TailPipe::new(8);
        pipe.push(b"hello ");
        pipe.push(b"world");
        assert_eq!(pipe.text(), "lo world");
        pipe.push(b"0123456789abc");
        assert_eq!(pipe.text(), "56789abc");
        pipe.clear();
        assert_eq!(pipe.text(), "");
    }

    #[test]
    fn last_words_finds_a_rust_panic() {
        let stderr = "some noise\nthread '<unnamed>' panicked at src/lib.rs:70:23:\nhostile plugin traps on purpose\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";
        assert_eq!(
            last_words(stderr).as_deref(),
            Some("hostile plugin traps on purpose (panicked at src/lib.rs:70:23)")
        );
        assert_eq!(last_words("a\nb\n").as_deref(), Some("a\nb"));
        assert_eq!(last_words("\n \n"), None);
    }

    #[test]
    fn guest_randomness_is_seeded() {
        use wasi_rand_core::Rng;
        let mut a = GuestRng::new(7, 1);
        let mut b = GuestRng::new(7, 1);
        let mut c = GuestRng::new(8, 1);
        let mut d = GuestRng::new(7, 2);
        let (x, y, z, w) = (a.next_u64(), b.next_u64(), c.next_u64(), d.next_u64());
        assert_eq!(x, y);
        assert_ne!(x, z);
        assert_ne!(x, w);
    }

    #[test]
    fn logging_is_bounded_per_call() {
        use host::Host;
        let mut data = StoreData::new(Arc::from("test"), 1, 1 << 20);
        data.begin_call(0);
        let line = "x".repeat(1000);
        for _ in 0..LOG_BUDGET / 1000 {
            data.log(wit::Level::Trace, line.clone());
        }
        assert!(!data.log_dropped);
        data.log(wit::Level::Trace, line.clone());
        assert!(data.log_dropped, "past the budget, lines are dropped");
        data.begin_call(1);
        assert!(!data.log_dropped);
        assert_eq!(data.log_budget, LOG_BUDGET, "each call has its own budget");
    }

    #[test]
    fn clocks_read_virtual_time() {
        let clock = VirtualClock::default();
        clock.set(1_700_000_000_123);
        assert_eq!(
            HostWallClock::now(&clock),
            Duration::from_millis(1_700_000_000_123)
        );
        assert_eq!(HostMonotonicClock::now(&clock), 1_700_000_000_123_000_000);
        clock.set(-5);
        assert_eq!(HostMonotonicClock::now(&clock), 0);
    }
}
