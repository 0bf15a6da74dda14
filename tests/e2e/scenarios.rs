//! Every ready scenario in `scenarios/` runs green.

use crate::common::*;

#[test]
fn every_ready_scenario_passes() {
    let dir = scratch();
    let mut names: Vec<_> = std::fs::read_dir(root().join("scenarios"))
        .expect("the scenarios folder")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rhai"))
        .collect();
    names.sort();
    assert!(names.len() >= 9, "the scenario library: {names:?}");
    let mut failures = Vec::new();
    for script in &names {
        let head = std::fs::read_to_string(script).unwrap();
        assert!(
            head.starts_with("// "),
            "{} is documented at its top",
            script.display()
        );
        let r = diorama(dir.path(), &["run", path_str(script)]);
        if r.code != 0 {
            failures.push(format!("{}: {}", script.display(), r.describe()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
