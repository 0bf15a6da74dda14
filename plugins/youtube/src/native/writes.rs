//! The methods that change the account: each is one of the plugin's
//! actions (the same `/v1` runs), and [`finish`] shapes the API's answer
//! from the action's outcome.
//!
//! The creator actions added for the API: `comment` {video_id, text} (a
//! top-level comment by the creator), `edit_comment` {comment_id, text}
//! (the creator's own comment), `moderate_comment` {comment_ids,
//! status: "published" | "heldForReview" | "rejected", ban_author?},
//! `delete_comment` {comment_id}, `update_video` {video_id, title?,
//! description?}, `delete_video` {video_id} and `rate` {video_id, rating:
//! "like" | "dislike" | "none"}. Each emits its event: an interaction for a
//! comment, a `likes` metric when a rating changes the count, and a notice
//! (`comment_edited`, `comment_moderated`, `comment_deleted`,
//! `video_updated`, `video_deleted`, `video_rated`) for the others.

use diorama_sdk::kit::actions::Answer;
use diorama_sdk::models::text::Said;
use diorama_sdk::{
    Action, ActionError, Event, HttpRequest, HttpResponse, Interaction, Metric, Millis, NativeAct,
    NativeOutcome, Notice, Payload,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::memory::{clip, Moderation, MAX_COMMENT, MAX_DESCRIPTION, MAX_TITLE};
use super::query::{invalid, Query};
use super::resources;
use super::{body_error, error, param_error, Method, Shape};
use crate::style::CommentId;
use crate::{YouTube, PLATFORM};

/// The actions the API adds to `publish` and `reply`.
pub const ACTIONS: &[&str] = &[
    "comment",
    "edit_comment",
    "moderate_comment",
    "delete_comment",
    "update_video",
    "delete_video",
    "rate",
];

/// What `finish` needs to shape the answer.
#[derive(Serialize, Deserialize)]
pub struct Context {
    pub method: String,
    #[serde(flatten)]
    pub shape: Shape,
}

impl Context {
    pub fn encode(method: Method, shape: &Shape) -> String {
        serde_json::to_string(&Context {
            method: method.name().into(),
            shape: shape.clone(),
        })
        .unwrap_or_default()
    }
}

pub fn act_outcome(method: Method, shape: &Shape, kind: &str, params: Value) -> NativeOutcome {
    NativeOutcome::Act(NativeAct {
        action: Action {
            kind: kind.into(),
            params: params.to_string(),
        },
        context: Context::encode(method, shape),
    })
}

/// The request body as a JSON object, or the API's parse error.
pub fn json_body(request: &HttpRequest) -> Result<Map<String, Value>, HttpResponse> {
    match serde_json::from_slice::<Value>(&request.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(error(
            400,
            "parseError",
            "The request body must be a JSON object.",
        )),
        Err(e) => Err(error(
            400,
            "parseError",
            &format!("This API does not support parsing the request body: {e}"),
        )),
    }
}

/// A string at `path` (dotted) in `body`.
fn text_at<'a>(body: &'a Map<String, Value>, path: &str) -> Option<&'a str> {
    let mut parts = path.split('.');
    let mut v = body.get(parts.next()?)?;
    for p in parts {
        v = v.get(p)?;
    }
    v.as_str()
}

/// A required, non-empty string field of at most `max` characters.
fn required_text<'a>(
    body: &'a Map<String, Value>,
    path: &str,
    reason: &str,
    max: usize,
) -> Result<&'a str, HttpResponse> {
    match text_at(body, path) {
        Some(t) if !t.trim().is_empty() && t.chars().count() <= max => Ok(t),
        Some(t) if !t.trim().is_empty() => Err(body_error(
            400,
            reason,
            &format!("{path} is longer than {max} characters"),
            path,
        )),
        _ => Err(body_error(
            400,
            reason,
            &format!("The request needs a non-empty {path}"),
            path,
        )),
    }
}

pub fn handle(
    yt: &YouTube,
    method: Method,
    request: &HttpRequest,
    q: &Query,
    shape: &Shape,
) -> NativeOutcome {
    match plan(yt, method, request, q, shape) {
        Ok(outcome) => outcome,
        Err(e) => NativeOutcome::Respond(e),
    }
}

