//! The functions and types a scenario sees.
//!
//! Globals: `profile(#{...})`, `advance(d)`, `now()`, `start(t)`, `seed()`,
//! `seconds(n)`, `minutes(n)`, `hours(n)`, `days(n)`, `time(ms)`,
//! `viral(content, #{...})`, `signal(content, name, #{...})`,
//! `expect(cond, message)`, `report(name, value)`.
//!
//! `Profile`: `name`, `niche`, `latest(platform[, kind])`,
//! `contents(platform[, kind])`, `count(platform[, kind])`, `count(#{...})`,
//! `interactions(#{...})`, `metric(platform, name)`,
//! `signal(platform, name, #{...})`, `act(platform, kind, #{...})`.
//!
//! `Content`: `id`, `kind`, `platform`, `title`, `text`, `url`, `published`,
//! `views`, `likes`, `comments`, `shares`, `interactions`, `metric(name)`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use diorama_sdk::{Action, ActionError, Millis, Payload, DAY, HOUR, MINUTE, SECOND};
use rhai::{Array, Dynamic, Engine, EvalAltResult, Map, NativeCallContext, FLOAT, INT};

use super::meter::Meter;
use super::{LiveClock, Recorder, ScriptLimits};
use crate::engine::{EngineError, ProfileSpec, Simulation};
use crate::event::{time, StoredEvent};
use crate::report::{Expectation, ReportedValue};
use crate::store::{ContentRecord, CountQuery, InteractionFilter};

type Res<T> = Result<T, Box<EvalAltResult>>;

/// The most interactions one query returns.
const MAX_QUERY: usize = 10_000;

fn err<T>(msg: impl Into<String>) -> Res<T> {
    Err(msg.into().into())
}

fn engine_err(e: EngineError) -> Box<EvalAltResult> {
    e.to_string().into()
}

/// A profile created by the script.
#[derive(Clone, Debug)]
pub struct Profile {
    index: usize,
    name: String,
    niche: String,
}

/// A piece of content (a video, a post) as the script sees it.
#[derive(Clone, Debug)]
pub struct Content {
    profile: usize,
    platform: String,
    id: String,
    kind: String,
    title: String,
    text: String,
    url: String,
    published: Millis,
}

#[derive(Clone)]
struct Ctx {
    sim: Arc<Mutex<Simulation>>,
    rec: Arc<Mutex<Recorder>>,
    file: Arc<str>,
    /// Set when the script drives a live profile: `advance` waits for its
    /// clock instead of stepping.
    live: Option<Arc<dyn LiveClock>>,
    limits: Arc<ScriptLimits>,
    meter: Arc<Meter>,
    /// Signals and actions sent so far.
    sent: Arc<AtomicUsize>,
}

