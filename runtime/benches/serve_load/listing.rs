//! Part 1: listing interactions under an open-loop load.

use super::*;

/// Every interaction of a profile, page by page: (count, largest seq, pages).
pub(crate) async fn walk_interactions(api: &Api, id: &str) -> (u64, u64, u64) {
    let (mut count, mut last, mut pages) = (0u64, 0u64, 0u64);
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/v1/profiles/{id}/interactions?limit=1000&after={a}"),
            None => format!("/v1/profiles/{id}/interactions?limit=1000"),
        };
        let page = api.get(&path).await;
        pages += 1;
        let items = page["items"].as_array().map_or(&[][..], |v| v.as_slice());
        count += items.len() as u64;
        if let Some(seq) = items.last().and_then(|e| e["seq"].as_u64()) {
            last = seq;
        }
        if page["has_more"] != true {
            return (count, last, pages);
        }
        after = page["next"].as_str().map(str::to_string);
    }
}

/// Grow one profile to at least `target` interactions, then pause it:
/// (id, interactions, largest seq).
pub(crate) async fn grow_profile(api: &Api, target: u64) -> (String, u64, u64) {
    let created = api
        .post(
            "/v1/profiles",
            &json!({
                "name": "load",
                "platforms": {"youtube": {"audience": 5_000_000, "comment_volume": "viral"}},
                "speed": 100_000,
                "limits": {"interactions_per_day": 100_000_000u64},
            }),
            201,
        )
        .await;
    let id = created["id"]
        .as_str()
        .expect("the profile's id")
        .to_string();
    let t = std::time::Instant::now();
    let mut want_events = target + target / 10;
    loop {
        loop {
            let view = api.get(&format!("/v1/profiles/{id}")).await;
            let events = view["events"].as_u64().unwrap_or(0);
            if events >= want_events {
                break;
            }
            let status = view["status"].as_str().unwrap_or("");
            assert_eq!(status, "running", "profile {id} stopped growing: {view}");
            assert!(
                t.elapsed() < Duration::from_secs(600),
                "profile {id} has {events} events after 10 minutes (wanted {want_events})"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        api.post(&format!("/v1/profiles/{id}/pause"), &json!({}), 200)
            .await;
        let (count, last, _) = walk_interactions(api, &id).await;
        if count >= target {
            return (id, count, last);
        }
        want_events += (target - count) + target / 10;
        api.post(&format!("/v1/profiles/{id}/resume"), &json!({}), 200)
            .await;
    }
}

/// One request of the mix.
pub(crate) fn mixed_path(
    rng: &mut XorShift,
    id: &str,
    last_seq: u64,
    contents: &[String],
) -> String {
    let mut path = format!("/v1/profiles/{id}/interactions?limit=50");
    match rng.below(4) {
        0 | 1 => {}
        2 => path.push_str("&kind=comment&sentiment=negative"),
        _ => {
            let c = &contents[rng.below(contents.len() as u64) as usize];
            path.push_str(&format!("&content={c}"));
        }
    }
    if rng.below(5) != 0 {
        path.push_str(&format!("&after={}", rng.below(last_seq + 1)));
    }
    path
}

pub(crate) struct LoadResult {
    /// In due order.
    pub(crate) latencies: Vec<Duration>,
    pub(crate) errors: u64,
    pub(crate) first_error: Option<String>,
    pub(crate) elapsed: Duration,
    /// Requests the in-flight cap held back past their due time.
    pub(crate) held_back: u64,
}

/// Send `paths` open loop at `rate` per second, at most `in_flight` at once;
/// each latency counts from the request's due time.
pub(crate) async fn open_loop(
    api: &Api,
    paths: Vec<String>,
    rate: f64,
    in_flight: usize,
) -> LoadResult {
    let gate = Arc::new(tokio::sync::Semaphore::new(in_flight));
    let start = Instant::now() + Duration::from_millis(50);
    let mut tasks = Vec::with_capacity(paths.len());
    let mut held_back = 0;
    for (i, path) in paths.into_iter().enumerate() {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due).await;
        let permit = match gate.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                held_back += 1;
                gate.clone()
                    .acquire_owned()
                    .await
                    .expect("the gate stays open")
            }
        };
        let request = api.client.get(api.url(&path)).bearer_auth(TOKEN);
        tasks.push(tokio::spawn(async move {
            let outcome = match request.send().await {
                Ok(res) => {
                    let status = res.status();
                    match res.bytes().await {
                        Ok(_) if status == 200 => Ok(()),
                        Ok(body) => Err(format!(
                            "{status}: {}",
                            String::from_utf8_lossy(&body[..body.len().min(200)])
                        )),
                        Err(e) => Err(format!("{status}, body: {e}")),
                    }
                }
                Err(e) => Err(e.to_string()),
            };
            drop(permit);
            (due.elapsed(), outcome.err().map(|e| format!("{path}: {e}")))
        }));
    }
    let mut latencies = Vec::with_capacity(tasks.len());
    let mut errors = 0;
    let mut first_error = None;
    for t in tasks {
        let (latency, err) = t.await.expect("a request task");
        latencies.push(latency);
        if let Some(e) = err {
            errors += 1;
            first_error.get_or_insert(e);
        }
    }
    LoadResult {
        latencies,
        errors,
        first_error,
        elapsed: start.elapsed(),
        held_back,
    }
}

