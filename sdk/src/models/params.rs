//! Account parameters, declared once and parsed from that declaration, and
//! helpers for parsing other JSON parameters (a signal's, an action's) by
//! hand, so that every error names the platform and the parameter at fault.
//!
//! A platform lists its account parameters as a table of [`ParamDef`]s:
//! name, kind, default, range or choices, description and the shared word it
//! stands for. From that one table come both `describe().params`
//! ([`infos`]) and `init`'s parsing ([`parse`]): unknown keys are refused
//! with the list of known ones, each value is checked against its kind and
//! range, and a parameter whose default is derived from others (`null` in
//! the defaults) is resolved by the platform through [`Given::number_or`].
//!
//! The shared levels [`COMMENT_VOLUME`] and [`DM_FREQUENCY`] are defined here
//! once: a platform includes them in its table and reads them with
//! [`Given::comment_volume`] and [`Given::dm_frequency`], so that every
//! platform accepts the same words and scales its rates by the same factors.
//!
//! ```
//! use diorama_sdk::models::params::{self, ParamDef, COMMENT_VOLUME};
//! use diorama_sdk::SharedParam;
//!
//! const FOLLOWERS: ParamDef = ParamDef::count("followers", Some(1_000), 0, 1_000_000_000)
//!     .describe("Accounts following the creator.")
//!     .shared(SharedParam::Audience);
//! const POSTS_PER_DAY: ParamDef = ParamDef::number("posts_per_day", Some(2.0), 0.0, 10.0)
//!     .unit("posts per day")
//!     .describe("Posts per day.")
//!     .shared(SharedParam::UploadFrequency);
//! const PARAMS: &[ParamDef] = &[FOLLOWERS, POSTS_PER_DAY, COMMENT_VOLUME];
//!
//! let given = params::parse("mastodon", PARAMS, r#"{"followers": 500}"#).unwrap();
//! assert_eq!(given.count(&FOLLOWERS), Some(500));
//! assert_eq!(given.number(&POSTS_PER_DAY), Some(2.0));
//! let e = params::parse("mastodon", PARAMS, r#"{"posts_per_day": 11}"#).unwrap_err();
//! assert!(e.contains("`posts_per_day`"), "{e}");
//! assert_eq!(params::infos(PARAMS)[0].shared, Some(SharedParam::Audience));
//! ```

use serde_json::{Map, Value};

use super::volume::{CommentVolume, DmFrequency};
use crate::types::{ParamInfo, ParamKind, SharedParam};

/// What values a parameter takes, and its default (`None`: derived from
/// other parameters by the platform, `null` in the defaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DefKind {
    /// A whole number within `min..=max`.
    Count {
        default: Option<u64>,
        min: u64,
        max: u64,
    },
    /// A finite number within `min..=max`.
    Number {
        default: Option<f64>,
        min: f64,
        max: f64,
    },
    /// One of `choices`, matched without regard to case or surrounding
    /// spaces.
    Choice {
        default: &'static str,
        choices: &'static [&'static str],
    },
    /// true or false.
    Flag { default: bool },
}

/// One account parameter, declared once: [`infos`] lists it and [`parse`]
/// checks it. Build one in a `const` with [`ParamDef::count`],
/// [`ParamDef::number`], [`ParamDef::choice`] or [`ParamDef::flag`], then
/// [`describe`](ParamDef::describe), [`unit`](ParamDef::unit) and
/// [`shared`](ParamDef::shared).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamDef {
    pub name: &'static str,
    pub kind: DefKind,
    /// What the number counts, after its range in error messages, e.g.
    /// `comments per view`.
    pub unit: &'static str,
    pub description: &'static str,
    /// The shared word this parameter stands for, if any.
    pub shared: Option<SharedParam>,
}

impl ParamDef {
    const fn new(name: &'static str, kind: DefKind) -> ParamDef {
        ParamDef {
            name,
            kind,
            unit: "",
            description: "",
            shared: None,
        }
    }

