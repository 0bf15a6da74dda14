//! What differs between a batch run and a script on a live profile, behind
//! one trait: whether the start may move, how time advances, what
//! `profile(#{...})` gives, and whether the script must stop. The Rhai
//! functions are the same for both; they ask their [`Driver`].

use std::sync::{Arc, Mutex};
use std::time::Instant;

use diorama_sdk::Millis;
use rhai::Map;

use super::api::{self, ProfileHandle, Res};
use super::meter::Meter;
use super::{Cancelled, Progress, ScriptLimits};
use crate::engine::Simulation;
use crate::event::time;

/// How a script's simulation is driven.
pub(crate) trait Driver: Send + Sync {
    /// `start(t)`: the run starts at instant `t` instead.
    fn start(&self, sim: &Mutex<Simulation>, t: &str) -> Res<()>;
    /// `advance(d)`: virtual time moves on by `d` (checked by the engine or
    /// here); time spent waiting for a clock is told to `meter`.
    fn advance(&self, sim: &Mutex<Simulation>, d: Millis, meter: &Meter) -> Res<()>;
    /// `profile(#{...})`: the profile the script works with.
    fn profile(
        &self,
        sim: &mut Simulation,
        spec: &Map,
        limits: &ScriptLimits,
    ) -> Res<ProfileHandle>;
    /// Why the script must stop now, if it must (asked by the meter).
    fn stopped(&self) -> Option<Cancelled>;
}

/// The clock of a live profile, as a script on it sees it.
pub trait LiveClock: Send + Sync {
    /// Block until the profile's virtual time reaches `at`; why not when
    /// the profile stops or goes away first.
    fn wait_until(&self, at: Millis) -> Result<(), Cancelled>;
    /// Why a script on the profile must stop now (deleted, stopped), if it must.
    fn stopped(&self) -> Option<Cancelled>;
}

/// A batch run (`diorama run`): the script creates its profiles and steps
/// its own simulation, reporting progress.
pub(crate) struct Batch {
    progress: Mutex<Option<Progress>>,
}

impl Batch {
    pub(crate) fn new(progress: Option<Progress>) -> Arc<Batch> {
        Arc::new(Batch {
            progress: Mutex::new(progress),
        })
    }
}

impl Driver for Batch {
    fn start(&self, sim: &Mutex<Simulation>, t: &str) -> Res<()> {
        let at = time::parse_instant(t).map_err(|e| e.to_string())?;
        if !(time::MIN_START..=time::MAX_START).contains(&at) {
            return api::err(format!(
                "start(\"{t}\"): the start must lie between {} and {}",
                time::format_instant(time::MIN_START),
                time::format_instant(time::MAX_START)
            ));
        }
        api::lock(sim)?.set_start(at).map_err(api::engine_err)
    }

    fn advance(&self, sim: &Mutex<Simulation>, d: Millis, _meter: &Meter) -> Res<()> {
        let mut sim = api::lock(sim)?;
        let mut progress = self
            .progress
            .lock()
            .map_err(|_| "the script recorder is unusable after an earlier failure")?;
        sim.advance(d, |now, n| {
            if let Some(p) = progress.as_mut() {
                p(now, n)
            }
        })
        .map_err(api::engine_err)
    }

    fn profile(
        &self,
        sim: &mut Simulation,
        spec: &Map,
        limits: &ScriptLimits,
    ) -> Res<ProfileHandle> {
        api::profiles::create(sim, spec, limits)
    }

    fn stopped(&self) -> Option<Cancelled> {
        None
    }
}

/// A script on a live profile: the profile exists already and its time
/// follows the wall clock, so `advance` waits for it.
pub(crate) struct Live {
    clock: Arc<dyn LiveClock>,
}

impl Live {
    pub(crate) fn new(clock: Arc<dyn LiveClock>) -> Arc<Live> {
        Arc::new(Live { clock })
    }
}

impl Driver for Live {
    fn start(&self, _sim: &Mutex<Simulation>, _t: &str) -> Res<()> {
        api::err("start() cannot move a live profile's clock: its time follows the wall clock")
    }

    fn advance(&self, sim: &Mutex<Simulation>, d: Millis, meter: &Meter) -> Res<()> {
        if d < 0 {
            return api::err(format!("cannot advance by a negative duration ({d} ms)"));
        }
        if d > time::MAX_RUN_SPAN {
            return api::err(format!(
                "cannot advance a live profile by more than {} at once ({d} ms asked)",
                time::format_duration(time::MAX_RUN_SPAN)
            ));
        }
        let Some(target) = api::lock(sim)?.now().checked_add(d) else {
            return api::err(format!("advancing by {d} ms goes past the end of time"));
        };
        // Waiting for the live clock is the profile's pace, not the
        // script's work: it does not count toward the time limit.
        let waited = Instant::now();
        let r = self.clock.wait_until(target);
        meter.add_waited(waited.elapsed());
        r.map_err(|why| why.to_string().into())
    }

    fn profile(
        &self,
        sim: &mut Simulation,
        spec: &Map,
        _limits: &ScriptLimits,
    ) -> Res<ProfileHandle> {
        api::profiles::join_live(sim, spec)
    }

    fn stopped(&self) -> Option<Cancelled> {
        self.clock.stopped()
    }
}
