//! The Facebook simulator: a creator's Page.
//!
//! The Page publishes posts (status and link posts), photos, videos and
//! reels, about `posts_per_day` a day (photos 45 %, posts 30 %, reels
//! 15 %, videos 10 %), mostly in the local afternoon. Each post draws a
//! log-normal quality; its expected lifetime reach is 5.2 % of the
//! followers (Hootsuite, Digital 2020: the average organic reach of a
//! Page post; reels 1.5× and status posts 0.8× that) times its quality.
//! People reached arrive along the SEISMIC reaction curve times the
//! audience's daily rhythm and travel as periodic metric updates per post
//! (`views`, `reactions` and one counter per reaction type,
//! `comments`, `shares`), never one event per reaction.
//!
//! Engagement: with the default `engagement_rate` (0.015 per person
//! reached, 80 % reactions, 12 % comments, 8 % shares) the median post
//! ends with engagements ≈ 0.06 % of the followers, Rival IQ's 2023
//! median for Facebook. Reactions split by type as quintly found over
//! 130,000 Page posts (2017, reported by eMarketer): likes 97 %, and of
//! the other 3 % slightly more than half love and under a third negative:
//! like 97.0 %, love 1.6 %, haha 0.5 %, wow 0.3 %, sad 0.3 %, angry
//! 0.3 %. A `controversy` shifts reactions toward angry and sad as it
//! turns comments negative.
//!
//! Comments arrive as Poisson counts per minute from the same intensity
//! times `comment_rate`, plus a self-exciting part; some are replies.
//! Messenger: fans write to the Page at `dm_rate` a day (times the daily
//! rhythm) in the 40/30/15/10/5 fan/question/collaboration/spam/criticism
//! mix; the Page answers within Meta's 24-hour standard messaging window.
//!
//! Signals: `viral` {content_id?, factor = 10, ramp = 30 min, decay =
//! 8 h}; `comment_storm` {content_id?, factor = 8 (1..=100), duration =
//! 6 h}: comments on one post multiplied; `angry_wave` {content_id?, size
//! = 2,000 (1..=1,000,000), duration = 3 h}: angry reactions pile onto
//! one post; `restriction` {duration = 3 days, depth = 0.8}: Meta
//! restricts the Page: its distribution drops by `depth` and it cannot
//! publish until the restriction lifts (a `page_restricted` notice, then
//! `page_restriction_lifted`); and the kit's `shadowban`, `troll_wave`,
//! `brand_deal_flood`, `controversy` and `growth`.
//!
//! Actions: `publish` {kind: post|photo|video|reel, message?} (25 in 24
//! hours), `reply` {comment_id, text} (200 in 24 hours), `dm_reply`
//! {dm_id, text} (within 24 hours of the fan's message; 1,000 in 24
//! hours), `hide_comment` {comment_id, hide} and `delete_comment`
//! {comment_id} on a recent comment. The Graph API for Pages is in
//! [`native`]; its webhooks, in Meta's shape, in [`webhook`].

pub mod native;
mod params;
pub mod post;
pub mod style;
pub mod webhook;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use diorama_sdk::kit::actions;
use diorama_sdk::kit::audience::AudienceCount;
use diorama_sdk::kit::funnel;
use diorama_sdk::kit::health::{self, BlockRule, Spell};
use diorama_sdk::kit::inbox::{Inbox, Senders};
use diorama_sdk::kit::moderation::{self, Moderation};
use diorama_sdk::kit::signals::{self, ActiveSignals, SignalHost};
use diorama_sdk::kit::threads::{CommentRules, Comments, Crowd};
use diorama_sdk::models::ids::push_digits;
use diorama_sdk::models::limits::RateWindow;
use diorama_sdk::models::params::{check_known, number_in};
use diorama_sdk::models::persona::{self, Audience};
use diorama_sdk::models::popularity::{self, LogNormal};
use diorama_sdk::models::rng::{fnv1a, Rng};
use diorama_sdk::models::signals::{
    growth_description, troll_wave_description, Controversy, TrollWave,
    BRAND_DEAL_FLOOD_DESCRIPTION, CONTROVERSY_DESCRIPTION,
};
use diorama_sdk::models::spike::{
    viral_description, Shadowban, Spike, ViralParams, SHADOWBAN_DESCRIPTION,
};
use diorama_sdk::models::text::{self, Niche};
use diorama_sdk::models::time::{daily_rhythm, local_hour, schedule_after, substeps, Timezone, Tz};
use diorama_sdk::models::timing::{metric_interval, Seismic, SelfExcitation};
use diorama_sdk::{
    AccountConfig, Action, ActionError, Author, Content, Event, HttpRequest, HttpResponse,
    LimitInfo, Metric, MetricRoles, Millis, NativeOutcome, Notice, Payload, Platform, PlatformInfo,
    SignalInfo, Verification, WebhookDelivery, DAY, HOUR, MINUTE,
};

