//! The Graph API for Pages the plugin serves, called directly on a busy
//! Page: whatever a request holds, the answer is Graph's JSON (never a
//! 500), the same request gets the same bytes, reads match the Page's
//! counters, and writes are the Page's actions with Meta's limit errors.

use diorama_facebook::native::memory;
use diorama_facebook::{Facebook, POST_LIMIT};
use diorama_sdk::harness::Harness;
use diorama_sdk::*;
use serde_json::Value;

type H = Harness<Facebook>;

fn busy() -> H {
    let mut h = H::new(H::config(
        7,
        "food",
        r#"{"followers": 3000000, "posts_per_day": 3, "dm_rate": 100}"#,
    ))
    .unwrap();
    h.advance(3 * DAY);
    h
}

fn request(h: &H, method: &str, path: &str, query: &str, body: &[u8]) -> HttpResponse {
    let r = HttpRequest {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        headers: vec![
            ("host".into(), "127.0.0.1:8080".into()),
            (
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
        ],
        body: body.to_vec(),
    };
    match h.state().handle_request(h.now(), &r) {
        NativeOutcome::Respond(r) => r,
        NativeOutcome::Act(a) => HttpResponse::json(
            299,
            &serde_json::json!({ "act": a.action.kind, "params": a.action.params, "context": a.context }),
        ),
    }
}

fn get(h: &H, path: &str, query: &str) -> HttpResponse {
    request(h, "GET", path, query, b"")
}

fn json(r: &HttpResponse) -> Value {
    serde_json::from_slice(&r.body).expect("the answer is JSON")
}

/// Run an action the API asked for and shape its answer.
fn run(h: &mut H, r: &HttpResponse) -> (Result<Vec<Event>, ActionError>, HttpResponse) {
    assert_eq!(r.status, 299, "{}", String::from_utf8_lossy(&r.body));
    let act = json(r);
    let outcome = h.act(
        act["act"].as_str().unwrap(),
        act["params"].as_str().unwrap(),
    );
    let context = act["context"].as_str().unwrap();
    let answer = match &outcome {
        Ok(events) => h.state().finish_request(h.now(), context, Ok(events)),
        Err(e) => h.state().finish_request(h.now(), context, Err(e)),
    };
    (outcome, answer)
}

#[test]
fn hostile_requests_get_graph_errors_never_a_500() {
    let h = busy();
    let page = h.state().page().id.clone();
    let post = h.state().posts()[0].id.clone();
    let comment = h
        .state()
        .native_memory()
        .comments
        .back()
        .unwrap()
        .id
        .clone();
    let paths = [
        "/".to_string(),
        "/v21.0".into(),
        "/v99999.0/me".into(),
        "/me".into(),
        format!("/v21.0/{page}"),
        format!("/v21.0/{page}/feed/extra"),
        "/v21.0/%00".into(),
        "/v21.0/t_".into(),
        "/v21.0/m_nothing".into(),
        format!("/v21.0/{post}/reactions"),
        format!("/v21.0/{post}/comments"),
        format!("/v21.0/{post}/insights"),
        format!("/v21.0/{comment}/comments"),
        format!("/v21.0/{comment}"),
        "/v21.0/me/conversations".into(),
        "/v21.0/me/messages".into(),
        "/v21.0/me/insights".into(),
        "/v21.0/me/photos".into(),
        "/v21.0/me/videos".into(),
    ];
    let queries = [
        "",
        "fields=",
        "fields={}",
        "fields=a.b.c(",
        "fields=comments.limit(-1){id}",
        "fields=reactions.type(NOPE).summary(true)",
        "fields=reactions.type(LOVE).limit(0).summary(total_count).as(love)",
        "limit=-5",
        "after=%FF%FE",
        "summary=maybe",
        "type=ANGRY&summary=true",
        "metric=page_impressions&period=week",
        "metric=,,",
        "fields=feed{comments{comments{from}}}",
        &"a=b&".repeat(100),
    ];
    let body = b"message=hi&is_hidden=maybe&url=ftp%3A%2F%2Fx&recipient=%7B%7D";
    for method in ["GET", "POST", "DELETE", "PATCH"] {
        for path in &paths {
            for query in queries {
                let r = request(&h, method, path, query, body);
                assert!(
                    matches!(r.status, 200 | 299 | 400 | 501),
                    "{method} {path}?{query}: {}",
                    r.status
                );
                let v = json(&r);
                if r.status >= 400 {
                    let e = &v["error"];
                    assert!(e["message"].is_string() && e["type"].is_string(), "{v}");
                    assert!(e["code"].is_i64() && e["fbtrace_id"].is_string(), "{v}");
                }
                if r.status != 299 {
                    let usage = r
                        .headers
                        .iter()
                        .find(|(k, _)| k == "x-business-use-case-usage")
                        .map(|(_, v)| v.clone())
                        .expect("usage headers");
                    let usage: Value = serde_json::from_str(&usage).unwrap();
                    assert_eq!(usage[&page][0]["type"], "pages", "{usage}");
                }
                assert_eq!(r, request(&h, method, path, query, body), "the same bytes");
            }
        }
    }
}

#[test]
fn reads_show_the_pages_counters() {
    let h = busy();
    let fb = h.state();
    let page = json(&get(
        &h,
        "/v21.0/me",
        "fields=id,name,fan_count,followers_count",
    ));
    assert_eq!(page["id"], fb.page().id.as_str());
    assert_eq!(page["fan_count"], fb.followers());
    // The feed, newest first, paged by cursors.
    let feed = json(&get(
        &h,
        "/v21.0/me/published_posts",
        "limit=2&fields=id,message,created_time,shares,comments.limit(0).summary(true),reactions.type(ANGRY).limit(0).summary(total_count).as(angry),reactions.summary(true).limit(0)",
    ));
    let items = feed["data"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let newest = fb.posts().last().unwrap();
    assert_eq!(items[0]["id"], newest.id.as_str());
    let r = &newest.reported;
    assert_eq!(items[0]["reactions"]["summary"]["total_count"], r[1]);
    assert_eq!(items[0]["comments"]["summary"]["total_count"], r[2]);
    assert_eq!(items[0]["angry"]["summary"]["total_count"], r[9]);
    let next = feed["paging"]["next"].as_str().expect("a next page");
    assert!(
        next.starts_with("http://127.0.0.1:8080/native/facebook/v21.0/me/published_posts?"),
        "{next}"
    );
    let after = feed["paging"]["cursors"]["after"].as_str().unwrap();
    let page2 = json(&get(
        &h,
        "/v21.0/me/feed",
        &format!("limit=2&after={after}"),
    ));
    assert_eq!(
        page2["data"][0]["id"],
        fb.posts()[fb.posts().len() - 3].id.as_str()
    );
    // A busy post's reactions and their summary, and by type.
    let busiest = fb.posts().iter().max_by_key(|p| p.reported[1]).unwrap();
    let v = json(&get(
        &h,
        &format!("/v21.0/{}/reactions", busiest.id),
        "summary=true",
    ));
    assert_eq!(v["summary"]["total_count"], busiest.reported[1]);
    let v = json(&get(
        &h,
        &format!("/v21.0/{}/reactions", busiest.id),
        "type=LOVE&summary=true",
    ));
    assert_eq!(v["summary"]["total_count"], busiest.reported[5]);
    // Comments and their replies.
    let with_replies = fb
        .native_memory()
        .comments
        .iter()
        .rev()
        .find_map(|c| c.parent.clone())
        .expect("a reply in memory");
    let replies = json(&get(
        &h,
        &format!("/v21.0/{with_replies}/comments"),
        "fields=id,message,from,parent",
    ));
    let data = replies["data"].as_array().unwrap();
    assert!(!data.is_empty());
    assert_eq!(data[0]["parent"]["id"], with_replies.as_str());
    // Comments come oldest first unless asked otherwise; `stream` adds
    // the replies.
    let post_of_reply = fb
        .native_memory()
        .comments
        .iter()
        .rev()
        .find(|c| c.parent.is_some())
        .and_then(|c| c.media.clone())
        .unwrap();
    let path = format!("/v21.0/{post_of_reply}/comments");
    let times = |v: &Value| -> Vec<String> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["created_time"].as_str().unwrap().to_string())
            .collect()
    };
    let chrono = json(&get(
        &h,
        &path,
        "fields=created_time&limit=100&summary=true",
    ));
    let t = times(&chrono);
    assert!(t.windows(2).all(|w| w[0] <= w[1]), "{t:?}");
    assert_eq!(chrono["summary"]["order"], "chronological");
    let reverse = json(&get(
        &h,
        &path,
        "fields=created_time&limit=100&order=reverse_chronological",
    ));
    let r2 = times(&reverse);
    assert!(r2.windows(2).all(|w| w[0] >= w[1]), "{r2:?}");
    let stream = json(&get(
        &h,
        &path,
        "fields=created_time,parent&limit=100&filter=stream",
    ));
    let all = stream["data"].as_array().unwrap();
    assert!(all.len() >= t.len() && all.iter().any(|c| c["parent"].is_object()));
    // Insights.
    let v = json(&get(
        &h,
        &format!("/v21.0/{}/insights", busiest.id),
        "metric=post_impressions,post_reactions_by_type_total",
    ));
    assert_eq!(v["data"][0]["values"][0]["value"], busiest.reported[0]);
    assert_eq!(
        v["data"][1]["values"][0]["value"]["like"],
        busiest.reported[4]
    );
    let v = json(&get(
        &h,
        "/v21.0/me/insights",
        "metric=page_follows&period=day",
    ));
    assert_eq!(v["data"][0]["values"][0]["value"], fb.followers());
    // Messenger.
    let convs = json(&get(
        &h,
        "/v21.0/me/conversations",
        "fields=id,participants,messages{message,from}",
    ));
    let first = &convs["data"][0];
    assert!(first["id"].as_str().unwrap().starts_with("t_"), "{first}");
    assert!(
        first["messages"]["data"][0]["message"].is_string(),
        "{first}"
    );
}

