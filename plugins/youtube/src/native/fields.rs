//! Partial responses: the `fields` parameter, in Google's syntax
//! (`items(id,snippet/title),nextPageToken`: a comma-separated list of
//! paths, `a/b` for a nested field, `a(b,c)` for several fields of `a`;
//! in an array the selection applies to each element).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// A parsed selection: each selected field and what is selected inside it
/// (an empty selection keeps the whole field).
#[derive(Debug, Default, PartialEq)]
pub struct Selection(BTreeMap<String, Selection>);

/// The longest `fields` value accepted.
const MAX_LEN: usize = 2048;
/// The deepest nesting accepted.
const MAX_DEPTH: usize = 16;

impl Selection {
    /// Parse a `fields` value; the error says what is wrong where.
    pub fn parse(s: &str) -> Result<Selection, String> {
        if s.len() > MAX_LEN {
            return Err(format!("at most {MAX_LEN} characters"));
        }
        let bytes = s.as_bytes();
        let mut pos = 0;
        let sel = parse_list(bytes, &mut pos, 0)?;
        if pos != bytes.len() {
            return Err(format!("unexpected `{}` at {pos}", bytes[pos] as char));
        }
        if sel.0.is_empty() {
            return Err("no field selected".into());
        }
        Ok(sel)
    }

    /// Keep only the selected fields of `value`.
    pub fn apply(&self, value: &mut Value) {
        if self.0.is_empty() {
            return;
        }
        match value {
            Value::Array(items) => items.iter_mut().for_each(|v| self.apply(v)),
            Value::Object(map) => {
                let old = std::mem::take(map);
                let mut kept = Map::new();
                for (k, mut v) in old {
                    if let Some(sub) = self.0.get(&k) {
                        sub.apply(&mut v);
                        kept.insert(k, v);
                    }
                }
                *map = kept;
            }
            _ => {}
        }
    }

    fn merge(&mut self, path: Vec<String>, leaf: Selection) {
        let mut node = self;
        let n = path.len();
        for (i, name) in path.into_iter().enumerate() {
            let entry = node.0.entry(name).or_default();
            if i + 1 == n {
                for (k, v) in leaf.0 {
                    entry.0.insert(k, v);
                }
                return;
            }
            node = entry;
        }
    }
}

fn parse_list(b: &[u8], pos: &mut usize, depth: usize) -> Result<Selection, String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested deeper than {MAX_DEPTH}"));
    }
    let mut sel = Selection::default();
    loop {
        // One path: name(/name)* optionally followed by (list).
        let mut path = Vec::new();
        loop {
            let start = *pos;
            while *pos < b.len()
                && (b[*pos].is_ascii_alphanumeric() || b[*pos] == b'_' || b[*pos] == b'*')
            {
                *pos += 1;
            }
            if start == *pos {
                return Err(match b.get(*pos) {
                    Some(c) => {
                        format!("expected a field name at {} (found `{}`)", *pos, *c as char)
                    }
                    None => format!("expected a field name at {}", *pos),
                });
            }
            path.push(String::from_utf8_lossy(&b[start..*pos]).into_owned());
            if b.get(*pos) == Some(&b'/') {
                *pos += 1;
                continue;
            }
            break;
        }
        let mut leaf = Selection::default();
        if b.get(*pos) == Some(&b'(') {
            *pos += 1;
            leaf = parse_list(b, pos, depth + 1)?;
            if b.get(*pos) != Some(&b')') {
                return Err(format!("unclosed `(` before {}", *pos));
            }
            *pos += 1;
        }
        sel.merge(path, leaf);
        match b.get(*pos) {
            Some(b',') => *pos += 1,
            _ => return Ok(sel),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selects_nested_fields_in_arrays() {
        let sel = Selection::parse("items(id,snippet/title),nextPageToken").unwrap();
        let mut v = json!({
            "kind": "k", "nextPageToken": "t",
            "items": [{"id": "a", "etag": "e", "snippet": {"title": "x", "description": "d"}}],
        });
        sel.apply(&mut v);
        assert_eq!(
            v,
            json!({"nextPageToken": "t", "items": [{"id": "a", "snippet": {"title": "x"}}]})
        );
    }

    #[test]
    fn rejects_malformed_selections() {
        for bad in ["", "items(", "items()", "a,,b", "a/", "a)b", "a b"] {
            assert!(Selection::parse(bad).is_err(), "{bad}");
        }
        let deep = "a(".repeat(40) + "b" + &")".repeat(40);
        assert!(Selection::parse(&deep).is_err());
    }
}
