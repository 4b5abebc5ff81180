//! Tencent CBS CreateSnapshot and DescribeSnapshots, and CVM DescribeImages' filters and paging,
//! through the wire.

use integration_tests::*;
use serde_json::{json, Value};

fn code(r: &Reply) -> String {
    r.tc_code().unwrap_or_else(|| format!("(success) {}", r.text))
}

fn quick() -> String {
    reference_with(|w| w["settings"]["timings"] = json!({"snapshot_seconds": 1, "image_seconds": 1}))
}

async fn snapshots(gw: &Gateway, params: Value) -> Value {
    let r = gw.tc(TcSigning::Tc3, TC, "DescribeSnapshots", params).await;
    assert_eq!(r.tc_code(), None, "{}", r.text);
    r.tc_response()
}

#[tokio::test]
async fn create_snapshot_then_poll_it_to_normal() {
    let gw = Gateway::start(&quick()).await;
    let deadline = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let id = gw
        .tc(
            TcSigning::Tc3,
            TC,
            "CreateSnapshot",
            json!({"DiskId": "disk-tc-stopped-data", "SnapshotName": "nightly", "Deadline": deadline,
                   "Tags": [{"Key": "env", "Value": "prod"}]}),
        )
        .await
        .tc_field("SnapshotId");
    assert!(id.len() == 13 && id.starts_with("snap-"), "{id}");
    let first = snapshots(&gw, json!({"SnapshotIds": [id]})).await;
    let s = &first["SnapshotSet"][0];
    assert_eq!(s["SnapshotState"], "CREATING");
    assert!(s["Percent"].as_u64().unwrap() < 100);
    // A second snapshot of the disk while the first is being made.
    let again = gw.tc(TcSigning::Form, TC, "CreateSnapshot", json!({"DiskId": "disk-tc-stopped-data"})).await;
    assert_eq!(code(&again), "ResourceUnavailable.SnapshotCreating");
    gw.advance_clock(1100).await;
    let done = snapshots(&gw, json!({"SnapshotIds": [id]})).await;
    let s = &done["SnapshotSet"][0];
    assert_eq!((s["SnapshotState"].as_str(), s["Percent"].as_u64()), (Some("NORMAL"), Some(100)), "{s}");
    assert_eq!(s["SnapshotName"], "nightly");
    assert_eq!(s["DiskId"], "disk-tc-stopped-data");
    assert_eq!(s["DiskUsage"], "DATA_DISK");
    assert_eq!(s["DiskSize"], 100);
    assert_eq!(s["IsPermanent"], false);
    assert!(s["DeadlineTime"].as_str().is_some(), "{s}");
    assert_eq!(s["Placement"]["Zone"], "ap-guangzhou-3");
    assert_eq!(s["Tags"], json!([{"Key": "env", "Value": "prod"}]));
    // Without a deadline it is permanent; the GET form works too.
    let permanent = gw.tc(TcSigning::Tc3Get, TC, "CreateSnapshot", json!({"DiskId": "disk-tc-windows-sys"}));
    let pid = permanent.await.tc_field("SnapshotId");
    let listed = snapshots(&gw, json!({"SnapshotIds": [pid]})).await;
    assert_eq!(listed["SnapshotSet"][0]["IsPermanent"], true);
    assert!(listed["SnapshotSet"][0]["DeadlineTime"].is_null());
}

#[tokio::test]
async fn create_snapshot_refusals() {
    let gw = Gateway::start(&quick()).await;
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let rows: Vec<(&str, (&str, &str), Value)> = vec![
        ("InvalidDiskId.NotFound", TC, json!({"DiskId": "disk-nope"})),
        ("InvalidDiskId.NotFound", TC, json!({"DiskId": "disk-tc-other-sys"})),
        ("InvalidAccount.InsufficientBalance", TC_POOR, json!({"DiskId": "disk-tc-poor-sys"})),
        ("InvalidDisk.NotSupported", TC, json!({"DiskId": "disk-tc-stopped-local"})),
        ("MissingParameter", TC, json!({"SnapshotName": "x"})),
        (
            "InvalidParameterValue",
            TC,
            json!({"DiskId": "disk-tc-stopped-data", "SnapshotName": "n".repeat(61)}),
        ),
        ("InvalidParameterValue", TC, json!({"DiskId": "disk-tc-stopped-data", "Deadline": past})),
        ("InvalidParameterValue", TC, json!({"DiskId": "disk-tc-stopped-data", "Deadline": "tomorrow"})),
        ("InvalidParameterValue", TC, json!({"DiskId": "disk-tc-stopped-data", "DiskBackupId": "dbp-1"})),
        ("InvalidParameterValue", TC, json!({"DiskId": "disk-tc-stopped-data", "LocalSnap": true})),
        (
            "InvalidParameterValue",
            TC,
            json!({"DiskId": "disk-tc-stopped-data", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]}),
        ),
        ("UnknownParameter", TC, json!({"DiskId": "disk-tc-stopped-data", "ClientToken": "t"})),
    ];
    for signing in [TcSigning::Tc3, TcSigning::Form] {
        for (expected, key, params) in &rows {
            let r = gw.tc(signing, *key, "CreateSnapshot", params.clone()).await;
            assert_eq!(code(&r), *expected, "{signing:?} {params}");
        }
    }
    // Snapshots are not on the older CreateImage page.
    let legacy =
        gw.tc(TcSigning::Legacy, TC, "CreateSnapshot", json!({"DiskId": "disk-tc-stopped-data"})).await;
    assert_eq!(code(&legacy), "InvalidAction");
}

