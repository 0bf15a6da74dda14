//! `diorama plugins`: what platforms are available.

use std::fmt::Write;

use diorama_sdk::{MetricRoles, ParamInfo, ParamKind};

use super::{fail, load_plugins, PluginDirArg};
use crate::event::time::format_duration;
use crate::plugin::{LoadedPlugin, PluginSource};

#[derive(clap::Args, Debug)]
pub struct PluginsArgs {
    #[command(flatten)]
    dir: PluginDirArg,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub fn plugins(args: PluginsArgs) -> i32 {
    let host = match load_plugins(&args.dir) {
        Ok(h) => h,
        Err(e) => return fail(e),
    };
    let list = host.plugins();
    if args.json {
        let items: Vec<serde_json::Value> = list.iter().map(|p| plugin_json(p)).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&items).unwrap_or_default()
        );
    } else {
        print!("{}", plugins_text(&list));
    }
    0
}

fn source(p: &LoadedPlugin) -> String {
    match &p.source {
        PluginSource::Builtin => "built-in".to_string(),
        PluginSource::File(path) => path.display().to_string(),
    }
}

fn plugin_json(p: &LoadedPlugin) -> serde_json::Value {
    let mut v = p.to_json();
    v["source"] = source(p).into();
    v
}

fn joined(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

fn plugins_text(list: &[&LoadedPlugin]) -> String {
    let mut s = String::new();
    for p in list {
        let i = &p.info;
        let _ = writeln!(
            s,
            "{} {}  (interface diorama:platform@{}, {})",
            i.name,
            i.version,
            p.interface_version,
            source(p)
        );
        let _ = writeln!(s, "  content:      {}", joined(&i.content_kinds));
        let _ = writeln!(s, "  interactions: {}", joined(&i.interaction_kinds));
        let _ = writeln!(s, "  metrics:      {}", joined(&i.metrics));
        let _ = writeln!(s, "  metric roles: {}", metric_roles(&i.metric_roles));
        let _ = writeln!(s, "  actions:      {}", joined(&i.actions));
        let share = match i.automatic_share {
            Some(share) => format!("{share} of an automatic profile's size"),
            None => "none (joins only profiles that name it)".to_string(),
        };
        let _ = writeln!(s, "  automatic:    {share}");
        let _ = writeln!(s, "  defaults:     {}", i.defaults_json());
        if i.params.is_empty() {
            let _ = writeln!(s, "  params:       none");
        } else {
            let _ = writeln!(s, "  params:");
            for param in &i.params {
                let _ = writeln!(s, "    {}", param_line(param));
            }
        }
        if i.signals.is_empty() {
            let _ = writeln!(s, "  signals:      none");
        } else {
            let _ = writeln!(s, "  signals:");
            for sig in &i.signals {
                let on = if sig.on_content { " (on content)" } else { "" };
                let _ = writeln!(s, "    {:<12} {}{on}", sig.name, sig.description);
            }
        }
        if !i.limits.is_empty() {
            let limits: Vec<String> = i
                .limits
                .iter()
                .map(|l| format!("{} {} per {}", l.action, l.max, format_duration(l.per)))
                .collect();
            let _ = writeln!(s, "  limits:       {}", limits.join(", "));
        }
        let _ = writeln!(s, "  api hosts:    {}", joined(&i.api_hosts));
        if i.webhook_formats.is_empty() {
            let _ = writeln!(s, "  webhooks:     none");
        } else {
            let _ = writeln!(s, "  webhooks:");
            for w in &i.webhook_formats {
                let _ = writeln!(s, "    {} ({}): {}", w.name, w.content_type, w.description);
            }
        }
    }
    s
}

fn metric_roles(roles: &MetricRoles) -> String {
    let role = |word: &str, metric: &Option<String>| {
        format!("{word} = {}", metric.as_deref().unwrap_or("none"))
    };
    [
        role("views", &roles.views),
        role("likes", &roles.likes),
        role("comments", &roles.comments),
    ]
    .join(", ")
}

/// `name  kind, default D, range or choices [= shared word]  description`.
fn param_line(p: &ParamInfo) -> String {
    let kind = match p.kind {
        ParamKind::Count => "count",
        ParamKind::Number => "number",
        ParamKind::Choice => "choice",
        ParamKind::Flag => "flag",
    };
    let mut head = format!("{:<18} {kind}, default {}", p.name, p.default);
    match (p.min, p.max) {
        (Some(lo), Some(hi)) => {
            let _ = write!(head, ", {lo}..={hi}");
        }
        (Some(lo), None) => {
            let _ = write!(head, ", at least {lo}");
        }
        (None, Some(hi)) => {
            let _ = write!(head, ", at most {hi}");
        }
        (None, None) => {}
    }
    if !p.choices.is_empty() {
        let _ = write!(head, ", one of {}", p.choices.join(", "));
    }
    if let Some(word) = p.shared {
        let _ = write!(head, " [= {}]", word.as_str());
    }
    if !p.description.is_empty() {
        let _ = write!(head, "  {}", p.description);
    }
    head
}
