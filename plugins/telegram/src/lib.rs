//! The Telegram simulator: a creator's channel, its linked discussion group
//! and the creator's bot.
//!
//! The channel publishes posts (about `posts_per_day`, mostly in the local
//! afternoon), each with the channel's next message id. Each post draws a
//! log-normal quality, so a few posts get most of the views; its expected
//! lifetime views are `avg_views` (by default 0.4 per subscriber, so the
//! median post is seen by about a fifth of them, the view ratio channel
//! analytics report) times its quality. Views arrive
//! along the SEISMIC reaction curve (cut at two weeks: a channel post's
//! counter keeps rising for days as subscribers scroll back) times the
//! audience's daily rhythm, and travel as periodic `views`, `reactions`,
//! `forwards` and `comments` metric updates per post. Comments in the
//! linked discussion group arrive from the same intensity times
//! `comment_rate`, plus a self-exciting part; a third of them reply to an
//! earlier one (a group is a chat). Fans write to the creator's bot at
//! `dm_rate` a day in the 40/30/15/10/5 fan/question/collaboration/spam/
//! criticism mix. Subscribers join with the views (forwards bring
//! newcomers) and leave at a small daily churn; the count is reported a few
//! times a day.
//!
//! With the defaults (`reaction_rate` 0.03, `forward_rate` 0.004,
//! `comment_rate` 0.0015) the median post ends with reactions + forwards +
//! comments ≈ 0.7 % of the subscribers, inside the 0.5–3 % that Telagon's
//! glossary (telagon.io/glossary/er) calls average for a channel's ER.
//!
//! `comment_volume` and `dm_frequency` scale the default rates as on the
//! other platforms; an explicit rate wins.
//!
//! Signals: the kit's `viral` {content_id?, factor = 10, ramp, decay} — on
//! Telegram a forwards storm: a channel has no feed to push a post, its
//! extra views come through forwards into other chats (Dargahi Nobari et
//! al., "Characteristics of Viral Messages on Telegram", 2020, spot a viral
//! message by its view counter standing far above its neighbours'), so the
//! post's forwards per view triple while it lasts — `shadowban`,
//! `troll_wave`, `brand_deal_flood`, `controversy`, `growth`; and
//! Telegram's own: `spam_raid` {content_id?, size = 200, duration = 1 h}:
//! spam messages from fresh accounts flood the post's discussion;
//! `subscriber_surge` {subscribers = 10 % of the count, duration = 6 h}:
//! that many new subscribers join (a mention in a bigger channel);
//! `mass_leave` {share = 0.1, duration = 6 h}: that share of the
//! subscribers leaves.
//!
//! Actions, with the Bot API's limits (its FAQ: about 30 messages a second
//! overall, 20 a minute to one group, one a second to one chat):
//! `publish` {kind?: "post", text?} (20 a minute to the channel), `reply`
//! {comment_id, text} (20 a minute to the discussion group), `dm_reply`
//! {dm_id, text} (one a second to one chat, 30 a second overall), `react`
//! {message_id, emoji}, `delete` {message_id}, `edit` {message_id, text}.

pub mod native;
mod params;
pub mod post;
pub mod style;
pub mod webhook;

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use diorama_sdk::kit::actions::{self, creator_event, Answer};
use diorama_sdk::kit::audience::AudienceCount;
use diorama_sdk::kit::funnel;
use diorama_sdk::kit::health;
use diorama_sdk::kit::inbox::{Inbox, Senders};
use diorama_sdk::kit::moderation::{self, Moderation};
use diorama_sdk::kit::signals::{self, ActiveSignals, SignalHost};
use diorama_sdk::kit::threads::{CommentRules, Comments, Crowd, Post};
use diorama_sdk::models::limits::RateWindow;
use diorama_sdk::models::params::check_known;
use diorama_sdk::models::persona::{self, Audience};
use diorama_sdk::models::popularity::{self, LogNormal};
use diorama_sdk::models::rng::{fnv1a, Rng};
use diorama_sdk::models::signals::{
    growth_description, troll_author, troll_wave_description, Growth, TrollWave,
    BRAND_DEAL_FLOOD_DESCRIPTION, CONTROVERSY_DESCRIPTION,
};
use diorama_sdk::models::spike::{viral_description, Spike, ViralParams, SHADOWBAN_DESCRIPTION};
use diorama_sdk::models::text::{self, DmType, Niche, Voice};
use diorama_sdk::models::time::{daily_rhythm, local_hour, schedule_after, substeps, Timezone, Tz};
use diorama_sdk::models::timing::{metric_interval, Seismic, SelfExcitation};
use diorama_sdk::{
    AccountConfig, Action, ActionError, Author, Content, Event, HttpRequest, HttpResponse,
    Interaction, LimitInfo, Metric, MetricRoles, Millis, NativeOutcome, Payload, Platform,
    PlatformInfo, SignalInfo, Verification, WebhookDelivery, DAY, HOUR, MINUTE, SECOND,
};

pub use params::{Params, CHAT_PER_SECOND, GROUP_PER_MINUTE, OVERALL_PER_SECOND};
use post::{ChannelPost, METRICS};

