//! The X simulator.
//!
//! An account publishes posts (about `posts_per_day`, mostly in the local
//! afternoon and evening). Each post draws a log-normal quality (σ 1.1), so
//! impressions are heavy-tailed: a few posts are seen many times more than
//! the median one. Its expected lifetime impressions are `avg_impressions`
//! (by default 5 % of the followers) times its quality, and they arrive
//! along the SEISMIC reaction curve, which Zhao et al. (2015) fitted on
//! Twitter retweet cascades, cut at three days: X's reaction is fast (a
//! post's half-life is about 24 minutes, Wiselytics 2014), so most of a
//! post's replies come within the first hour. Impressions, likes,
//! replies, reposts, quotes and bookmarks travel as periodic metric
//! updates per post (`views`, `likes`, `comments`, `shares`, `quotes`,
//! `bookmarks`).
//!
//! The audience replies (`comment`: a reply to the post; `reply`: a reply
//! in a thread under it) at `reply_rate` per impression, plus a
//! self-exciting part, and quotes the post (`quote`) at `quote_rate`;
//! other accounts `mention` the creator in their own posts; DMs arrive at
//! `dm_rate` a day in the 40/30/15/10/5 fan/question/collaboration/spam/
//! criticism mix. Followers grow with impressions, minus churn (follows
//! and unfollows), reported a few times a day.
//!
//! With the defaults the median post ends with likes + replies + reposts
//! (+ quotes) ≈ 0.035 % of the followers: Rival IQ's 2023 median
//! engagement rate per post on X (see [`params`]).
//!
//! Under a `controversy` or a `pile_on`, X's "ratio" shows: replies and
//! quote posts outrun likes (likes per impression halve, or fall to a
//! third under a pile-on, while replies and quotes grow two- to
//! fourfold). Quote posts are how X users add their own comment to what
//! they pass on (Garimella, Weber and De Choudhury, "Quote RTs on
//! Twitter", WebSci 2016); here half of them turn negative while the post
//! is under fire (a modelling choice, not a measured share).
//!
//! Signals: `viral`, `shadowban` (on X the account's posts and replies are
//! deboosted: out of search suggestions and behind "show more replies", so
//! impressions collapse), `troll_wave`, `brand_deal_flood`,
//! `controversy`, `growth` (see the SDK's kit), and X's own `pile_on`,
//! `bot_swarm` and `follower_spike` ([`waves`]).
//!
//! Actions: `publish` {text?, reply_settings?, in_reply_to?, quote?}
//! (a post; `in_reply_to` one of the creator's posts continues a thread),
//! `reply` {comment_id, text} (to a reply, a quote or a mention), `delete`
//! {post_id}, `like` {post_id}, `follow` / `unfollow` {user_id},
//! `dm_reply` {dm_id, text}. Limits as X applies them ([`params`]): 300
//! posts in 3 hours and 2,400 a day (replies count as posts), 500 DMs,
//! 400 follows and 1,000 likes a day.

pub mod native;
mod params;
pub mod post;
pub mod style;
pub mod waves;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use diorama_sdk::kit::actions::{self, creator_event, Answer};
use diorama_sdk::kit::audience::AudienceCount;
use diorama_sdk::kit::funnel;
use diorama_sdk::kit::health::{self, BlockRule};
use diorama_sdk::kit::inbox::{Inbox, Senders};
use diorama_sdk::kit::moderation::{self, Moderation};
use diorama_sdk::kit::signals::{self, ActiveSignals, SignalHost};
use diorama_sdk::kit::threads::{CommentRules, Comments, Crowd, Discussion, Thread};
use diorama_sdk::models::ids::push_digits;
use diorama_sdk::models::limits::RateWindow;
use diorama_sdk::models::params::check_known;
use diorama_sdk::models::persona::{self, Audience};
use diorama_sdk::models::popularity::{self, LogNormal};
use diorama_sdk::models::rng::{fnv1a, Rng};
use diorama_sdk::models::signals::{
    growth_description, troll_wave_description, Growth, TrollWave, BRAND_DEAL_FLOOD_DESCRIPTION,
    CONTROVERSY_DESCRIPTION,
};
use diorama_sdk::models::spike::{viral_description, Spike, ViralParams, SHADOWBAN_DESCRIPTION};
use diorama_sdk::models::text::{self, DmType, Niche, Sentiment, Voice};
use diorama_sdk::models::time::{daily_rhythm, local_hour, schedule_after, substeps, Timezone, Tz};
use diorama_sdk::models::timing::{metric_interval, Seismic, SelfExcitation};
use diorama_sdk::{
    AccountConfig, Action, ActionError, Author, Content, Event, HttpRequest, HttpResponse,
    Interaction, LimitInfo, Metric, MetricRoles, Millis, NativeOutcome, Payload, Platform,
    PlatformInfo, SignalInfo, DAY, HOUR, MINUTE,
};

pub use params::{
    Params, DM_LIMIT, FOLLOW_LIMIT, LIKE_LIMIT, POSTS_PER_3H, POSTS_PER_DAY, THREE_HOURS,
};
pub use post::{Post, ReplySettings, METRICS};
use waves::{Wave, WaveParams};

