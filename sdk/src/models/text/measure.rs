//! Measures of how text reads, shared by the generator's tests and
//! `diorama stats`: content words, word counts, emoji and where they sit,
//! normalised frames.

/// Words that carry no topic.
const STOP: &[&str] = &[
    "the",
    "a",
    "an",
    "and",
    "or",
    "but",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "it",
    "its",
    "it's",
    "this",
    "that",
    "these",
    "those",
    "i",
    "me",
    "my",
    "you",
    "your",
    "we",
    "our",
    "he",
    "she",
    "they",
    "them",
    "his",
    "her",
    "of",
    "to",
    "in",
    "on",
    "for",
    "with",
    "at",
    "by",
    "from",
    "so",
    "just",
    "not",
    "no",
    "yes",
    "do",
    "does",
    "did",
    "have",
    "has",
    "had",
    "what",
    "how",
    "why",
    "who",
    "when",
    "where",
    "which",
    "can",
    "could",
    "would",
    "should",
    "will",
    "all",
    "any",
    "some",
    "more",
    "most",
    "very",
    "too",
    "really",
    "much",
    "like",
    "about",
    "up",
    "out",
    "if",
    "then",
    "than",
    "there",
    "here",
    "im",
    "i'm",
    "dont",
    "don't",
    "one",
    "get",
    "got",
    "also",
    "still",
    "now",
    "even",
    "ever",
    "only",
    "off",
    "into",
    "over",
    "after",
    "before",
    "lol",
    "lmao",
    "omg",
    "ngl",
    "fr",
    "tbh",
    "bro",
    "wait",
    "okay",
    "ok",
    "good",
    "great",
    "love",
    "best",
    "new",
    "video",
    "post",
    "channel",
    "account",
    "make",
    "made",
    "know",
    "think",
    "need",
    "want",
    "been",
    "being",
    "way",
    "thing",
    "things",
    "every",
    "same",
    "right",
    "yeah",
    "well",
    "people",
    "time",
    "day",
    "days",
    "actually",
    "literally",
    "gonna",
    "u",
    "ur",
    "it’s",
    "thank",
    "thanks",
    "please",
    "pls",
    "guys",
    "man",
    "lot",
    "part",
    "watch",
    "watching",
    "see",
    "first",
];

/// The topic-bearing words of `text`: lower-cased, three letters or more
/// (or containing a digit), not a stop word, without hashtags, handles,
/// timestamps or emoji.
pub fn content_words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '#' || c == '@'))
        .filter(|w| !w.starts_with('#') && !w.starts_with('@'))
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| {
            (w.len() >= 3 || w.chars().any(|c| c.is_ascii_digit()))
                && w.chars().any(|c| c.is_alphabetic())
                && !STOP.contains(&w.as_str())
        })
        .map(|w| stem(&w).to_string())
        .collect()
}

/// A crude stem, enough that "squats" meets "squat".
fn stem(w: &str) -> &str {
    w.strip_suffix("ing")
        .filter(|s| s.len() >= 3)
        .or_else(|| w.strip_suffix("es").filter(|s| s.len() >= 4))
        .or_else(|| w.strip_suffix('s').filter(|s| s.len() >= 3))
        .unwrap_or(w)
}

/// Whether `text` shares a content word with `other`'s words.
pub fn shares_words(text: &str, other: &[String]) -> bool {
    content_words(text).iter().any(|w| other.contains(w))
}

/// Whether a char is (part of) an emoji: pictographs, symbols, their
/// joiners and variation selectors.
pub fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0xFE0F | 0x200D)
}

/// Words of a text as a reader counts them: runs of non-space characters
/// that hold a letter or digit (an emoji alone is not a word).
pub fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(|c| c.is_alphanumeric()))
        .count()
}

/// Where a text's emoji are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmojiPlace {
    None,
    /// Nothing but emoji (and spaces).
    Only,
    /// Only at the very end.
    End,
    /// Only at the very start.
    Start,
    /// Anywhere else (inside, or at both ends).
    Inside,
}

