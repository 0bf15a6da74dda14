//! Comments and replies from a small grammar: what is said (an [`Act`]:
//! praise of the post's subject, a reaction to one of its moments, a
//! question, a story, a joke, a critique, ...) is chosen from the post's
//! [`Gist`], the writer's [`Voice`] and the platform's [`Shape`]; how it is
//! said is a frame of that act whose slots are typed (a subject slot only
//! ever takes the post's subject, a moment slot one of its moments), then
//! the voice's habits: lead and tail words, casing, punctuation, laughter,
//! stretched words, typos, emoji and where they go.
//!
//! A reply knows what its parent said ([`Said`]): it answers a question,
//! agrees with or argues against a take, laughs at a joke, pushes back on a
//! troll, and names the same thing its parent named.

use serde::{Deserialize, Serialize};

use super::super::rng::Rng;
use super::gist::Gist;
use super::voice::{Character, EmojiAt, Voice};
use super::{fill_slots, push_timestamp, CommentStyle, Niche, Sentiment};

/// What a comment does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Act {
    /// A word or an emoji: "W", "🔥🔥".
    #[default]
    Reaction,
    /// About the post's subject.
    Praise,
    /// About one of its moments.
    Moment,
    Question,
    /// The viewer's own experience.
    Story,
    Joke,
    Critique,
    Troll,
    /// Spam, a brand's pitch or a bot's line.
    Spam,
    /// Answers a question (the post's or a commenter's).
    Answer,
}

/// What a comment said, kept with its thread so replies can answer it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Said {
    pub act: Act,
    /// What it named: 0 the subject, `1 + i` the post's moment `i`.
    #[serde(default)]
    pub about: u8,
}

/// How comments are shaped on a platform: how many are one-to-three-word
/// reactions or emoji alone, how many run to several sentences, how much
/// emoji, whether timestamps and friend tags appear, how replies open.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shape {
    /// Share of comments that are short reactions (before the writer's
    /// own leaning).
    pub reaction: f64,
    /// Share that are emoji alone.
    pub emoji_only: f64,
    /// Share that run to two sentences.
    pub long: f64,
    /// A factor on the writer's emoji habit.
    pub emoji: f64,
    /// Whether comments quote timestamps (videos with chapters).
    pub timestamps: bool,
    /// Share of comments that tag a friend ("@maya.silva look").
    pub friend_tags: f64,
    /// Share of replies that open with the `@handle` they answer.
    pub reply_mention: f64,
    /// Extra chance that a comment is all lower case.
    pub lower: f64,
}

/// Everything a comment is written from.
pub struct Scene<'a> {
    pub niche: Niche,
    pub style: &'a CommentStyle,
    pub gist: &'a Gist,
    /// The video's length; `None` for a still or written post.
    pub seconds: Option<u32>,
    pub voice: &'a Voice,
    pub sentiment: Sentiment,
}

fn pick<'t>(rng: &mut Rng, items: &[&'t str]) -> &'t str {
    if items.is_empty() {
        return "";
    }
    items[rng.below(items.len() as u64) as usize]
}

// ------------------------------------------------------------------ frames
//
// Slots: {S} the subject ("the perfect push up"), {s} its short form
// ("push up"), {M} a moment of the post, {T} that moment's timestamp (only
// where the platform quotes them), {O} the viewer's own situation, {F}
// someone they know, {L} their laugh, {post} the platform's word for a
// post, {P} the niche's pursuit.

const PRAISE: &[&str] = &[
    "{S} is exactly what I needed today",
    "ok {S} actually looks doable",
    "been waiting for someone to cover {S}",
    "{S} is so underrated",
    "saving this, {S} is going on my list",
    "the way you explain {S} just makes sense",
    "nobody does {S} like you",
    "best take on {S} I've seen",
    "{S} never gets old",
    "{S} looks way easier when you do it",
    "needed this {s} breakdown",
    "{s} >>> everything else",
    "didn't expect to care about {S} this much",
    "how is {S} so satisfying",
    "you made {S} look fun somehow",
    "this is the {s} content I'm here for",
    "{s} season is back",
    "ok you sold me on {S}",
    "{S} was so worth it",
    "I could watch {S} all day",
    "love how honest you were about {S}",
    "{S} done right for once",
    "the {s} era is my favourite era",
    "fine, I'm trying {S} this week",
];

const PRAISE_LONG: &[&str] = &[
    "I've seen a lot of {S} {posts} and this is the first one that made it click",
    "you can tell how much work went into {S}, the whole thing flows so well",
    "came in skeptical about {S} and left with a plan for the weekend",
    "honestly {S} was the push I needed after a rough week",
];

const MOMENT: &[&str] = &[
    "{M} was my favourite part",
    "{M} though",
    "came for {S}, stayed for {M}",
    "replayed {M} way too many times",
    "{M} deserves its own {post}",
    "not {M} being the best part",
    "{M} had me hooked",
    "{M} was so clean",
    "nobody's talking about {M}",
    "{M} is the part I'll remember",
    "wasn't ready for {M}",
    "{M} alone was worth it",
    "the energy in {M}",
    "ok {M} was genuinely useful",
];

