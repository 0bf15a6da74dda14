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
//! Hook ids have a fixed length (`wh_` and 16 hex digits), so one hook's
//! key prefix is never a prefix of another's.

mod deliver;
mod sign;
pub mod target;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::runtime::Handle;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::event::{OwnerId, StoredEvent, TYPE_NAMES};
use crate::live::ProfileObserver;
use crate::store::{RecordTree, Store, StoreError};

pub use sign::{sign, verify};

/// Longest url accepted, in bytes.
pub const MAX_URL_BYTES: usize = 2048;
/// Longest secret accepted, in bytes.
pub const MAX_SECRET_BYTES: usize = 256;
/// Shortest secret accepted, in bytes: a short secret's signatures can be
/// forged by guessing it.
pub const MIN_SECRET_BYTES: usize = 16;
/// Most values in one filter list.
pub const MAX_FILTER_VALUES: usize = 64;
/// Longest filter value, in bytes.
pub const MAX_FILTER_VALUE_BYTES: usize = 128;

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

/// A new subscription, as a client sends it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookSpec {
    pub url: String,
    pub secret: String,
    #[serde(default)]
    pub filter: EventFilter,
}

/// Which events a hook receives: an event matches when it matches every
/// non-empty list; empty or absent lists match anything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventFilter {
    /// Platform names (`youtube`, …).
    #[serde(default)]
    pub platforms: Vec<String>,
    /// Event types: `content`, `interaction`, `metric`, `notice`.
    #[serde(default)]
    pub types: Vec<String>,
    /// Content or interaction kinds, metric names, notice codes.
    #[serde(default)]
    pub kinds: Vec<String>,
}

impl EventFilter {
    pub fn matches(&self, e: &StoredEvent) -> bool {
        fn any(list: &[String], v: &str) -> bool {
            list.is_empty() || list.iter().any(|x| x == v)
        }
        any(&self.platforms, &e.platform)
            && any(&self.types, e.event.type_name())
            && any(&self.kinds, e.event.kind())
    }

    fn validate(&self) -> Result<(), String> {
        for (name, list) in [
            ("platforms", &self.platforms),
            ("types", &self.types),
            ("kinds", &self.kinds),
        ] {
            if list.len() > MAX_FILTER_VALUES {
                return Err(format!(
                    "filter.{name} has {} values, at most {MAX_FILTER_VALUES} are allowed",
                    list.len()
                ));
            }
            for (i, v) in list.iter().enumerate() {
                if v.is_empty() {
                    return Err(format!("filter.{name}[{i}] is empty"));
                }
                if v.len() > MAX_FILTER_VALUE_BYTES {
                    return Err(format!(
                        "filter.{name}[{i}] is {} bytes long, at most {MAX_FILTER_VALUE_BYTES} are allowed",
                        v.len()
                    ));
                }
            }
        }
        for (i, t) in self.types.iter().enumerate() {
            if !TYPE_NAMES.contains(&t.as_str()) {
                return Err(format!(
                    "filter.types[{i}]: unknown event type `{t}`; expected one of {}",
                    TYPE_NAMES.join(", ")
                ));
            }
        }
        Ok(())
    }
}

/// A hook as the API shows it (never its secret).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HookView {
    pub id: String,
    pub url: String,
    pub filter: EventFilter,
    /// Wall-clock unix milliseconds.
    pub created_at: i64,
    /// `active`, `failing` (retrying) or `disabled` (the receiver answered 410).
    pub status: &'static str,
    /// The last seq handled: delivered, filtered out or given up.
    pub cursor: u64,
    /// Events stored after the cursor, matching the filter or not.
    pub pending: u64,
    pub last_error: Option<String>,
    /// When the next retry is due (wall-clock unix ms), while failing.
    pub next_attempt_at: Option<i64>,
}

