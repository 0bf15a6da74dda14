//! What the producer of a profile's events (the live side of `serve`)
//! tells the readers of the log, without knowing who they are: the server
//! hands `LiveManager::open` an observer (its webhooks) when it is
//! assembled.

use super::OwnerId;

/// Told about stored events once they are on disk, and about deletions.
/// Called from the live side's own threads: each call must return quickly.
pub trait ProfileObserver: Send + Sync {
    /// Events of `owner` up to `durable_seq` are on disk (committed).
    fn stored(&self, owner: OwnerId, durable_seq: u64);
    /// `owner` is being deleted: stop writing anything for it. Its records
    /// are removed by the store afterwards.
    fn deleted(&self, owner: OwnerId);
}
