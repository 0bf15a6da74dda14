//! The simulation engine: a virtual clock, one plugin instance per
//! (profile, platform), all stepped over the same windows, their events
//! merged in a deterministic order, numbered per profile, written to the
//! store and handed to listeners (reports, streams).
//!
//! Merge order: time, then profile creation order, then platform name, then
//! the order the plugin returned them in. Plugin calls run on the caller's
//! thread; storing and listeners run on a writer thread, so persisting
//! overlaps with simulating. [`Simulation::sync`] waits for the writer.

mod writer;

use std::collections::BTreeMap;
use std::sync::Arc;

use diorama_sdk::{AccountConfig, Action, ActionError, Event, Millis, MINUTE};
use serde::Serialize;

use crate::event::{
    count_event, time, EventCounts, EventListener, OwnerId, StoredEvent, HOST_PLATFORM,
};
use crate::plugin::{PluginError, PluginHost, PluginInstance};
use crate::store::{Store, StoreError};

use writer::Writer;

/// The engine steps every instance over windows of this length.
pub const DEFAULT_WINDOW: Millis = MINUTE;

/// Events are handed to the writer in chunks of about this many.
const CHUNK: usize = 8_192;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Plugin(#[from] PluginError),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Invalid(String),
    #[error("plugin `{platform}` of profile `{profile}` misbehaved in `step`: {reason}")]
    Contract {
        profile: String,
        platform: String,
        reason: String,
    },
    #[error("output: {0}")]
    Output(String),
}

/// What a profile is made of.
#[derive(Clone, Debug, Serialize)]
pub struct ProfileSpec {
    pub name: String,
    pub niche: String,
    pub timezone: String,
    /// Platform name → its parameters (a JSON object).
    pub platforms: BTreeMap<String, serde_json::Value>,
}

/// How a run is set up.
#[derive(Clone, Debug)]
pub struct RunSettings {
    pub seed: u64,
    pub start: Millis,
    pub window: Millis,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            seed: 42,
            start: time::DEFAULT_START,
            window: DEFAULT_WINDOW,
        }
    }
}

struct Instance {
    platform: String,
    plugin: PluginInstance,
}

struct Profile {
    id: OwnerId,
    spec: ProfileSpec,
    /// Sorted by platform name.
    instances: Vec<Instance>,
    next_seq: u64,
    /// Events numbered up to this seq are already stored (a replay after a
    /// crash regenerates them): they are numbered and dropped.
    stored_through: u64,
}

/// A command applied to a profile, recorded (when asked) so a live profile
/// can be replayed after a crash: the same commands at the same virtual
/// times give the same events.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    Signal {
        platform: String,
        name: String,
        params: serde_json::Value,
    },
    Act {
        platform: String,
        kind: String,
        params: String,
    },
}

/// A simulation in progress.
pub struct Simulation {
    host: Arc<PluginHost>,
    store: Store,
    settings: RunSettings,
    now: Millis,
    profiles: Vec<Profile>,
    tally: EventCounts,
    total_events: u64,
    pending: Vec<Vec<StoredEvent>>,
    pending_order: Vec<(u32, u32)>,
    /// The window's events before merging, reused.
    batch: Vec<(u32, u32, Event)>,
    writer: Writer,
    /// Commands applied so far, when recording: (profile, at, command).
    commands: Option<Vec<(usize, Millis, Command)>>,
    /// A replay regenerated a different event than the one stored.
    replay_diverged: bool,
}

impl Simulation {
    pub fn new(
        host: Arc<PluginHost>,
        store: Store,
        settings: RunSettings,
        listeners: Vec<Box<dyn EventListener>>,
    ) -> Self {
        let writer = Writer::spawn(store.clone(), listeners);
        Self::with_writer(host, store, settings, writer)
    }

    /// A simulation that stores events and calls its listeners on the
    /// caller's thread, at each [`Simulation::sync`] (no writer thread):
    /// live profiles, one simulation each.
    pub fn new_inline(
        host: Arc<PluginHost>,
        store: Store,
        settings: RunSettings,
        listeners: Vec<Box<dyn EventListener>>,
    ) -> Self {
        let writer = Writer::inline(store.clone(), listeners);
        Self::with_writer(host, store, settings, writer)
    }