    /// A whole number within `min..=max`; `default` `None`: derived.
    pub const fn count(name: &'static str, default: Option<u64>, min: u64, max: u64) -> ParamDef {
        ParamDef::new(name, DefKind::Count { default, min, max })
    }

    /// A finite number within `min..=max`; `default` `None`: derived.
    pub const fn number(name: &'static str, default: Option<f64>, min: f64, max: f64) -> ParamDef {
        ParamDef::new(name, DefKind::Number { default, min, max })
    }

    /// One of `choices`.
    pub const fn choice(
        name: &'static str,
        default: &'static str,
        choices: &'static [&'static str],
    ) -> ParamDef {
        ParamDef::new(name, DefKind::Choice { default, choices })
    }

    /// true or false.
    pub const fn flag(name: &'static str, default: bool) -> ParamDef {
        ParamDef::new(name, DefKind::Flag { default })
    }

    /// With this description (shown by `diorama plugins`).
    pub const fn describe(self, description: &'static str) -> ParamDef {
        ParamDef {
            description,
            ..self
        }
    }

    /// With this unit after the range in error messages.
    pub const fn unit(self, unit: &'static str) -> ParamDef {
        ParamDef { unit, ..self }
    }

    /// Standing for this shared word.
    pub const fn shared(self, word: SharedParam) -> ParamDef {
        ParamDef {
            shared: Some(word),
            ..self
        }
    }

    /// The default as JSON: `null` when derived.
    pub fn default_json(&self) -> Value {
        match self.kind {
            DefKind::Count { default, .. } => default.map_or(Value::Null, Value::from),
            DefKind::Number { default, .. } => default
                .and_then(serde_json::Number::from_f64)
                .map_or(Value::Null, Value::Number),
            DefKind::Choice { default, .. } => Value::String(default.to_string()),
            DefKind::Flag { default } => Value::Bool(default),
        }
    }

    /// The parameter as `describe` lists it.
    pub fn info(&self) -> ParamInfo {
        let (kind, min, max, choices) = match self.kind {
            DefKind::Count { min, max, .. } => (
                ParamKind::Count,
                Some(min as f64),
                Some(max as f64),
                Vec::new(),
            ),
            DefKind::Number { min, max, .. } => {
                (ParamKind::Number, Some(min), Some(max), Vec::new())
            }
            DefKind::Choice { choices, .. } => (
                ParamKind::Choice,
                None,
                None,
                choices.iter().map(|c| c.to_string()).collect(),
            ),
            DefKind::Flag { .. } => (ParamKind::Flag, None, None, Vec::new()),
        };
        ParamInfo {
            name: self.name.to_string(),
            kind,
            default: self.default_json().to_string(),
            min,
            max,
            choices,
            description: self.description.to_string(),
            shared: self.shared,
        }
    }

    /// `value` checked against the kind and range; `None` for `null`.
    fn check(&self, platform: &str, value: &Value) -> Result<Option<Given1>, String> {
        if value.is_null() {
            return Ok(None);
        }
        let key = self.name;
        let unit = if self.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", self.unit)
        };
        match self.kind {
            DefKind::Count { min, max, .. } => {
                let mut one = Map::new();
                one.insert(key.to_string(), value.clone());
                let n = count(platform, &one, key)?.unwrap_or_default();
                if !(min..=max).contains(&n) {
                    return Err(format!(
                        "{platform}: `{key}` must be a whole number between {min} and {max}{unit} (got {n})"
                    ));
                }
                Ok(Some(Given1::Count(n)))
            }
            DefKind::Number { .. } => {
                let mut one = Map::new();
                one.insert(key.to_string(), value.clone());
                let x = number(platform, &one, key)?.unwrap_or_default();
                Ok(Some(Given1::Number(self.check_number(platform, x)?)))
            }
            DefKind::Choice { choices, .. } => {
                let bad = |got: &Value| {
                    format!(
                        "{platform}: `{key}` must be one of {} (got {got})",
                        choices.join(", ")
                    )
                };
                let Value::String(s) = value else {
                    return Err(bad(value));
                };
                let s = s.trim().to_ascii_lowercase();
                match choices.iter().position(|c| *c == s) {
                    Some(i) => Ok(Some(Given1::Choice(i))),
                    None => Err(bad(&Value::String(s))),
                }
            }
            DefKind::Flag { .. } => match value {
                Value::Bool(b) => Ok(Some(Given1::Flag(*b))),
                other => Err(format!(
                    "{platform}: `{key}` must be true or false (got {other})"
                )),
            },
        }
    }

    /// `x` checked against a number parameter's range.
    fn check_number(&self, platform: &str, x: f64) -> Result<f64, String> {
        let (min, max) = match self.kind {
            DefKind::Number { min, max, .. } => (min, max),
            DefKind::Count { min, max, .. } => (min as f64, max as f64),
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        };
        if !(min..=max).contains(&x) {
            let unit = if self.unit.is_empty() {
                String::new()
            } else {
                format!(" {}", self.unit)
            };
            return Err(format!(
                "{platform}: `{}` must be between {min} and {max}{unit} (got {x})",
                self.name
            ));
        }
        Ok(x)
    }
}

