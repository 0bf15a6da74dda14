//! The Instagram Graph API (Instagram API with Facebook Login), as far as
//! this simulator serves it, in Meta's wire format: the account's IG User
//! node, its media (with cursor paging), comments and replies, replying,
//! hiding and deleting comments, publishing through media containers,
//! stories, mentions (`/tags`), a few insights and direct messages.
//!
//! Paths are below the API root, with or without a version prefix
//! (`/v21.0/{ig-user-id}/media`, any `vNN.N`): a client pointed at
//! `http://HOST/native/instagram/` as its Graph URL sends them unchanged.
//! Writes are the account's actions (`reply`, `dm_reply`, `hide_comment`,
//! `delete_comment`, `create_container`, `publish_container`), run by the
//! host as `/v1` runs them.
//!
//! Comments, replies, DMs and mentions are read from a bounded memory of
//! the recent ones (see [`memory`]); ids are Graph's: a post's or reel's
//! media id is the number its shortcode encodes, a story's its own id.

pub mod credentials;
mod graph;
pub mod memory;

use diorama_sdk::models::ids::{decode_u64_b64, encode_u64_b64};
use diorama_sdk::{
    Action, ActionError, Event, HttpRequest, HttpResponse, Millis, NativeAct, NativeOutcome,
    Payload, DAY,
};
use serde_json::{json, Map, Value};

use crate::media::{Kind, Media};
use crate::{Instagram, POST_LIMIT};
use graph::{cursor, time, uncursor, with_usage, Field, Fields, GraphError, Params, Usage};
use memory::{Container, Said};

pub use memory::Memory;

/// The contexts of requests that act: what `finish` shapes.
const REPLY: &str = "reply";
const HIDE: &str = "hide";
const DELETE: &str = "delete";
const CONTAINER: &str = "container";
const PUBLISH: &str = "publish";
const MESSAGE: &str = "message";

/// Default and largest page sizes.
const PAGE: usize = 25;
const MAX_PAGE: usize = 100;
/// Instagram's caption and comment length limits (characters).
const MAX_CAPTION: usize = 2_200;
const MAX_MESSAGE: usize = 1_000;
/// The most ids a `?ids=` batch reads.
const MAX_IDS: usize = 50;
/// How far back user insights look at most.
const MAX_INSIGHTS_SPAN: Millis = 30 * DAY;

type Result<T> = std::result::Result<T, GraphError>;

/// One request being answered.
struct Ctx<'a> {
    ig: &'a Instagram,
    at: Millis,
    request: &'a HttpRequest,
    params: Params,
    /// The path after the version.
    parts: Vec<&'a str>,
}

/// Answer a request against the account's state.
/// The Graph API's answer to a request the account's health refuses
/// (error 368 while action-blocked, 190 while suspended).
pub fn health_refusal(
    ig: &Instagram,
    state: diorama_sdk::kit::health::State,
    message: &str,
    request: &HttpRequest,
) -> HttpResponse {
    let usage = graph::usage(&ig.creator.id);
    diorama_sdk::kit::graph::health_refusal(state, message, request, &usage)
}

pub fn handle(ig: &Instagram, at: Millis, request: &HttpRequest) -> NativeOutcome {
    let usage = graph::usage(&ig.creator.id);
    if let Some(refusal) = credentials::refusal(request, &usage) {
        return NativeOutcome::Respond(refusal);
    }
    if let Some(error) = diorama_sdk::kit::graph::injected(request, &usage) {
        return NativeOutcome::Respond(error);
    }
    let params = match Params::parse(request, graph::API) {
        Ok(p) => p,
        Err(e) => return NativeOutcome::Respond(e.respond(request, &usage)),
    };
    let mut parts: Vec<&str> = request.path.split('/').filter(|s| !s.is_empty()).collect();
    if parts.first().is_some_and(|v| is_version(v)) {
        parts.remove(0);
    }
    let ctx = Ctx {
        ig,
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

/// `vNN.N`.
fn is_version(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let mut it = rest.splitn(2, '.');
    let (Some(major), Some(minor)) = (it.next(), it.next()) else {
        return false;
    };
    (1..=3).contains(&major.len())
        && (1..=2).contains(&minor.len())
        && major
            .bytes()
            .chain(minor.bytes())
            .all(|b| b.is_ascii_digit())
}

enum Answer {
    Json(Value),
    /// An action, its parameters and the context `finish` reads.
    Act(&'static str, Value, String),
}

/// What an id names.
enum Node<'a> {
    User,
    Media(&'a Media),
    Comment(&'a Said),
    Container(&'a Container),
    /// The account the creator talks with: id and username.
    Conversation(String, String),
    Message(&'a Said),
}

const THREAD: &str = "ig_d:1:IGMessageThread:";

fn route(ctx: &Ctx<'_>) -> Result<Answer> {
    let method = ctx.request.method.as_str();
    let parts = &ctx.parts;
    if parts.is_empty() {
        return match (method, ctx.params.get("ids")) {
            ("GET", Some(ids)) => batch(ctx, ids).map(Answer::Json),
            _ => Err(GraphError::unknown_path("/")),
        };
    }
    let id = parts[0];
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
            _ => Err(graph::unsimulated(&format!(
                "Updating a {} node",
                node_type(&node)
            ))),
        },
        (1, "DELETE") => match node {
            Node::Comment(c) => Ok(Answer::Act(
                "delete_comment",
                json!({ "comment_id": c.id }),
                DELETE.into(),
            )),
            Node::Media(_) => Err(GraphError::new(
                400,
                100,
                "GraphMethodException",
                "Unsupported delete request. The Instagram Graph API cannot delete media.",
            )),
            _ => Err(GraphError::no_object(method, id)),
        },
        (1, _) | (2, _) if !matches!(method, "GET" | "POST" | "DELETE") => Err(GraphError::param(
            format!("Unsupported method {method}: Graph answers GET, POST and DELETE"),
        )),
        (2, _) => edge(ctx, &node, parts[1]),
        _ => Err(GraphError::unknown_path(&format!(
            "/{}",
            parts[2..].join("/")
        ))),
    }
}

fn resolve<'a>(ctx: &Ctx<'a>, id: &str) -> Option<Node<'a>> {
    let ig = ctx.ig;
    let native = &ig.native;
    if id == "me" || id == ig.creator.id {
        return Some(Node::User);
    }
    if id.starts_with("aWdf") {
        if let Some(partner) = graph::unb64(id)
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| {
                let rest = s.strip_prefix(THREAD)?;
                let (me, partner) = rest.split_once(':')?;
                (me == ig.creator.id).then(|| partner.to_string())
            })
        {
            let handle = native
                .dms
                .iter()
                .rev()
                .find_map(|d| d.with.as_ref().filter(|w| w.0 == partner))?
                .1
                .clone();
            return Some(Node::Conversation(partner, handle));
        }
        return native.dm(id).map(Node::Message);
    }
    if let Some(c) = native.comment(id) {
        return Some(Node::Comment(c));
    }
    if let Some(c) = native.container(id) {
        return Some(Node::Container(c));
    }
    find_media(ig, ctx.at, id).map(Node::Media)
}

/// A post or reel by its media id or shortcode, or a live story.
fn find_media<'a>(ig: &'a Instagram, at: Millis, id: &str) -> Option<&'a Media> {
    let code = match id.parse::<u64>() {
        Ok(n) => {
            if let Some(s) = ig
                .media
                .iter()
                .rev()
                .find(|m| m.kind == Kind::Story && m.id == id)
            {
                return (s.expires() > at).then_some(s);
            }
            encode_u64_b64(n)
        }
        Err(_) => id.to_string(),
    };
    ig.media
        .iter()
        .rev()
        .find(|m| m.kind != Kind::Story && m.id == code)
}

