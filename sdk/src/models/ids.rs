//! Identifiers that look like the platforms' own, drawn from the seeded
//! generator (so they are deterministic, and unique with overwhelming
//! probability).
//!
//! - YouTube video ids: 11 url-safe base64 characters encoding 64 bits (the
//!   last character carries 4 bits, so it is one of `AEIMQUYcgkosw048`).
//! - YouTube channel ids: `UC` + 22 characters (the last one of `AQgw`).
//! - YouTube comment ids: `Ug` + one of `wxyz` + 16 characters + `4AaABAg`
//!   (26 in all), and reply ids: the thread's comment id, `.`, 22 characters.
//!   [`CommentId`] packs a comment id into two integers so a simulator can
//!   keep many of them cheaply and parse them back.
//! - Generic base62 strings and url-safe tokens for other platforms.

use serde::{Deserialize, Serialize};

use super::rng::Rng;

/// The url-safe base64 alphabet YouTube uses.
pub const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Digits and ASCII letters.
pub const B62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn b64_value(c: u8) -> Option<u64> {
    B64.iter().position(|&x| x == c).map(|p| p as u64)
}

/// Append `n` random url-safe base64 characters.
pub fn push_b64(out: &mut String, rng: &mut Rng, n: usize) {
    let mut bits = 0u64;
    let mut left = 0;
    for _ in 0..n {
        if left < 6 {
            bits = rng.next_u64();
            left = 64;
        }
        out.push(B64[(bits & 63) as usize] as char);
        bits >>= 6;
        left -= 6;
    }
}

/// Append `n` random base62 characters.
pub fn push_b62(out: &mut String, rng: &mut Rng, n: usize) {
    for _ in 0..n {
        // 62 divides 2^64 unevenly; the bias (~3e-18) does not matter here.
        out.push(B62[(rng.next_u64() % 62) as usize] as char);
    }
}

/// A random base62 string of length `n`.
pub fn base62(rng: &mut Rng, n: usize) -> String {
    let mut s = String::with_capacity(n);
    push_b62(&mut s, rng, n);
    s
}

/// A random url-safe base64 string of length `n`.
pub fn token(rng: &mut Rng, n: usize) -> String {
    let mut s = String::with_capacity(n);
    push_b64(&mut s, rng, n);
    s
}

/// Encode 64 bits as a YouTube video id.
pub fn encode_video_id(bits: u64) -> String {
    let mut s = String::with_capacity(11);
    for i in 0..10 {
        s.push(B64[((bits >> (58 - 6 * i)) & 63) as usize] as char);
    }
    s.push(B64[((bits & 15) << 2) as usize] as char);
    s
}

/// Decode a YouTube video id produced by [`encode_video_id`].
pub fn decode_video_id(id: &str) -> Option<u64> {
    let b = id.as_bytes();
    if b.len() != 11 {
        return None;
    }
    let mut bits = 0u64;
    for &c in &b[..10] {
        bits = (bits << 6) | b64_value(c)?;
    }
    let last = b64_value(b[10])?;
    if last & 3 != 0 {
        return None;
    }
    Some((bits << 4) | (last >> 2))
}

/// A YouTube video id: 11 url-safe base64 characters.
pub fn youtube_video_id(rng: &mut Rng) -> String {
    encode_video_id(rng.next_u64())
}

/// A YouTube channel id: `UC` + 22 characters.
pub fn youtube_channel_id(rng: &mut Rng) -> String {
    let mut s = String::with_capacity(24);
    s.push_str("UC");
    push_b64(&mut s, rng, 21);
    s.push(b"AQgw"[rng.below(4) as usize] as char);
    s
}

/// A YouTube comment id packed into 98 bits; see the module documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CommentId {
    a: u64,
    /// Bits 0–31 and 36–37 used.
    b: u64,
}

const COMMENT_SUFFIX: &str = "4AaABAg";

