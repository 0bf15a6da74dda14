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

/// The reference: the share of a day's comments (percent) in each local
/// hour, 00:00 to 23:00, of an audience living in one timezone. It is the
/// shape of the hourly activity curves published for social media: tweet
/// volume by local hour falls to its minimum at about 05:00 and climbs
/// through the day to the evening (Golder & Macy 2011, "Diurnal and
/// seasonal mood vary with work, sleep, and daylength across diverse
/// cultures", Science 333:1878; Naaman et al. 2012, "On the study of
/// diurnal urban routines on Twitter", ICWSM), and the busiest hour of a
/// community's comments runs at about four times its quietest (Reddit
/// r/counting, every comment's timestamp, 2012 on: "almost four times").
/// The values are a smooth curve drawn to those: busiest 20:00–22:00 at
/// 6.47 %, 05:00–07:00 at 1.65 % an hour, a ratio of 3.9. They sum to 100.
pub const REFERENCE_HOURLY_SHARE: [f64; 24] = [
    4.08, 2.98, 2.16, 1.75, 1.54, 1.54, 1.75, 2.46, 3.29, 3.90, 4.21, 4.52, 4.83, 4.83, 4.83, 4.93,
    5.13, 5.44, 5.75, 6.16, 6.47, 6.47, 5.95, 5.03,
];

/// The reference's busiest hour (percent of a day's comments), its night
/// trough (05:00–07:00, percent an hour) and their ratio.
pub const REFERENCE_PEAK: f64 = 6.47;
pub const REFERENCE_TROUGH: f64 = 1.645;
pub const REFERENCE_RATIO: f64 = REFERENCE_PEAK / REFERENCE_TROUGH;

/// The tolerance a simulated week of one creator is held to against the
/// reference, over comments on every platform: the busiest hour at most
/// [`TOLERANCE_PEAK`] % (a week of one account has a few posts that draw
/// most of its comments within their first hours, SEISMIC's front-loaded
/// kernel, so its busiest hour stands above an aggregate's), the night
/// trough at least [`TOLERANCE_TROUGH`] % an hour, their ratio at most
/// [`TOLERANCE_RATIO`] (three times the reference's).
pub const TOLERANCE_PEAK: f64 = 13.0;
pub const TOLERANCE_TROUGH: f64 = 0.8;
pub const TOLERANCE_RATIO: f64 = 12.0;

/// The share of an account's audience living elsewhere (other timezones,
/// night owls, shift workers): their day is the reference's shifted by five
/// to eight hours either way, which keeps a floor under the account's night.
pub const ELSEWHERE: f64 = 0.45;
const ELSEWHERE_SHIFTS: [f64; 6] = [-8.0, -6.0, -5.0, 5.0, 6.0, 8.0];

/// The reference curve at fractional hour `h`, relative (mean 1), linear
/// between the middles of the hours.
pub fn reference_rhythm(h: f64) -> f64 {
    let x = (h - 0.5).rem_euclid(24.0);
    let i = x.floor() as usize % 24;
    let f = x - x.floor();
    let a = REFERENCE_HOURLY_SHARE[i];
    let b = REFERENCE_HOURLY_SHARE[(i + 1) % 24];
    (a + (b - a) * f) * 24.0 / 100.0
}

/// The level of [`daily_rhythm`]: a post's views and comments come at the
/// hours its audience is up, and a post published on [`posting_rhythm`]
/// meets, on SEISMIC's delays, a rhythm of 1.068 on average where the
/// curve before this one (two harmonics peaking at 18:00, posts at 15:00,
/// σ 3.5 h) gave 1.239: the level keeps the day's volumes the plugins are
/// tuned to (a 100k creator's normal day, ARCHITECTURE.md) where they were.
pub const RHYTHM_LEVEL: f64 = 1.16;

/// The relative activity of an account's audience at local hour `h` (mean
/// [`RHYTHM_LEVEL`] over a day): [`ELSEWHERE`] of it on the days of other
/// timezones, the rest on the reference's ([`REFERENCE_HOURLY_SHARE`]).
/// Lowest around 05:00 (about 0.84), highest in the evening (about 1.43).
/// Multiplied into a post's views and comments, with posts published on
/// [`posting_rhythm`] and reactions on SEISMIC's delays, the comments per
/// local hour come out near the reference (tested below).
pub fn daily_rhythm(h: f64) -> f64 {
    let home = reference_rhythm(h);
    let away = ELSEWHERE_SHIFTS
        .iter()
        .map(|s| reference_rhythm(h + s))
        .sum::<f64>()
        / ELSEWHERE_SHIFTS.len() as f64;
    RHYTHM_LEVEL * ((1.0 - ELSEWHERE) * home + ELSEWHERE * away)
}

