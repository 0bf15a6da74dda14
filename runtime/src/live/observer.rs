//! What the live side tells the rest of the server about its profiles,
//! without knowing who listens: the server hands [`LiveManager::open`]
//! an observer (its webhooks) when it is assembled.
//!
//! [`LiveManager::open`]: super::LiveManager::open

use crate::event::OwnerId;

/// Told about stored events once they are on disk, and about deletions.
/// Called from the live side's own threads: each call must return quickly.
pub trait ProfileObserver: Send + Sync {
    /// Events of `owner` up to `durable_seq` are on disk (committed).
    fn stored(&self, owner: OwnerId, durable_seq: u64);
    /// `owner` is being deleted: stop writing anything for it. Its records
    /// are removed by the store afterwards.
    fn deleted(&self, owner: OwnerId);
}
