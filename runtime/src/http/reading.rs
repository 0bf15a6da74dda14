//! Reading a profile: its content, its interactions (filtered, with a
//! cursor that stays stable while new events arrive) and its raw events.
//!
//! Cursors are event seqs: pages run oldest first and a page's `next`
//! cursor is the seq of its last item, so asking again with it (`after`)
//! returns exactly what came after, now or later. Interactions can also be
//! listed newest first (`order=desc`), paged back with `before`.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::auth::OwnProfile;
use super::error::{blocking, ApiError, Query};
use super::{schema, ApiState};
use crate::event::{time, StoredEvent};
use crate::store::{ContentRecord, InteractionFilter};

/// The largest page.
pub const MAX_LIMIT: usize = 1_000;
const DEFAULT_LIMIT: usize = 50;

fn limit(given: Option<usize>) -> Result<usize, ApiError> {
    match given {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::bad_query(format!(
            "`limit` must be between 1 and {MAX_LIMIT}, got {n}"
        ))),
    }
}

fn cursor(given: Option<&str>, name: &str) -> Result<Option<u64>, ApiError> {
    given
        .map(|c| {
            c.parse::<u64>().map_err(|_| {
                ApiError::bad_query(format!(
                    "`{name}` must be a cursor from an earlier page (an event seq, 0 to {}), got `{c}`",
                    u64::MAX
                ))
            })
        })
        .transpose()
}

/// A time as unix milliseconds or RFC 3339.
fn instant(given: Option<&str>, name: &str) -> Result<Option<i64>, ApiError> {
    given
        .map(|t| {
            let ms = match t.parse::<i64>() {
                Ok(ms) => ms,
                Err(_) => time::parse_instant(t)
                    .map_err(|e| ApiError::bad_query(format!("`{name}`: {e}")))?,
            };
            crate::live::pace::instant_within(name, ms)
                .map_err(|e| ApiError::bad_query(e.to_string()))
        })
        .transpose()
}

/// A page as JSON, built from the events' own JSON lines.
fn page(label: &str, events: &[StoredEvent], next: Option<u64>, more: bool) -> Response {
    let mut body = Vec::with_capacity(64 + events.len() * 400);
    body.extend_from_slice(b"{\"items\":[");
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        crate::event::event_line(label, e, &mut body);
    }
    body.extend_from_slice(b"],\"next\":");
    match next {
        Some(n) => body.extend_from_slice(format!("\"{n}\"").as_bytes()),
        None => body.extend_from_slice(b"null"),
    }
    body.extend_from_slice(format!(",\"has_more\":{more}}}").as_bytes());
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Read one more than a page (to know whether more follow) off the async
/// workers and answer the page.
async fn paged(
    owner: crate::event::OwnerId,
    after: Option<u64>,
    limit: usize,
    read: impl FnOnce(usize) -> Result<Vec<StoredEvent>, crate::store::StoreError> + Send + 'static,
) -> Result<Response, ApiError> {
    let mut items = blocking(move || read(limit + 1).map_err(ApiError::from)).await?;
    let more = items.len() > limit;
    items.truncate(limit);
    let next = items.last().map(|e| e.seq).or(after);
    Ok(page(&owner.to_string(), &items, next, more))
}

/// The query of `GET .../interactions`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InteractionQuery {
    /// Only this platform.
    #[param(nullable = false)]
    platform: Option<String>,
    /// Only this interaction kind: comment, reply, dm, mention, ...
    #[param(nullable = false)]
    kind: Option<String>,
    /// Only this sentiment.
    #[param(value_type = Option<Sentiment>, inline, nullable = false)]
    sentiment: Option<String>,
    /// Only direct messages of this type.
    #[param(value_type = Option<DmType>, inline, nullable = false)]
    dm_type: Option<String>,
    /// Only interactions on this content id.
    #[param(nullable = false)]
    content: Option<String>,
    /// Only interactions by this author id.
    #[param(nullable = false)]
    author: Option<String>,
    /// Virtual time, inclusive: unix milliseconds (0 to 253402300799999) or RFC 3339 (1970 to 9999).
    #[param(nullable = false)]
    from: Option<String>,
    /// Virtual time, exclusive: unix milliseconds (0 to 253402300799999) or RFC 3339 (1970 to 9999).
    #[param(nullable = false)]
    to: Option<String>,
    /// asc: oldest first, paged with `after`; desc: newest first, paged with `before`.
    #[param(value_type = Option<Order>, inline, nullable = false)]
    order: Option<String>,
    /// A cursor: the `next` of an earlier page (an event seq). Only later items are returned.
    #[param(pattern = "^[0-9]+$", nullable = false)]
    after: Option<String>,
    /// With order=desc, a cursor: the `next` of an earlier page. Only earlier items are returned.
    #[param(pattern = "^[0-9]+$", nullable = false)]
    before: Option<String>,
    /// The most items in the page.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000, default = 50, nullable = false)]
    limit: Option<usize>,
}

// For the document only: the values the query's text fields take.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
enum Sentiment {
    Positive,
    Neutral,
    Negative,
}

#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
enum DmType {
    Fan,
    Question,
    Collaboration,
    Spam,
    Criticism,
}

#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case", default = "asc")]
#[allow(dead_code)]
enum Order {
    Asc,
    Desc,
}

