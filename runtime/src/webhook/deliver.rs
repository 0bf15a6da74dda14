//! A hook's delivery task: walks the event log from the hook's cursor and
//! POSTs each matching event until it is answered 2xx, in seq order.
//!
//! Every store write (log entry, cursor, disabled mark) happens in one
//! critical section between awaits, under the hook's state lock and only
//! while the hook is alive, so aborting the task at any await leaves the
//! records consistent: at worst the head event is sent again.

use std::collections::VecDeque;
use std::error::Error as _;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{HeaderValue, CONTENT_TYPE};
use reqwest::StatusCode;

use diorama_sdk::{SignatureScheme, WebhookDelivery};

use super::records::{encode, log_key, now_ms, DeliveryOutcome, Disabled, LogEntry};
use super::{sign, sign_as, Ctx, Hook, HookState, ShapeError};
use crate::event::{event_line, StoredEvent};
use crate::store::StoreError;
use crate::webhook::records::{DELIVERIES, HOOKS, OUTBOX};

/// Events read from the log at a time.
const BATCH: usize = 256;
/// The longest wait for new events without a wake: a missed wake costs at
/// most this.
const IDLE_WAIT: Duration = Duration::from_secs(1);
/// How often a paused delivery asks whether the outage is over.
const PAUSE_POLL: Duration = Duration::from_millis(250);
/// Bytes of an error response's body kept in the log.
const ERROR_BODY_BYTES: usize = 256;

/// How the head event's handling ended.
enum Handled {
    /// Delivered or given up: the cursor moved past it.
    Done,
    /// Disabled by a 410, or the hook was stopped: the task ends.
    Stop,
}

/// The result of one POST.
enum Answer {
    Delivered(u16),
    Gone(u16),
    Failed { status: Option<u16>, error: String },
}

pub(super) async fn run(ctx: Arc<Ctx>, hook: Arc<Hook>) {
    let owner = hook.owner;
    let mut cursor = hook.state().progress.cursor;
    // Consecutive failed attempts in this task: the backoff exponent.
    let mut failures: u32 = 0;
    let mut buf: VecDeque<StoredEvent> = VecDeque::new();
    loop {
        if buf.is_empty() {
            // Only what is on disk: a delivery is never taken back by a crash.
            match ctx.store.durable_events(owner, Some(cursor), BATCH) {
                Ok(evs) if evs.is_empty() => {
                    let _ = tokio::time::timeout(IDLE_WAIT, hook.wake.notified()).await;
                    continue;
                }
                Ok(evs) => buf.extend(evs),
                Err(e) => {
                    store_trouble(&hook, "reading events", &e);
                    tokio::time::sleep(IDLE_WAIT).await;
                    continue;
                }
            }
        }
        // Filtered-out events are handled by moving the cursor past them.
        let mut skipped = None;
        while let Some(front) = buf.front() {
            if hook.record.filter.matches(front) && in_format(&hook, front) {
                break;
            }
            skipped = Some(front.seq);
            buf.pop_front();
        }
        if let Some(seq) = skipped {
            let moved = commit(&hook, |st| {
                st.progress.cursor = seq;
                put_progress(&ctx, &hook, st)
            });
            match moved {
                None => return,
                Some(Ok(())) => cursor = seq,
                Some(Err(e)) => {
                    store_trouble(&hook, "saving the cursor", &e);
                    buf.clear();
                    tokio::time::sleep(IDLE_WAIT).await;
                    continue;
                }
            }
        }
        let Some(head) = buf.pop_front() else {
            // A long run of filtered-out events: let other tasks run.
            tokio::task::yield_now().await;
            continue;
        };
        match deliver(&ctx, &hook, &head, &mut failures).await {
            Handled::Done => cursor = head.seq,
            Handled::Stop => return,
        }
    }
}

/// The end (virtual time) of a webhook outage holding `ev`'s deliveries
/// now, if any.
async fn paused(ctx: &Ctx, hook: &Hook, ev: &StoredEvent) -> Option<crate::event::Millis> {
    let shaper = ctx.shaper.get().cloned()?;
    let (owner, platform) = (hook.owner, ev.platform.clone());
    tokio::task::spawn_blocking(move || shaper.webhooks_paused(owner, &platform))
        .await
        .ok()
        .flatten()
}

/// A hook in a platform's format sends only that platform's events.
fn in_format(hook: &Hook, ev: &StoredEvent) -> bool {
    hook.record
        .format
        .as_ref()
        .is_none_or(|f| f.platform == ev.platform)
}

/// What is sent for an event.
enum Request {
    /// diorama's own body.
    Own(Bytes),
    /// The platform's request, as the plugin shaped it, and how to sign it.
    Shaped {
        delivery: WebhookDelivery,
        body: Bytes,
        scheme: SignatureScheme,
    },
}

