//! Updates pushed to the bot's URL (`setWebhook`), in the format
//! `bot-updates`: one POST an update, its body the very JSON `getUpdates`
//! gives for it, with `X-Telegram-Bot-Api-Secret-Token` when the bot set a
//! `secret_token`. Telegram signs nothing: the secret token is the proof,
//! so the host sends the deliveries unsigned. An event that made no update
//! for the bot (the bot's own messages, metrics other than a post's
//! reactions, updates the bot did not ask for) sends nothing.

use serde_json::Value;

use diorama_sdk::models::params::check_known;
use diorama_sdk::{Event, SignatureScheme, Verification, WebhookDelivery, WebhookFormat};

use crate::native::memory::event_key;
use crate::native::{update_json, wanted};
use crate::{Telegram, PLATFORM};

/// The format's name.
pub const FORMAT: &str = "bot-updates";
/// The header that carries the bot's secret token.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

pub fn format() -> WebhookFormat {
    WebhookFormat {
        name: FORMAT.into(),
        content_type: "application/json".into(),
        description: "Bot API updates pushed to the bot's URL, as setWebhook makes them: one Update object a POST, with X-Telegram-Bot-Api-Secret-Token when a secret_token is set (params: secret_token, allowed_updates, max_connections)".into(),
        signature: Some(SignatureScheme::unsigned()),
    }
}

/// A secret token as the Bot API takes it: 1–256 characters of `A-Z`,
/// `a-z`, `0-9`, `_` and `-`.
pub fn check_secret(token: &str) -> Result<(), String> {
    let fits = (1..=256).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if fits {
        Ok(())
    } else {
        Err("bad webhook: secret token contains unallowed characters".into())
    }
}

/// The subscription's parameters: `secret_token`, `allowed_updates` (a
/// list of update kinds), `max_connections` (1–100). No handshake.
pub fn subscribe(format: &str, params: &Value) -> Result<Option<Verification>, String> {
    if format != FORMAT {
        return Err(format!(
            "{PLATFORM} sends webhooks only in the format `{FORMAT}`, not `{format}`"
        ));
    }
    let empty = serde_json::Map::new();
    let map = match params {
        Value::Object(m) => m,
        Value::Null => &empty,
        _ => {
            return Err(format!(
                "{PLATFORM}: `{FORMAT}` parameters must be an object"
            ))
        }
    };
    check_known(
        PLATFORM,
        map,
        &["secret_token", "allowed_updates", "max_connections"],
        &format!("`{FORMAT}` parameter"),
    )?;
    match map.get("secret_token") {
        None => {}
        Some(Value::String(t)) => check_secret(t)?,
        Some(_) => return Err(format!("{PLATFORM}: `secret_token` must be a string")),
    }
    match map.get("allowed_updates") {
        None => {}
        Some(Value::Array(a)) if a.iter().all(Value::is_string) && a.len() <= 32 => {}
        Some(_) => {
            return Err(format!(
                "{PLATFORM}: `allowed_updates` must be a list of at most 32 update kinds"
            ))
        }
    }
    match map.get("max_connections") {
        None => {}
        Some(n) if n.as_u64().is_some_and(|n| (1..=100).contains(&n)) => {}
        Some(_) => return Err(format!("{PLATFORM}: `max_connections` must be 1 to 100")),
    }
    Ok(None)
}

/// The update `event` made, as the bot's URL receives it.
pub fn shape(
    tg: &Telegram,
    format: &str,
    params: &Value,
    event: &Event,
) -> Option<WebhookDelivery> {
    if format != FORMAT {
        return None;
    }
    let allowed: Option<Vec<String>> = params["allowed_updates"].as_array().map(|a| {
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    });
    let key = event_key(event);
    let update = tg
        .memory()
        .updates_from(&key)
        .find(|u| wanted(allowed.as_deref(), &u.kind))?;
    let mut headers = Vec::new();
    if let Some(token) = params["secret_token"].as_str() {
        headers.push((SECRET_HEADER.to_string(), token.to_string()));
    }
    Some(WebhookDelivery {
        content_type: "application/json".into(),
        headers,
        body: update_json(tg, update).to_string().into_bytes(),
    })
}
