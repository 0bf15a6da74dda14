//! What a post is about, as its viewers would react to it: its subject,
//! its moments (chapters, parts a caption names), the question it asks.
//! Read from the post's own title and caption ([`Gist::read`]), so the
//! comments under a post talk about that post, whoever wrote its text.

use serde::{Deserialize, Serialize};

/// A part of a post a comment can point at: a chapter ("the form check"
/// at 3:41) or something the caption names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moment {
    pub name: String,
    /// Where it starts in the video, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<u32>,
}

/// What a viewer reacts to on one post. Small (a few dozen bytes): a
/// platform keeps one per post.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gist {
    /// The subject as a viewer names it: "the perfect push up".
    pub subject: String,
    /// The same, short: "push up".
    pub short: String,
    /// Chapters and named parts, at most [`Gist::MOMENTS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moments: Vec<Moment>,
    /// A question the post asks its audience ("which one would you pick"),
    /// without its question mark; empty if it asks none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub question: String,
}

/// Words of titles that frame a subject rather than name it.
const FRAME_WORDS: &[&str] = &[
    "i",
    "did",
    "do",
    "doing",
    "for",
    "days",
    "hours",
    "hour",
    "minutes",
    "truth",
    "about",
    "stop",
    "wrong",
    "honest",
    "results",
    "result",
    "try",
    "tried",
    "trying",
    "tonight",
    "follow",
    "along",
    "how",
    "to",
    "why",
    "what",
    "nobody",
    "tells",
    "you",
    "testing",
    "tested",
    "review",
    "vs",
    "real",
    "thing",
    "is",
    "it",
    "worth",
    "overhyped",
    "explained",
    "in",
    "made",
    "every",
    "making",
    "part",
    "cover",
    "get",
    "ready",
    "with",
    "me",
    "new",
    "video",
    "on",
    "and",
    "more",
    "we",
    "need",
    "talk",
    "things",
    "learned",
    "from",
    "q&a",
    "thoughts",
    "beat",
    "beating",
    "playing",
    "played",
    "finally",
    "shorts",
    "had",
    "share",
    "who",
    "else",
    "loves",
    "saving",
    "this",
    "later",
    "of",
    "at",
    "my",
    "honestly",
    "was",
    "were",
    "the",
    "a",
    "an",
    "that",
    "actually",
    "works",
    "wore",
    "that's",
    "not",
    "expected",
    "surprisingly",
    "good",
    "big",
    "mistake",
    "game",
    "changer",
    "still",
    "best",
    "don't",
    "sleep",
    "total",
    "disaster",
    "gone",
    "full",
    "guide",
    "under",
    "ever",
    "one",
    "only",
    "all",
    "rating",
    "so",
    "pov",
    "wait",
    "pt",
    "check",
    "recap",
    "notes",
    "week",
    "little",
    "your",
    "feed",
    "but",
    "it",
    "make",
    "goes",
    "habit",
    "after",
    "still",
    "thinking",
    "idea",
    "plans",
    "weekend",
    "quick",
    "version",
    "minute",
    "short",
    "sweet",
    "till",
    "which",
    "are",
    "picking",
    "first",
    "would",
    "watch",
    "channel",
    "swipe",
    "until",
    "don't",
    "have",
];

/// Words a subject may keep inside it ("week of training").
const JOINERS: &[&str] = &[
    "of", "and", "a", "the", "in", "for", "at", "on", "with", "to",
];

fn is_frame(w: &str) -> bool {
    FRAME_WORDS.contains(&w) || w.chars().all(|c| c.is_ascii_digit())
}

