//! The Telegram Bot API, as far as this simulator serves it, in Telegram's
//! own wire format: every answer is `{"ok": true, "result": ...}` or
//! `{"ok": false, "error_code", "description"}` (with `parameters.
//! retry_after` on a 429).
//!
//! The bot token sits in the path, `/bot<token>/<method>`; the host takes
//! the token out before the plugin sees the request (the plugin sees
//! `/bot/<method>`). Without a token the server knows, the answer is the
//! real server's: 401 "Unauthorized" for a token of the server's shape it
//! does not know, or of Telegram's (`<bot id>:<secret>`), 404 "Not Found"
//! for none or any other text. Methods are case-insensitive and take their
//! parameters as the real server does: in the query string, a form body,
//! a multipart body or a JSON body, with GET or POST; a parameter that is
//! an object or a list (`reply_parameters`, `reply_markup`,
//! `allowed_updates`, `reaction`) may come as JSON text in a form field.
//!
//! Served: `getMe`, `getUpdates` (`offset`, `limit`, `allowed_updates`,
//! and `timeout`: with none to give, the request is held until an update
//! comes or the timeout passes, at most 50 s; a read cannot change the account, so the
//! updates an offset confirmed are not forgotten, and a call without an
//! offset starts from the oldest kept), `sendMessage` (`parse_mode` HTML,
//! MarkdownV2 or Markdown, `reply_parameters`, `reply_markup` with an
//! inline keyboard), `sendPhoto` and `sendDocument` (a multipart upload, a
//! file id or a URL), `editMessageText`, `deleteMessage`, `forwardMessage`
//! (a channel post into a private chat), `answerCallbackQuery`, `getChat`,
//! `getChatMemberCount`, `setMessageReaction`, and `setWebhook`,
//! `deleteWebhook` and `getWebhookInfo` (the host keeps the subscription,
//! [`crate::webhook`] shapes what it pushes; `getUpdates` is refused while
//! one is set, as on the real server). Other methods of the Bot API are a 501 in its
//! shape; names it does not have, the real server's 404 `Not Found`.
//!
//! Updates: `channel_post` (the channel's scheduled posts), `message`
//! (fans' comments in the discussion group, which the bot administers, and
//! fans' private messages to the bot), `callback_query` (a fan pressing an
//! inline button under the bot's answer), `message_reaction` (a fan
//! reacting to the bot's answer), `message_reaction_count` (a post's
//! reactions as they are counted). The bot's own messages make no update,
//! as on the real server. Updates come from the last [`memory::UPDATES`],
//! messages from the last [`memory::REMEMBERED`].
//!
//! Chats: the channel is `-100<channel id>` or `@<username>`, its
//! discussion group `-100<group id>` ([`group_chat_id`]), a fan's private
//! chat the fan's user id (the bot can write only to a fan who wrote to it
//! first, as on Telegram).

mod format;
pub mod memory;

use serde_json::{json, Map, Value};

use diorama_sdk::models::rng::fnv1a;
use diorama_sdk::{
    host_actions, Action, ActionError, Event, HttpRequest, HttpResponse, Millis, NativeAct,
    NativeOutcome, Payload,
};

pub use memory::Memory;
use memory::{Place, Said};

use crate::{webhook, Telegram};

/// The rate windows' key for the discussion group.
pub const GROUP: &str = "group";

/// The header the host sets on a request without a valid token: `missing`
/// or `invalid`.
pub const CREDENTIALS_HEADER: &str = "x-diorama-credentials";

/// The reactions a bot may set (the Bot API's `ReactionTypeEmoji` list).
pub const REACTIONS: [&str; 73] = [
    "❤",
    "👍",
    "👎",
    "🔥",
    "🥰",
    "👏",
    "😁",
    "🤔",
    "🤯",
    "😱",
    "🤬",
    "😢",
    "🎉",
    "🤩",
    "🤮",
    "💩",
    "🙏",
    "👌",
    "🕊",
    "🤡",
    "🥱",
    "🥴",
    "😍",
    "🐳",
    "❤\u{200d}🔥",
    "🌚",
    "🌭",
    "💯",
    "🤣",
    "⚡",
    "🍌",
    "🏆",
    "💔",
    "🤨",
    "😐",
    "🍓",
    "🍾",
    "💋",
    "🖕",
    "😈",
    "😴",
    "😭",
    "🤓",
    "👻",
    "👨\u{200d}💻",
    "👀",
    "🎃",
    "🙈",
    "😇",
    "😨",
    "🤝",
    "✍",
    "🤗",
    "🫡",
    "🎅",
    "🎄",
    "☃",
    "💅",
    "🤪",
    "🗿",
    "🆒",
    "💘",
    "🙉",
    "🦄",
    "😘",
    "💊",
    "🙊",
    "😎",
    "👾",
    "🤷\u{200d}♂",
    "🤷",
    "🤷\u{200d}♀",
    "😡",
];

/// The longest message text, in characters.
const MAX_TEXT: usize = 4096;
/// The longest caption.
const MAX_CAPTION: usize = 1024;
/// The most updates one `getUpdates` returns, and its default.
const MAX_UPDATES: usize = 100;
/// The most inline buttons of a message a fan may press.
const MAX_BUTTONS: usize = 100;
/// The most bytes of a body this API reads parameters from.
const MAX_PARAMS: usize = 1 << 20;

