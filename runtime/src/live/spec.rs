//! What a demo host asks for when creating a profile, checked and turned
//! into the engine's [`ProfileSpec`].
//!
//! Two ways: *automatic* — a niche and an audience size, on the listed
//! platforms (all built-in ones by default); or *manual* — per platform,
//! either in a shared vocabulary (`audience`, `avg_views`,
//! `engagement_rate`, `upload_frequency`, `comment_volume`,
//! `dm_frequency`) or in the plugin's own parameter names. The plugin checks
//! the result and names any parameter it does not know.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::pace::{self, RangeError};
use crate::engine::ProfileSpec;
use crate::plugin::PluginHost;

/// Why a create or patch request cannot make a profile; the message names
/// the field and what was given.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SpecError {
    #[error(transparent)]
    Range(#[from] RangeError),
    #[error("`name` must be 1–64 letters, digits, `-`, `_` or `.`, got {0:?}")]
    Name(String),
    #[error("`timezone`: {0}")]
    Timezone(String),
    #[error("unknown platform `{name}` (available: {})", available.join(", "))]
    UnknownPlatform {
        name: String,
        available: Vec<String>,
    },
    #[error("`platforms` lists no platform")]
    NoPlatformListed,
    #[error("`platforms` names no platform")]
    NoPlatformNamed,
    #[error("`platforms` must list platform names, found {0}")]
    NotAPlatformName(Value),
    #[error("`platforms.{0}` must be an object of options, e.g. {{\"audience\": 100000}}")]
    OptionsNotAnObject(String),
    #[error("`platforms` must be a list of names or an object of options per platform, not {0}")]
    PlatformsShape(Value),
    #[error(
        "`platforms.{platform}.{key}` must be a whole number between 0 and {max}, got {value}"
    )]
    Count {
        platform: String,
        key: String,
        max: u64,
        value: Value,
    },
    #[error("`platforms.{platform}.{key}`: {platform} has no {key}")]
    NotOnPlatform { platform: String, key: String },
    #[error("`expires_at` must be an RFC 3339 time or null, not {0}")]
    ExpiresAt(Value),
}

/// The body of `POST /v1/profiles`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateProfile {
    pub name: Option<String>,
    pub niche: Option<String>,
    /// The audience of the main platform; the others get a share of it.
    pub size: Option<u64>,
    pub timezone: Option<String>,
    /// A list of platform names (automatic) or a map of platform → options.
    pub platforms: Option<Value>,
    pub seed: Option<u64>,
    /// Virtual time at creation (RFC 3339); the wall clock by default.
    pub start: Option<String>,
    /// Start the live simulation right away at this speed.
    pub speed: Option<f64>,
    #[serde(default)]
    pub limits: DailyLimits,
    /// Wall-clock end of the profile (RFC 3339).
    pub expires_at: Option<String>,
    /// Delete the profile after this many seconds without any request.
    pub inactivity_ttl_s: Option<u64>,
}

/// A profile's limits per virtual day (`limits` in the API).
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DailyLimits {
    /// Interactions per virtual day before the profile pauses itself.
    pub interactions_per_day: Option<u64>,
}

/// The body of `PATCH /v1/profiles/{id}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateProfile {
    pub name: Option<String>,
    pub limits: Option<DailyLimits>,
    /// RFC 3339, or `null` to clear.
    #[serde(default, deserialize_with = "some_value")]
    pub expires_at: Option<Value>,
    pub inactivity_ttl_s: Option<u64>,
    pub platforms: Option<Value>,
    pub niche: Option<String>,
    pub timezone: Option<String>,
    pub seed: Option<u64>,
}

fn some_value<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// Share of the main audience each platform gets in automatic mode.
const AUDIENCE_SHARE: &[(&str, f64)] = &[("youtube", 1.0), ("instagram", 0.6), ("tiktok", 0.8)];

/// The shared vocabulary → each built-in platform's own parameter.
const VOCABULARY: &[(&str, &[(&str, &str)])] = &[
    (
        "audience",
        &[
            ("youtube", "subscribers"),
            ("instagram", "followers"),
            ("tiktok", "followers"),
        ],
    ),
    (
        "avg_views",
        &[("youtube", "avg_views"), ("tiktok", "avg_views")],
    ),
    (
        "engagement_rate",
        &[
            ("youtube", "like_rate"),
            ("instagram", "like_rate"),
            ("tiktok", "like_rate"),
        ],
    ),
    (
        "upload_frequency",
        &[
            ("youtube", "uploads_per_day"),
            ("instagram", "posts_per_day"),
            ("tiktok", "videos_per_day"),
        ],
    ),
];

