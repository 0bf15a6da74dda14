//! Server-sent events per profile, resumable.
//!
//! Each event is sent with `id: <seq>`, `event: <type>` and the event's JSON
//! as data. A client that reconnects with `Last-Event-ID` (or `?after=`)
//! first gets everything stored after that seq, then the live stream, with
//! no gap and no repeat: the stream subscribes before reading the backlog
//! and skips what it has already sent. A client too slow for the live
//! stream is caught up from the store the same way.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use serde::Deserialize;
use tokio::sync::{broadcast, mpsc};
use utoipa::IntoParams;

use super::auth::OwnProfile;
use super::error::{ApiError, Query};
use super::ApiState;
use crate::live::{publish, PublishedEvent};

/// The query of `GET .../stream`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// Send only events after this seq (the `Last-Event-ID` header wins). Absent: from the first event.
    #[param(pattern = "^[0-9]+$", nullable = false)]
    after: Option<String>,
    /// Event types: content, interaction, metric, notice; a comma-separated list, absent = all.
    #[param(nullable = false)]
    types: Option<String>,
    /// Event kinds; a comma-separated list, absent = all.
    #[param(nullable = false)]
    kinds: Option<String>,
    /// Platform names; a comma-separated list, absent = all.
    #[param(nullable = false)]
    platforms: Option<String>,
}

struct Filter {
    types: Vec<String>,
    kinds: Vec<String>,
    platforms: Vec<String>,
}

fn list(s: &Option<String>) -> Vec<String> {
    s.as_deref()
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

impl Filter {
    fn wants(&self, e: &PublishedEvent) -> bool {
        let ok = |l: &Vec<String>, v: &str| l.is_empty() || l.iter().any(|x| x == v);
        ok(&self.types, e.type_name) && ok(&self.kinds, &e.kind) && ok(&self.platforms, &e.platform)
    }
}

/// Events per history page.
const PAGE: usize = 256;

#[utoipa::path(get, path = "/v1/profiles/{id}/stream",
    summary = "Server-sent events, resumable with Last-Event-ID.",
    params(
        ("id" = String, Path),
        StreamQuery,
        ("Last-Event-ID" = Option<String>, Header, pattern = "^[0-9]+$", nullable = false,
            description = "Resume after this event id (seq), as browsers send on reconnect."),
    ),
    responses((status = 200, description = "`text/event-stream`: each event as `id: <seq>`, `event: <type>`, `data: <Event JSON>`; keep-alive comments every 15 s.",
        body = String, content_type = "text/event-stream")),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn stream(
    State(s): State<ApiState>,
    own: OwnProfile,
    headers: HeaderMap,
    Query(q): Query<StreamQuery>,
) -> Result<Response, ApiError> {
    let p = own.profile;
    let from_header = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let after = match from_header.or(q.after.clone()) {
        None => None,
        Some(c) => Some(c.trim().parse::<u64>().map_err(|_| {
            ApiError::bad_query(format!(
                "`Last-Event-ID` / `after` must be an event id (seq) this stream sent, got `{c}`"
            ))
        })?),
    };
    let filter = Filter {
        types: list(&q.types),
        kinds: list(&q.kinds),
        platforms: list(&q.platforms),
    };
    // Held by the task below: the stream's place frees when it ends.
    let slot = s.gates.open_stream(p.id)?;
    let reads = s.gates.replay_reads.clone();
    // Subscribe before reading the backlog: nothing falls between the two.
    let mut live = p.subscribe();
    let store = s.live.store().clone();
    let owner = p.id;
    let telemetry = s.telemetry.clone();
    let mut closing = s.closing.subscribe();
    let (tx, rx) = mpsc::channel::<Event>(256);
    tokio::spawn(async move {
        let _slot = slot;
        let label = owner.to_string();
        // The last seq sent (or skipped by the filter).
        let mut sent = after.unwrap_or(0);
        let send = |e: &PublishedEvent| {
            Event::default()
                .id(e.seq.to_string())
                .event(e.type_name)
                .data(e.json.clone())
        };
        'outer: loop {
            // Catch up from the store, a page at a time: each page is one
            // short blocking read (taking turns with other streams), and
            // the next is read only once this one is sent, so memory stays
            // at a page plus the channel.
            loop {
                let store = store.clone();
                let label = label.clone();
                let Ok(turn) = reads.clone().acquire_owned().await else {
                    break 'outer;
                };
                let page = tokio::task::spawn_blocking(move || {
                    // Only what is on disk: nothing streamed is lost by a crash.
                    store
                        .durable_events(owner, Some(sent), PAGE)
                        .map(|list| list.iter().map(|e| publish(&label, e)).collect::<Vec<_>>())
                })
                .await;
                drop(turn);
                let Ok(Ok(page)) = page else { break 'outer };
                let n = page.len();
                for e in page {
                    sent = e.seq;
                    if filter.wants(&e) {
                        if tx.send(send(&e)).await.is_err() {
                            break 'outer;
                        }
                        telemetry
                            .events_streamed
                            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
                if n < PAGE {
                    break;
                }
            }
            // Live.
            loop {
                let batch = tokio::select! {
                    b = live.recv() => b,
                    _ = closing.wait_for(|c| *c) => break 'outer,
                    _ = tx.closed() => break 'outer,
                };
                match batch {
                    // Stored while this stream had not subscribed yet.
                    Ok(batch) if batch.is_empty() => continue 'outer,
                    Ok(batch) => {
                        for e in batch.iter() {
                            if e.seq <= sent {
                                continue;
                            }
                            if e.seq > sent + 1 {
                                // A gap: read it from the store first.
                                continue 'outer;
                            }
                            sent = e.seq;
                            if filter.wants(e) {
                                if tx.send(send(e)).await.is_err() {
                                    break 'outer;
                                }
                                telemetry
                                    .events_streamed
                                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => continue 'outer,
                    Err(broadcast::error::RecvError::Closed) => break 'outer,
                }
            }
        }
    });
    let events = stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (Ok::<Event, Infallible>(e), rx))
    });
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}