pub use params::{Params, COMMENT_LIMIT, MESSAGE_LIMIT, POST_LIMIT};
use params::{REACTION_SHARE, SHARE_SHARE};
use post::{AngryWave, Kind, Post, Storm, ANGRY, METRICS};

const PLATFORM: &str = "facebook";
const ACTIONS: &[&str] = &[
    "publish",
    "reply",
    "dm_reply",
    funnel::SEND_OFFER,
    "hide_comment",
    "delete_comment",
];
/// The action block: Meta publishes no figure; a Page that comments or
/// moderates "too fast" is told "You're Temporarily Blocked" (Graph error
/// 368), most often for a day. Set at Instagram's reported 60 an hour.
pub const BLOCK: BlockRule = BlockRule {
    max: 60,
    within: HOUR,
    lasts: DAY,
    counts: health::CREATOR_ACTIONS,
    says: "Facebook: \"You're Temporarily Blocked. It looks like you were misusing this feature by going too fast.\"",
};
/// Moderation on a Page: like, hide, delete a comment, ban its author
/// (`block_author`); Pages pin posts, not comments, and follow no one.
const MODERATION: moderation::Rules = moderation::Rules {
    actions: &[
        "like_comment",
        "hide_comment",
        "delete_comment",
        "block_author",
    ],
    pins_per_post: 1,
};
/// The signals of this platform beyond the kit's.
const OWN_SIGNALS: [&str; 3] = ["comment_storm", "angry_wave", "restriction"];
const SUBSTEP: Millis = MINUTE;
/// Average lifetime reach of a Page post, per follower (Hootsuite 2020).
const POST_REACH: f64 = 0.052;
/// The share of scheduled posts of each kind, in [`Kind::ALL`] order, and
/// each kind's reach relative to the average.
const KIND_SHARE: [f64; 4] = [0.30, 0.45, 0.10, 0.15];
const KIND_REACH: [f64; 4] = [0.8, 1.0, 1.0, 1.5];
const QUALITY_SIGMA: f64 = popularity::DEFAULT_QUALITY_SIGMA;
/// Spread of the engagement ratio between posts.
const ENGAGEMENT_SIGMA: f64 = 0.25;
/// Reactions by type (quintly 2017), in [`post::REACTIONS`] order.
pub const REACTION_MIX: [f64; 6] = [0.970, 0.016, 0.005, 0.003, 0.003, 0.003];
/// What a fully negative mood does to the mix: angry and sad take this
/// share of the reactions between them (2 to 1), likes give it up.
const NEGATIVE_MOOD: [f64; 6] = [0.55, 0.01, 0.03, 0.03, 0.12, 0.26];
const FOLLOWS_PER_VIEW: f64 = 0.0008;
const CHURN_PER_DAY: f64 = 0.0002;
const EXCITATION_MEMORY: Millis = 45 * MINUTE;
/// Meta's standard messaging window: a Page answers a person within 24
/// hours of their last message.
pub const MESSAGING_WINDOW: Millis = DAY;

fn kernel() -> Seismic {
    Seismic::standard()
}

/// How comments read and thread: Facebook threads replies under a
/// comment, 20 % of ordinary comments and 60 % of excited ones replies;
/// self-excitation as on the other platforms (Mishra et al.'s κ and β).
fn rules() -> CommentRules {
    CommentRules {
        style: style::COMMENTS,
        persona: style::PERSONAS,
        reply_share: 0.2,
        excited_reply_share: 0.6,
        excitation: SelfExcitation::mishra(6.0, EXCITATION_MEMORY, 3.0),
        new_id: style::comment_id,
    }
}

