//! A profile's webhooks and their delivery log.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::auth::{Guarded, OwnProfile};
use super::error::{blocking, ApiError, Query};
use super::{schema, ApiState};
use crate::webhook::HookSpec;

#[utoipa::path(post, path = "/v1/profiles/{id}/webhooks",
    summary = "Subscribe a webhook: url, secret, event filter, and the format (diorama's, or one a platform declares).",
    description = "Without `format`, each event is POSTed as diorama's JSON, signed with `diorama-signature`. With `format` (`{platform, name, params}`, `name` one of the platform's `webhook_formats` in `GET /v1/platforms`), only that platform's events are sent, each shaped as the platform sends it and signed as the format declares; when the platform verifies a subscription (Meta's and WebSub's `hub.challenge`), the receiver is sent that GET first and must answer with the challenge, or the subscription is refused (422).",
    params(("id" = String, Path)),
    request_body = schema::WebhookSpec,
    responses((status = 201, description = "The webhook.", body = schema::WebhookView)),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn create(
    State(s): State<ApiState>,
    Guarded(own, spec): Guarded<OwnProfile, HookSpec>,
) -> Result<Response, ApiError> {
    let p = own.profile;
    let hooks = s.webhooks.clone();
    if spec.format.is_some() {
        // The format's checks and the handshake, before anything is stored.
        let (checker, checked, owner) = (hooks.clone(), spec.clone(), p.id);
        let verification =
            blocking(move || checker.check(owner, &checked).map_err(ApiError::from)).await?;
        if let Some(v) = verification {
            hooks.verify(&spec, &v).await?;
        }
    }
    let live = s.live.clone();
    // Under the profile's lock: a hook is never stored for a profile being deleted.
    let view = blocking(move || {
        live.while_alive(&p, || hooks.create(p.id, spec))?
            .map_err(ApiError::from)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[utoipa::path(get, path = "/v1/profiles/{id}/webhooks",
    summary = "List the profile's webhooks.",
    params(("id" = String, Path)),
    responses((status = 200, description = "The webhooks.", body = schema::WebhookList)),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn list(State(s): State<ApiState>, own: OwnProfile) -> Result<Response, ApiError> {
    let p = own.profile;
    let hooks = s.webhooks.clone();
    let list = blocking(move || hooks.list(p.id).map_err(ApiError::from)).await?;
    Ok(Json(json!({ "webhooks": list })).into_response())
}

#[utoipa::path(get, path = "/v1/profiles/{id}/webhooks/{hook}",
    summary = "Read a webhook and its delivery state.",
    params(("id" = String, Path), ("hook" = String, Path)),
    responses((status = 200, description = "The webhook.", body = schema::WebhookView)),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn read(
    State(s): State<ApiState>,
    own: OwnProfile,
    Path((_, hook)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let p = own.profile;
    let hooks = s.webhooks.clone();
    let view = blocking(move || hooks.get(p.id, &hook).map_err(ApiError::from)).await?;
    Ok(Json(view).into_response())
}

#[utoipa::path(delete, path = "/v1/profiles/{id}/webhooks/{hook}",
    summary = "Delete a webhook.",
    params(("id" = String, Path), ("hook" = String, Path)),
    responses((status = 200, description = "The webhook is gone.", body = schema::Deleted)),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn delete(
    State(s): State<ApiState>,
    own: OwnProfile,
    Path((_, hook)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let p = own.profile;
    let hooks = s.webhooks.clone();
    let gone = hook.clone();
    blocking(move || hooks.delete(p.id, &gone).map_err(ApiError::from)).await?;
    Ok(Json(json!({ "deleted": hook })).into_response())
}

/// The query of `GET .../deliveries`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// A cursor: the `next` of an earlier page.
    #[param(nullable = false)]
    after: Option<String>,
    /// The most items in the page.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000, default = 100, nullable = false)]
    limit: Option<usize>,
}

#[utoipa::path(get, path = "/v1/profiles/{id}/webhooks/{hook}/deliveries",
    summary = "The webhook's delivery log: attempts and outcomes.",
    params(("id" = String, Path), ("hook" = String, Path), LogQuery),
    responses((status = 200, description = "Delivery attempts, oldest first.", body = schema::DeliveryPage)),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn deliveries(
    State(s): State<ApiState>,
    own: OwnProfile,
    Path((_, hook)): Path<(String, String)>,
    Query(q): Query<LogQuery>,
) -> Result<Response, ApiError> {
    let p = own.profile;
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
