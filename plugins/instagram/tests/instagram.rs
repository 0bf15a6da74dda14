//! Behaviour of the Instagram simulator, driven natively through the SDK's
//! harness. Statistical checks use fixed seeds.

use std::collections::{BTreeMap, BTreeSet};

use diorama_instagram::Instagram;
use diorama_sdk::harness::Harness;
use diorama_sdk::models::text::DmType;
use diorama_sdk::models::time::{local_hour, parse_tz};
use diorama_sdk::testing::{contents, interactions, metrics, notices};
use diorama_sdk::*;

type H = Harness<Instagram>;

fn harness(seed: u64, params: &str) -> H {
    H::new(H::config(seed, "beauty", params)).expect("valid config")
}

/// The last reported total of `name` for a post, at or before `until`.
fn total_at(events: &[Event], id: &str, name: &str, until: Millis) -> i64 {
    metrics(events, name)
        .filter(|(at, m)| m.content_id.as_deref() == Some(id) && *at <= until)
        .map(|(_, m)| m.total)
        .last()
        .unwrap_or(0)
}

#[test]
fn same_config_same_events_other_seed_other_events() {
    let a = harness(7, "{}").advance(DAY);
    let b = harness(7, "{}").advance(DAY);
    assert!(a.len() > 100, "{}", a.len());
    assert_eq!(a, b);
    let c = harness(8, "{}").advance(DAY);
    assert_ne!(a, c);
    let mut cfg = H::config(7, "beauty", "{}");
    cfg.profile = "p2".into();
    assert_ne!(a, H::new(cfg).unwrap().advance(DAY));
}

