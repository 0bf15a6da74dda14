use super::*;

const HOUR: i64 = 3_600_000;
/// 2026-01-05 00:00 UTC.
const T0: i64 = 1_767_571_200_000;

fn write(dir: &Path, lines: &[serde_json::Value]) {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.join("events.jsonl"), text).unwrap();
    std::fs::write(
        dir.join("report.json"),
        serde_json::json!({
            "seed": 3, "start": "a", "end": "b",
            "profiles": [{ "name": "p", "timezone": "Europe/Paris" }]
        })
        .to_string(),
    )
    .unwrap();
}

fn comment(at: i64, content: &str, text: &str, sentiment: &str) -> serde_json::Value {
    serde_json::json!({ "at": at, "profile": "p", "platform": "yt", "type": "interaction",
        "kind": "comment", "content_id": content, "text": text, "sentiment": sentiment })
}

#[test]
fn figures_are_exact_on_a_small_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = vec![
        serde_json::json!({ "at": T0, "profile": "p", "platform": "yt", "type": "metric",
            "kind": "subscribers", "total": 1000 }),
        serde_json::json!({ "at": T0, "profile": "p", "platform": "yt", "type": "content",
            "kind": "video", "id": "v1" }),
        serde_json::json!({ "at": T0, "profile": "p", "platform": "yt", "type": "content",
            "kind": "video", "id": "v2" }),
    ];
    // v1: four comments, 10 min, 1 h, 2 h and 7 h after publishing (Paris is UTC+1).
    lines.push(comment(
        T0 + HOUR / 6,
        "v1",
        "great video, thank you",
        "positive",
    ));
    lines.push(comment(
        T0 + HOUR,
        "v1",
        "great video, thank you",
        "positive",
    ));
    lines.push(comment(
        T0 + 2 * HOUR,
        "v1",
        "why would you do that?",
        "neutral",
    ));
    lines.push(comment(T0 + 7 * HOUR, "v2", "W", "negative"));
    lines.push(
        serde_json::json!({ "at": T0 + HOUR, "profile": "p", "platform": "yt",
        "type": "interaction", "kind": "dm", "text": "hi", "dm_type": "fan" }),
    );
    for (id, views, likes) in [("v1", 900, 40), ("v2", 100, 5)] {
        lines.push(
            serde_json::json!({ "at": T0 + 8 * HOUR, "profile": "p", "platform": "yt",
            "type": "metric", "kind": "views", "content_id": id, "total": views }),
        );
        lines.push(
            serde_json::json!({ "at": T0 + 8 * HOUR, "profile": "p", "platform": "yt",
            "type": "metric", "kind": "likes", "content_id": id, "total": likes }),
        );
    }
    write(dir.path(), &lines);
    let st = compute(dir.path()).unwrap();
    assert_eq!(st.events, 12);
    assert_eq!(st.seed, Some(3));
    assert_eq!(st.interactions["yt"]["comment"], 4);
    assert_eq!(st.interactions["yt"]["dm"], 1);
    assert_eq!(st.sentiment[0].count, 2);
    assert_eq!(st.sentiment[0].share, 0.5);
    assert_eq!(st.dm_types[0].name, "fan");
    assert_eq!(st.dm_types[0].share, 1.0);
    assert_eq!(st.uniqueness.comments, 4);
    // "W" is a short reaction, set aside; the three longer comments hold
    // two texts.
    assert_eq!(st.uniqueness.reactions, 1);
    assert_eq!(st.uniqueness.distinct, 2);
    assert_eq!(st.uniqueness.repeats_under_same_post, 1);
    // Local hours in Paris: 01, 02, 03, 08.
    assert_eq!(st.hours.histogram[1], 1);
    assert_eq!(st.hours.histogram[2], 1);
    assert_eq!(st.hours.histogram[3], 1);
    assert_eq!(st.hours.histogram[8], 1);
    assert_eq!(st.hours.share_03_07, 0.25);
    // The day's shape: Paris read from report.json; four hours at one
    // comment each, the first busiest; nothing at 05-07, so no ratio.
    let shape = &st.hours.shape;
    assert_eq!(shape.zones["p"], "Europe/Paris");
    assert_eq!((shape.busiest_hour, shape.busiest_share), (1, 0.25));
    assert_eq!((shape.trough_per_hour, shape.ratio), (0.0, None));
    assert!(!shape.within_tolerance);
    assert_eq!(st.delays.count, 4);
    // Sorted delays 10, 60, 120, 420 minutes; the median picks index 2 (round(1.5)).
    assert_eq!(st.delays.quantiles_minutes[2], (0.5, 120.0));
    assert_eq!(st.delays.after_6_hours, 0.25);
    assert_eq!(st.views[0].posts, 2);
    assert_eq!(st.views[0].max, 900);
    assert_eq!(st.views[0].top_decile_share, 0.9);
    // Four comments (three on v1, one on v2) over 1,000 views.
    assert_eq!(st.views[0].comments_per_1000_views, 4.0);
    // Engagement: v1 (40 + 3 comments) / 1000, v2 (5 + 1) / 1000; median = lower middle.
    assert_eq!(st.engagement[0].posts, 2);
    assert_eq!(st.uniqueness.first_1000_distinct, 2);
    assert!((st.uniqueness.first_10000_distinct_share - 2.0 / 3.0).abs() < 1e-12);
    assert!((st.engagement[0].median - 0.006).abs() < 1e-12);
    let text = render(&st, "out");
    assert!(text.contains("positive"), "{text}");
    assert!(text.contains("1 repeated under the same post"), "{text}");
    assert!(text.contains("timezones: p Europe/Paris"), "{text}");
    assert!(
        text.contains("busiest hour 01:00 holds 25.0 % (reference 6.5 %)"),
        "{text}"
    );
}

