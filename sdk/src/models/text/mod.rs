//! Niche-aware text: video titles and descriptions, post captions, comments
//! and replies by sentiment, direct messages by type.
//!
//! Text comes from a variation engine: a body template (generic or specific
//! to the niche) whose slots (`{s}` subject, `{t}` topic, `{a}` praise, ...)
//! are filled from the niche's vocabulary, optionally joined by a second
//! sentence, framed by an opener and a closer, then varied in punctuation,
//! emoji and casing. The product of these choices is large enough that a
//! thousand comments are all distinct and ten thousand nearly so, while each
//! comment costs well under a microsecond (everything is static tables; the
//! only allocation is the output string).
//!
//! Names and handles are never those of real people: display names combine
//! common first names with initials or surnames at random, and handles are
//! made from words, not from the display name's full name.
//!
//! How comments read on a platform is a [`CommentStyle`] the platform
//! defines: its sentence tables ([`VIDEO_TABLES`], [`POST_TABLES`] or its
//! own), the words for its account and content ([`Nouns`]), what a comment
//! points at on a still post, the words its niche vocabulary must avoid,
//! friend tags, short comments, reply rules, captions and description
//! links. [`CommentStyle::GENERIC`] suits a text platform: accounts and
//! posts, no video vocabulary.
//!
//! Sentiment ([`Sentiment::sample`]: 65 % positive, 25 % neutral, 10 %
//! negative) and DM types ([`DmType::sample`]: 40 % fan, 30 % question, 15 %
//! collaboration, 10 % spam, 5 % criticism) follow the realism references in
//! ARCHITECTURE.md (*Realism references*).

use serde::{Deserialize, Serialize};

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

use super::ids::push_digits;
use super::rng::{fnv1a, Rng};

pub mod conversation;
mod dm;
pub mod followup;
pub mod gist;
mod grammar;
pub mod measure;
mod names;
mod phrase;
mod posts;
mod vocab;
pub mod voice;

pub use gist::{Gist, Moment};
pub use grammar::{Act, Cue, Said, Shape};
pub use names::{
    push_handle_digits, write_display_name, write_handle_base, write_handle_base_with,
};
pub use voice::{Character, Voice};

use vocab::*;

/// A content niche: decides the vocabulary of titles, captions and comments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Niche {
    Tech,
    Gaming,
    Beauty,
    Fitness,
    Cooking,
    Travel,
    Education,
    Comedy,
    Music,
    Lifestyle,
}

impl Niche {
    pub const ALL: [Niche; 10] = [
        Niche::Tech,
        Niche::Gaming,
        Niche::Beauty,
        Niche::Fitness,
        Niche::Cooking,
        Niche::Travel,
        Niche::Education,
        Niche::Comedy,
        Niche::Music,
        Niche::Lifestyle,
    ];

    /// The canonical lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Niche::Tech => "tech",
            Niche::Gaming => "gaming",
            Niche::Beauty => "beauty",
            Niche::Fitness => "fitness",
            Niche::Cooking => "cooking",
            Niche::Travel => "travel",
            Niche::Education => "education",
            Niche::Comedy => "comedy",
            Niche::Music => "music",
            Niche::Lifestyle => "lifestyle",
        }
    }

    /// Parse a niche by name or alias, case-insensitively: `tech`, `Tech
    /// reviews`, `makeup`, `recipes`, `vlogs`, ... An empty name is
    /// `lifestyle` (general content). Unknown names are an error listing the
    /// known niches.
    pub fn parse(name: &str) -> Result<Niche, String> {
        let lower = name.trim().to_ascii_lowercase();
        if lower.is_empty() {
            return Ok(Niche::Lifestyle);
        }
        for n in Niche::ALL {
            if lower == n.name() {
                return Ok(n);
            }
        }
        // Aliases and keywords, matched on words of the name; the more
        // specific niches win over lifestyle (listed last).
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        for (keys, niche) in NICHE_KEYWORDS {
            if words.iter().any(|w| keys.contains(w)) {
                return Ok(*niche);
            }
        }
        let known: Vec<&str> = Niche::ALL.iter().map(|n| n.name()).collect();
        Err(format!(
            "unknown niche `{name}` (known: {})",
            known.join(", ")
        ))
    }

    fn vocab(self) -> &'static Vocab {
        match self {
            Niche::Tech => &TECH,
            Niche::Gaming => &GAMING,
            Niche::Beauty => &BEAUTY,
            Niche::Fitness => &FITNESS,
            Niche::Cooking => &COOKING,
            Niche::Travel => &TRAVEL,
            Niche::Education => &EDUCATION,
            Niche::Comedy => &COMEDY,
            Niche::Music => &MUSIC,
            Niche::Lifestyle => &LIFESTYLE,
        }
    }
}

