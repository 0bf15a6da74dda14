//! Fault injection: signals on the host's own platform `diorama` make a
//! profile's platforms fail as real ones do (their own APIs answer errors,
//! creator actions are refused as retryable, webhooks wait), each fault
//! deterministic for the profile's seed and shown in its events.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::*;

const CHANNELS: &str = "/native/youtube/youtube/v3/channels?part=id,statistics&mine=true";

fn signal(s: &Server, p: &Profile, name: &str, params: Value) -> Resp {
    s.post(
        &format!("/v1/profiles/{}/signals", p.id),
        ADMIN,
        &json!({"platform": "diorama", "signal": name, "params": params}),
    )
}

/// The profile's notices of platform `diorama`: (kind, text).
fn notices(s: &Server, p: &Profile) -> Vec<(String, String)> {
    s.all_events(&p.id, &p.token)
        .iter()
        .filter(|e| e["platform"] == "diorama" && e["type"] == "notice")
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default().to_string(),
                e["text"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_native_read_during_an_api_outage_is_youtubes_503_then_succeeds_after() {
    let s = Server::start();
    let p = s.create(json!({
        "platforms": ["youtube", "instagram"],
        "size": 100_000,
        "seed": 5,
        "speed": 60.0,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    s.get(CHANNELS, &p.token).expect(200);
    signal(
        &s,
        &p,
        "api_outage",
        json!({"for": 180_000, "platform": "youtube"}),
    )
    .expect(202);

    // The read: Google's error object for a 503, with a wait to retry.
    let r = s.get(CHANNELS, &p.token);
    let e = r.expect(503);
    assert_eq!(e["error"]["code"], 503, "{e}");
    assert_eq!(e["error"]["status"], "UNAVAILABLE", "{e}");
    assert_eq!(e["error"]["errors"][0]["reason"], "backendError", "{e}");
    let wait = r.retry_after();
    assert!((1..=180).contains(&wait), "{wait}");
    // A creator action on YouTube: diorama's 503, retryable.
    let actions = format!("/v1/profiles/{}/actions", p.id);
    let act = json!({"platform": "youtube", "kind": "reply",
                     "params": {"comment_id": "Ugz-none", "text": "Thanks!"}});
    let r = s.post(&actions, &p.token, &act);
    let m = r.error(503, "unavailable");
    assert!(m.contains("youtube is unavailable"), "{m}");
    assert!((1..=180).contains(&r.retry_after()));
    // Instagram is not in the outage.
    let ig = s.post(
        &actions,
        &p.token,
        &json!({"platform": "instagram", "kind": "reply",
                "params": {"comment_id": "none", "text": "Thanks!"}}),
    );
    assert_ne!(ig.status, 503, "{}", ig.text);

    // After the window: the platform answers again, and so does the action
    // (refused by the platform itself: no such comment).
    wait_for("the outage to end", PATIENCE, || {
        (s.get(CHANNELS, &p.token).status == 200).then_some(())
    });
    assert_ne!(s.post(&actions, &p.token, &act).status, 503);
    wait_for("the fault_ended notice", PATIENCE, || {
        notices(&s, &p)
            .iter()
            .any(|(k, _)| k == "fault_ended")
            .then_some(())
    });
    let kinds: Vec<String> = notices(&s, &p).into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds.first().map(String::as_str), Some("fault_started"));
    assert_eq!(kinds.last().map(String::as_str), Some("fault_ended"));
    assert!(kinds.iter().any(|k| k == "fault_injected"), "{kinds:?}");
}

/// The fates of `n` reads under `api_errors` at rate 0.5 on a new profile
/// of `seed`: true for an injected error.
fn fates(s: &Server, seed: u64, n: usize) -> (Profile, Vec<bool>) {
    let p = s.create(json!({"platforms": ["youtube"], "size": 10_000, "seed": seed}));
    signal(
        s,
        &p,
        "api_errors",
        json!({"rate": 0.5, "status": 500, "for": 3_600_000}),
    )
    .expect(202);
    let fates = (0..n)
        .map(|_| {
            let r = s.get(CHANNELS, &p.token);
            match r.status {
                200 => false,
                500 => {
                    let e = r.json();
                    assert_eq!(e["error"]["status"], "INTERNAL", "{e}");
                    true
                }
                other => panic!("a read answered {other}: {}", r.text),
            }
        })
        .collect();
    (p, fates)
}

#[test]
fn api_errors_at_half_rate_fail_about_half_the_reads_the_same_ones_for_the_same_seed() {
    let s = Server::start();
    let n = 200;
    let (p, first) = fates(&s, 11, n);
    let share = first.iter().filter(|f| **f).count() as f64 / n as f64;
    assert!((0.4..=0.6).contains(&share), "share of errors {share}");
    let (_, again) = fates(&s, 11, n);
    assert_eq!(first, again, "the same seed gives the same fates");
    let (_, other) = fates(&s, 12, n);
    assert_ne!(first, other, "another seed gives other fates");

    // Noted up to the cap, then no more: a storm does not flood the log.
    let seen = notices(&s, &p);
    let injected: Vec<&String> = seen
        .iter()
        .filter(|(k, _)| k == "fault_injected")
        .map(|(_, t)| t)
        .collect();
    assert_eq!(injected.len(), 10, "{seen:?}");
    assert!(injected[0].contains("youtube: GET /youtube/v3/channels answered 500"));
    assert!(
        injected[9].contains("later ones are not"),
        "{}",
        injected[9]
    );
    assert_eq!(seen[0].0, "fault_started");
    assert!(seen[0]
        .1
        .contains("api_errors on every platform (50% of requests answered 500)"));
}

#[test]
fn fault_signals_out_of_range_are_refused_with_422() {
    let s = Server::start();
    let p = s.create(json!({"platforms": ["youtube"], "size": 10_000, "seed": 3}));
    for (name, params, key) in [
        ("api_errors", json!({"rate": 1.5, "for": 60_000}), "rate"),
        (
            "api_errors",
            json!({"status": 404, "for": 60_000}),
            "status",
        ),
        (
            "api_errors",
            json!({"kind": "teapot", "for": 60_000}),
            "kind",
        ),
        ("api_outage", json!({"for": 0}), "for"),
        ("api_outage", json!({"for": 700_000_000}), "for"),
        ("api_outage", json!({}), "for"),
        ("api_slow", json!({"ms": 30_001, "for": 60_000}), "ms"),
        (
            "api_slow",
            json!({"ms": 100, "rate": -1, "for": 60_000}),
            "rate",
        ),
        (
            "webhook_outage",
            json!({"for": 60_000, "platform": "tiktok"}),
            "tiktok",
        ),
        ("webhook_outage", json!({"for": 60_000, "size": 1}), "size"),
        ("outage", json!({"for": 60_000}), "outage"),
    ] {
        let m = signal(&s, &p, name, params.clone()).error(422, "invalid");
        assert!(m.contains(key), "{name} {params}: {m}");
    }
    assert!(notices(&s, &p).is_empty());

    // In range: a slow API, every answer at least the stated delay late.
    let fast = std::time::Instant::now();
    s.get(CHANNELS, &p.token).expect(200);
    let fast = fast.elapsed();
    signal(&s, &p, "api_slow", json!({"ms": 800, "for": 3_600_000})).expect(202);
    for _ in 0..3 {
        let t = std::time::Instant::now();
        s.get(CHANNELS, &p.token).expect(200);
        assert!(
            t.elapsed() >= Duration::from_millis(800),
            "{:?} (unfaulted: {fast:?})",
            t.elapsed()
        );
    }
}

#[test]
fn a_webhook_outage_holds_deliveries_then_delivers_every_event() {
    let got = Arc::new(Mutex::new(Vec::<Delivery>::new()));
    let _receiver = Receiver::start(0, got.clone());
    let port = _receiver.port;
    let s = Server::start();
    let p = s.create(json!({
        "platforms": ["youtube"],
        "size": 1_000_000,
        "seed": 17,
        "speed": 600.0,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let hook = s
        .post(
            &format!("/v1/profiles/{}/webhooks", p.id),
            &p.token,
            &json!({
                "url": format!("http://127.0.0.1:{port}/hook"),
                "secret": "whsec-e2e-faults-0123456789",
                "filter": {"types": ["interaction"]},
            }),
        )
        .expect(201);
    let hook_id = hook["id"].as_str().unwrap().to_string();
    let cursor0 = hook["cursor"].as_u64().unwrap();
    let hook_path = format!("/v1/profiles/{}/webhooks/{hook_id}", p.id);
    wait_for("a first delivery", PATIENCE, || {
        (!got.lock().unwrap().is_empty()).then_some(())
    });
    // An hour of virtual time: six seconds at 600×.
    signal(&s, &p, "webhook_outage", json!({"for": 3_600_000})).expect(202);
    let paused = wait_for("a paused delivery in the log", PATIENCE, || {
        let log = s
            .get(&format!("{hook_path}/deliveries?limit=1000"), &p.token)
            .expect(200);
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["outcome"] == "paused")
            .cloned()
    });
    assert!(
        paused["error"]
            .as_str()
            .is_some_and(|e| e.contains("paused by a webhook outage")),
        "{paused}"
    );
    let held = got.lock().unwrap().len();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        got.lock().unwrap().len(),
        held,
        "nothing is sent while paused"
    );

    // After the window: everything, once, with nothing given up.
    wait_for("deliveries to resume", PATIENCE, || {
        (got.lock().unwrap().len() > held).then_some(())
    });
    wait_for("the fault_ended notice", PATIENCE, || {
        notices(&s, &p)
            .iter()
            .any(|(k, _)| k == "fault_ended")
            .then_some(())
    });
    s.pause(&p.id);
    wait_for("the hook to catch up", PATIENCE, || {
        let h = s.get(&hook_path, &p.token).expect(200);
        (h["pending"] == 0).then_some(())
    });
    let log = s.all_events(&p.id, &p.token);
    let want: BTreeSet<String> = log
        .iter()
        .filter(|e| e["type"] == "interaction" && e["seq"].as_u64().unwrap() > cursor0)
        .map(|e| format!("{}-{}", p.id, e["seq"]))
        .collect();
    let deliveries = got.lock().unwrap().clone();
    let have: BTreeSet<String> = deliveries
        .iter()
        .map(|d| {
            let v: Value = serde_json::from_slice(&d.body).unwrap();
            v["event_id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(have, want, "every interaction delivered");
    let entries = s
        .get(&format!("{hook_path}/deliveries?limit=1000"), &p.token)
        .expect(200);
    assert!(
        entries["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["outcome"] != "gave_up"),
        "{entries}"
    );
    let kinds: Vec<String> = notices(&s, &p).into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, ["fault_started", "fault_ended"]);
}

#[test]
fn every_platform_answers_an_outage_in_its_own_error_shape() {
    let s = Server::start();
    let p = s.create(json!({
        "platforms": ["x", "tiktok", "telegram", "instagram", "facebook"],
        "size": 10_000,
        "seed": 8,
    }));
    signal(&s, &p, "api_outage", json!({"for": 3_600_000})).expect(202);
    let x = s.get("/native/x/2/users/me", &p.token);
    let e = x.expect(503);
    assert_eq!(e["title"], "Service Unavailable", "{e}");
    assert_eq!(e["status"], 503, "{e}");
    assert!(x.retry_after() >= 1);
    let e = s.get("/native/tiktok/v2/user/info/", &p.token).expect(503);
    assert_eq!(e["error"]["code"], "internal_error", "{e}");
    assert!(e["error"]["log_id"].is_string(), "{e}");
    let e = s.get("/native/telegram/bot/getMe", &p.token).expect(503);
    assert_eq!(
        e,
        json!({"ok": false, "error_code": 503, "description": "Service Unavailable"})
    );
    for path in ["/native/instagram/me?fields=id", "/native/facebook/me"] {
        let e = s.get(path, &p.token).expect(503);
        assert_eq!(e["error"]["code"], 2, "{path}: {e}");
        assert_eq!(e["error"]["is_transient"], true, "{path}: {e}");
        assert!(e["error"]["fbtrace_id"].is_string(), "{path}: {e}");
    }

    // A storm of 429s on X: its rate-limit headers, reset in the future.
    let q = s.create(json!({"platforms": ["x"], "size": 10_000, "seed": 8}));
    signal(
        &s,
        &q,
        "api_errors",
        json!({"rate": 1.0, "status": 429, "for": 3_600_000, "platform": "x"}),
    )
    .expect(202);
    let r = s.get("/native/x/2/users/me", &q.token);
    r.expect(429);
    let header = |name: &str| -> i64 {
        r.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name}: {:?}", r.headers))
    };
    assert_eq!(header("x-rate-limit-remaining"), 0);
    assert!(header("x-rate-limit-reset") > 1_700_000_000);
}

#[test]
fn an_outage_outlives_a_restart_of_the_server() {
    let mut s = Server::start();
    let p = s.create(json!({
        "platforms": ["youtube"],
        "size": 10_000,
        "seed": 4,
        "speed": 1.0,
    }));
    signal(&s, &p, "api_outage", json!({"for": 3_600_000})).expect(202);
    s.get(CHANNELS, &p.token).expect(503);
    s.pause(&p.id);
    s.terminate();
    s.restart();
    let e = s.get(CHANNELS, &p.token).expect(503);
    assert_eq!(e["error"]["status"], "UNAVAILABLE", "{e}");
    let kinds: Vec<String> = notices(&s, &p).into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds[0], "fault_started", "{kinds:?}");
}

#[test]
fn the_platform_listing_documents_each_fault_signal_with_the_ranges_enforced() {
    let s = Server::start();
    let p = s.create(json!({"platforms": ["youtube"], "size": 10_000, "seed": 4}));
    let list = s.get("/v1/platforms", &p.token).expect(200);
    let host = &list["host"];
    assert_eq!(host["platform"], "diorama");
    assert_eq!(host["max_active"], 16);
    let signals = host["signals"].as_array().unwrap();
    let names: Vec<&str> = signals
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["api_errors", "api_outage", "api_slow", "webhook_outage"]
    );
    for sig in signals {
        let name = sig["name"].as_str().unwrap();
        assert!(!sig["description"].as_str().unwrap().is_empty(), "{sig}");
        let params = sig["params"].as_array().unwrap();
        // The listed required parameters at their listed minimum: accepted.
        let mut least = serde_json::Map::new();
        for q in params {
            if q["description"].as_str().unwrap().starts_with("required") {
                least.insert(q["name"].as_str().unwrap().into(), q["min"].clone());
            }
        }
        // Each listed maximum, one past it: refused, naming the parameter.
        for q in params.iter().filter(|q| q["max"].is_number()) {
            let key = q["name"].as_str().unwrap();
            let mut over = least.clone();
            let past = if q["kind"] == "count" {
                json!(q["max"].as_i64().unwrap() + 1)
            } else {
                json!(q["max"].as_f64().unwrap() + 0.5)
            };
            over.insert(key.into(), past);
            let m = signal(&s, &p, name, Value::Object(over)).error(422, "invalid");
            assert!(m.contains(&format!("`{key}`")), "{name}.{key}: {m}");
        }
        // Each listed choice is accepted.
        for q in params.iter().filter(|q| q["name"] == "kind") {
            for choice in q["choices"].as_array().unwrap() {
                let mut m = least.clone();
                m.insert("kind".into(), choice.clone());
                signal(&s, &p, name, Value::Object(m)).expect(202);
            }
        }
        if name != "api_errors" {
            signal(&s, &p, name, Value::Object(least)).expect(202);
        }
    }
}
