//! The list methods: answered from the account's state, never acting.

use diorama_sdk::{HttpResponse, NativeOutcome};
use serde_json::{json, Value};

use super::memory::{Moderation, StoredComment, VideoMeta};
use super::query::{invalid, Query};
use super::resources::{self, uploads_playlist};
use super::{error, etag, param_error, Shape};
use crate::YouTube;

/// The most ids one `id=` list may name.
const MAX_IDS: usize = 50;
/// The deepest page reachable by a token (items skipped).
const MAX_OFFSET: usize = 100_000;

type Answer = Result<HttpResponse, HttpResponse>;

fn respond(r: Answer) -> NativeOutcome {
    NativeOutcome::Respond(r.unwrap_or_else(|e| e))
}

/// An opaque page token for the item at `offset`.
pub fn page_token(offset: usize) -> String {
    format!("CB{offset}AA")
}

fn page_offset(q: &Query) -> Result<usize, HttpResponse> {
    let Some(token) = q.get("pageToken").filter(|t| !t.is_empty()) else {
        return Ok(0);
    };
    token
        .strip_prefix("CB")
        .and_then(|t| t.strip_suffix("AA"))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n <= MAX_OFFSET)
        .ok_or_else(|| {
            param_error(
                400,
                "invalidPageToken",
                "The request specifies an invalid page token.",
                "pageToken",
            )
        })
}

/// `ids`, split at commas, at most [`MAX_IDS`].
fn id_list<'a>(key: &str, ids: &'a str) -> Result<Vec<&'a str>, HttpResponse> {
    let list: Vec<&str> = ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if list.is_empty() || list.len() > MAX_IDS {
        return Err(invalid(
            key,
            ids,
            &format!("1 to {MAX_IDS} comma-separated ids"),
        ));
    }
    Ok(list)
}

/// A list response: the page of `items` from `offset`, `per_page` long.
fn list(
    shape: &Shape,
    kind: &str,
    items: Vec<Value>,
    total: usize,
    per_page: usize,
    next: Option<usize>,
    prev: Option<usize>,
) -> HttpResponse {
    shape.answer(200, list_body(kind, items, total, per_page, next, prev))
}

fn list_body(
    kind: &str,
    items: Vec<Value>,
    total: usize,
    per_page: usize,
    next: Option<usize>,
    prev: Option<usize>,
) -> Value {
    let tags: String = items
        .iter()
        .map(|i| i["etag"].as_str().unwrap_or(""))
        .collect();
    let mut body = json!({
        "kind": kind,
        "etag": etag(&format!("{kind}:{tags}")),
    });
    if let Some(n) = next {
        body["nextPageToken"] = json!(page_token(n));
    }
    if let Some(p) = prev {
        body["prevPageToken"] = json!(page_token(p));
    }
    body["pageInfo"] = json!({ "totalResults": total, "resultsPerPage": per_page });
    body["items"] = json!(items);
    body
}

/// The page `[offset, offset + max)` of `all`, with the tokens around it.
fn page<T>(all: Vec<T>, offset: usize, max: usize) -> (Vec<T>, Option<usize>, Option<usize>) {
    let total = all.len();
    let next = (offset + max < total && max > 0).then_some(offset + max);
    let prev = (offset > 0).then(|| offset.saturating_sub(max.max(1)));
    let items = all.into_iter().skip(offset).take(max).collect();
    (items, next, prev)
}

