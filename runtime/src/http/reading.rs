//! Reading a profile: its content, its interactions (filtered, with a
//! cursor that stays stable while new events arrive) and its raw events.
//!
//! Cursors are event seqs: pages run oldest first and a page's `next`
//! cursor is the seq of its last item, so asking again with it (`after`)
//! returns exactly what came after, now or later. Interactions can also be
//! listed newest first (`order=desc`), paged back with `before`.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::auth;
use super::error::{blocking, ApiError, Query};
use super::Shared;
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InteractionQuery {
    platform: Option<String>,
    kind: Option<String>,
    sentiment: Option<String>,
    dm_type: Option<String>,
    content: Option<String>,
    author: Option<String>,
    from: Option<String>,
    to: Option<String>,
    after: Option<String>,
    before: Option<String>,
    /// `asc` (oldest first, the default) or `desc` (newest first).
    order: Option<String>,
    limit: Option<usize>,
}

pub async fn interactions(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<InteractionQuery>,
) -> Result<Response, ApiError> {
    let p = auth::profile(&s, &headers, &id)?;
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventQuery {
    after: Option<String>,
    limit: Option<usize>,
}

pub async fn events(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<EventQuery>,
) -> Result<Response, ApiError> {
    let p = auth::profile(&s, &headers, &id)?;
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentQuery {
    platform: Option<String>,
    kind: Option<String>,
    limit: Option<usize>,
}

/// Content, newest first.
pub async fn contents(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<ContentQuery>,
) -> Result<Response, ApiError> {
    let p = auth::profile(&s, &headers, &id)?;
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

pub async fn content(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((id, content)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let p = auth::profile(&s, &headers, &id)?;
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
