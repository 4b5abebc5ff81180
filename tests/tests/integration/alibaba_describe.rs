//! Alibaba's Describe calls as the SDKs page and filter them — every filter works or is refused,
//! paging by token — and the readback and validation points around them.

use integration_tests::*;
use serde_json::{json, Value};

const REGION: (&str, &str) = ("RegionId", "cn-hangzhou");

/// Action, expected code, parameters.
type Refusal<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>);

/// The reference world, snapshots complete at once, and `extra` more snapshots of d-ali-expired.
fn world(extra: usize) -> String {
    reference_with(|w| {
        w["settings"]["timings"] = json!({"snapshot_seconds": 0, "image_seconds": 30});
        for i in 0..extra {
            w["snapshots"].as_array_mut().unwrap().push(json!({"id": format!("s-ali-extra-{i:02}"),
                "account": "acct-ali", "region": "cn-hangzhou", "disk": "d-ali-expired",
                "created_at": format!("-{}h", i + 2)}));
        }
    })
}

async fn snapshots(gw: &Gateway, params: &[(&str, &str)]) -> Value {
    let mut p = vec![REGION];
    p.extend_from_slice(params);
    let r = gw.call(ALI, "DescribeSnapshots", &p).await;
    assert_eq!(r.status, 200, "{params:?}: {}", r.text);
    r.json()
}

