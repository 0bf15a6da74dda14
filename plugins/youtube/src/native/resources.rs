//! The API's resources, built from the account's state with the parts asked
//! for: `kind`, `etag` and `id` always, each part only when asked.

use serde_json::{json, Value};

use super::memory::{StoredComment, VideoMeta};
use super::{etag, rfc3339};
use crate::video::Video;
use crate::YouTube;

/// The parts of each resource Google defines (all accepted in `part`) and
/// those this simulator fills (the rest are left out of the answer).
pub const CHANNEL_PARTS: &[&str] = &[
    "id",
    "snippet",
    "statistics",
    "contentDetails",
    "status",
    "brandingSettings",
    "topicDetails",
    "localizations",
    "contentOwnerDetails",
    "auditDetails",
];
pub const VIDEO_PARTS: &[&str] = &[
    "id",
    "snippet",
    "statistics",
    "status",
    "contentDetails",
    "player",
    "topicDetails",
    "recordingDetails",
    "liveStreamingDetails",
    "localizations",
    "paidProductPlacementDetails",
    "fileDetails",
    "processingDetails",
    "suggestions",
];
pub const SEARCH_PARTS: &[&str] = &["id", "snippet"];
pub const PLAYLIST_ITEM_PARTS: &[&str] = &["id", "snippet", "contentDetails", "status"];
pub const THREAD_PARTS: &[&str] = &["id", "snippet", "replies"];
pub const COMMENT_PARTS: &[&str] = &["id", "snippet"];

fn has(parts: &[String], p: &str) -> bool {
    parts.iter().any(|x| x == p)
}

/// The id of the channel's uploads playlist (`UU` + the channel id's tail).
pub fn uploads_playlist(yt: &YouTube) -> String {
    format!("UU{}", yt.creator.id.get(2..).unwrap_or_default())
}

fn thumbnails(video: &str) -> Value {
    json!({
        "default": { "url": format!("https://i.ytimg.com/vi/{video}/default.jpg"), "width": 120, "height": 90 },
        "medium": { "url": format!("https://i.ytimg.com/vi/{video}/mqdefault.jpg"), "width": 320, "height": 180 },
        "high": { "url": format!("https://i.ytimg.com/vi/{video}/hqdefault.jpg"), "width": 480, "height": 360 },
    })
}

pub fn channel(yt: &YouTube, parts: &[String]) -> Value {
    let creator = &yt.creator;
    let mut item = json!({
        "kind": "youtube#channel",
        "etag": etag(&format!("{}:{}", creator.id, yt.subscribers.audience_reported)),
        "id": creator.id,
    });
    if has(parts, "snippet") {
        item["snippet"] = json!({
            "title": creator.display_name,
            "description": "",
            "customUrl": format!("@{}", creator.handle.trim_start_matches('@')).to_lowercase(),
            "publishedAt": rfc3339(yt.videos.first().map(|v| v.published).unwrap_or(yt.clock)),
            "thumbnails": { "default": { "url": creator.avatar_url, "width": 88, "height": 88 } },
            "localized": { "title": creator.display_name, "description": "" },
        });
    }
    if has(parts, "statistics") {
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
    if has(parts, "contentDetails") {
        item["contentDetails"] = json!({
            "relatedPlaylists": { "likes": "", "uploads": uploads_playlist(yt) }
        });
    }
    if has(parts, "status") {
        item["status"] = json!({
            "privacyStatus": "public",
            "isLinked": true,
            "longUploadsStatus": "longUploadsUnspecified",
            "madeForKids": false,
        });
    }
    item
}

/// ISO 8601 duration, as `contentDetails.duration` gives it.
fn duration(seconds: u32) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 {
        out.push_str(&format!("{m}M"));
    }
    if s > 0 || seconds == 0 {
        out.push_str(&format!("{s}S"));
    }
    out
}

fn video_snippet(yt: &YouTube, meta: &VideoMeta) -> Value {
    json!({
        "publishedAt": rfc3339(meta.published),
        "channelId": yt.creator.id,
        "title": meta.title,
        "description": meta.description,
        "thumbnails": thumbnails(&meta.id),
        "channelTitle": yt.creator.display_name,
        "categoryId": "22",
        "liveBroadcastContent": "none",
        "localized": { "title": meta.title, "description": meta.description },
    })
}

pub fn video(yt: &YouTube, meta: &VideoMeta, sim: Option<&Video>, parts: &[String]) -> Value {
    let reported = sim.map(|v| v.reported).unwrap_or_default();
    let mut item = json!({
        "kind": "youtube#video",
        "etag": etag(&format!("{}:{}:{:?}:{}", meta.id, meta.updated, reported, meta.title)),
        "id": meta.id,
    });
    if has(parts, "snippet") {
        item["snippet"] = video_snippet(yt, meta);
    }
    if has(parts, "statistics") {
        item["statistics"] = json!({
            "viewCount": reported[0].to_string(),
            "likeCount": reported[1].to_string(),
            "favoriteCount": "0",
            "commentCount": reported[2].to_string(),
        });
    }
    if has(parts, "status") {
        item["status"] = json!({
            "uploadStatus": "processed",
            "privacyStatus": "public",
            "license": "youtube",
            "embeddable": true,
            "publicStatsViewable": true,
            "madeForKids": false,
        });
    }
    if has(parts, "contentDetails") {
        let seconds = sim.map(|v| v.seconds).unwrap_or(0);
        item["contentDetails"] = json!({
            "duration": duration(seconds),
            "dimension": "2d",
            "definition": "hd",
            "caption": "false",
            "licensedContent": false,
            "projection": "rectangular",
            "contentRating": {},
        });
    }
    item
}

