//! What a script states and reports: `expect`, `report`.

use rhai::{Dynamic, Engine, NativeCallContext};

use super::values::{json_size, to_json};
use super::{err, Ctx, Res};
use crate::report::{Expectation, ReportedValue};

pub(super) fn register(engine: &mut Engine, c: &Ctx) {
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
}
