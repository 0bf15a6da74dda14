//! The TikTok API v2, as far as this simulator serves it, in TikTok's own
//! wire format: every answer is `{"data": {...}, "error": {"code",
//! "message", "log_id"}}`, `code` `ok` on success, and the HTTP status and
//! code of TikTok's error table otherwise.
//!
//! Served (paths below `https://open.tiktokapis.com`):
//!
//! - `GET /v2/user/info/?fields=...`: the account (Display API).
//! - `POST /v2/video/list/?fields=...` {cursor, max_count}: the account's
//!   videos, newest first, paged by creation time.
//! - `POST /v2/video/query/?fields=...` {filters: {video_ids}}.
//! - The Content Posting API's direct post:
//!   `POST /v2/post/publish/creator_info/query/`,
//!   `POST /v2/post/publish/video/init/` (`PULL_FROM_URL` or
//!   `FILE_UPLOAD`; either publishes the video as the `publish` action
//!   does), the upload itself (`PUT` to the `upload_url` it answers, with
//!   the access token, which TikTok's upload host does not ask for) and
//!   `POST /v2/post/publish/status/fetch/`.
//! - `POST /v2/research/video/comment/list/?fields=...` {video_id or
//!   comment_id, max_count, cursor}: comments as the Research API shapes
//!   them, from the account's last [`REMEMBERED`] comments and replies.
//!
//! Paths of the API this simulator does not serve are a 501, other paths a
//! 404, both in the envelope. A request the host marks as carrying no or a
//! wrong access token ([`CREDENTIALS_HEADER`]) is TikTok's 401
//! `access_token_invalid`.

use std::collections::VecDeque;

use diorama_sdk::{
    Action, ActionError, Event, HttpRequest, HttpResponse, Millis, NativeAct, NativeOutcome,
    Payload,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::video::Video;
use crate::{TikTok, VIDEO_LIMIT};

/// How many of the account's most recent comments and replies the
/// Research API's comment listing can return (older ones are forgotten).
pub const REMEMBERED: usize = 1000;

/// The header the host sets on a request without a valid access token:
/// `missing` or `invalid`.
pub const CREDENTIALS_HEADER: &str = "x-diorama-credentials";

/// The most videos `video/list` and `video/query` answer at once.
const MAX_VIDEOS: usize = 20;
/// The most comments `comment/list` answers at once, and its default.
const MAX_COMMENTS: usize = 100;
const DEFAULT_COMMENTS: usize = 10;
/// A caption's limit, in UTF-16 code units.
const MAX_TITLE: usize = 2200;
/// A `FILE_UPLOAD`'s limits: at most 4 GB, chunks of 5 MB to 64 MB (a video
/// under 5 MB goes in one chunk of its size), at most 1000 chunks.
const MAX_VIDEO_BYTES: u64 = 4 << 30;
const MIN_CHUNK: u64 = 5 << 20;
const MAX_CHUNK: u64 = 64 << 20;
const MAX_CHUNKS: u64 = 1000;
/// The longest video the creator may post, in seconds.
const MAX_DURATION: u32 = 600;

const PRIVACY_LEVELS: [&str; 4] = [
    "PUBLIC_TO_EVERYONE",
    "MUTUAL_FOLLOW_FRIENDS",
    "FOLLOWER_OF_CREATOR",
    "SELF_ONLY",
];

const USER_FIELDS: [&str; 14] = [
    "open_id",
    "union_id",
    "avatar_url",
    "avatar_url_100",
    "avatar_large_url",
    "display_name",
    "bio_description",
    "profile_deep_link",
    "is_verified",
    "username",
    "follower_count",
    "following_count",
    "likes_count",
    "video_count",
];

const VIDEO_FIELDS: [&str; 15] = [
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "height",
    "width",
    "title",
    "embed_html",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
];

const COMMENT_FIELDS: [&str; 7] = [
    "id",
    "video_id",
    "text",
    "like_count",
    "reply_count",
    "parent_comment_id",
    "create_time",
];

/// Paths of the API v2 this simulator does not serve yet: a 501.
const NOT_SIMULATED: [&str; 12] = [
    "/v2/oauth/token/",
    "/v2/oauth/revoke/",
    "/v2/post/publish/inbox/video/init/",
    "/v2/post/publish/content/init/",
    "/v2/post/publish/cancel/",
    "/v2/research/video/query/",
    "/v2/research/user/info/",
    "/v2/research/user/liked_videos/",
    "/v2/research/user/pinned_videos/",
    "/v2/research/user/followers/",
    "/v2/research/user/following/",
    "/v2/research/user/reposted_videos/",
];

/// The upload path a `FILE_UPLOAD`'s `upload_url` points at (below the
/// API root the request came through).
const UPLOAD_PATH: &str = "/upload/video/";

/// `video/init`'s context: how the video came.
const INIT_URL: &str = "video.init.url";
const INIT_FILE: &str = "video.init.file";

/// A comment or reply, remembered for the comment listing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Said {
    pub id: String,
    pub video: String,
    /// The comment it answers; `None` for a top-level comment.
    pub parent: Option<String>,
    pub text: String,
    pub at: Millis,
}

