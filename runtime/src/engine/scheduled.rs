//! Scheduled actions: an action (a `publish`, or any other) given a future
//! virtual time is held by the profile's simulation and applied at that
//! time, the window being split there so a run's output does not depend on
//! when it was scheduled. A refusal that can pass (a platform's rate
//! limit) is retried on [`RETRY_BACKOFF`], as a platform's own scheduler
//! would; another refusal fails it. Every step is a notice on the host's
//! platform (`diorama`): scheduled, changed, cancelled, published, failed
//! (with its retry), given up.

use diorama_sdk::{Action, ActionError, Millis, HOUR, MINUTE};
use serde::{Deserialize, Serialize};

use crate::event::time::format_instant;

use super::{Command, EngineError, Simulation};

/// The wait before each retry of a refused scheduled action: 1 min, 5 min,
/// 15 min, 1 h, 4 h; refused once more, it is given up. A refusal that
/// asks for a longer wait (a rate limit's retry-after) gets that wait.
pub const RETRY_BACKOFF: [Millis; 5] = [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 4 * HOUR];

/// The most scheduled actions one profile holds.
pub const MAX_SCHEDULED: usize = 500;

/// An action held until its time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledAction {
    /// Unique within the profile, from 1, never reused.
    pub id: u64,
    pub platform: String,
    pub kind: String,
    /// The action's parameters, a JSON object's text.
    pub params: String,
    /// When it goes out: its scheduled time, or its next retry.
    pub at: Millis,
    /// The time it was scheduled for (or last changed to).
    pub scheduled_for: Millis,
    /// Refusals so far.
    #[serde(default)]
    pub attempts: u32,
}

/// Why a schedule, change or cancellation is refused (nothing changes).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ScheduleError {
    #[error("`at` ({at}) is before the profile's time ({now}): a scheduled action goes out in the future")]
    InThePast { at: String, now: String },
    #[error(
        "the profile already holds {max} scheduled actions (the most it may); cancel one first"
    )]
    Full { max: usize },
    #[error("no scheduled action {0} (it went out, was cancelled or never existed)")]
    NotFound(u64),
    #[error("`{kind}` is not an action of {platform} (its actions: {})", actions.join(", "))]
    UnknownAction {
        platform: String,
        kind: String,
        actions: Vec<String>,
    },
    #[error("`params` must be a JSON object, not {0}")]
    Params(String),
}

/// What a change sets; `None` keeps the field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScheduleChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<String>,
}

/// Whether a refusal can pass by itself, so a retry may succeed.
fn passes(e: &ActionError) -> Option<Millis> {
    match e {
        ActionError::RateLimited(after) => Some((*after).max(0)),
        ActionError::Invalid(_) | ActionError::NotFound(_) => None,
    }
}

fn reason(e: &ActionError) -> String {
    match e {
        ActionError::Invalid(m) => format!("invalid: {m}"),
        ActionError::NotFound(m) => format!("not found: {m}"),
        ActionError::RateLimited(after) => format!(
            "rate limited (retry after {})",
            crate::event::time::format_duration(*after)
        ),
    }
}

impl Simulation {
    /// The profile's scheduled actions, by time then id.
    pub fn scheduled(&self, profile: usize) -> &[ScheduledAction] {
        self.profiles.get(profile).map_or(&[], |p| &p.scheduled)
    }

    /// The id the profile's next scheduled action gets.
    pub fn next_scheduled_id(&self, profile: usize) -> u64 {
        self.profiles.get(profile).map_or(1, |p| p.next_scheduled)
    }

    /// Put back what a restart kept: the scheduled actions and the next id.
    pub fn restore_scheduled(
        &mut self,
        profile: usize,
        mut list: Vec<ScheduledAction>,
        next_id: u64,
    ) {
        if let Some(p) = self.profiles.get_mut(profile) {
            list.sort_by_key(|s| (s.at, s.id));
            p.scheduled = list;
            p.next_scheduled = next_id.max(1);
        }
    }

