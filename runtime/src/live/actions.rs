//! What a client sends a running profile: signals and the creator's
//! actions, admitted per token and journaled before they are answered.

use diorama_sdk::{Action, ActionError, DAY};
use serde_json::Value;

use crate::engine::EngineError;
use crate::event::StoredEvent;

use super::admission::{self, ParamsError};
use super::error::{invalid_or_engine, StateConflict};
use super::{alive, LiveError, LiveManager, LiveProfile, ProfileStatus};

impl LiveManager {
    /// Runs `f` under the profile's lock unless the profile is deleted
    /// (for writers outside this module, such as webhook creation).
    pub fn while_alive<R>(&self, p: &LiveProfile, f: impl FnOnce() -> R) -> Result<R, LiveError> {
        let rt = p.rt();
        alive(p, &rt)?;
        let out = f();
        drop(rt);
        Ok(out)
    }

    /// Counts one action or signal against the caller's token; the wait
    /// (whole seconds, at least one) when its rate is exceeded.
    pub fn admit(&self, who: admission::TokenKey) -> Result<(), u64> {
        self.limiter
            .admit(who)
            .map_err(|wait| wait.as_secs_f64().ceil().max(1.0) as u64)
    }

    /// Send a signal to one platform of the profile, now.
    pub fn signal(
        &self,
        p: &LiveProfile,
        platform: &str,
        name: &str,
        params: &Value,
    ) -> Result<(), LiveError> {
        admission::check_request(platform, "signal", name, params)?;
        {
            let mut sim = p.sim();
            let mut rt = p.rt();
            alive(p, &rt)?;
            if rt.state.status == ProfileStatus::Degraded {
                return Err(StateConflict::Degraded {
                    reason: rt.state.reason.clone().unwrap_or_default(),
                }
                .into());
            }
            sim.signal(0, platform, name, params)
                .map_err(invalid_or_engine)?;
            p.journal(&mut sim, &mut rt)?;
        }
        // Answered once journaled on disk.
        self.store.commit()?;
        Ok(())
    }

    /// The creator acts, now; the plugin's refusal is the inner error.
    /// Also returns the profile's speed (to turn a virtual retry delay into
    /// a wall-clock one). Returns once the action's journal entry and
    /// events are on disk.
    ///
    /// Actions are taken while the profile is running or paused: both have
    /// a virtual clock to act at, and a paused profile is how a test sets
    /// up a moment. A created profile has not begun (its clock does not
    /// run yet), a stopped one has ended, a limited one has spent its
    /// interactions for the virtual day (creator interactions count too)
    /// and a degraded one cannot run its plugins: those answer a conflict.
    /// A refusal, by these rules or by the plugin, stores nothing.
    pub fn act(
        &self,
        p: &LiveProfile,
        platform: &str,
        action: &Action,
    ) -> Result<(Result<Vec<StoredEvent>, ActionError>, f64), LiveError> {
        let params: Value = serde_json::from_str(&action.params)
            .map_err(|e| ParamsError::NotJson(e.to_string()))?;
        admission::check_request(platform, "kind", &action.kind, &params)?;
        let result = {
            let mut sim = p.sim();
            let mut rt = p.rt();
            alive(p, &rt)?;
            let refused = |why: StateConflict| Err(LiveError::State(why));
            match rt.state.status {
                ProfileStatus::Running | ProfileStatus::Paused => {}
                ProfileStatus::Created => return refused(StateConflict::NotStartedForActions),
                ProfileStatus::Stopped => return refused(StateConflict::StoppedForActions),
                ProfileStatus::Limited => {
                    return refused(StateConflict::LimitedForActions {
                        reason: rt.state.reason.clone().unwrap_or_else(|| {
                            "the profile reached its interactions for the virtual day".into()
                        }),
                    })
                }
                ProfileStatus::Degraded => {
                    return refused(StateConflict::Degraded {
                        reason: rt.state.reason.clone().unwrap_or_default(),
                    })
                }
            }
            let day = *p.shared.day.lock().unwrap_or_else(|e| e.into_inner());
            if day.0 == sim.now().div_euclid(DAY) && day.1 >= day.2 {
                return refused(StateConflict::DailyLimitForActions { limit: day.2 });
            }
            let outcome = match sim.act(0, platform, action) {
                Err(EngineError::Unavailable(u)) => {
                    return Err(LiveError::unavailable(&u, rt.state.speed))
                }
                other => other.map_err(invalid_or_engine)?,
            };
            p.journal(&mut sim, &mut rt)?;
            sim.sync()?;
            (outcome, rt.state.speed)
        };
        if result.0.is_ok() {
            // The answer acknowledges the action: it must survive a crash.
            self.store.commit()?;
        }
        Ok(result)
    }
}
