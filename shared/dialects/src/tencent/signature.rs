//! Tencent Cloud request signatures: TC3-HMAC-SHA256 (API 3.0: a canonical request over method,
//! query, two signed headers and the body hash, keyed by a date/service-scoped key chain) and the
//! legacy signature v1 (HmacSHA1 / HmacSHA256 over the sorted, unencoded parameters).
//!
//! Both are verified against the request exactly as received: the raw query string, the raw
//! body bytes and the `Host` header as the client sent it (port included). The signing side
//! exists for tests and benchmarks and reproduces the Python SDK byte for byte.

use crate::crypto::{fresh, hmac_sha1, hmac_sha256, sha256_hex, unix_seconds};
use crate::signing::{self, Authorization, Encoding, Values};
use crate::{header, WireRequest};
use chrono::{DateTime, Utc};
use domain::AuthFailure;

const TC3: &str = "TC3-HMAC-SHA256";
const TC3_TERMINATOR: &str = "tc3_request";
/// The value of `X-TC-Content-SHA256` by which a client opts out of signing the body.
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The headers the SDK always signs; a signature that leaves either out does not bind the request
/// to its host or to the way its body is to be read.
const REQUIRED_SIGNED_HEADERS: [&str; 2] = ["content-type", "host"];

/// The HMAC of the legacy signature, from its `SignatureMethod` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    HmacSha1,
    HmacSha256,
}

impl Algorithm {
    /// The `SignatureMethod` value that names this algorithm.
    fn name(self) -> &'static str {
        match self {
            Algorithm::HmacSha1 => "HmacSHA1",
            Algorithm::HmacSha256 => "HmacSHA256",
        }
    }
}

/// The credentials a request presents, before they are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub secret_id: String,
    pub scheme: Scheme,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// `Authorization: TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=..., Signature=...`
    Tc3 {
        date: String,
        service: String,
        signed_headers: Vec<String>,
        signature: String,
        /// The `X-TC-Timestamp` header.
        timestamp: Option<String>,
    },
    /// Form/query parameters SecretId, Signature, SignatureMethod (absent = HmacSHA1), Timestamp, Nonce.
    Legacy {
        algorithm: Algorithm,
        signature: Option<String>,
        timestamp: Option<String>,
        nonce: Option<String>,
    },
}

impl Presented {
    /// The nonce to check for replay. TC3 has none: two identical requests in the same second
    /// legitimately carry identical signatures (the SDK's retryer resends them byte for byte).
    pub fn nonce(&self) -> Option<&str> {
        match &self.scheme {
            Scheme::Legacy { nonce, .. } => nonce.as_deref(),
            Scheme::Tc3 { .. } => None,
        }
    }

    /// What makes a legacy-form request a replay of another: its nonce *with* its timestamp and
    /// its signature, the very request sent again. The API 3.0 common parameters define `Nonce`
    /// as a random positive integer used with `Timestamp` against replays, and the SDKs draw it
    /// from a small range (the Node.js SDK from 65,536 values), so the nonce recurs among honest
    /// requests within the hour, and now and then within one second (a client making a few dozen
    /// calls a second); those are other requests, with other signatures, which only a holder of
    /// the key can make. (A valid signature is at most 44 characters; a longer one fails anyway.)
    pub fn replay_key(&self) -> Option<String> {
        match &self.scheme {
            Scheme::Legacy { nonce: Some(nonce), timestamp, signature, .. } => {
                let signature: String = signature.as_deref().unwrap_or_default().chars().take(44).collect();
                Some(format!("{}:{nonce}:{signature}", timestamp.as_deref().unwrap_or_default()))
            }
            _ => None,
        }
    }
}

