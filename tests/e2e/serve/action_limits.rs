//! What a token may make a profile do: parameter sizes, a rate per token,
//! the statuses actions are taken in, the daily interactions budget, and
//! refusals that store nothing.

use serde_json::{json, Value};

use super::*;

/// A running youtube profile with a comment to reply to, paused; returns
/// the profile and the comment's id.
fn paused_with_a_comment(s: &Server, seed: u64) -> (Profile, String) {
    let p = s.create(json!({
        "platforms": ["youtube"],
        "size": 1_000_000,
        "seed": seed,
        "speed": 10_000,
        "limits": {"interactions_per_day": 100_000_000},
    }));
    let path = format!(
        "/v1/profiles/{}/interactions?platform=youtube&kind=comment&limit=1",
        p.id
    );
    let newest = || {
        let page = s.get(&path, &p.token).expect(200);
        page["items"].as_array().and_then(|a| a.first()).cloned()
    };
    wait_for("a youtube comment", PATIENCE, newest);
    s.pause(&p.id);
    // The newest comment once paused: at this speed, the one first seen may
    // already have left the plugin's bounded memory of recent comments.
    let comment = newest().expect("a comment once paused");
    let id = comment["id"].as_str().expect("an id").to_string();
    (p, id)
}

fn reply(comment_id: &str, text: &str) -> Value {
    json!({"platform": "youtube", "kind": "reply",
           "params": {"comment_id": comment_id, "text": text}})
}

#[test]
fn oversized_action_parameters_are_refused_with_422() {
    let s = Server::start();
    let (p, comment) = paused_with_a_comment(&s, 61);
    let actions = format!("/v1/profiles/{}/actions", p.id);
    let before = s.view(&p.id, &p.token)["events"].as_u64().unwrap();

    let m = s
        .post(&actions, &p.token, &reply(&comment, &"x".repeat(100_000)))
        .error(422, "invalid");
    assert!(m.contains("params.text"), "{m}");
    let m = s
        .post(&actions, &p.token, &reply(&"9".repeat(300), "hi"))
        .error(422, "invalid");
    assert!(m.contains("params.comment_id"), "{m}");
    let many: serde_json::Map<String, Value> =
        (0..40).map(|i| (format!("p{i}"), json!(i))).collect();
    let m = s
        .post(
            &actions,
            &p.token,
            &json!({"platform": "youtube", "kind": "reply", "params": many}),
        )
        .error(422, "invalid");
    assert!(m.contains("members"), "{m}");
    let m = s
        .post(
            &actions,
            &p.token,
            &json!({"platform": "youtube", "kind": "k".repeat(100), "params": {}}),
        )
        .error(422, "invalid");
    assert!(m.contains("`kind`"), "{m}");
    let m = s
        .post(
            &format!("/v1/profiles/{}/signals", p.id),
            ADMIN,
            &json!({"platform": "youtube", "signal": "troll_wave",
                    "params": {"note": "x".repeat(40_000)}}),
        )
        .error(422, "invalid");
    assert!(m.contains("params"), "{m}");
    // A reply of a normal size still goes through; nothing refused was stored.
    s.post(&actions, &p.token, &reply(&comment, "Thanks!"))
        .expect(201);
    assert_eq!(
        s.view(&p.id, &p.token)["events"].as_u64().unwrap(),
        before + 1
    );
}

#[test]
fn actions_and_signals_are_rate_limited_per_token() {
    let s = Server::start_with(&["--action-rate", "2"]);
    let (p, comment) = paused_with_a_comment(&s, 62);
    let actions = format!("/v1/profiles/{}/actions", p.id);
    let mut limited = None;
    for i in 0..20 {
        let r = s.post(&actions, &p.token, &reply(&comment, &format!("reply {i}")));
        match r.status {
            201 => {}
            429 => {
                limited = Some(r);
                break;
            }
            other => panic!("reply {i}: {other} {}", r.text),
        }
    }
    let r = limited.expect("a burst past 2 per second is refused");
    let m = r.error(429, "rate_limited");
    assert!(m.contains("per second"), "{m}");
    let retry = r.retry_after();
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    // Another token has its own budget.
    s.post(&actions, ADMIN, &reply(&comment, "from the admin"))
        .expect(201);
    // Signals count too.
    let signals = format!("/v1/profiles/{}/signals", p.id);
    let mut refused = false;
    for _ in 0..10 {
        let r = s.post(
            &signals,
            ADMIN,
            &json!({"platform": "youtube", "signal": "troll_wave", "params": {}}),
        );
        if r.status == 429 {
            refused = true;
            break;
        }
    }
    assert!(refused, "signals are rate-limited");
    // After the wait, the profile's token acts again.
    std::thread::sleep(std::time::Duration::from_secs(retry));
    s.post(&actions, &p.token, &reply(&comment, "later"))
        .expect(201);
}

