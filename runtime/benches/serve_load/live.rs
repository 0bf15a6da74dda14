//! Part 2: many live profiles at 60x.

use super::*;

/// Profiles created before the benchmark checks that the rest will fit
/// in the kernel's memory mappings.
const CALIBRATE: usize = 50;

pub(crate) async fn part_live() {
    let n: usize = setting("DIORAMA_BENCH_PROFILES", 1_000);
    // The soak: 30 minutes, memory printed every minute.
    let soak = std::env::var("DIORAMA_BENCH_SOAK").is_ok_and(|v| v == "1");
    let live_secs: u64 = setting("DIORAMA_BENCH_LIVE_SECONDS", if soak { 1_800 } else { 60 });
    let every = Duration::from_secs(if soak { 60 } else { 10 });
    let which = std::env::var("DIORAMA_BENCH_PLATFORMS").unwrap_or_else(|_| "all".into());
    let workers: Option<usize> = std::env::var("DIORAMA_BENCH_WORKERS")
        .ok()
        .map(|w| w.parse().expect("DIORAMA_BENCH_WORKERS: a number"));
    let mut body = json!({ "size": 100_000, "speed": 60 });
    match which.as_str() {
        "all" => {}
        "youtube" => body["platforms"] = json!(["youtube"]),
        other => panic!("DIORAMA_BENCH_PLATFORMS: `all` or `youtube`, got `{other}`"),
    }
    let mut args = vec!["--max-live".to_string(), n.max(1_000).to_string()];
    if let Some(w) = workers {
        args.extend(["--workers".to_string(), w.to_string()]);
    }
    let server = Server::start(&args);
    let api = Api::new(&server.base, 8);
    let pid = server.pid;
    let tck = ticks_per_second();

    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = rss_kib(pid);
    let pss_before = pss_kib(pid);
    let t = std::time::Instant::now();
    let mut slowest = Duration::ZERO;
    let (maps_before, max_maps) = maps(pid);
    for i in 0..n {
        let one = std::time::Instant::now();
        api.post("/v1/profiles", &body, 201).await;
        slowest = slowest.max(one.elapsed());
        // Every running plugin instance holds memory mappings, and the
        // kernel caps a process's (vm.max_map_count): check after the first
        // profiles that the rest will fit, rather than let the server fail
        // halfway through.
        if i + 1 == CALIBRATE && n > CALIBRATE {
            let per = (maps(pid).0.saturating_sub(maps_before)) as f64 / CALIBRATE as f64;
            let need = maps_before as f64 + per * n as f64;
            if need > max_maps as f64 * 0.97 {
                let fits = ((max_maps as f64 * 0.97 - maps_before as f64) / per.max(1e-9)) as usize;
                println!(
                    "2. {n} live profiles need about {need:.0} memory mappings ({per:.1} per profile), \
                     more than the {max_maps} this kernel allows a process (vm.max_map_count).\n   \
                     Raise it as root (`sysctl -w vm.max_map_count={}`) or run at most \
                     DIORAMA_BENCH_PROFILES={fits}; part 2 skipped.",
                    ((need * 1.25) as u64).next_multiple_of(65_536)
                );
                let _ = server.stop();
                return;
            }
        }
    }
    let create = t.elapsed();
    let rss_created = rss_kib(pid);

    let m0 = api.metrics().await;
    let cpu0 = cpu_ticks(pid);
    let threads0 = thread_ticks(pid);
    let t0 = std::time::Instant::now();
    println!(
        "2. {n} live profiles at 60x ({}), created in {:.2} s; running for {live_secs} s",
        if which == "all" {
            "YouTube, Instagram, TikTok"
        } else {
            "YouTube only"
        },
        create.as_secs_f64()
    );
    let (mut last_cpu, mut last_t, mut last_events) =
        (cpu0, t0, scalar(&m0, "diorama_events_generated_total"));
    while t0.elapsed() < Duration::from_secs(live_secs) {
        let left = Duration::from_secs(live_secs).saturating_sub(t0.elapsed());
        tokio::time::sleep(left.min(every)).await;
        let m = api.metrics().await;
        let (cpu, now) = (cpu_ticks(pid), std::time::Instant::now());
        let events = scalar(&m, "diorama_events_generated_total");
        let dt = now.duration_since(last_t).as_secs_f64();
        println!(
            "  at {:>4.0} s: {:>5.0} % CPU, {:>7.0} events/s, RSS {:.0} MiB, PSS {:.0} MiB, live {}",
            t0.elapsed().as_secs_f64(),
            (cpu - last_cpu) as f64 / tck / dt * 100.0,
            (events - last_events) / dt,
            rss_kib(pid) as f64 / 1024.0,
            pss_kib(pid) as f64 / 1024.0,
            scalar(&m, "diorama_live_profiles"),
        );
        (last_cpu, last_t, last_events) = (cpu, now, events);
    }
    let m1 = api.metrics().await;
    let secs = t0.elapsed().as_secs_f64();
    let cpu = (cpu_ticks(pid) - cpu0) as f64 / tck / secs * 100.0;
    let threads = busiest_threads(&threads0, &thread_ticks(pid), secs);
    let rss_end = rss_kib(pid);
    let pss_end = pss_kib(pid);
    let (held_maps, max_maps) = maps(pid);
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for p in api.get("/v1/profiles").await["profiles"]
        .as_array()
        .map_or(&[][..], |v| v.as_slice())
    {
        *statuses
            .entry(p["status"].as_str().unwrap_or("?").to_string())
            .or_default() += 1;
    }
    let (shutdown, clean, data_bytes) = server.stop_at_rest();

    let late = delta(&buckets(&m1, LATENESS, ""), &buckets(&m0, LATENESS, ""));
    let events = scalar(&m1, "diorama_events_generated_total")
        - scalar(&m0, "diorama_events_generated_total");
    let worst = worst_bucket(&late);
    let per_profile = |after: u64| (after.saturating_sub(rss_before)) as f64 / n.max(1) as f64;
    println!(
        "  creating              {:.2} ms per profile (slowest {:.1} ms)",
        ms(create) / n.max(1) as f64,
        ms(slowest)
    );
    println!(
        "  statuses at the end   {}",
        statuses
            .iter()
            .map(|(s, c)| format!("{s} {c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  events                {events:.0} in {secs:.1} s: {:.0} events/s",
        events / secs
    );
    println!(
        "  event lateness        {} events; p50 {}, p90 {}, p99 {}, worst bucket {}   (aim: p99 < 100 ms)",
        total(&late),
        fmt_bound(quantile_bound(&late, 0.50)),
        fmt_bound(quantile_bound(&late, 0.90)),
        fmt_bound(quantile_bound(&late, 0.99)),
        fmt_bound(worst),
    );
    println!(
        "  memory (RSS)          {:.1} MiB before, {:.1} MiB once created, {:.1} MiB at the end",
        rss_before as f64 / 1024.0,
        rss_created as f64 / 1024.0,
        rss_end as f64 / 1024.0
    );
    println!(
        "  per profile           {:.0} KiB once created, {:.0} KiB at the end (RSS); {:.0} KiB at the end (PSS)",
        per_profile(rss_created),
        per_profile(rss_end),
        pss_end.saturating_sub(pss_before) as f64 / n.max(1) as f64
    );
    println!(
        "  memory (PSS)          {:.1} MiB at the end   (aim at 10,000 profiles: under 3 GiB)",
        pss_end as f64 / 1024.0
    );
    println!("  memory mappings       {held_maps} of the {max_maps} the kernel allows (vm.max_map_count)");
    println!("  CPU                   {cpu:.0} % of one core over the window; busiest threads:");
    print_threads(&threads);
    let stored = scalar(&m1, "diorama_events_generated_total");
    println!(
        "  data folder at rest   {:.1} MiB: {:.0} B per event stored ({stored:.0} events)",
        data_bytes as f64 / 1048576.0,
        data_bytes as f64 / stored.max(1.0)
    );
    println!(
        "  clean shutdown        {:.2} s (snapshots every profile){}",
        shutdown.as_secs_f64(),
        if clean { "" } else { "   NOT CLEAN" }
    );
}

/// Part 3: many created-but-idle profiles (never started): what each costs
/// while it holds no plugin instance.
pub(crate) async fn part_idle() {
    let n: usize = setting("DIORAMA_BENCH_IDLE", 50_000);
    let clients: usize = setting("DIORAMA_BENCH_CLIENTS", 4);
    let server = Server::start(&["--max-live".to_string(), "1000".to_string()]);
    let api = Arc::new(Api::new(&server.base, clients));
    let pid = server.pid;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (rss_before, pss_before) = (rss_kib(pid), pss_kib(pid));
    let body = json!({ "size": 100_000 });
    let t = std::time::Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (api, body) = (api.clone(), body.clone());
        let share = n / clients + usize::from(c < n % clients);
        tasks.push(tokio::spawn(async move {
            for _ in 0..share {
                api.post("/v1/profiles", &body, 201).await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("a creating client");
    }
    let create = t.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (rss, pss) = (rss_kib(pid), pss_kib(pid));
    let (held_maps, max_maps) = maps(pid);
    let m = api.metrics().await;
    let (shutdown, clean) = server.stop();
    println!(
        "3. {n} created-but-idle profiles (100k creator, every platform), created in {:.1} s ({:.2} ms each, {clients} clients)",
        create.as_secs_f64(),
        ms(create) / n.max(1) as f64
    );
    println!(
        "  memory (RSS)          {:.1} MiB before, {:.1} MiB once created   (aim: under 1 GiB)",
        rss_before as f64 / 1024.0,
        rss as f64 / 1024.0
    );
    println!(
        "  per profile           {:.1} KiB (RSS), {:.1} KiB (PSS)",
        rss.saturating_sub(rss_before) as f64 / n.max(1) as f64,
        pss.saturating_sub(pss_before) as f64 / n.max(1) as f64
    );
    println!(
        "  profiles              {} known to the server",
        scalar(&m, "diorama_profiles")
    );
    println!("  memory mappings       {held_maps} of the {max_maps} the kernel allows");
    println!(
        "  clean shutdown        {:.2} s{}",
        shutdown.as_secs_f64(),
        if clean { "" } else { "   NOT CLEAN" }
    );
}
