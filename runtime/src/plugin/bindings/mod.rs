//! The host side of the WIT contract: one module per published version of
//! `diorama:platform`, each generated from its frozen folder under
//! `sdk/wit/` and holding, in one place, the conversions of that version's
//! types to the latest ones (the SDK's plain types, which the rest of the
//! runtime speaks).
//!
//! | module | WIT folder | what the conversions fill in |
//! | --- | --- | --- |
//! | [`v0_1_0`] | `sdk/wit/0.1.0` | typed parameters read off `defaults`, metric roles by name, no automatic share, every signal on content, next-due at the end of each window, no native API |
//! | [`v0_2_0`] | `sdk/wit/0.2.0` | no signature scheme on its webhook formats, no webhook shaping |
//! | [`v0_3_0`] | `sdk/wit/0.3.0` | nothing: 0.3 is the latest |
//!
//! Publishing a new version: freeze its WIT in a new folder, add a module
//! here generated from it, make it the latest (its conversions are then
//! field for field), give the previous latest module conversions that fill
//! in what it lacks, and add a variant for it where the instance dispatches
//! (`instance.rs`). A published folder and its module never change.

pub(crate) mod v0_1_0;
pub(crate) mod v0_2_0;
pub(crate) mod v0_3_0;

/// The versions this host loads, oldest first, as components name them in
/// their export (`diorama:platform/simulator@0.3.0`).
pub(crate) const VERSIONS: &[&str] = &[v0_1_0::VERSION, v0_2_0::VERSION, v0_3_0::VERSION];
