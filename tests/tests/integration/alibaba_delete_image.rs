//! Alibaba DeleteImage by the rules of its page (ECS API reference, DeleteImage): an image that
//! does not exist is ignored; a deleted image is gone from every read and gives back its name,
//! its unit of the account's image quota and its marks on snapshots (which may then be deleted);
//! and concurrent deletes and creates keep the table's invariants.

use integration_tests::*;
use serde_json::json;
use std::sync::Arc;

const REGION: (&str, &str) = ("RegionId", "cn-hangzhou");

/// A refusal: HTTP status, code, the request's parameters.
type Case = (u16, &'static str, Vec<(&'static str, &'static str)>);

/// The reference world, images taking `seconds` to become available.
fn world(image_seconds: u64) -> String {
    timed_world(0, image_seconds)
}

async fn delete(gw: &Gateway, key: (&str, &str), id: &str) -> Reply {
    gw.call(key, "DeleteImage", &[REGION, ("ImageId", id)]).await
}

/// Whether DescribeImages, every status, lists the image.
async fn listed(gw: &Gateway, key: (&str, &str), id: &str) -> bool {
    let r = gw.call(key, "DescribeImages", &[REGION, ("ImageId", id), ("Status", "ALL")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["TotalCount"].as_u64().unwrap() == 1
}

async fn image_of_snapshot(gw: &Gateway, snapshot: &str, name: &str) -> String {
    let r = gw.call(ALI, "CreateImage", &[REGION, ("SnapshotId", snapshot), ("ImageName", name)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.field("ImageId")
}

#[tokio::test]
async fn a_deleted_image_is_gone_and_gives_back_its_quota() {
    let gw = Gateway::start(&world(0)).await;
    // Room for the instance's data disk's snapshot.
    let room = gw.call(ALI_QUOTA, "DeleteSnapshot", &[("SnapshotId", "s-ali-quota-1")]).await;
    assert_eq!(room.status, 200, "{}", room.text);
    // The account's one image fills its quota.
    let full = gw.call(ALI_QUOTA, "CreateImage", &[REGION, ("InstanceId", "i-ali-quota")]).await;
    assert_eq!((full.status, full.code()), (403, "QuotaExceed.Image".to_string()), "{}", full.text);

    let r = delete(&gw, ALI_QUOTA, "m-ali-quota").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.json();
    assert_eq!(body.as_object().map(|o| o.keys().collect::<Vec<_>>()), Some(vec![&"RequestId".to_string()]));
    assert!(!listed(&gw, ALI_QUOTA, "m-ali-quota").await);
    assert!(gw.store.image("m-ali-quota").await.unwrap().is_none());

    let again = gw.call(ALI_QUOTA, "CreateImage", &[REGION, ("InstanceId", "i-ali-quota")]).await;
    assert_eq!(again.status, 200, "the quota came back: {}", again.text);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn a_deleted_image_gives_back_its_name_and_its_snapshot() {
    let gw = Gateway::start(&world(0)).await;
    let id = image_of_snapshot(&gw, "s-ali-sys", "web-base").await;
    let taken =
        gw.call(ALI, "CreateImage", &[REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "web-base")]).await;
    assert_eq!(taken.code(), "InvalidImageName.Duplicated", "{}", taken.text);
    let kept = gw.call(ALI, "DeleteSnapshot", &[("SnapshotId", "s-ali-sys")]).await;
    assert_eq!(kept.code(), "SnapshotCreatedImage", "{}", kept.text);

    let r = delete(&gw, ALI, &id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(gw.store.snapshot("s-ali-sys").await.unwrap().unwrap().image_ids.is_empty(), "the mark is gone");
    // The name is free again, and the snapshot may now go (after the new image of it goes too).
    let renamed = image_of_snapshot(&gw, "s-ali-sys", "web-base").await;
    assert_ne!(renamed, id, "ids are never reused");
    assert_eq!(delete(&gw, ALI, &renamed).await.status, 200);
    let gone = gw.call(ALI, "DeleteSnapshot", &[("SnapshotId", "s-ali-sys")]).await;
    assert_eq!(gone.status, 200, "{}", gone.text);
    assert!(gw.store.snapshot("s-ali-sys").await.unwrap().is_none());
    gw.assert_consistent().await;
}

#[tokio::test]
async fn the_marks_of_other_images_stay() {
    let gw = Gateway::start(&world(0)).await;
    let first = image_of_snapshot(&gw, "s-ali-sys", "first").await;
    let second = image_of_snapshot(&gw, "s-ali-sys", "second").await;
    assert_eq!(delete(&gw, ALI, &first).await.status, 200);
    let snapshot = gw.store.snapshot("s-ali-sys").await.unwrap().unwrap();
    assert_eq!(snapshot.image_ids, vec![second.clone()]);
    let kept = gw.call(ALI, "DeleteSnapshot", &[("SnapshotId", "s-ali-sys")]).await;
    assert_eq!(kept.code(), "SnapshotCreatedImage", "{}", kept.text);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn an_image_of_an_instance_leaves_its_snapshots_as_ordinary_ones() {
    // Packer's cleanup: DeleteImage, then DeleteSnapshot of each of its mappings' snapshots.
    let gw = Gateway::start(&world(0)).await;
    let made = gw.call(ALI, "CreateImage", &[REGION, ("InstanceId", "i-ali-stopped")]).await;
    assert_eq!(made.status, 200, "{}", made.text);
    let id = made.field("ImageId");
    let image = gw.store.image(&id).await.unwrap().unwrap();
    let snapshots: Vec<String> = image.disks.iter().filter_map(|d| d.snapshot_id.clone()).collect();
    assert!(!snapshots.is_empty());
    for s in &snapshots {
        let r = gw.call(ALI, "DeleteSnapshot", &[("SnapshotId", s)]).await;
        assert_eq!(r.code(), "SnapshotCreatedImage", "{}", r.text);
    }
    assert_eq!(delete(&gw, ALI, &id).await.status, 200);
    for s in &snapshots {
        assert!(gw.store.snapshot(s).await.unwrap().is_some(), "the image's snapshots are kept");
        let r = gw.call(ALI, "DeleteSnapshot", &[("SnapshotId", s)]).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    gw.assert_consistent().await;
}

#[tokio::test]
async fn an_image_being_created_is_deleted_all_the_same() {
    let gw = Gateway::start(&world(600)).await;
    let id = image_of_snapshot(&gw, "s-ali-sys", "slow").await;
    assert!(listed(&gw, ALI, &id).await);
    assert_eq!(delete(&gw, ALI, &id).await.status, 200);
    assert!(!listed(&gw, ALI, &id).await);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn what_does_not_exist_for_the_caller_is_ignored() {
    let gw = Gateway::start(&world(0)).await;
    for id in ["m-nonexistent", "m-ali-quota"] {
        // m-ali-quota is another account's: for this caller it does not exist.
        let r = delete(&gw, ALI, id).await;
        assert_eq!(r.status, 200, "{id}: {}", r.text);
    }
    assert!(gw.store.image("m-ali-quota").await.unwrap().is_some(), "another account's is kept");
    let elsewhere =
        gw.call(ALI, "DeleteImage", &[("RegionId", "cn-beijing"), ("ImageId", "m-ali-golden")]).await;
    assert_eq!(elsewhere.status, 200, "{}", elsewhere.text);
    assert!(
        gw.store.image("m-ali-golden").await.unwrap().is_some(),
        "an image in another region is not the one meant"
    );
}

#[tokio::test]
async fn a_dry_run_checks_and_deletes_nothing() {
    let gw = Gateway::start(&world(0)).await;
    let r = gw.call(ALI, "DeleteImage", &[REGION, ("ImageId", "m-ali-golden"), ("DryRun", "true")]).await;
    assert_eq!((r.status, r.code()), (400, "DryRunOperation".to_string()), "{}", r.text);
    assert!(listed(&gw, ALI, "m-ali-golden").await);
    let r = gw.call(ALI, "DeleteImage", &[REGION, ("ImageId", "m-ali-golden"), ("DryRun", "false")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(!listed(&gw, ALI, "m-ali-golden").await);
}

#[tokio::test]
async fn bad_requests_are_refused_in_the_envelope() {
    let gw = Gateway::start(&world(0)).await;
    let cases: Vec<Case> = vec![
        (400, "MissingParameter", vec![REGION]),
        (400, "MissingParameter", vec![("ImageId", "m-ali-golden")]),
        (404, "InvalidRegionId.NotFound", vec![("RegionId", "xx-nowhere"), ("ImageId", "m-ali-golden")]),
        (400, "InvalidParameter", vec![REGION, ("ImageId", "m-ali-golden"), ("Force", "maybe")]),
        (400, "InvalidParameter", vec![REGION, ("ImageId", "m-ali-golden"), ("SnapshotId", "s-ali-sys")]),
    ];
    for (status, code, params) in cases {
        let r = gw.call(ALI, "DeleteImage", &params).await;
        assert_eq!((r.status, r.code()), (status, code.to_string()), "{params:?}: {}", r.text);
        assert!(r.json()["RequestId"].is_string(), "{}", r.text);
    }
    assert!(listed(&gw, ALI, "m-ali-golden").await, "nothing was deleted");
}

#[tokio::test]
async fn concurrent_deletes_give_back_once() {
    let gw = Arc::new(Gateway::start(&world(0)).await);
    let calls = (0..10).map(|_| {
        let gw = gw.clone();
        tokio::spawn(async move { delete(&gw, ALI_QUOTA, "m-ali-quota").await })
    });
    for call in calls {
        let r = call.await.unwrap();
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert_eq!(
        gw.store.image_count("acct-ali-quota", "cn-hangzhou").await.unwrap(),
        0,
        "one unit back, not ten"
    );
    gw.assert_consistent().await;
}

#[tokio::test]
async fn deleting_an_image_while_another_is_made_of_its_snapshot_keeps_both_marks_right() {
    for round in 0..5 {
        let gw = Arc::new(Gateway::start(&world(0)).await);
        let old = image_of_snapshot(&gw, "s-ali-sys", "old").await;
        let (deleted, made) = tokio::join!(
            delete(&gw, ALI, &old),
            gw.call(ALI, "CreateImage", &[REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "new")])
        );
        assert_eq!((deleted.status, made.status), (200, 200), "{round}: {} / {}", deleted.text, made.text);
        let snapshot = gw.store.snapshot("s-ali-sys").await.unwrap().unwrap();
        assert_eq!(snapshot.image_ids, vec![made.field("ImageId")], "{round}");
        gw.assert_consistent().await;
    }
}

#[tokio::test]
async fn deleting_an_image_and_its_snapshot_at_once_never_orphans_either() {
    // The snapshot goes only once the image's mark is gone; if it went first, the image could
    // name a missing snapshot.
    for round in 0..5 {
        let gw = Arc::new(Gateway::start(&world(0)).await);
        let id = image_of_snapshot(&gw, "s-ali-sys", "pair").await;
        let (image, snapshot) = tokio::join!(
            delete(&gw, ALI, &id),
            gw.call(ALI, "DeleteSnapshot", &[("SnapshotId", "s-ali-sys")])
        );
        assert_eq!(image.status, 200, "{round}: {}", image.text);
        match snapshot.status {
            200 => assert!(gw.store.snapshot("s-ali-sys").await.unwrap().is_none()),
            _ => assert_eq!(snapshot.code(), "SnapshotCreatedImage", "{round}: {}", snapshot.text),
        }
        gw.assert_consistent().await;
    }
}

/// The reference world with i-ali-running running m-ali-golden.
fn world_with_an_instance_of_the_image() -> String {
    reference_with(|w| {
        for i in w["instances"].as_array_mut().unwrap() {
            if i["id"] == "i-ali-running" {
                i["image"] = json!("m-ali-golden");
            }
        }
    })
}

#[tokio::test]
async fn an_image_instances_run_goes_only_by_force_and_keeps_its_boot_mode() {
    let gw = Gateway::start(&world_with_an_instance_of_the_image()).await;
    let r = gw.call(ALI, "DescribeImages", &[REGION, ("ImageId", "m-ali-golden")]).await;
    assert_eq!(r.json()["Images"]["Image"][0]["Usage"], json!("instance"), "{}", r.text);
    let used = gw.call(ALI, "DescribeImages", &[REGION, ("Usage", "instance")]).await;
    assert_eq!(used.json()["TotalCount"], json!(1), "{}", used.text);

    let boot = gw
        .call(ALI, "ModifyImageAttribute", &[REGION, ("ImageId", "m-ali-golden"), ("BootMode", "UEFI")])
        .await;
    assert_eq!(
        (boot.status, boot.code()),
        (403, "OperationDeined.ImageUsingByInstance".to_string()),
        "{}",
        boot.text
    );
    let r = delete(&gw, ALI, "m-ali-golden").await;
    assert_eq!((r.status, r.code()), (403, "ImageUsingByInstance".to_string()), "{}", r.text);
    assert!(listed(&gw, ALI, "m-ali-golden").await);
    let forced = gw.call(ALI, "DeleteImage", &[REGION, ("ImageId", "m-ali-golden"), ("Force", "true")]).await;
    assert_eq!(forced.status, 200, "{}", forced.text);
    assert!(!listed(&gw, ALI, "m-ali-golden").await);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn a_replayed_token_of_a_deleted_image_answers_its_id_again() {
    // The id is never reused; the token keeps naming the image it made.
    let gw = Gateway::start(&world(0)).await;
    let params =
        [REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "tokened"), ("ClientToken", "tok-deleted-1")];
    let first = gw.call(ALI, "CreateImage", &params).await;
    let id = first.field("ImageId");
    assert_eq!(delete(&gw, ALI, &id).await.status, 200);
    let again = gw.call(ALI, "CreateImage", &params).await;
    assert_eq!((again.status, again.field("ImageId")), (200, id.clone()), "{}", again.text);
    assert!(!listed(&gw, ALI, &id).await, "a replay makes nothing");
    gw.assert_consistent().await;
}
