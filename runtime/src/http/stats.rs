//! `GET /v1/profiles/{id}/stats`: the figures of `diorama stats` (the
//! realism figures and the funnel: conversion per stage, revenue, MRR,
//! churn and LTV, per platform and per day), computed from the profile's
//! stored events by the same code (`stats::compute_lines` over each
//! event's JSON line). The read is bounded: at most [`MAX_STATS_EVENTS`]
//! events, the oldest first; past that the answer says `truncated`.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::auth::OwnProfile;
use super::error::{blocking, ApiError, Query};
use super::ApiState;
use crate::stats;

/// The most events one answer reads.
pub const MAX_STATS_EVENTS: usize = 200_000;
/// Events read from the store at a time.
const PAGE: usize = 5_000;

/// The query of `GET .../stats`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// json: every figure; csv: the funnel's figures, one a row
    /// (`scope,platform,day,figure,value`), as `diorama stats --format csv`.
    #[param(value_type = Option<StatsFormat>, inline, nullable = false)]
    format: Option<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case", default = "json")]
#[allow(dead_code)]
enum StatsFormat {
    Json,
    Csv,
}

/// The figures of a profile.
#[derive(ToSchema)]
#[schema(as = ProfileStats)]
#[allow(dead_code)]
pub struct StatsDoc {
    /// The most events read, the oldest first (200000).
    cap: u64,
    /// The events the figures cover.
    events_read: u64,
    /// Whether the profile holds more events than `cap` (the figures then
    /// cover its first `cap`).
    truncated: bool,
    /// The figures, as `diorama stats --format json` prints them: `events`,
    /// `interactions`, `sentiment`, `dm_types`, `uniqueness`, `hours`,
    /// `delays`, `views`, `engagement`, `text`, and `funnel` (`platforms`:
    /// per platform and `all`, the stages follower → engaged → dm → lead →
    /// customer → churned with each one's conversion, offers and their
    /// conversion, the median first answer to a DM, subscriptions running,
    /// renewals, cancellations, monthly churn, and per currency revenue,
    /// MRR and LTV in minor units; `days`: per UTC day and platform, DMs,
    /// answers, offers, subscriptions, purchases, renewals, cancellations
    /// and revenue; `references`: the published rates it is tuned to).
    #[schema(value_type = Object)]
    figures: serde_json::Value,
}

#[utoipa::path(get, path = "/v1/profiles/{id}/stats",
    summary = "Realism and funnel figures (conversion per stage, revenue, MRR, churn, LTV; per platform and per day) over the profile's first 200000 events.",
    params(("id" = String, Path), StatsQuery),
    responses(
        (status = 200, description = "The figures (JSON), or the funnel's figures as CSV with `format=csv`.",
            content((StatsDoc = "application/json"), (String = "text/csv"))),
    ),
    extensions(("x-diorama-caller" = json!("profile"))))]
pub async fn stats(
    State(s): State<ApiState>,
    own: OwnProfile,
    Query(q): Query<StatsQuery>,
) -> Result<Response, ApiError> {
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::bad_query(format!(
                "`format` must be `json` or `csv`, got `{other}`"
            )))
        }
    };
    let live = s.live.clone();
    let p = own.profile;
    let (figures, read, truncated) = blocking(move || {
        let view = live.view(&p).map_err(ApiError::from)?;
        let label = p.id.to_string();
        let mut lines = Lines {
            store: live.store(),
            owner: p.id,
            label: label.clone(),
            after: None,
            page: std::collections::VecDeque::new(),
            read: 0,
            truncated: false,
            ended: false,
            error: None,
        };
        let report = json!({
            "seed": view.seed,
            "end": view.time,
            "profiles": [{ "name": label, "timezone": view.timezone }],
        });
        let figures = stats::compute_lines(&format!("profile {label}"), Some(report), &mut lines);
        if let Some(e) = lines.error {
            return Err(ApiError::from(e));
        }
        let figures = figures.map_err(|e| ApiError::internal(e.to_string()))?;
        Ok((figures, lines.read as u64, lines.truncated))
    })
    .await?;
    if csv {
        return Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            stats::funnel::csv(&figures.funnel),
        )
            .into_response());
    }
    Ok(axum::Json(json!({
        "cap": MAX_STATS_EVENTS,
        "events_read": read,
        "truncated": truncated,
        "figures": figures,
    }))
    .into_response())
}

/// A profile's events as JSON lines, read a page at a time, at most
/// [`MAX_STATS_EVENTS`]; a store error ends them and is kept.
struct Lines<'a> {
    store: &'a crate::store::Store,
    owner: crate::event::OwnerId,
    label: String,
    after: Option<u64>,
    page: std::collections::VecDeque<crate::event::StoredEvent>,
    read: usize,
    truncated: bool,
    ended: bool,
    error: Option<crate::store::StoreError>,
}

impl Iterator for Lines<'_> {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        if self.page.is_empty() && !self.ended {
            match self.store.events(self.owner, self.after, PAGE) {
                Ok(page) => {
                    self.ended = page.len() < PAGE;
                    self.after = page.last().map(|e| e.seq).or(self.after);
                    self.page.extend(page);
                }
                Err(e) => {
                    self.error = Some(e);
                    self.ended = true;
                }
            }
        }
        let e = self.page.pop_front()?;
        if self.read == MAX_STATS_EVENTS {
            self.truncated = true;
            self.page.clear();
            self.ended = true;
            return None;
        }
        self.read += 1;
        let mut line = Vec::with_capacity(400);
        crate::event::event_line(&self.label, &e, &mut line);
        Some(line)
    }
}