/// The shared comment-volume level: how much the audience comments
/// relative to a normal day. A platform scales its default comment rate by
/// [`CommentVolume::factor`] (read it with [`Given::comment_volume`]).
pub const COMMENT_VOLUME: ParamDef =
    ParamDef::choice("comment_volume", "medium", &["low", "medium", "high", "viral"])
        .describe("How much the audience comments, relative to a normal day: low (0.35×), medium (1×), high (2.5×) or viral (8×) the default comment rate; an explicit comment rate wins.")
        .shared(SharedParam::CommentVolume);

/// The shared DM-frequency level: how many direct messages arrive relative
/// to a normal day. A platform with DMs scales its default DM rate by
/// [`DmFrequency::factor`] (read it with [`Given::dm_frequency`]).
pub const DM_FREQUENCY: ParamDef = ParamDef::choice("dm_frequency", "medium", &["low", "medium", "high"])
    .describe("How many direct messages arrive, relative to a normal day: low (0.4×), medium (1×) or high (2.5×) the default DM rate; an explicit DM rate wins.")
    .shared(SharedParam::DmFrequency);

/// The parameters as `describe` lists them, in table order.
pub fn infos(defs: &[ParamDef]) -> Vec<ParamInfo> {
    defs.iter().map(ParamDef::info).collect()
}

/// The defaults object of a table, as JSON text (keys sorted).
pub fn defaults_json(defs: &[ParamDef]) -> String {
    let map: Map<String, Value> = defs
        .iter()
        .map(|d| (d.name.to_string(), d.default_json()))
        .collect();
    Value::Object(map).to_string()
}

/// One given value, checked.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Given1 {
    Count(u64),
    Number(f64),
    /// The index in the choices.
    Choice(usize),
    Flag(bool),
}

/// An account's parameters parsed against a table: each read gives the value
/// given, or the table's default.
#[derive(Clone, Debug)]
pub struct Given<'d> {
    platform: String,
    defs: &'d [ParamDef],
    values: Vec<Option<Given1>>,
}

/// Parse `params` (a JSON object; empty text is an empty object) against
/// `defs`: a key not in the table is refused with the list of known ones,
/// and every value is checked against its parameter's kind and range, each
/// error naming the platform and the parameter. `null` is the default.
pub fn parse<'d>(platform: &str, defs: &'d [ParamDef], params: &str) -> Result<Given<'d>, String> {
    let map = object(platform, params, "params")?;
    let known: Vec<&str> = defs.iter().map(|d| d.name).collect();
    check_known(platform, &map, &known, "parameter")?;
    let values = defs
        .iter()
        .map(|d| match map.get(d.name) {
            None => Ok(None),
            Some(v) => d.check(platform, v),
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Given {
        platform: platform.to_string(),
        defs,
        values,
    })
}

