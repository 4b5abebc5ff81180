//! Alibaba ModifySnapshotAttribute and ModifyImageAttribute by the rules of their pages (ECS API
//! reference): what they change reads back at once from the Describe calls, every documented
//! refusal in the envelope with nothing changed, a retention that moves the scheduler's expiry,
//! and a rename that keeps image names unique under concurrency.

use chrono::Utc;
use integration_tests::*;
use serde_json::{json, Value};
use std::sync::Arc;

const REGION: (&str, &str) = ("RegionId", "cn-hangzhou");
const DAY_MS: i64 = 86_400_000;

/// A refusal: HTTP status, code, the request's parameters.
type Case = (u16, &'static str, Vec<(&'static str, &'static str)>);

/// The reference world, snapshots taking `seconds` to complete and images 30 s.
fn world(snapshot_seconds: u64) -> String {
    timed_world(snapshot_seconds, 30)
}

async fn snapshot_view(gw: &Gateway, id: &str) -> Value {
    let ids = format!("[\"{id}\"]");
    let r = gw.call(ALI, "DescribeSnapshots", &[REGION, ("SnapshotIds", &ids)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["Snapshots"]["Snapshot"][0].clone()
}

async fn image_view(gw: &Gateway, id: &str) -> Value {
    let r = gw.call(ALI, "DescribeImages", &[REGION, ("ImageId", id), ("Status", "ALL")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["Images"]["Image"][0].clone()
}

async fn refused(gw: &Gateway, action: &str, cases: Vec<Case>) {
    for (status, code, params) in cases {
        let r = gw.call(ALI, action, &params).await;
        assert_eq!((r.status, r.code()), (status, code.to_string()), "{action} {params:?}: {}", r.text);
        assert!(r.json()["RequestId"].is_string(), "{}", r.text);
    }
}

#[tokio::test]
async fn a_snapshot_is_renamed_described_and_its_retention_extended() {
    let gw = Gateway::start(&world(0)).await;
    let r = gw
        .call(
            ALI,
            "ModifySnapshotAttribute",
            &[("SnapshotId", "s-ali-sys"), ("SnapshotName", "renamed"), ("Description", "after the change")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json().as_object().unwrap().keys().collect::<Vec<_>>(), vec!["RequestId"]);
    let view = snapshot_view(&gw, "s-ali-sys").await;
    assert_eq!(
        (&view["SnapshotName"], &view["Description"]),
        (&json!("renamed"), &json!("after the change"))
    );

    // A retention on a snapshot kept for ever; then only longer ones.
    let set = gw
        .call(ALI, "ModifySnapshotAttribute", &[("SnapshotId", "s-ali-sys"), ("RetentionDays", "3650")])
        .await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(snapshot_view(&gw, "s-ali-sys").await["RetentionDays"], json!(3650));
    let shorter = gw
        .call(ALI, "ModifySnapshotAttribute", &[("SnapshotId", "s-ali-sys"), ("RetentionDays", "3000")])
        .await;
    assert_eq!(
        (shorter.status, shorter.code()),
        (400, "InvalidOperation.DecreaseRetentionDaysUnsupported".to_string()),
        "{}",
        shorter.text
    );
    let longer = gw
        .call(ALI, "ModifySnapshotAttribute", &[("SnapshotId", "s-ali-sys"), ("RetentionDays", "4000")])
        .await;
    assert_eq!(longer.status, 200, "{}", longer.text);
    let stored = gw.store.snapshot("s-ali-sys").await.unwrap().unwrap();
    assert_eq!(stored.retention_days, Some(4000));
    // An empty description clears it; the name stays.
    let cleared =
        gw.call(ALI, "ModifySnapshotAttribute", &[("SnapshotId", "s-ali-sys"), ("Description", "")]).await;
    assert_eq!(cleared.status, 200, "{}", cleared.text);
    let view = snapshot_view(&gw, "s-ali-sys").await;
    assert_eq!((&view["SnapshotName"], &view["Description"]), (&json!("renamed"), &json!("")));
    gw.assert_consistent().await;
}

#[tokio::test]
async fn a_retention_that_has_already_ended_is_a_shortening() {
    // s-ali-sys was taken days before the world was loaded: one day from its creation is past.
    let gw = Gateway::start(&world(0)).await;
    let r =
        gw.call(ALI, "ModifySnapshotAttribute", &[("SnapshotId", "s-ali-sys"), ("RetentionDays", "1")]).await;
    assert_eq!(r.code(), "InvalidOperation.DecreaseRetentionDaysUnsupported", "{}", r.text);
    assert!(gw.store.snapshot("s-ali-sys").await.unwrap().unwrap().retention_days.is_none());
}

#[tokio::test]
async fn the_scheduler_releases_a_snapshot_when_its_new_retention_ends() {
    let gw = Gateway::start(&world(0)).await;
    let id = gw
        .call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-stopped-data"), ("RetentionDays", "1")])
        .await
        .field("SnapshotId");
    let r = gw.call(ALI, "ModifySnapshotAttribute", &[("SnapshotId", &id), ("RetentionDays", "3")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Two days on, the old retention has passed and the new one holds.
    let app = service::App::new(gw.store.clone());
    gw.advance_clock(2 * DAY_MS).await;
    let report = service::scheduler::fire(&app, Utc::now()).await.unwrap();
    assert!(report.released.is_empty(), "{:?}", report.released);
    assert!(gw.store.snapshot(&id).await.unwrap().is_some(), "kept by its extended retention");
    gw.advance_clock(2 * DAY_MS).await;
    let report = service::scheduler::fire(&app, Utc::now()).await.unwrap();
    assert_eq!(report.released, vec![id.clone()]);
    assert!(gw.store.snapshot(&id).await.unwrap().is_none(), "released when the new retention ended");
    gw.assert_consistent().await;
}

#[tokio::test]
async fn snapshot_modifications_are_refused_by_the_pages_codes() {
    let gw = Gateway::start(&world(600)).await;
    let progressing =
        gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-stopped-data")]).await.field("SnapshotId");
    let not_ready = gw
        .call(ALI, "ModifySnapshotAttribute", &[("SnapshotId", &progressing), ("SnapshotName", "x1")])
        .await;
    assert_eq!(
        (not_ready.status, not_ready.code()),
        (400, "InvalidSnapshotId.NotReady".to_string()),
        "{}",
        not_ready.text
    );
    let long = "d".repeat(257);
    let long: &'static str = Box::leak(long.into_boxed_str());
    refused(
        &gw,
        "ModifySnapshotAttribute",
        vec![
            (400, "MissingParameter", vec![("SnapshotName", "named")]),
            (400, "NoAttributeToModify", vec![("SnapshotId", "s-ali-sys")]),
            (
                400,
                "InvalidSnapshotName.Malformed",
                vec![("SnapshotId", "s-ali-sys"), ("SnapshotName", "auto-x")],
            ),
            (
                400,
                "InvalidSnapshotName.Malformed",
                vec![("SnapshotId", "s-ali-sys"), ("SnapshotName", "1abc")],
            ),
            (
                404,
                "InvalidDescription.Malformed",
                vec![("SnapshotId", "s-ali-sys"), ("Description", "http://x")],
            ),
            (404, "InvalidDescription.Malformed", vec![("SnapshotId", "s-ali-sys"), ("Description", long)]),
            (
                400,
                "InvalidRetentionDays.Malformed",
                vec![("SnapshotId", "s-ali-sys"), ("RetentionDays", "0")],
            ),
            (
                400,
                "InvalidRetentionDays.Malformed",
                vec![("SnapshotId", "s-ali-sys"), ("RetentionDays", "65537")],
            ),
            (
                400,
                "InvalidRetentionDays.Malformed",
                vec![("SnapshotId", "s-ali-sys"), ("RetentionDays", "ten")],
            ),
            (
                404,
                "InvalidSnapshotDisableInstantAccess.Malformed",
                vec![("SnapshotId", "s-ali-sys"), ("DisableInstantAccess", "maybe")],
            ),
            (
                404,
                "InvalidSnapshotId.NotFound",
                vec![("SnapshotId", "s-nonexistent"), ("SnapshotName", "x1")],
            ),
            // Another account's snapshot does not exist for this caller.
            (
                404,
                "InvalidSnapshotId.NotFound",
                vec![("SnapshotId", "s-ali-quota-1"), ("SnapshotName", "x1")],
            ),
            (400, "InvalidParameter", vec![("SnapshotId", "s-ali-sys"), ("Category", "flash")]),
        ],
    )
    .await;
    let view = snapshot_view(&gw, "s-ali-sys").await;
    assert_ne!(view["SnapshotName"], json!("x1"));
    // DisableInstantAccess is no longer used: a boolean alone is accepted and changes nothing.
    let ignored = gw
        .call(
            ALI,
            "ModifySnapshotAttribute",
            &[("SnapshotId", "s-ali-sys"), ("DisableInstantAccess", "true")],
        )
        .await;
    assert_eq!(ignored.status, 200, "{}", ignored.text);
    assert_eq!(snapshot_view(&gw, "s-ali-sys").await, view);
}

#[tokio::test]
async fn an_image_is_renamed_described_and_deprecated() {
    let gw = Gateway::start(&world(0)).await;
    let params = [
        REGION,
        ("ImageId", "m-ali-golden"),
        ("ImageName", "golden-v2"),
        ("Description", "second edition"),
        ("ImageFamily", "golden.family"),
        ("BootMode", "UEFI"),
        ("LicenseType", "BYOL"),
        ("Features.NvmeSupport", "supported"),
        ("Features.ImdsSupport", "v2"),
    ];
    let r = gw.call(ALI, "ModifyImageAttribute", &params).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let view = image_view(&gw, "m-ali-golden").await;
    let read = |k: &str| view[k].clone();
    assert_eq!(read("ImageName"), json!("golden-v2"));
    assert_eq!(read("Description"), json!("second edition"));
    assert_eq!(read("ImageFamily"), json!("golden.family"));
    assert_eq!(read("BootMode"), json!("UEFI"));
    assert_eq!(read("LicenseType"), json!("BYOL"));
    assert_eq!(view["Features"], json!({"ImdsSupport": "v2", "NvmeSupport": "supported"}));
    // The old name is free, the new one taken.
    let old = gw
        .call(ALI, "CreateImage", &[REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "golden-base")])
        .await;
    assert_eq!(old.status, 200, "{}", old.text);
    let new =
        gw.call(ALI, "CreateImage", &[REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "golden-v2")]).await;
    assert_eq!(new.code(), "InvalidImageName.Duplicated", "{}", new.text);

    // Deprecated, still usable; then available again.
    let deprecate = [REGION, ("ImageId", "m-ali-golden"), ("Status", "Deprecated")];
    assert_eq!(gw.call(ALI, "ModifyImageAttribute", &deprecate).await.status, 200);
    let view = image_view(&gw, "m-ali-golden").await;
    assert_eq!((&view["Status"], &view["Usable"]), (&json!("Deprecated"), &json!(true)));
    let listed = gw.call(ALI, "DescribeImages", &[REGION, ("Status", "Deprecated")]).await;
    assert_eq!(listed.json()["TotalCount"], json!(1), "{}", listed.text);
    let again = gw.call(ALI, "ModifyImageAttribute", &deprecate).await;
    assert_eq!((again.status, again.code()), (403, "ImageStatus.NotAvailable".to_string()), "{}", again.text);
    let restore = [REGION, ("ImageId", "m-ali-golden"), ("Status", "Available")];
    assert_eq!(gw.call(ALI, "ModifyImageAttribute", &restore).await.status, 200);
    assert_eq!(image_view(&gw, "m-ali-golden").await["Status"], json!("Available"));
    let not_deprecated = gw.call(ALI, "ModifyImageAttribute", &restore).await;
    assert_eq!(
        (not_deprecated.status, not_deprecated.code()),
        (403, "ImageStatus.NotDeprecated".to_string())
    );
    gw.assert_consistent().await;
}

#[tokio::test]
async fn image_modifications_are_refused_by_the_pages_codes() {
    let gw = Gateway::start(&world(0)).await;
    let creating =
        gw.call(ALI, "CreateImage", &[REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "taken")]).await;
    let creating: &'static str = Box::leak(creating.field("ImageId").into_boxed_str());
    let imds = [REGION, ("ImageId", "m-ali-golden"), ("Features.ImdsSupport", "v2")];
    assert_eq!(gw.call(ALI, "ModifyImageAttribute", &imds).await.status, 200);
    let golden = ("ImageId", "m-ali-golden");
    refused(
        &gw,
        "ModifyImageAttribute",
        vec![
            (400, "MissingParameter", vec![golden]),
            (400, "MissingParameter", vec![REGION]),
            (404, "InvalidRegionId.NotFound", vec![("RegionId", "xx-nowhere"), golden]),
            (
                404,
                "InvalidImageId.NotFound",
                vec![REGION, ("ImageId", "m-nonexistent"), ("ImageName", "abc")],
            ),
            (404, "InvalidImageId.NotFound", vec![REGION, ("ImageId", "m-ali-quota"), ("ImageName", "abc")]),
            (404, "InvalidImageId.NotFound", vec![("RegionId", "cn-beijing"), golden, ("ImageName", "abc")]),
            (400, "InvalidImageName.Malformed", vec![REGION, golden, ("ImageName", "1bad")]),
            (400, "InvalidImageName.Duplicated", vec![REGION, golden, ("ImageName", "taken")]),
            (400, "InvalidDescription.Malformed", vec![REGION, golden, ("Description", "https://x")]),
            (400, "InvalidImageFamily.Malformed", vec![REGION, golden, ("ImageFamily", "aliyun-x")]),
            (400, "InvalidImageFamily.Malformed", vec![REGION, golden, ("ImageFamily", "acs:x")]),
            (400, "InvalidBootMode.NotSupport", vec![REGION, golden, ("BootMode", "LEGACY")]),
            (400, "InvalidLicenseType.NotSupported", vec![REGION, golden, ("LicenseType", "Auto")]),
            (
                400,
                "InvalidParameter.FeaturesImdsSupport",
                vec![REGION, golden, ("Features.ImdsSupport", "v3")],
            ),
            (
                403,
                "InvalidOperation.FeaturesImdsSupportNotMatch",
                vec![REGION, golden, ("Features.ImdsSupport", "v1")],
            ),
            (400, "InvalidParameter", vec![REGION, golden, ("Features.NvmeSupport", "sometimes")]),
            (400, "InvalidParameter", vec![REGION, golden, ("Status", "Gone")]),
            (403, "InvalidStatus.ImageIsCreating", vec![REGION, ("ImageId", creating), ("ImageName", "abc")]),
            (400, "DryRunOperation", vec![REGION, golden, ("ImageName", "dry-name"), ("DryRun", "true")]),
            (400, "InvalidParameter", vec![REGION, golden, ("SnapshotId", "s-ali-sys")]),
        ],
    )
    .await;
    assert_eq!(image_view(&gw, "m-ali-golden").await["ImageName"], json!("golden-base"), "nothing changed");
    gw.assert_consistent().await;
}

#[tokio::test]
async fn concurrent_renames_to_one_name_give_it_to_one_image() {
    let gw = Arc::new(Gateway::start(&world(0)).await);
    gw.advance_clock(0).await;
    let mut ids = vec!["m-ali-golden".to_string()];
    for name in ["second", "third", "fourth"] {
        let r =
            gw.call(ALI, "CreateImage", &[REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", name)]).await;
        ids.push(r.field("ImageId"));
    }
    gw.advance_clock(60_000).await;
    let calls = ids.iter().cloned().map(|id| {
        let gw = gw.clone();
        tokio::spawn(async move {
            gw.call(ALI, "ModifyImageAttribute", &[REGION, ("ImageId", &id), ("ImageName", "the-one")]).await
        })
    });
    let mut won = 0;
    for call in calls {
        let r = call.await.unwrap();
        match r.status {
            200 => won += 1,
            _ => assert_eq!(r.code(), "InvalidImageName.Duplicated", "{}", r.text),
        }
    }
    assert_eq!(won, 1);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn a_rename_racing_a_delete_leaves_no_marker_behind() {
    for round in 0..5 {
        let gw = Arc::new(Gateway::start(&world(0)).await);
        let (renamed, deleted) = tokio::join!(
            gw.call(
                ALI,
                "ModifyImageAttribute",
                &[REGION, ("ImageId", "m-ali-golden"), ("ImageName", "moved")]
            ),
            gw.call(ALI, "DeleteImage", &[REGION, ("ImageId", "m-ali-golden")])
        );
        assert_eq!(deleted.status, 200, "{round}: {}", deleted.text);
        assert!(
            renamed.status == 200 || renamed.code() == "InvalidImageId.NotFound",
            "{round}: {}",
            renamed.text
        );
        gw.assert_consistent().await;
        let free =
            gw.call(ALI, "CreateImage", &[REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "moved")]).await;
        assert_eq!(free.status, 200, "{round}: the name is free: {}", free.text);
    }
}
