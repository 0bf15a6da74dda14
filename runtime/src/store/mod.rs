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
//! (see [Aggregates](#aggregates)).
//!
//! Durability: writes reach disk when sled flushes (every half second on
//! its own). [`Store::commit`] flushes on demand, shared by every caller
//! waiting at the time (group commit), and tracks per owner the last seq
//! on disk ([`Store::durable_seq`]): what a server may publish. A live
//! profile's snapshots, state and journal trim are one sled transaction
//! ([`Store::checkpoint`]). Deleting an owner is marked in `meta` first
//! and finished on open if a crash interrupts it.
//!
//! Measured with `cargo bench -p diorama --bench store` on a 2-core
//! machine: 0.6–0.9 M realistic events per second in calls of 1,000–10,000
//! (about 250 bytes per event in blocks, 30 in indexes), against 35–55 k per
//! second one event per call.
//!
//! # Layout
//!
//! `owner` is a profile's [`OwnerId`] as 8 big-endian bytes; `seq` likewise.
//! Every key a profile owns starts with its owner, so deleting it is a prefix
//! scan of each tree in [`OWNER_TREES`].
//!
//! | tree | key | value |
//! | --- | --- | --- |
//! | `meta` | `schema` | schema version, u32 BE ([`SCHEMA_VERSION`]) |
//! | `meta` | `next_owner`, `next_run` | the last id handed out, u64 BE |
//! | `meta` | `deleting/` · owner | empty: the owner's deletion has begun |
//! | `runs` | run id (u64 BE) | the run's JSON record |
//! | `profiles` | owner | the profile's JSON record |
//! | `snapshots` | owner · platform (UTF-8) | a plugin instance's snapshot bytes |
//! | `events` | owner · last seq of the block | an event block (below) |
//! | `event_index` | owner · last seq of the block | that block's index (below) |
//! | `aggregates` | owner | counters, account metrics and the seq they reflect (postcard) |
//! | `content` | owner · content id (UTF-8) | the content's record: latest metric totals, interaction count (postcard) |
//! | `content_order` | owner · published_at (i64, sign-flipped BE) · seq | content id |
//!
//! | `hooks`, `outbox`, `deliveries`, `live`, `journal` | owner · the user's key | bytes ([`Store::put_record`]; the server's webhooks, delivery log and live state) |
//!
//! Keying a block by its *last* seq means the block holding seq `s` is the
//! first key at or after `owner · s`: every read is a forward range scan.
//!
//! ## Event block (`events`)
//!
//! ```text
//! u8 format (1) · u32 LE crc32 of everything after it
//! varint count · varint first seq · (count-1) × varint seq delta (> 0)
//! varint zigzag base `at` (the first event's)
//! dictionary: varint n · n × str      (platforms, kinds, content ids,
//!                                      sentiments, dm types, metric names, codes)
//! authors:    varint n · n × (str id · str handle · str display name ·
//!                             str avatar url · u8 verified · varint followers)
//! count × varint record length
//! records, each: varint platform (dict) · varint zigzag(at - base at) · u8 tag, then
//!   0 content:     dict id · dict kind · str title · str text · str url
//!   1 interaction: str id · dict kind · opt-dict content id · (u8 0 | u8 1 · str) parent id ·
//!                  varint author · str text · opt-dict sentiment · opt-dict dm type
//!   2 metric:      opt-dict content id · dict name · varint zigzag total · varint zigzag delta
//!   3 notice:      dict code · str message
//! str = varint length · UTF-8; opt-dict = 0 for none, index + 1
//! ```
//!
//! The encoder destructures every SDK type, so a field added to the
//! contract fails to compile here until the format (and [`SCHEMA_VERSION`])
//! follow. A point read checks the checksum, decodes the header and then
//! only the records it returns.
//!
//! ## Block index (`event_index`)
//!
//! ```text
//! u8 format (1) · u64 first seq · i64 min at · i64 max at (over interactions)
//! u32 interactions · u32 kinds · u32 content ids · u32 authors   (all LE)
//! tables, each sorted by hash: (u64 FNV-1a hash · u32 offset · u32 length)
//!   for interaction kind, content id, author id
//! postings: u32 LE (seq - first seq); the first `interactions` are all
//!   interactions, then each table entry's list
//! ```
//!
//! [`Store::interactions`] walks block indexes from its cursor, skips blocks
//! outside the time window, and takes the shortest posting list among the
//! filters it has (content, author, kind). Each candidate is first checked
//! against the filter on its raw record (dictionary indices, no allocation),
//! then decoded and checked again, so hash collisions cost time, never
//! correctness. Recently decoded blocks stay in a small cache (blocks never
//! change once written), which serves point reads and consecutive pages.
//!
//! ## Aggregates
//!
//! Counts are kept per event *shape* (platform, type, kind, sentiment,
//! dm type): a handful of shapes per owner, so every combination of
//! [`CountQuery`] fields is a sum over a few counters, never a scan of the
//! log. Content records take the latest metric totals and count the
//! interactions naming them; a metric or interaction naming content whose
//! content event was never stored keeps an unlisted record that
//! [`Store::content`] does not return. Both are written once per append
//! call, after the blocks, and each carries the last seq it includes: if a
//! process dies between the writes, opening the store rebuilds the indexes
//! of blocks past the aggregates' seq and folds their events in, skipping
//! what each record already holds.

mod aggregate;
mod block;
mod codec;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard};
use std::time::Duration;

use diorama_sdk::{Millis, Payload};
use serde::{Deserialize, Serialize};

use crate::event::{OwnerId, StoredEvent, TYPE_NAMES};

use aggregate::{ContentRow, OwnerAgg, Tally};
use block::{BlockBuilder, BlockView, IndexView, Posting};
use codec::{hash_str, ordered_i64};

/// The layout version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Trees whose every key starts with an owner id. [`Store::delete_owner`]
/// and [`Store::count_owner_keys`] walk exactly this list; a tree added to
/// the store must be added here (a test checks that every tree but `meta`
/// and `runs` is).
pub const OWNER_TREES: [&str; 12] = [
    "profiles",
    "snapshots",
    "events",
    "event_index",
    "aggregates",
    "content",
    "content_order",
    "hooks",
    "outbox",
    "deliveries",
    "live",
    "journal",
];

/// Owner-scoped trees of plain records, keyed by owner · a key of the
/// user's choosing, scanned in key order. They hold what the server keeps
/// per profile beside its events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordTree {
    /// Webhook subscriptions.
    Hooks,
    /// Webhook deliveries still to make.
    Outbox,
    /// The webhook delivery log: attempts and outcomes.
    Deliveries,
    /// A live profile's state: its clock, speed and status.
    Live,
    /// Commands applied to a live profile (signals, actions), for replay.
    Journal,
}

