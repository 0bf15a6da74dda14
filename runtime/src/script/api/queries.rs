//! What a profile has so far: `latest`, `contents`, `count`,
//! `interactions`, `metric`. Every query first stores the events stepped
//! so far (`Simulation::sync`).

use rhai::{Array, Dynamic, Engine, Map, INT};

use super::convert::{content_handle, event_map};
use super::values::{check_keys, opt_int, opt_str};
use super::{err, ContentHandle, Ctx, ProfileHandle, Res};
use crate::store::{CountQuery, InteractionFilter};

/// The most interactions one query returns.
const MAX_QUERY: usize = 10_000;

pub(super) fn register(engine: &mut Engine, c: &Ctx) {
    let latest = {
        let k = c.clone();
        move |p: &mut ProfileHandle, platform: &str, kind: Option<&str>| -> Res<ContentHandle> {
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
    engine.register_fn("latest", move |p: &mut ProfileHandle, platform: &str| {
        l(p, platform, None)
    });
    engine.register_fn(
        "latest",
        move |p: &mut ProfileHandle, platform: &str, kind: &str| latest(p, platform, Some(kind)),
    );

    let contents = {
        let k = c.clone();
        move |p: &mut ProfileHandle, platform: &str, kind: Option<&str>| -> Res<Array> {
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
    engine.register_fn("contents", move |p: &mut ProfileHandle, platform: &str| {
        l(p, platform, None)
    });
    engine.register_fn(
        "contents",
        move |p: &mut ProfileHandle, platform: &str, kind: &str| contents(p, platform, Some(kind)),
    );

    register_count(engine, c);
    register_interactions(engine, c);

    let k = c.clone();
    engine.register_fn(
        "metric",
        move |p: &mut ProfileHandle, platform: &str, name: &str| -> Res<INT> {
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
}

fn register_count(engine: &mut Engine, c: &Ctx) {
    let count = {
        let k = c.clone();
        move |p: &mut ProfileHandle, q: CountQuery| -> Res<INT> {
            let sim = k.synced()?;
            let owner = sim.profile_id(p.index).ok_or("unknown profile")?;
            let n = sim.store().count(owner, &q).map_err(|e| e.to_string())?;
            Ok(n as INT)
        }
    };
    let l = count.clone();
    engine.register_fn("count", move |p: &mut ProfileHandle, platform: &str| {
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
        move |p: &mut ProfileHandle, platform: &str, kind: &str| {
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
    engine.register_fn("count", move |p: &mut ProfileHandle, m: Map| -> Res<INT> {
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
}

fn register_interactions(engine: &mut Engine, c: &Ctx) {
    let k = c.clone();
    engine.register_fn(
        "interactions",
        move |p: &mut ProfileHandle, m: Map| -> Res<Array> {
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
                Some(v) if v.is::<ContentHandle>() => Some(v.clone_cast::<ContentHandle>().id),
                Some(v) => Some(v.clone().into_string().map_err(|t| {
                    format!("interactions: `content` must be a ContentHandle or an id, not {t}")
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
            Ok(list.iter().map(event_map).collect())
        },
    );
}
