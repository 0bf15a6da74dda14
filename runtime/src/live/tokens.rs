//! Profile tokens: made at creation, shown once, kept only as their
//! SHA-256 (in the profile record and in memory), looked up by it.

use sha2::{Digest, Sha256};

use crate::event::OwnerId;

use super::{LiveError, LiveManager};

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn random_hex(bytes: usize) -> Result<String, LiveError> {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b)
        .map_err(|e| LiveError::Internal(format!("no randomness for a token: {e}")))?;
    Ok(hex::encode(b))
}

/// What every profile token starts with; 48 hex digits follow.
const TOKEN_PREFIX: &str = "dpt_";
const TOKEN_RANDOM_BYTES: usize = 24;

/// A new profile token and its SHA-256 (hex), the only form kept.
pub(super) fn new_token() -> Result<(String, String), LiveError> {
    let token = format!("{TOKEN_PREFIX}{}", random_hex(TOKEN_RANDOM_BYTES)?);
    let hash = sha256_hex(&token);
    Ok((token, hash))
}

/// The profile token `text` ends with, if it ends with one of this
/// server's shape (`dpt_` and 48 hex digits): for clients that carry the
/// token inside a path segment, as the Telegram Bot API's `bot<token>`.
/// Only the shape is checked; whether the token is known is
/// [`LiveManager::profile_for_token`]'s to say.
pub fn token_at_end(text: &str) -> Option<&str> {
    let len = TOKEN_PREFIX.len() + 2 * TOKEN_RANDOM_BYTES;
    let token = text.get(text.len().checked_sub(len)?..)?;
    let digits = token.strip_prefix(TOKEN_PREFIX)?;
    digits
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        .then_some(token)
}

/// Constant-time equality of two strings' bytes.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl LiveManager {
    /// The profile whose token this is. Tokens are looked up by their
    /// SHA-256, so the comparison does not depend on the token's bytes.
    pub fn profile_for_token(&self, token: &str) -> Option<OwnerId> {
        self.tokens
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&sha256_hex(token))
            .copied()
    }

    /// `sha256` (hex) is the token of profile `id` from now on.
    pub(super) fn remember_token(&self, sha256: &str, id: OwnerId) {
        self.tokens
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(sha256.to_string(), id);
    }

    /// The deleted profile `id` has no token any more.
    pub(super) fn forget_tokens(&self, id: OwnerId) {
        self.tokens
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, owner| *owner != id);
    }
}
