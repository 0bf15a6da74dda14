//! Reads: events by seq, interactions through the block indexes, counts
//! from the aggregates, content records and account metrics.
//!
//! [`Store::interactions`] walks block indexes from its cursor, skips blocks
//! outside the time window, and takes the shortest posting list among the
//! filters it has (content, author, kind). Each candidate is first checked
//! against the filter on its raw record (dictionary indices, no allocation),
//! then decoded and checked again, so hash collisions cost time, never
//! correctness. Recently decoded blocks stay in a small cache, checked
//! against the stored block's checksum, which serves point reads and
//! consecutive pages.
//!
//! While an owner's open tail is sealed, a packed block and the raw ones
//! it covers are both stored for a moment: every scan skips seqs it has
//! passed, and an index whose block is gone reads the block now holding
//! its first seq.

use std::collections::BTreeMap;
use std::sync::Arc;

use diorama_sdk::{Millis, Payload};
use serde::{Deserialize, Serialize};

use crate::event::{OwnerId, StoredEvent, TYPE_NAMES};

use super::block::{BlockView, IndexView, Posting};
use super::codec::hash_str;
use super::keys::{owner_key, seq_key, u64_of};
use super::{sled_err, CachedBlock, Result, Store, StoreError, View, CACHED_BLOCKS};

/// The checksum a stored block carries after its format byte.
fn crc_of(block: &[u8]) -> u32 {
    match block.get(1..5) {
        Some(b) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        None => 0,
    }
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
    pub(super) fn matches(&self, ev: &StoredEvent) -> bool {
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

impl Store {
    /// The block stored under `key`, decoded, through the block cache;
    /// `bytes` when the caller already read them. `None` when no block is
    /// stored under `key` (any more: a sealed tail block is removed once a
    /// packed block covers it).
    pub(super) fn view(
        &self,
        owner: OwnerId,
        key: &[u8],
        bytes: Option<sled::IVec>,
    ) -> Result<Option<View>> {
        let last_seq = u64_of(key, 8).unwrap_or(0);
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
        let crc = crc_of(&bytes);
        {
            let mut cache = self.inner.cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(i) = cache
                .iter()
                .position(|c| c.owner == owner && c.last_seq == last_seq && c.crc == crc)
            {
                cache[..=i].rotate_right(1);
                return Ok(Some(cache[0].view.clone()));
            }
        }
        let view = Arc::new(
            BlockView::parse(bytes).map_err(|why| StoreError::CorruptBlock {
                owner,
                seq: last_seq,
                why,
            })?,
        );
        let mut cache = self.inner.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.retain(|c| c.owner != owner || c.last_seq != last_seq);
        cache.insert(
            0,
            CachedBlock {
                owner,
                last_seq,
                crc,
                view: view.clone(),
            },
        );
        cache.truncate(CACHED_BLOCKS);
        Ok(Some(view))
    }

    /// The block holding `seq`, the first at or after it: where an index's
    /// block went when a seal replaced it.
    fn view_holding(&self, owner: OwnerId, seq: u64) -> Result<Option<View>> {
        let next = self
            .inner
            .events
            .range(seq_key(owner, seq)..=seq_key(owner, u64::MAX))
            .next()
            .transpose()
            .map_err(sled_err("get", "events"))?;
        match next {
            Some((k, v)) => self.view(owner, &k, Some(v)),
            None => Ok(None),
        }
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
            // Past `start` and past what was returned: a seal in progress
            // can show a raw block and the packed one covering it.
            let next = out.last().map_or(start, |e: &StoredEvent| e.seq + 1);
            let from = view.seqs.partition_point(|s| *s < next);
            for i in from..view.seqs.len() {
                out.push(view.event(owner, i).map_err(corrupt)?);
                if out.len() == limit {
                    return Ok(out);
                }
            }
        }
        Ok(out)
    }

    /// The event with this seq (the first block at or after it holds it).
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
            let view = match self.view(owner, &k, None)? {
                Some(v) => v,
                // Sealed since its index was read: the packed block
                // covering it holds its seqs.
                None => self.view_holding(owner, ix.first_seq)?.ok_or_else(|| {
                    StoreError::CorruptBlock {
                        owner,
                        seq: last,
                        why: "the block index has no block".into(),
                    }
                })?,
            };
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
                // Already passed (a seal in progress shows some events twice).
                let passed = out.last().is_some_and(|e: &StoredEvent| match scan {
                    Scan::After(_) => seq <= e.seq,
                    Scan::Before(_) => seq >= e.seq,
                });
                if passed {
                    continue;
                }
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
