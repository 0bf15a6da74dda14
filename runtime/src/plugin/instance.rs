//! A plugin instance: one account on one platform, in its own store, and
//! every call into it under the deadline, the memory limit and the result
//! budget; a failure that poisons it is classified here.

use std::sync::Arc;
use std::time::Duration;

use diorama_sdk::{
    AccountConfig, Action, ActionError, Event, HttpRequest, HttpResponse, Millis, NativeOutcome,
    PlatformInfo, Verification, WebhookDelivery,
};
use wasmtime::{Engine, Store};

use super::bindings::{v0_1_0, v0_2_0, v0_3_0};
use super::budget::{self, Exceeded};
use super::error::{ErrorKind, PluginError};
use super::sandbox::{self, EpochTicker, StoreData, TICK};
use super::validate::Rules;
use super::HostOptions;

/// A pre-instantiated component, by interface version.
#[derive(Clone)]
pub(super) enum Pre {
    V0_1_0(v0_1_0::PlatformPre<StoreData>),
    V0_2_0(v0_2_0::PlatformPre<StoreData>),
    V0_3_0(v0_3_0::PlatformPre<StoreData>),
}

impl Pre {
    /// The `diorama:platform` version of the component.
    pub(super) fn version(&self) -> &'static str {
        match self {
            Pre::V0_1_0(_) => v0_1_0::VERSION,
            Pre::V0_2_0(_) => v0_2_0::VERSION,
            Pre::V0_3_0(_) => v0_3_0::VERSION,
        }
    }

    /// The rules its description is checked by.
    pub(super) fn rules(&self) -> Rules {
        match self {
            Pre::V0_1_0(_) => Rules::V0_1,
            Pre::V0_2_0(_) | Pre::V0_3_0(_) => Rules::Latest,
        }
    }
}

/// The bindings of a live instance, by interface version.
enum Bindings {
    V0_1_0(v0_1_0::Platform),
    V0_2_0(v0_2_0::Platform),
    V0_3_0(v0_3_0::Platform),
}

/// What one `step` gives: the events of the window and when the plugin
/// next has something due.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepOutput {
    /// The events, each with `from <= at < to`.
    pub events: Vec<Event>,
    /// The earliest virtual time, at or after the window's end, at which
    /// the plugin may have something to emit; `None`: nothing until a
    /// signal or an action. A 0.1 plugin is due at the end of every window.
    pub next_due: Option<Millis>,
}

/// A live plugin instance: one account on one platform.
///
/// After a timeout, a trap, running out of memory or going over the result
/// budget, the instance is failed: every later call returns the same error
/// without calling in.
pub struct PluginInstance {
    platform: Arc<str>,
    /// The `diorama:platform` version it was built for.
    version: &'static str,
    store: Store<StoreData>,
    bindings: Bindings,
    timeout: Duration,
    memory_limit: usize,
    result_limit: usize,
    deadline_ticks: u64,
    /// The virtual time of the last call, for calls that carry none.
    now: Millis,
    failure: Option<PluginError>,
    _ticker: Arc<EpochTicker>,
}

impl std::fmt::Debug for PluginInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginInstance")
            .field("platform", &self.platform)
            .field("failed", &self.failure.is_some())
            .finish_non_exhaustive()
    }
}

