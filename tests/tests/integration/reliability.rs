//! Reliability and security findings, each through the wire: over-long ids, replays of released
//! resources, one visibility rule for expired snapshots, the ACS3 action header, the Lambda body
//! limit, worlds that would take over another account's ids, and the skew bound.

use integration_tests::*;
use serde_json::{json, Value};
use service::App;

/// Action, parameters, expected status and code.
type Row<'a> = (&'a str, Vec<(&'a str, &'a str)>, u16, &'a str);

#[tokio::test]
async fn over_long_ids_are_not_found_never_a_500() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let long = "x".repeat(3000);
    let ids = format!("[\"{long}\"]");
    let rows: Vec<Row> = vec![
        ("CreateSnapshot", vec![("DiskId", &long)], 404, "InvalidDiskId.NotFound"),
        ("DescribeSnapshots", vec![("RegionId", &long)], 404, "InvalidRegionId.NotFound"),
        (
            "CreateImage",
            vec![("RegionId", "cn-hangzhou"), ("InstanceId", &long)],
            400,
            "InvalidInstanceId.NotFound",
        ),
    ];
    for (action, params, status, code) in rows {
        let r = gw.call(ALI, action, &params).await;
        assert_eq!((r.status, r.code()), (status, code.to_string()), "{action}");
    }
    for params in [
        vec![("RegionId", "cn-hangzhou"), ("SnapshotIds", ids.as_str())],
        vec![("RegionId", "cn-hangzhou"), ("DiskId", &long)],
    ] {
        let r = gw.call(ALI, "DescribeSnapshots", &params).await;
        assert_eq!(
            (r.status, r.json()["TotalCount"].as_u64()),
            (200, Some(0)),
            "{}",
            &r.text[..200.min(r.text.len())]
        );
    }
    // An unknown, over-long key or nonce, before any signature is checked.
    let key = gw
        .raw(
            "GET",
            &format!("/?Action=DescribeSnapshots&Version=2014-05-26&AccessKeyId={long}"),
            &[],
            Vec::new(),
        )
        .await;
    assert_eq!((key.status, key.code()), (404, "InvalidAccessKeyId.NotFound".to_string()));
    let nonce =
        format!("/?Action=DescribeSnapshots&Version=2014-05-26&AccessKeyId={}&SignatureNonce={long}", ALI.0);
    let r = gw.raw("GET", &nonce, &[], Vec::new()).await;
    assert_eq!((r.status, r.code()), (400, "IncompleteSignature".to_string()));
    // Tencent and Zenlayer.
    let tc = gw.tc_in(TcSigning::Tc3, TC, &long, "DescribeImages", json!({})).await;
    assert_eq!(tc.tc_code().as_deref(), Some("UnsupportedRegion"));
    let tc = gw.tc(TcSigning::Tc3, TC, "CreateSnapshot", json!({"DiskId": long})).await;
    assert_eq!(tc.tc_code().as_deref(), Some("InvalidDiskId.NotFound"));
    let zl = gw.zl(ZL, "CreateImage", json!({"instanceId": long, "imageName": "ab"})).await;
    assert_eq!((zl.status, zl.zl_code().as_deref()), (404, Some("INVALID_INSTANCE_NOT_FOUND")));
}

fn retention_world() -> String {
    reference_with(|w| {
        w["settings"]["timings"] = json!({"snapshot_seconds": 0, "image_seconds": 0});
        let snapshots = w["snapshots"].as_array_mut().unwrap();
        for id in ["s-ret-image", "s-ret-plain"] {
            snapshots.push(
                json!({"id": id, "account": "acct-ali", "region": "cn-hangzhou", "disk": "d-ali-stopped-sys",
                "source_disk_type": "system", "created_at": "-1d", "retention_days": 2}),
            );
        }
        snapshots.push(json!({"id": "s-ret-gone", "account": "acct-ali", "region": "cn-hangzhou", "disk": "d-ali-stopped-sys",
            "source_disk_type": "system", "created_at": "-3d", "retention_days": 1}));
    })
}

#[tokio::test]
async fn one_rule_for_expired_snapshots_and_images_keep_theirs() {
    let gw = Gateway::start(&retention_world()).await;
    let region = ("RegionId", "cn-hangzhou");
    // Past its retention: not listed, and no image can be made from it.
    let listed = gw.call(ALI, "DescribeSnapshots", &[region, ("SnapshotIds", "[\"s-ret-gone\"]")]).await;
    assert_eq!(listed.json()["TotalCount"], 0);
    let refused = gw.call(ALI, "CreateImage", &[region, ("SnapshotId", "s-ret-gone")]).await;
    assert_eq!((refused.status, refused.code()), (404, "InvalidSnapshotId.NotFound".to_string()));
    // An image made from a snapshot keeps it past its retention.
    let made =
        gw.call(ALI, "CreateImage", &[region, ("SnapshotId", "s-ret-image"), ("ImageName", "keeps")]).await;
    assert_eq!(made.status, 200, "{}", made.text);
    let three_days_on = chrono::Utc::now() + chrono::Duration::days(3);
    let later = App::new(gw.store.clone()).at(three_days_on);
    let report = service::scheduler::run(&later, three_days_on).await.unwrap();
    assert!(report.kept.contains(&"s-ret-image".to_string()), "{report:?}");
    assert!(report.released.contains(&"s-ret-plain".to_string()), "{report:?}");
    assert!(report.released.contains(&"s-ret-gone".to_string()), "{report:?}");
    assert!(gw.store.snapshot("s-ret-image").await.unwrap().is_some());
    assert!(gw.store.snapshot("s-ret-plain").await.unwrap().is_none());
    gw.assert_consistent().await;
}