/// Where `text`'s emoji are, and whether the same emoji appears twice.
pub fn emoji_place(text: &str) -> (EmojiPlace, bool) {
    let chars: Vec<char> = text.trim().chars().collect();
    let flags: Vec<bool> = chars.iter().map(|&c| is_emoji(c)).collect();
    if !flags.iter().any(|&f| f) {
        return (EmojiPlace::None, false);
    }
    let mut seen: Vec<char> = Vec::new();
    let mut repeated = false;
    for &c in &chars {
        if is_emoji(c) && c != '\u{FE0F}' && c != '\u{200D}' {
            if seen.contains(&c) {
                repeated = true;
            }
            seen.push(c);
        }
    }
    if chars
        .iter()
        .filter(|c| !c.is_whitespace())
        .all(|&c| is_emoji(c))
    {
        return (EmojiPlace::Only, repeated);
    }
    // The text between the first and last non-emoji, non-space chars.
    let first = chars
        .iter()
        .position(|&c| !c.is_whitespace() && !is_emoji(c))
        .unwrap_or(0);
    let last = chars
        .iter()
        .rposition(|&c| !c.is_whitespace() && !is_emoji(c))
        .unwrap_or(0);
    let before = chars[..first].iter().any(|&c| is_emoji(c));
    let inside = chars[first..=last].iter().any(|&c| is_emoji(c));
    let after = chars[last + 1..].iter().any(|&c| is_emoji(c));
    let place = match (before, inside, after) {
        (false, false, true) => EmojiPlace::End,
        (true, false, false) => EmojiPlace::Start,
        _ => EmojiPlace::Inside,
    };
    (place, repeated)
}

/// A text's frame: lower-cased, its post's content words (`topic`) and
/// any handle replaced by `X`, numbers and timestamps by `N`, emoji,
/// punctuation and repeated letters dropped. Two comments with the same
/// frame read as the same template.
pub fn frame(text: &str, topic: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    for raw in text.split_whitespace() {
        if raw.starts_with('@') {
            push_word(&mut out, "X");
            continue;
        }
        let w: String = raw
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '\'' || *c == ':')
            .collect::<String>()
            .to_lowercase();
        if w.is_empty() {
            continue;
        }
        if w.chars().all(|c| c.is_ascii_digit() || c == ':') {
            push_word(&mut out, "N");
            continue;
        }
        if topic.iter().any(|t| t == stem(&w)) {
            if !out.ends_with('X') {
                push_word(&mut out, "X");
            }
            continue;
        }
        // "sooo" and "so" are one frame.
        let mut squeezed = String::with_capacity(w.len());
        let chars: Vec<char> = w.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let mut j = i + 1;
            while j < chars.len() && chars[j] == chars[i] {
                j += 1;
            }
            let run = if j - i >= 3 { 1 } else { j - i };
            squeezed.extend(std::iter::repeat_n(chars[i], run));
            i = j;
        }
        push_word(&mut out, &squeezed);
    }
    out
}

fn push_word(out: &mut String, w: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(w);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures() {
        assert_eq!(
            content_words("The push ups at 3:41 were #fitness"),
            ["push", "ups"]
        );
        assert_eq!(word_count("🔥🔥 so good"), 2);
        assert_eq!(emoji_place("🔥🔥"), (EmojiPlace::Only, true));
        assert_eq!(emoji_place("so good 🔥"), (EmojiPlace::End, false));
        assert_eq!(emoji_place("😭 so good"), (EmojiPlace::Start, false));
        assert_eq!(emoji_place("so 😭 good"), (EmojiPlace::Inside, false));
        assert_eq!(emoji_place("plain"), (EmojiPlace::None, false));
        let topic = content_words("the perfect push up");
        assert_eq!(
            frame("the PUSH up is sooo good at 3:41!! 🔥", &topic),
            "the X up is so good at N"
        );
        assert_eq!(frame("@maya.fox the perfect one", &topic), "X the X one");
    }
}
