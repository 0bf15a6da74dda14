//! The wire shapes of the API that no type of this module deserializes or
//! serializes itself, as types that derive their OpenAPI schemas.
//!
//! Why mirrors rather than derives on the lower layers' own types: those
//! answers are built there as `serde_json::Value`s, event JSON lines written
//! byte by byte (`event::event_line`), or structs whose text fields
//! (`&'static str` statuses) do not say their allowed values; the request
//! bodies of `live` keep `Value` fields (`platforms`, `expires_at`) whose
//! accepted shapes only their checks know; and the ranges come from
//! `live::pace`, which utoipa's `minimum`/`maximum` (literals only) cannot
//! name. Deriving there would put this module's attributes into the layers
//! below (and, for the ranges, make them point up). The tests in
//! `openapi.rs` check these mirrors against the real types: every property
//! documented for a body is one the real type accepts, and the ranges are
//! `live::pace`'s.

use std::collections::BTreeMap;

use serde_json::Value;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::ToSchema;

use crate::live::pace;

/// Ranges and texts computed from `live::pace` (`schema_with` targets).
mod computed {
    use super::*;

    fn integer(range: (u64, u64), description: Option<&str>) -> Object {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(range.0 as f64))
            .maximum(Some(range.1 as f64))
            .description(description)
            .build()
    }

    fn speed(description: &str) -> Object {
        ObjectBuilder::new()
            .schema_type(Type::Number)
            .minimum(Some(pace::MIN_SPEED))
            .maximum(Some(pace::MAX_SPEED))
            .description(Some(description))
            .build()
    }

    /// "Between <first instant> and <last instant>."
    fn instant_range() -> String {
        format!(
            "Between {} and {}.",
            crate::event::time::format_instant(pace::INSTANT_MS.0),
            crate::event::time::format_instant(pace::INSTANT_MS.1)
        )
    }

    fn instant(description: &str, nullable: bool) -> Object {
        let mut b = ObjectBuilder::new();
        b = if nullable {
            b.schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                Type::String,
                Type::Null,
            ]))
        } else {
            b.schema_type(Type::String)
        };
        b.format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::DateTime,
        )))
        .description(Some(format!("{description} {}", instant_range())))
        .build()
    }

    pub fn size() -> Object {
        integer(
            pace::SIZE,
            Some(
                "Audience of the main platform (automatic mode); instagram gets 0.6×, tiktok 0.8×.",
            ),
        )
    }
    pub fn ttl_create() -> Object {
        integer(
            pace::INACTIVITY_TTL_S,
            Some("Delete the profile after this many seconds without a request."),
        )
    }
    pub fn ttl_update() -> Object {
        integer(pace::INACTIVITY_TTL_S, None)
    }
    pub fn per_day() -> Object {
        integer(pace::INTERACTIONS_PER_DAY, Some("Interactions per virtual (UTC) day before the profile pauses itself (status `limited`). Default 1000."))
    }
    pub fn create_speed() -> Object {
        speed("Start right away at this speed (1 = real time).")
    }
    pub fn body_speed() -> Object {
        speed("1 = real time.")
    }
    pub fn start() -> Object {
        instant(
            "Virtual time at creation; the wall clock by default.",
            false,
        )
    }
    pub fn expires_at() -> Object {
        instant("Wall-clock end of the profile.", false)
    }
    pub fn expires_at_or_null() -> Object {
        instant("RFC 3339, or null to clear.", true)
    }
    pub fn url() -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::Custom("uri".into())))
            .max_length(Some(crate::webhook::MAX_URL_BYTES))
            .description(Some("http or https. Loopback and public addresses; private, link-local, unique-local, CGNAT and metadata ranges only with the server's `--allow-private-webhooks`."))
            .build()
    }
    pub fn secret() -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(crate::webhook::MIN_SECRET_BYTES))
            .max_length(Some(crate::webhook::MAX_SECRET_BYTES))
            .description(Some("Signs every delivery: `diorama-signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>`."))
            .build()
    }
}

pub(super) use computed::body_speed;

// An error answer.
#[derive(ToSchema)]
pub struct Error {
    #[schema(inline)]
    pub error: ErrorDetail,
}

#[derive(ToSchema)]
pub struct ErrorDetail {
    /// malformed_json, invalid_body, invalid, bad_query, unauthorized, forbidden, not_found, target_not_found, conflict, live_limit, rate_limited, too_many_streams, server_busy, body_timeout, body_too_large, unsupported_media_type, method_not_allowed, ...
    pub code: String,
    /// What went wrong, where and why.
    pub message: String,
}

#[derive(ToSchema)]
pub struct Health {
    #[schema(inline)]
    pub status: Ok,
    pub version: String,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum Ok {
    Ok,
}

#[derive(ToSchema)]
pub struct OpenApiDocument {
    pub openapi: String,
    #[schema(value_type = Object)]
    pub paths: Value,
}

// Per-profile limits.
#[derive(ToSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    #[schema(schema_with = computed::per_day, required = false)]
    pub interactions_per_day: u64,
}

