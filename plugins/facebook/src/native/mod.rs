//! The Graph API for Pages, as far as this simulator serves it, in Meta's
//! wire format (the kit's [`diorama_sdk::kit::graph`], shared with
//! Instagram): the Page node, its `feed`, `posts` and `published_posts`
//! (cursor paging), post fields with nested `comments` and `reactions`
//! summaries (`reactions.type(LOVE).limit(0).summary(total_count).as(love)`
//! as python-facebook-api asks for them), `/{post-id}/comments`,
//! `/{comment-id}/comments` (read and reply), `/{object-id}/reactions`
//! with `summary=true`, publishing to `/feed` and `/photos`, hiding
//! (`is_hidden`) and deleting comments, `/insights`, and Messenger
//! (`/{page-id}/conversations`, `/me/messages`).
//!
//! Paths are below the API root, with or without a version
//! (`/v21.0/{page-id}/feed`). The profile token is the Page access token,
//! so `me` is the Page. Writes are the Page's actions, run by the host as
//! `/v1` runs them. Comments and messages are read from a bounded memory
//! of the recent ones ([`memory`]: the last 500 comments and replies, the
//! last 300 messages); counts are the Page's own. Who reacted is not
//! remembered (only how many of each type): `/reactions` lists no people
//! and answers its summary.
//!
//! A request the host marks as carrying no access token or a wrong one
//! (`x-diorama-credentials`, [`diorama_sdk::kit::graph::refusal`]) is
//! Graph's `OAuthException` 400: code 2500 without a token, 190 with a bad
//! one.
//!
//! Limits: publishing past 25 posts in 24 hours is code 32 (the Page's
//! business-use-case budget, `x-business-use-case-usage` type `pages` at
//! 100 % with the minutes to wait), a Messenger reply past the daily cap
//! is code 613, a reply past the Page's comment cap code 17, a
//! restricted Page's publishing code 368 and a message outside the
//! 24-hour window code 10 (subcode 2018278). Every answer's
//! `x-business-use-case-usage` reports the share of the day's publishing
//! budget spent.

pub mod memory;

use diorama_sdk::kit::graph::{
    cursor, refusal, time, uncursor, with_usage, Field, Fields, GraphError, Params, Usage,
};
use diorama_sdk::{
    Action, ActionError, Event, HttpRequest, HttpResponse, Millis, NativeAct, NativeOutcome,
    Payload, DAY, MINUTE,
};
use serde_json::{json, Map, Value};

use crate::post::{Kind, Post, REACTIONS};
use crate::{Facebook, POST_LIMIT};
use memory::Said;

pub use memory::Memory;

/// The API a 501 names.
pub const API: &str = "Graph API for Pages";
/// The longest post message the Graph API takes (characters).
pub const MAX_MESSAGE_CHARS: usize = 63_206;
/// The longest comment and Messenger text (characters).
const MAX_COMMENT: usize = 8_000;
const MAX_TEXT: usize = 2_000;
const PAGE: usize = 25;
const MAX_PAGE: usize = 100;

const PUBLISH: &str = "publish";
const PHOTO: &str = "photo";
const REPLY: &str = "reply";
const HIDE: &str = "hide";
const DELETE: &str = "delete";
const MESSAGE: &str = "message";

type Result<T> = std::result::Result<T, GraphError>;

struct Ctx<'a> {
    fb: &'a Facebook,
    at: Millis,
    request: &'a HttpRequest,
    params: Params,
    parts: Vec<&'a str>,
}

