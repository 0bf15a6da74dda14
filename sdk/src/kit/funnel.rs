//! Funnels, simulated (no money moves): a fan's path from follower to
//! engaged (comments), DM, lead (the creator sent them an offer),
//! subscriber or buyer, and churned, as interactions on the contract's
//! existing types.
//!
//! # Encoding
//!
//! Every funnel step is an [`Interaction`] with `content_id` null,
//! `sentiment` and `dm_type` null, and a `text` that is a JSON object of
//! the offer's terms, keys in this order:
//! `{"tier":"gold","price":500,"currency":"USD","billing":"monthly"}`:
//! `price` in the currency's minor units (cents), `billing` `monthly`
//! (a subscription) or `once` (a one-off purchase). The kinds:
//!
//! | kind | author | parent_id | meaning |
//! | --- | --- | --- | --- |
//! | `offer` | the creator | the fan's DM | the creator's `send_offer`: the fan is now a lead |
//! | `subscribed` | the fan | the offer | took a monthly offer; pays the first month |
//! | `purchase` | the fan | the offer | took a one-off offer; pays once |
//! | `renewed` | the fan | the offer | a further month paid, every 30 days |
//! | `cancelled` | the fan | the offer | the subscription ends at a renewal; no payment |
//!
//! Revenue is the sum of `price` over `subscribed`, `purchase` and
//! `renewed`, per currency. `diorama stats` and `GET
//! /v1/profiles/{id}/stats` read these events back.
//!
//! # How fans convert
//!
//! No offer, no purchase: a fan converts only by answering an offer. The
//! chance that a fan takes an offer is
//! `intent(DM type) × speed(first answer) × warmth(tone) × engagement(turns)`,
//! at most [`MAX_CONVERSION`]:
//!
//! - `speed` is the DM-to-sale rate by how long the creator took to first
//!   answer the fan's DM (the creator's first `dm_reply`, or the offer
//!   itself when it came first), interpolated on the log of the delay
//!   between these points ([`SPEED_CURVE`]): under 5 minutes 17.5 %, 30
//!   minutes 10 %, 90 minutes 4 %, a day 1.5 %, three days 0.8 %. They are
//!   the middles of the bands Napolify published for Instagram DM-to-sale
//!   conversion by response time (15–20 % under 5 minutes, 8–12 % at 5–30
//!   minutes, 3–5 % at 1–2 hours, under 2 % after a day;
//!   napolify.com/blogs/news/instagram-dm-sales-conversion, 7–20 %
//!   overall), whose slope agrees with Oldroyd, McElheran & Elkington,
//!   *The Short Life of Online Sales Leads* (Harvard Business Review,
//!   2011): leads contacted within an hour were about 7 times as likely to
//!   qualify as those contacted an hour later, and over 60 times as
//!   likely as after a day.
//! - `warmth` is `0.75 + tone / 2`, where [`tone`] measures the creator's
//!   last reply in the conversation from 0 (curt) to 1 (warm): the
//!   references are for ordinary replies (tone ½, warmth 1); the warmest
//!   reply converts a quarter more, the curtest a quarter less. An offer
//!   with no reply before it counts as tone 0.
//! - `intent` by why the fan wrote: fan 1.0, question 1.2 (a question is
//!   often a pre-purchase one), collaboration 0.15, criticism 0.25, spam 0.
//! - `engagement`: each answer the fan has written in the conversation
//!   adds a quarter (at most four).
//!
//! A fan who already subscribes to a tier, or is still deciding on it,
//! does not take that tier again when it is offered once more.
//!
//! A fan decides a log-normal while after the offer (median 2 hours,
//! between 5 minutes and 2 days). A subscription renews every 30 days,
//! and at each renewal is cancelled with probability [`MONTHLY_CHURN`]
//! (7 %: the middle of the 5–9 % average monthly churn of content
//! memberships such as Patreon and Memberful, churnrecovery.com's
//! *Membership Site Churn Rate* benchmarks; 7–10 % is common for
//! low-ticket communities, under 5 % excellent, per crevio.co's churn
//! benchmarks).
//!
//! The draws of a decision come from a generator seeded by the offer's id,
//! not the platform's own, so an account whose creator sends no offers
//! draws exactly what it drew before funnels existed.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::models::rng::{fnv1a, Rng};
use crate::models::text::DmType;
use crate::types::{ActionError, Author, Event, Interaction, Millis, Payload, DAY, MINUTE};

