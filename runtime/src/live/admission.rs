//! What one token may make a live profile do: the size of an action's or a
//! signal's parameters, and how many it may send per second. Both are
//! checked before a plugin sees the request, so a refused request costs
//! nothing and stores nothing.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::event::OwnerId;

/// Longest platform name or action kind / signal name, in bytes.
pub const MAX_NAME_BYTES: usize = 64;
/// Most members in `params`.
pub const MAX_PARAMS: usize = 16;
/// Longest member name in `params`, in bytes.
pub const MAX_PARAM_NAME_BYTES: usize = 64;
/// Longest id (a member named `id` or ending in `_id`), in bytes.
pub const MAX_ID_BYTES: usize = 256;
/// Longest other string (a reply's text, a title), in bytes.
pub const MAX_TEXT_BYTES: usize = 16 * 1024;
/// Most bytes of `params` as JSON, all members together.
pub const MAX_PARAMS_BYTES: usize = 32 * 1024;

/// Why an action's or a signal's request is refused before a plugin sees
/// it; the message names the field, its size and the cap.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    #[error("`{field}` must be 1 to {MAX_NAME_BYTES} bytes long, got {len}")]
    NameLength { field: String, len: usize },
    #[error("`params` is not JSON: {0}")]
    NotJson(String),
    #[error("`params` must be a JSON object")]
    NotAnObject,
    #[error("`params` has {0} members, at most {MAX_PARAMS} are allowed")]
    TooManyMembers(usize),
    #[error(
        "a `params` member name is {0} bytes long, at most {MAX_PARAM_NAME_BYTES} are allowed"
    )]
    MemberNameLength(usize),
    #[error("`params.{key}` is {len} bytes long, at most {cap} are allowed")]
    ValueLength { key: String, len: usize, cap: usize },
    #[error("`params` is {0} bytes of JSON, at most {MAX_PARAMS_BYTES} are allowed")]
    TooLarge(usize),
}

fn name(field: &str, v: &str) -> Result<(), ParamsError> {
    if v.is_empty() || v.len() > MAX_NAME_BYTES {
        return Err(ParamsError::NameLength {
            field: field.to_string(),
            len: v.len(),
        });
    }
    Ok(())
}

/// Checks the platform, the action kind (or signal name) and `params`
/// (an object) against the caps above.
pub fn check_request(
    platform: &str,
    kind_field: &str,
    kind: &str,
    params: &Value,
) -> Result<(), ParamsError> {
    name("platform", platform)?;
    name(kind_field, kind)?;
    let Value::Object(map) = params else {
        return Err(ParamsError::NotAnObject);
    };
    if map.len() > MAX_PARAMS {
        return Err(ParamsError::TooManyMembers(map.len()));
    }
    for (key, value) in map {
        if key.len() > MAX_PARAM_NAME_BYTES {
            return Err(ParamsError::MemberNameLength(key.len()));
        }
        let is_id = key == "id" || key.ends_with("_id");
        let cap = if is_id { MAX_ID_BYTES } else { MAX_TEXT_BYTES };
        if let Value::String(s) = value {
            if s.len() > cap {
                return Err(ParamsError::ValueLength {
                    key: key.clone(),
                    len: s.len(),
                    cap,
                });
            }
        }
    }
    let total = params.to_string().len();
    if total > MAX_PARAMS_BYTES {
        return Err(ParamsError::TooLarge(total));
    }
    Ok(())
}

/// Who a request counts against: the admin token or a profile's token.
pub type TokenKey = Option<OwnerId>;

/// A token bucket per token: `rate` requests per second, in bursts of up
/// to `rate` (at least one). The keys are tokens that authenticated, so
/// there are at most as many buckets as profiles plus the admin.
pub struct RateLimiter {
    rate: f64,
    buckets: Mutex<BTreeMap<TokenKey, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(rate: f64) -> RateLimiter {
        RateLimiter {
            rate,
            buckets: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn rate(&self) -> f64 {
        self.rate
    }

    fn burst(&self) -> f64 {
        self.rate.max(1.0)
    }

    /// Takes one request from the token's bucket, or says how long until
    /// one is there.
    pub fn admit(&self, key: TokenKey) -> Result<(), Duration> {
        let now = Instant::now();
        let burst = self.burst();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let (tokens, at) = buckets.entry(key).or_insert((burst, now));
        let refilled = *tokens + now.saturating_duration_since(*at).as_secs_f64() * self.rate;
        *tokens = refilled.min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.rate))
        }
    }

    /// A deleted profile's token is gone.
    pub fn forget(&self, owner: OwnerId) {
        self.buckets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&Some(owner));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_bucket_gives_its_burst_then_waits() {
        let l = RateLimiter::new(5.0);
        for _ in 0..5 {
            assert!(l.admit(Some(1)).is_ok());
        }
        let wait = l.admit(Some(1)).expect_err("the sixth waits");
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(200));
        // Other tokens have their own buckets.
        assert!(l.admit(Some(2)).is_ok());
        assert!(l.admit(None).is_ok());
    }

    #[test]
    fn parameters_are_capped() {
        let ok = json!({"comment_id": "Ugx1", "text": "thanks"});
        assert!(check_request("youtube", "kind", "reply", &ok).is_ok());
        let long_text = json!({"text": "x".repeat(MAX_TEXT_BYTES + 1)});
        assert!(check_request("youtube", "kind", "reply", &long_text).is_err());
        let long_id = json!({"comment_id": "x".repeat(MAX_ID_BYTES + 1)});
        assert!(check_request("youtube", "kind", "reply", &long_id).is_err());
        let many: serde_json::Map<String, Value> = (0..=MAX_PARAMS)
            .map(|i| (format!("p{i}"), json!(1)))
            .collect();
        assert!(check_request("youtube", "kind", "reply", &Value::Object(many)).is_err());
        assert!(check_request(&"y".repeat(65), "kind", "reply", &ok).is_err());
        assert!(check_request("youtube", "kind", "", &ok).is_err());
    }

    #[test]
    fn refusals_read_as_they_always_have() {
        let long = json!({"comment_id": "x".repeat(300)});
        assert_eq!(
            check_request("youtube", "kind", "reply", &long)
                .unwrap_err()
                .to_string(),
            "`params.comment_id` is 300 bytes long, at most 256 are allowed"
        );
        assert_eq!(
            check_request("youtube", "signal", "", &json!({}))
                .unwrap_err()
                .to_string(),
            "`signal` must be 1 to 64 bytes long, got 0"
        );
        assert_eq!(
            check_request("youtube", "kind", "reply", &json!([]))
                .unwrap_err()
                .to_string(),
            "`params` must be a JSON object"
        );
    }
}
