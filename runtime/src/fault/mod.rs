//! Fault injection: the signals of the host's own platform
//! ([`HOST_PLATFORM`], `diorama`) that make a profile's platforms fail the
//! way real ones do, for testing a creator tool's retries and alerts.
//!
//! - `api_errors {rate, status | kind, for, platform?}`: a share of the
//!   requests to the platforms' own APIs is answered with an error: 500,
//!   502, 503, 429 (the platform's rate-limit answer) or `timeout` (the
//!   connection is held, then closed without an answer).
//! - `api_outage {for, platform?}`: every request to the APIs is answered
//!   503, and every creator action (through `/v1`, a script or a native
//!   write) is refused as retryable until the window ends.
//! - `api_slow {ms, rate, for, platform?}`: a share of the requests is
//!   answered `ms` late.
//! - `webhook_outage {for, platform?}`: webhook deliveries of the
//!   profile's events wait for the window to end, then catch up.
//!
//! A fault covers `[start, start + for)` of the profile's virtual time, on
//! one platform or (without `platform`) on all. Its fate for a request is
//! drawn from the profile's seed, the fault's number and the request's
//! number `n` on that platform since the fault started ([`Faults::request`]),
//! never from wall time: the same signals and the same requests give the
//! same answers.
//!
//! What a fault does shows as notices on platform `diorama`
//! ([`Note`]): `fault_started` when sent, `fault_ended` at its end, and
//! `fault_injected` for an injected error, noted for the first
//! [`MAX_NOTED`] of each fault (the last says that later ones are not
//! noted), so a storm of errors cannot flood the event log.
//!
//! The module depends on [`crate::event`] only; the engine keeps one
//! [`Faults`] per profile and the server's native API and webhooks ask it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::event::time::{format_duration, format_instant};
use crate::event::{Millis, HOST_PLATFORM};

/// The shortest and longest fault window (`for`), in ms of virtual time.
pub const MIN_FOR: Millis = 1_000;
pub const MAX_FOR: Millis = 7 * 24 * 3_600_000;
/// The longest delay of `api_slow`, in ms (a request is held that long).
pub const MAX_SLOW_MS: u64 = 30_000;
/// How long a `timeout` holds the connection before closing it, in ms.
pub const TIMEOUT_HOLD_MS: u64 = 10_000;
/// The most faults active on a profile at once.
pub const MAX_ACTIVE: usize = 16;
/// The injected errors of one fault noted each as an event.
pub const MAX_NOTED: u32 = 10;
/// The statuses `api_errors` may inject.
pub const STATUSES: [u16; 4] = [500, 502, 503, 429];
/// The names `api_errors` accepts as `kind`, with their status (0: a
/// timeout).
pub const KINDS: [(&str, u16); 5] = [
    ("server_error", 500),
    ("bad_gateway", 502),
    ("unavailable", 503),
    ("rate_limited", 429),
    ("timeout", 0),
];

/// A fault signal that cannot be applied: the caller's mistake.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FaultError {
    #[error("{HOST_PLATFORM} has no signal `{0}` (its signals: api_errors, api_outage, api_slow, webhook_outage)")]
    UnknownSignal(String),
    #[error("{HOST_PLATFORM}: `{signal}` parameters must be an object (got {got})")]
    NotAnObject { signal: String, got: String },
    #[error("{HOST_PLATFORM}: `{signal}` has no parameter `{key}` (its parameters: {known})")]
    UnknownParam {
        signal: String,
        key: String,
        known: String,
    },
    #[error("{HOST_PLATFORM}: `{signal}` parameter `{key}` {why}")]
    Range {
        signal: String,
        key: String,
        why: String,
    },
    #[error("{HOST_PLATFORM}: `{signal}` names platform `{platform}`, which the profile has no account on (it has: {have})")]
    NoPlatform {
        signal: String,
        platform: String,
        have: String,
    },
    #[error("{HOST_PLATFORM}: at most {MAX_ACTIVE} faults are active on a profile at once")]
    TooMany,
}

/// What `api_errors` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Injected {
    /// An error status: 500, 502, 503 or 429.
    Status(u16),
    /// The connection is held for [`TIMEOUT_HOLD_MS`], then closed.
    Timeout,
}

