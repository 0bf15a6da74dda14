//! Reading a block index: its posting lists by hash.

use crate::store::codec::{u32_at, u64_at};

use super::*;

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
