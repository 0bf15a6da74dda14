//! The creator's moderation: like, hide, delete or pin a comment; block or
//! restrict its author; follow an author back.
//!
//! Each platform takes the actions it has (its [`Rules`]); every one is a
//! notice (`comment_liked`, `comment_hidden` / `comment_unhidden`,
//! `comment_deleted`, `comment_pinned`, `author_blocked`,
//! `author_restricted`, `followed_back`) and is counted toward the
//! account's action block by the platform's [`BlockRule`]
//! (crate::kit::health::BlockRule). A comment is one of the last
//! [`RECENT`] comments and replies the account received, an author one of
//! theirs; [`Moderation::observe`] keeps them as the platform steps, and
//! drops what a blocked author sends afterwards (everything) and a
//! restricted one's comments and replies (hidden from everyone but them;
//! their DMs still arrive).
//!
//! Parameters: `{comment_id}` (`hide_comment` also takes `hide`, true by
//! default; false shows it again), `{author_id}`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::models::params::check_known;
use crate::types::{ActionError, Event, Millis, Notice, Payload};

/// How many recent comments (and their authors) the account remembers.
pub const RECENT: usize = 512;
/// The most blocked, restricted and followed-back authors kept (the oldest
/// go first).
pub const MAX_AUTHORS: usize = 1_024;
/// The most posts whose pinned comments are kept.
pub const MAX_PINNED_POSTS: usize = 64;

/// Every moderation action the kit knows.
pub const ALL: [&str; 7] = [
    "like_comment",
    "hide_comment",
    "delete_comment",
    "pin_comment",
    "block_author",
    "restrict_author",
    "follow_back",
];

/// What a platform takes.
#[derive(Clone, Copy, Debug)]
pub struct Rules {
    /// The actions of [`ALL`] it has.
    pub actions: &'static [&'static str],
    /// How many comments a post may have pinned at once (the oldest is
    /// unpinned past it).
    pub pins_per_post: usize,
}

/// A comment the account received recently.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recent {
    pub id: String,
    pub content_id: Option<String>,
    pub author_id: String,
}

/// The account's moderation memory.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Moderation {
    #[serde(default)]
    pub recent: Vec<Recent>,
    #[serde(default)]
    pub blocked: Vec<String>,
    #[serde(default)]
    pub restricted: Vec<String>,
    #[serde(default)]
    pub followed: Vec<String>,
    /// Pinned comments by post.
    #[serde(default)]
    pub pinned: Vec<(String, Vec<String>)>,
}

fn push_capped(list: &mut Vec<String>, id: &str, cap: usize) -> bool {
    if list.iter().any(|x| x == id) {
        return false;
    }
    if list.len() >= cap {
        list.remove(0);
    }
    list.push(id.to_string());
    true
}

impl Moderation {
    /// Keep the comments of `events` (what a step made) and drop what
    /// blocked and restricted authors sent.
    pub fn observe(&mut self, events: &mut Vec<Event>, from: usize) {
        if !self.blocked.is_empty() || !self.restricted.is_empty() {
            let mut i = 0;
            events.retain(|e| {
                i += 1;
                if i <= from {
                    return true;
                }
                match &e.payload {
                    Payload::Interaction(x) => {
                        let who = &x.author.id;
                        let comment = matches!(x.kind.as_str(), "comment" | "reply");
                        !(self.blocked.contains(who) || comment && self.restricted.contains(who))
                    }
                    _ => true,
                }
            });
        }
        // The last `RECENT` comments and replies (or as many as an older
        // snapshot held): only the newest of this step's are copied, and the
        // oldest are dropped once, not one shift per comment.
        let comment = |e: &Event| matches!(&e.payload, Payload::Interaction(x) if matches!(x.kind.as_str(), "comment" | "reply"));
        let new = &events[from.min(events.len())..];
        let count = new.iter().filter(|e| comment(e)).count();
        let cap = self.recent.len().max(RECENT);
        let dropped = self.recent.len() + count - (self.recent.len() + count).min(cap);
        let skip = dropped.saturating_sub(self.recent.len());
        self.recent.drain(..dropped.min(self.recent.len()));
        for e in new.iter().filter(|e| comment(e)).skip(skip) {
            if let Payload::Interaction(x) = &e.payload {
                self.recent.push(Recent {
                    id: x.id.clone(),
                    content_id: x.content_id.clone(),
                    author_id: x.author.id.clone(),
                });
            }
        }
    }

    /// A recent comment by id.
    pub fn comment(&self, id: &str) -> Option<&Recent> {
        self.recent.iter().rev().find(|c| c.id == id)
    }

    /// Whether `author` is blocked.
    pub fn is_blocked(&self, author: &str) -> bool {
        self.blocked.iter().any(|a| a == author)
    }

