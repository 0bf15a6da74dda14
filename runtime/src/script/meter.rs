//! What a script may spend: operations (Rhai's count plus what the host
//! charges for work proportional to data size), wall-clock time, and a
//! live profile's permission to keep running. Checked from Rhai's progress
//! callback, which runs before every operation, so a script stuck in a
//! long host call stops as soon as control comes back to it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rhai::{Dynamic, Engine, ImmutableString, INT};

use super::driver::Driver;
use super::Cancelled;

/// Bytes of data a built-in string function may scan for one operation.
/// Searching memory runs at a few gigabytes a second and one Rhai
/// operation takes some tens of nanoseconds, so 64 bytes are about one
/// operation's worth of time: an operation limit of 20 million then
/// bounds scanning work to about the same time as plain script work.
pub const BYTES_PER_OPERATION: usize = 64;

/// The wall clock and the live profile are looked at once per this many
/// operations (a power of two): often enough to stop within milliseconds,
/// rarely enough to cost nothing.
const CHECK_EVERY: u64 = 1 << 10;

/// Why a script was stopped by its meter (the message of its error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    Operations(u64),
    Timeout(Duration),
    Cancelled(Cancelled),
}

impl Stop {
    pub fn message(&self) -> String {
        match self {
            Stop::Operations(max) => format!(
                "the script exceeded its operation limit of {max} (a loop that never ends, or \
                 repeated work on very large strings?)"
            ),
            Stop::Timeout(t) => format!(
                "the script ran out of time: it ran for more than {} s of wall-clock time, its limit",
                t.as_secs()
            ),
            Stop::Cancelled(why) => format!("the scenario was cancelled: {why}"),
        }
    }
}

/// The meter of one script run, shared by the progress callback and the
/// host functions that charge work or wait.
pub struct Meter {
    max_operations: u64,
    timeout: Option<Duration>,
    started: Instant,
    /// Operations charged by host functions, on top of Rhai's count.
    charged: AtomicU64,
    /// Nanoseconds spent waiting for a live profile's clock: not the
    /// script's own work, so they do not count toward the time limit.
    waited: AtomicU64,
    /// Set once the meter has stopped the script, so later checks (in a
    /// host function) see it at once.
    stopped: AtomicBool,
    /// Asked whether the script must stop (a live profile going away).
    driver: Arc<dyn Driver>,
}

impl Meter {
    pub fn new(
        max_operations: u64,
        timeout: Option<Duration>,
        driver: Arc<dyn Driver>,
    ) -> Arc<Meter> {
        Arc::new(Meter {
            max_operations,
            timeout,
            started: Instant::now(),
            charged: AtomicU64::new(0),
            waited: AtomicU64::new(0),
            stopped: AtomicBool::new(false),
            driver,
        })
    }

    /// Charge work over `bytes` of data (at least one operation).
    pub fn charge_bytes(&self, bytes: usize) {
        let ops = (bytes / BYTES_PER_OPERATION) as u64 + 1;
        self.charged.fetch_add(ops, Ordering::Relaxed);
    }

    /// Time spent waiting for a live clock, not counted as running time.
    pub fn add_waited(&self, d: Duration) {
        let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.waited.fetch_add(ns, Ordering::Relaxed);
    }

    /// The time the script has run, waits for a live clock excluded.
    fn running_time(&self) -> Duration {
        self.started
            .elapsed()
            .saturating_sub(Duration::from_nanos(self.waited.load(Ordering::Relaxed)))
    }

    /// Whether the script must stop now (time, cancellation).
    pub fn check(&self) -> Option<Stop> {
        if let Some(t) = self.timeout {
            if self.running_time() > t {
                return Some(Stop::Timeout(t));
            }
        }
        self.driver.stopped().map(Stop::Cancelled)
    }

    /// The progress callback: `ops` is Rhai's count so far.
    fn progress(&self, ops: u64) -> Option<Stop> {
        let total = ops.saturating_add(self.charged.load(Ordering::Relaxed));
        let stop = if total > self.max_operations {
            Some(Stop::Operations(self.max_operations))
        } else if ops.is_multiple_of(CHECK_EVERY) || self.stopped.load(Ordering::Relaxed) {
            self.check()
        } else {
            None
        };
        if stop.is_some() {
            self.stopped.store(true, Ordering::Relaxed);
        }
        stop
    }

