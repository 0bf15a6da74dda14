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

pub mod native;
mod params;
pub mod style;
pub mod video;
pub mod webhook;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use diorama_sdk::kit::actions;
use diorama_sdk::kit::audience::AudienceCount;
use diorama_sdk::kit::funnel;
use diorama_sdk::kit::health::{self, BlockRule};
use diorama_sdk::kit::inbox::{Inbox, Senders};
use diorama_sdk::kit::moderation::{self, Moderation};
use diorama_sdk::kit::signals::{self, ActiveSignals, SignalHost};
use diorama_sdk::kit::threads::{CommentRules, Comments, Crowd};
use diorama_sdk::models::ids::push_digits;
use diorama_sdk::models::limits::RateWindow;
use diorama_sdk::models::params::check_known;
use diorama_sdk::models::persona::{self, Audience};
use diorama_sdk::models::popularity::{self, LogNormal};
use diorama_sdk::models::rng::fnv1a;
use diorama_sdk::models::rng::Rng;
use diorama_sdk::models::signals::{
    growth_description, troll_wave_description, TrollWave, BRAND_DEAL_FLOOD_DESCRIPTION,
    CONTROVERSY_DESCRIPTION,
};
use diorama_sdk::models::spike::{viral_description, Spike, ViralParams, SHADOWBAN_DESCRIPTION};
use diorama_sdk::models::text::{self, Niche};
use diorama_sdk::models::time::{daily_rhythm, local_hour, schedule_after, substeps, Timezone, Tz};
use diorama_sdk::models::timing::{metric_interval, Seismic, SelfExcitation};
use diorama_sdk::{
    AccountConfig, Action, ActionError, Author, Content, Event, HttpRequest, HttpResponse,
    LimitInfo, Metric, MetricRoles, Millis, NativeOutcome, Payload, Platform, PlatformInfo,
    SignalInfo, Verification, WebhookDelivery, DAY, HOUR, MINUTE,
};

pub use params::{Params, COMMENT_LIMIT, LIKE_LIMIT, VIDEO_LIMIT};
use video::{Video, METRICS};

const PLATFORM: &str = "tiktok";
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
/// Memory of the self-excitation.
const EXCITATION_MEMORY: Millis = 45 * MINUTE;

/// The reaction-delay kernel: SEISMIC, cut at a week (the For You feed
/// moves on quickly).
fn kernel() -> Seismic {
    Seismic::standard().with_horizon(7 * DAY)
}

/// How comments read and thread: short and emoji-heavy, 15 % of ordinary
/// comments and 60 % of excited ones replies, self-excitation as on
/// YouTube (Mishra et al.'s κ and β).
fn rules() -> CommentRules {
    CommentRules {
        style: style::COMMENTS,
        persona: style::PERSONAS,
        reply_share: 0.15,
        excited_reply_share: 0.6,
        excitation: SelfExcitation::mishra(6.0, EXCITATION_MEMORY, 3.0),
        new_id: numeric_id,
    }
}

/// The creator's own actions.
const ACTIONS: &[&str] = &["publish", "reply", "dm_reply", funnel::SEND_OFFER];
/// The action block: TikTok publishes no figure; "You're commenting too
/// fast. Take a break." is reported after bursts of some dozens of
/// comments. Set at Instagram's reported 60 an hour, blocking for a day.
pub const BLOCK: BlockRule = BlockRule {
    max: 60,
    within: HOUR,
    lasts: DAY,
    counts: health::CREATOR_ACTIONS,
    says: "TikTok: \"You're commenting too fast. Take a break.\"",
};
/// Moderation on TikTok: like, delete and pin (one a video) a comment,
/// block its author, follow back.
const MODERATION: moderation::Rules = moderation::Rules {
    actions: &[
        "like_comment",
        "delete_comment",
        "pin_comment",
        "block_author",
        "follow_back",
    ],
    pins_per_post: 1,
};

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
    #[serde(deserialize_with = "style::audience")]
    audience: Audience,
    /// The followers, reported a few times a day.
    #[serde(flatten)]
    followers: AudienceCount,
    next_video: Millis,
    /// Publishing times within the last 24 hours.
    uploads: RateWindow,
    /// The creator's own comments within the last 24 hours.
    own_comments: RateWindow,
    /// Every video, in publishing order.
    videos: Vec<Video>,
    /// Indexes of the videos still drawing an audience.
    active: Vec<u32>,
    /// Recent comments (for `reply`) and texts (against repeats).
    #[serde(flatten)]
    comments: Comments,
    /// Recent DMs' ids, for `dm_reply`.
    recent_dms: Inbox<u64>,
    #[serde(flatten)]
    signals: ActiveSignals,
    /// Recent comments, blocked authors, pins, follow-backs.
    #[serde(default)]
    moderation: Moderation,
    /// The last comments and replies, for the native API's comment listing.
    #[serde(default)]
    remembered: native::Remembered,
}

