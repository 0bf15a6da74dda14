//! How YouTube looks: video, channel and comment ids, commenters' handles
//! and avatars, and how its comments read.
//!
//! - Video ids: 11 url-safe base64 characters encoding 64 bits (the last
//!   character carries 4 bits, so it is one of `AEIMQUYcgkosw048`).
//! - Channel ids: `UC` + 22 characters (the last one of `AQgw`).
//! - Comment ids: `Ug` + one of `wxyz` + 16 characters + `4AaABAg` (26 in
//!   all), and reply ids: the thread's comment id, `.`, 22 characters.
//!   [`CommentId`] packs a comment id into two integers so the simulator
//!   can keep many of them cheaply and parse them back.
//! - Avatars on `yt3.ggpht.example` (never a real host).

use diorama_sdk::models::ids::{
    decode_u64_b64, encode_u64_b64, push_b64, push_bits_b64, push_handle, read_bits_b64,
};
use diorama_sdk::models::persona::{Audience, PersonaStyle};
use diorama_sdk::models::rng::Rng;
use diorama_sdk::models::text::{CaptionShape, CommentStyle, Nouns, Shape};
use serde::{Deserialize, Deserializer, Serialize};

/// A video id: 11 url-safe base64 characters.
pub fn video_id(rng: &mut Rng) -> String {
    encode_u64_b64(rng.next_u64())
}

/// The 64 bits a video id written by [`video_id`] encodes.
pub fn decode_video_id(id: &str) -> Option<u64> {
    decode_u64_b64(id)
}

/// A channel id: `UC` + 22 characters.
pub fn channel_id(rng: &mut Rng) -> String {
    let mut s = String::with_capacity(24);
    push_channel_id(&mut s, rng);
    s
}

fn push_channel_id(out: &mut String, rng: &mut Rng) {
    out.push_str("UC");
    push_b64(out, rng, 21);
    out.push(b"AQgw"[rng.below(4) as usize] as char);
}

fn push_avatar(out: &mut String, rng: &mut Rng) {
    out.push_str("https://yt3.ggpht.example/ytc/");
    push_b64(out, rng, 42);
    out.push_str("=s88-c-k-c0x00ffffff-no-rj");
}

/// Commenters: `UC…` channel ids, handles from words, avatars on
/// `yt3.ggpht.example`.
pub const PERSONAS: PersonaStyle = PersonaStyle {
    name: "youtube",
    id: push_channel_id,
    handle: push_handle,
    avatar: push_avatar,
};

/// Restores the account's audience with [`PERSONAS`].
pub fn audience<'de, D: Deserializer<'de>>(d: D) -> Result<Audience, D::Error> {
    Audience::deserialize_with_style(d, PERSONAS)
}

/// Links under a video's description.
const DESCRIPTION_LINKS: &[&str] = &[
    "My gear: https://kit.example/{handle}\nBusiness: hello@{handle}.example",
    "Support the channel: https://members.example/{handle}",
    "Newsletter: https://letters.example/{handle}\nInstagram: @{handle}",
];

/// How comments read on YouTube. Measured shapes (Thelwall, Sud & Vis,
/// "Commenting on YouTube videos: From Guatemalan rock to El Big Bang",
/// JASIST 63(3), 2012): the typical comment is 58 characters, about ten
/// words, and 23.4 % of comments are replies; so few one-word reactions,
/// sentences and two-sentence comments, little emoji, timestamps into the
/// video's chapters, replies that sometimes open with the @handle answered.
pub const COMMENTS: CommentStyle = CommentStyle {
    name: "youtube",
    nouns: Nouns {
        account: "channel",
        post: "video",
        posts: "videos",
        home: "YouTube",
    },
    shape: Shape {
        reaction: 0.12,
        emoji_only: 0.02,
        long: 0.32,
        emoji: 0.45,
        timestamps: true,
        friend_tags: 0.0,
        reply_mention: 0.35,
        lower: 0.1,
    },
    caption: CaptionShape::Text,
    links: DESCRIPTION_LINKS,
};

/// A comment id packed into 98 bits; see the module documentation.
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
        push_bits_b64(out, self.a >> 4, 10);
        // The last 4 bits of `a` and 32 bits of `b` make 6 more characters.
        push_bits_b64(out, ((self.a & 15) << 32) | (self.b & 0xffff_ffff), 6);
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
        let a = read_bits_b64(&b[3..13])?;
        let rest = read_bits_b64(&b[13..19])?;
        Some(CommentId {
            a: (a << 4) | (rest >> 32),
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

#[cfg(test)]
mod tests {
    use super::*;
    use diorama_sdk::models::ids::B64;
    use diorama_sdk::models::persona::author;
    use std::collections::BTreeSet;

    #[test]
    fn video_ids_look_like_youtube_and_roundtrip() {
        let mut rng = Rng::new(1, "ids");
        let mut seen = BTreeSet::new();
        for _ in 0..10_000 {
            let id = video_id(&mut rng);
            assert_eq!(id.len(), 11);
            assert!(id.bytes().all(|c| B64.contains(&c)));
            assert!(b"AEIMQUYcgkosw048".contains(&id.as_bytes()[10]), "{id}");
            let bits = decode_video_id(&id).unwrap();
            assert_eq!(encode_u64_b64(bits), id);
            seen.insert(id);
        }
        assert_eq!(seen.len(), 10_000);
        assert_eq!(decode_video_id("short"), None);
    }

    #[test]
    fn channel_ids() {
        let mut rng = Rng::new(2, "ids");
        let id = channel_id(&mut rng);
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
    fn authors_look_like_youtube() {
        let mut rng = Rng::new(1, "persona");
        for _ in 0..200 {
            let a = author(&mut rng, PERSONAS);
            assert!(a.id.starts_with("UC") && a.id.len() == 24, "{}", a.id);
            assert!(a.handle.starts_with('@') && a.handle.len() > 2);
            assert!(
                a.avatar_url.starts_with("https://yt3.ggpht.example/ytc/"),
                "{}",
                a.avatar_url
            );
        }
    }

    #[test]
    fn audience_snapshots_keep_their_format() {
        #[derive(Serialize, Deserialize)]
        struct State {
            #[serde(deserialize_with = "audience")]
            audience: Audience,
        }
        // As the previous build wrote it.
        let old = r#"{"audience":{"style":"youtube","seed":9,"fans":40,"fan_share":0.6}}"#;
        let mut s: State = serde_json::from_str(old).unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), old);
        let fan = s.audience.fan(0).cloned().unwrap();
        assert!(fan.id.starts_with("UC"), "{}", fan.id);
        assert!(serde_json::from_str::<State>(&old.replace("youtube", "tiktok")).is_err());
    }
}