pub const PLATFORM: &str = "telegram";
/// The simulator advances in sub-steps of at most this length, aligned to
/// whole minutes, whatever window the host steps.
const SUBSTEP: Millis = MINUTE;
/// Spread of post quality (log-normal σ).
const QUALITY_SIGMA: f64 = popularity::DEFAULT_QUALITY_SIGMA;
/// Spread of the reaction and forward ratios between posts.
const RATIO_SIGMA: f64 = 0.25;
/// New subscribers per view: forwards carry a post into chats where
/// newcomers see it.
const JOINS_PER_VIEW: f64 = 0.0012;
/// Share of subscribers lost per day.
const CHURN_PER_DAY: f64 = 0.0008;
/// Forwards per view during a viral spike, as a multiple of the usual.
const STORM_FORWARDS: f64 = 3.0;
/// Memory of the self-excitation.
const EXCITATION_MEMORY: Millis = HOUR;

/// Every signal this platform takes, in the order errors list them.
pub const SIGNALS: [&str; 10] = [
    "viral",
    "shadowban",
    "health",
    "troll_wave",
    "brand_deal_flood",
    "controversy",
    "growth",
    "spam_raid",
    "subscriber_surge",
    "mass_leave",
];
/// Every action, in the order errors list them (the kit's moderation adds
/// [`MODERATION`]'s).
pub const ACTIONS: [&str; 7] = [
    "publish",
    "reply",
    "dm_reply",
    funnel::SEND_OFFER,
    "react",
    "edit",
    "delete",
];
/// Moderation in the discussion group, as its admin bot: delete a
/// message (`deleteMessage`), pin one (`pinChatMessage`, one at a time),
/// ban its author (`banChatMember`) or restrict them
/// (`restrictChatMember`: they can no longer write).
pub const MODERATION: moderation::Rules = moderation::Rules {
    actions: &[
        "delete_comment",
        "pin_comment",
        "block_author",
        "restrict_author",
    ],
    pins_per_post: 1,
};

/// The reaction-delay kernel: SEISMIC, cut at two weeks (subscribers
/// scroll back through the channel for days).
fn kernel() -> Seismic {
    Seismic::standard().with_horizon(14 * DAY)
}

/// How the discussion group reads and threads: a chat, so a third of
/// ordinary comments and 70 % of excited ones reply to an earlier one.
fn rules() -> CommentRules {
    CommentRules {
        style: style::COMMENTS,
        persona: style::PERSONAS,
        reply_share: 0.33,
        excited_reply_share: 0.7,
        excitation: SelfExcitation::mishra(6.0, EXCITATION_MEMORY, 3.0),
        new_id: style::message_id,
    }
}

/// A `spam_raid` under way: spam messages on one post's discussion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpamRaid {
    pub post: u32,
    pub wave: TrollWave,
}

/// A fan's press on an inline button under the bot's message, due at `at`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Press {
    pub at: Millis,
    pub fan: Author,
    /// The bot's message.
    pub message: String,
    /// The button's callback data, or the reaction's emoji.
    pub data: String,
    /// A reaction to the bot's message rather than a button's press.
    #[serde(default)]
    pub reaction: bool,
}

/// The most presses waiting at once.
const MAX_PRESSES: usize = 256;
/// The share of fans who react to the bot's answer, and with what: mostly
/// a thumbs up or a heart.
const REACT_SHARE: f64 = 0.25;
const FAN_REACTIONS: [&str; 4] = ["👍", "❤", "🙏", "🔥"];
/// The share of fans who press one of the buttons under the bot's answer.
const PRESS_SHARE: f64 = 0.6;

/// A `mass_leave` under way: `total` subscribers leave evenly over
/// `[start, end)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MassLeave {
    pub start: Millis,
    pub end: Millis,
    pub total: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Telegram {
    niche: Niche,
    timezone: Timezone,
    params: Params,
    /// Draws for the audience: comments, DMs, authors, metric noise.
    rng: Rng,
    /// Draws for the channel's plan: publishing times and the posts.
    plan: Rng,
    clock: Millis,
    /// The channel (its id is the channel's chat id without `-100`).
    creator: Author,
    /// The creator's bot.
    bot: Author,
    #[serde(deserialize_with = "style::audience")]
    audience: Audience,
    #[serde(flatten)]
    subscribers: AudienceCount,
    next_post: Millis,
    /// The channel's next message id.
    next_message: u64,
    /// Messages the bot sent to the channel and to the group in the last
    /// minute, and to any chat in the last second, with their chats.
    channel_sends: RateWindow,
    group_sends: RateWindow,
    recent_sends: VecDeque<(Millis, String)>,
    posts: Vec<ChannelPost>,
    active: Vec<u32>,
    #[serde(flatten)]
    comments: Comments,
    recent_dms: Inbox<u64>,
    #[serde(flatten)]
    signals: ActiveSignals,
    /// Recent discussion messages, banned and restricted members, pins.
    #[serde(default)]
    moderation: Moderation,
    #[serde(default)]
    raids: Vec<SpamRaid>,
    #[serde(default)]
    leaves: Vec<MassLeave>,
    /// Fans' presses on the bot's inline buttons, soonest first.
    #[serde(default)]
    presses: VecDeque<Press>,
    /// What the Bot API serves: recent messages and updates.
    #[serde(default)]
    memory: native::Memory,
}

impl Telegram {
    /// The channel's posts, in publishing order.
    pub fn posts(&self) -> &[ChannelPost] {
        &self.posts
    }

    /// The channel as an author.
    pub fn creator(&self) -> &Author {
        &self.creator
    }