/// The request for `ev`: diorama's body, or the profile's plugin's shape
/// of it (`None`: the platform sends nothing for it in this format).
async fn request_for(ctx: &Ctx, hook: &Hook, ev: &StoredEvent) -> Result<Option<Request>, String> {
    let Some(f) = hook.record.format.clone() else {
        return Ok(Some(Request::Own(Bytes::from(body(hook, ev)))));
    };
    let Some(shaper) = ctx.shaper.get().cloned() else {
        return Err("no plugin host to shape the event yet".into());
    };
    let scheme = shaper
        .formats(&f.platform)
        .and_then(|all| all.into_iter().find(|w| w.name == f.name))
        .and_then(|w| w.signature)
        .ok_or_else(|| {
            format!(
                "{} no longer sends the webhook format `{}`",
                f.platform, f.name
            )
        })?;
    let (owner, event) = (hook.owner, ev.event.clone());
    let shaped = tokio::task::spawn_blocking(move || {
        shaper.shape(owner, &f.platform, &f.name, &f.params_json(), &event)
    })
    .await
    .map_err(|e| format!("shaping the event stopped: {e}"))?;
    match shaped {
        Ok(None) => Ok(None),
        Ok(Some(delivery)) => {
            let body = Bytes::from(delivery.body.clone());
            Ok(Some(Request::Shaped {
                delivery,
                body,
                scheme,
            }))
        }
        Err(ShapeError::Refused(why) | ShapeError::Failed(why)) => Err(format!(
            "the platform's plugin could not shape the event: {why}"
        )),
    }
}

/// Runs `f` under the hook's state lock if the hook is still alive.
fn commit<R>(hook: &Hook, f: impl FnOnce(&mut HookState) -> R) -> Option<R> {
    let mut st = hook.state();
    if !st.alive {
        return None;
    }
    Some(f(&mut st))
}

fn put_progress(ctx: &Ctx, hook: &Hook, st: &HookState) -> Result<(), StoreError> {
    ctx.store.put_record(
        OUTBOX,
        hook.owner,
        hook.record.id.as_bytes(),
        &encode("webhook progress", &st.progress)?,
    )
}

fn store_trouble(hook: &Hook, doing: &str, e: &StoreError) {
    tracing::error!(
        owner = hook.owner,
        hook = %hook.record.id,
        "webhook delivery: {doing} failed: {e}; retrying"
    );
}

/// Appends an attempt to the log, pruning the oldest entries past the limit.
fn put_log(ctx: &Ctx, hook: &Hook, st: &mut HookState, e: &LogEntry) -> Result<(), StoreError> {
    let id = &hook.record.id;
    ctx.store.put_record(
        DELIVERIES,
        hook.owner,
        &log_key(id, e.seq, e.attempt),
        &encode("a webhook delivery log entry", e)?,
    )?;
    st.log_len += 1;
    let limit = ctx.config.log_limit;
    if st.log_len > limit {
        let excess = st.log_len - limit;
        let old = ctx
            .store
            .records(DELIVERIES, hook.owner, id.as_bytes(), b"", excess)?;
        for (k, _) in old {
            ctx.store.remove_record(DELIVERIES, hook.owner, &k)?;
            st.log_len -= 1;
        }
    }
    Ok(())
}

/// The highest attempt number logged for `seq`: a restarted task goes on
/// numbering (and never overwrites) the attempts of its head event.
fn last_attempt(ctx: &Ctx, hook: &Hook, seq: u64) -> u32 {
    let mut prefix = hook.record.id.as_bytes().to_vec();
    prefix.extend_from_slice(&seq.to_be_bytes());
    match ctx
        .store
        .records(DELIVERIES, hook.owner, &prefix, b"", usize::MAX)
    {
        Ok(rows) => rows
            .iter()
            .filter_map(|(k, _)| k.get(prefix.len()..)?.try_into().ok())
            .map(u32::from_be_bytes)
            .max()
            .unwrap_or(0),
        Err(e) => {
            store_trouble(hook, "reading the delivery log", &e);
            0
        }
    }
}

/// The request body: the event id, owner, hook and the event's JSON line.
fn body(hook: &Hook, ev: &StoredEvent) -> Vec<u8> {
    let owner = hook.owner;
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(
        format!(
            "{{\"event_id\":\"{owner}-{}\",\"profile\":\"{owner}\",\"hook\":",
            ev.seq
        )
        .as_bytes(),
    );
    // Ids are `wh_` and hex digits, but quote them properly anyway.
    let _ = serde_json::to_writer(&mut out, &hook.record.id);
    out.extend_from_slice(b",\"event\":");
    event_line(&owner.to_string(), ev, &mut out);
    out.push(b'}');
    out
}