const NICHE_KEYWORDS: &[(&[&str], Niche)] = &[
    (
        &[
            "tech",
            "technology",
            "gadget",
            "gadgets",
            "phone",
            "phones",
            "smartphone",
            "pc",
            "hardware",
            "software",
            "coding",
            "programming",
            "unboxing",
        ],
        Niche::Tech,
    ),
    (
        &[
            "gaming",
            "game",
            "games",
            "gamer",
            "esports",
            "esport",
            "speedrun",
            "speedruns",
            "minecraft",
            "streamer",
            "lets",
            "playthrough",
        ],
        Niche::Gaming,
    ),
    (
        &[
            "beauty",
            "makeup",
            "skincare",
            "skin",
            "cosmetics",
            "hair",
            "nails",
            "grwm",
        ],
        Niche::Beauty,
    ),
    (
        &[
            "fitness",
            "gym",
            "workout",
            "workouts",
            "training",
            "bodybuilding",
            "yoga",
            "running",
            "health",
            "sport",
            "sports",
            "calisthenics",
        ],
        Niche::Fitness,
    ),
    (
        &[
            "cooking", "food", "foodie", "recipe", "recipes", "baking", "kitchen", "chef", "vegan",
            "mukbang",
        ],
        Niche::Cooking,
    ),
    (
        &[
            "travel",
            "traveling",
            "travelling",
            "trip",
            "trips",
            "adventure",
            "backpacking",
            "vanlife",
            "tourism",
        ],
        Niche::Travel,
    ),
    (
        &[
            "education",
            "educational",
            "science",
            "math",
            "maths",
            "history",
            "learning",
            "tutorial",
            "tutorials",
            "study",
            "explainer",
            "explainers",
            "language",
            "languages",
            "finance",
        ],
        Niche::Education,
    ),
    (
        &[
            "comedy", "funny", "humor", "humour", "sketch", "sketches", "skits", "pranks", "memes",
            "standup", "parody",
        ],
        Niche::Comedy,
    ),
    (
        &[
            "music", "musician", "songs", "song", "singing", "covers", "cover", "guitar", "piano",
            "producer", "beats", "rap", "dance",
        ],
        Niche::Music,
    ),
    (
        &[
            "lifestyle",
            "vlog",
            "vlogs",
            "vlogger",
            "daily",
            "family",
            "fashion",
            "home",
            "minimalism",
            "productivity",
            "pets",
            "diy",
        ],
        Niche::Lifestyle,
    ),
];

/// The sentiment of a comment or reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sentiment {
    Positive,
    Neutral,
    Negative,
}

impl Sentiment {
    pub const ALL: [Sentiment; 3] = [Sentiment::Positive, Sentiment::Neutral, Sentiment::Negative];
    /// The reference mix: 65 % positive, 25 % neutral, 10 % negative.
    pub const MIX: [f64; 3] = [0.65, 0.25, 0.10];

    /// Draw a sentiment from [`MIX`](Self::MIX).
    pub fn sample(rng: &mut Rng) -> Sentiment {
        Self::sample_with(rng, &Self::MIX)
    }

