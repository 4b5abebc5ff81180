//! Alibaba CreateImage and DescribeImages: every documented CreateImage error code through
//! the wire, the three approaches, states, and the atomic name and quota rules.

use integration_tests::*;
use std::sync::Arc;

const REGION: (&str, &str) = ("RegionId", "cn-hangzhou");

/// Expected status, expected code, the caller's key, the parameters.
type Row<'a> = (u16, &'a str, (&'a str, &'a str), Vec<(&'a str, &'a str)>);

fn check(reply: &Reply, status: u16, code: &str, context: &str) {
    assert_eq!((reply.status, reply.code()), (status, code.to_string()), "{context}: {}", reply.text);
}

#[tokio::test]
async fn every_documented_refusal_through_the_wire() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let long = |n: usize| "a".repeat(n);
    let (d257, n129, v41) = (long(257), long(129), long(41));
    let rows: Vec<Row> = vec![
        (400, "MissingParameter", ALI, vec![REGION]),
        (400, "IncorrectInstanceStatus", ALI, vec![REGION, ("InstanceId", "i-ali-starting")]),
        (400, "InstanceLockedForSecurity", ALI, vec![REGION, ("InstanceId", "i-ali-locked")]),
        (
            400,
            "InvalidDescription.Malformed",
            ALI,
            vec![REGION, ("SnapshotId", "s-ali-sys"), ("Description", &d257)],
        ),
        (
            400,
            "InvalidDescription.Malformed",
            ALI,
            vec![REGION, ("SnapshotId", "s-ali-sys"), ("Description", "http://x")],
        ),
        (
            400,
            "InvalidImageName.Duplicated",
            ALI,
            vec![REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "golden-base")],
        ),
        (
            400,
            "InvalidImageName.Malformed",
            ALI,
            vec![REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "1abc")],
        ),
        (
            400,
            "InvalidImageName.Malformed",
            ALI,
            vec![REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "a")],
        ),
        (
            400,
            "InvalidImageName.Malformed",
            ALI,
            vec![REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", &n129)],
        ),
        (
            400,
            "InvalidImageName.Malformed",
            ALI,
            vec![REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "http://x")],
        ),
        (
            400,
            "InvalidImageName.Malformed",
            ALI,
            vec![REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "bad name!")],
        ),
        (
            400,
            "InvalidImageVersion.Malformed",
            ALI,
            vec![REGION, ("SnapshotId", "s-ali-sys"), ("ImageVersion", &v41)],
        ),
        (
            400,
            "InvalidImageVersion.Malformed",
            ALI,
            vec![REGION, ("SnapshotId", "s-ali-sys"), ("ImageVersion", "")],
        ),
        (400, "InvalidInstanceId.NotFound", ALI, vec![REGION, ("InstanceId", "i-nope")]),
        (400, "InvalidInstanceId.NotFound", ALI, vec![REGION, ("InstanceId", "i-ali-other")]),
        (400, "InvalidInstanceId.ValueNotSupported", ALI, vec![REGION, ("InstanceId", "i-ali-noimage")]),
        (
            400,
            "InvalidSize.ValueNotSupported",
            ALI,
            vec![REGION, ("DiskDeviceMapping.1.SnapshotId", "s-ali-sys"), ("DiskDeviceMapping.2.Size", "4")],
        ),
        (
            400,
            "InvalidSize.ValueNotSupported",
            ALI,
            vec![
                REGION,
                ("DiskDeviceMapping.1.SnapshotId", "s-ali-sys"),
                ("DiskDeviceMapping.2.Size", "2001"),
            ],
        ),
        (
            400,
            "InvalidSize.ValueNotSupported",
            ALI,
            vec![REGION, ("DiskDeviceMapping.1.SnapshotId", "s-ali-sys"), ("DiskDeviceMapping.1.Size", "20")],
        ),
        (400, "OperationDenied", ALI, vec![REGION, ("DiskDeviceMapping.1.SnapshotId", "s-ali-data")]),
        (
            400,
            "OperationDenied",
            ALI,
            vec![
                REGION,
                ("DiskDeviceMapping.1.SnapshotId", "s-ali-sys"),
                ("DiskDeviceMapping.2.SnapshotId", "s-ali-sys-b"),
            ],
        ),
        (403, "InvalidAccountStatus.NotEnoughBalance", ALI_POOR, vec![REGION, ("InstanceId", "i-ali-poor")]),
        (
            403,
            "InvalidAccountStatus.SnapshotServiceUnavailable",
            ALI_NOSNAP,
            vec![REGION, ("InstanceId", "i-ali-nosnap")],
        ),
        (403, "InvalidSnapshot.TooOld", ALI, vec![REGION, ("SnapshotId", "s-ali-2012")]),
        (403, "InvalidSnapshotId.NotReady", ALI, vec![REGION, ("SnapshotId", "s-ali-progressing")]),
        (403, "OperationDenied", ALI, vec![REGION, ("SnapshotId", "s-ali-noimage")]),
        (403, "OperationDenied", ALI, vec![REGION, ("SnapshotId", "s-ali-data")]),
        (403, "QuotaExceed.Image", ALI_QUOTA, vec![REGION, ("InstanceId", "i-ali-quota")]),
        (404, "InvalidRegionId.NotFound", ALI, vec![("RegionId", "cn-nowhere"), ("SnapshotId", "s-ali-sys")]),
        (404, "InvalidSnapshotId.NotFound", ALI, vec![REGION, ("SnapshotId", "s-nope")]),
        (404, "InvalidSnapshotId.NotFound", ALI, vec![REGION, ("SnapshotId", "s-ali-other")]),
        (404, "InvalidSnapshotId.NotFound", ALI, vec![REGION, ("DiskDeviceMapping.1.SnapshotId", "s-nope")]),
    ];
    for (i, (status, code, key, params)) in rows.iter().enumerate() {
        let signing = if i % 2 == 0 { Signing::V1 } else { Signing::Acs3 };
        let reply = gw.call_signed(signing, *key, "CreateImage", params).await;
        check(&reply, *status, code, &format!("{params:?}"));
    }
    // The three OperationDenied variants say which one they are.
    async fn msg(gw: &Gateway, params: &[(&str, &str)]) -> String {
        gw.call(ALI, "CreateImage", params).await.field("Message")
    }
    assert!(msg(&gw, &[REGION, ("DiskDeviceMapping.1.SnapshotId", "s-ali-data")])
        .await
        .contains("does not contain system disk snapshot"));
    assert!(msg(
        &gw,
        &[
            REGION,
            ("DiskDeviceMapping.1.SnapshotId", "s-ali-sys"),
            ("DiskDeviceMapping.2.SnapshotId", "s-ali-sys-b")
        ]
    )
    .await
    .contains("two or more system disk snapshots"));
    assert_eq!(
        msg(&gw, &[REGION, ("SnapshotId", "s-ali-noimage")]).await,
        "The specified snapshot is not allowed to create image."
    );
    assert_eq!(
        msg(&gw, &[REGION, ("SnapshotId", "s-ali-data")]).await,
        "The specified snapshot is not from system disk."
    );
    // Nothing was created by any of them.
    assert_eq!(gw.store.account_images("acct-ali").await.unwrap().len(), 1);
    assert_eq!(gw.store.account_snapshots("acct-ali").await.unwrap().len(), 6);
}

