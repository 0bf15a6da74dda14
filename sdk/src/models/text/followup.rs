//! A commenter's follow-up when the creator has replied to their comment:
//! thanks, or a further question when theirs was a question, in their own
//! voice (casing, final marks, laughter from [`Voice`]).

use super::{Act, Character, Said, Voice};
use crate::models::rng::Rng;

const THANKS: &[&str] = &[
    "thank you so much for answering",
    "omg you replied, thank you",
    "thanks, that helps a lot",
    "appreciate you taking the time",
    "thank you, makes sense now",
    "you actually answered, made my day",
    "thanks for the reply",
    "that clears it up, thank you",
];

const MORE: &[&str] = &[
    "thanks! and what would you do differently next time",
    "makes sense, but how long did that take you",
    "thank you, could you do a full video on that",
    "ok that helps, what did you use for it",
    "got it, is there a part two coming",
    "thanks, would that work for a beginner too",
];

const STILL: &[&str] = &[
    "still not convinced tbh",
    "fair, but my point stands",
    "ok but that doesn't answer what I asked",
    "we'll see",
];

const GLAD: &[&str] = &[
    "love that you read these",
    "this is why I keep watching",
    "you're the best",
    "thanks for noticing",
    "always here for it",
];

fn pick<'a>(rng: &mut Rng, list: &[&'a str]) -> &'a str {
    list[rng.below(list.len() as u64) as usize]
}

/// Write the follow-up of the author whose voice is `voice` to the
/// creator's reply to their comment, which said `theirs`: a question gets
/// a further question or thanks; a critic or a troll keeps arguing; anyone
/// else is glad or grateful. Returns what it said.
pub fn write_followup(out: &mut String, rng: &mut Rng, voice: &Voice, theirs: Said) -> Said {
    let (line, act) = match (voice.character, theirs.act) {
        (Character::Critic | Character::Troll, _) => (pick(rng, STILL), Act::Critique),
        (_, Act::Question) if rng.chance(0.4) => (pick(rng, MORE), Act::Question),
        (_, Act::Question) => (pick(rng, THANKS), Act::Praise),
        _ if rng.chance(0.5) => (pick(rng, THANKS), Act::Praise),
        _ => (pick(rng, GLAD), Act::Praise),
    };
    let start = out.len();
    if voice.lower {
        out.push_str(&line.to_lowercase());
    } else {
        let mut chars = line.chars();
        if let Some(c) = chars.next() {
            out.extend(c.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if !voice.bare {
        match act {
            Act::Question => out.push('?'),
            Act::Praise if voice.bangs > 0 => {
                (0..voice.bangs).for_each(|_| out.push('!'));
            }
            _ => out.push('.'),
        }
    } else if act == Act::Question {
        out.push('?');
    }
    if act == Act::Praise && rng.chance(voice.emoji) {
        out.push(' ');
        (0..voice.emoji_run.max(1)).for_each(|_| out.push('🙏'));
    }
    debug_assert!(out.len() > start);
    Said::of(act)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_gets_thanks_or_a_further_question_in_the_voice() {
        let mut seen = [false; 2];
        for seed in 0..200 {
            let voice = Voice::of(&format!("author{seed}"));
            if matches!(voice.character, Character::Critic | Character::Troll) {
                continue;
            }
            let mut rng = Rng::new(seed, "followup");
            let mut out = String::new();
            let said = write_followup(&mut out, &mut rng, &voice, Said::of(Act::Question));
            assert!(!out.is_empty());
            if voice.lower {
                assert_eq!(out, out.to_lowercase(), "{out}");
            }
            match said.act {
                Act::Question => {
                    assert!(out.ends_with('?'), "{out}");
                    seen[0] = true;
                }
                _ => seen[1] = true,
            }
        }
        assert_eq!(seen, [true, true]);
    }
}
