//! Zenlayer Cloud request signatures: ZC2-HMAC-SHA256.
//!
//! A canonical request over the method, two signed headers (`content-type`, `host`) and the hash
//! of the body, hashed into a string to sign with the timestamp, and signed with HMAC-SHA256 keyed
//! by the access key password itself: unlike TC3 there is no credential scope and no derived key.
//! The canonical URI is always `/` and the query always empty, whichever service path
//! (`/api/v2/zec`, `/api/v2/vm`) the request was posted to — the provider's rule, and what the
//! Python SDK signs.
//!
//! Verification works on the request exactly as received: the raw body bytes and the `Host`
//! header as the client sent it (port included). The signing side exists for tests and
//! benchmarks and reproduces the Python SDK byte for byte.

use crate::crypto::{fresh, hmac_sha256, sha256_hex, unix_seconds};
use crate::signing::{self, Authorization, Encoding, Values};
use crate::{header, WireRequest};
use chrono::{DateTime, Utc};
use domain::AuthFailure;

pub const ZC2: &str = "ZC2-HMAC-SHA256";

/// The header that carries the request's Unix timestamp, in seconds.
const TIMESTAMP_HEADER: &str = "x-zc-timestamp";
/// The header naming the signature method; the SDK sends it next to `Authorization`.
const METHOD_HEADER: &str = "x-zc-signature-method";
/// The headers the SDK always signs (and the only ones it signs); a signature that leaves either
/// out does not bind the request to its host or to the way its body is to be read.
const REQUIRED_SIGNED_HEADERS: [&str; 2] = ["content-type", "host"];

/// The credentials a request presents, before they are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub access_key_id: String,
    /// Lower-cased, in the order the client listed them (the order they were signed in).
    pub signed_headers: Vec<String>,
    /// Hex, as sent.
    pub signature: String,
    /// The `x-zc-timestamp` header, when present.
    pub timestamp: Option<String>,
}

/// Find the access key id and signature parts a request carries, from
/// `Authorization: ZC2-HMAC-SHA256 Credential=<id>, SignedHeaders=content-type;host, Signature=<hex>`.
///
/// A token credential (`Authorization: Bearer …`) is told apart from a missing one: the SDK sends
/// it in place of a signature, and the caller answers it as an unsupported method, not as an
/// anonymous request.
pub fn presented(req: &WireRequest) -> Result<Presented, AuthFailure> {
    let raw = req.headers().get(http::header::AUTHORIZATION).ok_or_else(signing::malformed)?;
    let value = signing::header_text(raw)?;
    if value.is_empty() {
        return Err(signing::malformed());
    }
    let parameters = signing::expect_algorithm(value, ZC2)?;
    // The SDK always sends this header with the one method it knows; a request that names another
    // is asking for a signature we would not be checking.
    if let Some(raw) = req.headers().get(METHOD_HEADER) {
        let method = String::from_utf8_lossy(raw.as_bytes());
        if method.trim() != ZC2 {
            return Err(AuthFailure::UnsupportedMethod(method.trim().to_string()));
        }
    }
    let auth = Authorization::parse(ZC2, parameters)?.complete()?;
    // A space after a part's `=` is passed over here (the SDK writes none).
    Ok(Presented {
        access_key_id: auth.credential.trim().to_string(),
        signed_headers: auth.signed_headers,
        signature: auth.signature.trim().to_string(),
        timestamp: header(req, TIMESTAMP_HEADER).map(str::to_string),
    })
}

/// Check the signature with `secret` (the access key password), then the timestamp (Unix seconds)
/// against `now` within `max_skew_seconds`.
///
/// The signature is checked first so that a stale answer is only ever given to someone holding
/// the secret. There is no nonce: the SDK's rate-limit retries re-sign with a new timestamp, and
/// two identical requests in the same second legitimately carry identical signatures.
pub fn verify(
    req: &WireRequest,
    presented: &Presented,
    secret: &str,
    now: DateTime<Utc>,
    max_skew_seconds: u64,
) -> Result<(), AuthFailure> {
    signing::require_signed(&presented.signed_headers, &REQUIRED_SIGNED_HEADERS)?;
    let timestamp = signing::needed(presented.timestamp.as_deref(), TIMESTAMP_HEADER)?;
    let string_to_sign = string_to_sign(req, &presented.signed_headers, timestamp);
    let expected = hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes());
    signing::compare(&expected, &presented.signature, Encoding::Hex, &string_to_sign)?;
    fresh(unix_seconds(timestamp)?, now, max_skew_seconds)
}

