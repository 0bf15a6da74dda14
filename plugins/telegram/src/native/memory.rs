//! What the Bot API serves from: the last messages the bot can see and the
//! updates it has been sent, both bounded.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use diorama_sdk::{Author, Event, Millis, Payload};

/// How many of the most recent messages (channel posts, discussion-group
/// messages, private messages) the Bot API remembers: replies, edits,
/// deletions and reactions reach these; older ones are forgotten.
pub const REMEMBERED: usize = 1000;
/// How many updates are kept for `getUpdates` (the real server keeps
/// unconfirmed updates for 24 hours; here the last this many).
pub const UPDATES: usize = 1000;

/// Where a message is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Place {
    /// The creator's channel.
    Channel,
    /// The channel's linked discussion group.
    Group,
    /// A private chat with the bot: the user's id.
    Private(String),
}

/// Who wrote a message (channel posts have no user).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sender {
    pub id: String,
    pub username: String,
    pub name: String,
    pub is_bot: bool,
}

/// A message the bot can see.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Said {
    pub id: String,
    pub place: Place,
    pub from: Option<Sender>,
    pub text: String,
    pub at: Millis,
    /// The message it answers, in the same chat.
    pub reply_to: Option<String>,
    /// The channel post a discussion-group message is under.
    pub post: Option<String>,
    pub edited: Option<Millis>,
    pub deleted: bool,
    /// A fan's private message keeps its author, for the buttons the fan
    /// may press under the bot's answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Author>,
}

/// One update for the bot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Update {
    pub id: u64,
    pub at: Millis,
    /// `message`, `channel_post`, `edited_channel_post`,
    /// `message_reaction_count`.
    pub kind: String,
    pub said: Said,
    /// For `message_reaction_count`: the post's reactions then.
    #[serde(default)]
    pub reactions: i64,
    /// For `callback_query`: the query's id, who pressed and the button's
    /// data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<(String, Sender, String)>,
    /// For `message_reaction`: who reacted, with what emoji.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reacted: Option<(Sender, String)>,
    /// The event it came from ([`event_key`]), for the webhook that pushes
    /// it when that event is delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// What names an event among the account's: its time and its id (a
/// metric's: its name and content).
pub fn event_key(e: &Event) -> String {
    match &e.payload {
        Payload::Content(c) => format!("{}:{}", e.at, c.id),
        Payload::Interaction(i) => format!("{}:{}", e.at, i.id),
        Payload::Metric(m) => format!(
            "{}:{}/{}",
            e.at,
            m.name,
            m.content_id.as_deref().unwrap_or("")
        ),
        Payload::Notice(n) => format!("{}:!{}", e.at, n.code),
    }
}

/// The recent messages and updates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    messages: VecDeque<Said>,
    updates: VecDeque<Update>,
    next_update: u64,
}

/// The update ids of an account start here (the real server's are large,
/// per bot).
const FIRST_UPDATE: u64 = 725_000_000;

impl Memory {
    /// Remember the messages among `events` (made by the account's step,
    /// or by the bot's own action when `own` is set: no update for those,
    /// as the real server sends none for the bot's own messages).
    pub fn note(&mut self, events: &[Event], own: bool) {
        for e in events {
            let first = self.next_update.max(FIRST_UPDATE);
            self.note_one(e, own);
            if self.next_update > first {
                let key = event_key(e);
                for u in self.updates.iter_mut().rev().take_while(|u| u.id >= first) {
                    u.source = Some(key.clone());
                }
            }
        }
    }

