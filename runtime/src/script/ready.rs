//! The ready scenarios and their library, built into the binary so a
//! server can run them by name on a live profile.

use rhai::{Engine, EvalAltResult, Module, ModuleResolver, Position, Scope, Shared};

// `SCENARIOS` and `LIBRARY`: every `scenarios/*.rhai` by name and every
// `scenarios/lib/*.rhai` by import path, listed by the build script.
include!(concat!(env!("OUT_DIR"), "/ready_scenarios.rs"));

pub fn scenario(name: &str) -> Option<&'static str> {
    SCENARIOS.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// The first comment line of a scenario: its one-line description.
pub fn summary(source: &str) -> String {
    source
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("//"))
        .map(|l| l.trim().to_string())
        .unwrap_or_default()
}

/// Resolves `import "lib/common"` from the built-in library only.
pub struct LibraryResolver;

impl ModuleResolver for LibraryResolver {
    fn resolve(
        &self,
        engine: &Engine,
        _source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        let Some((_, text)) = LIBRARY.iter().find(|(p, _)| *p == path) else {
            let known: Vec<&str> = LIBRARY.iter().map(|(p, _)| *p).collect();
            return Err(Box::new(EvalAltResult::ErrorRuntime(
                format!(
                    "import \"{path}\": scripts on a live profile import only the built-in library ({})",
                    known.join(", ")
                )
                .into(),
                pos,
            )));
        };
        let mut ast = engine
            .compile(text)
            .map_err(|e| Box::new(EvalAltResult::ErrorInModule(path.into(), e.into(), pos)))?;
        ast.set_source(path);
        let module = Module::eval_ast_as_new(Scope::new(), &ast, engine)
            .map_err(|e| Box::new(EvalAltResult::ErrorInModule(path.into(), e, pos)))?;
        Ok(module.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_file_is_built_in() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.strip_suffix(".rhai").map(str::to_string)
            })
            .collect();
        on_disk.sort();
        let built_in: Vec<&str> = SCENARIOS.iter().map(|(n, _)| *n).collect();
        assert_eq!(on_disk, built_in);
        for (name, source) in SCENARIOS {
            assert!(!summary(source).is_empty(), "{name} has a description line");
        }
    }
}
