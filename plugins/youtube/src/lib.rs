//! The YouTube simulator.
//!
//! A channel publishes videos on a schedule (about `uploads_per_day`, mostly
//! in the local afternoon). Each video draws a log-normal quality, so a few
//! videos get most of the views; its expected lifetime views (its *reach*)
//! are `avg_views × quality`. Views arrive along the SEISMIC reaction curve
//! (19 % in the first five minutes, a long tail, cut at 30 days) times the
//! audience's daily rhythm, and travel as periodic `views` / `likes` /
//! `comments` metric updates per video, never one event per view. Comments
//! arrive as Poisson counts per minute from the same intensity times
//! `comment_rate`, plus a self-exciting part (each comment breeds on average
//! a fraction of a further comment or reply, more for authors with many
//! followers); some are replies to recent comments. Subscribers grow with
//! views, minus a little churn, reported a few times a day.
//!
//! Parameters (JSON object, unknown fields rejected): `subscribers` (100000),
//! `uploads_per_day` (3, at most 6), `avg_views` (lifetime views of an
//! average video; default 18 % of subscribers), `comment_rate` (comments per
//! view before discussion adds its share, 0.005), `like_rate` (likes per
//! view, 0.04).
//!
//! Signal `viral` {content_id?, factor = 10, ramp = 30 min, decay = 8 h}:
//! multiplies one video's reach (default: the latest video) by a factor that
//! ramps up linearly over `ramp` and decays exponentially back to 1 with time
//! constant `decay` (see [`video::Viral`]).
//!
//! Actions: `publish` {kind: "video", title, description?} (at most 6
//! uploads in 24 hours, counting scheduled ones), `reply` {comment_id, text}
//! (a reply by the creator to a recent comment).

mod params;
pub mod video;

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use diorama_sdk::models::ids::{youtube_video_id, CommentId};
use diorama_sdk::models::persona::{self, Audience, PersonaStyle};
use diorama_sdk::models::popularity::{self, LogNormal};
use diorama_sdk::models::rng::Rng;
use diorama_sdk::models::text::{self, Niche, Sentiment};
use diorama_sdk::models::time::{daily_rhythm, local_hour, parse_tz, posting_rhythm, Tz};
use diorama_sdk::models::timing::{Seismic, SelfExcitation};
use diorama_sdk::{
    AccountConfig, Action, ActionError, Author, Content, Event, Interaction, LimitInfo, Metric,
    Millis, Payload, Platform, PlatformInfo, SignalInfo, DAY, HOUR, MINUTE,
};

use params::ViralParams;
pub use params::{Params, UPLOAD_LIMIT};
use video::{Video, Viral};

/// The simulator advances in sub-steps of at most this length, aligned to
/// whole minutes, whatever window the host steps.
const SUBSTEP: Millis = MINUTE;
/// Spread of video quality (log-normal σ).
const QUALITY_SIGMA: f64 = popularity::DEFAULT_QUALITY_SIGMA;
/// Spread of the like ratio between videos.
const LIKE_SIGMA: f64 = 0.25;
/// New subscribers per view.
const SUBS_PER_VIEW: f64 = 0.003;
/// Share of subscribers lost per day.
const CHURN_PER_DAY: f64 = 0.0004;
/// Share of ordinary comments that are replies to another viewer.
const REPLY_SHARE: f64 = 0.12;
/// Share of excited comments (bred by earlier ones) that are replies.
const EXCITED_REPLY_SHARE: f64 = 0.6;
/// How many recent top-level comments `reply` can find.
const RECENT_COMMENTS: usize = 4096;
/// Memory of the self-excitation.
const EXCITATION_MEMORY: Millis = 45 * MINUTE;

/// The reaction-delay kernel (SEISMIC, cut at 30 days).
fn kernel() -> Seismic {
    Seismic::standard()
}

