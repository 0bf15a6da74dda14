//! Scheduled actions on a live profile: held by its simulation until
//! their virtual time, listed, changed and cancelled. A schedule, a change
//! or a cancellation is journaled and on disk before it is answered; the
//! schedule itself travels in the profile's `State` with its snapshots.

use diorama_sdk::{Action, Millis};
use serde_json::Value;

use crate::engine::{ScheduleChange, ScheduleError, ScheduledAction, Simulation};

use super::admission::{self, ParamsError};
use super::error::{invalid_or_engine, StateConflict};
use super::profile::Runtime;
use super::{alive, LiveError, LiveManager, LiveProfile, ProfileStatus};

impl LiveManager {
    /// The profile's scheduled actions, by time then id.
    pub fn scheduled(&self, p: &LiveProfile) -> Result<Vec<ScheduledAction>, LiveError> {
        let sim = p.sim();
        let rt = p.rt();
        alive(p, &rt)?;
        Ok(sim.scheduled(0).to_vec())
    }

    /// Hold `action` on `platform` until virtual time `at`.
    pub fn schedule(
        &self,
        p: &LiveProfile,
        platform: &str,
        action: &Action,
        at: Millis,
    ) -> Result<Result<ScheduledAction, ScheduleError>, LiveError> {
        let params: Value = serde_json::from_str(&action.params)
            .map_err(|e| ParamsError::NotJson(e.to_string()))?;
        admission::check_request(platform, "kind", &action.kind, &params)?;
        self.change_schedule(p, |sim| sim.schedule(0, platform, action, at))
    }

    /// Change a scheduled action's time or parameters.
    pub fn reschedule(
        &self,
        p: &LiveProfile,
        id: u64,
        change: &ScheduleChange,
    ) -> Result<Result<ScheduledAction, ScheduleError>, LiveError> {
        if let Some(params) = &change.params {
            let params: Value =
                serde_json::from_str(params).map_err(|e| ParamsError::NotJson(e.to_string()))?;
            admission::check_request("scheduled", "id", &id.to_string(), &params)?;
        }
        self.change_schedule(p, |sim| sim.reschedule(0, id, change))
    }

    /// Cancel a scheduled action.
    pub fn cancel_scheduled(
        &self,
        p: &LiveProfile,
        id: u64,
    ) -> Result<Result<ScheduledAction, ScheduleError>, LiveError> {
        self.change_schedule(p, |sim| sim.cancel_scheduled(0, id))
    }

    /// Apply one change to the schedule under the profile's locks, journal
    /// it and wait for the disk (a refusal stores nothing).
    fn change_schedule(
        &self,
        p: &LiveProfile,
        f: impl FnOnce(
            &mut Simulation,
        )
            -> Result<Result<ScheduledAction, ScheduleError>, crate::engine::EngineError>,
    ) -> Result<Result<ScheduledAction, ScheduleError>, LiveError> {
        let outcome = {
            let mut sim = p.sim();
            let mut rt = p.rt();
            alive(p, &rt)?;
            refuse_degraded(&rt)?;
            let outcome = f(&mut sim).map_err(invalid_or_engine)?;
            p.journal(&mut sim, &mut rt)?;
            sim.sync()?;
            outcome
        };
        if outcome.is_ok() {
            // The answer acknowledges the change: it must survive a crash.
            self.store.commit()?;
        }
        p.changed.notify_all();
        Ok(outcome)
    }
}

fn refuse_degraded(rt: &Runtime) -> Result<(), LiveError> {
    if rt.state.status == ProfileStatus::Degraded {
        return Err(StateConflict::Degraded {
            reason: rt.state.reason.clone().unwrap_or_default(),
        }
        .into());
    }
    Ok(())
}
