//! Property tests: whatever arrives — any method, path, query, headers and body — each dialect's
//! request parser, parameter readers and signature verifier answer (an error is fine) and never
//! panic. Each test prints how many cases it ran.

use bytes::Bytes;
use chrono::Utc;
use dialects::{alibaba, tencent, zenlayer, Dialect};
use proptest::prelude::*;

const CASES: u32 = 2_000;

/// Header names the dialects read, and a few they do not.
const HEADERS: [&str; 14] = [
    "authorization",
    "content-type",
    "host",
    "x-acs-action",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
    "x-tc-action",
    "x-tc-timestamp",
    "x-tc-region",
    "x-tc-version",
    "x-zc-action",
    "x-zc-timestamp",
    "x-zc-version",
];

/// Text that looks like what the parsers look for, mixed with noise.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("TC3-HMAC-SHA256 Credential=AK/2026-01-01/cvm/tc3_request, SignedHeaders=content-type;host, Signature=00".to_string()),
        Just("ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=zz".to_string()),
        Just("ZC2-HMAC-SHA256 Credential=AK, SignedHeaders=content-type;host, Signature=".to_string()),
        Just("application/x-www-form-urlencoded".to_string()),
        Just("application/json".to_string()),
        Just("1795445401".to_string()),
        Just("2026-11-23T14:49:55Z".to_string()),
        "[ -~]{0,40}",
        "\\PC{0,20}",
    ]
}

fn query() -> impl Strategy<Value = String> {
    let pair = ("(Action|Version|AccessKeyId|SecretId|Signature|SignatureMethod|Nonce|Timestamp|Tag\\.[0-9]{1,7}\\.Key|DataDiskIds\\.[0-9]|Filter\\.1\\.Key|[A-Za-z.%]{1,12})", "[ -~]{0,30}")
        .prop_map(|(k, v)| format!("{k}={}", v.replace(['&', '#', ' '], "%")));
    prop::collection::vec(pair, 0..12).prop_map(|pairs| pairs.join("&"))
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        "\\{\"[A-Za-z]{1,12}\": (\"[ -~]{0,20}\"|[0-9]{1,5}|true|null|\\[\\]|\\{\\})\\}"
            .prop_map(String::into_bytes),
        Just(b"{\"tags\": {\"tags\": [{\"key\": 1}]}, \"Filters\": [{\"Name\": null}]}".to_vec()),
        Just(vec![b'['; 5_000]),
    ]
}

fn request() -> impl Strategy<Value = http::Request<Bytes>> {
    (
        prop_oneof![Just("GET"), Just("POST"), Just("PUT")],
        prop_oneof![
            Just("/".to_string()),
            Just("/v2/index.php".to_string()),
            Just("/api/v2/zec".to_string()),
            Just("/api/v2/vm".to_string()),
            "/[a-z/]{0,12}".prop_map(|p| p)
        ],
        query(),
        prop::collection::vec((0..HEADERS.len(), fragment()), 0..8),
        body(),
    )
        .prop_filter_map("a request http can carry", |(method, path, query, headers, body)| {
            let mut b = http::Request::builder().method(method).uri(format!("{path}?{query}"));
            for (i, value) in headers {
                b = b.header(HEADERS[i], http::HeaderValue::from_str(&value).ok()?);
            }
            b.body(Bytes::from(body)).ok()
        })
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() }
}

/// Run every part of one dialect over a request; only a panic fails.
fn exercise(req: &http::Request<Bytes>) {
    let now = Utc::now();
    match Dialect::of(req) {
        Dialect::Alibaba => {
            if let Ok(rpc) = alibaba::RpcRequest::parse(req) {
                let _ = alibaba::params::create_snapshot(&rpc);
                let _ = alibaba::params::create_image(&rpc);
                let _ = alibaba::queries::describe_snapshots(&rpc, "acct");
                let _ = alibaba::queries::describe_images(&rpc);
                if let Ok(p) = alibaba::signature::presented(req, &rpc) {
                    let _ = alibaba::signature::verify(req, &rpc, &p, "secret", now, 900);
                }
            }
        }
        Dialect::Tencent => {
            if let Ok(tc) = tencent::TcRequest::parse(req) {
                let _ = tencent::params::create_image(&tc, "r");
                let _ = tencent::params::create_image_legacy(&tc, "r");
                let _ = tencent::params::describe_images(&tc);
                let _ = tencent::params::create_snapshot(&tc, "r", now);
                let _ = tencent::params::describe_snapshots(&tc);
                if let Ok(p) = tencent::signature::presented(req, &tc.pairs) {
                    let _ =
                        tencent::signature::verify(req, &tc.pairs, req.uri().path(), &p, "secret", now, 300);
                }
            }
        }
        Dialect::Zenlayer => {
            if let Ok(zl) = zenlayer::ZlRequest::parse(req) {
                let _ = zenlayer::params::create_image(&zl, "r", "rg".into());
                let _ = zenlayer::params::describe_images(&zl);
                let _ = zenlayer::params::describe_custom_images(&zl);
                let _ = zenlayer::params::create_snapshot(&zl, now);
                let _ = zenlayer::params::describe_snapshots(&zl);
                if let Ok(p) = zenlayer::signature::presented(req) {
                    let _ = zenlayer::signature::verify(req, &p, "secret", now, 300);
                }
            }
        }
    }
}

#[test]
fn no_request_makes_any_dialect_panic() {
    let mut runner = proptest::test_runner::TestRunner::new(config());
    let seen = std::cell::RefCell::new([0u32; 3]);
    runner
        .run(&request(), |req| {
            seen.borrow_mut()[Dialect::of(&req) as usize] += 1;
            exercise(&req);
            Ok(())
        })
        .unwrap();
    let seen = seen.into_inner();
    eprintln!(
        "figures: robustness: {CASES} requests (alibaba {}, tencent {}, zenlayer {})",
        seen[0], seen[1], seen[2]
    );
    assert!(seen.iter().all(|n| *n > 100), "every dialect must get its share of cases: {seen:?}");
}

/// Deep JSON and wrong JSON types reach the JSON dialects' readers without a panic or a stack
/// overflow (the JSON parser bounds its depth).
#[test]
fn deep_and_mistyped_json_is_refused() {
    for body in [
        "[".repeat(200_000).into_bytes(),
        format!("{}1{}", "{\"a\":".repeat(200_000), "}".repeat(200_000)).into_bytes(),
        br#"{"InstanceId": 5, "ImageName": ["x"], "DryRun": "maybe", "SnapshotIds": "s"}"#.to_vec(),
    ] {
        for (path, header) in [("/", "x-tc-action"), ("/api/v2/zec", "x-zc-action")] {
            let req = http::Request::builder()
                .method("POST")
                .uri(path)
                .header(header, "CreateImage")
                .header("content-type", "application/json")
                .body(Bytes::from(body.clone()))
                .unwrap();
            exercise(&req);
        }
    }
}
