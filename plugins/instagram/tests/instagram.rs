//! Behaviour of the Instagram simulator, driven natively through the SDK's
//! harness. Statistical checks use fixed seeds.

use std::collections::{BTreeMap, BTreeSet};

use diorama_instagram::{Instagram, COMMENT_LIMIT, POST_LIMIT};
use diorama_sdk::harness::Harness;
use diorama_sdk::models::text::DmType;
use diorama_sdk::testing::{contents, interactions, metrics, notices, Figures};
use diorama_sdk::*;

type H = Harness<Instagram>;

/// The behaviour every platform shows, at Instagram's figures.
const FIGURES: Figures = Figures {
    name: "instagram",
    niche: "beauty",
    audience: "followers",
    untargeted: &["story"],
    events_per_day: 100,
    busy_audience: 1_000_000,
    viral_metric: "likes",
    unscheduled: r#"{"posts_per_day": 0, "stories_per_day": 0}"#,
    publish: r#"{"kind": "reel", "caption": "new reel"}"#,
    publish_limit: POST_LIMIT,
    reply_limit: Some(COMMENT_LIMIT),
    dms: true,
    // This platform's share of a 100k creator's normal day (ARCHITECTURE.md,
    // *Realism references*): ≈40 of the ≈500 comments and ≈12 of the ≈20 DMs.
    comments_per_day: 25..70,
    dms_per_day: 9.0..15.0,
    state_bytes: 3 << 20,
    bad_params: &[
        (r#"{"followers": -1}"#, "followers"),
        (r#"{"posts_per_day": 9}"#, "posts_per_day"),
        (r#"{"like_rate": "lots"}"#, "like_rate"),
        (r#"{"subscribers": 10}"#, "subscribers"),
    ],
    nothing_published: "no post",
    controversy_peak_min: 600,
};

diorama_sdk::behaviour_suite!(Instagram, FIGURES);

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
fn content_and_interactions_look_like_instagram() {
    let mut h = harness(2, r#"{"followers": 400000}"#);
    let events = h.advance(4 * DAY);
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
    // Close to half of Instagram comments carry emoji (Dimson 2015); a few
    // tag a friend or answer someone by handle.
    assert!(emoji > 0.35 && tagged > 0.05, "{emoji} {tagged}");
    let followers: Vec<_> = metrics(&events, "followers").collect();
    assert!(followers.len() >= 6);
    assert!(followers.iter().all(|(_, m)| m.content_id.is_none()));
}

#[test]
fn publish_takes_posts_reels_and_stories() {
    let mut h = harness(1, "{}");
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
fn describe_lists_the_contract() {
    let info = <Instagram as Platform>::describe();
    assert_eq!(info.name, "instagram");
    assert_eq!(info.content_kinds, ["post", "reel", "story"]);
    assert_eq!(
        info.interaction_kinds,
        [
            "comment",
            "reply",
            "dm",
            "mention",
            "offer",
            "subscribed",
            "purchase",
            "renewed",
            "cancelled"
        ]
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

#[test]
fn creator_replies_continue_threads() {
    diorama_sdk::testing::creator_replies_continue_threads::<Instagram>(&FIGURES);
}
