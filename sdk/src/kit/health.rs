//! An account's health: `ok`, `shadowbanned`, `restricted`,
//! `action_blocked`, `token_expired` or `suspended`.
//!
//! The state at a time is the most severe of the spells in force then
//! (severity in that order, `suspended` the worst). Spells come from three
//! places:
//!
//! - the simulation: a platform's [`BlockRule`] counts the creator's
//!   actions, and a burst of `max` of them within `within` blocks the
//!   account's actions for `lasts` ([`Health::count`]), after which the
//!   block lifts by itself;
//! - a scenario's `health` signal {state, for?, depth?} ([`Health::parse`]):
//!   any state for `for` (until another `health` signal without it), `ok`
//!   ending every spell in force;
//! - the `shadowban` signal, which is the `shadowbanned` state: both add a
//!   [`Shadowban`] (the reach cut, with its recovery) and a spell, so a
//!   shadowban is one thing whichever signal started it.
//!
//! Every change of state is a notice (`health_<state>`, e.g.
//! `health_action_blocked`, then `health_ok`), made by the action that
//! starts a block or by the step in which a spell starts or ends
//! ([`Health::step`]). Effects: reach is multiplied by a restriction's
//! factor ([`Health::reach_at`], besides the shadowban's own); while
//! `action_blocked`, the actions a rule counts are refused, and while
//! `suspended` or `token_expired` every action is ([`Health::admit`]), with
//! a message saying why and for how long. A platform's native API answers
//! those states in its own error shape ([`Health::refusal`] says which
//! state refuses a request's action).
//!
//! State is bounded: at most [`MAX_SPELLS`] spells (the ones over are
//! retired each step) and the times of at most `max` recent actions.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::models::params::check_known;
use crate::models::spike::Shadowban;
use crate::types::{
    ActionError, Event, HttpRequest, HttpResponse, Millis, NativeOutcome, Notice, Payload, DAY,
    HOUR, MINUTE,
};

/// The header through which the host tells a plugin's native API that a
/// request carries no valid access token (`missing`, `invalid`, or
/// `expired` for an account whose token has expired); every platform
/// answers it with its own credential error.
pub const CREDENTIALS_HEADER: &str = "x-diorama-credentials";

/// The most spells an account keeps; the one ending first goes when a new
/// one would pass it.
pub const MAX_SPELLS: usize = 32;
/// How long a `health` signal without `for` lasts: until another one
/// changes it, within a run's longest span.
pub const UNTIL_CHANGED: Millis = 366 * DAY;
/// Reach of a `restricted` account, as a share of its usual reach, unless
/// the signal says otherwise (`depth` = 1 − this).
pub const RESTRICTED_REACH: f64 = 0.5;
/// Reach of a `shadowbanned` account set by the `health` signal, as the
/// `shadowban` signal's default.
pub const SHADOWBANNED_REACH: f64 = 0.1;

/// The description of the `health` signal for `describe()`.
pub const DESCRIPTION: &str = "set the account's health: {state: ok | shadowbanned | restricted | action_blocked | token_expired | suspended, for: ms (until changed), depth: share of reach lost (shadowbanned 0.9, restricted 0.5)}; `ok` ends every state in force; each change is a `health_<state>` notice; reach drops while shadowbanned or restricted, the creator's actions are refused while action_blocked (those the platform counts), token_expired or suspended (all), and the native API answers with the platform's own errors";

/// An account's health state, from the mildest to the most severe.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    #[default]
    Ok,
    Shadowbanned,
    Restricted,
    ActionBlocked,
    TokenExpired,
    Suspended,
}

impl State {
    pub const ALL: [State; 6] = [
        State::Ok,
        State::Shadowbanned,
        State::Restricted,
        State::ActionBlocked,
        State::TokenExpired,
        State::Suspended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Shadowbanned => "shadowbanned",
            State::Restricted => "restricted",
            State::ActionBlocked => "action_blocked",
            State::TokenExpired => "token_expired",
            State::Suspended => "suspended",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The notice code announcing this state: `health_<state>`.
    pub fn notice_code(self) -> String {
        format!("{NOTICE_PREFIX}{}", self.as_str())
    }
}

/// Every health notice's code starts with this; the rest is the state.
pub const NOTICE_PREFIX: &str = "health_";

/// A state in force over `[start, end)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spell {
    pub state: State,
    pub start: Millis,
    pub end: Millis,
    /// Reach multiplier while it is in force (1: none of its own).
    pub reach: f64,
    /// Why, for its notice.
    pub why: String,
}