#[tokio::test]
async fn describe_snapshots_filters_paging_and_order() {
    let gw =
        Gateway::start(&reference_with(|w| w["settings"]["timings"]["snapshot_seconds"] = 0.into())).await;
    let made = gw
        .tc(
            TcSigning::Tc3,
            TC,
            "CreateSnapshot",
            json!({"DiskId": "disk-tc-running-data", "SnapshotName": "tagged", "Tags": [{"Key": "team", "Value": "a"}]}),
        )
        .await
        .tc_field("SnapshotId");
    let all = snapshots(&gw, json!({})).await;
    assert_eq!(all["TotalCount"], 4, "three world snapshots and one new: {all}");
    assert_eq!(all["SnapshotSet"][0]["SnapshotId"], made.as_str(), "newest first");
    let ids = |v: &Value| -> Vec<String> {
        v["SnapshotSet"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["SnapshotId"].as_str().unwrap().to_string())
            .collect()
    };
    let filter = |name: &str, values: &[&str]| json!({"Filters": [{"Name": name, "Values": values}]});
    assert_eq!(ids(&snapshots(&gw, filter("snapshot-id", &["snap-tc-sys"])).await), vec!["snap-tc-sys"]);
    assert_eq!(
        ids(&snapshots(&gw, filter("disk-id", &["disk-tc-stopped-data"])).await),
        vec!["snap-tc-data"]
    );
    assert_eq!(ids(&snapshots(&gw, filter("snapshot-name", &["tagged"])).await), vec![made.clone()]);
    assert_eq!(ids(&snapshots(&gw, filter("tag-key", &["team"])).await), vec![made.clone()]);
    assert_eq!(ids(&snapshots(&gw, filter("tag:team", &["a"])).await), vec![made.clone()]);
    assert!(ids(&snapshots(&gw, filter("tag:team", &["b"])).await).is_empty());
    let data = snapshots(&gw, filter("disk-usage", &["DATA_DISK"])).await;
    assert_eq!(data["TotalCount"], 2);
    assert_eq!(snapshots(&gw, filter("snapshot-state", &["CREATING"])).await["TotalCount"], 0);
    assert_eq!(snapshots(&gw, filter("snapshot-state", &["NORMAL"])).await["TotalCount"], 4);
    // Paging and order.
    let page = snapshots(&gw, json!({"Offset": 1, "Limit": 2})).await;
    assert_eq!((page["TotalCount"].as_u64(), ids(&page).len()), (Some(4), 2));
    let oldest = snapshots(&gw, json!({"Order": "ASC", "Limit": 1})).await;
    assert_ne!(ids(&oldest), vec![made.clone()]);
    // Another account's snapshot is not listed, even by id.
    assert_eq!(snapshots(&gw, json!({"SnapshotIds": ["snap-tc-other"]})).await["TotalCount"], 0);
    // Refusals.
    let refused: Vec<(&str, Value)> = vec![
        ("InvalidFilter", filter("bogus", &["x"])),
        ("InvalidParameterValue", filter("snapshot-state", &["DONE"])),
        ("InvalidParameterValue", json!({"Limit": 101})),
        ("InvalidParameterValue", json!({"Order": "UP"})),
        ("InvalidSnapshotId.Malformed", json!({"SnapshotIds": ["bogus"]})),
        (
            "InvalidParameterConflict",
            json!({"SnapshotIds": ["snap-tc-sys"], "Filters": [{"Name": "disk-id", "Values": ["d"]}]}),
        ),
    ];
    for (expected, params) in refused {
        assert_eq!(
            code(&gw.tc(TcSigning::Tc3, TC, "DescribeSnapshots", params.clone()).await),
            expected,
            "{params}"
        );
    }
}

