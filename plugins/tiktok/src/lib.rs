//! The TikTok simulator.
//!
//! An account publishes short videos (about `videos_per_day`, mostly in the
//! local afternoon). Each video draws a log-normal quality, so a few videos
//! get most of the views; its expected lifetime views are `avg_views` (by
//! default three quarters of the account's followers: the For You feed
//! reaches well beyond them) times its quality. Views arrive along the SEISMIC reaction
//! curve times the audience's daily rhythm, and travel as periodic `views`,
//! `likes`, `comments` and `shares` metric updates per video. Comments,
//! short and emoji-heavy, arrive as Poisson counts per minute from the same
//! intensity times `comment_rate`, plus a self-exciting part; some are
//! replies. DMs arrive at `dm_rate` a day in the 40/30/15/10/5
//! fan/question/collaboration/spam/criticism mix. Followers grow with
//! views, minus a little churn, reported a few times a day.
//!
//! With the defaults (`like_rate` 0.085, `share_rate` 0.006,
//! `comment_rate` 0.0006) the median video ends with likes + comments +
//! shares ≈ 5.7 % of the followers, Rival IQ's 5.7 % median.
//!
//! `comment_volume` ("low" | "medium" | "high" | "viral") multiplies the
//! default `comment_rate` by 0.35, 1, 2.5 or 8, and `dm_frequency` ("low" |
//! "medium" | "high") the default `dm_rate` (about 8 a day per 100k
//! followers) by 0.4, 1 or 2.5; both default to "medium", and an explicit
//! `comment_rate` or `dm_rate` wins.
//!
//! Signals: `viral` {content_id?, factor = 10, ramp = 30 min, decay = 8 h}
//! and `shadowban` {depth = 0.9 (or factor = 1 − depth), duration = 3 days,
//! recovery = 12 h} (see [`diorama_sdk::models::spike`]); `troll_wave`
//! {content_id?, size = 200, duration = 2 h}: negative comments on one video
//! from fresh accounts with under 100 followers; `brand_deal_flood` {factor
//! = 10, duration = 24 h}: collaboration DMs multiplied; `controversy`
//! {duration = 24 h, heal = 48 h, negativity = 0.6}: the comments'
//! sentiment turns, then heals; `growth` {followers, duration = 24 h}:
//! followers grow to a target (see [`diorama_sdk::models::signals`]).
//!
//! Actions: `publish` {kind?: "video", caption?} (10 videos in 24 hours),
//! `reply` {comment_id, text} (100 comments in 24 hours), `dm_reply`
//! {dm_id, text}.

mod params;
pub mod video;

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use diorama_sdk::models::ids::{push_digits, tiktok_video_id};
use diorama_sdk::models::limits::RateWindow;
use diorama_sdk::models::params::check_known;
use diorama_sdk::models::persona::{self, Audience, PersonaStyle};
use diorama_sdk::models::popularity::{self, LogNormal};
use diorama_sdk::models::rng::Rng;
use diorama_sdk::models::signals::{
    growth_description, troll_author, troll_wave_description, BrandDealFlood, Controversy, Growth,
    TrollWave, BRAND_DEAL_FLOOD_DESCRIPTION, CONTROVERSY_DESCRIPTION,
};
use diorama_sdk::models::spike::{
    viral_description, Shadowban, Spike, ViralParams, SHADOWBAN_DESCRIPTION,
};
use diorama_sdk::models::text::{
    self, post_scope, write_distinct_scoped, CommentStyle, Distinct, DmType, Niche, Sentiment,
};
use diorama_sdk::models::time::{daily_rhythm, local_hour, schedule_after, substeps, Timezone, Tz};
use diorama_sdk::models::timing::{metric_interval, Seismic, SelfExcitation};
use diorama_sdk::{
    AccountConfig, Action, ActionError, Author, Content, Event, Interaction, LimitInfo, Metric,
    MetricRoles, Millis, ParamInfo, Payload, Platform, PlatformInfo, SignalInfo, DAY, HOUR, MINUTE,
};

pub use params::{Params, COMMENT_LIMIT, LIKE_LIMIT, VIDEO_LIMIT};
use video::{Thread, Video, METRICS};

