//! Reading the captured vectors (`tests/vectors/`: one JSON file per request an official SDK sent,
//! with the secret it was signed with); and, in the submodules, what the robustness and fuzz tests
//! share.

#![allow(dead_code)] // each test binary uses its own part of this

pub mod exercise;
pub mod noise;
pub mod raw;

use bytes::Bytes;
use domain::AuthFailure;
use serde_json::Value;

/// Every vector whose file name starts with `prefix`, by name.
pub fn vectors(prefix: &str) -> Vec<Value> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");
    let mut out: Vec<Value> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with(prefix))
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect();
    out.sort_by_key(|v| v["name"].as_str().unwrap().to_string());
    out
}

pub fn name(v: &Value) -> &str {
    v["name"].as_str().unwrap()
}

/// The vector's header `name` (case-insensitive), as captured.
pub fn vector_header<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0].as_str().unwrap().eq_ignore_ascii_case(name))
        .map(|h| h[1].as_str().unwrap())
}

/// The captured request, leaving out the headers named in `without`.
pub fn request_without(v: &Value, without: &[&str]) -> http::Request<Bytes> {
    let query = v["query"].as_str().unwrap();
    let uri = if query.is_empty() {
        v["path"].as_str().unwrap().to_string()
    } else {
        format!("{}?{query}", v["path"].as_str().unwrap())
    };
    let mut b = http::Request::builder().method(v["method"].as_str().unwrap()).uri(uri);
    for h in v["headers"].as_array().unwrap() {
        let header = h[0].as_str().unwrap();
        if !without.iter().any(|w| w.eq_ignore_ascii_case(header)) {
            b = b.header(header, h[1].as_str().unwrap());
        }
    }
    b.body(Bytes::from(v["body"].as_str().unwrap().to_string())).unwrap()
}

pub fn request(v: &Value) -> http::Request<Bytes> {
    request_without(v, &[])
}

/// What a tampered vector was tampered with, checked against the failure it got: a stale
/// timestamp must be refused as stale, a changed parameter or a wrong secret as a mismatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tampered {
    Stale,
    Mismatch,
}

pub fn tampered(name: &str, failure: &AuthFailure) -> Tampered {
    if name.ends_with("tampered-stale") {
        assert_eq!(*failure, AuthFailure::Stale, "{name}");
        Tampered::Stale
    } else if name.ends_with("tampered-param") || name.ends_with("tampered-secret") {
        assert!(matches!(failure, AuthFailure::Mismatch { .. }), "{name}: {failure:?}");
        Tampered::Mismatch
    } else {
        panic!("{name}: a tampered vector of an unknown kind")
    }
}
