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
use diorama_sdk::models::text::{
    CommentStyle, Nouns, ReplyRules, ShortComments, CAPTION_LINES, TEXT_MOMENTS, VIDEO_TABLES,
};
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

const SHORT_POSITIVE: &[&str] = &[
    "the {t}",
    "{t} was {a}",
    "not me watching this {n} times",
    "{s} >>>",
    "ok but {t}",
    "why is {t} so {a}",
    "need {s} asap",
    "POV: you found {s}",
    "the way {t} was {a}",
    "obsessed with {t}",
    "{t} hits different",
    "{s} fr",
    "{s} is {a}",
    "{t} though",
    "{f} needs to see this",
    "came back for {t}",
    "{a} {a}",
    "saving this for {w}",
];

const SHORT_NEUTRAL: &[&str] = &[
    "part {n}?",
    "{ts}?",
    "wait what about {t}",
    "link to {s}?",
    "is {s} worth it",
    "what about {o}?",
    "first, {t} was {a}",
    "here before {s} blows up",
    "who else is here from the fyp for {t}",
    "{t}??",
    "anyone tried {s}?",
    "{ts} is where it's at",
    "how long did {t} take",
    "me watching this {w}",
];

const SHORT_NEGATIVE: &[&str] = &[
    "{t} was {b}",
    "not {t}",
    "{s}? nah",
    "ratio + {t} was {b}",
    "skip {t}",
    "the {t} tho",
    "{s} ain't it",
    "{b}, {t} especially",
    "why is {s} on my fyp",
    "{t} is {b} ngl",
    "unfollowing after {t}",
];

const LEADS: &[&str] = &[
    "ok",
    "wait",
    "bro",
    "nahh",
    "omg",
    "lowkey",
    "highkey",
    "be so fr",
    "girl",
    "ngl",
    "yo",
    "hold on",
    "ok but",
    "sorry but",
    "honestly",
];

const TAILS: &[&str] = &["fr", "ngl", "lol", "lmao", "no cap", "istg", "tbh", "😭"];

/// Mostly short, lower-case, emoji-heavy comments; short replies in lower
/// case ("fr!", "same question"), varied by emoji instead.
///
/// The full-length comments share the video tables and their nouns with
/// the other built-in platforms, as they always have.
pub const COMMENTS: CommentStyle = CommentStyle {
    name: "tiktok",
    nouns: Nouns {
        account: "channel",
        post: "video",
        posts: "videos",
        home: "YouTube",
    },
    tables: &VIDEO_TABLES,
    // Every post is a video, with a timeline.
    moments: TEXT_MOMENTS,
    avoid: &[],
    tags: None,
    short: Some(ShortComments {
        rate: 0.55,
        bodies: [SHORT_POSITIVE, SHORT_NEUTRAL, SHORT_NEGATIVE],
        lead_rate: 0.4,
        leads: LEADS,
        lower_case: 0.7,
        tail_rate: 0.3,
        tails: TAILS,
        extra_emoji: 0.4,
    }),
    emoji_after: 0.5,
    replies: ReplyRules {
        mention: 0.3,
        long: 0.3,
        lower_case: true,
        emoji: 0.6,
    },
    captions: CAPTION_LINES,
    links: CommentStyle::GENERIC.links,
};

#[cfg(test)]
mod tests {
    use super::*;
    use diorama_sdk::models::persona::author;
    use diorama_sdk::models::text::{write_styled_comment, write_styled_reply, Niche, Sentiment};
    use serde::{Deserialize, Serialize};
    use std::collections::BTreeSet;

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

    #[test]
    fn comments_are_short_and_emoji_heavy_replies_lower_case() {
        let mut rng = Rng::new(3, "styled");
        let cs: Vec<String> = (0..10_000)
            .map(|i| {
                let s = Sentiment::sample(&mut rng);
                let mut c = String::new();
                write_styled_comment(&mut c, &mut rng, Niche::ALL[i % 10], s, COMMENTS, Some(25));
                c
            })
            .collect();
        let set: BTreeSet<&String> = cs.iter().collect();
        assert!(set.len() >= 9_900, "{}", set.len());
        let emoji = cs.iter().filter(|c| !c.is_ascii()).count() as f64 / 1e4;
        assert!(emoji > 0.5, "{emoji}");
        let mean = cs.iter().map(|c| c.chars().count()).sum::<usize>() / cs.len();
        assert!(mean < 60, "{mean}");
        for _ in 0..500 {
            let mut r = String::new();
            write_styled_reply(
                &mut r,
                &mut rng,
                Niche::Comedy,
                Sentiment::Neutral,
                COMMENTS,
                Some(25),
                Some("@Pixel.Fox"),
            );
            // The handle answered keeps its case; the reply is lower case.
            let body = r.trim_start_matches("@Pixel.Fox ");
            let ascii: String = body.chars().filter(char::is_ascii).collect();
            assert_eq!(ascii, ascii.to_lowercase(), "{r}");
        }
    }
}
