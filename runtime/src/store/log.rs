//! The event log: appending blocks and their indexes, folding events into
//! the aggregates, group commit and what is durable, and the repair that
//! brings indexes and aggregates up to the log after a crash.
//!
//! # Aggregates
//!
//! Counts are kept per event *shape* (platform, type, kind, sentiment,
//! dm type): a handful of shapes per owner, so every combination of
//! [`CountQuery`](super::CountQuery) fields is a sum over a few counters,
//! never a scan of the log. Content records take the latest metric totals
//! and count the interactions naming them; a metric or interaction naming
//! content whose content event was never stored keeps an unlisted record
//! that [`Store::content`] does not return. Both are written once per
//! append call, after the blocks, and each carries the last seq it
//! includes: if a process dies between the writes, opening the store
//! rebuilds the indexes of blocks past the aggregates' seq and folds their
//! events in, skipping what each record already holds.

use std::collections::BTreeMap;

use crate::event::{OwnerId, StoredEvent};

use super::aggregate::{self, AggDelta, ContentRow, OwnerAgg};
use super::block::BlockBuilder;
use super::keys::{order_key, owner_key, seq_key, show_key, str_key, u64_of};
use super::{sled_err, Result, Store, StoreError};

impl Store {
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
        let mut delta = AggDelta::default();
        let mut rows: BTreeMap<&str, ContentRow> = BTreeMap::new();
        let mut order: Vec<([u8; 24], &str)> = Vec::new();
        for ev in events {
            if agg.through_seq.is_none_or(|t| ev.seq > t) {
                delta.add(ev);
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
        delta.merge_into(&mut agg);
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
    pub(super) fn repair_all(&self) -> Result<()> {
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

    pub(super) fn load_agg(&self, owner: OwnerId) -> Result<OwnerAgg> {
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

    pub(super) fn load_row(&self, owner: OwnerId, id: &str) -> Result<Option<ContentRow>> {
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
}
