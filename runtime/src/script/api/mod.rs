//! The functions and types a scenario sees, registered by topic.
//!
//! Globals: `profile(#{...})` (options `history_days`, `preset`), `advance(d)`, `now()`, `start(t)`, `seed()`,
//! `seconds(n)`, `minutes(n)`, `hours(n)`, `days(n)`, `time(ms)`,
//! `viral(content, #{...})`, `signal(content, name, #{...})`,
//! `expect(cond, message)`, `report(name, value)`.
//!
//! `Profile`: `name`, `niche`, `latest(platform[, kind])`,
//! `contents(platform[, kind])`, `count(platform[, kind])`, `count(#{...})`,
//! `interactions(#{...})`, `metric(platform, name)`,
//! `signal(platform, name, #{...})`, `act(platform, kind, #{...})`,
//! `schedule(platform, kind, #{...}, at)`, `scheduled()`,
//! `reschedule(id, at)`, `cancel_scheduled(id)`.
//!
//! `Content`: `id`, `kind`, `platform`, `title`, `text`, `url`, `published`,
//! `views`, `likes`, `comments`, `shares`, `saves`, `interactions`,
//! `metric(name)`.
//!
//! An event (an item of `interactions(...)`, of `act(...).events`) is a map
//! with the keys of its JSON line except `profile`: `seq`, `at`, `time`,
//! `platform`, `type`, `kind`, then those of its type (`id`, `content_id`,
//! `parent_id`, `author`, `title`, `text`, `url`, `sentiment`, `dm_type`,
//! `total`, `delta`); a field the event lacks is absent (reads as `()`).
//!
//! Where each is: [`time`] (durations, `now`, `seed`, `start`, `advance`),
//! [`profiles`] (`profile` and a profile's `name`, `niche`), [`queries`]
//! (what a profile has: `latest`, `contents`, `count`, `interactions`,
//! `metric`), [`content`] (a content's fields and counters), [`signals`]
//! (`signal`, `viral`, `act`), [`expectations`] (`expect`, `report`).
//! Stored events and content reach a script through [`convert`] only.
//! Whatever differs between a batch run and a live profile is the
//! [`Driver`]'s.

mod content;
mod convert;
mod expectations;
pub(super) mod profiles;
mod queries;
mod signals;
mod time;
mod values;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use diorama_sdk::Millis;
use rhai::{Dynamic, Engine, EvalAltResult, NativeCallContext};

use super::driver::Driver;
use super::meter::Meter;
use super::{Recorder, ScriptLimits};
use crate::engine::{EngineError, Simulation};

pub(super) type Res<T> = Result<T, Box<EvalAltResult>>;

pub(super) fn err<T>(msg: impl Into<String>) -> Res<T> {
    Err(msg.into().into())
}

pub(super) fn engine_err(e: EngineError) -> Box<EvalAltResult> {
    e.to_string().into()
}

/// The simulation, unless a panic left its lock poisoned.
pub(super) fn lock(sim: &Mutex<Simulation>) -> Res<MutexGuard<'_, Simulation>> {
    sim.lock()
        .map_err(|_| "the simulation is unusable after an earlier failure".into())
}

/// A profile created by the script.
#[derive(Clone, Debug)]
pub struct ProfileHandle {
    index: usize,
    name: String,
    niche: String,
}

/// A piece of content (a video, a post) as the script sees it.
#[derive(Clone, Debug)]
pub struct ContentHandle {
    profile: usize,
    platform: String,
    id: String,
    kind: String,
    title: String,
    text: String,
    url: String,
    published: Millis,
}

/// What every registered function shares.
#[derive(Clone)]
struct Ctx {
    sim: Arc<Mutex<Simulation>>,
    rec: Arc<Mutex<Recorder>>,
    file: Arc<str>,
    driver: Arc<dyn Driver>,
    limits: Arc<ScriptLimits>,
    meter: Arc<Meter>,
    /// Signals and actions sent so far.
    sent: Arc<AtomicUsize>,
}

impl Ctx {
    fn sim(&self) -> Res<MutexGuard<'_, Simulation>> {
        lock(&self.sim)
    }

    /// The simulation with every event so far stored, for queries.
    fn synced(&self) -> Res<MutexGuard<'_, Simulation>> {
        let mut sim = self.sim()?;
        sim.sync().map_err(engine_err)?;
        Ok(sim)
    }

    fn rec(&self) -> Res<MutexGuard<'_, Recorder>> {
        self.rec
            .lock()
            .map_err(|_| "the script recorder is unusable after an earlier failure".into())
    }

    /// Count one more signal or action, refused past the limit: each may
    /// store events, so their number bounds what a script adds to the store.
    fn send_one(&self, what: &str) -> Res<()> {
        let max = self.limits.max_signals_and_actions;
        if self.sent.fetch_add(1, Ordering::Relaxed) >= max {
            return err(format!(
                "{what}: the script sent more than {max} signals and actions, the most a run sends"
            ));
        }
        Ok(())
    }

    /// `value` as JSON for a plugin, refused when larger than the limit.
    fn params_json(&self, value: Dynamic, what: &str) -> Res<serde_json::Value> {
        values::params_json(value, what, &self.limits)
    }

    fn place(&self, ctx: &NativeCallContext) -> String {
        let pos = ctx.call_position();
        let src = ctx.call_source().unwrap_or(&self.file);
        match (pos.line(), pos.position()) {
            (Some(l), Some(c)) => format!("{src}:{l}:{c}"),
            _ => src.to_string(),
        }
    }
}

/// Register every function and type a script sees on `engine`.
pub(super) fn register(
    engine: &mut Engine,
    sim: Arc<Mutex<Simulation>>,
    rec: Arc<Mutex<Recorder>>,
    file: &str,
    driver: Arc<dyn Driver>,
    limits: &ScriptLimits,
    meter: Arc<Meter>,
) {
    let c = Ctx {
        sim,
        rec,
        file: Arc::from(file),
        driver,
        limits: Arc::new(limits.clone()),
        meter,
        sent: Arc::new(AtomicUsize::new(0)),
    };
    engine.register_type_with_name::<ProfileHandle>("Profile");
    engine.register_type_with_name::<ContentHandle>("Content");
    time::register(engine, &c);
    expectations::register(engine, &c);
    profiles::register(engine, &c);
    queries::register(engine, &c);
    signals::register(engine, &c);
    content::register(engine, &c);
}