/// The account's last [`REMEMBERED`] comments and replies, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Remembered(VecDeque<Said>);

impl Remembered {
    /// Remember the comments and replies among `events`.
    pub fn note(&mut self, events: &[Event]) {
        for e in events {
            let Payload::Interaction(i) = &e.payload else {
                continue;
            };
            if !matches!(i.kind.as_str(), "comment" | "reply") {
                continue;
            }
            let Some(video) = &i.content_id else {
                continue;
            };
            if self.0.len() == REMEMBERED {
                self.0.pop_front();
            }
            self.0.push_back(Said {
                id: i.id.clone(),
                video: video.clone(),
                parent: i.parent_id.clone(),
                text: i.text.clone(),
                at: e.at,
            });
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// TikTok's answer to a request the account's health refuses, in its
/// Content Posting API's codes: while action-blocked, 403
/// `spam_risk_too_many_posts`; while suspended, 403
/// `spam_risk_user_banned_from_posting`.
pub fn health_refusal(
    at: Millis,
    request: &HttpRequest,
    state: diorama_sdk::kit::health::State,
    message: &str,
) -> HttpResponse {
    let r = Request::new(at, request);
    match state {
        diorama_sdk::kit::health::State::Suspended => r.error(
            403,
            "spam_risk_user_banned_from_posting",
            &format!("The user is banned from making new posts. ({message})"),
        ),
        _ => r.error(
            403,
            "spam_risk_too_many_posts",
            &format!("The user has reached the cap on actions for now. ({message})"),
        ),
    }
}

/// Answer a request against the account's state at `at`.
pub fn handle(tt: &TikTok, at: Millis, request: &HttpRequest) -> NativeOutcome {
    let r = Request::new(at, request);
    if let Some(why) = r.header(CREDENTIALS_HEADER) {
        let message = if why == "missing" {
            "The access token is not found in the request."
        } else {
            "The access token is invalid or not found in the request."
        };
        return NativeOutcome::Respond(r.error(401, "access_token_invalid", message));
    }
    // An error the host injects (a fault), in TikTok's envelope.
    let fault = r
        .header("x-diorama-fault")
        .and_then(|v| v.parse::<u16>().ok());
    if let Some((status, code, message)) = fault.and_then(|s| match s {
        429 => Some((
            s,
            "rate_limit_exceeded",
            "The API rate limit was exceeded. Please try again later.",
        )),
        500 | 502 | 503 | 504 => Some((
            s,
            "internal_error",
            "Something went wrong. Please try again later.",
        )),
        _ => None,
    }) {
        return NativeOutcome::Respond(r.error(status, code, message));
    }
    let path = request.path.as_str();
    let answer = match (request.method.as_str(), path) {
        ("GET", "/v2/user/info/") => user_info(tt, &r),
        ("POST", "/v2/video/list/") => video_list(tt, &r),
        ("POST", "/v2/video/query/") => video_query(tt, &r),
        ("POST", "/v2/post/publish/creator_info/query/") => creator_info(tt, &r),
        ("POST", "/v2/post/publish/video/init/") => return video_init(tt, &r),
        ("POST", "/v2/post/publish/status/fetch/") => status_fetch(tt, &r),
        ("PUT", UPLOAD_PATH) => upload(tt, &r),
        ("POST", "/v2/research/video/comment/list/") => comment_list(tt, &r),
        (
            _,
            "/v2/user/info/"
            | "/v2/video/list/"
            | "/v2/video/query/"
            | "/v2/post/publish/creator_info/query/"
            | "/v2/post/publish/video/init/"
            | "/v2/post/publish/status/fetch/"
            | "/v2/research/video/comment/list/"
            | UPLOAD_PATH,
        ) => Err(r.error(
            405,
            "invalid_params",
            &format!("{} is not allowed on {path}", request.method),
        )),
        (_, p) if NOT_SIMULATED.contains(&p) => Err(r.error(
            501,
            "not_implemented",
            &format!(
                "{} {path} is a TikTok API endpoint this simulator does not serve yet",
                request.method
            ),
        )),
        _ => Err(r.error(
            404,
            "not_found",
            &format!("no such API endpoint: {} {path}", request.method),
        )),
    };
    NativeOutcome::Respond(answer.unwrap_or_else(|e| e))
}

/// Shape the answer to a request that acted.
pub fn finish(at: Millis, context: &str, outcome: Result<&[Event], &ActionError>) -> HttpResponse {
    let r = Request::at(at, context);
    match outcome {
        Err(ActionError::RateLimited(_)) => r.error(
            403,
            "spam_risk_too_many_posts",
            &format!("The daily post cap of {VIDEO_LIMIT} videos for this creator is reached."),
        ),
        Err(ActionError::Invalid(m)) => r.error(400, "invalid_params", m),
        Err(ActionError::NotFound(m)) => r.error(400, "invalid_params", m),
        Ok(events) => {
            let video = events.iter().find_map(|e| match &e.payload {
                Payload::Content(c) => Some(c.id.as_str()),
                _ => None,
            });
            let Some(video) = video else {
                return r.error(500, "internal_error", "the post produced no video");
            };
            match context.split('\n').collect::<Vec<_>>().as_slice() {
                [INIT_FILE, base, sizes] => {
                    let (size, chunk) = sizes.split_once(' ').unwrap_or(("0", "0"));
                    r.ok(json!({
                        "publish_id": publish_id(INIT_FILE, video),
                        "upload_url": format!(
                            "{base}{UPLOAD_PATH}?upload_id={video}&upload_token={size}.{chunk}"
                        ),
                    }))
                }
                [INIT_URL] => r.ok(json!({ "publish_id": publish_id(INIT_URL, video) })),
                _ => r.error(500, "internal_error", "unknown request context"),
            }
        }
    }
}

/// `user/info`: the account's fields asked for.
fn user_info(tt: &TikTok, r: &Request) -> Result<HttpResponse, HttpResponse> {
    let fields = r.fields(&USER_FIELDS)?;
    let c = tt.creator();
    let handle = c.handle.trim_start_matches('@');
    let mut user = Map::new();
    for f in fields {
        let v = match f {
            "open_id" => json!(open_id(&c.id)),
            "union_id" => json!(format!("u{}", open_id(&c.id))),
            "avatar_url" | "avatar_url_100" | "avatar_large_url" => json!(c.avatar_url),
            "display_name" => json!(c.display_name),
            "bio_description" => json!(""),
            "profile_deep_link" => json!(format!("https://www.tiktok.com/@{handle}")),
            "is_verified" => json!(c.verified),
            "username" => json!(handle),
            "follower_count" => json!(tt.followers_reported()),
            "following_count" => json!(0),
            "likes_count" => json!(tt
                .videos()
                .iter()
                .fold(0i64, |n, v| n.saturating_add(v.reported[1]))),
            "video_count" => json!(tt.videos().len()),
            _ => continue,
        };
        user.insert(f.to_string(), v);
    }
    Ok(r.ok(json!({ "user": user })))
}

/// `video/list`: the account's videos, newest first, created before
/// `cursor` (unix milliseconds; none: from the newest).
fn video_list(tt: &TikTok, r: &Request) -> Result<HttpResponse, HttpResponse> {
    let fields = r.fields(&VIDEO_FIELDS)?;
    let body = r.body_object()?;
    let max = r.count(&body, "max_count", MAX_VIDEOS, MAX_VIDEOS)?;
    let cursor = match body.get("cursor") {
        None | Some(Value::Null) => Millis::MAX,
        Some(v) => r
            .int(v)
            .filter(|c| *c >= 0)
            .ok_or_else(|| r.invalid("cursor must be a unix time in milliseconds"))?,
    };
    let videos: Vec<&Video> = tt
        .videos()
        .iter()
        .rev()
        .filter(|v| v.published < cursor)
        .take(max + 1)
        .collect();
    let has_more = videos.len() > max;
    let page = &videos[..videos.len().min(max)];
    let next = page.last().map_or(0, |v| v.published);
    let items: Vec<Value> = page.iter().map(|v| video(tt, v, &fields)).collect();
    Ok(r.ok(json!({ "videos": items, "cursor": next, "has_more": has_more })))
}

/// `video/query`: the account's videos among `filters.video_ids`.
fn video_query(tt: &TikTok, r: &Request) -> Result<HttpResponse, HttpResponse> {
    let fields = r.fields(&VIDEO_FIELDS)?;
    let body = r.body_object()?;
    let ids = body
        .get("filters")
        .and_then(|f| f.get("video_ids"))
        .and_then(Value::as_array)
        .ok_or_else(|| r.invalid("filters.video_ids must be a list of video ids"))?;
    if ids.is_empty() || ids.len() > MAX_VIDEOS {
        return Err(r.invalid(&format!(
            "filters.video_ids must hold 1 to {MAX_VIDEOS} ids (got {})",
            ids.len()
        )));
    }
    let mut wanted = Vec::with_capacity(ids.len());
    for id in ids {
        let id = r
            .id(id)
            .ok_or_else(|| r.invalid("filters.video_ids must be a list of video ids"))?;
        wanted.push(id);
    }
    let items: Vec<Value> = tt
        .videos()
        .iter()
        .rev()
        .filter(|v| wanted.contains(&v.id))
        .map(|v| video(tt, v, &fields))
        .collect();
    Ok(r.ok(json!({ "videos": items })))
}

/// One video's fields.
fn video(tt: &TikTok, v: &Video, fields: &[&str]) -> Value {
    let handle = tt.creator().handle.trim_start_matches('@');
    let share = format!("https://www.tiktok.com/@{handle}/video/{}", v.id);
    let embed = format!("https://www.tiktok.com/player/v1/{}", v.id);
    let mut out = Map::new();
    for &f in fields {
        let value = match f {
            "id" => json!(v.id),
            "create_time" => json!(v.published.div_euclid(1000)),
            "cover_image_url" => json!(format!(
                "https://p16-sign.tiktokcdn-us.com/obj/tos-useast5-p-0068/{}.jpeg",
                v.id
            )),
            "share_url" => json!(share),
            "video_description" => json!(v.caption),
            "duration" => json!(v.seconds),
            "height" => json!(1920),
            "width" => json!(1080),
            "title" => json!(v.title()),
            "embed_html" => json!(format!(
                "<blockquote class=\"tiktok-embed\" cite=\"{share}\" data-video-id=\"{}\"></blockquote>",
                v.id
            )),
            "embed_link" => json!(embed),
            "view_count" => json!(v.reported[0]),
            "like_count" => json!(v.reported[1]),
            "comment_count" => json!(v.reported[2]),
            "share_count" => json!(v.reported[3]),
            _ => continue,
        };
        out.insert(f.to_string(), value);
    }
    Value::Object(out)
}

/// `creator_info/query`: who posts, and what they may choose. A creator
/// at the daily post cap is told so, as TikTok does.
fn creator_info(tt: &TikTok, r: &Request) -> Result<HttpResponse, HttpResponse> {
    if tt.publish_wait(r.at).is_some() {
        return Err(r.error(
            403,
            "spam_risk_too_many_posts",
            &format!("The daily post cap of {VIDEO_LIMIT} videos for this creator is reached."),
        ));
    }
    let c = tt.creator();
    Ok(r.ok(json!({
        "creator_avatar_url": c.avatar_url,
        "creator_username": c.handle.trim_start_matches('@'),
        "creator_nickname": c.display_name,
        "privacy_level_options": PRIVACY_LEVELS,
        "comment_disabled": false,
        "duet_disabled": false,
        "stitch_disabled": false,
        "max_video_post_duration_sec": MAX_DURATION,
    })))
}

/// `video/init`: check the post and its source, then publish it as the
/// `publish` action does.
fn video_init(tt: &TikTok, r: &Request) -> NativeOutcome {
    let _ = tt;
    match init_act(r) {
        Ok(act) => NativeOutcome::Act(act),
        Err(e) => NativeOutcome::Respond(e),
    }
}

fn init_act(r: &Request) -> Result<NativeAct, HttpResponse> {
    let body = r.body_object()?;
    let post = match body.get("post_info") {
        Some(Value::Object(p)) => p.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err(r.invalid("post_info must be an object")),
    };
    let privacy = post
        .get("privacy_level")
        .and_then(Value::as_str)
        .ok_or_else(|| r.invalid("post_info.privacy_level is required"))?;
    if !PRIVACY_LEVELS.contains(&privacy) {
        return Err(r.error(
            400,
            "privacy_level_option_mismatch",
            &format!(
                "post_info.privacy_level `{privacy}` is not one of the creator's privacy_level_options"
            ),
        ));
    }
    let title = match post.get("title") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if t.encode_utf16().count() <= MAX_TITLE => Some(t.clone()),
        Some(Value::String(_)) => {
            return Err(r.invalid(&format!(
                "post_info.title is longer than {MAX_TITLE} UTF-16 characters"
            )))
        }
        Some(_) => return Err(r.invalid("post_info.title must be a string")),
    };
    for flag in ["disable_duet", "disable_comment", "disable_stitch"] {
        if post
            .get(flag)
            .is_some_and(|v| !v.is_boolean() && !v.is_null())
        {
            return Err(r.invalid(&format!("post_info.{flag} must be a boolean")));
        }
    }
    let source = match body.get("source_info") {
        Some(Value::Object(s)) => s,
        _ => return Err(r.invalid("source_info is required")),
    };
    let context = match source.get("source").and_then(Value::as_str) {
        Some("PULL_FROM_URL") => {
            let url = source
                .get("video_url")
                .and_then(Value::as_str)
                .ok_or_else(|| r.invalid("source_info.video_url is required for PULL_FROM_URL"))?;
            if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2048 {
                return Err(r.invalid(
                    "source_info.video_url must be an http(s) URL of at most 2048 characters",
                ));
            }
            INIT_URL.to_string()
        }
        Some("FILE_UPLOAD") => {
            let size = r.positive(source, "video_size")?;
            let chunk = r.positive(source, "chunk_size")?;
            let chunks = r.positive(source, "total_chunk_count")?;
            check_chunks(size, chunk, chunks).map_err(|m| r.invalid(&m))?;
            format!("{INIT_FILE}\n{}\n{size} {chunk}", r.base())
        }
        Some(other) => {
            return Err(r.invalid(&format!(
                "source_info.source must be PULL_FROM_URL or FILE_UPLOAD (got `{other}`)"
            )))
        }
        None => return Err(r.invalid("source_info.source is required")),
    };
    let mut params = json!({ "kind": "video" });
    if let Some(t) = title {
        params["caption"] = json!(t);
    }
    Ok(NativeAct {
        action: Action {
            kind: "publish".into(),
            params: params.to_string(),
        },
        context,
    })
}

/// TikTok's chunking rules: chunks of 5 MB to 64 MB (a video under 5 MB
/// in one chunk of its size), the last chunk taking the remainder (up to
/// 128 MB), at most 1000 chunks.
fn check_chunks(size: u64, chunk: u64, chunks: u64) -> Result<(), String> {
    if size > MAX_VIDEO_BYTES {
        return Err(format!(
            "source_info.video_size must be at most {MAX_VIDEO_BYTES} bytes"
        ));
    }
    if size < MIN_CHUNK {
        if chunk != size || chunks != 1 {
            return Err("a video under 5 MB is uploaded in one chunk: source_info.chunk_size must equal video_size and total_chunk_count be 1".into());
        }
        return Ok(());
    }
    if !(MIN_CHUNK..=MAX_CHUNK).contains(&chunk) {
        return Err(format!(
            "source_info.chunk_size must be between {MIN_CHUNK} and {MAX_CHUNK} bytes"
        ));
    }
    let expected = (size / chunk).max(1);
    if chunks != expected || expected > MAX_CHUNKS {
        return Err(format!(
            "source_info.total_chunk_count must be {expected} (video_size / chunk_size, rounded down, at most {MAX_CHUNKS})"
        ));
    }
    Ok(())
}

/// The upload of a `FILE_UPLOAD`: the chunk's `Content-Range` must fit the
/// size given at init and the body must be that long. The video was
/// published at init; the bytes are checked and dropped.
fn upload(tt: &TikTok, r: &Request) -> Result<HttpResponse, HttpResponse> {
    let id = r.query("upload_id").unwrap_or_default();
    let token = r.query("upload_token").unwrap_or_default();
    let sizes = token
        .split_once('.')
        .and_then(|(s, c)| Some((s.parse::<u64>().ok()?, c.parse::<u64>().ok()?)));
    let Some((size, _chunk)) = sizes.filter(|_| tt.videos().iter().any(|v| v.id == id)) else {
        return Err(r.error(
            404,
            "invalid_params",
            "upload_id and upload_token do not name an upload of this creator",
        ));
    };
    let range = r.header("content-range").unwrap_or_default();
    let parsed = range
        .strip_prefix("bytes ")
        .and_then(|s| s.split_once('/'))
        .and_then(|(span, total)| {
            let (a, b) = span.split_once('-')?;
            Some((
                a.parse::<u64>().ok()?,
                b.parse::<u64>().ok()?,
                total.parse::<u64>().ok()?,
            ))
        });
    let Some((first, last, total)) = parsed else {
        return Err(r.error(
            400,
            "invalid_file_upload",
            "Content-Range must be `bytes FIRST-LAST/TOTAL`",
        ));
    };
    if total != size || first > last || last >= size {
        return Err(r.error(
            416,
            "invalid_file_upload",
            &format!("Content-Range {range} does not fit the video of {size} bytes"),
        ));
    }
    let len = r.request.body.len() as u64;
    if len != last - first + 1 {
        return Err(r.error(
            400,
            "invalid_file_upload",
            &format!(
                "the chunk has {len} bytes where Content-Range says {}",
                last - first + 1
            ),
        ));
    }
    let status = if last + 1 == size { 201 } else { 206 };
    Ok(HttpResponse {
        status,
        headers: vec![("x-tt-logid".into(), r.log_id.clone())],
        body: Vec::new(),
    })
}

/// `status/fetch`: a video posted through `video/init` is complete and
/// public as soon as it is published.
fn status_fetch(tt: &TikTok, r: &Request) -> Result<HttpResponse, HttpResponse> {
    let body = r.body_object()?;
    let id = body
        .get("publish_id")
        .and_then(Value::as_str)
        .ok_or_else(|| r.invalid("publish_id is required"))?;
    let video = [INIT_URL, INIT_FILE]
        .iter()
        .find_map(|kind| id.strip_prefix(publish_prefix(kind)))
        .and_then(|v| tt.videos().iter().find(|x| x.id == v));
    let Some(v) = video else {
        return Err(r.invalid(&format!("publish_id `{id}` is not a post of this creator")));
    };
    let post_id: Value =
        v.id.parse::<u64>()
            .map_or_else(|_| json!(v.id), |n| json!(n));
    Ok(r.ok(json!({
        "status": "PUBLISH_COMPLETE",
        "fail_reason": "",
        "publicaly_available_post_id": [post_id],
        "uploaded_bytes": 0,
    })))
}

/// The Research API's comment listing: the comments under `video_id`
/// (top-level ones, whose parent is the video) or the replies to
/// `comment_id`, oldest first, `cursor` an index into them.
fn comment_list(tt: &TikTok, r: &Request) -> Result<HttpResponse, HttpResponse> {
    let fields = r.fields(&COMMENT_FIELDS)?;
    let body = r.body_object()?;
    let video = body.get("video_id").filter(|v| !v.is_null());
    let comment = body.get("comment_id").filter(|v| !v.is_null());
    let (video, comment) = match (video, comment) {
        (Some(v), None) => (
            Some(
                r.id(v)
                    .ok_or_else(|| r.invalid("video_id must be a video id"))?,
            ),
            None,
        ),
        (None, Some(c)) => (
            None,
            Some(
                r.id(c)
                    .ok_or_else(|| r.invalid("comment_id must be a comment id"))?,
            ),
        ),
        _ => return Err(r.invalid("exactly one of video_id and comment_id is required")),
    };
    let max = r.count(&body, "max_count", MAX_COMMENTS, DEFAULT_COMMENTS)?;
    let cursor = match body.get("cursor") {
        None | Some(Value::Null) => 0,
        Some(v) => r
            .int(v)
            .filter(|c| (0..=REMEMBERED as i64).contains(c))
            .ok_or_else(|| r.invalid(&format!("cursor must be an index from 0 to {REMEMBERED}")))?
            as usize,
    };
    let said = &tt.remembered().0;
    let matching = said.iter().filter(|s| match (&video, &comment) {
        (Some(v), _) => s.video == *v && s.parent.is_none(),
        (_, Some(c)) => s.parent.as_deref() == Some(c.as_str()),
        _ => false,
    });
    let mut page = Vec::with_capacity(max);
    let mut has_more = false;
    for (i, s) in matching.enumerate().skip(cursor) {
        if i >= cursor + max {
            has_more = true;
            break;
        }
        let mut out = Map::new();
        for &f in &fields {
            let v = match f {
                "id" => json!(s.id),
                "video_id" => json!(s.video),
                "text" => json!(s.text),
                "like_count" => json!(0),
                "reply_count" => {
                    json!(said
                        .iter()
                        .filter(|x| x.parent.as_deref() == Some(s.id.as_str()))
                        .count())
                }
                "parent_comment_id" => json!(s.parent.as_deref().unwrap_or(&s.video)),
                "create_time" => json!(s.at.div_euclid(1000)),
                _ => continue,
            };
            out.insert(f.to_string(), v);
        }
        page.push(Value::Object(out));
    }
    let next = cursor + page.len();
    Ok(r.ok(json!({ "comments": page, "cursor": next, "has_more": has_more })))
}

fn publish_prefix(kind: &str) -> &'static str {
    if kind == INIT_FILE {
        "v_pub_file~v2."
    } else {
        "v_pub_url~v2."
    }
}

pub(crate) fn publish_id(kind: &str, video: &str) -> String {
    format!("{}{video}", publish_prefix(kind))
}

/// The account's open id: the creator's id as a stable opaque string.
pub(crate) fn open_id(id: &str) -> String {
    format!("-{:016x}{:016x}", fnv(id, 0), fnv(id, 1))
}

/// FNV-1a: stable across builds and platforms, unlike std's hasher.
fn fnv(s: &str, salt: u8) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in std::iter::once(salt).chain(s.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A request being answered, with its log id.
struct Request<'a> {
    at: Millis,
    request: &'a HttpRequest,
    query: Vec<(String, String)>,
    log_id: String,
}

static EMPTY: HttpRequest = HttpRequest {
    method: String::new(),
    path: String::new(),
    query: String::new(),
    headers: Vec::new(),
    body: Vec::new(),
};

impl<'a> Request<'a> {
    fn new(at: Millis, request: &'a HttpRequest) -> Self {
        let seed = fnv(&request.path, 2)
            ^ fnv(&request.query, 3).rotate_left(17)
            ^ (request.body.len() as u64).rotate_left(40);
        Request {
            at,
            request,
            query: form_urlencoded::parse(request.query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            log_id: log_id(at, seed),
        }
    }

    /// An answer after an action, which has no request left.
    fn at(at: Millis, context: &str) -> Request<'static> {
        Request {
            at,
            request: &EMPTY,
            query: Vec::new(),
            log_id: log_id(at, fnv(context, 4)),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.request
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

    /// Where the client reached this API: the scheme, host and path prefix
    /// the host forwards.
    fn base(&self) -> String {
        let proto = self.header("x-forwarded-proto").unwrap_or("https");
        let host = self.header("host").unwrap_or("open.tiktokapis.com");
        let prefix = self.header("x-forwarded-prefix").unwrap_or("");
        format!("{proto}://{host}{}", prefix.trim_end_matches('/'))
    }

    /// The `fields` query parameter, each one known; required.
    fn fields(&self, known: &[&'static str]) -> Result<Vec<&'static str>, HttpResponse> {
        let raw = self
            .query("fields")
            .filter(|f| !f.trim().is_empty())
            .ok_or_else(|| self.invalid("fields is required"))?;
        let mut out = Vec::new();
        for f in raw.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            let Some(k) = known.iter().find(|k| **k == f) else {
                return Err(self.invalid(&format!(
                    "Invalid field: `{f}` (fields are {})",
                    known.join(", ")
                )));
            };
            if !out.contains(k) {
                out.push(*k);
            }
        }
        Ok(out)
    }

    /// The body as a JSON object; an empty body is an empty object.
    fn body_object(&self) -> Result<Map<String, Value>, HttpResponse> {
        if self.request.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Map::new());
        }
        match serde_json::from_slice::<Value>(&self.request.body) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(self.invalid("the request body must be a JSON object")),
            Err(e) => Err(self.invalid(&format!("the request body is not valid JSON: {e}"))),
        }
    }

