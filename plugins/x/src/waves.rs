//! X's own signals on one post or the account: a `pile_on` (many ordinary
//! accounts piling negative replies and quote posts onto one post, which
//! then gets "ratioed": replies and quotes outrun likes), a `bot_swarm`
//! (spam replies from automated accounts) and a `follower_spike`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use diorama_sdk::models::params::{check_known, count, number};
use diorama_sdk::models::rng::Rng;
use diorama_sdk::{Millis, DAY, HOUR};

pub const PILE_ON_DESCRIPTION: &str = "a pile-on against one post: {content_id?: latest post, size: 300 (negative replies and quote posts from ordinary accounts, 1..100000), duration: ms (3 h)}; about 60 % replies and 40 % quotes, and while it lasts the post's likes per impression fall to a third and its replies triple (a ratio)";
pub const BOT_SWARM_DESCRIPTION: &str = "a swarm of automated accounts replying to one post: {content_id?: latest post, size: 200 (spam replies, 1..100000), duration: ms (1 h)}; the accounts are new, have under 20 followers and handles ending in eight digits";
pub const FOLLOWER_SPIKE_DESCRIPTION: &str = "followers jump: {gain: a tenth of the followers (at least 1, new followers), duration: ms (6 h)}; the gain arrives over `duration`";

pub const DEFAULT_PILE_ON: (u64, Millis) = (300, 3 * HOUR);
pub const DEFAULT_BOT_SWARM: (u64, Millis) = (200, HOUR);
pub const DEFAULT_SPIKE_DURATION: Millis = 6 * HOUR;

/// A burst of `size` items on one post, spread evenly over `[start, start
/// + duration)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Wave {
    pub post: u32,
    pub start: Millis,
    pub duration: Millis,
    pub size: u64,
    pub written: u64,
}

/// A wave's parameters: `{content_id?, size, duration}`.
pub struct WaveParams {
    pub content_id: Option<String>,
    pub size: u64,
    pub duration: Millis,
}

fn object(signal: &str, params: &Value) -> Result<Map<String, Value>, String> {
    match params {
        Value::Object(m) => Ok(m.clone()),
        Value::Null => Ok(Map::new()),
        _ => Err(format!("x: `{signal}` parameters must be a JSON object")),
    }
}

fn duration(signal: &str, map: &Map<String, Value>, default: Millis) -> Result<Millis, String> {
    let v = number("x", map, "duration")?.unwrap_or(default as f64);
    if !(1.0..=365.0 * DAY as f64).contains(&v) {
        return Err(format!(
            "x: `{signal}` parameter `duration` must be a duration in ms from 1 to a year (got {v})"
        ));
    }
    Ok(v as Millis)
}

impl WaveParams {
    pub fn parse(signal: &str, params: &Value, default: (u64, Millis)) -> Result<Self, String> {
        let map = object(signal, params)?;
        check_known(
            "x",
            &map,
            &["content_id", "size", "duration"],
            &format!("`{signal}` parameter"),
        )?;
        let content_id = match map.get("content_id") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                return Err(format!(
                    "x: `{signal}` parameter `content_id` must be a string (got {other})"
                ))
            }
        };
        let size = count("x", &map, "size")?.unwrap_or(default.0);
        if !(1..=100_000).contains(&size) {
            return Err(format!(
                "x: `{signal}` parameter `size` must be between 1 and 100000 (got {size})"
            ));
        }
        Ok(WaveParams {
            content_id,
            size,
            duration: duration(signal, &map, default.1)?,
        })
    }
}

impl Wave {
    pub fn new(post: u32, at: Millis, p: &WaveParams) -> Self {
        Wave {
            post,
            start: at,
            duration: p.duration,
            size: p.size,
            written: 0,
        }
    }

    /// How many items are due by `b` and not yet written; counts them as
    /// written. Over the whole wave they add up to exactly `size`.
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

    /// Whether it is under way at `t`.
    pub fn live(&self, t: Millis) -> bool {
        t >= self.start && t < self.start + self.duration
    }

    /// A time for one item in `[a, b)`, inside the wave.
    pub fn time_in(&self, rng: &mut Rng, a: Millis, b: Millis) -> Millis {
        let lo = a.max(self.start);
        let hi = b.min(self.start + self.duration).max(lo + 1);
        lo + rng.below((hi - lo) as u64) as Millis
    }
}

/// `follower_spike` {gain?, duration?}: the target count and the duration,
/// for an account of `current` followers.
pub fn follower_spike(current: i64, params: &Value) -> Result<(i64, Millis), String> {
    let map = object("follower_spike", params)?;
    check_known(
        "x",
        &map,
        &["gain", "duration"],
        "`follower_spike` parameter",
    )?;
    let gain = match count("x", &map, "gain")? {
        Some(g) if (1..=1_000_000_000).contains(&g) => g as i64,
        Some(g) => {
            return Err(format!(
                "x: `follower_spike` parameter `gain` must be between 1 and 1000000000 followers (got {g})"
            ))
        }
        None => (current / 10).max(1),
    };
    let d = duration("follower_spike", &map, DEFAULT_SPIKE_DURATION)?;
    Ok((current.saturating_add(gain), d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn waves_parse_and_spread() {
        let p = WaveParams::parse("pile_on", &json!({"size": 10}), DEFAULT_PILE_ON).unwrap();
        let mut w = Wave::new(0, 0, &p);
        let mut n = 0;
        for m in 1..=180 {
            n += w.due(m * 60_000);
        }
        assert_eq!(n, 10);
        assert!(w.done());
        for (params, field) in [
            (json!({"size": 0}), "`size`"),
            (json!({"duration": -1}), "`duration`"),
            (json!({"mood": 1}), "`mood`"),
            (json!({"content_id": 5}), "`content_id`"),
        ] {
            let e = WaveParams::parse("bot_swarm", &params, DEFAULT_BOT_SWARM)
                .err()
                .unwrap();
            assert!(e.starts_with("x: ") && e.contains(field), "{e}");
        }
        assert_eq!(follower_spike(1000, &json!({})).unwrap(), (1100, 6 * HOUR));
        assert!(follower_spike(1000, &json!({"gain": 0})).is_err());
    }
}