#[test]
fn the_memory_stays_bounded() {
    let h = busy();
    let m = h.state().native_memory();
    assert_eq!(m.comments.len(), memory::COMMENTS, "a busy Page fills it");
    assert!(m.dms.len() <= memory::DMS && !m.dms.is_empty());
    let bytes = serde_json::to_vec(m).unwrap().len();
    assert!(bytes < 600_000, "{bytes}");
}

#[test]
fn writes_are_the_pages_actions_with_metas_errors() {
    let mut h = busy();
    // Publish a status post and a photo.
    let r = request(&h, "POST", "/v21.0/me/feed", "", b"message=Hello+Page");
    let (events, answer) = run(&mut h, &r);
    let Payload::Content(c) = &events.unwrap()[0].payload else {
        panic!()
    };
    assert_eq!((c.kind.as_str(), c.text.as_str()), ("post", "Hello Page"));
    assert_eq!(json(&answer)["id"], c.id.as_str());
    let r = request(
        &h,
        "POST",
        "/v21.0/me/photos",
        "",
        b"url=https%3A%2F%2Fexample.com%2Fa.jpg&caption=A+photo",
    );
    let (events, answer) = run(&mut h, &r);
    let Payload::Content(c) = &events.unwrap()[0].payload else {
        panic!()
    };
    assert_eq!(c.kind, "photo");
    assert_eq!(json(&answer)["post_id"], c.id.as_str());
    // Reply to a comment, hide it, delete it.
    let top = h
        .state()
        .native_memory()
        .comments
        .iter()
        .rev()
        .find(|c| c.parent.is_none())
        .unwrap()
        .clone();
    let r = request(
        &h,
        "POST",
        &format!("/v21.0/{}/comments", top.id),
        "",
        b"message=Thanks%21",
    );
    let (events, answer) = run(&mut h, &r);
    let events = events.unwrap();
    let Payload::Interaction(i) = &events[0].payload else {
        panic!()
    };
    assert_eq!(
        (i.kind.as_str(), i.parent_id.as_deref()),
        ("reply", Some(top.id.as_str()))
    );
    assert_eq!(json(&answer)["id"], i.id.as_str());
    let r = request(
        &h,
        "POST",
        &format!("/v21.0/{}", top.id),
        "",
        b"is_hidden=true",
    );
    let (_, answer) = run(&mut h, &r);
    assert_eq!(json(&answer)["success"], true);
    let v = json(&get(&h, &format!("/v21.0/{}", top.id), "fields=is_hidden"));
    assert_eq!(v["is_hidden"], true);
    let r = request(&h, "DELETE", &format!("/v21.0/{}", top.id), "", b"");
    let (_, answer) = run(&mut h, &r);
    assert_eq!(json(&answer)["success"], true);
    let v = json(&get(&h, &format!("/v21.0/{}", top.id), ""));
    assert_eq!(v["error"]["error_subcode"], 33);
    // Publishing past the daily limit: code 32, usage at 100 %.
    let mut last = None;
    for _ in 0..POST_LIMIT {
        let r = request(&h, "POST", "/v21.0/me/feed", "", b"message=again");
        let (outcome, answer) = run(&mut h, &r);
        if outcome.is_err() {
            last = Some(answer);
            break;
        }
    }
    let answer = last.expect("the limit bites");
    assert_eq!(json(&answer)["error"]["code"], 32);
    let usage = answer
        .headers
        .iter()
        .find(|(k, _)| k == "x-business-use-case-usage")
        .unwrap()
        .1
        .clone();
    let usage: Value = serde_json::from_str(&usage).unwrap();
    let page = h.state().page().id.clone();
    assert_eq!(usage[&page][0]["call_count"], 100, "{usage}");
    assert!(
        usage[&page][0]["estimated_time_to_regain_access"]
            .as_u64()
            .unwrap()
            > 0
    );
    // Messenger: an answer within the window, then code 10 after it.
    let dm = h
        .state()
        .native_memory()
        .dms
        .iter()
        .rev()
        .find(|d| d.author_id != page)
        .unwrap()
        .clone();
    let body = format!(
        "recipient=%7B%22id%22%3A%22{}%22%7D&message=%7B%22text%22%3A%22hi%22%7D&messaging_type=RESPONSE",
        dm.author_id
    );
    let r = request(&h, "POST", "/v21.0/me/messages", "", body.as_bytes());
    let (_, answer) = run(&mut h, &r);
    let v = json(&answer);
    assert_eq!(v["recipient_id"], dm.author_id.as_str());
    assert!(v["message_id"].as_str().unwrap().starts_with("m_"));
    // A restricted Page cannot publish: code 368.
    h.signal("restriction", r#"{"duration": 86400000}"#)
        .unwrap();
    let r = request(&h, "POST", "/v21.0/me/feed", "", b"message=blocked");
    assert_eq!(json(&r)["error"]["code"], 368);
}

#[test]
fn a_request_without_a_valid_token_is_graphs_oauth_exception() {
    let h = busy();
    for (why, code, message, detail) in [
        (
            "missing",
            2500,
            "An active access token must be used to query information about the current user.",
            "invalid_request",
        ),
        (
            "invalid",
            190,
            "Invalid OAuth access token - Cannot parse access token",
            "invalid_token",
        ),
    ] {
        let mut answers = Vec::new();
        for (method, path, body) in [
            ("GET", "/v21.0/me", &b""[..]),
            ("GET", "/me/feed", &b""[..]),
            ("POST", "/v21.0/me/feed", &b"message=not+posted"[..]),
            ("GET", "/v21.0/no/such/path", &b""[..]),
        ] {
            let r = HttpRequest {
                method: method.into(),
                path: path.into(),
                query: "fields=id,name".into(),
                headers: vec![
                    ("x-diorama-credentials".into(), why.into()),
                    (
                        "content-type".into(),
                        "application/x-www-form-urlencoded".into(),
                    ),
                ],
                body: body.to_vec(),
            };
            let NativeOutcome::Respond(r) = h.state().handle_request(h.now(), &r) else {
                panic!("{why} {method} {path}: a request without a token acted")
            };
            assert_eq!(r.status, 400, "{why} {method} {path}");
            let e = &json(&r)["error"];
            assert_eq!(e["type"], "OAuthException", "{e}");
            assert_eq!(e["code"], code, "{e}");
            assert_eq!(e["message"], message, "{e}");
            assert_eq!(e["fbtrace_id"].as_str().map(str::len), Some(23), "{e}");
            let auth = r
                .headers
                .iter()
                .find(|(k, _)| k == "www-authenticate")
                .map(|(_, v)| v.as_str());
            assert_eq!(
                auth,
                Some(format!("OAuth \"Facebook Platform\" \"{detail}\" \"{message}\"").as_str())
            );
            answers.push(r.body);
        }
        // The same request gets the same bytes.
        let again = HttpRequest {
            method: "GET".into(),
            path: "/v21.0/me".into(),
            query: "fields=id,name".into(),
            headers: vec![("x-diorama-credentials".into(), why.into())],
            body: Vec::new(),
        };
        let NativeOutcome::Respond(again) = h.state().handle_request(h.now(), &again) else {
            panic!()
        };
        assert_eq!(again.body, answers[0]);
    }
}
