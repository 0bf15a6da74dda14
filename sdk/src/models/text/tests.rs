//! The generator's tests: fixed seeds, aims that fail when topic fit,
//! frame repetition, emoji placement or lengths drift.

use super::measure::{content_words, emoji_place, frame, shares_words, word_count, EmojiPlace};
use super::*;
use std::collections::{BTreeMap, BTreeSet};

const fn shape(reaction: f64, emoji_only: f64, long: f64, emoji: f64, timestamps: bool) -> Shape {
    Shape {
        reaction,
        emoji_only,
        long,
        emoji,
        timestamps,
        friend_tags: 0.05,
        reply_mention: 0.3,
        lower: 0.2,
    }
}

/// Shapes like the built-in platforms' (their own tests use theirs).
const VIDEO: CommentStyle = CommentStyle {
    name: "video",
    nouns: Nouns {
        account: "channel",
        post: "video",
        posts: "videos",
        home: "here",
    },
    shape: shape(0.12, 0.02, 0.32, 0.45, true),
    caption: CaptionShape::Text,
    links: &["Support the {acct}: https://members.example/{handle}"],
};
const PHOTO: CommentStyle = CommentStyle {
    name: "photo",
    shape: shape(0.36, 0.12, 0.06, 1.3, false),
    caption: CaptionShape::Photo,
    ..VIDEO
};
const CLIP: CommentStyle = CommentStyle {
    name: "clip",
    shape: shape(0.42, 0.09, 0.04, 1.0, false),
    caption: CaptionShape::Clip,
    ..VIDEO
};

struct Sample {
    posts: Vec<(String, String, Gist)>,
    comments: Vec<(usize, String, Said)>,
    replies: Vec<(usize, usize, String)>,
}

/// A day of comments on `posts` posts of two niches: 400 recurring
/// authors, the reference sentiment mix, a reply in four.
fn sample(style: CommentStyle, seed: u64, n: usize) -> Sample {
    let mut rng = Rng::new(seed, "sample");
    let mut posts = Vec::new();
    for i in 0..12 {
        let niche = [Niche::Fitness, Niche::Gaming][i % 2];
        let title = video_title(&mut rng, niche);
        let text = if style.shape.timestamps {
            video_description(&mut rng, niche, &title, 700, style)
        } else {
            caption(&mut rng, niche, style)
        };
        let title = if style.shape.timestamps {
            title
        } else {
            String::new()
        };
        let gist = Gist::read_in(niche, &title, &text);
        posts.push((title, text, gist));
    }
    let mut s = Sample {
        posts,
        comments: Vec::new(),
        replies: Vec::new(),
    };
    for k in 0..n {
        let p = k % s.posts.len();
        let niche = [Niche::Fitness, Niche::Gaming][p % 2];
        let voice = Voice::of(&format!("author-{}", rng.below(400)));
        let sentiment = Sentiment::sample(&mut rng);
        let seconds = style.shape.timestamps.then_some(700);
        let mut out = String::new();
        let gist = s.posts[p].2.clone();
        let parents: Vec<usize> = s
            .comments
            .iter()
            .enumerate()
            .filter(|(_, c)| c.0 == p)
            .map(|(i, _)| i)
            .collect();
        if !parents.is_empty() && rng.chance(0.25) {
            let parent = parents[rng.below(parents.len() as u64) as usize];
            let said = s.comments[parent].2;
            write_reply(
                &mut out,
                &mut rng,
                niche,
                sentiment,
                style,
                &gist,
                seconds,
                &voice,
                said,
                Some("@maya.silva"),
            );
            s.replies.push((p, parent, out));
        } else {
            let said = write_comment(
                &mut out, &mut rng, niche, sentiment, style, &gist, seconds, &voice,
            );
            s.comments.push((p, out, said));
        }
    }
    s
}

fn texts(s: &Sample) -> Vec<(usize, &str)> {
    s.comments
        .iter()
        .map(|(p, t, _)| (*p, t.as_str()))
        .chain(s.replies.iter().map(|(p, _, t)| (*p, t.as_str())))
        .collect()
}

fn post_words(s: &Sample, p: usize) -> Vec<String> {
    let (title, text, _) = &s.posts[p];
    let body: String = text
        .lines()
        .filter(|l| !l.contains("http") && !l.starts_with("Chapters"))
        .collect::<Vec<_>>()
        .join(" ");
    content_words(&format!("{title} {body}"))
}