    /// A whole number, as JSON sends it (a number or a decimal string).
    fn int(&self, v: &Value) -> Option<i64> {
        match v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// An id, as a number or a string of digits.
    fn id(&self, v: &Value) -> Option<String> {
        match v {
            Value::Number(n) => n.as_u64().map(|n| n.to_string()),
            Value::String(s) if !s.is_empty() && s.len() <= 32 => Some(s.clone()),
            _ => None,
        }
    }

    /// `max_count`: 1 to `max`, `default` when absent.
    fn count(
        &self,
        body: &Map<String, Value>,
        key: &str,
        max: usize,
        default: usize,
    ) -> Result<usize, HttpResponse> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(v) => self
                .int(v)
                .filter(|n| (1..=max as i64).contains(n))
                .map(|n| n as usize)
                .ok_or_else(|| self.invalid(&format!("{key} must be a number from 1 to {max}"))),
        }
    }

    /// A positive whole number of `source_info`.
    fn positive(&self, map: &Map<String, Value>, key: &str) -> Result<u64, HttpResponse> {
        map.get(key)
            .and_then(|v| self.int(v))
            .filter(|n| *n > 0)
            .map(|n| n as u64)
            .ok_or_else(|| {
                self.invalid(&format!(
                    "source_info.{key} is required for FILE_UPLOAD and must be a positive number"
                ))
            })
    }

