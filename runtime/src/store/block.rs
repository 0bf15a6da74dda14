//! Event blocks and their per-block indexes.
//!
//! A block holds up to [`MAX_EVENTS`] consecutive events of one owner
//! (fewer when it reaches [`MAX_BYTES`]), written as one sled value. Its
//! index, written beside it in another tree under the same key, lists for
//! every interaction kind, content id and author id (by hash) the seqs of the
//! block's interactions that carry it, so a filtered query reads only the
//! events it returns. See the module doc of [`crate::store`] for the byte
//! layouts.

use std::collections::hash_map::Entry;

use diorama_sdk::{Author, Content, Event, Interaction, Metric, Notice, Payload};

use super::codec::{
    hash_str, put_str, put_varint, u32_at, u64_at, unzigzag, zigzag, FxMap, Reader,
};
use super::{InteractionFilter, StoredEvent};

/// Most events in one block.
pub(crate) const MAX_EVENTS: usize = 1000;
/// A block is closed once its records and tables reach this many bytes.
/// sled writes log items past ~128 KiB as separate files, which is slower;
/// measured, 96 KiB blocks append fastest.
pub(crate) const MAX_BYTES: usize = 96 * 1024;

const BLOCK_FORMAT: u8 = 1;
const INDEX_FORMAT: u8 = 1;
const INDEX_HEADER: usize = 1 + 8 + 8 + 8 + 4 * 4;
const TABLE_ENTRY: usize = 16;

const TAG_CONTENT: u8 = 0;
const TAG_INTERACTION: u8 = 1;
const TAG_METRIC: u8 = 2;
const TAG_NOTICE: u8 = 3;

/// Why a block or index could not be read.
pub(crate) type Corrupt = String;

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

/// A decoded block header over the block's bytes; records decode on demand.
pub(crate) struct BlockView<B: AsRef<[u8]>> {
    bytes: B,
    pub seqs: Vec<u64>,
    base_at: i64,
    /// (start, end) of each dictionary string in `bytes` (checked UTF-8).
    strings: Vec<(usize, usize)>,
    /// Where each author of the table starts in `bytes`.
    authors: Vec<usize>,
    /// (start, end) of each record in `bytes`.
    spans: Vec<(usize, usize)>,
}

impl<B: AsRef<[u8]>> BlockView<B> {
    /// Checks the checksum and decodes the header.
    pub(crate) fn parse(bytes: B) -> Result<Self, Corrupt> {
        let b = bytes.as_ref();
        if b.len() < 5 {
            return Err(format!(
                "block is {} bytes, shorter than its header",
                b.len()
            ));
        }
        if b[0] != BLOCK_FORMAT {
            return Err(format!(
                "unknown block format {} (this build reads {BLOCK_FORMAT})",
                b[0]
            ));
        }
        let stored = u32::from_le_bytes([b[1], b[2], b[3], b[4]]);
        let actual = crc32fast::hash(&b[5..]);
        if stored != actual {
            return Err(format!(
                "checksum mismatch (stored {stored:08x}, computed {actual:08x})"
            ));
        }
        let bad = |what: &str| format!("malformed header: {what}");
        let mut r = Reader::new(b);
        r.bytes(5).ok_or_else(|| bad("prefix"))?;
        let count = r.varint().ok_or_else(|| bad("event count"))? as usize;
        if count == 0 || count > MAX_EVENTS {
            return Err(bad("event count out of range"));
        }
        let mut seqs = Vec::with_capacity(count);
        let mut seq = r.varint().ok_or_else(|| bad("first seq"))?;
        seqs.push(seq);
        for _ in 1..count {
            let d = r.varint().ok_or_else(|| bad("seq delta"))?;
            seq = seq
                .checked_add(d)
                .filter(|_| d > 0)
                .ok_or_else(|| bad("seq delta"))?;
            seqs.push(seq);
        }
        let base_at = unzigzag(r.varint().ok_or_else(|| bad("base time"))?);
        let ns = r.varint().ok_or_else(|| bad("string count"))? as usize;
        if ns > b.len() {
            return Err(bad("string count out of range"));
        }
        let mut strings = Vec::with_capacity(ns);
        for _ in 0..ns {
            let s = r.str().ok_or_else(|| bad("dictionary string"))?;
            strings.push((r.pos() - s.len(), r.pos()));
        }
        let na = r.varint().ok_or_else(|| bad("author count"))? as usize;
        if na > count {
            return Err(bad("author count out of range"));
        }
        let mut authors = Vec::with_capacity(na);
        for _ in 0..na {
            authors.push(r.pos());
            for _ in 0..4 {
                r.skip_str().ok_or_else(|| bad("author"))?;
            }
            r.u8().ok_or_else(|| bad("author"))?;
            r.varint().ok_or_else(|| bad("author"))?;
        }
        let mut lens = Vec::with_capacity(count);
        for _ in 0..count {
            lens.push(r.varint().ok_or_else(|| bad("record length"))? as usize);
        }
        let mut at = r.pos();
        let mut spans = Vec::with_capacity(count);
        for l in lens {
            let end = at.checked_add(l).filter(|e| *e <= b.len());
            let end = end.ok_or_else(|| bad("record runs past the end of the block"))?;
            spans.push((at, end));
            at = end;
        }
        if at != b.len() {
            return Err(bad("trailing bytes after the last record"));
        }
        Ok(BlockView {
            bytes,
            seqs,
            base_at,
            strings,
            authors,
            spans,
        })
    }

