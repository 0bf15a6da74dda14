//! The host side of the WIT contract: one module per published version of
//! `diorama:platform`, each generated from its frozen folder under
//! `sdk/wit/` and holding, in one place, the conversions of that version's
//! types to the latest ones (the SDK's plain types, which the rest of the
//! runtime speaks).
//!
//! | module | WIT folder | what the conversions fill in |
//! | --- | --- | --- |
//! | [`v0_1_0`] | `sdk/wit/0.1.0` | typed parameters read off `defaults`, metric roles by name, no automatic share, every signal on content, next-due at the end of each window, no native API |
//! | [`v0_2_0`] | `sdk/wit/0.2.0` | no signature scheme on its webhook formats, no webhook shaping |
//! | [`v0_3_0`] | `sdk/wit/0.3.0` | nothing: 0.3 is the latest |
//!
//! What every version converts alike is written once, in
//! [`conversions_since_0_1`]; what 0.2 and every later version convert
//! alike, in [`conversions_since_0_2`] (which includes the first), with
//! what differs given as arguments. Each module expands the one it needs.
//!
//! Publishing a new version: freeze its WIT in a new folder, add a module
//! here generated from it, make it the latest (its conversions are then
//! field for field), give the previous latest module conversions that fill
//! in what it lacks, and add a variant for it where the instance dispatches
//! (`instance.rs`). A published folder never changes, nor what its module
//! converts.

/// The conversions every version writes the same way, field for field,
/// expanded inside each version's module (where `wit` and `sdk` name that
/// version's types and the SDK's).
macro_rules! conversions_since_0_1 {
    () => {
        impl From<&sdk::AccountConfig> for wit::AccountConfig {
            fn from(c: &sdk::AccountConfig) -> Self {
                wit::AccountConfig {
                    profile: c.profile.clone(),
                    niche: c.niche.clone(),
                    seed: c.seed,
                    start: c.start,
                    timezone: c.timezone.clone(),
                    params: c.params.clone(),
                }
            }
        }

        impl From<&sdk::Action> for wit::Action {
            fn from(a: &sdk::Action) -> Self {
                wit::Action {
                    kind: a.kind.clone(),
                    params: a.params.clone(),
                }
            }
        }

        impl From<wit::ActionError> for sdk::ActionError {
            fn from(e: wit::ActionError) -> Self {
                match e {
                    wit::ActionError::Invalid(m) => sdk::ActionError::Invalid(m),
                    wit::ActionError::NotFound(m) => sdk::ActionError::NotFound(m),
                    wit::ActionError::RateLimited(ms) => sdk::ActionError::RateLimited(ms),
                }
            }
        }

        impl From<wit::Author> for sdk::Author {
            fn from(a: wit::Author) -> Self {
                sdk::Author {
                    id: a.id,
                    handle: a.handle,
                    display_name: a.display_name,
                    avatar_url: a.avatar_url,
                    verified: a.verified,
                    followers: a.followers,
                }
            }
        }

        impl From<wit::Event> for sdk::Event {
            fn from(e: wit::Event) -> Self {
                let payload = match e.payload {
                    wit::Payload::Content(c) => sdk::Payload::Content(sdk::Content {
                        id: c.id,
                        kind: c.kind,
                        title: c.title,
                        text: c.text,
                        url: c.url,
                    }),
                    wit::Payload::Interaction(i) => sdk::Payload::Interaction(sdk::Interaction {
                        id: i.id,
                        kind: i.kind,
                        content_id: i.content_id,
                        parent_id: i.parent_id,
                        author: i.author.into(),
                        text: i.text,
                        sentiment: i.sentiment,
                        dm_type: i.dm_type,
                    }),
                    wit::Payload::Metric(m) => sdk::Payload::Metric(sdk::Metric {
                        content_id: m.content_id,
                        name: m.name,
                        total: m.total,
                        delta: m.delta,
                    }),
                    wit::Payload::Notice(n) => sdk::Payload::Notice(sdk::Notice {
                        code: n.code,
                        message: n.message,
                    }),
                };
                sdk::Event { at: e.at, payload }
            }
        }
    };
}
pub(crate) use conversions_since_0_1;

