//! The profiles' injected faults ([`crate::fault`]): signals on platform
//! `diorama` start them, actions are refused during an outage, requests to
//! the platforms' own APIs draw their fate, and each fault's start, end and
//! first injected errors are stored as notices of the host.

use diorama_sdk::{Event, Millis, Notice, Payload};

use crate::event::HOST_PLATFORM;
use crate::fault::{Fate, Faults, Note, Unavailable};

use super::{Command, EngineError, Simulation};

impl Simulation {
    /// Apply a signal of platform `diorama` to a profile, now.
    pub(super) fn fault_signal(
        &mut self,
        profile: usize,
        name: &str,
        params: &serde_json::Value,
    ) -> Result<(), EngineError> {
        let now = self.now;
        let p = self.profile_mut(profile)?;
        let platforms: Vec<&str> = p.instances.iter().map(|i| i.platform.as_str()).collect();
        let note = p
            .faults
            .signal(now, name, params, &platforms)
            .map_err(|e| EngineError::Invalid(e.to_string()))?;
        self.host_note(profile, note);
        Ok(())
    }

    /// The outage refusing the profile's actions on `platform` now, if any.
    pub(super) fn outage(&self, profile: usize, platform: &str) -> Option<Unavailable> {
        let p = self.profiles.get(profile)?;
        p.faults.outage(platform, self.now)
    }

    /// The fate of a request to `platform`'s own API for this profile, now
    /// (`what` names it in a notice). An injected error still noted is
    /// stored as a notice, and recorded as a command so a replay after a
    /// crash stores it again.
    pub fn fault_request(&mut self, profile: usize, platform: &str, what: &str) -> Fate {
        let now = self.now;
        let Some(p) = self.profiles.get_mut(profile) else {
            return Fate::default();
        };
        let mut fate = p.faults.request(platform, now, what);
        if let Some(note) = fate.note.take() {
            if let Some(log) = &mut self.commands {
                log.push((
                    profile,
                    now,
                    Command::Notice {
                        code: note.code.to_string(),
                        message: note.message.clone(),
                    },
                ));
            }
            self.host_note(profile, note.clone());
            fate.note = Some(note);
        }
        fate
    }

    /// The end of the webhook outage covering `platform`'s events at `at`.
    pub fn webhooks_paused(&self, profile: usize, platform: &str, at: Millis) -> Option<Millis> {
        let p = self.profiles.get(profile)?;
        p.faults.webhooks_paused(platform, at)
    }

    /// The profile's faults (to show or keep).
    pub fn faults(&self, profile: usize) -> Option<&Faults> {
        self.profiles.get(profile).map(|p| &p.faults)
    }

    /// The notices of faults ending in [now, to), per profile, in time
    /// order: (profile, event).
    pub(super) fn faults_ending(&mut self, to: Millis) -> Vec<(u32, Event)> {
        let mut out = Vec::new();
        for (pi, p) in self.profiles.iter_mut().enumerate() {
            for note in p.faults.ended_before(to) {
                out.push((pi as u32, note_event(note)));
            }
        }
        out.sort_by_key(|(pi, e)| (e.at, *pi));
        out
    }

    /// The profile's faults as a snapshot of platform `diorama`, once any
    /// was sent.
    pub(super) fn faults_snapshot(&self, profile: usize) -> Option<(String, Vec<u8>)> {
        let f = &self.profiles.get(profile)?.faults;
        f.ever_sent().then(|| {
            (
                HOST_PLATFORM.to_string(),
                serde_json::to_vec(f).unwrap_or_default(),
            )
        })
    }

    /// Restore the profile's faults from their snapshot.
    pub(super) fn restore_faults(
        &mut self,
        profile: usize,
        bytes: &[u8],
    ) -> Result<(), EngineError> {
        let faults: Faults = serde_json::from_slice(bytes)
            .map_err(|e| EngineError::Invalid(format!("the stored faults cannot be read: {e}")))?;
        self.profile_mut(profile)?.faults = faults;
        Ok(())
    }

    fn host_note(&mut self, profile: usize, note: Note) {
        let event = note_event(note);
        if profile < self.profiles.len() {
            self.accept_one(profile as u32, HOST_PLATFORM.to_string(), event);
        }
    }

    fn profile_mut(
        &mut self,
        profile: usize,
    ) -> Result<&mut super::profiles::Profile, EngineError> {
        self.profiles
            .get_mut(profile)
            .ok_or_else(|| EngineError::Invalid(format!("no profile number {profile}")))
    }
}

fn note_event(note: Note) -> Event {
    Event {
        at: note.at,
        payload: Payload::Notice(Notice {
            code: note.code.to_string(),
            message: note.message,
        }),
    }
}
