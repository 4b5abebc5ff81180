//! Tencent authentication and the common refusals, in the provider's envelope (HTTP 200,
//! `Content-Type: application/json` exactly).

use chrono::Utc;
use dialects::actions::Action as _;
use dialects::tencent::{signature, TencentAction};
use integration_tests::*;
use serde_json::json;

fn code(r: &Reply) -> String {
    r.tc_code().unwrap_or_else(|| format!("(success) {}", r.text))
}

const DESCRIBE: &str = "DescribeImages";

/// A TC3 request of `action` in `version` to `host` with an empty JSON body, not yet signed.
fn tc3_request(host: &str, action: &str, version: &str) -> http::Request<bytes::Bytes> {
    http::Request::builder()
        .method("POST")
        .uri("/")
        .header("host", host)
        .header("content-type", "application/json")
        .header("x-tc-action", action)
        .header("x-tc-version", version)
        .header("x-tc-region", "ap-guangzhou")
        .body(bytes::Bytes::from("{}"))
        .unwrap()
}

/// Send `req` as it stands, every header included.
async fn send(gw: &Gateway, req: &http::Request<bytes::Bytes>) -> Reply {
    let headers: Vec<(String, String)> =
        req.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string())).collect();
    let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    gw.raw("POST", "/", &h, req.body().to_vec()).await
}

#[tokio::test]
async fn bad_keys_and_signatures() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    for signing in [TcSigning::Tc3, TcSigning::Tc3Get, TcSigning::Form] {
        let wrong_secret = gw.tc(signing, (TC.0, "not-the-secret"), DESCRIBE, json!({})).await;
        assert_eq!(code(&wrong_secret), "AuthFailure.SignatureFailure", "{signing:?}");
        let unknown = gw.tc(signing, ("AKIDnobody", "x"), DESCRIBE, json!({})).await;
        assert_eq!(code(&unknown), "AuthFailure.SecretIdNotFound", "{signing:?}");
        // An Alibaba key is not a Tencent key.
        let alibaba = gw.tc(signing, ALI, DESCRIBE, json!({})).await;
        assert_eq!(code(&alibaba), "AuthFailure.SecretIdNotFound", "{signing:?}");
    }
    let legacy = gw.tc(
        TcSigning::Legacy,
        (TC.0, "wrong"),
        "CreateImage",
        json!({"InstanceId": "i", "ImageName": "n"}),
    );
    assert_eq!(code(&legacy.await), "AuthFailure.SignatureFailure");
}

#[tokio::test]
async fn stale_replayed_and_unsigned_requests() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let host = gw.addr.to_string();
    // TC3 signed an hour ago.
    let mut req = tc3_request(&host, DESCRIBE, "2017-03-12");
    signature::sign_tc3(&mut req, TC.0, TC.1, "cvm", Utc::now() - chrono::Duration::hours(1));
    let stale = send(&gw, &req).await;
    assert_eq!(code(&stale), "AuthFailure.SignatureExpire");

    // The form's nonce: the same signed request twice is a replay. The nonce goes with its
    // timestamp: the same nonce signed at another second is a new request (the SDKs draw nonces
    // from a small range, so honest requests repeat them).
    let mut pairs = vec![
        ("Action".to_string(), DESCRIBE.to_string()),
        ("Version".into(), "2017-03-12".into()),
        ("Region".into(), "ap-guangzhou".into()),
    ];
    let form = [("content-type", "application/x-www-form-urlencoded"), ("host", host.as_str())];
    // Two whole seconds apart, however the loop falls across a second's boundary.
    let base = Utc::now();
    for ago in [0, 1] {
        pairs.retain(|(k, _)| k != "Timestamp");
        let at = base - chrono::Duration::seconds(ago);
        signature::sign_legacy(
            "POST",
            &host,
            "/",
            &mut pairs,
            TC.0,
            TC.1,
            signature::Algorithm::HmacSha256,
            at,
        );
        let first = gw.raw("POST", "/", &form, query(&pairs).into_bytes()).await;
        assert_eq!(first.tc_code(), None, "signed {ago} s ago: {}", first.text);
        let replay = gw.raw("POST", "/", &form, query(&pairs).into_bytes()).await;
        assert_eq!(code(&replay), "AuthFailure.SignatureFailure", "signed {ago} s ago");
    }
    // Another request that draws the same nonce in the same second is not a replay either: a
    // replay is the very request sent again, and this one is signed over other parameters.
    let at = Utc::now();
    let sign = |pairs: &mut Vec<(String, String)>| {
        pairs.retain(|(k, _)| k != "Timestamp");
        signature::sign_legacy("POST", &host, "/", pairs, TC.0, TC.1, signature::Algorithm::HmacSha256, at);
    };
    // (Both differ from the requests above, which carried this nonce too.)
    let mut first = pairs.clone();
    first.push(("Offset".into(), "0".into()));
    sign(&mut first);
    let mut other = pairs.clone();
    other.push(("Limit".into(), "5".into()));
    sign(&mut other);
    let nonce = |p: &[(String, String)]| p.iter().find(|(k, _)| k == "Nonce").cloned();
    assert_eq!(nonce(&first), nonce(&other), "one nonce");
    for (which, p) in [("the first", &first), ("the other", &other)] {
        let answered = gw.raw("POST", "/", &form, query(p).into_bytes()).await;
        assert_eq!(answered.tc_code(), None, "{which}: {}", answered.text);
    }
    let replay = gw.raw("POST", "/", &form, query(&other).into_bytes()).await;
    assert_eq!(code(&replay), "AuthFailure.SignatureFailure", "the other, again");

    // No credentials at all.
    let bare = gw
        .raw("POST", "/", &[("content-type", "application/json"), ("x-tc-action", DESCRIBE)], b"{}".to_vec())
        .await;
    assert_eq!(code(&bare), "AuthFailure.InvalidAuthorization");
}

