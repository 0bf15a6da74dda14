//! What the webhooks keep in the store (see the table in the module doc
//! of [`super`]) and how it is encoded.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::event::OwnerId;
use crate::store::{RecordTree, StoreError};

use super::error::{HookRefusal, WebhookError};
use super::filter::EventFilter;
use super::format::FormatSpec;

/// Webhook subscriptions, by hook id.
pub(crate) const HOOKS: RecordTree = RecordTree::new("hooks");
/// Webhook deliveries still to make, by hook id.
pub(crate) const OUTBOX: RecordTree = RecordTree::new("outbox");
/// The webhook delivery log: attempts and outcomes.
pub(crate) const DELIVERIES: RecordTree = RecordTree::new("deliveries");

/// A subscription as stored (`hooks` tree).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct HookRecord {
    pub(super) id: String,
    pub(super) url: String,
    pub(super) secret: String,
    pub(super) filter: EventFilter,
    pub(super) created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) disabled: Option<Disabled>,
    /// A platform's own format; none (and absent in records of earlier
    /// builds): diorama's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) format: Option<FormatSpec>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct Disabled {
    pub(super) at: i64,
    pub(super) reason: String,
}

/// A hook's progress (`outbox` tree).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(super) struct HookProgress {
    pub(super) cursor: u64,
    /// Wall-clock ms of the first failed attempt of the current failure.
    #[serde(default)]
    pub(super) failing_since: Option<i64>,
    #[serde(default)]
    pub(super) last_error: Option<String>,
}

/// One delivery attempt (`deliveries` tree).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct LogEntry {
    pub(super) event_id: String,
    pub(super) seq: u64,
    pub(super) attempt: u32,
    pub(super) at: i64,
    pub(super) status: Option<u16>,
    pub(super) outcome: DeliveryOutcome,
    pub(super) error: Option<String>,
    pub(super) duration_ms: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum DeliveryOutcome {
    Delivered,
    Failed,
    GaveUp,
    Disabled,
    /// Held by a webhook outage (a fault); delivered after it.
    Paused,
}

pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

pub(super) fn encode<T: Serialize>(what: &'static str, v: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(v).map_err(|e| StoreError::Encode {
        what,
        why: e.to_string(),
    })
}

pub(super) fn decode<T: for<'de> Deserialize<'de>>(
    tree: RecordTree,
    owner: OwnerId,
    key: &[u8],
    v: &[u8],
) -> Result<T, StoreError> {
    serde_json::from_slice(v).map_err(|e| StoreError::CorruptRecord {
        tree: tree.name(),
        key: format!("owner {owner} · {}", String::from_utf8_lossy(key)),
        why: e.to_string(),
    })
}

pub(super) fn log_key(id: &str, seq: u64, attempt: u32) -> Vec<u8> {
    let mut k = Vec::with_capacity(id.len() + 12);
    k.extend_from_slice(id.as_bytes());
    k.extend_from_slice(&seq.to_be_bytes());
    k.extend_from_slice(&attempt.to_be_bytes());
    k
}

pub(super) fn new_hook_id() -> Result<String, WebhookError> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| HookRefusal::NoRandomness(e.to_string()))?;
    Ok(format!("wh_{}", hex::encode(b)))
}

/// A random secret for a hook a platform's own API subscribes (the secret
/// signs, if the format signs at all; nobody is shown it): 64 hex digits.
pub fn new_secret() -> Result<String, WebhookError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| HookRefusal::NoRandomness(e.to_string()))?;
    Ok(hex::encode(b))
}

/// A random challenge for a subscription handshake: 32 hex digits.
pub(super) fn new_challenge() -> Result<String, WebhookError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| HookRefusal::NoRandomness(e.to_string()))?;
    Ok(hex::encode(b))
}
