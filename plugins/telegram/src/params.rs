//! Account parameters, declared once in [`PARAMS`]: `describe()` lists them
//! and [`Params::parse`] checks them, with the SDK's parameter kit, so every
//! error names the platform and the parameter at fault.

use diorama_sdk::models::params::{self, ParamDef, COMMENT_VOLUME, DM_FREQUENCY};
use diorama_sdk::models::volume::{CommentVolume, DmFrequency};
use diorama_sdk::SharedParam;

/// The most messages a bot may send to one group or channel in a minute
/// (Bot API FAQ, "My bot is hitting limits, how do I avoid this?": "In a
/// group, bots are not be able to send more than 20 messages per
/// minute"): the creator's channel posts and discussion-group replies.
pub const GROUP_PER_MINUTE: u32 = 20;
/// The most messages a bot should send to one chat in a second (same FAQ:
/// "avoid sending more than one message per second").
pub const CHAT_PER_SECOND: u32 = 1;
/// The most messages a bot may send in a second over all chats (same FAQ:
/// "not more than about 30 messages per second").
pub const OVERALL_PER_SECOND: u32 = 30;

pub const DEFAULT_SUBSCRIBERS: u64 = 100_000;
/// Posts a day of an active creator's channel.
pub const DEFAULT_POSTS_PER_DAY: f64 = 3.0;
/// Lifetime views of a post of average quality, per subscriber. Post
/// quality is log-normal, so the median post gets about half of that: a
/// fifth to a quarter of the subscribers, the "view ratio" (ERR) channel
/// analytics report (geratools' Telegram engagement calculator takes 40 %
/// as its example; channels that buy subscribers sink far below).
pub const DEFAULT_VIEWS_PER_SUBSCRIBER: f64 = 0.4;
/// Reactions per view. With forwards and comments the median post ends
/// with engagement ≈ 0.7 % of the subscribers, inside the 0.5–3 % that
/// Telagon's glossary (telagon.io/glossary/er) calls average for ER
/// (reactions + comments + forwards over subscribers).
pub const DEFAULT_REACTION_RATE: f64 = 0.03;
/// Forwards per view: Telegram's organic growth lever.
pub const DEFAULT_FORWARD_RATE: f64 = 0.004;
/// Comments per view in the linked discussion group.
pub const DEFAULT_COMMENT_RATE: f64 = 0.0015;
/// Private messages to the creator's bot per day per subscriber at the
/// `medium` DM frequency: about 6 a day at 100k subscribers.
pub const DMS_PER_SUBSCRIBER_DAY: f64 = 6e-5;

const PLATFORM: &str = "telegram";

/// The account parameters, resolved.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Params {
    pub subscribers: u64,
    pub posts_per_day: f64,
    /// Expected lifetime views of a post of average quality.
    pub avg_views: f64,
    pub comment_volume: CommentVolume,
    pub dm_frequency: DmFrequency,
    pub comment_rate: f64,
    pub reaction_rate: f64,
    pub forward_rate: f64,
    /// Private messages to the bot per day.
    pub dm_rate: f64,
}

pub const SUBSCRIBERS: ParamDef =
    ParamDef::count("subscribers", Some(DEFAULT_SUBSCRIBERS), 0, 10_000_000_000)
        .describe("Subscribers of the channel.")
        .shared(SharedParam::Audience);
pub const POSTS_PER_DAY: ParamDef =
    ParamDef::number("posts_per_day", Some(DEFAULT_POSTS_PER_DAY), 0.0, 100.0)
        .unit("posts")
        .describe("Channel posts per day.")
        .shared(SharedParam::UploadFrequency);
pub const AVG_VIEWS: ParamDef = ParamDef::number("avg_views", None, 1.0, 1e12)
    .unit("views")
    .describe("Lifetime views of a post of average quality; by default 0.4 per subscriber (at least 20): the median post is seen by about a fifth of them.")
    .shared(SharedParam::AvgViews);