/// The words of `text`, lower-cased, without punctuation around them,
/// hashtags and emoji dropped.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '|' || c == ':' || c == '(' || c == ')')
        .filter(|w| !w.starts_with('#') && !w.starts_with('@'))
        .map(|w| {
            w.trim_matches(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '$' || c == '&'))
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// The subject named in a title: the longest run of words that are not
/// title framing, keeping short joiners inside it, from a leading article
/// or possessive on ("my week of training" reads "your week of training"
/// in a viewer's mouth). `None` when every word is framing.
pub fn subject_of(title: &str) -> Option<(String, String)> {
    let ws = words(title);
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < ws.len() {
        if is_frame(&ws[i]) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < ws.len() {
            if !is_frame(&ws[j]) {
                j += 1;
            } else if (JOINERS.contains(&ws[j].as_str())
                || ws[j].chars().all(|c| c.is_ascii_digit()))
                && j + 1 < ws.len()
                && !is_frame(&ws[j + 1])
            {
                j += 2;
            } else {
                break;
            }
        }
        // A number right before the run belongs to it ("100 squats").
        let from = if i > 0 && ws[i - 1].chars().all(|c| c.is_ascii_digit()) {
            i - 1
        } else {
            i
        };
        let better = match best {
            None => true,
            Some((a, b)) => j - from > b - a,
        };
        if better {
            best = Some((from, j));
        }
        i = j;
    }
    let (a, b) = best?;
    let core: Vec<&str> = ws[a..b].iter().map(String::as_str).collect();
    // The short form: up to the first joiner, at most three words.
    let head: Vec<&str> = core
        .iter()
        .copied()
        .take_while(|w| !JOINERS.contains(w))
        .collect();
    let short = if head.len() <= 3 {
        head.join(" ")
    } else {
        head[head.len() - 2..].join(" ")
    };
    // The article the title gives it, in a viewer's mouth; none where the
    // title has none ("The Truth About Zone 2 Cardio" is about "zone 2
    // cardio", not "the zone 2 cardio"), except after an adjective the
    // title keeps out of the subject ("the best loadout").
    let lead = if a > 0 {
        match ws[a - 1].as_str() {
            "my" => "your ",
            "this" => "this ",
            "every" => "every ",
            "the" | "a" | "an" | "best" | "only" | "new" | "real" | "first" | "full" | "big" => {
                "the "
            }
            _ => "",
        }
    } else {
        ""
    };
    Some((format!("{lead}{}", core.join(" ")), short))
}

impl Gist {
    /// At most this many moments are kept.
    pub const MOMENTS: usize = 6;

    /// Read a post's gist from its title and its text (description or
    /// caption): the subject from the title (or the text's first line),
    /// chapters (`m:ss Name` lines, the intro left out) as moments, the
    /// first sentence that ends in `?` as its question.
    pub fn read(title: &str, text: &str) -> Gist {
        let first_line = text.lines().next().unwrap_or("");
        let (subject, short) = subject_of(title)
            .or_else(|| subject_of(first_line))
            .unwrap_or_else(|| ("this".to_string(), "this".to_string()));
        let mut moments = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            let Some((stamp, name)) = line.split_once(' ') else {
                continue;
            };
            let Some(at) = parse_stamp(stamp) else {
                continue;
            };
            let mut name = name.trim().to_lowercase();
            let first = name.split_whitespace().next().unwrap_or("");
            if first == "my" {
                // The creator's "my verdict" is "your verdict" to a viewer.
                name.replace_range(..2, "your");
            } else if !matches!(
                first,
                "the" | "your" | "what" | "final" | "a" | "intro" | "that" | "this" | "every"
            ) {
                name.insert_str(0, "the ");
            }
            if at == 0 || name.is_empty() || name == "intro" || moments.len() >= Self::MOMENTS {
                continue;
            }
            moments.push(Moment { name, at: Some(at) });
        }
        let mut question = String::new();
        for sentence in text.split_inclusive(['?', '.', '!', '\n']) {
            let s = sentence.trim();
            if let Some(q) = s.strip_suffix('?') {
                let q = q.trim_start_matches(|c: char| !c.is_alphanumeric());
                if q.split_whitespace().count() >= 3 {
                    question = q.to_lowercase();
                    break;
                }
            }
        }
        Gist {
            subject,
            short,
            moments,
            question,
        }
    }

    /// [`read`](Self::read) knowing the post's niche: a subject of the
    /// niche's named in the title or text is taken whole ("the moving day"
    /// rather than a guess at the longest run of words), and the niche's
    /// moments the text names ("wait for the core finisher") join the
    /// chapters.
    pub fn read_in(niche: super::Niche, title: &str, text: &str) -> Gist {
        let mut g = Gist::read(title, text);
        let v = niche.vocab();
        let lower_title = title.to_lowercase();
        // Hashtags name the niche, not the post.
        let lower_text: String = text
            .split_whitespace()
            .filter(|w| !w.starts_with('#'))
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        let known = v
            .title_subjects
            .iter()
            .filter_map(|t| subject_of(t))
            .find(|(_, short)| {
                short.len() >= 4
                    && (lower_title.contains(short.as_str()) || lower_text.contains(short.as_str()))
            });
        if let Some((full, short)) = known {
            let mine = full.starts_with("your ")
                && (lower_title.contains("my ") || lower_text.contains("my "));
            g.subject = if mine || !full.starts_with("your ") {
                full
            } else {
                format!("the {short}")
            };
            g.short = short;
        }
        for t in v.topics {
            if g.moments.len() >= Self::MOMENTS {
                break;
            }
            if lower_text.contains(t) && !g.moments.iter().any(|m| m.name == *t) {
                g.moments.push(Moment {
                    name: (*t).to_string(),
                    at: None,
                });
            }
        }
        g
    }

    /// The content words a comment shares with its post when it talks
    /// about it.
    pub fn words(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for text in std::iter::once(&self.subject)
            .chain(self.moments.iter().map(|m| &m.name))
            .chain(std::iter::once(&self.question))
        {
            for w in super::measure::content_words(text) {
                if !out.contains(&w) {
                    out.push(w);
                }
            }
        }
        out
    }
}