/// Methods of the Bot API this simulator does not serve yet: a 501.
const NOT_SIMULATED: [&str; 24] = [
    "logout",
    "close",
    "sendaudio",
    "sendvideo",
    "sendanimation",
    "sendvoice",
    "sendvideonote",
    "sendmediagroup",
    "sendlocation",
    "sendpoll",
    "sendsticker",
    "senddice",
    "sendchataction",
    "copymessage",
    "copymessages",
    "forwardmessages",
    "getfile",
    "getchatmember",
    "getchatadministrators",
    "banchatmember",
    "pinchatmessage",
    "editmessagecaption",
    "editmessagereplymarkup",
    "deletemessages",
];

/// The discussion group's chat id, derived from the channel's.
pub fn group_chat_id(channel: &str) -> i64 {
    -(1_000_000_000_000
        + (fnv1a(format!("{channel}/discussion").as_bytes()) % 8_000_000_000) as i64)
}

/// The channel's chat id.
pub fn channel_chat_id(channel: &str) -> i64 {
    -(1_000_000_000_000 + channel.parse::<i64>().unwrap_or(0))
}

fn ok(result: Value) -> HttpResponse {
    HttpResponse::json(200, &json!({ "ok": true, "result": result }))
}

fn error(code: u16, description: &str) -> HttpResponse {
    HttpResponse::json(
        code,
        &json!({ "ok": false, "error_code": code, "description": description }),
    )
}

fn bad(description: &str) -> HttpResponse {
    error(400, &format!("Bad Request: {description}"))
}

/// The Bot API's answer to a request the account's health refuses: while
/// blocked, its flood control's 429 with the seconds until the block
/// lifts; while suspended, 403 as for a bot removed from its channel.
pub fn health_refusal(state: diorama_sdk::kit::health::State, wait: Millis) -> HttpResponse {
    match state {
        diorama_sdk::kit::health::State::Suspended => {
            error(403, "Forbidden: bot was kicked from the channel chat")
        }
        _ => too_many(wait),
    }
}

/// A 429 with the seconds to wait.
fn too_many(wait: Millis) -> HttpResponse {
    let seconds = (wait + 999).div_euclid(1000).max(1);
    HttpResponse::json(
        429,
        &json!({
            "ok": false,
            "error_code": 429,
            "description": format!("Too Many Requests: retry after {seconds}"),
            "parameters": { "retry_after": seconds },
        }),
    )
}

/// The request's parameters, from the query and the body.
struct Params(Map<String, Value>);

impl Params {
    fn read(request: &HttpRequest) -> Result<Params, HttpResponse> {
        let mut map = Map::new();
        for (k, v) in form_urlencoded::parse(request.query.as_bytes()) {
            map.insert(k.into_owned(), Value::String(v.into_owned()));
        }
        let body = &request.body;
        if body.is_empty() {
            return Ok(Params(map));
        }
        if body.len() > MAX_PARAMS && !is_multipart(request) {
            return Err(error(413, "Request Entity Too Large"));
        }
        let content_type = header(request, "content-type")
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("application/json") {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(m)) => map.extend(m),
                _ => return Err(bad("can't parse JSON object")),
            }
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            for (k, v) in form_urlencoded::parse(body) {
                map.insert(k.into_owned(), Value::String(v.into_owned()));
            }
        } else if content_type.starts_with("multipart/form-data") {
            let boundary =
                content_type_param(header(request, "content-type").unwrap_or(""), "boundary")
                    .ok_or_else(|| bad("multipart body without a boundary"))?;
            for part in
                multipart(body, &boundary).ok_or_else(|| bad("can't parse the multipart body"))?
            {
                let value = match part.filename {
                    Some(name) => json!({ "file": name, "bytes": part.data.len() }),
                    None => Value::String(String::from_utf8_lossy(part.data).into_owned()),
                };
                map.insert(part.name, value);
            }
        }
        Ok(Params(map))
    }

    fn raw(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    fn int(&self, name: &str) -> Result<Option<i64>, HttpResponse> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| bad(&format!("invalid {name} specified"))),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| bad(&format!("invalid {name} specified"))),
            Some(_) => Err(bad(&format!("invalid {name} specified"))),
        }
    }

    fn text(&self, name: &str) -> Option<String> {
        match self.raw(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// An object or list, given as itself or as JSON text.
    fn json(&self, name: &str) -> Result<Option<Value>, HttpResponse> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => serde_json::from_str(s)
                .map(Some)
                .map_err(|_| bad(&format!("can't parse {name} JSON object"))),
            Some(v) => Ok(Some(v.clone())),
        }
    }
}

