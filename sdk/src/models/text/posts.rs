//! The creator's own text: a video's description written from its title
//! (the same subject, chapters that are parts of it), captions shaped per
//! platform, hashtags never repeated within one text.

use super::super::rng::Rng;
use super::gist::subject_of;
use super::{push_timestamp, CaptionShape, CommentStyle, Niche, DEFAULT_VIDEO_SECONDS};

fn pick<'t>(rng: &mut Rng, items: &[&'t str]) -> &'t str {
    items[rng.below(items.len() as u64) as usize]
}

/// Append `n` distinct hashtags of the niche (fewer if it has fewer),
/// each after a space.
pub(super) fn push_hashtags(
    out: &mut String,
    rng: &mut Rng,
    niche: Niche,
    n: usize,
    extra: &[&str],
) {
    let tags = niche.vocab().hashtags;
    let mut used: Vec<&str> = Vec::new();
    let pool: Vec<&str> = tags.iter().chain(extra.iter()).copied().collect();
    let n = n.min(pool.len());
    while used.len() < n {
        let t = pick(rng, &pool);
        if !used.contains(&t) {
            used.push(t);
        }
    }
    for t in used {
        out.push_str(" #");
        out.push_str(t);
    }
}

/// A subject as the creator names it in a caption: lower-case, "my"
/// where the title's "My" was.
fn caption_subject(rng: &mut Rng, niche: Niche) -> String {
    let s = pick(rng, niche.vocab().title_subjects);
    subject_of(s)
        .map(|(full, _)| full.replacen("your ", "my ", 1))
        .unwrap_or_else(|| s.to_lowercase())
}

