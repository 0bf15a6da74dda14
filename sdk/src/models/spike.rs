//! Signals shared by platforms: `viral`, a spike that multiplies one post's
//! reach by a factor that ramps up, then decays back to 1, and `shadowban`,
//! which cuts an account's reach for a while; and the parsing of their
//! parameters (errors name the platform and the parameter).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::params::{check_known, number};
use crate::types::{Millis, DAY, HOUR, MINUTE};

/// A spike on one post. The post's reach is multiplied by
///
/// ```text
/// m(t) = 1 + (factor − 1) · r(t),  r = (t − start)/ramp on the ramp,
///                                  r = exp(−(t − start − ramp)/decay) after
/// ```
///
/// On top of the post's normal audience, (m(t) − 1) × max(normal rate,
/// `reach_rate`) extra views arrive, where `reach_rate` spreads the post's
/// reach over the spike's duration (ramp/2 + decay): an old post that goes
/// viral gains about (factor − 1) × its reach, a fresh one has its rate
/// multiplied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spike {
    pub start: Millis,
    pub factor: f64,
    pub ramp: Millis,
    pub decay: Millis,
    /// Views per millisecond at which the reach is spread.
    pub reach_rate: f64,
}

impl Spike {
    /// A spike from `params` starting at `at` on a post whose reach (at
    /// least the account's typical reach) is `reach`.
    pub fn new(at: Millis, params: &ViralParams, reach: f64) -> Self {
        let span = (params.ramp as f64 / 2.0 + params.decay as f64).max(1.0);
        Spike {
            start: at,
            factor: params.factor,
            ramp: params.ramp,
            decay: params.decay,
            reach_rate: reach.max(0.0) / span,
        }
    }

    /// m(t) − 1.
    pub fn excess(&self, t: Millis) -> f64 {
        if t < self.start {
            return 0.0;
        }
        let dt = (t - self.start) as f64;
        let ramp = self.ramp as f64;
        let r = if dt < ramp {
            dt / ramp
        } else {
            (-(dt - ramp) / self.decay.max(1) as f64).exp()
        };
        (self.factor - 1.0) * r
    }

    /// Whether the spike has faded to nothing (m − 1 below 0.2 %).
    pub fn faded(&self, t: Millis) -> bool {
        t > self.start + self.ramp && self.excess(t) < 0.002
    }

    /// Views in `[a, b)` on top of `base`, the post's normal views there.
    pub fn extra(&self, a: Millis, b: Millis, base: f64) -> f64 {
        let mid = a + (b - a) / 2;
        self.excess(mid) * base.max(self.reach_rate * (b - a) as f64)
    }
}

/// The `viral` signal's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct ViralParams {
    pub content_id: Option<String>,
    pub factor: f64,
    pub ramp: Millis,
    pub decay: Millis,
}

pub const DEFAULT_VIRAL_FACTOR: f64 = 10.0;
pub const DEFAULT_VIRAL_RAMP: Millis = 30 * MINUTE;
pub const DEFAULT_VIRAL_DECAY: Millis = 8 * HOUR;

/// The description of the `viral` signal for `describe()`.
pub fn viral_description(what: &str) -> String {
    format!("multiply a {what}'s reach: {{content_id?: latest {what}, factor: 10 (> 1), ramp: ms (30 min), decay: ms (8 h)}}; the factor ramps up linearly over `ramp`, then decays back to 1 with time constant `decay`")
}

