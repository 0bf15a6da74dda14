//! The grammar of the noun phrases comments are built around: a post's
//! subject ("zone 2 cardio", "the secret ending", "every boss") and its
//! moments ("the deadlift section", "the boss fight") are not
//! interchangeable. What a phrase names decides which frames can carry it:
//! one tries or does a workout but not an ending; one watches a section of
//! a video but does not "get into" it. Frames declare what their slots need
//! (`{S:do}`, `{M:thing}`, a bare `{do}` marker for a frame that speaks of
//! the subject as "it"), and a frame whose needs the phrase does not meet is
//! never chosen.

/// What a noun phrase names, read from its head word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Something one can do, try or follow: a workout, a routine, a
    /// recipe, a look, a build, a mode.
    Doable,
    /// A part of the post itself: a section, a check, a test, a verdict.
    Part,
    /// Something that happens in the post: a fight, a clutch, an ending, a
    /// glitch, a reveal.
    Event,
    /// A named whole: a game, a product, a place, a series.
    Work,
}

const DOABLE: &[&str] = &[
    "workout",
    "workouts",
    "cardio",
    "squat",
    "squats",
    "up",
    "ups",
    "pushups",
    "program",
    "prep",
    "progression",
    "challenge",
    "routine",
    "split",
    "stretch",
    "plan",
    "training",
    "run",
    "recipe",
    "recipes",
    "bread",
    "sourdough",
    "pasta",
    "look",
    "skin",
    "makeup",
    "build",
    "loadout",
    "mode",
    "ranked",
    "route",
    "speedrun",
    "trick",
    "tip",
    "tips",
    "form",
    "technique",
    "method",
    "habit",
    "reset",
    "diet",
    "meal",
    "dupe",
    "serum",
    "finisher",
    "hack",
    "hacks",
    "setup",
    "itinerary",
    "budget",
    "fast",
    "cleanse",
    "exercise",
    "exercises",
    "drill",
    "drills",
    "combo",
    "stretches",
    "playthrough",
    "level",
    "lift",
    "deadlift",
    "deadlifts",
    "curls",
    "pull",
    "pulls",
    "yoga",
    "running",
    "cooking",
    "baking",
];

const PART: &[&str] = &[
    "part",
    "section",
    "check",
    "talk",
    "test",
    "breakdown",
    "verdict",
    "comparison",
    "recap",
    "intro",
    "review",
    "notes",
    "list",
    "guide",
    "after",
    "explanation",
    "story",
    "update",
    "q&a",
    "results",
    "tour",
    "outro",
    "swatches",
    "demo",
];

const EVENT: &[&str] = &[
    "fight",
    "clutch",
    "ending",
    "skip",
    "glitch",
    "round",
    "raid",
    "boss",
    "1v4",
    "1v5",
    "room",
    "moment",
    "reveal",
    "fail",
    "win",
    "twist",
    "drop",
    "finale",
    "transformation",
    "reaction",
    "bit",
    "joke",
    "punchline",
    "chorus",
    "solo",
    "performance",
    "surprise",
    "landing",
    "sunset",
];

/// Words after which a phrase's head has ended ("the truth about carbs":
/// head "truth").
const JOINERS: &[&str] = &[
    "about", "for", "of", "with", "in", "on", "to", "from", "vs", "at",
];

/// The words of a noun phrase up to its first preposition, lower case,
/// trimmed of punctuation; the last of them is its head ("the truth about
/// carbs": head "truth").
fn head_words(phrase: &str) -> Vec<String> {
    phrase
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !(c.is_alphanumeric() || c == '&'))
                .to_ascii_lowercase()
        })
        .take_while(|w| !JOINERS.contains(&w.as_str()))
        .collect()
}

/// What `phrase` names: a part or an event by its head word, else doable
/// when any of its head words is ("100 squats a day"), else a
/// [`Kind::Work`].
pub fn kind_of(phrase: &str) -> Kind {
    let words = head_words(phrase);
    let h = words.last().map(String::as_str).unwrap_or("");
    if PART.contains(&h) {
        Kind::Part
    } else if EVENT.contains(&h) {
        Kind::Event
    } else if words.iter().any(|w| DOABLE.contains(&w.as_str())) {
        Kind::Doable
    } else {
        Kind::Work
    }
}

/// What a slot needs of its phrase: `do` something doable, `thing` a whole
/// (doable or a work, not a part or a moment of the post), `event`
/// something that happens.
pub fn meets(kind: Kind, need: &str) -> bool {
    match need {
        "do" => kind == Kind::Doable,
        "event" => kind == Kind::Event,
        "thing" => matches!(kind, Kind::Doable | Kind::Work),
        _ => true,
    }
}

