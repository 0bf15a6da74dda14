//! A profile's platforms answer their own APIs: the plugin reads the
//! account's state, and a request that changes the account runs as the very
//! action `act` runs (journaled, limited, pushed to webhooks), so a creator
//! reply through a platform's API and through diorama's are one.

use diorama_sdk::{
    AccountConfig, ActionError, Event, HttpRequest, HttpResponse, NativeAct, NativeOutcome,
};

use crate::engine::EngineError;
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