fn is_multipart(request: &HttpRequest) -> bool {
    header(request, "content-type")
        .is_some_and(|c| c.to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// A bot token in Telegram's shape, `<bot id>:<secret>` (digits, a colon,
/// then anything): api.telegram.org answers 401 "Unauthorized" to one it
/// did not issue, and 404 "Not Found" to a path segment of any other
/// shape, as if the route did not exist.
fn is_telegram_token(token: &str) -> bool {
    token.split_once(':').is_some_and(|(id, secret)| {
        !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && !secret.is_empty()
    })
}

fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn content_type_param(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

struct Part<'a> {
    name: String,
    filename: Option<String>,
    data: &'a [u8],
}

/// The parts of a multipart body; `None` when it is not well formed.
fn multipart<'a>(body: &'a [u8], boundary: &str) -> Option<Vec<Part<'a>>> {
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let find = |hay: &[u8], from: usize, needle: &[u8]| {
        hay.get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    let mut parts = Vec::new();
    let mut at = find(body, 0, d)? + d.len();
    loop {
        if body.get(at..at + 2) == Some(b"--") {
            return Some(parts);
        }
        let head_start = at + 2;
        let head_end = find(body, head_start, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&body[head_start..head_end]).ok()?;
        let next = find(body, head_end + 4, d)?;
        let data_end = next.checked_sub(2)?;
        let data = body.get(head_end + 4..data_end)?;
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
        let name = content_type_param(disposition, "name")?;
        let filename = content_type_param(disposition, "filename");
        parts.push(Part {
            name,
            filename,
            data,
        });
        if parts.len() > 64 {
            return None;
        }
        at = next + d.len();
    }
}

/// Answer a request against the account's state at `at`.
pub fn handle(tg: &Telegram, at: Millis, request: &HttpRequest) -> NativeOutcome {
    NativeOutcome::Respond(match route(tg, at, request) {
        Ok(Route::Respond(r)) | Err(r) => r,
        Ok(Route::Act(act)) => return NativeOutcome::Act(act),
    })
}

enum Route {
    Respond(HttpResponse),
    Act(NativeAct),
}

fn act(kind: &str, params: Value, context: Value) -> Result<Route, HttpResponse> {
    Ok(Route::Act(NativeAct {
        action: Action {
            kind: kind.into(),
            params: params.to_string(),
        },
        context: context.to_string(),
    }))
}

fn route(tg: &Telegram, at: Millis, request: &HttpRequest) -> Result<Route, HttpResponse> {
    let mut segments = request.path.trim_start_matches('/').split('/');
    let first = segments.next().unwrap_or("");
    let method = segments.next().unwrap_or("");
    if !first.starts_with("bot") || method.is_empty() || segments.next().is_some() {
        return Err(error(404, "Not Found"));
    }
    if let Some(why) = header(request, CREDENTIALS_HEADER) {
        // The host takes only a token of its own shape out of the path, so
        // a `missing` one may still be a token in Telegram's shape, which
        // the real server refuses as unknown rather than as no route.
        let token = &first["bot".len()..];
        return Err(if why == "missing" && !is_telegram_token(token) {
            error(404, "Not Found")
        } else {
            error(401, "Unauthorized")
        });
    }
    // An error the host injects (a fault), as the Bot API answers it.
    match header(request, "x-diorama-fault").and_then(|v| v.parse::<u16>().ok()) {
        Some(429) => {
            let wait: Millis = header(request, "x-diorama-retry-after")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1);
            return Err(too_many(wait.clamp(1, 86_400) * 1000));
        }
        Some(500) => return Err(error(500, "Internal Server Error")),
        Some(502) => return Err(error(502, "Bad Gateway")),
        Some(503) => return Err(error(503, "Service Unavailable")),
        Some(504) => return Err(error(504, "Gateway Timeout")),
        _ => {}
    }
    if !matches!(request.method.as_str(), "GET" | "POST") {
        return Err(error(405, "Method Not Allowed"));
    }
    let p = Params::read(request)?;
    let lower = method.to_ascii_lowercase();
    let answer = match lower.as_str() {
        "getme" => ok(user_of_bot(tg)),
        "getupdates" => {
            if subscription(request).is_some() {
                return Err(error(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
                ));
            }
            get_updates(tg, at, &p)?
        }
        "getwebhookinfo" => ok(webhook_info(request)),
        "deletewebhook" => {
            if subscription(request).is_none() {
                return Ok(Route::Respond(HttpResponse::json(
                    200,
                    &json!({ "ok": true, "result": true, "description": "Webhook is already deleted" }),
                )));
            }
            return delete_webhook();
        }
        "setwebhook" => return set_webhook(&p),
        "getchat" => get_chat(tg, &p)?,
        "getchatmembercount" => {
            let chat = chat(tg, &p, "chat_id")?;
            ok(json!(match chat {
                Chat::Channel => tg.subscribers_reported(),
                Chat::Group => group_members(tg),
                Chat::Private(_) => 2,
            }))
        }
        "answercallbackquery" => {
            // Answering shows the fan a notification; the account keeps
            // nothing of it.
            let id = p.text("callback_query_id").unwrap_or_default();
            if tg.memory().knows_query(&id, at) {
                ok(json!(true))
            } else {
                bad("query is too old and response timeout expired or query ID is invalid")
            }
        }
        "sendmessage" => return send(tg, &p, "text"),
        "sendphoto" => return send(tg, &p, "photo"),
        "senddocument" => return send(tg, &p, "document"),
        "editmessagetext" => return edit(tg, &p),
        "deletemessage" => return delete(tg, &p),
        "setmessagereaction" => return react(tg, &p),
        "forwardmessage" => return forward(tg, &p),
        m if NOT_SIMULATED.contains(&m) => error(
            501,
            &format!(
                "Not Implemented: {method} is a Bot API method this simulator does not serve yet"
            ),
        ),
        _ => error(404, "Not Found"),
    };
    Ok(Route::Respond(answer))
}

/// A chat the bot can address.
#[derive(Clone, Debug, PartialEq)]
enum Chat {
    Channel,
    Group,
    Private(String),
}

fn chat(tg: &Telegram, p: &Params, name: &str) -> Result<Chat, HttpResponse> {
    let given = p.text(name).ok_or_else(|| bad("chat_id is empty"))?;
    let given = given.trim();
    let channel = &tg.creator().id;
    let handle = tg.creator().handle.trim_start_matches('@');
    if given.eq_ignore_ascii_case(&format!("@{handle}"))
        || given == channel_chat_id(channel).to_string()
    {
        return Ok(Chat::Channel);
    }
    if given == group_chat_id(channel).to_string() {
        return Ok(Chat::Group);
    }
    if given.parse::<u64>().is_ok() && tg.memory().last_from(given).is_some() {
        return Ok(Chat::Private(given.to_string()));
    }
    if given.parse::<u64>().is_ok() {
        return Err(error(
            403,
            "Forbidden: bot can't initiate conversation with a user",
        ));
    }
    Err(bad("chat not found"))
}

