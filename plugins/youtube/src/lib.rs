//! The YouTube simulator.
//!
//! A channel publishes uploads on a schedule (about `uploads_per_day`,
//! mostly in the local afternoon): regular videos and, a share
//! `shorts_share` of them, vertical shorts; and now and then a community
//! (text) post (`community_per_day`). Each upload draws a log-normal
//! quality, so a few get most of the views; its expected lifetime views
//! (its *reach*) are `avg_views × quality` (shorts: 2.5 × that, community
//! posts: 0.4 × in impressions). Views arrive along the SEISMIC reaction
//! curve (19 % in the first five minutes, a long tail, cut at 30 days; three
//! times faster for shorts) times the audience's daily rhythm, and travel
//! as periodic `views` / `likes` / `comments` metric updates per upload,
//! never one event per view (community posts report no views). Comments
//! arrive as Poisson counts per minute from the same intensity times
//! `comment_rate` (shorts: 30 % of it, community posts: twice), plus a
//! self-exciting part (each comment breeds on average a fraction of a
//! further comment or reply, more for authors with many followers); some are
//! replies to recent comments. No comment text repeats verbatim under the
//! same upload. The first top-level comments that prove likeable (at most
//! ten per upload, a power-law appeal) collect likes from the upload's
//! views, reported every two hours as `comment_likes` metrics whose
//! `content_id` is the comment's id, only for comments whose count changed.
//! Subscribers grow with views, minus a little churn, reported a few times
//! a day.
//!
//! Parameters (JSON object, unknown fields rejected): `subscribers`
//! (100000), `uploads_per_day` (3, at most 6), `shorts_share` (1/3),
//! `community_per_day` (0.3), `avg_views` (lifetime views of an average
//! video; default 18 % of subscribers), `comment_rate` (comments per view
//! before discussion adds its share, 0.005 times the `comment_volume`
//! factor), `comment_volume` ("low" | "medium" | "high" | "viral": 0.35,
//! 1, 2.5 or 8 times the default comment rate; "medium"), `like_rate`
//! (likes per view, 0.04). `dm_frequency` is an error: YouTube has no DMs.
//!
//! Signals (see `describe()` for their parameters): `viral` (one upload's
//! reach multiplied by a factor that ramps up, then decays), `shadowban`
//! (the channel's reach collapses, then recovers), `troll_wave` (negative
//! comments from new low-follower accounts on one upload), `controversy`
//! (the comments' sentiment turns negative, then heals) and `growth`
//! (subscribers grow toward a target). YouTube has no DMs, so
//! `brand_deal_flood` is an error.
//!
//! Actions: `publish` {kind: "video" | "short" | "community", title,
//! description?} (community: {kind, text}; at most 6 videos and shorts in
//! 24 hours, counting scheduled ones), `reply` {comment_id, text} (a reply
//! by the creator to a recent comment).

mod native;
mod params;
pub mod style;
pub mod video;
pub mod webhook;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use diorama_sdk::kit::actions::Answer;
use diorama_sdk::kit::audience::AudienceCount;
use diorama_sdk::kit::health::{self, BlockRule};
use diorama_sdk::kit::moderation::{self, Moderation};
use diorama_sdk::kit::signals::{self, ActiveSignals, SignalHost};
use diorama_sdk::kit::threads::RecentComments;

use diorama_sdk::models::ids::push_b64;
use diorama_sdk::models::limits::RateWindow;
use diorama_sdk::models::persona::{self, Audience};
use diorama_sdk::models::popularity::{self, LogNormal};
use diorama_sdk::models::rng::{fnv1a, Rng};
use diorama_sdk::models::signals::{
    growth_description, troll_author, troll_wave_description, TrollWave, CONTROVERSY_DESCRIPTION,
};
use diorama_sdk::models::spike::{viral_description, Spike, ViralParams, SHADOWBAN_DESCRIPTION};
use diorama_sdk::models::text::{
    self, post_scope, write_distinct_scoped, Distinct, Niche, Said, Sentiment, Voice,
};
use diorama_sdk::models::time::{daily_rhythm, local_hour, schedule_after, substeps, Timezone, Tz};
use diorama_sdk::models::timing::{metric_interval, Seismic, SelfExcitation};
use diorama_sdk::{
    AccountConfig, Action, ActionError, Author, Content, Event, HttpRequest, HttpResponse,
    Interaction, LimitInfo, Metric, MetricRoles, Millis, NativeOutcome, Payload, Platform,
    PlatformInfo, SignalInfo, Verification, WebhookDelivery, DAY, HOUR, MINUTE,
};

