//! Event blocks and their per-block indexes.
//!
//! A block holds up to [`MAX_EVENTS`] consecutive events of one owner
//! (fewer when it reaches [`MAX_BYTES`]), written as one sled value. Its
//! index, written beside it in another tree under the same key, lists for
//! every interaction kind, content id and author id (by hash) the seqs of the
//! block's interactions that carry it, so a filtered query reads only the
//! events it returns. [`BlockBuilder`] writes both; [`BlockView`] reads a
//! block, [`IndexView`] an index.
//!
//! # Event block (`events`)
//!
//! ```text
//! u8 format (1) · u32 LE crc32 of everything after it
//! varint count · varint first seq · (count-1) × varint seq delta (> 0)
//! varint zigzag base `at` (the first event's)
//! dictionary: varint n · n × str      (platforms, kinds, content ids,
//!                                      sentiments, dm types, metric names, codes)
//! authors:    varint n · n × (str id · str handle · str display name ·
//!                             str avatar url · u8 verified · varint followers)
//! count × varint record length
//! records, each: varint platform (dict) · varint zigzag(at - base at) · u8 tag, then
//!   0 content:     dict id · dict kind · str title · str text · str url
//!   1 interaction: str id · dict kind · opt-dict content id · (u8 0 | u8 1 · str) parent id ·
//!                  varint author · str text · opt-dict sentiment · opt-dict dm type
//!   2 metric:      opt-dict content id · dict name · varint zigzag total · varint zigzag delta
//!   3 notice:      dict code · str message
//! str = varint length · UTF-8; opt-dict = 0 for none, index + 1
//! ```
//!
//! The encoder destructures every SDK type, so a field added to the
//! contract fails to compile here until the format (and [`SCHEMA_VERSION`])
//! follow. A point read checks the checksum, decodes the header and then
//! only the records it returns.
//!
//! # Packed block (`events`)
//!
//! ```text
//! u8 format (2) · u32 LE crc32 of everything after it
//! varint length of the body · zstd frame of the body
//! body = a raw block (format 1) without its format byte and checksum
//! ```
//!
//! Blocks are packed when sealed: a block closed full, or the last block
//! of an append holding at least [`SEAL_EVENTS`] events; smaller appends
//! (a live window) are written raw and form the owner's open *tail*, which
//! is rewritten as packed blocks, together with the next append's events,
//! once it reaches [`SEAL_EVENTS`] events or [`SEAL_BYTES`] (see
//! `log.rs`). One zstd frame per block: ids, URLs and text repeat across
//! a block's records. Format 1 blocks (a data folder written before
//! packing, or one opened without it) read as before.
//!
//! # Block index (`event_index`)
//!
//! ```text
//! u8 format (1) · u64 first seq · i64 min at · i64 max at (over interactions)
//! u32 interactions · u32 kinds · u32 content ids · u32 authors   (all LE)
//! tables, each sorted by hash: (u64 FNV-1a hash · u32 offset · u32 length)
//!   for interaction kind, content id, author id
//! postings: u32 LE (seq - first seq); the first `interactions` are all
//!   interactions, then each table entry's list
//! ```
//!

mod builder;
mod index;
mod view;

pub(crate) use builder::{BlockBuilder, Built};
pub(crate) use index::{IndexView, Posting};
pub(crate) use view::BlockView;

use crate::store::codec::{put_varint, Reader};

/// Whether a stored block is packed (sealed): raw blocks are the open
/// tail of an owner's log (or written by a build that did not pack).
pub(crate) fn is_packed(block: &[u8]) -> bool {
    block.first() == Some(&PACKED_FORMAT)
}

/// `bytes` compressed at zstd `level` as one block, with this thread's
/// compression context: a context is large to create (zstd allocates and
/// clears its tables), so each thread that packs keeps one.
pub(crate) fn compress(bytes: &[u8], level: i32) -> std::io::Result<Vec<u8>> {
    thread_local! {
        static CONTEXT: std::cell::RefCell<zstd::block::Compressor> =
            std::cell::RefCell::new(zstd::block::Compressor::new());
    }
    CONTEXT.with(|c| c.borrow_mut().compress(bytes, level))
}

/// The packed form of a raw block (format 1) at zstd `level`; `None` when
/// its body is too large to unpack later ([`MAX_UNPACKED`]) or zstd fails,
/// and the block stays raw.
pub(crate) fn pack(raw: &[u8], level: i32) -> Option<Vec<u8>> {
    let body = raw.get(5..).filter(|b| b.len() <= MAX_UNPACKED)?;
    if raw.first() != Some(&BLOCK_FORMAT) {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() / 2 + 16);
    out.push(PACKED_FORMAT);
    out.extend_from_slice(&[0u8; 4]);
    put_varint(&mut out, body.len() as u64);
    let frame = compress(body, level).ok()?;
    out.extend_from_slice(&frame);
    let crc = crc32fast::hash(&out[5..]);
    out[1..5].copy_from_slice(&crc.to_le_bytes());
    Some(out)
}

/// A packed block's body from what follows its checksum.
fn unpack(b: &[u8]) -> Result<Vec<u8>, Corrupt> {
    let mut r = Reader::new(b);
    let len = r
        .varint()
        .and_then(|l| usize::try_from(l).ok())
        .ok_or_else(|| "malformed packed length".to_string())?;
    if len > MAX_UNPACKED {
        return Err(format!(
            "packed body of {len} bytes is over the limit of {MAX_UNPACKED}"
        ));
    }
    let frame = &b[r.pos()..];
    let body = zstd::block::decompress(frame, len).map_err(|e| format!("cannot unpack: {e}"))?;
    if body.len() != len {
        return Err(format!(
            "unpacked {} bytes, the block says {len}",
            body.len()
        ));
    }
    Ok(body)
}

/// Most events in one block.
pub(crate) const MAX_EVENTS: usize = 1000;
/// A block is closed once its records and tables reach this many bytes.
/// sled writes log items past ~128 KiB as separate files, which is slower;
/// measured, 96 KiB blocks append fastest.
pub(crate) const MAX_BYTES: usize = 96 * 1024;

const BLOCK_FORMAT: u8 = 1;
/// A raw block's body, zstd-compressed (see "Packed block" above).
const PACKED_FORMAT: u8 = 2;
/// The largest body a packed block may unpack to. A block is closed at
/// [`MAX_BYTES`] plus its last record; one whose body is larger than this
/// is kept raw.
pub(crate) const MAX_UNPACKED: usize = 16 << 20;
/// A block of at least this many events is packed when written; the open
/// tail is sealed once it holds this many.
pub(crate) const SEAL_EVENTS: usize = 64;
/// ... or once its raw blocks take this many bytes.
pub(crate) const SEAL_BYTES: usize = 16 * 1024;

const INDEX_FORMAT: u8 = 1;
const INDEX_HEADER: usize = 1 + 8 + 8 + 8 + 4 * 4;
const TABLE_ENTRY: usize = 16;

const TAG_CONTENT: u8 = 0;
const TAG_INTERACTION: u8 = 1;
const TAG_METRIC: u8 = 2;
const TAG_NOTICE: u8 = 3;

/// Why a block or index could not be read.
pub(crate) type Corrupt = String;