enum Answer {
    Json(Value),
    Act(&'static str, Value, String),
}

enum Node<'a> {
    Page,
    Post(&'a Post),
    Comment(&'a Said),
    /// The person the Page talks with: id and name.
    Conversation(String, String),
    Message(&'a Said),
}

/// The Page's usage headers: the share of the day's publishing budget
/// spent, and the minutes until a post is allowed again when it is all
/// spent.
fn usage(fb: &Facebook, at: Millis) -> Usage {
    let used = fb.published_in_day(at);
    let regain = if used >= POST_LIMIT {
        fb.posts()
            .iter()
            .rev()
            .nth(POST_LIMIT as usize - 1)
            .map(|p| ((p.published + DAY - at).max(0) as u64).div_ceil(MINUTE as u64) as u32)
            .unwrap_or(0)
    } else {
        0
    };
    Usage {
        account: fb.page().id.clone(),
        use_case: "pages",
        percent: (used * 100 / POST_LIMIT).min(100) as u8,
        regain_minutes: regain,
    }
}

/// The Graph API's answer to a request the Page's health refuses (error
/// 368 while action-blocked, 190 while suspended).
pub fn health_refusal(
    fb: &Facebook,
    at: Millis,
    state: diorama_sdk::kit::health::State,
    message: &str,
    request: &HttpRequest,
) -> HttpResponse {
    diorama_sdk::kit::graph::health_refusal(state, message, request, &usage(fb, at))
}

pub fn handle(fb: &Facebook, at: Millis, request: &HttpRequest) -> NativeOutcome {
    let usage = usage(fb, at);
    if let Some(refused) = refusal(request, &usage) {
        return NativeOutcome::Respond(refused);
    }
    if let Some(error) = diorama_sdk::kit::graph::injected(request, &usage) {
        return NativeOutcome::Respond(error);
    }
    let params = match Params::parse(request, API) {
        Ok(p) => p,
        Err(e) => return NativeOutcome::Respond(e.respond(request, &usage)),
    };
    let mut parts: Vec<&str> = request.path.split('/').filter(|s| !s.is_empty()).collect();
    if parts.first().is_some_and(|v| is_version(v)) {
        parts.remove(0);
    }
    let ctx = Ctx {
        fb,
        at,
        request,
        params,
        parts,
    };
    match route(&ctx) {
        Ok(Answer::Json(v)) => {
            NativeOutcome::Respond(with_usage(HttpResponse::json(200, &v), &usage))
        }
        Ok(Answer::Act(kind, params, context)) => NativeOutcome::Act(NativeAct {
            action: Action {
                kind: kind.into(),
                params: params.to_string(),
            },
            context,
        }),
        Err(e) => NativeOutcome::Respond(e.respond(request, &usage)),
    }
}

fn is_version(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let Some((major, minor)) = rest.split_once('.') else {
        return false;
    };
    (1..=3).contains(&major.len())
        && (1..=2).contains(&minor.len())
        && major
            .bytes()
            .chain(minor.bytes())
            .all(|b| b.is_ascii_digit())
}

fn route(ctx: &Ctx<'_>) -> Result<Answer> {
    let method = ctx.request.method.as_str();
    let parts = &ctx.parts;
    if !matches!(method, "GET" | "POST" | "DELETE") {
        return Err(GraphError::param(format!(
            "Unsupported method {method}: Graph answers GET, POST and DELETE"
        )));
    }
    let Some(&id) = parts.first() else {
        return Err(GraphError::unknown_path("/"));
    };
    let Some(node) = resolve(ctx, id) else {
        return Err(GraphError::no_object(method, id));
    };
    match (parts.len(), method) {
        (1, "GET") => {
            let fields = ctx.params.fields()?;
            render(ctx, &node, fields.as_ref()).map(Answer::Json)
        }
        (1, "POST") => match node {
            Node::Comment(c) => hide(ctx, c),
            _ => Err(GraphError::unsimulated(
                API,
                &format!("Updating a {} node", node_type(&node)),
            )),
        },
        (1, _) => match node {
            Node::Comment(c) => Ok(Answer::Act(
                "delete_comment",
                json!({ "comment_id": c.id }),
                DELETE.into(),
            )),
            Node::Post(_) => Err(GraphError::unsimulated(API, "Deleting a Page post")),
            _ => Err(GraphError::no_object(method, id)),
        },
        (2, _) => edge(ctx, &node, parts[1]),
        _ => Err(GraphError::unknown_path(&format!(
            "/{}",
            parts[2..].join("/")
        ))),
    }
}

fn resolve<'a>(ctx: &Ctx<'a>, id: &str) -> Option<Node<'a>> {
    let fb = ctx.fb;
    let native = fb.native_memory();
    if id == "me" || id == fb.page().id {
        return Some(Node::Page);
    }
    if let Some(partner) = id.strip_prefix("t_") {
        let name = native
            .dms
            .iter()
            .rev()
            .find_map(|d| d.with.as_ref().filter(|w| w.0 == partner))?
            .1
            .clone();
        return Some(Node::Conversation(partner.to_string(), name));
    }
    if id.starts_with("m_") {
        return native.dm(id).map(Node::Message);
    }
    if let Some(c) = native.comment(id) {
        return Some(Node::Comment(c));
    }
    // A post by its full id, or by its number alone (a photo's or video's
    // own id).
    fb.posts()
        .iter()
        .rev()
        .find(|p| p.id == id || p.id.rsplit('_').next() == Some(id))
        .map(Node::Post)
}

fn node_type(node: &Node<'_>) -> &'static str {
    match node {
        Node::Page => "Page",
        Node::Post(_) => "PagePost",
        Node::Comment(_) => "Comment",
        Node::Conversation(..) => "UnifiedThread",
        Node::Message(_) => "Message",
    }
}

fn default_fields(node: &Node<'_>) -> Fields {
    match node {
        Node::Page => Fields::of(&["name", "id"]),
        Node::Post(_) => Fields::of(&["created_time", "message", "id"]),
        Node::Comment(_) => Fields::of(&["created_time", "from", "message", "id"]),
        Node::Conversation(..) => Fields::of(&["id", "updated_time"]),
        Node::Message(_) => Fields::of(&["id", "created_time"]),
    }
}

/// A node with the selected fields (each under its `.as(alias)` when
/// given); Graph adds `id` when it was not asked.
fn render(ctx: &Ctx<'_>, node: &Node<'_>, fields: Option<&Fields>) -> Result<Value> {
    let defaults;
    let fields = match fields {
        Some(f) => f,
        None => {
            defaults = default_fields(node);
            &defaults
        }
    };
    let mut out = Map::new();
    for f in &fields.0 {
        if let Some(v) = field(ctx, node, f)? {
            let key = f.modifier("as").unwrap_or(&f.name);
            out.insert(key.to_string(), v);
        }
    }
    if !out.contains_key("id") {
        if let Some(id) = field(ctx, node, &Fields::of(&["id"]).0[0])? {
            out.insert("id".into(), id);
        }
    }
    Ok(Value::Object(out))
}

fn field(ctx: &Ctx<'_>, node: &Node<'_>, f: &Field) -> Result<Option<Value>> {
    match node {
        Node::Page => page_field(ctx, f),
        Node::Post(p) => post_field(ctx, p, f),
        Node::Comment(c) => comment_field(ctx, c, f),
        Node::Conversation(partner, name) => conversation_field(ctx, partner, name, f),
        Node::Message(d) => message_field(ctx, d, f),
    }
}

fn page_ref(fb: &Facebook) -> Value {
    json!({ "name": fb.page().display_name, "id": fb.page().id })
}

fn page_field(ctx: &Ctx<'_>, f: &Field) -> Result<Option<Value>> {
    let fb = ctx.fb;
    let page = fb.page();
    let username = page.handle.trim_start_matches('@');
    let followers = fb.followers();
    Ok(match f.name.as_str() {
        "id" => Some(json!(page.id)),
        "name" => Some(json!(page.display_name)),
        "username" => Some(json!(username)),
        "about" | "description" => Some(json!(format!("{} · digital creator", page.display_name))),
        "category" => Some(json!("Digital creator")),
        "category_list" => Some(json!([{ "id": "2700", "name": "Digital creator" }])),
        "fan_count" | "followers_count" => Some(json!(followers)),
        "link" => Some(json!(format!("https://www.facebook.com/{username}"))),
        "picture" => Some(json!({ "data": { "is_silhouette": false, "url": page.avatar_url } })),
        "verification_status" => Some(json!(if page.verified {
            "blue_verified"
        } else {
            "not_verified"
        })),
        "is_published" => Some(json!(true)),
        "engagement" => Some(json!({
            "count": followers,
            "social_sentence": format!("{followers} people like this."),
        })),
        "emails"
        | "phone"
        | "website"
        | "cover"
        | "description_html"
        | "display_subtext"
        | "global_brand_page_name"
        | "global_brand_root_id" => None,
        "feed" | "posts" | "published_posts" => Some(list_value(ctx, &feed(fb), f)?),
        other => return Err(GraphError::no_field(other, "Page")),
    })
}

fn post_field(ctx: &Ctx<'_>, p: &Post, f: &Field) -> Result<Option<Value>> {
    let fb = ctx.fb;
    let number = p.id.rsplit('_').next().unwrap_or(&p.id);
    let r = &p.reported;
    Ok(match f.name.as_str() {
        "id" => Some(json!(p.id)),
        "message" => fb.native_memory().caption(&p.id).map(|m| json!(m)),
        "created_time" | "updated_time" => Some(json!(time(p.published))),
        "from" => Some(page_ref(fb)),
        "permalink_url" => Some(json!(match p.kind {
            Kind::Reel => format!("https://www.facebook.com/reel/{number}/"),
            Kind::Video => format!("https://www.facebook.com/watch/?v={number}"),
            _ => format!("https://www.facebook.com/{}", p.id.replace('_', "/posts/")),
        })),
        "status_type" => Some(json!(p.kind.status_type())),
        "full_picture" | "picture" => (p.kind != Kind::Post).then(|| {
            json!(format!(
                "https://scontent.xx.fbcdn.example/v/t39.30808-6/{number}_n.jpg"
            ))
        }),
        "shares" => (r[3] > 0).then(|| json!({ "count": r[3] })),
        "is_hidden" => Some(json!(false)),
        "is_published" => Some(json!(true)),
        "attachments" | "icon" | "message_tags" | "story" | "place" => None,
        "comments" => {
            let (list, order) =
                comment_edge(fb, &p.id, None, f.modifier("filter"), f.modifier("order"))?;
            Some(edge_with_summary(
                ctx,
                &list,
                f,
                Some(comments_summary(r[2], order)),
            )?)
        }
        "reactions" | "likes" => {
            let kind = if f.name == "likes" {
                Some("LIKE")
            } else {
                f.modifier("type")
            };
            Some(reactions_value(p, kind, f.modifier("summary").is_some())?)
        }
        "insights" => {
            return Err(GraphError::unsimulated(
                API,
                "The insights field (use /{post-id}/insights)",
            ))
        }
        other => return Err(GraphError::no_field(other, "PagePost")),
    })
}

fn comments_summary(total: i64, order: &str) -> Value {
    json!({ "order": order, "total_count": total, "can_comment": true })
}

/// The reactions of a post: no people (who reacted is not kept), and the
/// summary of one type or all of them.
fn reactions_value(p: &Post, kind: Option<&str>, summary: bool) -> Result<Value> {
    let total = match kind {
        None => p.reported[1],
        Some(k) => {
            let i = REACTIONS
                .iter()
                .position(|r| r.eq_ignore_ascii_case(k))
                .ok_or_else(|| {
                    GraphError::param(format!(
                        "type must be one of NONE, LIKE, LOVE, WOW, HAHA, SAD, ANGRY, THANKFUL, PRIDE, CARE (got {k})"
                    ))
                })?;
            p.reported[4 + i]
        }
    };
    let mut out = json!({ "data": [] });
    if summary {
        out["summary"] = json!({ "total_count": total, "viewer_reaction": "NONE" });
    }
    Ok(out)
}

fn comment_field(ctx: &Ctx<'_>, c: &Said, f: &Field) -> Result<Option<Value>> {
    let fb = ctx.fb;
    let replies = || comments_of(fb, c.media.as_deref().unwrap_or(""), Some(&c.id));
    Ok(match f.name.as_str() {
        "id" => Some(json!(c.id)),
        "message" => Some(json!(c.text)),
        "created_time" => Some(json!(time(c.at))),
        "from" => Some(if c.author_id == fb.page().id {
            page_ref(fb)
        } else {
            json!({ "name": display(c), "id": c.author_id })
        }),
        // diorama does not simulate likes on comments.
        "like_count" => Some(json!(0)),
        "comment_count" => Some(json!(replies().len())),
        "is_hidden" => Some(json!(c.hidden)),
        "can_hide" | "can_remove" | "can_reply_privately" => Some(json!(true)),
        "parent" => c.parent.as_ref().map(|p| json!({ "id": p })),
        "permalink_url" => c.media.as_ref().map(|m| {
            json!(format!(
                "https://www.facebook.com/{}?comment_id={}",
                m.replace('_', "/posts/"),
                c.id
            ))
        }),
        "object" => c.media.as_ref().map(|m| json!({ "id": m })),
        "attachment" | "message_tags" => None,
        "comments" => {
            let post = c.media.as_deref().unwrap_or("");
            let (list, order) = comment_edge(
                fb,
                post,
                Some(&c.id),
                f.modifier("filter"),
                f.modifier("order"),
            )?;
            let total = list.len() as i64;
            Some(edge_with_summary(
                ctx,
                &list,
                f,
                Some(comments_summary(total, order)),
            )?)
        }
        "reactions" | "likes" => Some(json!({ "data": [] })),
        other => return Err(GraphError::no_field(other, "Comment")),
    })
}

/// A person's name as Facebook shows it.
fn display(s: &Said) -> String {
    s.handle.clone()
}

fn conversation_field(
    ctx: &Ctx<'_>,
    partner: &str,
    name: &str,
    f: &Field,
) -> Result<Option<Value>> {
    let fb = ctx.fb;
    let messages = thread(fb, partner);
    Ok(match f.name.as_str() {
        "id" => Some(json!(format!("t_{partner}"))),
        "updated_time" => messages.last().map(|d| json!(time(d.at))),
        "message_count" => Some(json!(messages.len())),
        "unread_count" => Some(json!(0)),
        "snippet" => messages.last().map(|d| json!(d.text)),
        "link" => Some(json!(format!("/{}/inbox/t_{partner}", fb.page().id))),
        "participants" => Some(json!({ "data": [
            { "name": name, "id": partner },
            page_ref(fb),
        ]})),
        "messages" => {
            let list: Keyed<'_, Said> = messages.into_iter().rev().map(|d| (d.seq, d)).collect();
            Some(list_value(ctx, &list, f)?)
        }
        other => return Err(GraphError::no_field(other, "UnifiedThread")),
    })
}

fn message_field(ctx: &Ctx<'_>, d: &Said, f: &Field) -> Result<Option<Value>> {
    let fb = ctx.fb;
    let (with_id, with_name) = d
        .with
        .clone()
        .unwrap_or_else(|| (d.author_id.clone(), d.handle.clone()));
    let them = json!({ "name": with_name, "id": with_id });
    let mine = d.author_id == fb.page().id;
    Ok(match f.name.as_str() {
        "id" => Some(json!(d.id)),
        "created_time" => Some(json!(time(d.at))),
        "message" => Some(json!(d.text)),
        "from" => Some(if mine { page_ref(fb) } else { them.clone() }),
        "to" => Some(json!({ "data": [if mine { them } else { page_ref(fb) }] })),
        "tags" | "attachments" | "shares" | "sticker" => None,
        other => return Err(GraphError::no_field(other, "Message")),
    })
}

type Keyed<'a, T> = Vec<(u64, &'a T)>;

fn feed(fb: &Facebook) -> Keyed<'_, Post> {
    fb.posts()
        .iter()
        .enumerate()
        .rev()
        .map(|(i, p)| (i as u64, p))
        .collect()
}