/// Whether `short` reads without an article ("zone 2 cardio >>>", not
/// "secret ending >>>"): the subject it shortens had none, or it names
/// something one does.
pub fn bare_ok(subject: &str, short: &str) -> bool {
    let first = subject.split_whitespace().next().unwrap_or("");
    let determined = matches!(first, "the" | "a" | "an" | "this" | "every" | "your");
    short != "this"
        && !short.is_empty()
        && (!determined || kind_of(subject) == Kind::Doable)
        && kind_of(short) != Kind::Part
}

/// Heads that read only with the word before them ("push up", "meal
/// prep"): the pair is the head.
const COMPOUND_TAILS: &[&str] = &["up", "ups", "prep", "day", "run", "fast", "2"];

/// The noun people use for a phrase when they take it up rather than quote
/// it: "the perfect push up" is "push up", "the 1v5 clutch" is "clutch",
/// "the 100 squats a day" is "squats", "the ab workout" is "workout".
/// `None` when the phrase is a name ("starfall odyssey", "the truth about
/// carbs") or is its head already ("cardio", "the challenge").
pub fn head_noun(phrase: &str) -> Option<String> {
    if kind_of(phrase) == Kind::Work {
        return None;
    }
    let words = head_words(phrase);
    let content: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| !matches!(*w, "the" | "a" | "an" | "this" | "every" | "your" | "my"))
        .collect();
    if content.len() < 2 {
        return None;
    }
    let last = *content.last()?;
    // "the 100 squats a day": the last thing one does is the head.
    let at = if kind_of(phrase) == Kind::Doable && !DOABLE.contains(&last) {
        content.iter().rposition(|w| DOABLE.contains(w))?
    } else {
        content.len() - 1
    };
    let head = content[at];
    if head.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let noun = if COMPOUND_TAILS.contains(&head) && at > 0 {
        let before = content[at - 1];
        if before.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        format!("{before} {head}")
    } else {
        head.to_string()
    };
    // "day" alone names nothing ("the 30 day challenge" is a challenge).
    (noun != "day").then_some(noun)
}

/// The head noun made plural where people say it that way of something
/// they do ("push ups", "squats"); `None` where it does not read so.
pub fn plural_of(noun: &str) -> Option<String> {
    let last = noun.rsplit(' ').next().unwrap_or(noun);
    match last {
        "up" | "squat" | "deadlift" | "curl" | "drill" | "stretch" | "lunge" | "plank" => {
            Some(if last.ends_with("ch") {
                format!("{noun}es")
            } else {
                format!("{noun}s")
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_are_read_from_their_head() {
        assert_eq!(kind_of("zone 2 cardio"), Kind::Doable);
        assert_eq!(kind_of("the perfect push up"), Kind::Doable);
        assert_eq!(kind_of("the 100 squats a day"), Kind::Doable);
        assert_eq!(kind_of("the secret ending"), Kind::Event);
        assert_eq!(kind_of("every boss"), Kind::Event);
        assert_eq!(kind_of("the deadlift section"), Kind::Part);
        assert_eq!(kind_of("the before and after"), Kind::Part);
        assert_eq!(kind_of("starfall odyssey"), Kind::Work);
        assert_eq!(kind_of("the truth about carbs"), Kind::Work);
        assert!(bare_ok("zone 2 cardio", "zone 2 cardio"));
        assert!(bare_ok("the beginner program", "beginner program"));
        assert!(!bare_ok("every boss", "boss"));
        assert!(!bare_ok("the secret ending", "secret ending"));
        assert!(meets(Kind::Work, "thing") && !meets(Kind::Part, "thing"));
        assert!(meets(Kind::Doable, "do") && !meets(Kind::Event, "do"));
    }

    #[test]
    fn phrases_are_taken_up_by_their_head() {
        assert_eq!(head_noun("the perfect push up").as_deref(), Some("push up"));
        assert_eq!(head_noun("the 1v5 clutch").as_deref(), Some("clutch"));
        assert_eq!(head_noun("the secret ending").as_deref(), Some("ending"));
        assert_eq!(head_noun("the 100 squats a day").as_deref(), Some("squats"));
        assert_eq!(head_noun("the meal prep").as_deref(), Some("meal prep"));
        assert_eq!(
            head_noun("the deadlift section").as_deref(),
            Some("section")
        );
        assert_eq!(head_noun("zone 2 cardio").as_deref(), Some("cardio"));
        assert_eq!(head_noun("starfall odyssey"), None);
        assert_eq!(head_noun("training"), None);
        assert_eq!(plural_of("push up").as_deref(), Some("push ups"));
        assert_eq!(plural_of("ending"), None);
    }
}