    /// The creator's bot.
    pub fn bot(&self) -> &Author {
        &self.bot
    }

    /// The subscribers as last reported.
    pub fn subscribers_reported(&self) -> i64 {
        self.subscribers.audience_reported
    }

    /// What the Bot API serves.
    pub fn memory(&self) -> &native::Memory {
        &self.memory
    }

    /// How many posts still draw an audience.
    pub fn active_posts(&self) -> usize {
        self.active.len()
    }

    /// Create a post published at `at` and its content event.
    fn publish(&mut self, at: Millis, body: Option<String>) -> Event {
        let id = self.next_message.to_string();
        self.next_message += 1;
        let body = body.unwrap_or_else(|| {
            let mut trng = text::text_rng(fnv1a(format!("{}/{id}", self.creator.id).as_bytes()));
            text::caption(&mut trng, self.niche, style::COMMENTS)
        });
        let title = body.lines().next().unwrap_or_default().trim().to_string();
        let rng = &mut self.plan;
        let reach = self.params.avg_views * popularity::quality(rng, QUALITY_SIGMA);
        let mut p = ChannelPost::new(id.clone(), body.clone(), at, reach);
        p.talk.gist = text::Gist::read_in(self.niche, &title, &body);
        let spread = LogNormal::with_mean(1.0, RATIO_SIGMA);
        p.reaction_ratio = (self.params.reaction_rate * spread.sample(rng)).min(1.0);
        p.forward_ratio = (self.params.forward_rate * spread.sample(rng)).min(1.0);
        p.next_metric = at + 2 * MINUTE + rng.below(3 * MINUTE as u64) as Millis;
        let idx = self.posts.len() as u32;
        self.posts.push(p);
        self.active.push(idx);
        let handle = self.creator.handle.trim_start_matches('@');
        Event {
            at,
            payload: Payload::Content(Content {
                id: id.clone(),
                kind: "post".into(),
                title,
                text: body,
                url: format!("https://t.me/{handle}/{id}"),
            }),
        }
    }

    /// Advance over one sub-step `[a, b)` (b − a ≤ a minute).
    fn substep(&mut self, a: Millis, b: Millis, tz: Tz, out: &mut Vec<Event>) {
        while self.next_post < b {
            let at = self.next_post.max(a);
            let event = self.publish(at, None);
            self.channel_sends.record(at);
            out.push(event);
            self.next_post =
                schedule_after(&mut self.plan, at, self.params.posts_per_day, tz).max(at + 1);
        }
        for leave in &self.leaves {
            let lo = a.max(leave.start);
            let hi = b.min(leave.end);
            if hi > lo {
                self.subscribers.audience_loss +=
                    leave.total * (hi - lo) as f64 / (leave.end - leave.start).max(1) as f64;
            }
        }
        // While subscribers leave, the count is reported every half hour
        // or so, and once more when they stop.
        if !self.leaves.is_empty() {
            self.subscribers.report_soon(a);
        }
        self.leaves.retain(|l| l.end > b);
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
        let rhythm = daily_rhythm(local_hour(a + (b - a) / 2, tz));
        let rules = rules();
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
        if !self.signals.trolls.is_empty() {
            self.comments.trolls(
                &mut self.signals.trolls,
                &mut self.posts,
                &mut self.active,
                &rules,
                self.niche,
                &mut self.rng,
                a,
                b,
                out,
            );
        }
        if !self.raids.is_empty() {
            self.spam(a, b, out);
        }
        while self.presses.front().is_some_and(|p| p.at < b) {
            let Some(press) = self.presses.pop_front() else {
                break;
            };
            let id = diorama_sdk::models::ids::numeric_id19(&mut self.rng, 4);
            out.push(Event {
                at: press.at.max(a),
                payload: Payload::Interaction(Interaction {
                    id: id.to_string(),
                    kind: if press.reaction { "reaction" } else { "button" }.into(),
                    content_id: None,
                    parent_id: Some(press.message),
                    author: press.fan,
                    text: press.data,
                    sentiment: None,
                    dm_type: None,
                }),
            });
        }
        if !self.comments.pending.is_empty() {
            let mut crowd = Crowd {
                rules: &rules,
                niche: self.niche,
                rng: &mut self.rng,
                audience: &mut self.audience,
            };
            self.comments
                .followups(&mut self.posts, a, b, &mut crowd, out);
        }
        self.signals.retire(a);
        if self.active.is_empty() {
            return;
        }
        let reach_factor = rhythm * self.signals.step_reach(a, b);
        let kernel = kernel();
        let memory = rules.excitation.memory;
        let mut dropped = false;
        let Telegram {
            niche,
            params,
            rng,
            audience,
            posts,
            active,
            comments,
            subscribers,
            signals,
            ..
        } = self;
        for &idx in active.iter() {
            let p = &mut posts[idx as usize];
            let (base, extra) = p.expected_views(&kernel, a, b);
            let views = (base + extra) * reach_factor;
            p.pending_views += views;
            p.pending_storm += extra * reach_factor;
            subscribers.gain(views * JOINS_PER_VIEW);
            let mut crowd = Crowd {
                rules: &rules,
                niche: *niche,
                rng,
                audience,
            };
            let expected = views * params.comment_rate;
            comments.write(p, idx, expected, a, b, &mut crowd, signals, out);
            if a >= p.next_metric {
                emit_metrics(p, a, rng, out);
                p.next_metric = signals.next_metric(
                    a,
                    metric_interval(a - p.published, p.viral_excess(a) > 0.5, rng),
                );
            }
            p.spikes.retain(|x| !x.faded(b));
            let age = b - p.published;
            let quiet = p.spikes.is_empty()
                && p.talk.excitation.remaining(b, memory) < 0.05
                && (age >= kernel.horizon()
                    || (age > 2 * DAY && p.reach * kernel.rate(age) * HOUR as f64 * 3.0 < 0.5));
            if quiet || p.deleted {
                emit_metrics(p, a, rng, out);
                p.active = false;
                p.talk.rest();
                dropped = true;
            }
        }
        if dropped {
            active.retain(|&i| posts[i as usize].active);
        }
    }