fn user_of_bot(tg: &Telegram) -> Value {
    let b = tg.bot();
    json!({
        "id": b.id.parse::<i64>().unwrap_or(0),
        "is_bot": true,
        "first_name": b.display_name,
        "username": b.handle.trim_start_matches('@'),
        "can_join_groups": true,
        "can_read_all_group_messages": false,
        "supports_inline_queries": false,
        "can_connect_to_business": false,
        "has_main_web_app": false,
    })
}

fn group_members(tg: &Telegram) -> i64 {
    // About one subscriber in twelve joins the discussion group.
    (tg.subscribers_reported() / 12).max(1)
}

fn channel_json(tg: &Telegram) -> Value {
    json!({
        "id": channel_chat_id(&tg.creator().id),
        "type": "channel",
        "title": tg.creator().display_name,
        "username": tg.creator().handle.trim_start_matches('@'),
    })
}

fn group_json(tg: &Telegram) -> Value {
    json!({
        "id": group_chat_id(&tg.creator().id),
        "type": "supergroup",
        "title": format!("{} Chat", tg.creator().display_name),
    })
}

fn private_json(tg: &Telegram, user: &str) -> Value {
    let from = tg.memory().last_from(user).and_then(|s| s.from.clone());
    let mut v = json!({ "id": user.parse::<i64>().unwrap_or(0), "type": "private" });
    if let Some(f) = from {
        v["first_name"] = json!(f.name);
        v["username"] = json!(f.username);
    }
    v
}

fn chat_json(tg: &Telegram, place: &Place) -> Value {
    match place {
        Place::Channel => channel_json(tg),
        Place::Group => group_json(tg),
        Place::Private(u) => private_json(tg, u),
    }
}

fn user_json(tg: &Telegram, s: &memory::Sender) -> Value {
    if s.is_bot {
        return json!({
            "id": tg.bot().id.parse::<i64>().unwrap_or(0),
            "is_bot": true,
            "first_name": tg.bot().display_name,
            "username": tg.bot().handle.trim_start_matches('@'),
        });
    }
    json!({
        "id": s.id.parse::<i64>().unwrap_or(0),
        "is_bot": false,
        "first_name": s.name,
        "username": s.username,
        "language_code": "en",
    })
}

/// A message of `place` by id: the channel's posts from the account's
/// posts (all of them), the others from the memory of recent messages.
fn find_in(tg: &Telegram, id: &str, place: &Place) -> Option<Said> {
    if *place != Place::Channel {
        return tg.memory().find(id, |s| s.place == *place).cloned();
    }
    let p = tg.posts().iter().rev().find(|p| p.id == id && !p.deleted)?;
    let remembered = tg.memory().find(id, |s| s.place == Place::Channel);
    Some(Said {
        id: p.id.clone(),
        place: Place::Channel,
        from: None,
        text: p.text.clone(),
        at: p.published,
        reply_to: None,
        post: Some(p.id.clone()),
        edited: remembered.and_then(|s| s.edited),
        deleted: false,
        author: None,
    })
}

fn place_of(chat: &Chat) -> Place {
    match chat {
        Chat::Channel => Place::Channel,
        Chat::Group => Place::Group,
        Chat::Private(u) => Place::Private(u.clone()),
    }
}

fn message_id(id: &str) -> i64 {
    id.parse().unwrap_or(0)
}

/// A remembered message as the Bot API's `Message`; `depth` 0 adds the
/// message it replies to.
fn message_json(tg: &Telegram, s: &Said, depth: u8) -> Value {
    let mut m = json!({
        "message_id": message_id(&s.id),
        "date": s.at.div_euclid(1000),
        "chat": chat_json(tg, &s.place),
        "text": s.text,
    });
    match &s.from {
        Some(f) => m["from"] = user_json(tg, f),
        None => m["sender_chat"] = channel_json(tg),
    }
    if let Some(e) = s.edited {
        m["edit_date"] = json!(e.div_euclid(1000));
    }
    if depth == 0 {
        let parent = s
            .reply_to
            .as_deref()
            .and_then(|r| tg.memory().find(r, |p| p.place == s.place));
        if let Some(parent) = parent {
            m["reply_to_message"] = message_json(tg, parent, 1);
        } else if s.place == Place::Group {
            // A top-level comment answers the post's automatic forward
            // into the discussion group.
            if let Some(post) = s
                .post
                .as_deref()
                .and_then(|p| find_in(tg, p, &Place::Channel))
            {
                m["reply_to_message"] = json!({
                    "message_id": message_id(&post.id),
                    "date": post.at.div_euclid(1000),
                    "chat": group_json(tg),
                    "sender_chat": channel_json(tg),
                    "is_automatic_forward": true,
                    "forward_origin": {
                        "type": "channel",
                        "chat": channel_json(tg),
                        "message_id": message_id(&post.id),
                        "date": post.at.div_euclid(1000),
                    },
                    "text": post.text,
                });
                m["message_thread_id"] = json!(message_id(&post.id));
            }
        }
    }
    m
}

const DEFAULT_UPDATES: [&str; 3] = ["message", "channel_post", "callback_query"];

/// The bot's webhook, as the host reports the profile's subscriptions.
fn subscription(request: &HttpRequest) -> Option<Value> {
    let list: Vec<Value> =
        serde_json::from_str(header(request, host_actions::WEBHOOKS_HEADER)?).ok()?;
    list.into_iter().find(|h| {
        h["format"]["platform"] == crate::PLATFORM && h["format"]["name"] == webhook::FORMAT
    })
}