/// The interaction kinds of a funnel, for a platform's `describe`.
pub const FUNNEL_KINDS: [&str; 5] = ["offer", "subscribed", "purchase", "renewed", "cancelled"];

/// The creator's action that sends an offer.
pub const SEND_OFFER: &str = "send_offer";

/// The most offers awaiting a fan's decision at once.
pub const PENDING_OFFERS: usize = 256;
/// The most subscriptions followed at once (each renews or cancels every
/// 30 days); an offer beyond them is refused.
pub const MEMBERS: usize = 1024;
/// The highest price an offer may name, in minor units (1,000,000.00).
pub const MAX_PRICE: i64 = 100_000_000;
/// The longest tier name, in bytes.
pub const MAX_TIER: usize = 32;
/// A subscription's period.
pub const PERIOD: Millis = 30 * DAY;
/// The chance a subscription is cancelled at a renewal.
pub const MONTHLY_CHURN: f64 = 0.07;
/// The highest chance that a fan takes an offer.
pub const MAX_CONVERSION: f64 = 0.6;
/// DM-to-sale conversion by the creator's first answer's delay (minutes,
/// rate); see the module doc for the sources.
pub const SPEED_CURVE: [(f64, f64); 5] = [
    (5.0, 0.175),
    (30.0, 0.10),
    (90.0, 0.04),
    (1440.0, 0.015),
    (4320.0, 0.008),
];

/// How an offer is paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Billing {
    Monthly,
    Once,
}

/// An offer's terms; serialised (in this key order) as a funnel event's text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub tier: String,
    /// In the currency's minor units.
    pub price: i64,
    /// Three upper-case letters (ISO 4217's form).
    pub currency: String,
    pub billing: Billing,
}

impl Terms {
    /// The JSON text of a funnel event.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The terms a funnel event's text holds, if it is one.
    pub fn from_text(text: &str) -> Option<Terms> {
        serde_json::from_str(text).ok()
    }
}

/// Who an offer goes to, as `send_offer` names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OfferTo {
    Dm(String),
    /// An author's id or handle.
    Author(String),
}

/// Parse `send_offer` {dm_id | author, tier, price, currency, billing?}.
pub fn parse_offer(
    platform: &str,
    map: &Map<String, Value>,
) -> Result<(OfferTo, Terms), ActionError> {
    let bad = |m: String| ActionError::Invalid(format!("{platform}: `send_offer` {m}"));
    for key in map.keys() {
        if !["dm_id", "author", "tier", "price", "currency", "billing"].contains(&key.as_str()) {
            return Err(bad(format!(
                "does not take `{key}` (known: dm_id, author, tier, price, currency, billing)"
            )));
        }
    }
    let text = |key: &str| match map.get(key) {
        None => Ok(None),
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 256 => Ok(Some(s.clone())),
        Some(other) => Err(bad(format!(
            "`{key}` must be a string of 1 to 256 bytes (got {other})"
        ))),
    };
    let to = match (text("dm_id")?, text("author")?) {
        (Some(dm), None) => OfferTo::Dm(dm),
        (None, Some(a)) => OfferTo::Author(a),
        _ => return Err(bad("needs exactly one of `dm_id` and `author`".into())),
    };
    let tier = text("tier")?.ok_or_else(|| bad("needs a `tier` string".into()))?;
    if tier.len() > MAX_TIER
        || !tier
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b' ')
    {
        return Err(bad(format!(
            "`tier` must be 1 to {MAX_TIER} letters, digits, spaces, `-` or `_` (got {tier:?})"
        )));
    }
    let price = match map.get("price") {
        Some(Value::Number(n)) => n.as_i64().filter(|p| (1..=MAX_PRICE).contains(p)),
        _ => None,
    }
    .ok_or_else(|| {
        bad(format!(
            "`price` must be an integer of minor units (cents) from 1 to {MAX_PRICE} (got {})",
            map.get("price").map_or("nothing".into(), |v| v.to_string())
        ))
    })?;
    let currency = text("currency")?.unwrap_or_default();
    if currency.len() != 3 || !currency.bytes().all(|c| c.is_ascii_uppercase()) {
        return Err(bad(format!(
            "`currency` must be three upper-case letters such as USD or EUR (got {currency:?})"
        )));
    }
    let billing = match text("billing")?.as_deref() {
        None | Some("monthly") => Billing::Monthly,
        Some("once") => Billing::Once,
        Some(other) => {
            return Err(bad(format!(
                "`billing` must be `monthly` or `once` (got {other:?})"
            )))
        }
    };
    Ok((
        to,
        Terms {
            tier,
            price,
            currency,
            billing,
        },
    ))
}

