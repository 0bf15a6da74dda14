//! Instagram's Graph API under `/native/instagram/`, driven by the real
//! python-facebook-api client, unmodified, pointed at the server with its
//! `base_url` option (and by plain HTTP for what that client has no
//! method for). Every check compares what the client sees with what the
//! account holds through `/v1` and its event stream.
//!
//! The client is installed from `tests/clients/instagram/requirements.txt`
//! (pinned) into a virtual environment in the build directory on first
//! use; a machine without `python3` fails these tests saying so.

use std::process::Command;

use serde_json::{json, Value};

use crate::common::{python_venv, root};
use crate::serve::{wait_for, Server, Sse, PATIENCE};

/// Run one command of `graph_client.py` against the server as the
/// profile; its JSON answer.
fn client(s: &Server, token: &str, args: &[&str]) -> Value {
    let python = python_venv(
        "instagram-client-venv",
        "tests/clients/instagram/requirements.txt",
    )
    .join("bin/python");
    let out = Command::new(python)
        .arg(root().join("tests/clients/instagram/graph_client.py"))
        .arg(s.url("/native/instagram/"))
        .arg(token)
        .args(args)
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("the client runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "graph_client.py {args:?} failed ({})\n--- stdout\n{stdout}\n--- stderr\n{}\n--- server log\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        s.log()
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("graph_client.py {args:?}: not JSON ({e}): {stdout}"))
}