fn plan(
    yt: &YouTube,
    method: Method,
    request: &HttpRequest,
    q: &Query,
    shape: &Shape,
) -> Result<NativeOutcome, HttpResponse> {
    use Method::*;
    let act = |kind: &str, params: Value| Ok(act_outcome(method, shape, kind, params));
    match method {
        CommentThreadsInsert => {
            q.only(&[])?;
            shape.parts(resources::THREAD_PARTS)?;
            let body = json_body(request)?;
            let text = required_text(
                &body,
                "snippet.topLevelComment.snippet.textOriginal",
                "invalidCommentMetadata",
                MAX_COMMENT,
            )?;
            let Some(video) = text_at(&body, "snippet.videoId") else {
                if text_at(&body, "snippet.channelId").is_some() {
                    return Err(error(
                        501,
                        "notImplemented",
                        "channel discussion threads (snippet.channelId without snippet.videoId) are not simulated",
                    ));
                }
                return Err(body_error(
                    400,
                    "invalidCommentMetadata",
                    "The request needs snippet.videoId",
                    "snippet.videoId",
                ));
            };
            if yt.native.video(video).is_none() {
                return Err(body_error(
                    404,
                    "videoNotFound",
                    "The video identified by snippet.videoId could not be found.",
                    "snippet.videoId",
                ));
            }
            act("comment", json!({ "video_id": video, "text": text }))
        }
        CommentsInsert => {
            q.only(&[])?;
            shape.parts(resources::COMMENT_PARTS)?;
            let body = json_body(request)?;
            let Some(parent) = text_at(&body, "snippet.parentId") else {
                return Err(body_error(
                    400,
                    "invalidCommentMetadata",
                    "A reply needs snippet.parentId (top-level comments are commentThreads.insert)",
                    "snippet.parentId",
                ));
            };
            let text = required_text(
                &body,
                "snippet.textOriginal",
                "invalidCommentMetadata",
                MAX_COMMENT,
            )?;
            act("reply", json!({ "comment_id": parent, "text": text }))
        }
        CommentsUpdate => {
            q.only(&[])?;
            shape.parts(resources::COMMENT_PARTS)?;
            let body = json_body(request)?;
            let Some(id) = text_at(&body, "id") else {
                return Err(body_error(
                    400,
                    "invalidCommentMetadata",
                    "The request needs the comment's id",
                    "id",
                ));
            };
            let text = required_text(
                &body,
                "snippet.textOriginal",
                "invalidCommentMetadata",
                MAX_COMMENT,
            )?;
            match yt.native.comment(id) {
                None => Err(body_error(
                    404,
                    "commentNotFound",
                    "The comment identified by id could not be found.",
                    "id",
                )),
                Some((_, c)) if c.author_id != yt.creator.id => Err(error(
                    403,
                    "forbidden",
                    "The comment could not be updated: only its author can edit a comment.",
                )),
                Some(_) => act("edit_comment", json!({ "comment_id": id, "text": text })),
            }
        }
        CommentsSetModerationStatus => {
            q.only(&["id", "moderationStatus", "banAuthor"])?;
            let ids: Vec<&str> = q.required("id")?.split(',').map(str::trim).collect();
            if ids.is_empty() || ids.len() > 50 || ids.iter().any(|i| i.is_empty()) {
                return Err(invalid(
                    "id",
                    q.get("id").unwrap_or(""),
                    "1 to 50 comma-separated comment ids",
                ));
            }
            let status = q.required("moderationStatus")?;
            if Moderation::parse(status).is_none() {
                return Err(invalid(
                    "moderationStatus",
                    status,
                    "one of heldForReview, published, rejected",
                ));
            }
            let ban = q.flag("banAuthor")?;
            if ban && status != "rejected" {
                return Err(param_error(
                    400,
                    "banWithoutReject",
                    "banAuthor can only be used with moderationStatus=rejected",
                    "banAuthor",
                ));
            }
            act(
                "moderate_comment",
                json!({ "comment_ids": ids, "status": status, "ban_author": ban }),
            )
        }
        CommentsDelete => {
            q.only(&["id"])?;
            let id = q.required("id")?;
            act("delete_comment", json!({ "comment_id": id }))
        }
        VideosUpdate => {
            q.only(&["onBehalfOfContentOwner"])?;
            let parts = shape.parts(resources::VIDEO_PARTS)?;
            let body = json_body(request)?;
            let Some(id) = text_at(&body, "id") else {
                return Err(body_error(
                    400,
                    "invalidVideoMetadata",
                    "The request needs the video's id",
                    "id",
                ));
            };
            if yt.native.video(id).is_none() {
                return Err(body_error(
                    404,
                    "videoNotFound",
                    "The video that you are trying to update cannot be found.",
                    "id",
                ));
            }
            let mut params = json!({ "video_id": id });
            if parts.iter().any(|p| p == "snippet") {
                let title = required_text(&body, "snippet.title", "invalidTitle", MAX_TITLE)?;
                params["title"] = json!(title);
                // An update replaces the snippet: no description is an empty one.
                let description = text_at(&body, "snippet.description").unwrap_or("");
                if description.len() > MAX_DESCRIPTION {
                    return Err(body_error(
                        400,
                        "invalidDescription",
                        "snippet.description is longer than 5000 bytes",
                        "snippet.description",
                    ));
                }
                params["description"] = json!(description);
            }
            act("update_video", params)
        }
        VideosDelete => {
            q.only(&["id", "onBehalfOfContentOwner"])?;
            let id = q.required("id")?;
            act("delete_video", json!({ "video_id": id }))
        }
        VideosRate => {
            q.only(&["id", "rating"])?;
            let id = q.required("id")?;
            let rating = q.required("rating")?;
            if !["like", "dislike", "none"].contains(&rating) {
                return Err(invalid("rating", rating, "one of like, dislike, none"));
            }
            act("rate", json!({ "video_id": id, "rating": rating }))
        }
        _ => Err(error(500, "backendError", "a read was routed as a write")),
    }
}

