//! What a script sends: `signal` on a profile or a content, `viral`,
//! `act` (the creator acts), and scheduled actions (`schedule`,
//! `scheduled`, `reschedule`, `cancel_scheduled`). Each but `scheduled`
//! counts toward the script's limit of signals and actions.

use diorama_sdk::{Action, ActionError, PlatformInfo};
use rhai::{Array, Engine, Map, INT};

use super::convert::event_map;
use super::{engine_err, err, ContentHandle, Ctx, ProfileHandle, Res};
use crate::engine::{EngineError, ScheduleChange, ScheduledAction, Simulation};
use crate::event::time::format_instant;

pub(super) fn register(engine: &mut Engine, c: &Ctx) {
    let k = c.clone();
    engine.register_fn(
        "signal",
        move |p: &mut ProfileHandle, platform: &str, name: &str, params: Map| -> Res<()> {
            k.send_one("signal")?;
            let params = k.params_json(params.into(), "signal parameters")?;
            k.sim()?
                .signal(p.index, platform, name, &params)
                .map_err(engine_err)
        },
    );

    let k = c.clone();
    engine.register_fn(
        "act",
        move |p: &mut ProfileHandle, platform: &str, kind: &str, params: Map| -> Res<Map> {
            k.send_one("act")?;
            let params = k.params_json(params.into(), "action parameters")?;
            let action = Action {
                kind: kind.to_string(),
                params: params.to_string(),
            };
            let outcome = match k.sim()?.act(p.index, platform, &action) {
                // A simulated outage: refused, retryable once it ends.
                Err(EngineError::Unavailable(u)) => {
                    let mut m = Map::new();
                    m.insert("ok".into(), false.into());
                    m.insert("error".into(), u.to_string().into());
                    m.insert("unavailable".into(), true.into());
                    m.insert("retry_after".into(), (u.retry_after() as INT).into());
                    return Ok(m);
                }
                other => other.map_err(engine_err)?,
            };
            let mut m = Map::new();
            match outcome {
                Ok(events) => {
                    m.insert("ok".into(), true.into());
                    let list: Array = events.iter().map(event_map).collect();
                    m.insert("events".into(), list.into());
                }
                Err(e) => {
                    m.insert("ok".into(), false.into());
                    m.insert("error".into(), e.to_string().into());
                    if let ActionError::RateLimited(ms) = e {
                        m.insert("retry_after".into(), (ms as INT).into());
                    }
                }
            }
            Ok(m)
        },
    );

    // Scheduled actions: held by the simulation until their time.
    let k = c.clone();
    engine.register_fn(
        "schedule",
        move |p: &mut ProfileHandle,
              platform: &str,
              kind: &str,
              params: Map,
              at: INT|
              -> Res<Map> {
            k.send_one("schedule")?;
            let params = k.params_json(params.into(), "action parameters")?;
            let action = Action {
                kind: kind.to_string(),
                params: params.to_string(),
            };
            let item = k
                .sim()?
                .schedule(p.index, platform, &action, at)
                .map_err(engine_err)?
                .map_err(|e| format!("schedule: {e}"))?;
            Ok(scheduled_map(&item))
        },
    );
    let k = c.clone();
    engine.register_fn("scheduled", move |p: &mut ProfileHandle| -> Res<Array> {
        Ok(k.sim()?
            .scheduled(p.index)
            .iter()
            .map(|s| scheduled_map(s).into())
            .collect())
    });
    let k = c.clone();
    engine.register_fn(
        "reschedule",
        move |p: &mut ProfileHandle, id: INT, at: INT| -> Res<Map> {
            k.send_one("reschedule")?;
            let change = ScheduleChange {
                at: Some(at),
                params: None,
            };
            let item = k
                .sim()?
                .reschedule(p.index, id.max(0) as u64, &change)
                .map_err(engine_err)?
                .map_err(|e| format!("reschedule: {e}"))?;
            Ok(scheduled_map(&item))
        },
    );
    let k = c.clone();
    engine.register_fn(
        "cancel_scheduled",
        move |p: &mut ProfileHandle, id: INT| -> Res<Map> {
            k.send_one("cancel_scheduled")?;
            let item = k
                .sim()?
                .cancel_scheduled(p.index, id.max(0) as u64)
                .map_err(engine_err)?
                .map_err(|e| format!("cancel_scheduled: {e}"))?;
            Ok(scheduled_map(&item))
        },
    );

    // Signals on content: for a signal the platform declares `on_content`,
    // the content's id is the signal's `content_id` unless the parameters
    // name another; a signal that applies to the whole account, or that the
    // platform does not have, is refused.
    let signal_content = {
        let k = c.clone();
        move |x: &ContentHandle, name: &str, params: Map| -> Res<()> {
            k.send_one("signal")?;
            let mut params = k.params_json(params.into(), "signal parameters")?;
            let mut sim = k.sim()?;
            on_content(&sim, x, name)?;
            if let Some(o) = params.as_object_mut() {
                o.entry("content_id")
                    .or_insert_with(|| serde_json::Value::String(x.id.clone()));
            }
            sim.signal(x.profile, &x.platform, name, &params)
                .map_err(engine_err)
        }
    };
    let s = signal_content.clone();
    engine.register_fn(
        "signal",
        move |x: &mut ContentHandle, name: &str, params: Map| s(x, name, params),
    );
    let s = signal_content.clone();
    engine.register_fn("viral", move |x: ContentHandle, params: Map| {
        s(&x, "viral", params)
    });
    engine.register_fn("viral", move |x: ContentHandle| {
        signal_content(&x, "viral", Map::new())
    });
}