/// A platform's action block: `max` of the actions in `counts` within
/// `within` block those actions for `lasts`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlockRule {
    pub max: u32,
    pub within: Millis,
    pub lasts: Millis,
    /// The actions counted, and refused while blocked.
    pub counts: &'static [&'static str],
    /// What the platform tells the creator, quoted in refusals.
    pub says: &'static str,
}

impl BlockRule {
    pub fn counts(&self, kind: &str) -> bool {
        self.counts.contains(&kind)
    }
}

/// The creator actions the kit's rules count: answers under posts,
/// moderation and follows. Publishing and direct messages have each
/// platform's own limits (posts a day, messages a day or a second), which
/// the platforms enforce apart from the action block.
pub const CREATOR_ACTIONS: &[&str] = &[
    "reply",
    "like_comment",
    "hide_comment",
    "delete_comment",
    "pin_comment",
    "block_author",
    "restrict_author",
    "follow_back",
];

/// One account's health.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Health {
    #[serde(default)]
    pub spells: Vec<Spell>,
    /// Times of the counted actions within the rule's window.
    #[serde(default)]
    pub recent: Vec<Millis>,
    /// The state last announced by a notice.
    #[serde(default)]
    pub announced: State,
}

/// A duration in words: `2 h 5 min`, `40 min`, `3 days`.
pub fn words(ms: Millis) -> String {
    let ms = ms.max(0);
    if ms >= 2 * DAY && ms % DAY == 0 {
        return format!("{} days", ms / DAY);
    }
    let h = ms / HOUR;
    let m = (ms % HOUR + MINUTE - 1) / MINUTE;
    match (h, m) {
        (0, m) => format!("{} min", m.max(1)),
        (h, 0) => format!("{h} h"),
        (h, 60) => format!("{} h", h + 1),
        (h, m) => format!("{h} h {m} min"),
    }
}

impl Health {
    /// The spell deciding the state at `t`, if any.
    fn deciding(&self, t: Millis) -> Option<&Spell> {
        self.spells
            .iter()
            .filter(|s| s.start <= t && t < s.end)
            .max_by_key(|s| (s.state, s.end))
    }

    /// The state at `t`.
    pub fn state_at(&self, t: Millis) -> State {
        self.deciding(t).map_or(State::Ok, |s| s.state)
    }

    /// When the state in force at `t` ends (`None` when the account is
    /// healthy).
    pub fn ends(&self, t: Millis) -> Option<Millis> {
        self.deciding(t).map(|s| s.end)
    }

    /// The restrictions' reach multiplier at `t` (1 without one).
    pub fn reach_at(&self, t: Millis) -> f64 {
        self.spells
            .iter()
            .filter(|s| s.start <= t && t < s.end)
            .map(|s| s.reach)
            .product()
    }

    /// Whether `kind` may be taken at `at`: an error saying why not while
    /// suspended or with an expired token (every action), or
    /// action-blocked (the actions `rule` counts; every creator action on
    /// a platform without a rule).
    pub fn admit(
        &self,
        platform: &str,
        at: Millis,
        kind: &str,
        rule: Option<&BlockRule>,
    ) -> Result<(), ActionError> {
        match self.refusal(at, kind, rule) {
            None => Ok(()),
            Some((_, message)) => Err(ActionError::Invalid(format!("{platform}: {message}"))),
        }
    }

    /// The state refusing `kind` at `at` and why, or `None`.
    pub fn refusal(
        &self,
        at: Millis,
        kind: &str,
        rule: Option<&BlockRule>,
    ) -> Option<(State, String)> {
        let spell = self.deciding(at)?;
        let left = if spell.end - at >= UNTIL_CHANGED / 2 {
            "until further notice".to_string()
        } else {
            format!("for another {}", words(spell.end - at))
        };
        let message = match spell.state {
            State::Suspended => format!("the account is suspended {left}; `{kind}` is refused"),
            State::TokenExpired => format!(
                "the account's access token has expired ({left}); `{kind}` is refused until the creator signs in again"
            ),
            State::ActionBlocked => {
                let counted = rule.map_or(CREATOR_ACTIONS.contains(&kind), |r| r.counts(kind));
                if !counted {
                    return None;
                }
                let says = rule.map_or(String::new(), |r| format!(" ({})", r.says));
                format!(
                    "the account is action-blocked {left} ({}); `{kind}` is refused{says}",
                    spell.why
                )
            }
            _ => return None,
        };
        Some((spell.state, message))
    }

