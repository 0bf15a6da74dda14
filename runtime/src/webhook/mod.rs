//! Webhooks: per-profile subscriptions that POST every matching stored event
//! to a url, signed, in seq order, at least once.
//!
//! # Delivery
//!
//! The outbox is the store's event log itself: each hook keeps a persisted
//! *cursor*, the last seq it has handled (delivered, filtered out or given
//! up). A hook starts at the profile's last seq when it is created, so it
//! only sees later events. One tokio task per hook walks the log from its
//! cursor ([`deliver`]), POSTs the next matching event until it is
//! answered 2xx, retrying with exponential backoff, and only then moves the
//! cursor. Nothing is lost across a restart or a receiver outage; a crash
//! between a delivery and the cursor write sends that event again with the
//! same event id (`<owner>-<seq>`), which receivers use to drop duplicates.
//!
//! A hook failing continuously for longer than
//! [`WebhookConfig::give_up_after`] gives up on its head event (logged
//! `gave_up`) and moves on; while the failure lasts, each further event gets
//! one attempt before it is given up too, so a dead receiver drains the
//! backlog instead of holding it forever. A 2xx ends the failure. HTTP 410
//! Gone disables the hook for good.
//!
//! # Records
//!
//! Every key starts with the owner ([`Store::put_record`]), so deleting a
//! profile removes its hooks with it.
//!
//! | tree | key after the owner | value |
//! | --- | --- | --- |
//! | `hooks` | hook id | the subscription, JSON, secret included (never returned by reads) |
//! | `outbox` | hook id | progress, JSON: cursor, when the current failure began, the last error |
//! | `deliveries` | hook id · seq (u64 BE) · attempt (u32 BE) | one attempt, JSON ([`Webhooks::deliveries`]) |
//!
//! # Formats
//!
//! A hook has diorama's format (a JSON body with the event's line, signed
//! with `diorama-signature`) unless it names a platform's own ([`format`]):
//! then only that platform's events are sent, each shaped by the profile's
//! plugin and signed as its format declares; an event the platform does
//! not send in that format is passed over like a filtered-out one.
//!
//! Hook ids have a fixed length (`wh_` and 16 hex digits), so one hook's
//! key prefix is never a prefix of another's.

mod deliver;
mod error;
mod filter;
mod format;
mod hooks;
mod log;
mod records;
mod sign;
mod spec;
pub mod target;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use serde::Serialize;
use tokio::runtime::Handle;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::event::{OwnerId, ProfileObserver};
use crate::store::Store;
use crate::webhook::records::{DELIVERIES, HOOKS, OUTBOX};

use records::{decode, encode, HookProgress, HookRecord};

pub use error::{HookRefusal, WebhookError};
pub use filter::{EventFilter, FilterError, MAX_FILTER_VALUES, MAX_FILTER_VALUE_BYTES};
pub use format::{FormatSpec, ShapeError, Shaper, MAX_FORMAT_NAME_BYTES, MAX_FORMAT_PARAMS_BYTES};
pub use hooks::HookView;
pub use records::new_secret;
pub use sign::{sign, sign_as, verify, SignatureError};
pub use spec::{HookSpec, MAX_SECRET_BYTES, MAX_URL_BYTES, MIN_SECRET_BYTES};
pub use target::TargetError;

/// Retry, timeout and size limits of webhook delivery.
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    /// Wait before the first retry of a failed attempt; doubles per failure.
    pub first_retry: Duration,
    /// The longest wait between attempts.
    pub max_backoff: Duration,
    /// A hook failing continuously for longer than this gives up on events.
    pub give_up_after: Duration,
    /// Per-request timeout, connection included.
    pub timeout: Duration,
    /// Most hooks one profile may have.
    pub max_hooks: usize,
    /// Delivery log entries kept per hook (the oldest are pruned).
    pub log_limit: usize,
    /// Allow targets in private, link-local and other internal ranges
    /// (loopback is always allowed); see [`target`].
    pub allow_private: bool,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            first_retry: Duration::from_secs(1),
            max_backoff: Duration::from_secs(3600),
            give_up_after: Duration::from_secs(24 * 3600),
            timeout: Duration::from_secs(10),
            max_hooks: 10,
            log_limit: 10_000,
            allow_private: false,
        }
    }
}

