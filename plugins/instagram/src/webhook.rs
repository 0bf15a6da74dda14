//! Instagram's webhooks as Meta sends them (the Graph API's webhooks, for
//! an app subscribed to the `instagram` object):
//!
//! - the subscription is verified first: a GET to the callback URL with
//!   `hub.mode=subscribe`, `hub.verify_token` (the token the app chose,
//!   the subscription's `verify_token`) and `hub.challenge`, which the
//!   endpoint answers with;
//! - every POST is signed `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of
//!   the body keyed with the app secret>` (the subscription's secret; the
//!   host signs);
//! - comments and replies come as `{"object": "instagram", "entry": [{"id":
//!   <IG user id>, "time": <unix s>, "changes": [{"field": "comments",
//!   "value": {"from": {"id", "username"}, "media": {"id",
//!   "media_product_type"}, "id", "parent_id"?, "text"}}]}]}`, mentions as
//!   `"field": "mentions"` with `{"media_id"}`, and direct messages as
//!   `"messaging": [{"sender": {"id"}, "recipient": {"id"}, "timestamp":
//!   <unix ms>, "message": {"mid", "text"}}]` (with `time` in ms, as Meta
//!   sends it for messaging).
//!
//! Posts, reels, stories and counters are not sent: Instagram has no
//! webhook field for them.

use diorama_sdk::kit::graph;
use diorama_sdk::{Event, Interaction, Payload, Verification, WebhookDelivery, WebhookFormat};
use serde_json::{json, Value};

use crate::media::Kind;
use crate::Instagram;

/// The format's name.
pub const FORMAT: &str = graph::WEBHOOK_FORMAT;

/// The format, as `describe` lists it.
pub fn format() -> WebhookFormat {
    graph::webhook_format("Meta Graph API webhooks: a JSON POST ({\"object\": \"instagram\", \"entry\": [{\"id\", \"time\", \"changes\" or \"messaging\"}]}) for comments, mentions and messages, signed with X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body keyed with the app secret>; the endpoint is verified first by a GET with hub.mode=subscribe, hub.challenge and hub.verify_token. Parameters: verify_token (required, 1 to 256 bytes).")
}

pub fn subscribe(format: &str, params: &Value) -> Result<Option<Verification>, String> {
    graph::webhook_subscribe("instagram", format, params)
}

pub fn shape(ig: &Instagram, format: &str, event: &Event) -> Option<WebhookDelivery> {
    if format != FORMAT {
        return None;
    }
    let Payload::Interaction(i) = &event.payload else {
        return None;
    };
    let account = &ig.creator.id;
    let entry = match i.kind.as_str() {
        "comment" | "reply" => graph::change_entry(account, event.at, "comments", comment(ig, i)),
        "mention" => {
            graph::change_entry(account, event.at, "mentions", json!({ "media_id": i.id }))
        }
        // The creator's own answers are echoes, which Meta sends only to a
        // `message_echoes` subscription: not sent.
        "dm" if i.author.id != *account => {
            graph::message_entry(account, event.at, &i.author.id, &i.id, &i.text)
        }
        _ => return None,
    };
    Some(graph::webhook_delivery("instagram", entry))
}

/// A comment's `value`: who wrote it, on which media, and what.
fn comment(ig: &Instagram, i: &Interaction) -> Value {
    let media_id = i.content_id.clone().unwrap_or_default();
    // The media's kind never changes; one that has left the account's
    // bounded memory is a feed post (the commonest).
    let product = match ig.find_media(&media_id).map(|n| ig.media[n].kind) {
        Some(Kind::Reel) => "REELS",
        Some(Kind::Story) => "STORY",
        _ => "FEED",
    };
    let mut value = json!({
        "from": { "id": i.author.id, "username": i.author.handle.trim_start_matches('@') },
        "media": { "id": media_id, "media_product_type": product },
        "id": i.id,
        "text": i.text,
    });
    if let Some(parent) = &i.parent_id {
        value["parent_id"] = json!(parent);
    }
    value
}

#[cfg(test)]
mod tests {
    use diorama_sdk::harness::Harness;
    use diorama_sdk::{Author, Content, Event, Interaction, Payload};
    use serde_json::{json, Value};

    use super::*;

    fn account() -> Harness<Instagram> {
        Harness::new(Harness::<Instagram>::config(3, "tech", "{}")).expect("an account")
    }

    fn dm(from: &Author) -> Event {
        Event {
            at: 1_767_600_000_123,
            payload: Payload::Interaction(Interaction {
                id: "aWdfZAG1faXRlbToxOklH".into(),
                kind: "dm".into(),
                content_id: None,
                parent_id: None,
                author: from.clone(),
                text: "hi there".into(),
                sentiment: None,
                dm_type: Some("fan".into()),
            }),
        }
    }

    fn body(d: WebhookDelivery) -> Value {
        serde_json::from_slice(&d.body).expect("JSON")
    }

    #[test]
    fn a_dm_is_sent_as_messaging_and_the_creators_own_is_not() {
        let h = account();
        let ig = h.state();
        let fan = Author {
            id: "17841400000000001".into(),
            handle: "fan".into(),
            ..ig.creator.clone()
        };
        let b = body(shape(ig, FORMAT, &dm(&fan)).expect("sent"));
        assert_eq!(
            b,
            json!({"object": "instagram", "entry": [{
                "id": ig.creator.id, "time": 1_767_600_000_123i64,
                "messaging": [{"sender": {"id": "17841400000000001"},
                               "recipient": {"id": ig.creator.id},
                               "timestamp": 1_767_600_000_123i64,
                               "message": {"mid": "aWdfZAG1faXRlbToxOklH", "text": "hi there"}}]}]})
        );
        assert_eq!(shape(ig, FORMAT, &dm(&ig.creator)), None);
    }

    #[test]
    fn posts_and_other_formats_are_not_sent() {
        let h = account();
        let post = Event {
            at: 0,
            payload: Payload::Content(Content {
                id: "1".into(),
                kind: "post".into(),
                title: String::new(),
                text: String::new(),
                url: String::new(),
            }),
        };
        assert_eq!(shape(h.state(), FORMAT, &post), None);
        assert_eq!(shape(h.state(), "websub-atom", &post), None);
    }

    #[test]
    fn a_subscription_needs_its_verify_token() {
        let v = subscribe(FORMAT, &json!({"verify_token": "abc"}))
            .expect("sound")
            .expect("Meta verifies");
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
        assert!(subscribe(FORMAT, &json!({"verify_token": "a", "x": 1}))
            .unwrap_err()
            .contains("unknown parameter `x`"));
        assert!(subscribe("atom", &json!({}))
            .unwrap_err()
            .contains("its format is `graph-webhooks`"));
    }
}