    /// Hold `action` for the profile's `platform` until `at`; it goes out
    /// when the simulation reaches that time. The plugin's refusal, by
    /// these rules, is the inner error.
    pub fn schedule(
        &mut self,
        profile: usize,
        platform: &str,
        action: &Action,
        at: Millis,
    ) -> Result<Result<ScheduledAction, ScheduleError>, EngineError> {
        self.instance_index(profile, platform)?;
        if let Err(e) = self.check_scheduled(platform, &action.kind, &action.params, at) {
            return Ok(Err(e));
        }
        let p = &mut self.profiles[profile];
        if p.scheduled.len() >= MAX_SCHEDULED {
            return Ok(Err(ScheduleError::Full { max: MAX_SCHEDULED }));
        }
        let item = ScheduledAction {
            id: p.next_scheduled,
            platform: platform.to_string(),
            kind: action.kind.clone(),
            params: action.params.clone(),
            at,
            scheduled_for: at,
            attempts: 0,
        };
        p.next_scheduled += 1;
        self.insert_scheduled(profile, item.clone());
        self.record(profile, Command::Schedule { item: item.clone() });
        self.host_notice(
            profile,
            "scheduled",
            &format!(
                "scheduled action {} ({} on {}) will go out at {}",
                item.id,
                item.kind,
                item.platform,
                format_instant(at)
            ),
        );
        self.release_now()?;
        Ok(Ok(item))
    }

    /// Change a scheduled action's time or parameters; it keeps its id and
    /// starts its retries afresh.
    pub fn reschedule(
        &mut self,
        profile: usize,
        id: u64,
        change: &ScheduleChange,
    ) -> Result<Result<ScheduledAction, ScheduleError>, EngineError> {
        let Some(mut item) = self.find_scheduled(profile, id)? else {
            return Ok(Err(ScheduleError::NotFound(id)));
        };
        let at = change.at.unwrap_or(item.scheduled_for);
        let params = change.params.clone().unwrap_or(item.params.clone());
        if let Err(e) = self.check_scheduled(&item.platform, &item.kind, &params, at) {
            return Ok(Err(e));
        }
        self.remove_scheduled(profile, id);
        item.at = at;
        item.scheduled_for = at;
        item.params = params;
        item.attempts = 0;
        self.insert_scheduled(profile, item.clone());
        self.record(
            profile,
            Command::Reschedule {
                id,
                change: change.clone(),
            },
        );
        self.host_notice(
            profile,
            "scheduled_changed",
            &format!(
                "scheduled action {id} ({} on {}) changed: it will go out at {}",
                item.kind,
                item.platform,
                format_instant(at)
            ),
        );
        self.release_now()?;
        Ok(Ok(item))
    }

    /// Cancel a scheduled action.
    pub fn cancel_scheduled(
        &mut self,
        profile: usize,
        id: u64,
    ) -> Result<Result<ScheduledAction, ScheduleError>, EngineError> {
        let Some(item) = self.find_scheduled(profile, id)? else {
            return Ok(Err(ScheduleError::NotFound(id)));
        };
        self.remove_scheduled(profile, id);
        self.record(profile, Command::Unschedule { id });
        self.host_notice(
            profile,
            "scheduled_cancelled",
            &format!(
                "scheduled action {id} ({} on {}, due at {}) was cancelled",
                item.kind,
                item.platform,
                format_instant(item.at)
            ),
        );
        self.release_now()?;
        Ok(Ok(item))
    }

    /// The earliest time a scheduled action of any profile is due.
    pub(super) fn next_scheduled_at(&self) -> Option<Millis> {
        self.profiles
            .iter()
            .filter_map(|p| p.scheduled.first().map(|s| s.at))
            .min()
    }

