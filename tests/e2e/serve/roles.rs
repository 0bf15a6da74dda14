//! The roles the OpenAPI document gives each operation are the ones the
//! server enforces: every documented operation is called with no token, a
//! token the server does not know, another profile's token, the profile's
//! own token and the admin token, and each answer must be what the
//! operation's `x-diorama-caller` says.

use std::time::Duration;

use serde_json::{json, Value};

use super::{Resp, Server, ADMIN};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Nobody,
    Stranger,
    OtherProfile,
    OwnProfile,
    Admin,
}

const EVERYONE: [Who; 5] = [
    Who::Nobody,
    Who::Stranger,
    Who::OtherProfile,
    Who::OwnProfile,
    Who::Admin,
];

/// A well-formed body for `method template`: the server judges a body
/// before the caller's role (after the token), so a malformed one would
/// hide the role's answer. `{}` where that is well-formed.
fn body(method: &str, template: &str) -> Value {
    match (method, template) {
        ("post", "/v1/profiles/{id}/signals") => {
            json!({ "platform": "youtube", "signal": "viral" })
        }
        ("post", "/v1/profiles/{id}/actions") => {
            json!({ "platform": "youtube", "kind": "no_such_action" })
        }
        ("post", "/v1/profiles/{id}/webhooks") => {
            json!({ "url": "http://127.0.0.1:9/roles", "secret": "0123456789abcdef" })
        }
        ("post", "/v1/profiles/{id}/scenarios") => json!({ "script": "let x = 1;" }),
        ("post", "/v1/profiles/{id}/scheduled") => {
            json!({ "platform": "youtube", "kind": "no_such_action", "at": "2030-01-01T00:00:00Z" })
        }
        _ => json!({}),
    }
}

/// Call `method path` as `token`, with `body` for a POST or PATCH. A
/// stream's answer is judged by its status alone (it never ends).
fn call(s: &Server, method: &str, path: &str, token: Option<&str>, body: &Value) -> Resp {
    let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
    let mut req = s.request(m, path).timeout(Duration::from_secs(30));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if matches!(method, "post" | "patch") {
        req = req.json(body);
    }
    let what = format!("{method} {path}");
    if path.ends_with("/stream") {
        let res = req.send().unwrap_or_else(|e| panic!("{what}: {e}"));
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = if status == 200 {
            String::new()
        } else {
            res.text().unwrap_or_default()
        };
        return Resp {
            status,
            headers,
            text,
            what,
        };
    }
    s.send(req, what)
}

/// The answer when the server refused to say whether profile `id` exists.
fn hides_profile(r: &Resp, id: &str) -> bool {
    r.status == 404
        && serde_json::from_str::<Value>(&r.text)
            .map(|v| v["error"]["message"] == format!("no profile `{id}`"))
            .unwrap_or(false)
}

/// Let through: not refused for who is calling. The handler may still
/// judge the request (a 4xx for the empty body or an unknown run, hook or
/// content), but not the caller, and never fail.
fn let_through(r: &Resp, id: &str) -> bool {
    r.status != 401 && r.status != 403 && !hides_profile(r, id) && r.status < 500
}

