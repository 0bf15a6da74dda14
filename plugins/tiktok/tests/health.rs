//! The account's health on TikTok, through the SDK's harness on fixed
//! seeds: a burst of replies trips the action block, which refuses replies
//! with its message and lifts after a day; the `health` signal sets each
//! state; reach drops while shadowbanned; the native API answers refused
//! requests in TikTok's own error shape; moderation keeps a blocked
//! author's comments away.

use diorama_sdk::harness::Harness;
use diorama_sdk::testing::{interactions, metrics, notices};
use diorama_sdk::*;
use diorama_tiktok::{TikTok, BLOCK};

type H = Harness<TikTok>;

fn harness(seed: u64) -> H {
    H::new(H::config(
        seed,
        "comedy",
        r#"{"followers": 400000, "comment_volume": "high"}"#,
    ))
    .expect("valid config")
}

fn codes(events: &[Event]) -> Vec<(Millis, String)> {
    notices(events)
        .filter(|(_, n)| n.code.starts_with("health_"))
        .map(|(at, n)| (at, n.code.clone()))
        .collect()
}

/// The newest comment among `events`.
fn newest_comment(events: &[Event]) -> String {
    interactions(events)
        .filter(|(_, i)| i.kind == "comment")
        .map(|(_, i)| i.id.clone())
        .last()
        .expect("a comment")
}

