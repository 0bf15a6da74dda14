//! A profile's hooks as the API manages them: create, list, get, delete.

use std::sync::Arc;

use serde::Serialize;

use super::records::{DELIVERIES, HOOKS, OUTBOX};
use crate::event::OwnerId;

use super::error::{HookRefusal, WebhookError};
use super::filter::EventFilter;
use super::format::{FormatSpec, ShapeError, MAX_CHALLENGE_ANSWER};
use super::records::{decode, encode, new_hook_id, now_ms, HookProgress, HookRecord};
use super::spec::{validate, HookSpec};
use super::{target, Webhooks};

/// A hook as the API shows it (never its secret).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HookView {
    pub id: String,
    pub url: String,
    pub filter: EventFilter,
    /// A platform's own format; none: diorama's.
    pub format: Option<FormatSpec>,
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
            format: rec.format,
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

    /// Checks a new hook's url, secret, filter and where the url points,
    /// and, for a hook in a platform's format, the format: the platform's
    /// plugin is loaded and declares it, can send it, and the profile's
    /// plugin accepts its parameters. Returns the handshake the platform
    /// makes with the receiver, if any ([`Webhooks::verify`] makes it);
    /// [`Webhooks::create`] stores the hook.
    pub fn check(
        &self,
        owner: OwnerId,
        spec: &HookSpec,
    ) -> Result<Option<diorama_sdk::Verification>, WebhookError> {
        validate(spec)?;
        // Syntax first, then where it points (which may resolve a name).
        let url = reqwest::Url::parse(&spec.url).map_err(|e| HookRefusal::Url {
            url: spec.url.clone(),
            reason: e.to_string(),
        })?;
        target::check_url(&url, self.ctx.config.allow_private)?;
        let Some(f) = &spec.format else {
            return Ok(None);
        };
        let Some(shaper) = self.ctx.shaper.get() else {
            return Err(HookRefusal::FormatPlatform {
                platform: f.platform.clone(),
                loaded: "none".into(),
            }
            .into());
        };
        let formats = shaper
            .formats(&f.platform)
            .ok_or_else(|| HookRefusal::FormatPlatform {
                platform: f.platform.clone(),
                loaded: shaper.loaded().join(", "),
            })?;
        let Some(format) = formats.iter().find(|w| w.name == f.name) else {
            let names: Vec<&str> = formats.iter().map(|w| w.name.as_str()).collect();
            return Err(HookRefusal::UnknownFormat {
                platform: f.platform.clone(),
                name: f.name.clone(),
                formats: if names.is_empty() {
                    "none".into()
                } else {
                    names.join(", ")
                },
            }
            .into());
        };
        if format.signature.is_none() {
            return Err(HookRefusal::FormatNotSent {
                platform: f.platform.clone(),
                name: f.name.clone(),
            }
            .into());
        }
        match shaper.subscribe(owner, &f.platform, &f.name, &f.params_json()) {
            Ok(v) => Ok(v),
            Err(ShapeError::Refused(why)) => Err(HookRefusal::FormatRefused(why).into()),
            Err(ShapeError::Failed(why)) => Err(WebhookError::Shaping(why)),
        }
    }

    /// Makes a platform's subscription handshake: a GET to the hook's url
    /// with the verification's query and a random challenge, which the
    /// receiver must answer (2xx) as its body. Refused with the reason
    /// otherwise.
    pub async fn verify(
        &self,
        spec: &HookSpec,
        verification: &diorama_sdk::Verification,
    ) -> Result<(), WebhookError> {
        let platform = spec
            .format
            .as_ref()
            .map_or_else(String::new, |f| f.platform.clone());
        let refuse = |reason: String| HookRefusal::Verification {
            url: spec.url.clone(),
            platform: platform.clone(),
            reason,
        };
        let mut url = reqwest::Url::parse(&spec.url).map_err(|e| refuse(e.to_string()))?;
        target::check_literal(&url, self.ctx.config.allow_private)
            .map_err(|e| refuse(e.to_string()))?;
        let challenge = super::records::new_challenge()?;
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in &verification.query {
                q.append_pair(k, v);
            }
            q.append_pair(&verification.challenge_param, &challenge);
        }
        let mut resp = self
            .ctx
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| refuse(super::deliver::describe(&e, self.ctx.config.timeout)))?;
        let status = resp.status();
        let mut answer = Vec::new();
        while answer.len() <= MAX_CHALLENGE_ANSWER {
            match resp.chunk().await {
                Ok(Some(c)) => answer.extend_from_slice(&c),
                Ok(None) => break,
                Err(e) => return Err(refuse(format!("reading the answer failed: {e}")).into()),
            }
        }
        if !status.is_success() {
            return Err(refuse(format!(
                "it answered HTTP {status}; a receiver answers 200 with the `{}` it is sent",
                verification.challenge_param
            ))
            .into());
        }
        let answer = String::from_utf8_lossy(&answer);
        if answer.trim() != challenge {
            let shown: String = answer.chars().take(64).collect();
            return Err(refuse(format!(
                "its body `{}` is not the `{}` it was sent (`{challenge}`)",
                shown.escape_default(),
                verification.challenge_param
            ))
            .into());
        }
        Ok(())
    }

    /// Validates and stores a new hook, then starts delivering to it every
    /// matching event stored from now on. A hook in a platform's format is
    /// checked by [`Webhooks::check`] (and its handshake made) first.
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
            format: spec.format,
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

    /// The profile's hooks in platforms' formats (none: only hooks in
    /// diorama's own), by id.
    pub fn in_platform_formats(&self, owner: OwnerId) -> Result<Vec<HookView>, WebhookError> {
        let mut hooks = self.list(owner)?;
        hooks.retain(|h| h.format.is_some());
        Ok(hooks)
    }

    /// Replaces the profile's hooks in `spec`'s format by `spec`: what a
    /// platform's own API does when it keeps one subscription per account
    /// (Telegram's `setWebhook`). The new hook is checked (and its handshake
    /// made) by the caller first, as for [`Webhooks::create`].
    pub fn replace_in_format(
        self: &Arc<Self>,
        owner: OwnerId,
        spec: HookSpec,
    ) -> Result<HookView, WebhookError> {
        let Some(f) = spec.format.clone() else {
            return self.create(owner, spec);
        };
        let old = self.in_format(owner, &f.platform, &f.name)?;
        let view = self.create(owner, spec)?;
        for h in old {
            self.delete(owner, &h.id)?;
        }
        Ok(view)
    }

    /// The profile's hooks in `platform`'s format `name`.
    pub fn in_format(
        &self,
        owner: OwnerId,
        platform: &str,
        name: &str,
    ) -> Result<Vec<HookView>, WebhookError> {
        let mut hooks = self.list(owner)?;
        hooks.retain(|h| {
            h.format
                .as_ref()
                .is_some_and(|f| f.platform == platform && f.name == name)
        });
        Ok(hooks)
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
