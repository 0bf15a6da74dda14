//! Live profiles: demo accounts whose simulation follows the wall clock at
//! a chosen speed, for `diorama serve`.
//!
//! Each profile is its own [`Simulation`] (one profile, an inline writer),
//! stepped by the [driver](driver) in windows of about 40 ms of wall time,
//! so an event is stored and published within that of its moment. What a
//! profile stores is published to its stream subscribers and webhooks.
//!
//! Persistence: plugin snapshots and the profile's state are written every
//! few seconds and at every pause, stop and shutdown, in one atomic write
//! with the journal's trim; every signal and action in between goes to a
//! journal first. Nothing is acknowledged before it is on disk: an action
//! or signal is answered, and stored events are streamed or handed to
//! webhooks, only after a store commit covers them (one flush serves every
//! profile's windows stored meanwhile). After a clean stop a profile
//! resumes from its snapshot. After a crash it is restored from the last
//! snapshot and replayed through the journal until every event already
//! stored has been regenerated (same seed, same windows, same commands:
//! the same events), so nothing is lost or numbered twice.

pub mod admission;
mod driver;
pub mod pace;
mod profile;
mod records;
pub mod scenario;
pub mod spec;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use diorama_sdk::{Action, ActionError, Millis, DAY};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::sync::broadcast;

use crate::engine::{EngineError, ProfileSpec, RunSettings, Simulation};
use crate::event::{time, OwnerId, StoredEvent};
use crate::plugin::PluginHost;
use crate::store::{Store, StoreError};
use crate::telemetry::Telemetry;
use crate::webhook::Webhooks;

use profile::{
    next_end, wall_ms, window_for, JournalEntry, Journaled, Listener, Publisher, Runtime, Shared,
};
pub use profile::{publish, LiveProfile, Published, PublishedEvent, State, Status};
pub use records::{JOURNAL, LIVE_STATE};
pub use spec::{CreateProfile, Limits, UpdateProfile};

