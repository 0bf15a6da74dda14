//! Named volume levels: a profile's comment volume (`low`, `medium`,
//! `high`, `viral`) and DM frequency (`low`, `medium`, `high`), parsed from
//! an account's parameters the same way on every platform. Each level is a
//! multiplier on the platform's default rate; `medium` is 1, the normal day
//! of ARCHITECTURE.md's *Realism references*. An explicit numeric rate
//! (`comment_rate`, `dm_rate`) wins over the level.

use serde_json::{Map, Value};

/// The parameter naming the comment volume.
pub const COMMENT_VOLUME: &str = "comment_volume";
/// The parameter naming the DM frequency.
pub const DM_FREQUENCY: &str = "dm_frequency";
/// The level used when none is given.
pub const DEFAULT_LEVEL: &str = "medium";

/// How much the audience comments, relative to a normal day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentVolume {
    Low,
    Medium,
    High,
    Viral,
}

impl CommentVolume {
    pub const ALL: [CommentVolume; 4] = [
        CommentVolume::Low,
        CommentVolume::Medium,
        CommentVolume::High,
        CommentVolume::Viral,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CommentVolume::Low => "low",
            CommentVolume::Medium => "medium",
            CommentVolume::High => "high",
            CommentVolume::Viral => "viral",
        }
    }

    /// The multiplier on the platform's default comment rate.
    pub fn factor(self) -> f64 {
        match self {
            CommentVolume::Low => 0.35,
            CommentVolume::Medium => 1.0,
            CommentVolume::High => 2.5,
            CommentVolume::Viral => 8.0,
        }
    }

    /// The `comment_volume` parameter of `map`; `medium` when absent.
    pub fn parse(platform: &str, map: &Map<String, Value>) -> Result<CommentVolume, String> {
        let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
        let found = level(platform, map, COMMENT_VOLUME, &names)?;
        Ok(found.map_or(CommentVolume::Medium, |i| Self::ALL[i]))
    }
}

/// How many DMs arrive, relative to a normal day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DmFrequency {
    Low,
    Medium,
    High,
}

impl DmFrequency {
    pub const ALL: [DmFrequency; 3] = [DmFrequency::Low, DmFrequency::Medium, DmFrequency::High];

    pub fn as_str(self) -> &'static str {
        match self {
            DmFrequency::Low => "low",
            DmFrequency::Medium => "medium",
            DmFrequency::High => "high",
        }
    }

    /// The multiplier on the platform's default DM rate.
    pub fn factor(self) -> f64 {
        match self {
            DmFrequency::Low => 0.4,
            DmFrequency::Medium => 1.0,
            DmFrequency::High => 2.5,
        }
    }

    /// The `dm_frequency` parameter of `map`; `medium` when absent.
    pub fn parse(platform: &str, map: &Map<String, Value>) -> Result<DmFrequency, String> {
        let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
        let found = level(platform, map, DM_FREQUENCY, &names)?;
        Ok(found.map_or(DmFrequency::Medium, |i| Self::ALL[i]))
    }
}

/// For a platform without DMs: reject a `dm_frequency` parameter, naming
/// the platform.
pub fn reject_dm_frequency(platform: &str, map: &Map<String, Value>) -> Result<(), String> {
    match map.get(DM_FREQUENCY) {
        None | Some(Value::Null) => Ok(()),
        Some(_) => Err(format!(
            "{platform}: `{DM_FREQUENCY}` does not apply: {platform} has no DMs"
        )),
    }
}

/// The index in `names` of the string parameter `key`, if present.
fn level(
    platform: &str,
    map: &Map<String, Value>,
    key: &str,
    names: &[&str],
) -> Result<Option<usize>, String> {
    let bad = |got: &Value| {
        format!(
            "{platform}: `{key}` must be one of {} (got {got})",
            names.join(", ")
        )
    };
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let s = s.trim().to_ascii_lowercase();
            match names.iter().position(|n| *n == s) {
                Some(i) => Ok(Some(i)),
                None => Err(bad(&Value::String(s))),
            }
        }
        Some(other) => Err(bad(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::params::object;

    #[test]
    fn levels_parse_with_medium_by_default() {
        let m = object("p", "{}", "params").unwrap();
        assert_eq!(
            CommentVolume::parse("p", &m).unwrap(),
            CommentVolume::Medium
        );
        assert_eq!(DmFrequency::parse("p", &m).unwrap(), DmFrequency::Medium);
        assert_eq!(CommentVolume::Medium.factor(), 1.0);
        assert_eq!(DmFrequency::Medium.factor(), 1.0);
        let m = object(
            "p",
            r#"{"comment_volume": "Viral", "dm_frequency": "low"}"#,
            "params",
        )
        .unwrap();
        assert_eq!(CommentVolume::parse("p", &m).unwrap(), CommentVolume::Viral);
        assert_eq!(DmFrequency::parse("p", &m).unwrap(), DmFrequency::Low);
        let f: Vec<f64> = CommentVolume::ALL.iter().map(|v| v.factor()).collect();
        assert!(f.windows(2).all(|w| w[0] < w[1]), "{f:?}");
        let f: Vec<f64> = DmFrequency::ALL.iter().map(|v| v.factor()).collect();
        assert!(f.windows(2).all(|w| w[0] < w[1]), "{f:?}");
    }

    #[test]
    fn bad_levels_name_the_param_and_the_choices() {
        let m = object(
            "p",
            r#"{"comment_volume": "huge", "dm_frequency": 3}"#,
            "params",
        )
        .unwrap();
        let e = CommentVolume::parse("p", &m).unwrap_err();
        assert!(
            e.starts_with("p: ")
                && e.contains("`comment_volume`")
                && e.contains("low, medium, high, viral"),
            "{e}"
        );
        let e = DmFrequency::parse("p", &m).unwrap_err();
        assert!(
            e.contains("`dm_frequency`") && e.contains("low, medium, high"),
            "{e}"
        );
        let e = reject_dm_frequency("youtube", &m).unwrap_err();
        assert!(
            e.starts_with("youtube: ") && e.contains("`dm_frequency`"),
            "{e}"
        );
        let empty = object("p", "", "params").unwrap();
        assert!(reject_dm_frequency("youtube", &empty).is_ok());
    }
}
