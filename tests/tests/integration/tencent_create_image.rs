//! Tencent CVM CreateImage and DescribeImages: every documented Tencent error code through
//! the wire (TC3 and the HmacSHA256 form; the older page on `/v2/index.php`), states, the soft
//! shutdown, DryRun, the one-image-at-a-time rule and the per-second rate limit.

use integration_tests::*;
use serde_json::{json, Value};
use std::sync::Arc;

/// The reference world with a rate limit high enough not to meet the rows below, and short
/// timings.
fn roomy(limit: u32, snapshot_seconds: u32, image_seconds: u32) -> String {
    reference_with(|w| {
        w["settings"]["rate_limits"] = json!({ "tencent:CreateImage": limit });
        w["settings"]["timings"] =
            json!({"snapshot_seconds": snapshot_seconds, "image_seconds": image_seconds});
    })
}

fn code(r: &Reply) -> String {
    r.tc_code().unwrap_or_else(|| format!("(success) {}", r.text))
}

#[tokio::test]
async fn every_documented_refusal_through_the_wire() {
    let gw = Gateway::start(&roomy(10_000, 2, 3)).await;
    let n61 = "n".repeat(61);
    let d257 = "d".repeat(257);
    let stopped = |extra: Value| {
        let mut p = json!({"InstanceId": "ins-tc-stopped", "ImageName": "fresh-name"});
        p.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        p
    };
    let on = |instance: &str| json!({"InstanceId": instance, "ImageName": "fresh-name"});
    let snaps = |ids: &[&str]| json!({"SnapshotIds": ids, "ImageName": "fresh-name"});
    let rows: Vec<(&str, (&str, &str), Value)> = vec![
        ("InvalidParameter.ValueTooLarge", TC, stopped(json!({"ImageName": n61}))),
        ("InvalidParameterValue.TooLarge", TC, stopped(json!({"ImageDescription": d257}))),
        ("InvalidImageName.Duplicate", TC, stopped(json!({"ImageName": "golden-tc"}))),
        ("InvalidInstanceId.NotFound", TC, on("ins-nope")),
        ("InvalidInstanceId.NotFound", TC, on("ins-tc-other")),
        ("ImageQuotaLimitExceeded", TC_QUOTA, on("ins-tc-quota")),
        ("InvalidInstance.NotSupported", TC, on("ins-tc-noimage")),
        ("InvalidAccount.InsufficientBalance", TC_POOR, on("ins-tc-poor")),
        (
            "InvalidParameter.DataDiskIdContainsRootDisk",
            TC,
            stopped(json!({"DataDiskIds": ["disk-tc-stopped-sys"]})),
        ),
        (
            "InvalidParameter.DataDiskNotBelongSpecifiedInstance",
            TC,
            stopped(json!({"DataDiskIds": ["disk-tc-running-data"]})),
        ),
        ("InvalidParameter.DuplicateSystemSnapshots", TC, snaps(&["snap-tc-sys", "snap-tc-sys-b"])),
        (
            "InvalidParameter.InstanceImageNotSupport",
            TC,
            json!({"InstanceId": "ins-tc-nofull", "ImageName": "x1", "DataDiskIds": ["disk-tc-nofull-data"]}),
        ),
        (
            "InvalidParameter.InvalidDependence",
            TC,
            json!({"ImageName": "x1", "DataDiskIds": ["disk-tc-stopped-data"]}),
        ),
        (
            "InvalidParameter.InvalidDependence",
            TC,
            json!({"ImageName": "x1", "DataDiskIds": ["disk-tc-stopped-data"], "SnapshotIds": ["snap-tc-sys"]}),
        ),
        (
            "InvalidParameter.LocalDataDiskNotSupport",
            TC,
            stopped(json!({"DataDiskIds": ["disk-tc-stopped-local"]})),
        ),
        ("InvalidParameter.SnapshotNotFound", TC, snaps(&["snap-nope"])),
        ("InvalidParameter.SnapshotNotFound", TC, snaps(&["snap-tc-other"])),
        ("InvalidParameter.SnapshotNotFound", TC, snaps(&["snap-tc-sys", "snap-nope"])),
        ("InvalidParameter.SpecifyOneParameter", TC, json!({"ImageName": "x1"})),
        (
            "InvalidParameter.SwapDiskNotSupport",
            TC,
            stopped(json!({"DataDiskIds": ["disk-tc-stopped-swap"]})),
        ),
        ("InvalidParameter.SystemSnapshotNotFound", TC, snaps(&["snap-tc-data"])),
        ("InvalidParameterConflict", TC, stopped(json!({"SnapshotIds": ["snap-tc-sys"]}))),
        ("OperationDenied.InstanceOperationInProgress", TC, on("ins-tc-busy")),
        ("ResourceInsufficient.CloudDiskUnavailable", TC, on("ins-tc-cdu")),
        ("UnsupportedOperation.InstanceStateRebooting", TC, on("ins-tc-rebooting")),
        ("UnsupportedOperation.InstanceStateStopping", TC, on("ins-tc-stopping")),
        ("UnsupportedOperation.InstanceStateTerminating", TC, on("ins-tc-terminating")),
        ("UnsupportedOperation.NotSupportInstanceImage", TC, on("ins-tc-noinstimg")),
        ("UnsupportedOperation.StoppedModeStopCharging", TC, on("ins-tc-stopcharging")),
        // Common codes and the SDK model's parameter rules.
        ("MissingParameter", TC, json!({"InstanceId": "ins-tc-stopped"})),
        ("UnknownParameter", TC, stopped(json!({"Bogus": "1"}))),
        ("InvalidParameterValue", TC, stopped(json!({"ForcePoweroff": "maybe"}))),
        ("InvalidParameterValue", TC, stopped(json!({"Sysprep": "TRUE"}))),
        (
            "InvalidParameterValue",
            TC,
            stopped(json!({"TagSpecification": [{"ResourceType": "image",
                "Tags": [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]}]})),
        ),
    ];
    for signing in [TcSigning::Tc3, TcSigning::Form] {
        for (expected, key, params) in &rows {
            let r = gw.tc(signing, *key, "CreateImage", params.clone()).await;
            assert_eq!(code(&r), *expected, "{signing:?} {params}");
        }
    }
    // Nothing was created by any of them.
    let listed = gw.tc(TcSigning::Tc3, TC, "DescribeImages", json!({})).await;
    assert_eq!(listed.tc_response()["TotalCount"], 1, "{}", listed.text);
}

