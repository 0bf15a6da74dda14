//! The Instagram simulator.
//!
//! An account publishes posts and reels (about `posts_per_day`, roughly
//! half of them reels, mostly in the local afternoon) and stories (about
//! `stories_per_day`). Each post draws a log-normal quality, so a few posts
//! reach most people; its expected lifetime reach is a share of the
//! followers (20 % for a post, 35 % for a reel, 5 % for a story) times its
//! quality. Accounts reached arrive along the SEISMIC reaction curve times
//! the audience's daily rhythm, and travel as periodic metric updates per
//! post (`likes`, `comments`, and `views` for reels; `story_views` for
//! stories), never one event per like. Comments arrive as Poisson counts
//! per minute from the same intensity times `comment_rate`, plus a
//! self-exciting part; some are replies (which often start with the
//! `@handle` they answer). Stories expire after 24 hours: a final
//! `story_views` update, then a `story_expired` notice, and no more
//! activity. DMs arrive at `dm_rate` a day (times the daily rhythm) in the
//! 40/30/15/10/5 fan/question/collaboration/spam/criticism mix; other
//! accounts `mention` the creator now and then. Followers grow with reach,
//! minus a little churn, reported a few times a day.
//!
//! With the defaults (`like_rate` 0.033, `comment_rate` 0.0012) the median
//! post ends with likes + comments ≈ 0.45 % of the followers, Rival IQ's
//! 0.47 % median engagement rate.
//!
//! `comment_volume` ("low" | "medium" | "high" | "viral") multiplies the
//! default `comment_rate` by 0.35, 1, 2.5 or 8, and `dm_frequency` ("low" |
//! "medium" | "high") the default `dm_rate` (about 12 a day per 100k
//! followers) by 0.4, 1 or 2.5; both default to "medium", and an explicit
//! `comment_rate` or `dm_rate` wins.
//!
//! Signals: `viral` {content_id?, factor = 10, ramp = 30 min, decay = 8 h}
//! (see [`diorama_sdk::models::spike`]); `shadowban` {depth = 0.9 (or
//! factor = 1 − depth), duration = 3 days, recovery = 12 h}: reach of every
//! post (and new followers) collapses for `duration`, then climbs back over
//! `recovery`; `troll_wave` {content_id?, size = 200, duration = 2 h}:
//! negative comments on one post from fresh accounts with under 100
//! followers; `brand_deal_flood` {factor = 10, duration = 24 h}:
//! collaboration DMs multiplied; `controversy` {duration = 24 h, heal =
//! 48 h, negativity = 0.6}: the comments' sentiment turns, then heals;
//! `growth` {followers, duration = 24 h}: followers grow to a target (see
//! [`diorama_sdk::models::signals`]).
//!
//! Actions: `publish` {kind: post|reel|story, caption?} (5 posts and reels,
//! 100 stories in 24 hours), `reply` {comment_id, text} (30 comments in 24
//! hours), `dm_reply` {dm_id, text}; and the Graph API's writes (see
//! [`native`]): `create_container` {kind, caption?} and `publish_container`
//! {container_id} (publishing through a media container, under the same
//! limits as `publish`), and the kit's moderation
//! ([`diorama_sdk::kit::moderation`]): `like_comment`, `hide_comment`
//! {comment_id, hide}, `delete_comment`, `pin_comment` (three a post) on a
//! recent comment, `block_author`, `restrict_author`, `follow_back`
//! {author_id}.
//!
//! Health ([`diorama_sdk::kit::health`], the `health` signal): 60 of the
//! creator's answers, moderation actions and follows within an hour block
//! them for a day ([`BLOCK`]); the Graph API answers a blocked write with
//! error 368, a suspended account with 190/459, an expired token with
//! 190/463.

