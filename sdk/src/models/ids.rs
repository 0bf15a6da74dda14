//! Building blocks for identifiers, drawn from the seeded generator (so they
//! are deterministic, and unique with overwhelming probability). A platform
//! composes its own id, handle and avatar formats from them:
//!
//! - alphabets: [`B64`] (url-safe base64) and [`B62`] (digits and letters),
//!   random runs of them ([`push_b64`], [`push_b62`], [`push_hex`]);
//! - packed ids: 64 bits as 11 url-safe base64 characters and back
//!   ([`encode_u64_b64`], [`decode_u64_b64`]), and any number of bits as
//!   base64 characters ([`push_bits_b64`], [`read_bits_b64`]);
//! - digit runs: [`push_digits`], zero-padded [`push_digits_fixed`], and
//!   fixed-length numeric ids with a leading digit ([`numeric_id19`]);
//! - handles made from a base word ([`handle`], [`push_handle`]);
//! - a generic id ([`generic_id`]) for a platform with no format of its own.

use super::rng::Rng;

/// The url-safe base64 alphabet.
pub const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Digits and ASCII letters.
pub const B62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The value (0–63) of a url-safe base64 character.
pub fn b64_value(c: u8) -> Option<u64> {
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

/// Append `n` random lower-case hexadecimal digits.
pub fn push_hex(out: &mut String, rng: &mut Rng, n: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bits = 0u64;
    for i in 0..n {
        if i % 16 == 0 {
            bits = rng.next_u64();
        }
        out.push(HEX[(bits & 15) as usize] as char);
        bits >>= 4;
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

/// A generic id: 12 base62 characters.
pub fn generic_id(rng: &mut Rng) -> String {
    base62(rng, 12)
}

/// Append the low `6 * chars` bits of `bits` as `chars` url-safe base64
/// characters, most significant first (`chars` at most 10).
pub fn push_bits_b64(out: &mut String, bits: u64, chars: u32) {
    let chars = chars.min(10);
    for i in (0..chars).rev() {
        out.push(B64[((bits >> (6 * i)) & 63) as usize] as char);
    }
}

/// Read url-safe base64 characters written by [`push_bits_b64`] back into
/// bits; `None` if one is not in the alphabet or there are more than 10.
pub fn read_bits_b64(chars: &[u8]) -> Option<u64> {
    if chars.len() > 10 {
        return None;
    }
    let mut bits = 0u64;
    for &c in chars {
        bits = (bits << 6) | b64_value(c)?;
    }
    Some(bits)
}

/// Encode 64 bits as 11 url-safe base64 characters (the last one carries
/// 4 bits, so it is one of `AEIMQUYcgkosw048`).
pub fn encode_u64_b64(bits: u64) -> String {
    let mut s = String::with_capacity(11);
    push_bits_b64(&mut s, bits >> 4, 10);
    s.push(B64[((bits & 15) << 2) as usize] as char);
    s
}

/// Decode 11 characters written by [`encode_u64_b64`].
pub fn decode_u64_b64(id: &str) -> Option<u64> {
    let b = id.as_bytes();
    if b.len() != 11 {
        return None;
    }
    let bits = read_bits_b64(&b[..10])?;
    let last = b64_value(b[10])?;
    if last & 3 != 0 {
        return None;
    }
    Some((bits << 4) | (last >> 2))
}

/// A 19-digit numeric id starting with `lead` (1–9).
pub fn numeric_id19(rng: &mut Rng, lead: u64) -> u64 {
    lead.clamp(1, 9) * 1_000_000_000_000_000_000 + rng.below(1_000_000_000_000_000_000)
}

/// A handle built from a base word: `base` plus, often, a separator and
/// digits now and then, lower-cased (`maya_bakes`, `maya.bakes42`, `mayabakes1999`).
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
    // Digits only sometimes (about one handle in five), the way people
    // add a year or a number when their name is taken.
    match rng.below(20) {
        0 => {
            out.push('_');
            push_digits(out, 1 + rng.below(99));
        }
        1 => push_digits(out, 1 + rng.below(999)),
        2 => push_digits(out, 1985 + rng.below(25)),
        3 => push_digits(out, 11 * (1 + rng.below(9))),
        _ => {}
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

/// Append the decimal digits of `n`, zero-padded to at least `width`.
pub fn push_digits_fixed(out: &mut String, n: u64, width: usize) {
    let mut digits = String::with_capacity(20);
    push_digits(&mut digits, n);
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(&digits);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn packed_u64_roundtrips() {
        let mut rng = Rng::new(1, "ids");
        let mut seen = BTreeSet::new();
        for _ in 0..10_000 {
            let id = encode_u64_b64(rng.next_u64());
            assert_eq!(id.len(), 11);
            assert!(id.bytes().all(|c| B64.contains(&c)));
            assert!(b"AEIMQUYcgkosw048".contains(&id.as_bytes()[10]), "{id}");
            let bits = decode_u64_b64(&id).unwrap();
            assert_eq!(encode_u64_b64(bits), id);
            seen.insert(id);
        }
        assert_eq!(seen.len(), 10_000);
        assert_eq!(encode_u64_b64(0), "AAAAAAAAAAA");
        assert_eq!(decode_u64_b64(&encode_u64_b64(u64::MAX)), Some(u64::MAX));
        assert_eq!(decode_u64_b64("short"), None);
        assert_eq!(decode_u64_b64("AAAAAAAAAAB"), None);
        assert_eq!(decode_u64_b64("AAAAAAAAAA!"), None);
    }

    #[test]
    fn bit_runs_roundtrip() {
        let mut s = String::new();
        push_bits_b64(&mut s, 0b000001_111111, 2);
        assert_eq!(s, "B_");
        assert_eq!(read_bits_b64(s.as_bytes()), Some(0b000001_111111));
        assert_eq!(read_bits_b64(b"A!"), None);
        assert_eq!(read_bits_b64(b"AAAAAAAAAAA"), None);
    }

    #[test]
    fn digit_runs() {
        let mut d = String::new();
        push_digits(&mut d, 0);
        push_digits(&mut d, 1_234_567);
        assert_eq!(d, "01234567");
        let mut f = String::new();
        push_digits_fixed(&mut f, 42, 5);
        push_digits_fixed(&mut f, 123_456, 3);
        assert_eq!(f, "00042123456");
        let mut rng = Rng::new(5, "ids");
        for lead in [1, 3, 7, 9] {
            let n = numeric_id19(&mut rng, lead).to_string();
            assert!(n.len() == 19 && n.starts_with(&lead.to_string()), "{n}");
        }
        assert!(numeric_id19(&mut rng, 0).to_string().starts_with('1'));
        let mut h = String::new();
        push_hex(&mut h, &mut rng, 40);
        assert_eq!(h.len(), 40);
        assert!(h
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }

    #[test]
    fn generic_ids_and_handles() {
        let mut rng = Rng::new(4, "ids");
        let s = base62(&mut rng, 12);
        assert_eq!(s.len(), 12);
        assert!(s.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(generic_id(&mut rng).len(), 12);
        assert_eq!(token(&mut rng, 30).len(), 30);
        for _ in 0..100 {
            let h = handle(&mut rng, "Maya Bakes!");
            assert!(h.starts_with("mayabakes"), "{h}");
            assert!(h
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_'));
        }
    }
}