/// One platform's account options: the shared vocabulary or the plugin's own parameter names (`diorama plugins` lists them).
#[derive(ToSchema, serde::Serialize)]
pub struct PlatformOptions {
    #[schema(value_type = i64, minimum = 0, required = false)]
    pub audience: u64,
    #[schema(value_type = i64, minimum = 0, required = false)]
    pub avg_views: u64,
    #[schema(required = false)]
    pub engagement_rate: f64,
    #[schema(required = false)]
    pub upload_frequency: f64,
    #[schema(inline, required = false)]
    pub comment_volume: CommentVolume,
    #[schema(inline, required = false)]
    pub dm_frequency: DmFrequency,
}

#[derive(ToSchema, serde::Serialize)]
#[schema(rename_all = "snake_case")]
pub enum CommentVolume {
    Low,
    Medium,
    High,
    Viral,
}

#[derive(ToSchema, serde::Serialize)]
#[schema(rename_all = "snake_case")]
pub enum DmFrequency {
    Low,
    Medium,
    High,
}

// The body of `POST /v1/profiles` (`live::CreateProfile`).
#[derive(ToSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileCreate {
    #[schema(pattern = "^[A-Za-z0-9._-]{1,64}$", required = false)]
    pub name: String,
    #[schema(default = "tech", required = false)]
    pub niche: String,
    #[schema(schema_with = computed::size, required = false)]
    pub size: u64,
    /// IANA time zone of the audience.
    #[schema(default = "UTC", required = false)]
    pub timezone: String,
    #[schema(inline, required = false)]
    pub platforms: Platforms,
    #[schema(value_type = i64, minimum = 0, required = false)]
    pub seed: u64,
    #[schema(schema_with = computed::start, required = false)]
    pub start: String,
    #[schema(schema_with = computed::create_speed, required = false)]
    pub speed: f64,
    #[schema(required = false)]
    pub limits: Limits,
    #[schema(schema_with = computed::expires_at, required = false)]
    pub expires_at: String,
    #[schema(schema_with = computed::ttl_create, required = false)]
    pub inactivity_ttl_s: u64,
}

// `platforms` of a new profile: names, or options per name.
#[derive(ToSchema, serde::Serialize)]
#[serde(untagged)]
pub enum Platforms {
    /// Platform names (automatic mode).
    Names(Vec<String>),
    /// Platform name → its options (manual mode).
    Options(BTreeMap<String, PlatformOptions>),
}

/// `platforms`, `niche`, `timezone` and `seed` are fixed at creation: giving them is a 409.
#[derive(ToSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    #[schema(pattern = "^[A-Za-z0-9._-]{1,64}$", required = false)]
    pub name: String,
    #[schema(required = false)]
    pub limits: Limits,
    #[schema(schema_with = computed::expires_at_or_null, required = false)]
    pub expires_at: Option<String>,
    #[schema(schema_with = computed::ttl_update, required = false)]
    pub inactivity_ttl_s: u64,
}

#[derive(ToSchema, serde::Serialize)]
#[schema(rename_all = "snake_case")]
pub enum ProfileStatus {
    Created,
    Running,
    Paused,
    Limited,
    Stopped,
    Degraded,
}

// A profile as the API shows it (`live::ProfileView`).
#[derive(ToSchema, serde::Serialize)]
pub struct ProfileView {
    pub id: String,
    pub name: String,
    pub niche: String,
    pub timezone: String,
    #[schema(value_type = BTreeMap<String, Object>)]
    pub platforms: BTreeMap<String, Value>,
    pub seed: u64,
    #[schema(inline)]
    pub status: ProfileStatus,
    pub speed: f64,
    /// Virtual time, unix milliseconds.
    pub now: i64,
    #[schema(format = DateTime)]
    pub time: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub last_active: String,
    #[schema(required = true, format = DateTime)]
    pub expires_at: Option<String>,
    pub inactivity_ttl_s: u64,
    pub limits: Limits,
    /// The last event seq stored.
    pub events: u64,
    pub interactions_today: u64,
    /// Why the profile is limited or degraded.
    #[schema(required = false)]
    pub reason: String,
}

// A new profile: its view and its token.
#[derive(ToSchema, serde::Serialize)]
pub struct ProfileCreated {
    #[serde(flatten)]
    pub view: ProfileView,
    /// The profile's bearer token; shown only once.
    pub token: String,
}

#[derive(ToSchema)]
pub struct ProfileList {
    pub profiles: Vec<ProfileView>,
}

#[derive(ToSchema)]
pub struct Deleted {
    pub deleted: String,
    #[schema(required = false)]
    pub keys_removed: u64,
}