pub mod media;
pub mod native;
use diorama_sdk::kit::funnel;
mod params;
pub mod style;
pub mod webhook;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use diorama_sdk::kit::actions;
use diorama_sdk::kit::audience::AudienceCount;
use diorama_sdk::kit::health::{self, BlockRule};
use diorama_sdk::kit::inbox::{Inbox, Senders};
use diorama_sdk::kit::moderation::{self, Moderation};
use diorama_sdk::kit::signals::{self, ActiveSignals, SignalHost};
use diorama_sdk::kit::threads::{CommentRules, Comments, Crowd};
use diorama_sdk::models::ids::{numeric_id19, push_b64, push_digits};
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
use diorama_sdk::models::text::{self, Niche, Sentiment};
use diorama_sdk::models::time::{daily_rhythm, local_hour, schedule_after, substeps, Timezone, Tz};
use diorama_sdk::models::timing::{metric_interval, Seismic, SelfExcitation};
use diorama_sdk::{
    AccountConfig, Action, ActionError, Author, Content, Event, HttpRequest, HttpResponse,
    Interaction, LimitInfo, Metric, MetricRoles, Millis, NativeOutcome, Notice, Payload, Platform,
    PlatformInfo, SignalInfo, Verification, WebhookDelivery, DAY, HOUR, MINUTE,
};

use media::{Kind, Media};
pub use params::{Params, COMMENT_LIMIT, LIKE_LIMIT, POST_LIMIT, STORY_LIMIT};

const PLATFORM: &str = "instagram";
/// The creator's actions.
const ACTIONS: &[&str] = &[
    "publish",
    "reply",
    "dm_reply",
    funnel::SEND_OFFER,
    "create_container",
    "publish_container",
    "hide_comment",
    "delete_comment",
];
/// The action block: Instagram publishes no figure; the ones its users
/// report are about 60 likes or comments an hour for an established
/// account (fewer for a new one), past which "Try Again Later" blocks
/// those actions, most often for a day. The creator's answers, moderation
/// and follows count.
pub const BLOCK: BlockRule = BlockRule {
    max: 60,
    within: HOUR,
    lasts: DAY,
    counts: health::CREATOR_ACTIONS,
    says: "Instagram: \"Try Again Later. We restrict certain activity to protect our community.\"",
};
/// Moderation: every action of the kit; up to three pinned comments a
/// post.
const MODERATION: moderation::Rules = moderation::Rules {
    actions: &moderation::ALL,
    pins_per_post: 3,
};
/// The simulator advances in sub-steps of at most this length, aligned to
/// whole minutes, whatever window the host steps.
const SUBSTEP: Millis = MINUTE;
/// Lifetime reach of an average post, reel and story, per follower.
const POST_REACH: f64 = 0.20;
const REEL_REACH: f64 = 0.35;
const STORY_REACH: f64 = 0.05;
/// Reels are watched by more people who engage less: likes and comments
/// per view, relative to a post's per account reached.
const REEL_ENGAGEMENT: f64 = 0.6;
/// Share of scheduled posts that are reels.
const REEL_SHARE: f64 = 0.5;
/// Spread of post quality (log-normal σ); stories vary less.
const QUALITY_SIGMA: f64 = popularity::DEFAULT_QUALITY_SIGMA;
const STORY_SIGMA: f64 = 0.3;
/// Spread of the like ratio between posts.
const LIKE_SIGMA: f64 = 0.25;
/// New followers per account reached.
const FOLLOWS_PER_VIEW: f64 = 0.001;
/// Share of followers lost per day.
const CHURN_PER_DAY: f64 = 0.0003;
/// Mentions of the account per follower per day (3 a day at 100k).
const MENTIONS_PER_FOLLOWER_DAY: f64 = 3e-5;
/// Memory of the self-excitation.
const EXCITATION_MEMORY: Millis = 45 * MINUTE;

fn kernel() -> Seismic {
    Seismic::standard()
}

/// How comments read and thread: emoji and tagged friends, 15 % of
/// ordinary comments and 60 % of excited ones replies, self-excitation as
/// on YouTube (Mishra et al.'s κ and β): a comment breeds about 0.29
/// further comments or replies.
fn rules() -> CommentRules {
    CommentRules {
        style: style::COMMENTS,
        persona: style::PERSONAS,
        reply_share: 0.15,
        excited_reply_share: 0.6,
        excitation: SelfExcitation::mishra(6.0, EXCITATION_MEMORY, 3.0),
        new_id: style::comment_id,
    }
}