/// A Meta restriction of the Page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Restriction {
    pub start: Millis,
    pub end: Millis,
    pub announced: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Facebook {
    niche: Niche,
    timezone: Timezone,
    params: Params,
    rng: Rng,
    /// The Page's plan (publishing times and posts), apart from the
    /// audience's draws.
    plan: Rng,
    clock: Millis,
    /// The Page as an author (its id is the Page id).
    creator: Author,
    #[serde(deserialize_with = "style::audience")]
    audience: Audience,
    #[serde(flatten)]
    followers: AudienceCount,
    next_post: Millis,
    posts: RateWindow,
    own_comments: RateWindow,
    own_messages: RateWindow,
    items: Vec<Post>,
    active: Vec<u32>,
    #[serde(flatten)]
    comments: Comments,
    recent_dms: Inbox<String>,
    #[serde(flatten)]
    signals: ActiveSignals,
    restrictions: Vec<Restriction>,
    /// Recent comments and banned authors.
    #[serde(default)]
    moderation: Moderation,
    /// What the Graph API reads that the simulation does not keep.
    native: native::Memory,
}

impl Facebook {
    /// Every post's id and kind, oldest first.
    pub fn post_ids(&self) -> impl Iterator<Item = (&str, &'static str)> {
        self.items.iter().map(|p| (p.id.as_str(), p.kind.as_str()))
    }

    /// The Page.
    pub fn page(&self) -> &Author {
        &self.creator
    }

