//! Zenlayer ZEC through the wire: every row of the CreateImage page, the parameter rules, the
//! states, resource groups and zones, snapshots, the Describe filters and the envelope.

use integration_tests::*;
use serde_json::{json, Value};
use std::sync::Arc;

fn code(r: &Reply) -> String {
    r.zl_code().unwrap_or_else(|| format!("(success) {}", r.text))
}

fn quick() -> String {
    reference_with(|w| w["settings"]["timings"] = json!({"snapshot_seconds": 1, "image_seconds": 1}))
}

#[tokio::test]
async fn every_documented_refusal_through_the_wire() {
    let gw = Gateway::start(&quick()).await;
    let on = |instance: &str| json!({"instanceId": instance, "imageName": "fresh-name"});
    let rows: Vec<(u16, &str, (&str, &str), Value)> = vec![
        (400, "INVALID_IMAGE_QUOTA_EXCEED", ZL_QUOTA, on("zl-ins-quota")),
        (404, "INVALID_INSTANCE_NOT_FOUND", ZL, on("zl-nope")),
        (404, "INVALID_INSTANCE_NOT_FOUND", ZL, on("zl-ins-other")),
        (400, "OPERATION_DENIED_GPU_INSTANCE_NOT_SUPPORT", ZL, on("zl-ins-gpu")),
        (400, "OPERATION_DENIED_INSTANCE_IN_OPERATION", ZL, on("zl-ins-busy")),
        (400, "OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT", ZL, on("zl-ins-running")),
        // The parameter rules the SDK model implies.
        (400, "MISSING_PARAMETER", ZL, json!({"imageName": "ab"})),
        (400, "MISSING_PARAMETER", ZL, json!({"instanceId": "zl-ins-stopped"})),
        (400, "INVALID_PARAMETER", ZL, json!({"instanceId": "zl-ins-stopped", "imageName": "a"})),
        (400, "INVALID_PARAMETER", ZL, json!({"instanceId": "zl-ins-stopped", "imageName": "-ab"})),
        (400, "INVALID_PARAMETER", ZL, json!({"instanceId": "zl-ins-stopped", "imageName": "a/b"})),
        (400, "INVALID_PARAMETER", ZL, json!({"instanceId": "zl-ins-stopped", "imageName": "a".repeat(64)})),
        (
            400,
            "INVALID_PARAMETER",
            ZL,
            json!({"instanceId": "zl-ins-stopped", "imageName": "ab",
                   "tags": {"tags": [{"key": "k", "value": "1"}, {"key": "k", "value": "2"}]}}),
        ),
        (
            404,
            "INVALID_RESOURCE_GROUP_NOT_FOUND",
            ZL,
            json!({"instanceId": "zl-ins-stopped", "imageName": "ab", "resourceGroupId": "rg-nope"}),
        ),
        (
            400,
            "INVALID_PARAMETER",
            ZL,
            json!({"instanceId": "zl-ins-stopped", "imageName": "ab", "bogus": 1}),
        ),
    ];
    for (status, expected, key, params) in rows {
        let r = gw.zl(key, "CreateImage", params.clone()).await;
        assert_eq!((r.status, code(&r)), (status, expected.to_string()), "{params}");
    }
    let listed = gw.zl(ZL, "DescribeImages", json!({})).await;
    assert_eq!(listed.json()["response"]["totalCount"], 0, "nothing was created: {}", listed.text);
}

async fn wait_for(gw: &Gateway, action: &str, params: Value, field: &str, state: &str) -> Value {
    let read = || async { gw.zl(ZL, action, params.clone()).await.json()["response"]["dataSet"][0].clone() };
    gw.poll(read, |item| item[field] == state, &format!("{params} {state}")).await
}