#[utoipa::path(get, path = "/v1/profiles/{id}/interactions",
    summary = "Interactions, filtered, oldest first, with a stable cursor.",
    params(("id" = String, Path), InteractionQuery),
    responses((status = 200, description = "A page, oldest first.", body = schema::EventPage)),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn interactions(
    State(s): State<ApiState>,
    own: OwnProfile,
    Query(q): Query<InteractionQuery>,
) -> Result<Response, ApiError> {
    let p = own.profile;
    let limit = limit(q.limit)?;
    let newest_first = match q.order.as_deref() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(ApiError::bad_query(format!(
                "`order` must be `asc` (oldest first) or `desc` (newest first), got `{other}`"
            )))
        }
    };
    // Oldest first pages on with `after`, newest first with `before`.
    let (after, before) = match (newest_first, &q.after, &q.before) {
        (false, _, Some(_)) => return Err(ApiError::bad_query(
            "`before` pages newest-first listings (`order=desc`); oldest first pages with `after`",
        )),
        (true, Some(_), _) => {
            return Err(ApiError::bad_query(
                "`after` pages oldest-first listings; with `order=desc` page with `before`",
            ))
        }
        _ => (
            cursor(q.after.as_deref(), "after")?,
            cursor(q.before.as_deref(), "before")?,
        ),
    };
    for (name, value) in [("sentiment", &q.sentiment), ("dm_type", &q.dm_type)] {
        let known: &[&str] = if name == "sentiment" {
            &["positive", "neutral", "negative"]
        } else {
            &["fan", "question", "collaboration", "spam", "criticism"]
        };
        if let Some(v) = value {
            if !known.contains(&v.as_str()) {
                return Err(ApiError::bad_query(format!(
                    "`{name}` must be one of {}, got `{v}`",
                    known.join(", ")
                )));
            }
        }
    }
    let filter = InteractionFilter {
        platform: q.platform,
        kind: q.kind,
        content_id: q.content,
        author_id: q.author,
        sentiment: q.sentiment,
        dm_type: q.dm_type,
        since: instant(q.from.as_deref(), "from")?,
        until: instant(q.to.as_deref(), "to")?,
    };
    let store = s.live.store().clone();
    if newest_first {
        return paged(p.id, before, limit, move |n| {
            store.interactions_newest_first(p.id, &filter, before, n)
        })
        .await;
    }
    paged(p.id, after, limit, move |n| {
        store.interactions(p.id, &filter, after, n)
    })
    .await
}

/// The query of `GET .../events`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// A cursor: the `next` of an earlier page (an event seq). Only later items are returned.
    #[param(pattern = "^[0-9]+$", nullable = false)]
    after: Option<String>,
    /// The most items in the page.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000, default = 50, nullable = false)]
    limit: Option<usize>,
}

#[utoipa::path(get, path = "/v1/profiles/{id}/events",
    summary = "Every event in order, with a stable cursor.",
    params(("id" = String, Path), EventQuery),
    responses((status = 200, description = "A page, oldest first.", body = schema::EventPage)),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn events(
    State(s): State<ApiState>,
    own: OwnProfile,
    Query(q): Query<EventQuery>,
) -> Result<Response, ApiError> {
    let p = own.profile;
    let limit = limit(q.limit)?;
    let after = cursor(q.after.as_deref(), "after")?;
    let store = s.live.store().clone();
    paged(p.id, after, limit, move |n| store.events(p.id, after, n)).await
}

fn content_json(c: &ContentRecord) -> serde_json::Value {
    json!({
        "id": c.id,
        "platform": c.platform,
        "kind": c.kind,
        "title": c.title,
        "text": c.text,
        "url": c.url,
        "published_at": c.published_at,
        "published": time::format_instant(c.published_at),
        "seq": c.seq,
        "metrics": c.metrics,
        "interactions": c.interactions,
    })
}

/// The query of `GET .../contents`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContentQuery {
    /// Only this platform.
    #[param(nullable = false)]
    platform: Option<String>,
    /// Only this content kind: video, short, reel, post, ...
    #[param(nullable = false)]
    kind: Option<String>,
    /// The most items in the page.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000, default = 50, nullable = false)]
    limit: Option<usize>,
}

/// Content, newest first.
#[utoipa::path(get, path = "/v1/profiles/{id}/contents",
    summary = "Content, newest first.",
    params(("id" = String, Path), ContentQuery),
    responses((status = 200, description = "Content, newest first.", body = schema::ContentPage)),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn contents(
    State(s): State<ApiState>,
    own: OwnProfile,
    Query(q): Query<ContentQuery>,
) -> Result<Response, ApiError> {
    let p = own.profile;
    let limit = limit(q.limit)?;
    let store = s.live.store().clone();
    let owner = p.id;
    let list = blocking(move || {
        store
            .contents(owner, q.platform.as_deref(), q.kind.as_deref())
            .map_err(ApiError::from)
    })
    .await?;
    let items: Vec<_> = list.iter().rev().take(limit).map(content_json).collect();
    Ok(Json(json!({ "items": items, "total": list.len() })).into_response())
}

#[utoipa::path(get, path = "/v1/profiles/{id}/contents/{content}",
    summary = "One piece of content with its latest metrics.",
    params(("id" = String, Path), ("content" = String, Path)),
    responses((status = 200, description = "The content.", body = schema::ContentDoc)),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn content(
    State(s): State<ApiState>,
    own: OwnProfile,
    Path((_, content)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let p = own.profile;
    let id = own.id;
    let store = s.live.store().clone();
    let owner = p.id;
    let wanted = content.clone();
    let found = blocking(move || store.content(owner, &wanted).map_err(ApiError::from)).await?;
    match found {
        Some(c) => Ok(Json(content_json(&c)).into_response()),
        None => Err(ApiError::not_found(format!(
            "profile `{id}` has no content `{content}`"
        ))),
    }
}