impl Injected {
    fn describe(self) -> String {
        match self {
            Injected::Status(s) => s.to_string(),
            Injected::Timeout => "timeout".into(),
        }
    }
}

/// One kind of fault and its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    ApiErrors { rate: f64, error: Injected },
    ApiOutage,
    ApiSlow { ms: u64, rate: f64 },
    WebhookOutage,
}

impl Kind {
    fn name(&self) -> &'static str {
        match self {
            Kind::ApiErrors { .. } => "api_errors",
            Kind::ApiOutage => "api_outage",
            Kind::ApiSlow { .. } => "api_slow",
            Kind::WebhookOutage => "webhook_outage",
        }
    }
}

/// A fault sent to a profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    /// Numbered from 1 per profile, in the order sent.
    pub number: u64,
    pub kind: Kind,
    /// `None`: every platform of the profile.
    pub platform: Option<String>,
    pub start: Millis,
    pub end: Millis,
    /// Requests drawn so far, per platform: the `n` of the next one.
    requests: BTreeMap<String, u64>,
    /// Injected errors noted as events so far.
    noted: u32,
}

impl Fault {
    fn covers(&self, platform: &str, at: Millis) -> bool {
        self.start <= at && at < self.end && self.platform.as_deref().is_none_or(|p| p == platform)
    }

    fn what(&self) -> String {
        let on = match &self.platform {
            Some(p) => format!("on {p}"),
            None => "on every platform".into(),
        };
        let detail = match &self.kind {
            Kind::ApiErrors { rate, error } => {
                format!(
                    " ({} of requests answered {})",
                    percent(*rate),
                    error.describe()
                )
            }
            Kind::ApiSlow { ms, rate } => format!(" ({} of requests {ms} ms late)", percent(*rate)),
            Kind::ApiOutage | Kind::WebhookOutage => String::new(),
        };
        format!("fault {} {} {on}{detail}", self.number, self.kind.name())
    }
}

fn percent(rate: f64) -> String {
    let p = (rate * 1000.0).round() / 10.0;
    format!("{p}%")
}

/// A notice the host stores on platform `diorama`: (at, code, message).
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub at: Millis,
    pub code: &'static str,
    pub message: String,
}

/// What happens to one request to a platform's own API.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fate {
    /// Answer late by this many ms (at most [`MAX_SLOW_MS`]).
    pub delay_ms: u64,
    /// Answer with this error instead of the platform's answer.
    pub error: Option<Injected>,
    /// The outage's end, when the error is an outage's.
    pub outage_end: Option<Millis>,
    /// The notice to store for it, if it is still noted.
    pub note: Option<Note>,
}

/// Why the platform refuses an action during an outage: retry at `end`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{platform} is unavailable (a simulated outage, fault {number}) until {}; retry in {}", format_instant(*end), format_duration(*end - *at))]
pub struct Unavailable {
    pub platform: String,
    pub number: u64,
    pub at: Millis,
    pub end: Millis,
}

impl Unavailable {
    /// Virtual ms until the outage ends (at least 1).
    pub fn retry_after(&self) -> Millis {
        (self.end - self.at).max(1)
    }
}

/// The faults of one profile: those active or still to end.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Faults {
    seed: u64,
    /// The number of the last fault sent.
    sent: u64,
    /// Sorted by number; a fault leaves once its end is noted.
    faults: Vec<Fault>,
}

impl Faults {
    pub fn new(seed: u64) -> Self {
        Faults {
            seed,
            sent: 0,
            faults: Vec::new(),
        }
    }

    /// Whether any fault was ever sent (its state is then worth keeping).
    pub fn ever_sent(&self) -> bool {
        self.sent > 0
    }

    /// The faults not ended yet.
    pub fn active(&self) -> &[Fault] {
        &self.faults
    }