    /// Draw a sentiment from another mix (weights for positive, neutral,
    /// negative), e.g. for a troll wave.
    pub fn sample_with(rng: &mut Rng, mix: &[f64; 3]) -> Sentiment {
        Self::ALL[rng.weighted(mix)]
    }

    /// `positive`, `neutral` or `negative`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sentiment::Positive => "positive",
            Sentiment::Neutral => "neutral",
            Sentiment::Negative => "negative",
        }
    }
}

/// The type of a direct message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DmType {
    Fan,
    Question,
    Collaboration,
    Spam,
    Criticism,
}

impl DmType {
    pub const ALL: [DmType; 5] = [
        DmType::Fan,
        DmType::Question,
        DmType::Collaboration,
        DmType::Spam,
        DmType::Criticism,
    ];
    /// The reference mix: 40 % fan, 30 % question, 15 % collaboration, 10 %
    /// spam, 5 % criticism.
    pub const MIX: [f64; 5] = [0.40, 0.30, 0.15, 0.10, 0.05];

    /// Draw a DM type from [`MIX`](Self::MIX).
    pub fn sample(rng: &mut Rng) -> DmType {
        Self::ALL[rng.weighted(&Self::MIX)]
    }

    /// `fan`, `question`, `collaboration`, `spam` or `criticism`.
    pub fn as_str(self) -> &'static str {
        match self {
            DmType::Fan => "fan",
            DmType::Question => "question",
            DmType::Collaboration => "collaboration",
            DmType::Spam => "spam",
            DmType::Criticism => "criticism",
        }
    }

    /// The sentiment a DM of this type carries.
    pub fn sentiment(self) -> Sentiment {
        match self {
            DmType::Fan => Sentiment::Positive,
            DmType::Question | DmType::Collaboration | DmType::Spam => Sentiment::Neutral,
            DmType::Criticism => Sentiment::Negative,
        }
    }
}

/// The default video length used for timestamps when none is known.
pub const DEFAULT_VIDEO_SECONDS: u32 = 720;

/// A random plausible video length, seconds: mostly 6–20 minutes, some
/// short, a few long.
pub fn video_seconds(rng: &mut Rng) -> u32 {
    let minutes = rng.lognormal(2.45, 0.5).clamp(1.5, 95.0);
    (minutes * 60.0) as u32 + rng.below(60) as u32
}

// --------------------------------------------------------------------------
// The variation engine.

fn pick(rng: &mut Rng, items: &[&'static str]) -> &'static str {
    if items.is_empty() {
        ""
    } else {
        items[rng.below(items.len() as u64) as usize]
    }
}

/// Write `m:ss` (or `h:mm:ss`).
pub(crate) fn push_timestamp(out: &mut String, seconds: u32) {
    let h = seconds / 3600;
    let m = (seconds / 60) % 60;
    let s = seconds % 60;
    if h > 0 {
        push_digits(out, h as u64);
        out.push(':');
        if m < 10 {
            out.push('0');
        }
    }
    push_digits(out, m as u64);
    out.push(':');
    if s < 10 {
        out.push('0');
    }
    push_digits(out, s as u64);
}

struct Ctx<'a> {
    vocab: &'a Vocab,
    video_seconds: u32,
    /// Whether the content has a timeline: without one, `{ts}` names a
    /// part of the post ("the second pic") instead of a time.
    timeline: bool,
    /// The handle `{me}` stands for (without `@`).
    mention: &'a str,
    /// The words `{acct}`, `{post}`, `{posts}` and `{home}` stand for.
    nouns: Nouns,
    /// What `{ts}` becomes without a timeline.
    moments: &'static [&'static str],
    /// Words the niche's vocabulary must not bring in.
    avoid: &'static [&'static str],
}

