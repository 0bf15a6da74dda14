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
use super::phrase::{bare_ok, head_noun, kind_of, meets, plural_of, Kind};
use super::voice::{Character, EmojiAt, Voice};
use super::{fill_slots, push_timestamp, CommentStyle, Niche, Sentiment};
use std::cell::Cell;

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
    /// What it invites in a reply: what a question asked, a friend's tag.
    #[serde(default, skip_serializing_if = "Cue::is_none")]
    pub cue: Cue,
}

impl Said {
    /// A comment that did `act` about the post's subject.
    pub fn of(act: Act) -> Said {
        Said {
            act,
            ..Said::default()
        }
    }
}

/// What a comment invites a reply to answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cue {
    /// Nothing in particular.
    #[default]
    None,
    /// How long something took.
    Time,
    /// Whether or where a beginner can start.
    Start,
    /// Whether it works with the asker's situation.
    Fit,
    /// Where something is from: a song, a link.
    Source,
    /// More of it: a part 2, a full video.
    More,
    /// A question only the creator can answer.
    Creator,
    /// A friend tagged to look.
    Tag,
}

impl Cue {
    pub fn is_none(&self) -> bool {
        *self == Cue::None
    }
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
// ("push up", only where it reads without an article), {M} a moment of the
// post, {T} that moment's timestamp (only where the platform quotes them),
// {O} the viewer's own situation, {F} someone they know, {L} their laugh,
// {post} the platform's word for a post, {P} the niche's pursuit. A slot
// may say what its phrase must name (`{S:do}` something one does,
// `{S:thing}` a whole rather than a part); `{do}` and `{thing}` alone
// put the same need on the subject a frame calls "it" (see `phrase.rs`).

const PRAISE: &[&str] = &[
    "{S} is exactly what I needed today",
    "ok {S:do} actually looks doable",
    "been waiting for someone to cover {S:thing}",
    "{S} is so underrated",
    "saving this, {S:do} is going on my list",
    "the way you explain {S:do} just makes sense",
    "nobody does {S:do} like you",
    "best take on {S:thing} I've seen",
    "{S} never gets old",
    "{S:do} looks way easier when you do it",
    "needed this {s:do} breakdown",
    "{s} >>> everything else",
    "didn't expect to care about {S} this much",
    "how is {S} so satisfying",
    "you made {S:do} look fun somehow",
    "this is the {s:do} content I'm here for",
    "{s:do} season is back",
    "ok you sold me on {S:thing}",
    "{S} was so worth it",
    "I could watch {S} all day",
    "love how honest you were about {S:thing}",
    "{S:do} done right for once",
    "the {s:do} era is my favourite era",
    "fine, I'm trying {S:do} this week",
    "still thinking about {S}",
    "{S} lives rent free in my head",
    "the way {S} came together",
];

const PRAISE_LONG: &[&str] = &[
    "I've seen a lot of {s:thing} {posts} and this is the first one that made it click",
    "you can tell how much work went into this, the whole thing flows so well",
    "came in skeptical about {S:do} and left with a plan for the weekend",
    "{S:do} was the push I needed after a rough week",
];

const MOMENT: &[&str] = &[
    "{M} was my favourite part",
    "{M} though",
    "came for {S:thing}, stayed for {M}",
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
    "ok {M:do} was genuinely useful",
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

/// A question, with what a reply to it can answer.
const QUESTION: &[(&str, Cue)] = &[
    ("how long did {S:do} take you", Cue::Time),
    ("is {S:do} ok for beginners", Cue::Start),
    ("does {S:do} work with {O}", Cue::Fit),
    ("can you do a full {post} on {M}", Cue::More),
    ("how did you get into {S:thing}", Cue::Creator),
    ("what would you change about {S:thing} now", Cue::Creator),
    ("any tips for {S:do} with {O}", Cue::Fit),
    ("how often do you do {S:do}", Cue::Creator),
    ("where do I even start with {S:do}", Cue::Start),
    ("would {S:do} still work with {O}", Cue::Fit),
    ("did you plan {M:event} or was that luck", Cue::Creator),
    ("how many tries did {M:event} take", Cue::Time),
    ("is {S:thing} worth it", Cue::Start),
];

const QUESTION_SHORT: &[(&str, Cue)] = &[
    ("part 2?", Cue::More),
    ("song?", Cue::Source),
    ("what's the song", Cue::Source),
    ("link?", Cue::Source),
    ("part 2 when", Cue::More),
    ("is there a part 2", Cue::More),
    ("name of the song?", Cue::Source),
    ("how??", Cue::Creator),
    ("tutorial?", Cue::More),
    ("where's this from", Cue::Source),
    ("{s:do} tips?", Cue::Start),
];

const STORY: &[&str] = &[
    "tried {S:do} with {O} and it actually worked",
    "showed {S:thing} to {F} and now they're hooked too",
    "sending this to {F} right now",
    "{F} and I tried {S:do} last night",
    "did {S:do} for the first time because of you",
    "been doing {S:do} wrong for years apparently",
    "this is going straight to {F}",
    "{F} needs to see {M}",
    "literally doing {S:do} tomorrow",
    "tried {M:do} and yeah, it works",
    "{F} was yelling at {M:event}",
    "watched this with {F} and we both lost it at {M:event}",
];

const JOKE: &[&str] = &[
    "me pretending I'll ever try {S:do}",
    "me showing {S} to {F}: 👀",
    "{M} is personal at this point",
    "the way I said out loud 'no way' at {M:event}",
    "my brain during {M}: 🤯",
    "I came here to learn {S:do} and learned nothing {L}",
    "me at 2am watching {S} instead of sleeping",
    "{S:thing} is my new personality now",
];

const OBSERVE: &[&str] = &[
    "first time seeing {S:do} done like this",
    "didn't know {S:thing} was a thing",
    "here before this blows up",
    "the algorithm knew I needed {S:thing}",
    "interesting take on {S:thing}",
    "never thought about {M} like that",
];

const ANSWER_POST: &[&str] = &[
    "{M} for sure",
    "has to be {M}",
    "{M}, no question",
    "mine is {M}",
    "depends on the day tbh",
    "honestly {M}",
    "both but {M} wins",
];

const CRITIQUE: &[&str] = &[
    "{S} is overrated, sorry",
    "not convinced by {M} at all",
    "{M} felt rushed",
    "this is just {S:do} with extra steps",
    "you skipped the hardest part of {S:do}",
    "{M} is wrong and you know it",
    "nah {S} isn't it",
    "{S:thing} used to be better",
    "too much talking before {M}",
    "{S:do} doesn't work for most people",
    "the {s:do} hype is getting old",
    "liked your older {posts} more than this",
    "{M} made no sense",
    "that's not how {S:do} works",
];

const GRUDGING: &[&str] = &[
    "ok this one was actually good",
    "fair, {S} was well done",
    "not usually a fan but {M} was good",
    "fine, {S:thing} won me over",
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
];
const REACT_NEUTRAL: &[&str] = &[
    "first",
    "early",
    "hmm",
    "interesting",
    "saved",
    "noted",
    "same",
    "okay",
    "huh",
    "me rn",
    "bookmarking",
    "{s} again",
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

// ---------------------------------------------------------------- fillers
//
// Filler words go where people put them: a hedge ("ngl", "lowkey",
// "honestly") before an opinion, never before a question or a request; a
// question opens with "wait" or "ok so" at most; a tail ("fr", "tbh")
// closes an opinion; one filler to a comment.

/// Leads before an opinion or a story.
const LEADS: &[&str] = &[
    "ngl",
    "lowkey",
    "honestly",
    "genuinely",
    "not gonna lie",
    "deadass",
    "real talk",
    "ok but",
    "bro",
];
/// Leads before a question.
const QUESTION_LEADS: &[&str] = &["wait", "ok so", "genuine question,", "quick question,"];
const TAILS: &[&str] = &["fr", "tbh", "ngl", "no cap", "istg", "fr fr", "honestly"];

/// Words a frame may open with that already do a filler's work: no lead
/// goes before them.
const MARKERS: &[&str] = &[
    "ok",
    "okay",
    "wait",
    "honestly",
    "not",
    "me",
    "pov:",
    "nah",
    "idk",
    "really?",
    "literally",
    "yo",
    "bro",
    "fine,",
    "fair,",
    "so",
    "omg",
    "how",
    "what",
    "why",
    "is",
    "does",
    "did",
    "can",
    "any",
    "where",
    "would",
    "same,",
    "right??",
    "who",
    "yes!!",
    "agreed,",
    "ngl",
    "tbh",
    "fr",
    "sure",
];

/// Filler words: a comment that has one (in its frame or added) gets no
/// other.
const FILLERS: &[&str] = &[
    "ngl",
    "lowkey",
    "honestly",
    "genuinely",
    "deadass",
    "tbh",
    "fr",
    "istg",
];

// -------------------------------------------------------- second sentences
//
// A long comment's second sentence goes on from its first: it refers back
// ("it", "that part") and does what follows the first act, never another
// unrelated frame.

const FOLLOW_PRAISE: &[&str] = &[
    "saving this for later",
    "sending it to {F}",
    "{M} especially",
    "trying it this week{do}",
    "thank you for this",
    "more of this please",
    "you never miss",
    "the editing on this too",
    "{M} was my favourite bit",
];
const FOLLOW_MOMENT: &[&str] = &[
    "had to rewind it twice",
    "didn't see that coming",
    "so satisfying to watch",
    "{F} needs to see it",
];
const FOLLOW_QUESTION: &[&str] = &[
    "asking for a friend",
    "thanks in advance",
    "been wanting to try it{do}",
    "tried once and gave up{do}",
    "would love a full {post} on it",
    "genuinely curious",
];
const FOLLOW_STORY: &[&str] = &[
    "thank you for this",
    "still can't believe it",
    "never going back",
    "{M} was the part that did it",
    "game changer",
];
const FOLLOW_JOKE: &[&str] = &[
    "{L}",
    "why is this so me",
    "I'm not okay",
    "every single time",
];
const FOLLOW_CRITIQUE: &[&str] = &[
    "{M} especially",
    "the rest was fine",
    "your older {posts} were better",
    "felt like filler",
    "just being honest",
    "not hating, just saying",
];
const FOLLOW_ANSWER: &[&str] = &["not even close", "easy pick", "the rest don't compare"];

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
    "real",
    "+1",
    "exactly what I thought",
    "{M} was the best part for me too",
    "glad it's not just me",
    "so true",
    "{S} really is that good",
    "{S} deserves way more love",
    "yes!! {S} was everything",
    "agreed, {S} hits different",
    "{M} is the best bit for sure",
    "{M} got me too",
    "ok same, {M} was it",
    "{M} was unreal",
];
const DISAGREE: &[&str] = &[
    "really? {S} was mid for me",
    "idk I found {M} boring",
    "hard disagree",
    "nah not really",
    "{M} was the weakest part tbh",
    "we watched different {posts}",
    "{S} wasn't that deep",
    "{M} was fine, calm down",
];
/// A neutral reply to an opinion: asks what it meant.
const PROBE: &[&str] = &[
    "how so?",
    "what did you like about {M}?",
    "was {M} really that good?",
    "you think so?",
    "is it worth watching the whole thing?",
    "which part?",
];
/// Answers by what the question asked.
const ANSWER_TIME: &[&str] = &[
    "took me about a week to get {S:do} down",
    "{S:do} took me a few tries",
    "took me about a week",
    "a couple of weeks for me",
    "depends on your level",
    "took me a month to get it right",
    "first try for me {L}",
];
const ANSWER_START: &[&str] = &[
    "I started {S:do} with zero experience, you'll be fine",
    "yes, did it as a beginner",
    "start slow and you'll be fine",
    "go for it",
    "yes if you go slow",
    "depends on your level",
    "I did {S:do} as a total beginner, it's fine",
];
const ANSWER_FIT: &[&str] = &[
    "same boat and {S:do} worked fine for me",
    "worked fine for me in the same situation",
    "pretty sure yes",
    "yes, just go slower",
    "depends, I'd ask someone who knows",
    "same question here",
];
const ANSWER_SOURCE: &[&str] = &[
    "it's in the description",
    "check the pinned comment",
    "someone asked above, it's in the description",
    "following",
    "same question",
];
const ANSWER_MORE: &[&str] = &["need this too", "+1", "part 2 please", "following", "bump"];
/// Replies to a question asked of the creator.
const ANSWER_CREATOR: &[&str] = &[
    "I want to know about {S:thing} too",
    "same question",
    "bump",
    "following",
    "I asked the same thing {L}",
    "no idea but I want to know too",
    "need to know this too",
    "it's explained in {M}",
];
const ANSWER_STAMPED: &[&str] = &["it's at {T}", "{T}", "around {T}", "{T} has it"];
/// A dismissive reply to a question.
const SNUB: &[&str] = &[
    "just watch the {post}",
    "it's literally in the {post}",
    "google exists",
    "read the description",
];
const DEFEND: &[&str] = &[
    "{S} was great though",
    "then don't watch {L}",
    "it's fine if you're a beginner",
    "nah {S} was great",
    "who hurt you",
    "it's literally explained in {M}",
    "you didn't watch it did you",
    "respectfully, no",
    "skill issue",
    "ok but you're still here",
    "{M} was literally the best part",
    "{S:do} worked fine for me",
];
const CONCUR: &[&str] = &[
    "agreed, {M} was rough",
    "thought I was the only one",
    "yeah {S} wasn't it",
    "said what I was thinking",
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
    "the {s:do} struggle is real {L}",
    "{L}",
    "not you calling me out",
    "why is this so accurate",
    "STOP",
    "I'm crying",
    "the accuracy",
    "this is so me",
    "{L} {M} was personal",
];
const PUSHBACK: &[&str] = &[
    "imagine hating on {S:thing}",
    "it's {S}, relax",
    "who asked",
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
/// A word of agreement, for a neutral reader of a one-word reaction.
const ECHO: &[&str] = &["same", "real", "this", "+1", "true", "fair"];
/// Replies to someone's own story.
const STORY_BACK: &[&str] = &[
    "{S:do} did the same for me",
    "same, {S:do} changed a lot for me",
    "love that",
    "that's awesome",
    "same thing happened to me",
    "welcome to the club",
    "ok now I have to try it{do}",
    "{F} did the same {L}",
    "how did it go?",
];
const STORY_ASK: &[&str] = &[
    "how long have you been doing {S:do}?",
    "how did it go?",
    "did it actually help?",
    "how long did it take?",
    "wait really?",
    "how did they like it?",
];
const STORY_DOUBT: &[&str] = &["ok and?", "cool story", "nobody asked but ok", "and?"];
/// Agreement with a one-word reaction: as short as what it answers.
const REACT_AGREE: &[&str] = &[
    "fr",
    "same",
    "real",
    "facts",
    "+1",
    "right??",
    "{S} really is that good",
    "{S} was so good",
    "yes!! {S} was everything",
    "{S} is elite",
    "{M} especially",
];
/// The friend someone tagged, answering.
const TAG_BACK: &[&str] = &[
    "ok we're doing {S:do} this weekend",
    "we have to try {S:do}",
    "not {S:thing} again {L}",
    "omg yes",
    "why did you tag me {L}",
    "we're doing this",
    "ok I'm in",
    "saw it already",
    "stop {L}",
    "I need this",
    "this is so us",
    "not you tagging me",
    "ok fine",
];

/// Stock lines a reader knows at a glance ("lives rent free", "pov:",
/// "came for X, stayed for Y"): fine once, a tell when they recur. A
/// simulator remembers which of them an account's audience has used (see
/// [`super::write_distinct_scoped`]) so each comes back only after
/// thousands of other comments.
pub const CARRIERS: &[&str] = &[
    "rent free",
    "content i'm here for",
    "pov:",
    ">>> everything else",
    "me showing",
    "hits different",
    "going straight to",
    "came for ",
    "sending this to",
    "needs to see",
    "new personality",
    "me at 2am",
    "blows up",
    "the algorithm knew",
    "said out loud",
    "my brain during",
    "me pretending",
    "season is back",
    "era is my favourite",
    "never gets old",
    "deserves its own",
    "deserves way more love",
    "criminally good",
    "the whole reason i clicked",
    "you never miss",
    "with extra steps",
    "is content",
    "could watch",
    "exactly what i needed",
    "the way ",
    "is personal",
    "so underrated",
    "is the part i'll remember",
];

/// The stock line `text` is built on, if any.
pub fn carrier(text: &str) -> Option<&'static str> {
    carriers(text).next()
}

/// Every stock line in `text`.
pub fn carriers(text: &str) -> impl Iterator<Item = &'static str> {
    let lower = text.to_lowercase();
    CARRIERS.iter().copied().filter(move |c| lower.contains(c))
}

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
    /// Whether a `{M}` slot was written (in whatever words).
    named: Cell<bool>,
}

