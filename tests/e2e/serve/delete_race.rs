//! Deleting a profile while it is being written to: PATCHes, signals,
//! actions and webhook creation race the DELETE. Whatever wins, once the
//! DELETE is answered the profile is gone for good: not back after a
//! restart, and not one key of it left in the store.

use std::time::Duration;

use serde_json::json;

use super::*;

const ROUNDS: u64 = 8;

/// Statuses a writer may get while the profile exists (a refusal is fine).
fn alive(status: u16) -> bool {
    matches!(status, 200 | 201 | 202 | 409 | 422 | 429)
}

/// Statuses once it is deleted: an unknown profile, or a token gone with it.
fn gone(status: u16) -> bool {
    matches!(status, 404 | 401)
}

#[test]
fn writers_racing_a_delete_leave_nothing_behind() {
    let receiver = Receiver::start(0, std::sync::Arc::new(std::sync::Mutex::new(Vec::new())));
    let hook_url = format!("http://127.0.0.1:{}/hook", receiver.port);
    let mut s = Server::start_with(&["--action-rate", "100000"]);
    let mut ids = Vec::new();
    for round in 0..ROUNDS {
        let p = s.create(json!({
            "platforms": ["youtube"],
            "size": 100_000,
            "seed": 200 + round,
            "speed": 1_000,
            "limits": {"interactions_per_day": 100_000_000},
        }));
        let base = format!("/v1/profiles/{}", p.id);
        type Writer<'a> = Box<dyn Fn(u64) -> Resp + Send + Sync + 'a>;
        let (sv, pv, base, url) = (&s, &p, &base, &hook_url);
        let writers: Vec<(&str, Writer<'_>)> = vec![
            (
                "PATCH",
                Box::new(move |i| {
                    sv.call(
                        "PATCH",
                        base,
                        Some(ADMIN),
                        Some(&json!({"name": format!("racer-{i}"), "inactivity_ttl_s": 3600 + i})),
                    )
                }),
            ),
            (
                "signal",
                Box::new(move |_| {
                    sv.post(
                        &format!("{base}/signals"),
                        ADMIN,
                        &json!({"platform": "youtube", "signal": "troll_wave",
                                "params": {"size": 5, "duration": 60000}}),
                    )
                }),
            ),
            (
                "action",
                Box::new(move |i| {
                    sv.post(
                        &format!("{base}/actions"),
                        &pv.token,
                        &json!({"platform": "youtube", "kind": "publish",
                                "params": {"title": format!("Race {i}")}}),
                    )
                }),
            ),
            (
                "webhook",
                Box::new(move |_| {
                    sv.post(
                        &format!("{base}/webhooks"),
                        &pv.token,
                        &json!({"url": url, "secret": "a-secret-of-enough-bytes"}),
                    )
                }),
            ),
        ];
        std::thread::scope(|scope| {
            for (what, f) in &writers {
                scope.spawn(move || {
                    for i in 0.. {
                        let r = f(i);
                        if gone(r.status) {
                            return;
                        }
                        assert!(alive(r.status), "{what} #{i}: {} {}", r.status, r.text);
                    }
                });
            }
            std::thread::sleep(Duration::from_millis(30 + round * 20));
            sv.call("DELETE", base, Some(ADMIN), None).expect(200);
        });
        drop(writers);
        ids.push(p.id);
    }

    // A clean stop writes out whatever a late writer managed to store.
    s.terminate();
    {
        let store = diorama::store::Store::open(&s.data()).expect("the store opens");
        for id in &ids {
            let owner: u64 = id.parse().unwrap();
            assert_eq!(
                store.count_owner_keys(owner).unwrap(),
                0,
                "profile {id} left keys behind"
            );
        }
    }
    s.restart();
    for id in &ids {
        s.get(&format!("/v1/profiles/{id}"), ADMIN)
            .error(404, "not_found");
    }
    let list = s.get("/v1/profiles", ADMIN).expect(200);
    assert_eq!(list["profiles"], json!([]), "nothing came back");
}
