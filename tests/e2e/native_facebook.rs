//! Facebook's Graph API for Pages under `/native/facebook/`, driven by the
//! real python-facebook-api client, unmodified, pointed at the server with
//! its `base_url` option, and by plain HTTP for Meta's limit errors. Every
//! check compares what the client sees with what the Page holds through
//! `/v1` and its event stream.
//!
//! The client is installed from `tests/clients/facebook/requirements.txt`
//! (pinned) into a virtual environment in the build directory on first
//! use; a machine without `python3` fails these tests saying so.

use std::process::Command;

use serde_json::{json, Value};

use crate::common::{python_venv, root};
use crate::serve::{wait_for, Server, Sse, PATIENCE};

/// Run one command of `page_client.py` against the server as the
/// profile; its JSON answer.
fn client(s: &Server, token: &str, args: &[&str]) -> Value {
    let python = python_venv(
        "facebook-client-venv",
        "tests/clients/facebook/requirements.txt",
    )
    .join("bin/python");
    let out = Command::new(python)
        .arg(root().join("tests/clients/facebook/page_client.py"))
        .arg(s.url("/native/facebook/"))
        .arg(token)
        .args(args)
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("the client runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "page_client.py {args:?} failed ({})\n--- stdout\n{stdout}\n--- stderr\n{}\n--- server log\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        s.log()
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("page_client.py {args:?}: not JSON ({e}): {stdout}"))
}

