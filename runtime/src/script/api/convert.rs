//! The one way stored things reach a script: an event is a map with the
//! keys and values of its JSON form ([`crate::event::event_line`]) except
//! `profile`, whether it comes from `interactions(...)` or from the answer
//! of `act(...)`; a content record is a [`Content`] handle.
//!
//! The map is built from the event's fields rather than by parsing its JSON
//! line, which would serialise and parse every one of up to 10,000
//! interactions a query returns; a test keeps the two forms equal.

use diorama_sdk::{Author, Payload};
use rhai::{Dynamic, Map, FLOAT, INT};

use super::ContentHandle;
use crate::event::{time, StoredEvent};
use crate::store::ContentRecord;

/// The script's view of one stored event.
pub(super) fn event_map(e: &StoredEvent) -> Dynamic {
    let ev = &e.event;
    let mut m = Map::new();
    m.insert("seq".into(), unsigned(e.seq));
    m.insert("at".into(), (ev.at as INT).into());
    m.insert("time".into(), time::format_instant(ev.at).into());
    m.insert("platform".into(), e.platform.clone().into());
    m.insert("type".into(), ev.type_name().into());
    m.insert("kind".into(), ev.kind().to_string().into());
    let mut put = |key: &str, value: Option<&String>| {
        if let Some(v) = value {
            m.insert(key.into(), v.clone().into());
        }
    };
    match &ev.payload {
        Payload::Content(c) => {
            put("id", Some(&c.id));
            put("title", Some(&c.title));
            put("text", Some(&c.text));
            put("url", Some(&c.url));
        }
        Payload::Interaction(i) => {
            put("id", Some(&i.id));
            put("content_id", i.content_id.as_ref());
            put("parent_id", i.parent_id.as_ref());
            put("text", Some(&i.text));
            put("sentiment", i.sentiment.as_ref());
            put("dm_type", i.dm_type.as_ref());
            m.insert("author".into(), author_map(&i.author));
        }
        Payload::Metric(x) => {
            put("content_id", x.content_id.as_ref());
            m.insert("total".into(), (x.total as INT).into());
            m.insert("delta".into(), (x.delta as INT).into());
        }
        Payload::Notice(n) => put("text", Some(&n.message)),
    }
    m.into()
}

fn author_map(a: &Author) -> Dynamic {
    let mut m = Map::new();
    m.insert("id".into(), a.id.clone().into());
    m.insert("handle".into(), a.handle.clone().into());
    m.insert("display_name".into(), a.display_name.clone().into());
    m.insert("avatar_url".into(), a.avatar_url.clone().into());
    m.insert("verified".into(), a.verified.into());
    m.insert("followers".into(), unsigned(a.followers));
    m.into()
}

/// An unsigned number as Rhai's JSON conversion gives it: an integer when
/// it fits, a float past that.
fn unsigned(n: u64) -> Dynamic {
    match INT::try_from(n) {
        Ok(i) => i.into(),
        Err(_) => (n as FLOAT).into(),
    }
}

/// The handle of a stored content of profile `profile`.
pub(super) fn content_handle(profile: usize, r: ContentRecord) -> ContentHandle {
    ContentHandle {
        profile,
        platform: r.platform,
        id: r.id,
        kind: r.kind,
        title: r.title,
        text: r.text,
        url: r.url,
        published: r.published_at,
    }
}

#[cfg(test)]
mod tests {
    use diorama_sdk::{Content, Event, Interaction, Metric, Notice};

    use super::*;

    fn stored(seq: u64, payload: Payload) -> StoredEvent {
        StoredEvent {
            seq,
            profile: 3,
            platform: "clips".into(),
            event: Event {
                at: 1_767_571_234_567,
                payload,
            },
        }
    }

    fn author(followers: u64) -> Author {
        Author {
            id: "a1".into(),
            handle: "@a".into(),
            display_name: "A \"quoted\" é".into(),
            avatar_url: "https://x/a.png".into(),
            verified: true,
            followers,
        }
    }

    /// The map is the event's JSON line without `profile`, for every type,
    /// with and without the optional fields.
    #[test]
    fn an_event_map_is_the_json_line_without_the_profile() {
        let events = [
            stored(
                1,
                Payload::Content(Content {
                    id: "v1".into(),
                    kind: "video".into(),
                    title: "T".into(),
                    text: "line\nbreak".into(),
                    url: "https://x/v1".into(),
                }),
            ),
            stored(
                2,
                Payload::Interaction(Interaction {
                    id: "c1".into(),
                    kind: "comment".into(),
                    content_id: Some("v1".into()),
                    parent_id: Some("c0".into()),
                    author: author(12_345),
                    text: "nice".into(),
                    sentiment: Some("positive".into()),
                    dm_type: None,
                }),
            ),
            stored(
                3,
                Payload::Interaction(Interaction {
                    id: "d1".into(),
                    kind: "dm".into(),
                    content_id: None,
                    parent_id: None,
                    author: author(u64::MAX),
                    text: "hi".into(),
                    sentiment: None,
                    dm_type: Some("fan".into()),
                }),
            ),
            stored(
                4,
                Payload::Metric(Metric {
                    content_id: Some("v1".into()),
                    name: "views".into(),
                    total: 100,
                    delta: -2,
                }),
            ),
            stored(
                5,
                Payload::Metric(Metric {
                    content_id: None,
                    name: "subscribers".into(),
                    total: 7,
                    delta: 7,
                }),
            ),
            stored(
                u64::MAX,
                Payload::Notice(Notice {
                    code: "limit".into(),
                    message: "slow down".into(),
                }),
            ),
        ];
        for e in &events {
            let mut line = Vec::new();
            crate::event::event_line("someone", e, &mut line);
            let mut want: serde_json::Value = serde_json::from_slice(&line).unwrap();
            want.as_object_mut().unwrap().remove("profile");
            let want = rhai::serde::to_dynamic(&want).unwrap();
            let got = event_map(e);
            assert_eq!(format!("{got:?}"), format!("{want:?}"), "event {}", e.seq);
            let got: serde_json::Value = rhai::serde::from_dynamic(&got).unwrap();
            let want: serde_json::Value = rhai::serde::from_dynamic(&want).unwrap();
            assert_eq!(got, want, "event {}", e.seq);
        }
    }
}
