//! The kill -9 drill: what the server acknowledged survives a crash.
//!
//! Round after round on one data folder: the creator replies to comments
//! (each reply answered 201 with its event and seq) while a stream reads
//! events, then the server is killed at once, with no time for a
//! background flush, and started again. Every event it acknowledged (an
//! action's answer, a streamed event) must be there after the restart with
//! the same seq and the same bytes, and the log must stay numbered 1..N
//! with nothing twice.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::*;

const ROUNDS: usize = 6;

/// The newest youtube comment, once there is one.
fn latest_comment(s: &Server, p: &Profile) -> Value {
    let path = format!(
        "/v1/profiles/{}/interactions?platform=youtube&kind=comment&order=desc&limit=1",
        p.id
    );
    wait_for("a youtube comment", PATIENCE, || {
        let page = s.get(&path, &p.token).expect(200);
        page["items"].as_array().and_then(|a| a.first()).cloned()
    })
}

/// The log is 1..N and no content or interaction id is stored twice.
fn check_log(s: &Server, p: &Profile, what: &str) -> Vec<Value> {
    let log = s.all_events(&p.id, &p.token);
    assert_contiguous(&log, what);
    let mut ids = BTreeSet::new();
    for e in &log {
        if let Some(id) = e["id"].as_str() {
            assert!(
                ids.insert((e["platform"].to_string(), e["type"].to_string(), id)),
                "{what}: {} `{id}` is stored twice (seq {})",
                e["type"],
                e["seq"]
            );
        }
    }
    log
}

/// The events a fresh stream sends from `after`, up to seq `through`:
/// seq → the data bytes.
fn streamed(s: &Server, p: &Profile, after: u64, through: u64) -> BTreeMap<u64, String> {
    let mut sse = Sse::open(
        s,
        &format!("/v1/profiles/{}/stream", p.id),
        &p.token,
        Some(after),
    );
    let mut out = BTreeMap::new();
    while out.keys().next_back().is_none_or(|&last| last < through) {
        let e = sse.next();
        let seq: u64 = e.id.as_deref().and_then(|i| i.parse().ok()).expect("an id");
        out.insert(seq, e.data);
    }
    out
}

#[test]
fn acknowledged_events_survive_kill_9_round_after_round() {
    let mut s = Server::start();
    let p = s.create(json!({
        "platforms": ["youtube"],
        "size": 1_000_000,
        "seed": 97,
        "speed": 2_000,
        "limits": {"interactions_per_day": 100_000_000},
    }));
    let actions = format!("/v1/profiles/{}/actions", p.id);
    // Every acknowledged event: seq → (its JSON as answered, the bytes
    // streamed when a stream sent it).
    let mut acked: BTreeMap<u64, Value> = BTreeMap::new();
    let mut streamed_bytes: BTreeMap<u64, String> = BTreeMap::new();
    for round in 0..ROUNDS {
        let what = format!("round {round}");
        let comment = latest_comment(&s, &p);
        let comment_id = comment["id"].as_str().expect("a comment id").to_string();
        let start = s.view(&p.id, &p.token)["events"].as_u64().unwrap();
        let mut sse = Sse::open(
            &s,
            &format!("/v1/profiles/{}/stream", p.id),
            &p.token,
            Some(start),
        );
        let mut last_reply = 0;
        for k in 0..3 {
            let made = s
                .post(
                    &actions,
                    &p.token,
                    &json!({"platform": "youtube", "kind": "reply",
                            "params": {"comment_id": comment_id,
                                       "text": format!("Thanks! ({round}.{k})")}}),
                )
                .expect(201);
            for e in made["events"].as_array().expect("events") {
                let seq = e["seq"].as_u64().expect("a seq");
                assert!(
                    acked.insert(seq, e.clone()).is_none(),
                    "{what}: seq {seq} acknowledged twice"
                );
                last_reply = last_reply.max(seq);
            }
        }
        // Odd rounds also read the stream up to the last reply (events of
        // the windows around it included), then crash at once.
        if round % 2 == 1 {
            loop {
                let e = sse.next();
                let seq: u64 = e.id.as_deref().and_then(|i| i.parse().ok()).expect("an id");
                streamed_bytes.insert(seq, e.data);
                if seq >= last_reply {
                    break;
                }
            }
        }
        s.crash();
        drop(sse);
        s.restart();

        let log = check_log(&s, &p, &what);
        for (seq, e) in &acked {
            let stored = log
                .get(*seq as usize - 1)
                .unwrap_or_else(|| panic!("{what}: acknowledged seq {seq} is missing: {e}"));
            assert_eq!(stored, e, "{what}: seq {seq} holds another event");
        }
        // Byte for byte, as a stream sends them after the restart.
        let first = *acked.keys().next().unwrap();
        let last = *acked
            .keys()
            .next_back()
            .unwrap()
            .max(streamed_bytes.keys().next_back().unwrap_or(&0));
        let again = streamed(&s, &p, first - 1, last);
        for (seq, e) in &acked {
            let bytes = again.get(seq).expect("streamed again");
            let parsed: Value = serde_json::from_str(bytes).expect("JSON data");
            assert_eq!(&parsed, e, "{what}: seq {seq} streams other bytes");
        }
        for (seq, bytes) in streamed_bytes.range(first..) {
            assert_eq!(
                again.get(seq),
                Some(bytes),
                "{what}: seq {seq} was streamed before the crash with other bytes"
            );
        }
        assert_eq!(
            s.view(&p.id, &p.token)["status"],
            "running",
            "{what}: it resumes"
        );
    }
    assert_eq!(acked.len(), ROUNDS * 3, "every reply was acknowledged");
}
