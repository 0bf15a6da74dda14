//! Errors as JSON (`{"error": {"code", "message"}}`) and the extractors
//! that turn a malformed body or query into one.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::live::LiveError;
use crate::webhook::WebhookError;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds, for 429 answers.
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// A query parameter that cannot be used.
    pub fn bad_query(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_query", message)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    /// No token, or one this server does not know.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// A profile token on a route for the admin.
    pub fn admin_only() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this needs the server's admin token; a profile token reads and acts on its own profile only",
        )
    }

    /// An unknown profile, or one the caller's token may not see.
    pub fn no_profile(id: &str) -> Self {
        Self::not_found(format!("no profile `{id}`"))
    }

    /// What an action names does not exist on the platform.
    pub fn target_not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "target_not_found", message)
    }

    /// Too many requests of one kind: retry after `seconds`.
    pub fn rate_limited(message: impl Into<String>, seconds: u64) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message).retry_after(seconds)
    }

    /// The platform is in a simulated outage: retry after `seconds`.
    pub fn unavailable(message: impl Into<String>, seconds: u64) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message).retry_after(seconds)
    }

    /// One profile holds all the event streams it may.
    pub fn too_many_streams(message: impl Into<String>) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_streams", message).retry_after(1)
    }

    /// The server as a whole is full: retry in a second.
    pub fn busy(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "server_busy", message).retry_after(1)
    }

    /// A body, or a part of it, is larger than accepted.
    pub fn too_large(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, code, message)
    }

    /// Valid JSON that cannot be read as the body expected.
    pub fn invalid_body(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", message)
    }

    /// A body that is not JSON.
    pub fn malformed_json(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed_json", message)
    }

    /// A path parameter that cannot be read (not valid text once decoded).
    pub fn bad_path(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_path", message)
    }

    /// A method the route does not take.
    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            message,
        )
    }

    /// With a `Retry-After` of `seconds`.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": { "code": self.code, "message": self.message }
        });
        let mut res = (self.status, axum::Json(body)).into_response();
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"diorama\""),
            );
        }
        res
    }
}

impl From<LiveError> for ApiError {
    fn from(e: LiveError) -> Self {
        match e {
            LiveError::NotFound(m) => ApiError::not_found(m),
            LiveError::Invalid(m) => ApiError::invalid(m),
            LiveError::Spec(e) => ApiError::invalid(e.to_string()),
            LiveError::Params(e) => ApiError::invalid(e.to_string()),
            LiveError::State(e) => ApiError::new(StatusCode::CONFLICT, "conflict", e.to_string()),
            LiveError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            e @ LiveError::LiveLimit { .. } => {
                ApiError::new(StatusCode::CONFLICT, "live_limit", e.to_string())
            }
            LiveError::Engine(e) => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "engine", e.to_string())
            }
            LiveError::Store(e) => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "store", e.to_string())
            }
            LiveError::Internal(m) => ApiError::internal(m),
            LiveError::Unavailable {
                message,
                retry_after_s,
            } => ApiError::unavailable(message, retry_after_s),
        }
    }
}

impl From<WebhookError> for ApiError {
    fn from(e: WebhookError) -> Self {
        match e {
            WebhookError::Invalid(e) => ApiError::invalid(e.to_string()),
            e @ WebhookError::NotFound { .. } => ApiError::not_found(e.to_string()),
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "store", e.to_string())
    }
}

/// A JSON body; a bad one is answered with a precise JSON error: 400 for
/// syntax, 422 for wrong types or unknown fields, 413 when too large, 415
/// without a JSON content type.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let read = axum::Json::<T>::from_request(req, state);
        match tokio::time::timeout(BODY_TIMEOUT, read).await {
            Ok(Ok(axum::Json(v))) => Ok(Body(v)),
            Ok(Err(r)) => Err(json_rejection(r)),
            Err(_) => Err(body_timeout()),
        }
    }
}

/// The longest a request body may take to arrive, in all: a client
/// trickling its body holds a request in flight (see `--max-in-flight`)
/// only this long.
///
/// Kept by hand rather than tower-http's `RequestBodyTimeoutLayer`: that
/// one times the gap between two body frames and restarts after each.
/// Measured with a client sending one byte every 5 s: this timeout answers
/// 408 `body_timeout` after 30 s; tower-http's (at 30 s) had not answered
/// after 55 s, and would hold the request's place as long as the trickle
/// goes on. Its `TimeoutLayer` times the whole handler instead (streams
/// and scenario starts included) and answers an empty 408.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

fn body_timeout() -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "body_timeout",
        format!(
            "the request body did not arrive within {} s",
            BODY_TIMEOUT.as_secs()
        ),
    )
}

fn json_rejection(r: JsonRejection) -> ApiError {
    let status = r.status();
    let text = r.body_text();
    let (code, message) = match &r {
        JsonRejection::JsonDataError(_) => ("invalid_body", text),
        JsonRejection::JsonSyntaxError(_) => ("malformed_json", text),
        JsonRejection::MissingJsonContentType(_) => (
            "unsupported_media_type",
            "the body must be JSON, sent with `content-type: application/json`".to_string(),
        ),
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => (
            "body_too_large",
            format!("the body is larger than this server accepts: {text}"),
        ),
        _ => ("bad_body", text),
    };
    ApiError::new(status, code, message)
}

/// An optional JSON body: absent or only whitespace is `T::default()`;
/// otherwise judged as [`Body`] judges one (without asking for a content
/// type, since the body may be left out).
pub struct OptionalBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let read = axum::body::to_bytes(req.into_body(), super::BODY_LIMIT);
        let bytes = tokio::time::timeout(BODY_TIMEOUT, read)
            .await
            .map_err(|_| body_timeout())?
            .map_err(|e| {
                ApiError::too_large("body_too_large", format!("cannot read the body: {e}"))
            })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalBody(T::default()));
        }
        let malformed = |e: serde_json::Error| {
            ApiError::malformed_json(format!("the body is not valid JSON: {e}"))
        };
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            // The path names the field at fault, as for every other body.
            let path = e.path().to_string();
            let e = e.into_inner();
            if e.is_data() {
                ApiError::invalid_body(format!("invalid body: {path}: {e}"))
            } else {
                malformed(e)
            }
        })?;
        de.end().map_err(malformed)?;
        Ok(OptionalBody(value))
    }
}

/// A query string; a bad one is a 400 naming the parameter.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(r) => Err(query_rejection(r)),
        }
    }
}

fn query_rejection(r: QueryRejection) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_query", r.body_text())
}

/// Run blocking work (plugin calls, store reads) off the async workers.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) => Err(ApiError::internal(format!("a worker failed: {e}"))),
    }
}