/// `getWebhookInfo`: the URL, what is waiting and the last error. The
/// pending count is the account's events not yet delivered, of which only
/// some make updates.
fn webhook_info(request: &HttpRequest) -> Value {
    let Some(h) = subscription(request) else {
        return json!({ "url": "", "has_custom_certificate": false, "pending_update_count": 0 });
    };
    let params = &h["format"]["params"];
    let mut info = json!({
        "url": h["url"],
        "has_custom_certificate": false,
        "pending_update_count": h["pending"].as_u64().unwrap_or(0),
        "max_connections": params["max_connections"].as_u64().unwrap_or(40),
    });
    if let Some(list) = params["allowed_updates"].as_array() {
        info["allowed_updates"] = json!(list);
    }
    if let Some(e) = h["last_error"].as_str() {
        info["last_error_message"] = json!(e);
    }
    info
}

/// `deleteWebhook`: the host removes the bot's subscription.
fn delete_webhook() -> Result<Route, HttpResponse> {
    act(
        host_actions::DELETE_WEBHOOK,
        json!({ "format": webhook::FORMAT }),
        json!({ "method": "deletewebhook" }),
    )
}

/// `setWebhook`: `url` (empty: remove the webhook, as the real server
/// reads it), `secret_token`, `allowed_updates`, `max_connections` and
/// `drop_pending_updates` (updates pushed start with the next event
/// either way). The real server takes only HTTPS on ports 443, 80, 88
/// and 8443; here any http or https URL the server may reach.
fn set_webhook(p: &Params) -> Result<Route, HttpResponse> {
    let url = p.text("url").unwrap_or_default();
    if url.is_empty() {
        return delete_webhook();
    }
    let mut params = Map::new();
    if let Some(token) = p.text("secret_token") {
        webhook::check_secret(&token).map_err(|e| bad(&e))?;
        params.insert("secret_token".into(), json!(token));
    }
    match p.json("allowed_updates")? {
        None => {}
        Some(Value::Array(a)) => {
            if a.iter().any(|v| !v.is_string()) {
                return Err(bad("can't parse allowed_updates JSON array"));
            }
            params.insert("allowed_updates".into(), Value::Array(a));
        }
        Some(_) => return Err(bad("can't parse allowed_updates JSON array")),
    }
    if let Some(n) = p.int("max_connections")? {
        if !(1..=100).contains(&n) {
            return Err(bad(
                "bad webhook: max_connections must be between 1 and 100",
            ));
        }
        params.insert("max_connections".into(), json!(n));
    }
    act(
        host_actions::SET_WEBHOOK,
        json!({ "format": webhook::FORMAT, "url": url, "params": params }),
        json!({ "method": "setwebhook" }),
    )
}

fn get_updates(tg: &Telegram, at: Millis, p: &Params) -> Result<HttpResponse, HttpResponse> {
    let offset = p.int("offset")?.unwrap_or(0);
    let limit = p
        .int("limit")?
        .unwrap_or(MAX_UPDATES as i64)
        .clamp(1, MAX_UPDATES as i64) as usize;
    let timeout = p.int("timeout")?.unwrap_or(0);
    if timeout < 0 {
        return Err(bad("timeout must be non-negative"));
    }
    let allowed: Option<Vec<String>> = match p.json("allowed_updates")? {
        None => None,
        Some(Value::Array(a)) if a.is_empty() => None,
        Some(Value::Array(a)) => Some(
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        ),
        Some(_) => return Err(bad("can't parse allowed_updates JSON array")),
    };
    let wanted = |kind: &str| wanted(allowed.as_deref(), kind);
    let all: Vec<&memory::Update> = tg.memory().updates(at).collect();
    let from: Vec<&memory::Update> = if offset < 0 {
        let n = offset.unsigned_abs() as usize;
        all[all.len().saturating_sub(n)..].to_vec()
    } else {
        all.into_iter().filter(|u| u.id as i64 >= offset).collect()
    };
    let items: Vec<Value> = from
        .into_iter()
        .filter(|u| wanted(&u.kind))
        .take(limit)
        .map(|u| update_json(tg, u))
        .collect();
    let mut answer = ok(Value::Array(items.clone()));
    if items.is_empty() && timeout > 0 {
        // Nothing yet: the host holds the request until an update comes
        // or the timeout passes, as the real server does.
        let wait = timeout.min(host_actions::MAX_LONG_POLL_S as i64);
        answer
            .headers
            .push((host_actions::LONG_POLL_HEADER.into(), wait.to_string()));
    }
    Ok(answer)
}

/// Whether an update of `kind` goes to a bot that asked for `allowed`
/// (`None` or empty: the default, every update but reactions and member
/// changes).
pub(crate) fn wanted(allowed: Option<&[String]>, kind: &str) -> bool {
    match allowed {
        None | Some([]) => {
            DEFAULT_UPDATES.contains(&kind)
                || !matches!(
                    kind,
                    "message_reaction" | "message_reaction_count" | "chat_member"
                )
        }
        Some(list) => list.iter().any(|k| k == kind),
    }
}

