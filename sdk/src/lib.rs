//! # diorama-sdk
//!
//! Everything a platform author needs to add a platform to diorama:
//!
//! - the WIT contract, one folder per published version (`wit/0.1.0/`,
//!   `wit/0.2.0/`, `wit/0.3.0/`); components built with this SDK export
//!   `diorama:platform@0.3.0`;
//! - the [`Platform`] trait and the [`export_platform!`] macro: a plugin is a
//!   plain serde struct, snapshot and restore come for free;
//! - the [`kit`]: signals, reply threads, the DM inbox and actions that
//!   platforms share;
//! - shared models every platform needs, in [`models`]: a seeded generator,
//!   virtual time and daily rhythm, reaction timing, popularity, ids, text and
//!   personas;
//! - a native test [`harness`] that drives a platform without a WebAssembly
//!   engine, for unit tests and benchmarks, and shared [`testing`] checks of
//!   the common scenario signals.

pub mod guest;
pub mod harness;
pub mod kit;
pub mod models;
mod platform;
pub mod testing;
pub mod types;

pub use platform::{parse_params, restore, snapshot, Platform};
pub use types::*;

/// The serde crates the SDK's types and the [`Platform`] trait are built on,
/// re-exported so that a plugin crate needs no other dependency than the SDK
/// (`use diorama_sdk::serde::{Deserialize, Serialize};` and
/// `#[serde(crate = "diorama_sdk::serde")]` on its derives).
pub use serde;
pub use serde_json;

/// Inside a component, the SDK installs talc as the allocator (feature
/// `fast-alloc`, on by default): every event's strings are allocated by the
/// plugin and freed after the host has copied them.
#[cfg(all(
    feature = "fast-alloc",
    target_family = "wasm",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The version of the WIT package this SDK implements.
pub const INTERFACE_VERSION: &str = "0.3.0";

/// The generated component bindings. Not for direct use.
#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit/0.3.0",
        world: "platform",
        pub_export_macro: true,
        export_macro_name: "__export_platform_bindings",
        default_bindings_module: "diorama_sdk::bindings",
    });
}

/// Log a line through the host (inside a component) or into the harness's
/// log (natively).
pub fn log(level: Level, message: &str) {
    #[cfg(target_arch = "wasm32")]
    guest::host_log(level, message);
    #[cfg(not(target_arch = "wasm32"))]
    harness::record_log(level, message);
}