/// The first value of parameter `name`.
fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Find the secret id and signature parts a request carries.
///
/// `params`: every decoded (form rules) parameter of the request, query string then form body,
/// in wire order. An `Authorization` header means TC3 (the legacy form never sends one), else a
/// `SecretId` parameter means the legacy form.
pub fn presented(req: &WireRequest, params: &[(String, String)]) -> Result<Presented, AuthFailure> {
    if let Some(raw) = req.headers().get(http::header::AUTHORIZATION) {
        let parameters = signing::expect_algorithm(signing::header_text(raw)?, TC3)?;
        let auth = Authorization::parse(TC3, parameters)?.complete()?;
        // From the right: a secret id is not expected to hold a `/`, but the scope's shape is fixed.
        let scope: Vec<&str> = auth.credential.rsplitn(4, '/').collect();
        let [terminator, service, date, secret_id] = scope[..] else {
            return Err(signing::malformed());
        };
        if terminator != TC3_TERMINATOR || [service, date, secret_id].iter().any(|s| s.is_empty()) {
            return Err(signing::malformed());
        }
        return Ok(Presented {
            secret_id: secret_id.to_string(),
            scheme: Scheme::Tc3 {
                date: date.to_string(),
                service: service.to_string(),
                signed_headers: auth.signed_headers,
                signature: auth.signature.to_string(),
                timestamp: header(req, "x-tc-timestamp").map(str::to_string),
            },
        });
    }
    let Some(secret_id) = param(params, "SecretId").filter(|id| !id.is_empty()) else {
        return Err(AuthFailure::Missing("SecretId".into()));
    };
    // Absent means HmacSHA1: API 2.0 clients never sent the parameter.
    let algorithm = match param(params, "SignatureMethod") {
        None | Some("HmacSHA1") => Algorithm::HmacSha1,
        Some("HmacSHA256") => Algorithm::HmacSha256,
        Some(other) => return Err(AuthFailure::UnsupportedMethod(other.to_string())),
    };
    Ok(Presented {
        secret_id: secret_id.to_string(),
        scheme: Scheme::Legacy {
            algorithm,
            signature: param(params, "Signature").map(str::to_string),
            timestamp: param(params, "Timestamp").map(str::to_string),
            nonce: param(params, "Nonce").map(str::to_string),
        },
    })
}

/// Check the signature with `secret`, then the timestamp (Unix seconds) against `now` within
/// `max_skew_seconds`.
///
/// `signed_path` is the path the client signed: normally `req.uri().path()`, but API 2.0 clients
/// signed `/v2/index.php` whatever path the request reached. Only the legacy form signs it; TC3's
/// canonical URI is always `/` (the provider's rule, and the SDK's default request path).
pub fn verify(
    req: &WireRequest,
    params: &[(String, String)],
    signed_path: &str,
    presented: &Presented,
    secret: &str,
    now: DateTime<Utc>,
    max_skew_seconds: u64,
) -> Result<(), AuthFailure> {
    let at = match &presented.scheme {
        Scheme::Tc3 { date, service, signed_headers, signature, timestamp } => {
            signing::require_signed(signed_headers, &REQUIRED_SIGNED_HEADERS)?;
            let timestamp = signing::needed(timestamp.as_deref(), "X-TC-Timestamp")?;
            let string_to_sign = tc3_string_to_sign(req, signed_headers, timestamp, date, service, None);
            let expected = tc3_signature(secret, date, service, &string_to_sign);
            let as_sent = signing::compare(&expected, signature, Encoding::Hex, &string_to_sign);
            // The Node.js SDK signs `host:` with the URL's hostname, without the port its `Host`
            // header carries (tencentcloud-sdk-nodejs, common/sign.js). Only the host line differs
            // in this second reading: every other signed part must still match.
            if as_sent.is_err() {
                let bare = header(req, "host").and_then(without_port);
                let by_hostname = bare.map(|host| {
                    let sts = tc3_string_to_sign(req, signed_headers, timestamp, date, service, Some(host));
                    let expected = tc3_signature(secret, date, service, &sts);
                    signing::compare(&expected, signature, Encoding::Hex, &sts)
                });
                if by_hostname != Some(Ok(())) {
                    as_sent?;
                }
            }
            let at = unix_seconds(timestamp)?;
            // The key was derived for the credential's date: a signature keyed for another day
            // than the one its timestamp names is not the provider's signature.
            if at.format("%Y-%m-%d").to_string() != *date {
                return Err(AuthFailure::Mismatch { string_to_sign });
            }
            at
        }
        Scheme::Legacy { algorithm, signature, timestamp, nonce } => {
            let signature = signing::needed(signature.as_deref(), "Signature")?;
            let host = header(req, "host").unwrap_or("");
            let string_to_sign = legacy_string_to_sign(req.method().as_str(), host, signed_path, params);
            let expected = legacy_signature(*algorithm, secret, &string_to_sign);
            signing::compare(&expected, signature, Encoding::Base64, &string_to_sign)?;
            signing::needed_nonce(nonce.as_deref(), "Nonce")?;
            unix_seconds(signing::needed(timestamp.as_deref(), "Timestamp")?)?
        }
    };
    fresh(at, now, max_skew_seconds)
}