const STAMPED: &[&str] = &[
    "{T} is where it gets good",
    "{T} {M} is the best part",
    "{T} this part",
    "{T} the whole reason I clicked",
    "{T} I had to pause",
    "{T} {M} 👀",
    "{T} rewatched this five times",
    "{T} is criminally good",
];

const QUESTION: &[&str] = &[
    "wait how long did {S} take you",
    "is {S} ok for beginners",
    "does {S} work with {O}",
    "can you do a full {post} on {M}",
    "how did you get into {S}",
    "what would you change about {S} now",
    "is {M} the same for everyone or just you",
    "any tips for {S} with {O}",
    "how often do you do {S}",
    "where do I even start with {S}",
    "would {S} still work on {O}",
    "did you plan {M} or was that luck",
];

const QUESTION_SHORT: &[&str] = &[
    "part 2?",
    "song?",
    "what's the song",
    "link?",
    "part 2 when",
    "is there a part 2",
    "name of the song?",
    "{s}?",
    "wait what",
    "how??",
    "tutorial?",
    "where's {M} from",
];

const STORY: &[&str] = &[
    "tried {S} with {O} and it actually worked",
    "showed {S} to {F} and now we're both hooked",
    "sending this to {F} right now",
    "{F} and I tried {S} last night",
    "did {S} for the first time because of you",
    "been doing {S} wrong for years apparently",
    "this is going straight to {F}",
    "{F} needs to see {M}",
    "literally doing {S} tomorrow",
    "tried {M} and yeah, it works",
];

const JOKE: &[&str] = &[
    "me pretending I'll ever try {S}",
    "{S} really said not today",
    "POV: you just found out about {S}",
    "me at 2am watching {S} instead of sleeping",
    "{F} when they see {S}: 👀",
    "{M} is personal at this point",
    "the way I said out loud 'no way' at {M}",
    "{S} is my new personality now",
    "my brain during {M}: 🤯",
    "I came here to learn {S} and learned nothing {L}",
];

const OBSERVE: &[&str] = &[
    "first time seeing {S} done like this",
    "didn't know {S} was a thing",
    "here before this blows up",
    "{S} again? not complaining",
    "the algorithm knew I needed {S}",
    "interesting take on {S}",
    "never thought about {M} like that",
    "so {S} is the new thing now",
];

const ANSWER_POST: &[&str] = &[
    "{M} for sure",
    "has to be {M}",
    "{M}, no question",
    "mine is {M}",
    "depends on the day tbh",
    "{s} every time",
    "honestly {M}",
    "both but {M} wins",
];

const CRITIQUE: &[&str] = &[
    "{S} is overrated, sorry",
    "not convinced by {M} at all",
    "{M} felt rushed",
    "this is just {S} with extra steps",
    "you skipped the hardest part of {S}",
    "{M} is wrong and you know it",
    "nah {S} isn't it",
    "{S} used to be better",
    "too much talking before {M}",
    "{S} doesn't work for most people",
    "the {s} hype is getting old",
    "liked your older {posts} more than this",
    "{M} made no sense",
    "that's not how {S} works",
];

const GRUDGING: &[&str] = &[
    "ok this one was actually good",
    "fair, {S} was well done",
    "not usually a fan but {M} was good",
    "fine, {S} won me over",
];

const TROLL: &[&str] = &[
    "who asked",
    "fell off",
    "mid",
    "ratio",
    "L",
    "cringe",
    "nobody cares about {S}",
    "this is embarrassing",
    "delete this",
    "worst {post} yet",
    "bro thinks {S} is content",
];

const SPAM: &[&str] = &[
    "check my page for {P} tips",
    "who wants free followers? look at my bio",
    "I post {P} content too, come say hi",
    "giving away 3 gift cards, see my profile",
    "my {P} page needs love, check it out",
];

const BRAND: &[&str] = &[
    "love this! DM us for a collab",
    "hey! we'd love to work with you, check your messages",
    "your content would fit our brand so well, sent you a message",
    "collab? 💌 check your inbox",
];

const BOT: &[&str] = &[
    "Great content! Keep it up",
    "Nice video",
    "Amazing work as always",
    "Very informative, thanks for sharing",
    "Wow, awesome",
];

