//! A platform's own API, `/native/{platform}/...`: the YouTube plugin
//! answers the Data API's `channels.list` from the account's state (the
//! same figures diorama's API shows) and runs `comments.insert` as the very
//! `reply` action of `POST /v1/profiles/{id}/actions`.

use serde_json::{json, Value};

use super::*;

#[test]
fn youtube_answers_its_own_api_for_the_profile_of_the_token() {
    let s = Server::start();
    let p = s.create(json!({
        "platforms": ["youtube", "instagram"],
        "size": 1_000_000,
        "seed": 29,
        "speed": 10_000.0,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let comments = format!(
        "/v1/profiles/{}/interactions?platform=youtube&kind=comment&limit=1000",
        p.id
    );
    wait_for("a youtube comment", PATIENCE, || {
        let page = s.get(&comments, &p.token).expect(200);
        (!page["items"].as_array().unwrap().is_empty()).then_some(())
    });
    s.pause(&p.id);

    // channels.list, mine=true: the channel and its statistics, as the
    // contents diorama lists add them up.
    let channels = "/native/youtube/youtube/v3/channels?part=id,snippet,statistics&mine=true";
    let list = s.get(channels, &p.token).expect(200);
    assert_eq!(list["kind"], "youtube#channelListResponse", "{list}");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{list}");
    let channel = &items[0];
    assert_eq!(channel["kind"], "youtube#channel");
    let channel_id = channel["id"].as_str().expect("an id");
    assert!(
        channel_id.starts_with("UC") && channel_id.len() == 24,
        "{channel_id}"
    );
    let stats = &channel["statistics"];
    let count = |v: &Value| -> i64 {
        v.as_str()
            .unwrap_or_else(|| panic!("counts are decimal strings: {v}"))
            .parse()
            .expect("a number")
    };
    let contents = s
        .get(
            &format!("/v1/profiles/{}/contents?platform=youtube&limit=1000", p.id),
            &p.token,
        )
        .expect(200);
    let uploads: Vec<&Value> = contents["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] != "community")
        .collect();
    assert!(!uploads.is_empty(), "{contents}");
    let views: i64 = uploads
        .iter()
        .map(|c| c["metrics"]["views"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(
        count(&stats["videoCount"]),
        uploads.len() as i64,
        "{channel}"
    );
    assert_eq!(count(&stats["viewCount"]), views, "{channel}");
    assert!(count(&stats["subscriberCount"]) > 100_000, "{channel}");
    assert!(channel["snippet"]["title"].is_string(), "{channel}");
    // By id: the same channel; another id: none.
    let by_id = s
        .get(
            &format!("/native/youtube/youtube/v3/channels?part=id&id={channel_id}"),
            &p.token,
        )
        .expect(200);
    assert_eq!(by_id["items"][0]["id"], channel_id);
    assert!(by_id["items"][0].get("statistics").is_none(), "{by_id}");
    let other = s
        .get(
            "/native/youtube/youtube/v3/channels?part=id&id=UCxxxxxxxxxxxxxxxxxxxxxx",
            &p.token,
        )
        .expect(200);
    assert_eq!(other["items"], json!([]));

    // The platform's own errors, in its format.
    let e = s
        .get("/native/youtube/youtube/v3/channels?mine=true", &p.token)
        .expect(400);
    assert_eq!(e["error"]["errors"][0]["reason"], "required", "{e}");
    // A method of the API not simulated yet: 501 in the API's shape; a
    // path that is no API method: 404.
    let e = s
        .get(
            "/native/youtube/youtube/v3/playlists?part=id&mine=true",
            &p.token,
        )
        .expect(501);
    assert_eq!(e["error"]["code"], 501, "{e}");
    let e = s.get("/native/youtube/nothing/here", &p.token).expect(404);
    assert_eq!(e["error"]["errors"][0]["reason"], "notFound", "{e}");

    // comments.insert: the creator's reply, the same action as /v1's.
    let page = s.get(&comments, &p.token).expect(200);
    let comment = page["items"].as_array().unwrap().last().unwrap().clone();
    let comment_id = comment["id"].as_str().unwrap();
    let made = s
        .post(
            "/native/youtube/youtube/v3/comments?part=snippet",
            &p.token,
            &json!({"snippet": {"parentId": comment_id, "textOriginal": "Thanks, glad it helped!"}}),
        )
        .expect(200);
    assert_eq!(made["kind"], "youtube#comment", "{made}");
    assert_eq!(made["snippet"]["parentId"], comment_id);
    assert_eq!(made["snippet"]["textOriginal"], "Thanks, glad it helped!");
    assert_eq!(made["snippet"]["authorChannelId"]["value"], channel_id);
    let replies = s
        .get(
            &format!(
                "/v1/profiles/{}/interactions?platform=youtube&kind=reply&limit=1000",
                p.id
            ),
            &p.token,
        )
        .expect(200);
    let stored = replies["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == made["id"])
        .unwrap_or_else(|| panic!("the reply is stored: {replies}"));
    assert_eq!(stored["parent_id"], comment_id);
    assert_eq!(stored["text"], "Thanks, glad it helped!");
    assert_eq!(stored["author"]["id"], channel_id);
    // A refused action is the platform's error and stores nothing.
    let e = s
        .post(
            "/native/youtube/youtube/v3/comments?part=snippet",
            &p.token,
            &json!({"snippet": {"parentId": "UgzNOPEnopeNOPE", "textOriginal": "hi"}}),
        )
        .expect(404);
    assert_eq!(e["error"]["errors"][0]["reason"], "commentNotFound", "{e}");

    // The admin names the profile with a header; without it, diorama's own
    // error. No token: 401. Another platform answers its own API.
    let admin = s
        .request(reqwest::Method::GET, channels)
        .bearer_auth(ADMIN)
        .header("x-diorama-profile", p.id.as_str());
    let r = s.send(admin, "admin channels.list".into());
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["items"][0]["id"], channel_id);
    s.get(channels, ADMIN).error(422, "invalid");
    assert_eq!(s.call("GET", channels, None, None).status, 401);
    let me = s.get("/native/instagram/v21.0/me", &p.token).expect(200);
    assert!(me["id"].is_string(), "{me}");
    // A platform the profile does not have.
    let r = s.get("/native/tiktok/v2/user/info/", &p.token);
    assert!(
        r.status == 404 || r.status == 422,
        "{} {}",
        r.status,
        r.text
    );
}
