//! Every captured Zenlayer request (real SDK, known secret; `zec` CreateImage and CreateSnapshot,
//! `vm` CreateImage posted to another service path) verifies; every tampered copy is refused for
//! the reason it was tampered; and our own signing reproduces the SDK's `Authorization` byte for
//! byte.

use chrono::{DateTime, Utc};
use dialects::zenlayer::errors;
use dialects::zenlayer::signature::{self, ZC2};
use domain::{AuthFailure, DomainError};
use serde_json::Value;

mod common;

use common::{name, request, request_without, vector_header};

fn vectors() -> Vec<Value> {
    common::vectors("zenlayer-")
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(seconds, 0).unwrap()
}

fn check(v: &Value) -> Result<(), AuthFailure> {
    let req = request(v);
    let presented = signature::presented(&req)?;
    assert_eq!(presented.access_key_id, v["access_key_id"].as_str().unwrap(), "{}", name(v));
    assert_eq!(presented.signature, v["signature"].as_str().unwrap(), "{}", name(v));
    assert_eq!(presented.timestamp.as_deref(), vector_header(v, "x-zc-timestamp"), "{}", name(v));
    signature::verify(
        &req,
        &presented,
        v["secret"].as_str().unwrap(),
        at(v["verify_at"].as_i64().unwrap()),
        v["max_skew_seconds"].as_u64().unwrap(),
    )
}

#[test]
fn captured_requests_verify_and_tampered_ones_do_not() {
    let all = vectors();
    assert!(all.len() >= 5, "expected the Zenlayer vectors, found {}", all.len());
    let (mut valid, mut tampered) = (0, 0);
    for v in &all {
        let name = name(v);
        assert_eq!(v["signature_algorithm"].as_str(), Some(ZC2), "{name}");
        let outcome = check(v);
        if v["expected_valid"].as_bool().unwrap() {
            assert_eq!(outcome, Ok(()), "{name} should verify");
            valid += 1;
            continue;
        }
        let failure = outcome.expect_err(name);
        let expected_code = match common::tampered(name, &failure) {
            common::Tampered::Stale => "SIGNATURE_EXPIRED",
            common::Tampered::Mismatch => "SIGNATURE_MISMATCH",
        };
        // What the caller sees, from the dialect's one error table.
        let (status, code, _) = errors::answer(
            &DomainError::Auth(failure),
            Some(dialects::zenlayer::ZenlayerAction::CreateImage),
        );
        assert_eq!((status, code.as_str()), (401, expected_code), "{name}");
        tampered += 1;
    }
    assert!(valid >= 3 && tampered >= 3, "valid {valid}, tampered {tampered}");
}

/// The `vm` request was posted to `/api/v2/vm`, yet signed over the canonical URI `/` like the
/// `zec` ones: moving it to any other path changes nothing.
#[test]
fn the_service_path_is_not_signed() {
    let v = vectors().into_iter().find(|v| name(v) == "zenlayer-vm-CreateImage").unwrap();
    for path in ["/api/v2/vm", "/api/v2/zec", "/"] {
        let mut req = request(&v);
        *req.uri_mut() = path.parse().unwrap();
        let presented = signature::presented(&req).unwrap();
        assert_eq!(
            signature::verify(&req, &presented, "SECRETTEST", at(v["verify_at"].as_i64().unwrap()), 300),
            Ok(()),
            "{path}"
        );
    }
}

/// The string to sign is the documented one: algorithm, the timestamp as sent, and one hash.
#[test]
fn the_string_to_sign_is_the_documented_one() {
    let v = vectors().into_iter().find(|v| name(v) == "zenlayer-zec-CreateSnapshot").unwrap();
    let req = request(&v);
    let presented = signature::presented(&req).unwrap();
    let Err(AuthFailure::Mismatch { string_to_sign }) =
        signature::verify(&req, &presented, "WRONG", at(v["verify_at"].as_i64().unwrap()), 300)
    else {
        panic!("a wrong secret must not verify");
    };
    let lines: Vec<&str> = string_to_sign.split('\n').collect();
    assert_eq!(lines[..2], [ZC2, "1795445401"], "{string_to_sign}");
    assert_eq!(lines.len(), 3);
    assert!(lines[2].len() == 64 && lines[2].bytes().all(|b| b.is_ascii_hexdigit()), "{string_to_sign}");
}

/// Every correctly signed vector (the stale one was re-signed correctly, too) is reproduced by
/// our own signing from its timestamp and body.
#[test]
fn our_signing_reproduces_the_sdks_signatures() {
    let mut reproduced = 0;
    for v in vectors()
        .iter()
        .filter(|v| v["expected_valid"].as_bool().unwrap() || name(v).ends_with("tampered-stale"))
    {
        let name = name(v);
        let timestamp: i64 = vector_header(v, "x-zc-timestamp").unwrap().parse().unwrap();
        let mut req = request_without(v, &["Authorization", "x-zc-timestamp", "x-zc-signature-method"]);
        signature::sign(
            &mut req,
            v["access_key_id"].as_str().unwrap(),
            v["secret"].as_str().unwrap(),
            at(timestamp),
        );
        for header in ["Authorization", "x-zc-timestamp", "x-zc-signature-method"] {
            assert_eq!(dialects::header(&req, header), vector_header(v, header), "{name}: {header}");
        }
        reproduced += 1;
    }
    assert!(reproduced >= 4, "reproduced {reproduced}");
}
