//! Profiles: create, list, read, update, delete; start, pause, resume,
//! stop; signals and the creator's actions.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use diorama_sdk::{Action, ActionError};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::auth::{Admin, AdminProfile, AnyCaller, Caller, Guarded, OwnProfile};
use super::error::{blocking, ApiError, OptionalBody};
use super::{schema, ApiState};
use crate::live::{CreateProfile, ProfileStatus, UpdateProfile};

#[utoipa::path(get, path = "/v1/platforms",
    summary = "The loaded platform plugins: kinds, signals, actions, limits, parameters; and the host's own signals (fault injection on platform `diorama`).",
    responses((status = 200, description = "The platforms.", body = schema::PlatformList)),
    extensions(("x-diorama-caller" = json!("any"))))]
pub async fn platforms(State(s): State<ApiState>, _: AnyCaller) -> Response {
    let list: Vec<Value> = s
        .live
        .host()
        .plugins()
        .iter()
        .map(|p| p.to_json())
        .collect();
    Json(json!({ "platforms": list, "host": crate::fault::catalogue() })).into_response()
}

#[utoipa::path(post, path = "/v1/profiles",
    summary = "Create a demo profile (automatic from a niche and a size, or per platform). The answer carries the profile's token, shown only once.",
    request_body = schema::ProfileCreate,
    responses((status = 201, description = "The new profile, with its token (shown only once).", body = schema::ProfileCreated)),
    extensions(("x-diorama-caller" = json!("admin"))))]
pub async fn create(
    State(s): State<ApiState>,
    Guarded(Admin, req): Guarded<Admin, CreateProfile>,
) -> Result<Response, ApiError> {
    let live = s.live.clone();
    let (view, token) = blocking(move || live.create(req).map_err(ApiError::from)).await?;
    /// The view, then the token, in that order.
    #[derive(serde::Serialize)]
    struct Created {
        #[serde(flatten)]
        view: crate::live::ProfileView,
        token: String,
    }
    Ok((StatusCode::CREATED, Json(Created { view, token })).into_response())
}

#[utoipa::path(get, path = "/v1/profiles",
    summary = "List profiles.",
    responses((status = 200, description = "Every profile.", body = schema::ProfileList)),
    extensions(("x-diorama-caller" = json!("admin"))))]
pub async fn list(State(s): State<ApiState>, _: Admin) -> Result<Response, ApiError> {
    let live = s.live.clone();
    let list = blocking(move || live.list().map_err(ApiError::from)).await?;
    Ok(Json(json!({ "profiles": list })).into_response())
}

#[utoipa::path(get, path = "/v1/profiles/{id}",
    summary = "Read a profile: status, speed, virtual time, limits.",
    params(("id" = String, Path)),
    responses((status = 200, description = "The profile.", body = schema::ProfileViewDoc)),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn read(State(s): State<ApiState>, own: OwnProfile) -> Result<Response, ApiError> {
    let live = s.live.clone();
    let p = own.profile;
    let view = blocking(move || live.view(&p).map_err(ApiError::from)).await?;
    Ok(Json(view).into_response())
}

#[utoipa::path(patch, path = "/v1/profiles/{id}",
    summary = "Update a profile's name, limits and lifetime.",
    params(("id" = String, Path)),
    request_body = schema::ProfileUpdate,
    responses((status = 200, description = "The profile.", body = schema::ProfileViewDoc)),
    extensions(("x-diorama-caller" = json!("admin"))))]
pub async fn update(
    State(s): State<ApiState>,
    Guarded(target, patch): Guarded<AdminProfile, UpdateProfile>,
) -> Result<Response, ApiError> {
    let live = s.live.clone();
    let p = target.profile;
    let view = blocking(move || live.update(&p, patch).map_err(ApiError::from)).await?;
    Ok(Json(view).into_response())
}

#[utoipa::path(delete, path = "/v1/profiles/{id}",
    summary = "Delete a profile and every key it owns.",
    params(("id" = String, Path)),
    responses((status = 200, description = "The profile is gone.", body = schema::Deleted)),
    extensions(("x-diorama-caller" = json!("admin"))))]
