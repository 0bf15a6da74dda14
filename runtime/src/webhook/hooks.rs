//! A profile's hooks as the API manages them: create, list, get, delete.

use std::sync::Arc;

use serde::Serialize;

use super::records::{DELIVERIES, HOOKS, OUTBOX};
use crate::event::OwnerId;

use super::error::{HookRefusal, WebhookError};
use super::filter::EventFilter;
use super::records::{decode, encode, new_hook_id, now_ms, HookProgress, HookRecord};
use super::spec::{validate, HookSpec};
use super::{target, Webhooks};

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

impl Webhooks {
    pub(super) fn progress(
        &self,
        owner: OwnerId,
        id: &str,
    ) -> Result<Option<HookProgress>, WebhookError> {
        let key = id.as_bytes();
        match self.ctx.store.record(OUTBOX, owner, key)? {
            Some(v) => Ok(Some(decode(OUTBOX, owner, key, &v)?)),
            None => Ok(None),
        }
    }

    pub(super) fn hook_record(&self, owner: OwnerId, id: &str) -> Result<HookRecord, WebhookError> {
        let key = id.as_bytes();
        match self.ctx.store.record(HOOKS, owner, key)? {
            Some(v) => Ok(decode(HOOKS, owner, key, &v)?),
            None => Err(WebhookError::NotFound {
                owner,
                id: id.to_string(),
            }),
        }
    }

    pub(super) fn view(&self, owner: OwnerId, rec: HookRecord) -> Result<HookView, WebhookError> {
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
        validate(&spec)?;
        // Syntax first, then where it points (which may resolve a name).
        let url = reqwest::Url::parse(&spec.url).map_err(|e| HookRefusal::Url {
            url: spec.url.clone(),
            reason: e.to_string(),
        })?;
        target::check_url(&url, self.ctx.config.allow_private)?;
        let store = &self.ctx.store;
        let _one = self.create_lock.lock().unwrap_or_else(|e| e.into_inner());
        let max = self.ctx.config.max_hooks;
        let have = store
            .records(HOOKS, owner, b"", b"", max.saturating_add(1))?
            .len();
        if have >= max {
            return Err(HookRefusal::TooMany { owner, have, max }.into());
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
        let progress = HookProgress {
            cursor: store.last_seq(owner)?.unwrap_or(0),
            ..HookProgress::default()
        };
        // Progress first: a hook record never exists without its cursor.
        store.put_record(
            OUTBOX,
            owner,
            id.as_bytes(),
            &encode("webhook progress", &progress)?,
        )?;
        store.put_record(HOOKS, owner, id.as_bytes(), &encode("a webhook", &rec)?)?;
        // Answered 201 only once the hook would survive a crash.
        store.commit()?;
        self.launch(owner, rec.clone(), progress, 0);
        self.view(owner, rec)
    }

    /// The profile's hooks, by id.
    pub fn list(&self, owner: OwnerId) -> Result<Vec<HookView>, WebhookError> {
        let rows = self.ctx.store.records(HOOKS, owner, b"", b"", usize::MAX)?;
        rows.into_iter()
            .map(|(k, v)| {
                let rec = decode(HOOKS, owner, &k, &v)?;
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
        store.remove_record(HOOKS, owner, id.as_bytes())?;
        store.remove_record(OUTBOX, owner, id.as_bytes())?;
        loop {
            let page = store.records(DELIVERIES, owner, id.as_bytes(), b"", 1000)?;
            if page.is_empty() {
                break;
            }
            for (k, _) in page {
                store.remove_record(DELIVERIES, owner, &k)?;
            }
        }
        Ok(())
    }
}