#[derive(ToSchema)]
pub struct Applied {
    #[schema(inline)]
    pub status: AppliedStatus,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum AppliedStatus {
    Applied,
}

#[derive(ToSchema)]
pub struct ActionResult {
    pub events: Vec<Event>,
}

#[derive(ToSchema)]
pub struct ScenarioList {
    #[schema(inline)]
    pub scenarios: Vec<ScenarioSummary>,
}

#[derive(ToSchema)]
pub struct ScenarioSummary {
    pub name: String,
    pub summary: String,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Passed,
    Failed,
    Error,
    Interrupted,
}

// A scenario run (`live::scenario::Runs`' record).
#[derive(ToSchema)]
pub struct ScenarioRun {
    pub id: String,
    /// The ready scenario's name, or `posted`.
    pub scenario: String,
    #[schema(inline)]
    pub status: RunStatus,
    /// Virtual time.
    #[schema(format = DateTime)]
    pub started_at: String,
    #[schema(required = true, format = DateTime)]
    pub ended_at: Option<String>,
    #[schema(inline)]
    pub expectations: Vec<RunExpectation>,
    #[schema(inline)]
    pub values: Vec<RunValue>,
    #[schema(required = true)]
    pub error: Option<String>,
}

#[derive(ToSchema)]
pub struct RunExpectation {
    pub message: String,
    pub passed: bool,
    /// file:line:column
    pub at: String,
}

#[derive(ToSchema)]
pub struct RunValue {
    pub name: String,
    #[schema(value_type = Value)]
    pub value: Value,
}

#[derive(ToSchema)]
pub struct Author {
    pub id: String,
    pub handle: String,
    pub display_name: String,
    pub avatar_url: String,
    pub verified: bool,
    pub followers: u64,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum EventType {
    Content,
    Interaction,
    Metric,
    Notice,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum Sentiment {
    Positive,
    Neutral,
    Negative,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum DmType {
    Fan,
    Question,
    Collaboration,
    Spam,
    Criticism,
}

// An event as `event::event_line` writes it.
#[derive(ToSchema)]
pub struct Event {
    /// Position in the profile's event log, from 1, contiguous.
    pub seq: u64,
    /// Virtual time, unix milliseconds.
    pub at: i64,
    #[schema(format = DateTime)]
    pub time: String,
    pub profile: String,
    /// A platform name, or `diorama` for the server's own notices.
    pub platform: String,
    #[schema(inline)]
    pub r#type: EventType,
    /// Content or interaction kind, metric name or notice code.
    pub kind: String,
    #[schema(required = false)]
    pub id: String,
    #[schema(required = false)]
    pub content_id: String,
    #[schema(required = false)]
    pub parent_id: String,
    #[schema(required = false)]
    pub author: Author,
    #[schema(required = false)]
    pub title: String,
    #[schema(required = false)]
    pub text: String,
    #[schema(required = false)]
    pub url: String,
    #[schema(inline, required = false)]
    pub sentiment: Sentiment,
    #[schema(inline, required = false)]
    pub dm_type: DmType,
    #[schema(required = false)]
    pub total: i64,
    #[schema(required = false)]
    pub delta: i64,
}

#[derive(ToSchema)]
pub struct EventPage {
    pub items: Vec<Event>,
    /// The cursor for the next page (`after`): the last item's seq, or the `after` given.
    #[schema(required = true)]
    pub next: Option<String>,
    pub has_more: bool,
}

#[derive(ToSchema)]
pub struct Content {
    pub id: String,
    pub platform: String,
    pub kind: String,
    pub title: String,
    pub text: String,
    pub url: String,
    /// Virtual time, unix milliseconds.
    pub published_at: i64,
    #[schema(format = DateTime)]
    pub published: String,
    pub seq: u64,
    pub metrics: BTreeMap<String, i64>,
    pub interactions: u64,
}

#[derive(ToSchema)]
pub struct ContentPage {
    pub items: Vec<Content>,
    pub total: u64,
}

#[derive(ToSchema)]
pub struct PlatformList {
    #[schema(inline)]
    pub platforms: Vec<PlatformInfo>,
}

#[derive(ToSchema)]
pub struct PlatformInfo {
    pub name: String,
    pub version: String,
    #[schema(required = false)]
    pub content_kinds: Vec<String>,
    #[schema(required = false)]
    pub interaction_kinds: Vec<String>,
    #[schema(required = false)]
    pub metrics: Vec<String>,
    #[schema(inline, required = false)]
    pub signals: Vec<PlatformSignal>,
    #[schema(required = false)]
    pub actions: Vec<String>,
    #[schema(inline, required = false)]
    pub limits: Vec<PlatformLimit>,
    #[schema(value_type = Object, required = false)]
    pub defaults: Value,
}

#[derive(ToSchema)]
pub struct PlatformSignal {
    #[schema(required = false)]
    pub name: String,
    #[schema(required = false)]
    pub description: String,
}

#[derive(ToSchema)]
pub struct PlatformLimit {
    #[schema(required = false)]
    pub action: String,
    #[schema(required = false)]
    pub max: u64,
    /// virtual milliseconds
    #[schema(required = false)]
    pub per: u64,
}

/// An event matches when it matches every non-empty list.
#[derive(ToSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct EventFilter {
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
    pub filter: EventFilter,
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
    pub filter: EventFilter,
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
#[schema(rename_all = "snake_case")]
pub enum Outcome {
    Delivered,
    Failed,
    GaveUp,
    Disabled,
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
    pub outcome: Outcome,
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
