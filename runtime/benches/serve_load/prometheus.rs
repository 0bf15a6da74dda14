//! Reading the server's Prometheus text: scalars, histogram buckets and
//! their quantiles.

/// The value of an unlabelled sample.
pub(crate) fn scalar(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

/// A histogram's cumulative buckets (bound, count), summed over every series
/// whose labels contain `labels` (empty: every series).
pub(crate) fn buckets(text: &str, name: &str, labels: &str) -> Vec<(f64, u64)> {
    let prefix = format!("{name}_bucket{{");
    let mut out: Vec<(f64, u64)> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(&prefix) else {
            continue;
        };
        let Some((inside, value)) = rest.rsplit_once("} ") else {
            continue;
        };
        if !inside.contains(labels) {
            continue;
        }
        let Some(le) = inside
            .split("le=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
        else {
            continue;
        };
        let bound = if le == "+Inf" {
            f64::INFINITY
        } else {
            le.parse().unwrap_or(f64::NAN)
        };
        let count: u64 = value.trim().parse().unwrap_or(0);
        match out.iter_mut().find(|(b, _)| *b == bound) {
            Some(slot) => slot.1 += count,
            None => out.push((bound, count)),
        }
    }
    out
}

/// What the histogram gained between two readings.
pub(crate) fn delta(after: &[(f64, u64)], before: &[(f64, u64)]) -> Vec<(f64, u64)> {
    after
        .iter()
        .map(|(b, n)| {
            let was = before.iter().find(|(bb, _)| bb == b).map_or(0, |(_, c)| *c);
            (*b, n.saturating_sub(was))
        })
        .collect()
}

pub(crate) fn total(h: &[(f64, u64)]) -> u64 {
    h.last().map_or(0, |(_, n)| *n)
}

/// The smallest bucket bound holding at least `q` of the observations.
pub(crate) fn quantile_bound(h: &[(f64, u64)], q: f64) -> Option<f64> {
    let n = total(h);
    if n == 0 {
        return None;
    }
    let want = ((q * n as f64).ceil() as u64).max(1);
    h.iter().find(|(_, c)| *c >= want).map(|(b, _)| *b)
}

/// The bound of the highest non-empty bucket.
pub(crate) fn worst_bucket(h: &[(f64, u64)]) -> Option<f64> {
    let mut below = 0;
    let mut worst = None;
    for (b, c) in h {
        if *c > below {
            worst = Some(*b);
        }
        below = *c;
    }
    worst
}

pub(crate) fn fmt_bound(b: Option<f64>) -> String {
    match b {
        None => "-".into(),
        Some(b) if b.is_infinite() => "> 10 s".into(),
        Some(b) => format!("<= {:.1} ms", b * 1e3),
    }
}
