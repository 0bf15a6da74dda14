//! What a demo host asks for when creating a profile, checked and turned
//! into the engine's [`ProfileSpec`].
//!
//! Two ways: *automatic* — a niche and an audience size, on the listed
//! platforms (by default, every loaded platform that declares an
//! `automatic_share`, each sized by its share); or *manual* — per platform,
//! either in the shared vocabulary (`audience`, `avg_views`,
//! `engagement_rate`, `upload_frequency`, `comment_volume`,
//! `dm_frequency`) or in the plugin's own parameter names. Which parameter
//! stands for a shared word is what each plugin declares in `describe`
//! (`ParamInfo::shared`); this module knows no platform by name. The plugin
//! checks the result and names any parameter it does not know.

use std::collections::BTreeMap;

use diorama_sdk::{PlatformInfo, SharedParam};
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
    #[error(
        "`platforms.{platform}.{key}`: {platform} has no parameter for the shared word `{key}` (its parameters: {})",
        params.join(", ")
    )]
    NotOnPlatform {
        platform: String,
        key: String,
        params: Vec<String>,
    },
    #[error("`platforms.{platform}`: `{key}` and `{other}` both set {platform}'s parameter `{own}`; give one")]
    GivenTwice {
        platform: String,
        key: String,
        other: String,
        own: String,
    },
    #[error(
        "`size`: {platform} has no parameter for the shared word `audience` (its parameters: {}), so it cannot be sized; give its own parameters under `platforms.{platform}`",
        params.join(", ")
    )]
    NotSizable {
        platform: String,
        params: Vec<String>,
    },
    #[error(
        "no loaded platform joins an automatic profile (none declares an `automatic_share`; loaded: {}); name the platforms in `platforms`",
        loaded.join(", ")
    )]
    NoAutomaticPlatform { loaded: Vec<String> },
    #[error("`preset`: {0}")]
    Preset(String),
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
    /// Days of past the profile opens with (0–365): earlier posts, metrics,
    /// comments and DMs, simulated before `start`.
    pub history_days: Option<u64>,
    /// A named profile ([`crate::engine::presets::PRESETS`]): its size,
    /// niche, timezone, platforms, past and daily limit, for whatever the
    /// request leaves out.
    pub preset: Option<String>,
}

impl CreateProfile {
    /// Fill what the request leaves out from its preset, if it names one.
    pub fn apply_preset(&mut self, host: &PluginHost) -> Result<(), SpecError> {
        let Some(name) = &self.preset else {
            return Ok(());
        };
        let preset = crate::engine::presets::preset(name).map_err(SpecError::Preset)?;
        if let Some(size) = self.size {
            pace::within("size", size, pace::SIZE)?;
        }
        let size = self.size.unwrap_or(preset.size);
        if self.platforms.is_none() {
            // Each platform sized by the preset's own share of the size.
            let params = preset
                .platform_params(host, size)
                .map_err(SpecError::Preset)?;
            self.platforms = Some(Value::Object(params.into_iter().collect()));
        } else {
            // The request's platforms, at the preset's size.
            self.size = Some(size);
        }
        self.niche.get_or_insert_with(|| preset.niche.to_string());
        self.timezone
            .get_or_insert_with(|| preset.timezone.to_string());
        self.history_days
            .get_or_insert(u64::from(preset.history_days));
        self.limits
            .interactions_per_day
            .get_or_insert(preset.interactions_per_day);
        Ok(())
    }
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
    if let Some(n) = req.history_days {
        pace::within("history_days", n, pace::HISTORY_DAYS)?;
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

fn known_platform<'h>(host: &'h PluginHost, name: &str) -> Result<&'h PlatformInfo, SpecError> {
    match host.get(name) {
        Some(p) => Ok(&p.info),
        None => Err(SpecError::UnknownPlatform {
            name: name.to_string(),
            available: available(host),
        }),
    }
}

fn platforms(
    given: Option<&Value>,
    size: Option<u64>,
    host: &PluginHost,
) -> Result<BTreeMap<String, Value>, SpecError> {
    if let Some(size) = size {
        pace::within("size", size, pace::SIZE)?;
    }
    match given {
        None | Some(Value::Null) => {
            let loaded: Vec<&PlatformInfo> = host.plugins().iter().map(|p| &p.info).collect();
            automatic_platforms(&loaded, size)
        }
        Some(Value::Array(list)) => {
            if list.is_empty() {
                return Err(SpecError::NoPlatformListed);
            }
            let mut out = BTreeMap::new();
            for item in list {
                let Value::String(name) = item else {
                    return Err(SpecError::NotAPlatformName(item.clone()));
                };
                let info = known_platform(host, name)?;
                out.insert(name.clone(), Value::Object(automatic(info, size)?));
            }
            Ok(out)
        }
        Some(Value::Object(map)) => {
            if map.is_empty() {
                return Err(SpecError::NoPlatformNamed);
            }
            let mut out = BTreeMap::new();
            for (name, options) in map {
                let info = known_platform(host, name)?;
                let Value::Object(options) = options else {
                    return Err(SpecError::OptionsNotAnObject(name.clone()));
                };
                out.insert(name.clone(), Value::Object(manual(info, size, options)?));
            }
            Ok(out)
        }
        Some(other) => Err(SpecError::PlatformsShape(other.clone())),
    }
}