/// Delivery totals since this [`Webhooks`] was made, and hooks failing now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WebhookCounters {
    pub delivered: u64,
    pub failed_attempts: u64,
    pub gave_up: u64,
    pub hooks_failing: u64,
}

// ----- the running side -----

/// What delivery tasks share with [`Webhooks`].
struct Ctx {
    store: Store,
    config: WebhookConfig,
    client: reqwest::Client,
    /// The profiles' plugins, for hooks in a platform's format.
    shaper: OnceLock<Arc<dyn Shaper>>,
    delivered: AtomicU64,
    failed_attempts: AtomicU64,
    gave_up: AtomicU64,
}

/// A hook with a delivery task.
struct Hook {
    owner: OwnerId,
    record: HookRecord,
    url: reqwest::Url,
    /// Signalled by [`Webhooks::wake`]; holds a permit, so a wake is never missed.
    wake: Notify,
    /// Every store write of the task happens under this lock after checking
    /// `alive`: once a delete or shutdown has cleared it, the task writes
    /// nothing more (no record comes back after a delete).
    state: Mutex<HookState>,
    task: Mutex<Option<JoinHandle<()>>>,
}

struct HookState {
    alive: bool,
    progress: HookProgress,
    next_attempt_at: Option<i64>,
    /// Delivery log entries stored for this hook.
    log_len: usize,
}

impl Hook {
    fn state(&self) -> MutexGuard<'_, HookState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stops the task: it writes nothing after this returns.
    fn stop(&self) -> Option<JoinHandle<()>> {
        self.state().alive = false;
        let task = self.task.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(t) = &task {
            t.abort();
        }
        task
    }
}

/// The webhook subsystem of a server: every profile's hooks and their
/// delivery tasks. Share it as `Arc<Webhooks>`.
pub struct Webhooks {
    ctx: Arc<Ctx>,
    rt: Mutex<Option<Handle>>,
    /// Hooks with a task, by owner and id.
    hooks: Mutex<HashMap<OwnerId, BTreeMap<String, Arc<Hook>>>>,
    /// Serialises creates, so the per-profile limit holds.
    create_lock: Mutex<()>,
    closed: AtomicBool,
}

