//! Reply threads: the comments under a platform's posts, their replies,
//! the troll waves' comments and the creator's `reply`.
//!
//! A post keeps its [`Discussion`] (its comment count, its
//! self-excitation and the last few top-level comments replies can answer);
//! the account keeps its [`Comments`] (the recent top-level comments the
//! creator can answer, and the texts remembered against verbatim repeats).
//! How comments read, how many are replies and how ids look are the
//! platform's, in its [`CommentRules`].

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::actions::{creator_event, Answer};
use crate::models::limits::RateWindow;
use crate::models::persona::{Audience, Disposition, PersonaStyle};
use crate::models::rng::Rng;
use crate::models::signals::{troll_author, TrollWave};
use crate::models::text::followup::write_followup;
use crate::models::text::{
    self, post_scope, text_rng, write_distinct_scoped, Character, CommentStyle, Distinct, Gist,
    Niche, Said, Sentiment, Voice,
};
use crate::models::timing::{Excitation, SelfExcitation};
use crate::types::{ActionError, Author, Event, Interaction, Millis, Payload, DAY};

use super::signals::ActiveSignals;

/// How many recent top-level comments a post remembers as reply targets.
pub const THREADS: usize = 12;

/// How many recent top-level comments the creator's `reply` can find.
pub const RECENT_COMMENTS: usize = 4096;

/// How many recent top-level comments' authors an account remembers, so
/// that the one the creator answers can write back: a reply to an older
/// comment gets no follow-up.
pub const REMEMBERED_AUTHORS: usize = 256;

/// How many follow-ups may wait at once; a creator replying faster than
/// their audience answers sees the ones past this dropped.
pub const MAX_PENDING: usize = 128;

/// The chance that another reader joins a thread after its author's
/// follow-up, and how long after (log-normal median, minutes).
pub const JOIN_SHARE: f64 = 0.3;
const JOIN_MINUTES: f64 = 20.0;

/// Tries at a comment text that no recent comment has (under the post and
/// across the account) before its ending is varied; a troll wave's, more.
const TEXT_TRIES: u32 = 4;
const TROLL_TEXT_TRIES: u32 = 8;

/// Remember `thread` among a post's reply targets: the last [`THREADS`],
/// the oldest replaced first once they are all taken.
pub fn remember<T>(threads: &mut Vec<T>, next: &mut u8, thread: T) {
    if threads.len() < THREADS {
        threads.push(thread);
    } else {
        let i = *next as usize % THREADS;
        threads[i] = thread;
        *next = ((i + 1) % THREADS) as u8;
    }
}

/// A recent top-level comment: its id and its author's handle (which a
/// reply may open with).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Thread {
    pub id: u64,
    pub handle: String,
    /// What the comment said, for the replies that answer it.
    #[serde(default)]
    pub said: Said,
}

/// The discussion under one post. Flatten it into the post
/// (`#[serde(flatten)]`): its fields keep their names in a snapshot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Discussion {
    /// Comments and replies so far.
    pub comments: i64,
    pub excitation: Excitation,
    /// Recent top-level comments: reply targets.
    pub threads: Vec<Thread>,
    pub thread_next: u8,
    /// What the post is about, read from its title and text when it is
    /// published ([`Gist::read`]); its comments talk about it.
    #[serde(default)]
    pub gist: Gist,
}

impl Discussion {
    pub fn remember(&mut self, thread: Thread) {
        remember(&mut self.threads, &mut self.thread_next, thread);
    }

    /// Forget what only a post still drawing an audience needs.
    pub fn rest(&mut self) {
        self.threads.clear();
        self.excitation = Excitation::default();
    }
}

/// What the kit needs of a platform's post to write its comments.
pub trait Post {
    fn id(&self) -> &str;
    fn published(&self) -> Millis;
    /// The video's length, which comments may quote timestamps into;
    /// `None` for a still post.
    fn seconds(&self) -> Option<u32>;
    fn discussion(&mut self) -> &mut Discussion;
    /// Make it draw an audience again after it went quiet (a reply or a
    /// troll wave revives it); true when it was resting and now is not.
    fn wake(&mut self) -> bool;
}