fn median(mut v: Vec<usize>) -> usize {
    v.sort_unstable();
    v[v.len() / 2]
}

/// The aims: (style, share about the post, median words range, share of
/// three words or fewer range).
type Aim = (CommentStyle, f64, (usize, usize), (f64, f64));
const AIMS: [Aim; 3] = [
    (VIDEO, 0.5, (5, 12), (0.08, 0.35)),
    (PHOTO, 0.4, (2, 6), (0.3, 0.65)),
    (CLIP, 0.4, (2, 6), (0.3, 0.7)),
];

#[test]
fn comments_talk_about_their_post() {
    for (style, aim, _, _) in AIMS {
        let s = sample(style, 11, 3000);
        let all = texts(&s);
        let about = all
            .iter()
            .filter(|(p, t)| shares_words(t, &post_words(&s, *p)))
            .count() as f64
            / all.len() as f64;
        assert!(about >= aim, "{}: {about}", style.name);
        // Not one comment carries a slot, and none is empty.
        for (_, t) in &all {
            assert!(
                !t.contains('{') && !t.contains('}') && !t.trim().is_empty(),
                "{t}"
            );
        }
    }
}

#[test]
fn lengths_follow_the_platform() {
    for (style, _, (lo, hi), (slo, shi)) in AIMS {
        let s = sample(style, 12, 3000);
        let words: Vec<usize> = texts(&s).iter().map(|(_, t)| word_count(t)).collect();
        let m = median(words.clone());
        let short = words.iter().filter(|&&w| w <= 3).count() as f64 / words.len() as f64;
        assert!((lo..=hi).contains(&m), "{}: median {m}", style.name);
        assert!(
            (slo..=shi).contains(&short),
            "{}: short {short}",
            style.name
        );
    }
}

#[test]
fn emoji_are_not_all_tails_and_stand_alone_where_people_do_that() {
    for (style, _, _, _) in AIMS {
        let s = sample(style, 13, 3000);
        let all = texts(&s);
        let mut places: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, t) in &all {
            let (p, _) = emoji_place(t);
            let k = match p {
                EmojiPlace::None => "none",
                EmojiPlace::Only => "only",
                EmojiPlace::End => "end",
                EmojiPlace::Start => "start",
                EmojiPlace::Inside => "inside",
            };
            *places.entry(k).or_default() += 1;
        }
        let with = all.len() - places.get("none").copied().unwrap_or(0);
        let end = places.get("end").copied().unwrap_or(0) as f64 / with as f64;
        let only = places.get("only").copied().unwrap_or(0) as f64 / all.len() as f64;
        let share = with as f64 / all.len() as f64;
        assert!(end <= 0.75, "{}: {end} of emoji at the end", style.name);
        if style.name == "video" {
            assert!((0.08..0.35).contains(&share), "{}: {share}", style.name);
        } else {
            assert!((0.3..0.65).contains(&share), "{}: {share}", style.name);
            assert!(only >= 0.03, "{}: {only} emoji-only", style.name);
        }
    }
}

#[test]
fn frames_do_not_repeat_visibly() {
    for (style, _, _, _) in AIMS {
        let s = sample(style, 14, 3000);
        let mut frames: BTreeMap<String, usize> = BTreeMap::new();
        let mut long = 0;
        for (p, t) in texts(&s) {
            if word_count(t) >= 4 {
                long += 1;
                *frames.entry(frame(t, &post_words(&s, p))).or_default() += 1;
            }
        }
        let top = frames.values().max().copied().unwrap_or(0) as f64 / long as f64;
        assert!(top < 0.03, "{}: top frame {top}", style.name);
        assert!(frames.len() as f64 / long as f64 > 0.5, "{}", style.name);
    }
}

#[test]
fn timestamps_only_where_the_platform_quotes_them_and_within_the_video() {
    for (style, _, _, _) in AIMS {
        let s = sample(style, 15, 2000);
        let stamps: Vec<u32> = texts(&s)
            .iter()
            .flat_map(|(_, t)| {
                t.split(|c: char| !(c.is_ascii_digit() || c == ':'))
                    .filter_map(gist::parse_stamp)
                    .collect::<Vec<_>>()
            })
            .collect();
        if style.shape.timestamps {
            assert!(stamps.len() > 40, "{}", stamps.len());
            assert!(stamps.iter().all(|&t| t < 700), "{stamps:?}");
        } else {
            assert!(stamps.is_empty(), "{}: {stamps:?}", style.name);
        }
    }
}

