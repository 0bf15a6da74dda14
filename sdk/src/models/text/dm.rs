//! Direct messages, composed from parts (a greeting, who is writing, why,
//! what they ask, a sign-off) in the sender's voice, so two messages of a
//! kind rarely share more than a phrase; brand pitches come from made-up
//! brands with a product of the niche. They name the creator's content by
//! its subjects ("your 30 day challenge"), never by a section name.

use super::super::rng::Rng;
use super::gist::subject_of;
use super::voice::Voice;
use super::{fill_slots, DmType, Niche};

fn pick<'t>(rng: &mut Rng, items: &[&'t str]) -> &'t str {
    items[rng.below(items.len() as u64) as usize]
}

/// How a fan names one of the creator's posts: in many ways, not one
/// frame ("the push up one", "that cardio vid", "your post about ...").
fn subject(rng: &mut Rng, niche: Niche) -> String {
    let s = pick(rng, niche.vocab().title_subjects);
    subject_of(s)
        .map(|(full, short)| {
            if full.starts_with("your ") {
                return full;
            }
            match rng.below(7) {
                0 => format!("your {short} video"),
                1 => format!("the {short} one"),
                2 => format!("that {short} vid"),
                3 => format!("the one about {full}"),
                4 => format!("your {short} post"),
                5 => format!("the {short} thing you did"),
                _ => "your last one".to_string(),
            }
        })
        .unwrap_or_else(|| "your last one".to_string())
}

