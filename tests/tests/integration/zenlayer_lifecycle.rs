//! Zenlayer ZEC's deletes and modifications through the wire, in both API versions: one snapshot
//! seen alike through 2024-04-01 and 2025-09-01, the codes of each page, the batches that delete
//! what they may and list the rest, names and quotas given back, and concurrent deletes that
//! leave the table consistent.

use integration_tests::*;
use serde_json::{json, Value};
use std::sync::Arc;

const V2024: &str = "2024-04-01";
const V2025: &str = "2025-09-01";

fn code(r: &Reply) -> String {
    r.zl_code().unwrap_or_else(|| format!("(success) {}", r.text))
}

/// A world whose snapshots and images take `seconds` to be made, with an image that an instance
/// runs (`zl-img-used`, run by `zl-ins-running`).
fn world(seconds: u64) -> String {
    reference_with(|w| {
        w["settings"]["timings"] = json!({"snapshot_seconds": seconds, "image_seconds": seconds});
        w["images"].as_array_mut().unwrap().push(
            json!({"id": "zl-img-used", "account": "acct-zl", "region": "asia-east-1", "name": "in-use"}),
        );
        let instances = w["instances"].as_array_mut().unwrap();
        let running = instances.iter_mut().find(|i| i["id"] == "zl-ins-running").unwrap();
        running["image"] = json!("zl-img-used");
        w["disks"].as_array_mut().unwrap().push(json!({"id": "zl-disk-creating", "account": "acct-zl",
            "region": "asia-east-1", "zone": "asia-east-1a", "type": "data", "size_gb": 20, "status": "creating"}));
    })
}

async fn call(gw: &Gateway, version: &str, action: &str, params: Value) -> Reply {
    gw.zl_as(ZL, "zec", version, action, params).await
}

async fn ok(gw: &Gateway, version: &str, action: &str, params: Value) -> Value {
    let r = call(gw, version, action, params.clone()).await;
    assert_eq!(r.status, 200, "{action} {params}: {}", r.text);
    r.json()["response"].clone()
}

/// The snapshot as DescribeSnapshots shows it in `version`, if it is listed.
async fn snapshot(gw: &Gateway, version: &str, id: &str) -> Option<Value> {
    let out = ok(gw, version, "DescribeSnapshots", json!({"snapshotIds": [id]})).await;
    out["dataSet"].as_array().unwrap().first().cloned()
}

async fn image(gw: &Gateway, id: &str) -> Option<Value> {
    let out = ok(gw, V2025, "DescribeCustomImages", json!({"imageIds": [id]})).await;
    out["dataSet"].as_array().unwrap().first().cloned()
}

async fn new_snapshot(gw: &Gateway, version: &str, disk: &str, name: &str) -> String {
    let out = ok(gw, version, "CreateSnapshot", json!({"diskId": disk, "snapshotName": name})).await;
    out["snapshotId"].as_str().unwrap().to_string()
}

async fn wait_status(gw: &Gateway, id: &str, want: &str) -> Value {
    let done = |s: &Option<Value>| s.as_ref().is_some_and(|s| s["status"] == want);
    gw.poll(|| snapshot(gw, V2025, id), done, &format!("snapshot {id} {want}")).await.unwrap()
}

/// Until the image is AVAILABLE.
async fn wait_available(gw: &Gateway, id: &str) {
    let done = |i: &Option<Value>| i.as_ref().is_some_and(|i| i["imageStatus"] == "AVAILABLE");
    gw.poll(|| image(gw, id), done, &format!("image {id} AVAILABLE")).await;
}

