//! The API's view of profiles: lookups by id, the list, the counts, and a
//! profile as the API shows it.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use diorama_sdk::{Millis, DAY};
use serde::Serialize;
use serde_json::{json, Value};

use crate::event::{time, OwnerId};

use super::profile::wall_ms;
use super::records::LiveRecord;
use super::{LiveError, LiveManager, LiveProfile, ProfileStatus};

/// A profile as the API shows it.
#[derive(Clone, Debug, Serialize)]
pub struct ProfileView {
    pub id: String,
    pub name: String,
    pub niche: String,
    pub timezone: String,
    pub platforms: BTreeMap<String, Value>,
    pub seed: u64,
    pub status: ProfileStatus,
    pub speed: f64,
    /// Virtual time now, unix ms and RFC 3339.
    pub now: Millis,
    pub time: String,
    pub created_at: String,
    pub last_active: String,
    pub expires_at: Option<String>,
    pub inactivity_ttl_s: u64,
    pub limits: Value,
    /// Each platform account's health: `ok`, `shadowbanned`, `restricted`,
    /// `action_blocked`, `token_expired` or `suspended` (the state its
    /// plugin last announced with a `health_<state>` notice).
    pub health: BTreeMap<String, String>,
    pub events: u64,
    pub interactions_today: u64,
    /// Days of past the profile opened with.
    pub history_days: u64,
    /// Actions scheduled and not yet gone out.
    pub scheduled: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl LiveManager {
    /// The profile with this id, or a 404 that names only the id asked for.
    /// A profile past its end is gone already, before the sweeper deletes it.
    pub fn get(&self, id: &str) -> Result<Arc<LiveProfile>, LiveError> {
        let n: Option<OwnerId> = id.parse().ok();
        n.and_then(|n| {
            self.profiles
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .get(&n)
                .cloned()
        })
        .filter(|p| !Self::expired(p, wall_ms()))
        .ok_or_else(|| LiveError::no_profile(id))
    }

    /// Every profile, by id.
    pub(super) fn all(&self) -> Vec<Arc<LiveProfile>> {
        self.profiles
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }

    pub fn list(&self) -> Result<Vec<ProfileView>, LiveError> {
        let now = wall_ms();
        self.all()
            .iter()
            .filter(|p| !Self::expired(p, now))
            .map(|p| self.view(p))
            .collect()
    }

    pub fn count(&self) -> (u64, u64) {
        let map = self.profiles.read().unwrap_or_else(|e| e.into_inner());
        let live = map
            .values()
            .filter(|p| p.rt().state.status == ProfileStatus::Running)
            .count();
        (map.len() as u64, live as u64)
    }

    pub fn view(&self, p: &LiveProfile) -> Result<ProfileView, LiveError> {
        let record: LiveRecord = self
            .store
            .profile(p.id)?
            .ok_or_else(|| LiveError::no_profile(p.id))?;
        let spec = record.spec();
        let seed = record.extra.seed;
        let (now, scheduled) = {
            let sim = p.sim();
            (p.clock(&sim), sim.scheduled(0).len() as u64)
        };
        let rt = p.rt();
        let st = &rt.state;
        let day = *p.shared.day.lock().unwrap_or_else(|e| e.into_inner());
        let health = {
            let known = p.shared.health.lock().unwrap_or_else(|e| e.into_inner());
            spec.platforms
                .keys()
                .map(|platform| {
                    let state = known.get(platform).map_or("ok", String::as_str);
                    (platform.clone(), state.to_string())
                })
                .collect()
        };
        let created = record.created_at;
        Ok(ProfileView {
            id: p.id.to_string(),
            name: spec.name,
            niche: spec.niche,
            timezone: spec.timezone,
            platforms: spec.platforms,
            seed,
            status: st.status,
            speed: st.speed,
            now,
            time: time::format_instant(now),
            created_at: time::format_instant(created),
            last_active: time::format_instant(p.last_active.load(Ordering::Relaxed)),
            expires_at: st.expires_at.map(time::format_instant),
            inactivity_ttl_s: st.inactivity_ttl_s,
            limits: json!({ "interactions_per_day": st.interactions_per_day }),
            health,
            events: self.store.last_seq(p.id)?.unwrap_or(0),
            interactions_today: if day.0 == now.div_euclid(DAY) {
                day.1
            } else {
                0
            },
            history_days: record.extra.history_days,
            scheduled,
            reason: st.reason.clone(),
        })
    }
}