/// Moments of a post in the niche: `n` distinct ones.
fn moments(rng: &mut Rng, niche: Niche, n: usize) -> Vec<&'static str> {
    let topics = niche.vocab().topics;
    let mut out: Vec<&'static str> = Vec::new();
    while out.len() < n.min(topics.len()) {
        let t = pick(rng, topics);
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

const HOOKS: &[&str] = &[
    "Everything I learned about {S}, in one place.",
    "You asked for {S}, so here it is.",
    "This is my honest take on {S}.",
    "{S}: what worked, what didn't, and what I'd do differently.",
    "I spent weeks on {S} so you don't have to.",
    "A proper look at {S}, start to finish.",
];

const CHAPTER_NAMES: &[&str] = &[
    "What went wrong",
    "My verdict",
    "Final thoughts",
    "Q&A",
    "Results",
];

const QUESTIONS: &[&str] = &[
    "Would you try it?",
    "Which part would you try first?",
    "What should I try next?",
    "Have you tried this yet?",
    "Thoughts on {M}?",
    "Which one are you picking?",
];

fn expand(out: &mut String, t: &str, subject: &str, moment: &str) {
    out.push_str(&t.replace("{S}", subject).replace("{M}", moment));
}

fn capitalise(s: &mut String, start: usize) {
    if let Some(c) = s[start..].chars().next() {
        if c.is_ascii_lowercase() {
            s.replace_range(start..start + 1, &c.to_ascii_uppercase().to_string());
        }
    }
}

/// A video's description written from its `title`: a hook about the
/// title's subject, chapters (parts of it) at increasing times within
/// `video_seconds`, one of the style's links, distinct hashtags.
pub fn video_description(
    rng: &mut Rng,
    niche: Niche,
    title: &str,
    video_seconds: u32,
    style: CommentStyle,
) -> String {
    let len = if video_seconds == 0 {
        DEFAULT_VIDEO_SECONDS
    } else {
        video_seconds
    };
    let subject = subject_of(title)
        .map(|(s, _)| s.replacen("your ", "my ", 1))
        .unwrap_or_else(|| "this one".to_string());
    let mut out = String::with_capacity(512);
    let k = 2 + rng.below(3) as usize;
    let parts = moments(rng, niche, k);
    expand(&mut out, pick(rng, HOOKS), &subject, parts[0]);
    capitalise(&mut out, 0);
    out.push_str("\n\nChapters:\n0:00 Intro\n");
    let n = parts.len() as u32 + 1;
    let step = (len / (n + 1)).max(1);
    let mut at = 0;
    for (i, p) in parts.iter().enumerate() {
        at = ((i as u32 + 1) * step + rng.below((step / 2).max(1) as u64) as u32).max(at + 1);
        push_timestamp(&mut out, at.min(len.saturating_sub(2)));
        out.push(' ');
        let s = out.len();
        out.push_str(p.trim_start_matches("the "));
        capitalise(&mut out, s);
        out.push('\n');
    }
    at = (n * step).max(at + 1);
    push_timestamp(&mut out, at.min(len.saturating_sub(1)));
    out.push(' ');
    out.push_str(pick(rng, CHAPTER_NAMES));
    out.push_str("\n\n");
    if rng.chance(0.4) {
        let q = pick(rng, QUESTIONS);
        expand(&mut out, q, &subject, parts[parts.len() - 1]);
        out.push_str(" Tell me in the comments.\n\n");
    }
    let link = pick(rng, style.links);
    let mut handle = String::new();
    super::names::write_handle_base_with(&mut handle, rng, &["", "_"]);
    out.push_str(
        &link
            .replace("{handle}", &handle)
            .replace("{acct}", "channel"),
    );
    out.push('\n');
    let k = 2 + rng.below(2) as usize;
    push_hashtags(&mut out, rng, niche, k, &[]);
    out.replace("\n #", "\n#")
}

const PHOTO: &[&str] = &[
    "{S} recap",
    "swipe for {M}",
    "still thinking about {S}",
    "{S}, notes from this week",
    "saving this one: {S}",
    "{S} was a good idea after all",
    "{M} never gets old",
    "weekend plans: {S}",
    "{M}, that's the post",
    "round two of {S}",
];

const CLIP: &[&str] = &[
    "{S} pt 2",
    "wait for {M}",
    "rating {S} so you don't have to",
    "{S} but it goes wrong",
    "nobody talks about {M}",
    "{S} check",
    "pov: you finally try {S}",
    "{M} is the whole point",
    "doing {S} until it works",
    "day 3 of {S}",
];

const TEXT: &[&str] = &[
    "Some thoughts on {S}",
    "A few notes on {S}, mostly about {M}",
    "Still thinking about {S}",
    "{S}: what I'd tell my past self",
];

/// A post's caption in the style's [`CaptionShape`]: an Instagram-like
/// line about a subject of the niche (sometimes a question to the
/// audience), a TikTok-like short lower-case line, or a text post's line;
/// then distinct hashtags.
pub fn caption(rng: &mut Rng, niche: Niche, style: CommentStyle) -> String {
    let subject = caption_subject(rng, niche);
    let ms = moments(rng, niche, 1);
    let m = ms.first().copied().unwrap_or("the details");
    let mut out = String::with_capacity(140);
    let (pool, tags, extra): (&[&str], usize, &[&str]) = match style.caption {
        CaptionShape::Photo => (PHOTO, 2 + rng.below(4) as usize, &[]),
        CaptionShape::Clip => (CLIP, 2 + rng.below(3) as usize, &["fyp", "foryou"]),
        CaptionShape::Text => (TEXT, rng.below(3) as usize, &[]),
    };
    expand(&mut out, pick(rng, pool), &subject, m);
    if style.caption != CaptionShape::Clip {
        capitalise(&mut out, 0);
    }
    if rng.chance(0.35) {
        out.push_str(". ");
        let s = out.len();
        expand(&mut out, pick(rng, QUESTIONS), &subject, m);
        if style.caption == CaptionShape::Clip {
            out[s..].make_ascii_lowercase();
        }
    }
    if style.caption == CaptionShape::Photo && rng.chance(0.5) {
        out.push(' ');
        out.push_str(pick(rng, &["✨", "📸", "🫶", "💛", "🙌"]));
    }
    push_hashtags(&mut out, rng, niche, tags, extra);
    out
}

/// A Short's caption: what the title says, in a line, and distinct
/// hashtags with `#shorts` among them.
pub fn short_caption(rng: &mut Rng, niche: Niche, title: &str) -> String {
    let subject = subject_of(title)
        .map(|(s, _)| s.replacen("your ", "my ", 1))
        .unwrap_or_else(|| "this".to_string());
    let ms = moments(rng, niche, 1);
    let m = ms.first().copied().unwrap_or("the end");
    let mut out = String::with_capacity(120);
    let lines: &[&str] = &[
        "{S} in under a minute",
        "the quick version of {S}",
        "{M} is the part everyone asks about",
        "{S}, short and sweet",
        "full video on the channel",
        "watch till {M}",
    ];
    expand(&mut out, pick(rng, lines), &subject, m);
    capitalise(&mut out, 0);
    out.push_str(" #shorts");
    let k = 1 + rng.below(2) as usize;
    push_hashtags(&mut out, rng, niche, k, &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::text::gist::Gist;

    #[test]
    fn descriptions_agree_with_titles_and_hashtags_do_not_repeat() {
        let mut rng = Rng::new(4, "posts");
        for niche in Niche::ALL {
            for _ in 0..50 {
                let title = super::super::video_title(&mut rng, niche);
                let d = video_description(&mut rng, niche, &title, 700, CommentStyle::GENERIC);
                let g = Gist::read(&title, &d);
                let (subject, _) = subject_of(&title).unwrap_or_default();
                assert!(
                    subject.is_empty()
                        || d.to_lowercase()
                            .contains(&subject.replacen("your ", "my ", 1)),
                    "{title}\n{d}"
                );
                assert!(g.moments.len() >= 3, "{d}");
                assert!(g.moments.windows(2).all(|w| w[0].at < w[1].at), "{d}");
                for text in [d, caption(&mut rng, niche, CommentStyle::GENERIC)] {
                    let tags: Vec<&str> = text
                        .split_whitespace()
                        .filter(|w| w.starts_with('#'))
                        .collect();
                    let mut uniq = tags.clone();
                    uniq.sort();
                    uniq.dedup();
                    assert_eq!(uniq.len(), tags.len(), "{text}");
                }
            }
        }
    }
}
