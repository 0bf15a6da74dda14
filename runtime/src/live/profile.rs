//! One live profile: its simulation, its state and clock, the listener that
//! publishes what it stores, and its persistence (snapshots, journal,
//! replay after a crash).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use diorama_sdk::kit::health::NOTICE_PREFIX as HEALTH_PREFIX;
use diorama_sdk::{Millis, Payload, DAY};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::engine::{CheckpointRecords, Command, EngineError, ScheduledAction, Simulation};
use crate::event::{EventListener, ListenerError, OwnerId, ProfileObserver, StoredEvent};
use crate::store::Store;
use crate::telemetry::Telemetry;

use super::{LiveError, JOURNAL, LIVE_STATE};

/// Where a live profile is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileStatus {
    /// Created, never started.
    Created,
    Running,
    Paused,
    /// Paused by itself: it reached its interactions for the virtual day.
    Limited,
    Stopped,
    /// A plugin failed; the profile no longer steps (reads still work).
    Degraded,
}

/// What is persisted of a live profile beside its plugin snapshots.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct State {
    pub status: ProfileStatus,
    pub speed: f64,
    /// Virtual time the snapshots were taken at.
    pub now: Millis,
    pub next_seq: u64,
    /// Windows are `window` long and aligned to `window_base`.
    pub window: Millis,
    pub window_base: Millis,
    /// Why the profile is degraded or limited.
    pub reason: Option<String>,
    /// Virtual day (days since the epoch) and its interactions so far.
    pub day: i64,
    pub day_interactions: u64,
    pub interactions_per_day: u64,
    /// Wall clock, unix ms.
    pub last_active: i64,
    pub expires_at: Option<i64>,
    pub inactivity_ttl_s: u64,
    /// The next journal key.
    pub journal_next: u64,
    /// Events made ahead of the clock and not stored yet when the state was
    /// written (a running profile steps ahead and stores each event at its
    /// time): stored in their turn after a restart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<StoredEvent>,
    /// Each platform account's health state, as its last health notice
    /// said (absent: `ok`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub health: BTreeMap<String, String>,
    /// Actions held until their time ([`crate::engine::ScheduledAction`]),
    /// as of `now`, and the next one's id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scheduled: Vec<ScheduledAction>,
    #[serde(default, skip_serializing_if = "is_unset")]
    pub scheduled_next: u64,
}

fn is_unset(n: &u64) -> bool {
    *n <= 1
}

/// A journal entry: applied at virtual time `at`, in key order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct JournalEntry {
    pub at: Millis,
    #[serde(flatten)]
    pub what: Journaled,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub(super) enum Journaled {
    Command { command: Command },
    Window { base: Millis, window: Millis },
}

/// An event as the stream sends it.
#[derive(Clone, Debug)]
pub struct PublishedEvent {
    pub seq: u64,
    pub platform: String,
    pub type_name: &'static str,
    pub kind: String,
    /// The event as JSON ([`crate::event::event_line`]).
    pub json: String,
}

/// What one stored batch publishes.
pub type Published = Arc<Vec<PublishedEvent>>;

/// What the listener shares with the profile.
pub(super) struct ListenerState {
    pub owner: OwnerId,
    /// The stream's channel, made by its first subscriber (a channel holds
    /// its whole buffer, too much to give every idle profile).
    pub tx: Mutex<Option<broadcast::Sender<Published>>>,
    /// Publishes stored events once they are on disk.
    pub publisher: Arc<Publisher>,
    /// (wall anchor, virtual anchor, speed); speed 0 when not running.
    pub anchor: Mutex<(Instant, Millis, f64)>,
    /// (virtual day, interactions that day, limit, reached).
    pub day: Mutex<(i64, u64, u64, bool)>,
    /// Each platform account's health state, from the health notices
    /// stored (see [`note_health`]).
    pub health: Mutex<BTreeMap<String, String>>,
    /// Told once stored events are on disk (the server's webhooks).
    pub observer: Arc<dyn ProfileObserver>,
    pub telemetry: Arc<Telemetry>,
}

impl ListenerState {
    /// How many streams listen.
    fn receivers(&self) -> usize {
        lock(&self.tx).as_ref().map_or(0, |tx| tx.receiver_count())
    }
}

/// How many batches a stream may fall behind by before it skips ahead.
const STREAM_BUFFER: usize = 1024;

/// Publishes stored events: the stream, the observer, counters, the daily limit.
pub(super) struct Listener(pub Arc<ListenerState>);