    /// Apply signal `name` with `params` at `now`, on a profile with
    /// accounts on `platforms`: the `fault_started` notice.
    pub fn signal(
        &mut self,
        now: Millis,
        name: &str,
        params: &Value,
        platforms: &[&str],
    ) -> Result<Note, FaultError> {
        let (kind, platform, duration) = parse(name, params, platforms)?;
        if self.faults.len() >= MAX_ACTIVE {
            return Err(FaultError::TooMany);
        }
        self.sent += 1;
        let fault = Fault {
            number: self.sent,
            kind,
            platform,
            start: now,
            end: now.saturating_add(duration),
            requests: BTreeMap::new(),
            noted: 0,
        };
        let note = Note {
            at: now,
            code: "fault_started",
            message: format!(
                "{} from {} for {} (until {})",
                fault.what(),
                format_instant(fault.start),
                format_duration(duration),
                format_instant(fault.end)
            ),
        };
        self.faults.push(fault);
        Ok(note)
    }

    /// The faults that end before `to`, removed, as `fault_ended` notices
    /// in order of time (then number).
    pub fn ended_before(&mut self, to: Millis) -> Vec<Note> {
        let mut ended: Vec<Fault> = Vec::new();
        self.faults.retain(|f| {
            if f.end < to {
                ended.push(f.clone());
                false
            } else {
                true
            }
        });
        ended.sort_by_key(|f| (f.end, f.number));
        ended
            .into_iter()
            .map(|f| Note {
                at: f.end,
                code: "fault_ended",
                message: format!("{} ended", f.what()),
            })
            .collect()
    }

    /// The outage refusing actions on `platform` at `now`, if any (the
    /// one ending last).
    pub fn outage(&self, platform: &str, now: Millis) -> Option<Unavailable> {
        self.faults
            .iter()
            .filter(|f| matches!(f.kind, Kind::ApiOutage) && f.covers(platform, now))
            .max_by_key(|f| (f.end, f.number))
            .map(|f| Unavailable {
                platform: platform.to_string(),
                number: f.number,
                at: now,
                end: f.end,
            })
    }

    /// The end of the webhook outage on `platform` at `at`, if any.
    pub fn webhooks_paused(&self, platform: &str, at: Millis) -> Option<Millis> {
        self.faults
            .iter()
            .filter(|f| matches!(f.kind, Kind::WebhookOutage) && f.covers(platform, at))
            .map(|f| f.end)
            .max()
    }

    /// The fate of the next request to `platform`'s own API at `now`
    /// (`what` names it in a notice: `GET /path`). Each `api_errors` and
    /// `api_slow` fault covering it counts the request and draws its fate
    /// from the seed, the fault's number and the request's number.
    pub fn request(&mut self, platform: &str, now: Millis, what: &str) -> Fate {
        let mut fate = Fate::default();
        if let Some(u) = self.outage(platform, now) {
            fate.error = Some(Injected::Status(503));
            fate.outage_end = Some(u.end);
            let fault = self.faults.iter_mut().find(|f| f.number == u.number);
            if let Some(f) = fault {
                fate.note = note_for(f, platform, now, what, "503 (outage)");
            }
            return fate;
        }
        let seed = self.seed;
        for f in self.faults.iter_mut().filter(|f| f.covers(platform, now)) {
            let n = f.requests.entry(platform.to_string()).or_insert(0);
            let draw = unit(seed, f.number, platform, *n);
            *n += 1;
            match f.kind {
                Kind::ApiErrors { rate, error } if fate.error.is_none() && draw < rate => {
                    fate.error = Some(error);
                    fate.note = note_for(f, platform, now, what, &error.describe());
                }
                Kind::ApiSlow { ms, rate } if draw < rate => {
                    fate.delay_ms = fate.delay_ms.max(ms).min(MAX_SLOW_MS);
                }
                _ => {}
            }
        }
        fate
    }
}

