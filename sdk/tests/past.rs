//! A coarser past (the kit's `past` signal), on the built-in platforms
//! stepped natively as the host steps a profile's past: comments keep their
//! own times, metrics add up and come at most daily, the same seed gives
//! the same past, and an account whose past is over steps exactly as one
//! that never had one.

use std::collections::BTreeMap;

use diorama_instagram::Instagram;
use diorama_sdk::harness::Harness;
use diorama_sdk::kit::signals::PAST;
use diorama_sdk::{Event, Payload, Platform, DAY, HOUR};
use diorama_tiktok::TikTok;
use diorama_youtube::YouTube;

const DAYS: i64 = 10;

/// Each post's metric reports by name: (time, total, delta).
type Series = BTreeMap<(String, String), Vec<(i64, i64, i64)>>;

/// `DAYS` days of a past stepped in hour windows, then one hour of the
/// present stepped minute by minute; (the past's events, the present's).
fn past_then_present<P: Platform>(params: &str, seed: u64) -> (Vec<Event>, Vec<Event>) {
    let config = Harness::<P>::config(seed, "tech", params);
    let until = config.start + DAYS * DAY;
    let mut h = Harness::<P>::new(config).unwrap().with_window(HOUR);
    h.signal(PAST, &format!(r#"{{"until": {until}}}"#)).unwrap();
    let past = h.advance(DAYS * DAY);
    let mut h = h.with_window(diorama_sdk::MINUTE);
    let present = h.advance(HOUR);
    (past, present)
}

fn check<P: Platform>(platform: &str, params: &str) {
    let (past, present) = past_then_present::<P>(params, 7);
    let start = Harness::<P>::config(7, "tech", params).start;
    let until = start + DAYS * DAY;
    assert!(past.iter().all(|e| (start..until).contains(&e.at)));
    assert!(
        past.windows(2).all(|w| w[0].at <= w[1].at),
        "{platform}: in time order"
    );

    // Comments at their own times, not on the hour steps.
    let comments: Vec<&Event> = past
        .iter()
        .filter(|e| matches!(&e.payload, Payload::Interaction(i) if i.content_id.is_some()))
        .collect();
    assert!(
        comments.len() > 300,
        "{platform}: {} comments",
        comments.len()
    );
    let minutes: std::collections::BTreeSet<i64> =
        comments.iter().map(|e| e.at % HOUR / 60_000).collect();
    assert!(
        minutes.len() > 50,
        "{platform}: comments at {} minutes of the hour",
        minutes.len()
    );

    // Every post's metrics add up, and come at most daily (plus the last
    // report of a post that goes quiet).
    let mut series: Series = BTreeMap::new();
    for e in past.iter().chain(&present) {
        if let Payload::Metric(m) = &e.payload {
            if let Some(id) = &m.content_id {
                series
                    .entry((id.clone(), m.name.clone()))
                    .or_default()
                    .push((e.at, m.total, m.delta));
            }
        }
    }
    assert!(!series.is_empty(), "{platform}: metrics in the past");
    for ((id, name), points) in &series {
        let sum: i64 = points.iter().map(|p| p.2).sum();
        assert_eq!(
            sum,
            points.last().unwrap().1,
            "{platform} {id} {name}: deltas add up"
        );
        let in_past = points.iter().filter(|p| p.0 < until).count() as i64;
        if name != "comment_likes" {
            assert!(
                in_past <= DAYS + 2,
                "{platform} {id} {name}: {in_past} reports in {DAYS} days"
            );
        }
    }
    // The posts still running report their totals as the present begins.
    assert!(
        present
            .iter()
            .any(|e| e.at == until && e.type_name() == "metric"),
        "{platform}: totals at the past's end"
    );

    // The same seed, the same past.
    assert_eq!(past_then_present::<P>(params, 7).0, past, "{platform}");
}

#[test]
fn a_coarse_past_keeps_comments_at_their_own_times_and_its_metrics_add_up() {
    check::<YouTube>("youtube", r#"{"subscribers": 100000}"#);
    check::<Instagram>("instagram", r#"{"followers": 60000}"#);
    check::<TikTok>("tiktok", r#"{"followers": 80000}"#);
}

#[test]
fn an_account_whose_past_is_over_steps_as_one_that_never_had_one() {
    let config = Harness::<YouTube>::config(3, "tech", r#"{"subscribers": 100000}"#);
    let start = config.start;
    let mut plain = Harness::<YouTube>::new(config.clone()).unwrap();
    let mut told = Harness::<YouTube>::new(config).unwrap();
    // A past that ends where the account starts: nothing is coarser.
    told.signal(PAST, &format!(r#"{{"until": {start}}}"#))
        .unwrap();
    assert_eq!(plain.advance(DAY), told.advance(DAY));
}

#[test]
fn a_coarse_past_is_several_times_lighter() {
    // Counted, not timed: the coarse past makes far fewer metric events
    // than the same days stepped minute by minute, and as many comments
    // within a few percent.
    let params = r#"{"subscribers": 100000}"#;
    let config = Harness::<YouTube>::config(5, "tech", params);
    let mut fine = Harness::<YouTube>::new(config).unwrap().with_window(HOUR);
    let fine = fine.advance(DAYS * DAY);
    let (coarse, _) = past_then_present::<YouTube>(params, 5);
    let count =
        |events: &[Event], kind: &str| events.iter().filter(|e| e.type_name() == kind).count();
    let (fm, cm) = (count(&fine, "metric"), count(&coarse, "metric"));
    assert!(cm * 3 < fm, "metrics: {cm} coarse, {fm} fine");
    let (fi, ci) = (
        count(&fine, "interaction") as f64,
        count(&coarse, "interaction") as f64,
    );
    assert!(
        (ci / fi - 1.0).abs() < 0.15,
        "comments: {ci} coarse, {fi} fine"
    );
}
