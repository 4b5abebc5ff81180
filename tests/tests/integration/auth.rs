//! Signatures are checked against the account's secret; bad, stale, replayed or unknown
//! credentials get Alibaba's codes; accounts never see each other's resources.

use integration_tests::*;

#[tokio::test]
async fn bad_credentials_are_refused_with_the_providers_codes() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let p = [("DiskId", "d-ali-expired")];
    for signing in [Signing::V1, Signing::Acs3] {
        let wrong = gw.call_signed(signing, (ALI.0, "not-the-secret"), "CreateSnapshot", &p).await;
        assert_eq!((wrong.status, wrong.code()), (400, "SignatureDoesNotMatch".into()), "{signing:?}");
        assert!(wrong.field("Message").starts_with(
            "Specified signature is not matched with our calculation. server string to sign is:"
        ));
        let unknown = gw.call_signed(signing, ("LTAInobody", "x"), "CreateSnapshot", &p).await;
        assert_eq!((unknown.status, unknown.code()), (404, "InvalidAccessKeyId.NotFound".into()));
        // A Tencent key is not an Alibaba key.
        let tencent = gw
            .call_signed(
                signing,
                ("AKIDRefTencent00000000000000000001", "RefTencentSecret00000000000000001"),
                "CreateSnapshot",
                &p,
            )
            .await;
        assert_eq!(tencent.code(), "InvalidAccessKeyId.NotFound");
    }
    let unsigned = gw.call_signed(Signing::None, ALI, "CreateSnapshot", &p).await;
    assert_eq!((unsigned.status, unsigned.code()), (400, "MissingParameter".into()));
    assert!(unsigned.field("Message").contains("\"AccessKeyId\""));
}

#[tokio::test]
async fn stale_and_replayed_requests_are_refused() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    // Correctly signed, an hour old.
    let mut pairs =
        vec![("Action".to_string(), "CreateSnapshot".to_string()), ("DiskId".into(), "d-ali-expired".into())];
    let hour_ago = chrono::Utc::now() - chrono::Duration::hours(1);
    dialects::alibaba::signature::sign_v1("POST", &mut pairs, ALI.0, ALI.1, hour_ago);
    let stale = gw.raw("POST", &format!("/?{}", query(&pairs)), &[], vec![]).await;
    assert_eq!((stale.status, stale.code()), (400, "InvalidTimeStamp.Expired".into()), "{}", stale.text);

    // The same signed request twice: the nonce was used already.
    let mut pairs = vec![
        ("Action".to_string(), "DescribeSnapshots".to_string()),
        ("RegionId".into(), "cn-hangzhou".into()),
    ];
    dialects::alibaba::signature::sign_v1("POST", &mut pairs, ALI.0, ALI.1, chrono::Utc::now());
    let path = format!("/?{}", query(&pairs));
    assert_eq!(gw.raw("POST", &path, &[], vec![]).await.status, 200);
    let again = gw.raw("POST", &path, &[], vec![]).await;
    assert_eq!((again.status, again.code()), (400, "SignatureNonceUsed".into()));
}

#[tokio::test]
async fn accounts_are_isolated() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let r = gw.call(ALI_OTHER, "CreateSnapshot", &[("DiskId", "d-ali-expired")]).await;
    assert_eq!((r.status, r.code()), (404, "InvalidDiskId.NotFound".into()));
    let mine = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-expired")]).await.field("SnapshotId");
    let ids = format!("[\"{mine}\",\"s-ali-other\"]");
    let theirs =
        gw.call(ALI_OTHER, "DescribeSnapshots", &[("RegionId", "cn-hangzhou"), ("SnapshotIds", &ids)]).await;
    let listed: Vec<String> = theirs.json()["Snapshots"]["Snapshot"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["SnapshotId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, vec!["s-ali-other".to_string()]);
}

#[tokio::test]
async fn with_auth_off_the_key_alone_picks_the_account() {
    let world = reference_with(|w| w["settings"]["auth"] = "off".into());
    let gw = Gateway::start(&world).await;
    let r = gw
        .call_signed(Signing::V1, (ALI.0, "anything"), "CreateSnapshot", &[("DiskId", "d-ali-expired")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = gw
        .call_signed(
            Signing::None,
            ALI,
            "CreateSnapshot",
            &[("DiskId", "d-ali-stopped-sys"), ("AccessKeyId", ALI.0)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = gw.call_signed(Signing::None, ALI, "CreateSnapshot", &[("DiskId", "d-ali-stopped-sys")]).await;
    assert_eq!(r.code(), "MissingParameter", "an account is still needed");
}

/// The nonce is remembered alongside the create's reads rather than before them: a replayed
/// create must still never write. The same signed request, ten at once and again after: exactly
/// one snapshot, every other answer `SignatureNonceUsed`. Sent again after a refusal, a captured
/// request stays refused (its nonce was used by the refusal).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replayed_create_never_writes() {
    let world = reference_with(|w| w["settings"]["timings"] = serde_json::json!({"snapshot_seconds": 0}));
    let gw = std::sync::Arc::new(Gateway::start(&world).await);
    let mut pairs =
        vec![("Action".to_string(), "CreateSnapshot".to_string()), ("DiskId".into(), "d-ali-expired".into())];
    dialects::alibaba::signature::sign_v1("POST", &mut pairs, ALI.0, ALI.1, chrono::Utc::now());
    let path = format!("/?{}", query(&pairs));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (gw, path) = (gw.clone(), path.clone());
        set.spawn(async move { gw.raw("POST", &path, &[], vec![]).await });
    }
    let mut replies = set.join_all().await;
    replies.push(gw.raw("POST", &path, &[], vec![]).await);
    let made = replies.iter().filter(|r| r.status == 200).count();
    let reused = replies.iter().filter(|r| r.status == 400 && r.code() == "SignatureNonceUsed").count();
    assert_eq!((made, reused), (1, 10), "{:?}", replies.iter().map(|r| &r.text).collect::<Vec<_>>());
    assert_eq!(gw.store.disk_snapshots("d-ali-expired").await.unwrap().len(), 1);

    // Refused the first time (another account's disk), refused as a replay the second.
    let mut pairs = vec![
        ("Action".to_string(), "CreateSnapshot".to_string()),
        ("DiskId".into(), "d-ali-other-sys".into()),
    ];
    dialects::alibaba::signature::sign_v1("POST", &mut pairs, ALI.0, ALI.1, chrono::Utc::now());
    let path = format!("/?{}", query(&pairs));
    assert_eq!(gw.raw("POST", &path, &[], vec![]).await.code(), "InvalidDiskId.NotFound");
    assert_eq!(gw.raw("POST", &path, &[], vec![]).await.code(), "SignatureNonceUsed");
    gw.assert_consistent().await;
}
