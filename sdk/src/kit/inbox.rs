//! The DM inbox: direct messages arriving by type (the 40/30/15/10/5
//! fan/question/collaboration/spam/criticism mix, plus a brand-deal
//! flood's extra collaboration DMs), the creator's `dm_reply` in a
//! conversation, the fan's answers, and the creator's `send_offer` into
//! the [funnel](super::funnel). How message ids look is the platform's
//! ([`MessageId`], and the function that draws a fresh one).
//!
//! # Conversations
//!
//! The inbox remembers who wrote each of the last [`RECENT_SENDERS`] DMs
//! (the author, so their voice, and why they wrote). When the creator
//! answers one with `dm_reply`, the fan may answer back, in character
//! (the same author, the same [`Voice`], text from
//! [`text::conversation`]), after a log-normal delay: a median of 20
//! minutes, most within the hour, some after several hours (between 1
//! minute and 16 hours). Some never answer: the chance is, by why they
//! wrote, fan 70 %, question 85 %, collaboration 75 %, criticism 50 %,
//! spam 15 %, lower on each later turn (× 0.8 a turn, at most
//! [`MAX_TURNS`] answers), and higher after a warm reply than after a curt
//! one (× (0.6 + 0.8 · [`tone`](super::funnel::tone)), at most 95 %).
//! Someone who asked follows up with another question more often than not
//! on the first turn (55 %, then 30 %); others ask something 12 % of the
//! time. The fan's answer is a `dm` whose parent is the creator's reply,
//! with the conversation's `dm_type`, and is itself a recent DM the
//! creator can answer, so a conversation runs several turns. At most
//! [`OPEN_ANSWERS`] answers wait at once; past that a fan does not answer.
//! The draws of an answer come from a generator seeded by the creator's
//! reply id, so an account whose creator never answers draws exactly
//! what it drew before conversations existed.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::actions::{creator_event, Answer};
use super::funnel::{self, Funnel, Lead, OfferTo};
use crate::models::persona::Audience;
use crate::models::rng::fnv1a;
use crate::models::rng::Rng;
use crate::models::text::conversation::{self, Cue};
use crate::models::text::{self, DmType, Niche, Voice};
use crate::types::{ActionError, Author, Event, Interaction, Millis, Payload, DAY, HOUR, MINUTE};

/// How many recent DMs `dm_reply` can find.
pub const RECENT_DMS: usize = 4096;
/// How many recent DMs' senders the inbox remembers (for the fan's
/// answers and offers).
pub const RECENT_SENDERS: usize = 1024;
/// The most fans' answers waiting to be written at once.
pub const OPEN_ANSWERS: usize = 256;
/// The most answers a fan writes in one conversation.
pub const MAX_TURNS: u8 = 8;

/// A message id as the inbox keeps it.
pub trait MessageId: Clone + PartialEq {
    /// The id in events.
    fn to_id(&self) -> String;
    /// An id given to `dm_reply`; `None` when it cannot be one.
    fn parse(id: &str) -> Option<Self>;
}

/// A numeric id.
impl MessageId for u64 {
    fn to_id(&self) -> String {
        self.to_string()
    }

    fn parse(id: &str) -> Option<Self> {
        id.parse().ok()
    }
}

/// An id of any text.
impl MessageId for String {
    fn to_id(&self) -> String {
        self.clone()
    }

    fn parse(id: &str) -> Option<Self> {
        Some(id.to_string())
    }
}

/// Who wrote a recent DM, and where their conversation stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sender {
    /// The DM's id.
    pub dm: String,
    /// When the conversation's first DM came.
    pub opened: Millis,
    pub author: Author,
    /// Why they wrote (the conversation's first DM).
    pub kind: DmType,
    /// The fan's answers so far in this conversation.
    pub turn: u8,
    /// When the creator first answered the conversation.
    pub answered: Option<Millis>,
    /// The tone of the creator's last reply (0 to 1).
    pub tone: f64,
}

/// A fan's answer to come.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Due {
    at: Millis,
    /// The creator's reply it answers.
    to: String,
    follow_up: bool,
    sender: Sender,
}

