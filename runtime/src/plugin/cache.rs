//! The compiled-component cache.
//!
//! Compiling a component with Cranelift takes a noticeable fraction of a
//! second; loading its compiled form takes about a millisecond. Compiled
//! components are kept on disk as `<dir>/<key>.cwasm`, where `key` is the
//! SHA-256 of the component's bytes and of the engine's compatibility hash
//! (wasmtime version, compiler settings, target), so a new plugin build, a
//! new wasmtime or a different configuration can never pick up a stale
//! file.
//!
//! Files are written to a temporary name and renamed into place, so a
//! reader never sees a partial file, and concurrent writers (two processes
//! compiling the same plugin) are harmless: each rename installs a complete,
//! identical file.
//!
//! A cache problem never fails a load: an unreadable or corrupt file is
//! recompiled and overwritten, an unwritable directory means compiling in
//! memory (with a warning).

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::Engine;

/// How often the cache was used, for tests and benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Components loaded from a cache file.
    pub hits: u64,
    /// Components compiled (no cache file, a corrupt one, or no cache).
    pub compiled: u64,
    /// Cache files that could not be loaded and were replaced.
    pub recovered: u64,
}

pub(crate) struct ComponentCache {
    dir: Option<PathBuf>,
    hits: AtomicU64,
    compiled: AtomicU64,
    recovered: AtomicU64,
    warned: AtomicBool,
}

/// Where compiled components are kept when the options name no directory:
/// `$DIORAMA_CACHE_DIR`, else `$XDG_CACHE_HOME/diorama/components`, else
/// `$HOME/.cache/diorama/components`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("DIORAMA_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("diorama").join("components")))
        .or_else(|| var("HOME").map(|d| d.join(".cache").join("diorama").join("components")))
}

impl ComponentCache {
    pub(crate) fn new(dir: Option<PathBuf>) -> Self {
        let dir = dir.or_else(default_cache_dir);
        let dir = match dir {
            Some(dir) => match std::fs::create_dir_all(&dir) {
                Ok(()) => Some(dir),
                Err(e) => {
                    tracing::warn!(
                        "cannot use {} as the component cache ({e}); plugins are compiled in memory",
                        dir.display()
                    );
                    None
                }
            },
            None => {
                tracing::warn!(
                    "no cache directory (set DIORAMA_CACHE_DIR or HOME); plugins are compiled in memory"
                );
                None
            }
        };
        ComponentCache {
            dir,
            hits: AtomicU64::new(0),
            compiled: AtomicU64::new(0),
            recovered: AtomicU64::new(0),
            warned: AtomicBool::new(false),
        }
    }

    pub(crate) fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            compiled: self.compiled.load(Ordering::Relaxed),
            recovered: self.recovered.load(Ordering::Relaxed),
        }
    }

    /// The cache file for `bytes` under this engine.
    pub(crate) fn path_for(&self, engine: &Engine, bytes: &[u8]) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        Some(dir.join(format!("{}.cwasm", hex::encode(key(engine, bytes)))))
    }

    /// The compiled component for `bytes`: from the cache when possible,
    /// compiled (and cached) otherwise. Errors are compilation errors: the
    /// bytes are not a valid component.
    pub(crate) fn load(&self, engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Component> {
        let path = self.path_for(engine, bytes);
        if let Some(path) = &path {
            if path.is_file() {
                // SAFETY: `deserialize_file` trusts that the file holds code
                // this wasmtime compiled. It does: the cache directory holds
                // only files this module wrote (complete files, renamed into
                // place), named by the SHA-256 of the component and of the
                // engine's compatibility hash, so a file is only ever read by
                // an engine that can run it. wasmtime still checks the file's
                // header and its engine settings, and we fall back to
                // compiling when it refuses. Anyone able to write into the
                // cache directory could equally replace the binary itself.
                match unsafe { Component::deserialize_file(engine, path) } {
                    Ok(component) => {
                        self.hits.fetch_add(1, Ordering::Relaxed);
                        return Ok(component);
                    }
                    Err(e) => {
                        self.recovered.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(
                            "the cached component {} is unusable ({e}); compiling it again",
                            path.display()
                        );
                    }
                }
            }
        }
        let component = Component::new(engine, bytes)?;
        self.compiled.fetch_add(1, Ordering::Relaxed);
        if let Some(path) = &path {
            if let Err(e) = store(&component, path) {
                if !self.warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        "cannot write the component cache {} ({e}); plugins are compiled on every start",
                        path.display()
                    );
                }
            }
        }
        Ok(component)
    }
}

/// SHA-256 of the component's bytes and the engine's compatibility hash.
fn key(engine: &Engine, bytes: &[u8]) -> [u8; 32] {
    struct ShaHasher<'a>(&'a mut Sha256);
    impl Hasher for ShaHasher<'_> {
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
        fn finish(&self) -> u64 {
            0
        }
    }
    let mut sha = Sha256::new();
    sha.update(b"diorama component cache v1\0");
    sha.update((bytes.len() as u64).to_le_bytes());
    sha.update(bytes);
    engine
        .precompile_compatibility_hash()
        .hash(&mut ShaHasher(&mut sha));
    sha.finalize().into()
}

/// Write the compiled component to `path` atomically.
fn store(component: &Component, path: &Path) -> Result<(), String> {
    let serialized = component.serialize().map_err(|e| e.to_string())?;
    let dir = path.parent().ok_or("no parent directory")?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.{}.tmp", std::process::id(), unique()));
    let result = std::fs::write(&tmp, &serialized).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| e.to_string())
}

/// A number unique within this process, for temporary file names.
fn unique() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