/// An automatic profile that names no platform: every platform that
/// declares an `automatic_share`, each sized by its share of `size`.
fn automatic_platforms(
    loaded: &[&PlatformInfo],
    size: Option<u64>,
) -> Result<BTreeMap<String, Value>, SpecError> {
    let mut out = BTreeMap::new();
    for info in loaded.iter().filter(|i| i.automatic_share.is_some()) {
        out.insert(info.name.clone(), Value::Object(automatic(info, size)?));
    }
    if out.is_empty() {
        return Err(SpecError::NoAutomaticPlatform {
            loaded: loaded.iter().map(|i| i.name.clone()).collect(),
        });
    }
    Ok(out)
}

/// A platform's parameters in automatic mode: with a size, its audience
/// parameter gets its share of it (the whole of it for a platform named
/// without declaring a share).
fn automatic(info: &PlatformInfo, size: Option<u64>) -> Result<Map<String, Value>, SpecError> {
    let mut m = Map::new();
    if let Some(size) = size {
        let Some(audience) = info.shared_param(SharedParam::Audience) else {
            return Err(SpecError::NotSizable {
                platform: info.name.clone(),
                params: param_names(info),
            });
        };
        let share = info.automatic_share.unwrap_or(1.0);
        m.insert(
            audience.name.clone(),
            ((size as f64 * share).round() as u64).into(),
        );
    }
    Ok(m)
}

/// A platform's parameters in manual mode: the automatic ones, then each
/// option, shared words translated to the platform's own names.
fn manual(
    info: &PlatformInfo,
    size: Option<u64>,
    options: &Map<String, Value>,
) -> Result<Map<String, Value>, SpecError> {
    let mut params = automatic(info, size)?;
    // The option that set each own name, to refuse a second one.
    let mut set_by: BTreeMap<String, &str> = BTreeMap::new();
    for (key, value) in options {
        let own = translate(info, key)?;
        if let Some(other) = set_by.insert(own.clone(), key) {
            return Err(SpecError::GivenTwice {
                platform: info.name.clone(),
                key: key.clone(),
                other: other.to_string(),
                own,
            });
        }
        check_count(info, key, &own, value)?;
        params.insert(own, value.clone());
    }
    Ok(params)
}

fn param_names(info: &PlatformInfo) -> Vec<String> {
    info.params.iter().map(|p| p.name.clone()).collect()
}

/// The shared vocabulary's counts (`audience`, `avg_views`) have the range
/// of `size`, whatever name they are given in (the plugin's own name too):
/// the plugins' arithmetic on them then stays far from overflow. Other
/// options are the plugin's to check.
fn check_count(info: &PlatformInfo, key: &str, own: &str, value: &Value) -> Result<(), SpecError> {
    let counted = info.params.iter().any(|p| {
        p.name == own
            && matches!(
                p.shared,
                Some(SharedParam::Audience | SharedParam::AvgViews)
            )
    });
    if !counted || value.is_null() {
        return Ok(());
    }
    let max = pace::SIZE.1;
    match value.as_u64() {
        Some(n) if n <= max => Ok(()),
        _ => Err(SpecError::Count {
            platform: info.name.clone(),
            key: key.to_string(),
            max,
            value: value.clone(),
        }),
    }
}

/// A shared word → the platform's own parameter for it; other keys pass
/// (the plugin checks them). A shared word the platform declares no
/// parameter for is refused, unless it is the name of one of its own.
fn translate(info: &PlatformInfo, key: &str) -> Result<String, SpecError> {
    let Some(word) = SharedParam::parse(key) else {
        return Ok(key.to_string());
    };
    if let Some(p) = info.shared_param(word) {
        return Ok(p.name.clone());
    }
    if info.params.iter().any(|p| p.name == key) {
        return Ok(key.to_string());
    }
    Err(SpecError::NotOnPlatform {
        platform: info.name.clone(),
        key: key.to_string(),
        params: param_names(info),
    })
}

#[cfg(test)]
mod tests {
    use diorama_sdk::{MetricRoles, ParamInfo, ParamKind};
    use serde_json::json;

    use super::*;

    fn param(name: &str, shared: Option<SharedParam>) -> ParamInfo {
        ParamInfo {
            name: name.into(),
            kind: ParamKind::Number,
            default: "null".into(),
            min: None,
            max: None,
            choices: Vec::new(),
            description: String::new(),
            shared,
        }
    }

    /// A platform with these parameters and share (the names are made up:
    /// everything is what the platform declares).
    fn platform(name: &str, share: Option<f64>, params: Vec<ParamInfo>) -> PlatformInfo {
        PlatformInfo {
            name: name.into(),
            version: "1.0.0".into(),
            content_kinds: Vec::new(),
            interaction_kinds: Vec::new(),
            metrics: Vec::new(),
            metric_roles: MetricRoles::default(),
            signals: Vec::new(),
            actions: Vec::new(),
            limits: Vec::new(),
            params,
            automatic_share: share,
            api_hosts: Vec::new(),
            webhook_formats: Vec::new(),
        }
    }

