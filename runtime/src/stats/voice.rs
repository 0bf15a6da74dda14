//! How the text reads, per platform: whether comments talk about their
//! post, how long they are, where their emoji sit, how often the same
//! frame comes back, how handles and hashtags look, whether replies answer
//! their parent. The measures are the SDK's ([`measure`]), so the
//! generator's tests and these figures agree.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use diorama_sdk::models::text::measure::{
    content_words, emoji_place, frame, shares_words, word_count, EmojiPlace,
};

/// References the figures are read against (docs/text.md cites them):
/// YouTube's typical comment is about ten words (58 characters, Thelwall,
/// Sud & Vis 2012); close to half of Instagram's comments carry emoji
/// (Dimson 2015); short comments dominate TikTok and Instagram.
pub const REFERENCES: &str = "YouTube median ~10 words (Thelwall et al. 2012); \
Instagram ~50 % of comments with emoji (Dimson 2015)";

/// One frequent frame and its share of the platform's comments.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Frame {
    pub frame: String,
    pub count: u64,
    pub share: f64,
}

/// The text figures of one platform.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TextFigures {
    pub platform: String,
    /// Comments and replies measured.
    pub comments: u64,
    /// Share that shares a content word with its post's title and text.
    pub about_post: f64,
    pub median_words: f64,
    pub up_to_3_words: f64,
    /// Share with any emoji; of those, where they sit and whether one
    /// repeats.
    pub emoji: f64,
    pub emoji_only: f64,
    pub emoji_end: f64,
    pub emoji_start: f64,
    pub emoji_inside: f64,
    pub emoji_repeated: f64,
    /// Share with an `m:ss` timestamp.
    pub timestamps: f64,
    /// The most repeated frames among comments of four words or more.
    pub top_frames: Vec<Frame>,
    /// Distinct handles of comment authors, and the share ending in a digit.
    pub handles: u64,
    pub handles_with_digits: f64,
    /// Posts, and the share whose text repeats a hashtag.
    pub posts: u64,
    pub posts_repeating_hashtags: f64,
    /// Replies, and the share sharing a content word with their parent.
    pub replies: u64,
    pub replies_about_parent: f64,
}

#[derive(Default)]
struct Acc {
    comments: u64,
    about: u64,
    words: Vec<usize>,
    short: u64,
    emoji: [u64; 5],
    repeated: u64,
    stamps: u64,
    frames: BTreeMap<String, u64>,
    long: u64,
    handles: BTreeSet<String>,
    posts: u64,
    tag_repeats: u64,
    replies: u64,
    replies_about: u64,
}

/// Collects the events' text as they stream by.
#[derive(Default)]
pub struct Collector {
    by: BTreeMap<String, Acc>,
    /// Content id → its content words.
    posts: BTreeMap<(String, String), Vec<String>>,
    /// Top-level comment id → its content words.
    parents: BTreeMap<String, Vec<String>>,
}

fn has_timestamp(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_digit() || c == ':'))
        .any(|w| diorama_sdk::models::text::gist::parse_stamp(w).is_some())
}

/// The words of a post's text that say what it is about: its title and
/// text without links, chapter headings' boilerplate or hashtags.
fn post_words(title: &str, text: &str) -> Vec<String> {
    let mut s = String::from(title);
    for line in text.lines() {
        if line.contains("http") || line.contains('@') || line.starts_with("Chapters") {
            continue;
        }
        s.push(' ');
        s.push_str(line);
    }
    let mut w = content_words(&s);
    w.sort();
    w.dedup();
    w.retain(|x| !matches!(x.as_str(), "intro" | "comment" | "tell" | "final"));
    w
}