    pub fn native_memory(&self) -> &native::Memory {
        &self.native
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    pub fn followers(&self) -> i64 {
        self.followers.count()
    }

    /// The post with this id.
    pub fn post(&self, id: &str) -> Option<&Post> {
        self.find(id).map(|i| &self.items[i])
    }

    /// Every post, oldest first.
    pub fn posts(&self) -> &[Post] {
        &self.items
    }

    /// The restriction in force at `t`, if any.
    pub fn restricted_at(&self, t: Millis) -> Option<&Restriction> {
        self.restrictions.iter().find(|r| r.start <= t && t < r.end)
    }

    /// Posts published in the 24 hours before `t`.
    pub fn published_in_day(&self, t: Millis) -> u32 {
        self.items
            .iter()
            .rev()
            .take_while(|p| p.published > t - DAY)
            .count() as u32
    }

    fn find(&self, id: &str) -> Option<usize> {
        self.items.iter().rposition(|p| p.id == id)
    }

    fn publish(&mut self, at: Millis, kind: Kind, message: Option<String>) -> Event {
        let rng = &mut self.plan;
        let number = style::post_number(rng);
        let mut id = String::with_capacity(34);
        id.push_str(&self.creator.id);
        id.push('_');
        push_digits(&mut id, number);
        let url = match kind {
            Kind::Reel => format!("https://www.facebook.com/reel/{number}/"),
            Kind::Video => format!("https://www.facebook.com/watch/?v={number}"),
            _ => format!(
                "https://www.facebook.com/{}/posts/{number}/",
                self.creator.handle.trim_start_matches('@')
            ),
        };
        let message = message.unwrap_or_else(|| {
            let mut trng = text::text_rng(fnv1a(id.as_bytes()));
            text::caption(&mut trng, self.niche, style::COMMENTS)
        });
        let title = message
            .split(" #")
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let k = kind as usize;
        let reach = (self.params.followers as f64 * POST_REACH * KIND_REACH[k]).max(3.0)
            * popularity::quality(rng, QUALITY_SIGMA);
        let mut p = Post::new(id.clone(), kind, at, reach);
        p.talk.gist = text::Gist::read_in(self.niche, &title, &message);
        let spread = LogNormal::with_mean(1.0, ENGAGEMENT_SIGMA).sample(rng);
        let engagement = self.params.engagement_rate * spread;
        p.reaction_ratio = (engagement * REACTION_SHARE).min(1.0);
        p.share_ratio = (engagement * SHARE_SHARE).min(1.0);
        p.comment_ratio = self.params.comment_rate;
        if kind.plays() {
            p.seconds = Some(match kind {
                Kind::Reel => 10 + rng.below(80) as u32,
                _ => 60 + rng.below(840) as u32,
            });
        }
        p.next_metric = at + 5 * MINUTE + rng.below(5 * MINUTE as u64) as Millis;
        let idx = self.items.len() as u32;
        self.items.push(p);
        self.active.push(idx);
        self.posts.record(at);
        Event {
            at,
            payload: Payload::Content(Content {
                id,
                kind: kind.as_str().into(),
                title,
                text: message,
                url,
            }),
        }
    }

    fn scheduled(&mut self, a: Millis, b: Millis, tz: Tz, out: &mut Vec<Event>) {
        while self.next_post < b {
            let at = self.next_post.max(a);
            if let Some(r) = self.restricted_at(at) {
                self.next_post = r.end;
                continue;
            }
            if let Some(wait) = self.posts.wait_day(at, POST_LIMIT) {
                self.next_post = at + wait;
                continue;
            }
            let kind = Kind::ALL[self.plan.weighted(&KIND_SHARE)];
            let event = self.publish(at, kind, None);
            out.push(event);
            self.next_post =
                schedule_after(&mut self.plan, at, self.params.posts_per_day, tz).max(at + 1);
        }
    }

    /// Restrictions starting or lifting in `[a, b)`: their notices.
    fn restriction_notices(&mut self, a: Millis, b: Millis, out: &mut Vec<Event>) {
        for r in &mut self.restrictions {
            if !r.announced && r.start < b {
                r.announced = true;
                out.push(Event {
                    at: r.start.max(a),
                    payload: Payload::Notice(Notice {
                        code: "page_restricted".into(),
                        message: format!(
                            "Meta restricted the Page for {} h: less distribution, no publishing",
                            (r.end - r.start) / HOUR
                        ),
                    }),
                });
            }
            if r.end >= a && r.end < b {
                out.push(Event {
                    at: r.end,
                    payload: Payload::Notice(Notice {
                        code: "page_restriction_lifted".into(),
                        message: "the Page's restriction was lifted".into(),
                    }),
                });
            }
        }
        self.restrictions.retain(|r| r.end >= a);
    }

    fn substep(&mut self, a: Millis, b: Millis, tz: Tz, out: &mut Vec<Event>) {
        self.restriction_notices(a, b, out);
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
        let mut senders = Senders {
            niche: self.niche,
            rng: &mut self.rng,
            audience: &mut self.audience,
            dm_rate: self.params.dm_rate,
            new_id: style::message_id,
        };
        let flood = self.signals.flood_extra(a);
        self.recent_dms
            .arrivals(&mut senders, a, b, rhythm, flood, out);
        self.recent_dms
            .step(self.niche, a, b, style::message_id, out);
        let rules = rules();
        if !self.signals.trolls.is_empty() {
            self.comments.trolls(
                &mut self.signals.trolls,
                &mut self.items,
                &mut self.active,
                &rules,
                self.niche,
                &mut self.rng,
                a,
                b,
                out,
            );
        }
        let mood = Controversy::mix_at(&self.signals.controversies, a).map(|m| m[2]);
        if !self.comments.pending.is_empty() {
            let mut crowd = Crowd {
                rules: &rules,
                niche: self.niche,
                rng: &mut self.rng,
                audience: &mut self.audience,
            };
            self.comments
                .followups(&mut self.items, a, b, &mut crowd, out);
        }
        self.signals.retire(a);
        if self.active.is_empty() {
            return;
        }
        let reach_factor = rhythm * self.signals.step_reach(a, b);
        let kernel = kernel();
        let memory = rules.excitation.memory;
        let mut dropped = false;
        let Facebook {
            niche,
            rng,
            audience,
            items,
            active,
            comments,
            followers,
            signals,
            ..
        } = self;
        for &idx in active.iter() {
            let p = &mut items[idx as usize];
            let views = p.expected_views(&kernel, a, b) * reach_factor;
            p.pending_views += views;
            followers.gain(views * FOLLOWS_PER_VIEW);
            let mut crowd = Crowd {
                rules: &rules,
                niche: *niche,
                rng,
                audience,
            };
            let expected = views * p.comment_ratio * p.storm_factor(a);
            comments.write(p, idx, expected, a, b, &mut crowd, signals, out);
            for w in &mut p.angry_waves {
                p.reactions[ANGRY] += w.due(b) as i64;
            }
            p.angry_waves.retain(|w| !w.done());
            p.storms.retain(|s| s.end > a);
            if a >= p.next_metric {
                emit_metrics(p, a, mood, rng, out);
                let busy = p.viral_excess(a) > 0.5 || p.stirred(b);
                p.next_metric = signals.next_metric(a, metric_interval(a - p.published, busy, rng));
            }
            p.spikes.retain(|x| !x.faded(b));
            let age = b - p.published;
            let quiet = !p.stirred(b)
                && p.talk.excitation.remaining(b, memory) < 0.05
                && (age >= kernel.horizon()
                    || (age > DAY && p.reach * kernel.rate(age) * HOUR as f64 * 3.0 < 0.5));
            if quiet {
                emit_metrics(p, a, mood, rng, out);
                p.active = false;
                p.talk.rest();
                dropped = true;
            }
        }
        if dropped {
            active.retain(|&i| items[i as usize].active);
        }
    }

    fn act_publish(&mut self, at: Millis, map: &Map<String, Value>) -> Result<Event, ActionError> {
        let invalid = ActionError::Invalid;
        check_known(PLATFORM, map, &["kind", "message"], "`publish` parameter").map_err(invalid)?;
        let kind = match map.get("kind") {
            None | Some(Value::Null) => Kind::Post,
            Some(Value::String(k)) => Kind::parse(k).ok_or_else(|| {
                invalid(format!(
                    "{PLATFORM}: `publish` `kind` must be post, photo, video or reel (got \"{k}\")"
                ))
            })?,
            Some(other) => {
                return Err(invalid(format!(
                    "{PLATFORM}: `publish` `kind` must be post, photo, video or reel (got {other})"
                )))
            }
        };
        let message = match map.get("message") {
            None | Some(Value::Null) => None,
            Some(Value::String(m)) if m.chars().count() <= native::MAX_MESSAGE_CHARS => {
                Some(m.clone())
            }
            Some(Value::String(_)) => {
                return Err(invalid(format!(
                    "{PLATFORM}: `publish` `message` is longer than {} characters",
                    native::MAX_MESSAGE_CHARS
                )))
            }
            Some(other) => {
                return Err(invalid(format!(
                    "{PLATFORM}: `publish` `message` must be a string (got {other})"
                )))
            }
        };
        if let Some(r) = self.restricted_at(at) {
            return Err(invalid(format!(
                "{PLATFORM}: the Page is restricted for {} more minutes and cannot publish",
                (r.end - at + MINUTE - 1) / MINUTE
            )));
        }
        if let Some(wait) = self.posts.wait_day(at, POST_LIMIT) {
            return Err(ActionError::RateLimited(wait));
        }
        Ok(self.publish(at, kind, message))
    }

    /// An offer is a message from the Page: it counts against the same
    /// daily limit as answers.
    fn act_send_offer(
        &mut self,
        at: Millis,
        map: &Map<String, Value>,
    ) -> Result<Event, ActionError> {
        if let Some(wait) = self.own_messages.wait_day(at, MESSAGE_LIMIT) {
            return Err(ActionError::RateLimited(wait));
        }
        let event = self.recent_dms.offer(
            PLATFORM,
            at,
            map,
            &mut self.rng,
            style::message_id,
            &self.creator,
        )?;
        self.own_messages.record(at);
        Ok(event)
    }

    fn act_dm_reply(&mut self, at: Millis, map: &Map<String, Value>) -> Result<Event, ActionError> {
        if let Some(Value::String(id)) = map.get("dm_id") {
            if let Some(dm) = self.native.dm(id) {
                if at - dm.at > MESSAGING_WINDOW {
                    return Err(ActionError::Invalid(format!(
                        "{PLATFORM}: the message `{id}` is more than 24 hours old: a Page answers within Meta's 24-hour messaging window"
                    )));
                }
            }
        }
        if let Some(wait) = self.own_messages.wait_day(at, MESSAGE_LIMIT) {
            return Err(ActionError::RateLimited(wait));
        }
        let event = self.recent_dms.reply(
            PLATFORM,
            at,
            map,
            &mut self.rng,
            style::message_id,
            &self.creator,
        )?;
        self.own_messages.record(at);
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
        let post = self.native.comment(&id).and_then(|c| c.media.clone());
        let before = self.native.comments.len();
        self.native.forget_comment(&id);
        let gone = (before - self.native.comments.len()) as i64;
        if let Some(p) = post.and_then(|p| self.find(&p)).map(|i| &mut self.items[i]) {
            p.talk.comments = (p.talk.comments - gone).max(0);
            if let Ok(n) = id.parse::<u64>() {
                p.talk.threads.retain(|t| t.id != n);
            }
        }
        if let Payload::Notice(n) = &mut event.payload {
            n.message = format!("comment {id} deleted with {} replies", (gone - 1).max(0));
        }
        Ok(event)
    }

    /// `comment_storm`, `angry_wave` and `restriction`.
    fn own_signal(&mut self, at: Millis, name: &str, params: &Value) -> Result<(), String> {
        let empty = Map::new();
        let map = match params {
            Value::Object(m) => m,
            Value::Null => &empty,
            _ => {
                return Err(format!(
                    "{PLATFORM}: `{name}` parameters must be a JSON object"
                ))
            }
        };
        let what = format!("`{name}` parameter");
        let target = |fb: &Facebook| -> Result<usize, String> {
            let id = match map.get("content_id") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.as_str()),
                Some(other) => {
                    return Err(format!(
                        "{PLATFORM}: `{name}` `content_id` must be a string (got {other})"
                    ))
                }
            };
            fb.signal_target(name, id)
        };
        match name {
            "comment_storm" => {
                check_known(PLATFORM, map, &["content_id", "factor", "duration"], &what)?;
                let factor = number_in(PLATFORM, map, "factor", 1.0, 100.0, 8.0, "")?;
                let duration = number_in(
                    PLATFORM,
                    map,
                    "duration",
                    1.0,
                    30.0 * DAY as f64,
                    6.0 * HOUR as f64,
                    "ms",
                )? as Millis;
                let idx = target(self)?;
                self.wake(idx, at);
                self.items[idx].storms.push(Storm {
                    start: at,
                    end: at + duration,
                    factor,
                });
            }
            "angry_wave" => {
                check_known(PLATFORM, map, &["content_id", "size", "duration"], &what)?;
                let size = number_in(PLATFORM, map, "size", 1.0, 1e6, 2_000.0, "reactions")?;
                if size.fract() != 0.0 {
                    return Err(format!(
                        "{PLATFORM}: `size` must be a whole number (got {size})"
                    ));
                }
                let duration = number_in(
                    PLATFORM,
                    map,
                    "duration",
                    1.0,
                    30.0 * DAY as f64,
                    3.0 * HOUR as f64,
                    "ms",
                )? as Millis;
                let idx = target(self)?;
                self.wake(idx, at);
                self.items[idx].angry_waves.push(AngryWave {
                    start: at,
                    duration,
                    size: size as u64,
                    given: 0,
                });
            }
            _ => {
                check_known(PLATFORM, map, &["duration", "depth"], &what)?;
                let duration = number_in(
                    PLATFORM,
                    map,
                    "duration",
                    MINUTE as f64,
                    90.0 * DAY as f64,
                    3.0 * DAY as f64,
                    "ms",
                )? as Millis;
                let depth = number_in(PLATFORM, map, "depth", 0.0, 1.0, 0.8, "")?;
                self.signals.shadowbans.push(Shadowban {
                    start: at,
                    end: at + duration,
                    factor: 1.0 - depth,
                    recovery: 0,
                });
                self.restrictions.push(Restriction {
                    start: at,
                    end: at + duration,
                    announced: false,
                });
                // The health state `restricted`; the reach is cut above.
                self.signals.health.add(Spell {
                    state: health::State::Restricted,
                    start: at,
                    end: at + duration,
                    reach: 1.0,
                    why: "Meta restricted the Page: less distribution, no publishing".into(),
                });
            }
        }
        Ok(())
    }

    fn wake(&mut self, idx: usize, at: Millis) {
        let p = &mut self.items[idx];
        p.next_metric = p.next_metric.min(at + 5 * MINUTE);
        if !p.active {
            p.active = true;
            self.active.push(idx as u32);
        }
    }
}

