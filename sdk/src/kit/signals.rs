//! The signals under way on one account ([`ActiveSignals`]) and the
//! dispatch of a scenario's `signal(…)` to them ([`apply`]).
//!
//! The account-wide signals (`shadowban`, `health`, `brand_deal_flood`,
//! `controversy`, `growth`) live entirely here (`health` and `shadowban`
//! in [`Health`], see [`crate::kit::health`]); the ones aimed at one post
//! (`viral`, `troll_wave`) need the platform's content, which it lends
//! through [`SignalHost`]: which post a signal targets, and what starting
//! one does to it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::kit::health::Health;
use crate::models::rng::Rng;
use crate::models::signals::{BrandDealFlood, Controversy, Growth, TrollWave};
use crate::models::spike::{Shadowban, ViralParams};
use crate::models::text::Sentiment;
use crate::types::{Millis, DAY, HOUR, MINUTE};

/// The audience count is reported this often (plus up to as much again)
/// while it grows toward a `growth` target.
pub const GROWTH_REPORT: Millis = 30 * MINUTE;

/// The signal the host sends an account before it steps the account's
/// past (`history_days`, a preset): `{"until": <ms>}`, the end of that
/// past. Until then the account is stepped in [`PAST_SUBSTEP`]s, not its
/// own sub-step: a coarser past (see [`ActiveSignals::substep`]). It is
/// not one of [`ALL`]: scenarios do not send it, and a platform does not
/// list it among its signals.
pub const PAST: &str = "past";

/// The sub-step of an account's past: an hour, sixty times fewer than the
/// minute the built-in platforms step in otherwise. Posts, comments and
/// DMs keep their own times within it; metrics are reported at most once
/// a sub-step.
pub const PAST_SUBSTEP: Millis = HOUR;

/// How often a post reports its metrics at most in an account's past:
/// daily totals (see [`ActiveSignals::next_metric`]).
pub const PAST_METRICS: Millis = DAY;

/// Every signal the kit understands, in the order errors list them.
pub const ALL: [&str; 7] = [
    "viral",
    "shadowban",
    "health",
    "troll_wave",
    "brand_deal_flood",
    "controversy",
    "growth",
];

/// The signals under way on one account.
///
/// Flatten it into the platform's state (`#[serde(flatten)]`): its fields
/// keep their names in a snapshot, and each defaults to empty, so a
/// snapshot from before a signal existed still restores.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ActiveSignals {
    #[serde(default)]
    pub shadowbans: Vec<Shadowban>,
    #[serde(default)]
    pub controversies: Vec<Controversy>,
    #[serde(default)]
    pub floods: Vec<BrandDealFlood>,
    /// Troll waves under way and their target's index.
    #[serde(default)]
    pub trolls: Vec<(u32, TrollWave)>,
    #[serde(default)]
    pub growth: Option<Growth>,
    /// The account's health (a shadowban is its `shadowbanned` state).
    #[serde(default)]
    pub health: Health,
    /// The end of the account's past while the host steps it ([`PAST`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub past_until: Option<Millis>,
}

impl ActiveSignals {
    /// The shadowbans' and restrictions' reach factor at `t` (1 without
    /// one).
    pub fn reach_at(&self, t: Millis) -> f64 {
        Shadowban::factor_at(&self.shadowbans, t) * self.health.reach_at(t)
    }

    /// The shadowbans' reach factor at `a`, for a step `[a, b)`; retires
    /// the ones over by `b`.
    pub fn step_reach(&mut self, a: Millis, b: Millis) -> f64 {
        let factor = self.reach_at(a);
        self.shadowbans.retain(|s| !s.over(b));
        factor
    }

    /// The extra collaboration DMs at `t`, as a multiple of the usual ones
    /// (0 without a flood).
    pub fn flood_extra(&self, t: Millis) -> f64 {
        BrandDealFlood::extra_at(&self.floods, t)
    }

    /// A comment's sentiment at `t`: the normal mix, or the one a
    /// controversy in force sets (drawing exactly as [`Sentiment::sample`]
    /// without one).
    pub fn sentiment(&self, rng: &mut Rng, t: Millis) -> Sentiment {
        Controversy::sample(&self.controversies, rng, t)
    }

