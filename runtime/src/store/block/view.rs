//! Reading a block: its header at once, records on demand, and the
//! filter probe that checks a record before decoding it.

use diorama_sdk::{Author, Content, Event, Interaction, Metric, Notice, Payload};

use crate::event::StoredEvent;
use crate::store::codec::{unzigzag, Reader};
use crate::store::InteractionFilter;

use super::*;

/// A block's bytes as a view reads them: a raw block as stored, or the
/// body of a packed one, unpacked.
pub(crate) enum Body<B> {
    Raw(B),
    Unpacked(Vec<u8>),
}

impl<B: AsRef<[u8]>> AsRef<[u8]> for Body<B> {
    fn as_ref(&self) -> &[u8] {
        match self {
            Body::Raw(b) => b.as_ref(),
            Body::Unpacked(v) => v,
        }
    }
}

/// A decoded block header over the block's bytes; records decode on demand.
pub(crate) struct BlockView<B: AsRef<[u8]>> {
    bytes: Body<B>,
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
    /// Checks the checksum, unpacks a packed block and decodes the header.
    pub(crate) fn parse(bytes: B) -> Result<Self, Corrupt> {
        let b = bytes.as_ref();
        if b.len() < 5 {
            return Err(format!(
                "block is {} bytes, shorter than its header",
                b.len()
            ));
        }
        if b[0] != BLOCK_FORMAT && b[0] != PACKED_FORMAT {
            return Err(format!(
                "unknown block format {} (this build reads {BLOCK_FORMAT} and {PACKED_FORMAT})",
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
        let (body, start) = if b[0] == PACKED_FORMAT {
            (Body::Unpacked(super::unpack(&b[5..])?), 0)
        } else {
            (Body::Raw(bytes), 5)
        };
        Self::parse_body(body, start)
    }

    /// Decodes the header of a raw block body starting at `start`.
    fn parse_body(bytes: Body<B>, start: usize) -> Result<Self, Corrupt> {
        let b = bytes.as_ref();
        let bad = |what: &str| format!("malformed header: {what}");
        let mut r = Reader::new(b);
        r.bytes(start).ok_or_else(|| bad("prefix"))?;
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