/// Draw the people reached, reactions and shares since the last update
/// and emit the counters that changed. `mood`: the negative share of
/// comments a controversy sets, if one is under way.
fn emit_metrics(p: &mut Post, at: Millis, mood: Option<f64>, rng: &mut Rng, out: &mut Vec<Event>) {
    let views = rng.poisson(p.pending_views) as i64;
    p.pending_views = 0.0;
    p.views += views;
    let reactions = views as f64 * p.reaction_ratio;
    // The usual 10 % of negative comments leaves the mix as it is; a
    // controversy moves it toward the negative mood in proportion.
    let turn = mood.map_or(0.0, |m| ((m - 0.1) / 0.9).clamp(0.0, 1.0));
    for (i, share) in REACTION_MIX.iter().enumerate() {
        let share = share * (1.0 - turn) + NEGATIVE_MOOD[i] * turn;
        p.reactions[i] += rng.poisson(reactions * share) as i64;
    }
    p.shares += rng.poisson(views as f64 * p.share_ratio) as i64;
    let totals = p.totals();
    for (i, name) in METRICS.iter().enumerate() {
        let delta = totals[i] - p.reported[i];
        if delta != 0 {
            out.push(Event {
                at,
                payload: Payload::Metric(Metric {
                    content_id: Some(p.id.clone()),
                    name: (*name).into(),
                    total: totals[i],
                    delta,
                }),
            });
            p.reported[i] = totals[i];
        }
    }
}

