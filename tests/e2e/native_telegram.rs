//! Telegram's Bot API under `/native/telegram/bot<token>/`, driven by the
//! real python-telegram-bot, unmodified, pointed at the server with its
//! `base_url` option: a bot that long-polls `getUpdates`, receives a fan's
//! private message and answers it; and a bot that reads its channel and
//! posts to it. Every check compares what the library sees with what the
//! account holds through `/v1` and its event stream.
//!
//! The library is installed from `tests/clients/telegram/requirements.txt`
//! (pinned) into a virtual environment in the build directory on first
//! use; a machine without `python3` fails these tests saying so.

use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{python_venv, root};
use crate::serve::{wait_for, Profile, Server, Sse, ADMIN, PATIENCE};

/// Run one command of `bot.py` against the server with the profile's
/// token as the bot token; its JSON answer.
fn client(s: &Server, token: &str, args: &[&str]) -> Value {
    let python = python_venv(
        "telegram-client-venv",
        "tests/clients/telegram/requirements.txt",
    )
    .join("bin/python");
    let out = Command::new(python)
        .arg(root().join("tests/clients/telegram/bot.py"))
        .arg(s.url("/native/telegram/"))
        .arg(token)
        .args(args)
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("the client runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "bot.py {args:?} failed ({})\n--- stdout\n{stdout}\n--- stderr\n{}\n--- server log\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        s.log()
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("bot.py {args:?}: not JSON ({e}): {stdout}"))
}

