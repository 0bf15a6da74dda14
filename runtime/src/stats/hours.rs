//! The audience's day: the share of comments in each local hour against
//! the reference curve (`diorama_sdk::models::time::REFERENCE_HOURLY_SHARE`,
//! published hourly activity of social media, see ARCHITECTURE.md,
//! *Realism references*): the busiest hour's share, the night trough
//! (05:00–07:00) per hour, their ratio, each beside the reference and the
//! tolerance a simulated week is held to.
//!
//! The local hour is the profile's timezone, which `report.json` lists per
//! profile (`profiles[].timezone`); a profile it does not list (or a folder
//! without `report.json`) is read in UTC, and [`Shape::zones`] says which.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use diorama_sdk::models::time::{
    REFERENCE_HOURLY_SHARE, REFERENCE_PEAK, REFERENCE_RATIO, REFERENCE_TROUGH, TOLERANCE_PEAK,
    TOLERANCE_RATIO, TOLERANCE_TROUGH,
};

/// The night trough: 05:00 to 07:00, local.
pub const TROUGH_HOURS: std::ops::Range<usize> = 5..7;

/// The shape of the comments' day beside the reference's.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Shape {
    /// Each profile's timezone as read (`UTC` when report.json did not
    /// name one).
    pub zones: BTreeMap<String, String>,
    /// The busiest local hour (0..24) and its share of the comments.
    pub busiest_hour: usize,
    pub busiest_share: f64,
    /// The share of comments per hour over 05:00–07:00.
    pub trough_per_hour: f64,
    /// Busiest share over trough per hour; `None` when the night is empty.
    pub ratio: Option<f64>,
    /// The reference's figures (shares, not percent) and its curve.
    pub reference_busiest: f64,
    pub reference_trough: f64,
    pub reference_ratio: f64,
    pub reference: Vec<f64>,
    /// Whether the three figures are within the tolerance a simulated week
    /// of one creator is held to (busiest at most 13 %, trough at least
    /// 0.8 % an hour, ratio at most 12).
    pub within_tolerance: bool,
}

/// The shape of `histogram` (comments per local hour 0..24).
pub fn shape(histogram: &[u64], zones: BTreeMap<String, String>) -> Shape {
    let total: u64 = histogram.iter().sum();
    let share = |n: u64| {
        if total == 0 {
            0.0
        } else {
            n as f64 / total as f64
        }
    };
    let (busiest_hour, busiest) = histogram.iter().enumerate().fold(
        (0, 0u64),
        |(bh, bn), (h, &n)| if n > bn { (h, n) } else { (bh, bn) },
    );
    let night: u64 = histogram
        .get(TROUGH_HOURS)
        .map(|h| h.iter().sum())
        .unwrap_or(0);
    let busiest_share = share(busiest);
    let trough_per_hour = share(night) / TROUGH_HOURS.len() as f64;
    let ratio = (trough_per_hour > 0.0).then(|| busiest_share / trough_per_hour);
    let within_tolerance = total > 0
        && busiest_share * 100.0 <= TOLERANCE_PEAK
        && trough_per_hour * 100.0 >= TOLERANCE_TROUGH
        && ratio.is_some_and(|r| r <= TOLERANCE_RATIO);
    Shape {
        zones,
        busiest_hour,
        busiest_share,
        trough_per_hour,
        ratio,
        reference_busiest: REFERENCE_PEAK / 100.0,
        reference_trough: REFERENCE_TROUGH / 100.0,
        reference_ratio: REFERENCE_RATIO,
        reference: REFERENCE_HOURLY_SHARE.iter().map(|p| p / 100.0).collect(),
        within_tolerance,
    }
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

/// The lines `diorama stats` prints under the hourly histogram.
pub fn render(s: &mut String, shape: &Shape) {
    let zones: Vec<String> = shape
        .zones
        .iter()
        .map(|(p, z)| format!("{p} {z}"))
        .collect();
    if !zones.is_empty() {
        let _ = writeln!(s, "  timezones: {}", zones.join(", "));
    }
    let ratio = match shape.ratio {
        Some(r) => format!("{r:.1}"),
        None => "- (no comment at night)".into(),
    };
    let _ = writeln!(
        s,
        "  busiest hour {:02}:00 holds {} (reference {}); 05:00-07:00 {} an hour (reference {}); ratio {} (reference {:.1})",
        shape.busiest_hour,
        pct(shape.busiest_share),
        pct(shape.reference_busiest),
        pct(shape.trough_per_hour),
        pct(shape.reference_trough),
        ratio,
        shape.reference_ratio,
    );
    let _ = writeln!(
        s,
        "  {} the tolerance for a week of one creator (busiest at most {TOLERANCE_PEAK} %, night at least {TOLERANCE_TROUGH} % an hour, ratio at most {TOLERANCE_RATIO})",
        if shape.within_tolerance { "within" } else { "outside" },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_curve_itself_is_within_tolerance() {
        let histogram: Vec<u64> = REFERENCE_HOURLY_SHARE
            .iter()
            .map(|p| (p * 100.0).round() as u64)
            .collect();
        let s = shape(&histogram, BTreeMap::new());
        assert_eq!(s.busiest_hour, 20);
        assert!((s.busiest_share - 0.0647).abs() < 1e-4, "{s:?}");
        assert!((s.trough_per_hour - 0.01645).abs() < 1e-4, "{s:?}");
        assert!(s.within_tolerance, "{s:?}");
    }

    #[test]
    fn an_empty_night_has_no_ratio_and_is_outside() {
        let mut histogram = vec![10u64; 24];
        histogram[5] = 0;
        histogram[6] = 0;
        let s = shape(&histogram, BTreeMap::new());
        assert_eq!(s.ratio, None);
        assert!(!s.within_tolerance);
        let mut text = String::new();
        render(&mut text, &s);
        assert!(text.contains("no comment at night"), "{text}");
    }
}