impl SignalHost for Facebook {
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
        match content_id {
            Some(id) => self
                .find(id)
                .ok_or_else(|| format!("{PLATFORM}: no post with id `{id}` for `{signal}`")),
            None => self.items.len().checked_sub(1).ok_or_else(|| {
                format!(
                    "{PLATFORM}: the Page has published nothing yet, so `{signal}` has no target"
                )
            }),
        }
    }

    fn start_viral(&mut self, at: Millis, idx: usize, p: &ViralParams) {
        let typical = self.params.followers as f64 * POST_REACH;
        let reach = self.items[idx].reach.max(typical);
        self.items[idx].spikes.push(Spike::new(at, p, reach));
        self.wake(idx, at);
    }

    fn start_troll_wave(&mut self, at: Millis, idx: usize, _wave: &TrollWave) {
        self.wake(idx, at);
    }

    fn start_growth(&mut self, at: Millis) {
        self.followers.report_soon(at);
    }
}

fn signal_info(name: &str, description: String, on_content: bool) -> SignalInfo {
    SignalInfo {
        name: name.into(),
        description,
        on_content,
    }
}

impl Facebook {
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
                &mut self.items,
                &mut self.active,
            ),
            "dm_reply" => self.act_dm_reply(at, &map),
            funnel::SEND_OFFER => self.act_send_offer(at, &map),
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

