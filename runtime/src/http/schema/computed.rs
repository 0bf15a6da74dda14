//! Schemas computed from `live::pace` and `webhook`'s constants (the
//! `schema_with` targets): utoipa's `minimum`/`maximum`/`maxLength` take
//! literals only.

use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

use crate::live::pace;

fn integer(range: (u64, u64), description: Option<&str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(range.0 as f64))
        .maximum(Some(range.1 as f64))
        .description(description)
        .build()
}

fn speed(description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Number)
        .minimum(Some(pace::MIN_SPEED))
        .maximum(Some(pace::MAX_SPEED))
        .description(Some(description))
        .build()
}

/// "Between <first instant> and <last instant>."
fn instant_range() -> String {
    format!(
        "Between {} and {}.",
        crate::event::time::format_instant(pace::INSTANT_MS.0),
        crate::event::time::format_instant(pace::INSTANT_MS.1)
    )
}

fn instant(description: &str, nullable: bool) -> Object {
    let mut b = ObjectBuilder::new();
    b = if nullable {
        b.schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Null,
        ]))
    } else {
        b.schema_type(Type::String)
    };
    b.format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
        utoipa::openapi::KnownFormat::DateTime,
    )))
    .description(Some(format!("{description} {}", instant_range())))
    .build()
}

pub fn size() -> Object {
    integer(
        pace::SIZE,
        Some("Audience of an automatic profile: each platform gets its declared `automatic_share` of it (GET /v1/platforms) as its `audience` parameter. With no `platforms`, the profile has every platform that declares a share."),
    )
}
/// `audience` and `avg_views` of `platforms` options: the range of `size`.
pub fn shared_count() -> Object {
    integer(
        (0, pace::SIZE.1),
        Some("A count of the shared vocabulary: a whole number up to the largest `size`."),
    )
}
pub fn ttl_create() -> Object {
    integer(
        pace::INACTIVITY_TTL_S,
        Some("Delete the profile after this many seconds without a request."),
    )
}
pub fn ttl_update() -> Object {
    integer(pace::INACTIVITY_TTL_S, None)
}
pub fn per_day() -> Object {
    integer(pace::INTERACTIONS_PER_DAY, Some("Interactions per virtual (UTC) day before the profile pauses itself (status `limited`). Default 1000."))
}
pub fn create_speed() -> Object {
    speed("Start right away at this speed (1 = real time).")
}
pub fn body_speed() -> Object {
    speed("1 = real time.")
}
pub fn start() -> Object {
    instant(
        "Virtual time at creation; the wall clock by default.",
        false,
    )
}
pub fn expires_at() -> Object {
    instant("Wall-clock end of the profile.", false)
}
pub fn expires_at_or_null() -> Object {
    instant("RFC 3339, or null to clear.", true)
}
pub fn url() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::Custom("uri".into())))
        .max_length(Some(crate::webhook::MAX_URL_BYTES))
        .description(Some("http or https. Loopback and public addresses; private, link-local, unique-local, CGNAT and metadata ranges only with the server's `--allow-private-webhooks`."))
        .build()
}
pub fn secret() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(crate::webhook::MIN_SECRET_BYTES))
        .max_length(Some(crate::webhook::MAX_SECRET_BYTES))
        .description(Some("Signs every delivery: `diorama-signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>`."))
        .build()
}

/// The event types, from `event::TYPE_NAMES`.
pub fn event_type() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(crate::event::TYPE_NAMES))
        .build()
}
