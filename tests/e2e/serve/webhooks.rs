//! Webhooks to a real receiver: signed, every matching event exactly once
//! after deduplication, through an outage of the receiver.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use super::*;

const SECRET: &str = "whsec-e2e-0123456789";

#[test]
fn webhooks_arrive_signed_and_complete_through_an_outage() {
    let got = Arc::new(Mutex::new(Vec::<Delivery>::new()));
    let receiver = Receiver::start(0, got.clone());
    let port = receiver.port;
    let s = Server::start();
    let p = s.create(json!({
        "platforms": ["youtube", "instagram"],
        "size": 300_000,
        "seed": 41,
        "speed": 5_000,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let hook = s
        .post(
            &format!("/v1/profiles/{}/webhooks", p.id),
            &p.token,
            &json!({
                "url": format!("http://127.0.0.1:{port}/hook"),
                "secret": SECRET,
                "filter": {"types": ["interaction"]},
            }),
        )
        .expect(201);
    let hook_id = hook["id"].as_str().expect("a hook id").to_string();
    assert!(hook_id.starts_with("wh_"), "{hook}");
    assert!(
        hook.get("secret").is_none(),
        "the secret is never shown: {hook}"
    );
    assert_eq!(hook["filter"]["types"], json!(["interaction"]));
    let cursor0 = hook["cursor"].as_u64().expect("a cursor");
    let hook_path = format!("/v1/profiles/{}/webhooks/{hook_id}", p.id);

    wait_for("five deliveries", PATIENCE, || {
        (got.lock().unwrap().len() >= 5).then_some(())
    });

    // The receiver goes down for about two seconds.
    receiver.stop();
    let down = std::time::Instant::now();
    let failing = wait_for("the hook to see the receiver down", PATIENCE, || {
        let h = s.get(&hook_path, &p.token).expect(200);
        (h["status"] == "failing").then_some(h)
    });
    assert!(
        failing["last_error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "a failing hook says why: {failing}"
    );
    assert!(failing["next_attempt_at"].is_i64(), "{failing}");
    if let Some(rest) = Duration::from_secs(2).checked_sub(down.elapsed()) {
        std::thread::sleep(rest);
    }
    let before_up = got.lock().unwrap().len();
    let _receiver = Receiver::start(port, got.clone());
    wait_for("deliveries to resume", PATIENCE, || {
        (got.lock().unwrap().len() > before_up).then_some(())
    });
    s.pause(&p.id);
    let done = wait_for("the hook to catch up", PATIENCE, || {
        let h = s.get(&hook_path, &p.token).expect(200);
        (h["pending"] == 0).then_some(h)
    });
    assert_eq!(done["status"], "active", "{done}");

    // What the receiver got: every matching event once, signed, in order.
    let log = s.all_events(&p.id, &p.token);
    let by_seq: BTreeMap<u64, &Value> = log
        .iter()
        .map(|e| (e["seq"].as_u64().unwrap(), e))
        .collect();
    let want: BTreeSet<String> = log
        .iter()
        .filter(|e| e["type"] == "interaction" && e["seq"].as_u64().unwrap() > cursor0)
        .map(|e| format!("{}-{}", p.id, e["seq"]))
        .collect();
    assert!(want.len() >= 10, "enough events to matter: {}", want.len());
    let deliveries = got.lock().unwrap().clone();
    let mut bad_signatures = Vec::new();
    let mut first_seen = Vec::new();
    let mut seen = BTreeSet::new();
    let now = unix_now();
    for d in &deliveries {
        let sig = d.header("diorama-signature").expect("a signature header");
        if let Err(e) = diorama::webhook::verify(SECRET.as_bytes(), sig, &d.body, now, 300) {
            bad_signatures.push(e);
        }
        let body: Value = serde_json::from_slice(&d.body).expect("a JSON body");
        let id = body["event_id"].as_str().expect("event_id").to_string();
        assert_eq!(d.header("diorama-event-id"), Some(id.as_str()));
        assert_eq!(d.header("diorama-hook-id"), Some(hook_id.as_str()));
        assert!(
            d.header("diorama-delivery-attempt")
                .and_then(|a| a.parse::<u32>().ok())
                .is_some_and(|a| a >= 1),
            "an attempt number: {:?}",
            d.headers
        );
        assert_eq!(body["profile"], p.id.as_str());
        assert_eq!(body["hook"], hook_id.as_str());
        let seq = body["event"]["seq"].as_u64().expect("the event's seq");
        assert_eq!(id, format!("{}-{seq}", p.id), "event_id is <profile>-<seq>");
        assert_eq!(
            by_seq.get(&seq),
            Some(&&body["event"]),
            "the delivered event is the stored one"
        );
        if seen.insert(id.clone()) {
            first_seen.push(seq);
        }
    }
    assert!(
        bad_signatures.is_empty(),
        "{} of {} signatures do not verify: {bad_signatures:?}",
        bad_signatures.len(),
        deliveries.len()
    );
    assert_eq!(
        seen, want,
        "every matching event, deduplicated, and nothing else"
    );
    assert!(
        first_seen.windows(2).all(|w| w[0] < w[1]),
        "delivered in seq order: {first_seen:?}"
    );

    // The wrong secret, an altered body, a stale timestamp: refused.
    let d = &deliveries[0];
    let sig = d.header("diorama-signature").unwrap();
    assert!(diorama::webhook::verify(b"not-the-secret", sig, &d.body, now, 300).is_err());
    let mut altered = d.body.clone();
    altered.push(b' ');
    assert!(diorama::webhook::verify(SECRET.as_bytes(), sig, &altered, now, 300).is_err());
    assert!(diorama::webhook::verify(SECRET.as_bytes(), sig, &d.body, now + 3600, 300).is_err());

    // The delivery log shows the failed attempts and every delivery.
    let mut items = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("{hook_path}/deliveries?limit=1000&after={a}"),
            None => format!("{hook_path}/deliveries?limit=1000"),
        };
        let page = s.get(&path, &p.token).expect(200);
        let list = page["items"].as_array().expect("items").clone();
        if list.is_empty() {
            break;
        }
        items.extend(list);
        match page["next"].as_str() {
            Some(n) if after.as_deref() != Some(n) => after = Some(n.to_string()),
            _ => break,
        }
    }
    let failed = items.iter().filter(|i| i["outcome"] == "failed").count();
    assert!(failed >= 1, "failed attempts are logged: {items:?}");
    for i in items.iter().filter(|i| i["outcome"] == "failed") {
        assert!(i["error"].as_str().is_some_and(|e| !e.is_empty()), "{i}");
    }
    let delivered: BTreeSet<String> = items
        .iter()
        .filter(|i| i["outcome"] == "delivered")
        .map(|i| i["event_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(delivered, want, "the log has a delivery of each event");

    let m = s.metrics();
    assert!(
        metric(&m, "diorama_webhook_failures_total").unwrap() >= failed as f64,
        "{m}"
    );
    assert!(metric(&m, "diorama_webhook_deliveries_total").unwrap() >= want.len() as f64);
    assert_eq!(metric(&m, "diorama_webhooks_failing"), Some(0.0));
}
