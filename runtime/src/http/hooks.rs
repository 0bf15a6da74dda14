//! A profile's webhooks and their delivery log.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::auth;
use super::error::{blocking, ApiError, Body, Query};
use super::Shared;
use crate::webhook::HookSpec;

pub async fn create(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    _caller: auth::Caller,
    Body(spec): Body<HookSpec>,
) -> Result<Response, ApiError> {
    let p = auth::profile(&s, &headers, &id)?;
    let hooks = s.webhooks.clone();
    let live = s.live.clone();
    // Under the profile's lock: a hook is never stored for a profile being deleted.
    let view = blocking(move || {
        live.while_alive(&p, || hooks.create(p.id, spec))?
            .map_err(ApiError::from)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn list(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let p = auth::profile(&s, &headers, &id)?;
    let hooks = s.webhooks.clone();
    let list = blocking(move || hooks.list(p.id).map_err(ApiError::from)).await?;
    Ok(Json(json!({ "webhooks": list })).into_response())
}

pub async fn read(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((id, hook)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let p = auth::profile(&s, &headers, &id)?;
    let hooks = s.webhooks.clone();
    let view = blocking(move || hooks.get(p.id, &hook).map_err(ApiError::from)).await?;
    Ok(Json(view).into_response())
}

pub async fn delete(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((id, hook)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let p = auth::profile(&s, &headers, &id)?;
    let hooks = s.webhooks.clone();
    let gone = hook.clone();
    blocking(move || hooks.delete(p.id, &gone).map_err(ApiError::from)).await?;
    Ok(Json(json!({ "deleted": hook })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    after: Option<String>,
    limit: Option<usize>,
}

pub async fn deliveries(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((id, hook)): Path<(String, String)>,
    Query(q): Query<LogQuery>,
) -> Result<Response, ApiError> {
    let p = auth::profile(&s, &headers, &id)?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_query(format!(
            "`limit` must be between 1 and 1000, got {limit}"
        )));
    }
    let hooks = s.webhooks.clone();
    let (items, next) = blocking(move || {
        hooks
            .deliveries(p.id, &hook, q.after.as_deref(), limit)
            .map_err(ApiError::from)
    })
    .await?;
    Ok(Json(json!({ "items": items, "next": next })).into_response())
}
