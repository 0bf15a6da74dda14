//! The compiled-component cache: reuse, recovery from corrupt files, and
//! refusing files and folders others could have written.

use super::*;

#[test]
fn the_cache_is_used_and_a_corrupt_file_is_recovered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = || HostOptions {
        cache_dir: Some(dir.path().to_path_buf()),
        ..HostOptions::default()
    };
    let load = || {
        let mut host = PluginHost::new(opts()).expect("host");
        host.load_dir(test_plugins()).expect("load");
        host
    };
    let first = load();
    assert_eq!(first.cache_stats().compiled, 1);
    assert_eq!(first.cache_stats().hits, 0);
    let bytes = std::fs::read(test_plugins().join("hostile.wasm")).expect("read");
    let file = first.cache_file_for(&bytes).expect("a cache file");
    assert!(file.is_file());

    let second = load();
    assert_eq!(second.cache_stats().hits, 1);
    assert_eq!(second.cache_stats().compiled, 0);
    let mut i = second.instantiate("hostile", &mode("well")).expect("init");
    assert_eq!(i.step(START, START + MINUTE).expect("step").events.len(), 1);
    // A loaded cache file is mapped into memory: damage it only once no
    // host of this process uses it (as when it is damaged on disk between
    // two runs).
    drop((first, second, i));

    for corruption in [b"garbage".to_vec(), {
        let mut half = std::fs::read(&file).expect("read cache");
        half.truncate(half.len() / 2);
        half
    }] {
        std::fs::write(&file, corruption).expect("corrupt");
        let recovered = load();
        assert_eq!(recovered.cache_stats().recovered, 1);
        assert_eq!(recovered.cache_stats().compiled, 1);
        let mut i = recovered
            .instantiate("hostile", &mode("well"))
            .expect("init");
        assert_eq!(i.step(START, START + MINUTE).expect("step").events.len(), 1);
        let again = load();
        assert_eq!(again.cache_stats().hits, 1, "the file was rewritten");
        drop((recovered, i, again));
    }
}

/// A host over the test plugins with its cache in `dir`.
fn cached_host(dir: &Path) -> PluginHost {
    let mut host = PluginHost::new(HostOptions {
        cache_dir: Some(dir.to_path_buf()),
        ..HostOptions::default()
    })
    .expect("host");
    host.load_dir(test_plugins()).expect("load");
    host
}

/// The hostile plugin's cache file under `dir`, written by a first load.
fn cached_hostile(dir: &Path) -> PathBuf {
    let host = cached_host(dir);
    assert_eq!(host.cache_stats().compiled, 1);
    let bytes = std::fs::read(test_plugins().join("hostile.wasm")).expect("read");
    let file = host.cache_file_for(&bytes).expect("a cache file");
    assert!(file.is_file());
    file
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[cfg(unix)]
#[test]
fn the_cache_directory_is_created_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("new").join("cache");
    let host = cached_host(&dir);
    assert_eq!(host.cache_dir(), Some(dir.as_path()));
    for d in [&dir, &tmp.path().join("new")] {
        let mode = std::fs::metadata(d).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{}", d.display());
    }
}

#[cfg(unix)]
#[test]
fn a_cache_file_that_is_a_link_is_refused_and_replaced() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("cache");
    let file = cached_hostile(&dir);
    // A valid compiled component, reached through a link: it could be
    // swapped for anything after the cache checked it.
    let elsewhere = tmp.path().join("elsewhere.cwasm");
    std::fs::rename(&file, &elsewhere).expect("move");
    std::os::unix::fs::symlink(&elsewhere, &file).expect("symlink");

    let host = cached_host(&dir);
    let stats = host.cache_stats();
    assert_eq!((stats.refused, stats.hits, stats.compiled), (1, 0, 1));
    let mut i = host.instantiate("hostile", &mode("well")).expect("init");
    assert_eq!(i.step(START, START + MINUTE).expect("step").events.len(), 1);
    let meta = std::fs::symlink_metadata(&file).expect("stat");
    assert!(meta.is_file(), "the link was replaced by a file");
    assert!(elsewhere.is_file(), "the link's target was left alone");
    assert_eq!(cached_host(&dir).cache_stats().hits, 1);
}

#[cfg(unix)]
#[test]
fn a_cache_file_others_could_write_is_refused_and_replaced() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("cache");
    let file = cached_hostile(&dir);
    assert_eq!(
        std::fs::metadata(&file).expect("stat").permissions().mode() & 0o777,
        0o600
    );
    for bits in [0o666, 0o620] {
        chmod(&file, bits);
        let host = cached_host(&dir);
        let stats = host.cache_stats();
        assert_eq!(
            (stats.refused, stats.hits, stats.compiled),
            (1, 0, 1),
            "{bits:o}"
        );
        let rewritten = std::fs::metadata(&file).expect("stat");
        assert_eq!(rewritten.permissions().mode() & 0o777, 0o600);
        assert_eq!(cached_host(&dir).cache_stats().hits, 1);
    }
    // Run as root, the test can also hand the file to another user.
    if std::fs::metadata(tmp.path()).expect("stat").uid() == 0 {
        std::os::unix::fs::chown(&file, Some(65534), None).expect("chown");
        let stats = cached_host(&dir).cache_stats();
        assert_eq!((stats.refused, stats.hits, stats.compiled), (1, 0, 1));
    }
}

#[cfg(unix)]
#[test]
fn a_cache_directory_others_could_write_is_not_used() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("cache");
    let file = cached_hostile(&dir);
    for bits in [0o777, 0o770, 0o733] {
        chmod(&dir, bits);
        let host = cached_host(&dir);
        assert_eq!(host.cache_dir(), None, "{bits:o}");
        let stats = host.cache_stats();
        assert_eq!((stats.hits, stats.compiled), (0, 1), "{bits:o}");
        let mut i = host.instantiate("hostile", &mode("well")).expect("init");
        assert_eq!(i.step(START, START + MINUTE).expect("step").events.len(), 1);
    }
    chmod(&dir, 0o700);
    assert!(file.is_file());
    assert_eq!(cached_host(&dir).cache_stats().hits, 1);
}
