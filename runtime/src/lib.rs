//! # diorama
//!
//! The host runtime: loads sandboxed platform simulators (WebAssembly
//! components), drives them over virtual time, stores every event in sled and
//! runs Rhai scenarios over them — in a batch (`diorama run`) or live, for
//! demo profiles served over HTTP (`diorama serve`).
//!
//! Data flows one way: script or HTTP → [`engine`] (batch runs, or [`live`]
//! profiles following the wall clock) → [`plugin`] instances → events →
//! [`store`] → readers ([`report`], [`http`] reads and streams, [`webhook`]
//! deliveries). Every layer speaks the vocabulary of [`event`], which
//! imports nothing of the crate. The map of the code, its invariants and
//! where a change goes are in `ARCHITECTURE.md` at the repository's root.

pub mod cli;
pub mod engine;
pub mod event;
pub mod fault;
pub mod http;
pub mod live;
pub mod plugin;
pub mod report;
pub mod script;
pub mod stats;
pub mod store;
pub mod telemetry;
pub mod webhook;