/// A running Page with posts, comments, replies and messages, paused.
fn busy_page(s: &Server, seed: u64) -> crate::serve::Profile {
    let p = s.create(json!({
        "platforms": ["facebook"],
        "size": 2_000_000,
        "seed": seed,
        "speed": 10_000.0,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let kinds = |kind: &str| {
        format!(
            "/v1/profiles/{}/interactions?platform=facebook&kind={kind}&limit=10",
            p.id
        )
    };
    wait_for(
        "a Facebook reply, a message and reactions",
        PATIENCE,
        || {
            let has = |kind: &str| {
                !s.get(&kinds(kind), &p.token).expect(200)["items"]
                    .as_array()
                    .unwrap()
                    .is_empty()
            };
            let reacted = || {
                contents(s, &p)
                    .iter()
                    .any(|c| metric(c, "reactions") > 0 && metric(c, "comments") > 0)
            };
            (has("reply") && has("dm") && reacted()).then_some(())
        },
    );
    s.pause(&p.id);
    p
}

fn interactions(s: &Server, p: &crate::serve::Profile, kind: &str) -> Vec<Value> {
    s.pages(
        &format!(
            "/v1/profiles/{}/interactions?platform=facebook&kind={kind}&limit=1000",
            p.id
        ),
        &p.token,
    )
}

fn contents(s: &Server, p: &crate::serve::Profile) -> Vec<Value> {
    s.pages(
        &format!(
            "/v1/profiles/{}/contents?platform=facebook&limit=1000",
            p.id
        ),
        &p.token,
    )
}

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

fn metric(c: &Value, name: &str) -> i64 {
    c["metrics"][name].as_i64().unwrap_or(0)
}

#[test]
fn python_facebook_api_reads_the_feed_comments_and_reactions_and_replies() {
    let s = Server::start();
    let p = busy_page(&s, 51);

    // The Page node.
    let page = client(&s, &p.token, &["page"]);
    let page_id = page["id"].as_str().unwrap().to_string();
    assert!(page_id.len() == 15 && page_id.starts_with("1000"), "{page}");
    assert!(page["fan_count"].as_i64().unwrap() > 1_900_000, "{page}");
    assert!(page["link"]
        .as_str()
        .unwrap()
        .starts_with("https://www.facebook.com/"));

    // The feed, through `paging.next` two at a time, with the library's
    // default fields: every post newest first, its message, its comment
    // summary and its reactions by type, as the Page holds them.
    let posts = contents(&s, &p);
    assert!(!posts.is_empty());
    let feed = client(&s, &p.token, &["feed", "100", "2"]);
    let feed = feed.as_array().unwrap();
    assert_eq!(feed.len(), posts.len(), "{feed:?}");
    for (f, c) in feed.iter().zip(posts.iter().rev()) {
        assert_eq!(f["id"], c["id"], "{f} vs {c}");
        assert_eq!(f["message"], c["text"], "{f} vs {c}");
        assert!(f["created_time"].as_str().unwrap().ends_with("+0000"));
        assert_eq!(
            f["reactions"].as_i64(),
            Some(metric(c, "reactions")),
            "{f} vs {c}"
        );
        assert_eq!(
            f["comments"].as_i64(),
            Some(metric(c, "comments")),
            "{f} vs {c}"
        );
        assert_eq!(
            f["shares"].as_i64(),
            Some(metric(c, "shares")),
            "{f} vs {c}"
        );
        let mut sum = 0;
        for name in ["like", "love", "haha", "wow", "sad", "angry"] {
            let n = f[name].as_i64().unwrap();
            assert_eq!(
                n,
                metric(c, &format!("reactions_{name}")),
                "{name}: {f} vs {c}"
            );
            sum += n;
        }
        assert_eq!(sum, metric(c, "reactions"));
    }
    let published = client(&s, &p.token, &["published", "3"]);
    assert_eq!(published[0]["id"], feed[0]["id"]);

    // The comments of the post with the newest comment, oldest first.
    let comments = interactions(&s, &p, "comment");
    let latest = comments.last().unwrap();
    let post_id = latest["content_id"].as_str().unwrap();
    let listed = client(&s, &p.token, &["comments", post_id, "1000", "7"]);
    let data = listed["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{listed}"));
    let post = posts.iter().find(|c| c["id"] == post_id).unwrap();
    assert_eq!(
        listed["total_count"].as_i64(),
        Some(metric(post, "comments"))
    );
    assert_eq!(listed["order"], "chronological");
    assert!(
        !data.is_empty()
            && data.iter().all(|l| comments
                .iter()
                .any(|c| c["id"] == l["id"] && c["text"] == l["message"])),
        "{listed}"
    );
    let newest = data.last().unwrap();
    assert_eq!(newest["id"], latest["id"], "oldest first, newest last");
    assert_eq!(newest["from"]["id"], latest["author"]["id"]);
    assert!(data
        .windows(2)
        .all(|w| w[0]["created_time"].as_str() <= w[1]["created_time"].as_str()));

    // A reply from the Page: the `reply` action, under its comment in /v1
    // and on the stream, and listed in the comment's replies.
    let before = last_seq(&s, &p);
    let comment_id = latest["id"].as_str().unwrap();
    let made = client(&s, &p.token, &["reply", comment_id, "Thanks for watching!"]);
    let reply_id = made["id"].as_str().unwrap();
    let stored = interactions(&s, &p, "reply")
        .into_iter()
        .find(|r| r["id"] == reply_id)
        .unwrap_or_else(|| panic!("the reply is stored: {made}"));
    assert_eq!(stored["parent_id"], comment_id);
    assert_eq!(stored["content_id"], post_id);
    assert_eq!(stored["text"], "Thanks for watching!");
    assert_eq!(stored["author"]["id"], page_id.as_str());
    assert!(
        made["listed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == reply_id
                && r["message"] == "Thanks for watching!"
                && r["from"]["id"] == page_id.as_str()
                && r["parent"] == comment_id),
        "{made}"
    );
    let streamed = on_stream(&s, &p, before, reply_id);
    assert!(streamed.to_string().contains(comment_id), "{streamed}");

    // Reactions with their summary, in all and by type, on the post with
    // the most reactions.
    let busiest = posts.iter().max_by_key(|c| metric(c, "reactions")).unwrap();
    let id = busiest["id"].as_str().unwrap();
    let r = client(&s, &p.token, &["reactions", id]);
    assert_eq!(
        r["all"]["summary"]["total_count"].as_i64(),
        Some(metric(busiest, "reactions")),
        "{r}"
    );
    assert_eq!(r["all"]["summary"]["viewer_reaction"], "NONE");
    assert!(metric(busiest, "reactions") > 0, "{busiest}");
    for name in ["like", "love", "haha", "wow", "sad", "angry"] {
        assert_eq!(
            r[name]["summary"]["total_count"].as_i64(),
            Some(metric(busiest, &format!("reactions_{name}"))),
            "{name}: {r}"
        );
    }

    // Graph's errors as the client raises them; the Page's usage header.
    let errors = client(&s, &p.token, &["errors"]);
    assert_eq!(errors["no_field"]["code"], 100, "{errors}");
    assert!(errors["no_field"]["message"]
        .as_str()
        .unwrap()
        .contains("nonexisting field (nonsense)"));
    assert_eq!(errors["no_object"]["error_subcode"], 33, "{errors}");
    assert_eq!(errors["bad_limit"]["code"], 100, "{errors}");
    assert_eq!(
        errors["no_field"]["fbtrace_id"].as_str().map(str::len),
        Some(23)
    );
    assert_eq!(errors["pages_usage"]["type"], "pages", "{errors}");
}

/// `/native/facebook/{path}` with the token in the query.
fn graph(s: &Server, p: &crate::serve::Profile, method: &str, path: &str) -> crate::serve::Resp {
    let sep = if path.contains('?') { '&' } else { '?' };
    s.call(
        method,
        &format!("/native/facebook{path}{sep}access_token={}", p.token),
        None,
        None,
    )
}

#[test]
fn publishing_hiding_and_messenger_answer_with_metas_limits() {
    let s = Server::start();
    let p = busy_page(&s, 52);
    let me = graph(&s, &p, "GET", "/v21.0/me?fields=id,name").expect(200);
    let page_id = me["id"].as_str().unwrap().to_string();

    // Publish to the feed and a photo: both stored as the Page's content.
    let made = graph(
        &s,
        &p,
        "POST",
        "/v21.0/me/feed?message=Hello%20from%20the%20API",
    )
    .expect(200);
    let post_id = made["id"].as_str().unwrap().to_string();
    let photo = graph(
        &s,
        &p,
        "POST",
        "/v21.0/me/photos?url=https%3A%2F%2Fexample.com%2Fa.jpg&caption=A%20photo",
    )
    .expect(200);
    let stored = contents(&s, &p);
    let post = stored
        .iter()
        .find(|c| c["id"] == post_id.as_str())
        .expect("the post is stored");
    assert_eq!(
        (post["kind"].as_str(), post["text"].as_str()),
        (Some("post"), Some("Hello from the API"))
    );
    let photo_post = stored
        .iter()
        .find(|c| c["id"] == photo["post_id"])
        .expect("the photo is stored");
    assert_eq!(photo_post["kind"], "photo");

    // Hide, then delete, the newest comment.
    let comment = interactions(&s, &p, "comment").last().unwrap().clone();
    let cid = comment["id"].as_str().unwrap();
    let hidden = graph(&s, &p, "POST", &format!("/v21.0/{cid}?is_hidden=true")).expect(200);
    assert_eq!(hidden, json!({"success": true}));
    let node = graph(&s, &p, "GET", &format!("/v21.0/{cid}?fields=is_hidden")).expect(200);
    assert_eq!(node["is_hidden"], true);
    graph(&s, &p, "DELETE", &format!("/v21.0/{cid}")).expect(200);
    let gone = graph(&s, &p, "GET", &format!("/v21.0/{cid}")).expect(400);
    assert_eq!(gone["error"]["error_subcode"], 33);

    // Messenger: the conversation with the newest message, answered.
    let convs = graph(
        &s,
        &p,
        "GET",
        "/v21.0/me/conversations?fields=id,participants,messages.limit(3){id,message,from}",
    )
    .expect(200);
    let first = &convs["data"][0];
    let latest = &first["messages"]["data"][0];
    let sender = latest["from"]["id"].as_str().unwrap().to_string();
    assert_ne!(sender, page_id);
    let body = format!(
        "recipient=%7B%22id%22%3A%22{sender}%22%7D&message=%7B%22text%22%3A%22On%20it!%22%7D&messaging_type=RESPONSE"
    );
    let sent = graph(&s, &p, "POST", &format!("/v21.0/me/messages?{body}")).expect(200);
    assert_eq!(sent["recipient_id"], sender.as_str());
    let answer = interactions(&s, &p, "dm")
        .into_iter()
        .find(|d| d["id"] == sent["message_id"])
        .expect("the answer is stored");
    assert_eq!(answer["parent_id"], latest["id"]);
    assert_eq!(answer["author"]["id"], page_id.as_str());

    // Publishing until the Page's daily budget is spent: code 32, the
    // pages use case at 100 % with the minutes to wait, and /v1 agrees.
    let mut refused = None;
    for i in 0..30 {
        // Under the server's --action-rate (20 a second for a token).
        std::thread::sleep(std::time::Duration::from_millis(100));
        let r = graph(
            &s,
            &p,
            "POST",
            &format!("/v21.0/me/feed?message=post%20{i}"),
        );
        if r.status != 200 {
            refused = Some(r);
            break;
        }
    }
    let r = refused.expect("the publishing limit bites");
    let body = r.expect(400);
    assert_eq!(body["error"]["code"], 32, "{}", r.text);
    let buc: Value =
        serde_json::from_str(r.headers["x-business-use-case-usage"].to_str().unwrap()).unwrap();
    assert_eq!(buc[&page_id][0]["type"], "pages", "{buc}");
    assert_eq!(buc[&page_id][0]["call_count"], 100, "{buc}");
    assert!(
        buc[&page_id][0]["estimated_time_to_regain_access"]
            .as_u64()
            .unwrap()
            > 0
    );
    let v1 = s.call(
        "POST",
        &format!("/v1/profiles/{}/actions", p.id),
        Some(&p.token),
        Some(&json!({"platform": "facebook", "kind": "publish", "params": {"kind": "post"}})),
    );
    assert_eq!(v1.status, 429, "{}", v1.text);
}