impl PluginInstance {
    pub(super) fn create(
        engine: &Engine,
        pre: &Pre,
        platform: Arc<str>,
        seed: u64,
        options: &HostOptions,
        ticker: Arc<EpochTicker>,
    ) -> Result<Self, PluginError> {
        let data = StoreData::new(platform.clone(), seed, options.memory_limit);
        let mut store = Store::new(engine, data);
        store.limiter(|d| &mut d.limiter);
        // The results of a call are copied out of the guest's memory (lifted)
        // by wasmtime before the host sees them, and in the component ABI
        // every string or list in a result may point at the same guest
        // bytes: a plugin within its memory limit could describe terabytes.
        // Checking the lifted values would come too late, and lifting lazily
        // (`WasmList` / `WasmStr` results) would read guest memory after the
        // post-return function has freed it. Wasmtime's hostcall fuel is the
        // budget made for this: the lift charges every string's bytes and
        // every list's length times its host element size against it
        // *before* allocating, and fails once it is spent. It is reset for
        // each lift (each call's results, and each call the guest makes into
        // the host), so it bounds what the host allocates per call, counts
        // and bytes alike.
        store.set_hostcall_fuel(options.result_limit);
        store.epoch_deadline_trap();
        // Whole ticks, plus one: the first tick may come at once.
        let deadline_ticks = options.call_timeout.as_nanos().div_ceil(TICK.as_nanos()) as u64 + 1;
        store.set_epoch_deadline(deadline_ticks);
        store.data_mut().begin_call(0);
        let result = match pre {
            Pre::V0_1_0(pre) => pre.instantiate(&mut store).map(Bindings::V0_1_0),
            Pre::V0_2_0(pre) => pre.instantiate(&mut store).map(Bindings::V0_2_0),
            Pre::V0_3_0(pre) => pre.instantiate(&mut store).map(Bindings::V0_3_0),
        };
        store.data_mut().end_call();
        let bindings = match result {
            Ok(b) => b,
            Err(e) => {
                let data = store.data();
                let (kind, reason) = failure_kind(
                    &e,
                    data.limiter.memory_refused,
                    &data.stderr.text(),
                    options.call_timeout,
                    options.memory_limit,
                    options.result_limit,
                );
                return Err(PluginError::new(&*platform, "instantiate", kind, reason));
            }
        };
        Ok(PluginInstance {
            platform,
            version: pre.version(),
            store,
            bindings,
            timeout: options.call_timeout,
            memory_limit: options.memory_limit,
            result_limit: options.result_limit,
            deadline_ticks,
            now: 0,
            failure: None,
            _ticker: ticker,
        })
    }

    /// The platform this instance simulates.
    pub fn platform(&self) -> &str {
        &self.platform
    }

    /// Whether a call failed fatally; every later call returns that failure.
    pub fn is_failed(&self) -> bool {
        self.failure.is_some()
    }

    /// The fatal failure, if one happened.
    pub fn failure(&self) -> Option<&PluginError> {
        self.failure.as_ref()
    }

