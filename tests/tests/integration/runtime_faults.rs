//! Runtime faults under `/_emulator/faults`: put in force while the service runs, kept in the
//! table (every process applies them), answered in each dialect's own envelope, limited by
//! resource, account, probability and count, and gone after `DELETE`.

use integration_tests::*;
use serde_json::{json, Value};
use service::control::Control;
use std::sync::Arc;

fn on() -> Option<Control> {
    Some(Control::default())
}

fn instant_world() -> String {
    reference_with(|w| w["settings"]["timings"] = json!({"snapshot_seconds": 0, "image_seconds": 0}))
}

#[tokio::test]
async fn each_dialect_answers_an_injected_code_in_its_own_envelope_until_it_is_removed() {
    let gw = Gateway::start_with_control(&instant_world(), on()).await;
    let added = gw
        .control(
            "POST",
            "faults",
            json!([
                {"id": "ali", "dialect": "alibaba", "action": "CreateSnapshot", "code": "ServiceUnavailable"},
                {"id": "tc", "dialect": "tencent", "action": "DescribeImages", "code": "InternalError"},
                {"id": "zl", "dialect": "zenlayer", "action": "DescribeImages", "code": "INTERNAL_SERVER_ERROR"}
            ]),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.text);
    assert_eq!(added.json()["faults"].as_array().unwrap().len(), 3);

    let ali = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-expired")]).await;
    assert_eq!((ali.status, ali.code()), (503, "ServiceUnavailable".to_string()), "{}", ali.text);
    assert!(ali.json()["RequestId"].is_string());
    let tc = gw.tc(TcSigning::Tc3, TC, "DescribeImages", json!({})).await;
    assert_eq!((tc.status, tc.tc_code()), (200, Some("InternalError".to_string())), "{}", tc.text);
    assert!(tc.tc_response()["RequestId"].is_string());
    let zl = gw.zl(ZL, "DescribeImages", json!({})).await;
    assert_eq!((zl.status, zl.zl_code()), (500, Some("INTERNAL_SERVER_ERROR".to_string())), "{}", zl.text);
    // Other actions go on as before.
    let other = gw.call(ALI, "DescribeSnapshots", &[("RegionId", "cn-hangzhou")]).await;
    assert_eq!(other.status, 200, "{}", other.text);
    let before = gw.store.account_snapshots("acct-ali").await.unwrap().len();

    let one = gw.control("DELETE", "faults?id=ali", Value::Null).await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(gw.control("DELETE", "faults?id=ali", Value::Null).await.status, 404);
    let made = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-expired")]).await;
    assert_eq!(made.status, 200, "{}", made.text);
    // The refused create made nothing; this one made one.
    assert_eq!(gw.store.account_snapshots("acct-ali").await.unwrap().len(), before + 1);
    let all = gw.control("DELETE", "faults", Value::Null).await;
    assert_eq!(all.json()["removed"], 2, "{}", all.text);
    assert_eq!(gw.tc(TcSigning::Tc3, TC, "DescribeImages", json!({})).await.tc_code(), None);
    assert_eq!(gw.zl(ZL, "DescribeImages", json!({})).await.status, 200);
    assert_eq!(gw.control("GET", "faults", Value::Null).await.json()["faults"], json!([]));
    gw.assert_consistent().await;
}

