//! The kit: the mechanics platforms share, generic over what differs
//! between them (comment styles, personas, id shapes, rates), so that a
//! platform's own code is what makes it that platform.
//!
//! - [`signals`]: [`ActiveSignals`], the signals under way on an account
//!   (shadowbans, controversies, brand-deal floods, troll waves, growth),
//!   and [`signals::apply`], the dispatch of a scenario's signal to them
//!   and to the post it targets;
//! - [`audience`]: the audience count (followers, subscribers), its
//!   growth, churn, `growth` target and reports;
//! - [`threads`]: the comments under posts, their replies, a troll wave's
//!   comments and the creator's `reply`;
//! - [`inbox`]: DMs arriving by type, a flood's extra ones, the
//!   creator's `dm_reply`, the fan's answers in character and `send_offer`;
//! - [`funnel`]: offers, subscriptions, purchases, renewals and
//!   cancellations, driven by the creator's reply speed and tone;
//! - [`graph`]: Meta's Graph API wire format (errors, `fields=`,
//!   cursors, parameters, usage headers) for the platforms that speak it;
//! - [`health`]: the account's health (ok, shadowbanned, restricted,
//!   action_blocked, token_expired, suspended), its action blocks and the
//!   `health` signal;
//! - [`moderation`]: the creator's likes, hides, deletes and pins of
//!   comments, blocks, restrictions and follow-backs of authors;
//! - [`actions`]: parsing the creator's actions, writing the creator's
//!   interactions;
//! - [`throughput`] (native only): how fast a platform produces events,
//!   behind each plugin's `throughput` example.
//!
//! The behaviour every platform must show is checked by
//! [`behaviour_suite!`](crate::behaviour_suite).

pub mod actions;
pub mod audience;
pub mod funnel;
pub mod graph;
pub mod health;
pub mod inbox;
pub mod moderation;
pub mod signals;
pub mod threads;
#[cfg(not(target_family = "wasm"))]
pub mod throughput;

pub use audience::AudienceCount;
pub use inbox::Inbox;
pub use signals::{ActiveSignals, SignalHost};
pub use threads::{CommentRules, Comments, Discussion, Post};
