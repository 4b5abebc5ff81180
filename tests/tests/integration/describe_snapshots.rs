//! DescribeSnapshots: filters, paging, states, JSON and XML.

use integration_tests::*;

fn ids(r: &Reply) -> Vec<String> {
    r.json()["Snapshots"]["Snapshot"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["SnapshotId"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn filters_and_pages() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let made = gw
        .call(
            ALI,
            "CreateSnapshot",
            &[
                ("DiskId", "d-ali-expired"),
                ("SnapshotName", "mine-1"),
                ("Tag.1.Key", "team"),
                ("Tag.1.Value", "a"),
            ],
        )
        .await
        .field("SnapshotId");
    let region = ("RegionId", "cn-hangzhou");

    let all = gw.call(ALI, "DescribeSnapshots", &[region]).await;
    assert_eq!(all.json()["TotalCount"], 7);
    assert_eq!(all.json()["PageSize"], 10);
    assert_eq!(ids(&all)[0], made, "newest first");

    let by_disk = gw.call(ALI, "DescribeSnapshots", &[region, ("DiskId", "d-ali-stopped-sys")]).await;
    let mut got = ids(&by_disk);
    got.sort();
    assert_eq!(got, vec!["s-ali-2012", "s-ali-sys"]);

    let progressing = gw.call(ALI, "DescribeSnapshots", &[region, ("Status", "progressing")]).await;
    let mut got = ids(&progressing);
    got.sort();
    let mut expected = vec![made.clone(), "s-ali-progressing".to_string()];
    expected.sort();
    assert_eq!(got, expected);

    let named = gw.call(ALI, "DescribeSnapshots", &[region, ("SnapshotName", "mine-1")]).await;
    assert_eq!(ids(&named), vec![made.clone()]);
    let tagged =
        gw.call(ALI, "DescribeSnapshots", &[region, ("Tag.1.Key", "team"), ("Tag.1.Value", "a")]).await;
    assert_eq!(ids(&tagged), vec![made.clone()]);
    let by_instance = gw.call(ALI, "DescribeSnapshots", &[region, ("InstanceId", "i-ali-running")]).await;
    assert!(ids(&by_instance).contains(&made));
    assert!(!ids(&by_instance).contains(&"s-ali-sys".to_string()));

    let mut seen = Vec::new();
    for page in 1..=4 {
        let p = page.to_string();
        let r = gw.call(ALI, "DescribeSnapshots", &[region, ("PageSize", "2"), ("PageNumber", &p)]).await;
        assert_eq!(r.json()["TotalCount"], 7);
        seen.extend(ids(&r));
    }
    assert_eq!(seen.len(), 7);
    assert_eq!(seen, ids(&all));

    let other_region = gw.call(ALI, "DescribeSnapshots", &[("RegionId", "cn-beijing")]).await;
    assert_eq!(other_region.json()["TotalCount"], 0);
    let nowhere = gw.call(ALI, "DescribeSnapshots", &[("RegionId", "cn-nowhere")]).await;
    assert_eq!((nowhere.status, nowhere.code()), (404, "InvalidRegionId.NotFound".into()));
    let missing = gw.call(ALI, "DescribeSnapshots", &[]).await;
    assert_eq!((missing.status, missing.code()), (400, "MissingParameter".into()));
}

#[tokio::test]
async fn world_snapshots_keep_their_given_state_and_xml_lists_repeat() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let s = gw.describe_snapshot(ALI, "s-ali-2012").await;
    assert_eq!(s["CreationTime"], "2012-06-01T00:00:00Z");
    assert_eq!(s["Status"], "accomplished");
    assert_eq!(s["SourceDiskType"], "system");
    let p = gw.describe_snapshot(ALI, "s-ali-progressing").await;
    assert_eq!((p["Status"].as_str(), p["Progress"].as_str()), (Some("progressing"), Some("0%")));
    let xml = gw
        .call(
            ALI,
            "DescribeSnapshots",
            &[("RegionId", "cn-hangzhou"), ("DiskId", "d-ali-stopped-sys"), ("Format", "XML")],
        )
        .await;
    assert_eq!(xml.status, 200);
    assert!(
        xml.text
            .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeSnapshotsResponse><RequestId>"),
        "{}",
        xml.text
    );
    assert_eq!(xml.text.matches("<Snapshot>").count(), 2, "{}", xml.text);
    assert!(xml.text.contains("<Snapshots><Snapshot><SnapshotId>"), "{}", xml.text);
}
