//! Account parameters and signal parameters, parsed by hand so every error
//! names the parameter at fault.

use serde_json::{Map, Value};

use diorama_sdk::{Millis, HOUR, MINUTE};

/// The most uploads a channel may make in 24 hours.
pub const UPLOAD_LIMIT: u32 = 6;

/// Lifetime views of a video of average quality, as a share of
/// subscribers, when `avg_views` is not given. With log-normal quality the
/// median video gets two thirds of that, and as uploads land in the
/// afternoon, just before the audience's evening peak, most of it within a
/// day: a 120k channel's typical video has ~15k views after a day.
pub const DEFAULT_VIEWS_PER_SUBSCRIBER: f64 = 0.18;

/// The account parameters, resolved.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Params {
    pub subscribers: u64,
    pub uploads_per_day: f64,
    /// Expected lifetime views of a video of average quality.
    pub avg_views: f64,
    /// Comments per view.
    pub comment_rate: f64,
    /// Likes per view.
    pub like_rate: f64,
}

pub const DEFAULT_SUBSCRIBERS: u64 = 100_000;
pub const DEFAULT_UPLOADS_PER_DAY: f64 = 3.0;
pub const DEFAULT_COMMENT_RATE: f64 = 0.005;
pub const DEFAULT_LIKE_RATE: f64 = 0.04;

const KNOWN: &[&str] = &[
    "subscribers",
    "uploads_per_day",
    "avg_views",
    "comment_rate",
    "like_rate",
];

/// The defaults as a JSON object (`avg_views: null` means "derived from
/// subscribers").
pub fn defaults_json() -> String {
    format!(
        "{{\"subscribers\":{DEFAULT_SUBSCRIBERS},\"uploads_per_day\":{DEFAULT_UPLOADS_PER_DAY:?},\"avg_views\":null,\"comment_rate\":{DEFAULT_COMMENT_RATE},\"like_rate\":{DEFAULT_LIKE_RATE}}}"
    )
}

fn object(params: &str, what: &str) -> Result<Map<String, Value>, String> {
    if params.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(params) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(format!("youtube: {what} must be a JSON object")),
        Err(e) => Err(format!("youtube: {what} are not valid JSON: {e}")),
    }
}

fn check_known(map: &Map<String, Value>, known: &[&str], what: &str) -> Result<(), String> {
    for key in map.keys() {
        if !known.contains(&key.as_str()) {
            return Err(format!(
                "youtube: unknown {what} `{key}` (known: {})",
                known.join(", ")
            ));
        }
    }
    Ok(())
}

fn number(map: &Map<String, Value>, key: &str) -> Result<Option<f64>, String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(x) if x.is_finite() => Ok(Some(x)),
            _ => Err(format!(
                "youtube: `{key}` must be a finite number (got {n})"
            )),
        },
        Some(other) => Err(format!("youtube: `{key}` must be a number (got {other})")),
    }
}