pub async fn delete(State(s): State<ApiState>, target: AdminProfile) -> Result<Response, ApiError> {
    let live = s.live.clone();
    let scenarios = s.scenarios.clone();
    let p = target.profile;
    let keys = blocking(move || {
        scenarios.forget(p.id);
        live.delete(p.id).map_err(ApiError::from)
    })
    .await?;
    Ok(Json(json!({ "deleted": target.id, "keys_removed": keys })).into_response())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpeedBody {
    #[schema(schema_with = schema::body_speed)]
    pub speed: Option<f64>,
}

async fn lifecycle(
    s: ApiState,
    target: AdminProfile,
    body: SpeedBody,
    what: ProfileStatus,
) -> Result<Response, ApiError> {
    let live = s.live.clone();
    let p = target.profile;
    let view = blocking(move || {
        match what {
            ProfileStatus::Running => live.start(&p, body.speed),
            other => {
                if body.speed.is_some() {
                    return Err(ApiError::invalid(
                        "`speed` is only taken by start and resume",
                    ));
                }
                live.halt(&p, other)
            }
        }
        .map_err(ApiError::from)
    })
    .await?;
    Ok(Json(view).into_response())
}

#[utoipa::path(post, path = "/v1/profiles/{id}/start",
    summary = "Start the live simulation at `speed` (1 = real time).",
    params(("id" = String, Path)),
    request_body = Option<SpeedBody>,
    responses((status = 200, description = "The profile.", body = schema::ProfileViewDoc)),
    extensions(("x-diorama-caller" = json!("admin"))))]
pub async fn start(
    State(s): State<ApiState>,
    target: AdminProfile,
    OptionalBody(body): OptionalBody<SpeedBody>,
) -> Result<Response, ApiError> {
    lifecycle(s, target, body, ProfileStatus::Running).await
}

#[utoipa::path(post, path = "/v1/profiles/{id}/pause",
    summary = "Pause the live simulation.",
    params(("id" = String, Path)),
    responses((status = 200, description = "The profile.", body = schema::ProfileViewDoc)),
    extensions(("x-diorama-caller" = json!("admin"))))]
pub async fn pause(
    State(s): State<ApiState>,
    target: AdminProfile,
    OptionalBody(body): OptionalBody<SpeedBody>,
) -> Result<Response, ApiError> {
    lifecycle(s, target, body, ProfileStatus::Paused).await
}

#[utoipa::path(post, path = "/v1/profiles/{id}/resume",
    summary = "Resume, at the last speed or a new `speed`.",
    params(("id" = String, Path)),
    request_body = Option<SpeedBody>,
    responses((status = 200, description = "The profile.", body = schema::ProfileViewDoc)),
    extensions(("x-diorama-caller" = json!("admin"))))]
pub async fn resume(
    State(s): State<ApiState>,
    target: AdminProfile,
    OptionalBody(body): OptionalBody<SpeedBody>,
) -> Result<Response, ApiError> {
    lifecycle(s, target, body, ProfileStatus::Running).await
}

#[utoipa::path(post, path = "/v1/profiles/{id}/stop",
    summary = "Stop the live simulation.",
    params(("id" = String, Path)),
    responses((status = 200, description = "The profile.", body = schema::ProfileViewDoc)),
    extensions(("x-diorama-caller" = json!("admin"))))]
pub async fn stop(
    State(s): State<ApiState>,
    target: AdminProfile,
    OptionalBody(body): OptionalBody<SpeedBody>,
) -> Result<Response, ApiError> {
    lifecycle(s, target, body, ProfileStatus::Stopped).await
}

// A signal to one platform of a profile.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignalBody {
    pub platform: String,
    /// viral, troll_wave, shadowban, controversy, growth, brand_deal_flood (each platform lists its own in /v1/platforms).
    pub signal: String,
    #[serde(default = "empty_object")]
    #[schema(schema_with = params_schema)]
    pub params: Value,
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

/// Parameters: an object, `{}` when left out. (`schema_with`: utoipa drops
/// a `default` given beside `value_type = Object`.)
fn params_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Object)
        .default(Some(json!({})))
        .build()
}

/// An action's parameters, as [`params_schema`].
fn action_params_schema() -> utoipa::openapi::schema::Object {
    let mut o = params_schema();
    o.description = Some("e.g. {comment_id, text} for a reply.".into());
    o
}

/// Counts an action or signal against the caller's token: 429 with
/// `Retry-After` past `--action-rate` per second.
pub(super) fn admit(s: &ApiState, caller: Caller) -> Result<(), ApiError> {
    let who = match caller {
        Caller::Admin => None,
        Caller::Profile(id) => Some(id),
    };
    s.live.admit(who).map_err(|wait_s| {
        ApiError::rate_limited(
            format!(
                "this token sent more than {} actions and signals per second; retry in {wait_s} s",
                s.live.config().action_rate
            ),
            wait_s,
        )
    })
}

