//! Removing owners: [`Store::delete_owner`] with its deletion mark in
//! `meta`, finished on open when a crash interrupts it; orphans (keys of
//! owners with no profile record); and what an owner takes up.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::event::OwnerId;

use super::keys::{owner_key, u64_of};
use super::open::CORE_OWNER_TREES;
use super::{sled_err, Result, Store};

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

/// `meta` key prefix of an owner whose deletion has begun (· owner u64 BE).
pub(super) const DELETING: &[u8] = b"deleting/";

pub(super) fn deleting_key(owner: OwnerId) -> Vec<u8> {
    let mut k = DELETING.to_vec();
    k.extend_from_slice(&owner.to_be_bytes());
    k
}

impl Store {
    /// The owner-scoped trees, named: the single list every owner-wide
    /// operation walks. The store's own trees in [`CORE_OWNER_TREES`]
    /// order (the profile record first), then every record tree.
    pub(super) fn owner_trees(&self) -> Vec<(&'static str, sled::Tree)> {
        let i = &self.inner;
        let core = [
            &i.profiles,
            &i.snapshots,
            &i.events,
            &i.event_index,
            &i.aggregates,
            &i.content,
            &i.content_order,
        ];
        let mut out: Vec<(&'static str, sled::Tree)> = CORE_OWNER_TREES
            .iter()
            .zip(core)
            .map(|(name, tree)| (*name, tree.clone()))
            .collect();
        out.extend(
            self.record_trees()
                .into_iter()
                .map(|(t, tree)| (t.name(), tree)),
        );
        out
    }

    /// Removes every key the owner has, in every tree; returns how many.
    ///
    /// Crash-safe: the deletion is first marked durably in `meta`, the
    /// profile record goes last, and opening the store finishes any marked
    /// deletion. From the call on, every write for the owner is refused
    /// ([`super::StoreError::OwnerDeleted`]), so a racing writer cannot bring
    /// any of it back.
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
        self.inner
            .tails
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
        for m in [&self.inner.appended, &self.inner.durable] {
            m.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
        }
        let prefix = owner_key(id);
        let mut removed = 0u64;
        // The profile record last: until it is gone, the owner is known.
        let mut trees = self.owner_trees();
        trees.rotate_left(1);
        debug_assert_eq!(trees.last().map(|t| t.0), Some("profiles"));
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
    pub(super) fn finish_deletions(&self) -> Result<()> {
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
            for owner in owners_of(name, &tree)? {
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
}

/// Every owner with at least one key in `tree`, in order: one seek per owner.
pub(super) fn owners_of(name: &'static str, t: &sled::Tree) -> Result<Vec<OwnerId>> {
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
