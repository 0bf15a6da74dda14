//! Who is writing: a commenter's character and voice, derived from the
//! author's id alone, so the same person reads the same on every post and
//! platform run after run.
//!
//! The character decides what someone tends to say (a superfan praises and
//! asks for more, a critic argues, a lurker drops a word or an emoji, a
//! spammer advertises); the voice decides how it looks (length, casing,
//! punctuation, slang, laughter, favourite emoji and where they go,
//! repeated emoji, typos). Nothing here draws from a simulation's
//! generator: [`Voice::of`] hashes the id.

use super::super::rng::{fnv1a, Rng};

/// What kind of commenter someone is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Character {
    /// Writes often, warmly, about details; asks for the next part.
    Superfan,
    /// The ordinary viewer: a reaction, a question, a story now and then.
    Casual,
    /// Says little: a word, an emoji.
    Lurker,
    /// Disagrees with claims, picks at details, stays civil.
    Critic,
    /// Short, dismissive, looking for a reaction.
    Troll,
    /// Advertises their own page.
    Spammer,
    /// A small brand looking for creators.
    BrandScout,
    /// An automated account: generic praise.
    Bot,
}

impl Character {
    pub const ALL: [Character; 8] = [
        Character::Superfan,
        Character::Casual,
        Character::Lurker,
        Character::Critic,
        Character::Troll,
        Character::Spammer,
        Character::BrandScout,
        Character::Bot,
    ];
    /// How common each character is among commenters, in [`ALL`](Self::ALL)
    /// order: most people are casual viewers or lurkers; spam, brand and
    /// bot accounts are a few percent (Thelwall, Sud & Vis 2012 found most
    /// YouTube commenters write once and mildly positively).
    pub const MIX: [f64; 8] = [0.15, 0.47, 0.19, 0.09, 0.03, 0.03, 0.02, 0.02];

    pub fn as_str(self) -> &'static str {
        match self {
            Character::Superfan => "superfan",
            Character::Casual => "casual",
            Character::Lurker => "lurker",
            Character::Critic => "critic",
            Character::Troll => "troll",
            Character::Spammer => "spammer",
            Character::BrandScout => "brand scout",
            Character::Bot => "bot",
        }
    }
}

/// Where someone puts their emoji.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmojiAt {
    End,
    Start,
    /// After the first clause ("the form 🔥 so clean").
    Middle,
    /// Instead of punctuation between sentences and at the end.
    Anywhere,
}

/// How one person writes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Voice {
    pub character: Character,
    /// Leaning towards short (< 1) or long (> 1) comments.
    pub length: f64,
    /// Writes all in lower case.
    pub lower: bool,
    /// Leaves sentences without a final mark.
    pub bare: bool,
    /// How many `!` when excited (0 to 3).
    pub bangs: u8,
    /// The chance that a comment carries emoji.
    pub emoji: f64,
    pub emoji_at: EmojiAt,
    /// How many times an emoji is typed in a row (1 to 3).
    pub emoji_run: u8,
    /// Index of the person's favourite emoji within each mood's set.
    pub favourite: u8,
    /// The chance of slang words ("fr", "ngl", "lowkey").
    pub slang: f64,
    /// The chance of one typo in a comment.
    pub typos: f64,
    /// How they laugh: "lol", "lmao", "haha", ...
    pub laugh: &'static str,
    /// Stretches words ("sooo", "lmaooo").
    pub stretch: bool,
}

const LAUGHS: &[&str] = &[
    "lol", "lol", "lmao", "lmaooo", "haha", "hahaha", "😂", "😭", "💀", "LMAO", "ahaha",
];

impl Voice {
    /// The voice of the author with this id (any stable string).
    pub fn of(author_id: &str) -> Voice {
        let mut rng = Rng::new(fnv1a(author_id.as_bytes()), "voice");
        Voice::draw(&mut rng)
    }

    /// A voice drawn from `rng` (for text that has no author id).
    pub fn draw(rng: &mut Rng) -> Voice {
        let character = Character::ALL[rng.weighted(&Character::MIX)];
        let length = match character {
            Character::Lurker => rng.lognormal(-0.9, 0.3),
            Character::Troll => rng.lognormal(-0.5, 0.3),
            Character::Superfan | Character::Critic => rng.lognormal(0.35, 0.35),
            _ => rng.lognormal(0.0, 0.4),
        }
        .clamp(0.25, 3.0);
        let emoji = if rng.chance(0.35) {
            0.0
        } else {
            0.2 + 0.7 * rng.unit()
        };
        let emoji_at = match rng.below(20) {
            0..=10 => EmojiAt::End,
            11..=13 => EmojiAt::Start,
            14..=16 => EmojiAt::Middle,
            _ => EmojiAt::Anywhere,
        };
        Voice {
            character,
            length,
            lower: rng.chance(0.45),
            bare: rng.chance(0.5),
            bangs: [0, 1, 1, 1, 2, 3][rng.below(6) as usize],
            emoji,
            emoji_at,
            emoji_run: [1, 1, 1, 2, 2, 3][rng.below(6) as usize],
            favourite: rng.below(64) as u8,
            slang: if rng.chance(0.4) {
                0.0
            } else {
                0.1 + 0.4 * rng.unit()
            },
            typos: if rng.chance(0.6) {
                0.0
            } else {
                0.02 + 0.1 * rng.unit()
            },
            laugh: LAUGHS[rng.below(LAUGHS.len() as u64) as usize],
            stretch: rng.chance(0.25),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_voice_is_the_same_for_the_same_id_and_varies_across_ids() {
        assert_eq!(Voice::of("UCabc"), Voice::of("UCabc"));
        let mut counts = [0usize; 8];
        for i in 0..20_000 {
            let v = Voice::of(&format!("author-{i}"));
            counts[v.character as usize] += 1;
            assert!((0.25..=3.0).contains(&v.length) && (1..=3).contains(&v.emoji_run));
        }
        for (i, want) in Character::MIX.iter().enumerate() {
            let got = counts[i] as f64 / 20_000.0;
            assert!((got - want).abs() < 0.015, "{:?}: {got}", Character::ALL[i]);
        }
    }
}
