//! Figures over a run's output folder (`events.jsonl` and `report.json`):
//! the sentiment and direct-message mixes, how distinct comments are, when
//! comments arrive in the audience's local day, how long after publishing
//! they come, how views spread across posts, engagement per platform, and
//! the funnel (conversion per stage, revenue, MRR, churn and LTV, per
//! platform and per day; [`funnel`]). `diorama stats DIR` prints them; the
//! same figures serialise as JSON, and `GET /v1/profiles/{id}/stats`
//! computes them from a profile's stored events through [`compute_lines`].

mod figures;
pub mod funnel;
mod hours;
mod sample;
#[cfg(test)]
mod tests;
mod text;
mod voice;

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::path::Path;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use diorama_sdk::models::time::{local_hour, parse_tz};
use diorama_sdk::Millis;

use figures::{engagement, mix, views, ContentSeen, AUDIENCE_METRICS, ENGAGEMENT_METRICS};
pub use hours::Shape;
pub use sample::{sample, MAX_SAMPLE};
pub use text::render;
pub use voice::{Frame, TextFigures};

/// Reference sentiment mix for comments (ARCHITECTURE.md, *Realism references*).
pub const SENTIMENT_MIX: [(&str, f64); 3] =
    [("positive", 0.65), ("neutral", 0.25), ("negative", 0.10)];
/// Reference mix of direct-message types (ARCHITECTURE.md, *Realism references*).
pub const DM_MIX: [(&str, f64); 5] = [
    ("fan", 0.40),
    ("question", 0.30),
    ("collaboration", 0.15),
    ("spam", 0.10),
    ("criticism", 0.05),
];

#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    #[error("{path}: {why}")]
    Read { path: String, why: String },
    #[error("{path}:{line}: not an event line: {why}")]
    Line {
        path: String,
        line: usize,
        why: String,
    },
}

/// One share of a mix, with its reference.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Share {
    pub name: String,
    pub count: u64,
    pub share: f64,
    pub reference: f64,
}

