//! Behaviour of the YouTube simulator, driven natively through the SDK's
//! harness. Statistical checks use fixed seeds.

use std::collections::{BTreeMap, BTreeSet};

use diorama_sdk::harness::Harness;
use diorama_sdk::models::time::{local_hour, parse_tz};
use diorama_sdk::testing::{contents, interactions, metrics, Figures};
use diorama_sdk::*;
use diorama_youtube::{YouTube, UPLOAD_LIMIT};

type H = Harness<YouTube>;

/// The behaviour every platform shows, at YouTube's figures.
const FIGURES: Figures = Figures {
    name: "youtube",
    niche: "tech",
    audience: "subscribers",
    untargeted: &["community"],
    events_per_day: 200,
    busy_audience: 300_000,
    viral_metric: "views",
    unscheduled: r#"{"uploads_per_day": 0}"#,
    publish: r#"{"title": "Surprise upload"}"#,
    publish_limit: UPLOAD_LIMIT,
    reply_limit: None,
    dms: false,
    // This platform's share of a 100k creator's normal day (ARCHITECTURE.md,
    // *Realism references*): ≈260 of the ≈500 comments and none of the DMs.
    comments_per_day: 180..360,
    dms_per_day: 0.0..0.5,
    state_bytes: 3 << 20,
    bad_params: &[
        (r#"{"subscribers": "lots"}"#, "subscribers"),
        (r#"{"uploads_per_day": 9}"#, "uploads_per_day"),
        (r#"{"comment_rate": -1}"#, "comment_rate"),
        (r#"{"like_rate": "x"}"#, "like_rate"),
        (r#"{"avg_views": -3}"#, "avg_views"),
        (r#"{"subscribers": 5, "followers": 3}"#, "followers"),
    ],
    nothing_published: "no video",
    controversy_peak_min: 2000,
};

diorama_sdk::behaviour_suite!(YouTube, FIGURES);

fn harness(seed: u64, params: &str) -> H {
    H::new(H::config(seed, "tech", params)).expect("valid config")
}

/// The last reported total of `name` for a video, at or before `until`.
fn total_at(events: &[Event], id: &str, name: &str, until: Millis) -> i64 {
    metrics(events, name)
        .filter(|(at, m)| m.content_id.as_deref() == Some(id) && *at <= until)
        .map(|(_, m)| m.total)
        .last()
        .unwrap_or(0)
}

#[test]
fn viral_spike_lifts_views_far_above_normal() {
    // The ready scenario's setting: 120k subscribers, the latest video goes
    // viral (×40, 30 min ramp, 8 h decay) six hours in; in UTC the spike
    // starts in the morning, in New York at 01:00, in the audience's trough.
    let viral = r#"{"factor": 40, "ramp": 1800000, "decay": 28800000}"#;
    for (seed, tz) in [
        (1, "UTC"),
        (2, "UTC"),
        (3, "UTC"),
        (4, "America/New_York"),
        (5, "America/New_York"),
        (6, "America/New_York"),
    ] {
        let mut cfg = H::config(seed, "tech", r#"{"subscribers": 120000}"#);
        cfg.timezone = tz.into();
        let mut with = H::new(cfg.clone()).unwrap();
        let mut without = H::new(cfg).unwrap();
        let mut ev_with = with.advance(6 * HOUR);
        let mut ev_without = without.advance(6 * HOUR);
        let video = contents(&ev_with)
            .iter()
            .rfind(|(_, c)| c.kind != "community")
            .map(|(_, c)| c.id.clone())
            .expect("a video by 6 h");
        with.signal("viral", viral).unwrap();
        ev_with.extend(with.advance(DAY));
        ev_without.extend(without.advance(DAY));
        let end = with.now();
        let v_with = total_at(&ev_with, &video, "views", end);
        let v_without = total_at(&ev_without, &video, "views", end);
        assert!(
            v_with > 500_000,
            "seed {seed}: {v_with} views with the spike"
        );
        // However well the video did on its own, the spike dwarfs it.
        assert!(
            v_with > 5 * v_without,
            "seed {seed}: {v_with} vs {v_without}"
        );
        // Likes and comments follow.
        let c_with = total_at(&ev_with, &video, "comments", end);
        let c_without = total_at(&ev_without, &video, "comments", end);
        assert!(
            c_with > 4 * c_without.max(1),
            "seed {seed}: {c_with} vs {c_without} comments"
        );
        assert!(total_at(&ev_with, &video, "likes", end) > 15_000);
    }
}

#[test]
fn a_typical_video_has_ten_to_twenty_thousand_views_after_a_day() {
    let mut h = harness(5, r#"{"subscribers": 120000}"#);
    let events = h.advance(10 * DAY);
    let mut after_a_day: Vec<i64> = contents(&events)
        .iter()
        .filter(|(at, c)| *at < h.now() - DAY && c.kind == "video")
        .map(|(at, c)| total_at(&events, &c.id, "views", at + DAY))
        .collect();
    assert!(after_a_day.len() >= 15, "{}", after_a_day.len());
    after_a_day.sort_unstable();
    let median = after_a_day[after_a_day.len() / 2];
    assert!(
        (8_000..25_000).contains(&median),
        "median {median} of {after_a_day:?}"
    );
    // Heavy tail: the best video far above the median.
    assert!(*after_a_day.last().unwrap() > 2 * median, "{after_a_day:?}");
}

#[test]
fn a_normal_day_on_100k_subscribers() {
    let mut days = Vec::new();
    for seed in 20..26 {
        let events = harness(seed, "{}").advance(DAY);
        let videos = contents(&events).len();
        let comments = interactions(&events).count();
        let views: i64 = metrics(&events, "views").map(|(_, m)| m.delta).sum();
        let updates = metrics(&events, "views").count() as i64;
        // Views travel as periodic metrics, never one event per view.
        assert!(views > 50 * updates, "{views} views in {updates} updates");
        days.push((videos, comments, views));
    }
    let videos: usize = days.iter().map(|d| d.0).sum();
    let comments: usize = days.iter().map(|d| d.1).sum();
    let views: i64 = days.iter().map(|d| d.2).sum();
    let per_day = comments as f64 / days.len() as f64;
    assert!(
        (2.0..4.5).contains(&(videos as f64 / days.len() as f64)),
        "{days:?}"
    );
    assert!((150.0..900.0).contains(&per_day), "{days:?}");
    let views_per_comment = views as f64 / comments as f64;
    assert!(
        (100.0..400.0).contains(&views_per_comment),
        "{views_per_comment}"
    );
}

#[test]
fn comment_delays_have_a_median_under_an_hour_and_a_long_tail() {
    let mut h = harness(9, r#"{"subscribers": 1000000}"#);
    let events = h.advance(4 * DAY);
    let published: BTreeMap<&str, Millis> = contents(&events)
        .into_iter()
        .filter(|(at, _)| *at < h.now() - 2 * DAY)
        .map(|(at, c)| (c.id.as_str(), at))
        .collect();
    let mut delays: Vec<Millis> = interactions(&events)
        .filter_map(|(at, i)| published.get(i.content_id.as_deref()?).map(|p| at - p))
        .collect();
    assert!(delays.len() > 2000, "{}", delays.len());
    delays.sort_unstable();
    let median = delays[delays.len() / 2] as f64 / MINUTE as f64;
    assert!((15.0..90.0).contains(&median), "median {median} min");
    let first_five =
        delays.iter().filter(|&&d| d <= 5 * MINUTE).count() as f64 / delays.len() as f64;
    assert!((0.08..0.35).contains(&first_five), "{first_five}");
    let late = delays.iter().filter(|&&d| d > 6 * HOUR).count() as f64 / delays.len() as f64;
    assert!(late > 0.08, "long tail: {late}");
    assert!(*delays.last().unwrap() > DAY);
}

#[test]
fn comments_follow_the_local_daily_rhythm() {
    let mut cfg = H::config(4, "music", r#"{"subscribers": 1000000}"#);
    cfg.timezone = "America/New_York".into();
    let mut h = H::new(cfg).unwrap();
    let events = h.advance(5 * DAY);
    let tz = parse_tz("America/New_York").unwrap();
    let mut by_hour = [0usize; 24];
    for (at, _) in interactions(&events) {
        by_hour[local_hour(at, tz) as usize] += 1;
    }
    let evening: usize = by_hour[15..23].iter().sum();
    let night: usize = by_hour[3..7].iter().sum();
    let evening_rate = evening as f64 / 8.0;
    let night_rate = night as f64 / 4.0;
    assert!(evening_rate > 2.5 * night_rate, "{by_hour:?}");
    // Scheduled uploads favour the local afternoon, never the dead of night.
    let hours: Vec<f64> = contents(&events)
        .iter()
        .skip(1)
        .map(|(at, _)| local_hour(*at, tz))
        .collect();
    let afternoon = hours.iter().filter(|h| (11.0..20.0).contains(*h)).count();
    assert!(
        hours.len() >= 10 && afternoon * 10 >= hours.len() * 6,
        "{hours:?}"
    );
    let night = hours.iter().filter(|h| (0.5..5.5).contains(*h)).count();
    assert!(night * 10 <= hours.len(), "{hours:?}");
}

#[test]
fn big_channels_scale_and_keep_the_sentiment_mix() {
    let mut h = harness(2, r#"{"subscribers": 20000000}"#);
    let events = h.advance(DAY);
    let mut counts = BTreeMap::new();
    let mut n = 0;
    for (_, i) in interactions(&events) {
        *counts
            .entry(i.sentiment.clone().unwrap_or_default())
            .or_insert(0usize) += 1;
        n += 1;
    }
    assert!(n >= 10_000, "{n}");
    for (s, want) in [("positive", 0.65), ("neutral", 0.25), ("negative", 0.10)] {
        let got = counts.get(s).copied().unwrap_or(0) as f64 / n as f64;
        assert!((got - want).abs() < 0.02, "{s}: {got}");
    }
    // Comments dominate; metrics are periodic.
    let metric_events = events.iter().filter(|e| e.type_name() == "metric").count();
    assert!(
        metric_events * 20 < n,
        "{metric_events} metrics vs {n} comments"
    );
    // Replies point at comments of the same video.
    let parents: BTreeMap<&str, Option<&str>> = interactions(&events)
        .filter(|(_, i)| i.kind == "comment")
        .map(|(_, i)| (i.id.as_str(), i.content_id.as_deref()))
        .collect();
    let replies: Vec<&Interaction> = interactions(&events)
        .filter(|(_, i)| i.kind == "reply")
        .map(|(_, i)| i)
        .collect();
    assert!(replies.len() > n / 20, "{}", replies.len());
    for r in replies {
        let parent = r.parent_id.as_deref().expect("a reply has a parent");
        assert!(r.id.starts_with(parent));
        assert_eq!(
            parents.get(parent).copied().flatten(),
            r.content_id.as_deref()
        );
    }
}

#[test]
fn content_and_interactions_look_like_youtube() {
    let events = harness(12, r#"{"subscribers": 250000}"#).advance(DAY);
    let videos = contents(&events);
    assert!(!videos.is_empty());
    let (first_at, first) = videos
        .iter()
        .find(|(_, c)| c.kind != "community")
        .copied()
        .expect("an upload");
    assert!(
        first_at < H::config(0, "", "").start + 4 * HOUR,
        "first video late"
    );
    for (_, c) in &videos {
        match c.kind.as_str() {
            "video" => {
                assert_eq!(c.id.len(), 11);
                assert_eq!(c.url, format!("https://www.youtube.com/watch?v={}", c.id));
                assert!(!c.title.is_empty());
            }
            "short" => {
                assert_eq!(c.id.len(), 11);
                assert_eq!(c.url, format!("https://www.youtube.com/shorts/{}", c.id));
                assert!(c.title.ends_with("#shorts"));
            }
            "community" => assert!(c.id.starts_with("Ugkx") && c.title.is_empty()),
            other => panic!("unexpected kind {other}"),
        }
        assert!(!c.text.is_empty());
    }
    let (_, i) = interactions(&events).next().expect("comments");
    assert_eq!(i.content_id.as_deref().map(str::len), Some(11));
    assert!(i.id.starts_with("Ug") && i.id.len() >= 26);
    assert!(i
        .author
        .avatar_url
        .starts_with("https://yt3.ggpht.example/"));
    assert!(i.author.handle.starts_with('@'));
    assert!(i.sentiment.is_some());
    // Metrics: per video, totals grow and deltas add up; updates at least
    // five minutes apart.
    let mut last: BTreeMap<&str, (Millis, i64)> = BTreeMap::new();
    for (at, m) in metrics(&events, "views") {
        let id = m.content_id.as_deref().expect("per-video metric");
        let (prev_at, prev) = last.get(id).copied().unwrap_or((Millis::MIN / 2, 0));
        assert_eq!(m.total - prev, m.delta);
        assert!(m.delta > 0);
        assert!(at - prev_at >= 5 * MINUTE, "updates too close");
        last.insert(id, (at, m.total));
    }
    assert!(last.contains_key(first.id.as_str()));
    let subs: Vec<&Metric> = metrics(&events, "subscribers").map(|(_, m)| m).collect();
    assert!((3..=7).contains(&subs.len()), "{}", subs.len());
    assert!(subs.iter().all(|m| m.content_id.is_none()));
    assert!(subs.last().unwrap().total > 250_000, "subscribers grow");
}

#[test]
fn publishing_is_rate_limited_to_six_a_day() {
    let mut h = harness(1, r#"{"uploads_per_day": 0}"#);
    for k in 0..6 {
        let ev = h
            .act(
                "publish",
                &format!(r#"{{"kind": "video", "title": "Part {k}"}}"#),
            )
            .unwrap();
        assert_eq!(ev.len(), 1);
        let Payload::Content(c) = &ev[0].payload else {
            panic!("not content")
        };
        assert_eq!(c.title, format!("Part {k}"));
        assert_eq!(ev[0].at, h.now());
        h.advance(HOUR);
    }
    let first = H::config(1, "", "").start;
    match h.act("publish", r#"{"title": "One too many"}"#) {
        Err(ActionError::RateLimited(ms)) => assert_eq!(ms, first + DAY - h.now()),
        other => panic!("expected a rate limit, got {other:?}"),
    }
    h.advance(18 * HOUR);
    assert!(h.act("publish", r#"{"title": "Next day"}"#).is_ok());
    assert!(matches!(
        h.act("publish", r#"{"kind": "reel", "title": "x"}"#),
        Err(ActionError::Invalid(_))
    ));
    // Shorts count as uploads, community posts do not.
    assert!(matches!(
        h.act("publish", r#"{"kind": "short", "title": "x"}"#),
        Err(ActionError::RateLimited(_))
    ));
    let ev = h
        .act(
            "publish",
            r#"{"kind": "community", "text": "Poll: what next?"}"#,
        )
        .unwrap();
    let Payload::Content(c) = &ev[0].payload else {
        panic!("not content")
    };
    assert_eq!(
        (c.kind.as_str(), c.text.as_str()),
        ("community", "Poll: what next?")
    );
    assert!(c.url.starts_with("https://www.youtube.com/post/Ugkx"));
    assert!(matches!(
        h.act("publish", r#"{"kind": "community"}"#),
        Err(ActionError::Invalid(m)) if m.contains("text")
    ));
    assert!(matches!(
        h.act("publish", r#"{"kind": "video"}"#),
        Err(ActionError::Invalid(_))
    ));
    assert!(
        matches!(h.act("livestream", "{}"), Err(ActionError::Invalid(m)) if m.contains("livestream"))
    );
    // Scheduled uploads count too: no schedule would exceed the limit.
    let events = harness(2, r#"{"uploads_per_day": 6}"#).advance(3 * DAY);
    let times: Vec<Millis> = contents(&events)
        .iter()
        .filter(|(_, c)| c.kind != "community")
        .map(|(at, _)| *at)
        .collect();
    for w in times.windows(7) {
        assert!(w[6] - w[0] >= DAY, "seven uploads within a day");
    }
}

#[test]
fn the_creator_replies_to_recent_comments() {
    let mut h = harness(3, "{}");
    let events = h.advance(12 * HOUR);
    let (_, c) = interactions(&events)
        .find(|(_, i)| i.kind == "comment")
        .expect("a comment");
    let reply = h
        .act(
            "reply",
            &format!(r#"{{"comment_id": "{}", "text": "thank you!"}}"#, c.id),
        )
        .unwrap();
    let Payload::Interaction(r) = &reply[0].payload else {
        panic!("not an interaction")
    };
    assert_eq!(r.kind, "reply");
    assert_eq!(r.parent_id.as_deref(), Some(c.id.as_str()));
    assert_eq!(r.content_id, c.content_id);
    assert_eq!(&r.author, h.state().creator());
    assert_eq!(r.text, "thank you!");
    // Replying to a reply answers in its thread.
    let again = h
        .act(
            "reply",
            &format!(r#"{{"comment_id": "{}", "text": "also"}}"#, r.id),
        )
        .unwrap();
    let Payload::Interaction(r2) = &again[0].payload else {
        panic!()
    };
    assert_eq!(r2.parent_id.as_deref(), Some(c.id.as_str()));
    for bad in [
        "UgzAAAAAAAAAAAAAAAAA4AaABAg",
        "Ugw000000000000000004AaABAg",
        "garbage",
    ] {
        let e = h.act(
            "reply",
            &format!(r#"{{"comment_id": "{bad}", "text": "hi"}}"#),
        );
        assert!(
            matches!(&e, Err(ActionError::NotFound(m)) if m.contains(bad)),
            "{e:?}"
        );
    }
    assert!(matches!(
        h.act("reply", &format!(r#"{{"comment_id": "{}"}}"#, c.id)),
        Err(ActionError::Invalid(_))
    ));
}

#[test]
fn describe_lists_the_contract() {
    let info = <YouTube as Platform>::describe();
    assert_eq!(info.name, "youtube");
    assert_eq!(info.content_kinds, ["video", "short", "community"]);
    assert_eq!(info.interaction_kinds, ["comment", "reply"]);
    assert_eq!(
        info.metrics,
        ["views", "likes", "comments", "comment_likes", "subscribers"]
    );
    let signals: Vec<&str> = info.signals.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        signals,
        [
            "viral",
            "shadowban",
            "health",
            "troll_wave",
            "controversy",
            "growth"
        ]
    );
    assert!(info
        .signals
        .iter()
        .all(|s| s.description.contains("ms") || s.description.contains("subscribers")));
    assert_eq!(
        info.actions,
        [
            "publish",
            "reply",
            "comment",
            "edit_comment",
            "moderate_comment",
            "delete_comment",
            "update_video",
            "delete_video",
            "rate",
            "like_comment",
            "pin_comment",
            "block_author"
        ]
    );
    assert_eq!(
        (
            info.limits[0].action.as_str(),
            info.limits[0].max,
            info.limits[0].per
        ),
        ("publish", 6, DAY)
    );
    let defaults: serde_json::Value = serde_json::from_str(&info.defaults_json()).unwrap();
    assert_eq!(defaults["subscribers"], 100_000);
    assert!(H::new(H::config(1, "tech", &info.defaults_json())).is_ok());
}

#[test]
fn old_videos_leave_the_active_set() {
    let mut h = harness(6, r#"{"subscribers": 2000, "uploads_per_day": 2}"#);
    h.advance(20 * DAY);
    let videos = h.state().video_ids().count();
    assert!(videos >= 30, "{videos}");
    assert!(
        h.state().active_videos() < videos / 2,
        "{} of {videos}",
        h.state().active_videos()
    );
}

/// Interactions on one upload in `[from, to)`.
fn on<'a>(events: &'a [Event], id: &'a str, from: Millis, to: Millis) -> Vec<&'a Interaction> {
    interactions(events)
        .filter(|(at, i)| (from..to).contains(at) && i.content_id.as_deref() == Some(id))
        .map(|(_, i)| i)
        .collect()
}

#[test]
fn shorts_and_community_posts_join_the_schedule() {
    let events = harness(3, "{}").advance(7 * DAY);
    let all = contents(&events);
    let count = |k: &str| all.iter().filter(|(_, c)| c.kind == k).count() as f64 / 7.0;
    let (videos, shorts, community) = (count("video"), count("short"), count("community"));
    assert!((1.4..2.8).contains(&videos), "{videos} videos a day");
    assert!((0.5..1.6).contains(&shorts), "{shorts} shorts a day");
    assert!(
        (0.1..0.8).contains(&community),
        "{community} community posts a day"
    );
    assert!(
        (2.3..3.7).contains(&(videos + shorts)),
        "{videos} + {shorts}"
    );
    // Per upload after a day: shorts draw more views and fewer comments
    // per view; community posts get likes and comments, no views.
    let end = events.last().map_or(0, |e| e.at);
    let stats = |kind: &str| {
        let mut views = Vec::new();
        let (mut v, mut c) = (0i64, 0usize);
        for (at, content) in all
            .iter()
            .filter(|(at, c)| c.kind == kind && *at < end - DAY)
        {
            let n = total_at(&events, &content.id, "views", at + DAY);
            views.push(n);
            v += n;
            c += on(&events, &content.id, *at, at + DAY).len();
        }
        views.sort_unstable();
        (views[views.len() / 2], c as f64 / v.max(1) as f64)
    };
    let (video_views, video_cpv) = stats("video");
    let (short_views, short_cpv) = stats("short");
    assert!(short_views > video_views, "{short_views} vs {video_views}");
    assert!(short_cpv < video_cpv / 2.0, "{short_cpv} vs {video_cpv}");
    for (_, c) in all.iter().filter(|(_, c)| c.kind == "community") {
        assert_eq!(total_at(&events, &c.id, "views", end), 0);
    }
    let liked = all
        .iter()
        .filter(|(_, c)| c.kind == "community")
        .any(|(_, c)| total_at(&events, &c.id, "likes", end) > 0);
    let commented = all
        .iter()
        .filter(|(_, c)| c.kind == "community")
        .any(|(_, c)| !on(&events, &c.id, 0, end + 1).is_empty());
    assert!(liked && commented);
}

#[test]
fn no_comment_repeats_verbatim_under_a_viral_video() {
    let mut h = harness(1, r#"{"subscribers": 300000}"#);
    let mut events = h.advance(6 * HOUR);
    let video = contents(&events)
        .iter()
        .rfind(|(_, c)| c.kind == "video")
        .map(|(_, c)| c.id.clone())
        .expect("a video");
    h.signal(
        "viral",
        &format!(r#"{{"factor": 40, "content_id": "{video}"}}"#),
    )
    .unwrap();
    events.extend(h.advance(DAY));
    let mut per_video: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (_, i) in interactions(&events) {
        if let Some(id) = i.content_id.as_deref() {
            per_video.entry(id).or_default().push(&i.text);
        }
    }
    let (_, texts) = per_video
        .iter()
        .max_by_key(|(_, t)| t.len())
        .expect("comments");
    assert!(texts.len() >= 10_000, "{}", texts.len());
    for texts in per_video.values() {
        let distinct: std::collections::BTreeSet<&&str> = texts.iter().collect();
        assert_eq!(distinct.len(), texts.len(), "a verbatim repeat");
    }
}

#[test]
fn top_comments_collect_skewed_likes_in_few_updates() {
    let mut h = harness(41, "{}");
    let events = h.advance(3 * DAY);
    let comments: BTreeSet<&str> = interactions(&events)
        .filter(|(_, i)| i.kind == "comment")
        .map(|(_, i)| i.id.as_str())
        .collect();
    let mut totals = BTreeMap::<&str, i64>::new();
    let mut updates = 0;
    for (_, m) in metrics(&events, "comment_likes") {
        let id = m.content_id.as_deref().expect("a comment id");
        assert!(comments.contains(id), "likes on an unknown comment {id}");
        let before = totals.insert(id, m.total).unwrap_or(0);
        assert!(m.delta != 0 && m.total == before + m.delta, "{m:?}");
        updates += 1;
    }
    // Some comments get likes, most none; the top few many more than the
    // typical liked one.
    assert!(totals.len() >= 10, "{} liked comments", totals.len());
    assert!(
        totals.len() * 4 < comments.len(),
        "{} of {}",
        totals.len(),
        comments.len()
    );
    let mut likes: Vec<i64> = totals.values().copied().collect();
    likes.sort_unstable();
    let (median, top) = (likes[likes.len() / 2], likes[likes.len() - 1]);
    assert!(
        top >= 50 && top > 5 * median.max(1),
        "median {median}, top {top}"
    );
    // Batched: comment-like updates stay a minority of the events.
    assert!(updates * 3 < events.len(), "{updates} of {}", events.len());
    assert!(
        updates < comments.len() * 2,
        "{updates} for {} comments",
        comments.len()
    );
    eprintln!(
        "{} comments, {} liked, median {median}, top {top}, {updates} updates of {} events",
        comments.len(),
        totals.len(),
        events.len()
    );
}

#[test]
fn more_reach_brings_more_comment_likes() {
    let top = |params: &str| {
        let events = harness(42, params).advance(2 * DAY);
        metrics(&events, "comment_likes")
            .map(|(_, m)| m.total)
            .max()
            .unwrap_or(0)
    };
    let (small, big) = (
        top(r#"{"subscribers": 20000}"#),
        top(r#"{"subscribers": 1000000}"#),
    );
    assert!(big > 5 * small.max(1), "{small} vs {big}");
}

#[test]
fn a_big_channels_viral_days_keep_the_state_bounded() {
    // A 5M channel with viral comment volume writes well over 100k comments
    // a day under a few dozen uploads at once. The store keeps the history;
    // the state keeps only what the channel needs to act, so its snapshot
    // stays small however long it runs (it grew by about 1.8 MB a day, past
    // the plugin's 64 MiB in a virtual month).
    let mut h = harness(1, r#"{"subscribers": 5000000, "comment_volume": "viral"}"#);
    let mut sizes = Vec::new();
    for _ in 0..8 {
        let events = h.advance(DAY);
        assert!(interactions(&events).count() > 50_000);
        sizes.push(serde_json::to_vec(h.state()).expect("serialises").len());
    }
    let (first, last) = (sizes[0], sizes[sizes.len() - 1]);
    assert!(last < 3 << 20, "{sizes:?}");
    assert!(last - first < 256 << 10, "{sizes:?}");
    h.snapshot_roundtrip().expect("the snapshot restores");
    assert!(!h.advance(HOUR).is_empty());
}

#[test]
fn a_snapshot_from_before_the_kit_restores() {
    let mut h = harness(12, r#"{"subscribers": 300000}"#);
    h.advance(DAY);
    h.signal("growth", r#"{"subscribers": 400000}"#).unwrap();
    h.advance(HOUR);
    diorama_sdk::testing::restores_former_layout(
        &mut h,
        &[
            ("audience_count", "subscribers"),
            ("audience_reported", "subs_reported"),
            ("audience_gain", "subs_gain"),
            ("audience_loss", "subs_loss"),
            ("next_audience_report", "next_subs_metric"),
        ],
        &["floods"],
    );
}