    fn note_one(&mut self, e: &Event, own: bool) {
        {
            match &e.payload {
                Payload::Content(c) => {
                    let said = Said {
                        id: c.id.clone(),
                        place: Place::Channel,
                        from: None,
                        text: c.text.clone(),
                        at: e.at,
                        reply_to: None,
                        post: Some(c.id.clone()),
                        edited: None,
                        deleted: false,
                        author: None,
                    };
                    self.remember(said.clone());
                    if !own {
                        self.update(e.at, "channel_post", said, 0);
                    }
                }
                Payload::Metric(m) if m.name == "reactions" => {
                    let Some(post) = &m.content_id else { return };
                    let Some(said) = self.find(post, |s| s.place == Place::Channel).cloned() else {
                        return;
                    };
                    self.update(e.at, "message_reaction_count", said, m.total);
                }
                Payload::Interaction(i) => {
                    let from = Sender {
                        id: i.author.id.clone(),
                        username: i.author.handle.trim_start_matches('@').to_string(),
                        name: i.author.display_name.clone(),
                        is_bot: own,
                    };
                    match i.kind.as_str() {
                        "comment" | "reply" => {
                            let said = Said {
                                id: i.id.clone(),
                                place: Place::Group,
                                from: Some(from),
                                text: i.text.clone(),
                                at: e.at,
                                reply_to: i.parent_id.clone(),
                                post: i.content_id.clone(),
                                edited: None,
                                deleted: false,
                                author: None,
                            };
                            self.remember(said.clone());
                            if !own {
                                self.update(e.at, "message", said, 0);
                            }
                        }
                        "dm" => {
                            // The bot's answer is in the chat of the
                            // message it answers.
                            let chat = match (&i.parent_id, own) {
                                (Some(p), true) => self.chat_of(p).unwrap_or_default(),
                                _ => i.author.id.clone(),
                            };
                            let said = Said {
                                id: i.id.clone(),
                                place: Place::Private(chat),
                                from: Some(from),
                                text: i.text.clone(),
                                at: e.at,
                                reply_to: i.parent_id.clone().filter(|_| own),
                                post: None,
                                edited: None,
                                deleted: false,
                                author: (!own).then(|| i.author.clone()),
                            };
                            self.remember(said.clone());
                            if !own {
                                self.update(e.at, "message", said, 0);
                            }
                        }
                        "button" => {
                            let Some(said) = i
                                .parent_id
                                .as_deref()
                                .and_then(|p| self.find(p, |_| true))
                                .cloned()
                            else {
                                return;
                            };
                            self.update(e.at, "callback_query", said, 0);
                            if let Some(u) = self.updates.back_mut() {
                                u.query = Some((i.id.clone(), from, i.text.clone()));
                            }
                        }
                        "reaction" if !own => {
                            let Some(said) = i
                                .parent_id
                                .as_deref()
                                .and_then(|p| self.find(p, |_| true))
                                .cloned()
                            else {
                                return;
                            };
                            self.update(e.at, "message_reaction", said, 0);
                            if let Some(u) = self.updates.back_mut() {
                                u.reacted = Some((from, i.text.clone()));
                            }
                        }
                        "edit" | "deletion" => {
                            let Some(target) = &i.parent_id else { return };
                            let edit = i.kind == "edit";
                            for s in self.messages.iter_mut().filter(|s| &s.id == target) {
                                if edit {
                                    s.text = i.text.clone();
                                    s.edited = Some(e.at);
                                } else {
                                    s.deleted = true;
                                }
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }

    fn remember(&mut self, said: Said) {
        if self.messages.len() == REMEMBERED {
            self.messages.pop_front();
        }
        self.messages.push_back(said);
    }

    fn update(&mut self, at: Millis, kind: &str, said: Said, reactions: i64) {
        if self.next_update == 0 {
            self.next_update = FIRST_UPDATE;
        }
        if self.updates.len() == UPDATES {
            self.updates.pop_front();
        }
        self.updates.push_back(Update {
            id: self.next_update,
            at,
            kind: kind.into(),
            said,
            reactions,
            query: None,
            reacted: None,
            source: None,
        });
        self.next_update += 1;
    }

    /// The newest remembered message with this id matching `pred`.
    pub fn find(&self, id: &str, pred: impl Fn(&Said) -> bool) -> Option<&Said> {
        self.messages
            .iter()
            .rev()
            .find(|s| s.id == id && !s.deleted && pred(s))
    }

    /// Whether a message with this id is remembered.
    pub fn knows(&self, id: &str) -> bool {
        self.find(id, |_| true).is_some()
    }

    /// The post a remembered message is about, if any.
    pub fn content_of(&self, id: &str) -> Option<String> {
        self.find(id, |_| true).and_then(|s| s.post.clone())
    }

    /// The private chat of a remembered message, if it is in one.
    pub fn chat_of(&self, id: &str) -> Option<String> {
        self.find(id, |_| true).and_then(|s| match &s.place {
            Place::Private(chat) => Some(chat.clone()),
            _ => None,
        })
    }

    /// The newest message a user sent the bot in their private chat.
    pub fn last_from(&self, user: &str) -> Option<&Said> {
        self.messages.iter().rev().find(|s| {
            s.place == Place::Private(user.to_string())
                && s.from.as_ref().is_some_and(|f| f.id == user && !f.is_bot)
        })
    }

    /// The updates up to `at`, oldest first.
    pub fn updates(&self, at: Millis) -> impl DoubleEndedIterator<Item = &Update> {
        self.updates.iter().filter(move |u| u.at <= at)
    }

    /// The updates the event named by `key` ([`event_key`]) made, while
    /// they are kept.
    pub fn updates_from<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Update> + 'a {
        self.updates
            .iter()
            .filter(move |u| u.source.as_deref() == Some(key))
    }

    /// Whether a callback query with this id was sent by `at`.
    pub fn knows_query(&self, id: &str, at: Millis) -> bool {
        self.updates(at)
            .any(|u| u.query.as_ref().is_some_and(|q| q.0 == id))
    }

    pub fn messages(&self) -> usize {
        self.messages.len()
    }
}
