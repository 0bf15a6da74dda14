//! A request to a platform's API without a valid token is refused in the
//! platform's own shape: Google's 401 for YouTube, Graph's OAuthException
//! for Instagram (TikTok's is in `native_tiktok.rs`).

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