/// The conversions every version since 0.2 writes the same way, field for
/// field, expanded inside each version's module (where `wit`, `sdk`,
/// `StoreData`, `v0_1_0` and the generated `diorama` module name that
/// version's own items). `signature` is how the version's webhook format
/// `$w` gives its signature scheme.
macro_rules! conversions_since_0_2 {
    (webhook_signature: |$w:ident| $signature:expr) => {
        /// The shared types interface has no functions.
        impl wit::Host for StoreData {}

        /// A log line of a plugin of this version goes through the same budgeted logging as
        /// every version's (the sandbox's, written against 0.1's level, which is
        /// the same enum).
        impl diorama::platform::host::Host for StoreData {
            fn log(&mut self, level: wit::Level, message: String) {
                let level = match level {
                    wit::Level::Trace => v0_1_0::wit::Level::Trace,
                    wit::Level::Debug => v0_1_0::wit::Level::Debug,
                    wit::Level::Info => v0_1_0::wit::Level::Info,
                    wit::Level::Warn => v0_1_0::wit::Level::Warn,
                    wit::Level::Error => v0_1_0::wit::Level::Error,
                };
                v0_1_0::diorama::platform::host::Host::log(self, level, message);
            }
        }

        impl From<wit::PlatformInfo> for sdk::PlatformInfo {
            fn from(p: wit::PlatformInfo) -> Self {
                sdk::PlatformInfo {
                    name: p.name,
                    version: p.version,
                    content_kinds: p.content_kinds,
                    interaction_kinds: p.interaction_kinds,
                    metrics: p.metrics,
                    metric_roles: sdk::MetricRoles {
                        views: p.metric_roles.views,
                        likes: p.metric_roles.likes,
                        comments: p.metric_roles.comments,
                    },
                    signals: p
                        .signals
                        .into_iter()
                        .map(|s| sdk::SignalInfo {
                            name: s.name,
                            description: s.description,
                            on_content: s.on_content,
                        })
                        .collect(),
                    actions: p.actions,
                    limits: p
                        .limits
                        .into_iter()
                        .map(|l| sdk::LimitInfo {
                            action: l.action,
                            max: l.max,
                            per: l.per,
                        })
                        .collect(),
                    params: p.params.into_iter().map(Into::into).collect(),
                    automatic_share: p.automatic_share,
                    api_hosts: p.api_hosts,
                    webhook_formats: p
                        .webhook_formats
                        .into_iter()
                        .map(|$w| sdk::WebhookFormat {
                            name: $w.name,
                            content_type: $w.content_type,
                            description: $w.description,
                            signature: $signature,
                        })
                        .collect(),
                }
            }
        }

        impl From<wit::ParamInfo> for sdk::ParamInfo {
            fn from(p: wit::ParamInfo) -> Self {
                sdk::ParamInfo {
                    name: p.name,
                    kind: match p.kind {
                        wit::ParamKind::Count => sdk::ParamKind::Count,
                        wit::ParamKind::Number => sdk::ParamKind::Number,
                        wit::ParamKind::Choice => sdk::ParamKind::Choice,
                        wit::ParamKind::Flag => sdk::ParamKind::Flag,
                    },
                    default: p.default,
                    min: p.min,
                    max: p.max,
                    choices: p.choices,
                    description: p.description,
                    shared: p.shared.map(|s| match s {
                        wit::SharedParam::Audience => sdk::SharedParam::Audience,
                        wit::SharedParam::AvgViews => sdk::SharedParam::AvgViews,
                        wit::SharedParam::EngagementRate => sdk::SharedParam::EngagementRate,
                        wit::SharedParam::UploadFrequency => sdk::SharedParam::UploadFrequency,
                        wit::SharedParam::CommentVolume => sdk::SharedParam::CommentVolume,
                        wit::SharedParam::DmFrequency => sdk::SharedParam::DmFrequency,
                    }),
                }
            }
        }

        super::conversions_since_0_1!();

        impl From<wit::Action> for sdk::Action {
            fn from(a: wit::Action) -> Self {
                sdk::Action {
                    kind: a.kind,
                    params: a.params,
                }
            }
        }

        impl From<&sdk::ActionError> for wit::ActionError {
            fn from(e: &sdk::ActionError) -> Self {
                match e {
                    sdk::ActionError::Invalid(m) => wit::ActionError::Invalid(m.clone()),
                    sdk::ActionError::NotFound(m) => wit::ActionError::NotFound(m.clone()),
                    sdk::ActionError::RateLimited(ms) => wit::ActionError::RateLimited(*ms),
                }
            }
        }

        impl From<&sdk::Author> for wit::Author {
            fn from(a: &sdk::Author) -> Self {
                wit::Author {
                    id: a.id.clone(),
                    handle: a.handle.clone(),
                    display_name: a.display_name.clone(),
                    avatar_url: a.avatar_url.clone(),
                    verified: a.verified,
                    followers: a.followers,
                }
            }
        }

        /// An event handed back to the plugin (`finish-request`'s outcome).
        impl From<&sdk::Event> for wit::Event {
            fn from(e: &sdk::Event) -> Self {
                let payload = match &e.payload {
                    sdk::Payload::Content(c) => wit::Payload::Content(wit::Content {
                        id: c.id.clone(),
                        kind: c.kind.clone(),
                        title: c.title.clone(),
                        text: c.text.clone(),
                        url: c.url.clone(),
                    }),
                    sdk::Payload::Interaction(i) => wit::Payload::Interaction(wit::Interaction {
                        id: i.id.clone(),
                        kind: i.kind.clone(),
                        content_id: i.content_id.clone(),
                        parent_id: i.parent_id.clone(),
                        author: (&i.author).into(),
                        text: i.text.clone(),
                        sentiment: i.sentiment.clone(),
                        dm_type: i.dm_type.clone(),
                    }),
                    sdk::Payload::Metric(m) => wit::Payload::Metric(wit::Metric {
                        content_id: m.content_id.clone(),
                        name: m.name.clone(),
                        total: m.total,
                        delta: m.delta,
                    }),
                    sdk::Payload::Notice(n) => wit::Payload::Notice(wit::Notice {
                        code: n.code.clone(),
                        message: n.message.clone(),
                    }),
                };
                wit::Event { at: e.at, payload }
            }
        }

        impl From<&sdk::HttpRequest> for wit::HttpRequest {
            fn from(r: &sdk::HttpRequest) -> Self {
                wit::HttpRequest {
                    method: r.method.clone(),
                    path: r.path.clone(),
                    query: r.query.clone(),
                    headers: r.headers.clone(),
                    body: r.body.clone(),
                }
            }
        }

        impl From<wit::HttpResponse> for sdk::HttpResponse {
            fn from(r: wit::HttpResponse) -> Self {
                sdk::HttpResponse {
                    status: r.status,
                    headers: r.headers,
                    body: r.body,
                }
            }
        }

        impl From<wit::NativeOutcome> for sdk::NativeOutcome {
            fn from(o: wit::NativeOutcome) -> Self {
                match o {
                    wit::NativeOutcome::Respond(r) => sdk::NativeOutcome::Respond(r.into()),
                    wit::NativeOutcome::Act(a) => sdk::NativeOutcome::Act(sdk::NativeAct {
                        action: a.action.into(),
                        context: a.context,
                    }),
                }
            }
        }
    };
}
pub(crate) use conversions_since_0_2;

pub(crate) mod v0_1_0;
pub(crate) mod v0_2_0;
pub(crate) mod v0_3_0;

/// The versions this host loads, oldest first, as components name them in
/// their export (`diorama:platform/simulator@0.3.0`).
pub(crate) const VERSIONS: &[&str] = &[v0_1_0::VERSION, v0_2_0::VERSION, v0_3_0::VERSION];