impl EventListener for Listener {
    fn on_events(
        &mut self,
        _names: &BTreeMap<OwnerId, String>,
        events: &[&StoredEvent],
    ) -> Result<(), ListenerError> {
        if events.is_empty() {
            return Ok(());
        }
        let s = &self.0;
        let now = Instant::now();
        let (wall, virt, speed) = *s.anchor.lock().unwrap_or_else(|e| e.into_inner());
        if speed > 0.0 {
            for e in events {
                let due = (e.event.at - virt) as f64 / speed / 1000.0;
                let elapsed = now.saturating_duration_since(wall).as_secs_f64();
                s.telemetry.lateness.observe(elapsed - due);
            }
        }
        {
            let mut day = s.day.lock().unwrap_or_else(|e| e.into_inner());
            for e in events {
                if let Payload::Interaction(_) = e.event.payload {
                    let d = e.event.at.div_euclid(DAY);
                    if d != day.0 {
                        *day = (d, 0, day.2, false);
                    }
                    day.1 += 1;
                    if day.1 >= day.2 {
                        day.3 = true;
                    }
                }
            }
        }
        note_health(&mut lock(&s.health), events.iter().copied());
        s.telemetry
            .events_generated
            .fetch_add(events.len() as u64, Ordering::Relaxed);
        // Rendered now, sent once on disk (streams, then the observer).
        let list = (s.receivers() > 0).then(|| {
            let label = s.owner.to_string();
            Arc::new(events.iter().map(|e| publish(&label, e)).collect())
        });
        let through = events.last().map_or(0, |e| e.seq);
        s.publisher.push(s.clone(), through, list);
        Ok(())
    }
}

/// Keep each platform's health state from its health notices: a notice
/// whose code is [`HEALTH_PREFIX`] and a state (`health_action_blocked`,
/// `health_ok`) says the account is now in that state. The codes are the
/// SDK kit's, so any plugin's health shows without naming a platform.
pub(super) fn note_health<'a>(
    health: &mut BTreeMap<String, String>,
    events: impl Iterator<Item = &'a StoredEvent>,
) {
    for e in events {
        if let Payload::Notice(n) = &e.event.payload {
            if let Some(state) = n.code.strip_prefix(HEALTH_PREFIX) {
                if state == "ok" {
                    health.remove(&e.platform);
                } else {
                    health.insert(e.platform.clone(), state.to_string());
                }
            }
        }
    }
}

/// One stored batch waiting to be published.
struct Pending {
    to: Arc<ListenerState>,
    /// The last seq of the batch.
    through: u64,
    /// `None` when the profile had no stream subscriber: only the observer hears.
    events: Option<Published>,
}

/// Publishes what profiles store only once it is on disk: a thread takes
/// every batch queued since its last round, makes them durable with one
/// [`Store::commit`] (group commit: one flush for many profiles'
/// windows), then sends them to streams and tells the observer, in the order
/// they were stored. The workers stepping profiles never wait for the disk
/// unless the queue is full.
pub(super) struct Publisher {
    queue: Mutex<PublishQueue>,
    /// Signalled when the queue gains an entry, loses its entries or stops.
    changed: Condvar,
}

struct PublishQueue {
    items: Vec<Pending>,
    stopping: bool,
}

/// The most batches waiting; a worker storing more waits for the disk.
const MAX_PENDING: usize = 4_096;

impl Publisher {
    pub(super) fn new() -> Arc<Publisher> {
        Arc::new(Publisher {
            queue: Mutex::new(PublishQueue {
                items: Vec::new(),
                stopping: false,
            }),
            changed: Condvar::new(),
        })
    }

    fn push(&self, to: Arc<ListenerState>, through: u64, events: Option<Published>) {
        let mut q = lock(&self.queue);
        while q.items.len() >= MAX_PENDING && !q.stopping {
            q = self.changed.wait(q).unwrap_or_else(|e| e.into_inner());
        }
        // Only the first batch of a round wakes the publishing thread (it
        // takes every batch queued by the time it runs).
        let first = q.items.is_empty();
        q.items.push(Pending {
            to,
            through,
            events,
        });
        drop(q);
        if first {
            self.changed.notify_all();
        }
    }