impl RecordTree {
    pub fn name(self) -> &'static str {
        match self {
            RecordTree::Hooks => "hooks",
            RecordTree::Outbox => "outbox",
            RecordTree::Deliveries => "deliveries",
            RecordTree::Live => "live",
            RecordTree::Journal => "journal",
        }
    }
}

const LOCK_FILE: &str = "diorama.lock";
/// How long `Store::open` waits for sled's lock once it holds ours, and
/// how often it tries.
const SLED_LOCK_PATIENCE: Duration = Duration::from_secs(5);
const SLED_LOCK_POLL: Duration = Duration::from_millis(20);
/// Decoded blocks kept for point reads and consecutive pages.
const CACHED_BLOCKS: usize = 32;

type View = Arc<BlockView<sled::IVec>>;

struct CachedBlock {
    owner: OwnerId,
    last_seq: u64,
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

/// A count over an owner's events; `None` fields match anything. Every
/// combination is answered from counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountQuery {
    pub platform: Option<String>,
    /// `content`, `interaction`, `metric` or `notice`.
    pub type_name: Option<String>,
    /// Content or interaction kind, metric name or notice code.
    pub kind: Option<String>,
    pub sentiment: Option<String>,
    pub dm_type: Option<String>,
}

/// A content item with its latest metric totals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContentRecord {
    pub platform: String,
    pub kind: String,
    pub id: String,
    pub title: String,
    pub text: String,
    pub url: String,
    pub published_at: Millis,
    /// Seq of its content event.
    pub seq: u64,
    /// Metric name → latest total.
    pub metrics: BTreeMap<String, i64>,
    /// Interactions naming this content.
    pub interactions: u64,
}

/// Which interactions to return; `None` fields match anything. Time is
/// `since <= at < until`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractionFilter {
    pub platform: Option<String>,
    pub kind: Option<String>,
    pub content_id: Option<String>,
    pub author_id: Option<String>,
    pub sentiment: Option<String>,
    pub dm_type: Option<String>,
    pub since: Option<Millis>,
    pub until: Option<Millis>,
}

impl InteractionFilter {
    fn matches(&self, ev: &StoredEvent) -> bool {
        let Payload::Interaction(i) = &ev.event.payload else {
            return false;
        };
        fn eq(want: &Option<String>, have: Option<&str>) -> bool {
            want.as_deref().is_none_or(|w| have == Some(w))
        }
        eq(&self.platform, Some(&ev.platform))
            && eq(&self.kind, Some(&i.kind))
            && eq(&self.content_id, i.content_id.as_deref())
            && eq(&self.author_id, Some(&i.author.id))
            && eq(&self.sentiment, i.sentiment.as_deref())
            && eq(&self.dm_type, i.dm_type.as_deref())
            && self.since.is_none_or(|s| ev.event.at >= s)
            && self.until.is_none_or(|u| ev.event.at < u)
    }
}

/// Which way an interaction scan runs from its cursor.
#[derive(Clone, Copy)]
enum Scan {
    /// Oldest first, seqs after this one.
    After(Option<u64>),
    /// Newest first, seqs before this one.
    Before(Option<u64>),
}

/// What an owner's event log takes up.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerStats {
    pub events: u64,
    pub blocks: u64,
    /// Bytes of event blocks, as stored (before sled's own overhead).
    pub block_bytes: u64,
    /// Bytes of block indexes.
    pub index_bytes: u64,
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
    hooks: sled::Tree,
    outbox: sled::Tree,
    deliveries: sled::Tree,
    live: sled::Tree,
    journal: sled::Tree,
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
    /// Recently read blocks, decoded (most recent first). Blocks never
    /// change once written; deleting an owner drops its entries.
    cache: Mutex<Vec<CachedBlock>>,
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

/// `meta` key prefix of an owner whose deletion has begun (· owner u64 BE).
const DELETING: &[u8] = b"deleting/";

fn deleting_key(owner: OwnerId) -> Vec<u8> {
    let mut k = DELETING.to_vec();
    k.extend_from_slice(&owner.to_be_bytes());
    k
}

fn owner_key(owner: OwnerId) -> [u8; 8] {
    owner.to_be_bytes()
}

fn seq_key(owner: OwnerId, seq: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&owner.to_be_bytes());
    k[8..].copy_from_slice(&seq.to_be_bytes());
    k
}

fn str_key(owner: OwnerId, s: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(8 + s.len());
    k.extend_from_slice(&owner.to_be_bytes());
    k.extend_from_slice(s.as_bytes());
    k
}

fn order_key(owner: OwnerId, at: Millis, seq: u64) -> [u8; 24] {
    let mut k = [0u8; 24];
    k[..8].copy_from_slice(&owner.to_be_bytes());
    k[8..16].copy_from_slice(&ordered_i64(at).to_be_bytes());
    k[16..].copy_from_slice(&seq.to_be_bytes());
    k
}

fn u64_of(bytes: &[u8], at: usize) -> Option<u64> {
    let b: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_be_bytes(b))
}

fn show_key(key: &[u8]) -> String {
    match key.get(..8).and_then(|k| <[u8; 8]>::try_from(k).ok()) {
        Some(o) => format!(
            "owner {} / {}",
            u64::from_be_bytes(o),
            String::from_utf8_lossy(&key[8..])
        ),
        None => format!("{key:?}"),
    }
}

