//! Scheduled actions over `/v1`: created, listed, changed and cancelled;
//! they go out at their virtual time, a refusal is retried, and the
//! schedule survives `kill -9`. A profile's past: the same for a seed,
//! before its start, and not counted against its daily limit.

use serde_json::{json, Value};

use super::*;

const START: &str = "2026-03-02T00:00:00Z";
const START_MS: i64 = 1_772_409_600_000;
const HOUR_MS: i64 = 3_600_000;

fn at(ms: i64) -> String {
    // RFC 3339 of a whole-second instant.
    let secs = ms / 1000;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // 2026-03-02 is day 20514 since the epoch; the tests stay within March.
    let day_of_march = days - 20_514 + 2;
    assert!(
        (1..=31).contains(&day_of_march),
        "a test time in March 2026"
    );
    format!(
        "2026-03-{day_of_march:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn schedule(s: &Server, p: &Profile, title: &str, when: i64) -> Value {
    s.post(
        &format!("/v1/profiles/{}/scheduled", p.id),
        &p.token,
        &json!({
            "platform": "youtube",
            "kind": "publish",
            "params": {"kind": "short", "title": title},
            "at": at(when),
        }),
    )
    .expect(201)
}

fn listed(s: &Server, p: &Profile) -> Vec<Value> {
    s.get(&format!("/v1/profiles/{}/scheduled", p.id), &p.token)
        .expect(200)["scheduled"]
        .as_array()
        .unwrap()
        .clone()
}

fn notices(log: &[Value], code: &str) -> Vec<Value> {
    log.iter()
        .filter(|e| e["platform"] == "diorama" && e["kind"] == code)
        .cloned()
        .collect()
}

#[test]
fn scheduled_posts_are_changed_cancelled_go_out_on_time_are_retried_and_survive_a_crash() {
    let mut s = Server::start();
    let p = s.create(json!({
        "platforms": {"youtube": {"audience": 20_000, "upload_frequency": 0.01}},
        "seed": 3,
        "start": START,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    // Two posts, one moved and given a new title, one cancelled; then five
    // shorts at 04:00, which with the first two make seven uploads in a
    // day: YouTube takes six.
    let a = schedule(&s, &p, "First", START_MS + HOUR_MS);
    let b = schedule(&s, &p, "Second", START_MS + 3 * HOUR_MS);
    let c = schedule(&s, &p, "Dropped", START_MS + 3 * HOUR_MS);
    assert_eq!((a["id"].as_str(), b["id"].as_str()), (Some("1"), Some("2")));
    assert_eq!(a["at"], "2026-03-02T01:00:00.000Z");
    for i in 0..5 {
        schedule(
            &s,
            &p,
            &format!("Burst {i}"),
            START_MS + 4 * HOUR_MS + i * 60_000,
        );
    }
    assert_eq!(listed(&s, &p).len(), 8);
    let changed = s
        .call(
            "PATCH",
            &format!("/v1/profiles/{}/scheduled/2", p.id),
            Some(&p.token),
            Some(&json!({"at": at(START_MS + 2 * HOUR_MS), "params": {"kind": "short", "title": "Second, moved"}})),
        )
        .expect(200);
    assert_eq!(changed["at"], "2026-03-02T02:00:00.000Z");
    assert_eq!(changed["params"]["title"], "Second, moved");
    let gone = s
        .call(
            "DELETE",
            &format!(
                "/v1/profiles/{}/scheduled/{}",
                p.id,
                c["id"].as_str().unwrap()
            ),
            Some(&p.token),
            None,
        )
        .expect(200);
    assert_eq!(gone["params"]["title"], "Dropped");
    let view = s.view(&p.id, &p.token);
    assert_eq!(
        (view["scheduled"].as_u64(), view["history_days"].as_u64()),
        (Some(7), Some(0))
    );
    // Refusals: a cancelled id, a time before the profile's, an unknown action.
    s.call(
        "DELETE",
        &format!("/v1/profiles/{}/scheduled/3", p.id),
        Some(&p.token),
        None,
    )
    .error(404, "not_found");
    s.post(
        &format!("/v1/profiles/{}/scheduled", p.id),
        &p.token,
        &json!({"platform": "youtube", "kind": "publish", "params": {}, "at": "2026-03-01T00:00:00Z"}),
    )
    .error(422, "invalid");
    s.post(
        &format!("/v1/profiles/{}/scheduled", p.id),
        &p.token,
        &json!({"platform": "youtube", "kind": "dance", "at": at(START_MS + HOUR_MS)}),
    )
    .error(422, "invalid");
    let order: Vec<String> = listed(&s, &p)
        .iter()
        .map(|x| x["params"]["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        order[..2],
        ["First".to_string(), "Second, moved".to_string()]
    );
    assert_eq!(order.len(), 7);

    // Acknowledged means durable: a crash keeps the schedule as changed.
    s.crash();
    s.restart();
    let after: Vec<Value> = listed(&s, &p);
    assert_eq!(after.len(), 7, "{after:?}");
    assert_eq!(after[1]["params"]["title"], "Second, moved");

    // Run: 1 virtual hour is 0.72 s at 5,000×.
    s.post(
        &format!("/v1/profiles/{}/start", p.id),
        ADMIN,
        &json!({"speed": 5000.0}),
    )
    .expect(200);
    wait_for("a refusal of the burst", PATIENCE, || {
        let log = s.all_events(&p.id, &p.token);
        (!notices(&log, "scheduled_failed").is_empty()).then_some(())
    });
    // A crash between the refusal and its retry: the retry is kept.
    s.crash();
    s.restart();
    let retried = listed(&s, &p);
    assert!(
        retried.iter().any(|x| x["attempts"].as_u64() >= Some(1)),
        "the refused post waits for its retry: {retried:?}"
    );
    let log = wait_for("every scheduled post out", Duration::from_secs(90), || {
        let log = s.all_events(&p.id, &p.token);
        (notices(&log, "scheduled_published").len() == 7).then_some(log)
    });
    assert!(listed(&s, &p).is_empty());
    assert_contiguous(&log, "the log across two crashes");
    let posted = |title: &str| -> i64 {
        let found: Vec<&Value> = log
            .iter()
            .filter(|e| e["type"] == "content" && e["title"] == title)
            .collect();
        assert_eq!(found.len(), 1, "`{title}` is posted once");
        found[0]["at"].as_i64().unwrap()
    };
    assert_eq!(posted("First"), START_MS + HOUR_MS, "at its time");
    assert_eq!(
        posted("Second, moved"),
        START_MS + 2 * HOUR_MS,
        "at its new time"
    );
    assert!(log.iter().all(|e| e["title"] != "Dropped"));
    let failed = notices(&log, "scheduled_failed");
    let text = failed[0]["text"].as_str().unwrap();
    assert!(
        text.contains("rate limited") && text.contains("retry 1 of 5"),
        "the refusal says why and when it is retried: {text}"
    );
    let late = (0..5)
        .filter(|i| posted(&format!("Burst {i}")) > START_MS + 4 * HOUR_MS + 4 * 60_000)
        .count();
    assert!(late >= 1, "a refused short went out later, on a retry");
    for code in ["scheduled", "scheduled_changed", "scheduled_cancelled"] {
        assert!(!notices(&log, code).is_empty(), "a `{code}` notice");
    }
    assert!(notices(&log, "scheduled_given_up").is_empty());
}

fn history_body(name: &str) -> Value {
    json!({
        "name": name,
        "platforms": ["youtube", "instagram"],
        "size": 100_000,
        "seed": 9,
        "start": START,
        "history_days": 10,
        "limits": {"interactions_per_day": 1_000},
    })
}

/// A profile's events without what names the profile.
fn anonymous(log: &[Value]) -> Vec<Value> {
    log.iter()
        .map(|e| {
            let mut e = e.clone();
            e.as_object_mut().unwrap().remove("profile");
            e
        })
        .collect()
}

#[test]
fn a_past_is_the_same_for_a_seed_lies_before_the_start_and_is_not_counted_against_the_day() {
    let s = Server::start();
    // The same request twice (the account's name is part of what it is).
    let first = s.create(history_body("past"));
    let a = s.all_events(&first.id, &first.token);
    s.call(
        "DELETE",
        &format!("/v1/profiles/{}", first.id),
        Some(ADMIN),
        None,
    )
    .expect(200);
    let one = s.create(history_body("past"));
    let b = s.all_events(&one.id, &one.token);
    let interactions = a.iter().filter(|e| e["type"] == "interaction").count();
    assert!(
        interactions > 1_000,
        "ten days of a 100k creator: {interactions} interactions"
    );
    assert!(a.iter().any(|e| e["type"] == "content"), "earlier posts");
    assert!(
        a.iter().all(|e| {
            let t = e["at"].as_i64().unwrap();
            (START_MS - 10 * 24 * HOUR_MS..START_MS).contains(&t)
        }),
        "the past lies in the ten days before the start"
    );
    assert!(
        anonymous(&a) == anonymous(&b),
        "the same seed gives the same past"
    );
    // More interactions than the day allows, yet the profile runs.
    s.post(
        &format!("/v1/profiles/{}/start", one.id),
        ADMIN,
        &json!({"speed": 60.0}),
    )
    .expect(200);
    std::thread::sleep(Duration::from_secs(2));
    let view = s.view(&one.id, &one.token);
    assert_eq!(view["status"], "running", "{view}");
    assert_eq!(view["history_days"], 10, "{view}");

    // Presets: listed, and a profile made from one.
    let presets = s.get("/v1/presets", ADMIN).expect(200);
    let names: Vec<&str> = presets["presets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for n in ["small-creator", "100k-tech", "agency-6-platforms"] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
    let small = s.create(json!({"preset": "small-creator", "history_days": 2, "start": START}));
    let platforms: Vec<&String> = small.view["platforms"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(platforms, ["instagram", "tiktok"]);
    assert_eq!(small.view["history_days"], 2);
    s.post("/v1/profiles", ADMIN, &json!({"preset": "no-such"}))
        .error(422, "invalid");
    s.post("/v1/profiles", ADMIN, &json!({"history_days": 366}))
        .error(422, "invalid");
}