/// A media's Graph id.
fn media_id(m: &Media) -> String {
    match m.kind {
        Kind::Story => m.id.clone(),
        _ => decode_u64_b64(&m.id)
            .map(|n| n.to_string())
            .unwrap_or_else(|| m.id.clone()),
    }
}

fn node_type(node: &Node<'_>) -> &'static str {
    match node {
        Node::User => "IGUser",
        Node::Media(_) => "IGMedia",
        Node::Comment(_) => "IGComment",
        Node::Container(_) => "ShadowIGMediaBuilder",
        Node::Conversation(..) => "UserConversation",
        Node::Message(_) => "Message",
    }
}

/// Fields a node answers when none are asked for.
fn default_fields(node: &Node<'_>) -> Fields {
    match node {
        Node::Comment(_) => Fields::of(&["timestamp", "text", "id"]),
        Node::Conversation(..) => Fields::of(&["id", "updated_time"]),
        Node::Message(_) => Fields::of(&["id", "created_time"]),
        _ => Fields::of(&["id"]),
    }
}

fn batch(ctx: &Ctx<'_>, ids: &str) -> Result<Value> {
    let ids: Vec<&str> = ids.split(',').map(str::trim).collect();
    if ids.len() > MAX_IDS {
        return Err(GraphError::param(format!(
            "Too many IDs. Maximum: {MAX_IDS}. Provided: {}.",
            ids.len()
        )));
    }
    let fields = ctx.params.fields()?;
    let mut out = Map::new();
    for id in ids {
        let node = resolve(ctx, id).ok_or_else(|| GraphError::no_object("GET", id))?;
        out.insert(id.to_string(), render(ctx, &node, fields.as_ref())?);
    }
    Ok(Value::Object(out))
}

/// A node with the selected fields; Graph adds `id` when it was not asked.
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
            out.insert(f.name.clone(), v);
        }
    }
    if !out.contains_key("id") {
        if let Some(id) = field(ctx, node, &Fields::of(&["id"]).0[0])? {
            out.insert("id".into(), id);
        }
    }
    Ok(Value::Object(out))
}

/// One field of a node: `None` when the node has it but no value (Graph
/// leaves it out), an error when the node has no such field.
fn field(ctx: &Ctx<'_>, node: &Node<'_>, f: &Field) -> Result<Option<Value>> {
    let ig = ctx.ig;
    let name = f.name.as_str();
    let v = match node {
        Node::User => user_field(ctx, f)?,
        Node::Media(m) => media_field(ctx, m, f)?,
        Node::Comment(c) => comment_field(ctx, c, f)?,
        Node::Container(c) => match name {
            "id" => Some(json!(c.id)),
            "status_code" => Some(json!(container_status(ctx, c).0)),
            "status" => Some(json!(container_status(ctx, c).1)),
            _ => Err(GraphError::no_field(name, node_type(node)))?,
        },
        Node::Conversation(partner, handle) => match name {
            "id" => Some(json!(thread_id(ig, partner))),
            "updated_time" => thread(ig, partner).last().map(|d| json!(time(d.at))),
            "participants" => Some(json!({ "data": [
                { "username": handle, "id": partner },
                { "username": username(ig), "id": ig.creator.id },
            ]})),
            "messages" => {
                let list: Keyed<'_, Said> = thread(ig, partner)
                    .into_iter()
                    .rev()
                    .map(|d| (d.seq, d))
                    .collect();
                Some(list_value(ctx, &list, f)?)
            }
            _ => Err(GraphError::no_field(name, node_type(node)))?,
        },
        Node::Message(d) => message_field(ctx, d, f)?,
    };
    Ok(v)
}