/// How comments read and thread on a platform.
#[derive(Clone, Copy, Debug)]
pub struct CommentRules {
    /// How comments and replies read.
    pub style: CommentStyle,
    /// How a troll wave's fresh accounts look.
    pub persona: PersonaStyle,
    /// Share of ordinary comments that are replies, and of the ones
    /// earlier comments excite.
    pub reply_share: f64,
    pub excited_reply_share: f64,
    /// How comments breed further comments.
    pub excitation: SelfExcitation,
    /// A fresh comment id.
    pub new_id: fn(&mut Rng) -> u64,
}

/// The account's recent top-level comments and their post's index, for
/// the creator's `reply`: at most [`RECENT_COMMENTS`], newest last.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecentComments<I> {
    list: VecDeque<(I, u32)>,
}

impl<I> Default for RecentComments<I> {
    fn default() -> Self {
        RecentComments {
            list: VecDeque::new(),
        }
    }
}

impl<I: PartialEq> RecentComments<I> {
    pub fn push(&mut self, id: I, post: u32) {
        self.list.push_back((id, post));
        if self.list.len() > RECENT_COMMENTS {
            self.list.pop_front();
        }
    }

    /// The post of the most recent comment `id`, if it is still here.
    pub fn post_of(&self, id: &I) -> Option<usize> {
        self.list
            .iter()
            .rev()
            .find(|(c, _)| c == id)
            .map(|&(_, post)| post as usize)
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

fn post_texts() -> Distinct {
    Distinct::with_capacity(Distinct::POSTS_CAPACITY)
}

/// The account's side of its comments. Flatten it into the platform's
/// state (`#[serde(flatten)]`): its fields keep their names in a snapshot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comments {
    /// Recent top-level comments and their post, for `reply`.
    pub recent: RecentComments<u64>,
    /// The audience's recent comment texts, against repeats.
    pub texts: Distinct,
    /// The recent comment texts of every post, each in the post's scope,
    /// against verbatim repeats under it: one bounded set however many
    /// posts draw comments (a set per post grew with their number).
    #[serde(default = "post_texts")]
    pub post_texts: Distinct,
    /// The authors of the last [`REMEMBERED_AUTHORS`] top-level comments.
    #[serde(default)]
    pub authors: VecDeque<Remembered>,
    /// The follow-ups under way after the creator's replies, at most
    /// [`MAX_PENDING`], soonest first.
    #[serde(default)]
    pub pending: VecDeque<FollowUp>,
}

/// A top-level comment's author, remembered for a follow-up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Remembered {
    pub id: u64,
    pub post: u32,
    pub author: Author,
    pub said: Said,
}

/// A comment the audience will write in a thread the creator answered: the
/// thread's author answering back, or another reader joining.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    pub at: Millis,
    pub post: u32,
    /// The top-level comment the thread hangs from.
    pub thread: u64,
    pub author: Author,
    /// What the thread's comment said.
    pub theirs: Said,
    /// Another reader joining rather than the thread's author.
    #[serde(default)]
    pub joins: bool,
    /// The handle the joining reader answers.
    #[serde(default)]
    pub to: String,
}

impl Default for Comments {
    fn default() -> Self {
        Comments {
            recent: RecentComments::default(),
            texts: Distinct::with_capacity(Distinct::ACCOUNT_CAPACITY),
            post_texts: post_texts(),
            authors: VecDeque::new(),
            pending: VecDeque::new(),
        }
    }
}

/// The audience side of an account, lent to write comments.
pub struct Crowd<'a> {
    pub rules: &'a CommentRules,
    pub niche: Niche,
    pub rng: &'a mut Rng,
    pub audience: &'a mut Audience,
}

