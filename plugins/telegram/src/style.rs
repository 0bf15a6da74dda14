//! How Telegram looks: message ids, users' ids, usernames and avatars, and
//! how comments read in a channel's discussion group.
//!
//! - Channel posts: the channel's own message ids, counting up.
//! - Messages in the discussion group and the bot's private chats: ids
//!   drawn per message (Telegram numbers messages per chat; a client keys
//!   them by chat and id).
//! - Users: 9 to 10 digit ids (a private chat's id is its user's);
//!   avatars on `cdn4.telesco.example` (never a real host).

use diorama_sdk::models::ids::{push_digits, push_handle, push_hex};
use diorama_sdk::models::persona::{Audience, PersonaStyle};
use diorama_sdk::models::rng::Rng;
use diorama_sdk::models::text::{CaptionShape, CommentStyle, Nouns, Shape};
use serde::Deserializer;

/// A message id in the discussion group or a private chat: up to 2^31 − 1,
/// as Telegram's fit a signed 32-bit integer.
pub fn message_id(rng: &mut Rng) -> u64 {
    100_000 + rng.below(2_147_000_000)
}

fn push_user_id(out: &mut String, rng: &mut Rng) {
    // Users registered over the years: 9 digits for the older accounts,
    // 10 for the newer (ids above 2^32 were handed out from 2021).
    if rng.chance(0.4) {
        push_digits(out, 100_000_000 + rng.below(900_000_000));
    } else {
        push_digits(out, 1_000_000_000 + rng.below(6_900_000_000));
    }
}

fn push_avatar(out: &mut String, rng: &mut Rng) {
    out.push_str("https://cdn4.telesco.example/file/");
    push_hex(out, rng, 40);
    out.push_str(".jpg");
}

/// Telegram users: numeric ids, usernames from words (5 to 32
/// characters, letters, digits and underscores).
pub const PERSONAS: PersonaStyle = PersonaStyle {
    name: "telegram",
    id: push_user_id,
    handle: push_username,
    avatar: push_avatar,
};

fn push_username(out: &mut String, rng: &mut Rng, base: &str) {
    let start = out.len();
    push_handle(out, rng, base);
    // Usernames take no dots; at least five characters.
    let name: String = out[start..].replace('.', "_");
    out.truncate(start);
    out.push_str(&name);
    while out.len() - start < 5 {
        out.push('_');
    }
}

/// Restores the account's audience with [`PERSONAS`].
pub fn audience<'de, D: Deserializer<'de>>(d: D) -> Result<Audience, D::Error> {
    Audience::deserialize_with_style(d, PERSONAS)
}

/// How comments read in a channel's discussion group: chat, not a comment
/// section. Perlo et al. ("A Topic-wise Exploration of the Telegram
/// Group-verse", 2024, 51.6 M messages from 669 public groups) find group
/// messages mostly short text, with stickers and emoji common and spam a
/// recurring share; so mostly a short line or a reaction, emoji alone now
/// and then (a sticker's stand-in), lower case often. Replies use
/// Telegram's reply-to (the quoted message shows above), so few open with
/// an `@username`; nobody tags friends (people forward the post instead).
/// Channel posts are written: a line or a paragraph, few hashtags.
pub const COMMENTS: CommentStyle = CommentStyle {
    name: "telegram",
    nouns: Nouns {
        account: "channel",
        post: "post",
        posts: "posts",
        home: "Telegram",
    },
    shape: Shape {
        reaction: 0.3,
        emoji_only: 0.06,
        long: 0.12,
        emoji: 0.8,
        timestamps: false,
        friend_tags: 0.0,
        reply_mention: 0.1,
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
    fn ids_and_usernames_look_like_telegram() {
        let mut rng = Rng::new(5, "ids");
        for _ in 0..2000 {
            let m = message_id(&mut rng);
            assert!((100_000..2_147_483_647).contains(&m), "{m}");
        }
        for _ in 0..300 {
            let a = author(&mut rng, PERSONAS);
            assert!((9..=10).contains(&a.id.len()), "{}", a.id);
            assert!(a.id.bytes().all(|c| c.is_ascii_digit()));
            let name = a.handle.trim_start_matches('@');
            assert!(name.len() >= 5, "{name}");
            assert!(
                name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_'),
                "{name}"
            );
            assert!(a
                .avatar_url
                .starts_with("https://cdn4.telesco.example/file/"));
        }
    }
}
