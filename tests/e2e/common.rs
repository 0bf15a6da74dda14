//! Running the binary in a scratch folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the runtime crate sits in the workspace")
        .to_path_buf()
}

pub fn scenario(name: &str) -> PathBuf {
    root().join("tests/scenarios").join(name)
}

/// The compiled-component cache shared by the tests of one build, so each
/// test does not compile the plugins again.
fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("component-cache")
}

/// The folder holding the hostile test plugin.
pub fn test_plugins() -> PathBuf {
    PathBuf::from(env!("DIORAMA_TEST_PLUGIN_DIR"))
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn describe(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Run `diorama ARGS` in `dir`.
pub fn diorama(dir: &Path, args: &[&str]) -> Run {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_diorama"))
        .args(args)
        .current_dir(dir)
        .env("DIORAMA_CACHE_DIR", cache_dir())
        .env_remove("DIORAMA_LOG")
        .output()
        .expect("the diorama binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().expect("a scratch folder")
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

pub fn read_json(p: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn read_lines(p: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l}: {e}")))
        .collect()
}

/// What the tests that drive real Python clients need on the machine.
const PYTHON_NEEDED: &str =
    "python3 with venv and pip is required by the tests that drive real Python clients";

/// Run a setup command; fail saying what it was, what it printed, and, when
/// it cannot start, what the machine needs (`needed`).
pub fn run_setup(cmd: &mut Command, what: &str, needed: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start it ({e}); {needed}"));
    assert!(
        out.status.success(),
        "{what} failed ({})\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A Python virtual environment named `name` in the build directory with
/// the pinned packages of `requirements` (a path below the repository
/// root) installed; made on first use and again when the pins change.
/// Returns the environment's folder (its interpreter is `bin/python`).
/// Tests running at once wait for each other's install.
pub fn python_venv(name: &str, requirements: &str) -> PathBuf {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let file = root().join(requirements);
    let pins = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{requirements}: {e}"));
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let stamp = venv.join("diorama-requirements.txt");
    if venv.join("bin/python").exists()
        && std::fs::read_to_string(&stamp).ok().as_deref() == Some(pins.as_str())
    {
        return venv;
    }
    let _ = std::fs::remove_dir_all(&venv);
    run_setup(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
        PYTHON_NEEDED,
    );
    run_setup(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&file),
        &format!("pip install -r {requirements}"),
        PYTHON_NEEDED,
    );
    std::fs::write(&stamp, pins).expect("the venv stamp");
    venv
}