#[tokio::test]
async fn describe_images_filters_and_paging() {
    let gw = Gateway::start(&reference_with(|w| {
        w["settings"]["timings"] = json!({"snapshot_seconds": 0, "image_seconds": 60})
    }))
    .await;
    let made = gw
        .tc(
            TcSigning::Tc3,
            TC,
            "CreateImage",
            json!({"SnapshotIds": ["snap-tc-sys"], "ImageName": "tagged", "ImageFamily": "fam",
                   "TagSpecification": [{"ResourceType": "image", "Tags": [{"Key": "env", "Value": "dev"}]}]}),
        )
        .await
        .tc_field("ImageId");
    let describe = |params: Value| gw.tc(TcSigning::Tc3, TC, "DescribeImages", params);
    let ids = |r: &Reply| -> Vec<String> {
        r.tc_response()["ImageSet"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["ImageId"].as_str().unwrap().to_string())
            .collect()
    };
    let filter = |name: &str, values: &[&str]| json!({"Filters": [{"Name": name, "Values": values}]});
    assert_eq!(ids(&describe(json!({})).await), vec![made.clone(), "img-tcgolden".to_string()]);
    assert_eq!(ids(&describe(json!({"ImageIds": ["img-tcgolden"]})).await), vec!["img-tcgolden"]);
    assert_eq!(ids(&describe(filter("image-id", &["img-tcgolden"])).await), vec!["img-tcgolden"]);
    assert_eq!(ids(&describe(filter("image-name", &["tagged"])).await), vec![made.clone()]);
    assert_eq!(ids(&describe(filter("image-state", &["CREATING"])).await), vec![made.clone()]);
    assert_eq!(ids(&describe(filter("image-state", &["NORMAL"])).await), vec!["img-tcgolden"]);
    assert_eq!(ids(&describe(filter("image-type", &["PRIVATE_IMAGE"])).await).len(), 2);
    assert!(ids(&describe(filter("image-type", &["PUBLIC_IMAGE"])).await).is_empty());
    assert_eq!(ids(&describe(filter("tag-key", &["env"])).await), vec![made.clone()]);
    assert_eq!(ids(&describe(filter("tag:env", &["dev"])).await), vec![made.clone()]);
    assert!(ids(&describe(filter("tag:env", &["prod"])).await).is_empty());
    assert_eq!(ids(&describe(filter("image-family", &["fam"])).await), vec![made.clone()]);
    let two = json!({"Filters": [{"Name": "image-type", "Values": ["PRIVATE_IMAGE"]}, {"Name": "image-name", "Values": ["golden-tc"]}]});
    assert_eq!(ids(&describe(two).await), vec!["img-tcgolden"]);
    let page = describe(json!({"Offset": 1, "Limit": 1})).await;
    assert_eq!(
        (page.tc_response()["TotalCount"].as_u64(), ids(&page)),
        (Some(2), vec!["img-tcgolden".to_string()])
    );
    // Another account's images never show; another provider's region is not this API's.
    let other = gw.tc(TcSigning::Tc3, TC_OTHER, "DescribeImages", json!({})).await;
    assert_eq!(other.tc_response()["TotalCount"], 0);
    let refused: Vec<(&str, Value)> = vec![
        ("InvalidFilter", filter("nope", &["x"])),
        ("InvalidParameterValue", filter("image-type", &["ANY"])),
        ("InvalidParameterValue", json!({"Limit": 101})),
        ("InvalidParameterValue", json!({"Offset": -1})),
        ("InvalidImageId.Malformed", json!({"ImageIds": ["bogus"]})),
        (
            "InvalidParameterConflict",
            json!({"ImageIds": ["img-tcgolden"], "Filters": [{"Name": "image-id", "Values": ["x"]}]}),
        ),
        ("UnknownParameter", json!({"Bogus": 1})),
    ];
    for (expected, params) in refused {
        assert_eq!(code(&describe(params.clone()).await), expected, "{params}");
    }
    for region in ["ap-nowhere", "cn-hangzhou"] {
        let r = gw.tc_in(TcSigning::Tc3, TC, region, "DescribeImages", json!({})).await;
        assert_eq!(code(&r), "UnsupportedRegion", "{region}");
    }
}