/// Delivery totals since this [`Webhooks`] was made, and hooks failing now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WebhookCounters {
    pub delivered: u64,
    pub failed_attempts: u64,
    pub gave_up: u64,
    pub hooks_failing: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// A request the API refuses; the message says what and why.
    #[error("{0}")]
    Invalid(String),
    /// An unknown hook; the message names it.
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

// ----- records -----

/// A subscription as stored (`hooks` tree).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct HookRecord {
    id: String,
    url: String,
    secret: String,
    filter: EventFilter,
    created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    disabled: Option<Disabled>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Disabled {
    at: i64,
    reason: String,
}

/// A hook's progress (`outbox` tree).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Progress {
    cursor: u64,
    /// Wall-clock ms of the first failed attempt of the current failure.
    #[serde(default)]
    failing_since: Option<i64>,
    #[serde(default)]
    last_error: Option<String>,
}

/// One delivery attempt (`deliveries` tree).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct LogEntry {
    event_id: String,
    seq: u64,
    attempt: u32,
    at: i64,
    status: Option<u16>,
    outcome: Outcome,
    error: Option<String>,
    duration_ms: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    Delivered,
    Failed,
    GaveUp,
    Disabled,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn encode<T: Serialize>(what: &'static str, v: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(v).map_err(|e| StoreError::Encode {
        what,
        why: e.to_string(),
    })
}

fn decode<T: for<'de> Deserialize<'de>>(
    tree: RecordTree,
    owner: OwnerId,
    key: &[u8],
    v: &[u8],
) -> Result<T, StoreError> {
    serde_json::from_slice(v).map_err(|e| StoreError::CorruptRecord {
        tree: tree.name(),
        key: format!("owner {owner} · {}", String::from_utf8_lossy(key)),
        why: e.to_string(),
    })
}

fn log_key(id: &str, seq: u64, attempt: u32) -> Vec<u8> {
    let mut k = Vec::with_capacity(id.len() + 12);
    k.extend_from_slice(id.as_bytes());
    k.extend_from_slice(&seq.to_be_bytes());
    k.extend_from_slice(&attempt.to_be_bytes());
    k
}

fn new_hook_id() -> Result<String, WebhookError> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| {
        WebhookError::Invalid(format!(
            "cannot make a webhook id: no system randomness: {e}"
        ))
    })?;
    Ok(format!("wh_{}", hex::encode(b)))
}

// ----- the running side -----

/// What delivery tasks share with [`Webhooks`].
struct Ctx {
    store: Store,
    config: WebhookConfig,
    client: reqwest::Client,
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
    progress: Progress,
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

