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
//! A cache file is native code the process runs, so the cache trusts
//! nothing it did not write itself (on Unix; elsewhere there is no cache and
//! plugins are compiled in memory):
//!
//! - the directory is created `0700`, and a directory not owned by the
//!   user, or writable by its group or by others, is not used at all (a
//!   warning says so and plugins are compiled in memory): anyone who can
//!   write into it could rename one cached component over another;
//! - the directory is opened once and every file is opened relative to that
//!   handle, without following a symbolic link (`O_NOFOLLOW`), then checked
//!   on the open file (a regular file, owned by the user, writable by no one
//!   else) and deserialised from the bytes read from that same file: no path
//!   is looked up twice, so nothing can be swapped between the check and the
//!   use. A refused file is compiled again and replaced.
//!
//! A cache problem never fails a load: an unreadable, corrupt or refused
//! file is recompiled and overwritten, an unusable directory means
//! compiling in memory (with a warning).

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
    /// Cache files refused unread (a link, a file someone else owns or could
    /// have written) and replaced.
    pub refused: u64,
}

/// The largest cache file read (compiled plugins weigh a few MiB).
const MAX_CACHE_FILE: u64 = 1 << 30;

pub(crate) struct ComponentCache {
    dir: Option<CacheDir>,
    hits: AtomicU64,
    compiled: AtomicU64,
    recovered: AtomicU64,
    refused: AtomicU64,
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

/// What reading a cache file gave.
enum Read {
    /// No such file.
    Missing,
    /// Not a file this cache can trust; why.
    Refused(Distrust),
    /// Its bytes.
    Bytes(Vec<u8>),
}

/// Why the cache cannot use its directory or write a file.
#[derive(Debug, thiserror::Error)]
enum CacheError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(
        "{0}; a cache directory must be yours alone (chmod 700 it, or choose another with DIORAMA_CACHE_DIR)"
    )]
    Untrusted(Distrust),
    /// The compiled component could not be serialised.
    #[error("{0}")]
    Serialize(wasmtime::Error),
    #[cfg(not(unix))]
    #[error("the compiled-component cache needs Unix file permissions")]
    NeedsUnix,
    #[cfg(not(unix))]
    #[error("no cache on this system")]
    NoCache,
}

/// Why an opened cache directory or file is not to be trusted.
#[derive(Debug, thiserror::Error)]
#[cfg_attr(not(unix), allow(dead_code))]
enum Distrust {
    #[error("it is a symbolic link")]
    Link,
    #[error("it is too large ({0} bytes)")]
    TooLarge(u64),
    #[error("it is not a regular {what}")]
    NotKind { what: &'static str },
    #[error("the {what} belongs to user {owner} and diorama runs as user {me}")]
    Owner {
        what: &'static str,
        owner: u32,
        me: u32,
    },
    #[error("the {what} is writable by {by} (mode {mode:o})")]
    Writable {
        what: &'static str,
        by: &'static str,
        mode: rustix::fs::RawMode,
    },
}

impl ComponentCache {
    pub(crate) fn new(dir: Option<PathBuf>) -> Self {
        let dir = match dir.or_else(default_cache_dir) {
            Some(dir) => match CacheDir::open(&dir) {
                Ok(d) => Some(d),
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
            refused: AtomicU64::new(0),
            warned: AtomicBool::new(false),
        }
    }

    pub(crate) fn dir(&self) -> Option<&Path> {
        self.dir.as_ref().map(|d| d.path.as_path())
    }

    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            compiled: self.compiled.load(Ordering::Relaxed),
            recovered: self.recovered.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
        }
    }

    /// The cache file's name for `bytes` under this engine.
    fn name_for(engine: &Engine, bytes: &[u8]) -> String {
        format!("{}.cwasm", hex::encode(key(engine, bytes)))
    }

