//! Direct messages, composed from parts (a greeting, who is writing, why,
//! what they ask, a sign-off) in the sender's voice, so two messages of a
//! kind rarely share more than a phrase; brand pitches come from made-up
//! brands with a product of the niche. They name the creator's content by
//! its subjects ("your 30 day challenge"), never by a section name.

use super::super::rng::Rng;
use super::gist::subject_of;
use super::vocab::{BRANDS, FIRST_NAMES, SPAM_SITES};
use super::voice::Voice;
use super::{fill_slots, DmType, Niche};

fn pick<'t>(rng: &mut Rng, items: &[&'t str]) -> &'t str {
    items[rng.below(items.len() as u64) as usize]
}

fn subject(rng: &mut Rng, niche: Niche) -> String {
    let s = pick(rng, niche.vocab().title_subjects);
    subject_of(s)
        .map(|(full, short)| {
            if full.starts_with("your ") {
                full
            } else {
                format!("your {short} video")
            }
        })
        .unwrap_or_else(|| "your last one".to_string())
}

fn products(niche: Niche) -> &'static [&'static str] {
    match niche {
        Niche::Tech => &[
            "a pair of earbuds",
            "our new charger",
            "a laptop stand",
            "a smart lamp",
        ],
        Niche::Gaming => &[
            "our new headset",
            "a pair of controller grips",
            "a gaming chair",
            "an energy drink line",
        ],
        Niche::Beauty => &[
            "our new serum",
            "a lip kit",
            "a cleanser",
            "a few shades of our tint",
        ],
        Niche::Fitness => &[
            "resistance bands",
            "our protein bars",
            "a pair of lifting straps",
            "a foam roller",
        ],
        Niche::Cooking => &[
            "a chef's knife",
            "our spice set",
            "a cast iron pan",
            "a box of our hot sauce",
        ],
        Niche::Travel => &[
            "a carry-on",
            "our packing cubes",
            "an eSIM plan",
            "a travel pillow",
        ],
        Niche::Education => &[
            "our study app",
            "a note-taking tablet",
            "a course platform seat",
            "flashcard decks",
        ],
        Niche::Comedy => &[
            "our card game",
            "a merch drop",
            "a meme calendar",
            "our snack box",
        ],
        Niche::Music => &[
            "a condenser mic",
            "a pair of monitors",
            "a guitar pedal",
            "a plugin bundle",
        ],
        Niche::Lifestyle => &[
            "a candle set",
            "our planner",
            "a water bottle",
            "a linen set",
        ],
    }
}

const GREET: &[&str] = &[
    "hey",
    "hi",
    "hello",
    "hey there",
    "hiii",
    "yo",
    "hi hi",
    "good morning",
    "heyy",
];

