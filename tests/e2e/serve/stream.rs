//! Server-sent events: ids are seqs, a reconnect with `Last-Event-ID` picks
//! up exactly where the client left, filters send only what they name.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;

/// Read `n` events; check each one's id, event name and data agree.
fn read(sse: &mut Sse, n: usize) -> Vec<(u64, Value)> {
    (0..n)
        .map(|_| {
            let ev = sse.next();
            let id: u64 = ev
                .id
                .as_deref()
                .and_then(|i| i.parse().ok())
                .unwrap_or_else(|| panic!("an event without a seq id: {ev:?}"));
            let data: Value = serde_json::from_str(&ev.data)
                .unwrap_or_else(|e| panic!("data is not JSON ({e}): {ev:?}"));
            assert_eq!(data["seq"].as_u64(), Some(id), "id and data.seq: {ev:?}");
            assert_eq!(
                ev.event.as_deref(),
                data["type"].as_str(),
                "the event name is its type: {ev:?}"
            );
            (id, data)
        })
        .collect()
}

fn seqs(list: &[(u64, Value)]) -> Vec<u64> {
    list.iter().map(|(s, _)| *s).collect()
}

#[test]
fn the_stream_resumes_with_no_gap_and_no_repeat() {
    let s = Server::start();
    let p = s.create(json!({
        "platforms": ["youtube", "instagram"],
        "size": 500_000,
        "seed": 21,
        "speed": 5_000,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let path = format!("/v1/profiles/{}/stream", p.id);

    // From the start: every event, seq 1 onward.
    let mut sse = Sse::open(&s, &path, &p.token, None);
    let first = read(&mut sse, 40);
    assert_eq!(
        seqs(&first),
        (1..=40).collect::<Vec<_>>(),
        "from seq 1, in order"
    );
    drop(sse);

    // Gone a while: more events are stored meanwhile.
    wait_for("100 more events while disconnected", PATIENCE, || {
        (s.view(&p.id, &p.token)["events"].as_u64().unwrap() >= 140).then_some(())
    });
    let mut sse = Sse::open(&s, &path, &p.token, Some(40));
    let second = read(&mut sse, 200);
    assert_eq!(
        seqs(&second),
        (41..=240).collect::<Vec<_>>(),
        "after Last-Event-ID 40: 41 onward, backlog then live, no gap, no repeat"
    );
    drop(sse);
    // `?after=` does the same as the header.
    let mut sse = Sse::open(&s, &format!("{path}?after=200"), &p.token, None);
    assert_eq!(seqs(&read(&mut sse, 5)), vec![201, 202, 203, 204, 205]);
    drop(sse);

    s.pause(&p.id);
    let log: BTreeMap<u64, Value> = s
        .all_events(&p.id, &p.token)
        .into_iter()
        .map(|e| (e["seq"].as_u64().unwrap(), e))
        .collect();
    for (seq, data) in first.iter().chain(&second) {
        assert_eq!(
            log.get(seq),
            Some(data),
            "the streamed event {seq} is the stored one"
        );
    }

    // A type filter: only interactions, every one of them, in order.
    let mut sse = Sse::open(&s, &format!("{path}?types=interaction"), &p.token, None);
    let got = read(&mut sse, 30);
    drop(sse);
    for (_, e) in &got {
        assert_eq!(e["type"], "interaction", "{e}");
    }
    let last = got.last().unwrap().0;
    let want: Vec<u64> = log
        .values()
        .filter(|e| e["type"] == "interaction")
        .map(|e| e["seq"].as_u64().unwrap())
        .take_while(|&seq| seq <= last)
        .collect();
    assert_eq!(
        seqs(&got),
        want,
        "every interaction up to {last}, nothing else"
    );

    // Kinds and platforms too, with a resume point.
    let mut sse = Sse::open(
        &s,
        &format!("{path}?platforms=instagram&kinds=dm,comment"),
        &p.token,
        Some(10),
    );
    let got = read(&mut sse, 5);
    drop(sse);
    let want: Vec<u64> = log
        .values()
        .filter(|e| {
            e["seq"].as_u64().unwrap() > 10
                && e["platform"] == "instagram"
                && (e["kind"] == "dm" || e["kind"] == "comment")
        })
        .map(|e| e["seq"].as_u64().unwrap())
        .take(5)
        .collect();
    assert_eq!(seqs(&got), want, "instagram DMs and comments after 10");

    // A bad resume point is refused.
    let r = s.get(&format!("{path}?after=later"), &p.token);
    r.error(400, "bad_query");

    let m = s.metrics();
    let streamed = metric(&m, "diorama_events_streamed_total").expect("streamed");
    assert!(
        streamed >= 280.0,
        "the streamed events are counted: {streamed}"
    );
}