/// The names a profile may have: letters, digits, `-`, `_`, `.`, 1–64.
pub fn check_name(name: &str) -> Result<(), SpecError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(SpecError::Name(name.to_string()))
    }
}

/// Checks every number of a create request against its range (and the
/// times against theirs) before anything is allocated or stored.
pub fn check_ranges(req: &CreateProfile, max_speed: f64) -> Result<(), RangeError> {
    if let Some(speed) = req.speed {
        pace::check_speed(speed, max_speed)?;
    }
    if let Some(size) = req.size {
        pace::within("size", size, pace::SIZE)?;
    }
    if let Some(ttl) = req.inactivity_ttl_s {
        pace::within("inactivity_ttl_s", ttl, pace::INACTIVITY_TTL_S)?;
    }
    if let Some(n) = req.limits.interactions_per_day {
        pace::within("limits.interactions_per_day", n, pace::INTERACTIONS_PER_DAY)?;
    }
    for (field, text) in [("start", &req.start), ("expires_at", &req.expires_at)] {
        if let Some(t) = text {
            pace::parse_instant_within(field, t)?;
        }
    }
    Ok(())
}

/// Build the engine's spec. `default_name` is used when none is given.
pub fn profile_spec(
    req: &CreateProfile,
    host: &PluginHost,
    default_name: &str,
) -> Result<ProfileSpec, SpecError> {
    let name = req.name.clone().unwrap_or_else(|| default_name.to_string());
    check_name(&name)?;
    let niche = req.niche.clone().unwrap_or_else(|| "tech".to_string());
    let timezone = req.timezone.clone().unwrap_or_else(|| "UTC".to_string());
    diorama_sdk::models::time::parse_tz(&timezone).map_err(SpecError::Timezone)?;
    let platforms = platforms(req.platforms.as_ref(), req.size, host)?;
    Ok(ProfileSpec {
        name,
        niche,
        timezone,
        platforms,
    })
}

fn available(host: &PluginHost) -> Vec<String> {
    host.plugins().iter().map(|p| p.info.name.clone()).collect()
}

fn known_platform(host: &PluginHost, name: &str) -> Result<(), SpecError> {
    if host.get(name).is_some() {
        Ok(())
    } else {
        Err(SpecError::UnknownPlatform {
            name: name.to_string(),
            available: available(host),
        })
    }
}

fn audience_for(platform: &str, size: u64) -> u64 {
    let share = AUDIENCE_SHARE
        .iter()
        .find(|(p, _)| *p == platform)
        .map_or(1.0, |(_, s)| *s);
    (size as f64 * share).round() as u64
}

fn platforms(
    given: Option<&Value>,
    size: Option<u64>,
    host: &PluginHost,
) -> Result<BTreeMap<String, Value>, SpecError> {
    if let Some(size) = size {
        pace::within("size", size, pace::SIZE)?;
    }
    let mut out = BTreeMap::new();
    match given {
        None | Some(Value::Null) => {
            for name in available(host) {
                out.insert(name.clone(), automatic(&name, size));
            }
        }
        Some(Value::Array(list)) => {
            if list.is_empty() {
                return Err(SpecError::NoPlatformListed);
            }
            for item in list {
                let Value::String(name) = item else {
                    return Err(SpecError::NotAPlatformName(item.clone()));
                };
                known_platform(host, name)?;
                out.insert(name.clone(), automatic(name, size));
            }
        }
        Some(Value::Object(map)) => {
            if map.is_empty() {
                return Err(SpecError::NoPlatformNamed);
            }
            for (name, options) in map {
                known_platform(host, name)?;
                let Value::Object(options) = options else {
                    return Err(SpecError::OptionsNotAnObject(name.clone()));
                };
                let mut params = match automatic(name, size) {
                    Value::Object(m) => m,
                    _ => Map::new(),
                };
                for (key, value) in options {
                    let own = translate(name, key)?;
                    check_count(name, key, &own, value)?;
                    params.insert(own, value.clone());
                }
                out.insert(name.clone(), Value::Object(params));
            }
        }
        Some(other) => return Err(SpecError::PlatformsShape(other.clone())),
    }
    Ok(out)
}

fn automatic(platform: &str, size: Option<u64>) -> Value {
    let mut m = Map::new();
    if let Some(size) = size {
        if let Some((_, own)) = VOCABULARY[0].1.iter().find(|(p, _)| *p == platform) {
            m.insert(own.to_string(), audience_for(platform, size).into());
        }
    }
    Value::Object(m)
}

