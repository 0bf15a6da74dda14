//! Shared building blocks for platform simulators. Every model is
//! deterministic: randomness comes only from a [`rng::Rng`] seeded at `init`,
//! time only from the virtual milliseconds the host passes in.
//!
//! - [`rng`]: the seeded xoshiro256++ generator and its distributions;
//! - [`time`]: local hours in a timezone, the audience's daily rhythm and
//!   the creators' posting rhythm;
//! - [`timing`]: the SEISMIC reaction-delay kernel and self-excitation;
//! - [`popularity`]: log-normal post quality, power-law follower counts;
//! - [`ids`]: building blocks for ids, handles and avatars (alphabets,
//!   packed ids, digit runs, handles from words);
//! - [`spike`]: the `viral` signal's spike and its parameters;
//! - [`signals`]: the `troll_wave`, `brand_deal_flood`, `controversy` and
//!   `growth` signals;
//! - [`limits`]: rolling 24-hour action limits;
//! - [`params`]: parsing parameters so errors name platform and field;
//! - [`text`]: niche-aware titles, descriptions, captions, comments,
//!   replies and DMs in a platform's [`text::CommentStyle`], sentiment and
//!   DM-type mixes;
//! - [`persona`]: authors in a platform's [`persona::PersonaStyle`] and an
//!   account's audience of fans and visitors;
//! - [`volume`]: the named comment-volume and DM-frequency levels.

pub mod ids;
pub mod limits;
pub mod params;
pub mod persona;
pub mod popularity;
pub mod rng;
pub mod signals;
pub mod spike;
pub mod text;
pub mod time;
pub mod timing;
pub mod volume;