pub const COMMENT_RATE: ParamDef =
    ParamDef::number("comment_rate", Some(DEFAULT_COMMENT_RATE), 0.0, 1.0)
        .unit("comments per view")
        .describe("Comments in the discussion group per view; by default this rate times the comment volume's factor.");
pub const REACTION_RATE: ParamDef =
    ParamDef::number("reaction_rate", Some(DEFAULT_REACTION_RATE), 0.0, 1.0)
        .unit("reactions per view")
        .describe("Reactions per view.")
        .shared(SharedParam::EngagementRate);
pub const FORWARD_RATE: ParamDef =
    ParamDef::number("forward_rate", Some(DEFAULT_FORWARD_RATE), 0.0, 1.0)
        .unit("forwards per view")
        .describe("Forwards per view.");
pub const DM_RATE: ParamDef = ParamDef::number("dm_rate", None, 0.0, 1e6)
    .unit("messages per day")
    .describe("Private messages to the creator's bot per day; by default 0.6 per 10,000 subscribers times the DM frequency's factor.");

/// Every account parameter, in the order `describe()` lists them.
pub const PARAMS: &[ParamDef] = &[
    SUBSCRIBERS,
    POSTS_PER_DAY,
    AVG_VIEWS,
    COMMENT_RATE,
    REACTION_RATE,
    FORWARD_RATE,
    DM_RATE,
    COMMENT_VOLUME,
    DM_FREQUENCY,
];

impl Params {
    /// Parse the account's `params` JSON object.
    pub fn parse(params: &str) -> Result<Params, String> {
        let given = params::parse(PLATFORM, PARAMS, params)?;
        let subscribers = given.count(&SUBSCRIBERS).unwrap_or(DEFAULT_SUBSCRIBERS);
        let comment_volume = given.comment_volume();
        let dm_frequency = given.dm_frequency();
        Ok(Params {
            subscribers,
            comment_volume,
            dm_frequency,
            posts_per_day: given
                .number(&POSTS_PER_DAY)
                .unwrap_or(DEFAULT_POSTS_PER_DAY),
            avg_views: given.number_or(
                &AVG_VIEWS,
                (subscribers as f64 * DEFAULT_VIEWS_PER_SUBSCRIBER).max(20.0),
            )?,
            comment_rate: given.number_or(
                &COMMENT_RATE,
                DEFAULT_COMMENT_RATE * comment_volume.factor(),
            )?,
            reaction_rate: given
                .number(&REACTION_RATE)
                .unwrap_or(DEFAULT_REACTION_RATE),
            forward_rate: given.number(&FORWARD_RATE).unwrap_or(DEFAULT_FORWARD_RATE),
            dm_rate: given.number_or(
                &DM_RATE,
                subscribers as f64 * DMS_PER_SUBSCRIBER_DAY * dm_frequency.factor(),
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
        assert_eq!(p.subscribers, 100_000);
        assert_eq!(p.avg_views, 40_000.0);
        assert!((p.dm_rate - 6.0).abs() < 1e-9);
    }

    #[test]
    fn errors_name_the_field() {
        for (json, field) in [
            (r#"{"subscribers": -5}"#, "subscribers"),
            (r#"{"posts_per_day": 500}"#, "posts_per_day"),
            (r#"{"avg_views": 0}"#, "avg_views"),
            (r#"{"comment_rate": "x"}"#, "comment_rate"),
            (r#"{"reaction_rate": 2}"#, "reaction_rate"),
            (r#"{"forward_rate": -1}"#, "forward_rate"),
            (r#"{"dm_rate": -3}"#, "dm_rate"),
            (r#"{"followers": 5}"#, "followers"),
        ] {
            let e = Params::parse(json).unwrap_err();
            assert!(
                e.starts_with("telegram: ") && e.contains(&format!("`{field}`")),
                "{json}: {e}"
            );
        }
    }
}