/// A comment's event.
#[allow(clippy::too_many_arguments)]
fn comment_event(
    at: Millis,
    id: u64,
    kind: &str,
    content_id: &str,
    parent_id: Option<String>,
    author: Author,
    text: String,
    sentiment: Sentiment,
) -> Event {
    Event {
        at,
        payload: Payload::Interaction(Interaction {
            id: id.to_string(),
            kind: kind.into(),
            content_id: Some(content_id.to_string()),
            parent_id,
            author,
            text,
            sentiment: Some(sentiment.as_str().into()),
            dm_type: None,
        }),
    }
}

impl Comments {
    /// Write a text into `body` that repeats no recent one under post
    /// `idx` nor across the account.
    fn write_text(
        &mut self,
        idx: u32,
        body: &mut String,
        tries: u32,
        write: impl FnMut(&mut String),
    ) {
        write_distinct_scoped(
            &mut [
                (&mut self.post_texts, post_scope(u64::from(idx))),
                (&mut self.texts, 0),
            ],
            body,
            tries,
            write,
        );
    }

    /// A new top-level comment `cid` by `author` on post `idx`: a thread
    /// replies can answer and the creator can find.
    fn open_thread<P: Post>(
        &mut self,
        post: &mut P,
        idx: u32,
        cid: u64,
        author: &Author,
        said: Said,
    ) {
        post.discussion().remember(Thread {
            id: cid,
            handle: author.handle.clone(),
            said,
        });
        self.recent.push(cid, idx);
        if self.authors.len() >= REMEMBERED_AUTHORS {
            self.authors.pop_front();
        }
        self.authors.push_back(Remembered {
            id: cid,
            post: idx,
            author: author.clone(),
            said,
        });
    }

    /// Schedule `f` among the pending follow-ups, soonest first; dropped
    /// when [`MAX_PENDING`] are waiting.
    fn schedule(&mut self, f: FollowUp) {
        if self.pending.len() >= MAX_PENDING {
            return;
        }
        let i = self.pending.partition_point(|p| p.at <= f.at);
        self.pending.insert(i, f);
    }

    /// When the next follow-up is due, for the platform's next-due time.
    pub fn next_followup(&self) -> Option<Millis> {
        self.pending.front().map(|f| f.at)
    }

    /// The follow-ups due before `b`, written at their time (at `a` when a
    /// step skipped past it) under their posts among `posts`: the thread's
    /// author answers the creator in their own voice; now and then another
    /// reader joins the thread after them.
    pub fn followups<P: Post>(
        &mut self,
        posts: &mut [P],
        a: Millis,
        b: Millis,
        crowd: &mut Crowd<'_>,
        out: &mut Vec<Event>,
    ) {
        while self.pending.front().is_some_and(|f| f.at < b) {
            let Some(f) = self.pending.pop_front() else {
                break;
            };
            // An answer due while its author sleeps waits until they are up.
            let up = crowd.audience.awake_from(&f.author.id, f.at);
            if up > f.at {
                self.schedule(FollowUp { at: up, ..f });
                continue;
            }
            let Some(post) = posts.get_mut(f.post as usize) else {
                continue;
            };
            let at = f.at.max(a);
            let (rules, niche) = (crowd.rules, crowd.niche);
            let rng = &mut *crowd.rng;
            let cid = (rules.new_id)(rng);
            let mut trng = text_rng(cid);
            let voice = Voice::of(&f.author.id);
            let gist = post.discussion().gist.clone();
            let seconds = post.seconds();
            let mut body = String::with_capacity(80);
            let mut said = Said::default();
            let sentiment = if f.joins {
                match rng.below(10) {
                    0 => Sentiment::Negative,
                    1..=3 => Sentiment::Neutral,
                    _ => Sentiment::Positive,
                }
            } else {
                match voice.character {
                    Character::Critic | Character::Troll => Sentiment::Negative,
                    _ => Sentiment::Positive,
                }
            };
            self.write_text(f.post, &mut body, TEXT_TRIES, |out| {
                said = if f.joins {
                    text::write_reply(
                        out,
                        &mut trng,
                        niche,
                        sentiment,
                        rules.style,
                        &gist,
                        seconds,
                        &voice,
                        f.theirs,
                        Some(&f.to),
                    )
                } else {
                    write_followup(out, &mut trng, &voice, f.theirs)
                };
            });
            post.discussion().comments += 1;
            if !f.joins && rng.chance(JOIN_SHARE) {
                let minutes = rng.lognormal(JOIN_MINUTES.ln(), 1.0);
                let later = ((minutes * 60_000.0) as Millis).clamp(60_000, DAY);
                let other = crowd.audience.pick_at(rng, at + later);
                self.schedule(FollowUp {
                    at: at + later,
                    post: f.post,
                    thread: f.thread,
                    author: other,
                    theirs: said,
                    joins: true,
                    to: f.author.handle.clone(),
                });
            }
            out.push(comment_event(
                at,
                cid,
                "reply",
                post.id(),
                Some(f.thread.to_string()),
                f.author,
                body,
                sentiment,
            ));
        }
    }