const REACT_POSITIVE: &[&str] = &[
    "W",
    "so good",
    "obsessed",
    "love this",
    "need this",
    "yesss",
    "this!!",
    "perfect",
    "iconic",
    "{s}!!",
    "{s} >>>",
    "peak",
    "goated",
    "no way",
    "stunning",
    "elite",
    "the {s}",
    "omg",
    "underrated",
    "instant save",
    "on repeat",
    "masterpiece",
    "W {s}",
    "more please",
    "{s} 🔥",
    "{s} goated",
    "love {s}",
    "{s} W",
    "ok {s}",
    "{s} yes",
];
const REACT_NEUTRAL: &[&str] = &[
    "first",
    "early",
    "hmm",
    "interesting",
    "saved",
    "noted",
    "wait",
    "same",
    "okay",
    "{s}?",
    "huh",
    "me rn",
    "bookmarking",
    "sooo",
    "{s} again",
    "{s} tips?",
    "wait {s}?",
];
const REACT_NEGATIVE: &[&str] = &[
    "mid",
    "nah",
    "meh",
    "boring",
    "L",
    "skip",
    "fell off",
    "cringe",
    "not it",
    "yikes",
    "clickbait",
    "why",
    "overrated",
    "{s} again?",
    "{s}, really?",
    "{s} is mid",
];

const EMOJI_POSITIVE: &[&str] = &[
    "🔥", "😂", "😭", "❤️", "🙌", "💪", "😍", "👏", "🫶", "✨", "🥹", "💯", "🤩", "😮",
];
const EMOJI_NEUTRAL: &[&str] = &["👀", "🤔", "😅", "🙏", "😶", "🫠"];
const EMOJI_NEGATIVE: &[&str] = &["💀", "🙄", "🥱", "😴", "👎", "🤡", "😬"];

const FRIENDS: &[&str] = &[
    "my sister",
    "my roommate",
    "my bf",
    "my gf",
    "my mom",
    "the group chat",
    "my brother",
    "my best friend",
    "my coworker",
    "my dad",
    "my partner",
    "my cousin",
];

const LEADS: &[&str] = &[
    "ngl",
    "lowkey",
    "honestly",
    "bro",
    "wait",
    "ok but",
    "not gonna lie",
    "yo",
    "genuinely",
    "deadass",
    "idk but",
    "real talk",
    "okay",
];
const TAILS: &[&str] = &[
    "fr", "tbh", "ngl", "no cap", "istg", "lol", "fr fr", "honestly",
];

// ------------------------------------------------------------------ replies

const AGREE: &[&str] = &[
    "fr",
    "same",
    "right?? {M} was so good",
    "literally",
    "this",
    "facts",
    "couldn't agree more",
    "same here",
    "yesss {s}",
    "real",
    "+1",
    "exactly what I thought",
    "{M} was the best part for me too",
    "glad it's not just me",
    "this comment 👆",
    "so true",
    "{S} really is that good",
    "{M} got me too",
    "ok same, {M} was it",
    "{S} lives in my head now",
    "{M} was unreal",
];
const DISAGREE: &[&str] = &[
    "really? {S} was mid for me",
    "idk I found {M} boring",
    "hard disagree",
    "nah not really",
    "you must be new here",
    "{M} was the weakest part tbh",
    "we watched different {posts}",
    "{S} wasn't that deep",
    "{M} was fine, calm down",
];
const ANSWER: &[&str] = &[
    "{M} I think",
    "it's in the description",
    "yes, did it last week",
    "go for it",
    "depends on your level",
    "same question",
    "bump",
    "following",
    "it's explained in {M}",
    "pretty sure yes",
    "took me about a week",
    "start slow and you'll be fine",
    "I asked the same thing lol",
    "no idea but I want to know too",
    "check the pinned comment",
    "I did {S} as a beginner, it's fine",
    "{M} covers it",
    "yes, {S} works if you go slow",
];
const ANSWER_STAMPED: &[&str] = &[
    "it's at {T}",
    "{T}",
    "{T} she explains it",
    "around {T}",
    "{T} has it",
];
const DEFEND: &[&str] = &[
    "then don't watch {L}",
    "it's fine if you're a beginner",
    "nah {S} was great",
    "who hurt you",
    "it's literally explained in {M}",
    "the comments never disappoint",
    "you didn't watch it did you",
    "respectfully, no",
    "skill issue",
    "ok but you're still here",
    "{M} was literally the best part",
    "{S} worked fine for me",
];
const CONCUR: &[&str] = &[
    "agreed, {M} was rough",
    "thought I was the only one",
    "yeah {S} wasn't it",
    "said what I was thinking",
    "fair point tbh",
    "true, {M} dragged",
];
const FAIR: &[&str] = &[
    "fair point tbh",
    "both can be true",
    "kind of agree",
    "hmm I see it",
    "valid",
];
const LAUGH_BACK: &[&str] = &[
    "{L}",
    "not you calling me out",
    "why is this so accurate",
    "STOP",
    "I'm crying",
    "the accuracy",
    "this is so me",
    "{L} {M} was personal",
    "not {S} calling us out",
    "{S} really does that {L}",
];
const PUSHBACK: &[&str] = &[
    "it's {S}, relax",
    "who asked",
    "ratio",
    "then leave??",
    "bro is mad",
    "imagine being this bitter",
    "go outside",
    "you okay?",
    "L take",
];
const SPAM_BACK: &[&str] = &[
    "bot",
    "report and move on",
    "nobody is clicking that",
    "💀",
    "spam",
    "reported",
];

