//! Aggregates kept beside the event log: counters per event shape, latest
//! account metrics and one record per content item. Each aggregate records
//! the last seq it reflects (`through_seq`), so replaying the log after a
//! crash applies every event exactly once.

use std::collections::BTreeMap;

use diorama_sdk::Payload;
use serde::{Deserialize, Serialize};

use crate::event::StoredEvent;

use super::codec::FxMap;
use super::ContentRecord;

pub(crate) fn type_code(ev: &StoredEvent) -> u8 {
    match &ev.event.payload {
        Payload::Content(_) => 0,
        Payload::Interaction(_) => 1,
        Payload::Metric(_) => 2,
        Payload::Notice(_) => 3,
    }
}

/// The most specific shape of an event a count can ask about; every
/// supported count is a sum over the leaves that match it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) struct Leaf {
    pub platform: String,
    pub type_code: u8,
    pub kind: String,
    pub sentiment: Option<String>,
    pub dm_type: Option<String>,
}

/// Per-owner aggregates: one value, read and written once per append call.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct OwnerAgg {
    /// The last seq these aggregates include.
    pub through_seq: Option<u64>,
    pub counts: BTreeMap<Leaf, u64>,
    /// (platform, metric name) → latest total, for metrics with no content.
    pub account_metrics: BTreeMap<(String, String), i64>,
}

/// A content item's stored row: the public record plus bookkeeping.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct ContentRow {
    pub record: ContentRecord,
    /// Whether its content event was seen (and so it has an order key).
    /// Metrics or interactions naming an unseen id create an unlisted row.
    pub listed: bool,
    /// The last seq this row includes.
    pub through_seq: Option<u64>,
}

type LeafRef<'e> = (&'e str, u8, &'e str, Option<&'e str>, Option<&'e str>);

/// The change one append call makes to an owner's aggregates: counter
/// deltas per event shape, latest account metrics and the last seq. Strings
/// are borrowed from the events and copied once per distinct shape.
#[derive(Default)]
pub(crate) struct AggDelta<'e> {
    leaves: FxMap<LeafRef<'e>, u64>,
    account: BTreeMap<(&'e str, &'e str), i64>,
    last: Option<u64>,
}

impl<'e> AggDelta<'e> {
    pub(crate) fn add(&mut self, ev: &'e StoredEvent) {
        let (kind, sentiment, dm_type) = match &ev.event.payload {
            Payload::Content(c) => (c.kind.as_str(), None, None),
            Payload::Interaction(i) => (
                i.kind.as_str(),
                i.sentiment.as_deref(),
                i.dm_type.as_deref(),
            ),
            Payload::Metric(m) => {
                if m.content_id.is_none() {
                    self.account
                        .insert((ev.platform.as_str(), m.name.as_str()), m.total);
                }
                (m.name.as_str(), None, None)
            }
            Payload::Notice(n) => (n.code.as_str(), None, None),
        };
        *self
            .leaves
            .entry((
                ev.platform.as_str(),
                type_code(ev),
                kind,
                sentiment,
                dm_type,
            ))
            .or_insert(0) += 1;
        self.last = Some(ev.seq);
    }

    /// Merges the deltas into `agg`.
    pub(crate) fn merge_into(self, agg: &mut OwnerAgg) {
        for ((platform, type_code, kind, sentiment, dm_type), n) in self.leaves {
            let leaf = Leaf {
                platform: platform.to_owned(),
                type_code,
                kind: kind.to_owned(),
                sentiment: sentiment.map(str::to_owned),
                dm_type: dm_type.map(str::to_owned),
            };
            *agg.counts.entry(leaf).or_insert(0) += n;
        }
        for ((platform, name), total) in self.account {
            agg.account_metrics
                .insert((platform.to_owned(), name.to_owned()), total);
        }
        if let Some(last) = self.last {
            agg.through_seq = Some(last);
        }
    }
}

/// Applies one event to a content row (already loaded or created).
pub(crate) fn apply_to_content(row: &mut ContentRow, ev: &StoredEvent) {
    if row.through_seq.is_some_and(|t| ev.seq <= t) {
        return;
    }
    match &ev.event.payload {
        Payload::Content(c) => {
            let r = &mut row.record;
            if !row.listed {
                r.platform = ev.platform.clone();
                r.kind = c.kind.clone();
                r.published_at = ev.event.at;
                r.seq = ev.seq;
                row.listed = true;
            }
            r.title = c.title.clone();
            r.text = c.text.clone();
            r.url = c.url.clone();
        }
        Payload::Interaction(_) => row.record.interactions += 1,
        Payload::Metric(m) => {
            row.record.metrics.insert(m.name.clone(), m.total);
        }
        Payload::Notice(_) => {}
    }
    row.through_seq = Some(ev.seq);
}

/// The content id an event touches, if any.
pub(crate) fn content_id_of(ev: &StoredEvent) -> Option<&str> {
    match &ev.event.payload {
        Payload::Content(c) => Some(&c.id),
        Payload::Interaction(i) => i.content_id.as_deref(),
        Payload::Metric(m) => m.content_id.as_deref(),
        Payload::Notice(_) => None,
    }
}

/// A row for an id seen for the first time in `ev`.
pub(crate) fn new_row(id: &str, ev: &StoredEvent) -> ContentRow {
    ContentRow {
        record: ContentRecord {
            platform: ev.platform.clone(),
            kind: String::new(),
            id: id.to_owned(),
            title: String::new(),
            text: String::new(),
            url: String::new(),
            published_at: ev.event.at,
            seq: ev.seq,
            metrics: BTreeMap::new(),
            interactions: 0,
        },
        listed: false,
        through_seq: None,
    }
}