/// `m:ss` or `h:mm:ss` as seconds.
pub fn parse_stamp(s: &str) -> Option<u32> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let mut total = 0u32;
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if i > 0 && p.len() != 2 {
            return None;
        }
        total = total.checked_mul(60)?.checked_add(p.parse().ok()?)?;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_come_out_of_titles() {
        let s = |t: &str| subject_of(t).map(|(a, b)| format!("{a} / {b}"));
        assert_eq!(
            s("The Truth About the Perfect Push Up").as_deref(),
            Some("the perfect push up / perfect push up")
        );
        assert_eq!(
            s("I Did a 30 Day Challenge for 4 Days #shorts").as_deref(),
            Some("the 30 day challenge / 30 day challenge")
        );
        assert_eq!(
            s("My Honest Review of Starfall Odyssey").as_deref(),
            Some("starfall odyssey / starfall odyssey")
        );
        assert_eq!(
            s("Stop Doing 100 Squats a Day Wrong").as_deref(),
            Some("100 squats a day / 100 squats")
        );
        assert_eq!(s("I Did This for 4 Days"), None);
    }

    #[test]
    fn chapters_and_questions_are_read() {
        let g = Gist::read(
            "Zone 2 Cardio: Worth It?",
            "Hook.\n\nChapters:\n0:00 Intro\n3:41 The form check\n8:02 My verdict\n\nWhich one do you do first? #gym",
        );
        assert_eq!(g.subject, "zone 2 cardio");
        assert_eq!(g.moments.len(), 2);
        assert_eq!(g.moments[0].at, Some(221));
        assert_eq!(g.moments[0].name, "the form check");
        assert_eq!(g.moments[1].name, "your verdict");
        assert_eq!(g.question, "which one do you do first");
        assert_eq!(parse_stamp("1:02:03"), Some(3723));
        assert_eq!(parse_stamp("3:4"), None);
    }
}
