//! Event blocks and their per-block indexes.
//!
//! A block holds up to [`MAX_EVENTS`] consecutive events of one owner
//! (fewer when it reaches [`MAX_BYTES`]), written as one sled value. Its
//! index, written beside it in another tree under the same key, lists for
//! every interaction kind, content id and author id (by hash) the seqs of the
//! block's interactions that carry it, so a filtered query reads only the
//! events it returns. See the module doc of [`crate::store`] for the byte
//! layouts.

use std::collections::HashMap;

use diorama_sdk::{Event, Payload};

use super::codec::{hash_str, put_varint, u32_at, u64_at, Reader};
use super::StoredEvent;

/// Most events in one block.
pub(crate) const MAX_EVENTS: usize = 1000;
/// A block is closed once its records reach this many bytes. sled writes
/// values past ~128 KiB as separate files, which is several times slower.
pub(crate) const MAX_BYTES: usize = 96 * 1024;

const BLOCK_FORMAT: u8 = 1;
const INDEX_FORMAT: u8 = 1;
const INDEX_HEADER: usize = 1 + 8 + 8 + 8 + 4 * 4;
const TABLE_ENTRY: usize = 16;

/// Why a block or index could not be read.
pub(crate) type Corrupt = String;

/// Accumulates events into one block and its index.
pub(crate) struct BlockBuilder {
    first_seq: u64,
    last_seq: u64,
    seqs: Vec<u64>,
    lens: Vec<u32>,
    platforms: Vec<String>,
    records: Vec<u8>,
    // index
    min_at: i64,
    max_at: i64,
    all: Vec<u32>,
    kinds: HashMap<u64, Vec<u32>>,
    contents: HashMap<u64, Vec<u32>>,
    authors: HashMap<u64, Vec<u32>>,
}

/// One finished block: its last seq (the key), the block and index bytes.
pub(crate) struct Built {
    pub last_seq: u64,
    pub block: Vec<u8>,
    pub index: Vec<u8>,
}

