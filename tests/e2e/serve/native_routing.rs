//! Routing by `Host` and the TLS listener: a client that keeps a
//! platform's own `https://` host reaches the simulated account when the
//! host resolves to the server and the client trusts the server's local
//! certificate authority, and nothing else changes.

use std::net::SocketAddr;

use serde_json::{json, Value};

use super::*;

const HOST: &str = "open.tiktokapis.com";
const USER_INFO: &str = "/v2/user/info/?fields=display_name,username,follower_count,video_count";

/// The TLS listener's address and the authority's certificate, from the
/// lines the server prints.
fn tls_of(s: &Server) -> (SocketAddr, std::path::PathBuf) {
    wait_for("the TLS lines", PATIENCE, || {
        let log = s.log();
        let addr = log
            .lines()
            .find_map(|l| l.strip_prefix("diorama serve: TLS on https://"))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        let ca = log
            .lines()
            .find_map(|l| l.strip_prefix("diorama serve: the certificate authority is "))?
            .split(';')
            .next()?
            .to_string();
        Some((addr, std::path::PathBuf::from(ca)))
    })
}

/// A client that trusts only the server's authority and resolves the
/// platform's host to the TLS listener.
fn trusting_client(ca: &std::path::Path, addr: SocketAddr) -> reqwest::blocking::Client {
    let pem = std::fs::read(ca).expect("the CA certificate");
    reqwest::blocking::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("a PEM certificate"))
        .resolve(HOST, addr)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTPS client")
}

fn get(client: &reqwest::blocking::Client, url: &str, token: Option<&str>) -> (u16, Value) {
    let mut req = client.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().unwrap_or_else(|e| panic!("GET {url}: {e:?}"));
    let status = res.status().as_u16();
    let text = res.text().expect("a body");
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: {e}: {text}"));
    (status, body)
}

#[test]
fn platform_hosts_reach_the_native_api_over_tls_and_by_host() {
    let mut s = Server::start_with(&["--tls-addr", "127.0.0.1:0"]);
    let (addr, ca) = tls_of(&s);
    assert!(
        ca.starts_with(s.data()),
        "the CA is kept in the data folder: {ca:?}"
    );
    let p = s.create(json!({
        "platforms": ["tiktok"],
        "size": 50_000,
        "seed": 5,
        "speed": 20_000.0,
    }));
    wait_for("a tiktok video", PATIENCE, || {
        let c = s
            .get(
                &format!("/v1/profiles/{}/contents?platform=tiktok&limit=1", p.id),
                &p.token,
            )
            .expect(200);
        (!c["items"].as_array().unwrap().is_empty()).then_some(())
    });
    s.pause(&p.id);
    let by_path = s
        .get(&format!("/native/tiktok{USER_INFO}"), &p.token)
        .expect(200);
    assert_eq!(by_path["error"]["code"], "ok", "{by_path}");
    let user = by_path["data"]["user"].clone();
    assert!(user["video_count"].as_i64().unwrap() >= 1, "{user}");

    // https://open.tiktokapis.com/..., resolved to the TLS listener: the
    // same account, through a client that trusts only the local authority.
    let client = trusting_client(&ca, addr);
    let url = format!("https://{HOST}:{}{USER_INFO}", addr.port());
    let (status, body) = get(&client, &url, Some(&p.token));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["user"], user);
    // Wrong or missing credentials: TikTok's own 401.
    let (status, body) = get(&client, &url, Some("act.wrong"));
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "access_token_invalid", "{body}");
    let (status, body) = get(&client, &url, None);
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "access_token_invalid", "{body}");
    // A client without the authority does not get through: the check can fail.
    let untrusting = reqwest::blocking::Client::builder()
        .tls_built_in_root_certs(false)
        .resolve(HOST, addr)
        .build()
        .expect("a client");
    let e = untrusting
        .get(&url)
        .bearer_auth(&p.token)
        .send()
        .expect_err("an unknown authority is refused");
    assert!(
        format!("{e:?}").to_lowercase().contains("certificate"),
        "{e:?}"
    );
    // A host no plugin declares is not covered by the certificate.
    let other = reqwest::blocking::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap())
        .resolve("api.example.com", addr)
        .build()
        .expect("a client");
    assert!(other
        .get(format!(
            "https://api.example.com:{}/v2/user/info/",
            addr.port()
        ))
        .send()
        .is_err());

    // Plain HTTP, routed by the Host header on the main port, path
    // unchanged; and as an HTTP proxy client sends it (an absolute URL).
    let plain = s
        .request(reqwest::Method::GET, USER_INFO)
        .header("host", HOST)
        .bearer_auth(&p.token);
    let r = s.send(plain, "by Host".into());
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["data"]["user"], user);
    let proxied = reqwest::blocking::Client::builder()
        .proxy(reqwest::Proxy::http(&s.base).expect("a proxy URL"))
        .build()
        .expect("a client");
    let (status, body) = get(
        &proxied,
        &format!("http://{HOST}{USER_INFO}"),
        Some(&p.token),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["user"], user);
    // diorama's own API is not behind a platform's host: its paths there
    // are the platform's 404.
    let r = s.send(
        s.request(reqwest::Method::GET, &format!("/v1/profiles/{}", p.id))
            .header("host", HOST)
            .bearer_auth(&p.token),
        "diorama's path on TikTok's host".into(),
    );
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.json()["error"]["code"], "not_found", "{}", r.text);
    // Other hosts are diorama's as ever.
    assert_eq!(s.get("/v1/profiles", ADMIN).status, 200);

    // The authority is kept across restarts: the client that trusted it
    // still does.
    let before = std::fs::read(&ca).expect("the CA");
    s.terminate();
    s.restart();
    let (addr, ca_again) = tls_of_after_restart(&s);
    assert_eq!(ca_again, ca);
    assert_eq!(std::fs::read(&ca).expect("the CA"), before);
    let client = trusting_client(&ca, addr);
    let url = format!("https://{HOST}:{}{USER_INFO}", addr.port());
    let (status, body) = get(&client, &url, Some(&p.token));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["user"]["username"], user["username"]);
}

