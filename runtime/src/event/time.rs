//! Virtual time: the run's start, parsing and formatting instants, durations.

use chrono::{DateTime, SecondsFormat, Utc};
use diorama_sdk::Millis;

/// The default virtual start of a run: Monday 2026-01-05 00:00:00 UTC.
pub const DEFAULT_START: Millis = 1_767_571_200_000;

/// The longest stretch of virtual time one run may cover (366 days), so a
/// mistyped duration ends with an error instead of a very long run.
pub const MAX_RUN_SPAN: Millis = 366 * diorama_sdk::DAY;

/// The earliest start a run may have: 1970-01-01T00:00:00Z.
pub const MIN_START: Millis = 0;

/// The latest start a run may have: 9999-01-01T00:00:00Z, so every instant
/// of the run is a four-digit year and no time arithmetic comes near the
/// integer range.
pub const MAX_START: Millis = 253_370_764_800_000;

/// A text that is not an RFC 3339 instant.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("`{text}` is not an RFC 3339 time such as 2026-01-05T09:00:00Z: {source}")]
pub struct TimeError {
    pub text: String,
    #[source]
    pub source: chrono::ParseError,
}

/// Parse an RFC 3339 instant (`2026-01-05T09:00:00Z`, `2026-01-05T09:00:00+01:00`).
pub fn parse_instant(text: &str) -> Result<Millis, TimeError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .map_err(|source| TimeError {
            text: text.to_string(),
            source,
        })
}

/// Format an instant as RFC 3339 UTC with milliseconds.
pub fn format_instant(at: Millis) -> String {
    match DateTime::<Utc>::from_timestamp_millis(at) {
        Some(t) => t.to_rfc3339_opts(SecondsFormat::Millis, true),
        None => at.to_string(),
    }
}

/// A short human form of a duration: `1d 6h`, `45m`, `2.5s`.
pub fn format_duration(ms: Millis) -> String {
    let (d, rest) = (ms / diorama_sdk::DAY, ms % diorama_sdk::DAY);
    let (h, rest) = (rest / diorama_sdk::HOUR, rest % diorama_sdk::HOUR);
    let (m, rest) = (rest / diorama_sdk::MINUTE, rest % diorama_sdk::MINUTE);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d}d"));
    }
    if h > 0 {
        parts.push(format!("{h}h"));
    }
    if m > 0 {
        parts.push(format!("{m}m"));
    }
    if rest > 0 || parts.is_empty() {
        if rest % 1000 == 0 {
            parts.push(format!("{}s", rest / 1000));
        } else {
            parts.push(format!("{}s", rest as f64 / 1000.0));
        }
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_trip() {
        assert_eq!(parse_instant("2026-01-05T00:00:00Z"), Ok(DEFAULT_START));
        assert_eq!(format_instant(DEFAULT_START), "2026-01-05T00:00:00.000Z");
        assert_eq!(
            parse_instant("2026-01-05T01:00:00+01:00"),
            Ok(DEFAULT_START)
        );
        assert!(parse_instant("yesterday")
            .unwrap_err()
            .to_string()
            .contains("yesterday"));
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(format_duration(30 * diorama_sdk::HOUR), "1d 6h");
        assert_eq!(format_duration(45 * diorama_sdk::MINUTE), "45m");
        assert_eq!(format_duration(2_500), "2.5s");
        assert_eq!(format_duration(0), "0s");
    }
}