impl Given<'_> {
    fn given(&self, def: &ParamDef) -> Option<Given1> {
        let i = self.defs.iter().position(|d| d.name == def.name);
        debug_assert!(i.is_some(), "`{}` is not in the table parsed", def.name);
        i.and_then(|i| self.values[i])
    }

    /// Whether the parameter was given (and not `null`).
    pub fn is_given(&self, def: &ParamDef) -> bool {
        self.given(def).is_some()
    }

    /// A count parameter: given, or its default (`None` when derived).
    pub fn count(&self, def: &ParamDef) -> Option<u64> {
        match (self.given(def), def.kind) {
            (Some(Given1::Count(n)), _) => Some(n),
            (_, DefKind::Count { default, .. }) => default,
            _ => None,
        }
    }

    /// A number (or count) parameter: given, or its default (`None` when
    /// derived).
    pub fn number(&self, def: &ParamDef) -> Option<f64> {
        match (self.given(def), def.kind) {
            (Some(Given1::Number(x)), _) => Some(x),
            (Some(Given1::Count(n)), _) => Some(n as f64),
            (_, DefKind::Number { default, .. }) => default,
            (_, DefKind::Count { default, .. }) => default.map(|n| n as f64),
            _ => None,
        }
    }

    /// A number parameter: given, or `derived` (the platform's own default
    /// from other parameters), which is checked against the range too.
    pub fn number_or(&self, def: &ParamDef, derived: f64) -> Result<f64, String> {
        match self.given(def) {
            Some(Given1::Number(x)) => Ok(x),
            Some(Given1::Count(n)) => Ok(n as f64),
            _ => def.check_number(&self.platform, derived),
        }
    }

    /// A choice parameter: given, or its default.
    pub fn choice(&self, def: &ParamDef) -> &'static str {
        match (self.given(def), def.kind) {
            (Some(Given1::Choice(i)), DefKind::Choice { choices, .. }) => choices[i],
            (_, DefKind::Choice { default, .. }) => default,
            _ => "",
        }
    }

    /// A flag parameter: given, or its default.
    pub fn flag(&self, def: &ParamDef) -> bool {
        match (self.given(def), def.kind) {
            (Some(Given1::Flag(b)), _) => b,
            (_, DefKind::Flag { default }) => default,
            _ => false,
        }
    }

    /// The shared comment-volume level ([`COMMENT_VOLUME`]).
    pub fn comment_volume(&self) -> CommentVolume {
        let word = self.choice(&COMMENT_VOLUME);
        CommentVolume::ALL
            .into_iter()
            .find(|v| v.as_str() == word)
            .unwrap_or(CommentVolume::Medium)
    }

    /// The shared DM-frequency level ([`DM_FREQUENCY`]).
    pub fn dm_frequency(&self) -> DmFrequency {
        let word = self.choice(&DM_FREQUENCY);
        DmFrequency::ALL
            .into_iter()
            .find(|v| v.as_str() == word)
            .unwrap_or(DmFrequency::Medium)
    }
}

/// Parse `params` (an account's, an action's) as a JSON object; empty text
/// is an empty object.
pub fn object(platform: &str, params: &str, what: &str) -> Result<Map<String, Value>, String> {
    if params.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(params) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(format!("{platform}: {what} must be a JSON object")),
        Err(e) => Err(format!("{platform}: {what} are not valid JSON: {e}")),
    }
}

/// Reject keys not in `known`, naming the first unknown one.
pub fn check_known(
    platform: &str,
    map: &Map<String, Value>,
    known: &[&str],
    what: &str,
) -> Result<(), String> {
    for key in map.keys() {
        if !known.contains(&key.as_str()) {
            return Err(format!(
                "{platform}: unknown {what} `{key}` (known: {})",
                known.join(", ")
            ));
        }
    }
    Ok(())
}

/// A finite number, if present (null counts as absent).
pub fn number(platform: &str, map: &Map<String, Value>, key: &str) -> Result<Option<f64>, String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(x) if x.is_finite() => Ok(Some(x)),
            _ => Err(format!(
                "{platform}: `{key}` must be a finite number (got {n})"
            )),
        },
        Some(other) => Err(format!(
            "{platform}: `{key}` must be a number (got {other})"
        )),
    }
}

