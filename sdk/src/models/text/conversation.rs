//! A fan's answers in a DM conversation: what someone writes back after
//! the creator answered their message, in the same voice as their first
//! message ([`Voice::of`] their id), so a conversation reads as one person
//! over every turn.
//!
//! What they say follows why they wrote ([`DmType`]) and the turn: a fan
//! thanks and tells a little more, someone who asked either follows up
//! with another question or says it helped, a brand scout moves to terms,
//! a critic concedes or insists, a spammer repeats the pitch. Later turns
//! are shorter ("ok thanks!!"), as chats wind down. How it looks (casing,
//! final marks, `!`, emoji, slang, laughter) is the voice's.

use super::super::rng::Rng;
use super::voice::{Character, Voice};
use super::{DmType, Niche};

/// What the fan's answer does in the conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cue {
    /// Answers the creator's reply: thanks, agrees, tells more.
    Answer,
    /// Asks a follow-up question.
    FollowUp,
}

fn pick<'t>(rng: &mut Rng, items: &[&'t str]) -> &'t str {
    items[rng.below(items.len() as u64) as usize]
}

const FAN_FIRST: &[&str] = &[
    "omg you actually answered",
    "no way you replied",
    "thank you so much for answering",
    "ahh thank you, this made my day",
    "thank you for taking the time to write back",
    "you replied!! thank you",
    "that means a lot, thank you",
    "honestly did not expect an answer, thank you",
];
const FAN_MORE: &[&str] = &[
    "been watching since {s} and it still helps me every week",
    "{s} is the reason I started",
    "I showed {s} to my sister and now she's hooked too",
    "keep going with {s}, it really helps",
    "can't wait for whatever comes after {s}",
    "I rewatch {s} way more than I should admit",
];
const FAN_LATER: &[&str] = &[
    "ok thank you again",
    "haha ok I'll stop bothering you now",
    "thanks, have a great day",
    "alright, see you in the next one",
    "ok that's all, thank you",
    "love that, thanks",
];
const QUESTION_FOLLOW: &[&str] = &[
    "thank you! and what about {s}, would you do it the same way",
    "ok that helps. one more thing, how long did {s} take you",
    "got it, thanks. do you think {s} works for a beginner",
    "thanks! so should I start with {s} or wait",
    "makes sense. did you change anything since {s}",
    "ah ok, and is there a cheaper way to do {s}",
];
const QUESTION_THANKS: &[&str] = &[
    "that's exactly what I needed, thank you",
    "ok that makes sense now, thanks",
    "perfect, going to try it this weekend",
    "thank you, that cleared it up",
    "got it! thanks for explaining",
    "ahh ok, I was doing it wrong the whole time, thanks",
];
const COLLAB: &[&str] = &[
    "Thanks for getting back to us! Could you share your rates for one dedicated post and a story?",
    "Great to hear from you. What would your timeline look like for next month?",
    "Thank you for the reply. Shall we move this to email so I can send the brief?",
    "Wonderful, thanks. Do you have a media kit you could send over?",
    "Appreciate the answer! Would a product send-out first work for you?",
];
const CRITIC_CONCEDE: &[&str] = &[
    "ok fair, thanks for actually answering",
    "alright, I see what you meant now",
    "fair enough, I still think {s} was rushed but ok",
    "ok, appreciate the reply at least",
];
const CRITIC_INSIST: &[&str] = &[
    "still don't agree about {s} tbh",
    "that doesn't really answer it though",
    "ok but {s} still had the same problem",
    "I hear you but people keep pointing out the same thing",
];
const SPAM: &[&str] = &[
    "Hi again! Our promo offer is still open, check the link in bio",
    "Thanks for replying! DM us for the promo code",
    "Great! Reply YES to claim your spot",
];
const ASK_MORE: &[&str] = &[
    "btw are you doing anything like {s} again",
    "also, any tips for someone just starting",
    "quick question, what do you use for {s}",
];
const EMOJI: &[&str] = &["🙏", "❤️", "🥹", "🫶", "😊", "💛", "🔥", "😭"];
const SLANG: &[&str] = &["fr", "ngl", "lowkey", "tbh", "honestly"];

