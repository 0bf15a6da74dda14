//! Scenario signals shared by platforms, beyond `viral` and `shadowban`
//! ([`super::spike`]): a `troll_wave` on one post, a `brand_deal_flood` of
//! collaboration DMs, a `controversy` that turns the comments' sentiment,
//! and `growth` of the audience toward a target. Each parses its
//! parameters so errors name the platform and the parameter, and answers
//! what a simulator needs at a given time; the simulator does the rest.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::params::{check_known, count, number};
use super::persona::{author_with_followers, PersonaStyle};
use super::rng::Rng;
use super::text::Sentiment;
use crate::types::{Author, Millis, DAY, HOUR};

const YEAR: f64 = 365.0 * DAY as f64;

fn object(platform: &str, signal: &str, params: &Value) -> Result<Map<String, Value>, String> {
    match params {
        Value::Object(m) => Ok(m.clone()),
        Value::Null => Ok(Map::new()),
        _ => Err(format!(
            "{platform}: `{signal}` parameters must be a JSON object"
        )),
    }
}

/// A duration in ms (`> 0`), or `default`.
fn duration(
    platform: &str,
    signal: &str,
    map: &Map<String, Value>,
    key: &str,
    default: Millis,
) -> Result<Millis, String> {
    let v = number(platform, map, key)?.unwrap_or(default as f64);
    if !(1.0..=YEAR).contains(&v) {
        return Err(format!(
            "{platform}: `{signal}` parameter `{key}` must be a duration in ms > 0 (got {v})"
        ));
    }
    Ok(v as Millis)
}

/// The description of the `troll_wave` signal for `describe()`.
pub fn troll_wave_description(what: &str) -> String {
    format!("a burst of negative comments (criticism, complaints, trolls) on one {what} from new accounts with under 100 followers: {{content_id?: latest {what}, size: 200 (comments, 1..100000), duration: ms (2 h)}}; the comments are spread evenly over `duration`")
}

/// A `troll_wave`: `size` negative comments on one post from fresh,
/// low-follower accounts, spread evenly over `[start, start + duration)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrollWave {
    /// The target post (resolved by the simulator when not given).
    pub content_id: Option<String>,
    pub start: Millis,
    pub duration: Millis,
    pub size: u64,
    /// How many comments have been written so far.
    pub written: u64,
}

pub const DEFAULT_TROLL_SIZE: u64 = 200;
pub const DEFAULT_TROLL_DURATION: Millis = 2 * HOUR;
/// Troll accounts have fewer followers than this.
pub const TROLL_MAX_FOLLOWERS: u64 = 100;

impl TrollWave {
    /// Parse `{content_id?, size = 200, duration = 2 h}` for a wave from `at`.
    pub fn parse(platform: &str, at: Millis, params: &Value) -> Result<TrollWave, String> {
        let map = object(platform, "troll_wave", params)?;
        check_known(
            platform,
            &map,
            &["content_id", "size", "duration"],
            "`troll_wave` parameter",
        )?;
        let content_id = match map.get("content_id") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                return Err(format!(
                    "{platform}: `troll_wave` parameter `content_id` must be a string (got {other})"
                ))
            }
        };
        let size = count(platform, &map, "size")?.unwrap_or(DEFAULT_TROLL_SIZE);
        if !(1..=100_000).contains(&size) {
            return Err(format!(
                "{platform}: `troll_wave` parameter `size` must be between 1 and 100000 comments (got {size})"
            ));
        }
        let duration = duration(
            platform,
            "troll_wave",
            &map,
            "duration",
            DEFAULT_TROLL_DURATION,
        )?;
        Ok(TrollWave {
            content_id,
            start: at,
            duration,
            size,
            written: 0,
        })
    }

    /// How many comments are due by `b` and not yet written; counts them
    /// as written. Over the whole wave they add up to exactly `size`.
    pub fn due(&mut self, b: Millis) -> u64 {
        if b <= self.start {
            return 0;
        }
        let elapsed = (b - self.start).min(self.duration) as u128;
        let target = (self.size as u128 * elapsed / self.duration.max(1) as u128) as u64;
        let n = target.saturating_sub(self.written);
        self.written += n;
        n
    }

    pub fn done(&self) -> bool {
        self.written >= self.size
    }

    /// A time for one of the wave's comments in `[a, b)`, inside the wave.
    pub fn time_in(&self, rng: &mut Rng, a: Millis, b: Millis) -> Millis {
        let lo = a.max(self.start);
        let hi = b.min(self.start + self.duration).max(lo + 1);
        lo + rng.below((hi - lo) as u64) as Millis
    }
}