impl ViralParams {
    /// Parse `{content_id?, factor?, ramp?, decay?}`; errors start with
    /// `platform`.
    pub fn parse(platform: &str, params: &Value) -> Result<ViralParams, String> {
        let map = match params {
            Value::Object(m) => m.clone(),
            Value::Null => Map::new(),
            _ => {
                return Err(format!(
                    "{platform}: `viral` parameters must be a JSON object"
                ))
            }
        };
        check_known(
            platform,
            &map,
            &["content_id", "factor", "ramp", "decay"],
            "`viral` parameter",
        )?;
        let content_id = match map.get("content_id") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                return Err(format!(
                    "{platform}: `viral` parameter `content_id` must be a string (got {other})"
                ))
            }
        };
        let factor = number(platform, &map, "factor")?.unwrap_or(DEFAULT_VIRAL_FACTOR);
        if !(factor > 1.0 && factor <= 1e6) {
            return Err(format!(
                "{platform}: `viral` parameter `factor` must be > 1 (and at most 1000000), got {factor}"
            ));
        }
        let year = 365.0 * 24.0 * HOUR as f64;
        let ramp = number(platform, &map, "ramp")?.unwrap_or(DEFAULT_VIRAL_RAMP as f64);
        if !(0.0..=year).contains(&ramp) {
            return Err(format!(
                "{platform}: `viral` parameter `ramp` must be a duration in ms ≥ 0 (got {ramp})"
            ));
        }
        let decay = number(platform, &map, "decay")?.unwrap_or(DEFAULT_VIRAL_DECAY as f64);
        if !(decay >= 1.0 && decay <= year) {
            return Err(format!(
                "{platform}: `viral` parameter `decay` must be a duration in ms > 0 (got {decay})"
            ));
        }
        Ok(ViralParams {
            content_id,
            factor,
            ramp: ramp as Millis,
            decay: decay as Millis,
        })
    }
}

/// A `shadowban`: an account's reach multiplied by `factor` in
/// `[start, end)`, then climbing back linearly to 1 over `recovery`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shadowban {
    pub start: Millis,
    pub end: Millis,
    pub factor: f64,
    /// How long reach takes to climb back after `end` (0: at once).
    #[serde(default)]
    pub recovery: Millis,
}

/// The default time reach takes to recover after a shadowban.
pub const DEFAULT_SHADOWBAN_RECOVERY: Millis = 12 * HOUR;

/// The description of the `shadowban` signal for `describe()`.
pub const SHADOWBAN_DESCRIPTION: &str = "cut the account's reach: {depth: 0.9 (0 < d ≤ 1, share of reach lost; or factor = 1 − depth), duration: ms (3 days), recovery: ms (12 h)}; views, comments and new followers collapse for `duration`, then climb back linearly over `recovery`";

impl Shadowban {
    /// Parse `{depth = 0.9 | factor = 0.1, duration = 3 days, recovery =
    /// 12 h}` for a ban from `at`.
    pub fn parse(platform: &str, at: Millis, params: &Value) -> Result<Shadowban, String> {
        let map = match params {
            Value::Object(m) => m.clone(),
            Value::Null => Map::new(),
            _ => {
                return Err(format!(
                    "{platform}: `shadowban` parameters must be a JSON object"
                ))
            }
        };
        check_known(
            platform,
            &map,
            &["depth", "factor", "duration", "recovery"],
            "`shadowban` parameter",
        )?;
        let depth = number(platform, &map, "depth")?;
        let factor = number(platform, &map, "factor")?;
        let factor = match (depth, factor) {
            (Some(_), Some(_)) => {
                return Err(format!(
                    "{platform}: `shadowban` takes `depth` or `factor` (= 1 − depth), not both"
                ))
            }
            (Some(d), None) => {
                if !(d > 0.0 && d <= 1.0) {
                    return Err(format!(
                        "{platform}: `shadowban` parameter `depth` must be in (0, 1] (got {d})"
                    ));
                }
                1.0 - d
            }
            (None, Some(f)) => {
                if !(0.0..1.0).contains(&f) {
                    return Err(format!(
                        "{platform}: `shadowban` parameter `factor` must be in [0, 1) (got {f})"
                    ));
                }
                f
            }
            (None, None) => 0.1,
        };
        let year = 365.0 * DAY as f64;
        let duration = number(platform, &map, "duration")?.unwrap_or(3.0 * DAY as f64);
        if !(duration >= 1.0 && duration <= year) {
            return Err(format!(
                "{platform}: `shadowban` parameter `duration` must be a duration in ms > 0 (got {duration})"
            ));
        }
        let recovery =
            number(platform, &map, "recovery")?.unwrap_or(DEFAULT_SHADOWBAN_RECOVERY as f64);
        if !(0.0..=year).contains(&recovery) {
            return Err(format!(
                "{platform}: `shadowban` parameter `recovery` must be a duration in ms ≥ 0 (got {recovery})"
            ));
        }
        Ok(Shadowban {
            start: at,
            end: at + duration as Millis,
            factor,
            recovery: recovery as Millis,
        })
    }

