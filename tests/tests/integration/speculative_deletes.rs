//! A delete served from what the process remembers, in one round trip, in every dialect; and
//! answered as it would be on fresh reads whatever another process changed meanwhile: an image
//! made of the snapshot, an image renamed, a snapshot deleted, an image deleted that kept a
//! snapshot. Changes are made by a second gateway on the same table, whose memory is its own.

use integration_tests::*;
use serde_json::{json, Value};

/// The reference world with snapshots and images made at once (`snapshot_seconds` otherwise).
fn world(snapshot_seconds: u64) -> String {
    reference_with(|w| {
        w["settings"]["timings"] = json!({"snapshot_seconds": snapshot_seconds, "image_seconds": 0});
        // A rate limit's counter is not written by a speculation: rate-limited calls read first.
        w["settings"]["rate_limits"] = json!({});
    })
}

/// Round trips of one call, and its answer.
async fn counted<F: std::future::Future<Output = Reply>>(gw: &Gateway, call: F) -> (u64, Reply) {
    let before = gw.store.round_trips();
    let reply = call.await;
    (gw.store.round_trips() - before, reply)
}

const HANGZHOU: (&str, &str) = ("RegionId", "cn-hangzhou");

async fn ali_snapshot(gw: &Gateway, disk: &str) -> String {
    gw.call(ALI, "CreateSnapshot", &[("DiskId", disk)]).await.field("SnapshotId")
}

async fn ali_image(gw: &Gateway, snapshot: &str, name: &str) -> String {
    let r = gw.call(ALI, "CreateImage", &[HANGZHOU, ("SnapshotId", snapshot), ("ImageName", name)]).await;
    r.field("ImageId")
}

async fn tc_ok(gw: &Gateway, action: &str, params: Value) -> Value {
    let r = gw.tc(TcSigning::Tc3, TC, action, params).await;
    assert_eq!(r.tc_code(), None, "{action}: {}", r.text);
    r.tc_response()
}

async fn zl_ok(gw: &Gateway, action: &str, params: Value) -> Value {
    let r = gw.zl(ZL, action, params).await;
    assert_eq!(r.status, 200, "{action}: {}", r.text);
    r.json()["response"].clone()
}

fn id(v: &Value, field: &str) -> String {
    v[field].as_str().unwrap_or_else(|| panic!("{field} in {v}")).to_string()
}

#[tokio::test]
async fn every_delete_is_one_round_trip() {
    let gw = Gateway::start_speculating(&world(0), None).await;

    // Alibaba: a snapshot, then an image and the snapshot it is made from.
    ali_snapshot(&gw, "d-ali-stopped-sys").await;
    let snapshot = ali_snapshot(&gw, "d-ali-stopped-sys").await;
    let image = ali_image(&gw, &snapshot, "deleted-in-one").await;
    let (trips, r) = counted(&gw, gw.call(ALI, "DeleteImage", &[HANGZHOU, ("ImageId", &image)])).await;
    assert_eq!((r.status, trips), (200, 1), "Alibaba DeleteImage: {}", r.text);
    assert!(gw.store.image(&image).await.unwrap().is_none());
    let (trips, r) = counted(&gw, gw.call(ALI, "DeleteSnapshot", &[("SnapshotId", &snapshot)])).await;
    assert_eq!((r.status, trips), (200, 1), "Alibaba DeleteSnapshot of the image's snapshot: {}", r.text);
    assert!(gw.store.snapshot(&snapshot).await.unwrap().is_none());
    // The name is free again.
    let again = ali_snapshot(&gw, "d-ali-stopped-sys").await;
    ali_image(&gw, &again, "deleted-in-one").await;

    // Tencent: CBS DeleteSnapshots and CVM DeleteImages of one resource each.
    let made = tc_ok(&gw, "CreateSnapshot", json!({"DiskId": "disk-tc-stopped-data"})).await;
    let snapshot = id(&made, "SnapshotId");
    let delete = json!({"SnapshotIds": [snapshot]});
    let (trips, r) = counted(&gw, gw.tc(TcSigning::Tc3, TC, "DeleteSnapshots", delete)).await;
    assert_eq!((r.tc_code(), trips), (None, 1), "Tencent DeleteSnapshots: {}", r.text);
    assert!(gw.store.snapshot(&snapshot).await.unwrap().is_none());
    let made =
        tc_ok(&gw, "CreateImage", json!({"SnapshotIds": ["snap-tc-sys"], "ImageName": "one-trip"})).await;
    let image = id(&made, "ImageId");
    let delete = json!({"ImageIds": [image]});
    let (trips, r) = counted(&gw, gw.tc(TcSigning::Tc3, TC, "DeleteImages", delete)).await;
    assert_eq!((r.tc_code(), trips), (None, 1), "Tencent DeleteImages: {}", r.text);
    assert!(gw.store.image(&image).await.unwrap().is_none());

    // Zenlayer: DeleteSnapshots, and DeleteImages of an image made of a new snapshot.
    let snapshot = id(
        &zl_ok(&gw, "CreateSnapshot", json!({"diskId": "zl-ins-running-sys", "snapshotName": "zl-one"}))
            .await,
        "snapshotId",
    );
    let delete = json!({"snapshotIds": [snapshot]});
    let (trips, r) = counted(&gw, gw.zl(ZL, "DeleteSnapshots", delete)).await;
    assert_eq!((r.status, trips), (200, 1), "Zenlayer DeleteSnapshots: {}", r.text);
    assert_eq!(r.json()["response"]["snapshotIds"], json!([]), "none kept");
    let made =
        zl_ok(&gw, "CreateImage", json!({"instanceId": "zl-ins-stopped", "imageName": "one-trip"})).await;
    let image = id(&made, "imageId");
    let (trips, r) = counted(&gw, gw.zl(ZL, "DeleteImages", json!({"imageIds": [image]}))).await;
    assert_eq!((r.status, trips), (200, 1), "Zenlayer DeleteImages: {}", r.text);
    assert!(gw.store.image(&image).await.unwrap().is_none());
    gw.assert_consistent().await;
}