/// How warm a reply reads, from 0 (curt) to 1 (warm): a quarter each for
/// being at least 8 words long (an eighth for 4 to 7), a warm word
/// (thanks, love, glad, happy, appreciate, welcome, ...), speaking to the
/// fan (`you`, `your`), and liveliness (`!`, `?` or an emoji).
pub fn tone(text: &str) -> f64 {
    const WARM: &[&str] = &[
        "thank",
        "thanks",
        "thx",
        "love",
        "glad",
        "happy",
        "appreciate",
        "welcome",
        "awesome",
        "amazing",
        "great",
        "means",
        "excited",
        "hope",
        "enjoy",
    ];
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    let mut t = match words.len() {
        0..=3 => 0.0,
        4..=7 => 0.125,
        _ => 0.25,
    };
    if words.iter().any(|w| WARM.iter().any(|k| w.starts_with(k))) {
        t += 0.25;
    }
    if words
        .iter()
        .any(|w| matches!(w.as_str(), "you" | "your" | "you're" | "yours"))
    {
        t += 0.25;
    }
    if text.contains(['!', '?']) || text.chars().any(crate::models::text::measure::is_emoji) {
        t += 0.25;
    }
    t
}

/// DM-to-sale conversion for a first answer `delay` after the DM.
pub fn speed(delay: Millis) -> f64 {
    let m = (delay.max(0) as f64 / MINUTE as f64).max(0.01);
    let first = SPEED_CURVE[0];
    let last = SPEED_CURVE[SPEED_CURVE.len() - 1];
    if m <= first.0 {
        return first.1;
    }
    if m >= last.0 {
        return last.1;
    }
    for w in SPEED_CURVE.windows(2) {
        let ((m0, r0), (m1, r1)) = (w[0], w[1]);
        if m <= m1 {
            let f = (m.ln() - m0.ln()) / (m1.ln() - m0.ln());
            return (r0.ln() + f * (r1.ln() - r0.ln())).exp();
        }
    }
    last.1
}

/// How likely a fan who wrote a DM of `kind` is to buy at all.
pub fn intent(kind: DmType) -> f64 {
    match kind {
        DmType::Fan => 1.0,
        DmType::Question => 1.2,
        DmType::Collaboration => 0.15,
        DmType::Criticism => 0.25,
        DmType::Spam => 0.0,
    }
}

/// The chance that a fan takes an offer (see the module doc).
pub fn conversion(kind: DmType, first_answer: Millis, tone: f64, turns: u8) -> f64 {
    let engagement = 1.0 + 0.25 * f64::from(turns.min(4));
    (intent(kind) * speed(first_answer) * (0.75 + tone.clamp(0.0, 1.0) / 2.0) * engagement)
        .min(MAX_CONVERSION)
}

/// The conversation an offer goes into, as the inbox knows it.
#[derive(Clone, Debug)]
pub struct Lead<'a> {
    pub author: &'a Author,
    pub kind: DmType,
    /// How long the creator took to first answer (or to send this offer).
    pub first_answer: Millis,
    /// The tone of the creator's last reply (0 when none).
    pub tone: f64,
    /// The fan's answers so far.
    pub turns: u8,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Pending {
    at: Millis,
    offer: String,
    author: Author,
    terms: Terms,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Member {
    renews: Millis,
    offer: String,
    author: Author,
    terms: Terms,
    /// Renewals so far (for the draws' seed).
    months: u32,
}

/// The offers awaiting a decision and the subscriptions under way.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Funnel {
    #[serde(default)]
    pending: VecDeque<Pending>,
    #[serde(default)]
    members: VecDeque<Member>,
}