/// A profile whose channel has posted and whose bot fans have written
/// to, paused.
fn busy_profile(s: &Server, seed: u64) -> Profile {
    let p = s.create(json!({
        "platforms": ["telegram"],
        "size": 400_000,
        "seed": seed,
        "speed": 10_000.0,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    wait_for("a channel post and a message to the bot", PATIENCE, || {
        let dms = s
            .get(
                &format!(
                    "/v1/profiles/{}/interactions?platform=telegram&kind=dm&limit=1",
                    p.id
                ),
                &p.token,
            )
            .expect(200);
        let posts = s
            .get(
                &format!("/v1/profiles/{}/contents?platform=telegram&limit=1", p.id),
                &p.token,
            )
            .expect(200);
        let has = |v: &Value| !v["items"].as_array().unwrap().is_empty();
        (has(&dms) && has(&posts)).then_some(())
    });
    s.pause(&p.id);
    p
}

fn items(s: &Server, p: &Profile, path: &str) -> Vec<Value> {
    s.pages(&format!("/v1/profiles/{}/{path}", p.id), &p.token)
}

/// The event with this id arrives on the stream after event `after`.
fn on_stream(s: &Server, p: &Profile, after: u64, id: &str) -> Value {
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

fn last_seq(s: &Server, p: &Profile) -> u64 {
    let events = s.all_events(&p.id, &p.token);
    events.last().and_then(|e| e["seq"].as_u64()).unwrap_or(0)
}

#[test]
fn python_telegram_bot_long_polls_and_answers_a_fan() {
    let s = Server::start();
    let p = busy_profile(&s, 51);
    let seq = last_seq(&s, &p);

    let got = client(&s, &p.token, &["answer"]);
    let fan = &got["fan"];
    let sent = &got["sent"];

    // The fan's message is a DM the account holds, from that fan, in the
    // fan's private chat.
    let dms = items(&s, &p, "interactions?platform=telegram&kind=dm&limit=1000");
    let held = dms
        .iter()
        .find(|d| d["id"].as_str() == Some(&*fan["message_id"].to_string()))
        .unwrap_or_else(|| panic!("{fan} is not among the DMs"));
    assert_eq!(held["text"], fan["text"], "{held} vs {fan}");
    assert_eq!(held["author"]["id"], fan["from_id"].to_string());
    assert_eq!(fan["chat_id"], fan["from_id"]);
    assert_eq!(fan["chat_type"], "private");
    assert_eq!(fan["from_is_bot"], false);

    // The bot's answer: a DM by the bot answering it, as the library was
    // told, with its HTML turned into an entity.
    assert_eq!(sent["text"], "Thanks for writing, really appreciated!");
    assert_eq!(sent["entities"], json!([["bold", 20, 6]]));
    assert_eq!(sent["reply_to"], fan["message_id"]);
    assert_eq!(sent["chat_id"], fan["chat_id"]);
    assert_eq!(sent["from_is_bot"], true);
    let dms = items(&s, &p, "interactions?platform=telegram&kind=dm&limit=1000");
    let answer = dms
        .iter()
        .find(|d| d["id"].as_str() == Some(&*sent["message_id"].to_string()))
        .unwrap_or_else(|| panic!("{sent} is not among the DMs"));
    assert_eq!(answer["parent_id"], held["id"]);
    assert_eq!(answer["text"], sent["text"]);
    assert_eq!(
        answer["author"]["handle"]
            .as_str()
            .unwrap()
            .trim_start_matches('@'),
        got["bot"].as_str().unwrap()
    );
    let streamed = on_stream(&s, &p, seq, answer["id"].as_str().unwrap());
    assert_eq!(streamed["kind"], "dm");
    assert_eq!(streamed["parent_id"], held["id"]);
}

#[test]
fn python_telegram_bot_reads_its_channel_and_posts_to_it() {
    let s = Server::start();
    let p = busy_profile(&s, 52);
    let seq = last_seq(&s, &p);

    let got = client(&s, &p.token, &["channel"]);
    let contents = items(&s, &p, "contents?platform=telegram&limit=1000");
    let newest = contents
        .iter()
        .find(|c| c["id"].as_str() == Some(&*got["sent"]["message_id"].to_string()))
        .unwrap_or_else(|| panic!("{} is not among the posts", got["sent"]));
    assert_eq!(newest["text"], "New episode is out");
    assert_eq!(got["sent"]["text"], "New episode is out");
    assert_eq!(got["sent"]["entities"], json!([["italic", 0, 3]]));
    assert_eq!(got["sent"]["sender_chat"], got["chat"]["id"]);
    // The channel post the library read is one the account published.
    let read = contents
        .iter()
        .find(|c| c["id"].as_str() == Some(&*got["last_post"]["message_id"].to_string()))
        .unwrap_or_else(|| panic!("{} is not a post of the account", got["last_post"]));
    assert_eq!(got["last_post"]["text"], read["text"]);
    assert_eq!(got["last_post"]["sender_chat"], got["chat"]["id"]);
    assert_eq!(got["chat"]["type"], "channel");
    assert!(newest["url"].as_str().unwrap().starts_with(&format!(
        "https://t.me/{}/",
        got["chat"]["username"].as_str().unwrap()
    )));
    assert!(got["chat"]["linked_chat_id"].as_i64().unwrap() < 0);
    assert!(got["members"].as_i64().unwrap() > 300_000, "{got}");
    assert_eq!(got["bot"]["is_bot"], true);
    on_stream(&s, &p, seq, newest["id"].as_str().unwrap());
}

#[test]
fn tokens_sit_in_the_path_and_errors_are_the_bot_apis() {
    let s = Server::start();
    let p = busy_profile(&s, 53);
    let base = "/native/telegram";
    // The profile token in the path.
    let me = s
        .call("GET", &format!("{base}/bot{}/getMe", p.token), None, None)
        .expect(200);
    assert_eq!(me["ok"], true);
    assert_eq!(me["result"]["is_bot"], true);
    // A token of the server's shape it does not know: Telegram's 401.
    let unknown = format!("dpt_{}", "0".repeat(48));
    let r = s.call("GET", &format!("{base}/bot{unknown}/getMe"), None, None);
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(
        serde_json::from_str::<Value>(&r.text).unwrap(),
        json!({"ok": false, "error_code": 401, "description": "Unauthorized"})
    );
    // No token at all: Telegram's 404.
    let r = s.call("GET", &format!("{base}/bot/getMe"), None, None);
    assert_eq!(r.status, 404, "{}", r.text);
    // Form bodies; a 429 with `retry_after` for a second message to one
    // chat within the second.
    // The newest fan who wrote to the bot.
    let dms = items(&s, &p, "interactions?platform=telegram&kind=dm&limit=1000");
    let dm = dms.last().expect("a DM").clone();
    let chat = dm["author"]["id"].as_str().unwrap().to_string();
    let send = |text: &str| {
        s.send(
            s.request(
                reqwest::Method::POST,
                &format!("{base}/bot{}/sendMessage", p.token),
            )
            .form(&[("chat_id", chat.as_str()), ("text", text)]),
            "sendMessage".into(),
        )
    };
    let first = send("hello there");
    assert_eq!(first.status, 200, "{}", first.text);
    let second = send("and again");
    assert_eq!(second.status, 429, "{}", second.text);
    let e: Value = serde_json::from_str(&second.text).unwrap();
    assert_eq!(e["parameters"]["retry_after"], 1);
    assert_eq!(e["ok"], false);
}

#[test]
fn python_telegram_bot_answers_fans_with_buttons_and_their_presses() {
    let s = Server::start();
    let p = s.create(json!({
        "platforms": {"telegram": {"subscribers": 400_000, "dm_frequency": "high"}},
        "seed": 54,
        "speed": 10_000.0,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    wait_for("eight fans writing to the bot", PATIENCE, || {
        let dms = items(&s, &p, "interactions?platform=telegram&kind=dm&limit=1000");
        let mut fans: Vec<&str> = dms
            .iter()
            .filter_map(|d| d["author"]["id"].as_str())
            .collect();
        fans.sort_unstable();
        fans.dedup();
        (fans.len() >= 8).then_some(())
    });
    s.pause(&p.id);
    // Eight fans get an inline keyboard: 60 % of fans press one, so at
    // least one of eight does but on one run in 1,500.
    let got = client(&s, &p.token, &["keyboard", "8"]);
    let sent: Vec<String> = got["sent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.to_string())
        .collect();
    assert_eq!(sent.len(), 8, "{got}");
    s.post(&format!("/v1/profiles/{}/resume", p.id), ADMIN, &json!({}))
        .expect(200);
    let press = client(&s, &p.token, &["presses"]);
    assert!(sent.contains(&press["message_id"].to_string()), "{press}");
    assert!(["vote:tutorial", "vote:review"].contains(&press["data"].as_str().unwrap()));
    assert_eq!(press["from_id"], press["chat_id"]);
    assert_eq!(press["answered"], true);
    // The press is the fan's interaction on the bot's message.
    let buttons = items(
        &s,
        &p,
        "interactions?platform=telegram&kind=button&limit=1000",
    );
    let held = buttons
        .iter()
        .find(|b| b["id"].as_str() == press["id"].as_str())
        .unwrap_or_else(|| panic!("{press} is not among {buttons:?}"));
    assert_eq!(
        held["parent_id"].as_str(),
        Some(&*press["message_id"].to_string())
    );
    assert_eq!(held["text"], press["data"]);
    assert_eq!(
        held["author"]["id"].as_str(),
        Some(&*press["from_id"].to_string())
    );
}

/// python-telegram-bot long-polls and answers a fan, then switches to a
/// webhook: the library's own server, subscribed with `setWebhook` and a
/// secret token, receives the next fan's message and answers it; while
/// the webhook is set, `getUpdates` is refused as on the real server, and
/// `deleteWebhook` ends it.
#[test]
fn python_telegram_bot_switches_from_long_polling_to_a_webhook() {
    let s = Server::start();
    let p = busy_profile(&s, 53);
    s.post(
        &format!("/v1/profiles/{}/start", p.id),
        ADMIN,
        &json!({"speed": 10_000.0}),
    )
    .expect(200);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();

    let got = client(&s, &p.token, &["switch", &port.to_string()]);
    let polled = &got["polled"];
    let pushed = &got["webhook"];
    assert_eq!(polled["sent"]["reply_to"], polled["fan"]["message_id"]);
    assert_eq!(pushed["sent"]["reply_to"], pushed["fan"]["message_id"]);
    assert_ne!(pushed["fan"]["message_id"], polled["fan"]["message_id"]);
    assert!(
        pushed["update_id"].as_u64() > polled["update_id"].as_u64(),
        "{got}"
    );
    let url = format!("http://127.0.0.1:{port}/hook");
    assert_eq!(pushed["webhook_url"], url);

    // Both answers are the account's DMs, each under the fan's message.
    let dms = items(&s, &p, "interactions?platform=telegram&kind=dm&limit=1000");
    for turn in [polled, pushed] {
        let id = |m: &Value| m["message_id"].to_string();
        let answer = dms
            .iter()
            .find(|d| d["id"].as_str() == Some(&*id(&turn["sent"])))
            .unwrap_or_else(|| panic!("{turn} is not among the DMs"));
        assert_eq!(answer["parent_id"].as_str(), Some(&*id(&turn["fan"])));
    }

    // The subscription is one of the profile's webhooks, in Telegram's
    // format, and delivered.
    let hooks = s
        .get(&format!("/v1/profiles/{}/webhooks", p.id), &p.token)
        .expect(200);
    let hooks = hooks["webhooks"].as_array().unwrap();
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    assert_eq!(hooks[0]["url"], url);
    assert_eq!(hooks[0]["format"]["name"], "bot-updates");
    assert_eq!(
        hooks[0]["format"]["params"]["secret_token"],
        "diorama-switch-1"
    );
    let log = s
        .get(
            &format!(
                "/v1/profiles/{}/webhooks/{}/deliveries",
                p.id,
                hooks[0]["id"].as_str().unwrap()
            ),
            &p.token,
        )
        .expect(200);
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["status"] == 200),
        "{log}"
    );

    // getUpdates is refused while the webhook is set; deleteWebhook ends it.
    let bot = |method: &str| {
        let r = s.send(
            s.request(
                reqwest::Method::POST,
                &format!("/native/telegram/bot{}/{method}", p.token),
            ),
            method.to_string(),
        );
        (r.status, r.json())
    };
    let (status, e) = bot("getUpdates");
    assert_eq!(status, 409, "{e}");
    assert!(e["description"].as_str().unwrap().starts_with("Conflict"));
    let (status, info) = bot("getWebhookInfo");
    assert_eq!(status, 200);
    assert_eq!(info["result"]["url"], url);
    let (status, done) = bot("deleteWebhook");
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["description"], "Webhook was deleted");
    let (status, _) = bot("getUpdates");
    assert_eq!(status, 200);
    let hooks = s
        .get(&format!("/v1/profiles/{}/webhooks", p.id), &p.token)
        .expect(200);
    assert_eq!(hooks["webhooks"], json!([]));
}

/// `getUpdates` with a `timeout` holds the request while there is nothing
/// new: until the timeout on a paused account, until the next update on a
/// running one.
#[test]
fn get_updates_holds_a_long_poll_until_an_update_comes() {
    let s = Server::start();
    let p = busy_profile(&s, 54);
    let updates = |query: &str| {
        let started = std::time::Instant::now();
        let path = format!("/native/telegram/bot{}/getUpdates?{query}", p.token);
        let r = s.send(s.request(reqwest::Method::GET, &path), path.clone());
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(
            r.headers.get("x-diorama-long-poll").is_none(),
            "the host's header stays inside"
        );
        (
            r.json()["result"].as_array().unwrap().clone(),
            started.elapsed(),
        )
    };
    let (all, _) = updates("limit=100&offset=-1");
    let next = all.last().expect("an update")["update_id"]
        .as_u64()
        .unwrap()
        + 1;

    // Paused: nothing comes, the answer is empty after the timeout.
    let (none, waited) = updates(&format!("offset={next}&timeout=2"));
    assert_eq!(none, Vec::<Value>::new());
    assert!(waited >= Duration::from_millis(1_900), "{waited:?}");
    // Without a timeout, at once.
    let (none, waited) = updates(&format!("offset={next}"));
    assert!(none.is_empty());
    assert!(waited < Duration::from_secs(2), "{waited:?}");

    // Running: the held request answers with the next update, well before
    // its timeout.
    s.post(
        &format!("/v1/profiles/{}/start", p.id),
        ADMIN,
        &json!({"speed": 10_000.0}),
    )
    .expect(200);
    let (some, waited) = updates(&format!("offset={next}&timeout=20"));
    assert!(!some.is_empty());
    assert!(some[0]["update_id"].as_u64().unwrap() >= next);
    assert!(waited < Duration::from_secs(20), "{waited:?}");
}
