//! Control of live profiles: a failing plugin degrades its own profile
//! only; the daily interaction limit pauses a profile by itself; the
//! server's live-profile limit; a ready scenario run on a live profile.

use serde_json::{json, Value};

use super::*;

fn status(s: &Server, id: &str) -> Value {
    s.view(id, ADMIN)
}

#[test]
fn a_failing_plugin_degrades_its_profile_and_the_others_carry_on() {
    let plugins = crate::common::test_plugins();
    let s = Server::start_with(&["--plugins", plugins.to_str().expect("utf-8 path")]);
    let healthy = s.create(json!({
        "platforms": ["youtube"], "size": 500_000, "speed": 5_000,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let trap = s.create(json!({ "platforms": {"hostile": {"mode": "trap"}}, "speed": 100 }));
    let bomb = s.create(json!({ "platforms": {"hostile": {"mode": "memory"}}, "speed": 100 }));
    let flood = s.create(json!({ "platforms": {"hostile": {"mode": "flood"}}, "speed": 100 }));
    for (p, why) in [
        (&trap, "traps on purpose"),
        (&bomb, "memory"),
        (
            &flood,
            "it returned 100,001 events; a call may return at most 100,000",
        ),
    ] {
        let v = wait_for("the hostile profile to be degraded", PATIENCE, || {
            let v = status(&s, &p.id);
            (v["status"] == "degraded").then_some(v)
        });
        let reason = v["reason"].as_str().expect("a reason");
        assert!(
            reason.contains("hostile"),
            "the reason names the plugin: {reason}"
        );
        assert!(reason.contains(why), "the reason says why: {reason}");
        // It says so in its own stream, and refuses to start again.
        let events = s.all_events(&p.id, ADMIN);
        let last = events.last().expect("the degraded notice");
        assert_eq!(last["platform"], "diorama", "{last}");
        assert_eq!(last["kind"], "degraded", "{last}");
        let msg = s
            .post(&format!("/v1/profiles/{}/start", p.id), ADMIN, &json!({}))
            .error(409, "conflict");
        assert!(msg.contains("degraded"), "{msg}");
    }
    // The healthy profile keeps going while and after the others fail.
    let before = status(&s, &healthy.id)["events"].as_u64().unwrap();
    wait_for("the healthy profile to keep producing", PATIENCE, || {
        let v = status(&s, &healthy.id);
        (v["status"] == "running" && v["events"].as_u64().unwrap() > before + 20).then_some(())
    });
    let failures = metric(&s.metrics(), "diorama_plugin_failures_total").unwrap_or(0.0);
    assert!(failures >= 3.0, "every failure is counted: {failures}");
    assert_eq!(s.get("/healthz", ADMIN).expect(200)["status"], "ok");

    // The platform listing names each plugin's contract version: the 0.1
    // test plugin and the 0.2 one are loaded beside the 0.3 ones.
    let listing = s.get("/v1/platforms", ADMIN).expect(200);
    let versions: Vec<(String, String)> = listing["platforms"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default().to_string(),
                p["interface"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(
        versions.contains(&("legacy".into(), "0.1.0".into())),
        "{versions:?}"
    );
    assert!(
        versions.contains(&("archive".into(), "0.2.0".into())),
        "{versions:?}"
    );
    assert!(
        versions.contains(&("youtube".into(), "0.3.0".into())),
        "{versions:?}"
    );
}

#[test]
fn the_daily_interaction_limit_pauses_the_profile_until_raised() {
    let s = Server::start();
    let p = s.create(json!({
        "platforms": {"youtube": {"audience": 2_000_000, "comment_volume": "viral"}},
        "speed": 20_000,
        "limits": {"interactions_per_day": 60},
    }));
    let v = wait_for("the profile to limit itself", PATIENCE, || {
        let v = status(&s, &p.id);
        (v["status"] == "limited").then_some(v)
    });
    assert!(v["interactions_today"].as_u64().unwrap() >= 60, "{v}");
    let events = s.all_events(&p.id, &p.token);
    let notice = events
        .iter()
        .find(|e| e["kind"] == "interaction_limit")
        .expect("a notice says why the profile paused");
    assert_eq!(notice["platform"], "diorama");
    assert_eq!(notice["type"], "notice");
    // Nothing more happens while limited.
    let n = events.len();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        s.all_events(&p.id, &p.token).len(),
        n,
        "a limited profile is still"
    );
    let msg = s
        .post(&format!("/v1/profiles/{}/resume", p.id), ADMIN, &json!({}))
        .error(409, "conflict");
    assert!(msg.contains("interactions_per_day"), "{msg}");
    s.call(
        "PATCH",
        &format!("/v1/profiles/{}", p.id),
        Some(ADMIN),
        Some(&json!({"limits": {"interactions_per_day": 1_000_000}})),
    )
    .expect(200);
    let v = s
        .post(&format!("/v1/profiles/{}/resume", p.id), ADMIN, &json!({}))
        .expect(200);
    assert_eq!(v["status"], "running", "{v}");
    // The profile's view counts its stored events: reading them all again
    // would page through a viral profile's whole log on every poll.
    wait_for("events again after the limit was raised", PATIENCE, || {
        (status(&s, &p.id)["events"].as_u64().unwrap_or(0) > n as u64).then_some(())
    });
}

#[test]
fn the_server_runs_at_most_its_live_limit() {
    let s = Server::start_with(&["--max-live", "1"]);
    let a = s.create(json!({ "platforms": ["tiktok"], "speed": 10 }));
    let msg = s
        .post(
            "/v1/profiles",
            ADMIN,
            &json!({ "platforms": ["tiktok"], "speed": 10 }),
        )
        .error(409, "live_limit");
    assert!(msg.contains("maximum of 1"), "{msg}");
    let listed = s.get("/v1/profiles", ADMIN).expect(200);
    assert_eq!(listed["profiles"].as_array().unwrap().len(), 1, "{listed}");
    let b = s.create(json!({ "platforms": ["tiktok"] }));
    assert_eq!(b.view["status"], "created");
    s.post(&format!("/v1/profiles/{}/start", b.id), ADMIN, &json!({}))
        .error(409, "live_limit");
    s.pause(&a.id);
    let v = s
        .post(
            &format!("/v1/profiles/{}/start", b.id),
            ADMIN,
            &json!({"speed": 10}),
        )
        .expect(200);
    assert_eq!(v["status"], "running");
    assert_eq!(v["speed"], 10.0);
}

#[test]
fn a_ready_scenario_runs_on_a_live_profile() {
    let s = Server::start();
    // The viral_spike scenario's own channel, seed and start, live at high
    // speed: the same instances as in a batch run of the scenario.
    let p = s.create(json!({
        "name": "techtalks",
        "niche": "tech",
        "timezone": "America/New_York",
        "platforms": {"youtube": {"audience": 120_000}},
        "start": "2026-01-05T00:00:00Z",
        "seed": 42,
        "speed": 50_000,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let run = s
        .post(
            &format!("/v1/profiles/{}/scenarios", p.id),
            ADMIN,
            &json!({"name": "viral_spike"}),
        )
        .expect(202);
    assert_eq!(run["status"], "running", "{run}");
    let id = run["id"].as_str().expect("a run id").to_string();
    let done = wait_for("the scenario to end", Duration::from_secs(90), || {
        let r = s
            .get(&format!("/v1/profiles/{}/scenarios/{id}", p.id), &p.token)
            .expect(200);
        (r["status"] != "running").then_some(r)
    });
    assert_eq!(done["status"], "passed", "{done}");
    assert_eq!(done["expectations"].as_array().unwrap().len(), 7, "{done}");
    let value = |name: &str| {
        done["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .and_then(|v| v["value"].as_i64())
            .unwrap_or_else(|| panic!("value {name} in {done}"))
    };
    assert!(value("views") > value("views_before") * 10, "{done}");
    // Its effect is in the live profile's own stream: the viral video's views.
    let contents = s
        .get(
            &format!("/v1/profiles/{}/contents?platform=youtube", p.id),
            &p.token,
        )
        .expect(200);
    let top = contents["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["metrics"]["views"].as_i64())
        .max()
        .unwrap_or(0);
    assert!(
        top >= value("views"),
        "the live profile holds the spike: {top}"
    );
    // An unknown ready scenario is named.
    let msg = s
        .post(
            &format!("/v1/profiles/{}/scenarios", p.id),
            ADMIN,
            &json!({"name": "no_such"}),
        )
        .error(404, "not_found");
    assert!(
        msg.contains("viral_spike"),
        "the message lists the ready ones: {msg}"
    );
}