const REPLY_QUESTION: &[&str] = &[
    "wait which part is {M}",
    "how so?",
    "what do you mean",
    "source?",
    "did you try {S} though?",
    "same, where did you see that?",
    "what part of {S}?",
    "wait did {M} work for you?",
];

fn emoji_set(sentiment: Sentiment) -> &'static [&'static str] {
    match sentiment {
        Sentiment::Positive => EMOJI_POSITIVE,
        Sentiment::Neutral => EMOJI_NEUTRAL,
        Sentiment::Negative => EMOJI_NEGATIVE,
    }
}

/// The moment a comment names (an index into the gist's moments) or
/// none.
fn moment(rng: &mut Rng, gist: &Gist, about: Option<u8>) -> Option<usize> {
    if let Some(a) = about {
        if a > 0 && (a as usize) <= gist.moments.len() {
            return Some(a as usize - 1);
        }
    }
    if gist.moments.is_empty() {
        None
    } else {
        Some(rng.below(gist.moments.len() as u64) as usize)
    }
}

struct Fill<'a> {
    scene: &'a Scene<'a>,
    /// Says "this" for the subject (people rarely name what they are
    /// looking at every time).
    pron: bool,
    /// The moment `{M}` and `{T}` name.
    moment: Option<usize>,
}

impl Fill<'_> {
    /// Whether `frame` can be filled here: a moment slot needs a moment,
    /// a timestamp one a timeline with chapters on a platform that quotes
    /// them.
    fn fits(&self, frame: &str) -> bool {
        let g = self.scene.gist;
        if frame.contains("{M}") && self.moment.is_none() {
            return false;
        }
        if frame.contains("{T}") {
            let ok = self.scene.style.shape.timestamps
                && self.scene.seconds.is_some()
                && self.moment.is_some_and(|m| g.moments[m].at.is_some());
            if !ok {
                return false;
            }
        }
        if (frame.contains("{S}") || frame.contains("{s}")) && g.short == "this" {
            return false;
        }
        true
    }

    fn expand(&self, out: &mut String, rng: &mut Rng, frame: &str) {
        let start = out.len();
        let mut plurals = Vec::new();
        self.expand_slots(out, rng, frame, &mut plurals);
        // The verbs after a plural subject agree with it ("the outfits
        // live in my head", not "lives"), last first so that the earlier
        // places stay where they were.
        for at in plurals.into_iter().rev() {
            agree_plural(out, at.max(start));
        }
    }

    fn expand_slots(&self, out: &mut String, rng: &mut Rng, frame: &str, plurals: &mut Vec<usize>) {
        let scene = self.scene;
        let g = scene.gist;
        fill_slots(out, frame, |out, slot| {
            let v = scene.niche.vocab();
            match slot {
                "S" if self.pron => out.push_str("this"),
                "S" | "s" | "M" => {
                    let noun = match (slot, self.moment) {
                        ("S", _) => &g.subject,
                        ("M", Some(m)) => &g.moments[m].name,
                        _ => &g.short,
                    };
                    out.push_str(noun);
                    if is_plural(noun) {
                        plurals.push(out.len());
                    }
                }
                "T" => {
                    let at = self
                        .moment
                        .and_then(|m| g.moments[m].at)
                        .unwrap_or(0)
                        .saturating_add(rng.below(20) as u32);
                    push_timestamp(out, at.min(scene.seconds.unwrap_or(at).saturating_sub(1)));
                }
                "O" => out.push_str(pick(rng, v.owns)),
                "F" => out.push_str(pick(rng, FRIENDS)),
                "L" => out.push_str(scene.voice.laugh),
                "P" => out.push_str(pick(rng, v.pursuits)),
                "post" => out.push_str(scene.style.nouns.post),
                "posts" => out.push_str(scene.style.nouns.posts),
                _ => {}
            }
        });
    }

    /// A frame from `pool` that fits, tried a few times; `fallback` if none.
    fn choose<'t>(&self, rng: &mut Rng, pool: &[&'t str], fallback: &'t str) -> &'t str {
        for _ in 0..6 {
            let f = pick(rng, pool);
            if self.fits(f) {
                return f;
            }
        }
        fallback
    }
}

/// Words that end in "s" and still name one thing.
const SINGULAR_IN_S: &[&str] = &[
    "news", "series", "physics", "basics", "this", "plus", "bus", "yes", "class", "process",
    "progress", "fitness", "business", "mattress", "canvas", "chaos", "lens", "bonus", "focus",
    "status", "campus", "virus", "thesis", "analysis", "crisis", "ps",
];

