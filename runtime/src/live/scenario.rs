//! Scenarios on a live profile: a ready scenario by name or a posted
//! script runs on its own thread against the profile's simulation. Its
//! signals and actions join the live stream; `advance` waits for the live
//! clock. Each run is recorded (status, expectations, reported values,
//! error) beside the profile, so deleting the profile removes it.

use std::collections::BTreeMap;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::profile::{LiveProfile, ProfileStatus};
use super::LiveError;
use crate::event::{time, OwnerId};
use crate::report::{Expectation, ReportedValue};
use crate::script::{self, Cancelled, LiveClock, ScriptLimits};
use crate::store::Store;

use super::LIVE_STATE;

/// The most scenario runs going on at once on one profile.
pub const MAX_RUNNING_PER_PROFILE: usize = 4;

/// Why a scenario on a profile in this state must end, if it must.
fn must_end(rt: &super::profile::Runtime) -> Option<Cancelled> {
    if rt.deleted {
        return Some(Cancelled::Deleted);
    }
    match rt.state.status {
        ProfileStatus::Stopped => Some(Cancelled::Stopped),
        ProfileStatus::Degraded => Some(Cancelled::Degraded {
            reason: rt.state.reason.clone().unwrap_or_default(),
        }),
        _ => None,
    }
}

impl LiveClock for LiveProfile {
    fn stopped(&self) -> Option<Cancelled> {
        must_end(&self.rt())
    }

    fn wait_until(&self, at: diorama_sdk::Millis) -> Result<(), Cancelled> {
        let mut rt = self.rt();
        loop {
            if let Some(why) = must_end(&rt) {
                return Err(why);
            }
            // The driver updates the clock while holding the simulation.
            // A running profile steps ahead of its clock: the script goes on
            // once the events up to `at` are stored, not merely made.
            drop(rt);
            let now = self.stored_until(&self.sim());
            rt = self.rt();
            if now >= at {
                return Ok(());
            }
            rt = self
                .changed
                .wait_timeout(rt, Duration::from_millis(500))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// Scenario runs of every profile.
pub struct Runs {
    store: Store,
    limits: ScriptLimits,
    /// Runs going on: (profile, run) → thread started.
    running: Mutex<BTreeMap<(OwnerId, u64), ()>>,
}

fn run_key(run: u64) -> Vec<u8> {
    let mut k = b"run/".to_vec();
    k.extend_from_slice(&run.to_be_bytes());
    k
}

/// Where a scenario run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    Running,
    Passed,
    Failed,
    Error,
    /// The server stopped while it ran.
    Interrupted,
}

/// A scenario run as stored (the `live` tree, `run/` · number) and
/// answered. The fields are in key order: the JSON is what it was when the
/// record was an object built by hand.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub ended_at: Option<String>,
    pub error: Option<String>,
    pub expectations: Vec<Expectation>,
    pub id: String,
    pub scenario: String,
    pub started_at: String,
    pub status: RunState,
    pub values: Vec<ReportedValue>,
}

impl Runs {
    pub fn new(store: Store, limits: ScriptLimits) -> Arc<Runs> {
        Arc::new(Runs {
            store,
            limits,
            running: Mutex::new(BTreeMap::new()),
        })
    }

    fn save(&self, owner: OwnerId, run: u64, record: &RunRecord) -> Result<(), LiveError> {
        let bytes = serde_json::to_vec(record).map_err(|e| LiveError::Internal(e.to_string()))?;
        self.store
            .put_record(LIVE_STATE, owner, &run_key(run), &bytes)?;
        Ok(())
    }

    /// A run's record.
    pub fn get(&self, owner: OwnerId, run: &str) -> Result<RunRecord, LiveError> {
        let missing = || LiveError::NotFound(format!("no scenario run `{run}` on this profile"));
        let n: u64 = run.parse().map_err(|_| missing())?;
        let bytes = self
            .store
            .record(LIVE_STATE, owner, &run_key(n))?
            .ok_or_else(missing)?;
        serde_json::from_slice(&bytes).map_err(|e| LiveError::Internal(e.to_string()))
    }

    /// Forget the runs of a deleted profile (their threads end on their own).
    pub fn forget(&self, owner: OwnerId) {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(o, _), _| *o != owner);
    }

    /// Runs left `running` by a stopped server are marked interrupted.
    pub fn mark_interrupted(&self) -> Result<(), LiveError> {
        for owner in self.store.record_owners(LIVE_STATE)? {
            for (key, bytes) in self
                .store
                .records(LIVE_STATE, owner, b"run/", b"", usize::MAX)?
            {
                let Ok(mut r) = serde_json::from_slice::<RunRecord>(&bytes) else {
                    continue;
                };
                if r.status == RunState::Running {
                    r.status = RunState::Interrupted;
                    r.error = Some("the server stopped while the scenario ran".into());
                    let bytes =
                        serde_json::to_vec(&r).map_err(|e| LiveError::Internal(e.to_string()))?;
                    self.store.put_record(LIVE_STATE, owner, &key[..], &bytes)?;
                }
            }
        }
        Ok(())
    }