impl<'a> Ctx<'a> {
    /// Text that is not in a platform's style (titles, DMs, mentions):
    /// the niche's vocabulary unfiltered.
    fn new(niche: Niche, video_seconds: u32) -> Ctx<'a> {
        Ctx {
            vocab: niche.vocab(),
            video_seconds: if video_seconds == 0 {
                DEFAULT_VIDEO_SECONDS
            } else {
                video_seconds
            },
            timeline: true,
            mention: "",
            nouns: Nouns::GENERIC,
            moments: TEXT_PARTS,
            avoid: &[],
        }
    }
}

/// Whether `text` contains one of `words` (ASCII case-insensitively).
fn has_any(text: &str, words: &[&str]) -> bool {
    let t = text.as_bytes();
    words.iter().any(|w| {
        let w = w.as_bytes();
        !w.is_empty() && t.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w))
    })
}

/// A pick from `items` that contains none of `avoid`: drawn again a few
/// times, then the first acceptable one from where the last draw landed
/// (`""` if there is none). With nothing to avoid it is a plain pick.
fn pick_avoiding(rng: &mut Rng, items: &[&'static str], avoid: &[&str]) -> &'static str {
    if avoid.is_empty() || items.is_empty() {
        return pick(rng, items);
    }
    let mut i = 0;
    for _ in 0..4 {
        i = rng.below(items.len() as u64) as usize;
        if !has_any(items[i], avoid) {
            return items[i];
        }
    }
    (0..items.len())
        .map(|k| items[(i + k) % items.len()])
        .find(|t| !has_any(t, avoid))
        .unwrap_or("")
}

/// Write `template` into `out`, each `{slot}` in it written by `fill`
/// (called in order, with the slot's name); an unclosed `{` is kept as
/// text.
fn fill_slots(out: &mut String, template: &str, mut fill: impl FnMut(&mut String, &str)) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return;
        };
        fill(out, &after[..close]);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
}

/// Expand a template's slots into `out`.
fn expand(out: &mut String, rng: &mut Rng, template: &str, ctx: &Ctx<'_>) {
    fill_slots(out, template, |out, slot| {
        let v = ctx.vocab;
        // Words from the niche's and the shared tables, minus the ones the
        // style avoids.
        let niche = |rng: &mut Rng, items: &[&'static str]| pick_avoiding(rng, items, ctx.avoid);
        match slot {
            "s" => out.push_str(niche(rng, v.subjects)),
            "t" => out.push_str(niche(rng, v.topics)),
            "o" => out.push_str(niche(rng, v.owns)),
            "S" => out.push_str(niche(rng, v.title_subjects)),
            "a" => out.push_str(niche(rng, PRAISE)),
            "b" => out.push_str(niche(rng, FAULT)),
            "f" => out.push_str(niche(rng, FOLKS)),
            "d" => out.push_str(niche(rng, DURATIONS)),
            "w" => out.push_str(niche(rng, WHEN)),
            "v" => out.push_str(niche(rng, TITLE_VERDICTS)),
            "n" => push_digits(out, 2 + rng.below(11)),
            "N" => push_digits(out, NUMBERS[rng.below(NUMBERS.len() as u64) as usize]),
            "ts" if ctx.timeline => {
                let len = ctx.video_seconds.max(30);
                push_timestamp(out, rng.below(len as u64) as u32);
            }
            "ts" => out.push_str(pick(rng, ctx.moments)),
            "me" => out.push_str(ctx.mention),
            "tag" => out.push_str(niche(rng, v.hashtags)),
            "g" => out.push_str(niche(rng, v.pursuits)),
            "acct" => out.push_str(ctx.nouns.account),
            "post" => out.push_str(ctx.nouns.post),
            "posts" => out.push_str(ctx.nouns.posts),
            "home" => out.push_str(ctx.nouns.home),
            "c" => out.push_str(pick(rng, COUNTRIES)),
            "brand" => out.push_str(pick(rng, BRANDS)),
            "site" => out.push_str(pick(rng, SPAM_SITES)),
            "handle" => {
                out.push_str(pick(rng, HANDLE_WORDS_A));
                out.push_str(pick(rng, HANDLE_WORDS_B));
            }
            _ => {
                out.push('{');
                out.push_str(slot);
                out.push('}');
            }
        }
    });
}

fn expand_pick(out: &mut String, rng: &mut Rng, pool: &[&'static str], ctx: &Ctx<'_>) {
    let t = pick(rng, pool);
    expand(out, rng, t, ctx);
}

fn capitalise_at(out: &mut String, start: usize) {
    if let Some(c) = out[start..].chars().next() {
        if c.is_ascii_lowercase() {
            // Safe: ASCII replaced by ASCII.
            out.replace_range(start..start + 1, &c.to_ascii_uppercase().to_string());
        }
    }
}

/// The words a platform's comments use for the creator's account and
/// content: the `{acct}`, `{post}`, `{posts}` and `{home}` slots of the
/// sentence tables ("best channel", "great video btw" on a video platform;
/// "best account", "great post btw" on a text one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nouns {
    /// The creator's account: "channel", "account", "profile".
    pub account: &'static str,
    /// One piece of content: "video", "post".
    pub post: &'static str,
    /// Several: "videos", "posts".
    pub posts: &'static str,
    /// Where the content is, as a commenter names it ("best breakdown of
    /// the battery test on here").
    pub home: &'static str,
}

impl Nouns {
    /// Accounts and posts, "on here".
    pub const GENERIC: Nouns = Nouns {
        account: "account",
        post: "post",
        posts: "posts",
        home: "here",
    };
}

/// How a platform's own captions look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptionShape {
    /// A photo caption: a line in sentence case, sometimes a question,
    /// an emoji, a handful of hashtags.
    Photo,
    /// A short clip's: a short lower-case line, two to four hashtags.
    Clip,
    /// A written post's: a line, few hashtags or none.
    Text,
}

