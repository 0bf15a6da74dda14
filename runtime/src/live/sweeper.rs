//! The sweeper's side: which profiles are past their end or idle past
//! their time to live, and their deletion.

use std::sync::atomic::Ordering;

use crate::event::OwnerId;

use super::profile::wall_ms;
use super::{pace, LiveManager, LiveProfile};

impl LiveManager {
    /// Delete every profile past its end or idle for longer than its TTL.
    pub fn sweep(&self) -> Vec<OwnerId> {
        let now = wall_ms();
        let all = self.all();
        let mut gone = Vec::new();
        for p in all {
            if Self::expired(&p, now) {
                match self.delete(p.id) {
                    Ok(keys) => {
                        tracing::info!(profile = p.id, keys, "expired profile deleted");
                        gone.push(p.id);
                    }
                    Err(e) => {
                        tracing::warn!(profile = p.id, error = %e, "cannot delete an expired profile")
                    }
                }
            }
        }
        gone
    }

    /// Past its end, or idle for longer than its time to live.
    pub(super) fn expired(p: &LiveProfile, now: i64) -> bool {
        let (expires, ttl) = {
            let rt = p.rt();
            (rt.state.expires_at, rt.state.inactivity_ttl_s)
        };
        let idle_ms = now.saturating_sub(p.last_active.load(Ordering::Relaxed));
        expires.is_some_and(|e| e <= now) || pace::idle_past(idle_ms, ttl)
    }
}