    /// The spam raids' messages in `[a, b)`: spam from fresh accounts in
    /// the discussion of their post.
    fn spam(&mut self, a: Millis, b: Millis, out: &mut Vec<Event>) {
        for raid in &mut self.raids {
            let n = raid.wave.due(b);
            let Some(p) = self.posts.get_mut(raid.post as usize) else {
                continue;
            };
            if n > 0 && p.wake() {
                self.active.push(raid.post);
            }
            for _ in 0..n {
                let at = raid.wave.time_in(&mut self.rng, a, b);
                let author = troll_author(&mut self.rng, style::PERSONAS);
                let id = style::message_id(&mut self.rng);
                let mut trng = text::text_rng(id);
                let body = text::dm(&mut trng, self.niche, DmType::Spam, &Voice::of(&author.id));
                p.talk.comments += 1;
                out.push(Event {
                    at,
                    payload: Payload::Interaction(Interaction {
                        id: id.to_string(),
                        kind: "comment".into(),
                        content_id: Some(p.id.clone()),
                        parent_id: None,
                        author,
                        text: body,
                        sentiment: Some(DmType::Spam.sentiment().as_str().into()),
                        dm_type: None,
                    }),
                });
            }
        }
        self.raids.retain(|r| !r.wave.done());
    }

    /// The wait before the bot may send to `chat` at `at`: one message a
    /// second to one chat, 30 a second overall.
    fn bot_send_wait(&mut self, at: Millis, chat: &str) -> Option<Millis> {
        while self
            .recent_sends
            .front()
            .is_some_and(|(t, _)| *t + SECOND <= at)
        {
            self.recent_sends.pop_front();
        }
        if self.recent_sends.len() >= OVERALL_PER_SECOND as usize {
            return self.recent_sends.front().map(|(t, _)| t + SECOND - at);
        }
        let same: Vec<Millis> = self
            .recent_sends
            .iter()
            .filter(|(_, c)| c == chat)
            .map(|(t, _)| *t)
            .collect();
        if same.len() >= CHAT_PER_SECOND as usize {
            return same.first().map(|t| t + SECOND - at);
        }
        None
    }

    fn record_send(&mut self, at: Millis, chat: &str) {
        self.recent_sends.push_back((at, chat.to_string()));
    }

    fn act_publish(&mut self, at: Millis, map: &Map<String, Value>) -> Result<Event, ActionError> {
        let invalid = ActionError::Invalid;
        check_known(PLATFORM, map, &["kind", "text"], "`publish` parameter").map_err(invalid)?;
        match map.get("kind") {
            None | Some(Value::Null) => {}
            Some(Value::String(k)) if k == "post" => {}
            Some(other) => {
                return Err(invalid(format!(
                    "{PLATFORM}: `publish` `kind` must be \"post\" (got {other})"
                )))
            }
        }
        let body = match map.get("text") {
            None | Some(Value::Null) => None,
            Some(Value::String(c)) if !c.trim().is_empty() && c.chars().count() <= 4096 => {
                Some(c.clone())
            }
            Some(other) => {
                return Err(invalid(format!(
                    "{PLATFORM}: `publish` `text` must be a string of 1 to 4096 characters (got {other})"
                )))
            }
        };
        if let Some(wait) = self.channel_sends.wait(at, GROUP_PER_MINUTE, MINUTE) {
            return Err(ActionError::RateLimited(wait));
        }
        let chat = format!("-100{}", self.creator.id);
        if let Some(wait) = self.bot_send_wait(at, &chat) {
            return Err(ActionError::RateLimited(wait));
        }
        self.channel_sends.record(at);
        self.record_send(at, &chat);
        Ok(self.publish(at, body))
    }

    fn act_reply(&mut self, at: Millis, map: &Map<String, Value>) -> Result<Event, ActionError> {
        let chat = native::GROUP.to_string();
        // What is asked is checked before the limits, as the kit does.
        let answer = Answer::parse(PLATFORM, "reply", "comment_id", map)?;
        let known = answer
            .to
            .parse::<u64>()
            .ok()
            .and_then(|id| self.comments.recent.post_of(&id))
            .is_some();
        if !known {
            return Err(ActionError::NotFound(format!(
                "{PLATFORM}: no recent comment `{}`",
                answer.to
            )));
        }
        if let Some(wait) = self.group_sends.wait(at, GROUP_PER_MINUTE, MINUTE) {
            return Err(ActionError::RateLimited(wait));
        }
        if let Some(wait) = self.bot_send_wait(at, &chat) {
            return Err(ActionError::RateLimited(wait));
        }
        // The kit counts the replies (a day at most, which the minute's
        // limit above keeps far below `u32::MAX`).
        let event = self.comments.creator_reply(
            PLATFORM,
            at,
            map,
            &mut self.group_sends,
            u32::MAX,
            &rules(),
            &mut self.rng,
            &self.bot,
            &mut self.posts,
            &mut self.active,
        )?;
        self.record_send(at, &chat);
        Ok(event)
    }

