//! The plugin host: one engine, the loaded plugins, and their instances.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use diorama_sdk::{AccountConfig, Action, ActionError, Event, Millis, PlatformInfo};
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Engine, Store};

use super::bindings::v0_1_0;
use super::cache::{CacheStats, ComponentCache};
use super::error::{ErrorKind, PluginError};
use super::sandbox::{self, EpochTicker, StoreData, TICK};
use super::{HostOptions, PluginSource, SUPPORTED_VERSIONS};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_plugins.rs"));
}

/// The interface a plugin exports, without its version.
const SIMULATOR: &str = "diorama:platform/simulator";

/// The largest plugin file accepted (a generous bound on real components,
/// which weigh a few hundred KiB to a few MiB).
const MAX_PLUGIN_BYTES: u64 = 256 << 20;

/// A loaded plugin: what it says about itself and how to instantiate it.
pub struct LoadedPlugin {
    pub info: PlatformInfo,
    pub source: PluginSource,
    /// The `diorama:platform` version it was built for, e.g. `0.1.0`.
    pub interface_version: String,
    pre: Pre,
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin")
            .field("info", &self.info)
            .field("source", &self.source)
            .field("interface_version", &self.interface_version)
            .finish_non_exhaustive()
    }
}

impl LoadedPlugin {
    /// What the plugin says about itself, as JSON (where it was loaded
    /// from is left to the caller).
    pub fn to_json(&self) -> serde_json::Value {
        let info = &self.info;
        serde_json::json!({
            "name": info.name,
            "version": info.version,
            "interface": self.interface_version,
            "content_kinds": info.content_kinds,
            "interaction_kinds": info.interaction_kinds,
            "metrics": info.metrics,
            "signals": info.signals,
            "actions": info.actions,
            "limits": info.limits,
            "defaults": serde_json::from_str::<serde_json::Value>(&info.defaults)
                .unwrap_or(serde_json::Value::Null),
        })
    }
}

/// A pre-instantiated component, by interface version.
#[derive(Clone)]
enum Pre {
    V0_1_0(v0_1_0::PlatformPre<StoreData>),
}

/// The bindings of a live instance, by interface version.
enum Bindings {
    V0_1_0(v0_1_0::Platform),
}

/// Loads platform plugins and instantiates them in their sandbox.
///
/// One [`wasmtime::Engine`] is shared by every plugin and instance; a
/// background thread advances its epoch for the call deadlines. The host is
/// `Send + Sync`: instances can be created from any thread.
pub struct PluginHost {
    engine: Engine,
    linker: Linker<StoreData>,
    cache: ComponentCache,
    options: HostOptions,
    plugins: BTreeMap<String, LoadedPlugin>,
    ticker: Arc<EpochTicker>,
}

impl PluginHost {
    pub fn new(options: HostOptions) -> Result<Self, PluginError> {
        let setup = |reason: String| PluginError::host("host", "setup", reason);
        let mut config = Config::new();
        config
            .strategy(wasmtime::Strategy::Cranelift)
            .cranelift_opt_level(wasmtime::OptLevel::Speed)
            // Call deadlines.
            .epoch_interruption(true)
            // Wasm runs on the caller's stack: keep what it may take well
            // below a spawned thread's 2 MiB.
            .max_wasm_stack(512 * 1024)
            // Plugins are synchronous components: none of the
            // component-model async machinery is needed in a store.
            .concurrency_support(false)
            .parallel_compilation(true);
        let engine = Engine::new(&config).map_err(|e| setup(format!("{e:#}")))?;

        let mut linker = Linker::<StoreData>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(|e| setup(format!("cannot link WASI: {e:#}")))?;
        // The stock monotonic clock sleeps in real time; ours is virtual.
        linker.allow_shadowing(true);
        wasmtime_wasi::p2::bindings::clocks::monotonic_clock::add_to_linker::<
            StoreData,
            HasSelf<StoreData>,
        >(&mut linker, |d| d)
        .map_err(|e| setup(format!("cannot link the virtual clock: {e:#}")))?;
        linker.allow_shadowing(false);
        v0_1_0::Platform::add_to_linker::<StoreData, HasSelf<StoreData>>(&mut linker, |d| d)
            .map_err(|e| setup(format!("cannot link the host interface: {e:#}")))?;

        let ticker = EpochTicker::start(&engine)
            .map_err(|e| setup(format!("cannot start the epoch thread: {e}")))?;
        let cache = ComponentCache::new(options.cache_dir.clone());
        Ok(PluginHost {
            engine,
            linker,
            cache,
            options,
            plugins: BTreeMap::new(),
            ticker: Arc::new(ticker),
        })
    }

