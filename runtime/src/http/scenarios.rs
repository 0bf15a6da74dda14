//! Scenarios on live profiles: the ready ones by name, or a posted script.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

use super::auth::{AdminProfile, AnyCaller, Guarded, OwnProfile};
use super::error::{blocking, ApiError};
use super::{schema, ApiState};
use crate::script::ready;

/// The ready scenarios: name and description.
#[utoipa::path(get, path = "/v1/scenarios",
    summary = "The ready scenarios that can run on a live profile.",
    responses((status = 200, description = "The ready scenarios.", body = schema::ScenarioList)),
    extensions(("x-diorama-caller" = json!("any"))))]
pub async fn ready(_: AnyCaller) -> Response {
    let list: Vec<_> = ready::SCENARIOS
        .iter()
        .map(|(name, source)| json!({ "name": name, "summary": ready::summary(source) }))
        .collect();
    Json(json!({ "scenarios": list })).into_response()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartBody {
    /// A ready scenario's name…
    name: Option<String>,
    /// …or a script.
    script: Option<String>,
}

/// Built rather than derived for the `maxLength` from [`MAX_SCRIPT`];
/// "exactly one of `name` and `script`" (a `oneOf` of two `required`
/// lists beside the properties) has no place in utoipa's schema types and
/// is added to the document in `openapi::build`.
impl utoipa::PartialSchema for StartBody {
    fn schema() -> RefOr<Schema> {
        let s = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "name",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("A ready scenario (GET /v1/scenarios).")),
            )
            .property(
                "script",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .max_length(Some(MAX_SCRIPT))
                    .description(Some("Rhai source.")),
            )
            .additional_properties(Some(
                utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
            ))
            .build();
        RefOr::T(Schema::Object(s))
    }
}

impl utoipa::ToSchema for StartBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "ScenarioStart".into()
    }
}

/// The largest posted script.
const MAX_SCRIPT: usize = 256 << 10;

#[utoipa::path(post, path = "/v1/profiles/{id}/scenarios",
    summary = "Run a ready scenario by `name` or a posted `script` on the live profile.",
    params(("id" = String, Path)),
    request_body = StartBody,
    responses((status = 202, description = "The run started.", body = schema::ScenarioRun)),
    extensions(("x-diorama-caller" = json!("admin"))))]
pub async fn start(
    State(s): State<ApiState>,
    Guarded(target, body): Guarded<AdminProfile, StartBody>,
) -> Result<Response, ApiError> {
    let p = target.profile;
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
                return Err(ApiError::too_large(
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

#[utoipa::path(get, path = "/v1/profiles/{id}/scenarios/{run}",
    summary = "A scenario run's status, expectations and values.",
    params(("id" = String, Path), ("run" = String, Path)),
    responses((status = 200, description = "The run.", body = schema::ScenarioRun)),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn read(
    State(s): State<ApiState>,
    own: OwnProfile,
    Path((_, run)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let p = own.profile;
    let runs = s.scenarios.clone();
    let record = blocking(move || runs.get(p.id, &run).map_err(ApiError::from)).await?;
    Ok(Json(record).into_response())
}
