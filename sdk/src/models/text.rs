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

mod vocab;

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
fn push_timestamp(out: &mut String, seconds: u32) {
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
            moments: TEXT_MOMENTS,
            avoid: &[],
        }
    }

    /// Text in `style`, on content `seconds` long (`None`: no timeline).
    fn styled(niche: Niche, seconds: Option<u32>, style: &CommentStyle) -> Ctx<'a> {
        let mut ctx = Ctx::new(niche, seconds.unwrap_or(0));
        ctx.timeline = seconds.is_some();
        ctx.nouns = style.nouns;
        ctx.moments = style.moments;
        ctx.avoid = style.avoid;
        ctx
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

/// Expand a template's slots into `out`.
fn expand(out: &mut String, rng: &mut Rng, template: &str, ctx: &Ctx<'_>) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return;
        };
        let slot = &after[..close];
        rest = &after[close + 1..];
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
    }
    out.push_str(rest);
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

fn ends_with_question(s: &str) -> bool {
    s.trim_end().ends_with('?')
}

/// Tables and rates are indexed positive, neutral, negative.
fn at(sentiment: Sentiment) -> usize {
    match sentiment {
        Sentiment::Positive => 0,
        Sentiment::Neutral => 1,
        Sentiment::Negative => 2,
    }
}

fn niche_bodies(sentiment: Sentiment, v: &Vocab) -> &'static [&'static str] {
    match sentiment {
        Sentiment::Positive => v.positive,
        Sentiment::Neutral => v.neutral,
        Sentiment::Negative => v.negative,
    }
}

fn body(
    out: &mut String,
    rng: &mut Rng,
    sentiment: Sentiment,
    tables: &CommentTables,
    ctx: &Ctx<'_>,
) {
    let generic = tables.bodies[at(sentiment)];
    let specific = niche_bodies(sentiment, ctx.vocab);
    let mut t = if !specific.is_empty() && rng.chance(0.3) {
        pick_avoiding(rng, specific, ctx.avoid)
    } else {
        pick(rng, generic)
    };
    if t.is_empty() {
        // Every niche body had a word to avoid.
        t = pick(rng, generic);
    }
    expand(out, rng, t, ctx);
}

fn end_punctuation(out: &mut String, rng: &mut Rng, sentiment: Sentiment) {
    if ends_with_question(out) {
        if rng.chance(0.15) {
            out.push('?');
        }
        return;
    }
    let marks: &[&str] = match sentiment {
        Sentiment::Positive => &["", "", "!", "!", "!!", "!!!", ".", " !"],
        Sentiment::Neutral => &["", "", ".", ".", "...", "!"],
        Sentiment::Negative => &["", ".", ".", "...", "!", "??", " smh"],
    };
    out.push_str(pick(rng, marks));
}

fn emoji(out: &mut String, rng: &mut Rng, sentiment: Sentiment) {
    let (p, set): (f64, &[&str]) = match sentiment {
        Sentiment::Positive => (0.45, EMOJI_POSITIVE),
        Sentiment::Neutral => (0.25, EMOJI_NEUTRAL),
        Sentiment::Negative => (0.2, EMOJI_NEGATIVE),
    };
    if !rng.chance(p) {
        return;
    }
    out.push(' ');
    let e = pick(rng, set);
    match rng.below(6) {
        0..=2 => out.push_str(e),
        3 => {
            out.push_str(e);
            out.push_str(e);
        }
        4 => {
            out.push_str(e);
            out.push_str(e);
            out.push_str(e);
        }
        _ => {
            out.push_str(e);
            out.push_str(pick(rng, set));
        }
    }
}

fn casing(out: &mut String, rng: &mut Rng, start: usize, sentiment: Sentiment) {
    let r = rng.unit();
    if r < 0.25 {
        out[start..].make_ascii_lowercase();
    } else if r < 0.28 && sentiment == Sentiment::Positive && out.len() - start < 48 {
        out[start..].make_ascii_uppercase();
    } else {
        capitalise_at(out, start);
    }
}

/// Swap two adjacent ASCII letters somewhere after `start`: a typo.
fn typo(out: &mut String, rng: &mut Rng, start: usize) {
    let len = out.len();
    if len < start + 4 {
        return;
    }
    let from = start + rng.below((len - start - 1) as u64) as usize;
    let b = out.as_bytes();
    let Some(i) = (from..len - 1)
        .find(|&i| b[i].is_ascii_lowercase() && b[i + 1].is_ascii_lowercase() && b[i] != b[i + 1])
    else {
        return;
    };
    let swapped = [b[i + 1], b[i]];
    if let Ok(s) = std::str::from_utf8(&swapped) {
        let s = s.to_string();
        out.replace_range(i..i + 2, &s);
    }
}