/// Shape the answer to a request that acted.
pub fn finish(
    yt: &YouTube,
    context: &str,
    outcome: Result<&[Event], &ActionError>,
) -> HttpResponse {
    let Ok(ctx) = serde_json::from_str::<Context>(context) else {
        return error(500, "backendError", "unknown request context");
    };
    let m = ctx.method.as_str();
    let events = match outcome {
        Ok(events) => events,
        Err(ActionError::NotFound(msg)) => {
            let reason = if m.starts_with("youtube.videos") {
                "videoNotFound"
            } else {
                "commentNotFound"
            };
            return error(404, reason, msg);
        }
        Err(ActionError::Invalid(msg)) => return error(400, "invalidValue", msg),
        Err(ActionError::RateLimited(ms)) => {
            let secs = ms.div_euclid(1000).max(1);
            return if m == "youtube.videos.insert" {
                error(
                    400,
                    "uploadLimitExceeded",
                    &format!("The user has exceeded the number of videos they may upload (retry in {secs} s)."),
                )
            } else {
                error(429, "rateLimitExceeded", &format!("retry after {secs} s"))
            };
        }
    };
    let shape = &ctx.shape;
    let parts = |known: &[&str]| {
        shape
            .parts(known)
            .unwrap_or_else(|_| vec!["id".into(), "snippet".into()])
    };
    match m {
        "youtube.comments.insert" | "youtube.comments.update" | "youtube.commentThreads.insert" => {
            let id = events.iter().find_map(|e| match &e.payload {
                Payload::Interaction(i) => Some(i.id.clone()),
                Payload::Notice(n) if n.code == "comment_edited" => {
                    n.message.split('`').nth(1).map(str::to_string)
                }
                _ => None,
            });
            let Some((video, c)) = id.as_deref().and_then(|id| yt.native.comment(id)) else {
                return error(
                    500,
                    "backendError",
                    "the comment is not in the channel's memory",
                );
            };
            if m == "youtube.commentThreads.insert" {
                shape.answer(
                    200,
                    resources::thread(yt, video, c, &[], &parts(resources::THREAD_PARTS), false),
                )
            } else {
                shape.answer(
                    200,
                    resources::comment(yt, video, c, &parts(resources::COMMENT_PARTS), false),
                )
            }
        }
        "youtube.videos.insert" | "youtube.videos.update" => {
            let id = events.iter().find_map(|e| match &e.payload {
                Payload::Content(c) => Some(c.id.clone()),
                Payload::Notice(n) if n.code == "video_updated" => {
                    n.message.split('`').nth(1).map(str::to_string)
                }
                _ => None,
            });
            let Some(meta) = id.as_deref().and_then(|id| yt.native.video(id)) else {
                return error(
                    500,
                    "backendError",
                    "the video is not in the channel's memory",
                );
            };
            let sim = yt.videos.iter().rev().find(|v| v.id == meta.id);
            shape.answer(
                200,
                resources::video(yt, meta, sim, &parts(resources::VIDEO_PARTS)),
            )
        }
        _ => HttpResponse {
            status: 204,
            headers: Vec::new(),
            body: Vec::new(),
        },
    }
}