/// `TC3-HMAC-SHA256\n<timestamp>\n<date>/<service>/tc3_request\n` + hex SHA-256 of the
/// canonical request `METHOD\n/\nQUERY\nHEADERS\nSIGNEDHEADERS\nPAYLOADHASH`.
///
/// QUERY is the raw query string for every method and the payload hash is over the raw body for
/// every method. The provider defines QUERY as empty for POST and the payload as empty for GET;
/// SDK requests never carry a query on POST nor a body on GET, so both readings give the same
/// bytes for them, and this one leaves no parameter the gateway might read outside the signature.
fn tc3_string_to_sign(
    req: &WireRequest,
    signed_headers: &[String],
    timestamp: &str,
    date: &str,
    service: &str,
    host: Option<&str>,
) -> String {
    let mut headers = signing::canonical_headers(req, signed_headers, Values::LowerCased);
    // The one `host` line read with another host: the whole line, never a substring of another
    // signed header's (`x-myhost:<the same value>`).
    if let (Some(host), Some(sent)) = (host, header(req, "host")) {
        let line = format!("host:{}", sent.trim().to_lowercase());
        headers = headers
            .split_inclusive('\n')
            .map(|l| {
                if l.strip_suffix('\n') == Some(&line) {
                    format!("host:{}\n", host.to_lowercase())
                } else {
                    l.into()
                }
            })
            .collect();
    }
    let payload_hash = if header(req, "x-tc-content-sha256") == Some(UNSIGNED_PAYLOAD) {
        sha256_hex(UNSIGNED_PAYLOAD.as_bytes())
    } else {
        sha256_hex(req.body())
    };
    let canonical = format!(
        "{}\n/\n{}\n{}\n{}\n{}",
        req.method(),
        req.uri().query().unwrap_or(""),
        headers,
        signed_headers.join(";"),
        payload_hash
    );
    format!("{TC3}\n{timestamp}\n{date}/{service}/{TC3_TERMINATOR}\n{}", sha256_hex(canonical.as_bytes()))
}

/// A `Host` header's host without its port (`127.0.0.1:18080` → `127.0.0.1`, `[::1]:80` →
/// `[::1]`), or `None` when it names no port.
pub fn without_port(host: &str) -> Option<&str> {
    let (name, port) = host.trim().rsplit_once(':')?;
    let bracketed_or_plain = name.ends_with(']') || !name.contains(':');
    (bracketed_or_plain && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())).then_some(name)
}

/// The TC3 key chain: the secret is never used directly, only a key scoped to one day and one
/// service.
fn tc3_signature(secret: &str, date: &str, service: &str, string_to_sign: &str) -> Vec<u8> {
    let k_date = hmac_sha256(format!("TC3{secret}").as_bytes(), date.as_bytes());
    let k_service = hmac_sha256(&k_date, service.as_bytes());
    let k_signing = hmac_sha256(&k_service, TC3_TERMINATOR.as_bytes());
    hmac_sha256(&k_signing, string_to_sign.as_bytes())
}

