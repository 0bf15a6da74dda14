//! Stepping: every instance over the same window, their events merged in
//! a deterministic order, numbered per profile and handed to the writer.

use diorama_sdk::{Event, Millis};

use crate::event::{count_event, time, OwnerId, StoredEvent, HOST_PLATFORM};

use super::{EngineError, Simulation, CHUNK};

impl Simulation {
    /// A notice from the host itself (platform [`HOST_PLATFORM`]), now.
    pub fn host_notice(&mut self, profile: usize, code: &str, message: &str) {
        if profile >= self.profiles.len() {
            return;
        }
        let event = Event {
            at: self.now,
            payload: diorama_sdk::Payload::Notice(diorama_sdk::Notice {
                code: code.to_string(),
                message: message.to_string(),
            }),
        };
        self.accept_one(profile as u32, HOST_PLATFORM.to_string(), event);
    }

    /// Advance virtual time by `duration`, window by window. `progress` is
    /// called after each window with the new time and the events so far.
    pub fn advance(
        &mut self,
        duration: Millis,
        mut progress: impl FnMut(Millis, u64),
    ) -> Result<(), EngineError> {
        if duration < 0 {
            return Err(EngineError::Invalid(format!(
                "cannot advance by a negative duration ({duration} ms)"
            )));
        }
        // Checked: a wrapped sum or difference would skip the span limit.
        let end = self.now.checked_add(duration);
        let within = end
            .and_then(|end| end.checked_sub(self.settings.start))
            .is_some_and(|span| span <= time::MAX_RUN_SPAN);
        let Some(end) = end.filter(|_| within) else {
            return Err(EngineError::Invalid(format!(
                "advancing by {} would take the run past its limit of {} of virtual time",
                time::format_duration(duration),
                time::format_duration(time::MAX_RUN_SPAN)
            )));
        };
        while self.now < end {
            // Windows stay aligned to the run's start, whatever the durations.
            let offset = (self.now - self.settings.start).rem_euclid(self.settings.window);
            let to = (self.now - offset + self.settings.window).min(end);
            self.step_window(to)?;
            progress(self.now, self.total_events);
        }
        Ok(())
    }

    /// Step every instance over [now, to) and merge their events.
    pub fn step_window(&mut self, to: Millis) -> Result<(), EngineError> {
        let from = self.now;
        // (profile index, instance index, event), collected in (profile,
        // platform) order. The buffer is reused from window to window.
        let mut batch = std::mem::take(&mut self.batch);
        batch.clear();
        for (pi, profile) in self.profiles.iter_mut().enumerate() {
            for (ii, instance) in profile.instances.iter_mut().enumerate() {
                let events = instance.plugin.step(from, to)?.events;
                if let Some(bad) = events.iter().find(|e| e.at < from || e.at >= to) {
                    return Err(EngineError::Contract {
                        profile: profile.spec.name.clone(),
                        platform: instance.platform.clone(),
                        reason: format!(
                            "returned an event at {} outside the window [{}, {})",
                            time::format_instant(bad.at),
                            time::format_instant(from),
                            time::format_instant(to)
                        ),
                    });
                }
                batch.extend(events.into_iter().map(|e| (pi as u32, ii as u32, e)));
            }
        }
        // A stable sort by time keeps (profile, platform, plugin order) among
        // equal times: the merge order is fully determined.
        batch.sort_by_key(|(_, _, e)| e.at);
        self.now = to;
        for (pi, ii, event) in batch.drain(..) {
            let platform = self.profiles[pi as usize].instances[ii as usize]
                .platform
                .clone();
            self.accept_one(pi, platform, event);
        }
        self.batch = batch;
        self.send_if_full()
    }

    /// Number an event, count it and queue it for the writer.
    pub(super) fn accept_one(&mut self, pi: u32, platform: String, event: Event) {
        let profile = &mut self.profiles[pi as usize];
        let seq = profile.next_seq;
        profile.next_seq += 1;
        if seq <= profile.stored_through {
            // The last regenerated event must be the one stored: a replay
            // that diverged (a plugin changed under a stored profile) is
            // reported rather than silently mixed in.
            if seq == profile.stored_through {
                let same = matches!(
                    self.store.event(profile.id, seq),
                    Ok(Some(stored)) if stored.event == event && stored.platform == platform
                );
                if !same {
                    self.replay_diverged = true;
                }
            }
            return;
        }
        count_event(&mut self.tally, &platform, &event);
        self.total_events += 1;
        let list = &mut self.pending[pi as usize];
        self.pending_order.push((pi, list.len() as u32));
        list.push(StoredEvent {
            seq,
            profile: profile.id,
            platform,
            event,
        });
    }

    pub(super) fn send_if_full(&mut self) -> Result<(), EngineError> {
        if self.pending_order.len() >= CHUNK {
            self.send_pending()?;
        }
        Ok(())
    }

    fn send_pending(&mut self) -> Result<(), EngineError> {
        if self.pending_order.is_empty() {
            return Ok(());
        }
        let by_profile: Vec<(OwnerId, Vec<StoredEvent>)> = self
            .profiles
            .iter()
            .zip(self.pending.iter_mut())
            .map(|(p, list)| {
                let capacity = list.len();
                (p.id, std::mem::replace(list, Vec::with_capacity(capacity)))
            })
            .collect();
        let order = std::mem::replace(&mut self.pending_order, Vec::with_capacity(CHUNK));
        self.writer.send(by_profile, order)
    }

    /// Wait until every event so far is stored and seen by the listeners.
    pub fn sync(&mut self) -> Result<(), EngineError> {
        self.send_pending()?;
        self.writer.sync()
    }

    /// Store a snapshot of every instance, wait for the writer, flush the
    /// store and the listeners.
    pub fn finish(&mut self) -> Result<(), EngineError> {
        self.sync()?;
        for p in self.profiles.iter_mut() {
            for i in p.instances.iter_mut() {
                let bytes = i.plugin.snapshot()?;
                self.store.put_snapshot(p.id, &i.platform, &bytes)?;
            }
        }
        self.writer.finish()?;
        self.store.flush()?;
        Ok(())
    }
}
