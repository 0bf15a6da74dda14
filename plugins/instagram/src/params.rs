//! Account parameters, declared once in [`PARAMS`]: `describe()` lists them
//! and [`Params::parse`] checks them, with the SDK's parameter kit, so every
//! error names the platform and the parameter at fault.

use diorama_sdk::models::params::{self, ParamDef, COMMENT_VOLUME, DM_FREQUENCY};
use diorama_sdk::models::volume::{CommentVolume, DmFrequency};
use diorama_sdk::SharedParam;

/// The most posts and reels an account may publish in 24 hours.
pub const POST_LIMIT: u32 = 5;
/// The most stories an account may publish in 24 hours.
pub const STORY_LIMIT: u32 = 100;
/// The most comments (replies) the creator may write in 24 hours.
pub const COMMENT_LIMIT: u32 = 30;
/// The most likes the creator may give in 24 hours.
pub const LIKE_LIMIT: u32 = 200;

pub const DEFAULT_FOLLOWERS: u64 = 100_000;
pub const DEFAULT_POSTS_PER_DAY: f64 = 2.0;
pub const DEFAULT_STORIES_PER_DAY: f64 = 3.0;
/// Comments per account reached (before discussion adds its share).
pub const DEFAULT_COMMENT_RATE: f64 = 0.0012;
/// Likes per account reached. With a post reaching 20 % of the followers
/// on average (log-normal across posts, the median post two thirds of
/// that), the median post ends with likes + comments ≈ 0.45 % of the
/// followers: Rival IQ's 0.47 % median engagement rate.
pub const DEFAULT_LIKE_RATE: f64 = 0.033;
/// DMs per day per follower at the `medium` DM frequency: about 12 a day
/// at 100k followers.
pub const DMS_PER_FOLLOWER_DAY: f64 = 1.2e-4;

const PLATFORM: &str = "instagram";

/// The account parameters, resolved.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Params {
    pub followers: u64,
    /// Posts and reels per day (about half of them reels).
    pub posts_per_day: f64,
    pub stories_per_day: f64,
    /// Comments per account reached.
    /// The named comment volume (`comment_rate` defaults to the platform's
    /// rate times its factor).
    pub comment_volume: CommentVolume,
    /// The named DM frequency (`dm_rate` defaults to the platform's rate
    /// times its factor).
    pub dm_frequency: DmFrequency,
    pub comment_rate: f64,
    /// Likes per account reached.
    pub like_rate: f64,
    /// DMs per day.
    pub dm_rate: f64,
}

pub const FOLLOWERS: ParamDef =
    ParamDef::count("followers", Some(DEFAULT_FOLLOWERS), 0, 10_000_000_000)
        .describe("Followers of the account.")
        .shared(SharedParam::Audience);
pub const POSTS_PER_DAY: ParamDef = ParamDef::number(
    "posts_per_day",
    Some(DEFAULT_POSTS_PER_DAY),
    0.0,
    POST_LIMIT as f64,
)
.unit("(the posting limit)")
.describe("Posts and reels per day (about half of them reels), at most the daily publish limit.")
.shared(SharedParam::UploadFrequency);
pub const STORIES_PER_DAY: ParamDef = ParamDef::number(
    "stories_per_day",
    Some(DEFAULT_STORIES_PER_DAY),
    0.0,
    STORY_LIMIT as f64,
)
.unit("(the story limit)")
.describe("Stories per day, at most the daily story limit.");
pub const COMMENT_RATE: ParamDef =
    ParamDef::number("comment_rate", Some(DEFAULT_COMMENT_RATE), 0.0, 1.0)
        .unit("comments per account reached")
        .describe(
            "Comments per account reached; by default this rate times the comment volume's factor.",
        );
pub const LIKE_RATE: ParamDef = ParamDef::number("like_rate", Some(DEFAULT_LIKE_RATE), 0.0, 1.0)
    .unit("likes per account reached")
    .describe("Likes per account reached.")
    .shared(SharedParam::EngagementRate);
pub const DM_RATE: ParamDef = ParamDef::number("dm_rate", None, 0.0, 1e6)
    .unit("DMs per day")
    .describe("DMs per day; by default 1.2 per 10,000 followers times the DM frequency's factor.");

/// Every account parameter, in the order `describe()` lists them.
pub const PARAMS: &[ParamDef] = &[
    FOLLOWERS,
    POSTS_PER_DAY,
    STORIES_PER_DAY,
    COMMENT_RATE,
    LIKE_RATE,
    DM_RATE,
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
                .number(&POSTS_PER_DAY)
                .unwrap_or(DEFAULT_POSTS_PER_DAY),
            stories_per_day: given
                .number(&STORIES_PER_DAY)
                .unwrap_or(DEFAULT_STORIES_PER_DAY),
            comment_rate: given.number_or(
                &COMMENT_RATE,
                DEFAULT_COMMENT_RATE * comment_volume.factor(),
            )?,
            like_rate: given.number(&LIKE_RATE).unwrap_or(DEFAULT_LIKE_RATE),
            dm_rate: given.number_or(
                &DM_RATE,
                followers as f64 * DMS_PER_FOLLOWER_DAY * dm_frequency.factor(),
            )?,
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
        assert_eq!(p, Params::parse("{}").unwrap());
        assert_eq!(p.followers, 100_000);
        assert!((p.dm_rate - 12.0).abs() < 1e-9);
    }

    #[test]
    fn errors_name_the_field() {
        for (json, field) in [
            (r#"{"followers": -5}"#, "followers"),
            (r#"{"followers": "many"}"#, "followers"),
            (r#"{"posts_per_day": 12}"#, "posts_per_day"),
            (r#"{"stories_per_day": -1}"#, "stories_per_day"),
            (r#"{"comment_rate": "x"}"#, "comment_rate"),
            (r#"{"like_rate": 2}"#, "like_rate"),
            (r#"{"dm_rate": -3}"#, "dm_rate"),
            (r#"{"comment_volume": "loud"}"#, "comment_volume"),
            (r#"{"dm_frequency": "viral"}"#, "dm_frequency"),
            (r#"{"dm_frequency": true}"#, "dm_frequency"),
            (r#"{"follower": 5}"#, "follower"),
        ] {
            let e = Params::parse(json).unwrap_err();
            assert!(
                e.starts_with("instagram: ") && e.contains(&format!("`{field}`")),
                "{json}: {e}"
            );
        }
    }

    #[test]
    fn levels_scale_the_rates_unless_they_are_given() {
        let p = Params::parse(r#"{"comment_volume": "high", "dm_frequency": "low"}"#).unwrap();
        assert!((p.comment_rate - 2.5 * DEFAULT_COMMENT_RATE).abs() < 1e-12);
        let medium = Params::parse("{}").unwrap();
        assert!((p.dm_rate - 0.4 * medium.dm_rate).abs() < 1e-9);
        let p = Params::parse(
            r#"{"comment_volume": "viral", "comment_rate": 0.001, "dm_frequency": "high", "dm_rate": 2}"#,
        )
        .unwrap();
        assert_eq!((p.comment_rate, p.dm_rate), (0.001, 2.0));
        let e = Params::parse(r#"{"dm_frequency": "viral"}"#).unwrap_err();
        assert!(e.contains("low, medium, high"), "{e}");
    }
}
