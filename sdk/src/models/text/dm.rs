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

const FAN: &[&str] = &[
    "{X} got me through a rough week",
    "I finally tried {X} and it worked",
    "been following {D} and you always make my day",
    "{F} and I watch you every week",
    "you're the reason I got into {P}",
    "watching {X} on my lunch break was the best part of today",
    "I don't usually message people but {X} really helped",
    "you made me love {P} again",
    "I rewatched {X} three times this week",
    "{X} made me laugh so hard on the bus",
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
const WHY: &[&str] = &[
    "we loved {X}",
    "your audience is exactly who we make things for",
    "we've followed your {P} content for a while",
    "{X} was shared around our office all week",
    "your tone fits what we're building",
];
const OFFER: &[&str] = &[
    "we'd like to send you {R} to try, no strings attached",
    "we're planning a paid campaign next month and you'd be a great fit",
    "we have budget for two posts and a story featuring {R}",
    "would you be up for an affiliate code on {R}?",
    "we'd love a short integration about {R} in an upcoming video",
];
const ASK: &[&str] = &[
    "could you share your rates?",
    "is there an email we can use?",
    "let us know if you're interested!",
    "open to a quick call this week?",
    "can you send over a media kit?",
    "where should we ship it?",
];
const SIGN: &[&str] = &[
    "Best, {N}",
    "Thanks! {N} @ {B}",
    "Cheers, {N}",
    "",
    "Looking forward to it!",
];
const SPAM: &[&str] = &[
    "Congratulations! You've been selected for a FREE promo. Claim at https://{S}/claim",
    "Want 10k real subscribers? Visit https://{S} today",
    "hi dear, I am a crypto trader and can double your earnings. message me",
    "Your account has been flagged. Verify now: https://{S}/verify",
    "Promote your posts to 1M+ viewers, 90% OFF: https://{S}",
    "I love your content!! check my profile for a surprise 😘",
    "Get verified in 24h, guaranteed: https://{S}/badge",
    "Earn $500/day from home, ask me how",
    "sub4sub? I follow back 100%",
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
    match kind {
        DmType::Spam => {
            let t = pick(rng, SPAM);
            expand(&mut out, rng, t, &f)
        }
        DmType::Collaboration => {
            out.push_str(pick(
                rng,
                &["Hi there,", "Hello!", "Hey!", "Hi,", "Good afternoon,"],
            ));
            out.push(' ');
            let s = out.len();
            {
                let t = pick(rng, INTRO);
                expand(&mut out, rng, t, &f)
            };
            sentence_case(&mut out, s);
            if rng.chance(0.7) {
                let and = rng.chance(0.5);
                out.push_str(if and { " and " } else { ". " });
                let s = out.len();
                {
                    let t = pick(rng, WHY);
                    expand(&mut out, rng, t, &f)
                };
                if !and {
                    sentence_case(&mut out, s);
                }
            }
            out.push_str(". ");
            let s = out.len();
            {
                let t = pick(rng, OFFER);
                expand(&mut out, rng, t, &f)
            };
            sentence_case(&mut out, s);
            out.push_str(". ");
            let s = out.len();
            {
                let t = pick(rng, ASK);
                expand(&mut out, rng, t, &f)
            };
            sentence_case(&mut out, s);
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
            let pool = match kind {
                DmType::Fan => FAN,
                DmType::Question => QUESTION,
                _ => CRITIC,
            };
            {
                let t = pick(rng, pool);
                expand(&mut out, rng, t, &f)
            };
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
