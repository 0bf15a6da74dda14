//! Script values in and out: options maps, JSON for plugins and reports.

use rhai::{Dynamic, Map, INT};

use super::{err, Res};
use crate::script::ScriptLimits;

/// `value` as JSON.
pub(super) fn to_json(value: &Dynamic, what: &str) -> Res<serde_json::Value> {
    rhai::serde::from_dynamic::<serde_json::Value>(value)
        .map_err(|e| format!("{what} cannot be expressed as JSON: {e}").into())
}

/// `value` as JSON for a plugin, refused when larger than the limit.
pub(super) fn params_json(
    value: Dynamic,
    what: &str,
    limits: &ScriptLimits,
) -> Res<serde_json::Value> {
    let json = to_json(&value, what)?;
    let size = json_size(&json);
    if size > limits.max_params_bytes {
        return err(format!(
            "{what} are {size} bytes of JSON; at most {} are accepted",
            limits.max_params_bytes
        ));
    }
    Ok(json)
}

/// The size of `value` written as JSON.
pub(super) fn json_size(value: &serde_json::Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 = self.0.saturating_add(b.len());
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    // Writing plain JSON into a counter cannot fail.
    let _ = serde_json::to_writer(&mut c, value);
    c.0
}

/// The string option `key`, if given.
pub(super) fn opt_str(map: &Map, key: &str) -> Res<Option<String>> {
    match map.get(key) {
        None => Ok(None),
        Some(v) if v.is_unit() => Ok(None),
        Some(v) => match v.clone().into_string() {
            Ok(s) => Ok(Some(s)),
            Err(t) => err(format!("`{key}` must be a string, not {t}")),
        },
    }
}

/// The integer option `key`, if given.
pub(super) fn opt_int(map: &Map, key: &str) -> Res<Option<INT>> {
    match map.get(key) {
        None => Ok(None),
        Some(v) if v.is_unit() => Ok(None),
        Some(v) => match v.as_int() {
            Ok(i) => Ok(Some(i)),
            Err(t) => err(format!("`{key}` must be an integer, not {t}")),
        },
    }
}

/// Refuse options other than `allowed`.
pub(super) fn check_keys(map: &Map, allowed: &[&str], what: &str) -> Res<()> {
    for k in map.keys() {
        if !allowed.contains(&k.as_str()) {
            return err(format!(
                "{what}: unknown option `{k}` (options: {})",
                allowed.join(", ")
            ));
        }
    }
    Ok(())
}
