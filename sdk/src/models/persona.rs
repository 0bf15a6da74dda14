//! Personas: the people who comment, reply and message, and the audience an
//! account draws them from.
//!
//! An [`Author`] has an id in the platform's style, a handle (with its
//! leading `@`), a made-up display name, an avatar url on a made-up CDN host
//! under the reserved `.example` top-level domain (never a real host), a
//! power-law follower count (α ≈ 2) and a `verified` flag that is rare and
//! likelier the more followers the author has.
//!
//! An [`Audience`] is an account's pool of commenters: a fixed set of
//! recurring fans, some much more active than others (Zipf-like weights, so
//! a minority of authors produce a good share of comments), plus one-off
//! visitors drawn fresh each time. The fans are regenerated from a seed
//! rather than stored, so an audience costs a few bytes in a snapshot.

use serde::{Deserialize, Serialize};

use super::ids::{push_b64, push_digits, push_handle, youtube_channel_id};
use super::popularity::PowerLaw;
use super::rng::Rng;
use super::text::{write_display_name, write_handle_base};
use crate::types::Author;

/// How a platform's author ids and avatar urls look.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PersonaStyle {
    /// `UC…` channel ids, avatars on `yt3.ggpht.example`.
    YouTube,
    /// Numeric ids, avatars on `scontent.cdninstagram.example`.
    Instagram,
    /// 19-digit ids, avatars on `p16-sign.tiktokcdn.example`.
    TikTok,
    /// Base62 ids, avatars on `cdn.example`.
    Generic,
}

impl PersonaStyle {
    fn write_id(self, out: &mut String, rng: &mut Rng) {
        match self {
            PersonaStyle::YouTube => out.push_str(&youtube_channel_id(rng)),
            PersonaStyle::Instagram => {
                push_digits(out, 1 + rng.below(9));
                push_digits_fixed(out, rng.below(10_000_000_000), 10);
            }
            PersonaStyle::TikTok => {
                push_digits(out, 6 + rng.below(2));
                push_digits_fixed(out, rng.below(1_000_000_000_000_000_000), 18);
            }
            PersonaStyle::Generic => super::ids::push_b62(out, rng, 12),
        }
    }

    fn write_avatar(self, out: &mut String, rng: &mut Rng) {
        match self {
            PersonaStyle::YouTube => {
                out.push_str("https://yt3.ggpht.example/ytc/");
                push_b64(out, rng, 42);
                out.push_str("=s88-c-k-c0x00ffffff-no-rj");
            }
            PersonaStyle::Instagram => {
                out.push_str("https://scontent.cdninstagram.example/v/t51.2885-19/");
                push_digits_fixed(out, rng.below(1_000_000_000_000), 12);
                out.push_str("_n.jpg");
            }
            PersonaStyle::TikTok => {
                out.push_str("https://p16-sign.tiktokcdn.example/tos-maliva-avt-0068/");
                push_hex(out, rng, 32);
                out.push_str("~c5_100x100.jpeg");
            }
            PersonaStyle::Generic => {
                out.push_str("https://cdn.example/avatars/");
                super::ids::push_b62(out, rng, 20);
                out.push_str(".png");
            }
        }
    }
}

fn push_digits_fixed(out: &mut String, n: u64, width: usize) {
    let mut digits = String::with_capacity(20);
    push_digits(&mut digits, n);
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(&digits);
}