    /// Count a successful `kind` at `at` toward `rule`'s block; when it
    /// completes a burst, the block starts now and its notice joins `out`.
    pub fn count(
        &mut self,
        platform: &str,
        at: Millis,
        kind: &str,
        rule: Option<&BlockRule>,
        out: &mut Vec<Event>,
    ) {
        let Some(rule) = rule.filter(|r| r.counts(kind) && r.max > 0) else {
            return;
        };
        self.recent.retain(|&t| at - t < rule.within);
        self.recent.push(at);
        let cap = rule.max as usize;
        if self.recent.len() > cap {
            let extra = self.recent.len() - cap;
            self.recent.drain(..extra);
        }
        if self.recent.len() < cap {
            return;
        }
        self.recent.clear();
        let why = format!("{} actions within {}", rule.max, words(rule.within));
        self.add(Spell {
            state: State::ActionBlocked,
            start: at,
            end: at + rule.lasts,
            reach: 1.0,
            why,
        });
        self.announce(platform, at, out);
    }

    /// Add a spell, keeping at most [`MAX_SPELLS`].
    pub fn add(&mut self, spell: Spell) {
        if self.spells.len() >= MAX_SPELLS {
            if let Some(i) = (0..self.spells.len()).min_by_key(|&i| self.spells[i].end) {
                self.spells.remove(i);
            }
        }
        self.spells.push(spell);
    }

    /// End every spell in force at `at` (the `ok` state).
    pub fn clear(&mut self, at: Millis) {
        for s in &mut self.spells {
            if s.start <= at && at < s.end {
                s.end = at;
            }
        }
        self.spells.retain(|s| s.start < s.end);
        self.recent.clear();
    }

    /// A notice at `at` when the state then differs from the one announced.
    fn announce(&mut self, platform: &str, at: Millis, out: &mut Vec<Event>) {
        let now = self.state_at(at);
        if now == self.announced {
            return;
        }
        let message = match self.deciding(at) {
            None => format!(
                "{platform}: the account is healthy again (it was {})",
                self.announced.as_str()
            ),
            Some(s) => {
                let how_long = if s.end - at >= UNTIL_CHANGED / 2 {
                    "until further notice".to_string()
                } else {
                    format!("for {}", words(s.end - at))
                };
                format!(
                    "{platform}: the account is {} {how_long}: {}",
                    s.state.as_str().replace('_', "-"),
                    s.why
                )
            }
        };
        self.announced = now;
        out.push(Event {
            at,
            payload: Payload::Notice(Notice {
                code: now.notice_code(),
                message,
            }),
        });
    }

    /// The notices of the changes in `[a, b)`; retires the spells over by
    /// `a`.
    pub fn step(&mut self, platform: &str, a: Millis, b: Millis, out: &mut Vec<Event>) {
        if self.spells.is_empty() && self.announced == State::Ok {
            return;
        }
        let mut times: Vec<Millis> = self
            .spells
            .iter()
            .flat_map(|s| [s.start, s.end])
            .filter(|&t| a <= t && t < b)
            .collect();
        times.push(a);
        times.sort_unstable();
        times.dedup();
        for t in times {
            self.announce(platform, t, out);
        }
        self.spells.retain(|s| s.end > a);
    }

    /// Whether a step must be taken at `end` for a change to be announced
    /// (a spell starts or ends, or the state is not announced yet).
    pub fn pending(&self) -> bool {
        !self.spells.is_empty() || self.announced != State::Ok
    }