pub(crate) fn update_json(tg: &Telegram, u: &memory::Update) -> Value {
    let body = match u.kind.as_str() {
        "callback_query" => {
            let (id, from, data) = u.query.clone().unwrap_or_else(|| {
                (
                    String::new(),
                    memory::Sender {
                        id: String::new(),
                        username: String::new(),
                        name: String::new(),
                        is_bot: false,
                    },
                    String::new(),
                )
            });
            json!({
                "id": id,
                "from": user_json(tg, &from),
                "message": message_json(tg, &u.said, 0),
                "chat_instance": (fnv1a(format!("{}/{}", tg.bot().id, from.id).as_bytes()) as i64).to_string(),
                "data": data,
            })
        }
        "message_reaction" => {
            let mut v = json!({
                "chat": chat_json(tg, &u.said.place),
                "message_id": message_id(&u.said.id),
                "date": u.at.div_euclid(1000),
                "old_reaction": [],
                "new_reaction": [],
            });
            if let Some((from, emoji)) = &u.reacted {
                v["user"] = user_json(tg, from);
                v["new_reaction"] = json!([{ "type": "emoji", "emoji": emoji }]);
            }
            v
        }
        "message_reaction_count" => json!({
            "chat": channel_json(tg),
            "message_id": message_id(&u.said.id),
            "date": u.at.div_euclid(1000),
            "reactions": reaction_counts(&u.said.id, u.reactions),
        }),
        _ => message_json(tg, &u.said, 0),
    };
    let mut v = json!({ "update_id": u.id });
    v[u.kind.as_str()] = body;
    v
}

/// A post's reactions split over a few emoji: most are hearts and thumbs
/// up, as on most channels; the split is fixed per post.
fn reaction_counts(post: &str, total: i64) -> Value {
    const SHARES: [(&str, f64); 4] = [("👍", 0.42), ("❤", 0.3), ("🔥", 0.18), ("😁", 0.1)];
    let tilt = (fnv1a(post.as_bytes()) % 7) as f64 / 100.0;
    let mut left = total;
    let mut out = Vec::new();
    for (i, (emoji, share)) in SHARES.iter().enumerate() {
        let n = if i + 1 == SHARES.len() {
            left
        } else {
            (((share + if i == 0 { tilt } else { -tilt / 3.0 }) * total as f64).round() as i64)
                .clamp(0, left)
        };
        left -= n;
        if n > 0 {
            out.push(json!({ "type": { "type": "emoji", "emoji": emoji }, "total_count": n }));
        }
    }
    Value::Array(out)
}

fn get_chat(tg: &Telegram, p: &Params) -> Result<HttpResponse, HttpResponse> {
    let c = chat(tg, p, "chat_id")?;
    let gifts = json!({
        "unlimited_gifts": false, "limited_gifts": false, "unique_gifts": false,
        "premium_subscription": false, "gifts_from_channels": false,
    });
    let mut v = match &c {
        Chat::Channel => {
            let mut v = channel_json(tg);
            v["linked_chat_id"] = json!(group_chat_id(&tg.creator().id));
            v["description"] = json!(format!("{} on Telegram", tg.creator().display_name));
            v
        }
        Chat::Group => {
            let mut v = group_json(tg);
            v["linked_chat_id"] = json!(channel_chat_id(&tg.creator().id));
            v
        }
        Chat::Private(u) => private_json(tg, u),
    };
    v["accent_color_id"] = json!((fnv1a(tg.creator().id.as_bytes()) % 7) as i64);
    v["max_reaction_count"] = json!(11);
    v["accepted_gift_types"] = gifts;
    Ok(ok(v))
}