pub(crate) fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

pub(crate) async fn part_listing() {
    let rate: f64 = setting("DIORAMA_BENCH_RATE", 2_000.0);
    let seconds: f64 = setting("DIORAMA_BENCH_SECONDS", 10.0);
    let target: u64 = setting("DIORAMA_BENCH_INTERACTIONS", 100_000);
    let in_flight: usize = setting("DIORAMA_BENCH_IN_FLIGHT", 256);
    let server = Server::start(&[]);
    let api = Api::new(&server.base, in_flight);

    let t = std::time::Instant::now();
    let (id, interactions, last_seq) = grow_profile(&api, target).await;
    let grow = t.elapsed();
    let t = std::time::Instant::now();
    let (_, _, pages) = walk_interactions(&api, &id).await;
    let walk = t.elapsed();
    let contents: Vec<String> = api
        .get(&format!("/v1/profiles/{id}/contents?limit=1000"))
        .await["items"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|c| c["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    assert!(!contents.is_empty(), "profile {id} published no content");

    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let n = (rate * seconds).round() as usize;
    let paths: Vec<String> = (0..n)
        .map(|_| mixed_path(&mut rng, &id, last_seq, &contents))
        .collect();
    let m0 = api.metrics().await;
    let threads0 = thread_ticks(server.pid);
    let cpu0 = cpu_ticks(server.pid);
    let result = open_loop(&api, paths, rate, in_flight).await;
    let secs = result.elapsed.as_secs_f64();
    let cpu = (cpu_ticks(server.pid) - cpu0) as f64 / ticks_per_second() / secs * 100.0;
    let threads = busiest_threads(&threads0, &thread_ticks(server.pid), secs);
    let m1 = api.metrics().await;
    let rss = rss_kib(server.pid);
    let (shutdown, clean) = server.stop();

    let mut sorted = result.latencies.clone();
    sorted.sort();
    let served = delta(
        &buckets(&m1, REQUESTS, INTERACTIONS_ROUTE),
        &buckets(&m0, REQUESTS, INTERACTIONS_ROUTE),
    );
    println!("1. listing interactions (one paused YouTube profile, 5M audience, viral comments)");
    println!(
        "  data                  {interactions} interactions (last seq {last_seq}), {} contents; grown in {:.1} s",
        contents.len(),
        grow.as_secs_f64()
    );
    println!(
        "  full walk             {pages} pages of 1000 in {:.1} ms",
        ms(walk)
    );
    println!("  open-loop load        target {rate:.0} req/s for {seconds:.0} s, at most {in_flight} in flight");
    println!(
        "                        mix: 50% plain, 25% kind=comment&sentiment=negative, 25% content=<one of {}>; 80% from a random cursor",
        contents.len()
    );
    println!(
        "  sent                  {} requests in {:.2} s: {:.0} req/s achieved",
        sorted.len(),
        secs,
        sorted.len() as f64 / secs
    );
    println!(
        "  errors                {}{}",
        result.errors,
        result
            .first_error
            .map(|e| format!("   (first: {e})"))
            .unwrap_or_default()
    );
    println!(
        "  held back             {} requests waited for a free slot",
        result.held_back
    );
    println!(
        "  latency from due time p50 {:.2} ms   p90 {:.2} ms   p99 {:.2} ms   max {:.2} ms   (aim: p99 < 10 ms)",
        ms(percentile(&sorted, 0.50)),
        ms(percentile(&sorted, 0.90)),
        ms(percentile(&sorted, 0.99)),
        ms(percentile(&sorted, 1.0)),
    );
    let per_second: Vec<String> = result
        .latencies
        .chunks((rate.round() as usize).max(1))
        .map(|c| {
            let mut c = c.to_vec();
            c.sort();
            format!("{:.1}", ms(percentile(&c, 0.99)))
        })
        .collect();
    println!("  p99 second by second  {} ms", per_second.join(" "));
    println!(
        "  server's histogram    {} requests on /v1/profiles/{{id}}/interactions; p50 {}, p99 {}",
        total(&served),
        fmt_bound(quantile_bound(&served, 0.50)),
        fmt_bound(quantile_bound(&served, 0.99)),
    );
    println!(
        "  server                {cpu:.0} % CPU (of one core), RSS {:.1} MiB; busiest threads:",
        rss as f64 / 1024.0
    );
    print_threads(&threads);
    println!(
        "  shutdown              {:.1} ms{}",
        ms(shutdown),
        if clean { "" } else { "   NOT CLEAN" }
    );
    println!();
}