impl Webhooks {
    pub fn new(store: Store, config: WebhookConfig) -> Arc<Webhooks> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("diorama/", env!("CARGO_PKG_VERSION")))
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            // A redirected POST would turn into a GET: a 3xx is a failure.
            .redirect(reqwest::redirect::Policy::none())
            // Connect to the addresses the guard checked, never through a
            // proxy from the environment (which would resolve them again).
            .no_proxy()
            .dns_resolver(Arc::new(target::Guard {
                allow_private: config.allow_private,
            }))
            .build()
            .expect("the HTTP client for webhooks (rustls with bundled roots) builds");
        Arc::new(Webhooks {
            ctx: Arc::new(Ctx {
                store,
                config,
                client,
                shaper: OnceLock::new(),
                delivered: AtomicU64::new(0),
                failed_attempts: AtomicU64::new(0),
                gave_up: AtomicU64::new(0),
            }),
            rt: Mutex::new(None),
            hooks: Mutex::new(HashMap::new()),
            create_lock: Mutex::new(()),
            closed: AtomicBool::new(false),
        })
    }

    /// Where hooks in a platform's format are checked and shaped (the
    /// live side, which holds the profiles' plugins). Set once, before
    /// [`Webhooks::start`]; without it such hooks are refused and their
    /// deliveries wait.
    pub fn set_shaper(&self, shaper: Arc<dyn Shaper>) {
        let _ = self.ctx.shaper.set(shaper);
    }

    fn registry(&self) -> MutexGuard<'_, HashMap<OwnerId, BTreeMap<String, Arc<Hook>>>> {
        self.hooks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts delivery for every stored hook that is not disabled (server
    /// start or restart); tasks run on `rt`, as do those of later creates.
    pub fn start(self: &Arc<Self>, rt: &Handle) -> Result<(), WebhookError> {
        *self.rt.lock().unwrap_or_else(|e| e.into_inner()) = Some(rt.clone());
        let store = &self.ctx.store;
        for owner in store.record_owners(HOOKS)? {
            for (key, value) in store.records(HOOKS, owner, b"", b"", usize::MAX)? {
                let rec: HookRecord = decode(HOOKS, owner, &key, &value)?;
                let running = self
                    .registry()
                    .get(&owner)
                    .is_some_and(|m| m.contains_key(&rec.id));
                if running || rec.disabled.is_some() {
                    continue;
                }
                let progress = match self.progress(owner, &rec.id)? {
                    Some(p) => p,
                    // Written before the hook itself; absent only if a
                    // crash came between: start from now, as a create does.
                    None => {
                        let p = HookProgress {
                            cursor: store.last_seq(owner)?.unwrap_or(0),
                            ..HookProgress::default()
                        };
                        store.put_record(
                            OUTBOX,
                            owner,
                            rec.id.as_bytes(),
                            &encode("webhook progress", &p)?,
                        )?;
                        p
                    }
                };
                let log_len = store
                    .records(DELIVERIES, owner, rec.id.as_bytes(), b"", usize::MAX)?
                    .len();
                self.launch(owner, rec, progress, log_len);
            }
        }
        Ok(())
    }

    /// Registers a hook and spawns its task (unless shut down, or there is
    /// no runtime yet: then [`Webhooks::start`] spawns it).
    fn launch(
        self: &Arc<Self>,
        owner: OwnerId,
        record: HookRecord,
        progress: HookProgress,
        log_len: usize,
    ) {
        if self.closed.load(Ordering::SeqCst) {
            return;
        }
        let url = match reqwest::Url::parse(&record.url) {
            Ok(u) => u,
            Err(e) => {
                tracing::error!(owner, hook = %record.id, "stored webhook url `{}` does not parse ({e}); not delivering", record.url);
                return;
            }
        };
        let rt = self
            .rt
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .or_else(|| Handle::try_current().ok());
        let Some(rt) = rt else {
            return;
        };
        let hook = Arc::new(Hook {
            owner,
            record,
            url,
            wake: Notify::new(),
            state: Mutex::new(HookState {
                alive: true,
                progress,
                next_attempt_at: None,
                log_len,
            }),
            task: Mutex::new(None),
        });
        let handle = rt.spawn(deliver::run(self.ctx.clone(), hook.clone()));
        *hook.task.lock().unwrap_or_else(|e| e.into_inner()) = Some(handle);
        let old = self
            .registry()
            .entry(owner)
            .or_default()
            .insert(hook.record.id.clone(), hook);
        if let Some(old) = old {
            old.stop();
        }
    }

    /// New events of `owner` were stored: its hooks look for them now
    /// rather than at their next poll. Cheap; callable from any thread.
    pub fn wake(&self, owner: OwnerId) {
        if let Some(m) = self.registry().get(&owner) {
            for h in m.values() {
                h.wake.notify_one();
            }
        }
    }

    /// The profile is being deleted: stops its hooks' tasks, which write
    /// nothing afterwards. The records stay for `Store::delete_owner`.
    pub fn forget(&self, owner: OwnerId) {
        let hooks = self.registry().remove(&owner);
        for h in hooks.into_iter().flat_map(|m| m.into_values()) {
            h.stop();
        }
    }

    /// Stops every task and waits for them to end. An in-flight request is
    /// abandoned; its event is sent again (same event id) after a restart.
    pub async fn shutdown(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let all: Vec<Arc<Hook>> = self
            .registry()
            .drain()
            .flat_map(|(_, m)| m.into_values())
            .collect();
        let tasks: Vec<_> = all.iter().filter_map(|h| h.stop()).collect();
        for t in tasks {
            let _ = t.await;
        }
    }

    pub fn counters(&self) -> WebhookCounters {
        let hooks_failing = self
            .registry()
            .values()
            .flat_map(|m| m.values())
            .filter(|h| h.state().progress.failing_since.is_some())
            .count() as u64;
        WebhookCounters {
            delivered: self.ctx.delivered.load(Ordering::Relaxed),
            failed_attempts: self.ctx.failed_attempts.load(Ordering::Relaxed),
            gave_up: self.ctx.gave_up.load(Ordering::Relaxed),
            hooks_failing,
        }
    }
}

/// The live side tells the webhooks what it stores and deletes.
impl ProfileObserver for Webhooks {
    fn stored(&self, owner: OwnerId, _durable_seq: u64) {
        self.wake(owner);
    }

    fn deleted(&self, owner: OwnerId) {
        self.forget(owner);
    }
}

impl Drop for Webhooks {
    fn drop(&mut self) {
        for h in self.registry().drain().flat_map(|(_, m)| m.into_values()) {
            h.stop();
        }
    }
}
