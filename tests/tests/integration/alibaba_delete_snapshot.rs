//! Alibaba DeleteSnapshot by the rules of its page (ECS API reference, DeleteSnapshot): a snapshot
//! that does not exist is ignored, one being made is cancelled, one an image is made from is
//! refused with `SnapshotCreatedImage`; a deleted snapshot is gone from every read and gives its
//! disk's quota back, and the table keeps its invariants under concurrent deletes.

use integration_tests::*;
use serde_json::json;
use std::sync::Arc;

/// The reference world, a snapshot taking `seconds` to complete and images 30 s.
fn world(snapshot_seconds: u64) -> String {
    timed_world(snapshot_seconds, 30)
}

async fn delete(gw: &Gateway, key: (&str, &str), id: &str) -> Reply {
    gw.call(key, "DeleteSnapshot", &[("SnapshotId", id)]).await
}

async fn listed(gw: &Gateway, key: (&str, &str), id: &str) -> bool {
    let ids = format!("[\"{id}\"]");
    let r = gw.call(key, "DescribeSnapshots", &[("RegionId", "cn-hangzhou"), ("SnapshotIds", &ids)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["TotalCount"].as_u64().unwrap() == 1
}

#[tokio::test]
async fn a_deleted_snapshot_is_gone_and_gives_its_quota_back() {
    let gw = Gateway::start(&world(0)).await;
    // The disk is at its quota of two.
    let full = gw.call(ALI_QUOTA, "CreateSnapshot", &[("DiskId", "d-ali-quota-data")]).await;
    assert_eq!((full.status, full.code()), (403, "QuotaExceed.Snapshot".to_string()), "{}", full.text);

    let deleted = delete(&gw, ALI_QUOTA, "s-ali-quota-1").await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    let body = deleted.json();
    assert_eq!(body.as_object().map(|o| o.keys().collect::<Vec<_>>()), Some(vec![&"RequestId".to_string()]));
    assert!(!listed(&gw, ALI_QUOTA, "s-ali-quota-1").await);
    assert!(gw.store.snapshot("s-ali-quota-1").await.unwrap().is_none());

    let again = gw.call(ALI_QUOTA, "CreateSnapshot", &[("DiskId", "d-ali-quota-data")]).await;
    assert_eq!(again.status, 200, "the quota came back: {}", again.text);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn what_does_not_exist_for_the_caller_is_ignored() {
    let gw = Gateway::start(&world(0)).await;
    for id in ["s-nonexistent", "s-ali-quota-1"] {
        // s-ali-quota-1 is another account's: for this caller it does not exist.
        let r = delete(&gw, ALI, id).await;
        assert_eq!(r.status, 200, "{id}: {}", r.text);
    }
    assert!(gw.store.snapshot("s-ali-quota-1").await.unwrap().is_some(), "another account's is kept");
    // The old SDK names a region on every call: a snapshot in another region is not the one meant.
    let elsewhere = gw
        .call(ALI_QUOTA, "DeleteSnapshot", &[("SnapshotId", "s-ali-quota-1"), ("RegionId", "cn-beijing")])
        .await;
    assert_eq!(elsewhere.status, 200, "{}", elsewhere.text);
    assert!(gw.store.snapshot("s-ali-quota-1").await.unwrap().is_some());
    gw.assert_consistent().await;
}

#[tokio::test]
async fn a_snapshot_being_made_is_cancelled_and_frees_its_disk() {
    let gw = Gateway::start(&world(600)).await;
    let id = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-stopped-data")]).await.field("SnapshotId");
    let busy = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-stopped-data")]).await;
    assert_eq!(busy.code(), "IncorrectDiskStatus.CreatingSnapshot");

    let r = delete(&gw, ALI, &id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(!listed(&gw, ALI, &id).await);
    // The disk's lock went with it: a new snapshot starts at once.
    let next = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-stopped-data")]).await;
    assert_eq!(next.status, 200, "{}", next.text);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn a_snapshot_an_image_is_made_from_is_kept_until_the_image_goes() {
    let gw = Gateway::start(&world(0)).await;
    let made = gw.call(ALI, "CreateImage", &[("RegionId", "cn-hangzhou"), ("SnapshotId", "s-ali-sys")]).await;
    assert_eq!(made.status, 200, "{}", made.text);
    let r = delete(&gw, ALI, "s-ali-sys").await;
    assert_eq!((r.status, r.code()), (403, "SnapshotCreatedImage".to_string()), "{}", r.text);
    assert_eq!(r.json()["Message"], "The snapshot has been used to create user defined image(s).");
    // Force is about disks made from the snapshot, not images.
    let forced = gw.call(ALI, "DeleteSnapshot", &[("SnapshotId", "s-ali-sys"), ("Force", "true")]).await;
    assert_eq!(forced.code(), "SnapshotCreatedImage");
    assert!(listed(&gw, ALI, "s-ali-sys").await);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn bad_requests_are_refused_in_the_envelope() {
    let gw = Gateway::start(&world(0)).await;
    let missing = gw.call(ALI, "DeleteSnapshot", &[]).await;
    assert_eq!((missing.status, missing.code()), (400, "MissingParameter".to_string()), "{}", missing.text);
    let unknown = gw.call(ALI, "DeleteSnapshot", &[("SnapshotId", "s-ali-sys"), ("DiskId", "d")]).await;
    assert_eq!(unknown.status, 400, "{}", unknown.text);
    let not_bool = gw.call(ALI, "DeleteSnapshot", &[("SnapshotId", "s-ali-sys"), ("Force", "maybe")]).await;
    assert_eq!(
        (not_bool.status, not_bool.code()),
        (400, "InvalidParameter".to_string()),
        "{}",
        not_bool.text
    );
    assert!(listed(&gw, ALI, "s-ali-sys").await, "nothing was deleted");
}

#[tokio::test]
async fn concurrent_deletes_give_the_quota_back_once() {
    let gw = Arc::new(Gateway::start(&world(0)).await);
    let calls = (0..10).map(|_| {
        let gw = gw.clone();
        tokio::spawn(async move { delete(&gw, ALI_QUOTA, "s-ali-quota-2").await })
    });
    for call in calls {
        let r = call.await.unwrap();
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let disk = gw.store.disk("d-ali-quota-data").await.unwrap().unwrap();
    assert_eq!(disk.snapshot_count, 1, "one unit back, not ten");
    gw.assert_consistent().await;
}

#[tokio::test]
async fn an_image_made_while_its_snapshot_is_deleted_never_loses_it() {
    // Either the image is made and the snapshot kept (the delete refused), or the snapshot is
    // gone and the image refused: never an image whose snapshot is gone.
    for _ in 0..5 {
        let gw = Arc::new(Gateway::start(&world(0)).await);
        let (image, deleted) = tokio::join!(
            gw.call(ALI, "CreateImage", &[("RegionId", "cn-hangzhou"), ("SnapshotId", "s-ali-sys")]),
            delete(&gw, ALI, "s-ali-sys")
        );
        let kept = gw.store.snapshot("s-ali-sys").await.unwrap();
        match (image.status, deleted.status) {
            (200, 403) => assert!(kept.is_some_and(|s| !s.image_ids.is_empty())),
            (_, 200) => {
                assert!(kept.is_none());
                assert_ne!(image.status, 200, "an image of a deleted snapshot: {}", image.text);
            }
            other => panic!("{other:?}: {} / {}", image.text, deleted.text),
        }
        gw.assert_consistent().await;
    }
}

/// The reference world with d-ali-running-data created from s-ali-data.
fn world_with_a_disk_from_a_snapshot() -> String {
    reference_with(|w| {
        for d in w["disks"].as_array_mut().unwrap() {
            if d["id"] == "d-ali-running-data" {
                d["source_snapshot"] = json!("s-ali-data");
            }
        }
    })
}

#[tokio::test]
async fn a_snapshot_disks_were_created_from_goes_only_by_force() {
    let gw = Gateway::start(&world_with_a_disk_from_a_snapshot()).await;
    let usage = gw.describe_snapshot(ALI, "s-ali-data").await["Usage"].clone();
    assert_eq!(usage, json!("disk"));
    let r = delete(&gw, ALI, "s-ali-data").await;
    assert_eq!((r.status, r.code()), (403, "SnapshotCreatedDisk".to_string()), "{}", r.text);
    assert_eq!(r.json()["Message"], "The snapshot has been used to create disk(s).");
    let no = gw.call(ALI, "DeleteSnapshot", &[("SnapshotId", "s-ali-data"), ("Force", "false")]).await;
    assert_eq!(no.code(), "SnapshotCreatedDisk", "{}", no.text);
    assert!(listed(&gw, ALI, "s-ali-data").await);

    let forced = gw.call(ALI, "DeleteSnapshot", &[("SnapshotId", "s-ali-data"), ("Force", "true")]).await;
    assert_eq!(forced.status, 200, "{}", forced.text);
    assert!(!listed(&gw, ALI, "s-ali-data").await);
    let disk = gw.store.disk("d-ali-running-data").await.unwrap().unwrap();
    assert_eq!(disk.source_snapshot, None, "the disk can no longer be re-initialised from it");
    gw.assert_consistent().await;
}

#[tokio::test]
async fn deletes_racing_creates_on_a_full_disk_keep_its_count() {
    // The disk holds its quota of two; one delete frees one unit, which one create may take.
    for round in 0..5 {
        let gw = Arc::new(Gateway::start(&world(0)).await);
        let mut calls = vec![];
        for n in 0..4 {
            let gw = gw.clone();
            calls.push(tokio::spawn(async move {
                if n == 0 {
                    delete(&gw, ALI_QUOTA, "s-ali-quota-1").await
                } else {
                    gw.call(ALI_QUOTA, "CreateSnapshot", &[("DiskId", "d-ali-quota-data")]).await
                }
            }));
        }
        let mut made = 0;
        for (n, call) in calls.into_iter().enumerate() {
            let r = call.await.unwrap();
            match (n, r.status) {
                (0, 200) => {}
                (_, 200) => made += 1,
                (_, _) => assert!(
                    ["QuotaExceed.Snapshot", "IncorrectDiskStatus.CreatingSnapshot"]
                        .contains(&r.code().as_str()),
                    "{round}: {}",
                    r.text
                ),
            }
        }
        assert!(made <= 1, "{round}: {made} creates took one freed unit");
        let disk = gw.store.disk("d-ali-quota-data").await.unwrap().unwrap();
        assert_eq!(disk.snapshot_count, 1 + made, "{round}");
        gw.assert_consistent().await;
    }
}