#[tokio::test]
async fn common_refusals_keep_the_envelope() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let unknown = gw.tc(TcSigning::Tc3, TC, "NoSuchAction", json!({})).await;
    assert_eq!(code(&unknown), "InvalidAction");
    let bad_json = gw
        .raw(
            "POST",
            "/",
            &[("content-type", "application/json"), ("x-tc-action", DESCRIBE)],
            b"{not json".to_vec(),
        )
        .await;
    assert_eq!(code(&bad_json), "InvalidParameterValue");
    let big = gw
        .raw(
            "POST",
            "/",
            &[("content-type", "application/json"), ("x-tc-action", DESCRIBE)],
            vec![b' '; 2 << 20],
        )
        .await;
    assert_eq!(code(&big), "RequestSizeLimitExceeded");
    // A version the API does not have.
    let mut req = tc3_request(&gw.addr.to_string(), DESCRIBE, "2099-01-01");
    signature::sign_tc3(&mut req, TC.0, TC.1, "cvm", Utc::now());
    assert_eq!(code(&send(&gw, &req).await), "NoSuchVersion");
}

/// A TC3 request for `action`, signed with the scope's `service` over the `Host` `signed_host`,
/// and sent with the `Host` `sent_host`.
async fn tc3_scoped(gw: &Gateway, action: &str, service: &str, signed_host: &str, sent_host: &str) -> Reply {
    let version = TencentAction::from_wire(action).expect("a served action").api().version();
    let mut req = tc3_request(signed_host, action, version);
    signature::sign_tc3(&mut req, TC.0, TC.1, service, Utc::now());
    req.headers_mut().insert("host", http::HeaderValue::from_str(sent_host).unwrap());
    send(gw, &req).await
}

/// Tencent's Node.js SDK scopes its TC3 signature to its endpoint's first label
/// (`endpoint.split(".")[0]`): pointed at `127.0.0.1:PORT` it signs for `127`, at
/// `localhost:PORT` for `localhost:PORT`. That scope is served for every action of CVM, CBS and
/// Tag; the action and version tell the service. A scope that names a service still must be the
/// action's, and the signed `Host` ties the signature to the host it was made for.
#[tokio::test]
async fn a_scope_named_after_the_host_the_client_was_pointed_at() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let port = gw.addr.port();
    let ip = format!("127.0.0.1:{port}");
    let localhost = format!("localhost:{port}");
    for action in [DESCRIBE, "DescribeSnapshots"] {
        let r = tc3_scoped(&gw, action, "127", &ip, &ip).await;
        assert_eq!(code(&r), format!("(success) {}", r.text), "{action} scoped 127");
        let r = tc3_scoped(&gw, action, &localhost, &localhost, &localhost).await;
        assert_eq!(code(&r), format!("(success) {}", r.text), "{action} scoped {localhost}");
        // The host without its port, as the SDK's signer writes the canonical host line.
        let r = tc3_scoped(&gw, action, "localhost", &localhost, &localhost).await;
        assert_eq!(code(&r), format!("(success) {}", r.text), "{action} scoped localhost");
    }
    let tags = tc3_scoped(&gw, "DescribeResourceTagsByResourceIds", "127", &ip, &ip).await;
    assert_eq!(tags.tc_code(), Some("MissingParameter".into()), "{}", tags.text);
    // Signed for one host, sent to another: the host is signed, and its label is not the scope.
    let moved = tc3_scoped(&gw, DESCRIBE, "127", &ip, &localhost).await;
    assert_eq!(code(&moved), "AuthFailure.SignatureFailure");
    // A label that is not the host's first.
    let other = tc3_scoped(&gw, DESCRIBE, "128", &ip, &ip).await;
    assert_eq!(code(&other), "AuthFailure.SignatureFailure");
    // A host that names a service is that service's: a CVM scope for a CBS action fails, whether
    // or not the host is named after it.
    let cvm_host = format!("cvm.localhost:{port}");
    let cross = tc3_scoped(&gw, "DescribeSnapshots", "cvm", &cvm_host, &cvm_host).await;
    assert_eq!(code(&cross), "AuthFailure.SignatureFailure");
    let cross = tc3_scoped(&gw, "DescribeSnapshots", "cvm", &ip, &ip).await;
    assert_eq!(code(&cross), "AuthFailure.SignatureFailure");
    let own = tc3_scoped(&gw, "DescribeSnapshots", "cbs", &cvm_host, &cvm_host).await;
    assert_eq!(code(&own), format!("(success) {}", own.text));
}

