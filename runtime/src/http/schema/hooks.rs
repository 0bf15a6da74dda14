//! Webhooks: the subscription, its view, its delivery log and what a
//! receiver gets.

use utoipa::ToSchema;

use super::computed;
use super::events::Event;

/// An event matches when it matches every non-empty list.
#[derive(ToSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
#[schema(as = EventFilter)]
pub struct EventFilterDoc {
    #[schema(required = false)]
    pub platforms: Vec<String>,
    #[schema(required = false)]
    pub types: Vec<String>,
    #[schema(required = false)]
    pub kinds: Vec<String>,
}

// The body of `POST .../webhooks` (`webhook::HookSpec`).
#[derive(ToSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSpec {
    #[schema(schema_with = computed::url)]
    pub url: String,
    #[schema(schema_with = computed::secret)]
    pub secret: String,
    #[schema(required = false)]
    pub filter: EventFilterDoc,
    /// Absent: diorama's own format.
    #[schema(required = false)]
    pub format: WebhookFormatSpec,
}

/// A platform's own webhook format (`webhook::FormatSpec`): only that
/// platform's events are sent, shaped and signed as the platform does.
#[derive(ToSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookFormatSpec {
    /// A platform of the profile, e.g. `instagram`.
    #[schema(min_length = 1, max_length = 64)]
    pub platform: String,
    /// One of the platform's `webhook_formats` (`GET /v1/platforms`):
    /// `graph-webhooks` (Instagram), `tiktok-webhooks` (TikTok),
    /// `websub-atom` (YouTube).
    #[schema(min_length = 1, max_length = 64)]
    pub name: String,
    /// The format's parameters, at most 4096 bytes of JSON:
    /// `graph-webhooks` takes `verify_token` (required) and `object`;
    /// `tiktok-webhooks` takes `client_key` (required); `websub-atom`
    /// takes `lease_seconds`.
    #[schema(required = false, value_type = Object)]
    pub params: serde_json::Map<String, serde_json::Value>,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum HookStatus {
    Active,
    Failing,
    Disabled,
}

// A webhook as the API shows it (`webhook::HookView`).
#[derive(ToSchema)]
pub struct WebhookView {
    pub id: String,
    pub url: String,
    pub filter: EventFilterDoc,
    /// Null: diorama's own format.
    #[schema(required = true)]
    pub format: Option<WebhookFormatSpec>,
    /// Wall clock, unix milliseconds.
    pub created_at: i64,
    #[schema(inline)]
    pub status: HookStatus,
    /// The last seq handled.
    pub cursor: u64,
    /// Events stored after the cursor.
    pub pending: u64,
    #[schema(required = true)]
    pub last_error: Option<String>,
    /// Wall clock, unix milliseconds.
    #[schema(required = true)]
    pub next_attempt_at: Option<i64>,
}

#[derive(ToSchema)]
pub struct WebhookList {
    pub webhooks: Vec<WebhookView>,
}

#[derive(ToSchema)]
#[schema(as = Outcome, rename_all = "snake_case")]
pub enum OutcomeDoc {
    Delivered,
    Failed,
    GaveUp,
    Disabled,
    Paused,
}

#[derive(ToSchema)]
pub struct Delivery {
    pub event_id: String,
    pub seq: u64,
    #[schema(minimum = 1)]
    pub attempt: u32,
    /// Wall clock, unix milliseconds.
    pub at: i64,
    /// The receiver's HTTP status.
    #[schema(required = true)]
    pub status: Option<u16>,
    #[schema(inline)]
    pub outcome: OutcomeDoc,
    #[schema(required = true)]
    pub error: Option<String>,
    pub duration_ms: u64,
}

#[derive(ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<Delivery>,
    #[schema(required = true)]
    pub next: Option<String>,
}

// The body of every webhook delivery.
#[derive(ToSchema)]
pub struct WebhookPayload {
    /// `<profile>-<seq>`: the same on every retry; dedupe by it.
    pub event_id: String,
    pub profile: String,
    pub hook: String,
    pub event: Event,
}
