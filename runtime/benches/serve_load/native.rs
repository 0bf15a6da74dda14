//! Part 4: a platform's own API under load against the same read through
//! `/v1`. One TikTok profile grown to at least 40 videos and paused; then
//! the same open-loop load (`DIORAMA_BENCH_RATE` requests/s for
//! `DIORAMA_BENCH_SECONDS`, latency from each request's due time) twice:
//! the newest 20 videos with their counts through TikTok's
//! `POST /native/tiktok/v2/video/list/` and through
//! `GET /v1/profiles/{id}/contents?platform=tiktok&limit=20`, each run
//! after a warm-up second. Prints p50/p90/p99 of both and their ratio
//! (aim: native p99 within 1.5x of /v1's).

use super::*;

/// How many videos the profile holds before the load.
const VIDEOS: usize = 40;

/// One read, as a request to build again and again.
#[derive(Clone)]
enum Read {
    Native { id: String },
    V1 { id: String },
}

impl Read {
    fn build(&self, api: &Api) -> reqwest::RequestBuilder {
        match self {
            Read::Native { id } => api
                .client
                .post(api.url(
                    "/native/tiktok/v2/video/list/?fields=id,title,create_time,view_count,like_count,comment_count,share_count",
                ))
                .bearer_auth(TOKEN)
                .header("x-diorama-profile", id.as_str())
                .header("content-type", "application/json")
                .body(r#"{"max_count": 20}"#),
            Read::V1 { id } => api
                .client
                .get(api.url(&format!(
                    "/v1/profiles/{id}/contents?platform=tiktok&limit=20"
                )))
                .bearer_auth(TOKEN),
        }
    }

    /// The videos its answer lists (to check both reads read the same).
    fn videos(&self, body: &Value) -> Vec<String> {
        let list = match self {
            Read::Native { .. } => &body["data"]["videos"],
            Read::V1 { .. } => &body["items"],
        };
        list.as_array()
            .map(|v| {
                v.iter()
                    .filter_map(|x| x["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Send `n` requests of `read` open loop at `rate` per second, at most
/// `in_flight` at once; each latency counts from its due time.
async fn open_loop_of(api: &Api, read: &Read, n: usize, rate: f64, in_flight: usize) -> LoadResult {
    let gate = Arc::new(tokio::sync::Semaphore::new(in_flight));
    let start = Instant::now() + Duration::from_millis(50);
    let mut tasks = Vec::with_capacity(n);
    let mut held_back = 0;
    for i in 0..n {
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
        let request = read.build(api);
        tasks.push(tokio::spawn(async move {
            let outcome = match request.send().await {
                Ok(res) => {
                    let status = res.status();
                    match res.bytes().await {
                        Ok(_) if status == 200 => None,
                        Ok(body) => Some(format!(
                            "{status}: {}",
                            String::from_utf8_lossy(&body[..body.len().min(200)])
                        )),
                        Err(e) => Some(format!("{status}, body: {e}")),
                    }
                }
                Err(e) => Some(e.to_string()),
            };
            drop(permit);
            (due.elapsed(), outcome)
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

/// A TikTok profile with at least [`VIDEOS`] videos, paused: its id.
async fn grow_videos(api: &Api) -> String {
    let created = api
        .post(
            "/v1/profiles",
            &json!({
                "name": "native-load",
                "platforms": {"tiktok": {"followers": 1_000_000, "videos_per_day": 10}},
                "speed": 100_000,
                "limits": {"interactions_per_day": 100_000_000u64},
            }),
            201,
        )
        .await;
    let id = created["id"].as_str().expect("an id").to_string();
    let t = std::time::Instant::now();
    loop {
        let page = api
            .get(&format!(
                "/v1/profiles/{id}/contents?platform=tiktok&limit=1000"
            ))
            .await;
        if page["items"].as_array().map_or(0, Vec::len) >= VIDEOS {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(600),
            "profile {id} has under {VIDEOS} videos after 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    api.post(&format!("/v1/profiles/{id}/pause"), &json!({}), 200)
        .await;
    id
}

struct Figures {
    p50: Duration,
    p90: Duration,
    p99: Duration,
    achieved: f64,
    errors: u64,
    first_error: Option<String>,
    held_back: u64,
}

async fn measure(api: &Api, read: &Read, rate: f64, seconds: f64, in_flight: usize) -> Figures {
    // A warm-up second, not counted.
    let _ = open_loop_of(api, read, rate.round() as usize, rate, in_flight).await;
    let n = (rate * seconds).round() as usize;
    let result = open_loop_of(api, read, n, rate, in_flight).await;
    let mut sorted = result.latencies.clone();
    sorted.sort();
    Figures {
        p50: percentile(&sorted, 0.50),
        p90: percentile(&sorted, 0.90),
        p99: percentile(&sorted, 0.99),
        achieved: sorted.len() as f64 / result.elapsed.as_secs_f64(),
        errors: result.errors,
        first_error: result.first_error,
        held_back: result.held_back,
    }
}

pub(crate) async fn part_native() {
    let rate: f64 = setting("DIORAMA_BENCH_RATE", 2_000.0);
    let seconds: f64 = setting("DIORAMA_BENCH_SECONDS", 10.0);
    let in_flight: usize = setting("DIORAMA_BENCH_IN_FLIGHT", 256);
    let server = Server::start(&[]);
    let api = Api::new(&server.base, in_flight);
    let id = grow_videos(&api).await;
    let native = Read::Native { id: id.clone() };
    let v1 = Read::V1 { id: id.clone() };
    // Both reads list the same videos, in the same order.
    let mut listed = Vec::new();
    for read in [&native, &v1] {
        let res = read.build(&api).send().await.expect("a read");
        assert_eq!(res.status(), 200, "a read of profile {id}");
        let body: Value = res.json().await.expect("JSON");
        listed.push(read.videos(&body));
    }
    assert_eq!(listed[0].len(), 20, "{listed:?}");
    assert_eq!(listed[0], listed[1], "the two reads list the same videos");

    let cpu0 = cpu_ticks(server.pid);
    let t = std::time::Instant::now();
    let of_v1 = measure(&api, &v1, rate, seconds, in_flight).await;
    let v1_cpu =
        (cpu_ticks(server.pid) - cpu0) as f64 / ticks_per_second() / t.elapsed().as_secs_f64()
            * 100.0;
    let cpu0 = cpu_ticks(server.pid);
    let t = std::time::Instant::now();
    let of_native = measure(&api, &native, rate, seconds, in_flight).await;
    let native_cpu =
        (cpu_ticks(server.pid) - cpu0) as f64 / ticks_per_second() / t.elapsed().as_secs_f64()
            * 100.0;
    let (_, clean) = server.stop();

    println!("4. a platform's own API against /v1 (one paused TikTok profile, {VIDEOS}+ videos)");
    println!("  read                  the newest 20 videos with their counts");
    println!("  open-loop load        target {rate:.0} req/s for {seconds:.0} s each (after a warm-up second), at most {in_flight} in flight");
    for (name, f, cpu) in [
        ("/v1 contents", &of_v1, v1_cpu),
        ("native video/list", &of_native, native_cpu),
    ] {
        println!(
            "  {name:<21} p50 {:.2} ms   p90 {:.2} ms   p99 {:.2} ms   {:.0} req/s achieved   {} errors{}   {} held back   server {cpu:.0} % CPU",
            ms(f.p50),
            ms(f.p90),
            ms(f.p99),
            f.achieved,
            f.errors,
            f.first_error
                .as_ref()
                .map(|e| format!(" (first: {e})"))
                .unwrap_or_default(),
            f.held_back,
        );
    }
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-9);
    println!(
        "  native / v1           p50 {:.2}x   p99 {:.2}x   (aim: p99 within 1.5x)",
        ratio(of_native.p50, of_v1.p50),
        ratio(of_native.p99, of_v1.p99),
    );
    if !clean {
        println!("  shutdown              NOT CLEAN");
    }
    println!();
}
