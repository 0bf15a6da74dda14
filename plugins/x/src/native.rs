//! The X API v2, as far as this simulator serves it, in X's own wire
//! format (checked against the OpenAPI document X publishes, the copy in
//! xdevplatform/xdk `specs/openapi.json`).
//!
//! Served (paths below `https://api.x.com`):
//!
//! - `POST /2/tweets` {text, reply: {in_reply_to_tweet_id}, reply_settings,
//!   quote_tweet_id}: a post (`publish`), a thread's next post (a reply to
//!   one of the creator's posts) or a reply to a reply, quote or mention
//!   (`reply`); `DELETE /2/tweets/:id` (`delete`).
//! - `GET /2/tweets?ids=`, `GET /2/tweets/:id`, `GET /2/users/me`,
//!   `GET /2/users/:id/tweets`, `GET /2/users/:id/mentions`,
//!   `GET /2/tweets/search/recent` (`from:`, `to:`, `conversation_id:`,
//!   `is:reply`, `is:quote`, their negations with `-`, words and
//!   "phrases", all of them ANDed; the last 7 days),
//!   `GET /2/tweets/:id/liking_users`, `GET /2/users/:id/followers`.
//! - DMs: `GET /2/dm_events`, `GET /2/dm_conversations/with/:participant_id/dm_events`,
//!   `POST /2/dm_conversations/with/:participant_id/messages` {text}
//!   (`dm_reply` to that account's latest DM).
//! - `expansions` (`author_id`, `referenced_tweets.id`,
//!   `referenced_tweets.id.author_id`, `in_reply_to_user_id`,
//!   `entities.mentions.username`; `sender_id`, `participant_ids` on DMs),
//!   `tweet.fields`, `user.fields`, `dm_event.fields`, `max_results` and
//!   `pagination_token` (`next_token` on search) as X checks them.
//!
//! Reads come from the account's posts and from a bounded memory of the
//! last [`REPLIES`] replies and quotes, [`MENTIONS`] mentions and [`DMS`]
//! DMs. Liking users and followers are drawn from the account's audience,
//! the same accounts for the same post every time, and listed up to
//! [`MAX_LISTED`]. Errors are X's: `application/problem+json` problems
//! (`https://api.x.com/2/problems/invalid-request`, `resource-not-found`,
//! `about:blank` with a `title` and `status` for 401, 403 and 429) and the
//! `{"errors": [{"code", "message"}]}` of an unknown path. Every answer
//! carries `x-rate-limit-limit`, `-remaining` and `-reset` (unix seconds)
//! for the endpoint's 15-minute window ([`window_limit`]); posting is
//! metered by X's limits on posts (300 in 3 hours), reads are not metered
//! and show the window's full allowance. A request the host marks as carrying no or a
//! wrong token ([`CREDENTIALS_HEADER`]) is X's 401, `{"title": "Unauthorized",
//! "type": "about:blank", "status": 401, "detail": "Unauthorized"}`, on any path.

use std::collections::VecDeque;

use diorama_sdk::models::persona::author;
use diorama_sdk::models::rng::{fnv1a, Rng};
use diorama_sdk::{
    Action, ActionError, Author, Event, HttpRequest, HttpResponse, Millis, NativeAct,
    NativeOutcome, Payload,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::post::Post;
use crate::{style, POSTS_PER_3H, THREE_HOURS, X};

/// How many of the account's most recent replies and quotes (the
/// audience's and the creator's), mentions and DMs the API can read.
pub const REPLIES: usize = 1000;
pub const MENTIONS: usize = 200;
pub const DMS: usize = 300;
/// The most likers or followers listed.
pub const MAX_LISTED: usize = 1000;
/// How far back search reaches.
const SEARCH_SPAN: Millis = 7 * 86_400_000;
/// The rate-limit window of reads.
const WINDOW_S: i64 = 15 * 60;

/// The header the host sets on a request without a valid token.
pub const CREDENTIALS_HEADER: &str = "x-diorama-credentials";

const PROBLEMS: &str = "https://api.x.com/2/problems/";

/// `tweet.fields`, and `post.fields` as the published OpenAPI document
/// now names them (both are taken; see [`Vocab`]).
const TWEET_FIELDS: [&str; 37] = [
    "article",
    "article_title",
    "community_id",
    "display_text_range",
    "edit_history_post_ids",
    "matched_media_notes",
    "media_metadata",
    "note_post",
    "note_request_suggestions",
    "paid_partnership",
    "promoted_metrics",
    "referenced_posts",
    "scopes",
    "source",
    "suggested_source_links",
    "withheld",
    "attachments",
    "author_id",
    "card_uri",
    "context_annotations",
    "conversation_id",
    "created_at",
    "edit_controls",
    "edit_history_tweet_ids",
    "entities",
    "geo",
    "id",
    "in_reply_to_user_id",
    "lang",
    "non_public_metrics",
    "note_tweet",
    "organic_metrics",
    "possibly_sensitive",
    "public_metrics",
    "referenced_tweets",
    "reply_settings",
    "text",
];
const USER_FIELDS: [&str; 27] = [
    "affiliation",
    "confirmed_email",
    "is_identity_verified",
    "parody",
    "profile_banner_url",
    "receives_your_dm",
    "subscribes_to_you",
    "subscription",
    "subscription_type",
    "verified_followers_count",
    "withheld",
    "connection_status",
    "created_at",
    "description",
    "entities",
    "id",
    "location",
    "most_recent_tweet_id",
    "name",
    "pinned_tweet_id",
    "profile_image_url",
    "protected",
    "public_metrics",
    "url",
    "username",
    "verified",
    "verified_type",
];
const DM_FIELDS: [&str; 10] = [
    "attachments",
    "entities",
    "text",
    "created_at",
    "dm_conversation_id",
    "event_type",
    "id",
    "participant_ids",
    "referenced_tweets",
    "sender_id",
];
const TWEET_EXPANSIONS: [&str; 15] = [
    "article.cover_media",
    "article.media_entities",
    "attachments.media_source_tweet",
    "edit_history_post_ids",
    "referenced_posts",
    "username",
    "attachments.media_keys",
    "attachments.poll_ids",
    "author_id",
    "edit_history_tweet_ids",
    "entities.mentions.username",
    "geo.place_id",
    "in_reply_to_user_id",
    "referenced_tweets.id",
    "referenced_tweets.id.author_id",
];
const USER_EXPANSIONS: [&str; 5] = [
    "affiliation",
    "most_recent_post_id",
    "most_recent_tweet_id",
    "pinned_post_id",
    "pinned_tweet_id",
];
const DM_EXPANSIONS: [&str; 5] = [
    "referenced_posts",
    "attachments.media_keys",
    "participant_ids",
    "referenced_tweets.id",
    "sender_id",
];

/// A reply, quote, mention or DM remembered for the API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    /// `comment` (a reply to a post), `reply`, `quote`, `mention`, `dm`.
    pub kind: String,
    /// The creator's post it belongs to.
    pub post: Option<String>,
    /// What it answers: a reply's parent, a DM's the DM it answers.
    pub parent: Option<String>,
    pub author: Author,
    pub text: String,
    pub at: Millis,
}

/// The recent replies and quotes, mentions and DMs, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    replies: VecDeque<Item>,
    mentions: VecDeque<Item>,
    dms: VecDeque<Item>,
}

/// Remember `item` in time order (a step's events need not come in it),
/// forgetting the oldest past `cap`.
fn push(list: &mut VecDeque<Item>, cap: usize, item: Item) {
    let at = list
        .iter()
        .rposition(|i| i.at <= item.at)
        .map_or(0, |p| p + 1);
    list.insert(at, item);
    if list.len() > cap {
        list.pop_front();
    }
}