#[tokio::test]
async fn the_older_page_on_v2_index_php() {
    let gw = Gateway::start(&roomy(10_000, 0, 0)).await;
    let legacy = |params: Value| gw.tc(TcSigning::Legacy, TC, "CreateImage", params);
    let rows: Vec<(&str, Value)> = vec![
        (
            "InvalidParameter.ValueTooLarge",
            json!({"InstanceId": "ins-tc-stopped", "ImageName": "n".repeat(21)}),
        ),
        (
            "InvalidParameter.ValueTooLarge",
            json!({"InstanceId": "ins-tc-stopped", "ImageName": "ok", "ImageDescription": "d".repeat(61)}),
        ),
        ("InvalidImageName.Duplicate", json!({"InstanceId": "ins-tc-stopped", "ImageName": "golden-tc"})),
        ("InvalidInstanceId.NotFound", json!({"InstanceId": "ins-nope", "ImageName": "ok"})),
        ("InvalidInstanceId.NotFound", json!({"InstanceId": "ins-tc-other", "ImageName": "ok"})),
        ("InvalidInstance.NotSupported", json!({"InstanceId": "ins-tc-noimage", "ImageName": "ok"})),
        ("MissingParameter", json!({"InstanceId": "ins-tc-stopped"})),
        ("MissingParameter", json!({"ImageName": "ok"})),
        // The older page has no snapshot or data-disk sources.
        (
            "UnknownParameter",
            json!({"InstanceId": "ins-tc-stopped", "ImageName": "ok", "DataDiskIds": ["d"]}),
        ),
    ];
    for (expected, params) in rows {
        let r = legacy(params.clone()).await;
        assert_eq!(code(&r), expected, "{params}");
        assert_eq!(r.tc_response()["RequestID"], r.tc_response()["RequestId"], "{}", r.text);
    }
    let quota = gw.tc(
        TcSigning::Legacy,
        TC_QUOTA,
        "CreateImage",
        json!({"InstanceId": "ins-tc-quota", "ImageName": "q"}),
    );
    assert_eq!(code(&quota.await), "ImageQuotaLimitExceeded");

    // Twenty characters are allowed, and the answer carries both request id spellings.
    let ok = legacy(json!({"InstanceId": "ins-tc-stopped", "ImageName": "n".repeat(20), "ImageDescription": "d".repeat(60)}))
        .await;
    let response = ok.tc_response();
    assert_eq!(ok.tc_code(), None, "{}", ok.text);
    assert_eq!(response["RequestID"], response["RequestId"]);
    assert!(response["ImageId"].as_str().unwrap().starts_with("img-"));
    // A second image of the same instance while the first is creating (timings 0 here: none is).
    let again = legacy(json!({"InstanceId": "ins-tc-stopped", "ImageName": "second"})).await;
    assert_eq!(again.tc_code(), None, "{}", again.text);

    // Other actions are not on the older page; API 3.0 actions stay on `/`.
    let describe = gw.tc(TcSigning::Legacy, TC, "DescribeImages", json!({})).await;
    assert_eq!(code(&describe), "InvalidAction");
}

