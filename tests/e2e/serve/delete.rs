//! Deleting a profile removes every key it owns, and only those.

use std::sync::{Arc, Mutex};

use serde_json::json;

use super::*;

#[test]
fn deleting_a_profile_removes_all_its_keys() {
    let receiver = Receiver::start(0, Arc::new(Mutex::new(Vec::new())));
    let mut s = Server::start();
    let spec = |seed: u64| {
        json!({
            "platforms": ["youtube", "instagram"],
            "size": 500_000,
            "seed": seed,
            "speed": 5_000,
            "limits": {"interactions_per_day": 10_000_000},
        })
    };
    let doomed = s.create(spec(31));
    let kept = s.create(spec(32));
    let hook = s
        .post(
            &format!("/v1/profiles/{}/webhooks", doomed.id),
            &doomed.token,
            &json!({"url": format!("http://127.0.0.1:{}/hook", receiver.port), "secret": "delete-test-secret-16"}),
        )
        .expect(201);
    let hook_id = hook["id"].as_str().unwrap().to_string();
    wait_for(
        "both profiles to store events and a delivery",
        PATIENCE,
        || {
            let a = s.view(&doomed.id, ADMIN)["events"].as_u64().unwrap();
            let b = s.view(&kept.id, ADMIN)["events"].as_u64().unwrap();
            (a >= 50 && b >= 50 && !receiver.got.lock().unwrap().is_empty()).then_some(())
        },
    );
    // A scenario run is stored beside the profile too.
    let run = s
        .post(
            &format!("/v1/profiles/{}/scenarios", doomed.id),
            ADMIN,
            &json!({"script": "let x = 1 + 1;"}),
        )
        .expect(202);
    assert!(run["id"].is_string() || run["id"].is_u64(), "{run}");

    let gone = s
        .call(
            "DELETE",
            &format!("/v1/profiles/{}", doomed.id),
            Some(ADMIN),
            None,
        )
        .expect(200);
    assert_eq!(gone["deleted"], doomed.id.as_str(), "{gone}");
    let keys = gone["keys_removed"].as_u64().expect("keys_removed");
    assert!(keys > 0, "{gone}");

    s.get(&format!("/v1/profiles/{}", doomed.id), ADMIN)
        .error(404, "not_found");
    s.get(&format!("/v1/profiles/{}/events", doomed.id), ADMIN)
        .error(404, "not_found");
    s.get(
        &format!("/v1/profiles/{}/webhooks/{hook_id}", doomed.id),
        ADMIN,
    )
    .error(404, "not_found");
    s.get(&format!("/v1/profiles/{}", doomed.id), &doomed.token)
        .error(401, "unauthorized");
    s.call(
        "DELETE",
        &format!("/v1/profiles/{}", doomed.id),
        Some(ADMIN),
        None,
    )
    .error(404, "not_found");
    let list = s.get("/v1/profiles", ADMIN).expect(200);
    let ids: Vec<&str> = list["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![kept.id.as_str()]);
    assert_eq!(s.view(&kept.id, &kept.token)["status"], "running");

    s.terminate();
    let store =
        diorama::store::Store::open(&s.data()).expect("the store opens once the server stopped");
    let owner = |id: &str| id.parse::<u64>().expect("a numeric id");
    assert_eq!(
        store.count_owner_keys(owner(&doomed.id)).unwrap(),
        0,
        "no key of the deleted profile is left"
    );
    let left = store.count_owner_keys(owner(&kept.id)).unwrap();
    assert!(left > 0, "the other profile keeps its keys");
}
