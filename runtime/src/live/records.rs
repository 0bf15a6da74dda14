//! The store's record trees a live profile keeps beside its events.

use crate::store::RecordTree;

/// A live profile's state (`state`: its clock, speed and status) and its
/// scenario runs (`run/` · number).
pub const LIVE_STATE: RecordTree = RecordTree::new("live");

/// Commands applied to a live profile (signals, actions, window changes)
/// since its last snapshot, for replay.
pub const JOURNAL: RecordTree = RecordTree::new("journal");