/// A fresh troll account: a new persona with under 100 followers (most
/// with a handful), never one of the recurring fans.
pub fn troll_author(rng: &mut Rng, style: PersonaStyle) -> Author {
    let u = rng.unit();
    let followers = ((u * u * u) * TROLL_MAX_FOLLOWERS as f64) as u64;
    let mut a = author_with_followers(rng, style, followers.min(TROLL_MAX_FOLLOWERS - 1));
    a.verified = false;
    a
}

/// The description of the `brand_deal_flood` signal for `describe()`.
pub const BRAND_DEAL_FLOOD_DESCRIPTION: &str = "collaboration and brand-deal DMs surge: {factor: 10 (> 1, multiplies the collaboration DMs), duration: ms (24 h)}";

/// A `brand_deal_flood`: collaboration DMs multiplied by `factor` in
/// `[start, end)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BrandDealFlood {
    pub start: Millis,
    pub end: Millis,
    pub factor: f64,
}

impl BrandDealFlood {
    /// Parse `{factor = 10, duration = 24 h}` for a flood from `at`.
    pub fn parse(platform: &str, at: Millis, params: &Value) -> Result<BrandDealFlood, String> {
        let map = object(platform, "brand_deal_flood", params)?;
        check_known(
            platform,
            &map,
            &["factor", "duration"],
            "`brand_deal_flood` parameter",
        )?;
        let factor = number(platform, &map, "factor")?.unwrap_or(10.0);
        if !(factor > 1.0 && factor <= 1e4) {
            return Err(format!(
                "{platform}: `brand_deal_flood` parameter `factor` must be > 1 (and at most 10000), got {factor}"
            ));
        }
        let duration = duration(platform, "brand_deal_flood", &map, "duration", DAY)?;
        Ok(BrandDealFlood {
            start: at,
            end: at + duration,
            factor,
        })
    }

    /// The extra collaboration DMs at `t`, as a multiple of the usual
    /// collaboration DMs (0 without a flood).
    pub fn extra_at(floods: &[BrandDealFlood], t: Millis) -> f64 {
        floods
            .iter()
            .filter(|f| f.start <= t && t < f.end)
            .map(|f| f.factor - 1.0)
            .sum()
    }
}

/// The description of the `controversy` signal for `describe()`.
pub const CONTROVERSY_DESCRIPTION: &str = "the comments' sentiment turns negative across the account: {duration: ms (24 h), heal: ms (48 h), negativity: 0.6 (share of negative comments at the peak, 0.1..1)}; negativity holds for `duration`, then heals linearly back to the normal 65/25/10 mix over `heal`";

/// A `controversy`: the share of negative comments raised to
/// `negativity` in `[start, end)`, then back to the normal 10 % linearly
/// over `heal`; positive and neutral keep their 65 : 25 proportion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Controversy {
    pub start: Millis,
    pub end: Millis,
    pub heal: Millis,
    pub negativity: f64,
}