/// A scheduled action as a script sees it: `id`, `platform`, `kind`,
/// `params` (the JSON text), `at` and `time` (when it goes out next),
/// `scheduled_for`, `attempts`.
fn scheduled_map(s: &ScheduledAction) -> Map {
    let mut m = Map::new();
    m.insert("id".into(), (s.id as INT).into());
    m.insert("platform".into(), s.platform.clone().into());
    m.insert("kind".into(), s.kind.clone().into());
    m.insert("params".into(), s.params.clone().into());
    m.insert("at".into(), (s.at as INT).into());
    m.insert("time".into(), format_instant(s.at).into());
    m.insert("scheduled_for".into(), (s.scheduled_for as INT).into());
    m.insert("attempts".into(), (s.attempts as INT).into());
    m
}

/// Whether `name` may be sent on content `x`: the platform declares it,
/// and declares it `on_content`.
fn on_content(sim: &Simulation, x: &ContentHandle, name: &str) -> Res<()> {
    match sim.host().get(&x.platform) {
        Some(plugin) => sendable_on(&plugin.info, x, name),
        None => err(format!("platform `{}` is not loaded", x.platform)),
    }
}

/// Whether the platform `info` declares `name`, and declares it
/// `on_content`.
fn sendable_on(info: &PlatformInfo, x: &ContentHandle, name: &str) -> Res<()> {
    match info.signals.iter().find(|s| s.name == name) {
        Some(s) if s.on_content => Ok(()),
        Some(_) => {
            let account = format!("p.signal(\"{}\", \"{name}\", #{{...}})", x.platform);
            err(format!(
                "signal `{name}` on {} {} {}: {} applies `{name}` to the whole account, not to one piece of content; send it on the profile: {account}",
                x.platform, x.kind, x.id, x.platform
            ))
        }
        None => {
            let names: Vec<&str> = info.signals.iter().map(|s| s.name.as_str()).collect();
            err(format!(
                "signal `{name}` on {} {} {}: {} has no signal `{name}` (its signals: {})",
                x.platform,
                x.kind,
                x.id,
                x.platform,
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use diorama_sdk::{MetricRoles, SignalInfo};

    use super::*;

    fn clip() -> ContentHandle {
        ContentHandle {
            profile: 0,
            platform: "clips".into(),
            id: "c1".into(),
            kind: "clip".into(),
            title: String::new(),
            text: String::new(),
            url: String::new(),
            published: 0,
        }
    }

    #[test]
    fn only_signals_declared_on_content_are_sent_on_content() {
        let signal = |name: &str, on_content| SignalInfo {
            name: name.into(),
            description: String::new(),
            on_content,
        };
        let info = PlatformInfo {
            name: "clips".into(),
            version: "1.0.0".into(),
            content_kinds: vec!["clip".into()],
            interaction_kinds: Vec::new(),
            metrics: Vec::new(),
            metric_roles: MetricRoles::default(),
            signals: vec![signal("boost", true), signal("growth", false)],
            actions: Vec::new(),
            limits: Vec::new(),
            params: Vec::new(),
            automatic_share: None,
            api_hosts: Vec::new(),
            webhook_formats: Vec::new(),
        };
        assert!(sendable_on(&info, &clip(), "boost").is_ok());
        let e = sendable_on(&info, &clip(), "growth")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("signal `growth` on clips clip c1")
                && e.contains("whole account")
                && e.contains("p.signal(\"clips\", \"growth\""),
            "{e}"
        );
        let e = sendable_on(&info, &clip(), "meteor")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("clips has no signal `meteor` (its signals: boost, growth)"),
            "{e}"
        );
    }
}
