//! Parsing the creator's actions and writing what they publish, so every
//! error names the platform, the action and the parameter.

use serde_json::{Map, Value};

use crate::models::params::{check_known, text};
use crate::platform::parse_params;
use crate::types::{Action, ActionError, Author, Event, Interaction, Millis, Payload};

/// An action's parameters as a JSON object (empty text: an empty object).
pub fn params(platform: &str, action: &Action) -> Result<Map<String, Value>, ActionError> {
    match parse_params(&action.params) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Ok(Map::new()),
        Err(e) => Err(ActionError::Invalid(format!("{platform}: {e}"))),
    }
}

/// The error for an action the platform does not take.
pub fn unknown(platform: &str, action: &str, known: &[&str]) -> ActionError {
    ActionError::Invalid(format!(
        "{platform} does not support the action `{action}` (known: {})",
        known.join(", ")
    ))
}

/// A creator's answer to something (`reply` {comment_id, text},
/// `dm_reply` {dm_id, text}): what it answers, and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer<'a> {
    /// The id of the comment or message answered, as given.
    pub to: &'a str,
    pub text: String,
}

impl<'a> Answer<'a> {
    /// Parse `{<key>: string, text: non-empty string}` for `action`;
    /// unknown keys are refused.
    pub fn parse(
        platform: &str,
        action: &str,
        key: &str,
        map: &'a Map<String, Value>,
    ) -> Result<Answer<'a>, ActionError> {
        let invalid = ActionError::Invalid;
        check_known(
            platform,
            map,
            &[key, "text"],
            &format!("`{action}` parameter"),
        )
        .map_err(invalid)?;
        let Some(Value::String(to)) = map.get(key) else {
            return Err(invalid(format!(
                "{platform}: `{action}` needs a `{key}` string"
            )));
        };
        let text = text(platform, map, "text", action)
            .map_err(invalid)?
            .to_string();
        Ok(Answer { to, text })
    }
}

/// The creator's own interaction: a `reply` under a post or a `dm` in a
/// conversation, answering `parent_id`.
pub fn creator_event(
    at: Millis,
    kind: &str,
    id: String,
    content_id: Option<String>,
    parent_id: String,
    creator: &Author,
    text: String,
) -> Event {
    Event {
        at,
        payload: Payload::Interaction(Interaction {
            id,
            kind: kind.into(),
            content_id,
            parent_id: Some(parent_id),
            author: creator.clone(),
            text,
            sentiment: None,
            dm_type: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(json: &str) -> Map<String, Value> {
        params(
            "p",
            &Action {
                kind: "reply".into(),
                params: json.into(),
            },
        )
        .unwrap()
    }

    #[test]
    fn answers_parse_and_errors_name_the_field() {
        let m = map(r#"{"comment_id": "42", "text": "thanks"}"#);
        let a = Answer::parse("p", "reply", "comment_id", &m).unwrap();
        assert_eq!((a.to, a.text.as_str()), ("42", "thanks"));
        for (json, field) in [
            (r#"{"comment_id": 42, "text": "x"}"#, "`comment_id`"),
            (r#"{"comment_id": "42", "text": " "}"#, "`text`"),
            (r#"{"comment_id": "42", "text": "x", "mood": 1}"#, "`mood`"),
        ] {
            let m = map(json);
            match Answer::parse("p", "reply", "comment_id", &m) {
                Err(ActionError::Invalid(e)) => {
                    assert!(e.starts_with("p: ") && e.contains(field), "{e}")
                }
                other => panic!("{other:?}"),
            }
        }
        let bad = Action {
            kind: "reply".into(),
            params: "[1".into(),
        };
        assert!(matches!(params("p", &bad), Err(ActionError::Invalid(e)) if e.starts_with("p: ")));
        let e = unknown("p", "duet", &["publish", "reply"]);
        assert!(
            matches!(e, ActionError::Invalid(m) if m.contains("`duet`") && m.contains("publish, reply"))
        );
    }
}
