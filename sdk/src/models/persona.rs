//! Personas: the people who comment, reply and message, and the audience an
//! account draws them from.
//!
//! An [`Author`] has an id in the platform's style, a handle (with its
//! leading `@`), a made-up display name, an avatar url on a made-up CDN host
//! under the reserved `.example` top-level domain (never a real host), a
//! power-law follower count (α ≈ 2) and a `verified` flag that is rare and
//! likelier the more followers the author has.
//!
//! An [`Audience`] is an account's pool of commenters: a fixed set of
//! recurring fans, some much more active than others (Zipf-like weights, so
//! a minority of authors produce a good share of comments), plus one-off
//! visitors drawn fresh each time. The fans are regenerated from a seed
//! rather than stored, so an audience costs a few bytes in a snapshot.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ids::{generic_id, push_b62, push_handle};
use super::popularity::PowerLaw;
use super::rng::Rng;
use super::text::{write_display_name, write_handle_base, Character};
use super::time::{local_hour, personal_rhythm, Timezone, AWAKE_LEVEL, PERSONAL_PEAK};
use crate::types::{Author, Millis, DAY, MINUTE};

/// How a platform's author ids, handles and avatar urls look. A platform
/// defines its own from the building blocks in [`ids`](super::ids);
/// [`PersonaStyle::GENERIC`] suits a platform with no format of its own.
///
/// Each function appends to its `out` and draws only from `rng`, so a style
/// is deterministic. An [`Audience`] records the style's `name` in a
/// snapshot; two styles with the same name are the same style.
#[derive(Clone, Copy, Debug)]
pub struct PersonaStyle {
    /// Names the style in snapshots: lower-case, unique per platform.
    pub name: &'static str,
    /// Append an author id.
    pub id: fn(out: &mut String, rng: &mut Rng),
    /// Append a handle (without its leading `@`) made from a base word
    /// such as `pixel_fox` ([`push_handle`] adds digits now and then).
    pub handle: fn(out: &mut String, rng: &mut Rng, base: &str),
    /// Append an avatar url, on a made-up host under `.example`.
    pub avatar: fn(out: &mut String, rng: &mut Rng),
}

impl PartialEq for PersonaStyle {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for PersonaStyle {}

fn generic_avatar(out: &mut String, rng: &mut Rng) {
    out.push_str("https://cdn.example/avatars/");
    push_b62(out, rng, 20);
    out.push_str(".png");
}

impl PersonaStyle {
    /// Base62 ids ([`generic_id`]), handles from words with digits now and
    /// then, avatars on `cdn.example`.
    pub const GENERIC: PersonaStyle = PersonaStyle {
        name: "generic",
        id: |out, rng| out.push_str(&generic_id(rng)),
        handle: push_handle,
        avatar: generic_avatar,
    };
}

/// The chance that an author with this many followers is verified: about
/// 3 in 1000 at a thousand followers, 1 in 4 at a hundred thousand, most
/// above a million.
pub fn verified_probability(followers: u64) -> f64 {
    let f = followers as f64;
    0.9 * f / (f + 300_000.0)
}

/// A one-off author in the platform's style.
pub fn author(rng: &mut Rng, style: PersonaStyle) -> Author {
    let followers = PowerLaw::followers().sample_count(rng);
    author_with_followers(rng, style, followers)
}

/// An author with a given follower count.
pub fn author_with_followers(rng: &mut Rng, style: PersonaStyle, followers: u64) -> Author {
    let mut id = String::with_capacity(24);
    (style.id)(&mut id, rng);
    let mut display_name = String::with_capacity(20);
    write_display_name(&mut display_name, rng);
    let mut base = String::with_capacity(20);
    write_handle_base(&mut base, rng);
    let mut handle = String::with_capacity(24);
    handle.push('@');
    (style.handle)(&mut handle, rng, &base);
    let mut avatar_url = String::with_capacity(100);
    (style.avatar)(&mut avatar_url, rng);
    let verified = rng.chance(verified_probability(followers));
    Author {
        id,
        handle,
        display_name,
        avatar_url,
        verified,
        followers,
    }
}

/// An account's audience: recurring fans and one-off visitors.
///
/// In a snapshot it is a few numbers and its style's name. A platform with
/// its own [`PersonaStyle`] restores it with that style: mark the field
/// `#[serde(deserialize_with = "...")]` with a function that calls
/// [`Audience::deserialize_with_style`]. Plain deserialisation knows only
/// [`PersonaStyle::GENERIC`] and refuses any other name, so a restored
/// audience never silently changes how its authors look.
#[derive(Clone, Debug, Serialize)]
pub struct Audience {
    #[serde(serialize_with = "style_name")]
    style: PersonaStyle,
    seed: u64,
    fans: u32,
    fan_share: f64,
    /// The account's timezone, when the audience keeps its members' own
    /// days ([`Audience::in_timezone`]); snapshots written before hold none.
    #[serde(skip_serializing_if = "Option::is_none")]
    timezone: Option<Timezone>,
    #[serde(skip)]
    cache: Vec<Author>,
}

fn style_name<S: Serializer>(style: &PersonaStyle, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(style.name)
}

/// An audience as a snapshot holds it.
#[derive(Deserialize)]
struct StoredAudience {
    style: String,
    seed: u64,
    fans: u32,
    fan_share: f64,
    #[serde(default)]
    timezone: Option<Timezone>,
}

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Audience::deserialize_with_style(d, PersonaStyle::GENERIC)
    }
}

