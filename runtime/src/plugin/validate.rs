//! What a plugin says about itself, checked once at load: a plugin whose
//! description the runtime could misread is refused with every problem
//! named, instead of failing later in a script or a live profile.

use std::collections::BTreeSet;

use diorama_sdk::{ParamInfo, ParamKind, PlatformInfo};
use serde_json::Value;

/// How strictly to read a description: the rules a contract version
/// promised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rules {
    /// 0.1: limits were labels, not keyed by action (a built-in of 0.1
    /// limited `upload` while its action was `publish`), so they are not
    /// checked against the actions.
    V0_1,
    /// 0.2 and later: every rule.
    Latest,
}

/// Every problem of `info`, in the order of its fields; empty when it is
/// sound.
pub(crate) fn problems(info: &PlatformInfo, rules: Rules) -> Vec<String> {
    let mut out = Vec::new();
    if rules == Rules::Latest {
        for limit in &info.limits {
            if !info.actions.contains(&limit.action) {
                out.push(format!(
                    "the limit on `{}` names no action of the platform (its actions: {})",
                    limit.action.escape_default(),
                    listed(&info.actions)
                ));
            }
        }
    }
    for limit in &info.limits {
        if limit.max == 0 || limit.per <= 0 {
            out.push(format!(
                "the limit on `{}` is {} per {} ms; both must be above 0",
                limit.action.escape_default(),
                limit.max,
                limit.per
            ));
        }
    }

    let mut seen = BTreeSet::new();
    let mut shared = BTreeSet::new();
    for p in &info.params {
        let name = p.name.escape_default();
        if !is_param_name(&p.name) {
            out.push(format!(
                "the parameter name `{name}` is not well formed (1 to 64 lower-case letters, digits or `_`, starting with a letter)"
            ));
        }
        if !seen.insert(p.name.as_str()) {
            out.push(format!("the parameter `{name}` is listed twice"));
        }
        if let Some(word) = p.shared {
            if !shared.insert(word) {
                out.push(format!(
                    "two parameters stand for the shared word `{}` (the second is `{name}`)",
                    word.as_str()
                ));
            }
        }
        if let Err(problem) = check_param(p) {
            out.push(format!("the parameter `{name}`: {problem}"));
        }
    }

    if let Some(share) = info.automatic_share {
        if !(share > 0.0 && share <= 1.0) {
            out.push(format!(
                "the automatic share is {share}; it must be above 0 and at most 1"
            ));
        }
    }

    for host in &info.api_hosts {
        if !is_host_name(host) {
            out.push(format!(
                "the API host `{}` is not a host name (lower-case labels of letters, digits and `-`, separated by dots, e.g. `api.example.com`)",
                host.escape_default()
            ));
        }
    }

    let mut formats = BTreeSet::new();
    for w in &info.webhook_formats {
        let name = w.name.escape_default();
        if !formats.insert(w.name.as_str()) {
            out.push(format!("the webhook format `{name}` is listed twice"));
        }
        let Some(sig) = w.signature.as_ref().filter(|s| !s.is_unsigned()) else {
            continue;
        };
        if sig.header.is_empty()
            || !sig
                .header
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            out.push(format!(
                "the webhook format `{name}` signs in the header `{}`, which is not a lower-case header name (letters, digits and `-`)",
                sig.header.escape_default()
            ));
        }
        if !sig.value.contains("{hex}") {
            out.push(format!(
                "the webhook format `{name}`'s signature value `{}` has no `{{hex}}` for the signature",
                sig.value.escape_default()
            ));
        }
        if sig.content == diorama_sdk::SignedContent::TimestampDotBody && !sig.value.contains("{t}")
        {
            out.push(format!(
                "the webhook format `{name}` signs a timestamp, but its signature value `{}` has no `{{t}}` to carry it",
                sig.value.escape_default()
            ));
        }
        if sig.value.bytes().any(|b| b.is_ascii_control()) {
            out.push(format!(
                "the webhook format `{name}`'s signature value has a control character"
            ));
        }
    }
    out
}