    /// The bot's offer into a fan's chat, under the same send limits as
    /// its answers.
    fn act_send_offer(
        &mut self,
        at: Millis,
        map: &Map<String, Value>,
    ) -> Result<Event, ActionError> {
        let chat = map
            .get("dm_id")
            .and_then(Value::as_str)
            .and_then(|id| self.memory.chat_of(id))
            .unwrap_or_default();
        if let Some(wait) = self.bot_send_wait(at, &chat) {
            return Err(ActionError::RateLimited(wait));
        }
        let event = self.recent_dms.offer(
            PLATFORM,
            at,
            map,
            &mut self.rng,
            style::message_id,
            &self.bot,
        )?;
        self.record_send(at, &chat);
        Ok(event)
    }

    fn act_dm_reply(&mut self, at: Millis, map: &Map<String, Value>) -> Result<Event, ActionError> {
        let chat = map
            .get("dm_id")
            .and_then(Value::as_str)
            .and_then(|id| self.memory.chat_of(id))
            .unwrap_or_default();
        if let Some(wait) = self.bot_send_wait(at, &chat) {
            return Err(ActionError::RateLimited(wait));
        }
        // Inline buttons under the answer (`buttons`: their callback
        // data) are the bot's, not the kit's.
        let mut map = map.clone();
        let buttons: Vec<String> = match map.remove("buttons") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) if list.len() <= 100 && list.iter().all(|b| b.as_str().is_some_and(|s| !s.is_empty() && s.len() <= 64)) => {
                list.iter().filter_map(|b| b.as_str().map(str::to_string)).collect()
            }
            Some(other) => {
                return Err(ActionError::Invalid(format!(
                    "{PLATFORM}: `dm_reply` `buttons` must be a list of up to 100 callback data strings of 1 to 64 bytes (got {other})"
                )))
            }
        };
        let event = self.recent_dms.reply(
            PLATFORM,
            at,
            &map,
            &mut self.rng,
            style::message_id,
            &self.bot,
        )?;
        self.record_send(at, &chat);
        let fan = map
            .get("dm_id")
            .and_then(Value::as_str)
            .and_then(|id| self.memory.find(id, |_| true))
            .and_then(|s| s.author.clone());
        if let Some(fan) = &fan {
            if self.rng.chance(REACT_SHARE) && self.presses.len() < MAX_PRESSES {
                // A reaction comes a minute or so after the answer.
                let delay =
                    (self.rng.lognormal(4.0, 1.0) * SECOND as f64).clamp(2_000.0, 3_600_000.0);
                let emoji = FAN_REACTIONS[self.rng.below(FAN_REACTIONS.len() as u64) as usize];
                if let Payload::Interaction(i) = &event.payload {
                    let press = Press {
                        at: at + delay as Millis,
                        fan: fan.clone(),
                        message: i.id.clone(),
                        data: emoji.to_string(),
                        reaction: true,
                    };
                    let pos = self.presses.partition_point(|p| p.at <= press.at);
                    self.presses.insert(pos, press);
                }
            }
        }
        if let (Some(fan), false) = (fan, buttons.is_empty()) {
            if self.rng.chance(PRESS_SHARE) && self.presses.len() < MAX_PRESSES {
                // Most press within half a minute of reading the answer.
                let delay =
                    (self.rng.lognormal(2.8, 0.8) * SECOND as f64).clamp(1_000.0, 600_000.0);
                let data = buttons[self.rng.below(buttons.len() as u64) as usize].clone();
                if let Payload::Interaction(i) = &event.payload {
                    let press = Press {
                        at: at + delay as Millis,
                        fan: fan.clone(),
                        message: i.id.clone(),
                        data,
                        reaction: false,
                    };
                    let pos = self.presses.partition_point(|p| p.at <= press.at);
                    self.presses.insert(pos, press);
                }
            }
        }
        Ok(event)
    }

    /// `react` {message_id, emoji}, `edit` {message_id, text}, `delete`
    /// {message_id}: the bot on a message it can see.
    fn act_on_message(
        &mut self,
        at: Millis,
        kind: &str,
        map: &Map<String, Value>,
    ) -> Result<Event, ActionError> {
        let invalid = ActionError::Invalid;
        let keys: &[&str] = match kind {
            "react" => &["message_id", "emoji"],
            "edit" => &["message_id", "text"],
            _ => &["message_id"],
        };
        check_known(PLATFORM, map, keys, &format!("`{kind}` parameter")).map_err(invalid)?;
        let Some(Value::String(target)) = map.get("message_id") else {
            return Err(invalid(format!(
                "{PLATFORM}: `{kind}` needs a `message_id` string"
            )));
        };
        let text = match kind {
            "react" => match map.get("emoji") {
                Some(Value::String(e)) if native::REACTIONS.contains(&e.as_str()) => e.clone(),
                Some(Value::String(e)) if e.is_empty() => String::new(),
                other => {
                    return Err(invalid(format!(
                        "{PLATFORM}: `react` `emoji` must be one of Telegram's reactions, or empty to take the reaction back (got {})",
                        other.map_or("nothing".to_string(), Value::to_string)
                    )))
                }
            },
            "edit" => match map.get("text") {
                Some(Value::String(t)) if !t.trim().is_empty() && t.chars().count() <= 4096 => {
                    t.clone()
                }
                other => {
                    return Err(invalid(format!(
                        "{PLATFORM}: `edit` `text` must be a string of 1 to 4096 characters (got {})",
                        other.map_or("nothing".to_string(), Value::to_string)
                    )))
                }
            },
            _ => String::new(),
        };
        let post = self.posts.iter().rposition(|p| p.id == *target);
        let content_id = match post {
            Some(i) => Some(self.posts[i].id.clone()),
            None if self.memory.knows(target) => self.memory.content_of(target),
            None => {
                return Err(ActionError::NotFound(format!(
                    "{PLATFORM}: no recent message `{target}`"
                )))
            }
        };
        if kind == "delete" {
            if let Some(i) = post {
                self.posts[i].deleted = true;
            }
        }
        if kind == "edit" {
            if let Some(i) = post {
                self.posts[i].text = text.clone();
            }
        }
        let id = style::message_id(&mut self.rng).to_string();
        let kind = match kind {
            "react" => "reaction",
            "edit" => "edit",
            _ => "deletion",
        };
        Ok(creator_event(
            at,
            kind,
            id,
            content_id,
            target.clone(),
            &self.bot,
            text,
        ))
    }
}

