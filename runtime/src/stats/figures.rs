//! Figures over posts: the shares of a mix against its reference, views
//! across posts and engagement per platform.

use std::collections::BTreeMap;

use diorama_sdk::Millis;

use super::{Engagement, Share, Views};

/// The metrics that count as engagement, and those that measure an audience.
/// A platform counts likes or, where people pick among several reactions
/// (Facebook, Telegram), `reactions`: either is the likes of the figure; and
/// shares or, where a post is passed on into other chats (Telegram),
/// `forwards`: either is its shares.
pub(super) const ENGAGEMENT_METRICS: [&str; 5] =
    ["likes", "reactions", "comments", "shares", "forwards"];
pub(super) const AUDIENCE_METRICS: [&str; 2] = ["subscribers", "followers"];

#[derive(Default)]
pub(super) struct ContentSeen {
    pub platform: String,
    pub profile: String,
    pub published: Millis,
    pub metrics: BTreeMap<String, i64>,
    pub comment_events: u64,
}

pub(super) fn mix(counts: &BTreeMap<String, u64>, reference: &[(&str, f64)]) -> Vec<Share> {
    let total: u64 = counts.values().sum();
    let mut out: Vec<Share> = reference
        .iter()
        .map(|(name, r)| {
            let count = counts.get(*name).copied().unwrap_or(0);
            Share {
                name: name.to_string(),
                count,
                share: if total == 0 {
                    0.0
                } else {
                    count as f64 / total as f64
                },
                reference: *r,
            }
        })
        .collect();
    // Values outside the reference are listed too, so nothing is hidden.
    for (name, count) in counts {
        if !reference.iter().any(|(r, _)| r == name) {
            out.push(Share {
                name: name.clone(),
                count: *count,
                share: *count as f64 / total as f64,
                reference: 0.0,
            });
        }
    }
    out
}

fn percentile(sorted: &[i64], q: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

pub(super) fn views(contents: &BTreeMap<(String, String), ContentSeen>) -> Vec<Views> {
    // platform → (views per post, total comments on those posts)
    let mut by_platform: BTreeMap<&str, (Vec<i64>, i64)> = BTreeMap::new();
    for c in contents.values() {
        if c.platform.is_empty() {
            continue;
        }
        if let Some(v) = c.metrics.get("views") {
            let entry = by_platform.entry(&c.platform).or_default();
            entry.0.push(*v);
            entry.1 += c
                .metrics
                .get("comments")
                .copied()
                .unwrap_or(c.comment_events as i64);
        }
    }
    by_platform
        .into_iter()
        .map(|(platform, (mut v, comments))| {
            v.sort_unstable();
            let total: i64 = v.iter().sum();
            let top = v.len().div_ceil(10);
            let top_sum: i64 = v.iter().rev().take(top).sum();
            let per_total = |x: i64| {
                if total == 0 {
                    0.0
                } else {
                    x as f64 / total as f64
                }
            };
            Views {
                platform: platform.to_string(),
                posts: v.len() as u64,
                median: percentile(&v, 0.5),
                p90: percentile(&v, 0.9),
                max: v.last().copied().unwrap_or(0),
                top_decile_share: per_total(top_sum),
                comments_per_1000_views: per_total(comments) * 1000.0,
            }
        })
        .collect()
}

pub(super) fn engagement(
    contents: &BTreeMap<(String, String), ContentSeen>,
    audience: &BTreeMap<(String, String), i64>,
) -> Vec<Engagement> {
    let mut rates: BTreeMap<&str, (Vec<f64>, i64)> = BTreeMap::new();
    for c in contents.values() {
        if c.platform.is_empty() {
            continue;
        }
        let Some(aud) = audience
            .get(&(c.profile.clone(), c.platform.clone()))
            .copied()
            .filter(|a| *a > 0)
        else {
            continue;
        };
        // Content without likes, comments or shares (stories, say) is not a
        // post people engage with this way.
        if !ENGAGEMENT_METRICS
            .iter()
            .any(|m| c.metrics.contains_key(*m))
        {
            continue;
        }
        let comments = c
            .metrics
            .get("comments")
            .copied()
            .unwrap_or(c.comment_events as i64);
        let likes = c
            .metrics
            .get("likes")
            .or_else(|| c.metrics.get("reactions"))
            .copied()
            .unwrap_or(0);
        let shares = c
            .metrics
            .get("shares")
            .or_else(|| c.metrics.get("forwards"))
            .copied()
            .unwrap_or(0);
        let entry = rates.entry(&c.platform).or_insert((Vec::new(), aud));
        entry
            .0
            .push((likes + comments + shares) as f64 / aud as f64);
        entry.1 = entry.1.max(aud);
    }
    rates
        .into_iter()
        .map(|(platform, (mut r, aud))| {
            r.sort_by(f64::total_cmp);
            let median = if r.is_empty() {
                0.0
            } else {
                r[(r.len() - 1) / 2]
            };
            Engagement {
                platform: platform.to_string(),
                posts: r.len() as u64,
                audience: aud,
                median,
            }
        })
        .collect()
}
