//! The scenario signals shared with the other platforms: `troll_wave`,
//! `brand_deal_flood`, `controversy` and `growth`, driven natively through
//! the SDK's harness with fixed seeds ([`diorama_sdk::testing`]).

use diorama_instagram::Instagram as Sim;
use diorama_sdk::testing::{self, Checks};

const CHECKS: Checks = Checks {
    name: "instagram",
    controversy_peak_min: 600,
};

#[test]
fn a_troll_wave_brings_negative_comments_from_new_small_accounts() {
    testing::troll_wave::<Sim>(&CHECKS);
}

#[test]
fn a_brand_deal_flood_multiplies_collaboration_dms() {
    testing::brand_deal_flood::<Sim>(&CHECKS);
}

#[test]
fn a_controversy_turns_the_sentiment_then_heals() {
    testing::controversy::<Sim>(&CHECKS);
}

#[test]
fn growth_carries_followers_across_a_round_number() {
    testing::growth::<Sim>(&CHECKS);
}

#[test]
fn signals_are_listed_and_unknown_ones_named() {
    testing::listed_and_unknown::<Sim>(&CHECKS);
}
