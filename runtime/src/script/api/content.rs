//! A content's fields and live counters: `id`, `kind`, `platform`,
//! `title`, `text`, `url`, `published`, `views`, `likes`, `comments`,
//! `shares`, `saves`, `interactions`, `metric(name)`.

use rhai::{Engine, INT};

use super::{ContentHandle, Ctx, Res};
use crate::store::ContentRecord;

pub(super) fn register(engine: &mut Engine, c: &Ctx) {
    engine.register_get("id", |x: &mut ContentHandle| x.id.clone());
    engine.register_get("kind", |x: &mut ContentHandle| x.kind.clone());
    engine.register_get("platform", |x: &mut ContentHandle| x.platform.clone());
    engine.register_get("title", |x: &mut ContentHandle| x.title.clone());
    engine.register_get("text", |x: &mut ContentHandle| x.text.clone());
    engine.register_get("url", |x: &mut ContentHandle| x.url.clone());
    engine.register_get("published", |x: &mut ContentHandle| x.published as INT);
    engine.register_fn("to_string", |x: &mut ContentHandle| {
        format!("{} {} {}", x.platform, x.kind, x.id)
    });

    // The counters are read from the stored record each time.
    let record = {
        let k = c.clone();
        move |x: &ContentHandle| -> Res<ContentRecord> {
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
        engine.register_get(name, move |x: &mut ContentHandle| -> Res<INT> {
            Ok(r(x)?.metrics.get(name).copied().unwrap_or(0))
        });
    }
    let r = record.clone();
    engine.register_get("interactions", move |x: &mut ContentHandle| -> Res<INT> {
        Ok(r(x)?.interactions as INT)
    });
    engine.register_fn(
        "metric",
        move |x: &mut ContentHandle, name: &str| -> Res<INT> {
            Ok(record(x)?.metrics.get(name).copied().unwrap_or(0))
        },
    );
}