impl Collector {
    pub fn content(&mut self, profile: &str, platform: &str, id: &str, title: &str, text: &str) {
        self.posts.insert(
            (profile.to_string(), id.to_string()),
            post_words(title, text),
        );
        let acc = self.by.entry(platform.to_string()).or_default();
        acc.posts += 1;
        let tags: Vec<&str> = text
            .split_whitespace()
            .filter(|w| w.starts_with('#'))
            .collect();
        let distinct: BTreeSet<&str> = tags.iter().copied().collect();
        if distinct.len() < tags.len() {
            acc.tag_repeats += 1;
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn comment(
        &mut self,
        profile: &str,
        platform: &str,
        kind: &str,
        id: Option<&str>,
        content: Option<&str>,
        parent: Option<&str>,
        handle: Option<&str>,
        text: &str,
    ) {
        let post: &[String] = content
            .and_then(|c| self.posts.get(&(profile.to_string(), c.to_string())))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let acc = self.by.entry(platform.to_string()).or_default();
        acc.comments += 1;
        if shares_words(text, post) {
            acc.about += 1;
        }
        let n = word_count(text);
        acc.words.push(n);
        if n <= 3 {
            acc.short += 1;
        }
        let (place, repeated) = emoji_place(text);
        let slot = match place {
            EmojiPlace::None => None,
            EmojiPlace::Only => Some(0),
            EmojiPlace::End => Some(1),
            EmojiPlace::Start => Some(2),
            EmojiPlace::Inside => Some(3),
        };
        if let Some(i) = slot {
            acc.emoji[i] += 1;
            acc.emoji[4] += 1;
            if repeated {
                acc.repeated += 1;
            }
        }
        if has_timestamp(text) {
            acc.stamps += 1;
        }
        if n >= 4 {
            acc.long += 1;
            *acc.frames.entry(frame(text, post)).or_insert(0) += 1;
        }
        if let Some(h) = handle {
            acc.handles.insert(h.to_string());
        }
        let words = content_words(text);
        if kind == "reply" {
            acc.replies += 1;
            if let Some(p) = parent.and_then(|p| self.parents.get(p)) {
                if words.iter().any(|w| p.contains(w)) {
                    acc.replies_about += 1;
                }
            }
        } else if let Some(id) = id {
            self.parents.insert(id.to_string(), words);
        }
    }

    pub fn finish(self) -> Vec<TextFigures> {
        let share = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        self.by
            .into_iter()
            .filter(|(_, a)| a.comments > 0)
            .map(|(platform, mut a)| {
                a.words.sort_unstable();
                let median = if a.words.is_empty() {
                    0.0
                } else {
                    let m = a.words.len() / 2;
                    if a.words.len() % 2 == 1 {
                        a.words[m] as f64
                    } else {
                        (a.words[m - 1] + a.words[m]) as f64 / 2.0
                    }
                };
                let mut frames: Vec<(String, u64)> = a.frames.into_iter().collect();
                frames.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
                let top_frames = frames
                    .into_iter()
                    .take(3)
                    .map(|(frame, count)| Frame {
                        share: share(count, a.long),
                        frame,
                        count,
                    })
                    .collect();
                let e = a.emoji[4];
                let digits = a
                    .handles
                    .iter()
                    .filter(|h| h.ends_with(|c: char| c.is_ascii_digit()))
                    .count() as u64;
                TextFigures {
                    platform,
                    comments: a.comments,
                    about_post: share(a.about, a.comments),
                    median_words: median,
                    up_to_3_words: share(a.short, a.comments),
                    emoji: share(e, a.comments),
                    emoji_only: share(a.emoji[0], a.comments),
                    emoji_end: share(a.emoji[1], e),
                    emoji_start: share(a.emoji[2], e),
                    emoji_inside: share(a.emoji[3], e),
                    emoji_repeated: share(a.repeated, e),
                    timestamps: share(a.stamps, a.comments),
                    top_frames,
                    handles: a.handles.len() as u64,
                    handles_with_digits: share(digits, a.handles.len() as u64),
                    posts: a.posts,
                    posts_repeating_hashtags: share(a.tag_repeats, a.posts),
                    replies: a.replies,
                    replies_about_parent: share(a.replies_about, a.replies),
                }
            })
            .collect()
    }
}