    /// Load the plugins embedded in this binary.
    pub fn load_builtin(&mut self) -> Result<(), PluginError> {
        for (crate_name, bytes) in builtin::BUILTIN_PLUGINS {
            let plugin =
                self.load_component(crate_name, crate_name, bytes, PluginSource::Builtin)?;
            self.insert(plugin);
        }
        Ok(())
    }

    /// Load every `*.wasm` file of `dir`, in file name order. A plugin with
    /// the name of one already loaded replaces it.
    pub fn load_dir(&mut self, dir: &Path) -> Result<(), PluginError> {
        let unreadable = |e: std::io::Error| {
            PluginError::load(
                dir.display().to_string(),
                format!("cannot read the plugin directory: {e}"),
            )
        };
        let mut files: Vec<PathBuf> = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(unreadable)? {
            let path = entry.map_err(unreadable)?.path();
            if path.extension().is_some_and(|e| e == "wasm") && path.is_file() {
                files.push(path);
            }
        }
        files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        for path in files {
            self.load_file(&path)?;
        }
        Ok(())
    }

    /// Load one component file. A plugin with the name of one already loaded
    /// replaces it.
    pub fn load_file(&mut self, path: &Path) -> Result<(), PluginError> {
        let shown = path.display().to_string();
        let size = std::fs::metadata(path)
            .map_err(|e| PluginError::load(&shown, format!("cannot read: {e}")))?
            .len();
        if size > MAX_PLUGIN_BYTES {
            return Err(PluginError::load(
                &shown,
                format!("too large ({size} bytes; the limit is {MAX_PLUGIN_BYTES})"),
            ));
        }
        let bytes = std::fs::read(path)
            .map_err(|e| PluginError::load(&shown, format!("cannot read: {e}")))?;
        let label = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| shown.clone());
        let plugin = self.load_component(
            &shown,
            &label,
            &bytes,
            PluginSource::File(path.to_path_buf()),
        )?;
        self.insert(plugin);
        Ok(())
    }

    /// Compile (or fetch from the cache), check the interface version,
    /// pre-instantiate and describe. `shown` names the file in load errors,
    /// `label` names the plugin until it has described itself.
    fn load_component(
        &self,
        shown: &str,
        label: &str,
        bytes: &[u8],
        source: PluginSource,
    ) -> Result<LoadedPlugin, PluginError> {
        check_preamble(bytes).map_err(|reason| PluginError::load(shown, reason))?;
        let component = self.cache.load(&self.engine, bytes).map_err(|e| {
            PluginError::load(shown, format!("not a valid WebAssembly component: {e:#}"))
        })?;
        let version = self.interface_version(&component, label)?;
        let pre = match version.as_str() {
            "0.1.0" => {
                let instance_pre = self
                    .linker
                    .instantiate_pre(&component)
                    .map_err(|e| PluginError::load(shown, format!("cannot be linked: {e:#}")))?;
                let pre = v0_1_0::PlatformPre::new(instance_pre).map_err(|e| {
                    PluginError::load(
                        shown,
                        format!("does not match diorama:platform@0.1.0: {e:#}"),
                    )
                })?;
                Pre::V0_1_0(pre)
            }
            other => {
                return Err(PluginError::new(
                    label,
                    "load",
                    ErrorKind::Version {
                        found: Some(other.to_string()),
                    },
                    "",
                ))
            }
        };
        // Describe on a throwaway instance.
        let mut instance = PluginInstance::create(
            &self.engine,
            &pre,
            Arc::from(label),
            0,
            &self.options,
            self.ticker.clone(),
        )?;
        let info = instance.describe()?;
        check_name(&info.name).map_err(|reason| PluginError::load(shown, reason))?;
        Ok(LoadedPlugin {
            info,
            source,
            interface_version: version,
            pre,
        })
    }

    /// The `diorama:platform` version the component exports.
    fn interface_version(&self, component: &Component, label: &str) -> Result<String, PluginError> {
        let ty = component.component_type();
        let prefix = format!("{SIMULATOR}@");
        let mut found: Vec<String> = ty
            .exports(&self.engine)
            .filter_map(|(name, _)| name.strip_prefix(&prefix).map(str::to_string))
            .collect();
        found.sort_by_key(|v| version_key(v));
        if let Some(v) = found
            .iter()
            .find(|v| SUPPORTED_VERSIONS.contains(&v.as_str()))
        {
            return Ok(v.clone());
        }
        match found.into_iter().next_back() {
            Some(v) => Err(PluginError::new(
                label,
                "load",
                ErrorKind::Version { found: Some(v) },
                "",
            )),
            None => {
                let exports: Vec<String> = ty
                    .exports(&self.engine)
                    .map(|(n, _)| n.to_string())
                    .collect();
                Err(PluginError::new(
                    label,
                    "load",
                    ErrorKind::Version { found: None },
                    format!(
                        "it does not export `{SIMULATOR}` (it exports: {})",
                        if exports.is_empty() {
                            "nothing".to_string()
                        } else {
                            exports.join(", ")
                        }
                    ),
                ))
            }
        }
    }

    fn insert(&mut self, plugin: LoadedPlugin) {
        if let Some(previous) = self.plugins.get(&plugin.info.name) {
            tracing::info!(
                "plugin `{}` from {} replaces the one from {}",
                plugin.info.name,
                plugin.source,
                previous.source
            );
        }
        self.plugins.insert(plugin.info.name.clone(), plugin);
    }

    /// The loaded plugins, sorted by name.
    pub fn plugins(&self) -> Vec<&LoadedPlugin> {
        self.plugins.values().collect()
    }

    pub fn get(&self, name: &str) -> Option<&LoadedPlugin> {
        self.plugins.get(name)
    }

    /// A new instance of `platform`, initialised with `config`.
    pub fn instantiate(
        &self,
        platform: &str,
        config: &AccountConfig,
    ) -> Result<PluginInstance, PluginError> {
        let plugin = self.plugins.get(platform).ok_or_else(|| {
            PluginError::new(
                platform,
                "instantiate",
                ErrorKind::UnknownPlatform {
                    available: self.plugins.keys().cloned().collect(),
                },
                "",
            )
        })?;
        let mut instance = PluginInstance::create(
            &self.engine,
            &plugin.pre,
            Arc::from(platform),
            config.seed,
            &self.options,
            self.ticker.clone(),
        )?;
        instance.init(config)?;
        Ok(instance)
    }

    /// How the compiled-component cache was used so far.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }

    /// The directory compiled components are cached in, if any.
    pub fn cache_dir(&self) -> Option<&Path> {
        self.cache.dir()
    }

    /// The cache file a component's compiled form is (or would be) kept in.
    pub fn cache_file_for(&self, component: &[u8]) -> Option<PathBuf> {
        self.cache.path_for(&self.engine, component)
    }

    pub fn options(&self) -> &HostOptions {
        &self.options
    }
}

