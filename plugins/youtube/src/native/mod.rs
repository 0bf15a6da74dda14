//! The YouTube Data API v3, as far as this simulator serves it, in the
//! API's own wire format: resources with `kind` and `etag`, lists with
//! `pageInfo` and `nextPageToken`, counts as decimal strings, `part` and
//! `fields` respected, errors as `{"error": {"code", "message", "errors":
//! [{"message", "domain", "reason", "location"?, "locationType"?}]}}`, and
//! the daily quota in units with the published per-method costs.
//!
//! Paths are below the API root: a client library pointed at
//! `http://HOST/native/youtube/` as its root URL sends them unchanged
//! (`/youtube/v3/...`, uploads `/upload/youtube/v3/videos`).
//!
//! Reads answer from the account's state; writes answer
//! [`NativeOutcome::Act`] with the same action `/v1` runs, and
//! [`finish`] shapes the resource from its events.

pub mod credentials;
pub mod faults;
mod fields;
pub mod memory;
mod query;
mod quota;
mod reads;
mod resources;
mod upload;
mod writes;

pub use memory::Memory;
pub use writes::{act, ACTIONS};

use diorama_sdk::{ActionError, Event, HttpRequest, HttpResponse, Millis, NativeOutcome};
use serde_json::{json, Value};

use crate::YouTube;
use query::Query;

/// The virtual time of a request: the host's, or the end of the channel's
/// last step when the host gives none.
fn now(yt: &YouTube, at: Millis) -> Millis {
    at.max(yt.clock)
}

/// A method of the API this simulator knows, with its quota cost in units
/// (the published costs: a list 1, a search 100, a write 50, an upload
/// 1,600).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    ChannelsList,
    VideosList,
    SearchList,
    PlaylistItemsList,
    CommentThreadsList,
    CommentThreadsInsert,
    CommentsList,
    CommentsInsert,
    CommentsUpdate,
    CommentsSetModerationStatus,
    CommentsDelete,
    VideosInsert,
    VideosUpdate,
    VideosDelete,
    VideosRate,
    VideosGetRating,
}

impl Method {
    pub fn cost(self) -> u32 {
        use Method::*;
        match self {
            ChannelsList | VideosList | PlaylistItemsList | CommentThreadsList | CommentsList
            | VideosGetRating => 1,
            SearchList => 100,
            VideosInsert => 1600,
            CommentThreadsInsert
            | CommentsInsert
            | CommentsUpdate
            | CommentsSetModerationStatus
            | CommentsDelete
            | VideosUpdate
            | VideosDelete
            | VideosRate => 50,
        }
    }

    pub fn name(self) -> &'static str {
        use Method::*;
        match self {
            ChannelsList => "youtube.channels.list",
            VideosList => "youtube.videos.list",
            SearchList => "youtube.search.list",
            PlaylistItemsList => "youtube.playlistItems.list",
            CommentThreadsList => "youtube.commentThreads.list",
            CommentThreadsInsert => "youtube.commentThreads.insert",
            CommentsList => "youtube.comments.list",
            CommentsInsert => "youtube.comments.insert",
            CommentsUpdate => "youtube.comments.update",
            CommentsSetModerationStatus => "youtube.comments.setModerationStatus",
            CommentsDelete => "youtube.comments.delete",
            VideosInsert => "youtube.videos.insert",
            VideosUpdate => "youtube.videos.update",
            VideosDelete => "youtube.videos.delete",
            VideosRate => "youtube.videos.rate",
            VideosGetRating => "youtube.videos.getRating",
        }
    }

    /// The method a request names, if this simulator serves it.
    fn route(method: &str, path: &str) -> Route {
        use Method::*;
        let m = match (method, path) {
            ("GET", "/youtube/v3/channels") => ChannelsList,
            ("GET", "/youtube/v3/videos") => VideosList,
            ("POST", "/youtube/v3/videos")
            | ("POST", "/upload/youtube/v3/videos")
            | ("POST", "/resumable/upload/youtube/v3/videos") => VideosInsert,
            ("PUT", "/upload/youtube/v3/videos" | "/resumable/upload/youtube/v3/videos") => {
                return Route::UploadChunk
            }
            ("PUT", "/youtube/v3/videos") => VideosUpdate,
            ("DELETE", "/youtube/v3/videos") => VideosDelete,
            ("POST", "/youtube/v3/videos/rate") => VideosRate,
            ("GET", "/youtube/v3/videos/getRating") => VideosGetRating,
            ("GET", "/youtube/v3/search") => SearchList,
            ("GET", "/youtube/v3/playlistItems") => PlaylistItemsList,
            ("GET", "/youtube/v3/commentThreads") => CommentThreadsList,
            ("POST", "/youtube/v3/commentThreads") => CommentThreadsInsert,
            ("GET", "/youtube/v3/comments") => CommentsList,
            ("POST", "/youtube/v3/comments") => CommentsInsert,
            ("PUT", "/youtube/v3/comments") => CommentsUpdate,
            ("POST", "/youtube/v3/comments/setModerationStatus") => CommentsSetModerationStatus,
            ("DELETE", "/youtube/v3/comments") => CommentsDelete,
            (_, p) if SERVED_PATHS.contains(&p) => return Route::WrongMethod,
            (_, p)
                if p.starts_with("/youtube/v3/")
                    || p.starts_with("/upload/youtube/v3/")
                    || p.starts_with("/resumable/upload/youtube/v3/") =>
            {
                return Route::Unsimulated
            }
            _ => return Route::Unknown,
        };
        Route::Method(m)
    }
}