/// The second reading of a TC3 signature (the host without its port, as Tencent's Node.js SDK
/// signs it) changes the `host` line alone: a signed header whose name ends in `host`, sent with
/// another value than it was signed with, does not verify through it.
#[tokio::test]
async fn the_hostname_reading_rewrites_the_host_line_alone() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let ip = format!("127.0.0.1:{}", gw.addr.port());
    let sent_with = async |myhost: &str| {
        let mut req = tc3_request(&ip, DESCRIBE, "2017-03-12");
        req.headers_mut().insert("a-myhost", http::HeaderValue::from_static("127.0.0.1"));
        let signed = ["a-myhost", "content-type", "host"];
        signature::sign_tc3_headers(&mut req, TC.0, TC.1, "cvm", Utc::now(), &signed);
        req.headers_mut().insert("a-myhost", http::HeaderValue::from_str(myhost).unwrap());
        send(&gw, &req).await
    };
    let honest = sent_with("127.0.0.1").await;
    assert_eq!(code(&honest), format!("(success) {}", honest.text));
    let changed = sent_with(&ip).await;
    assert_eq!(code(&changed), "AuthFailure.SignatureFailure");
}

/// A request refused for the rate limit has spent its nonce: the same bytes sent again once the
/// limit allows it are a replay, refused as such, and make nothing.
#[tokio::test]
async fn a_throttled_request_is_not_served_when_sent_again() {
    let world = reference_with(|w| w["settings"]["rate_limits"] = json!({"tencent:CreateImage": 1}));
    let gw = Gateway::start(&world).await;
    let host = gw.addr.to_string();
    let form = [("content-type", "application/x-www-form-urlencoded"), ("host", host.as_str())];
    let signed = |name: &str| {
        let mut pairs: Vec<(String, String)> = [
            ("Action", "CreateImage"),
            ("Version", "2017-03-12"),
            ("Region", "ap-guangzhou"),
            ("InstanceId", "ins-tc-stopped"),
            ("ImageName", name),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .to_vec();
        let algorithm = signature::Algorithm::HmacSha256;
        signature::sign_legacy("POST", &host, "/", &mut pairs, TC.0, TC.1, algorithm, Utc::now());
        query(&pairs).into_bytes()
    };
    // Two in one second: the second is over the limit of one a second.
    let throttled = loop {
        let ms = Utc::now().timestamp_subsec_millis();
        tokio::time::sleep(std::time::Duration::from_millis(u64::from(1000 - ms) + 5)).await;
        let second = Utc::now().timestamp();
        let first = gw.raw("POST", "/", &form, signed("first-of-the-second")).await;
        let body = signed("throttled");
        let over = gw.raw("POST", "/", &form, body.clone()).await;
        if Utc::now().timestamp() == second {
            assert_eq!(first.tc_code(), None, "{}", first.text);
            assert_eq!(code(&over), "RequestLimitExceeded");
            break body;
        }
    };
    // The next second allows one: the same bytes are refused as a replay.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let again = gw.raw("POST", "/", &form, throttled).await;
    assert_eq!(code(&again), "AuthFailure.SignatureFailure", "{}", again.text);
    let named = gw.tc_ok(
        TcSigning::Tc3,
        TC,
        "DescribeImages",
        json!({"Filters": [{"Name": "image-name", "Values": ["throttled"]}]}),
    );
    assert_eq!(named.await["TotalCount"], 0, "the throttled request made nothing");
}
