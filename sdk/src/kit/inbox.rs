//! The DM inbox: direct messages arriving by type (the 40/30/15/10/5
//! fan/question/collaboration/spam/criticism mix, plus a brand-deal
//! flood's extra collaboration DMs), and the creator's `dm_reply` in a
//! conversation. How message ids look is the platform's
//! ([`MessageId`], and the function that draws a fresh one).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::actions::{creator_event, Answer};
use crate::models::persona::Audience;
use crate::models::rng::fnv1a;
use crate::models::rng::Rng;
use crate::models::text::{self, DmType, Niche, Voice};
use crate::types::{ActionError, Author, Event, Interaction, Millis, Payload, DAY};

/// How many recent DMs `dm_reply` can find.
pub const RECENT_DMS: usize = 4096;

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

/// The recent DMs' ids, newest last. In a snapshot, the list itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Inbox<I> {
    recent: VecDeque<I>,
}

impl<I> Default for Inbox<I> {
    fn default() -> Self {
        Inbox {
            recent: VecDeque::new(),
        }
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
        let author = from.audience.pick(rng);
        let id = (from.new_id)(rng);
        let event_id = id.to_id();
        // The text draws from its own generator, seeded by the message's
        // id, in its sender's voice.
        let mut trng = text::text_rng(fnv1a(event_id.as_bytes()));
        let voice = Voice::of(&author.id);
        let body = text::dm(&mut trng, from.niche, kind, &voice);
        self.recent.push_back(id);
        if self.recent.len() > RECENT_DMS {
            self.recent.pop_front();
        }
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

    /// The creator's `dm_reply` {dm_id, text} at `at` to a recent DM: a
    /// `dm` by the creator whose parent is that DM.
    pub fn reply(
        &self,
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::persona::PersonaStyle;
    use crate::types::HOUR;
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
    fn the_inbox_keeps_the_recent_dms_and_its_snapshot_is_the_list() {
        let mut rng = Rng::new(3, "inbox");
        let mut audience = Audience::for_followers(7, PersonaStyle::GENERIC, 10_000);
        let mut inbox = Inbox::<u64>::default();
        let mut out = Vec::new();
        let mut from = senders(&mut rng, &mut audience);
        for _ in 0..RECENT_DMS + 10 {
            inbox.receive(&mut from, 0, DmType::Spam, &mut out);
        }
        assert_eq!(inbox.len(), RECENT_DMS);
        let Payload::Interaction(first) = &out[0].payload else {
            panic!()
        };
        assert!(!inbox.knows(&first.id));
        let json = serde_json::to_string(&inbox).unwrap();
        assert!(json.starts_with('[') && json.ends_with(']'));
        let back: Inbox<u64> = serde_json::from_str(&json).unwrap();
        assert!(back == inbox);
    }
}
