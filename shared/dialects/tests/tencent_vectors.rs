//! Every captured Tencent request (real SDK, known secret; TC3 POST and GET, legacy HmacSHA1 and
//! HmacSHA256, one signed for `/v2/index.php`) verifies; every tampered copy is refused for the
//! reason it was tampered; and our own signing reproduces the SDK's signatures byte for byte.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use dialects::encoding::form_pairs;
use dialects::tencent::errors;
use dialects::tencent::signature::{self, Algorithm, Scheme};
use domain::{AuthFailure, DomainError};
use serde_json::Value;

mod common;

use common::{name, request, request_without, vector_header};

fn vectors() -> Vec<Value> {
    common::vectors("tencent-")
}

/// Query parameters, then the form body's when the body is a form.
fn params(req: &http::Request<Bytes>) -> Vec<(String, String)> {
    let mut params = form_pairs(req.uri().query().unwrap_or("").as_bytes()).unwrap();
    if dialects::header(req, "content-type")
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"))
    {
        params.extend(form_pairs(req.body()).unwrap());
    }
    params
}

fn signed_path(v: &Value) -> &str {
    v["signed_path"].as_str().or(v["path"].as_str()).unwrap()
}

fn check(v: &Value) -> Result<(), AuthFailure> {
    let req = request(v);
    let params = params(&req);
    let presented = signature::presented(&req, &params)?;
    assert_eq!(presented.secret_id, v["access_key_id"].as_str().unwrap(), "{}", name(v));
    let now = DateTime::<Utc>::from_timestamp(v["verify_at"].as_i64().unwrap(), 0).unwrap();
    signature::verify(
        &req,
        &params,
        signed_path(v),
        &presented,
        v["secret"].as_str().unwrap(),
        now,
        v["max_skew_seconds"].as_u64().unwrap(),
    )
}

#[test]
fn captured_requests_verify_and_tampered_ones_do_not() {
    let all = vectors();
    assert!(all.len() >= 9, "expected the Tencent vectors, found {}", all.len());
    let (mut valid, mut tampered) = (0, 0);
    for v in &all {
        let name = name(v);
        let outcome = check(v);
        if v["expected_valid"].as_bool().unwrap() {
            assert_eq!(outcome, Ok(()), "{name} should verify");
            valid += 1;
            continue;
        }
        let failure = outcome.expect_err(name);
        let expected_code = match common::tampered(name, &failure) {
            common::Tampered::Stale => "AuthFailure.SignatureExpire",
            common::Tampered::Mismatch => "AuthFailure.SignatureFailure",
        };
        // The code the caller sees, from the dialect's one error table.
        let (code, _) = errors::answer(&DomainError::Auth(failure), errors::Context::default());
        assert_eq!(code, expected_code, "{name}");
        tampered += 1;
    }
    assert!(valid >= 6 && tampered >= 6, "valid {valid}, tampered {tampered}");
}

#[test]
fn the_schemes_are_told_apart() {
    for v in vectors() {
        let req = request(&v);
        let presented = signature::presented(&req, &params(&req)).unwrap();
        match (v["signature_algorithm"].as_str().unwrap(), &presented.scheme) {
            ("TC3-HMAC-SHA256", Scheme::Tc3 { timestamp, .. }) => {
                assert_eq!(timestamp.as_deref(), vector_header(&v, "X-TC-Timestamp"));
                assert_eq!(presented.nonce(), None);
            }
            ("HmacSHA1", Scheme::Legacy { algorithm: Algorithm::HmacSha1, .. })
            | ("HmacSHA256", Scheme::Legacy { algorithm: Algorithm::HmacSha256, .. }) => {
                assert!(presented.nonce().is_some(), "{}", name(&v));
            }
            (algorithm, scheme) => panic!("{}: {algorithm} read as {scheme:?}", name(&v)),
        }
    }
}

#[test]
fn the_legacy_string_to_sign_is_the_documented_one() {
    let v = vectors().into_iter().find(|v| name(v) == "tencent-legacy-HmacSHA1-CreateSnapshot").unwrap();
    let req = request(&v);
    let params = params(&req);
    let presented = signature::presented(&req, &params).unwrap();
    let now = DateTime::<Utc>::from_timestamp(v["verify_at"].as_i64().unwrap(), 0).unwrap();
    let Err(AuthFailure::Mismatch { string_to_sign }) =
        signature::verify(&req, &params, "/", &presented, "WRONG", now, 300)
    else {
        panic!("a wrong secret must not verify");
    };
    assert!(
        string_to_sign.starts_with(
            "POST127.0.0.1:35913/?Action=CreateSnapshot&DiskId=disk-capture1&Language=zh-CN&Nonce="
        ),
        "{string_to_sign}"
    );
    assert!(
        string_to_sign.ends_with("&Tags.0.Key=env&Tags.0.Value=test&Timestamp=1795445401&Version=2017-03-12")
    );
}

/// Every correctly signed vector (the stale ones were re-signed correctly, too) is reproduced
/// by our own signing from the same inputs.
#[test]
fn our_signing_reproduces_the_sdks_signatures() {
    let mut reproduced = 0;
    for v in vectors()
        .iter()
        .filter(|v| v["expected_valid"].as_bool().unwrap() || name(v).ends_with("tampered-stale"))
    {
        let name = name(v);
        let secret = v["secret"].as_str().unwrap();
        let id = v["access_key_id"].as_str().unwrap();
        if let Some(auth) = vector_header(v, "Authorization") {
            let timestamp: i64 = vector_header(v, "X-TC-Timestamp").unwrap().parse().unwrap();
            let service = auth.split('/').nth(2).unwrap();
            let mut req = request_without(v, &["Authorization", "X-TC-Timestamp"]);
            signature::sign_tc3(
                &mut req,
                id,
                secret,
                service,
                DateTime::from_timestamp(timestamp, 0).unwrap(),
            );
            assert_eq!(dialects::header(&req, "authorization"), Some(auth), "{name}");
            assert_eq!(
                dialects::header(&req, "x-tc-timestamp"),
                vector_header(v, "X-TC-Timestamp"),
                "{name}"
            );
        } else {
            let req = request(v);
            let mut pairs: Vec<(String, String)> =
                params(&req).into_iter().filter(|(k, _)| k != "Signature").collect();
            let algorithm = match v["signature_algorithm"].as_str().unwrap() {
                "HmacSHA256" => Algorithm::HmacSha256,
                _ => Algorithm::HmacSha1,
            };
            let before = pairs.len();
            signature::sign_legacy(
                v["method"].as_str().unwrap(),
                vector_header(v, "Host").unwrap(),
                signed_path(v),
                &mut pairs,
                id,
                secret,
                algorithm,
                Utc::now(),
            );
            // Every common parameter was already there: only the signature is added.
            assert_eq!(pairs.len(), before + 1, "{name}");
            assert_eq!(
                pairs.last().unwrap(),
                &("Signature".to_string(), v["signature"].as_str().unwrap().to_string()),
                "{name}"
            );
        }
        reproduced += 1;
    }
    assert!(reproduced >= 8, "reproduced {reproduced}");
}
