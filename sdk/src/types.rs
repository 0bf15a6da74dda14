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
    /// The signal applies to one piece of content: sent on content, the
    /// host adds that content's id as the parameter `content_id`.
    pub on_content: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LimitInfo {
    pub action: String,
    pub max: u32,
    pub per: Millis,
}

/// A word of the shared vocabulary a demo host may use for any platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SharedParam {
    /// The account's audience (subscribers, followers...): a count.
    Audience,
    /// Views of a typical post: a count.
    AvgViews,
    /// Likes per view.
    EngagementRate,
    /// Posts per day.
    UploadFrequency,
    /// `low`, `medium`, `high` or `viral`.
    CommentVolume,
    /// `low`, `medium` or `high`.
    DmFrequency,
}

impl SharedParam {
    pub const ALL: [SharedParam; 6] = [
        SharedParam::Audience,
        SharedParam::AvgViews,
        SharedParam::EngagementRate,
        SharedParam::UploadFrequency,
        SharedParam::CommentVolume,
        SharedParam::DmFrequency,
    ];

    /// The word as a demo host writes it, e.g. `avg_views`.
    pub fn as_str(self) -> &'static str {
        match self {
            SharedParam::Audience => "audience",
            SharedParam::AvgViews => "avg_views",
            SharedParam::EngagementRate => "engagement_rate",
            SharedParam::UploadFrequency => "upload_frequency",
            SharedParam::CommentVolume => "comment_volume",
            SharedParam::DmFrequency => "dm_frequency",
        }
    }

    pub fn parse(word: &str) -> Option<SharedParam> {
        SharedParam::ALL.into_iter().find(|p| p.as_str() == word)
    }
}

/// What values a parameter takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    /// A whole number within `min..=max`.
    Count,
    /// A number within `min..=max`.
    Number,
    /// One of `choices`.
    Choice,
    /// true or false.
    Flag,
}

/// One account parameter: `init` accepts exactly the parameters `describe`
/// lists, and the defaults object is made of their defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamInfo {
    pub name: String,
    pub kind: ParamKind,
    /// JSON value: the default, or `null` when derived from other parameters.
    pub default: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// For [`ParamKind::Choice`]: the values accepted.
    pub choices: Vec<String>,
    pub description: String,
    /// The shared word this parameter stands for, if any.
    pub shared: Option<SharedParam>,
}

impl ParamInfo {
    /// The parameters a defaults object implies, in its key order: the kind
    /// is read off each default (a whole number is a count, text a choice
    /// with no list, `null` a number), with no range, description or shared
    /// word. This is how a 0.1 plugin's `defaults` is read.
    pub fn from_defaults(defaults: &str) -> Result<Vec<ParamInfo>, String> {
        let value: serde_json::Value = serde_json::from_str(defaults)
            .map_err(|e| format!("`defaults` is not valid JSON: {e}"))?;
        let serde_json::Value::Object(map) = value else {
            return Err("`defaults` must be a JSON object".to_string());
        };
        Ok(map
            .into_iter()
            .map(|(name, v)| ParamInfo {
                kind: match &v {
                    serde_json::Value::Bool(_) => ParamKind::Flag,
                    serde_json::Value::String(_) => ParamKind::Choice,
                    serde_json::Value::Number(n) if n.is_u64() || n.is_i64() => ParamKind::Count,
                    _ => ParamKind::Number,
                },
                default: v.to_string(),
                name,
                min: None,
                max: None,
                choices: Vec::new(),
                description: String::new(),
                shared: None,
            })
            .collect())
    }
}

/// The metric names a script reads as `v.views`, `v.likes` and `v.comments`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricRoles {
    pub views: Option<String>,
    pub likes: Option<String>,
    pub comments: Option<String>,
}

/// A format in which the real platform pushes notifications.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookFormat {
    pub name: String,
    /// The body's media type, e.g. `application/atom+xml`.
    pub content_type: String,
    pub description: String,
    /// How the host signs each delivery; `None`: the format is described
    /// but not sent (a plugin of contract 0.2, which cannot shape one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureScheme>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HmacAlgorithm {
    Sha1,
    Sha256,
}

/// What a webhook signature's HMAC covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignedContent {
    /// The body as sent.
    Body,
    /// `<t>.<body>`, `t` the send time in unix seconds.
    TimestampDotBody,
}

/// How the host signs every delivery of a webhook format with the
/// subscription's secret: the header `header` with `value`, in which
/// `{hex}` is replaced by the lowercase hex HMAC and `{t}` by the send time
/// in unix seconds (`sha256={hex}`, `t={t},s={hex}`). The host signs, so
/// the secret never enters the plugin and the timestamp is the attempt's
/// wall clock, which a plugin never reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureScheme {
    /// Lower case, e.g. `x-hub-signature-256`.
    pub header: String,
    pub algorithm: HmacAlgorithm,
    pub content: SignedContent,
    pub value: String,
}

