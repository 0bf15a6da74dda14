//! X's API v2 under `/native/x/`, driven by the real clients, unmodified:
//! tweepy's `Client` and the official `xdk` SDK (whose pydantic models are
//! generated from X's published OpenAPI document, so every answer is
//! parsed against it). Every check compares what a client sees with what
//! the account holds through `/v1` and its event stream.
//!
//! The clients are installed from `tests/clients/x/requirements.txt`
//! (pinned) into a virtual environment in the build directory on first
//! use; a machine without `python3` fails these tests saying so.

use std::process::Command;

use serde_json::{json, Value};

use crate::common::{python_venv, root};
use crate::serve::{wait_for, Server, Sse, PATIENCE};

/// Run one command of `x_client.py` with `library` against the server as
/// the profile; its JSON answer.
fn client(s: &Server, token: &str, library: &str, args: &[&str]) -> Value {
    let python =
        python_venv("x-client-venv", "tests/clients/x/requirements.txt").join("bin/python");
    let out = Command::new(python)
        .arg(root().join("tests/clients/x/x_client.py"))
        .arg(s.url("/native/x"))
        .arg(token)
        .arg(library)
        .args(args)
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("the client runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "x_client.py {library} {args:?} failed ({})\n--- stdout\n{stdout}\n--- stderr\n{}\n--- server log\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        s.log()
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("x_client.py {args:?}: not JSON ({e}): {stdout}"))
}

