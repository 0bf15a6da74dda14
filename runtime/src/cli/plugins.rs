//! `diorama plugins`: what platforms are available.

use std::fmt::Write;

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
        let _ = writeln!(s, "  actions:      {}", joined(&i.actions));
        let _ = writeln!(s, "  defaults:     {}", i.defaults_json());
        if i.signals.is_empty() {
            let _ = writeln!(s, "  signals:      none");
        } else {
            let _ = writeln!(s, "  signals:");
            for sig in &i.signals {
                let _ = writeln!(s, "    {:<12} {}", sig.name, sig.description);
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
    }
    s
}