impl SignatureScheme {
    /// Deliveries sent unsigned: the platform authenticates them another
    /// way (Telegram sends the secret token the bot chose as a header,
    /// which the plugin sets from the subscription's parameters).
    pub fn unsigned() -> SignatureScheme {
        SignatureScheme {
            header: String::new(),
            algorithm: HmacAlgorithm::Sha256,
            content: SignedContent::Body,
            value: String::new(),
        }
    }

    /// Whether this is [`SignatureScheme::unsigned`]: no header, no value.
    pub fn is_unsigned(&self) -> bool {
        self.header.is_empty() && self.value.is_empty()
    }
}

/// The handshake a platform makes when a webhook subscription is made: a
/// GET to the subscription's url with `query` and `challenge_param` set to
/// a random string, which the receiver must answer (2xx) as its whole body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub query: Vec<(String, String)>,
    /// e.g. `hub.challenge`.
    pub challenge_param: String,
}

/// The request a platform sends for one event, before the host signs it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub content_type: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlatformInfo {
    pub name: String,
    pub version: String,
    pub content_kinds: Vec<String>,
    pub interaction_kinds: Vec<String>,
    pub metrics: Vec<String>,
    pub metric_roles: MetricRoles,
    pub signals: Vec<SignalInfo>,
    pub actions: Vec<String>,
    /// Keyed by action names.
    pub limits: Vec<LimitInfo>,
    /// The account parameters `init` accepts.
    pub params: Vec<ParamInfo>,
    /// The share of an automatic profile's audience the platform takes when
    /// the profile does not name its platforms; `None`: it joins only
    /// profiles that name it.
    pub automatic_share: Option<f64>,
    /// The hosts of the platform's real API, e.g. `www.googleapis.com`.
    pub api_hosts: Vec<String>,
    pub webhook_formats: Vec<WebhookFormat>,
}

impl PlatformInfo {
    /// The defaults object: each parameter's default, by name.
    pub fn defaults(&self) -> serde_json::Map<String, serde_json::Value> {
        self.params
            .iter()
            .map(|p| {
                let value = serde_json::from_str(&p.default).unwrap_or(serde_json::Value::Null);
                (p.name.clone(), value)
            })
            .collect()
    }

    /// The defaults object as JSON text.
    pub fn defaults_json(&self) -> String {
        serde_json::Value::Object(self.defaults()).to_string()
    }

    /// The parameter standing for a shared word, if the platform has one.
    pub fn shared_param(&self, word: SharedParam) -> Option<&ParamInfo> {
        self.params.iter().find(|p| p.shared == Some(word))
    }
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

/// A request to the platform's own API, as a creator tool sent it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    /// Upper case, e.g. `GET`.
    pub method: String,
    /// The path below the platform's API root, e.g. `/youtube/v3/channels`.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A JSON answer.
    pub fn json(status: u16, body: &serde_json::Value) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }
}

/// A native request that changes the account: the host runs `action` as it
/// runs the same action through its own API, then hands the outcome and
/// `context` back to the plugin to shape the answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NativeAct {
    pub action: Action,
    pub context: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NativeOutcome {
    Respond(HttpResponse),
    Act(NativeAct),
}

/// What a native request may ask of the host itself rather than of the
/// platform. A [`NativeAct`] whose action kind is one of these runs in the
/// host, which then hands `finish-request` the outcome: no events when it
/// was done, [`ActionError::Invalid`] with the reason when it was refused
/// (a URL the server may not reach, parameters the format refuses). The
/// account's own actions never start with `diorama.`.
pub mod host_actions {
    /// Subscribe the profile to one of the platform's webhook formats,
    /// replacing the profile's subscriptions in that format (the platform
    /// keeps one, as Telegram's `setWebhook` does): parameters
    /// `{"format": name, "url": text, "params": {...}}`, the format's
    /// parameters as `webhook-subscribe` checks them.
    pub const SET_WEBHOOK: &str = "diorama.set_webhook";
    /// Remove the profile's subscriptions in a format: `{"format": name}`.
    pub const DELETE_WEBHOOK: &str = "diorama.delete_webhook";
    /// The request header in which the host tells the plugin of the
    /// profile's subscriptions in the platform's formats: a JSON array of
    /// `{"id", "url", "format": {"platform", "name", "params"}, "status",
    /// "pending", "last_error", "next_attempt_at", ...}`, as diorama's API
    /// lists webhooks (absent when there is none).
    pub const WEBHOOKS_HEADER: &str = "x-diorama-webhooks";
    /// A response header by which the plugin says it has nothing yet and
    /// the client asked to wait (a long poll, such as the Bot API's
    /// `getUpdates` with a `timeout`): whole seconds, at most
    /// [`MAX_LONG_POLL_S`]. The host holds the request and asks again as
    /// the account moves on, answering with the first answer without this
    /// header, or with this one (the header removed) when the time is up.
    pub const LONG_POLL_HEADER: &str = "x-diorama-long-poll";
    /// The longest a request is held for a long poll, in seconds.
    pub const MAX_LONG_POLL_S: u64 = 50;
    /// Whether `kind` is one the host runs.
    pub fn is_host_action(kind: &str) -> bool {
        kind.starts_with("diorama.")
    }
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