/// `0.10.0` sorts after `0.2.0`.
fn version_key(version: &str) -> Vec<(u64, String)> {
    version
        .split(['.', '-', '+'])
        .map(|part| (part.parse().unwrap_or(u64::MAX), part.to_string()))
        .collect()
}

/// A component, not a core module or something else entirely.
fn check_preamble(bytes: &[u8]) -> Result<(), String> {
    const MAGIC: &[u8] = b"\0asm";
    if bytes.len() < 8 || &bytes[..4] != MAGIC {
        return Err("not a WebAssembly component: not a WebAssembly file at all".into());
    }
    // Bytes 6..8 are the layer: 0 for a core module, 1 for a component.
    if bytes[6..8] == [0, 0] {
        return Err(
            "not a WebAssembly component: it is a core WebAssembly module; build the plugin \
             for wasm32-wasip2, which emits a component"
                .into(),
        );
    }
    Ok(())
}

/// Platform names are short, lower-case identifiers: they name files,
/// commands and keys.
fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the plugin calls itself `{}`; a platform name is 1 to 32 lower-case letters, digits, `-` or `_`, starting with a letter",
            name.escape_default()
        ))
    }
}

/// A live plugin instance: one account on one platform.
///
/// After a timeout, a trap or running out of memory, the instance is
/// failed: every later call returns the same error without calling in.
pub struct PluginInstance {
    platform: Arc<str>,
    store: Store<StoreData>,
    bindings: Bindings,
    timeout: Duration,
    memory_limit: usize,
    result_limit: usize,
    deadline_ticks: u64,
    /// The virtual time of the last call, for calls that carry none.
    now: Millis,
    failure: Option<PluginError>,
    _ticker: Arc<EpochTicker>,
}