    fn ok(&self, data: Value) -> HttpResponse {
        self.envelope(200, data, "ok", "")
    }

    fn invalid(&self, message: &str) -> HttpResponse {
        self.error(400, "invalid_params", message)
    }

    fn error(&self, status: u16, code: &str, message: &str) -> HttpResponse {
        self.envelope(status, json!({}), code, message)
    }

    fn envelope(&self, status: u16, data: Value, code: &str, message: &str) -> HttpResponse {
        let mut r = HttpResponse::json(
            status,
            &json!({
                "data": data,
                "error": { "code": code, "message": message, "log_id": self.log_id },
            }),
        );
        r.headers.push(("x-tt-logid".into(), self.log_id.clone()));
        r
    }
}

/// TikTok's log id: the time (UTC, to the second) and 20 hex digits.
fn log_id(at: Millis, seed: u64) -> String {
    let time = chrono::DateTime::from_timestamp_millis(at)
        .map(|t| t.format("%Y%m%d%H%M%S").to_string())
        .unwrap_or_else(|| "19700101000000".into());
    let mixed = seed ^ (at as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    format!(
        "{time}{:016X}{:04X}",
        mixed,
        (mixed >> 48) as u16 ^ (at as u16)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_follow_tiktoks_rules() {
        assert!(check_chunks(1000, 1000, 1).is_ok());
        assert!(check_chunks(1000, 500, 2).is_err());
        let mb = 1 << 20;
        assert!(check_chunks(50 * mb, 10 * mb, 5).is_ok());
        assert!(check_chunks(52 * mb, 10 * mb, 5).is_ok());
        assert!(check_chunks(52 * mb, 10 * mb, 6).is_err());
        assert!(check_chunks(50 * mb, 4 * mb, 13).is_err());
        assert!(check_chunks(5 << 30, 64 * mb, 80).is_err());
    }

    #[test]
    fn log_ids_are_stable_and_shaped() {
        let a = log_id(1_767_571_200_000, 7);
        assert_eq!(a, log_id(1_767_571_200_000, 7));
        assert_eq!(a.len(), 34, "{a}");
        assert!(a.starts_with("20260105000000"), "{a}");
        assert_ne!(a, log_id(1_767_571_200_000, 8));
    }
}