const SERVED_PATHS: &[&str] = &[
    "/youtube/v3/channels",
    "/youtube/v3/videos",
    "/upload/youtube/v3/videos",
    "/resumable/upload/youtube/v3/videos",
    "/youtube/v3/videos/rate",
    "/youtube/v3/videos/getRating",
    "/youtube/v3/search",
    "/youtube/v3/playlistItems",
    "/youtube/v3/commentThreads",
    "/youtube/v3/comments",
    "/youtube/v3/comments/setModerationStatus",
];

enum Route {
    Method(Method),
    /// A chunk of a resumable upload (charged when the session started).
    UploadChunk,
    WrongMethod,
    /// A Data API path this simulator does not serve.
    Unsimulated,
    Unknown,
}

/// Answer a request against the channel's state.
pub fn handle(yt: &YouTube, at: Millis, request: &HttpRequest) -> NativeOutcome {
    if let Some(refusal) = credentials::refusal(request) {
        return respond(refusal);
    }
    if let Some(error) = faults::injected(request) {
        return respond(error);
    }
    let path = request.path.trim_end_matches('/');
    let query = match Query::parse(&request.query) {
        Ok(q) => q,
        Err(e) => return respond(e),
    };
    let method = match Method::route(request.method.as_str(), path) {
        Route::Method(m) => m,
        Route::UploadChunk => return upload::chunk(yt, request, &query),
        Route::WrongMethod => {
            return respond(error(
                405,
                "methodNotAllowed",
                &format!("{} is not allowed on {}", request.method, request.path),
            ))
        }
        Route::Unsimulated => {
            return respond(error(
                501,
                "notImplemented",
                &format!(
                    "{} {} is a YouTube Data API method this simulator does not serve",
                    request.method, request.path
                ),
            ))
        }
        Route::Unknown => {
            return respond(error(
                404,
                "notFound",
                &format!(
                    "Not Found: no API method at {} {}",
                    request.method, request.path
                ),
            ))
        }
    };
    if let Err(e) = quota::charge(yt, now(yt, at), method.cost()) {
        return respond(e);
    }
    let shaped = match Shape::parse(&query) {
        Ok(s) => s,
        Err(e) => return respond(e),
    };
    use Method::*;
    match method {
        ChannelsList => reads::channels(yt, &query, &shaped),
        VideosList => reads::videos(yt, &query, &shaped),
        SearchList => reads::search(yt, &query, &shaped),
        PlaylistItemsList => reads::playlist_items(yt, &query, &shaped),
        CommentThreadsList => reads::comment_threads(yt, &query, &shaped),
        CommentsList => reads::comments(yt, &query, &shaped),
        VideosGetRating => reads::get_rating(yt, &query, &shaped),
        VideosInsert => upload::insert(yt, request, &query, &shaped),
        _ => writes::handle(yt, method, request, &query, &shaped),
    }
}

fn respond(r: HttpResponse) -> NativeOutcome {
    NativeOutcome::Respond(r)
}

/// What shapes an answer: the parts asked for and the `fields` selection,
/// kept raw so a write's context can carry them to [`finish`].
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Shape {
    pub part: Option<String>,
    pub fields: Option<String>,
}