impl std::fmt::Debug for PluginInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginInstance")
            .field("platform", &self.platform)
            .field("failed", &self.failure.is_some())
            .finish_non_exhaustive()
    }
}

impl PluginInstance {
    fn create(
        engine: &Engine,
        pre: &Pre,
        platform: Arc<str>,
        seed: u64,
        options: &HostOptions,
        ticker: Arc<EpochTicker>,
    ) -> Result<Self, PluginError> {
        let data = StoreData::new(platform.clone(), seed, options.memory_limit);
        let mut store = Store::new(engine, data);
        store.limiter(|d| &mut d.limiter);
        // The results of a call are copied out of the guest's memory (lifted)
        // by wasmtime before the host sees them, and in the component ABI
        // every string or list in a result may point at the same guest
        // bytes: a plugin within its memory limit could describe terabytes.
        // Checking the lifted values would come too late, and lifting lazily
        // (`WasmList` / `WasmStr` results) would read guest memory after the
        // post-return function has freed it. Wasmtime's hostcall fuel is the
        // budget made for this: the lift charges every string's bytes and
        // every list's length times its host element size against it
        // *before* allocating, and fails once it is spent. It is reset for
        // each lift (each call's results, and each call the guest makes into
        // the host), so it bounds what the host allocates per call, counts
        // and bytes alike.
        store.set_hostcall_fuel(options.result_limit);
        store.epoch_deadline_trap();
        // Whole ticks, plus one: the first tick may come at once.
        let deadline_ticks = options.call_timeout.as_nanos().div_ceil(TICK.as_nanos()) as u64 + 1;
        store.set_epoch_deadline(deadline_ticks);
        store.data_mut().begin_call(0);
        let result = match pre {
            Pre::V0_1_0(pre) => pre.instantiate(&mut store).map(Bindings::V0_1_0),
        };
        store.data_mut().end_call();
        let bindings = match result {
            Ok(b) => b,
            Err(e) => {
                let data = store.data();
                let (kind, reason) = failure_kind(
                    &e,
                    data.limiter.memory_refused,
                    &data.stderr.text(),
                    options.call_timeout,
                    options.memory_limit,
                    options.result_limit,
                );
                return Err(PluginError::new(&*platform, "instantiate", kind, reason));
            }
        };
        Ok(PluginInstance {
            platform,
            store,
            bindings,
            timeout: options.call_timeout,
            memory_limit: options.memory_limit,
            result_limit: options.result_limit,
            deadline_ticks,
            now: 0,
            failure: None,
            _ticker: ticker,
        })
    }

    /// The platform this instance simulates.
    pub fn platform(&self) -> &str {
        &self.platform
    }

    /// Whether a call failed fatally; every later call returns that failure.
    pub fn is_failed(&self) -> bool {
        self.failure.is_some()
    }

    /// The fatal failure, if one happened.
    pub fn failure(&self) -> Option<&PluginError> {
        self.failure.as_ref()
    }

    fn describe(&mut self) -> Result<PlatformInfo, PluginError> {
        self.call("describe", 0, |b, store| match b {
            Bindings::V0_1_0(p) => p
                .diorama_platform_simulator()
                .call_describe(store)
                .map(Into::into),
        })
    }

    fn init(&mut self, config: &AccountConfig) -> Result<(), PluginError> {
        let answer = self.call("init", config.start, |b, store| match b {
            Bindings::V0_1_0(p) => p
                .diorama_platform_simulator()
                .call_init(store, &v0_1_0::wit::AccountConfig::from(config)),
        })?;
        answer.map_err(|reason| self.rejected("init", reason))
    }

    /// Advance the model over `[from, to)`; the events in that window.
    pub fn step(&mut self, from: Millis, to: Millis) -> Result<Vec<Event>, PluginError> {
        self.call("step", from, |b, store| match b {
            Bindings::V0_1_0(p) => p
                .diorama_platform_simulator()
                .call_step(store, from, to)
                .map(|events| events.into_iter().map(Into::into).collect()),
        })
    }