pub fn channels(yt: &YouTube, q: &Query, shape: &Shape) -> NativeOutcome {
    respond((|| {
        q.only(&[
            "mine",
            "id",
            "forHandle",
            "forUsername",
            "managedByMe",
            "maxResults",
            "pageToken",
            "hl",
            "onBehalfOfContentOwner",
        ])?;
        let parts = shape.parts(resources::CHANNEL_PARTS)?;
        let mine = q.flag("mine")?;
        let by_id = q.get("id");
        let by_handle = q.get("forHandle");
        if !mine && by_id.is_none() && by_handle.is_none() {
            if q.get("forUsername").is_some() || q.get("managedByMe").is_some() {
                return Err(error(
                    501,
                    "notImplemented",
                    "channels.list by forUsername or managedByMe is not simulated (mine, id and forHandle are)",
                ));
            }
            return Err(param_error(
                400,
                "missingRequiredParameter",
                "No filter selected. Expected one of: forUsername, managedByMe, mine, mySubscribers, id, forHandle, categoryId, idParam",
                "parameters",
            ));
        }
        let creator = &yt.creator;
        let handle = creator.handle.trim_start_matches('@').to_lowercase();
        let matches = mine
            || by_id.is_some_and(|ids| ids.split(',').any(|id| id.trim() == creator.id))
            || by_handle.is_some_and(|h| h.trim_start_matches('@').to_lowercase() == handle);
        let items: Vec<Value> = if matches {
            vec![resources::channel(yt, &parts)]
        } else {
            Vec::new()
        };
        let n = items.len();
        Ok(list(
            shape,
            "youtube#channelListResponse",
            items,
            n,
            5,
            None,
            None,
        ))
    })())
}

/// The uploads, newest first.
fn uploads(yt: &YouTube) -> impl Iterator<Item = &VideoMeta> {
    yt.native.videos.iter().rev().filter(|m| !m.deleted)
}

fn sim_video<'a>(yt: &'a YouTube, id: &str) -> Option<&'a crate::video::Video> {
    yt.videos.iter().rev().find(|v| v.id == id)
}

pub fn videos(yt: &YouTube, q: &Query, shape: &Shape) -> NativeOutcome {
    respond((|| {
        q.only(&[
            "id",
            "myRating",
            "chart",
            "maxResults",
            "pageToken",
            "hl",
            "regionCode",
            "videoCategoryId",
            "maxHeight",
            "maxWidth",
            "onBehalfOfContentOwner",
        ])?;
        let parts = shape.parts(resources::VIDEO_PARTS)?;
        let max = q.ranged("maxResults", 1, 50, 5)? as usize;
        let metas: Vec<&VideoMeta> = match (q.get("id"), q.get("myRating"), q.get("chart")) {
            (Some(ids), None, None) => id_list("id", ids)?
                .into_iter()
                .filter_map(|id| yt.native.video(id))
                .collect(),
            (None, Some(_), None) => {
                let rating = q.choice("myRating", &["like", "dislike"], "like")?;
                uploads(yt)
                    .filter(|m| yt.native.rating(&m.id) == rating)
                    .collect()
            }
            (None, None, Some(_)) => {
                return Err(error(
                    501,
                    "notImplemented",
                    "videos.list by chart (the platform's most popular videos) is not simulated; list the channel's own by id or myRating",
                ))
            }
            (None, None, None) => {
                return Err(param_error(
                    400,
                    "missingRequiredParameter",
                    "No filter selected. Expected one of: myRating, chart, id",
                    "parameters",
                ))
            }
            _ => {
                return Err(param_error(
                    400,
                    "incompatibleParameters",
                    "The request specifies more than one of: id, myRating, chart",
                    "parameters",
                ))
            }
        };
        let by_id = q.get("id").is_some();
        let total = metas.len();
        let (offset, max) = if by_id {
            (0, MAX_IDS)
        } else {
            (page_offset(q)?, max)
        };
        let (metas, next, prev) = page(metas, offset, max);
        let items = metas
            .into_iter()
            .map(|m| resources::video(yt, m, sim_video(yt, &m.id), &parts))
            .collect();
        let per_page = if by_id { total } else { max };
        Ok(list(
            shape,
            "youtube#videoListResponse",
            items,
            total,
            per_page,
            next,
            prev,
        ))
    })())
}

