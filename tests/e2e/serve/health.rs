//! An account's health through the server: a `health` signal moves each
//! platform account, the profile view shows the state of each, every
//! change is an event, `/v1` actions are refused with the reason, and each
//! platform's own API answers in its own error shape (Google's 403, Graph's
//! OAuthException 190, TikTok's error code, X's problem, the Bot API's 403).

use super::*;

fn send(s: &Server, path: &str, token: &str) -> (u16, String, Value) {
    let r = s
        .request(reqwest::Method::GET, path)
        .bearer_auth(token)
        .send()
        .expect("the server answers");
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body: Value = serde_json::from_slice(&r.bytes().expect("a body")).expect("JSON");
    (status, kind, body)
}

#[test]
fn health_shows_in_the_view_in_events_in_actions_and_in_each_native_api() {
    let s = Server::start();
    let all = [
        "facebook",
        "instagram",
        "telegram",
        "tiktok",
        "x",
        "youtube",
    ];
    let p = s.create(json!({
        "platforms": all,
        "seed": 16,
        "speed": 600.0,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let view = s.view(&p.id, &p.token);
    for platform in all {
        assert_eq!(view["health"][platform], "ok", "{view}");
    }
    let states = [
        ("youtube", "suspended"),
        ("instagram", "token_expired"),
        ("facebook", "suspended"),
        ("tiktok", "suspended"),
        ("x", "suspended"),
        ("telegram", "suspended"),
    ];
    for (platform, state) in states {
        s.post(
            &format!("/v1/profiles/{}/signals", p.id),
            ADMIN,
            &json!({"platform": platform, "signal": "health", "params": {"state": state}}),
        )
        .expect(202);
    }
    // The view follows once the change is stored, as a notice.
    wait_for("every account's health in the view", PATIENCE, || {
        let view = s.view(&p.id, &p.token);
        states
            .iter()
            .all(|(platform, state)| view["health"][platform] == *state)
            .then_some(())
    });
    let events = s.all_events(&p.id, &p.token);
    for (platform, state) in states {
        let code = format!("health_{state}");
        assert!(
            events
                .iter()
                .any(|e| e["platform"] == platform && e["type"] == "notice" && e["kind"] == code),
            "{platform}: no {code} event"
        );
    }

    // /v1: a suspended account refuses the creator's actions, saying so.
    let refusal = s
        .post(
            &format!("/v1/profiles/{}/actions", p.id),
            &p.token,
            &json!({"platform": "tiktok", "kind": "publish", "params": {"caption": "hi"}}),
        )
        .error(422, "invalid");
    assert!(
        refusal.contains("tiktok: the account is suspended until further notice"),
        "{refusal}"
    );

    // Google: 403 accountSuspended.
    let (status, _, body) = send(
        &s,
        "/native/youtube/youtube/v3/channels?part=id&mine=true",
        &p.token,
    );
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        body["error"]["errors"][0]["reason"], "accountSuspended",
        "{body}"
    );
    // Graph: an expired token is OAuthException 190/463; a suspended Page
    // 190/459.
    let (status, _, body) = send(&s, "/native/instagram/v21.0/me?fields=id", &p.token);
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        (
            &body["error"]["type"],
            &body["error"]["code"],
            &body["error"]["error_subcode"]
        ),
        (&json!("OAuthException"), &json!(190), &json!(463)),
        "{body}"
    );
    let (status, _, body) = send(&s, "/native/facebook/v21.0/me?fields=id,name", &p.token);
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        (&body["error"]["code"], &body["error"]["error_subcode"]),
        (&json!(190), &json!(459)),
        "{body}"
    );
    // TikTok: its error code in its envelope.
    let (status, _, body) = send(&s, "/native/tiktok/v2/user/info/?fields=open_id", &p.token);
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        body["error"]["code"], "spam_risk_user_banned_from_posting",
        "{body}"
    );
    // X: a problem, as problem+json.
    let (status, kind, body) = send(&s, "/native/x/2/users/me", &p.token);
    assert_eq!(
        (status, kind.as_str()),
        (403, "application/problem+json"),
        "{body}"
    );
    assert_eq!(body["title"], "Forbidden", "{body}");
    // Telegram: the Bot API's 403.
    let (status, _, body) = send(
        &s,
        &format!("/native/telegram/bot{}/getMe", p.token),
        &p.token,
    );
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        (&body["ok"], &body["error_code"]),
        (&json!(false), &json!(403)),
        "{body}"
    );

    // `ok` heals an account, and the view follows.
    s.post(
        &format!("/v1/profiles/{}/signals", p.id),
        ADMIN,
        &json!({"platform": "x", "signal": "health", "params": {"state": "ok"}}),
    )
    .expect(202);
    wait_for("x healthy again", PATIENCE, || {
        (s.view(&p.id, &p.token)["health"]["x"] == "ok").then_some(())
    });
    let (status, _, body) = send(&s, "/native/x/2/users/me", &p.token);
    assert_eq!(status, 200, "{body}");
}