/// A running profile on X with posts, replies, mentions and DMs, paused.
fn busy_profile(s: &Server, seed: u64) -> crate::serve::Profile {
    let p = s.create(json!({
        "platforms": ["x"],
        "size": 2_000_000,
        "seed": seed,
        "speed": 20_000.0,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let kinds = |kind: &str| {
        format!(
            "/v1/profiles/{}/interactions?platform=x&kind={kind}&limit=10",
            p.id
        )
    };
    wait_for("an X reply, mention and DM", PATIENCE, || {
        let has = |kind: &str| {
            !s.get(&kinds(kind), &p.token).expect(200)["items"]
                .as_array()
                .unwrap()
                .is_empty()
        };
        (has("comment") && has("mention") && has("dm")).then_some(())
    });
    s.pause(&p.id);
    p
}

fn interactions(s: &Server, p: &crate::serve::Profile, kind: &str) -> Vec<Value> {
    s.pages(
        &format!(
            "/v1/profiles/{}/interactions?platform=x&kind={kind}&limit=1000",
            p.id
        ),
        &p.token,
    )
}

fn contents(s: &Server, p: &crate::serve::Profile) -> Vec<Value> {
    s.pages(
        &format!("/v1/profiles/{}/contents?platform=x&limit=1000", p.id),
        &p.token,
    )
}

/// The event with this id arrives on the stream after `after`.
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

/// Post, reply to a mention, search recent and read DMs with `library`.
fn post_reply_search_and_read_dms(library: &str, seed: u64) {
    let s = Server::start();
    let p = busy_profile(&s, seed);

    // The account.
    let me = client(&s, &p.token, library, &["me"]);
    let me = &me["data"];
    let my_id = me["id"].as_str().unwrap().to_string();
    let username = me["username"].as_str().unwrap().to_string();
    assert!(
        me["public_metrics"]["followers_count"].as_i64().unwrap() > 1_000_000,
        "{me}"
    );

    // A post: stored as the account's content, on the stream.
    let before = last_seq(&s, &p);
    let text = format!("shipping the new build today ({library})");
    let made = client(&s, &p.token, library, &["post", &text]);
    let post_id = made["data"]["id"].as_str().unwrap().to_string();
    assert_eq!(made["data"]["text"], text.as_str());
    let stored = contents(&s, &p)
        .into_iter()
        .find(|c| c["id"] == post_id.as_str())
        .unwrap_or_else(|| panic!("the post is stored: {made}"));
    assert_eq!(
        (stored["kind"].as_str(), stored["text"].as_str()),
        (Some("post"), Some(text.as_str()))
    );
    assert!(stored["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/{username}/status/{post_id}")));
    on_stream(&s, &p, before, &post_id);

    // Mentions: the newest is the newest /v1 holds, with its author.
    let mentions = client(&s, &p.token, library, &["mentions", &my_id]);
    let listed = mentions["data"].as_array().unwrap();
    let held_mentions = interactions(&s, &p, "mention");
    let held_comments = interactions(&s, &p, "comment");
    let newest = listed.first().expect("a mention");
    let held = held_mentions
        .iter()
        .chain(&held_comments)
        .find(|m| m["id"] == newest["id"])
        .unwrap_or_else(|| panic!("the mention is held: {newest}"));
    assert_eq!(held["text"], newest["text"]);
    assert_eq!(held["author"]["id"], newest["author_id"]);
    let latest_at = held_mentions
        .iter()
        .chain(&held_comments)
        .filter_map(|m| m["at"].as_i64())
        .max()
        .unwrap();
    assert_eq!(held["at"].as_i64(), Some(latest_at), "newest first");
    let mention = held_mentions.last().unwrap();
    let mention_id = mention["id"].as_str().unwrap();

    // A reply to it: the creator's `reply`, whose parent is the mention.
    let before = last_seq(&s, &p);
    let made = client(
        &s,
        &p.token,
        library,
        &["reply", mention_id, "thanks for the shout-out!"],
    );
    let reply_id = made["data"]["id"].as_str().unwrap().to_string();
    let reply = interactions(&s, &p, "reply")
        .into_iter()
        .find(|r| r["id"] == reply_id.as_str())
        .unwrap_or_else(|| panic!("the reply is stored: {made}"));
    assert_eq!(reply["parent_id"], mention_id);
    assert_eq!(reply["author"]["id"], my_id.as_str());
    assert_eq!(reply["text"], "thanks for the shout-out!");
    on_stream(&s, &p, before, &reply_id);

    // Search: the creator's own posts and the replies in one conversation,
    // every page through the client's paginator.
    let own = client(
        &s,
        &p.token,
        library,
        &["search", &format!("from:{username} -is:reply")],
    );
    let own_ids: Vec<&str> = own["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(own_ids.contains(&post_id.as_str()), "{own}");
    let held_posts = contents(&s, &p);
    for id in &own_ids {
        assert!(
            held_posts.iter().any(|c| c["id"] == *id),
            "{id} is not a post of the account"
        );
    }
    let commented = held_comments.last().unwrap();
    let conversation = commented["content_id"].as_str().unwrap();
    let found = client(
        &s,
        &p.token,
        library,
        &[
            "search",
            &format!("conversation_id:{conversation} is:reply"),
        ],
    );
    let found = found["data"].as_array().unwrap();
    assert!(
        found.iter().any(|t| t["id"] == commented["id"]),
        "{found:?}"
    );
    let under: Vec<Value> = held_comments
        .iter()
        .chain(&interactions(&s, &p, "reply"))
        .filter(|c| c["content_id"] == conversation)
        .cloned()
        .collect();
    for t in found {
        assert_eq!(t["conversation_id"], conversation, "{t}");
        assert!(
            under
                .iter()
                .any(|c| c["id"] == t["id"] && c["text"] == t["text"]),
            "{t}"
        );
    }

    // DMs: the newest is the newest /v1 holds.
    let dms = client(&s, &p.token, library, &["dms"]);
    let first = &dms["data"][0];
    let held = interactions(&s, &p, "dm");
    let newest = held.last().unwrap();
    assert_eq!(
        (&first["id"], &first["text"]),
        (&newest["id"], &newest["text"]),
        "{dms}"
    );
    assert!(first["dm_conversation_id"]
        .as_str()
        .unwrap()
        .contains(&my_id));

    if library == "tweepy" {
        // Deleting the post: the `delete` action, a `deleted` metric on it
        // in /v1, and the post gone from the API.
        let gone = client(&s, &p.token, library, &["delete", &post_id]);
        assert_eq!(gone["data"]["deleted"], true, "{gone}");
        let events = s.all_events(&p.id, &p.token);
        assert!(
            events
                .iter()
                .any(|e| e["kind"] == "deleted" && e["content_id"] == post_id.as_str()),
            "no `deleted` metric for {post_id}"
        );
        let own = client(
            &s,
            &p.token,
            library,
            &["search", &format!("from:{username}")],
        );
        assert!(
            own["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["id"] != post_id.as_str()),
            "{own}"
        );
    }
}

#[test]
fn tweepy_posts_replies_to_a_mention_searches_and_reads_dms() {
    post_reply_search_and_read_dms("tweepy", 51);
}

#[test]
fn xdk_posts_replies_to_a_mention_searches_and_reads_and_answers_dms() {
    post_reply_search_and_read_dms("xdk", 52);
    // A DM answered through the SDK: a `dm` whose parent is the sender's
    // latest DM.
    let s = Server::start();
    let p = busy_profile(&s, 53);
    let held = interactions(&s, &p, "dm");
    let latest = held.last().unwrap();
    let sender = latest["author"]["id"].as_str().unwrap();
    let sent = client(
        &s,
        &p.token,
        "xdk",
        &["dm", sender, "thanks, sending details"],
    );
    let event = sent["data"]["dm_event_id"].as_str().unwrap();
    let answer = interactions(&s, &p, "dm")
        .into_iter()
        .find(|d| d["id"] == event)
        .unwrap_or_else(|| panic!("the DM is stored: {sent}"));
    assert_eq!(answer["parent_id"], latest["id"]);
    assert_eq!(answer["text"], "thanks, sending details");
}

#[test]
fn tweepy_meets_xs_posting_limit_as_a_429_with_its_headers() {
    // diorama's own admission rate for a token is raised out of the way,
    // so X's limit is the one met.
    let s = Server::start_with(&["--action-rate", "100000"]);
    let p = s.create(json!({
        "platforms": ["x"],
        "size": 10_000,
        "seed": 54,
        "speed": 1.0,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    s.pause(&p.id);
    let flood = client(&s, &p.token, "tweepy", &["flood", "310"]);
    assert_eq!(flood["status"], 429, "{flood}");
    assert_eq!(flood["posted"], 300, "{flood}");
    assert_eq!(
        (flood["limit"].as_str(), flood["remaining"].as_str()),
        (Some("300"), Some("0"))
    );
    assert!(flood["reset"].as_str().unwrap().parse::<i64>().unwrap() > 0);
    assert_eq!(flood["body"]["title"], "Too Many Requests");
}

/// The TLS listener's address and the authority's certificate, from the
/// lines the server prints.
fn tls_of(s: &Server) -> (std::net::SocketAddr, std::path::PathBuf) {
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

#[test]
fn xs_own_hosts_reach_the_account_over_tls() {
    let s = Server::start_with(&["--tls-addr", "127.0.0.1:0"]);
    let (addr, ca) = tls_of(&s);
    let p = s.create(json!({"platforms": ["x"], "size": 30_000, "seed": 55}));
    let by_path = s
        .call("GET", "/native/x/2/users/me", Some(&p.token), None)
        .expect(200);
    let pem = std::fs::read(ca).expect("the CA certificate");
    // A client that keeps X's own hosts, both of its names, resolved to
    // the TLS listener and trusting only the server's authority.
    let client = reqwest::blocking::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("a PEM certificate"))
        .resolve("api.x.com", addr)
        .resolve("api.twitter.com", addr)
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("an HTTPS client");
    for host in ["api.x.com", "api.twitter.com"] {
        let res = client
            .get(format!("https://{host}/2/users/me"))
            .bearer_auth(&p.token)
            .send()
            .unwrap_or_else(|e| panic!("{host}: {e:?}"));
        assert_eq!(res.status().as_u16(), 200, "{host}");
        assert!(res.headers().get("x-rate-limit-limit").is_some());
        let body: Value = res.json().expect("JSON");
        assert_eq!(body["data"]["id"], by_path["data"]["id"], "{host}");
        // A wrong token is X's own 401 problem.
        let res = client
            .get(format!("https://{host}/2/users/me"))
            .bearer_auth("not-a-token")
            .send()
            .expect("an answer");
        assert_eq!(res.status().as_u16(), 401);
        let body: Value = res.json().expect("JSON");
        assert_eq!(
            (body["title"].as_str(), body["status"].as_u64()),
            (Some("Unauthorized"), Some(401))
        );
    }
}
