//! `PATCH /v1/profiles/{id}`: what may change on a profile once created,
//! checked before anything is written.

use serde_json::Value;

use super::error::StateConflict;
use super::records::LiveRecord;
use super::spec::{self, SpecError, UpdateProfile};
use super::{alive, pace, LiveError, LiveManager, LiveProfile, ProfileView};

impl LiveManager {
    /// Change what may change on a profile.
    pub fn update(&self, p: &LiveProfile, patch: UpdateProfile) -> Result<ProfileView, LiveError> {
        for (field, given) in [
            ("platforms", patch.platforms.is_some()),
            ("niche", patch.niche.is_some()),
            ("timezone", patch.timezone.is_some()),
            ("seed", patch.seed.is_some()),
        ] {
            if given {
                return Err(StateConflict::Fixed { field }.into());
            }
        }
        let mut record: LiveRecord = self
            .store
            .profile(p.id)?
            .ok_or_else(|| LiveError::no_profile(p.id))?;
        if let Some(name) = &patch.name {
            spec::check_name(name)?;
        }
        let expires = match &patch.expires_at {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(t)) => Some(Some(pace::parse_instant_within("expires_at", t)?)),
            Some(other) => return Err(SpecError::ExpiresAt(other.clone()).into()),
        };
        if let Some(t) = patch.inactivity_ttl_s {
            pace::within("inactivity_ttl_s", t, pace::INACTIVITY_TTL_S)?;
        }
        let per_day = patch.limits.as_ref().and_then(|l| l.interactions_per_day);
        if let Some(n) = per_day {
            pace::within("limits.interactions_per_day", n, pace::INTERACTIONS_PER_DAY)?;
        }
        {
            // The simulation's lock before the runtime's, as everywhere: the
            // state is written through the simulation, the profile's one writer.
            let sim = p.sim();
            let mut rt = p.rt();
            alive(p, &rt)?;
            if let Some(name) = patch.name {
                record.name = name;
                self.store.put_profile(p.id, &record)?;
            }
            if let Some(e) = expires {
                rt.state.expires_at = e;
            }
            if let Some(t) = patch.inactivity_ttl_s {
                rt.state.inactivity_ttl_s = t;
            }
            if let Some(n) = per_day {
                rt.state.interactions_per_day = n;
                let mut day = p.shared.day.lock().unwrap_or_else(|e| e.into_inner());
                day.2 = n;
                day.3 = day.1 >= n;
            }
            p.write_state(&sim, &rt.state)?;
        }
        self.store.commit()?;
        self.view(p)
    }
}
