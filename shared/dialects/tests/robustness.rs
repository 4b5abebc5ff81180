//! Property tests: whatever arrives — any method, path, query, headers and body — each dialect's
//! request parser, parameter readers and signature verifier answer (an error is fine) and never
//! panic. Each test prints how many cases it ran.

mod common;

use bytes::Bytes;
use common::exercise::exercise;
use common::noise::request;
use dialects::Dialect;
use proptest::prelude::*;

const CASES: u32 = 2_000;

fn config() -> ProptestConfig {
    ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() }
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
