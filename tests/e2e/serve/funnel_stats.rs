//! Funnels over HTTP: the creator answers fans' DMs and sends offers
//! through `/v1` actions; `GET /v1/profiles/{id}/stats` reports the funnel
//! from the stored events, the same figures `diorama stats` prints for
//! those events, as JSON and CSV.

use serde_json::json;

use super::*;
use crate::common::{diorama, scratch};

#[test]
fn offers_sent_through_the_api_show_in_the_profiles_funnel_stats() {
    let s = Server::start();
    let p = s.create(json!({
        "platforms": {"instagram": {"followers": 100000, "dm_rate": 3000}},
        "seed": 17,
        "speed": 20_000.0,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let dms = format!(
        "/v1/profiles/{}/interactions?platform=instagram&kind=dm&dm_type=fan&limit=1000",
        p.id
    );
    let fans = wait_for("twenty fans' DMs", PATIENCE, || {
        let page = s.get(&dms, &p.token).expect(200);
        let items = page["items"].as_array().unwrap().clone();
        (items.len() >= 20).then_some(items)
    });
    s.pause(&p.id);
    let actions = format!("/v1/profiles/{}/actions", p.id);
    let mut offered = std::collections::BTreeSet::new();
    // Under the per-token rate of 20 actions a second.
    let pace = || std::thread::sleep(std::time::Duration::from_millis(120));
    for dm in fans.iter().take(20) {
        let id = dm["id"].as_str().unwrap();
        pace();
        s.post(
            &actions,
            &p.token,
            &json!({"platform": "instagram", "kind": "dm_reply",
                    "params": {"dm_id": id, "text": "Thank you so much for writing! Glad you like it."}}),
        )
        .expect(201);
        pace();
        let made = s
            .post(
                &actions,
                &p.token,
                &json!({"platform": "instagram", "kind": "send_offer",
                        "params": {"dm_id": id, "tier": "member", "price": 500, "currency": "USD"}}),
            )
            .expect(201);
        let offer = &made["events"][0];
        assert_eq!(
            (offer["kind"].as_str(), offer["parent_id"].as_str()),
            (Some("offer"), Some(id))
        );
        assert_eq!(
            offer["text"],
            r#"{"tier":"member","price":500,"currency":"USD","billing":"monthly"}"#
        );
        offered.insert(dm["author"]["id"].as_str().unwrap().to_string());
    }
    // An offer out of range is refused, naming the field.
    let m = s
        .post(
            &actions,
            &p.token,
            &json!({"platform": "instagram", "kind": "send_offer",
                    "params": {"dm_id": fans[0]["id"], "tier": "member", "price": -5, "currency": "USD"}}),
        )
        .error(422, "invalid");
    assert!(m.contains("`price`"), "{m}");
    // Three virtual days for the fans to decide.
    s.post(&format!("/v1/profiles/{}/resume", p.id), ADMIN, &json!({}))
        .expect(200);
    let now = s.view(&p.id, &p.token)["now"].as_i64().unwrap();
    wait_for("three virtual days", PATIENCE * 2, || {
        (s.view(&p.id, &p.token)["now"].as_i64().unwrap() > now + 3 * 86_400_000).then_some(())
    });
    s.pause(&p.id);

    let answer = s
        .get(&format!("/v1/profiles/{}/stats", p.id), &p.token)
        .expect(200);
    assert_eq!(answer["truncated"], false);
    assert_eq!(answer["cap"], 200_000);
    let funnel = &answer["figures"]["funnel"];
    let ig = &funnel["platforms"][0];
    assert_eq!(ig["platform"], "instagram");
    assert_eq!(ig["offers"], 20);
    let stage = |name: &str| {
        ig["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["stage"] == name)
            .unwrap_or_else(|| panic!("no stage {name}: {ig}"))
            .clone()
    };
    assert_eq!(stage("lead")["count"], offered.len());
    let subscribed = s.pages(
        &format!(
            "/v1/profiles/{}/interactions?kind=subscribed&limit=1000",
            p.id
        ),
        &p.token,
    );
    assert!(
        !subscribed.is_empty(),
        "no fan took an offer answered at once and warmly"
    );
    // A fan offered the same tier twice (two DMs) takes it once.
    let subscribers: std::collections::BTreeSet<&str> = subscribed
        .iter()
        .map(|e| e["author"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(subscribers.len(), subscribed.len(), "{subscribed:?}");
    assert_eq!(stage("customer")["count"], subscribers.len());
    assert_eq!(ig["money"][0]["currency"], "USD");
    assert_eq!(ig["money"][0]["revenue"], 500 * subscribed.len());
    assert_eq!(ig["money"][0]["mrr"], 500 * subscribed.len());
    assert!(ig["median_first_answer_minutes"].as_f64().is_some());
    assert_eq!(answer["figures"]["events"], answer["events_read"]);

    // The same figures as `diorama stats` over the same events.
    let dir = scratch();
    let lines: String = s
        .all_events(&p.id, &p.token)
        .iter()
        .map(|e| format!("{e}\n"))
        .collect();
    std::fs::write(dir.path().join("events.jsonl"), lines).unwrap();
    let run = diorama(dir.path(), &["stats", ".", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let cli: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(cli["funnel"], *funnel);

    // CSV, and a format it does not know.
    let csv = s.get(&format!("/v1/profiles/{}/stats?format=csv", p.id), &p.token);
    assert_eq!(csv.status, 200);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(
        csv.text.starts_with("scope,platform,day,figure,value\n"),
        "{}",
        csv.text
    );
    assert!(
        csv.text.contains("platform,instagram,,offers,20\n"),
        "{}",
        csv.text
    );
    let cli = diorama(dir.path(), &["stats", ".", "--format", "csv"]);
    assert_eq!(cli.stdout, csv.text);
    s.get(&format!("/v1/profiles/{}/stats?format=xml", p.id), &p.token)
        .error(400, "bad_query");
}