pub use params::{Params, UPLOAD_LIMIT};
pub use style::CommentId;
use video::Kind;
use video::{Video, COMMENT_LIKES_INTERVAL, COMMENT_LIKES_PER_VIEW};

/// The platform's name, at the start of every error.
pub const PLATFORM: &str = "youtube";

/// The simulator advances in sub-steps of at most this length, aligned to
/// whole minutes, whatever window the host steps.
const SUBSTEP: Millis = MINUTE;
/// The creator's actions the action block counts: comments and replies
/// (`comments.insert` and `commentThreads.insert` too), moderation and
/// ratings.
const COUNTED: &[&str] = &[
    "reply",
    "comment",
    "like_comment",
    "pin_comment",
    "block_author",
    "moderate_comment",
    "delete_comment",
    "rate",
];
/// The action block: Google publishes no figure for how fast a channel may
/// comment before YouTube's spam protection stops it; the Data API's
/// default quota (10,000 units a day, 50 a comment) allows 200 comments a
/// day through a tool. Set at 100 within an hour, blocking for a day.
pub const BLOCK: BlockRule = BlockRule {
    max: 100,
    within: HOUR,
    lasts: DAY,
    counts: COUNTED,
    says: "YouTube: \"You're commenting too fast. Try again later.\"",
};
/// Moderation on YouTube Studio: a creator's heart (`like_comment`), one
/// pinned comment a video, "hide user from channel" (`block_author`);
/// holding and removing comments are the Data API's `moderate_comment`
/// and `delete_comment`.
const MODERATION: moderation::Rules = moderation::Rules {
    actions: &["like_comment", "pin_comment", "block_author"],
    pins_per_post: 1,
};
/// Spread of upload quality (log-normal σ).
const QUALITY_SIGMA: f64 = popularity::DEFAULT_QUALITY_SIGMA;
/// Spread of the like ratio between uploads.
const LIKE_SIGMA: f64 = 0.25;
/// New subscribers per view (a short's viewers subscribe less).
const SUBS_PER_VIEW: f64 = 0.003;
const SHORT_SUBS: f64 = 0.3;
/// Share of subscribers lost per day.
const CHURN_PER_DAY: f64 = 0.0004;
/// A short's reach and comments per view, relative to a video's.
const SHORT_REACH: f64 = 2.5;
const SHORT_COMMENTS: f64 = 0.3;
/// A community post's impressions, likes and comments per impression,
/// relative to a video's views, likes and comments per view.
const COMMUNITY_REACH: f64 = 0.4;
const COMMUNITY_LIKES: f64 = 3.0;
const COMMUNITY_COMMENTS: f64 = 2.0;
/// Share of ordinary comments that are replies to another viewer.
const REPLY_SHARE: f64 = 0.12;
/// Share of excited comments (bred by earlier ones) that are replies.
const EXCITED_REPLY_SHARE: f64 = 0.6;
/// Memory of the self-excitation.
const EXCITATION_MEMORY: Millis = 45 * MINUTE;
/// How many times a comment is rewritten while it repeats one under the
/// same upload.
const TEXT_TRIES: u32 = 12;

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

/// Openers of community posts.
const COMMUNITY_OPENERS: &[&str] = &[
    "Quick question for you all:",
    "Behind the scenes today.",
    "Thank you for all the support this week!",
    "New video coming very soon.",
    "What should I make next?",
    "Poll time, tell me in the comments:",
    "Little update from the channel:",
    "Been working on something big.",
    "",
];

