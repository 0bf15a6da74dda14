//! The funnel figures: a fan's path from follower to engaged, DM, lead,
//! subscriber or buyer, and churned, read back from the interactions the
//! SDK's funnel writes (`diorama_sdk::kit::funnel`: `offer`, `subscribed`,
//! `purchase`, `renewed`, `cancelled`, each with its terms as JSON text,
//! prices in minor units), per platform and per day, with revenue, MRR,
//! monthly churn and LTV per currency, beside the published references
//! the SDK is tuned to ([`REFERENCES`]).
//!
//! Stages count distinct people per account (profile and platform):
//! *followers* the last reported audience; *engaged* the authors of
//! comments and replies (the audience's: those with a sentiment);
//! *DM* the senders of DMs (those with a DM type); *leads* the fans the
//! creator sent an offer; *subscribers* and *buyers* those who took one;
//! *churned* those who cancelled.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde::Serialize;

use diorama_sdk::kit::funnel::Terms;
use diorama_sdk::Millis;

/// A published rate the funnel is tuned to.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Reference {
    pub figure: &'static str,
    pub low: f64,
    pub high: f64,
    pub source: &'static str,
}

/// The references (see `diorama_sdk::kit::funnel` for how they are used).
pub const REFERENCES: [Reference; 4] = [
    Reference {
        figure: "offer conversion, first answer under 5 minutes",
        low: 0.15,
        high: 0.20,
        source: "Napolify, Instagram DM-to-sale conversion by response time",
    },
    Reference {
        figure: "offer conversion, first answer after a day",
        low: 0.0,
        high: 0.02,
        source: "Napolify, Instagram DM-to-sale conversion by response time; HBR 2011, The Short Life of Online Sales Leads (60x fewer qualified after 24 h than within the hour)",
    },
    Reference {
        figure: "offer conversion, all DMs",
        low: 0.07,
        high: 0.20,
        source: "Napolify, Instagram DM-to-sale conversion (micro-creators)",
    },
    Reference {
        figure: "monthly churn of paid memberships",
        low: 0.05,
        high: 0.09,
        source: "churnrecovery.com membership churn benchmarks (Patreon, Memberful content memberships)",
    },
];

/// Revenue in one currency.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Money {
    pub currency: String,
    /// Everything paid (first months, renewals, purchases), minor units.
    pub revenue: i64,
    /// Monthly recurring revenue of the subscriptions still running at
    /// the end, minor units.
    pub mrr: i64,
    /// Expected lifetime value of a subscriber, minor units: the mean
    /// monthly price over the monthly churn; `None` until a renewal or a
    /// cancellation has been seen, or with no churn.
    pub ltv: Option<f64>,
}

/// One stage's conversion from the stage before it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Stage {
    pub stage: &'static str,
    pub count: u64,
    /// `count` over the previous stage's count (`None` for the first, or
    /// when the previous stage is empty).
    pub conversion: Option<f64>,
}

/// The funnel on one platform (or `all`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PlatformFunnel {
    pub platform: String,
    /// follower, engaged, dm, lead, customer (subscribers and buyers),
    /// churned (of subscribers).
    pub stages: Vec<Stage>,
    pub subscribers: u64,
    pub buyers: u64,
    pub offers: u64,
    /// Subscriptions and purchases per offer sent.
    pub offer_conversion: Option<f64>,
    /// Median minutes from a fan's DM to the creator's first answer.
    pub median_first_answer_minutes: Option<f64>,
    pub active_subscriptions: u64,
    pub renewals: u64,
    pub cancellations: u64,
    /// Cancellations per renewal due (subscriptions renew monthly).
    pub monthly_churn: Option<f64>,
    pub money: Vec<Money>,
}

/// One UTC day on one platform.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct DayFunnel {
    pub day: String,
    pub platform: String,
    pub dms: u64,
    pub creator_answers: u64,
    pub offers: u64,
    pub subscribed: u64,
    pub purchases: u64,
    pub renewed: u64,
    pub cancelled: u64,
    /// currency → minor units paid that day.
    pub revenue: BTreeMap<String, i64>,
}

