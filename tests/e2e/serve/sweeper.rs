//! A profile is gone once its `expires_at` has passed, and not before; the
//! sweeper then deletes it.

use serde_json::json;

use super::*;

#[test]
fn an_expired_profile_is_swept() {
    let s = Server::start();
    let expires_ms = (unix_now_ms() / 1000 + 3) * 1000;
    let expires = chrono::DateTime::from_timestamp_millis(expires_ms)
        .expect("a time")
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let doomed = s.create(json!({"platforms": ["youtube"], "speed": 1000, "expires_at": expires}));
    let kept = s.create(json!({"platforms": ["youtube"], "speed": 1000}));
    assert_eq!(
        doomed.view["expires_at"],
        expires.as_str(),
        "{}",
        doomed.view
    );
    assert!(kept.view["expires_at"].is_null());

    let gone_at = wait_for("the expired profile to be swept", PATIENCE, || {
        let r = s.get(&format!("/v1/profiles/{}", doomed.id), ADMIN);
        let seen = unix_now_ms();
        match r.status {
            200 => None,
            404 => Some(seen),
            other => panic!("GET the doomed profile: {other} {}", r.text),
        }
    });
    assert!(
        gone_at >= expires_ms,
        "swept at {gone_at}, before its end {expires_ms}"
    );
    // Unreadable from its end on; then the sweeper deletes it, token and all,
    // and nothing else goes.
    wait_for("the sweeper to delete it with its token", PATIENCE, || {
        let r = s.get(&format!("/v1/profiles/{}", doomed.id), &doomed.token);
        match r.status {
            404 => None,
            401 => Some(()),
            other => panic!("GET the doomed profile with its token: {other} {}", r.text),
        }
    });
    assert_eq!(s.view(&kept.id, &kept.token)["status"], "running");
    let list = s.get("/v1/profiles", ADMIN).expect(200);
    let ids: Vec<_> = list["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, vec![kept.id.clone()]);
}

fn unix_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as i64
}