fn comment_with(
    out: &mut String,
    rng: &mut Rng,
    sentiment: Sentiment,
    tables: &CommentTables,
    ctx: &Ctx<'_>,
) {
    let start = out.len();
    let i = at(sentiment);
    let (openers, closers, tails) = (tables.openers[i], tables.closers[i], tables.tails[i]);
    if sentiment == Sentiment::Neutral && ctx.timeline && rng.chance(0.12) {
        // "3:41 ..." or "at 3:41, ...": pointing at a moment.
        let t = pick(rng, &["{ts} ", "at {ts}, ", "{ts} - ", "around {ts}: "]);
        expand(out, rng, t, ctx);
    } else if rng.chance(if sentiment == Sentiment::Neutral {
        0.45
    } else {
        0.35
    }) {
        out.push_str(pick(rng, openers));
        out.push(' ');
    }
    body(out, rng, sentiment, tables, ctx);
    if rng.chance(0.25) {
        end_punctuation(out, rng, sentiment);
        if !out.ends_with(' ') {
            out.push(' ');
        }
        let s = out.len();
        body(out, rng, sentiment, tables, ctx);
        capitalise_at(out, s);
    }
    let question = ends_with_question(out);
    if rng.chance(if question { 0.45 } else { 0.3 }) {
        end_punctuation(out, rng, sentiment);
        if !out.ends_with(' ') {
            out.push(' ');
        }
        let pool = if question {
            tables.question_tails
        } else {
            closers
        };
        expand_pick(out, rng, pool, ctx);
    }
    if rng.chance(0.12) && !ends_with_question(out) {
        out.push(' ');
        out.push_str(pick(rng, tails));
    }
    end_punctuation(out, rng, sentiment);
    if rng.chance(0.08) {
        typo(out, rng, start);
    }
    casing(out, rng, start, sentiment);
    emoji(out, rng, sentiment);
}

fn reply_with(
    out: &mut String,
    rng: &mut Rng,
    sentiment: Sentiment,
    tables: &CommentTables,
    ctx: &Ctx<'_>,
    long_replies: f64,
) {
    let start = out.len();
    expand_pick(out, rng, tables.replies[at(sentiment)], ctx);
    if rng.chance(long_replies) {
        end_punctuation(out, rng, sentiment);
        out.push(' ');
        let s = out.len();
        body(out, rng, sentiment, tables, ctx);
        capitalise_at(out, s);
    }
    end_punctuation(out, rng, sentiment);
    casing(out, rng, start, sentiment);
    emoji(out, rng, sentiment);
}

/// A direct message of the given type.
pub fn dm(rng: &mut Rng, niche: Niche, kind: DmType) -> String {
    let ctx = Ctx::new(niche, DEFAULT_VIDEO_SECONDS);
    let pool = match kind {
        DmType::Fan => DM_FAN,
        DmType::Question => DM_QUESTION,
        DmType::Collaboration => DM_COLLAB,
        DmType::Spam => DM_SPAM,
        DmType::Criticism => DM_CRITICISM,
    };
    let mut out = String::with_capacity(160);
    if kind != DmType::Spam && rng.chance(0.5) {
        out.push_str(pick(rng, DM_GREETINGS));
        out.push(' ');
    }
    let s = out.len();
    expand_pick(&mut out, rng, pool, &ctx);
    capitalise_at(&mut out, s);
    if kind == DmType::Fan && rng.chance(0.4) {
        out.push(' ');
        out.push_str(pick(rng, EMOJI_POSITIVE));
    }
    if kind == DmType::Collaboration && rng.chance(0.6) {
        let t = pick(rng, DM_COLLAB_SIGNOFF);
        expand(&mut out, rng, t, &ctx);
    }
    out
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

/// The sentence tables a comment is written from. Each array holds the
/// positive, neutral and negative table, in that order. Openers and tails
/// are plain words; closers, bodies, replies and question tails are
/// templates (see the slots in the word tables: `{t}` a topic, `{ts}` a
/// moment, `{acct}` the account's noun, ...).
#[derive(Clone, Copy, Debug)]
pub struct CommentTables {
    /// "omg", "quick question,", "ugh".
    pub openers: [&'static [&'static str]; 3],
    /// "keep it up", "thanks in advance", "do better".
    pub closers: [&'static [&'static str]; 3],
    /// "lol", "tbh", "smh".
    pub tails: [&'static [&'static str]; 3],
    /// The sentences themselves; a niche's own ones are mixed in.
    pub bodies: [&'static [&'static str]; 3],
    /// Replies to another commenter.
    pub replies: [&'static [&'static str]; 3],
    /// What follows a question ("anyone?").
    pub question_tails: &'static [&'static str],
}

/// Comments on videos: watching, editing, timestamps into the video.
pub const VIDEO_TABLES: CommentTables = CommentTables {
    openers: [OPEN_POSITIVE, OPEN_NEUTRAL, OPEN_NEGATIVE],
    closers: [CLOSE_POSITIVE, CLOSE_NEUTRAL, CLOSE_NEGATIVE],
    tails: [TAIL_POSITIVE, TAIL_NEUTRAL, TAIL_NEGATIVE],
    bodies: [POSITIVE, NEUTRAL, NEGATIVE],
    replies: [REPLY_POSITIVE, REPLY_NEUTRAL, REPLY_NEGATIVE],
    question_tails: QUESTION_TAILS,
};