/// The notice of an injected error, while the fault notes them.
fn note_for(f: &mut Fault, platform: &str, now: Millis, what: &str, answer: &str) -> Option<Note> {
    if f.noted >= MAX_NOTED {
        return None;
    }
    f.noted += 1;
    let tail = if f.noted == MAX_NOTED {
        format!("; the {MAX_NOTED}th noted, later ones are not")
    } else {
        String::new()
    };
    Some(Note {
        at: now,
        code: "fault_injected",
        message: format!(
            "{platform}: {} answered {answer} by fault {}{tail}",
            truncate(what, 200),
            f.number
        ),
    })
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A number in [0, 1) from (seed, fault, platform, n): SplitMix64 over
/// their mix, so a request's fate depends on nothing else.
fn unit(seed: u64, fault: u64, platform: &str, n: u64) -> f64 {
    let mut x = seed
        ^ fault.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ fnv1a(platform.as_bytes()).rotate_left(17)
        ^ n.wrapping_mul(0xD1B5_4A32_D192_ED03);
    for _ in 0..2 {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
    }
    (x >> 11) as f64 / (1u64 << 53) as f64
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The parameters each signal takes.
/// A parameter of a fault signal, as `GET /v1/platforms` lists it (the
/// shape of a platform's own parameters). The ranges are the constants
/// [`parse`] checks.
struct ParamDoc {
    name: &'static str,
    /// `count`, `number` or `choice`.
    kind: &'static str,
    min: Option<f64>,
    max: Option<f64>,
    choices: &'static [&'static str],
    default: Option<f64>,
    description: &'static str,
}

const FOR_DOC: ParamDoc = ParamDoc {
    name: "for",
    kind: "count",
    min: Some(MIN_FOR as f64),
    max: Some(MAX_FOR as f64),
    choices: &[],
    default: None,
    description: "required: the window's length in ms of virtual time (1 s to 7 days); `duration` is the same",
};
const PLATFORM_DOC: ParamDoc = ParamDoc {
    name: "platform",
    kind: "choice",
    min: None,
    max: None,
    choices: &[],
    default: None,
    description: "one of the profile's platforms; every platform when left out",
};
const fn rate_doc(default: f64, description: &'static str) -> ParamDoc {
    ParamDoc {
        name: "rate",
        kind: "number",
        min: Some(0.0),
        max: Some(1.0),
        choices: &[],
        default: Some(default),
        description,
    }
}

/// Each signal of platform `diorama`: its name, what it does, and its
/// parameters.
const SIGNAL_DOCS: [(&str, &str, &[ParamDoc]); 4] = [
    (
        "api_errors",
        "a share of the requests to the platforms' own APIs is answered with an error in the platform's shape, for the window",
        &[
            rate_doc(0.1, "the share of requests answered with the error"),
            ParamDoc {
                name: "status",
                kind: "choice",
                min: None,
                max: None,
                choices: &["500", "502", "503", "429"],
                default: None,
                description: "the status of the error (503 when neither `status` nor `kind` is given)",
            },
            ParamDoc {
                name: "kind",
                kind: "choice",
                min: None,
                max: None,
                choices: &["server_error", "bad_gateway", "unavailable", "rate_limited", "timeout"],
                default: None,
                description: "the error by name instead of `status`; `timeout` holds the connection, then closes it without an answer",
            },
            FOR_DOC,
            PLATFORM_DOC,
        ],
    ),
    (
        "api_outage",
        "every request to the platforms' APIs is answered 503 and every creator action is refused as retryable, for the window",
        &[FOR_DOC, PLATFORM_DOC],
    ),
    (
        "api_slow",
        "a share of the requests to the platforms' APIs is answered late, for the window",
        &[
            ParamDoc {
                name: "ms",
                kind: "count",
                min: Some(1.0),
                max: Some(MAX_SLOW_MS as f64),
                choices: &[],
                default: None,
                description: "required: the delay in ms",
            },
            rate_doc(1.0, "the share of requests answered late"),
            FOR_DOC,
            PLATFORM_DOC,
        ],
    ),
    (
        "webhook_outage",
        "webhook deliveries of the profile's events wait for the window to end, then catch up",
        &[FOR_DOC, PLATFORM_DOC],
    ),
];

/// The signals of platform `diorama` as `GET /v1/platforms` lists them
/// under `host`: name, description and parameters with their ranges.
pub fn catalogue() -> Value {
    let signals: Vec<Value> = SIGNAL_DOCS
        .iter()
        .map(|(name, description, params)| {
            let params: Vec<Value> = params
                .iter()
                .map(|p| {
                    // A count's bounds are whole numbers.
                    let bound = |b: Option<f64>| match b {
                        Some(v) if p.kind == "count" => Value::from(v as i64),
                        other => serde_json::json!(other),
                    };
                    serde_json::json!({
                        "name": p.name,
                        "kind": p.kind,
                        "default": p.default,
                        "min": bound(p.min),
                        "max": bound(p.max),
                        "choices": p.choices,
                        "description": p.description,
                    })
                })
                .collect();
            serde_json::json!({
                "name": name,
                "description": description,
                "on_content": false,
                "params": params,
            })
        })
        .collect();
    serde_json::json!({
        "platform": HOST_PLATFORM,
        "signals": signals,
        "max_active": MAX_ACTIVE,
    })
}

/// The parameters signal `name` accepts (`duration` beside `for`), or
/// `None` when platform `diorama` has no such signal.
fn known(name: &str) -> Option<Vec<&'static str>> {
    let (_, _, params) = SIGNAL_DOCS.iter().find(|(n, _, _)| *n == name)?;
    let mut keys: Vec<&'static str> = params.iter().map(|p| p.name).collect();
    keys.push("duration");
    Some(keys)
}

