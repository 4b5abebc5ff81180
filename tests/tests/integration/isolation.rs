//! One account never sees or touches another's resources, through any action, id or filter: to a
//! caller, another account's id answers exactly as an id that exists nowhere, another account's name
//! and client token are free, and nothing of the other account changes.

use integration_tests::*;
use serde_json::{json, Value};

type Params<'a> = Vec<(&'a str, &'a str)>;

fn instant() -> String {
    reference_with(|w| w["settings"]["timings"] = json!({"snapshot_seconds": 0, "image_seconds": 0}))
}

/// Status and error code of an Alibaba answer (empty code on success).
fn ali(r: &Reply) -> (u16, String) {
    (r.status, if r.status == 200 { String::new() } else { r.code() })
}

fn ids(list: &Value, field: &str) -> Vec<String> {
    list.as_array().unwrap_or(&Vec::new()).iter().map(|x| x[field].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn alibaba_accounts_never_reach_each_other() {
    let gw = Gateway::start(&instant()).await;
    let snap = gw
        .call(
            ALI_OTHER,
            "CreateSnapshot",
            &[("DiskId", "d-ali-other-sys"), ("SnapshotName", "shared-name"), ("ClientToken", "same-token")],
        )
        .await
        .field("SnapshotId");
    let image = gw
        .call(
            ALI_OTHER,
            "CreateImage",
            &[
                ("RegionId", "cn-hangzhou"),
                ("SnapshotId", &snap),
                ("ImageName", "shared-image"),
                ("ClientToken", "same-image-token"),
            ],
        )
        .await
        .field("ImageId");
    let r = "cn-hangzhou";
    // Each probe names the other account's resource, then an id of the same shape that exists nowhere:
    // the answers must not differ, and must say "not found".
    let creates: Vec<(&str, Params, Params)> = vec![
        ("CreateSnapshot", vec![("DiskId", "d-ali-other-sys")], vec![("DiskId", "d-ali-nowhere-sys")]),
        (
            "CreateImage",
            vec![("RegionId", r), ("InstanceId", "i-ali-other")],
            vec![("RegionId", r), ("InstanceId", "i-ali-nowhere")],
        ),
        (
            "CreateImage",
            vec![("RegionId", r), ("SnapshotId", &snap)],
            vec![("RegionId", r), ("SnapshotId", "s-nowhere0000000000000")],
        ),
        (
            "CreateImage",
            vec![("RegionId", r), ("SnapshotId", "s-ali-other")],
            vec![("RegionId", r), ("SnapshotId", "s-ali-nowhere")],
        ),
    ];
    for (action, theirs, nowhere) in creates {
        let seen = ali(&gw.call(ALI, action, &theirs).await);
        assert_eq!(seen, ali(&gw.call(ALI, action, &nowhere).await), "{action} {theirs:?}");
        assert!(seen.1.contains("NotFound"), "{action} {theirs:?}: {seen:?}");
    }
    let snap_list = format!("[\"{snap}\",\"s-ali-other\"]");
    let snapshot_filters: Vec<Vec<(&str, &str)>> = vec![
        vec![("SnapshotIds", &snap_list)],
        vec![("DiskId", "d-ali-other-sys")],
        vec![("InstanceId", "i-ali-other")],
        vec![("SnapshotName", "shared-name")],
        vec![],
    ];
    for filter in snapshot_filters {
        let mut params = vec![("RegionId", r)];
        params.extend(filter.iter().copied());
        let found = gw.call(ALI, "DescribeSnapshots", &params).await;
        assert_eq!(found.status, 200, "{}", found.text);
        let seen = ids(&found.json()["Snapshots"]["Snapshot"], "SnapshotId");
        assert!(!seen.iter().any(|id| id == &snap || id == "s-ali-other"), "{filter:?}: {seen:?}");
    }
    let image_filters: Vec<Vec<(&str, &str)>> = vec![
        vec![("ImageId", &image)],
        vec![("ImageName", "shared-image")],
        vec![("SnapshotId", &snap)],
        vec![("ImageOwnerAlias", "self")],
        vec![],
    ];
    for filter in image_filters {
        let mut params = vec![("RegionId", r)];
        params.extend(filter.iter().copied());
        let found = gw.call(ALI, "DescribeImages", &params).await;
        assert_eq!(found.status, 200, "{}", found.text);
        let seen = ids(&found.json()["Images"]["Image"], "ImageId");
        assert!(!seen.contains(&image), "{filter:?}: {seen:?}");
    }
    // The other account's client tokens and image names are this account's to use.
    let mine = gw
        .call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-stopped-sys"), ("ClientToken", "same-token")])
        .await
        .field("SnapshotId");
    assert_ne!(mine, snap);
    let my_image = gw
        .call(
            ALI,
            "CreateImage",
            &[
                ("RegionId", r),
                ("SnapshotId", &mine),
                ("ImageName", "shared-image"),
                ("ClientToken", "same-image-token"),
            ],
        )
        .await
        .field("ImageId");
    assert_ne!(my_image, image);
    // Nothing of the other account moved.
    assert_eq!(gw.describe_snapshot(ALI_OTHER, &snap).await["SnapshotName"], "shared-name");
    let theirs =
        gw.call(ALI_OTHER, "DescribeImages", &[("RegionId", r), ("ImageName", "shared-image")]).await;
    assert_eq!(ids(&theirs.json()["Images"]["Image"], "ImageId"), vec![image]);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn tencent_accounts_never_reach_each_other() {
    let gw = Gateway::start(&instant()).await;
    let tc = |key, action, params| gw.tc(TcSigning::Tc3, key, action, params);
    let snap =
        tc(TC_OTHER, "CreateSnapshot", json!({"DiskId": "disk-tc-other-sys", "SnapshotName": "shared-name"}))
            .await
            .tc_field("SnapshotId");
    let image =
        tc(TC_OTHER, "CreateImage", json!({"InstanceId": "ins-tc-other", "ImageName": "shared-image"}))
            .await
            .tc_field("ImageId");
    let probes: Vec<(&str, Value, Value)> = vec![
        ("CreateSnapshot", json!({"DiskId": "disk-tc-other-sys"}), json!({"DiskId": "disk-nowhere1"})),
        (
            "CreateImage",
            json!({"InstanceId": "ins-tc-other", "ImageName": "x"}),
            json!({"InstanceId": "ins-nowhere1", "ImageName": "x"}),
        ),
        (
            "CreateImage",
            json!({"InstanceId": "ins-tc-stopped", "ImageName": "x", "DataDiskIds": ["disk-tc-other-sys"]}),
            json!({"InstanceId": "ins-tc-stopped", "ImageName": "x", "DataDiskIds": ["disk-nowhere1"]}),
        ),
    ];
    for (action, theirs, nowhere) in probes {
        let seen = tc(TC, action, theirs.clone()).await.tc_code();
        assert_eq!(seen, tc(TC, action, nowhere).await.tc_code(), "{action} {theirs}");
        // A data disk is judged by whether it is the instance's: another account's is not.
        let refused = |c: &str| c.contains("NotFound") || c.ends_with("DataDiskNotBelongSpecifiedInstance");
        assert!(seen.as_deref().is_some_and(refused), "{action} {theirs}: {seen:?}");
    }
    let filter = |name: &str, value: &str| json!({"Filters": [{"Name": name, "Values": [value]}]});
    for params in [
        json!({"SnapshotIds": [snap, "snap-tc-other"]}),
        filter("disk-id", "disk-tc-other-sys"),
        filter("snapshot-name", "shared-name"),
        json!({}),
    ] {
        let r = tc(TC, "DescribeSnapshots", params.clone()).await;
        assert_eq!(r.tc_code(), None, "{}", r.text);
        let seen = ids(&r.tc_response()["SnapshotSet"], "SnapshotId");
        assert!(!seen.iter().any(|id| id == &snap || id == "snap-tc-other"), "{params}: {seen:?}");
    }
    for params in [json!({"ImageIds": [image]}), filter("image-name", "shared-image"), json!({})] {
        let r = tc(TC, "DescribeImages", params.clone()).await;
        let seen = ids(&r.tc_response()["ImageSet"], "ImageId");
        assert!(!seen.contains(&image), "{params}: {} {seen:?}", r.text);
    }
    // The name is free here, and the other account's resources are as they were.
    let mine =
        tc(TC, "CreateImage", json!({"InstanceId": "ins-tc-stopped", "ImageName": "shared-image"})).await;
    assert_ne!(mine.tc_field("ImageId"), image);
    let theirs = tc(TC_OTHER, "DescribeSnapshots", json!({"SnapshotIds": [snap]})).await;
    assert_eq!(theirs.tc_response()["SnapshotSet"][0]["SnapshotName"], "shared-name");
    gw.assert_consistent().await;
}

#[tokio::test]
async fn zenlayer_accounts_never_reach_each_other() {
    let gw = Gateway::start(&instant()).await;
    let snap = gw
        .zl(ZL_OTHER, "CreateSnapshot", json!({"diskId": "zl-ins-other-sys", "snapshotName": "shared-name"}))
        .await
        .zl_field("snapshotId");
    let image = gw
        .zl(ZL_OTHER, "CreateImage", json!({"instanceId": "zl-ins-other", "imageName": "shared-image"}))
        .await
        .zl_field("imageId");
    let probes: Vec<(&str, Value, Value)> = vec![
        (
            "CreateSnapshot",
            json!({"diskId": "zl-ins-other-sys", "snapshotName": "xy"}),
            json!({"diskId": "zl-nowhere-sys", "snapshotName": "xy"}),
        ),
        (
            "CreateImage",
            json!({"instanceId": "zl-ins-other", "imageName": "xy"}),
            json!({"instanceId": "zl-nowhere", "imageName": "xy"}),
        ),
    ];
    for (action, theirs, nowhere) in probes {
        let seen = gw.zl(ZL, action, theirs.clone()).await;
        let absent = gw.zl(ZL, action, nowhere).await;
        assert_eq!((seen.status, seen.zl_code()), (absent.status, absent.zl_code()), "{action} {theirs}");
        assert!(seen.zl_code().is_some_and(|c| c.contains("NOT_FOUND")), "{action}: {}", seen.text);
    }
    for params in [
        json!({"snapshotIds": [snap]}),
        json!({"diskIds": ["zl-ins-other-sys"]}),
        json!({"snapshotName": "shared-name"}),
        json!({}),
    ] {
        let r = gw.zl(ZL, "DescribeSnapshots", params.clone()).await;
        assert_eq!(r.zl_code(), None, "{}", r.text);
        let seen = ids(&r.json()["response"]["dataSet"], "snapshotId");
        assert!(!seen.contains(&snap), "{params}: {seen:?}");
    }
    for action in ["DescribeImages", "DescribeCustomImages"] {
        for params in [json!({"imageIds": [image]}), json!({"imageName": "shared-image"}), json!({})] {
            let r = gw.zl(ZL, action, params.clone()).await;
            assert_eq!(r.zl_code(), None, "{}", r.text);
            let seen = ids(&r.json()["response"]["dataSet"], "imageId");
            assert!(!seen.contains(&image), "{action} {params}: {seen:?}");
        }
    }
    let mine =
        gw.zl(ZL, "CreateImage", json!({"instanceId": "zl-ins-stopped", "imageName": "shared-image"})).await;
    assert_ne!(mine.zl_field("imageId"), image);
    let theirs = gw.zl(ZL_OTHER, "DescribeSnapshots", json!({"snapshotIds": [snap]})).await;
    assert_eq!(ids(&theirs.json()["response"]["dataSet"], "snapshotId"), vec![snap]);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn one_providers_ids_mean_nothing_to_another() {
    let gw = Gateway::start(&instant()).await;
    let ali = gw.call(ALI, "CreateSnapshot", &[("DiskId", "disk-tc-stopped-data")]).await;
    assert_eq!(ali.code(), "InvalidDiskId.NotFound");
    let tc = gw.tc(TcSigning::Tc3, TC, "CreateSnapshot", json!({"DiskId": "d-ali-stopped-sys"})).await;
    assert_eq!(tc.tc_code().as_deref(), Some("InvalidDiskId.NotFound"));
    let zl = gw.zl(ZL, "CreateImage", json!({"instanceId": "ins-tc-stopped", "imageName": "xy"})).await;
    assert_eq!(zl.zl_code().as_deref(), Some("INVALID_INSTANCE_NOT_FOUND"));
    let listed =
        gw.tc(TcSigning::Tc3, TC, "DescribeSnapshots", json!({"SnapshotIds": ["s-ali-other"]})).await;
    assert!(listed.tc_code().is_some() || listed.tc_response()["TotalCount"] == 0, "{}", listed.text);
}