/// How far a person's own day is shifted from the reference (hours): each
/// member of an audience has one, fixed by their id. [`ELSEWHERE`] of
/// people live on one of the other days [`daily_rhythm`] mixes in (night
/// owls and shift workers on the later ones, early risers and people in
/// other timezones on the earlier ones), in equal shares; the rest live on
/// the reference's. So the people who write at an hour are, over an
/// audience, the mix that makes [`daily_rhythm`] at that hour.
pub fn personal_shift(id: &str) -> f64 {
    // FNV's high bits vary little between short ids that differ at the
    // end: mixed (splitmix64's finaliser) before they are read.
    let z = super::rng::splitmix64_mix(super::rng::fnv1a(id.as_bytes()));
    let u = (z >> 11) as f64 / (1u64 << 53) as f64;
    if u < 1.0 - ELSEWHERE {
        return 0.0;
    }
    let i = ((u - (1.0 - ELSEWHERE)) / ELSEWHERE * ELSEWHERE_SHIFTS.len() as f64) as usize;
    ELSEWHERE_SHIFTS[i.min(ELSEWHERE_SHIFTS.len() - 1)]
}

/// Person `id`'s own activity at local hour `h`, relative to a day's mean
/// (1): the reference's curve on their own day ([`personal_shift`]).
pub fn personal_rhythm(id: &str, h: f64) -> f64 {
    reference_rhythm(h + personal_shift(id))
}

/// The highest value of [`personal_rhythm`] (the reference's busiest hour).
pub const PERSONAL_PEAK: f64 = REFERENCE_PEAK * 24.0 / 100.0;

/// Below this share of their mean activity a person is asleep (on the
/// reference, about 02:30 to 06:30 of their own day): an answer due then
/// waits until they are up.
pub const AWAKE_LEVEL: f64 = 0.5;

/// When creators publish, by local hour `h` (mean 1 over a day): a broad
/// bump around 15:00 (σ 4.5 h) over a low floor, so about two thirds of
/// posts go out between 11:00 and 20:00 and very few at night (about 4 %
/// between 00:30 and 05:30).
pub fn posting_rhythm(h: f64) -> f64 {
    let d = (h - 15.0).rem_euclid(24.0);
    let d = d.min(24.0 - d);
    (0.05 + (-d * d / 40.5).exp()) / POSTING_MEAN
}