/// Read and range-check a signal's parameters.
fn parse(
    name: &str,
    params: &Value,
    platforms: &[&str],
) -> Result<(Kind, Option<String>, Millis), FaultError> {
    let Some(keys) = known(name) else {
        return Err(FaultError::UnknownSignal(name.to_string()));
    };
    let empty = serde_json::Map::new();
    let map = match params {
        Value::Object(m) => m,
        Value::Null => &empty,
        other => {
            return Err(FaultError::NotAnObject {
                signal: name.into(),
                got: other.to_string(),
            })
        }
    };
    if let Some(key) = map.keys().find(|k| !keys.contains(&k.as_str())) {
        return Err(FaultError::UnknownParam {
            signal: name.into(),
            key: key.clone(),
            known: keys.join(", "),
        });
    }
    let range = |key: &str, why: String| FaultError::Range {
        signal: name.into(),
        key: key.into(),
        why,
    };
    // `duration` is the same as `for` (a keyword in Rhai, where the key is
    // written `"for"`), as the platforms' own signals call it.
    let duration = match (map.get("for"), map.get("duration")) {
        (Some(_), Some(_)) => {
            return Err(range("for", "and `duration` are the same; give one".into()))
        }
        (a, b) => a.or(b),
    };
    let duration = match duration {
        None => return Err(range("for", "is required: the window's length in ms".into())),
        Some(v) => match v.as_i64() {
            Some(ms) if (MIN_FOR..=MAX_FOR).contains(&ms) => ms,
            _ => {
                return Err(range(
                    "for",
                    format!("must be a whole number of ms in {MIN_FOR}..={MAX_FOR} (1 s to 7 days; got {v})"),
                ))
            }
        },
    };
    let platform = match map.get("platform") {
        None => None,
        Some(Value::String(p)) if platforms.contains(&p.as_str()) => Some(p.clone()),
        Some(Value::String(p)) => {
            return Err(FaultError::NoPlatform {
                signal: name.into(),
                platform: p.clone(),
                have: platforms.join(", "),
            })
        }
        Some(v) => {
            return Err(range(
                "platform",
                format!("must be a platform's name (got {v})"),
            ))
        }
    };
    let rate = |default: f64| -> Result<f64, FaultError> {
        match map.get("rate") {
            None => Ok(default),
            Some(v) => match v.as_f64() {
                Some(r) if (0.0..=1.0).contains(&r) => Ok(r),
                _ => Err(range(
                    "rate",
                    format!("must be a number in 0..=1 (got {v})"),
                )),
            },
        }
    };
    let kind = match name {
        "api_errors" => {
            let error = match (map.get("status"), map.get("kind")) {
                (Some(_), Some(_)) => {
                    return Err(range("kind", "and `status` cannot both be given".into()))
                }
                (Some(v), None) => match v.as_u64() {
                    Some(s) if STATUSES.contains(&(s as u16)) && s < 1000 => {
                        Injected::Status(s as u16)
                    }
                    _ => {
                        return Err(range(
                            "status",
                            format!("must be one of 500, 502, 503, 429 (got {v})"),
                        ))
                    }
                },
                (None, Some(v)) => match KINDS.iter().find(|(k, _)| v.as_str() == Some(k)) {
                    Some((_, 0)) => Injected::Timeout,
                    Some((_, s)) => Injected::Status(*s),
                    None => {
                        let names: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
                        return Err(range(
                            "kind",
                            format!("must be one of {} (got {v})", names.join(", ")),
                        ));
                    }
                },
                (None, None) => Injected::Status(503),
            };
            Kind::ApiErrors {
                rate: rate(0.1)?,
                error,
            }
        }
        "api_slow" => {
            let ms = match map.get("ms") {
                None => return Err(range("ms", "is required: the delay in ms".into())),
                Some(v) => match v.as_u64() {
                    Some(ms) if (1..=MAX_SLOW_MS).contains(&ms) => ms,
                    _ => {
                        return Err(range(
                            "ms",
                            format!("must be a whole number of ms in 1..={MAX_SLOW_MS} (got {v})"),
                        ))
                    }
                },
            };
            Kind::ApiSlow {
                ms,
                rate: rate(1.0)?,
            }
        }
        "api_outage" => Kind::ApiOutage,
        _ => Kind::WebhookOutage,
    };
    Ok((kind, platform, duration))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const P: &[&str] = &["instagram", "youtube"];

    #[test]
    fn the_catalogue_lists_what_parse_checks() {
        let c = catalogue();
        assert_eq!(c["platform"], HOST_PLATFORM);
        let signals = c["signals"].as_array().unwrap();
        let names: Vec<&str> = signals
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["api_errors", "api_outage", "api_slow", "webhook_outage"]
        );
        let status = &signals[0]["params"][1];
        let statuses: Vec<String> = STATUSES.iter().map(|s| s.to_string()).collect();
        assert_eq!(status["choices"], json!(statuses));
        let kinds: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
        assert_eq!(signals[0]["params"][2]["choices"], json!(kinds));
        for s in signals {
            let name = s["name"].as_str().unwrap();
            let params = s["params"].as_array().unwrap();
            // The smallest valid request, from the listed ranges.
            let mut base = serde_json::Map::new();
            for p in params {
                if p["description"].as_str().unwrap().starts_with("required") {
                    base.insert(p["name"].as_str().unwrap().into(), p["min"].clone());
                }
            }
            let base_ok = parse(name, &Value::Object(base.clone()), P);
            assert!(base_ok.is_ok(), "{name} {base:?}: {base_ok:?}");
            // Each listed bound is accepted, and one past it refused,
            // naming the parameter.
            for p in params.iter().filter(|p| p["max"].is_number()) {
                let key = p["name"].as_str().unwrap();
                let (min, max) = (p["min"].as_f64().unwrap(), p["max"].as_f64().unwrap());
                let whole = p["kind"] == "count";
                let step = if whole { 1.0 } else { 0.01 };
                for (v, ok) in [
                    (min, true),
                    (max, true),
                    (min - step, false),
                    (max + step, false),
                ] {
                    let mut m = base.clone();
                    m.insert(key.into(), if whole { json!(v as i64) } else { json!(v) });
                    let got = parse(name, &Value::Object(m), P);
                    assert_eq!(got.is_ok(), ok, "{name}.{key} = {v}: {got:?}");
                    if let Err(e) = got {
                        assert!(e.to_string().contains(&format!("`{key}`")), "{e}");
                    }
                }
            }
            // A parameter it does not list is refused.
            let mut m = base.clone();
            m.insert("bogus".into(), json!(1));
            assert!(matches!(
                parse(name, &Value::Object(m), P),
                Err(FaultError::UnknownParam { .. })
            ));
        }
    }

    #[test]
    fn every_number_is_ranged() {
        let mut f = Faults::new(1);
        for (name, params) in [
            ("api_errors", json!({"for": 60000, "rate": 1.5})),
            ("api_errors", json!({"for": 60000, "rate": -0.1})),
            ("api_errors", json!({"for": 60000, "status": 404})),
            ("api_errors", json!({"for": 60000, "kind": "teapot"})),
            (
                "api_errors",
                json!({"for": 60000, "kind": "timeout", "status": 500}),
            ),
            ("api_outage", json!({"for": 999})),
            ("api_outage", json!({"for": MAX_FOR + 1})),
            ("api_outage", json!({})),
            ("api_slow", json!({"for": 60000, "ms": 0})),
            ("api_slow", json!({"for": 60000, "ms": MAX_SLOW_MS + 1})),
            ("api_slow", json!({"for": 60000})),
            (
                "webhook_outage",
                json!({"for": 60000, "platform": "tiktok"}),
            ),
            ("webhook_outage", json!({"for": 60000, "size": 3})),
            ("outage", json!({"for": 60000})),
        ] {
            assert!(f.signal(0, name, &params, P).is_err(), "{name} {params}");
        }
        assert!(!f.ever_sent());
        for _ in 0..MAX_ACTIVE {
            f.signal(0, "api_outage", &json!({"for": 60000}), P)
                .unwrap();
        }
        assert_eq!(
            f.signal(0, "api_outage", &json!({"for": 60000}), P),
            Err(FaultError::TooMany)
        );
    }

    #[test]
    fn an_outage_refuses_its_platform_for_its_window_then_ends() {
        let mut f = Faults::new(7);
        let n = f
            .signal(
                1_000,
                "api_outage",
                &json!({"for": 60_000, "platform": "youtube"}),
                P,
            )
            .unwrap();
        assert_eq!(n.code, "fault_started");
        assert!(f.outage("instagram", 2_000).is_none());
        let u = f.outage("youtube", 2_000).unwrap();
        assert_eq!(u.retry_after(), 59_000);
        assert!(f.outage("youtube", 61_000).is_none());
        assert!(f.ended_before(61_000).is_empty());
        let ended = f.ended_before(61_001);
        assert_eq!(ended.len(), 1);
        assert_eq!((ended[0].at, ended[0].code), (61_000, "fault_ended"));
        assert!(f.active().is_empty());
    }

    #[test]
    fn error_fates_follow_the_rate_and_the_seed_only() {
        let run = |seed| {
            let mut f = Faults::new(seed);
            f.signal(0, "api_errors", &json!({"for": 60_000, "rate": 0.5}), P)
                .unwrap();
            (0..2000)
                .map(|_| f.request("youtube", 10, "GET /").error.is_some())
                .collect::<Vec<bool>>()
        };
        let a = run(3);
        let share = a.iter().filter(|x| **x).count() as f64 / a.len() as f64;
        assert!((0.45..0.55).contains(&share), "{share}");
        assert_eq!(a, run(3));
        assert_ne!(a, run(4));
    }

    #[test]
    fn injected_errors_are_noted_up_to_the_cap() {
        let mut f = Faults::new(1);
        f.signal(
            0,
            "api_errors",
            &json!({"for": 60_000, "rate": 1.0, "kind": "timeout"}),
            P,
        )
        .unwrap();
        let notes: Vec<Note> = (0..100)
            .filter_map(|_| f.request("youtube", 5, "GET /x").note)
            .collect();
        assert_eq!(notes.len(), MAX_NOTED as usize);
        assert!(notes[9].message.contains("later ones are not"));
        assert_eq!(
            f.request("youtube", 5, "GET /x").error,
            Some(Injected::Timeout)
        );
    }

    #[test]
    fn slow_and_webhook_faults_answer_their_window() {
        let mut f = Faults::new(1);
        f.signal(0, "api_slow", &json!({"for": 10_000, "ms": 250}), P)
            .unwrap();
        f.signal(0, "webhook_outage", &json!({"for": 10_000}), P)
            .unwrap();
        assert_eq!(f.request("youtube", 5, "GET /").delay_ms, 250);
        assert_eq!(f.request("youtube", 10_000, "GET /").delay_ms, 0);
        assert_eq!(f.webhooks_paused("instagram", 9_999), Some(10_000));
        assert_eq!(f.webhooks_paused("instagram", 10_000), None);
    }
}