impl Store {
    /// Opens (or creates) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Store> {
        let path = dir.to_path_buf();
        let io = |source| StoreError::Io {
            path: path.clone(),
            source,
        };
        if dir.exists() {
            if !dir.is_dir() {
                return Err(StoreError::NotAStore {
                    path,
                    why: "it is not a directory".into(),
                });
            }
            let mut foreign = false;
            for entry in std::fs::read_dir(dir).map_err(io)? {
                let name = entry.map_err(io)?.file_name();
                if name != LOCK_FILE {
                    foreign = true;
                }
            }
            if foreign && !dir.join("conf").is_file() {
                return Err(StoreError::NotAStore {
                    path,
                    why:
                        "it holds other files and no sled database; give an empty or new directory"
                            .into(),
                });
            }
        } else {
            std::fs::create_dir_all(dir).map_err(io)?;
        }

        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))
            .map_err(io)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(StoreError::Locked { path }),
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }

        // We hold `diorama.lock`, so no other diorama process has this
        // store; sled's own lock can still be held for a moment by the
        // background threads of a handle this process just dropped (they
        // finish writing segments after the last `Db` goes). Wait for them,
        // briefly, before calling the store locked.
        let mut waited = Duration::ZERO;
        let db = loop {
            let opened = sled::Config::new()
                .path(dir)
                .mode(sled::Mode::HighThroughput)
                .open();
            match opened {
                Ok(db) => break db,
                Err(source) if source.to_string().contains("could not acquire lock") => {
                    if waited >= SLED_LOCK_PATIENCE {
                        return Err(StoreError::Locked { path });
                    }
                    std::thread::sleep(SLED_LOCK_POLL);
                    waited += SLED_LOCK_POLL;
                }
                Err(source) => {
                    return Err(StoreError::Open {
                        path: path.clone(),
                        source,
                    })
                }
            }
        };
        let tree = |name: &'static str| db.open_tree(name).map_err(sled_err("open", name));
        let meta = tree("meta")?;
        match meta.get(b"schema").map_err(sled_err("get", "meta"))? {
            Some(v) => {
                let found = <[u8; 4]>::try_from(v.as_ref())
                    .map(u32::from_be_bytes)
                    .map_err(|_| StoreError::NotAStore {
                        path: path.clone(),
                        why: format!("its schema version is {} bytes, not 4", v.len()),
                    })?;
                if found != SCHEMA_VERSION {
                    return Err(StoreError::SchemaVersion {
                        path,
                        found,
                        expected: SCHEMA_VERSION,
                    });
                }
            }
            None => {
                let used = db.tree_names().iter().any(|n| {
                    n.as_ref() != b"meta" && db.open_tree(n).map(|t| !t.is_empty()).unwrap_or(true)
                }) || !meta.is_empty();
                if used {
                    return Err(StoreError::NotAStore {
                        path,
                        why: "it is a sled database without a diorama schema version".into(),
                    });
                }
                meta.insert(b"schema", &SCHEMA_VERSION.to_be_bytes())
                    .map_err(sled_err("insert", "meta"))?;
                meta.flush().map_err(sled_err("flush", "meta"))?;
            }
        }

        let store = Store {
            inner: Arc::new(Inner {
                path: path.clone(),
                meta,
                runs: tree("runs")?,
                profiles: tree("profiles")?,
                snapshots: tree("snapshots")?,
                events: tree("events")?,
                event_index: tree("event_index")?,
                aggregates: tree("aggregates")?,
                content: tree("content")?,
                content_order: tree("content_order")?,
                hooks: tree("hooks")?,
                outbox: tree("outbox")?,
                deliveries: tree("deliveries")?,
                live: tree("live")?,
                journal: tree("journal")?,
                db,
                write: Mutex::new(()),
                gone: RwLock::new(BTreeSet::new()),
                commits: Mutex::new(Commits::default()),
                committed: Condvar::new(),
                appended: Mutex::new(BTreeMap::new()),
                durable: Mutex::new(BTreeMap::new()),
                cache: Mutex::new(Vec::with_capacity(CACHED_BLOCKS)),
                _lock: lock,
            }),
        };
        store.repair_all()?;
        store.finish_deletions()?;
        Ok(store)
    }

    /// The directory this store lives in.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Writes everything to disk (the same as [`Store::commit`]).
    pub fn flush(&self) -> Result<()> {
        self.commit()
    }

    /// Returns once every write made before the call is on disk.
    ///
    /// Group commit: one caller at a time flushes sled (its log is written
    /// out and synced), and that flush covers every caller that asked
    /// before it began; callers arriving meanwhile wait for it to end and
    /// then share the next one. Many threads committing at once cost a
    /// flush or two, not one each.
    pub fn commit(&self) -> Result<()> {
        let inner = &self.inner;
        let mut c = inner.commits.lock().unwrap_or_else(|e| e.into_inner());
        c.requested += 1;
        let ticket = c.requested;
        loop {
            if c.done >= ticket {
                return Ok(());
            }
            if !c.flushing {
                break;
            }
            c = inner.committed.wait(c).unwrap_or_else(|e| e.into_inner());
        }
        c.flushing = true;
        let target = c.requested;
        drop(c);
        // Taken before the flush: every seq listed is written by then.
        let appended = inner
            .appended
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let flushed = inner.db.flush().map_err(sled_err("flush", "(all)"));
        let mut c = inner.commits.lock().unwrap_or_else(|e| e.into_inner());
        c.flushing = false;
        if flushed.is_ok() {
            c.done = c.done.max(target);
            let mut durable = inner.durable.lock().unwrap_or_else(|e| e.into_inner());
            for (owner, seq) in appended {
                let d = durable.entry(owner).or_insert(0);
                *d = (*d).max(seq);
            }
        }
        drop(c);
        inner.committed.notify_all();
        flushed.map(|_| ())
    }

    /// The owner's highest seq known to be on disk: what may be published
    /// (streamed, delivered) without a crash taking it back. Events stored
    /// before this process opened the store are on disk; later ones once
    /// a [`Store::commit`] covered them.
    pub fn durable_seq(&self, owner: OwnerId) -> Result<Option<u64>> {
        let known = self
            .inner
            .durable
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&owner)
            .copied();
        match known {
            Some(0) => Ok(None),
            Some(seq) => Ok(Some(seq)),
            None => self.last_seq(owner),
        }
    }

    /// [`Store::events`], only as far as [`Store::durable_seq`].
    pub fn durable_events(
        &self,
        owner: OwnerId,
        after_seq: Option<u64>,
        limit: usize,
    ) -> Result<Vec<StoredEvent>> {
        let Some(durable) = self.durable_seq(owner)? else {
            return Ok(Vec::new());
        };
        if after_seq.is_some_and(|a| a >= durable) {
            return Ok(Vec::new());
        }
        let mut events = self.events(owner, after_seq, limit)?;
        events.retain(|e| e.seq <= durable);
        Ok(events)
    }

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

    /// The owner-scoped trees, named: the single list every owner-wide
    /// operation walks.
    fn owner_trees(&self) -> [(&'static str, &sled::Tree); 12] {
        let i = &self.inner;
        let trees = [
            &i.profiles,
            &i.snapshots,
            &i.events,
            &i.event_index,
            &i.aggregates,
            &i.content,
            &i.content_order,
            &i.hooks,
            &i.outbox,
            &i.deliveries,
            &i.live,
            &i.journal,
        ];
        let mut k = 0;
        trees.map(|t| {
            k += 1;
            (OWNER_TREES[k - 1], t)
        })
    }

    fn next_id(&self, key: &'static str) -> Result<u64> {
        let v = self
            .inner
            .meta
            .update_and_fetch(key, |old| {
                let n = old.and_then(|o| u64_of(o, 0)).unwrap_or(0) + 1;
                Some(n.to_be_bytes().to_vec())
            })
            .map_err(sled_err("update", "meta"))?;
        v.and_then(|v| u64_of(&v, 0))
            .ok_or_else(|| StoreError::CorruptRecord {
                tree: "meta",
                key: key.into(),
                why: "not an 8-byte counter".into(),
            })
    }

    // ----- profiles -----

    /// A new owner id: 1, 2, 3, … in a fresh store, never reused.
    pub fn new_owner_id(&self) -> Result<OwnerId> {
        self.next_id("next_owner")
    }

    pub fn put_profile(&self, id: OwnerId, record: &serde_json::Value) -> Result<()> {
        let bytes = serde_json::to_vec(record).map_err(|e| StoreError::Encode {
            what: "a profile record",
            why: e.to_string(),
        })?;
        let _alive = self.alive(id)?;
        self.inner
            .profiles
            .insert(owner_key(id), bytes)
            .map_err(sled_err("insert", "profiles"))?;
        Ok(())
    }

    pub fn profile(&self, id: OwnerId) -> Result<Option<serde_json::Value>> {
        let v = self
            .inner
            .profiles
            .get(owner_key(id))
            .map_err(sled_err("get", "profiles"))?;
        v.map(|v| json_of("profiles", &owner_key(id), &v))
            .transpose()
    }

    /// Every profile, by id.
    pub fn profiles(&self) -> Result<Vec<(OwnerId, serde_json::Value)>> {
        let mut out = Vec::new();
        for item in self.inner.profiles.iter() {
            let (k, v) = item.map_err(sled_err("scan", "profiles"))?;
            let id = u64_of(&k, 0).ok_or_else(|| StoreError::CorruptRecord {
                tree: "profiles",
                key: format!("{:?}", k.as_ref()),
                why: "key is not an 8-byte owner id".into(),
            })?;
            out.push((id, json_of("profiles", &k, &v)?));
        }
        Ok(out)
    }

    /// Removes every key the owner has, in every tree; returns how many.
    ///
    /// Crash-safe: the deletion is first marked durably in `meta`, the
    /// profile record goes last, and opening the store finishes any marked
    /// deletion. From the call on, every write for the owner is refused
    /// ([`StoreError::OwnerDeleted`]), so a racing writer cannot bring any
    /// of it back.
    pub fn delete_owner(&self, id: OwnerId) -> Result<u64> {
        self.inner
            .gone
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id);
        self.inner
            .meta
            .insert(deleting_key(id), &[])
            .map_err(sled_err("insert", "meta"))?;
        self.commit()?;
        let removed = self.remove_owner_keys(id)?;
        self.inner
            .meta
            .remove(deleting_key(id))
            .map_err(sled_err("remove", "meta"))?;
        Ok(removed)
    }

    fn remove_owner_keys(&self, id: OwnerId) -> Result<u64> {
        let _w = self.lock()?;
        self.inner
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|c| c.owner != id);
        for m in [&self.inner.appended, &self.inner.durable] {
            m.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
        }
        let prefix = owner_key(id);
        let mut removed = 0u64;
        // The profile record last: until it is gone, the owner is known.
        let mut trees = self.owner_trees();
        trees.rotate_left(1);
        debug_assert_eq!(trees[11].0, "profiles");
        for (name, tree) in trees {
            let mut batch = sled::Batch::default();
            let mut n = 0u64;
            for k in tree.scan_prefix(prefix).keys() {
                batch.remove(k.map_err(sled_err("scan", name))?);
                n += 1;
                if n.is_multiple_of(10_000) {
                    tree.apply_batch(std::mem::take(&mut batch))
                        .map_err(sled_err("delete", name))?;
                }
            }
            tree.apply_batch(batch).map_err(sled_err("delete", name))?;
            removed += n;
        }
        Ok(removed)
    }

    /// Finishes deletions a stopped process had begun.
    fn finish_deletions(&self) -> Result<()> {
        let marked: Vec<OwnerId> = self
            .inner
            .meta
            .scan_prefix(DELETING)
            .keys()
            .map(|k| k.map(|k| u64_of(&k, DELETING.len())))
            .collect::<Result<Vec<_>, _>>()
            .map_err(sled_err("scan", "meta"))?
            .into_iter()
            .flatten()
            .collect();
        for owner in marked {
            tracing::warn!(owner, "finishing the deletion of a profile");
            self.delete_owner(owner)?;
        }
        Ok(())
    }

    /// Deletes the keys of owners that have no profile record (left by a
    /// deletion that crashed before this store marked deletions, or written
    /// by nobody the store knows); returns those owners. For a store whose
    /// every owner has a profile record (the server's).
    pub fn delete_orphans(&self) -> Result<Vec<OwnerId>> {
        let mut orphans = BTreeSet::new();
        for (name, tree) in self.owner_trees() {
            if name == "profiles" {
                continue;
            }
            for owner in owners_of(name, tree)? {
                if !self
                    .inner
                    .profiles
                    .contains_key(owner_key(owner))
                    .map_err(sled_err("get", "profiles"))?
                {
                    orphans.insert(owner);
                }
            }
        }
        for &owner in &orphans {
            tracing::warn!(
                owner,
                "deleting the keys of an owner with no profile record"
            );
            self.delete_owner(owner)?;
        }
        Ok(orphans.into_iter().collect())
    }

    /// Keys left for an owner across all owner-scoped trees.
    pub fn count_owner_keys(&self, id: OwnerId) -> Result<u64> {
        let prefix = owner_key(id);
        let mut n = 0u64;
        for (name, tree) in self.owner_trees() {
            for k in tree.scan_prefix(prefix).keys() {
                k.map_err(sled_err("scan", name))?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// Size of the owner's event log: blocks, their bytes and their indexes.
    pub fn owner_stats(&self, id: OwnerId) -> Result<OwnerStats> {
        let mut st = OwnerStats {
            events: self.load_agg(id)?.counts.values().sum(),
            ..OwnerStats::default()
        };
        for item in self.inner.events.scan_prefix(owner_key(id)) {
            let (_, v) = item.map_err(sled_err("scan", "events"))?;
            st.blocks += 1;
            st.block_bytes += v.len() as u64;
        }
        for item in self.inner.event_index.scan_prefix(owner_key(id)) {
            let (_, v) = item.map_err(sled_err("scan", "event_index"))?;
            st.index_bytes += v.len() as u64;
        }
        Ok(st)
    }

    // ----- records -----

    fn record_tree(&self, tree: RecordTree) -> &sled::Tree {
        let i = &self.inner;
        match tree {
            RecordTree::Hooks => &i.hooks,
            RecordTree::Outbox => &i.outbox,
            RecordTree::Deliveries => &i.deliveries,
            RecordTree::Live => &i.live,
            RecordTree::Journal => &i.journal,
        }
    }

    /// Stores `value` under owner · `key` in `tree`.
    pub fn put_record(
        &self,
        tree: RecordTree,
        owner: OwnerId,
        key: &[u8],
        value: &[u8],
    ) -> Result<()> {
        let mut k = owner_key(owner).to_vec();
        k.extend_from_slice(key);
        let _alive = self.alive(owner)?;
        self.record_tree(tree)
            .insert(k, value)
            .map_err(sled_err("insert", tree.name()))?;
        Ok(())
    }

    pub fn record(&self, tree: RecordTree, owner: OwnerId, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let mut k = owner_key(owner).to_vec();
        k.extend_from_slice(key);
        let v = self
            .record_tree(tree)
            .get(k)
            .map_err(sled_err("get", tree.name()))?;
        Ok(v.map(|v| v.to_vec()))
    }

    /// Removes owner · `key`; whether it was there.
    pub fn remove_record(&self, tree: RecordTree, owner: OwnerId, key: &[u8]) -> Result<bool> {
        let mut k = owner_key(owner).to_vec();
        k.extend_from_slice(key);
        let old = self
            .record_tree(tree)
            .remove(k)
            .map_err(sled_err("remove", tree.name()))?;
        Ok(old.is_some())
    }

    /// Records of `owner` whose key starts with `prefix`, from the first key
    /// at or after `prefix · from`, in key order, at most `limit`: (key
    /// without the owner, value).
    pub fn records(
        &self,
        tree: RecordTree,
        owner: OwnerId,
        prefix: &[u8],
        from: &[u8],
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut start = owner_key(owner).to_vec();
        start.extend_from_slice(prefix);
        let whole = start.clone();
        start.extend_from_slice(from);
        let mut out = Vec::new();
        for item in self.record_tree(tree).range(start..) {
            if out.len() >= limit {
                break;
            }
            let (k, v) = item.map_err(sled_err("scan", tree.name()))?;
            if !k.starts_with(&whole) {
                break;
            }
            out.push((k[8..].to_vec(), v.to_vec()));
        }
        Ok(out)
    }

    /// Every owner that has at least one record in `tree`, in order.
    pub fn record_owners(&self, tree: RecordTree) -> Result<Vec<OwnerId>> {
        owners_of(tree.name(), self.record_tree(tree))
    }

    /// In one atomic write: the owner's plugin snapshots, records of the
    /// `live` tree, and the removal of `journal` keys. A live profile's
    /// checkpoint: a crash leaves all of it or none, never one platform's
    /// snapshot ahead of another's or of the state and journal.
    pub fn checkpoint(
        &self,
        owner: OwnerId,
        snapshots: &[(String, Vec<u8>)],
        live: &[(&[u8], &[u8])],
        journal_removed: &[Vec<u8>],
    ) -> Result<()> {
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        use sled::Transactional;
        let _alive = self.alive(owner)?;
        let i = &self.inner;
        let with_owner = |key: &[u8]| {
            let mut k = owner_key(owner).to_vec();
            k.extend_from_slice(key);
            k
        };
        (&i.snapshots, &i.live, &i.journal)
            .transaction(|(snaps, lv, journal)| {
                for (platform, bytes) in snapshots {
                    snaps.insert(str_key(owner, platform), bytes.as_slice())?;
                }
                for (key, value) in live {
                    lv.insert(with_owner(key), *value)?;
                }
                for key in journal_removed {
                    journal.remove(with_owner(key))?;
                }
                Ok::<(), ConflictableTransactionError<()>>(())
            })
            .map_err(|e| match e {
                TransactionError::Storage(source) => StoreError::Sled {
                    op: "checkpoint",
                    tree: "snapshots, live, journal",
                    source,
                },
                TransactionError::Abort(()) => StoreError::Sled {
                    op: "checkpoint",
                    tree: "snapshots, live, journal",
                    source: sled::Error::Unsupported("the transaction aborted".into()),
                },
            })
    }

    // ----- runs -----

    /// Records a new run; ids are 1, 2, 3, … in a fresh store.
    pub fn new_run(&self, record: &serde_json::Value) -> Result<u64> {
        let id = self.next_id("next_run")?;
        self.write_run(id, record)?;
        Ok(id)
    }

    pub fn update_run(&self, id: u64, record: &serde_json::Value) -> Result<()> {
        let exists = self
            .inner
            .runs
            .contains_key(id.to_be_bytes())
            .map_err(sled_err("get", "runs"))?;
        if !exists {
            return Err(StoreError::NoSuchRun(id));
        }
        self.write_run(id, record)
    }

    fn write_run(&self, id: u64, record: &serde_json::Value) -> Result<()> {
        let bytes = serde_json::to_vec(record).map_err(|e| StoreError::Encode {
            what: "a run record",
            why: e.to_string(),
        })?;
        self.inner
            .runs
            .insert(id.to_be_bytes(), bytes)
            .map_err(sled_err("insert", "runs"))?;
        Ok(())
    }

    pub fn run(&self, id: u64) -> Result<Option<serde_json::Value>> {
        let v = self
            .inner
            .runs
            .get(id.to_be_bytes())
            .map_err(sled_err("get", "runs"))?;
        v.map(|v| {
            serde_json::from_slice(&v).map_err(|e| StoreError::CorruptRecord {
                tree: "runs",
                key: format!("run {id}"),
                why: e.to_string(),
            })
        })
        .transpose()
    }

    // ----- snapshots -----

    pub fn put_snapshot(&self, owner: OwnerId, platform: &str, bytes: &[u8]) -> Result<()> {
        let _alive = self.alive(owner)?;
        self.inner
            .snapshots
            .insert(str_key(owner, platform), bytes)
            .map_err(sled_err("insert", "snapshots"))?;
        Ok(())
    }

    pub fn snapshot(&self, owner: OwnerId, platform: &str) -> Result<Option<Vec<u8>>> {
        let v = self
            .inner
            .snapshots
            .get(str_key(owner, platform))
            .map_err(sled_err("get", "snapshots"))?;
        Ok(v.map(|v| v.to_vec()))
    }

    // ----- events -----

    /// Appends events of one owner, in seq order (strictly increasing and
    /// after every stored seq). Written as blocks with their indexes, then
    /// the aggregates, each record once per call.
    pub fn append(&self, owner: OwnerId, events: &[StoredEvent]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut prev: Option<u64> = None;
        for ev in events {
            if ev.profile != owner {
                return Err(StoreError::WrongOwner {
                    owner,
                    profile: ev.profile,
                    seq: ev.seq,
                });
            }
            if let Some(p) = prev.filter(|p| ev.seq <= *p) {
                return Err(StoreError::OutOfOrder {
                    owner,
                    seq: ev.seq,
                    after: p,
                });
            }
            prev = Some(ev.seq);
        }
        let _alive = self.alive(owner)?;
        let _w = self.lock()?;
        let last = self.last_seq(owner)?;
        let mut agg = self.load_agg(owner)?;
        if agg.through_seq != last {
            self.repair(owner)?;
            agg = self.load_agg(owner)?;
        }
        if let Some(l) = last.filter(|l| events[0].seq <= *l) {
            return Err(StoreError::OutOfOrder {
                owner,
                seq: events[0].seq,
                after: l,
            });
        }
        // What is on disk for this owner before its first append here.
        self.inner
            .durable
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(owner)
            .or_insert(last.unwrap_or(0));
        self.write_blocks(owner, events)?;
        self.fold(owner, events, agg)?;
        if let Some(last) = events.last() {
            self.inner
                .appended
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(owner, last.seq);
        }
        Ok(())
    }

    /// Writes `events` as blocks plus their indexes. Plain inserts, not
    /// `sled::Batch`: sled 0.34 writes out and syncs its log buffer before
    /// and after every batch, which costs more than the whole block. A
    /// crash between the writes is repaired from the log on open.
    fn write_blocks(&self, owner: OwnerId, events: &[StoredEvent]) -> Result<()> {
        let mut builder = BlockBuilder::new();
        for ev in events {
            if !builder.has_room_for(ev.seq) {
                self.write_block(owner, &mut builder)?;
            }
            builder.push(ev);
        }
        if !builder.is_empty() {
            self.write_block(owner, &mut builder)?;
        }
        Ok(())
    }

    fn write_block(&self, owner: OwnerId, builder: &mut BlockBuilder<'_>) -> Result<()> {
        let b = builder.finish();
        let key = seq_key(owner, b.last_seq);
        self.inner
            .events
            .insert(key, b.block)
            .map_err(sled_err("insert", "events"))?;
        self.inner
            .event_index
            .insert(key, b.index)
            .map_err(sled_err("insert", "event_index"))?;
        Ok(())
    }

    /// Folds events into the content records and owner aggregates, skipping
    /// any an aggregate already includes, and writes each record once.
    fn fold(&self, owner: OwnerId, events: &[StoredEvent], mut agg: OwnerAgg) -> Result<()> {
        let mut tally = Tally::default();
        let mut rows: BTreeMap<&str, ContentRow> = BTreeMap::new();
        let mut order: Vec<([u8; 24], &str)> = Vec::new();
        for ev in events {
            if agg.through_seq.is_none_or(|t| ev.seq > t) {
                tally.add(ev);
            }
            let Some(id) = aggregate::content_id_of(ev) else {
                continue;
            };
            if !rows.contains_key(id) {
                let row = match self.load_row(owner, id)? {
                    Some(r) => r,
                    None => aggregate::new_row(id, ev),
                };
                rows.insert(id, row);
            }
            if let Some(row) = rows.get_mut(id) {
                let was_listed = row.listed;
                aggregate::apply_to_content(row, ev);
                if row.listed && !was_listed {
                    order.push((
                        order_key(owner, row.record.published_at, row.record.seq),
                        id,
                    ));
                }
            }
        }
        // Order keys first: a row marked listed always has its key.
        for (key, id) in order {
            self.inner
                .content_order
                .insert(key, id.as_bytes())
                .map_err(sled_err("insert", "content_order"))?;
        }
        for (id, row) in &rows {
            let bytes = postcard::to_allocvec(row).map_err(|e| StoreError::Encode {
                what: "a content record",
                why: e.to_string(),
            })?;
            self.inner
                .content
                .insert(str_key(owner, id), bytes)
                .map_err(sled_err("insert", "content"))?;
        }
        tally.merge_into(&mut agg);
        let bytes = postcard::to_allocvec(&agg).map_err(|e| StoreError::Encode {
            what: "aggregates",
            why: e.to_string(),
        })?;
        self.inner
            .aggregates
            .insert(owner_key(owner), bytes)
            .map_err(sled_err("insert", "aggregates"))?;
        Ok(())
    }

    /// Brings the indexes and aggregates of every owner up to its log.
    fn repair_all(&self) -> Result<()> {
        let _w = self.lock()?;
        let mut from: Option<OwnerId> = Some(0);
        while let Some(start) = from {
            let next = self
                .inner
                .events
                .range(owner_key(start)..)
                .keys()
                .next()
                .transpose()
                .map_err(sled_err("scan", "events"))?;
            let Some(owner) = next.and_then(|k| u64_of(&k, 0)) else {
                break;
            };
            let last = self.last_seq(owner)?;
            if self.load_agg(owner)?.through_seq != last {
                self.repair(owner)?;
            }
            from = owner.checked_add(1);
        }
        Ok(())
    }

    /// Rebuilds the indexes of blocks past the aggregates' seq and folds
    /// their events in. Idempotent; the write lock is held.
    fn repair(&self, owner: OwnerId) -> Result<()> {
        let agg = self.load_agg(owner)?;
        let start = match agg.through_seq {
            Some(t) => match t.checked_add(1) {
                Some(s) => s,
                None => return Ok(()),
            },
            None => 0,
        };
        tracing::warn!(
            owner,
            from_seq = start,
            "replaying events into indexes and aggregates"
        );
        let mut keys = Vec::new();
        for item in self
            .inner
            .events
            .range(seq_key(owner, start)..=seq_key(owner, u64::MAX))
            .keys()
        {
            keys.push(item.map_err(sled_err("scan", "events"))?);
        }
        for key in keys {
            let agg = self.load_agg(owner)?;
            let last = u64_of(&key, 8).unwrap_or(0);
            let Some(view) = self.view(owner, &key, None)? else {
                continue;
            };
            let events = (0..view.seqs.len())
                .map(|i| view.event(owner, i))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|why| StoreError::CorruptBlock {
                    owner,
                    seq: last,
                    why,
                })?;
            let mut builder = BlockBuilder::new();
            for ev in &events {
                builder.push(ev);
            }
            let built = builder.finish();
            self.inner
                .event_index
                .insert(key, built.index)
                .map_err(sled_err("insert", "event_index"))?;
            self.fold(owner, &events, agg)?;
        }
        Ok(())
    }

    fn load_agg(&self, owner: OwnerId) -> Result<OwnerAgg> {
        let v = self
            .inner
            .aggregates
            .get(owner_key(owner))
            .map_err(sled_err("get", "aggregates"))?;
        match v {
            None => Ok(OwnerAgg::default()),
            Some(v) => postcard::from_bytes(&v).map_err(|e| StoreError::CorruptRecord {
                tree: "aggregates",
                key: format!("owner {owner}"),
                why: e.to_string(),
            }),
        }
    }

    fn load_row(&self, owner: OwnerId, id: &str) -> Result<Option<ContentRow>> {
        let key = str_key(owner, id);
        let v = self
            .inner
            .content
            .get(&key)
            .map_err(sled_err("get", "content"))?;
        v.map(|v| {
            postcard::from_bytes(&v).map_err(|e| StoreError::CorruptRecord {
                tree: "content",
                key: show_key(&key),
                why: e.to_string(),
            })
        })
        .transpose()
    }

    /// The block stored under `key`, decoded, through the block cache;
    /// `bytes` when the caller already read them.
    fn view(&self, owner: OwnerId, key: &[u8], bytes: Option<sled::IVec>) -> Result<Option<View>> {
        let last_seq = u64_of(key, 8).unwrap_or(0);
        {
            let mut cache = self.inner.cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(i) = cache
                .iter()
                .position(|c| c.owner == owner && c.last_seq == last_seq)
            {
                cache[..=i].rotate_right(1);
                return Ok(Some(cache[0].view.clone()));
            }
        }
        let bytes = match bytes {
            Some(b) => b,
            None => match self
                .inner
                .events
                .get(key)
                .map_err(sled_err("get", "events"))?
            {
                Some(b) => b,
                None => return Ok(None),
            },
        };
        let view = Arc::new(
            BlockView::parse(bytes).map_err(|why| StoreError::CorruptBlock {
                owner,
                seq: last_seq,
                why,
            })?,
        );
        let mut cache = self.inner.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.insert(
            0,
            CachedBlock {
                owner,
                last_seq,
                view: view.clone(),
            },
        );
        cache.truncate(CACHED_BLOCKS);
        Ok(Some(view))
    }

    /// Up to `limit` events with seq > `after_seq` (all when `None`), in seq order.
    pub fn events(
        &self,
        owner: OwnerId,
        after_seq: Option<u64>,
        limit: usize,
    ) -> Result<Vec<StoredEvent>> {
        let mut out = Vec::new();
        let Some(start) = after_seq.map_or(Some(0), |s| s.checked_add(1)) else {
            return Ok(out);
        };
        if limit == 0 {
            return Ok(out);
        }
        for item in self
            .inner
            .events
            .range(seq_key(owner, start)..=seq_key(owner, u64::MAX))
        {
            let (k, v) = item.map_err(sled_err("scan", "events"))?;
            let last = u64_of(&k, 8).unwrap_or(0);
            let corrupt = |why| StoreError::CorruptBlock {
                owner,
                seq: last,
                why,
            };
            let view = BlockView::parse(v).map_err(corrupt)?;
            let from = view.seqs.partition_point(|s| *s < start);
            for i in from..view.seqs.len() {
                out.push(view.event(owner, i).map_err(corrupt)?);
                if out.len() == limit {
                    return Ok(out);
                }
            }
        }
        Ok(out)
    }

    /// The event with this seq.
    pub fn event(&self, owner: OwnerId, seq: u64) -> Result<Option<StoredEvent>> {
        let next = self
            .inner
            .events
            .range(seq_key(owner, seq)..=seq_key(owner, u64::MAX))
            .next()
            .transpose()
            .map_err(sled_err("get", "events"))?;
        let Some((k, v)) = next else {
            return Ok(None);
        };
        let last = u64_of(&k, 8).unwrap_or(0);
        let corrupt = |why| StoreError::CorruptBlock {
            owner,
            seq: last,
            why: format!("reading seq {seq}: {why}"),
        };
        let view = match self.view(owner, &k, Some(v)) {
            Ok(Some(view)) => view,
            Ok(None) => return Ok(None),
            Err(StoreError::CorruptBlock { why, .. }) => return Err(corrupt(why)),
            Err(e) => return Err(e),
        };
        match view.position(seq) {
            Some(i) => view.event(owner, i).map(Some).map_err(corrupt),
            None => Ok(None),
        }
    }

    /// The owner's highest stored seq.
    pub fn last_seq(&self, owner: OwnerId) -> Result<Option<u64>> {
        let last = self
            .inner
            .events
            .range(seq_key(owner, 0)..=seq_key(owner, u64::MAX))
            .keys()
            .next_back()
            .transpose()
            .map_err(sled_err("scan", "events"))?;
        Ok(last.and_then(|k| u64_of(&k, 8)))
    }

    // ----- queries -----

    /// How many of the owner's events match; answered from counters.
    pub fn count(&self, owner: OwnerId, q: &CountQuery) -> Result<u64> {
        let type_code = match q.type_name.as_deref() {
            None => None,
            Some(t) => match TYPE_NAMES.iter().position(|n| *n == t) {
                Some(i) => Some(i as u8),
                None => {
                    return Err(StoreError::InvalidQuery(format!(
                        "unknown event type `{t}`; expected one of {}",
                        TYPE_NAMES.join(", ")
                    )))
                }
            },
        };
        let agg = self.load_agg(owner)?;
        fn eq(want: &Option<String>, have: Option<&String>) -> bool {
            want.as_ref().is_none_or(|w| have == Some(w))
        }
        Ok(agg
            .counts
            .iter()
            .filter(|(l, _)| {
                eq(&q.platform, Some(&l.platform))
                    && type_code.is_none_or(|t| t == l.type_code)
                    && eq(&q.kind, Some(&l.kind))
                    && eq(&q.sentiment, l.sentiment.as_ref())
                    && eq(&q.dm_type, l.dm_type.as_ref())
            })
            .map(|(_, n)| n)
            .sum())
    }

    /// A content item whose content event was stored.
    pub fn content(&self, owner: OwnerId, content_id: &str) -> Result<Option<ContentRecord>> {
        Ok(self
            .load_row(owner, content_id)?
            .filter(|r| r.listed)
            .map(|r| r.record))
    }

    fn content_rows(
        &self,
        owner: OwnerId,
        platform: Option<&str>,
        kind: Option<&str>,
        newest_first: bool,
    ) -> impl Iterator<Item = Result<ContentRecord>> + '_ {
        let iter = self.inner.content_order.scan_prefix(owner_key(owner));
        let iter: Box<dyn Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>> = if newest_first
        {
            Box::new(iter.rev())
        } else {
            Box::new(iter)
        };
        let platform = platform.map(str::to_owned);
        let kind = kind.map(str::to_owned);
        iter.filter_map(move |item| {
            let step = || -> Result<Option<ContentRecord>> {
                let (k, id) = item.map_err(sled_err("scan", "content_order"))?;
                let id = std::str::from_utf8(&id).map_err(|_| StoreError::CorruptRecord {
                    tree: "content_order",
                    key: format!("{:?}", k.as_ref()),
                    why: "content id is not UTF-8".into(),
                })?;
                // A key whose row is not (yet) listed is skipped: an
                // append writes order keys before rows.
                let Some(row) = self.load_row(owner, id)?.filter(|r| r.listed) else {
                    return Ok(None);
                };
                let r = row.record;
                let keep = platform.as_ref().is_none_or(|p| *p == r.platform)
                    && kind.as_ref().is_none_or(|k| *k == r.kind);
                Ok(keep.then_some(r))
            };
            step().transpose()
        })
    }

    /// The most recently published content, optionally of one platform and kind.
    pub fn latest_content(
        &self,
        owner: OwnerId,
        platform: Option<&str>,
        kind: Option<&str>,
    ) -> Result<Option<ContentRecord>> {
        self.content_rows(owner, platform, kind, true)
            .next()
            .transpose()
    }

    /// Every matching content item, in published order.
    pub fn contents(
        &self,
        owner: OwnerId,
        platform: Option<&str>,
        kind: Option<&str>,
    ) -> Result<Vec<ContentRecord>> {
        self.content_rows(owner, platform, kind, false).collect()
    }

    /// The latest total of an account-level metric (one with no content id).
    pub fn account_metric(
        &self,
        owner: OwnerId,
        platform: &str,
        name: &str,
    ) -> Result<Option<i64>> {
        let agg = self.load_agg(owner)?;
        Ok(agg
            .account_metrics
            .get(&(platform.to_owned(), name.to_owned()))
            .copied())
    }

    /// Up to `limit` interactions matching `f` with seq > `after_seq`, in seq
    /// order. The last seq returned is the cursor for the next page; pages
    /// stay stable while events are appended.
    pub fn interactions(
        &self,
        owner: OwnerId,
        f: &InteractionFilter,
        after_seq: Option<u64>,
        limit: usize,
    ) -> Result<Vec<StoredEvent>> {
        self.scan_interactions(owner, f, Scan::After(after_seq), limit)
    }

    /// Like [`Store::interactions`], newest first: up to `limit` matching
    /// interactions with seq < `before_seq` (all when `None`), in
    /// descending seq order. A page's last seq is the next page's cursor.
    pub fn interactions_newest_first(
        &self,
        owner: OwnerId,
        f: &InteractionFilter,
        before_seq: Option<u64>,
        limit: usize,
    ) -> Result<Vec<StoredEvent>> {
        self.scan_interactions(owner, f, Scan::Before(before_seq), limit)
    }

    fn scan_interactions(
        &self,
        owner: OwnerId,
        f: &InteractionFilter,
        scan: Scan,
        limit: usize,
    ) -> Result<Vec<StoredEvent>> {
        let mut out = Vec::new();
        if limit == 0 {
            return Ok(out);
        }
        let range = match scan {
            Scan::After(after) => match after.map_or(Some(0), |s| s.checked_add(1)) {
                Some(start) => seq_key(owner, start)..=seq_key(owner, u64::MAX),
                None => return Ok(out),
            },
            Scan::Before(Some(0)) => return Ok(out),
            Scan::Before(_) => seq_key(owner, 0)..=seq_key(owner, u64::MAX),
        };
        let mut wanted: Vec<(Posting, u64)> = Vec::with_capacity(3);
        if let Some(c) = &f.content_id {
            wanted.push((Posting::Content, hash_str(c)));
        }
        if let Some(a) = &f.author_id {
            wanted.push((Posting::Author, hash_str(a)));
        }
        if let Some(k) = &f.kind {
            wanted.push((Posting::Kind, hash_str(k)));
        }
        let blocks = self.inner.event_index.range(range);
        let blocks: Box<dyn Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>> = match scan {
            Scan::After(_) => Box::new(blocks),
            Scan::Before(_) => Box::new(blocks.rev()),
        };
        'blocks: for item in blocks {
            let (k, v) = item.map_err(sled_err("scan", "event_index"))?;
            let last = u64_of(&k, 8).unwrap_or(0);
            let bad_index = |why| StoreError::CorruptIndex {
                owner,
                seq: last,
                why,
            };
            let ix = IndexView::parse(&v).map_err(bad_index)?;
            if let Scan::Before(Some(b)) = scan {
                if ix.first_seq >= b {
                    continue;
                }
            }
            if ix.interactions() == 0
                || f.since.is_some_and(|s| ix.max_at < s)
                || f.until.is_some_and(|u| ix.min_at >= u)
            {
                continue;
            }
            let mut list = ix.all();
            for (which, hash) in &wanted {
                match ix.lookup(*which, *hash).map_err(bad_index)? {
                    None => continue 'blocks,
                    Some(l) if l.1 < list.1 => list = l,
                    Some(_) => {}
                }
            }
            let past_end = || bad_index("posting runs past the end".into());
            // The postings to visit, as a range of positions in the list.
            let (from, end) = match scan {
                Scan::After(after) => (
                    ix.first_after(list, after).ok_or_else(past_end)?,
                    list.0 + list.1,
                ),
                Scan::Before(before) => {
                    let end = match before {
                        Some(b) => ix.first_after(list, Some(b - 1)).ok_or_else(past_end)?,
                        None => list.0 + list.1,
                    };
                    (list.0, end)
                }
            };
            if from == end {
                continue;
            }
            let view = self
                .view(owner, &k, None)?
                .ok_or_else(|| StoreError::CorruptBlock {
                    owner,
                    seq: last,
                    why: "the block index has no block".into(),
                })?;
            let Some(probe) = view.probe(f) else {
                continue;
            };
            let corrupt = |why| StoreError::CorruptBlock {
                owner,
                seq: last,
                why,
            };
            let positions: Box<dyn Iterator<Item = usize>> = match scan {
                Scan::After(_) => Box::new(from..end),
                Scan::Before(_) => Box::new((from..end).rev()),
            };
            for p in positions {
                let seq = ix.seq_at(p).ok_or_else(past_end)?;
                let i = view.position(seq).ok_or_else(|| StoreError::CorruptIndex {
                    owner,
                    seq: last,
                    why: format!("it lists seq {seq}, which its block lacks"),
                })?;
                if !view.may_match(i, &probe).map_err(corrupt)? {
                    continue;
                }
                let ev = view.event(owner, i).map_err(corrupt)?;
                if f.matches(&ev) {
                    out.push(ev);
                    if out.len() == limit {
                        return Ok(out);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Every owner with at least one key in `tree`, in order: one seek per owner.
fn owners_of(name: &'static str, t: &sled::Tree) -> Result<Vec<OwnerId>> {
    let mut out = Vec::new();
    let mut next: Option<[u8; 8]> = Some([0; 8]);
    while let Some(from) = next {
        let Some(item) = t.range(from..).next() else {
            break;
        };
        let (k, _) = item.map_err(sled_err("scan", name))?;
        let Some(owner) = u64_of(&k, 0) else { break };
        out.push(owner);
        next = owner.checked_add(1).map(owner_key);
    }
    Ok(out)
}

fn json_of(tree: &'static str, key: &[u8], v: &[u8]) -> Result<serde_json::Value> {
    serde_json::from_slice(v).map_err(|e| StoreError::CorruptRecord {
        tree,
        key: match u64_of(key, 0) {
            Some(o) if key.len() == 8 => format!("owner {o}"),
            _ => show_key(key),
        },
        why: e.to_string(),
    })
}