const PLATFORM: &str = "tiktok";
/// Follower updates while the account grows toward a target: every 30 to
/// 60 minutes.
const GROWTH_REPORT: Millis = 30 * MINUTE;
/// The signals' names, for errors.
const SIGNALS: &str = "viral, shadowban, troll_wave, brand_deal_flood, controversy, growth";
/// The simulator advances in sub-steps of at most this length, aligned to
/// whole minutes, whatever window the host steps.
const SUBSTEP: Millis = MINUTE;
/// Spread of video quality (log-normal σ).
const QUALITY_SIGMA: f64 = popularity::DEFAULT_QUALITY_SIGMA;
/// Spread of the like and share ratios between videos.
const LIKE_SIGMA: f64 = 0.25;
/// New followers per view.
const FOLLOWS_PER_VIEW: f64 = 0.0015;
/// Share of followers lost per day.
const CHURN_PER_DAY: f64 = 0.0004;
/// Share of ordinary comments that are replies, and of excited ones.
const REPLY_SHARE: f64 = 0.15;
const EXCITED_REPLY_SHARE: f64 = 0.6;
/// How many recent comments `reply` and DMs `dm_reply` can find.
const RECENT_COMMENTS: usize = 4096;
const RECENT_DMS: usize = 4096;
/// Memory of the self-excitation.
const EXCITATION_MEMORY: Millis = 45 * MINUTE;

/// The reaction-delay kernel: SEISMIC, cut at a week (the For You feed
/// moves on quickly).
fn kernel() -> Seismic {
    Seismic::standard().with_horizon(7 * DAY)
}