const PLATFORM: &str = "x";
/// The simulator advances in sub-steps of at most this length.
const SUBSTEP: Millis = MINUTE;
/// Spread of post quality (log-normal σ): wider than on video platforms;
/// on X a few posts travel far beyond the followers.
const QUALITY_SIGMA: f64 = 1.1;
/// Spread of the like, repost and bookmark ratios between posts.
const RATIO_SIGMA: f64 = 0.3;
/// New followers per impression.
const FOLLOWS_PER_IMPRESSION: f64 = 0.002;
/// Share of followers lost per day (unfollows).
const CHURN_PER_DAY: f64 = 0.0003;
/// Memory of the self-excitation.
const EXCITATION_MEMORY: Millis = 30 * MINUTE;
/// The longest post, in characters (accounts without a subscription).
pub const MAX_POST_CHARS: usize = 280;
/// Every signal, in the order errors list them.
pub const SIGNALS: [&str; 10] = [
    "viral",
    "shadowban",
    "health",
    "troll_wave",
    "brand_deal_flood",
    "controversy",
    "growth",
    "pile_on",
    "bot_swarm",
    "follower_spike",
];
/// Every action of its own (the kit's moderation adds [`MODERATION`]'s).
pub const ACTIONS: [&str; 8] = [
    "publish",
    "reply",
    "delete",
    "like",
    "follow",
    "unfollow",
    "dm_reply",
    funnel::SEND_OFFER,
];
/// The actions the action block counts (DMs have their own daily limit).
const COUNTED: &[&str] = &[
    "reply",
    "like",
    "follow",
    "unfollow",
    "hide_comment",
    "block_author",
];
/// The action block: X's help center ("X Limits") breaks the daily limit
/// of 2,400 posts into "smaller limits for semi-hourly intervals" and asks
/// an account that hits one to "try again in a few hours": 2,400 / 48 =
/// 50 actions within 30 minutes block them for 3 hours.
pub const BLOCK: BlockRule = BlockRule {
    max: 50,
    within: 30 * MINUTE,
    lasts: 3 * HOUR,
    counts: COUNTED,
    says: "X: \"You are over the limit for replies. Try again in a few hours.\"",
};
/// Moderation on X: hide a reply, block its author.
pub const MODERATION: moderation::Rules = moderation::Rules {
    actions: &["hide_comment", "block_author"],
    pins_per_post: 1,
};

/// The reaction-delay kernel: SEISMIC (fitted on Twitter), cut at three
/// days.
fn kernel() -> Seismic {
    Seismic::standard().with_horizon(3 * DAY)
}

