//! The Bot API the plugin serves, called directly on a busy account: the
//! answers are the Bot API's JSON, updates follow the offset, and writes
//! are the account's actions, answered as the real server answers them.

use diorama_sdk::harness::Harness;
use diorama_sdk::*;
use diorama_telegram::native::{channel_chat_id, group_chat_id, memory};
use diorama_telegram::Telegram;
use serde_json::{json, Value};

type H = Harness<Telegram>;

fn busy() -> H {
    let mut h = H::new(H::config(11, "tech", r#"{"subscribers": 600000}"#)).unwrap();
    h.advance(DAY);
    h
}

fn request(
    h: &H,
    method: &str,
    path: &str,
    query: &str,
    content_type: &str,
    body: &[u8],
) -> NativeOutcome {
    let r = HttpRequest {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        headers: vec![
            ("host".into(), "127.0.0.1:8080".into()),
            ("content-type".into(), content_type.into()),
        ],
        body: body.to_vec(),
    };
    h.state().handle_request(h.now(), &r)
}

/// At least `n` fans' private messages (one per fan), read from the
/// updates page by page, letting the account run six hours more while
/// there are fewer: a busy channel's updates are mostly comments.
fn fan_messages(h: &mut H, n: usize) -> Vec<Value> {
    let mut fans: Vec<Value> = Vec::new();
    let mut offset = 0;
    for _ in 0..16 {
        loop {
            let (_, ups) = call(
                h,
                "getUpdates",
                json!({"offset": offset, "allowed_updates": ["message"]}),
            );
            let list = ups["result"].as_array().unwrap();
            let Some(last) = list.last() else { break };
            offset = last["update_id"].as_i64().unwrap() + 1;
            for u in list {
                let m = &u["message"];
                if m["chat"]["type"] == "private"
                    && !fans.iter().any(|f| f["chat"]["id"] == m["chat"]["id"])
                {
                    fans.push(m.clone());
                }
            }
        }
        if fans.len() >= n {
            return fans;
        }
        h.advance(6 * HOUR);
    }
    panic!("only {} fans wrote in four days", fans.len());
}

fn answer(outcome: NativeOutcome) -> (u16, Value) {
    match outcome {
        NativeOutcome::Respond(r) => (r.status, serde_json::from_slice(&r.body).expect("JSON")),
        NativeOutcome::Act(a) => panic!("expected an answer, got the action {a:?}"),
    }
}

fn call(h: &H, method: &str, params: Value) -> (u16, Value) {
    answer(request(
        h,
        "POST",
        &format!("/bot/{method}"),
        "",
        "application/json",
        params.to_string().as_bytes(),
    ))
}

/// Run a request that acts, as the host does: the action, then the answer.
fn act(h: &mut H, method: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
    match request(h, "POST", &format!("/bot/{method}"), "", content_type, body) {
        NativeOutcome::Respond(r) => (r.status, serde_json::from_slice(&r.body).unwrap()),
        NativeOutcome::Act(a) => {
            let outcome = h.act(&a.action.kind, &a.action.params);
            let now = h.now();
            let r = match &outcome {
                Ok(events) => h.state().finish_request(now, &a.context, Ok(events)),
                Err(e) => h.state().finish_request(now, &a.context, Err(e)),
            };
            (r.status, serde_json::from_slice(&r.body).unwrap())
        }
    }
}

#[test]
fn get_me_and_errors_are_the_bot_apis() {
    let h = busy();
    let (status, me) = call(&h, "getMe", json!({}));
    assert_eq!(status, 200);
    assert_eq!(me["ok"], true);
    assert_eq!(me["result"]["is_bot"], true);
    assert!(me["result"]["username"].as_str().unwrap().ends_with("_bot"));
    // Methods are case-insensitive; GET with a query works too.
    let (status, again) = answer(request(&h, "GET", "/bot/GETME", "", "", b""));
    assert_eq!((status, &again), (200, &me));
    let (status, e) = call(&h, "noSuchMethod", json!({}));
    assert_eq!(
        (status, e),
        (
            404,
            json!({"ok": false, "error_code": 404, "description": "Not Found"})
        )
    );
    let (status, e) = call(&h, "sendPoll", json!({}));
    assert_eq!((status, e["error_code"].clone()), (501, json!(501)));
    // setWebhook asks the host to subscribe the bot's URL; a secret token
    // the Bot API would refuse is refused here.
    let set = request(
        &h,
        "POST",
        "/bot/setWebhook",
        "",
        "application/json",
        json!({"url": "https://example.org/hook", "secret_token": "s3cret_-x", "allowed_updates": ["message"]})
            .to_string()
            .as_bytes(),
    );
    let NativeOutcome::Act(a) = set else {
        panic!("setWebhook is a host action: {set:?}")
    };
    assert_eq!(a.action.kind, diorama_sdk::host_actions::SET_WEBHOOK);
    let params: Value = serde_json::from_str(&a.action.params).unwrap();
    assert_eq!(
        params,
        json!({"format": "bot-updates", "url": "https://example.org/hook",
            "params": {"secret_token": "s3cret_-x", "allowed_updates": ["message"]}})
    );
    let done = h.state().finish_request(h.now(), &a.context, Ok(&[]));
    let body: Value = serde_json::from_slice(&done.body).unwrap();
    assert_eq!(body["description"], "Webhook was set", "{body}");
    let (status, e) = call(
        &h,
        "setWebhook",
        json!({"url": "https://example.org/hook", "secret_token": "no spaces"}),
    );
    assert_eq!(status, 400, "{e}");
    assert!(
        e["description"].as_str().unwrap().contains("secret token"),
        "{e}"
    );
    let (_, info) = call(&h, "getWebhookInfo", json!({}));
    assert_eq!(info["result"]["url"], "");
    let mut r = HttpRequest {
        method: "GET".into(),
        path: "/bot/getMe".into(),
        query: String::new(),
        headers: vec![("x-diorama-credentials".into(), "invalid".into())],
        body: Vec::new(),
    };
    let (status, e) = answer(h.state().handle_request(h.now(), &r));
    assert_eq!(
        (status, e),
        (
            401,
            json!({"ok": false, "error_code": 401, "description": "Unauthorized"})
        )
    );
    r.headers[0].1 = "missing".into();
    assert_eq!(answer(h.state().handle_request(h.now(), &r)).0, 404);
}

#[test]
fn updates_follow_the_offset_and_the_allowed_kinds() {
    let mut h = busy();
    let (_, all) = call(&h, "getUpdates", json!({"limit": 100}));
    let list = all["result"].as_array().unwrap();
    assert_eq!(list.len(), 100);
    let ids: Vec<i64> = list
        .iter()
        .map(|u| u["update_id"].as_i64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    // Confirming by offset: only later updates.
    let (_, next) = call(
        &h,
        "getUpdates",
        json!({"offset": ids[50], "limit": 5, "timeout": 30}),
    );
    let next = next["result"].as_array().unwrap();
    assert_eq!(next[0]["update_id"].as_i64(), Some(ids[50]));
    assert_eq!(next.len(), 5);
    // The newest one with a negative offset; no update after the clock.
    let (_, last) = call(&h, "getUpdates", json!({"offset": -1}));
    let last = &last["result"][0];
    assert!(last["update_id"].as_i64().unwrap() > ids[99]);
    let newest = last
        .as_object()
        .unwrap()
        .values()
        .filter_map(|v| v["date"].as_i64())
        .next()
        .unwrap();
    assert!(newest <= h.now() / 1000);
    // Form bodies with JSON text in a field, as client libraries send them.
    let (_, dms) = answer(request(
        &h,
        "POST",
        "/bot/getUpdates",
        "",
        "application/x-www-form-urlencoded",
        b"offset=0&allowed_updates=%5B%22message%22%5D",
    ));
    let dms = dms["result"].as_array().unwrap();
    assert!(!dms.is_empty() && dms.iter().all(|u| u.get("message").is_some()));
    let group = dms
        .iter()
        .find(|u| u["message"]["chat"]["type"] == "supergroup")
        .expect("a comment");
    let g = &group["message"];
    assert_eq!(
        g["chat"]["id"].as_i64(),
        Some(group_chat_id(&h.state().creator().id))
    );
    assert!(g.get("reply_to_message").is_some(), "{g}");
    // A smaller channel, whose last updates still hold its posts.
    let mut quiet = H::new(H::config(12, "tech", r#"{"subscribers": 50000}"#)).unwrap();
    quiet.advance(DAY);
    let (_, posts) = call(
        &quiet,
        "getUpdates",
        json!({"allowed_updates": ["channel_post", "message_reaction_count"]}),
    );
    let posts = posts["result"].as_array().unwrap();
    assert!(posts
        .iter()
        .any(|u| u["channel_post"]["chat"]["type"] == "channel"));
    assert!(posts
        .iter()
        .any(|u| u["message_reaction_count"]["reactions"]
            .as_array()
            .is_some_and(|r| !r.is_empty())));
    const { assert!(memory::UPDATES >= 100) };
    // A fan's private message: the chat is the fan's own.
    let m = &fan_messages(&mut h, 1)[0];
    assert_eq!(m["chat"]["id"], m["from"]["id"]);
    assert_eq!(m["from"]["is_bot"], false);
}

#[test]
fn the_bot_answers_a_fan_in_markdown_with_a_keyboard_and_the_limit_is_a_429() {
    let mut h = busy();
    let fan = fan_messages(&mut h, 1).pop().unwrap();
    let chat = fan["chat"]["id"].as_i64().unwrap();
    let body = json!({
        "chat_id": chat,
        "text": "*Thanks* for writing\\!",
        "parse_mode": "MarkdownV2",
        "reply_parameters": {"message_id": fan["message_id"]},
        "reply_markup": {"inline_keyboard": [[{"text": "Open", "url": "https://example.org"}]]},
    });
    let (status, sent) = act(
        &mut h,
        "sendMessage",
        "application/json",
        body.to_string().as_bytes(),
    );
    assert_eq!(status, 200, "{sent}");
    let m = &sent["result"];
    assert_eq!(m["text"], "Thanks for writing!");
    assert_eq!(
        m["entities"],
        json!([{"type": "bold", "offset": 0, "length": 6}])
    );
    assert_eq!(m["chat"]["id"].as_i64(), Some(chat));
    assert_eq!(m["reply_to_message"]["message_id"], fan["message_id"]);
    assert_eq!(m["reply_markup"]["inline_keyboard"][0][0]["text"], "Open");
    assert_eq!(m["from"]["is_bot"], true);
    // A second message to the same chat within the second: 429.
    let (status, e) = act(
        &mut h,
        "sendMessage",
        "application/json",
        json!({"chat_id": chat, "text": "again"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(status, 429, "{e}");
    assert_eq!(e["parameters"]["retry_after"], 1);
    assert_eq!(e["description"], "Too Many Requests: retry after 1");
    // Bad markup, unknown chats.
    let (status, e) = act(
        &mut h,
        "sendMessage",
        "application/json",
        json!({"chat_id": chat, "text": "1.5", "parse_mode": "MarkdownV2"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(status, 400);
    assert!(
        e["description"]
            .as_str()
            .unwrap()
            .starts_with("Bad Request: can't parse entities"),
        "{e}"
    );
    let (status, e) = act(
        &mut h,
        "sendMessage",
        "application/json",
        json!({"chat_id": 42, "text": "hi"}).to_string().as_bytes(),
    );
    assert_eq!(
        (status, e["description"].as_str().unwrap()),
        (
            403,
            "Forbidden: bot can't initiate conversation with a user"
        )
    );
}

#[test]
fn the_channel_gets_posts_photos_edits_reactions_and_deletions() {
    let mut h = busy();
    let channel = channel_chat_id(&h.state().creator().id);
    let before = h.state().posts().len();
    let (status, sent) = act(
        &mut h,
        "sendMessage",
        "application/x-www-form-urlencoded",
        format!("chat_id={channel}&text=%3Cb%3ENew%3C%2Fb%3E+video+out&parse_mode=HTML").as_bytes(),
    );
    assert_eq!(status, 200, "{sent}");
    assert_eq!(h.state().posts().len(), before + 1);
    let post = sent["result"]["message_id"].as_i64().unwrap();
    assert_eq!(sent["result"]["chat"]["type"], "channel");
    assert_eq!(sent["result"]["entities"][0]["type"], "bold");
    h.advance(2 * SECOND);
    // A photo, uploaded as multipart.
    let boundary = "XyZ";
    let mut body = Vec::new();
    for (name, file, value) in [
        ("chat_id", None, channel.to_string()),
        ("caption", None, "behind the scenes".into()),
        ("photo", Some("a.jpg"), "\u{1}\u{2}JPEGDATA".into()),
    ] {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes()),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let (status, photo) = act(
        &mut h,
        "sendPhoto",
        &format!("multipart/form-data; boundary={boundary}"),
        &body,
    );
    assert_eq!(status, 200, "{photo}");
    assert_eq!(photo["result"]["caption"], "behind the scenes");
    assert!(photo["result"]["photo"][0]["file_id"].is_string());
    h.advance(2 * SECOND);
    let (status, edited) = act(
        &mut h,
        "editMessageText",
        "application/json",
        json!({"chat_id": channel, "message_id": post, "text": "New video is out"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["result"]["text"], "New video is out");
    assert!(edited["result"]["edit_date"].is_i64());
    let (status, same) = act(
        &mut h,
        "editMessageText",
        "application/json",
        json!({"chat_id": channel, "message_id": post, "text": "New video is out"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(status, 400);
    assert!(same["description"]
        .as_str()
        .unwrap()
        .contains("message is not modified"));
    let (status, r) = act(&mut h, "setMessageReaction", "application/json",
        json!({"chat_id": channel, "message_id": post, "reaction": [{"type": "emoji", "emoji": "🔥"}]}).to_string().as_bytes());
    assert_eq!((status, r["result"].clone()), (200, json!(true)));
    let (status, r) = act(&mut h, "setMessageReaction", "application/json",
        json!({"chat_id": channel, "message_id": post, "reaction": [{"type": "emoji", "emoji": "🦜"}]}).to_string().as_bytes());
    assert_eq!(
        (status, r["description"].as_str().unwrap()),
        (400, "Bad Request: REACTION_INVALID")
    );
    let (_, count) = call(&h, "getChatMemberCount", json!({"chat_id": channel}));
    assert_eq!(
        count["result"].as_i64(),
        Some(h.state().subscribers_reported())
    );
    let (_, info) = call(
        &h,
        "getChat",
        json!({"chat_id": format!("@{}", h.state().creator().handle.trim_start_matches('@'))}),
    );
    assert_eq!(info["result"]["type"], "channel");
    assert_eq!(
        info["result"]["linked_chat_id"].as_i64(),
        Some(group_chat_id(&h.state().creator().id))
    );
    assert!(info["result"]["accepted_gift_types"].is_object());
    let (status, r) = act(
        &mut h,
        "deleteMessage",
        "application/json",
        json!({"chat_id": channel, "message_id": post})
            .to_string()
            .as_bytes(),
    );
    assert_eq!((status, r["result"].clone()), (200, json!(true)));
    let (status, _) = act(
        &mut h,
        "deleteMessage",
        "application/json",
        json!({"chat_id": channel, "message_id": post})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(status, 400);
}

#[test]
fn the_same_request_gets_the_same_bytes() {
    let a = busy();
    let b = busy();
    for (m, p) in [
        ("getUpdates", json!({"limit": 30})),
        (
            "getChat",
            json!({"chat_id": channel_chat_id(&a.state().creator().id)}),
        ),
    ] {
        assert_eq!(call(&a, m, p.clone()), call(&b, m, p));
    }
}

#[test]
fn fans_press_the_bots_inline_buttons_and_the_bot_answers_the_query() {
    let mut h = busy();
    // Twenty fans' messages (one each): a quarter of fans react to an
    // answer, so all twenty pass by without one once in 300 draws.
    let fans = fan_messages(&mut h, 20);
    let mut sent = Vec::new();
    for fan in &fans {
        let body = json!({
            "chat_id": fan["chat"]["id"],
            "text": "Which do you want next?",
            "reply_parameters": {"message_id": fan["message_id"]},
            "reply_markup": {"inline_keyboard": [[
                {"text": "Tutorial", "callback_data": "vote:tutorial"},
                {"text": "Review", "callback_data": "vote:review"},
            ]]},
        });
        let (status, m) = act(
            &mut h,
            "sendMessage",
            "application/json",
            body.to_string().as_bytes(),
        );
        assert_eq!(status, 200, "{m}");
        sent.push(m["result"]["message_id"].clone());
        h.advance(SECOND);
    }
    h.advance(20 * MINUTE);
    let (_, ups) = call(
        &h,
        "getUpdates",
        json!({"offset": -100, "allowed_updates": ["callback_query"]}),
    );
    let queries: Vec<&Value> = ups["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| &u["callback_query"])
        .collect();
    assert!(!queries.is_empty(), "no fan pressed a button");
    for q in &queries {
        assert!(sent.contains(&q["message"]["message_id"]), "{q}");
        assert!(
            ["vote:tutorial", "vote:review"].contains(&q["data"].as_str().unwrap()),
            "{q}"
        );
        assert_eq!(q["from"]["id"], q["message"]["chat"]["id"], "{q}");
        let (status, r) = call(
            &h,
            "answerCallbackQuery",
            json!({"callback_query_id": q["id"], "text": "Noted!"}),
        );
        assert_eq!((status, r["result"].clone()), (200, json!(true)));
    }
    let (status, _) = call(
        &h,
        "answerCallbackQuery",
        json!({"callback_query_id": "123"}),
    );
    assert_eq!(status, 400);
    // Some fans react to the answers; reactions come only when asked for.
    let (_, ups) = call(
        &h,
        "getUpdates",
        json!({"offset": -300, "allowed_updates": ["message_reaction"]}),
    );
    let reactions: Vec<&Value> = ups["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| &u["message_reaction"])
        .collect();
    assert!(!reactions.is_empty(), "no fan reacted");
    for r in &reactions {
        assert!(sent.contains(&r["message_id"]), "{r}");
        assert_eq!(r["user"]["id"], r["chat"]["id"], "{r}");
        assert_eq!(r["new_reaction"][0]["type"], "emoji", "{r}");
    }
    let (_, default) = call(&h, "getUpdates", json!({"offset": -300}));
    assert!(default["result"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u.get("message_reaction").is_none()));
}

#[test]
fn without_a_known_token_the_answer_is_the_real_servers() {
    let h = busy();
    let unauthorized = json!({"ok": false, "error_code": 401, "description": "Unauthorized"});
    let not_found = json!({"ok": false, "error_code": 404, "description": "Not Found"});
    // What the host says of the token, the path the plugin then sees.
    for (why, path, expected) in [
        // A token of the server's shape it does not know (taken out of the path).
        ("invalid", "/bot/getMe", &unauthorized),
        ("invalid", "/bot/sendMessage", &unauthorized),
        ("invalid", "/bot/noSuchMethod", &unauthorized),
        // No token at all: no such route.
        ("missing", "/bot/getMe", &not_found),
        // A token in Telegram's own shape, `<bot id>:<secret>`, that nobody
        // issued here: Telegram's 401, even for a method it does not have.
        (
            "missing",
            "/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe",
            &unauthorized,
        ),
        ("missing", "/bot7:x/noSuchMethod", &unauthorized),
        // Any other text where the token goes: no such route.
        ("missing", "/botnope/getMe", &not_found),
        ("missing", "/bot123456789/getMe", &not_found),
        ("missing", "/botabc:def/getMe", &not_found),
        ("missing", "/bot:secret/getMe", &not_found),
        ("missing", "/bot123:/getMe", &not_found),
    ] {
        let r = HttpRequest {
            method: "POST".into(),
            path: path.into(),
            query: String::new(),
            headers: vec![
                ("x-diorama-credentials".into(), why.into()),
                ("content-type".into(), "application/json".into()),
            ],
            body: br#"{"chat_id": 1, "text": "not sent"}"#.to_vec(),
        };
        let (status, body) = answer(h.state().handle_request(h.now(), &r));
        assert_eq!(&body, expected, "{why} {path}");
        assert_eq!(status, body["error_code"], "{why} {path}");
    }
}

/// With a webhook set, each update goes to the bot's URL as `getUpdates`
/// gives it, with the secret token; getUpdates then refuses, as on the
/// real server.
#[test]
fn a_webhook_pushes_the_updates_get_updates_gives() {
    let mut h = H::new(H::config(11, "tech", r#"{"subscribers": 600000}"#)).unwrap();
    let events = h.advance(DAY);
    let (_, updates) = call(&h, "getUpdates", json!({"allowed_updates": ["message"]}));
    let updates = updates["result"].as_array().unwrap().clone();
    assert!(!updates.is_empty());
    let params = json!({"secret_token": "tok-1", "allowed_updates": ["message"]});
    assert_eq!(
        h.state().webhook_subscribe("bot-updates", &params),
        Ok(None)
    );
    assert!(h
        .state()
        .webhook_subscribe("bot-updates", &json!({"secret_token": "a b"}))
        .is_err());
    assert!(h.state().webhook_subscribe("other", &params).is_err());
    let mut pushed = Vec::new();
    for e in &events {
        if let Some(d) = h.state().shape_webhook("bot-updates", &params, e) {
            assert_eq!(d.content_type, "application/json");
            assert_eq!(
                d.headers,
                vec![(
                    "x-telegram-bot-api-secret-token".to_string(),
                    "tok-1".to_string()
                )]
            );
            pushed.push(serde_json::from_slice::<Value>(&d.body).unwrap());
        }
    }
    // Every kept `message` update is pushed once (as events are stored,
    // in time order), as getUpdates gives it (by update id).
    pushed.sort_by_key(|u| u["update_id"].as_u64());
    assert!(pushed.len() >= updates.len());
    assert_eq!(&pushed[..updates.len()], &updates[..]);
    assert!(pushed.iter().all(|u| u.get("message").is_some()));

    let mut r = HttpRequest {
        method: "POST".into(),
        path: "/bot/getUpdates".into(),
        query: String::new(),
        headers: vec![(
            diorama_sdk::host_actions::WEBHOOKS_HEADER.into(),
            json!([{"id": "wh_1", "url": "https://example.org/hook", "status": "active", "pending": 3,
                "format": {"platform": "telegram", "name": "bot-updates", "params": params}}])
            .to_string(),
        )],
        body: Vec::new(),
    };
    let (status, e) = answer(h.state().handle_request(h.now(), &r));
    assert_eq!(status, 409, "{e}");
    r.path = "/bot/getWebhookInfo".into();
    let (_, info) = answer(h.state().handle_request(h.now(), &r));
    assert_eq!(info["result"]["url"], "https://example.org/hook");
    assert_eq!(info["result"]["pending_update_count"], 3);
    assert_eq!(info["result"]["allowed_updates"], json!(["message"]));
    r.path = "/bot/deleteWebhook".into();
    let NativeOutcome::Act(a) = h.state().handle_request(h.now(), &r) else {
        panic!("deleteWebhook with a webhook is a host action")
    };
    assert_eq!(a.action.kind, diorama_sdk::host_actions::DELETE_WEBHOOK);
}