    /// Install the meter on `engine`: the progress callback and the
    /// built-in string functions whose cost grows with the data, replaced
    /// by the same functions charged by the bytes they scan.
    pub fn install(self: &Arc<Self>, engine: &mut Engine) {
        let m = self.clone();
        engine.on_progress(move |ops| {
            m.progress(ops)
                .map(|stop| Dynamic::from(StopToken(stop.message())))
        });
        register_charged_strings(engine, self);
    }
}

/// The value a stopped script is terminated with: its message.
#[derive(Clone, Debug)]
pub struct StopToken(pub String);

/// The scanning string functions of Rhai's standard library, with the same
/// results, charged by the bytes they go over. Without this one call on an
/// 8 MiB string counts as one operation and the operation limit means
/// nothing.
fn register_charged_strings(engine: &mut Engine, meter: &Arc<Meter>) {
    let m = meter.clone();
    engine.register_fn("index_of", move |s: &str, find: &str| -> INT {
        m.charge_bytes(s.len());
        index_of(s, 0, find)
    });
    let m = meter.clone();
    engine.register_fn("index_of", move |s: &str, find: char| -> INT {
        m.charge_bytes(s.len());
        index_of(s, 0, find.encode_utf8(&mut [0; 4]))
    });
    let m = meter.clone();
    engine.register_fn("index_of", move |s: &str, find: &str, start: INT| -> INT {
        m.charge_bytes(s.len());
        match start_byte(s, start) {
            Some(b) => index_of(s, b, find),
            None => -1,
        }
    });
    let m = meter.clone();
    engine.register_fn("index_of", move |s: &str, find: char, start: INT| -> INT {
        m.charge_bytes(s.len());
        match start_byte(s, start) {
            Some(b) => index_of(s, b, find.encode_utf8(&mut [0; 4])),
            None => -1,
        }
    });
    let m = meter.clone();
    engine.register_fn("contains", move |s: &str, find: &str| -> bool {
        m.charge_bytes(s.len());
        memchr::memmem::find(s.as_bytes(), find.as_bytes()).is_some()
    });
    let m = meter.clone();
    engine.register_fn("contains", move |s: &str, find: char| -> bool {
        m.charge_bytes(s.len());
        memchr::memmem::find(s.as_bytes(), find.encode_utf8(&mut [0; 4]).as_bytes()).is_some()
    });
    let len = {
        let m = meter.clone();
        move |s: &str| -> INT {
            m.charge_bytes(s.len());
            INT::try_from(s.chars().count()).unwrap_or(INT::MAX)
        }
    };
    engine.register_fn("len", len.clone());
    // The property `s.len`, taking the string by reference like Rhai's own
    // getter so it works on constants too.
    engine.register_fn("get$len", len);
    let m = meter.clone();
    engine.register_fn(
        "replace",
        move |s: &mut ImmutableString, find: &str, with: &str| {
            m.charge_bytes(s.len());
            if !s.is_empty() {
                *s = s.replace(find, with).into();
            }
        },
    );
    let m = meter.clone();
    engine.register_fn(
        "replace",
        move |s: &mut ImmutableString, find: char, with: char| {
            m.charge_bytes(s.len());
            if !s.is_empty() {
                *s = s.replace(find, &with.to_string()).into();
            }
        },
    );
    let m = meter.clone();
    engine.register_fn(
        "replace",
        move |s: &mut ImmutableString, find: &str, with: char| {
            m.charge_bytes(s.len());
            if !s.is_empty() {
                *s = s.replace(find, &with.to_string()).into();
            }
        },
    );
    let m = meter.clone();
    engine.register_fn(
        "replace",
        move |s: &mut ImmutableString, find: char, with: &str| {
            m.charge_bytes(s.len());
            if !s.is_empty() {
                *s = s.replace(find, with).into();
            }
        },
    );
    let m = meter.clone();
    engine.register_fn(
        "split",
        move |s: ImmutableString, delimiter: &str| -> rhai::Array {
            m.charge_bytes(s.len());
            if s.is_empty() || (!delimiter.is_empty() && !s.contains(delimiter)) {
                vec![s.into()]
            } else {
                s.split(delimiter).map(Into::into).collect()
            }
        },
    );
    let m = meter.clone();
    engine.register_fn(
        "split",
        move |s: ImmutableString, delimiter: char| -> rhai::Array {
            m.charge_bytes(s.len());
            if s.is_empty() || !s.contains(delimiter) {
                vec![s.into()]
            } else {
                s.split(delimiter).map(Into::into).collect()
            }
        },
    );
}