/// How comments, replies and captions read on a platform: a plugin
/// defines its own (a `const`, passed by value).
#[derive(Clone, Copy, Debug)]
pub struct CommentStyle {
    /// Names the style (in messages and tests).
    pub name: &'static str,
    pub nouns: Nouns,
    /// Lengths, emoji, timestamps, tags and reply habits.
    pub shape: Shape,
    /// Captions of the platform's own posts ([`caption`]).
    pub caption: CaptionShape,
    /// Link lines under a video's description ([`video_description`]),
    /// on `.example` hosts.
    pub links: &'static [&'static str],
}

impl PartialEq for CommentStyle {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for CommentStyle {}

impl CommentStyle {
    /// A text platform's style: posts on an account, no video words, no
    /// timestamps; comments of a sentence or two, some emoji.
    pub const GENERIC: CommentStyle = CommentStyle {
        name: "generic",
        nouns: Nouns::GENERIC,
        shape: Shape {
            reaction: 0.2,
            emoji_only: 0.03,
            long: 0.2,
            emoji: 0.5,
            timestamps: false,
            friend_tags: 0.0,
            reply_mention: 0.5,
            lower: 0.1,
        },
        caption: CaptionShape::Text,
        links: &["More on my site: https://links.example/home"],
    };
}

/// Write a comment on a post about `gist` by the author whose voice is
/// `voice`; returns what it said (for the replies it may get). `seconds`:
/// the video's length, `None` for a still or written post.
#[allow(clippy::too_many_arguments)]
pub fn write_comment(
    out: &mut String,
    rng: &mut Rng,
    niche: Niche,
    sentiment: Sentiment,
    style: CommentStyle,
    gist: &Gist,
    seconds: Option<u32>,
    voice: &Voice,
) -> Said {
    let scene = grammar::Scene {
        niche,
        style: &style,
        gist,
        seconds,
        voice,
        sentiment,
    };
    grammar::comment(out, rng, &scene)
}

/// Write a reply to a comment that said `parent`, by the author whose
/// voice is `voice`; `to` is the handle answered (with or without `@`).
#[allow(clippy::too_many_arguments)]
pub fn write_reply(
    out: &mut String,
    rng: &mut Rng,
    niche: Niche,
    sentiment: Sentiment,
    style: CommentStyle,
    gist: &Gist,
    seconds: Option<u32>,
    voice: &Voice,
    parent: Said,
    to: Option<&str>,
) -> Said {
    let scene = grammar::Scene {
        niche,
        style: &style,
        gist,
        seconds,
        voice,
        sentiment,
    };
    grammar::reply(out, rng, &scene, parent, to)
}

/// A gist for a post of the niche whose text is not known: a subject of
/// the niche's, no moments.
pub fn niche_gist(rng: &mut Rng, niche: Niche) -> Gist {
    let t = pick(rng, niche.vocab().title_subjects);
    Gist::read(t, "")
}

/// Append a comment by a one-off author on a post of the niche whose text
/// is not known (see [`write_comment`] for a known post).
pub fn write_styled_comment(
    out: &mut String,
    rng: &mut Rng,
    niche: Niche,
    sentiment: Sentiment,
    style: CommentStyle,
    seconds: Option<u32>,
) {
    let gist = niche_gist(rng, niche);
    let voice = Voice::draw(rng);
    write_comment(out, rng, niche, sentiment, style, &gist, seconds, &voice);
}

/// Append a reply by a one-off author to a comment whose text is not
/// known (see [`write_reply`]).
pub fn write_styled_reply(
    out: &mut String,
    rng: &mut Rng,
    niche: Niche,
    sentiment: Sentiment,
    style: CommentStyle,
    seconds: Option<u32>,
    to: Option<&str>,
) {
    let gist = niche_gist(rng, niche);
    let voice = Voice::draw(rng);
    let parent = Said::of(Act::Praise);
    write_reply(
        out, rng, niche, sentiment, style, &gist, seconds, &voice, parent, to,
    );
}

/// A direct message of the given type, by a sender with `voice`.
pub fn dm(rng: &mut Rng, niche: Niche, kind: DmType, voice: &Voice) -> String {
    dm::dm(rng, niche, kind, voice)
}

/// A post or comment by someone else that mentions `handle` (with or
/// without `@`): "finally tried the sourdough thanks to @maya.bakes 🔥".
pub fn mention(rng: &mut Rng, niche: Niche, handle: &str) -> String {
    let mut ctx = Ctx::new(niche, 0);
    ctx.timeline = false;
    ctx.mention = handle.trim_start_matches('@');
    let mut out = String::with_capacity(120);
    expand_pick(&mut out, rng, MENTIONS, &ctx);
    capitalise_at(&mut out, 0);
    if rng.chance(0.5) {
        out.push(' ');
        out.push_str(pick(rng, EMOJI_POSITIVE));
    }
    for _ in 0..rng.below(3) {
        out.push_str(" #");
        out.push_str(pick(rng, ctx.vocab.hashtags));
    }
    out
}

/// Hashes `u64` keys that are already hashes: passes them through.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | b as u64;
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The most recent texts written under one post (or by one account's
/// audience), remembered as 64-bit hashes, at most `capacity` of them so a
/// busy post costs a bounded amount of state: a simulator checks new
/// comments against it to avoid verbatim repeats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distinct {
    capacity: usize,
    order: VecDeque<u64>,
    /// An index over `order`, for membership only (never iterated, so its
    /// order cannot reach any output).
    #[serde(skip)]
    seen: HashSet<u64, BuildHasherDefault<PassThrough>>,
}

impl Default for Distinct {
    fn default() -> Self {
        Distinct::with_capacity(Self::POST_CAPACITY)
    }
}

impl Distinct {
    /// The default capacity, for one post: enough that no text repeats
    /// under a post even when it goes viral (it grows only as comments come).
    pub const POST_CAPACITY: usize = 32_768;
    /// A capacity for a whole account: any 8,192 consecutive comments of
    /// an account are all distinct (64 KiB of hashes, twice that with the
    /// index), so a busy account's first 10,000 hardly repeat.
    pub const ACCOUNT_CAPACITY: usize = 8192;
    /// A capacity for the texts of all an account's posts in one set, each
    /// post's in its own scope (see [`write_distinct_scoped`]): a bound on
    /// the state however many posts draw comments at once (2 MiB or so, a
    /// little over 1 MiB in a snapshot), and more comments than a viral
    /// post gets in hours.
    pub const POSTS_CAPACITY: usize = 65_536;