    fn clips() -> PlatformInfo {
        platform(
            "clips",
            Some(0.8),
            vec![
                param("fans", Some(SharedParam::Audience)),
                param("clips_per_day", Some(SharedParam::UploadFrequency)),
                param("avg_views", Some(SharedParam::AvgViews)),
                param("comment_rate", None),
            ],
        )
    }

    fn notes() -> PlatformInfo {
        platform("notes", None, vec![param("mode", None)])
    }

    #[test]
    fn the_shared_vocabulary_maps_to_each_platforms_declared_names() {
        let clips = clips();
        assert_eq!(translate(&clips, "audience").unwrap(), "fans");
        assert_eq!(
            translate(&clips, "upload_frequency").unwrap(),
            "clips_per_day"
        );
        assert_eq!(translate(&clips, "avg_views").unwrap(), "avg_views");
        // The plugin's own names pass through; it checks them.
        assert_eq!(translate(&clips, "comment_rate").unwrap(), "comment_rate");
        assert_eq!(translate(&clips, "fans").unwrap(), "fans");
        let e = translate(&clips, "dm_frequency").unwrap_err().to_string();
        assert_eq!(
            e,
            "`platforms.clips.dm_frequency`: clips has no parameter for the shared word `dm_frequency` (its parameters: fans, clips_per_day, avg_views, comment_rate)"
        );
    }

    #[test]
    fn automatic_profiles_take_the_platforms_that_declare_a_share() {
        let (clips, notes) = (clips(), notes());
        let out = automatic_platforms(&[&clips, &notes], Some(100_000)).unwrap();
        assert_eq!(
            serde_json::to_value(&out).unwrap(),
            json!({"clips": {"fans": 80_000}})
        );
        assert_eq!(
            serde_json::to_value(automatic_platforms(&[&clips], None).unwrap()).unwrap(),
            json!({"clips": {}})
        );
        let e = automatic_platforms(&[&notes], None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("automatic_share") && e.contains("notes"), "{e}");
        // Named, a platform without a share gets the whole size, if it
        // has an audience to give it to.
        let sized = platform(
            "wall",
            None,
            vec![param("friends", Some(SharedParam::Audience))],
        );
        assert_eq!(
            automatic(&sized, Some(1_000)).unwrap(),
            *json!({"friends": 1_000}).as_object().unwrap()
        );
        let e = automatic(&notes, Some(1_000)).unwrap_err().to_string();
        assert!(
            e.starts_with("`size`: notes has no parameter") && e.contains("mode"),
            "{e}"
        );
        assert!(automatic(&notes, None).unwrap().is_empty());
    }

    #[test]
    fn manual_options_are_translated_and_a_parameter_set_once() {
        let clips = clips();
        let options = json!({"audience": 5_000, "comment_rate": 0.1});
        assert_eq!(
            manual(&clips, Some(100), options.as_object().unwrap()).unwrap(),
            *json!({"fans": 5_000, "comment_rate": 0.1})
                .as_object()
                .unwrap()
        );
        let twice = json!({"audience": 5_000, "fans": 6_000});
        let e = manual(&clips, None, twice.as_object().unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("`audience`") && e.contains("`fans`"), "{e}");
    }

    #[test]
    fn audience_counts_have_the_range_of_size_under_any_name() {
        let clips = clips();
        let big = json!(u64::MAX);
        for (key, own) in [
            ("audience", "fans"),
            ("fans", "fans"),
            ("avg_views", "avg_views"),
        ] {
            let e = check_count(&clips, key, own, &big).unwrap_err().to_string();
            assert!(e.contains(&format!("platforms.clips.{key}")), "{e}");
        }
        assert!(check_count(&clips, "audience", "fans", &1_000_000.into()).is_ok());
        assert!(check_count(&clips, "avg_views", "avg_views", &(-1).into()).is_err());
        // The plugin's other options are its own to check.
        assert!(check_count(&clips, "comment_rate", "comment_rate", &big).is_ok());
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
            check_count(&clips(), "audience", "fans", &(-1).into())
                .unwrap_err()
                .to_string(),
            "`platforms.clips.audience` must be a whole number between 0 and 1000000000, got -1"
        );
        assert_eq!(
            SpecError::OptionsNotAnObject("clips".into()).to_string(),
            "`platforms.clips` must be an object of options, e.g. {\"audience\": 100000}"
        );
        assert_eq!(
            SpecError::UnknownPlatform {
                name: "myspace".into(),
                available: vec!["clips".into(), "notes".into()],
            }
            .to_string(),
            "unknown platform `myspace` (available: clips, notes)"
        );
        assert_eq!(
            SpecError::PlatformsShape(serde_json::json!(3)).to_string(),
            "`platforms` must be a list of names or an object of options per platform, not 3"
        );
    }
}