#[tokio::test]
async fn an_image_from_a_snapshot_is_creating_then_available() {
    let world = reference_with(|w| w["settings"]["timings"]["image_seconds"] = 1.into());
    let gw = Gateway::start(&world).await;
    let r = gw
        .call_signed(
            Signing::Acs3,
            ALI,
            "CreateImage",
            &[
                REGION,
                ("SnapshotId", "s-ali-sys"),
                ("ImageName", "web-base"),
                ("ImageVersion", "1.0"),
                ("Description", "golden web"),
                ("Platform", "Ubuntu"),
                ("Architecture", "arm64"),
                ("ImageFamily", "web"),
                ("ResourceGroupId", "rg-1"),
                ("Tag.1.Key", "team"),
                ("Tag.1.Value", "web"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let id = r.field("ImageId");
    assert!(id.starts_with("m-"), "{id}");
    let describe = |status: &'static str| {
        let (gw, id) = (&gw, id.clone());
        async move {
            let r = gw.call(ALI, "DescribeImages", &[REGION, ("ImageId", &id), ("Status", status)]).await;
            assert_eq!(r.status, 200, "{}", r.text);
            r.json()["Images"]["Image"].as_array().unwrap().first().cloned()
        }
    };
    let creating = describe("Creating").await.expect("listed while creating");
    assert_eq!(creating["Status"], "Creating");
    assert_eq!(creating["ImageName"], "web-base");
    assert_eq!(creating["ImageVersion"], "1.0");
    assert_eq!(creating["Description"], "golden web");
    assert_eq!(creating["Platform"], "Ubuntu");
    assert_eq!(creating["Architecture"], "arm64");
    assert_eq!(creating["ImageFamily"], "web");
    assert_eq!(creating["ResourceGroupId"], "rg-1");
    assert_eq!(creating["ImageOwnerAlias"], "self");
    assert_eq!(creating["Size"], 40);
    assert_eq!(creating["Tags"]["Tag"][0]["TagKey"], "team");
    let mapping = &creating["DiskDeviceMappings"]["DiskDeviceMapping"][0];
    assert_eq!(
        (mapping["Device"].as_str(), mapping["SnapshotId"].as_str()),
        (Some("/dev/xvda"), Some("s-ali-sys"))
    );
    assert_eq!((mapping["Size"].as_str(), mapping["Type"].as_str()), (Some("40"), Some("system")));
    // The provider's default lists only available images.
    assert!(describe("Available").await.is_none());
    gw.advance_clock(1100).await;
    let available = describe("Available").await.expect("available now");
    assert_eq!(
        (available["Status"].as_str(), available["Progress"].as_str()),
        (Some("Available"), Some("100%"))
    );
    // The snapshot now backs an image.
    assert_eq!(gw.describe_snapshot(ALI, "s-ali-sys").await["Usage"], "image");
    // XML too.
    let xml = gw.call(ALI, "DescribeImages", &[REGION, ("ImageId", &id), ("Format", "XML")]).await;
    assert!(
        xml.text.contains("<Images><Image><ImageId>")
            && xml.text.contains("<DiskDeviceMappings><DiskDeviceMapping>"),
        "{}",
        xml.text
    );
}

#[tokio::test]
async fn an_image_from_an_instance_snapshots_each_disk() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let r = gw
        .call(ALI, "CreateImage", &[REGION, ("InstanceId", "i-ali-stopped"), ("ImageName", "from-instance")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let image = gw.store.image(&r.field("ImageId")).await.unwrap().unwrap();
    assert_eq!(image.source_instance.as_deref(), Some("i-ali-stopped"));
    let devices: Vec<(&str, u32)> = image.disks.iter().map(|d| (d.device.as_str(), d.size_gb)).collect();
    assert_eq!(devices, vec![("/dev/xvda", 40), ("/dev/xvdb", 200)]);
    for disk in &image.disks {
        let s = gw.describe_snapshot(ALI, disk.snapshot_id.as_ref().unwrap()).await;
        assert_eq!(s["Usage"], "image");
        assert_eq!(s["Status"], "progressing");
    }
    // Those snapshots hold their disks: no other snapshot of them meanwhile.
    let busy = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-stopped-data")]).await;
    assert_eq!(busy.code(), "IncorrectDiskStatus.CreatingSnapshot");
    // And a second image of the same instance meanwhile is refused like a busy instance.
    let again = gw.call(ALI, "CreateImage", &[REGION, ("InstanceId", "i-ali-stopped")]).await;
    check(&again, 400, "IncorrectInstanceStatus", "second image");
}

#[tokio::test]
async fn an_instance_whose_disk_is_being_snapshotted_cannot_make_an_image() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    // d-ali-running-sys has s-ali-progressing in progress.
    let r = gw.call(ALI, "CreateImage", &[REGION, ("InstanceId", "i-ali-running")]).await;
    check(&r, 400, "IncorrectInstanceStatus", "busy disk");
    assert_eq!(r.field("Message"), "The current status of the instance does not support this operation.");
    assert_eq!(gw.store.account_snapshots("acct-ali").await.unwrap().len(), 6, "no snapshot was made");
}

#[tokio::test]
async fn an_image_from_mappings_places_devices() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let r = gw
        .call(
            ALI,
            "CreateImage",
            &[
                REGION,
                ("DiskDeviceMapping.1.SnapshotId", "s-ali-sys"),
                ("DiskDeviceMapping.2.SnapshotId", "s-ali-data"),
                ("DiskDeviceMapping.3.Size", "10"),
                ("DiskDeviceMapping.4.DiskType", "data"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let image = gw.store.image(&r.field("ImageId")).await.unwrap().unwrap();
    let disks: Vec<(&str, Option<&str>, u32)> =
        image.disks.iter().map(|d| (d.device.as_str(), d.snapshot_id.as_deref(), d.size_gb)).collect();
    assert_eq!(
        disks,
        vec![
            ("/dev/xvda", Some("s-ali-sys"), 40),
            ("/dev/xvdb", Some("s-ali-data"), 200),
            ("/dev/xvdc", None, 10),
            ("/dev/xvdd", None, 5)
        ]
    );
    let dup = gw
        .call(
            ALI,
            "CreateImage",
            &[
                REGION,
                ("DiskDeviceMapping.1.SnapshotId", "s-ali-sys"),
                ("DiskDeviceMapping.2.Device", "/dev/xvdb"),
                ("DiskDeviceMapping.3.Device", "/dev/xvdb"),
            ],
        )
        .await;
    check(&dup, 400, "InvalidParameter", "duplicate device");
}

#[tokio::test]
async fn dry_runs_and_client_tokens() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let dry = gw.call(ALI, "CreateImage", &[REGION, ("SnapshotId", "s-ali-sys"), ("DryRun", "True")]).await;
    check(&dry, 400, "DryRunOperation", "dry run");
    assert_eq!(gw.store.account_images("acct-ali").await.unwrap().len(), 1);

    let p = [REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "tok-a"), ("ClientToken", "img-1")];
    let first = gw.call(ALI, "CreateImage", &p).await.field("ImageId");
    assert_eq!(gw.call_signed(Signing::Acs3, ALI, "CreateImage", &p).await.field("ImageId"), first);
    let other = gw
        .call(
            ALI,
            "CreateImage",
            &[REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "tok-b"), ("ClientToken", "img-1")],
        )
        .await;
    check(&other, 403, "InvalidParamter.Conflict", "token reuse");
    assert_eq!(gw.store.account_images("acct-ali").await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_calls_with_one_new_name_make_one_image() {
    let gw = Arc::new(Gateway::start(REFERENCE_WORLD).await);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let gw = gw.clone();
        set.spawn(async move {
            gw.call(ALI, "CreateImage", &[REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "contended")])
                .await
        });
    }
    let replies = set.join_all().await;
    assert_eq!(replies.iter().filter(|r| r.status == 200).count(), 1);
    for r in replies.iter().filter(|r| r.status != 200) {
        check(r, 400, "InvalidImageName.Duplicated", "contended name");
    }
    let named = gw
        .store
        .account_images("acct-ali")
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.name == "contended")
        .count();
    figures("alibaba image name", 20, named, 1);
    assert_eq!(named, 1);
    gw.assert_consistent().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_image_quota_never_overshoots() {
    let q = 4;
    // acct-ali already has one image in cn-hangzhou (golden-base): room for q more.
    let world = reference_with(|w| {
        let ali = w["accounts"].as_array_mut().unwrap().iter_mut().find(|a| a["id"] == "acct-ali").unwrap();
        ali["quotas"] = serde_json::json!({"images_per_region": q + 1});
    });
    let gw = Arc::new(Gateway::start(&world).await);
    let mut set = tokio::task::JoinSet::new();
    for i in 0..3 * q {
        let gw = gw.clone();
        set.spawn(async move {
            let name = format!("quota-{i}");
            gw.call(ALI, "CreateImage", &[REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", &name)]).await
        });
    }
    let replies = set.join_all().await;
    assert_eq!(replies.iter().filter(|r| r.status == 200).count(), q as usize);
    for r in replies.iter().filter(|r| r.status != 200) {
        check(r, 403, "QuotaExceed.Image", "quota");
    }
    let images = gw.store.account_images("acct-ali").await.unwrap().len();
    figures("alibaba image quota", 3 * q as usize, images - 1, q as usize);
    assert_eq!(images, q as usize + 1);
    assert_eq!(gw.store.image_count("acct-ali", "cn-hangzhou").await.unwrap(), q + 1);
    gw.assert_consistent().await;
}