impl PartialEq for Audience {
    fn eq(&self, other: &Self) -> bool {
        self.style == other.style
            && self.seed == other.seed
            && self.fans == other.fans
            && self.fan_share == other.fan_share
            && self.timezone == other.timezone
    }
}

impl Audience {
    /// An audience of `fans` recurring fans (at least 1) who write a share
    /// `fan_share` of everything; the rest comes from one-off visitors.
    pub fn new(seed: u64, style: PersonaStyle, fans: u32, fan_share: f64) -> Self {
        Audience {
            style,
            seed,
            fans: fans.max(1),
            fan_share: fan_share.clamp(0.0, 1.0),
            timezone: None,
            cache: Vec::new(),
        }
    }

    /// The audience of an account in `timezone`, whose members each keep
    /// their own day ([`personal_rhythm`]): [`Audience::pick_at`] draws
    /// the people who are up at the hour, and [`Audience::awake_from`]
    /// holds an answer until its author is.
    pub fn in_timezone(mut self, timezone: Timezone) -> Self {
        self.timezone = Some(timezone);
        self
    }

    /// An audience sized for an account with `followers` followers: about
    /// √followers recurring fans (between 20 and 5000) writing 60 % of the
    /// comments.
    pub fn for_followers(seed: u64, style: PersonaStyle, followers: u64) -> Self {
        let fans = (followers as f64).sqrt().clamp(20.0, 5000.0) as u32;
        Audience::new(seed, style, fans, 0.6)
    }

    /// Restore an audience written with `style` (its name must match the
    /// snapshot's). A field of a platform's state uses it through
    /// `#[serde(deserialize_with = "...")]`.
    pub fn deserialize_with_style<'de, D: Deserializer<'de>>(
        d: D,
        style: PersonaStyle,
    ) -> Result<Self, D::Error> {
        let stored = StoredAudience::deserialize(d)?;
        if stored.style != style.name {
            return Err(serde::de::Error::custom(format!(
                "the audience's persona style is `{}`, expected `{}`",
                stored.style, style.name
            )));
        }
        if !(0.0..=1.0).contains(&stored.fan_share) || stored.fans == 0 {
            return Err(serde::de::Error::custom(format!(
                "the audience's fans ({}) must be at least 1 and its fan share ({}) within 0..=1",
                stored.fans, stored.fan_share
            )));
        }
        let audience = Audience::new(stored.seed, style, stored.fans, stored.fan_share);
        Ok(match stored.timezone {
            Some(tz) => audience.in_timezone(tz),
            None => audience,
        })
    }