/// The top-level comments of a post (`parent` None) or the replies to
/// one comment, newest first.
fn comments_of<'a>(fb: &'a Facebook, post: &str, parent: Option<&str>) -> Keyed<'a, Said> {
    fb.native_memory()
        .comments
        .iter()
        .rev()
        .filter(|c| c.media.as_deref() == Some(post) && c.parent.as_deref() == parent)
        .map(|c| (c.seq, c))
        .collect()
}

/// A comments edge as asked: `filter` (`toplevel`, the default, or
/// `stream`: every comment and reply on the post) and `order`
/// (`chronological`, the default, or `reverse_chronological`).
fn comment_edge<'a>(
    fb: &'a Facebook,
    post: &str,
    parent: Option<&str>,
    filter: Option<&str>,
    order: Option<&str>,
) -> Result<(Keyed<'a, Said>, &'static str)> {
    let mut list = match filter {
        None | Some("toplevel") => comments_of(fb, post, parent),
        Some("stream") if parent.is_none() => fb
            .native_memory()
            .comments
            .iter()
            .rev()
            .filter(|c| c.media.as_deref() == Some(post))
            .map(|c| (c.seq, c))
            .collect(),
        Some("stream") => comments_of(fb, post, parent),
        Some(other) => {
            return Err(GraphError::param(format!(
                "filter must be toplevel or stream (got \"{other}\")"
            )))
        }
    };
    let order = match order {
        None | Some("chronological") => {
            list.reverse();
            "chronological"
        }
        Some("reverse_chronological") => "reverse_chronological",
        Some("ranked") => return Err(GraphError::unsimulated(API, "Comments in ranked order")),
        Some(other) => {
            return Err(GraphError::param(format!(
                "order must be chronological, reverse_chronological or ranked (got \"{other}\")"
            )))
        }
    };
    Ok((list, order))
}