fn ids(v: &Value) -> Vec<String> {
    v["Snapshots"]["Snapshot"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["SnapshotId"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn paging_by_token_visits_everything_once() {
    let gw = Gateway::start(&world(20)).await;
    let all = snapshots(&gw, &[("PageSize", "100")]).await;
    let total = all["TotalCount"].as_u64().unwrap() as usize;
    assert!(total > 15, "{total}");
    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let mut p = vec![("MaxResults", "5")];
        if !token.is_empty() {
            p.push(("NextToken", token.as_str()));
        }
        let page = snapshots(&gw, &p).await;
        assert_eq!(page["TotalCount"].as_u64().unwrap() as usize, total);
        seen.extend(ids(&page));
        pages += 1;
        token = page["NextToken"].as_str().unwrap().to_string();
        if token.is_empty() {
            break;
        }
        assert!(pages < 20, "paging does not end");
    }
    assert!(pages > 3, "{pages} pages");
    assert_eq!(seen, ids(&all), "every snapshot once, in order");

    // Bounds and tokens that are not this query's.
    let first = snapshots(&gw, &[("MaxResults", "5")]).await;
    let token = first["NextToken"].as_str().unwrap().to_string();
    let tampered = format!("{}x", &token[..token.len() - 1]);
    let refused: Vec<Vec<(&str, &str)>> = vec![
        vec![("MaxResults", "0")],
        vec![("MaxResults", "101")],
        vec![("MaxResults", "-1")],
        vec![("MaxResults", "abc")],
        vec![("NextToken", "garbage")],
        vec![("NextToken", &tampered)],
        vec![("NextToken", &token), ("DiskId", "d-ali-expired")],
    ];
    for params in refused {
        let mut p = vec![REGION];
        p.extend(params.iter().copied());
        let r = gw.call(ALI, "DescribeSnapshots", &p).await;
        assert_eq!((r.status, r.code()), (400, "InvalidParameter".to_string()), "{params:?}");
    }
}

#[tokio::test]
async fn every_snapshot_filter_narrows_or_is_refused() {
    let gw = Gateway::start(&world(0)).await;
    let flash = gw
        .call(
            ALI,
            "CreateSnapshot",
            &[
                ("DiskId", "d-ali-expired"),
                ("Category", "Flash"),
                ("ResourceGroupId", "rg-x"),
                ("InstantAccess", "true"),
                ("InstantAccessRetentionDays", "3"),
            ],
        )
        .await
        .field("SnapshotId");
    let made =
        gw.call(ALI, "CreateImage", &[REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "uses-sys")]).await;
    assert_eq!(made.status, 200, "{}", made.text);
    let total = snapshots(&gw, &[("PageSize", "100")]).await["TotalCount"].as_u64().unwrap();
    let count = |params: Vec<(&'static str, String)>| {
        let gw = &gw;
        async move {
            let p: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            snapshots(gw, &p).await["TotalCount"].as_u64().unwrap()
        }
    };
    let v = |k: &'static str, val: &str| vec![(k, val.to_string())];
    assert_eq!(count(v("Usage", "image")).await, 1, "only s-ali-sys backs an image");
    assert_eq!(count(v("Usage", "none")).await, total - 1);
    assert_eq!(count(v("Usage", "disk")).await, 0);
    assert_eq!(count(v("Encrypted", "true")).await, 0);
    assert_eq!(count(v("Encrypted", "false")).await, total);
    assert_eq!(count(v("KMSKeyId", "key-1")).await, 0);
    assert_eq!(count(v("Category", "flash")).await, 1);
    assert_eq!(count(v("Category", "Standard")).await, total - 1);
    assert_eq!(count(v("ResourceGroupId", "rg-x")).await, 1);
    assert_eq!(
        count(v("SnapshotLinkId", "sl-d-ali-expired")).await,
        count(v("DiskId", "d-ali-expired")).await
    );
    let in_future = (chrono::Utc::now() + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%MZ").to_string();
    let hour_ago = (chrono::Utc::now() - chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%MZ").to_string();
    let window = |key: &'static str, at: &str| {
        vec![("Filter.1.Key", key.to_string()), ("Filter.1.Value", at.to_string())]
    };
    assert_eq!(count(window("CreationStartTime", &hour_ago)).await, 1, "only the new one is that recent");
    assert_eq!(count(window("CreationEndTime", &hour_ago)).await, total - 1);
    assert_eq!(count(window("CreationStartTime", &in_future)).await, 0);
    // Duplicated ids count once; readback of what was asked for.
    let ids_twice = format!("[\"{flash}\",\"{flash}\",\"{flash}\"]");
    let listed = snapshots(&gw, &[("SnapshotIds", &ids_twice)]).await;
    assert_eq!(listed["TotalCount"], 1);
    let s = &listed["Snapshots"]["Snapshot"][0];
    assert_eq!((s["Category"].as_str(), s["InstantAccess"].as_bool()), (Some("flash"), Some(true)), "{s}");
    assert_eq!(s["InstantAccessRetentionDays"], 3);

    let refused: Vec<Vec<(&str, &str)>> = vec![
        vec![("Usage", "x")],
        vec![("Category", "bogus")],
        vec![("Encrypted", "maybe")],
        vec![("Filter.1.Key", "Colour"), ("Filter.1.Value", "red")],
        vec![("Filter.1.Key", "CreationStartTime"), ("Filter.1.Value", "yesterday")],
        vec![("Bogus", "1")],
        vec![("Tag.01.Key", "a"), ("Tag.1.Key", "b")],
    ];
    for params in refused {
        let mut p = vec![REGION];
        p.extend(params.iter().copied());
        let r = gw.call(ALI, "DescribeSnapshots", &p).await;
        assert_eq!((r.status, r.code()), (400, "InvalidParameter".to_string()), "{params:?}");
    }
    let dry = gw.call(ALI, "DescribeSnapshots", &[REGION, ("DryRun", "true")]).await;
    assert_eq!((dry.status, dry.code()), (400, "DryRunOperation".to_string()));
}

/// How many images DescribeImages lists, in any state, with these filters.
async fn image_count(gw: &Gateway, params: Vec<(&'static str, &'static str)>) -> u64 {
    let mut p = vec![REGION, ("Status", "Creating,Available"), ("PageSize", "100")];
    p.extend(params);
    let r = gw.call(ALI, "DescribeImages", &p).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["TotalCount"].as_u64().unwrap()
}

#[tokio::test]
async fn every_image_filter_narrows_or_is_refused() {
    let gw = Gateway::start(&world(0)).await;
    let arm = gw
        .call(
            ALI,
            "CreateImage",
            &[
                REGION,
                ("SnapshotId", "s-ali-sys"),
                ("ImageName", "arm-one"),
                ("Architecture", "arm64"),
                ("ResourceGroupId", "rg-arm"),
                ("Features.ImdsSupport", "v2"),
            ],
        )
        .await
        .field("ImageId");
    let all = ["Creating", "Available"].join(",");
    let count = |params: Vec<(&'static str, &'static str)>| image_count(&gw, params);
    let total = count(vec![]).await;
    assert!(total >= 2);
    assert_eq!(count(vec![("SnapshotId", "s-nonexist")]).await, 0);
    assert_eq!(count(vec![("SnapshotId", "s-ali-sys")]).await, 1);
    assert_eq!(count(vec![("Architecture", "arm64")]).await, 1);
    assert_eq!(count(vec![("Architecture", "x86_64")]).await, total - 1);
    assert_eq!(count(vec![("OSType", "windows")]).await, 0);
    assert_eq!(count(vec![("OSType", "linux")]).await, total);
    assert_eq!(count(vec![("IsSupportCloudinit", "false")]).await, 0);
    assert_eq!(count(vec![("IsPublic", "true")]).await, 0);
    assert_eq!(count(vec![("ResourceGroupId", "rg-arm")]).await, 1);
    assert_eq!(count(vec![("Usage", "instance")]).await, 0);
    assert_eq!(count(vec![("Usable", "false")]).await, 1);
    assert_eq!(count(vec![("Usable", "true")]).await, total - 1);
    assert_eq!(count(vec![("InstanceType", "ecs.g7.large"), ("ActionType", "CreateEcs")]).await, total);
    let id_list: &'static str = Box::leak(format!("{arm},{arm}").into_boxed_str());
    assert_eq!(count(vec![("ImageId", id_list)]).await, 1);
    let listed = gw.call(ALI, "DescribeImages", &[REGION, ("ImageId", &arm), ("Status", &all)]).await.json();
    let image = &listed["Images"]["Image"][0];
    assert_eq!(image["Features"]["ImdsSupport"], "v2");
    let owner: &'static str = Box::leak(image["ImageOwnerId"].as_u64().unwrap().to_string().into_boxed_str());
    assert_eq!(count(vec![("ImageOwnerId", owner)]).await, total);
    assert_eq!(count(vec![("ImageOwnerId", "1")]).await, 0);
    // Still creating: the mapping's remaining time counts down.
    assert_eq!(image["Status"], "Creating");
    assert!(
        image["DiskDeviceMappings"]["DiskDeviceMapping"][0]["RemainTime"].as_i64().unwrap() > 0,
        "{image}"
    );

    for params in [
        vec![("Architecture", "sparc")],
        vec![("OSType", "beos")],
        vec![("InstanceType", "large")],
        vec![("ActionType", "Reboot")],
        vec![("Usage", "x")],
        vec![("Filter.1.Key", "Size"), ("Filter.1.Value", "1")],
        vec![("Nonsense", "1")],
    ] {
        let mut p = vec![REGION];
        p.extend(params.iter().copied());
        let r = gw.call(ALI, "DescribeImages", &p).await;
        assert_eq!((r.status, r.code()), (400, "InvalidParameter".to_string()), "{params:?}");
    }
    let dry = gw.call(ALI, "DescribeImages", &[REGION, ("DryRun", "true")]).await;
    assert_eq!((dry.status, dry.code()), (400, "DryRunOperation".to_string()));
}

/// DescribeImages of one image with these parameters: its status and `Usable`, `None` when it is
/// not listed.
async fn image_seen(gw: &Gateway, id: &str, params: &[(&str, &str)]) -> Option<(String, bool)> {
    let mut p = vec![REGION, ("ImageId", id)];
    p.extend_from_slice(params);
    let r = gw.call(ALI, "DescribeImages", &p).await;
    assert_eq!(r.status, 200, "{params:?}: {}", r.text);
    let listed = r.json();
    let image = listed["Images"]["Image"].get(0)?;
    Some((image["Status"].as_str().unwrap().to_string(), image["Usable"].as_bool().unwrap()))
}

/// Terraform's image resource polls with `Status=ALL` until `Usable`; Packer names the statuses.
#[tokio::test]
async fn status_all_and_usable_follow_an_image_to_available() {
    let gw = Gateway::start(&world(0)).await;
    let made =
        gw.call(ALI, "CreateImage", &[REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "polled")]).await;
    let id = made.field("ImageId");
    let creating = Some(("Creating".to_string(), false));
    assert_eq!(image_seen(&gw, &id, &[("Status", "ALL")]).await, creating);
    assert_eq!(image_seen(&gw, &id, &[("Status", "all")]).await, creating);
    assert_eq!(image_seen(&gw, &id, &[]).await, None, "the default lists Available alone");
    // With Usable and no Status, no status narrows: Usable alone does.
    assert_eq!(image_seen(&gw, &id, &[("Usable", "false")]).await, creating);
    assert_eq!(image_seen(&gw, &id, &[("Usable", "true")]).await, None);
    assert_eq!(
        image_seen(&gw, &id, &[("Status", "Waiting,Creating,CreateFailed,Available")]).await,
        creating
    );

    gw.advance_clock(31_000).await;
    let available = Some(("Available".to_string(), true));
    assert_eq!(image_seen(&gw, &id, &[("Status", "ALL")]).await, available);
    assert_eq!(image_seen(&gw, &id, &[("Usable", "true")]).await, available);
    assert_eq!(image_seen(&gw, &id, &[]).await, available);

    for status in ["ALL,Available", "Available,ALL", "Gone"] {
        let r = gw.call(ALI, "DescribeImages", &[REGION, ("Status", status)]).await;
        assert_eq!((r.status, r.code()), (400, "InvalidParameter".to_string()), "{status}: {}", r.text);
    }
}

#[tokio::test]
async fn validation_and_readback_points() {
    let gw = Gateway::start(&world(0)).await;
    let refusals: Vec<Refusal> = vec![
        (
            "CreateSnapshot",
            "InvalidDescription.Malformed",
            vec![("DiskId", "d-ali-expired"), ("Description", "bell\u{7}s")],
        ),
        (
            "CreateSnapshot",
            "InvalidDescription.Malformed",
            vec![("DiskId", "d-ali-expired"), ("Description", "nul\u{0}x")],
        ),
        (
            "CreateSnapshot",
            "InvalidTagValue.Malformed",
            vec![("DiskId", "d-ali-expired"), ("Tag.1.Key", "k"), ("Tag.1.Value", "a\u{1f}")],
        ),
        ("CreateSnapshot", "InvalidParameter", vec![("DiskId", "d-ali-expired"), ("Category", "bogus")]),
        (
            "CreateSnapshot",
            "InvalidParameter",
            vec![("DiskId", "d-ali-expired"), ("InstantAccessRetentionDays", "3")],
        ),
        (
            "CreateSnapshot",
            "InvalidParameter",
            vec![("DiskId", "d-ali-expired"), ("Tag.01.Key", "a"), ("Tag.1.Key", "b")],
        ),
        ("CreateSnapshot", "InvalidParameter", vec![("DiskId", "d-ali-expired"), ("Colour", "red")]),
        (
            "CreateImage",
            "InvalidParameter",
            vec![REGION, ("SnapshotId", "s-ali-sys"), ("Architecture", "sparc")],
        ),
        (
            "CreateImage",
            "InvalidParameter",
            vec![REGION, ("SnapshotId", "s-ali-sys"), ("Features.ImdsSupport", "v9")],
        ),
    ];
    for (action, expected, params) in refusals {
        let r = gw.call(ALI, action, &params).await;
        assert_eq!(r.code(), expected, "{action} {params:?}: {}", r.text);
    }
    // The ImageName rule as the page states it: an English letter or a Chinese character first.
    for bad in ["éte-image", "Ａbc-image", "イメージ", "Ωmega", "이미지-1"] {
        let r = gw.call(ALI, "CreateImage", &[REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", bad)]).await;
        assert_eq!(r.code(), "InvalidImageName.Malformed", "{bad}");
    }
    let ok =
        gw.call(ALI, "CreateImage", &[REGION, ("SnapshotId", "s-ali-sys"), ("ImageName", "镜像-one")]).await;
    assert_eq!(ok.status, 200, "{}", ok.text);

    // The API version must be this one (checked here with signatures off, so that the request
    // can leave it out).
    let off = Gateway::start(&reference_with(|w| w["settings"]["auth"] = "off".into())).await;
    let base = format!("Action=DescribeSnapshots&RegionId=cn-hangzhou&AccessKeyId={}", ALI.0);
    let missing = off.raw("POST", &format!("/?{base}"), &[], Vec::new()).await;
    assert_eq!((missing.status, missing.code()), (400, "MissingParameter".to_string()), "{}", missing.text);
    let other = off.raw("POST", &format!("/?{base}&Version=2016-01-01"), &[], Vec::new()).await;
    assert_eq!((other.status, other.code()), (400, "InvalidVersion".to_string()), "{}", other.text);
    let right = off.raw("POST", &format!("/?{base}&Version=2014-05-26"), &[], Vec::new()).await;
    assert_eq!(right.status, 200, "{}", right.text);
}

#[tokio::test]
async fn a_client_token_replays_across_sdk_forms() {
    let gw = Gateway::start(&world(0)).await;
    // The old SDK sends RegionId and the tags in its order; the tea SDK (ACS3) sends no RegionId.
    let old = gw
        .call_signed(
            Signing::V1,
            ALI,
            "CreateSnapshot",
            &[
                ("DiskId", "d-ali-expired"),
                ("RegionId", "cn-hangzhou"),
                ("ClientToken", "one-call"),
                ("Tag.1.Key", "a"),
                ("Tag.1.Value", "1"),
                ("Tag.2.Key", "b"),
                ("Tag.2.Value", "2"),
            ],
        )
        .await;
    let first = old.field("SnapshotId");
    let tea = gw
        .call_signed(
            Signing::Acs3,
            ALI,
            "CreateSnapshot",
            &[
                ("DiskId", "d-ali-expired"),
                ("ClientToken", "one-call"),
                ("Tag.1.Key", "b"),
                ("Tag.1.Value", "2"),
                ("Tag.2.Key", "a"),
                ("Tag.2.Value", "1"),
                ("Category", "Standard"),
            ],
        )
        .await;
    assert_eq!(tea.field("SnapshotId"), first, "{}", tea.text);
    let other = gw
        .call_signed(
            Signing::Acs3,
            ALI,
            "CreateSnapshot",
            &[("DiskId", "d-ali-expired"), ("ClientToken", "one-call"), ("SnapshotName", "different")],
        )
        .await;
    assert_eq!(other.code(), "IdempotentParameterMismatch");
}

#[tokio::test]
async fn a_snapshot_that_never_completes_reads_as_such() {
    let gw = Gateway::start(&reference_with(|w| {
        w["snapshots"].as_array_mut().unwrap().push(json!({"id": "s-ali-stuck", "account": "acct-ali",
            "region": "cn-hangzhou", "disk": "d-ali-expired", "status": "progressing", "progress": 42}));
    }))
    .await;
    let listed = snapshots(&gw, &[("SnapshotIds", "[\"s-ali-stuck\",\"s-ali-progressing\"]")]).await;
    let by_id = |id: &str| {
        listed["Snapshots"]["Snapshot"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["SnapshotId"] == id)
            .unwrap()
            .clone()
    };
    let stuck = by_id("s-ali-stuck");
    assert_eq!(
        (stuck["Status"].as_str(), stuck["Progress"].as_str(), stuck["RemainTime"].as_i64()),
        (Some("progressing"), Some("42%"), Some(-1))
    );
    // Without a `progress`, it has not started: 0%, time unknown.
    let plain = by_id("s-ali-progressing");
    assert_eq!((plain["Progress"].as_str(), plain["RemainTime"].as_i64()), (Some("0%"), Some(-1)));
    // The world refuses a progress on a snapshot that is not in progress.
    let bad = reference_with(|w| w["snapshots"][0]["progress"] = 10.into());
    assert!(world::parse(&bad, chrono::Utc::now()).is_err());
}