fn later(hours: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(hours)).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[tokio::test]
async fn one_snapshot_through_both_versions() {
    let gw = Gateway::start(&world(1)).await;
    // Made through 2024-04-01, read, renamed and deleted through 2025-09-01.
    let old = new_snapshot(&gw, V2024, "zl-ins-stopped-sys", "made-in-2024").await;
    let seen_2025 = wait_status(&gw, &old, "AVAILABLE").await;
    let seen_2024 = snapshot(&gw, V2024, &old).await.unwrap();
    assert_eq!(seen_2024, seen_2025, "one snapshot, one shape");
    for field in ["snapshotType", "status", "resourceGroup", "retentionTime", "zoneId", "diskAbility"] {
        assert!(seen_2024.get(field).is_some(), "2024-04-01 shows {field}: {seen_2024}");
    }
    assert_eq!(seen_2024["resourceGroup"]["resourceGroupId"], "rg-default");
    assert_eq!(seen_2024["retentionTime"], Value::Null, "kept for ever");
    ok(&gw, V2025, "ModifySnapshotsAttribute", json!({"snapshotIds": [old], "snapshotName": "renamed"}))
        .await;
    assert_eq!(snapshot(&gw, V2024, &old).await.unwrap()["snapshotName"], "renamed");
    let gone = ok(&gw, V2025, "DeleteSnapshots", json!({"snapshotIds": [old]})).await;
    assert_eq!(gone["snapshotIds"], json!([]), "nothing failed");
    assert!(snapshot(&gw, V2024, &old).await.is_none() && snapshot(&gw, V2025, &old).await.is_none());

    // And the reverse, with Terraform's lifetime changes through 2024-04-01.
    let new = new_snapshot(&gw, V2025, "zl-ins-stopped-sys", "made-in-2025").await;
    wait_status(&gw, &new, "AVAILABLE").await;
    let until = later(48);
    ok(
        &gw,
        V2024,
        "ModifySnapshotsAttribute",
        json!({"snapshotIds": [new], "snapshotName": "x1", "retentionTime": until}),
    )
    .await;
    assert_eq!(snapshot(&gw, V2025, &new).await.unwrap()["retentionTime"], until.as_str());
    ok(
        &gw,
        V2024,
        "ModifySnapshotsAttribute",
        json!({"snapshotIds": [new], "snapshotName": "x1", "isPermanent": true}),
    )
    .await;
    assert_eq!(snapshot(&gw, V2025, &new).await.unwrap()["retentionTime"], Value::Null);
    ok(&gw, V2024, "DeleteSnapshots", json!({"snapshotIds": [new]})).await;
    assert!(snapshot(&gw, V2025, &new).await.is_none());
    // The disk's snapshot quota is whole again: as many snapshots as before can be made.
    let again = new_snapshot(&gw, V2024, "zl-ins-stopped-sys", "again").await;
    wait_status(&gw, &again, "AVAILABLE").await;
    gw.assert_consistent().await;
}

#[tokio::test]
async fn versions_have_their_own_actions() {
    let gw = Gateway::start(&world(1)).await;
    for action in
        ["CreateImage", "DeleteImages", "ModifyImagesAttributes", "DescribeCustomImages", "DescribeFoo"]
    {
        let r = call(&gw, V2024, action, json!({})).await;
        assert_eq!((r.status, code(&r)), (404, "INVALID_ACTION_NOT_FOUND".to_string()), "{action}");
    }
    let r = call(&gw, "2023-01-01", "DescribeSnapshots", json!({})).await;
    assert_eq!((r.status, code(&r)), (400, "INVALID_VERSION_NOT_SUPPORTED".to_string()));
    // DescribeImages in 2024-04-01: that version's ten fields and filters.
    let made =
        ok(&gw, V2025, "CreateImage", json!({"instanceId": "zl-ins-stopped", "imageName": "for-2024"})).await;
    let listed = ok(&gw, V2024, "DescribeImages", json!({"imageIds": [made["imageId"]]})).await;
    let item = listed["dataSet"][0].as_object().unwrap().clone();
    let mut fields: Vec<&str> = item.keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "category",
            "imageDescription",
            "imageId",
            "imageName",
            "imageSize",
            "imageStatus",
            "imageType",
            "imageVersion",
            "nicNetworkType",
            "osType"
        ]
    );
    let r = call(&gw, V2024, "DescribeImages", json!({"tagKeys": ["k"]})).await;
    assert_eq!((r.status, code(&r)), (400, "INVALID_PARAMETER".to_string()), "2024-04-01 has no tag filter");
}