#[test]
fn every_documented_role_is_the_one_enforced() {
    let s = Server::start();
    let doc = s.call("GET", "/v1/openapi.json", None, None).expect(200);
    let own = s.create(json!({ "platforms": ["youtube"] }));
    let other = s.create(json!({ "platforms": ["youtube"] }));
    let hook = s
        .post(
            &format!("/v1/profiles/{}/webhooks", own.id),
            ADMIN,
            &json!({ "url": "http://127.0.0.1:9/hook", "secret": "0123456789abcdef" }),
        )
        .expect(201)["id"]
        .as_str()
        .expect("a hook id")
        .to_string();

    // Every operation with its role; deleting a profile last.
    let mut operations: Vec<(String, String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            let role = op["x-diorama-caller"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no x-diorama-caller"));
            operations.push((method.clone(), path.clone(), role.to_string()));
        }
    }
    operations.sort_by_key(|(m, p, _)| (m == "delete" && p == "/v1/profiles/{id}", p.clone()));
    // Every documented operation, counted once here.
    const OPERATIONS: usize = 34;
    assert_eq!(operations.len(), OPERATIONS, "{operations:?}");

    let mut checked = 0;
    for (method, template, role) in &operations {
        for who in EVERYONE {
            // Deleting a profile: each caller gets a profile of its own to
            // try it on, so an allowed delete leaves the others' in place.
            let deleting = method == "delete" && template == "/v1/profiles/{id}";
            let target = if deleting {
                s.create(json!({ "platforms": ["youtube"] }))
            } else {
                super::Profile {
                    id: own.id.clone(),
                    token: own.token.clone(),
                    view: Value::Null,
                }
            };
            let path = template
                .replace("{id}", &target.id)
                .replace("{hook}", &hook)
                .replace("{run}", "1")
                .replace("{content}", "c1")
                .replace("{sid}", "1");
            let token = match who {
                Who::Nobody => None,
                Who::Stranger => Some("not-a-token-of-this-server"),
                Who::OtherProfile => Some(other.token.as_str()),
                Who::OwnProfile => Some(target.token.as_str()),
                Who::Admin => Some(ADMIN),
            };
            let r = call(&s, method, &path, token, &body(method, template));
            let with_id = template.contains("{id}");
            let what = format!(
                "{method} {template} (role `{role}`) as {who:?}: {} {}",
                r.status, r.text
            );
            let ok = match (role.as_str(), who) {
                ("none", _) => let_through(&r, &target.id),
                (_, Who::Nobody | Who::Stranger) => r.status == 401,
                ("any", _) => let_through(&r, &target.id),
                ("admin", Who::Admin) => let_through(&r, &target.id),
                ("admin", Who::OwnProfile) => r.status == 403,
                ("admin", Who::OtherProfile) if with_id => hides_profile(&r, &target.id),
                ("admin", Who::OtherProfile) => r.status == 403,
                ("profile", Who::Admin | Who::OwnProfile) => let_through(&r, &target.id),
                ("profile", Who::OtherProfile) => hides_profile(&r, &target.id),
                (other, _) => panic!("{what}: unknown role `{other}`"),
            };
            assert!(ok, "{what}\n--- server log\n{}", s.log());
            if r.status == 401 {
                assert_eq!(
                    r.headers
                        .get("www-authenticate")
                        .and_then(|v| v.to_str().ok()),
                    Some("Bearer realm=\"diorama\""),
                    "{what}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, OPERATIONS * EVERYONE.len());

    // The order of the answers: the token first, then the body, then the
    // role (a caller without the role learns only what any caller would).
    let bogus = json!({ "bogus": 1 });
    let r = s.call("POST", "/v1/profiles", None, Some(&bogus));
    r.error(401, "unauthorized");
    let r = s.call("POST", "/v1/profiles", Some(&own.token), Some(&bogus));
    r.error(422, "invalid_body");
    let patch = format!("/v1/profiles/{}", own.id);
    let r = s.call("PATCH", &patch, Some(&other.token), Some(&bogus));
    r.error(422, "invalid_body");
    let r = s.call("PATCH", &patch, Some(&other.token), Some(&json!({})));
    assert!(hides_profile(&r, &own.id), "{} {}", r.status, r.text);
    // A path that is not text once decoded is the caller's 400, before
    // anything else is judged, as it always was.
    for token in [None, Some(ADMIN)] {
        let r = s.call("GET", "/v1/profiles/%FF", token, None);
        assert_eq!(r.status, 400, "{}", r.text);
        let r = s.call("PATCH", "/v1/profiles/%FF", token, Some(&bogus));
        assert_eq!(r.status, 400, "{}", r.text);
    }
}