impl Memory {
    /// Remember the replies, quotes, mentions and DMs among `events`.
    pub fn note(&mut self, events: &[Event]) {
        for e in events {
            let Payload::Interaction(i) = &e.payload else {
                continue;
            };
            let item = Item {
                id: i.id.clone(),
                kind: i.kind.clone(),
                post: i.content_id.clone(),
                parent: i.parent_id.clone(),
                author: i.author.clone(),
                text: i.text.clone(),
                at: e.at,
            };
            match i.kind.as_str() {
                "comment" | "reply" | "quote" => push(&mut self.replies, REPLIES, item),
                "mention" => push(&mut self.mentions, MENTIONS, item),
                "dm" => push(&mut self.dms, DMS, item),
                _ => {}
            }
        }
    }

    /// The remembered item `id`.
    pub fn find(&self, id: &str) -> Option<&Item> {
        self.replies
            .iter()
            .chain(&self.mentions)
            .chain(&self.dms)
            .rev()
            .find(|i| i.id == id)
    }

    pub fn replies(&self) -> impl DoubleEndedIterator<Item = &Item> {
        self.replies.iter()
    }

    pub fn mentions(&self) -> impl DoubleEndedIterator<Item = &Item> {
        self.mentions.iter()
    }

    pub fn dms(&self) -> impl DoubleEndedIterator<Item = &Item> {
        self.dms.iter()
    }
}

/// A post as the API shows it: one of the creator's, or a remembered one.
#[derive(Clone, Copy)]
enum Tw<'a> {
    Own(&'a Post),
    Other(&'a Item),
}

impl<'a> Tw<'a> {
    fn id(&self) -> &'a str {
        match self {
            Tw::Own(p) => &p.id,
            Tw::Other(i) => &i.id,
        }
    }

    fn at(&self) -> Millis {
        match self {
            Tw::Own(p) => p.published,
            Tw::Other(i) => i.at,
        }
    }

    fn text(&self) -> &'a str {
        match self {
            Tw::Own(p) => &p.text,
            Tw::Other(i) => &i.text,
        }
    }

    fn author<'b>(&self, x: &'b X) -> &'b Author
    where
        'a: 'b,
    {
        match self {
            Tw::Own(_) => x.creator(),
            Tw::Other(i) => &i.author,
        }
    }

    fn is_reply(&self) -> bool {
        match self {
            Tw::Own(p) => p.in_reply_to.is_some(),
            Tw::Other(i) => matches!(i.kind.as_str(), "comment" | "reply"),
        }
    }

    fn is_quote(&self) -> bool {
        match self {
            Tw::Own(p) => p.quotes_post.is_some(),
            Tw::Other(i) => i.kind == "quote",
        }
    }

    /// The post it replies to, and the one it quotes.
    fn replied_to(&self) -> Option<&'a str> {
        match self {
            Tw::Own(p) => p.in_reply_to.as_deref(),
            Tw::Other(i) => match i.kind.as_str() {
                "comment" => i.post.as_deref(),
                "reply" => i.parent.as_deref(),
                _ => None,
            },
        }
    }

    fn quoted(&self) -> Option<&'a str> {
        match self {
            Tw::Own(p) => p.quotes_post.as_deref(),
            Tw::Other(i) if i.kind == "quote" => i.post.as_deref(),
            Tw::Other(_) => None,
        }
    }

    fn conversation(&self, x: &X) -> String {
        match self {
            Tw::Own(p) => p.conversation.clone(),
            Tw::Other(i) => match (i.kind.as_str(), &i.post) {
                ("comment" | "reply", Some(post)) => x
                    .post_index(post)
                    .map(|k| x.posts()[k].conversation.clone())
                    .unwrap_or_else(|| post.clone()),
                _ => i.id.clone(),
            },
        }
    }

    /// Whose post it answers.
    fn in_reply_to_user<'b>(&self, x: &'b X) -> Option<&'b Author>
    where
        'a: 'b,
    {
        let parent = self.replied_to()?;
        match lookup(x, parent) {
            Some(t) => Some(t.author(x)),
            None => Some(x.creator()),
        }
    }

    /// The accounts its text mentions.
    fn mentions<'b>(&self, x: &'b X) -> Vec<&'b Author>
    where
        'a: 'b,
    {
        let creator = x.creator();
        let mut out = Vec::new();
        if self.text().contains(creator.handle.as_str()) {
            out.push(creator);
        }
        out
    }
}

/// The post `id`, if the account has it or remembers it.
fn lookup<'a>(x: &'a X, id: &str) -> Option<Tw<'a>> {
    if let Some(i) = x.post_index(id) {
        let p = &x.posts()[i];
        return (!p.deleted).then_some(Tw::Own(p));
    }
    x.memory()
        .find(id)
        .filter(|i| i.kind != "dm")
        .map(Tw::Other)
}

/// X's answer to a request the account's health refuses, a problem as
/// API v2 sends it: while action-blocked, 429 Too Many Requests (the
/// semi-hourly limit, with `x-rate-limit-reset`); while suspended, 403
/// Forbidden with the suspended-account detail.
pub fn health_refusal(
    at: Millis,
    request: &HttpRequest,
    state: diorama_sdk::kit::health::State,
    message: &str,
) -> HttpResponse {
    let r = Request::new(at, request);
    match state {
        diorama_sdk::kit::health::State::Suspended => r.problem(
            403,
            "about:blank",
            "Forbidden",
            &format!("Your account is suspended and is not permitted to access this feature. ({message})"),
            json!({}),
        ),
        _ => r.problem(
            429,
            "about:blank",
            "Too Many Requests",
            &format!("Too Many Requests ({message})"),
            json!({}),
        ),
    }
}

/// Answer a request against the account's state at `at`.
pub fn handle(x: &X, at: Millis, request: &HttpRequest) -> NativeOutcome {
    let mut r = Request::new(at, request);
    if r.header(CREDENTIALS_HEADER).is_some() {
        return NativeOutcome::Respond(unauthorized());
    }
    if let Some(status) = r.header(FAULT_HEADER).and_then(|v| v.parse().ok()) {
        let wait = r
            .header("x-diorama-retry-after")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1i64);
        if let Some(answer) = injected(status, at, wait) {
            return NativeOutcome::Respond(answer);
        }
    }
    let path = request.path.trim_end_matches('/');
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    let method = request.method.as_str();
    r.limit = window_limit(method, &segs);
    let answer = match (method, segs.as_slice()) {
        ("POST", ["2", "tweets"]) => return post_tweet(x, &r),
        ("GET", ["2", "tweets"]) => tweets_lookup(x, &r),
        ("GET", ["2", "tweets", "search", "recent"]) => search_recent(x, &r),
        ("GET", ["2", "tweets", id]) => tweet_lookup(x, &r, id),
        ("DELETE", ["2", "tweets", id]) => return delete_tweet(x, &r, id),
        ("GET", ["2", "tweets", id, "liking_users"]) => liking_users(x, &r, id),
        ("GET", ["2", "users", "me"]) => users_me(x, &r),
        ("GET", ["2", "users", id, "tweets"]) => user_tweets(x, &r, id),
        ("GET", ["2", "users", id, "mentions"]) => user_mentions(x, &r, id),
        ("GET", ["2", "users", id, "followers"]) => followers(x, &r, id),
        ("GET", ["2", "dm_events"]) => dm_events(x, &r, None),
        ("GET", ["2", "dm_conversations", "with", who, "dm_events"]) => dm_events(x, &r, Some(who)),
        ("POST", ["2", "dm_conversations", "with", who, "messages"]) => return send_dm(x, &r, who),
        (
            _,
            ["2", "tweets"]
            | ["2", "tweets", "search", "recent"]
            | ["2", "tweets", _]
            | ["2", "tweets", _, "liking_users"]
            | ["2", "users", "me"]
            | ["2", "users", _, "tweets" | "mentions" | "followers"]
            | ["2", "dm_events"]
            | ["2", "dm_conversations", "with", _, "dm_events" | "messages"],
        ) => Err(r.problem(
            405,
            "about:blank",
            "Method Not Allowed",
            &format!("{method} is not allowed on {path}"),
            json!({}),
        )),
        (_, ["2", ..]) => Err(r.problem(
            501,
            "about:blank",
            "Not Implemented",
            &format!("{method} {path} is an X API endpoint this simulator does not serve"),
            json!({}),
        )),
        _ => Err(r.respond(
            404,
            json!({"errors": [{"code": 34, "message": "Sorry, that page does not exist"}]}),
            "application/json",
        )),
    };
    NativeOutcome::Respond(answer.unwrap_or_else(|e| e))
}