impl<'a> Fill<'a> {
    fn new(scene: &'a Scene<'a>, pron: bool, moment: Option<usize>) -> Fill<'a> {
        Fill {
            scene,
            pron,
            moment,
            named: Cell::new(false),
        }
    }
}

/// Nouns a bare short form stands before as a modifier ("the push up
/// era", "cardio season").
const ATTRIBUTIVE: &[&str] = &[
    "season",
    "era",
    "breakdown",
    "content",
    "hype",
    "struggle",
    "tips",
    "{posts",
];

/// Whether the frame's `{s}` modifies the noun after it.
fn attributive(frame: &str) -> bool {
    frame
        .find("{s")
        .and_then(|i| frame[i..].find('}').map(|j| &frame[i + j + 1..]))
        .and_then(|rest| rest.strip_prefix(' '))
        .is_some_and(|r| ATTRIBUTIVE.iter().any(|a| r.starts_with(a)))
}

/// Where a phrase of the post stands in a frame.
#[derive(Clone, Copy, PartialEq)]
enum Slot {
    /// `{S}`: the subject as a noun phrase.
    Subject,
    /// `{s}` alone: the subject bare ("push ups >>>").
    Bare,
    /// `{s}` before a noun: "the push up era".
    Modifier,
    /// `{M}`: a moment.
    Moment,
}