#[test]
fn a_profile_report_json_does_not_name_is_read_in_utc() {
    let dir = tempfile::tempdir().unwrap();
    // Two comments at 05:30 and 20:30 UTC by a profile the report omits.
    let lines: Vec<serde_json::Value> = [5, 20, 20, 20]
        .iter()
        .map(|h| {
            let mut c = comment(T0 + h * HOUR + HOUR / 2, "v", "hello there", "positive");
            c["profile"] = "other".into();
            c
        })
        .collect();
    write(dir.path(), &lines);
    let st = compute(dir.path()).unwrap();
    let shape = &st.hours.shape;
    assert_eq!(shape.zones["other"], "UTC");
    assert_eq!((shape.busiest_hour, shape.busiest_share), (20, 0.75));
    assert_eq!(shape.trough_per_hour, 0.125);
    assert_eq!(shape.ratio, Some(6.0));
    assert!(
        !shape.within_tolerance,
        "75 % in one hour is far too peaked"
    );
}

#[test]
fn reactions_and_forwards_count_as_likes_and_shares() {
    // A channel post as Telegram reports it: views, reactions, forwards and
    // comments, no likes or shares.
    let dir = tempfile::tempdir().unwrap();
    let mut lines = vec![
        serde_json::json!({ "at": T0, "profile": "p", "platform": "tg", "type": "metric",
            "kind": "subscribers", "total": 10_000 }),
        serde_json::json!({ "at": T0, "profile": "p", "platform": "tg", "type": "content",
            "kind": "post", "id": "1" }),
    ];
    for (kind, total) in [
        ("views", 3000),
        ("reactions", 60),
        ("forwards", 25),
        ("comments", 15),
    ] {
        lines.push(
            serde_json::json!({ "at": T0 + HOUR, "profile": "p", "platform": "tg",
            "type": "metric", "kind": kind, "content_id": "1", "total": total }),
        );
    }
    write(dir.path(), &lines);
    let st = compute(dir.path()).unwrap();
    assert_eq!(st.engagement.len(), 1);
    assert_eq!(st.engagement[0].posts, 1);
    // (60 + 15 + 25) / 10,000.
    assert!(
        (st.engagement[0].median - 0.01).abs() < 1e-12,
        "{}",
        st.engagement[0].median
    );
}

#[test]
fn a_bad_line_is_named_with_its_number() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("events.jsonl"), "{\"at\": 1}\nnot json\n").unwrap();
    let err = compute(dir.path()).unwrap_err().to_string();
    assert!(err.contains("events.jsonl:1:"), "{err}");
}

#[test]
fn a_folder_without_events_says_what_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let err = compute(dir.path()).unwrap_err().to_string();
    assert!(err.contains("diorama run --out"), "{err}");
}

fn said(at: i64, kind: &str, id: &str, parent: Option<&str>, author: &str) -> serde_json::Value {
    serde_json::json!({ "at": at, "profile": "p", "platform": "ig", "type": "interaction",
        "kind": kind, "id": id, "parent_id": parent, "author": { "id": author, "handle": author } })
}

fn paid(
    at: i64,
    kind: &str,
    id: &str,
    offer: &str,
    author: &str,
    price: i64,
    billing: &str,
) -> serde_json::Value {
    let mut v = said(at, kind, id, Some(offer), author);
    v["text"] = serde_json::Value::String(format!(
        r#"{{"tier":"member","price":{price},"currency":"USD","billing":"{billing}"}}"#
    ));
    v
}