/// X's 401 to a request without a token it knows (none, or a wrong one),
/// whatever the path: the problem X's API v2 answers, with no
/// The header the host sets to have an error it injects (a fault) shaped:
/// the status.
pub const FAULT_HEADER: &str = "x-diorama-fault";

/// X's answer for an injected status: its problem object, and for a 429
/// the `x-rate-limit-*` headers with the reset `wait` seconds after `at`.
fn injected(status: u16, at: Millis, wait: i64) -> Option<HttpResponse> {
    let title = match status {
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    };
    let mut r = HttpResponse::json(
        status,
        &json!({"title": title, "type": "about:blank", "status": status, "detail": title}),
    );
    r.headers = vec![("content-type".into(), "application/problem+json".into())];
    if status == 429 {
        let reset = at.div_euclid(1000) + wait.clamp(1, 86_400);
        r.headers.extend([
            ("x-rate-limit-limit".into(), "900".into()),
            ("x-rate-limit-remaining".into(), "0".into()),
            ("x-rate-limit-reset".into(), reset.to_string()),
        ]);
    }
    Some(r)
}

/// `x-rate-limit-*` headers (no user's window is known to count against).
fn unauthorized() -> HttpResponse {
    let mut r = HttpResponse::json(
        401,
        &json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}),
    );
    r.headers = vec![("content-type".into(), "application/problem+json".into())];
    r
}

/// The requests a user may make in 15 minutes on an endpoint, from the
/// per-user column of X's API v2 rate-limit table (developer.x.com, "Rate
/// limits"); shown in `x-rate-limit-limit`, not metered (reads change
/// nothing, and the plugin answers them without keeping a count).
fn window_limit(method: &str, segs: &[&str]) -> i64 {
    match (method, segs) {
        ("GET", ["2", "users", "me"]) => 75,
        ("GET", ["2", "tweets", "search", "recent"]) => 180,
        ("GET", ["2", "users", _, "mentions"]) => 180,
        ("GET", ["2", "tweets", _, "liking_users"]) => 75,
        ("GET", ["2", "users", _, "followers"]) => 15,
        ("GET", ["2", "dm_events"] | ["2", "dm_conversations", ..]) => 300,
        ("POST", ["2", "dm_conversations", ..]) => 200,
        ("DELETE", ["2", "tweets", _]) => 50,
        _ => 900,
    }
}

/// Contexts of the requests that act.
const CTX_POST: &str = "post";
const CTX_DELETE: &str = "delete";
const CTX_DM: &str = "dm";

/// Shape the answer to a request that acted.
pub fn finish(
    x: &X,
    at: Millis,
    context: &str,
    outcome: Result<&[Event], &ActionError>,
) -> HttpResponse {
    let mut r = Request::at(at);
    let posting = context == CTX_POST;
    r.limit = match context.split('\n').next().unwrap_or_default() {
        CTX_DM => window_limit("POST", &["2", "dm_conversations"]),
        CTX_DELETE => window_limit("DELETE", &["2", "tweets", ""]),
        _ => r.limit,
    };
    let mut out = match outcome {
        Err(ActionError::RateLimited(wait)) => {
            let mut resp = r.problem(
                429,
                "about:blank",
                "Too Many Requests",
                "Too Many Requests",
                json!({}),
            );
            let reset = (at + wait).div_euclid(1000) + 1;
            let limit = if posting {
                POSTS_PER_3H
            } else {
                crate::DM_LIMIT
            };
            resp.headers = vec![
                ("content-type".into(), "application/problem+json".into()),
                ("x-rate-limit-limit".into(), limit.to_string()),
                ("x-rate-limit-remaining".into(), "0".into()),
                ("x-rate-limit-reset".into(), reset.to_string()),
                (
                    "retry-after".into(),
                    (wait.div_euclid(1000) + 1).to_string(),
                ),
            ];
            return resp;
        }
        Err(ActionError::Invalid(m)) => r.invalid(m, None),
        Err(ActionError::NotFound(m)) => r.invalid(m, None),
        Ok(events) => {
            let made = events.iter().find_map(|e| match &e.payload {
                Payload::Content(c) => Some((c.id.clone(), c.text.clone())),
                Payload::Interaction(i) => Some((i.id.clone(), i.text.clone())),
                _ => None,
            });
            match (context.split('\n').next().unwrap_or_default(), made) {
                (CTX_POST, Some((id, text))) => r.respond(
                    201,
                    json!({"data": {"id": id, "text": text, "edit_history_tweet_ids": [id]}}),
                    "application/json",
                ),
                (CTX_DELETE, _) => r.ok(json!({"data": {"deleted": true}})),
                (CTX_DM, Some((id, _))) => {
                    let who = context.split('\n').nth(1).unwrap_or_default();
                    r.respond(
                        201,
                        json!({"data": {
                            "dm_conversation_id": conversation_id(&x.creator().id, who),
                            "dm_event_id": id,
                        }}),
                        "application/json",
                    )
                }
                _ => r.problem(
                    500,
                    "https://api.x.com/2/problems/internal-error",
                    "Internal Error",
                    "the action made nothing to answer with",
                    json!({}),
                ),
            }
        }
    };
    if posting {
        let used = x.post_count_3h(at);
        set_limits(
            &mut out,
            at,
            POSTS_PER_3H as i64,
            POSTS_PER_3H as i64 - used,
            THREE_HOURS / 1000,
        );
    }
    out
}

fn set_limits(resp: &mut HttpResponse, at: Millis, limit: i64, remaining: i64, window_s: i64) {
    let now = at.div_euclid(1000);
    let reset = now - now.rem_euclid(window_s) + window_s;
    resp.headers
        .retain(|(k, _)| !k.starts_with("x-rate-limit-"));
    resp.headers
        .push(("x-rate-limit-limit".into(), limit.to_string()));
    resp.headers.push((
        "x-rate-limit-remaining".into(),
        remaining.max(0).to_string(),
    ));
    resp.headers
        .push(("x-rate-limit-reset".into(), reset.to_string()));
}

/// A 1:1 conversation's id: the two user ids, the smaller first.
fn conversation_id(a: &str, b: &str) -> String {
    let (x, y) = match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(m), Ok(n)) if m > n => (b, a),
        (Ok(_), Ok(_)) => (a, b),
        _ if a > b => (b, a),
        _ => (a, b),
    };
    format!("{x}-{y}")
}

// ---------------------------------------------------------------- writes