/// A fan's message: what happened ("saw your push up video last night")
/// and what it did ("it made my whole day"), or a line of its own.
const FAN_WHEN: &[&str] = &[
    "watched {X} on my lunch break",
    "saw {X} last night",
    "{F} showed me {X}",
    "found {X} by accident",
    "just finished {X}",
    "rewatched {X} this morning",
    "caught {X} on my way home",
    "put {X} on while cooking",
    "finally got around to {X}",
];
const FAN_DID: &[&str] = &[
    "it got me through a rough week",
    "it made my whole day",
    "I haven't stopped thinking about it",
    "it honestly helped a lot",
    "I had to say thanks",
    "now I'm hooked",
    "I laughed the whole time",
    "I went straight back to {P}",
    "it was exactly what I needed",
    "I ended up watching three more",
];
const FAN: &[&str] = &[
    "been following {D} and you always make my day",
    "{F} and I watch you every week",
    "you're the reason I got into {P}",
    "you made me love {P} again",
    "I don't usually message people but {X} really helped",
];
const FAN_END: &[&str] = &[
    "thank you",
    "keep going",
    "no need to reply",
    "you're the best",
    "thanks for being so real",
    "have a great day",
    "can't wait for the next one",
    "sending love from {C}",
];
const QUESTION: &[&str] = &[
    "how do you stay consistent with {P}?",
    "any tips for starting {P} with {O}?",
    "is {X} doable for a beginner?",
    "what would you do differently about {X} now?",
    "do you ever do {P} live?",
    "how long did it take you to get good at {P}?",
    "would {X} work with {O}?",
    "what setup do you use for filming?",
    "are you doing a follow up to {X}?",
    "how did you plan {X}?",
];
const CRITIC: &[&str] = &[
    "{X} felt rushed compared to your older stuff",
    "too many sponsors lately, it's getting a bit much",
    "you got part of {X} wrong and didn't correct it",
    "I used to love your content but lately it feels forced",
    "the way you talked about {X} came across badly",
    "I expected more from {X}",
];
const CRITIC_END: &[&str] = &[
    "just my two cents",
    "sorry but someone had to say it",
    "hope you read this",
    "not trying to be mean",
    "you're better than this",
    "still watching though",
    "please fix it",
];
const INTRO: &[&str] = &[
    "I'm {N} from {B}",
    "{N} here, I look after partnerships at {B}",
    "we're {B}, a small brand",
    "this is {N} with the {B} team",
    "I handle creator partnerships for {B}",
];
/// Why a brand writes: who saw what, and what they made of it.
const WHY_WHO: &[&str] = &[
    "we",
    "our team",
    "the whole team",
    "a few of us",
    "our founder",
];
const WHY_SAW: &[&str] = &["saw", "came across", "watched", "kept sharing", "found"];
const WHY_THOUGHT: &[&str] = &[
    "loved it",
    "thought of you right away",
    "couldn't stop talking about it",
    "knew you'd get what we're doing",
    "had to reach out",
];
const WHY: &[&str] = &[
    "your audience is exactly who {B} is for",
    "your {P} content fits {B} really well",
    "we've followed your {P} content {D}",
];
/// An offer: what the brand would do, with what, on what terms.
const OFFER_WANT: &[&str] = &[
    "we'd love to",
    "we'd like to",
    "we want to",
    "we're hoping to",
];
const OFFER_SEND: &[&str] = &["send you {R}", "ship you {R}", "get {R} to you"];
const OFFER_TERMS: &[&str] = &[
    "to try, no strings attached",
    "to keep either way",
    "before it launches",
    "with a code for your followers",
    "as a thank-you for what you make",
    "and hear what you think",
];
const OFFER_PAID: &[&str] = &[
    "two posts and a story",
    "one dedicated video",
    "a three-post series",
    "a month of stories",
    "a short integration",
];
const ASK: &[&str] = &[
    "could you share your rates?",
    "is there an email we can use?",
    "let us know if you're interested!",
    "open to a quick call this week?",
    "can you send over a media kit?",
    "where should we ship it?",
    "who should we talk to about this?",
    "what would that cost for you?",
    "happy to send details.",
];
const SIGN: &[&str] = &[
    "Best, {N}",
    "Thanks! {N} @ {B}",
    "Cheers, {N}",
    "",
    "Looking forward to it!",
];
/// Spam: an opener, a promise and the call that goes with it.
const SPAM_HOOK: &[&str] = &[
    "Congratulations!",
    "Hi dear,",
    "Attention:",
    "Hello friend,",
    "Last chance!",
    "Dear creator,",
    "",
];
const SPAM: &[(&str, &[&str])] = &[
    (
        "you've been selected for a FREE promo",
        &["Claim at https://{S}/claim", "details at https://{S}"],
    ),
    (
        "want 10k real followers?",
        &["Visit https://{S} today", "message me", "check my bio"],
    ),
    (
        "your account has been flagged",
        &[
            "Verify now: https://{S}/verify",
            "appeal here https://{S}/appeal",
        ],
    ),
    (
        "get verified in 24h, guaranteed",
        &["https://{S}/badge", "DM me for the link"],
    ),
    (
        "I can double your earnings with crypto",
        &["message me", "ask me how"],
    ),
    (
        "promote your posts to 1M+ viewers, 90% OFF",
        &["https://{S}", "only today at https://{S}"],
    ),
    ("earn $500/day from home", &["ask me how", "message me"]),
    ("sub4sub? I follow back 100%", &[""]),
    (
        "I love your content!! check my profile for a surprise 😘",
        &[""],
    ),
];
const COUNTRIES: &[&str] = &[
    "Brazil",
    "Poland",
    "Kenya",
    "Canada",
    "the Philippines",
    "Spain",
    "India",
    "Ireland",
    "Mexico",
    "Vietnam",
];
const FRIENDS: &[&str] = &[
    "my sister",
    "my roommate",
    "my dad",
    "my partner",
    "my best friend",
    "my son",
];
const DURATIONS: &[&str] = &[
    "for two years",
    "for a few months",
    "since the start",
    "for three years",
    "for about a year",
];

struct Fill {
    x: String,
    niche: Niche,
    name: &'static str,
    brand: &'static str,
}

fn expand(out: &mut String, rng: &mut Rng, t: &str, f: &Fill) {
    let v = f.niche.vocab();
    fill_slots(out, t, |out, slot| match slot {
        "X" => out.push_str(&f.x),
        "P" => out.push_str(pick(rng, v.pursuits)),
        "O" => out.push_str(pick(rng, v.owns)),
        "F" => out.push_str(pick(rng, FRIENDS)),
        "D" => out.push_str(pick(rng, DURATIONS)),
        "C" => out.push_str(pick(rng, COUNTRIES)),
        "N" => out.push_str(f.name),
        "B" => out.push_str(f.brand),
        "R" => out.push_str(pick(rng, products(f.niche))),
        "S" => out.push_str(pick(rng, SPAM_SITES)),
        _ => {}
    });
}

fn sentence_case(s: &mut String, start: usize) {
    if let Some(c) = s[start..].chars().next() {
        if c.is_ascii_lowercase() {
            s.replace_range(start..start + 1, &c.to_ascii_uppercase().to_string());
        }
    }
}