    /// Apply the `health` signal {state, for?, depth?} at `at`; a
    /// `shadowbanned` state also returns the reach cut to add.
    pub fn parse(
        &mut self,
        platform: &str,
        at: Millis,
        params: &Value,
    ) -> Result<Option<Shadowban>, String> {
        let empty = Map::new();
        let map = match params {
            Value::Object(m) => m,
            Value::Null => &empty,
            _ => {
                return Err(format!(
                    "{platform}: `health` parameters must be a JSON object"
                ))
            }
        };
        check_known(
            platform,
            map,
            &["state", "for", "depth"],
            "`health` parameter",
        )?;
        let names = State::ALL.map(State::as_str).join(", ");
        let state = match map.get("state") {
            Some(Value::String(s)) => State::parse(s).ok_or_else(|| {
                format!("{platform}: `health` `state` must be one of {names} (got \"{s}\")")
            })?,
            Some(other) => {
                return Err(format!(
                    "{platform}: `health` `state` must be one of {names} (got {other})"
                ))
            }
            None => return Err(format!("{platform}: `health` needs a `state` ({names})")),
        };
        let span = match map.get("for") {
            None | Some(Value::Null) => UNTIL_CHANGED,
            Some(v) => match v.as_f64() {
                Some(f) if (1.0..=UNTIL_CHANGED as f64).contains(&f) => f as Millis,
                _ => {
                    return Err(format!(
                        "{platform}: `health` `for` must be a duration in ms from 1 to {UNTIL_CHANGED} (got {v})"
                    ))
                }
            },
        };
        let depth = match map.get("depth") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_f64() {
                Some(d) if d > 0.0 && d <= 1.0 => Some(d),
                _ => {
                    return Err(format!(
                        "{platform}: `health` `depth` must be in (0, 1] (got {v})"
                    ))
                }
            },
        };
        if depth.is_some() && !matches!(state, State::Shadowbanned | State::Restricted) {
            return Err(format!(
                "{platform}: `health` `depth` applies to shadowbanned and restricted only"
            ));
        }
        if state == State::Ok {
            self.clear(at);
            return Ok(None);
        }
        let end = at + span;
        let why = "set by the platform".to_string();
        let (reach, ban) = match state {
            State::Shadowbanned => {
                let factor = depth.map_or(SHADOWBANNED_REACH, |d| 1.0 - d);
                let ban = Shadowban {
                    start: at,
                    end,
                    factor,
                    recovery: 0,
                };
                (1.0, Some(ban))
            }
            State::Restricted => (depth.map_or(RESTRICTED_REACH, |d| 1.0 - d), None),
            _ => (1.0, None),
        };
        self.add(Spell {
            state,
            start: at,
            end,
            reach,
            why,
        });
        Ok(ban)
    }

    /// A native API request at `at` as the account's health lets the
    /// platform answer it: with an expired token, the platform's own
    /// credential error (`handle` asked with [`CREDENTIALS_HEADER`]
    /// `expired`); suspended, `refuse`'s answer to every request; blocked,
    /// `refuse`'s answer to a request whose action the block refuses.
    /// `refuse` gets the state and the refusal's message.
    pub fn gate(
        &self,
        at: Millis,
        rule: Option<&BlockRule>,
        request: &HttpRequest,
        handle: impl Fn(&HttpRequest) -> NativeOutcome,
        refuse: impl Fn(State, &str) -> HttpResponse,
    ) -> NativeOutcome {
        match self.state_at(at) {
            State::TokenExpired => {
                let mut expired = request.clone();
                expired
                    .headers
                    .retain(|(k, _)| !k.eq_ignore_ascii_case(CREDENTIALS_HEADER));
                expired
                    .headers
                    .push((CREDENTIALS_HEADER.into(), "expired".into()));
                handle(&expired)
            }
            State::Suspended => {
                let (state, message) = self
                    .refusal(at, "request", rule)
                    .unwrap_or((State::Suspended, String::new()));
                NativeOutcome::Respond(refuse(state, &message))
            }
            State::ActionBlocked => match handle(request) {
                NativeOutcome::Act(act) => match self.refusal(at, &act.action.kind, rule) {
                    Some((state, message)) => NativeOutcome::Respond(refuse(state, &message)),
                    None => NativeOutcome::Act(act),
                },
                answer => answer,
            },
            _ => handle(request),
        }
    }

    /// The `shadowban` signal's ban, as the `shadowbanned` state.
    pub fn shadowbanned(&mut self, ban: &Shadowban) {
        self.add(Spell {
            state: State::Shadowbanned,
            start: ban.start,
            end: ban.end,
            reach: 1.0,
            why: format!("reach cut to {:.0} %", ban.factor * 100.0),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const RULE: BlockRule = BlockRule {
        max: 3,
        within: HOUR,
        lasts: 2 * HOUR,
        counts: &["reply"],
        says: "Try Again Later",
    };

    fn notices(out: &[Event]) -> Vec<(Millis, String)> {
        out.iter()
            .filter_map(|e| match &e.payload {
                Payload::Notice(n) => Some((e.at, n.code.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_burst_blocks_counted_actions_until_the_block_lifts() {
        let mut h = Health::default();
        let mut out = Vec::new();
        // Two replies an hour apart do not add up.
        h.count("p", 0, "reply", Some(&RULE), &mut out);
        h.count("p", HOUR, "reply", Some(&RULE), &mut out);
        h.count("p", HOUR + 1, "publish", Some(&RULE), &mut out);
        h.count("p", HOUR + 2, "reply", Some(&RULE), &mut out);
        assert!(out.is_empty() && h.admit("p", HOUR + 3, "reply", Some(&RULE)).is_ok());
        h.count("p", HOUR + 3, "reply", Some(&RULE), &mut out);
        assert_eq!(
            notices(&out),
            vec![(HOUR + 3, "health_action_blocked".into())]
        );
        let e = h.admit("p", 2 * HOUR, "reply", Some(&RULE)).unwrap_err();
        assert_eq!(
            e,
            ActionError::Invalid(
                "p: the account is action-blocked for another 1 h 1 min (3 actions within 1 h); `reply` is refused (Try Again Later)".into()
            )
        );
        assert!(h.admit("p", 2 * HOUR, "publish", Some(&RULE)).is_ok());
        let mut out = Vec::new();
        h.step("p", 2 * HOUR, 4 * HOUR, &mut out);
        assert_eq!(notices(&out), vec![(3 * HOUR + 3, "health_ok".into())]);
        assert!(h.admit("p", 3 * HOUR + 3, "reply", Some(&RULE)).is_ok());
        h.step("p", 4 * HOUR, 5 * HOUR, &mut out);
        assert!(h.spells.is_empty() && !h.pending());
    }

    #[test]
    fn the_signal_sets_each_state_and_ok_ends_them() {
        for state in State::ALL.into_iter().skip(1) {
            let mut h = Health::default();
            let ban = h
                .parse("p", 10, &json!({"state": state.as_str(), "for": HOUR}))
                .unwrap();
            assert_eq!(ban.is_some(), state == State::Shadowbanned);
            let mut out = Vec::new();
            h.step("p", 10, 20, &mut out);
            assert_eq!(notices(&out), vec![(10, state.notice_code())]);
            assert_eq!(h.state_at(HOUR), state);
            let refused = h.admit("p", 20, "publish", None).is_err();
            assert_eq!(
                refused,
                matches!(state, State::Suspended | State::TokenExpired),
                "{state:?}"
            );
            assert_eq!(
                h.admit("p", 20, "reply", None).is_err(),
                state >= State::ActionBlocked
            );
            h.parse("p", 30, &json!({"state": "ok"})).unwrap();
            let mut out = Vec::new();
            h.step("p", 30, 40, &mut out);
            assert_eq!(notices(&out), vec![(30, "health_ok".into())]);
        }
        let mut h = Health::default();
        h.parse("p", 0, &json!({"state": "restricted", "depth": 0.8}))
            .unwrap();
        assert!((h.reach_at(DAY) - 0.2).abs() < 1e-9);
        let e = h.admit("p", DAY, "reply", None);
        assert!(e.is_ok());
        h.parse("p", DAY, &json!({"state": "suspended"})).unwrap();
        let e = h.admit("p", DAY, "publish", None).unwrap_err();
        assert_eq!(
            e,
            ActionError::Invalid(
                "p: the account is suspended until further notice; `publish` is refused".into()
            )
        );
    }

    #[test]
    fn bad_signals_name_the_parameter() {
        let mut h = Health::default();
        for (params, word) in [
            (json!({}), "`state`"),
            (json!({"state": "banned"}), "banned"),
            (json!({"state": "ok", "for": 0}), "`for`"),
            (json!({"state": "suspended", "depth": 0.5}), "`depth`"),
            (json!({"state": "restricted", "depth": 2}), "`depth`"),
            (json!({"state": "ok", "mood": 1}), "`mood`"),
        ] {
            let e = h.parse("p", 0, &params).unwrap_err();
            assert!(e.starts_with("p: ") && e.contains(word), "{e}");
        }
        assert_eq!(h, Health::default());
    }

    #[test]
    fn spells_are_bounded_and_the_worst_one_decides() {
        let mut h = Health::default();
        for i in 0..100 {
            h.add(Spell {
                state: State::Restricted,
                start: i,
                end: 1000 + i,
                reach: 1.0,
                why: String::new(),
            });
        }
        assert_eq!(h.spells.len(), MAX_SPELLS);
        h.parse("p", 500, &json!({"state": "token_expired", "for": 10}))
            .unwrap();
        assert_eq!(h.state_at(505), State::TokenExpired);
        assert_eq!(h.state_at(510), State::Restricted);
    }
}
