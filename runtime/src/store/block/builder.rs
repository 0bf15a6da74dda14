//! Writing a block and its index from a run of events.

use std::collections::hash_map::Entry;

use diorama_sdk::{Author, Content, Interaction, Metric, Notice, Payload};

use crate::event::StoredEvent;
use crate::store::codec::{hash_str, put_str, put_varint, zigzag, FxMap};

use super::*;

/// An author as a table key: equal when every field is, hashed by id only
/// (an id's other fields rarely change within a block).
struct AuthorKey<'e>(&'e Author);

impl PartialEq for AuthorKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for AuthorKey<'_> {}

impl std::hash::Hash for AuthorKey<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.id.hash(state);
    }
}

/// Accumulates events into one block and its index. Short repeated strings
/// (platforms, kinds, content ids, sentiments, metric names) go to a
/// per-block dictionary and authors to a per-block table, so a record holds
/// little more than its id, text and `at`.
pub(crate) struct BlockBuilder<'e> {
    first_seq: u64,
    last_seq: u64,
    base_at: i64,
    seqs: Vec<u64>,
    lens: Vec<u32>,
    strings: Vec<&'e str>,
    string_ix: FxMap<&'e str, u32>,
    authors: Vec<&'e Author>,
    author_ix: FxMap<AuthorKey<'e>, u32>,
    table_bytes: usize,
    records: Vec<u8>,
    // index
    min_at: i64,
    max_at: i64,
    all: Vec<u32>,
    /// (hash, seq - first seq) per interaction, grouped at `finish`.
    kinds: Vec<(u64, u32)>,
    contents: Vec<(u64, u32)>,
    by_author: Vec<(u64, u32)>,
}

/// One finished block: its last seq (the key), the block and index bytes.
pub(crate) struct Built {
    pub last_seq: u64,
    pub block: Vec<u8>,
    pub index: Vec<u8>,
}

