//! The account's audience count (followers, subscribers): it grows with
//! the views its posts draw, loses a little churn, grows toward a `growth`
//! target while one is under way, and is reported as a metric a few times a
//! day (every 30 to 60 minutes while it grows toward a target).

use serde::{Deserialize, Serialize};

use super::signals::{ActiveSignals, GROWTH_REPORT};
use crate::models::rng::Rng;
use crate::types::{Author, Event, Metric, Millis, Payload, DAY, HOUR};

/// The audience count and what it gained and lost since its last report.
///
/// Flatten it into the platform's state (`#[serde(flatten)]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AudienceCount {
    #[serde(alias = "followers", alias = "subscribers")]
    pub audience_count: i64,
    /// The count at the last report.
    #[serde(alias = "followers_reported", alias = "subs_reported")]
    pub audience_reported: i64,
    /// Expected new and lost members since the last report.
    #[serde(alias = "follow_gain", alias = "subs_gain")]
    pub audience_gain: f64,
    #[serde(alias = "follow_loss", alias = "subs_loss")]
    pub audience_loss: f64,
    /// When the count is reported next.
    #[serde(alias = "next_followers_metric", alias = "next_subs_metric")]
    pub next_audience_report: Millis,
}

impl AudienceCount {
    /// A count of `count` (capped at `i64::MAX`), first reported at
    /// `first_report`.
    pub fn new(count: u64, first_report: Millis) -> Self {
        let count = count.min(i64::MAX as u64) as i64;
        AudienceCount {
            audience_count: count,
            audience_reported: count,
            audience_gain: 0.0,
            audience_loss: 0.0,
            next_audience_report: first_report,
        }
    }

    pub fn count(&self) -> i64 {
        self.audience_count
    }

    /// Add `expected` new members (drawn at the next report).
    pub fn gain(&mut self, expected: f64) {
        self.audience_gain += expected;
    }

    /// Report the count soon: by `at` plus [`GROWTH_REPORT`].
    pub fn report_soon(&mut self, at: Millis) {
        self.next_audience_report = self.next_audience_report.min(at + GROWTH_REPORT);
    }

    /// Advance over `[a, b)`: the growth under way in `signals`, a report
    /// of metric `name` when one is due (or the growth reaches its end),
    /// then `churn_per_day` of the count lost. The report draws the gains
    /// and losses from `rng` and updates the `creator`'s followers.
    #[allow(clippy::too_many_arguments)]
    pub fn step(
        &mut self,
        signals: &mut ActiveSignals,
        name: &str,
        churn_per_day: f64,
        a: Millis,
        b: Millis,
        rng: &mut Rng,
        creator: &mut Author,
        out: &mut Vec<Event>,
    ) {
        let current = self.audience_count as f64 + self.audience_gain - self.audience_loss;
        let growth_done = signals.advance_growth(a, b, current);
        if a >= self.next_audience_report || growth_done {
            self.report(signals, name, a, growth_done, rng, creator, out);
            self.next_audience_report = if signals.growth.is_some() {
                a + GROWTH_REPORT + rng.below(GROWTH_REPORT as u64) as Millis
            } else {
                a + 4 * HOUR + rng.below(4 * HOUR as u64) as Millis
            };
        }
        self.audience_loss +=
            self.audience_count as f64 * churn_per_day * (b - a) as f64 / DAY as f64;
    }

    #[allow(clippy::too_many_arguments)]
    fn report(
        &mut self,
        signals: &mut ActiveSignals,
        name: &str,
        at: Millis,
        growth_done: bool,
        rng: &mut Rng,
        creator: &mut Author,
        out: &mut Vec<Event>,
    ) {
        let gained = rng.poisson(self.audience_gain) as i64;
        let lost = rng.poisson(self.audience_loss) as i64;
        self.audience_gain = 0.0;
        self.audience_loss = 0.0;
        let mut count = (self.audience_count + gained - lost).max(0);
        if let Some(g) = signals.growth.as_mut() {
            count += g.take();
            if growth_done {
                count = count.max(g.target);
                signals.growth = None;
            }
        }
        self.audience_count = count;
        out.push(Event {
            at,
            payload: Payload::Metric(Metric {
                content_id: None,
                name: name.into(),
                total: count,
                delta: count - self.audience_reported,
            }),
        });
        self.audience_reported = count;
        creator.followers = count as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::persona::{author, PersonaStyle};
    use crate::models::signals::Growth;
    use serde_json::json;

    fn reports(out: &[Event]) -> Vec<(Millis, i64, i64)> {
        out.iter()
            .filter_map(|e| match &e.payload {
                Payload::Metric(m) => Some((e.at, m.total, m.delta)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_count_grows_with_views_loses_churn_and_reports_now_and_then() {
        let mut rng = Rng::new(1, "audience");
        let mut creator = author(&mut rng, PersonaStyle::Generic);
        let mut signals = ActiveSignals::default();
        let mut count = AudienceCount::new(10_000, 30 * 60_000);
        let mut out = Vec::new();
        let minute = 60_000;
        for m in 0..2 * 24 * 60 {
            count.gain(1.0);
            let a = m * minute;
            count.step(
                &mut signals,
                "members",
                0.01,
                a,
                a + minute,
                &mut rng,
                &mut creator,
                &mut out,
            );
        }
        let r = reports(&out);
        assert!((8..=14).contains(&r.len()), "{r:?}");
        assert!(r.windows(2).all(|w| w[1].0 - w[0].0 >= 4 * HOUR));
        // About 2880 gained, 200 lost.
        let last = r.last().unwrap().1;
        assert!((12_300..13_000).contains(&last), "{last}");
        assert_eq!(r.iter().map(|x| x.2).sum::<i64>(), last - 10_000);
        assert_eq!(creator.followers, last as u64);
    }

    #[test]
    fn growth_reaches_its_target_with_reports_every_half_hour_or_so() {
        let mut rng = Rng::new(2, "audience");
        let mut creator = author(&mut rng, PersonaStyle::Generic);
        let mut signals = ActiveSignals::default();
        let mut count = AudienceCount::new(900, DAY);
        signals.growth = Some(
            Growth::parse(
                "t",
                "members",
                0,
                900,
                &json!({"members": 1000, "duration": 6 * HOUR}),
            )
            .unwrap(),
        );
        count.report_soon(0);
        let mut out = Vec::new();
        let minute = 60_000;
        for m in 0..8 * 60 {
            let a = m * minute;
            count.step(
                &mut signals,
                "members",
                0.0,
                a,
                a + minute,
                &mut rng,
                &mut creator,
                &mut out,
            );
        }
        let r = reports(&out);
        assert!(r.len() >= 6, "{r:?}");
        assert!(r.iter().all(|x| x.1 <= 1000));
        assert_eq!(count.count(), 1000);
        assert!(signals.growth.is_none());
    }

    #[test]
    fn a_snapshot_with_the_platforms_own_names_restores() {
        let old = r#"{"followers": 5, "followers_reported": 4, "follow_gain": 0.5, "follow_loss": 0.25, "next_followers_metric": 9}"#;
        let c: AudienceCount = serde_json::from_str(old).unwrap();
        assert_eq!(
            (
                c.audience_count,
                c.audience_reported,
                c.next_audience_report
            ),
            (5, 4, 9)
        );
        let subs = r#"{"subscribers": 5, "subs_reported": 5, "subs_gain": 0, "subs_loss": 0, "next_subs_metric": 1}"#;
        assert!(serde_json::from_str::<AudienceCount>(subs).is_ok());
    }
}