fn push_hex(out: &mut String, rng: &mut Rng, n: usize) {
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

/// The chance that an author with this many followers is verified: about
/// 3 in 1000 at a thousand followers, 1 in 4 at a hundred thousand, most
/// above a million.
pub fn verified_probability(followers: u64) -> f64 {
    let f = followers as f64;
    0.9 * f / (f + 300_000.0)
}

/// A one-off author in the platform's style.
pub fn author(rng: &mut Rng, style: PersonaStyle) -> Author {
    let followers = PowerLaw::followers().sample_count(rng);
    author_with_followers(rng, style, followers)
}

/// An author with a given follower count.
pub fn author_with_followers(rng: &mut Rng, style: PersonaStyle, followers: u64) -> Author {
    let mut id = String::with_capacity(24);
    style.write_id(&mut id, rng);
    let mut display_name = String::with_capacity(20);
    write_display_name(&mut display_name, rng);
    let mut base = String::with_capacity(20);
    write_handle_base(&mut base, rng);
    let mut handle = String::with_capacity(24);
    handle.push('@');
    push_handle(&mut handle, rng, &base);
    let mut avatar_url = String::with_capacity(100);
    style.write_avatar(&mut avatar_url, rng);
    let verified = rng.chance(verified_probability(followers));
    Author {
        id,
        handle,
        display_name,
        avatar_url,
        verified,
        followers,
    }
}

/// An account's audience: recurring fans and one-off visitors.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Audience {
    style: PersonaStyle,
    seed: u64,
    fans: u32,
    fan_share: f64,
    #[serde(skip)]
    cache: Vec<Author>,
}

impl PartialEq for Audience {
    fn eq(&self, other: &Self) -> bool {
        self.style == other.style
            && self.seed == other.seed
            && self.fans == other.fans
            && self.fan_share == other.fan_share
    }
}

impl Audience {
    /// An audience of `fans` recurring fans (at least 1) who write a share
    /// `fan_share` of everything; the rest comes from one-off visitors.
    pub fn new(seed: u64, style: PersonaStyle, fans: u32, fan_share: f64) -> Self {
        Audience {
            style,
            seed,
            fans: fans.max(1),
            fan_share: fan_share.clamp(0.0, 1.0),
            cache: Vec::new(),
        }
    }

    /// An audience sized for an account with `followers` followers: about
    /// √followers recurring fans (between 20 and 5000) writing 60 % of the
    /// comments.
    pub fn for_followers(seed: u64, style: PersonaStyle, followers: u64) -> Self {
        let fans = (followers as f64).sqrt().clamp(20.0, 5000.0) as u32;
        Audience::new(seed, style, fans, 0.6)
    }

    pub fn fans(&self) -> u32 {
        self.fans
    }

    pub fn fan_share(&self) -> f64 {
        self.fan_share
    }

    fn ensure_cache(&mut self) {
        if self.cache.len() != self.fans as usize {
            let mut rng = Rng::new(self.seed, "audience-fans");
            self.cache = (0..self.fans)
                .map(|_| author(&mut rng, self.style))
                .collect();
        }
    }

    /// The `i`-th fan (0 is the most active); `None` past the last.
    pub fn fan(&mut self, i: u32) -> Option<&Author> {
        self.ensure_cache();
        self.cache.get(i as usize)
    }

    /// Which fan writes next: Zipf-like, the k-th fan (from 0) writing in
    /// proportion to 1/(k + 3), so the first few fans are the regulars
    /// without one of them writing everything. Drawn by inverting the
    /// continuous version: k = ⌊3^(1−u) · (n+3)^u⌋ − 3.
    pub fn pick_fan_index(&self, rng: &mut Rng) -> u32 {
        const K0: f64 = 3.0;
        let n = self.fans.max(1) as f64;
        let u = rng.unit();
        let k = (K0.powf(1.0 - u) * (n + K0).powf(u)).floor() - K0;
        (k.max(0.0) as u32).min(self.fans.saturating_sub(1))
    }