    /// Retire the controversies healed and the floods over by `t`.
    pub fn retire(&mut self, t: Millis) {
        self.controversies.retain(|c| !c.over(t));
        self.floods.retain(|f| f.end > t);
    }

    /// The sub-step to step `[from, …)` in: [`PAST_SUBSTEP`] (or `own`, if
    /// longer) in the account's past, `own` after it. The past's last
    /// window ends at its end, so no sub-step straddles it.
    pub fn substep(&self, from: Millis, own: Millis) -> Millis {
        match self.past_until {
            Some(until) if from < until => own.max(PAST_SUBSTEP),
            _ => own,
        }
    }

    /// When a post that reported its metrics at `a` reports next, its own
    /// `interval` later: in the account's past at least [`PAST_METRICS`]
    /// later, but no later than the past's end, so every post still
    /// running reports its totals as the present begins.
    pub fn next_metric(&self, a: Millis, interval: Millis) -> Millis {
        match self.past_until {
            Some(until) if a < until => a.saturating_add(interval.max(PAST_METRICS)).min(until),
            _ => a.saturating_add(interval),
        }
    }

    /// Add the growth over `[a, b)` toward its target for an audience
    /// expected at `current`; whether this step reaches its end (false
    /// without growth under way).
    pub fn advance_growth(&mut self, a: Millis, b: Millis, current: f64) -> bool {
        self.growth
            .as_mut()
            .is_some_and(|g| g.advance(a, b, current))
    }
}

/// What an account lends the signal dispatch: the platform's words and
/// its content.
pub trait SignalHost {
    /// The platform's name, at the start of every error.
    const PLATFORM: &'static str;
    /// What its audience is counted in (`followers`, `subscribers`): the
    /// `growth` signal's target parameter.
    const AUDIENCE: &'static str;
    /// The signals of [`ALL`] it takes, in the order its errors list them.
    const SIGNALS: &'static [&'static str];

    fn active_signals(&mut self) -> &mut ActiveSignals;

    /// The audience count now, which a `growth` target must exceed.
    fn audience_count(&self) -> i64;

    /// The index of the post `signal` (`viral` or `troll_wave`) targets:
    /// `content_id`, or without one the platform's default (the latest
    /// post it can take); an error naming the platform when there is none.
    fn signal_target(&self, signal: &str, content_id: Option<&str>) -> Result<usize, String>;

    /// Start a viral spike on post `idx` at `at`.
    fn start_viral(&mut self, at: Millis, idx: usize, params: &ViralParams);

    /// A troll wave starts on post `idx` at `at` (the kit then holds it):
    /// say, report its metrics soon and keep it drawing an audience.
    fn start_troll_wave(&mut self, at: Millis, idx: usize, wave: &TrollWave);

    /// Growth toward a target started at `at`: report the audience soon.
    fn start_growth(&mut self, at: Millis);
}