/// `ZC2-HMAC-SHA256\n<timestamp>\n` + hex SHA-256 of the canonical request
/// `METHOD\n/\n\nHEADERS\nSIGNEDHEADERS\nPAYLOADHASH`.
///
/// Header values are trimmed but keep their case: the SDK signs them exactly as it sends them,
/// so lower-casing would refuse a client that spells `Content-Type` with capitals. The payload
/// hash is over the raw body, never a re-serialisation of its JSON.
fn string_to_sign(req: &WireRequest, signed_headers: &[String], timestamp: &str) -> String {
    let canonical = format!(
        "{}\n/\n\n{}\n{}\n{}",
        req.method(),
        signing::canonical_headers(req, signed_headers, Values::Trimmed),
        signed_headers.join(";"),
        sha256_hex(req.body())
    );
    format!("{ZC2}\n{timestamp}\n{}", sha256_hex(canonical.as_bytes()))
}

/// Client side: set `x-zc-timestamp`, `x-zc-signature-method` and `Authorization` on a request
/// whose method, `Host` header, `Content-Type` header and body are final. The header is spelled
/// exactly as the Python SDK spells it.
///
/// # Panics
/// If `access_key_id` cannot appear in a header value (test input only).
pub fn sign(req: &mut WireRequest, access_key_id: &str, secret: &str, now: DateTime<Utc>) {
    let timestamp = now.timestamp().to_string();
    req.headers_mut().insert(TIMESTAMP_HEADER, http::HeaderValue::from(now.timestamp()));
    req.headers_mut().insert(METHOD_HEADER, http::HeaderValue::from_static(ZC2));
    let signed: Vec<String> = REQUIRED_SIGNED_HEADERS.iter().map(|h| h.to_string()).collect();
    let string_to_sign = string_to_sign(req, &signed, &timestamp);
    let signature = Encoding::Hex.encode(&hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes()));
    let auth = Authorization::new(ZC2, access_key_id, signed, &signature);
    req.headers_mut().insert(http::header::AUTHORIZATION, auth.to_header(", "));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::fixtures::{self, now, HOST};
    use bytes::Bytes;

    const BODY: &str = r#"{"diskId": "disk-1", "snapshotName": "a b"}"#;

    fn post(path: &str, host: &str, content_type: &str, body: &str) -> WireRequest {
        fixtures::post(path, host, content_type, ("x-zc-action", "CreateSnapshot"), body)
    }

    fn check(req: &WireRequest, at: DateTime<Utc>) -> Result<(), AuthFailure> {
        let p = presented(req)?;
        verify(req, &p, "SK", at, 300)
    }

    fn with_auth(auth: &str) -> WireRequest {
        let mut req = post("/api/v2/zec", HOST, "application/json", BODY);
        req.headers_mut().insert("x-zc-timestamp", http::HeaderValue::from(now().timestamp()));
        req.headers_mut().insert(http::header::AUTHORIZATION, auth.parse().unwrap());
        req
    }

    /// The provider's published example (Zenlayer API reference, signature): the password keys the HMAC directly, the
    /// canonical URI is `/` though the request goes to a service path, and the content type keeps
    /// its charset.
    #[test]
    fn the_published_example_is_reproduced() {
        let published = DateTime::<Utc>::from_timestamp(1_673_361_177, 0).unwrap();
        let mut req = post(
            "/api/v2/zec",
            "console.zenlayer.com",
            "application/json; charset=utf-8",
            r#"{"pageSize":10,"pageNum":1,"zoneId":"HKG-A"}"#,
        );
        sign(&mut req, "AK", "Gu5t9xGARNpq86cd98joQYCN3", published);
        let p = presented(&req).unwrap();
        assert!(p.signature.starts_with("efb356c3") && p.signature.ends_with("5b2f"), "{}", p.signature);
        assert_eq!(p.signature, "efb356c32e55c781e10dc676da59462c22596d82e91c57803666243379555b2f");
        assert_eq!(verify(&req, &p, "Gu5t9xGARNpq86cd98joQYCN3", published, 300), Ok(()));
    }

    #[test]
    fn sign_then_verify_round_trips_whatever_the_path() {
        for path in ["/api/v2/zec", "/api/v2/vm", "/", "/api/v2/zec?x=1"] {
            let mut req = post(path, HOST, "application/json", BODY);
            sign(&mut req, "AK", "SK", now());
            assert_eq!(header(&req, "x-zc-signature-method"), Some(ZC2));
            assert_eq!(header(&req, "x-zc-timestamp"), Some("1795445401"));
            let p = presented(&req).unwrap();
            assert_eq!(p.access_key_id, "AK");
            assert_eq!(p.signed_headers, ["content-type", "host"]);
            assert_eq!(p.timestamp.as_deref(), Some("1795445401"));
            assert_eq!(check(&req, now()), Ok(()), "{path}");
            assert!(matches!(verify(&req, &p, "other", now(), 300), Err(AuthFailure::Mismatch { .. })));
        }
    }

    #[test]
    fn a_tampered_request_does_not_verify() {
        let mut req = post("/api/v2/zec", HOST, "application/json", BODY);
        sign(&mut req, "AK", "SK", now());

        let mut body = req.clone();
        *body.body_mut() = Bytes::from(BODY.replace("disk-1", "disk-2"));
        let Err(AuthFailure::Mismatch { string_to_sign }) = check(&body, now()) else {
            panic!("a changed body must not verify");
        };
        assert!(string_to_sign.starts_with("ZC2-HMAC-SHA256\n1795445401\n"), "{string_to_sign}");
        assert_eq!(string_to_sign.lines().count(), 3);

        let mut host = req.clone();
        host.headers_mut().insert("host", "127.0.0.1:8081".parse().unwrap());
        assert!(matches!(check(&host, now()), Err(AuthFailure::Mismatch { .. })));

        let mut timestamp = req.clone();
        timestamp.headers_mut().insert("x-zc-timestamp", "1795445402".parse().unwrap());
        assert!(matches!(check(&timestamp, now()), Err(AuthFailure::Mismatch { .. })));

        // Surrounding whitespace in a value is not part of what was signed.
        let mut spaced = req.clone();
        spaced.headers_mut().insert("content-type", " application/json ".parse().unwrap());
        assert_eq!(check(&spaced, now()), Ok(()));
    }

    /// The SDK signs header values as it sends them; the value here was computed the SDK's way
    /// (Python, outside this code), so lower-casing on either side would break it.
    #[test]
    fn header_values_keep_their_case() {
        let mut req = post("/api/v2/zec", HOST, "Application/JSON", BODY);
        sign(&mut req, "AK", "SK", now());
        let p = presented(&req).unwrap();
        assert_eq!(p.signature, "ed4656115f5fb34b8c9bc8a085196ee9009578ee02f43edbcd2643a725b0f2d3");
        assert_eq!(check(&req, now()), Ok(()));
        req.headers_mut().insert("content-type", "application/json".parse().unwrap());
        assert!(matches!(check(&req, now()), Err(AuthFailure::Mismatch { .. })));
    }

    #[test]
    fn a_stale_or_unreadable_timestamp_is_refused() {
        let mut req = post("/api/v2/zec", HOST, "application/json", BODY);
        sign(&mut req, "AK", "SK", now());
        assert_eq!(check(&req, now() + chrono::Duration::seconds(300)), Ok(()));
        assert_eq!(check(&req, now() - chrono::Duration::seconds(300)), Ok(()));
        assert_eq!(check(&req, now() + chrono::Duration::seconds(301)), Err(AuthFailure::Stale));
        assert_eq!(check(&req, now() - chrono::Duration::seconds(3600)), Err(AuthFailure::Stale));

        // Correctly signed over timestamps that are not a usable number of seconds.
        for bad in ["yesterday", "-9223372036854775808", "99999999999999999999"] {
            let mut req = post("/api/v2/zec", HOST, "application/json", BODY);
            sign(&mut req, "AK", "SK", now());
            req.headers_mut().insert("x-zc-timestamp", bad.parse().unwrap());
            let p = presented(&req).unwrap();
            let sts = string_to_sign(&req, &p.signed_headers, bad);
            let mut p = p;
            p.signature = hex::encode(hmac_sha256(b"SK", sts.as_bytes()));
            assert_eq!(verify(&req, &p, "SK", now(), 300), Err(AuthFailure::BadTimestamp), "{bad}");
        }

        req.headers_mut().remove("x-zc-timestamp");
        assert_eq!(check(&req, now()), Err(AuthFailure::Missing("x-zc-timestamp".into())));
    }

    #[test]
    fn the_scheme_and_method_are_checked() {
        let req = post("/api/v2/zec", HOST, "application/json", BODY);
        assert_eq!(presented(&req), Err(AuthFailure::Missing("Authorization".into())));
        assert_eq!(presented(&with_auth("Bearer tok")), Err(AuthFailure::UnsupportedMethod("Bearer".into())));
        assert_eq!(
            presented(&with_auth("TC3-HMAC-SHA256 Credential=AK/2026-01-01/cvm/tc3_request")),
            Err(AuthFailure::UnsupportedMethod("TC3-HMAC-SHA256".into()))
        );

        let mut req = post("/api/v2/zec", HOST, "application/json", BODY);
        sign(&mut req, "AK", "SK", now());
        req.headers_mut().insert("x-zc-signature-method", "HmacSHA1".parse().unwrap());
        assert_eq!(presented(&req), Err(AuthFailure::UnsupportedMethod("HmacSHA1".into())));
        // Absent is fine: the header restates what `Authorization` already names.
        req.headers_mut().remove("x-zc-signature-method");
        assert_eq!(check(&req, now()), Ok(()));
    }

    #[test]
    fn both_headers_must_be_signed() {
        let mut req = post("/api/v2/zec", HOST, "application/json", BODY);
        sign(&mut req, "AK", "SK", now());
        let mut p = presented(&req).unwrap();
        p.signed_headers = vec!["host".into()];
        assert_eq!(verify(&req, &p, "SK", now(), 300), Err(AuthFailure::Missing("Authorization".into())));
        p.signed_headers = vec!["content-type".into()];
        assert_eq!(verify(&req, &p, "SK", now(), 300), Err(AuthFailure::Missing("Authorization".into())));
    }

    #[test]
    fn malformed_headers_never_panic() {
        let sig = "0".repeat(64);
        for auth in [
            "ZC2-HMAC-SHA256",
            "ZC2-HMAC-SHA256 ",
            "ZC2-HMAC-SHA256 Credential=AK",
            "ZC2-HMAC-SHA256 Credential=, SignedHeaders=content-type;host, Signature=00",
            "ZC2-HMAC-SHA256 Credential=AK, SignedHeaders=content-type;;host, Signature=00",
            "ZC2-HMAC-SHA256 Credential=AK, SignedHeaders=content-type;host, Signature=",
            "ZC2-HMAC-SHA256 Credential=AK SignedHeaders=content-type;host Signature=00",
            "ZC2-HMAC-SHA256 ,,,===,",
            "   ",
        ] {
            assert_eq!(
                presented(&with_auth(auth)),
                Err(AuthFailure::Missing("Authorization".into())),
                "{auth:?}"
            );
        }
        // Parsed, then refused by the comparison: not hex, odd length, too short, too long.
        for signature in ["zz", "abc", "00", sig.as_str(), &format!("{sig}00"), "é"] {
            let auth = format!(
                "ZC2-HMAC-SHA256 Credential=AK, SignedHeaders=content-type;host, Signature={signature}"
            );
            let Ok(value) = http::HeaderValue::from_bytes(auth.as_bytes()) else { continue };
            let mut req = with_auth("x");
            req.headers_mut().insert(http::header::AUTHORIZATION, value);
            assert!(check(&req, now()).is_err(), "{signature:?}");
        }
        // Unknown signed headers and a header that is not visible ASCII.
        let mut req = with_auth(&format!(
            "ZC2-HMAC-SHA256 Credential=AK, SignedHeaders=content-type;host;x-nope;bad name, Signature={sig}"
        ));
        req.headers_mut()
            .insert("content-type", http::HeaderValue::from_bytes(b"application/json\xff").unwrap());
        assert!(matches!(check(&req, now()), Err(AuthFailure::Mismatch { .. })));
        let mut req = with_auth("x");
        req.headers_mut().insert(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_bytes(b"ZC2-HMAC-SHA256 \xff").unwrap(),
        );
        assert_eq!(presented(&req), Err(AuthFailure::Missing("Authorization".into())));
    }
}