    /// Position of `seq` in this block.
    pub(crate) fn position(&self, seq: u64) -> Option<usize> {
        self.seqs.binary_search(&seq).ok()
    }

    /// Decodes the event at position `i`.
    pub(crate) fn event(&self, owner: u64, i: usize) -> Result<StoredEvent, Corrupt> {
        let (start, end) = *self
            .spans
            .get(i)
            .ok_or_else(|| format!("no record at position {i}"))?;
        let seq = self.seqs[i];
        let mut r = Reader::new(&self.bytes.as_ref()[start..end]);
        self.decode(&mut r)
            .map(|(platform, event)| StoredEvent {
                seq,
                profile: owner,
                platform,
                event,
            })
            .ok_or_else(|| format!("record of seq {seq} is malformed"))
    }

    fn string(&self, k: u64) -> Option<&str> {
        let (s, e) = *self.strings.get(usize::try_from(k).ok()?)?;
        std::str::from_utf8(self.bytes.as_ref().get(s..e)?).ok()
    }

    fn dict(&self, r: &mut Reader<'_>) -> Option<String> {
        self.string(r.varint()?).map(str::to_owned)
    }

    fn opt_dict(&self, r: &mut Reader<'_>) -> Option<Option<String>> {
        match r.varint()? {
            0 => Some(None),
            k => Some(Some(self.string(k - 1)?.to_owned())),
        }
    }

    /// The dictionary index of `s`, if this block has it.
    fn find(&self, s: &str) -> Option<u64> {
        let b = self.bytes.as_ref();
        self.strings
            .iter()
            .position(|(st, e)| b.get(*st..*e) == Some(s.as_bytes()))
            .map(|i| i as u64)
    }