    fn with_writer(
        host: Arc<PluginHost>,
        store: Store,
        settings: RunSettings,
        writer: Writer,
    ) -> Self {
        Simulation {
            host,
            store,
            now: settings.start,
            settings,
            profiles: Vec::new(),
            tally: EventCounts::new(),
            total_events: 0,
            pending: Vec::new(),
            pending_order: Vec::new(),
            batch: Vec::new(),
            writer,
            commands: None,
            replay_diverged: false,
        }
    }

    /// Record every signal and action from now on (see [`Command`]).
    pub fn record_commands(&mut self) {
        self.commands.get_or_insert_with(Vec::new);
    }

    /// The commands recorded since the last call: (profile, at, command).
    pub fn take_commands(&mut self) -> Vec<(usize, Millis, Command)> {
        self.commands
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Replay a recorded command at the current time.
    pub fn apply(&mut self, profile: usize, command: &Command) -> Result<(), EngineError> {
        match command {
            Command::Signal {
                platform,
                name,
                params,
            } => self.signal(profile, platform, name, params),
            Command::Act {
                platform,
                kind,
                params,
            } => {
                let action = Action {
                    kind: kind.clone(),
                    params: params.clone(),
                };
                // A refusal was a refusal the first time too.
                self.act(profile, platform, &action).map(|_| ())
            }
        }
    }

    /// Move the virtual clock to `at` without stepping: only for restoring
    /// a profile whose plugins are restored to that time.
    pub fn set_now(&mut self, at: Millis) {
        self.now = at;
    }

    /// The seq the profile's next event gets.
    pub fn next_seq(&self, profile: usize) -> Option<u64> {
        self.profiles.get(profile).map(|p| p.next_seq)
    }

    /// Restore a profile's numbering after a restart: its next event gets
    /// `next_seq`, and events numbered up to `stored_through` (already in
    /// the store, being regenerated by a replay) are dropped.
    pub fn set_numbering(&mut self, profile: usize, next_seq: u64, stored_through: u64) {
        if let Some(p) = self.profiles.get_mut(profile) {
            p.next_seq = next_seq;
            p.stored_through = stored_through;
        }
    }

    /// Whether a replay regenerated an event different from the stored one
    /// with its seq (checked on the last stored event).
    pub fn replay_diverged(&self) -> bool {
        self.replay_diverged
    }

    /// Whether the profile is still regenerating events already stored.
    pub fn replaying(&self, profile: usize) -> bool {
        self.profiles
            .get(profile)
            .is_some_and(|p| p.next_seq <= p.stored_through)
    }

    /// Snapshot every plugin instance of a profile: (platform, bytes).
    pub fn snapshot_profile(
        &mut self,
        profile: usize,
    ) -> Result<Vec<(String, Vec<u8>)>, EngineError> {
        let p = self
            .profiles
            .get_mut(profile)
            .ok_or_else(|| EngineError::Invalid(format!("no profile number {profile}")))?;
        let mut out = Vec::new();
        for i in p.instances.iter_mut() {
            out.push((i.platform.clone(), i.plugin.snapshot()?));
        }
        Ok(out)
    }

    /// Restore a profile's plugin instances from their snapshots.
    pub fn restore_profile(
        &mut self,
        profile: usize,
        snapshots: &BTreeMap<String, Vec<u8>>,
    ) -> Result<(), EngineError> {
        let p = self
            .profiles
            .get_mut(profile)
            .ok_or_else(|| EngineError::Invalid(format!("no profile number {profile}")))?;
        for i in p.instances.iter_mut() {
            let bytes = snapshots.get(&i.platform).ok_or_else(|| {
                EngineError::Invalid(format!(
                    "profile `{}` has no snapshot of its `{}` account",
                    p.spec.name, i.platform
                ))
            })?;
            i.plugin.restore(bytes)?;
        }
        Ok(())
    }

    /// The plugin failure that stopped one of the profile's instances, if any.
    pub fn failure(&self, profile: usize) -> Option<String> {
        let p = self.profiles.get(profile)?;
        p.instances
            .iter()
            .find_map(|i| i.plugin.failure().map(|e| e.to_string()))
    }

    /// A notice from the host itself (platform [`HOST_PLATFORM`]), now.
    pub fn host_notice(&mut self, profile: usize, code: &str, message: &str) {
        if profile >= self.profiles.len() {
            return;
        }
        let event = Event {
            at: self.now,
            payload: diorama_sdk::Payload::Notice(diorama_sdk::Notice {
                code: code.to_string(),
                message: message.to_string(),
            }),
        };
        self.accept_one(profile as u32, HOST_PLATFORM.to_string(), event);
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    pub fn settings(&self) -> &RunSettings {
        &self.settings
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn host(&self) -> &PluginHost {
        &self.host
    }

    pub fn tally(&self) -> &EventCounts {
        &self.tally
    }

    pub fn total_events(&self) -> u64 {
        self.total_events
    }

    /// Move the virtual start; only before any time has passed.
    pub fn set_start(&mut self, start: Millis) -> Result<(), EngineError> {
        if self.now != self.settings.start || !self.profiles.is_empty() {
            return Err(EngineError::Invalid(
                "the start time can only be set before any profile is created".into(),
            ));
        }
        self.settings.start = start;
        self.now = start;
        Ok(())
    }

    /// The profiles, in creation order: (store id, spec).
    pub fn profiles(&self) -> impl Iterator<Item = (OwnerId, &ProfileSpec)> {
        self.profiles.iter().map(|p| (p.id, &p.spec))
    }

    pub fn profile_id(&self, index: usize) -> Option<OwnerId> {
        self.profiles.get(index).map(|p| p.id)
    }

    /// Create a profile with one plugin instance per platform; returns its index.
    pub fn add_profile(
        &mut self,
        spec: ProfileSpec,
        record_extra: serde_json::Value,
    ) -> Result<usize, EngineError> {
        self.add_profile_as(spec, record_extra, None)
    }

    /// [`Simulation::add_profile`], under an existing store id when given
    /// (a live profile created by the server, or restored after a restart).
    /// The profile record is then left as it is.
    pub fn add_profile_as(
        &mut self,
        spec: ProfileSpec,
        record_extra: serde_json::Value,
        existing: Option<OwnerId>,
    ) -> Result<usize, EngineError> {
        if spec.platforms.is_empty() {
            return Err(EngineError::Invalid(format!(
                "profile `{}` has no platform (available: {})",
                spec.name,
                self.available_platforms()
            )));
        }
        if self.profiles.iter().any(|p| p.spec.name == spec.name) {
            return Err(EngineError::Invalid(format!(
                "a profile named `{}` already exists",
                spec.name
            )));
        }
        diorama_sdk::models::time::parse_tz(&spec.timezone).map_err(EngineError::Invalid)?;
        let index = self.profiles.len();
        let mut instances = Vec::new();
        for (platform, params) in &spec.platforms {
            if self.host.get(platform).is_none() {
                return Err(EngineError::Invalid(format!(
                    "unknown platform `{platform}` (available: {})",
                    self.available_platforms()
                )));
            }
            let config = AccountConfig {
                profile: spec.name.clone(),
                niche: spec.niche.clone(),
                seed: derive_seed(self.settings.seed, index as u64, platform),
                start: self.now,
                timezone: spec.timezone.clone(),
                params: params.to_string(),
            };
            let plugin = self.host.instantiate(platform, &config)?;
            instances.push(Instance {
                platform: platform.clone(),
                plugin,
            });
        }
        let id = match existing {
            Some(id) => id,
            None => {
                let id = self.store.new_owner_id()?;
                let mut record = serde_json::json!({
                    "name": spec.name,
                    "niche": spec.niche,
                    "timezone": spec.timezone,
                    "platforms": spec.platforms,
                    "created_at": self.now,
                });
                if let (Some(obj), serde_json::Value::Object(extra)) =
                    (record.as_object_mut(), record_extra)
                {
                    obj.extend(extra);
                }
                self.store.put_profile(id, &record)?;
                id
            }
        };
        self.writer.add_profile(id, spec.name.clone());
        self.profiles.push(Profile {
            id,
            spec,
            instances,
            next_seq: 1,
            stored_through: 0,
        });
        self.pending.push(Vec::new());
        Ok(index)
    }

    fn available_platforms(&self) -> String {
        let names: Vec<_> = self
            .host
            .plugins()
            .iter()
            .map(|p| p.info.name.clone())
            .collect();
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    }

    /// Advance virtual time by `duration`, window by window. `progress` is
    /// called after each window with the new time and the events so far.
    pub fn advance(
        &mut self,
        duration: Millis,
        mut progress: impl FnMut(Millis, u64),
    ) -> Result<(), EngineError> {
        if duration < 0 {
            return Err(EngineError::Invalid(format!(
                "cannot advance by a negative duration ({duration} ms)"
            )));
        }
        // Checked: a wrapped sum or difference would skip the span limit.
        let end = self.now.checked_add(duration);
        let within = end
            .and_then(|end| end.checked_sub(self.settings.start))
            .is_some_and(|span| span <= time::MAX_RUN_SPAN);
        let Some(end) = end.filter(|_| within) else {
            return Err(EngineError::Invalid(format!(
                "advancing by {} would take the run past its limit of {} of virtual time",
                time::format_duration(duration),
                time::format_duration(time::MAX_RUN_SPAN)
            )));
        };
        while self.now < end {
            // Windows stay aligned to the run's start, whatever the durations.
            let offset = (self.now - self.settings.start).rem_euclid(self.settings.window);
            let to = (self.now - offset + self.settings.window).min(end);
            self.step_window(to)?;
            progress(self.now, self.total_events);
        }
        Ok(())
    }

    /// Step every instance over [now, to) and merge their events.
    pub fn step_window(&mut self, to: Millis) -> Result<(), EngineError> {
        let from = self.now;
        // (profile index, instance index, event), collected in (profile,
        // platform) order. The buffer is reused from window to window.
        let mut batch = std::mem::take(&mut self.batch);
        batch.clear();
        for (pi, profile) in self.profiles.iter_mut().enumerate() {
            for (ii, instance) in profile.instances.iter_mut().enumerate() {
                let events = instance.plugin.step(from, to)?;
                if let Some(bad) = events.iter().find(|e| e.at < from || e.at >= to) {
                    return Err(EngineError::Contract {
                        profile: profile.spec.name.clone(),
                        platform: instance.platform.clone(),
                        reason: format!(
                            "returned an event at {} outside the window [{}, {})",
                            time::format_instant(bad.at),
                            time::format_instant(from),
                            time::format_instant(to)
                        ),
                    });
                }
                batch.extend(events.into_iter().map(|e| (pi as u32, ii as u32, e)));
            }
        }
        // A stable sort by time keeps (profile, platform, plugin order) among
        // equal times: the merge order is fully determined.
        batch.sort_by_key(|(_, _, e)| e.at);
        self.now = to;
        for (pi, ii, event) in batch.drain(..) {
            let platform = self.profiles[pi as usize].instances[ii as usize]
                .platform
                .clone();
            self.accept_one(pi, platform, event);
        }
        self.batch = batch;
        self.send_if_full()
    }

    /// Number an event, count it and queue it for the writer.
    fn accept_one(&mut self, pi: u32, platform: String, event: Event) {
        let profile = &mut self.profiles[pi as usize];
        let seq = profile.next_seq;
        profile.next_seq += 1;
        if seq <= profile.stored_through {
            // The last regenerated event must be the one stored: a replay
            // that diverged (a plugin changed under a stored profile) is
            // reported rather than silently mixed in.
            if seq == profile.stored_through {
                let same = matches!(
                    self.store.event(profile.id, seq),
                    Ok(Some(stored)) if stored.event == event && stored.platform == platform
                );
                if !same {
                    self.replay_diverged = true;
                }
            }
            return;
        }
        count_event(&mut self.tally, &platform, &event);
        self.total_events += 1;
        let list = &mut self.pending[pi as usize];
        self.pending_order.push((pi, list.len() as u32));
        list.push(StoredEvent {
            seq,
            profile: profile.id,
            platform,
            event,
        });
    }

    fn send_if_full(&mut self) -> Result<(), EngineError> {
        if self.pending_order.len() >= CHUNK {
            self.send_pending()?;
        }
        Ok(())
    }

    fn send_pending(&mut self) -> Result<(), EngineError> {
        if self.pending_order.is_empty() {
            return Ok(());
        }
        let by_profile: Vec<(OwnerId, Vec<StoredEvent>)> = self
            .profiles
            .iter()
            .zip(self.pending.iter_mut())
            .map(|(p, list)| {
                let capacity = list.len();
                (p.id, std::mem::replace(list, Vec::with_capacity(capacity)))
            })
            .collect();
        let order = std::mem::replace(&mut self.pending_order, Vec::with_capacity(CHUNK));
        self.writer.send(by_profile, order)
    }

    /// Wait until every event so far is stored and seen by the listeners.
    pub fn sync(&mut self) -> Result<(), EngineError> {
        self.send_pending()?;
        self.writer.sync()
    }

    fn instance(
        &mut self,
        profile: usize,
        platform: &str,
    ) -> Result<(&ProfileSpec, &mut PluginInstance), EngineError> {
        let p = self
            .profiles
            .get_mut(profile)
            .ok_or_else(|| EngineError::Invalid(format!("no profile number {profile}")))?;
        let names: Vec<&str> = p.instances.iter().map(|i| i.platform.as_str()).collect();
        let listed = names.join(", ");
        match p.instances.iter_mut().find(|i| i.platform == platform) {
            Some(i) => Ok((&p.spec, &mut i.plugin)),
            None => Err(EngineError::Invalid(format!(
                "profile `{}` has no `{platform}` account (it has: {listed})",
                p.spec.name
            ))),
        }
    }

    /// Send a signal to one platform of a profile, now.
    pub fn signal(
        &mut self,
        profile: usize,
        platform: &str,
        name: &str,
        params: &serde_json::Value,
    ) -> Result<(), EngineError> {
        let now = self.now;
        let (_, plugin) = self.instance(profile, platform)?;
        plugin.signal(now, name, &params.to_string())?;
        if let Some(log) = &mut self.commands {
            log.push((
                profile,
                now,
                Command::Signal {
                    platform: platform.to_string(),
                    name: name.to_string(),
                    params: params.clone(),
                },
            ));
        }
        Ok(())
    }

    /// The creator acts on one platform of a profile, now. The plugin's
    /// refusal (invalid, not found, rate limited) is the inner error.
    pub fn act(
        &mut self,
        profile: usize,
        platform: &str,
        action: &Action,
    ) -> Result<Result<Vec<StoredEvent>, ActionError>, EngineError> {
        let now = self.now;
        let (_, plugin) = self.instance(profile, platform)?;
        let events = match plugin.act(now, action)? {
            Ok(events) => events,
            // A refusal changes nothing (the plugin contract): it is not
            // recorded, so refused actions never reach a live journal.
            Err(e) => return Ok(Err(e)),
        };
        if let Some(log) = &mut self.commands {
            log.push((
                profile,
                now,
                Command::Act {
                    platform: platform.to_string(),
                    kind: action.kind.clone(),
                    params: action.params.clone(),
                },
            ));
        }
        let (id, first_seq) = (self.profiles[profile].id, self.profiles[profile].next_seq);
        let stored: Vec<StoredEvent> = events
            .iter()
            .enumerate()
            .map(|(k, e)| StoredEvent {
                seq: first_seq + k as u64,
                profile: id,
                platform: platform.to_string(),
                event: Event {
                    at: now,
                    payload: e.payload.clone(),
                },
            })
            .collect();
        for mut e in events {
            e.at = now;
            self.accept_one(profile as u32, platform.to_string(), e);
        }
        self.send_if_full()?;
        Ok(Ok(stored))
    }

    /// Store a snapshot of every instance, wait for the writer, flush the
    /// store and the listeners.
    pub fn finish(&mut self) -> Result<(), EngineError> {
        self.sync()?;
        for p in self.profiles.iter_mut() {
            for i in p.instances.iter_mut() {
                let bytes = i.plugin.snapshot()?;
                self.store.put_snapshot(p.id, &i.platform, &bytes)?;
            }
        }
        self.writer.finish()?;
        self.store.flush()?;
        Ok(())
    }
}

/// The seed of one instance: the run's seed mixed with the profile's
/// position and the platform's name (splitmix64 finaliser).
pub fn derive_seed(run_seed: u64, profile_index: u64, platform: &str) -> u64 {
    let mut x = run_seed
        ^ profile_index.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ diorama_sdk::models::rng::fnv1a(platform.as_bytes());
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}