fn notice(at: Millis, code: &str, message: String) -> Event {
    Event {
        at,
        payload: Payload::Notice(Notice {
            code: code.into(),
            message,
        }),
    }
}

fn object<'a>(action: &str, params: &'a Value) -> Result<&'a Map<String, Value>, ActionError> {
    params
        .as_object()
        .ok_or_else(|| ActionError::Invalid(format!("{PLATFORM}: `{action}` needs a JSON object")))
}

fn known(action: &str, map: &Map<String, Value>, keys: &[&str]) -> Result<(), ActionError> {
    for k in map.keys() {
        if !keys.contains(&k.as_str()) {
            return Err(ActionError::Invalid(format!(
                "{PLATFORM}: unknown `{action}` parameter `{k}` (known: {})",
                keys.join(", ")
            )));
        }
    }
    Ok(())
}

fn string<'a>(
    action: &str,
    map: &'a Map<String, Value>,
    key: &str,
) -> Result<&'a str, ActionError> {
    match map.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        _ => Err(ActionError::Invalid(format!(
            "{PLATFORM}: `{action}` needs a non-empty `{key}` string"
        ))),
    }
}

/// Run one of the API's creator actions; `None` for an action it is not.
pub fn act(
    yt: &mut YouTube,
    at: Millis,
    kind: &str,
    params: &Value,
) -> Option<Result<Vec<Event>, ActionError>> {
    let result = match kind {
        "comment" => comment(yt, at, params),
        "edit_comment" => edit_comment(yt, at, params),
        "moderate_comment" => moderate_comment(yt, at, params),
        "delete_comment" => delete_comment(yt, at, params),
        "update_video" => update_video(yt, at, params),
        "delete_video" => delete_video(yt, at, params),
        "rate" => rate(yt, at, params),
        _ => return None,
    };
    Some(result)
}

fn upload_index(yt: &YouTube, action: &str, id: &str) -> Result<usize, ActionError> {
    match yt.native.video(id) {
        Some(_) => yt.videos.iter().rposition(|v| v.id == id).ok_or_else(|| {
            ActionError::NotFound(format!("{PLATFORM}: no video `{id}` for `{action}`"))
        }),
        None => Err(ActionError::NotFound(format!(
            "{PLATFORM}: no video `{id}` for `{action}`"
        ))),
    }
}

fn comment(yt: &mut YouTube, at: Millis, params: &Value) -> Result<Vec<Event>, ActionError> {
    let map = object("comment", params)?;
    let Answer { to: video_id, text } = Answer::parse(PLATFORM, "comment", "video_id", map)?;
    let text = clip(&text, MAX_COMMENT).to_string();
    let idx = upload_index(yt, "comment", video_id)?;
    let cid = CommentId::random(&mut yt.rng);
    let v = &mut yt.videos[idx];
    // Its words are the creator's own: replies answer it as they would a
    // reaction, not reading into it what it does not say.
    v.remember_thread(cid, Said::default());
    v.comments += 1;
    let content_id = v.id.clone();
    yt.recent.push(cid, idx as u32);
    yt.activate(idx);
    Ok(vec![Event {
        at,
        payload: Payload::Interaction(Interaction {
            id: cid.to_id(),
            kind: "comment".into(),
            content_id: Some(content_id),
            parent_id: None,
            author: yt.creator.clone(),
            text,
            sentiment: None,
            dm_type: None,
        }),
    }])
}

