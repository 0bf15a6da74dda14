//! Live profiles: demo accounts whose simulation follows the wall clock at
//! a chosen speed, for `diorama serve`.
//!
//! Each profile is its own [`Simulation`] (one profile, an inline writer),
//! stepped by the [driver](driver) in windows of about 40 ms of wall time,
//! so an event is stored and published within that of its moment. What a
//! profile stores is published to its stream subscribers, and the server's
//! [`ProfileObserver`] (its webhooks) is told once it is on disk.
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

mod actions;
pub mod admission;
mod driver;
mod error;
mod lifecycle;
mod native;
pub mod pace;
mod patch;
mod profile;
mod records;
mod restore;
pub mod scenario;
mod scheduled;
pub mod spec;
mod sweeper;
mod tokens;
mod view;
mod webhooks;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use crate::event::{OwnerId, ProfileObserver};
use crate::plugin::PluginHost;
use crate::store::Store;
use crate::telemetry::Telemetry;

use profile::{Publisher, Runtime};

pub use error::{LiveError, StateConflict};
pub use native::FAULT_HEADER;
pub use profile::{publish, LiveProfile, ProfileStatus, Published, PublishedEvent, State};
pub use records::{JOURNAL, LIVE_STATE};
pub use spec::{CreateProfile, DailyLimits, UpdateProfile};
pub use tokens::{same_secret, token_at_end};
pub use view::ProfileView;

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

/// The live profiles of one server.
pub struct LiveManager {
    host: Arc<PluginHost>,
    store: Store,
    /// Told about stored events and deletions (the server's webhooks).
    observer: Arc<dyn ProfileObserver>,
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

/// Every writer checks this under the profile's lock: a profile being
/// deleted is never written again (a late write would outlive the delete).
fn alive(p: &LiveProfile, rt: &Runtime) -> Result<(), LiveError> {
    if rt.deleted {
        return Err(LiveError::no_profile(p.id));
    }
    Ok(())
}

impl LiveManager {
    /// Open the live side over `store`: every stored live profile is
    /// restored (replayed after a crash) and those that were running resume.
    /// `observer` hears of every profile's stored events and deletion.
    pub fn open(
        host: Arc<PluginHost>,
        store: Store,
        observer: Arc<dyn ProfileObserver>,
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
            observer.deleted(owner);
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
            observer,
            telemetry,
            scheduler,
            workers: Mutex::new(Vec::new()),
            profiles: RwLock::new(BTreeMap::new()),
            admin: Mutex::new(()),
            tokens: RwLock::new(BTreeMap::new()),
            config,
        });
        m.restore_all()?;
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
            if rt.state.status == ProfileStatus::Degraded {
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
