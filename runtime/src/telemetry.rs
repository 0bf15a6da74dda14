//! Counters and histograms the server exports as Prometheus text at
//! `/metrics`. Lock-free counters; histograms with fixed buckets.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// A histogram of seconds over fixed bucket bounds.
pub struct Histogram {
    bounds: &'static [f64],
    /// One count per bound, plus +Inf.
    counts: Vec<AtomicU64>,
    /// Sum in microseconds.
    sum_us: AtomicU64,
}

/// Bounds for request latencies and event lateness, in seconds.
pub const LATENCY_BOUNDS: &[f64] = &[
    0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1,
    0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

impl Histogram {
    pub fn new(bounds: &'static [f64]) -> Self {
        Histogram {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_us: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, seconds: f64) {
        let seconds = seconds.max(0.0);
        let i = self
            .bounds
            .iter()
            .position(|b| seconds <= *b)
            .unwrap_or(self.bounds.len());
        self.counts[i].fetch_add(1, Ordering::Relaxed);
        self.sum_us
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }

    /// The smallest bucket bound holding at least `q` of the observations
    /// (an upper estimate of the quantile), or `None` when empty.
    pub fn quantile_bound(&self, q: f64) -> Option<f64> {
        let total = self.count();
        if total == 0 {
            return None;
        }
        let want = (q * total as f64).ceil() as u64;
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c.load(Ordering::Relaxed);
            if seen >= want {
                return Some(self.bounds.get(i).copied().unwrap_or(f64::INFINITY));
            }
        }
        Some(f64::INFINITY)
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        let sep = if labels.is_empty() { "" } else { "," };
        for (i, c) in self.counts.iter().enumerate() {
            cumulative += c.load(Ordering::Relaxed);
            let le = match self.bounds.get(i) {
                Some(b) => format!("{b}"),
                None => "+Inf".into(),
            };
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {cumulative}"
            );
        }
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(
            out,
            "{name}_sum{braces} {}",
            self.sum_us.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "{name}_count{braces} {cumulative}");
    }
}

/// Everything the server counts.
pub struct Telemetry {
    pub events_generated: AtomicU64,
    pub events_streamed: AtomicU64,
    pub plugin_failures: AtomicU64,
    pub lateness: Histogram,
    /// (method, route, status) → latency histogram. The labels are
    /// `'static`: callers pass values from closed sets (see the router), so
    /// the map cannot grow with what clients send.
    requests: Mutex<BTreeMap<(&'static str, &'static str, u16), Histogram>>,
}

impl Default for Telemetry {
    fn default() -> Self {
        Telemetry {
            events_generated: AtomicU64::new(0),
            events_streamed: AtomicU64::new(0),
            plugin_failures: AtomicU64::new(0),
            lateness: Histogram::new(LATENCY_BOUNDS),
            requests: Mutex::new(BTreeMap::new()),
        }
    }
}

/// Gauges and counters owned elsewhere, read when rendering.
pub struct Extra {
    pub live_profiles: u64,
    pub profiles: u64,
    pub webhook_delivered: u64,
    pub webhook_failed_attempts: u64,
    pub webhook_gave_up: u64,
    pub webhooks_failing: u64,
}

impl Telemetry {
    pub fn request(&self, method: &'static str, route: &'static str, status: u16, seconds: f64) {
        let mut map = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        let key = (method, route, status);
        map.entry(key)
            .or_insert_with(|| Histogram::new(LATENCY_BOUNDS))
            .observe(seconds);
    }

    /// The Prometheus text exposition.
    pub fn render(&self, extra: &Extra) -> String {
        let mut out = String::new();
        let counter = |out: &mut String, name: &str, help: &str, v: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}"
            );
        };
        let gauge = |out: &mut String, name: &str, help: &str, v: u64| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        };
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        counter(
            &mut out,
            "diorama_events_generated_total",
            "Events generated by live profiles and stored.",
            load(&self.events_generated),
        );
        counter(
            &mut out,
            "diorama_events_streamed_total",
            "Events sent to server-sent-event clients.",
            load(&self.events_streamed),
        );
        counter(
            &mut out,
            "diorama_webhook_deliveries_total",
            "Webhook deliveries answered with a 2xx.",
            extra.webhook_delivered,
        );
        counter(
            &mut out,
            "diorama_webhook_failures_total",
            "Webhook delivery attempts that failed (to be retried).",
            extra.webhook_failed_attempts,
        );
        counter(
            &mut out,
            "diorama_webhook_gave_up_total",
            "Webhook deliveries abandoned after retrying for too long.",
            extra.webhook_gave_up,
        );
        gauge(
            &mut out,
            "diorama_webhooks_failing",
            "Webhooks whose last attempt failed.",
            extra.webhooks_failing,
        );
        counter(
            &mut out,
            "diorama_plugin_failures_total",
            "Plugin failures (traps, timeouts, memory) that degraded a profile.",
            load(&self.plugin_failures),
        );
        gauge(
            &mut out,
            "diorama_live_profiles",
            "Profiles whose simulation is running.",
            extra.live_profiles,
        );
        gauge(
            &mut out,
            "diorama_profiles",
            "Profiles stored on this server.",
            extra.profiles,
        );
        let name = "diorama_event_lateness_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} How long after its virtual time (mapped to the wall clock) an event was published.\n# TYPE {name} histogram"
        );
        self.lateness.render(&mut out, name, "");
        let name = "diorama_http_request_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} HTTP request latency by method, route and status.\n# TYPE {name} histogram"
        );
        let map = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        for ((method, route, status), h) in map.iter() {
            let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{status}\"");
            h.render(&mut out, name, &labels);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_and_quantiles_bound_from_above() {
        let h = Histogram::new(LATENCY_BOUNDS);
        for ms in [0.2, 0.7, 3.0, 3.0, 40.0, 20_000.0] {
            h.observe(ms / 1000.0);
        }
        assert_eq!(h.count(), 6);
        assert_eq!(h.quantile_bound(0.5), Some(0.003));
        assert_eq!(h.quantile_bound(0.8), Some(0.04));
        assert_eq!(h.quantile_bound(1.0), Some(f64::INFINITY));
        let mut out = String::new();
        h.render(&mut out, "x", "");
        assert!(out.contains("x_bucket{le=\"0.0005\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"0.003\"} 4\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"+Inf\"} 6\n"), "{out}");
        assert!(out.contains("x_count 6\n"), "{out}");
    }
}