    /// Start `source` on the profile. Returns the run's record once the
    /// script has compiled; a syntax error is an `Invalid` error with its
    /// line and column, and nothing runs.
    pub fn start(
        self: &Arc<Self>,
        profile: Arc<LiveProfile>,
        name: &str,
        source: String,
    ) -> Result<RunRecord, LiveError> {
        let owner = profile.id;
        {
            let status = profile.rt().state.status;
            if matches!(status, ProfileStatus::Degraded | ProfileStatus::Stopped) {
                return Err(LiveError::Conflict(format!(
                    "the profile is {}; start it before running a scenario",
                    if status == ProfileStatus::Stopped {
                        "stopped"
                    } else {
                        "degraded"
                    }
                )));
            }
        }
        let run = {
            let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            let mine = running.keys().filter(|(o, _)| *o == owner).count();
            if mine >= MAX_RUNNING_PER_PROFILE {
                return Err(LiveError::Conflict(format!(
                    "{mine} scenarios are already running on this profile (the most is {MAX_RUNNING_PER_PROFILE}); wait for one to end"
                )));
            }
            let last = self
                .store
                .records(LIVE_STATE, owner, b"run/", b"", usize::MAX)?
                .last()
                .and_then(|(k, _)| k.get(4..12).and_then(|b| b.try_into().ok()))
                .map(u64::from_be_bytes)
                .unwrap_or(0);
            last + 1
        };
        let started = profile.sim().now();
        let record = RunRecord {
            ended_at: None,
            error: None,
            expectations: Vec::new(),
            id: run.to_string(),
            scenario: name.to_string(),
            started_at: time::format_instant(started),
            status: RunState::Running,
            values: Vec::new(),
        };
        let (tx, rx) = mpsc::sync_channel::<Result<(), LiveError>>(1);
        let runs = self.clone();
        let display = format!("{name}.rhai");
        let limits = self.limits.clone();
        let sim = profile.sim.clone();
        let thread_record = record.clone();
        let record_running = record.clone();
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((owner, run), ());
        let spawned = std::thread::Builder::new()
            .name(format!("diorama-scenario-{owner}-{run}"))
            .spawn(move || {
                let clock: Arc<dyn LiveClock> = profile.clone();
                let mut record = thread_record;
                let mut compiled = false;
                let outcome = script::run_live(&source, &display, sim, &limits, clock, |r| {
                    // The `running` record is written here, before the script
                    // runs: written by the caller after this, it could land
                    // after a quick script's outcome and hide it forever.
                    let r = r
                        .map_err(|e| LiveError::Invalid(e.to_string()))
                        .and_then(|()| runs.save(owner, run, &record_running));
                    compiled = r.is_ok();
                    let _ = tx.send(r);
                });
                // A run that did not compile is forgotten by the request
                // that started it, and its number may already belong to the
                // next run: this thread must not touch it.
                if !compiled {
                    return;
                }
                let gone = runs
                    .running
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&(owner, run))
                    .is_none();
                if gone {
                    return;
                }
                let failed = outcome.expectations.iter().any(|e: &Expectation| !e.passed);
                record.status = match (&outcome.error, failed) {
                    (Some(_), _) => RunState::Error,
                    (None, true) => RunState::Failed,
                    (None, false) => RunState::Passed,
                };
                record.ended_at = Some(time::format_instant(profile.sim().now()));
                record.expectations = outcome.expectations;
                record.values = outcome.values;
                record.error = outcome.error.map(|e| e.to_string());
                if let Err(e) = runs.save(owner, run, &record) {
                    tracing::warn!(profile = owner, run, error = %e, "cannot record a scenario's outcome");
                }
            });
        if let Err(e) = spawned {
            self.forget_run(owner, run);
            return Err(LiveError::Internal(format!(
                "cannot start a scenario thread: {e}"
            )));
        }
        match rx.recv() {
            Ok(Ok(())) => Ok(record),
            Ok(Err(e)) => {
                self.forget_run(owner, run);
                Err(e)
            }
            Err(_) => {
                self.forget_run(owner, run);
                Err(LiveError::Internal(
                    "the scenario thread ended before compiling".into(),
                ))
            }
        }
    }

    fn forget_run(&self, owner: OwnerId, run: u64) {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&(owner, run));
    }
}