/// Every funnel figure.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FunnelFigures {
    /// One row per platform, then `all`.
    pub platforms: Vec<PlatformFunnel>,
    pub days: Vec<DayFunnel>,
    pub references: Vec<Reference>,
}

/// (profile, platform, id).
type Key = (String, String, String);

#[derive(Default)]
struct Account {
    engaged: BTreeSet<String>,
    senders: BTreeSet<String>,
    leads: BTreeSet<String>,
    subscribers: BTreeSet<String>,
    buyers: BTreeSet<String>,
    churned: BTreeSet<String>,
    offers: u64,
    taken: u64,
    renewals: u64,
    cancellations: u64,
    first_answers: Vec<Millis>,
    /// Subscriptions running, by offer id.
    active: BTreeMap<String, Terms>,
    revenue: BTreeMap<String, i64>,
    /// Monthly prices of subscriptions that renewed or were cancelled,
    /// by currency (for the mean monthly price).
    paid_months: BTreeMap<String, (i64, u64)>,
}

/// What the collector needs of an event line.
pub(super) struct Seen<'a> {
    pub at: Millis,
    pub profile: &'a str,
    pub platform: &'a str,
    pub kind: &'a str,
    pub id: Option<&'a str>,
    pub parent_id: Option<&'a str>,
    pub author: Option<&'a str>,
    pub text: Option<&'a str>,
    pub sentiment: Option<&'a str>,
    pub dm_type: Option<&'a str>,
}

/// Folds event lines into the funnel figures.
#[derive(Default)]
pub(super) struct Collector {
    accounts: BTreeMap<(String, String), Account>,
    audience: BTreeMap<(String, String), i64>,
    /// The audience's DMs: id → (author, time, answered).
    dms: BTreeMap<Key, (String, Millis, bool)>,
    /// Offers: id → the fan they went to.
    offers: BTreeMap<Key, String>,
    days: BTreeMap<(String, String), DayFunnel>,
}

