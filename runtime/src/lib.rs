//! # diorama
//!
//! The host runtime: loads sandboxed platform simulators (WebAssembly
//! components), drives them over virtual time, stores every event in sled and
//! runs Rhai scenarios over them.
//!
//! Data flows one way: script → [`engine`] → [`plugin`] instances → events →
//! [`store`] → readers ([`report`]).

pub mod cli;
pub mod engine;
pub mod http;
pub mod live;
pub mod plugin;
pub mod report;
pub mod script;
pub mod stats;
pub mod store;
pub mod telemetry;
pub mod webhook;
