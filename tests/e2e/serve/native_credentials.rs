//! A request to a platform's API without a valid token is refused in the
//! platform's own shape: Google's 401 for YouTube, Graph's OAuthException
//! for Instagram and Facebook, X's 401 problem, the Bot API's 401 or 404
//! for Telegram (TikTok's is in `native_tiktok.rs`).

use super::*;

fn send(s: &Server, path: &str, token: Option<&str>) -> (u16, Vec<(String, String)>, Value) {
    let mut req = s.request(reqwest::Method::GET, path);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().expect("the server answers");
    let status = r.status().as_u16();
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    let body: Value = serde_json::from_slice(&r.bytes().expect("a body")).expect("JSON");
    (status, headers, body)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn youtube_and_instagram_refuse_bad_credentials_as_their_platforms_do() {
    let s = Server::start();
    s.create(json!({"platforms": ["youtube", "instagram"], "seed": 4}));
    let channels = "/native/youtube/youtube/v3/channels?part=id&mine=true";

    let (status, headers, body) = send(&s, channels, None);
    assert_eq!(status, 401, "{body}");
    let e = &body["error"];
    assert_eq!(e["code"], 401);
    assert_eq!(e["status"], "UNAUTHENTICATED");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .starts_with("Request is missing required authentication credential."));
    assert_eq!(
        e["errors"],
        json!([{"message": "Login Required.", "domain": "global", "reason": "required",
                "location": "Authorization", "locationType": "header"}])
    );
    assert_eq!(
        header(&headers, "www-authenticate"),
        Some("Bearer realm=\"https://accounts.google.com/\"")
    );

    let (status, headers, body) = send(&s, channels, Some("not-a-token-of-this-server"));
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["errors"][0]["reason"], "authError");
    assert_eq!(body["error"]["errors"][0]["message"], "Invalid Credentials");
    assert!(header(&headers, "www-authenticate").is_some_and(|v| v.contains("invalid_token")));

    let (status, headers, body) = send(&s, "/native/instagram/v21.0/me?fields=id", None);
    assert_eq!(status, 400, "{body}");
    let e = &body["error"];
    assert_eq!(e["type"], "OAuthException");
    assert_eq!(e["code"], 2500);
    assert_eq!(
        e["message"],
        "An active access token must be used to query information about the current user."
    );
    assert!(
        e["fbtrace_id"].as_str().is_some_and(|t| !t.is_empty()),
        "{e}"
    );
    assert!(header(&headers, "www-authenticate").is_some_and(|v| v.starts_with("OAuth ")));

    let (status, _, body) = send(
        &s,
        "/native/instagram/v21.0/me?fields=id&access_token=bogus",
        None,
    );
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], 190);
    assert_eq!(
        body["error"]["message"],
        "Invalid OAuth access token - Cannot parse access token"
    );
}

#[test]
fn x_telegram_and_facebook_refuse_bad_credentials_as_their_platforms_do() {
    let s = Server::start();
    let p = s.create(json!({"platforms": ["x", "telegram", "facebook"], "seed": 4}));
    // A token of this server's shape that it never issued.
    let unknown = format!("dpt_{}", "0".repeat(48));

    // X: the same 401 problem with no token, a wrong one or an unknown one.
    let x_401 = json!({"title": "Unauthorized", "type": "about:blank", "status": 401,
                       "detail": "Unauthorized"});
    for token in [
        None,
        Some("not-a-token-of-this-server"),
        Some(unknown.as_str()),
    ] {
        for path in [
            "/native/x/2/users/me",
            "/native/x/2/tweets/search/recent?query=a",
        ] {
            let (status, headers, body) = send(&s, path, token);
            assert_eq!((status, &body), (401, &x_401), "{path} {token:?}");
            assert_eq!(
                header(&headers, "content-type"),
                Some("application/problem+json"),
                "{path} {token:?}"
            );
        }
    }
    let (status, _, body) = send(&s, "/native/x/2/users/me", Some(&p.token));
    assert_eq!(status, 200, "{body}");

    // Telegram: the token sits in the path. The real server answers 401 to
    // a token it did not issue and 404 where there is none.
    let tg_401 = json!({"ok": false, "error_code": 401, "description": "Unauthorized"});
    let tg_404 = json!({"ok": false, "error_code": 404, "description": "Not Found"});
    for (path, token, expected) in [
        ("/native/telegram/bot/getMe".to_string(), None, &tg_404),
        ("/native/telegram/botnope/getMe".to_string(), None, &tg_404),
        (
            format!("/native/telegram/bot{unknown}/getMe"),
            None,
            &tg_401,
        ),
        (
            format!("/native/telegram/bot{unknown}/noSuchMethod"),
            None,
            &tg_401,
        ),
        (
            "/native/telegram/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe".to_string(),
            None,
            &tg_401,
        ),
        (
            "/native/telegram/bot/getMe".to_string(),
            Some("wrong"),
            &tg_401,
        ),
    ] {
        let (status, _, body) = send(&s, &path, token);
        assert_eq!(&body, expected, "{path} {token:?}");
        assert_eq!(status, body["error_code"], "{path} {token:?}");
    }
    let (status, _, body) = send(&s, &format!("/native/telegram/bot{}/getMe", p.token), None);
    assert_eq!((status, &body["ok"]), (200, &json!(true)), "{body}");

    // Facebook: Graph's OAuthException 400, 2500 without a token and 190
    // with a bad one, whether it comes as a header or a parameter.
    let me = "/native/facebook/v21.0/me?fields=id,name";
    for (path, token, code) in [
        (me.to_string(), None, 2500),
        (me.to_string(), Some("not-a-token-of-this-server"), 190),
        (format!("{me}&access_token=bogus"), None, 190),
        (format!("{me}&access_token={unknown}"), None, 190),
    ] {
        let (status, headers, body) = send(&s, &path, token);
        assert_eq!(status, 400, "{path} {token:?}: {body}");
        let e = &body["error"];
        assert_eq!(e["type"], "OAuthException", "{e}");
        assert_eq!(e["code"], code, "{e}");
        let message = if code == 2500 {
            "An active access token must be used to query information about the current user."
        } else {
            "Invalid OAuth access token - Cannot parse access token"
        };
        assert_eq!(e["message"], message, "{e}");
        assert!(
            e["fbtrace_id"].as_str().is_some_and(|t| t.len() == 23),
            "{e}"
        );
        assert!(
            header(&headers, "www-authenticate")
                .is_some_and(|v| v.starts_with("OAuth \"Facebook Platform\" ")),
            "{headers:?}"
        );
    }
    let (status, _, body) = send(&s, me, Some(&p.token));
    assert_eq!(status, 200, "{body}");
    assert!(body["id"].is_string(), "{body}");
}
