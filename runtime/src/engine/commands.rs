//! Commands: signals and creator actions, recorded when asked so a live
//! profile can be replayed after a crash.

use diorama_sdk::{
    Action, ActionError, Event, HttpRequest, HttpResponse, Millis, NativeOutcome, Verification,
    WebhookDelivery,
};

use crate::event::{StoredEvent, HOST_PLATFORM};
use crate::plugin::PluginInstance;

use super::scheduled::{ScheduleChange, ScheduledAction};
use super::{EngineError, Simulation};

/// A command applied to a profile, recorded (when asked) so a live profile
/// can be replayed after a crash: the same commands at the same virtual
/// times give the same events.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    Signal {
        platform: String,
        name: String,
        params: serde_json::Value,
    },
    Act {
        platform: String,
        kind: String,
        params: String,
    },
    /// An action held until its time ([`Simulation::schedule`]).
    Schedule {
        item: ScheduledAction,
    },
    Reschedule {
        id: u64,
        change: ScheduleChange,
    },
    Unschedule {
        id: u64,
    },
    /// A notice of the host that no step or signal makes again (an error
    /// injected into a request to a platform's own API).
    Notice {
        code: String,
        message: String,
    },
}

impl Simulation {
    /// Record every signal and action from now on (see [`Command`]).
    pub fn record_commands(&mut self) {
        self.commands.get_or_insert_with(Vec::new);
    }

