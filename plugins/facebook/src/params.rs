//! Page parameters, declared once in [`PARAMS`]: `describe()` lists them
//! and [`Params::parse`] checks them with the SDK's parameter kit.

use diorama_sdk::models::params::{self, ParamDef, COMMENT_VOLUME, DM_FREQUENCY};
use diorama_sdk::models::volume::{CommentVolume, DmFrequency};
use diorama_sdk::SharedParam;

/// The most posts (of every kind) a Page publishes in 24 hours. Meta
/// publishes no number for Pages; past a few dozen posts a day its spam
/// systems throttle a Page, and we apply 25, the Instagram Content
/// Publishing API's old daily cap, as the same business's rule of thumb.
pub const POST_LIMIT: u32 = 25;
/// The most comments (replies) the Page writes in 24 hours.
pub const COMMENT_LIMIT: u32 = 200;
/// The most Messenger replies the Page sends in 24 hours.
pub const MESSAGE_LIMIT: u32 = 1_000;

pub const DEFAULT_FOLLOWERS: u64 = 100_000;
/// Rival IQ's 2023 Social Media Industry Benchmark Report: the median
/// brand posts to Facebook about 5 times a week; a creator's Page a
/// little more.
pub const DEFAULT_POSTS_PER_DAY: f64 = 1.0;
/// Engagements (reactions, comments, shares) per account reached. A post
/// reaches 5.2 % of the Page's followers on average (Hootsuite, Digital
/// 2020: average organic reach of a Page post), log-normal across posts;
/// with the mix of kinds the median post reaches about 4 % (`diorama
/// stats`: median views 3,800 to 4,700 per post at 100k followers). Rival
/// IQ 2023 puts the median Facebook post at 0.06 % of followers in
/// engagements, so 0.06 / 4 ≈ 1.5 % of the people reached engage.
pub const DEFAULT_ENGAGEMENT_RATE: f64 = 0.015;
/// How engagements split: reactions, comments, shares (our calibration;
/// reactions are the bulk of a Page's engagements in every published
/// breakdown, comments and shares a tenth each or less).
pub const REACTION_SHARE: f64 = 0.80;
pub const COMMENT_SHARE: f64 = 0.12;
pub const SHARE_SHARE: f64 = 0.08;
/// Messenger conversations opened per follower per day at the `medium`
/// frequency: 8 a day at 100k followers.
pub const DMS_PER_FOLLOWER_DAY: f64 = 8e-5;

const PLATFORM: &str = "facebook";

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Params {
    pub followers: u64,
    pub posts_per_day: f64,
    pub comment_volume: CommentVolume,
    pub dm_frequency: DmFrequency,
    /// Engagements per account reached.
    pub engagement_rate: f64,
    /// Comments per account reached.
    pub comment_rate: f64,
    /// Messenger messages from fans per day.
    pub dm_rate: f64,
}

pub const FOLLOWERS: ParamDef =
    ParamDef::count("followers", Some(DEFAULT_FOLLOWERS), 0, 10_000_000_000)
        .describe("Followers of the Page.")
        .shared(SharedParam::Audience);
pub const POSTS_PER_DAY: ParamDef = ParamDef::number(
    "posts_per_day",
    Some(DEFAULT_POSTS_PER_DAY),
    0.0,
    POST_LIMIT as f64,
)
.unit("(the publishing limit)")
.describe("Posts, photos, videos and reels per day, at most the daily publishing limit.")
.shared(SharedParam::UploadFrequency);
pub const ENGAGEMENT_RATE: ParamDef =
    ParamDef::number("engagement_rate", Some(DEFAULT_ENGAGEMENT_RATE), 0.0, 1.0)
        .unit("engagements per account reached")
        .describe("Reactions, comments and shares per account reached (80 / 12 / 8 %).")
        .shared(SharedParam::EngagementRate);
pub const COMMENT_RATE: ParamDef = ParamDef::number("comment_rate", None, 0.0, 1.0)
    .unit("comments per account reached")
    .describe(
        "Comments per account reached; by default 12 % of the engagement rate times the comment volume's factor.",
    );
pub const DM_RATE: ParamDef = ParamDef::number("dm_rate", None, 0.0, 1e6)
    .unit("messages per day")
    .describe("Messenger messages from fans per day; by default 0.8 per 10,000 followers times the DM frequency's factor.");

/// Every parameter, in the order `describe()` lists them.
pub const PARAMS: &[ParamDef] = &[
    FOLLOWERS,
    POSTS_PER_DAY,
    ENGAGEMENT_RATE,
    COMMENT_RATE,
    DM_RATE,
    COMMENT_VOLUME,
    DM_FREQUENCY,
];

impl Params {
    pub fn parse(params: &str) -> Result<Params, String> {
        let given = params::parse(PLATFORM, PARAMS, params)?;
        let followers = given.count(&FOLLOWERS).unwrap_or(DEFAULT_FOLLOWERS);
        let comment_volume = given.comment_volume();
        let dm_frequency = given.dm_frequency();
        let engagement_rate = given
            .number(&ENGAGEMENT_RATE)
            .unwrap_or(DEFAULT_ENGAGEMENT_RATE);
        Ok(Params {
            followers,
            comment_volume,
            dm_frequency,
            posts_per_day: given
                .number(&POSTS_PER_DAY)
                .unwrap_or(DEFAULT_POSTS_PER_DAY),
            engagement_rate,
            comment_rate: given.number_or(
                &COMMENT_RATE,
                engagement_rate * COMMENT_SHARE * comment_volume.factor(),
            )?,
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
        assert_eq!(p, Params::parse("{}").unwrap());
        assert_eq!(p.followers, 100_000);
        assert!((p.dm_rate - 8.0).abs() < 1e-9);
        assert!((REACTION_SHARE + COMMENT_SHARE + SHARE_SHARE - 1.0).abs() < 1e-12);
    }

    #[test]
    fn errors_name_the_field() {
        for (json, field) in [
            (r#"{"followers": -5}"#, "followers"),
            (r#"{"posts_per_day": 30}"#, "posts_per_day"),
            (r#"{"engagement_rate": 2}"#, "engagement_rate"),
            (r#"{"comment_rate": "x"}"#, "comment_rate"),
            (r#"{"dm_rate": -3}"#, "dm_rate"),
            (r#"{"comment_volume": "loud"}"#, "comment_volume"),
            (r#"{"fans": 5}"#, "fans"),
        ] {
            let e = Params::parse(json).unwrap_err();
            assert!(
                e.starts_with("facebook: ") && e.contains(&format!("`{field}`")),
                "{json}: {e}"
            );
        }
    }
}