/// Apply the signal `name` with `params` at `at`: parse its parameters
/// (errors name the platform, the signal and the parameter), then start
/// it. A signal the host does not take is an error listing the ones it
/// does.
pub fn apply<H: SignalHost>(
    host: &mut H,
    at: Millis,
    name: &str,
    params: &Value,
) -> Result<(), String> {
    let platform = H::PLATFORM;
    if name == PAST {
        let until = params
            .get("until")
            .and_then(Value::as_i64)
            .filter(|&u| u >= at)
            .ok_or_else(|| {
                format!(
                    "{platform}: `{PAST}` needs `until`, a time in ms no earlier than now ({at})"
                )
            })?;
        host.active_signals().past_until = Some(until);
        return Ok(());
    }
    if !H::SIGNALS.contains(&name) || !ALL.contains(&name) {
        return Err(format!(
            "{platform} does not understand the signal `{name}` (known: {})",
            H::SIGNALS.join(", ")
        ));
    }
    match name {
        "viral" => {
            let p = ViralParams::parse(platform, params)?;
            let idx = host.signal_target(name, p.content_id.as_deref())?;
            host.start_viral(at, idx, &p);
        }
        "shadowban" => {
            let ban = Shadowban::parse(platform, at, params)?;
            let signals = host.active_signals();
            signals.health.shadowbanned(&ban);
            signals.shadowbans.push(ban);
        }
        "health" => {
            let signals = host.active_signals();
            if let Some(ban) = signals.health.parse(platform, at, params)? {
                signals.shadowbans.push(ban);
            }
            if params.get("state").and_then(Value::as_str) == Some("ok") {
                // `ok` lifts a shadowban in force at once.
                for b in &mut signals.shadowbans {
                    if b.start <= at && at < b.end {
                        b.end = at;
                        b.recovery = 0;
                    }
                }
            }
        }
        "troll_wave" => {
            let wave = TrollWave::parse(platform, at, params)?;
            let idx = host.signal_target(name, wave.content_id.as_deref())?;
            host.start_troll_wave(at, idx, &wave);
            host.active_signals().trolls.push((idx as u32, wave));
        }
        "brand_deal_flood" => {
            let flood = BrandDealFlood::parse(platform, at, params)?;
            host.active_signals().floods.push(flood);
        }
        "controversy" => {
            let c = Controversy::parse(platform, at, params)?;
            host.active_signals().controversies.push(c);
        }
        _ => {
            let g = Growth::parse(platform, H::AUDIENCE, at, host.audience_count(), params)?;
            host.active_signals().growth = Some(g);
            host.start_growth(at);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{DAY, HOUR};
    use serde_json::json;

    /// Three posts; the last one cannot be a signal's target.
    #[derive(Default)]
    struct Host {
        signals: ActiveSignals,
        spikes: Vec<usize>,
        waves: Vec<usize>,
        growth_at: Option<Millis>,
    }

    impl SignalHost for Host {
        const PLATFORM: &'static str = "test";
        const AUDIENCE: &'static str = "members";
        const SIGNALS: &'static [&'static str] = &["viral", "troll_wave", "controversy", "growth"];

        fn active_signals(&mut self) -> &mut ActiveSignals {
            &mut self.signals
        }

        fn audience_count(&self) -> i64 {
            500
        }

        fn signal_target(&self, signal: &str, content_id: Option<&str>) -> Result<usize, String> {
            match content_id {
                None => Ok(1),
                Some("p0") => Ok(0),
                Some(id) => Err(format!("test: no post `{id}` for `{signal}`")),
            }
        }

        fn start_viral(&mut self, _at: Millis, idx: usize, _params: &ViralParams) {
            self.spikes.push(idx);
        }

        fn start_troll_wave(&mut self, _at: Millis, idx: usize, _wave: &TrollWave) {
            self.waves.push(idx);
        }

        fn start_growth(&mut self, at: Millis) {
            self.growth_at = Some(at);
        }
    }

    #[test]
    fn signals_reach_their_holder_or_their_target() {
        let mut h = Host::default();
        apply(&mut h, 10, "viral", &json!({"content_id": "p0"})).unwrap();
        apply(&mut h, 10, "troll_wave", &json!({"size": 5})).unwrap();
        apply(&mut h, 10, "controversy", &json!({})).unwrap();
        apply(&mut h, 20, "growth", &json!({"members": 900})).unwrap();
        assert_eq!((h.spikes, h.waves), (vec![0], vec![1]));
        assert_eq!(h.signals.trolls.len(), 1);
        assert_eq!(h.signals.trolls[0].0, 1);
        assert_eq!(h.signals.controversies.len(), 1);
        assert_eq!(h.signals.growth.as_ref().map(|g| g.target), Some(900));
        assert_eq!(h.growth_at, Some(20));
    }

    #[test]
    fn errors_name_the_platform_and_what_is_wrong() {
        let mut h = Host::default();
        let e = apply(&mut h, 0, "shadowban", &json!({})).unwrap_err();
        assert_eq!(
            e,
            "test does not understand the signal `shadowban` (known: viral, troll_wave, controversy, growth)"
        );
        let e = apply(&mut h, 0, "viral", &json!({"content_id": "p9"})).unwrap_err();
        assert!(e.contains("`p9`"), "{e}");
        let e = apply(&mut h, 0, "growth", &json!({"members": 10})).unwrap_err();
        assert!(e.starts_with("test: ") && e.contains("`members`"), "{e}");
        let e = apply(&mut h, 0, "troll_wave", &json!({"size": 0})).unwrap_err();
        assert!(e.contains("`size`"), "{e}");
        assert!(h.signals == ActiveSignals::default());
    }

    #[test]
    fn the_holder_answers_at_a_time_and_retires_what_is_over() {
        let mut s = ActiveSignals::default();
        s.shadowbans.push(
            Shadowban::parse(
                "t",
                0,
                &json!({"factor": 0.5, "duration": HOUR, "recovery": HOUR}),
            )
            .unwrap(),
        );
        s.floods
            .push(BrandDealFlood::parse("t", 0, &json!({"factor": 4, "duration": HOUR})).unwrap());
        s.controversies
            .push(Controversy::parse("t", 0, &json!({"duration": HOUR, "heal": HOUR})).unwrap());
        assert_eq!(s.reach_at(HOUR / 2), 0.5);
        assert_eq!(s.flood_extra(HOUR / 2), 3.0);
        // The factor is the one at the step's start, even when the ban
        // ends within it.
        let f = s.step_reach(2 * HOUR - 1, 2 * HOUR);
        assert!(f < 1.0 && s.shadowbans.is_empty(), "{f}");
        s.retire(HOUR);
        assert!(s.floods.is_empty() && s.controversies.len() == 1);
        s.retire(2 * HOUR);
        assert!(s.controversies.is_empty());
        let mut a = Rng::new(3, "x");
        let mut b = a.clone();
        assert_eq!(s.sentiment(&mut a, DAY), Sentiment::sample(&mut b));
        assert!(!s.advance_growth(0, HOUR, 10.0));
    }

    #[test]
    fn a_snapshot_without_signals_restores_empty() {
        #[derive(Serialize, Deserialize)]
        struct State {
            n: u32,
            #[serde(flatten)]
            signals: ActiveSignals,
        }
        let s: State = serde_json::from_str(r#"{"n": 1, "shadowbans": []}"#).unwrap();
        assert_eq!((s.n, s.signals), (1, ActiveSignals::default()));
    }

    #[test]
    fn the_past_steps_in_hours_and_reports_daily_up_to_its_end() {
        let mut s = ActiveSignals::default();
        // No past: the platform's own sub-step and interval.
        assert_eq!(s.substep(0, MINUTE), MINUTE);
        assert_eq!(s.next_metric(0, 7 * MINUTE), 7 * MINUTE);
        s.past_until = Some(10 * DAY + 30 * MINUTE);
        assert_eq!(s.substep(0, MINUTE), PAST_SUBSTEP);
        assert_eq!(
            s.substep(0, 2 * HOUR),
            2 * HOUR,
            "a longer own sub-step stays"
        );
        assert_eq!(s.next_metric(HOUR, 7 * MINUTE), HOUR + PAST_METRICS);
        assert_eq!(s.next_metric(HOUR, 3 * DAY), HOUR + 3 * DAY);
        // Never past the past's end: every post reports as the present begins.
        assert_eq!(s.next_metric(10 * DAY, 7 * MINUTE), 10 * DAY + 30 * MINUTE);
        // After it, as without one.
        assert_eq!(s.substep(10 * DAY + 30 * MINUTE, MINUTE), MINUTE);
        assert_eq!(s.next_metric(11 * DAY, 7 * MINUTE), 11 * DAY + 7 * MINUTE);
    }

    #[test]
    fn the_past_signal_needs_an_end_no_earlier_than_now() {
        let mut h = Host::default();
        apply(&mut h, HOUR, PAST, &json!({"until": DAY})).unwrap();
        assert_eq!(h.signals.past_until, Some(DAY));
        for bad in [json!({}), json!({"until": "soon"}), json!({"until": 0})] {
            let e = apply(&mut h, HOUR, PAST, &bad).unwrap_err();
            assert!(e.starts_with("test: `past` needs `until`"), "{e}");
        }
        assert!(!ALL.contains(&PAST), "scenarios do not send it");
    }

    #[test]
    fn a_snapshot_without_a_past_has_no_past_field() {
        let s = serde_json::to_string(&ActiveSignals::default()).unwrap();
        assert!(!s.contains("past_until"), "{s}");
    }
}
