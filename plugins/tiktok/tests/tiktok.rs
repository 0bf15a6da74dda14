//! Behaviour of the TikTok simulator, driven natively through the SDK's
//! harness. Statistical checks use fixed seeds.

use std::collections::{BTreeMap, BTreeSet};

use diorama_sdk::harness::Harness;
use diorama_sdk::models::text::DmType;
use diorama_sdk::testing::{contents, interactions, metrics, Figures};
use diorama_sdk::*;
use diorama_tiktok::{TikTok, COMMENT_LIMIT, VIDEO_LIMIT};

type H = Harness<TikTok>;

/// The behaviour every platform shows, at TikTok's figures.
const FIGURES: Figures = Figures {
    name: "tiktok",
    niche: "comedy",
    audience: "followers",
    untargeted: &[],
    events_per_day: 200,
    busy_audience: 300_000,
    viral_metric: "views",
    unscheduled: r#"{"videos_per_day": 0}"#,
    publish: r#"{"caption": "part 2"}"#,
    publish_limit: VIDEO_LIMIT,
    reply_limit: Some(COMMENT_LIMIT),
    dms: true,
    // This platform's share of a 100k creator's normal day (ARCHITECTURE.md,
    // *Realism references*): ≈210 of the ≈500 comments and ≈8 of the ≈20 DMs.
    comments_per_day: 140..300,
    dms_per_day: 5.5..10.5,
    state_bytes: 3 << 20,
    bad_params: &[
        (r#"{"followers": -1}"#, "followers"),
        (r#"{"videos_per_day": 50}"#, "videos_per_day"),
        (r#"{"share_rate": "lots"}"#, "share_rate"),
        (r#"{"subscribers": 10}"#, "subscribers"),
    ],
    nothing_published: "no video",
    controversy_peak_min: 1000,
};

diorama_sdk::behaviour_suite!(TikTok, FIGURES);

fn harness(seed: u64, params: &str) -> H {
    H::new(H::config(seed, "comedy", params)).expect("valid config")
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
fn median_engagement_is_near_rival_iqs_57_percent() {
    let followers = 100_000.0;
    let mut ratios = Vec::new();
    for seed in [1, 2] {
        let mut h = harness(seed, "{}");
        let events = h.advance(10 * DAY);
        let end = h.now();
        for (at, c) in contents(&events) {
            if at > end - 5 * DAY {
                continue;
            }
            let sum: i64 = ["likes", "comments", "shares"]
                .iter()
                .map(|m| total_at(&events, &c.id, m, end))
                .sum();
            ratios.push(sum as f64 / followers * 100.0);
        }
    }
    assert!(ratios.len() >= 30, "{}", ratios.len());
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    assert!(
        (3.5..9.0).contains(&median),
        "median {median} % of {ratios:?}"
    );
    assert!(ratios[ratios.len() - 1] > 2.0 * median, "{ratios:?}");
}

#[test]
fn dm_and_comment_mixes_over_ten_thousand() {
    let mut h = harness(5, r#"{"followers": 300000, "dm_rate": 1500}"#);
    let events = h.advance(11 * DAY);
    let mut dms = BTreeMap::<String, usize>::new();
    let mut sentiments = BTreeMap::<String, usize>::new();
    let mut comments = 0;
    for (_, i) in interactions(&events) {
        match i.kind.as_str() {
            "dm" => {
                *dms.entry(i.dm_type.clone().expect("a DM type"))
                    .or_default() += 1;
                assert!(i.content_id.is_none());
            }
            _ => {
                comments += 1;
                *sentiments
                    .entry(i.sentiment.clone().expect("a sentiment"))
                    .or_default() += 1;
            }
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
    let mut videos = 0;
    let mut dms = 0;
    let mut comments = 0;
    let days = 6;
    for seed in 20..20 + days {
        let events = harness(seed, "{}").advance(DAY);
        videos += contents(&events).len();
        dms += interactions(&events)
            .filter(|(_, i)| i.kind == "dm")
            .count();
        comments += interactions(&events)
            .filter(|(_, i)| i.kind != "dm")
            .count();
        let views: i64 = metrics(&events, "views").map(|(_, m)| m.delta).sum();
        let updates = metrics(&events, "views").count() as i64;
        assert!(views > 50 * updates, "{views} views in {updates} updates");
    }
    let per = |n: usize| n as f64 / days as f64;
    assert!((3.5..7.0).contains(&per(videos)), "{videos}");
    assert!((2.5..11.0).contains(&per(dms)), "{dms}");
    assert!((100.0..900.0).contains(&per(comments)), "{comments}");
}

#[test]
fn content_and_interactions_look_like_tiktok() {
    let mut h = harness(2, r#"{"followers": 200000}"#);
    let events = h.advance(2 * DAY);
    let handle = h.state().creator().handle.clone();
    assert!(handle.starts_with('@'));
    for (_, c) in contents(&events) {
        assert_eq!(c.kind, "video");
        assert!(c.id.len() == 19 && c.id.starts_with('7'), "{}", c.id);
        assert!(c.id.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(
            c.url,
            format!("https://www.tiktok.com/{handle}/video/{}", c.id)
        );
        assert!(c.text.contains('#'), "{}", c.text);
    }
    let comment_ids: BTreeSet<&str> = interactions(&events)
        .filter(|(_, i)| i.kind == "comment")
        .map(|(_, i)| i.id.as_str())
        .collect();
    let mut by_video: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut texts = Vec::new();
    let mut kinds = BTreeSet::new();
    for (_, i) in interactions(&events) {
        kinds.insert(i.kind.as_str());
        assert!(i.author.avatar_url.contains("tiktokcdn.example"));
        assert!(
            i.id.len() == 19 && i.id.bytes().all(|b| b.is_ascii_digit()),
            "{}",
            i.id
        );
        if i.kind == "dm" {
            continue;
        }
        if i.kind == "reply" {
            assert!(comment_ids.contains(i.parent_id.as_deref().unwrap()));
        }
        let fresh = by_video
            .entry(i.content_id.as_deref().unwrap())
            .or_default()
            .insert(i.text.as_str());
        assert!(fresh, "verbatim repeat under one video: {}", i.text);
        texts.push(i.text.as_str());
    }
    assert_eq!(kinds, BTreeSet::from(["comment", "reply", "dm"]));
    let n = texts.len().min(1000);
    assert_eq!(n, 1000);
    let distinct: BTreeSet<&&str> = texts[..n].iter().collect();
    assert_eq!(distinct.len(), n);
    let emoji = texts.iter().filter(|t| !t.is_ascii()).count() as f64 / texts.len() as f64;
    // Many TikTok comments carry emoji, not most (docs/text.md).
    assert!(emoji > 0.35, "{emoji}");
    let median_len = {
        let mut l: Vec<usize> = texts.iter().map(|t| t.chars().count()).collect();
        l.sort_unstable();
        l[l.len() / 2]
    };
    assert!(median_len < 45, "{median_len}");
    let followers: Vec<_> = metrics(&events, "followers").collect();
    assert!(followers.len() >= 6);
    assert!(followers.iter().all(|(_, m)| m.content_id.is_none()));
}

#[test]
fn publish_takes_only_videos() {
    let mut h = harness(1, "{}");
    let e = h.act("publish", r#"{"kind": "story"}"#).unwrap_err();
    assert!(
        matches!(&e, ActionError::Invalid(m) if m.contains("story")),
        "{e}"
    );
}

#[test]
fn describe_lists_the_contract() {
    let info = <TikTok as Platform>::describe();
    assert_eq!(info.name, "tiktok");
    assert_eq!(info.content_kinds, ["video"]);
    assert_eq!(
        info.interaction_kinds,
        [
            "comment",
            "reply",
            "dm",
            "offer",
            "subscribed",
            "purchase",
            "renewed",
            "cancelled"
        ]
    );
    assert_eq!(
        info.metrics,
        ["views", "likes", "comments", "shares", "followers"]
    );
    assert!(info.signals.iter().any(|s| s.name == "viral"));
    assert!(info
        .limits
        .iter()
        .any(|l| l.action == "publish" && l.max == VIDEO_LIMIT));
    let defaults: serde_json::Value = serde_json::from_str(&info.defaults_json()).unwrap();
    assert_eq!(defaults["videos_per_day"], 5.0);
}

#[test]
fn old_videos_leave_the_active_set() {
    let mut h = harness(8, "{}");
    h.advance(20 * DAY);
    let total = h.state().video_ids().count();
    assert!(total > 80, "{total}");
    assert!(
        h.state().active_videos() < total / 2,
        "{} of {total}",
        h.state().active_videos()
    );
}

#[test]
fn a_snapshot_from_before_the_kit_restores() {
    let mut h = harness(12, r#"{"followers": 300000}"#);
    h.advance(DAY);
    h.signal("growth", r#"{"followers": 400000}"#).unwrap();
    h.advance(HOUR);
    diorama_sdk::testing::restores_former_layout(
        &mut h,
        &[
            ("audience_count", "followers"),
            ("audience_reported", "followers_reported"),
            ("audience_gain", "follow_gain"),
            ("audience_loss", "follow_loss"),
            ("next_audience_report", "next_followers_metric"),
        ],
        &[],
    );
}

#[test]
fn creator_replies_continue_threads() {
    diorama_sdk::testing::creator_replies_continue_threads::<TikTok>(&FIGURES);
}
