//! Plain Rust mirrors of the WIT types. Plugins, the native harness and the
//! host all speak these; the export macro converts them at the component
//! boundary.

use serde::{Deserialize, Serialize};

/// Virtual time, unix milliseconds.
pub type Millis = i64;

/// One second, minute, hour and day of virtual time.
pub const SECOND: Millis = 1_000;
pub const MINUTE: Millis = 60 * SECOND;
pub const HOUR: Millis = 60 * MINUTE;
pub const DAY: Millis = 24 * HOUR;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignalInfo {
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LimitInfo {
    pub action: String,
    pub max: u32,
    pub per: Millis,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlatformInfo {
    pub name: String,
    pub version: String,
    pub content_kinds: Vec<String>,
    pub interaction_kinds: Vec<String>,
    pub metrics: Vec<String>,
    pub signals: Vec<SignalInfo>,
    pub actions: Vec<String>,
    pub limits: Vec<LimitInfo>,
    /// JSON object: the account parameters and their defaults.
    pub defaults: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountConfig {
    pub profile: String,
    pub niche: String,
    pub seed: u64,
    pub start: Millis,
    pub timezone: String,
    /// JSON object: platform parameters.
    pub params: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    pub id: String,
    pub handle: String,
    pub display_name: String,
    pub avatar_url: String,
    pub verified: bool,
    pub followers: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Content {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub text: String,
    pub url: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interaction {
    pub id: String,
    pub kind: String,
    pub content_id: Option<String>,
    pub parent_id: Option<String>,
    pub author: Author,
    pub text: String,
    pub sentiment: Option<String>,
    pub dm_type: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metric {
    pub content_id: Option<String>,
    pub name: String,
    pub total: i64,
    pub delta: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub code: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Payload {
    Content(Content),
    Interaction(Interaction),
    Metric(Metric),
    Notice(Notice),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub at: Millis,
    pub payload: Payload,
}

impl Event {
    /// `content`, `interaction`, `metric` or `notice`.
    pub fn type_name(&self) -> &'static str {
        match &self.payload {
            Payload::Content(_) => "content",
            Payload::Interaction(_) => "interaction",
            Payload::Metric(_) => "metric",
            Payload::Notice(_) => "notice",
        }
    }

    /// The specific kind: the content or interaction kind, the metric name,
    /// or the notice code.
    pub fn kind(&self) -> &str {
        match &self.payload {
            Payload::Content(c) => &c.kind,
            Payload::Interaction(i) => &i.kind,
            Payload::Metric(m) => &m.name,
            Payload::Notice(n) => &n.code,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub kind: String,
    /// JSON object.
    pub params: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionError {
    Invalid(String),
    NotFound(String),
    /// Retry after this many milliseconds.
    RateLimited(Millis),
}

impl std::fmt::Display for ActionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ActionError::Invalid(m) => write!(f, "invalid action: {m}"),
            ActionError::NotFound(m) => write!(f, "not found: {m}"),
            ActionError::RateLimited(ms) => write!(f, "rate limited: retry after {ms} ms"),
        }
    }
}