/// How replies read and thread: X's conversations run deep (a third of
/// ordinary replies answer another reply, most excited ones do), and
/// replies breed replies faster than on video platforms.
fn rules() -> CommentRules {
    CommentRules {
        style: style::COMMENTS,
        persona: style::PERSONAS,
        reply_share: 0.33,
        excited_reply_share: 0.7,
        excitation: SelfExcitation::mishra(8.0, EXCITATION_MEMORY, 3.0),
        new_id: style::reply_id,
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct X {
    niche: Niche,
    timezone: Timezone,
    params: Params,
    /// Draws for the audience: replies, DMs, authors, metric noise.
    rng: Rng,
    /// Draws for the account's plan: publishing times and the posts.
    plan: Rng,
    clock: Millis,
    creator: Author,
    #[serde(deserialize_with = "style::audience")]
    audience: Audience,
    #[serde(flatten)]
    followers: AudienceCount,
    /// Accounts the creator follows, and posts it liked.
    following: i64,
    likes_given: i64,
    next_post: Millis,
    /// The creator's posts and replies within the last 3 hours and 24
    /// hours; DMs, follows and likes within 24 hours.
    posts_3h: RateWindow,
    posts_day: RateWindow,
    dms_sent: RateWindow,
    follows: RateWindow,
    likes_day: RateWindow,
    /// Every post, in publishing order.
    posts: Vec<Post>,
    /// Indexes of the posts still drawing an audience.
    active: Vec<u32>,
    #[serde(flatten)]
    comments: Comments,
    recent_dms: Inbox<u64>,
    #[serde(flatten)]
    signals: ActiveSignals,
    /// Recent replies and blocked authors.
    #[serde(default)]
    moderation: Moderation,
    pile_ons: Vec<Wave>,
    swarms: Vec<Wave>,
    /// The recent replies, quotes, mentions and DMs the native API reads.
    memory: native::Memory,
}

impl X {
    pub fn creator(&self) -> &Author {
        &self.creator
    }

    /// Every post, in publishing order (deleted ones flagged).
    pub fn posts(&self) -> &[Post] {
        &self.posts
    }

    pub fn followers_reported(&self) -> i64 {
        self.followers.audience_reported
    }

    pub fn following(&self) -> i64 {
        self.following
    }

    pub fn memory(&self) -> &native::Memory {
        &self.memory
    }

    /// The audience, for the native API's lists of likers and followers.
    pub fn audience(&self) -> &Audience {
        &self.audience
    }

    pub fn active_posts(&self) -> usize {
        self.active.len()
    }

    /// How long until the creator may post again at `at`, if a limit is
    /// reached.
    pub fn post_wait(&self, at: Millis) -> Option<Millis> {
        let a = self.posts_3h.clone().wait(at, POSTS_PER_3H, THREE_HOURS);
        let b = self.posts_day.clone().wait_day(at, POSTS_PER_DAY);
        a.max(b)
    }

    /// The creator's posts and replies in the 3 hours before `at`, as the
    /// API's rate-limit headers count them.
    pub fn post_count_3h(&self, at: Millis) -> i64 {
        let since = at - THREE_HOURS;
        let posts = self.posts.iter().filter(|p| p.published > since).count();
        let replies = self
            .memory
            .replies()
            .filter(|i| i.at > since && i.author.id == self.creator.id)
            .count();
        (posts + replies) as i64
    }

    fn record_post(&mut self, at: Millis) {
        self.posts_3h.record(at);
        self.posts_day.record(at);
    }

    /// The index of the post `id`.
    pub fn post_index(&self, id: &str) -> Option<usize> {
        self.posts.iter().rposition(|p| p.id == id)
    }

    /// Create a post published at `at` and its content event.
    fn publish(&mut self, at: Millis, text: Option<String>) -> Event {
        let rng = &mut self.plan;
        let mut id = String::with_capacity(19);
        push_digits(&mut id, style::snowflake(rng, at));
        let text = text.unwrap_or_else(|| {
            let mut trng = text::text_rng(fnv1a(id.as_bytes()));
            let mut t = text::caption(&mut trng, self.niche, style::COMMENTS);
            truncate_chars(&mut t, MAX_POST_CHARS);
            t
        });
        let title = title_of(&text);
        let reach = self.params.avg_impressions * popularity::quality(rng, QUALITY_SIGMA);
        let mut p = Post::new(id.clone(), text.clone(), at, reach);
        p.talk.gist = text::Gist::read_in(self.niche, &title, &text);
        let spread = LogNormal::with_mean(1.0, RATIO_SIGMA);
        p.like_ratio = (self.params.like_rate * spread.sample(rng)).min(1.0);
        p.repost_ratio = (self.params.repost_rate * spread.sample(rng)).min(1.0);
        p.bookmark_ratio = (self.params.bookmark_rate * spread.sample(rng)).min(1.0);
        p.next_metric = at + 2 * MINUTE + rng.below(3 * MINUTE as u64) as Millis;
        let url = format!(
            "https://x.com/{}/status/{id}",
            self.creator.handle.trim_start_matches('@')
        );
        let idx = self.posts.len() as u32;
        self.posts.push(p);
        self.active.push(idx);
        self.record_post(at);
        Event {
            at,
            payload: Payload::Content(Content {
                id,
                kind: "post".into(),
                title,
                text,
                url,
            }),
        }
    }

    /// Advance over one sub-step `[a, b)` (b − a ≤ a minute).
    fn substep(&mut self, a: Millis, b: Millis, tz: Tz, out: &mut Vec<Event>) {
        while self.next_post < b {
            let at = self.next_post.max(a);
            if let Some(wait) = self.post_wait(at) {
                self.next_post = at + wait;
                continue;
            }
            let event = self.publish(at, None);
            out.push(event);
            self.next_post =
                schedule_after(&mut self.plan, at, self.params.posts_per_day, tz).max(at + 1);
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
        self.inbox(a, b, rhythm, out);
        let rules = rules();
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
        self.waves(a, b, out);
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
        // A controversy on the account: the ratio (see the crate's docs).
        let heated = self
            .signals
            .controversies
            .iter()
            .any(|c| c.negative_at(a).is_some_and(|n| n > 0.2));
        let kernel = kernel();
        let memory = rules.excitation.memory;
        let mut dropped = false;
        let X {
            niche,
            params,
            rng,
            audience,
            posts,
            active,
            comments,
            followers,
            signals,
            pile_ons,
            ..
        } = self;
        for &idx in active.iter() {
            let p = &mut posts[idx as usize];
            let piled = pile_ons.iter().any(|w| w.post == idx && w.live(a));
            let (like_x, reply_x, quote_x) = if piled {
                (1.0 / 3.0, 3.0, 4.0)
            } else if heated {
                (0.5, 2.0, 3.0)
            } else {
                (1.0, 1.0, 1.0)
            };
            let views = p.expected_views(&kernel, a, b) * reach_factor;
            p.pending_views += views;
            p.pending_likes += views * p.like_ratio * like_x;
            p.pending_reposts += views * p.repost_ratio;
            p.pending_bookmarks += views * p.bookmark_ratio;
            followers.gain(views * FOLLOWS_PER_IMPRESSION);
            let mut crowd = Crowd {
                rules: &rules,
                niche: *niche,
                rng,
                audience,
            };
            let expected = views * params.reply_rate * p.reply_settings.reply_factor() * reply_x;
            comments.write(p, idx, expected, a, b, &mut crowd, signals, out);
            let n_quotes = rng.poisson(views * params.quote_rate * quote_x);
            for _ in 0..n_quotes {
                let at = a.max(p.published)
                    + rng.below((b - a.max(p.published)).max(1) as u64) as Millis;
                let mut sentiment = signals.sentiment(rng, at);
                if (piled || heated) && rng.chance(0.5) {
                    sentiment = Sentiment::Negative;
                }
                let author = audience.pick_at(rng, at);
                out.push(quote_event(*niche, rng, p, at, author, sentiment));
            }
            if a >= p.next_metric {
                emit_metrics(p, a, rng, out);
                p.next_metric = signals.next_metric(
                    a,
                    metric_interval(a - p.published, p.viral_excess(a) > 0.5, rng),
                );
            }
            p.spikes.retain(|x| !x.faded(b));
            let age = b - p.published;
            let waves_on = pile_ons.iter().any(|w| w.post == idx);
            let quiet = !waves_on
                && p.spikes.is_empty()
                && p.talk.excitation.remaining(b, memory) < 0.05
                && (p.deleted
                    || age >= kernel.horizon()
                    || (age > 6 * HOUR && p.reach * kernel.rate(age) * HOUR as f64 * 3.0 < 0.5));
            if quiet {
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

    /// DMs and mentions in `[a, b)`.
    fn inbox(&mut self, a: Millis, b: Millis, rhythm: f64, out: &mut Vec<Event>) {
        let mut senders = Senders {
            niche: self.niche,
            rng: &mut self.rng,
            audience: &mut self.audience,
            dm_rate: self.params.dm_rate,
            new_id: style::reply_id,
        };
        let flood = self.signals.flood_extra(a);
        self.recent_dms
            .arrivals(&mut senders, a, b, rhythm, flood, out);
        self.recent_dms.step(self.niche, a, b, style::reply_id, out);
        let span = (b - a) as f64 / DAY as f64 * rhythm;
        let n = self
            .rng
            .poisson(self.params.mention_rate * span * self.signals.reach_at(a));
        for _ in 0..n {
            let rng = &mut self.rng;
            let at = a + rng.below((b - a) as u64) as Millis;
            let author = self.audience.pick_at(rng, at);
            let id = style::snowflake(rng, at);
            let mut trng = text::text_rng(id);
            let mut body = text::mention(&mut trng, self.niche, &self.creator.handle);
            truncate_chars(&mut body, MAX_POST_CHARS);
            out.push(Event {
                at,
                payload: Payload::Interaction(Interaction {
                    id: id.to_string(),
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

    /// The pile-ons' and bot swarms' items due in `[a, b)`.
    fn waves(&mut self, a: Millis, b: Millis, out: &mut Vec<Event>) {
        let niche = self.niche;
        for w in self.pile_ons.iter_mut() {
            let n = w.due(b);
            let Some(p) = self.posts.get_mut(w.post as usize) else {
                continue;
            };
            if n > 0 && !p.deleted && !std::mem::replace(&mut p.active, true) {
                self.active.push(w.post);
            }
            for _ in 0..n {
                let at = w.time_in(&mut self.rng, a, b);
                let author = self.audience.pick_at(&mut self.rng, at);
                if self.rng.chance(0.4) {
                    out.push(quote_event(
                        niche,
                        &mut self.rng,
                        p,
                        at,
                        author,
                        Sentiment::Negative,
                    ));
                } else {
                    let id = style::snowflake(&mut self.rng, at);
                    let mut trng = text::text_rng(id);
                    let voice = Voice::of(&author.id);
                    let mut body = String::with_capacity(100);
                    let said = text::write_comment(
                        &mut body,
                        &mut trng,
                        niche,
                        Sentiment::Negative,
                        style::COMMENTS,
                        &p.talk.gist,
                        None,
                        &voice,
                    );
                    open_thread(&mut self.comments, p, w.post, id, &author, said);
                    out.push(reply_event(
                        at,
                        id,
                        &p.id,
                        author,
                        body,
                        Sentiment::Negative,
                    ));
                }
            }
        }
        self.pile_ons.retain(|w| !w.done());
        for w in self.swarms.iter_mut() {
            let n = w.due(b);
            let Some(p) = self.posts.get_mut(w.post as usize) else {
                continue;
            };
            if n > 0 && !p.deleted && !std::mem::replace(&mut p.active, true) {
                self.active.push(w.post);
            }
            for _ in 0..n {
                let at = w.time_in(&mut self.rng, a, b);
                let author = bot_author(&mut self.rng);
                let id = style::snowflake(&mut self.rng, at);
                let mut trng = text::text_rng(id);
                let voice = Voice::of(&author.id);
                let mut body = text::dm(&mut trng, niche, DmType::Spam, &voice);
                truncate_chars(&mut body, MAX_POST_CHARS);
                p.talk.comments += 1;
                out.push(reply_event(at, id, &p.id, author, body, Sentiment::Neutral));
            }
        }
        self.swarms.retain(|w| !w.done());
    }

    fn act_publish(&mut self, at: Millis, map: &Map<String, Value>) -> Result<Event, ActionError> {
        let invalid = ActionError::Invalid;
        check_known(
            PLATFORM,
            map,
            &["kind", "text", "reply_settings", "in_reply_to", "quote"],
            "`publish` parameter",
        )
        .map_err(invalid)?;
        let string = |key: &str| -> Result<Option<String>, ActionError> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(invalid(format!(
                    "{PLATFORM}: `publish` `{key}` must be a string (got {other})"
                ))),
            }
        };
        match string("kind")?.as_deref() {
            None | Some("post") => {}
            Some(other) => {
                return Err(invalid(format!(
                    "{PLATFORM}: `publish` `kind` must be \"post\" (got \"{other}\")"
                )))
            }
        }
        let text = string("text")?;
        if let Some(t) = &text {
            let n = t.chars().count();
            if t.trim().is_empty() || n > MAX_POST_CHARS {
                return Err(invalid(format!(
                    "{PLATFORM}: `publish` `text` must hold 1 to {MAX_POST_CHARS} characters (got {n})"
                )));
            }
        }
        let settings = match string("reply_settings")? {
            None => ReplySettings::Everyone,
            Some(s) => ReplySettings::parse(&s).ok_or_else(|| {
                invalid(format!(
                    "{PLATFORM}: `publish` `reply_settings` must be one of {} (got \"{s}\")",
                    ReplySettings::NAMES.join(", ")
                ))
            })?,
        };
        let thread = match string("in_reply_to")? {
            None => None,
            Some(id) => Some(
                self.post_index(&id)
                    .filter(|&i| !self.posts[i].deleted)
                    .ok_or_else(|| {
                        ActionError::NotFound(format!(
                            "{PLATFORM}: no post `{id}` of the creator to continue"
                        ))
                    })?,
            ),
        };
        let quote = match string("quote")? {
            None => None,
            Some(id) if self.post_index(&id).is_some() || self.memory.find(&id).is_some() => {
                Some(id)
            }
            Some(id) => {
                return Err(ActionError::NotFound(format!(
                    "{PLATFORM}: no post `{id}` to quote"
                )))
            }
        };
        if let Some(wait) = self.post_wait(at) {
            return Err(ActionError::RateLimited(wait));
        }
        let event = self.publish(at, text);
        let conversation = thread.map(|i| self.posts[i].conversation.clone());
        let parent = thread.map(|i| self.posts[i].id.clone());
        let p = self.posts.last_mut().expect("just published");
        p.reply_settings = settings;
        p.quotes_post = quote;
        if let (Some(parent), Some(c)) = (parent, conversation) {
            p.conversation = c;
            p.in_reply_to = Some(parent);
        }
        Ok(event)
    }

    /// The creator's `reply` {comment_id, text}: to a recent reply under a
    /// post (the kit's threads), else to a reply, quote or mention the
    /// native memory holds. It counts as a post.
    fn act_reply(&mut self, at: Millis, map: &Map<String, Value>) -> Result<Event, ActionError> {
        if let Some(wait) = self.posts_3h.wait(at, POSTS_PER_3H, THREE_HOURS) {
            // Check the parameters first, so a bad call is told so.
            Answer::parse(PLATFORM, "reply", "comment_id", map)?;
            return Err(ActionError::RateLimited(wait));
        }
        let kit = self.comments.creator_reply(
            PLATFORM,
            at,
            map,
            &mut self.posts_day,
            POSTS_PER_DAY,
            &rules(),
            &mut self.rng,
            &self.creator,
            &mut self.posts,
            &mut self.active,
        );
        let event = match kit {
            Err(ActionError::NotFound(m)) => {
                let answer = Answer::parse(PLATFORM, "reply", "comment_id", map)?;
                let Some(item) = self.memory.find(answer.to).filter(|i| i.kind != "dm") else {
                    return Err(ActionError::NotFound(m));
                };
                if let Some(wait) = self.posts_day.wait_day(at, POSTS_PER_DAY) {
                    return Err(ActionError::RateLimited(wait));
                }
                self.posts_day.record(at);
                let id = style::snowflake(&mut self.rng, at).to_string();
                creator_event(
                    at,
                    "reply",
                    id,
                    item.post.clone(),
                    item.id.clone(),
                    &self.creator,
                    answer.text,
                )
            }
            other => other?,
        };
        self.posts_3h.record(at);
        Ok(event)
    }

    fn target_post(&self, action: &str, map: &Map<String, Value>) -> Result<usize, ActionError> {
        check_known(
            PLATFORM,
            map,
            &["post_id"],
            &format!("`{action}` parameter"),
        )
        .map_err(ActionError::Invalid)?;
        let Some(Value::String(id)) = map.get("post_id") else {
            return Err(ActionError::Invalid(format!(
                "{PLATFORM}: `{action}` needs a `post_id` string"
            )));
        };
        self.post_index(id)
            .filter(|&i| !self.posts[i].deleted)
            .ok_or_else(|| ActionError::NotFound(format!("{PLATFORM}: no post `{id}`")))
    }

    fn act_delete(&mut self, at: Millis, map: &Map<String, Value>) -> Result<Event, ActionError> {
        let idx = self.target_post("delete", map)?;
        let p = &mut self.posts[idx];
        p.deleted = true;
        Ok(Event {
            at,
            payload: Payload::Metric(Metric {
                content_id: Some(p.id.clone()),
                name: "deleted".into(),
                total: 1,
                delta: 1,
            }),
        })
    }

    fn act_like(&mut self, at: Millis, map: &Map<String, Value>) -> Result<Event, ActionError> {
        check_known(PLATFORM, map, &["post_id"], "`like` parameter")
            .map_err(ActionError::Invalid)?;
        let Some(Value::String(id)) = map.get("post_id") else {
            return Err(ActionError::Invalid(format!(
                "{PLATFORM}: `like` needs a `post_id` string"
            )));
        };
        if self.post_index(id).is_none() && self.memory.find(id).is_none() {
            return Err(ActionError::NotFound(format!("{PLATFORM}: no post `{id}`")));
        }
        if let Some(wait) = self.likes_day.wait_day(at, LIKE_LIMIT) {
            return Err(ActionError::RateLimited(wait));
        }
        self.likes_day.record(at);
        self.likes_given += 1;
        Ok(account_metric(at, "likes_given", self.likes_given, 1))
    }

    fn act_follow(
        &mut self,
        at: Millis,
        map: &Map<String, Value>,
        follow: bool,
    ) -> Result<Event, ActionError> {
        let action = if follow { "follow" } else { "unfollow" };
        check_known(
            PLATFORM,
            map,
            &["user_id"],
            &format!("`{action}` parameter"),
        )
        .map_err(ActionError::Invalid)?;
        match map.get("user_id") {
            Some(Value::String(id)) if !id.is_empty() && id.bytes().all(|c| c.is_ascii_digit()) => {
            }
            _ => {
                return Err(ActionError::Invalid(format!(
                    "{PLATFORM}: `{action}` needs a `user_id` string of digits"
                )))
            }
        }
        if follow {
            if let Some(wait) = self.follows.wait_day(at, FOLLOW_LIMIT) {
                return Err(ActionError::RateLimited(wait));
            }
            self.follows.record(at);
            self.following += 1;
            Ok(account_metric(at, "following", self.following, 1))
        } else {
            let before = self.following;
            self.following = (self.following - 1).max(0);
            Ok(account_metric(
                at,
                "following",
                self.following,
                self.following - before,
            ))
        }
    }

    fn act_dm_reply(&mut self, at: Millis, map: &Map<String, Value>) -> Result<Event, ActionError> {
        Answer::parse(PLATFORM, "dm_reply", "dm_id", map)?;
        if let Some(wait) = self.dms_sent.wait_day(at, DM_LIMIT) {
            if self
                .recent_dms
                .knows(map.get("dm_id").and_then(Value::as_str).unwrap_or_default())
            {
                return Err(ActionError::RateLimited(wait));
            }
        }
        let event = self.recent_dms.reply(
            PLATFORM,
            at,
            map,
            &mut self.rng,
            style::reply_id,
            &self.creator,
        )?;
        self.dms_sent.record(at);
        Ok(event)
    }

    /// An offer is a DM: it counts against the same daily limit.
    fn act_send_offer(
        &mut self,
        at: Millis,
        map: &Map<String, Value>,
    ) -> Result<Event, ActionError> {
        if let Some(wait) = self.dms_sent.wait_day(at, DM_LIMIT) {
            return Err(ActionError::RateLimited(wait));
        }
        let event = self.recent_dms.offer(
            PLATFORM,
            at,
            map,
            &mut self.rng,
            style::reply_id,
            &self.creator,
        )?;
        self.dms_sent.record(at);
        Ok(event)
    }
}

/// Cut `s` to at most `n` characters.
fn truncate_chars(s: &mut String, n: usize) {
    if let Some((i, _)) = s.char_indices().nth(n) {
        s.truncate(i);
        let t = s.trim_end().len();
        s.truncate(t);
    }
}

/// A post's title: its first line, at most 80 characters.
fn title_of(text: &str) -> String {
    let mut t = text.lines().next().unwrap_or_default().trim().to_string();
    truncate_chars(&mut t, 80);
    t
}

fn account_metric(at: Millis, name: &str, total: i64, delta: i64) -> Event {
    Event {
        at,
        payload: Payload::Metric(Metric {
            content_id: None,
            name: name.into(),
            total,
            delta,
        }),
    }
}

/// A new reply to post `p` (index `idx`) that replies can answer and the
/// creator can find.
fn open_thread(
    comments: &mut Comments,
    p: &mut Post,
    idx: u32,
    id: u64,
    author: &Author,
    said: text::Said,
) {
    let talk: &mut Discussion = &mut p.talk;
    talk.remember(Thread {
        id,
        handle: author.handle.clone(),
        said,
    });
    talk.comments += 1;
    comments.recent.push(id, idx);
}

fn reply_event(
    at: Millis,
    id: u64,
    post: &str,
    author: Author,
    text: String,
    sentiment: Sentiment,
) -> Event {
    Event {
        at,
        payload: Payload::Interaction(Interaction {
            id: id.to_string(),
            kind: "comment".into(),
            content_id: Some(post.to_string()),
            parent_id: None,
            author,
            text,
            sentiment: Some(sentiment.as_str().into()),
            dm_type: None,
        }),
    }
}

/// A quote post of `p` by `author`, counted on the post.
fn quote_event(
    niche: Niche,
    rng: &mut Rng,
    p: &mut Post,
    at: Millis,
    author: Author,
    sentiment: Sentiment,
) -> Event {
    let id = style::snowflake(rng, at);
    let mut trng = text::text_rng(id);
    let voice = Voice::of(&author.id);
    let mut body = String::with_capacity(100);
    text::write_comment(
        &mut body,
        &mut trng,
        niche,
        sentiment,
        style::COMMENTS,
        &p.talk.gist,
        None,
        &voice,
    );
    truncate_chars(&mut body, MAX_POST_CHARS);
    p.quotes += 1;
    Event {
        at,
        payload: Payload::Interaction(Interaction {
            id: id.to_string(),
            kind: "quote".into(),
            content_id: Some(p.id.clone()),
            parent_id: None,
            author,
            text: body,
            sentiment: Some(sentiment.as_str().into()),
            dm_type: None,
        }),
    }
}

/// An automated account: new, under 20 followers, a handle ending in
/// eight digits (the default handle X gives a new account).
fn bot_author(rng: &mut Rng) -> Author {
    let followers = rng.below(20);
    let mut a = persona::author_with_followers(rng, style::PERSONAS, followers);
    let mut handle: String = a
        .handle
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .take(7)
        .collect();
    if handle.is_empty() {
        handle.push_str("user");
    }
    a.handle = format!("@{handle}{:08}", rng.below(100_000_000));
    a.verified = false;
    a
}

/// Draw the impressions, likes, reposts and bookmarks that arrived since
/// the last update and emit the counters that changed.
fn emit_metrics(p: &mut Post, at: Millis, rng: &mut Rng, out: &mut Vec<Event>) {
    p.views += rng.poisson(std::mem::take(&mut p.pending_views)) as i64;
    p.likes += rng.poisson(std::mem::take(&mut p.pending_likes)) as i64;
    p.reposts += rng.poisson(std::mem::take(&mut p.pending_reposts)) as i64;
    p.bookmarks += rng.poisson(std::mem::take(&mut p.pending_bookmarks)) as i64;
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

impl SignalHost for X {
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
                .post_index(id)
                .filter(|&i| !self.posts[i].deleted)
                .ok_or_else(|| format!("{PLATFORM}: no post with id `{id}` for `{signal}`")),
            None => self.posts.iter().rposition(|p| !p.deleted).ok_or_else(|| {
                format!("{PLATFORM}: no post has been published yet, so `{signal}` has no target")
            }),
        }
    }

    fn start_viral(&mut self, at: Millis, idx: usize, p: &ViralParams) {
        let typical = self.params.avg_impressions;
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
        self.followers.report_soon(at);
    }
}

impl Platform for X {
    fn describe() -> PlatformInfo {
        let limit = |action: &str, max, per| LimitInfo {
            action: action.into(),
            max,
            per,
        };
        let signal = |name: &str, description: String, on_content: bool| SignalInfo {
            name: name.into(),
            description,
            on_content,
        };
        PlatformInfo {
            name: PLATFORM.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            content_kinds: vec!["post".into()],
            interaction_kinds: ["comment", "reply", "quote", "mention", "dm"]
                .into_iter()
                .chain(funnel::FUNNEL_KINDS)
                .map(String::from)
                .collect(),
            metrics: METRICS
                .iter()
                .map(|m| m.to_string())
                .chain(["deleted", "followers", "following", "likes_given"].map(String::from))
                .collect(),
            signals: vec![
                signal("viral", viral_description("post"), true),
                signal("shadowban", SHADOWBAN_DESCRIPTION.into(), false),
                signal("health", health::DESCRIPTION.into(), false),
                signal("troll_wave", troll_wave_description("post"), false),
                signal(
                    "brand_deal_flood",
                    BRAND_DEAL_FLOOD_DESCRIPTION.into(),
                    false,
                ),
                signal("controversy", CONTROVERSY_DESCRIPTION.into(), false),
                signal("growth", growth_description("followers"), false),
                signal("pile_on", waves::PILE_ON_DESCRIPTION.into(), false),
                signal("bot_swarm", waves::BOT_SWARM_DESCRIPTION.into(), false),
                signal(
                    "follower_spike",
                    waves::FOLLOWER_SPIKE_DESCRIPTION.into(),
                    false,
                ),
            ],
            actions: ACTIONS
                .iter()
                .chain(MODERATION.actions)
                .map(|a| a.to_string())
                .collect(),
            limits: vec![
                limit("publish", POSTS_PER_3H, THREE_HOURS),
                limit("publish", POSTS_PER_DAY, DAY),
                limit("reply", POSTS_PER_3H, THREE_HOURS),
                limit("reply", POSTS_PER_DAY, DAY),
                limit("dm_reply", DM_LIMIT, DAY),
                limit(funnel::SEND_OFFER, DM_LIMIT, DAY),
                limit("follow", FOLLOW_LIMIT, DAY),
                limit("like", LIKE_LIMIT, DAY),
            ],
            params: diorama_sdk::models::params::infos(params::PARAMS),
            metric_roles: MetricRoles {
                views: Some("views".into()),
                likes: Some("likes".into()),
                comments: Some("comments".into()),
            },
            // Named explicitly: an automatic profile keeps the three
            // video platforms it always had.
            automatic_share: None,
            // The X API v2, under both of its names.
            api_hosts: vec!["api.x.com".into(), "api.twitter.com".into()],
            webhook_formats: vec![],
        }
    }

    fn init(config: &AccountConfig) -> Result<Self, String> {
        let params = Params::parse(&config.params)?;
        let niche = Niche::parse(&config.niche).map_err(|e| format!("{PLATFORM}: {e}"))?;
        let timezone = Timezone::parse(&config.timezone).map_err(|e| format!("{PLATFORM}: {e}"))?;
        let mut rng = Rng::new(config.seed, &format!("x/{}", config.profile));
        let mut plan = Rng::new(config.seed, &format!("x/{}/plan", config.profile));
        let audience = Audience::for_followers(rng.next_u64(), style::PERSONAS, params.followers)
            .in_timezone(timezone.clone());
        let mut creator =
            persona::author_with_followers(&mut rng, style::PERSONAS, params.followers);
        creator.verified = params.followers >= 100_000;
        let start = config.start;
        let next_post = if params.posts_per_day > 0.0 {
            start + 10 * MINUTE + plan.below(120 * MINUTE as u64) as Millis
        } else {
            Millis::MAX
        };
        let next_report = start + rng.below(HOUR as u64) as Millis;
        let following = 200 + rng.below(800) as i64;
        Ok(X {
            niche,
            timezone,
            followers: AudienceCount::new(params.followers, next_report),
            params,
            rng,
            plan,
            clock: start,
            creator,
            audience,
            following,
            likes_given: 0,
            next_post,
            posts_3h: RateWindow::default(),
            posts_day: RateWindow::default(),
            dms_sent: RateWindow::default(),
            follows: RateWindow::default(),
            likes_day: RateWindow::default(),
            posts: Vec::new(),
            active: Vec::new(),
            comments: Comments::default(),
            recent_dms: Inbox::default(),
            signals: ActiveSignals::default(),
            moderation: Moderation::default(),
            pile_ons: Vec::new(),
            swarms: Vec::new(),
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
        self.memory.note(&out[first..]);
        self.clock = to;
    }

    /// Every sub-step draws while a post draws an audience, a signal is
    /// under way, or DMs and mentions can arrive; otherwise nothing
    /// happens before the next scheduled post or follower report.
    fn next_due(&self, end: Millis) -> Option<Millis> {
        if !self.active.is_empty()
            || !self.comments.pending.is_empty()
            || !self.signals.trolls.is_empty()
            || !self.signals.floods.is_empty()
            || self.signals.growth.is_some()
            || !self.pile_ons.is_empty()
            || !self.swarms.is_empty()
            || self.signals.health.pending()
            || self.params.dm_rate > 0.0
            || self.params.mention_rate > 0.0
        {
            return Some(end);
        }
        let next = self.next_post.min(self.followers.next_audience_report);
        // The fans' answers to DMs and the funnel's decisions and renewals.
        let next = self.recent_dms.next_due().map_or(next, |d| next.min(d));
        Some(next.max(end))
    }

    fn signal(&mut self, at: Millis, name: &str, params: &Value) -> Result<(), String> {
        match name {
            "pile_on" | "bot_swarm" => {
                let default = if name == "pile_on" {
                    waves::DEFAULT_PILE_ON
                } else {
                    waves::DEFAULT_BOT_SWARM
                };
                let p = WaveParams::parse(name, params, default)?;
                let idx = self.signal_target(name, p.content_id.as_deref())?;
                let post = &mut self.posts[idx];
                post.next_metric = post.next_metric.min(at + 5 * MINUTE);
                let wave = Wave::new(idx as u32, at, &p);
                if name == "pile_on" {
                    self.pile_ons.push(wave);
                } else {
                    self.swarms.push(wave);
                }
                Ok(())
            }
            "follower_spike" => {
                let current = self.followers.count();
                let (target, duration) = waves::follower_spike(current, params)?;
                let g = Growth::parse(
                    PLATFORM,
                    "followers",
                    at,
                    current,
                    &json!({"followers": target, "duration": duration}),
                )?;
                self.signals.growth = Some(g);
                self.start_growth(at);
                Ok(())
            }
            n if signals::ALL.contains(&n) || n == signals::PAST => {
                signals::apply(self, at, name, params)
            }
            _ => Err(format!(
                "{PLATFORM} does not understand the signal `{name}` (known: {})",
                SIGNALS.join(", ")
            )),
        }
    }

    fn act(&mut self, at: Millis, action: &Action) -> Result<Vec<Event>, ActionError> {
        let kind = action.kind.as_str();
        self.signals
            .health
            .admit(PLATFORM, at, kind, Some(&BLOCK))?;
        let map = actions::params(PLATFORM, action)?;
        let event = match kind {
            "publish" => self.act_publish(at, &map),
            "reply" => self.act_reply(at, &map),
            "delete" => self.act_delete(at, &map),
            funnel::SEND_OFFER => self.act_send_offer(at, &map),
            "like" => self.act_like(at, &map),
            "follow" => self.act_follow(at, &map, true),
            "unfollow" => self.act_follow(at, &map, false),
            "dm_reply" => self.act_dm_reply(at, &map),
            other => self
                .moderation
                .act(PLATFORM, &MODERATION, at, other, &map, |_| None)
                .unwrap_or_else(|| Err(actions::unknown(PLATFORM, other, &ACTIONS))),
        }?;
        self.memory.note(std::slice::from_ref(&event));
        let mut events = vec![event];
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
        native::finish(self, at, context, outcome)
    }
}

diorama_sdk::export_platform!(X);
