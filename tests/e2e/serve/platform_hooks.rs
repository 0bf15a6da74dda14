//! Webhooks in the platforms' own formats, to a real receiver: Meta's
//! (Instagram and Facebook Pages), TikTok's and YouTube's WebSub push. Each
//! test subscribes through `/v1`, checks the handshake the platform makes,
//! recomputes every signature, reads the payload as the platform's
//! documentation shapes it against the events the profile stored, and sees
//! a failing receiver's attempts retried and logged.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use hmac::{Hmac, Mac};

use super::*;

const SECRET: &str = "app-secret-0123456789abcdef";

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Got {
    method: String,
    /// The request target's query, decoded.
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// The status answered.
    status: u16,
}

impl Got {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A receiver that answers a subscription handshake (echoing
/// `hub.challenge`, or not) and answers POSTs 500 while `failures` lasts,
/// then 200.
struct HubReceiver {
    port: u16,
    got: Arc<Mutex<Vec<Got>>>,
    echo: Arc<AtomicBool>,
    failures: Arc<AtomicU32>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl HubReceiver {
    fn start() -> HubReceiver {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("the receiver binds");
        listener.set_nonblocking(true).expect("non-blocking accept");
        let port = listener.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let echo = Arc::new(AtomicBool::new(true));
        let failures = Arc::new(AtomicU32::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (g, e, f, s) = (got.clone(), echo.clone(), failures.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        conn.set_nonblocking(false).unwrap();
                        let _ = serve_one(conn, &g, &e, &f);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        HubReceiver {
            port,
            got,
            echo,
            failures,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/callback", self.port)
    }

    fn all(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    fn posts(&self) -> Vec<Got> {
        self.all()
            .into_iter()
            .filter(|g| g.method == "POST")
            .collect()
    }

    fn gets(&self) -> Vec<Got> {
        self.all()
            .into_iter()
            .filter(|g| g.method == "GET")
            .collect()
    }
}

impl Drop for HubReceiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve_one(
    conn: std::net::TcpStream,
    got: &Mutex<Vec<Got>>,
    echo: &AtomicBool,
    failures: &AtomicU32,
) -> Option<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut r = BufReader::new(conn.try_clone().ok()?);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let query: Vec<(String, String)> = reqwest::Url::parse(&format!("http://x{target}"))
        .ok()?
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut headers = Vec::new();
    loop {
        line.clear();
        r.read_line(&mut line).ok()?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (n, v) = l.split_once(':')?;
        headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).ok()?;
    let (status, answer) = if method == "GET" {
        let challenge = query
            .iter()
            .find(|(k, _)| k == "hub.challenge")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        if echo.load(Ordering::SeqCst) {
            (200, challenge)
        } else {
            (200, "not the challenge".to_string())
        }
    } else if failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        (500, "receiver trouble".to_string())
    } else {
        (200, String::new())
    };
    got.lock().unwrap().push(Got {
        method,
        query,
        headers,
        body,
        status,
    });
    let mut w = conn;
    write!(
        w,
        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
        answer.len()
    )
    .ok()?;
    w.flush().ok()
}

fn hmac_sha256_hex(data: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

fn hmac_sha1_hex(data: &[u8]) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

fn subscribe(s: &Server, p: &Profile, url: &str, format: Value) -> Resp {
    s.call(
        "POST",
        &format!("/v1/profiles/{}/webhooks", p.id),
        Some(&p.token),
        Some(&json!({ "url": url, "secret": SECRET, "format": format })),
    )
}

/// The hook's delivery log, every page.
fn log(s: &Server, p: &Profile, hook: &str) -> Vec<Value> {
    s.get(
        &format!(
            "/v1/profiles/{}/webhooks/{hook}/deliveries?limit=1000",
            p.id
        ),
        &p.token,
    )
    .expect(200)["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Checks that the first delivered event was first answered 500 (as many
/// times as the receiver failed), then delivered, and that the log says so.
fn assert_retried(s: &Server, p: &Profile, hook: &str, posts: &[Got], failures: usize) {
    let statuses: Vec<u16> = posts.iter().map(|g| g.status).collect();
    assert!(
        statuses.len() > failures && statuses[..failures].iter().all(|&s| s == 500),
        "the first {failures} attempts failed: {statuses:?}"
    );
    // The same event, attempted again: same body (with a fresh signature).
    for g in &posts[1..=failures] {
        assert_eq!(g.body, posts[0].body, "a retry sends the same event");
        assert_eq!(
            g.header("diorama-event-id"),
            posts[0].header("diorama-event-id")
        );
    }
    let attempts: Vec<&str> = posts[..=failures]
        .iter()
        .map(|g| g.header("diorama-delivery-attempt").unwrap_or(""))
        .collect();
    let want: Vec<String> = (1..=failures + 1).map(|n| n.to_string()).collect();
    assert_eq!(attempts, want, "attempts numbered 1, 2, ...");
    let entries = wait_for("the delivery log", PATIENCE, || {
        let l = log(s, p, hook);
        l.iter().any(|e| e["outcome"] == "delivered").then_some(l)
    });
    let first = &entries[0];
    let same: Vec<&Value> = entries
        .iter()
        .filter(|e| e["seq"] == first["seq"])
        .collect();
    assert_eq!(same.len(), failures + 1, "{entries:?}");
    for e in &same[..failures] {
        assert_eq!(e["outcome"], "failed", "{e}");
        assert_eq!(e["status"], 500, "{e}");
        assert!(
            e["error"]
                .as_str()
                .is_some_and(|m| m.contains("receiver trouble")),
            "{e}"
        );
    }
    assert_eq!(same[failures]["outcome"], "delivered");
    assert_eq!(same[failures]["status"], 200);
}

#[test]
fn instagram_hooks_are_verified_signed_and_shaped_as_meta_sends_them() {
    let rx = HubReceiver::start();
    rx.failures.store(2, Ordering::SeqCst);
    let s = Server::start();
    let p = s.create(json!({
        "platforms": ["instagram"],
        "size": 400_000,
        "seed": 12,
        "speed": 5_000,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let hook = subscribe(
        &s,
        &p,
        &rx.url(),
        json!({"platform": "instagram", "name": "graph-webhooks",
               "params": {"verify_token": "my-verify-token"}}),
    )
    .expect(201);
    assert_eq!(
        hook["format"],
        json!({"platform": "instagram", "name": "graph-webhooks",
               "params": {"verify_token": "my-verify-token"}})
    );
    let id = hook["id"].as_str().unwrap().to_string();

    // The handshake came first, as Meta makes it.
    let gets = rx.gets();
    assert_eq!(gets.len(), 1, "{gets:?}");
    assert_eq!(gets[0].param("hub.mode"), Some("subscribe"));
    assert_eq!(gets[0].param("hub.verify_token"), Some("my-verify-token"));
    assert!(gets[0]
        .param("hub.challenge")
        .is_some_and(|c| c.len() >= 16));

    // Comments are the commonest; mentions and messages come along.
    let posts = wait_for("comments delivered", PATIENCE, || {
        let p = rx.posts();
        let delivered: Vec<&Got> = p.iter().filter(|g| g.status == 200).collect();
        let comment = delivered
            .iter()
            .any(|g| String::from_utf8_lossy(&g.body).contains(r#""field":"comments""#));
        (delivered.len() >= 3 && comment).then_some(p)
    });
    s.pause(&p.id);
    assert_retried(&s, &p, &id, &posts, 2);

    let events = s.all_events(&p.id, &p.token);
    let by_id = |id: &str| events.iter().find(|e| e["id"] == id).cloned();
    let mut account = None;
    let mut comments = 0;
    for g in &posts {
        // X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body>.
        assert_eq!(
            g.header("x-hub-signature-256"),
            Some(format!("sha256={}", hmac_sha256_hex(&g.body)).as_str()),
            "{:?}",
            g.headers
        );
        assert_eq!(g.header("content-type"), Some("application/json"));
        assert!(g.header("diorama-signature").is_none());
        let body: Value = serde_json::from_slice(&g.body).expect("JSON");
        assert_eq!(body["object"], "instagram");
        let entries = body["entry"].as_array().expect("entry[]");
        assert_eq!(entries.len(), 1);
        let entry = &entries[0];
        let entry_id = entry["id"].as_str().expect("entry id").to_string();
        assert!(entry_id.bytes().all(|b| b.is_ascii_digit()), "{entry}");
        assert_eq!(
            *account.get_or_insert(entry_id.clone()),
            entry_id,
            "one account"
        );
        assert!(entry["time"].is_i64(), "{entry}");
        if let Some(changes) = entry["changes"].as_array() {
            let change = &changes[0];
            let v = &change["value"];
            match change["field"].as_str() {
                Some("comments") => {
                    comments += 1;
                    let ev = by_id(v["id"].as_str().expect("value.id")).expect("a stored event");
                    assert!(ev["kind"] == "comment" || ev["kind"] == "reply", "{ev}");
                    assert_eq!(v["text"], ev["text"]);
                    assert_eq!(v["from"]["id"], ev["author"]["id"]);
                    assert_eq!(v["media"]["id"], ev["content_id"]);
                    assert!(["FEED", "REELS", "STORY"]
                        .contains(&v["media"]["media_product_type"].as_str().unwrap()));
                    assert_eq!(v.get("parent_id").cloned(), ev.get("parent_id").cloned());
                    assert_eq!(entry["time"], ev["at"].as_i64().unwrap() / 1000);
                }
                Some("mentions") => {
                    let ev = by_id(v["media_id"].as_str().expect("value.media_id"))
                        .expect("a stored mention");
                    assert_eq!(ev["kind"], "mention");
                }
                other => panic!("unexpected field {other:?}: {body}"),
            }
        } else {
            let m = &entry["messaging"][0];
            let ev = by_id(m["message"]["mid"].as_str().expect("mid")).expect("a stored DM");
            assert_eq!(ev["kind"], "dm");
            assert_eq!(m["sender"]["id"], ev["author"]["id"]);
            assert_eq!(m["recipient"]["id"], entry_id.as_str());
            assert_eq!(m["message"]["text"], ev["text"]);
            assert_eq!(m["timestamp"], ev["at"]);
        }
    }
    assert!(comments > 0, "comments were delivered");
}

#[test]
fn facebook_page_hooks_are_verified_signed_and_shaped_as_meta_sends_them() {
    let rx = HubReceiver::start();
    rx.failures.store(2, Ordering::SeqCst);
    let s = Server::start();
    let p = s.create(json!({
        "platforms": {"facebook": {"followers": 2_000_000, "dm_rate": 2_000}},
        "seed": 21,
        "speed": 10_000,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let format = json!({"platform": "facebook", "name": "graph-webhooks",
                        "params": {"verify_token": "page-verify-token"}});
    let hook = subscribe(&s, &p, &rx.url(), format.clone()).expect(201);
    assert_eq!(hook["format"], format);
    let id = hook["id"].as_str().unwrap().to_string();

    // The handshake came first, as Meta makes it.
    let gets = rx.gets();
    assert_eq!(gets.len(), 1, "{gets:?}");
    assert_eq!(gets[0].param("hub.mode"), Some("subscribe"));
    assert_eq!(gets[0].param("hub.verify_token"), Some("page-verify-token"));
    assert!(gets[0]
        .param("hub.challenge")
        .is_some_and(|c| c.len() >= 16));

    // Feed comments and Messenger messages, both delivered.
    let posts = wait_for("a comment and a message delivered", PATIENCE, || {
        let p = rx.posts();
        let delivered: Vec<&Got> = p.iter().filter(|g| g.status == 200).collect();
        let has = |needle: &str| {
            delivered
                .iter()
                .any(|g| String::from_utf8_lossy(&g.body).contains(needle))
        };
        (delivered.len() >= 3 && has(r#""field":"feed""#) && has(r#""messaging":"#)).then_some(p)
    });
    s.pause(&p.id);
    assert_retried(&s, &p, &id, &posts, 2);

    let events = s.all_events(&p.id, &p.token);
    let by_id = |id: &str| events.iter().find(|e| e["id"] == id).cloned();
    let mut page = None;
    let (mut comments, mut messages) = (0, 0);
    for g in &posts {
        assert_eq!(
            g.header("x-hub-signature-256"),
            Some(format!("sha256={}", hmac_sha256_hex(&g.body)).as_str()),
            "{:?}",
            g.headers
        );
        assert_eq!(g.header("content-type"), Some("application/json"));
        assert!(g.header("diorama-signature").is_none());
        let body: Value = serde_json::from_slice(&g.body).expect("JSON");
        assert_eq!(body["object"], "page");
        let entries = body["entry"].as_array().expect("entry[]");
        assert_eq!(entries.len(), 1);
        let entry = &entries[0];
        let entry_id = entry["id"].as_str().expect("entry id").to_string();
        assert!(entry_id.bytes().all(|b| b.is_ascii_digit()), "{entry}");
        assert_eq!(*page.get_or_insert(entry_id.clone()), entry_id, "one Page");
        if let Some(changes) = entry["changes"].as_array() {
            assert_eq!(changes.len(), 1, "{entry}");
            assert_eq!(changes[0]["field"], "feed", "{entry}");
            let v = &changes[0]["value"];
            comments += 1;
            let ev = by_id(v["comment_id"].as_str().expect("value.comment_id"))
                .expect("a stored comment");
            assert!(ev["kind"] == "comment" || ev["kind"] == "reply", "{ev}");
            assert_eq!(v["item"], "comment");
            assert_eq!(v["verb"], "add");
            assert_eq!(v["message"], ev["text"]);
            assert_eq!(v["post_id"], ev["content_id"]);
            assert!(
                v["post_id"]
                    .as_str()
                    .is_some_and(|p| p.starts_with(&format!("{entry_id}_"))),
                "a post of the Page: {v}"
            );
            // A comment's parent is its post, a reply's its comment.
            let parent = ev.get("parent_id").unwrap_or(&ev["content_id"]);
            assert_eq!(&v["parent_id"], parent, "{v} {ev}");
            assert_eq!(v["from"]["id"], ev["author"]["id"]);
            if ev["author"]["id"] != entry_id.as_str() {
                let handle = ev["author"]["handle"].as_str().unwrap();
                assert_eq!(v["from"]["name"], handle.trim_start_matches('@'));
            }
            let secs = ev["at"].as_i64().unwrap() / 1000;
            assert_eq!(v["created_time"], secs);
            assert_eq!(entry["time"], secs);
        } else {
            messages += 1;
            let m = &entry["messaging"][0];
            assert_eq!(entry["messaging"].as_array().map(Vec::len), Some(1));
            let ev = by_id(m["message"]["mid"].as_str().expect("mid")).expect("a stored message");
            assert_eq!(ev["kind"], "dm");
            assert_eq!(m["sender"]["id"], ev["author"]["id"]);
            assert_ne!(
                m["sender"]["id"],
                entry_id.as_str(),
                "the Page's own are not sent"
            );
            assert_eq!(m["recipient"]["id"], entry_id.as_str());
            assert_eq!(m["message"]["text"], ev["text"]);
            assert_eq!(m["timestamp"], ev["at"]);
            assert_eq!(entry["time"], ev["at"]);
        }
    }
    assert!(
        comments > 0 && messages > 0,
        "{comments} comments, {messages} messages"
    );
}

#[test]
fn a_platform_format_is_refused_precisely() {
    let rx = HubReceiver::start();
    let s = Server::start();
    let p = s.create(json!({"platforms": ["instagram", "youtube"], "seed": 5}));
    let url = rx.url();

    let m = subscribe(
        &s,
        &p,
        &url,
        json!({"platform": "instagram", "name": "atom"}),
    )
    .error(422, "invalid");
    assert!(
        m.contains("instagram has no webhook format `atom` (its formats: graph-webhooks)"),
        "{m}"
    );
    let m =
        subscribe(&s, &p, &url, json!({"platform": "myspace", "name": "x"})).error(422, "invalid");
    assert!(m.contains("no platform `myspace` is loaded"), "{m}");
    let m = subscribe(
        &s,
        &p,
        &url,
        json!({"platform": "tiktok", "name": "tiktok-webhooks", "params": {"client_key": "k"}}),
    )
    .error(422, "invalid");
    assert!(m.contains("has no `tiktok` account"), "{m}");
    let m = subscribe(
        &s,
        &p,
        &url,
        json!({"platform": "instagram", "name": "graph-webhooks"}),
    )
    .error(422, "invalid");
    assert!(m.contains("`verify_token` is required"), "{m}");
    let m = subscribe(
        &s,
        &p,
        &url,
        json!({"platform": "youtube", "name": "websub-atom", "params": {"lease_seconds": 5}}),
    )
    .error(422, "invalid");
    assert!(
        m.contains("`lease_seconds` must be a whole number from 60 to 864000"),
        "{m}"
    );
    assert!(
        rx.gets().is_empty(),
        "nothing is sent before the format is sound"
    );

    // A receiver that does not answer the challenge gets no subscription.
    rx.echo.store(false, Ordering::SeqCst);
    let m = subscribe(
        &s,
        &p,
        &url,
        json!({"platform": "instagram", "name": "graph-webhooks",
               "params": {"verify_token": "t"}}),
    )
    .error(422, "invalid");
    assert!(
        m.contains("did not answer the instagram verification request")
            && m.contains("is not the `hub.challenge` it was sent"),
        "{m}"
    );
    assert_eq!(rx.gets().len(), 1);
    let hooks = s
        .get(&format!("/v1/profiles/{}/webhooks", p.id), &p.token)
        .expect(200);
    assert_eq!(hooks["webhooks"], json!([]), "nothing stored");
}

#[test]
fn tiktok_hooks_are_signed_with_the_timestamp_and_shaped_as_tiktok_sends_them() {
    let rx = HubReceiver::start();
    rx.failures.store(1, Ordering::SeqCst);
    let s = Server::start();
    let p = s.create(json!({"platforms": ["tiktok", "youtube"], "seed": 8, "speed": 1}));
    let hook = subscribe(
        &s,
        &p,
        &rx.url(),
        json!({"platform": "tiktok", "name": "tiktok-webhooks",
               "params": {"client_key": "aw1234abcd"}}),
    )
    .expect(201);
    let id = hook["id"].as_str().unwrap().to_string();
    assert!(rx.gets().is_empty(), "TikTok makes no handshake");

    let mut published = Vec::new();
    for (platform, params) in [
        ("youtube", json!({"title": "not for tiktok"})),
        ("tiktok", json!({"caption": "Day one"})),
    ] {
        let r = s
            .post(
                &format!("/v1/profiles/{}/actions", p.id),
                &p.token,
                &json!({"platform": platform, "kind": "publish", "params": params}),
            )
            .expect(201);
        if platform == "tiktok" {
            published.push(r["events"][0].clone());
        }
    }
    let posts = wait_for("the publish delivered", PATIENCE, || {
        let p = rx.posts();
        p.iter().any(|g| g.status == 200).then_some(p)
    });
    assert_retried(&s, &p, &id, &posts, 1);
    let content = &published[0];
    for g in &posts {
        let sig = g.header("tiktok-signature").expect("TikTok-Signature");
        let (t, sig) = sig
            .strip_prefix("t=")
            .and_then(|r| r.split_once(",s="))
            .expect("t=...,s=...");
        let t: i64 = t.parse().expect("unix seconds");
        assert!((t - unix_now()).abs() < 300, "the send time: {t}");
        let mut signed = format!("{t}.").into_bytes();
        signed.extend_from_slice(&g.body);
        assert_eq!(sig, hmac_sha256_hex(&signed));
        let body: Value = serde_json::from_slice(&g.body).expect("JSON");
        assert_eq!(body["client_key"], "aw1234abcd");
        assert_eq!(body["event"], "post.publish.publicly_available");
        assert_eq!(body["create_time"], content["at"].as_i64().unwrap() / 1000);
        assert!(body["user_openid"].as_str().is_some_and(|o| !o.is_empty()));
        let inner: Value =
            serde_json::from_str(body["content"].as_str().expect("content is a string"))
                .expect("content holds JSON");
        assert_eq!(inner["post_id"], content["id"]);
        assert_eq!(inner["publish_type"], "DIRECT_PUBLISH");
        assert!(inner["publish_id"]
            .as_str()
            .is_some_and(|i| i.starts_with("v_pub_")));
    }
    // The YouTube upload and the audience's comments are not TikTok's to send.
    std::thread::sleep(Duration::from_millis(500));
    assert!(rx.posts().iter().all(|g| {
        let b: Value = serde_json::from_slice(&g.body).unwrap();
        b["event"] == "post.publish.publicly_available"
    }));
}

#[test]
fn youtube_pushes_new_uploads_as_the_websub_hub_does() {
    let rx = HubReceiver::start();
    rx.failures.store(1, Ordering::SeqCst);
    let s = Server::start();
    let p = s.create(json!({"platforms": ["youtube"], "seed": 9, "speed": 1}));
    let hook = subscribe(
        &s,
        &p,
        &rx.url(),
        json!({"platform": "youtube", "name": "websub-atom",
               "params": {"lease_seconds": 3600}}),
    )
    .expect(201);
    let id = hook["id"].as_str().unwrap().to_string();
    let gets = rx.gets();
    assert_eq!(gets.len(), 1);
    assert_eq!(gets[0].param("hub.mode"), Some("subscribe"));
    assert_eq!(gets[0].param("hub.lease_seconds"), Some("3600"));
    let topic = gets[0].param("hub.topic").expect("hub.topic").to_string();
    let channel = topic
        .strip_prefix("https://www.youtube.com/xml/feeds/videos.xml?channel_id=")
        .expect("the channel's feed")
        .to_string();
    assert!(
        channel.starts_with("UC") && channel.len() == 24,
        "{channel}"
    );

    let r = s
        .post(
            &format!("/v1/profiles/{}/actions", p.id),
            &p.token,
            &json!({"platform": "youtube", "kind": "publish",
                    "params": {"title": "Tips & tricks <live>"}}),
        )
        .expect(201);
    let video = r["events"][0]["id"]
        .as_str()
        .expect("the video's id")
        .to_string();
    let posts = wait_for("the upload pushed", PATIENCE, || {
        let p = rx.posts();
        p.iter().any(|g| g.status == 200).then_some(p)
    });
    assert_retried(&s, &p, &id, &posts, 1);
    for g in &posts {
        assert_eq!(g.header("content-type"), Some("application/atom+xml"));
        assert_eq!(
            g.header("x-hub-signature"),
            Some(format!("sha1={}", hmac_sha1_hex(&g.body)).as_str())
        );
        assert_eq!(
            g.header("link"),
            Some(
                format!("<https://pubsubhubbub.appspot.com/>; rel=hub, <{topic}>; rel=self")
                    .as_str()
            )
        );
        let xml = String::from_utf8(g.body.clone()).expect("UTF-8");
        assert!(xml.starts_with("<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns:yt=\"http://www.youtube.com/xml/schemas/2015\" xmlns=\"http://www.w3.org/2005/Atom\">"), "{xml}");
        for part in [
            format!("<id>yt:video:{video}</id>"),
            format!("<yt:videoId>{video}</yt:videoId>"),
            format!("<yt:channelId>{channel}</yt:channelId>"),
            "<title>Tips &amp; tricks &lt;live&gt;</title>".to_string(),
            format!("<link rel=\"alternate\" href=\"https://www.youtube.com/watch?v={video}\"/>"),
            format!("<uri>https://www.youtube.com/channel/{channel}</uri>"),
        ] {
            assert!(xml.contains(&part), "{part} in\n{xml}");
        }
        assert_eq!(xml.matches("<entry>").count(), 1);
    }
}