impl Platform for Facebook {
    fn describe() -> PlatformInfo {
        let limit = |action: &str, max| LimitInfo {
            action: action.into(),
            max,
            per: DAY,
        };
        let mut metrics: Vec<String> = METRICS.iter().map(|m| m.to_string()).collect();
        metrics.push("followers".into());
        PlatformInfo {
            name: PLATFORM.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            content_kinds: Kind::ALL.iter().map(|k| k.as_str().into()).collect(),
            interaction_kinds: ["comment", "reply", "dm"]
                .into_iter()
                .chain(funnel::FUNNEL_KINDS)
                .map(String::from)
                .collect(),
            metrics,
            signals: vec![
                signal_info("viral", viral_description("post"), true),
                signal_info(
                    "comment_storm",
                    "comments on one post multiplied: {content_id?: the latest post, factor: 8 (1 to 100), duration: ms (6 h)}".into(),
                    true,
                ),
                signal_info(
                    "angry_wave",
                    "angry reactions pile onto one post: {content_id?: the latest post, size: 2000 (1 to 1,000,000), duration: ms (3 h)}".into(),
                    true,
                ),
                signal_info(
                    "restriction",
                    "Meta restricts the Page: {duration: ms (3 days), depth: 0.8 (share of distribution lost)}; it cannot publish until the restriction lifts".into(),
                    false,
                ),
                signal_info("shadowban", SHADOWBAN_DESCRIPTION.into(), false),
                signal_info("health", health::DESCRIPTION.into(), false),
                signal_info("troll_wave", troll_wave_description("post"), false),
                signal_info("brand_deal_flood", BRAND_DEAL_FLOOD_DESCRIPTION.into(), false),
                signal_info("controversy", CONTROVERSY_DESCRIPTION.into(), false),
                signal_info("growth", growth_description("followers"), false),
            ],
            actions: ACTIONS
                .iter()
                .chain(MODERATION.actions.iter().filter(|a| !ACTIONS.contains(a)))
                .map(|a| a.to_string())
                .collect(),
            limits: vec![
                limit("publish", POST_LIMIT),
                limit("reply", COMMENT_LIMIT),
                limit("dm_reply", MESSAGE_LIMIT),
                limit(funnel::SEND_OFFER, MESSAGE_LIMIT),
            ],
            params: diorama_sdk::models::params::infos(params::PARAMS),
            metric_roles: MetricRoles {
                views: Some("views".into()),
                likes: Some("reactions".into()),
                comments: Some("comments".into()),
            },
            // Joins a profile only when named, so the profiles scenarios
            // already make stay as they were.
            automatic_share: None,
            // graph.facebook.com is Instagram's too (its Graph API with
            // Facebook Login): the host asks each of a profile's platforms
            // on it and takes the answer that is not an error.
            api_hosts: vec!["graph.facebook.com".into()],
            webhook_formats: vec![webhook::format()],
        }
    }

