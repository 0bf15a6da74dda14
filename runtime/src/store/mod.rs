//! The sled layout and its queries.
//!
//! One sled database per data directory. sled 0.34 takes about 100 k small
//! inserts per second on a small machine but moves hundreds of megabytes per
//! second as larger values, so the event log is written as *blocks* of up to
//! 1000 events (closed early at 96 KiB: sled writes larger log items as
//! separate files) and every index is kept per block. An append of a
//! thousand events writes a handful of keys, not thousands.
//!
//! Writes are plain inserts, never `sled::Batch`: sled writes out and syncs
//! its log buffer before and after every batch, which costs more than the
//! data. Atomicity comes from order instead: blocks, then their indexes,
//! then content records, then the owner's aggregates, which name the last
//! seq they include. Opening the store replays any blocks past that seq
//! (see `log.rs`).
//!
//! Durability: writes reach disk when sled flushes (every half second on
//! its own). [`Store::commit`] flushes on demand, shared by every caller
//! waiting at the time (group commit), and tracks per owner the last seq
//! on disk ([`Store::durable_seq`]): what a server may publish. A profile's
//! snapshots and records written together are one sled transaction
//! ([`Store::checkpoint`]). Deleting an owner is marked in `meta` first
//! and finished on open if a crash interrupts it (`delete.rs`).
//!
//! Measured with `cargo bench -p diorama --bench store` on a 2-core
//! machine: 0.6–0.9 M realistic events per second in calls of 1,000–10,000
//! (about 250 bytes per event in blocks, 30 in indexes), against 35–55 k per
//! second one event per call.
//!
//! # Disk
//!
//! sled is log-structured: every insert appends the key and value to its
//! log, every tenth change to a leaf page rewrites the whole page (up to 16
//! keys with their values), and old versions stay on disk until their
//! 512 KiB segment is at most half live and its pages are moved; the file
//! only shrinks from its end. What is rewritten often therefore costs far
//! more than it holds: a live profile rewrites its aggregates and content
//! records with every window it appends, and its plugin snapshots every
//! checkpoint. So the log of a store this build creates is compressed
//! (zstd, level 1: sled's `compression` feature, whether fixed when the
//! folder is created, the level chosen at every open; see
//! [`LogCompression`]); a folder created before keeps its uncompressed log
//! and reads the same. [`Store::space`] tells sled's size on disk from
//! what each tree holds.
//!
//! Measured with
//!
//! ```text
//! STORE_BENCH_LOG=off,1,3 STORE_BENCH_PARTS=live,rest,blocks STORE_BENCH_REPEAT=3 \
//!   STORE_BENCH_EVENTS=300000 cargo bench -p diorama --bench store --profile dev \
//!   --config 'profile.dev.package.diorama.opt-level=2'
//! ```
//!
//! (a debug build with the store optimised, on a busy 2-core machine; the
//! three settings run one after the other within each repeat, ranges over
//! two runs). Bytes per event at rest are the folder's files after
//! flushing and closing:
//!
//! | | log off | zstd 1 (used) | zstd 3 |
//! | --- | --- | --- | --- |
//! | 300,000 events appended in calls of 1,000–10,000: B/event at rest | 422–463 | 199–201 | 184–192 |
//! | the same: events/s appending (median of 3) | 296 k | 83 k | 34 k |
//! | 300 live profiles of the built-in video platform, 240 one-minute windows, checkpoint every 15: B/event at rest | 1,895–1,961 | 667–686 | 569–615 |
//! | the same: events/s stored | 10–13 k | 3.2–3.7 k | 3.6 k |
//!
//! Level 1 appends blocks about 2.4 times as fast as level 3 for 5–8 %
//! more bytes in bulk and 12–17 % more live; sled accepts no faster
//! (negative) level. Compression still costs most of the append rate
//! (level 1 keeps 25–35 % of the uncompressed rate): sled compresses every
//! write to its log, and every tenth change to a leaf page rewrites and
//! compresses the whole page, so a block of events is compressed several
//! times over; and live, the stored rate is set by the number of small
//! writes (a block, its index, content records and aggregates per window
//! of two events on average), whatever the level.
//!
//! Live, what the trees hold is 314 bytes per event (events 181, indexes
//! 50, snapshots 64, content records 13): windows of a few events make
//! small blocks, each with its own dictionary and author table. The rest
//! is old versions in sled's log.
//!
//! Packing (`block/`): the store packs full event blocks and plugin
//! snapshots with zstd itself ([`Packing`], [`Options`]); a folder written
//! before reads the same. One run of
//! `STORE_BENCH_CONFIGS=previous,default,1:1:seal STORE_BENCH_PARTS=live,rest,blocks`
//! (same command as above, 300,000 events, a busy machine):
//!
//! | | previous (raw) | default (packed) | packed, tails sealed |
//! | --- | --- | --- | --- |
//! | bulk: events/s appending (median of 3) | 139 k | 234 k | 165 k |
//! | bulk: B/event at rest | 210 | 203 | 213 |
//! | live: B/event in the trees | 314 | 278 | 185 |
//! | live: B/event at rest | 647 | 742 | 1,090 |
//!
//! Live, the folder is set by sled's old versions (more than the trees
//! hold): sealing small appends into packed blocks rewrites and removes
//! raw blocks, and sled keeps their segments until half free. Sealing is
//! therefore off by default (`Options::seal_tails`) until sled's space is
//! reclaimed; sled's log compression stays on (off, live folders grow
//! about threefold).
//!
//! # Layout
//!
//! `owner` is a profile's [`OwnerId`] as 8 big-endian bytes; `seq` likewise.
//! Every key a profile owns starts with its owner, so deleting it is a prefix
//! scan of each owner-scoped tree: the [`CORE_OWNER_TREES`] and every
//! record tree the store has ever been given (listed in `meta`).
//!
//! | tree | key | value |
//! | --- | --- | --- |
//! | `meta` | `schema` | schema version, u32 BE ([`SCHEMA_VERSION`]) |
//! | `meta` | `next_owner`, `next_run` | the last id handed out, u64 BE |
//! | `meta` | `deleting/` · owner | empty: the owner's deletion has begun |
//! | `meta` | `record_tree/` · name (UTF-8) | empty: an owner-scoped record tree in use |
//! | `runs` | run id (u64 BE) | the run's JSON record |
//! | `profiles` | owner | the profile's JSON record |
//! | `snapshots` | owner · platform (UTF-8) | a plugin instance's snapshot bytes (raw) |
//! | `snapshots` | owner · 0 · platform (UTF-8) | varint length · zstd frame of the snapshot (packed) |
//! | `events` | owner · last seq of the block | an event block (`block/`) |
//! | `event_index` | owner · last seq of the block | that block's index (`block/`) |
//! | `aggregates` | owner | counters, account metrics and the seq they reflect (postcard) |
//! | `content` | owner · content id (UTF-8) | the content's record: latest metric totals, interaction count (postcard) |
//! | `content_order` | owner · published_at (i64, sign-flipped BE) · seq | content id |
//! | a [`RecordTree`]'s name | owner · the user's key | bytes ([`Store::put_record`]) |
//!
//! The record trees are named by the modules that own them (the server
//! keeps `hooks`, `outbox`, `deliveries`, `live` and `journal`); the store
//! knows only their names.
//!
//! Keying a block by its *last* seq means the block holding seq `s` is the
//! first key at or after `owner · s`: every read is a forward range scan.
//! The byte formats of blocks and indexes are in `block/`, the
//! aggregates in `log.rs`.
//!
//! # Files
//!
//! `open.rs`: opening, the lock and the schema; `log.rs`: appending, group
//! commit and repair; `queries.rs`: reads of events, interactions, counts and
//! content; `records.rs`: profile, run and owner-scoped records, snapshots,
//! checkpoints; `delete.rs`: removing owners.

