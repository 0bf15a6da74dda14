//! Records beside the event log: profile records (`profiles`), run
//! records (`runs`), plugin snapshots (`snapshots`), and the owner-scoped
//! record trees their owners name ([`RecordTree`]), with the checkpoint
//! that writes a profile's snapshots and records in one transaction.
//!
//! Profile and run records are JSON of the caller's type: the store does
//! not know their fields. Record trees hold bytes under owner · a key of
//! the caller's choosing, scanned in key order. The store lists every
//! record tree it is given in `meta` (`record_tree/` · name), so deleting
//! an owner covers a tree only an earlier process used; a data folder
//! written before that list existed has its trees adopted from sled's own
//! list of trees when it is opened.

use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::event::OwnerId;

use super::codec::{put_varint, Reader};
use super::keys::{owner_bytes_key, owner_key, show_key, str_key, u64_of};
use super::open::{CORE_OWNER_TREES, OTHER_TREES};
use super::{sled_err, Result, Store, StoreError};

/// An owner-scoped tree of plain records, keyed by owner · a key of the
/// user's choosing. The module that keeps the records defines it, as a
/// constant: `const HOOKS: RecordTree = RecordTree::new("hooks");`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordTree(&'static str);

impl RecordTree {
    /// A record tree named `name`: 1 to 32 bytes of `a`–`z`, `0`–`9` and
    /// `_`, starting with a letter, and not the name of one of the store's
    /// own trees. Panics otherwise, which in a `const` fails the build.
    pub const fn new(name: &'static str) -> RecordTree {
        assert!(
            valid_name(name),
            "a record tree is named by 1 to 32 of a-z, 0-9 and _, starting with a letter, and not by one of the store's own trees"
        );
        RecordTree(name)
    }

    /// The sled tree's name.
    pub const fn name(self) -> &'static str {
        self.0
    }
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    if b.is_empty() || b.len() > 32 || !b[0].is_ascii_lowercase() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if !(b[i].is_ascii_lowercase() || b[i].is_ascii_digit() || b[i] == b'_') {
            return false;
        }
        i += 1;
    }
    let mut k = 0;
    while k < CORE_OWNER_TREES.len() {
        if same(b, CORE_OWNER_TREES[k].as_bytes()) {
            return false;
        }
        k += 1;
    }
    let mut k = 0;
    while k < OTHER_TREES.len() {
        if same(b, OTHER_TREES[k].as_bytes()) {
            return false;
        }
        k += 1;
    }
    true
}

/// `meta` key prefix of a record tree in use (· its name).
pub(super) const RECORD_TREE: &[u8] = b"record_tree/";

fn registry_key(name: &str) -> Vec<u8> {
    let mut k = RECORD_TREE.to_vec();
    k.extend_from_slice(name.as_bytes());
    k
}

/// A record tree name read from disk, as the `&'static str` a
/// [`RecordTree`] holds: each distinct name is kept once per process.
fn intern(name: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(n) = names.get(name) {
        return n;
    }
    let n: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.insert(n);
    n
}

/// Opens every record tree listed in `meta`, after listing there any
/// tree sled knows that is neither one of the store's own nor listed (a
/// data folder written before the list existed opened all of its record
/// trees, so sled knows each).
pub(super) fn open_record_trees(
    db: &sled::Db,
    meta: &sled::Tree,
) -> Result<Vec<(RecordTree, sled::Tree)>> {
    for name in db.tree_names() {
        let Ok(name) = std::str::from_utf8(&name) else {
            continue;
        };
        if valid_name(name)
            && !meta
                .contains_key(registry_key(name))
                .map_err(sled_err("get", "meta"))?
        {
            meta.insert(registry_key(name), &[])
                .map_err(sled_err("insert", "meta"))?;
        }
    }
    let mut out = Vec::new();
    for key in meta.scan_prefix(RECORD_TREE).keys() {
        let key = key.map_err(sled_err("scan", "meta"))?;
        let name = std::str::from_utf8(&key[RECORD_TREE.len()..])
            .ok()
            .filter(|n| valid_name(n))
            .ok_or_else(|| StoreError::CorruptRecord {
                tree: "meta",
                key: String::from_utf8_lossy(&key).into_owned(),
                why: "not the name of a record tree".into(),
            })?;
        let tree = RecordTree(intern(name));
        let opened = db
            .open_tree(tree.name())
            .map_err(sled_err("open", tree.name()))?;
        out.push((tree, opened));
    }
    Ok(out)
}

impl Store {
    /// The sled tree of a record tree, listed in `meta` on its first use.
    fn record_tree(&self, tree: RecordTree) -> Result<sled::Tree> {
        let known = |list: &[(RecordTree, sled::Tree)]| {
            list.iter()
                .find(|(t, _)| t.name() == tree.name())
                .map(|(_, t)| t.clone())
        };
        let trees = &self.inner.record_trees;
        if let Some(t) = known(&trees.read().unwrap_or_else(|e| e.into_inner())) {
            return Ok(t);
        }
        let mut list = trees.write().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = known(&list) {
            return Ok(t);
        }
        // Listed before the tree holds anything: a record on disk always
        // has its tree listed.
        self.inner
            .meta
            .insert(registry_key(tree.name()), &[])
            .map_err(sled_err("insert", "meta"))?;
        let opened = self
            .inner
            .db
            .open_tree(tree.name())
            .map_err(sled_err("open", tree.name()))?;
        list.push((tree, opened.clone()));
        Ok(opened)
    }

