//! How TikTok looks: video ids, commenters' ids, handles and avatars, and
//! how its comments read.
//!
//! - Videos: 19 digits starting 7.
//! - Authors: 19 digits starting 6 or 7; avatars on
//!   `p16-sign.tiktokcdn.example` (never a real host).

use diorama_sdk::models::ids::{
    numeric_id19, push_digits, push_digits_fixed, push_handle, push_hex,
};
use diorama_sdk::models::persona::{Audience, PersonaStyle};
use diorama_sdk::models::rng::Rng;
use diorama_sdk::models::text::{CaptionShape, CommentStyle, Nouns, Shape};
use serde::Deserializer;

/// A video id: 19 digits starting with 7.
pub fn video_id(rng: &mut Rng) -> u64 {
    numeric_id19(rng, 7)
}

fn push_author_id(out: &mut String, rng: &mut Rng) {
    push_digits(out, 6 + rng.below(2));
    push_digits_fixed(out, rng.below(1_000_000_000_000_000_000), 18);
}

fn push_avatar(out: &mut String, rng: &mut Rng) {
    out.push_str("https://p16-sign.tiktokcdn.example/tos-maliva-avt-0068/");
    push_hex(out, rng, 32);
    out.push_str("~c5_100x100.jpeg");
}

/// Commenters: 19-digit ids, handles from words, avatars on
/// `p16-sign.tiktokcdn.example`.
pub const PERSONAS: PersonaStyle = PersonaStyle {
    name: "tiktok",
    id: push_author_id,
    handle: push_handle,
    avatar: push_avatar,
};

/// Restores the account's audience with [`PERSONAS`].
pub fn audience<'de, D: Deserializer<'de>>(d: D) -> Result<Audience, D::Error> {
    Audience::deserialize_with_style(d, PERSONAS)
}

/// How comments read on TikTok: mostly a few lower-case words, slang,
/// emoji alone or inside the line (Emojipedia, "What Happens in the TikTok
/// Comments", 2021, on its emoji comment memes), no timestamps, replies
/// that rarely name who they answer.
pub const COMMENTS: CommentStyle = CommentStyle {
    name: "tiktok",
    nouns: Nouns {
        account: "page",
        post: "video",
        posts: "videos",
        home: "TikTok",
    },
    shape: Shape {
        reaction: 0.42,
        emoji_only: 0.09,
        long: 0.04,
        emoji: 1.0,
        timestamps: false,
        friend_tags: 0.04,
        reply_mention: 0.25,
        lower: 0.45,
    },
    caption: CaptionShape::Clip,
    links: CommentStyle::GENERIC.links,
};

#[cfg(test)]
mod tests {
    use super::*;
    use diorama_sdk::models::persona::author;
    use serde::{Deserialize, Serialize};

    #[test]
    fn ids_look_like_tiktok() {
        let mut rng = Rng::new(5, "ids");
        for _ in 0..2000 {
            let t = video_id(&mut rng).to_string();
            assert!(t.len() == 19 && t.starts_with('7'), "{t}");
        }
        for _ in 0..200 {
            let a = author(&mut rng, PERSONAS);
            assert_eq!(a.id.len(), 19, "{}", a.id);
            assert!(a.id.bytes().all(|c| c.is_ascii_digit()));
            assert!(a.id.starts_with('6') || a.id.starts_with('7'), "{}", a.id);
            assert!(a
                .avatar_url
                .starts_with("https://p16-sign.tiktokcdn.example/tos-maliva-avt-0068/"));
        }
    }

    #[test]
    fn audience_snapshots_keep_their_format() {
        #[derive(Serialize, Deserialize)]
        struct State {
            #[serde(deserialize_with = "audience")]
            audience: Audience,
        }
        let old = r#"{"audience":{"style":"tiktok","seed":9,"fans":40,"fan_share":0.6}}"#;
        let s: State = serde_json::from_str(old).unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), old);
        assert!(serde_json::from_str::<State>(&old.replace("tiktok", "generic")).is_err());
    }
}