/// Draw the views, reactions and forwards that arrived since the last
/// update and emit the counters that changed.
fn emit_metrics(p: &mut ChannelPost, at: Millis, rng: &mut Rng, out: &mut Vec<Event>) {
    let views = rng.poisson(p.pending_views) as i64;
    let storm = p.pending_storm.min(p.pending_views);
    let storm_share = if p.pending_views > 0.0 {
        storm / p.pending_views
    } else {
        0.0
    };
    p.pending_views = 0.0;
    p.pending_storm = 0.0;
    p.views += views;
    p.reactions += rng.poisson(views as f64 * p.reaction_ratio) as i64;
    let forward_ratio = p.forward_ratio * (1.0 + storm_share * (STORM_FORWARDS - 1.0));
    p.forwards += rng.poisson(views as f64 * forward_ratio) as i64;
    let totals = p.totals();
    for (i, name) in METRICS.into_iter().enumerate() {
        let delta = totals[i] - p.reported[i];
        if delta != 0 {
            out.push(Event {
                at,
                payload: Payload::Metric(Metric {
                    content_id: Some(p.id.clone()),
                    name: name.into(),
                    total: totals[i],
                    delta,
                }),
            });
            p.reported[i] = totals[i];
        }
    }
}

impl SignalHost for Telegram {
    const PLATFORM: &'static str = PLATFORM;
    const AUDIENCE: &'static str = "subscribers";
    const SIGNALS: &'static [&'static str] = &signals::ALL;

    fn active_signals(&mut self) -> &mut ActiveSignals {
        &mut self.signals
    }

    fn audience_count(&self) -> i64 {
        self.subscribers.count()
    }

    fn signal_target(&self, signal: &str, content_id: Option<&str>) -> Result<usize, String> {
        let (missing, none) = match signal {
            "viral" => ("to make viral", "none can go viral"),
            "spam_raid" => ("for `spam_raid`", "`spam_raid` has no target"),
            _ => ("for `troll_wave`", "`troll_wave` has no target"),
        };
        match content_id {
            Some(id) => self
                .posts
                .iter()
                .rposition(|p| p.id == id)
                .ok_or_else(|| format!("{PLATFORM}: no post with id `{id}` {missing}")),
            None => self
                .posts
                .len()
                .checked_sub(1)
                .ok_or_else(|| format!("{PLATFORM}: no post has been published yet, so {none}")),
        }
    }

    fn start_viral(&mut self, at: Millis, idx: usize, p: &ViralParams) {
        let typical = self.params.avg_views;
        let post = &mut self.posts[idx];
        post.spikes.push(Spike::new(at, p, post.reach.max(typical)));
        post.next_metric = post.next_metric.min(at + 5 * MINUTE);
        if !post.active {
            post.active = true;
            self.active.push(idx as u32);
        }
    }

    fn start_troll_wave(&mut self, at: Millis, idx: usize, _wave: &TrollWave) {
        let p = &mut self.posts[idx];
        p.next_metric = p.next_metric.min(at + 5 * MINUTE);
    }

    fn start_growth(&mut self, at: Millis) {
        self.subscribers.report_soon(at);
    }
}

/// Telegram's own signals' descriptions.
const SPAM_RAID_DESCRIPTION: &str = "spam messages flood one post's discussion group from fresh accounts with under 100 subscribers: {content_id?: latest post, size: 200 (messages, 1..100000), duration: ms (1 h)}";
const SUBSCRIBER_SURGE_DESCRIPTION: &str = "new subscribers pour in (a mention in a bigger channel): {subscribers: 10 % of the count (1..10^9), duration: ms (6 h)}";
const MASS_LEAVE_DESCRIPTION: &str =
    "a share of the subscribers leaves: {share: 0.1 (0.001..0.9), duration: ms (6 h)}";

