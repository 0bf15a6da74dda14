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
    /// The profile's state refuses the request.
    #[error(transparent)]
    State(#[from] StateConflict),
    /// A conflict only a scenario run can explain (its message).
    #[error("{0}")]
    Conflict(String),
    /// Starting one more profile would pass the server's live limit.
    #[error(
        "this server already runs its maximum of {max} live profiles; pause or stop one first"
    )]
    LiveLimit { max: usize },
    #[error(transparent)]
    Engine(EngineError),
    #[error("store: {0}")]
    Store(StoreError),
    #[error("{0}")]
    Internal(String),
    /// The platform is in a simulated outage (`crate::fault`): retry in
    /// `retry_after_s` wall seconds, when it ends at the profile's speed.
    #[error("{message}")]
    Unavailable { message: String, retry_after_s: u64 },
}

/// Why a profile, in the state it is in, refuses a request; `reason` is
/// the profile's own (why it is degraded or limited).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StateConflict {
    #[error("the profile is degraded and cannot run: {reason}")]
    DegradedCannotRun { reason: String },
    #[error("the profile is degraded: {reason}")]
    Degraded { reason: String },
    #[error("the profile reached its limit of {limit} interactions for this virtual day; raise `limits.interactions_per_day` (PATCH) to resume")]
    DailyLimit { limit: u64 },
    #[error("the profile reached its limit of {limit} interactions for this virtual day (the creator's count too); raise `limits.interactions_per_day` (PATCH) to act again")]
    DailyLimitForActions { limit: u64 },
    #[error("{reason}; actions wait for it too")]
    LimitedForActions { reason: String },
    #[error("the profile has not been started; nothing to pause")]
    NothingToPause,
    #[error("the profile is stopped; start it again instead")]
    StoppedNotPaused,
    #[error("the profile has not been started; start it before acting (an action happens at its current virtual time)")]
    NotStartedForActions,
    #[error("the profile is stopped; start it again to act")]
    StoppedForActions,
    #[error("`{field}` is fixed when a profile is created (its plugins were set up with it); create a new profile instead")]
    Fixed { field: &'static str },
}

impl LiveError {
    /// The answer for an id that names no (live) profile.
    pub fn no_profile(id: impl std::fmt::Display) -> LiveError {
        LiveError::NotFound(format!("no profile `{id}`"))
    }
}

impl LiveError {
    /// An action refused by an outage, with the wait in wall seconds at
    /// `speed` (at least 1, at most a day).
    pub fn unavailable(u: &crate::fault::Unavailable, speed: f64) -> LiveError {
        let wall_s = (u.retry_after() as f64 / speed.max(1e-9) / 1000.0).ceil();
        LiveError::Unavailable {
            message: u.to_string(),
            retry_after_s: wall_s.clamp(1.0, 86_400.0) as u64,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_read_as_they_always_have() {
        assert_eq!(
            LiveError::LiveLimit { max: 2 }.to_string(),
            "this server already runs its maximum of 2 live profiles; pause or stop one first"
        );
        assert_eq!(
            LiveError::from(StateConflict::Degraded {
                reason: "plugin trapped".into()
            })
            .to_string(),
            "the profile is degraded: plugin trapped"
        );
        assert_eq!(
            StateConflict::Fixed { field: "seed" }.to_string(),
            "`seed` is fixed when a profile is created (its plugins were set up with it); create a new profile instead"
        );
        assert_eq!(
            StateConflict::DailyLimit { limit: 5 }.to_string(),
            "the profile reached its limit of 5 interactions for this virtual day; raise `limits.interactions_per_day` (PATCH) to resume"
        );
        assert_eq!(LiveError::no_profile(7).to_string(), "no profile `7`");
    }
}