/// Comments on written posts: reading, threads, nothing about video.
pub const POST_TABLES: CommentTables = CommentTables {
    openers: [OPEN_POSITIVE, OPEN_NEUTRAL, OPEN_NEGATIVE],
    closers: [POST_CLOSE_POSITIVE, POST_CLOSE_NEUTRAL, POST_CLOSE_NEGATIVE],
    tails: [TAIL_POSITIVE, TAIL_NEUTRAL, TAIL_NEGATIVE],
    bodies: [POST_POSITIVE, POST_NEUTRAL, POST_NEGATIVE],
    replies: [POST_REPLY_POSITIVE, POST_REPLY_NEUTRAL, POST_REPLY_NEGATIVE],
    question_tails: POST_QUESTION_TAILS,
};

/// Captions that announce content of any kind (`{post}` names it).
pub const CAPTION_LINES: &[&str] = CAPTIONS;
/// What `{ts}` names on a written post: "the second paragraph".
pub const TEXT_MOMENTS: &[&str] = TEXT_PARTS;
/// Words that give a text away as about video, for a style's `avoid`.
pub const VIDEO_WORDS: &[&str] = VIDEO_VOCABULARY;

/// Friends tagged at the start of a comment: "@pixel.fox look at this".
#[derive(Clone, Copy, Debug)]
pub struct FriendTags {
    /// The chance of a tag, by sentiment.
    pub rates: [f64; 3],
    /// The chance that a line from `lines` follows the tag.
    pub line_rate: f64,
    pub lines: &'static [&'static str],
}

/// Short comments ("the lighting >>> 😭") written instead of a full one.
#[derive(Clone, Copy, Debug)]
pub struct ShortComments {
    /// The chance that a comment is short.
    pub rate: f64,
    /// Templates by sentiment.
    pub bodies: [&'static [&'static str]; 3],
    /// The chance of a lead word ("wait", "ngl") and the words.
    pub lead_rate: f64,
    pub leads: &'static [&'static str],
    /// The chance that the comment is put in lower case.
    pub lower_case: f64,
    /// The chance of a tail word ("fr", "istg") and the words.
    pub tail_rate: f64,
    pub tails: &'static [&'static str],
    /// The chance of one more positive emoji after the emoji run.
    pub extra_emoji: f64,
}

/// How replies to another commenter read.
#[derive(Clone, Copy, Debug)]
pub struct ReplyRules {
    /// The chance that a reply starts with the `@handle` it answers.
    pub mention: f64,
    /// The chance that a reply goes on past its opening line.
    pub long: f64,
    /// Whether replies are written in lower case.
    pub lower_case: bool,
    /// The chance of an extra emoji run.
    pub emoji: f64,
}

/// How comments, replies and captions read on a platform: a plugin
/// defines its own (a `const`, passed by value) from the tables and rules
/// here. A rate of 0 draws nothing from the generator, so a rule a style
/// does not use costs no draw.
#[derive(Clone, Copy, Debug)]
pub struct CommentStyle {
    /// Names the style (in messages and tests).
    pub name: &'static str,
    pub nouns: Nouns,
    pub tables: &'static CommentTables,
    /// What `{ts}` names on content without a timeline ("the second pic",
    /// "the last paragraph").
    pub moments: &'static [&'static str],
    /// Words the niche's vocabulary may not bring into a text (a topic
    /// such as "the b-roll" on a text platform); matched ASCII
    /// case-insensitively anywhere in a word table's entry.
    pub avoid: &'static [&'static str],
    pub tags: Option<FriendTags>,
    pub short: Option<ShortComments>,
    /// The chance of an extra emoji run after a full comment.
    pub emoji_after: f64,
    pub replies: ReplyRules,
    /// Caption lines ([`caption`]).
    pub captions: &'static [&'static str],
    /// Link lines under a description ([`video_description`]).
    pub links: &'static [&'static str],
}