    /// Apply every scheduled action due by now, profile by profile, in
    /// (time, id) order: at its time, as the creator's action; a refusal
    /// that can pass is retried later, any other fails it.
    pub(super) fn run_scheduled(&mut self) -> Result<(), EngineError> {
        let now = self.now;
        for pi in 0..self.profiles.len() {
            while self.profiles[pi]
                .scheduled
                .first()
                .is_some_and(|s| s.at <= now)
            {
                let mut item = self.profiles[pi].scheduled.remove(0);
                let action = Action {
                    kind: item.kind.clone(),
                    params: item.params.clone(),
                };
                let head = format!(
                    "scheduled action {} ({} on {})",
                    item.id, item.kind, item.platform
                );
                // The platform's API down: a refusal that passes when the
                // outage ends.
                let outage = self.outage(pi, &item.platform);
                let outcome = match &outage {
                    Some(o) => Err(ActionError::RateLimited(o.retry_after())),
                    None => self.act_unrecorded(pi, &item.platform, &action)?,
                };
                match outcome {
                    Ok(events) => {
                        let made = events
                            .iter()
                            .filter_map(|e| match &e.event.payload {
                                diorama_sdk::Payload::Content(c) => Some(c.id.clone()),
                                _ => None,
                            })
                            .collect::<Vec<_>>();
                        let what = if made.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", made.join(", "))
                        };
                        let tries = match item.attempts {
                            0 => String::new(),
                            1 => " after 1 refusal".to_string(),
                            n => format!(" after {n} refusals"),
                        };
                        self.host_notice(
                            pi,
                            "scheduled_published",
                            &format!("{head} went out{tries}{what}"),
                        );
                    }
                    Err(e) => {
                        let why = match &outage {
                            Some(o) => format!(
                                "unavailable: an outage of {} for {} more",
                                o.platform,
                                crate::event::time::format_duration(o.retry_after())
                            ),
                            None => reason(&e),
                        };
                        let wait = passes(&e).and_then(|after| {
                            RETRY_BACKOFF
                                .get(item.attempts as usize)
                                .map(|b| (*b).max(after))
                        });
                        item.attempts += 1;
                        match wait {
                            Some(wait) => {
                                item.at = now.saturating_add(wait);
                                self.host_notice(
                                    pi,
                                    "scheduled_failed",
                                    &format!(
                                        "{head} was refused ({why}); retry {} of {} at {}",
                                        item.attempts,
                                        RETRY_BACKOFF.len(),
                                        format_instant(item.at)
                                    ),
                                );
                                self.insert_scheduled(pi, item);
                            }
                            None if passes(&e).is_some() => self.host_notice(
                                pi,
                                "scheduled_given_up",
                                &format!(
                                    "{head} was refused ({why}) {} times and is given up",
                                    item.attempts
                                ),
                            ),
                            None => self.host_notice(
                                pi,
                                "scheduled_given_up",
                                &format!("{head} was refused ({why}) and cannot go out"),
                            ),
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn check_scheduled(
        &self,
        platform: &str,
        kind: &str,
        params: &str,
        at: Millis,
    ) -> Result<(), ScheduleError> {
        if at < self.now {
            return Err(ScheduleError::InThePast {
                at: format_instant(at),
                now: format_instant(self.now),
            });
        }
        if let Some(p) = self.host.get(platform) {
            if !p.info.actions.iter().any(|a| a == kind) {
                return Err(ScheduleError::UnknownAction {
                    platform: platform.to_string(),
                    kind: kind.to_string(),
                    actions: p.info.actions.clone(),
                });
            }
        }
        match serde_json::from_str::<serde_json::Value>(params) {
            Ok(serde_json::Value::Object(_)) => Ok(()),
            Ok(other) => Err(ScheduleError::Params(other.to_string())),
            Err(e) => Err(ScheduleError::Params(e.to_string())),
        }
    }

    fn find_scheduled(
        &self,
        profile: usize,
        id: u64,
    ) -> Result<Option<ScheduledAction>, EngineError> {
        let p = self
            .profiles
            .get(profile)
            .ok_or_else(|| EngineError::Invalid(format!("no profile number {profile}")))?;
        Ok(p.scheduled.iter().find(|s| s.id == id).cloned())
    }

    fn insert_scheduled(&mut self, profile: usize, item: ScheduledAction) {
        let list = &mut self.profiles[profile].scheduled;
        let at = list.partition_point(|s| (s.at, s.id) < (item.at, item.id));
        list.insert(at, item);
    }

    fn remove_scheduled(&mut self, profile: usize, id: u64) {
        self.profiles[profile].scheduled.retain(|s| s.id != id);
    }

    /// Apply a recorded schedule command again (a replay): the same ids.
    pub(super) fn replay_scheduled(
        &mut self,
        profile: usize,
        command: &Command,
    ) -> Result<(), EngineError> {
        let refused = |e: ScheduleError| EngineError::Invalid(format!("replaying: {e}"));
        match command {
            Command::Schedule { item } => {
                let p = self
                    .profiles
                    .get_mut(profile)
                    .ok_or_else(|| EngineError::Invalid(format!("no profile number {profile}")))?;
                p.next_scheduled = item.id;
                let action = Action {
                    kind: item.kind.clone(),
                    params: item.params.clone(),
                };
                self.schedule(profile, &item.platform, &action, item.at)?
                    .map_err(refused)?;
            }
            Command::Reschedule { id, change } => {
                self.reschedule(profile, *id, change)?.map_err(refused)?;
            }
            Command::Unschedule { id } => {
                self.cancel_scheduled(profile, *id)?.map_err(refused)?;
            }
            _ => {}
        }
        Ok(())
    }
}
