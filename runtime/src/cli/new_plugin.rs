//! `diorama new-plugin NAME [--dir DIR]`: a platform plugin crate to start
//! from, outside this repository.
//!
//! The crate (`DIR/NAME`) is a working minimal platform — posts, comments,
//! a signal, an action, a native API route — with its native tests, a
//! scenario, a one-command build to a component and a README. It builds on
//! its own: a standalone manifest with a `[workspace]` table of its own, and
//! the SDK this binary was built with written into `vendor/diorama-sdk`
//! (the SDK is not on a registry; `build.rs` embeds it, its manifest's
//! workspace lines resolved). The template is `runtime/template/plugin/`.

use std::collections::BTreeSet;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use super::fail;

mod bundle {
    include!(concat!(env!("OUT_DIR"), "/sdk_bundle.rs"));
}

#[derive(clap::Args, Debug)]
pub struct NewPluginArgs {
    /// The platform's name: 1 to 32 lower-case letters, digits or `_`, starting with a
    /// letter. It is also the crate's and the component file's name.
    #[arg(value_name = "NAME")]
    name: String,
    /// Create the crate in DIR/NAME (default: in the current folder).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Why `new-plugin` did not write the crate.
#[derive(Debug, thiserror::Error)]
pub enum NewPluginError {
    #[error(
        "`{}` cannot name a platform: {reason}",
        .name.escape_default()
    )]
    BadName { name: String, reason: &'static str },
    #[error(
        "{} already exists and is not an empty folder; choose another name or another --dir",
        .0.display()
    )]
    Exists(PathBuf),
    #[error("cannot write {}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> NewPluginError + '_ {
    move |source| NewPluginError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The template's files: (path in the new crate, template text).
const TEMPLATE: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../../template/plugin/Cargo.toml.tmpl"),
    ),
    (
        ".cargo/config.toml",
        include_str!("../../template/plugin/cargo-config.toml.tmpl"),
    ),
    (
        ".gitignore",
        include_str!("../../template/plugin/gitignore.tmpl"),
    ),
    (
        "README.md",
        include_str!("../../template/plugin/README.md.tmpl"),
    ),
    (
        "src/lib.rs",
        include_str!("../../template/plugin/lib.rs.tmpl"),
    ),
    (
        "tests/platform.rs",
        include_str!("../../template/plugin/tests.rs.tmpl"),
    ),
    (
        "scenarios/smoke.rhai",
        include_str!("../../template/plugin/smoke.rhai.tmpl"),
    ),
];

/// Where the SDK goes in the new crate.
const VENDOR: &str = "vendor/diorama-sdk";

pub fn new_plugin(args: NewPluginArgs) -> i32 {
    let dir = args.dir.unwrap_or_else(|| PathBuf::from("."));
    match create(&args.name, &dir) {
        Ok(path) => {
            let mut out = io::stdout().lock();
            let _ = write!(out, "{}", next_steps(&args.name, &path));
            0
        }
        Err(e) => fail(e),
    }
}

/// Write the crate `dir/name`; returns its path.
pub fn create(name: &str, dir: &Path) -> Result<PathBuf, NewPluginError> {
    check_name(name)?;
    let target = dir.join(name);
    if !is_free(&target)? {
        return Err(NewPluginError::Exists(target));
    }
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    // Written in a hidden folder beside the target, then renamed into place:
    // an interrupted run leaves no half-made crate under the name.
    let staging = tempfile::Builder::new()
        .prefix(".diorama-new-plugin-")
        .tempdir_in(dir)
        .map_err(io_error(dir))?;
    for (path, bytes) in files(name) {
        let to = staging.path().join(&path);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        std::fs::write(&to, bytes).map_err(io_error(&target.join(&path)))?;
    }
    let staged = staging.keep();
    if let Err(e) = std::fs::rename(&staged, &target) {
        let _ = std::fs::remove_dir_all(&staged);
        // Someone filled the folder meanwhile.
        if target.exists() && !is_free(&target).unwrap_or(false) {
            return Err(NewPluginError::Exists(target));
        }
        return Err(io_error(&target)(e));
    }
    Ok(target)
}

