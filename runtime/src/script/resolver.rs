//! Imports resolve only inside the folder the script was loaded from.

use std::path::{Component, Path, PathBuf};

use rhai::module_resolvers::FileModuleResolver;
use rhai::{Engine, EvalAltResult, Module, ModuleResolver, Position, Shared};

/// A file resolver confined to one folder: `import "common"` loads
/// `<folder>/common.rhai`; absolute paths and `..` are refused.
pub struct FolderResolver {
    folder: PathBuf,
    inner: FileModuleResolver,
}

impl FolderResolver {
    pub fn new(folder: &Path) -> Self {
        FolderResolver {
            folder: folder.to_path_buf(),
            inner: FileModuleResolver::new_with_path(folder),
        }
    }
}

impl ModuleResolver for FolderResolver {
    fn resolve(
        &self,
        engine: &Engine,
        source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        let p = Path::new(path);
        let escapes = p.is_absolute()
            || path.contains('\\')
            || p.components()
                .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
        if escapes {
            return Err(Box::new(EvalAltResult::ErrorRuntime(
                format!(
                    "import \"{path}\" is refused: scripts import modules only from their own folder ({})",
                    self.folder.display()
                )
                .into(),
                pos,
            )));
        }
        self.inner.resolve(engine, source, path, pos)
    }
}
