//! Caps on what clients hold open: connections, requests in flight and
//! event streams. Past a cap the answer is the server's JSON error: 429
//! when one profile holds too many streams (the others still get theirs),
//! 503 when the server as a whole is full. Nothing waits in a queue.
//!
//! Kept by hand beside tower-http (which traces the requests): tower-http
//! has no cap on connections (the listener must
//! answer past it, before any request exists) nor per-key caps like the
//! streams of one profile; and tower's `ConcurrencyLimit` queues requests
//! rather than refusing them: refusing at once needs it with `LoadShed`
//! and a `HandleErrorLayer` turning its `Overloaded` error back into this
//! server's 503 with `Retry-After`, three layers for what one
//! `try_acquire` does in [`in_flight`].

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::ApiError;
use super::ApiState;

use crate::event::OwnerId;

/// The caps of one server (`diorama serve` flags).
#[derive(Clone, Copy, Debug)]
pub struct ServeLimits {
    /// Open connections; more are answered 503 and closed.
    pub max_connections: usize,
    /// Requests being handled at once (a stream counts while it is set
    /// up, then as a stream); more are answered 503.
    pub max_in_flight: usize,
    /// Event streams open at once on the server; more are answered 503.
    pub max_streams: usize,
    /// Event streams open at once on one profile; more are answered 429.
    pub max_streams_per_profile: usize,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            max_connections: 512,
            max_in_flight: 512,
            max_streams: 256,
            max_streams_per_profile: 8,
        }
    }
}

/// The counters behind the caps.
pub struct Gates {
    pub limits: ServeLimits,
    in_flight: Arc<Semaphore>,
    /// (streams open, streams open per profile).
    streams: Arc<Mutex<(usize, BTreeMap<OwnerId, usize>)>>,
    /// Pages of stream history being read at once: replays share the
    /// blocking pool with every other request, so they take turns.
    pub replay_reads: Arc<Semaphore>,
}

/// History pages read at once by all streams together.
const REPLAY_READS: usize = 4;

impl Gates {
    pub fn new(limits: ServeLimits) -> Gates {
        Gates {
            limits,
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
            streams: Arc::new(Mutex::new((0, BTreeMap::new()))),
            replay_reads: Arc::new(Semaphore::new(REPLAY_READS)),
        }
    }

    /// A place for one more stream on `owner`, held until the slot drops.
    pub fn open_stream(&self, owner: OwnerId) -> Result<StreamSlot, ApiError> {
        let mut s = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        let mine = s.1.get(&owner).copied().unwrap_or(0);
        if mine >= self.limits.max_streams_per_profile {
            return Err(ApiError::too_many_streams(format!(
                "profile {owner} already has {mine} open event streams, the most allowed is {}; close one first",
                self.limits.max_streams_per_profile
            )));
        }
        if s.0 >= self.limits.max_streams {
            return Err(ApiError::busy(format!(
                "the server already serves its maximum of {} event streams; retry later",
                self.limits.max_streams
            )));
        }
        s.0 += 1;
        *s.1.entry(owner).or_insert(0) += 1;
        Ok(StreamSlot {
            owner,
            streams: self.streams.clone(),
        })
    }

    /// Streams open now: (all, on `owner`).
    pub fn streams(&self, owner: OwnerId) -> (usize, usize) {
        let s = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        (s.0, s.1.get(&owner).copied().unwrap_or(0))
    }
}

/// One open stream; dropping it frees its place.
pub struct StreamSlot {
    owner: OwnerId,
    streams: Arc<Mutex<(usize, BTreeMap<OwnerId, usize>)>>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut s = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        s.0 = s.0.saturating_sub(1);
        if let Some(n) = s.1.get_mut(&self.owner) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                s.1.remove(&self.owner);
            }
        }
    }
}

/// Middleware: at most `max_in_flight` requests are handled at once; the
/// next is answered 503 at once rather than queued.
pub async fn in_flight(State(state): State<ApiState>, req: Request, next: Next) -> Response {
    let Ok(_permit) = state.gates.in_flight.clone().try_acquire_owned() else {
        return ApiError::busy(format!(
            "the server is handling its maximum of {} requests at once; retry shortly",
            state.gates.limits.max_in_flight
        ))
        .into_response();
    };
    next.run(req).await
}

/// A TCP listener that keeps at most `max` connections open: a connection
/// past the cap is answered with a 503 JSON error and closed.
pub struct CappedListener {
    inner: TcpListener,
    permits: Arc<Semaphore>,
    max: usize,
}

impl CappedListener {
    pub fn new(inner: TcpListener, max: usize) -> CappedListener {
        CappedListener {
            inner,
            permits: Arc::new(Semaphore::new(max.max(1))),
            max,
        }
    }
}

/// A connection holding its place under the cap until it closes.
pub struct CappedIo {
    io: TcpStream,
    _permit: OwnedSemaphorePermit,
}

impl axum::serve::Listener for CappedListener {
    type Io = CappedIo;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (io, addr) = match self.inner.accept().await {
                Ok(c) => c,
                Err(e) => {
                    // Out of descriptors and the like: wait, as axum does.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            match self.permits.clone().try_acquire_owned() {
                Ok(permit) => {
                    return (
                        CappedIo {
                            io,
                            _permit: permit,
                        },
                        addr,
                    )
                }
                Err(_) => {
                    tokio::spawn(refuse(io, self.max));
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// Answer a connection past the cap with a 503 in the server's JSON error
/// shape, then close it (after reading what the client sent, briefly, so
/// the close does not reset the answer away).
async fn refuse(mut io: TcpStream, max: usize) {
    let body = serde_json::json!({ "error": {
        "code": "server_busy",
        "message": format!("the server already has its maximum of {max} open connections; retry later"),
    }})
    .to_string();
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        io.write_all(head.as_bytes()).await?;
        io.write_all(body.as_bytes()).await?;
        io.shutdown().await?;
        let mut sink = [0u8; 1024];
        while io.read(&mut sink).await? > 0 {}
        Ok::<(), std::io::Error>(())
    })
    .await;
}

impl AsyncRead for CappedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for CappedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}