/// A whole number ≥ 0, if present.
pub fn count(platform: &str, map: &Map<String, Value>, key: &str) -> Result<Option<u64>, String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
            (Some(v), _) => Ok(Some(v)),
            (None, Some(f)) if f >= 0.0 && f.fract() == 0.0 && f < 1e15 => Ok(Some(f as u64)),
            _ => Err(format!(
                "{platform}: `{key}` must be a whole number ≥ 0 (got {n})"
            )),
        },
        Some(other) => Err(format!(
            "{platform}: `{key}` must be a whole number ≥ 0 (got {other})"
        )),
    }
}

/// A number in `[lo, hi]`, or `default` when absent.
pub fn number_in(
    platform: &str,
    map: &Map<String, Value>,
    key: &str,
    lo: f64,
    hi: f64,
    default: f64,
    unit: &str,
) -> Result<f64, String> {
    let v = number(platform, map, key)?.unwrap_or(default);
    if !(lo..=hi).contains(&v) {
        return Err(format!(
            "{platform}: `{key}` must be between {lo} and {hi} {unit} (got {v})"
        ));
    }
    Ok(v)
}

/// A required non-empty string.
pub fn text<'a>(
    platform: &str,
    map: &'a Map<String, Value>,
    key: &str,
    action: &str,
) -> Result<&'a str, String> {
    match map.get(key) {
        Some(Value::String(t)) if !t.trim().is_empty() => Ok(t),
        _ => Err(format!(
            "{platform}: `{action}` needs a non-empty `{key}` string"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_platform_and_key() {
        let m = object("p", r#"{"a": "x", "b": -1, "c": 2.5}"#, "params").unwrap();
        assert!(number("p", &m, "a").unwrap_err().contains("`a`"));
        assert!(count("p", &m, "b").unwrap_err().contains("`b`"));
        assert!(count("p", &m, "c").unwrap_err().contains("`c`"));
        assert_eq!(number("p", &m, "c").unwrap(), Some(2.5));
        assert_eq!(number("p", &m, "zz").unwrap(), None);
        assert!(number_in("p", &m, "c", 0.0, 1.0, 0.5, "")
            .unwrap_err()
            .contains("`c`"));
        let e = check_known("p", &m, &["a", "b"], "parameter").unwrap_err();
        assert!(e.starts_with("p: ") && e.contains("`c`"), "{e}");
        assert!(object("p", "[1]", "params").unwrap_err().contains("object"));
        assert!(object("p", "{", "params").unwrap_err().contains("JSON"));
        assert!(text("p", &m, "a", "reply").is_ok());
        assert!(text("p", &m, "q", "reply").unwrap_err().contains("`q`"));
    }

    const AUDIENCE: ParamDef = ParamDef::count("followers", Some(1_000), 0, 1_000_000)
        .describe("Followers.")
        .shared(SharedParam::Audience);
    const RATE: ParamDef = ParamDef::number("rate", Some(0.5), 0.0, 1.0).unit("per view");
    const DERIVED: ParamDef = ParamDef::number("dm_rate", None, 0.0, 100.0).unit("DMs per day");
    const LIVE: ParamDef = ParamDef::flag("live", false);
    const TABLE: &[ParamDef] = &[AUDIENCE, RATE, DERIVED, LIVE, COMMENT_VOLUME, DM_FREQUENCY];

    #[test]
    fn the_table_gives_the_listing_and_the_defaults() {
        let info = infos(TABLE);
        let names: Vec<&str> = info.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "followers",
                "rate",
                "dm_rate",
                "live",
                "comment_volume",
                "dm_frequency"
            ]
        );
        assert_eq!(info[0].kind, ParamKind::Count);
        assert_eq!((info[0].min, info[0].max), (Some(0.0), Some(1e6)));
        assert_eq!(info[0].shared, Some(SharedParam::Audience));
        assert_eq!(info[0].default, "1000");
        assert_eq!(info[1].default, "0.5");
        assert_eq!(info[2].default, "null");
        assert_eq!(info[3].kind, ParamKind::Flag);
        assert_eq!(info[4].choices, ["low", "medium", "high", "viral"]);
        assert_eq!(info[4].default, "\"medium\"");
        assert_eq!(info[5].shared, Some(SharedParam::DmFrequency));
        let defaults: Value = serde_json::from_str(&defaults_json(TABLE)).unwrap();
        assert_eq!(
            defaults,
            serde_json::json!({"followers": 1000, "rate": 0.5, "dm_rate": null, "live": false,
                "comment_volume": "medium", "dm_frequency": "medium"})
        );
        // The defaults parse back to the values an empty object gives.
        let back = parse("p", TABLE, &defaults_json(TABLE)).unwrap();
        let empty = parse("p", TABLE, "").unwrap();
        for g in [&back, &empty] {
            assert_eq!(g.count(&AUDIENCE), Some(1_000));
            assert_eq!(g.number(&RATE), Some(0.5));
            assert_eq!(g.number(&DERIVED), None);
            assert!(!g.flag(&LIVE));
            assert_eq!(g.comment_volume(), CommentVolume::Medium);
            assert_eq!(g.dm_frequency(), DmFrequency::Medium);
        }
    }

    #[test]
    fn given_values_are_read_and_derived_ones_checked() {
        let g = parse(
            "p",
            TABLE,
            r#"{"followers": 2e3, "rate": 0.25, "live": true, "comment_volume": " Viral ", "dm_frequency": "low"}"#,
        )
        .unwrap();
        assert_eq!(g.count(&AUDIENCE), Some(2_000));
        assert_eq!(g.number(&AUDIENCE), Some(2_000.0));
        assert_eq!(g.number_or(&RATE, 0.9), Ok(0.25));
        assert!(g.is_given(&RATE) && !g.is_given(&DERIVED));
        assert!(g.flag(&LIVE));
        assert_eq!(g.comment_volume(), CommentVolume::Viral);
        assert_eq!(g.dm_frequency(), DmFrequency::Low);
        assert_eq!(g.number_or(&DERIVED, 12.5), Ok(12.5));
        let e = g.number_or(&DERIVED, 1e9).unwrap_err();
        assert_eq!(
            e,
            "p: `dm_rate` must be between 0 and 100 DMs per day (got 1000000000)"
        );
        let g = parse("p", TABLE, r#"{"dm_rate": 3, "rate": null}"#).unwrap();
        assert_eq!(g.number_or(&DERIVED, 12.5), Ok(3.0));
        assert_eq!(g.number(&RATE), Some(0.5));
    }

    #[test]
    fn each_refusal_names_the_platform_and_the_parameter() {
        for (json, field, words) in [
            (
                r#"{"follower": 5}"#,
                "follower",
                "known: followers, rate, dm_rate, live, comment_volume, dm_frequency",
            ),
            (r#"{"followers": -1}"#, "followers", "whole number"),
            (r#"{"followers": 2.5}"#, "followers", "whole number"),
            (
                r#"{"followers": 1000001}"#,
                "followers",
                "between 0 and 1000000",
            ),
            (r#"{"followers": "many"}"#, "followers", "whole number"),
            (
                r#"{"rate": 1.5}"#,
                "rate",
                "between 0 and 1 per view (got 1.5)",
            ),
            (r#"{"rate": "x"}"#, "rate", "must be a number"),
            (r#"{"live": 1}"#, "live", "true or false"),
            (
                r#"{"comment_volume": "loud"}"#,
                "comment_volume",
                "low, medium, high, viral (got \"loud\")",
            ),
            (
                r#"{"dm_frequency": "viral"}"#,
                "dm_frequency",
                "low, medium, high (got",
            ),
            (r#"{"dm_frequency": 2}"#, "dm_frequency", "one of"),
        ] {
            let e = parse("p", TABLE, json).unwrap_err();
            assert!(
                e.starts_with("p: ") && e.contains(&format!("`{field}`")) && e.contains(words),
                "{json}: {e}"
            );
        }
        assert!(parse("p", TABLE, "[]").unwrap_err().contains("object"));
        assert!(parse("p", TABLE, "{").unwrap_err().contains("JSON"));
    }
}
