//! `diorama plugins`.

use crate::common::*;

#[test]
fn lists_the_builtin_youtube_plugin() {
    let dir = scratch();
    let r = diorama(dir.path(), &["plugins"]);
    assert_eq!(r.code, 0, "{}", r.describe());
    assert!(r.stdout.contains("youtube "), "{}", r.describe());
    assert!(
        r.stdout.contains("diorama:platform@0.1.0"),
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
    assert_eq!(names, ["hostile", "instagram", "tiktok", "youtube"]);
    let hostile = &list[0];
    assert!(hostile["source"]
        .as_str()
        .unwrap()
        .ends_with("hostile.wasm"));
    assert_eq!(hostile["interface"], "0.1.0");
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
