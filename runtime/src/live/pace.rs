//! The ranges of the numbers a live profile takes, and the checked
//! conversions between virtual time at a speed and the wall clock.
//!
//! Every number a client sends has a range here; the OpenAPI document shows
//! the same constants. Floats become durations only through
//! [`wall_after`], which never panics: a speed or span that cannot be turned
//! into an instant is an error the caller reports, not a crash.

use std::time::{Duration, Instant};

use diorama_sdk::Millis;

use super::State;
use crate::event::time;

/// The slowest speed: one virtual second per 1000 wall seconds. Slower
/// speeds would put a window's end years away (and beyond what an
/// `Instant` can hold).
pub const MIN_SPEED: f64 = 0.001;
/// The fastest speed (virtual seconds per wall second).
pub const MAX_SPEED: f64 = 100_000.0;

/// `size`: the main platform's audience in automatic mode.
pub const SIZE: (u64, u64) = (1, 1_000_000_000);
/// `inactivity_ttl_s`: at most ten years.
pub const INACTIVITY_TTL_S: (u64, u64) = (1, 10 * 365 * 24 * 3600);
/// `history_days`: the past a new profile opens with, at most a year.
pub const HISTORY_DAYS: (u64, u64) = (0, 365);
/// `limits.interactions_per_day`.
pub const INTERACTIONS_PER_DAY: (u64, u64) = (1, 1_000_000_000);
/// Virtual and wall instants a client gives (`start`, `expires_at`): from
/// 1970-01-01 to 9999-12-31 (unix milliseconds), so day and window
/// arithmetic on them stays far from overflow.
pub const INSTANT_MS: (i64, i64) = (0, 253_402_300_799_999);

/// A number or time a client sent (or a stored state holds) outside its
/// range; the message names the field, the range and the value.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RangeError {
    #[error("`{field}` must be between {min} and {max}, got {value}")]
    Number {
        field: String,
        value: u64,
        min: u64,
        max: u64,
    },
    #[error("`{field}` must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z")]
    Instant { field: String, ms: i64 },
    #[error("`{field}`: {reason}")]
    Time {
        field: String,
        reason: crate::event::time::TimeError,
    },
    #[error("`speed` must be between {min} and {max} (1 = real time), got {speed}", min = MIN_SPEED)]
    Speed { speed: f64, max: f64 },
    /// A speed whose windows cannot be timed on the wall clock.
    #[error("`speed` must be between {min} and {max}, got {speed}", min = MIN_SPEED)]
    UntimedSpeed { speed: f64, max: f64 },
    #[error("`speed` {0} puts the next window beyond what the clock can hold")]
    SpeedBeyondClock(f64),
}

/// `value` of `field` within `range`, or an error naming the field.
pub fn within(field: &str, value: u64, range: (u64, u64)) -> Result<u64, RangeError> {
    if (range.0..=range.1).contains(&value) {
        Ok(value)
    } else {
        Err(RangeError::Number {
            field: field.to_string(),
            value,
            min: range.0,
            max: range.1,
        })
    }
}

/// An instant (unix ms) of `field` within [`INSTANT_MS`].
pub fn instant_within(field: &str, ms: i64) -> Result<i64, RangeError> {
    if (INSTANT_MS.0..=INSTANT_MS.1).contains(&ms) {
        Ok(ms)
    } else {
        Err(RangeError::Instant {
            field: field.to_string(),
            ms,
        })
    }
}

/// An RFC 3339 time of `field`, as unix ms within [`INSTANT_MS`].
pub fn parse_instant_within(field: &str, text: &str) -> Result<i64, RangeError> {
    let ms = time::parse_instant(text).map_err(|reason| RangeError::Time {
        field: field.to_string(),
        reason,
    })?;
    instant_within(field, ms)
}

/// A speed within [`MIN_SPEED`] and `max`.
pub fn check_speed(speed: f64, max: f64) -> Result<f64, RangeError> {
    if speed.is_finite() && (MIN_SPEED..=max).contains(&speed) {
        Ok(speed)
    } else {
        Err(RangeError::Speed { speed, max })
    }
}

/// The wall instant at which `virtual_ms` of virtual time will have passed
/// after `anchor`, at `speed`; `None` when that cannot be represented (a
/// speed out of range, a span too long).
pub fn wall_after(anchor: Instant, virtual_ms: Millis, speed: f64) -> Option<Instant> {
    if !(speed.is_finite() && speed > 0.0) {
        return None;
    }
    let seconds = (virtual_ms.max(0) as f64 / speed / 1000.0).max(0.0);
    let wait = Duration::try_from_secs_f64(seconds).ok()?;
    anchor.checked_add(wait)
}

/// The virtual time reached `elapsed` after `anchor_virtual` at `speed`,
/// saturating instead of overflowing.
pub fn virtual_after(anchor_virtual: Millis, elapsed: Duration, speed: f64) -> Millis {
    // `as` saturates a float that does not fit (and maps NaN to 0).
    let gone = (elapsed.as_secs_f64() * speed * 1000.0) as Millis;
    anchor_virtual.saturating_add(gone)
}