    /// Every record tree this store has been given, here or by an earlier
    /// process, in the order they were first listed.
    pub(super) fn record_trees(&self) -> Vec<(RecordTree, sled::Tree)> {
        self.inner
            .record_trees
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    // ----- owner-scoped records -----

    /// Stores `value` under owner · `key` in `tree`.
    pub fn put_record(
        &self,
        tree: RecordTree,
        owner: OwnerId,
        key: &[u8],
        value: &[u8],
    ) -> Result<()> {
        let k = owner_bytes_key(owner, key);
        let t = self.record_tree(tree)?;
        let _alive = self.alive(owner)?;
        t.insert(k, value)
            .map_err(sled_err("insert", tree.name()))?;
        Ok(())
    }

    pub fn record(&self, tree: RecordTree, owner: OwnerId, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let v = self
            .record_tree(tree)?
            .get(owner_bytes_key(owner, key))
            .map_err(sled_err("get", tree.name()))?;
        Ok(v.map(|v| v.to_vec()))
    }

    /// Removes owner · `key`; whether it was there.
    pub fn remove_record(&self, tree: RecordTree, owner: OwnerId, key: &[u8]) -> Result<bool> {
        let old = self
            .record_tree(tree)?
            .remove(owner_bytes_key(owner, key))
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
        let mut start = owner_bytes_key(owner, prefix);
        let whole = start.clone();
        start.extend_from_slice(from);
        let mut out = Vec::new();
        for item in self.record_tree(tree)?.range(start..) {
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
        super::delete::owners_of(tree.name(), &self.record_tree(tree)?)
    }

    /// In one atomic write: the owner's plugin snapshots (platform, bytes),
    /// records put (tree, key, value) and records removed (tree, key). A
    /// profile's checkpoint: a crash leaves all of it or none, never one
    /// platform's snapshot ahead of another's or of the records written
    /// with them.
    pub fn checkpoint(
        &self,
        owner: OwnerId,
        snapshots: &[(String, Vec<u8>)],
        put: &[(RecordTree, &[u8], &[u8])],
        removed: &[(RecordTree, &[u8])],
    ) -> Result<()> {
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        use sled::Transactional;
        // The trees written, each once: snapshots first, then record trees
        // in the order the caller names them.
        let mut names: Vec<RecordTree> = Vec::new();
        for tree in put.iter().map(|p| p.0).chain(removed.iter().map(|r| r.0)) {
            if !names.contains(&tree) {
                names.push(tree);
            }
        }
        let mut entries = Vec::with_capacity(snapshots.len());
        for (platform, bytes) in snapshots {
            entries.push(self.snapshot_entry(owner, platform, bytes)?);
        }
        let mut trees = vec![self.inner.snapshots.clone()];
        for tree in &names {
            trees.push(self.record_tree(*tree)?);
        }
        let at = |tree: RecordTree| 1 + names.iter().position(|t| *t == tree).unwrap_or(0);
        let _alive = self.alive(owner)?;
        trees
            .as_slice()
            .transaction(|views| {
                for (key, value, stale) in &entries {
                    views[0].insert(key.as_slice(), value.as_slice())?;
                    views[0].remove(stale.as_slice())?;
                }
                for (tree, key, value) in put {
                    views[at(*tree)].insert(owner_bytes_key(owner, key), *value)?;
                }
                for (tree, key) in removed {
                    views[at(*tree)].remove(owner_bytes_key(owner, key))?;
                }
                Ok::<(), ConflictableTransactionError<()>>(())
            })
            .map_err(|e| {
                let tree = intern(
                    &std::iter::once("snapshots")
                        .chain(names.iter().map(|t| t.name()))
                        .collect::<Vec<_>>()
                        .join(", "),
                );
                let source = match e {
                    TransactionError::Storage(source) => source,
                    TransactionError::Abort(()) => {
                        sled::Error::Unsupported("the transaction aborted".into())
                    }
                };
                StoreError::Sled {
                    op: "checkpoint",
                    tree,
                    source,
                }
            })
    }

    // ----- profiles -----

    /// A new owner id: 1, 2, 3, … in a fresh store, never reused.
    pub fn new_owner_id(&self) -> Result<OwnerId> {
        self.next_id("next_owner")
    }

    /// Stores the profile's record, as JSON.
    pub fn put_profile<R: Serialize + ?Sized>(&self, id: OwnerId, record: &R) -> Result<()> {
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

    /// The profile's record, read as `R`.
    pub fn profile<R: DeserializeOwned>(&self, id: OwnerId) -> Result<Option<R>> {
        let v = self
            .inner
            .profiles
            .get(owner_key(id))
            .map_err(sled_err("get", "profiles"))?;
        v.map(|v| json_of("profiles", &owner_key(id), &v))
            .transpose()
    }

    /// Every profile, by id.
    pub fn profiles<R: DeserializeOwned>(&self) -> Result<Vec<(OwnerId, R)>> {
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

    // ----- runs -----

    /// Records a new run; ids are 1, 2, 3, … in a fresh store.
    pub fn new_run<R: Serialize + ?Sized>(&self, record: &R) -> Result<u64> {
        let id = self.next_id("next_run")?;
        self.write_run(id, record)?;
        Ok(id)
    }

    pub fn update_run<R: Serialize + ?Sized>(&self, id: u64, record: &R) -> Result<()> {
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

    fn write_run<R: Serialize + ?Sized>(&self, id: u64, record: &R) -> Result<()> {
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

    /// The run's record, read as `R`.
    pub fn run<R: DeserializeOwned>(&self, id: u64) -> Result<Option<R>> {
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
        let (key, value, stale) = self.snapshot_entry(owner, platform, bytes)?;
        let _alive = self.alive(owner)?;
        // The new entry first: a reader prefers the packed key.
        self.inner
            .snapshots
            .insert(key, value)
            .map_err(sled_err("insert", "snapshots"))?;
        self.inner
            .snapshots
            .remove(stale)
            .map_err(sled_err("remove", "snapshots"))?;
        Ok(())
    }

    pub fn snapshot(&self, owner: OwnerId, platform: &str) -> Result<Option<Vec<u8>>> {
        let packed_key = packed_snapshot_key(owner, platform);
        if let Some(v) = self
            .inner
            .snapshots
            .get(&packed_key)
            .map_err(sled_err("get", "snapshots"))?
        {
            return unpack_snapshot(&v)
                .map(Some)
                .map_err(|why| StoreError::CorruptRecord {
                    tree: "snapshots",
                    key: show_key(&str_key(owner, platform)),
                    why,
                });
        }
        let v = self
            .inner
            .snapshots
            .get(str_key(owner, platform))
            .map_err(sled_err("get", "snapshots"))?;
        Ok(v.map(|v| v.to_vec()))
    }

    /// A snapshot as stored: (key, value, the other key to remove). Packed
    /// under owner · 0 · platform; raw under owner · platform.
    fn snapshot_entry(
        &self,
        owner: OwnerId,
        platform: &str,
        bytes: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>, Vec<u8>)> {
        let raw = str_key(owner, platform);
        let packed = packed_snapshot_key(owner, platform);
        match self.inner.packing.level() {
            None => Ok((raw, bytes.to_vec(), packed)),
            Some(level) => Ok((packed, pack_snapshot(bytes, level)?, raw)),
        }
    }
}

/// The largest snapshot a packed one may unpack to (a plugin's memory is
/// limited to far less).
const MAX_SNAPSHOT: usize = 256 << 20;

/// owner · 0 · platform: a packed snapshot (a platform name never starts
/// with a zero byte, so no raw key is one).
fn packed_snapshot_key(owner: OwnerId, platform: &str) -> Vec<u8> {
    let mut k = owner_key(owner).to_vec();
    k.push(0);
    k.extend_from_slice(platform.as_bytes());
    k
}

/// varint length · zstd frame.
fn pack_snapshot(bytes: &[u8], level: i32) -> Result<Vec<u8>> {
    if bytes.len() > MAX_SNAPSHOT {
        return Err(StoreError::Encode {
            what: "a snapshot",
            why: format!(
                "it is {} bytes, over the limit of {MAX_SNAPSHOT}",
                bytes.len()
            ),
        });
    }
    let frame = super::block::compress(bytes, level).map_err(|e| StoreError::Encode {
        what: "a snapshot",
        why: e.to_string(),
    })?;
    let mut out = Vec::with_capacity(frame.len() + 5);
    put_varint(&mut out, bytes.len() as u64);
    out.extend_from_slice(&frame);
    Ok(out)
}

fn unpack_snapshot(v: &[u8]) -> Result<Vec<u8>, String> {
    let mut r = Reader::new(v);
    let len = r
        .varint()
        .and_then(|l| usize::try_from(l).ok())
        .ok_or("malformed packed length")?;
    if len > MAX_SNAPSHOT {
        return Err(format!(
            "packed snapshot of {len} bytes is over the limit of {MAX_SNAPSHOT}"
        ));
    }
    let out = zstd::block::decompress(&v[r.pos()..], len).map_err(|e| e.to_string())?;
    if out.len() != len {
        return Err(format!("unpacked {} bytes, it says {len}", out.len()));
    }
    Ok(out)
}

fn json_of<R: DeserializeOwned>(tree: &'static str, key: &[u8], v: &[u8]) -> Result<R> {
    serde_json::from_slice(v).map_err(|e| StoreError::CorruptRecord {
        tree,
        key: match u64_of(key, 0) {
            Some(o) if key.len() == 8 => format!("owner {o}"),
            _ => show_key(key),
        },
        why: e.to_string(),
    })
}
