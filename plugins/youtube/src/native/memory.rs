//! What the Data API reads that the simulation itself does not keep: the
//! uploads' titles and descriptions and the recent comments of the latest
//! uploads, recorded from the events the channel emits, plus the creator's
//! ratings, the open upload sessions and the daily quota.
//!
//! Everything here is bounded: titles and descriptions of the latest
//! [`META_VIDEOS`] uploads, the latest [`COMMENTS_PER_VIDEO`] comments
//! (top-level and replies) of each of the latest [`COMMENT_VIDEOS`]
//! uploads, [`MAX_RATINGS`] ratings and [`MAX_SESSIONS`] open uploads.
//! Recording reads events; it draws nothing and changes no event.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use diorama_sdk::{Event, Millis, Payload};
use serde::{Deserialize, Serialize};

/// Uploads whose title and description are kept.
pub const META_VIDEOS: usize = 500;
/// Uploads whose recent comments are kept.
pub const COMMENT_VIDEOS: usize = 8;
/// Comments (top-level and replies) kept per upload.
pub const COMMENTS_PER_VIDEO: usize = 64;
/// The longest description kept, in bytes (YouTube's own limit).
pub const MAX_DESCRIPTION: usize = 5000;
/// The longest title kept, in characters (YouTube's own limit).
pub const MAX_TITLE: usize = 100;
/// The longest comment kept, in bytes (YouTube's limit is 10,000 characters).
pub const MAX_COMMENT: usize = 10_000;
/// Videos the creator rated, most recent kept.
pub const MAX_RATINGS: usize = 200;
/// Resumable uploads open at once; a further one closes the oldest.
pub const MAX_SESSIONS: usize = 4;

/// Moderation status of a remembered comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Moderation {
    Published,
    HeldForReview,
    Rejected,
}