    /// This ban's multiplier at `t`.
    pub fn factor_at_time(&self, t: Millis) -> f64 {
        if t < self.start || t >= self.end + self.recovery {
            1.0
        } else if t < self.end {
            self.factor
        } else {
            let r = (t - self.end) as f64 / self.recovery.max(1) as f64;
            self.factor + (1.0 - self.factor) * r
        }
    }

    /// Whether the ban and its recovery are over at `t`.
    pub fn over(&self, t: Millis) -> bool {
        t >= self.end + self.recovery
    }

    /// The product of the factors of the bans in force at `t` (1 without).
    pub fn factor_at(bans: &[Shadowban], t: Millis) -> f64 {
        bans.iter().map(|s| s.factor_at_time(t)).product()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::DAY;

    #[test]
    fn spike_ramps_then_decays() {
        let p = ViralParams::parse("x", &serde_json::json!({"factor": 40})).unwrap();
        let v = Spike::new(0, &p, 1.0);
        assert_eq!(v.excess(-1), 0.0);
        assert!((v.excess(15 * MINUTE) - 19.5).abs() < 1e-9);
        assert!((v.excess(30 * MINUTE) - 39.0).abs() < 1e-9);
        assert!((v.excess(30 * MINUTE + 8 * HOUR) - 39.0 / std::f64::consts::E).abs() < 1e-9);
        assert!(!v.faded(DAY));
        assert!(v.faded(5 * DAY));
        assert!(v.extra(0, MINUTE, 0.0) > 0.0);
    }

    #[test]
    fn params_default_and_errors_name_platform_and_field() {
        let v = ViralParams::parse("insta", &serde_json::json!({})).unwrap();
        assert_eq!((v.factor, v.ramp, v.decay), (10.0, 30 * MINUTE, 8 * HOUR));
        for (j, f) in [
            (serde_json::json!({"factor": 1}), "factor"),
            (serde_json::json!({"ramp": -1}), "ramp"),
            (serde_json::json!({"decay": 0}), "decay"),
            (serde_json::json!({"content_id": 3}), "content_id"),
            (serde_json::json!({"speed": 3}), "speed"),
        ] {
            let e = ViralParams::parse("insta", &j).unwrap_err();
            assert!(
                e.starts_with("insta: ") && e.contains(&format!("`{f}`")),
                "{e}"
            );
        }
    }

    #[test]
    fn shadowbans() {
        let b =
            Shadowban::parse("x", 0, &serde_json::json!({"factor": 0.5, "recovery": 0})).unwrap();
        assert_eq!(b.end, 3 * DAY);
        let bans = [b.clone(), b];
        assert_eq!(Shadowban::factor_at(&bans, DAY), 0.25);
        assert_eq!(Shadowban::factor_at(&bans, 3 * DAY), 1.0);
        let d = Shadowban::parse(
            "x",
            0,
            &serde_json::json!({"depth": 0.8, "duration": 1000, "recovery": 1000}),
        )
        .unwrap();
        assert!((d.factor_at_time(500) - 0.2).abs() < 1e-9);
        assert!((d.factor_at_time(1500) - 0.6).abs() < 1e-9);
        assert_eq!(d.factor_at_time(2000), 1.0);
        assert!(d.over(2000) && !d.over(1999));
        assert!(
            Shadowban::parse("x", 0, &serde_json::json!({"depth": 0.5, "factor": 0.5})).is_err()
        );
        for (j, f) in [
            (serde_json::json!({"factor": 1}), "factor"),
            (serde_json::json!({"duration": 0}), "duration"),
            (serde_json::json!({"reach": 0}), "reach"),
            (serde_json::json!({"depth": 0}), "depth"),
            (serde_json::json!({"recovery": -1}), "recovery"),
        ] {
            let e = Shadowban::parse("x", 0, &j).unwrap_err();
            assert!(e.contains(&format!("`{f}`")), "{e}");
        }
    }
}