fn community_text(rng: &mut Rng, niche: Niche) -> String {
    let opener = COMMUNITY_OPENERS[rng.below(COMMUNITY_OPENERS.len() as u64) as usize];
    let caption = text::caption(rng, niche, style::COMMENTS);
    if opener.is_empty() {
        caption
    } else {
        format!("{opener} {caption}")
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct YouTube {
    niche: Niche,
    timezone: Timezone,
    params: Params,
    /// Draws for the audience: comments, authors, metric noise.
    rng: Rng,
    /// Draws for the channel's plan: upload times and the uploads
    /// themselves (ids, titles, quality), kept apart so the same channel
    /// publishes the same uploads whatever its audience does or how chatty
    /// it is.
    plan: Rng,
    /// Draws for the likes on comments, kept apart so they change nothing
    /// else.
    likes_rng: Rng,
    /// End of the last step.
    clock: Millis,
    creator: Author,
    #[serde(deserialize_with = "style::audience")]
    audience: Audience,
    /// The subscribers, reported a few times a day.
    #[serde(flatten)]
    subscribers: AudienceCount,
    next_upload: Millis,
    next_community: Millis,
    /// Videos and shorts within the last 24 hours (rate limit).
    uploads: RateWindow,
    /// Every upload and community post, in publishing order.
    videos: Vec<Video>,
    /// Indexes of the uploads still drawing an audience.
    active: Vec<u32>,
    /// Recent top-level comments and their upload, for `reply`.
    recent: RecentComments<CommentId>,
    #[serde(flatten)]
    signals: ActiveSignals,
    /// Recent comments, hidden users, pins.
    #[serde(default)]
    moderation: Moderation,
    /// The recent comment texts of every upload, each in the upload's scope,
    /// against verbatim repeats under it: one bounded set however many
    /// uploads draw comments (a set per upload grew with their number, and a
    /// big channel's month of uploads outgrew the plugin's memory).
    #[serde(default = "post_texts")]
    texts: Distinct,
    /// The channel's most recent comment texts, whatever their upload:
    /// short reactions ("W", "🔥🔥") written by many people come out
    /// varied rather than word for word across a day's comments.
    #[serde(default = "account_texts")]
    account_texts: Distinct,
    /// What the Data API reads that the simulation does not keep (bounded;
    /// see `native::memory`).
    #[serde(default)]
    native: native::Memory,
}

fn post_texts() -> Distinct {
    Distinct::with_capacity(Distinct::POSTS_CAPACITY)
}

fn account_texts() -> Distinct {
    Distinct::with_capacity(Distinct::ACCOUNT_CAPACITY)
}

impl YouTube {
    /// The published uploads' ids (videos, shorts, community posts), oldest
    /// first.
    pub fn video_ids(&self) -> impl Iterator<Item = &str> {
        self.videos.iter().map(|v| v.id.as_str())
    }

    /// How many uploads still draw an audience (and cost time per step).
    pub fn active_videos(&self) -> usize {
        self.active.len()
    }

    /// The creator's channel.
    pub fn creator(&self) -> &Author {
        &self.creator
    }

    /// Create an upload of `kind` published at `at` and its content event.
    fn publish(
        &mut self,
        at: Millis,
        kind: Kind,
        title: Option<String>,
        description: Option<String>,
    ) -> Event {
        let rng = &mut self.plan;
        let niche = self.niche;
        let p = &self.params;
        let like = |rng: &mut Rng, scale: f64| {
            (p.like_rate * scale * LogNormal::with_mean(1.0, LIKE_SIGMA).sample(rng)).min(1.0)
        };
        let (id, url, seconds, title, body, reach, like_ratio, comment_ratio) = match kind {
            Kind::Video => {
                let id = style::video_id(rng);
                let seconds = text::video_seconds(rng);
                let mut trng = text::text_rng(fnv1a(id.as_bytes()));
                let title = title.unwrap_or_else(|| text::video_title(&mut trng, niche));
                let body = description.unwrap_or_else(|| {
                    text::video_description(&mut trng, niche, &title, seconds, style::COMMENTS)
                });
                let reach = p.avg_views * popularity::quality(rng, QUALITY_SIGMA);
                let like_ratio = like(rng, 1.0);
                let url = format!("https://www.youtube.com/watch?v={id}");
                (
                    id,
                    url,
                    seconds,
                    title,
                    body,
                    reach,
                    like_ratio,
                    p.comment_rate,
                )
            }
            Kind::Short => {
                let id = style::video_id(rng);
                let seconds = 15 + rng.below(46) as u32;
                let mut trng = text::text_rng(fnv1a(id.as_bytes()));
                let title = title.unwrap_or_else(|| {
                    let mut t = text::video_title(&mut trng, niche);
                    t.push_str(" #shorts");
                    t
                });
                let body =
                    description.unwrap_or_else(|| text::short_caption(&mut trng, niche, &title));
                let reach = p.avg_views * SHORT_REACH * popularity::quality(rng, QUALITY_SIGMA);
                let like_ratio = like(rng, 1.0);
                let url = format!("https://www.youtube.com/shorts/{id}");
                let comments = p.comment_rate * SHORT_COMMENTS;
                (id, url, seconds, title, body, reach, like_ratio, comments)
            }
            Kind::Community => {
                let mut id = String::with_capacity(36);
                id.push_str("Ugkx");
                push_b64(&mut id, rng, 32);
                let body = description.unwrap_or_else(|| community_text(rng, niche));
                let reach = p.avg_views * COMMUNITY_REACH * popularity::quality(rng, QUALITY_SIGMA);
                let like_ratio = like(rng, COMMUNITY_LIKES);
                let url = format!("https://www.youtube.com/post/{id}");
                let comments = p.comment_rate * COMMUNITY_COMMENTS;
                let title = title.unwrap_or_default();
                (id, url, 0, title, body, reach, like_ratio, comments)
            }
        };
        let mut video = Video::new(
            id.clone(),
            kind,
            at,
            seconds,
            reach,
            like_ratio,
            comment_ratio,
        );
        video.gist = text::Gist::read_in(niche, &title, &body);
        video.next_metric = at + 5 * MINUTE + rng.below(5 * MINUTE as u64) as Millis;
        let idx = self.videos.len() as u32;
        self.videos.push(video);
        self.active.push(idx);
        if kind.is_upload() {
            self.uploads.record(at);
        }
        Event {
            at,
            payload: Payload::Content(Content {
                url,
                id,
                kind: kind.as_str().into(),
                title,
                text: body,
            }),
        }
    }

    /// The comments of the troll waves under way in `[a, b)`.
    fn troll_comments(&mut self, a: Millis, b: Millis, out: &mut Vec<Event>) {
        let YouTube {
            niche,
            rng,
            videos,
            recent,
            signals,
            texts,
            account_texts,
            ..
        } = self;
        let trolls = &mut signals.trolls;
        for (idx, wave) in trolls.iter_mut() {
            let n = wave.due(b);
            let Some(v) = videos.get_mut(*idx as usize) else {
                continue;
            };
            for _ in 0..n {
                let at = wave.time_in(rng, a, b);
                let author = troll_author(rng, style::PERSONAS);
                let cid = CommentId::random(rng);
                let mut id = String::with_capacity(50);
                cid.write(&mut id);
                recent.push(cid, *idx);
                let seconds = v.seconds;
                let mut body = String::with_capacity(100);
                let scope = post_scope(u64::from(*idx));
                let mut trng = text::text_rng(fnv1a(id.as_bytes()));
                let voice = Voice::of(&author.id);
                let mut said = Said::default();
                let gist = &v.gist;
                write_distinct_scoped(
                    &mut [(&mut *texts, scope), (&mut *account_texts, 0)],
                    &mut body,
                    TEXT_TRIES,
                    |out| {
                        said = text::write_comment(
                            out,
                            &mut trng,
                            *niche,
                            Sentiment::Negative,
                            style::COMMENTS,
                            gist,
                            Some(seconds),
                            &voice,
                        )
                    },
                );
                v.remember_thread(cid, said);
                v.comments += 1;
                out.push(Event {
                    at,
                    payload: Payload::Interaction(Interaction {
                        id,
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
        // Scheduled uploads.
        while self.next_upload < b {
            let at = self.next_upload.max(a);
            if let Some(wait) = self.uploads.wait_day(at, UPLOAD_LIMIT) {
                self.next_upload = at + wait;
                continue;
            }
            let kind = if self.plan.chance(self.params.shorts_share) {
                Kind::Short
            } else {
                Kind::Video
            };
            let event = self.publish(at, kind, None, None);
            out.push(event);
            self.next_upload =
                schedule_after(&mut self.plan, at, self.params.uploads_per_day, tz).max(at + 1);
        }
        while self.next_community < b {
            let at = self.next_community.max(a);
            let event = self.publish(at, Kind::Community, None, None);
            out.push(event);
            self.next_community =
                schedule_after(&mut self.plan, at, self.params.community_per_day, tz).max(at + 1);
        }

        self.subscribers.step(
            &mut self.signals,
            "subscribers",
            CHURN_PER_DAY,
            a,
            b,
            &mut self.rng,
            &mut self.creator,
            out,
        );

        if !self.signals.trolls.is_empty() {
            self.troll_comments(a, b, out);
        }
        if self.active.is_empty() {
            return;
        }
        let rhythm = daily_rhythm(local_hour(a + (b - a) / 2, tz));
        let reach_factor = rhythm * self.signals.step_reach(a, b);
        self.signals.retire(a);
        let kernel = kernel();
        let excitation = excitation();
        let mut dropped = false;
        let YouTube {
            niche,
            rng,
            audience,
            videos,
            active,
            recent,
            subscribers,
            signals,
            likes_rng,
            texts,
            account_texts,
            ..
        } = self;
        for &idx in active.iter() {
            let scope = post_scope(u64::from(idx));
            let v = &mut videos[idx as usize];
            let views = v.expected_views(&kernel, a, b) * reach_factor;
            v.pending_views += views;
            let per_view = match v.kind {
                Kind::Video => SUBS_PER_VIEW,
                Kind::Short => SUBS_PER_VIEW * SHORT_SUBS,
                Kind::Community => 0.0,
            };
            subscribers.gain(views * per_view);

            // Comments: ordinary ones from the views, excited ones from
            // earlier comments.
            let n_base = rng.poisson(views * v.comment_ratio);
            let n_excited = rng.poisson(v.excitation.expected(a, b, excitation.memory));
            if n_base + n_excited > 0 {
                let lo = a.max(v.published);
                let mut offspring = 0.0;
                let seconds = v.seconds;
                for k in 0..n_base + n_excited {
                    let reply_share = if k >= n_base {
                        EXCITED_REPLY_SHARE
                    } else {
                        REPLY_SHARE
                    };
                    let at = lo + rng.below((b - lo).max(1) as u64) as Millis;
                    let author = audience.pick_at(rng, at);
                    offspring += excitation.offspring(author.followers);
                    let sentiment = signals.sentiment(rng, at);
                    let mut id = String::with_capacity(50);
                    let mut body = String::with_capacity(100);
                    let voice = Voice::of(&author.id);
                    let (kind, parent_id) = if !v.threads.is_empty() && rng.chance(reply_share) {
                        let k = rng.below(v.threads.len() as u64) as usize;
                        let parent = v.threads[k];
                        let said = v.said(k);
                        parent.write_reply(&mut id, rng);
                        let mut trng = text::text_rng(fnv1a(id.as_bytes()));
                        let gist = &v.gist;
                        write_distinct_scoped(
                            &mut [(&mut *texts, scope), (&mut *account_texts, 0)],
                            &mut body,
                            TEXT_TRIES,
                            |out| {
                                text::write_reply(
                                    out,
                                    &mut trng,
                                    *niche,
                                    sentiment,
                                    style::COMMENTS,
                                    gist,
                                    Some(seconds),
                                    &voice,
                                    said,
                                    None,
                                );
                            },
                        );
                        ("reply", Some(parent.to_id()))
                    } else {
                        let cid = CommentId::random(rng);
                        cid.write(&mut id);
                        v.track_comment(cid);
                        recent.push(cid, idx);
                        let mut trng = text::text_rng(fnv1a(id.as_bytes()));
                        let mut said = Said::default();
                        let gist = &v.gist;
                        write_distinct_scoped(
                            &mut [(&mut *texts, scope), (&mut *account_texts, 0)],
                            &mut body,
                            TEXT_TRIES,
                            |out| {
                                said = text::write_comment(
                                    out,
                                    &mut trng,
                                    *niche,
                                    sentiment,
                                    style::COMMENTS,
                                    gist,
                                    Some(seconds),
                                    &voice,
                                );
                            },
                        );
                        v.remember_thread(cid, said);
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
                emit_metrics(v, a, rng, likes_rng, out);
                v.next_metric = signals.next_metric(
                    a,
                    metric_interval(a - v.published, v.viral_excess(a) > 0.5, rng),
                );
            }

            // Retire uploads whose audience has gone.
            v.spikes.retain(|x| !x.faded(b));
            let age = v.curve_age(b);
            let speed = v.kind.speed() as f64;
            let quiet = v.spikes.is_empty()
                && b >= v.busy_until
                && v.excitation.remaining(b, excitation.memory) < 0.05
                && (age >= kernel.horizon()
                    || (b - v.published > DAY
                        && v.reach * kernel.rate(age) * speed * HOUR as f64 * 3.0 < 0.5));
            if quiet {
                v.active = false;
                emit_metrics(v, a, rng, likes_rng, out);
                v.threads.clear();
                v.said.clear();
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

    /// The upload a signal targets: `content_id`, or the latest upload
    /// `default` accepts.
    fn target(
        &self,
        signal: &str,
        content_id: Option<&str>,
        default: impl Fn(&Video) -> bool,
    ) -> Result<usize, String> {
        match content_id {
            Some(id) => self
                .find_video(id)
                .ok_or_else(|| format!("{PLATFORM}: no video with id `{id}` for `{signal}`")),
            None => self.videos.iter().rposition(default).ok_or_else(|| {
                format!("{PLATFORM}: no video has been published yet, so `{signal}` has no target")
            }),
        }
    }

    fn activate(&mut self, idx: usize) {
        let v = &mut self.videos[idx];
        if !v.active {
            v.active = true;
            self.active.push(idx as u32);
        }
    }

    fn act_publish(&mut self, at: Millis, params: &Value) -> Result<Vec<Event>, ActionError> {
        let map = params
            .as_object()
            .ok_or_else(|| ActionError::Invalid("youtube: `publish` needs a JSON object".into()))?;
        for key in map.keys() {
            if !["kind", "title", "description", "text"].contains(&key.as_str()) {
                return Err(ActionError::Invalid(format!(
                    "youtube: unknown `publish` parameter `{key}` (known: kind, title, description, text)"
                )));
            }
        }
        let kind = match map.get("kind") {
            None | Some(Value::Null) => Some(Kind::Video),
            Some(Value::String(k)) => Kind::parse(k),
            Some(_) => None,
        };
        let Some(kind) = kind else {
            return Err(ActionError::Invalid(format!(
                "youtube: `publish` `kind` must be \"video\", \"short\" or \"community\" (got {})",
                map.get("kind").unwrap_or(&Value::Null)
            )));
        };
        let string = |key: &str| match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(d)) => Ok(Some(d.clone())),
            Some(other) => Err(ActionError::Invalid(format!(
                "youtube: `publish` `{key}` must be a string (got {other})"
            ))),
        };
        let title = string("title")?;
        let description = match (string("description")?, string("text")?) {
            (Some(_), Some(_)) => {
                return Err(ActionError::Invalid(
                    "youtube: `publish` takes `description` or `text`, not both".into(),
                ))
            }
            (d, t) => d.or(t),
        };
        let (title, description) = if kind == Kind::Community {
            match description.filter(|d| !d.trim().is_empty()) {
                Some(d) => (title.unwrap_or_default(), d),
                None => {
                    return Err(ActionError::Invalid(
                        "youtube: a community `publish` needs a non-empty `text` string".into(),
                    ))
                }
            }
        } else {
            match title.filter(|t| !t.trim().is_empty()) {
                Some(t) => (t, description.unwrap_or_default()),
                None => {
                    return Err(ActionError::Invalid(
                        "youtube: `publish` needs a non-empty `title` string".into(),
                    ))
                }
            }
        };
        if kind.is_upload() {
            if let Some(wait) = self.uploads.wait_day(at, UPLOAD_LIMIT) {
                return Err(ActionError::RateLimited(wait));
            }
        }
        Ok(vec![self.publish(at, kind, Some(title), Some(description))])
    }

    fn act_reply(&mut self, at: Millis, params: &Value) -> Result<Vec<Event>, ActionError> {
        let map = params
            .as_object()
            .ok_or_else(|| ActionError::Invalid("youtube: `reply` needs a JSON object".into()))?;
        let Answer {
            to: comment_id,
            text: body,
        } = Answer::parse(PLATFORM, "reply", "comment_id", map)?;
        let not_found =
            || ActionError::NotFound(format!("youtube: no recent comment `{comment_id}`"));
        let thread = CommentId::parse(comment_id).ok_or_else(not_found)?;
        let idx = self.recent.post_of(&thread).ok_or_else(not_found)?;
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
/// the counters that changed (no views for a community post).
fn emit_metrics(
    v: &mut Video,
    at: Millis,
    rng: &mut Rng,
    likes_rng: &mut Rng,
    out: &mut Vec<Event>,
) {
    let views = rng.poisson(v.pending_views) as i64;
    v.pending_views = 0.0;
    v.views += views;
    v.likes += rng.poisson(views as f64 * v.like_ratio) as i64;
    v.liked_views += views;
    // The last update before the upload goes quiet reports everything.
    if at >= v.liked_next || !v.active {
        emit_comment_likes(v, at, likes_rng, out);
        v.liked_next = at + COMMENT_LIKES_INTERVAL;
    }
    let totals = [v.views, v.likes, v.comments];
    for (i, name) in ["views", "likes", "comments"].into_iter().enumerate() {
        if i == 0 && v.kind == Kind::Community {
            continue;
        }
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

/// Likes on the upload's top comments from the views since they were last
/// drawn, in proportion to each comment's appeal; a `comment_likes` metric
/// for each comment whose count changed.
fn emit_comment_likes(v: &mut Video, at: Millis, rng: &mut Rng, out: &mut Vec<Event>) {
    let views = std::mem::take(&mut v.liked_views);
    if views <= 0 {
        return;
    }
    for c in v.liked.iter_mut() {
        c.likes += rng.poisson(views as f64 * COMMENT_LIKES_PER_VIEW * c.appeal) as i64;
        let delta = c.likes - c.reported;
        if delta != 0 {
            out.push(Event {
                at,
                payload: Payload::Metric(Metric {
                    content_id: Some(c.id.to_id()),
                    name: "comment_likes".into(),
                    total: c.likes,
                    delta,
                }),
            });
            c.reported = c.likes;
        }
    }
}

impl SignalHost for YouTube {
    const PLATFORM: &'static str = PLATFORM;
    const AUDIENCE: &'static str = "subscribers";
    const SIGNALS: &'static [&'static str] = &[
        "viral",
        "shadowban",
        "health",
        "troll_wave",
        "controversy",
        "growth",
    ];

    fn active_signals(&mut self) -> &mut ActiveSignals {
        &mut self.signals
    }

    fn audience_count(&self) -> i64 {
        self.subscribers.count()
    }

    /// `content_id`, or the latest upload (for `viral`, the latest video or
    /// short).
    fn signal_target(&self, signal: &str, content_id: Option<&str>) -> Result<usize, String> {
        self.target(signal, content_id, |v| {
            signal != "viral" || v.kind != Kind::Community
        })
    }

    fn start_viral(&mut self, at: Millis, idx: usize, p: &ViralParams) {
        let typical = self.params.avg_views;
        let v = &mut self.videos[idx];
        v.spikes.push(Spike::new(at, p, v.reach.max(typical)));
        v.next_metric = v.next_metric.min(at + 5 * MINUTE);
        self.activate(idx);
    }

    /// The upload stays active at least while the wave lasts.
    fn start_troll_wave(&mut self, at: Millis, idx: usize, wave: &TrollWave) {
        let v = &mut self.videos[idx];
        v.busy_until = v.busy_until.max(wave.start + wave.duration);
        v.next_metric = v.next_metric.min(at + 5 * MINUTE);
        self.activate(idx);
    }

    fn start_growth(&mut self, at: Millis) {
        self.subscribers.report_soon(at);
    }
}

impl Platform for YouTube {
    fn handle_request(&self, at: Millis, request: &HttpRequest) -> NativeOutcome {
        self.signals.health.gate(
            at,
            Some(&BLOCK),
            request,
            |r| native::handle(self, at, r),
            native::health_refusal,
        )
    }

    fn finish_request(
        &self,
        _at: Millis,
        context: &str,
        outcome: Result<&[Event], &ActionError>,
    ) -> HttpResponse {
        native::finish(self, context, outcome)
    }

    fn webhook_subscribe(
        &self,
        format: &str,
        params: &serde_json::Value,
    ) -> Result<Option<Verification>, String> {
        webhook::subscribe(self, format, params)
    }

    fn shape_webhook(
        &self,
        format: &str,
        _params: &serde_json::Value,
        event: &Event,
    ) -> Option<WebhookDelivery> {
        webhook::shape(self, format, event)
    }

    fn describe() -> PlatformInfo {
        // `on_content`: the signals that apply to one upload (they read
        // `content_id`); the others apply to the whole channel.
        let signal = |name: &str, description: String, on_content: bool| SignalInfo {
            name: name.into(),
            description,
            on_content,
        };
        PlatformInfo {
            name: PLATFORM.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            content_kinds: vec!["video".into(), "short".into(), "community".into()],
            interaction_kinds: vec!["comment".into(), "reply".into()],
            metrics: vec![
                "views".into(),
                "likes".into(),
                "comments".into(),
                "comment_likes".into(),
                "subscribers".into(),
            ],
            signals: vec![
                signal("viral", viral_description("video"), true),
                signal("shadowban", SHADOWBAN_DESCRIPTION.into(), false),
                signal("health", health::DESCRIPTION.into(), false),
                signal("troll_wave", troll_wave_description("video"), true),
                signal("controversy", CONTROVERSY_DESCRIPTION.into(), false),
                signal("growth", growth_description("subscribers"), false),
            ],
            actions: ["publish", "reply"]
                .iter()
                .chain(native::ACTIONS)
                .chain(MODERATION.actions)
                .map(|a| a.to_string())
                .collect(),
            // Uploads (videos and shorts) count against the limit, whether
            // scheduled or published through `publish`.
            limits: vec![LimitInfo {
                action: "publish".into(),
                max: UPLOAD_LIMIT,
                per: DAY,
            }],
            params: diorama_sdk::models::params::infos(params::PARAMS),
            metric_roles: MetricRoles {
                views: Some("views".into()),
                likes: Some("likes".into()),
                comments: Some("comments".into()),
            },
            automatic_share: Some(1.0),
            // The YouTube Data API v3: the documented host and the one its
            // discovery document names as its root.
            api_hosts: vec!["www.googleapis.com".into(), "youtube.googleapis.com".into()],
            webhook_formats: vec![webhook::format()],
        }
    }

    fn init(config: &AccountConfig) -> Result<Self, String> {
        let params = Params::parse(&config.params)?;
        let niche = Niche::parse(&config.niche).map_err(|e| format!("{PLATFORM}: {e}"))?;
        let timezone = Timezone::parse(&config.timezone).map_err(|e| format!("{PLATFORM}: {e}"))?;
        let tz = timezone.tz();
        let mut rng = Rng::new(config.seed, &format!("youtube/{}", config.profile));
        let mut plan = Rng::new(config.seed, &format!("youtube/{}/plan", config.profile));
        let likes_rng = Rng::new(
            config.seed,
            &format!("youtube/{}/comment_likes", config.profile),
        );
        let audience = Audience::for_followers(rng.next_u64(), style::PERSONAS, params.subscribers)
            .in_timezone(timezone.clone());
        let mut creator =
            persona::author_with_followers(&mut rng, style::PERSONAS, params.subscribers);
        creator.verified = params.subscribers >= 100_000;
        let start = config.start;
        let first_upload = if params.uploads_per_day > 0.0 {
            start + 20 * MINUTE + plan.below(160 * MINUTE as u64) as Millis
        } else {
            Millis::MAX
        };
        let next_community = schedule_after(&mut plan, start, params.community_per_day, tz);
        let next_subs_metric = start + rng.below(HOUR as u64) as Millis;
        let subscribers = AudienceCount::new(params.subscribers, next_subs_metric);
        Ok(YouTube {
            niche,
            timezone,
            params,
            rng,
            plan,
            likes_rng,
            clock: start,
            creator,
            audience,
            subscribers,
            next_upload: first_upload,
            next_community,
            uploads: RateWindow::default(),
            videos: Vec::new(),
            active: Vec::new(),
            recent: RecentComments::default(),
            signals: ActiveSignals::default(),
            moderation: Moderation::default(),
            texts: post_texts(),
            account_texts: account_texts(),
            native: native::Memory::default(),
        })
    }

    fn step(&mut self, from: Millis, to: Millis, out: &mut Vec<Event>) {
        let from = from.max(self.clock);
        if to <= from {
            return;
        }
        let tz = self.timezone.tz();
        let start = out.len();
        for (a, b) in substeps(from, to, self.signals.substep(from, SUBSTEP)) {
            self.substep(a, b, tz, out);
        }
        self.moderation.observe(out, start);
        self.signals.health.step(PLATFORM, from, to, out);
        self.native.record(&out[start..]);
        self.clock = to;
    }

    /// Nothing happens between scheduled uploads while no upload draws an
    /// audience and no troll wave or growth is under way: a sub-step then
    /// only checks the schedules and adds churn, drawing nothing, so the
    /// host may step that time in one call.
    fn next_due(&self, end: Millis) -> Option<Millis> {
        if !self.active.is_empty()
            || !self.signals.trolls.is_empty()
            || self.signals.growth.is_some()
            || self.signals.health.pending()
        {
            return Some(end);
        }
        let next = self
            .next_upload
            .min(self.next_community)
            .min(self.subscribers.next_audience_report);
        Some(next.max(end))
    }

    fn signal(&mut self, at: Millis, name: &str, params: &Value) -> Result<(), String> {
        if name == "brand_deal_flood" {
            return Err(format!(
                "{PLATFORM} does not understand the signal `brand_deal_flood`: YouTube has no direct messages, so there is no inbox to flood (it applies to instagram and tiktok)"
            ));
        }
        signals::apply(self, at, name, params)
    }

    fn act(&mut self, at: Millis, action: &Action) -> Result<Vec<Event>, ActionError> {
        let kind = action.kind.as_str();
        self.signals
            .health
            .admit(PLATFORM, at, kind, Some(&BLOCK))?;
        let params = diorama_sdk::parse_params(&action.params)
            .map_err(|e| ActionError::Invalid(format!("{PLATFORM}: {e}")))?;
        let empty = serde_json::Map::new();
        let map = params.as_object().unwrap_or(&empty);
        let result = match kind {
            "publish" => self.act_publish(at, &params),
            "reply" => self.act_reply(at, &params),
            other => match self
                .moderation
                .act(PLATFORM, &MODERATION, at, other, map, |_| None)
            {
                Some(r) => r.map(|e| vec![e]),
                None => native::act(self, at, other, &params).unwrap_or_else(|| {
                    Err(ActionError::Invalid(format!(
                        "{PLATFORM} does not support the action `{other}` (known: publish, reply, {}, {})",
                        native::ACTIONS.join(", "),
                        MODERATION.actions.join(", ")
                    )))
                }),
            },
        };
        let mut events = result?;
        self.native.record(&events);
        self.signals
            .health
            .count(PLATFORM, at, kind, Some(&BLOCK), &mut events);
        Ok(events)
    }
}

diorama_sdk::export_platform!(YouTube);
