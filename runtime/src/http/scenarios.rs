//! Scenarios on live profiles: the ready ones by name, or a posted script.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::auth;
use super::error::{blocking, ApiError, Body};
use super::Shared;
use crate::script::ready;

/// The ready scenarios: name and description.
pub async fn ready(State(s): State<Shared>, headers: HeaderMap) -> Result<Response, ApiError> {
    auth::caller(&s, &headers)?;
    let list: Vec<_> = ready::SCENARIOS
        .iter()
        .map(|(name, source)| json!({ "name": name, "summary": ready::summary(source) }))
        .collect();
    Ok(Json(json!({ "scenarios": list })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartBody {
    /// A ready scenario's name…
    name: Option<String>,
    /// …or a script.
    script: Option<String>,
}

/// The largest posted script.
const MAX_SCRIPT: usize = 256 << 10;

pub async fn start(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    _caller: auth::Caller,
    Body(body): Body<StartBody>,
) -> Result<Response, ApiError> {
    let p = auth::admin_profile(&s, &headers, &id)?;
    let (name, source) = match (body.name, body.script) {
        (Some(name), None) => match ready::scenario(&name) {
            Some(src) => (name, src.to_string()),
            None => {
                let known: Vec<&str> = ready::SCENARIOS.iter().map(|(n, _)| *n).collect();
                return Err(ApiError::not_found(format!(
                    "no ready scenario `{name}` (ready: {})",
                    known.join(", ")
                )));
            }
        },
        (None, Some(script)) => {
            if script.len() > MAX_SCRIPT {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "script_too_large",
                    format!(
                        "the script is {} bytes; the most is {MAX_SCRIPT}",
                        script.len()
                    ),
                ));
            }
            ("posted".to_string(), script)
        }
        _ => {
            return Err(ApiError::invalid(
                "give either `name` (a ready scenario) or `script` (Rhai source), not both",
            ))
        }
    };
    let runs = s.scenarios.clone();
    let record = blocking(move || runs.start(p, &name, source).map_err(ApiError::from)).await?;
    Ok((StatusCode::ACCEPTED, Json(record)).into_response())
}

pub async fn read(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((id, run)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let p = auth::profile(&s, &headers, &id)?;
    let runs = s.scenarios.clone();
    let record = blocking(move || runs.get(p.id, &run).map_err(ApiError::from)).await?;
    Ok(Json(record).into_response())
}
