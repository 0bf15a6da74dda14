//! How Instagram looks: media shortcodes, numeric ids, commenters' handles
//! and avatars, and how its comments read.
//!
//! - Posts and reels: an 11-character url-safe base64 shortcode (as in
//!   `https://www.instagram.com/p/<code>/`); stories: 19 digits starting 3.
//! - Comment ids: 17 digits starting 17 or 18 (9 in 10), or 18 digits
//!   starting 18.
//! - Authors: 10 to 11 digits; avatars on `scontent.cdninstagram.example`
//!   (never a real host).

use diorama_sdk::models::ids::{encode_u64_b64, push_digits, push_digits_fixed, push_handle};
use diorama_sdk::models::persona::{Audience, PersonaStyle};
use diorama_sdk::models::rng::Rng;
use diorama_sdk::models::text::{CaptionShape, CommentStyle, Nouns, Shape};
use serde::Deserializer;

/// A media shortcode: 11 url-safe base64 characters.
pub fn shortcode(rng: &mut Rng) -> String {
    encode_u64_b64(rng.next_u64())
}

/// A comment id: 17 digits starting 17 or 18 (9 in 10), or 18 digits
/// starting 18.
pub fn comment_id(rng: &mut Rng) -> u64 {
    if rng.chance(0.9) {
        17_800_000_000_000_000 + rng.below(1_200_000_000_000_000)
    } else {
        180_000_000_000_000_000 + rng.below(10_000_000_000_000_000)
    }
}

fn push_author_id(out: &mut String, rng: &mut Rng) {
    push_digits(out, 1 + rng.below(9));
    push_digits_fixed(out, rng.below(10_000_000_000), 10);
}

fn push_avatar(out: &mut String, rng: &mut Rng) {
    out.push_str("https://scontent.cdninstagram.example/v/t51.2885-19/");
    push_digits_fixed(out, rng.below(1_000_000_000_000), 12);
    out.push_str("_n.jpg");
}

/// Commenters: numeric ids, handles from words, avatars on
/// `scontent.cdninstagram.example`.
pub const PERSONAS: PersonaStyle = PersonaStyle {
    name: "instagram",
    id: push_author_id,
    handle: push_handle,
    avatar: push_avatar,
};

/// Restores the account's audience with [`PERSONAS`].
pub fn audience<'de, D: Deserializer<'de>>(d: D) -> Result<Audience, D::Error> {
    Audience::deserialize_with_style(d, PERSONAS)
}

/// How comments read on Instagram: short, emoji-heavy, friends tagged,
/// no timestamps. Instagram's own analysis of its text (T. Dimson,
/// "Emojineering", Instagram Engineering, 2015) found close to half of
/// comments and captions carry emoji; reactions of a word or an emoji
/// alone are common, two-sentence comments rare; replies usually open
/// with the @handle they answer.
pub const COMMENTS: CommentStyle = CommentStyle {
    name: "instagram",
    nouns: Nouns {
        account: "page",
        post: "post",
        posts: "posts",
        home: "Instagram",
    },
    shape: Shape {
        reaction: 0.36,
        emoji_only: 0.12,
        long: 0.06,
        emoji: 1.3,
        timestamps: false,
        friend_tags: 0.07,
        reply_mention: 0.7,
        lower: 0.25,
    },
    caption: CaptionShape::Photo,
    links: CommentStyle::GENERIC.links,
};

#[cfg(test)]
mod tests {
    use super::*;
    use diorama_sdk::models::persona::author;

    #[test]
    fn ids_look_like_instagram() {
        let mut rng = Rng::new(5, "ids");
        let mut long = 0;
        for _ in 0..2000 {
            let c = comment_id(&mut rng).to_string();
            assert!(c.len() == 17 || c.len() == 18, "{c}");
            assert!(c.starts_with("17") || c.starts_with("18"), "{c}");
            long += usize::from(c.len() == 18);
            let s = shortcode(&mut rng);
            assert_eq!(s.len(), 11);
        }
        assert!((100..300).contains(&long), "{long}");
        for _ in 0..200 {
            let a = author(&mut rng, PERSONAS);
            assert!(
                (10..=11).contains(&a.id.len()) && a.id.bytes().all(|c| c.is_ascii_digit()),
                "{}",
                a.id
            );
            assert!(a
                .avatar_url
                .starts_with("https://scontent.cdninstagram.example/v/t51.2885-19/"));
        }
    }
}