/// The recent DMs' ids (newest last), their senders, the fans' answers
/// to come and the funnel.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Inbox<I> {
    recent: VecDeque<I>,
    senders: VecDeque<Sender>,
    answers: VecDeque<Due>,
    funnel: Funnel,
}

/// An inbox as snapshots hold it: the list of ids alone (before
/// conversations), or every part.
#[derive(Deserialize)]
#[serde(untagged)]
enum Stored<I> {
    Ids(VecDeque<I>),
    Full {
        recent: VecDeque<I>,
        #[serde(default)]
        senders: VecDeque<Sender>,
        #[serde(default)]
        answers: VecDeque<Due>,
        #[serde(default)]
        funnel: Funnel,
    },
}

impl<'de, I: Deserialize<'de>> Deserialize<'de> for Inbox<I> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Stored::deserialize(d)? {
            Stored::Ids(recent) => Inbox {
                recent,
                ..Inbox::empty()
            },
            Stored::Full {
                recent,
                senders,
                answers,
                funnel,
            } => Inbox {
                recent,
                senders,
                answers,
                funnel,
            },
        })
    }
}

impl<I> Inbox<I> {
    fn empty() -> Self {
        Inbox {
            recent: VecDeque::new(),
            senders: VecDeque::new(),
            answers: VecDeque::new(),
            funnel: Funnel::default(),
        }
    }
}

impl<I> Default for Inbox<I> {
    fn default() -> Self {
        Inbox::empty()
    }
}

/// Who writes to the creator, and how often.
pub struct Senders<'a, I> {
    pub niche: Niche,
    pub rng: &'a mut Rng,
    pub audience: &'a mut Audience,
    /// DMs a day at the peak of the daily rhythm.
    pub dm_rate: f64,
    /// A fresh message id.
    pub new_id: fn(&mut Rng) -> I,
}

/// The chance that a fan answers the creator's reply on `turn` (their
/// answers so far) after a reply of `tone`.
pub fn answer_chance(kind: DmType, turn: u8, tone: f64) -> f64 {
    if turn >= MAX_TURNS {
        return 0.0;
    }
    let base = match kind {
        DmType::Fan => 0.70,
        DmType::Question => 0.85,
        DmType::Collaboration => 0.75,
        DmType::Criticism => 0.50,
        DmType::Spam => 0.15,
    };
    (base * 0.8f64.powi(i32::from(turn)) * (0.6 + 0.8 * tone.clamp(0.0, 1.0))).min(0.95)
}

impl<I: MessageId> Inbox<I> {
    /// The DMs arriving in `[a, b)` at the daily `rhythm`: `dm_rate` a day
    /// in the usual mix, then `flood_extra` times the usual collaboration
    /// DMs more (see [`super::signals::ActiveSignals::flood_extra`]).
    pub fn arrivals(
        &mut self,
        from: &mut Senders<'_, I>,
        a: Millis,
        b: Millis,
        rhythm: f64,
        flood_extra: f64,
        out: &mut Vec<Event>,
    ) {
        let span = (b - a) as f64 / DAY as f64 * rhythm;
        let n = from.rng.poisson(from.dm_rate * span);
        for _ in 0..n {
            let at = a + from.rng.below((b - a) as u64) as Millis;
            let kind = DmType::sample(from.rng);
            self.receive(from, at, kind, out);
        }
        if flood_extra <= 0.0 {
            return;
        }
        let n = from
            .rng
            .poisson(from.dm_rate * span * DmType::MIX[2] * flood_extra);
        for _ in 0..n {
            let at = a + from.rng.below((b - a) as u64) as Millis;
            self.receive(from, at, DmType::Collaboration, out);
        }
    }