#[tokio::test]
async fn a_fault_limited_to_a_resource_or_an_account_leaves_the_rest_alone() {
    let gw = Gateway::start_with_control(&instant_world(), on()).await;
    let fault = json!({"dialect": "alibaba", "action": "CreateSnapshot", "code": "CreateSnapshot.Failed",
        "resource": "d-ali-expired"});
    assert_eq!(gw.control("POST", "faults", fault).await.status, 200);
    let hit = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-expired")]).await;
    assert_eq!((hit.status, hit.code()), (403, "CreateSnapshot.Failed".to_string()), "{}", hit.text);
    let spared = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-stopped-data")]).await;
    assert_eq!(spared.status, 200, "{}", spared.text);

    gw.control("DELETE", "faults", Value::Null).await;
    let fault = json!({"dialect": "zenlayer", "action": "DescribeImages", "code": "INTERNAL_SERVER_ERROR",
        "account": "acct-zl"});
    assert_eq!(gw.control("POST", "faults", fault).await.status, 200);
    assert_eq!(gw.zl(ZL, "DescribeImages", json!({})).await.status, 500);
    let other = gw.zl(ZL_OTHER, "DescribeImages", json!({})).await;
    assert_eq!(other.status, 200, "another account: {}", other.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_counted_fault_hits_exactly_that_many_requests_across_two_processes() {
    let one = Arc::new(Gateway::start_with_control(&instant_world(), on()).await);
    let two = Arc::new(one.second_process(None).await);
    let fault =
        json!({"dialect": "tencent", "action": "DescribeImages", "code": "InternalError", "count": 5});
    assert_eq!(one.control("POST", "faults", fault).await.status, 200);
    let mut set = tokio::task::JoinSet::new();
    for i in 0..24 {
        let gw = if i % 2 == 0 { one.clone() } else { two.clone() };
        set.spawn(async move { gw.tc(TcSigning::Tc3, TC, "DescribeImages", json!({})).await.tc_code() });
    }
    let codes = set.join_all().await;
    let hit = codes.iter().filter(|c| c.as_deref() == Some("InternalError")).count();
    assert_eq!(hit, 5, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| c.is_none()).count(), 19, "{codes:?}");
    let left = one.control("GET", "faults", Value::Null).await.json();
    assert_eq!(left["faults"][0]["count"], 0, "{left}");
    eprintln!("figures: runtime faults: 24 concurrent calls over 2 processes, count 5, {hit} hit");
}

#[tokio::test]
async fn probability_latency_and_checks() {
    let gw = Gateway::start_with_control(&instant_world(), on()).await;
    let half = json!({"dialect": "tencent", "action": "DescribeImages", "code": "InternalError", "probability": 0.5});
    assert_eq!(gw.control("POST", "faults", half).await.status, 200);
    let mut hits = 0;
    for _ in 0..40 {
        hits += usize::from(gw.tc(TcSigning::Tc3, TC, "DescribeImages", json!({})).await.tc_code().is_some());
    }
    // Binomial(40, 0.5): outside 5..=35 once in about 10^5 runs.
    assert!((5..=35).contains(&hits), "{hits} of 40 at probability 0.5");
    gw.control("DELETE", "faults", Value::Null).await;

    // Latency alone: the call waits, then is served.
    let slow = json!({"dialect": "alibaba", "action": "DescribeSnapshots", "latency_ms": 400});
    assert_eq!(gw.control("POST", "faults", slow).await.status, 200);
    let started = std::time::Instant::now();
    let served = gw.call(ALI, "DescribeSnapshots", &[("RegionId", "cn-hangzhou")]).await;
    assert_eq!(served.status, 200, "{}", served.text);
    assert!(started.elapsed() >= std::time::Duration::from_millis(400), "{:?}", started.elapsed());

    for bad in [
        json!({"dialect": "tencent", "action": "CreateImage"}),
        json!({"dialect": "tencent", "action": "Nothing", "code": "InternalError"}),
        json!({"dialect": "tencent", "action": "CreateImage", "code": "InternalError", "probability": 2}),
        json!({"dialect": "tencent", "action": "CreateImage", "code": "InternalError", "when": "now"}),
    ] {
        let r = gw.control("POST", "faults", bad.clone()).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
    }
    // The field the last one made up is named, with the ones there are.
    let unknown =
        gw.control("POST", "faults", json!({"dialect": "tencent", "action": "CreateImage", "when": "now"}));
    let unknown = unknown.await;
    assert!(
        unknown.text.contains("unknown field `when`") && unknown.text.contains("`latency_ms`"),
        "{}",
        unknown.text
    );
    let json = [("content-type", "application/json")];
    let bad_json = gw.raw("POST", "/_emulator/faults", &json, b"{not json".to_vec()).await;
    assert_eq!(bad_json.status, 400);
}

#[tokio::test]
async fn reset_clears_the_faults_and_the_clock_and_requests_shows_what_was_served() {
    let gw = Gateway::start_with_control(&instant_world(), on()).await;
    let fault = json!({"dialect": "alibaba", "action": "DescribeSnapshots", "code": "InternalError"});
    assert_eq!(gw.control("POST", "faults", fault).await.status, 200);
    assert_eq!(gw.control("POST", "clock", json!({"advance": "2h"})).await.status, 200);
    let refused = gw.call(ALI, "DescribeSnapshots", &[("RegionId", "cn-hangzhou")]).await;
    assert_eq!((refused.status, refused.code()), (500, "InternalError".to_string()));
    gw.tc(TcSigning::Tc3, TC, "DescribeImages", json!({})).await;

    let served = gw.control("GET", "requests", Value::Null).await.json();
    let list = served["requests"].as_array().unwrap();
    assert_eq!(list[0]["dialect"], "tencent", "newest first: {served}");
    assert_eq!(list[0]["action"], "DescribeImages");
    assert_eq!(
        (list[1]["action"].clone(), list[1]["status"].clone()),
        (json!("DescribeSnapshots"), json!(500))
    );
    assert_eq!(list[1]["code"], "InternalError");
    assert!(list[1]["ms"].is_u64() && list[1]["time"].is_string());

    let reset = gw.control("POST", "reset", Value::Null).await.json();
    assert_eq!(
        (reset["clock"].clone(), reset["faults_removed"].clone()),
        (json!("real"), json!(1)),
        "{reset}"
    );
    assert_eq!(gw.control("GET", "clock", Value::Null).await.json()["offset_ms"], 0);
    assert_eq!(gw.call(ALI, "DescribeSnapshots", &[("RegionId", "cn-hangzhou")]).await.status, 200);
}