    /// The `diorama:platform` version the plugin was built for, e.g. `0.2.0`.
    pub fn interface_version(&self) -> &'static str {
        self.version
    }

    /// What the plugin says about itself, in the latest terms, within the
    /// budget of `describe`'s lists and strings (not yet checked for
    /// soundness: the host does that at load).
    pub(super) fn describe(&mut self) -> Result<PlatformInfo, PluginError> {
        let info = self.call("describe", 0, |b, store| match b {
            Bindings::V0_1_0(p) => p
                .diorama_platform_simulator()
                .call_describe(store)
                .map(|info| v0_1_0::platform_info(info).map_err(Some)),
            Bindings::V0_2_0(p) => p
                .diorama_platform_simulator()
                .call_describe(store)
                .map(|info| Ok(info.into())),
            Bindings::V0_3_0(p) => p
                .diorama_platform_simulator()
                .call_describe(store)
                .map(|info| Ok(info.into())),
        })?;
        let info = info.map_err(|reason| {
            PluginError::new(
                &*self.platform,
                "describe",
                ErrorKind::Description,
                reason.unwrap_or_default(),
            )
        })?;
        self.within("describe", budget::check_description(&info))?;
        Ok(info)
    }

    pub(super) fn init(&mut self, config: &AccountConfig) -> Result<(), PluginError> {
        let answer = self.call("init", config.start, |b, store| match b {
            Bindings::V0_1_0(p) => p
                .diorama_platform_simulator()
                .call_init(store, &v0_1_0::wit::AccountConfig::from(config)),
            Bindings::V0_2_0(p) => p
                .diorama_platform_simulator()
                .call_init(store, &v0_2_0::wit::AccountConfig::from(config)),
            Bindings::V0_3_0(p) => p
                .diorama_platform_simulator()
                .call_init(store, &v0_3_0::wit::AccountConfig::from(config)),
        })?;
        self.rejection("init", answer)
    }

    /// Advance the model over `[from, to)`: the events in that window, and
    /// when the plugin next has something due.
    pub fn step(&mut self, from: Millis, to: Millis) -> Result<StepOutput, PluginError> {
        let output = self.call("step", from, |b, store| match b {
            Bindings::V0_1_0(p) => p
                .diorama_platform_simulator()
                .call_step(store, from, to)
                .map(|events| StepOutput {
                    events: events.into_iter().map(Into::into).collect(),
                    next_due: Some(to),
                }),
            Bindings::V0_2_0(p) => p
                .diorama_platform_simulator()
                .call_step(store, from, to)
                .map(|result| StepOutput {
                    events: result.events.into_iter().map(Into::into).collect(),
                    next_due: result.next_due,
                }),
            Bindings::V0_3_0(p) => p
                .diorama_platform_simulator()
                .call_step(store, from, to)
                .map(|result| StepOutput {
                    events: result.events.into_iter().map(Into::into).collect(),
                    next_due: result.next_due,
                }),
        })?;
        self.within("step", budget::check_events(&output.events))?;
        if let Some(due) = output.next_due {
            if due < to {
                return Err(self.violation(
                    "step",
                    format!("its next-due {due} is before the end of the window it was stepped over ({to})"),
                ));
            }
        }
        Ok(output)
    }

    /// Apply the scenario perturbation `name` at `at`; `params` is a JSON
    /// object. An unknown signal or bad parameters give a
    /// [`Rejected`](ErrorKind::Rejected) error, which does not fail the
    /// instance.
    pub fn signal(&mut self, at: Millis, name: &str, params: &str) -> Result<(), PluginError> {
        let answer = self.call("signal", at, |b, store| match b {
            Bindings::V0_1_0(p) => p
                .diorama_platform_simulator()
                .call_signal(store, at, name, params),
            Bindings::V0_2_0(p) => p
                .diorama_platform_simulator()
                .call_signal(store, at, name, params),
            Bindings::V0_3_0(p) => p
                .diorama_platform_simulator()
                .call_signal(store, at, name, params),
        })?;
        self.rejection("signal", answer)
    }

    /// The creator acts at `at`. The inner result is the platform's answer.
    pub fn act(
        &mut self,
        at: Millis,
        action: &Action,
    ) -> Result<Result<Vec<Event>, ActionError>, PluginError> {
        let answer: Result<Vec<Event>, ActionError> = self.call("act", at, |b, store| match b {
            Bindings::V0_1_0(p) => p
                .diorama_platform_simulator()
                .call_act(store, at, &v0_1_0::wit::Action::from(action))
                .map(|answer| {
                    answer
                        .map(|events| events.into_iter().map(Into::into).collect())
                        .map_err(Into::into)
                }),
            Bindings::V0_2_0(p) => p
                .diorama_platform_simulator()
                .call_act(store, at, &v0_2_0::wit::Action::from(action))
                .map(|answer| {
                    answer
                        .map(|events| events.into_iter().map(Into::into).collect())
                        .map_err(Into::into)
                }),
            Bindings::V0_3_0(p) => p
                .diorama_platform_simulator()
                .call_act(store, at, &v0_3_0::wit::Action::from(action))
                .map(|answer| {
                    answer
                        .map(|events| events.into_iter().map(Into::into).collect())
                        .map_err(Into::into)
                }),
        })?;
        let checked = match &answer {
            Ok(events) => budget::check_events(events.as_slice()),
            Err(ActionError::Invalid(m) | ActionError::NotFound(m)) => budget::check_text(m),
            Err(ActionError::RateLimited(_)) => Ok(()),
        };
        self.within("act", checked)?;
        Ok(answer)
    }

    /// Answer a request to the platform's own API at `at`, against the
    /// account's state: a response, or an action to run (through the same
    /// path as any action) before [`PluginInstance::finish_request`] shapes
    /// the answer. A plugin built for 0.1 has no native API: a
    /// [`NoNativeApi`](ErrorKind::NoNativeApi) error, which does not fail
    /// the instance.
    pub fn handle_request(
        &mut self,
        at: Millis,
        request: &HttpRequest,
    ) -> Result<NativeOutcome, PluginError> {
        let outcome = self.call("handle-request", at, |b, store| match b {
            Bindings::V0_1_0(_) => Ok(None),
            Bindings::V0_2_0(p) => p
                .diorama_platform_simulator()
                .call_handle_request(store, at, &v0_2_0::wit::HttpRequest::from(request))
                .map(|o| Some(NativeOutcome::from(o))),
            Bindings::V0_3_0(p) => p
                .diorama_platform_simulator()
                .call_handle_request(store, at, &v0_3_0::wit::HttpRequest::from(request))
                .map(|o| Some(NativeOutcome::from(o))),
        })?;
        let outcome = outcome.ok_or_else(|| self.no_native_api("handle-request"))?;
        match &outcome {
            NativeOutcome::Respond(response) => self.check_response("handle-request", response)?,
            NativeOutcome::Act(act) => {
                self.within("handle-request", budget::check_native_act(act))?
            }
        }
        Ok(outcome)
    }

    /// Shape the answer to a native request that acted, from the `context`
    /// [`PluginInstance::handle_request`] gave and the action's outcome.
    pub fn finish_request(
        &mut self,
        at: Millis,
        context: &str,
        outcome: Result<&[Event], &ActionError>,
    ) -> Result<HttpResponse, PluginError> {
        let response = self.call("finish-request", at, |b, store| match b {
            Bindings::V0_1_0(_) => Ok(None),
            Bindings::V0_2_0(p) => {
                let outcome: Result<Vec<v0_2_0::wit::Event>, v0_2_0::wit::ActionError> =
                    match outcome {
                        Ok(events) => Ok(events.iter().map(Into::into).collect()),
                        Err(e) => Err(e.into()),
                    };
                p.diorama_platform_simulator()
                    .call_finish_request(store, at, context, outcome.as_deref())
                    .map(|r| Some(HttpResponse::from(r)))
            }
            Bindings::V0_3_0(p) => {
                let outcome: Result<Vec<v0_3_0::wit::Event>, v0_3_0::wit::ActionError> =
                    match outcome {
                        Ok(events) => Ok(events.iter().map(Into::into).collect()),
                        Err(e) => Err(e.into()),
                    };
                p.diorama_platform_simulator()
                    .call_finish_request(store, at, context, outcome.as_deref())
                    .map(|r| Some(HttpResponse::from(r)))
            }
        })?;
        let response = response.ok_or_else(|| self.no_native_api("finish-request"))?;
        self.check_response("finish-request", &response)?;
        Ok(response)
    }

    /// Check a webhook subscription to `format` with `params` (a JSON
    /// object): the handshake to make with the receiver, or none. The
    /// plugin's refusal is a [`Rejected`](ErrorKind::Rejected) error; a
    /// plugin built before 0.3 a
    /// [`NoWebhookShaping`](ErrorKind::NoWebhookShaping) one. Neither fails
    /// the instance.
    pub fn webhook_subscribe(
        &mut self,
        format: &str,
        params: &str,
    ) -> Result<Option<Verification>, PluginError> {
        let now = self.now;
        let answer = self.call("webhook-subscribe", now, |b, store| match b {
            Bindings::V0_1_0(_) | Bindings::V0_2_0(_) => Ok(None),
            Bindings::V0_3_0(p) => p
                .diorama_platform_simulator()
                .call_webhook_subscribe(store, format, params)
                .map(|r| Some(r.map(|v| v.map(Verification::from)))),
        })?;
        let answer = answer.ok_or_else(|| self.no_webhook_shaping("webhook-subscribe"))?;
        match answer {
            Ok(v) => {
                if let Some(v) = &v {
                    let checked = budget::check_verification(v);
                    self.within("webhook-subscribe", checked)?;
                }
                Ok(v)
            }
            Err(reason) => {
                self.within("webhook-subscribe", budget::check_text(&reason))?;
                Err(self.rejected("webhook-subscribe", reason))
            }
        }
    }

    /// The request the platform sends for `event` to a subscriber to
    /// `format` (with the subscription's `params`), or none.
    pub fn shape_webhook(
        &mut self,
        format: &str,
        params: &str,
        event: &Event,
    ) -> Result<Option<WebhookDelivery>, PluginError> {
        let at = event.at;
        let answer = self.call("shape-webhook", at, |b, store| match b {
            Bindings::V0_1_0(_) | Bindings::V0_2_0(_) => Ok(None),
            Bindings::V0_3_0(p) => p
                .diorama_platform_simulator()
                .call_shape_webhook(store, format, params, &v0_3_0::wit::Event::from(event))
                .map(|d| Some(d.map(WebhookDelivery::from))),
        })?;
        let answer = answer.ok_or_else(|| self.no_webhook_shaping("shape-webhook"))?;
        if let Some(d) = &answer {
            self.within("shape-webhook", budget::check_delivery(d))?;
        }
        Ok(answer)
    }

    /// The instance's state, for checkpoints.
    pub fn snapshot(&mut self) -> Result<Vec<u8>, PluginError> {
        let now = self.now;
        self.call("snapshot", now, |b, store| match b {
            Bindings::V0_1_0(p) => p.diorama_platform_simulator().call_snapshot(store),
            Bindings::V0_2_0(p) => p.diorama_platform_simulator().call_snapshot(store),
            Bindings::V0_3_0(p) => p.diorama_platform_simulator().call_snapshot(store),
        })
    }

    /// Replace the instance's state with a snapshot.
    pub fn restore(&mut self, bytes: &[u8]) -> Result<(), PluginError> {
        let now = self.now;
        let answer = self.call("restore", now, |b, store| match b {
            Bindings::V0_1_0(p) => p.diorama_platform_simulator().call_restore(store, bytes),
            Bindings::V0_2_0(p) => p.diorama_platform_simulator().call_restore(store, bytes),
            Bindings::V0_3_0(p) => p.diorama_platform_simulator().call_restore(store, bytes),
        })?;
        self.rejection("restore", answer)
    }

    /// A plugin's own error (`Err(reason)`), within the strings budget, as
    /// a [`Rejected`](ErrorKind::Rejected) error.
    fn rejection(
        &mut self,
        call: &'static str,
        answer: Result<(), String>,
    ) -> Result<(), PluginError> {
        match answer {
            Ok(()) => Ok(()),
            Err(reason) => {
                self.within(call, budget::check_text(&reason))?;
                Err(self.rejected(call, reason))
            }
        }
    }

    fn check_response(
        &mut self,
        call: &'static str,
        response: &HttpResponse,
    ) -> Result<(), PluginError> {
        self.within(call, budget::check_response(response))?;
        if !(100..=599).contains(&response.status) {
            return Err(self.violation(
                call,
                format!(
                    "its response has the HTTP status {}; a status is within 100..=599",
                    response.status
                ),
            ));
        }
        Ok(())
    }

    /// A result over its budget fails the instance.
    fn within(
        &mut self,
        call: &'static str,
        checked: Result<(), Exceeded>,
    ) -> Result<(), PluginError> {
        match checked {
            Ok(()) => Ok(()),
            Err(Exceeded { budget, found }) => Err(self.fail(PluginError::new(
                &*self.platform,
                call,
                ErrorKind::OverBudget { budget, found },
                "",
            ))),
        }
    }

    /// An answer the contract rules out fails the instance.
    fn violation(&mut self, call: &'static str, reason: String) -> PluginError {
        self.fail(PluginError::new(
            &*self.platform,
            call,
            ErrorKind::Violation,
            reason,
        ))
    }

    fn fail(&mut self, error: PluginError) -> PluginError {
        tracing::debug!(plugin = %self.platform, "{error}");
        self.failure = Some(error.clone());
        error
    }

    fn no_native_api(&self, call: &'static str) -> PluginError {
        PluginError::new(
            &*self.platform,
            call,
            ErrorKind::NoNativeApi {
                version: self.version.to_string(),
            },
            "",
        )
    }

    fn no_webhook_shaping(&self, call: &'static str) -> PluginError {
        PluginError::new(
            &*self.platform,
            call,
            ErrorKind::NoWebhookShaping {
                version: self.version.to_string(),
            },
            "",
        )
    }

    fn rejected(&self, call: &'static str, reason: String) -> PluginError {
        PluginError::new(&*self.platform, call, ErrorKind::Rejected, reason)
    }

    /// Make one call into the guest at virtual time `at`, under the call
    /// deadline, and turn a failure into a poisoning [`PluginError`].
    fn call<R>(
        &mut self,
        call: &'static str,
        at: Millis,
        f: impl FnOnce(&Bindings, &mut Store<StoreData>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        self.now = at;
        self.store.data_mut().begin_call(at);
        self.store.set_epoch_deadline(self.deadline_ticks);
        let result = f(&self.bindings, &mut self.store);
        self.store.data_mut().end_call();
        result.map_err(|e| {
            let error = self.classify(call, &e);
            tracing::debug!(plugin = %self.platform, "{error} ({e:?})");
            self.failure = Some(error.clone());
            error
        })
    }

    fn classify(&self, call: &'static str, error: &wasmtime::Error) -> PluginError {
        let data = self.store.data();
        let (kind, reason) = failure_kind(
            error,
            data.limiter.memory_refused,
            &data.stderr.text(),
            self.timeout,
            self.memory_limit,
            self.result_limit,
        );
        PluginError::new(&*self.platform, call, kind, reason)
    }
}

