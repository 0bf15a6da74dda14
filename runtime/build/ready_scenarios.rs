//! The ready scenarios as the binary carries them: every `*.rhai` under
//! `scenarios/` by its name, and every one under `scenarios/lib/` by its
//! import path, so that a new ready scenario is a new file and nothing else.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// Write `$OUT_DIR/ready_scenarios.rs`: `SCENARIOS` and `LIBRARY`, each a
/// list of (name, source) sorted by name, the sources embedded with
/// `include_str!` (so cargo rebuilds when one changes).
pub fn generate(workspace: &Path, out_dir: &Path) -> Result<(), String> {
    let folder = workspace.join("scenarios");
    let scenarios = rhai_files(&folder)?;
    if scenarios.is_empty() {
        return Err(format!("no ready scenario in {}", folder.display()));
    }
    let library = rhai_files(&folder.join("lib"))?;
    let mut out = String::new();
    list(
        &mut out,
        "(name, source) of every scenario under `scenarios/`.",
        "SCENARIOS",
        &scenarios,
        "",
    );
    list(
        &mut out,
        "(import path, source) of the scenario library under `scenarios/lib/`.",
        "LIBRARY",
        &library,
        "lib/",
    );
    let path = out_dir.join("ready_scenarios.rs");
    fs::write(&path, out).map_err(|e| format!("{}: {e}", path.display()))
}

/// The `.rhai` files directly in `folder` (none when it does not exist),
/// as (name, path), sorted by name; a name must be a Rhai-friendly word.
fn rhai_files(folder: &Path) -> Result<Vec<(String, String)>, String> {
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", folder.display())),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("{}: {e}", folder.display()))?
            .path();
        if !path.is_file() || path.extension().is_none_or(|x| x != "rhai") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| format!("{}: not a UTF-8 name", path.display()))?
            .to_string();
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(format!(
                "{}: a ready scenario's name is lower-case letters, digits and `_`",
                path.display()
            ));
        }
        let path = path
            .to_str()
            .ok_or_else(|| format!("{}: not a UTF-8 path", path.display()))?
            .to_string();
        files.push((name, path));
    }
    files.sort();
    Ok(files)
}

fn list(out: &mut String, doc: &str, name: &str, files: &[(String, String)], prefix: &str) {
    let _ = writeln!(out, "/// {doc}");
    let _ = writeln!(out, "pub const {name}: &[(&str, &str)] = &[");
    for (file, path) in files {
        let _ = writeln!(
            out,
            "    ({:?}, include_str!({path:?})),",
            format!("{prefix}{file}")
        );
    }
    let _ = writeln!(out, "];");
}