    /// How the audience's authors look.
    pub fn style(&self) -> PersonaStyle {
        self.style
    }

    pub fn fans(&self) -> u32 {
        self.fans
    }

    pub fn fan_share(&self) -> f64 {
        self.fan_share
    }

    fn ensure_cache(&mut self) {
        if self.cache.len() != self.fans as usize {
            let mut rng = Rng::new(self.seed, "audience-fans");
            self.cache = (0..self.fans)
                .map(|_| author(&mut rng, self.style))
                .collect();
        }
    }

    /// The `i`-th fan (0 is the most active); `None` past the last.
    pub fn fan(&mut self, i: u32) -> Option<&Author> {
        self.ensure_cache();
        self.cache.get(i as usize)
    }

    /// Which fan writes next: Zipf-like, the k-th fan (from 0) writing in
    /// proportion to 1/(k + 3), so the first few fans are the regulars
    /// without one of them writing everything. Drawn by inverting the
    /// continuous version: k = ⌊3^(1−u) · (n+3)^u⌋ − 3.
    pub fn pick_fan_index(&self, rng: &mut Rng) -> u32 {
        const K0: f64 = 3.0;
        let n = self.fans.max(1) as f64;
        let u = rng.unit();
        let k = (K0.powf(1.0 - u) * (n + K0).powf(u)).floor() - K0;
        (k.max(0.0) as u32).min(self.fans.saturating_sub(1))
    }

    /// The author of the next comment or message: a recurring fan with
    /// probability `fan_share`, else a fresh one-off visitor.
    pub fn pick(&mut self, rng: &mut Rng) -> Author {
        if rng.chance(self.fan_share) {
            let i = self.pick_fan_index(rng);
            self.ensure_cache();
            if let Some(a) = self.cache.get(i as usize) {
                return a.clone();
            }
        }
        author(rng, self.style)
    }

    /// The author of a comment or message written at `at`: as
    /// [`Audience::pick`], among the people who are up then. A drawn person
    /// is kept with the chance their own day gives the hour (against its
    /// busiest), so night hours are written by night owls and people
    /// elsewhere, and a regular fan comments at their own hours. Without a
    /// timezone, [`Audience::pick`].
    pub fn pick_at(&mut self, rng: &mut Rng, at: Millis) -> Author {
        let Some(tz) = self.timezone.as_ref().map(Timezone::tz) else {
            return self.pick(rng);
        };
        let h = local_hour(at, tz);
        let mut last = self.pick(rng);
        for _ in 1..PICK_TRIES {
            if rng.chance(personal_rhythm(&last.id, h) / PERSONAL_PEAK) {
                break;
            }
            last = self.pick(rng);
        }
        last
    }

    /// The first time from `at` when person `id` is up ([`AWAKE_LEVEL`] of
    /// their own day), in half hours: `at` itself when they are, or when
    /// the audience keeps no timezone.
    pub fn awake_from(&self, id: &str, at: Millis) -> Millis {
        let Some(tz) = self.timezone.as_ref().map(Timezone::tz) else {
            return at;
        };
        let mut t = at;
        for _ in 0..48 {
            if personal_rhythm(id, local_hour(t, tz)) >= AWAKE_LEVEL {
                return t;
            }
            t += 30 * MINUTE;
        }
        at
    }
}

/// How many people [`Audience::pick_at`] draws at most for one hour.
const PICK_TRIES: u32 = 8;

/// How an audience member's character sets how they answer: how often
/// they write back when the creator replies to them, and how fast.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Disposition {
    /// The chance they answer a reply by the creator.
    pub answers: f64,
    /// The median of their answer's delay (log-normal, σ 1), in minutes.
    pub delay_minutes: f64,
}

