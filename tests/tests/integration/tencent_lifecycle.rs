//! Tencent CVM DeleteImages and ModifyImageAttribute, CBS DeleteSnapshots and
//! ModifySnapshotAttribute, by the rules of their pages, through the wire: all or nothing over a
//! batch, names and quotas freed, modifications read back at once, and the invariants kept.

use integration_tests::*;
use serde_json::{json, Value};
use std::sync::Arc;

fn code(r: &Reply) -> String {
    r.tc_code().unwrap_or_else(|| format!("(success) {}", r.text))
}

fn world(image_seconds: u64) -> String {
    timed_world(0, image_seconds)
}

async fn call(gw: &Gateway, action: &str, params: Value) -> Reply {
    gw.tc(TcSigning::Tc3, TC, action, params).await
}

async fn ok(gw: &Gateway, action: &str, params: Value) -> Value {
    gw.tc_ok(TcSigning::Tc3, TC, action, params).await
}

async fn image_of(gw: &Gateway, snapshot: &str, name: &str) -> String {
    ok(gw, "CreateImage", json!({"SnapshotIds": [snapshot], "ImageName": name})).await["ImageId"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn image_ids(gw: &Gateway, filter: Value) -> Vec<String> {
    let page = ok(gw, "DescribeImages", filter).await;
    page["ImageSet"].as_array().unwrap().iter().map(|i| i["ImageId"].as_str().unwrap().to_string()).collect()
}

async fn snapshot(gw: &Gateway, id: &str) -> Option<Value> {
    let page = ok(gw, "DescribeSnapshots", json!({"SnapshotIds": [id]})).await;
    page["SnapshotSet"].as_array().unwrap().first().cloned()
}

#[tokio::test]
async fn delete_images_frees_names_and_quota_and_is_all_or_nothing() {
    let gw = Gateway::start(&world(0)).await;
    let a = image_of(&gw, "snap-tc-sys", "lifecycle-a").await;
    let b = image_of(&gw, "snap-tc-sys", "lifecycle-b").await;
    // One unknown id: nothing is deleted.
    let r = call(&gw, "DeleteImages", json!({"ImageIds": [a, "img-nothere1"]})).await;
    assert_eq!(code(&r), "InvalidImageId.NotFound");
    assert_eq!(image_ids(&gw, json!({"ImageIds": [a, b]})).await.len(), 2);
    // A dry run checks and deletes nothing.
    ok(&gw, "DeleteImages", json!({"ImageIds": [a, b], "DryRun": true})).await;
    assert_eq!(image_ids(&gw, json!({"ImageIds": [a, b]})).await.len(), 2);

    let r = ok(&gw, "DeleteImages", json!({"ImageIds": [a, b]})).await;
    assert_eq!(r.as_object().unwrap().keys().collect::<Vec<_>>(), vec!["RequestId"]);
    // Gone from every read, by id (an empty set, as Terraform's wait expects) and by name.
    let page = ok(&gw, "DescribeImages", json!({"ImageIds": [a]})).await;
    assert_eq!((page["TotalCount"].as_u64(), page["ImageSet"].as_array().map(Vec::len)), (Some(0), Some(0)));
    assert!(image_ids(&gw, json!({"Filters": [{"Name": "image-name", "Values": ["lifecycle-a"]}]}))
        .await
        .is_empty());
    // The name is free, the snapshot's marks are gone.
    image_of(&gw, "snap-tc-sys", "lifecycle-a").await;
    assert_eq!(snapshot(&gw, "snap-tc-sys").await.unwrap()["ImageCount"], json!(1));
    gw.assert_consistent().await;
}

#[tokio::test]
async fn delete_images_refusals() {
    let gw = Gateway::start(&world(600)).await;
    let creating = image_of(&gw, "snap-tc-sys", "still-creating").await;
    let many: Vec<String> = (0..101).map(|n| format!("img-{n:08}")).collect();
    let cases = [
        (json!({}), "MissingParameter"),
        (json!({"ImageIds": []}), "MissingParameter"),
        (json!({"ImageIds": ["m-notcvm"]}), "InvalidImageId.Malformed"),
        (json!({"ImageIds": many}), "InvalidParameterValue.LimitExceeded"),
        (json!({"ImageIds": ["img-nothere1"]}), "InvalidImageId.NotFound"),
        (json!({"ImageIds": ["img-tcquota1"]}), "InvalidImageId.NotFound"),
        (json!({"ImageIds": [creating]}), "InvalidImageId.IncorrectState"),
        (json!({"ImageIds": ["img-tcgolden"], "Force": true}), "UnknownParameter"),
    ];
    for (params, want) in cases {
        let r = call(&gw, "DeleteImages", params.clone()).await;
        assert_eq!(code(&r), want, "{params}");
    }
    assert_eq!(image_ids(&gw, json!({"ImageIds": ["img-tcgolden"]})).await.len(), 1);
}

#[tokio::test]
async fn delete_binded_snap_takes_the_images_snapshots_that_nothing_else_uses() {
    let gw = Gateway::start(&world(0)).await;
    let made =
        ok(&gw, "CreateImage", json!({"InstanceId": "ins-tc-stopped", "ImageName": "with-snaps"})).await;
    let id = made["ImageId"].as_str().unwrap().to_string();
    gw.advance_clock(5_000).await;
    let listed = ok(&gw, "DescribeImages", json!({"ImageIds": [id]})).await;
    let snaps: Vec<String> = listed["ImageSet"][0]["SnapshotSet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["SnapshotId"].as_str().unwrap().to_string())
        .collect();
    assert!(!snaps.is_empty(), "an image of an instance lists its snapshots: {listed}");
    ok(&gw, "DeleteImages", json!({"ImageIds": [id], "DeleteBindedSnap": true})).await;
    for s in &snaps {
        assert!(snapshot(&gw, s).await.is_none(), "{s} went with its image");
    }
    gw.assert_consistent().await;
}

#[tokio::test]
async fn delete_snapshots_needs_delete_bind_images_for_a_snapshot_an_image_uses() {
    let gw = Gateway::start(&world(0)).await;
    let image = image_of(&gw, "snap-tc-sys", "keeps-its-snapshot").await;
    let r = call(&gw, "DeleteSnapshots", json!({"SnapshotIds": ["snap-tc-sys", "snap-tc-data"]})).await;
    assert_eq!(code(&r), "UnsupportedOperation.SnapshotHasBindedImage");
    assert!(snapshot(&gw, "snap-tc-data").await.is_some(), "all or nothing");
    ok(
        &gw,
        "DeleteSnapshots",
        json!({"SnapshotIds": ["snap-tc-sys", "snap-tc-data"], "DeleteBindImages": true}),
    )
    .await;
    assert!(snapshot(&gw, "snap-tc-sys").await.is_none());
    assert!(snapshot(&gw, "snap-tc-data").await.is_none());
    assert!(image_ids(&gw, json!({"ImageIds": [image]})).await.is_empty(), "the bound image went first");
    gw.assert_consistent().await;
}

#[tokio::test]
async fn delete_snapshots_refusals_and_quota_back() {
    let gw = Gateway::start(&reference_with(|w| w["settings"]["timings"] = json!({"snapshot_seconds": 600})))
        .await;
    let creating = ok(&gw, "CreateSnapshot", json!({"DiskId": "disk-tc-running-data"})).await["SnapshotId"]
        .as_str()
        .unwrap()
        .to_string();
    let many: Vec<String> = (0..101).map(|n| format!("snap-{n:08}")).collect();
    let cases = [
        (json!({}), "MissingParameter"),
        (json!({"SnapshotIds": ["snap-nothere1"]}), "InvalidSnapshotId.NotFound"),
        (json!({"SnapshotIds": ["not-a-snapshot"]}), "InvalidSnapshotId.NotFound"),
        (json!({"SnapshotIds": many}), "InvalidParameterValue.LimitExceeded"),
        (json!({"SnapshotIds": [creating]}), "ResourceUnavailable.SnapshotCreating"),
    ];
    for (params, want) in cases {
        let r = call(&gw, "DeleteSnapshots", params.clone()).await;
        assert_eq!(code(&r), want, "{params}");
    }
    let before = gw.store.disk("disk-tc-stopped-data").await.unwrap().unwrap().snapshot_count;
    ok(&gw, "DeleteSnapshots", json!({"SnapshotIds": ["snap-tc-data"]})).await;
    let after = gw.store.disk("disk-tc-stopped-data").await.unwrap().unwrap().snapshot_count;
    assert_eq!(after + 1, before, "the disk's quota unit came back");
    gw.assert_consistent().await;
}

#[tokio::test]
async fn modify_image_attribute_reads_back_and_keeps_names_unique() {
    let gw = Gateway::start(&world(0)).await;
    let other = image_of(&gw, "snap-tc-sys", "taken-name").await;
    ok(
        &gw,
        "ModifyImageAttribute",
        json!({"ImageId": "img-tcgolden", "ImageName": "golden-renamed", "ImageDescription": "second",
               "ImageFamily": "golden.family", "ImageDeprecated": true}),
    )
    .await;
    let page = ok(&gw, "DescribeImages", json!({"ImageIds": ["img-tcgolden"]})).await;
    let i = &page["ImageSet"][0];
    assert_eq!(
        (&i["ImageName"], &i["ImageDescription"], &i["ImageFamily"], &i["ImageDeprecated"]),
        (&json!("golden-renamed"), &json!("second"), &json!("golden.family"), &json!(true)),
        "{i}"
    );
    // The old name is free again; the other image's name is not.
    image_of(&gw, "snap-tc-sys", "golden-tc").await;
    let long = "n".repeat(61);
    let cases = [
        (json!({"ImageId": "img-tcgolden", "ImageName": "taken-name"}), "InvalidImageName.Duplicate"),
        (json!({"ImageId": "img-tcgolden", "ImageName": long}), "InvalidParameterValue.TooLarge"),
        (
            json!({"ImageId": "img-tcgolden", "ImageDescription": "d".repeat(257)}),
            "InvalidParameterValue.TooLarge",
        ),
        (
            json!({"ImageId": "img-tcgolden", "ImageFamily": "bad family!"}),
            "InvalidParameterValue.InvalidImageFamily",
        ),
        (json!({"ImageId": "img-nothere1", "ImageName": "x"}), "InvalidImageId.NotFound"),
        (json!({"ImageId": "m-notcvm", "ImageName": "x"}), "InvalidImageId.Malformed"),
        (json!({"ImageName": "x"}), "MissingParameter"),
    ];
    for (params, want) in cases {
        let r = call(&gw, "ModifyImageAttribute", params.clone()).await;
        assert_eq!(code(&r), want, "{params}");
    }
    assert_ne!(other, "img-tcgolden");
    gw.assert_consistent().await;
}

#[tokio::test]
async fn modify_snapshot_attribute_sets_name_and_lifetime() {
    let gw = Gateway::start(&world(0)).await;
    let deadline = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    ok(
        &gw,
        "ModifySnapshotAttribute",
        json!({"SnapshotId": "snap-tc-data", "SnapshotName": "weekly", "Deadline": deadline}),
    )
    .await;
    let s = snapshot(&gw, "snap-tc-data").await.unwrap();
    assert_eq!((&s["SnapshotName"], &s["IsPermanent"]), (&json!("weekly"), &json!(false)), "{s}");
    assert!(s["DeadlineTime"].as_str().is_some(), "{s}");
    ok(&gw, "ModifySnapshotAttribute", json!({"SnapshotId": "snap-tc-data", "IsPermanent": true})).await;
    let s = snapshot(&gw, "snap-tc-data").await.unwrap();
    assert_eq!((&s["IsPermanent"], &s["DeadlineTime"]), (&json!(true), &Value::Null), "{s}");
    let past = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    let cases = [
        (json!({"SnapshotId": "snap-tc-data"}), "MissingParameter"),
        (json!({"SnapshotId": "snap-tc-data", "IsPermanent": false}), "MissingParameter"),
        (json!({"SnapshotId": "snap-tc-data", "Deadline": "tomorrow"}), "InvalidParameterValue"),
        (json!({"SnapshotId": "snap-tc-data", "Deadline": past}), "InvalidParameterValue"),
        (json!({"SnapshotId": "snap-tc-data", "SnapshotName": "n".repeat(61)}), "InvalidParameterValue"),
        (json!({"SnapshotId": "snap-nothere1", "SnapshotName": "x"}), "InvalidSnapshotId.NotFound"),
    ];
    for (params, want) in cases {
        let r = call(&gw, "ModifySnapshotAttribute", params.clone()).await;
        assert_eq!(code(&r), want, "{params}");
    }
    gw.assert_consistent().await;
}

#[tokio::test]
async fn every_new_action_answers_the_form_and_get_signatures_too() {
    let gw = Gateway::start(&world(0)).await;
    for signing in [TcSigning::Form, TcSigning::Tc3Get] {
        let id =
            image_of(&gw, "snap-tc-sys", if signing == TcSigning::Form { "form-img" } else { "get-img" })
                .await;
        let r = gw
            .tc(signing, TC, "ModifyImageAttribute", json!({"ImageId": id, "ImageDescription": "signed"}))
            .await;
        assert_eq!(r.tc_code(), None, "{}", r.text);
        let r = gw.tc(signing, TC, "DeleteImages", json!({"ImageIds": [id]})).await;
        assert_eq!(r.tc_code(), None, "{}", r.text);
        let r = gw
            .tc(
                signing,
                TC,
                "ModifySnapshotAttribute",
                json!({"SnapshotId": "snap-tc-data", "SnapshotName": "signed"}),
            )
            .await;
        assert_eq!(r.tc_code(), None, "{}", r.text);
    }
    let r = gw.tc(TcSigning::Form, TC, "DeleteSnapshots", json!({"SnapshotIds": ["snap-tc-data"]})).await;
    assert_eq!(r.tc_code(), None, "{}", r.text);
    let r = gw.tc(TcSigning::Tc3Get, TC, "DeleteSnapshots", json!({"SnapshotIds": ["snap-tc-sys-b"]})).await;
    assert_eq!(r.tc_code(), None, "{}", r.text);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn concurrent_deletes_of_one_image_give_its_quota_back_once() {
    let gw = Arc::new(Gateway::start(&world(0)).await);
    let id = image_of(&gw, "snap-tc-sys", "raced").await;
    let count = gw.store.image_count("acct-tc", "ap-guangzhou").await.unwrap();
    let calls = (0..8).map(|_| {
        let gw = gw.clone();
        let id = id.clone();
        tokio::spawn(
            async move { gw.tc(TcSigning::Tc3, TC, "DeleteImages", json!({"ImageIds": [id]})).await },
        )
    });
    for call in calls {
        let r = call.await.unwrap();
        // The first wins; the others find nothing to delete, as the page says.
        assert!(
            r.tc_code().is_none() || r.tc_code().as_deref() == Some("InvalidImageId.NotFound"),
            "{}",
            r.text
        );
    }
    assert_eq!(gw.store.image_count("acct-tc", "ap-guangzhou").await.unwrap() + 1, count);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn an_image_instances_run_and_a_snapshot_being_made_are_refused() {
    let world = reference_with(|w| {
        w["settings"]["timings"] = json!({"snapshot_seconds": 600, "image_seconds": 0});
        for i in w["instances"].as_array_mut().unwrap() {
            if i["id"] == "ins-tc-running" {
                i["image"] = json!("img-tcgolden");
            }
        }
    });
    let gw = Gateway::start(&world).await;
    let r = call(&gw, "DeleteImages", json!({"ImageIds": ["img-tcgolden"]})).await;
    assert_eq!(code(&r), "InvalidParameterValue.InvalidImageId");
    let creating = ok(&gw, "CreateSnapshot", json!({"DiskId": "disk-tc-running-data"})).await["SnapshotId"]
        .as_str()
        .unwrap()
        .to_string();
    let r =
        call(&gw, "ModifySnapshotAttribute", json!({"SnapshotId": creating, "SnapshotName": "early"})).await;
    assert_eq!(code(&r), "InvalidSnapshot.NotSupported");
    gw.assert_consistent().await;
}

/// DeleteSnapshots with `DeleteBindImages` racing a CreateImage from the same snapshot, on two
/// gateways over one table: the delete deletes the image made meanwhile too and succeeds, or is
/// refused before it deleted anything; never a refusal after the first image is gone.
#[tokio::test]
async fn delete_bind_images_racing_a_new_image_is_all_or_nothing() {
    let gw = Arc::new(Gateway::start(&world(0)).await);
    let other = Arc::new(gw.second_process(None).await);
    for trial in 0..4 {
        let snap = ok(&gw, "CreateSnapshot", json!({"DiskId": "disk-tc-stopped-sys"})).await["SnapshotId"]
            .as_str()
            .unwrap()
            .to_string();
        let first = image_of(&gw, &snap, &format!("race-first-{trial}")).await;
        let deleting = {
            let (gw, snap) = (gw.clone(), snap.clone());
            tokio::spawn(async move {
                call(&gw, "DeleteSnapshots", json!({"SnapshotIds": [snap], "DeleteBindImages": true})).await
            })
        };
        let making = {
            let (other, snap) = (other.clone(), snap.clone());
            tokio::spawn(async move {
                let params = json!({"SnapshotIds": [snap], "ImageName": format!("race-second-{trial}")});
                other.tc(TcSigning::Tc3, TC, "CreateImage", params).await
            })
        };
        let (deleted, made) = (deleting.await.unwrap(), making.await.unwrap());
        if deleted.tc_code().is_none() {
            assert!(snapshot(&gw, &snap).await.is_none(), "trial {trial}: the snapshot is gone");
            assert!(image_ids(&gw, json!({"ImageIds": [first]})).await.is_empty(), "trial {trial}");
            if made.tc_code().is_none() {
                let second = made.tc_field("ImageId");
                let left = image_ids(&gw, json!({"ImageIds": [second]})).await;
                assert!(left.is_empty(), "trial {trial}: the image made meanwhile went with it");
            }
        } else {
            assert_eq!(
                image_ids(&gw, json!({"ImageIds": [first]})).await,
                vec![first.clone()],
                "trial {trial}: refused ({}) after deleting an image",
                deleted.text
            );
        }
    }
    gw.assert_consistent().await;
}