impl BlockBuilder {
    pub(crate) fn new() -> Self {
        BlockBuilder {
            first_seq: 0,
            last_seq: 0,
            seqs: Vec::with_capacity(MAX_EVENTS),
            lens: Vec::with_capacity(MAX_EVENTS),
            platforms: Vec::new(),
            records: Vec::with_capacity(MAX_BYTES + 4096),
            min_at: i64::MAX,
            max_at: i64::MIN,
            all: Vec::new(),
            kinds: HashMap::new(),
            contents: HashMap::new(),
            authors: HashMap::new(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.seqs.is_empty()
    }

    /// Whether `seq` can join this block (size and seq-span limits).
    pub(crate) fn has_room_for(&self, seq: u64) -> bool {
        self.seqs.is_empty()
            || (self.seqs.len() < MAX_EVENTS
                && self.records.len() < MAX_BYTES
                && seq - self.first_seq <= u64::from(u32::MAX))
    }

    /// Adds one event; the caller checked order and room.
    pub(crate) fn push(&mut self, ev: &StoredEvent) -> Result<(), postcard::Error> {
        if self.seqs.is_empty() {
            self.first_seq = ev.seq;
        }
        self.last_seq = ev.seq;
        let start = self.records.len();
        let pidx = match self.platforms.iter().position(|p| *p == ev.platform) {
            Some(i) => i,
            None => {
                self.platforms.push(ev.platform.clone());
                self.platforms.len() - 1
            }
        };
        put_varint(&mut self.records, pidx as u64);
        let records = std::mem::take(&mut self.records);
        self.records = postcard::to_extend(&ev.event, records)?;
        self.lens.push((self.records.len() - start) as u32);
        self.seqs.push(ev.seq);

        if let Payload::Interaction(i) = &ev.event.payload {
            let rel = (ev.seq - self.first_seq) as u32;
            self.min_at = self.min_at.min(ev.event.at);
            self.max_at = self.max_at.max(ev.event.at);
            self.all.push(rel);
            self.kinds.entry(hash_str(&i.kind)).or_default().push(rel);
            if let Some(c) = &i.content_id {
                self.contents.entry(hash_str(c)).or_default().push(rel);
            }
            self.authors
                .entry(hash_str(&i.author.id))
                .or_default()
                .push(rel);
        }
        Ok(())
    }

    /// Encodes the block and its index and resets the builder.
    pub(crate) fn finish(&mut self) -> Built {
        let mut block = Vec::with_capacity(self.records.len() + self.seqs.len() * 4 + 64);
        block.push(BLOCK_FORMAT);
        block.extend_from_slice(&[0u8; 4]);
        put_varint(&mut block, self.seqs.len() as u64);
        put_varint(&mut block, self.first_seq);
        for w in self.seqs.windows(2) {
            put_varint(&mut block, w[1] - w[0]);
        }
        put_varint(&mut block, self.platforms.len() as u64);
        for p in &self.platforms {
            put_varint(&mut block, p.len() as u64);
            block.extend_from_slice(p.as_bytes());
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
        self.platforms.clear();
        self.records.clear();
        self.min_at = i64::MAX;
        self.max_at = i64::MIN;
        self.all.clear();
        self.kinds.clear();
        self.contents.clear();
        self.authors.clear();
        built
    }

    fn encode_index(&self) -> Vec<u8> {
        let tables: [Vec<(u64, &Vec<u32>)>; 3] = [&self.kinds, &self.contents, &self.authors]
            .map(|m| {
                let mut v: Vec<(u64, &Vec<u32>)> = m.iter().map(|(h, p)| (*h, p)).collect();
                v.sort_unstable_by_key(|(h, _)| *h);
                v
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
            for (h, p) in t {
                out.extend_from_slice(&h.to_le_bytes());
                out.extend_from_slice(&off.to_le_bytes());
                out.extend_from_slice(&(p.len() as u32).to_le_bytes());
                off += p.len() as u32;
            }
        }
        for r in &self.all {
            out.extend_from_slice(&r.to_le_bytes());
        }
        for t in &tables {
            for (_, p) in t {
                for r in p.iter() {
                    out.extend_from_slice(&r.to_le_bytes());
                }
            }
        }
        out
    }
}

/// A decoded block header over the block's bytes; records decode on demand.
pub(crate) struct BlockView<B: AsRef<[u8]>> {
    bytes: B,
    pub seqs: Vec<u64>,
    platforms: Vec<String>,
    /// (start, end) of each record in `bytes`.
    spans: Vec<(usize, usize)>,
}

impl<B: AsRef<[u8]>> BlockView<B> {
    /// Checks the checksum and decodes the header.
    pub(crate) fn parse(bytes: B) -> Result<Self, Corrupt> {
        let b = bytes.as_ref();
        if b.len() < 5 {
            return Err(format!("block is {} bytes, shorter than its header", b.len()));
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
        let mut r = Reader::new(&b[5..]);
        let count = r.varint().ok_or_else(|| bad("event count"))? as usize;
        if count == 0 || count > MAX_EVENTS {
            return Err(bad("event count out of range"));
        }
        let mut seqs = Vec::with_capacity(count);
        let mut seq = r.varint().ok_or_else(|| bad("first seq"))?;
        seqs.push(seq);
        for _ in 1..count {
            let d = r.varint().ok_or_else(|| bad("seq delta"))?;
            seq = seq.checked_add(d).filter(|_| d > 0).ok_or_else(|| bad("seq delta"))?;
            seqs.push(seq);
        }
        let np = r.varint().ok_or_else(|| bad("platform count"))? as usize;
        if np > count {
            return Err(bad("platform count out of range"));
        }
        let mut platforms = Vec::with_capacity(np);
        for _ in 0..np {
            let len = r.varint().ok_or_else(|| bad("platform name"))? as usize;
            let s = r.bytes(len).ok_or_else(|| bad("platform name"))?;
            let s = std::str::from_utf8(s).map_err(|_| bad("platform name is not UTF-8"))?;
            platforms.push(s.to_owned());
        }
        let mut lens = Vec::with_capacity(count);
        for _ in 0..count {
            lens.push(r.varint().ok_or_else(|| bad("record length"))? as usize);
        }
        let mut at = 5 + r.pos();
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
            platforms,
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
        let rec = &self.bytes.as_ref()[start..end];
        let mut r = Reader::new(rec);
        let seq = self.seqs[i];
        let pidx = r
            .varint()
            .ok_or_else(|| format!("record of seq {seq}: missing platform"))?;
        let platform = self
            .platforms
            .get(pidx as usize)
            .ok_or_else(|| format!("record of seq {seq}: platform index {pidx} out of range"))?
            .clone();
        let event: Event = postcard::from_bytes(&rec[r.pos()..])
            .map_err(|e| format!("record of seq {seq}: {e}"))?;
        Ok(StoredEvent {
            seq,
            profile: owner,
            platform,
            event,
        })
    }
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
            return Err(format!("index is {} bytes, shorter than its header", b.len()));
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
        if postings_at > b.len() || (b.len() - postings_at) % 4 != 0 {
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
    pub(crate) fn lookup(&self, which: Posting, hash: u64) -> Result<Option<(usize, usize)>, Corrupt> {
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
    pub(crate) fn first_after(&self, (off, len): (usize, usize), after: Option<u64>) -> Option<usize> {
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