#[test]
fn replies_answer_their_parent() {
    let s = sample(VIDEO, 16, 4000);
    let mut about = 0;
    for (_, parent, t) in &s.replies {
        let (_, ptext, said) = &s.comments[*parent];
        let named = said.about > 0
            || shares_words(
                ptext,
                &content_words(&s.posts[s.comments[*parent].0].2.subject),
            );
        if named && shares_words(t, &content_words(ptext)) {
            about += 1;
        }
    }
    let share = about as f64 / s.replies.len() as f64;
    assert!(share >= 0.3, "{share}");
    // Questions get answers, not more praise.
    let mut rng = Rng::new(17, "answers");
    let gist = Gist::read_in(Niche::Fitness, "The Truth About the Perfect Push Up", "");
    let voice = Voice::of("x");
    for _ in 0..200 {
        let mut out = String::new();
        write_reply(
            &mut out,
            &mut rng,
            Niche::Fitness,
            Sentiment::Positive,
            VIDEO,
            &gist,
            None,
            &voice,
            Said {
                act: Act::Question,
                about: 0,
                cue: Cue::Start,
            },
            None,
        );
        let lower = out.to_lowercase();
        assert!(
            !lower.contains("so good") && !lower.contains("best part"),
            "{out}"
        );
    }
}

#[test]
fn the_same_author_reads_the_same() {
    // One author's comments share their habits: casing and emoji.
    let v = Voice::of("UCsteady");
    let mut rng = Rng::new(18, "same");
    let gist = Gist::read_in(Niche::Gaming, "Every Boss in Starfall Odyssey", "");
    let mut lower = 0;
    for _ in 0..100 {
        let mut out = String::new();
        write_comment(
            &mut out,
            &mut rng,
            Niche::Gaming,
            Sentiment::Positive,
            VIDEO,
            &gist,
            Some(600),
            &v,
        );
        lower += usize::from(out == out.to_lowercase());
    }
    if v.lower {
        assert_eq!(lower, 100);
    }
}

#[test]
fn dms_vary_and_never_name_a_section() {
    let mut rng = Rng::new(19, "dms");
    for kind in DmType::ALL {
        let set: BTreeSet<String> = (0..500)
            .map(|i| dm(&mut rng, Niche::Fitness, kind, &Voice::of(&i.to_string())))
            .collect();
        let floor = if kind == DmType::Spam { 9 } else { 300 };
        assert!(set.len() >= floor, "{kind:?}: {}", set.len());
        for d in &set {
            assert!(!d.contains("video on the") && !d.contains('{'), "{d}");
        }
    }
}

#[test]
fn captions_and_descriptions_agree_with_their_subject() {
    let mut rng = Rng::new(20, "captions");
    for style in [PHOTO, CLIP, CommentStyle::GENERIC] {
        for niche in Niche::ALL {
            let c = caption(&mut rng, niche, style);
            let tags: Vec<&str> = c
                .split_whitespace()
                .filter(|w| w.starts_with('#'))
                .collect();
            let distinct: BTreeSet<&&str> = tags.iter().collect();
            assert_eq!(distinct.len(), tags.len(), "{c}");
            let g = Gist::read_in(niche, "", &c);
            assert!(g.short != "this", "{c}");
        }
    }
}

#[test]
fn niches_parse_with_aliases() {
    assert_eq!(Niche::parse("tech"), Ok(Niche::Tech));
    assert_eq!(Niche::parse("Tech Reviews"), Ok(Niche::Tech));
    assert_eq!(Niche::parse("makeup tutorials"), Ok(Niche::Beauty));
    assert_eq!(Niche::parse("home cooking & recipes"), Ok(Niche::Cooking));
    assert_eq!(Niche::parse("game reviews"), Ok(Niche::Gaming));
    assert_eq!(Niche::parse("recipes"), Ok(Niche::Cooking));
    assert_eq!(Niche::parse("daily vlogs"), Ok(Niche::Lifestyle));
    assert_eq!(Niche::parse("esports"), Ok(Niche::Gaming));
    assert_eq!(Niche::parse(""), Ok(Niche::Lifestyle));
    for n in Niche::ALL {
        assert_eq!(Niche::parse(&n.name().to_uppercase()), Ok(n));
    }
    let e = Niche::parse("underwater basket weaving").unwrap_err();
    assert!(
        e.contains("underwater basket weaving") && e.contains("cooking"),
        "{e}"
    );
}