pub fn search(yt: &YouTube, q: &Query, shape: &Shape) -> NativeOutcome {
    respond((|| {
        q.only(&[
            "forMine",
            "channelId",
            "type",
            "order",
            "q",
            "maxResults",
            "pageToken",
            "publishedAfter",
            "publishedBefore",
            "safeSearch",
            "regionCode",
            "relevanceLanguage",
            "videoDuration",
        ])?;
        let parts = shape.parts(resources::SEARCH_PARTS)?;
        let for_mine = q.flag("forMine")?;
        let channel = q.get("channelId");
        if !for_mine && channel.is_none() {
            return Err(error(
                501,
                "notImplemented",
                "search.list across YouTube is not simulated; search the channel's own uploads with forMine=true&type=video or channelId",
            ));
        }
        if for_mine && q.get("type") != Some("video") {
            return Err(param_error(
                400,
                "invalidSearchFilter",
                "The request specifies forMine without type=video.",
                "type",
            ));
        }
        q.choice(
            "type",
            &["video", "channel", "playlist", "video,channel,playlist"],
            "video",
        )?;
        let order = q.choice(
            "order",
            &[
                "date",
                "relevance",
                "viewCount",
                "rating",
                "title",
                "videoCount",
            ],
            "relevance",
        )?;
        let max = q.ranged("maxResults", 0, 50, 5)? as usize;
        let offset = page_offset(q)?;
        let after = time_param(q, "publishedAfter")?;
        let before = time_param(q, "publishedBefore")?;
        let needle = q.get("q").map(str::to_lowercase);
        let mine = for_mine || channel == Some(yt.creator.id.as_str());
        let mut found: Vec<&VideoMeta> = if mine {
            uploads(yt)
                .filter(|m| after.is_none_or(|t| m.published >= t))
                .filter(|m| before.is_none_or(|t| m.published < t))
                .filter(|m| {
                    needle.as_deref().is_none_or(|n| {
                        m.title.to_lowercase().contains(n)
                            || m.description.to_lowercase().contains(n)
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        match order {
            "viewCount" | "rating" => {
                let key = |m: &VideoMeta| {
                    sim_video(yt, &m.id)
                        .map(|v| v.reported[if order == "rating" { 1 } else { 0 }])
                        .unwrap_or(0)
                };
                found.sort_by(|a, b| key(b).cmp(&key(a)).then(b.published.cmp(&a.published)));
            }
            "title" => {
                found.sort_by(|a, b| a.title.cmp(&b.title).then(b.published.cmp(&a.published)))
            }
            // date, and relevance (no other signal than recency here)
            _ => {}
        }
        let total = found.len();
        let (metas, next, prev) = page(found, offset, max);
        let items = metas
            .into_iter()
            .map(|m| resources::search_result(yt, m, &parts))
            .collect();
        let mut body = list_body("youtube#searchListResponse", items, total, max, next, prev);
        body["regionCode"] = json!("US");
        Ok(shape.answer(200, body))
    })())
}

/// An RFC 3339 time parameter.
fn time_param(q: &Query, key: &str) -> Result<Option<i64>, HttpResponse> {
    match q.get(key) {
        None => Ok(None),
        Some(v) => chrono::DateTime::parse_from_rfc3339(v)
            .map(|t| Some(t.timestamp_millis()))
            .map_err(|_| invalid(key, v, "an RFC 3339 date-time such as 2026-01-01T00:00:00Z")),
    }
}

pub fn playlist_items(yt: &YouTube, q: &Query, shape: &Shape) -> NativeOutcome {
    respond((|| {
        q.only(&[
            "playlistId",
            "id",
            "videoId",
            "maxResults",
            "pageToken",
            "onBehalfOfContentOwner",
        ])?;
        let parts = shape.parts(resources::PLAYLIST_ITEM_PARTS)?;
        let max = q.ranged("maxResults", 0, 50, 5)? as usize;
        let offset = page_offset(q)?;
        let Some(playlist) = q.get("playlistId") else {
            if q.get("id").is_some() {
                return Err(error(
                    501,
                    "notImplemented",
                    "playlistItems.list by id is not simulated; list the uploads playlist by playlistId",
                ));
            }
            return Err(param_error(
                400,
                "missingRequiredParameter",
                "No filter selected. Expected one of: playlistId, id",
                "parameters",
            ));
        };
        if playlist != uploads_playlist(yt) {
            return Err(error(
                404,
                "playlistNotFound",
                "The playlist identified with the request's playlistId parameter cannot be found (the channel's uploads playlist is the one simulated).",
            ));
        }
        let video = q.get("videoId");
        let all: Vec<(usize, &VideoMeta)> = uploads(yt)
            .enumerate()
            .filter(|(_, m)| video.is_none_or(|v| v == m.id))
            .collect();
        let total = all.len();
        let (metas, next, prev) = page(all, offset, max);
        let items = metas
            .into_iter()
            .map(|(pos, m)| resources::playlist_item(yt, m, pos, &parts))
            .collect();
        Ok(list(
            shape,
            "youtube#playlistItemListResponse",
            items,
            total,
            max,
            next,
            prev,
        ))
    })())
}

/// The remembered comments to list, each with its upload.
type Found<'a> = Vec<(&'a str, &'a StoredComment)>;

fn replies_of<'a>(yt: &'a YouTube, video: &str, thread: &str) -> Vec<&'a StoredComment> {
    yt.native
        .comments_of(video)
        .map(|v| {
            v.items
                .iter()
                .filter(|c| {
                    c.parent.as_deref() == Some(thread) && c.status == Moderation::Published
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn comment_threads(yt: &YouTube, q: &Query, shape: &Shape) -> NativeOutcome {
    respond((|| {
        q.only(&[
            "videoId",
            "allThreadsRelatedToChannelId",
            "channelId",
            "id",
            "order",
            "searchTerms",
            "maxResults",
            "pageToken",
            "textFormat",
            "moderationStatus",
        ])?;
        let parts = shape.parts(resources::THREAD_PARTS)?;
        let max = q.ranged("maxResults", 1, 100, 20)? as usize;
        let order = q.choice("order", &["time", "relevance"], "time")?;
        let html = q.choice("textFormat", &["html", "plainText"], "html")? == "html";
        let status = q.choice(
            "moderationStatus",
            &["published", "heldForReview", "likelySpam"],
            "published",
        )?;
        let status = Moderation::parse(status);
        let offset = page_offset(q)?;
        let terms = q.get("searchTerms").map(str::to_lowercase);
        let top = |c: &&StoredComment| c.parent.is_none() && Some(c.status) == status;
        let mut found: Found = match (q.get("videoId"), q.get("allThreadsRelatedToChannelId"), q.get("id"), q.get("channelId")) {
            (Some(video), None, None, None) => {
                if yt.native.video(video).is_none() {
                    return Err(param_error(
                        404,
                        "videoNotFound",
                        "The video identified by the videoId parameter could not be found.",
                        "videoId",
                    ));
                }
                yt.native
                    .comments_of(video)
                    .map(|v| v.items.iter().filter(top).map(|c| (v.video.as_str(), c)).collect())
                    .unwrap_or_default()
            }
            (None, Some(channel), None, None) | (None, None, None, Some(channel)) => {
                if channel != yt.creator.id {
                    return Err(error(
                        501,
                        "notImplemented",
                        "comment threads of another channel than the account's are not simulated",
                    ));
                }
                yt.native
                    .comments
                    .iter()
                    .flat_map(|v| v.items.iter().filter(top).map(move |c| (v.video.as_str(), c)))
                    .collect()
            }
            (None, None, Some(ids), None) => {
                let ids = id_list("id", ids)?;
                ids.into_iter()
                    .filter_map(|id| yt.native.comment(id))
                    .filter(|(_, c)| c.parent.is_none())
                    .collect()
            }
            (None, None, None, None) => {
                return Err(param_error(
                    400,
                    "missingRequiredParameter",
                    "No filter selected. Expected one of: videoId, allThreadsRelatedToChannelId, channelId, id",
                    "parameters",
                ))
            }
            _ => {
                return Err(param_error(
                    400,
                    "incompatibleParameters",
                    "The request specifies more than one of: videoId, allThreadsRelatedToChannelId, channelId, id",
                    "parameters",
                ))
            }
        };
        if let Some(t) = &terms {
            found.retain(|(_, c)| c.text.to_lowercase().contains(t.as_str()));
        }
        // Newest first; by relevance, the most liked first.
        found.sort_by(|a, b| {
            let time = b.1.published.cmp(&a.1.published).then(b.1.id.cmp(&a.1.id));
            if order == "relevance" {
                b.1.likes.cmp(&a.1.likes).then(time)
            } else {
                time
            }
        });
        let (found, next, _) = page(found, offset, max);
        let items: Vec<Value> = found
            .into_iter()
            .map(|(video, c)| {
                let replies = replies_of(yt, video, &c.id);
                resources::thread(yt, video, c, &replies, &parts, html)
            })
            .collect();
        let n = items.len();
        Ok(list(
            shape,
            "youtube#commentThreadListResponse",
            items,
            n,
            max,
            next,
            None,
        ))
    })())
}

pub fn comments(yt: &YouTube, q: &Query, shape: &Shape) -> NativeOutcome {
    respond((|| {
        q.only(&["parentId", "id", "maxResults", "pageToken", "textFormat"])?;
        let parts = shape.parts(resources::COMMENT_PARTS)?;
        let max = q.ranged("maxResults", 1, 100, 20)? as usize;
        let html = q.choice("textFormat", &["html", "plainText"], "html")? == "html";
        let offset = page_offset(q)?;
        let found: Found = match (q.get("parentId"), q.get("id")) {
            (Some(parent), None) => {
                let Some((video, _)) = yt.native.comment(parent) else {
                    return Err(param_error(
                        404,
                        "commentNotFound",
                        "The comment identified by the parentId parameter could not be found (comments are remembered for the latest uploads only).",
                        "parentId",
                    ));
                };
                replies_of(yt, video, parent)
                    .into_iter()
                    .map(|c| (video, c))
                    .collect()
            }
            (None, Some(ids)) => id_list("id", ids)?
                .into_iter()
                .filter_map(|id| yt.native.comment(id))
                .collect(),
            (None, None) => {
                return Err(param_error(
                    400,
                    "missingRequiredParameter",
                    "No filter selected. Expected one of: parentId, id",
                    "parameters",
                ))
            }
            _ => {
                return Err(param_error(
                    400,
                    "incompatibleParameters",
                    "The request specifies both parentId and id",
                    "parameters",
                ))
            }
        };
        let (found, next, _) = page(found, offset, max);
        let items: Vec<Value> = found
            .into_iter()
            .map(|(video, c)| resources::comment(yt, video, c, &parts, html))
            .collect();
        let n = items.len();
        Ok(list(
            shape,
            "youtube#commentListResponse",
            items,
            n,
            max,
            next,
            None,
        ))
    })())
}

pub fn get_rating(yt: &YouTube, q: &Query, shape: &Shape) -> NativeOutcome {
    respond((|| {
        q.only(&["id", "onBehalfOfContentOwner"])?;
        let ids = id_list("id", q.required("id")?)?;
        let items: Vec<Value> = ids
            .into_iter()
            .filter(|id| yt.native.video(id).is_some())
            .map(|id| json!({ "videoId": id, "rating": yt.native.rating(id) }))
            .collect();
        let body = json!({
            "kind": "youtube#videoGetRatingResponse",
            "etag": etag(&format!("rating:{items:?}")),
            "items": items,
        });
        Ok(shape.answer(200, body))
    })())
}
