//! Every captured Alibaba request (real SDKs, known secret) verifies; every tampered copy is
//! refused with the code the provider gives for it.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use dialects::alibaba::{errors, signature, RpcRequest};
use domain::{AuthFailure, DomainError};
use serde_json::Value;

fn vectors() -> Vec<Value> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");
    let mut out: Vec<Value> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("alibaba-"))
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect();
    out.sort_by_key(|v| v["name"].as_str().unwrap().to_string());
    out
}

fn request(v: &Value) -> http::Request<Bytes> {
    let query = v["query"].as_str().unwrap();
    let uri = if query.is_empty() {
        v["path"].as_str().unwrap().to_string()
    } else {
        format!("{}?{query}", v["path"].as_str().unwrap())
    };
    let mut b = http::Request::builder().method(v["method"].as_str().unwrap()).uri(uri);
    for h in v["headers"].as_array().unwrap() {
        b = b.header(h[0].as_str().unwrap(), h[1].as_str().unwrap());
    }
    b.body(Bytes::from(v["body"].as_str().unwrap().to_string())).unwrap()
}

fn check(v: &Value) -> Result<(), AuthFailure> {
    let req = request(v);
    let rpc = RpcRequest::parse(&req).unwrap();
    let presented = signature::presented(&req, &rpc)?;
    assert_eq!(presented.access_key_id, v["access_key_id"].as_str().unwrap());
    let now = DateTime::<Utc>::from_timestamp(v["verify_at"].as_i64().unwrap(), 0).unwrap();
    signature::verify(
        &req,
        &rpc,
        &presented,
        v["secret"].as_str().unwrap(),
        now,
        v["max_skew_seconds"].as_u64().unwrap(),
    )
}

#[test]
fn captured_requests_verify_and_tampered_ones_do_not() {
    let all = vectors();
    assert!(all.len() >= 12, "expected the Alibaba vectors, found {}", all.len());
    for v in &all {
        let name = v["name"].as_str().unwrap();
        let outcome = check(v);
        if v["expected_valid"].as_bool().unwrap() {
            assert_eq!(outcome, Ok(()), "{name} should verify");
            continue;
        }
        let failure = outcome.expect_err(name);
        let (status, code, message) = errors::answer(&DomainError::Auth(failure.clone()), Default::default());
        if name.ends_with("stale") {
            assert_eq!((status, code.as_str()), (400, "InvalidTimeStamp.Expired"), "{name}");
        } else {
            assert_eq!((status, code.as_str()), (400, "SignatureDoesNotMatch"), "{name}");
            // The old SDK reads the server's string to sign between the first two colons.
            let parts: Vec<&str> = message.split(':').collect();
            assert!(parts.len() == 2 && !parts[1].is_empty(), "{name}: {message}");
        }
    }
}

#[test]
fn the_v1_string_to_sign_is_the_documented_one() {
    let v = vectors().into_iter().find(|v| v["name"] == "alibaba-tea-v1-CreateSnapshot").unwrap();
    let req = request(&v);
    let rpc = RpcRequest::parse(&req).unwrap();
    let sts = signature::v1_string_to_sign("POST", &rpc.pairs);
    assert!(
        sts.starts_with("POST&%2F&AccessKeyId%3DAKIDTEST%26Action%3DCreateSnapshot%26Description%3Dnightly"),
        "{sts}"
    );
    assert!(sts.contains("Timestamp%3D2026-11-23T14%253A49%253A55Z"), "{sts}");
}

#[test]
fn our_own_signing_verifies_and_a_changed_parameter_does_not() {
    let now = Utc::now();
    let mut pairs =
        vec![("Action".to_string(), "CreateSnapshot".to_string()), ("DiskId".into(), "d 1*~".into())];
    signature::sign_v1("POST", &mut pairs, "AK", "SK", now);
    let query: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
    let req = http::Request::builder().method("POST").uri(format!("/?{query}")).body(Bytes::new()).unwrap();
    let rpc = RpcRequest::parse(&req).unwrap();
    let p = signature::presented(&req, &rpc).unwrap();
    assert_eq!(signature::verify(&req, &rpc, &p, "SK", now, 900), Ok(()));
    assert!(matches!(
        signature::verify(&req, &rpc, &p, "other", now, 900),
        Err(AuthFailure::Mismatch { .. })
    ));

    let mut req = http::Request::builder()
        .method("POST")
        .uri("/?DiskId=d-1&SnapshotName=a+b")
        .header("host", "127.0.0.1:1")
        .header("x-acs-action", "CreateSnapshot")
        .body(Bytes::new())
        .unwrap();
    signature::sign_acs3(&mut req, "AK", "SK", now);
    let rpc = RpcRequest::parse(&req).unwrap();
    let p = signature::presented(&req, &rpc).unwrap();
    assert_eq!(signature::verify(&req, &rpc, &p, "SK", now, 900), Ok(()));
    *req.uri_mut() = "/?DiskId=d-2&SnapshotName=a+b".parse().unwrap();
    let rpc = RpcRequest::parse(&req).unwrap();
    assert!(matches!(signature::verify(&req, &rpc, &p, "SK", now, 900), Err(AuthFailure::Mismatch { .. })));
    assert_eq!(signature::verify(&req, &rpc, &p, "SK", now + chrono::Duration::hours(1), 900).ok(), None);
}