#[test]
fn sentiment_mix_is_65_25_10() {
    let mut rng = Rng::new(7, "mix");
    let n = 20_000;
    let mut counts = [0usize; 3];
    for _ in 0..n {
        counts[Sentiment::sample(&mut rng) as usize] += 1;
    }
    for (i, want) in Sentiment::MIX.iter().enumerate() {
        let got = counts[i] as f64 / n as f64;
        assert!((got - want).abs() < 0.02, "{i}: {got}");
    }
}

#[test]
fn dm_mix_is_40_30_15_10_5() {
    let mut rng = Rng::new(8, "dm");
    let n = 20_000;
    let mut counts = [0usize; 5];
    for _ in 0..n {
        counts[DmType::sample(&mut rng) as usize] += 1;
    }
    for (i, want) in DmType::MIX.iter().enumerate() {
        let got = counts[i] as f64 / n as f64;
        assert!((got - want).abs() < 0.02, "{i}: {got}");
    }
}

#[test]
fn text_is_niche_aware() {
    let mut rng = Rng::new(11, "niche");
    let tech: String = (0..300)
        .map(|_| video_title(&mut rng, Niche::Tech))
        .collect();
    let cook: String = (0..300)
        .map(|_| video_title(&mut rng, Niche::Cooking))
        .collect();
    assert_ne!(tech, cook);
    let cook_lower = cook.to_lowercase();
    assert!(
        ["recipe", "kitchen", "cook", "bread", "pasta"]
            .iter()
            .any(|w| cook_lower.contains(w)),
        "{cook}"
    );
}

#[test]
fn timestamps_format() {
    let mut s = String::new();
    push_timestamp(&mut s, 221);
    s.push(' ');
    push_timestamp(&mut s, 3723);
    s.push(' ');
    push_timestamp(&mut s, 5);
    assert_eq!(s, "3:41 1:02:03 0:05");
}

#[test]
fn distinct_retries_repeats() {
    let mut d = Distinct::default();
    let mut out = String::new();
    let mut n = 0;
    d.write(&mut out, 3, |o| {
        n += 1;
        o.push_str("same");
    });
    assert_eq!((n, d.len()), (1, 1));
    let mut k = 0;
    d.write(&mut out, 3, |o| {
        k += 1;
        o.push_str(if k < 3 { "same" } else { "new" });
    });
    assert_eq!((k, out.as_str(), d.len()), (3, "new", 2));
    // Survives serde (the index is rebuilt).
    let mut e: Distinct = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
    assert!(!e.insert("new") && e.insert("newer"));
    // Bounded.
    for i in 0..2 * Distinct::POST_CAPACITY {
        d.insert(&i.to_string());
    }
    assert_eq!(d.len(), Distinct::POST_CAPACITY);
    let mut account = Distinct::with_capacity(10);
    account.insert("x");
    let mut tries = 0;
    write_distinct(&mut [&mut e, &mut account], &mut out, 5, |o| {
        tries += 1;
        o.push_str(["new", "x", "y"][tries - 1]);
    });
    assert_eq!((tries, out.as_str()), (3, "y"));
    // A text that keeps repeating gets a varied ending.
    let mut post = Distinct::default();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..100 {
        post.write(&mut out, 4, |o| o.push_str("so good"));
        assert!(out.starts_with("so good"));
        assert!(seen.insert(out.clone()), "{out}");
    }
    assert!(!e.insert("y") && !account.insert("y"));
    assert!(d.insert("0"));
    d.clear();
    assert!(d.is_empty());
}

