//! Durations and virtual time: `seconds`, `minutes`, `hours`, `days`,
//! `time`, `now`, `seed`, `start`, `advance`.

use diorama_sdk::{Millis, DAY, HOUR, MINUTE, SECOND};
use rhai::{Engine, FLOAT, INT};

use super::{err, Ctx, Res};
use crate::event::time;

pub(super) fn register(engine: &mut Engine, c: &Ctx) {
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
        k.driver.start(&k.sim, t)
    });
    let k = c.clone();
    engine.register_fn("advance", move |d: INT| -> Res<()> {
        k.driver.advance(&k.sim, d, &k.meter)
    });
}

fn duration(n: FLOAT, unit: Millis, name: &str) -> Res<INT> {
    let ms = n * unit as f64;
    if !ms.is_finite() || ms.abs() > 1e15 {
        return err(format!("{name}({n}) is not a usable duration"));
    }
    Ok(ms.round() as INT)
}
