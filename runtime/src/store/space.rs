//! What a store takes up: sled's own figure for its files, and what each
//! tree holds (keys and values as stored), to tell the data from sled's
//! overhead (old versions kept in its log until their segments are
//! reclaimed, page tables, headers).

use serde::{Deserialize, Serialize};

use super::block::is_packed;
use super::{sled_err, Result, Store};

/// One tree's live contents.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeSpace {
    pub name: String,
    pub keys: u64,
    pub key_bytes: u64,
    pub value_bytes: u64,
}

/// The store's size: sled's files and every tree's live bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Space {
    /// sled's `size_on_disk`: its log file and blobs.
    pub size_on_disk: u64,
    /// Every tree, by name.
    pub trees: Vec<TreeSpace>,
    /// Event blocks packed (sealed) and raw (open tails, or written
    /// without packing).
    pub packed_blocks: u64,
    pub raw_blocks: u64,
}

impl Space {
    /// Live key and value bytes over every tree.
    pub fn live_bytes(&self) -> u64 {
        self.trees.iter().map(|t| t.key_bytes + t.value_bytes).sum()
    }
}

impl Store {
    /// Walks every tree (a full scan: for benchmarks and diagnostics).
    pub fn space(&self) -> Result<Space> {
        let db = &self.inner.db;
        let mut names: Vec<Vec<u8>> = db.tree_names().iter().map(|n| n.to_vec()).collect();
        names.sort();
        let mut trees = Vec::with_capacity(names.len());
        let (mut packed_blocks, mut raw_blocks) = (0u64, 0u64);
        for raw in names {
            let name = String::from_utf8_lossy(&raw).into_owned();
            let tree = db.open_tree(&raw).map_err(sled_err("open", "(any)"))?;
            let mut t = TreeSpace {
                name,
                ..TreeSpace::default()
            };
            let events = raw == b"events";
            for item in tree.iter() {
                let (k, v) = item.map_err(sled_err("scan", "(any)"))?;
                if events {
                    if is_packed(&v) {
                        packed_blocks += 1;
                    } else {
                        raw_blocks += 1;
                    }
                }
                t.keys += 1;
                t.key_bytes += k.len() as u64;
                t.value_bytes += v.len() as u64;
            }
            trees.push(t);
        }
        let size_on_disk = db.size_on_disk().map_err(sled_err("size", "(all)"))?;
        Ok(Space {
            size_on_disk,
            trees,
            packed_blocks,
            raw_blocks,
        })
    }
}