#[test]
fn events_fall_inside_their_window_whatever_the_window() {
    for window in [SECOND * 20, 7 * MINUTE + 30 * SECOND, HOUR, 5 * HOUR] {
        let cfg = H::config(3, "travel", r#"{"followers": 500000}"#);
        let mut ig = <Instagram as Platform>::init(&cfg).unwrap();
        let mut from = cfg.start;
        let mut n = 0;
        while from < cfg.start + 2 * DAY {
            let to = from + window;
            let mut out = Vec::new();
            ig.step(from, to, &mut out);
            for e in &out {
                assert!(e.at >= from && e.at < to, "window {window}: {}", e.at);
            }
            n += out.len();
            from = to;
        }
        assert!(n > 500, "window {window}: only {n} events");
    }
}

#[test]
fn snapshot_and_restore_continue_identically() {
    let run = |split: bool| {
        let mut h = harness(11, r#"{"followers": 300000}"#);
        let mut events = h.advance(6 * HOUR);
        h.signal("viral", r#"{"factor": 8}"#).unwrap();
        h.signal("shadowban", r#"{"factor": 0.5, "duration": 7200000}"#)
            .unwrap();
        events.extend(
            h.act("publish", r#"{"kind": "reel", "caption": "new reel"}"#)
                .unwrap(),
        );
        events.extend(h.advance(DAY - 6 * HOUR));
        if split {
            h.snapshot_roundtrip().unwrap();
        }
        events.extend(h.advance(DAY));
        (events, h.state().media_ids().count())
    };
    let (straight, media) = run(false);
    let (restored, _) = run(true);
    assert!(media >= 6, "{media}");
    assert!(straight.len() > 500, "{}", straight.len());
    assert!(straight == restored, "a restored simulator diverged");
}

#[test]
fn median_engagement_is_near_rival_iqs_047_percent() {
    let followers = 100_000.0;
    let mut ratios = Vec::new();
    for seed in [1, 2] {
        let mut h = harness(seed, "{}");
        let events = h.advance(21 * DAY);
        let end = h.now();
        for (at, c) in contents(&events) {
            if c.kind == "story" || at > end - 5 * DAY {
                continue;
            }
            let likes = total_at(&events, &c.id, "likes", end);
            let comments = total_at(&events, &c.id, "comments", end);
            ratios.push((likes + comments) as f64 / followers * 100.0);
        }
    }
    assert!(ratios.len() >= 30, "{}", ratios.len());
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    assert!(
        (0.2..1.5).contains(&median),
        "median {median} % of {ratios:?}"
    );
    assert!((0.3..0.7).contains(&median), "median {median} %");
    // Heavy tail across posts.
    assert!(ratios[ratios.len() - 1] > 2.0 * median, "{ratios:?}");
}

#[test]
fn dm_and_comment_mixes_over_ten_thousand() {
    let mut h = harness(5, r#"{"followers": 3000000, "dm_rate": 1500}"#);
    let events = h.advance(8 * DAY);
    let mut dms = BTreeMap::<String, usize>::new();
    let mut sentiments = BTreeMap::<String, usize>::new();
    let mut comments = 0;
    for (_, i) in interactions(&events) {
        match i.kind.as_str() {
            "dm" => {
                *dms.entry(i.dm_type.clone().expect("a DM type"))
                    .or_default() += 1;
                assert!(i.id.starts_with("aWdf") && i.content_id.is_none());
            }
            "comment" | "reply" => {
                comments += 1;
                *sentiments
                    .entry(i.sentiment.clone().expect("a sentiment"))
                    .or_default() += 1;
            }
            _ => {}
        }
    }
    let n: usize = dms.values().sum();
    assert!(n >= 10_000, "{n} DMs");
    for (kind, want) in DmType::ALL.iter().zip(DmType::MIX) {
        let got = dms.get(kind.as_str()).copied().unwrap_or(0) as f64 / n as f64;
        assert!((got - want).abs() < 0.02, "{kind:?}: {got} vs {want}");
    }
    assert!(comments >= 10_000, "{comments} comments");
    for (s, want) in [("positive", 0.65), ("neutral", 0.25), ("negative", 0.10)] {
        let got = sentiments.get(s).copied().unwrap_or(0) as f64 / comments as f64;
        assert!((got - want).abs() < 0.02, "{s}: {got}");
    }
}

#[test]
fn a_normal_day_on_100k_followers() {
    let mut posts = 0;
    let mut stories = 0;
    let mut dms = 0;
    let mut comments = 0;
    let days = 6;
    for seed in 20..20 + days {
        let events = harness(seed, "{}").advance(DAY);
        for (_, c) in contents(&events) {
            if c.kind == "story" {
                stories += 1;
            } else {
                posts += 1;
            }
        }
        dms += interactions(&events)
            .filter(|(_, i)| i.kind == "dm")
            .count();
        comments += interactions(&events)
            .filter(|(_, i)| i.kind == "comment" || i.kind == "reply")
            .count();
    }
    let per = |n: usize| n as f64 / days as f64;
    assert!((1.0..3.5).contains(&per(posts)), "{posts}");
    assert!((1.5..5.0).contains(&per(stories)), "{stories}");
    assert!((7.0..20.0).contains(&per(dms)), "{dms}");
    assert!((15.0..200.0).contains(&per(comments)), "{comments}");
}

#[test]
fn stories_expire_after_a_day_and_go_quiet() {
    let mut h = harness(9, r#"{"stories_per_day": 5}"#);
    let events = h.advance(4 * DAY);
    let end = h.now();
    let stories: Vec<(Millis, &Content)> = contents(&events)
        .into_iter()
        .filter(|(_, c)| c.kind == "story")
        .collect();
    assert!(stories.len() >= 10, "{}", stories.len());
    let expired: Vec<(Millis, &Notice)> = notices(&events)
        .filter(|(_, n)| n.code == "story_expired")
        .collect();
    for (at, c) in &stories {
        assert!(
            c.url.starts_with("https://www.instagram.com/stories/") && c.url.contains(&c.id),
            "{}",
            c.url
        );
        let views: Vec<(Millis, &Metric)> = metrics(&events, "story_views")
            .filter(|(_, m)| m.content_id.as_deref() == Some(c.id.as_str()))
            .collect();
        assert!(!views.is_empty(), "story {} has no views", c.id);
        assert!(views.iter().all(|(t, _)| *t <= at + DAY));
        let notice: Vec<_> = expired
            .iter()
            .filter(|(_, n)| n.message.contains(&c.id))
            .collect();
        if at + DAY < end {
            assert_eq!(notice.len(), 1, "story {}", c.id);
            assert_eq!(notice[0].0, at + DAY);
        } else {
            assert!(notice.is_empty());
        }
        // Nothing but views on a story.
        assert!(interactions(&events).all(|(_, i)| i.content_id.as_deref() != Some(&c.id)));
        assert!(metrics(&events, "likes").all(|(_, m)| m.content_id.as_deref() != Some(&c.id)));
    }
    // Views of an average story: a few percent of the followers.
    let total: i64 = stories
        .iter()
        .filter(|(at, _)| at + DAY < end)
        .map(|(_, c)| total_at(&events, &c.id, "story_views", end))
        .sum();
    let n = stories.iter().filter(|(at, _)| at + DAY < end).count() as i64;
    assert!((1_500..10_000).contains(&(total / n)), "{}", total / n);
}

#[test]
fn viral_raises_a_posts_likes_many_fold() {
    for seed in 1..=4 {
        let cfg = H::config(seed, "fitness", "{}");
        let mut with = H::new(cfg.clone()).unwrap();
        let mut without = H::new(cfg).unwrap();
        let mut ev_with = with.advance(DAY);
        let mut ev_without = without.advance(DAY);
        let post = contents(&ev_with)
            .iter()
            .rev()
            .find(|(_, c)| c.kind != "story")
            .map(|(_, c)| c.id.clone())
            .expect("a post by a day");
        with.signal("viral", r#"{"factor": 30}"#).unwrap();
        ev_with.extend(with.advance(2 * DAY));
        ev_without.extend(without.advance(2 * DAY));
        let end = with.now();
        let l_with = total_at(&ev_with, &post, "likes", end);
        let l_without = total_at(&ev_without, &post, "likes", end);
        assert!(
            l_with > 5 * l_without.max(1),
            "seed {seed}: {l_with} vs {l_without}"
        );
        let c_with = total_at(&ev_with, &post, "comments", end);
        let c_without = total_at(&ev_without, &post, "comments", end);
        assert!(
            c_with > 3 * c_without.max(1),
            "seed {seed}: {c_with} vs {c_without}"
        );
    }
}

#[test]
fn shadowban_collapses_reach_then_it_recovers() {
    let count = |ban: bool| {
        let mut h = harness(4, r#"{"followers": 1000000}"#);
        h.advance(2 * DAY);
        if ban {
            h.signal("shadowban", r#"{"factor": 0.05, "duration": 172800000}"#)
                .unwrap();
        }
        let during = h.advance(2 * DAY);
        h.advance(DAY);
        let after = h.advance(2 * DAY);
        let c = |ev: &[Event]| {
            interactions(ev)
                .filter(|(_, i)| i.kind == "comment" || i.kind == "reply")
                .count()
        };
        (c(&during), c(&after))
    };
    let (ban_during, ban_after) = count(true);
    let (free_during, free_after) = count(false);
    assert!(
        ban_during * 5 < free_during,
        "{ban_during} vs {free_during}"
    );
    assert!(ban_after * 2 > free_after, "{ban_after} vs {free_after}");
}

#[test]
fn content_and_interactions_look_like_instagram() {
    let mut h = harness(2, r#"{"followers": 400000}"#);
    let events = h.advance(2 * DAY);
    let mut kinds = BTreeSet::new();
    for (_, c) in contents(&events) {
        kinds.insert(c.kind.clone());
        match c.kind.as_str() {
            "post" | "reel" => {
                assert_eq!(c.id.len(), 11, "{}", c.id);
                assert!(c
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
                let path = if c.kind == "reel" { "reel" } else { "p" };
                assert_eq!(c.url, format!("https://www.instagram.com/{path}/{}/", c.id));
                assert!(c.text.contains('#'), "{}", c.text);
            }
            "story" => assert!(c.id.len() == 19 && c.id.starts_with('3'), "{}", c.id),
            other => panic!("unexpected kind {other}"),
        }
    }
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    let comment_ids: BTreeSet<&str> = interactions(&events)
        .filter(|(_, i)| i.kind == "comment")
        .map(|(_, i)| i.id.as_str())
        .collect();
    let mut by_post: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut texts = Vec::new();
    let mut kinds = BTreeSet::new();
    for (_, i) in interactions(&events) {
        kinds.insert(i.kind.as_str());
        assert!(i.author.handle.starts_with('@'));
        assert!(i.author.avatar_url.contains("cdninstagram.example"));
        match i.kind.as_str() {
            "comment" | "reply" => {
                assert!(
                    (i.id.len() == 17 || i.id.len() == 18)
                        && i.id.bytes().all(|b| b.is_ascii_digit()),
                    "{}",
                    i.id
                );
                if i.kind == "reply" {
                    assert!(comment_ids.contains(i.parent_id.as_deref().unwrap()));
                }
                let fresh = by_post
                    .entry(i.content_id.as_deref().unwrap())
                    .or_default()
                    .insert(i.text.as_str());
                assert!(fresh, "verbatim repeat under one post: {}", i.text);
                texts.push(i.text.as_str());
            }
            "mention" => assert!(i.text.contains(&h.state().creator().handle), "{}", i.text),
            _ => {}
        }
    }
    assert!(
        kinds.is_superset(&BTreeSet::from(["comment", "reply", "dm", "mention"])),
        "{kinds:?}"
    );
    let n = texts.len().min(1000);
    assert!(n >= 500, "{n}");
    let distinct: BTreeSet<&&str> = texts[..n].iter().collect();
    assert_eq!(distinct.len(), n);
    let emoji = texts.iter().filter(|t| !t.is_ascii()).count() as f64 / texts.len() as f64;
    let tagged = texts.iter().filter(|t| t.contains('@')).count() as f64 / texts.len() as f64;
    assert!(emoji > 0.4 && tagged > 0.1, "{emoji} {tagged}");
    let followers: Vec<_> = metrics(&events, "followers").collect();
    assert!(followers.len() >= 6);
    assert!(followers.iter().all(|(_, m)| m.content_id.is_none()));
}

#[test]
fn comments_follow_the_local_daily_rhythm() {
    let mut cfg = H::config(4, "music", r#"{"followers": 2000000}"#);
    cfg.timezone = "America/New_York".into();
    let mut h = H::new(cfg).unwrap();
    let events = h.advance(4 * DAY);
    let tz = parse_tz("America/New_York").unwrap();
    let mut by_hour = [0usize; 24];
    for (at, _) in interactions(&events) {
        by_hour[local_hour(at, tz) as usize] += 1;
    }
    let evening: usize = by_hour[15..23].iter().sum();
    let night: usize = by_hour[3..7].iter().sum();
    assert!(evening > 4 * night, "{by_hour:?}");
}

#[test]
fn bad_params_and_signals_name_what_is_wrong() {
    for (json, field) in [
        (r#"{"followers": -1}"#, "followers"),
        (r#"{"posts_per_day": 9}"#, "posts_per_day"),
        (r#"{"like_rate": "lots"}"#, "like_rate"),
        (r#"{"subscribers": 10}"#, "subscribers"),
    ] {
        let e = H::new(H::config(1, "beauty", json))
            .err()
            .expect("an error");
        assert!(
            e.contains("instagram") && e.contains(&format!("`{field}`")),
            "{e}"
        );
    }
    let e = H::new(H::config(1, "knitting underwater", "{}"))
        .err()
        .unwrap();
    assert!(e.contains("knitting underwater"), "{e}");
    let mut h = harness(1, "{}");
    let e = h.signal("viral", "{}").unwrap_err();
    assert!(e.contains("no post"), "{e}");
    h.advance(DAY);
    let e = h.signal("explode", "{}").unwrap_err();
    assert!(e.contains("instagram") && e.contains("`explode`"), "{e}");
    let e = h.signal("viral", r#"{"factor": 0.5}"#).unwrap_err();
    assert!(e.contains("`factor`"), "{e}");
    let e = h.signal("viral", r#"{"content_id": "nope"}"#).unwrap_err();
    assert!(e.contains("nope"), "{e}");
    let e = h.signal("shadowban", r#"{"factor": 2}"#).unwrap_err();
    assert!(e.contains("`factor`"), "{e}");
    assert!(h.signal("viral", "{}").is_ok());
    let e = h.act("like", "{}").unwrap_err();
    assert!(
        matches!(&e, ActionError::Invalid(m) if m.contains("`like`")),
        "{e}"
    );
    let e = h.act("publish", r#"{"kind": "carousel"}"#).unwrap_err();
    assert!(
        matches!(&e, ActionError::Invalid(m) if m.contains("carousel")),
        "{e}"
    );
    let e = h.act("publish", r#"{"title": "x"}"#).unwrap_err();
    assert!(
        matches!(&e, ActionError::Invalid(m) if m.contains("`title`")),
        "{e}"
    );
}

#[test]
fn publishing_is_rate_limited_to_five_posts_a_day() {
    let mut h = harness(3, r#"{"posts_per_day": 0, "stories_per_day": 0}"#);
    h.advance(HOUR);
    for i in 0..5 {
        let kind = if i % 2 == 0 { "post" } else { "reel" };
        let ev = h
            .act(
                "publish",
                &format!(r#"{{"kind": "{kind}", "caption": "number {i}"}}"#),
            )
            .unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].kind(), kind);
        h.advance(MINUTE);
    }
    match h.act("publish", r#"{"caption": "one too many"}"#) {
        Err(ActionError::RateLimited(wait)) => {
            assert!(wait > 0 && wait <= DAY, "{wait}");
            h.advance(wait);
        }
        other => panic!("expected a rate limit, got {other:?}"),
    }
    // Stories have their own limit.
    h.act("publish", r#"{"kind": "story"}"#).unwrap();
    assert!(h.act("publish", r#"{"caption": "tomorrow"}"#).is_ok());
}

#[test]
fn the_creator_replies_to_comments_and_dms() {
    let mut h = harness(6, r#"{"followers": 300000}"#);
    let events = h.advance(DAY);
    let comment = interactions(&events)
        .filter(|(_, i)| i.kind == "comment")
        .map(|(_, i)| i.clone())
        .last()
        .expect("a comment");
    let dm = interactions(&events)
        .filter(|(_, i)| i.kind == "dm")
        .map(|(_, i)| i.clone())
        .last()
        .expect("a DM");
    let ev = h
        .act(
            "reply",
            &format!(
                r#"{{"comment_id": "{}", "text": "thank you!"}}"#,
                comment.id
            ),
        )
        .unwrap();
    let Payload::Interaction(r) = &ev[0].payload else {
        panic!("{ev:?}")
    };
    assert_eq!(r.kind, "reply");
    assert_eq!(r.parent_id.as_deref(), Some(comment.id.as_str()));
    assert_eq!(r.content_id, comment.content_id);
    assert_eq!(&r.author, h.state().creator());
    let ev = h
        .act(
            "dm_reply",
            &format!(r#"{{"dm_id": "{}", "text": "sure, email me"}}"#, dm.id),
        )
        .unwrap();
    let Payload::Interaction(d) = &ev[0].payload else {
        panic!("{ev:?}")
    };
    assert_eq!(
        (d.kind.as_str(), d.parent_id.as_deref()),
        ("dm", Some(dm.id.as_str()))
    );
    assert!(matches!(
        h.act("dm_reply", r#"{"dm_id": "aWdfnope", "text": "x"}"#),
        Err(ActionError::NotFound(_))
    ));
    assert!(matches!(
        h.act(
            "reply",
            r#"{"comment_id": "17999999999999999", "text": "x"}"#
        ),
        Err(ActionError::NotFound(_))
    ));
    assert!(matches!(
        h.act("reply", &format!(r#"{{"comment_id": "{}"}}"#, comment.id)),
        Err(ActionError::Invalid(m)) if m.contains("`text`")
    ));
    // 30 comments a day.
    let mut limited = false;
    for _ in 0..40 {
        match h.act(
            "reply",
            &format!(r#"{{"comment_id": "{}", "text": "ok"}}"#, comment.id),
        ) {
            Ok(_) => {}
            Err(ActionError::RateLimited(_)) => {
                limited = true;
                break;
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert!(limited);
}

#[test]
fn describe_lists_the_contract() {
    let info = <Instagram as Platform>::describe();
    assert_eq!(info.name, "instagram");
    assert_eq!(info.content_kinds, ["post", "reel", "story"]);
    assert_eq!(
        info.interaction_kinds,
        ["comment", "reply", "dm", "mention"]
    );
    for m in ["likes", "views", "story_views", "followers"] {
        assert!(info.metrics.iter().any(|x| x == m), "{m}");
    }
    assert!(info.signals.iter().any(|s| s.name == "viral"));
    let limit = |a: &str| {
        info.limits
            .iter()
            .find(|l| l.action == a)
            .map(|l| (l.max, l.per))
    };
    assert_eq!(limit("publish"), Some((5, DAY)));
    assert_eq!(limit("reply"), Some((30, DAY)));
    assert_eq!(limit("like"), None, "limits are keyed by action");
    let defaults: serde_json::Value = serde_json::from_str(&info.defaults_json()).unwrap();
    assert_eq!(defaults["followers"], 100_000);
}

#[test]
fn old_posts_leave_the_active_set() {
    let mut h = harness(8, "{}");
    h.advance(20 * DAY);
    let total = h.state().media_ids().count();
    assert!(total > 60, "{total}");
    assert!(
        h.state().active_media() < total / 2,
        "{} of {total}",
        h.state().active_media()
    );
}

/// The median number of comments (replies not counted) on the first day and
/// the mean number of DMs a day, over `days` seeds, at `params`.
fn daily_volume(params: &str, days: u64) -> (usize, f64) {
    let mut comments = Vec::new();
    let mut dms = 0;
    for seed in 300..300 + days {
        let events = harness(seed, params).advance(DAY);
        comments.push(
            interactions(&events)
                .filter(|(_, i)| i.kind == "comment")
                .count(),
        );
        dms += interactions(&events)
            .filter(|(_, i)| i.kind == "dm")
            .count();
    }
    comments.sort_unstable();
    (comments[comments.len() / 2], dms as f64 / days as f64)
}

/// `medium` at 100k gives this platform's share of the normal day in
/// ARCHITECTURE.md (*Realism references*) across YouTube, Instagram and
/// TikTok: ≈40 of the ≈500 comments and ≈12 of the ≈20 DMs.
#[test]
fn medium_volume_at_100k_gives_this_platforms_share_of_a_normal_day() {
    let (comments, dms) = daily_volume(r#"{"comment_volume": "medium"}"#, 20);
    assert_eq!((comments, dms), daily_volume("{}", 20));
    assert!((25..70).contains(&comments), "{comments} comments a day");
    assert!((9.0..15.0).contains(&dms), "{dms} DMs a day");
    let (_, low) = daily_volume(r#"{"dm_frequency": "low"}"#, 20);
    let (_, high) = daily_volume(r#"{"dm_frequency": "high"}"#, 20);
    assert!(low < dms && dms < high, "{low} {dms} {high}");
    let (low, _) = daily_volume(r#"{"comment_volume": "low"}"#, 9);
    let (viral, _) = daily_volume(r#"{"comment_volume": "viral"}"#, 9);
    assert!(
        low * 2 < comments && comments * 4 < viral,
        "{low} {comments} {viral}"
    );
}

#[test]
fn a_big_accounts_viral_days_keep_the_state_bounded() {
    // A 5M account with viral comment volume: the texts remembered against
    // repeats are one bounded set for all its posts, so the snapshot stays
    // small however many posts draw comments (one set per post grew it by
    // megabytes a day).
    let mut h = harness(1, r#"{"followers": 5000000, "comment_volume": "viral"}"#);
    let mut sizes = Vec::new();
    for _ in 0..6 {
        h.advance(DAY);
        sizes.push(serde_json::to_vec(h.state()).expect("serialises").len());
    }
    assert!(sizes.iter().all(|&s| s < 5 << 19), "{sizes:?}");
    h.snapshot_roundtrip().expect("the snapshot restores");
    assert!(!h.advance(HOUR).is_empty());
}