impl Funnel {
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty() && self.members.is_empty()
    }

    /// Subscriptions under way.
    pub fn members(&self) -> usize {
        self.members.len()
    }

    /// The creator's offer `offer_id` at `at` to `lead`, answering the DM
    /// `dm_id`: the `offer` event, and the fan's decision drawn and kept.
    #[allow(clippy::too_many_arguments)]
    pub fn offer(
        &mut self,
        platform: &str,
        at: Millis,
        offer_id: String,
        dm_id: &str,
        lead: Lead<'_>,
        terms: Terms,
        creator: &Author,
    ) -> Result<Event, ActionError> {
        if self.pending.len() >= PENDING_OFFERS {
            return Err(ActionError::RateLimited(
                self.pending[0].at.saturating_sub(at).max(MINUTE),
            ));
        }
        if terms.billing == Billing::Monthly && self.members.len() + self.pending.len() >= MEMBERS {
            return Err(ActionError::Invalid(format!(
                "{platform}: `send_offer` can follow at most {MEMBERS} subscriptions at once"
            )));
        }
        // A fan who already subscribes to this tier, or is still deciding
        // on it, does not take it a second time.
        let holds = |author: &Author, tier: &str| author.id == lead.author.id && tier == terms.tier;
        let already = terms.billing == Billing::Monthly
            && (self.members.iter().any(|m| holds(&m.author, &m.terms.tier))
                || self.pending.iter().any(|p| {
                    p.terms.billing == Billing::Monthly && holds(&p.author, &p.terms.tier)
                }));
        let p = conversion(lead.kind, lead.first_answer, lead.tone, lead.turns);
        let mut rng = Rng::new(fnv1a(offer_id.as_bytes()), "offer");
        if rng.chance(p) && !already {
            let wait = (rng.lognormal((120.0f64).ln(), 1.0) * MINUTE as f64)
                .clamp(5.0 * MINUTE as f64, 2.0 * DAY as f64) as Millis;
            let pending = Pending {
                at: at + wait,
                offer: offer_id.clone(),
                author: lead.author.clone(),
                terms: terms.clone(),
            };
            let i = self.pending.partition_point(|x| x.at <= pending.at);
            self.pending.insert(i, pending);
        }
        Ok(event(
            at,
            "offer",
            offer_id,
            dm_id.to_string(),
            creator.clone(),
            &terms,
        ))
    }

    /// When the next decision, renewal or cancellation is due.
    pub fn next_due(&self) -> Option<Millis> {
        let p = self.pending.front().map(|x| x.at);
        let m = self.members.iter().map(|x| x.renews).min();
        match (p, m) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The decisions, renewals and cancellations due in `[a, b)`, with ids
    /// from `new_id` drawn from each event's own generator.
    pub fn step(
        &mut self,
        a: Millis,
        b: Millis,
        new_id: &mut dyn FnMut(&mut Rng) -> String,
        out: &mut Vec<Event>,
    ) {
        while self.pending.front().is_some_and(|x| x.at < b) {
            let Some(p) = self.pending.pop_front() else {
                break;
            };
            let at = p.at.max(a);
            let mut rng = Rng::new(fnv1a(p.offer.as_bytes()), "decision");
            let id = new_id(&mut rng);
            let kind = match p.terms.billing {
                Billing::Monthly => "subscribed",
                Billing::Once => "purchase",
            };
            out.push(event(
                at,
                kind,
                id,
                p.offer.clone(),
                p.author.clone(),
                &p.terms,
            ));
            if p.terms.billing == Billing::Monthly {
                self.members.push_back(Member {
                    renews: at + PERIOD,
                    offer: p.offer,
                    author: p.author,
                    terms: p.terms,
                    months: 0,
                });
            }
        }
        let mut i = 0;
        while i < self.members.len() {
            if self.members[i].renews >= b {
                i += 1;
                continue;
            }
            let m = &mut self.members[i];
            m.months += 1;
            let at = m.renews.max(a);
            let mut rng = Rng::new(fnv1a(m.offer.as_bytes()) ^ u64::from(m.months), "renewal");
            let id = new_id(&mut rng);
            if rng.chance(MONTHLY_CHURN) {
                let m = self.members.remove(i).expect("index in range");
                out.push(event(at, "cancelled", id, m.offer, m.author, &m.terms));
            } else {
                m.renews += PERIOD;
                out.push(event(
                    at,
                    "renewed",
                    id,
                    m.offer.clone(),
                    m.author.clone(),
                    &m.terms,
                ));
                i += 1;
            }
        }
    }
}

