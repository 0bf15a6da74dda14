//! A profile's life: built and created, started, paused or stopped,
//! deleted.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use diorama_sdk::{Millis, DAY};

use crate::engine::{EngineError, NoExtra, ProfileSpec, RunSettings, Simulation};
use crate::event::OwnerId;

use super::error::{invalid_or_engine, StateConflict};
use super::pace::RangeError;
use super::profile::{
    note_health, wall_ms, window_for, JournalEntry, Journaled, Listener, ListenerState, Runtime,
};
use super::records::{LiveFields, LiveRecord};
use super::spec::{self, CreateProfile};
use super::tokens;
use super::{alive, pace, LiveError, LiveManager, LiveProfile, ProfileStatus, ProfileView, State};

/// When a profile's clock starts, and how much past its accounts had by then.
#[derive(Clone, Copy, Debug)]
pub(super) struct Opened {
    pub start: Millis,
    pub history: Millis,
}

/// The most events read back for a profile's health when it is restored
/// (those stored after its last state; about 15 s of a running profile).
const HEALTH_SCAN: usize = 100_000;

impl LiveManager {
    /// A profile's simulation, state and listener, not yet registered.
    /// The profile's health as its state says, with the health notices
    /// stored after that state was written (a replay after a crash
    /// regenerates them without telling the listener); at most
    /// [`HEALTH_SCAN`] events are read.
    fn health_after(
        &self,
        id: OwnerId,
        state: &State,
    ) -> Result<BTreeMap<String, String>, LiveError> {
        let mut health = state.health.clone();
        let after = state.next_seq.checked_sub(1);
        let events = self.store.events(id, after, HEALTH_SCAN)?;
        note_health(&mut health, events.iter());
        Ok(health)
    }

    pub(super) fn build(
        &self,
        id: OwnerId,
        spec: ProfileSpec,
        seed: u64,
        opened: Opened,
        state: State,
        suspended: bool,
    ) -> Result<Arc<LiveProfile>, LiveError> {
        let Opened { start, history } = opened;
        let shared = Arc::new(ListenerState {
            owner: id,
            tx: Mutex::new(None),
            publisher: self.publisher.clone(),
            anchor: Mutex::new((Instant::now(), start, 0.0)),
            day: Mutex::new((
                state.day,
                state.day_interactions,
                state.interactions_per_day,
                state.day_interactions >= state.interactions_per_day,
            )),
            health: Mutex::new(self.health_after(id, &state)?),
            observer: self.observer.clone(),
            telemetry: self.telemetry.clone(),
        });
        let settings = RunSettings {
            seed,
            start,
            window: state.window,
        };
        let mut sim = Simulation::new_inline(
            self.host.clone(),
            self.store.clone(),
            settings,
            vec![Box::new(Listener(shared.clone()))],
        );
        // A profile with a past was opened `history` before `start` (its
        // accounts are created, and restored, with that time).
        if suspended {
            sim.add_suspended_profile_opened(spec, id, history)?;
        } else {
            sim.add_profile_opened(spec, NoExtra {}, Some(id), history)?;
        }
        sim.restore_scheduled(0, state.scheduled.clone(), state.scheduled_next);
        sim.record_commands();
        sim.skip_idle();
        let last_active = AtomicI64::new(state.last_active);
        Ok(Arc::new(LiveProfile {
            id,
            sim: Arc::new(Mutex::new(sim)),
            rt: Mutex::new(Runtime {
                state,
                generation: 0,
                anchor_wall: Instant::now(),
                anchor_virtual: start,
                last_persist: Instant::now(),
                deleted: false,
            }),
            changed: Condvar::new(),
            shared,
            store: self.store.clone(),
            last_active,
        }))
    }