/// A running profile with posts, comments and DMs on Instagram, paused.
fn busy_profile(s: &Server, seed: u64) -> crate::serve::Profile {
    let p = s.create(json!({
        "platforms": ["instagram"],
        "size": 1_000_000,
        "seed": seed,
        "speed": 10_000.0,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let kinds = |kind: &str| {
        format!(
            "/v1/profiles/{}/interactions?platform=instagram&kind={kind}&limit=10",
            p.id
        )
    };
    wait_for("an Instagram comment and a DM", PATIENCE, || {
        let has = |kind: &str| {
            !s.get(&kinds(kind), &p.token).expect(200)["items"]
                .as_array()
                .unwrap()
                .is_empty()
        };
        (has("comment") && has("dm")).then_some(())
    });
    s.pause(&p.id);
    p
}

fn interactions(s: &Server, p: &crate::serve::Profile, kind: &str) -> Vec<Value> {
    s.pages(
        &format!(
            "/v1/profiles/{}/interactions?platform=instagram&kind={kind}&limit=1000",
            p.id
        ),
        &p.token,
    )
}

/// The event with this interaction or content id arrives on the stream.
fn on_stream(s: &Server, p: &crate::serve::Profile, after: u64, id: &str) -> Value {
    let mut sse = Sse::open(
        s,
        &format!("/v1/profiles/{}/stream?after={after}", p.id),
        &p.token,
        None,
    );
    for _ in 0..1_000 {
        let e = sse.next();
        if e.data.contains(id) {
            return serde_json::from_str(&e.data).expect("stream data is JSON");
        }
    }
    panic!("{id} is not on the stream after event {after}");
}

fn last_seq(s: &Server, p: &crate::serve::Profile) -> u64 {
    let events = s.all_events(&p.id, &p.token);
    events.last().and_then(|e| e["seq"].as_u64()).unwrap_or(0)
}

#[test]
fn python_facebook_api_reads_replies_publishes_and_answers_dms() {
    let s = Server::start();
    let p = busy_profile(&s, 41);

    // The account node, as the account holds it.
    let account = client(&s, &p.token, &["account"]);
    let view = s.view(&p.id, &p.token);
    let contents = s.pages(
        &format!(
            "/v1/profiles/{}/contents?platform=instagram&limit=1000",
            p.id
        ),
        &p.token,
    );
    let feed: Vec<&Value> = contents.iter().filter(|c| c["kind"] != "story").collect();
    assert_eq!(
        account["media_count"].as_u64(),
        Some(feed.len() as u64),
        "{account}"
    );
    assert!(
        account["followers_count"].as_i64().unwrap() > 100_000,
        "{account}"
    );
    assert!(account["username"]
        .as_str()
        .is_some_and(|u| !u.starts_with('@')));
    let ig_id = account["id"].as_str().unwrap().to_string();
    let _ = view;

    // Media, through `paging.next` two at a time: every post and reel,
    // newest first, with its caption and counters.
    let media = client(&s, &p.token, &["media", "100", "2"]);
    let media = media.as_array().unwrap();
    assert_eq!(media.len(), feed.len(), "{media:?}");
    for (m, c) in media.iter().zip(feed.iter().rev()) {
        assert!(
            m["permalink"]
                .as_str()
                .unwrap()
                .contains(c["id"].as_str().unwrap()),
            "{m} vs {c}"
        );
        assert_eq!(m["caption"], c["text"], "{m} vs {c}");
        let want_type = if c["kind"] == "reel" {
            "VIDEO"
        } else {
            "IMAGE"
        };
        assert_eq!(m["media_type"], want_type);
        assert_eq!(
            m["like_count"].as_i64().unwrap_or(0),
            c["metrics"]["likes"].as_i64().unwrap_or(0),
            "{m} vs {c}"
        );
        assert!(m["timestamp"].as_str().unwrap().ends_with("+0000"), "{m}");
    }

    // Comments of the post with the most recent comment.
    let comments = interactions(&s, &p, "comment");
    let latest = comments.last().unwrap();
    let shortcode = latest["content_id"].as_str().unwrap();
    let media_id = media
        .iter()
        .find(|m| m["permalink"].as_str().unwrap().contains(shortcode))
        .map(|m| m["id"].as_str().unwrap().to_string())
        .expect("the commented post is listed");
    let listed = client(&s, &p.token, &["comments", &media_id, "1000", "7"]);
    let listed = listed.as_array().unwrap();
    let under: Vec<&Value> = comments
        .iter()
        .filter(|c| c["content_id"] == shortcode)
        .collect();
    // Read from the memory of the last 500 comments and replies.
    let recent = comments.len() + interactions(&s, &p, "reply").len();
    if recent <= 500 {
        assert_eq!(listed.len(), under.len(), "{listed:?}");
    }
    assert!(
        !listed.is_empty()
            && listed.iter().all(|l| under
                .iter()
                .any(|c| c["id"] == l["id"] && c["text"] == l["text"])),
        "{listed:?}"
    );
    assert_eq!(listed[0]["id"], latest["id"], "newest first");
    assert_eq!(listed[0]["text"], latest["text"]);
    assert_eq!(
        listed[0]["username"].as_str().unwrap(),
        latest["author"]["handle"]
            .as_str()
            .unwrap()
            .trim_start_matches('@')
    );

    // A reply: the `reply` action, under its comment in /v1 and on the
    // stream, and listed in the comment's replies.
    let before = last_seq(&s, &p);
    let comment_id = latest["id"].as_str().unwrap();
    let made = client(&s, &p.token, &["reply", comment_id, "Thank you so much!"]);
    let reply_id = made["id"].as_str().unwrap();
    let stored = interactions(&s, &p, "reply")
        .into_iter()
        .find(|r| r["id"] == reply_id)
        .unwrap_or_else(|| panic!("the reply is stored: {made}"));
    assert_eq!(stored["parent_id"], comment_id);
    assert_eq!(stored["content_id"], shortcode);
    assert_eq!(stored["text"], "Thank you so much!");
    assert_eq!(stored["author"]["id"], ig_id.as_str());
    assert!(
        made["listed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == reply_id && r["text"] == "Thank you so much!"),
        "{made}"
    );
    let streamed = on_stream(&s, &p, before, reply_id);
    assert!(streamed.to_string().contains(comment_id), "{streamed}");

    // Publishing through a container: a new post with the caption, within
    // the publishing limit.
    let before = last_seq(&s, &p);
    let published = client(&s, &p.token, &["publish", "Launch day #diorama"]);
    assert_eq!(published["status_before"], "FINISHED", "{published}");
    assert_eq!(published["status_after"], "PUBLISHED", "{published}");
    assert_eq!(published["media"]["caption"], "Launch day #diorama");
    let total = published["quota_total"].as_u64().unwrap();
    let used = published["quota_usage"].as_u64().unwrap();
    assert!(used >= 1 && used <= total, "{published}");
    let contents = s.pages(
        &format!(
            "/v1/profiles/{}/contents?platform=instagram&limit=1000",
            p.id
        ),
        &p.token,
    );
    let post = contents
        .iter()
        .find(|c| c["text"] == "Launch day #diorama")
        .unwrap_or_else(|| panic!("the post is stored: {published}"));
    assert_eq!(post["kind"], "post");
    assert!(published["media"]["permalink"]
        .as_str()
        .unwrap()
        .contains(post["id"].as_str().unwrap()));
    on_stream(&s, &p, before, post["id"].as_str().unwrap());

    // DMs: the latest conversation, answered; the answer is a `dm` whose
    // parent is the DM it answers.
    let dms = client(
        &s,
        &p.token,
        &["dms", "Thanks for writing, sending details now"],
    );
    let sender = dms["latest"]["from"]["id"].as_str().unwrap();
    assert_ne!(sender, ig_id, "{dms}");
    assert_eq!(dms["sent"]["recipient_id"], sender, "{dms}");
    let message_id = dms["sent"]["message_id"].as_str().unwrap();
    let all_dms = interactions(&s, &p, "dm");
    let answer = all_dms
        .iter()
        .find(|d| d["id"] == message_id)
        .unwrap_or_else(|| panic!("the answer is stored: {dms}"));
    assert_eq!(answer["author"]["id"], ig_id.as_str());
    assert_eq!(answer["text"], "Thanks for writing, sending details now");
    let answered = all_dms
        .iter()
        .find(|d| d["id"] == answer["parent_id"])
        .expect("the DM answered is stored");
    assert_eq!(answered["author"]["id"], sender);
    assert_eq!(answered["id"], dms["latest"]["id"]);
    assert_eq!(answered["text"], dms["latest"]["message"]);
    let after = dms["after"].as_array().unwrap();
    assert_eq!(after[0]["id"], message_id, "newest first: {dms}");
    assert_eq!(after[0]["from"]["id"], ig_id.as_str());

    // Graph's errors, as the client raises them; the usage headers parse.
    let errors = client(&s, &p.token, &["errors"]);
    assert_eq!(errors["no_field"]["code"], 100, "{errors}");
    assert!(errors["no_field"]["message"]
        .as_str()
        .unwrap()
        .contains("nonexisting field (nonsense)"));
    assert_eq!(errors["no_object"]["code"], 100, "{errors}");
    assert_eq!(errors["no_object"]["error_subcode"], 33, "{errors}");
    assert_eq!(errors["bad_limit"]["code"], 100, "{errors}");
    assert_eq!(
        errors["no_field"]["fbtrace_id"].as_str().map(str::len),
        Some(23)
    );
    assert_eq!(errors["rate_limit"]["call_count"], 0, "{errors}");
}

/// `GET /native/instagram/{path}` with the token in the query, as Graph
/// clients send it.
fn graph(s: &Server, p: &crate::serve::Profile, path: &str) -> crate::serve::Resp {
    let sep = if path.contains('?') { '&' } else { '?' };
    s.call(
        "GET",
        &format!("/native/instagram{path}{sep}access_token={}", p.token),
        None,
        None,
    )
}

/// A form POST (or DELETE) with the token in the body.
fn graph_form(
    s: &Server,
    p: &crate::serve::Profile,
    method: reqwest::Method,
    path: &str,
    form: &[(&str, &str)],
) -> crate::serve::Resp {
    let mut body = form_body(form);
    body.push_str(&format!("&access_token={}", p.token));
    let req = s
        .request(method.clone(), &format!("/native/instagram{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    s.send(req, format!("{method} {path}"))
}

fn form_body(form: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (k, v) in form {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        for b in v.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Checks a Graph error object; returns it.
fn graph_error(r: &crate::serve::Resp, status: u16, code: i64) -> Value {
    let body = r.expect(status);
    let e = &body["error"];
    assert_eq!(e["code"], code, "{}", r.text);
    assert!(
        e["message"].is_string() && e["type"].is_string(),
        "{}",
        r.text
    );
    assert_eq!(
        e["fbtrace_id"].as_str().map(str::len),
        Some(23),
        "{}",
        r.text
    );
    e.clone()
}

#[test]
fn the_graph_api_pages_moderates_and_reports_in_metas_shapes() {
    let s = Server::start();
    let p = busy_profile(&s, 43);
    let me = graph(&s, &p, "/v21.0/me?fields=id,username,media_count").expect(200);
    let ig_id = me["id"].as_str().unwrap().to_string();
    // Any version prefix, or none.
    for prefix in ["/v19.0", "/v24.0", ""] {
        let again = graph(&s, &p, &format!("{prefix}/{ig_id}?fields=id")).expect(200);
        assert_eq!(again, json!({"id": ig_id}));
    }
    let r = graph(&s, &p, &format!("/v21.0/{ig_id}?fields=id"));
    let types: Vec<_> = r.headers.get_all("content-type").iter().collect();
    assert_eq!(types, ["application/json"], "one content type");
    let app: Value = serde_json::from_str(r.headers["x-app-usage"].to_str().unwrap()).unwrap();
    assert_eq!(app["call_count"], 0);
    let buc: Value =
        serde_json::from_str(r.headers["x-business-use-case-usage"].to_str().unwrap()).unwrap();
    assert_eq!(buc[&ig_id][0]["type"], "instagram", "{buc}");

    // Cursor paging over `/media`: the pages put together are the whole
    // feed, `before` goes back, and nested `comments.limit(n){...}` works.
    let all = graph(&s, &p, &format!("/v21.0/{ig_id}/media?limit=100")).expect(200);
    let all: Vec<Value> = all["data"].as_array().unwrap().clone();
    assert_eq!(all.len() as u64, me["media_count"].as_u64().unwrap());
    let mut seen = Vec::new();
    let mut page = graph(&s, &p, &format!("/v21.0/{ig_id}/media?limit=1")).expect(200);
    let first_page = page.clone();
    loop {
        seen.extend(page["data"].as_array().unwrap().iter().cloned());
        let Some(next) = page["paging"]["next"].as_str() else {
            break;
        };
        assert!(next.contains("/native/instagram/v21.0/"), "{next}");
        let path = next.split("/native/instagram").nth(1).unwrap().to_string();
        page = s
            .call("GET", &format!("/native/instagram{path}"), None, None)
            .expect(200);
    }
    assert_eq!(seen, all);
    if all.len() >= 2 {
        let second = graph(
            &s,
            &p,
            &format!(
                "/v21.0/{ig_id}/media?limit=1&after={}",
                first_page["paging"]["cursors"]["after"].as_str().unwrap()
            ),
        )
        .expect(200);
        let back = graph(
            &s,
            &p,
            &format!(
                "/v21.0/{ig_id}/media?limit=1&before={}",
                second["paging"]["cursors"]["before"].as_str().unwrap()
            ),
        )
        .expect(200);
        assert_eq!(back["data"], first_page["data"]);
    }

    // A comment: nested fields, hiding, deleting.
    let comments = interactions(&s, &p, "comment");
    let c = comments.last().unwrap();
    let cid = c["id"].as_str().unwrap();
    let node = graph(
        &s,
        &p,
        &format!("/v21.0/{cid}?fields=id,text,hidden,from,media{{id,media_product_type}}"),
    )
    .expect(200);
    assert_eq!(node["text"], c["text"]);
    assert_eq!(node["hidden"], false);
    assert_eq!(node["from"]["id"], c["author"]["id"]);
    let media_id = node["media"]["id"].as_str().unwrap().to_string();
    let nested = graph(
        &s,
        &p,
        &format!("/v21.0/{media_id}?fields=comments.limit(1){{id,text}},comments_count,shortcode"),
    )
    .expect(200);
    assert_eq!(nested["shortcode"], c["content_id"], "{nested}");
    assert_eq!(
        nested["comments"]["data"].as_array().unwrap().len(),
        1,
        "{nested}"
    );
    assert_eq!(nested["id"], media_id.as_str());

    let hidden = graph_form(
        &s,
        &p,
        reqwest::Method::POST,
        &format!("/v21.0/{cid}"),
        &[("hide", "true")],
    );
    assert_eq!(hidden.expect(200), json!({"success": true}));
    let node = graph(&s, &p, &format!("/v21.0/{cid}?fields=hidden")).expect(200);
    assert_eq!(node["hidden"], true);
    let notice = s.all_events(&p.id, &p.token);
    assert!(
        notice
            .iter()
            .rev()
            .take(5)
            .any(|e| e.to_string().contains("comment_hidden")),
        "the hiding is an event"
    );
    let bad = graph_form(
        &s,
        &p,
        reqwest::Method::POST,
        &format!("/v21.0/{cid}"),
        &[("hide", "maybe")],
    );
    graph_error(&bad, 400, 100);

    let deleted = graph_form(
        &s,
        &p,
        reqwest::Method::DELETE,
        &format!("/v21.0/{cid}"),
        &[],
    );
    assert_eq!(deleted.expect(200), json!({"success": true}));
    let gone = graph(&s, &p, &format!("/v21.0/{cid}?fields=id"));
    let e = graph_error(&gone, 400, 100);
    assert_eq!(e["error_subcode"], 33);
    let listed = graph(&s, &p, &format!("/v21.0/{media_id}/comments?limit=100")).expect(200);
    assert!(
        !listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == cid),
        "{listed}"
    );

    // Insights of a media and of the account.
    let insights = graph(
        &s,
        &p,
        &format!("/v21.0/{media_id}/insights?metric=reach,likes,comments"),
    )
    .expect(200);
    let data = insights["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    assert_eq!(data[1]["name"], "likes");
    assert_eq!(data[1]["period"], "lifetime");
    assert!(data[1]["values"][0]["value"].is_i64(), "{insights}");
    let account = graph(
        &s,
        &p,
        &format!(
            "/v21.0/{ig_id}/insights?metric=likes,comments&period=day&metric_type=total_value"
        ),
    )
    .expect(200);
    assert!(
        account["data"][0]["total_value"]["value"].is_i64(),
        "{account}"
    );
    graph_error(
        &graph(&s, &p, &format!("/v21.0/{media_id}/insights?metric=bogus")),
        400,
        100,
    );
    graph_error(
        &graph(&s, &p, &format!("/v21.0/{media_id}/insights?metric=saved")),
        501,
        100,
    );

    // Stories live now, mentions, the publishing limit.
    let stories = graph(
        &s,
        &p,
        &format!("/v21.0/{ig_id}/stories?fields=id,media_product_type,permalink"),
    )
    .expect(200);
    for st in stories["data"].as_array().unwrap() {
        assert_eq!(st["media_product_type"], "STORY", "{st}");
    }
    let tags = graph(
        &s,
        &p,
        &format!("/v21.0/{ig_id}/tags?fields=id,caption,username"),
    )
    .expect(200);
    let mentions = interactions(&s, &p, "mention");
    assert_eq!(
        tags["data"].as_array().unwrap().len(),
        mentions.len().min(25),
        "{tags}"
    );
    let limit = graph(
        &s,
        &p,
        &format!("/v21.0/{ig_id}/content_publishing_limit?fields=config,quota_usage"),
    )
    .expect(200);
    assert_eq!(limit["data"][0]["config"]["quota_duration"], 86400);

    // Publishing up to the limit: Graph's code 9, subcode 2207042.
    let mut refused = None;
    for i in 0..8 {
        let made = graph_form(
            &s,
            &p,
            reqwest::Method::POST,
            &format!("/v21.0/{ig_id}/media"),
            &[
                ("image_url", "https://example.com/a.jpg"),
                ("caption", &format!("post {i}")),
            ],
        )
        .expect(200);
        let id = made["id"].as_str().unwrap().to_string();
        let r = graph_form(
            &s,
            &p,
            reqwest::Method::POST,
            &format!("/v21.0/{ig_id}/media_publish"),
            &[("creation_id", &id)],
        );
        if r.status != 200 {
            refused = Some(r);
            break;
        }
    }
    let refused = refused.expect("the publishing limit is reached");
    let e = graph_error(&refused, 400, 9);
    assert_eq!(e["error_subcode"], 2207042, "{e}");

    // Bad input: Graph's own errors, the parameter named; 501 for what is
    // Graph's but not simulated; unknown paths.
    let e = graph_error(
        &graph(&s, &p, &format!("/v21.0/{ig_id}/media?limit=0")),
        400,
        100,
    );
    assert!(e["message"].as_str().unwrap().contains("limit"), "{e}");
    let e = graph_error(
        &graph(&s, &p, &format!("/v21.0/{ig_id}/media?after=zzz")),
        400,
        100,
    );
    assert!(e["message"].as_str().unwrap().contains("after"), "{e}");
    let e = graph_error(
        &graph(&s, &p, &format!("/v21.0/{ig_id}?fields=id,media{{id")),
        400,
        100,
    );
    assert!(e["message"].as_str().unwrap().contains("fields"), "{e}");
    graph_error(
        &graph(&s, &p, &format!("/v21.0/{ig_id}/live_media")),
        501,
        100,
    );
    graph_error(&graph(&s, &p, &format!("/v21.0/{ig_id}/nothing")), 400, 100);
    graph_error(
        &graph(&s, &p, &format!("/v21.0/{ig_id}/media/a/b")),
        400,
        2500,
    );
    let e = graph_error(&graph(&s, &p, "/v21.0/999"), 400, 100);
    assert_eq!(e["error_subcode"], 33);
    let e = graph_error(
        &graph_form(
            &s,
            &p,
            reqwest::Method::POST,
            &format!("/v21.0/{ig_id}/media"),
            &[("image_url", "ftp://x")],
        ),
        400,
        9004,
    );
    assert_eq!(e["error_subcode"], 2207052);
    graph_error(
        &graph_form(
            &s,
            &p,
            reqwest::Method::POST,
            &format!("/v21.0/{ig_id}/media_publish"),
            &[],
        ),
        400,
        100,
    );
    // A batch by ids.
    let batch = graph(&s, &p, &format!("/v21.0/?ids={ig_id},{media_id}&fields=id")).expect(200);
    assert_eq!(batch[&ig_id]["id"], ig_id.as_str());
    assert_eq!(batch[&media_id]["id"], media_id.as_str());
}