    /// Take moderation action `kind` at `at`, or `None` when `kind` is not
    /// one the platform has. `known` finds a comment the platform keeps
    /// beyond the kit's memory (its content id), for platforms whose
    /// native API reads comments from their own memory.
    pub fn act(
        &mut self,
        platform: &str,
        rules: &Rules,
        at: Millis,
        kind: &str,
        map: &Map<String, Value>,
        known: impl Fn(&str) -> Option<Option<String>>,
    ) -> Option<Result<Event, ActionError>> {
        if !rules.actions.contains(&kind) || !ALL.contains(&kind) {
            return None;
        }
        Some(self.take(platform, rules, at, kind, map, known))
    }

    fn take(
        &mut self,
        platform: &str,
        rules: &Rules,
        at: Millis,
        kind: &str,
        map: &Map<String, Value>,
        known: impl Fn(&str) -> Option<Option<String>>,
    ) -> Result<Event, ActionError> {
        let invalid = ActionError::Invalid;
        let on_author = matches!(kind, "block_author" | "restrict_author" | "follow_back");
        let key = if on_author { "author_id" } else { "comment_id" };
        let allowed: &[&str] = if kind == "hide_comment" {
            &["comment_id", "hide"]
        } else {
            &[key]
        };
        check_known(platform, map, allowed, &format!("`{kind}` parameter")).map_err(invalid)?;
        let Some(Value::String(id)) = map.get(key) else {
            return Err(invalid(format!(
                "{platform}: `{kind}` needs `{key}`, a string"
            )));
        };
        let notice = |code: &str, message: String| Event {
            at,
            payload: Payload::Notice(Notice {
                code: code.into(),
                message,
            }),
        };
        if on_author {
            if !self.recent.iter().any(|c| &c.author_id == id) {
                return Err(ActionError::NotFound(format!(
                    "{platform}: no recent commenter `{id}` (the authors of the last {RECENT} comments are known)"
                )));
            }
            let (list, code, word) = match kind {
                "block_author" => (&mut self.blocked, "author_blocked", "blocked"),
                "restrict_author" => (&mut self.restricted, "author_restricted", "restricted"),
                _ => (&mut self.followed, "followed_back", "followed back"),
            };
            if !push_capped(list, id, MAX_AUTHORS) {
                return Err(invalid(format!("{platform}: `{id}` is already {word}")));
            }
            let message = match kind {
                "block_author" => {
                    format!("{id} blocked: their comments and messages no longer arrive")
                }
                "restrict_author" => {
                    format!("{id} restricted: their comments are hidden from everyone but them")
                }
                _ => format!("the creator followed {id} back"),
            };
            return Ok(notice(code, message));
        }
        let content = match self.comment(id) {
            Some(c) => c.content_id.clone(),
            None => match known(id) {
                Some(content) => content,
                None => {
                    return Err(ActionError::NotFound(format!(
                        "{platform}: no recent comment `{id}` (the last {RECENT} comments and replies are kept)"
                    )))
                }
            },
        };
        Ok(match kind {
            "like_comment" => notice("comment_liked", format!("the creator liked comment {id}")),
            "hide_comment" => {
                let hide = match map.get("hide") {
                    None | Some(Value::Null) => true,
                    Some(Value::Bool(b)) => *b,
                    Some(other) => {
                        return Err(invalid(format!(
                            "{platform}: `hide_comment` `hide` must be true or false (got {other})"
                        )))
                    }
                };
                if hide {
                    notice("comment_hidden", format!("comment {id} hidden"))
                } else {
                    notice("comment_unhidden", format!("comment {id} shown again"))
                }
            }
            "delete_comment" => {
                self.recent.retain(|c| &c.id != id);
                notice("comment_deleted", format!("comment {id} deleted"))
            }
            _ => {
                let post = content.unwrap_or_default();
                let i = match self.pinned.iter().position(|(p, _)| *p == post) {
                    Some(i) => i,
                    None => {
                        if self.pinned.len() >= MAX_PINNED_POSTS {
                            self.pinned.remove(0);
                        }
                        self.pinned.push((post.clone(), Vec::new()));
                        self.pinned.len() - 1
                    }
                };
                let pins = &mut self.pinned[i].1;
                if pins.iter().any(|p| p == id) {
                    return Err(invalid(format!(
                        "{platform}: comment `{id}` is already pinned"
                    )));
                }
                let mut message = format!("comment {id} pinned");
                if pins.len() >= rules.pins_per_post.max(1) {
                    let old = pins.remove(0);
                    message.push_str(&format!(" in place of {old}"));
                }
                pins.push(id.clone());
                notice("comment_pinned", message)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Author, Interaction};
    use serde_json::json;

    const RULES: Rules = Rules {
        actions: &ALL,
        pins_per_post: 1,
    };

    fn comment(id: &str, author: &str, kind: &str) -> Event {
        Event {
            at: 0,
            payload: Payload::Interaction(Interaction {
                id: id.into(),
                kind: kind.into(),
                content_id: Some("v1".into()),
                parent_id: None,
                author: Author {
                    id: author.into(),
                    handle: format!("@{author}"),
                    display_name: author.into(),
                    avatar_url: String::new(),
                    verified: false,
                    followers: 10,
                },
                text: "hi".into(),
                sentiment: None,
                dm_type: None,
            }),
        }
    }

    fn act(m: &mut Moderation, kind: &str, params: Value) -> Result<Event, ActionError> {
        let map = params.as_object().cloned().unwrap_or_default();
        m.act("p", &RULES, 5, kind, &map, |_| None).unwrap()
    }

    fn code(e: &Event) -> &str {
        match &e.payload {
            Payload::Notice(n) => &n.code,
            _ => "",
        }
    }

    #[test]
    fn actions_on_recent_comments_are_notices_and_unknown_ones_are_not_found() {
        let mut m = Moderation::default();
        let mut out = vec![comment("c1", "a1", "comment"), comment("c2", "a2", "reply")];
        m.observe(&mut out, 0);
        for (kind, params, want) in [
            ("like_comment", json!({"comment_id": "c1"}), "comment_liked"),
            (
                "hide_comment",
                json!({"comment_id": "c1"}),
                "comment_hidden",
            ),
            (
                "hide_comment",
                json!({"comment_id": "c1", "hide": false}),
                "comment_unhidden",
            ),
            ("pin_comment", json!({"comment_id": "c1"}), "comment_pinned"),
            ("pin_comment", json!({"comment_id": "c2"}), "comment_pinned"),
            ("follow_back", json!({"author_id": "a1"}), "followed_back"),
            (
                "delete_comment",
                json!({"comment_id": "c2"}),
                "comment_deleted",
            ),
        ] {
            assert_eq!(code(&act(&mut m, kind, params).unwrap()), want, "{kind}");
        }
        assert_eq!(m.pinned, vec![("v1".to_string(), vec!["c2".to_string()])]);
        assert!(matches!(
            act(&mut m, "like_comment", json!({"comment_id": "c2"})),
            Err(ActionError::NotFound(e)) if e.contains("`c2`")
        ));
        assert!(matches!(
            act(&mut m, "block_author", json!({"author_id": "zz"})),
            Err(ActionError::NotFound(e)) if e.contains("`zz`")
        ));
        assert!(matches!(
            act(&mut m, "like_comment", json!({"comment_id": "c1", "x": 1})),
            Err(ActionError::Invalid(e)) if e.contains("`x`")
        ));
        let none = Rules {
            actions: &["like_comment"],
            pins_per_post: 1,
        };
        assert!(m
            .act("p", &none, 0, "pin_comment", &Map::new(), |_| None)
            .is_none());
    }

    #[test]
    fn blocked_authors_stop_arriving_and_restricted_ones_comments_are_hidden() {
        let mut m = Moderation::default();
        let mut out = vec![
            comment("c1", "a1", "comment"),
            comment("c2", "a2", "comment"),
        ];
        m.observe(&mut out, 0);
        act(&mut m, "block_author", json!({"author_id": "a1"})).unwrap();
        act(&mut m, "restrict_author", json!({"author_id": "a2"})).unwrap();
        assert!(act(&mut m, "block_author", json!({"author_id": "a1"})).is_err());
        let mut out = vec![
            comment("x", "other", "comment"),
            comment("c3", "a1", "comment"),
            comment("c4", "a1", "dm"),
            comment("c5", "a2", "reply"),
            comment("c6", "a2", "dm"),
            comment("c7", "a3", "comment"),
        ];
        m.observe(&mut out, 1);
        let ids: Vec<_> = out
            .iter()
            .map(|e| match &e.payload {
                Payload::Interaction(x) => x.id.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(ids, vec!["x", "c6", "c7"]);
    }

    #[test]
    fn the_recent_comments_are_the_last_ones_whatever_the_step() {
        // As if kept one comment at a time: the last `RECENT`, or as many
        // as an older, longer memory held.
        for held in [0, 5, RECENT - 3, RECENT, RECENT + 40] {
            for step in [0, 1, 7, RECENT, 3 * RECENT] {
                let mut m = Moderation::default();
                for n in 0..held {
                    m.recent.push(Recent {
                        id: format!("old{n}"),
                        content_id: None,
                        author_id: "a".into(),
                    });
                }
                let mut expected = m.recent.clone();
                let mut events = vec![comment("before", "a", "comment")];
                for n in 0..step {
                    events.push(comment(&format!("c{n}"), "a", "comment"));
                    events.push(comment(&format!("l{n}"), "a", "like"));
                }
                for e in &events[1..] {
                    if let Payload::Interaction(x) = &e.payload {
                        if x.kind == "comment" {
                            if expected.len() >= RECENT {
                                expected.remove(0);
                            }
                            expected.push(Recent {
                                id: x.id.clone(),
                                content_id: x.content_id.clone(),
                                author_id: x.author.id.clone(),
                            });
                        }
                    }
                }
                m.observe(&mut events, 1);
                assert_eq!(m.recent, expected, "{held} held, {step} new");
            }
        }
    }
}