impl PartialEq for CommentStyle {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for CommentStyle {}

impl CommentStyle {
    /// A text platform's style: sentences about posts on an account, no
    /// video vocabulary, replies that often name who they answer.
    pub const GENERIC: CommentStyle = CommentStyle {
        name: "generic",
        nouns: Nouns::GENERIC,
        tables: &POST_TABLES,
        moments: TEXT_MOMENTS,
        avoid: VIDEO_WORDS,
        tags: None,
        short: None,
        emoji_after: 0.0,
        replies: ReplyRules {
            mention: 0.5,
            long: 0.6,
            lower_case: false,
            emoji: 0.2,
        },
        captions: TEXT_CAPTIONS,
        links: TEXT_LINKS,
    };
}

/// A chance that costs no draw when it is 0.
fn maybe(rng: &mut Rng, p: f64) -> bool {
    p > 0.0 && rng.chance(p)
}

/// Append an `@handle` of a made-up account (for tagging a friend).
fn push_tag(out: &mut String, rng: &mut Rng) {
    out.push('@');
    out.push_str(pick(rng, HANDLE_WORDS_A));
    out.push_str(pick(rng, &["", "", "_", "."]));
    out.push_str(pick(rng, HANDLE_WORDS_B));
    if rng.chance(0.5) {
        push_digits(out, rng.below(1000));
    }
}

/// An extra run of one to three emoji of the sentiment's set.
fn emoji_run(out: &mut String, rng: &mut Rng, sentiment: Sentiment) {
    let set = match sentiment {
        Sentiment::Positive => EMOJI_POSITIVE,
        Sentiment::Neutral => EMOJI_NEUTRAL,
        Sentiment::Negative => EMOJI_NEGATIVE,
    };
    out.push(' ');
    let e = pick(rng, set);
    for _ in 0..1 + rng.below(3) {
        out.push_str(e);
    }
}

/// Append a comment in a platform's style. `seconds`: the length of the
/// video commented on, or `None` for a still or written post (no
/// timestamps then).
pub fn write_styled_comment(
    out: &mut String,
    rng: &mut Rng,
    niche: Niche,
    sentiment: Sentiment,
    style: CommentStyle,
    seconds: Option<u32>,
) {
    let ctx = Ctx::styled(niche, seconds, &style);
    let i = at(sentiment);
    if let Some(short) = style.short {
        if rng.chance(short.rate) {
            let start = out.len();
            if rng.chance(short.lead_rate) {
                out.push_str(pick(rng, short.leads));
                out.push(' ');
            }
            expand_pick(out, rng, short.bodies[i], &ctx);
            if rng.chance(short.lower_case) {
                out[start..].make_ascii_lowercase();
            }
            if rng.chance(short.tail_rate) {
                out.push(' ');
                out.push_str(pick(rng, short.tails));
            }
            emoji_run(out, rng, sentiment);
            if rng.chance(short.extra_emoji) {
                out.push_str(pick(rng, EMOJI_POSITIVE));
            }
            return;
        }
    }
    if let Some(tags) = style.tags {
        // Tagging a friend: "@pixel.fox look at this ...".
        if rng.chance(tags.rates[i]) {
            push_tag(out, rng);
            out.push(' ');
            if rng.chance(tags.line_rate) {
                out.push_str(pick(rng, tags.lines));
                out.push_str(pick(rng, &[" ", ". ", "! ", " - "]));
            }
        }
    }
    comment_with(out, rng, sentiment, style.tables, &ctx);
    if maybe(rng, style.emoji_after) {
        emoji_run(out, rng, sentiment);
    }
}

/// Append a reply in a platform's style. It may start with the `@handle`
/// it answers (`to`, with or without `@`), as the style's rules say.
pub fn write_styled_reply(
    out: &mut String,
    rng: &mut Rng,
    niche: Niche,
    sentiment: Sentiment,
    style: CommentStyle,
    seconds: Option<u32>,
    to: Option<&str>,
) {
    let ctx = Ctx::styled(niche, seconds, &style);
    let rules = style.replies;
    if let Some(to) = to {
        if maybe(rng, rules.mention) {
            out.push('@');
            out.push_str(to.trim_start_matches('@'));
            out.push(' ');
        }
    }
    let start = out.len();
    reply_with(out, rng, sentiment, style.tables, &ctx, rules.long);
    if rules.lower_case {
        out[start..].make_ascii_lowercase();
    }
    if maybe(rng, rules.emoji) {
        emoji_run(out, rng, sentiment);
    }
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
    /// A capacity for a whole account: any 1000 consecutive comments (and
    /// a few thousand more) are all distinct.
    pub const ACCOUNT_CAPACITY: usize = 4096;
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
    let mut z = post.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) | 1
}

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
    let mut h = 0;
    let mut repeats = true;
    for _ in 0..tries.max(1) {
        out.clear();
        write(out);
        h = fnv1a(out.as_bytes());
        if !taken(sets, h) {
            repeats = false;
            break;
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

/// A video description: a hook, a few lines about the video, chapters
/// with timestamps within `video_seconds`, one of the style's links (on
/// `.example` hosts) and hashtags.
pub fn video_description(
    rng: &mut Rng,
    niche: Niche,
    video_seconds: u32,
    style: CommentStyle,
) -> String {
    let v = niche.vocab();
    let len = if video_seconds == 0 {
        DEFAULT_VIDEO_SECONDS
    } else {
        video_seconds
    };
    let ctx = Ctx::styled(niche, Some(len), &style);
    let mut out = String::with_capacity(512);
    let s = out.len();
    expand_pick(&mut out, rng, DESCRIPTION_HOOKS, &ctx);
    capitalise_at(&mut out, s);
    out.push_str("\n\n");
    let s = out.len();
    expand_pick(&mut out, rng, v.description_lines, &ctx);
    capitalise_at(&mut out, s);
    out.push_str("\n\n");
    // Chapters at increasing times.
    let chapters = 3 + rng.below(4) as u32;
    out.push_str("Chapters:\n0:00 Intro\n");
    let mut at = 0;
    for i in 1..chapters {
        let step = len / chapters;
        at = (i * step + rng.below((step / 2).max(1) as u64) as u32).max(at + 1);
        push_timestamp(&mut out, at);
        out.push(' ');
        let s = out.len();
        expand_pick(&mut out, rng, CHAPTERS, &ctx);
        capitalise_at(&mut out, s);
        out.push('\n');
    }
    out.push('\n');
    expand_pick(&mut out, rng, style.links, &ctx);
    out.push_str("\n\n");
    for i in 0..(2 + rng.below(3)) {
        if i > 0 {
            out.push(' ');
        }
        out.push('#');
        out.push_str(pick_avoiding(rng, v.hashtags, ctx.avoid));
    }
    out
}

/// A short post caption in the style: one of its caption lines and
/// hashtags.
pub fn caption(rng: &mut Rng, niche: Niche, style: CommentStyle) -> String {
    let v = niche.vocab();
    let ctx = Ctx::styled(niche, Some(DEFAULT_VIDEO_SECONDS), &style);
    let mut out = String::with_capacity(120);
    expand_pick(&mut out, rng, style.captions, &ctx);
    capitalise_at(&mut out, 0);
    if rng.chance(0.5) {
        out.push(' ');
        out.push_str(pick(rng, EMOJI_POSITIVE));
    }
    for _ in 0..(2 + rng.below(4)) {
        out.push_str(" #");
        out.push_str(pick_avoiding(rng, v.hashtags, ctx.avoid));
    }
    out
}

/// A made-up display name: a first name, sometimes with an initial, a
/// surname or a word.
pub fn write_display_name(out: &mut String, rng: &mut Rng) {
    let first = pick(rng, FIRST_NAMES);
    match rng.below(10) {
        0..=2 => out.push_str(first),
        3..=4 => {
            out.push_str(first);
            out.push(' ');
            out.push((b'A' + rng.below(26) as u8) as char);
            out.push('.');
        }
        5..=7 => {
            out.push_str(first);
            out.push(' ');
            out.push_str(pick(rng, SURNAMES));
        }
        _ => {
            // A channel-style name: "Pixel Fox", "Cozy Kitchen".
            let a = pick(rng, HANDLE_WORDS_A);
            let b = pick(rng, HANDLE_WORDS_B);
            let s = out.len();
            out.push_str(a);
            capitalise_at(out, s);
            out.push(' ');
            let s = out.len();
            out.push_str(b);
            capitalise_at(out, s);
        }
    }
}

/// A base for a handle, made of words (not of a person's full name):
/// `pixelfox`, `maya.cooks`, `the_real_owl`.
pub fn write_handle_base(out: &mut String, rng: &mut Rng) {
    match rng.below(4) {
        0 => {
            out.push_str(pick(rng, FIRST_NAMES));
            out.push_str(pick(rng, &["", "_", "."]));
            out.push_str(pick(rng, HANDLE_WORDS_B));
        }
        1 => {
            out.push_str(pick(
                rng,
                &["the", "its", "just", "real", "not", "mr", "ms", "xo"],
            ));
            out.push_str(pick(rng, &["", "_"]));
            out.push_str(pick(rng, HANDLE_WORDS_B));
        }
        _ => {
            out.push_str(pick(rng, HANDLE_WORDS_A));
            out.push_str(pick(rng, &["", "", "_", "."]));
            out.push_str(pick(rng, HANDLE_WORDS_B));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Comments on videos, as a video platform would define them.
    const VIDEO: CommentStyle = CommentStyle {
        name: "video",
        nouns: Nouns {
            account: "channel",
            post: "video",
            posts: "videos",
            home: "here",
        },
        tables: &VIDEO_TABLES,
        moments: &["the second pic", "the last slide"],
        avoid: &[],
        tags: None,
        short: None,
        emoji_after: 0.0,
        replies: ReplyRules {
            mention: 0.0,
            long: 0.6,
            lower_case: false,
            emoji: 0.0,
        },
        captions: CAPTION_LINES,
        links: &["Support the {acct}: https://members.example/{handle}"],
    };

    /// Friends tagged, extra emoji, replies naming who they answer.
    const TAGGING: CommentStyle = CommentStyle {
        name: "tagging",
        tags: Some(FriendTags {
            rates: [0.16, 0.08, 0.03],
            line_rate: 0.6,
            lines: &["look at this", "told you", "this one"],
        }),
        emoji_after: 0.3,
        replies: ReplyRules {
            mention: 0.7,
            long: 0.6,
            lower_case: false,
            emoji: 0.3,
        },
        ..VIDEO
    };

    /// Mostly short comments, lower-case replies.
    const SHORT: CommentStyle = CommentStyle {
        name: "short",
        short: Some(ShortComments {
            rate: 0.55,
            bodies: [
                &[
                    "{t} was {a}",
                    "{s} >>>",
                    "obsessed with {t}",
                    "{t} hits different",
                ],
                &["part {n}?", "{ts}?", "link to {s}?", "anyone tried {s}?"],
                &["{t} was {b}", "{s}? nah", "skip {t}", "{t} is {b} ngl"],
            ],
            lead_rate: 0.4,
            leads: &["ok", "wait", "ngl", "omg"],
            lower_case: 0.7,
            tail_rate: 0.3,
            tails: &["fr", "lol", "tbh"],
            extra_emoji: 0.4,
        }),
        emoji_after: 0.5,
        replies: ReplyRules {
            mention: 0.3,
            long: 0.3,
            lower_case: true,
            emoji: 0.6,
        },
        ..VIDEO
    };

    fn comment(rng: &mut Rng, niche: Niche, sentiment: Sentiment, seconds: u32) -> String {
        let mut s = String::new();
        write_styled_comment(&mut s, rng, niche, sentiment, VIDEO, Some(seconds));
        s
    }

    fn reply(rng: &mut Rng, niche: Niche, sentiment: Sentiment, seconds: u32) -> String {
        let mut s = String::new();
        write_styled_reply(&mut s, rng, niche, sentiment, VIDEO, Some(seconds), None);
        s
    }

    #[test]
    fn niches_parse_with_aliases() {
        assert_eq!(Niche::parse("tech"), Ok(Niche::Tech));
        assert_eq!(Niche::parse("Tech Reviews"), Ok(Niche::Tech));
        assert_eq!(Niche::parse("makeup tutorials"), Ok(Niche::Beauty));
        assert_eq!(Niche::parse("home cooking & recipes"), Ok(Niche::Cooking));
        assert_eq!(Niche::parse("game reviews"), Ok(Niche::Gaming));
        assert_eq!(Niche::parse("recipes"), Ok(Niche::Cooking));
        assert_eq!(Niche::parse("daily vlogs"), Ok(Niche::Lifestyle));
        assert_eq!(Niche::parse("esports"), Ok(Niche::Gaming));
        assert_eq!(Niche::parse(""), Ok(Niche::Lifestyle));
        for n in Niche::ALL {
            assert_eq!(Niche::parse(&n.name().to_uppercase()), Ok(n));
        }
        let e = Niche::parse("underwater basket weaving").unwrap_err();
        assert!(
            e.contains("underwater basket weaving") && e.contains("cooking"),
            "{e}"
        );
    }

    fn distinct(n: usize, seed: u64, niche: Niche) -> usize {
        let mut rng = Rng::new(seed, "distinct");
        let set: BTreeSet<String> = (0..n)
            .map(|_| {
                let s = Sentiment::sample(&mut rng);
                comment(&mut rng, niche, s, 900)
            })
            .collect();
        set.len()
    }

    #[test]
    fn a_thousand_comments_are_all_distinct() {
        for (seed, niche) in [(1, Niche::Tech), (2, Niche::Cooking), (3, Niche::Comedy)] {
            assert_eq!(distinct(1000, seed, niche), 1000, "{niche:?}");
        }
    }

    #[test]
    fn ten_thousand_comments_are_nearly_all_distinct() {
        for (seed, niche) in Niche::ALL.iter().enumerate() {
            let d = distinct(10_000, seed as u64 + 40, *niche);
            assert!(d >= 9_900, "{niche:?}: {d}");
        }
    }

    #[test]
    fn ten_thousand_comments_of_each_sentiment_are_nearly_all_distinct() {
        let mut rng = Rng::new(6, "neg");
        for s in Sentiment::ALL {
            let set: BTreeSet<String> = (0..10_000)
                .map(|_| comment(&mut rng, Niche::Fitness, s, 600))
                .collect();
            assert!(set.len() >= 9_900, "{s:?}: {}", set.len());
        }
    }

    #[test]
    fn sentiment_mix_is_65_25_10() {
        let mut rng = Rng::new(7, "mix");
        let n = 20_000;
        let mut counts = [0usize; 3];
        for _ in 0..n {
            counts[Sentiment::sample(&mut rng) as usize] += 1;
        }
        for (i, want) in Sentiment::MIX.iter().enumerate() {
            let got = counts[i] as f64 / n as f64;
            assert!((got - want).abs() < 0.02, "{i}: {got}");
        }
    }

    #[test]
    fn dm_mix_is_40_30_15_10_5() {
        let mut rng = Rng::new(8, "dm");
        let n = 20_000;
        let mut counts = [0usize; 5];
        for _ in 0..n {
            counts[DmType::sample(&mut rng) as usize] += 1;
        }
        for (i, want) in DmType::MIX.iter().enumerate() {
            let got = counts[i] as f64 / n as f64;
            assert!((got - want).abs() < 0.02, "{i}: {got}");
        }
    }

    #[test]
    fn no_unfilled_slots_anywhere() {
        let mut rng = Rng::new(9, "slots");
        for niche in Niche::ALL {
            for _ in 0..400 {
                for s in Sentiment::ALL {
                    let c = comment(&mut rng, niche, s, 600);
                    assert!(!c.contains('{') && !c.contains('}'), "{c}");
                    assert!(!c.trim().is_empty());
                    let r = reply(&mut rng, niche, s, 600);
                    assert!(!r.contains('{') && !r.contains('}'), "{r}");
                }
                for k in DmType::ALL {
                    let d = dm(&mut rng, niche, k);
                    assert!(!d.contains('{') && !d.contains('}'), "{d}");
                }
                let t = video_title(&mut rng, niche);
                assert!(!t.contains('{') && !t.contains('}') && !t.is_empty(), "{t}");
                let d = video_description(&mut rng, niche, 600, VIDEO);
                assert!(!d.contains('{') && !d.contains('}'), "{d}");
                let c = caption(&mut rng, niche, VIDEO);
                assert!(!c.contains('{') && !c.contains('}'), "{c}");
            }
        }
    }

    #[test]
    fn neutral_comments_include_questions_and_timestamps_within_the_video() {
        let mut rng = Rng::new(10, "neutral");
        let cs: Vec<String> = (0..2000)
            .map(|_| comment(&mut rng, Niche::Education, Sentiment::Neutral, 400))
            .collect();
        let questions = cs.iter().filter(|c| c.contains('?')).count();
        assert!(questions > 300, "{questions}");
        let mut stamps = 0;
        for c in &cs {
            for w in c.split(|ch: char| !(ch.is_ascii_digit() || ch == ':')) {
                let parts: Vec<&str> = w.split(':').collect();
                if parts.len() == 2 && !parts[0].is_empty() && parts[1].len() == 2 {
                    let secs: u32 =
                        parts[0].parse::<u32>().unwrap() * 60 + parts[1].parse::<u32>().unwrap();
                    assert!(secs < 400, "{c}");
                    stamps += 1;
                }
            }
        }
        assert!(stamps > 100, "{stamps}");
    }

    #[test]
    fn text_is_niche_aware() {
        let mut rng = Rng::new(11, "niche");
        let tech: String = (0..300)
            .map(|_| video_title(&mut rng, Niche::Tech))
            .collect();
        let cook: String = (0..300)
            .map(|_| video_title(&mut rng, Niche::Cooking))
            .collect();
        assert_ne!(tech, cook);
        let cook_lower = cook.to_lowercase();
        assert!(
            ["recipe", "kitchen", "cook", "bread", "pasta"]
                .iter()
                .any(|w| cook_lower.contains(w)),
            "{cook}"
        );
    }

    #[test]
    fn descriptions_have_chapters_links_and_hashtags() {
        let mut rng = Rng::new(12, "desc");
        let d = video_description(&mut rng, Niche::Travel, 900, VIDEO);
        assert!(d.contains("0:00 Intro"), "{d}");
        assert!(
            d.contains("Support the channel: https://members.example/"),
            "{d}"
        );
        assert!(d.contains('#'), "{d}");
        assert!(!d.contains("http") || d.contains(".example"), "{d}");
    }

    #[test]
    fn timestamps_format() {
        let mut s = String::new();
        push_timestamp(&mut s, 221);
        s.push(' ');
        push_timestamp(&mut s, 3723);
        s.push(' ');
        push_timestamp(&mut s, 5);
        assert_eq!(s, "3:41 1:02:03 0:05");
    }

    #[test]
    fn names_and_handles() {
        let mut rng = Rng::new(13, "names");
        for _ in 0..200 {
            let mut n = String::new();
            write_display_name(&mut n, &mut rng);
            assert!(!n.is_empty());
            let mut h = String::new();
            write_handle_base(&mut h, &mut rng);
            assert!(
                h.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.'),
                "{h}"
            );
        }
    }
    fn styled(n: usize, seed: u64, style: CommentStyle, seconds: Option<u32>) -> Vec<String> {
        let mut rng = Rng::new(seed, "styled");
        (0..n)
            .map(|i| {
                let s = Sentiment::sample(&mut rng);
                let mut c = String::new();
                write_styled_comment(&mut c, &mut rng, Niche::ALL[i % 10], s, style, seconds);
                c
            })
            .collect()
    }

    #[test]
    fn styled_comments_are_distinct_and_look_like_the_platform() {
        for (style, seconds) in [(TAGGING, None), (TAGGING, Some(30)), (SHORT, Some(25))] {
            let cs = styled(10_000, 3, style, seconds);
            let set: BTreeSet<&String> = cs.iter().collect();
            assert!(set.len() >= 9_800, "{}: {}", style.name, set.len());
            let first: BTreeSet<&String> = cs[..1000].iter().collect();
            assert!(first.len() >= 995, "{}: {}", style.name, first.len());
            for c in &cs {
                assert!(!c.contains('{') && !c.trim().is_empty(), "{c}");
            }
            let emoji = cs.iter().filter(|c| !c.is_ascii()).count() as f64 / 1e4;
            assert!(emoji > 0.5, "{}: {emoji}", style.name);
            if style == TAGGING {
                let tags = cs.iter().filter(|c| c.starts_with('@')).count();
                assert!(tags > 500, "{tags}");
            }
        }
        // No timestamps on a photo.
        for c in styled(3000, 4, TAGGING, None) {
            assert!(
                !c.split(|ch: char| !(ch.is_ascii_digit() || ch == ':'))
                    .any(|w| w.len() >= 4 && w.contains(':')),
                "{c}"
            );
        }
        // Short comments are short.
        let ig = styled(5000, 5, TAGGING, Some(30));
        let tt = styled(5000, 5, SHORT, Some(30));
        let len = |v: &[String]| v.iter().map(|c| c.chars().count()).sum::<usize>() / v.len();
        assert!(len(&tt) * 10 < len(&ig) * 8, "{} vs {}", len(&tt), len(&ig));
    }

    #[test]
    fn distinct_retries_repeats() {
        let mut d = Distinct::default();
        let mut out = String::new();
        let mut n = 0;
        d.write(&mut out, 3, |o| {
            n += 1;
            o.push_str("same");
        });
        assert_eq!((n, d.len()), (1, 1));
        let mut k = 0;
        d.write(&mut out, 3, |o| {
            k += 1;
            o.push_str(if k < 3 { "same" } else { "new" });
        });
        assert_eq!((k, out.as_str(), d.len()), (3, "new", 2));
        // Survives serde (the index is rebuilt).
        let mut e: Distinct = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert!(!e.insert("new") && e.insert("newer"));
        // Bounded.
        for i in 0..2 * Distinct::POST_CAPACITY {
            d.insert(&i.to_string());
        }
        assert_eq!(d.len(), Distinct::POST_CAPACITY);
        let mut account = Distinct::with_capacity(10);
        account.insert("x");
        let mut tries = 0;
        write_distinct(&mut [&mut e, &mut account], &mut out, 5, |o| {
            tries += 1;
            o.push_str(["new", "x", "y"][tries - 1]);
        });
        assert_eq!((tries, out.as_str()), (3, "y"));
        // A text that keeps repeating gets a varied ending.
        let mut post = Distinct::default();
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..100 {
            post.write(&mut out, 4, |o| o.push_str("so good"));
            assert!(out.starts_with("so good"));
            assert!(seen.insert(out.clone()), "{out}");
        }
        assert!(!e.insert("y") && !account.insert("y"));
        assert!(d.insert("0"));
        d.clear();
        assert!(d.is_empty());
    }

    #[test]
    fn styled_replies_and_mentions() {
        let mut rng = Rng::new(6, "replies");
        let mut tagged = 0;
        for _ in 0..1000 {
            let mut r = String::new();
            write_styled_reply(
                &mut r,
                &mut rng,
                Niche::Beauty,
                Sentiment::Positive,
                TAGGING,
                None,
                Some("@pixel.fox"),
            );
            tagged += usize::from(r.starts_with("@pixel.fox "));
            assert!(!r.contains('{'), "{r}");
        }
        assert!((600..800).contains(&tagged), "{tagged}");
        for _ in 0..200 {
            let m = mention(&mut rng, Niche::Cooking, "@maya.bakes");
            assert!(m.contains("@maya.bakes") && !m.contains('{'), "{m}");
        }
    }

    /// Comments, replies and captions in the generic style on written
    /// posts, across every niche and sentiment: no video vocabulary.
    #[test]
    fn the_generic_style_says_nothing_about_video_on_text_posts() {
        const VIDEO_TALK: &[&str] = &[
            "channel",
            "video",
            "vid ",
            "b-roll",
            "subscribe",
            "upload",
            "watch",
            "views",
            "vlog",
            "thumbnail",
            "footage",
            "editing",
            "intro",
            "youtube",
            "instagram",
            "tiktok",
            "fyp",
            "the second pic",
            "the last slide",
        ];
        let style = CommentStyle::GENERIC;
        let mut rng = Rng::new(21, "generic");
        let mut all = String::new();
        let mut texts = BTreeSet::new();
        for i in 0..6000 {
            let niche = Niche::ALL[i % 10];
            let s = Sentiment::ALL[i % 3];
            let mut c = String::new();
            write_styled_comment(&mut c, &mut rng, niche, s, style, None);
            let mut r = String::new();
            write_styled_reply(&mut r, &mut rng, niche, s, style, None, Some("@pixel.fox"));
            let k = caption(&mut rng, niche, style);
            for t in [&c, &r, &k] {
                assert!(!t.contains('{') && !t.trim().is_empty(), "{t}");
                let lower = t.to_lowercase();
                for w in VIDEO_TALK {
                    assert!(!lower.contains(w), "{w:?} in {t:?}");
                }
                all.push_str(&lower);
                all.push('\n');
            }
            texts.insert(c);
        }
        // It still reads as comments on an account's posts, and varies.
        assert!(all.contains("account") && all.contains("post"), "{all}");
        assert!(texts.len() >= 5900, "{}", texts.len());
        assert!(all.contains("the second paragraph") || all.contains("the last line"));
        // The same draws under a video style do bring video words in.
        let mut rng = Rng::new(21, "generic");
        let video: String = (0..3000)
            .map(|i| comment(&mut rng, Niche::ALL[i % 10], Sentiment::ALL[i % 3], 600))
            .collect::<Vec<_>>()
            .join("\n")
            .to_lowercase();
        assert!(video.contains("channel") && video.contains("video") && video.contains("watch"));
    }

    #[test]
    fn avoided_words_are_drawn_around() {
        let mut rng = Rng::new(22, "avoid");
        let items: &[&'static str] = &["the b-roll", "the VIDEO edit", "the thread"];
        for _ in 0..200 {
            assert_eq!(
                pick_avoiding(&mut rng, items, &["b-roll", "video"]),
                "the thread"
            );
        }
        assert_eq!(pick_avoiding(&mut rng, &["video"], &["video"]), "");
        // Nothing to avoid: one plain draw, the same as `pick`.
        let mut a = Rng::new(23, "avoid");
        let mut b = Rng::new(23, "avoid");
        for _ in 0..100 {
            assert_eq!(pick_avoiding(&mut a, items, &[]), pick(&mut b, items));
        }
        assert!(has_any("Best CHANNEL", &["channel"]) && !has_any("post", &["channel", ""]));
    }
}