/// How the live side is set up.
#[derive(Clone, Debug)]
pub struct LiveConfig {
    /// The most profiles running at once.
    pub max_live: usize,
    pub default_interactions_per_day: u64,
    pub default_inactivity_ttl: Duration,
    /// How often a running profile is snapshotted.
    pub snapshot_every: Duration,
    pub max_speed: f64,
    /// Threads stepping profiles.
    pub workers: usize,
    /// Actions and signals per second one token may send (bursts of as many).
    pub action_rate: f64,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            max_live: 1_000,
            default_interactions_per_day: 1_000,
            default_inactivity_ttl: Duration::from_secs(30 * 24 * 3600),
            snapshot_every: Duration::from_secs(15),
            max_speed: pace::MAX_SPEED,
            workers: 2,
            action_rate: 20.0,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    LiveLimit(String),
    #[error(transparent)]
    Engine(EngineError),
    #[error("store: {0}")]
    Store(StoreError),
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for LiveError {
    fn from(e: StoreError) -> Self {
        match e {
            // A write that raced the profile's deletion: the profile is gone.
            StoreError::OwnerDeleted(id) => LiveError::NotFound(format!("no profile `{id}`")),
            other => LiveError::Store(other),
        }
    }
}

/// A profile as the API shows it.
#[derive(Clone, Debug, Serialize)]
pub struct ProfileView {
    pub id: String,
    pub name: String,
    pub niche: String,
    pub timezone: String,
    pub platforms: BTreeMap<String, Value>,
    pub seed: u64,
    pub status: Status,
    pub speed: f64,
    /// Virtual time now, unix ms and RFC 3339.
    pub now: Millis,
    pub time: String,
    pub created_at: String,
    pub last_active: String,
    pub expires_at: Option<String>,
    pub inactivity_ttl_s: u64,
    pub limits: Value,
    pub events: u64,
    pub interactions_today: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The live profiles of one server.
pub struct LiveManager {
    host: Arc<PluginHost>,
    store: Store,
    webhooks: Arc<Webhooks>,
    telemetry: Arc<Telemetry>,
    config: LiveConfig,
    profiles: RwLock<BTreeMap<OwnerId, Arc<LiveProfile>>>,
    scheduler: Arc<driver::Scheduler>,
    workers: Mutex<Vec<std::thread::JoinHandle<()>>>,
    /// Serialises creation, deletion and status changes across profiles
    /// (the live count).
    admin: Mutex<()>,
    /// SHA-256 of each profile's token → the profile.
    tokens: RwLock<BTreeMap<String, OwnerId>>,
    /// Publishes stored events once they are on disk, on its own thread.
    publisher: Arc<Publisher>,
    publishing: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Actions and signals per token.
    limiter: admission::RateLimiter,
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn random_hex(bytes: usize) -> Result<String, LiveError> {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b)
        .map_err(|e| LiveError::Internal(format!("no randomness for a token: {e}")))?;
    Ok(hex::encode(b))
}

/// Constant-time equality of two strings' bytes.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn parse_wall(text: &str, what: &str) -> Result<i64, LiveError> {
    let ms = time::parse_instant(text).map_err(|e| LiveError::Invalid(format!("`{what}`: {e}")))?;
    pace::instant_within(what, ms).map_err(LiveError::Invalid)
}

fn check_speed(speed: f64, max: f64) -> Result<f64, LiveError> {
    pace::check_speed(speed, max).map_err(LiveError::Invalid)
}

/// A whole number of `field` within `range`, or 422 naming the field.
fn check_within(field: &str, value: u64, range: (u64, u64)) -> Result<u64, LiveError> {
    pace::within(field, value, range).map_err(LiveError::Invalid)
}

/// Every writer checks this under the profile's lock: a profile being
/// deleted is never written again (a late write would outlive the delete).
fn alive(p: &LiveProfile, rt: &Runtime) -> Result<(), LiveError> {
    if rt.deleted {
        return Err(LiveError::NotFound(format!("no profile `{}`", p.id)));
    }
    Ok(())
}

impl LiveManager {
    /// Open the live side over `store`: every stored live profile is
    /// restored (replayed after a crash) and those that were running resume.
    pub fn open(
        host: Arc<PluginHost>,
        store: Store,
        webhooks: Arc<Webhooks>,
        telemetry: Arc<Telemetry>,
        config: LiveConfig,
    ) -> Result<Arc<LiveManager>, LiveError> {
        let scheduler = driver::Scheduler::new(config.snapshot_every);
        let publisher = Publisher::new();
        let publishing = {
            let (publisher, store) = (publisher.clone(), store.clone());
            std::thread::Builder::new()
                .name("diorama-publish".into())
                .spawn(move || publisher.run(&store))
                .map_err(|e| LiveError::Internal(format!("cannot start the publisher: {e}")))?
        };
        // Keys of profiles whose deletion crashed before the store marked
        // deletions durably: nothing may restore from them.
        for owner in store.delete_orphans()? {
            webhooks.forget(owner);
            tracing::warn!(
                profile = owner,
                "removed the keys of a profile with no record"
            );
        }
        let m = Arc::new(LiveManager {
            limiter: admission::RateLimiter::new(config.action_rate),
            publisher,
            publishing: Mutex::new(Some(publishing)),
            host,
            store,
            webhooks,
            telemetry,
            scheduler,
            workers: Mutex::new(Vec::new()),
            profiles: RwLock::new(BTreeMap::new()),
            admin: Mutex::new(()),
            tokens: RwLock::new(BTreeMap::new()),
            config,
        });
        for owner in m.store.record_owners(LIVE_STATE)? {
            // One profile that cannot be restored (even by a bug that
            // panics) must not keep the server from serving the others.
            let restored =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| m.restore(owner)));
            match restored {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::error!(profile = owner, error = %e, "cannot restore a live profile; it is left as stored");
                }
                Err(_) => {
                    tracing::error!(
                        profile = owner,
                        "restoring a live profile failed unexpectedly; it is left as stored"
                    );
                }
            }
        }
        *m.workers.lock().unwrap_or_else(|e| e.into_inner()) =
            m.scheduler.spawn_workers(m.config.workers);
        Ok(m)
    }

    pub fn config(&self) -> &LiveConfig {
        &self.config
    }

    pub fn host(&self) -> &Arc<PluginHost> {
        &self.host
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    fn build(
        &self,
        id: OwnerId,
        spec: ProfileSpec,
        seed: u64,
        start: Millis,
        state: State,
    ) -> Result<Arc<LiveProfile>, LiveError> {
        let (tx, _) = broadcast::channel(1024);
        let shared = Arc::new(Shared {
            owner: id,
            tx,
            publisher: self.publisher.clone(),
            anchor: Mutex::new((Instant::now(), start, 0.0)),
            day: Mutex::new((
                state.day,
                state.day_interactions,
                state.interactions_per_day,
                state.day_interactions >= state.interactions_per_day,
            )),
            webhooks: self.webhooks.clone(),
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
        sim.add_profile_as(spec, json!({}), Some(id))?;
        sim.record_commands();
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

    fn spec_of(record: &Value) -> Result<(ProfileSpec, u64, Millis), LiveError> {
        let s = |k: &str| record.get(k).and_then(Value::as_str).map(str::to_string);
        let platforms: BTreeMap<String, Value> = record
            .get("platforms")
            .and_then(|p| serde_json::from_value(p.clone()).ok())
            .unwrap_or_default();
        let spec = ProfileSpec {
            name: s("name").unwrap_or_default(),
            niche: s("niche").unwrap_or_default(),
            timezone: s("timezone").unwrap_or_else(|| "UTC".into()),
            platforms,
        };
        let seed = record.get("seed").and_then(Value::as_u64).unwrap_or(0);
        let start = record.get("start").and_then(Value::as_i64).unwrap_or(0);
        Ok((spec, seed, start))
    }

    fn restore(self: &Arc<Self>, id: OwnerId) -> Result<(), LiveError> {
        let record = self
            .store
            .profile(id)?
            .ok_or_else(|| LiveError::Internal(format!("live profile {id} has no record")))?;
        let bytes = self
            .store
            .record(LIVE_STATE, id, b"state")?
            .ok_or_else(|| LiveError::Internal(format!("live profile {id} has no state")))?;
        let mut state: State = serde_json::from_slice(&bytes)
            .map_err(|e| LiveError::Internal(format!("live profile {id}: corrupt state: {e}")))?;
        // Out-of-range values (an older build's or a damaged record) would
        // break the clock arithmetic: that profile is degraded, the others run.
        let out_of_range = pace::stored_state_problem(&state, self.config.max_speed);
        if let Some(reason) = &out_of_range {
            tracing::error!(profile = id, %reason, "live profile restored degraded");
            pace::make_safe(&mut state, self.config.max_speed);
            state.status = Status::Degraded;
            state.reason = Some(reason.clone());
        }
        let (spec, seed, start) = Self::spec_of(&record)?;
        if let Some(h) = record.get("token_sha256").and_then(Value::as_str) {
            self.tokens
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(h.to_string(), id);
        }
        let p = self.build(id, spec, seed, start, state.clone())?;
        if out_of_range.is_some() {
            p.write_state(&state)?;
        }
        {
            let mut sim = p.sim();
            let mut snaps = BTreeMap::new();
            let platforms: Vec<String> = sim
                .profiles()
                .flat_map(|(_, s)| s.platforms.keys().cloned().collect::<Vec<_>>())
                .collect();
            for platform in platforms {
                if let Some(b) = self.store.snapshot(id, &platform)? {
                    snaps.insert(platform, b);
                }
            }
            if !snaps.is_empty() {
                sim.restore_profile(0, &snaps)?;
            }
            sim.set_now(state.now);
            let stored = self.store.last_seq(id)?.unwrap_or(0);
            sim.set_numbering(0, state.next_seq, stored);
        }
        let stored = self.store.last_seq(id)?.unwrap_or(0);
        let degraded = state.status == Status::Degraded;
        if let Err(e) = if degraded { Ok(()) } else { p.replay(stored) } {
            let mut sim = p.sim();
            let mut rt = p.rt();
            p.degrade(&mut sim, &mut rt, &e);
        }
        self.profiles
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, p.clone());
        let running = p.rt().state.status == Status::Running;
        if running {
            self.run(&p, None)?;
        }
        Ok(())
    }

    /// Create a profile; returns it and its token (shown only now).
    pub fn create(
        self: &Arc<Self>,
        req: CreateProfile,
    ) -> Result<(ProfileView, String), LiveError> {
        let _admin = self.admin.lock().unwrap_or_else(|e| e.into_inner());
        spec::check_ranges(&req, self.config.max_speed).map_err(LiveError::Invalid)?;
        let id = self.store.new_owner_id()?;
        let spec = spec::profile_spec(&req, &self.host, &format!("demo-{id}"))
            .map_err(LiveError::Invalid)?;
        let start = match &req.start {
            Some(t) => parse_wall(t, "start")?,
            None => wall_ms() / 1000 * 1000,
        };
        let expires_at = req
            .expires_at
            .as_deref()
            .map(|t| parse_wall(t, "expires_at"))
            .transpose()?;
        let per_day = check_within(
            "limits.interactions_per_day",
            req.limits
                .interactions_per_day
                .unwrap_or(self.config.default_interactions_per_day),
            pace::INTERACTIONS_PER_DAY,
        )?;
        let seed = req.seed.unwrap_or(id);
        let token = format!("dpt_{}", random_hex(24)?);
        let now_wall = wall_ms();
        let ttl = check_within(
            "inactivity_ttl_s",
            req.inactivity_ttl_s
                .unwrap_or(self.config.default_inactivity_ttl.as_secs()),
            pace::INACTIVITY_TTL_S,
        )?;
        let state = State {
            status: Status::Created,
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
        };
        // Instantiating checks every platform's parameters before anything is stored.
        let p = self
            .build(id, spec.clone(), seed, start, state.clone())
            .map_err(|e| match e {
                // A plugin that refuses or fails its set-up is the request's
                // problem to fix (its parameters, or the plugin), not the server's.
                LiveError::Engine(EngineError::Plugin(p)) => LiveError::Invalid(p.to_string()),
                LiveError::Engine(e) => invalid_or_engine(e),
                other => other,
            })?;
        let record = json!({
            "id": id.to_string(),
            "name": spec.name,
            "niche": spec.niche,
            "timezone": spec.timezone,
            "platforms": spec.platforms,
            "seed": seed,
            "start": start,
            "created_at": now_wall,
            "token_sha256": sha256_hex(&token),
        });
        self.store.put_profile(id, &record)?;
        self.tokens
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(sha256_hex(&token), id);
        p.write_state(&state)?;
        {
            let mut sim = p.sim();
            let mut rt = p.rt();
            p.persist(&mut sim, &mut rt)?;
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

    /// The profile with this id, or a 404 that names only the id asked for.
    /// A profile past its end is gone already, before the sweeper deletes it.
    pub fn get(&self, id: &str) -> Result<Arc<LiveProfile>, LiveError> {
        let n: Option<OwnerId> = id.parse().ok();
        n.and_then(|n| {
            self.profiles
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .get(&n)
                .cloned()
        })
        .filter(|p| !Self::expired(p, wall_ms()))
        .ok_or_else(|| LiveError::NotFound(format!("no profile `{id}`")))
    }

    /// Past its end, or idle for longer than its time to live.
    fn expired(p: &LiveProfile, now: i64) -> bool {
        let (expires, ttl) = {
            let rt = p.rt();
            (rt.state.expires_at, rt.state.inactivity_ttl_s)
        };
        let idle_ms = now.saturating_sub(p.last_active.load(Ordering::Relaxed));
        expires.is_some_and(|e| e <= now) || pace::idle_past(idle_ms, ttl)
    }

    /// The profile whose token this is. Tokens are looked up by their
    /// SHA-256, so the comparison does not depend on the token's bytes.
    pub fn profile_for_token(&self, token: &str) -> Option<OwnerId> {
        self.tokens
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&sha256_hex(token))
            .copied()
    }

    /// Every profile, by id.
    fn all(&self) -> Vec<Arc<LiveProfile>> {
        self.profiles
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }

    pub fn list(&self) -> Result<Vec<ProfileView>, LiveError> {
        let now = wall_ms();
        self.all()
            .iter()
            .filter(|p| !Self::expired(p, now))
            .map(|p| self.view(p))
            .collect()
    }

    pub fn count(&self) -> (u64, u64) {
        let map = self.profiles.read().unwrap_or_else(|e| e.into_inner());
        let live = map
            .values()
            .filter(|p| p.rt().state.status == Status::Running)
            .count();
        (map.len() as u64, live as u64)
    }

    pub fn view(&self, p: &LiveProfile) -> Result<ProfileView, LiveError> {
        let record = self
            .store
            .profile(p.id)?
            .ok_or_else(|| LiveError::NotFound(format!("no profile `{}`", p.id)))?;
        let (spec, seed, _) = Self::spec_of(&record)?;
        let now = p.sim().now();
        let rt = p.rt();
        let st = &rt.state;
        let day = *p.shared.day.lock().unwrap_or_else(|e| e.into_inner());
        let created = record
            .get("created_at")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        Ok(ProfileView {
            id: p.id.to_string(),
            name: spec.name,
            niche: spec.niche,
            timezone: spec.timezone,
            platforms: spec.platforms,
            seed,
            status: st.status,
            speed: st.speed,
            now,
            time: time::format_instant(now),
            created_at: time::format_instant(created),
            last_active: time::format_instant(p.last_active.load(Ordering::Relaxed)),
            expires_at: st.expires_at.map(time::format_instant),
            inactivity_ttl_s: st.inactivity_ttl_s,
            limits: json!({ "interactions_per_day": st.interactions_per_day }),
            events: self.store.last_seq(p.id)?.unwrap_or(0),
            interactions_today: if day.0 == now.div_euclid(DAY) {
                day.1
            } else {
                0
            },
            reason: st.reason.clone(),
        })
    }

    /// Change what may change on a profile.
    pub fn update(&self, p: &LiveProfile, patch: UpdateProfile) -> Result<ProfileView, LiveError> {
        for (field, given) in [
            ("platforms", patch.platforms.is_some()),
            ("niche", patch.niche.is_some()),
            ("timezone", patch.timezone.is_some()),
            ("seed", patch.seed.is_some()),
        ] {
            if given {
                return Err(LiveError::Conflict(format!(
                    "`{field}` is fixed when a profile is created (its plugins were set up with it); create a new profile instead"
                )));
            }
        }
        let mut record: Value = self
            .store
            .profile(p.id)?
            .ok_or_else(|| LiveError::NotFound(format!("no profile `{}`", p.id)))?;
        if let Some(name) = &patch.name {
            spec::check_name(name).map_err(LiveError::Invalid)?;
        }
        let expires = match &patch.expires_at {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(t)) => Some(Some(parse_wall(t, "expires_at")?)),
            Some(other) => {
                return Err(LiveError::Invalid(format!(
                    "`expires_at` must be an RFC 3339 time or null, not {other}"
                )))
            }
        };
        if let Some(t) = patch.inactivity_ttl_s {
            check_within("inactivity_ttl_s", t, pace::INACTIVITY_TTL_S)?;
        }
        let per_day = patch.limits.as_ref().and_then(|l| l.interactions_per_day);
        if let Some(n) = per_day {
            check_within("limits.interactions_per_day", n, pace::INTERACTIONS_PER_DAY)?;
        }
        {
            let mut rt = p.rt();
            alive(p, &rt)?;
            if let Some(name) = patch.name {
                record["name"] = Value::String(name);
                self.store.put_profile(p.id, &record)?;
            }
            if let Some(e) = expires {
                rt.state.expires_at = e;
            }
            if let Some(t) = patch.inactivity_ttl_s {
                rt.state.inactivity_ttl_s = t;
            }
            if let Some(n) = per_day {
                rt.state.interactions_per_day = n;
                let mut day = p.shared.day.lock().unwrap_or_else(|e| e.into_inner());
                day.2 = n;
                day.3 = day.1 >= n;
            }
            p.write_state(&rt.state)?;
        }
        self.store.commit()?;
        self.view(p)
    }

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

    /// Delete a profile and every key it owns; returns how many keys.
    pub fn delete(&self, id: OwnerId) -> Result<u64, LiveError> {
        let p = self
            .profiles
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id)
            .ok_or_else(|| LiveError::NotFound(format!("no profile `{id}`")))?;
        {
            let _sim = p.sim();
            let mut rt = p.rt();
            rt.deleted = true;
            rt.generation += 1;
        }
        p.changed.notify_all();
        self.tokens
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, owner| *owner != id);
        self.webhooks.forget(id);
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
            check_speed(s, self.config.max_speed)?;
        }
        {
            let rt = p.rt();
            match rt.state.status {
                Status::Running if speed.is_none() || speed == Some(rt.state.speed) => {
                    return Ok(())
                }
                Status::Degraded => {
                    return Err(LiveError::Conflict(format!(
                        "the profile is degraded and cannot run: {}",
                        rt.state.reason.clone().unwrap_or_default()
                    )))
                }
                Status::Limited if p.shared.day.lock().unwrap_or_else(|e| e.into_inner()).3 => {
                    return Err(LiveError::Conflict(format!(
                        "the profile reached its limit of {} interactions for this virtual day; raise `limits.interactions_per_day` (PATCH) to resume",
                        rt.state.interactions_per_day
                    )));
                }
                _ => {}
            }
        }
        // Not holding this profile's lock: counting takes every profile's.
        let running = p.rt().state.status == Status::Running;
        if !running {
            let (_, live) = self.count();
            if live as usize >= self.config.max_live {
                return Err(LiveError::LiveLimit(format!(
                    "this server already runs its maximum of {} live profiles; pause or stop one first",
                    self.config.max_live
                )));
            }
        }
        self.run(p, speed)
    }

    /// Set the profile running from its current virtual time.
    fn run(&self, p: &Arc<LiveProfile>, speed: Option<f64>) -> Result<(), LiveError> {
        let mut sim = p.sim();
        let mut rt = p.rt();
        alive(p, &rt)?;
        let speed = speed.unwrap_or(rt.state.speed);
        let now = sim.now();
        let window = window_for(speed);
        // Checked before anything changes: a speed whose windows cannot be
        // timed on the wall clock is refused, never stored.
        if pace::wall_after(Instant::now(), window, speed).is_none() {
            return Err(LiveError::Invalid(format!(
                "`speed` must be between {} and {}, got {speed}",
                pace::MIN_SPEED,
                self.config.max_speed
            )));
        }
        if window != rt.state.window {
            rt.state.window = window;
            rt.state.window_base = now;
            p.write_journal(
                &mut rt,
                JournalEntry {
                    at: now,
                    what: Journaled::Window { base: now, window },
                },
            )?;
        }
        rt.state.speed = speed;
        rt.state.status = Status::Running;
        rt.state.reason = None;
        rt.generation += 1;
        p.anchor(&mut rt, now, speed);
        p.persist(&mut sim, &mut rt)?;
        let generation = rt.generation;
        let end = next_end(now, rt.state.window_base, rt.state.window);
        let due =
            pace::wall_after(rt.anchor_wall, end.saturating_sub(now), speed).ok_or_else(|| {
                LiveError::Invalid(format!(
                    "`speed` {speed} puts the next window beyond what the clock can hold"
                ))
            })?;
        drop(rt);
        drop(sim);
        p.changed.notify_all();
        self.scheduler.schedule(due, generation, p.clone());
        Ok(())
    }

    /// Pause (or stop) a profile at its current virtual time.
    pub fn halt(&self, p: &LiveProfile, status: Status) -> Result<ProfileView, LiveError> {
        {
            let _admin = self.admin.lock().unwrap_or_else(|e| e.into_inner());
            let mut sim = p.sim();
            let mut rt = p.rt();
            alive(p, &rt)?;
            match (rt.state.status, status) {
                (Status::Degraded, _) => {
                    return Err(LiveError::Conflict(format!(
                        "the profile is degraded: {}",
                        rt.state.reason.clone().unwrap_or_default()
                    )))
                }
                (Status::Created, Status::Paused) => {
                    return Err(LiveError::Conflict(
                        "the profile has not been started; nothing to pause".into(),
                    ))
                }
                (Status::Stopped, Status::Paused) => {
                    return Err(LiveError::Conflict(
                        "the profile is stopped; start it again instead".into(),
                    ))
                }
                _ => {}
            }
            rt.state.status = status;
            rt.generation += 1;
            let now = sim.now();
            p.anchor(&mut rt, now, 0.0);
            p.persist(&mut sim, &mut rt)?;
        }
        p.changed.notify_all();
        self.store.commit()?;
        self.view(p)
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
            if rt.state.status == Status::Degraded {
                return Err(LiveError::Conflict(format!(
                    "the profile is degraded: {}",
                    rt.state.reason.clone().unwrap_or_default()
                )));
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
            .map_err(|e| LiveError::Invalid(format!("`params` is not JSON: {e}")))?;
        admission::check_request(platform, "kind", &action.kind, &params)?;
        let result = {
            let mut sim = p.sim();
            let mut rt = p.rt();
            alive(p, &rt)?;
            let refused = |why: String| Err(LiveError::Conflict(why));
            match rt.state.status {
                Status::Running | Status::Paused => {}
                Status::Created => {
                    return refused(
                        "the profile has not been started; start it before acting (an action happens at its current virtual time)".into(),
                    )
                }
                Status::Stopped => {
                    return refused("the profile is stopped; start it again to act".into())
                }
                Status::Limited => {
                    return refused(format!(
                        "{}; actions wait for it too",
                        rt.state.reason.clone().unwrap_or_else(|| {
                            "the profile reached its interactions for the virtual day".into()
                        })
                    ))
                }
                Status::Degraded => {
                    return refused(format!(
                        "the profile is degraded: {}",
                        rt.state.reason.clone().unwrap_or_default()
                    ))
                }
            }
            let day = *p.shared.day.lock().unwrap_or_else(|e| e.into_inner());
            if day.0 == sim.now().div_euclid(DAY) && day.1 >= day.2 {
                return refused(format!(
                    "the profile reached its limit of {} interactions for this virtual day (the creator's count too); raise `limits.interactions_per_day` (PATCH) to act again",
                    day.2
                ));
            }
            let outcome = sim.act(0, platform, action).map_err(invalid_or_engine)?;
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

    /// Delete every profile past its end or idle for longer than its TTL.
    pub fn sweep(&self) -> Vec<OwnerId> {
        let now = wall_ms();
        let all = self.all();
        let mut gone = Vec::new();
        for p in all {
            if Self::expired(&p, now) {
                match self.delete(p.id) {
                    Ok(keys) => {
                        tracing::info!(profile = p.id, keys, "expired profile deleted");
                        gone.push(p.id);
                    }
                    Err(e) => {
                        tracing::warn!(profile = p.id, error = %e, "cannot delete an expired profile")
                    }
                }
            }
        }
        gone
    }

    /// Stop stepping, snapshot every profile, flush. Running profiles stay
    /// marked running, so the next start resumes them.
    pub fn shutdown(&self) -> Result<(), LiveError> {
        self.scheduler.stop();
        for w in self
            .workers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            let _ = w.join();
        }
        let all = self.all();
        let mut first_error = None;
        for p in all {
            let mut sim = p.sim();
            let mut rt = p.rt();
            rt.generation += 1;
            if rt.state.status == Status::Degraded {
                continue;
            }
            if let Err(e) = p.persist(&mut sim, &mut rt) {
                tracing::error!(profile = p.id, error = %e, "cannot snapshot a profile at shutdown");
                first_error.get_or_insert(e);
            }
            drop(rt);
            drop(sim);
            p.changed.notify_all();
        }
        self.publisher.stop();
        if let Some(t) = self
            .publishing
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            let _ = t.join();
        }
        self.store.flush()?;
        match first_error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl Drop for LiveManager {
    fn drop(&mut self) {
        // The publishing thread drains what is queued, then ends.
        self.publisher.stop();
    }
}

/// Bad parameters for a signal or action are the caller's error (400/422),
/// anything else is the engine's.
fn invalid_or_engine(e: EngineError) -> LiveError {
    match e {
        EngineError::Invalid(m) => LiveError::Invalid(m),
        EngineError::Plugin(p) if !p.is_fatal() => LiveError::Invalid(p.to_string()),
        other => LiveError::Engine(other),
    }
}