fn listed(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// `subscribers`, `comment_volume`, `avg_views_2`.
fn is_param_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A DNS host name: dot-separated labels of 1 to 63 lower-case letters,
/// digits and inner `-`, 253 bytes at most; no port, no scheme.
fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

/// A parameter's range and default against its kind.
fn check_param(p: &ParamInfo) -> Result<(), String> {
    for (which, bound) in [("min", p.min), ("max", p.max)] {
        if let Some(b) = bound {
            if !b.is_finite() {
                return Err(format!("its {which} is {b}; it must be a finite number"));
            }
            if matches!(p.kind, ParamKind::Choice | ParamKind::Flag) {
                return Err(format!(
                    "a {} parameter has no range, yet it gives a {which}",
                    kind_name(p.kind)
                ));
            }
        }
    }
    if let (Some(min), Some(max)) = (p.min, p.max) {
        if min > max {
            return Err(format!("its range {min}..={max} is empty"));
        }
    }
    if p.kind != ParamKind::Choice && !p.choices.is_empty() {
        return Err(format!(
            "a {} parameter has no choices, yet it lists some",
            kind_name(p.kind)
        ));
    }
    let default: Value = serde_json::from_str(&p.default).map_err(|e| {
        format!(
            "its default `{}` is not JSON: {e}",
            p.default.escape_default()
        )
    })?;
    if default.is_null() {
        // Derived by the plugin from other parameters.
        return Ok(());
    }
    let in_range = |x: f64| {
        if p.min.is_some_and(|min| x < min) || p.max.is_some_and(|max| x > max) {
            Err(format!(
                "its default {default} is outside its range {}..={}",
                p.min.map(|m| m.to_string()).unwrap_or_default(),
                p.max.map(|m| m.to_string()).unwrap_or_default()
            ))
        } else {
            Ok(())
        }
    };
    match p.kind {
        ParamKind::Count => match default
            .as_i64()
            .map(|n| n as f64)
            .or(default.as_u64().map(|n| n as f64))
        {
            Some(n) => in_range(n),
            None => Err(format!(
                "its default {default} is not a whole number, as a count must be"
            )),
        },
        ParamKind::Number => match default.as_f64() {
            Some(x) => in_range(x),
            None => Err(format!("its default {default} is not a number")),
        },
        ParamKind::Choice => match default.as_str() {
            Some(s) if p.choices.is_empty() || p.choices.iter().any(|c| c == s) => Ok(()),
            Some(s) => Err(format!(
                "its default `{}` is not one of its choices ({})",
                s.escape_default(),
                p.choices.join(", ")
            )),
            None => Err(format!(
                "its default {default} is not text, as a choice must be"
            )),
        },
        ParamKind::Flag => match default {
            Value::Bool(_) => Ok(()),
            _ => Err(format!(
                "its default {default} is not true or false, as a flag must be"
            )),
        },
    }
}

fn kind_name(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::Count => "count",
        ParamKind::Number => "number",
        ParamKind::Choice => "choice",
        ParamKind::Flag => "flag",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diorama_sdk::{LimitInfo, MetricRoles, SharedParam, DAY};

    fn param(name: &str, kind: ParamKind, default: &str) -> ParamInfo {
        ParamInfo {
            name: name.into(),
            kind,
            default: default.into(),
            min: None,
            max: None,
            choices: Vec::new(),
            description: String::new(),
            shared: None,
        }
    }

    fn info() -> PlatformInfo {
        PlatformInfo {
            name: "mast".into(),
            version: "1.0.0".into(),
            content_kinds: vec!["toot".into()],
            interaction_kinds: vec!["reply".into()],
            metrics: vec!["boosts".into()],
            metric_roles: MetricRoles::default(),
            signals: Vec::new(),
            actions: vec!["publish".into(), "reply".into()],
            limits: vec![LimitInfo {
                action: "publish".into(),
                max: 10,
                per: DAY,
            }],
            params: vec![
                ParamInfo {
                    min: Some(0.0),
                    max: Some(1e9),
                    shared: Some(SharedParam::Audience),
                    ..param("followers", ParamKind::Count, "1000")
                },
                ParamInfo {
                    choices: vec!["low".into(), "high".into()],
                    ..param("comment_volume", ParamKind::Choice, "\"low\"")
                },
                param("verified", ParamKind::Flag, "false"),
                param("avg_views", ParamKind::Number, "null"),
            ],
            automatic_share: Some(0.5),
            api_hosts: vec!["api.mast.example".into()],
            webhook_formats: Vec::new(),
        }
    }

    #[test]
    fn a_sound_description_has_no_problems() {
        assert_eq!(problems(&info(), Rules::Latest), Vec::<String>::new());
    }

    #[test]
    fn every_problem_is_named() {
        let mut i = info();
        i.limits[0].action = "upload".into();
        i.limits.push(LimitInfo {
            action: "reply".into(),
            max: 0,
            per: DAY,
        });
        i.params[0].default = "2000000000".into();
        i.params[1].default = "\"viral\"".into();
        i.params[2].default = "1".into();
        i.params.push(param("Bad-Name", ParamKind::Count, "1"));
        i.params.push(param("verified", ParamKind::Flag, "true"));
        i.params.push(ParamInfo {
            shared: Some(SharedParam::Audience),
            ..param("subscribers", ParamKind::Count, "1.5")
        });
        i.automatic_share = Some(1.5);
        i.api_hosts = vec!["https://api.mast.example".into(), "ok.example".into()];
        assert_eq!(
            problems(&i, Rules::Latest),
            [
                "the limit on `upload` names no action of the platform (its actions: publish, reply)",
                "the limit on `reply` is 0 per 86400000 ms; both must be above 0",
                "the parameter `followers`: its default 2000000000 is outside its range 0..=1000000000",
                "the parameter `comment_volume`: its default `viral` is not one of its choices (low, high)",
                "the parameter `verified`: its default 1 is not true or false, as a flag must be",
                "the parameter name `Bad-Name` is not well formed (1 to 64 lower-case letters, digits or `_`, starting with a letter)",
                "the parameter `verified` is listed twice",
                "two parameters stand for the shared word `audience` (the second is `subscribers`)",
                "the parameter `subscribers`: its default 1.5 is not a whole number, as a count must be",
                "the automatic share is 1.5; it must be above 0 and at most 1",
                "the API host `https://api.mast.example` is not a host name (lower-case labels of letters, digits and `-`, separated by dots, e.g. `api.example.com`)",
            ]
        );
        // 0.1 did not key limits by action.
        assert_eq!(problems(&i, Rules::V0_1).len(), 10);
    }

    #[test]
    fn ranges_and_kinds_are_checked() {
        let mut p = param("x", ParamKind::Number, "0.5");
        p.min = Some(1.0);
        p.max = Some(0.0);
        assert_eq!(check_param(&p).unwrap_err(), "its range 1..=0 is empty");
        p.max = Some(f64::NAN);
        assert_eq!(
            check_param(&p).unwrap_err(),
            "its max is NaN; it must be a finite number"
        );
        let mut flag = param("f", ParamKind::Flag, "true");
        flag.max = Some(1.0);
        assert_eq!(
            check_param(&flag).unwrap_err(),
            "a flag parameter has no range, yet it gives a max"
        );
        let bad_json = param("j", ParamKind::Count, "{");
        assert!(check_param(&bad_json)
            .unwrap_err()
            .starts_with("its default `{` is not JSON"));
        for share in [0.0, -0.1, f64::NAN, 1.0000001] {
            let mut i = info();
            i.automatic_share = Some(share);
            assert_eq!(problems(&i, Rules::Latest).len(), 1, "{share}");
        }
        for host in ["localhost", "a-b.c9.example", "www.googleapis.com"] {
            assert!(is_host_name(host), "{host}");
        }
        for host in [
            "",
            "a..b",
            "-a.b",
            "a-.b",
            "A.b",
            "a.b:443",
            "a/b",
            &"a".repeat(64),
        ] {
            assert!(!is_host_name(host), "{host}");
        }
    }
}