#[test]
fn funnel_figures_are_exact_on_a_small_log() {
    const DAY: i64 = 24 * HOUR;
    let dir = tempfile::tempdir().unwrap();
    let mut lines = vec![
        serde_json::json!({ "at": T0, "profile": "p", "platform": "ig", "type": "metric",
            "kind": "followers", "total": 1000 }),
    ];
    // Four commenters; three write DMs; the creator answers two (10 and 30
    // minutes later) and offers to both; one subscribes, renews once, then
    // cancels; the other buys once; the creator's own reply is no one's.
    for (i, a) in ["a", "b", "c", "d"].iter().enumerate() {
        let mut c = comment(T0 + i as i64, "v", "nice one there friend", "positive");
        c["platform"] = "ig".into();
        c["author"] = serde_json::json!({ "id": a, "handle": a });
        lines.push(c);
    }
    let mut own = comment(T0 + 9, "v", "thanks all of you here", "positive");
    own["platform"] = "ig".into();
    own["sentiment"] = serde_json::Value::Null;
    own["kind"] = "reply".into();
    lines.push(own);
    for (i, a) in ["a", "b", "c"].iter().enumerate() {
        let mut d = said(T0 + HOUR, "dm", &format!("d{i}"), None, a);
        d["dm_type"] = "fan".into();
        lines.push(d);
    }
    lines.push(said(T0 + HOUR + HOUR / 6, "dm", "r0", Some("d0"), "me"));
    lines.push(said(T0 + HOUR + HOUR / 2, "dm", "r1", Some("d1"), "me"));
    lines.push(said(T0 + 2 * HOUR, "offer", "o0", Some("d0"), "me"));
    lines.push(said(T0 + 2 * HOUR, "offer", "o1", Some("d1"), "me"));
    lines.push(paid(
        T0 + 3 * HOUR,
        "subscribed",
        "s0",
        "o0",
        "a",
        500,
        "monthly",
    ));
    lines.push(paid(
        T0 + 3 * HOUR,
        "purchase",
        "s1",
        "o1",
        "b",
        2000,
        "once",
    ));
    lines.push(paid(
        T0 + 30 * DAY + 3 * HOUR,
        "renewed",
        "s2",
        "o0",
        "a",
        500,
        "monthly",
    ));
    lines.push(paid(
        T0 + 60 * DAY + 3 * HOUR,
        "cancelled",
        "s3",
        "o0",
        "a",
        500,
        "monthly",
    ));
    write(dir.path(), &lines);
    let st = compute(dir.path()).unwrap();
    let f = &st.funnel;
    assert_eq!(f.platforms.len(), 1);
    let ig = &f.platforms[0];
    let counts: Vec<(&str, u64)> = ig.stages.iter().map(|s| (s.stage, s.count)).collect();
    assert_eq!(
        counts,
        [
            ("follower", 1000),
            ("engaged", 4),
            ("dm", 3),
            ("lead", 2),
            ("customer", 2),
            ("churned", 1)
        ]
    );
    let conv: Vec<Option<f64>> = ig.stages.iter().map(|s| s.conversion).collect();
    assert_eq!(
        conv,
        [
            None,
            Some(0.004),
            Some(0.75),
            Some(2.0 / 3.0),
            Some(1.0),
            Some(1.0)
        ]
    );
    assert_eq!((ig.offers, ig.offer_conversion), (2, Some(1.0)));
    assert_eq!((ig.subscribers, ig.buyers), (1, 1));
    assert_eq!(ig.median_first_answer_minutes, Some(30.0));
    assert_eq!(
        (ig.renewals, ig.cancellations, ig.monthly_churn),
        (1, 1, Some(0.5))
    );
    assert_eq!(ig.active_subscriptions, 0);
    assert_eq!(ig.money.len(), 1);
    let usd = &ig.money[0];
    // 500 + 2000 + 500 paid; nothing running at the end; LTV = 500 / 0.5.
    assert_eq!(
        (usd.currency.as_str(), usd.revenue, usd.mrr, usd.ltv),
        ("USD", 3000, 0, Some(1000.0))
    );
    let days: Vec<(&str, u64, u64, u64)> = f
        .days
        .iter()
        .map(|d| {
            (
                d.day.as_str(),
                d.offers,
                d.subscribed + d.purchases,
                d.renewed + d.cancelled,
            )
        })
        .collect();
    assert_eq!(
        days,
        [
            ("2026-01-05", 2, 2, 0),
            ("2026-02-04", 0, 0, 1),
            ("2026-03-06", 0, 0, 1)
        ]
    );
    assert_eq!(f.days[0].revenue["USD"], 2500);
    let csv = funnel::csv(f);
    assert!(csv.contains("platform,ig,,revenue_USD,3000\n"), "{csv}");
    assert!(csv.contains("day,ig,2026-02-04,renewed,1\n"), "{csv}");
    assert!(csv.contains("platform,ig,,ltv_USD,1000.000000\n"), "{csv}");
    let text = render(&st, "run");
    assert!(
        text.contains("USD: revenue 30.00, MRR 0.00, LTV 10.00"),
        "{text}"
    );
}
