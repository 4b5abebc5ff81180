//! Every documented CreateSnapshot error code, through the wire: code, HTTP status, message
//! and envelope, against the reference world in DynamoDB Local.

use integration_tests::*;

struct Row {
    code: &'static str,
    status: u16,
    key: (&'static str, &'static str),
    params: Vec<(&'static str, String)>,
}

fn row(
    code: &'static str,
    status: u16,
    key: (&'static str, &'static str),
    params: &[(&'static str, &str)],
) -> Row {
    Row { code, status, key, params: params.iter().map(|(k, v)| (*k, v.to_string())).collect() }
}

fn rows() -> Vec<Row> {
    let long = |n: usize| "a".repeat(n);
    vec![
        row("MissingParameter", 400, ALI, &[("SnapshotName", "x1")]),
        row("InvalidDiskId.NotFound", 404, ALI, &[("DiskId", "d-nope")]),
        row("InvalidDiskId.NotFound", 404, ALI, &[("DiskId", "d-ali-other-sys")]),
        row(
            "InvalidSnapshotName.Malformed",
            400,
            ALI,
            &[("DiskId", "d-ali-stopped-data"), ("SnapshotName", "auto1")],
        ),
        row(
            "InvalidSnapshotName.Malformed",
            400,
            ALI,
            &[("DiskId", "d-ali-stopped-data"), ("SnapshotName", "1x")],
        ),
        row(
            "InvalidSnapshotName.Malformed",
            400,
            ALI,
            &[("DiskId", "d-ali-stopped-data"), ("SnapshotName", "a")],
        ),
        row(
            "InvalidSnapshotName.Malformed",
            400,
            ALI,
            &[("DiskId", "d-ali-stopped-data"), ("SnapshotName", &long(129))],
        ),
        row(
            "InvalidSnapshotName.Malformed",
            400,
            ALI,
            &[("DiskId", "d-ali-stopped-data"), ("SnapshotName", "http://x")],
        ),
        row(
            "InvalidDescription.Malformed",
            404,
            ALI,
            &[("DiskId", "d-ali-stopped-data"), ("Description", "a")],
        ),
        row(
            "InvalidDescription.Malformed",
            404,
            ALI,
            &[("DiskId", "d-ali-stopped-data"), ("Description", &long(257))],
        ),
        row("IncorrectInstanceStatus", 400, ALI, &[("DiskId", "d-ali-starting-sys")]),
        row("InstanceLockedForSecurity", 403, ALI, &[("DiskId", "d-ali-locked-sys")]),
        row("IncorrectDiskStatus.NeverAttached", 403, ALI, &[("DiskId", "d-ali-neverattached")]),
        row("QuotaExceed.Snapshot", 403, ALI_QUOTA, &[("DiskId", "d-ali-quota-data")]),
        row("IncorrectDiskStatus.NeverUsed", 403, ALI, &[("DiskId", "d-ali-unused")]),
        row("IncorrectDiskStatus.NeverUsed", 403, ALI, &[("DiskId", "d-ali-never-sys")]),
        row("CreateSnapshot.Failed", 403, ALI, &[("DiskId", "d-ali-fails")]),
        row("DiskInArrears", 403, ALI, &[("DiskId", "d-ali-arrears")]),
        row("DiskId.ValueNotSupported", 403, ALI, &[("DiskId", "d-ali-nosnapshot")]),
        row("DiskCategory.OperationNotSupported", 400, ALI, &[("DiskId", "d-ali-local")]),
        row("IncorrectDiskStatus", 403, ALI, &[("DiskId", "d-ali-creating")]),
        row("IncorrectDiskStatus", 403, ALI, &[("DiskId", "d-ali-loading")]),
        row("InvalidAccountStatus.NotEnoughBalance", 403, ALI_POOR, &[("DiskId", "d-ali-poor-sys")]),
        row(
            "InvalidAccountStatus.SnapshotServiceUnavailable",
            403,
            ALI_NOSNAP,
            &[("DiskId", "d-ali-nosnap-sys")],
        ),
        row("InvalidInstanceId.NotFound", 404, ALI, &[("DiskId", "d-ali-orphan")]),
        row("IncorrectVolumeStatus", 403, ALI, &[("DiskId", "v-ali-shared")]),
        row("InvalidVolumeId.NotFound", 404, ALI, &[("DiskId", "v-nope")]),
        row("IncorrectDiskStatus.Invalid", 403, ALI, &[("DiskId", "d-ali-invalid")]),
        row("IncorrectDiskType.NotSupport", 403, ALI, &[("DiskId", "d-ali-badtype")]),
        row("IncorrectDiskStatus.Transferring", 403, ALI, &[("DiskId", "d-ali-transferring")]),
        row("InvalidParameter.KMSKeyId.KMSUnauthorized", 403, ALI, &[("DiskId", "d-ali-kms")]),
        row(
            "Duplicate.TagKey",
            400,
            ALI,
            &[("DiskId", "d-ali-stopped-data"), ("Tag.1.Key", "a"), ("Tag.2.Key", "a")],
        ),
        row(
            "InvalidTagKey.Malformed",
            400,
            ALI,
            &[("DiskId", "d-ali-stopped-data"), ("Tag.1.Key", ""), ("Tag.1.Value", "v")],
        ),
        row(
            "InvalidTagKey.Malformed",
            400,
            ALI,
            &[("DiskId", "d-ali-stopped-data"), ("Tag.1.Key", &long(65))],
        ),
        row(
            "InvalidTagKey.Malformed",
            400,
            ALI,
            &[("DiskId", "d-ali-stopped-data"), ("Tag.1.Key", "aliyunx")],
        ),
        row("InvalidTagKey.Malformed", 400, ALI, &[("DiskId", "d-ali-stopped-data"), ("Tag.1.Key", "acs:x")]),
        row(
            "InvalidTagKey.Malformed",
            400,
            ALI,
            &[("DiskId", "d-ali-stopped-data"), ("Tag.1.Key", "http://x")],
        ),
        row(
            "InvalidTagValue.Malformed",
            400,
            ALI,
            &[("DiskId", "d-ali-stopped-data"), ("Tag.1.Key", "k"), ("Tag.1.Value", &long(129))],
        ),
        row(
            "InvalidTagValue.Malformed",
            400,
            ALI,
            &[("DiskId", "d-ali-stopped-data"), ("Tag.1.Key", "k"), ("Tag.1.Value", "acs:x")],
        ),
        row("InvalidParameter", 400, ALI, &[("DiskId", "d-ali-stopped-data"), ("RetentionDays", "0")]),
        row(
            "InvalidRegionId.NotFound",
            404,
            ALI,
            &[("DiskId", "d-ali-stopped-data"), ("RegionId", "cn-nowhere")],
        ),
    ]
}

#[tokio::test]
async fn every_documented_refusal_through_the_wire() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    for (i, r) in rows().iter().enumerate() {
        let params: Vec<(&str, &str)> = r.params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        // Alternate the two signature schemes the SDKs use.
        let signing = if i % 2 == 0 { Signing::V1 } else { Signing::Acs3 };
        let reply = gw.call_signed(signing, r.key, "CreateSnapshot", &params).await;
        assert_eq!(
            (reply.status, reply.code()),
            (r.status, r.code.to_string()),
            "{:?}: {}",
            r.params,
            reply.text
        );
        assert!(reply.content_type.starts_with("application/json"), "{}", reply.content_type);
    }
    // None of those refusals left a snapshot behind.
    for account in ["acct-ali", "acct-ali-quota", "acct-ali-poor", "acct-ali-nosnap"] {
        let before = match account {
            "acct-ali-quota" => 2,
            "acct-ali" => 6,
            _ => 0,
        };
        assert_eq!(gw.store.account_snapshots(account).await.unwrap().len(), before, "{account}");
    }
}

#[tokio::test]
async fn messages_are_the_pages() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let r = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-arrears")]).await;
    assert_eq!(r.field("Message"), "The specified operation is denied as your disk has expired.");
    let r = gw.call(ALI, "CreateSnapshot", &[]).await;
    assert_eq!(
        r.field("Message"),
        "The input parameter \"DiskId\" that is mandatory for processing this request is not supplied."
    );
    let r = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-fails")]).await;
    assert_eq!(r.field("Message"), "The process of creating snapshot is failed.");
}

#[tokio::test]
async fn a_snapshot_is_created_progresses_and_completes() {
    let world = reference_with(|w| w["settings"]["timings"]["snapshot_seconds"] = 1.into());
    let gw = Gateway::start(&world).await;
    let r = gw
        .call_signed(
            Signing::Acs3,
            ALI,
            "CreateSnapshot",
            &[
                ("DiskId", "d-ali-stopped-data"),
                ("SnapshotName", "nightly-1"),
                ("Description", "before upgrade"),
                ("RetentionDays", "7"),
                ("Tag.1.Key", "env"),
                ("Tag.1.Value", "test"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let id = r.field("SnapshotId");
    assert!(id.starts_with("s-") && id.len() == 22, "{id}");
    assert_eq!(r.field("RequestId").len(), 36);

    let first = gw.describe_snapshot(ALI, &id).await;
    assert_eq!(first["Status"], "progressing", "{first}");
    assert_eq!(first["SnapshotName"], "nightly-1");
    assert_eq!(first["Description"], "before upgrade");
    assert_eq!(first["SourceDiskId"], "d-ali-stopped-data");
    assert_eq!(first["SourceDiskType"], "data");
    assert_eq!(first["SourceDiskSize"], "200");
    assert_eq!(first["RetentionDays"], 7);
    assert_eq!(first["Tags"]["Tag"][0]["TagKey"], "env");
    assert_eq!(first["Usage"], "none");

    // While it is in progress the disk takes no second snapshot.
    let again = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-stopped-data")]).await;
    assert_eq!((again.status, again.code()), (403, "IncorrectDiskStatus.CreatingSnapshot".into()));

    gw.advance_clock(1100).await;
    let done = gw.describe_snapshot(ALI, &id).await;
    assert_eq!((done["Status"].as_str(), done["Progress"].as_str()), (Some("accomplished"), Some("100%")));
    let next = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-stopped-data")]).await;
    assert_eq!(next.status, 200, "{}", next.text);
}

#[tokio::test]
async fn an_expired_disk_may_still_be_snapshotted_and_xml_is_served() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let r = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-expired"), ("Format", "XML")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.starts_with("<?xml"), "{}", r.text);
    assert!(
        r.text.contains("<CreateSnapshotResponse><RequestId>") && r.text.contains("<SnapshotId>s-"),
        "{}",
        r.text
    );
    let e = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-nope"), ("Format", "XML")]).await;
    assert_eq!(e.status, 404);
    assert_eq!(e.content_type, "text/xml;charset=utf-8");
    assert!(
        e.text.contains("<Error><RequestId>") && e.text.contains("<Code>InvalidDiskId.NotFound</Code>"),
        "{}",
        e.text
    );
}

#[tokio::test]
async fn client_tokens_replay_refuse_and_report_processing() {
    let world = reference_with(|w| w["settings"]["timings"]["request_processing_ms"] = 700.into());
    let gw = std::sync::Arc::new(Gateway::start(&world).await);
    let params = [("DiskId", "d-ali-stopped-data"), ("SnapshotName", "tok-a"), ("ClientToken", "tok-1")];

    // While the first call is still being processed, the same token is "still processing".
    let first = {
        let gw = gw.clone();
        tokio::spawn(async move { gw.call(ALI, "CreateSnapshot", &params).await })
    };
    // Once the first call has claimed the token (and is still within its 700 ms), the second.
    let key = store::TokenKey {
        account: "acct-ali".into(),
        action: "CreateSnapshot".into(),
        token: "tok-1".into(),
    };
    let claimed = async || gw.store.live_token(&key, chrono::Utc::now()).await.unwrap();
    gw.poll_real(claimed, |record| record.is_some(), "the first call's claim of the token").await;
    let during = gw.call(ALI, "CreateSnapshot", &params).await;
    assert_eq!((during.status, during.code()), (403, "IdempotentProcessing".into()), "{}", during.text);
    let first = first.await.unwrap();
    assert_eq!(first.status, 200, "{}", first.text);
    let id = first.field("SnapshotId");

    // Same parameters afterwards: the same snapshot, and nothing new.
    let replay = gw.call_signed(Signing::Acs3, ALI, "CreateSnapshot", &params).await;
    assert_eq!(replay.field("SnapshotId"), id);
    // Other parameters: refused.
    let other = gw
        .call(
            ALI,
            "CreateSnapshot",
            &[("DiskId", "d-ali-stopped-data"), ("SnapshotName", "tok-b"), ("ClientToken", "tok-1")],
        )
        .await;
    assert_eq!((other.status, other.code()), (403, "IdempotentParameterMismatch".into()));
    // The world's six snapshots and the one the token made.
    assert_eq!(gw.store.account_snapshots("acct-ali").await.unwrap().len(), 7);

    // A refused call gives its token back: fixing the request with the same token works.
    let bad = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-arrears"), ("ClientToken", "tok-2")]).await;
    assert_eq!(bad.code(), "DiskInArrears");
    let fixed =
        gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-expired"), ("ClientToken", "tok-2")]).await;
    assert_eq!(fixed.status, 200, "{}", fixed.text);
}

#[tokio::test]
async fn an_unreachable_store_is_an_internal_error() {
    // Nothing listens on port 9: every store call fails.
    let gw = Gateway::start_on(Some("http://127.0.0.1:9".into()), "").await;
    let r = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-stopped-data")]).await;
    assert_eq!((r.status, r.code()), (500, "InternalError".into()), "{}", r.text);
    assert!(!r.text.contains("127.0.0.1:9"), "internal details leak: {}", r.text);
}
