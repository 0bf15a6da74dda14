//! Profiles: create, list, read, update, delete; start, pause, resume,
//! stop; signals and the creator's actions.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use diorama_sdk::{Action, ActionError};
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth;
use super::error::{blocking, ApiError, Body};
use super::Shared;
use crate::live::{CreateProfile, ProfileStatus, UpdateProfile};

pub async fn platforms(State(s): State<Shared>, headers: HeaderMap) -> Result<Response, ApiError> {
    auth::caller(&s, &headers)?;
    let list: Vec<Value> = s
        .live
        .host()
        .plugins()
        .iter()
        .map(|p| p.to_json())
        .collect();
    Ok(Json(json!({ "platforms": list })).into_response())
}

pub async fn create(
    State(s): State<Shared>,
    headers: HeaderMap,
    _caller: auth::Caller,
    Body(req): Body<CreateProfile>,
) -> Result<Response, ApiError> {
    auth::admin(&s, &headers)?;
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

pub async fn list(State(s): State<Shared>, headers: HeaderMap) -> Result<Response, ApiError> {
    auth::admin(&s, &headers)?;
    let live = s.live.clone();
    let list = blocking(move || live.list().map_err(ApiError::from)).await?;
    Ok(Json(json!({ "profiles": list })).into_response())
}

pub async fn read(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let p = auth::profile(&s, &headers, &id)?;
    let live = s.live.clone();
    let view = blocking(move || live.view(&p).map_err(ApiError::from)).await?;
    Ok(Json(view).into_response())
}

pub async fn update(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    _caller: auth::Caller,
    Body(patch): Body<UpdateProfile>,
) -> Result<Response, ApiError> {
    let p = auth::admin_profile(&s, &headers, &id)?;
    let live = s.live.clone();
    let view = blocking(move || live.update(&p, patch).map_err(ApiError::from)).await?;
    Ok(Json(view).into_response())
}

pub async fn delete(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let p = auth::admin_profile(&s, &headers, &id)?;
    let live = s.live.clone();
    let scenarios = s.scenarios.clone();
    let keys = blocking(move || {
        scenarios.forget(p.id);
        live.delete(p.id).map_err(ApiError::from)
    })
    .await?;
    Ok(Json(json!({ "deleted": id, "keys_removed": keys })).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeedBody {
    pub speed: Option<f64>,
}

/// An optional JSON body: absent or empty is the default.
async fn optional_body<T: serde::de::DeserializeOwned + Default>(
    req: axum::extract::Request,
) -> Result<T, ApiError> {
    let read = axum::body::to_bytes(req.into_body(), super::BODY_LIMIT);
    let bytes = tokio::time::timeout(super::error::BODY_TIMEOUT, read)
        .await
        .map_err(|_| super::error::body_timeout())?
        .map_err(|e| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("cannot read the body: {e}"),
            )
        })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let malformed = |e: serde_json::Error| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("the body is not valid JSON: {e}"),
        )
    };
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        // The path names the field at fault, as for every other body.
        let path = e.path().to_string();
        let e = e.into_inner();
        if e.is_data() {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                format!("invalid body: {path}: {e}"),
            )
        } else {
            malformed(e)
        }
    })?;
    de.end().map_err(malformed)?;
    Ok(value)
}

async fn lifecycle(
    s: Shared,
    headers: HeaderMap,
    id: String,
    req: axum::extract::Request,
    what: ProfileStatus,
) -> Result<Response, ApiError> {
    let p = auth::admin_profile(&s, &headers, &id)?;
    let body: SpeedBody = optional_body(req).await?;
    let live = s.live.clone();
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

/// Start or resume (`ProfileStatus::Running`), pause or stop: the router binds
/// one of these per route.
pub fn lifecycle_route(
    what: ProfileStatus,
) -> impl Fn(State<Shared>, HeaderMap, Path<String>, axum::extract::Request) -> LifecycleFuture
       + Clone
       + Send
       + Sync
       + 'static {
    move |State(s), headers, Path(id), req| Box::pin(lifecycle(s, headers, id, req, what))
}

pub type LifecycleFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Response, ApiError>> + Send>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalBody {
    pub platform: String,
    pub signal: String,
    #[serde(default = "empty_object")]
    pub params: Value,
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

/// Counts an action or signal against the caller's token: 429 with
/// `Retry-After` past `--action-rate` per second.
fn admit(s: &Shared, caller: auth::Caller) -> Result<(), ApiError> {
    let who = match caller {
        auth::Caller::Admin => None,
        auth::Caller::Profile(id) => Some(id),
    };
    s.live.admit(who).map_err(|wait_s| {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!(
                "this token sent more than {} actions and signals per second; retry in {wait_s} s",
                s.live.config().action_rate
            ),
        );
        e.retry_after = Some(wait_s);
        e
    })
}

pub async fn signal(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    caller: auth::Caller,
    Body(body): Body<SignalBody>,
) -> Result<Response, ApiError> {
    let p = auth::admin_profile(&s, &headers, &id)?;
    admit(&s, caller)?;
    if !body.params.is_object() {
        return Err(ApiError::invalid("`params` must be a JSON object"));
    }
    let live = s.live.clone();
    blocking(move || {
        live.signal(&p, &body.platform, &body.signal, &body.params)
            .map_err(ApiError::from)
    })
    .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "status": "applied" }))).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActBody {
    pub platform: String,
    pub kind: String,
    #[serde(default = "empty_object")]
    pub params: Value,
}

/// The creator acts: 201 with the events it made; 422 when invalid, 404
/// when its target is unknown, 429 with `Retry-After` (wall seconds at the
/// profile's speed) when the platform's limit is reached.
pub async fn act(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    caller: auth::Caller,
    Body(body): Body<ActBody>,
) -> Result<Response, ApiError> {
    let p = auth::profile(&s, &headers, &id)?;
    admit(&s, caller)?;
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
        Err(ActionError::NotFound(m)) => {
            Err(ApiError::new(StatusCode::NOT_FOUND, "target_not_found", m))
        }
        Err(ActionError::RateLimited(ms)) => {
            let wall_s = ((ms as f64 / speed.max(1e-9)) / 1000.0).ceil().max(1.0) as u64;
            let mut e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "{}: the platform's limit for `{}` is reached; retry in {} of virtual time ({wall_s} s at this profile's speed)",
                    body.platform,
                    body.kind,
                    crate::event::time::format_duration(ms)
                ),
            );
            e.retry_after = Some(wall_s);
            Err(e)
        }
    }
}
