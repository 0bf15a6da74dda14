//! The X API v2 the plugin serves, called directly on a busy account:
//! answers in X's shapes (problems for errors, never a 500), the same
//! request gets the same bytes, paging covers every item once, and the
//! writes are the account's actions.

use std::collections::BTreeSet;

use diorama_sdk::harness::Harness;
use diorama_sdk::*;
use diorama_x::X;
use serde_json::Value;

fn busy() -> Harness<X> {
    let mut h =
        Harness::<X>::new(Harness::<X>::config(7, "tech", r#"{"followers": 1000000}"#)).unwrap();
    h.advance(2 * DAY);
    h
}

fn request(h: &Harness<X>, method: &str, path: &str, query: &str, body: &str) -> NativeOutcome {
    let r = HttpRequest {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    };
    h.state().handle_request(h.now(), &r)
}

fn get(h: &Harness<X>, path: &str, query: &str) -> (u16, Value, HttpResponse) {
    match request(h, "GET", path, query, "") {
        NativeOutcome::Respond(r) => (r.status, serde_json::from_slice(&r.body).unwrap(), r),
        NativeOutcome::Act(a) => panic!("a read acted: {a:?}"),
    }
}

/// Run a write: the action it asks for, then the answer `finish` shapes.
fn write(h: &mut Harness<X>, method: &str, path: &str, body: &str) -> (u16, Value, HttpResponse) {
    match request(h, method, path, "", body) {
        NativeOutcome::Respond(r) => (r.status, serde_json::from_slice(&r.body).unwrap(), r),
        NativeOutcome::Act(a) => {
            let outcome = h.act(&a.action.kind, &a.action.params);
            let r = match &outcome {
                Ok(events) => h.state().finish_request(h.now(), &a.context, Ok(events)),
                Err(e) => h.state().finish_request(h.now(), &a.context, Err(e)),
            };
            (r.status, serde_json::from_slice(&r.body).unwrap(), r)
        }
    }
}

fn header<'a>(r: &'a HttpResponse, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn reads_answer_in_xs_shapes_and_page_through_everything_once() {
    let h = busy();
    let me = h.state().creator().id.clone();
    let (s, body, r) = get(&h, "/2/users/me", "user.fields=public_metrics,verified");
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["data"]["id"], me.as_str());
    assert_eq!(
        body["data"]["public_metrics"]["followers_count"].as_i64(),
        Some(h.state().followers_reported())
    );
    assert_eq!(header(&r, "x-rate-limit-limit"), Some("75"));
    assert!(header(&r, "x-rate-limit-reset").is_some());

    // The timeline, five at a time: every post once, newest first.
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let q = if token.is_empty() {
            "max_results=5&tweet.fields=public_metrics,created_at,author_id&expansions=author_id"
                .to_string()
        } else {
            format!("max_results=5&pagination_token={token}")
        };
        let (s, body, _) = get(&h, &format!("/2/users/{me}/tweets"), &q);
        assert_eq!(s, 200, "{body}");
        for t in body["data"].as_array().into_iter().flatten() {
            seen.push(t["id"].as_str().unwrap().to_string());
        }
        match body["meta"]["next_token"].as_str() {
            Some(t) => token = t.to_string(),
            None => break,
        }
    }
    let own: Vec<String> = h
        .state()
        .posts()
        .iter()
        .rev()
        .map(|p| p.id.clone())
        .collect();
    assert_eq!(seen, own);

    // Mentions, search with operators, one post with its conversation.
    let (_, mentions, _) = get(
        &h,
        &format!("/2/users/{me}/mentions"),
        "max_results=100&expansions=author_id&tweet.fields=author_id,conversation_id",
    );
    let m = mentions["data"].as_array().unwrap();
    assert!(!m.is_empty());
    let users: BTreeSet<&str> = mentions["includes"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert!(m
        .iter()
        .all(|t| users.contains(t["author_id"].as_str().unwrap())));
    let post = &own[0];
    let (_, found, _) = get(&h, "/2/tweets/search/recent", &format!("query=conversation_id:{post} is:reply&max_results=100&tweet.fields=conversation_id,referenced_tweets"));
    for t in found["data"].as_array().into_iter().flatten() {
        assert_eq!(t["conversation_id"], post.as_str());
        assert_eq!(t["referenced_tweets"][0]["type"], "replied_to");
    }
    let handle = h
        .state()
        .creator()
        .handle
        .trim_start_matches('@')
        .to_string();
    let (_, from, _) = get(
        &h,
        "/2/tweets/search/recent",
        &format!("query=from:{handle} -is:reply&max_results=100"),
    );
    assert!(from["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| own.contains(&t["id"].as_str().unwrap().to_string())));
    let (_, one, _) = get(
        &h,
        &format!("/2/tweets/{post}"),
        "tweet.fields=public_metrics,reply_settings",
    );
    assert_eq!(one["data"]["reply_settings"], "everyone");
    assert!(
        one["data"]["public_metrics"]["impression_count"]
            .as_i64()
            .unwrap()
            > 0
    );

    // Likers, the same accounts every time.
    let (_, a, _) = get(
        &h,
        &format!("/2/tweets/{post}/liking_users"),
        "max_results=10",
    );
    let (_, b, _) = get(
        &h,
        &format!("/2/tweets/{post}/liking_users"),
        "max_results=10",
    );
    assert_eq!(a, b);
    assert_eq!(a["meta"]["result_count"], 10);
    // DMs, newest first.
    let (_, dms, _) = get(
        &h,
        "/2/dm_events",
        "dm_event.fields=sender_id,created_at,dm_conversation_id&expansions=sender_id",
    );
    let d = dms["data"].as_array().unwrap();
    assert!(!d.is_empty() && d.iter().all(|e| e["event_type"] == "MessageCreate"));
    assert!(d[0]["dm_conversation_id"].as_str().unwrap().contains(&me));
}

#[test]
fn bad_requests_are_xs_problems_never_a_500() {
    let h = busy();
    let me = h.state().creator().id.clone();
    for (path, query, status, kind) in [
        (
            "/2/users/me",
            "user.fields=bogus",
            400,
            "https://api.x.com/2/problems/invalid-request",
        ),
        (
            "/2/users/me",
            "colour=red",
            400,
            "https://api.x.com/2/problems/invalid-request",
        ),
        (
            "/2/tweets",
            "ids=abc",
            400,
            "https://api.x.com/2/problems/invalid-request",
        ),
        (
            "/2/tweets/search/recent",
            "query=",
            400,
            "https://api.x.com/2/problems/invalid-request",
        ),
        (
            "/2/tweets/search/recent",
            "query=place:paris",
            400,
            "https://api.x.com/2/problems/invalid-request",
        ),
        (
            "/2/tweets/search/recent",
            "query=a&max_results=5",
            400,
            "https://api.x.com/2/problems/invalid-request",
        ),
        (
            "/2/dm_events",
            "pagination_token=zzz",
            400,
            "https://api.x.com/2/problems/invalid-request",
        ),
        ("/2/spaces/search", "", 501, "about:blank"),
    ] {
        let (s, body, r) = get(&h, path, query);
        assert_eq!(
            (s, body["type"].as_str()),
            (status, Some(kind)),
            "{path}?{query}: {body}"
        );
        assert_eq!(header(&r, "content-type"), Some("application/problem+json"));
        assert!(
            body["title"].is_string() && body["detail"].is_string(),
            "{body}"
        );
    }
    let (s, body, _) = get(&h, "/1.1/statuses/home_timeline.json", "");
    assert_eq!((s, &body["errors"][0]["code"]), (404, &Value::from(34)));
    let (s, body, _) = get(&h, "/2/tweets/1", "");
    assert_eq!(s, 200);
    assert_eq!(
        body["errors"][0]["type"],
        "https://api.x.com/2/problems/resource-not-found"
    );
    let r = HttpRequest {
        method: "GET".into(),
        path: format!("/2/users/{me}/tweets"),
        query: String::new(),
        headers: vec![("x-diorama-credentials".into(), "invalid".into())],
        body: Vec::new(),
    };
    let NativeOutcome::Respond(r) = h.state().handle_request(h.now(), &r) else {
        panic!()
    };
    assert_eq!(r.status, 401);
    // Same request, same bytes.
    assert_eq!(get(&h, "/2/users/me", "").2, get(&h, "/2/users/me", "").2);
}

#[test]
fn writes_post_reply_delete_and_dm_as_the_creators_actions() {
    let mut h = busy();
    let (s, body, r) = write(
        &mut h,
        "POST",
        "/2/tweets",
        r#"{"text": "hello from the API", "reply_settings": "following"}"#,
    );
    assert_eq!(s, 201, "{body}");
    let id = body["data"]["id"].as_str().unwrap().to_string();
    assert_eq!(body["data"]["edit_history_tweet_ids"][0], id.as_str());
    assert!(
        header(&r, "x-rate-limit-remaining")
            .unwrap()
            .parse::<u32>()
            .unwrap()
            < 300
    );
    let p = h.state().posts().last().unwrap();
    assert_eq!(
        (p.id.as_str(), p.reply_settings.as_str()),
        (id.as_str(), "following")
    );
    // A reply to a mention.
    let mention = h.state().memory().mentions().last().unwrap().id.clone();
    let (s, body, _) = write(
        &mut h,
        "POST",
        "/2/tweets",
        &format!(r#"{{"text": "thanks!", "reply": {{"in_reply_to_tweet_id": "{mention}"}}}}"#),
    );
    assert_eq!(s, 201, "{body}");
    let reply = body["data"]["id"].as_str().unwrap().to_string();
    let (_, got, _) = get(
        &h,
        &format!("/2/tweets/{reply}"),
        "tweet.fields=referenced_tweets,author_id",
    );
    assert_eq!(got["data"]["referenced_tweets"][0]["id"], mention.as_str());
    assert_eq!(got["data"]["author_id"], h.state().creator().id.as_str());
    // Bad bodies.
    for bad in [
        r#"{"text": 5}"#,
        r#"{"txt": "a"}"#,
        "[1]",
        r#"{"text": "a", "reply_settings": "friends"}"#,
    ] {
        let (s, body, _) = write(&mut h, "POST", "/2/tweets", bad);
        assert_eq!(s, 400, "{bad}: {body}");
    }
    // Delete.
    let (s, body, _) = write(&mut h, "DELETE", &format!("/2/tweets/{id}"), "");
    assert_eq!((s, &body["data"]["deleted"]), (200, &Value::Bool(true)));
    let (_, gone, _) = get(&h, &format!("/2/tweets/{id}"), "");
    assert!(gone["errors"].is_array());
    // A DM back to the latest sender.
    let sender = h.state().memory().dms().last().unwrap().author.id.clone();
    let (s, body, _) = write(
        &mut h,
        "POST",
        &format!("/2/dm_conversations/with/{sender}/messages"),
        r#"{"text": "hi!"}"#,
    );
    assert_eq!(s, 201, "{body}");
    let event = body["data"]["dm_event_id"].as_str().unwrap();
    let (_, conv, _) = get(
        &h,
        &format!("/2/dm_conversations/with/{sender}/dm_events"),
        "",
    );
    assert_eq!(conv["data"][0]["id"], event);
    let (s, _, _) = write(
        &mut h,
        "POST",
        "/2/dm_conversations/with/42/messages",
        r#"{"text": "hi"}"#,
    );
    assert_eq!(s, 403);
}

#[test]
fn posting_past_xs_limit_is_a_429_with_rate_limit_headers() {
    let mut h =
        Harness::<X>::new(Harness::<X>::config(2, "tech", r#"{"posts_per_day": 0}"#)).unwrap();
    h.advance(HOUR);
    for i in 0..300 {
        let (s, body, _) = write(
            &mut h,
            "POST",
            "/2/tweets",
            &format!(r#"{{"text": "post {i}"}}"#),
        );
        assert_eq!(s, 201, "{body}");
    }
    let (s, body, r) = write(&mut h, "POST", "/2/tweets", r#"{"text": "one more"}"#);
    assert_eq!(s, 429);
    assert_eq!(
        (body["title"].as_str(), body["status"].as_u64()),
        (Some("Too Many Requests"), Some(429))
    );
    assert_eq!(header(&r, "x-rate-limit-remaining"), Some("0"));
    assert_eq!(header(&r, "x-rate-limit-limit"), Some("300"));
    let reset: i64 = header(&r, "x-rate-limit-reset").unwrap().parse().unwrap();
    assert!(reset * 1000 > h.now() && reset * 1000 <= h.now() + 3 * HOUR + 1000);
}

#[test]
fn a_request_in_the_published_documents_words_is_answered_in_them() {
    let h = busy();
    let me = h.state().creator().id.clone();
    let (_, tweets, _) = get(
        &h,
        &format!("/2/users/{me}/mentions"),
        "tweet.fields=referenced_tweets,public_metrics&expansions=referenced_tweets.id",
    );
    let (_, posts, _) = get(
        &h,
        &format!("/2/users/{me}/mentions"),
        "post.fields=referenced_posts,public_metrics&expansions=referenced_posts",
    );
    let t = &tweets["data"][0];
    let p = &posts["data"][0];
    assert_eq!(t["id"], p["id"]);
    assert!(t["edit_history_tweet_ids"].is_array() && p["edit_history_post_ids"].is_array());
    assert!(t.get("edit_history_post_ids").is_none() && p.get("edit_history_tweet_ids").is_none());
    let (_, own, _) = get(
        &h,
        &format!("/2/users/{me}/tweets"),
        "post.fields=public_metrics",
    );
    let m = &own["data"][0]["public_metrics"];
    assert_eq!(m["repost_count"], m["retweet_count"], "{m}");
    // A reply with its post expanded: `includes.tweets`, or `includes.posts`.
    let reply = h
        .state()
        .memory()
        .replies()
        .rev()
        .find(|i| i.kind == "comment")
        .unwrap()
        .id
        .clone();
    let (_, a, _) = get(
        &h,
        &format!("/2/tweets/{reply}"),
        "expansions=referenced_tweets.id",
    );
    let (_, b, _) = get(
        &h,
        &format!("/2/tweets/{reply}"),
        "expansions=referenced_posts",
    );
    assert!(a["includes"]["tweets"].is_array(), "{a}");
    assert!(b["includes"]["posts"].is_array(), "{b}");
    assert_eq!(
        a["includes"]["tweets"][0]["id"],
        b["includes"]["posts"][0]["id"]
    );
}

/// The fields X's published OpenAPI document (xdevplatform/xdk
/// `specs/openapi.json`) requires of what these answers hold, as read
/// there: `InvalidRequestProblem`, `ResourceNotFoundProblem`, `Error`,
/// `PostPublicMetrics`, `UserPublicMetrics`, `CreatePostsResponse`'s data.
#[test]
fn answers_hold_every_field_the_published_document_requires() {
    let mut h = busy();
    let me = h.state().creator().id.clone();
    let has = |v: &Value, keys: &[&str]| {
        for k in keys {
            assert!(v.get(*k).is_some(), "{k} missing in {v}");
        }
    };
    let (_, invalid, _) = get(&h, "/2/users/me", "user.fields=nope");
    has(&invalid, &["type", "title", "detail"]);
    let (_, missing, _) = get(&h, "/2/tweets/5", "");
    has(
        &missing["errors"][0],
        &["type", "title", "detail", "resource_type"],
    );
    let (_, unknown, _) = get(&h, "/3/nothing", "");
    assert!(unknown["errors"][0]["code"].is_i64() && unknown["errors"][0]["message"].is_string());
    let (_, user, _) = get(&h, "/2/users/me", "user.fields=public_metrics");
    has(
        &user["data"]["public_metrics"],
        &[
            "followers_count",
            "following_count",
            "post_count",
            "listed_count",
        ],
    );
    has(&user["data"], &["id", "name", "username"]);
    let (_, own, _) = get(
        &h,
        &format!("/2/users/{me}/tweets"),
        "post.fields=public_metrics",
    );
    has(
        &own["data"][0]["public_metrics"],
        &[
            "repost_count",
            "reply_count",
            "like_count",
            "quote_count",
            "bookmark_count",
            "impression_count",
        ],
    );
    has(&own["meta"], &["result_count"]);
    let (_, made, _) = write(&mut h, "POST", "/2/tweets", r#"{"text": "checked"}"#);
    has(&made["data"], &["id", "text"]);
}

#[test]
fn a_request_without_a_known_token_is_xs_401_problem_on_any_path() {
    let h = busy();
    let mut answers = Vec::new();
    for why in ["missing", "invalid"] {
        for (method, path) in [
            ("GET", "/2/users/me"),
            ("POST", "/2/tweets"),
            ("GET", "/2/spaces/search"),
            ("GET", "/1.1/statuses/home_timeline.json"),
        ] {
            let r = HttpRequest {
                method: method.into(),
                path: path.into(),
                query: String::new(),
                headers: vec![("x-diorama-credentials".into(), why.into())],
                body: br#"{"text": "not posted"}"#.to_vec(),
            };
            let NativeOutcome::Respond(r) = h.state().handle_request(h.now(), &r) else {
                panic!("{why} {method} {path}: a request without a token acted")
            };
            assert_eq!(r.status, 401, "{why} {method} {path}");
            assert_eq!(
                serde_json::from_slice::<Value>(&r.body).unwrap(),
                serde_json::json!({"title": "Unauthorized", "type": "about:blank",
                                   "status": 401, "detail": "Unauthorized"}),
                "{why} {method} {path}"
            );
            assert_eq!(header(&r, "content-type"), Some("application/problem+json"));
            assert_eq!(header(&r, "x-rate-limit-limit"), None);
            answers.push(r.body);
        }
    }
    // Nothing of the account is in the answer: every one is the same bytes.
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
}