impl CommentId {
    /// A fresh random comment id.
    pub fn random(rng: &mut Rng) -> Self {
        let a = rng.next_u64();
        let r = rng.next_u64();
        CommentId {
            a,
            b: (r & 0xffff_ffff) | (((r >> 32) & 3) << 36),
        }
    }

    /// Append the 26-character id.
    pub fn write(&self, out: &mut String) {
        out.push_str("Ug");
        out.push(b"wxyz"[(self.b >> 36) as usize & 3] as char);
        for i in 0..10 {
            out.push(B64[((self.a >> (58 - 6 * i)) & 63) as usize] as char);
        }
        // The last 4 bits of `a` and 32 bits of `b` make 6 more characters.
        let rest = ((self.a & 15) << 32) | (self.b & 0xffff_ffff);
        for i in 0..6 {
            out.push(B64[((rest >> (30 - 6 * i)) & 63) as usize] as char);
        }
        out.push_str(COMMENT_SUFFIX);
    }

    /// The 26-character id.
    pub fn to_id(&self) -> String {
        let mut s = String::with_capacity(26);
        self.write(&mut s);
        s
    }

    /// Parse a comment id written by [`write`](Self::write). A reply id
    /// (`<comment id>.<token>`) parses to its thread's comment id.
    pub fn parse(id: &str) -> Option<Self> {
        let id = id.split('.').next().unwrap_or(id);
        let b = id.as_bytes();
        if b.len() != 26 || !id.starts_with("Ug") || !id.ends_with(COMMENT_SUFFIX) {
            return None;
        }
        let letter = b"wxyz".iter().position(|&x| x == b[2])? as u64;
        let mut a = 0u64;
        for &c in &b[3..13] {
            a = (a << 6) | b64_value(c)?;
        }
        let mut rest = 0u64;
        for &c in &b[13..19] {
            rest = (rest << 6) | b64_value(c)?;
        }
        a = (a << 4) | (rest >> 32);
        Some(CommentId {
            a,
            b: (letter << 36) | (rest & 0xffff_ffff),
        })
    }

    /// Append a reply id in this comment's thread: `<id>.<22 characters>`.
    pub fn write_reply(&self, out: &mut String, rng: &mut Rng) {
        self.write(out);
        out.push('.');
        push_b64(out, rng, 22);
    }
}

/// An Instagram media shortcode: 11 url-safe base64 characters (as in
/// `https://www.instagram.com/p/<code>/`).
pub fn instagram_shortcode(rng: &mut Rng) -> String {
    encode_video_id(rng.next_u64())
}

/// An Instagram comment id: 17 digits starting 17 or 18 (9 in 10), or 18
/// digits starting 18.
pub fn instagram_comment_id(rng: &mut Rng) -> u64 {
    if rng.chance(0.9) {
        17_800_000_000_000_000 + rng.below(1_200_000_000_000_000)
    } else {
        180_000_000_000_000_000 + rng.below(10_000_000_000_000_000)
    }
}

/// A 19-digit numeric id starting with `lead` (1–9): Instagram media and
/// story ids (`3…`), TikTok video ids (`7…`).
pub fn numeric_id19(rng: &mut Rng, lead: u64) -> u64 {
    lead.clamp(1, 9) * 1_000_000_000_000_000_000 + rng.below(1_000_000_000_000_000_000)
}

/// A TikTok video id: 19 digits starting with 7.
pub fn tiktok_video_id(rng: &mut Rng) -> u64 {
    numeric_id19(rng, 7)
}

/// A handle built from a base word: `base` plus, often, a separator and
/// digits, lower-cased (`maya_bakes`, `maya.bakes42`, `mayabakes1999`).
pub fn handle(rng: &mut Rng, base: &str) -> String {
    let mut s = String::with_capacity(base.len() + 6);
    push_handle(&mut s, rng, base);
    s
}