fn post_tweet(x: &X, r: &Request) -> NativeOutcome {
    let body = match r.body_object() {
        Ok(b) => b,
        Err(e) => return NativeOutcome::Respond(e),
    };
    let fail = |m: &str| NativeOutcome::Respond(r.invalid(m, None));
    for key in body.keys() {
        match key.as_str() {
            "text" | "reply" | "reply_settings" | "quote_tweet_id" | "for_super_followers_only"
            | "nullcast" => {}
            "media" | "poll" | "geo" | "card_uri" | "direct_message_deep_link" | "community_id"
            | "share_with_followers" | "made_with_ai" | "paid_partnership" | "edit_options" => {
                return NativeOutcome::Respond(r.problem(
                    501,
                    "about:blank",
                    "Not Implemented",
                    &format!("`{key}` on a post is not simulated"),
                    json!({}),
                ))
            }
            other => return fail(&format!("$.{other}: is not defined in the schema and the schema does not allow additional properties")),
        }
    }
    let text = match body.get("text") {
        Some(Value::String(t)) => t.clone(),
        None | Some(Value::Null) => return fail("Post text is empty"),
        Some(_) => return fail("$.text: expected type: String"),
    };
    let str_of = |v: Option<&Value>, name: &str| -> Result<Option<String>, NativeOutcome> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) => {
                Ok(Some(s.clone()))
            }
            Some(_) => Err(fail(&format!(
                "$.{name}: string [{v:?}] does not match pattern ^[0-9]{{1,19}}$"
            ))),
        }
    };
    let reply_to = match body.get("reply") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => {
            match str_of(m.get("in_reply_to_tweet_id"), "reply.in_reply_to_tweet_id") {
                Ok(Some(id)) => Some(id),
                Ok(None) => return fail("$.reply: required key [in_reply_to_tweet_id] not found"),
                Err(e) => return e,
            }
        }
        Some(_) => return fail("$.reply: expected type: JSONObject"),
    };
    let quote = match str_of(body.get("quote_tweet_id"), "quote_tweet_id") {
        Ok(q) => q,
        Err(e) => return e,
    };
    let settings = match body.get("reply_settings") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if crate::ReplySettings::parse(s).is_some() => Some(s.clone()),
        Some(v) => {
            return fail(&format!(
                "$.reply_settings: {v} is not a valid enum value (one of {})",
                crate::ReplySettings::NAMES.join(", ")
            ))
        }
    };
    let mut params = Map::new();
    let kind = match &reply_to {
        Some(id) if x.post_index(id).is_some() => {
            params.insert("in_reply_to".into(), json!(id));
            "publish"
        }
        Some(id) if lookup(x, id).is_some() => {
            params.insert("comment_id".into(), json!(id));
            "reply"
        }
        Some(id) => {
            return NativeOutcome::Respond(r.problem(
                403,
                "about:blank",
                "Forbidden",
                &format!(
                "You attempted to reply to a Tweet that is deleted or not visible to you. ({id})"
            ),
                json!({}),
            ))
        }
        None => "publish",
    };
    params.insert("text".into(), json!(text));
    if kind == "publish" {
        if let Some(q) = quote {
            params.insert("quote".into(), json!(q));
        }
        if let Some(s) = settings {
            params.insert("reply_settings".into(), json!(s));
        }
    }
    NativeOutcome::Act(NativeAct {
        action: Action {
            kind: kind.into(),
            params: Value::Object(params).to_string(),
        },
        context: CTX_POST.into(),
    })
}

fn delete_tweet(x: &X, r: &Request, id: &str) -> NativeOutcome {
    match lookup(x, id) {
        Some(Tw::Own(_)) => NativeOutcome::Act(NativeAct {
            action: Action {
                kind: "delete".into(),
                params: json!({ "post_id": id }).to_string(),
            },
            context: CTX_DELETE.into(),
        }),
        Some(Tw::Other(_)) => NativeOutcome::Respond(r.problem(
            403,
            "about:blank",
            "Forbidden",
            "You are not allowed to delete a Tweet that is not yours.",
            json!({}),
        )),
        None => NativeOutcome::Respond(r.not_found("tweet", "id", id)),
    }
}

fn send_dm(x: &X, r: &Request, who: &str) -> NativeOutcome {
    let body = match r.body_object() {
        Ok(b) => b,
        Err(e) => return NativeOutcome::Respond(e),
    };
    let text = match body.get("text") {
        Some(Value::String(t)) if !t.trim().is_empty() => t.clone(),
        _ => {
            return NativeOutcome::Respond(r.invalid("$.text: a message needs text", Some("text")))
        }
    };
    if body.contains_key("attachments") {
        return NativeOutcome::Respond(r.problem(
            501,
            "about:blank",
            "Not Implemented",
            "attachments on a direct message are not simulated",
            json!({}),
        ));
    }
    let latest = x
        .memory()
        .dms()
        .rev()
        .find(|i| i.author.id == who && i.author.id != x.creator().id);
    let Some(dm) = latest else {
        return NativeOutcome::Respond(r.problem(
            403,
            "about:blank",
            "Forbidden",
            &format!("You cannot send messages to this user ({who}): only accounts that wrote to this account recently can be answered"),
            json!({}),
        ));
    };
    NativeOutcome::Act(NativeAct {
        action: Action {
            kind: "dm_reply".into(),
            params: json!({"dm_id": dm.id, "text": text}).to_string(),
        },
        context: format!("{CTX_DM}\n{who}"),
    })
}

// ----------------------------------------------------------------- reads

/// The words an answer uses. X's API answers `tweet.fields` with
/// `referenced_tweets`, `edit_history_tweet_ids` and `includes.tweets`
/// (what tweepy reads); the OpenAPI document X publishes today (the one
/// the official `xdk` SDK is generated from) names the same things
/// `post.fields`, `referenced_posts`, `edit_history_post_ids` and
/// `includes.posts`. A request in the document's words is answered in
/// them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Vocab {
    Tweets,
    Posts,
}

impl Vocab {
    fn referenced(self) -> &'static str {
        match self {
            Vocab::Tweets => "referenced_tweets",
            Vocab::Posts => "referenced_posts",
        }
    }

    fn history(self) -> &'static str {
        match self {
            Vocab::Tweets => "edit_history_tweet_ids",
            Vocab::Posts => "edit_history_post_ids",
        }
    }

    fn includes(self) -> &'static str {
        match self {
            Vocab::Tweets => "tweets",
            Vocab::Posts => "posts",
        }
    }
}

/// What a read asks for: fields and expansions.
struct Shape {
    tweet: Vec<&'static str>,
    user: Vec<&'static str>,
    expansions: Vec<&'static str>,
    vocab: Vocab,
}