/// A DM id: `aWdf` and 40 url-safe base64 characters.
fn dm_id(rng: &mut Rng) -> String {
    let mut id = String::with_capacity(44);
    id.push_str("aWdf");
    push_b64(&mut id, rng, 40);
    id
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Instagram {
    niche: Niche,
    timezone: Timezone,
    params: Params,
    /// Draws for the audience: comments, DMs, authors, metric noise.
    rng: Rng,
    /// Draws for the account's plan: publishing times and the posts
    /// themselves, kept apart so the same account publishes the same posts
    /// whatever its audience does.
    plan: Rng,
    clock: Millis,
    creator: Author,
    #[serde(deserialize_with = "style::audience")]
    audience: Audience,
    /// The followers, reported a few times a day.
    #[serde(flatten)]
    followers: AudienceCount,
    next_post: Millis,
    next_story: Millis,
    /// Publishing times within the last 24 hours (rate limits).
    posts: RateWindow,
    stories: RateWindow,
    /// The creator's own comments within the last 24 hours.
    own_comments: RateWindow,
    /// Every post, reel and story, in publishing order.
    media: Vec<Media>,
    /// Indexes of the media still drawing an audience.
    active: Vec<u32>,
    /// Recent comments (for `reply`) and texts (against repeats).
    #[serde(flatten)]
    comments: Comments,
    /// Recent DMs' ids, for `dm_reply`.
    recent_dms: Inbox<String>,
    #[serde(flatten)]
    signals: ActiveSignals,
    /// Recent comments, blocked and restricted authors, pins.
    #[serde(default)]
    moderation: Moderation,
    /// What the Graph API reads that the simulation does not keep: recent
    /// comments, DMs, mentions and captions in full, and media containers.
    #[serde(default)]
    native: native::Memory,
}

fn push_id19(out: &mut String, rng: &mut Rng, lead: u64) {
    push_digits(out, numeric_id19(rng, lead));
}

impl Instagram {
    /// Every post, reel and story's id, oldest first.
    pub fn media_ids(&self) -> impl Iterator<Item = (&str, &'static str)> {
        self.media.iter().map(|m| (m.id.as_str(), m.kind.as_str()))
    }

    /// How many posts still draw an audience (and cost time per step).
    pub fn active_media(&self) -> usize {
        self.active.len()
    }

    /// The creator's account.
    pub fn creator(&self) -> &Author {
        &self.creator
    }

    /// What the Graph API reads beyond the simulation's own state.
    pub fn native_memory(&self) -> &native::Memory {
        &self.native
    }

    /// Create a post, reel or story published at `at` and its content event.
    fn publish(&mut self, at: Millis, kind: Kind, caption: Option<String>) -> Event {
        let rng = &mut self.plan;
        let followers = self.params.followers as f64;
        let (id, url) = match kind {
            Kind::Post | Kind::Reel => {
                let code = style::shortcode(rng);
                let path = if kind == Kind::Reel { "reel" } else { "p" };
                let url = format!("https://www.instagram.com/{path}/{code}/");
                (code, url)
            }
            Kind::Story => {
                let mut id = String::with_capacity(19);
                push_id19(&mut id, rng, 3);
                let handle = self.creator.handle.trim_start_matches('@');
                let url = format!("https://www.instagram.com/stories/{handle}/{id}/");
                (id, url)
            }
        };
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
        let (share, sigma, engagement) = match kind {
            Kind::Post => (POST_REACH, QUALITY_SIGMA, 1.0),
            Kind::Reel => (REEL_REACH, QUALITY_SIGMA, REEL_ENGAGEMENT),
            Kind::Story => (STORY_REACH, STORY_SIGMA, 0.0),
        };
        let reach = (followers * share).max(5.0) * popularity::quality(rng, sigma);
        let mut m = Media::new(id.clone(), kind, at, reach);
        m.talk.gist = text::Gist::read_in(self.niche, &title, &caption);
        let spread = LogNormal::with_mean(1.0, LIKE_SIGMA).sample(rng);
        m.like_ratio = (self.params.like_rate * engagement * spread).min(1.0);
        m.comment_ratio = self.params.comment_rate * engagement;
        if kind == Kind::Reel {
            m.seconds = Some(7 + rng.below(84) as u32);
        }
        m.next_metric = at + 5 * MINUTE + rng.below(5 * MINUTE as u64) as Millis;
        let idx = self.media.len() as u32;
        self.media.push(m);
        self.active.push(idx);
        match kind {
            Kind::Story => self.stories.record(at),
            _ => self.posts.record(at),
        }
        Event {
            at,
            payload: Payload::Content(Content {
                id,
                kind: kind.as_str().into(),
                title,
                text: caption,
                url,
            }),
        }
    }

    /// Scheduled posts and stories in `[a, b)`.
    fn scheduled(&mut self, a: Millis, b: Millis, tz: Tz, out: &mut Vec<Event>) {
        while self.next_post < b {
            let at = self.next_post.max(a);
            if let Some(wait) = self.posts.wait_day(at, POST_LIMIT) {
                self.next_post = at + wait;
                continue;
            }
            let kind = if self.plan.chance(REEL_SHARE) {
                Kind::Reel
            } else {
                Kind::Post
            };
            let event = self.publish(at, kind, None);
            out.push(event);
            self.next_post =
                schedule_after(&mut self.plan, at, self.params.posts_per_day, tz).max(at + 1);
        }
        while self.next_story < b {
            let at = self.next_story.max(a);
            if let Some(wait) = self.stories.wait_day(at, STORY_LIMIT) {
                self.next_story = at + wait;
                continue;
            }
            let event = self.publish(at, Kind::Story, None);
            out.push(event);
            self.next_story =
                schedule_after(&mut self.plan, at, self.params.stories_per_day, tz).max(at + 1);
        }
    }

    /// DMs and mentions in `[a, b)`.
    fn inbox(&mut self, a: Millis, b: Millis, rhythm: f64, out: &mut Vec<Event>) {
        let mut senders = Senders {
            niche: self.niche,
            rng: &mut self.rng,
            audience: &mut self.audience,
            dm_rate: self.params.dm_rate,
            new_id: dm_id,
        };
        let flood = self.signals.flood_extra(a);
        self.recent_dms
            .arrivals(&mut senders, a, b, rhythm, flood, out);
        self.recent_dms.step(self.niche, a, b, dm_id, out);
        let span = (b - a) as f64 / DAY as f64 * rhythm;
        let mentions = self.params.followers as f64 * MENTIONS_PER_FOLLOWER_DAY;
        let n_mentions = self.rng.poisson(mentions * span * self.signals.reach_at(a));
        for _ in 0..n_mentions {
            let rng = &mut self.rng;
            let at = a + rng.below((b - a) as u64) as Millis;
            let author = self.audience.pick_at(rng, at);
            let body = text::mention(rng, self.niche, &self.creator.handle);
            let mut id = String::with_capacity(19);
            push_id19(&mut id, rng, 3);
            out.push(Event {
                at,
                payload: Payload::Interaction(Interaction {
                    id,
                    kind: "mention".into(),
                    content_id: None,
                    parent_id: None,
                    author,
                    text: body,
                    sentiment: Some(Sentiment::Positive.as_str().into()),
                    dm_type: None,
                }),
            });
        }
    }

    /// Advance over one sub-step `[a, b)` (b − a ≤ a minute).
    fn substep(&mut self, a: Millis, b: Millis, tz: Tz, out: &mut Vec<Event>) {
        self.scheduled(a, b, tz, out);
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
        self.inbox(a, b, rhythm, out);
        let rules = rules();
        if !self.signals.trolls.is_empty() {
            self.comments.trolls(
                &mut self.signals.trolls,
                &mut self.media,
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
                .followups(&mut self.media, a, b, &mut crowd, out);
        }
        self.signals.retire(a);
        if self.active.is_empty() {
            return;
        }
        let reach_factor = rhythm * self.signals.step_reach(a, b);
        let kernel = kernel();
        let memory = rules.excitation.memory;
        let mut dropped = false;
        let Instagram {
            niche,
            rng,
            audience,
            media,
            active,
            comments,
            followers,
            signals,
            ..
        } = self;
        for &idx in active.iter() {
            let m = &mut media[idx as usize];
            let views = m.expected_views(&kernel, a, b) * reach_factor;
            m.pending_views += views;
            followers.gain(views * FOLLOWS_PER_VIEW);

            if m.kind != Kind::Story {
                let mut crowd = Crowd {
                    rules: &rules,
                    niche: *niche,
                    rng,
                    audience,
                };
                let expected = views * m.comment_ratio;
                comments.write(m, idx, expected, a, b, &mut crowd, signals, out);
            }

            let expires = m.expires();
            if expires < b {
                // A story's last update and its expiry.
                let at = expires.max(a);
                emit_metrics(m, at, rng, out);
                out.push(Event {
                    at,
                    payload: Payload::Notice(Notice {
                        code: "story_expired".into(),
                        message: format!(
                            "story {} expired after 24 hours with {} views",
                            m.id, m.views
                        ),
                    }),
                });
                m.active = false;
                m.spikes.clear();
                dropped = true;
                continue;
            }
            if a >= m.next_metric {
                emit_metrics(m, a, rng, out);
                m.next_metric = signals.next_metric(
                    a,
                    metric_interval(a - m.published, m.viral_excess(a) > 0.5, rng),
                );
            }

            // Retire posts whose audience has gone.
            m.spikes.retain(|x| !x.faded(b));
            let age = b - m.published;
            let quiet = m.spikes.is_empty()
                && m.talk.excitation.remaining(b, memory) < 0.05
                && (age >= kernel.horizon()
                    || (age > DAY && m.reach * kernel.rate(age) * HOUR as f64 * 3.0 < 0.5));
            if quiet {
                emit_metrics(m, a, rng, out);
                m.active = false;
                m.talk.rest();
                dropped = true;
            }
        }
        if dropped {
            active.retain(|&i| media[i as usize].active);
        }
    }

    /// The latest post or reel, or a live story, by id.
    fn find_media(&self, id: &str) -> Option<usize> {
        self.media.iter().rposition(|m| m.id == id)
    }

    fn act_publish(&mut self, at: Millis, map: &Map<String, Value>) -> Result<Event, ActionError> {
        let (kind, caption) = kind_and_caption("publish", map)?;
        self.publish_now(at, kind, caption)
    }

    /// Publish now unless the 24-hour limit of its kind is reached.
    fn publish_now(
        &mut self,
        at: Millis,
        kind: Kind,
        caption: Option<String>,
    ) -> Result<Event, ActionError> {
        let wait = match kind {
            Kind::Story => self.stories.wait_day(at, STORY_LIMIT),
            _ => self.posts.wait_day(at, POST_LIMIT),
        };
        if let Some(wait) = wait {
            return Err(ActionError::RateLimited(wait));
        }
        Ok(self.publish(at, kind, caption))
    }

    /// `create_container` {kind, caption?}: a media container the Graph
    /// API's `media_publish` publishes later; a notice with its id.
    fn act_create_container(
        &mut self,
        at: Millis,
        map: &Map<String, Value>,
    ) -> Result<Event, ActionError> {
        let (kind, caption) = kind_and_caption("create_container", map)?;
        let id = self.native.add_container(at, kind.as_str(), caption);
        Ok(Event {
            at,
            payload: Payload::Notice(Notice {
                code: "container_created".into(),
                message: format!("media container {id} created for a {}", kind.as_str()),
            }),
        })
    }

    /// `publish_container` {container_id}: publish a container created in
    /// the last 24 hours, under `publish`'s limits.
    fn act_publish_container(
        &mut self,
        at: Millis,
        map: &Map<String, Value>,
    ) -> Result<Event, ActionError> {
        let invalid = ActionError::Invalid;
        check_known(
            PLATFORM,
            map,
            &["container_id"],
            "`publish_container` parameter",
        )
        .map_err(invalid)?;
        let Some(Value::String(id)) = map.get("container_id") else {
            return Err(invalid(format!(
                "{PLATFORM}: `publish_container` needs `container_id`, a string"
            )));
        };
        let Some(c) = self.native.container(id) else {
            return Err(ActionError::NotFound(format!(
                "{PLATFORM}: no media container `{id}`"
            )));
        };
        if c.published.is_some() {
            return Err(invalid(format!(
                "{PLATFORM}: the media container `{id}` is already published"
            )));
        }
        if at - c.at >= DAY {
            return Err(invalid(format!(
                "{PLATFORM}: the media container `{id}` expired 24 hours after it was created"
            )));
        }
        let kind = Kind::parse(&c.kind).unwrap_or(Kind::Post);
        let caption = c.caption.clone();
        let event = self.publish_now(at, kind, caption)?;
        if let (Payload::Content(content), Some(c)) =
            (&event.payload, self.native.container_mut(id))
        {
            c.published = Some(content.id.clone());
        }
        Ok(event)
    }

    /// The kit's moderation action `kind` on a comment the Graph API
    /// keeps, or on one the kit remembers.
    fn moderate(
        &mut self,
        at: Millis,
        kind: &str,
        map: &Map<String, Value>,
    ) -> Option<Result<Event, ActionError>> {
        let native = &self.native;
        self.moderation
            .act(PLATFORM, &MODERATION, at, kind, map, |id| {
                native.comment(id).map(|c| c.media.clone())
            })
    }

    /// `hide_comment` {comment_id, hide = true}: hide a recent comment
    /// from everyone but its author (or show it again).
    fn act_hide_comment(
        &mut self,
        at: Millis,
        map: &Map<String, Value>,
    ) -> Result<Event, ActionError> {
        let event = self
            .moderate(at, "hide_comment", map)
            .unwrap_or_else(|| Err(actions::unknown(PLATFORM, "hide_comment", ACTIONS)))?;
        let id = map
            .get("comment_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let hide = map.get("hide").and_then(Value::as_bool).unwrap_or(true);
        if let Some(c) = self.native.comment_mut(id) {
            c.hidden = hide;
        }
        Ok(event)
    }

    /// `delete_comment` {comment_id}: delete a recent comment and its
    /// replies; its post's comment count drops by as many.
    fn act_delete_comment(
        &mut self,
        at: Millis,
        map: &Map<String, Value>,
    ) -> Result<Event, ActionError> {
        let mut event = self
            .moderate(at, "delete_comment", map)
            .unwrap_or_else(|| Err(actions::unknown(PLATFORM, "delete_comment", ACTIONS)))?;
        let id = map
            .get("comment_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let media = self.native.comment(&id).and_then(|c| c.media.clone());
        let before = self.native.comments.len();
        self.native.forget_comment(&id);
        let gone = (before - self.native.comments.len()) as i64;
        if let Some(m) = media
            .and_then(|m| self.find_media(&m))
            .map(|i| &mut self.media[i])
        {
            m.talk.comments = (m.talk.comments - gone).max(0);
            if let Ok(n) = id.parse::<u64>() {
                m.talk.threads.retain(|t| t.id != n);
            }
        }
        if let Payload::Notice(n) = &mut event.payload {
            n.message = format!("comment {id} deleted with {} replies", (gone - 1).max(0));
        }
        Ok(event)
    }
}

/// An action's `kind` (post, reel or story; post by default) and
/// `caption`.
fn kind_and_caption(
    action: &str,
    map: &Map<String, Value>,
) -> Result<(Kind, Option<String>), ActionError> {
    let invalid = ActionError::Invalid;
    check_known(
        PLATFORM,
        map,
        &["kind", "caption"],
        &format!("`{action}` parameter"),
    )
    .map_err(invalid)?;
    let kind = match map.get("kind") {
        None | Some(Value::Null) => Kind::Post,
        Some(Value::String(k)) => Kind::parse(k).ok_or_else(|| {
            invalid(format!(
                "{PLATFORM}: `{action}` `kind` must be post, reel or story (got \"{k}\")"
            ))
        })?,
        Some(other) => {
            return Err(invalid(format!(
                "{PLATFORM}: `{action}` `kind` must be post, reel or story (got {other})"
            )))
        }
    };
    let caption = match map.get("caption") {
        None | Some(Value::Null) => None,
        Some(Value::String(c)) => Some(c.clone()),
        Some(other) => {
            return Err(invalid(format!(
                "{PLATFORM}: `{action}` `caption` must be a string (got {other})"
            )))
        }
    };
    Ok((kind, caption))
}

/// Draw the views and likes that arrived since the last update and emit
/// the counters that changed.
fn emit_metrics(m: &mut Media, at: Millis, rng: &mut Rng, out: &mut Vec<Event>) {
    let views = rng.poisson(m.pending_views) as i64;
    m.pending_views = 0.0;
    m.views += views;
    m.likes += rng.poisson(views as f64 * m.like_ratio) as i64;
    let totals = m.totals();
    for (i, name) in m.kind.metric_names().into_iter().enumerate() {
        let Some(name) = name else { continue };
        let delta = totals[i] - m.reported[i];
        if delta != 0 {
            out.push(Event {
                at,
                payload: Payload::Metric(Metric {
                    content_id: Some(m.id.clone()),
                    name: name.into(),
                    total: totals[i],
                    delta,
                }),
            });
            m.reported[i] = totals[i];
        }
    }
}

impl SignalHost for Instagram {
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
        let viral = signal == "viral";
        match content_id {
            // A live story can go viral; a troll wave needs a post or reel.
            Some(id) => self
                .find_media(id)
                .filter(|&i| {
                    let m = &self.media[i];
                    m.kind != Kind::Story || (viral && m.active)
                })
                .ok_or_else(|| {
                    if viral {
                        format!(
                            "{PLATFORM}: no post, reel or live story with id `{id}` to make viral"
                        )
                    } else {
                        format!("{PLATFORM}: no post or reel with id `{id}` for `troll_wave`")
                    }
                }),
            None => self
                .media
                .iter()
                .rposition(|m| m.kind != Kind::Story)
                .ok_or_else(|| {
                    let none = if viral {
                        "none can go viral"
                    } else {
                        "`troll_wave` has no target"
                    };
                    format!("{PLATFORM}: no post has been published yet, so {none}")
                }),
        }
    }

    fn start_viral(&mut self, at: Millis, idx: usize, p: &ViralParams) {
        let typical = self.params.followers as f64 * POST_REACH;
        let m = &mut self.media[idx];
        m.spikes.push(Spike::new(at, p, m.reach.max(typical)));
        m.next_metric = m.next_metric.min(at + 5 * MINUTE);
        if !m.active {
            m.active = true;
            self.active.push(idx as u32);
        }
    }

    fn start_troll_wave(&mut self, at: Millis, idx: usize, _wave: &TrollWave) {
        let m = &mut self.media[idx];
        m.next_metric = m.next_metric.min(at + 5 * MINUTE);
    }

    fn start_growth(&mut self, at: Millis) {
        self.followers.report_soon(at);
    }
}

impl Instagram {
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
                &mut self.media,
                &mut self.active,
            ),
            "dm_reply" => {
                self.recent_dms
                    .reply(PLATFORM, at, &map, &mut self.rng, dm_id, &self.creator)
            }
            funnel::SEND_OFFER => {
                self.recent_dms
                    .offer(PLATFORM, at, &map, &mut self.rng, dm_id, &self.creator)
            }
            "create_container" => self.act_create_container(at, &map),
            "publish_container" => self.act_publish_container(at, &map),
            "hide_comment" => self.act_hide_comment(at, &map),
            "delete_comment" => self.act_delete_comment(at, &map),
            other => self
                .moderate(at, other, &map)
                .unwrap_or_else(|| Err(actions::unknown(PLATFORM, other, ACTIONS))),
        }?;
        self.native
            .record(&self.creator.id, std::slice::from_ref(&event));
        Ok(vec![event])
    }
}

