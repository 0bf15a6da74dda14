//! Account parameters, declared once in [`PARAMS`]: `describe()` lists them
//! and [`Params::parse`] checks them, with the SDK's parameter kit, so every
//! error names the platform and the parameter at fault.
//!
//! The limits are X's own (X Help Center, "About X limits"): 2,400 posts a
//! day, replies and reposts included, split into smaller windows — the
//! 300 posts per 3 hours that the v1.1 API documented for posting and
//! retweeting together; 500 direct messages a day; 400 follows a day for
//! an unverified account; and about 1,000 likes a day.

use diorama_sdk::models::params::{self, ParamDef, COMMENT_VOLUME, DM_FREQUENCY};
use diorama_sdk::models::volume::{CommentVolume, DmFrequency};
use diorama_sdk::{Millis, SharedParam, HOUR};

/// The most posts (replies, quotes and reposts included) in 3 hours.
pub const POSTS_PER_3H: u32 = 300;
pub const THREE_HOURS: Millis = 3 * HOUR;
/// The most posts in 24 hours.
pub const POSTS_PER_DAY: u32 = 2_400;
/// The most DMs the creator may send in 24 hours.
pub const DM_LIMIT: u32 = 500;
/// The most accounts the creator may follow in 24 hours.
pub const FOLLOW_LIMIT: u32 = 400;
/// The most posts the creator may like in 24 hours.
pub const LIKE_LIMIT: u32 = 1_000;

pub const DEFAULT_FOLLOWERS: u64 = 100_000;
/// Posts a day of the account's own (replies aside): an active creator's
/// pace, our choice rather than a measured figure (brands in Rival IQ's
/// reports post far less often).
pub const DEFAULT_POSTS_PER_DAY: f64 = 4.0;
/// Impressions of an average post per follower. Impressions are
/// log-normal across posts (σ 1.1): the median post is seen by about 3 %
/// of the followers, a few by many times them.
pub const DEFAULT_IMPRESSIONS_PER_FOLLOWER: f64 = 0.05;
/// Likes, replies, reposts, quotes and bookmarks per impression. With them
/// the median post ends with likes + replies + reposts + quotes ≈ 0.035 %
/// of the followers, Rival IQ's 2023 median engagement rate per post on X
/// (Rival IQ, "2023 Social Media Industry Benchmark Report"); about one
/// engagement per hundred impressions, the rate X's own analytics call
/// typical.
pub const DEFAULT_LIKE_RATE: f64 = 0.0085;
pub const DEFAULT_REPLY_RATE: f64 = 0.0011;
pub const DEFAULT_REPOST_RATE: f64 = 0.0012;
pub const DEFAULT_QUOTE_RATE: f64 = 0.0002;
pub const DEFAULT_BOOKMARK_RATE: f64 = 0.001;
/// DMs per day per follower at the `medium` DM frequency: about 5 a day
/// at 100k followers (X's DMs are open to followers by default).
pub const DMS_PER_FOLLOWER_DAY: f64 = 5e-5;
/// Posts by others that mention the account, per follower and day.
pub const MENTIONS_PER_FOLLOWER_DAY: f64 = 1e-4;

const PLATFORM: &str = "x";

/// The account parameters, resolved.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Params {
    pub followers: u64,
    pub posts_per_day: f64,
    /// Expected lifetime impressions of a post of average quality.
    pub avg_impressions: f64,
    pub comment_volume: CommentVolume,
    pub dm_frequency: DmFrequency,
    pub like_rate: f64,
    pub reply_rate: f64,
    pub repost_rate: f64,
    pub quote_rate: f64,
    pub bookmark_rate: f64,
    /// DMs per day.
    pub dm_rate: f64,
    /// Mentions per day.
    pub mention_rate: f64,
}

pub const FOLLOWERS: ParamDef =
    ParamDef::count("followers", Some(DEFAULT_FOLLOWERS), 0, 10_000_000_000)
        .describe("Followers of the account.")
        .shared(SharedParam::Audience);
pub const POSTS_PER_DAY_PARAM: ParamDef = ParamDef::number(
    "posts_per_day",
    Some(DEFAULT_POSTS_PER_DAY),
    0.0,
    POSTS_PER_3H as f64,
)
.unit("posts")
.describe("Posts the account publishes a day on its own (replies not counted).")
.shared(SharedParam::UploadFrequency);
pub const AVG_IMPRESSIONS: ParamDef = ParamDef::number("avg_impressions", None, 1.0, 1e12)
    .unit("impressions")
    .describe("Lifetime impressions of a post of average quality; by default 0.05 per follower (at least 20).")
    .shared(SharedParam::AvgViews);
pub const LIKE_RATE: ParamDef = ParamDef::number("like_rate", Some(DEFAULT_LIKE_RATE), 0.0, 1.0)
    .unit("likes per impression")
    .describe("Likes per impression.")
    .shared(SharedParam::EngagementRate);