/// The most words a comment has to count as a short reaction.
pub const REACTION_WORDS: usize = 3;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Uniqueness {
    /// Comments and replies.
    pub comments: u64,
    /// Of those, the short reactions ("First", "W", "🔥🔥"), of at most
    /// [`REACTION_WORDS`] words: every real comment section repeats them,
    /// so the figures below count only the longer ones.
    pub reactions: u64,
    /// Distinct texts among the longer ones, distinct within their
    /// account (profile and platform): the same sentence under a TikTok and
    /// under a YouTube video is two people on two platforms, not a repeat
    /// anyone reading one comment section sees.
    pub distinct: u64,
    pub distinct_share: f64,
    /// Distinct texts among the run's first 1,000 longer comments and
    /// replies.
    pub first_1000_distinct: u64,
    /// Share of distinct texts among the run's first 10,000.
    pub first_10000_distinct_share: f64,
    /// The same text twice under the same content.
    pub repeats_under_same_post: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Hours {
    /// Comments per local hour 0..24.
    pub histogram: Vec<u64>,
    pub share_15_23: f64,
    pub share_03_07: f64,
    /// The busiest hour and the night trough against the reference.
    pub shape: Shape,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Delays {
    pub count: u64,
    /// Quantile (0.1, 0.25, 0.5, 0.75, 0.9, 0.99) → minutes.
    pub quantiles_minutes: Vec<(f64, f64)>,
    pub within_5_minutes: f64,
    pub after_6_hours: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Views {
    pub platform: String,
    pub posts: u64,
    pub median: i64,
    pub p90: i64,
    pub max: i64,
    /// Share of all views held by the top 10 % of posts.
    pub top_decile_share: f64,
    /// Comments per 1,000 views over these posts.
    pub comments_per_1000_views: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Engagement {
    pub platform: String,
    pub posts: u64,
    pub audience: i64,
    /// Median over posts of (likes + comments + shares) / audience.
    pub median: f64,
}

/// Every figure.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Stats {
    pub events: u64,
    pub start: Option<String>,
    pub end: Option<String>,
    pub seed: Option<u64>,
    /// platform → interaction kind → count.
    pub interactions: BTreeMap<String, BTreeMap<String, u64>>,
    /// Sentiment of comments and replies.
    pub sentiment: Vec<Share>,
    pub dm_types: Vec<Share>,
    pub uniqueness: Uniqueness,
    pub hours: Hours,
    pub delays: Delays,
    pub views: Vec<Views>,
    pub engagement: Vec<Engagement>,
    /// How the text reads, per platform.
    pub text: Vec<TextFigures>,
    /// Conversion per stage, revenue, MRR, churn and LTV.
    pub funnel: funnel::FunnelFigures,
}

/// The fields of an events.jsonl line the figures need.
#[derive(Deserialize)]
struct Line {
    at: Millis,
    #[serde(default)]
    profile: String,
    platform: String,
    #[serde(rename = "type")]
    type_name: String,
    kind: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    content_id: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    sentiment: Option<String>,
    #[serde(default)]
    dm_type: Option<String>,
    #[serde(default)]
    total: Option<i64>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    parent_id: Option<String>,
    #[serde(default)]
    author: Option<LineAuthor>,
}

#[derive(Deserialize)]
struct LineAuthor {
    #[serde(default)]
    id: String,
    #[serde(default)]
    handle: String,
}

/// The events of `dir`'s `events.jsonl`, read one line at a time; a
/// line that is not an event is an error naming its number.
fn lines(dir: &Path) -> Result<impl Iterator<Item = Result<Line, StatsError>>, StatsError> {
    let path = dir.join("events.jsonl");
    let file = std::fs::File::open(&path).map_err(|e| StatsError::Read {
        path: path.display().to_string(),
        why: format!("cannot open ({e}); give the folder `diorama run --out` wrote"),
    })?;
    let reader = std::io::BufReader::with_capacity(1 << 20, file);
    let name = path.display().to_string();
    Ok(reader.lines().enumerate().filter_map(move |(n, line)| {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                return Some(Err(StatsError::Read {
                    path: name.clone(),
                    why: e.to_string(),
                }))
            }
        };
        if line.trim().is_empty() {
            return None;
        }
        Some(
            serde_json::from_str::<Line>(&line).map_err(|err| StatsError::Line {
                path: name.clone(),
                line: n + 1,
                why: err.to_string(),
            }),
        )
    }))
}

/// Compute the figures over `dir` (an output folder of `diorama run`).
pub fn compute(dir: &Path) -> Result<Stats, StatsError> {
    let report_path = dir.join("report.json");
    let report: Option<serde_json::Value> = match std::fs::read_to_string(&report_path) {
        Ok(t) => Some(serde_json::from_str(&t).map_err(|e| StatsError::Read {
            path: report_path.display().to_string(),
            why: format!("not a diorama report: {e}"),
        })?),
        Err(_) => None,
    };
    fold(report, lines(dir)?)
}

/// Compute the figures over events given as their JSON lines (each an
/// `events.jsonl` line; `source` names them in errors), with `report` the
/// fields `report.json` would hold (`seed`, `start`, `end`, `profiles`
/// with `name` and `timezone`).
pub fn compute_lines(
    source: &str,
    report: Option<serde_json::Value>,
    lines: impl IntoIterator<Item = Vec<u8>>,
) -> Result<Stats, StatsError> {
    let parsed = lines.into_iter().enumerate().map(|(n, line)| {
        serde_json::from_slice::<Line>(&line).map_err(|err| StatsError::Line {
            path: source.to_string(),
            line: n + 1,
            why: err.to_string(),
        })
    });
    fold(report, parsed)
}

fn fold(
    report: Option<serde_json::Value>,
    lines: impl Iterator<Item = Result<Line, StatsError>>,
) -> Result<Stats, StatsError> {
    let mut zones: BTreeMap<String, Tz> = BTreeMap::new();
    if let Some(profiles) = report.as_ref().and_then(|r| r["profiles"].as_array()) {
        for p in profiles {
            if let (Some(name), Some(tz)) = (p["name"].as_str(), p["timezone"].as_str()) {
                if let Ok(tz) = parse_tz(tz) {
                    zones.insert(name.to_string(), tz);
                }
            }
        }
    }

    let mut events = 0u64;
    let mut interactions: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut sentiment: BTreeMap<String, u64> = BTreeMap::new();
    let mut dms: BTreeMap<String, u64> = BTreeMap::new();
    // The longer texts, by account (see `Uniqueness`).
    let mut texts: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut per_post: BTreeSet<(String, String)> = BTreeSet::new();
    let mut comments = 0u64;
    let (mut reactions, mut worded) = (0u64, 0u64);
    let mut repeats = 0u64;
    let (mut first_1000, mut first_10000) = (0u64, 0u64);
    let mut hours = vec![0u64; 24];
    let mut commented: BTreeSet<String> = BTreeSet::new();
    let mut delays: Vec<Millis> = Vec::new();
    let mut contents: BTreeMap<(String, String), ContentSeen> = BTreeMap::new();
    let mut audience: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut voices = voice::Collector::default();
    let mut funnel = funnel::Collector::default();

    for e in lines {
        let e = e?;
        events += 1;
        match e.type_name.as_str() {
            "content" => {
                if let Some(id) = &e.id {
                    voices.content(
                        &e.profile,
                        &e.platform,
                        id,
                        e.title.as_deref().unwrap_or(""),
                        e.text.as_deref().unwrap_or(""),
                    );
                }
                if let Some(id) = e.id {
                    let c = contents.entry((e.profile.clone(), id)).or_default();
                    c.platform = e.platform;
                    c.profile = e.profile;
                    c.published = e.at;
                }
            }
            "metric" => {
                let total = e.total.unwrap_or(0);
                match e.content_id {
                    Some(cid) => {
                        if ENGAGEMENT_METRICS.contains(&e.kind.as_str()) || e.kind == "views" {
                            contents
                                .entry((e.profile.clone(), cid))
                                .or_default()
                                .metrics
                                .insert(e.kind, total);
                        }
                    }
                    None => {
                        if AUDIENCE_METRICS.contains(&e.kind.as_str()) {
                            funnel.audience(&e.profile, &e.platform, total);
                            audience.insert((e.profile, e.platform), total);
                        }
                    }
                }
            }
            "interaction" => {
                *interactions
                    .entry(e.platform.clone())
                    .or_default()
                    .entry(e.kind.clone())
                    .or_insert(0) += 1;
                if let Some(d) = &e.dm_type {
                    *dms.entry(d.clone()).or_insert(0) += 1;
                }
                funnel.interaction(&funnel::Seen {
                    at: e.at,
                    profile: &e.profile,
                    platform: &e.platform,
                    kind: &e.kind,
                    id: e.id.as_deref(),
                    parent_id: e.parent_id.as_deref(),
                    author: e.author.as_ref().map(|a| a.id.as_str()),
                    text: e.text.as_deref(),
                    sentiment: e.sentiment.as_deref(),
                    dm_type: e.dm_type.as_deref(),
                });
                // The reference mix is for comments and replies; DMs and
                // mentions may carry a sentiment too, but are not counted.
                let is_comment = e.kind == "comment" || e.kind == "reply";
                if is_comment {
                    if let Some(s) = &e.sentiment {
                        *sentiment.entry(s.clone()).or_insert(0) += 1;
                    }
                    comments += 1;
                    let text = e.text.clone().unwrap_or_default();
                    voices.comment(
                        &e.profile,
                        &e.platform,
                        &e.kind,
                        e.id.as_deref(),
                        e.content_id.as_deref(),
                        e.parent_id.as_deref(),
                        e.author.as_ref().map(|a| a.handle.as_str()),
                        &text,
                    );
                    if let Some(cid) = &e.content_id {
                        if !per_post.insert((cid.clone(), text.clone())) {
                            repeats += 1;
                        }
                    }
                    if text.split_whitespace().count() <= REACTION_WORDS {
                        reactions += 1;
                    } else {
                        texts.insert((e.profile.clone(), e.platform.clone(), text));
                        worded += 1;
                        if worded == 1_000 {
                            first_1000 = texts.len() as u64;
                        }
                        if worded == 10_000 {
                            first_10000 = texts.len() as u64;
                        }
                    }
                    let h = match zones.get(&e.profile) {
                        Some(tz) => local_hour(e.at, *tz),
                        None => local_hour(e.at, Tz::UTC),
                    };
                    hours[(h as usize).min(23)] += 1;
                    if !commented.contains(&e.profile) {
                        commented.insert(e.profile.clone());
                    }
                    if e.kind == "comment" {
                        if let Some(cid) = &e.content_id {
                            if let Some(c) = contents.get_mut(&(e.profile.clone(), cid.clone())) {
                                c.comment_events += 1;
                                if e.at >= c.published {
                                    delays.push(e.at - c.published);
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    // The timezone each commented profile was read in.
    let mut zone_names: BTreeMap<String, String> = BTreeMap::new();
    for p in &commented {
        let name = zones.get(p).map_or("UTC", |tz| tz.name());
        zone_names.insert(p.clone(), name.to_string());
    }
    let total_comments: u64 = hours.iter().sum();
    let window_share = |from: usize, to: usize| -> f64 {
        if total_comments == 0 {
            return 0.0;
        }
        hours[from..to].iter().sum::<u64>() as f64 / total_comments as f64
    };

    delays.sort_unstable();
    let quantile = |q: f64| -> f64 {
        if delays.is_empty() {
            return 0.0;
        }
        let i = ((delays.len() - 1) as f64 * q).round() as usize;
        delays[i] as f64 / 60_000.0
    };
    let share_of = |pred: &dyn Fn(Millis) -> bool| -> f64 {
        if delays.is_empty() {
            0.0
        } else {
            delays.iter().filter(|d| pred(**d)).count() as f64 / delays.len() as f64
        }
    };

    Ok(Stats {
        events,
        start: report
            .as_ref()
            .and_then(|r| r["start"].as_str().map(String::from)),
        end: report
            .as_ref()
            .and_then(|r| r["end"].as_str().map(String::from)),
        seed: report.as_ref().and_then(|r| r["seed"].as_u64()),
        interactions,
        sentiment: mix(&sentiment, &SENTIMENT_MIX),
        dm_types: mix(&dms, &DM_MIX),
        uniqueness: Uniqueness {
            comments,
            reactions,
            distinct: texts.len() as u64,
            distinct_share: if worded == 0 {
                0.0
            } else {
                texts.len() as f64 / worded as f64
            },
            repeats_under_same_post: repeats,
            first_1000_distinct: if worded >= 1_000 {
                first_1000
            } else {
                texts.len() as u64
            },
            first_10000_distinct_share: match worded {
                0 => 0.0,
                n if n >= 10_000 => first_10000 as f64 / 10_000.0,
                n => texts.len() as f64 / n as f64,
            },
        },
        hours: Hours {
            share_15_23: window_share(15, 23),
            share_03_07: window_share(3, 7),
            shape: hours::shape(&hours, zone_names),
            histogram: hours,
        },
        delays: Delays {
            count: delays.len() as u64,
            quantiles_minutes: [0.1, 0.25, 0.5, 0.75, 0.9, 0.99]
                .iter()
                .map(|q| (*q, quantile(*q)))
                .collect(),
            within_5_minutes: share_of(&|d| d <= 5 * 60_000),
            after_6_hours: share_of(&|d| d > 6 * 3_600_000),
        },
        views: views(&contents),
        engagement: engagement(&contents, &audience),
        text: voices.finish(),
        funnel: funnel.finish(),
    })
}