fn edit_comment(yt: &mut YouTube, at: Millis, params: &Value) -> Result<Vec<Event>, ActionError> {
    let map = object("edit_comment", params)?;
    let Answer { to: id, text } = Answer::parse(PLATFORM, "edit_comment", "comment_id", map)?;
    let creator = yt.creator.id.clone();
    let Some(c) = yt.native.comment_mut(id) else {
        return Err(ActionError::NotFound(format!(
            "{PLATFORM}: no recent comment `{id}`"
        )));
    };
    if c.author_id != creator {
        return Err(ActionError::Invalid(format!(
            "{PLATFORM}: `edit_comment`: the comment `{id}` is not the creator's own"
        )));
    }
    c.text = clip(&text, MAX_COMMENT).to_string();
    c.updated = at;
    Ok(vec![notice(
        at,
        "comment_edited",
        format!(
            "{PLATFORM}: the creator edited the comment `{id}`: {}",
            c.text
        ),
    )])
}

fn moderate_comment(
    yt: &mut YouTube,
    at: Millis,
    params: &Value,
) -> Result<Vec<Event>, ActionError> {
    let map = object("moderate_comment", params)?;
    known(
        "moderate_comment",
        map,
        &["comment_ids", "comment_id", "status", "ban_author"],
    )?;
    let mut ids: Vec<&str> = Vec::new();
    if let Some(id) = map.get("comment_id") {
        ids.push(id.as_str().ok_or_else(|| {
            ActionError::Invalid(format!(
                "{PLATFORM}: `moderate_comment` `comment_id` must be a string"
            ))
        })?);
    }
    if let Some(list) = map.get("comment_ids") {
        let list = list.as_array().filter(|l| l.len() <= 50).ok_or_else(|| {
            ActionError::Invalid(format!("{PLATFORM}: `moderate_comment` `comment_ids` must be an array of at most 50 strings"))
        })?;
        for id in list {
            ids.push(id.as_str().ok_or_else(|| {
                ActionError::Invalid(format!(
                    "{PLATFORM}: `moderate_comment` `comment_ids` must hold strings"
                ))
            })?);
        }
    }
    if ids.is_empty() {
        return Err(ActionError::Invalid(format!(
            "{PLATFORM}: `moderate_comment` needs `comment_id` or `comment_ids`"
        )));
    }
    let status_name = string("moderate_comment", map, "status")?;
    let status = Moderation::parse(status_name).ok_or_else(|| {
        ActionError::Invalid(format!(
            "{PLATFORM}: `moderate_comment` `status` must be \"published\", \"heldForReview\" or \"rejected\" (got \"{status_name}\")"
        ))
    })?;
    let ban = match map.get("ban_author") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(ActionError::Invalid(format!(
                "{PLATFORM}: `moderate_comment` `ban_author` must be a boolean (got {other})"
            )))
        }
    };
    if ban && status != Moderation::Rejected {
        return Err(ActionError::Invalid(format!(
            "{PLATFORM}: `moderate_comment` bans an author only with status \"rejected\""
        )));
    }
    // All or nothing: every comment must be remembered.
    if let Some(missing) = ids.iter().find(|id| yt.native.comment(id).is_none()) {
        return Err(ActionError::NotFound(format!(
            "{PLATFORM}: no recent comment `{missing}`"
        )));
    }
    let mut events = Vec::with_capacity(ids.len());
    let mut banned = Vec::new();
    for id in ids {
        if let Some(c) = yt.native.comment_mut(id) {
            c.status = status;
            c.updated = at;
            if ban {
                banned.push(c.author_id.clone());
            }
        }
        events.push(notice(
            at,
            "comment_moderated",
            format!(
                "{PLATFORM}: the creator set the comment `{id}` to {}",
                status.as_str()
            ),
        ));
    }
    // A banned author's other remembered comments are rejected too.
    for v in yt.native.comments.iter_mut() {
        for c in v.items.iter_mut().filter(|c| banned.contains(&c.author_id)) {
            c.status = Moderation::Rejected;
        }
    }
    Ok(events)
}