pub const REPLY_RATE: ParamDef = ParamDef::number("reply_rate", None, 0.0, 1.0)
    .unit("replies per impression")
    .describe("Replies per impression; by default 0.0011 times the comment volume's factor.");
pub const REPOST_RATE: ParamDef =
    ParamDef::number("repost_rate", Some(DEFAULT_REPOST_RATE), 0.0, 1.0)
        .unit("reposts per impression")
        .describe("Reposts per impression.");
pub const QUOTE_RATE: ParamDef = ParamDef::number("quote_rate", Some(DEFAULT_QUOTE_RATE), 0.0, 1.0)
    .unit("quotes per impression")
    .describe("Quote posts per impression.");
pub const BOOKMARK_RATE: ParamDef =
    ParamDef::number("bookmark_rate", Some(DEFAULT_BOOKMARK_RATE), 0.0, 1.0)
        .unit("bookmarks per impression")
        .describe("Bookmarks per impression.");
pub const DM_RATE: ParamDef = ParamDef::number("dm_rate", None, 0.0, 1e6)
    .unit("DMs per day")
    .describe("DMs per day; by default 0.5 per 10,000 followers times the DM frequency's factor.");
pub const MENTION_RATE: ParamDef = ParamDef::number("mention_rate", None, 0.0, 1e6)
    .unit("mentions per day")
    .describe("Posts by others mentioning the account per day; by default 1 per 10,000 followers.");

/// Every account parameter, in the order `describe()` lists them.
pub const PARAMS: &[ParamDef] = &[
    FOLLOWERS,
    POSTS_PER_DAY_PARAM,
    AVG_IMPRESSIONS,
    LIKE_RATE,
    REPLY_RATE,
    REPOST_RATE,
    QUOTE_RATE,
    BOOKMARK_RATE,
    DM_RATE,
    MENTION_RATE,
    COMMENT_VOLUME,
    DM_FREQUENCY,
];

impl Params {
    /// Parse the account's `params` JSON object.
    pub fn parse(params: &str) -> Result<Params, String> {
        let given = params::parse(PLATFORM, PARAMS, params)?;
        let followers = given.count(&FOLLOWERS).unwrap_or(DEFAULT_FOLLOWERS);
        let comment_volume = given.comment_volume();
        let dm_frequency = given.dm_frequency();
        Ok(Params {
            followers,
            comment_volume,
            dm_frequency,
            posts_per_day: given
                .number(&POSTS_PER_DAY_PARAM)
                .unwrap_or(DEFAULT_POSTS_PER_DAY),
            avg_impressions: given.number_or(
                &AVG_IMPRESSIONS,
                (followers as f64 * DEFAULT_IMPRESSIONS_PER_FOLLOWER).max(20.0),
            )?,
            like_rate: given.number(&LIKE_RATE).unwrap_or(DEFAULT_LIKE_RATE),
            reply_rate: given
                .number_or(&REPLY_RATE, DEFAULT_REPLY_RATE * comment_volume.factor())?,
            repost_rate: given.number(&REPOST_RATE).unwrap_or(DEFAULT_REPOST_RATE),
            quote_rate: given.number(&QUOTE_RATE).unwrap_or(DEFAULT_QUOTE_RATE),
            bookmark_rate: given
                .number(&BOOKMARK_RATE)
                .unwrap_or(DEFAULT_BOOKMARK_RATE),
            dm_rate: given.number_or(
                &DM_RATE,
                followers as f64 * DMS_PER_FOLLOWER_DAY * dm_frequency.factor(),
            )?,
            mention_rate: given
                .number_or(&MENTION_RATE, followers as f64 * MENTIONS_PER_FOLLOWER_DAY)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_as_params() {
        let p = Params::parse(&params::defaults_json(PARAMS)).unwrap();
        assert_eq!(p, Params::parse("").unwrap());
        assert_eq!(p.followers, 100_000);
        assert_eq!(p.avg_impressions, 5_000.0);
        assert!((p.dm_rate - 5.0).abs() < 1e-9);
    }

    #[test]
    fn errors_name_the_field() {
        for (json, field) in [
            (r#"{"followers": -5}"#, "followers"),
            (r#"{"posts_per_day": 400}"#, "posts_per_day"),
            (r#"{"avg_impressions": 0}"#, "avg_impressions"),
            (r#"{"reply_rate": "x"}"#, "reply_rate"),
            (r#"{"like_rate": 2}"#, "like_rate"),
            (r#"{"dm_rate": -3}"#, "dm_rate"),
            (r#"{"comment_volume": "loud"}"#, "comment_volume"),
            (r#"{"subscribers": 5}"#, "subscribers"),
        ] {
            let e = Params::parse(json).unwrap_err();
            assert!(
                e.starts_with("x: ") && e.contains(&format!("`{field}`")),
                "{json}: {e}"
            );
        }
    }
}
