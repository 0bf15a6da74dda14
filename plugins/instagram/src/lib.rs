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
//! hours), `dm_reply` {dm_id, text}.

pub mod media;
mod params;

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use diorama_sdk::models::ids::{
    instagram_comment_id, instagram_shortcode, numeric_id19, push_b64, push_digits,
};
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
    MetricRoles, Millis, Notice, ParamInfo, Payload, Platform, PlatformInfo, SignalInfo, DAY, HOUR,
    MINUTE,
};

use media::{Kind, Media, Thread};
pub use params::{Params, COMMENT_LIMIT, LIKE_LIMIT, POST_LIMIT, STORY_LIMIT};

const PLATFORM: &str = "instagram";
/// Follower updates while the account grows toward a target: every 30 to
/// 60 minutes.
const GROWTH_REPORT: Millis = 30 * MINUTE;
/// The signals' names, for errors.
const SIGNALS: &str = "viral, shadowban, troll_wave, brand_deal_flood, controversy, growth";
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
/// Share of ordinary comments that are replies, and of excited ones.
const REPLY_SHARE: f64 = 0.15;
const EXCITED_REPLY_SHARE: f64 = 0.6;
/// How many recent comments `reply` and DMs `dm_reply` can find.
const RECENT_COMMENTS: usize = 4096;
const RECENT_DMS: usize = 4096;
/// Memory of the self-excitation.
const EXCITATION_MEMORY: Millis = 45 * MINUTE;

fn kernel() -> Seismic {
    Seismic::standard()
}

