//! Which events a hook receives, and the limits on what a client may ask.

use serde::{Deserialize, Serialize};

use crate::event::{StoredEvent, TYPE_NAMES};

/// Most values in one filter list.
pub const MAX_FILTER_VALUES: usize = 64;
/// Longest filter value, in bytes.
pub const MAX_FILTER_VALUE_BYTES: usize = 128;

/// Why a filter is refused; the message names the list and the value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("filter.{list} has {count} values, at most {MAX_FILTER_VALUES} are allowed")]
    TooManyValues { list: &'static str, count: usize },
    #[error("filter.{list}[{index}] is empty")]
    EmptyValue { list: &'static str, index: usize },
    #[error(
        "filter.{list}[{index}] is {len} bytes long, at most {MAX_FILTER_VALUE_BYTES} are allowed"
    )]
    ValueLength {
        list: &'static str,
        index: usize,
        len: usize,
    },
    #[error("filter.types[{index}]: unknown event type `{given}`; expected one of {}", TYPE_NAMES.join(", "))]
    UnknownType { index: usize, given: String },
}

/// Which events a hook receives: an event matches when it matches every
/// non-empty list; empty or absent lists match anything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventFilter {
    /// Platform names, as `GET /v1/platforms` lists them.
    #[serde(default)]
    pub platforms: Vec<String>,
    /// Event types: `content`, `interaction`, `metric`, `notice`.
    #[serde(default)]
    pub types: Vec<String>,
    /// Content or interaction kinds, metric names, notice codes.
    #[serde(default)]
    pub kinds: Vec<String>,
}

impl EventFilter {
    pub fn matches(&self, e: &StoredEvent) -> bool {
        fn any(list: &[String], v: &str) -> bool {
            list.is_empty() || list.iter().any(|x| x == v)
        }
        any(&self.platforms, &e.platform)
            && any(&self.types, e.event.type_name())
            && any(&self.kinds, e.event.kind())
    }

    pub(super) fn validate(&self) -> Result<(), FilterError> {
        for (name, list) in [
            ("platforms", &self.platforms),
            ("types", &self.types),
            ("kinds", &self.kinds),
        ] {
            if list.len() > MAX_FILTER_VALUES {
                return Err(FilterError::TooManyValues {
                    list: name,
                    count: list.len(),
                });
            }
            for (index, v) in list.iter().enumerate() {
                if v.is_empty() {
                    return Err(FilterError::EmptyValue { list: name, index });
                }
                if v.len() > MAX_FILTER_VALUE_BYTES {
                    return Err(FilterError::ValueLength {
                        list: name,
                        index,
                        len: v.len(),
                    });
                }
            }
        }
        for (index, t) in self.types.iter().enumerate() {
            if !TYPE_NAMES.contains(&t.as_str()) {
                return Err(FilterError::UnknownType {
                    index,
                    given: t.clone(),
                });
            }
        }
        Ok(())
    }
}