impl Params {
    /// Parse the account's `params` JSON object.
    pub fn parse(params: &str) -> Result<Params, String> {
        let map = object(params, "params")?;
        check_known(&map, KNOWN, "parameter")?;
        let subscribers = match map.get("subscribers") {
            None | Some(Value::Null) => DEFAULT_SUBSCRIBERS,
            Some(Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
                (Some(v), _) => v,
                (None, Some(f)) if f >= 0.0 && f.fract() == 0.0 && f < 1e15 => f as u64,
                _ => {
                    return Err(format!(
                        "youtube: `subscribers` must be a whole number ≥ 0 (got {n})"
                    ))
                }
            },
            Some(other) => {
                return Err(format!(
                    "youtube: `subscribers` must be a whole number ≥ 0 (got {other})"
                ))
            }
        };
        let uploads_per_day = number(&map, "uploads_per_day")?.unwrap_or(DEFAULT_UPLOADS_PER_DAY);
        if !(0.0..=UPLOAD_LIMIT as f64).contains(&uploads_per_day) {
            return Err(format!(
                "youtube: `uploads_per_day` must be between 0 and {UPLOAD_LIMIT} (the upload limit), got {uploads_per_day}"
            ));
        }
        let avg_views = match number(&map, "avg_views")? {
            Some(v) if v > 0.0 => v,
            Some(v) => return Err(format!("youtube: `avg_views` must be > 0 (got {v})")),
            None => (subscribers as f64 * DEFAULT_VIEWS_PER_SUBSCRIBER).max(20.0),
        };
        let comment_rate = number(&map, "comment_rate")?.unwrap_or(DEFAULT_COMMENT_RATE);
        if !(0.0..=1.0).contains(&comment_rate) {
            return Err(format!(
                "youtube: `comment_rate` must be between 0 and 1 comments per view (got {comment_rate})"
            ));
        }
        let like_rate = number(&map, "like_rate")?.unwrap_or(DEFAULT_LIKE_RATE);
        if !(0.0..=1.0).contains(&like_rate) {
            return Err(format!(
                "youtube: `like_rate` must be between 0 and 1 likes per view (got {like_rate})"
            ));
        }
        Ok(Params {
            subscribers,
            uploads_per_day,
            avg_views,
            comment_rate,
            like_rate,
        })
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

impl ViralParams {
    pub fn parse(params: &Value) -> Result<ViralParams, String> {
        let map = match params {
            Value::Object(m) => m.clone(),
            Value::Null => Map::new(),
            _ => return Err("youtube: `viral` parameters must be a JSON object".into()),
        };
        check_known(
            &map,
            &["content_id", "factor", "ramp", "decay"],
            "`viral` parameter",
        )?;
        let content_id = match map.get("content_id") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                return Err(format!(
                    "youtube: `viral` parameter `content_id` must be a string (got {other})"
                ))
            }
        };
        let factor = number(&map, "factor")?.unwrap_or(DEFAULT_VIRAL_FACTOR);
        if !(factor > 1.0 && factor <= 1e6) {
            return Err(format!(
                "youtube: `viral` parameter `factor` must be > 1 (and at most 1000000), got {factor}"
            ));
        }
        let ramp = number(&map, "ramp")?.unwrap_or(DEFAULT_VIRAL_RAMP as f64);
        if !(0.0..=365.0 * 24.0 * HOUR as f64).contains(&ramp) {
            return Err(format!(
                "youtube: `viral` parameter `ramp` must be a duration in ms ≥ 0 (got {ramp})"
            ));
        }
        let decay = number(&map, "decay")?.unwrap_or(DEFAULT_VIRAL_DECAY as f64);
        if !(decay >= 1.0 && decay <= 365.0 * 24.0 * HOUR as f64) {
            return Err(format!(
                "youtube: `viral` parameter `decay` must be a duration in ms > 0 (got {decay})"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_as_params() {
        let p = Params::parse(&defaults_json()).unwrap();
        assert_eq!(p, Params::parse("").unwrap());
        assert_eq!(p.subscribers, 100_000);
        assert_eq!(p.avg_views, 18_000.0);
        assert_eq!(Params::parse("{}").unwrap(), p);
    }

    #[test]
    fn errors_name_the_field() {
        for (json, field) in [
            (r#"{"subscribers": -5}"#, "subscribers"),
            (r#"{"subscribers": "many"}"#, "subscribers"),
            (r#"{"uploads_per_day": 12}"#, "uploads_per_day"),
            (r#"{"avg_views": 0}"#, "avg_views"),
            (r#"{"comment_rate": "x"}"#, "comment_rate"),
            (r#"{"like_rate": 2}"#, "like_rate"),
            (r#"{"subscriber": 5}"#, "subscriber"),
        ] {
            let e = Params::parse(json).unwrap_err();
            assert!(e.contains(&format!("`{field}`")), "{json}: {e}");
        }
        assert!(Params::parse("[1]").unwrap_err().contains("object"));
        assert!(Params::parse("{").unwrap_err().contains("JSON"));
    }

    #[test]
    fn viral_params() {
        let v = ViralParams::parse(&serde_json::json!({})).unwrap();
        assert_eq!((v.factor, v.ramp, v.decay), (10.0, 30 * MINUTE, 8 * HOUR));
        let v = ViralParams::parse(
            &serde_json::json!({"factor": 40, "ramp": 60000, "content_id": "abc"}),
        )
        .unwrap();
        assert_eq!(
            (v.factor, v.ramp, v.content_id.as_deref()),
            (40.0, 60_000, Some("abc"))
        );
        for (j, f) in [
            (serde_json::json!({"factor": 1}), "factor"),
            (serde_json::json!({"ramp": -1}), "ramp"),
            (serde_json::json!({"decay": 0}), "decay"),
            (serde_json::json!({"content_id": 3}), "content_id"),
            (serde_json::json!({"speed": 3}), "speed"),
        ] {
            let e = ViralParams::parse(&j).unwrap_err();
            assert!(e.contains(&format!("`{f}`")), "{e}");
        }
    }
}