/// Whether a noun phrase names more than one thing, read from its head:
/// the last word before a preposition ("the truth about carbs" is one
/// truth; "the best exercises for beginners" are several).
fn is_plural(phrase: &str) -> bool {
    const JOINERS: &[&str] = &[
        "about", "for", "of", "with", "in", "on", "to", "from", "vs", "at",
    ];
    let words: Vec<&str> = phrase.split_whitespace().collect();
    let head_end = words
        .iter()
        .position(|w| JOINERS.contains(&w.to_ascii_lowercase().as_str()))
        .unwrap_or(words.len());
    let Some(head) = words[..head_end].last() else {
        return false;
    };
    let head = head
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_ascii_lowercase();
    head.len() > 2
        && head.ends_with('s')
        && !head.ends_with("ss")
        && !head.ends_with("us")
        && !head.ends_with("is")
        && !head.ends_with("'s")
        && !SINGULAR_IN_S.contains(&head.as_str())
}

/// The verb forms that change after a plural subject.
const AGREEMENT: &[(&str, &str)] = &[
    ("is", "are"),
    ("was", "were"),
    ("isn't", "aren't"),
    ("wasn't", "weren't"),
    ("doesn't", "don't"),
    ("does", "do"),
    ("has", "have"),
    ("lives", "live"),
    ("looks", "look"),
    ("works", "work"),
    ("seems", "seem"),
    ("goes", "go"),
    ("gets", "get"),
    ("makes", "make"),
    ("needs", "need"),
    ("deserves", "deserve"),
    ("hits", "hit"),
    ("sounds", "sound"),
    ("feels", "feel"),
    ("changes", "change"),
];

/// Words that may stand between a subject and its verb.
const ADVERBS: &[&str] = &[
    "really",
    "actually",
    "just",
    "still",
    "honestly",
    "literally",
    "lowkey",
];

/// Make the verb after byte `at` of `out` (the end of a plural subject)
/// agree with it; anything else is left as it is.
fn agree_plural(out: &mut String, at: usize) {
    let mut pos = at;
    loop {
        let rest = &out[pos..];
        let lead = rest.len() - rest.trim_start_matches(' ').len();
        if lead == 0 {
            // Not a word boundary: the subject ran into punctuation.
            return;
        }
        let word_start = pos + lead;
        let word: &str = out[word_start..]
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '!' | '?'))
            .next()
            .unwrap_or("");
        if ADVERBS.contains(&word) {
            pos = word_start + word.len();
            continue;
        }
        if let Some((_, plural)) = AGREEMENT.iter().find(|(one, _)| *one == word) {
            let end = word_start + word.len();
            out.replace_range(word_start..end, plural);
        }
        return;
    }
}

/// Which act a top-level comment performs.
fn choose_act(rng: &mut Rng, scene: &Scene<'_>) -> Act {
    let v = scene.voice;
    let shape = &scene.style.shape;
    match v.character {
        Character::Spammer | Character::Bot | Character::BrandScout
            if scene.sentiment != Sentiment::Negative && rng.chance(0.75) =>
        {
            return Act::Spam;
        }
        Character::Troll if scene.sentiment == Sentiment::Negative => return Act::Troll,
        _ => {}
    }
    let short = (shape.reaction / v.length).min(0.85);
    if rng.chance(short) {
        return Act::Reaction;
    }
    let w: [f64; 7] = match scene.sentiment {
        // Praise, Moment, Question, Story, Joke, Answer, Observe(as Reaction-long)
        Sentiment::Positive => [0.36, 0.26, 0.0, 0.16, 0.12, 0.06, 0.04],
        Sentiment::Neutral => [0.0, 0.08, 0.52, 0.08, 0.06, 0.12, 0.14],
        Sentiment::Negative => return Act::Critique,
    };
    let moments = !scene.gist.moments.is_empty();
    match rng.weighted(&w) {
        0 => Act::Praise,
        1 if moments => Act::Moment,
        1 => Act::Praise,
        2 => Act::Question,
        3 => Act::Story,
        4 => Act::Joke,
        5 if !scene.gist.question.is_empty() => Act::Answer,
        5 => Act::Praise,
        _ => Act::Story,
    }
}