    fn init(config: &AccountConfig) -> Result<Self, String> {
        let params = Params::parse(&config.params)?;
        let niche = Niche::parse(&config.niche).map_err(|e| format!("{PLATFORM}: {e}"))?;
        let timezone = Timezone::parse(&config.timezone).map_err(|e| format!("{PLATFORM}: {e}"))?;
        let mut rng = Rng::new(config.seed, &format!("facebook/{}", config.profile));
        let mut plan = Rng::new(config.seed, &format!("facebook/{}/plan", config.profile));
        let audience = Audience::for_followers(rng.next_u64(), style::PERSONAS, params.followers)
            .in_timezone(timezone.clone());
        let mut creator =
            persona::author_with_followers(&mut rng, style::PERSONAS, params.followers);
        creator.id = style::page_id(&mut rng);
        creator.verified = params.followers >= 100_000;
        let start = config.start;
        let next_post = if params.posts_per_day > 0.0 {
            start + 20 * MINUTE + plan.below(160 * MINUTE as u64) as Millis
        } else {
            Millis::MAX
        };
        let followers =
            AudienceCount::new(params.followers, start + rng.below(HOUR as u64) as Millis);
        Ok(Facebook {
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
            posts: RateWindow::default(),
            own_comments: RateWindow::default(),
            own_messages: RateWindow::default(),
            items: Vec::new(),
            active: Vec::new(),
            comments: Comments::default(),
            recent_dms: Inbox::default(),
            signals: ActiveSignals::default(),
            moderation: Moderation::default(),
            restrictions: Vec::new(),
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

    /// Every sub-step draws while posts draw an audience or anything can
    /// arrive (messages, followers); an empty Page sleeps to its next post.
    fn next_due(&self, end: Millis) -> Option<Millis> {
        if !self.active.is_empty()
            || !self.comments.pending.is_empty()
            || !self.signals.trolls.is_empty()
            || !self.signals.floods.is_empty()
            || self.signals.growth.is_some()
            || !self.restrictions.is_empty()
            || self.signals.health.pending()
            || self.params.dm_rate > 0.0
            || self.params.followers > 0
        {
            return Some(end);
        }
        // The fans' answers to DMs and the funnel's decisions and renewals.
        let next = self.next_post.min(self.followers.next_audience_report);
        let next = self.recent_dms.next_due().map_or(next, |d| next.min(d));
        Some(next.max(end))
    }

    fn signal(&mut self, at: Millis, name: &str, params: &Value) -> Result<(), String> {
        if OWN_SIGNALS.contains(&name) {
            return self.own_signal(at, name, params);
        }
        if !signals::ALL.contains(&name) && name != signals::PAST {
            let mut known: Vec<&str> = vec!["viral"];
            known.extend(OWN_SIGNALS);
            known.extend(signals::ALL.iter().skip(1));
            return Err(format!(
                "{PLATFORM} does not understand the signal `{name}` (known: {})",
                known.join(", ")
            ));
        }
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
            |state, message| native::health_refusal(self, at, state, message, request),
        )
    }

    fn finish_request(
        &self,
        at: Millis,
        context: &str,
        outcome: Result<&[Event], &ActionError>,
    ) -> HttpResponse {
        native::finish(self, at, context, outcome)
    }

    fn webhook_subscribe(
        &self,
        format: &str,
        params: &Value,
    ) -> Result<Option<Verification>, String> {
        webhook::subscribe(format, params)
    }

    fn shape_webhook(
        &self,
        format: &str,
        _params: &Value,
        event: &Event,
    ) -> Option<WebhookDelivery> {
        webhook::shape(self, format, event)
    }
}

diorama_sdk::export_platform!(Facebook);
