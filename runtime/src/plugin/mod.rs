//! Loading, sandboxing and calling platform plugins.
//!
//! A platform simulator is a WebAssembly component exporting
//! `diorama:platform/simulator` (see `sdk/wit/platform.wit`). The
//! [`PluginHost`] compiles each component once (cached on disk by content
//! hash), checks the interface version it was built for, pre-instantiates it
//! and asks it to describe itself. [`PluginHost::instantiate`] then creates
//! one sandboxed [`PluginInstance`] per (profile, platform): its memory is
//! that account's state.
//!
//! What a plugin can and cannot do is described in the `sandbox` module: no
//! files, network, environment or real clock; a deadline per call; a memory
//! limit; a budget on what the host copies out of a call's results. A call
//! that times out, traps, runs out of memory or returns too much fails its
//! instance with a [`PluginError`] naming the plugin, the call and the
//! reason; the host itself never panics.
//!
//! Calls block the calling thread until the plugin answers (or the deadline
//! stops it): call from a plain thread, not from an async executor's worker.

mod bindings;
pub mod budget;
mod cache;
mod error;
mod host;
mod instance;
mod sandbox;
mod validate;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

pub use cache::{default_cache_dir, CacheStats};
pub use budget::Budget;
pub use error::{ErrorKind, PluginError};
pub use host::{LoadedPlugin, PluginHost};
pub use instance::{PluginInstance, StepOutput};

/// The `diorama:platform` interface versions this host can run, oldest
/// first; the last is the SDK's ([`diorama_sdk::INTERFACE_VERSION`]).
pub const SUPPORTED_VERSIONS: &[&str] = bindings::VERSIONS;

/// How plugins are run.
#[derive(Clone, Debug)]
pub struct HostOptions {
    /// Where compiled components are cached. `None`: [`default_cache_dir`].
    pub cache_dir: Option<PathBuf>,
    /// How long one call into a plugin may run.
    pub call_timeout: Duration,
    /// How much linear memory one instance may use, in bytes.
    pub memory_limit: usize,
    /// How much host memory the results of one call may take, in bytes
    /// (strings and lists, at their size in the host): a call whose results
    /// exceed it fails its instance with
    /// [`ResultTooLarge`](ErrorKind::ResultTooLarge).
    pub result_limit: usize,
}

impl Default for HostOptions {
    fn default() -> Self {
        HostOptions {
            cache_dir: None,
            call_timeout: Duration::from_secs(1),
            memory_limit: 64 << 20,
            // A result a plugin builds honestly sits in its memory; in the
            // host its records take up to about twice their size there
            // (a `String` is 24 bytes, a guest string 8). Twice the memory
            // limit is room for any honest result, and a bound on the rest.
            result_limit: 128 << 20,
        }
    }
}

/// Where a plugin came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PluginSource {
    /// Embedded in this binary.
    Builtin,
    /// Loaded from this file.
    File(PathBuf),
}

impl fmt::Display for PluginSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PluginSource::Builtin => f.write_str("built-in"),
            PluginSource::File(path) => write!(f, "{}", path.display()),
        }
    }
}