/// The answers' delay spread (log-normal σ) and its bounds: a follow-up
/// comes between two minutes and two days after the creator's reply.
pub const ANSWER_SIGMA: f64 = 1.0;
pub const ANSWER_MIN: Millis = 2 * MINUTE;
pub const ANSWER_MAX: Millis = 2 * DAY;

impl Disposition {
    /// The disposition of a commenter of `character`: a superfan nearly
    /// always answers and within minutes; a casual viewer often, within the
    /// hour; a lurker rarely and late; a critic or a troll likes the last
    /// word; spam, brand and bot accounts do not talk back.
    pub fn of(character: Character) -> Disposition {
        let (answers, delay_minutes) = match character {
            Character::Superfan => (0.85, 12.0),
            Character::Casual => (0.55, 45.0),
            Character::Lurker => (0.2, 180.0),
            Character::Critic => (0.6, 30.0),
            Character::Troll => (0.5, 8.0),
            Character::Spammer | Character::BrandScout | Character::Bot => (0.0, 60.0),
        };
        Disposition {
            answers,
            delay_minutes,
        }
    }

    /// A delay drawn from this disposition, within
    /// [`ANSWER_MIN`]..=[`ANSWER_MAX`].
    pub fn delay(&self, rng: &mut Rng) -> Millis {
        let minutes = rng.lognormal(self.delay_minutes.ln(), ANSWER_SIGMA);
        ((minutes * MINUTE as f64) as Millis).clamp(ANSWER_MIN, ANSWER_MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const G: PersonaStyle = PersonaStyle::GENERIC;

    #[test]
    fn people_write_at_their_own_hours_and_answer_when_up() {
        use crate::models::time::{personal_shift, Timezone};
        use crate::types::HOUR;
        let tz = Timezone::parse("Europe/Berlin").unwrap();
        let mut aud = Audience::for_followers(5, G, 100_000).in_timezone(tz);
        // 2026-01-05 00:00 UTC is 01:00 in Berlin.
        let midnight = 1_767_571_200_000;
        let at = |local: i64| midnight + (local - 1) * HOUR;
        let mut rng = Rng::new(3, "pick-at");
        let away_share = |aud: &mut Audience, rng: &mut Rng, t: Millis| {
            let n = 4_000;
            let away = (0..n)
                .filter(|_| personal_shift(&aud.pick_at(rng, t).id) != 0.0)
                .count();
            away as f64 / n as f64
        };
        // Who writes at an hour is who the audience would pick, weighted
        // by how awake each is then: the share of people on other days,
        // expected from plain picks, against what `pick_at` draws.
        let mut plain = Rng::new(4, "plain");
        let mut weight: BTreeMap<String, f64> = BTreeMap::new();
        for _ in 0..20_000 {
            *weight.entry(aud.pick(&mut plain).id).or_default() += 1.0;
        }
        let expected = |h: f64| {
            let (mut away, mut all) = (0.0, 0.0);
            for (id, w) in &weight {
                let x = w * crate::models::time::personal_rhythm(id, h);
                all += x;
                if personal_shift(id) != 0.0 {
                    away += x;
                }
            }
            away / all
        };
        let night = away_share(&mut aud, &mut rng, at(4) + HOUR / 2);
        let evening = away_share(&mut aud, &mut rng, at(20) + HOUR / 2);
        assert!(
            (night - expected(4.5)).abs() < 0.05,
            "{night} vs {}",
            expected(4.5)
        );
        assert!(
            (evening - expected(20.5)).abs() < 0.05,
            "{evening} vs {}",
            expected(20.5)
        );
        // At 04:30 the people on the reference's day are asleep: far more of
        // the night's comments come from people on other days.
        assert!(
            night > evening + 0.2,
            "{night} at night, {evening} in the evening"
        );
        // The most active fan writes at their own hours: their share of the
        // night's comments follows their day.
        let fan = aud.fan(0).unwrap().clone();
        let by_fan = |aud: &mut Audience, rng: &mut Rng, t: Millis| {
            (0..4_000)
                .filter(|_| aud.pick_at(rng, t).id == fan.id)
                .count()
        };
        let home = personal_shift(&fan.id) == 0.0;
        let (n4, n20) = (
            by_fan(&mut aud, &mut rng, at(4) + HOUR / 2),
            by_fan(&mut aud, &mut rng, at(20) + HOUR / 2),
        );
        if home {
            assert!(n4 * 2 < n20, "{n4} at night, {n20} in the evening");
        }
        // An answer due at 04:00 of someone on the reference's day waits
        // until they are up; someone up is answered at once.
        let sleeper = (0..100)
            .map(|i| format!("id-{i}"))
            .find(|id| personal_shift(id) == 0.0)
            .unwrap();
        let up = aud.awake_from(&sleeper, at(4));
        assert!(up > at(4) && up <= at(8), "{}", (up - at(4)) / MINUTE);
        assert_eq!(aud.awake_from(&sleeper, at(12)), at(12));
        // Without a timezone, as before.
        let plain = Audience::for_followers(5, G, 100_000);
        assert_eq!(plain.awake_from(&sleeper, at(4)), at(4));
        let (mut r1, mut r2) = (Rng::new(9, "x"), Rng::new(9, "x"));
        let mut p2 = plain.clone();
        let mut p1 = plain;
        assert_eq!(p1.pick_at(&mut r1, at(4)), p2.pick(&mut r2));
        // The timezone survives a snapshot.
        let json = serde_json::to_string(&aud).unwrap();
        let back: Audience = serde_json::from_str(&json).unwrap();
        assert_eq!(back, aud);
    }

    #[test]
    fn generic_authors_look_right() {
        let mut rng = Rng::new(1, "persona");
        for _ in 0..200 {
            let a = author(&mut rng, G);
            assert!(
                a.id.len() == 12 && a.id.bytes().all(|c| c.is_ascii_alphanumeric()),
                "{}",
                a.id
            );
            assert!(
                a.handle.starts_with('@') && a.handle.len() > 2,
                "{}",
                a.handle
            );
            assert!(!a.display_name.is_empty());
            assert!(
                a.avatar_url.starts_with("https://cdn.example/avatars/")
                    && a.avatar_url.ends_with(".png"),
                "{}",
                a.avatar_url
            );
        }
    }

    /// A style of the platform's own: every part comes from it.
    #[test]
    fn a_platform_style_shapes_ids_handles_and_avatars() {
        const DOTTED: PersonaStyle = PersonaStyle {
            name: "dotted",
            id: |out, rng| {
                out.push_str("u-");
                crate::models::ids::push_digits_fixed(out, rng.below(1_000_000), 6);
            },
            handle: |out, _rng, base| {
                out.push_str(base);
                out.push_str("@town.example");
            },
            avatar: |out, rng| {
                out.push_str("https://media.town.example/a/");
                crate::models::ids::push_hex(out, rng, 16);
            },
        };
        let mut rng = Rng::new(2, "persona");
        for _ in 0..100 {
            let a = author(&mut rng, DOTTED);
            assert!(a.id.starts_with("u-") && a.id.len() == 8, "{}", a.id);
            assert!(
                a.handle.starts_with('@') && a.handle.ends_with("@town.example"),
                "{}",
                a.handle
            );
            assert!(a.avatar_url.starts_with("https://media.town.example/a/"));
        }
        assert_ne!(DOTTED, G);
        assert_eq!(G, PersonaStyle::GENERIC);
    }

    #[test]
    fn verified_is_rare_and_follows_followers() {
        let mut rng = Rng::new(2, "verified");
        let authors: Vec<Author> = (0..50_000).map(|_| author(&mut rng, G)).collect();
        let verified = authors.iter().filter(|a| a.verified).count();
        assert!(verified < 100, "{verified}");
        assert!(verified_probability(1_000_000) > 0.5);
        assert!(verified_probability(1_000) < 0.01);
        let share = |followers: u64, rng: &mut Rng| {
            let n = 2_000;
            let v = (0..n)
                .filter(|_| author_with_followers(rng, G, followers).verified)
                .count();
            v as f64 / n as f64
        };
        let big = share(2_000_000, &mut rng);
        let mid = share(50_000, &mut rng);
        let small = share(100, &mut rng);
        assert!(
            big > 0.7 && mid > 0.08 && mid < 0.2 && small < 0.003,
            "{big} {mid} {small}"
        );
    }

    #[test]
    fn a_minority_of_fans_write_a_good_share() {
        let mut aud = Audience::for_followers(7, G, 100_000);
        assert_eq!(aud.fans(), 316);
        let mut rng = Rng::new(3, "pick");
        let n = 20_000;
        let mut by: BTreeMap<String, usize> = BTreeMap::new();
        for _ in 0..n {
            *by.entry(aud.pick(&mut rng).id).or_default() += 1;
        }
        let mut counts: Vec<usize> = by.values().copied().collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        // The 30 most active authors (under 0.5 % of all) write over a
        // quarter of the comments, none more than 5 %...
        let top: usize = counts.iter().take(30).sum();
        assert!(top as f64 / n as f64 > 0.25, "{top}");
        assert!((counts[0] as f64) < 0.05 * n as f64, "{}", counts[0]);
        // ...and most authors appear once.
        let once = counts.iter().filter(|&&c| c == 1).count();
        assert!(
            once as f64 / counts.len() as f64 > 0.9,
            "{once}/{}",
            counts.len()
        );
    }

    #[test]
    fn audience_is_deterministic_and_survives_serde() {
        let mut a = Audience::for_followers(11, G, 5_000);
        let first = a.fan(0).cloned();
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(
            json,
            r#"{"style":"generic","seed":11,"fans":70,"fan_share":0.6}"#
        );
        let mut b: Audience = serde_json::from_str(&json).unwrap();
        assert_eq!(b.fan(0).cloned(), first);
        assert_eq!(a, b);
        let mut r1 = Rng::new(1, "x");
        let mut r2 = Rng::new(1, "x");
        for _ in 0..100 {
            assert_eq!(a.pick(&mut r1), b.pick(&mut r2));
        }
        assert!(a.fan(a.fans()).is_none());
    }

    #[derive(Debug, Deserialize)]
    struct State {
        #[serde(deserialize_with = "dotted")]
        audience: Audience,
    }

    const DOTTED: PersonaStyle = PersonaStyle {
        name: "dotted",
        ..PersonaStyle::GENERIC
    };

    fn dotted<'de, D: Deserializer<'de>>(d: D) -> Result<Audience, D::Error> {
        Audience::deserialize_with_style(d, DOTTED)
    }

    #[test]
    fn an_audience_restores_with_its_own_style_only() {
        let json = r#"{"audience":{"style":"dotted","seed":3,"fans":20,"fan_share":0.5}}"#;
        let s: State = serde_json::from_str(json).unwrap();
        assert_eq!(s.audience.style(), DOTTED);
        assert_eq!(s.audience, Audience::new(3, DOTTED, 20, 0.5));
        // A snapshot of another style, or a plain restore of this one, is
        // refused with the names.
        let e = serde_json::from_str::<State>(&json.replace("dotted", "other")).unwrap_err();
        assert!(e.to_string().contains("`other`, expected `dotted`"), "{e}");
        let e = serde_json::from_str::<Audience>(
            r#"{"style":"dotted","seed":3,"fans":20,"fan_share":0.5}"#,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("`dotted`, expected `generic`"),
            "{e}"
        );
        let e = serde_json::from_str::<Audience>(
            r#"{"style":"generic","seed":3,"fans":0,"fan_share":0.5}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("at least 1"), "{e}");
    }
}
