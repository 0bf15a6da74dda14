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
