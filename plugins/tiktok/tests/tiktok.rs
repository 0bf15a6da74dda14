//! Behaviour of the TikTok simulator, driven natively through the SDK's
//! harness. Statistical checks use fixed seeds.

use std::collections::{BTreeMap, BTreeSet};

use diorama_sdk::harness::Harness;
use diorama_sdk::models::text::DmType;
use diorama_sdk::models::time::{local_hour, parse_tz};
use diorama_sdk::testing::{contents, interactions, metrics};
use diorama_sdk::*;
use diorama_tiktok::{TikTok, COMMENT_LIMIT, VIDEO_LIMIT};

type H = Harness<TikTok>;

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
fn same_config_same_events_other_seed_other_events() {
    let a = harness(7, "{}").advance(DAY);
    let b = harness(7, "{}").advance(DAY);
    assert!(a.len() > 200, "{}", a.len());
    assert_eq!(a, b);
    let c = harness(8, "{}").advance(DAY);
    assert_ne!(a, c);
    let mut cfg = H::config(7, "comedy", "{}");
    cfg.profile = "p2".into();
    assert_ne!(a, H::new(cfg).unwrap().advance(DAY));
}

#[test]
fn events_fall_inside_their_window_whatever_the_window() {
    for window in [SECOND * 20, 7 * MINUTE + 30 * SECOND, HOUR, 5 * HOUR] {
        let cfg = H::config(3, "music", r#"{"followers": 300000}"#);
        let mut tt = <TikTok as Platform>::init(&cfg).unwrap();
        let mut from = cfg.start;
        let mut n = 0;
        while from < cfg.start + 2 * DAY {
            let to = from + window;
            let mut out = Vec::new();
            tt.step(from, to, &mut out);
            for e in &out {
                assert!(e.at >= from && e.at < to, "window {window}: {}", e.at);
            }
            n += out.len();
            from = to;
        }
        assert!(n > 1000, "window {window}: only {n} events");
    }
}

#[test]
fn snapshot_and_restore_continue_identically() {
    let run = |split: bool| {
        let mut h = harness(11, r#"{"followers": 200000}"#);
        let mut events = h.advance(6 * HOUR);
        h.signal("viral", r#"{"factor": 8}"#).unwrap();
        h.signal("shadowban", r#"{"factor": 0.5, "duration": 7200000}"#)
            .unwrap();
        events.extend(h.act("publish", r#"{"caption": "part 2"}"#).unwrap());
        events.extend(h.advance(DAY - 6 * HOUR));
        if split {
            h.snapshot_roundtrip().unwrap();
        }
        events.extend(h.advance(DAY));
        (events, h.state().video_ids().count())
    };
    let (straight, videos) = run(false);
    let (restored, _) = run(true);
    assert!(videos >= 6, "{videos}");
    assert!(straight.len() > 1000, "{}", straight.len());
    assert!(straight == restored, "a restored simulator diverged");
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
    let events = h.advance(8 * DAY);
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
fn viral_raises_a_videos_views_many_fold() {
    for seed in 1..=4 {
        let cfg = H::config(seed, "gaming", "{}");
        let mut with = H::new(cfg.clone()).unwrap();
        let mut without = H::new(cfg).unwrap();
        let mut ev_with = with.advance(DAY);
        let mut ev_without = without.advance(DAY);
        let video = contents(&ev_with)
            .last()
            .map(|(_, c)| c.id.clone())
            .expect("a video by a day");
        with.signal("viral", r#"{"factor": 30}"#).unwrap();
        ev_with.extend(with.advance(2 * DAY));
        ev_without.extend(without.advance(2 * DAY));
        let end = with.now();
        for (metric, times) in [("views", 5), ("likes", 5), ("shares", 5), ("comments", 3)] {
            let w = total_at(&ev_with, &video, metric, end);
            let wo = total_at(&ev_without, &video, metric, end);
            assert!(w > times * wo.max(1), "seed {seed} {metric}: {w} vs {wo}");
        }
    }
}

#[test]
fn shadowban_collapses_reach_then_it_recovers() {
    let count = |ban: bool| {
        let mut h = harness(4, r#"{"followers": 300000}"#);
        h.advance(2 * DAY);
        if ban {
            h.signal("shadowban", r#"{"factor": 0.05, "duration": 172800000}"#)
                .unwrap();
        }
        let during = h.advance(2 * DAY);
        h.advance(DAY);
        let after = h.advance(2 * DAY);
        let c = |ev: &[Event]| interactions(ev).filter(|(_, i)| i.kind != "dm").count();
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
    assert!(emoji > 0.6, "{emoji}");
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
fn comments_follow_the_local_daily_rhythm() {
    let mut cfg = H::config(4, "music", r#"{"followers": 500000}"#);
    cfg.timezone = "Asia/Tokyo".into();
    let mut h = H::new(cfg).unwrap();
    let events = h.advance(4 * DAY);
    let tz = parse_tz("Asia/Tokyo").unwrap();
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
        (r#"{"videos_per_day": 50}"#, "videos_per_day"),
        (r#"{"share_rate": "lots"}"#, "share_rate"),
        (r#"{"subscribers": 10}"#, "subscribers"),
    ] {
        let e = H::new(H::config(1, "comedy", json))
            .err()
            .expect("an error");
        assert!(
            e.contains("tiktok") && e.contains(&format!("`{field}`")),
            "{e}"
        );
    }
    let mut h = harness(1, "{}");
    let e = h.signal("viral", "{}").unwrap_err();
    assert!(e.contains("no video"), "{e}");
    h.advance(DAY);
    let e = h.signal("story_boost", "{}").unwrap_err();
    assert!(e.contains("tiktok") && e.contains("`story_boost`"), "{e}");
    let e = h.signal("viral", r#"{"ramp": -5}"#).unwrap_err();
    assert!(e.contains("`ramp`"), "{e}");
    let e = h.signal("viral", r#"{"content_id": "nope"}"#).unwrap_err();
    assert!(e.contains("nope"), "{e}");
    assert!(h.signal("viral", "{}").is_ok());
    let e = h.act("duet", "{}").unwrap_err();
    assert!(
        matches!(&e, ActionError::Invalid(m) if m.contains("`duet`")),
        "{e}"
    );
    let e = h.act("publish", r#"{"kind": "story"}"#).unwrap_err();
    assert!(
        matches!(&e, ActionError::Invalid(m) if m.contains("story")),
        "{e}"
    );
}

#[test]
fn publishing_is_rate_limited() {
    let mut h = harness(3, r#"{"videos_per_day": 0}"#);
    h.advance(HOUR);
    for i in 0..VIDEO_LIMIT {
        let ev = h
            .act("publish", &format!(r#"{{"caption": "part {i}"}}"#))
            .unwrap();
        assert_eq!(ev[0].kind(), "video");
        h.advance(MINUTE);
    }
    match h.act("publish", "{}") {
        Err(ActionError::RateLimited(wait)) => {
            assert!(wait > 0 && wait <= DAY, "{wait}");
            h.advance(wait);
        }
        other => panic!("expected a rate limit, got {other:?}"),
    }
    assert!(h.act("publish", "{}").is_ok());
}

#[test]
fn the_creator_replies_to_comments_and_dms() {
    let mut h = harness(6, "{}");
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
            &format!(r#"{{"comment_id": "{}", "text": "thanks!"}}"#, comment.id),
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
            &format!(r#"{{"dm_id": "{}", "text": "hi"}}"#, dm.id),
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
        h.act("dm_reply", r#"{"dm_id": "123", "text": "x"}"#),
        Err(ActionError::NotFound(_))
    ));
    let mut limited = false;
    for _ in 0..COMMENT_LIMIT + 5 {
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
    let info = <TikTok as Platform>::describe();
    assert_eq!(info.name, "tiktok");
    assert_eq!(info.content_kinds, ["video"]);
    assert_eq!(info.interaction_kinds, ["comment", "reply", "dm"]);
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
/// TikTok: ≈210 of the ≈500 comments and ≈8 of the ≈20 DMs.
#[test]
fn medium_volume_at_100k_gives_this_platforms_share_of_a_normal_day() {
    let (comments, dms) = daily_volume(r#"{"comment_volume": "medium"}"#, 20);
    assert_eq!((comments, dms), daily_volume("{}", 20));
    assert!((140..300).contains(&comments), "{comments} comments a day");
    assert!((5.5..10.5).contains(&dms), "{dms} DMs a day");
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
    for _ in 0..4 {
        h.advance(DAY);
        sizes.push(serde_json::to_vec(h.state()).expect("serialises").len());
    }
    assert!(sizes.iter().all(|&s| s < 5 << 19), "{sizes:?}");
    h.snapshot_roundtrip().expect("the snapshot restores");
    assert!(!h.advance(HOUR).is_empty());
}