#[tokio::test]
async fn a_second_image_of_an_instance_while_the_first_is_creating() {
    let gw = Gateway::start(&roomy(10_000, 2, 30)).await;
    let make = |name: &str| {
        gw.tc(TcSigning::Tc3, TC, "CreateImage", json!({"InstanceId": "ins-tc-stopped", "ImageName": name}))
    };
    let first = make("first").await;
    first.tc_field("ImageId");
    assert_eq!(code(&make("second").await), "MutexOperation.TaskRunning");
    let legacy = gw.tc(
        TcSigning::Legacy,
        TC,
        "CreateImage",
        json!({"InstanceId": "ins-tc-stopped", "ImageName": "third"}),
    );
    assert_eq!(code(&legacy.await), "MutexOperation.TaskRunning");
    // Another instance is free.
    let other =
        gw.tc(TcSigning::Tc3, TC, "CreateImage", json!({"InstanceId": "ins-tc-windows", "ImageName": "w"}));
    other.await.tc_field("ImageId");
}

async fn describe_one(gw: &Gateway, id: &str) -> Value {
    let r = gw.tc(TcSigning::Tc3, TC, "DescribeImages", json!({"ImageIds": [id]})).await;
    let response = r.tc_response();
    assert_eq!(response["TotalCount"], 1, "{}", r.text);
    response["ImageSet"][0].clone()
}

async fn wait_for_state(gw: &Gateway, id: &str, state: &str) -> Value {
    gw.poll(|| describe_one(gw, id), |image| image["ImageState"] == state, &format!("{id} {state}")).await
}