#[tokio::test]
async fn every_snapshot_code_through_the_wire() {
    let gw = Gateway::start(&world(30)).await;
    let making = new_snapshot(&gw, V2025, "zl-ins-stopped-sys", "making").await;
    let hundred_one: Vec<String> = (0..101).map(|i| format!("s{i}")).collect();
    let rows: Vec<(u16, &str, &str, Value)> = vec![
        (404, "INVALID_DISK_SNAPSHOT_NOT_FOUND", "DeleteSnapshots", json!({"snapshotIds": ["zl-nope"]})),
        (
            404,
            "INVALID_DISK_SNAPSHOT_NOT_FOUND",
            "DeleteSnapshots",
            json!({"snapshotIds": [making, "zl-nope"]}),
        ),
        (400, "OPERATION_DENIED_DISK_SNAPSHOT_STATUS", "DeleteSnapshots", json!({"snapshotIds": [making]})),
        (400, "MISSING_PARAMETER", "DeleteSnapshots", json!({})),
        (400, "INVALID_PARAMETER", "DeleteSnapshots", json!({"snapshotIds": hundred_one})),
        (
            404,
            "INVALID_DISK_SNAPSHOT_NOT_FOUND",
            "ModifySnapshotsAttribute",
            json!({"snapshotIds": ["zl-nope"], "snapshotName": "ab"}),
        ),
        (
            400,
            "OPERATION_DENIED_DISK_SNAPSHOT_STATUS",
            "ModifySnapshotsAttribute",
            json!({"snapshotIds": [making], "snapshotName": "ab"}),
        ),
        (
            400,
            "INVALID_SNAPSHOT_RETENTION_TIME",
            "ModifySnapshotsAttribute",
            json!({"snapshotIds": [making], "retentionTime": later(2)}),
        ),
        (
            400,
            "INVALID_SNAPSHOT_RETENTION_TIME",
            "ModifySnapshotsAttribute",
            json!({"snapshotIds": [making], "retentionTime": "tomorrow"}),
        ),
        (
            400,
            "INVALID_PARAMETER",
            "ModifySnapshotsAttribute",
            json!({"snapshotIds": [making], "retentionTime": later(48), "isPermanent": true}),
        ),
        (
            400,
            "INVALID_PARAMETER",
            "ModifySnapshotsAttribute",
            json!({"snapshotIds": [making], "isPermanent": false}),
        ),
        (400, "MISSING_PARAMETER", "ModifySnapshotsAttribute", json!({"snapshotIds": [making]})),
        (
            400,
            "INVALID_PARAMETER",
            "ModifySnapshotsAttribute",
            json!({"snapshotIds": [making], "snapshotName": "ab-"}),
        ),
        (
            400,
            "INVALID_SNAPSHOT_RETENTION_TIME",
            "CreateSnapshot",
            json!({"diskId": "zl-ins-running-sys", "snapshotName": "ab", "retentionTime": later(1)}),
        ),
        // "The disk must be IN_USE or AVAILABLE" (ZEC API, CreateSnapshot).
        (
            400,
            "UNSUPPORTED_OPERATION_DISK_STATUS",
            "CreateSnapshot",
            json!({"diskId": "zl-disk-creating", "snapshotName": "ab"}),
        ),
    ];
    for version in [V2024, V2025] {
        for (status, expected, action, params) in &rows {
            let r = call(&gw, version, action, params.clone()).await;
            assert_eq!((r.status, code(&r)), (*status, expected.to_string()), "{version} {action} {params}");
            assert!(r.json()["requestId"].is_string() && r.json()["message"].is_string(), "{}", r.text);
        }
    }
    // Another account's snapshot is not found, whatever the version.
    let r = gw.zl_as(ZL_OTHER, "zec", V2024, "DeleteSnapshots", json!({"snapshotIds": [making]})).await;
    assert_eq!((r.status, code(&r)), (404, "INVALID_DISK_SNAPSHOT_NOT_FOUND".to_string()));
    assert_eq!(snapshot(&gw, V2025, &making).await.unwrap()["status"], "CREATING", "nothing was touched");
    gw.assert_consistent().await;
}

