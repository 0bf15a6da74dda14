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

pub(crate) use builder::BlockBuilder;
pub(crate) use index::{IndexView, Posting};
pub(crate) use view::BlockView;

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