mod aggregate;
mod block;
mod codec;
mod delete;
mod keys;
mod log;
mod open;
mod queries;
mod records;
mod space;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard};

use crate::event::OwnerId;

use block::BlockView;

pub use delete::OwnerStats;
pub use open::{LogCompression, Options, Packing, CORE_OWNER_TREES, SCHEMA_VERSION};
pub use queries::{ContentRecord, CountQuery, InteractionFilter};
pub use records::RecordTree;
pub use space::{Space, TreeSpace};

use open::LOCK_FILE;

/// Decoded blocks kept for point reads and consecutive pages.
const CACHED_BLOCKS: usize = 32;

type View = Arc<BlockView<sled::IVec>>;

struct CachedBlock {
    owner: OwnerId,
    last_seq: u64,
    /// The stored block's checksum: a block sealed into a packed one
    /// under the same key is told apart.
    crc: u32,
    view: View,
}

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot use {path} as a diorama store: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a diorama store: {why}")]
    NotAStore { path: PathBuf, why: String },
    #[error("the store at {path} is in use by another process (it holds {path}/{LOCK_FILE}); stop it or use another --data directory")]
    Locked { path: PathBuf },
    #[error("the store at {path} has schema version {found}, this build reads version {expected}; use a new data directory or a matching diorama build")]
    SchemaVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("cannot open the sled database at {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: sled::Error,
    },
    #[error("store: {op} in tree `{tree}` failed: {source}")]
    Sled {
        op: &'static str,
        tree: &'static str,
        #[source]
        source: sled::Error,
    },
    #[error("corrupt event block of owner {owner} ending at seq {seq}: {why}")]
    CorruptBlock {
        owner: OwnerId,
        seq: u64,
        why: String,
    },
    #[error("corrupt block index of owner {owner} ending at seq {seq}: {why}")]
    CorruptIndex {
        owner: OwnerId,
        seq: u64,
        why: String,
    },
    #[error("corrupt record in tree `{tree}` at {key}: {why}")]
    CorruptRecord {
        tree: &'static str,
        key: String,
        why: String,
    },
    #[error("cannot encode {what}: {why}")]
    Encode { what: &'static str, why: String },
    #[error("event seq {seq} belongs to profile {profile} but was appended for owner {owner}")]
    WrongOwner {
        owner: OwnerId,
        profile: OwnerId,
        seq: u64,
    },
    #[error("events of owner {owner} out of order: seq {seq} does not follow seq {after}")]
    OutOfOrder {
        owner: OwnerId,
        seq: u64,
        after: u64,
    },
    #[error("run {0} does not exist")]
    NoSuchRun(u64),
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    #[error("the store's write lock was poisoned by a panic in another thread")]
    Poisoned,
    #[error("profile {0} was deleted; nothing more is stored for it")]
    OwnerDeleted(OwnerId),
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

fn sled_err(op: &'static str, tree: &'static str) -> impl FnOnce(sled::Error) -> StoreError {
    move |source| StoreError::Sled { op, tree, source }
}

/// The diorama store: cheap to clone, safe to share between threads.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    db: sled::Db,
    meta: sled::Tree,
    runs: sled::Tree,
    profiles: sled::Tree,
    snapshots: sled::Tree,
    events: sled::Tree,
    event_index: sled::Tree,
    aggregates: sled::Tree,
    content: sled::Tree,
    content_order: sled::Tree,
    /// Every owner-scoped record tree this store has been given, in this
    /// process or an earlier one (listed in `meta`), opened.
    record_trees: RwLock<Vec<(RecordTree, sled::Tree)>>,
    /// Serialises writers of events and aggregates.
    write: Mutex<()>,
    /// Owners deleted by this process. Every writer checks it while holding
    /// the read side, [`Store::delete_owner`] adds to it on the write side:
    /// a write that races a deletion either lands before the deletion scans
    /// (and is removed) or is refused, never left behind.
    gone: RwLock<BTreeSet<OwnerId>>,
    /// Group commit: see [`Store::commit`].
    commits: Mutex<Commits>,
    committed: Condvar,
    /// The last seq appended per owner by this process, and the last one
    /// known to be on disk (see [`Store::durable_seq`]).
    appended: Mutex<BTreeMap<OwnerId, u64>>,
    durable: Mutex<BTreeMap<OwnerId, u64>>,
    /// Recently read blocks, decoded (most recent first), checked
    /// against the stored block's checksum on every use: a raw tail block
    /// is replaced by a packed one under the same key when sealed.
    cache: Mutex<Vec<CachedBlock>>,
    /// How event blocks and snapshots are written.
    packing: Packing,
    /// Whether small appends are sealed into packed blocks ([`Options`]).
    seal_tails: bool,
    /// Per owner appended in this process, its open tail of raw blocks.
    tails: Mutex<BTreeMap<OwnerId, log::Tail>>,
    /// Held for the store's lifetime: one process per data directory.
    _lock: File,
}

/// The state of group commits: callers take tickets; one flush makes every
/// ticket taken before it began durable.
#[derive(Default)]
struct Commits {
    requested: u64,
    done: u64,
    flushing: bool,
}

impl Store {
    fn lock(&self) -> Result<MutexGuard<'_, ()>> {
        self.inner.write.lock().map_err(|_| StoreError::Poisoned)
    }

    /// Held by a writer of `owner`'s keys while it writes; refused once the
    /// owner is deleted.
    fn alive(&self, owner: OwnerId) -> Result<RwLockReadGuard<'_, BTreeSet<OwnerId>>> {
        let gone = self.inner.gone.read().unwrap_or_else(|e| e.into_inner());
        if gone.contains(&owner) {
            return Err(StoreError::OwnerDeleted(owner));
        }
        Ok(gone)
    }
}