#[tokio::test]
async fn a_snapshot_deleted_while_being_made_frees_its_disk() {
    let gw = Gateway::start_speculating(&world(3_600), None).await;
    let disk = [("DiskId", "d-ali-expired")];
    let first = ali_snapshot(&gw, "d-ali-expired").await;
    let busy = gw.call(ALI, "CreateSnapshot", &disk).await;
    assert_eq!(busy.code(), "IncorrectDiskStatus.CreatingSnapshot", "{}", busy.text);
    let (trips, r) = counted(&gw, gw.call(ALI, "DeleteSnapshot", &[("SnapshotId", &first)])).await;
    assert_eq!((r.status, trips), (200, 1), "{}", r.text);
    // Its lock went with it: the disk takes the next snapshot at once, from memory.
    let (trips, next) = counted(&gw, gw.call(ALI, "CreateSnapshot", &disk)).await;
    assert_eq!((next.status, trips), (200, 1), "{}", next.text);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn what_another_process_changed_is_seen_by_a_delete() {
    let gw = Gateway::start_speculating(&world(0), None).await;
    let other = gw.second_process(None).await;

    // An image made elsewhere of a snapshot this process remembers unused keeps it.
    ali_snapshot(&gw, "d-ali-stopped-sys").await;
    let used = ali_snapshot(&gw, "d-ali-stopped-sys").await;
    ali_image(&other, &used, "made-elsewhere").await;
    let r = gw.call(ALI, "DeleteSnapshot", &[("SnapshotId", &used)]).await;
    assert_eq!((r.status, r.code()), (403, "SnapshotCreatedImage".to_string()), "{}", r.text);
    assert!(gw.store.snapshot(&used).await.unwrap().is_some());

    // An image this process made, renamed elsewhere: its delete frees the name it has now.
    let image = ali_image(&gw, &used, "old-name").await;
    let rename = [HANGZHOU, ("ImageId", image.as_str()), ("ImageName", "new-name")];
    assert_eq!(other.call(ALI, "ModifyImageAttribute", &rename).await.status, 200);
    let (trips, r) = counted(&gw, gw.call(ALI, "DeleteImage", &[HANGZHOU, ("ImageId", &image)])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(trips > 1, "the renamed image was read again ({trips} round trips)");
    assert!(gw.store.image(&image).await.unwrap().is_none());
    ali_image(&gw, &used, "new-name").await;

    // A snapshot deleted elsewhere: ignored here, as the page says of one that does not exist;
    // not found in Zenlayer's batch.
    let gone = ali_snapshot(&gw, "d-ali-stopped-sys").await;
    assert_eq!(other.call(ALI, "DeleteSnapshot", &[("SnapshotId", &gone)]).await.status, 200);
    let r = gw.call(ALI, "DeleteSnapshot", &[("SnapshotId", &gone)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let gone = id(
        &zl_ok(&gw, "CreateSnapshot", json!({"diskId": "zl-ins-running-sys", "snapshotName": "zl-one"}))
            .await,
        "snapshotId",
    );
    zl_ok(&other, "DeleteSnapshots", json!({"snapshotIds": [gone]})).await;
    let r = gw.zl(ZL, "DeleteSnapshots", json!({"snapshotIds": [gone]})).await;
    assert_eq!(
        (r.status, r.zl_code()),
        (404, Some("INVALID_DISK_SNAPSHOT_NOT_FOUND".to_string())),
        "{}",
        r.text
    );
    gw.assert_consistent().await;
}

#[tokio::test]
async fn a_snapshot_remembered_in_use_is_deleted_once_its_image_went_elsewhere() {
    let gw = Gateway::start_speculating(&world(0), None).await;
    let other = gw.second_process(None).await;
    // An image of the stopped instance is made of a new snapshot of its system disk, which this
    // process then reads as in use.
    let made = zl_ok(&gw, "CreateImage", json!({"instanceId": "zl-ins-stopped", "imageName": "went"})).await;
    let image = id(&made, "imageId");
    let listed = zl_ok(&gw, "DescribeSnapshots", json!({"diskIds": ["zl-ins-stopped-sys"]})).await;
    let backing = id(&listed["dataSet"][0], "snapshotId");
    let seen = zl_ok(&gw, "DescribeSnapshots", json!({"snapshotIds": [backing]})).await;
    assert_eq!(seen["dataSet"].as_array().map(Vec::len), Some(1));
    zl_ok(&other, "DeleteImages", json!({"imageIds": [image]})).await;
    // Deleting it with another snapshot: both go, none is kept on the strength of an old copy.
    let plain = id(
        &zl_ok(&gw, "CreateSnapshot", json!({"diskId": "zl-ins-running-sys", "snapshotName": "zl-one"}))
            .await,
        "snapshotId",
    );
    let out = zl_ok(&gw, "DeleteSnapshots", json!({"snapshotIds": [backing, plain]})).await;
    assert_eq!(out["snapshotIds"], json!([]), "nothing kept");
    assert!(gw.store.snapshot(&backing).await.unwrap().is_none());
    assert!(gw.store.snapshot(&plain).await.unwrap().is_none());
    gw.assert_consistent().await;
}