/// The mean over a day of `0.05 + exp(-d² / 40.5)`, so that
/// [`posting_rhythm`] averages 1.
const POSTING_MEAN: f64 = 0.516392;

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
    #[test]
    fn personal_days_mix_into_the_audiences_day() {
        // Over many people, the share on each shifted day is ELSEWHERE over
        // the shifts, and the mixture of their days is the audience's.
        let ids: Vec<String> = (0..60_000).map(|i| format!("person-{i}")).collect();
        let home = ids.iter().filter(|id| personal_shift(id) == 0.0).count() as f64;
        assert!(
            (home / ids.len() as f64 - (1.0 - ELSEWHERE)).abs() < 0.01,
            "{home}"
        );
        for s in ELSEWHERE_SHIFTS {
            let n = ids.iter().filter(|id| personal_shift(id) == s).count() as f64;
            let want = ELSEWHERE / ELSEWHERE_SHIFTS.len() as f64;
            assert!((n / ids.len() as f64 - want).abs() < 0.01, "shift {s}: {n}");
        }
        for h in 0..24 {
            let h = h as f64 + 0.5;
            let mix = ids.iter().map(|id| personal_rhythm(id, h)).sum::<f64>() / ids.len() as f64;
            let want = daily_rhythm(h) / RHYTHM_LEVEL;
            assert!((mix - want).abs() < 0.03, "{h}: {mix} vs {want}");
            assert!(mix <= PERSONAL_PEAK);
        }
        // The same person keeps the same day.
        assert_eq!(personal_shift("person-7"), personal_shift("person-7"));
        // Asleep at 04:00 of their own day, up at noon.
        let home = ids.iter().find(|id| personal_shift(id) == 0.0).unwrap();
        assert!(personal_rhythm(home, 4.0) < AWAKE_LEVEL);
        assert!(personal_rhythm(home, 12.0) > AWAKE_LEVEL);
    }

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
    fn the_reference_sums_to_a_day_and_its_figures_are_its_own() {
        let sum: f64 = REFERENCE_HOURLY_SHARE.iter().sum();
        assert!((sum - 100.0).abs() < 1e-9, "{sum}");
        let peak = REFERENCE_HOURLY_SHARE.iter().cloned().fold(0.0, f64::max);
        let trough = (REFERENCE_HOURLY_SHARE[5] + REFERENCE_HOURLY_SHARE[6]) / 2.0;
        assert_eq!((peak, trough), (REFERENCE_PEAK, REFERENCE_TROUGH));
        assert!((3.5..4.5).contains(&REFERENCE_RATIO), "{REFERENCE_RATIO}");
    }

    #[test]
    fn rhythm_peaks_in_the_evening_keeps_a_night_floor_and_averages_its_level() {
        for (f, level) in [
            (reference_rhythm as fn(f64) -> f64, 1.0),
            (daily_rhythm, RHYTHM_LEVEL),
        ] {
            let mean: f64 = (0..2400).map(|i| f(i as f64 / 100.0)).sum::<f64>() / 2400.0;
            assert!((mean - level).abs() < 1e-3, "{mean}");
        }
        let (lo, hi) = (0..240)
            .map(|i| daily_rhythm(i as f64 / 10.0))
            .fold((f64::MAX, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        assert!(daily_rhythm(20.0) > 1.2 * RHYTHM_LEVEL && daily_rhythm(5.5) < 0.8 * RHYTHM_LEVEL);
        // Other timezones keep the night above half the mean.
        assert!(lo > 0.6 * RHYTHM_LEVEL && hi / lo < 2.0, "{lo} {hi}");
    }

    /// The comments per local hour of an account publishing on
    /// [`posting_rhythm`], its audience reacting on SEISMIC's delays
    /// (cut at 30 days) times [`daily_rhythm`], in the steady state: the
    /// expected curve, without one week's luck of which post took off.
    fn expected_hourly_shares() -> [f64; 24] {
        use crate::models::timing::Seismic;
        let kernel = Seismic::standard();
        let step = 10 * MINUTE;
        let per_day = DAY / step;
        let mut hist = [0.0; 24];
        for m in 0..per_day {
            let t = m * step + step / 2;
            let mut acc = 0.0;
            for k in 0..30 * per_day {
                let age = k * step;
                let published = (t - age - step / 2).rem_euclid(DAY);
                acc +=
                    posting_rhythm(published as f64 / HOUR as f64) * kernel.share(age, age + step);
            }
            let h = t as f64 / HOUR as f64;
            hist[h as usize] += acc * daily_rhythm(h);
        }
        let total: f64 = hist.iter().sum();
        hist.map(|v| 100.0 * v / total)
    }

    #[test]
    fn expected_comments_per_hour_match_the_reference() {
        let shares = expected_hourly_shares();
        let peak = shares.iter().cloned().fold(0.0, f64::max);
        let trough = (shares[5] + shares[6]) / 2.0;
        // Within 1.5 points of the reference's busiest hour, 0.5 point of
        // its night trough and 1.6 times its ratio.
        assert!((peak - REFERENCE_PEAK).abs() <= 1.5, "{peak} {shares:?}");
        assert!(
            (trough - REFERENCE_TROUGH).abs() <= 0.5,
            "{trough} {shares:?}"
        );
        assert!(peak / trough <= 1.6 * REFERENCE_RATIO, "{shares:?}");
        // The busiest hours are the afternoon and evening, the quietest the
        // small hours.
        let busiest = (0..24)
            .max_by(|&a, &b| shares[a].total_cmp(&shares[b]))
            .unwrap();
        let quietest = (0..24)
            .min_by(|&a, &b| shares[a].total_cmp(&shares[b]))
            .unwrap();
        assert!((13..=21).contains(&busiest), "{busiest}");
        assert!((2..=7).contains(&quietest), "{quietest}");
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