/// The character index of the first match of `find` at or after byte
/// `from`, or -1. The search is `memchr`'s, vectorised.
fn index_of(s: &str, from: usize, find: &str) -> INT {
    if s.is_empty() {
        return -1;
    }
    s.as_bytes()
        .get(from..)
        .and_then(|hay| memchr::memmem::find(hay, find.as_bytes()))
        .and_then(|i| INT::try_from(s[..from + i].chars().count()).ok())
        .unwrap_or(-1)
}

/// The byte offset of character index `start` (from the end when
/// negative, clamped to 0), or `None` when it is past the end; Rhai's
/// semantics for `index_of(s, x, start)`.
fn start_byte(s: &str, start: INT) -> Option<usize> {
    let chars = s.chars().count();
    let index = if start < 0 {
        let back = usize::try_from(start.unsigned_abs()).unwrap_or(usize::MAX);
        chars.saturating_sub(back)
    } else {
        let start = usize::try_from(start).ok()?;
        if start > 0 && start >= chars {
            return None;
        }
        start
    };
    Some(s.char_indices().nth(index).map_or(s.len(), |(b, _)| b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::driver::Batch;

    fn engine() -> Engine {
        let mut e = Engine::new();
        Meter::new(u64::MAX, None, Batch::new(None)).install(&mut e);
        e
    }

    /// The charged functions answer as Rhai's own do.
    #[test]
    fn charged_string_functions_keep_rhais_results() {
        let plain = Engine::new();
        let charged = engine();
        for expr in [
            r#""héllo wörld".index_of("wö")"#,
            r#""héllo wörld".index_of('o')"#,
            r#""héllo wörld".index_of("o", 5)"#,
            r#""héllo wörld".index_of('o', -3)"#,
            r#""héllo wörld".index_of('o', -30)"#,
            r#""héllo wörld".index_of('o', 30)"#,
            r#""héllo".index_of("", 0)"#,
            r#""".index_of("x")"#,
            r#""héllo".index_of("z")"#,
        ] {
            let a: INT = plain.eval(expr).unwrap();
            let b: INT = charged.eval(expr).unwrap();
            assert_eq!(a, b, "{expr}");
        }
        for expr in [
            r#""héllo".contains("él")"#,
            r#""héllo".contains('z')"#,
            r#""é" in "héllo""#,
        ] {
            let a: bool = plain.eval(expr).unwrap();
            let b: bool = charged.eval(expr).unwrap();
            assert_eq!(a, b, "{expr}");
        }
        for expr in [
            r#"let s = "a-b-c"; s.replace("-", "+"); s"#,
            r#"let s = "a-b-c"; s.replace('-', '+'); s"#,
            r#"let s = "a-b-c"; s.replace("-", '+'); s"#,
            r#"let s = "a-b-c"; s.replace('-', "++"); s"#,
            r#""a,b,,c".split(",").len().to_string()"#,
            r#""a,b,,c".split(',')[2]"#,
            r#""héllo".len.to_string()"#,
            r#"len("héllo").to_string()"#,
        ] {
            let a: String = plain.eval(expr).unwrap();
            let b: String = charged.eval(expr).unwrap();
            assert_eq!(a, b, "{expr}");
        }
    }

    #[test]
    fn scanning_a_large_string_is_charged_by_its_size() {
        let mut e = Engine::new();
        let meter = Meter::new(1_000_000, None, Batch::new(None));
        meter.install(&mut e);
        // 1 MiB scanned 100 times is about 1.6 million operations' worth.
        let r = e
            .run(r#"let s = "x"; for i in 0..20 { s += s; } for i in 0..100 { s.index_of("y"); }"#);
        let err = r.expect_err("the charge stops it");
        assert!(
            matches!(*err, rhai::EvalAltResult::ErrorTerminated(..)),
            "{err}"
        );
    }
}
