//! The Page's webhooks as Meta sends them (the Graph API's webhooks, for an
//! app subscribed to the `page` object's `feed` and `messages` fields); the
//! verification handshake, the signature and the envelope are the kit's
//! ([`diorama_sdk::kit::graph`]), shared with Instagram:
//!
//! - comments and replies come as `{"object": "page", "entry": [{"id":
//!   <Page id>, "time": <unix s>, "changes": [{"field": "feed", "value":
//!   {"from": {"id", "name"}, "item": "comment", "verb": "add", "post_id",
//!   "comment_id", "parent_id", "message", "created_time": <unix s>}}]}]}`,
//!   where `parent_id` is the post's id for a comment and the comment's
//!   for a reply, as Meta sets it; the Page's own replies are in the feed
//!   too and are sent;
//! - Messenger messages come as `"messaging": [{"sender": {"id"},
//!   "recipient": {"id": <Page id>}, "timestamp": <unix ms>, "message":
//!   {"mid", "text"}}]` (with `time` in ms). The Page's own answers are
//!   echoes, sent only to a `message_echoes` subscription: not sent.
//!
//! Reactions travel as counters on the posts (metric updates), never one
//! event per reaction, so no reaction is sent; posts, metrics and notices
//! are not sent either.

use diorama_sdk::kit::graph;
use diorama_sdk::{Event, Interaction, Payload, Verification, WebhookDelivery, WebhookFormat};
use serde_json::{json, Value};

use crate::{Facebook, PLATFORM};

/// The format's name.
pub const FORMAT: &str = graph::WEBHOOK_FORMAT;

/// The format, as `describe` lists it.
pub fn format() -> WebhookFormat {
    graph::webhook_format("Meta Graph API webhooks for Pages: a JSON POST ({\"object\": \"page\", \"entry\": [{\"id\", \"time\", \"changes\": [{\"field\": \"feed\"}] or \"messaging\"}]}) for comments, replies and Messenger messages, signed with X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body keyed with the app secret>; the endpoint is verified first by a GET with hub.mode=subscribe, hub.challenge and hub.verify_token. Parameters: verify_token (required, 1 to 256 bytes).")
}

pub fn subscribe(format: &str, params: &Value) -> Result<Option<Verification>, String> {
    graph::webhook_subscribe(PLATFORM, format, params)
}

pub fn shape(fb: &Facebook, format: &str, event: &Event) -> Option<WebhookDelivery> {
    if format != FORMAT {
        return None;
    }
    let Payload::Interaction(i) = &event.payload else {
        return None;
    };
    let page = &fb.creator.id;
    let entry = match i.kind.as_str() {
        "comment" | "reply" => {
            graph::change_entry(page, event.at, "feed", comment(fb, event.at, i)?)
        }
        "dm" if i.author.id != *page => {
            graph::message_entry(page, event.at, &i.author.id, &i.id, &i.text)
        }
        _ => return None,
    };
    Some(graph::webhook_delivery("page", entry))
}

/// A comment's `value` in the `feed` field. A comment without its post is
/// not one Meta could describe: none.
fn comment(fb: &Facebook, at: i64, i: &Interaction) -> Option<Value> {
    let post = i.content_id.as_deref()?;
    // The name the Graph API gives the author (the Page's name, or the
    // person's), as the comment's `from` reads there.
    let name = if i.author.id == fb.creator.id {
        fb.creator.display_name.as_str()
    } else {
        i.author.handle.trim_start_matches('@')
    };
    Some(json!({
        "from": { "id": i.author.id, "name": name },
        "item": "comment",
        "verb": "add",
        "post_id": post,
        "comment_id": i.id,
        "parent_id": i.parent_id.as_deref().unwrap_or(post),
        "message": i.text,
        "created_time": at / 1000,
    }))
}

#[cfg(test)]
mod tests {
    use diorama_sdk::harness::Harness;
    use diorama_sdk::{Author, Content, Event, Interaction, Payload};
    use serde_json::{json, Value};

    use super::*;

    fn page() -> Harness<Facebook> {
        Harness::new(Harness::<Facebook>::config(3, "tech", "{}")).expect("a Page")
    }

    fn fan(fb: &Facebook) -> Author {
        Author {
            id: "100087654321012".into(),
            handle: "@ana.lopez".into(),
            display_name: "Ana López".into(),
            ..fb.creator.clone()
        }
    }