/// `METHOD` + `Host` + path + `?` + the parameters but `Signature`, sorted by name, joined as
/// `name=value` with `&`, values decoded and not re-encoded.
///
/// Like the SDK, a `_` in a name is signed as `.` (a leftover of API 2.0 names); no CVM or CBS
/// parameter holds one, but a client that sends one still verifies.
fn legacy_string_to_sign(method: &str, host: &str, path: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<(String, &str)> = params
        .iter()
        .filter(|(k, _)| k != "Signature")
        .map(|(k, v)| (k.replace('_', "."), v.as_str()))
        .collect();
    // Stable, by name only: repeated names keep their wire order.
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    format!("{method}{host}{path}?{}", signing::join_pairs(&sorted))
}

fn legacy_signature(algorithm: Algorithm, secret: &str, string_to_sign: &str) -> Vec<u8> {
    match algorithm {
        Algorithm::HmacSha1 => hmac_sha1(secret.as_bytes(), string_to_sign.as_bytes()),
        Algorithm::HmacSha256 => hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes()),
    }
}

/// Client side: set `X-TC-Timestamp` and `Authorization` on a request whose method, uri, `Host`
/// header, `Content-Type` header and body are final (for GET, the raw query as in the uri). The
/// header is spelled exactly as the Python SDK spells it.
///
/// # Panics
/// If `secret_id` or `service` cannot appear in a header value (test input only).
pub fn sign_tc3(req: &mut WireRequest, secret_id: &str, secret: &str, service: &str, now: DateTime<Utc>) {
    sign_tc3_headers(req, secret_id, secret, service, now, &REQUIRED_SIGNED_HEADERS);
}

/// The same, signing the headers `signed` (lower-case names, sorted) rather than the two the SDKs
/// sign.
pub fn sign_tc3_headers(
    req: &mut WireRequest,
    secret_id: &str,
    secret: &str,
    service: &str,
    now: DateTime<Utc>,
    signed: &[&str],
) {
    let timestamp = now.timestamp().to_string();
    let date = now.format("%Y-%m-%d").to_string();
    req.headers_mut().insert("x-tc-timestamp", http::HeaderValue::from(now.timestamp()));
    let signed: Vec<String> = signed.iter().map(|h| h.to_string()).collect();
    let string_to_sign = tc3_string_to_sign(req, &signed, &timestamp, &date, service, None);
    let signature = Encoding::Hex.encode(&tc3_signature(secret, &date, service, &string_to_sign));
    let credential = format!("{secret_id}/{date}/{service}/{TC3_TERMINATOR}");
    let auth = Authorization::new(TC3, &credential, signed, &signature);
    req.headers_mut().insert(http::header::AUTHORIZATION, auth.to_header(", "));
}