fn thread<'a>(fb: &'a Facebook, partner: &str) -> Vec<&'a Said> {
    fb.native_memory()
        .dms
        .iter()
        .filter(|d| d.with.as_ref().is_some_and(|w| w.0 == partner))
        .collect()
}

trait NodeOf<'a> {
    fn node(&'a self) -> Node<'a>;
}

impl<'a> NodeOf<'a> for Post {
    fn node(&'a self) -> Node<'a> {
        Node::Post(self)
    }
}

impl<'a> NodeOf<'a> for Said {
    fn node(&'a self) -> Node<'a> {
        if self.media.is_some() {
            Node::Comment(self)
        } else {
            Node::Message(self)
        }
    }
}

struct Conversation(String, String);

impl<'a> NodeOf<'a> for Conversation {
    fn node(&'a self) -> Node<'a> {
        Node::Conversation(self.0.clone(), self.1.clone())
    }
}

/// `limit(n)` of a nested edge: 0 to 100 (0 reads only a summary).
fn nested_limit(f: &Field) -> Result<usize> {
    match f.modifier("limit") {
        None => Ok(PAGE),
        Some(v) => v
            .parse::<usize>()
            .map(|n| n.min(MAX_PAGE))
            .map_err(|_| GraphError::param(format!("limit({v}) must be a whole number"))),
    }
}

fn list_value<'b, T: NodeOf<'b>>(ctx: &Ctx<'_>, list: &[(u64, &'b T)], f: &Field) -> Result<Value> {
    edge_with_summary(ctx, list, f, None)
}

/// A nested edge (`comments.limit(0).summary(true)`): its page, and its
/// summary when asked for.
fn edge_with_summary<'b, T: NodeOf<'b>>(
    ctx: &Ctx<'_>,
    list: &[(u64, &'b T)],
    f: &Field,
    summary: Option<Value>,
) -> Result<Value> {
    let limit = nested_limit(f)?;
    let after = f
        .modifier("after")
        .map(|c| uncursor("after", c))
        .transpose()?;
    let before = f
        .modifier("before")
        .map(|c| uncursor("before", c))
        .transpose()?;
    let mut v = page(ctx, list, limit, after, before, f.sub.as_ref(), None)?;
    if let (Some(s), Some(_)) = (summary, f.modifier("summary")) {
        v["summary"] = s;
    }
    Ok(v)
}

fn page<'b, T: NodeOf<'b>>(
    ctx: &Ctx<'_>,
    list: &[(u64, &'b T)],
    limit: usize,
    after: Option<u64>,
    before: Option<u64>,
    fields: Option<&Fields>,
    url: Option<&str>,
) -> Result<Value> {
    // Lists run newest first (keys decreasing) or, for comments in
    // chronological order, oldest first (keys increasing).
    let desc = list.len() < 2 || list[0].0 > list[list.len() - 1].0;
    let (start, end) = match (after, before) {
        (Some(a), _) => {
            let start = list
                .iter()
                .position(|(k, _)| if desc { *k < a } else { *k > a })
                .unwrap_or(list.len());
            (start, (start + limit).min(list.len()))
        }
        (None, Some(b)) => {
            let end = list
                .iter()
                .position(|(k, _)| if desc { *k <= b } else { *k >= b })
                .unwrap_or(list.len());
            (end.saturating_sub(limit), end)
        }
        (None, None) => (0, limit.min(list.len())),
    };
    let slice = &list[start..end];
    let mut data = Vec::with_capacity(slice.len());
    for (_, item) in slice {
        data.push(render(ctx, &item.node(), fields)?);
    }
    let mut out = json!({ "data": data });
    if let (Some(first), Some(last)) = (slice.first(), slice.last()) {
        let (b, a) = (cursor(first.0), cursor(last.0));
        let mut paging = json!({ "cursors": { "before": b, "after": a } });
        if let Some(url) = url {
            if end < list.len() {
                paging["next"] = json!(link(ctx, url, limit, "after", &a));
            }
            if start > 0 {
                paging["previous"] = json!(link(ctx, url, limit, "before", &b));
            }
        }
        out["paging"] = paging;
    }
    Ok(out)
}

fn link(ctx: &Ctx<'_>, path_url: &str, limit: usize, key: &str, cursor: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    if let Some(token) = form_urlencoded::parse(ctx.request.query.as_bytes())
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.into_owned())
    {
        q.append_pair("access_token", &token);
    }
    for (k, v) in ctx.params.carried() {
        if k != "limit" {
            q.append_pair(k, v);
        }
    }
    q.append_pair("limit", &limit.to_string());
    q.append_pair(key, cursor);
    format!("{path_url}?{}", q.finish())
}

fn self_url(ctx: &Ctx<'_>) -> String {
    let host = ctx
        .request
        .headers
        .iter()
        .find(|(k, _)| k == "host")
        .map(|(_, v)| v.as_str())
        .unwrap_or("localhost");
    format!("http://{host}/native/facebook{}", ctx.request.path)
}

fn path_page<'b, T: NodeOf<'b>>(ctx: &Ctx<'_>, list: &[(u64, &'b T)]) -> Result<Value> {
    let p = &ctx.params;
    let limit = p.limit(PAGE, MAX_PAGE)?;
    let after = p.get("after").map(|c| uncursor("after", c)).transpose()?;
    let before = p.get("before").map(|c| uncursor("before", c)).transpose()?;
    let fields = p.fields()?;
    let url = self_url(ctx);
    page(ctx, list, limit, after, before, fields.as_ref(), Some(&url))
}

fn summary_asked(ctx: &Ctx<'_>) -> Result<bool> {
    match ctx.params.get("summary") {
        None => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("false") || v == "0" => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("true") || v == "1" || v == "total_count" => Ok(true),
        Some(other) => Err(GraphError::param(format!(
            "Param summary must be a boolean (got \"{other}\")"
        ))),
    }
}

fn edge(ctx: &Ctx<'_>, node: &Node<'_>, name: &str) -> Result<Answer> {
    let fb = ctx.fb;
    let method = ctx.request.method.as_str();
    let get = method == "GET";
    let post = method == "POST";
    let v = match (node, name) {
        (Node::Page, "feed" | "posts" | "published_posts") if get => path_page(ctx, &feed(fb))?,
        (Node::Page, "feed") if post => return publish(ctx, Kind::Post),
        (Node::Page, "photos") if post => return publish(ctx, Kind::Photo),
        (Node::Page, "insights") if get => page_insights(ctx)?,
        (Node::Page, "conversations") if get => conversations(ctx)?,
        (Node::Page, "messages") if post => return send_message(ctx),
        (Node::Post(p), "comments") if get => {
            let q = &ctx.params;
            let (list, order) = comment_edge(fb, &p.id, None, q.get("filter"), q.get("order"))?;
            let mut v = path_page(ctx, &list)?;
            if summary_asked(ctx)? {
                v["summary"] = comments_summary(p.reported[2], order);
            }
            v
        }
        (Node::Post(p), "reactions") if get => {
            reactions_value(p, ctx.params.get("type"), summary_asked(ctx)?)?
        }
        (Node::Post(p), "likes") if get => reactions_value(p, Some("LIKE"), summary_asked(ctx)?)?,
        (Node::Post(p), "insights") if get => post_insights(ctx, p)?,
        (Node::Comment(c), "comments" | "replies") if get => {
            let q = &ctx.params;
            let post = c.media.as_deref().unwrap_or("");
            let (list, order) =
                comment_edge(fb, post, Some(&c.id), q.get("filter"), q.get("order"))?;
            let mut v = path_page(ctx, &list)?;
            if summary_asked(ctx)? {
                v["summary"] = comments_summary(list.len() as i64, order);
            }
            v
        }
        (Node::Comment(c), "comments") if post => return reply(ctx, c),
        (Node::Comment(_), "reactions" | "likes") if get => json!({ "data": [] }),
        (Node::Conversation(partner, _), "messages") if get => {
            let list: Vec<(u64, &Said)> = thread(fb, partner)
                .into_iter()
                .rev()
                .map(|d| (d.seq, d))
                .collect();
            path_page(ctx, &list)?
        }
        (Node::Post(_), "comments") if post => {
            return Err(GraphError::unsimulated(
                API,
                "A top-level comment by the Page (POST /{post-id}/comments)",
            ))
        }
        (Node::Page, "videos" | "video_reels" | "albums" | "events" | "tagged" | "ratings")
        | (Node::Post(_), "attachments" | "sharedposts") => {
            return Err(GraphError::unsimulated(
                API,
                &format!("{method} /{{id}}/{name} on {}", node_type(node)),
            ))
        }
        (_, "feed" | "photos" | "messages" | "comments" | "reactions" | "insights") => {
            return Err(GraphError::param(format!(
                "Unsupported method {method} on the {name} edge of {}",
                node_type(node)
            )))
        }
        _ => return Err(GraphError::no_field(name, node_type(node))),
    };
    Ok(Answer::Json(v))
}

fn checked_text(name: &str, text: &str, max: usize) -> Result<()> {
    let n = text.chars().count();
    if n > max {
        return Err(GraphError::param(format!(
            "Param {name} must be at most {max} characters long (got {n})"
        )));
    }
    Ok(())
}

fn restricted(ctx: &Ctx<'_>) -> Result<()> {
    if ctx.fb.restricted_at(ctx.at).is_some() {
        return Err(GraphError::new(
            400,
            368,
            "OAuthException",
            "(#368) The action attempted has been deemed abusive or is otherwise disallowed",
        )
        .with_subcode(1390008));
    }
    Ok(())
}

/// `POST /{page-id}/feed` {message, link?} and `/photos` {url, caption?
/// or message?}.
fn publish(ctx: &Ctx<'_>, kind: Kind) -> Result<Answer> {
    let p = &ctx.params;
    restricted(ctx)?;
    let message = match kind {
        Kind::Photo => {
            let url = p.require("url").map_err(|_| {
                GraphError::new(
                    400,
                    324,
                    "OAuthException",
                    "(#324) Requires upload file: pass `url`, the photo's address (file uploads are not simulated)",
                )
            })?;
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(GraphError::param(format!(
                    "Param url must be an http(s) URL (got \"{url}\")"
                )));
            }
            p.get("caption").or(p.get("message"))
        }
        _ => {
            let m = p.get("message").filter(|m| !m.is_empty());
            if m.is_none() && p.get("link").is_none() {
                return Err(GraphError::param("Param message or link is required"));
            }
            m
        }
    };
    if let Some(m) = message {
        checked_text("message", m, MAX_MESSAGE_CHARS)?;
    }
    if p.get("published") == Some("false") {
        return Err(GraphError::unsimulated(
            API,
            "Unpublished and scheduled posts",
        ));
    }
    let mut params = json!({ "kind": kind.as_str() });
    if let Some(m) = message {
        params["message"] = json!(m);
    }
    let context = if kind == Kind::Photo { PHOTO } else { PUBLISH };
    Ok(Answer::Act("publish", params, context.into()))
}

fn hide(ctx: &Ctx<'_>, c: &Said) -> Result<Answer> {
    let hide = match ctx.params.require("is_hidden")? {
        "true" | "1" => true,
        "false" | "0" => false,
        other => {
            return Err(GraphError::param(format!(
                "Param is_hidden must be a boolean (got \"{other}\")"
            )))
        }
    };
    Ok(Answer::Act(
        "hide_comment",
        json!({ "comment_id": c.id, "hide": hide }),
        HIDE.into(),
    ))
}

/// `POST /{comment-id}/comments` {message}: the Page replies. Facebook
/// threads one level deep: a reply to a reply joins its parent's thread.
fn reply(ctx: &Ctx<'_>, c: &Said) -> Result<Answer> {
    let text = ctx.params.require("message")?;
    checked_text("message", text, MAX_COMMENT)?;
    let top = c.parent.clone().unwrap_or_else(|| c.id.clone());
    Ok(Answer::Act(
        "reply",
        json!({ "comment_id": top, "text": text }),
        REPLY.into(),
    ))
}

fn conversations(ctx: &Ctx<'_>) -> Result<Value> {
    let fb = ctx.fb;
    if let Some(platform) = ctx.params.get("platform") {
        if platform != "messenger" {
            return Err(GraphError::param(format!(
                "Param platform must be messenger for a Page's Messenger inbox (got \"{platform}\")"
            )));
        }
    }
    let only = ctx.params.get("user_id");
    let mut seen: Vec<(u64, &str, &str)> = Vec::new();
    for d in fb.native_memory().dms.iter().rev() {
        if let Some((id, name)) = &d.with {
            if only.is_some_and(|o| o != id) || seen.iter().any(|s| s.1 == id) {
                continue;
            }
            seen.push((d.seq, id, name));
        }
    }
    let nodes: Vec<(u64, Conversation)> = seen
        .into_iter()
        .map(|(seq, id, name)| (seq, Conversation(id.to_string(), name.to_string())))
        .collect();
    let list: Vec<(u64, &Conversation)> = nodes.iter().map(|(k, c)| (*k, c)).collect();
    path_page(ctx, &list)
}

/// `POST /me/messages` {recipient: {id}, message: {text}, messaging_type}:
/// an answer to the person's latest message, within the 24-hour window.
fn send_message(ctx: &Ctx<'_>) -> Result<Answer> {
    let p = &ctx.params;
    let recipient: Value = serde_json::from_str(p.require("recipient")?).map_err(|_| {
        GraphError::param("Param recipient must be a JSON object like {\"id\": \"<PSID>\"}")
    })?;
    let Some(to) = recipient["id"].as_str() else {
        return Err(GraphError::param("Param recipient[id] is required"));
    };
    let message: Value = serde_json::from_str(p.require("message")?).map_err(|_| {
        GraphError::param("Param message must be a JSON object like {\"text\": \"...\"}")
    })?;
    if message.get("attachment").is_some() {
        return Err(GraphError::unsimulated(API, "Messages with attachments"));
    }
    let Some(text) = message["text"].as_str().filter(|t| !t.is_empty()) else {
        return Err(GraphError::param("Param message[text] is required"));
    };
    checked_text("message[text]", text, MAX_TEXT)?;
    match p.get("messaging_type") {
        None | Some("RESPONSE" | "UPDATE") => {}
        Some("MESSAGE_TAG") => {
            return Err(GraphError::unsimulated(
                API,
                "Tagged messages outside the window",
            ))
        }
        Some(other) => {
            return Err(GraphError::param(format!(
                "Param messaging_type must be RESPONSE, UPDATE or MESSAGE_TAG (got \"{other}\")"
            )))
        }
    }
    let fb = ctx.fb;
    let last = fb
        .native_memory()
        .dms
        .iter()
        .rev()
        .find(|d| d.author_id == to && d.author_id != fb.page().id);
    let Some(last) = last else {
        return Err(GraphError::param("No matching user found").with_subcode(2018001));
    };
    if ctx.at - last.at > crate::MESSAGING_WINDOW {
        return Err(GraphError::new(
            400,
            10,
            "OAuthException",
            "(#10) This message is sent outside of allowed window.",
        )
        .with_subcode(2018278));
    }
    Ok(Answer::Act(
        "dm_reply",
        json!({ "dm_id": last.id, "text": text }),
        format!("{MESSAGE}:{to}"),
    ))
}

/// The metrics asked for (`metric=a,b`), each known.
fn metrics<'a>(ctx: &'a Ctx<'_>, known: &[&str]) -> Result<Vec<&'a str>> {
    let asked = ctx.params.require("metric")?;
    let list: Vec<&str> = asked.split(',').map(str::trim).collect();
    for m in &list {
        if !known.contains(m) {
            return Err(GraphError::unsimulated(
                API,
                &format!("The insights metric {m}"),
            ));
        }
    }
    Ok(list)
}

fn insight(owner: &str, name: &str, period: &str, value: Value, at: Millis) -> Value {
    json!({
        "name": name,
        "period": period,
        "values": [{ "value": value, "end_time": time(at) }],
        "id": format!("{owner}/insights/{name}/{period}"),
    })
}

/// `GET /{post-id}/insights?metric=...` (lifetime).
fn post_insights(ctx: &Ctx<'_>, p: &Post) -> Result<Value> {
    let r = &p.reported;
    let mut data = Vec::new();
    for m in metrics(
        ctx,
        &[
            "post_impressions",
            "post_impressions_unique",
            "post_impressions_organic",
            "post_reactions_by_type_total",
            "post_engaged_users",
        ],
    )? {
        let value = match m {
            "post_reactions_by_type_total" => {
                let mut by = Map::new();
                for (i, name) in REACTIONS.iter().enumerate() {
                    if r[4 + i] > 0 {
                        by.insert((*name).into(), json!(r[4 + i]));
                    }
                }
                Value::Object(by)
            }
            "post_engaged_users" => json!(r[1] + r[2] + r[3]),
            _ => json!(r[0]),
        };
        data.push(insight(&p.id, m, "lifetime", value, ctx.at));
    }
    Ok(json!({ "data": data }))
}

/// `GET /{page-id}/insights?metric=...`: followers now, and the
/// engagements and impressions of the posts published in the last day
/// (`period=day`) or ever (`lifetime`).
fn page_insights(ctx: &Ctx<'_>) -> Result<Value> {
    let fb = ctx.fb;
    let period = ctx.params.get("period").unwrap_or("day");
    let since = match period {
        "day" => ctx.at - DAY,
        "lifetime" => Millis::MIN,
        other => {
            return Err(GraphError::unsimulated(
                API,
                &format!("Page insights over the period {other}"),
            ))
        }
    };
    let recent = fb.posts().iter().filter(|p| p.published > since);
    let (mut impressions, mut engagements) = (0i64, 0i64);
    for p in recent {
        impressions += p.reported[0];
        engagements += p.reported[1] + p.reported[2] + p.reported[3];
    }
    let mut data = Vec::new();
    for m in metrics(
        ctx,
        &[
            "page_impressions",
            "page_post_engagements",
            "page_fans",
            "page_follows",
        ],
    )? {
        let value = match m {
            "page_impressions" => impressions,
            "page_post_engagements" => engagements,
            _ => fb.followers(),
        };
        data.push(insight(&fb.page().id, m, period, json!(value), ctx.at));
    }
    Ok(json!({ "data": data }))
}

/// Shape the answer to a request that acted.
pub fn finish(
    fb: &Facebook,
    at: Millis,
    context: &str,
    outcome: std::result::Result<&[Event], &ActionError>,
) -> HttpResponse {
    let usage = usage(fb, at);
    let request = HttpRequest {
        method: "POST".into(),
        path: context.into(),
        ..HttpRequest::default()
    };
    let events = match outcome {
        Ok(events) => events,
        Err(e) => return action_error(context, e).respond(&request, &usage),
    };
    let (kind, arg) = context.split_once(':').unwrap_or((context, ""));
    let first = events.first().map(|e| &e.payload);
    let body = match (kind, first) {
        (PUBLISH, Some(Payload::Content(c))) => json!({ "id": c.id }),
        (PHOTO, Some(Payload::Content(c))) => json!({
            "id": c.id.rsplit('_').next().unwrap_or(&c.id),
            "post_id": c.id,
        }),
        (REPLY, Some(Payload::Interaction(i))) => json!({ "id": i.id }),
        (HIDE | DELETE, Some(Payload::Notice(_))) => json!({ "success": true }),
        (MESSAGE, Some(Payload::Interaction(i))) => {
            json!({ "recipient_id": arg, "message_id": i.id })
        }
        _ => {
            return GraphError::new(
                500,
                1,
                "OAuthException",
                "An unknown error occurred: the action produced no answer",
            )
            .respond(&request, &usage)
        }
    };
    with_usage(HttpResponse::json(200, &body), &usage)
}

/// The Page's refusal in Graph's terms.
fn action_error(context: &str, e: &ActionError) -> GraphError {
    let kind = context.split(':').next().unwrap_or(context);
    match e {
        ActionError::NotFound(m) => {
            GraphError::new(400, 100, "GraphMethodException", m.clone()).with_subcode(33)
        }
        ActionError::Invalid(m) => GraphError::param(m),
        ActionError::RateLimited(ms) => {
            let wait = ms.div_euclid(1000).max(1);
            let mut e = match kind {
                PUBLISH | PHOTO => GraphError::page_limit(),
                MESSAGE => GraphError::call_limit("Messenger replies are capped per day."),
                _ => GraphError::user_limit(),
            };
            e.message = format!("{} Retry in {wait} s.", e.message);
            e
        }
    }
}
