//! Profiles: `profile(#{...})` (with `history_days` or a `preset`), a
//! profile's `name` and `niche`.
//!
//! In a batch run `profile` creates a profile; on a live profile it is the
//! live profile itself (see [`Driver::profile`](crate::script::driver::Driver::profile)).

use std::collections::BTreeMap;

use rhai::{Engine, Map};

use super::values::params_json;
use super::{engine_err, err, Ctx, ProfileHandle, Res};
use diorama_sdk::DAY;

use crate::engine::{presets, ProfileSpec, Simulation};
use crate::script::ScriptLimits;

pub(super) fn register(engine: &mut Engine, c: &Ctx) {
    let k = c.clone();
    engine.register_fn("profile", move |spec: Map| -> Res<ProfileHandle> {
        let mut sim = k.sim()?;
        k.driver.profile(&mut sim, &spec, &k.limits)
    });
    engine.register_get("name", |p: &mut ProfileHandle| p.name.clone());
    engine.register_get("niche", |p: &mut ProfileHandle| p.niche.clone());
    engine.register_fn("to_string", |p: &mut ProfileHandle| {
        format!("profile {}", p.name)
    });
}

/// The most days of past a profile may open with.
pub const MAX_HISTORY_DAYS: i64 = 365;

/// A new profile of the batch run, as `spec` describes it: with
/// `history_days` (or a `preset`'s), it opens with that past, stepped
/// before the script goes on.
pub(in crate::script) fn create(
    sim: &mut Simulation,
    spec: &Map,
    limits: &ScriptLimits,
) -> Res<ProfileHandle> {
    let index = sim.profiles().count();
    if index >= limits.max_profiles {
        return err(format!(
            "profile: a script may create at most {} profiles",
            limits.max_profiles
        ));
    }
    let mut name = format!("p{}", index + 1);
    let mut niche = "tech".to_string();
    let mut timezone = "UTC".to_string();
    let mut platforms = BTreeMap::new();
    let mut history_days: Option<i64> = None;
    let mut preset = None;
    for (key, value) in spec {
        match key.as_str() {
            "history_days" => {
                let n = value.as_int().map_err(|t| {
                    format!("profile: `history_days` must be a whole number, not {t}")
                })?;
                if !(0..=MAX_HISTORY_DAYS).contains(&n) {
                    return err(format!(
                        "profile: `history_days` must be between 0 and {MAX_HISTORY_DAYS}, got {n}"
                    ));
                }
                history_days = Some(n);
            }
            "preset" => {
                let name = value
                    .clone()
                    .into_string()
                    .map_err(|t| format!("profile: `preset` must be a string, not {t}"))?;
                preset = Some(presets::preset(&name).map_err(|e| format!("profile: {e}"))?);
            }
            "name" => {
                name = value
                    .clone()
                    .into_string()
                    .map_err(|t| format!("profile: `name` must be a string, not {t}"))?
            }
            "niche" => {
                niche = value
                    .clone()
                    .into_string()
                    .map_err(|t| format!("profile: `niche` must be a string, not {t}"))?
            }
            "timezone" => {
                timezone = value
                    .clone()
                    .into_string()
                    .map_err(|t| format!("profile: `timezone` must be a string, not {t}"))?
            }
            platform if sim.host().get(platform).is_some() => {
                let params = params_json(
                    value.clone(),
                    &format!("profile: the `{platform}` options"),
                    limits,
                )?;
                if !params.is_object() {
                    return err(format!("profile: `{platform}` must be a map of options, e.g. #{{ subscribers: 100_000 }}"));
                }
                platforms.insert(platform.to_string(), params);
            }
            other => {
                let names: Vec<String> = sim
                    .host()
                    .plugins()
                    .iter()
                    .map(|p| p.info.name.clone())
                    .collect();
                return err(format!(
                    "profile: unknown option or platform `{other}` (options: name, niche, timezone, history_days, preset; platforms: {})",
                    names.join(", ")
                ));
            }
        }
    }
    // A preset fills what the script left out: its niche, timezone,
    // platforms and past.
    if let Some(preset) = preset {
        if !spec.contains_key("niche") {
            niche = preset.niche.to_string();
        }
        if !spec.contains_key("timezone") {
            timezone = preset.timezone.to_string();
        }
        if platforms.is_empty() {
            platforms = preset
                .platform_params(sim.host(), preset.size)
                .map_err(|e| format!("profile: {e}"))?;
        }
        history_days = history_days.or(Some(preset.history_days as i64));
    }
    let spec = ProfileSpec {
        name: name.clone(),
        niche: niche.clone(),
        timezone,
        platforms,
    };
    let history = history_days.unwrap_or(0) * DAY;
    let index = sim
        .add_profile_opened(spec, crate::engine::NoExtra {}, None, history)
        .map_err(engine_err)?;
    if history > 0 {
        sim.step_history(index).map_err(engine_err)?;
    }
    Ok(ProfileHandle { index, name, niche })
}

/// On a live profile, `profile(#{...})` is the live profile itself: its
/// platforms must include those the script names.
pub(in crate::script) fn join_live(sim: &Simulation, spec: &Map) -> Res<ProfileHandle> {
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
    Ok(ProfileHandle {
        index: 0,
        name: live.name.clone(),
        niche: live.niche.clone(),
    })
}