/// Append a handle; see [`handle`].
pub fn push_handle(out: &mut String, rng: &mut Rng, base: &str) {
    for c in base.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            out.push(c.to_ascii_lowercase());
        }
    }
    match rng.below(6) {
        0 => {}
        1 => {
            out.push('_');
            push_digits(out, rng.below(100));
        }
        2 | 3 => push_digits(out, rng.below(1000)),
        4 => push_digits(out, 1970 + rng.below(40)),
        _ => push_digits(out, rng.below(100_000)),
    }
}

/// Append the decimal digits of `n`.
pub fn push_digits(out: &mut String, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &buf[i..] {
        out.push(d as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn video_ids_look_like_youtube_and_roundtrip() {
        let mut rng = Rng::new(1, "ids");
        let mut seen = BTreeSet::new();
        for _ in 0..10_000 {
            let id = youtube_video_id(&mut rng);
            assert_eq!(id.len(), 11);
            assert!(id.bytes().all(|c| B64.contains(&c)));
            assert!(b"AEIMQUYcgkosw048".contains(&id.as_bytes()[10]), "{id}");
            let bits = decode_video_id(&id).unwrap();
            assert_eq!(encode_video_id(bits), id);
            seen.insert(id);
        }
        assert_eq!(seen.len(), 10_000);
        assert_eq!(decode_video_id("short"), None);
    }

    #[test]
    fn channel_ids() {
        let mut rng = Rng::new(2, "ids");
        let id = youtube_channel_id(&mut rng);
        assert_eq!(id.len(), 24);
        assert!(id.starts_with("UC"));
        assert!(b"AQgw".contains(&id.as_bytes()[23]));
    }

    #[test]
    fn comment_ids_look_like_youtube_and_parse_back() {
        let mut rng = Rng::new(3, "ids");
        let mut seen = BTreeSet::new();
        for _ in 0..10_000 {
            let c = CommentId::random(&mut rng);
            let id = c.to_id();
            assert_eq!(id.len(), 26, "{id}");
            assert!(id.starts_with("Ug") && id.ends_with("4AaABAg"), "{id}");
            assert!(b"wxyz".contains(&id.as_bytes()[2]));
            assert_eq!(CommentId::parse(&id), Some(c), "{id}");
            let mut reply = String::new();
            c.write_reply(&mut reply, &mut rng);
            assert_eq!(reply.len(), 26 + 1 + 22);
            assert_eq!(CommentId::parse(&reply), Some(c));
            seen.insert(id);
        }
        assert_eq!(seen.len(), 10_000);
        assert_eq!(CommentId::parse("Ugz"), None);
        assert_eq!(CommentId::parse("Ugq0123456789abcdef4AaABAg!"), None);
    }

    #[test]
    fn instagram_and_tiktok_ids() {
        let mut rng = Rng::new(5, "ids");
        let mut long = 0;
        for _ in 0..2000 {
            let c = instagram_comment_id(&mut rng).to_string();
            assert!(c.len() == 17 || c.len() == 18, "{c}");
            assert!(c.starts_with("17") || c.starts_with("18"), "{c}");
            long += usize::from(c.len() == 18);
            let s = instagram_shortcode(&mut rng);
            assert_eq!(s.len(), 11);
            let t = tiktok_video_id(&mut rng).to_string();
            assert!(t.len() == 19 && t.starts_with('7'), "{t}");
        }
        assert!((100..300).contains(&long), "{long}");
    }

    #[test]
    fn generic_ids_and_handles() {
        let mut rng = Rng::new(4, "ids");
        let s = base62(&mut rng, 12);
        assert_eq!(s.len(), 12);
        assert!(s.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(token(&mut rng, 30).len(), 30);
        for _ in 0..100 {
            let h = handle(&mut rng, "Maya Bakes!");
            assert!(h.starts_with("mayabakes"), "{h}");
            assert!(h
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_'));
        }
        let mut d = String::new();
        push_digits(&mut d, 0);
        push_digits(&mut d, 1_234_567);
        assert_eq!(d, "01234567");
    }
}