impl Platform for Instagram {
    fn describe() -> PlatformInfo {
        let limit = |action: &str, max| LimitInfo {
            action: action.into(),
            max,
            per: DAY,
        };
        PlatformInfo {
            name: PLATFORM.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            content_kinds: vec!["post".into(), "reel".into(), "story".into()],
            interaction_kinds: ["comment", "reply", "dm", "mention"]
                .into_iter()
                .chain(funnel::FUNNEL_KINDS)
                .map(String::from)
                .collect(),
            metrics: vec![
                "likes".into(),
                "comments".into(),
                "views".into(),
                "story_views".into(),
                "followers".into(),
            ],
            signals: vec![
                SignalInfo {
                    name: "viral".into(),
                    description: viral_description("post"),
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
                    description: troll_wave_description("post"),
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
                .chain(MODERATION.actions.iter().filter(|a| !ACTIONS.contains(a)))
                .map(|a| a.to_string())
                .collect(),
            // Keyed by action: stories are published through `publish`,
            // the creator's comments are `reply`s; the creator has no like
            // action.
            limits: vec![
                limit("publish", POST_LIMIT),
                limit("publish", STORY_LIMIT),
                limit("reply", COMMENT_LIMIT),
            ],
            params: diorama_sdk::models::params::infos(params::PARAMS),
            metric_roles: MetricRoles {
                views: Some("views".into()),
                likes: Some("likes".into()),
                comments: Some("comments".into()),
            },
            automatic_share: Some(0.6),
            // The Instagram API with Instagram Login, and with Facebook
            // Login (the Graph API).
            api_hosts: vec!["graph.instagram.com".into(), "graph.facebook.com".into()],
            webhook_formats: vec![webhook::format()],
        }
    }

    fn init(config: &AccountConfig) -> Result<Self, String> {
        let params = Params::parse(&config.params)?;
        let niche = Niche::parse(&config.niche).map_err(|e| format!("{PLATFORM}: {e}"))?;
        let timezone = Timezone::parse(&config.timezone).map_err(|e| format!("{PLATFORM}: {e}"))?;
        let mut rng = Rng::new(config.seed, &format!("instagram/{}", config.profile));
        let mut plan = Rng::new(config.seed, &format!("instagram/{}/plan", config.profile));
        let audience = Audience::for_followers(rng.next_u64(), style::PERSONAS, params.followers)
            .in_timezone(timezone.clone());
        let mut creator =
            persona::author_with_followers(&mut rng, style::PERSONAS, params.followers);
        creator.verified = params.followers >= 100_000;
        let start = config.start;
        let first = |plan: &mut Rng, per_day: f64| {
            if per_day > 0.0 {
                start + 20 * MINUTE + plan.below(160 * MINUTE as u64) as Millis
            } else {
                Millis::MAX
            }
        };
        let next_post = first(&mut plan, params.posts_per_day);
        let next_story = first(&mut plan, params.stories_per_day);
        let next_followers_metric = start + rng.below(HOUR as u64) as Millis;
        let followers = AudienceCount::new(params.followers, next_followers_metric);
        Ok(Instagram {
            niche,
            timezone,
            params,
            rng,
            plan,
            clock: start,
            creator,
            audience,
            followers,
            next_post,
            next_story,
            posts: RateWindow::default(),
            stories: RateWindow::default(),
            own_comments: RateWindow::default(),
            media: Vec::new(),
            active: Vec::new(),
            comments: Comments::default(),
            recent_dms: Inbox::default(),
            signals: ActiveSignals::default(),
            moderation: Moderation::default(),
            native: native::Memory::default(),
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
        self.native.record(&self.creator.id, &out[first..]);
        self.clock = to;
    }

    /// Nothing happens between scheduled posts while no post draws an
    /// audience, no troll wave, flood or growth is under way and nothing
    /// can arrive in the inbox (no DMs, no followers to mention the
    /// account): a sub-step then draws nothing. Otherwise every sub-step
    /// draws (DMs and mentions arrive at any time).
    fn next_due(&self, end: Millis) -> Option<Millis> {
        if !self.active.is_empty()
            || !self.comments.pending.is_empty()
            || !self.signals.trolls.is_empty()
            || !self.signals.floods.is_empty()
            || self.signals.growth.is_some()
            || self.params.dm_rate > 0.0
            || self.params.followers > 0
            || self.signals.health.pending()
        {
            return Some(end);
        }
        let next = self
            .next_post
            .min(self.next_story)
            .min(self.followers.next_audience_report);
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
            |state, message| native::health_refusal(self, state, message, request),
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
        webhook::subscribe(format, params)
    }

    fn shape_webhook(
        &self,
        format: &str,
        _params: &serde_json::Value,
        event: &Event,
    ) -> Option<WebhookDelivery> {
        webhook::shape(self, format, event)
    }
}

diorama_sdk::export_platform!(Instagram);
