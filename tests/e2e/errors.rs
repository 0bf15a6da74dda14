//! Bad scripts and bad arguments end with exit 2 and a precise message.

use crate::common::*;

#[test]
fn a_syntax_error_names_line_and_column() {
    let dir = scratch();
    let r = diorama(
        dir.path(),
        &["run", path_str(&scenario("syntax_error.rhai"))],
    );
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(
        r.stderr.contains("syntax_error.rhai:4:"),
        "{}",
        r.describe()
    );
    assert!(r.stderr.contains("syntax error"), "{}", r.describe());
}

#[test]
fn a_script_that_never_ends_hits_the_operation_limit() {
    let dir = scratch();
    let r = diorama(dir.path(), &["run", path_str(&scenario("forever.rhai"))]);
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("operation limit"), "{}", r.describe());
    assert!(r.stderr.contains("forever.rhai:"), "{}", r.describe());
}

#[test]
fn imports_cannot_leave_the_script_folder() {
    let dir = scratch();
    let r = diorama(
        dir.path(),
        &["run", path_str(&scenario("escape_import.rhai"))],
    );
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(
        r.stderr.contains("only from their own folder"),
        "{}",
        r.describe()
    );
}

#[test]
fn an_unknown_platform_is_named() {
    let dir = scratch();
    let r = diorama(
        dir.path(),
        &["run", path_str(&scenario("unknown_platform.rhai"))],
    );
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("`myspace`"), "{}", r.describe());
    assert!(
        r.stderr.contains("youtube"),
        "lists what exists: {}",
        r.describe()
    );
}

#[test]
fn a_missing_script_and_bad_arguments_exit_2() {
    let dir = scratch();
    let r = diorama(dir.path(), &["run", "nope.rhai"]);
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("nope.rhai"), "{}", r.describe());

    let r = diorama(
        dir.path(),
        &["run", path_str(&scenario("passing.rhai")), "--seed", "x"],
    );
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("--seed"), "{}", r.describe());

    let r = diorama(dir.path(), &["launch"]);
    assert_eq!(r.code, 2, "{}", r.describe());
}

#[test]
fn a_runtime_error_in_a_script_names_the_place() {
    let dir = scratch();
    let script = dir.path().join("bad_signal.rhai");
    std::fs::write(
        &script,
        "let p = profile(#{ youtube: #{} });\nadvance(hours(6));\nlet v = p.latest(\"youtube\");\nsignal(v, \"meteor\", #{});\n",
    )
    .unwrap();
    let r = diorama(dir.path(), &["run", "bad_signal.rhai"]);
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("bad_signal.rhai:4:"), "{}", r.describe());
    assert!(r.stderr.contains("meteor"), "{}", r.describe());
    assert!(r.stderr.contains("youtube"), "{}", r.describe());
}

#[test]
fn bad_platform_parameters_are_named() {
    let dir = scratch();
    let script = dir.path().join("bad_params.rhai");
    std::fs::write(
        &script,
        "let p = profile(#{ youtube: #{ subscribrs: 5 } });\n",
    )
    .unwrap();
    let r = diorama(dir.path(), &["run", "bad_params.rhai"]);
    assert_eq!(r.code, 2, "{}", r.describe());
    assert!(r.stderr.contains("subscribrs"), "{}", r.describe());
    assert!(r.stderr.contains("bad_params.rhai:1:"), "{}", r.describe());
}