fn username(ig: &Instagram) -> &str {
    ig.creator.handle.trim_start_matches('@')
}

fn user_field(ctx: &Ctx<'_>, f: &Field) -> Result<Option<Value>> {
    let ig = ctx.ig;
    let c = &ig.creator;
    Ok(match f.name.as_str() {
        "id" => Some(json!(c.id)),
        "ig_id" => c.id.parse::<u64>().ok().map(|n| json!(n)),
        "username" => Some(json!(username(ig))),
        "name" => Some(json!(c.display_name)),
        "biography" => Some(json!(format!(
            "{} · {} creator",
            c.display_name,
            ig.niche.name()
        ))),
        "followers_count" => Some(json!(ig.followers.audience_reported)),
        // Not simulated: a fixed number per account.
        "follows_count" => Some(json!(150 + memory::fnv(&c.id) % 1_350)),
        "media_count" => Some(json!(ig
            .media
            .iter()
            .filter(|m| m.kind != Kind::Story)
            .count())),
        "profile_picture_url" => Some(json!(c.avatar_url)),
        "website" | "shopping_product_tag_eligibility" => None,
        "media" => {
            let list = feed(ig);
            Some(list_value(ctx, &list, f)?)
        }
        "stories" => {
            let list = stories(ctx);
            Some(list_value(ctx, &list, f)?)
        }
        "tags" => {
            let list = mentions(ig);
            Some(list_value(ctx, &list, f)?)
        }
        "business_discovery"
        | "mentioned_comment"
        | "mentioned_media"
        | "live_media"
        | "recently_searched_hashtags" => {
            return Err(graph::unsimulated(&format!("The IG User field {}", f.name)))
        }
        other => return Err(GraphError::no_field(other, "IGUser")),
    })
}

fn media_field(ctx: &Ctx<'_>, m: &Media, f: &Field) -> Result<Option<Value>> {
    let ig = ctx.ig;
    let gid = media_id(m);
    let video = is_video(m);
    let handle = username(ig);
    Ok(match f.name.as_str() {
        "id" => Some(json!(gid)),
        "caption" => ig.native.caption(&m.id).map(|c| json!(c)),
        "media_type" => Some(json!(if video { "VIDEO" } else { "IMAGE" })),
        "media_product_type" => Some(json!(match m.kind {
            Kind::Post => "FEED",
            Kind::Reel => "REELS",
            Kind::Story => "STORY",
        })),
        "media_url" => Some(json!(if video {
            format!("https://scontent.cdninstagram.example/o1/v/t16/f2/m86/{gid}.mp4")
        } else {
            format!("https://scontent.cdninstagram.example/v/t51.29350-15/{gid}_n.jpg")
        })),
        "thumbnail_url" => video.then(|| {
            json!(format!(
                "https://scontent.cdninstagram.example/v/t51.29350-15/{gid}_thumb.jpg"
            ))
        }),
        "permalink" => Some(json!(match m.kind {
            Kind::Post => format!("https://www.instagram.com/p/{}/", m.id),
            Kind::Reel => format!("https://www.instagram.com/reel/{}/", m.id),
            Kind::Story => format!("https://www.instagram.com/stories/{handle}/{}/", m.id),
        })),
        "shortcode" => (m.kind != Kind::Story).then(|| json!(m.id)),
        "timestamp" => Some(json!(time(m.published))),
        "like_count" => (m.kind != Kind::Story).then(|| json!(m.reported[1])),
        "comments_count" => (m.kind != Kind::Story).then(|| json!(m.reported[2])),
        "username" => Some(json!(handle)),
        "owner" => Some(json!({ "id": ig.creator.id })),
        "is_comment_enabled" => Some(json!(m.kind != Kind::Story)),
        "is_shared_to_feed" => (m.kind == Kind::Reel).then_some(json!(true)),
        // Only albums have children; diorama publishes none.
        "children" => None,
        "comments" => {
            let list = comments_of(ig, &m.id, None);
            Some(list_value(ctx, &list, f)?)
        }
        "insights" | "product_tags" | "collaborators" | "boost_ads_list" | "alt_text" => {
            return Err(graph::unsimulated(&format!(
                "The IG Media field {}",
                f.name
            )))
        }
        other => return Err(GraphError::no_field(other, "IGMedia")),
    })
}

fn is_video(m: &Media) -> bool {
    match m.kind {
        Kind::Post => false,
        Kind::Reel => true,
        // About a third of stories are video.
        Kind::Story => memory::fnv(&m.id).is_multiple_of(3),
    }
}