/// A direct message of `kind` in the sender's `voice`.
pub fn dm(rng: &mut Rng, niche: Niche, kind: DmType, voice: &Voice) -> String {
    let f = Fill {
        x: subject(rng, niche),
        niche,
        name: pick(rng, FIRST_NAMES),
        brand: pick(rng, BRANDS),
    };
    let mut out = String::with_capacity(200);
    // Write one sentence from parts, each a template, joined by spaces
    // (empty parts left out), in sentence case.
    let sentence = |out: &mut String, rng: &mut Rng, parts: &[&str]| {
        let s = out.len();
        for p in parts.iter().filter(|p| !p.is_empty()) {
            let after_stop = out[s..].ends_with(['!', '.', '?']);
            if out.len() > s {
                out.push(' ');
            }
            let at = out.len();
            expand(out, rng, p, &f);
            // A new sentence after "Congratulations!"; a link stays as
            // it is typed.
            if (at == s || after_stop) && !p.starts_with("https") {
                sentence_case(out, at);
            }
        }
    };
    match kind {
        DmType::Spam => {
            let hook = pick(rng, SPAM_HOOK);
            let (promise, calls) = SPAM[rng.below(SPAM.len() as u64) as usize];
            let call = pick(rng, calls);
            sentence(&mut out, rng, &[hook, promise]);
            if !call.is_empty() {
                out.push_str(if promise.ends_with(['?', '!']) {
                    " "
                } else {
                    ". "
                });
                sentence(&mut out, rng, &[call]);
            }
        }
        DmType::Collaboration => {
            out.push_str(pick(
                rng,
                &["Hi there,", "Hello!", "Hey!", "Hi,", "Good afternoon,"],
            ));
            out.push(' ');
            let intro = pick(rng, INTRO);
            sentence(&mut out, rng, &[intro]);
            if rng.chance(0.7) {
                out.push_str(". ");
                if rng.chance(0.6) {
                    let (who, saw, thought) = (
                        pick(rng, WHY_WHO),
                        pick(rng, WHY_SAW),
                        pick(rng, WHY_THOUGHT),
                    );
                    sentence(&mut out, rng, &[who, saw, "{X} and", thought]);
                } else {
                    let why = pick(rng, WHY);
                    sentence(&mut out, rng, &[why]);
                }
            }
            out.push_str(". ");
            if rng.chance(0.65) {
                let (want, send, terms) = (
                    pick(rng, OFFER_WANT),
                    pick(rng, OFFER_SEND),
                    pick(rng, OFFER_TERMS),
                );
                sentence(&mut out, rng, &[want, send, terms]);
            } else {
                let paid = pick(rng, OFFER_PAID);
                let lead = pick(
                    rng,
                    &[
                        "we have budget for",
                        "we're planning a paid campaign and could do",
                        "we'd pay for",
                    ],
                );
                sentence(&mut out, rng, &[lead, paid, "featuring {R}"]);
            }
            out.push_str(". ");
            let ask = pick(rng, ASK);
            sentence(&mut out, rng, &[ask]);
            let sign = pick(rng, SIGN);
            if !sign.is_empty() {
                out.push_str(if rng.chance(0.5) { "\n\n" } else { " " });
                expand(&mut out, rng, sign, &f);
            }
        }
        _ => {
            if rng.chance(0.55) {
                out.push_str(pick(rng, GREET));
                out.push_str(pick(rng, &["! ", ", ", "!! "]));
            }
            if kind == DmType::Fan && rng.chance(0.7) {
                let (when, did) = (pick(rng, FAN_WHEN), pick(rng, FAN_DID));
                expand(&mut out, rng, when, &f);
                out.push_str(if rng.chance(0.5) { " and " } else { ", " });
                expand(&mut out, rng, did, &f);
            } else {
                let pool = match kind {
                    DmType::Fan => FAN,
                    DmType::Question => QUESTION,
                    _ => CRITIC,
                };
                if kind == DmType::Question && rng.chance(0.4) {
                    out.push_str(pick(
                        rng,
                        &["quick question, ", "random but ", "been wondering, ", "so "],
                    ));
                }
                let t = pick(rng, pool);
                expand(&mut out, rng, t, &f);
            }
            if kind == DmType::Fan && rng.chance(0.6) {
                out.push_str(if voice.bare { ", " } else { ". " });
                let s = out.len();
                let t = pick(rng, FAN_END);
                expand(&mut out, rng, t, &f);
                if !voice.bare {
                    sentence_case(&mut out, s);
                }
            }
            if kind == DmType::Criticism && rng.chance(0.6) {
                out.push_str(if voice.bare { ", " } else { ". " });
                let s = out.len();
                let t = pick(rng, CRITIC_END);
                expand(&mut out, rng, t, &f);
                if !voice.bare {
                    sentence_case(&mut out, s);
                }
            }
            if voice.lower {
                out.make_ascii_lowercase();
            } else {
                sentence_case(&mut out, 0);
            }
            if kind == DmType::Fan && rng.chance(voice.emoji) {
                out.push(' ');
                out.push_str(pick(rng, &["🙏", "❤️", "🥹", "🫶", "😊", "💛"]));
            }
        }
    }
    out
}