/// A 19-digit numeric id (comments and messages start with 7 like videos).
fn numeric_id(rng: &mut Rng) -> u64 {
    style::video_id(rng)
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

    /// Every video, in publishing order.
    pub fn videos(&self) -> &[Video] {
        &self.videos
    }

    /// The followers as last reported.
    pub fn followers_reported(&self) -> i64 {
        self.followers.audience_reported
    }

    /// How long until the creator may publish again at `at`, if the daily
    /// cap is reached.
    pub fn publish_wait(&self, at: Millis) -> Option<Millis> {
        self.uploads.clone().wait_day(at, VIDEO_LIMIT)
    }

    /// The last comments and replies the native API lists.
    pub fn remembered(&self) -> &native::Remembered {
        &self.remembered
    }

    /// Create a video published at `at` and its content event.
    fn publish(&mut self, at: Millis, caption: Option<String>) -> Event {
        let rng = &mut self.plan;
        let mut id = String::with_capacity(19);
        push_digits(&mut id, style::video_id(rng));
        let url = format!("https://www.tiktok.com/{}/video/{id}", self.creator.handle);
        let caption = caption.unwrap_or_else(|| {
            let mut trng = text::text_rng(fnv1a(id.as_bytes()));
            text::caption(&mut trng, self.niche, style::COMMENTS)
        });
        let title = caption
            .split(" #")
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let seconds = rng.lognormal(3.4, 0.6).clamp(6.0, 600.0) as u32;
        let reach = self.params.avg_views * popularity::quality(rng, QUALITY_SIGMA);
        let mut v = Video::new(id.clone(), at, seconds, reach);
        v.talk.gist = text::Gist::read_in(self.niche, &title, &caption);
        v.caption = caption.clone();
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
        self.followers.step(
            &mut self.signals,
            "followers",
            CHURN_PER_DAY,
            a,
            b,
            &mut self.rng,
            &mut self.creator,
            out,
        );
        let rhythm = daily_rhythm(local_hour(a + (b - a) / 2, tz));
        let rules = rules();
        let mut senders = Senders {
            niche: self.niche,
            rng: &mut self.rng,
            audience: &mut self.audience,
            dm_rate: self.params.dm_rate,
            new_id: numeric_id,
        };
        let flood = self.signals.flood_extra(a);
        self.recent_dms
            .arrivals(&mut senders, a, b, rhythm, flood, out);
        self.recent_dms.step(self.niche, a, b, numeric_id, out);
        if !self.signals.trolls.is_empty() {
            self.comments.trolls(
                &mut self.signals.trolls,
                &mut self.videos,
                &mut self.active,
                &rules,
                self.niche,
                &mut self.rng,
                a,
                b,
                out,
            );
        }
        if !self.comments.pending.is_empty() {
            let mut crowd = Crowd {
                rules: &rules,
                niche: self.niche,
                rng: &mut self.rng,
                audience: &mut self.audience,
            };
            self.comments
                .followups(&mut self.videos, a, b, &mut crowd, out);
        }
        self.signals.retire(a);
        if self.active.is_empty() {
            return;
        }
        let reach_factor = rhythm * self.signals.step_reach(a, b);
        let kernel = kernel();
        let memory = rules.excitation.memory;
        let mut dropped = false;
        let TikTok {
            niche,
            params,
            rng,
            audience,
            videos,
            active,
            comments,
            followers,
            signals,
            ..
        } = self;
        for &idx in active.iter() {
            let v = &mut videos[idx as usize];
            let views = v.expected_views(&kernel, a, b) * reach_factor;
            v.pending_views += views;
            followers.gain(views * FOLLOWS_PER_VIEW);
            let mut crowd = Crowd {
                rules: &rules,
                niche: *niche,
                rng,
                audience,
            };
            let expected = views * params.comment_rate;
            comments.write(v, idx, expected, a, b, &mut crowd, signals, out);
            if a >= v.next_metric {
                emit_metrics(v, a, rng, out);
                v.next_metric = signals.next_metric(
                    a,
                    metric_interval(a - v.published, v.viral_excess(a) > 0.5, rng),
                );
            }
            // Retire videos whose audience has gone.
            v.spikes.retain(|x| !x.faded(b));
            let age = b - v.published;
            let quiet = v.spikes.is_empty()
                && v.talk.excitation.remaining(b, memory) < 0.05
                && (age >= kernel.horizon()
                    || (age > DAY && v.reach * kernel.rate(age) * HOUR as f64 * 3.0 < 0.5));
            if quiet {
                emit_metrics(v, a, rng, out);
                v.active = false;
                v.talk.rest();
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

impl SignalHost for TikTok {
    const PLATFORM: &'static str = PLATFORM;
    const AUDIENCE: &'static str = "followers";
    const SIGNALS: &'static [&'static str] = &signals::ALL;

    fn active_signals(&mut self) -> &mut ActiveSignals {
        &mut self.signals
    }

    fn audience_count(&self) -> i64 {
        self.followers.count()
    }

    fn signal_target(&self, signal: &str, content_id: Option<&str>) -> Result<usize, String> {
        let (missing, none) = match signal {
            "viral" => ("to make viral", "none can go viral"),
            _ => ("for `troll_wave`", "`troll_wave` has no target"),
        };
        match content_id {
            Some(id) => self
                .videos
                .iter()
                .rposition(|v| v.id == id)
                .ok_or_else(|| format!("{PLATFORM}: no video with id `{id}` {missing}")),
            None => {
                self.videos.len().checked_sub(1).ok_or_else(|| {
                    format!("{PLATFORM}: no video has been published yet, so {none}")
                })
            }
        }
    }

    fn start_viral(&mut self, at: Millis, idx: usize, p: &ViralParams) {
        let typical = self.params.avg_views;
        let v = &mut self.videos[idx];
        v.spikes.push(Spike::new(at, p, v.reach.max(typical)));
        v.next_metric = v.next_metric.min(at + 5 * MINUTE);
        if !v.active {
            v.active = true;
            self.active.push(idx as u32);
        }
    }

    fn start_troll_wave(&mut self, at: Millis, idx: usize, _wave: &TrollWave) {
        let v = &mut self.videos[idx];
        v.next_metric = v.next_metric.min(at + 5 * MINUTE);
    }

    fn start_growth(&mut self, at: Millis) {
        self.followers.report_soon(at);
    }
}

impl TikTok {
    /// The action itself, once the account's health admits it.
    fn act_now(&mut self, at: Millis, action: &Action) -> Result<Vec<Event>, ActionError> {
        let map = actions::params(PLATFORM, action)?;
        let event = match action.kind.as_str() {
            "publish" => self.act_publish(at, &map),
            "reply" => self.comments.creator_reply(
                PLATFORM,
                at,
                &map,
                &mut self.own_comments,
                COMMENT_LIMIT,
                &rules(),
                &mut self.rng,
                &self.creator,
                &mut self.videos,
                &mut self.active,
            ),
            "dm_reply" => {
                self.recent_dms
                    .reply(PLATFORM, at, &map, &mut self.rng, numeric_id, &self.creator)
            }
            funnel::SEND_OFFER => {
                self.recent_dms
                    .offer(PLATFORM, at, &map, &mut self.rng, numeric_id, &self.creator)
            }
            other => self
                .moderation
                .act(PLATFORM, &MODERATION, at, other, &map, |_| None)
                .unwrap_or_else(|| Err(actions::unknown(PLATFORM, other, ACTIONS))),
        }?;
        self.remembered.note(std::slice::from_ref(&event));
        Ok(vec![event])
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
            interaction_kinds: ["comment", "reply", "dm"]
                .into_iter()
                .chain(funnel::FUNNEL_KINDS)
                .map(String::from)
                .collect(),
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
                    name: "health".into(),
                    description: health::DESCRIPTION.into(),
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
            actions: ACTIONS
                .iter()
                .chain(MODERATION.actions)
                .map(|a| a.to_string())
                .collect(),
            // Keyed by action: the creator's comments are `reply`s; the
            // creator has no like action.
            limits: vec![limit("publish", VIDEO_LIMIT), limit("reply", COMMENT_LIMIT)],
            params: diorama_sdk::models::params::infos(params::PARAMS),
            metric_roles: MetricRoles {
                views: Some("views".into()),
                likes: Some("likes".into()),
                comments: Some("comments".into()),
            },
            automatic_share: Some(0.8),
            // The TikTok API v2 (Login Kit, Display API, Content Posting).
            api_hosts: vec!["open.tiktokapis.com".into()],
            webhook_formats: vec![webhook::format()],
        }
    }

    fn init(config: &AccountConfig) -> Result<Self, String> {
        let params = Params::parse(&config.params)?;
        let niche = Niche::parse(&config.niche).map_err(|e| format!("{PLATFORM}: {e}"))?;
        let timezone = Timezone::parse(&config.timezone).map_err(|e| format!("{PLATFORM}: {e}"))?;
        let mut rng = Rng::new(config.seed, &format!("tiktok/{}", config.profile));
        let mut plan = Rng::new(config.seed, &format!("tiktok/{}/plan", config.profile));
        let audience = Audience::for_followers(rng.next_u64(), style::PERSONAS, params.followers)
            .in_timezone(timezone.clone());
        let mut creator =
            persona::author_with_followers(&mut rng, style::PERSONAS, params.followers);
        creator.verified = params.followers >= 100_000;
        let start = config.start;
        let next_video = if params.videos_per_day > 0.0 {
            start + 20 * MINUTE + plan.below(160 * MINUTE as u64) as Millis
        } else {
            Millis::MAX
        };
        let next_followers_metric = start + rng.below(HOUR as u64) as Millis;
        let followers = AudienceCount::new(params.followers, next_followers_metric);
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
            next_video,
            uploads: RateWindow::default(),
            own_comments: RateWindow::default(),
            videos: Vec::new(),
            active: Vec::new(),
            comments: Comments::default(),
            recent_dms: Inbox::default(),
            signals: ActiveSignals::default(),
            moderation: Moderation::default(),
            remembered: native::Remembered::default(),
        })
    }

    fn step(&mut self, from: Millis, to: Millis, out: &mut Vec<Event>) {
        let from = from.max(self.clock);
        if to <= from {
            return;
        }
        let tz = self.timezone.tz();
        let first = out.len();
        for (a, b) in substeps(from, to, self.signals.substep(from, SUBSTEP)) {
            self.substep(a, b, tz, out);
        }
        self.moderation.observe(out, first);
        self.signals.health.step(PLATFORM, from, to, out);
        self.remembered.note(&out[first..]);
        self.clock = to;
    }

    /// Nothing happens between scheduled videos while no video draws an
    /// audience, no troll wave, flood or growth is under way and no DMs
    /// arrive: a sub-step then draws nothing. Otherwise every sub-step
    /// draws (DMs arrive at any time).
    fn next_due(&self, end: Millis) -> Option<Millis> {
        if !self.active.is_empty()
            || !self.comments.pending.is_empty()
            || !self.signals.trolls.is_empty()
            || !self.signals.floods.is_empty()
            || self.signals.growth.is_some()
            || self.signals.health.pending()
            || self.params.dm_rate > 0.0
        {
            return Some(end);
        }
        let next = self.next_video.min(self.followers.next_audience_report);
        // The fans' answers to DMs and the funnel's decisions and renewals.
        let next = self.recent_dms.next_due().map_or(next, |d| next.min(d));
        Some(next.max(end))
    }

    fn signal(&mut self, at: Millis, name: &str, params: &Value) -> Result<(), String> {
        signals::apply(self, at, name, params)
    }

    fn act(&mut self, at: Millis, action: &Action) -> Result<Vec<Event>, ActionError> {
        let kind = action.kind.as_str();
        self.signals
            .health
            .admit(PLATFORM, at, kind, Some(&BLOCK))?;
        let mut events = self.act_now(at, action)?;
        self.signals
            .health
            .count(PLATFORM, at, kind, Some(&BLOCK), &mut events);
        Ok(events)
    }

    fn handle_request(&self, at: Millis, request: &HttpRequest) -> NativeOutcome {
        self.signals.health.gate(
            at,
            Some(&BLOCK),
            request,
            |r| native::handle(self, at, r),
            |state, message| native::health_refusal(at, request, state, message),
        )
    }

    fn finish_request(
        &self,
        at: Millis,
        context: &str,
        outcome: Result<&[Event], &ActionError>,
    ) -> HttpResponse {
        native::finish(at, context, outcome)
    }

    fn webhook_subscribe(
        &self,
        format: &str,
        params: &serde_json::Value,
    ) -> Result<Option<Verification>, String> {
        webhook::subscribe(format, params)
    }

    fn shape_webhook(
        &self,
        format: &str,
        params: &serde_json::Value,
        event: &Event,
    ) -> Option<WebhookDelivery> {
        webhook::shape(self, format, params, event)
    }
}

diorama_sdk::export_platform!(TikTok);
