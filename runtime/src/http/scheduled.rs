//! Scheduled actions of a profile: list, schedule, change, cancel; and the
//! named profiles (`/v1/presets`) a new profile may start from.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use diorama_sdk::Action;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::auth::{AnyCaller, Guarded, OwnProfile};
use super::error::{blocking, ApiError};
use super::profiles::admit;
use super::{schema, ApiState};
use crate::engine::presets::PRESETS;
use crate::engine::{ScheduleChange, ScheduleError, ScheduledAction, MAX_SCHEDULED};
use crate::event::time::format_instant;
use crate::live::pace;

/// A scheduled action as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduledView {
    /// Unique within the profile, never reused.
    pub id: String,
    pub platform: String,
    pub kind: String,
    #[schema(value_type = Object)]
    pub params: Value,
    /// When it goes out next (virtual time): its time, or its next retry.
    pub at: String,
    /// The time it was scheduled for.
    pub scheduled_for: String,
    /// Refusals so far (retried on 1 min, 5 min, 15 min, 1 h, 4 h).
    pub attempts: u32,
}

impl From<&ScheduledAction> for ScheduledView {
    fn from(s: &ScheduledAction) -> Self {
        ScheduledView {
            id: s.id.to_string(),
            platform: s.platform.clone(),
            kind: s.kind.clone(),
            params: serde_json::from_str(&s.params).unwrap_or(Value::Null),
            at: format_instant(s.at),
            scheduled_for: format_instant(s.scheduled_for),
            attempts: s.attempts,
        }
    }
}

/// The scheduled actions of a profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduledList {
    pub scheduled: Vec<ScheduledView>,
}

/// An action to take at a future virtual time.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    pub platform: String,
    /// An action of the platform (publish, reply, ...; see /v1/platforms).
    pub kind: String,
    #[serde(default = "empty_object")]
    #[schema(value_type = Object)]
    pub params: Value,
    /// Virtual time (RFC 3339), not before the profile's time.
    #[schema(format = "date-time")]
    pub at: String,
}

/// What to change of a scheduled action; what is left out stays.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleChangeBody {
    /// A new virtual time (RFC 3339).
    #[schema(format = "date-time")]
    pub at: Option<String>,
    /// New parameters (a JSON object).
    #[schema(value_type = Option<Object>)]
    pub params: Option<Value>,
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

fn refused(e: ScheduleError) -> ApiError {
    match e {
        ScheduleError::NotFound(_) => ApiError::not_found(e.to_string()),
        other => ApiError::invalid(other.to_string()),
    }
}

fn scheduled_id(sid: &str) -> Result<u64, ApiError> {
    sid.parse::<u64>()
        .map_err(|_| ApiError::not_found(format!("no scheduled action {sid:?}")))
}

#[utoipa::path(get, path = "/v1/profiles/{id}/scheduled",
    summary = "The profile's scheduled actions, by time.",
    params(("id" = String, Path)),
    responses((status = 200, description = "Every scheduled action.", body = ScheduledList)),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn list(State(s): State<ApiState>, own: OwnProfile) -> Result<Response, ApiError> {
    let live = s.live.clone();
    let p = own.profile;
    let list = blocking(move || live.scheduled(&p).map_err(ApiError::from)).await?;
    let scheduled: Vec<ScheduledView> = list.iter().map(ScheduledView::from).collect();
    Ok(Json(ScheduledList { scheduled }).into_response())
}

#[utoipa::path(post, path = "/v1/profiles/{id}/scheduled",
    summary = "Schedule an action (a publish, or any other) at a future virtual time. It goes out at that time; refused by a limit, it is retried after 1 min, 5 min, 15 min, 1 h and 4 h, then given up, each step a notice on platform `diorama`.",
    params(("id" = String, Path)),
    request_body = ScheduleBody,
    responses(
        (status = 201, description = "The scheduled action.", body = ScheduledView),
        (status = 422, description = "Unknown platform or action, a time before the profile's, or the profile already holds its most scheduled actions.", body = schema::Error),
    ),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn create(
    State(s): State<ApiState>,
    Guarded(own, body): Guarded<OwnProfile, ScheduleBody>,
) -> Result<Response, ApiError> {
    admit(&s, own.caller)?;
    if !body.params.is_object() {
        return Err(ApiError::invalid("`params` must be a JSON object"));
    }
    let at =
        pace::parse_instant_within("at", &body.at).map_err(|e| ApiError::invalid(e.to_string()))?;
    let live = s.live.clone();
    let p = own.profile;
    let action = Action {
        kind: body.kind,
        params: body.params.to_string(),
    };
    let platform = body.platform;
    let item = blocking(move || {
        live.schedule(&p, &platform, &action, at)
            .map_err(ApiError::from)
    })
    .await?
    .map_err(refused)?;
    Ok((StatusCode::CREATED, Json(ScheduledView::from(&item))).into_response())
}

