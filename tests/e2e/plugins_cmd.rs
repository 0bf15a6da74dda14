//! `diorama plugins`.

use crate::common::*;

#[test]
fn lists_the_builtin_youtube_plugin() {
    let dir = scratch();
    let r = diorama(dir.path(), &["plugins"]);
    assert_eq!(r.code, 0, "{}", r.describe());
    assert!(r.stdout.contains("youtube "), "{}", r.describe());
    assert!(
        r.stdout.contains("diorama:platform@0.3.0"),
        "{}",
        r.describe()
    );
    assert!(r.stdout.contains("built-in"), "{}", r.describe());
    assert!(r.stdout.contains("viral"), "{}", r.describe());
    assert!(r.stdout.contains("video"), "{}", r.describe());
    assert!(r.stdout.contains("defaults:     {"), "{}", r.describe());
    assert!(r.stdout.contains("subscribers"), "{}", r.describe());
}

#[test]
fn the_listing_shows_what_each_platform_declares() {
    let dir = scratch();
    let plugins = test_plugins();
    let r = diorama(dir.path(), &["plugins", "--plugins", path_str(&plugins)]);
    assert_eq!(r.code, 0, "{}", r.describe());
    // Each platform's block: its first line, then the indented ones.
    let section = |name: &str| -> String {
        let mut block = String::new();
        let mut inside = false;
        for line in r.stdout.lines() {
            if !line.starts_with(' ') {
                inside = line.starts_with(&format!("{name} "));
            }
            if inside {
                block.push_str(line);
                block.push('\n');
            }
        }
        assert!(!block.is_empty(), "{name} is listed: {}", r.describe());
        block
    };
    let youtube = section("youtube");
    for line in [
        "metric roles: views = views, likes = likes, comments = comments",
        "automatic:    1 of an automatic profile's size",
        "subscribers        count, default 100000, 0..=10000000000 [= audience]",
        "avg_views          number, default null, 1..=1000000000000 [= avg_views]",
        "comment_volume     choice, default \"medium\", one of low, medium, high, viral [= comment_volume]",
        "limits:       publish 6 per",
        "api hosts:    www.googleapis.com, youtube.googleapis.com",
        "websub-atom (application/atom+xml)",
        "(on content)",
    ] {
        assert!(youtube.contains(line), "{line:?} in:\n{youtube}");
    }
    let instagram = section("instagram");
    assert!(
        instagram.contains("automatic:    0.6 of an automatic profile's size"),
        "{instagram}"
    );
    assert!(
        instagram.contains("dm_frequency       choice, default \"medium\", one of low, medium, high [= dm_frequency]"),
        "{instagram}"
    );
    let hostile = section("hostile");
    assert!(
        hostile.contains("automatic:    none (joins only profiles that name it)"),
        "{hostile}"
    );
    assert!(
        hostile.contains("metric roles: views = none, likes = none, comments = none"),
        "{hostile}"
    );
}

#[test]
fn lists_plugins_from_a_folder_as_json() {
    let dir = scratch();
    let plugins = test_plugins();
    let r = diorama(
        dir.path(),
        &["plugins", "--plugins", path_str(&plugins), "--json"],
    );
    assert_eq!(r.code, 0, "{}", r.describe());
    let list: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "archive",
            "facebook",
            "hostile",
            "instagram",
            "legacy",
            "telegram",
            "tiktok",
            "x",
            "youtube"
        ]
    );
    let named = |name: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} is listed"))
            .clone()
    };
    // The plugin built for contract 0.2 is listed with its version.
    assert_eq!(named("archive")["interface"], "0.2.0");
    let hostile = &named("hostile");
    assert!(hostile["source"]
        .as_str()
        .unwrap()
        .ends_with("hostile.wasm"));
    assert_eq!(hostile["interface"], "0.3.0");
    // The plugin built for contract 0.1 is listed with its version.
    assert_eq!(named("legacy")["interface"], "0.1.0");
    assert_eq!(named("youtube")["interface"], "0.3.0");
}

#[test]
fn a_folder_with_a_broken_plugin_is_an_error_naming_the_file() {
    let dir = scratch();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    std::fs::write(plugins.join("broken.wasm"), b"not wasm at all").unwrap();
    let r = diorama(dir.path(), &["plugins", "--plugins", "plugins"]);
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("broken.wasm"), "{}", r.describe());
}

#[test]
fn a_0_1_plugin_is_listed_beside_0_2_ones_with_its_contract_version() {
    let dir = scratch();
    let plugins = test_plugins();
    let r = diorama(dir.path(), &["plugins", "--plugins", path_str(&plugins)]);
    assert_eq!(r.code, 0, "{}", r.describe());
    let header = |name: &str| {
        r.stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} is listed: {}", r.describe()))
            .to_string()
    };
    assert!(
        header("legacy").contains("(interface diorama:platform@0.1.0, "),
        "{}",
        r.describe()
    );
    assert!(
        header("youtube").contains("(interface diorama:platform@0.3.0, built-in)"),
        "{}",
        r.describe()
    );
}

/// A scenario over a 0.1 plugin and a 0.2 plugin in one profile: both run,
/// the 0.1 plugin's signal gets `content_id` and its metrics read as
/// `v.views` and `v.likes`, and its action is limited as it says.
#[test]
fn a_scenario_runs_a_0_1_plugin_beside_a_0_2_one() {
    let dir = scratch();
    std::fs::write(
        dir.path().join("both.rhai"),
        r#"
let p = profile(#{
    name: "sidebyside",
    niche: "tech",
    youtube: #{ subscribers: 50_000 },
    legacy: #{ notes_per_day: 4 },
});
advance(days(1));
let notes = p.contents("legacy");
expect(notes.len() == 4, "legacy posted four notes in a day");
let n = notes[0];
let views_before = n.views;
signal(n, "boost", #{ factor: 10 });
advance(hours(2));
expect(n.views == views_before + 2_000, "the boost reached the 0.1 plugin with the note's id");
expect(n.likes > 0, "likes read through the 0.1 plugin's metric names");
let r = p.act("legacy", "publish", #{ title: "by hand" });
expect(r.ok, "the 0.1 plugin accepts its action");
expect(p.count("youtube") > 0, "the 0.2 plugin ran alongside");
report("legacy_views", n.views);
"#,
    )
    .unwrap();
    let plugins = test_plugins();
    let args = [
        "run",
        "both.rhai",
        "--plugins",
        path_str(&plugins),
        "--out",
        "o",
        "--seed",
        "5",
    ];
    let r = diorama(dir.path(), &args);
    assert_eq!(r.code, 0, "{}", r.describe());
    let events = read_lines(&dir.path().join("o/events.jsonl"));
    for platform in ["legacy", "youtube"] {
        assert!(
            events.iter().any(|e| e["platform"] == platform),
            "{platform} wrote events"
        );
    }
    // Same seed, same bytes, with a 0.1 plugin in the run.
    let first = std::fs::read(dir.path().join("o/events.jsonl")).unwrap();
    let r = diorama(dir.path(), &args);
    assert_eq!(r.code, 0, "{}", r.describe());
    assert_eq!(
        std::fs::read(dir.path().join("o/events.jsonl")).unwrap(),
        first
    );
}