fn reply(h: &mut H, id: &str) -> Result<Vec<Event>, ActionError> {
    h.act(
        "reply",
        &format!(r#"{{"comment_id": "{id}", "text": "thanks!"}}"#),
    )
}

#[test]
fn a_burst_of_replies_blocks_them_for_a_day_then_the_block_lifts() {
    for seed in [1, 2, 3] {
        let mut h = harness(seed);
        let mut events = h.advance(DAY);
        let mut blocked_at = None;
        for n in 1..=BLOCK.max {
            let target = newest_comment(&events);
            let made = reply(&mut h, &target).unwrap_or_else(|e| panic!("reply {n}: {e}"));
            let block = codes(&made);
            if n < BLOCK.max {
                assert!(block.is_empty(), "reply {n}: {block:?}");
            } else {
                assert_eq!(block, vec![(h.now(), "health_action_blocked".into())]);
                blocked_at = Some(h.now());
            }
            events.extend(h.advance(20 * SECOND));
        }
        let blocked_at = blocked_at.expect("the block started");
        let target = newest_comment(&events);
        let refused = reply(&mut h, &target).unwrap_err();
        let ActionError::Invalid(message) = refused else {
            panic!("{refused:?}")
        };
        assert!(
            message.starts_with(
                "tiktok: the account is action-blocked for another 24 h (60 actions within 1 h)"
            ) && message.contains("`reply` is refused")
                && message.contains("commenting too fast"),
            "{message}"
        );
        // Publishing is not what the block counts.
        assert!(h.act("publish", r#"{"caption": "still posting"}"#).is_ok());
        // The audience keeps commenting; the block lifts a day after it began.
        let later = h.advance(DAY);
        assert!(
            interactions(&later)
                .filter(|(_, i)| i.kind == "comment")
                .count()
                > 50
        );
        assert_eq!(codes(&later), vec![(blocked_at + DAY, "health_ok".into())]);
        let target = newest_comment(&later);
        assert!(reply(&mut h, &target).is_ok(), "seed {seed}");
    }
}

#[test]
fn replies_at_a_sensible_pace_never_block() {
    let mut h = harness(4);
    let mut target = newest_comment(&h.advance(DAY));
    // 40 an hour for two and a half hours: never 60 within an hour.
    for _ in 0..100 {
        let made = reply(&mut h, &target).expect("within the pace");
        assert!(codes(&made).is_empty());
        if let Some((_, c)) = interactions(&h.advance(90 * SECOND))
            .filter(|(_, i)| i.kind == "comment")
            .last()
        {
            target = c.id.clone();
        }
    }
}

#[test]
fn the_signal_sets_each_state_with_its_effects() {
    for state in [
        "shadowbanned",
        "restricted",
        "action_blocked",
        "token_expired",
        "suspended",
    ] {
        let mut h = harness(5);
        let events = h.advance(DAY);
        h.signal(
            "health",
            &format!(r#"{{"state": "{state}", "for": 7200000}}"#),
        )
        .unwrap();
        let at = h.now();
        let during = h.advance(MINUTE);
        assert_eq!(codes(&during), vec![(at, format!("health_{state}"))]);
        let publish = h.act("publish", r#"{"caption": "hello"}"#);
        let refuses_all = matches!(state, "token_expired" | "suspended");
        assert_eq!(publish.is_err(), refuses_all, "{state}: {publish:?}");
        let answer = reply(&mut h, &newest_comment(&events));
        assert_eq!(
            answer.is_err(),
            refuses_all || state == "action_blocked",
            "{state}: {answer:?}"
        );
        let after = h.advance(3 * HOUR);
        assert_eq!(codes(&after), vec![(at + 2 * HOUR, "health_ok".into())]);
    }
    let mut h = harness(5);
    let e = h.signal("health", r#"{"state": "banned"}"#).unwrap_err();
    assert!(e.starts_with("tiktok: ") && e.contains("banned"), "{e}");
}

#[test]
fn reach_drops_while_shadowbanned_or_restricted() {
    let views = |state: Option<&str>| {
        let mut h = harness(6);
        h.advance(DAY);
        if let Some(state) = state {
            h.signal(
                "health",
                &format!(r#"{{"state": "{state}", "for": 172800000}}"#),
            )
            .unwrap();
        }
        let during = h.advance(2 * DAY);
        metrics(&during, "views").map(|(_, m)| m.delta).sum::<i64>()
    };
    let free = views(None);
    let banned = views(Some("shadowbanned"));
    let restricted = views(Some("restricted"));
    assert!(banned * 5 < free, "{banned} vs {free}");
    assert!(
        restricted * 10 < free * 7 && restricted > banned,
        "{restricted} vs {free}"
    );
}

#[test]
fn the_shadowban_signal_is_the_shadowbanned_state() {
    let mut h = harness(7);
    h.advance(HOUR);
    h.signal("shadowban", r#"{"depth": 0.9, "duration": 3600000}"#)
        .unwrap();
    let at = h.now();
    let events = h.advance(2 * HOUR);
    assert_eq!(
        codes(&events),
        vec![
            (at, "health_shadowbanned".into()),
            (at + HOUR, "health_ok".into())
        ]
    );
}

fn native(h: &H, method: &str, path: &str) -> HttpResponse {
    let request = HttpRequest {
        method: method.into(),
        path: path.into(),
        query: "fields=open_id,display_name".into(),
        headers: vec![("content-type".into(), "application/json".into())],
        body: b"{}".to_vec(),
    };
    match h.state().handle_request(h.now(), &request) {
        NativeOutcome::Respond(r) => r,
        NativeOutcome::Act(a) => panic!("{a:?}"),
    }
}

fn error_code(r: &HttpResponse) -> (u16, String) {
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    (
        r.status,
        body["error"]["code"].as_str().unwrap_or("").to_string(),
    )
}

#[test]
fn the_native_api_answers_as_tiktok_does() {
    let mut h = harness(8);
    h.advance(HOUR);
    assert_eq!(native(&h, "GET", "/v2/user/info/").status, 200);
    h.signal("health", r#"{"state": "token_expired", "for": 3600000}"#)
        .unwrap();
    assert_eq!(
        error_code(&native(&h, "GET", "/v2/user/info/")),
        (401, "access_token_invalid".into())
    );
    h.signal("health", r#"{"state": "suspended"}"#).unwrap();
    let r = native(&h, "POST", "/v2/video/list/");
    assert_eq!(
        error_code(&r),
        (403, "spam_risk_user_banned_from_posting".into())
    );
    assert!(String::from_utf8_lossy(&r.body).contains("suspended"));
    h.signal("health", r#"{"state": "ok"}"#).unwrap();
    assert_eq!(native(&h, "GET", "/v2/user/info/").status, 200);
}

#[test]
fn a_blocked_author_comments_no_more_and_moderation_is_listed() {
    let info = TikTok::describe();
    for action in [
        "like_comment",
        "delete_comment",
        "pin_comment",
        "block_author",
        "follow_back",
    ] {
        assert!(info.actions.iter().any(|a| a == action), "{action}");
    }
    assert!(info.signals.iter().any(|s| s.name == "health"));
    let mut h = harness(9);
    let events = h.advance(DAY);
    // The most frequent commenter of the day.
    let mut counts = std::collections::BTreeMap::new();
    for (_, i) in interactions(&events).filter(|(_, i)| i.kind == "comment") {
        *counts.entry(i.author.id.clone()).or_insert(0) += 1;
    }
    let (author, _) = counts.iter().max_by_key(|(_, n)| **n).unwrap();
    let made = h
        .act("block_author", &format!(r#"{{"author_id": "{author}"}}"#))
        .unwrap();
    assert!(notices(&made).any(|(_, n)| n.code == "author_blocked"));
    let later = h.advance(3 * DAY);
    assert!(interactions(&later).all(|(_, i)| &i.author.id != author));
    let comment = newest_comment(&later);
    for kind in ["like_comment", "pin_comment"] {
        let made = h
            .act(kind, &format!(r#"{{"comment_id": "{comment}"}}"#))
            .unwrap();
        assert_eq!(made.len(), 1);
    }
    let e = h
        .act("like_comment", r#"{"comment_id": "nope"}"#)
        .unwrap_err();
    assert!(matches!(e, ActionError::NotFound(m) if m.contains("`nope`")));
}
