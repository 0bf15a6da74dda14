//! Bad requests get precise JSON errors, and none of them harms the server
//! or the data already there.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use super::*;

#[test]
fn bad_requests_get_precise_errors_and_harm_nothing() {
    let s = Server::start();
    let p = s.create(json!({
        "platforms": ["youtube"],
        "size": 500_000,
        "seed": 61,
        "speed": 5_000,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    wait_for("some events", PATIENCE, || {
        (s.view(&p.id, ADMIN)["events"].as_u64().unwrap() >= 20).then_some(())
    });
    s.pause(&p.id);
    let events_path = format!("/v1/profiles/{}/events?limit=1000", p.id);
    let page_before = s.get(&events_path, ADMIN).expect(200);
    let view_before = s.view(&p.id, ADMIN);

    let raw = |body: &str| {
        s.send(
            s.request(Method::POST, "/v1/profiles")
                .bearer_auth(ADMIN)
                .header("content-type", "application/json")
                .body(body.to_string()),
            format!("POST /v1/profiles {}", &body[..body.len().min(40)]),
        )
    };
    raw("{\"size\": ").error(400, "malformed_json");
    raw("not json").error(400, "malformed_json");
    let m = raw("{\"size\":\"big\"}").error(422, "invalid_body");
    assert!(m.contains("size") || m.contains("string"), "{m}");
    let m = raw("{\"sise\": 5}").error(422, "invalid_body");
    assert!(m.contains("sise"), "the unknown field is named: {m}");
    let m = raw("{\"platforms\": [\"myspace\"]}").error(422, "invalid");
    assert!(m.contains("myspace"), "the unknown platform is named: {m}");
    let m = raw("{\"platforms\": {\"youtube\": {\"charisma\": 3}}}").error(422, "invalid");
    assert!(
        m.contains("charisma"),
        "the unknown parameter is named: {m}"
    );
    raw("{\"speed\": 1e9}").error(422, "invalid");
    let huge = format!("{{\"name\": \"{}\"}}", "a".repeat((1 << 20) + 10));
    raw(&huge).error(413, "body_too_large");
    s.send(
        s.request(Method::POST, "/v1/profiles")
            .bearer_auth(ADMIN)
            .body("{}"),
        "POST without a content type".into(),
    )
    .error(415, "unsupported_media_type");

    // Scenarios: a syntax error names its place; an endless loop is stopped.
    let scenarios = format!("/v1/profiles/{}/scenarios", p.id);
    let m = s
        .post(
            &scenarios,
            ADMIN,
            &json!({"script": "let x = 1;\nlet y = ;\n"}),
        )
        .error(422, "invalid");
    assert!(m.contains("posted.rhai:2:"), "line and column: {m}");
    assert!(m.contains("syntax error"), "{m}");
    s.post(&scenarios, ADMIN, &json!({"name": "no_such_scenario"}))
        .error(404, "not_found");
    s.post(
        &scenarios,
        ADMIN,
        &json!({"name": "troll_wave", "script": "1"}),
    )
    .error(422, "invalid");
    let run = s
        .post(&scenarios, ADMIN, &json!({"script": "loop { }"}))
        .expect(202);
    assert_eq!(run["status"], "running", "{run}");
    let run_id = match &run["id"] {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let ended = wait_for(
        "the endless script to be stopped",
        Duration::from_secs(120),
        || {
            let r = s.get(&format!("{scenarios}/{run_id}"), ADMIN).expect(200);
            (r["status"] != "running").then_some(r)
        },
    );
    assert_eq!(ended["status"], "error", "{ended}");
    assert!(
        ended["error"]
            .as_str()
            .is_some_and(|e| e.contains("operation limit")),
        "{ended}"
    );

    // Unknown things.
    s.get("/v1/profiles/424242", ADMIN).error(404, "not_found");
    s.get("/v1/profiles/not-a-number", ADMIN)
        .error(404, "not_found");
    let m = s.get("/v1/nothing/here", ADMIN).error(404, "not_found");
    assert!(m.contains("/v1/nothing/here"), "{m}");
    s.call("DELETE", "/v1/platforms", Some(ADMIN), None)
        .error(405, "method_not_allowed");
    // Bad queries.
    for q in ["limit=0", "limit=1001", "after=abc"] {
        s.get(&format!("/v1/profiles/{}/events?{q}", p.id), ADMIN)
            .error(400, "bad_query");
    }
    s.get(&format!("/v1/profiles/{}/events?bogus=1", p.id), ADMIN)
        .error(400, "bad_query");
    s.get(
        &format!("/v1/profiles/{}/interactions?sentiment=angry", p.id),
        ADMIN,
    )
    .error(400, "bad_query");
    // Lifecycle and patch refusals.
    s.post(
        &format!("/v1/profiles/{}/start", p.id),
        ADMIN,
        &json!({"speed": -1}),
    )
    .error(422, "invalid");
    s.call(
        "PATCH",
        &format!("/v1/profiles/{}", p.id),
        Some(ADMIN),
        Some(&json!({"seed": 3})),
    )
    .error(409, "conflict");

    // Still answering, and the profile's data is as it was.
    let health = s.call("GET", "/healthz", None, None).expect(200);
    assert_eq!(health["status"], "ok");
    assert_eq!(s.get(&events_path, ADMIN).expect(200), page_before);
    let view_after = s.view(&p.id, ADMIN);
    for field in ["status", "now", "events", "seed", "platforms", "name"] {
        assert_eq!(view_after[field], view_before[field], "{field}");
    }
}