/// Whether `path` is missing or an empty folder (not a link to one).
fn is_free(path: &Path) -> Result<bool, NewPluginError> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(io_error(path)(e)),
        Ok(meta) if meta.is_dir() => Ok(std::fs::read_dir(path)
            .map_err(io_error(path))?
            .next()
            .is_none()),
        Ok(_) => Ok(false),
    }
}

/// Every file of the new crate: (path in it, contents), sorted by path.
fn files(name: &str) -> Vec<(String, Vec<u8>)> {
    let type_name = type_name(name);
    let vars = [
        ("name", name),
        ("Name", type_name.as_str()),
        ("diorama_version", env!("CARGO_PKG_VERSION")),
        ("interface", diorama_sdk::INTERFACE_VERSION),
    ];
    let mut files: Vec<(String, Vec<u8>)> = TEMPLATE
        .iter()
        .map(|(path, text)| (path.to_string(), render(text, &vars).into_bytes()))
        .collect();
    files.push(("Cargo.lock".into(), bundle::SDK_LOCK.as_bytes().to_vec()));
    files.push((
        format!("{VENDOR}/Cargo.toml"),
        bundle::SDK_MANIFEST.as_bytes().to_vec(),
    ));
    for (path, bytes) in bundle::SDK_FILES {
        files.push((format!("{VENDOR}/{path}"), bytes.to_vec()));
    }
    files.sort();
    files
}

/// Replace each `{{key}}` of `vars` in `text`.
fn render(text: &str, vars: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (key, value) in vars {
        out = out.replace(&format!("{{{{{key}}}}}"), value);
    }
    out
}

/// The platform's Rust type: the name in CamelCase (`my_site` → `MySite`),
/// or with `Platform` after it when the template already uses that word
/// (`post` → `PostPlatform`, not the template's own `Post`).
fn type_name(name: &str) -> String {
    let mut camel: String = name
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    let taken = template_words();
    while taken.contains(camel.as_str()) {
        camel.push_str("Platform");
    }
    camel
}

/// Every word of the Rust templates (identifiers, keywords, names in
/// comments): a type named like one of them could clash.
fn template_words() -> BTreeSet<&'static str> {
    TEMPLATE
        .iter()
        .filter(|(path, _)| path.ends_with(".rs"))
        .flat_map(|(_, text)| text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Rust keywords (strict, reserved and edition-dependent): cargo refuses
/// them as package names, and the name is the library's identifier.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// A platform name is what the host accepts (see `plugin/host.rs`) less
/// `-`: the name is also the crate's, its library's and the component
/// file's, and Rust would turn a `-` into `_` in two of them.
fn check_name(name: &str) -> Result<(), NewPluginError> {
    let bad = |reason| NewPluginError::BadName {
        name: name.to_string(),
        reason,
    };
    const RULE: &str =
        "a platform name is 1 to 32 lower-case letters, digits or `_`, starting with a letter";
    if name.is_empty()
        || name.len() > 32
        || !name.starts_with(|c: char| c.is_ascii_lowercase())
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(bad(RULE));
    }
    if KEYWORDS.contains(&name) {
        return Err(bad("it is a Rust keyword, and the name is the crate's too"));
    }
    if ["core", "std", "alloc", "proc_macro", "test"].contains(&name) {
        return Err(bad("it is the name of a library Rust itself provides"));
    }
    if ["diorama_sdk", "serde", "serde_json"].contains(&name) {
        return Err(bad("the plugin depends on a crate of that name"));
    }
    if ["build", "deps", "examples", "incremental"].contains(&name) {
        return Err(bad("it is the name of a folder cargo builds into"));
    }
    if name == "diorama" {
        return Err(bad("the host's own notices carry the platform `diorama`"));
    }
    Ok(())
}

