//! Opening a store: the directory, the lock file, the schema version in
//! `meta`, the trees, and the repairs an interrupted process leaves to do
//! (indexes and aggregates behind the log, unfinished deletions).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::OpenOptions;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Duration;

use super::keys::u64_of;
use super::{records, sled_err, Commits, Inner, Result, Store, StoreError, CACHED_BLOCKS};

/// The layout version this build reads and writes.
/// sled's page cache. Its default (1 GiB) let a long-running server's heap
/// grow by about a gigabyte over half an hour with 1,000 live profiles;
/// reads are mostly the newest blocks, which a small cache holds.
const PAGE_CACHE_BYTES: u64 = 64 << 20;

pub const SCHEMA_VERSION: u32 = 1;

/// The store's own trees whose every key starts with an owner id, the
/// profile record first. [`Store::delete_owner`] and
/// [`Store::count_owner_keys`] walk these and every record tree
/// ([`super::RecordTree`]); a tree added to the store must be added here (a
/// test checks that every tree but `meta` and `runs` is an owner tree).
pub const CORE_OWNER_TREES: [&str; 7] = [
    "profiles",
    "snapshots",
    "events",
    "event_index",
    "aggregates",
    "content",
    "content_order",
];

/// The trees that are not owner-scoped.
pub(super) const OTHER_TREES: [&str; 2] = ["meta", "runs"];

pub(super) const LOCK_FILE: &str = "diorama.lock";
/// The zstd level of sled's log in folders this build creates: every
/// write to the log (new values, rewritten pages, page tables) is
/// compressed. Level 1, the fastest sled accepts: against level 3 it
/// appends blocks about 2.4 times as fast for 5–8 % more bytes at rest
/// (the store bench, `STORE_BENCH_LOG=off,1,3`; see the module's "Disk").
const COMPRESSION_LEVEL: i32 = 1;

/// How sled writes its log in a store folder: compressed with zstd at a
/// level, or not. sled fixes *whether* the log is compressed when it
/// creates the folder (an existing folder keeps its own setting, whatever
/// is asked); the level applies to what a compressed store writes from
/// then on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogCompression(Option<u8>);

impl LogCompression {
    /// An uncompressed log (as stores were written before compression).
    pub const OFF: LogCompression = LogCompression(None);
    /// What [`Store::open`] uses.
    pub const DEFAULT: LogCompression = LogCompression(Some(COMPRESSION_LEVEL as u8));

    /// zstd at `level`: `None` outside 1–22, the levels sled accepts.
    pub fn zstd(level: i32) -> Option<LogCompression> {
        u8::try_from(level)
            .ok()
            .filter(|l| (1..=22).contains(l))
            .map(|l| LogCompression(Some(l)))
    }

    /// The zstd level, or `None` for an uncompressed log.
    pub fn level(self) -> Option<i32> {
        self.0.map(i32::from)
    }
}
/// The zstd level of packed event blocks and snapshots. Level 1: each block
/// is packed once, when sealed, and level 3 takes about twice as long for a
/// few percent fewer bytes (the store bench, `STORE_BENCH_CONFIGS`).
const PACKING_LEVEL: i32 = 1;

/// How the store writes its own data: event blocks packed (zstd) when
/// sealed and plugin snapshots packed, or both raw as stores were
/// written before packing. Either reads what the other wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packing(Option<u8>);

impl Packing {
    /// Raw blocks and snapshots, every append its own block (as before).
    pub const OFF: Packing = Packing(None);
    /// What [`Store::open`] uses.
    pub const DEFAULT: Packing = Packing(Some(PACKING_LEVEL as u8));

    /// zstd at `level`: `None` outside 1–19.
    pub fn zstd(level: i32) -> Option<Packing> {
        u8::try_from(level)
            .ok()
            .filter(|l| (1..=19).contains(l))
            .map(|l| Packing(Some(l)))
    }

    /// The zstd level, or `None` when nothing is packed.
    pub fn level(self) -> Option<i32> {
        self.0.map(i32::from)
    }
}

/// How [`Store::open_with`] writes: sled's log and the store's packing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    pub log: LogCompression,
    pub packing: Packing,
    /// Whether small appends gather in an open tail that is sealed into
    /// packed blocks (with packing on). It shrinks what the trees hold by
    /// about 40 % live, but sled keeps the rewritten and removed tail
    /// blocks in its log until their segments are half free, so the folder
    /// grows instead (the store bench, `live`): off by default until the
    /// store reclaims sled's space.
    pub seal_tails: bool,
}

impl Options {
    /// What [`Store::open`] uses.
    pub const DEFAULT: Options = Options {
        log: LogCompression::DEFAULT,
        packing: Packing::DEFAULT,
        seal_tails: false,
    };
    /// As the build before packing wrote: sled's log at zstd 1, raw
    /// blocks and snapshots.
    pub const PREVIOUS: Options = Options {
        log: LogCompression(Some(1)),
        packing: Packing::OFF,
        seal_tails: false,
    };
}

/// How long `Store::open` waits for sled's lock once it holds ours, and
/// how often it tries.
const SLED_LOCK_PATIENCE: Duration = Duration::from_secs(5);
const SLED_LOCK_POLL: Duration = Duration::from_millis(20);

impl Store {
    /// Opens (or creates) the store in `dir`.
    ///
    /// A new store's sled log is compressed (zstd); a store created by a
    /// build that did not compress keeps an uncompressed log (sled fixes
    /// the setting when it creates a folder), and reads the same.
    pub fn open(dir: &Path) -> Result<Store> {
        Store::open_with(dir, Options::DEFAULT)
    }

    /// [`Store::open`] with other [`Options`]: the compression of sled's
    /// log (what a new folder is created with, and the level a compressed
    /// one writes at) and the store's own packing (the store bench
    /// compares them; tests write folders as earlier builds did).
    pub fn open_with(dir: &Path, options: Options) -> Result<Store> {
        let log = options.log;
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
        let mut compress = log.level().is_some();
        let mut flipped = false;
        let level = log.level().unwrap_or(COMPRESSION_LEVEL);
        let db = loop {
            let opened = sled::Config::new()
                .path(dir)
                .mode(sled::Mode::HighThroughput)
                .cache_capacity(PAGE_CACHE_BYTES)
                .use_compression(compress)
                .compression_factor(level)
                .open();
            match opened {
                Ok(db) => break db,
                // A folder keeps the setting it was created with (one
                // written before its log was compressed, or one asked
                // without compression now): sled refuses to change it
                // across restarts.
                Err(source)
                    if !flipped
                        && source
                            .to_string()
                            .contains("cannot change compression values") =>
                {
                    compress = !compress;
                    flipped = true;
                }
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
        let record_trees = records::open_record_trees(&db, &meta)?;

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
                record_trees: RwLock::new(record_trees),
                db,
                write: Mutex::new(()),
                gone: RwLock::new(BTreeSet::new()),
                commits: Mutex::new(Commits::default()),
                committed: Condvar::new(),
                appended: Mutex::new(BTreeMap::new()),
                durable: Mutex::new(BTreeMap::new()),
                cache: Mutex::new(Vec::with_capacity(CACHED_BLOCKS)),
                packing: options.packing,
                seal_tails: options.seal_tails,
                tails: Mutex::new(BTreeMap::new()),
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

    /// The next value of a `meta` counter: 1, 2, 3, … never reused.
    pub(super) fn next_id(&self, key: &'static str) -> Result<u64> {
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
}