    /// The publishing thread's loop, until [`Publisher::stop`]; what is
    /// queued then is published (after a last commit) before it returns.
    pub(super) fn run(&self, store: &Store) {
        loop {
            let (items, stopping) = {
                let mut q = lock(&self.queue);
                while q.items.is_empty() && !q.stopping {
                    q = self.changed.wait(q).unwrap_or_else(|e| e.into_inner());
                }
                (std::mem::take(&mut q.items), q.stopping)
            };
            self.changed.notify_all();
            if !items.is_empty() {
                if let Err(e) = store.commit() {
                    // Nothing unflushed is published: retry the round.
                    tracing::error!(error = %e, "cannot flush stored events; retrying");
                    let mut q = lock(&self.queue);
                    let later = std::mem::replace(&mut q.items, items);
                    q.items.extend(later);
                    drop(q);
                    if stopping {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                    continue;
                }
                for p in items {
                    let tx = lock(&p.to.tx).clone();
                    if let Some(tx) = tx {
                        match p.events {
                            Some(events) => {
                                let _ = tx.send(events);
                            }
                            // Subscribed since the batch was stored: an empty
                            // batch makes the stream read it from the store.
                            None if tx.receiver_count() > 0 => {
                                let _ = tx.send(Arc::new(Vec::new()));
                            }
                            None => {}
                        }
                    }
                    p.to.observer.stored(p.to.owner, p.through);
                }
            }
            if stopping && lock(&self.queue).items.is_empty() {
                return;
            }
        }
    }

    pub(super) fn stop(&self) {
        lock(&self.queue).stopping = true;
        self.changed.notify_all();
    }
}

/// Render one stored event for the stream.
pub fn publish(label: &str, e: &StoredEvent) -> PublishedEvent {
    let mut line = Vec::with_capacity(256);
    crate::event::event_line(label, e, &mut line);
    PublishedEvent {
        seq: e.seq,
        platform: e.platform.clone(),
        type_name: e.event.type_name(),
        kind: e.event.kind().to_string(),
        json: String::from_utf8(line).unwrap_or_default(),
    }
}

/// In-memory only: the clock anchor and the scheduling generation.
pub(super) struct Runtime {
    pub state: State,
    pub generation: u64,
    pub anchor_wall: Instant,
    pub anchor_virtual: Millis,
    pub last_persist: Instant,
    pub deleted: bool,
}

/// A live profile.
pub struct LiveProfile {
    pub id: OwnerId,
    pub(super) sim: Arc<Mutex<Simulation>>,
    pub(super) rt: Mutex<Runtime>,
    /// Notified after every step and status change (scripts wait on it).
    pub(super) changed: Condvar,
    pub(super) shared: Arc<ListenerState>,
    pub(super) store: Store,
    pub(super) last_active: AtomicI64,
}

/// The window length for a speed: about one second of wall time, between
/// one second and one minute of virtual time (the plugins' sub-step). A
/// running profile steps each window ahead of the clock and stores each of
/// its events at its time, so the window sets how often the plugins are
/// called, not how late an event is.
pub fn window_for(speed: f64) -> Millis {
    ((speed * 1000.0).round() as Millis).clamp(1_000, 60_000)
}

/// How far ahead of the clock, in wall time, the next window is stepped:
/// room for the step itself, so the window's first events are on time.
const LEAD: Duration = Duration::from_millis(200);

/// [`LEAD`] in virtual time at `speed`, at most one window.
fn lead_for(speed: f64, window: Millis) -> Millis {
    ((LEAD.as_secs_f64() * speed * 1000.0) as Millis).clamp(0, window)
}

/// The end of the window holding `now`.
pub fn next_end(now: Millis, base: Millis, window: Millis) -> Millis {
    base + ((now - base).div_euclid(window) + 1) * window
}

/// Held events are stored on a grid of wall instants this far apart,
/// shared by every profile: an event is stored at most this late (plus the
/// time the step takes), and what falls due within one slot is stored in
/// one append and published in one batch.
pub const RELEASE_EVERY: Duration = Duration::from_millis(40);

/// The first instant of the release grid at or after `at`.
pub fn release_slot(at: Instant) -> Instant {
    static ORIGIN: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let origin = *ORIGIN.get_or_init(Instant::now);
    let Some(since) = at.checked_duration_since(origin) else {
        return at;
    };
    let every = RELEASE_EVERY.as_nanos();
    let slots = since.as_nanos().div_ceil(every);
    let Ok(nanos) = u64::try_from(slots.saturating_mul(every)) else {
        return at;
    };
    origin
        .checked_add(Duration::from_nanos(nanos))
        .unwrap_or(at)
}

/// The most windows one tick steps (a profile far behind catches up over
/// several ticks, so no lock is held for long).
const MAX_CATCH_UP: usize = 2_000;

pub fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl LiveProfile {
    pub(super) fn sim(&self) -> MutexGuard<'_, Simulation> {
        lock(&self.sim)
    }