#[tokio::test]
async fn a_batch_deletes_what_it_may_and_lists_the_rest() {
    let gw = Gateway::start(&world(1)).await;
    let ready = new_snapshot(&gw, V2025, "zl-ins-running-sys", "ready").await;
    wait_status(&gw, &ready, "AVAILABLE").await;
    // An image of the stopped instance is made of a new snapshot of its system disk.
    let made =
        ok(&gw, V2025, "CreateImage", json!({"instanceId": "zl-ins-stopped", "imageName": "backed"})).await;
    let image_id = made["imageId"].as_str().unwrap().to_string();
    let listed = ok(&gw, V2025, "DescribeSnapshots", json!({"diskIds": ["zl-ins-stopped-sys"]})).await;
    let backing =
        listed["dataSet"][0]["snapshotId"].as_str().expect("the image's snapshot is listed").to_string();
    wait_status(&gw, &backing, "AVAILABLE").await;
    let out = ok(&gw, V2024, "DeleteSnapshots", json!({"snapshotIds": [backing, ready, ready]})).await;
    assert_eq!(out["snapshotIds"], json!([backing]), "the image's snapshot stays");
    assert!(snapshot(&gw, V2025, &ready).await.is_none());
    assert!(snapshot(&gw, V2025, &backing).await.is_some());
    // Alone, it is refused with the reason.
    let r = call(&gw, V2025, "DeleteSnapshots", json!({"snapshotIds": [backing]})).await;
    assert_eq!((r.status, code(&r)), (400, "OPERATION_DENIED_DISK_SNAPSHOT_STATUS".to_string()));

    // Images: one being created and one instances run are kept; an available one goes.
    wait_available(&gw, &image_id).await;
    let out = ok(&gw, V2025, "DeleteImages", json!({"imageIds": ["zl-img-used", image_id]})).await;
    assert_eq!(out["imageIds"], json!(["zl-img-used"]));
    assert!(image(&gw, &image_id).await.is_none() && image(&gw, "zl-img-used").await.is_some());
    // Its snapshot is an ordinary snapshot now, and may go.
    let out = ok(&gw, V2025, "DeleteSnapshots", json!({"snapshotIds": [backing]})).await;
    assert_eq!(out["snapshotIds"], json!([]));
    gw.assert_consistent().await;
}

#[tokio::test]
async fn every_image_code_through_the_wire() {
    let gw = Gateway::start(&world(30)).await;
    let made =
        ok(&gw, V2025, "CreateImage", json!({"instanceId": "zl-ins-stopped", "imageName": "creating"})).await;
    let creating = made["imageId"].as_str().unwrap().to_string();
    let rows: Vec<(u16, &str, &str, Value)> = vec![
        (404, "INVALID_IMAGE_NOT_FOUND", "DeleteImages", json!({"imageIds": ["zl-nope"]})),
        (404, "INVALID_IMAGE_NOT_FOUND", "DeleteImages", json!({"imageIds": ["zl-img-quota"]})),
        (400, "INVALID_IMAGE_STATUS", "DeleteImages", json!({"imageIds": [creating]})),
        (400, "INVALID_IMAGE_STATUS", "DeleteImages", json!({"imageIds": ["zl-img-used"]})),
        (400, "MISSING_PARAMETER", "DeleteImages", json!({"imageIds": []})),
        (
            404,
            "INVALID_IMAGE_NOT_FOUND",
            "ModifyImagesAttributes",
            json!({"imageIds": ["zl-nope"], "imageName": "ab"}),
        ),
        (
            400,
            "INVALID_IMAGE_STATUS",
            "ModifyImagesAttributes",
            json!({"imageIds": [creating], "imageName": "ab"}),
        ),
        (
            400,
            "INVALID_PARAMETER",
            "ModifyImagesAttributes",
            json!({"imageIds": ["zl-img-used"], "imageName": "ab-"}),
        ),
        (400, "MISSING_PARAMETER", "ModifyImagesAttributes", json!({"imageIds": ["zl-img-used"]})),
        (
            400,
            "INVALID_IMAGE_NAME_DUPLICATE",
            "ModifyImagesAttributes",
            json!({"imageIds": ["zl-img-used"], "imageName": "creating"}),
        ),
        (
            400,
            "INVALID_IMAGE_NAME_DUPLICATE",
            "ModifyImagesAttributes",
            json!({"imageIds": ["zl-img-used", creating], "imageName": "one-name"}),
        ),
    ];
    for (status, expected, action, params) in rows {
        let r = call(&gw, V2025, action, params.clone()).await;
        assert_eq!((r.status, code(&r)), (status, expected.to_string()), "{action} {params}");
    }
    assert_eq!(image(&gw, "zl-img-used").await.unwrap()["imageName"], "in-use", "nothing was renamed");
    gw.assert_consistent().await;
}