fn utc_day(at: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(at)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

impl Collector {
    /// An account-level audience metric.
    pub fn audience(&mut self, profile: &str, platform: &str, total: i64) {
        self.audience
            .insert((profile.to_string(), platform.to_string()), total);
    }

    pub fn interaction(&mut self, e: &Seen<'_>) {
        let account = (e.profile.to_string(), e.platform.to_string());
        let key = |id: &str| {
            (
                e.profile.to_string(),
                e.platform.to_string(),
                id.to_string(),
            )
        };
        let author = e.author.unwrap_or_default().to_string();
        let day = self
            .days
            .entry((utc_day(e.at), e.platform.to_string()))
            .or_insert_with(|| DayFunnel {
                day: utc_day(e.at),
                platform: e.platform.to_string(),
                ..DayFunnel::default()
            });
        let acc = self.accounts.entry(account).or_default();
        match e.kind {
            "comment" | "reply" if e.sentiment.is_some() => {
                acc.engaged.insert(author);
            }
            "dm" if e.dm_type.is_some() => {
                day.dms += 1;
                acc.senders.insert(author.clone());
                if let Some(id) = e.id {
                    self.dms.insert(key(id), (author, e.at, false));
                }
            }
            "dm" => {
                // The creator's answer: the first one to a DM sets the speed.
                day.creator_answers += 1;
                if let Some(dm) = e.parent_id.and_then(|p| self.dms.get_mut(&key(p))) {
                    if !dm.2 {
                        dm.2 = true;
                        acc.first_answers.push(e.at - dm.1);
                    }
                }
            }
            "offer" => {
                day.offers += 1;
                acc.offers += 1;
                let fan = e
                    .parent_id
                    .and_then(|p| self.dms.get(&key(p)))
                    .map(|d| d.0.clone());
                if let (Some(fan), Some(id)) = (fan, e.id) {
                    acc.leads.insert(fan.clone());
                    self.offers.insert(key(id), fan);
                }
            }
            "subscribed" | "purchase" | "renewed" | "cancelled" => {
                let Some(terms) = e.text.and_then(Terms::from_text) else {
                    return;
                };
                let offer = e.parent_id.unwrap_or_default().to_string();
                let pays = e.kind != "cancelled";
                if pays {
                    *acc.revenue.entry(terms.currency.clone()).or_insert(0) += terms.price;
                    *day.revenue.entry(terms.currency.clone()).or_insert(0) += terms.price;
                }
                match e.kind {
                    "subscribed" => {
                        day.subscribed += 1;
                        acc.taken += 1;
                        acc.subscribers.insert(author);
                        acc.active.insert(offer, terms);
                    }
                    "purchase" => {
                        day.purchases += 1;
                        acc.taken += 1;
                        acc.buyers.insert(author);
                    }
                    "renewed" => {
                        day.renewed += 1;
                        acc.renewals += 1;
                        let m = acc.paid_months.entry(terms.currency).or_insert((0, 0));
                        m.0 += terms.price;
                        m.1 += 1;
                    }
                    _ => {
                        day.cancelled += 1;
                        acc.cancellations += 1;
                        acc.churned.insert(author);
                        acc.active.remove(&offer);
                        let m = acc.paid_months.entry(terms.currency).or_insert((0, 0));
                        m.0 += terms.price;
                        m.1 += 1;
                    }
                }
            }
            _ => {}
        }
    }

    pub fn finish(self) -> FunnelFigures {
        let mut by_platform: BTreeMap<String, Vec<&Account>> = BTreeMap::new();
        for (k, a) in &self.accounts {
            by_platform.entry(k.1.clone()).or_default().push(a);
        }
        for k in self.audience.keys() {
            by_platform.entry(k.1.clone()).or_default();
        }
        let mut platforms: Vec<PlatformFunnel> = by_platform
            .iter()
            .map(|(p, accounts)| {
                let followers: i64 = self
                    .audience
                    .iter()
                    .filter(|(k, _)| k.1 == *p)
                    .map(|(_, v)| *v)
                    .sum();
                row(p, followers, accounts.iter().copied())
            })
            .collect();
        if platforms.len() > 1 {
            let followers = self.audience.values().sum();
            platforms.push(row("all", followers, self.accounts.values()));
        }
        FunnelFigures {
            platforms,
            days: self.days.into_values().collect(),
            references: REFERENCES.to_vec(),
        }
    }
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

fn row<'a>(
    platform: &str,
    followers: i64,
    accounts: impl Iterator<Item = &'a Account>,
) -> PlatformFunnel {
    let accounts: Vec<&Account> = accounts.collect();
    let sum = |f: &dyn Fn(&Account) -> u64| accounts.iter().map(|a| f(a)).sum::<u64>();
    let engaged = sum(&|a| a.engaged.len() as u64);
    let dm = sum(&|a| a.senders.len() as u64);
    let leads = sum(&|a| a.leads.len() as u64);
    let subscribers = sum(&|a| a.subscribers.len() as u64);
    let buyers = sum(&|a| a.buyers.len() as u64);
    let customers = sum(&|a| a.subscribers.union(&a.buyers).count() as u64);
    let churned = sum(&|a| a.churned.len() as u64);
    let offers = sum(&|a| a.offers);
    let taken = sum(&|a| a.taken);
    let renewals = sum(&|a| a.renewals);
    let cancellations = sum(&|a| a.cancellations);
    let follower_count = followers.max(0) as u64;
    let stages = vec![
        Stage {
            stage: "follower",
            count: follower_count,
            conversion: None,
        },
        Stage {
            stage: "engaged",
            count: engaged,
            conversion: ratio(engaged, follower_count),
        },
        Stage {
            stage: "dm",
            count: dm,
            conversion: ratio(dm, engaged),
        },
        Stage {
            stage: "lead",
            count: leads,
            conversion: ratio(leads, dm),
        },
        Stage {
            stage: "customer",
            count: customers,
            conversion: ratio(customers, leads),
        },
        Stage {
            stage: "churned",
            count: churned,
            conversion: ratio(churned, subscribers),
        },
    ];
    let mut answers: Vec<Millis> = accounts
        .iter()
        .flat_map(|a| a.first_answers.iter().copied())
        .collect();
    answers.sort_unstable();
    let median_first_answer_minutes =
        (!answers.is_empty()).then(|| answers[answers.len() / 2] as f64 / 60_000.0);
    let monthly_churn = ratio(cancellations, renewals + cancellations);
    let mut currencies: BTreeSet<&String> = BTreeSet::new();
    for a in &accounts {
        currencies.extend(a.revenue.keys());
        currencies.extend(a.active.values().map(|t| &t.currency));
    }
    let money = currencies
        .into_iter()
        .map(|c| {
            let revenue = accounts.iter().filter_map(|a| a.revenue.get(c)).sum();
            let running: Vec<&Terms> = accounts
                .iter()
                .flat_map(|a| a.active.values())
                .filter(|t| t.currency == *c)
                .collect();
            let mrr: i64 = running.iter().map(|t| t.price).sum();
            let (months_paid, months) = accounts
                .iter()
                .filter_map(|a| a.paid_months.get(c))
                .fold((0i64, 0u64), |s, m| (s.0 + m.0, s.1 + m.1));
            let ltv = match monthly_churn {
                Some(churn) if churn > 0.0 && months > 0 => {
                    Some(months_paid as f64 / months as f64 / churn)
                }
                _ => None,
            };
            Money {
                currency: c.clone(),
                revenue,
                mrr,
                ltv,
            }
        })
        .collect();
    PlatformFunnel {
        platform: platform.to_string(),
        stages,
        subscribers,
        buyers,
        offers,
        offer_conversion: ratio(taken, offers),
        median_first_answer_minutes,
        active_subscriptions: sum(&|a| a.active.len() as u64),
        renewals,
        cancellations,
        monthly_churn,
        money,
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or("-".into(), |x| format!("{:.1} %", x * 100.0))
}

fn minor(x: i64) -> String {
    format!("{}.{:02}", x / 100, (x % 100).abs())
}

/// The funnel as a person reads it.
pub fn render(s: &mut String, f: &FunnelFigures) {
    let _ = writeln!(s, "Funnel");
    if f.platforms.iter().all(|p| p.offers == 0) {
        let _ = writeln!(s, "  no offers sent (the creator's `send_offer`)");
    }
    for p in &f.platforms {
        let stages: Vec<String> = p
            .stages
            .iter()
            .map(|x| match x.conversion {
                Some(c) => format!("{} {} ({})", x.stage, x.count, pct(Some(c))),
                None => format!("{} {}", x.stage, x.count),
            })
            .collect();
        let _ = writeln!(s, "  {:<10} {}", p.platform, stages.join(" -> "));
        let _ = writeln!(
            s,
            "  {:<10} offers {}, taken {}, first answer median {}, subscriptions running {}, renewals {}, cancellations {}, monthly churn {}",
            "",
            p.offers,
            pct(p.offer_conversion),
            p.median_first_answer_minutes
                .map_or("-".into(), |m| format!("{m:.0}m")),
            p.active_subscriptions,
            p.renewals,
            p.cancellations,
            pct(p.monthly_churn),
        );
        for m in &p.money {
            let _ = writeln!(
                s,
                "  {:<10} {}: revenue {}, MRR {}, LTV {}",
                "",
                m.currency,
                minor(m.revenue),
                minor(m.mrr),
                m.ltv.map_or("-".into(), |l| minor(l.round() as i64)),
            );
        }
    }
    if !f.days.is_empty() {
        let _ = writeln!(
            s,
            "  {:<10} {:<10} {:>6} {:>8} {:>6} {:>6} {:>6} {:>7} {:>9}  revenue",
            "day", "platform", "dms", "answers", "offers", "subs", "buys", "renewed", "cancelled"
        );
        for d in &f.days {
            let revenue: Vec<String> = d
                .revenue
                .iter()
                .map(|(c, v)| format!("{} {c}", minor(*v)))
                .collect();
            let _ = writeln!(
                s,
                "  {:<10} {:<10} {:>6} {:>8} {:>6} {:>6} {:>6} {:>7} {:>9}  {}",
                d.day,
                d.platform,
                d.dms,
                d.creator_answers,
                d.offers,
                d.subscribed,
                d.purchases,
                d.renewed,
                d.cancelled,
                if revenue.is_empty() {
                    "-".into()
                } else {
                    revenue.join(", ")
                }
            );
        }
    }
    let _ = writeln!(s, "  references:");
    for r in &f.references {
        let _ = writeln!(
            s,
            "    {}: {:.0} to {:.0} % ({})",
            r.figure,
            r.low * 100.0,
            r.high * 100.0,
            r.source
        );
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The funnel as CSV, one figure a row: `scope,platform,day,figure,value`
/// (`scope` `platform` or `day`; money in minor units, named
/// `revenue_<CURRENCY>`, `mrr_<CURRENCY>`, `ltv_<CURRENCY>`; rates as
/// fractions; an empty value where a figure has none).
pub fn csv(f: &FunnelFigures) -> String {
    let mut s = String::from("scope,platform,day,figure,value\n");
    let mut put = |scope: &str, platform: &str, day: &str, figure: &str, value: String| {
        let _ = writeln!(
            s,
            "{scope},{},{day},{},{value}",
            csv_field(platform),
            csv_field(figure)
        );
    };
    let opt = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x:.6}"));
    for p in &f.platforms {
        let pl = p.platform.as_str();
        for st in &p.stages {
            put("platform", pl, "", st.stage, st.count.to_string());
            put(
                "platform",
                pl,
                "",
                &format!("{}_conversion", st.stage),
                opt(st.conversion),
            );
        }
        put("platform", pl, "", "subscribers", p.subscribers.to_string());
        put("platform", pl, "", "buyers", p.buyers.to_string());
        put("platform", pl, "", "offers", p.offers.to_string());
        put(
            "platform",
            pl,
            "",
            "offer_conversion",
            opt(p.offer_conversion),
        );
        put(
            "platform",
            pl,
            "",
            "median_first_answer_minutes",
            opt(p.median_first_answer_minutes),
        );
        put(
            "platform",
            pl,
            "",
            "active_subscriptions",
            p.active_subscriptions.to_string(),
        );
        put("platform", pl, "", "renewals", p.renewals.to_string());
        put(
            "platform",
            pl,
            "",
            "cancellations",
            p.cancellations.to_string(),
        );
        put("platform", pl, "", "monthly_churn", opt(p.monthly_churn));
        for m in &p.money {
            put(
                "platform",
                pl,
                "",
                &format!("revenue_{}", m.currency),
                m.revenue.to_string(),
            );
            put(
                "platform",
                pl,
                "",
                &format!("mrr_{}", m.currency),
                m.mrr.to_string(),
            );
            put(
                "platform",
                pl,
                "",
                &format!("ltv_{}", m.currency),
                opt(m.ltv),
            );
        }
    }
    for d in &f.days {
        let (pl, day) = (d.platform.as_str(), d.day.as_str());
        for (figure, v) in [
            ("dms", d.dms),
            ("creator_answers", d.creator_answers),
            ("offers", d.offers),
            ("subscribed", d.subscribed),
            ("purchases", d.purchases),
            ("renewed", d.renewed),
            ("cancelled", d.cancelled),
        ] {
            put("day", pl, day, figure, v.to_string());
        }
        for (c, v) in &d.revenue {
            put("day", pl, day, &format!("revenue_{c}"), v.to_string());
        }
    }
    s
}