/// The wait before retry number `failures` (1 = the first retry):
/// `first_retry · 2^(failures-1)`, at most `max_backoff`, plus up to 10 %
/// jitter so hooks failing together do not retry in lockstep.
fn backoff(ctx: &Ctx, failures: u32) -> Duration {
    let c = &ctx.config;
    let base = c
        .first_retry
        .saturating_mul(1u32 << failures.saturating_sub(1).min(30))
        .min(c.max_backoff);
    let jitter_max = base.as_millis() as u64 / 10;
    let jitter = match getrandom::u64() {
        Ok(r) if jitter_max > 0 => r % (jitter_max + 1),
        _ => 0,
    };
    base + Duration::from_millis(jitter)
}

/// Delivers `ev` until it is answered 2xx, given up or the hook disabled.
async fn deliver(ctx: &Ctx, hook: &Hook, ev: &StoredEvent, failures: &mut u32) -> Handled {
    let event_id = format!("{}-{}", hook.owner, ev.seq);
    let mut request: Option<Request> = None;
    let mut attempt = last_attempt(ctx, hook, ev.seq);
    let mut pause_logged = false;
    loop {
        // A webhook outage of the profile (a fault): the delivery waits for
        // its end without counting as a failure, logged once as `paused`.
        if let Some(end) = paused(ctx, hook, ev).await {
            if !pause_logged {
                attempt = attempt.saturating_add(1);
                let entry = LogEntry {
                    event_id: event_id.clone(),
                    seq: ev.seq,
                    attempt,
                    at: now_ms(),
                    status: None,
                    outcome: DeliveryOutcome::Paused,
                    error: Some(format!(
                        "paused by a webhook outage until {} of the profile's time; delivered after",
                        crate::event::time::format_instant(end)
                    )),
                    duration_ms: 0,
                };
                match commit(hook, |st| put_log(ctx, hook, st, &entry)) {
                    None => return Handled::Stop,
                    Some(Ok(())) => pause_logged = true,
                    Some(Err(e)) => store_trouble(hook, "recording a pause", &e),
                }
            }
            tokio::time::sleep(PAUSE_POLL).await;
            continue;
        }
        let mut shaping_failed = String::new();
        if request.is_none() {
            match request_for(ctx, hook, ev).await {
                Ok(Some(r)) => request = Some(r),
                // Not sent in this format: passed over like a filtered-out event.
                Ok(None) => {
                    let moved = commit(hook, |st| {
                        st.progress.cursor = ev.seq;
                        put_progress(ctx, hook, st)
                    });
                    return match moved {
                        None => Handled::Stop,
                        Some(Ok(())) => Handled::Done,
                        Some(Err(e)) => {
                            store_trouble(hook, "saving the cursor", &e);
                            tokio::time::sleep(IDLE_WAIT).await;
                            Handled::Done
                        }
                    };
                }
                Err(e) => shaping_failed = e,
            }
        }
        attempt = attempt.saturating_add(1);
        let at = now_ms();
        let started = Instant::now();
        let answer = match &request {
            Some(r) => post(ctx, hook, &event_id, attempt, at / 1000, r).await,
            None => Answer::Failed {
                status: None,
                error: shaping_failed,
            },
        };
        let duration_ms = started.elapsed().as_millis() as u64;
        let mut entry = LogEntry {
            event_id: event_id.clone(),
            seq: ev.seq,
            attempt,
            at,
            status: None,
            outcome: DeliveryOutcome::Failed,
            error: None,
            duration_ms,
        };
        let written = commit(hook, |st| -> Result<Option<Duration>, StoreError> {
            st.next_attempt_at = None;
            match answer {
                Answer::Delivered(status) => {
                    entry.status = Some(status);
                    entry.outcome = DeliveryOutcome::Delivered;
                    put_log(ctx, hook, st, &entry)?;
                    st.progress.cursor = ev.seq;
                    st.progress.failing_since = None;
                    st.progress.last_error = None;
                    put_progress(ctx, hook, st)?;
                    ctx.delivered.fetch_add(1, Ordering::Relaxed);
                    *failures = 0;
                    Ok(None)
                }
                Answer::Gone(status) => {
                    entry.status = Some(status);
                    entry.outcome = DeliveryOutcome::Disabled;
                    entry.error = Some("the receiver answered 410 Gone: hook disabled".into());
                    put_log(ctx, hook, st, &entry)?;
                    let mut rec = hook.record.clone();
                    rec.disabled = Some(Disabled {
                        at,
                        reason: format!(
                            "disabled: the receiver answered 410 Gone to event {event_id}"
                        ),
                    });
                    ctx.store.put_record(
                        HOOKS,
                        hook.owner,
                        rec.id.as_bytes(),
                        &encode("a webhook", &rec)?,
                    )?;
                    st.progress.failing_since = None;
                    put_progress(ctx, hook, st)?;
                    st.alive = false;
                    Ok(None)
                }
                Answer::Failed { status, error } => {
                    ctx.failed_attempts.fetch_add(1, Ordering::Relaxed);
                    entry.status = status;
                    entry.error = Some(error.clone());
                    let since = *st.progress.failing_since.get_or_insert(at);
                    st.progress.last_error = Some(error);
                    let failing_for = Duration::from_millis(at.saturating_sub(since).max(0) as u64);
                    if failing_for > ctx.config.give_up_after {
                        entry.outcome = DeliveryOutcome::GaveUp;
                        put_log(ctx, hook, st, &entry)?;
                        st.progress.cursor = ev.seq;
                        put_progress(ctx, hook, st)?;
                        ctx.gave_up.fetch_add(1, Ordering::Relaxed);
                        return Ok(None);
                    }
                    put_log(ctx, hook, st, &entry)?;
                    put_progress(ctx, hook, st)?;
                    *failures = failures.saturating_add(1);
                    let wait = backoff(ctx, *failures);
                    st.next_attempt_at = Some(now_ms() + wait.as_millis() as i64);
                    Ok(Some(wait))
                }
            }
        });
        let retry_in = match written {
            None => return Handled::Stop,
            Some(Ok(r)) => r,
            Some(Err(e)) => {
                // The outcome could not be recorded: try the event again.
                store_trouble(hook, "recording a delivery", &e);
                Some(IDLE_WAIT)
            }
        };
        match retry_in {
            Some(wait) => tokio::time::sleep(wait).await,
            None if hook.state().alive => return Handled::Done,
            None => return Handled::Stop,
        }
    }
}