    /// Resolves a filter's strings against this block's dictionary; `None`
    /// when one of them is absent, so no record here can match.
    pub(crate) fn probe<'f>(&self, f: &'f InteractionFilter) -> Option<Probe<'f>> {
        let want = |s: &Option<String>| -> Option<Option<u64>> {
            match s {
                None => Some(None),
                Some(s) => self.find(s).map(Some),
            }
        };
        let plus_one = |v: Option<u64>| v.map(|k| k + 1);
        Some(Probe {
            platform: want(&f.platform)?,
            kind: want(&f.kind)?,
            content: plus_one(want(&f.content_id)?),
            sentiment: plus_one(want(&f.sentiment)?),
            dm_type: plus_one(want(&f.dm_type)?),
            author_id: f.author_id.as_deref(),
            since: f.since,
            until: f.until,
        })
    }

    /// Whether the record at `i` passes `p`, read without decoding it.
    pub(crate) fn may_match(&self, i: usize, p: &Probe<'_>) -> Result<bool, Corrupt> {
        let seq = self.seqs.get(i).copied().unwrap_or(0);
        self.probe_record(i, p)
            .ok_or_else(|| format!("record of seq {seq} is malformed"))
    }

    fn probe_record(&self, i: usize, p: &Probe<'_>) -> Option<bool> {
        let (start, end) = *self.spans.get(i)?;
        let mut r = Reader::new(self.bytes.as_ref().get(start..end)?);
        let eq = |want: Option<u64>, have: u64| want.is_none_or(|w| w == have);
        if !eq(p.platform, r.varint()?) {
            return Some(false);
        }
        let at = self.base_at.wrapping_add(unzigzag(r.varint()?));
        if p.since.is_some_and(|s| at < s) || p.until.is_some_and(|u| at >= u) {
            return Some(false);
        }
        if r.u8()? != TAG_INTERACTION {
            return Some(false);
        }
        r.skip_str()?;
        if !eq(p.kind, r.varint()?) || !eq(p.content, r.varint()?) {
            return Some(false);
        }
        if r.u8()? == 1 {
            r.skip_str()?;
        }
        let author = r.varint()?;
        if let Some(want) = p.author_id {
            let at = *self.authors.get(usize::try_from(author).ok()?)?;
            let id = Reader::new(self.bytes.as_ref().get(at..)?).str()?;
            if id != want {
                return Some(false);
            }
        }
        r.skip_str()?;
        Some(eq(p.sentiment, r.varint()?) && eq(p.dm_type, r.varint()?))
    }

    fn author(&self, k: u64) -> Option<Author> {
        let at = *self.authors.get(usize::try_from(k).ok()?)?;
        let mut r = Reader::new(self.bytes.as_ref().get(at..)?);
        Some(Author {
            id: r.str()?.to_owned(),
            handle: r.str()?.to_owned(),
            display_name: r.str()?.to_owned(),
            avatar_url: r.str()?.to_owned(),
            verified: match r.u8()? {
                0 => false,
                1 => true,
                _ => return None,
            },
            followers: r.varint()?,
        })
    }

    fn decode(&self, r: &mut Reader<'_>) -> Option<(String, Event)> {
        let platform = self.dict(r)?;
        let at = self.base_at.wrapping_add(unzigzag(r.varint()?));
        let payload = match r.u8()? {
            TAG_CONTENT => Payload::Content(Content {
                id: self.dict(r)?,
                kind: self.dict(r)?,
                title: r.str()?.to_owned(),
                text: r.str()?.to_owned(),
                url: r.str()?.to_owned(),
            }),
            TAG_INTERACTION => Payload::Interaction(Interaction {
                id: r.str()?.to_owned(),
                kind: self.dict(r)?,
                content_id: self.opt_dict(r)?,
                parent_id: match r.u8()? {
                    0 => None,
                    1 => Some(r.str()?.to_owned()),
                    _ => return None,
                },
                author: self.author(r.varint()?)?,
                text: r.str()?.to_owned(),
                sentiment: self.opt_dict(r)?,
                dm_type: self.opt_dict(r)?,
            }),
            TAG_METRIC => Payload::Metric(Metric {
                content_id: self.opt_dict(r)?,
                name: self.dict(r)?,
                total: unzigzag(r.varint()?),
                delta: unzigzag(r.varint()?),
            }),
            TAG_NOTICE => Payload::Notice(Notice {
                code: self.dict(r)?,
                message: r.str()?.to_owned(),
            }),
            _ => return None,
        };
        if r.pos() != r.len() {
            return None;
        }
        Some((platform, Event { at, payload }))
    }
}

/// An [`InteractionFilter`] resolved against one block's dictionary:
/// dictionary values to compare records with, without decoding them.
pub(crate) struct Probe<'f> {
    platform: Option<u64>,
    kind: Option<u64>,
    /// Opt-dict values (index + 1).
    content: Option<u64>,
    sentiment: Option<u64>,
    dm_type: Option<u64>,
    author_id: Option<&'f str>,
    since: Option<i64>,
    until: Option<i64>,
}