impl<'e> BlockBuilder<'e> {
    pub(crate) fn new() -> Self {
        BlockBuilder {
            first_seq: 0,
            last_seq: 0,
            base_at: 0,
            seqs: Vec::with_capacity(MAX_EVENTS),
            lens: Vec::with_capacity(MAX_EVENTS),
            strings: Vec::new(),
            string_ix: FxMap::default(),
            authors: Vec::new(),
            author_ix: FxMap::default(),
            table_bytes: 0,
            records: Vec::with_capacity(MAX_BYTES + 4096),
            min_at: i64::MAX,
            max_at: i64::MIN,
            all: Vec::new(),
            kinds: Vec::new(),
            contents: Vec::new(),
            by_author: Vec::new(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.seqs.is_empty()
    }

    /// Events pushed since the last `finish`.
    pub(crate) fn len(&self) -> usize {
        self.seqs.len()
    }

    /// Whether `seq` can join this block (size and seq-span limits).
    pub(crate) fn has_room_for(&self, seq: u64) -> bool {
        self.seqs.is_empty()
            || (self.seqs.len() < MAX_EVENTS
                && self.records.len() + self.table_bytes < MAX_BYTES
                && seq - self.first_seq <= u64::from(u32::MAX))
    }

    fn dict(&mut self, s: &'e str) -> u64 {
        let next = self.strings.len() as u32;
        match self.string_ix.entry(s) {
            Entry::Occupied(e) => u64::from(*e.get()),
            Entry::Vacant(e) => {
                e.insert(next);
                self.strings.push(s);
                self.table_bytes += s.len() + 1;
                u64::from(next)
            }
        }
    }

    fn opt_dict(&mut self, s: Option<&'e str>) -> u64 {
        match s {
            None => 0,
            Some(s) => self.dict(s) + 1,
        }
    }

    fn author(&mut self, a: &'e Author) -> u64 {
        let next = self.authors.len() as u32;
        match self.author_ix.entry(AuthorKey(a)) {
            Entry::Occupied(e) => u64::from(*e.get()),
            Entry::Vacant(e) => {
                e.insert(next);
                self.authors.push(a);
                self.table_bytes +=
                    a.id.len() + a.handle.len() + a.display_name.len() + a.avatar_url.len() + 8;
                u64::from(next)
            }
        }
    }

    /// Adds one event; the caller checked order and room.
    pub(crate) fn push(&mut self, ev: &'e StoredEvent) {
        if self.seqs.is_empty() {
            self.first_seq = ev.seq;
            self.base_at = ev.event.at;
        }
        self.last_seq = ev.seq;
        let start = self.records.len();
        let platform = self.dict(&ev.platform);
        let mut rec = std::mem::take(&mut self.records);
        put_varint(&mut rec, platform);
        put_varint(&mut rec, zigzag(ev.event.at.wrapping_sub(self.base_at)));
        match &ev.event.payload {
            Payload::Content(c) => {
                let Content {
                    id,
                    kind,
                    title,
                    text,
                    url,
                } = c;
                rec.push(TAG_CONTENT);
                put_varint(&mut rec, self.dict(id));
                put_varint(&mut rec, self.dict(kind));
                put_str(&mut rec, title);
                put_str(&mut rec, text);
                put_str(&mut rec, url);
            }
            Payload::Interaction(i) => {
                let Interaction {
                    id,
                    kind,
                    content_id,
                    parent_id,
                    author,
                    text,
                    sentiment,
                    dm_type,
                } = i;
                rec.push(TAG_INTERACTION);
                put_str(&mut rec, id);
                put_varint(&mut rec, self.dict(kind));
                put_varint(&mut rec, self.opt_dict(content_id.as_deref()));
                match parent_id {
                    None => rec.push(0),
                    Some(p) => {
                        rec.push(1);
                        put_str(&mut rec, p);
                    }
                }
                put_varint(&mut rec, self.author(author));
                put_str(&mut rec, text);
                put_varint(&mut rec, self.opt_dict(sentiment.as_deref()));
                put_varint(&mut rec, self.opt_dict(dm_type.as_deref()));

                let rel = (ev.seq - self.first_seq) as u32;
                self.min_at = self.min_at.min(ev.event.at);
                self.max_at = self.max_at.max(ev.event.at);
                self.all.push(rel);
                self.kinds.push((hash_str(kind), rel));
                if let Some(c) = content_id {
                    self.contents.push((hash_str(c), rel));
                }
                self.by_author.push((hash_str(&author.id), rel));
            }
            Payload::Metric(m) => {
                let Metric {
                    content_id,
                    name,
                    total,
                    delta,
                } = m;
                rec.push(TAG_METRIC);
                put_varint(&mut rec, self.opt_dict(content_id.as_deref()));
                put_varint(&mut rec, self.dict(name));
                put_varint(&mut rec, zigzag(*total));
                put_varint(&mut rec, zigzag(*delta));
            }
            Payload::Notice(n) => {
                let Notice { code, message } = n;
                rec.push(TAG_NOTICE);
                put_varint(&mut rec, self.dict(code));
                put_str(&mut rec, message);
            }
        }
        self.lens.push((rec.len() - start) as u32);
        self.records = rec;
        self.seqs.push(ev.seq);
    }

    /// Encodes the block and its index and resets the builder.
    pub(crate) fn finish(&mut self) -> Built {
        let mut block =
            Vec::with_capacity(self.records.len() + self.table_bytes + self.seqs.len() * 4 + 64);
        block.push(BLOCK_FORMAT);
        block.extend_from_slice(&[0u8; 4]);
        put_varint(&mut block, self.seqs.len() as u64);
        put_varint(&mut block, self.first_seq);
        for w in self.seqs.windows(2) {
            put_varint(&mut block, w[1] - w[0]);
        }
        put_varint(&mut block, zigzag(self.base_at));
        put_varint(&mut block, self.strings.len() as u64);
        for s in &self.strings {
            put_str(&mut block, s);
        }
        put_varint(&mut block, self.authors.len() as u64);
        for a in &self.authors {
            put_str(&mut block, &a.id);
            put_str(&mut block, &a.handle);
            put_str(&mut block, &a.display_name);
            put_str(&mut block, &a.avatar_url);
            block.push(u8::from(a.verified));
            put_varint(&mut block, a.followers);
        }
        for l in &self.lens {
            put_varint(&mut block, u64::from(*l));
        }
        block.extend_from_slice(&self.records);
        let crc = crc32fast::hash(&block[5..]);
        block[1..5].copy_from_slice(&crc.to_le_bytes());

        let index = self.encode_index();
        let built = Built {
            last_seq: self.last_seq,
            block,
            index,
        };
        self.seqs.clear();
        self.lens.clear();
        self.strings.clear();
        self.string_ix.clear();
        self.authors.clear();
        self.author_ix.clear();
        self.table_bytes = 0;
        self.records.clear();
        self.min_at = i64::MAX;
        self.max_at = i64::MIN;
        self.all.clear();
        self.kinds.clear();
        self.contents.clear();
        self.by_author.clear();
        built
    }

    fn encode_index(&mut self) -> Vec<u8> {
        // Sorting (hash, seq) pairs groups each hash's postings in seq order.
        let lists = [&mut self.kinds, &mut self.contents, &mut self.by_author];
        let tables: [Vec<(u64, usize, usize)>; 3] = lists.map(|pairs| {
            pairs.sort_unstable();
            let mut t: Vec<(u64, usize, usize)> = Vec::new();
            for (i, (h, _)) in pairs.iter().enumerate() {
                match t.last_mut() {
                    Some((last, _, len)) if last == h => *len += 1,
                    _ => t.push((*h, i, 1)),
                }
            }
            t
        });
        let n_entries: usize = tables.iter().map(Vec::len).sum();
        let n_postings = self.all.len() * 4;
        let mut out = Vec::with_capacity(INDEX_HEADER + n_entries * TABLE_ENTRY + n_postings * 4);
        out.push(INDEX_FORMAT);
        out.extend_from_slice(&self.first_seq.to_le_bytes());
        out.extend_from_slice(&self.min_at.to_le_bytes());
        out.extend_from_slice(&self.max_at.to_le_bytes());
        out.extend_from_slice(&(self.all.len() as u32).to_le_bytes());
        for t in &tables {
            out.extend_from_slice(&(t.len() as u32).to_le_bytes());
        }
        let mut off = self.all.len() as u32;
        for t in &tables {
            for (h, _, len) in t {
                out.extend_from_slice(&h.to_le_bytes());
                out.extend_from_slice(&off.to_le_bytes());
                out.extend_from_slice(&(*len as u32).to_le_bytes());
                off += *len as u32;
            }
        }
        for r in &self.all {
            out.extend_from_slice(&r.to_le_bytes());
        }
        // Tables are in hash order, and so are the sorted pairs: the
        // postings follow in the same order as the table entries.
        for pairs in [&self.kinds, &self.contents, &self.by_author] {
            for (_, r) in pairs.iter() {
                out.extend_from_slice(&r.to_le_bytes());
            }
        }
        out
    }
}