    /// The comments and replies on post `idx` in `[a, b)`: `expected`
    /// ordinary ones, plus the ones earlier comments excite; their
    /// sentiment follows the controversies in `signals`.
    #[allow(clippy::too_many_arguments)]
    pub fn write<P: Post>(
        &mut self,
        post: &mut P,
        idx: u32,
        expected: f64,
        a: Millis,
        b: Millis,
        crowd: &mut Crowd<'_>,
        signals: &ActiveSignals,
        out: &mut Vec<Event>,
    ) {
        let (rules, niche) = (crowd.rules, crowd.niche);
        let rng = &mut *crowd.rng;
        let audience = &mut *crowd.audience;
        let excitation = &rules.excitation;
        let n_base = rng.poisson(expected);
        let n_excited = rng.poisson(
            post.discussion()
                .excitation
                .expected(a, b, excitation.memory),
        );
        if n_base + n_excited == 0 {
            return;
        }
        let lo = a.max(post.published());
        let seconds = post.seconds();
        let mut offspring = 0.0;
        for k in 0..n_base + n_excited {
            let reply_share = if k >= n_base {
                rules.excited_reply_share
            } else {
                rules.reply_share
            };
            let at = lo + rng.below((b - lo).max(1) as u64) as Millis;
            let author = audience.pick_at(rng, at);
            offspring += excitation.offspring(author.followers);
            let sentiment = signals.sentiment(rng, at);
            let mut body = String::with_capacity(100);
            let cid = (rules.new_id)(rng);
            // The text draws from its own generator, seeded by the
            // comment's id, in its author's voice, about its post.
            let mut trng = text_rng(cid);
            let voice = Voice::of(&author.id);
            let talk = post.discussion();
            let gist = talk.gist.clone();
            let (kind, parent_id) = if !talk.threads.is_empty() && rng.chance(reply_share) {
                let parent = &talk.threads[rng.below(talk.threads.len() as u64) as usize];
                let (pid, handle, said) = (parent.id, parent.handle.clone(), parent.said);
                self.write_text(idx, &mut body, TEXT_TRIES, |out| {
                    text::write_reply(
                        out,
                        &mut trng,
                        niche,
                        sentiment,
                        rules.style,
                        &gist,
                        seconds,
                        &voice,
                        said,
                        Some(&handle),
                    );
                });
                ("reply", Some(pid.to_string()))
            } else {
                let mut said = Said::default();
                self.write_text(idx, &mut body, TEXT_TRIES, |out| {
                    said = text::write_comment(
                        out,
                        &mut trng,
                        niche,
                        sentiment,
                        rules.style,
                        &gist,
                        seconds,
                        &voice,
                    );
                });
                self.open_thread(post, idx, cid, &author, said);
                ("comment", None)
            };
            post.discussion().comments += 1;
            out.push(comment_event(
                at,
                cid,
                kind,
                post.id(),
                parent_id,
                author,
                body,
                sentiment,
            ));
        }
        post.discussion()
            .excitation
            .bump(b, offspring, excitation.memory);
    }

