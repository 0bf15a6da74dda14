//! Account parameters, declared once in [`PARAMS`]: `describe()` lists them
//! and [`Params::parse`] checks them, with the SDK's parameter kit, so every
//! error names the platform and the parameter at fault.

use diorama_sdk::models::params::{self, ParamDef, COMMENT_VOLUME, DM_FREQUENCY};
use diorama_sdk::models::volume::{CommentVolume, DmFrequency};
use diorama_sdk::SharedParam;

/// The most videos an account may publish in 24 hours.
pub const VIDEO_LIMIT: u32 = 10;
/// The most comments (replies) the creator may write in 24 hours.
pub const COMMENT_LIMIT: u32 = 100;
/// The most likes the creator may give in 24 hours.
pub const LIKE_LIMIT: u32 = 500;

pub const DEFAULT_FOLLOWERS: u64 = 100_000;
pub const DEFAULT_VIDEOS_PER_DAY: f64 = 5.0;
/// Lifetime views of a video of average quality, per follower: the For
/// You feed shows videos well beyond the followers.
pub const DEFAULT_VIEWS_PER_FOLLOWER: f64 = 0.75;
/// Comments per view (before discussion adds its share).
pub const DEFAULT_COMMENT_RATE: f64 = 0.0006;
/// Likes per view. With shares and comments, the median video ends with
/// engagement ≈ 5.7 % of the followers: Rival IQ's 5.7 % median.
pub const DEFAULT_LIKE_RATE: f64 = 0.085;
/// Shares per view.
pub const DEFAULT_SHARE_RATE: f64 = 0.006;
/// DMs per day per follower at the `medium` DM frequency: about 8 a day
/// at 100k followers.
pub const DMS_PER_FOLLOWER_DAY: f64 = 8e-5;

const PLATFORM: &str = "tiktok";

/// The account parameters, resolved.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Params {
    pub followers: u64,
    pub videos_per_day: f64,
    /// Expected lifetime views of a video of average quality.
    pub avg_views: f64,
    /// The named comment volume (`comment_rate` defaults to the platform's
    /// rate times its factor).
    pub comment_volume: CommentVolume,
    /// The named DM frequency (`dm_rate` defaults to the platform's rate
    /// times its factor).
    pub dm_frequency: DmFrequency,
    pub comment_rate: f64,
    pub like_rate: f64,
    pub share_rate: f64,
    /// DMs per day.
    pub dm_rate: f64,
}

pub const FOLLOWERS: ParamDef =
    ParamDef::count("followers", Some(DEFAULT_FOLLOWERS), 0, 10_000_000_000)
        .describe("Followers of the account.")
        .shared(SharedParam::Audience);
pub const VIDEOS_PER_DAY: ParamDef = ParamDef::number(
    "videos_per_day",
    Some(DEFAULT_VIDEOS_PER_DAY),
    0.0,
    VIDEO_LIMIT as f64,
)
.unit("(the posting limit)")
.describe("Videos per day, at most the daily publish limit.")
.shared(SharedParam::UploadFrequency);
pub const AVG_VIEWS: ParamDef = ParamDef::number("avg_views", None, 1.0, 1e12)
    .unit("views")
    .describe("Lifetime views of a video of average quality; by default 0.75 per follower (at least 50): the For You feed reaches beyond the followers.")
    .shared(SharedParam::AvgViews);
pub const COMMENT_RATE: ParamDef =
    ParamDef::number("comment_rate", Some(DEFAULT_COMMENT_RATE), 0.0, 1.0)
        .unit("comments per view")
        .describe("Comments per view; by default this rate times the comment volume's factor.");
pub const LIKE_RATE: ParamDef = ParamDef::number("like_rate", Some(DEFAULT_LIKE_RATE), 0.0, 1.0)
    .unit("likes per view")
    .describe("Likes per view.")
    .shared(SharedParam::EngagementRate);
pub const SHARE_RATE: ParamDef = ParamDef::number("share_rate", Some(DEFAULT_SHARE_RATE), 0.0, 1.0)
    .unit("shares per view")
    .describe("Shares per view.");
pub const DM_RATE: ParamDef = ParamDef::number("dm_rate", None, 0.0, 1e6)
    .unit("DMs per day")
    .describe("DMs per day; by default 0.8 per 10,000 followers times the DM frequency's factor.");

/// Every account parameter, in the order `describe()` lists them.
pub const PARAMS: &[ParamDef] = &[
    FOLLOWERS,
    VIDEOS_PER_DAY,
    AVG_VIEWS,
    COMMENT_RATE,
    LIKE_RATE,
    SHARE_RATE,
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
            videos_per_day: given
                .number(&VIDEOS_PER_DAY)
                .unwrap_or(DEFAULT_VIDEOS_PER_DAY),
            avg_views: given.number_or(
                &AVG_VIEWS,
                (followers as f64 * DEFAULT_VIEWS_PER_FOLLOWER).max(50.0),
            )?,
            comment_rate: given.number_or(
                &COMMENT_RATE,
                DEFAULT_COMMENT_RATE * comment_volume.factor(),
            )?,
            like_rate: given.number(&LIKE_RATE).unwrap_or(DEFAULT_LIKE_RATE),
            share_rate: given.number(&SHARE_RATE).unwrap_or(DEFAULT_SHARE_RATE),
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
        assert_eq!(p.followers, 100_000);
        assert_eq!(p.avg_views, 75_000.0);
        assert!((p.dm_rate - 8.0).abs() < 1e-9);
    }

    #[test]
    fn errors_name_the_field() {
        for (json, field) in [
            (r#"{"followers": -5}"#, "followers"),
            (r#"{"videos_per_day": 12}"#, "videos_per_day"),
            (r#"{"avg_views": 0}"#, "avg_views"),
            (r#"{"comment_rate": "x"}"#, "comment_rate"),
            (r#"{"like_rate": 2}"#, "like_rate"),
            (r#"{"share_rate": -1}"#, "share_rate"),
            (r#"{"dm_rate": -3}"#, "dm_rate"),
            (r#"{"comment_volume": "loud"}"#, "comment_volume"),
            (r#"{"dm_frequency": "viral"}"#, "dm_frequency"),
            (r#"{"dm_frequency": true}"#, "dm_frequency"),
            (r#"{"subscribers": 5}"#, "subscribers"),
        ] {
            let e = Params::parse(json).unwrap_err();
            assert!(
                e.starts_with("tiktok: ") && e.contains(&format!("`{field}`")),
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