#[tokio::test]
async fn names_and_quotas_come_back() {
    let gw = Gateway::start_with_control(&world(1), Some(service::control::Control::default())).await;
    let images_in_state = || async {
        let state =
            gw.raw("GET", "/_emulator/state?account=acct-zl-quota&kind=images", &[], vec![]).await.json();
        let list = state["accounts"][0]["images"].as_array().unwrap().clone();
        list.iter().map(|i| i["id"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(images_in_state().await, ["zl-img-quota"]);
    // The quota account is at its one image: deleting it frees the unit.
    let full =
        gw.zl(ZL_QUOTA, "CreateImage", json!({"instanceId": "zl-ins-quota", "imageName": "next"})).await;
    assert_eq!(code(&full), "INVALID_IMAGE_QUOTA_EXCEED");
    let r = gw.zl(ZL_QUOTA, "DeleteImages", json!({"imageIds": ["zl-img-quota"]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(images_in_state().await.is_empty(), "gone from the control plane's state");
    let made = gw
        .zl(ZL_QUOTA, "CreateImage", json!({"instanceId": "zl-ins-quota", "imageName": "quota-filler"}))
        .await;
    assert_eq!(made.status, 200, "the unit and the name are back: {}", made.text);
    // A rename frees the old name and takes the new one.
    ok(&gw, V2025, "ModifyImagesAttributes", json!({"imageIds": ["zl-img-used"], "imageName": "renamed.1"}))
        .await;
    assert_eq!(image(&gw, "zl-img-used").await.unwrap()["imageName"], "renamed.1");
    ok(&gw, V2025, "ModifyImagesAttributes", json!({"imageIds": ["zl-img-used"], "imageName": "renamed.1"}))
        .await;
    let reuse =
        ok(&gw, V2025, "CreateImage", json!({"instanceId": "zl-ins-stopped", "imageName": "in-use"})).await;
    assert!(reuse["imageId"].is_string());
    gw.assert_consistent().await;
}

#[tokio::test]
async fn concurrent_deletes_across_versions_stay_consistent() {
    let gw = Arc::new(Gateway::start(&world(1)).await);
    let mut ids = Vec::new();
    for i in 0..3 {
        let id = new_snapshot(&gw, V2025, "zl-ins-running-sys", &format!("race-{i}")).await;
        wait_status(&gw, &id, "AVAILABLE").await;
        ids.push(id);
    }
    let calls: Vec<_> = (0..8)
        .map(|i| {
            let (gw, ids) = (gw.clone(), ids.clone());
            let version = if i % 2 == 0 { V2024 } else { V2025 };
            tokio::spawn(
                async move { call(&gw, version, "DeleteSnapshots", json!({"snapshotIds": ids})).await },
            )
        })
        .collect();
    let mut statuses = Vec::new();
    for c in calls {
        let r = c.await.unwrap();
        // The first deletes; the others find them gone (not found) or gone meanwhile (nothing
        // failed either way).
        assert!(r.status == 404 || r.json()["response"]["snapshotIds"] == json!([]), "{}", r.text);
        statuses.push(r.status);
    }
    assert!(statuses.contains(&200), "{statuses:?}");
    for id in &ids {
        assert!(snapshot(&gw, V2025, id).await.is_none());
    }
    let made =
        ok(&gw, V2025, "CreateImage", json!({"instanceId": "zl-ins-stopped", "imageName": "raced"})).await;
    let image_id = made["imageId"].as_str().unwrap().to_string();
    wait_available(&gw, &image_id).await;
    let count = gw.store.image_count("acct-zl", "asia-east-1").await.unwrap();
    let calls: Vec<_> = (0..6)
        .map(|i| {
            let (gw, id) = (gw.clone(), image_id.clone());
            tokio::spawn(async move {
                if i % 2 == 0 {
                    call(&gw, V2025, "DeleteImages", json!({"imageIds": [id]})).await
                } else {
                    let name = format!("r{i}");
                    call(&gw, V2025, "ModifyImagesAttributes", json!({"imageIds": [id], "imageName": name}))
                        .await
                }
            })
        })
        .collect();
    for c in calls {
        let r = c.await.unwrap();
        assert!(r.status == 200 || code(&r) == "INVALID_IMAGE_NOT_FOUND", "{}", r.text);
    }
    assert!(image(&gw, &image_id).await.is_none());
    assert_eq!(
        gw.store.image_count("acct-zl", "asia-east-1").await.unwrap() + 1,
        count,
        "one unit back, once"
    );
    gw.assert_consistent().await;
}

/// ZRM ModifyResourceTags and User AddResourceResourceGroup on an image and a snapshot, as
/// Terraform's image resource sends them, read back through DescribeCustomImages and
/// DescribeSnapshots; every code of theirs.
#[tokio::test]
async fn tags_and_groups_on_existing_resources() {
    let gw = Gateway::start(&world(1)).await;
    let tags = |params: Value| gw.zl_as(ZL, "zrm", "2025-10-14", "ModifyResourceTags", params);
    let r = tags(json!({"resourceUuid": "zl-img-used", "replaceTags": [{"key": "env", "value": "a"}, {"key": "team", "value": "x"}]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = tags(json!({"resourceUuid": "zl-img-used", "replaceTags": [{"key": "env", "value": "b"}], "deleteTagKeys": ["team"]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        image(&gw, "zl-img-used").await.unwrap()["tags"],
        json!({"tags": [{"key": "env", "value": "b"}]})
    );
    let filtered =
        ok(&gw, V2025, "DescribeCustomImages", json!({"tags": [{"key": "env", "value": "b"}]})).await;
    assert_eq!(filtered["totalCount"], 1);

    let group = |params: Value| gw.zl_as(ZL, "user", "2024-05-29", "AddResourceResourceGroup", params);
    let snap = new_snapshot(&gw, V2024, "zl-ins-running-sys", "grouped").await;
    let r = group(json!({"resourceGroupId": "rg-images", "resources": ["zl-img-used", snap]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let seen = image(&gw, "zl-img-used").await.unwrap();
    assert_eq!(
        (&seen["resourceGroupId"], &seen["resourceGroupName"]),
        (&json!("rg-images"), &json!("Images"))
    );
    assert_eq!(snapshot(&gw, V2024, &snap).await.unwrap()["resourceGroup"]["resourceGroupId"], "rg-images");

    let rows: Vec<(u16, &str, Reply)> = vec![
        (404, "INVALID_RESOURCE_NOT_FOUND", tags(json!({"resourceUuid": "zl-nope", "replaceTags": []})).await),
        (404, "INVALID_RESOURCE_NOT_FOUND", tags(json!({"resourceUuid": "zl-img-quota"})).await),
        (404, "INVALID_RESOURCE_CAN_NOT_BOUND", tags(json!({"resourceUuid": "zl-ins-stopped"})).await),
        (400, "MISSING_PARAMETER", tags(json!({"replaceTags": []})).await),
        (
            400,
            "INVALID_PARAMETER",
            tags(json!({"resourceUuid": "zl-img-used", "replaceTags": [{"key": "a", "value": "1"}], "deleteTagKeys": ["a"]}))
                .await,
        ),
        (
            404,
            "OPERATION_FAILED_RESOURCE_GROUP_NOT_FOUND",
            group(json!({"resourceGroupId": "rg-nope", "resources": ["zl-img-used"]})).await,
        ),
        (
            404,
            "OPERATION_FAILED_RESOURCE_NOT_FOUND",
            group(json!({"resourceGroupId": "rg-default", "resources": ["zl-img-used", "zl-nope"]})).await,
        ),
        (400, "MISSING_PARAMETER", group(json!({"resourceGroupId": "rg-default"})).await),
        // Each service has its own version and actions.
        (404, "INVALID_ACTION_NOT_FOUND", gw.zl_as(ZL, "zrm", "2025-10-14", "DeleteImages", json!({})).await),
        (400, "INVALID_VERSION_NOT_SUPPORTED", gw.zl_as(ZL, "user", "2025-09-01", "AddResourceResourceGroup", json!({})).await),
        (404, "INVALID_ACTION_NOT_FOUND", call(&gw, V2025, "ModifyResourceTags", json!({})).await),
    ];
    for (status, expected, r) in rows {
        assert_eq!((r.status, code(&r)), (status, expected.to_string()), "{}", r.text);
    }
    let many: Vec<Value> = (0..51).map(|i| json!({"key": format!("k{i}"), "value": "v"})).collect();
    let r = tags(json!({"resourceUuid": "zl-img-used", "replaceTags": many})).await;
    assert_eq!((r.status, code(&r)), (400, "INVALID_PARAMETER_EXCEED_MAXIMUM".to_string()));
    assert_eq!(image(&gw, "zl-img-used").await.unwrap()["resourceGroupId"], "rg-images", "nothing moved");
    gw.assert_consistent().await;
}