impl Moderation {
    pub fn as_str(self) -> &'static str {
        match self {
            Moderation::Published => "published",
            Moderation::HeldForReview => "heldForReview",
            Moderation::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Moderation> {
        match s {
            "published" => Some(Moderation::Published),
            "heldForReview" => Some(Moderation::HeldForReview),
            "rejected" => Some(Moderation::Rejected),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredComment {
    pub id: String,
    /// The top-level comment of a reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub author_id: String,
    pub author_name: String,
    pub author_avatar: String,
    pub text: String,
    pub published: Millis,
    pub updated: Millis,
    pub likes: i64,
    pub status: Moderation,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VideoComments {
    pub video: String,
    /// Oldest first.
    pub items: VecDeque<StoredComment>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VideoMeta {
    pub id: String,
    /// `video` or `short`.
    pub kind: String,
    pub title: String,
    pub description: String,
    pub published: Millis,
    #[serde(default)]
    pub updated: Millis,
    #[serde(default)]
    pub deleted: bool,
}

/// A resumable upload between its start and its last byte.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    pub title: String,
    pub description: String,
    /// The length announced with `X-Upload-Content-Length`, if any.
    pub total: Option<u64>,
    pub received: u64,
    /// The `part` and `fields` of the first request, which shape the answer
    /// to the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<String>,
}

/// The daily quota: units spent on the Pacific day `day`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QuotaUse {
    pub day: Cell<i64>,
    pub used: Cell<u32>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    pub videos: VecDeque<VideoMeta>,
    pub comments: VecDeque<VideoComments>,
    /// (video id, "like" | "dislike"), most recent last.
    pub ratings: VecDeque<(String, String)>,
    pub quota: QuotaUse,
    pub sessions: RefCell<VecDeque<Session>>,
    /// Upload sessions started, for their ids.
    pub sessions_started: Cell<u64>,
}

/// The first `max` bytes of `s`, cut at a character boundary.
pub fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl Memory {
    /// Remember what `events` tell about uploads and comments.
    pub fn record(&mut self, events: &[Event]) {
        for e in events {
            match &e.payload {
                Payload::Content(c) if c.kind == "video" || c.kind == "short" => {
                    if self.videos.len() >= META_VIDEOS {
                        self.videos.pop_front();
                    }
                    self.videos.push_back(VideoMeta {
                        id: c.id.clone(),
                        kind: c.kind.clone(),
                        title: clip(&c.title, MAX_TITLE * 4).to_string(),
                        description: clip(&c.text, MAX_DESCRIPTION).to_string(),
                        published: e.at,
                        updated: e.at,
                        deleted: false,
                    });
                    if self.comments.len() >= COMMENT_VIDEOS {
                        self.comments.pop_front();
                    }
                    self.comments.push_back(VideoComments {
                        video: c.id.clone(),
                        items: VecDeque::new(),
                    });
                }
                Payload::Interaction(i) => {
                    let Some(video) = i.content_id.as_deref() else {
                        continue;
                    };
                    let Some(list) = self.comments.iter_mut().find(|v| v.video == video) else {
                        continue;
                    };
                    if list.items.len() >= COMMENTS_PER_VIDEO {
                        list.items.pop_front();
                    }
                    list.items.push_back(StoredComment {
                        id: i.id.clone(),
                        parent: i.parent_id.clone(),
                        author_id: i.author.id.clone(),
                        author_name: i.author.display_name.clone(),
                        author_avatar: i.author.avatar_url.clone(),
                        text: clip(&i.text, MAX_COMMENT).to_string(),
                        published: e.at,
                        updated: e.at,
                        likes: 0,
                        status: Moderation::Published,
                    });
                }
                Payload::Metric(m) if m.name == "comment_likes" => {
                    if let Some(id) = m.content_id.as_deref() {
                        if let Some(c) = self.comment_mut(id) {
                            c.likes = m.total;
                        }
                    }
                }
                _ => {}
            }
        }
    }

    pub fn video(&self, id: &str) -> Option<&VideoMeta> {
        self.videos.iter().find(|v| v.id == id && !v.deleted)
    }

    pub fn video_mut(&mut self, id: &str) -> Option<&mut VideoMeta> {
        self.videos.iter_mut().find(|v| v.id == id && !v.deleted)
    }

    /// The remembered comments of `video`, oldest first (none for an
    /// upload older than the latest [`COMMENT_VIDEOS`]).
    pub fn comments_of(&self, video: &str) -> Option<&VideoComments> {
        self.comments.iter().find(|v| v.video == video)
    }

    /// A remembered comment and its upload.
    pub fn comment(&self, id: &str) -> Option<(&str, &StoredComment)> {
        self.comments.iter().find_map(|v| {
            v.items
                .iter()
                .find(|c| c.id == id)
                .map(|c| (v.video.as_str(), c))
        })
    }

    pub fn comment_mut(&mut self, id: &str) -> Option<&mut StoredComment> {
        self.comments
            .iter_mut()
            .find_map(|v| v.items.iter_mut().find(|c| c.id == id))
    }

    /// Forget a comment and, for a top-level one, its replies; whether it
    /// was remembered.
    pub fn forget_comment(&mut self, id: &str) -> bool {
        for v in self.comments.iter_mut() {
            let before = v.items.len();
            v.items
                .retain(|c| c.id != id && c.parent.as_deref() != Some(id));
            if v.items.len() != before {
                return true;
            }
        }
        false
    }

    /// The creator's rating of `video`: `like`, `dislike` or `none`.
    pub fn rating(&self, video: &str) -> &str {
        self.ratings
            .iter()
            .rev()
            .find(|(v, _)| v == video)
            .map(|(_, r)| r.as_str())
            .unwrap_or("none")
    }

    pub fn set_rating(&mut self, video: &str, rating: &str) {
        self.ratings.retain(|(v, _)| v != video);
        if rating != "none" {
            if self.ratings.len() >= MAX_RATINGS {
                self.ratings.pop_front();
            }
            self.ratings
                .push_back((video.to_string(), rating.to_string()));
        }
    }
}