    /// Apply the scenario perturbation `name` at `at`; `params` is a JSON
    /// object. An unknown signal or bad parameters give a
    /// [`Rejected`](ErrorKind::Rejected) error, which does not fail the
    /// instance.
    pub fn signal(&mut self, at: Millis, name: &str, params: &str) -> Result<(), PluginError> {
        let answer = self.call("signal", at, |b, store| match b {
            Bindings::V0_1_0(p) => p
                .diorama_platform_simulator()
                .call_signal(store, at, name, params),
        })?;
        answer.map_err(|reason| self.rejected("signal", reason))
    }

    /// The creator acts at `at`. The inner result is the platform's answer.
    pub fn act(
        &mut self,
        at: Millis,
        action: &Action,
    ) -> Result<Result<Vec<Event>, ActionError>, PluginError> {
        self.call("act", at, |b, store| match b {
            Bindings::V0_1_0(p) => p
                .diorama_platform_simulator()
                .call_act(store, at, &v0_1_0::wit::Action::from(action))
                .map(|answer| {
                    answer
                        .map(|events| events.into_iter().map(Into::into).collect())
                        .map_err(Into::into)
                }),
        })
    }

    /// The instance's state, for checkpoints.
    pub fn snapshot(&mut self) -> Result<Vec<u8>, PluginError> {
        let now = self.now;
        self.call("snapshot", now, |b, store| match b {
            Bindings::V0_1_0(p) => p.diorama_platform_simulator().call_snapshot(store),
        })
    }

    /// Replace the instance's state with a snapshot.
    pub fn restore(&mut self, bytes: &[u8]) -> Result<(), PluginError> {
        let now = self.now;
        let answer = self.call("restore", now, |b, store| match b {
            Bindings::V0_1_0(p) => p.diorama_platform_simulator().call_restore(store, bytes),
        })?;
        answer.map_err(|reason| self.rejected("restore", reason))
    }

    fn rejected(&self, call: &'static str, reason: String) -> PluginError {
        PluginError::new(&*self.platform, call, ErrorKind::Rejected, reason)
    }

    /// Make one call into the guest at virtual time `at`, under the call
    /// deadline, and turn a failure into a poisoning [`PluginError`].
    fn call<R>(
        &mut self,
        call: &'static str,
        at: Millis,
        f: impl FnOnce(&Bindings, &mut Store<StoreData>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        self.now = at;
        self.store.data_mut().begin_call(at);
        self.store.set_epoch_deadline(self.deadline_ticks);
        let result = f(&self.bindings, &mut self.store);
        self.store.data_mut().end_call();
        result.map_err(|e| {
            let error = self.classify(call, &e);
            tracing::debug!(plugin = %self.platform, "{error} ({e:?})");
            self.failure = Some(error.clone());
            error
        })
    }

    fn classify(&self, call: &'static str, error: &wasmtime::Error) -> PluginError {
        let data = self.store.data();
        let (kind, reason) = failure_kind(
            error,
            data.limiter.memory_refused,
            &data.stderr.text(),
            self.timeout,
            self.memory_limit,
            self.result_limit,
        );
        PluginError::new(&*self.platform, call, kind, reason)
    }
}

/// What kind of failure ended a call, and the details worth showing.
fn failure_kind(
    error: &wasmtime::Error,
    memory_refused: bool,
    stderr: &str,
    timeout: Duration,
    memory_limit: usize,
    result_limit: usize,
) -> (ErrorKind, String) {
    if sandbox::is_interrupt(error) {
        return (ErrorKind::Timeout { limit: timeout }, String::new());
    }
    if is_fuel_exhausted(error) {
        return (
            ErrorKind::ResultTooLarge {
                limit: result_limit,
            },
            String::new(),
        );
    }
    if memory_refused {
        return (
            ErrorKind::OutOfMemory {
                limit: memory_limit,
            },
            String::new(),
        );
    }
    if let Some(exit) = error.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return (
            ErrorKind::Trap,
            format!("the plugin exited (status {})", exit.0),
        );
    }
    if let Some(words) = sandbox::last_words(stderr) {
        return (ErrorKind::Trap, words);
    }
    let what = match error.downcast_ref::<wasmtime::Trap>() {
        Some(trap) => trap.to_string(),
        None => format!("{error:#}"),
    };
    (ErrorKind::Trap, what)
}

/// Whether a call failed because its results outgrew the hostcall fuel.
/// Wasmtime's error type for it is private: its message is the only mark,
/// and the `hostile` plugin's tests pin it (wasmtime's version is pinned).
fn is_fuel_exhausted(error: &wasmtime::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .to_string()
            .contains("fuel allocated for hostcalls has been exhausted")
    })
}
