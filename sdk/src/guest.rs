//! The component side of the contract: the generated bindings, conversions
//! between them and the SDK's plain types, and the functions the
//! [`export_platform!`](crate::export_platform) macro forwards to.
//!
//! Nothing here is for plugin authors to call directly.

use std::cell::RefCell;

use crate::bindings::diorama::platform::types as wit;
use crate::platform::{parse_params, restore as decode, snapshot as encode, Platform};
use crate::types::*;

/// The instance's state: `None` until `init` succeeds.
pub type StateCell<P> = RefCell<Option<P>>;

const NOT_INITIALISED: &str = "the simulator was called before `init`";

pub fn describe<P: Platform>() -> wit::PlatformInfo {
    P::describe().into()
}

pub fn init<P: Platform>(cell: &StateCell<P>, config: wit::AccountConfig) -> Result<(), String> {
    let state = P::init(&config.into())?;
    *cell.borrow_mut() = Some(state);
    Ok(())
}

pub fn step<P: Platform>(cell: &StateCell<P>, from: Millis, to: Millis) -> wit::StepResult {
    let mut guard = cell.borrow_mut();
    let Some(state) = guard.as_mut() else {
        crate::log(Level::Error, NOT_INITIALISED);
        return wit::StepResult {
            events: Vec::new(),
            next_due: None,
        };
    };
    let events = OUT.with(|buf| {
        let mut out = buf.borrow_mut();
        out.clear();
        state.step(from, to, &mut out);
        out.drain(..).map(Into::into).collect()
    });
    wit::StepResult {
        events,
        next_due: state.next_due(to),
    }
}

thread_local! {
    /// The step's output buffer, reused so a busy window does not grow a
    /// fresh vector every time.
    static OUT: RefCell<Vec<Event>> = const { RefCell::new(Vec::new()) };
}

pub fn signal<P: Platform>(
    cell: &StateCell<P>,
    at: Millis,
    name: String,
    params: String,
) -> Result<(), String> {
    let mut guard = cell.borrow_mut();
    let state = guard.as_mut().ok_or(NOT_INITIALISED)?;
    let params = parse_params(&params)?;
    state.signal(at, &name, &params)
}

pub fn act<P: Platform>(
    cell: &StateCell<P>,
    at: Millis,
    action: wit::Action,
) -> Result<Vec<wit::Event>, wit::ActionError> {
    let mut guard = cell.borrow_mut();
    let state = guard
        .as_mut()
        .ok_or_else(|| wit::ActionError::Invalid(NOT_INITIALISED.into()))?;
    let action = Action::from(action);
    match state.act(at, &action) {
        Ok(events) => Ok(events.into_iter().map(Into::into).collect()),
        Err(e) => Err(e.into()),
    }
}

pub fn snapshot<P: Platform>(cell: &StateCell<P>) -> Vec<u8> {
    cell.borrow().as_ref().map(encode).unwrap_or_default()
}

pub fn restore<P: Platform>(cell: &StateCell<P>, bytes: Vec<u8>) -> Result<(), String> {
    let state: P = decode(&bytes)?;
    *cell.borrow_mut() = Some(state);
    Ok(())
}

pub fn handle_request<P: Platform>(
    cell: &StateCell<P>,
    at: Millis,
    request: wit::HttpRequest,
) -> wit::NativeOutcome {
    let guard = cell.borrow();
    let Some(state) = guard.as_ref() else {
        return wit::NativeOutcome::Respond(not_initialised_response());
    };
    state.handle_request(at, &request.into()).into()
}

pub fn finish_request<P: Platform>(
    cell: &StateCell<P>,
    at: Millis,
    context: String,
    outcome: Result<Vec<wit::Event>, wit::ActionError>,
) -> wit::HttpResponse {
    let guard = cell.borrow();
    let Some(state) = guard.as_ref() else {
        return not_initialised_response();
    };
    let outcome: Result<Vec<Event>, ActionError> = match outcome {
        Ok(events) => Ok(events.into_iter().map(Into::into).collect()),
        Err(e) => Err(e.into()),
    };
    let outcome = match &outcome {
        Ok(events) => Ok(events.as_slice()),
        Err(e) => Err(e),
    };
    state.finish_request(at, &context, outcome).into()
}