impl Telegram {
    fn own_signal(&mut self, at: Millis, name: &str, params: &Value) -> Result<(), String> {
        let empty = Map::new();
        let map = match params {
            Value::Object(m) => m,
            Value::Null => &empty,
            other => {
                return Err(format!(
                    "{PLATFORM}: `{name}` parameters must be an object (got {other})"
                ))
            }
        };
        let duration = |default: Millis| -> Result<Millis, String> {
            match map.get("duration") {
                None | Some(Value::Null) => Ok(default),
                Some(v) => v
                    .as_f64()
                    .filter(|d| *d >= 1.0 && *d <= 366.0 * DAY as f64)
                    .map(|d| d as Millis)
                    .ok_or_else(|| {
                        format!("{PLATFORM}: `{name}` parameter `duration` must be a duration in ms > 0 (got {v})")
                    }),
            }
        };
        match name {
            "spam_raid" => {
                let mut p = map.clone();
                p.entry("duration").or_insert(Value::from(HOUR));
                let wave = TrollWave::parse(PLATFORM, at, &Value::Object(p))
                    .map_err(|e| e.replace("`troll_wave`", "`spam_raid`"))?;
                let idx = self.signal_target(name, wave.content_id.as_deref())?;
                let p = &mut self.posts[idx];
                p.next_metric = p.next_metric.min(at + 5 * MINUTE);
                self.raids.push(SpamRaid {
                    post: idx as u32,
                    wave,
                });
            }
            "subscriber_surge" => {
                check_known(
                    PLATFORM,
                    map,
                    &["subscribers", "duration"],
                    "`subscriber_surge` parameter",
                )?;
                let current = self.subscribers.count();
                let n = match map.get("subscribers") {
                    None | Some(Value::Null) => (current / 10).max(1) as u64,
                    Some(v) => v
                        .as_u64()
                        .filter(|n| (1..=1_000_000_000).contains(n))
                        .ok_or_else(|| format!("{PLATFORM}: `subscriber_surge` parameter `subscribers` must be a whole number from 1 to 10^9 (got {v})"))?,
                };
                let duration = duration(6 * HOUR)?;
                self.signals.growth = Some(Growth {
                    start: at,
                    end: at + duration,
                    target: current.saturating_add(n as i64),
                    pending: 0.0,
                });
                self.subscribers.report_soon(at);
            }
            _ => {
                check_known(
                    PLATFORM,
                    map,
                    &["share", "duration"],
                    "`mass_leave` parameter",
                )?;
                let share = match map.get("share") {
                    None | Some(Value::Null) => 0.1,
                    Some(v) => v
                        .as_f64()
                        .filter(|s| (0.001..=0.9).contains(s))
                        .ok_or_else(|| format!("{PLATFORM}: `mass_leave` parameter `share` must be a number from 0.001 to 0.9 (got {v})"))?,
                };
                let duration = duration(6 * HOUR)?;
                self.leaves.push(MassLeave {
                    start: at,
                    end: at + duration,
                    total: self.subscribers.count() as f64 * share,
                });
                self.subscribers.report_soon(at);
            }
        }
        Ok(())
    }
}

impl Platform for Telegram {
    fn describe() -> PlatformInfo {
        let limit = |action: &str, max, per| LimitInfo {
            action: action.into(),
            max,
            per,
        };
        let signal = |name: &str, description: String, on_content| SignalInfo {
            name: name.into(),
            description,
            on_content,
        };
        PlatformInfo {
            name: PLATFORM.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            content_kinds: vec!["post".into()],
            interaction_kinds: [
                "comment", "reply", "dm", "button", "reaction", "edit", "deletion",
            ]
            .into_iter()
            .chain(funnel::FUNNEL_KINDS)
            .map(String::from)
            .collect(),
            metrics: METRICS
                .iter()
                .map(|m| m.to_string())
                .chain(["subscribers".to_string()])
                .collect(),
            signals: vec![
                signal(
                    "viral",
                    format!(
                        "{}; on Telegram a forwards storm: forwards per view triple while it lasts",
                        viral_description("post")
                    ),
                    true,
                ),
                signal("shadowban", SHADOWBAN_DESCRIPTION.into(), false),
                signal("health", health::DESCRIPTION.into(), false),
                signal("troll_wave", troll_wave_description("post"), false),
                signal(
                    "brand_deal_flood",
                    BRAND_DEAL_FLOOD_DESCRIPTION.into(),
                    false,
                ),
                signal("controversy", CONTROVERSY_DESCRIPTION.into(), false),
                signal("growth", growth_description("subscribers"), false),
                signal("spam_raid", SPAM_RAID_DESCRIPTION.into(), true),
                signal(
                    "subscriber_surge",
                    SUBSCRIBER_SURGE_DESCRIPTION.into(),
                    false,
                ),
                signal("mass_leave", MASS_LEAVE_DESCRIPTION.into(), false),
            ],
            actions: ACTIONS
                .iter()
                .chain(MODERATION.actions)
                .map(|a| a.to_string())
                .collect(),
            limits: vec![
                limit("publish", GROUP_PER_MINUTE, MINUTE),
                limit("reply", GROUP_PER_MINUTE, MINUTE),
                limit("dm_reply", OVERALL_PER_SECOND, SECOND),
                limit(funnel::SEND_OFFER, OVERALL_PER_SECOND, SECOND),
            ],
            params: diorama_sdk::models::params::infos(params::PARAMS),
            metric_roles: MetricRoles {
                views: Some("views".into()),
                likes: Some("reactions".into()),
                comments: Some("comments".into()),
            },
            automatic_share: None,
            api_hosts: vec!["api.telegram.org".into()],
            webhook_formats: vec![webhook::format()],
        }
    }