    pub fn with_capacity(capacity: usize) -> Self {
        Distinct {
            capacity: capacity.max(1),
            order: VecDeque::new(),
            seen: HashSet::default(),
        }
    }

    fn index(&mut self) -> &mut HashSet<u64, BuildHasherDefault<PassThrough>> {
        if self.seen.len() != self.order.len() {
            // Restored from a snapshot: rebuild the index.
            self.seen = self.order.iter().copied().collect();
        }
        &mut self.seen
    }

    /// Whether a text with this hash ([`fnv1a`] of its bytes) is here.
    pub fn contains_hash(&mut self, h: u64) -> bool {
        self.index().contains(&h)
    }

    /// Remember a hash; false when it was already here.
    pub fn insert_hash(&mut self, h: u64) -> bool {
        if !self.index().insert(h) {
            return false;
        }
        self.order.push_back(h);
        if self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }

    /// Whether `text` is new among the recent texts; remembers it.
    pub fn insert(&mut self, text: &str) -> bool {
        self.insert_hash(fnv1a(text.as_bytes()))
    }

    /// Forget everything (when the post goes quiet).
    pub fn clear(&mut self) {
        self.order.clear();
        self.seen.clear();
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Write a text into `out` (cleared first) with `write`, again up to
    /// `tries` times in all while it repeats one already written here.
    pub fn write(&mut self, out: &mut String, tries: u32, write: impl FnMut(&mut String)) {
        write_distinct(&mut [self], out, tries, write);
    }
}

/// Endings added to a text that still repeats after every rewrite, one or
/// two of them, so it reads as the same thought typed again.
const REPEAT_ENDINGS: &[&str] = &[
    " fr",
    " tbh",
    " honestly",
    " 💯",
    " 👀",
    " 🙏",
    "!!",
    " ...",
    " lol",
    " ngl",
    " imo",
    " 🤷",
];

/// Write a text into `out` (cleared first) with `write`, again up to
/// `tries` times in all while it repeats a text of any of `sets` (say, the
/// post's and the account's); if it still does, vary its ending; then
/// remember it in all of them. Only when even the varied endings are all
/// taken (over a hundred of them) may a repeat slip through.
pub fn write_distinct(
    sets: &mut [&mut Distinct],
    out: &mut String,
    tries: u32,
    write: impl FnMut(&mut String),
) {
    let mut scoped: Vec<(&mut Distinct, u64)> = sets.iter_mut().map(|s| (&mut **s, 0)).collect();
    write_distinct_scoped(&mut scoped, out, tries, write);
}

/// The scope of one post's texts in a [`Distinct`] shared by all of an
/// account's posts (see [`write_distinct_scoped`]).
pub fn post_scope(post: u64) -> u64 {
    // SplitMix64's finaliser: distinct posts get unrelated scopes, and no
    // post gets 0 (the unscoped set's).
    use crate::models::rng::{splitmix64_mix, GOLDEN_GAMMA};
    splitmix64_mix(post.wrapping_add(GOLDEN_GAMMA)) | 1
}

/// Mixed into a stock line's hash to keep it apart from texts' hashes.
const CARRIER_KEY: u64 = 0x5f0c_a221_e7b1_3d49;
/// Rewrites beyond a caller's tries spent on avoiding a stock line.
const CARRIER_TRIES: u32 = 8;

/// [`write_distinct`] where each set is searched within a scope: a text's
/// hash is mixed with the scope before it is looked up or remembered, so one
/// account-wide set of bounded capacity can stand for every post's own
/// (a text repeats under a post only if that post had it among the
/// account's most recent texts). Scope 0 is the set itself.
pub fn write_distinct_scoped(
    sets: &mut [(&mut Distinct, u64)],
    out: &mut String,
    tries: u32,
    mut write: impl FnMut(&mut String),
) {
    let taken = |sets: &mut [(&mut Distinct, u64)], h: u64| {
        sets.iter_mut()
            .any(|(s, scope)| s.contains_hash(h ^ *scope))
    };
    let mut h;
    let mut repeats = true;
    let mut stock: Vec<u64> = Vec::new();
    let tries = tries.max(1);
    let mut attempt = 0;
    loop {
        out.clear();
        write(out);
        h = fnv1a(out.as_bytes());
        attempt += 1;
        let fresh = !taken(sets, h);
        // A stock line this audience has used lately is written again
        // (a few more times than a repeat would be).
        stock.clear();
        stock.extend(grammar::carriers(out).map(|c| fnv1a(c.as_bytes()) ^ CARRIER_KEY));
        let stale = stock.iter().any(|&c| taken(sets, c));
        let last = attempt >= tries + CARRIER_TRIES;
        if fresh && (!stale || last) {
            repeats = false;
            break;
        }
        if (!fresh && attempt >= tries && !stale) || last {
            break;
        }
    }
    for c in stock {
        for (s, scope) in sets.iter_mut() {
            s.insert_hash(c ^ *scope);
        }
    }
    if repeats {
        let len = out.len();
        'vary: for first in REPEAT_ENDINGS {
            for second in std::iter::once(&"").chain(REPEAT_ENDINGS) {
                out.truncate(len);
                out.push_str(first);
                out.push_str(second);
                h = fnv1a(out.as_bytes());
                if !taken(sets, h) {
                    break 'vary;
                }
            }
        }
    }
    for (s, scope) in sets.iter_mut() {
        s.insert_hash(h ^ *scope);
    }
}

fn title_case_first(out: &mut String, start: usize) {
    capitalise_at(out, start);
}

/// A video title for the niche.
pub fn video_title(rng: &mut Rng, niche: Niche) -> String {
    let v = niche.vocab();
    let ctx = Ctx::new(niche, DEFAULT_VIDEO_SECONDS);
    let mut out = String::with_capacity(64);
    let t = if rng.chance(0.75) {
        pick(rng, v.titles)
    } else {
        pick(rng, GENERIC_TITLES)
    };
    expand(&mut out, rng, t, &ctx);
    title_case_first(&mut out, 0);
    if rng.chance(0.12) {
        out.push_str(pick(rng, TITLE_SUFFIXES));
    }
    out
}

/// A video's description written from its title (see
/// [`posts::video_description`]).
pub fn video_description(
    rng: &mut Rng,
    niche: Niche,
    title: &str,
    video_seconds: u32,
    style: CommentStyle,
) -> String {
    posts::video_description(rng, niche, title, video_seconds, style)
}

/// A post's caption in the style (see [`posts::caption`]).
pub fn caption(rng: &mut Rng, niche: Niche, style: CommentStyle) -> String {
    posts::caption(rng, niche, style)
}

/// A Short's caption from its title (see [`posts::short_caption`]).
pub fn short_caption(rng: &mut Rng, niche: Niche, title: &str) -> String {
    posts::short_caption(rng, niche, title)
}

/// A generator for one text, seeded from a value the simulation already
/// drew (an id): text draws nothing from the simulation's own generator,
/// so changing how text reads never moves ids, times or counts.
pub fn text_rng(seed: u64) -> Rng {
    Rng::new(seed, "text")
}

#[cfg(test)]
mod tests;
