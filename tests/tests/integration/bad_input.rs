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

/// Send `req` over a raw connection with `byte` put into the value of `header`: something no
/// HTTP client library lets through. Answers the status and the body.
async fn with_control_char(
    gw: &Gateway,
    req: http::Request<bytes::Bytes>,
    header: &str,
    byte: u8,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut raw = format!("{} {} HTTP/1.1\r\nconnection: close\r\n", req.method(), req.uri()).into_bytes();
    for (k, v) in req.headers() {
        raw.extend_from_slice(format!("{k}: ").as_bytes());
        raw.extend_from_slice(v.as_bytes());
        if k.as_str() == header {
            raw.push(byte);
        }
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(format!("content-length: {}\r\n\r\n", req.body().len()).as_bytes());
    raw.extend_from_slice(req.body());
    let mut stream = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
    stream.write_all(&raw).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn control_characters_in_headers_get_the_dialects_envelope() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let host = gw.addr.to_string();
    let chrono_now = chrono::Utc::now();
    // Alibaba ACS3: a signed header the gateway cannot read is a header missing from the signature.
    let mut ali = http::Request::builder()
        .method("POST")
        .uri("/?RegionId=cn-hangzhou")
        .header("host", &host)
        .header("x-acs-action", "DescribeSnapshots")
        .body(bytes::Bytes::new())
        .unwrap();
    dialects::alibaba::signature::sign_acs3(&mut ali, ALI.0, ALI.1, chrono_now);
    for byte in [0x01u8, 0x7f, 0x1f] {
        let (status, body) = with_control_char(&gw, ali.clone(), "x-acs-date", byte).await;
        let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        assert_eq!(status, 400, "{byte:#x}: {body}");
        assert!(json["Code"].as_str().is_some() && json["RequestId"].as_str().is_some(), "{byte:#x}: {body}");
    }
    // Tencent: 200 with Response.Error, as every Tencent answer.
    let mut tc = http::Request::builder()
        .method("POST")
        .uri("/")
        .header("host", &host)
        .header("content-type", "application/json")
        .header("x-tc-action", "DescribeSnapshots")
        .header("x-tc-version", "2017-03-12")
        .header("x-tc-region", "ap-guangzhou")
        .body(bytes::Bytes::from("{}"))
        .unwrap();
    dialects::tencent::signature::sign_tc3(&mut tc, TC.0, TC.1, "cbs", chrono_now);
    let (status, body) = with_control_char(&gw, tc, "x-tc-timestamp", 0x01).await;
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    assert_eq!(status, 200, "{body}");
    assert!(json["Response"]["Error"]["Code"].as_str().is_some(), "{body}");
    // Zenlayer: its three keys and a 4xx.
    let mut zl = http::Request::builder()
        .method("POST")
        .uri("/api/v2/zec")
        .header("host", &host)
        .header("content-type", "application/json")
        .header("x-zc-action", "DescribeSnapshots")
        .header("x-zc-version", "2025-09-01")
        .header("x-zc-service", "zec")
        .body(bytes::Bytes::from("{}"))
        .unwrap();
    dialects::zenlayer::signature::sign(&mut zl, ZL.0, ZL.1, chrono_now);
    let (status, body) = with_control_char(&gw, zl, "x-zc-timestamp", 0x1b).await;
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    assert!((400..500).contains(&status), "{status} {body}");
    assert!(json["code"].as_str().is_some() && json["requestId"].as_str().is_some(), "{body}");
}

/// The non-characters an XML answer cannot carry (U+FFFE, U+FFFF) are refused in any Alibaba
/// parameter — a tag key or value, a description — so that every stored value can be shown with
/// `Format=XML`; a value that holds what XML cannot carry (a world file's) is shown with U+FFFD.
#[tokio::test]
async fn what_xml_cannot_carry_is_refused_and_never_rendered() {
    let world = reference_with(|w| {
        let snapshots = w["snapshots"].as_array_mut().unwrap();
        let sys = snapshots.iter_mut().find(|s| s["id"] == "s-ali-sys").unwrap();
        sys["name"] = serde_json::json!("odd\u{FFFE}name");
    });
    let gw = Gateway::start(&world).await;
    let region = ("RegionId", "cn-hangzhou");
    for (params, name) in [
        (
            vec![
                region,
                ("ResourceType", "snapshot"),
                ("ResourceId.1", "s-ali-sys"),
                ("Tag.1.Key", "k\u{FFFE}"),
                ("Tag.1.Value", "v"),
            ],
            "Tag.1.Key",
        ),
        (
            vec![
                region,
                ("ResourceType", "snapshot"),
                ("ResourceId.1", "s-ali-sys"),
                ("Tag.1.Key", "k"),
                ("Tag.1.Value", "v\u{FFFF}"),
            ],
            "Tag.1.Value",
        ),
    ] {
        let r = gw.call(ALI, "TagResources", &params).await;
        assert_envelope(&r, 400, "InvalidParameter");
        assert!(r.text.contains(name), "{}", r.text);
    }
    let r =
        gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-expired"), ("Description", "a\u{FFFF}b")]).await;
    assert_envelope(&r, 400, "InvalidParameter");
    assert!(gw.store.disk_snapshots("d-ali-expired").await.unwrap().is_empty(), "nothing was made");
    // The world's name renders in XML with U+FFFD in place of what XML cannot carry.
    let xml = gw
        .call(ALI, "DescribeSnapshots", &[region, ("SnapshotIds", "[\"s-ali-sys\"]"), ("Format", "XML")])
        .await;
    assert_eq!(xml.status, 200, "{}", xml.text);
    assert!(xml.text.contains("odd\u{FFFD}name") && !xml.text.contains('\u{FFFE}'), "{}", xml.text);
}