    /// The comments of the troll waves under way in `[a, b)`, on their
    /// targets among `posts`: negative, from fresh accounts with under 100
    /// followers. A target at rest joins `active` again; waves that have
    /// written all their comments are retired.
    #[allow(clippy::too_many_arguments)]
    pub fn trolls<P: Post>(
        &mut self,
        trolls: &mut Vec<(u32, TrollWave)>,
        posts: &mut [P],
        active: &mut Vec<u32>,
        rules: &CommentRules,
        niche: Niche,
        rng: &mut Rng,
        a: Millis,
        b: Millis,
        out: &mut Vec<Event>,
    ) {
        for (idx, wave) in trolls.iter_mut() {
            let n = wave.due(b);
            let Some(post) = posts.get_mut(*idx as usize) else {
                continue;
            };
            if n > 0 && post.wake() {
                active.push(*idx);
            }
            let seconds = post.seconds();
            for _ in 0..n {
                let at = wave.time_in(rng, a, b);
                let author = troll_author(rng, rules.persona);
                let cid = (rules.new_id)(rng);
                let mut trng = text_rng(cid);
                let voice = Voice::of(&author.id);
                let gist = post.discussion().gist.clone();
                let mut said = Said::default();
                let mut body = String::with_capacity(100);
                self.write_text(*idx, &mut body, TROLL_TEXT_TRIES, |out| {
                    said = text::write_comment(
                        out,
                        &mut trng,
                        niche,
                        Sentiment::Negative,
                        rules.style,
                        &gist,
                        seconds,
                        &voice,
                    );
                });
                self.open_thread(post, *idx, cid, &author, said);
                post.discussion().comments += 1;
                out.push(comment_event(
                    at,
                    cid,
                    "comment",
                    post.id(),
                    None,
                    author,
                    body,
                    Sentiment::Negative,
                ));
            }
        }
        trolls.retain(|(_, w)| !w.done());
    }

    /// The creator's `reply` {comment_id, text} at `at` to a recent
    /// top-level comment among `posts`: at most `limit` of the creator's
    /// comments in 24 hours (`own` counts them). The reply excites the
    /// discussion as a comment by an author with the creator's followers
    /// would, and wakes a post at rest.
    #[allow(clippy::too_many_arguments)]
    pub fn creator_reply<P: Post>(
        &mut self,
        platform: &str,
        at: Millis,
        params: &Map<String, Value>,
        own: &mut RateWindow,
        limit: u32,
        rules: &CommentRules,
        rng: &mut Rng,
        creator: &Author,
        posts: &mut [P],
        active: &mut Vec<u32>,
    ) -> Result<Event, ActionError> {
        let answer = Answer::parse(platform, "reply", "comment_id", params)?;
        let not_found =
            || ActionError::NotFound(format!("{platform}: no recent comment `{}`", answer.to));
        let thread: u64 = answer.to.parse().map_err(|_| not_found())?;
        let idx = self.recent.post_of(&thread).ok_or_else(not_found)?;
        if let Some(wait) = own.wait_day(at, limit) {
            return Err(ActionError::RateLimited(wait));
        }
        own.record(at);
        let id = (rules.new_id)(rng);
        let offspring = rules.excitation.offspring(creator.followers);
        let post = posts
            .get_mut(idx)
            .ok_or_else(|| ActionError::NotFound(format!("{platform}: no post for `{thread}`")))?;
        let talk = post.discussion();
        talk.comments += 1;
        talk.excitation.bump(at, offspring, rules.excitation.memory);
        let content_id = post.id().to_string();
        if post.wake() {
            active.push(idx as u32);
        }
        // The comment's author may answer, as their disposition has it.
        if let Some(r) = self.authors.iter().rev().find(|r| r.id == thread) {
            let disposition = Disposition::of(Voice::of(&r.author.id).character);
            if rng.chance(disposition.answers) {
                let f = FollowUp {
                    at: at + disposition.delay(rng),
                    post: idx as u32,
                    thread,
                    author: r.author.clone(),
                    theirs: r.said,
                    joins: false,
                    to: String::new(),
                };
                self.schedule(f);
            }
        }
        Ok(creator_event(
            at,
            "reply",
            id.to_string(),
            Some(content_id),
            thread.to_string(),
            creator,
            answer.text,
        ))
    }
}
