//! Events, their pages, content and platforms as the API shows them.

use std::collections::BTreeMap;

use serde_json::Value;
use utoipa::ToSchema;

#[derive(ToSchema)]
pub struct Author {
    pub id: String,
    pub handle: String,
    pub display_name: String,
    pub avatar_url: String,
    pub verified: bool,
    pub followers: u64,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum Sentiment {
    Positive,
    Neutral,
    Negative,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum DmType {
    Fan,
    Question,
    Collaboration,
    Spam,
    Criticism,
}

// An event as `event::event_line` writes it.
#[derive(ToSchema)]
pub struct Event {
    /// Position in the profile's event log, from 1, contiguous.
    pub seq: u64,
    /// Virtual time, unix milliseconds.
    pub at: i64,
    #[schema(format = DateTime)]
    pub time: String,
    pub profile: String,
    /// A platform name, or `diorama` for the server's own notices.
    pub platform: String,
    #[schema(schema_with = super::computed::event_type)]
    pub r#type: String,
    /// Content or interaction kind, metric name or notice code.
    pub kind: String,
    #[schema(required = false)]
    pub id: String,
    #[schema(required = false)]
    pub content_id: String,
    #[schema(required = false)]
    pub parent_id: String,
    #[schema(required = false)]
    pub author: Author,
    #[schema(required = false)]
    pub title: String,
    #[schema(required = false)]
    pub text: String,
    #[schema(required = false)]
    pub url: String,
    #[schema(inline, required = false)]
    pub sentiment: Sentiment,
    #[schema(inline, required = false)]
    pub dm_type: DmType,
    #[schema(required = false)]
    pub total: i64,
    #[schema(required = false)]
    pub delta: i64,
}

#[derive(ToSchema)]
pub struct EventPage {
    pub items: Vec<Event>,
    /// The cursor for the next page (`after`): the last item's seq, or the `after` given.
    #[schema(required = true)]
    pub next: Option<String>,
    pub has_more: bool,
}

#[derive(ToSchema)]
#[schema(as = Content)]
pub struct ContentDoc {
    pub id: String,
    pub platform: String,
    pub kind: String,
    pub title: String,
    pub text: String,
    pub url: String,
    /// Virtual time, unix milliseconds.
    pub published_at: i64,
    #[schema(format = DateTime)]
    pub published: String,
    pub seq: u64,
    pub metrics: BTreeMap<String, i64>,
    pub interactions: u64,
}

#[derive(ToSchema)]
pub struct ContentPage {
    pub items: Vec<ContentDoc>,
    pub total: u64,
}

#[derive(ToSchema)]
pub struct PlatformList {
    #[schema(inline)]
    pub platforms: Vec<PlatformInfo>,
    /// The host's own platform, `diorama`: its signals inject faults into the
    /// platforms' APIs and webhooks (`fault::catalogue`).
    #[schema(inline)]
    pub host: HostPlatform,
}

/// Platform `diorama`: the signals the host itself answers.
#[derive(ToSchema)]
pub struct HostPlatform {
    /// Always `diorama`.
    pub platform: String,
    #[schema(inline)]
    pub signals: Vec<HostSignal>,
    /// The most faults active on a profile at once.
    pub max_active: u32,
}

/// A fault signal of platform `diorama`.
#[derive(ToSchema)]
pub struct HostSignal {
    pub name: String,
    pub description: String,
    /// Always false: a fault covers a platform or all of them.
    pub on_content: bool,
    #[schema(inline)]
    pub params: Vec<PlatformParam>,
}

/// A loaded platform, as its plugin describes itself (`LoadedPlugin::to_json`).
#[derive(ToSchema)]
pub struct PlatformInfo {
    pub name: String,
    pub version: String,
    /// The `diorama:platform` contract version the plugin was built for.
    pub interface: String,
    #[schema(required = false)]
    pub content_kinds: Vec<String>,
    #[schema(required = false)]
    pub interaction_kinds: Vec<String>,
    #[schema(required = false)]
    pub metrics: Vec<String>,
    #[schema(inline, required = false)]
    pub metric_roles: MetricRoles,
    #[schema(inline, required = false)]
    pub signals: Vec<PlatformSignal>,
    #[schema(required = false)]
    pub actions: Vec<String>,
    /// Keyed by action names.
    #[schema(inline, required = false)]
    pub limits: Vec<PlatformLimit>,
    /// The account parameters the platform accepts.
    #[schema(inline, required = false)]
    pub params: Vec<PlatformParam>,
    /// Each parameter's default, by name (`null`: derived from others).
    #[schema(value_type = Object, required = false)]
    pub defaults: Value,
    /// Its share of an automatic profile's `size` when the profile names no platforms; `null`: it joins only profiles that name it.
    #[schema(minimum = 0, maximum = 1, required = false)]
    pub automatic_share: Option<f64>,
    /// The hosts of the platform's real API.
    #[schema(required = false)]
    pub api_hosts: Vec<String>,
    /// The formats in which the real platform pushes notifications.
    #[schema(inline, required = false)]
    pub webhook_formats: Vec<PlatformWebhookFormat>,
}

/// The metrics a script reads as `views`, `likes` and `comments` (`null`: none).
#[derive(ToSchema)]
pub struct MetricRoles {
    #[schema(required = false)]
    pub views: Option<String>,
    #[schema(required = false)]
    pub likes: Option<String>,
    #[schema(required = false)]
    pub comments: Option<String>,
}

#[derive(ToSchema)]
pub struct PlatformSignal {
    #[schema(required = false)]
    pub name: String,
    #[schema(required = false)]
    pub description: String,
    /// The signal applies to one piece of content (a script may send it on content; the content's id is its `content_id`).
    #[schema(required = false)]
    pub on_content: bool,
}

#[derive(ToSchema)]
pub struct PlatformParam {
    pub name: String,
    #[schema(inline)]
    pub kind: ParamKind,
    /// The default: a number, text or true/false by `kind`; `null` when derived from other parameters.
    #[schema(required = false)]
    pub default: Value,
    #[schema(required = false)]
    pub min: Option<f64>,
    #[schema(required = false)]
    pub max: Option<f64>,
    /// For `choice`: the values accepted.
    #[schema(required = false)]
    pub choices: Vec<String>,
    #[schema(required = false)]
    pub description: String,
    /// The shared word this parameter stands for (`platforms.{name}.{word}` when creating a profile).
    #[schema(inline, required = false)]
    pub shared: Option<SharedWord>,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ParamKind {
    Count,
    Number,
    Choice,
    Flag,
}

/// The shared vocabulary of `platforms` options.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum SharedWord {
    Audience,
    AvgViews,
    EngagementRate,
    UploadFrequency,
    CommentVolume,
    DmFrequency,
}

#[derive(ToSchema)]
pub struct PlatformWebhookFormat {
    pub name: String,
    /// The body's media type.
    pub content_type: String,
    pub description: String,
    /// How each delivery is signed; absent when the plugin cannot send the
    /// format (built before contract 0.3): a subscription to it is refused.
    #[schema(required = false)]
    pub signature: WebhookSignatureScheme,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum HmacAlgorithmDoc {
    Sha1,
    Sha256,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum SignedContentDoc {
    Body,
    TimestampDotBody,
}

/// A header `header: value`, `{hex}` in the value being the lowercase hex
/// HMAC of the content keyed with the subscription's secret and `{t}` the
/// send time in unix seconds.
#[derive(ToSchema)]
pub struct WebhookSignatureScheme {
    /// Lower case, e.g. `x-hub-signature-256`.
    pub header: String,
    #[schema(inline)]
    pub algorithm: HmacAlgorithmDoc,
    /// What the HMAC covers: the body, or `<t>.<body>`.
    #[schema(inline)]
    pub content: SignedContentDoc,
    /// e.g. `sha256={hex}`, `t={t},s={hex}`.
    pub value: String,
}

#[derive(ToSchema)]
pub struct PlatformLimit {
    #[schema(required = false)]
    pub action: String,
    #[schema(required = false)]
    pub max: u64,
    /// virtual milliseconds
    #[schema(required = false)]
    pub per: u64,
}