fn delete_comment(yt: &mut YouTube, at: Millis, params: &Value) -> Result<Vec<Event>, ActionError> {
    let map = object("delete_comment", params)?;
    known("delete_comment", map, &["comment_id"])?;
    let id = string("delete_comment", map, "comment_id")?;
    if !yt.native.forget_comment(id) {
        return Err(ActionError::NotFound(format!(
            "{PLATFORM}: no recent comment `{id}`"
        )));
    }
    // Viewers no longer answer a deleted thread.
    if let Some(cid) = CommentId::parse(id).filter(|_| !id.contains('.')) {
        for v in yt.videos.iter_mut().filter(|v| v.active) {
            v.threads.retain(|t| *t != cid);
        }
    }
    Ok(vec![notice(
        at,
        "comment_deleted",
        format!("{PLATFORM}: the creator deleted the comment `{id}`"),
    )])
}

fn update_video(yt: &mut YouTube, at: Millis, params: &Value) -> Result<Vec<Event>, ActionError> {
    let map = object("update_video", params)?;
    known("update_video", map, &["video_id", "title", "description"])?;
    let id = string("update_video", map, "video_id")?;
    let title = match map.get("title") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if !t.trim().is_empty() => Some(t.as_str()),
        Some(_) => {
            return Err(ActionError::Invalid(format!(
                "{PLATFORM}: `update_video` `title` must be a non-empty string"
            )))
        }
    };
    let description = match map.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(d)) => Some(d.as_str()),
        Some(_) => {
            return Err(ActionError::Invalid(format!(
                "{PLATFORM}: `update_video` `description` must be a string"
            )))
        }
    };
    let Some(meta) = yt.native.video_mut(id) else {
        return Err(ActionError::NotFound(format!(
            "{PLATFORM}: no video `{id}` for `update_video`"
        )));
    };
    if let Some(t) = title {
        meta.title = clip(t, MAX_TITLE * 4).to_string();
    }
    if let Some(d) = description {
        meta.description = clip(d, MAX_DESCRIPTION).to_string();
    }
    meta.updated = at;
    let message = format!(
        "{PLATFORM}: the creator updated the video `{id}`: {}",
        meta.title
    );
    Ok(vec![notice(at, "video_updated", message)])
}

fn delete_video(yt: &mut YouTube, at: Millis, params: &Value) -> Result<Vec<Event>, ActionError> {
    let map = object("delete_video", params)?;
    known("delete_video", map, &["video_id"])?;
    let id = string("delete_video", map, "video_id")?;
    let idx = upload_index(yt, "delete_video", id)?;
    if let Some(meta) = yt.native.video_mut(id) {
        meta.deleted = true;
        meta.updated = at;
    }
    yt.native.comments.retain(|v| v.video != id);
    // A deleted video draws no more audience.
    let v = &mut yt.videos[idx];
    v.active = false;
    v.threads.clear();
    yt.active.retain(|&i| i as usize != idx);
    Ok(vec![notice(
        at,
        "video_deleted",
        format!("{PLATFORM}: the creator deleted the video `{id}`"),
    )])
}

fn rate(yt: &mut YouTube, at: Millis, params: &Value) -> Result<Vec<Event>, ActionError> {
    let map = object("rate", params)?;
    known("rate", map, &["video_id", "rating"])?;
    let id = string("rate", map, "video_id")?;
    let rating = string("rate", map, "rating")?;
    if !["like", "dislike", "none"].contains(&rating) {
        return Err(ActionError::Invalid(format!(
            "{PLATFORM}: `rate` `rating` must be \"like\", \"dislike\" or \"none\" (got \"{rating}\")"
        )));
    }
    let idx = upload_index(yt, "rate", id)?;
    let before = yt.native.rating(id) == "like";
    let after = rating == "like";
    yt.native.set_rating(id, rating);
    let mut events = vec![notice(
        at,
        "video_rated",
        format!("{PLATFORM}: the creator rated the video `{id}`: {rating}"),
    )];
    if before != after {
        let v = &mut yt.videos[idx];
        v.likes += if after { 1 } else { -1 };
        let delta = v.likes - v.reported[1];
        v.reported[1] = v.likes;
        events.push(Event {
            at,
            payload: Payload::Metric(Metric {
                content_id: Some(v.id.clone()),
                name: "likes".into(),
                total: v.likes,
                delta,
            }),
        });
    }
    Ok(events)
}
