//! The simulation engine: a virtual clock, one plugin instance per
//! (profile, platform), all stepped over the same windows, their events
//! merged in a deterministic order, numbered per profile, written to the
//! store and handed to listeners (reports, streams).
//!
//! Merge order: time, then profile creation order, then platform name, then
//! the order the plugin returned them in. Plugin calls run on the caller's
//! thread; storing and listeners run on a writer thread, so persisting
//! overlaps with simulating. [`Simulation::sync`] waits for the writer.
//!
//! Files: `spec.rs` (what a profile and a run are made of, the profile
//! record, seeds), `profiles.rs` (creating profiles, their numbering,
//! snapshots and the records they write), `step.rs` (stepping windows,
//! merging, handing events to the writer), `commands.rs` (signals, actions
//! and their replay), `scheduled.rs` (actions held until their time,
//! retried with backoff), `history.rs` (a profile's past, stepped before
//! it opens), `faults.rs` (the profiles' injected faults), `writer.rs`
//! (the writer thread).

mod commands;
mod faults;
mod history;
pub mod presets;
mod profiles;
mod scheduled;
mod spec;
mod step;
#[cfg(test)]
mod tests;
mod writer;

use std::sync::Arc;

use diorama_sdk::{Event, Millis, MINUTE};

use crate::event::{EventCounts, EventListener, ListenerError, OwnerId, StoredEvent};
use crate::plugin::{PluginError, PluginHost};
use crate::store::{Store, StoreError};

pub use commands::Command;
pub use history::HISTORY_WINDOW;
pub use profiles::CheckpointRecords;
pub use scheduled::{ScheduleChange, ScheduleError, ScheduledAction, MAX_SCHEDULED, RETRY_BACKOFF};
pub use spec::{derive_seed, NoExtra, ProfileRecord, ProfileSpec, RunSettings};

use profiles::Profile;
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
    /// The platform is in a simulated outage ([`crate::fault`]): the
    /// action was refused and may be retried once it ends.
    #[error(transparent)]
    Unavailable(#[from] crate::fault::Unavailable),
    #[error("plugin `{platform}` of profile `{profile}` misbehaved in `step`: {reason}")]
    Contract {
        profile: String,
        platform: String,
        reason: String,
    },
    /// A listener (`events.jsonl`, a stream) could not take the events.
    #[error("output: {0}")]
    Output(#[from] ListenerError),
    #[error("output: the writer thread has stopped")]
    WriterStopped,
    #[error("output: the writer was already finished")]
    WriterFinished,
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
    /// Events after this virtual time are held, not stored yet
    /// ([`Simulation::hold_after`]); `None`: every event is stored.
    horizon: Option<Millis>,
    /// Leave an instance unstepped through time it says has nothing due.
    skip_idle: bool,
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
            horizon: None,
            skip_idle: false,
        }
    }

    /// Move the virtual clock to `at` without stepping: only for restoring
    /// a profile whose plugins are restored to that time.
    pub fn set_now(&mut self, at: Millis) {
        self.now = at;
        for p in self.profiles.iter_mut() {
            for i in p.instances.iter_mut() {
                i.stepped_to = at;
                i.next_due = Some(at);
            }
        }
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
}