/// What `new-plugin` prints once the crate is written.
fn next_steps(name: &str, path: &Path) -> String {
    format!(
        "created the {name} platform plugin in {path}\n  \
         (diorama {version}, SDK {sdk}, contract diorama:platform@{interface})\n\
         \n\
         next:\n  \
         cd {path}\n  \
         cargo test                      # native tests on the SDK's harness\n  \
         rustup target add wasm32-wasip2  # once\n  \
         cargo build-plugin              # target/wasm32-wasip2/plugin/{name}.wasm\n  \
         diorama run scenarios/smoke.rhai --plugins target/wasm32-wasip2/plugin\n",
        path = path.display(),
        version = env!("CARGO_PKG_VERSION"),
        sdk = bundle::SDK_VERSION,
        interface = diorama_sdk::INTERFACE_VERSION,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_hosts_rule_less_the_dash() {
        for good in ["mastodon", "x", "my_site2", &"a".repeat(32)] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for (bad, says) in [
            ("", "1 to 32"),
            ("Mastodon", "1 to 32"),
            ("2site", "starting with a letter"),
            ("my-site", "1 to 32"),
            ("a\u{7}b", "1 to 32"),
            (&"a".repeat(33), "1 to 32"),
            ("fn", "keyword"),
            ("std", "Rust itself"),
            ("serde", "depends on"),
            ("diorama", "notices"),
        ] {
            let e = check_name(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
            assert!(e.contains(&format!("`{}`", bad.escape_default())), "{e}");
        }
    }

    #[test]
    fn type_names_are_camel_case_and_never_clash_with_the_template() {
        assert_eq!(type_name("mastodon"), "Mastodon");
        assert_eq!(type_name("my_site2"), "MySite2");
        assert_eq!(type_name("a__b_"), "AB");
        // The template has a `Post` type and uses `Event` from the SDK.
        assert_eq!(type_name("post"), "PostPlatform");
        assert_eq!(type_name("event"), "EventPlatform");
        assert_eq!(type_name("platform"), "PlatformPlatform");
    }

    #[test]
    fn every_placeholder_of_the_template_is_filled() {
        for (path, bytes) in files("mastodon") {
            let Ok(text) = String::from_utf8(bytes) else {
                continue;
            };
            for key in ["name", "Name", "diorama_version", "interface"] {
                assert!(!text.contains(&format!("{{{{{key}}}}}")), "{path}: {key}");
            }
        }
    }

    #[test]
    fn the_sdk_goes_along_with_a_standalone_manifest() {
        let files = files("mastodon");
        let find = |p: &str| {
            files
                .iter()
                .find(|(path, _)| path == p)
                .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_else(|| panic!("{p} is missing"))
        };
        let manifest = find("vendor/diorama-sdk/Cargo.toml");
        let inherits = manifest
            .lines()
            .any(|l| !l.trim_start().starts_with('#') && l.contains("workspace"));
        assert!(!inherits, "{manifest}");
        assert!(manifest.contains("name = \"diorama-sdk\""), "{manifest}");
        assert!(manifest.contains("float_roundtrip"), "{manifest}");
        find("vendor/diorama-sdk/src/lib.rs");
        find(&format!(
            "vendor/diorama-sdk/wit/{}/platform.wit",
            diorama_sdk::INTERFACE_VERSION
        ));
        let crate_manifest = find("Cargo.toml");
        assert!(crate_manifest.contains("[workspace]"));
        assert!(crate_manifest.contains("name = \"mastodon\""));
        assert!(find("src/lib.rs").contains("export_platform!(Mastodon)"));
        assert!(find("scenarios/smoke.rhai").contains("\"mastodon\": #{"));
    }

    #[test]
    fn an_existing_folder_is_refused_unless_empty() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("empty")).unwrap();
        let made = create("empty", dir.path()).unwrap();
        assert!(made.join("src/lib.rs").is_file());
        let e = create("empty", dir.path()).unwrap_err();
        assert!(matches!(e, NewPluginError::Exists(_)), "{e}");
        assert!(e.to_string().contains("already exists"), "{e}");
        std::fs::write(dir.path().join("file"), b"x").unwrap();
        assert!(matches!(
            create("file", dir.path()),
            Err(NewPluginError::Exists(_))
        ));
        // Nothing is left behind by the refusals.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
