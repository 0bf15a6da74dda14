//! The platforms' own APIs, `/native/{platform}/{path}`: a creator tool's
//! real client library, pointed at this root instead of the platform's,
//! talks to a demo profile. The request goes to the platform's plugin,
//! which answers in its platform's wire format against the calling
//! profile's state; a request that changes the account runs as the same
//! action as `POST /v1/profiles/{id}/act`, admitted at the same rate.
//!
//! The profile is the one whose token the request carries
//! (`Authorization: Bearer <token>`, as the platforms' OAuth clients send
//! it); the admin token names one with the `x-diorama-profile` header.
//! What goes wrong before the plugin answers (no token, no such profile or
//! platform) is answered in diorama's own error format.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use diorama_sdk::{HttpRequest, HttpResponse, NativeOutcome};

use super::auth::{caller, Caller};
use super::error::{blocking, ApiError};
use super::profiles::admit;
use super::ApiState;

/// The route, for the router and the metrics' labels.
pub const ROUTE: &str = "/native/{platform}/{*path}";

/// The header with which the admin names the profile.
pub const PROFILE_HEADER: &str = "x-diorama-profile";

/// The most request headers handed to a plugin; more is a 431.
const MAX_HEADERS: usize = 64;

pub async fn handle(
    State(s): State<ApiState>,
    Path((platform, path)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let who = caller(&s, &token_in_params(&headers, &uri, &body))?;
    let id = match who {
        Caller::Profile(id) => id.to_string(),
        Caller::Admin => headers
            .get(PROFILE_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "the admin token names the profile with the `{PROFILE_HEADER}` header"
                ))
            })?,
    };
    let p = s.live.get(&id)?;
    p.touch();
    if headers.len() > MAX_HEADERS {
        return Err(ApiError::too_large(
            "too_many_headers",
            format!("at most {MAX_HEADERS} headers reach a platform's API"),
        ));
    }
    let request = HttpRequest {
        method: method.as_str().to_ascii_uppercase(),
        path: format!("/{path}"),
        query: uri.query().unwrap_or("").to_string(),
        headers: headers
            .iter()
            .filter(|(name, _)| *name != axum::http::header::AUTHORIZATION)
            .filter_map(|(name, value)| {
                Some((name.as_str().to_string(), value.to_str().ok()?.to_string()))
            })
            .collect(),
        body: body.to_vec(),
    };
    let (live, target, name) = (s.live.clone(), p.clone(), platform.clone());
    let outcome = blocking(move || {
        live.native_request(&target, &name, &request)
            .map_err(ApiError::from)
    })
    .await?;
    let answer = match outcome {
        NativeOutcome::Respond(answer) => answer,
        NativeOutcome::Act(act) => {
            admit(&s, who)?;
            let live = s.live.clone();
            blocking(move || live.native_act(&p, &platform, &act).map_err(ApiError::from)).await?
        }
    };
    Ok(into_response(answer))
}

/// The headers with the token a client sent as an `access_token`
/// parameter (in the query, or in a form body) as a bearer token, as the
/// Graph API reads it; unchanged when an `Authorization` header is there.
fn token_in_params(headers: &HeaderMap, uri: &Uri, body: &[u8]) -> HeaderMap {
    let mut headers = headers.clone();
    if headers.contains_key(axum::http::header::AUTHORIZATION) {
        return headers;
    }
    let form = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let token = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .chain(
            form.then(|| form_urlencoded::parse(body))
                .into_iter()
                .flatten(),
        )
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.into_owned());
    if let Some(value) = token.and_then(|t| HeaderValue::try_from(format!("Bearer {t}")).ok()) {
        headers.insert(axum::http::header::AUTHORIZATION, value);
    }
    headers
}

/// The plugin's answer as an HTTP response; headers that are not valid
/// HTTP are dropped, a status out of range is the plugin's fault (500).
fn into_response(answer: HttpResponse) -> Response {
    let Ok(status) = StatusCode::from_u16(answer.status) else {
        return ApiError::internal(format!(
            "the plugin answered with the status {}, which is not an HTTP status",
            answer.status
        ))
        .into_response();
    };
    let mut response = (status, answer.body).into_response();
    let headers = response.headers_mut();
    // The plugin's content type replaces the default one of a byte body.
    if answer
        .headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
    {
        headers.remove(axum::http::header::CONTENT_TYPE);
    }
    for (name, value) in answer.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            headers.append(name, value);
        }
    }
    response
}