#[test]
fn avoided_words_are_drawn_around() {
    let mut rng = Rng::new(22, "avoid");
    let items: &[&'static str] = &["the b-roll", "the VIDEO edit", "the thread"];
    for _ in 0..200 {
        assert_eq!(
            pick_avoiding(&mut rng, items, &["b-roll", "video"]),
            "the thread"
        );
    }
    assert_eq!(pick_avoiding(&mut rng, &["video"], &["video"]), "");
    // Nothing to avoid: one plain draw, the same as `pick`.
    let mut a = Rng::new(23, "avoid");
    let mut b = Rng::new(23, "avoid");
    for _ in 0..100 {
        assert_eq!(pick_avoiding(&mut a, items, &[]), pick(&mut b, items));
    }
    assert!(has_any("Best CHANNEL", &["channel"]) && !has_any("post", &["channel", ""]));
}

/// Sentences of eight words or more (a pitch, a story; not a stock "can
/// you send over a media kit?") that more than one sender wrote, as a share
/// of all such sentences, among `n` DMs of `kind` from `n` senders.
fn shared_dm_sentences(kind: DmType, n: usize) -> f64 {
    let mut rng = Rng::new(35, "dm sentences");
    let mut by: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    let mut total = 0;
    for sender in 0..n {
        let niche = [Niche::Fitness, Niche::Gaming][sender % 2];
        let d = dm(
            &mut rng,
            niche,
            kind,
            &Voice::of(&format!("sender-{sender}")),
        );
        for s in d.split(['.', '!', '?', '\n']) {
            let s = s.trim().to_lowercase();
            if s.split_whitespace().count() >= 8 {
                total += 1;
                by.entry(s).or_default().insert(sender);
            }
        }
    }
    let shared: usize = by.values().filter(|s| s.len() > 1).map(|s| s.len()).sum();

    shared as f64 / total.max(1) as f64
}

#[test]
fn dm_senders_do_not_share_sentences() {
    // A brand's pitch, a fan's note, a question: written by each sender in
    // their own words.
    for (kind, aim) in [
        (DmType::Collaboration, 0.3),
        (DmType::Fan, 0.15),
        (DmType::Question, 0.3),
    ] {
        let share = shared_dm_sentences(kind, 200);
        assert!(share <= aim, "{kind:?}: {share:.3} of sentences shared");
    }
    // Spam is one network's script, copied as it is, but its messages
    // vary (an opener, a promise, its call, a host): no one message makes
    // up more than one in twenty of 200 senders'.
    let mut rng = Rng::new(36, "spam");
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for sender in 0..200 {
        let d = dm(
            &mut rng,
            Niche::Gaming,
            DmType::Spam,
            &Voice::of(&sender.to_string()),
        );
        *seen.entry(d).or_default() += 1;
    }
    let most = seen.values().max().copied().unwrap_or(0);
    assert!(most <= 10 && seen.len() >= 100, "{most} {}", seen.len());
}

/// The share of comments and replies of `s` that carry their post's subject
/// in the title's own words, among posts whose subject is a phrase people
/// would shorten (it has a head noun of its own: "the perfect push up",
/// not "cardio" or "the meal prep").
fn quoting_share(s: &Sample) -> (f64, usize) {
    let mut n = 0;
    let mut quoted = 0;
    for (p, t) in texts(s) {
        let g = &s.posts[p].2;
        // "the meal prep" is its head already.
        match phrase::head_noun(&g.subject) {
            Some(h) if g.subject.to_lowercase() != format!("the {h}") => {}
            _ => continue,
        }
        n += 1;
        quoted += usize::from(t.to_lowercase().contains(&g.subject.to_lowercase()));
    }
    (quoted as f64 / n.max(1) as f64, n)
}

#[test]
fn comments_take_up_their_post_rather_than_quote_its_title() {
    // People name what they watched by a detail, its head noun or "this";
    // the title's exact phrase only now and then (was about a third of
    // the lines that named the post).
    for style in [VIDEO, PHOTO, CLIP] {
        let s = sample(style, 11, 3000);
        let (share, n) = quoting_share(&s);
        assert!(n > 500, "{}: {n}", style.name);
        assert!(share <= 0.08, "{}: {share:.3} quote the title", style.name);
    }
    // ... and still talk about it (by its head noun, which shares a word).
    let gist = Gist::read_in(Niche::Fitness, "The Truth About the Perfect Push Up", "");
    let mut rng = Rng::new(41, "head nouns");
    let mut head = 0;
    for i in 0..400 {
        let mut out = String::new();
        let voice = Voice::of(&format!("h{i}"));
        write_comment(
            &mut out,
            &mut rng,
            Niche::Fitness,
            Sentiment::Positive,
            VIDEO,
            &gist,
            Some(600),
            &voice,
        );
        let lower = out.to_lowercase();
        head += usize::from(lower.contains("push up") && !lower.contains("perfect push up"));
    }
    assert!(head >= 60, "{head} of 400 name the push up by its head");
}

#[test]
fn stock_lines_do_not_recur_for_an_account() {
    // A day of a busy account: 3,000 comments over 12 posts, written as a
    // platform writes them (a post's set and the account's). Each stock
    // line ("lives rent free", "pov:", ...) appears at most once.
    let s = sample(VIDEO, 12, 12);
    let mut posts = Distinct::with_capacity(Distinct::POSTS_CAPACITY);
    let mut account = Distinct::with_capacity(Distinct::ACCOUNT_CAPACITY);
    let mut rng = Rng::new(43, "stock");
    let mut used: BTreeMap<&str, usize> = BTreeMap::new();
    let mut any = 0;
    for k in 0..3000u64 {
        let p = (k % 12) as usize;
        let niche = [Niche::Fitness, Niche::Gaming][p % 2];
        let voice = Voice::of(&format!("author-{}", rng.below(400)));
        let sentiment = Sentiment::sample(&mut rng);
        let mut trng = text_rng(k);
        let gist = &s.posts[p].2;
        let mut out = String::new();
        write_distinct_scoped(
            &mut [(&mut posts, post_scope(p as u64)), (&mut account, 0)],
            &mut out,
            4,
            |o| {
                write_comment(o, &mut trng, niche, sentiment, CLIP, gist, None, &voice);
            },
        );
        for c in grammar::carriers(&out) {
            *used.entry(c).or_default() += 1;
            any += 1;
        }
    }
    let most = used.iter().max_by_key(|(_, n)| **n);
    assert!(
        used.values().all(|&n| n <= 1),
        "a stock line recurs: {most:?}"
    );
    assert!((5..=60).contains(&any), "{any} stock lines in 3,000");
}

#[test]
fn dms_are_not_one_frame() {
    let mut rng = Rng::new(47, "dm frames");
    let mut video = 0;
    let mut sandwich = 0;
    let mut short = 0;
    let fans = 400;
    for i in 0..fans {
        let d = dm(
            &mut rng,
            Niche::Fitness,
            DmType::Fan,
            &Voice::of(&format!("f{i}")),
        );
        let lower = d.to_lowercase();
        video += usize::from(lower.contains(" video"));
        let greets = ["hey", "hi", "hello", "yo", "heyy"]
            .iter()
            .any(|g| lower.starts_with(g));
        let signs = [
            "thank you",
            "keep going",
            "you're the best",
            "bye",
            "love your stuff",
        ]
        .iter()
        .any(|e| {
            lower
                .trim_end_matches(|c: char| !c.is_alphanumeric())
                .ends_with(e)
        });
        sandwich += usize::from(greets && signs);
        short += usize::from(d.split_whitespace().count() <= 8);
    }
    // Not one frame around "your X video"; greeting and sign-off together
    // only now and then; some fans write one short line.
    assert!(
        video * 100 <= fans * 10,
        "{video} of {fans} name 'your X video'"
    );
    assert!(
        sandwich * 100 <= fans * 6,
        "{sandwich} of {fans} greet and sign off"
    );
    assert!(short * 100 >= fans * 15, "{short} of {fans} are short");
    // A brand signs as itself and pitches one product; no DM links to a
    // made-up host.
    let mut products: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for kind in DmType::ALL {
        for i in 0..300 {
            let d = dm(&mut rng, Niche::Fitness, kind, &Voice::of(&format!("b{i}")));
            assert!(!d.contains(".example") && !d.contains("http"), "{d}");
            if kind != DmType::Collaboration {
                continue;
            }
            for name in vocab::FIRST_NAMES {
                assert!(
                    !d.split(|c: char| !c.is_alphanumeric()).any(|w| w == *name),
                    "{d}"
                );
            }
            let (brand, _) = dm::brands_of(Niche::Fitness)
                .iter()
                .find(|(b, _)| d.contains(b))
                .expect("names its brand");
            for (_, p) in dm::brands_of(Niche::Fitness) {
                if d.contains(p) {
                    products
                        .entry(brand.to_string())
                        .or_default()
                        .insert(p.to_string());
                }
            }
        }
    }
    assert!(products.values().all(|p| p.len() == 1), "{products:?}");
}