/// What kind of failure ended a call, and the details worth showing.
fn failure_kind(
    error: &wasmtime::Error,
    memory_refused: bool,
    stderr: &str,
    timeout: Duration,
    memory_limit: usize,
    result_limit: usize,
) -> (ErrorKind, String) {
    if sandbox::is_interrupt(error) {
        return (ErrorKind::Timeout { limit: timeout }, String::new());
    }
    if is_fuel_exhausted(error) {
        return (
            ErrorKind::ResultTooLarge {
                limit: result_limit,
            },
            String::new(),
        );
    }
    if memory_refused {
        return (
            ErrorKind::OutOfMemory {
                limit: memory_limit,
            },
            String::new(),
        );
    }
    if let Some(exit) = error.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return (
            ErrorKind::Trap,
            format!("the plugin exited (status {})", exit.0),
        );
    }
    if let Some(words) = sandbox::last_words(stderr) {
        return (ErrorKind::Trap, words);
    }
    let what = match error.downcast_ref::<wasmtime::Trap>() {
        Some(trap) => trap.to_string(),
        None => format!("{error:#}"),
    };
    (ErrorKind::Trap, what)
}

/// Whether a call failed because its results outgrew the hostcall fuel.
/// Wasmtime's error type for it is private: its message is the only mark,
/// and the `hostile` plugin's tests pin it (wasmtime's version is pinned).
fn is_fuel_exhausted(error: &wasmtime::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .to_string()
            .contains("fuel allocated for hostcalls has been exhausted")
    })
}