fn write_body(out: &mut String, rng: &mut Rng, act: Act, fill: &Fill<'_>, long: bool) {
    let scene = fill.scene;
    let s = scene.sentiment;
    let frame = match act {
        Act::Reaction => {
            let pool = match s {
                Sentiment::Positive => REACT_POSITIVE,
                Sentiment::Neutral => {
                    if rng.chance(0.4) {
                        QUESTION_SHORT
                    } else {
                        REACT_NEUTRAL
                    }
                }
                Sentiment::Negative => REACT_NEGATIVE,
            };
            fill.choose(rng, pool, "same")
        }
        Act::Praise => {
            if long && rng.chance(0.5) {
                fill.choose(rng, PRAISE_LONG, "love this")
            } else {
                fill.choose(rng, PRAISE, "love this")
            }
        }
        Act::Moment => {
            if rng.chance(0.55) && fill.fits(STAMPED[0]) {
                fill.choose(rng, STAMPED, "this part")
            } else {
                fill.choose(rng, MOMENT, "this part")
            }
        }
        Act::Question => {
            if rng.chance(0.3) {
                fill.choose(rng, QUESTION_SHORT, "part 2?")
            } else if rng.chance(0.2) {
                fill.choose(rng, OBSERVE, "interesting")
            } else {
                fill.choose(rng, QUESTION, "part 2?")
            }
        }
        Act::Story => fill.choose(rng, STORY, "sending this to my sister"),
        Act::Joke => fill.choose(rng, JOKE, "me watching this at 2am"),
        Act::Answer => fill.choose(rng, ANSWER_POST, "depends on the day tbh"),
        Act::Critique => {
            if scene.voice.character == Character::Critic && rng.chance(0.1) {
                fill.choose(rng, GRUDGING, "fine, this was good")
            } else if rng.chance(0.25) {
                fill.choose(rng, REACT_NEGATIVE, "meh")
            } else {
                fill.choose(rng, CRITIQUE, "not for me")
            }
        }
        Act::Troll => fill.choose(rng, TROLL, "mid"),
        Act::Spam => match scene.voice.character {
            Character::BrandScout => fill.choose(rng, BRAND, "DM us for a collab"),
            Character::Bot => fill.choose(rng, BOT, "Nice video"),
            _ => fill.choose(rng, SPAM, "check my page"),
        },
    };
    fill.expand(out, rng, frame);
}

fn is_question(act: Act, text: &str) -> bool {
    act == Act::Question
        && !text.ends_with('?')
        && text.split_whitespace().next().is_some_and(|w| {
            matches!(
                w,
                "wait" | "is" | "does" | "can" | "how" | "what" | "any" | "where" | "would" | "did"
            )
        })
}

/// Stretch one word the way people do ("sooo", "lolll").
fn stretch(out: &mut String, start: usize) {
    for (w, long) in [
        (" so ", " sooo "),
        ("lol", "lolll"),
        (" good", " gooood"),
        ("yes", "yesss"),
    ] {
        if let Some(i) = out[start..].find(w) {
            let i = start + i;
            out.replace_range(i..i + w.len(), long);
            return;
        }
    }
}

/// Swap two adjacent lower-case letters after `start`.
fn typo(out: &mut String, rng: &mut Rng, start: usize) {
    let len = out.len();
    if len < start + 6 {
        return;
    }
    let from = start + 2 + rng.below((len - start - 3) as u64) as usize;
    let b = out.as_bytes();
    let Some(i) = (from..len - 1)
        .find(|&i| b[i].is_ascii_lowercase() && b[i + 1].is_ascii_lowercase() && b[i] != b[i + 1])
    else {
        return;
    };
    let swapped = [b[i + 1] as char, b[i] as char];
    out.replace_range(i..i + 2, &swapped.iter().collect::<String>());
}

fn push_emoji(out: &mut String, rng: &mut Rng, voice: &Voice, sentiment: Sentiment) {
    let set = emoji_set(sentiment);
    let fav = set[voice.favourite as usize % set.len()];
    let e = if rng.chance(0.7) { fav } else { pick(rng, set) };
    let run = if rng.chance(0.6) { voice.emoji_run } else { 1 };
    for _ in 0..run {
        out.push_str(e);
    }
}