/// Nouns that read bare, without "the" or "this" ("cardio >>>", "love
/// meal prep").
const MASS: &[&str] = &[
    "cardio",
    "meal prep",
    "training",
    "yoga",
    "running",
    "cooking",
    "baking",
    "makeup",
    "ranked",
    "skincare",
    "prep",
    "sourdough",
    "pasta",
    "bread",
];

/// Name a phrase of the post the way people take a thing up: by its head
/// noun ("that clutch", "push ups", "this program"), now and then "this",
/// and only sometimes in the title's own words.
fn push_ref(out: &mut String, rng: &mut Rng, phrase: &str, short: &str, slot: Slot, this: bool) {
    let head = head_noun(phrase);
    let kind = kind_of(phrase);
    let r = rng.below(100);
    // "this" once to a line: "first time seeing the cardio done like this".
    let this_word = if this { "that" } else { "this" };
    // "the squats", never "this squats".
    let det = |rng: &mut Rng, h: &str| match kind {
        _ if is_plural(h) => "the",
        Kind::Event | Kind::Part => {
            if rng.chance(0.65) {
                "that"
            } else {
                "the"
            }
        }
        _ => {
            if rng.chance(0.6) {
                "the"
            } else {
                this_word
            }
        }
    };
    match slot {
        Slot::Subject => match head {
            _ if r < 6 => out.push_str(phrase),
            Some(h) if r < 92 && kind != Kind::Part => {
                if kind == Kind::Doable && rng.chance(0.45) {
                    if let Some(p) = plural_of(&h) {
                        out.push_str(&p);
                        return;
                    }
                }
                if MASS.contains(&h.as_str()) && rng.chance(0.5) {
                    out.push_str(&h);
                    return;
                }
                out.push_str(det(rng, &h));
                out.push(' ');
                out.push_str(&h);
            }
            _ if r < 85 => out.push_str(phrase),
            _ => out.push_str(if rng.chance(0.3) { "that" } else { this_word }),
        },
        Slot::Bare | Slot::Modifier => {
            let bare = bare_ok(phrase, short);
            let whole = if bare { short } else { phrase };
            match head {
                _ if r < 8 => out.push_str(whole),
                Some(h) if slot == Slot::Modifier => {
                    out.push_str(if bare { &h } else { whole });
                }
                Some(h) => match plural_of(&h) {
                    Some(p) if rng.chance(0.6) => out.push_str(&p),
                    _ if MASS.contains(&h.as_str()) => out.push_str(&h),
                    _ => {
                        out.push_str(if kind == Kind::Event || this || rng.chance(0.4) {
                            "that "
                        } else {
                            "this "
                        });
                        out.push_str(&h);
                    }
                },
                None if slot == Slot::Modifier || r < 70 => out.push_str(whole),
                None => out.push_str(this_word),
            }
        }
        Slot::Moment => match head {
            Some(h) if r >= 45 => {
                out.push_str(det(rng, &h));
                out.push(' ');
                out.push_str(&h);
            }
            _ => out.push_str(phrase),
        },
    }
}