/// Which posting list of a block index to read.
#[derive(Clone, Copy)]
pub(crate) enum Posting {
    Kind = 0,
    Content = 1,
    Author = 2,
}

/// A parsed view over a block index's bytes (no copies).
pub(crate) struct IndexView<'a> {
    b: &'a [u8],
    pub first_seq: u64,
    pub min_at: i64,
    pub max_at: i64,
    n_all: usize,
    n: [usize; 3],
    postings_at: usize,
}

impl<'a> IndexView<'a> {
    pub(crate) fn parse(b: &'a [u8]) -> Result<Self, Corrupt> {
        if b.len() < INDEX_HEADER {
            return Err(format!(
                "index is {} bytes, shorter than its header",
                b.len()
            ));
        }
        if b[0] != INDEX_FORMAT {
            return Err(format!(
                "unknown index format {} (this build reads {INDEX_FORMAT})",
                b[0]
            ));
        }
        let bad = || "malformed index header".to_string();
        let first_seq = u64_at(b, 1).ok_or_else(bad)?;
        let min_at = u64_at(b, 9).ok_or_else(bad)? as i64;
        let max_at = u64_at(b, 17).ok_or_else(bad)? as i64;
        let n_all = u32_at(b, 25).ok_or_else(bad)? as usize;
        let mut n = [0usize; 3];
        for (k, slot) in n.iter_mut().enumerate() {
            *slot = u32_at(b, 29 + 4 * k).ok_or_else(bad)? as usize;
        }
        let entries: usize = n.iter().sum();
        let postings_at = INDEX_HEADER + entries * TABLE_ENTRY;
        if postings_at > b.len() || !(b.len() - postings_at).is_multiple_of(4) {
            return Err("index tables run past the end".to_string());
        }
        if (b.len() - postings_at) / 4 < n_all {
            return Err("index postings run past the end".to_string());
        }
        Ok(IndexView {
            b,
            first_seq,
            min_at,
            max_at,
            n_all,
            n,
            postings_at,
        })
    }

    pub(crate) fn interactions(&self) -> usize {
        self.n_all
    }

    /// The (offset, len) in postings of every interaction.
    pub(crate) fn all(&self) -> (usize, usize) {
        (0, self.n_all)
    }

    /// The (offset, len) in postings of the list for `hash`; `None` when
    /// no interaction of this block has it.
    pub(crate) fn lookup(
        &self,
        which: Posting,
        hash: u64,
    ) -> Result<Option<(usize, usize)>, Corrupt> {
        let w = which as usize;
        let table_at = INDEX_HEADER + self.n[..w].iter().sum::<usize>() * TABLE_ENTRY;
        let (mut lo, mut hi) = (0usize, self.n[w]);
        let bad = || "index table runs past the end".to_string();
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let at = table_at + mid * TABLE_ENTRY;
            let h = u64_at(self.b, at).ok_or_else(bad)?;
            if h == hash {
                let off = u32_at(self.b, at + 8).ok_or_else(bad)? as usize;
                let len = u32_at(self.b, at + 12).ok_or_else(bad)? as usize;
                if self.postings_at + (off + len) * 4 > self.b.len() {
                    return Err("index posting runs past the end".to_string());
                }
                return Ok(Some((off, len)));
            }
            if h < hash {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Ok(None)
    }

    /// The seq at position `i` of the postings area.
    pub(crate) fn seq_at(&self, i: usize) -> Option<u64> {
        let rel = u32_at(self.b, self.postings_at + i * 4)?;
        Some(self.first_seq + u64::from(rel))
    }

    /// The first position in postings `(off, len)` whose seq is > `after`.
    pub(crate) fn first_after(
        &self,
        (off, len): (usize, usize),
        after: Option<u64>,
    ) -> Option<usize> {
        let Some(after) = after else {
            return Some(off);
        };
        let (mut lo, mut hi) = (off, off + len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.seq_at(mid)? <= after {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Some(lo)
    }
}