    pub(super) fn rt(&self) -> MutexGuard<'_, Runtime> {
        lock(&self.rt)
    }

    pub fn touch(&self) {
        self.last_active.store(wall_ms(), Ordering::Relaxed);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Published> {
        lock(&self.shared.tx)
            .get_or_insert_with(|| broadcast::channel(STREAM_BUFFER).0)
            .subscribe()
    }

    /// Set the clock anchor to (now, virtual `at`) at `speed` (0 = stopped).
    pub(super) fn anchor(&self, rt: &mut Runtime, at: Millis, speed: f64) {
        rt.anchor_wall = Instant::now();
        rt.anchor_virtual = at;
        *lock(&self.shared.anchor) = (rt.anchor_wall, at, speed);
    }

    /// Persist commands recorded since the last call, before any event
    /// they caused is stored.
    pub(super) fn journal(&self, sim: &mut Simulation, rt: &mut Runtime) -> Result<(), LiveError> {
        for (_, at, command) in sim.take_commands() {
            let (key, bytes) = journal_record(
                rt,
                JournalEntry {
                    at,
                    what: Journaled::Command { command },
                },
            )?;
            sim.put_record::<LiveError>(0, JOURNAL, &key, &bytes)?;
        }
        Ok(())
    }

    /// Journal `e` through the profile's simulation (its one writer); the
    /// caller holds the simulation's lock, then the runtime's.
    pub(super) fn write_journal(
        &self,
        sim: &Simulation,
        rt: &mut Runtime,
        e: JournalEntry,
    ) -> Result<(), LiveError> {
        let (key, bytes) = journal_record(rt, e)?;
        sim.put_record::<LiveError>(0, JOURNAL, &key, &bytes)
    }

    /// Snapshot the plugins, write the state and drop the journal entries
    /// the snapshot makes unnecessary, in one atomic write.
    pub(super) fn persist(&self, sim: &mut Simulation, rt: &mut Runtime) -> Result<(), LiveError> {
        self.journal(sim, rt)?;
        sim.sync()?;
        sim.checkpoint(0, |sim| -> Result<CheckpointRecords, LiveError> {
            rt.state.now = sim.now();
            rt.state.next_seq = sim.next_seq(0).unwrap_or(1);
            rt.state.held = sim.held(0).to_vec();
            rt.state.scheduled = sim.scheduled(0).to_vec();
            rt.state.scheduled_next = sim.next_scheduled_id(0);
            rt.state.last_active = self.last_active.load(Ordering::Relaxed);
            {
                let day = lock(&self.shared.day);
                rt.state.day = day.0;
                rt.state.day_interactions = day.1;
            }
            rt.state.health = lock(&self.shared.health).clone();
            let state =
                serde_json::to_vec(&rt.state).map_err(|e| LiveError::Internal(e.to_string()))?;
            // Under this profile's lock nothing else writes its journal.
            let old = self
                .store
                .records(JOURNAL, self.id, b"", b"", usize::MAX)?
                .into_iter()
                .map(|(k, _)| (JOURNAL, k))
                .collect();
            Ok(CheckpointRecords {
                put: vec![(LIVE_STATE, b"state".to_vec(), state)],
                removed: old,
            })
        })?;
        rt.last_persist = Instant::now();
        Ok(())
    }

    /// Store `state` through the profile's simulation (its one writer); the
    /// caller holds the simulation's lock.
    pub(super) fn write_state(&self, sim: &Simulation, state: &State) -> Result<(), LiveError> {
        let bytes = serde_json::to_vec(state).map_err(|e| LiveError::Internal(e.to_string()))?;
        sim.put_record::<LiveError>(0, LIVE_STATE, b"state", &bytes)
    }

    /// Store the events whose time has come and step the next window once
    /// the clock nears the end of the time stepped so far; the wall instant
    /// something is next due (an event held, or the next window), or `None`
    /// when the profile no longer runs (or `generation` is stale).
    ///
    /// The plugins are stepped window by window ahead of the clock (at most
    /// one window and [`LEAD`] ahead); what they make is numbered at once and
    /// held in the profile until its time, then stored and published. A
    /// signal or an action applies at the end of the time stepped so far, a
    /// window boundary, which the journal records: a replay makes the same
    /// calls and the same events.
    pub(super) fn tick(&self, generation: u64, snapshot_every: Duration) -> Option<Instant> {
        let mut sim = self.sim();
        let mut rt = self.rt();
        if rt.generation != generation || rt.state.status != ProfileStatus::Running || rt.deleted {
            return None;
        }
        let speed = rt.state.speed;
        let elapsed = rt.anchor_wall.elapsed();
        let clock = super::pace::virtual_after(rt.anchor_virtual, elapsed, speed);
        let (base, window) = (rt.state.window_base, rt.state.window);
        let lead = lead_for(speed, window);
        let result = (|| -> Result<bool, LiveError> {
            self.journal(&mut sim, &mut rt)?;
            sim.hold_after(Some(clock));
            let mut steps = 0;
            while sim.now() <= clock.saturating_add(lead) && steps < MAX_CATCH_UP {
                let end = next_end(sim.now(), base, window);
                sim.step_window(end)?;
                steps += 1;
            }
            sim.sync()?;
            let limited = lock(&self.shared.day).3;
            if limited {
                let limit = rt.state.interactions_per_day;
                let message = format!(
                    "the profile reached its limit of {limit} interactions for the virtual day and paused itself; raise `limits.interactions_per_day` to resume"
                );
                // What was made ahead is stored now: the clock stops at
                // the end of the time stepped.
                sim.hold_after(None);
                sim.host_notice(0, "interaction_limit", &message);
                sim.sync()?;
                rt.state.status = ProfileStatus::Limited;
                rt.state.reason = Some(message);
                self.anchor(&mut rt, sim.now(), 0.0);
                self.persist(&mut sim, &mut rt)?;
                sim.suspend(0);
                return Ok(false);
            }
            if rt.last_persist.elapsed() >= snapshot_every {
                self.persist(&mut sim, &mut rt)?;
            }
            Ok(true)
        })();
        let keep = match result {
            Ok(keep) => keep,
            Err(e) => {
                self.degrade(&mut sim, &mut rt, &e);
                false
            }
        };
        let stepped = sim.now();
        let held = sim.next_held();
        drop(sim);
        self.changed.notify_all();
        if !keep {
            return None;
        }
        // The next window is stepped `lead` before the stepped time ends; a
        // held event is stored once its time has come (a millisecond after,
        // so the clock has surely passed it). Both wait for the next tick of
        // the release grid, so the events due in one slot are stored in one
        // append and published in one batch, and the profiles due in the
        // same slot share one group commit.
        let step_at = stepped.saturating_sub(lead);
        let next = held.map_or(step_at, |t| t.saturating_add(1).min(step_at));
        // Checked: a speed that cannot be timed stops stepping, never panics.
        let at = super::pace::wall_after(
            rt.anchor_wall,
            next.saturating_sub(rt.anchor_virtual),
            speed,
        )?;
        Some(release_slot(at))
    }

    /// Store every event held ahead of the clock: the profile stops at the
    /// end of the time it has stepped (a pause, a stop, a limit).
    pub(super) fn release_all(&self, sim: &mut Simulation) -> Result<(), LiveError> {
        sim.hold_after(None);
        sim.sync()?;
        Ok(())
    }

    /// The profile's virtual time now: its clock when it runs (the plugins
    /// are stepped ahead of it), else the time it stopped at.
    pub fn clock(&self, sim: &Simulation) -> Millis {
        let (wall, virt, speed) = *lock(&self.shared.anchor);
        if speed > 0.0 {
            super::pace::virtual_after(virt, wall.elapsed(), speed).min(sim.now())
        } else {
            sim.now()
        }
    }

    /// The virtual time through which events are stored: a running
    /// profile's clock as of its last tick (it steps ahead of it), or the
    /// profile's time when it does not run.
    pub(super) fn stored_until(&self, sim: &Simulation) -> Millis {
        sim.horizon().map_or(sim.now(), |h| h.min(sim.now()))
    }

    /// A failure stops this profile only; it is recorded and reported.
    pub(super) fn degrade(&self, sim: &mut Simulation, rt: &mut Runtime, e: &LiveError) {
        let reason = match sim.failure(0) {
            Some(f) => f,
            None => e.to_string(),
        };
        tracing::warn!(profile = self.id, %reason, "live profile degraded");
        self.shared
            .telemetry
            .plugin_failures
            .fetch_add(1, Ordering::Relaxed);
        rt.state.status = ProfileStatus::Degraded;
        rt.state.reason = Some(reason.clone());
        rt.generation += 1;
        self.anchor(rt, sim.now(), 0.0);
        sim.hold_after(None);
        sim.host_notice(0, "degraded", &reason);
        let _ = sim.sync();
        // The plugins may be unusable: keep the last good snapshot, save the state.
        rt.state.now = sim.now();
        rt.state.held.clear();
        let _ = self.write_state(sim, &rt.state);
        // Its plugins hold nothing worth keeping: the last good snapshot is stored.
        sim.suspend(0);
    }

    /// Replay after a crash: from the snapshot, through the journal, until
    /// every event already stored has been regenerated (and dropped).
    pub(super) fn replay(&self, stored_through: u64) -> Result<(), LiveError> {
        let mut sim = self.sim();
        let mut rt = self.rt();
        let entries: Vec<JournalEntry> = self
            .store
            .records(JOURNAL, self.id, b"", b"", usize::MAX)?
            .into_iter()
            .filter_map(|(_, v)| serde_json::from_slice(&v).ok())
            .collect();
        if stored_through < rt.state.next_seq && entries.is_empty() {
            return Ok(());
        }
        tracing::info!(
            profile = self.id,
            from_seq = rt.state.next_seq,
            through = stored_through,
            commands = entries.len(),
            "replaying a live profile after an unclean stop"
        );
        let (mut base, mut window) = (rt.state.window_base, rt.state.window);
        let limit = rt.state.now + 366 * DAY;
        for e in &entries {
            while next_end(sim.now(), base, window) <= e.at {
                let end = next_end(sim.now(), base, window);
                sim.step_window(end)?;
            }
            if sim.now() < e.at {
                sim.step_window(e.at)?;
            }
            match &e.what {
                Journaled::Command { command } => sim.apply(0, command)?,
                Journaled::Window { base: b, window: w } => {
                    base = *b;
                    window = *w;
                }
            }
        }
        while sim.replaying(0) && sim.now() < limit {
            let end = next_end(sim.now(), base, window);
            sim.step_window(end)?;
        }
        sim.take_commands();
        if sim.replay_diverged() {
            return Err(LiveError::Internal(format!(
                "replaying profile {} after an unclean stop regenerated a different event {} than the one stored (did a plugin change?)",
                self.id, stored_through
            )));
        }
        rt.state.window_base = base;
        rt.state.window = window;
        self.persist(&mut sim, &mut rt)?;
        Ok(())
    }
}

