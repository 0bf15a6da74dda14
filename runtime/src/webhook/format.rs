//! Hooks in a platform's own format: a subscription names one of the
//! formats a platform's plugin declares (`webhook_formats` in `describe`),
//! and the plugin, not this module, knows what the platform sends. The
//! profile's plugin checks the subscription's parameters and says which
//! handshake the platform makes (`webhook-subscribe`), and turns each event
//! into the platform's request (`shape-webhook`); this module makes the
//! handshake, signs each attempt as the format declares, and delivers
//! through the same outbox, retries and log as diorama's own format.

use diorama_sdk::{Event, Verification, WebhookDelivery, WebhookFormat};
use serde::{Deserialize, Serialize};

use crate::event::OwnerId;

use super::error::HookRefusal;

/// The most bytes of a format's parameters, as JSON.
pub const MAX_FORMAT_PARAMS_BYTES: usize = 4096;
/// The longest platform or format name accepted.
pub const MAX_FORMAT_NAME_BYTES: usize = 64;
/// The most bytes of a receiver's answer to the handshake read.
pub(super) const MAX_CHALLENGE_ANSWER: usize = 1024;

/// A subscription's format, as a client sends it: `{"platform":
/// "instagram", "name": "graph-webhooks", "params": {"verify_token":
/// "..."}}`. Without one, a hook gets diorama's own format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormatSpec {
    /// The platform whose format it is; only its events are sent.
    pub platform: String,
    /// One of the platform's `webhook_formats`.
    pub name: String,
    /// The format's parameters, as its platform documents them.
    #[serde(default)]
    pub params: serde_json::Map<String, serde_json::Value>,
}

impl FormatSpec {
    /// The parameters as the JSON object the plugin is given.
    pub(super) fn params_json(&self) -> String {
        serde_json::Value::Object(self.params.clone()).to_string()
    }

    pub(super) fn validate(&self) -> Result<(), HookRefusal> {
        for (field, value) in [("platform", &self.platform), ("name", &self.name)] {
            if value.is_empty() || value.len() > MAX_FORMAT_NAME_BYTES {
                return Err(HookRefusal::FormatField {
                    field,
                    reason: format!(
                        "is {} bytes long; it must be 1 to {MAX_FORMAT_NAME_BYTES}",
                        value.len()
                    ),
                });
            }
        }
        let len = self.params_json().len();
        if len > MAX_FORMAT_PARAMS_BYTES {
            return Err(HookRefusal::FormatField {
                field: "params",
                reason: format!(
                    "is {len} bytes of JSON; at most {MAX_FORMAT_PARAMS_BYTES} are allowed"
                ),
            });
        }
        Ok(())
    }
}

/// Why the profile's plugin could not check or shape a hook.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// The subscription is refused: the profile has no such account, or the
    /// plugin refuses its parameters. The message says which.
    #[error("{0}")]
    Refused(String),
    /// The plugin or the profile failed; the attempt is retried.
    #[error("{0}")]
    Failed(String),
}

/// What reaches the profiles' plugins for the webhooks: the live side
/// implements it.
pub trait Shaper: Send + Sync {
    /// The webhook formats `platform`'s plugin declares; `None` when no
    /// plugin of that name is loaded.
    fn formats(&self, platform: &str) -> Option<Vec<WebhookFormat>>;

    /// The platforms loaded, by name.
    fn loaded(&self) -> Vec<String>;

    /// The profile's `platform` plugin checks a subscription to `format`
    /// with `params` (a JSON object): the handshake to make, or none.
    fn subscribe(
        &self,
        owner: OwnerId,
        platform: &str,
        format: &str,
        params: &str,
    ) -> Result<Option<Verification>, ShapeError>;

    /// The end (virtual time) of a webhook outage of the profile
    /// ([`crate::fault`]) holding the deliveries of `platform`'s events
    /// now, if any.
    fn webhooks_paused(&self, _owner: OwnerId, _platform: &str) -> Option<crate::event::Millis> {
        None
    }

    /// The request the profile's `platform` plugin sends for `event` in
    /// `format`, or none.
    fn shape(
        &self,
        owner: OwnerId,
        platform: &str,
        format: &str,
        params: &str,
        event: &Event,
    ) -> Result<Option<WebhookDelivery>, ShapeError>;
}