pub fn webhook_subscribe<P: Platform>(
    cell: &StateCell<P>,
    format: String,
    params: String,
) -> Result<Option<wit::Verification>, String> {
    let guard = cell.borrow();
    let state = guard.as_ref().ok_or(NOT_INITIALISED)?;
    let params = parse_params(&params)?;
    Ok(state
        .webhook_subscribe(&format, &params)?
        .map(|v| wit::Verification {
            query: v.query,
            challenge_param: v.challenge_param,
        }))
}

pub fn shape_webhook<P: Platform>(
    cell: &StateCell<P>,
    format: String,
    params: String,
    event: wit::Event,
) -> Option<wit::WebhookDelivery> {
    let guard = cell.borrow();
    let Some(state) = guard.as_ref() else {
        crate::log(Level::Error, NOT_INITIALISED);
        return None;
    };
    let params = match parse_params(&params) {
        Ok(p) => p,
        Err(e) => {
            crate::log(Level::Error, &e);
            return None;
        }
    };
    state
        .shape_webhook(&format, &params, &event.into())
        .map(|d| wit::WebhookDelivery {
            content_type: d.content_type,
            headers: d.headers,
            body: d.body,
        })
}

impl From<SignatureScheme> for wit::SignatureScheme {
    fn from(s: SignatureScheme) -> Self {
        wit::SignatureScheme {
            header: s.header,
            algorithm: match s.algorithm {
                HmacAlgorithm::Sha1 => wit::HmacAlgorithm::Sha1,
                HmacAlgorithm::Sha256 => wit::HmacAlgorithm::Sha256,
            },
            content: match s.content {
                SignedContent::Body => wit::SignedContent::Body,
                SignedContent::TimestampDotBody => wit::SignedContent::TimestampDotBody,
            },
            value: s.value,
        }
    }
}

fn not_initialised_response() -> wit::HttpResponse {
    HttpResponse::json(500, &serde_json::json!({ "error": NOT_INITIALISED })).into()
}

/// Send a log line to the host.
#[cfg(target_arch = "wasm32")]
pub fn host_log(level: Level, message: &str) {
    crate::bindings::diorama::platform::host::log(level.into(), message);
}

impl From<Level> for wit::Level {
    fn from(l: Level) -> Self {
        match l {
            Level::Trace => wit::Level::Trace,
            Level::Debug => wit::Level::Debug,
            Level::Info => wit::Level::Info,
            Level::Warn => wit::Level::Warn,
            Level::Error => wit::Level::Error,
        }
    }
}

impl From<wit::Action> for Action {
    fn from(a: wit::Action) -> Self {
        Action {
            kind: a.kind,
            params: a.params,
        }
    }
}

impl From<wit::AccountConfig> for AccountConfig {
    fn from(c: wit::AccountConfig) -> Self {
        AccountConfig {
            profile: c.profile,
            niche: c.niche,
            seed: c.seed,
            start: c.start,
            timezone: c.timezone,
            params: c.params,
        }
    }
}