    fn registry(&self) -> MutexGuard<'_, HashMap<OwnerId, BTreeMap<String, Arc<Hook>>>> {
        self.hooks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts delivery for every stored hook that is not disabled (server
    /// start or restart); tasks run on `rt`, as do those of later creates.
    pub fn start(self: &Arc<Self>, rt: &Handle) -> Result<(), WebhookError> {
        *self.rt.lock().unwrap_or_else(|e| e.into_inner()) = Some(rt.clone());
        let store = &self.ctx.store;
        for owner in store.record_owners(RecordTree::Hooks)? {
            for (key, value) in store.records(RecordTree::Hooks, owner, b"", b"", usize::MAX)? {
                let rec: HookRecord = decode(RecordTree::Hooks, owner, &key, &value)?;
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
                        let p = Progress {
                            cursor: store.last_seq(owner)?.unwrap_or(0),
                            ..Progress::default()
                        };
                        store.put_record(
                            RecordTree::Outbox,
                            owner,
                            rec.id.as_bytes(),
                            &encode("webhook progress", &p)?,
                        )?;
                        p
                    }
                };
                let log_len = store
                    .records(
                        RecordTree::Deliveries,
                        owner,
                        rec.id.as_bytes(),
                        b"",
                        usize::MAX,
                    )?
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
        progress: Progress,
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

    fn progress(&self, owner: OwnerId, id: &str) -> Result<Option<Progress>, WebhookError> {
        let key = id.as_bytes();
        match self.ctx.store.record(RecordTree::Outbox, owner, key)? {
            Some(v) => Ok(Some(decode(RecordTree::Outbox, owner, key, &v)?)),
            None => Ok(None),
        }
    }

    fn hook_record(&self, owner: OwnerId, id: &str) -> Result<HookRecord, WebhookError> {
        let key = id.as_bytes();
        match self.ctx.store.record(RecordTree::Hooks, owner, key)? {
            Some(v) => Ok(decode(RecordTree::Hooks, owner, key, &v)?),
            None => Err(WebhookError::NotFound(format!(
                "profile {owner} has no webhook `{id}`"
            ))),
        }
    }

    fn view(&self, owner: OwnerId, rec: HookRecord) -> Result<HookView, WebhookError> {
        let progress = self.progress(owner, &rec.id)?.unwrap_or_default();
        let last = self.ctx.store.last_seq(owner)?.unwrap_or(0);
        let next_attempt_at = self
            .registry()
            .get(&owner)
            .and_then(|m| m.get(&rec.id))
            .and_then(|h| h.state().next_attempt_at);
        let status = if rec.disabled.is_some() {
            "disabled"
        } else if progress.failing_since.is_some() {
            "failing"
        } else {
            "active"
        };
        Ok(HookView {
            id: rec.id,
            url: rec.url,
            filter: rec.filter,
            created_at: rec.created_at,
            status,
            cursor: progress.cursor,
            pending: last.saturating_sub(progress.cursor),
            last_error: match &rec.disabled {
                Some(d) => Some(d.reason.clone()),
                None => progress.last_error,
            },
            next_attempt_at: if rec.disabled.is_some() {
                None
            } else {
                next_attempt_at
            },
        })
    }

    /// Validates and stores a new hook, then starts delivering to it every
    /// matching event stored from now on.
    pub fn create(
        self: &Arc<Self>,
        owner: OwnerId,
        spec: HookSpec,
    ) -> Result<HookView, WebhookError> {
        validate(&spec).map_err(WebhookError::Invalid)?;
        // Syntax first, then where it points (which may resolve a name).
        let url = reqwest::Url::parse(&spec.url)
            .map_err(|e| WebhookError::Invalid(format!("url `{}`: {e}", spec.url)))?;
        target::check_url(&url, self.ctx.config.allow_private).map_err(WebhookError::Invalid)?;
        let store = &self.ctx.store;
        let _one = self.create_lock.lock().unwrap_or_else(|e| e.into_inner());
        let max = self.ctx.config.max_hooks;
        let have = store
            .records(RecordTree::Hooks, owner, b"", b"", max.saturating_add(1))?
            .len();
        if have >= max {
            return Err(WebhookError::Invalid(format!(
                "profile {owner} already has {have} webhooks, the most allowed is {max}; delete one first"
            )));
        }
        let id = new_hook_id()?;
        let rec = HookRecord {
            id: id.clone(),
            url: spec.url,
            secret: spec.secret,
            filter: spec.filter,
            created_at: now_ms(),
            disabled: None,
        };
        let progress = Progress {
            cursor: store.last_seq(owner)?.unwrap_or(0),
            ..Progress::default()
        };
        // Progress first: a hook record never exists without its cursor.
        store.put_record(
            RecordTree::Outbox,
            owner,
            id.as_bytes(),
            &encode("webhook progress", &progress)?,
        )?;
        store.put_record(
            RecordTree::Hooks,
            owner,
            id.as_bytes(),
            &encode("a webhook", &rec)?,
        )?;
        // Answered 201 only once the hook would survive a crash.
        store.commit()?;
        self.launch(owner, rec.clone(), progress, 0);
        self.view(owner, rec)
    }

    /// The profile's hooks, by id.
    pub fn list(&self, owner: OwnerId) -> Result<Vec<HookView>, WebhookError> {
        let rows = self
            .ctx
            .store
            .records(RecordTree::Hooks, owner, b"", b"", usize::MAX)?;
        rows.into_iter()
            .map(|(k, v)| {
                let rec = decode(RecordTree::Hooks, owner, &k, &v)?;
                self.view(owner, rec)
            })
            .collect()
    }

    pub fn get(&self, owner: OwnerId, id: &str) -> Result<HookView, WebhookError> {
        let rec = self.hook_record(owner, id)?;
        self.view(owner, rec)
    }

    /// Stops the hook's task and removes the hook, its cursor and its log.
    pub fn delete(&self, owner: OwnerId, id: &str) -> Result<(), WebhookError> {
        self.hook_record(owner, id)?;
        let hook = {
            let mut reg = self.registry();
            let hook = reg.get_mut(&owner).and_then(|m| m.remove(id));
            if reg.get(&owner).is_some_and(|m| m.is_empty()) {
                reg.remove(&owner);
            }
            hook
        };
        if let Some(h) = hook {
            h.stop();
        }
        let store = &self.ctx.store;
        store.remove_record(RecordTree::Hooks, owner, id.as_bytes())?;
        store.remove_record(RecordTree::Outbox, owner, id.as_bytes())?;
        loop {
            let page = store.records(RecordTree::Deliveries, owner, id.as_bytes(), b"", 1000)?;
            if page.is_empty() {
                break;
            }
            for (k, _) in page {
                store.remove_record(RecordTree::Deliveries, owner, &k)?;
            }
        }
        Ok(())
    }

    /// A page of the hook's delivery log, oldest first: each entry is
    /// `{"event_id","seq","attempt","at","status","outcome","error","duration_ms"}`.
    /// The second value, when present, is the `after` of the next page.
    pub fn deliveries(
        &self,
        owner: OwnerId,
        id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<serde_json::Value>, Option<String>), WebhookError> {
        self.hook_record(owner, id)?;
        let mut from = Vec::new();
        if let Some(a) = after {
            let bad = || {
                WebhookError::Invalid(format!(
                    "invalid deliveries cursor `{a}`: expected the 24 hex digits a previous page returned"
                ))
            };
            let bytes = hex::decode(a).map_err(|_| bad())?;
            if bytes.len() != 12 {
                return Err(bad());
            }
            from = bytes;
            // The first key after `after` itself.
            from.push(0);
        }
        let rows = self.ctx.store.records(
            RecordTree::Deliveries,
            owner,
            id.as_bytes(),
            &from,
            limit.saturating_add(1),
        )?;
        let more = rows.len() > limit;
        let mut page = Vec::with_capacity(rows.len().min(limit));
        let mut last = None;
        for (k, v) in rows.into_iter().take(limit) {
            let entry: serde_json::Value = decode(RecordTree::Deliveries, owner, &k, &v)?;
            page.push(entry);
            last = Some(hex::encode(&k[id.len()..]));
        }
        Ok((page, if more { last } else { None }))
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

fn validate(spec: &HookSpec) -> Result<(), String> {
    let url = &spec.url;
    if url.len() > MAX_URL_BYTES {
        return Err(format!(
            "url is {} bytes long, at most {MAX_URL_BYTES} are allowed",
            url.len()
        ));
    }
    let parsed =
        reqwest::Url::parse(url).map_err(|e| format!("url `{url}` is not a valid URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "url `{url}` uses the scheme `{}`; only http and https are allowed",
            parsed.scheme()
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("url `{url}` has no host"));
    }
    if spec.secret.len() < MIN_SECRET_BYTES {
        return Err(format!(
            "secret is {} bytes long, at least {MIN_SECRET_BYTES} are needed",
            spec.secret.len()
        ));
    }
    if spec.secret.len() > MAX_SECRET_BYTES {
        return Err(format!(
            "secret is {} bytes long, at most {MAX_SECRET_BYTES} are allowed",
            spec.secret.len()
        ));
    }
    spec.filter.validate()
}
