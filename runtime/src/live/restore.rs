//! Restoring the stored profiles when the server opens: from their
//! snapshots, replayed through the journal after a crash.

use std::sync::Arc;

use crate::event::OwnerId;

use super::records::{LiveFields, LiveRecord};
use super::LIVE_STATE;
use super::{pace, LiveError, LiveManager, ProfileStatus, State};

impl LiveManager {
    /// Restores every stored live profile; one that cannot be restored is
    /// left as stored and logged.
    pub(super) fn restore_all(self: &Arc<Self>) -> Result<(), LiveError> {
        for owner in self.store.record_owners(LIVE_STATE)? {
            // One profile that cannot be restored (even by a bug that
            // panics) must not keep the server from serving the others.
            let restored =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.restore(owner)));
            match restored {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::error!(profile = owner, error = %e, "cannot restore a live profile; it is left as stored");
                }
                Err(_) => {
                    tracing::error!(
                        profile = owner,
                        "restoring a live profile failed unexpectedly; it is left as stored"
                    );
                }
            }
        }
        Ok(())
    }

    fn restore(self: &Arc<Self>, id: OwnerId) -> Result<(), LiveError> {
        let record: LiveRecord = self
            .store
            .profile(id)?
            .ok_or_else(|| LiveError::Internal(format!("live profile {id} has no record")))?;
        let bytes = self
            .store
            .record(LIVE_STATE, id, b"state")?
            .ok_or_else(|| LiveError::Internal(format!("live profile {id} has no state")))?;
        let mut state: State = serde_json::from_slice(&bytes)
            .map_err(|e| LiveError::Internal(format!("live profile {id}: corrupt state: {e}")))?;
        // Out-of-range values (an older build's or a damaged record) would
        // break the clock arithmetic: that profile is degraded, the others run.
        let out_of_range = pace::stored_state_problem(&state, self.config.max_speed);
        if let Some(reason) = &out_of_range {
            tracing::error!(profile = id, %reason, "live profile restored degraded");
            pace::make_safe(&mut state, self.config.max_speed);
            state.status = ProfileStatus::Degraded;
            state.reason = Some(reason.clone());
        }
        self.remember_token(&record.extra.token_sha256, id);
        let LiveFields {
            seed,
            start,
            history_days,
            ..
        } = record.extra;
        // Its plugins stay in the store's snapshots until needed: an idle
        // profile costs no plugin memory, and a running one is restored by
        // its first step (or by the replay).
        let history =
            history_days.min(pace::HISTORY_DAYS.1) as diorama_sdk::Millis * diorama_sdk::DAY;
        let opened = super::lifecycle::Opened { start, history };
        let p = self.build(id, record.spec(), seed, opened, state.clone(), true)?;
        if out_of_range.is_some() {
            p.write_state(&p.sim(), &state)?;
        }
        {
            let mut sim = p.sim();
            sim.set_now(state.now);
            let stored = self.store.last_seq(id)?.unwrap_or(0);
            sim.set_numbering(0, state.next_seq, stored);
            sim.hold_again(0, state.held.clone());
        }
        let stored = self.store.last_seq(id)?.unwrap_or(0);
        let degraded = state.status == ProfileStatus::Degraded;
        if let Err(e) = if degraded { Ok(()) } else { p.replay(stored) } {
            let mut sim = p.sim();
            let mut rt = p.rt();
            p.degrade(&mut sim, &mut rt, &e);
        }
        {
            // A replay restored the plugins and persisted what it made: an
            // idle profile lets them go again.
            let mut sim = p.sim();
            if p.rt().state.status != ProfileStatus::Running {
                sim.suspend(0);
            }
        }
        self.profiles
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, p.clone());
        let running = p.rt().state.status == ProfileStatus::Running;
        if running {
            self.run(&p, None)?;
        }
        Ok(())
    }
}