/// The TLS address printed after the last start.
fn tls_of_after_restart(s: &Server) -> (SocketAddr, std::path::PathBuf) {
    wait_for("the TLS lines after the restart", PATIENCE, || {
        let log = s.log();
        let n = log.matches("diorama serve: TLS on https://").count();
        (n >= 2).then_some(())?;
        let addr = log
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("diorama serve: TLS on https://"))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        let ca = log
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("diorama serve: the certificate authority is "))?
            .split(';')
            .next()?
            .to_string();
        Some((addr, std::path::PathBuf::from(ca)))
    })
}

/// `graph.facebook.com` is both Instagram's and Facebook's: a request by
/// that host reaches whichever of the profile's platforms knows the object
/// it names, and a profile with one of them reaches that one.
#[test]
fn a_host_shared_by_two_platforms_reaches_the_one_that_knows_the_object() {
    let s = Server::start();
    let both = s.create(json!({
        "platforms": { "instagram": { "followers": 20_000 }, "facebook": { "followers": 20_000 } },
        "seed": 8,
    }));
    let graph = |path: &str, token: &str| {
        let r = s.send(
            s.request(reqwest::Method::GET, path)
                .header("host", "graph.facebook.com")
                .bearer_auth(token),
            format!("GET {path} by Host"),
        );
        (r.status, r.json())
    };
    let page = s
        .get("/native/facebook/v21.0/me?fields=id,name", &both.token)
        .expect(200);
    let ig = s
        .get("/native/instagram/v21.0/me?fields=id,username", &both.token)
        .expect(200);
    let (page_id, ig_id) = (page["id"].as_str().unwrap(), ig["id"].as_str().unwrap());
    assert_ne!(page_id, ig_id);

    let (status, body) = graph(&format!("/v21.0/{page_id}?fields=id,name"), &both.token);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, page, "the Page, from Facebook");
    let (status, body) = graph(&format!("/v21.0/{ig_id}?fields=id,username"), &both.token);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, ig, "the account, from Instagram");
    // An object neither knows: the first platform's (Facebook's) Graph error.
    let (status, body) = graph("/v21.0/12345?fields=id", &both.token);
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], 100, "{body}");

    // A profile with Facebook alone reaches Facebook by the same host.
    let page_only = s.create(json!({
        "platforms": { "facebook": { "followers": 20_000 } },
        "seed": 8,
    }));
    let alone = s
        .get("/native/facebook/v21.0/me?fields=id,name", &page_only.token)
        .expect(200);
    let (status, body) = graph("/v21.0/me?fields=id,name", &page_only.token);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, alone);
}
