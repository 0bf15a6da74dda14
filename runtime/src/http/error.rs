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
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
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

/// The longest a request body may take to arrive: a client trickling its
/// body holds a request in flight (see `--max-in-flight`) only this long.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

pub fn body_timeout() -> ApiError {
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
