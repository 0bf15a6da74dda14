//! Virtual time: local hours in the account's timezone and the daily rhythm.

use chrono::{TimeZone, Timelike};
pub use chrono_tz::Tz;

use super::rng::Rng;
use crate::types::{Millis, DAY, HOUR, MINUTE};

/// Parse an IANA timezone name (`Europe/Paris`, `UTC`).
pub fn parse_tz(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| {
        format!("unknown timezone `{name}` (expected an IANA name such as `Europe/Paris`)")
    })
}

/// The local time of day at `at`, in fractional hours [0, 24).
pub fn local_hour(at: Millis, tz: Tz) -> f64 {
    match tz.timestamp_millis_opt(at).single() {
        Some(t) => t.hour() as f64 + t.minute() as f64 / 60.0 + t.second() as f64 / 3600.0,
        None => ((at.rem_euclid(24 * HOUR)) as f64) / HOUR as f64,
    }
}

/// The relative activity of an audience at local hour `h` (mean 1 over a
/// day): lowest around 04:00, highest in the late afternoon and evening
/// (about 16:00–21:00), the peak about twice the mean and several times the
/// night trough.
pub fn daily_rhythm(h: f64) -> f64 {
    // A smooth curve from two harmonics, peaking near 18:00, trough near 04:30.
    let x = std::f64::consts::TAU * (h - 18.0) / 24.0;
    let v = 1.0 + 0.62 * x.cos() + 0.18 * (2.0 * x).cos();
    v.max(0.05)
}

/// When creators publish, by local hour `h` (mean 1 over a day): a bump
/// around 15:00 (σ 3.5 h) over a low floor, so about three quarters of posts
/// go out between 11:00 and 20:00 and very few at night.
pub fn posting_rhythm(h: f64) -> f64 {
    let d = (h - 15.0).rem_euclid(24.0);
    let d = d.min(24.0 - d);
    (0.05 + 2.6 * (-d * d / 24.5).exp()) / 0.99985
}

/// The next scheduled post after one at `t`, for an account posting about
/// `per_day` times a day: a gap of about a day / `per_day` (±40 %) of
/// "posting time", which runs fast in the local afternoon and barely at
/// night ([`posting_rhythm`]). `Millis::MAX` when `per_day` is not > 0.
pub fn schedule_after(rng: &mut Rng, t: Millis, per_day: f64, tz: Tz) -> Millis {
    if per_day.is_nan() || per_day <= 0.0 {
        return Millis::MAX;
    }
    let target = DAY as f64 / per_day * (0.6 + 0.8 * rng.unit());
    let step = 10 * MINUTE;
    let mut acc = 0.0;
    let mut x = t;
    // Bounded: the posting rhythm is at least 0.05, so this ends within
    // ~1/0.05 of the target; cap it anyway.
    for _ in 0..200_000 {
        let w = posting_rhythm(local_hour(x + step / 2, tz));
        let gain = w * step as f64;
        if acc + gain >= target {
            return x + ((target - acc) / w) as Millis;
        }
        acc += gain;
        x += step;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paris_is_ahead_of_utc_in_winter() {
        // 2026-01-05 12:00 UTC is 13:00 in Paris.
        let at = 1_767_614_400_000;
        assert_eq!(local_hour(at, parse_tz("UTC").unwrap()), 12.0);
        assert_eq!(local_hour(at, parse_tz("Europe/Paris").unwrap()), 13.0);
    }

    #[test]
    fn unknown_timezone_is_an_error() {
        assert!(parse_tz("Mars/Olympus")
            .unwrap_err()
            .contains("Mars/Olympus"));
    }

    #[test]
    fn rhythm_peaks_in_the_evening_and_averages_one() {
        let mean: f64 = (0..240).map(|i| daily_rhythm(i as f64 / 10.0)).sum::<f64>() / 240.0;
        assert!((mean - 1.0).abs() < 0.01, "{mean}");
        let peak = daily_rhythm(18.0);
        let trough = daily_rhythm(4.0);
        assert!(peak > 1.6 && peak / trough > 2.0, "{peak} {trough}");
    }

    #[test]
    fn posting_peaks_in_the_afternoon_and_averages_one() {
        let mean: f64 = (0..240)
            .map(|i| posting_rhythm(i as f64 / 10.0))
            .sum::<f64>()
            / 240.0;
        assert!((mean - 1.0).abs() < 0.01, "{mean}");
        assert!(posting_rhythm(15.0) > 2.0);
        assert!(posting_rhythm(3.0) < 0.2);
        let afternoon: f64 = (120..180).map(|i| posting_rhythm(i as f64 / 10.0)).sum();
        let night: f64 = (0..60).map(|i| posting_rhythm(i as f64 / 10.0)).sum();
        assert!(afternoon > 5.0 * night, "{afternoon} {night}");
    }

    #[test]
    fn schedule_spaces_posts_about_a_day_over_per_day() {
        let tz = parse_tz("UTC").unwrap();
        let mut rng = Rng::new(1, "schedule");
        let mut t = 0;
        let mut n = 0;
        while t < 30 * DAY {
            t = schedule_after(&mut rng, t, 4.0, tz);
            n += 1;
        }
        assert!((100..140).contains(&n), "{n}");
        assert_eq!(schedule_after(&mut rng, 0, 0.0, tz), Millis::MAX);
    }
}
