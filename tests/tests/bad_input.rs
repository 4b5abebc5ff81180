//! Bad input gets the provider's envelope and a 4xx, never a panic or a bare 500.

use integration_tests::*;

fn assert_envelope(r: &Reply, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.code(), code, "{}", r.text);
}

#[tokio::test]
async fn garbage_and_oversized_requests() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    // No parameters at all.
    assert_envelope(&gw.raw("POST", "/", &[], vec![]).await, 400, "MissingParameter");
    // A query that is not name=value pairs.
    assert_envelope(&gw.raw("POST", "/?%%%&&==&=x&Action", &[], vec![]).await, 400, "MissingParameter");
    // Percent-escapes that are not UTF-8.
    assert_envelope(
        &gw.raw("POST", "/?Action=CreateSnapshot&DiskId=%FF%FE", &[], vec![]).await,
        400,
        "InvalidParameter",
    );
    // Non-UTF-8 bytes in a form body.
    let body = b"Action=CreateSnapshot&DiskId=\xff\xfe".to_vec();
    let form = [("content-type", "application/x-www-form-urlencoded")];
    assert_envelope(&gw.raw("POST", "/", &form, body).await, 400, "InvalidParameter");
    // A 2 MiB body.
    let big = vec![b'a'; 2 * 1024 * 1024];
    assert_envelope(&gw.raw("POST", "/?Action=CreateSnapshot", &form, big).await, 400, "InvalidParameter");
    // An unknown action, and GET with a form-style query.
    assert_envelope(
        &gw.raw("GET", "/?Action=StartTheReactor", &[], vec![]).await,
        404,
        "InvalidAction.NotFound",
    );
    // Valid key, missing DiskId.
    assert_envelope(&gw.call(ALI, "CreateSnapshot", &[]).await, 400, "MissingParameter");
    // A JSON body is not an RPC form: its content is ignored.
    let json = [("content-type", "application/json")];
    assert_envelope(
        &gw.raw("POST", "/?Action=CreateSnapshot", &json, b"{\"DiskId\":1}".to_vec()).await,
        400,
        "MissingParameter",
    );
    // Numbers that are not numbers.
    let r = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-expired"), ("RetentionDays", "seven")]).await;
    assert_envelope(&r, 400, "InvalidParameter");
    let r =
        gw.call(ALI, "DescribeSnapshots", &[("RegionId", "cn-hangzhou"), ("SnapshotIds", "s-1,s-2")]).await;
    assert_envelope(&r, 400, "InvalidParameter");
    let r = gw.call(ALI, "DescribeSnapshots", &[("RegionId", "cn-hangzhou"), ("PageSize", "1000")]).await;
    assert_envelope(&r, 400, "InvalidParameter");
    // Still serving after all that.
    let ok = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-expired")]).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
}

#[tokio::test]
async fn a_parameter_given_twice_is_refused_not_half_read() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let r = gw
        .call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-expired"), ("DiskId", "d-ali-stopped-data")])
        .await;
    assert_eq!((r.status, r.code()), (400, "InvalidParameter".to_string()), "{}", r.text);
    assert!(gw.store.disk_snapshots("d-ali-expired").await.unwrap().is_empty());
    let tc = gw
        .tc(TcSigning::Form, TC, "CreateSnapshot", serde_json::json!({"DiskId": "disk-tc-stopped-data"}))
        .await;
    assert_eq!(tc.tc_code(), None, "{}", tc.text);
    let doubled = gw
        .raw("GET", "/?DataDiskIds.0=a&DataDiskIds.0=b", &[("x-tc-action", "CreateImage")], Vec::new())
        .await;
    assert_eq!(doubled.tc_code().as_deref(), Some("InvalidParameterValue"), "{}", doubled.text);
}

#[tokio::test]
async fn a_json_key_given_twice_is_refused_in_both_json_dialects() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let body = br#"{"ImageName": "a", "ImageName": "b"}"#.to_vec();
    let tc = gw
        .raw("POST", "/", &[("content-type", "application/json"), ("x-tc-action", "CreateImage")], body)
        .await;
    assert_eq!(tc.tc_code().as_deref(), Some("InvalidParameterValue"), "{}", tc.text);
    let body = br#"{"instanceId": "a", "instanceId": "b"}"#.to_vec();
    let zl = gw
        .raw(
            "POST",
            "/api/v2/zec",
            &[("content-type", "application/json"), ("x-zc-action", "CreateImage")],
            body,
        )
        .await;
    assert_eq!((zl.status, zl.zl_code().as_deref()), (400, Some("INVALID_PARAMETER")), "{}", zl.text);
}