#[test]
fn actions_are_taken_only_while_running_or_paused() {
    let s = Server::start();
    let created = s.create(json!({"platforms": ["youtube"], "seed": 63}));
    let publish = json!({"platform": "youtube", "kind": "publish",
                         "params": {"title": "Hello"}});
    let m = s
        .post(
            &format!("/v1/profiles/{}/actions", created.id),
            &created.token,
            &publish,
        )
        .error(409, "conflict");
    assert!(m.contains("not been started"), "{m}");
    assert_eq!(s.view(&created.id, ADMIN)["events"], 0);

    let (p, _) = paused_with_a_comment(&s, 64);
    let actions = format!("/v1/profiles/{}/actions", p.id);
    s.post(&actions, &p.token, &publish).expect(201);
    s.post(&format!("/v1/profiles/{}/stop", p.id), ADMIN, &json!({}))
        .expect(200);
    let events = s.view(&p.id, ADMIN)["events"].as_u64().unwrap();
    let m = s.post(&actions, &p.token, &publish).error(409, "conflict");
    assert!(m.contains("stopped"), "{m}");
    assert_eq!(s.view(&p.id, ADMIN)["events"].as_u64().unwrap(), events);
}

#[test]
fn creator_replies_count_toward_the_daily_interactions() {
    let s = Server::start();
    let (p, comment) = paused_with_a_comment(&s, 65);
    let today = s.view(&p.id, &p.token)["interactions_today"]
        .as_u64()
        .unwrap();
    s.call(
        "PATCH",
        &format!("/v1/profiles/{}", p.id),
        Some(ADMIN),
        Some(&json!({"limits": {"interactions_per_day": today + 2}})),
    )
    .expect(200);
    let actions = format!("/v1/profiles/{}/actions", p.id);
    s.post(&actions, &p.token, &reply(&comment, "one"))
        .expect(201);
    s.post(&actions, &p.token, &reply(&comment, "two"))
        .expect(201);
    assert_eq!(
        s.view(&p.id, &p.token)["interactions_today"].as_u64(),
        Some(today + 2),
        "replies are counted"
    );
    let m = s
        .post(&actions, &p.token, &reply(&comment, "three"))
        .error(409, "conflict");
    assert!(m.contains("interactions_per_day"), "{m}");
}

#[test]
fn refused_actions_are_not_journaled() {
    let mut s = Server::start_with(&["--action-rate", "1000"]);
    let (p, comment) = paused_with_a_comment(&s, 66);
    let actions = format!("/v1/profiles/{}/actions", p.id);
    // Refused by the plugin: unknown targets, unknown parameters.
    for i in 0..15 {
        s.post(&actions, &p.token, &reply(&format!("{i}0000"), "hi"))
            .error(404, "target_not_found");
        s.post(
            &actions,
            &p.token,
            &json!({"platform": "youtube", "kind": "reply",
                    "params": {"comment_id": comment, "text": "hi", "mood": i}}),
        )
        .error(422, "invalid");
    }
    s.post(&actions, &p.token, &reply(&comment, "accepted"))
        .expect(201);
    // A crash keeps the journal as it is (the pause trimmed it before).
    s.crash();
    let store = diorama::store::Store::open(&s.data()).expect("the store opens");
    let owner: u64 = p.id.parse().unwrap();
    let journal = store
        .records(diorama::live::JOURNAL, owner, b"", b"", usize::MAX)
        .unwrap();
    assert_eq!(
        journal.len(),
        1,
        "only the accepted action is journaled: {:?}",
        journal
            .iter()
            .map(|(_, v)| String::from_utf8_lossy(v).to_string())
            .collect::<Vec<_>>()
    );
}
