//! The store's keys: every key a profile owns starts with its owner id
//! (8 bytes, big-endian), then the piece its tree adds (see the layout in
//! the module doc of [`crate::store`]).

use diorama_sdk::Millis;

use crate::event::OwnerId;

use super::codec::ordered_i64;

/// owner
pub(super) fn owner_key(owner: OwnerId) -> [u8; 8] {
    owner.to_be_bytes()
}

/// owner · seq
pub(super) fn seq_key(owner: OwnerId, seq: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&owner.to_be_bytes());
    k[8..].copy_from_slice(&seq.to_be_bytes());
    k
}

/// owner · UTF-8 text
pub(super) fn str_key(owner: OwnerId, s: &str) -> Vec<u8> {
    owner_bytes_key(owner, s.as_bytes())
}

/// owner · bytes
pub(super) fn owner_bytes_key(owner: OwnerId, key: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(8 + key.len());
    k.extend_from_slice(&owner.to_be_bytes());
    k.extend_from_slice(key);
    k
}

/// owner · published_at (sign-flipped) · seq
pub(super) fn order_key(owner: OwnerId, at: Millis, seq: u64) -> [u8; 24] {
    let mut k = [0u8; 24];
    k[..8].copy_from_slice(&owner.to_be_bytes());
    k[8..16].copy_from_slice(&ordered_i64(at).to_be_bytes());
    k[16..].copy_from_slice(&seq.to_be_bytes());
    k
}

/// The big-endian u64 at `at`, if the key is long enough.
pub(super) fn u64_of(bytes: &[u8], at: usize) -> Option<u64> {
    let b: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_be_bytes(b))
}

/// A key for an error message: its owner and the rest as text.
pub(super) fn show_key(key: &[u8]) -> String {
    match key.get(..8).and_then(|k| <[u8; 8]>::try_from(k).ok()) {
        Some(o) => format!(
            "owner {} / {}",
            u64::from_be_bytes(o),
            String::from_utf8_lossy(&key[8..])
        ),
        None => format!("{key:?}"),
    }
}