fn comment_field(ctx: &Ctx<'_>, c: &Said, f: &Field) -> Result<Option<Value>> {
    let ig = ctx.ig;
    Ok(match f.name.as_str() {
        "id" => Some(json!(c.id)),
        "text" => Some(json!(c.text)),
        "timestamp" => Some(json!(time(c.at))),
        "username" => Some(json!(c.handle)),
        "from" => Some(json!({ "id": c.author_id, "username": c.handle })),
        // diorama does not simulate likes on comments.
        "like_count" => Some(json!(0)),
        "hidden" => Some(json!(c.hidden)),
        "parent_id" => c.parent.as_ref().map(|p| json!(p)),
        "user" => (c.author_id == ig.creator.id).then(|| json!({ "id": c.author_id })),
        "media" => {
            let m = c
                .media
                .as_deref()
                .and_then(|id| ig.media.iter().rev().find(|m| m.id == id));
            match (m, &f.sub) {
                (Some(m), Some(sub)) => Some(render(ctx, &Node::Media(m), Some(sub))?),
                (Some(m), None) => Some(json!({
                    "id": media_id(m),
                    "media_product_type": media_field(ctx, m, &Fields::of(&["media_product_type"]).0[0])?,
                })),
                (None, _) => None,
            }
        }
        "replies" => {
            let list = comments_of(ig, c.media.as_deref().unwrap_or(""), Some(&c.id));
            Some(list_value(ctx, &list, f)?)
        }
        other => return Err(GraphError::no_field(other, "IGComment")),
    })
}

fn message_field(ctx: &Ctx<'_>, d: &Said, f: &Field) -> Result<Option<Value>> {
    let ig = ctx.ig;
    let (with_id, with_name) = d
        .with
        .clone()
        .unwrap_or_else(|| (d.author_id.clone(), d.handle.clone()));
    let me = json!({ "username": username(ig), "id": ig.creator.id });
    let them = json!({ "username": with_name, "id": with_id });
    let mine = d.author_id == ig.creator.id;
    Ok(match f.name.as_str() {
        "id" => Some(json!(d.id)),
        "created_time" => Some(json!(time(d.at))),
        "message" => Some(json!(d.text)),
        "from" => Some(if mine { me } else { them }),
        "to" => Some(json!({ "data": [if mine { them } else { me }] })),
        "attachments" | "shares" | "story" | "reactions" | "is_unsupported" => None,
        other => return Err(GraphError::no_field(other, "Message")),
    })
}

/// A list edge: `(key, item)` newest first with decreasing keys.
type Keyed<'a, T> = Vec<(u64, &'a T)>;

fn feed(ig: &Instagram) -> Keyed<'_, Media> {
    ig.media
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, m)| m.kind != Kind::Story)
        .map(|(i, m)| (i as u64, m))
        .collect()
}

fn stories<'a>(ctx: &Ctx<'a>) -> Keyed<'a, Media> {
    ctx.ig
        .media
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, m)| m.kind == Kind::Story && m.expires() > ctx.at)
        .map(|(i, m)| (i as u64, m))
        .collect()
}

fn mentions(ig: &Instagram) -> Keyed<'_, Said> {
    ig.native
        .mentions
        .iter()
        .rev()
        .map(|s| (s.seq, s))
        .collect()
}

/// The top-level comments of a media (`parent` None), or the replies to
/// one comment.
fn comments_of<'a>(ig: &'a Instagram, media: &str, parent: Option<&str>) -> Keyed<'a, Said> {
    ig.native
        .comments
        .iter()
        .rev()
        .filter(|c| c.media.as_deref() == Some(media) && c.parent.as_deref() == parent)
        .map(|c| (c.seq, c))
        .collect()
}

fn thread<'a>(ig: &'a Instagram, partner: &str) -> Vec<&'a Said> {
    ig.native
        .dms
        .iter()
        .filter(|d| d.with.as_ref().is_some_and(|w| w.0 == partner))
        .collect()
}

fn thread_id(ig: &Instagram, partner: &str) -> String {
    graph::b64(format!("{THREAD}{}:{partner}", ig.creator.id).as_bytes())
}

fn container_status(ctx: &Ctx<'_>, c: &Container) -> (&'static str, &'static str) {
    if c.published.is_some() {
        ("PUBLISHED", "Published: Media has been published.")
    } else if ctx.at - c.at >= DAY {
        (
            "EXPIRED",
            "Expired: The container was not published within 24 hours.",
        )
    } else {
        (
            "FINISHED",
            "Finished: Media has been uploaded and it is ready to be published.",
        )
    }
}

/// A page of a list: the selection and paging from the edge's own
/// modifiers (`comments.limit(5){text}`) when nested, from the request's
/// parameters when it is the path's edge.
fn list_value<'b, T: NodeOf<'b>>(ctx: &Ctx<'_>, list: &[(u64, &'b T)], f: &Field) -> Result<Value> {
    let limit = match f.modifier("limit") {
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|&n| n >= 1)
            .ok_or_else(|| {
                GraphError::param(format!("limit({v}) must be a positive whole number"))
            })?
            .min(MAX_PAGE),
        None => PAGE,
    };
    let after = f
        .modifier("after")
        .map(|c| uncursor("after", c))
        .transpose()?;
    let before = f
        .modifier("before")
        .map(|c| uncursor("before", c))
        .transpose()?;
    page(ctx, list, limit, after, before, f.sub.as_ref(), None)
}

/// Items that render as Graph nodes.
trait NodeOf<'a> {
    fn node(&'a self) -> Node<'a>;
}

