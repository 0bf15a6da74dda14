//! What the Graph API reads that the simulation itself does not keep: the
//! recent comments, Messenger messages and post messages in full (the
//! simulation remembers only ids). Every list is bounded; the oldest entry
//! goes first.
//!
//! Filled from the events the account emits, after the fact: remembering
//! draws no random number and changes no event.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use diorama_sdk::{Event, Millis, Payload};

/// Recent comments and replies (the audience's and the creator's).
pub const COMMENTS: usize = 500;
/// Recent direct messages, both ways.
pub const DMS: usize = 300;
/// Messages of the most recent posts.
pub const CAPTIONS: usize = 500;

/// One comment, reply or Messenger message as the API shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Said {
    /// Order of arrival, for cursors.
    pub seq: u64,
    pub id: String,
    pub at: Millis,
    /// The post commented (comments and replies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<String>,
    /// The comment answered (replies), or the DM answered (the creator's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub author_id: String,
    pub handle: String,
    pub text: String,
    /// DMs: the account the creator talks with (the sender, or whom the
    /// creator answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<(String, String)>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

/// The recent memory. In a snapshot, under `native`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    pub comments: VecDeque<Said>,
    pub dms: VecDeque<Said>,
    /// (media id, caption), newest last.
    pub captions: VecDeque<(String, String)>,
    /// The next entry's `seq`.
    pub next: u64,
}

fn push_capped<T>(list: &mut VecDeque<T>, item: T, cap: usize) {
    list.push_back(item);
    while list.len() > cap {
        list.pop_front();
    }
}

impl Memory {
    /// Remember what `events` (from one step or one action, any order)
    /// show: oldest first, so the lists stay in time order.
    pub fn record(&mut self, creator_id: &str, events: &[Event]) {
        let mut new: Vec<&Event> = events
            .iter()
            .filter(|e| matches!(e.payload, Payload::Interaction(_) | Payload::Content(_)))
            .collect();
        if new.is_empty() {
            return;
        }
        new.sort_by_key(|e| e.at);
        for e in new {
            match &e.payload {
                Payload::Content(c) => {
                    push_capped(&mut self.captions, (c.id.clone(), c.text.clone()), CAPTIONS)
                }
                Payload::Interaction(i) => {
                    let mut said = Said {
                        seq: self.next,
                        id: i.id.clone(),
                        at: e.at,
                        media: i.content_id.clone(),
                        parent: i.parent_id.clone(),
                        author_id: i.author.id.clone(),
                        handle: i.author.handle.trim_start_matches('@').to_string(),
                        text: i.text.clone(),
                        with: None,
                        hidden: false,
                    };
                    self.next += 1;
                    match i.kind.as_str() {
                        "comment" | "reply" => push_capped(&mut self.comments, said, COMMENTS),
                        "dm" => {
                            said.with = if i.author.id == creator_id {
                                said.parent
                                    .as_deref()
                                    .and_then(|p| self.dm(p))
                                    .and_then(|d| d.with.clone())
                            } else {
                                Some((said.author_id.clone(), said.handle.clone()))
                            };
                            push_capped(&mut self.dms, said, DMS)
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }

    pub fn comment(&self, id: &str) -> Option<&Said> {
        self.comments.iter().rev().find(|c| c.id == id)
    }

    pub fn comment_mut(&mut self, id: &str) -> Option<&mut Said> {
        self.comments.iter_mut().rev().find(|c| c.id == id)
    }

    pub fn forget_comment(&mut self, id: &str) {
        self.comments
            .retain(|c| c.id != id && c.parent.as_deref() != Some(id));
    }

    pub fn dm(&self, id: &str) -> Option<&Said> {
        self.dms.iter().rev().find(|d| d.id == id)
    }

    pub fn caption(&self, media: &str) -> Option<&str> {
        self.captions
            .iter()
            .rev()
            .find(|(m, _)| m == media)
            .map(|(_, c)| c.as_str())
    }
}

/// FNV-1a: stable across builds and platforms, unlike std's hasher.
pub fn fnv(seed: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use diorama_sdk::{Author, Interaction};

    fn said(id: &str, kind: &str, author: &str, parent: Option<&str>, at: Millis) -> Event {
        Event {
            at,
            payload: Payload::Interaction(Interaction {
                id: id.into(),
                kind: kind.into(),
                content_id: (kind != "dm").then(|| "m".to_string()),
                parent_id: parent.map(str::to_string),
                author: Author {
                    id: author.into(),
                    handle: format!("@{author}"),
                    display_name: author.into(),
                    avatar_url: String::new(),
                    verified: false,
                    followers: 1,
                },
                text: format!("text {id}"),
                sentiment: None,
                dm_type: None,
            }),
        }
    }

    #[test]
    fn lists_stay_bounded_in_time_order_and_replies_know_their_partner() {
        let mut m = Memory::default();
        let events: Vec<Event> = (0..COMMENTS as i64 + 50)
            .rev()
            .map(|i| said(&format!("c{i}"), "comment", "fan", None, i))
            .collect();
        m.record("me", &events);
        assert_eq!(m.comments.len(), COMMENTS);
        assert_eq!(m.comments.front().unwrap().id, "c50");
        assert!(m
            .comments
            .iter()
            .zip(m.comments.iter().skip(1))
            .all(|(a, b)| a.at < b.at));
        m.record("me", &[said("d1", "dm", "fan", None, 10)]);
        m.record("me", &[said("d2", "dm", "me", Some("d1"), 11)]);
        assert_eq!(
            m.dm("d2").unwrap().with,
            Some(("fan".to_string(), "fan".to_string()))
        );
    }
}