    /// The commands recorded since the last call: (profile, at, command).
    pub fn take_commands(&mut self) -> Vec<(usize, Millis, Command)> {
        self.commands
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Replay a recorded command at the current time.
    pub fn apply(&mut self, profile: usize, command: &Command) -> Result<(), EngineError> {
        match command {
            Command::Signal {
                platform,
                name,
                params,
            } => self.signal(profile, platform, name, params),
            Command::Act {
                platform,
                kind,
                params,
            } => {
                let action = Action {
                    kind: kind.clone(),
                    params: params.clone(),
                };
                // A refusal was a refusal the first time too.
                self.act(profile, platform, &action).map(|_| ())
            }
            Command::Schedule { .. } | Command::Reschedule { .. } | Command::Unschedule { .. } => {
                self.replay_scheduled(profile, command)
            }
            Command::Notice { code, message } => {
                self.host_notice(profile, code, message);
                Ok(())
            }
        }
    }

    /// Keep `command` in the log of commands, when recording.
    pub(super) fn record(&mut self, profile: usize, command: Command) {
        let now = self.now;
        if let Some(log) = &mut self.commands {
            log.push((profile, now, command));
        }
    }

    /// Stepped ahead of a live clock, store what was made up to now: a
    /// command is answered once its events are stored (at most a window
    /// early).
    pub(super) fn release_now(&mut self) -> Result<(), EngineError> {
        let now = self.now;
        if self.horizon.is_some_and(|h| h < now) {
            self.horizon = Some(now);
            self.send_pending()?;
        }
        self.send_if_full()
    }

    /// The plugin of the profile's account on `platform`, ready to be
    /// called now; it will be stepped at the next window, whatever it said
    /// was due before (a signal or an action may make something due).
    fn instance(
        &mut self,
        profile: usize,
        platform: &str,
    ) -> Result<&mut PluginInstance, EngineError> {
        let ii = self.instance_index(profile, platform)?;
        let now = self.now;
        self.plugin(profile, ii)?;
        let i = &mut self.profiles[profile].instances[ii];
        i.next_due = Some(now);
        i.plugin
            .as_mut()
            .ok_or_else(|| EngineError::Invalid("a suspended instance was not restored".into()))
    }

    /// The index of the profile's account on `platform`.
    pub(super) fn instance_index(
        &self,
        profile: usize,
        platform: &str,
    ) -> Result<usize, EngineError> {
        let p = self
            .profiles
            .get(profile)
            .ok_or_else(|| EngineError::Invalid(format!("no profile number {profile}")))?;
        let Some(ii) = p.instances.iter().position(|i| i.platform == platform) else {
            let names: Vec<&str> = p.instances.iter().map(|i| i.platform.as_str()).collect();
            return Err(EngineError::Invalid(format!(
                "profile `{}` has no `{platform}` account (it has: {})",
                p.spec.name,
                names.join(", ")
            )));
        };
        Ok(ii)
    }

    /// Send a signal to one platform of a profile, now; a signal of the
    /// host's own platform (`diorama`) is a fault ([`crate::fault`]).
    pub fn signal(
        &mut self,
        profile: usize,
        platform: &str,
        name: &str,
        params: &serde_json::Value,
    ) -> Result<(), EngineError> {
        let now = self.now;
        if platform == HOST_PLATFORM {
            self.fault_signal(profile, name, params)?;
        } else {
            let plugin = self.instance(profile, platform)?;
            plugin.signal(now, name, &params.to_string())?;
        }
        if let Some(log) = &mut self.commands {
            log.push((
                profile,
                now,
                Command::Signal {
                    platform: platform.to_string(),
                    name: name.to_string(),
                    params: params.clone(),
                },
            ));
        }
        Ok(())
    }

    /// The creator acts on one platform of a profile, now. The plugin's
    /// refusal (invalid, not found, rate limited) is the inner error; an
    /// outage of the platform ([`crate::fault`]) is
    /// [`EngineError::Unavailable`], retryable once it ends.
    pub fn act(
        &mut self,
        profile: usize,
        platform: &str,
        action: &Action,
    ) -> Result<Result<Vec<StoredEvent>, ActionError>, EngineError> {
        self.instance_index(profile, platform)?;
        if let Some(outage) = self.outage(profile, platform) {
            return Err(EngineError::Unavailable(outage));
        }
        let out = self.act_unrecorded(profile, platform, action)?;
        if out.is_ok() {
            // A refusal changes nothing (the plugin contract): it is not
            // recorded, so refused actions never reach a live journal.
            self.record(
                profile,
                Command::Act {
                    platform: platform.to_string(),
                    kind: action.kind.clone(),
                    params: action.params.clone(),
                },
            );
            self.release_now()?;
        }
        Ok(out)
    }

    /// [`Simulation::act`] without recording it nor storing what is held:
    /// a scheduled action, which a replay makes again from its schedule.
    pub(super) fn act_unrecorded(
        &mut self,
        profile: usize,
        platform: &str,
        action: &Action,
    ) -> Result<Result<Vec<StoredEvent>, ActionError>, EngineError> {
        let now = self.now;
        let plugin = self.instance(profile, platform)?;
        let events = match plugin.act(now, action)? {
            Ok(events) => events,
            Err(e) => return Ok(Err(e)),
        };
        let (id, first_seq) = (self.profiles[profile].id, self.profiles[profile].next_seq);
        let stored: Vec<StoredEvent> = events
            .iter()
            .enumerate()
            .map(|(k, e)| StoredEvent {
                seq: first_seq + k as u64,
                profile: id,
                platform: platform.to_string(),
                event: Event {
                    at: now,
                    payload: e.payload.clone(),
                },
            })
            .collect();
        for mut e in events {
            e.at = now;
            self.accept_one(profile as u32, platform.to_string(), e);
        }
        Ok(Ok(stored))
    }

    /// A request to a platform's own API, answered by the profile's plugin
    /// against its state, now. It changes nothing: a request that changes
    /// the account answers an action, which the caller runs through
    /// [`Simulation::act`] and hands back to [`Simulation::finish_native`].
    pub fn native_request(
        &mut self,
        profile: usize,
        platform: &str,
        request: &HttpRequest,
    ) -> Result<NativeOutcome, EngineError> {
        let now = self.now;
        // A read changes nothing: an instance left unstepped through time
        // it said had nothing due answers as it is (nothing happened in that
        // time) and stays where it was, so a request never splits the time
        // it steps (a replay after a crash, which has no requests, splits it
        // the same way).
        let ii = self.instance_index(profile, platform)?;
        let plugin =
            self.restored(profile, ii)?.plugin.as_mut().ok_or_else(|| {
                EngineError::Invalid("a suspended instance was not restored".into())
            })?;
        Ok(plugin.handle_request(now, request)?)
    }

    /// The plugin's answer to a native request that acted, from the
    /// action's outcome.
    pub fn finish_native(
        &mut self,
        profile: usize,
        platform: &str,
        context: &str,
        outcome: Result<&[Event], &ActionError>,
    ) -> Result<HttpResponse, EngineError> {
        let now = self.now;
        let plugin = self.instance(profile, platform)?;
        Ok(plugin.finish_request(now, context, outcome)?)
    }

    /// A webhook subscription to `platform`'s `format` with `params`,
    /// checked by the plugin: the handshake to make, or none. Like a
    /// native read, it changes nothing.
    pub fn webhook_subscribe(
        &mut self,
        profile: usize,
        platform: &str,
        format: &str,
        params: &str,
    ) -> Result<Option<Verification>, EngineError> {
        let ii = self.instance_index(profile, platform)?;
        let plugin =
            self.restored(profile, ii)?.plugin.as_mut().ok_or_else(|| {
                EngineError::Invalid("a suspended instance was not restored".into())
            })?;
        Ok(plugin.webhook_subscribe(format, params)?)
    }

    /// The request `platform` sends a subscriber to `format` for `event`,
    /// or none. Changes nothing.
    pub fn shape_webhook(
        &mut self,
        profile: usize,
        platform: &str,
        format: &str,
        params: &str,
        event: &Event,
    ) -> Result<Option<WebhookDelivery>, EngineError> {
        let ii = self.instance_index(profile, platform)?;
        let plugin =
            self.restored(profile, ii)?.plugin.as_mut().ok_or_else(|| {
                EngineError::Invalid("a suspended instance was not restored".into())
            })?;
        Ok(plugin.shape_webhook(format, params, event)?)
    }
}
