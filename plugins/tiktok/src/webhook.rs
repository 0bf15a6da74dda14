//! TikTok's webhooks as TikTok for Developers sends them to an app's
//! callback URL: a JSON POST `{"client_key", "event", "create_time",
//! "user_openid", "content"}`, `content` being a JSON object serialised as
//! a string, signed `TikTok-Signature: t=<unix s>,s=<hex HMAC-SHA256 of
//! "<t>.<body>" keyed with the client secret>` (the subscription's secret;
//! the host signs with the attempt's time). TikTok makes no handshake when
//! the callback URL is set.
//!
//! TikTok's webhooks tell an app about its posts, not about comments or
//! messages: a video the creator publishes is sent as
//! `post.publish.publicly_available` with `{"publish_id", "post_id",
//! "publish_type"}`; nothing else is sent.

use diorama_sdk::{
    Event, HmacAlgorithm, Payload, SignatureScheme, SignedContent, Verification, WebhookDelivery,
    WebhookFormat,
};
use serde_json::{json, Value};

use crate::native::{open_id, publish_id};
use crate::TikTok;

/// The format's name.
pub const FORMAT: &str = "tiktok-webhooks";

/// The longest `client_key` accepted, in bytes.
const MAX_KEY: usize = 128;

/// The format, as `describe` lists it.
pub fn format() -> WebhookFormat {
    WebhookFormat {
        name: FORMAT.into(),
        content_type: "application/json".into(),
        description: "TikTok for Developers webhooks: a JSON POST ({\"client_key\", \"event\", \"create_time\", \"user_openid\", \"content\"}) to the app's callback URL, signed with TikTok-Signature: t=<unix s>,s=<hex HMAC-SHA256 of \"<t>.<body>\" keyed with the client secret>; retried until answered with 200. Sent for the creator's published videos (post.publish.publicly_available). Parameters: client_key (required, 1 to 128 bytes).".into(),
        signature: Some(SignatureScheme {
            header: "tiktok-signature".into(),
            algorithm: HmacAlgorithm::Sha256,
            content: SignedContent::TimestampDotBody,
            value: "t={t},s={hex}".into(),
        }),
    }
}

/// The subscription's `client_key`, checked.
fn client_key(params: &Value) -> Result<&str, String> {
    let map = params
        .as_object()
        .ok_or("parameters must be a JSON object")?;
    for key in map.keys() {
        if key != "client_key" {
            return Err(format!(
                "unknown parameter `{key}`: `{FORMAT}` takes only `client_key`"
            ));
        }
    }
    let key = match map.get("client_key") {
        Some(Value::String(s)) => s.as_str(),
        Some(other) => return Err(format!("`client_key` must be a string, got {other}")),
        None => {
            return Err(
                "`client_key` is required: the app's client key, sent in every event".into(),
            )
        }
    };
    if key.is_empty() || key.len() > MAX_KEY {
        return Err(format!(
            "`client_key` is {} bytes long; it must be 1 to {MAX_KEY}",
            key.len()
        ));
    }
    Ok(key)
}

pub fn subscribe(format: &str, params: &Value) -> Result<Option<Verification>, String> {
    if format != FORMAT {
        return Err(format!(
            "tiktok sends no webhooks in the format `{format}`; its format is `{FORMAT}`"
        ));
    }
    client_key(params)?;
    Ok(None)
}

pub fn shape(tt: &TikTok, format: &str, params: &Value, event: &Event) -> Option<WebhookDelivery> {
    if format != FORMAT {
        return None;
    }
    let key = client_key(params).ok()?;
    let Payload::Content(c) = &event.payload else {
        return None;
    };
    let content = json!({
        "publish_id": publish_id("", &c.id),
        "post_id": c.id,
        "publish_type": "DIRECT_PUBLISH",
    });
    let body = json!({
        "client_key": key,
        "event": "post.publish.publicly_available",
        "create_time": event.at / 1000,
        "user_openid": open_id(&tt.creator.id),
        "content": content.to_string(),
    });
    Some(WebhookDelivery {
        content_type: "application/json".into(),
        headers: Vec::new(),
        body: body.to_string().into_bytes(),
    })
}