/// The shared vocabulary's counts (`audience`, `avg_views`) have the range
/// of `size`, whatever name they are given in (the plugin's own name too):
/// the plugins' arithmetic on them then stays far from overflow. Other
/// options are the plugin's to check.
fn check_count(platform: &str, key: &str, own: &str, value: &Value) -> Result<(), SpecError> {
    let counted = VOCABULARY
        .iter()
        .filter(|(k, _)| matches!(*k, "audience" | "avg_views"))
        .any(|(_, per)| per.iter().any(|(p, o)| *p == platform && *o == own));
    if !counted || value.is_null() {
        return Ok(());
    }
    let max = pace::SIZE.1;
    match value.as_u64() {
        Some(n) if n <= max => Ok(()),
        _ => Err(SpecError::Count {
            platform: platform.to_string(),
            key: key.to_string(),
            max,
            value: value.clone(),
        }),
    }
}

/// A shared-vocabulary key → the platform's own name; other keys pass.
fn translate(platform: &str, key: &str) -> Result<String, SpecError> {
    match VOCABULARY.iter().find(|(k, _)| *k == key) {
        Some((_, per)) => match per.iter().find(|(p, _)| *p == platform) {
            Some((_, own)) => Ok(own.to_string()),
            None => Err(SpecError::NotOnPlatform {
                platform: platform.to_string(),
                key: key.to_string(),
            }),
        },
        None => Ok(key.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_vocabulary_maps_to_each_platforms_own_names() {
        assert_eq!(translate("youtube", "audience").unwrap(), "subscribers");
        assert_eq!(translate("instagram", "audience").unwrap(), "followers");
        assert_eq!(
            translate("tiktok", "upload_frequency").unwrap(),
            "videos_per_day"
        );
        assert_eq!(
            translate("youtube", "engagement_rate").unwrap(),
            "like_rate"
        );
        // The plugin's own names pass through; it checks them.
        assert_eq!(
            translate("youtube", "comment_rate").unwrap(),
            "comment_rate"
        );
        let e = translate("instagram", "avg_views").unwrap_err().to_string();
        assert!(e.contains("instagram has no avg_views"), "{e}");
    }

    #[test]
    fn automatic_audiences_share_the_size() {
        assert_eq!(
            automatic("youtube", Some(100_000)),
            serde_json::json!({"subscribers": 100_000})
        );
        assert_eq!(
            automatic("instagram", Some(100_000)),
            serde_json::json!({"followers": 60_000})
        );
        assert_eq!(automatic("tiktok", None), serde_json::json!({}));
    }

    #[test]
    fn audience_counts_have_the_range_of_size_under_any_name() {
        let big = serde_json::json!(u64::MAX);
        for (key, own) in [("audience", "subscribers"), ("subscribers", "subscribers")] {
            let e = check_count("youtube", key, own, &big)
                .unwrap_err()
                .to_string();
            assert!(e.contains(&format!("platforms.youtube.{key}")), "{e}");
        }
        assert!(check_count("youtube", "audience", "subscribers", &1_000_000.into()).is_ok());
        assert!(check_count("tiktok", "avg_views", "avg_views", &(-1).into()).is_err());
        // The plugin's other options are its own to check.
        assert!(check_count("youtube", "comment_rate", "comment_rate", &big).is_ok());
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("acme-demo_1.2").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("has space").is_err());
        assert!(check_name(&"x".repeat(65)).is_err());
    }

    #[test]
    fn spec_errors_read_as_they_always_have() {
        assert_eq!(
            check_name("has space").unwrap_err().to_string(),
            "`name` must be 1–64 letters, digits, `-`, `_` or `.`, got \"has space\""
        );
        assert_eq!(
            check_count("youtube", "audience", "subscribers", &(-1).into())
                .unwrap_err()
                .to_string(),
            "`platforms.youtube.audience` must be a whole number between 0 and 1000000000, got -1"
        );
        assert_eq!(
            SpecError::OptionsNotAnObject("youtube".into()).to_string(),
            "`platforms.youtube` must be an object of options, e.g. {\"audience\": 100000}"
        );
        assert_eq!(
            SpecError::UnknownPlatform {
                name: "myspace".into(),
                available: vec!["youtube".into(), "tiktok".into()],
            }
            .to_string(),
            "unknown platform `myspace` (available: youtube, tiktok)"
        );
        assert_eq!(
            SpecError::PlatformsShape(serde_json::json!(3)).to_string(),
            "`platforms` must be a list of names or an object of options per platform, not 3"
        );
    }
}