impl From<PlatformInfo> for wit::PlatformInfo {
    fn from(p: PlatformInfo) -> Self {
        wit::PlatformInfo {
            name: p.name,
            version: p.version,
            content_kinds: p.content_kinds,
            interaction_kinds: p.interaction_kinds,
            metrics: p.metrics,
            metric_roles: wit::MetricRoles {
                views: p.metric_roles.views,
                likes: p.metric_roles.likes,
                comments: p.metric_roles.comments,
            },
            signals: p
                .signals
                .into_iter()
                .map(|s| wit::SignalInfo {
                    name: s.name,
                    description: s.description,
                    on_content: s.on_content,
                })
                .collect(),
            actions: p.actions,
            limits: p
                .limits
                .into_iter()
                .map(|l| wit::LimitInfo {
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
                .map(|w| wit::WebhookFormat {
                    name: w.name,
                    content_type: w.content_type,
                    description: w.description,
                    signature: w.signature.map(Into::into),
                })
                .collect(),
        }
    }
}

impl From<ParamInfo> for wit::ParamInfo {
    fn from(p: ParamInfo) -> Self {
        wit::ParamInfo {
            name: p.name,
            kind: match p.kind {
                ParamKind::Count => wit::ParamKind::Count,
                ParamKind::Number => wit::ParamKind::Number,
                ParamKind::Choice => wit::ParamKind::Choice,
                ParamKind::Flag => wit::ParamKind::Flag,
            },
            default: p.default,
            min: p.min,
            max: p.max,
            choices: p.choices,
            description: p.description,
            shared: p.shared.map(|s| match s {
                SharedParam::Audience => wit::SharedParam::Audience,
                SharedParam::AvgViews => wit::SharedParam::AvgViews,
                SharedParam::EngagementRate => wit::SharedParam::EngagementRate,
                SharedParam::UploadFrequency => wit::SharedParam::UploadFrequency,
                SharedParam::CommentVolume => wit::SharedParam::CommentVolume,
                SharedParam::DmFrequency => wit::SharedParam::DmFrequency,
            }),
        }
    }
}

impl From<wit::HttpRequest> for HttpRequest {
    fn from(r: wit::HttpRequest) -> Self {
        HttpRequest {
            method: r.method,
            path: r.path,
            query: r.query,
            headers: r.headers,
            body: r.body,
        }
    }
}

impl From<HttpResponse> for wit::HttpResponse {
    fn from(r: HttpResponse) -> Self {
        wit::HttpResponse {
            status: r.status,
            headers: r.headers,
            body: r.body,
        }
    }
}

impl From<Action> for wit::Action {
    fn from(a: Action) -> Self {
        wit::Action {
            kind: a.kind,
            params: a.params,
        }
    }
}

impl From<NativeOutcome> for wit::NativeOutcome {
    fn from(o: NativeOutcome) -> Self {
        match o {
            NativeOutcome::Respond(r) => wit::NativeOutcome::Respond(r.into()),
            NativeOutcome::Act(a) => wit::NativeOutcome::Act(wit::NativeAct {
                action: a.action.into(),
                context: a.context,
            }),
        }
    }
}

impl From<Author> for wit::Author {
    fn from(a: Author) -> Self {
        wit::Author {
            id: a.id,
            handle: a.handle,
            display_name: a.display_name,
            avatar_url: a.avatar_url,
            verified: a.verified,
            followers: a.followers,
        }
    }
}

impl From<Event> for wit::Event {
    fn from(e: Event) -> Self {
        let payload = match e.payload {
            Payload::Content(c) => wit::Payload::Content(wit::Content {
                id: c.id,
                kind: c.kind,
                title: c.title,
                text: c.text,
                url: c.url,
            }),
            Payload::Interaction(i) => wit::Payload::Interaction(wit::Interaction {
                id: i.id,
                kind: i.kind,
                content_id: i.content_id,
                parent_id: i.parent_id,
                author: i.author.into(),
                text: i.text,
                sentiment: i.sentiment,
                dm_type: i.dm_type,
            }),
            Payload::Metric(m) => wit::Payload::Metric(wit::Metric {
                content_id: m.content_id,
                name: m.name,
                total: m.total,
                delta: m.delta,
            }),
            Payload::Notice(n) => wit::Payload::Notice(wit::Notice {
                code: n.code,
                message: n.message,
            }),
        };
        wit::Event { at: e.at, payload }
    }
}

impl From<wit::Author> for Author {
    fn from(a: wit::Author) -> Self {
        Author {
            id: a.id,
            handle: a.handle,
            display_name: a.display_name,
            avatar_url: a.avatar_url,
            verified: a.verified,
            followers: a.followers,
        }
    }
}

impl From<wit::Event> for Event {
    fn from(e: wit::Event) -> Self {
        let payload = match e.payload {
            wit::Payload::Content(c) => Payload::Content(Content {
                id: c.id,
                kind: c.kind,
                title: c.title,
                text: c.text,
                url: c.url,
            }),
            wit::Payload::Interaction(i) => Payload::Interaction(Interaction {
                id: i.id,
                kind: i.kind,
                content_id: i.content_id,
                parent_id: i.parent_id,
                author: i.author.into(),
                text: i.text,
                sentiment: i.sentiment,
                dm_type: i.dm_type,
            }),
            wit::Payload::Metric(m) => Payload::Metric(Metric {
                content_id: m.content_id,
                name: m.name,
                total: m.total,
                delta: m.delta,
            }),
            wit::Payload::Notice(n) => Payload::Notice(Notice {
                code: n.code,
                message: n.message,
            }),
        };
        Event { at: e.at, payload }
    }
}

impl From<wit::ActionError> for ActionError {
    fn from(e: wit::ActionError) -> Self {
        match e {
            wit::ActionError::Invalid(m) => ActionError::Invalid(m),
            wit::ActionError::NotFound(m) => ActionError::NotFound(m),
            wit::ActionError::RateLimited(ms) => ActionError::RateLimited(ms),
        }
    }
}

impl From<ActionError> for wit::ActionError {
    fn from(e: ActionError) -> Self {
        match e {
            ActionError::Invalid(m) => wit::ActionError::Invalid(m),
            ActionError::NotFound(m) => wit::ActionError::NotFound(m),
            ActionError::RateLimited(ms) => wit::ActionError::RateLimited(ms),
        }
    }
}

/// Export a [`Platform`] implementation as the component's `simulator`.
///
/// The export exists only when building for WebAssembly; a native build of
/// the same crate (for tests and benchmarks) compiles it away.
///
/// ```ignore
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct MyPlatform { /* state */ }
/// impl diorama_sdk::Platform for MyPlatform { /* ... */ }
/// diorama_sdk::export_platform!(MyPlatform);
/// ```
#[macro_export]
macro_rules! export_platform {
    ($ty:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            use $crate::bindings::diorama::platform::types as __wit;
            use $crate::bindings::exports::diorama::platform::simulator::Guest as __Guest;

            struct __DioramaExport;

            ::std::thread_local! {
                static __DIORAMA_STATE: $crate::guest::StateCell<$ty> =
                    const { ::core::cell::RefCell::new(::core::option::Option::None) };
            }

            impl __Guest for __DioramaExport {
                fn describe() -> __wit::PlatformInfo {
                    $crate::guest::describe::<$ty>()
                }
                fn init(config: __wit::AccountConfig) -> ::core::result::Result<(), ::std::string::String> {
                    __DIORAMA_STATE.with(|s| $crate::guest::init::<$ty>(s, config))
                }
                fn step(from: i64, to: i64) -> __wit::StepResult {
                    __DIORAMA_STATE.with(|s| $crate::guest::step::<$ty>(s, from, to))
                }
                fn signal(
                    at: i64,
                    name: ::std::string::String,
                    params: ::std::string::String,
                ) -> ::core::result::Result<(), ::std::string::String> {
                    __DIORAMA_STATE.with(|s| $crate::guest::signal::<$ty>(s, at, name, params))
                }
                fn act(
                    at: i64,
                    action: __wit::Action,
                ) -> ::core::result::Result<::std::vec::Vec<__wit::Event>, __wit::ActionError> {
                    __DIORAMA_STATE.with(|s| $crate::guest::act::<$ty>(s, at, action))
                }
                fn snapshot() -> ::std::vec::Vec<u8> {
                    __DIORAMA_STATE.with(|s| $crate::guest::snapshot::<$ty>(s))
                }
                fn restore(state: ::std::vec::Vec<u8>) -> ::core::result::Result<(), ::std::string::String> {
                    __DIORAMA_STATE.with(|s| $crate::guest::restore::<$ty>(s, state))
                }
                fn handle_request(at: i64, request: __wit::HttpRequest) -> __wit::NativeOutcome {
                    __DIORAMA_STATE.with(|s| $crate::guest::handle_request::<$ty>(s, at, request))
                }
                fn finish_request(
                    at: i64,
                    context: ::std::string::String,
                    outcome: ::core::result::Result<::std::vec::Vec<__wit::Event>, __wit::ActionError>,
                ) -> __wit::HttpResponse {
                    __DIORAMA_STATE.with(|s| $crate::guest::finish_request::<$ty>(s, at, context, outcome))
                }
                fn webhook_subscribe(
                    format: ::std::string::String,
                    params: ::std::string::String,
                ) -> ::core::result::Result<::core::option::Option<__wit::Verification>, ::std::string::String> {
                    __DIORAMA_STATE.with(|s| $crate::guest::webhook_subscribe::<$ty>(s, format, params))
                }
                fn shape_webhook(
                    format: ::std::string::String,
                    params: ::std::string::String,
                    event: __wit::Event,
                ) -> ::core::option::Option<__wit::WebhookDelivery> {
                    __DIORAMA_STATE.with(|s| $crate::guest::shape_webhook::<$ty>(s, format, params, event))
                }
            }

            $crate::bindings::__export_platform_bindings!(__DioramaExport with_types_in $crate::bindings);
        };
    };
}
