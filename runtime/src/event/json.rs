//! The event's JSON form: one object, keys always in the same order, absent
//! fields left out. It is a line of `events.jsonl`, an item of `/events`, the
//! data of a server-sent event and the `event` of a webhook body.

use diorama_sdk::{Author, Payload};
use serde::Serialize;

use super::{time, StoredEvent};

#[derive(Serialize)]
struct Line<'a> {
    seq: u64,
    at: i64,
    time: String,
    profile: &'a str,
    platform: &'a str,
    #[serde(rename = "type")]
    type_name: &'a str,
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<&'a Author>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sentiment: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dm_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delta: Option<i64>,
}

/// Serialise one event as a JSON line (without the newline).
pub fn event_line(profile: &str, e: &StoredEvent, out: &mut Vec<u8>) {
    let ev = &e.event;
    let mut line = Line {
        seq: e.seq,
        at: ev.at,
        time: time::format_instant(ev.at),
        profile,
        platform: &e.platform,
        type_name: ev.type_name(),
        kind: ev.kind(),
        id: None,
        content_id: None,
        parent_id: None,
        author: None,
        title: None,
        text: None,
        url: None,
        sentiment: None,
        dm_type: None,
        total: None,
        delta: None,
    };
    match &ev.payload {
        Payload::Content(c) => {
            line.id = Some(&c.id);
            line.title = Some(&c.title);
            line.text = Some(&c.text);
            line.url = Some(&c.url);
        }
        Payload::Interaction(i) => {
            line.id = Some(&i.id);
            line.content_id = i.content_id.as_deref();
            line.parent_id = i.parent_id.as_deref();
            line.author = Some(&i.author);
            line.text = Some(&i.text);
            line.sentiment = i.sentiment.as_deref();
            line.dm_type = i.dm_type.as_deref();
        }
        Payload::Metric(m) => {
            line.content_id = m.content_id.as_deref();
            line.total = Some(m.total);
            line.delta = Some(m.delta);
        }
        Payload::Notice(n) => {
            line.text = Some(&n.message);
        }
    }
    // Serialising borrowed strings and integers into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &line);
}