fn fill(out: &mut String, rng: &mut Rng, niche: Niche, template: &str) {
    let subjects = niche.vocab().subjects;
    let mut rest = template;
    while let Some(i) = rest.find("{s}") {
        out.push_str(&rest[..i]);
        out.push_str(pick(rng, subjects));
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
}

/// The fan's answer on `turn` (1 for the first answer to the creator) of a
/// conversation opened by a DM of `kind`, in `voice`.
pub fn answer(
    rng: &mut Rng,
    niche: Niche,
    kind: DmType,
    voice: &Voice,
    turn: u8,
    cue: Cue,
) -> String {
    let mut out = String::with_capacity(160);
    let later = turn >= 3;
    match (kind, cue) {
        (DmType::Collaboration, _) => {
            // Brand scouts write as a business, not in a fan's voice.
            out.push_str(pick(rng, COLLAB));
            return out;
        }
        (DmType::Spam, _) => {
            out.push_str(pick(rng, SPAM));
            return out;
        }
        (_, Cue::FollowUp) => {
            let pool = if kind == DmType::Question {
                QUESTION_FOLLOW
            } else {
                ASK_MORE
            };
            let t = pick(rng, pool);
            fill(&mut out, rng, niche, t);
        }
        (DmType::Question, Cue::Answer) => {
            let t = pick(rng, QUESTION_THANKS);
            fill(&mut out, rng, niche, t);
        }
        (DmType::Criticism, Cue::Answer) => {
            let insist =
                matches!(voice.character, Character::Critic | Character::Troll) && rng.chance(0.6);
            let t = pick(
                rng,
                if insist {
                    CRITIC_INSIST
                } else {
                    CRITIC_CONCEDE
                },
            );
            fill(&mut out, rng, niche, t);
        }
        (DmType::Fan, Cue::Answer) => {
            if later {
                out.push_str(pick(rng, FAN_LATER));
            } else {
                out.push_str(pick(rng, FAN_FIRST));
                // Longer voices tell a little more.
                if rng.chance((0.3 * voice.length).min(0.9)) {
                    out.push_str(if voice.bare { ", " } else { ". " });
                    let t = pick(rng, FAN_MORE);
                    fill(&mut out, rng, niche, t);
                }
            }
        }
    }
    dress(&mut out, rng, voice, cue == Cue::FollowUp);
    out
}

/// The voice on a sentence: slang, casing, the final mark, `!`, emoji.
fn dress(out: &mut String, rng: &mut Rng, voice: &Voice, question: bool) {
    if rng.chance(voice.slang) {
        let s = pick(rng, SLANG);
        out.insert_str(0, &format!("{s} "));
    }
    if voice.lower {
        out.make_ascii_lowercase();
    } else if let Some(c) = out.chars().next() {
        if c.is_ascii_lowercase() {
            out.replace_range(0..1, &c.to_ascii_uppercase().to_string());
        }
    }
    if question {
        out.push('?');
    } else if voice.bangs > 0 && rng.chance(0.6) {
        for _ in 0..voice.bangs {
            out.push('!');
        }
    } else if !voice.bare {
        out.push('.');
    }
    if rng.chance(voice.emoji) {
        out.push(' ');
        let e = EMOJI[voice.favourite as usize % EMOJI.len()];
        for _ in 0..voice.emoji_run.clamp(1, 3) {
            out.push_str(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_follow_the_conversation_and_keep_the_voice() {
        let niche = Niche::parse("fitness").unwrap();
        let mut rng = Rng::new(1, "conversation");
        let mut seen = std::collections::BTreeSet::new();
        for i in 0..200 {
            let voice = Voice::of(&format!("fan{i}"));
            let kind = DmType::ALL[i % 5];
            let t = answer(&mut rng, niche, kind, &voice, 1, Cue::Answer);
            assert!(!t.is_empty() && t.len() < 300, "{t}");
            assert!(!t.contains("{s}"), "{t}");
            if voice.lower && !matches!(kind, DmType::Collaboration | DmType::Spam) {
                assert_eq!(t, t.to_lowercase(), "{voice:?}");
            }
            seen.insert(t);
            let f = answer(&mut rng, niche, DmType::Question, &voice, 1, Cue::FollowUp);
            assert!(f.contains('?'), "{f}");
        }
        assert!(seen.len() > 100, "{}", seen.len());
    }
}
