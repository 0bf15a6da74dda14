//! A profile's past: a profile that opens with history is created as if
//! its accounts had opened that long ago and is stepped alone through that
//! time before it joins the others, by the same plugins over the same
//! seeds, so its earlier posts, metrics, comments and DMs are the ones a
//! simulation would have made then, stored with their own times.

use diorama_sdk::kit::signals::PAST;
use diorama_sdk::{Millis, HOUR};

use super::{EngineError, Simulation};
use crate::plugin::ErrorKind;

/// The window a profile's past is stepped in: an hour, as plugins make the
/// same kind of events whatever the window, and a longer one calls them
/// sixty times less often than the live minute.
pub const HISTORY_WINDOW: Millis = HOUR;

impl Simulation {
    /// Step profile `profile` alone from the time its accounts opened up to
    /// now ([`Simulation::add_profile_opened`]), hour by hour; its events
    /// are numbered, merged and handed to the writer like any others.
    /// Returns how many events its past holds.
    pub fn step_history(&mut self, profile: usize) -> Result<u64, EngineError> {
        let p = self
            .profiles
            .get(profile)
            .ok_or_else(|| EngineError::Invalid(format!("no profile number {profile}")))?;
        let mut from = p.created_at;
        let end = self.now;
        let before = self.total_events;
        // A coarser past: each account is told where its past ends and
        // steps it in hour sub-steps (`diorama_sdk::kit::signals::PAST`),
        // not the minutes of its present. A plugin that does not know the
        // signal refuses it and steps its past at its own pace.
        let until = format!("{{\"until\":{end}}}");
        for ii in 0..self.profiles[profile].instances.len() {
            // Not `Simulation::plugin`: that would step it up to now.
            let i = self.restored(profile, ii)?;
            let Some(plugin) = i.plugin.as_mut() else {
                return Err(EngineError::Invalid(
                    "a suspended instance was not restored".into(),
                ));
            };
            match plugin.signal(from, PAST, &until) {
                Ok(()) => {}
                Err(e) if e.kind == ErrorKind::Rejected => {}
                Err(e) => return Err(e.into()),
            }
        }
        let mut batch = std::mem::take(&mut self.batch);
        while from < end {
            let to = from.saturating_add(HISTORY_WINDOW).min(end);
            batch.clear();
            for ii in 0..self.profiles[profile].instances.len() {
                if let Err(e) = self.step_instance(profile, ii, from, to, &mut batch) {
                    self.batch = batch;
                    return Err(e);
                }
            }
            // The same merge as every window: by time, then platform.
            batch.sort_by_key(|(_, _, e)| e.at);
            for (pi, ii, event) in batch.drain(..) {
                let platform = self.profiles[pi as usize].instances[ii as usize]
                    .platform
                    .clone();
                self.accept_one(pi, platform, event);
            }
            if let Err(e) = self.send_if_full() {
                self.batch = batch;
                return Err(e);
            }
            from = to;
        }
        self.batch = batch;
        Ok(self.total_events - before)
    }
}