impl<'a> NodeOf<'a> for Media {
    fn node(&'a self) -> Node<'a> {
        Node::Media(self)
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

/// One page of `list` (newest first, keys decreasing): `{data, paging}`
/// with Graph's cursors, and `next`/`previous` URLs when `url` is given.
fn page<'b, T: NodeOf<'b>>(
    ctx: &Ctx<'_>,
    list: &[(u64, &'b T)],
    limit: usize,
    after: Option<u64>,
    before: Option<u64>,
    fields: Option<&Fields>,
    url: Option<&str>,
) -> Result<Value> {
    let (start, end) = match (after, before) {
        (Some(a), _) => {
            let start = list.iter().position(|(k, _)| *k < a).unwrap_or(list.len());
            (start, (start + limit).min(list.len()))
        }
        (None, Some(b)) => {
            let end = list.iter().position(|(k, _)| *k <= b).unwrap_or(list.len());
            (end.saturating_sub(limit), end)
        }
        (None, None) => (0, limit.min(list.len())),
    };
    let slice = &list[start..end];
    let mut data = Vec::with_capacity(slice.len());
    for (_, item) in slice {
        data.push(render_item(ctx, *item, fields)?);
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

fn render_item<'b, T: NodeOf<'b>>(
    ctx: &Ctx<'_>,
    item: &'b T,
    fields: Option<&Fields>,
) -> Result<Value> {
    match item.node() {
        // A mention is shown as the media it was made in.
        Node::Message(s) if s.media.is_none() && s.with.is_none() && s.parent.is_none() => {
            tag_value(s, fields)
        }
        node => render(ctx, &node, fields),
    }
}

/// A mention as `/tags` shows it: the media in which another account
/// named the creator.
fn tag_value(s: &Said, fields: Option<&Fields>) -> Result<Value> {
    let defaults = Fields::of(&["id"]);
    let fields = fields.unwrap_or(&defaults);
    let mut out = Map::new();
    for f in &fields.0 {
        let v = match f.name.as_str() {
            "id" => json!(s.id),
            "caption" => json!(s.text),
            "username" => json!(s.handle),
            "timestamp" => json!(time(s.at)),
            "media_type" => json!("IMAGE"),
            "media_product_type" => json!("FEED"),
            "media_url" => json!(format!(
                "https://scontent.cdninstagram.example/v/t51.29350-15/{}_n.jpg",
                s.id
            )),
            "permalink" => json!(format!(
                "https://www.instagram.com/p/{}/",
                s.id.parse::<u64>()
                    .map(encode_u64_b64)
                    .unwrap_or_else(|_| s.id.clone())
            )),
            "like_count" | "comments_count" => continue,
            other => return Err(GraphError::no_field(other, "IGMedia")),
        };
        out.insert(f.name.clone(), v);
    }
    out.entry("id").or_insert_with(|| json!(s.id));
    Ok(Value::Object(out))
}

/// The URL of the neighbouring page: this request's, with its
/// parameters (and the access token when it came in the query, as Graph
/// does), the limit and the cursor.
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

/// This request's URL without its query: behind the Graph hosts (routed
/// by `Host`), `https://graph.facebook.com/...`; otherwise under the
/// server's `/native/instagram/` root.
fn self_url(ctx: &Ctx<'_>) -> String {
    let host = ctx
        .request
        .headers
        .iter()
        .find(|(k, _)| k == "host")
        .map(|(_, v)| v.as_str())
        .unwrap_or("localhost");
    let graph_host = matches!(
        host.split(':').next(),
        Some("graph.facebook.com" | "graph.instagram.com")
    );
    if graph_host {
        format!("https://{host}{}", ctx.request.path)
    } else {
        format!("http://{host}/native/instagram{}", ctx.request.path)
    }
}

/// A path's list edge, paged by the request's parameters.
fn path_page<'b, T: NodeOf<'b>>(ctx: &Ctx<'_>, list: &[(u64, &'b T)]) -> Result<Value> {
    let p = &ctx.params;
    let limit = p.limit(PAGE, MAX_PAGE)?;
    let after = p.get("after").map(|c| uncursor("after", c)).transpose()?;
    let before = p.get("before").map(|c| uncursor("before", c)).transpose()?;
    let fields = p.fields()?;
    let url = self_url(ctx);
    page(ctx, list, limit, after, before, fields.as_ref(), Some(&url))
}

fn edge(ctx: &Ctx<'_>, node: &Node<'_>, name: &str) -> Result<Answer> {
    let ig = ctx.ig;
    let method = ctx.request.method.as_str();
    let get = method == "GET";
    let v = match (node, name) {
        (Node::User, "media") if get => path_page(ctx, &feed(ig))?,
        (Node::User, "media") if method == "POST" => return create_container(ctx),
        (Node::User, "media_publish") if method == "POST" => return publish(ctx),
        (Node::User, "stories") if get => path_page(ctx, &stories(ctx))?,
        (Node::User, "tags") if get => path_page(ctx, &mentions(ig))?,
        (Node::User, "content_publishing_limit") if get => publishing_limit(ctx)?,
        (Node::User, "insights") if get => user_insights(ctx)?,
        (Node::User, "conversations") if get => conversations(ctx)?,
        (Node::User, "messages") if method == "POST" => return send_message(ctx),
        (Node::Media(m), "comments") if get => path_page(ctx, &comments_of(ig, &m.id, None))?,
        (Node::Media(m), "insights") if get => media_insights(ctx, m)?,
        (Node::Media(_), "children") if get => json!({ "data": [] }),
        (Node::Comment(c), "replies") if get => {
            let media = c.media.as_deref().unwrap_or("");
            path_page(ctx, &comments_of(ig, media, Some(&c.id)))?
        }
        (Node::Comment(c), "replies") if method == "POST" => return reply(ctx, c),
        (Node::Conversation(partner, _), "messages") if get => {
            let list: Vec<(u64, &Said)> = thread(ig, partner)
                .into_iter()
                .rev()
                .map(|d| (d.seq, d))
                .collect();
            path_page(ctx, &list)?
        }
        (Node::Media(_), "comments") => {
            return Err(graph::unsimulated(
                "A top-level comment by the account (POST /{ig-media-id}/comments)",
            ))
        }
        (
            Node::User,
            "live_media"
            | "recently_searched_hashtags"
            | "available_catalogs"
            | "catalog_product_search"
            | "product_appeal"
            | "mentions"
            | "business_discovery",
        )
        | (Node::Media(_), "product_tags" | "collaborators") => {
            return Err(graph::unsimulated(&format!(
                "{method} /{{id}}/{name} on {}",
                node_type(node)
            )))
        }
        (_, "media" | "media_publish" | "messages" | "replies" | "comments") => {
            return Err(GraphError::param(format!(
                "Unsupported method {method} on the {name} edge of {}",
                node_type(node)
            )))
        }
        _ => return Err(GraphError::no_field(name, node_type(node))),
    };
    Ok(Answer::Json(v))
}

fn hide(ctx: &Ctx<'_>, c: &Said) -> Result<Answer> {
    let hide = match ctx.params.require("hide")? {
        "true" => true,
        "false" => false,
        other => {
            return Err(GraphError::param(format!(
                "Param hide must be a boolean (got \"{other}\")"
            )))
        }
    };
    Ok(Answer::Act(
        "hide_comment",
        json!({ "comment_id": c.id, "hide": hide }),
        HIDE.into(),
    ))
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

fn reply(ctx: &Ctx<'_>, c: &Said) -> Result<Answer> {
    let text = ctx.params.require("message")?;
    checked_text("message", text, MAX_CAPTION)?;
    if c.parent.is_some() {
        return Err(GraphError::param(
            "Replies can only be made to top-level comments",
        ));
    }
    Ok(Answer::Act(
        "reply",
        json!({ "comment_id": c.id, "text": text }),
        REPLY.into(),
    ))
}

fn create_container(ctx: &Ctx<'_>) -> Result<Answer> {
    let p = &ctx.params;
    let url = |key: &str| -> Result<Option<&str>> {
        match p.get(key) {
            None => Ok(None),
            Some(u) if u.starts_with("https://") || u.starts_with("http://") => Ok(Some(u)),
            Some(u) => Err(GraphError::new(
                400,
                9004,
                "OAuthException",
                format!("The media could not be fetched from this URI: {u}"),
            )
            .with_subcode(2207052)),
        }
    };
    let (image, video) = (url("image_url")?, url("video_url")?);
    if p.get("is_carousel_item") == Some("true") || p.get("children").is_some() {
        return Err(graph::unsimulated("Carousel containers"));
    }
    let kind = match p.get("media_type") {
        None | Some("IMAGE") => {
            if image.is_none() {
                return Err(GraphError::param("The parameter image_url is required."));
            }
            "post"
        }
        Some("REELS") => {
            if video.is_none() {
                return Err(GraphError::param("The parameter video_url is required."));
            }
            "reel"
        }
        Some("STORIES") => {
            if image.is_none() && video.is_none() {
                return Err(GraphError::param(
                    "The parameter image_url or video_url is required.",
                ));
            }
            "story"
        }
        Some("VIDEO") => {
            return Err(GraphError::param(
                "The media_type VIDEO is no longer supported. Use REELS to publish a video",
            )
            .with_subcode(2207023))
        }
        Some("CAROUSEL") => return Err(graph::unsimulated("Carousel containers")),
        Some(other) => {
            return Err(GraphError::param(format!(
                "Param media_type must be one of IMAGE, REELS, STORIES, CAROUSEL (got \"{other}\")"
            ))
            .with_subcode(2207023))
        }
    };
    let caption = p.get("caption");
    if let Some(c) = caption {
        checked_text("caption", c, MAX_CAPTION)?;
    }
    Ok(Answer::Act(
        "create_container",
        json!({ "kind": kind, "caption": caption }),
        CONTAINER.into(),
    ))
}

fn publish(ctx: &Ctx<'_>) -> Result<Answer> {
    let id = ctx.params.require("creation_id")?;
    let Some(c) = ctx.ig.native.container(id) else {
        return Err(GraphError::new(
            400,
            9007,
            "OAuthException",
            format!("Media ID is not available: no container {id}"),
        )
        .with_subcode(2207027));
    };
    match container_status(ctx, c).0 {
        "PUBLISHED" => {
            return Err(GraphError::param(format!(
                "The container {id} has already been published"
            )))
        }
        "EXPIRED" => {
            return Err(GraphError::new(
                400,
                -2,
                "OAuthException",
                "The media you are trying to access has expired. Please try to upload again.",
            )
            .with_subcode(2207020))
        }
        _ => {}
    }
    Ok(Answer::Act(
        "publish_container",
        json!({ "container_id": id }),
        PUBLISH.into(),
    ))
}

fn publishing_limit(ctx: &Ctx<'_>) -> Result<Value> {
    let used = ctx
        .ig
        .media
        .iter()
        .rev()
        .take_while(|m| m.published > ctx.at - DAY)
        .filter(|m| m.kind != Kind::Story)
        .count();
    let fields = ctx
        .params
        .fields()?
        .unwrap_or_else(|| Fields::of(&["quota_usage"]));
    let mut item = Map::new();
    for f in &fields.0 {
        match f.name.as_str() {
            "quota_usage" => item.insert("quota_usage".into(), json!(used)),
            "config" => item.insert(
                "config".into(),
                json!({ "quota_total": POST_LIMIT, "quota_duration": DAY / 1000 }),
            ),
            other => {
                return Err(GraphError::no_field(
                    other,
                    "ContentPublishingLimitResponse",
                ))
            }
        };
    }
    Ok(json!({ "data": [item] }))
}

/// A metric's title and description, as Graph labels them.
fn metric_label(name: &str) -> (&'static str, &'static str) {
    match name {
        "reach" => ("Accounts reached", "The number of unique accounts that have seen your content, at least once, including in ads."),
        "views" | "impressions" => ("Views", "The number of times your content was played or displayed."),
        "likes" => ("Likes", "The number of likes on your posts, reels and videos."),
        "comments" => ("Comments", "The number of comments on your posts, reels, videos and live videos."),
        _ => ("Total interactions", "The total number of post interactions, story interactions, reels interactions, video interactions and live video interactions, including any interactions on boosted content."),
    }
}

/// Graph's media and account metrics diorama does not simulate.
const UNSIMULATED_METRICS: &[&str] = &[
    "saved",
    "shares",
    "follows",
    "profile_visits",
    "profile_activity",
    "navigation",
    "replies",
    "ig_reels_avg_watch_time",
    "ig_reels_video_view_total_time",
    "accounts_engaged",
    "follower_count",
    "online_followers",
    "website_clicks",
    "profile_links_taps",
    "engaged_audience_demographics",
    "reached_audience_demographics",
    "follower_demographics",
    "reposts",
];

const SIMULATED_METRICS: &[&str] = &[
    "reach",
    "views",
    "impressions",
    "likes",
    "comments",
    "total_interactions",
];

fn metrics(ctx: &Ctx<'_>) -> Result<Vec<String>> {
    let raw = ctx.params.require("metric")?;
    let mut out = Vec::new();
    for (i, m) in raw.split(',').map(str::trim).enumerate() {
        if UNSIMULATED_METRICS.contains(&m) {
            return Err(graph::unsimulated(&format!("The insights metric {m}")));
        }
        if !SIMULATED_METRICS.contains(&m) {
            return Err(GraphError::param(format!(
                "metric[{i}] must be one of the following values: {}",
                SIMULATED_METRICS.join(", ")
            )));
        }
        if !out.iter().any(|x: &String| x == m) {
            out.push(m.to_string());
        }
    }
    Ok(out)
}

fn media_insights(ctx: &Ctx<'_>, m: &Media) -> Result<Value> {
    let gid = media_id(m);
    let mut data = Vec::new();
    for name in metrics(ctx)? {
        let views = m.views;
        let (likes, comments) = (m.reported[1], m.reported[2]);
        let value = match name.as_str() {
            "reach" | "views" | "impressions" => views,
            "likes" if m.kind != Kind::Story => likes,
            "comments" if m.kind != Kind::Story => comments,
            "total_interactions" => likes + comments,
            other => {
                return Err(GraphError::param(format!(
                    "The metric {other} is not available on stories"
                )))
            }
        };
        let (title, description) = metric_label(&name);
        data.push(json!({
            "name": name,
            "period": "lifetime",
            "values": [{ "value": value }],
            "title": title,
            "description": description,
            "id": format!("{gid}/insights/{name}/lifetime"),
        }));
    }
    Ok(json!({ "data": data }))
}

/// Account insights: `metric_type=total_value`, `period=day`, over
/// `since`..`until` (unix seconds; the last day by default, 30 days at
/// most), summed over the media published in that span.
fn user_insights(ctx: &Ctx<'_>) -> Result<Value> {
    let p = &ctx.params;
    let names = metrics(ctx)?;
    match p.require("period")? {
        "day" => {}
        "lifetime" | "week" | "days_28" => {
            return Err(graph::unsimulated("Account insights over periods other than day"))
        }
        other => {
            return Err(GraphError::param(format!(
                "period must be one of the following values: day, week, days_28, lifetime (got \"{other}\")"
            )))
        }
    }
    match p.get("metric_type") {
        Some("total_value") => {}
        Some("time_series") | None => {
            return Err(graph::unsimulated(
                "Account insights as a time series (ask metric_type=total_value)",
            ))
        }
        Some(other) => {
            return Err(GraphError::param(format!(
                "metric_type must be one of the following values: time_series, total_value (got \"{other}\")"
            )))
        }
    }
    let secs = |key: &str| -> Result<Option<Millis>> {
        p.get(key)
            .map(|v| {
                v.parse::<i64>()
                    .ok()
                    .filter(|s| (0..=253_402_300_799).contains(s))
                    .map(|s| s * 1000)
                    .ok_or_else(|| {
                        GraphError::param(format!("Param {key} must be a unix time in seconds"))
                    })
            })
            .transpose()
    };
    let until = secs("until")?.unwrap_or(ctx.at).min(ctx.at);
    let since = secs("since")?.unwrap_or(until - DAY);
    if since >= until || until - since > MAX_INSIGHTS_SPAN {
        return Err(GraphError::param(
            "There cannot be more than 30 days (2592000 s) between since and until, and since must come before until",
        ));
    }
    let span: Vec<&Media> = ctx
        .ig
        .media
        .iter()
        .filter(|m| (since..until).contains(&m.published))
        .collect();
    let uid = &ctx.ig.creator.id;
    let mut data = Vec::new();
    for name in names {
        let value: i64 = span
            .iter()
            .map(|m| match name.as_str() {
                "reach" | "views" | "impressions" => m.views,
                "likes" => m.reported[1],
                "comments" => m.reported[2],
                _ => m.reported[1] + m.reported[2],
            })
            .sum();
        let (title, description) = metric_label(&name);
        data.push(json!({
            "name": name,
            "period": "day",
            "title": title,
            "description": description,
            "total_value": { "value": value },
            "id": format!("{uid}/insights/{name}/day"),
        }));
    }
    Ok(json!({ "data": data }))
}

/// The account's conversations, the most recently active first.
fn conversations(ctx: &Ctx<'_>) -> Result<Value> {
    let ig = ctx.ig;
    if let Some(platform) = ctx.params.get("platform") {
        if platform != "instagram" {
            return Err(GraphError::param(format!(
                "Param platform must be instagram for an Instagram account (got \"{platform}\")"
            )));
        }
    }
    let only = ctx.params.get("user_id");
    // (latest seq, partner id, partner name), newest first, one per partner.
    let mut seen: Vec<(u64, &str, &str)> = Vec::new();
    for d in ig.native.dms.iter().rev() {
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

/// A conversation as a list item.
struct Conversation(String, String);

impl<'a> NodeOf<'a> for Conversation {
    fn node(&'a self) -> Node<'a> {
        Node::Conversation(self.0.clone(), self.1.clone())
    }
}

/// `POST /{ig-user-id}/messages`: a reply to the latest DM from the
/// recipient, within Instagram's 24-hour messaging window.
fn send_message(ctx: &Ctx<'_>) -> Result<Answer> {
    let p = &ctx.params;
    let recipient: Value = serde_json::from_str(p.require("recipient")?).map_err(|_| {
        GraphError::param("Param recipient must be a JSON object like {\"id\": \"<IGSID>\"}")
    })?;
    let Some(to) = recipient["id"].as_str() else {
        return Err(GraphError::param("Param recipient[id] is required"));
    };
    let message: Value = serde_json::from_str(p.require("message")?).map_err(|_| {
        GraphError::param("Param message must be a JSON object like {\"text\": \"...\"}")
    })?;
    if message.get("attachment").is_some() {
        return Err(graph::unsimulated("Messages with attachments"));
    }
    let Some(text) = message["text"].as_str().filter(|t| !t.is_empty()) else {
        return Err(GraphError::param("Param message[text] is required"));
    };
    checked_text("message[text]", text, MAX_MESSAGE)?;
    let last = ctx
        .ig
        .native
        .dms
        .iter()
        .rev()
        .find(|d| d.author_id == to && d.author_id != ctx.ig.creator.id);
    let Some(last) = last else {
        return Err(GraphError::param("No matching user found").with_subcode(2018001));
    };
    if ctx.at - last.at > DAY {
        return Err(GraphError::new(
            400,
            10,
            "OAuthException",
            "(#10) This message is sent outside of allowed window.",
        )
        .with_subcode(2534022));
    }
    Ok(Answer::Act(
        "dm_reply",
        json!({ "dm_id": last.id, "text": text }),
        format!("{MESSAGE}:{to}"),
    ))
}

/// Shape the answer to a request that acted.
pub fn finish(
    ig: &Instagram,
    context: &str,
    outcome: std::result::Result<&[Event], &ActionError>,
) -> HttpResponse {
    let usage = graph::usage(&ig.creator.id);
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
        (REPLY, Some(Payload::Interaction(i))) => json!({ "id": i.id }),
        (HIDE | DELETE, Some(Payload::Notice(_))) => json!({ "success": true }),
        (CONTAINER, Some(Payload::Notice(n))) => match n.message.split_whitespace().nth(2) {
            Some(id) => json!({ "id": id }),
            None => return internal(&request, &usage),
        },
        (PUBLISH, Some(Payload::Content(c))) => {
            let m = ig.media.iter().rev().find(|m| m.id == c.id);
            match m {
                Some(m) => json!({ "id": media_id(m) }),
                None => return internal(&request, &usage),
            }
        }
        (MESSAGE, Some(Payload::Interaction(i))) => {
            json!({ "recipient_id": arg, "message_id": i.id })
        }
        _ => return internal(&request, &usage),
    };
    with_usage(HttpResponse::json(200, &body), &usage)
}

fn internal(request: &HttpRequest, usage: &Usage) -> HttpResponse {
    GraphError::new(
        500,
        1,
        "OAuthException",
        "An unknown error occurred: the action produced no answer",
    )
    .respond(request, usage)
}

/// The account's refusal in Graph's terms.
fn action_error(context: &str, e: &ActionError) -> GraphError {
    match e {
        ActionError::NotFound(m) => {
            GraphError::new(400, 100, "GraphMethodException", m.clone()).with_subcode(33)
        }
        ActionError::Invalid(m) => GraphError::param(m),
        ActionError::RateLimited(ms) => {
            let wait = ms.div_euclid(1000).max(1);
            if context == PUBLISH {
                GraphError::new(
                    400,
                    9,
                    "OAuthException",
                    format!("You reached maximum number of posts that is allowed to be published by Content Publishing API. Retry in {wait} s."),
                )
                .with_subcode(2207042)
            } else {
                GraphError::new(
                    400,
                    17,
                    "OAuthException",
                    format!("(#17) User request limit reached. Retry in {wait} s."),
                )
            }
        }
    }
}
