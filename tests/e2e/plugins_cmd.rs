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