    /// One DM of `kind` at `at`.
    pub fn receive(
        &mut self,
        from: &mut Senders<'_, I>,
        at: Millis,
        kind: DmType,
        out: &mut Vec<Event>,
    ) {
        let rng = &mut *from.rng;
        let author = from.audience.pick_at(rng, at);
        let id = (from.new_id)(rng);
        let event_id = id.to_id();
        // The text draws from its own generator, seeded by the message's
        // id, in its sender's voice.
        let mut trng = text::text_rng(fnv1a(event_id.as_bytes()));
        let voice = Voice::of(&author.id);
        let body = text::dm(&mut trng, from.niche, kind, &voice);
        self.remember(
            id,
            Sender {
                dm: event_id.clone(),
                opened: at,
                author: author.clone(),
                kind,
                turn: 0,
                answered: None,
                tone: 0.0,
            },
        );
        out.push(Event {
            at,
            payload: Payload::Interaction(Interaction {
                id: event_id,
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

    /// Whether `id` is among the recent DMs.
    pub fn knows(&self, id: &str) -> bool {
        I::parse(id).is_some_and(|id| self.recent.iter().rev().any(|x| *x == id))
    }

    pub fn len(&self) -> usize {
        self.recent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.recent.is_empty()
    }

    fn remember(&mut self, id: I, sender: Sender) {
        self.recent.push_back(id);
        if self.recent.len() > RECENT_DMS {
            self.recent.pop_front();
        }
        self.senders.push_back(sender);
        if self.senders.len() > RECENT_SENDERS {
            self.senders.pop_front();
        }
    }

    /// The sender of the recent DM `dm`, if remembered.
    pub fn sender(&self, dm: &str) -> Option<&Sender> {
        self.senders.iter().rev().find(|s| s.dm == dm)
    }

    /// The latest state of the conversation `s` belongs to.
    fn latest(&self, s: &Sender) -> Option<&Sender> {
        self.senders
            .iter()
            .rev()
            .find(|x| x.author.id == s.author.id && x.opened == s.opened)
    }

    /// The fans' answers waiting to be written.
    pub fn answers_due(&self) -> usize {
        self.answers.len()
    }

    /// The funnel: offers awaiting a decision, subscriptions under way.
    pub fn funnel(&self) -> &Funnel {
        &self.funnel
    }

    /// The creator's `dm_reply` {dm_id, text} at `at` to a recent DM: a
    /// `dm` by the creator whose parent is that DM. When the inbox
    /// remembers who wrote it, the fan's answer may follow (see the
    /// module doc).
    pub fn reply(
        &mut self,
        platform: &str,
        at: Millis,
        params: &Map<String, Value>,
        rng: &mut Rng,
        new_id: fn(&mut Rng) -> I,
        creator: &Author,
    ) -> Result<Event, ActionError> {
        let answer = Answer::parse(platform, "dm_reply", "dm_id", params)?;
        if !self.knows(answer.to) {
            return Err(ActionError::NotFound(format!(
                "{platform}: no recent DM `{}`",
                answer.to
            )));
        }
        let id = new_id(rng).to_id();
        let parent = answer.to.to_string();
        let warmth = funnel::tone(&answer.text);
        self.converse(at, &parent, &id, warmth);
        Ok(creator_event(
            at,
            "dm",
            id,
            None,
            parent,
            creator,
            answer.text,
        ))
    }

    /// Note the creator's reply `reply_id` of `warmth` to the DM `dm`, and
    /// draw whether and when the fan answers it.
    fn converse(&mut self, at: Millis, dm: &str, reply_id: &str, warmth: f64) {
        let Some(i) = self.senders.iter().rposition(|s| s.dm == dm) else {
            return;
        };
        let (author, opened) = {
            let s = &self.senders[i];
            (s.author.id.clone(), s.opened)
        };
        // Every remembered DM of this conversation learns of the reply.
        for s in self
            .senders
            .iter_mut()
            .filter(|s| s.author.id == author && s.opened == opened)
        {
            s.answered.get_or_insert(at);
            s.tone = warmth;
        }
        let sender = self.senders[i].clone();
        let mut crng = Rng::new(fnv1a(reply_id.as_bytes()), "conversation");
        if self.answers.len() >= OPEN_ANSWERS
            || !crng.chance(answer_chance(sender.kind, sender.turn, warmth))
        {
            return;
        }
        let asks = match sender.kind {
            DmType::Question if sender.turn == 0 => 0.55,
            DmType::Question => 0.30,
            _ => 0.12,
        };
        let follow_up = crng.chance(asks);
        let delay = (crng.lognormal((20.0f64).ln(), 1.3) * MINUTE as f64)
            .clamp(MINUTE as f64, 16.0 * HOUR as f64) as Millis;
        let due = Due {
            at: at + delay,
            to: reply_id.to_string(),
            follow_up,
            sender,
        };
        let j = self.answers.partition_point(|x| x.at <= due.at);
        self.answers.insert(j, due);
    }

    /// The creator's `send_offer` {dm_id | author, tier, price, currency,
    /// billing?} at `at` (see [`funnel`](super::funnel)): an `offer` by the
    /// creator whose parent is the DM named (or the author's latest DM),
    /// drawn on the conversation as it stands; the fan's decision
    /// comes later through [`Inbox::step`].
    pub fn offer(
        &mut self,
        platform: &str,
        at: Millis,
        params: &Map<String, Value>,
        rng: &mut Rng,
        new_id: fn(&mut Rng) -> I,
        creator: &Author,
    ) -> Result<Event, ActionError> {
        let (to, terms) = funnel::parse_offer(platform, params)?;
        let found = match &to {
            OfferTo::Dm(dm) => self.sender(dm).and_then(|s| self.latest(s)),
            OfferTo::Author(a) => {
                let bare = a.trim_start_matches('@');
                self.senders
                    .iter()
                    .rev()
                    .find(|s| s.author.id == *a || s.author.handle.trim_start_matches('@') == bare)
            }
        };
        let Some(sender) = found.cloned() else {
            return Err(ActionError::NotFound(match to {
                OfferTo::Dm(dm) => format!(
                    "{platform}: no recent DM `{dm}` (of the last {RECENT_SENDERS}) to send an offer to"
                ),
                OfferTo::Author(a) => format!(
                    "{platform}: no recent DM (of the last {RECENT_SENDERS}) from `{a}` to send an offer to"
                ),
            }));
        };
        let first_answer = sender.answered.unwrap_or(at).min(at) - sender.opened;
        let lead = Lead {
            author: &sender.author,
            kind: sender.kind,
            first_answer,
            tone: if sender.answered.is_some() {
                sender.tone
            } else {
                0.0
            },
            turns: sender.turn,
        };
        // The offer answers the DM named, or the author's latest.
        let parent = match &to {
            OfferTo::Dm(dm) => dm.as_str(),
            OfferTo::Author(_) => sender.dm.as_str(),
        };
        let id = new_id(rng).to_id();
        self.funnel
            .offer(platform, at, id, parent, lead, terms, creator)
    }

    /// When the next fan's answer, decision, renewal or cancellation is
    /// due, if any.
    pub fn next_due(&self) -> Option<Millis> {
        let a = self.answers.front().map(|d| d.at);
        match (a, self.funnel.next_due()) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        }
    }

    /// The fans' answers and the funnel's events due in `[a, b)`.
    pub fn step(
        &mut self,
        niche: Niche,
        a: Millis,
        b: Millis,
        new_id: fn(&mut Rng) -> I,
        out: &mut Vec<Event>,
    ) {
        while self.answers.front().is_some_and(|d| d.at < b) {
            let Some(due) = self.answers.pop_front() else {
                break;
            };
            let at = due.at.max(a);
            let mut crng = Rng::new(fnv1a(due.to.as_bytes()), "answer");
            let id = new_id(&mut crng);
            let event_id = id.to_id();
            let mut trng = text::text_rng(fnv1a(event_id.as_bytes()));
            let voice = Voice::of(&due.sender.author.id);
            let turn = due.sender.turn + 1;
            let cue = if due.follow_up {
                Cue::FollowUp
            } else {
                Cue::Answer
            };
            let body = conversation::answer(&mut trng, niche, due.sender.kind, &voice, turn, cue);
            let kind = due.sender.kind;
            let author = due.sender.author.clone();
            self.remember(
                id,
                Sender {
                    dm: event_id.clone(),
                    turn,
                    ..due.sender
                },
            );
            out.push(Event {
                at,
                payload: Payload::Interaction(Interaction {
                    id: event_id,
                    kind: "dm".into(),
                    content_id: None,
                    parent_id: Some(due.to),
                    author,
                    text: body,
                    sentiment: Some(kind.sentiment().as_str().into()),
                    dm_type: Some(kind.as_str().into()),
                }),
            });
        }
        if !self.funnel.is_empty() {
            let mut id = |r: &mut Rng| new_id(r).to_id();
            self.funnel.step(a, b, &mut id, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::persona::PersonaStyle;
    use serde_json::json;

    fn numeric(rng: &mut Rng) -> u64 {
        1_000 + rng.below(1_000_000)
    }

    fn senders<'a>(rng: &'a mut Rng, audience: &'a mut Audience) -> Senders<'a, u64> {
        Senders {
            niche: Niche::parse("tech").unwrap(),
            rng,
            audience,
            dm_rate: 240.0,
            new_id: numeric,
        }
    }

    fn dm_types(events: &[Event]) -> Vec<String> {
        events
            .iter()
            .filter_map(|e| match &e.payload {
                Payload::Interaction(i) => i.dm_type.clone(),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn dms_arrive_in_their_window_and_a_flood_adds_collaborations() {
        let mut rng = Rng::new(1, "inbox");
        let mut audience = Audience::for_followers(7, PersonaStyle::GENERIC, 10_000);
        let mut inbox = Inbox::<u64>::default();
        let mut out = Vec::new();
        inbox.arrivals(
            &mut senders(&mut rng, &mut audience),
            0,
            DAY,
            1.0,
            0.0,
            &mut out,
        );
        assert!((150..330).contains(&out.len()), "{}", out.len());
        assert!(out.iter().all(|e| (0..DAY).contains(&e.at)));
        assert_eq!(inbox.len(), out.len());
        let usual = dm_types(&out)
            .iter()
            .filter(|t| *t == "collaboration")
            .count();
        let mut flooded = Vec::new();
        inbox.arrivals(
            &mut senders(&mut rng, &mut audience),
            DAY,
            2 * DAY,
            1.0,
            9.0,
            &mut flooded,
        );
        let collaborations = dm_types(&flooded)
            .iter()
            .filter(|t| *t == "collaboration")
            .count();
        assert!(
            collaborations > 5 * usual.max(1),
            "{collaborations} vs {usual}"
        );
    }

    #[test]
    fn the_creator_answers_a_recent_dm_only() {
        let mut rng = Rng::new(2, "inbox");
        let mut audience = Audience::for_followers(7, PersonaStyle::GENERIC, 10_000);
        let mut inbox = Inbox::<u64>::default();
        let mut out = Vec::new();
        let creator = crate::models::persona::author(&mut rng, PersonaStyle::GENERIC);
        inbox.receive(
            &mut senders(&mut rng, &mut audience),
            HOUR,
            DmType::Fan,
            &mut out,
        );
        let Payload::Interaction(dm) = &out[0].payload else {
            panic!("{out:?}")
        };
        let map = json!({"dm_id": dm.id, "text": "thank you"});
        let map = map.as_object().unwrap();
        let e = inbox
            .reply("p", 2 * HOUR, map, &mut rng, numeric, &creator)
            .unwrap();
        let Payload::Interaction(r) = &e.payload else {
            panic!("{e:?}")
        };
        assert_eq!(
            (r.kind.as_str(), r.parent_id.as_deref()),
            ("dm", Some(dm.id.as_str()))
        );
        assert_eq!(
            (r.author.id.as_str(), e.at),
            (creator.id.as_str(), 2 * HOUR)
        );
        for id in ["1", "x"] {
            let map = json!({"dm_id": id, "text": "hi"});
            let e = inbox.reply(
                "p",
                HOUR,
                map.as_object().unwrap(),
                &mut rng,
                numeric,
                &creator,
            );
            assert!(matches!(e, Err(ActionError::NotFound(m)) if m.contains(id)));
        }
        let map = json!({"dm_id": dm.id});
        let e = inbox.reply(
            "p",
            HOUR,
            map.as_object().unwrap(),
            &mut rng,
            numeric,
            &creator,
        );
        assert!(matches!(e, Err(ActionError::Invalid(m)) if m.contains("`text`")));
    }

    #[test]
    fn the_inbox_keeps_the_recent_dms_and_restores_a_former_snapshot() {
        let mut rng = Rng::new(3, "inbox");
        let mut audience = Audience::for_followers(7, PersonaStyle::GENERIC, 10_000);
        let mut inbox = Inbox::<u64>::default();
        let mut out = Vec::new();
        let mut from = senders(&mut rng, &mut audience);
        for _ in 0..RECENT_DMS + 10 {
            inbox.receive(&mut from, 0, DmType::Spam, &mut out);
        }
        assert_eq!(inbox.len(), RECENT_DMS);
        assert_eq!(inbox.senders.len(), RECENT_SENDERS);
        let Payload::Interaction(first) = &out[0].payload else {
            panic!()
        };
        assert!(!inbox.knows(&first.id));
        let json = serde_json::to_string(&inbox).unwrap();
        let back: Inbox<u64> = serde_json::from_str(&json).unwrap();
        assert!(back == inbox);
        // A snapshot from before conversations: the list of ids alone.
        let ids = serde_json::to_string(&inbox.recent).unwrap();
        let former: Inbox<u64> = serde_json::from_str(&ids).unwrap();
        assert_eq!((former.len(), former.senders.len()), (RECENT_DMS, 0));
    }

    /// A conversation of several turns: the creator answers every answer
    /// warmly and at once; the fan keeps the same author, voice and DM type.
    fn converse(seed: u64, kind: DmType, text: &str) -> (Vec<Event>, Inbox<u64>) {
        let mut rng = Rng::new(seed, "inbox");
        let mut audience = Audience::for_followers(7, PersonaStyle::GENERIC, 10_000);
        let mut inbox = Inbox::<u64>::default();
        let creator = crate::models::persona::author(&mut rng, PersonaStyle::GENERIC);
        let mut out = Vec::new();
        inbox.receive(&mut senders(&mut rng, &mut audience), 0, kind, &mut out);
        let niche = Niche::parse("tech").unwrap();
        let mut last = out[0].clone();
        for _ in 0..12 {
            let Payload::Interaction(dm) = &last.payload else {
                panic!()
            };
            let map = json!({"dm_id": dm.id, "text": text});
            let r = inbox
                .reply(
                    "p",
                    last.at + MINUTE,
                    map.as_object().unwrap(),
                    &mut rng,
                    numeric,
                    &creator,
                )
                .unwrap();
            out.push(r.clone());
            let Some(due) = inbox.next_due() else { break };
            assert!(
                due >= r.at + MINUTE && due <= r.at + 16 * HOUR,
                "{}",
                due - r.at
            );
            let mut answers = Vec::new();
            inbox.step(niche, r.at, due + 1, numeric, &mut answers);
            assert_eq!(answers.len(), 1);
            last = answers[0].clone();
            out.push(last.clone());
        }
        (out, inbox)
    }

    #[test]
    fn a_fan_answers_in_character_over_several_turns() {
        let mut turns = 0;
        for seed in 0..20 {
            let (events, _) = converse(
                seed,
                DmType::Question,
                "Great question, thanks! You should start small, happy to help.",
            );
            let fan: Vec<&Interaction> = events
                .iter()
                .filter_map(|e| match &e.payload {
                    Payload::Interaction(i) if i.author.handle != events_creator(&events) => {
                        Some(i)
                    }
                    _ => None,
                })
                .collect();
            let first = fan[0];
            for i in &fan {
                assert_eq!(i.author, first.author);
                assert_eq!(i.dm_type.as_deref(), Some("question"));
                assert_eq!(Voice::of(&i.author.id), Voice::of(&first.author.id));
                if Voice::of(&i.author.id).lower {
                    assert_eq!(i.text, i.text.to_lowercase());
                }
            }
            // Each answer's parent is the creator's reply just before it.
            for w in events.windows(2) {
                if let (Payload::Interaction(r), Payload::Interaction(a)) =
                    (&w[0].payload, &w[1].payload)
                {
                    if a.author == first.author && a.parent_id.is_some() {
                        assert_eq!(a.parent_id.as_deref(), Some(r.id.as_str()));
                        assert!(w[1].at > w[0].at);
                    }
                }
            }
            turns += fan.len() - 1;
        }
        // Several turns on average, bounded by MAX_TURNS.
        assert!(turns >= 40 && turns <= 20 * MAX_TURNS as usize, "{turns}");
    }

    fn events_creator(events: &[Event]) -> String {
        match &events[1].payload {
            Payload::Interaction(i) => i.author.handle.clone(),
            _ => String::new(),
        }
    }

    #[test]
    fn curt_replies_get_fewer_answers_than_warm_ones() {
        let count = |text: &str| -> usize {
            (0..200)
                .map(|seed| converse(seed, DmType::Fan, text).0.len())
                .sum()
        };
        let warm = count("Thank you so much, it means a lot that you watch! ❤️");
        let curt = count("ok");
        assert!(warm > curt * 3 / 2, "{warm} vs {curt}");
    }

    #[test]
    fn offers_convert_by_reply_speed_and_tone_and_subscriptions_renew_or_cancel() {
        let run = |reply_after: Millis, text: &str| -> (usize, usize, usize) {
            let (mut subs, mut renewed, mut cancelled) = (0, 0, 0);
            for seed in 0..400u64 {
                let mut rng = Rng::new(seed, "inbox");
                let mut audience = Audience::for_followers(7, PersonaStyle::GENERIC, 10_000);
                let mut inbox = Inbox::<u64>::default();
                let creator = crate::models::persona::author(&mut rng, PersonaStyle::GENERIC);
                let mut out = Vec::new();
                inbox.receive(
                    &mut senders(&mut rng, &mut audience),
                    0,
                    DmType::Fan,
                    &mut out,
                );
                let Payload::Interaction(dm) = &out[0].payload else {
                    panic!()
                };
                let dm = dm.id.clone();
                let map = json!({"dm_id": dm, "text": text});
                inbox
                    .reply(
                        "p",
                        reply_after,
                        map.as_object().unwrap(),
                        &mut rng,
                        numeric,
                        &creator,
                    )
                    .unwrap();
                let offer = json!({"dm_id": dm, "tier": "member", "price": 500, "currency": "USD"});
                let e = inbox
                    .offer(
                        "p",
                        reply_after + MINUTE,
                        offer.as_object().unwrap(),
                        &mut rng,
                        numeric,
                        &creator,
                    )
                    .unwrap();
                let Payload::Interaction(o) = &e.payload else {
                    panic!()
                };
                assert_eq!(
                    (o.kind.as_str(), o.parent_id.as_deref()),
                    ("offer", Some(dm.as_str()))
                );
                let mut later = Vec::new();
                inbox.step(
                    Niche::Tech,
                    reply_after,
                    reply_after + 100 * DAY,
                    numeric,
                    &mut later,
                );
                for e in &later {
                    if let Payload::Interaction(i) = &e.payload {
                        match i.kind.as_str() {
                            "subscribed" => subs += 1,
                            "renewed" => renewed += 1,
                            "cancelled" => cancelled += 1,
                            _ => {}
                        }
                    }
                }
            }
            (subs, renewed, cancelled)
        };
        let fast = run(
            2 * MINUTE,
            "Thank you so much for writing! So glad you enjoy it, happy to help you.",
        );
        let slow = run(2 * DAY, "ok");
        assert!(
            fast.0 >= 40 && fast.0 > 5 * slow.0.max(1),
            "{fast:?} vs {slow:?}"
        );
        // Churn at renewals near MONTHLY_CHURN.
        let churn = fast.2 as f64 / (fast.1 + fast.2) as f64;
        assert!((0.01..0.2).contains(&churn), "{churn}");
        // No reply remembered: an unknown DM is refused.
        let mut inbox = Inbox::<u64>::default();
        let mut rng = Rng::new(1, "x");
        let creator = crate::models::persona::author(&mut rng, PersonaStyle::GENERIC);
        let offer = json!({"dm_id": "5", "tier": "member", "price": 500, "currency": "USD"});
        let e = inbox.offer(
            "p",
            0,
            offer.as_object().unwrap(),
            &mut rng,
            numeric,
            &creator,
        );
        assert!(matches!(e, Err(ActionError::NotFound(m)) if m.contains("`5`")));
    }
}
