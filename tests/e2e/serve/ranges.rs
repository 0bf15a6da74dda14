//! Every number a client sends has a range: out of it, the answer is a 422
//! (400 for a query parameter) naming the field, and nothing is stored or
//! changed. A speed that cannot be timed, taken by an older build, no longer
//! bricks the data folder: that one profile is restored degraded.

use serde_json::{json, Value};

use super::*;

/// The message of an error answer, after checking it is `status` (with
/// any error code) and names `field`.
fn refused(r: &Resp, status: u16, field: &str) -> String {
    let body = r.expect(status);
    let message = body["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no error message: {}", r.text))
        .to_string();
    assert!(
        message.contains(field),
        "the message names `{field}`: {message}"
    );
    message
}

#[test]
fn out_of_range_numbers_are_refused_naming_the_field_and_nothing_changes() {
    let s = Server::start();
    let p = s.create(json!({"platforms": ["youtube"], "seed": 3}));
    let profiles = || {
        s.get("/v1/profiles", ADMIN).expect(200)["profiles"]
            .as_array()
            .expect("profiles")
            .len()
    };
    let before = profiles();

    // POST /v1/profiles: (body, the field the answer must name).
    let create: Vec<(Value, &str)> = vec![
        (json!({"speed": 1e-30}), "speed"),
        (json!({"speed": 0.0}), "speed"),
        (json!({"speed": -1.0}), "speed"),
        (json!({"speed": 1e9}), "speed"),
        (json!({"speed": 100_000.5}), "speed"),
        (json!({"size": 0}), "size"),
        (json!({"size": 1_000_000_001u64}), "size"),
        (json!({"size": u64::MAX}), "size"),
        (json!({"size": -1}), "size"),
        (json!({"size": 1.5}), "size"),
        (json!({"inactivity_ttl_s": 0}), "inactivity_ttl_s"),
        (json!({"inactivity_ttl_s": u64::MAX}), "inactivity_ttl_s"),
        (
            json!({"inactivity_ttl_s": 315_360_001u64}),
            "inactivity_ttl_s",
        ),
        (json!({"inactivity_ttl_s": -5}), "inactivity_ttl_s"),
        (json!({"inactivity_ttl_s": 1e300}), "inactivity_ttl_s"),
        (
            json!({"limits": {"interactions_per_day": 0}}),
            "interactions_per_day",
        ),
        (
            json!({"limits": {"interactions_per_day": u64::MAX}}),
            "interactions_per_day",
        ),
        (
            json!({"limits": {"interactions_per_day": -1}}),
            "interactions_per_day",
        ),
        (
            json!({"platforms": {"youtube": {"audience": u64::MAX}}}),
            "audience",
        ),
        (
            json!({"platforms": {"youtube": {"subscribers": 1e300}}}),
            "subscribers",
        ),
        (
            json!({"platforms": {"instagram": {"followers": -1}}}),
            "followers",
        ),
        (
            json!({"platforms": {"tiktok": {"avg_views": 1_000_000_001u64}}}),
            "avg_views",
        ),
        (json!({"seed": -1}), "seed"),
        (json!({"seed": 1e30}), "seed"),
        (json!({"start": "0001-01-01T00:00:00Z"}), "start"),
        (json!({"expires_at": "1969-12-31T23:59:59Z"}), "expires_at"),
    ];
    for (body, field) in &create {
        let r = s.post("/v1/profiles", ADMIN, body);
        refused(&r, 422, field);
    }
    assert_eq!(profiles(), before, "no refused profile was stored");

    // PATCH /v1/profiles/{id}: nothing changes.
    let path = format!("/v1/profiles/{}", p.id);
    let view = s.view(&p.id, ADMIN);
    let patch: Vec<(Value, &str)> = vec![
        (json!({"inactivity_ttl_s": 0}), "inactivity_ttl_s"),
        (json!({"inactivity_ttl_s": u64::MAX}), "inactivity_ttl_s"),
        (json!({"inactivity_ttl_s": -1}), "inactivity_ttl_s"),
        (
            json!({"limits": {"interactions_per_day": 0}}),
            "interactions_per_day",
        ),
        (
            json!({"limits": {"interactions_per_day": 1_000_000_001u64}}),
            "interactions_per_day",
        ),
        (json!({"expires_at": "0001-01-01T00:00:00Z"}), "expires_at"),
        (
            json!({"name": "renamed", "inactivity_ttl_s": u64::MAX}),
            "inactivity_ttl_s",
        ),
    ];
    for (body, field) in &patch {
        let r = s.call("PATCH", &path, Some(ADMIN), Some(body));
        refused(&r, 422, field);
    }
    // Reading touches the profile: compare all but its last activity.
    let settled = |mut v: Value| {
        if let Some(m) = v.as_object_mut() {
            m.remove("last_active");
        }
        v
    };
    assert_eq!(
        settled(s.view(&p.id, ADMIN)),
        settled(view),
        "a refused PATCH changes nothing"
    );

    // start and resume take a speed.
    for route in ["start", "resume"] {
        for speed in [
            json!(1e-30),
            json!(0),
            json!(-3),
            json!(1e12),
            json!("fast"),
        ] {
            let r = s.post(
                &format!("/v1/profiles/{}/{route}", p.id),
                ADMIN,
                &json!({ "speed": speed }),
            );
            refused(&r, 422, "speed");
        }
    }
    assert_eq!(s.view(&p.id, ADMIN)["status"], "created", "never started");

    // Query parameters: 400 naming the parameter. (The hook's target is
    // never contacted: the profile has no events.)
    let hook = s
        .post(
            &format!("/v1/profiles/{}/webhooks", p.id),
            &p.token,
            &json!({"url": "http://127.0.0.1:9/hook", "secret": "ranges-secret-0123"}),
        )
        .expect(201);
    let hook = format!(
        "/v1/profiles/{}/webhooks/{}",
        p.id,
        hook["id"].as_str().expect("a hook id")
    );
    let queries: Vec<(String, &str)> = vec![
        (format!("/v1/profiles/{}/events?limit=0", p.id), "limit"),
        (format!("/v1/profiles/{}/events?limit=1001", p.id), "limit"),
        (
            format!("/v1/profiles/{}/events?limit=99999999999999999999999", p.id),
            "limit",
        ),
        (format!("/v1/profiles/{}/events?after=-1", p.id), "after"),
        (
            format!("/v1/profiles/{}/events?after=99999999999999999999999", p.id),
            "after",
        ),
        (
            format!("/v1/profiles/{}/interactions?limit=5000", p.id),
            "limit",
        ),
        (
            format!("/v1/profiles/{}/interactions?from=-1", p.id),
            "from",
        ),
        (
            format!("/v1/profiles/{}/interactions?to=9223372036854775807", p.id),
            "to",
        ),
        (
            format!(
                "/v1/profiles/{}/interactions?order=desc&before=18446744073709551616",
                p.id
            ),
            "before",
        ),
        (format!("/v1/profiles/{}/contents?limit=0", p.id), "limit"),
        (format!("/v1/profiles/{}/stream?after=-7", p.id), "after"),
        (format!("{hook}/deliveries?limit=0"), "limit"),
        (format!("{hook}/deliveries?limit=1001"), "limit"),
        (format!("{hook}/deliveries?limit=-1"), "limit"),
    ];
    for (path, field) in &queries {
        let r = s.get(path, ADMIN);
        refused(&r, 400, field);
    }

    // The documented ranges are the ones enforced.
    let doc = s.call("GET", "/v1/openapi.json", None, None).expect(200);
    let schemas = &doc["components"]["schemas"];
    let create = &schemas["ProfileCreate"]["properties"];
    assert_eq!(create["inactivity_ttl_s"]["minimum"], 1);
    assert_eq!(create["inactivity_ttl_s"]["maximum"], 315_360_000);
    assert_eq!(create["size"]["maximum"], 1_000_000_000);
    assert_eq!(create["speed"]["minimum"], 0.001);
    assert_eq!(create["speed"]["maximum"], 100_000.0);
    assert_eq!(
        schemas["Limits"]["properties"]["interactions_per_day"]["minimum"],
        1
    );
    assert_eq!(
        schemas["ProfileUpdate"]["properties"]["inactivity_ttl_s"]["maximum"],
        315_360_000
    );
    assert_eq!(
        schemas["SpeedBody"]["properties"]["speed"]["minimum"],
        0.001
    );

    // The edges themselves are accepted, and the profile is not swept.
    let edge = s.create(json!({
        "platforms": ["youtube"],
        "inactivity_ttl_s": 315_360_000u64,
        "speed": 0.001,
        "limits": {"interactions_per_day": 1_000_000_000u64},
    }));
    assert_eq!(edge.view["status"], "running", "{}", edge.view);
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(s.view(&edge.id, ADMIN)["status"], "running");
    let res = s.post(
        &format!("/v1/profiles/{}/start", p.id),
        ADMIN,
        &json!({"speed": 100_000}),
    );
    res.expect(200);
}