/// The slots of `frame`, each as its name and what it needs (`""` when
/// nothing): `{S:do}` is `("S", "do")`.
fn slots(frame: &str) -> impl Iterator<Item = (&str, &str)> {
    frame.split('{').skip(1).filter_map(|rest| {
        let slot = &rest[..rest.find('}')?];
        Some(slot.split_once(':').unwrap_or((slot, "")))
    })
}

impl Fill<'_> {
    /// Whether `frame` can be filled here: a moment slot needs a moment,
    /// a timestamp one a timeline with chapters on a platform that quotes
    /// them, the short form one that reads without an article, and every
    /// slot a phrase that names what it needs (a thing one does, a whole,
    /// an event).
    fn fits(&self, frame: &str) -> bool {
        let g = self.scene.gist;
        let moment = self.moment.map(|m| g.moments[m].name.as_str());
        // "came for the meal prep, stayed for the meal prep": a frame that
        // sets the subject against a moment needs them to differ.
        let both = (frame.contains("{S") || frame.contains("{s")) && frame.contains("{M");
        if both && moment.is_some_and(|m| same_thing(m, &g.subject)) {
            return false;
        }
        slots(frame).all(|(slot, need)| match slot {
            "M" => moment.is_some_and(|m| meets(kind_of(m), need)),
            "T" => {
                self.scene.style.shape.timestamps
                    && self.scene.seconds.is_some()
                    && self.moment.is_some_and(|m| g.moments[m].at.is_some())
            }
            "S" => g.short != "this" && meets(kind_of(&g.subject), need),
            "s" => g.short != "this" && meets(kind_of(&g.subject), need),
            // A frame that speaks of the subject as "it".
            "do" | "thing" | "event" => meets(kind_of(&g.subject), slot),
            _ => true,
        })
    }

    fn expand(&self, out: &mut String, rng: &mut Rng, frame: &str) {
        let start = out.len();
        let mut plurals = Vec::new();
        let modifier = attributive(frame);
        let this = frame.to_ascii_lowercase().contains("this");
        self.expand_slots(out, rng, frame, (modifier, this), &mut plurals);
        // The verbs after a plural subject agree with it ("the outfits
        // live in my head", not "lives"), last first so that the earlier
        // places stay where they were.
        for at in plurals.into_iter().rev() {
            agree_plural(out, at.max(start));
        }
    }

    fn expand_slots(
        &self,
        out: &mut String,
        rng: &mut Rng,
        frame: &str,
        (modifier, this): (bool, bool),
        plurals: &mut Vec<usize>,
    ) {
        let scene = self.scene;
        let g = scene.gist;
        fill_slots(out, frame, |out, slot| {
            let v = scene.niche.vocab();
            let slot = slot.split_once(':').map_or(slot, |(s, _)| s);
            match slot {
                "S" if self.pron => out.push_str("this"),
                "S" | "s" | "M" => {
                    // The post's phrase is taken up the way people do, by
                    // its head noun ("that clutch", "push ups") or "this",
                    // and only now and then in the title's own words; the
                    // short form only where it reads without an article
                    // ("zone 2 cardio >>>").
                    let (phrase, kind) = match (slot, self.moment) {
                        ("S", _) => (g.subject.as_str(), Slot::Subject),
                        ("M", Some(m)) => {
                            self.named.set(true);
                            let name = g.moments[m].name.as_str();
                            // A moment that is the subject is named as the
                            // subject is.
                            if same_thing(name, &g.subject) {
                                (name, Slot::Subject)
                            } else {
                                (name, Slot::Moment)
                            }
                        }
                        _ if modifier => (g.subject.as_str(), Slot::Modifier),
                        _ => (g.subject.as_str(), Slot::Bare),
                    };
                    let at = out.len();
                    push_ref(out, rng, phrase, &g.short, kind, this);
                    if is_plural(&out[at..]) {
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

    /// A frame from `pool` that fits: a few draws, then the first that
    /// fits from where the last draw landed; `fallback` if none does.
    fn choose<'t>(&self, rng: &mut Rng, pool: &[&'t str], fallback: &'t str) -> &'t str {
        self.choose_index(rng, pool.len(), |i| pool[i])
            .map_or(fallback, |i| pool[i])
    }

    /// A frame from `pool` that names the post (its subject or a moment)
    /// and fits; else any that fits.
    fn choose_naming<'t>(&self, rng: &mut Rng, pool: &[&'t str], fallback: &'t str) -> &'t str {
        let naming: Vec<&'t str> = pool
            .iter()
            .copied()
            .filter(|f| (f.contains("{s") || f.contains("{S") || f.contains("{M")) && self.fits(f))
            .collect();
        if naming.is_empty() {
            self.choose(rng, pool, fallback)
        } else {
            pick(rng, &naming)
        }
    }

    /// [`choose`](Self::choose) over a table whose rows carry a frame.
    fn choose_index<'t>(
        &self,
        rng: &mut Rng,
        len: usize,
        frame: impl Fn(usize) -> &'t str,
    ) -> Option<usize> {
        if len == 0 {
            return None;
        }
        let mut i = 0;
        for _ in 0..4 {
            i = rng.below(len as u64) as usize;
            // A stock line is drawn a third as often as a plain one.
            if self.fits(frame(i)) && (carrier(frame(i)).is_none() || rng.chance(0.35)) {
                return Some(i);
            }
        }
        (0..len)
            .map(|k| (i + k) % len)
            .find(|&k| self.fits(frame(k)))
    }
}

/// Whether two phrases name the same thing ("the meal prep", "meal prep").
fn same_thing(a: &str, b: &str) -> bool {
    let strip = |p: &str| {
        p.trim()
            .trim_start_matches("the ")
            .trim_start_matches("your ")
            .to_ascii_lowercase()
    };
    let (a, b) = (strip(a), strip(b));
    a.contains(&b) || b.contains(&a)
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

/// Write the first sentence of a comment doing `act`; returns the act it
/// did (a neutral reaction may be a short question, a negative one a
/// critique) and what it invites in reply.
fn write_body(
    out: &mut String,
    rng: &mut Rng,
    act: Act,
    fill: &Fill<'_>,
    long: bool,
) -> (Act, Cue) {
    let scene = fill.scene;
    let s = scene.sentiment;
    let mut did = (act, Cue::None);
    let frame = match act {
        Act::Reaction => match s {
            Sentiment::Positive if rng.chance(0.35) => {
                fill.choose_naming(rng, REACT_POSITIVE, "love this")
            }
            Sentiment::Positive => fill.choose(rng, REACT_POSITIVE, "love this"),
            Sentiment::Neutral if rng.chance(0.4) => {
                let (frame, cue) = choose_cued(rng, fill, QUESTION_SHORT, ("part 2?", Cue::More));
                did = (Act::Question, cue);
                frame
            }
            Sentiment::Neutral => fill.choose(rng, REACT_NEUTRAL, "saved"),
            Sentiment::Negative => {
                did.0 = Act::Critique;
                fill.choose(rng, REACT_NEGATIVE, "meh")
            }
        },
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
            if rng.chance(0.2) {
                // Not a question after all: a remark on what is new.
                did.0 = Act::Praise;
                fill.choose(rng, OBSERVE, "interesting")
            } else {
                let pool = if rng.chance(0.3) {
                    QUESTION_SHORT
                } else {
                    QUESTION
                };
                let (frame, cue) = choose_cued(rng, fill, pool, ("part 2?", Cue::More));
                did.1 = cue;
                frame
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
    did
}

/// A frame from a table of questions that fits, with its cue.
fn choose_cued(
    rng: &mut Rng,
    fill: &Fill<'_>,
    pool: &[(&'static str, Cue)],
    fallback: (&'static str, Cue),
) -> (&'static str, Cue) {
    fill.choose_index(rng, pool.len(), |i| pool[i].0)
        .map_or(fallback, |i| pool[i])
}

/// The second sentence of a long comment: one that goes on from the
/// first act.
fn follow(act: Act) -> &'static [&'static str] {
    match act {
        Act::Moment => FOLLOW_MOMENT,
        Act::Question => FOLLOW_QUESTION,
        Act::Story => FOLLOW_STORY,
        Act::Joke => FOLLOW_JOKE,
        Act::Critique => FOLLOW_CRITIQUE,
        Act::Answer => FOLLOW_ANSWER,
        _ => FOLLOW_PRAISE,
    }
}

/// Whether `text` (one sentence) asks something without saying so with
/// a question mark.
fn is_question(act: Act, text: &str) -> bool {
    act == Act::Question
        && !text.ends_with('?')
        && text.split_whitespace().next().is_some_and(|w| {
            matches!(
                w.to_ascii_lowercase().as_str(),
                "wait"
                    | "is"
                    | "does"
                    | "can"
                    | "how"
                    | "what"
                    | "any"
                    | "where"
                    | "would"
                    | "did"
                    | "what's"
                    | "where's"
                    | "part"
                    | "song"
                    | "link"
                    | "tutorial"
                    | "name"
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

/// A slip of the thumb after `start`: two letters swapped, one dropped or
/// doubled, or an apostrophe left out ("dont").
fn typo(out: &mut String, rng: &mut Rng, start: usize) {
    let len = out.len();
    if len < start + 6 {
        return;
    }
    let kind = rng.below(4);
    if kind == 3 {
        if let Some(i) = out[start..].find('\'') {
            out.remove(start + i);
            return;
        }
    }
    if kind == 1 || kind == 2 {
        let from = start + 2 + rng.below((len - start - 3) as u64) as usize;
        let b = out.as_bytes();
        let Some(i) = (from..len - 1).find(|&i| {
            b[i].is_ascii_lowercase()
                && b[i - 1].is_ascii_lowercase()
                && b[i + 1].is_ascii_lowercase()
        }) else {
            return;
        };
        let c = b[i] as char;
        if kind == 1 {
            out.remove(i);
        } else {
            out.insert(i, c);
        }
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

/// Where a comment's sentences are in `out`, and what they do.
struct Sentences {
    /// Where the comment begins.
    start: usize,
    /// What its first sentence does, and where that sentence ends.
    first: Act,
    first_end: usize,
    /// What its last sentence does, and where that one begins.
    last: Act,
    last_start: usize,
}

impl Sentences {
    fn one(start: usize, act: Act, out: &str) -> Sentences {
        Sentences {
            start,
            first: act,
            first_end: out.len(),
            last: act,
            last_start: start,
        }
    }
}

/// Apply the voice: a filler where people put one, punctuation, casing,
/// stretching, typos, emoji.
fn finish(out: &mut String, rng: &mut Rng, scene: &Scene<'_>, at: Sentences, emoji_ok: bool) {
    let v = scene.voice;
    let start = at.start;
    let words = out[start..].split_whitespace().count();
    let first = &out[start..at.first_end];
    let first_asks = first.ends_with('?') || is_question(at.first, first);
    let opener = first
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let marked = MARKERS.contains(&opener.as_str())
        || opener.starts_with(|c: char| c.is_ascii_digit() || c == '@' || !c.is_ascii());
    let last = &out[at.last_start..];
    let question = last.ends_with('?') || is_question(at.last, last);
    // Only people talking use fillers: not a spammer's line, a troll's jab
    // or an answer picking a moment.
    let talks = !matches!(
        at.first,
        Act::Troll | Act::Spam | Act::Reaction | Act::Answer
    );
    let mut filled = out[start..]
        .split(|c: char| c.is_whitespace() || c == ',')
        .any(|w| FILLERS.contains(&w.to_ascii_lowercase().as_str()));
    if talks && !marked && !filled && words >= 4 && rng.chance(v.slang * 0.6) {
        let lead = if first_asks {
            pick(rng, QUESTION_LEADS)
        } else {
            pick(rng, LEADS)
        };
        out.insert(start, ' ');
        out.insert_str(start, lead);
        filled = true;
    }
    if question && !out.ends_with('?') {
        out.push('?');
        if !v.bare && rng.chance(0.2) {
            out.push('?');
        }
    } else if !question && words >= 2 {
        // No tail after a laugh the frame ends with ("not this again lol").
        let laughs = out.ends_with(v.laugh);
        let tails = !filled && !laughs && !matches!(at.last, Act::Spam | Act::Answer);
        if tails && rng.chance(v.slang * 0.5) {
            out.push(' ');
            out.push_str(if rng.chance(0.5) {
                v.laugh
            } else {
                pick(rng, TAILS)
            });
        } else if !v.bare && !out.ends_with(|c: char| super::measure::is_emoji(c)) {
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
    let emoji_lean = scene.voice.emoji * shape.emoji;
    if scene.voice.character != Character::Bot
        && rng.chance((shape.emoji_only * emoji_lean * 2.0).min(0.5))
    {
        emoji_only(out, rng, scene);
        return Said::of(Act::Reaction);
    }
    let mut act = choose_act(rng, scene);
    let m = moment(rng, scene.gist, None);
    let fill = Fill::new(scene, rng.chance(0.05), m);
    let mut tagged = false;
    if shape.friend_tags > 0.0 && act != Act::Spam && rng.chance(shape.friend_tags) {
        // Tagging a friend: "@maya.silva look at this" or the tag alone.
        out.push('@');
        super::names::write_handle_base(out, rng);
        if rng.chance(0.5) {
            return Said {
                act: Act::Story,
                about: 0,
                cue: Cue::Tag,
            };
        }
        out.push(' ');
        tagged = true;
        if act == Act::Reaction {
            act = Act::Story;
        }
    }
    let long = act != Act::Reaction
        && act != Act::Troll
        && act != Act::Spam
        && rng.chance((shape.long * scene.voice.length).min(0.8));
    let body = out.len();
    let (did, cue) = write_body(out, rng, act, &fill, long);
    let mut at = Sentences::one(body, did, out);
    if long && !matches!(did, Act::Reaction | Act::Troll | Act::Spam) {
        // A second sentence that goes on from the first.
        // Another moment than the first sentence's, or none.
        let other = moment(rng, scene.gist, None).filter(|&o| Some(o) != m);
        let fill2 = Fill::new(scene, true, other);
        let frame = fill2.choose(rng, follow(did), "");
        if !frame.is_empty() {
            let q = out[body..].ends_with('?') || is_question(did, &out[body..]);
            at.first_end = out.len();
            out.push_str(if q {
                "? "
            } else if scene.voice.bare || rng.chance(0.3) {
                ", "
            } else {
                ". "
            });
            let s2 = out.len();
            fill2.expand(out, rng, frame);
            if !out[..s2].ends_with(", ") && !scene.voice.lower {
                capitalise(out, s2);
            }
            at.last = Act::Praise;
            at.last_start = s2;
        }
    }
    let emoji_ok = act != Act::Spam || scene.voice.character != Character::Bot || rng.chance(0.5);
    finish(out, rng, scene, at, emoji_ok);
    let named = m.filter(|_| fill.named.get());
    Said {
        act: did,
        about: named.map_or(0, |i| i as u8 + 1),
        cue: if tagged { Cue::Tag } else { cue },
    }
}

fn capitalise(out: &mut String, at: usize) {
    if let Some(c) = out[at..].chars().next() {
        if c.is_ascii_lowercase() {
            out.replace_range(at..at + 1, &c.to_ascii_uppercase().to_string());
        }
    }
}

/// What a reply to `parent` draws from, by what the parent did and what
/// it invites, and the act the reply performs.
fn reply_pool(rng: &mut Rng, fill: &Fill<'_>, parent: Said) -> (&'static [&'static str], Act) {
    let s = fill.scene.sentiment;
    if parent.cue == Cue::Tag {
        return (TAG_BACK, Act::Reaction);
    }
    match parent.act {
        Act::Question => {
            if s == Sentiment::Negative {
                return (SNUB, Act::Critique);
            }
            // A timestamp answers where to start, not how long or why.
            let stamped =
                parent.cue == Cue::Start && fill.fits(ANSWER_STAMPED[0]) && rng.chance(0.4);
            let pool = match parent.cue {
                _ if stamped => ANSWER_STAMPED,
                Cue::Time => ANSWER_TIME,
                Cue::Start => ANSWER_START,
                Cue::Fit => ANSWER_FIT,
                Cue::Source => ANSWER_SOURCE,
                Cue::More => ANSWER_MORE,
                _ => ANSWER_CREATOR,
            };
            (pool, Act::Answer)
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
        Act::Story => match s {
            Sentiment::Positive => (STORY_BACK, Act::Praise),
            Sentiment::Neutral => (STORY_ASK, Act::Question),
            Sentiment::Negative => (STORY_DOUBT, Act::Critique),
        },
        Act::Reaction => match s {
            Sentiment::Negative => (DISAGREE, Act::Critique),
            Sentiment::Positive => (REACT_AGREE, Act::Reaction),
            Sentiment::Neutral => (ECHO, Act::Reaction),
        },
        Act::Praise | Act::Moment | Act::Answer => match s {
            Sentiment::Positive => (AGREE, Act::Praise),
            Sentiment::Neutral => (PROBE, Act::Question),
            Sentiment::Negative => (DISAGREE, Act::Critique),
        },
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
    let fill = Fill::new(scene, false, moment(rng, scene.gist, Some(parent.about)));
    let (pool, act) = reply_pool(rng, &fill, parent);
    // A reply names a moment only when its parent did ("{M} got me too"
    // under a comment about something else answers nothing); most replies
    // that can name what their parent named do, the rest are a word or
    // two ("fr", "same").
    let usable: Vec<&str> = pool
        .iter()
        .copied()
        .filter(|f| fill.fits(f) && (parent.about > 0 || !f.contains("{M")))
        .collect();
    let naming: Vec<&str> = usable
        .iter()
        .copied()
        .filter(|f| f.contains("{M") || f.contains("{S") || f.contains("{s"))
        .collect();
    let on_moment: Vec<&str> = naming
        .iter()
        .copied()
        .filter(|f| f.contains("{M"))
        .collect();
    let naming = if parent.about > 0 && !on_moment.is_empty() {
        on_moment
    } else {
        naming
    };
    let frame = if !naming.is_empty() && rng.chance(0.85) {
        pick(rng, &naming)
    } else if !usable.is_empty() {
        pick(rng, &usable)
    } else {
        "same"
    };
    fill.expand(out, rng, frame);
    let mut at = Sentences::one(start, act, out);
    let goes_on = matches!(act, Act::Praise | Act::Critique)
        && out[start..].split_whitespace().count() >= 3
        && rng.chance((shape.long * scene.voice.length * 0.6).min(0.5));
    if goes_on {
        // Goes on with a thought of their own about the same thing.
        let more: Vec<&str> = follow(act)
            .iter()
            .copied()
            .filter(|f| {
                fill.fits(f)
                    && (parent.about > 0 || !f.contains("{M"))
                    && !(f.contains("{M") && frame.contains("{M"))
            })
            .collect();
        if !more.is_empty() {
            let more = pick(rng, &more);
            at.first_end = out.len();
            out.push_str(if scene.voice.bare { ", " } else { ". " });
            at.last_start = out.len();
            fill.expand(out, rng, more);
        }
    }
    finish(out, rng, scene, at, true);
    Said {
        act,
        about: parent.about,
        cue: Cue::None,
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

#[cfg(test)]
mod fit {
    //! Fixed-seed checks that the tells readers named stay gone: slots
    //! that do not fit their filler, unrelated frames stitched together,
    //! replies that do not answer their parent, fillers out of place.
    use super::super::phrase::Kind;
    use super::super::vocab::Vocab;
    use super::*;

    /// A voice with no habits (no fillers, emoji, typos, stretching; all
    /// lower case, no final marks), so a text is its frames alone.
    fn plain(character: Character, slang: f64) -> Voice {
        Voice {
            character,
            length: 2.5,
            lower: true,
            bare: true,
            bangs: 0,
            emoji: 0.0,
            emoji_at: EmojiAt::End,
            emoji_run: 1,
            favourite: 0,
            slang,
            typos: 0.0,
            laugh: "lol",
            stretch: false,
        }
    }

    const STYLE: CommentStyle = CommentStyle {
        shape: Shape {
            reaction: 0.2,
            emoji_only: 0.0,
            long: 0.6,
            emoji: 0.0,
            timestamps: true,
            friend_tags: 0.0,
            reply_mention: 0.0,
            lower: 0.0,
        },
        ..CommentStyle::GENERIC
    };

    /// Every title subject of every niche, with chapters of every kind: an
    /// event, a part, something one does.
    fn gists() -> Vec<(Niche, Gist)> {
        let mut out = Vec::new();
        for n in Niche::ALL {
            let v: &Vocab = n.vocab();
            for t in v.title_subjects {
                let g = Gist::read_in(
                    n,
                    &format!("The Truth About {t}"),
                    "Chapters:\n0:00 Intro\n1:10 The boss fight\n2:20 My verdict\n3:30 The meal prep\n",
                );
                out.push((n, g));
            }
        }
        out
    }

    const TABLES: &[&[&str]] = &[
        PRAISE,
        PRAISE_LONG,
        MOMENT,
        STAMPED,
        STORY,
        JOKE,
        OBSERVE,
        ANSWER_POST,
        CRITIQUE,
        GRUDGING,
        TROLL,
        REACT_POSITIVE,
        REACT_NEUTRAL,
        REACT_NEGATIVE,
        FOLLOW_PRAISE,
        FOLLOW_MOMENT,
        FOLLOW_QUESTION,
        FOLLOW_STORY,
        FOLLOW_JOKE,
        FOLLOW_CRITIQUE,
        FOLLOW_ANSWER,
        AGREE,
        DISAGREE,
        PROBE,
        ANSWER_TIME,
        ANSWER_START,
        ANSWER_FIT,
        ANSWER_SOURCE,
        ANSWER_MORE,
        ANSWER_CREATOR,
        ANSWER_STAMPED,
        SNUB,
        DEFEND,
        CONCUR,
        FAIR,
        LAUGH_BACK,
        PUSHBACK,
        STORY_BACK,
        STORY_ASK,
        STORY_DOUBT,
        TAG_BACK,
        ECHO,
    ];

    fn all_frames() -> Vec<&'static str> {
        let mut f: Vec<&str> = TABLES.iter().flat_map(|t| t.iter().copied()).collect();
        f.extend(QUESTION.iter().map(|q| q.0));
        f.extend(QUESTION_SHORT.iter().map(|q| q.0));
        f
    }

    /// Whether `text` is `frame` with its slots filled by anything.
    fn matches(frame: &str, text: &str) -> bool {
        let frame = frame.to_lowercase();
        let frame = frame.trim_end_matches('?');
        // Verbs agreed with a plural phrase read as the frame has them.
        let mut text = format!("{} ", text.trim_end_matches('?'));
        for (one, many) in &AGREEMENT[..4] {
            text = text.replace(&format!(" {many} "), &format!(" {one} "));
        }
        let text = &text[..text.len() - 1];
        let mut lits: Vec<String> = Vec::new();
        let mut rest = frame;
        while let Some(open) = rest.find('{') {
            lits.push(rest[..open].to_string());
            rest = &rest[rest[open..].find('}').map_or(rest.len(), |c| open + c + 1)..];
        }
        lits.push(rest.to_string());
        fn go(text: &str, lits: &[String], first: bool) -> bool {
            match lits {
                [] => text.is_empty(),
                [last] if !first => {
                    text.ends_with(last.as_str()) && {
                        let slot = &text[..text.len() - last.len()];
                        !slot.contains(", ") && !slot.contains(". ") && !slot.contains("? ")
                    }
                }
                [l, more @ ..] => {
                    if first {
                        text.starts_with(l.as_str()) && go(&text[l.len()..], more, false)
                    } else {
                        // A slot holds a phrase: never a sentence break.
                        (0..=text.len())
                            .filter(|&i| {
                                text.is_char_boundary(i) && text[i..].starts_with(l.as_str())
                            })
                            .take_while(|&i| {
                                !text[..i].contains(", ")
                                    && !text[..i].contains(". ")
                                    && !text[..i].contains("? ")
                            })
                            .any(|i| go(&text[i + l.len()..], more, false))
                    }
                }
            }
        }
        if lits.len() == 1 {
            return text == lits[0];
        }
        go(text, &lits, true)
    }

    fn comments(seed: u64, n: usize, slang: f64) -> Vec<(Gist, Said, String)> {
        let mut rng = Rng::new(seed, "fit");
        let gists = gists();
        let mut out = Vec::new();
        for k in 0..n {
            let (niche, gist) = &gists[k % gists.len()];
            let sentiment = Sentiment::sample(&mut rng);
            let character = if k % 7 == 0 {
                Character::Critic
            } else {
                Character::Casual
            };
            let voice = plain(character, slang);
            let scene = Scene {
                niche: *niche,
                style: &STYLE,
                gist,
                seconds: Some(600),
                voice: &voice,
                sentiment,
            };
            let mut t = String::new();
            let said = comment(&mut t, &mut rng, &scene);
            out.push((gist.clone(), said, t));
        }
        out
    }

    /// A frame whose slot needs a kind of phrase never carries a phrase of
    /// another kind ("did the secret ending for the first time", "the boss
    /// season is back"), and no article is doubled.
    #[test]
    fn slots_take_only_phrases_that_fit() {
        let frames = all_frames();
        let mut checked = 0;
        for (gist, _, t) in comments(31, 6000, 0.0) {
            let t = t.to_lowercase();
            for bad in ["the the ", "the every ", "the your ", "the this ", "a the "] {
                assert!(!t.contains(bad), "{t}");
            }
            let mut phrases: Vec<(&str, char)> = vec![(gist.subject.as_str(), 'S')];
            phrases.extend(gist.moments.iter().map(|m| (m.name.as_str(), 'M')));
            for f in &frames {
                for (need, slot) in [
                    ("do", 'S'),
                    ("thing", 'S'),
                    ("do", 'M'),
                    ("event", 'M'),
                    ("do", 's'),
                ] {
                    let tag = format!("{{{slot}:{need}}}");
                    let Some(at) = f.find(&tag) else { continue };
                    // The words around the slot, up to the next slot.
                    let before = f[..at].rsplit('}').next().unwrap_or("").to_lowercase();
                    let after = f[at + tag.len()..]
                        .split('{')
                        .next()
                        .unwrap_or("")
                        .to_lowercase();
                    if before.trim().len() + after.trim().len() < 4 {
                        continue;
                    }
                    for (p, ps) in &phrases {
                        let slot_is = if slot == 'M' { 'M' } else { 'S' };
                        if *ps != slot_is || meets(kind_of(p), need) {
                            continue;
                        }
                        checked += 1;
                        let filled = format!("{before}{p}{after}");
                        assert!(
                            !t.contains(&filled),
                            "`{f}` took `{p}` ({:?}): {t}",
                            kind_of(p)
                        );
                    }
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
        // The reading the checks rest on.
        assert_eq!(kind_of("the secret ending"), Kind::Event);
    }

    /// A long comment is one frame and, at most, a second sentence from
    /// the frames that go on from it: never two first sentences stitched.
    #[test]
    fn long_comments_are_one_thought() {
        let firsts: Vec<&str> = all_frames();
        let follows: Vec<&str> = [
            FOLLOW_PRAISE,
            FOLLOW_MOMENT,
            FOLLOW_QUESTION,
            FOLLOW_STORY,
            FOLLOW_JOKE,
            FOLLOW_CRITIQUE,
            FOLLOW_ANSWER,
        ]
        .iter()
        .flat_map(|t| t.iter().copied())
        .collect();
        let mut long = 0;
        for (_, said, t) in comments(32, 3000, 0.0) {
            if said.act == Act::Spam {
                continue;
            }
            let t = t.trim_end_matches('?');
            let one = firsts.iter().any(|f| matches(f, t));
            let two = [", ", "? "].iter().any(|sep| {
                t.match_indices(sep).any(|(i, _)| {
                    let (a, b) = (&t[..i], &t[i + sep.len()..]);
                    follows.iter().any(|f| matches(f, b)) && firsts.iter().any(|f| matches(f, a))
                })
            });
            long += usize::from(two && !one);
            assert!(
                one || two,
                "not one frame or one frame and its follow-up: {t}"
            );
        }
        assert!(long > 100, "{long}");
    }

    /// A reply answers what its parent did: a question's answer fits what
    /// was asked, a tagged friend answers the tag, a story gets a reaction
    /// to the story; and a reply names a moment only when its parent did.
    #[test]
    fn replies_fit_what_their_parent_asked() {
        let mut rng = Rng::new(33, "fit");
        let gists = gists();
        let voice = plain(Character::Casual, 0.0);
        let cases: &[(Said, Sentiment, &[&[&str]])] = &[
            (
                Said {
                    act: Act::Question,
                    about: 0,
                    cue: Cue::Time,
                },
                Sentiment::Positive,
                &[ANSWER_TIME, ANSWER_STAMPED],
            ),
            (
                Said {
                    act: Act::Question,
                    about: 0,
                    cue: Cue::Start,
                },
                Sentiment::Neutral,
                &[ANSWER_START, ANSWER_STAMPED],
            ),
            (
                Said {
                    act: Act::Question,
                    about: 0,
                    cue: Cue::Fit,
                },
                Sentiment::Positive,
                &[ANSWER_FIT],
            ),
            (
                Said {
                    act: Act::Question,
                    about: 0,
                    cue: Cue::Source,
                },
                Sentiment::Positive,
                &[ANSWER_SOURCE],
            ),
            (
                Said {
                    act: Act::Question,
                    about: 0,
                    cue: Cue::More,
                },
                Sentiment::Positive,
                &[ANSWER_MORE],
            ),
            (
                Said {
                    act: Act::Question,
                    about: 0,
                    cue: Cue::Time,
                },
                Sentiment::Negative,
                &[SNUB],
            ),
            (
                Said {
                    act: Act::Story,
                    about: 0,
                    cue: Cue::Tag,
                },
                Sentiment::Positive,
                &[TAG_BACK],
            ),
            (
                Said {
                    act: Act::Story,
                    about: 0,
                    cue: Cue::None,
                },
                Sentiment::Positive,
                &[STORY_BACK],
            ),
            (
                Said {
                    act: Act::Story,
                    about: 0,
                    cue: Cue::None,
                },
                Sentiment::Neutral,
                &[STORY_ASK],
            ),
            (
                Said {
                    act: Act::Joke,
                    about: 0,
                    cue: Cue::None,
                },
                Sentiment::Positive,
                &[LAUGH_BACK],
            ),
            (
                Said {
                    act: Act::Critique,
                    about: 0,
                    cue: Cue::None,
                },
                Sentiment::Positive,
                &[DEFEND],
            ),
            (
                Said {
                    act: Act::Praise,
                    about: 0,
                    cue: Cue::None,
                },
                Sentiment::Neutral,
                &[PROBE],
            ),
        ];
        for (k, (parent, sentiment, pools)) in cases.iter().cycle().take(4000).enumerate() {
            let (niche, gist) = &gists[k % gists.len()];
            let scene = Scene {
                niche: *niche,
                style: &STYLE,
                gist,
                seconds: Some(600),
                voice: &voice,
                sentiment: *sentiment,
            };
            let mut t = String::new();
            reply(&mut t, &mut rng, &scene, *parent, None);
            let t = t.trim_end_matches('?');
            // The reply's own first sentence (it may go on).
            let fits = pools.iter().flat_map(|p| p.iter()).any(|f| {
                matches(f, t)
                    || [". ", ", "]
                        .iter()
                        .any(|sep| t.match_indices(sep).any(|(i, _)| matches(f, &t[..i])))
            });
            assert!(fits, "{parent:?} ({sentiment:?}) got: {t}");
            if parent.about == 0 {
                // (A moment that is the subject itself may be named.)
                for m in gist
                    .moments
                    .iter()
                    .filter(|m| !m.name.contains(gist.short.as_str()))
                {
                    assert!(!t.contains(m.name.as_str()), "{parent:?} got a moment: {t}");
                }
            }
        }
    }

    /// Fillers where people put them: a hedge ("ngl", "lowkey") never
    /// opens a question or stands before another opener ("lowkey wait"),
    /// one filler to a comment, none in spam.
    #[test]
    fn fillers_sit_where_people_put_them() {
        const HEDGES: &[&str] = &[
            "ngl",
            "lowkey",
            "honestly",
            "genuinely",
            "not gonna lie",
            "deadass",
            "real talk",
            "ok but",
            "bro",
        ];
        const FILLERS: &[&str] = &[
            "ngl",
            "lowkey",
            "honestly",
            "genuinely",
            "deadass",
            "tbh",
            "fr",
            "istg",
            "no cap",
        ];
        let mut led = 0;
        for (_, said, t) in comments(34, 6000, 0.9) {
            let lower = t.to_lowercase();
            let words: Vec<&str> = lower
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|w| !w.is_empty())
                .collect();
            let n = words.iter().filter(|w| FILLERS.contains(w)).count()
                - usize::from(lower.contains("fr fr"));
            if said.act == Act::Spam {
                assert_eq!(n, 0, "{t}");
                continue;
            }
            assert!(n <= 1, "{n} fillers: {t}");
            let Some(hedge) = HEDGES.iter().find(|h| lower.starts_with(&format!("{h} "))) else {
                continue;
            };
            led += 1;
            let rest = &lower[hedge.len() + 1..];
            let next = rest.split_whitespace().next().unwrap_or("");
            let first_sentence = rest.split([',', '.']).next().unwrap_or("");
            assert!(
                !first_sentence.trim_end().ends_with('?'),
                "hedged question: {t}"
            );
            assert!(!MARKERS.contains(&next), "filler before an opener: {t}");
        }
        assert!(led > 200, "{led}");
    }
}