#[tokio::test]
async fn a_client_token_whose_snapshot_was_released_answers_its_id_again() {
    let gw = Gateway::start(&retention_world()).await;
    let call = [("DiskId", "d-ali-expired"), ("ClientToken", "before-release"), ("RetentionDays", "1")];
    let first = gw.call(ALI, "CreateSnapshot", &call).await.field("SnapshotId");
    let snapshot = gw.store.snapshot(&first).await.unwrap().unwrap();
    assert!(gw.store.release_snapshot(&snapshot).await.unwrap());
    let again = gw.call(ALI, "CreateSnapshot", &call).await;
    assert_eq!((again.status, again.field("SnapshotId")), (200, first));
    assert_eq!(gw.store.disk_snapshots("d-ali-expired").await.unwrap().len(), 0, "nothing made again");
    gw.assert_consistent().await;
}

#[tokio::test]
async fn the_acs3_action_header_is_signed_and_agrees_with_the_query() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let host = gw.addr.to_string();
    // Signed without x-acs-action in the signed headers: refused.
    let mut req = http::Request::builder()
        .method("POST")
        .uri("/?RegionId=cn-hangzhou")
        .header("host", &host)
        .body(bytes::Bytes::new())
        .unwrap();
    dialects::alibaba::signature::sign_acs3(&mut req, ALI.0, ALI.1, chrono::Utc::now());
    req.headers_mut().insert("x-acs-action", "DescribeSnapshots".parse().unwrap());
    let headers: Vec<(String, String)> =
        req.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string())).collect();
    let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = gw.raw("POST", "/?RegionId=cn-hangzhou", &h, Vec::new()).await;
    assert_eq!((r.status, r.code()), (400, "IncompleteSignature".to_string()), "{}", r.text);
    // A header and a query naming two actions.
    let r = gw
        .raw(
            "POST",
            "/?Action=CreateSnapshot&DiskId=d-ali-expired",
            &[("x-acs-action", "DescribeSnapshots")],
            Vec::new(),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "InvalidParameter".to_string()), "{}", r.text);
    assert!(gw.store.disk_snapshots("d-ali-expired").await.unwrap().is_empty());
}

#[tokio::test]
async fn the_lambda_entry_points_refuse_oversized_bodies() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let app = App::new(gw.store.clone());
    let event: Value = json!({
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/x/y"}},
        "httpMethod": "POST", "path": "/", "queryStringParameters": {"Action": "CreateSnapshot"},
        "headers": {"host": "h", "content-type": "application/x-www-form-urlencoded"},
        "body": "a".repeat(2 << 20), "isBase64Encoded": false
    });
    let req = lambda_http::request::from_str(&event.to_string()).unwrap();
    let resp = service::lambda::handle(&app, req, service::Scope::All).await;
    assert_eq!(resp.status().as_u16(), 400);
}

#[tokio::test]
async fn a_world_cannot_take_over_another_accounts_ids() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    // Another account claims acct-ali's disk id, and Tencent's access key.
    let thief = json!({"version": 1,
        "regions": [{"id": "cn-hangzhou", "provider": "alibaba", "zones": ["cn-hangzhou-h"]}],
        "accounts": [{"id": "acct-thief", "provider": "alibaba",
            "credentials": [{"access_key_id": "thief-key", "secret": "s"}]}],
        "disks": [{"id": "d-ali-expired", "account": "acct-thief", "region": "cn-hangzhou", "zone": "cn-hangzhou-h", "type": "data"}]});
    let parsed = world::parse(&thief.to_string(), chrono::Utc::now()).unwrap();
    let e = gw.store.load_world(&parsed).await.unwrap_err().to_string();
    assert!(e.contains("d-ali-expired") && e.contains("acct-ali"), "{e}");
    assert!(gw.store.account("acct-thief").await.unwrap().is_none(), "nothing was written");
    assert_eq!(gw.store.disk("d-ali-expired").await.unwrap().unwrap().account, "acct-ali");
    let key = json!({"version": 1, "accounts": [{"id": "acct-thief", "provider": "tencent",
        "credentials": [{"access_key_id": TC.0, "secret": "s"}]}]});
    let e =
        gw.store.load_world(&world::parse(&key.to_string(), chrono::Utc::now()).unwrap()).await.unwrap_err();
    assert!(e.to_string().contains(TC.0), "{e}");
    // Reloading the same world is fine.
    gw.store.load_world(&world::parse(REFERENCE_WORLD, chrono::Utc::now()).unwrap()).await.unwrap();
    gw.assert_consistent().await;
}