#[tokio::test]
async fn states_soft_shutdown_and_what_describe_shows() {
    let gw = Gateway::start(&roomy(10_000, 1, 1)).await;
    let status = |id: &'static str| {
        let store = gw.store.clone();
        async move { store.instance(id).await.unwrap().unwrap().status }
    };
    // A running instance is shut down softly, imaged, and reads back stopped.
    let id = gw
        .tc(
            TcSigning::Tc3,
            TC,
            "CreateImage",
            json!({"InstanceId": "ins-tc-running", "ImageName": "from-running", "ImageDescription": "nightly",
                   "DataDiskIds": ["disk-tc-running-data"], "ImageFamily": "web",
                   "TagSpecification": [{"ResourceType": "image", "Tags": [{"Key": "env", "Value": "prod"}]}]}),
        )
        .await
        .tc_field("ImageId");
    assert!(id.len() == 12 && id.starts_with("img-"), "{id}");
    let creating = describe_one(&gw, &id).await;
    assert_eq!(creating["ImageState"], "CREATING");
    let image = wait_for_state(&gw, &id, "NORMAL").await;
    assert_eq!(status("ins-tc-running").await, domain::InstanceStatus::Stopped);
    assert_eq!(image["ImageName"], "from-running");
    assert_eq!(image["ImageDescription"], "nightly");
    assert_eq!(image["ImageType"], "PRIVATE_IMAGE");
    assert_eq!(image["ImageSource"], "CREATE_IMAGE");
    assert_eq!(image["ImageFamily"], "web");
    assert_eq!(image["ImageSize"], 50);
    assert_eq!(image["Tags"], json!([{"Key": "env", "Value": "prod"}]));
    let usages: Vec<&str> =
        image["SnapshotSet"].as_array().unwrap().iter().map(|s| s["DiskUsage"].as_str().unwrap()).collect();
    assert_eq!(usages, vec!["SYSTEM_DISK", "DATA_DISK"]);

    // A soft shutdown that fails: the image is CREATING while it is attempted (the image's time),
    // then CREATEFAILED, and the instance is left running...
    let failed = gw
        .tc(TcSigning::Form, TC, "CreateImage", json!({"InstanceId": "ins-tc-softfail", "ImageName": "soft"}))
        .await
        .tc_field("ImageId");
    let attempted = describe_one(&gw, &failed).await;
    assert_eq!(attempted["ImageState"], "CREATING", "{attempted}");
    assert_eq!(status("ins-tc-softfail").await, domain::InstanceStatus::Running);
    wait_for_state(&gw, &failed, "CREATEFAILED").await;
    assert_eq!(status("ins-tc-softfail").await, domain::InstanceStatus::Running);
    // ... unless it may be forced off.
    let forced = gw
        .tc(
            TcSigning::Tc3,
            TC,
            "CreateImage",
            json!({"InstanceId": "ins-tc-softfail", "ImageName": "forced", "ForcePoweroff": "TRUE"}),
        )
        .await
        .tc_field("ImageId");
    wait_for_state(&gw, &forced, "NORMAL").await;
    assert_eq!(status("ins-tc-softfail").await, domain::InstanceStatus::Stopped);

    // Sysprep is for Windows.
    let windows = gw.tc(
        TcSigning::Tc3Get,
        TC,
        "CreateImage",
        json!({"InstanceId": "ins-tc-windows", "ImageName": "win", "Sysprep": true}),
    );
    windows.await.tc_field("ImageId");

    // From snapshots: the image lists them.
    let from_snaps = gw
        .tc(
            TcSigning::Tc3,
            TC,
            "CreateImage",
            json!({"SnapshotIds": ["snap-tc-sys", "snap-tc-data"], "ImageName": "snaps"}),
        )
        .await
        .tc_field("ImageId");
    let image = wait_for_state(&gw, &from_snaps, "NORMAL").await;
    let ids: Vec<&str> =
        image["SnapshotSet"].as_array().unwrap().iter().map(|s| s["SnapshotId"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["snap-tc-sys", "snap-tc-data"]);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn dry_run_creates_and_counts_nothing() {
    let gw = Gateway::start(&roomy(10_000, 0, 0)).await;
    let params = json!({"InstanceId": "ins-tc-running", "ImageName": "dry", "DryRun": true});
    for signing in [TcSigning::Tc3, TcSigning::Tc3Get, TcSigning::Form] {
        assert_eq!(code(&gw.tc(signing, TC, "CreateImage", params.clone()).await), "DryRunOperation");
    }
    // A dry run still runs every check.
    let refused = json!({"InstanceId": "ins-tc-rebooting", "ImageName": "dry", "DryRun": true});
    assert_eq!(
        code(&gw.tc(TcSigning::Tc3, TC, "CreateImage", refused).await),
        "UnsupportedOperation.InstanceStateRebooting"
    );
    assert_eq!(gw.store.image_count("acct-tc", "ap-guangzhou").await.unwrap(), 1);
    assert_eq!(
        gw.store.instance("ins-tc-running").await.unwrap().unwrap().status,
        domain::InstanceStatus::Running
    );
    // The name is still free, and the quota untouched: the real call succeeds.
    let real = json!({"InstanceId": "ins-tc-running", "ImageName": "dry"});
    gw.tc(TcSigning::Tc3, TC, "CreateImage", real).await.tc_field("ImageId");
    assert_eq!(gw.store.image_count("acct-tc", "ap-guangzhou").await.unwrap(), 2);
    gw.assert_consistent().await;
}

/// Wait for the start of a second, so that a burst falls within one.
async fn start_of_a_second() {
    let ms = chrono::Utc::now().timestamp_subsec_millis();
    tokio::time::sleep(std::time::Duration::from_millis(u64::from(1000 - ms) + 5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rate_limit_is_counted_in_the_table() {
    let gw = Arc::new(Gateway::start(REFERENCE_WORLD).await);
    // A second process on the same table, as a second Lambda instance would be.
    let sibling = Arc::new(gw.sibling().await);
    let dry = json!({"InstanceId": "ins-tc-stopped", "ImageName": "dry", "DryRun": true});
    for attempt in 0..3 {
        start_of_a_second().await;
        let started = chrono::Utc::now().timestamp();
        let mut set = tokio::task::JoinSet::new();
        for i in 0..11 {
            let target = if i % 2 == 0 { gw.clone() } else { sibling.clone() };
            let dry = dry.clone();
            set.spawn(async move { code(&target.tc(TcSigning::Tc3, TC, "CreateImage", dry).await) });
        }
        let codes = set.join_all().await;
        if chrono::Utc::now().timestamp() != started {
            // The burst straddled a second; the count is per second, so try again.
            assert!(attempt < 2, "no burst fit in one second");
            continue;
        }
        let refused = codes.iter().filter(|c| *c == "RequestLimitExceeded").count();
        let passed = codes.iter().filter(|c| *c == "DryRunOperation").count();
        assert_eq!((passed, refused), (10, 1), "{codes:?}");
        break;
    }
    // Other actions and other accounts have their own counts.
    let describe = gw.tc(TcSigning::Tc3, TC, "DescribeImages", json!({})).await;
    assert_eq!(describe.tc_code(), None);
    let other = gw.tc(
        TcSigning::Tc3,
        TC_OTHER,
        "CreateImage",
        json!({"InstanceId": "ins-tc-other", "ImageName": "o", "DryRun": true}),
    );
    assert_eq!(code(&other.await), "DryRunOperation");
    gw.assert_consistent().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_calls_with_one_new_name_make_one_image() {
    let gw = Arc::new(Gateway::start(&roomy(10_000, 0, 0)).await);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let gw = gw.clone();
        set.spawn(async move {
            let params = json!({"SnapshotIds": ["snap-tc-sys"], "ImageName": "only-once"});
            code(&gw.tc(TcSigning::Tc3, TC, "CreateImage", params).await)
        });
    }
    let codes = set.join_all().await;
    let made = codes.iter().filter(|c| c.starts_with("(success)")).count();
    let duplicate = codes.iter().filter(|c| *c == "InvalidImageName.Duplicate").count();
    assert_eq!((made, duplicate), (1, 19), "{codes:?}");
    let images = gw.store.account_images("acct-tc").await.unwrap();
    let named = images.iter().filter(|i| i.name == "only-once").count();
    figures("tencent image name", 20, named, 1);
    assert_eq!(named, 1);
    gw.assert_consistent().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_times_the_free_quota_makes_exactly_the_quota() {
    // acct-tc has golden-tc; a quota of 5 leaves 4 free.
    let world = reference_with(|w| {
        w["settings"]["rate_limits"] = json!({ "tencent:CreateImage": 10_000 });
        let acct = w["accounts"].as_array_mut().unwrap().iter_mut().find(|a| a["id"] == "acct-tc").unwrap();
        acct["quotas"] = json!({"images_per_region": 5});
    });
    let gw = Arc::new(Gateway::start(&world).await);
    let mut set = tokio::task::JoinSet::new();
    for i in 0..12 {
        let gw = gw.clone();
        set.spawn(async move {
            let params = json!({"SnapshotIds": ["snap-tc-sys"], "ImageName": format!("q{i}")});
            code(&gw.tc(TcSigning::Tc3, TC, "CreateImage", params).await)
        });
    }
    let codes = set.join_all().await;
    let made = codes.iter().filter(|c| c.starts_with("(success)")).count();
    let refused = codes.iter().filter(|c| *c == "ImageQuotaLimitExceeded").count();
    let images = gw.store.account_images("acct-tc").await.unwrap().len();
    figures("tencent image quota", 12, images - 1, 4);
    assert_eq!((made, refused), (4, 8), "{codes:?}");
    assert_eq!(images, 5);
    assert_eq!(gw.store.image_count("acct-tc", "ap-guangzhou").await.unwrap(), 5);
    gw.assert_consistent().await;
}