    /// The cache file for `bytes` under this engine.
    pub(crate) fn path_for(&self, engine: &Engine, bytes: &[u8]) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        Some(dir.path.join(Self::name_for(engine, bytes)))
    }

    /// The compiled component for `bytes`: from the cache when possible,
    /// compiled (and cached) otherwise. Errors are compilation errors: the
    /// bytes are not a valid component.
    pub(crate) fn load(&self, engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Component> {
        let name = Self::name_for(engine, bytes);
        if let Some(dir) = &self.dir {
            let shown = dir.path.join(&name);
            match dir.read(&name) {
                Ok(Read::Missing) => {}
                Ok(Read::Refused(why)) => {
                    self.refused.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(
                        "the cached component {} is not used ({why}); compiling it again",
                        shown.display()
                    );
                }
                Err(e) => {
                    self.recovered.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(
                        "the cached component {} cannot be read ({e}); compiling it again",
                        shown.display()
                    );
                }
                Ok(Read::Bytes(code)) => {
                    // SAFETY: `deserialize` trusts that the bytes are code
                    // this wasmtime compiled. They are: they were read from
                    // a regular file of a directory only this user can write
                    // (both checked on the open handles, see the module
                    // documentation), a file this module wrote (complete,
                    // renamed into place) under the SHA-256 of the component
                    // and of the engine's compatibility hash, so it is only
                    // ever read by an engine that can run it. wasmtime still
                    // checks the header and the engine settings, and we
                    // compile instead when it refuses.
                    match unsafe { Component::deserialize(engine, &code) } {
                        Ok(component) => {
                            self.hits.fetch_add(1, Ordering::Relaxed);
                            return Ok(component);
                        }
                        Err(e) => {
                            self.recovered.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!(
                                "the cached component {} is unusable ({e}); compiling it again",
                                shown.display()
                            );
                        }
                    }
                }
            }
        }
        let component = Component::new(engine, bytes)?;
        self.compiled.fetch_add(1, Ordering::Relaxed);
        if let Some(dir) = &self.dir {
            let written = component
                .serialize()
                .map_err(CacheError::Serialize)
                .and_then(|code| dir.write(&name, &code));
            if let Err(e) = written {
                if !self.warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        "cannot write the component cache {} ({e}); plugins are compiled on every start",
                        dir.path.join(&name).display()
                    );
                }
            }
        }
        Ok(component)
    }
}

/// The cache directory: its path (for messages) and, on Unix, the handle
/// every file is opened through.
struct CacheDir {
    path: PathBuf,
    #[cfg(unix)]
    fd: std::os::fd::OwnedFd,
}

#[cfg(unix)]
impl CacheDir {
    /// Create `path` (`0700`) if missing, open it and check it: a directory
    /// owned by this user that no one else can write.
    fn open(path: &Path) -> Result<CacheDir, CacheError> {
        use rustix::fs::{Mode, OFlags};
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path)?;
        let fd = rustix::fs::open(
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(std::io::Error::from)?;
        let stat = rustix::fs::fstat(&fd).map_err(std::io::Error::from)?;
        if let Some(why) = untrusted(&stat, "directory") {
            return Err(CacheError::Untrusted(why));
        }
        Ok(CacheDir {
            path: path.to_path_buf(),
            fd,
        })
    }

    /// Read the file `name` of the directory, if it is one to trust.
    fn read(&self, name: &str) -> std::io::Result<Read> {
        use rustix::fs::{Mode, OFlags};
        use std::io::Read as _;
        let fd = match rustix::fs::openat(
            &self.fd,
            name,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::empty(),
        ) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::NOENT) => return Ok(Read::Missing),
            // O_NOFOLLOW on a symbolic link.
            Err(rustix::io::Errno::LOOP) => return Ok(Read::Refused(Distrust::Link)),
            Err(e) => return Err(e.into()),
        };
        let stat = rustix::fs::fstat(&fd)?;
        if let Some(why) = untrusted(&stat, "file") {
            return Ok(Read::Refused(why));
        }
        let size = u64::try_from(stat.st_size).unwrap_or(u64::MAX);
        if size > MAX_CACHE_FILE {
            return Ok(Read::Refused(Distrust::TooLarge(size)));
        }
        let mut code = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        std::fs::File::from(fd)
            .take(MAX_CACHE_FILE)
            .read_to_end(&mut code)?;
        Ok(Read::Bytes(code))
    }

    /// Write `code` as the file `name`, atomically: a fresh private file
    /// renamed over whatever had the name (a link is replaced, not followed).
    fn write(&self, name: &str, code: &[u8]) -> Result<(), CacheError> {
        use rustix::fs::{Mode, OFlags};
        use std::io::Write as _;
        let tmp = format!(".{name}.{}.{}.tmp", std::process::id(), unique());
        let fd = rustix::fs::openat(
            &self.fd,
            tmp.as_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )
        .map_err(std::io::Error::from)?;
        let result = std::fs::File::from(fd)
            .write_all(code)
            .and_then(|()| {
                rustix::fs::renameat(&self.fd, tmp.as_str(), &self.fd, name)
                    .map_err(std::io::Error::from)
            })
            .map_err(CacheError::from);
        if result.is_err() {
            let _ = rustix::fs::unlinkat(&self.fd, tmp.as_str(), rustix::fs::AtFlags::empty());
        }
        result
    }
}

