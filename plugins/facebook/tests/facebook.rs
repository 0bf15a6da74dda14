//! Behaviour of the Facebook simulator, driven natively through the SDK's
//! harness. Statistical checks use fixed seeds.

use diorama_facebook::{Facebook, COMMENT_LIMIT, POST_LIMIT, REACTION_MIX};
use diorama_sdk::harness::Harness;
use diorama_sdk::testing::{contents, interactions, metrics, notices, Figures};
use diorama_sdk::*;

type H = Harness<Facebook>;

const FIGURES: Figures = Figures {
    name: "facebook",
    niche: "food",
    audience: "followers",
    untargeted: &[],
    events_per_day: 30,
    busy_audience: 30_000_000,
    viral_metric: "views",
    unscheduled: r#"{"posts_per_day": 0}"#,
    publish: r#"{"kind": "photo", "message": "new photo"}"#,
    publish_limit: POST_LIMIT,
    reply_limit: Some(COMMENT_LIMIT),
    dms: true,
    // Facebook is not one of the three platforms of the normal-day
    // reference; at 100k followers and one post a day a Page gets a few
    // dozen comments at most (0.06 % engagement, 12 % of it comments).
    comments_per_day: 2..40,
    dms_per_day: 5.0..11.0,
    state_bytes: 3 << 20,
    bad_params: &[
        (r#"{"followers": -1}"#, "followers"),
        (r#"{"posts_per_day": 99}"#, "posts_per_day"),
        (r#"{"engagement_rate": "lots"}"#, "engagement_rate"),
        (r#"{"subscribers": 10}"#, "subscribers"),
    ],
    nothing_published: "published nothing",
    controversy_peak_min: 100,
};

diorama_sdk::behaviour_suite!(Facebook, FIGURES);

fn harness(seed: u64, params: &str) -> H {
    H::new(H::config(seed, "food", params)).expect("valid config")
}

fn total_at(events: &[Event], id: &str, name: &str, until: Millis) -> i64 {
    metrics(events, name)
        .filter(|(at, m)| m.content_id.as_deref() == Some(id) && *at <= until)
        .map(|(_, m)| m.total)
        .last()
        .unwrap_or(0)
}

fn publish(h: &mut H, kind: &str) -> String {
    let events = h
        .act(
            "publish",
            &format!(r#"{{"kind": "{kind}", "message": "test {kind}"}}"#),
        )
        .expect("publish works");
    match &events[0].payload {
        Payload::Content(c) => c.id.clone(),
        other => panic!("publish gave {other:?}"),
    }
}

#[test]
fn median_engagement_is_near_rival_iqs_006_percent() {
    let followers = 100_000.0;
    let mut ratios = Vec::new();
    for seed in [1, 2, 3] {
        let mut h = harness(seed, r#"{"posts_per_day": 2}"#);
        let events = h.advance(21 * DAY);
        let end = h.now();
        for (at, c) in contents(&events) {
            if at > end - 5 * DAY {
                continue;
            }
            let engaged: i64 = ["reactions", "comments", "shares"]
                .iter()
                .map(|m| total_at(&events, &c.id, m, end))
                .sum();
            ratios.push(engaged as f64 / followers * 100.0);
        }
    }
    assert!(ratios.len() >= 60, "{}", ratios.len());
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    assert!(
        (0.035..0.1).contains(&median),
        "median {median} % of {ratios:?}"
    );
}

#[test]
fn reactions_split_by_type_as_quintly_found() {
    let mut h = harness(4, r#"{"followers": 2000000, "posts_per_day": 3}"#);
    let events = h.advance(10 * DAY);
    let end = h.now();
    let names = ["like", "love", "haha", "wow", "sad", "angry"];
    let mut by = [0i64; 6];
    for (_, c) in contents(&events) {
        for (i, n) in names.iter().enumerate() {
            by[i] += total_at(&events, &c.id, &format!("reactions_{n}"), end);
        }
        // The total is the sum of the types.
        let total = total_at(&events, &c.id, "reactions", end);
        let sum: i64 = names
            .iter()
            .map(|n| total_at(&events, &c.id, &format!("reactions_{n}"), end))
            .sum();
        assert_eq!(total, sum, "{}", c.id);
    }
    let all: i64 = by.iter().sum();
    assert!(all > 20_000, "{all}");
    for (i, share) in REACTION_MIX.iter().enumerate() {
        let seen = by[i] as f64 / all as f64;
        assert!(
            (seen - share).abs() < share * 0.25 + 0.001,
            "{}: {seen} vs {share} ({by:?})",
            names[i]
        );
    }
}

#[test]
fn an_angry_wave_piles_angry_reactions_on_its_post() {
    let mut h = harness(5, r#"{"posts_per_day": 0}"#);
    h.advance(HOUR);
    let id = publish(&mut h, "post");
    h.advance(2 * HOUR);
    h.signal(
        "angry_wave",
        &format!(r#"{{"content_id": "{id}", "size": 3000, "duration": 7200000}}"#),
    )
    .unwrap();
    let events = h.advance(6 * HOUR);
    let angry = total_at(&events, &id, "reactions_angry", h.now());
    assert!((3_000..3_200).contains(&angry), "{angry}");
    let like = total_at(&events, &id, "reactions_like", h.now());
    assert!(angry > like, "{angry} angry, {like} like");
    let e = h.signal("angry_wave", r#"{"size": 0.5}"#).unwrap_err();
    assert!(e.contains("`size`"), "{e}");
}

#[test]
fn a_comment_storm_multiplies_comments_on_its_post() {
    let count = |storm: bool| {
        let mut h = harness(6, r#"{"posts_per_day": 0, "followers": 500000}"#);
        h.advance(HOUR);
        let id = publish(&mut h, "photo");
        if storm {
            h.signal("comment_storm", r#"{"factor": 10, "duration": 21600000}"#)
                .unwrap();
        }
        let events = h.advance(6 * HOUR);
        interactions(&events)
            .filter(|(_, i)| i.kind == "comment" && i.content_id.as_deref() == Some(id.as_str()))
            .count()
    };
    let (calm, storm) = (count(false), count(true));
    assert!(storm > calm * 4 && storm > 50, "{calm} vs {storm}");
}

#[test]
fn a_restriction_stops_publishing_and_cuts_reach_until_it_lifts() {
    let mut h = harness(7, r#"{"posts_per_day": 3}"#);
    h.advance(DAY);
    h.signal("restriction", r#"{"duration": 172800000, "depth": 0.9}"#)
        .unwrap();
    let mut during = h.advance(DAY);
    let e = h.act("publish", r#"{"kind": "post"}"#).unwrap_err();
    assert!(
        matches!(e, ActionError::Invalid(ref m) if m.contains("restricted")),
        "{e:?}"
    );
    during.extend(h.advance(DAY - MINUTE));
    assert_eq!(contents(&during).len(), 0, "published while restricted");
    let codes: Vec<String> = notices(&during).map(|(_, n)| n.code.clone()).collect();
    assert!(codes.contains(&"page_restricted".to_string()), "{codes:?}");
    let after = h.advance(2 * DAY);
    let codes: Vec<String> = notices(&after).map(|(_, n)| n.code.clone()).collect();
    assert!(
        codes.contains(&"page_restriction_lifted".to_string()),
        "{codes:?}"
    );
    assert!(!contents(&after).is_empty());
    h.act("publish", r#"{"kind": "post"}"#)
        .expect("publishing is back");
}

#[test]
fn the_page_answers_messages_only_within_24_hours() {
    let mut h = harness(8, r#"{"dm_rate": 200}"#);
    let events = h.advance(2 * HOUR);
    let (_, dm) = interactions(&events)
        .find(|(_, i)| i.kind == "dm")
        .expect("a message");
    let id = dm.id.clone();
    assert!(id.starts_with("m_"), "{id}");
    h.act(
        "dm_reply",
        &format!(r#"{{"dm_id": "{id}", "text": "thanks!"}}"#),
    )
    .expect("an answer within the window");
    h.advance(DAY);
    let e = h
        .act(
            "dm_reply",
            &format!(r#"{{"dm_id": "{id}", "text": "late"}}"#),
        )
        .unwrap_err();
    assert!(
        matches!(e, ActionError::Invalid(ref m) if m.contains("24-hour")),
        "{e:?}"
    );
}

#[test]
fn creator_replies_continue_threads() {
    diorama_sdk::testing::creator_replies_continue_threads::<Facebook>(&FIGURES);
}