    /// The author of the next comment or message: a recurring fan with
    /// probability `fan_share`, else a fresh one-off visitor.
    pub fn pick(&mut self, rng: &mut Rng) -> Author {
        if rng.chance(self.fan_share) {
            let i = self.pick_fan_index(rng);
            self.ensure_cache();
            if let Some(a) = self.cache.get(i as usize) {
                return a.clone();
            }
        }
        author(rng, self.style)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn youtube_authors_look_right() {
        let mut rng = Rng::new(1, "persona");
        for _ in 0..200 {
            let a = author(&mut rng, PersonaStyle::YouTube);
            assert!(a.id.starts_with("UC") && a.id.len() == 24, "{}", a.id);
            assert!(
                a.handle.starts_with('@') && a.handle.len() > 2,
                "{}",
                a.handle
            );
            assert!(!a.display_name.is_empty());
            assert!(
                a.avatar_url.starts_with("https://yt3.ggpht.example/"),
                "{}",
                a.avatar_url
            );
        }
        for style in [
            PersonaStyle::Instagram,
            PersonaStyle::TikTok,
            PersonaStyle::Generic,
        ] {
            let a = author(&mut rng, style);
            let host = a.avatar_url.split('/').nth(2).unwrap_or("").to_string();
            assert!(host.ends_with(".example"), "{}", a.avatar_url);
            assert!(!a.id.is_empty());
        }
        let t = author(&mut rng, PersonaStyle::TikTok);
        assert_eq!(t.id.len(), 19, "{}", t.id);
        assert!(t.id.bytes().all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn verified_is_rare_and_follows_followers() {
        let mut rng = Rng::new(2, "verified");
        let authors: Vec<Author> = (0..50_000)
            .map(|_| author(&mut rng, PersonaStyle::YouTube))
            .collect();
        let verified = authors.iter().filter(|a| a.verified).count();
        assert!(verified < 100, "{verified}");
        assert!(verified_probability(1_000_000) > 0.5);
        assert!(verified_probability(1_000) < 0.01);
        let share = |followers: u64, rng: &mut Rng| {
            let n = 2_000;
            let v = (0..n)
                .filter(|_| author_with_followers(rng, PersonaStyle::YouTube, followers).verified)
                .count();
            v as f64 / n as f64
        };
        let big = share(2_000_000, &mut rng);
        let mid = share(50_000, &mut rng);
        let small = share(100, &mut rng);
        assert!(
            big > 0.7 && mid > 0.08 && mid < 0.2 && small < 0.003,
            "{big} {mid} {small}"
        );
    }

    #[test]
    fn a_minority_of_fans_write_a_good_share() {
        let mut aud = Audience::for_followers(7, PersonaStyle::YouTube, 100_000);
        assert_eq!(aud.fans(), 316);
        let mut rng = Rng::new(3, "pick");
        let n = 20_000;
        let mut by: BTreeMap<String, usize> = BTreeMap::new();
        for _ in 0..n {
            *by.entry(aud.pick(&mut rng).id).or_default() += 1;
        }
        let mut counts: Vec<usize> = by.values().copied().collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        // The 30 most active authors (under 0.5 % of all) write over a
        // quarter of the comments, none more than 5 %...
        let top: usize = counts.iter().take(30).sum();
        assert!(top as f64 / n as f64 > 0.25, "{top}");
        assert!((counts[0] as f64) < 0.05 * n as f64, "{}", counts[0]);
        // ...and most authors appear once.
        let once = counts.iter().filter(|&&c| c == 1).count();
        assert!(
            once as f64 / counts.len() as f64 > 0.9,
            "{once}/{}",
            counts.len()
        );
    }

    #[test]
    fn audience_is_deterministic_and_survives_serde() {
        let mut a = Audience::for_followers(11, PersonaStyle::YouTube, 5_000);
        let first = a.fan(0).cloned();
        let json = serde_json::to_string(&a).unwrap();
        assert!(json.len() < 200, "{json}");
        let mut b: Audience = serde_json::from_str(&json).unwrap();
        assert_eq!(b.fan(0).cloned(), first);
        assert_eq!(a, b);
        let mut r1 = Rng::new(1, "x");
        let mut r2 = Rng::new(1, "x");
        for _ in 0..100 {
            assert_eq!(a.pick(&mut r1), b.pick(&mut r2));
        }
        assert!(a.fan(a.fans()).is_none());
    }
}