fn event(
    at: Millis,
    kind: &str,
    id: String,
    parent: String,
    author: Author,
    terms: &Terms,
) -> Event {
    Event {
        at,
        payload: Payload::Interaction(Interaction {
            id,
            kind: kind.into(),
            content_id: None,
            parent_id: Some(parent),
            author,
            text: terms.to_text(),
            sentiment: None,
            dm_type: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tone_reads_curt_and_warm_replies() {
        assert_eq!(tone("ok."), 0.0);
        assert_eq!(tone("k"), 0.0);
        assert_eq!(
            tone("Thanks so much for writing, it means a lot to me that you watch ❤️"),
            1.0
        );
        assert!(tone("glad it helped") > tone("noted"));
    }

    #[test]
    fn speed_follows_the_published_bands() {
        assert_eq!(speed(MINUTE), 0.175);
        assert!((speed(30 * MINUTE) - 0.10).abs() < 1e-9);
        let hour = speed(60 * MINUTE);
        assert!((0.04..0.10).contains(&hour), "{hour}");
        assert!(speed(DAY) < 0.02 && speed(10 * DAY) == 0.008);
        // Faster is never worse.
        let mut last = 1.0;
        for m in 0..5000 {
            let s = speed(m * MINUTE);
            assert!(s <= last);
            last = s;
        }
    }

    #[test]
    fn offers_are_ranged_and_checked() {
        let ok = json!({"dm_id": "1", "tier": "gold", "price": 500, "currency": "USD"});
        let (to, t) = parse_offer("p", ok.as_object().unwrap()).unwrap();
        assert_eq!(to, OfferTo::Dm("1".into()));
        assert_eq!(
            t.to_text(),
            r#"{"tier":"gold","price":500,"currency":"USD","billing":"monthly"}"#
        );
        assert_eq!(Terms::from_text(&t.to_text()), Some(t));
        for (bad, word) in [
            (
                json!({"tier": "gold", "price": 500, "currency": "USD"}),
                "exactly one",
            ),
            (
                json!({"dm_id": "1", "author": "a", "tier": "gold", "price": 500, "currency": "USD"}),
                "exactly one",
            ),
            (
                json!({"dm_id": "1", "tier": "gold!", "price": 500, "currency": "USD"}),
                "`tier`",
            ),
            (
                json!({"dm_id": "1", "tier": "gold", "price": 0, "currency": "USD"}),
                "`price`",
            ),
            (
                json!({"dm_id": "1", "tier": "gold", "price": 1.5, "currency": "USD"}),
                "`price`",
            ),
            (
                json!({"dm_id": "1", "tier": "gold", "price": MAX_PRICE + 1, "currency": "USD"}),
                "`price`",
            ),
            (
                json!({"dm_id": "1", "tier": "gold", "price": 5, "currency": "usd"}),
                "`currency`",
            ),
            (
                json!({"dm_id": "1", "tier": "gold", "price": 5, "currency": "USD", "billing": "weekly"}),
                "`billing`",
            ),
            (
                json!({"dm_id": "1", "tier": "gold", "price": 5, "currency": "USD", "x": 1}),
                "`x`",
            ),
        ] {
            let e = parse_offer("p", bad.as_object().unwrap()).unwrap_err();
            assert!(
                matches!(&e, ActionError::Invalid(m) if m.contains(word)),
                "{bad}: {e:?}"
            );
        }
    }
    #[test]
    fn a_fan_takes_a_tier_once_however_often_it_is_offered() {
        let fan = |id: &str| Author {
            id: id.into(),
            handle: id.into(),
            display_name: id.into(),
            avatar_url: String::new(),
            verified: false,
            followers: 10,
        };
        let (one, others) = (
            fan("one"),
            (0..40).map(|i| fan(&format!("f{i}"))).collect::<Vec<_>>(),
        );
        let creator = fan("creator");
        let terms = Terms {
            tier: "member".into(),
            price: 500,
            currency: "USD".into(),
            billing: Billing::Monthly,
        };
        let mut funnel = Funnel::default();
        for (i, other) in others.iter().enumerate() {
            for author in [&one, other] {
                let lead = Lead {
                    author,
                    kind: DmType::Fan,
                    first_answer: MINUTE,
                    tone: 1.0,
                    turns: 3,
                };
                let id = format!("offer-{}-{i}", author.id);
                funnel
                    .offer(
                        "p",
                        i as Millis * MINUTE,
                        id,
                        "dm",
                        lead,
                        terms.clone(),
                        &creator,
                    )
                    .unwrap();
            }
        }
        let mut out = Vec::new();
        let mut n = 0;
        funnel.step(
            0,
            3 * DAY,
            &mut |_| {
                n += 1;
                format!("e{n}")
            },
            &mut out,
        );
        let by = |id: &str| {
            out.iter()
                .filter(|e| match &e.payload {
                    Payload::Interaction(x) => x.author.id == id && x.kind == "subscribed",
                    _ => false,
                })
                .count()
        };
        assert_eq!(by("one"), 1, "{out:?}");
        let distinct: usize = others.iter().map(|a| by(&a.id)).sum();
        assert!(distinct > 5, "{distinct} of 40 fans subscribed");
    }
}
