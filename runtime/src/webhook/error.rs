//! What webhook requests can fail with. The HTTP statuses these map to are
//! decided in one place, `http/error.rs`.

use crate::event::OwnerId;
use crate::store::StoreError;

use super::filter::FilterError;
use super::spec::{MAX_SECRET_BYTES, MAX_URL_BYTES, MIN_SECRET_BYTES};
use super::target::TargetError;

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// A request the API refuses; the message says what and why.
    #[error(transparent)]
    Invalid(#[from] HookRefusal),
    /// An unknown hook.
    #[error("profile {owner} has no webhook `{id}`")]
    NotFound { owner: OwnerId, id: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The profile's plugin failed to check a format.
    #[error("the platform's plugin could not check the webhook format: {0}")]
    Shaping(String),
}

/// Why a webhook request is refused: the value, the field and the limit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HookRefusal {
    #[error("url is {0} bytes long, at most {MAX_URL_BYTES} are allowed")]
    UrlLength(usize),
    #[error("url `{url}` is not a valid URL: {reason}")]
    NotAUrl { url: String, reason: String },
    #[error("url `{url}`: {reason}")]
    Url { url: String, reason: String },
    #[error("url `{url}` uses the scheme `{scheme}`; only http and https are allowed")]
    Scheme { url: String, scheme: String },
    #[error("url `{0}` has no host")]
    NoHost(String),
    #[error("secret is {0} bytes long, at least {MIN_SECRET_BYTES} are needed")]
    SecretTooShort(usize),
    #[error("secret is {0} bytes long, at most {MAX_SECRET_BYTES} are allowed")]
    SecretTooLong(usize),
    #[error(transparent)]
    Filter(#[from] FilterError),
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(
        "profile {owner} already has {have} webhooks, the most allowed is {max}; delete one first"
    )]
    TooMany {
        owner: OwnerId,
        have: usize,
        max: usize,
    },
    #[error("format.{field} {reason}")]
    FormatField { field: &'static str, reason: String },
    #[error("format: no platform `{platform}` is loaded (loaded: {loaded})")]
    FormatPlatform { platform: String, loaded: String },
    #[error("format: {platform} has no webhook format `{name}` (its formats: {formats})")]
    UnknownFormat {
        platform: String,
        name: String,
        formats: String,
    },
    #[error("format: {platform}'s plugin describes the format `{name}` but cannot send it (it was built for an older contract, before 0.3.0)")]
    FormatNotSent { platform: String, name: String },
    #[error("format: {0}")]
    FormatRefused(String),
    #[error(
        "the receiver at `{url}` did not answer the {platform} verification request: {reason}"
    )]
    Verification {
        url: String,
        platform: String,
        reason: String,
    },
    #[error("cannot make a webhook id: no system randomness: {0}")]
    NoRandomness(String),
    #[error(
        "invalid deliveries cursor `{0}`: expected the 24 hex digits a previous page returned"
    )]
    DeliveriesCursor(String),
}

impl From<FilterError> for WebhookError {
    fn from(e: FilterError) -> Self {
        WebhookError::Invalid(e.into())
    }
}

impl From<TargetError> for WebhookError {
    fn from(e: TargetError) -> Self {
        WebhookError::Invalid(e.into())
    }
}