/// Why an opened cache directory or file is not to be trusted, if it is not.
#[cfg(unix)]
fn untrusted(stat: &rustix::fs::Stat, what: &'static str) -> Option<Distrust> {
    use rustix::fs::FileType;
    let kind = FileType::from_raw_mode(stat.st_mode);
    let wanted = if what == "directory" {
        FileType::Directory
    } else {
        FileType::RegularFile
    };
    let me = rustix::process::geteuid().as_raw();
    if kind != wanted {
        Some(Distrust::NotKind { what })
    } else if stat.st_uid != me {
        Some(Distrust::Owner {
            what,
            owner: stat.st_uid,
            me,
        })
    } else if stat.st_mode & 0o022 != 0 {
        Some(Distrust::Writable {
            what,
            by: if stat.st_mode & 0o002 != 0 {
                "others"
            } else {
                "its group"
            },
            mode: stat.st_mode & 0o7777,
        })
    } else {
        None
    }
}

/// Without Unix ownership and modes to check, compiled code is not cached.
#[cfg(not(unix))]
impl CacheDir {
    fn open(_path: &Path) -> Result<CacheDir, CacheError> {
        Err(CacheError::NeedsUnix)
    }

    fn read(&self, _name: &str) -> std::io::Result<Read> {
        Ok(Read::Missing)
    }

    fn write(&self, _name: &str, _code: &[u8]) -> Result<(), CacheError> {
        Err(CacheError::NoCache)
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

/// A number unique within this process, for temporary file names.
fn unique() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The typed reasons say what the cache's warnings said as text.
    #[test]
    fn reasons_read_as_before() {
        let cases: [(CacheError, &str); 6] = [
            (
                CacheError::Untrusted(Distrust::Writable {
                    what: "directory",
                    by: "others",
                    mode: 0o777,
                }),
                "the directory is writable by others (mode 777); a cache directory must be yours \
                 alone (chmod 700 it, or choose another with DIORAMA_CACHE_DIR)",
            ),
            (
                CacheError::Untrusted(Distrust::Owner {
                    what: "directory",
                    owner: 0,
                    me: 1000,
                }),
                "the directory belongs to user 0 and diorama runs as user 1000; a cache directory \
                 must be yours alone (chmod 700 it, or choose another with DIORAMA_CACHE_DIR)",
            ),
            (
                CacheError::Untrusted(Distrust::NotKind { what: "directory" }),
                "it is not a regular directory; a cache directory must be yours alone (chmod 700 \
                 it, or choose another with DIORAMA_CACHE_DIR)",
            ),
            (
                CacheError::Io(std::io::Error::from(std::io::ErrorKind::NotFound)),
                &std::io::Error::from(std::io::ErrorKind::NotFound).to_string(),
            ),
            (
                CacheError::Untrusted(Distrust::Link),
                "it is a symbolic link; a cache directory must be yours alone (chmod 700 it, or \
                 choose another with DIORAMA_CACHE_DIR)",
            ),
            (
                CacheError::Untrusted(Distrust::TooLarge(5)),
                "it is too large (5 bytes); a cache directory must be yours alone (chmod 700 it, \
                 or choose another with DIORAMA_CACHE_DIR)",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
    }
}