/// Client side: add `Timestamp`, `Nonce` (a random positive integer below 2⁶³, as the SDK draws
/// it), `SecretId` and, for HmacSHA256 only, `SignatureMethod` to `pairs` unless present (HmacSHA1
/// leaves it absent, like API 2.0 clients), then append `Signature` (replacing any earlier one).
#[allow(clippy::too_many_arguments)]
pub fn sign_legacy(
    method: &str,
    host: &str,
    path: &str,
    pairs: &mut Vec<(String, String)>,
    secret_id: &str,
    secret: &str,
    algorithm: Algorithm,
    now: DateTime<Utc>,
) {
    let nonce = uuid::Uuid::new_v4().as_u128() as u64 % (i64::MAX as u64) + 1;
    let mut common = vec![
        ("Timestamp", now.timestamp().to_string()),
        ("Nonce", nonce.to_string()),
        ("SecretId", secret_id.to_string()),
    ];
    if algorithm == Algorithm::HmacSha256 {
        common.push(("SignatureMethod", algorithm.name().to_string()));
    }
    for (k, v) in common {
        if !pairs.iter().any(|(name, _)| name == k) {
            pairs.push((k.to_string(), v));
        }
    }
    pairs.retain(|(k, _)| k != "Signature");
    let string_to_sign = legacy_string_to_sign(method, host, path, pairs);
    let signature = legacy_signature(algorithm, secret, &string_to_sign);
    pairs.push(("Signature".into(), Encoding::Base64.encode(&signature)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::fixtures::{now, post, HOST};
    use base64::Engine;
    use bytes::Bytes;

    const BODY: &str = r#"{"DiskId": "disk-1", "SnapshotName": "a b"}"#;

    fn tc3_post(body: &str) -> WireRequest {
        post("/", HOST, "application/json", ("x-tc-action", "CreateSnapshot"), body)
    }

    fn check(
        req: &WireRequest,
        params: &[(String, String)],
        path: &str,
        at: DateTime<Utc>,
    ) -> Result<(), AuthFailure> {
        let p = presented(req, params)?;
        verify(req, params, path, &p, "SK", at, 300)
    }

    fn form(pairs: &[(String, String)]) -> String {
        form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
    }

    #[test]
    fn tc3_post_round_trips_and_a_changed_body_does_not() {
        let mut req = tc3_post(BODY);
        sign_tc3(&mut req, "AK", "SK", "cbs", now());
        let p = presented(&req, &[]).unwrap();
        assert_eq!(p.secret_id, "AK");
        assert_eq!(p.nonce(), None);
        assert_eq!(check(&req, &[], "/", now()), Ok(()));
        assert!(matches!(verify(&req, &[], "/", &p, "other", now(), 300), Err(AuthFailure::Mismatch { .. })));
        assert_eq!(check(&req, &[], "/", now() + chrono::Duration::seconds(301)), Err(AuthFailure::Stale));

        *req.body_mut() = Bytes::from(BODY.replace("disk-1", "disk-2"));
        assert!(matches!(check(&req, &[], "/", now()), Err(AuthFailure::Mismatch { .. })));
    }

    /// Signed as the Node.js SDK signs: `host:` with the hostname alone while the `Host` header
    /// carries the port, `x-tc-action` among the signed headers.
    fn node_signed(body: &str, signed_host: &str) -> WireRequest {
        let mut req =
            post("/", "127.0.0.1:18080", "application/json", ("x-tc-action", "CreateSnapshot"), body);
        req.headers_mut().insert("x-tc-timestamp", http::HeaderValue::from(now().timestamp()));
        let signed: Vec<String> = ["content-type", "host", "x-tc-action"].map(String::from).to_vec();
        let (ts, date) = (now().timestamp().to_string(), now().format("%Y-%m-%d").to_string());
        let sts = tc3_string_to_sign(&req, &signed, &ts, &date, "cbs", Some(signed_host));
        let sig = hex::encode(tc3_signature("SK", &date, "cbs", &sts));
        let auth = format!(
            "{TC3} Credential=AK/{date}/cbs/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature={sig}"
        );
        req.headers_mut().insert("authorization", auth.parse().unwrap());
        req
    }

    #[test]
    fn tc3_signed_over_the_hostname_without_its_port() {
        assert_eq!(check(&node_signed(BODY, "127.0.0.1"), &[], "/", now()), Ok(()));
        let mismatch =
            |req: &WireRequest| matches!(check(req, &[], "/", now()), Err(AuthFailure::Mismatch { .. }));
        // Another host, or another port, is not the one the request reached.
        assert!(mismatch(&node_signed(BODY, "10.0.0.1")));
        assert!(mismatch(&node_signed(BODY, "127.0.0.1:18081")));
        // Every other signed part still counts: the body, the action, the timestamp, the query.
        let mut req = node_signed(BODY, "127.0.0.1");
        *req.body_mut() = Bytes::from(BODY.replace("disk-1", "disk-2"));
        assert!(mismatch(&req));
        let mut req = node_signed(BODY, "127.0.0.1");
        req.headers_mut().insert("x-tc-action", "DeleteSnapshots".parse().unwrap());
        assert!(mismatch(&req));
        let mut req = node_signed(BODY, "127.0.0.1");
        req.headers_mut().insert("x-tc-timestamp", http::HeaderValue::from(now().timestamp() + 1));
        assert!(mismatch(&req));
        let mut req = node_signed(BODY, "127.0.0.1");
        *req.uri_mut() = "/?Extra=1".parse().unwrap();
        assert!(mismatch(&req));
        let mut req = node_signed(BODY, "127.0.0.1");
        req.headers_mut().insert("content-type", "text/plain".parse().unwrap());
        assert!(mismatch(&req));
        // A signed header whose name ends in `host` keeps its value in the second reading: signed
        // as `a-myhost: 127.0.0.1`, sent as `127.0.0.1:18080`, it does not verify.
        let mut req = post("/", "127.0.0.1:18080", "application/json", ("a-myhost", "127.0.0.1"), BODY);
        sign_tc3_headers(&mut req, "AK", "SK", "cbs", now(), &["a-myhost", "content-type", "host"]);
        assert_eq!(check(&req, &[], "/", now()), Ok(()));
        req.headers_mut().insert("a-myhost", "127.0.0.1:18080".parse().unwrap());
        assert!(mismatch(&req), "a changed a-myhost verified");
        // A Host without a port has no second reading.
        let mut req = node_signed(BODY, "127.0.0.1");
        req.headers_mut().insert("host", "127.0.0.1".parse().unwrap());
        assert_eq!(check(&req, &[], "/", now()), Ok(()), "the bare host as sent");
        assert_eq!(without_port("[::1]:80"), Some("[::1]"));
        assert_eq!((without_port("::1"), without_port("a:"), without_port("a:b")), (None, None, None));
    }

    #[test]
    fn tc3_get_signs_the_raw_query() {
        let mut req = http::Request::builder()
            .method("GET")
            .uri("/?DiskId=disk-1&SnapshotName=a+b&Tags.0.Key=%2A")
            .header("host", HOST)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Bytes::new())
            .unwrap();
        sign_tc3(&mut req, "AK", "SK", "cbs", now());
        assert_eq!(check(&req, &[], "/", now()), Ok(()));
        // The same parameters, encoded differently: not the bytes that were signed.
        *req.uri_mut() = "/?DiskId=disk-1&SnapshotName=a%20b&Tags.0.Key=%2A".parse().unwrap();
        assert!(matches!(check(&req, &[], "/", now()), Err(AuthFailure::Mismatch { .. })));
    }

    #[test]
    fn tc3_unsigned_payload_leaves_the_body_out() {
        let mut req = tc3_post(BODY);
        req.headers_mut().insert("x-tc-content-sha256", UNSIGNED_PAYLOAD.parse().unwrap());
        sign_tc3(&mut req, "AK", "SK", "cbs", now());
        *req.body_mut() = Bytes::from_static(b"{}");
        assert_eq!(check(&req, &[], "/", now()), Ok(()));
    }

    #[test]
    fn tc3_date_must_be_the_timestamps_day() {
        let mut req = tc3_post(BODY);
        sign_tc3(&mut req, "AK", "SK", "cbs", now());
        // Re-sign correctly, but with a key scoped to the next day.
        let signed = vec!["content-type".to_string(), "host".to_string()];
        let ts = now().timestamp().to_string();
        let sts = tc3_string_to_sign(&req, &signed, &ts, "2026-11-24", "cbs", None);
        let sig = hex::encode(tc3_signature("SK", "2026-11-24", "cbs", &sts));
        let auth = format!(
            "{TC3} Credential=AK/2026-11-24/cbs/tc3_request, SignedHeaders=content-type;host, Signature={sig}"
        );
        req.headers_mut().insert("authorization", auth.parse().unwrap());
        assert!(matches!(check(&req, &[], "/", now()), Err(AuthFailure::Mismatch { .. })));
    }

    #[test]
    fn tc3_malformed_parts_are_refused_without_panicking() {
        let with_auth = |auth: &[u8]| {
            let mut req = tc3_post(BODY);
            req.headers_mut().insert("authorization", http::HeaderValue::from_bytes(auth).unwrap());
            req.headers_mut().insert("x-tc-timestamp", "1795445401".parse().unwrap());
            req
        };
        let missing = Err(AuthFailure::Missing("Authorization".into()));
        for auth in [
            &b"TC3-HMAC-SHA256"[..],
            b"TC3-HMAC-SHA256 Credential=AK, SignedHeaders=content-type;host, Signature=00",
            b"TC3-HMAC-SHA256 Credential=AK/2026-11-23/cbs/other, SignedHeaders=host, Signature=00",
            b"TC3-HMAC-SHA256 Credential=AK/2026-11-23/cbs/tc3_request, Signature=00",
            b"TC3-HMAC-SHA256 Credential=AK/2026-11-23/cbs/tc3_request, SignedHeaders=;, Signature=00",
            b"TC3-HMAC-SHA256 Credential=\xff/2026-11-23/cbs/tc3_request",
        ] {
            assert_eq!(check(&with_auth(auth), &[], "/", now()), missing, "{auth:?}");
        }
        // Host alone is not enough; a nonsense header name is just not matched.
        let req = with_auth(
            b"TC3-HMAC-SHA256 Credential=AK/2026-11-23/cbs/tc3_request, SignedHeaders=host, Signature=00",
        );
        assert_eq!(check(&req, &[], "/", now()), missing);
        let req = with_auth(
            b"TC3-HMAC-SHA256 Credential=AK/2026-11-23/cbs/tc3_request, SignedHeaders=content-type;host;a b, Signature=zz",
        );
        assert!(matches!(check(&req, &[], "/", now()), Err(AuthFailure::Mismatch { .. })));
        assert_eq!(
            check(&with_auth(b"Bearer abc"), &[], "/", now()),
            Err(AuthFailure::UnsupportedMethod("Bearer".into()))
        );

        let mut req = tc3_post(BODY);
        sign_tc3(&mut req, "AK", "SK", "cbs", now());
        req.headers_mut().remove("x-tc-timestamp");
        assert_eq!(check(&req, &[], "/", now()), Err(AuthFailure::Missing("X-TC-Timestamp".into())));
    }

    fn legacy_round_trip(algorithm: Algorithm, path: &str) {
        let mut pairs = vec![
            ("Action".to_string(), "CreateSnapshot".to_string()),
            ("DiskId".into(), "disk-1".into()),
            ("SnapshotName".into(), "a b*~/测".into()),
        ];
        sign_legacy("POST", HOST, path, &mut pairs, "AK", "SK", algorithm, now());
        assert_eq!(
            pairs.iter().any(|(k, _)| k == "SignatureMethod"),
            algorithm == Algorithm::HmacSha256,
            "{algorithm:?}"
        );
        let build = |pairs: &[(String, String)]| {
            http::Request::builder()
                .method("POST")
                .uri("/")
                .header("host", HOST)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Bytes::from(form(pairs)))
                .unwrap()
        };
        let req = build(&pairs);
        let params = crate::encoding::form_pairs(req.body()).unwrap();
        let p = presented(&req, &params).unwrap();
        assert_eq!(p.secret_id, "AK");
        assert!(matches!(p.scheme, Scheme::Legacy { algorithm: a, .. } if a == algorithm));
        assert!(p.nonce().is_some_and(|n| n.parse::<u64>().is_ok_and(|n| n > 0)));
        assert_eq!(check(&req, &params, path, now()), Ok(()));
        assert_eq!(check(&req, &params, path, now() - chrono::Duration::hours(1)), Err(AuthFailure::Stale));

        let tampered: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.clone(), if k == "DiskId" { "disk-2".into() } else { v.clone() }))
            .collect();
        assert!(matches!(
            check(&build(&tampered), &tampered, path, now()),
            Err(AuthFailure::Mismatch { .. })
        ));
        // Signed for one path, checked against another.
        let other = if path == "/" { "/v2/index.php" } else { "/" };
        assert!(matches!(check(&req, &params, other, now()), Err(AuthFailure::Mismatch { .. })));
    }

    #[test]
    fn legacy_sha1_round_trips() {
        legacy_round_trip(Algorithm::HmacSha1, "/");
        legacy_round_trip(Algorithm::HmacSha1, "/v2/index.php");
    }

    #[test]
    fn legacy_sha256_round_trips() {
        legacy_round_trip(Algorithm::HmacSha256, "/");
    }

    #[test]
    fn legacy_parameters_are_checked() {
        let req =
            http::Request::builder().method("POST").uri("/").header("host", HOST).body(Bytes::new()).unwrap();
        let owned = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        assert_eq!(presented(&req, &[]), Err(AuthFailure::Missing("SecretId".into())));
        assert_eq!(
            presented(&req, &owned(&[("SecretId", "AK"), ("SignatureMethod", "HmacMD5")])),
            Err(AuthFailure::UnsupportedMethod("HmacMD5".into()))
        );
        assert_eq!(
            check(&req, &owned(&[("SecretId", "AK")]), "/", now()),
            Err(AuthFailure::Missing("Signature".into()))
        );

        let signed = |extra: &[(&str, &str)]| {
            let mut pairs = owned(extra);
            pairs.push(("SecretId".into(), "AK".into()));
            let sts = legacy_string_to_sign("POST", HOST, "/", &pairs);
            let sig = base64::engine::general_purpose::STANDARD.encode(legacy_signature(
                Algorithm::HmacSha1,
                "SK",
                &sts,
            ));
            pairs.push(("Signature".into(), sig));
            pairs
        };
        let params = signed(&[("Timestamp", "1795445401")]);
        assert_eq!(check(&req, &params, "/", now()), Err(AuthFailure::Missing("Nonce".into())));
        let params = signed(&[("Nonce", "7")]);
        assert_eq!(check(&req, &params, "/", now()), Err(AuthFailure::Missing("Timestamp".into())));
        let params = signed(&[("Nonce", "7"), ("Timestamp", "yesterday")]);
        assert_eq!(check(&req, &params, "/", now()), Err(AuthFailure::BadTimestamp));
        let params = signed(&[("Nonce", "7"), ("Timestamp", "-9223372036854775808")]);
        assert_eq!(check(&req, &params, "/", now()), Err(AuthFailure::BadTimestamp));
        let params = signed(&[("Nonce", "7"), ("Timestamp", "1795445401")]);
        assert_eq!(check(&req, &params, "/", now()), Ok(()));
        // Not base64 at all: a mismatch, not a panic.
        let mut params = params;
        params.last_mut().unwrap().1 = "%%%".into();
        assert!(matches!(check(&req, &params, "/", now()), Err(AuthFailure::Mismatch { .. })));
    }

    #[test]
    fn legacy_string_to_sign_sorts_and_does_not_encode() {
        let pairs = vec![
            ("b".to_string(), "x y".to_string()),
            ("Signature".into(), "zzz".into()),
            ("A_c".into(), "/&".into()),
            ("A.b".into(), "".into()),
        ];
        assert_eq!(
            legacy_string_to_sign("GET", "h:1", "/v2/index.php", &pairs),
            "GETh:1/v2/index.php?A.b=&A.c=/&&b=x y"
        );
    }
}
