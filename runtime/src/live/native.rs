//! A profile's platforms answer their own APIs: the plugin reads the
//! account's state, and a request that changes the account runs as the very
//! action `act` runs (journaled, limited, pushed to webhooks), so a creator
//! reply through a platform's API and through diorama's are one.

use diorama_sdk::{
    AccountConfig, ActionError, Event, HttpRequest, HttpResponse, Millis, NativeAct, NativeOutcome,
};

use crate::engine::EngineError;
use crate::fault::Fate;
use crate::plugin::ErrorKind;

use super::error::{invalid_or_engine, StateConflict};
use super::{alive, LiveError, LiveManager, LiveProfile, ProfileStatus};

impl LiveManager {
    /// The plugin's answer to `request` to `platform`'s own API for this
    /// profile, now: a response, or an action to run with
    /// [`LiveManager::native_act`] (the caller admits it first, as it
    /// admits any action).
    pub fn native_request(
        &self,
        p: &LiveProfile,
        platform: &str,
        request: &HttpRequest,
    ) -> Result<NativeOutcome, LiveError> {
        let mut sim = p.sim();
        let rt = p.rt();
        alive(p, &rt)?;
        if rt.state.status == ProfileStatus::Degraded {
            return Err(StateConflict::Degraded {
                reason: rt.state.reason.clone().unwrap_or_default(),
            }
            .into());
        }
        match sim.native_request(0, platform, request) {
            // A plugin of a contract without a native API: every operation
            // is one it does not simulate.
            Err(EngineError::Plugin(e)) if matches!(e.kind, ErrorKind::NoNativeApi { .. }) => {
                Ok(NativeOutcome::Respond(HttpResponse::json(
                    501,
                    &serde_json::json!({ "error": e.to_string() }),
                )))
            }
            other => other.map_err(invalid_or_engine),
        }
    }

    /// Those of `platforms` this profile has, in their order.
    pub fn platforms_among(
        &self,
        p: &LiveProfile,
        platforms: &[String],
    ) -> Result<Vec<String>, LiveError> {
        let sim = p.sim();
        Ok(platforms
            .iter()
            .filter(|name| sim.has_platform(0, name))
            .cloned()
            .collect())
    }

    /// Run a native request's action exactly as [`LiveManager::act`] runs
    /// it, then let the plugin shape the answer from its outcome.
    pub fn native_act(
        &self,
        p: &LiveProfile,
        platform: &str,
        act: &NativeAct,
    ) -> Result<HttpResponse, LiveError> {
        let (result, _speed) = self.act(p, platform, &act.action)?;
        let events: Result<Vec<Event>, _> =
            result.map(|stored| stored.into_iter().map(|s| s.event).collect());
        self.native_finish(p, platform, &act.context, events)
    }

    /// The plugin's answer to a native request whose action ran with
    /// `outcome` (the events it made, or why it was refused): the
    /// action's own, or one the host ran for the platform's API.
    pub fn native_finish<E: AsRef<[Event]>>(
        &self,
        p: &LiveProfile,
        platform: &str,
        context: &str,
        outcome: Result<E, ActionError>,
    ) -> Result<HttpResponse, LiveError> {
        let mut sim = p.sim();
        let rt = p.rt();
        alive(p, &rt)?;
        let outcome = match &outcome {
            Ok(events) => Ok(events.as_ref()),
            Err(e) => Err(e),
        };
        sim.finish_native(0, platform, context, outcome)
            .map_err(invalid_or_engine)
    }

    /// The answer `platform`'s plugin gives a request without valid
    /// credentials (the request says so in a header), on an empty account
    /// made for the purpose: no profile's state is in reach. Only a 4xx
    /// answer counts; anything else (a plugin that ignores the header, or
    /// has no native API) is `None`, and the caller answers in its own
    /// format.
    pub fn native_credentials_error(
        &self,
        platform: &str,
        request: &HttpRequest,
    ) -> Option<HttpResponse> {
        let config = AccountConfig {
            profile: "anonymous".into(),
            niche: "tech".into(),
            seed: 0,
            start: 0,
            timezone: "UTC".into(),
            params: "{}".into(),
        };
        let mut instance = self.host().instantiate(platform, &config).ok()?;
        match instance.handle_request(0, request) {
            Ok(NativeOutcome::Respond(r)) if (400..500).contains(&r.status) => Some(r),
            _ => None,
        }
    }
}

impl LiveManager {
    /// The fate of a request to `platform`'s own API for this profile, now
    /// ([`crate::fault`]), with the wait to name in an error (wall seconds:
    /// the outage's end at the profile's speed, else 1) and the profile's
    /// virtual time. An injected error that is noted is journaled and
    /// stored like any event of the host.
    pub fn native_fate(
        &self,
        p: &LiveProfile,
        platform: &str,
        what: &str,
    ) -> Result<(Fate, u64, Millis), LiveError> {
        let fate = {
            let mut sim = p.sim();
            let mut rt = p.rt();
            alive(p, &rt)?;
            let fate = sim.fault_request(0, platform, what);
            if fate.note.is_some() {
                p.journal(&mut sim, &mut rt)?;
                sim.sync()?;
            }
            let wait = fate.outage_end.map_or(1, |end| {
                let virtual_ms = (end - sim.now()).max(1) as f64;
                let wall_s = virtual_ms / rt.state.speed.max(1e-9) / 1000.0;
                wall_s.ceil().clamp(1.0, 86_400.0) as u64
            });
            (fate, wait, sim.now())
        };
        if fate.0.note.is_some() {
            self.store.commit()?;
        }
        Ok(fate)
    }

    /// The answer `platform`'s plugin gives `request` as an error with
    /// `status` (the request says so in [`FAULT_HEADER`]), on an empty
    /// account at the profile's time `at`, as for credentials: only an
    /// answer with that very status counts; anything else is `None`, and
    /// the caller answers in its own format.
    pub fn native_fault_error(
        &self,
        platform: &str,
        request: &HttpRequest,
        status: u16,
        at: Millis,
    ) -> Option<HttpResponse> {
        let config = AccountConfig {
            profile: "anonymous".into(),
            niche: "tech".into(),
            seed: 0,
            start: 0,
            timezone: "UTC".into(),
            params: "{}".into(),
        };
        let mut instance = self.host().instantiate(platform, &config).ok()?;
        match instance.handle_request(at, request) {
            Ok(NativeOutcome::Respond(r)) if r.status == status => Some(r),
            _ => None,
        }
    }
}

/// The header a plugin is asked with to shape an injected error: the
/// status (`500`, `502`, `503`, `429`, or `504` for a timeout).
pub const FAULT_HEADER: &str = "x-diorama-fault";
