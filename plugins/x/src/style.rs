//! How X looks: post ids, user ids, handles and avatars, and how its
//! replies read.
//!
//! - Posts, replies, quotes and messages: Snowflake ids (X Developer
//!   Platform, "Twitter IDs"): milliseconds since the Twitter epoch
//!   (1288834974657) shifted left 22 bits, then machine and sequence bits,
//!   so ids sort by time and run 19 digits in the 2020s.
//! - Users: 8 to 19 digits; handles of letters, digits and underscores, at
//!   most 15 characters; avatars on `pbs.twimg.example` (never a real
//!   host).

use diorama_sdk::models::ids::{push_digits, push_handle, push_hex};
use diorama_sdk::models::persona::{Audience, PersonaStyle};
use diorama_sdk::models::rng::Rng;
use diorama_sdk::models::text::{CaptionShape, CommentStyle, Nouns, Shape};
use diorama_sdk::Millis;
use serde::Deserializer;

/// The Twitter epoch of Snowflake ids, in unix milliseconds.
pub const TWEPOCH: Millis = 1_288_834_974_657;

/// A Snowflake id for something made at `at`: the time since [`TWEPOCH`]
/// in the high bits, 22 random low bits (machine and sequence).
pub fn snowflake(rng: &mut Rng, at: Millis) -> u64 {
    let ms = (at - TWEPOCH).max(0) as u64;
    (ms << 22) | rng.below(1 << 22)
}

/// The time a Snowflake id was made at.
pub fn snowflake_time(id: u64) -> Millis {
    (id >> 22) as Millis + TWEPOCH
}

/// An id for a reply or DM the kit draws without a time: a Snowflake of
/// a time in 2026 (the kit's events carry their own time).
pub fn reply_id(rng: &mut Rng) -> u64 {
    // 2026-01-01 .. 2027-01-01 in unix ms.
    let at = 1_767_225_600_000 + rng.below(365 * 86_400_000) as Millis;
    snowflake(rng, at)
}

fn push_author_id(out: &mut String, rng: &mut Rng) {
    // Older accounts have short ids; since 2013 they are Snowflakes.
    if rng.chance(0.35) {
        push_digits(out, 10_000_000 + rng.below(3_000_000_000));
    } else {
        push_digits(
            out,
            1_000_000_000_000_000_000 + rng.below(900_000_000_000_000_000),
        );
    }
}

/// X handles: letters, digits and underscores, at most 15 characters.
fn push_x_handle(out: &mut String, rng: &mut Rng, base: &str) {
    let mut h = String::with_capacity(24);
    push_handle(&mut h, rng, base);
    let start = out.len();
    for c in h.chars() {
        if out.len() - start >= 15 {
            break;
        }
        match c {
            '.' | '-' => out.push('_'),
            c => out.push(c),
        }
    }
}

fn push_avatar(out: &mut String, rng: &mut Rng) {
    out.push_str("https://pbs.twimg.example/profile_images/");
    push_digits(
        out,
        1_000_000_000_000_000_000 + rng.below(900_000_000_000_000_000),
    );
    out.push('/');
    push_hex(out, rng, 8);
    out.push_str("_normal.jpg");
}

/// Accounts: numeric ids, X-shaped handles, avatars on `pbs.twimg.example`.
pub const PERSONAS: PersonaStyle = PersonaStyle {
    name: "x",
    id: push_author_id,
    handle: push_x_handle,
    avatar: push_avatar,
};

/// Restores the account's audience with [`PERSONAS`].
pub fn audience<'de, D: Deserializer<'de>>(d: D) -> Result<Audience, D::Error> {
    Audience::deserialize_with_style(d, PERSONAS)
}

/// How replies read on X: a sentence, rarely two (posts are capped at 280
/// characters for most accounts, and the most common length of an English
/// tweet stayed near 33 characters after the cap doubled: Twitter Blog,
/// "Tweeting made easier", 2017);
/// fewer emoji than on Instagram or TikTok and few emoji-only replies;
/// replies open with the `@handle` they answer (the API's reply text
/// carries it); more lower case; a critic or a troll gets more room than
/// elsewhere because fewer replies are bare reactions. Under a
/// controversy, replies and quotes outrun likes (the "ratio", see the
/// crate's docs).
pub const COMMENTS: CommentStyle = CommentStyle {
    name: "x",
    nouns: Nouns {
        account: "account",
        post: "post",
        posts: "posts",
        home: "X",
    },
    shape: Shape {
        reaction: 0.24,
        emoji_only: 0.02,
        long: 0.1,
        emoji: 0.45,
        timestamps: false,
        friend_tags: 0.03,
        reply_mention: 0.9,
        lower: 0.3,
    },
    caption: CaptionShape::Text,
    links: CommentStyle::GENERIC.links,
};

#[cfg(test)]
mod tests {
    use super::*;
    use diorama_sdk::models::persona::author;

    #[test]
    fn ids_look_like_x() {
        let mut rng = Rng::new(5, "ids");
        let at = 1_780_000_000_000;
        for _ in 0..2000 {
            let id = snowflake(&mut rng, at);
            assert_eq!(id.to_string().len(), 19);
            assert_eq!(snowflake_time(id), at);
            let r = reply_id(&mut rng);
            assert_eq!(r.to_string().len(), 19, "{r}");
        }
        for _ in 0..300 {
            let a = author(&mut rng, PERSONAS);
            assert!((8..=19).contains(&a.id.len()), "{}", a.id);
            let h = a.handle.trim_start_matches('@');
            assert!(h.len() <= 15 && !h.is_empty(), "{h}");
            assert!(
                h.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{h}"
            );
            assert!(a.avatar_url.starts_with("https://pbs.twimg.example/"));
        }
    }
}