/// Comment self-excitation as on YouTube (Mishra et al.'s κ and β): a
/// comment breeds about 0.29 further comments or replies.
fn excitation() -> SelfExcitation {
    SelfExcitation::mishra(6.0, EXCITATION_MEMORY, 3.0)
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
    audience: Audience,
    followers: i64,
    followers_reported: i64,
    follow_gain: f64,
    follow_loss: f64,
    next_followers_metric: Millis,
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
    /// Recent top-level comments and their post, for `reply`.
    recent: VecDeque<(u64, u32)>,
    /// Recent DMs' ids, for `dm_reply`.
    recent_dms: VecDeque<String>,
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

    /// Create a post, reel or story published at `at` and its content event.
    fn publish(&mut self, at: Millis, kind: Kind, caption: Option<String>) -> Event {
        let rng = &mut self.plan;
        let followers = self.params.followers as f64;
        let (id, url) = match kind {
            Kind::Post | Kind::Reel => {
                let code = instagram_shortcode(rng);
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
        let caption = caption.unwrap_or_else(|| text::caption(rng, self.niche));
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
        let mut id = String::with_capacity(44);
        id.push_str("aWdf");
        push_b64(&mut id, rng, 40);
        self.recent_dms.push_back(id.clone());
        if self.recent_dms.len() > RECENT_DMS {
            self.recent_dms.pop_front();
        }
        out.push(Event {
            at,
            payload: Payload::Interaction(Interaction {
                id,
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

    /// The comments of the troll waves under way in `[a, b)`: negative,
    /// from fresh accounts with under 100 followers.
    fn troll_comments(&mut self, a: Millis, b: Millis, out: &mut Vec<Event>) {
        let Instagram {
            niche,
            rng,
            media,
            active,
            recent,
            trolls,
            texts,
            post_texts,
            ..
        } = self;
        for (idx, wave) in trolls.iter_mut() {
            let n = wave.due(b);
            let Some(m) = media.get_mut(*idx as usize) else {
                continue;
            };
            if n > 0 && !m.active {
                m.active = true;
                active.push(*idx);
            }
            for _ in 0..n {
                let at = wave.time_in(rng, a, b);
                let author = troll_author(rng, PersonaStyle::Instagram);
                let cid = instagram_comment_id(rng);
                m.remember_thread(Thread {
                    id: cid,
                    handle: author.handle.clone(),
                });
                recent.push_back((cid, *idx));
                if recent.len() > RECENT_COMMENTS {
                    recent.pop_front();
                }
                let seconds = m.seconds;
                let mut body = String::with_capacity(100);
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
                            CommentStyle::Instagram,
                            seconds,
                        )
                    },
                );
                m.comments += 1;
                out.push(Event {
                    at,
                    payload: Payload::Interaction(Interaction {
                        id: cid.to_string(),
                        kind: "comment".into(),
                        content_id: Some(m.id.clone()),
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

    /// DMs and mentions in `[a, b)`.
    fn inbox(&mut self, a: Millis, b: Millis, rhythm: f64, out: &mut Vec<Event>) {
        let span = (b - a) as f64 / DAY as f64 * rhythm;
        let n_dms = self.rng.poisson(self.params.dm_rate * span);
        for _ in 0..n_dms {
            let at = a + self.rng.below((b - a) as u64) as Millis;
            let kind = DmType::sample(&mut self.rng);
            self.dm(at, kind, out);
        }
        self.flood_dms(a, b, rhythm, out);
        let mentions = self.params.followers as f64 * MENTIONS_PER_FOLLOWER_DAY;
        let n_mentions = self
            .rng
            .poisson(mentions * span * Shadowban::factor_at(&self.shadowbans, a));
        for _ in 0..n_mentions {
            let rng = &mut self.rng;
            let at = a + rng.below((b - a) as u64) as Millis;
            let author = self.audience.pick(rng);
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
        let Instagram {
            niche,
            rng,
            audience,
            media,
            active,
            recent,
            follow_gain,
            texts,
            post_texts,
            controversies,
            ..
        } = self;
        for &idx in active.iter() {
            let m = &mut media[idx as usize];
            let views = m.expected_views(&kernel, a, b) * reach_factor;
            m.pending_views += views;
            *follow_gain += views * FOLLOWS_PER_VIEW;

            if m.kind != Kind::Story {
                comments(
                    m,
                    idx,
                    views,
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
                m.next_metric = a + metric_interval(a - m.published, m.viral_excess(a) > 0.5, rng);
            }

            // Retire posts whose audience has gone.
            m.spikes.retain(|x| !x.faded(b));
            let age = b - m.published;
            let quiet = m.spikes.is_empty()
                && m.excitation.remaining(b, excitation.memory) < 0.05
                && (age >= kernel.horizon()
                    || (age > DAY && m.reach * kernel.rate(age) * HOUR as f64 * 3.0 < 0.5));
            if quiet {
                emit_metrics(m, a, rng, out);
                m.active = false;
                m.threads.clear();
                m.excitation = Default::default();
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
        let invalid = ActionError::Invalid;
        check_known(PLATFORM, map, &["kind", "caption"], "`publish` parameter").map_err(invalid)?;
        let kind = match map.get("kind") {
            None | Some(Value::Null) => Kind::Post,
            Some(Value::String(k)) => Kind::parse(k).ok_or_else(|| {
                invalid(format!(
                    "{PLATFORM}: `publish` `kind` must be post, reel or story (got \"{k}\")"
                ))
            })?,
            Some(other) => {
                return Err(invalid(format!(
                    "{PLATFORM}: `publish` `kind` must be post, reel or story (got {other})"
                )))
            }
        };
        let caption = match map.get("caption") {
            None | Some(Value::Null) => None,
            Some(Value::String(c)) => Some(c.clone()),
            Some(other) => {
                return Err(invalid(format!(
                    "{PLATFORM}: `publish` `caption` must be a string (got {other})"
                )))
            }
        };
        let wait = match kind {
            Kind::Story => self.stories.wait_day(at, STORY_LIMIT),
            _ => self.posts.wait_day(at, POST_LIMIT),
        };
        if let Some(wait) = wait {
            return Err(ActionError::RateLimited(wait));
        }
        Ok(self.publish(at, kind, caption))
    }

    fn creator_interaction(
        &mut self,
        at: Millis,
        kind: &str,
        id: String,
        content_id: Option<String>,
        parent_id: String,
        body: String,
    ) -> Event {
        Event {
            at,
            payload: Payload::Interaction(Interaction {
                id,
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
        let id = instagram_comment_id(&mut self.rng).to_string();
        let offspring = excitation().offspring(self.creator.followers);
        let m = &mut self.media[idx];
        m.comments += 1;
        m.excitation.bump(at, offspring, EXCITATION_MEMORY);
        let content_id = m.id.clone();
        if !m.active && m.kind != Kind::Story {
            m.active = true;
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
        if !self.recent_dms.iter().rev().any(|d| d == dm_id) {
            return Err(ActionError::NotFound(format!(
                "{PLATFORM}: no recent DM `{dm_id}`"
            )));
        }
        let mut id = String::with_capacity(44);
        id.push_str("aWdf");
        push_b64(&mut id, &mut self.rng, 40);
        let parent = dm_id.clone();
        Ok(self.creator_interaction(at, "dm", id, None, parent, body))
    }
}

/// The comments and replies on one post in `[a, b)`: ordinary ones from
/// the `views` there, excited ones from earlier comments.
#[allow(clippy::too_many_arguments)]
fn comments(
    m: &mut Media,
    idx: u32,
    views: f64,
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
    let n_base = rng.poisson(views * m.comment_ratio);
    let n_excited = rng.poisson(m.excitation.expected(a, b, excitation.memory));
    if n_base + n_excited == 0 {
        return;
    }
    let lo = a.max(m.published);
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
        let mut body = String::with_capacity(100);
        let cid = instagram_comment_id(rng);
        let (kind, parent_id) = if !m.threads.is_empty() && rng.chance(reply_share) {
            let parent = &m.threads[rng.below(m.threads.len() as u64) as usize];
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
                        CommentStyle::Instagram,
                        m.seconds,
                        Some(&parent.handle),
                    )
                },
            );
            ("reply", Some(parent.id.to_string()))
        } else {
            m.remember_thread(Thread {
                id: cid,
                handle: author.handle.clone(),
            });
            recent.push_back((cid, idx));
            if recent.len() > RECENT_COMMENTS {
                recent.pop_front();
            }
            let seconds = m.seconds;
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
                        CommentStyle::Instagram,
                        seconds,
                    )
                },
            );
            ("comment", None)
        };
        m.comments += 1;
        out.push(Event {
            at,
            payload: Payload::Interaction(Interaction {
                id: cid.to_string(),
                kind: kind.into(),
                content_id: Some(m.id.clone()),
                parent_id,
                author,
                text: body,
                sentiment: Some(sentiment.as_str().into()),
                dm_type: None,
            }),
        });
    }
    m.excitation.bump(b, offspring, excitation.memory);
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
            interaction_kinds: vec![
                "comment".into(),
                "reply".into(),
                "dm".into(),
                "mention".into(),
            ],
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
            actions: vec!["publish".into(), "reply".into(), "dm_reply".into()],
            // Keyed by action: stories are published through `publish`,
            // the creator's comments are `reply`s; the creator has no like
            // action.
            limits: vec![
                limit("publish", POST_LIMIT),
                limit("publish", STORY_LIMIT),
                limit("reply", COMMENT_LIMIT),
            ],
            params: ParamInfo::from_defaults(&params::defaults_json()).unwrap_or_default(),
            metric_roles: MetricRoles {
                views: Some("views".into()),
                likes: Some("likes".into()),
                comments: Some("comments".into()),
            },
            automatic_share: Some(0.6),
            api_hosts: Vec::new(),
            webhook_formats: Vec::new(),
        }
    }

    fn init(config: &AccountConfig) -> Result<Self, String> {
        let params = Params::parse(&config.params)?;
        let niche = Niche::parse(&config.niche).map_err(|e| format!("{PLATFORM}: {e}"))?;
        let timezone = Timezone::parse(&config.timezone).map_err(|e| format!("{PLATFORM}: {e}"))?;
        let mut rng = Rng::new(config.seed, &format!("instagram/{}", config.profile));
        let mut plan = Rng::new(config.seed, &format!("instagram/{}/plan", config.profile));
        let audience =
            Audience::for_followers(rng.next_u64(), PersonaStyle::Instagram, params.followers);
        let mut creator =
            persona::author_with_followers(&mut rng, PersonaStyle::Instagram, params.followers);
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
        let followers = params.followers.min(i64::MAX as u64) as i64;
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
            followers_reported: followers,
            follow_gain: 0.0,
            follow_loss: 0.0,
            next_followers_metric,
            next_post,
            next_story,
            posts: RateWindow::default(),
            stories: RateWindow::default(),
            own_comments: RateWindow::default(),
            media: Vec::new(),
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
                        .find_media(id)
                        .filter(|&i| self.media[i].active || self.media[i].kind != Kind::Story)
                        .ok_or_else(|| {
                            format!("{PLATFORM}: no post, reel or live story with id `{id}` to make viral")
                        })?,
                    None => self
                        .media
                        .iter()
                        .rposition(|m| m.kind != Kind::Story)
                        .ok_or_else(|| {
                            format!("{PLATFORM}: no post has been published yet, so none can go viral")
                        })?,
                };
                let typical = self.params.followers as f64 * POST_REACH;
                let m = &mut self.media[idx];
                m.spikes.push(Spike::new(at, &p, m.reach.max(typical)));
                m.next_metric = m.next_metric.min(at + 5 * MINUTE);
                if !m.active {
                    m.active = true;
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
                        .find_media(id)
                        .filter(|&i| self.media[i].kind != Kind::Story)
                        .ok_or_else(|| {
                            format!("{PLATFORM}: no post or reel with id `{id}` for `troll_wave`")
                        })?,
                    None => self
                        .media
                        .iter()
                        .rposition(|m| m.kind != Kind::Story)
                        .ok_or_else(|| {
                            format!("{PLATFORM}: no post has been published yet, so `troll_wave` has no target")
                        })?,
                };
                let m = &mut self.media[idx];
                m.next_metric = m.next_metric.min(at + 5 * MINUTE);
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

diorama_sdk::export_platform!(Instagram);

fn post_texts() -> Distinct {
    Distinct::with_capacity(Distinct::POSTS_CAPACITY)
}