    /// Create a profile; returns it and its token (shown only now).
    pub fn create(
        self: &Arc<Self>,
        mut req: CreateProfile,
    ) -> Result<(ProfileView, String), LiveError> {
        let _admin = self.admin.lock().unwrap_or_else(|e| e.into_inner());
        req.apply_preset(&self.host)?;
        spec::check_ranges(&req, self.config.max_speed)?;
        let history_days = req.history_days.unwrap_or(0);
        let history = history_days as Millis * DAY;
        let id = self.store.new_owner_id()?;
        let spec = spec::profile_spec(&req, &self.host, &format!("demo-{id}"))?;
        let start = match &req.start {
            Some(t) => pace::parse_instant_within("start", t)?,
            None => wall_ms() / 1000 * 1000,
        };
        let expires_at = req
            .expires_at
            .as_deref()
            .map(|t| pace::parse_instant_within("expires_at", t))
            .transpose()?;
        let per_day = pace::within(
            "limits.interactions_per_day",
            req.limits
                .interactions_per_day
                .unwrap_or(self.config.default_interactions_per_day),
            pace::INTERACTIONS_PER_DAY,
        )?;
        let seed = req.seed.unwrap_or(id);
        let (token, token_sha256) = tokens::new_token()?;
        let now_wall = wall_ms();
        let ttl = pace::within(
            "inactivity_ttl_s",
            req.inactivity_ttl_s
                .unwrap_or(self.config.default_inactivity_ttl.as_secs()),
            pace::INACTIVITY_TTL_S,
        )?;
        let state = State {
            status: ProfileStatus::Created,
            speed: req.speed.unwrap_or(1.0),
            now: start,
            next_seq: 1,
            window: window_for(req.speed.unwrap_or(1.0)),
            window_base: start,
            reason: None,
            day: start.div_euclid(DAY),
            day_interactions: 0,
            interactions_per_day: per_day,
            last_active: now_wall,
            expires_at,
            inactivity_ttl_s: ttl,
            journal_next: 0,
            health: BTreeMap::new(),
            held: Vec::new(),
            scheduled: Vec::new(),
            scheduled_next: 0,
        };
        // Instantiating checks every platform's parameters before anything is stored.
        let p = self
            .build(
                id,
                spec.clone(),
                seed,
                Opened { start, history },
                state.clone(),
                false,
            )
            .map_err(|e| match e {
                // A plugin that refuses or fails its set-up is the request's
                // problem to fix (its parameters, or the plugin), not the server's.
                LiveError::Engine(EngineError::Plugin(p)) => LiveError::Invalid(p.to_string()),
                LiveError::Engine(e) => invalid_or_engine(e),
                other => other,
            })?;
        let record = LiveRecord::new(
            &spec,
            now_wall,
            LiveFields {
                id: id.to_string(),
                seed,
                start,
                token_sha256,
                history_days,
            },
        );
        self.store.put_profile(id, &record)?;
        self.remember_token(&record.extra.token_sha256, id);
        {
            let mut sim = p.sim();
            let mut rt = p.rt();
            if history > 0 {
                // The past, stored with its own times before the profile
                // opens; it does not count against the day's interactions.
                let made = sim.step_history(0).and_then(|_| sim.sync());
                if let Err(e) = made {
                    drop(rt);
                    drop(sim);
                    let _ = self.store.delete_owner(id);
                    self.forget_tokens(id);
                    return Err(invalid_or_engine(e));
                }
                *p.shared.day.lock().unwrap_or_else(|e| e.into_inner()) =
                    (start.div_euclid(DAY), 0, per_day, false);
            }
            p.write_state(&sim, &state)?;
            p.persist(&mut sim, &mut rt)?;
            if req.speed.is_none() {
                // Created, not running: it holds no plugin until needed.
                sim.suspend(0);
            }
        }
        self.profiles
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, p.clone());
        if let Some(speed) = req.speed {
            if let Err(e) = self.start_locked(&p, Some(speed)) {
                drop(_admin);
                let _ = self.delete(id);
                return Err(e);
            }
        }
        self.store.commit()?;
        Ok((self.view(&p)?, token))
    }

    /// Delete a profile and every key it owns; returns how many keys.
    pub fn delete(&self, id: OwnerId) -> Result<u64, LiveError> {
        let p = self
            .profiles
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id)
            .ok_or_else(|| LiveError::no_profile(id))?;
        {
            let _sim = p.sim();
            let mut rt = p.rt();
            rt.deleted = true;
            rt.generation += 1;
        }
        p.changed.notify_all();
        self.forget_tokens(id);
        self.observer.deleted(id);
        self.limiter.forget(id);
        let removed = self.store.delete_owner(id)?;
        self.store.commit()?;
        Ok(removed)
    }

    /// Start (or resume) at `speed` (the last speed when `None`).
    pub fn start(
        &self,
        p: &Arc<LiveProfile>,
        speed: Option<f64>,
    ) -> Result<ProfileView, LiveError> {
        let _admin = self.admin.lock().unwrap_or_else(|e| e.into_inner());
        self.start_locked(p, speed)?;
        self.store.commit()?;
        self.view(p)
    }

    fn start_locked(&self, p: &Arc<LiveProfile>, speed: Option<f64>) -> Result<(), LiveError> {
        if let Some(s) = speed {
            pace::check_speed(s, self.config.max_speed)?;
        }
        {
            let rt = p.rt();
            match rt.state.status {
                ProfileStatus::Running if speed.is_none() || speed == Some(rt.state.speed) => {
                    return Ok(())
                }
                ProfileStatus::Degraded => {
                    return Err(StateConflict::DegradedCannotRun {
                        reason: rt.state.reason.clone().unwrap_or_default(),
                    }
                    .into())
                }
                ProfileStatus::Limited
                    if p.shared.day.lock().unwrap_or_else(|e| e.into_inner()).3 =>
                {
                    return Err(StateConflict::DailyLimit {
                        limit: rt.state.interactions_per_day,
                    }
                    .into());
                }
                _ => {}
            }
        }
        // Not holding this profile's lock: counting takes every profile's.
        let running = p.rt().state.status == ProfileStatus::Running;
        if !running {
            let (_, live) = self.count();
            if live as usize >= self.config.max_live {
                return Err(LiveError::LiveLimit {
                    max: self.config.max_live,
                });
            }
        }
        self.run(p, speed)
    }

    /// Set the profile running from its current virtual time.
    pub(super) fn run(&self, p: &Arc<LiveProfile>, speed: Option<f64>) -> Result<(), LiveError> {
        let mut sim = p.sim();
        let mut rt = p.rt();
        alive(p, &rt)?;
        let speed = speed.unwrap_or(rt.state.speed);
        let now = sim.now();
        let window = window_for(speed);
        // Checked before anything changes: a speed whose windows cannot be
        // timed on the wall clock is refused, never stored.
        if pace::wall_after(Instant::now(), window, speed).is_none() {
            return Err(RangeError::UntimedSpeed {
                speed,
                max: self.config.max_speed,
            }
            .into());
        }
        if window != rt.state.window {
            rt.state.window = window;
            rt.state.window_base = now;
            p.write_journal(
                &sim,
                &mut rt,
                JournalEntry {
                    at: now,
                    what: Journaled::Window { base: now, window },
                },
            )?;
        }
        rt.state.speed = speed;
        rt.state.status = ProfileStatus::Running;
        rt.state.reason = None;
        rt.generation += 1;
        p.anchor(&mut rt, now, speed);
        p.persist(&mut sim, &mut rt)?;
        let generation = rt.generation;
        // The first window is stepped (ahead of the clock) at once.
        let due = Instant::now();
        drop(rt);
        drop(sim);
        p.changed.notify_all();
        self.scheduler.schedule(due, generation, p.clone());
        Ok(())
    }

    /// Pause (or stop) a profile at its current virtual time.
    pub fn halt(&self, p: &LiveProfile, status: ProfileStatus) -> Result<ProfileView, LiveError> {
        {
            let _admin = self.admin.lock().unwrap_or_else(|e| e.into_inner());
            let mut sim = p.sim();
            let mut rt = p.rt();
            alive(p, &rt)?;
            match (rt.state.status, status) {
                (ProfileStatus::Degraded, _) => {
                    return Err(StateConflict::Degraded {
                        reason: rt.state.reason.clone().unwrap_or_default(),
                    }
                    .into())
                }
                (ProfileStatus::Created, ProfileStatus::Paused) => {
                    return Err(StateConflict::NothingToPause.into())
                }
                (ProfileStatus::Stopped, ProfileStatus::Paused) => {
                    return Err(StateConflict::StoppedNotPaused.into())
                }
                _ => {}
            }
            rt.state.status = status;
            rt.generation += 1;
            // What was stepped ahead of the clock is stored: the profile
            // stops at the end of the time it has stepped.
            p.release_all(&mut sim)?;
            let now = sim.now();
            p.anchor(&mut rt, now, 0.0);
            p.persist(&mut sim, &mut rt)?;
            // Not running: its plugins are dropped, restored when needed.
            sim.suspend(0);
        }
        p.changed.notify_all();
        self.store.commit()?;
        self.view(p)
    }
}
