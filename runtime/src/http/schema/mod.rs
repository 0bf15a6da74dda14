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
//! below (and, for the ranges, make them point up). The ranges are read
//! from `live::pace` (`computed.rs`), and a test in `openapi.rs` checks
//! each mirrored body lists exactly the fields its real type accepts.

use std::collections::BTreeMap;

use serde_json::Value;
use utoipa::ToSchema;

mod computed;
mod events;
mod hooks;

pub use events::*;
pub use hooks::*;

pub(in crate::http) use computed::body_speed;

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

/// One platform's account options: the shared vocabulary, translated to the parameter each platform declares for it (`shared` in GET /v1/platforms; a word the platform has no parameter for is refused), or the plugin's own parameter names. `audience` and `avg_views` have the range of `size` under either name.
#[derive(ToSchema, serde::Serialize)]
pub struct PlatformOptions {
    #[schema(schema_with = computed::shared_count, required = false)]
    pub audience: u64,
    #[schema(schema_with = computed::shared_count, required = false)]
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
    /// Days of past the profile opens with: earlier posts, metrics,
    /// comments and DMs, simulated before `start` (not counted against the
    /// daily limit).
    #[schema(minimum = 0, maximum = 365, required = false)]
    pub history_days: u64,
    /// A named profile (`GET /v1/presets`) for whatever the request leaves out.
    #[schema(required = false)]
    pub preset: String,
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
#[schema(as = ProfileStatus, rename_all = "snake_case")]
pub enum ProfileStatusDoc {
    Created,
    Running,
    Paused,
    Limited,
    Stopped,
    Degraded,
}

// A profile as the API shows it (`live::ProfileView`).
#[derive(ToSchema, serde::Serialize)]
#[schema(as = ProfileView)]
pub struct ProfileViewDoc {
    pub id: String,
    pub name: String,
    pub niche: String,
    pub timezone: String,
    #[schema(value_type = BTreeMap<String, Object>)]
    pub platforms: BTreeMap<String, Value>,
    pub seed: u64,
    #[schema(inline)]
    pub status: ProfileStatusDoc,
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
    /// Each platform account's health: `ok`, `shadowbanned`, `restricted`,
    /// `action_blocked`, `token_expired` or `suspended`.
    pub health: BTreeMap<String, String>,
    /// The last event seq stored.
    pub events: u64,
    pub interactions_today: u64,
    /// Days of past the profile opened with (`history_days` or its preset's).
    pub history_days: u64,
    /// Actions scheduled and not yet gone out (`GET /v1/profiles/{id}/scheduled` lists them).
    pub scheduled: u64,
    /// Why the profile is limited or degraded.
    #[schema(required = false)]
    pub reason: String,
}

// A new profile: its view and its token.
#[derive(ToSchema, serde::Serialize)]
pub struct ProfileCreated {
    #[serde(flatten)]
    pub view: ProfileViewDoc,
    /// The profile's bearer token; shown only once.
    pub token: String,
}

#[derive(ToSchema)]
pub struct ProfileList {
    pub profiles: Vec<ProfileViewDoc>,
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
#[schema(as = RunStatus, rename_all = "snake_case")]
pub enum RunStatusDoc {
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
    pub status: RunStatusDoc,
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