/// Comment self-excitation: Mishra et al.'s κ = 0.024 and β = 0.5 with a
/// kernel mass of 6, so with power-law (α = 2) commenter follower counts a
/// comment breeds about 0.29 further comments (κ · 6 · 2, a little less
/// with the cap of 3 per comment): discussion adds ~40 % to the comments
/// views alone bring.
fn excitation() -> SelfExcitation {
    SelfExcitation::mishra(6.0, EXCITATION_MEMORY, 3.0)
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct YouTube {
    niche: Niche,
    timezone: String,
    #[serde(skip)]
    tz: Option<Tz>,
    params: Params,
    /// Draws for the audience: comments, authors, metric noise.
    rng: Rng,
    /// Draws for the channel's plan: upload times and the videos themselves
    /// (ids, titles, quality), kept apart so the same channel publishes the
    /// same videos whatever its audience does or how chatty it is.
    plan: Rng,
    /// End of the last step.
    clock: Millis,
    creator: Author,
    audience: Audience,
    subscribers: i64,
    subs_reported: i64,
    /// Expected new subscribers and lost subscribers since the last report.
    subs_gain: f64,
    subs_loss: f64,
    next_subs_metric: Millis,
    next_upload: Millis,
    /// Upload times within the last 24 hours (rate limit).
    uploads: VecDeque<Millis>,
    /// Every video, in publishing order.
    videos: Vec<Video>,
    /// Indexes of the videos still drawing an audience.
    active: Vec<u32>,
    /// Recent top-level comments and their video, for `reply`.
    recent: VecDeque<(CommentId, u32)>,
}

impl YouTube {
    fn tz(&mut self) -> Tz {
        match self.tz {
            Some(tz) => tz,
            None => {
                let tz = parse_tz(&self.timezone).unwrap_or(Tz::UTC);
                self.tz = Some(tz);
                tz
            }
        }
    }

    /// The published videos' ids, oldest first.
    pub fn video_ids(&self) -> impl Iterator<Item = &str> {
        self.videos.iter().map(|v| v.id.as_str())
    }

    /// How many videos still draw an audience (and cost time per step).
    pub fn active_videos(&self) -> usize {
        self.active.len()
    }

    /// The creator's channel.
    pub fn creator(&self) -> &Author {
        &self.creator
    }

    /// Drop upload times older than 24 hours before `at`.
    fn prune_uploads(&mut self, at: Millis) {
        while self.uploads.front().is_some_and(|&t| t <= at - DAY) {
            self.uploads.pop_front();
        }
    }

    /// When an upload slot is free at or after `at`.
    fn upload_slot_at(&mut self, at: Millis) -> Millis {
        self.prune_uploads(at);
        if (self.uploads.len() as u32) < UPLOAD_LIMIT {
            at
        } else {
            self.uploads.front().map_or(at, |&t| t + DAY)
        }
    }

    /// The next scheduled upload after one at `t`: a gap of about a day /
    /// uploads_per_day of "posting time", which runs fast in the afternoon
    /// and barely at night.
    fn schedule_after(&mut self, t: Millis, tz: Tz) -> Millis {
        let per_day = self.params.uploads_per_day;
        if per_day <= 0.0 {
            return Millis::MAX;
        }
        let target = DAY as f64 / per_day * (0.6 + 0.8 * self.plan.unit());
        let step = 10 * MINUTE;
        let mut acc = 0.0;
        let mut x = t;
        // Bounded: the posting rhythm is at least 0.03, so this ends within
        // ~1/0.03 of the target; cap it anyway.
        for _ in 0..200_000 {
            let w = posting_rhythm(local_hour(x + step / 2, tz));
            let gain = w * step as f64;
            if acc + gain >= target {
                return x + ((target - acc) / w) as Millis;
            }
            acc += gain;
            x += step;
        }
        x
    }

    /// Create a video published at `at` and its content event.
    fn publish(&mut self, at: Millis, title: Option<String>, description: Option<String>) -> Event {
        let rng = &mut self.plan;
        let id = youtube_video_id(rng);
        let seconds = text::video_seconds(rng);
        let title = title.unwrap_or_else(|| text::video_title(rng, self.niche));
        let description =
            description.unwrap_or_else(|| text::video_description(rng, self.niche, seconds));
        let quality = popularity::quality(rng, QUALITY_SIGMA);
        let reach = self.params.avg_views * quality;
        let like_ratio =
            (self.params.like_rate * LogNormal::with_mean(1.0, LIKE_SIGMA).sample(rng)).min(1.0);
        let mut video = Video::new(id.clone(), at, seconds, reach, like_ratio);
        video.next_metric = at + 5 * MINUTE + rng.below(5 * MINUTE as u64) as Millis;
        let idx = self.videos.len() as u32;
        self.videos.push(video);
        self.active.push(idx);
        self.uploads.push_back(at);
        Event {
            at,
            payload: Payload::Content(Content {
                url: format!("https://www.youtube.com/watch?v={id}"),
                id,
                kind: "video".into(),
                title,
                text: description,
            }),
        }
    }

    fn subscribers_metric(&mut self, at: Millis, out: &mut Vec<Event>) {
        let gained = self.rng.poisson(self.subs_gain) as i64;
        let lost = self.rng.poisson(self.subs_loss) as i64;
        self.subs_gain = 0.0;
        self.subs_loss = 0.0;
        self.subscribers = (self.subscribers + gained - lost).max(0);
        out.push(Event {
            at,
            payload: Payload::Metric(Metric {
                content_id: None,
                name: "subscribers".into(),
                total: self.subscribers,
                delta: self.subscribers - self.subs_reported,
            }),
        });
        self.subs_reported = self.subscribers;
        self.creator.followers = self.subscribers as u64;
    }

    /// Advance over one sub-step `[a, b)` (b − a ≤ a minute).
    fn substep(&mut self, a: Millis, b: Millis, tz: Tz, out: &mut Vec<Event>) {
        // Scheduled uploads.
        while self.next_upload < b {
            let at = self.next_upload.max(a);
            let slot = self.upload_slot_at(at);
            if slot > at {
                self.next_upload = slot;
                continue;
            }
            let event = self.publish(at, None, None);
            out.push(event);
            self.next_upload = self.schedule_after(at, tz).max(at + 1);
        }

        if a >= self.next_subs_metric {
            self.subscribers_metric(a, out);
            self.next_subs_metric = a + 4 * HOUR + self.rng.below(4 * HOUR as u64) as Millis;
        }
        self.subs_loss += self.subscribers as f64 * CHURN_PER_DAY * (b - a) as f64 / DAY as f64;

        if self.active.is_empty() {
            return;
        }
        let rhythm = daily_rhythm(local_hour(a + (b - a) / 2, tz));
        let kernel = kernel();
        let excitation = excitation();
        let mut dropped = false;
        let YouTube {
            niche,
            params,
            rng,
            audience,
            videos,
            active,
            recent,
            subs_gain,
            ..
        } = self;
        for &idx in active.iter() {
            let v = &mut videos[idx as usize];
            let views = v.expected_views(&kernel, a, b) * rhythm;
            v.pending_views += views;
            *subs_gain += views * SUBS_PER_VIEW;

            // Comments: ordinary ones from the views, excited ones from
            // earlier comments.
            let n_base = rng.poisson(views * params.comment_rate);
            let n_excited = rng.poisson(v.excitation.expected(a, b, excitation.memory));
            if n_base + n_excited > 0 {
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
                    let sentiment = Sentiment::sample(rng);
                    let mut id = String::with_capacity(50);
                    let mut body = String::with_capacity(100);
                    let (kind, parent_id) = if !v.threads.is_empty() && rng.chance(reply_share) {
                        let parent = v.threads[rng.below(v.threads.len() as u64) as usize];
                        parent.write_reply(&mut id, rng);
                        text::write_reply(&mut body, rng, *niche, sentiment, v.seconds);
                        ("reply", Some(parent.to_id()))
                    } else {
                        let cid = CommentId::random(rng);
                        cid.write(&mut id);
                        v.remember_thread(cid);
                        recent.push_back((cid, idx));
                        if recent.len() > RECENT_COMMENTS {
                            recent.pop_front();
                        }
                        text::write_comment(&mut body, rng, *niche, sentiment, v.seconds);
                        ("comment", None)
                    };
                    v.comments += 1;
                    out.push(Event {
                        at,
                        payload: Payload::Interaction(Interaction {
                            id,
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

            if a >= v.next_metric {
                emit_metrics(v, a, rng, out);
                v.next_metric = a + metric_interval(v, a, rng);
            }

            // Retire videos whose audience has gone.
            v.virals.retain(|x| !x.faded(b));
            let age = b - v.published;
            let quiet = v.virals.is_empty()
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

    fn find_video(&self, id: &str) -> Option<usize> {
        self.videos.iter().position(|v| v.id == id)
    }

    fn act_publish(&mut self, at: Millis, params: &Value) -> Result<Vec<Event>, ActionError> {
        let map = params
            .as_object()
            .ok_or_else(|| ActionError::Invalid("youtube: `publish` needs a JSON object".into()))?;
        for key in map.keys() {
            if !["kind", "title", "description"].contains(&key.as_str()) {
                return Err(ActionError::Invalid(format!(
                    "youtube: unknown `publish` parameter `{key}` (known: kind, title, description)"
                )));
            }
        }
        match map.get("kind") {
            None | Some(Value::Null) => {}
            Some(Value::String(k)) if k == "video" => {}
            Some(other) => {
                return Err(ActionError::Invalid(format!(
                    "youtube: `publish` `kind` must be \"video\" (got {other})"
                )))
            }
        }
        let title = match map.get("title") {
            Some(Value::String(t)) if !t.trim().is_empty() => t.clone(),
            _ => {
                return Err(ActionError::Invalid(
                    "youtube: `publish` needs a non-empty `title` string".into(),
                ))
            }
        };
        let description = match map.get("description") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(d)) => d.clone(),
            Some(other) => {
                return Err(ActionError::Invalid(format!(
                    "youtube: `publish` `description` must be a string (got {other})"
                )))
            }
        };
        let slot = self.upload_slot_at(at);
        if slot > at {
            return Err(ActionError::RateLimited(slot - at));
        }
        Ok(vec![self.publish(at, Some(title), Some(description))])
    }

    fn act_reply(&mut self, at: Millis, params: &Value) -> Result<Vec<Event>, ActionError> {
        let map = params
            .as_object()
            .ok_or_else(|| ActionError::Invalid("youtube: `reply` needs a JSON object".into()))?;
        for key in map.keys() {
            if !["comment_id", "text"].contains(&key.as_str()) {
                return Err(ActionError::Invalid(format!(
                    "youtube: unknown `reply` parameter `{key}` (known: comment_id, text)"
                )));
            }
        }
        let Some(Value::String(comment_id)) = map.get("comment_id") else {
            return Err(ActionError::Invalid(
                "youtube: `reply` needs a `comment_id` string".into(),
            ));
        };
        let body = match map.get("text") {
            Some(Value::String(t)) if !t.trim().is_empty() => t.clone(),
            _ => {
                return Err(ActionError::Invalid(
                    "youtube: `reply` needs a non-empty `text` string".into(),
                ))
            }
        };
        let not_found =
            || ActionError::NotFound(format!("youtube: no recent comment `{comment_id}`"));
        let thread = CommentId::parse(comment_id).ok_or_else(not_found)?;
        let idx = self
            .recent
            .iter()
            .rev()
            .find(|(c, _)| *c == thread)
            .map(|&(_, i)| i as usize)
            .ok_or_else(not_found)?;
        let mut id = String::with_capacity(50);
        thread.write_reply(&mut id, &mut self.rng);
        let offspring = excitation().offspring(self.creator.followers);
        let v = &mut self.videos[idx];
        v.comments += 1;
        v.excitation.bump(at, offspring, EXCITATION_MEMORY);
        let content_id = v.id.clone();
        if !v.active {
            v.active = true;
            self.active.push(idx as u32);
        }
        Ok(vec![Event {
            at,
            payload: Payload::Interaction(Interaction {
                id,
                kind: "reply".into(),
                content_id: Some(content_id),
                parent_id: Some(thread.to_id()),
                author: self.creator.clone(),
                text: body,
                sentiment: None,
                dm_type: None,
            }),
        }])
    }
}

/// Draw the views and likes that arrived since the last update and emit
/// the counters that changed.
fn emit_metrics(v: &mut Video, at: Millis, rng: &mut Rng, out: &mut Vec<Event>) {
    let views = rng.poisson(v.pending_views) as i64;
    v.pending_views = 0.0;
    v.views += views;
    v.likes += rng.poisson(views as f64 * v.like_ratio) as i64;
    let totals = [v.views, v.likes, v.comments];
    for (i, name) in ["views", "likes", "comments"].into_iter().enumerate() {
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

/// Time to the next metric update: 5–15 minutes while a video is fresh or
/// viral, then longer as it ages (about hourly after a day, every few hours
/// after four days).
fn metric_interval(v: &Video, at: Millis, rng: &mut Rng) -> Millis {
    let age = at - v.published;
    if age < 6 * HOUR || v.viral_excess(at) > 0.5 {
        return 5 * MINUTE + rng.below(10 * MINUTE as u64) as Millis;
    }
    let hours = age as f64 / HOUR as f64;
    let mean =
        (10.0 * MINUTE as f64 * (1.0 + hours / 4.0)).clamp(10.0 * MINUTE as f64, 6.0 * HOUR as f64);
    (mean * (0.5 + rng.unit())) as Millis
}

impl Platform for YouTube {
    fn describe() -> PlatformInfo {
        PlatformInfo {
            name: "youtube".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            content_kinds: vec!["video".into()],
            interaction_kinds: vec!["comment".into(), "reply".into()],
            metrics: vec![
                "views".into(),
                "likes".into(),
                "comments".into(),
                "subscribers".into(),
            ],
            signals: vec![SignalInfo {
                name: "viral".into(),
                description: "multiply a video's reach: {content_id?: latest video, factor: 10 (> 1), ramp: ms (30 min), decay: ms (8 h)}; the factor ramps up linearly over `ramp`, then decays back to 1 with time constant `decay`".into(),
            }],
            actions: vec!["publish".into(), "reply".into()],
            limits: vec![LimitInfo {
                action: "upload".into(),
                max: UPLOAD_LIMIT,
                per: DAY,
            }],
            defaults: params::defaults_json(),
        }
    }

    fn init(config: &AccountConfig) -> Result<Self, String> {
        let params = Params::parse(&config.params)?;
        let niche = Niche::parse(&config.niche).map_err(|e| format!("youtube: {e}"))?;
        let tz = parse_tz(&config.timezone).map_err(|e| format!("youtube: {e}"))?;
        let mut rng = Rng::new(config.seed, &format!("youtube/{}", config.profile));
        let mut plan = Rng::new(config.seed, &format!("youtube/{}/plan", config.profile));
        let audience =
            Audience::for_followers(rng.next_u64(), PersonaStyle::YouTube, params.subscribers);
        let mut creator =
            persona::author_with_followers(&mut rng, PersonaStyle::YouTube, params.subscribers);
        creator.verified = params.subscribers >= 100_000;
        let start = config.start;
        let first_upload = if params.uploads_per_day > 0.0 {
            start + 20 * MINUTE + plan.below(160 * MINUTE as u64) as Millis
        } else {
            Millis::MAX
        };
        let next_subs_metric = start + rng.below(HOUR as u64) as Millis;
        let subscribers = params.subscribers.min(i64::MAX as u64) as i64;
        Ok(YouTube {
            niche,
            timezone: config.timezone.clone(),
            tz: Some(tz),
            params,
            rng,
            plan,
            clock: start,
            creator,
            audience,
            subscribers,
            subs_reported: subscribers,
            subs_gain: 0.0,
            subs_loss: 0.0,
            next_subs_metric,
            next_upload: first_upload,
            uploads: VecDeque::new(),
            videos: Vec::new(),
            active: Vec::new(),
            recent: VecDeque::new(),
        })
    }

    fn step(&mut self, from: Millis, to: Millis, out: &mut Vec<Event>) {
        let from = from.max(self.clock);
        if to <= from {
            return;
        }
        let tz = self.tz();
        let mut a = from;
        while a < to {
            let b = ((a.div_euclid(SUBSTEP) + 1) * SUBSTEP).min(to);
            self.substep(a, b, tz, out);
            a = b;
        }
        self.clock = to;
    }

    fn signal(&mut self, at: Millis, name: &str, params: &Value) -> Result<(), String> {
        if name != "viral" {
            return Err(format!(
                "youtube does not understand the signal `{name}` (known: viral)"
            ));
        }
        let p = ViralParams::parse(params)?;
        let idx = match &p.content_id {
            Some(id) => self
                .find_video(id)
                .ok_or_else(|| format!("youtube: no video with id `{id}` to make viral"))?,
            None => self
                .videos
                .len()
                .checked_sub(1)
                .ok_or("youtube: no video has been published yet, so none can go viral")?,
        };
        let avg = self.params.avg_views;
        let v = &mut self.videos[idx];
        let span = (p.ramp as f64 / 2.0 + p.decay as f64).max(1.0);
        v.virals.push(Viral {
            start: at,
            factor: p.factor,
            ramp: p.ramp,
            decay: p.decay,
            reach_rate: v.reach.max(avg) / span,
        });
        v.next_metric = v.next_metric.min(at + 5 * MINUTE);
        if !v.active {
            v.active = true;
            self.active.push(idx as u32);
        }
        Ok(())
    }

    fn act(&mut self, at: Millis, action: &Action) -> Result<Vec<Event>, ActionError> {
        let params = diorama_sdk::parse_params(&action.params)
            .map_err(|e| ActionError::Invalid(format!("youtube: {e}")))?;
        match action.kind.as_str() {
            "publish" => self.act_publish(at, &params),
            "reply" => self.act_reply(at, &params),
            other => Err(ActionError::Invalid(format!(
                "youtube does not support the action `{other}` (known: publish, reply)"
            ))),
        }
    }
}

diorama_sdk::export_platform!(YouTube);