#[utoipa::path(post, path = "/v1/profiles/{id}/signals",
    summary = "Send a signal (viral, troll_wave, shadowban, ...) to one platform, now.",
    params(("id" = String, Path)),
    request_body = SignalBody,
    responses(
        (status = 202, description = "The signal is applied.", body = schema::Applied),
        (status = 429, description = "The token sent more than `--action-rate` actions and signals per second, or (actions) the platform's limit for this action is reached.", body = schema::Error,
            headers(("Retry-After" = u64, description = "Wall-clock seconds until a retry can succeed, at the profile's speed."))),
    ),
    extensions(("x-diorama-caller" = json!("admin"))))]
pub async fn signal(
    State(s): State<ApiState>,
    Guarded(target, body): Guarded<AdminProfile, SignalBody>,
) -> Result<Response, ApiError> {
    // Only the admin gets here.
    admit(&s, Caller::Admin)?;
    if !body.params.is_object() {
        return Err(ApiError::invalid("`params` must be a JSON object"));
    }
    let live = s.live.clone();
    let p = target.profile;
    blocking(move || {
        live.signal(&p, &body.platform, &body.signal, &body.params)
            .map_err(ApiError::from)
    })
    .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "status": "applied" }))).into_response())
}

// An action of the creator on one platform.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ActionBody)]
pub struct ActBody {
    pub platform: String,
    /// publish, reply, dm_reply (each platform lists its own in /v1/platforms).
    pub kind: String,
    #[serde(default = "empty_object")]
    #[schema(schema_with = action_params_schema)]
    pub params: Value,
}

/// The creator acts: 201 with the events it made; 422 when invalid, 404
/// when its target is unknown, 429 with `Retry-After` (wall seconds at the
/// profile's speed) when the platform's limit is reached.
#[utoipa::path(post, path = "/v1/profiles/{id}/actions",
    summary = "Act as the creator: reply, answer a DM, publish. 429 with Retry-After at the platform's limit.",
    params(("id" = String, Path)),
    request_body = ActBody,
    responses(
        (status = 201, description = "The events the action made.", body = schema::ActionResult),
        (status = 429, description = "The token sent more than `--action-rate` actions and signals per second, or (actions) the platform's limit for this action is reached.", body = schema::Error,
            headers(("Retry-After" = u64, description = "Wall-clock seconds until a retry can succeed, at the profile's speed."))),
        (status = 503, description = "The platform is in a simulated outage (the `api_outage` fault of platform `diorama`): retry once it ends.", body = schema::Error,
            headers(("Retry-After" = u64, description = "Wall-clock seconds until the outage ends, at the profile's speed."))),
    ),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn act(
    State(s): State<ApiState>,
    Guarded(own, body): Guarded<OwnProfile, ActBody>,
) -> Result<Response, ApiError> {
    admit(&s, own.caller)?;
    let p = own.profile;
    if !body.params.is_object() {
        return Err(ApiError::invalid("`params` must be a JSON object"));
    }
    let live = s.live.clone();
    let action = Action {
        kind: body.kind.clone(),
        params: body.params.to_string(),
    };
    let platform = body.platform.clone();
    let target = p.clone();
    let (outcome, speed) = blocking(move || {
        live.act(&target, &platform, &action)
            .map_err(ApiError::from)
    })
    .await?;
    match outcome {
        Ok(events) => {
            // The events' own JSON lines, in their fixed key order.
            let label = p.id.to_string();
            let mut body = b"{\"events\":[".to_vec();
            for (i, e) in events.iter().enumerate() {
                if i > 0 {
                    body.push(b',');
                }
                crate::event::event_line(&label, e, &mut body);
            }
            body.extend_from_slice(b"]}");
            Ok((
                StatusCode::CREATED,
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response())
        }
        Err(ActionError::Invalid(m)) => Err(ApiError::invalid(m)),
        Err(ActionError::NotFound(m)) => Err(ApiError::target_not_found(m)),
        Err(ActionError::RateLimited(ms)) => {
            let wall_s = ((ms as f64 / speed.max(1e-9)) / 1000.0).ceil().max(1.0) as u64;
            Err(ApiError::rate_limited(
                format!(
                    "{}: the platform's limit for `{}` is reached; retry in {} of virtual time ({wall_s} s at this profile's speed)",
                    body.platform,
                    body.kind,
                    crate::event::time::format_duration(ms)
                ),
                wall_s,
            ))
        }
    }
}