/// Whether `idle_ms` of inactivity is past a time to live of `ttl_s`
/// seconds (a TTL too large to count in milliseconds never passes).
pub fn idle_past(idle_ms: i64, ttl_s: u64) -> bool {
    i64::try_from(ttl_s)
        .ok()
        .and_then(|s| s.checked_mul(1000))
        .is_some_and(|ttl_ms| idle_ms >= ttl_ms)
}

/// What is wrong with a profile's stored state, if anything: a record
/// written by an older build (which took any positive speed) or damaged.
/// Such a profile is restored degraded, with this as its reason, and made
/// safe to read by [`make_safe`].
pub fn stored_state_problem(state: &State, max_speed: f64) -> Option<String> {
    let mut problems = Vec::new();
    if let Err(e) = check_speed(state.speed, max_speed) {
        problems.push(e.to_string());
    }
    if state.window <= 0 {
        problems.push(format!(
            "its window is {} ms (must be above 0)",
            state.window
        ));
    }
    if let Err(e) = within(
        "limits.interactions_per_day",
        state.interactions_per_day,
        INTERACTIONS_PER_DAY,
    ) {
        problems.push(e.to_string());
    }
    if let Err(e) = within("inactivity_ttl_s", state.inactivity_ttl_s, INACTIVITY_TTL_S) {
        problems.push(e.to_string());
    }
    for (field, v) in [
        ("now", Some(state.now)),
        ("window_base", Some(state.window_base)),
        ("expires_at", state.expires_at),
    ] {
        if let Some(v) = v {
            if let Err(e) = instant_within(field, v) {
                problems.push(e.to_string());
            }
        }
    }
    if problems.is_empty() {
        None
    } else {
        Some(format!(
            "the stored state of this profile is out of range (written by an older build, or damaged): {}; it cannot run again, create a new profile",
            problems.join("; ")
        ))
    }
}

/// Replace out-of-range values with safe ones so the profile can be built
/// and read (it stays degraded and never runs).
pub fn make_safe(state: &mut State, max_speed: f64) {
    if check_speed(state.speed, max_speed).is_err() {
        state.speed = 1.0;
    }
    if state.window <= 0 {
        state.window = super::profile::window_for(state.speed);
    }
    let clamp = |v: i64| v.clamp(INSTANT_MS.0, INSTANT_MS.1);
    state.now = clamp(state.now);
    state.window_base = clamp(state.window_base);
    state.expires_at = state.expires_at.map(clamp);
    state.interactions_per_day = state
        .interactions_per_day
        .clamp(INTERACTIONS_PER_DAY.0, INTERACTIONS_PER_DAY.1);
    state.inactivity_ttl_s = state
        .inactivity_ttl_s
        .clamp(INACTIVITY_TTL_S.0, INACTIVITY_TTL_S.1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_instants_are_checked_not_panicking() {
        let t = Instant::now();
        assert_eq!(wall_after(t, 1_000, 1.0), Some(t + Duration::from_secs(1)));
        assert_eq!(
            wall_after(t, 60_000, 60.0),
            Some(t + Duration::from_secs(1))
        );
        // The speed the issue sent: no panic, no instant.
        assert_eq!(wall_after(t, 250, 1e-30), None);
        assert_eq!(wall_after(t, 250, 0.0), None);
        assert_eq!(wall_after(t, 250, f64::NAN), None);
        assert_eq!(wall_after(t, i64::MAX, MIN_SPEED), None);
        assert_eq!(wall_after(t, -5, 1.0), Some(t));
        assert_eq!(
            virtual_after(i64::MAX - 1, Duration::from_secs(10), MAX_SPEED),
            i64::MAX
        );
    }

    #[test]
    fn speeds_and_counts_have_ranges() {
        assert!(check_speed(1.0, MAX_SPEED).is_ok());
        assert!(check_speed(MIN_SPEED, MAX_SPEED).is_ok());
        let e = check_speed(1e-30, MAX_SPEED).unwrap_err().to_string();
        assert!(e.contains("`speed`"), "{e}");
        assert!(check_speed(MAX_SPEED * 2.0, MAX_SPEED).is_err());
        assert!(check_speed(f64::INFINITY, MAX_SPEED).is_err());
        let e = within("inactivity_ttl_s", u64::MAX, INACTIVITY_TTL_S)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`inactivity_ttl_s`"), "{e}");
        assert!(!idle_past(i64::MAX, u64::MAX));
        assert!(idle_past(2_000, 2));
        assert!(!idle_past(1_999, 2));
    }

    #[test]
    fn range_errors_read_as_they_always_have() {
        assert_eq!(
            within("size", 0, SIZE).unwrap_err().to_string(),
            "`size` must be between 1 and 1000000000, got 0"
        );
        assert_eq!(
            instant_within("start", -1).unwrap_err().to_string(),
            "`start` must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z"
        );
        assert_eq!(
            check_speed(0.0, 10.0).unwrap_err().to_string(),
            "`speed` must be between 0.001 and 10 (1 = real time), got 0"
        );
        let e = parse_instant_within("expires_at", "soon").unwrap_err();
        assert!(
            matches!(&e, RangeError::Time { field, .. } if field == "expires_at"),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .starts_with("`expires_at`: `soon` is not an RFC 3339 time"),
            "{e}"
        );
    }
}