#[utoipa::path(patch, path = "/v1/profiles/{id}/scheduled/{sid}",
    summary = "Change a scheduled action's time or parameters (its retries start afresh).",
    params(("id" = String, Path), ("sid" = String, Path)),
    request_body = ScheduleChangeBody,
    responses(
        (status = 200, description = "The scheduled action as changed.", body = ScheduledView),
        (status = 404, description = "No such scheduled action (it went out, was cancelled or never existed).", body = schema::Error),
    ),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn change(
    State(s): State<ApiState>,
    Path((_, sid)): Path<(String, String)>,
    Guarded(own, body): Guarded<OwnProfile, ScheduleChangeBody>,
) -> Result<Response, ApiError> {
    admit(&s, own.caller)?;
    let id = scheduled_id(&sid)?;
    let at = body
        .at
        .as_deref()
        .map(|t| pace::parse_instant_within("at", t))
        .transpose()
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    let params = match body.params {
        Some(v) if v.is_object() => Some(v.to_string()),
        Some(_) => return Err(ApiError::invalid("`params` must be a JSON object")),
        None => None,
    };
    let change = ScheduleChange { at, params };
    let live = s.live.clone();
    let p = own.profile;
    let item = blocking(move || live.reschedule(&p, id, &change).map_err(ApiError::from))
        .await?
        .map_err(refused)?;
    Ok(Json(ScheduledView::from(&item)).into_response())
}

#[utoipa::path(delete, path = "/v1/profiles/{id}/scheduled/{sid}",
    summary = "Cancel a scheduled action.",
    params(("id" = String, Path), ("sid" = String, Path)),
    responses(
        (status = 200, description = "The cancelled action.", body = ScheduledView),
        (status = 404, description = "No such scheduled action.", body = schema::Error),
    ),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn cancel(
    State(s): State<ApiState>,
    own: OwnProfile,
    Path((_, sid)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    admit(&s, own.caller)?;
    let id = scheduled_id(&sid)?;
    let live = s.live.clone();
    let p = own.profile;
    let item = blocking(move || live.cancel_scheduled(&p, id).map_err(ApiError::from))
        .await?
        .map_err(refused)?;
    Ok(Json(ScheduledView::from(&item)).into_response())
}

/// A named profile, as `/v1/presets` lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PresetView {
    pub name: String,
    pub description: String,
    pub size: u64,
    pub niche: String,
    pub timezone: String,
    /// Platform → its share of `size`.
    #[schema(value_type = Object)]
    pub platforms: Value,
    pub history_days: u32,
    pub interactions_per_day: u64,
}

/// Every preset.
#[derive(Debug, Serialize, ToSchema)]
pub struct PresetList {
    pub presets: Vec<PresetView>,
    /// The most scheduled actions a profile holds.
    pub max_scheduled: usize,
}

#[utoipa::path(get, path = "/v1/presets",
    summary = "The named profiles `POST /v1/profiles` takes as `preset`: size, niche, platforms, days of past, daily limit.",
    responses((status = 200, description = "The presets.", body = PresetList)),
    extensions(("x-diorama-caller" = json!("any"))))]
pub async fn presets(_: AnyCaller) -> Response {
    let presets = PRESETS
        .iter()
        .map(|p| PresetView {
            name: p.name.into(),
            description: p.description.into(),
            size: p.size,
            niche: p.niche.into(),
            timezone: p.timezone.into(),
            platforms: Value::Object(
                p.platforms
                    .iter()
                    .map(|(n, share)| (n.to_string(), json!(share)))
                    .collect(),
            ),
            history_days: p.history_days,
            interactions_per_day: p.interactions_per_day,
        })
        .collect();
    Json(PresetList {
        presets,
        max_scheduled: MAX_SCHEDULED,
    })
    .into_response()
}