/// `sendMessage`, `sendPhoto`, `sendDocument`.
fn send(tg: &Telegram, p: &Params, what: &str) -> Result<Route, HttpResponse> {
    let to = chat(tg, p, "chat_id")?;
    let mode = p.text("parse_mode");
    let (raw, limit) = if what == "text" {
        (p.text("text").unwrap_or_default(), MAX_TEXT)
    } else {
        (p.text("caption").unwrap_or_default(), MAX_CAPTION)
    };
    let (text, entities) = format::parse(&raw, mode.as_deref()).map_err(|e| error(400, &e))?;
    if what == "text" && text.trim().is_empty() {
        return Err(bad("message text is empty"));
    }
    if text.chars().count() > limit {
        return Err(bad(if what == "text" {
            "message is too long"
        } else {
            "message caption is too long"
        }));
    }
    let media = if what == "text" {
        Value::Null
    } else {
        let file = p
            .raw(what)
            .ok_or_else(|| bad(&format!("there is no {what} in the request")))?;
        match file {
            Value::Object(o) => json!({ "name": o.get("file"), "bytes": o.get("bytes") }),
            Value::String(s) if !s.is_empty() => json!({ "name": s, "bytes": 0 }),
            _ => return Err(bad(&format!("there is no {what} in the request"))),
        }
    };
    let markup = p.json("reply_markup")?;
    if let Some(m) = &markup {
        let rows = m.get("inline_keyboard").and_then(Value::as_array);
        let well_formed = rows.is_some_and(|rows| {
            rows.iter().all(|r| {
                r.as_array().is_some_and(|r| {
                    r.iter().all(|b| {
                        b.get("text")
                            .and_then(Value::as_str)
                            .is_some_and(|t| !t.is_empty())
                    })
                })
            })
        });
        if m.get("inline_keyboard").is_some() && !well_formed {
            return Err(bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"));
        }
    }
    let reply_to = match p.json("reply_parameters")? {
        Some(r) => match r
            .get("message_id")
            .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
        {
            Some(id) => Some(id.to_string()),
            None => return Err(bad("can't parse reply parameters")),
        },
        None => p.int("reply_to_message_id")?.map(|id| id.to_string()),
    };
    let body = if text.is_empty() {
        match what {
            "photo" => "📷 Photo".to_string(),
            _ => format!("📄 {}", media["name"].as_str().unwrap_or("Document")),
        }
    } else {
        text.clone()
    };
    let context = json!({
        "method": "send",
        "what": what,
        "text": text,
        "entities": entities.iter().map(format::Entity::to_json).collect::<Vec<_>>(),
        "markup": markup,
        "media": media,
    });
    match to {
        Chat::Channel => act("publish", json!({ "text": body }), context),
        Chat::Group => {
            let Some(target) =
                reply_to.filter(|r| tg.memory().find(r, |s| s.place == Place::Group).is_some())
            else {
                return Err(bad("message to be replied not found (the bot writes in the discussion group as replies to its members' messages)"));
            };
            act(
                "reply",
                json!({ "comment_id": target, "text": body }),
                context,
            )
        }
        Chat::Private(user) => {
            let target = match reply_to {
                Some(r) => tg
                    .memory()
                    .find(&r, |s| s.place == Place::Private(user.clone()))
                    .filter(|s| s.from.as_ref().is_some_and(|f| !f.is_bot))
                    .map(|s| s.id.clone())
                    .ok_or_else(|| bad("message to be replied not found"))?,
                None => tg
                    .memory()
                    .last_from(&user)
                    .map(|s| s.id.clone())
                    .ok_or_else(|| bad("chat not found"))?,
            };
            // The buttons a fan may press.
            let buttons: Vec<&str> = markup
                .iter()
                .flat_map(|m| m["inline_keyboard"].as_array().into_iter().flatten())
                .flat_map(|row| row.as_array().into_iter().flatten())
                .filter_map(|b| b["callback_data"].as_str())
                .take(MAX_BUTTONS)
                .collect();
            let mut params = json!({ "dm_id": target, "text": body });
            if !buttons.is_empty() {
                params["buttons"] = json!(buttons);
            }
            act("dm_reply", params, context)
        }
    }
}

fn message_target(
    tg: &Telegram,
    p: &Params,
    own_only: bool,
) -> Result<(Chat, String), HttpResponse> {
    let to = chat(tg, p, "chat_id")?;
    let id = p
        .int("message_id")?
        .ok_or_else(|| bad("message identifier is not specified"))?
        .to_string();
    let place = place_of(&to);
    let found = find_in(tg, &id, &place);
    match found.as_ref() {
        None => Err(bad("message to edit not found")),
        Some(s)
            if own_only
                && !(s.place == Place::Channel || s.from.as_ref().is_some_and(|f| f.is_bot)) =>
        {
            Err(bad("message can't be edited"))
        }
        Some(_) => Ok((to, id)),
    }
}

fn edit(tg: &Telegram, p: &Params) -> Result<Route, HttpResponse> {
    if p.text("inline_message_id").is_some() {
        return Err(bad("inline messages are not simulated"));
    }
    let (to, id) = message_target(tg, p, true)?;
    let place = place_of(&to);
    let (text, entities) = format::parse(
        &p.text("text").unwrap_or_default(),
        p.text("parse_mode").as_deref(),
    )
    .map_err(|e| error(400, &e))?;
    if text.trim().is_empty() {
        return Err(bad("message text is empty"));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(bad("message is too long"));
    }
    if find_in(tg, &id, &place).is_some_and(|s| s.text == text) {
        return Err(bad("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"));
    }
    let context = json!({
        "method": "edit",
        "target": id,
        "channel": place == Place::Channel,
        "entities": entities.iter().map(format::Entity::to_json).collect::<Vec<_>>(),
        "markup": p.json("reply_markup")?,
    });
    act("edit", json!({ "message_id": id, "text": text }), context)
}

fn delete(tg: &Telegram, p: &Params) -> Result<Route, HttpResponse> {
    let (_, id) = message_target(tg, p, false).map_err(|_| bad("message to delete not found"))?;
    act(
        "delete",
        json!({ "message_id": id }),
        json!({ "method": "delete" }),
    )
}

fn react(tg: &Telegram, p: &Params) -> Result<Route, HttpResponse> {
    let (_, id) = message_target(tg, p, false).map_err(|_| bad("message to react not found"))?;
    let emoji = match p.json("reaction")? {
        None => String::new(),
        Some(Value::Array(list)) if list.is_empty() => String::new(),
        Some(Value::Array(list)) if list.len() == 1 => {
            let r = &list[0];
            match (
                r.get("type").and_then(Value::as_str),
                r.get("emoji").and_then(Value::as_str),
            ) {
                (Some("emoji"), Some(e)) if REACTIONS.contains(&e) => e.to_string(),
                _ => return Err(bad("REACTION_INVALID")),
            }
        }
        Some(Value::Array(_)) => return Err(bad("REACTIONS_TOO_MANY")),
        Some(_) => return Err(bad("can't parse reaction types JSON object")),
    };
    act(
        "react",
        json!({ "message_id": id, "emoji": emoji }),
        json!({ "method": "react" }),
    )
}

fn forward(tg: &Telegram, p: &Params) -> Result<Route, HttpResponse> {
    let to = chat(tg, p, "chat_id")?;
    let from = chat(tg, p, "from_chat_id")?;
    let id = p
        .int("message_id")?
        .ok_or_else(|| bad("message identifier is not specified"))?
        .to_string();
    if from != Chat::Channel {
        return Err(bad("this simulator forwards the channel's posts only"));
    }
    let post =
        find_in(tg, &id, &Place::Channel).ok_or_else(|| bad("message to forward not found"))?;
    let Chat::Private(user) = to else {
        return Err(bad(
            "this simulator forwards into a private chat with a fan only",
        ));
    };
    let target = tg
        .memory()
        .last_from(&user)
        .map(|s| s.id.clone())
        .ok_or_else(|| bad("chat not found"))?;
    let context = json!({ "method": "forward", "post": id, "post_at": post.at, "text": post.text });
    act(
        "dm_reply",
        json!({ "dm_id": target, "text": post.text }),
        context,
    )
}

/// Shape the answer to a request that acted.
pub fn finish(
    tg: &Telegram,
    at: Millis,
    context: &str,
    outcome: Result<&[Event], &ActionError>,
) -> HttpResponse {
    let context: Value = serde_json::from_str(context).unwrap_or(Value::Null);
    let method = context["method"].as_str().unwrap_or("");
    match (method, outcome) {
        ("setwebhook", Ok(_)) => {
            return HttpResponse::json(
                200,
                &json!({ "ok": true, "result": true, "description": "Webhook was set" }),
            )
        }
        ("deletewebhook", Ok(_)) => {
            return HttpResponse::json(
                200,
                &json!({ "ok": true, "result": true, "description": "Webhook was deleted" }),
            )
        }
        ("setwebhook", Err(e)) => {
            return match e {
                ActionError::Invalid(m) | ActionError::NotFound(m) => {
                    bad(&format!("bad webhook: {m}"))
                }
                ActionError::RateLimited(wait) => too_many(*wait),
            };
        }
        _ => {}
    }
    let events = match outcome {
        Err(ActionError::RateLimited(wait)) => return too_many(*wait),
        Err(ActionError::NotFound(_)) => {
            return bad(match method {
                "edit" => "message to edit not found",
                "delete" => "message to delete not found",
                "react" => "message to react not found",
                _ => "message to be replied not found",
            })
        }
        Err(ActionError::Invalid(m)) => return bad(m.trim_start_matches("telegram: ")),
        Ok(events) => events,
    };
    match method {
        "delete" | "react" => return ok(json!(true)),
        _ => {}
    }
    let Some(event) = events.first() else {
        return error(500, "Internal Server Error: the action made no message");
    };
    let (id, place, text, reply_to) = match &event.payload {
        Payload::Content(c) => (c.id.clone(), Place::Channel, c.text.clone(), None),
        Payload::Interaction(i) => {
            let place = match i.kind.as_str() {
                "reply" => Place::Group,
                "edit" => tg
                    .memory()
                    .find(i.parent_id.as_deref().unwrap_or(""), |_| true)
                    .map_or(Place::Channel, |s| s.place.clone()),
                _ => Place::Private(
                    i.parent_id
                        .as_deref()
                        .and_then(|p| tg.memory().chat_of(p))
                        .unwrap_or_default(),
                ),
            };
            (i.id.clone(), place, i.text.clone(), i.parent_id.clone())
        }
        _ => return error(500, "Internal Server Error: the action made no message"),
    };
    let mut m = if method == "edit" {
        let target = context["target"].as_str().unwrap_or("");
        let place = if context["channel"] == true {
            Place::Channel
        } else {
            place
        };
        let mut m = match find_in(tg, target, &place) {
            Some(s) => message_json(tg, &s, 0),
            None => json!({ "message_id": message_id(target) }),
        };
        m["text"] = json!(text);
        m["edit_date"] = json!(at.div_euclid(1000));
        m
    } else {
        let mut m = json!({
            "message_id": message_id(&id),
            "date": event.at.div_euclid(1000),
            "chat": chat_json(tg, &place),
        });
        if place == Place::Channel {
            m["sender_chat"] = channel_json(tg);
        } else {
            m["from"] = json!({
                "id": tg.bot().id.parse::<i64>().unwrap_or(0),
                "is_bot": true,
                "first_name": tg.bot().display_name,
                "username": tg.bot().handle.trim_start_matches('@'),
            });
        }
        let parent = reply_to
            .as_deref()
            .filter(|_| method != "forward")
            .and_then(|r| tg.memory().find(r, |_| true));
        if let Some(parent) = parent {
            m["reply_to_message"] = message_json(tg, parent, 1);
        }
        if method == "forward" {
            m["forward_origin"] = json!({
                "type": "channel",
                "chat": channel_json(tg),
                "message_id": message_id(context["post"].as_str().unwrap_or("")),
                "date": context["post_at"].as_i64().unwrap_or(0).div_euclid(1000),
            });
        }
        match context["what"].as_str() {
            Some("photo") | Some("document") => {
                let what = context["what"].as_str().unwrap_or("");
                let file_id = format!("AgAC{}", fnv1a(format!("{id}/{what}").as_bytes()));
                if what == "photo" {
                    m["photo"] = json!([{ "file_id": file_id, "file_unique_id": &file_id[..12.min(file_id.len())], "width": 1280, "height": 960 }]);
                } else {
                    m["document"] = json!({ "file_id": file_id, "file_unique_id": &file_id[..12.min(file_id.len())], "file_name": context["media"]["name"] });
                }
                let caption = context["text"].as_str().unwrap_or("");
                if !caption.is_empty() {
                    m["caption"] = json!(caption);
                }
            }
            _ => {
                m["text"] = json!(context["text"].as_str().unwrap_or(&text));
                if method == "forward" {
                    m["text"] = json!(text);
                }
            }
        }
        m
    };
    let key = if context["what"].as_str().is_some_and(|w| w != "text") {
        "caption_entities"
    } else {
        "entities"
    };
    if context["entities"]
        .as_array()
        .is_some_and(|e| !e.is_empty())
    {
        m[key] = context["entities"].clone();
    }
    if context["markup"].is_object() {
        m["reply_markup"] = context["markup"].clone();
    }
    ok(m)
}