#[tokio::test]
async fn an_image_in_its_zone_and_resource_group() {
    let gw = Gateway::start(&quick()).await;
    let made = gw
        .zl(
            ZL,
            "CreateImage",
            json!({"instanceId": "zl-ins-stopped", "imageName": "golden.zl_1", "resourceGroupId": "rg-images",
                   "tags": {"tags": [{"key": "env", "value": "prod"}]}}),
        )
        .await;
    let id = made.zl_field("imageId");
    assert!(id.len() == 19 && id.chars().all(|c| c.is_ascii_digit()), "{id}");
    assert_eq!(made.zl_field("imageName"), "golden.zl_1");
    let first = gw.zl(ZL, "DescribeImages", json!({"imageIds": [id]})).await.json();
    assert_eq!(first["response"]["dataSet"][0]["imageStatus"], "CREATING");
    // One image of an instance at a time; names are unique.
    let again = gw.zl(ZL, "CreateImage", json!({"instanceId": "zl-ins-stopped", "imageName": "other"})).await;
    assert_eq!((again.status, code(&again)), (400, "OPERATION_DENIED_INSTANCE_IN_OPERATION".into()));
    let image = wait_for(&gw, "DescribeImages", json!({"imageIds": [id]}), "imageStatus", "AVAILABLE").await;
    assert_eq!(image["imageType"], "CUSTOM_IMAGE");
    assert_eq!(image["imageSize"], 40);
    assert_eq!(image["osType"], "linux");
    assert_eq!(image["tags"], json!({"tags": [{"key": "env", "value": "prod"}]}));
    let dup =
        gw.zl(ZL, "CreateImage", json!({"instanceId": "zl-ins-stopped", "imageName": "golden.zl_1"})).await;
    assert_eq!(code(&dup), "INVALID_IMAGE_NAME_DUPLICATE");

    // Listed in its instance's zone, not elsewhere; an unknown zone is refused.
    let in_zone = gw.zl(ZL, "DescribeImages", json!({"zoneId": "asia-east-1a"})).await.json();
    assert_eq!(in_zone["response"]["totalCount"], 1);
    let nowhere = gw.zl(ZL, "DescribeImages", json!({"zoneId": "asia-east-1z"})).await;
    assert_eq!((nowhere.status, code(&nowhere)), (404, "INVALID_ZONE_NOT_FOUND".into()));
    // Its resource group.
    let custom = gw.zl(ZL, "DescribeCustomImages", json!({"resourceGroupId": "rg-images"})).await.json();
    let c = &custom["response"]["dataSet"][0];
    assert_eq!((c["imageId"].as_str(), c["resourceGroupName"].as_str()), (Some(id.as_str()), Some("Images")));
    assert_eq!(c["regionIdList"], json!(["asia-east-1"]));
    let default = gw.zl(ZL, "DescribeCustomImages", json!({"resourceGroupId": "rg-default"})).await.json();
    assert_eq!(default["response"]["totalCount"], 0);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn describe_images_filters() {
    let gw = Gateway::start(&reference_with(|w| {
        w["settings"]["timings"] = json!({"snapshot_seconds": 0, "image_seconds": 60})
    }))
    .await;
    let id = gw
        .zl(
            ZL,
            "CreateImage",
            json!({"instanceId": "zl-ins-stopped", "imageName": "filtered",
            "tags": {"tags": [{"key": "team", "value": "a"}]}}),
        )
        .await
        .zl_field("imageId");
    let total = |params: Value| {
        let gw = &gw;
        async move {
            let r = gw.zl(ZL, "DescribeImages", params.clone()).await;
            assert_eq!(r.status, 200, "{params}: {}", r.text);
            r.json()["response"]["totalCount"].as_u64().unwrap()
        }
    };
    let rows: Vec<(Value, u64)> = vec![
        (json!({"imageIds": [id]}), 1),
        (json!({"imageIds": ["1"]}), 0),
        (json!({"imageName": "filtered"}), 1),
        (json!({"imageName": "other"}), 0),
        (json!({"imageType": "CUSTOM_IMAGE"}), 1),
        (json!({"imageType": "PUBLIC_IMAGE"}), 0),
        (json!({"imageSource": "CUSTOM"}), 1),
        (json!({"osType": "linux"}), 1),
        (json!({"osType": "windows"}), 0),
        (json!({"osType": "any"}), 1),
        (json!({"category": "Linux"}), 1),
        (json!({"imageStatus": "CREATING"}), 1),
        (json!({"imageStatus": "AVAILABLE"}), 0),
        (json!({"tagKeys": ["team"]}), 1),
        (json!({"tagKeys": ["nope"]}), 0),
        (json!({"tags": [{"key": "team", "value": "a"}]}), 1),
        (json!({"tags": [{"key": "team", "value": "b"}]}), 0),
        (json!({"pageNum": 2, "pageSize": 1}), 1),
    ];
    for (params, expected) in rows {
        assert_eq!(total(params.clone()).await, expected, "{params}");
    }
    let page_two = gw.zl(ZL, "DescribeImages", json!({"pageNum": 2, "pageSize": 1})).await.json();
    assert!(page_two["response"]["dataSet"].as_array().unwrap().is_empty());
    for bad in [
        json!({"imageType": "X"}),
        json!({"osType": "dos"}),
        json!({"imageStatus": "done"}),
        json!({"pageSize": 0}),
    ] {
        let r = gw.zl(ZL, "DescribeImages", bad.clone()).await;
        assert_eq!((r.status, code(&r)), (400, "INVALID_PARAMETER".into()), "{bad}");
    }
    let other = gw.zl(ZL_OTHER, "DescribeImages", json!({})).await.json();
    assert_eq!(other["response"]["totalCount"], 0);
}

#[tokio::test]
async fn snapshots_their_states_and_filters() {
    let gw = Gateway::start(&quick()).await;
    let later = (chrono::Utc::now() + chrono::Duration::hours(48)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let id = gw
        .zl(
            ZL,
            "CreateSnapshot",
            json!({"diskId": "zl-ins-running-sys", "snapshotName": "nightly.1", "retentionTime": later}),
        )
        .await
        .zl_field("snapshotId");
    assert!(id.len() == 19 && id.chars().all(|c| c.is_ascii_digit()), "{id}");
    let busy =
        gw.zl(ZL, "CreateSnapshot", json!({"diskId": "zl-ins-running-sys", "snapshotName": "again"})).await;
    assert_eq!((busy.status, code(&busy)), (400, "OPERATION_DENIED_DISK_SNAPSHOT_CREATING".into()));
    let s = wait_for(&gw, "DescribeSnapshots", json!({"snapshotIds": [id]}), "status", "AVAILABLE").await;
    assert_eq!(s["zoneId"], "asia-east-1a");
    assert_eq!(s["snapshotType"], "Manual");
    assert_eq!(s["retentionTime"], later.as_str());
    assert_eq!(s["diskId"], "zl-ins-running-sys");
    assert_eq!(s["resourceGroup"], json!({"resourceGroupId": "rg-default", "resourceGroupName": "Default"}));
    let soon = (chrono::Utc::now() + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let refused: Vec<(u16, &str, Value)> = vec![
        (404, "INVALID_DISK_NOT_FOUND", json!({"diskId": "zl-nope", "snapshotName": "ab"})),
        (404, "INVALID_DISK_NOT_FOUND", json!({"diskId": "zl-ins-other-sys", "snapshotName": "ab"})),
        (400, "MISSING_PARAMETER", json!({"snapshotName": "ab"})),
        (400, "INVALID_PARAMETER", json!({"diskId": "zl-ins-stopped-sys", "snapshotName": "ab-"})),
        (
            400,
            "INVALID_SNAPSHOT_RETENTION_TIME",
            json!({"diskId": "zl-ins-stopped-sys", "snapshotName": "ab", "retentionTime": soon}),
        ),
        (
            400,
            "INVALID_SNAPSHOT_RETENTION_TIME",
            json!({"diskId": "zl-ins-stopped-sys", "snapshotName": "ab", "retentionTime": "soon"}),
        ),
    ];
    for (status, expected, params) in refused {
        let r = gw.zl(ZL, "CreateSnapshot", params.clone()).await;
        assert_eq!((r.status, code(&r)), (status, expected.to_string()), "{params}");
    }
    let count = |params: Value| {
        let gw = &gw;
        async move {
            gw.zl(ZL, "DescribeSnapshots", params).await.json()["response"]["totalCount"].as_u64().unwrap()
        }
    };
    assert_eq!(count(json!({"diskIds": ["zl-ins-running-sys"]})).await, 1);
    assert_eq!(count(json!({"diskType": "SYSTEM"})).await, 1);
    assert_eq!(count(json!({"diskType": "DATA"})).await, 0);
    assert_eq!(count(json!({"snapshotType": "Auto"})).await, 0);
    assert_eq!(count(json!({"snapshotName": "nightly.1"})).await, 1);
    assert_eq!(count(json!({"zoneId": "asia-east-1a", "status": "AVAILABLE"})).await, 1);
    assert_eq!(count(json!({"resourceGroupId": "rg-images"})).await, 0);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn the_envelope_always_has_its_three_keys() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let json_headers = [
        ("content-type", "application/json"),
        ("x-zc-action", "DescribeImages"),
        ("x-zc-version", "2025-09-01"),
    ];
    let unsigned = gw.raw("POST", "/api/v2/zec", &json_headers, b"{}".to_vec()).await;
    assert_eq!((unsigned.status, code(&unsigned)), (401, "INVALID_AUTHORIZATION".into()));
    let wrong = gw.zl((ZL.0, "wrong"), "DescribeImages", json!({})).await;
    assert_eq!((wrong.status, code(&wrong)), (401, "SIGNATURE_MISMATCH".into()));
    let unknown = gw.zl(("ZLnobody", "x"), "DescribeImages", json!({})).await;
    assert_eq!((unknown.status, code(&unknown)), (401, "INVALID_ACCESS_KEY".into()));
    let tencent_key = gw.zl(TC, "DescribeImages", json!({})).await;
    assert_eq!((tencent_key.status, code(&tencent_key)), (401, "INVALID_ACCESS_KEY".into()));
    let action = gw.zl(ZL, "RebootTheCloud", json!({})).await;
    assert_eq!((action.status, code(&action)), (404, "INVALID_ACTION_NOT_FOUND".into()));
    let bad_json = gw.raw("POST", "/api/v2/zec", &json_headers, b"{nope".to_vec()).await;
    assert_eq!((bad_json.status, code(&bad_json)), (400, "INVALID_PARAMETER".into()));
    let big = gw.raw("POST", "/api/v2/zec", &json_headers, vec![b' '; 2 << 20]).await;
    assert_eq!((big.status, code(&big)), (413, "REQUEST_ENTITY_TOO_LARGE".into()));
    let ok = gw.zl(ZL, "DescribeImages", json!({})).await;
    assert_eq!((ok.status, ok.zl_code()), (200, None));
}

/// The reference world plus `n` stopped instances of acct-zl (`zl-many-<i>`, each with a system
/// disk), its image quota set to `quota`, timings 0.
fn many_instances(n: usize, quota: u32) -> String {
    reference_with(|w| {
        w["settings"]["timings"] = json!({"snapshot_seconds": 0, "image_seconds": 0});
        let acct = w["accounts"].as_array_mut().unwrap().iter_mut().find(|a| a["id"] == "acct-zl").unwrap();
        acct["quotas"] = json!({ "images_per_region": quota });
        for i in 0..n {
            w["instances"]
                .as_array_mut()
                .unwrap()
                .push(json!({"id": format!("zl-many-{i}"), "account": "acct-zl",
                "region": "asia-east-1", "zone": "asia-east-1a", "status": "stopped"}));
            w["disks"].as_array_mut().unwrap().push(json!({"id": format!("zl-many-{i}-sys"), "account": "acct-zl",
                "region": "asia-east-1", "zone": "asia-east-1a", "type": "system", "instance": format!("zl-many-{i}")}));
        }
    })
}

async fn burst(gw: &Arc<Gateway>, names: impl Fn(usize) -> String, n: usize) -> Vec<String> {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        let gw = gw.clone();
        let params = json!({"instanceId": format!("zl-many-{i}"), "imageName": names(i)});
        set.spawn(async move { code(&gw.zl(ZL, "CreateImage", params).await) });
    }
    set.join_all().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_calls_with_one_new_name_make_one_image() {
    let gw = Arc::new(Gateway::start(&many_instances(20, 20)).await);
    let codes = burst(&gw, |_| "only-once".to_string(), 20).await;
    let made = codes.iter().filter(|c| c.starts_with("(success)")).count();
    let duplicate = codes.iter().filter(|c| *c == "INVALID_IMAGE_NAME_DUPLICATE").count();
    let named =
        gw.store.account_images("acct-zl").await.unwrap().iter().filter(|i| i.name == "only-once").count();
    figures("zenlayer image name", 20, named, 1);
    assert_eq!((made, duplicate), (1, 19), "{codes:?}");
    gw.assert_consistent().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_times_the_quota_makes_exactly_the_quota() {
    let gw = Arc::new(Gateway::start(&many_instances(12, 4)).await);
    let codes = burst(&gw, |i| format!("n{i}"), 12).await;
    let made = codes.iter().filter(|c| c.starts_with("(success)")).count();
    let refused = codes.iter().filter(|c| *c == "INVALID_IMAGE_QUOTA_EXCEED").count();
    let images = gw.store.image_count("acct-zl", "asia-east-1").await.unwrap();
    figures("zenlayer image quota", 12, images as usize, 4);
    assert_eq!((made, refused), (4, 8), "{codes:?}");
    assert_eq!(gw.store.image_count("acct-zl", "asia-east-1").await.unwrap(), 4);
    gw.assert_consistent().await;
}