impl Ctx {
    fn sim(&self) -> Res<MutexGuard<'_, Simulation>> {
        self.sim
            .lock()
            .map_err(|_| "the simulation is unusable after an earlier failure".into())
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
        let json = to_json(&value, what)?;
        let size = json_size(&json);
        if size > self.limits.max_params_bytes {
            return err(format!(
                "{what} are {size} bytes of JSON; at most {} are accepted",
                self.limits.max_params_bytes
            ));
        }
        Ok(json)
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

fn to_json(value: &Dynamic, what: &str) -> Res<serde_json::Value> {
    rhai::serde::from_dynamic::<serde_json::Value>(value)
        .map_err(|e| format!("{what} cannot be expressed as JSON: {e}").into())
}

/// The size of `value` written as JSON.
fn json_size(value: &serde_json::Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 = self.0.saturating_add(b.len());
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    // Writing plain JSON into a counter cannot fail.
    let _ = serde_json::to_writer(&mut c, value);
    c.0
}

fn to_dynamic(value: &serde_json::Value) -> Dynamic {
    rhai::serde::to_dynamic(value).unwrap_or(Dynamic::UNIT)
}

fn duration(n: FLOAT, unit: Millis, name: &str) -> Res<INT> {
    let ms = n * unit as f64;
    if !ms.is_finite() || ms.abs() > 1e15 {
        return err(format!("{name}({n}) is not a usable duration"));
    }
    Ok(ms.round() as INT)
}

fn content_handle(profile: usize, r: ContentRecord) -> Content {
    Content {
        profile,
        platform: r.platform,
        id: r.id,
        kind: r.kind,
        title: r.title,
        text: r.text,
        url: r.url,
        published: r.published_at,
    }
}

fn opt_str(map: &Map, key: &str) -> Res<Option<String>> {
    match map.get(key) {
        None => Ok(None),
        Some(v) if v.is_unit() => Ok(None),
        Some(v) => match v.clone().into_string() {
            Ok(s) => Ok(Some(s)),
            Err(t) => err(format!("`{key}` must be a string, not {t}")),
        },
    }
}

fn opt_int(map: &Map, key: &str) -> Res<Option<INT>> {
    match map.get(key) {
        None => Ok(None),
        Some(v) if v.is_unit() => Ok(None),
        Some(v) => match v.as_int() {
            Ok(i) => Ok(Some(i)),
            Err(t) => err(format!("`{key}` must be an integer, not {t}")),
        },
    }
}

fn check_keys(map: &Map, allowed: &[&str], what: &str) -> Res<()> {
    for k in map.keys() {
        if !allowed.contains(&k.as_str()) {
            return err(format!(
                "{what}: unknown option `{k}` (options: {})",
                allowed.join(", ")
            ));
        }
    }
    Ok(())
}

fn interaction_map(e: &StoredEvent) -> Dynamic {
    let mut m = Map::new();
    m.insert("seq".into(), (e.seq as INT).into());
    m.insert("at".into(), (e.event.at as INT).into());
    m.insert("platform".into(), e.platform.clone().into());
    if let Payload::Interaction(i) = &e.event.payload {
        m.insert("id".into(), i.id.clone().into());
        m.insert("kind".into(), i.kind.clone().into());
        m.insert("content_id".into(), opt_dyn(&i.content_id));
        m.insert("parent_id".into(), opt_dyn(&i.parent_id));
        m.insert("text".into(), i.text.clone().into());
        m.insert("sentiment".into(), opt_dyn(&i.sentiment));
        m.insert("dm_type".into(), opt_dyn(&i.dm_type));
        let mut a = Map::new();
        a.insert("id".into(), i.author.id.clone().into());
        a.insert("handle".into(), i.author.handle.clone().into());
        a.insert("display_name".into(), i.author.display_name.clone().into());
        a.insert("avatar_url".into(), i.author.avatar_url.clone().into());
        a.insert("verified".into(), i.author.verified.into());
        a.insert("followers".into(), (i.author.followers as INT).into());
        m.insert("author".into(), a.into());
    }
    m.into()
}

fn opt_dyn(s: &Option<String>) -> Dynamic {
    match s {
        Some(s) => s.clone().into(),
        None => Dynamic::UNIT,
    }
}

fn event_map(e: &StoredEvent) -> Dynamic {
    let mut line = Vec::new();
    crate::event::event_line("", e, &mut line);
    match serde_json::from_slice::<serde_json::Value>(&line) {
        Ok(mut v) => {
            if let Some(o) = v.as_object_mut() {
                o.remove("profile");
            }
            to_dynamic(&v)
        }
        Err(_) => Dynamic::UNIT,
    }
}

/// On a live profile, `profile(#{...})` is the live profile itself: its
/// platforms must include those the script names.
fn live_profile(sim: &Simulation, spec: &Map) -> Res<Profile> {
    let Some((_, live)) = sim.profiles().next() else {
        return err("the live profile is gone");
    };
    for key in spec.keys() {
        let key = key.as_str();
        if sim.host().get(key).is_some() && !live.platforms.contains_key(key) {
            let has: Vec<&str> = live.platforms.keys().map(String::as_str).collect();
            return err(format!(
                "profile: this scenario needs a `{key}` account, which the live profile `{}` does not have (it has: {})",
                live.name,
                has.join(", ")
            ));
        }
    }
    Ok(Profile {
        index: 0,
        name: live.name.clone(),
        niche: live.niche.clone(),
    })
}

pub(super) fn register(
    engine: &mut Engine,
    sim: Arc<Mutex<Simulation>>,
    rec: Arc<Mutex<Recorder>>,
    file: &str,
    live: Option<Arc<dyn LiveClock>>,
    limits: &ScriptLimits,
    meter: Arc<Meter>,
) {
    let c = Ctx {
        sim,
        rec,
        file: Arc::from(file),
        live,
        limits: Arc::new(limits.clone()),
        meter,
        sent: Arc::new(AtomicUsize::new(0)),
    };
    engine.register_type_with_name::<Profile>("Profile");
    engine.register_type_with_name::<Content>("Content");

    // Durations and time.
    for (name, unit) in [
        ("seconds", SECOND),
        ("minutes", MINUTE),
        ("hours", HOUR),
        ("days", DAY),
    ] {
        engine.register_fn(name, move |n: INT| -> Res<INT> {
            duration(n as FLOAT, unit, name)
        });
        engine.register_fn(name, move |n: FLOAT| -> Res<INT> {
            duration(n, unit, name)
        });
    }
    engine.register_fn("time", |ms: INT| time::format_instant(ms));

    let k = c.clone();
    engine.register_fn("now", move || -> Res<INT> { Ok(k.sim()?.now()) });
    let k = c.clone();
    engine.register_fn("seed", move || -> Res<INT> {
        Ok(k.sim()?.settings().seed as INT)
    });
    let k = c.clone();
    engine.register_fn("start", move |t: &str| -> Res<()> {
        if k.live.is_some() {
            return err(
                "start() cannot move a live profile's clock: its time follows the wall clock",
            );
        }
        let at = time::parse_instant(t)?;
        if !(time::MIN_START..=time::MAX_START).contains(&at) {
            return err(format!(
                "start(\"{t}\"): the start must lie between {} and {}",
                time::format_instant(time::MIN_START),
                time::format_instant(time::MAX_START)
            ));
        }
        k.sim()?.set_start(at).map_err(engine_err)
    });

    let k = c.clone();
    engine.register_fn("advance", move |d: INT| -> Res<()> {
        if let Some(live) = &k.live {
            if d < 0 {
                return err(format!("cannot advance by a negative duration ({d} ms)"));
            }
            if d > time::MAX_RUN_SPAN {
                return err(format!(
                    "cannot advance a live profile by more than {} at once ({d} ms asked)",
                    time::format_duration(time::MAX_RUN_SPAN)
                ));
            }
            let Some(target) = k.sim()?.now().checked_add(d) else {
                return err(format!("advancing by {d} ms goes past the end of time"));
            };
            // Waiting for the live clock is the profile's pace, not the
            // script's work: it does not count toward the time limit.
            let waited = std::time::Instant::now();
            let r = live.wait_until(target);
            k.meter.add_waited(waited.elapsed());
            return r.map_err(Into::into);
        }
        let mut sim = k.sim()?;
        let mut rec = k.rec()?;
        let progress = &mut rec.progress;
        sim.advance(d, |now, n| {
            if let Some(p) = progress.as_mut() {
                p(now, n)
            }
        })
        .map_err(engine_err)
    });

    // Expectations and reported values.
    let k = c.clone();
    engine.register_fn(
        "expect",
        move |ctx: NativeCallContext, cond: bool, message: &str| -> Res<()> {
            let at = k.place(&ctx);
            let l = &k.limits;
            if message.len() > l.max_message_bytes {
                return err(format!(
                    "expect: the message is {} bytes long; at most {} are kept",
                    message.len(),
                    l.max_message_bytes
                ));
            }
            let mut rec = k.rec()?;
            if rec.expectations.len() >= l.max_expectations {
                return err(format!(
                    "expect: the script stated more than {} expectations, the most a run records",
                    l.max_expectations
                ));
            }
            rec.take_bytes(message.len() + at.len(), l.max_recorded_bytes)?;
            rec.expectations.push(Expectation {
                message: message.to_string(),
                passed: cond,
                at,
            });
            Ok(())
        },
    );
    let k = c.clone();
    engine.register_fn("report", move |name: &str, value: Dynamic| -> Res<()> {
        let l = &k.limits;
        if name.len() > l.max_message_bytes {
            return err(format!(
                "report: the name is {} bytes long; at most {} are kept",
                name.len(),
                l.max_message_bytes
            ));
        }
        let value = to_json(&value, &format!("the value reported as `{name}`"))?;
        let size = json_size(&value);
        if size > l.max_value_bytes {
            return err(format!(
                "report: the value reported as `{name}` is {size} bytes of JSON; a reported value may be at most {} bytes",
                l.max_value_bytes
            ));
        }
        let mut rec = k.rec()?;
        if rec.values.len() >= l.max_values {
            return err(format!(
                "report: the script reported more than {} values, the most a run records",
                l.max_values
            ));
        }
        rec.take_bytes(name.len() + size, l.max_recorded_bytes)?;
        rec.values.push(ReportedValue {
            name: name.to_string(),
            value,
        });
        Ok(())
    });

    // Profiles.
    let k = c.clone();
    engine.register_fn("profile", move |spec: Map| -> Res<Profile> {
        let mut sim = k.sim()?;
        if k.live.is_some() {
            return live_profile(&sim, &spec);
        }
        let index = sim.profiles().count();
        if index >= k.limits.max_profiles {
            return err(format!(
                "profile: a script may create at most {} profiles",
                k.limits.max_profiles
            ));
        }
        let mut name = format!("p{}", index + 1);
        let mut niche = "tech".to_string();
        let mut timezone = "UTC".to_string();
        let mut platforms = BTreeMap::new();
        for (key, value) in &spec {
            match key.as_str() {
                "name" => name = value.clone().into_string().map_err(|t| format!("profile: `name` must be a string, not {t}"))?,
                "niche" => niche = value.clone().into_string().map_err(|t| format!("profile: `niche` must be a string, not {t}"))?,
                "timezone" => timezone = value.clone().into_string().map_err(|t| format!("profile: `timezone` must be a string, not {t}"))?,
                platform if sim.host().get(platform).is_some() => {
                    let params = k.params_json(value.clone(), &format!("profile: the `{platform}` options"))?;
                    if !params.is_object() {
                        return err(format!("profile: `{platform}` must be a map of options, e.g. #{{ subscribers: 100_000 }}"));
                    }
                    platforms.insert(platform.to_string(), params);
                }
                other => {
                    let names: Vec<String> =
                        sim.host().plugins().iter().map(|p| p.info.name.clone()).collect();
                    return err(format!(
                        "profile: unknown option or platform `{other}` (options: name, niche, timezone; platforms: {})",
                        names.join(", ")
                    ));
                }
            }
        }
        let spec = ProfileSpec {
            name: name.clone(),
            niche: niche.clone(),
            timezone,
            platforms,
        };
        let index = sim
            .add_profile(spec, serde_json::json!({}))
            .map_err(engine_err)?;
        Ok(Profile { index, name, niche })
    });
    engine.register_get("name", |p: &mut Profile| p.name.clone());
    engine.register_get("niche", |p: &mut Profile| p.niche.clone());

    let latest = {
        let k = c.clone();
        move |p: &mut Profile, platform: &str, kind: Option<&str>| -> Res<Content> {
            let sim = k.synced()?;
            let owner = sim.profile_id(p.index).ok_or("unknown profile")?;
            match sim
                .store()
                .latest_content(owner, Some(platform), kind)
                .map_err(|e| e.to_string())?
            {
                Some(r) => Ok(content_handle(p.index, r)),
                None => err(format!(
                    "profile `{}` has no {platform} {} yet (advance time first?)",
                    p.name,
                    kind.unwrap_or("content")
                )),
            }
        }
    };
    let l = latest.clone();
    engine.register_fn("latest", move |p: &mut Profile, platform: &str| {
        l(p, platform, None)
    });
    engine.register_fn(
        "latest",
        move |p: &mut Profile, platform: &str, kind: &str| latest(p, platform, Some(kind)),
    );

    let contents = {
        let k = c.clone();
        move |p: &mut Profile, platform: &str, kind: Option<&str>| -> Res<Array> {
            let sim = k.synced()?;
            let owner = sim.profile_id(p.index).ok_or("unknown profile")?;
            let list = sim
                .store()
                .contents(owner, Some(platform), kind)
                .map_err(|e| e.to_string())?;
            Ok(list
                .into_iter()
                .map(|r| Dynamic::from(content_handle(p.index, r)))
                .collect())
        }
    };
    let l = contents.clone();
    engine.register_fn("contents", move |p: &mut Profile, platform: &str| {
        l(p, platform, None)
    });
    engine.register_fn(
        "contents",
        move |p: &mut Profile, platform: &str, kind: &str| contents(p, platform, Some(kind)),
    );

    let count = {
        let k = c.clone();
        move |p: &mut Profile, q: CountQuery| -> Res<INT> {
            let sim = k.synced()?;
            let owner = sim.profile_id(p.index).ok_or("unknown profile")?;
            let n = sim.store().count(owner, &q).map_err(|e| e.to_string())?;
            Ok(n as INT)
        }
    };
    let l = count.clone();
    engine.register_fn("count", move |p: &mut Profile, platform: &str| {
        l(
            p,
            CountQuery {
                platform: Some(platform.into()),
                ..Default::default()
            },
        )
    });
    let l = count.clone();
    engine.register_fn(
        "count",
        move |p: &mut Profile, platform: &str, kind: &str| {
            l(
                p,
                CountQuery {
                    platform: Some(platform.into()),
                    kind: Some(kind.into()),
                    ..Default::default()
                },
            )
        },
    );
    engine.register_fn("count", move |p: &mut Profile, m: Map| -> Res<INT> {
        check_keys(
            &m,
            &["platform", "type", "kind", "sentiment", "dm_type"],
            "count",
        )?;
        count(
            p,
            CountQuery {
                platform: opt_str(&m, "platform")?,
                type_name: opt_str(&m, "type")?,
                kind: opt_str(&m, "kind")?,
                sentiment: opt_str(&m, "sentiment")?,
                dm_type: opt_str(&m, "dm_type")?,
            },
        )
    });

    let k = c.clone();
    engine.register_fn(
        "interactions",
        move |p: &mut Profile, m: Map| -> Res<Array> {
            check_keys(
                &m,
                &[
                    "platform",
                    "kind",
                    "content",
                    "author",
                    "sentiment",
                    "dm_type",
                    "from",
                    "to",
                    "limit",
                ],
                "interactions",
            )?;
            let content_id = match m.get("content") {
                None => None,
                Some(v) if v.is_unit() => None,
                Some(v) if v.is::<Content>() => Some(v.clone_cast::<Content>().id),
                Some(v) => Some(v.clone().into_string().map_err(|t| {
                    format!("interactions: `content` must be a Content or an id, not {t}")
                })?),
            };
            let limit = opt_int(&m, "limit")?.unwrap_or(1_000);
            if limit < 0 || limit as usize > MAX_QUERY {
                return err(format!(
                    "interactions: `limit` must be between 0 and {MAX_QUERY}, not {limit}"
                ));
            }
            let filter = InteractionFilter {
                platform: opt_str(&m, "platform")?,
                kind: opt_str(&m, "kind")?,
                content_id,
                author_id: opt_str(&m, "author")?,
                sentiment: opt_str(&m, "sentiment")?,
                dm_type: opt_str(&m, "dm_type")?,
                since: opt_int(&m, "from")?,
                until: opt_int(&m, "to")?,
            };
            let sim = k.synced()?;
            let owner = sim.profile_id(p.index).ok_or("unknown profile")?;
            let list = sim
                .store()
                .interactions(owner, &filter, None, limit as usize)
                .map_err(|e| e.to_string())?;
            Ok(list.iter().map(interaction_map).collect())
        },
    );

    let k = c.clone();
    engine.register_fn(
        "metric",
        move |p: &mut Profile, platform: &str, name: &str| -> Res<INT> {
            let sim = k.synced()?;
            let owner = sim.profile_id(p.index).ok_or("unknown profile")?;
            match sim
                .store()
                .account_metric(owner, platform, name)
                .map_err(|e| e.to_string())?
            {
                Some(v) => Ok(v),
                None => err(format!(
                    "profile `{}` has no {platform} `{name}` metric yet",
                    p.name
                )),
            }
        },
    );

    let k = c.clone();
    engine.register_fn(
        "signal",
        move |p: &mut Profile, platform: &str, name: &str, params: Map| -> Res<()> {
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
        move |p: &mut Profile, platform: &str, kind: &str, params: Map| -> Res<Map> {
            k.send_one("act")?;
            let params = k.params_json(params.into(), "action parameters")?;
            let action = Action {
                kind: kind.to_string(),
                params: params.to_string(),
            };
            let outcome = k
                .sim()?
                .act(p.index, platform, &action)
                .map_err(engine_err)?;
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

    // Content.
    engine.register_get("id", |x: &mut Content| x.id.clone());
    engine.register_get("kind", |x: &mut Content| x.kind.clone());
    engine.register_get("platform", |x: &mut Content| x.platform.clone());
    engine.register_get("title", |x: &mut Content| x.title.clone());
    engine.register_get("text", |x: &mut Content| x.text.clone());
    engine.register_get("url", |x: &mut Content| x.url.clone());
    engine.register_get("published", |x: &mut Content| x.published as INT);
    engine.register_fn("to_string", |x: &mut Content| {
        format!("{} {} {}", x.platform, x.kind, x.id)
    });
    engine.register_fn("to_string", |p: &mut Profile| format!("profile {}", p.name));

    let record = {
        let k = c.clone();
        move |x: &Content| -> Res<ContentRecord> {
            let sim = k.synced()?;
            let owner = sim.profile_id(x.profile).ok_or("unknown profile")?;
            sim.store()
                .content(owner, &x.id)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("content `{}` is no longer stored", x.id).into())
        }
    };
    for name in ["views", "likes", "comments", "shares", "saves"] {
        let r = record.clone();
        engine.register_get(name, move |x: &mut Content| -> Res<INT> {
            Ok(r(x)?.metrics.get(name).copied().unwrap_or(0))
        });
    }
    let r = record.clone();
    engine.register_get("interactions", move |x: &mut Content| -> Res<INT> {
        Ok(r(x)?.interactions as INT)
    });
    let r = record.clone();
    engine.register_fn("metric", move |x: &mut Content, name: &str| -> Res<INT> {
        Ok(r(x)?.metrics.get(name).copied().unwrap_or(0))
    });

    // Signals on content.
    let signal_content = {
        let k = c.clone();
        move |x: &Content, name: &str, params: Map| -> Res<()> {
            k.send_one("signal")?;
            let mut params = k.params_json(params.into(), "signal parameters")?;
            if let Some(o) = params.as_object_mut() {
                o.entry("content_id")
                    .or_insert_with(|| serde_json::Value::String(x.id.clone()));
            }
            k.sim()?
                .signal(x.profile, &x.platform, name, &params)
                .map_err(engine_err)
        }
    };
    let s = signal_content.clone();
    engine.register_fn("signal", move |x: &mut Content, name: &str, params: Map| {
        s(x, name, params)
    });
    let s = signal_content.clone();
    engine.register_fn("viral", move |x: Content, params: Map| {
        s(&x, "viral", params)
    });
    engine.register_fn("viral", move |x: Content| {
        signal_content(&x, "viral", Map::new())
    });
}
