//! Virtual time: local hours in the account's timezone and the daily rhythm.

use chrono::{TimeZone, Timelike};
pub use chrono_tz::Tz;

use serde::{Deserialize, Serialize};

use super::rng::Rng;
use crate::types::{Millis, DAY, HOUR, MINUTE};

/// Parse an IANA timezone name (`Europe/Paris`, `UTC`).
pub fn parse_tz(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| {
        format!("unknown timezone `{name}` (expected an IANA name such as `Europe/Paris`)")
    })
}

/// An account's timezone, parsed once: serialised as its IANA name, so it
/// sits in a platform's serde state as a plain string. A name that no longer
/// parses when a snapshot is restored falls back to UTC.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct Timezone {
    name: String,
    tz: Tz,
}

impl Timezone {
    /// Parse an IANA name; an unknown name is an error naming it.
    pub fn parse(name: &str) -> Result<Timezone, String> {
        Ok(Timezone {
            name: name.to_string(),
            tz: parse_tz(name)?,
        })
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl From<String> for Timezone {
    fn from(name: String) -> Timezone {
        let tz = parse_tz(&name).unwrap_or(Tz::UTC);
        Timezone { name, tz }
    }
}

impl From<Timezone> for String {
    fn from(t: Timezone) -> String {
        t.name
    }
}

/// Split `[from, to)` at the multiples of `len`, as the platforms step:
/// `substeps(90, 250, 100)` gives `(90, 100), (100, 200), (200, 250)`.
pub fn substeps(from: Millis, to: Millis, len: Millis) -> impl Iterator<Item = (Millis, Millis)> {
    let len = len.max(1);
    let mut a = from;
    std::iter::from_fn(move || {
        if a >= to {
            return None;
        }
        let b = ((a.div_euclid(len) + 1) * len).min(to);
        let window = (a, b);
        a = b;
        Some(window)
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
    fn substeps_split_at_multiples() {
        let got: Vec<_> = substeps(90, 250, 100).collect();
        assert_eq!(got, [(90, 100), (100, 200), (200, 250)]);
        assert_eq!(substeps(200, 300, 100).collect::<Vec<_>>(), [(200, 300)]);
        assert_eq!(substeps(5, 5, 100).count(), 0);
        assert_eq!(
            substeps(-150, -50, 100).collect::<Vec<_>>(),
            [(-150, -100), (-100, -50)]
        );
    }

    #[test]
    fn timezone_serialises_as_its_name_and_parses_once() {
        let t = Timezone::parse("Europe/Paris").unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"Europe/Paris\"");
        let back: Timezone = serde_json::from_str("\"Europe/Paris\"").unwrap();
        assert_eq!(back, t);
        assert_eq!(back.tz(), parse_tz("Europe/Paris").unwrap());
        let odd: Timezone = serde_json::from_str("\"Mars/Olympus\"").unwrap();
        assert_eq!((odd.name(), odd.tz()), ("Mars/Olympus", Tz::UTC));
        assert!(Timezone::parse("Mars/Olympus")
            .unwrap_err()
            .contains("Mars/Olympus"));
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