/// Comment self-excitation as on YouTube (Mishra et al.'s κ and β).
fn excitation() -> SelfExcitation {
    SelfExcitation::mishra(6.0, EXCITATION_MEMORY, 3.0)
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TikTok {
    niche: Niche,
    timezone: Timezone,
    params: Params,
    /// Draws for the audience: comments, DMs, authors, metric noise.
    rng: Rng,
    /// Draws for the account's plan: publishing times and the videos.
    plan: Rng,
    clock: Millis,
    creator: Author,
    audience: Audience,
    followers: i64,
    followers_reported: i64,
    follow_gain: f64,
    follow_loss: f64,
    next_followers_metric: Millis,
    next_video: Millis,
    /// Publishing times within the last 24 hours.
    uploads: RateWindow,
    /// The creator's own comments within the last 24 hours.
    own_comments: RateWindow,
    /// Every video, in publishing order.
    videos: Vec<Video>,
    /// Indexes of the videos still drawing an audience.
    active: Vec<u32>,
    /// Recent top-level comments and their video, for `reply`.
    recent: VecDeque<(u64, u32)>,
    /// Recent DMs' ids, for `dm_reply`.
    recent_dms: VecDeque<u64>,
    shadowbans: Vec<Shadowban>,
    /// The audience's recent comment texts, against repeats.
    texts: Distinct,
    /// The recent comment texts of every post, each in the post's scope,
    /// against verbatim repeats under it: one bounded set however many posts
    /// draw comments (a set per post grew with their number).
    #[serde(default = "post_texts")]
    post_texts: Distinct,
    #[serde(default)]
    controversies: Vec<Controversy>,
    #[serde(default)]
    floods: Vec<BrandDealFlood>,
    /// Troll waves under way and their target's index.
    #[serde(default)]
    trolls: Vec<(u32, TrollWave)>,
    #[serde(default)]
    growth: Option<Growth>,
}

/// A 19-digit numeric id (comments and messages start with 7 like videos).
fn numeric_id(rng: &mut Rng) -> u64 {
    tiktok_video_id(rng)
}

impl TikTok {
    /// The published videos' ids, oldest first.
    pub fn video_ids(&self) -> impl Iterator<Item = &str> {
        self.videos.iter().map(|v| v.id.as_str())
    }

    /// How many videos still draw an audience (and cost time per step).
    pub fn active_videos(&self) -> usize {
        self.active.len()
    }

    /// The creator's account.
    pub fn creator(&self) -> &Author {
        &self.creator
    }

    /// Create a video published at `at` and its content event.
    fn publish(&mut self, at: Millis, caption: Option<String>) -> Event {
        let rng = &mut self.plan;
        let mut id = String::with_capacity(19);
        push_digits(&mut id, tiktok_video_id(rng));
        let url = format!("https://www.tiktok.com/{}/video/{id}", self.creator.handle);
        let caption = caption.unwrap_or_else(|| text::caption(rng, self.niche));
        let title = caption
            .split(" #")
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let seconds = rng.lognormal(3.4, 0.6).clamp(6.0, 600.0) as u32;
        let reach = self.params.avg_views * popularity::quality(rng, QUALITY_SIGMA);
        let mut v = Video::new(id.clone(), at, seconds, reach);
        let spread = LogNormal::with_mean(1.0, LIKE_SIGMA);
        v.like_ratio = (self.params.like_rate * spread.sample(rng)).min(1.0);
        v.share_ratio = (self.params.share_rate * spread.sample(rng)).min(1.0);
        v.next_metric = at + 5 * MINUTE + rng.below(5 * MINUTE as u64) as Millis;
        let idx = self.videos.len() as u32;
        self.videos.push(v);
        self.active.push(idx);
        self.uploads.record(at);
        Event {
            at,
            payload: Payload::Content(Content {
                id,
                kind: "video".into(),
                title,
                text: caption,
                url,
            }),
        }
    }

    fn followers_metric(&mut self, at: Millis, growth_done: bool, out: &mut Vec<Event>) {
        let gained = self.rng.poisson(self.follow_gain) as i64;
        let lost = self.rng.poisson(self.follow_loss) as i64;
        self.follow_gain = 0.0;
        self.follow_loss = 0.0;
        self.followers = (self.followers + gained - lost).max(0);
        if let Some(g) = self.growth.as_mut() {
            self.followers += g.take();
            if growth_done {
                self.followers = self.followers.max(g.target);
                self.growth = None;
            }
        }
        out.push(Event {
            at,
            payload: Payload::Metric(Metric {
                content_id: None,
                name: "followers".into(),
                total: self.followers,
                delta: self.followers - self.followers_reported,
            }),
        });
        self.followers_reported = self.followers;
        self.creator.followers = self.followers as u64;
    }

    /// The flood's extra collaboration DMs in `[a, b)`.
    fn flood_dms(&mut self, a: Millis, b: Millis, rhythm: f64, out: &mut Vec<Event>) {
        let extra = BrandDealFlood::extra_at(&self.floods, a);
        if extra <= 0.0 {
            return;
        }
        let span = (b - a) as f64 / DAY as f64 * rhythm;
        let n = self
            .rng
            .poisson(self.params.dm_rate * span * DmType::MIX[2] * extra);
        for _ in 0..n {
            let at = a + self.rng.below((b - a) as u64) as Millis;
            self.dm(at, DmType::Collaboration, out);
        }
    }

    /// One DM of `kind` at `at`.
    fn dm(&mut self, at: Millis, kind: DmType, out: &mut Vec<Event>) {
        let rng = &mut self.rng;
        let author = self.audience.pick(rng);
        let body = text::dm(rng, self.niche, kind);
        let id = numeric_id(rng);
        self.recent_dms.push_back(id);
        if self.recent_dms.len() > RECENT_DMS {
            self.recent_dms.pop_front();
        }
        out.push(Event {
            at,
            payload: Payload::Interaction(Interaction {
                id: id.to_string(),
                kind: "dm".into(),
                content_id: None,
                parent_id: None,
                author,
                text: body,
                sentiment: Some(kind.sentiment().as_str().into()),
                dm_type: Some(kind.as_str().into()),
            }),
        });
    }

    /// DMs in `[a, b)`.
    fn inbox(&mut self, a: Millis, b: Millis, rhythm: f64, out: &mut Vec<Event>) {
        let span = (b - a) as f64 / DAY as f64 * rhythm;
        let n_dms = self.rng.poisson(self.params.dm_rate * span);
        for _ in 0..n_dms {
            let at = a + self.rng.below((b - a) as u64) as Millis;
            let kind = DmType::sample(&mut self.rng);
            self.dm(at, kind, out);
        }
        self.flood_dms(a, b, rhythm, out);
    }

    /// The comments of the troll waves under way in `[a, b)`: negative,
    /// from fresh accounts with under 100 followers.
    fn troll_comments(&mut self, a: Millis, b: Millis, out: &mut Vec<Event>) {
        let TikTok {
            niche,
            rng,
            videos,
            active,
            recent,
            trolls,
            texts,
            post_texts,
            ..
        } = self;
        for (idx, wave) in trolls.iter_mut() {
            let n = wave.due(b);
            let Some(v) = videos.get_mut(*idx as usize) else {
                continue;
            };
            if n > 0 && !v.active {
                v.active = true;
                active.push(*idx);
            }
            for _ in 0..n {
                let at = wave.time_in(rng, a, b);
                let author = troll_author(rng, PersonaStyle::TikTok);
                let cid = numeric_id(rng);
                v.remember_thread(Thread {
                    id: cid,
                    handle: author.handle.clone(),
                });
                recent.push_back((cid, *idx));
                if recent.len() > RECENT_COMMENTS {
                    recent.pop_front();
                }
                let seconds = Some(v.seconds);
                let mut body = String::with_capacity(64);
                write_distinct_scoped(
                    &mut [
                        (&mut *post_texts, post_scope(u64::from(*idx))),
                        (&mut *texts, 0),
                    ],
                    &mut body,
                    8,
                    |out| {
                        text::write_styled_comment(
                            out,
                            rng,
                            *niche,
                            Sentiment::Negative,
                            CommentStyle::TikTok,
                            seconds,
                        )
                    },
                );
                v.comments += 1;
                out.push(Event {
                    at,
                    payload: Payload::Interaction(Interaction {
                        id: cid.to_string(),
                        kind: "comment".into(),
                        content_id: Some(v.id.clone()),
                        parent_id: None,
                        author,
                        text: body,
                        sentiment: Some(Sentiment::Negative.as_str().into()),
                        dm_type: None,
                    }),
                });
            }
        }
        trolls.retain(|(_, w)| !w.done());
    }

    /// Advance over one sub-step `[a, b)` (b − a ≤ a minute).
    fn substep(&mut self, a: Millis, b: Millis, tz: Tz, out: &mut Vec<Event>) {
        while self.next_video < b {
            let at = self.next_video.max(a);
            if let Some(wait) = self.uploads.wait_day(at, VIDEO_LIMIT) {
                self.next_video = at + wait;
                continue;
            }
            let event = self.publish(at, None);
            out.push(event);
            self.next_video =
                schedule_after(&mut self.plan, at, self.params.videos_per_day, tz).max(at + 1);
        }
        let mut growth_done = false;
        if let Some(g) = self.growth.as_mut() {
            let current = self.followers as f64 + self.follow_gain - self.follow_loss;
            growth_done = g.advance(a, b, current);
        }
        if a >= self.next_followers_metric || growth_done {
            self.followers_metric(a, growth_done, out);
            self.next_followers_metric = if self.growth.is_some() {
                a + GROWTH_REPORT + self.rng.below(GROWTH_REPORT as u64) as Millis
            } else {
                a + 4 * HOUR + self.rng.below(4 * HOUR as u64) as Millis
            };
        }
        self.follow_loss += self.followers as f64 * CHURN_PER_DAY * (b - a) as f64 / DAY as f64;
        let rhythm = daily_rhythm(local_hour(a + (b - a) / 2, tz));
        self.inbox(a, b, rhythm, out);
        if !self.trolls.is_empty() {
            self.troll_comments(a, b, out);
        }
        self.controversies.retain(|c| !c.over(a));
        self.floods.retain(|f| f.end > a);
        if self.active.is_empty() {
            return;
        }
        let reach_factor = rhythm * Shadowban::factor_at(&self.shadowbans, a);
        self.shadowbans.retain(|s| !s.over(b));
        let kernel = kernel();
        let excitation = excitation();
        let mut dropped = false;
        let TikTok {
            niche,
            params,
            rng,
            audience,
            videos,
            active,
            recent,
            follow_gain,
            texts,
            post_texts,
            controversies,
            ..
        } = self;
        for &idx in active.iter() {
            let v = &mut videos[idx as usize];
            let views = v.expected_views(&kernel, a, b) * reach_factor;
            v.pending_views += views;
            *follow_gain += views * FOLLOWS_PER_VIEW;
            comments(
                v,
                idx,
                views * params.comment_rate,
                a,
                b,
                *niche,
                rng,
                audience,
                recent,
                texts,
                post_texts,
                controversies,
                &excitation,
                out,
            );
            if a >= v.next_metric {
                emit_metrics(v, a, rng, out);
                v.next_metric = a + metric_interval(a - v.published, v.viral_excess(a) > 0.5, rng);
            }
            // Retire videos whose audience has gone.
            v.spikes.retain(|x| !x.faded(b));
            let age = b - v.published;
            let quiet = v.spikes.is_empty()
                && v.excitation.remaining(b, excitation.memory) < 0.05
                && (age >= kernel.horizon()
                    || (age > DAY && v.reach * kernel.rate(age) * HOUR as f64 * 3.0 < 0.5));
            if quiet {
                emit_metrics(v, a, rng, out);
                v.active = false;
                v.threads.clear();
                v.excitation = Default::default();
                dropped = true;
            }
        }
        if dropped {
            active.retain(|&i| videos[i as usize].active);
        }
    }

    fn act_publish(&mut self, at: Millis, map: &Map<String, Value>) -> Result<Event, ActionError> {
        let invalid = ActionError::Invalid;
        check_known(PLATFORM, map, &["kind", "caption"], "`publish` parameter").map_err(invalid)?;
        match map.get("kind") {
            None | Some(Value::Null) => {}
            Some(Value::String(k)) if k == "video" => {}
            Some(other) => {
                return Err(invalid(format!(
                    "{PLATFORM}: `publish` `kind` must be \"video\" (got {other})"
                )))
            }
        }
        let caption = match map.get("caption") {
            None | Some(Value::Null) => None,
            Some(Value::String(c)) => Some(c.clone()),
            Some(other) => {
                return Err(invalid(format!(
                    "{PLATFORM}: `publish` `caption` must be a string (got {other})"
                )))
            }
        };
        if let Some(wait) = self.uploads.wait_day(at, VIDEO_LIMIT) {
            return Err(ActionError::RateLimited(wait));
        }
        Ok(self.publish(at, caption))
    }

    fn creator_interaction(
        &self,
        at: Millis,
        kind: &str,
        id: u64,
        content_id: Option<String>,
        parent_id: String,
        body: String,
    ) -> Event {
        Event {
            at,
            payload: Payload::Interaction(Interaction {
                id: id.to_string(),
                kind: kind.into(),
                content_id,
                parent_id: Some(parent_id),
                author: self.creator.clone(),
                text: body,
                sentiment: None,
                dm_type: None,
            }),
        }
    }

    fn act_reply(&mut self, at: Millis, map: &Map<String, Value>) -> Result<Event, ActionError> {
        let invalid = ActionError::Invalid;
        check_known(PLATFORM, map, &["comment_id", "text"], "`reply` parameter")
            .map_err(invalid)?;
        let Some(Value::String(comment_id)) = map.get("comment_id") else {
            return Err(invalid(format!(
                "{PLATFORM}: `reply` needs a `comment_id` string"
            )));
        };
        let body = diorama_sdk::models::params::text(PLATFORM, map, "text", "reply")
            .map_err(invalid)?
            .to_string();
        let not_found =
            || ActionError::NotFound(format!("{PLATFORM}: no recent comment `{comment_id}`"));
        let thread: u64 = comment_id.parse().map_err(|_| not_found())?;
        let idx = self
            .recent
            .iter()
            .rev()
            .find(|(c, _)| *c == thread)
            .map(|&(_, i)| i as usize)
            .ok_or_else(not_found)?;
        if let Some(wait) = self.own_comments.wait_day(at, COMMENT_LIMIT) {
            return Err(ActionError::RateLimited(wait));
        }
        self.own_comments.record(at);
        let id = numeric_id(&mut self.rng);
        let offspring = excitation().offspring(self.creator.followers);
        let v = &mut self.videos[idx];
        v.comments += 1;
        v.excitation.bump(at, offspring, EXCITATION_MEMORY);
        let content_id = v.id.clone();
        if !v.active {
            v.active = true;
            self.active.push(idx as u32);
        }
        Ok(self.creator_interaction(at, "reply", id, Some(content_id), thread.to_string(), body))
    }

    fn act_dm_reply(&mut self, at: Millis, map: &Map<String, Value>) -> Result<Event, ActionError> {
        let invalid = ActionError::Invalid;
        check_known(PLATFORM, map, &["dm_id", "text"], "`dm_reply` parameter").map_err(invalid)?;
        let Some(Value::String(dm_id)) = map.get("dm_id") else {
            return Err(invalid(format!(
                "{PLATFORM}: `dm_reply` needs a `dm_id` string"
            )));
        };
        let body = diorama_sdk::models::params::text(PLATFORM, map, "text", "dm_reply")
            .map_err(invalid)?
            .to_string();
        let known = dm_id
            .parse::<u64>()
            .is_ok_and(|d| self.recent_dms.iter().rev().any(|&x| x == d));
        if !known {
            return Err(ActionError::NotFound(format!(
                "{PLATFORM}: no recent DM `{dm_id}`"
            )));
        }
        let id = numeric_id(&mut self.rng);
        Ok(self.creator_interaction(at, "dm", id, None, dm_id.clone(), body))
    }
}

/// The comments and replies on one video in `[a, b)`: `expected` ordinary
/// ones, plus excited ones from earlier comments.
#[allow(clippy::too_many_arguments)]
fn comments(
    v: &mut Video,
    idx: u32,
    expected: f64,
    a: Millis,
    b: Millis,
    niche: Niche,
    rng: &mut Rng,
    audience: &mut Audience,
    recent: &mut VecDeque<(u64, u32)>,
    texts: &mut Distinct,
    post_texts: &mut Distinct,
    controversies: &[Controversy],
    excitation: &SelfExcitation,
    out: &mut Vec<Event>,
) {
    let n_base = rng.poisson(expected);
    let n_excited = rng.poisson(v.excitation.expected(a, b, excitation.memory));
    if n_base + n_excited == 0 {
        return;
    }
    let lo = a.max(v.published);
    let mut offspring = 0.0;
    for k in 0..n_base + n_excited {
        let reply_share = if k >= n_base {
            EXCITED_REPLY_SHARE
        } else {
            REPLY_SHARE
        };
        let at = lo + rng.below((b - lo).max(1) as u64) as Millis;
        let author = audience.pick(rng);
        offspring += excitation.offspring(author.followers);
        let sentiment = Controversy::sample(controversies, rng, at);
        let mut body = String::with_capacity(64);
        let cid = numeric_id(rng);
        let (kind, parent_id) = if !v.threads.is_empty() && rng.chance(reply_share) {
            let parent = &v.threads[rng.below(v.threads.len() as u64) as usize];
            write_distinct_scoped(
                &mut [
                    (&mut *post_texts, post_scope(u64::from(idx))),
                    (&mut *texts, 0),
                ],
                &mut body,
                4,
                |out| {
                    text::write_styled_reply(
                        out,
                        rng,
                        niche,
                        sentiment,
                        CommentStyle::TikTok,
                        Some(v.seconds),
                        Some(&parent.handle),
                    )
                },
            );
            ("reply", Some(parent.id.to_string()))
        } else {
            v.remember_thread(Thread {
                id: cid,
                handle: author.handle.clone(),
            });
            recent.push_back((cid, idx));
            if recent.len() > RECENT_COMMENTS {
                recent.pop_front();
            }
            let seconds = Some(v.seconds);
            write_distinct_scoped(
                &mut [
                    (&mut *post_texts, post_scope(u64::from(idx))),
                    (&mut *texts, 0),
                ],
                &mut body,
                4,
                |out| {
                    text::write_styled_comment(
                        out,
                        rng,
                        niche,
                        sentiment,
                        CommentStyle::TikTok,
                        seconds,
                    )
                },
            );
            ("comment", None)
        };
        v.comments += 1;
        out.push(Event {
            at,
            payload: Payload::Interaction(Interaction {
                id: cid.to_string(),
                kind: kind.into(),
                content_id: Some(v.id.clone()),
                parent_id,
                author,
                text: body,
                sentiment: Some(sentiment.as_str().into()),
                dm_type: None,
            }),
        });
    }
    v.excitation.bump(b, offspring, excitation.memory);
}

/// Draw the views, likes and shares that arrived since the last update and
/// emit the counters that changed.
fn emit_metrics(v: &mut Video, at: Millis, rng: &mut Rng, out: &mut Vec<Event>) {
    let views = rng.poisson(v.pending_views) as i64;
    v.pending_views = 0.0;
    v.views += views;
    v.likes += rng.poisson(views as f64 * v.like_ratio) as i64;
    v.shares += rng.poisson(views as f64 * v.share_ratio) as i64;
    let totals = v.totals();
    for (i, name) in METRICS.into_iter().enumerate() {
        let delta = totals[i] - v.reported[i];
        if delta != 0 {
            out.push(Event {
                at,
                payload: Payload::Metric(Metric {
                    content_id: Some(v.id.clone()),
                    name: name.into(),
                    total: totals[i],
                    delta,
                }),
            });
            v.reported[i] = totals[i];
        }
    }
}

impl Platform for TikTok {
    fn describe() -> PlatformInfo {
        let limit = |action: &str, max| LimitInfo {
            action: action.into(),
            max,
            per: DAY,
        };
        PlatformInfo {
            name: PLATFORM.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            content_kinds: vec!["video".into()],
            interaction_kinds: vec!["comment".into(), "reply".into(), "dm".into()],
            metrics: METRICS
                .iter()
                .map(|m| m.to_string())
                .chain(["followers".to_string()])
                .collect(),
            signals: vec![
                SignalInfo {
                    name: "viral".into(),
                    description: viral_description("video"),
                    on_content: true,
                },
                SignalInfo {
                    name: "shadowban".into(),
                    description: SHADOWBAN_DESCRIPTION.into(),
                    on_content: false,
                },
                SignalInfo {
                    name: "troll_wave".into(),
                    description: troll_wave_description("video"),
                    on_content: false,
                },
                SignalInfo {
                    name: "brand_deal_flood".into(),
                    description: BRAND_DEAL_FLOOD_DESCRIPTION.into(),
                    on_content: false,
                },
                SignalInfo {
                    name: "controversy".into(),
                    description: CONTROVERSY_DESCRIPTION.into(),
                    on_content: false,
                },
                SignalInfo {
                    name: "growth".into(),
                    description: growth_description("followers"),
                    on_content: false,
                },
            ],
            actions: vec!["publish".into(), "reply".into(), "dm_reply".into()],
            // Keyed by action: the creator's comments are `reply`s; the
            // creator has no like action.
            limits: vec![
                limit("publish", VIDEO_LIMIT),
                limit("reply", COMMENT_LIMIT),
            ],
            params: ParamInfo::from_defaults(&params::defaults_json()).unwrap_or_default(),
            metric_roles: MetricRoles {
                views: Some("views".into()),
                likes: Some("likes".into()),
                comments: Some("comments".into()),
            },
            automatic_share: Some(0.8),
            api_hosts: Vec::new(),
            webhook_formats: Vec::new(),
        }
    }

    fn init(config: &AccountConfig) -> Result<Self, String> {
        let params = Params::parse(&config.params)?;
        let niche = Niche::parse(&config.niche).map_err(|e| format!("{PLATFORM}: {e}"))?;
        let timezone = Timezone::parse(&config.timezone).map_err(|e| format!("{PLATFORM}: {e}"))?;
        let mut rng = Rng::new(config.seed, &format!("tiktok/{}", config.profile));
        let mut plan = Rng::new(config.seed, &format!("tiktok/{}/plan", config.profile));
        let audience =
            Audience::for_followers(rng.next_u64(), PersonaStyle::TikTok, params.followers);
        let mut creator =
            persona::author_with_followers(&mut rng, PersonaStyle::TikTok, params.followers);
        creator.verified = params.followers >= 100_000;
        let start = config.start;
        let next_video = if params.videos_per_day > 0.0 {
            start + 20 * MINUTE + plan.below(160 * MINUTE as u64) as Millis
        } else {
            Millis::MAX
        };
        let next_followers_metric = start + rng.below(HOUR as u64) as Millis;
        let followers = params.followers.min(i64::MAX as u64) as i64;
        Ok(TikTok {
            niche,
            timezone,
            params,
            rng,
            plan,
            clock: start,
            creator,
            audience,
            followers,
            followers_reported: followers,
            follow_gain: 0.0,
            follow_loss: 0.0,
            next_followers_metric,
            next_video,
            uploads: RateWindow::default(),
            own_comments: RateWindow::default(),
            videos: Vec::new(),
            active: Vec::new(),
            recent: VecDeque::new(),
            recent_dms: VecDeque::new(),
            shadowbans: Vec::new(),
            texts: Distinct::with_capacity(Distinct::ACCOUNT_CAPACITY),
            post_texts: post_texts(),
            controversies: Vec::new(),
            floods: Vec::new(),
            trolls: Vec::new(),
            growth: None,
        })
    }

    fn step(&mut self, from: Millis, to: Millis, out: &mut Vec<Event>) {
        let from = from.max(self.clock);
        if to <= from {
            return;
        }
        let tz = self.timezone.tz();
        for (a, b) in substeps(from, to, SUBSTEP) {
            self.substep(a, b, tz, out);
        }
        self.clock = to;
    }

    fn signal(&mut self, at: Millis, name: &str, params: &Value) -> Result<(), String> {
        match name {
            "viral" => {
                let p = ViralParams::parse(PLATFORM, params)?;
                let idx = match &p.content_id {
                    Some(id) => self
                        .videos
                        .iter()
                        .rposition(|v| &v.id == id)
                        .ok_or_else(|| {
                            format!("{PLATFORM}: no video with id `{id}` to make viral")
                        })?,
                    None => self.videos.len().checked_sub(1).ok_or_else(|| {
                        format!("{PLATFORM}: no video has been published yet, so none can go viral")
                    })?,
                };
                let typical = self.params.avg_views;
                let v = &mut self.videos[idx];
                v.spikes.push(Spike::new(at, &p, v.reach.max(typical)));
                v.next_metric = v.next_metric.min(at + 5 * MINUTE);
                if !v.active {
                    v.active = true;
                    self.active.push(idx as u32);
                }
                Ok(())
            }
            "shadowban" => {
                let ban = Shadowban::parse(PLATFORM, at, params)?;
                self.shadowbans.push(ban);
                Ok(())
            }
            "troll_wave" => {
                let wave = TrollWave::parse(PLATFORM, at, params)?;
                let idx = match &wave.content_id {
                    Some(id) => self
                        .videos
                        .iter()
                        .rposition(|v| &v.id == id)
                        .ok_or_else(|| {
                            format!("{PLATFORM}: no video with id `{id}` for `troll_wave`")
                        })?,
                    None => self.videos.len().checked_sub(1).ok_or_else(|| {
                        format!("{PLATFORM}: no video has been published yet, so `troll_wave` has no target")
                    })?,
                };
                let v = &mut self.videos[idx];
                v.next_metric = v.next_metric.min(at + 5 * MINUTE);
                self.trolls.push((idx as u32, wave));
                Ok(())
            }
            "brand_deal_flood" => {
                self.floods
                    .push(BrandDealFlood::parse(PLATFORM, at, params)?);
                Ok(())
            }
            "controversy" => {
                self.controversies
                    .push(Controversy::parse(PLATFORM, at, params)?);
                Ok(())
            }
            "growth" => {
                let g = Growth::parse(PLATFORM, "followers", at, self.followers, params)?;
                self.growth = Some(g);
                self.next_followers_metric = self.next_followers_metric.min(at + GROWTH_REPORT);
                Ok(())
            }
            other => Err(format!(
                "{PLATFORM} does not understand the signal `{other}` (known: {SIGNALS})"
            )),
        }
    }

    fn act(&mut self, at: Millis, action: &Action) -> Result<Vec<Event>, ActionError> {
        let params = diorama_sdk::parse_params(&action.params)
            .map_err(|e| ActionError::Invalid(format!("{PLATFORM}: {e}")))?;
        let empty = Map::new();
        let map = params.as_object().unwrap_or(&empty);
        match action.kind.as_str() {
            "publish" => self.act_publish(at, map).map(|e| vec![e]),
            "reply" => self.act_reply(at, map).map(|e| vec![e]),
            "dm_reply" => self.act_dm_reply(at, map).map(|e| vec![e]),
            other => Err(ActionError::Invalid(format!(
                "{PLATFORM} does not support the action `{other}` (known: publish, reply, dm_reply)"
            ))),
        }
    }
}

diorama_sdk::export_platform!(TikTok);

fn post_texts() -> Distinct {
    Distinct::with_capacity(Distinct::POSTS_CAPACITY)
}
