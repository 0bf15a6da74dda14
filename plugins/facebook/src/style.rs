//! How Facebook looks: Page, post, comment and message ids, people's
//! ids and avatars, and how comments on a Page read.
//!
//! - The Page: 15 digits starting `1000` (the ids Meta gives new Pages).
//! - Posts: `{page-id}_{post-number}`, the post number 15 to 16 digits
//!   (the Graph API's `id` of a Page post).
//! - Comments: 16 digits starting 1 (a comment's own number).
//! - People: page-scoped ids of 16 to 17 digits; avatars on
//!   `scontent.xx.fbcdn.example` (never a real host).
//! - Messenger messages: `m_` and 40 url-safe base64 characters.

use diorama_sdk::models::ids::{push_b64, push_digits, push_digits_fixed};
use diorama_sdk::models::persona::{Audience, PersonaStyle};
use diorama_sdk::models::rng::Rng;
use diorama_sdk::models::text::{CaptionShape, CommentStyle, Nouns, Shape};
use serde::Deserializer;

/// A Page id: 15 digits starting 1000.
pub fn page_id(rng: &mut Rng) -> String {
    let mut out = String::with_capacity(15);
    out.push_str("1000");
    push_digits_fixed(&mut out, rng.below(100_000_000_000), 11);
    out
}

/// A post's number within the Page (the part after `_`).
pub fn post_number(rng: &mut Rng) -> u64 {
    if rng.chance(0.7) {
        122_000_000_000_000_000 + rng.below(1_000_000_000_000_000)
    } else {
        100_000_000_000_000 + rng.below(900_000_000_000_000)
    }
}

/// A comment id: 16 digits starting 1.
pub fn comment_id(rng: &mut Rng) -> u64 {
    1_000_000_000_000_000 + rng.below(9_000_000_000_000_000)
}

/// A Messenger message id: `m_` and 40 url-safe base64 characters.
pub fn message_id(rng: &mut Rng) -> String {
    let mut id = String::with_capacity(42);
    id.push_str("m_");
    push_b64(&mut id, rng, 40);
    id
}

fn push_author_id(out: &mut String, rng: &mut Rng) {
    push_digits(out, 1 + rng.below(9));
    let width = if rng.chance(0.5) { 15 } else { 16 };
    push_digits_fixed(out, rng.below(10u64.pow(width as u32)), width);
}

fn push_avatar(out: &mut String, rng: &mut Rng) {
    out.push_str("https://scontent.xx.fbcdn.example/v/t39.30808-1/");
    push_digits_fixed(out, rng.below(1_000_000_000_000), 12);
    out.push_str("_n.jpg");
}

/// People on Facebook: numeric page-scoped ids, handles from words (the
/// Graph API shows a person's name, not a handle), avatars on
/// `scontent.xx.fbcdn.example`.
pub const PERSONAS: PersonaStyle = PersonaStyle {
    name: "facebook",
    id: push_author_id,
    handle: diorama_sdk::models::ids::push_handle,
    avatar: push_avatar,
};

/// Restores the Page's audience with [`PERSONAS`].
pub fn audience<'de, D: Deserializer<'de>>(d: D) -> Result<Audience, D::Error> {
    Audience::deserialize_with_style(d, PERSONAS)
}

/// How comments on a Page read. Longer than Instagram's and written in
/// sentences more often (Facebook comments are read in a thread under a
/// post with room for text), fewer emoji (Facebook counted about 60
/// million emoji a day on Facebook against 5 billion on Messenger: World
/// Emoji Day 2017), and two habits of its own: tagging a friend to show
/// them the post (the "tag someone who…" comment), and replies that open
/// with the name of the person answered (Facebook's reply box inserts
/// it). The weights are our calibration against those references.
pub const COMMENTS: CommentStyle = CommentStyle {
    name: "facebook",
    nouns: Nouns {
        account: "page",
        post: "post",
        posts: "posts",
        home: "Facebook",
    },
    shape: Shape {
        reaction: 0.22,
        emoji_only: 0.04,
        long: 0.2,
        emoji: 0.5,
        timestamps: false,
        friend_tags: 0.12,
        reply_mention: 0.8,
        lower: 0.12,
    },
    caption: CaptionShape::Photo,
    links: CommentStyle::GENERIC.links,
};

#[cfg(test)]
mod tests {
    use super::*;
    use diorama_sdk::models::persona::author;

    #[test]
    fn ids_look_like_facebook() {
        let mut rng = Rng::new(5, "ids");
        for _ in 0..500 {
            let p = page_id(&mut rng);
            assert!(p.len() == 15 && p.starts_with("1000"), "{p}");
            let n = post_number(&mut rng).to_string();
            assert!((15..=18).contains(&n.len()), "{n}");
            let c = comment_id(&mut rng).to_string();
            assert_eq!(c.len(), 16, "{c}");
            let m = message_id(&mut rng);
            assert!(m.starts_with("m_") && m.len() == 42, "{m}");
            let a = author(&mut rng, PERSONAS);
            assert!(
                (16..=17).contains(&a.id.len()) && a.id.bytes().all(|c| c.is_ascii_digit()),
                "{}",
                a.id
            );
            assert!(a
                .avatar_url
                .starts_with("https://scontent.xx.fbcdn.example/"));
        }
    }
}