    fn init(config: &AccountConfig) -> Result<Self, String> {
        let params = Params::parse(&config.params)?;
        let niche = Niche::parse(&config.niche).map_err(|e| format!("{PLATFORM}: {e}"))?;
        let timezone = Timezone::parse(&config.timezone).map_err(|e| format!("{PLATFORM}: {e}"))?;
        let mut rng = Rng::new(config.seed, &format!("telegram/{}", config.profile));
        let mut plan = Rng::new(config.seed, &format!("telegram/{}/plan", config.profile));
        let audience = Audience::for_followers(rng.next_u64(), style::PERSONAS, params.subscribers)
            .in_timezone(timezone.clone());
        let mut creator =
            persona::author_with_followers(&mut rng, style::PERSONAS, params.subscribers);
        creator.verified = params.subscribers >= 100_000;
        let mut bot = persona::author_with_followers(&mut rng, style::PERSONAS, 0);
        bot.handle = format!("{}_bot", creator.handle.trim_end_matches('_'));
        bot.display_name = format!("{} Bot", creator.display_name);
        let start = config.start;
        let next_post = if params.posts_per_day > 0.0 {
            start + 20 * MINUTE + plan.below(160 * MINUTE as u64) as Millis
        } else {
            Millis::MAX
        };
        // A channel that has been posting for a while.
        let next_message = 40 + plan.below(3000);
        let next_report = start + rng.below(HOUR as u64) as Millis;
        Ok(Telegram {
            niche,
            timezone,
            subscribers: AudienceCount::new(params.subscribers, next_report),
            params,
            rng,
            plan,
            clock: start,
            creator,
            bot,
            audience,
            next_post,
            next_message,
            channel_sends: RateWindow::default(),
            group_sends: RateWindow::default(),
            recent_sends: VecDeque::new(),
            posts: Vec::new(),
            active: Vec::new(),
            comments: Comments::default(),
            recent_dms: Inbox::default(),
            signals: ActiveSignals::default(),
            moderation: Moderation::default(),
            raids: Vec::new(),
            leaves: Vec::new(),
            presses: VecDeque::new(),
            memory: native::Memory::default(),
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
        self.memory.note(&out[first..], false);
        self.clock = to;
    }

    /// Every sub-step draws while posts draw an audience, signals are
    /// under way or fans may message the bot; otherwise nothing happens
    /// before the next post or subscriber report.
    fn next_due(&self, end: Millis) -> Option<Millis> {
        if !self.active.is_empty()
            || !self.comments.pending.is_empty()
            || !self.signals.trolls.is_empty()
            || !self.signals.floods.is_empty()
            || self.signals.growth.is_some()
            || !self.raids.is_empty()
            || !self.leaves.is_empty()
            || !self.presses.is_empty()
            || self.signals.health.pending()
            || self.params.dm_rate > 0.0
        {
            return Some(end);
        }
        let next = self.next_post.min(self.subscribers.next_audience_report);
        // The fans' answers to DMs and the funnel's decisions and renewals.
        let next = self.recent_dms.next_due().map_or(next, |d| next.min(d));
        Some(next.max(end))
    }

    fn signal(&mut self, at: Millis, name: &str, params: &Value) -> Result<(), String> {
        match name {
            "spam_raid" | "subscriber_surge" | "mass_leave" => self.own_signal(at, name, params),
            _ if signals::ALL.contains(&name) || name == signals::PAST => {
                signals::apply(self, at, name, params)
            }
            _ => Err(format!(
                "{PLATFORM} does not understand the signal `{name}` (known: {})",
                SIGNALS.join(", ")
            )),
        }
    }

    /// No action block: a bot meets the Bot API's flood control (its
    /// limits per chat and overall) instead; a `health` signal may still
    /// block the creator's actions.
    fn act(&mut self, at: Millis, action: &Action) -> Result<Vec<Event>, ActionError> {
        let kind = action.kind.as_str();
        self.signals.health.admit(PLATFORM, at, kind, None)?;
        let map = actions::params(PLATFORM, action)?;
        let event = match kind {
            "publish" => self.act_publish(at, &map),
            "reply" => self.act_reply(at, &map),
            "dm_reply" => self.act_dm_reply(at, &map),
            funnel::SEND_OFFER => self.act_send_offer(at, &map),
            k @ ("react" | "edit" | "delete") => self.act_on_message(at, k, &map),
            other => self
                .moderation
                .act(PLATFORM, &MODERATION, at, other, &map, |_| None)
                .unwrap_or_else(|| Err(actions::unknown(PLATFORM, other, &ACTIONS))),
        }?;
        self.memory.note(std::slice::from_ref(&event), true);
        Ok(vec![event])
    }

    fn handle_request(&self, at: Millis, request: &HttpRequest) -> NativeOutcome {
        let health = &self.signals.health;
        let wait = health.ends(at).map_or(0, |end| end - at);
        health.gate(
            at,
            None,
            request,
            |r| native::handle(self, at, r),
            |state, _| native::health_refusal(state, wait),
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

diorama_sdk::export_platform!(Telegram);