/// Apply the voice: lead and tail words, punctuation, casing, stretching,
/// typos, emoji. `start` is where the comment begins in `out`.
fn finish(
    out: &mut String,
    rng: &mut Rng,
    scene: &Scene<'_>,
    start: usize,
    act: Act,
    emoji_ok: bool,
) {
    let v = scene.voice;
    let words = out[start..].split_whitespace().count();
    let question = out[start..].ends_with('?') || is_question(act, &out[start..]);
    let talks = !matches!(act, Act::Troll | Act::Spam | Act::Reaction);
    if talks && words >= 3 && rng.chance(v.slang * 0.6) {
        out.insert(start, ' ');
        out.insert_str(start, pick(rng, LEADS));
    }
    if question && !out.ends_with('?') {
        out.push('?');
        if !v.bare && rng.chance(0.2) {
            out.push('?');
        }
    } else if !question && words >= 2 {
        if rng.chance(v.slang * 0.5) {
            out.push(' ');
            out.push_str(if rng.chance(0.5) {
                v.laugh
            } else {
                pick(rng, TAILS)
            });
        } else if !v.bare {
            match scene.sentiment {
                Sentiment::Positive => {
                    for _ in 0..v.bangs.max(u8::from(rng.chance(0.3))) {
                        out.push('!');
                    }
                }
                Sentiment::Neutral => out.push('.'),
                Sentiment::Negative => out.push_str(if rng.chance(0.3) { "..." } else { "." }),
            }
        }
    }
    if v.stretch {
        stretch(out, start);
    }
    if words >= 4 && rng.chance(v.typos) {
        typo(out, rng, start);
    }
    let lower = v.lower || rng.chance(scene.style.shape.lower);
    if lower {
        // Keep "W" and "L" reactions as they are typed.
        if out[start..].len() > 1 {
            out[start..].make_ascii_lowercase();
        }
    } else if let Some(c) = out[start..].chars().next() {
        if c.is_ascii_lowercase() {
            out.replace_range(start..start + 1, &c.to_ascii_uppercase().to_string());
        }
    }
    if !emoji_ok || !rng.chance((v.emoji * scene.style.shape.emoji).min(0.95)) {
        return;
    }
    let mut e = String::new();
    push_emoji(&mut e, rng, v, scene.sentiment);
    match v.emoji_at {
        EmojiAt::Start => {
            out.insert(start, ' ');
            out.insert_str(start, &e);
        }
        EmojiAt::Middle | EmojiAt::Anywhere => {
            // After the first clause or sentence when there is one (in
            // place of its comma or full stop), never inside a phrase
            // ("the perfect 😶 push up" is no one's habit); else before the
            // text or after it.
            let body = &out[start..];
            let cut = body.find(", ").map(|i| i + 1).or_else(|| {
                ["! ", "? ", ". "]
                    .iter()
                    .filter_map(|p| body.find(p))
                    .min()
                    .map(|i| i + 1)
            });
            match cut {
                None if rng.chance(0.4) => {
                    out.insert(start, ' ');
                    out.insert_str(start, &e);
                }
                Some(i) => {
                    let i = start + i;
                    let clean = out[..i].trim_end_matches([',', '.']).len();
                    out.replace_range(clean..i, "");
                    out.insert_str(clean, &format!(" {e}"));
                    if v.emoji_at == EmojiAt::Anywhere && rng.chance(0.5) {
                        out.push(' ');
                        push_emoji(out, rng, v, scene.sentiment);
                    }
                }
                None => {
                    out.push(' ');
                    out.push_str(&e);
                }
            }
        }
        EmojiAt::End => {
            out.push(' ');
            out.push_str(&e);
        }
    }
}

fn emoji_only(out: &mut String, rng: &mut Rng, scene: &Scene<'_>) {
    let v = scene.voice;
    let set = emoji_set(scene.sentiment);
    let n = 1 + rng.below(3);
    let fav = set[v.favourite as usize % set.len()];
    for i in 0..n {
        if i > 0 && rng.chance(0.3) {
            out.push_str(pick(rng, set));
        } else {
            out.push_str(fav);
        }
    }
}

/// Write a top-level comment; returns what it said.
pub fn comment(out: &mut String, rng: &mut Rng, scene: &Scene<'_>) -> Said {
    let shape = &scene.style.shape;
    let start = out.len();
    let emoji_lean = scene.voice.emoji * shape.emoji;
    if scene.voice.character != Character::Bot
        && rng.chance((shape.emoji_only * emoji_lean * 2.0).min(0.5))
    {
        emoji_only(out, rng, scene);
        return Said {
            act: Act::Reaction,
            about: 0,
        };
    }
    let mut act = choose_act(rng, scene);
    let m = moment(rng, scene.gist, None);
    let fill = Fill {
        scene,
        pron: rng.chance(0.15),
        moment: m,
    };
    if shape.friend_tags > 0.0 && act != Act::Spam && rng.chance(shape.friend_tags) {
        // Tagging a friend: "@maya.silva look at this" or the tag alone.
        out.push('@');
        super::names::write_handle_base(out, rng);
        if rng.chance(0.5) {
            return Said {
                act: Act::Story,
                about: 0,
            };
        }
        out.push(' ');
        if act == Act::Reaction {
            act = Act::Story;
        }
    }
    let long = act != Act::Reaction
        && act != Act::Troll
        && act != Act::Spam
        && rng.chance((shape.long * scene.voice.length).min(0.8));
    let body = out.len();
    write_body(out, rng, act, &fill, long);
    if long {
        // A second sentence that does something else.
        let second = match act {
            Act::Question => Act::Story,
            Act::Critique => Act::Critique,
            _ if scene.sentiment == Sentiment::Neutral => Act::Question,
            // Never a second story after a story ("sending this to my
            // sister. sending this to my partner").
            _ => {
                let no_moments = scene.gist.moments.is_empty();
                if act != Act::Story && (rng.chance(0.5) || no_moments) {
                    Act::Story
                } else if no_moments {
                    Act::Praise
                } else {
                    Act::Moment
                }
            }
        };
        let q = out[body..].ends_with('?') || is_question(act, &out[body..]);
        out.push_str(if q {
            "? "
        } else if scene.voice.bare || rng.chance(0.3) {
            ", "
        } else {
            ". "
        });
        let s2 = out.len();
        let fill2 = Fill {
            scene,
            pron: true,
            moment: moment(rng, scene.gist, None),
        };
        write_body(out, rng, second, &fill2, false);
        if !out[..s2].ends_with(", ") {
            if let Some(c) = out[s2..].chars().next() {
                if c.is_ascii_lowercase() && !scene.voice.lower {
                    out.replace_range(s2..s2 + 1, &c.to_ascii_uppercase().to_string());
                }
            }
        }
        if second == Act::Question && !out.ends_with('?') {
            out.push('?');
        }
    }
    let emoji_ok = act != Act::Spam || scene.voice.character != Character::Bot || rng.chance(0.5);
    finish(out, rng, scene, body, act, emoji_ok);
    let named = m.filter(|&i| {
        let name = &scene.gist.moments[i].name;
        out[start..].to_lowercase().contains(name.as_str())
    });
    Said {
        act,
        about: named.map_or(0, |i| i as u8 + 1),
    }
}