/// One signed POST of the event.
async fn post(
    ctx: &Ctx,
    hook: &Hook,
    event_id: &str,
    attempt: u32,
    unix_s: i64,
    request: &Request,
) -> Answer {
    // A literal address is never resolved, so the guard in the client's
    // resolver does not see it: judged here (a hook stored by an older
    // build may point anywhere).
    if let Err(error) = super::target::check_literal(&hook.url, ctx.config.allow_private) {
        return Answer::Failed {
            status: None,
            error: error.to_string(),
        };
    }
    let secret = hook.record.secret.as_bytes();
    let mut builder = ctx.client.post(hook.url.clone());
    let payload = match request {
        Request::Own(payload) => {
            builder = builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .header("diorama-signature", sign(secret, unix_s, payload));
            payload.clone()
        }
        Request::Shaped {
            delivery,
            body,
            scheme,
        } => {
            for (name, value) in &delivery.headers {
                // A header that is not valid HTTP is the plugin's; dropped.
                if let (Ok(n), Ok(v)) = (
                    reqwest::header::HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(value),
                ) {
                    builder = builder.header(n, v);
                }
            }
            builder = builder.header(CONTENT_TYPE, delivery.content_type.as_str());
            if !scheme.is_unsigned() {
                let (name, value) = sign_as(scheme, secret, unix_s, body);
                builder = builder.header(name, value);
            }
            body.clone()
        }
    };
    let request = builder
        .header("diorama-event-id", event_id)
        .header("diorama-hook-id", &hook.record.id)
        .header("diorama-delivery-attempt", attempt.to_string())
        .body(payload);
    let mut resp = match request.send().await {
        Ok(r) => r,
        Err(e) => {
            return Answer::Failed {
                status: None,
                error: describe(&e, ctx.config.timeout),
            }
        }
    };
    let status = resp.status();
    if status.is_success() {
        return Answer::Delivered(status.as_u16());
    }
    if status == StatusCode::GONE {
        return Answer::Gone(status.as_u16());
    }
    // A little of the body says why; the rest is not read.
    let mut snippet = Vec::new();
    while snippet.len() < ERROR_BODY_BYTES {
        match resp.chunk().await {
            Ok(Some(c)) => snippet.extend_from_slice(&c),
            _ => break,
        }
    }
    snippet.truncate(ERROR_BODY_BYTES);
    let text = String::from_utf8_lossy(&snippet);
    let text = text.trim();
    Answer::Failed {
        status: Some(status.as_u16()),
        error: if text.is_empty() {
            format!("HTTP {status}")
        } else {
            format!("HTTP {status}: {text}")
        },
    }
}

/// A transport error with its causes: "cannot connect: … Connection refused".
pub(super) fn describe(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("no answer within the timeout of {} ms", timeout.as_millis());
    }
    let mut out = if e.is_connect() {
        "cannot connect".to_string()
    } else {
        "request failed".to_string()
    };
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}
