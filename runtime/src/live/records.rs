//! The store's record trees a live profile keeps beside its events.

use diorama_sdk::Millis;
use serde::{Deserialize, Serialize};

use crate::engine::ProfileRecord;
use crate::store::RecordTree;

/// A live profile's state (`state`: its clock, speed and status) and its
/// scenario runs (`run/` · number).
pub const LIVE_STATE: RecordTree = RecordTree::new("live");

/// Commands applied to a live profile (signals, actions, window changes)
/// since its last snapshot, for replay.
pub const JOURNAL: RecordTree = RecordTree::new("journal");

/// A live profile's record: the engine's fields plus what `serve` adds.
pub(super) type LiveRecord = ProfileRecord<LiveFields>;

/// What `serve` keeps in a profile's record beside the engine's fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct LiveFields {
    /// The profile's id, as text (what clients see).
    pub(super) id: String,
    /// The run's seed.
    pub(super) seed: u64,
    /// The virtual start.
    pub(super) start: Millis,
    /// The SHA-256 of the profile's token, hex; the token itself is never stored.
    pub(super) token_sha256: String,
    /// Days of past the profile opened with (its accounts were created
    /// that long before `start`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(super) history_days: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