/// The brands that write to a creator of a niche, each with the one
/// product it pitches.
pub(super) fn brands_of(niche: Niche) -> &'static [(&'static str, &'static str)] {
    match niche {
        Niche::Tech => &[
            ("Tidewater Audio", "a pair of earbuds"),
            ("Voltbay", "our new charger"),
            ("Deskwell", "a laptop stand"),
            ("Lumora", "a smart lamp"),
        ],
        Niche::Gaming => &[
            ("Hexline Audio", "our new headset"),
            ("Gripforge", "a pair of controller grips"),
            ("Northpeak Seating", "a gaming chair"),
            ("Volt Rush", "an energy drink line"),
        ],
        Niche::Beauty => &[
            ("Pureglow", "our new serum"),
            ("Velvetine", "a lip kit"),
            ("Clearwater Skin", "a cleanser"),
            ("Bloomtint", "a few shades of our tint"),
        ],
        Niche::Fitness => &[
            ("Atlas Gear", "resistance bands"),
            ("Fuelbar", "our protein bars"),
            ("Ironhold", "a pair of lifting straps"),
            ("Rollwell", "a foam roller"),
        ],
        Niche::Cooking => &[
            ("Kettle & Crumb", "a chef's knife"),
            ("Saffron Row", "our spice set"),
            ("Emberforge", "a cast iron pan"),
            ("Red Fern Sauce Co.", "a box of our hot sauce"),
        ],
        Niche::Travel => &[
            ("Wayfarer Bags", "a carry-on"),
            ("Cubefold", "our packing cubes"),
            ("Orbit Mobile", "an eSIM plan"),
            ("Drift & Rest", "a travel pillow"),
        ],
        Niche::Education => &[
            ("Quanta Learning", "our study app"),
            ("Inkslate", "a note-taking tablet"),
            ("Coursely", "a course platform seat"),
            ("Recall Cards", "flashcard decks"),
        ],
        Niche::Comedy => &[
            ("Punchline Games", "our card game"),
            ("Goofline", "a merch drop"),
            ("Memeday", "a meme calendar"),
            ("Snackbox Co.", "our snack box"),
        ],
        Niche::Music => &[
            ("Brightfield Audio", "a condenser mic"),
            ("Monitor Lane", "a pair of monitors"),
            ("Fuzzhaus", "a guitar pedal"),
            ("Vellum Labs", "a plugin bundle"),
        ],
        Niche::Lifestyle => &[
            ("Fernhill", "a candle set"),
            ("Sprout Supply", "our planner"),
            ("Tallwater", "a water bottle"),
            ("Linen & Co.", "a linen set"),
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
/// A fan's message of one line, nothing around it.
const FAN_SHORT: &[&str] = &[
    "ur videos got me through my exams ngl",
    "{SAY} {THANKS}",
    "{SAY} {THANKS}",
    "{SAY} {THANKS}",
    "okay {X} is my favourite thing you've made",
    "you just get it",
    "{F} and I quote you all the time",
    "not me rewatching {X} again",
    "big fan from {C}!!",
    "ok {X} was so good",
    "you have no idea how much {X} helped",
    "{F} says hi!!",
    "proud of you for real",
    "the editing lately 🔥",
    "been here since like 2k followers, so happy for you",
    "you're literally my comfort creator",
    "still laughing at {X}",
    "omg you posted",
    "this account is my happy place",
    "I quoted you at work today lol",
    "we need a meetup in {C}",
];
/// A fan's story: what they did because of the creator.
const FAN_STORY: &[&str] = &[
    "started {P} in {M} because of you and I'm still going",
    "{F} got me into your stuff and now we send each other every upload",
    "I showed {X} to {F} and we've been doing {P} together since",
    "I started {P} in {M} after finding you and it's the longest I've stuck with anything",
    "not to be dramatic but {X} came at the exact right time for me",
    "I used to think {P} wasn't for me, then I found your page",
    "I have a {P} notebook now. it's mostly your stuff",
    "{F} laughed at me for watching you, now they watch more than me",
    "I went back and watched all your old stuff this weekend, the early ones are so funny",
    "I was in a hospital waiting room and {X} kept me sane, no joke",
    "I was about to quit {P} last month, {X} is the reason I didn't",
    "I tried what you did in {X} and I cried a little when it worked",
    "I've watched {X} like ten times now, {F} thinks I'm obsessed",
    "my whole {P} routine is basically copied from you at this point",
];
/// A fan's question that is really a hello.
const FAN_ASK: &[&str] = &[
    "will you ever come to {C}??",
    "do you have merch yet",
    "what's the song in {X}, I need it",
    "do you ever read these lol",
    "how do you always look so happy on camera",
];
const FAN_END: &[&str] = &[
    "thank you",
    "keep going",
    "no need to reply",
    "you're the best",
    "anyway, love your stuff",
    "can't wait for the next one",
    "sending love from {C}",
    "ok bye",
    "that's it lol",
];
const QUESTION: &[&str] = &[
    "how do you stay consistent with {P}?",
    "I'm trying to get into {P} but I only have {O}, where would you even start?",
    "could a total beginner follow {X} or should I wait?",
    "do you ever go live?",
    "how long did it take you to get good at {P}?",
    "what camera do you film on? the quality is crazy",
    "are you doing a follow up to {X}?",
    "do you take requests?",
    "what do you do on days you don't feel like {P}?",
    "dumb question but how do you edit so fast",
    "do you reply to these? it's about {P}",
    "is it normal to be this bad at {P} after a month lol",
    "where did you learn all this?",
    "what would you tell someone starting {P} at 30?",
    "did you ever feel like giving up on {P}? I'm kind of there rn",
    "is {O} enough to start or do I need more?",
    "do you still do what you showed in {X}?",
    "{F} and I have a bet going. do you do all this yourself?",
    "any chance you'd do a q&a soon? {F} has so many questions",
    "what's one thing you wish you knew before starting {P}?",
    "do you ever get bored of {P}? asking because I kind of am",
    "what's your {P} routine on a busy week?",
    "how do you decide what to post next?",
    "did you ever think about quitting?",
    "would you ever do a collab with a small creator? I do {P} too",
    "how did you get your first thousand followers?",
    "what was the hardest part of {X} to make?",
    "do you still talk to people you met through {P}?",
    "who got you into {P} in the first place?",
    "is there a book or channel that taught you the basics?",
    "how do you deal with mean comments?",
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
    "I work on partnerships at {B}",
    "we're {B}, a small brand",
    "writing from the {B} team",
    "I handle creator partnerships for {B}",
    "reaching out on behalf of {B}",
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
    "it's been in our group chat all week",
    "it felt like you already use our stuff",
    "wanted to say hi properly",
];
const WHY: &[&str] = &[
    "your audience is exactly who {B} is for",
    "your {P} content fits {B} really well",
    "we've followed your {P} content {D}",
    "half our customers already follow you",
    "your comments are full of people asking about gear",
    "you talk about {P} the way we wish more people did",
];
/// An offer: what the brand would do, with what, on what terms.
const OFFER_WANT: &[&str] = &[
    "we'd love to",
    "we'd like to",
    "we want to",
    "we're hoping to",
];
const OFFER_SEND: &[&str] = &[
    "send you {R}",
    "ship you {R}",
    "get {R} to you",
    "put {R} in your hands",
    "have you test {R}",
    "gift you {R}",
];
const OFFER_TERMS: &[&str] = &[
    "to try, no strings attached",
    "to keep either way",
    "before it launches",
    "with a code for your followers",
    "as a thank-you for what you make",
    "and hear what you think",
    "and see if it fits your routine",
    "ahead of our spring drop",
    "for an honest review",
    "with no posting required",
];
const OFFER_PAID: &[&str] = &[
    "two posts and a story",
    "one dedicated video",
    "a three-post series",
    "a month of stories",
    "a short integration",
    "a pinned post",
    "three stories over a month",
    "one reel and a giveaway",
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
    "Best, the {B} team",
    "Thanks!",
    "",
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
    "Good news!",
    "Hey!",
    "Important:",
    "",
];
const SPAM: &[(&str, &[&str])] = &[
    (
        "you've been selected for a FREE promo",
        &["Claim it via the link in my bio", "reply YES to claim"],
    ),
    (
        "want 10k real followers?",
        &["link in bio", "message me", "check my bio"],
    ),
    (
        "your account has been flagged",
        &["contact our support page in bio", "reply here to appeal"],
    ),
    (
        "get verified in 24h, guaranteed",
        &["DM me for the link", "only 3 spots left"],
    ),
    (
        "I can double your earnings with crypto",
        &["message me", "ask me how"],
    ),
    (
        "promote your posts to 1M+ viewers, 90% OFF",
        &["link in bio", "only today, DM me"],
    ),
    (
        "earn $500/day from home",
        &["ask me how", "message me", "DM me 'INFO'"],
    ),
    (
        "we're looking for brand ambassadors",
        &["apply through the link in my bio", "DM our main page"],
    ),
    ("sub4sub? I follow back 100%", &[""]),
    (
        "I love your content!! check my profile for a surprise 😘",
        &[""],
    ),
];
const MONTHS: &[&str] = &[
    "january",
    "march",
    "may",
    "the summer",
    "october",
    "the spring",
    "lockdown",
];
const SAY: &[&str] = &[
    "just wanted to say",
    "had to tell you",
    "ok I need to say",
    "wanted to drop by and say",
    "idk if you read these but",
];
const THANKS: &[&str] = &[
    "thank you",
    "thanks for everything",
    "you're doing amazing",
    "your stuff helps more than you know",
    "I love what you make",
    "you made my week",
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
    "Portugal",
    "Nigeria",
    "Chile",
    "Norway",
    "Japan",
    "Turkey",
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
    brand: &'static str,
    product: &'static str,
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
        "M" => out.push_str(pick(rng, MONTHS)),
        "SAY" => out.push_str(pick(rng, SAY)),
        "THANKS" => out.push_str(pick(rng, THANKS)),
        "B" => out.push_str(f.brand),
        // A brand pitches its own product, the same one each time.
        "R" => out.push_str(f.product),
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
    let brands = brands_of(niche);
    let (brand, product) = brands[rng.below(brands.len() as u64) as usize];
    let f = Fill {
        x: subject(rng, niche),
        niche,
        brand,
        product,
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
                &["Hi there!", "Hello!", "Hey!", "Hi!", "Good afternoon!"],
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
                        "this quarter we're booking",
                        "we'd like to book",
                        "we're looking at",
                    ],
                );
                let with = pick(
                    rng,
                    &[
                        "featuring {R}",
                        "with {R}",
                        "around {R}",
                        "built around {R}",
                        "showing {R} in use",
                    ],
                );
                sentence(&mut out, rng, &[lead, paid, with]);
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
            // A greeting and a sign-off only sometimes, each on its own.
            let shape = if kind == DmType::Fan {
                rng.below(10)
            } else {
                9
            };
            let short = shape < 3;
            if !short && rng.chance(0.3) {
                out.push_str(pick(rng, GREET));
                out.push_str(pick(rng, &["! ", ", ", "!! "]));
            }
            match shape {
                0..=2 => {
                    let t = pick(rng, FAN_SHORT);
                    expand(&mut out, rng, t, &f);
                }
                3 | 4 => {
                    let (when, did) = (pick(rng, FAN_WHEN), pick(rng, FAN_DID));
                    expand(&mut out, rng, when, &f);
                    out.push_str(if rng.chance(0.5) { " and " } else { ", " });
                    expand(&mut out, rng, did, &f);
                }
                5 | 6 => {
                    let t = pick(rng, FAN_STORY);
                    expand(&mut out, rng, t, &f);
                }
                7 => {
                    let t = pick(rng, FAN_ASK);
                    expand(&mut out, rng, t, &f);
                }
                _ => {
                    let pool = match kind {
                        DmType::Fan => FAN,
                        DmType::Question => QUESTION,
                        _ => CRITIC,
                    };
                    if kind == DmType::Question && rng.chance(0.5) {
                        out.push_str(pick(
                            rng,
                            &[
                                "quick question, ",
                                "random but ",
                                "been wondering, ",
                                "so ",
                                "sorry to bother you but ",
                                "genuine question: ",
                                "ok so ",
                                "this might be weird but ",
                                "hope you see this, ",
                            ],
                        ));
                    }
                    let t = pick(rng, pool);
                    expand(&mut out, rng, t, &f);
                }
            }
            if kind == DmType::Fan && !short && shape != 7 && rng.chance(0.35) {
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
