//! The server process: a running `diorama serve` on a free port, and what
//! `/proc` says about it.

use super::*;

/// A running `diorama serve` on a free port, with its own data folder.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) pid: u32,
    pub(crate) base: String,
    pub(crate) stderr: PathBuf,
    /// Kept open so the server's stdout never breaks.
    pub(crate) _stdout: BufReader<ChildStdout>,
    pub(crate) _data: tempfile::TempDir,
}

/// The compiled-component cache, shared with the end-to-end tests.
pub(crate) fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("component-cache")
}

impl Server {
    pub(crate) fn start(extra: &[String]) -> Server {
        let data = tempfile::tempdir().expect("a scratch folder for the server's data");
        let stderr = data.path().join("server-stderr.log");
        let log = std::fs::File::create(&stderr).expect("the server's stderr log");
        let db = data.path().join("db");
        let mut child = Command::new(env!("CARGO_BIN_EXE_diorama"))
            .arg("serve")
            .args(["--addr", "127.0.0.1:0", "--admin-token", TOKEN, "--data"])
            .arg(&db)
            .args(extra)
            .env("DIORAMA_CACHE_DIR", cache_dir())
            .env_remove("DIORAMA_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("the diorama binary starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        let read = stdout.read_line(&mut line).unwrap_or(0);
        let base = line
            .strip_prefix("diorama serve: listening on ")
            .and_then(|rest| rest.split(" (data:").next())
            .filter(|_| read > 0)
            .map(str::to_string)
            .unwrap_or_else(|| {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the server did not print its address; stdout: {line:?}; stderr:\n{}",
                    std::fs::read_to_string(&stderr).unwrap_or_default()
                )
            });
        Server {
            pid: child.id(),
            child,
            base,
            stderr,
            _stdout: stdout,
            _data: data,
        }
    }

    /// SIGTERM, then wait for the exit: the time it took and whether it
    /// stopped cleanly.
    pub(crate) fn stop(self) -> (Duration, bool) {
        let (took, clean, _) = self.stop_at_rest();
        (took, clean)
    }

    /// [`Server::stop`], then the size of its data folder at rest.
    pub(crate) fn stop_at_rest(mut self) -> (Duration, bool, u64) {
        let t = std::time::Instant::now();
        let sent = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .expect("`kill` runs");
        assert!(sent.success(), "kill -TERM {} failed", self.pid);
        let status = self.child.wait().expect("waiting for the server");
        let took = t.elapsed();
        let log = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let clean = status.success() && log.contains("diorama serve: stopped cleanly");
        if !clean {
            eprintln!("the server did not stop cleanly ({status}); stderr:\n{log}");
        }
        let bytes = self.data_bytes();
        (took, clean, bytes)
    }

    /// The bytes of the files in the server's data folder (once stopped:
    /// at rest).
    pub(crate) fn data_bytes(&self) -> u64 {
        fn walk(dir: &Path) -> u64 {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return 0;
            };
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => walk(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        }
        walk(&self._data.path().join("db"))
    }
}

/// A server the benchmark started never outlives it: when a measurement
/// fails (a panic unwinds through here) the server is killed and reaped.
impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// What /proc says about the server.

pub(crate) fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Proportional set size: resident memory with each shared page divided
/// among its mappings. Every plugin instance maps its plugin's data image
/// copy-on-write; VmRSS counts the pages all instances read once per
/// instance, PSS once.
pub(crate) fn pss_kib(pid: u32) -> u64 {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    rollup
        .lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The memory mappings the process holds, and the most the kernel allows
/// (`vm.max_map_count`): each plugin instance takes a few.
pub(crate) fn maps(pid: u32) -> (usize, usize) {
    let held = std::fs::read_to_string(format!("/proc/{pid}/maps"))
        .map(|m| m.lines().count())
        .unwrap_or(0);
    let max = std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    (held, max)
}

/// utime + stime in clock ticks from a `stat` file.
pub(crate) fn stat_ticks(path: &str) -> u64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // Fields after the command name (which may hold spaces): state is the
    // first, utime and stime the 12th and 13th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    n(11) + n(12)
}

pub(crate) fn cpu_ticks(pid: u32) -> u64 {
    stat_ticks(&format!("/proc/{pid}/stat"))
}

pub(crate) fn ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// CPU ticks per thread, by thread id: (name, ticks).
pub(crate) fn thread_ticks(pid: u32) -> BTreeMap<u64, (String, u64)> {
    let mut out = BTreeMap::new();
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for entry in dir.flatten() {
        let Some(tid) = entry.file_name().to_str().and_then(|t| t.parse().ok()) else {
            continue;
        };
        let base = format!("/proc/{pid}/task/{tid}");
        let name = std::fs::read_to_string(format!("{base}/comm")).unwrap_or_default();
        out.insert(
            tid,
            (name.trim().to_string(), stat_ticks(&format!("{base}/stat"))),
        );
    }
    out
}

/// The busiest threads between two readings, grouped by name, as percent of
/// one core over `secs`.
pub(crate) fn busiest_threads(
    before: &BTreeMap<u64, (String, u64)>,
    after: &BTreeMap<u64, (String, u64)>,
    secs: f64,
) -> Vec<(String, usize, f64)> {
    let mut by_name: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    for (tid, (name, ticks)) in after {
        let was = before.get(tid).map_or(0, |(_, t)| *t);
        let e = by_name.entry(name.clone()).or_default();
        e.0 += 1;
        e.1 += ticks.saturating_sub(was);
    }
    let tck = ticks_per_second();
    let mut list: Vec<(String, usize, f64)> = by_name
        .into_iter()
        .map(|(name, (n, t))| (name, n, t as f64 / tck / secs * 100.0))
        .filter(|(_, _, pct)| *pct > 0.0)
        .collect();
    list.sort_by(|a, b| b.2.total_cmp(&a.2));
    list.truncate(6);
    list
}

pub(crate) fn print_threads(list: &[(String, usize, f64)]) {
    for (name, n, pct) in list {
        println!("    {name:<24} x{n:<4} {pct:>6.1} %");
    }
}