pub fn search_result(yt: &YouTube, meta: &VideoMeta, parts: &[String]) -> Value {
    let mut item = json!({
        "kind": "youtube#searchResult",
        "etag": etag(&format!("search:{}:{}", meta.id, meta.updated)),
        "id": { "kind": "youtube#video", "videoId": meta.id },
    });
    if has(parts, "snippet") {
        item["snippet"] = json!({
            "publishedAt": rfc3339(meta.published),
            "channelId": yt.creator.id,
            "title": meta.title,
            "description": super::memory::clip(&meta.description, 160),
            "thumbnails": thumbnails(&meta.id),
            "channelTitle": yt.creator.display_name,
            "liveBroadcastContent": "none",
        });
    }
    item
}

pub fn playlist_item(yt: &YouTube, meta: &VideoMeta, position: usize, parts: &[String]) -> Value {
    let playlist = uploads_playlist(yt);
    let mut item = json!({
        "kind": "youtube#playlistItem",
        "etag": etag(&format!("item:{}:{}:{position}", meta.id, meta.updated)),
        "id": etag(&format!("{playlist}/{}", meta.id)),
    });
    if has(parts, "snippet") {
        item["snippet"] = json!({
            "publishedAt": rfc3339(meta.published),
            "channelId": yt.creator.id,
            "title": meta.title,
            "description": meta.description,
            "thumbnails": thumbnails(&meta.id),
            "channelTitle": yt.creator.display_name,
            "playlistId": playlist,
            "position": position,
            "resourceId": { "kind": "youtube#video", "videoId": meta.id },
            "videoOwnerChannelTitle": yt.creator.display_name,
            "videoOwnerChannelId": yt.creator.id,
        });
    }
    if has(parts, "contentDetails") {
        item["contentDetails"] = json!({
            "videoId": meta.id,
            "videoPublishedAt": rfc3339(meta.published),
        });
    }
    if has(parts, "status") {
        item["status"] = json!({ "privacyStatus": "public" });
    }
    item
}

/// A comment resource (`snippet` when asked). The channel owner sees each
/// comment's moderation status.
pub fn comment(
    yt: &YouTube,
    video: &str,
    c: &StoredComment,
    parts: &[String],
    html: bool,
) -> Value {
    let mut item = json!({
        "kind": "youtube#comment",
        "etag": etag(&format!("{}:{}:{}:{:?}", c.id, c.updated, c.likes, c.status)),
        "id": c.id,
    });
    if has(parts, "snippet") {
        let display = if html {
            escape_html(&c.text)
        } else {
            c.text.clone()
        };
        let mut snippet = json!({
            "channelId": yt.creator.id,
            "videoId": video,
            "textDisplay": display,
            "textOriginal": c.text,
            "authorDisplayName": c.author_name,
            "authorProfileImageUrl": c.author_avatar,
            "authorChannelUrl": format!("http://www.youtube.com/channel/{}", c.author_id),
            "authorChannelId": { "value": c.author_id },
            "canRate": true,
            "viewerRating": "none",
            "likeCount": c.likes,
            "moderationStatus": c.status.as_str(),
            "publishedAt": rfc3339(c.published),
            "updatedAt": rfc3339(c.updated),
        });
        if let Some(parent) = &c.parent {
            snippet["parentId"] = json!(parent);
        }
        item["snippet"] = snippet;
    }
    item
}

/// A comment thread: its top-level comment and, with `replies`, the
/// replies remembered under it (oldest first, at most five, as the API
/// embeds them).
pub fn thread(
    yt: &YouTube,
    video: &str,
    top: &StoredComment,
    replies: &[&StoredComment],
    parts: &[String],
    html: bool,
) -> Value {
    let mut item = json!({
        "kind": "youtube#commentThread",
        "etag": etag(&format!("thread:{}:{}:{}:{:?}", top.id, top.updated, replies.len(), top.status)),
        "id": top.id,
    });
    let full = vec!["id".to_string(), "snippet".to_string()];
    if has(parts, "snippet") {
        item["snippet"] = json!({
            "channelId": yt.creator.id,
            "videoId": video,
            "topLevelComment": comment(yt, video, top, &full, html),
            "canReply": true,
            "totalReplyCount": replies.len(),
            "isPublic": true,
        });
    }
    if has(parts, "replies") && !replies.is_empty() {
        let shown: Vec<Value> = replies
            .iter()
            .take(5)
            .map(|r| comment(yt, video, r, &full, html))
            .collect();
        item["replies"] = json!({ "comments": shown });
    }
    item
}

/// `textFormat=html`: the text with HTML's special characters escaped and
/// line breaks as `<br>`.
fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_iso_8601() {
        assert_eq!(duration(0), "PT0S");
        assert_eq!(duration(59), "PT59S");
        assert_eq!(duration(60), "PT1M");
        assert_eq!(duration(3725), "PT1H2M5S");
    }
}