impl Controversy {
    /// Parse `{duration = 24 h, heal = 48 h, negativity = 0.6}` from `at`.
    pub fn parse(platform: &str, at: Millis, params: &Value) -> Result<Controversy, String> {
        let map = object(platform, "controversy", params)?;
        check_known(
            platform,
            &map,
            &["duration", "heal", "negativity"],
            "`controversy` parameter",
        )?;
        let duration = duration(platform, "controversy", &map, "duration", DAY)?;
        let heal = duration_or_zero(platform, &map, "heal", 2 * DAY)?;
        let negativity = number(platform, &map, "negativity")?.unwrap_or(0.6);
        if !(Sentiment::MIX[2]..=1.0).contains(&negativity) {
            return Err(format!(
                "{platform}: `controversy` parameter `negativity` must be between 0.1 and 1 (got {negativity})"
            ));
        }
        Ok(Controversy {
            start: at,
            end: at + duration,
            heal,
            negativity,
        })
    }

    /// The share of negative comments this controversy sets at `t`, if
    /// any.
    pub fn negative_at(&self, t: Millis) -> Option<f64> {
        let normal = Sentiment::MIX[2];
        if t < self.start || t >= self.end + self.heal {
            None
        } else if t < self.end {
            Some(self.negativity)
        } else {
            let r = (t - self.end) as f64 / self.heal.max(1) as f64;
            Some(self.negativity + (normal - self.negativity) * r)
        }
    }

    pub fn over(&self, t: Millis) -> bool {
        t >= self.end + self.heal
    }

    /// The sentiment mix at `t`: the normal one without a controversy in
    /// force, else the most negative one in force.
    pub fn mix_at(list: &[Controversy], t: Millis) -> Option<[f64; 3]> {
        let neg = list
            .iter()
            .filter_map(|c| c.negative_at(t))
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))?;
        let [p, n, q] = Sentiment::MIX;
        let rest = (1.0 - neg) / (1.0 - q);
        Some([p * rest, n * rest, neg])
    }

    /// A comment's sentiment at `t`: from the normal mix without a
    /// controversy in force (drawing exactly as [`Sentiment::sample`]).
    pub fn sample(list: &[Controversy], rng: &mut Rng, t: Millis) -> Sentiment {
        if list.is_empty() {
            return Sentiment::sample(rng);
        }
        match Controversy::mix_at(list, t) {
            Some(mix) => Sentiment::sample_with(rng, &mix),
            None => Sentiment::sample(rng),
        }
    }
}

fn duration_or_zero(
    platform: &str,
    map: &Map<String, Value>,
    key: &str,
    default: Millis,
) -> Result<Millis, String> {
    let v = number(platform, map, key)?.unwrap_or(default as f64);
    if !(0.0..=YEAR).contains(&v) {
        return Err(format!(
            "{platform}: `controversy` parameter `{key}` must be a duration in ms ≥ 0 (got {v})"
        ));
    }
    Ok(v as Millis)
}

/// The description of the `growth` signal for `describe()`; `what` is
/// `subscribers` or `followers`.
pub fn growth_description(what: &str) -> String {
    format!("the audience grows toward a target: {{{what}: target count (above the current one), duration: ms (24 h)}}; the {what} metric is reported about every 30 to 60 minutes on the way and reaches the target by the end")
}

/// `growth`: the audience grows toward `target` by `end`, on top of its
/// organic change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Growth {
    pub start: Millis,
    pub end: Millis,
    pub target: i64,
    /// Growth added but not yet reported (fractional).
    pub pending: f64,
}

impl Growth {
    /// Parse `{<key>: target, duration = 24 h}` from `at`; `key` is
    /// `subscribers` or `followers`, `current` the current count.
    pub fn parse(
        platform: &str,
        key: &str,
        at: Millis,
        current: i64,
        params: &Value,
    ) -> Result<Growth, String> {
        let map = object(platform, "growth", params)?;
        check_known(platform, &map, &[key, "duration"], "`growth` parameter")?;
        let target = count(platform, &map, key)?.ok_or_else(|| {
            format!("{platform}: `growth` needs `{key}`, the target count (a whole number)")
        })?;
        if target as i128 <= current as i128 || target > 1_000_000_000_000 {
            return Err(format!(
                "{platform}: `growth` parameter `{key}` must be above the current count {current} (got {target})"
            ));
        }
        let duration = duration(platform, "growth", &map, "duration", DAY)?;
        Ok(Growth {
            start: at,
            end: at + duration,
            target: target as i64,
            pending: 0.0,
        })
    }

