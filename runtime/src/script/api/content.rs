//! A content's fields and live counters: `id`, `kind`, `platform`,
//! `title`, `text`, `url`, `published`, `views`, `likes`, `comments`,
//! `shares`, `saves`, `interactions`, `metric(name)`.
//!
//! `views`, `likes` and `comments` read the metrics the platform declares
//! in its `metric_roles`; a platform that declares none for a role makes
//! reading it a script error, never a silent 0. `shares`, `saves` and
//! `metric(name)` read the metric of that name.

use diorama_sdk::{MetricRoles, PlatformInfo};
use rhai::{Engine, INT};

use super::{err, ContentHandle, Ctx, Res};
use crate::store::ContentRecord;

/// A role of [`MetricRoles`], as a script reads it.
#[derive(Clone, Copy)]
enum Role {
    Views,
    Likes,
    Comments,
}

impl Role {
    fn word(self) -> &'static str {
        match self {
            Role::Views => "views",
            Role::Likes => "likes",
            Role::Comments => "comments",
        }
    }

    fn metric(self, roles: &MetricRoles) -> Option<&String> {
        match self {
            Role::Views => roles.views.as_ref(),
            Role::Likes => roles.likes.as_ref(),
            Role::Comments => roles.comments.as_ref(),
        }
    }
}

pub(super) fn register(engine: &mut Engine, c: &Ctx) {
    engine.register_get("id", |x: &mut ContentHandle| x.id.clone());
    engine.register_get("kind", |x: &mut ContentHandle| x.kind.clone());
    engine.register_get("platform", |x: &mut ContentHandle| x.platform.clone());
    engine.register_get("title", |x: &mut ContentHandle| x.title.clone());
    engine.register_get("text", |x: &mut ContentHandle| x.text.clone());
    engine.register_get("url", |x: &mut ContentHandle| x.url.clone());
    engine.register_get("published", |x: &mut ContentHandle| x.published as INT);
    engine.register_fn("to_string", |x: &mut ContentHandle| {
        format!("{} {} {}", x.platform, x.kind, x.id)
    });

    // The counters are read from the stored record each time.
    let record = {
        let k = c.clone();
        move |x: &ContentHandle| -> Res<ContentRecord> {
            let sim = k.synced()?;
            let owner = sim.profile_id(x.profile).ok_or("unknown profile")?;
            sim.store()
                .content(owner, &x.id)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("content `{}` is no longer stored", x.id).into())
        }
    };
    for role in [Role::Views, Role::Likes, Role::Comments] {
        let r = record.clone();
        let k = c.clone();
        engine.register_get(role.word(), move |x: &mut ContentHandle| -> Res<INT> {
            let metric = {
                let sim = k.sim()?;
                let Some(plugin) = sim.host().get(&x.platform) else {
                    return err(format!("platform `{}` is not loaded", x.platform));
                };
                role_metric(&plugin.info, role, x)?
            };
            Ok(r(x)?.metrics.get(&metric).copied().unwrap_or(0))
        });
    }
    for name in ["shares", "saves"] {
        let r = record.clone();
        engine.register_get(name, move |x: &mut ContentHandle| -> Res<INT> {
            Ok(r(x)?.metrics.get(name).copied().unwrap_or(0))
        });
    }
    let r = record.clone();
    engine.register_get("interactions", move |x: &mut ContentHandle| -> Res<INT> {
        Ok(r(x)?.interactions as INT)
    });
    engine.register_fn(
        "metric",
        move |x: &mut ContentHandle, name: &str| -> Res<INT> {
            Ok(record(x)?.metrics.get(name).copied().unwrap_or(0))
        },
    );
}

/// The metric `role` reads on `x`'s platform, or the script error saying
/// the platform declares none.
fn role_metric(info: &PlatformInfo, role: Role, x: &ContentHandle) -> Res<String> {
    match role.metric(&info.metric_roles) {
        Some(m) => Ok(m.clone()),
        None => err(format!(
            "`{}` of {} {} {}: {} declares no metric for {} (its metrics: {}); read one with `metric(name)`",
            role.word(),
            x.platform,
            x.kind,
            x.id,
            info.name,
            role.word(),
            joined(&info.metrics)
        )),
    }
}

fn joined(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(roles: MetricRoles) -> PlatformInfo {
        PlatformInfo {
            name: "notes".into(),
            version: "1.0.0".into(),
            content_kinds: vec!["note".into()],
            interaction_kinds: Vec::new(),
            metrics: vec!["reads".into(), "replies".into()],
            metric_roles: roles,
            signals: Vec::new(),
            actions: Vec::new(),
            limits: Vec::new(),
            params: Vec::new(),
            automatic_share: None,
            api_hosts: Vec::new(),
            webhook_formats: Vec::new(),
        }
    }

    fn note() -> ContentHandle {
        ContentHandle {
            profile: 0,
            platform: "notes".into(),
            id: "n1".into(),
            kind: "note".into(),
            title: String::new(),
            text: String::new(),
            url: String::new(),
            published: 0,
        }
    }

    #[test]
    fn a_role_reads_the_declared_metric_or_is_an_error_naming_the_metrics() {
        let notes = info(MetricRoles {
            views: Some("reads".into()),
            likes: None,
            comments: Some("replies".into()),
        });
        assert_eq!(role_metric(&notes, Role::Views, &note()).unwrap(), "reads");
        assert_eq!(
            role_metric(&notes, Role::Comments, &note()).unwrap(),
            "replies"
        );
        let e = role_metric(&notes, Role::Likes, &note())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`likes` of notes note n1: notes declares no metric for likes (its metrics: reads, replies)"),
            "{e}"
        );
    }
}
