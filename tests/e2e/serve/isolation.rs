//! Tokens: a profile's token reads and acts on its own profile only; other
//! profiles look exactly like ids that do not exist.

use reqwest::Method;
use serde_json::json;

use super::*;

#[test]
fn a_profile_token_sees_its_own_profile_only() {
    let s = Server::start();
    let a = s.create(json!({"name": "alpha", "platforms": ["youtube"], "seed": 1}));
    let b = s.create(json!({"name": "beta", "platforms": ["youtube"], "seed": 2}));
    assert_ne!(a.id, b.id);
    assert_ne!(a.token, b.token);
    let ghost = "987654";

    // Its own profile: fine.
    let own = s.view(&a.id, &a.token);
    assert_eq!(own["name"], "alpha");
    assert!(
        own.get("token").is_none(),
        "the token is shown only at creation: {own}"
    );
    for path in ["", "/events", "/interactions", "/contents", "/webhooks"] {
        s.get(&format!("/v1/profiles/{}{path}", a.id), &a.token)
            .expect(200);
    }

    // Another profile: the same 404 as an id that does not exist.
    for path in [
        "",
        "/events",
        "/interactions",
        "/contents",
        "/webhooks",
        "/stream",
    ] {
        let theirs = s.get(&format!("/v1/profiles/{}{path}", b.id), &a.token);
        let nobody = s.get(&format!("/v1/profiles/{ghost}{path}"), &a.token);
        let m1 = theirs.error(404, "not_found");
        let m2 = nobody.error(404, "not_found");
        assert_eq!(m1, format!("no profile `{}`", b.id), "GET {path}");
        assert_eq!(
            m1.replace(&b.id, "X"),
            m2.replace(ghost, "X"),
            "GET {path}: nothing tells an existing profile from a missing one"
        );
    }
    let act = json!({"platform": "youtube", "kind": "publish", "params": {"title": "x"}});
    let theirs = s.post(&format!("/v1/profiles/{}/actions", b.id), &a.token, &act);
    assert_eq!(
        theirs.error(404, "not_found"),
        format!("no profile `{}`", b.id)
    );
    let hook = json!({"url": "http://127.0.0.1:9/hook", "secret": "isolation-secret-16"});
    let theirs = s.post(&format!("/v1/profiles/{}/webhooks", b.id), &a.token, &hook);
    assert_eq!(
        theirs.error(404, "not_found"),
        format!("no profile `{}`", b.id)
    );

    // Admin routes: 403 on its own id and on the collection, 404 elsewhere.
    s.post("/v1/profiles", &a.token, &json!({}))
        .error(403, "forbidden");
    s.get("/v1/profiles", &a.token).error(403, "forbidden");
    for (method, tail, body) in [
        ("POST", "/pause", json!({})),
        ("POST", "/start", json!({})),
        ("POST", "/resume", json!({})),
        ("POST", "/stop", json!({})),
        (
            "POST",
            "/signals",
            json!({"platform": "youtube", "signal": "growth", "params": {}}),
        ),
        ("POST", "/scenarios", json!({"name": "troll_wave"})),
        ("PATCH", "", json!({"name": "mine"})),
        ("DELETE", "", json!({})),
    ] {
        let r = s.call(
            method,
            &format!("/v1/profiles/{}{tail}", a.id),
            Some(&a.token),
            Some(&body),
        );
        r.error(403, "forbidden");
        let r = s.call(
            method,
            &format!("/v1/profiles/{}{tail}", b.id),
            Some(&a.token),
            Some(&body),
        );
        assert_eq!(
            r.error(404, "not_found"),
            format!("no profile `{}`", b.id),
            "{method} {tail}"
        );
    }

    // No token, a garbage token, a malformed header: 401 with a challenge.
    for (what, req) in [
        (
            "no token",
            s.request(Method::GET, &format!("/v1/profiles/{}", a.id)),
        ),
        (
            "a garbage token",
            s.request(Method::GET, &format!("/v1/profiles/{}", a.id))
                .bearer_auth("dpt_0000000000000000"),
        ),
        (
            "not a bearer token",
            s.request(Method::GET, &format!("/v1/profiles/{}", a.id))
                .header("authorization", format!("Basic {}", a.token)),
        ),
    ] {
        let r = s.send(req, what.to_string());
        r.error(401, "unauthorized");
        let challenge = r
            .headers
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(challenge.starts_with("Bearer"), "{what}: {challenge:?}");
    }
    s.call("GET", "/v1/platforms", None, None)
        .error(401, "unauthorized");
    // The token is checked before the body: a stranger learns nothing about
    // what a body should hold.
    for path in [
        "/v1/profiles".to_string(),
        format!("/v1/profiles/{}/actions", a.id),
        format!("/v1/profiles/{}/webhooks", a.id),
    ] {
        let req = s
            .request(Method::POST, &path)
            .header("content-type", "application/json")
            .body("{not json");
        s.send(req, format!("POST {path} without a token"))
            .error(401, "unauthorized");
    }

    // Nothing A tried changed B; B's own token and the admin still see it.
    let seen = s.view(&b.id, &b.token);
    assert_eq!(seen["name"], "beta");
    assert_eq!(seen["status"], "created");
    assert_eq!(s.view(&b.id, ADMIN)["name"], "beta");
    assert_eq!(s.view(&a.id, ADMIN)["name"], "alpha");
    let list = s.get("/v1/profiles", ADMIN).expect(200);
    assert_eq!(list["profiles"].as_array().map(Vec::len), Some(2), "{list}");
}