impl Shape {
    fn parse(q: &Query) -> Result<Shape, HttpResponse> {
        let fields = q.get("fields").map(str::to_string);
        if let Some(f) = &fields {
            fields::Selection::parse(f).map_err(|e| {
                param_error(
                    400,
                    "invalidParameter",
                    &format!("Invalid field selection {f}: {e}"),
                    "fields",
                )
            })?;
        }
        Ok(Shape {
            part: q.get("part").map(str::to_string),
            fields,
        })
    }

    /// The parts asked for, each one of `known` (in Google's vocabulary
    /// for the resource); `served` are those this simulator fills, the
    /// others are accepted and left out.
    fn parts(&self, known: &[&str]) -> Result<Vec<String>, HttpResponse> {
        let Some(part) = self.part.as_deref() else {
            return Err(param_error(
                400,
                "required",
                "Required parameter: part",
                "part",
            ));
        };
        let mut out = Vec::new();
        for p in part.split(',').map(str::trim) {
            if !known.contains(&p) {
                return Err(param_error(400, "unknownPart", &format!("'{p}'"), "part"));
            }
            if !out.iter().any(|o| o == p) {
                out.push(p.to_string());
            }
        }
        Ok(out)
    }

    /// Answer `body` with the `fields` selection applied.
    fn answer(&self, status: u16, mut body: Value) -> HttpResponse {
        if let Some(sel) = self
            .fields
            .as_deref()
            .and_then(|f| fields::Selection::parse(f).ok())
        {
            sel.apply(&mut body);
        }
        HttpResponse::json(status, &body)
    }
}

/// Shape the answer to a request that acted.
pub fn finish(
    yt: &YouTube,
    context: &str,
    outcome: Result<&[Event], &ActionError>,
) -> HttpResponse {
    writes::finish(yt, context, outcome)
}

/// Google's answer to a request the channel's health refuses: while
/// action-blocked, 403 `rateLimitExceeded` ("The user has sent too many
/// requests in a given amount of time"); while suspended, 403
/// `accountSuspended`, as `channels.list` reports a suspended channel.
pub fn health_refusal(state: diorama_sdk::kit::health::State, message: &str) -> HttpResponse {
    use diorama_sdk::kit::health::State;
    match state {
        State::Suspended => error(
            403,
            "accountSuspended",
            &format!("The YouTube account used to authorize the API request has been suspended. ({message})"),
        ),
        _ => error(
            403,
            "rateLimitExceeded",
            &format!("The user has sent too many requests in a given amount of time. ({message})"),
        ),
    }
}

/// The API's error shape.
pub fn error(status: u16, reason: &str, message: &str) -> HttpResponse {
    HttpResponse::json(status, &error_body(status, reason, message, None))
}

/// An error about one parameter, named as Google names it.
pub fn param_error(status: u16, reason: &str, message: &str, location: &str) -> HttpResponse {
    HttpResponse::json(
        status,
        &error_body(status, reason, message, Some((location, "parameter"))),
    )
}

/// An error about one field of the request body.
pub fn body_error(status: u16, reason: &str, message: &str, field: &str) -> HttpResponse {
    HttpResponse::json(
        status,
        &error_body(status, reason, message, Some((field, "other"))),
    )
}

fn error_body(status: u16, reason: &str, message: &str, at: Option<(&str, &str)>) -> Value {
    let domain = match reason {
        "quotaExceeded" => "youtube.quota",
        "required"
        | "invalidParameter"
        | "unknownPart"
        | "missingRequiredParameter"
        | "invalidPageToken"
        | "unknownParameter" => "youtube.parameter",
        "notFound" | "notImplemented" | "methodNotAllowed" | "parseError" | "badRequest" => {
            "global"
        }
        _ => "youtube.api",
    };
    let mut item = json!({ "message": message, "domain": domain, "reason": reason });
    if let Some((location, kind)) = at {
        item["location"] = json!(location);
        item["locationType"] = json!(kind);
    }
    json!({ "error": { "code": status, "message": message, "errors": [item] } })
}

/// A stable entity tag for a resource's state.
pub fn etag(seed: &str) -> String {
    // FNV-1a: stable across builds and platforms, unlike std's hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut out = String::with_capacity(27);
    diorama_sdk::models::ids::push_bits_b64(&mut out, h >> 4, 10);
    diorama_sdk::models::ids::push_bits_b64(&mut out, h.rotate_left(17) >> 4, 10);
    out
}

pub fn rfc3339(at: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(at)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}
