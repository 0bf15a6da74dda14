//! The plugin host: one engine, loading and checking plugins (file, format,
//! interface version, name), and creating their instances
//! ([`PluginInstance`], in `instance.rs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use diorama_sdk::{AccountConfig, PlatformInfo};
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Engine};

use super::bindings::{v0_1_0, v0_2_0, v0_3_0};
use super::cache::{CacheStats, ComponentCache};
use super::error::{ErrorKind, PluginError};
use super::instance::{PluginInstance, Pre};
use super::sandbox::{EpochTicker, StoreData};
use super::validate;
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
    /// from is left to the caller): its kinds, metrics and the roles a
    /// script reads them in, signals (and whether each applies to one piece
    /// of content), actions, limits, parameters (kind, default, range or
    /// choices, description, the shared word each stands for) and the
    /// defaults they make, its share of an automatic profile, its real API
    /// hosts and webhook formats. `GET /v1/platforms` documents the shape
    /// (`http::schema::PlatformInfo`).
    pub fn to_json(&self) -> serde_json::Value {
        let info = &self.info;
        let params: Vec<serde_json::Value> = info
            .params
            .iter()
            .map(|p| {
                serde_json::json!({
                    "name": p.name,
                    "kind": p.kind,
                    "default": serde_json::from_str::<serde_json::Value>(&p.default)
                        .unwrap_or(serde_json::Value::Null),
                    "min": p.min,
                    "max": p.max,
                    "choices": p.choices,
                    "description": p.description,
                    "shared": p.shared,
                })
            })
            .collect();
        serde_json::json!({
            "name": info.name,
            "version": info.version,
            "interface": self.interface_version,
            "content_kinds": info.content_kinds,
            "interaction_kinds": info.interaction_kinds,
            "metrics": info.metrics,
            "metric_roles": info.metric_roles,
            "signals": info.signals,
            "actions": info.actions,
            "limits": info.limits,
            "params": params,
            "defaults": info.defaults(),
            "automatic_share": info.automatic_share,
            "api_hosts": info.api_hosts,
            "webhook_formats": info.webhook_formats,
        })
    }
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
        super::sandbox::configure_memory(&mut config, options.memory_limit);
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
        // The host interface of every version: each version's is its own
        // instance name (`diorama:platform/host@0.1.0`, `@0.2.0`), so one
        // linker serves components of any of them.
        v0_1_0::Platform::add_to_linker::<StoreData, HasSelf<StoreData>>(&mut linker, |d| d)
            .map_err(|e| setup(format!("cannot link the 0.1 host interface: {e:#}")))?;
        v0_2_0::Platform::add_to_linker::<StoreData, HasSelf<StoreData>>(&mut linker, |d| d)
            .map_err(|e| setup(format!("cannot link the 0.2 host interface: {e:#}")))?;
        v0_3_0::Platform::add_to_linker::<StoreData, HasSelf<StoreData>>(&mut linker, |d| d)
            .map_err(|e| setup(format!("cannot link the 0.3 host interface: {e:#}")))?;

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
        check_preamble(bytes).map_err(|e| PluginError::load(shown, e.to_string()))?;
        let component = self.cache.load(&self.engine, bytes).map_err(|e| {
            PluginError::load(shown, format!("not a valid WebAssembly component: {e:#}"))
        })?;
        let version = self.interface_version(&component, label)?;
        let instance_pre = |shown: &str| {
            self.linker
                .instantiate_pre(&component)
                .map_err(|e| PluginError::load(shown, format!("cannot be linked: {e:#}")))
        };
        let mismatch = |e: wasmtime::Error| {
            PluginError::load(
                shown,
                format!("does not match diorama:platform@{version}: {e:#}"),
            )
        };
        let pre = match version.as_str() {
            v0_1_0::VERSION => {
                Pre::V0_1_0(v0_1_0::PlatformPre::new(instance_pre(shown)?).map_err(mismatch)?)
            }
            v0_2_0::VERSION => {
                Pre::V0_2_0(v0_2_0::PlatformPre::new(instance_pre(shown)?).map_err(mismatch)?)
            }
            v0_3_0::VERSION => {
                Pre::V0_3_0(v0_3_0::PlatformPre::new(instance_pre(shown)?).map_err(mismatch)?)
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
        check_name(&info.name).map_err(|e| PluginError::load(shown, e.to_string()))?;
        let problems = validate::problems(&info, pre.rules());
        if !problems.is_empty() {
            return Err(PluginError::new(
                &*info.name,
                "describe",
                ErrorKind::Description,
                problems.join("; "),
            ));
        }
        Ok(LoadedPlugin {
            info,
            source,
            interface_version: version,
            pre,
        })
    }

    /// The `diorama:platform` version the component exports: the name of
    /// its `simulator` export carries it (`diorama:platform/simulator@0.2.0`),
    /// so the component itself says which bindings read it; nothing else
    /// (a custom section, a manifest) can disagree with what it exports.
    /// Should it export several, the newest this host supports wins.
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
            .rev()
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

/// Why a file is refused as a plugin before it is compiled, or once it
/// has named itself (the reason of a [`ErrorKind::Load`] error).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
enum Refused {
    #[error("not a WebAssembly component: not a WebAssembly file at all")]
    NotWasm,
    #[error(
        "not a WebAssembly component: it is a core WebAssembly module; build the plugin \
         for wasm32-wasip2, which emits a component"
    )]
    CoreModule,
    #[error(
        "the plugin calls itself `{}`; a platform name is 1 to 32 lower-case letters, digits, `-` or `_`, starting with a letter",
        .0.escape_default()
    )]
    BadName(String),
}

/// A component, not a core module or something else entirely.
fn check_preamble(bytes: &[u8]) -> Result<(), Refused> {
    const MAGIC: &[u8] = b"\0asm";
    if bytes.len() < 8 || &bytes[..4] != MAGIC {
        return Err(Refused::NotWasm);
    }
    // Bytes 6..8 are the layer: 0 for a core module, 1 for a component.
    if bytes[6..8] == [0, 0] {
        return Err(Refused::CoreModule);
    }
    Ok(())
}

/// Platform names are short, lower-case identifiers: they name files,
/// commands and keys.
fn check_name(name: &str) -> Result<(), Refused> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Refused::BadName(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_what_is_wrong() {
        assert_eq!(
            check_preamble(b"\0asm\x0d\0\0\0").unwrap_err().to_string(),
            "not a WebAssembly component: it is a core WebAssembly module; build the plugin for \
             wasm32-wasip2, which emits a component"
        );
        assert_eq!(check_preamble(b"\0asm\x0d\0\x01\0"), Ok(()));
        assert_eq!(check_preamble(b"\0asm"), Err(Refused::NotWasm));
        assert_eq!(check_name("you-tube_2"), Ok(()));
        for bad in ["", "YouTube", "2tube", "a\u{7}b", &"x".repeat(33)] {
            assert_eq!(
                check_name(bad).unwrap_err().to_string(),
                format!(
                    "the plugin calls itself `{}`; a platform name is 1 to 32 lower-case letters, \
                     digits, `-` or `_`, starting with a letter",
                    bad.escape_default()
                )
            );
        }
    }
}
