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
use super::block::{
    is_packed, pack, BlockBuilder, BlockView, Built, IndexView, SEAL_BYTES, SEAL_EVENTS,
};
use super::keys::{order_key, owner_key, seq_key, show_key, str_key, u64_of};
use super::{sled_err, Result, Store, StoreError};

/// An owner's open tail: its raw blocks after the last packed one.
#[derive(Default)]
pub(super) struct Tail {
    /// Oldest first.
    blocks: Vec<TailBlock>,
    /// The last seq of the last packed block (or of the last block left
    /// raw by an earlier build): a raw block's events up to it are
    /// already there.
    packed_through: Option<u64>,
}

struct TailBlock {
    last_seq: u64,
    events: usize,
    bytes: usize,
}

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
    ///
    /// Packed (see `block/`): full blocks and large last blocks are packed;
    /// a small append is written raw and joins the owner's open tail; once
    /// the tail and the new events reach [`SEAL_EVENTS`] or [`SEAL_BYTES`]
    /// they are rewritten together as packed blocks, and the tail's raw
    /// blocks removed. The rewrite only ever adds blocks that cover the
    /// raw ones before removing them, index after block, so a reader (or a
    /// crash) in between sees every event, at worst twice: reads skip seqs
    /// they have passed, and [`Store::load_tail`] removes covered blocks.
    fn write_blocks(&self, owner: OwnerId, events: &[StoredEvent]) -> Result<()> {
        let level = self.inner.packing.level();
        let Some(level) = level.filter(|_| self.inner.seal_tails) else {
            // Every block of this call on its own: full ones and a last
            // one of at least `SEAL_EVENTS` packed (with packing on).
            let mut builder = BlockBuilder::new();
            for ev in events {
                if !builder.has_room_for(ev.seq) {
                    self.write_maybe_packed(owner, builder.finish(), level)?;
                }
                builder.push(ev);
            }
            if !builder.is_empty() {
                let n = builder.len();
                let built = builder.finish();
                let last = if n >= SEAL_EVENTS { level } else { None };
                self.write_maybe_packed(owner, built, last)?;
            }
            return Ok(());
        };
        let mut tail = self.take_tail(owner)?;
        let written = self.write_packed(owner, events, &mut tail, level);
        // Whatever happened, the tail left in memory is the one on disk
        // (an error leaves it to be read again).
        if written.is_ok() {
            self.inner
                .tails
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(owner, tail);
        }
        written
    }

    fn write_packed(
        &self,
        owner: OwnerId,
        events: &[StoredEvent],
        tail: &mut Tail,
        level: i32,
    ) -> Result<()> {
        let (tail_events, tail_bytes) = tail
            .blocks
            .iter()
            .fold((0, 0), |(n, b), t| (n + t.events, b + t.bytes));
        if tail_events + events.len() < SEAL_EVENTS {
            let mut builder = BlockBuilder::new();
            let fits = events.iter().all(|ev| {
                let room = builder.has_room_for(ev.seq);
                if room {
                    builder.push(ev);
                }
                room
            });
            if fits {
                let built = builder.finish();
                if tail_bytes + built.block.len() < SEAL_BYTES {
                    self.write_block(owner, &built)?;
                    tail.blocks.push(TailBlock {
                        last_seq: built.last_seq,
                        events: events.len(),
                        bytes: built.block.len(),
                    });
                    return Ok(());
                }
            }
        }
        // Seal: the tail's events and the new ones, as packed blocks.
        let mut old: Vec<StoredEvent> = Vec::with_capacity(tail_events);
        for t in &tail.blocks {
            let key = seq_key(owner, t.last_seq);
            let Some(bytes) = self
                .inner
                .events
                .get(key)
                .map_err(sled_err("get", "events"))?
            else {
                continue;
            };
            let corrupt = |why| StoreError::CorruptBlock {
                owner,
                seq: t.last_seq,
                why,
            };
            let view = BlockView::parse(bytes).map_err(corrupt)?;
            for i in 0..view.seqs.len() {
                if tail.packed_through.is_none_or(|p| view.seqs[i] > p) {
                    old.push(view.event(owner, i).map_err(corrupt)?);
                }
            }
        }
        let mut builder = BlockBuilder::new();
        let mut written: Vec<u64> = Vec::new();
        let mut last_packed = tail.packed_through;
        let mut open: Option<TailBlock> = None;
        for ev in old.iter().chain(events) {
            if !builder.has_room_for(ev.seq) {
                let built = builder.finish();
                written.push(built.last_seq);
                last_packed = Some(built.last_seq);
                self.write_sealed(owner, built, level)?;
            }
            builder.push(ev);
        }
        if !builder.is_empty() {
            let n = builder.len();
            let built = builder.finish();
            written.push(built.last_seq);
            if n >= SEAL_EVENTS || built.block.len() >= SEAL_BYTES {
                last_packed = Some(built.last_seq);
                self.write_sealed(owner, built, level)?;
            } else {
                self.write_block(owner, &built)?;
                open = Some(TailBlock {
                    last_seq: built.last_seq,
                    events: n,
                    bytes: built.block.len(),
                });
            }
        }
        // Every old raw block is now covered: drop those not overwritten,
        // newest first, so that the first block at or after any seq
        // holds it all along.
        for t in tail.blocks.iter().rev() {
            if !written.contains(&t.last_seq) {
                self.remove_block(owner, t.last_seq)?;
            }
        }
        self.forget_cached(owner, |seq| tail.blocks.iter().any(|t| t.last_seq == seq));
        tail.blocks.clear();
        tail.blocks.extend(open);
        tail.packed_through = last_packed;
        Ok(())
    }

    fn write_maybe_packed(&self, owner: OwnerId, built: Built, level: Option<i32>) -> Result<()> {
        match level {
            Some(level) => self.write_sealed(owner, built, level),
            None => self.write_block(owner, &built),
        }
    }

    /// Writes a block packed (raw if it cannot be).
    fn write_sealed(&self, owner: OwnerId, mut built: Built, level: i32) -> Result<()> {
        if let Some(packed) = pack(&built.block, level) {
            built.block = packed;
        }
        self.write_block(owner, &built)
    }

    /// Block first, then its index: an index never names a block that
    /// lacks its seqs.
    fn write_block(&self, owner: OwnerId, b: &Built) -> Result<()> {
        let key = seq_key(owner, b.last_seq);
        self.inner
            .events
            .insert(key, b.block.as_slice())
            .map_err(sled_err("insert", "events"))?;
        self.inner
            .event_index
            .insert(key, b.index.as_slice())
            .map_err(sled_err("insert", "event_index"))?;
        Ok(())
    }

    /// Removes a block covered by another: its index first, so an index
    /// read always finds its block (or, once removed, the covering one).
    fn remove_block(&self, owner: OwnerId, last_seq: u64) -> Result<()> {
        let key = seq_key(owner, last_seq);
        self.inner
            .event_index
            .remove(key)
            .map_err(sled_err("remove", "event_index"))?;
        self.inner
            .events
            .remove(key)
            .map_err(sled_err("remove", "events"))?;
        Ok(())
    }

    fn forget_cached(&self, owner: OwnerId, which: impl Fn(u64) -> bool) {
        self.inner
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|c| c.owner != owner || !which(c.last_seq));
    }

    /// The owner's open tail, from memory or, the first time in this
    /// process, from disk (the write lock is held).
    fn take_tail(&self, owner: OwnerId) -> Result<Tail> {
        let known = self
            .inner
            .tails
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&owner);
        match known {
            Some(t) => Ok(t),
            None => self.load_tail(owner),
        }
    }

    /// Reads the owner's open tail: its raw blocks after the last packed
    /// one, up to [`SEAL_EVENTS`] events and [`SEAL_BYTES`] (a folder
    /// written before packing has only raw blocks; the older ones stay as
    /// they are).
    /// Finishes a seal a crash interrupted: blocks the last packed block
    /// covers are removed, and its index rewritten if it is not its own.
    pub(super) fn load_tail(&self, owner: OwnerId) -> Result<Tail> {
        let mut tail = Tail::default();
        let mut raw: Vec<(u64, usize, usize)> = Vec::new();
        let mut sealed: Option<(sled::IVec, sled::IVec)> = None;
        for item in self
            .inner
            .events
            .range(seq_key(owner, 0)..=seq_key(owner, u64::MAX))
            .rev()
        {
            let (k, v) = item.map_err(sled_err("scan", "events"))?;
            let last = u64_of(&k, 8).unwrap_or(0);
            if is_packed(&v) {
                sealed = Some((k, v));
                break;
            }
            let view = BlockView::parse(&v).map_err(|why| StoreError::CorruptBlock {
                owner,
                seq: last,
                why,
            })?;
            let (n, b) = raw
                .iter()
                .fold((0, 0), |(n, b), r: &(u64, usize, usize)| (n + r.1, b + r.2));
            if n + view.seqs.len() >= SEAL_EVENTS || b + v.len() >= SEAL_BYTES {
                tail.packed_through = Some(last);
                break;
            }
            raw.push((last, view.seqs.len(), v.len()));
        }
        if let Some((key, bytes)) = sealed {
            let last = u64_of(&key, 8).unwrap_or(0);
            let corrupt = |why| StoreError::CorruptBlock {
                owner,
                seq: last,
                why,
            };
            let view = BlockView::parse(bytes).map_err(corrupt)?;
            let first = view.seqs.first().copied().unwrap_or(last);
            tail.packed_through = Some(last);
            // Raw blocks before it that it covers (a seal cut short).
            let mut covered = Vec::new();
            for k in self
                .inner
                .events
                .range(seq_key(owner, first)..seq_key(owner, last))
                .keys()
            {
                covered.push(u64_of(&k.map_err(sled_err("scan", "events"))?, 8).unwrap_or(0));
            }
            let own_index = self
                .inner
                .event_index
                .get(&key)
                .map_err(sled_err("get", "event_index"))?
                .and_then(|ix| IndexView::parse(&ix).ok().map(|ix| ix.first_seq))
                == Some(first);
            if !own_index {
                let events = (0..view.seqs.len())
                    .map(|i| view.event(owner, i))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(corrupt)?;
                let mut builder = BlockBuilder::new();
                for ev in &events {
                    builder.push(ev);
                }
                let built = builder.finish();
                self.inner
                    .event_index
                    .insert(key, built.index)
                    .map_err(sled_err("insert", "event_index"))?;
            }
            if !covered.is_empty() {
                tracing::warn!(
                    owner,
                    blocks = covered.len(),
                    "removing raw blocks a packed block covers"
                );
            }
            for seq in covered.into_iter().rev() {
                self.remove_block(owner, seq)?;
            }
        }
        raw.reverse();
        for (last, events, bytes) in raw {
            tail.blocks.push(TailBlock {
                last_seq: last,
                events,
                bytes,
            });
        }
        self.forget_cached(owner, |_| true);
        Ok(tail)
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
