//! The daily quota: 10,000 units a day, spent at each method's published
//! cost, renewed at midnight Pacific time (virtual time). A request that
//! would overspend is answered `403 quotaExceeded` and costs nothing.

use chrono::{Datelike, TimeZone};
use diorama_sdk::{HttpResponse, Millis};

use super::error;
use crate::YouTube;

/// Units a project may spend in a day (the API's default allocation).
pub const DAILY_UNITS: u32 = 10_000;

/// The Pacific day of `at`, as days since the common era.
fn pacific_day(at: Millis) -> i64 {
    chrono_tz::America::Los_Angeles
        .timestamp_millis_opt(at)
        .single()
        .map(|t| i64::from(t.date_naive().num_days_from_ce()))
        .unwrap_or(0)
}

/// Spend `cost` units of today's quota, or say it is spent.
pub fn charge(yt: &YouTube, at: Millis, cost: u32) -> Result<(), HttpResponse> {
    let q = &yt.native.quota;
    let day = pacific_day(at);
    if q.day.get() != day {
        q.day.set(day);
        q.used.set(0);
    }
    let used = q.used.get();
    if used.saturating_add(cost) > DAILY_UNITS {
        let msg = "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.";
        return Err(error(403, "quotaExceeded", msg));
    }
    q.used.set(used + cost);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_turns_at_pacific_midnight() {
        // 2026-01-15T07:59:59Z is 23:59:59 PST; a second later it is the 16th.
        let before = 1_768_463_999_000;
        assert_eq!(pacific_day(before) + 1, pacific_day(before + 1000));
        // In summer (PDT) midnight is 07:00 UTC.
        let july = 1_783_926_000_000; // 2026-07-13T07:00:00Z
        assert_eq!(pacific_day(july - 1) + 1, pacific_day(july));
    }
}