/// The request: `speed: 1e-30` on every route that takes a speed is
/// a 422, and the data folder still starts after it.
#[test]
fn a_tiny_speed_is_refused_everywhere_and_the_server_restarts() {
    let mut s = Server::start();
    let r = s.post(
        "/v1/profiles",
        ADMIN,
        &json!({"platforms": ["youtube"], "speed": 1e-30}),
    );
    let m = refused(&r, 422, "speed");
    assert!(m.contains("0.001"), "the range is given: {m}");
    let p = s.create(json!({"platforms": ["youtube"], "speed": 600}));
    s.pause(&p.id);
    for route in ["resume", "start"] {
        let r = s.post(
            &format!("/v1/profiles/{}/{route}", p.id),
            ADMIN,
            &json!({"speed": 1e-30}),
        );
        refused(&r, 422, "speed");
    }
    assert_eq!(s.view(&p.id, ADMIN)["status"], "paused");
    s.terminate();
    s.restart();
    assert_eq!(s.view(&p.id, ADMIN)["status"], "paused");
}

/// A data folder holding a state an older build wrote (a speed out of
/// today's range, a zero window) still starts: that profile is degraded
/// with a reason, the others run.
#[test]
fn a_stored_state_out_of_range_degrades_one_profile_and_the_server_starts() {
    use diorama::live::LIVE_STATE;
    use diorama::store::Store;

    let mut s = Server::start();
    let bad = s.create(json!({"platforms": ["youtube"], "seed": 5, "speed": 600}));
    let also_bad = s.create(json!({"platforms": ["youtube"], "seed": 6}));
    let good = s.create(json!({"platforms": ["youtube"], "seed": 7, "speed": 600}));
    wait_for("events on the good profile", PATIENCE, || {
        (s.view(&good.id, ADMIN)["events"].as_u64().unwrap_or(0) > 0).then_some(())
    });
    s.terminate();

    // Write the states as the build before the ranges did: it took any
    // positive speed (and stored it running), and nothing checked windows.
    {
        let store = Store::open(&s.data()).expect("the stopped server's store opens");
        let rewrite = |id: &str, f: &dyn Fn(&mut Value)| {
            let owner: u64 = id.parse().expect("a numeric id");
            let bytes = store
                .record(LIVE_STATE, owner, b"state")
                .expect("read")
                .expect("a stored state");
            let mut state: Value = serde_json::from_slice(&bytes).expect("JSON state");
            f(&mut state);
            store
                .put_record(
                    LIVE_STATE,
                    owner,
                    b"state",
                    &serde_json::to_vec(&state).unwrap(),
                )
                .expect("write");
        };
        rewrite(&bad.id, &|st| {
            st["speed"] = json!(1e-30);
            st["status"] = json!("running");
        });
        rewrite(&also_bad.id, &|st| {
            st["window"] = json!(0);
            st["inactivity_ttl_s"] = json!(u64::MAX);
        });
        store.flush().expect("flush");
    }

    s.restart();
    let v = s.view(&bad.id, ADMIN);
    assert_eq!(v["status"], "degraded", "{v}");
    let reason = v["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("speed") && reason.contains("out of range"),
        "{reason}"
    );
    let v = s.view(&also_bad.id, ADMIN);
    assert_eq!(v["status"], "degraded", "{v}");
    let reason = v["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("window") && reason.contains("inactivity_ttl_s"),
        "{reason}"
    );
    // It cannot be started again; its data is still readable.
    s.post(
        &format!("/v1/profiles/{}/start", bad.id),
        ADMIN,
        &json!({"speed": 10}),
    )
    .error(409, "conflict");
    s.post(
        &format!("/v1/profiles/{}/signals", bad.id),
        ADMIN,
        &json!({"platform": "youtube", "signal": "viral"}),
    )
    .error(409, "conflict");
    s.get(&format!("/v1/profiles/{}/events", bad.id), &bad.token)
        .expect(200);
    // The good profile resumed and keeps generating.
    let before = s.view(&good.id, ADMIN)["events"].as_u64().unwrap();
    assert_eq!(s.view(&good.id, ADMIN)["status"], "running");
    wait_for("more events on the good profile", PATIENCE, || {
        (s.view(&good.id, ADMIN)["events"].as_u64().unwrap() > before).then_some(())
    });
    // And the data folder survives another stop and start.
    s.terminate();
    s.restart();
    assert_eq!(s.view(&bad.id, ADMIN)["status"], "degraded");
}