#[test]
fn the_skew_is_bounded_below_the_nonce_memory() {
    let world = reference_with(|w| w["settings"]["signature_max_skew_seconds"] = 172_800.into());
    let e = world::parse(&world, chrono::Utc::now()).unwrap_err().to_string();
    assert!(e.contains("settings.signature_max_skew_seconds"), "{e}");
}

#[tokio::test]
async fn unauthenticated_requests_leave_no_nonce_behind() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let now = chrono::Utc::now();
    for (key, nonce) in [("nobody", "n-unknown-key"), (ALI.0, "n-wrong-signature")] {
        let q = format!(
            "/?Action=DescribeSnapshots&Version=2014-05-26&RegionId=cn-hangzhou&AccessKeyId={key}&SignatureNonce={nonce}\
             &SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&Timestamp={}&Signature=AAAA",
            now.format("%Y-%m-%dT%H:%M:%SZ")
        );
        let r = gw.raw("GET", &q, &[], Vec::new()).await;
        assert!(r.status >= 400, "{}", r.text);
        // Had the refused request been remembered, remembering its nonce now would fail.
        assert!(gw.store.remember_nonce(key, nonce, now, 60).await.unwrap(), "{key}: the nonce was stored");
    }
    // A verified request is remembered: its replay is refused.
    let mut pairs = vec![
        ("Action".to_string(), "DescribeSnapshots".to_string()),
        ("RegionId".into(), "cn-hangzhou".into()),
    ];
    dialects::alibaba::signature::sign_v1("GET", &mut pairs, ALI.0, ALI.1, now);
    let q = format!("/?{}", query(&pairs));
    assert_eq!(gw.raw("GET", &q, &[], Vec::new()).await.status, 200);
    let replay = gw.raw("GET", &q, &[], Vec::new()).await;
    assert_eq!(replay.code(), "SignatureNonceUsed");
}

#[tokio::test]
async fn an_unreachable_store_answers_in_every_dialects_envelope_in_bounded_time() {
    // Nothing listens on port 9: every store call fails at once (connection refused).
    let gw = Gateway::start_on(Some("http://127.0.0.1:9".into()), "").await;
    let started = std::time::Instant::now();
    let tc = gw.tc(TcSigning::Tc3, TC, "DescribeImages", json!({})).await;
    assert_eq!(tc.tc_code().as_deref(), Some("InternalError"), "{}", tc.text);
    let zl = gw.zl(ZL, "DescribeImages", json!({})).await;
    assert_eq!(
        (zl.status, zl.zl_code().as_deref()),
        (503, Some("SERVICE_TEMPORARY_UNAVAILABLE")),
        "{}",
        zl.text
    );
    let ali = gw.call(ALI, "DescribeSnapshots", &[("RegionId", "cn-hangzhou")]).await;
    assert_eq!((ali.status, ali.code()), (500, "InternalError".to_string()));
    for r in [&tc, &zl, &ali] {
        assert!(!r.text.contains("127.0.0.1:9"), "internal details leak: {}", r.text);
    }
    // Each store call gives up within STORE_CALL_LIMIT; refused connections fail faster.
    assert!(started.elapsed() < 3 * store::STORE_CALL_LIMIT, "{:?}", started.elapsed());
}

#[tokio::test]
async fn an_expired_snapshot_no_longer_counts_against_its_disks_quota() {
    // acct-ali-quota may keep two snapshots of a disk; one of its two is past its retention.
    let world = reference_with(|w| {
        w["settings"]["timings"] = json!({"snapshot_seconds": 0});
        for s in w["snapshots"].as_array_mut().unwrap() {
            if s["id"] == "s-ali-quota-1" {
                s["created_at"] = json!("-3d");
                s["retention_days"] = json!(1);
            }
        }
    });
    let gw = Gateway::start(&world).await;
    let made = gw.call(ALI_QUOTA, "CreateSnapshot", &[("DiskId", "d-ali-quota-data")]).await;
    assert_eq!(made.status, 200, "{}", made.text);
    assert!(gw.store.snapshot("s-ali-quota-1").await.unwrap().is_none(), "released with its quota");
    // Two live snapshots again: the quota holds.
    let full = gw.call(ALI_QUOTA, "CreateSnapshot", &[("DiskId", "d-ali-quota-data")]).await;
    assert_eq!(full.code(), "QuotaExceed.Snapshot", "{}", full.text);
    gw.assert_consistent().await;
}

/// The SDK retries a put whose answer was lost; when the lost attempt had been applied, the retry
/// finds the nonce taken by the same request. That is not a replay: only another request's use of
/// the nonce is.
#[tokio::test]
async fn a_retried_nonce_put_is_not_its_own_replay() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let now = chrono::Utc::now();
    assert!(gw.store.remember_nonce_by(ALI.0, "n-retried", now, 60, "request-1").await.unwrap());
    assert!(
        gw.store.remember_nonce_by(ALI.0, "n-retried", now, 60, "request-1").await.unwrap(),
        "the same request's second attempt"
    );
    assert!(
        !gw.store.remember_nonce_by(ALI.0, "n-retried", now, 60, "request-2").await.unwrap(),
        "another request with the same nonce is a replay"
    );
}