/// Write a reply to a comment that said `parent`; `to` is the handle it
/// answers (the platform's shape decides whether the reply opens with it).
pub fn reply(
    out: &mut String,
    rng: &mut Rng,
    scene: &Scene<'_>,
    parent: Said,
    to: Option<&str>,
) -> Said {
    let shape = &scene.style.shape;
    if let Some(to) = to {
        if rng.chance(shape.reply_mention) {
            out.push('@');
            out.push_str(to.trim_start_matches('@'));
            out.push(' ');
        }
    }
    let start = out.len();
    let fill = Fill {
        scene,
        pron: false,
        moment: moment(rng, scene.gist, Some(parent.about)),
    };
    let s = scene.sentiment;
    let (pool, act): (&[&str], Act) = match parent.act {
        Act::Question => {
            if s == Sentiment::Negative {
                (CONCUR, Act::Critique)
            } else if fill.fits(ANSWER_STAMPED[0]) && rng.chance(0.4) {
                (ANSWER_STAMPED, Act::Answer)
            } else {
                (ANSWER, Act::Answer)
            }
        }
        Act::Critique => match s {
            Sentiment::Positive => (DEFEND, Act::Critique),
            Sentiment::Negative => (CONCUR, Act::Critique),
            Sentiment::Neutral => (FAIR, Act::Answer),
        },
        Act::Joke => match s {
            Sentiment::Negative => (DISAGREE, Act::Critique),
            _ => (LAUGH_BACK, Act::Joke),
        },
        Act::Troll => (PUSHBACK, Act::Troll),
        Act::Spam => (SPAM_BACK, Act::Reaction),
        _ => match s {
            Sentiment::Positive => (AGREE, Act::Praise),
            Sentiment::Neutral => (REPLY_QUESTION, Act::Question),
            Sentiment::Negative => (DISAGREE, Act::Critique),
        },
    };
    // Most replies name what their parent named (the moment, else the
    // subject); the rest are a word or two ("fr", "same").
    let naming: Vec<&str> = pool
        .iter()
        .copied()
        .filter(|f| (f.contains("{M}") || f.contains("{S}") || f.contains("{s}")) && fill.fits(f))
        .filter(|f| parent.about > 0 || !f.contains("{M}"))
        .collect();
    let frame = if !naming.is_empty() && rng.chance(0.65) {
        pick(rng, &naming)
    } else {
        fill.choose(rng, pool, "same")
    };
    fill.expand(out, rng, frame);
    if rng.chance((shape.long * scene.voice.length * 0.6).min(0.5)) && act != Act::Troll {
        // Goes on with a thought of their own.
        out.push_str(if scene.voice.bare { ", " } else { ". " });
        let extra = match s {
            Sentiment::Positive => Act::Story,
            Sentiment::Neutral => Act::Question,
            Sentiment::Negative => Act::Critique,
        };
        write_body(out, rng, extra, &fill, false);
    }
    finish(out, rng, scene, start, act, true);
    Said {
        act,
        about: parent.about,
    }
}

#[cfg(test)]
mod agreement {
    use super::{agree_plural, is_plural};

    #[test]
    fn plural_subjects_are_read_from_their_head() {
        assert!(is_plural("the outfits"));
        assert!(is_plural("the best exercises for beginners"));
        assert!(!is_plural("the truth about carbs"));
        assert!(!is_plural("the sunday reset"));
        assert!(!is_plural("the speedrun skip"));
        assert!(!is_plural("this"));
        assert!(!is_plural("the boss"));
        assert!(!is_plural("the news"));
        assert!(!is_plural(""));
    }

    #[test]
    fn verbs_after_a_plural_subject_agree() {
        let fix = |text: &str, at: usize| {
            let mut s = text.to_string();
            agree_plural(&mut s, at);
            s
        };
        assert_eq!(
            fix("the outfits lives in my head now", 11),
            "the outfits live in my head now"
        );
        assert_eq!(
            fix("the outfits really is that good", 11),
            "the outfits really are that good"
        );
        assert_eq!(
            fix("the outfits wasn't that deep", 11),
            "the outfits weren't that deep"
        );
        // Not a verb that changes, or not a word boundary: left alone.
        assert_eq!(fix("the outfits got me", 11), "the outfits got me");
        assert_eq!(fix("the outfits, is it", 11), "the outfits, is it");
    }
}