/// The next journal entry's key and bytes.
fn journal_record(rt: &mut Runtime, e: JournalEntry) -> Result<([u8; 8], Vec<u8>), LiveError> {
    let key = rt.state.journal_next.to_be_bytes();
    rt.state.journal_next += 1;
    let bytes = serde_json::to_vec(&e).map_err(|e| LiveError::Internal(e.to_string()))?;
    Ok((key, bytes))
}

impl From<EngineError> for LiveError {
    fn from(e: EngineError) -> Self {
        LiveError::Engine(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_about_a_second_of_wall_time_within_bounds() {
        assert_eq!(window_for(0.5), 1_000);
        assert_eq!(window_for(1.0), 1_000);
        assert_eq!(window_for(60.0), 60_000);
        assert_eq!(window_for(600.0), 60_000);
        assert_eq!(window_for(100_000.0), 60_000);
        // The next window is stepped 200 ms of wall time ahead, at most a window.
        assert_eq!(lead_for(60.0, 60_000), 12_000);
        assert_eq!(lead_for(100_000.0, 60_000), 60_000);
    }

    #[test]
    fn held_events_wait_for_the_next_slot_of_one_shared_grid() {
        let t = Instant::now() + Duration::from_millis(5);
        let slot = release_slot(t);
        assert!(slot >= t && slot - t < RELEASE_EVERY, "{:?}", slot - t);
        // Instants within one slot share it; a slot is its own slot.
        assert_eq!(release_slot(slot), slot);
        assert_eq!(release_slot(slot - Duration::from_millis(1)), slot);
        assert_eq!(
            release_slot(slot + Duration::from_nanos(1)),
            slot + RELEASE_EVERY
        );
    }

    #[test]
    fn window_ends_stay_aligned_to_their_base() {
        // Base 1000, windows of 250: the end after any instant is the next multiple.
        assert_eq!(next_end(1_000, 1_000, 250), 1_250);
        assert_eq!(next_end(1_249, 1_000, 250), 1_250);
        assert_eq!(next_end(1_250, 1_000, 250), 1_500);
        // Before the base (a clock restored earlier) still aligned.
        assert_eq!(next_end(900, 1_000, 250), 1_000);
        assert_eq!(next_end(999, 1_000, 250), 1_000);
    }
}
