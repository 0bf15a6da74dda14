//! Restoring the stored profiles when the server opens: from their
//! snapshots, replayed through the journal after a crash.

use std::collections::BTreeMap;
use std::sync::Arc;

use diorama_sdk::Millis;
use serde_json::Value;

use crate::engine::ProfileSpec;
use crate::event::OwnerId;

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

    /// The engine's spec, the seed and the start of a stored profile record.
    pub(super) fn spec_of(record: &Value) -> Result<(ProfileSpec, u64, Millis), LiveError> {
        let s = |k: &str| record.get(k).and_then(Value::as_str).map(str::to_string);
        let platforms: BTreeMap<String, Value> = record
            .get("platforms")
            .and_then(|p| serde_json::from_value(p.clone()).ok())
            .unwrap_or_default();
        let spec = ProfileSpec {
            name: s("name").unwrap_or_default(),
            niche: s("niche").unwrap_or_default(),
            timezone: s("timezone").unwrap_or_else(|| "UTC".into()),
            platforms,
        };
        let seed = record.get("seed").and_then(Value::as_u64).unwrap_or(0);
        let start = record.get("start").and_then(Value::as_i64).unwrap_or(0);
        Ok((spec, seed, start))
    }

    fn restore(self: &Arc<Self>, id: OwnerId) -> Result<(), LiveError> {
        let record = self
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
        let (spec, seed, start) = Self::spec_of(&record)?;
        if let Some(h) = record.get("token_sha256").and_then(Value::as_str) {
            self.remember_token(h, id);
        }
        let p = self.build(id, spec, seed, start, state.clone())?;
        if out_of_range.is_some() {
            p.write_state(&state)?;
        }
        {
            let mut sim = p.sim();
            let mut snaps = BTreeMap::new();
            let platforms: Vec<String> = sim
                .profiles()
                .flat_map(|(_, s)| s.platforms.keys().cloned().collect::<Vec<_>>())
                .collect();
            for platform in platforms {
                if let Some(b) = self.store.snapshot(id, &platform)? {
                    snaps.insert(platform, b);
                }
            }
            if !snaps.is_empty() {
                sim.restore_profile(0, &snaps)?;
            }
            sim.set_now(state.now);
            let stored = self.store.last_seq(id)?.unwrap_or(0);
            sim.set_numbering(0, state.next_seq, stored);
        }
        let stored = self.store.last_seq(id)?.unwrap_or(0);
        let degraded = state.status == ProfileStatus::Degraded;
        if let Err(e) = if degraded { Ok(()) } else { p.replay(stored) } {
            let mut sim = p.sim();
            let mut rt = p.rt();
            p.degrade(&mut sim, &mut rt, &e);
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