    fn said(kind: &str, author: &Author, post: Option<&str>, parent: Option<&str>) -> Event {
        Event {
            at: 1_767_600_000_123,
            payload: Payload::Interaction(Interaction {
                id: "1234567890123456".into(),
                kind: kind.into(),
                content_id: post.map(Into::into),
                parent_id: parent.map(Into::into),
                author: author.clone(),
                text: "great post".into(),
                sentiment: None,
                dm_type: (kind == "dm").then(|| "fan".into()),
            }),
        }
    }

    fn body(d: WebhookDelivery) -> Value {
        assert_eq!(d.content_type, "application/json");
        assert!(d.headers.is_empty(), "the host signs");
        serde_json::from_slice(&d.body).expect("JSON")
    }

    #[test]
    fn a_comment_and_a_reply_are_feed_changes() {
        let h = page();
        let fb = h.state();
        let post = format!("{}_987654321", fb.creator.id);
        let c =
            body(shape(fb, FORMAT, &said("comment", &fan(fb), Some(&post), None)).expect("sent"));
        assert_eq!(
            c,
            json!({"object": "page", "entry": [{
                "id": fb.creator.id, "time": 1_767_600_000i64,
                "changes": [{"field": "feed", "value": {
                    "from": {"id": "100087654321012", "name": "ana.lopez"},
                    "item": "comment", "verb": "add",
                    "post_id": post, "comment_id": "1234567890123456",
                    "parent_id": post, "message": "great post",
                    "created_time": 1_767_600_000i64}}]}]})
        );
        // A reply's parent is its comment; the Page's own is sent, named
        // as the Page.
        let own = fb.creator.clone();
        let r = body(
            shape(
                fb,
                FORMAT,
                &said("reply", &own, Some(&post), Some("1111111111111111")),
            )
            .expect("sent"),
        );
        let v = &r["entry"][0]["changes"][0]["value"];
        assert_eq!(v["parent_id"], "1111111111111111");
        assert_eq!(v["from"], json!({"id": own.id, "name": own.display_name}));
        // One without its post is not described.
        assert_eq!(shape(fb, FORMAT, &said("comment", &own, None, None)), None);
    }

    #[test]
    fn a_message_is_sent_as_messaging_and_the_pages_own_is_not() {
        let h = page();
        let fb = h.state();
        let b = body(shape(fb, FORMAT, &said("dm", &fan(fb), None, None)).expect("sent"));
        assert_eq!(
            b,
            json!({"object": "page", "entry": [{
                "id": fb.creator.id, "time": 1_767_600_000_123i64,
                "messaging": [{"sender": {"id": "100087654321012"},
                               "recipient": {"id": fb.creator.id},
                               "timestamp": 1_767_600_000_123i64,
                               "message": {"mid": "1234567890123456", "text": "great post"}}]}]})
        );
        assert_eq!(
            shape(fb, FORMAT, &said("dm", &fb.creator, None, None)),
            None
        );
    }

    #[test]
    fn posts_and_other_formats_are_not_sent() {
        let h = page();
        let fb = h.state();
        let post = Event {
            at: 0,
            payload: Payload::Content(Content {
                id: "1".into(),
                kind: "photo".into(),
                title: String::new(),
                text: String::new(),
                url: String::new(),
            }),
        };
        assert_eq!(shape(fb, FORMAT, &post), None);
        let c = said("comment", &fan(fb), Some("1_2"), None);
        assert_eq!(shape(fb, "websub-atom", &c), None);
    }

    #[test]
    fn a_subscription_needs_its_verify_token() {
        let v = subscribe(FORMAT, &json!({"verify_token": "abc"}))
            .expect("sound")
            .expect("Meta verifies");
        assert_eq!(v.challenge_param, "hub.challenge");
        assert_eq!(
            v.query,
            [
                ("hub.mode".to_string(), "subscribe".to_string()),
                ("hub.verify_token".to_string(), "abc".to_string())
            ]
        );
        assert!(subscribe(FORMAT, &json!({}))
            .unwrap_err()
            .contains("`verify_token` is required"));
        let long = "a".repeat(257);
        assert!(subscribe(FORMAT, &json!({ "verify_token": long }))
            .unwrap_err()
            .contains("must be 1 to 256"));
        assert_eq!(
            subscribe("atom", &json!({})).unwrap_err(),
            "facebook sends no webhooks in the format `atom`; its format is `graph-webhooks`"
        );
    }

    #[test]
    fn the_format_is_signed_as_meta_signs() {
        let f = format();
        assert_eq!(f.name, "graph-webhooks");
        let s = f.signature.expect("signed");
        assert_eq!(s.header, "x-hub-signature-256");
        assert_eq!(s.value, "sha256={hex}");
    }
}