fn shape(r: &Request, expansions: &[&'static str]) -> Result<Shape, HttpResponse> {
    let mut tweet = r.list("tweet.fields", &TWEET_FIELDS)?;
    for f in r.list("post.fields", &TWEET_FIELDS)? {
        if !tweet.contains(&f) {
            tweet.push(f);
        }
    }
    let expansions = r.list("expansions", expansions)?;
    let posts = r.query("post.fields").is_some() || expansions.iter().any(|e| e.contains("post"));
    Ok(Shape {
        tweet,
        user: r.list("user.fields", &USER_FIELDS)?,
        expansions,
        vocab: if posts { Vocab::Posts } else { Vocab::Tweets },
    })
}

fn tweet_shape(r: &Request) -> Result<Shape, HttpResponse> {
    shape(r, &TWEET_EXPANSIONS)
}

fn user_shape(r: &Request) -> Result<Shape, HttpResponse> {
    shape(r, &USER_EXPANSIONS)
}

fn time(at: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(at)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".into())
}

fn username(a: &Author) -> &str {
    a.handle.trim_start_matches('@')
}

/// A stable number for an account, from its id.
fn stable(id: &str, salt: &str, below: u64) -> i64 {
    (fnv1a(format!("{salt}/{id}").as_bytes()) % below.max(1)) as i64
}

fn user_json(x: &X, a: &Author, fields: &[&str]) -> Value {
    let own = a.id == x.creator().id;
    let mut u = Map::new();
    u.insert("id".into(), json!(a.id));
    u.insert("name".into(), json!(a.display_name));
    u.insert("username".into(), json!(username(a)));
    for &f in fields {
        let v = match f {
            "created_at" => json!(time(
                1_230_768_000_000 + stable(&a.id, "joined", 5_000) * 86_400_000
            )),
            "description" => json!(""),
            "location" => continue,
            "profile_image_url" => json!(a.avatar_url),
            "protected" => json!(false),
            "public_metrics" => {
                let (followers, following) = if own {
                    (x.followers_reported(), x.following())
                } else {
                    (a.followers as i64, 20 + stable(&a.id, "following", 2_000))
                };
                let tweets = if own {
                    x.posts().iter().filter(|p| !p.deleted).count() as i64
                } else {
                    10 + stable(&a.id, "tweets", 20_000)
                };
                // `tweet_count` is the API's name, `post_count` the
                // published document's (required there): both are given.
                json!({
                    "followers_count": followers,
                    "following_count": following,
                    "tweet_count": tweets,
                    "post_count": tweets,
                    "listed_count": a.followers as i64 / 200,
                    "like_count": stable(&a.id, "likes", 50_000),
                })
            }
            "url" => json!(""),
            "verified" => json!(a.verified),
            "verified_type" => json!(if a.verified { "blue" } else { "none" }),
            "most_recent_tweet_id" | "most_recent_post_id" if own => {
                match x.posts().iter().rev().find(|p| !p.deleted) {
                    Some(p) => json!(p.id),
                    None => continue,
                }
            }
            _ => continue,
        };
        u.insert(f.to_string(), v);
    }
    Value::Object(u)
}

fn tweet_json(x: &X, t: Tw<'_>, fields: &[&str], vocab: Vocab) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(t.id()));
    o.insert("text".into(), json!(t.text()));
    o.insert(vocab.history().into(), json!([t.id()]));
    for &f in fields {
        let v = match f {
            "author_id" => json!(t.author(x).id),
            "conversation_id" => json!(t.conversation(x)),
            "created_at" => json!(time(t.at())),
            "in_reply_to_user_id" => match t.in_reply_to_user(x) {
                Some(a) => json!(a.id),
                None => continue,
            },
            "lang" => json!("en"),
            "possibly_sensitive" => json!(false),
            "public_metrics" => {
                let m = match t {
                    Tw::Own(p) => p.reported,
                    Tw::Other(_) => [0; 6],
                };
                // As for users: the API's `retweet_count` and the
                // document's `repost_count`.
                json!({
                    "retweet_count": m[3],
                    "repost_count": m[3],
                    "reply_count": m[2],
                    "like_count": m[1],
                    "quote_count": m[4],
                    "bookmark_count": m[5],
                    "impression_count": m[0],
                })
            }
            "referenced_tweets" | "referenced_posts" => {
                let mut refs = Vec::new();
                if let Some(id) = t.replied_to() {
                    refs.push(json!({"type": "replied_to", "id": id}));
                }
                if let Some(id) = t.quoted() {
                    refs.push(json!({"type": "quoted", "id": id}));
                }
                if refs.is_empty() {
                    continue;
                }
                o.insert(vocab.referenced().into(), Value::Array(refs));
                continue;
            }
            "reply_settings" => json!(match t {
                Tw::Own(p) => p.reply_settings.as_str(),
                Tw::Other(_) => "everyone",
            }),
            "entities" => {
                let mut mentions = Vec::new();
                for a in t.mentions(x) {
                    let name = username(a);
                    let handle = format!("@{name}");
                    if let Some(start) = t.text().find(&handle) {
                        let start = t.text()[..start].chars().count();
                        mentions.push(json!({
                            "start": start,
                            "end": start + handle.chars().count(),
                            "username": name,
                            "id": a.id,
                        }));
                    }
                }
                if mentions.is_empty() {
                    continue;
                }
                json!({ "mentions": mentions })
            }
            _ => continue,
        };
        o.insert(f.to_string(), v);
    }
    Value::Object(o)
}

/// `data` (one post or a list), with `includes` for the expansions.
fn tweets_body(x: &X, tweets: &[Tw<'_>], shape: &Shape, single: bool) -> Map<String, Value> {
    let data: Vec<Value> = tweets
        .iter()
        .map(|t| tweet_json(x, *t, &shape.tweet, shape.vocab))
        .collect();
    let mut users: Vec<&Author> = Vec::new();
    let mut refs: Vec<Tw<'_>> = Vec::new();
    fn add<'u>(users: &mut Vec<&'u Author>, a: &'u Author) {
        if !users.iter().any(|u| u.id == a.id) {
            users.push(a);
        }
    }
    for t in tweets {
        for &e in &shape.expansions {
            match e {
                "author_id" => add(&mut users, t.author(x)),
                "in_reply_to_user_id" => {
                    if let Some(a) = t.in_reply_to_user(x) {
                        add(&mut users, a);
                    }
                }
                "entities.mentions.username" => {
                    for a in t.mentions(x) {
                        add(&mut users, a);
                    }
                }
                "referenced_tweets.id" | "referenced_tweets.id.author_id" | "referenced_posts" => {
                    for id in [t.replied_to(), t.quoted()].into_iter().flatten() {
                        if let Some(rt) = lookup(x, id) {
                            if !refs.iter().any(|q| q.id() == rt.id()) {
                                refs.push(rt);
                            }
                            if e == "referenced_tweets.id.author_id" {
                                add(&mut users, rt.author(x));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut body = Map::new();
    body.insert(
        "data".into(),
        if single {
            data.into_iter().next().unwrap_or(Value::Null)
        } else {
            Value::Array(data)
        },
    );
    let mut includes = Map::new();
    if !users.is_empty() {
        includes.insert(
            "users".into(),
            Value::Array(users.iter().map(|a| user_json(x, a, &shape.user)).collect()),
        );
    }
    if !refs.is_empty() {
        includes.insert(
            shape.vocab.includes().into(),
            Value::Array(
                refs.iter()
                    .map(|t| tweet_json(x, *t, &shape.tweet, shape.vocab))
                    .collect(),
            ),
        );
    }
    if !includes.is_empty() {
        body.insert("includes".into(), Value::Object(includes));
    }
    body
}

fn tweet_lookup(x: &X, r: &Request, id: &str) -> Result<HttpResponse, HttpResponse> {
    let shape = tweet_shape(r)?;
    r.only(&[
        "tweet.fields",
        "post.fields",
        "user.fields",
        "expansions",
        "media.fields",
        "poll.fields",
        "place.fields",
    ])?;
    if !is_id(id) {
        return Err(r.invalid(
            &format!("The `id` query parameter value [{id}] does not match ^[0-9]{{1,19}}$"),
            Some("id"),
        ));
    }
    match lookup(x, id) {
        Some(t) => Ok(r.ok(Value::Object(tweets_body(x, &[t], &shape, true)))),
        None => Ok(r.ok(json!({"errors": [not_found_error("tweet", "id", id)]}))),
    }
}

fn tweets_lookup(x: &X, r: &Request) -> Result<HttpResponse, HttpResponse> {
    let shape = tweet_shape(r)?;
    r.only(&[
        "ids",
        "tweet.fields",
        "post.fields",
        "user.fields",
        "expansions",
        "media.fields",
        "poll.fields",
        "place.fields",
    ])?;
    let ids: Vec<&str> = r
        .query("ids")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() || ids.len() > 100 {
        return Err(r.invalid(
            &format!(
                "The `ids` query parameter must hold 1 to 100 ids (got {})",
                ids.len()
            ),
            Some("ids"),
        ));
    }
    if let Some(bad) = ids.iter().find(|i| !is_id(i)) {
        return Err(r.invalid(
            &format!("The `ids` query parameter value [{bad}] does not match ^[0-9]{{1,19}}$"),
            Some("ids"),
        ));
    }
    let found: Vec<Tw<'_>> = ids.iter().filter_map(|id| lookup(x, id)).collect();
    let missing: Vec<Value> = ids
        .iter()
        .filter(|id| lookup(x, id).is_none())
        .map(|id| not_found_error("tweet", "ids", id))
        .collect();
    let mut body = if found.is_empty() {
        Map::new()
    } else {
        tweets_body(x, &found, &shape, false)
    };
    if !missing.is_empty() {
        body.insert("errors".into(), Value::Array(missing));
    }
    Ok(r.ok(Value::Object(body)))
}

fn users_me(x: &X, r: &Request) -> Result<HttpResponse, HttpResponse> {
    let shape = user_shape(r)?;
    r.only(&["user.fields", "tweet.fields", "post.fields", "expansions"])?;
    let mut body = Map::new();
    body.insert("data".into(), user_json(x, x.creator(), &shape.user));
    if shape
        .expansions
        .iter()
        .any(|e| e.starts_with("most_recent"))
    {
        if let Some(p) = x.posts().iter().rev().find(|p| !p.deleted) {
            let mut inc = Map::new();
            inc.insert(
                shape.vocab.includes().into(),
                json!([tweet_json(x, Tw::Own(p), &shape.tweet, shape.vocab)]),
            );
            body.insert("includes".into(), Value::Object(inc));
        }
    }
    Ok(r.ok(Value::Object(body)))
}

/// A page of `items` (newest first): `max_results` within `range` (default
/// `default`), from the `token` parameter's offset.
fn page<T: Copy>(
    r: &Request,
    items: &[T],
    range: (usize, usize),
    default: usize,
    token: &str,
) -> Result<(Vec<T>, Map<String, Value>), HttpResponse> {
    let max = match r.query("max_results") {
        None => default,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (range.0..=range.1).contains(n))
            .ok_or_else(|| {
                r.invalid(
                    &format!(
                        "The `max_results` query parameter value [{s}] is not between {} and {}",
                        range.0, range.1
                    ),
                    Some("max_results"),
                )
            })?,
    };
    let offset = match r.query(token) {
        None => 0,
        Some(t) => decode_token(t)
            .filter(|o| *o <= items.len())
            .ok_or_else(|| {
                r.invalid(
                    &format!("The `{token}` query parameter value [{t}] is not a valid token"),
                    Some(token),
                )
            })?,
    };
    let end = (offset + max).min(items.len());
    let chunk = items[offset..end].to_vec();
    let mut meta = Map::new();
    meta.insert("result_count".into(), json!(chunk.len()));
    if end < items.len() {
        meta.insert("next_token".into(), json!(encode_token(end)));
    }
    if offset > 0 {
        meta.insert(
            "previous_token".into(),
            json!(encode_token(offset.saturating_sub(max))),
        );
    }
    Ok((chunk, meta))
}

/// Page tokens: opaque to clients, an offset here.
fn encode_token(offset: usize) -> String {
    format!("7140dib{:x}", offset as u64 ^ 0x5a5a)
}

fn decode_token(t: &str) -> Option<usize> {
    let hex = t.strip_prefix("7140dib")?;
    let n = u64::from_str_radix(hex, 16).ok()?;
    Some((n ^ 0x5a5a) as usize)
}

fn list_answer(
    x: &X,
    r: &Request,
    tweets: &[Tw<'_>],
    shape: &Shape,
    range: (usize, usize),
    default: usize,
    token: &str,
) -> Result<HttpResponse, HttpResponse> {
    let (chunk, mut meta) = page(r, tweets, range, default, token)?;
    let mut body = if chunk.is_empty() {
        Map::new()
    } else {
        tweets_body(x, &chunk, shape, false)
    };
    if let (Some(first), Some(last)) = (chunk.first(), chunk.last()) {
        meta.insert("newest_id".into(), json!(first.id()));
        meta.insert("oldest_id".into(), json!(last.id()));
    }
    body.insert("meta".into(), Value::Object(meta));
    Ok(r.ok(Value::Object(body)))
}

const TIMELINE_PARAMS: [&str; 14] = [
    "tweet.fields",
    "post.fields",
    "user.fields",
    "expansions",
    "media.fields",
    "poll.fields",
    "place.fields",
    "max_results",
    "pagination_token",
    "since_id",
    "until_id",
    "start_time",
    "end_time",
    "exclude",
];

fn user_tweets(x: &X, r: &Request, id: &str) -> Result<HttpResponse, HttpResponse> {
    let shape = tweet_shape(r)?;
    r.only(&TIMELINE_PARAMS)?;
    let exclude = r.list("exclude", &["replies", "retweets"])?;
    let window = r.window()?;
    let mut tweets: Vec<Tw<'_>> = Vec::new();
    if id == x.creator().id {
        tweets.extend(x.posts().iter().filter(|p| !p.deleted).map(Tw::Own));
    }
    tweets.extend(
        x.memory()
            .replies()
            .chain(x.memory().mentions())
            .filter(|i| i.author.id == id)
            .map(Tw::Other),
    );
    tweets.retain(|t| window.admits(t) && !(exclude.contains(&"replies") && t.is_reply()));
    tweets.sort_by(|a, b| b.at().cmp(&a.at()).then_with(|| b.id().cmp(a.id())));
    if tweets.is_empty() && id != x.creator().id && !is_id(id) {
        return Err(r.invalid(
            &format!("The `id` path parameter value [{id}] does not match ^[0-9]{{1,19}}$"),
            Some("id"),
        ));
    }
    list_answer(x, r, &tweets, &shape, (5, 100), 10, "pagination_token")
}

fn user_mentions(x: &X, r: &Request, id: &str) -> Result<HttpResponse, HttpResponse> {
    let shape = tweet_shape(r)?;
    r.only(&TIMELINE_PARAMS)?;
    let window = r.window()?;
    if !is_id(id) {
        return Err(r.invalid(
            &format!("The `id` path parameter value [{id}] does not match ^[0-9]{{1,19}}$"),
            Some("id"),
        ));
    }
    let mut tweets: Vec<Tw<'_>> = Vec::new();
    if id == x.creator().id {
        tweets.extend(
            x.memory()
                .mentions()
                .chain(x.memory().replies().filter(|i| i.kind == "comment"))
                .map(Tw::Other),
        );
    }
    tweets.retain(|t| window.admits(t));
    tweets.sort_by(|a, b| b.at().cmp(&a.at()).then_with(|| b.id().cmp(a.id())));
    list_answer(x, r, &tweets, &shape, (5, 100), 10, "pagination_token")
}

/// One term of a search query.
#[derive(Debug)]
enum Term {
    From(String),
    To(String),
    Conversation(String),
    IsReply,
    IsQuote,
    Word(String),
}

fn parse_query(q: &str) -> Result<Vec<(bool, Term)>, String> {
    if q.trim().is_empty() {
        return Err("The `query` query parameter can not be empty".into());
    }
    if q.chars().count() > 512 {
        return Err("The `query` query parameter value is longer than 512 characters".into());
    }
    let mut out = Vec::new();
    let mut rest = q.trim();
    while !rest.is_empty() {
        let (neg, r) = match rest.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let (token, after) = if let Some(r) = r.strip_prefix('"') {
            let end = r
                .find('"')
                .ok_or("There is an unterminated phrase in the query")?;
            (format!("\"{}", &r[..end]), &r[end + 1..])
        } else {
            let end = r.find(char::is_whitespace).unwrap_or(r.len());
            (r[..end].to_string(), &r[end..])
        };
        rest = after.trim_start();
        let term = if let Some(p) = token.strip_prefix('"') {
            Term::Word(p.to_lowercase())
        } else if token == "OR" || token.starts_with('(') || token.ends_with(')') {
            return Err(format!(
                "the operator `{token}` is not simulated: terms are ANDed"
            ));
        } else if let Some((op, v)) = token.split_once(':') {
            let v = v.trim_start_matches('@').to_string();
            match op {
                "from" => Term::From(v),
                "to" => Term::To(v),
                "conversation_id" => Term::Conversation(v),
                "is" if v == "reply" => Term::IsReply,
                "is" if v == "quote" => Term::IsQuote,
                "is" if v == "retweet" => return Err("is:retweet: reposts are not searchable here".into()),
                "lang" if v == "en" => continue,
                _ => return Err(format!("Reference to invalid operator '{op}'. Operator is not available in current product or product packaging. Please refer to complete available operator list at https://developer.x.com/en/docs/twitter-api/tweets/search/integrate/build-a-query")),
            }
        } else {
            Term::Word(token.to_lowercase())
        };
        out.push((neg, term));
    }
    if out.iter().all(|(neg, _)| *neg) {
        return Err(
            "There were errors processing your request: Rules must contain a non-negation term"
                .into(),
        );
    }
    Ok(out)
}

fn matches_user(a: &Author, v: &str) -> bool {
    a.id == v || username(a).eq_ignore_ascii_case(v)
}

fn search_recent(x: &X, r: &Request) -> Result<HttpResponse, HttpResponse> {
    let shape = tweet_shape(r)?;
    r.only(&[
        "query",
        "tweet.fields",
        "post.fields",
        "user.fields",
        "expansions",
        "media.fields",
        "poll.fields",
        "place.fields",
        "max_results",
        "next_token",
        "pagination_token",
        "since_id",
        "until_id",
        "start_time",
        "end_time",
        "sort_order",
    ])?;
    let query = r.query("query").unwrap_or_default();
    let terms = parse_query(query).map_err(|m| r.invalid(&m, Some("query")))?;
    match r.query("sort_order") {
        None | Some("recency") | Some("relevancy") => {}
        Some(s) => {
            return Err(r.invalid(
                &format!(
                "The `sort_order` query parameter value [{s}] is not one of [recency, relevancy]"
            ),
                Some("sort_order"),
            ))
        }
    }
    let window = r.window()?;
    let since = r.at - SEARCH_SPAN;
    let mut tweets: Vec<Tw<'_>> = x
        .posts()
        .iter()
        .filter(|p| !p.deleted)
        .map(Tw::Own)
        .chain(
            x.memory()
                .replies()
                .chain(x.memory().mentions())
                .map(Tw::Other),
        )
        .filter(|t| t.at() >= since && t.at() <= r.at && window.admits(t))
        .filter(|t| {
            terms.iter().all(|(neg, term)| {
                let hit = match term {
                    Term::From(v) => matches_user(t.author(x), v),
                    Term::To(v) => t.in_reply_to_user(x).is_some_and(|a| matches_user(a, v)),
                    Term::Conversation(c) => t.conversation(x) == *c,
                    Term::IsReply => t.is_reply(),
                    Term::IsQuote => t.is_quote(),
                    Term::Word(w) => t.text().to_lowercase().contains(w.as_str()),
                };
                hit != *neg
            })
        })
        .collect();
    tweets.sort_by(|a, b| b.at().cmp(&a.at()).then_with(|| b.id().cmp(a.id())));
    let token = if r.query("pagination_token").is_some() {
        "pagination_token"
    } else {
        "next_token"
    };
    list_answer(x, r, &tweets, &shape, (10, 100), 10, token)
}

/// The `i`-th of a list of accounts drawn for `key`: the audience's fans
/// first, then one-off accounts, the same ones for the same key.
fn listed_user(fans: &mut diorama_sdk::models::persona::Audience, key: &str, i: usize) -> Author {
    let n = fans.fans() as usize;
    let start = (fnv1a(key.as_bytes()) % n.max(1) as u64) as usize;
    if i < n {
        if let Some(a) = fans.fan(((start + i) % n) as u32) {
            return a.clone();
        }
    }
    let mut rng = Rng::new(fnv1a(key.as_bytes()) ^ i as u64, "x/listed");
    author(&mut rng, style::PERSONAS)
}

fn users_list(
    x: &X,
    r: &Request,
    key: &str,
    total: usize,
    range: (usize, usize),
    default: usize,
) -> Result<HttpResponse, HttpResponse> {
    let shape = user_shape(r)?;
    let idx: Vec<usize> = (0..total.min(MAX_LISTED)).collect();
    let (chunk, meta) = page(r, &idx, range, default, "pagination_token")?;
    let mut fans = x.audience().clone();
    let users: Vec<Value> = chunk
        .iter()
        .map(|&i| user_json(x, &listed_user(&mut fans, key, i), &shape.user))
        .collect();
    let mut body = Map::new();
    if !users.is_empty() {
        body.insert("data".into(), Value::Array(users));
    }
    body.insert("meta".into(), Value::Object(meta));
    Ok(r.ok(Value::Object(body)))
}

fn liking_users(x: &X, r: &Request, id: &str) -> Result<HttpResponse, HttpResponse> {
    r.only(&[
        "user.fields",
        "tweet.fields",
        "post.fields",
        "expansions",
        "max_results",
        "pagination_token",
    ])?;
    match lookup(x, id) {
        Some(Tw::Own(p)) => users_list(
            x,
            r,
            &format!("likes/{id}"),
            p.reported[1].max(0) as usize,
            (1, 100),
            100,
        ),
        Some(Tw::Other(_)) => users_list(x, r, &format!("likes/{id}"), 0, (1, 100), 100),
        None => Ok(r.ok(json!({"errors": [not_found_error("tweet", "id", id)]}))),
    }
}

fn followers(x: &X, r: &Request, id: &str) -> Result<HttpResponse, HttpResponse> {
    r.only(&[
        "user.fields",
        "tweet.fields",
        "post.fields",
        "expansions",
        "max_results",
        "pagination_token",
    ])?;
    if id != x.creator().id {
        if !is_id(id) {
            return Err(r.invalid(
                &format!("The `id` path parameter value [{id}] does not match ^[0-9]{{1,19}}$"),
                Some("id"),
            ));
        }
        return Ok(r.ok(json!({"errors": [not_found_error("user", "id", id)]})));
    }
    let total = x.followers_reported().max(0) as usize;
    users_list(x, r, "followers", total, (1, 1000), 100)
}

fn dm_events(x: &X, r: &Request, with: Option<&str>) -> Result<HttpResponse, HttpResponse> {
    r.only(&[
        "dm_event.fields",
        "event_types",
        "expansions",
        "max_results",
        "pagination_token",
        "user.fields",
        "tweet.fields",
        "post.fields",
        "media.fields",
    ])?;
    let fields = r.list("dm_event.fields", &DM_FIELDS)?;
    let user_fields = r.list("user.fields", &USER_FIELDS)?;
    let expansions = r.list("expansions", &DM_EXPANSIONS)?;
    let types = r.list(
        "event_types",
        &["MessageCreate", "ParticipantsJoin", "ParticipantsLeave"],
    )?;
    let me = &x.creator().id;
    let mut items: Vec<&Item> = x.memory().dms().collect();
    // The creator's answers are in the conversation of the DM they answer.
    let peer = |i: &Item| -> String {
        if i.author.id == *me {
            i.parent
                .as_deref()
                .and_then(|p| x.memory().find(p))
                .map(|p| p.author.id.clone())
                .unwrap_or_default()
        } else {
            i.author.id.clone()
        }
    };
    if let Some(w) = with {
        items.retain(|i| peer(i) == w);
    }
    if !types.is_empty() && !types.contains(&"MessageCreate") {
        items.clear();
    }
    items.reverse();
    let (chunk, meta) = page(r, &items, (1, 100), 100, "pagination_token")?;
    let mut users: Vec<&Author> = Vec::new();
    let data: Vec<Value> = chunk
        .iter()
        .map(|i| {
            let other = peer(i);
            let mut o = Map::new();
            o.insert("id".into(), json!(i.id));
            o.insert("event_type".into(), json!("MessageCreate"));
            o.insert("text".into(), json!(i.text));
            for &f in &fields {
                let v = match f {
                    "created_at" => json!(time(i.at)),
                    "sender_id" => json!(i.author.id),
                    "dm_conversation_id" => json!(conversation_id(me, &other)),
                    "participant_ids" => json!([me, other]),
                    _ => continue,
                };
                o.insert(f.to_string(), v);
            }
            if expansions.contains(&"sender_id") && !users.iter().any(|u| u.id == i.author.id) {
                users.push(&i.author);
            }
            Value::Object(o)
        })
        .collect();
    let mut body = Map::new();
    if !data.is_empty() {
        body.insert("data".into(), Value::Array(data));
    }
    if expansions.contains(&"participant_ids") && !users.iter().any(|u| u.id == *me) {
        users.push(x.creator());
    }
    if !users.is_empty() {
        body.insert(
            "includes".into(),
            json!({"users": users.iter().map(|a| user_json(x, a, &user_fields)).collect::<Vec<_>>()}),
        );
    }
    body.insert("meta".into(), Value::Object(meta));
    Ok(r.ok(Value::Object(body)))
}

fn is_id(s: &str) -> bool {
    (1..=19).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_digit())
}

fn not_found_error(resource: &str, parameter: &str, id: &str) -> Value {
    let what = if resource == "tweet" { "tweet" } else { "user" };
    json!({
        "value": id,
        "detail": format!("Could not find {what} with {parameter}: [{id}]."),
        "title": "Not Found Error",
        "resource_type": resource,
        "parameter": parameter,
        "resource_id": id,
        "type": format!("{PROBLEMS}resource-not-found"),
    })
}

/// `start_time`, `end_time`, `since_id`, `until_id`.
struct Window {
    start: Millis,
    end: Millis,
    since: u64,
    until: u64,
}

impl Window {
    fn admits(&self, t: &Tw<'_>) -> bool {
        let id: u64 = t.id().parse().unwrap_or(0);
        t.at() >= self.start && t.at() < self.end && id > self.since && id < self.until
    }
}

/// A request being answered.
struct Request<'a> {
    at: Millis,
    request: Option<&'a HttpRequest>,
    query: Vec<(String, String)>,
    /// The endpoint's requests per 15 minutes ([`window_limit`]).
    limit: i64,
}

impl<'a> Request<'a> {
    fn new(at: Millis, request: &'a HttpRequest) -> Self {
        Request {
            at,
            request: Some(request),
            query: form_urlencoded::parse(request.query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            limit: 900,
        }
    }

    fn at(at: Millis) -> Request<'static> {
        Request {
            at,
            request: None,
            query: Vec::new(),
            limit: 900,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.request?
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn query(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Only these query parameters, as X refuses any other.
    fn only(&self, known: &[&str]) -> Result<(), HttpResponse> {
        for (k, _) in &self.query {
            if !known.contains(&k.as_str()) {
                return Err(self.invalid(
                    &format!(
                        "The query parameter [{k}] is not one of [{}]",
                        known.join(",")
                    ),
                    Some(k),
                ));
            }
        }
        Ok(())
    }

    /// A comma list parameter whose values are all among `known`.
    fn list(&self, key: &str, known: &[&'static str]) -> Result<Vec<&'static str>, HttpResponse> {
        let mut out = Vec::new();
        let Some(raw) = self.query(key) else {
            return Ok(out);
        };
        for v in raw.split(',').map(str::trim).filter(|v| !v.is_empty()) {
            let Some(k) = known.iter().find(|k| **k == v) else {
                return Err(self.invalid(
                    &format!(
                        "The `{key}` query parameter value [{v}] is not one of [{}]",
                        known.join(",")
                    ),
                    Some(key),
                ));
            };
            if !out.contains(k) {
                out.push(*k);
            }
        }
        Ok(out)
    }

    fn window(&self) -> Result<Window, HttpResponse> {
        let t = |key: &str, default: Millis| -> Result<Millis, HttpResponse> {
            match self.query(key) {
                None => Ok(default),
                Some(s) => chrono::DateTime::parse_from_rfc3339(s)
                    .map(|d| d.timestamp_millis())
                    .map_err(|_| {
                        self.invalid(
                            &format!("The `{key}` query parameter value [{s}] is not a valid RFC 3339 time (YYYY-MM-DDTHH:mm:ssZ)"),
                            Some(key),
                        )
                    }),
            }
        };
        let id = |key: &str, default: u64| -> Result<u64, HttpResponse> {
            match self.query(key) {
                None => Ok(default),
                Some(s) if is_id(s) => s.parse().map_err(|_| self.invalid("bad id", Some(key))),
                Some(s) => Err(self.invalid(
                    &format!(
                        "The `{key}` query parameter value [{s}] does not match ^[0-9]{{1,19}}$"
                    ),
                    Some(key),
                )),
            }
        };
        Ok(Window {
            start: t("start_time", Millis::MIN)?,
            end: t("end_time", Millis::MAX)?,
            since: id("since_id", 0)?,
            until: id("until_id", u64::MAX)?,
        })
    }

    fn body_object(&self) -> Result<Map<String, Value>, HttpResponse> {
        let body = self.request.map(|r| r.body.as_slice()).unwrap_or_default();
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(self.invalid("The request body must be a JSON object", None)),
            Err(e) => Err(self.invalid(&format!("The request body is not valid JSON: {e}"), None)),
        }
    }

    fn respond(&self, status: u16, body: Value, content_type: &str) -> HttpResponse {
        let mut r = HttpResponse::json(status, &body);
        r.headers = vec![("content-type".into(), content_type.into())];
        set_limits(&mut r, self.at, self.limit, self.limit, WINDOW_S);
        r
    }

    fn ok(&self, body: Value) -> HttpResponse {
        self.respond(200, body, "application/json")
    }

    /// A problem (`application/problem+json`).
    fn problem(
        &self,
        status: u16,
        kind: &str,
        title: &str,
        detail: &str,
        extra: Value,
    ) -> HttpResponse {
        let mut body = json!({"title": title, "type": kind, "status": status, "detail": detail});
        if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
            b.extend(e);
        }
        self.respond(status, body, "application/problem+json")
    }

    /// X's 400: an invalid request, with the parameter at fault.
    fn invalid(&self, message: &str, parameter: Option<&str>) -> HttpResponse {
        let mut error = json!({"message": message});
        if let Some(p) = parameter {
            let value = self.query(p).unwrap_or_default();
            error["parameters"] = json!({ p: [value] });
        }
        self.problem(
            400,
            &format!("{PROBLEMS}invalid-request"),
            "Invalid Request",
            "One or more parameters to your request was invalid.",
            json!({"errors": [error]}),
        )
    }

    fn not_found(&self, resource: &str, parameter: &str, id: &str) -> HttpResponse {
        let mut e = not_found_error(resource, parameter, id);
        e["status"] = json!(404);
        self.respond(404, e, "application/problem+json")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_queries_parse() {
        for o in [0, 1, 10, 999] {
            assert_eq!(decode_token(&encode_token(o)), Some(o));
        }
        assert_eq!(decode_token("nonsense"), None);
        let q = parse_query("from:maya -is:reply \"so good\" conversation_id:123").unwrap();
        assert_eq!(q.len(), 4);
        assert!(parse_query("").is_err());
        assert!(parse_query("-is:reply").is_err());
        assert!(parse_query("a OR b").is_err());
        assert!(parse_query("place:paris").unwrap_err().contains("'place'"));
        assert_eq!(conversation_id("20", "3"), "3-20");
    }
}
