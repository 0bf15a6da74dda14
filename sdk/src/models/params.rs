//! Helpers for parsing a platform's JSON parameters by hand, so that every
//! error names the platform and the parameter at fault.

use serde_json::{Map, Value};

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
}
