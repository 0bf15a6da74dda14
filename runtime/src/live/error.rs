//! What can go wrong on the live side. The HTTP statuses these map to are
//! decided in one place, `http/error.rs`.

use crate::engine::EngineError;
use crate::store::StoreError;

use super::admission::ParamsError;
use super::pace::RangeError;
use super::spec::SpecError;

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("{0}")]
    NotFound(String),
    /// A refusal that only the engine or a script can explain (its message).
    #[error("{0}")]
    Invalid(String),
    /// A create or patch request whose values cannot make a profile.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// An action's or signal's request over its caps.
    #[error(transparent)]
    Params(#[from] ParamsError),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    LiveLimit(String),
    #[error(transparent)]
    Engine(EngineError),
    #[error("store: {0}")]
    Store(StoreError),
    #[error("{0}")]
    Internal(String),
}

impl LiveError {
    /// The answer for an id that names no (live) profile.
    pub fn no_profile(id: impl std::fmt::Display) -> LiveError {
        LiveError::NotFound(format!("no profile `{id}`"))
    }
}

impl From<RangeError> for LiveError {
    fn from(e: RangeError) -> Self {
        LiveError::Spec(SpecError::Range(e))
    }
}

impl From<StoreError> for LiveError {
    fn from(e: StoreError) -> Self {
        match e {
            // A write that raced the profile's deletion: the profile is gone.
            StoreError::OwnerDeleted(id) => LiveError::no_profile(id),
            other => LiveError::Store(other),
        }
    }
}

/// Bad parameters for a signal or action are the caller's error (400/422),
/// anything else is the engine's.
pub(super) fn invalid_or_engine(e: EngineError) -> LiveError {
    match e {
        EngineError::Invalid(m) => LiveError::Invalid(m),
        EngineError::Plugin(p) if !p.is_fatal() => LiveError::Invalid(p.to_string()),
        other => LiveError::Engine(other),
    }
}
