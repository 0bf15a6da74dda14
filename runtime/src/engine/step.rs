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

    /// Step every instance over [now, to) and merge their events. With
    /// [`Simulation::skip_idle`], an instance that said it has nothing due
    /// before `to` is not called (nor restored if suspended): its next step
    /// covers the time it left idle in one call.
    ///
    /// A scheduled action due in the window splits it: the instances are
    /// stepped up to its time, it is applied, and the rest of the window
    /// follows (one due at `to` goes out at the start of the next window).
    pub fn step_window(&mut self, to: Millis) -> Result<(), EngineError> {
        loop {
            self.run_scheduled()?;
            match self.next_scheduled_at() {
                Some(at) if at < to && at > self.now => self.step_span(at)?,
                _ => break,
            }
        }
        self.step_span(to)
    }

    /// Step every instance over [now, to) and merge their events.
    fn step_span(&mut self, to: Millis) -> Result<(), EngineError> {
        let from = self.now;
        // (profile index, instance index, event), collected in (profile,
        // platform) order. The buffer is reused from window to window.
        let mut batch = std::mem::take(&mut self.batch);
        batch.clear();
        for pi in 0..self.profiles.len() {
            for ii in 0..self.profiles[pi].instances.len() {
                if self.skip_idle {
                    let due = self.profiles[pi].instances[ii].next_due;
                    if due.is_none_or(|d| d >= to) {
                        continue;
                    }
                }
                if let Err(e) = self.step_instance(pi, ii, from, to, &mut batch) {
                    self.batch = batch;
                    return Err(e);
                }
            }
        }
        // A stable sort by time keeps (profile, platform, plugin order) among
        // equal times: the merge order is fully determined.
        batch.sort_by_key(|(_, _, e)| e.at);
        // Faults ending in the window are noticed at their end, before the
        // plugins' events of the same time.
        let mut ending = self.faults_ending(to).into_iter().peekable();
        self.now = to;
        for (pi, ii, event) in batch.drain(..) {
            while let Some((fp, notice)) = ending.next_if(|(_, n)| n.at <= event.at) {
                self.accept_one(fp, HOST_PLATFORM.to_string(), notice);
            }
            let platform = self.profiles[pi as usize].instances[ii as usize]
                .platform
                .clone();
            self.accept_one(pi, platform, event);
        }
        for (fp, notice) in ending {
            self.accept_one(fp, HOST_PLATFORM.to_string(), notice);
        }
        self.batch = batch;
        self.send_if_full()
    }

    /// Step instance `ii` of profile `pi` from where it was left to `to`,
    /// restoring it first if it was suspended; its events (which must lie
    /// in the window [`from`, `to`)) are added to `batch`.
    pub(super) fn step_instance(
        &mut self,
        pi: usize,
        ii: usize,
        from: Millis,
        to: Millis,
        batch: &mut Vec<(u32, u32, Event)>,
    ) -> Result<(), EngineError> {
        let i = self.restored(pi, ii)?;
        let since = i.stepped_to.min(from);
        let Some(plugin) = i.plugin.as_mut() else {
            return Err(EngineError::Invalid(
                "a suspended instance was not restored".into(),
            ));
        };
        let out = plugin.step(since, to)?;
        i.stepped_to = to;
        i.next_due = out.next_due;
        if let Some(bad) = out.events.iter().find(|e| e.at < from || e.at >= to) {
            let p = &self.profiles[pi];
            let reason = if bad.at >= since && bad.at < from {
                format!(
                    "returned an event at {} in time it said had nothing due (it was left unstepped from {} to {})",
                    time::format_instant(bad.at),
                    time::format_instant(since),
                    time::format_instant(from)
                )
            } else {
                format!(
                    "returned an event at {} outside the window [{}, {})",
                    time::format_instant(bad.at),
                    time::format_instant(since),
                    time::format_instant(to)
                )
            };
            return Err(EngineError::Contract {
                profile: p.spec.name.clone(),
                platform: p.instances[ii].platform.clone(),
                reason,
            });
        }
        batch.extend(out.events.into_iter().map(|e| (pi as u32, ii as u32, e)));
        Ok(())
    }

    /// Leave an instance unstepped through time it says has nothing due
    /// (its `next_due`), and step that time in one call when something is:
    /// for live profiles. Batch runs step every instance over every window.
    pub fn skip_idle(&mut self) {
        self.skip_idle = true;
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

    pub(super) fn send_pending(&mut self) -> Result<(), EngineError> {
        if self.pending_order.is_empty() {
            return Ok(());
        }
        let Some(horizon) = self.horizon else {
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
            return self.writer.send(by_profile, order);
        };
        // Each profile's events are numbered in time order: what is due is
        // a prefix of its list, and the rest stays held, in order.
        let due: Vec<usize> = self
            .pending
            .iter()
            .map(|list| {
                list.iter()
                    .position(|e| e.event.at > horizon)
                    .unwrap_or(list.len())
            })
            .collect();
        if due.iter().all(|&n| n == 0) {
            return Ok(());
        }
        let by_profile: Vec<(OwnerId, Vec<StoredEvent>)> = self
            .profiles
            .iter()
            .zip(self.pending.iter_mut())
            .zip(due.iter())
            .map(|((p, list), &n)| (p.id, list.drain(..n).collect()))
            .collect();
        let (send, keep): (Vec<_>, Vec<_>) = self
            .pending_order
            .iter()
            .copied()
            .partition(|&(p, i)| (i as usize) < due[p as usize]);
        self.pending_order = keep
            .into_iter()
            .map(|(p, i)| (p, i - due[p as usize] as u32))
            .collect();
        self.writer.send(by_profile, send)
    }

    /// Hold the events numbered after virtual time `horizon`: they are
    /// numbered as they are made, but stored and given to the listeners
    /// only once a later horizon passes them (`None`: store everything, the
    /// default). A live profile steps ahead of the wall clock and releases
    /// each event at its time.
    pub fn hold_after(&mut self, horizon: Option<Millis>) {
        self.horizon = horizon;
    }

    /// The horizon set by [`Simulation::hold_after`].
    pub fn horizon(&self) -> Option<Millis> {
        self.horizon
    }

    /// The time of the earliest event held back by [`Simulation::hold_after`].
    pub fn next_held(&self) -> Option<Millis> {
        self.pending
            .iter()
            .filter_map(|list| list.first().map(|e| e.event.at))
            .min()
    }

    /// The events of `profile` not stored yet, in order.
    pub fn held(&self, profile: usize) -> &[StoredEvent] {
        self.pending.get(profile).map_or(&[], |l| l.as_slice())
    }

    /// Queue events made before a restart and held then (numbered, never
    /// stored): those numbered after what the store holds are queued again.
    pub fn hold_again(&mut self, profile: usize, events: Vec<StoredEvent>) {
        let Some(p) = self.profiles.get(profile) else {
            return;
        };
        let stored = p.stored_through;
        for e in events.into_iter().filter(|e| e.seq > stored) {
            let list = &mut self.pending[profile];
            self.pending_order.push((profile as u32, list.len() as u32));
            list.push(e);
        }
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
        for pi in 0..self.profiles.len() {
            for ii in 0..self.profiles[pi].instances.len() {
                let bytes = self.plugin(pi, ii)?.snapshot()?;
                let p = &self.profiles[pi];
                self.store
                    .put_snapshot(p.id, &p.instances[ii].platform, &bytes)?;
            }
        }
        self.writer.finish()?;
        self.store.flush()?;
        Ok(())
    }
}
