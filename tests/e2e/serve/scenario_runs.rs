//! A scenario that ends at once still reports its outcome: its `running`
//! record is never written after its end.

use serde_json::json;

use super::*;

#[test]
fn quick_scenarios_end_with_their_outcome() {
    let s = Server::start();
    let p = s.create(json!({"platforms": ["youtube"], "seed": 4}));
    let scenarios = format!("/v1/profiles/{}/scenarios", p.id);
    for i in 0..20 {
        let run = s
            .post(
                &scenarios,
                ADMIN,
                &json!({"script": format!("report(\"i\", {i});")}),
            )
            .expect(202);
        let id = run["id"].as_str().expect("a run id").to_string();
        let ended = wait_for("the run to end", PATIENCE, || {
            let r = s.get(&format!("{scenarios}/{id}"), &p.token).expect(200);
            (r["status"] != "running").then_some(r)
        });
        assert_eq!(ended["status"], "passed", "{ended}");
        assert_eq!(ended["values"][0]["value"], i, "{ended}");
    }
}
