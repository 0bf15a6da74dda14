//! The YouTube Data API v3, as far as this simulator serves it: the
//! channel of the account (`GET /youtube/v3/channels`) and a creator's
//! reply to a comment (`POST /youtube/v3/comments`), in the API's own wire
//! format (resources with `kind` and `etag`, counts as decimal strings,
//! errors as `{"error": {"code", "message", "errors": [...]}}`).
//!
//! Paths are below the API root: a client library pointed at
//! `http://HOST/native/youtube/` as its root URL sends them unchanged.

use diorama_sdk::{
    Action, ActionError, Event, HttpRequest, HttpResponse, NativeAct, NativeOutcome, Payload,
};
use serde_json::{json, Value};

use crate::YouTube;

/// `reply`'s context: what `finish` needs to shape the comment resource.
const REPLY: &str = "comments.insert";

/// Answer a request against the channel's state.
pub fn handle(yt: &YouTube, request: &HttpRequest) -> NativeOutcome {
    let query = Query::parse(&request.query);
    match (request.method.as_str(), request.path.trim_end_matches('/')) {
        ("GET", "/youtube/v3/channels") => NativeOutcome::Respond(channels(yt, &query)),
        ("POST", "/youtube/v3/comments") => comments_insert(request, &query),
        (_, "/youtube/v3/channels" | "/youtube/v3/comments") => NativeOutcome::Respond(error(
            405,
            "methodNotAllowed",
            &format!("{} is not allowed on {}", request.method, request.path),
        )),
        (_, path) if path.starts_with("/youtube/v3/") => NativeOutcome::Respond(error(
            501,
            "notImplemented",
            &format!(
                "{} {} is a YouTube Data API method this simulator does not serve yet",
                request.method, request.path
            ),
        )),
        _ => NativeOutcome::Respond(error(
            404,
            "notFound",
            &format!("no such API method: {} {}", request.method, request.path),
        )),
    }
}

/// Shape the answer to a request that acted.
pub fn finish(context: &str, outcome: Result<&[Event], &ActionError>) -> HttpResponse {
    match outcome {
        Err(ActionError::NotFound(m)) => error(404, "commentNotFound", m),
        Err(ActionError::Invalid(m)) => error(400, "invalidValue", m),
        Err(ActionError::RateLimited(ms)) => error(
            429,
            "rateLimitExceeded",
            &format!("retry after {} s", ms.div_euclid(1000).max(1)),
        ),
        Ok(events) if context == REPLY => {
            let reply = events.iter().find_map(|e| match &e.payload {
                Payload::Interaction(i) => Some((e.at, i)),
                _ => None,
            });
            match reply {
                Some((at, i)) => HttpResponse::json(
                    200,
                    &json!({
                        "kind": "youtube#comment",
                        "etag": etag(&i.id),
                        "id": i.id,
                        "snippet": {
                            "parentId": i.parent_id,
                            "textOriginal": i.text,
                            "textDisplay": i.text,
                            "authorDisplayName": i.author.display_name,
                            "authorProfileImageUrl": i.author.avatar_url,
                            "authorChannelId": { "value": i.author.id },
                            "likeCount": 0,
                            "publishedAt": rfc3339(at),
                            "updatedAt": rfc3339(at),
                        }
                    }),
                ),
                None => error(500, "backendError", "the reply produced no comment"),
            }
        }
        Ok(_) => error(500, "backendError", "unknown request context"),
    }
}

/// `channels.list`: `mine=true` (the account itself) or `id=` its channel
/// id; `part` picks among `id`, `snippet`, `statistics`.
fn channels(yt: &YouTube, query: &Query) -> HttpResponse {
    let Some(part) = query.get("part") else {
        return error(400, "required", "Required parameter: part");
    };
    let parts: Vec<&str> = part.split(',').map(str::trim).collect();
    if let Some(bad) = parts
        .iter()
        .find(|p| !["id", "snippet", "statistics"].contains(p))
    {
        return error(
            400,
            "unknownPart",
            &format!("'{bad}' is not a valid value for part (served: id, snippet, statistics)"),
        );
    }
    let mine = query.get("mine") == Some("true");
    let by_id = query.get("id");
    if !mine && by_id.is_none() {
        return error(
            400,
            "missingRequiredParameter",
            "No filter selected. Expected one of: id, mine",
        );
    }
    let creator = &yt.creator;
    let matches = mine || by_id.is_some_and(|ids| ids.split(',').any(|id| id == creator.id));
    let mut items = Vec::new();
    if matches {
        let mut item = json!({
            "kind": "youtube#channel",
            "etag": etag(&format!("{}:{}", creator.id, yt.subscribers.audience_reported)),
            "id": creator.id,
        });
        if parts.contains(&"snippet") {
            item["snippet"] = json!({
                "title": creator.display_name,
                "customUrl": format!("@{}", creator.handle.trim_start_matches('@')),
                "thumbnails": { "default": { "url": creator.avatar_url } },
            });
        }
        if parts.contains(&"statistics") {
            let (views, videos) = yt
                .videos
                .iter()
                .filter(|v| v.kind.is_upload())
                .fold((0i64, 0u64), |(views, n), v| {
                    (views.saturating_add(v.reported[0]), n + 1)
                });
            item["statistics"] = json!({
                "viewCount": views.to_string(),
                "subscriberCount": yt.subscribers.audience_reported.to_string(),
                "hiddenSubscriberCount": false,
                "videoCount": videos.to_string(),
            });
        }
        items.push(item);
    }
    HttpResponse::json(
        200,
        &json!({
            "kind": "youtube#channelListResponse",
            "etag": etag(&format!("list:{}:{}", creator.id, items.len())),
            "pageInfo": { "totalResults": items.len(), "resultsPerPage": 5 },
            "items": items,
        }),
    )
}

/// `comments.insert`: a reply to a top-level comment
/// (`snippet.parentId`, `snippet.textOriginal`) is the `reply` action.
fn comments_insert(request: &HttpRequest, query: &Query) -> NativeOutcome {
    if query.get("part").is_none() {
        return NativeOutcome::Respond(error(400, "required", "Required parameter: part"));
    }
    let body: Value = match serde_json::from_slice(&request.body) {
        Ok(v) => v,
        Err(e) => {
            return NativeOutcome::Respond(error(
                400,
                "parseError",
                &format!("the request body is not JSON: {e}"),
            ))
        }
    };
    let snippet = &body["snippet"];
    let (Some(parent), Some(text)) = (
        snippet["parentId"].as_str(),
        snippet["textOriginal"].as_str(),
    ) else {
        return NativeOutcome::Respond(error(
            400,
            "invalidCommentMetadata",
            "a reply needs snippet.parentId and snippet.textOriginal",
        ));
    };
    NativeOutcome::Act(NativeAct {
        action: Action {
            kind: "reply".into(),
            params: json!({ "comment_id": parent, "text": text }).to_string(),
        },
        context: REPLY.into(),
    })
}

/// The API's error shape.
fn error(status: u16, reason: &str, message: &str) -> HttpResponse {
    HttpResponse::json(
        status,
        &json!({
            "error": {
                "code": status,
                "message": message,
                "errors": [{ "message": message, "domain": "youtube.api", "reason": reason }],
            }
        }),
    )
}

/// A stable entity tag for a resource's state.
fn etag(seed: &str) -> String {
    // FNV-1a: stable across builds and platforms, unlike std's hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn rfc3339(at: diorama_sdk::Millis) -> String {
    chrono::DateTime::from_timestamp_millis(at)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// A query string's parameters, percent-decoded.
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(raw: &str) -> Query {
        Query(
            form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}
