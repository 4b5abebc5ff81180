//! The robustness test's strategies: any method, path, query, headers and body, with text that
//! looks like what the parsers look for mixed with noise. The fuzz targets mix these cases into
//! their own.

use bytes::Bytes;
use proptest::prelude::*;

/// Header names the dialects read, and a few they do not.
pub const HEADERS: [&str; 14] = [
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
pub fn fragment() -> impl Strategy<Value = String> {
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

pub fn query() -> impl Strategy<Value = String> {
    let pair = ("(Action|Version|AccessKeyId|SecretId|Signature|SignatureMethod|Nonce|Timestamp|Tag\\.[0-9]{1,7}\\.Key|DataDiskIds\\.[0-9]|Filter\\.1\\.Key|[A-Za-z.%]{1,12})", "[ -~]{0,30}")
        .prop_map(|(k, v)| format!("{k}={}", v.replace(['&', '#', ' '], "%")));
    prop::collection::vec(pair, 0..12).prop_map(|pairs| pairs.join("&"))
}

pub fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        "\\{\"[A-Za-z]{1,12}\": (\"[ -~]{0,20}\"|[0-9]{1,5}|true|null|\\[\\]|\\{\\})\\}"
            .prop_map(String::into_bytes),
        Just(b"{\"tags\": {\"tags\": [{\"key\": 1}]}, \"Filters\": [{\"Name\": null}]}".to_vec()),
        Just(vec![b'['; 5_000]),
    ]
}

pub fn request() -> impl Strategy<Value = http::Request<Bytes>> {
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
