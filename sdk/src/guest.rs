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

pub fn step<P: Platform>(cell: &StateCell<P>, from: Millis, to: Millis) -> Vec<wit::Event> {
    let mut guard = cell.borrow_mut();
    let Some(state) = guard.as_mut() else {
        crate::log(Level::Error, NOT_INITIALISED);
        return Vec::new();
    };
    OUT.with(|buf| {
        let mut out = buf.borrow_mut();
        out.clear();
        state.step(from, to, &mut out);
        out.drain(..).map(Into::into).collect()
    })
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
    let action = Action {
        kind: action.kind,
        params: action.params,
    };
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
        let defaults = p.defaults_json();
        wit::PlatformInfo {
            name: p.name,
            version: p.version,
            content_kinds: p.content_kinds,
            interaction_kinds: p.interaction_kinds,
            metrics: p.metrics,
            signals: p
                .signals
                .into_iter()
                .map(|s| wit::SignalInfo {
                    name: s.name,
                    description: s.description,
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
            defaults,
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
                fn step(from: i64, to: i64) -> ::std::vec::Vec<__wit::Event> {
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
            }

            $crate::bindings::__export_platform_bindings!(__DioramaExport with_types_in $crate::bindings);
        };
    };
}