    /// Add the growth over `[a, b)` toward the target, for an audience
    /// expected at `current` (counting what is already pending); returns
    /// whether this step reaches the end.
    pub fn advance(&mut self, a: Millis, b: Millis, current: f64) -> bool {
        if b <= self.start || a >= self.end {
            return a < self.end && b >= self.end;
        }
        let a = a.max(self.start);
        let missing = (self.target as f64 - current - self.pending).max(0.0);
        self.pending += missing * (b.min(self.end) - a) as f64 / (self.end - a).max(1) as f64;
        b >= self.end
    }

    /// The whole units of growth pending; removes them.
    pub fn take(&mut self) -> i64 {
        let n = self.pending.floor().max(0.0);
        self.pending -= n;
        n as i64
    }

    pub fn over(&self, t: Millis) -> bool {
        t >= self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn troll_wave_writes_exactly_its_size_over_its_duration() {
        let mut w = TrollWave::parse("p", 1000, &json!({"size": 7, "duration": 100})).unwrap();
        assert_eq!(w.due(1000), 0);
        let n: u64 = (1..=20).map(|i| w.due(1000 + i * 10)).sum();
        assert_eq!(n, 7);
        assert!(w.done());
        let d = TrollWave::parse("p", 0, &json!({})).unwrap();
        assert_eq!((d.size, d.duration, d.content_id), (200, 2 * HOUR, None));
        for (j, f) in [
            (json!({"size": 0}), "size"),
            (json!({"duration": 0}), "duration"),
            (json!({"content_id": 1}), "content_id"),
            (json!({"mood": 1}), "mood"),
        ] {
            let e = TrollWave::parse("p", 0, &j).unwrap_err();
            assert!(e.starts_with("p: ") && e.contains(&format!("`{f}`")), "{e}");
        }
        let mut rng = Rng::new(1, "t");
        for _ in 0..200 {
            let a = troll_author(&mut rng, PersonaStyle::GENERIC);
            assert!(a.followers < 100 && !a.verified);
        }
    }

    #[test]
    fn floods_and_controversies() {
        let f = BrandDealFlood::parse("p", 0, &json!({"factor": 5})).unwrap();
        assert_eq!(
            BrandDealFlood::extra_at(std::slice::from_ref(&f), HOUR),
            4.0
        );
        assert_eq!(BrandDealFlood::extra_at(&[f], DAY), 0.0);
        assert!(BrandDealFlood::parse("p", 0, &json!({"factor": 1}))
            .unwrap_err()
            .contains("`factor`"));
        let c = Controversy::parse("p", 0, &json!({})).unwrap();
        let list = [c];
        let mix = Controversy::mix_at(&list, HOUR).unwrap();
        assert!((mix[2] - 0.6).abs() < 1e-12);
        assert!((mix.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let mid = Controversy::mix_at(&list, 2 * DAY).unwrap();
        assert!((mid[2] - 0.35).abs() < 1e-9, "{mid:?}");
        assert_eq!(Controversy::mix_at(&list, 3 * DAY), None);
        assert!(Controversy::parse("p", 0, &json!({"negativity": 2}))
            .unwrap_err()
            .contains("`negativity`"));
    }

    #[test]
    fn growth_reaches_its_target() {
        let mut g = Growth::parse("p", "followers", 0, 900, &json!({"followers": 1000})).unwrap();
        let mut count = 900.0;
        let mut t = 0;
        while !g.over(t) {
            g.advance(t, t + HOUR, count);
            count += g.take() as f64;
            t += HOUR;
        }
        assert!((999.0..=1000.0).contains(&count), "{count}");
        assert!(Growth::parse("p", "followers", 0, 900, &json!({"followers": 800})).is_err());
        assert!(Growth::parse("p", "followers", 0, 900, &json!({}))
            .unwrap_err()
            .contains("`followers`"));
    }
}
