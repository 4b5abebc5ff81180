//! Alibaba request signatures: RPC v1 (HMAC-SHA1 over the sorted parameters) and
//! ACS3-HMAC-SHA256 (a canonical request over method, query, signed headers and body hash).
//! Both are verified against the request exactly as received; the signing side exists for tests
//! and benchmarks.

use super::wire::RpcRequest;
use crate::crypto::{hmac_sha1, hmac_sha256, sha256_hex};
use crate::encoding::rfc3986;
use crate::signing::{self, Authorization, Encoding, Values};
use crate::{header, WireRequest};
use chrono::{DateTime, Utc};
use domain::AuthFailure;

pub const ACS3: &str = "ACS3-HMAC-SHA256";
/// The headers an ACS3 signature must cover: the host, and the three that bind its time, its
/// nonce and its body.
const ACS3_REQUIRED: [&str; 4] = ["host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"];

/// The credentials a request presents, before they are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub access_key_id: String,
    pub scheme: Scheme,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    V1 { signature: Option<String>, timestamp: Option<String>, nonce: Option<String> },
    Acs3 { signed_headers: Vec<String>, signature: String, date: Option<String>, nonce: Option<String> },
}

impl Presented {
    pub fn nonce(&self) -> Option<&str> {
        match &self.scheme {
            Scheme::V1 { nonce, .. } | Scheme::Acs3 { nonce, .. } => nonce.as_deref(),
        }
    }
}

/// Find the access key and signature parts a request carries.
pub fn presented(req: &WireRequest, rpc: &RpcRequest) -> Result<Presented, AuthFailure> {
    if let Some(value) = header(req, "authorization") {
        // The algorithm is a prefix of the value as sent, the parameters whatever follows it; an
        // empty credential or signature is left to the key lookup and the comparison.
        let Some(parameters) = value.strip_prefix(ACS3) else {
            return Err(AuthFailure::UnsupportedMethod(value.split(' ').next().unwrap_or("").to_string()));
        };
        let auth = Authorization::parse(ACS3, parameters)?;
        return Ok(Presented {
            access_key_id: auth.credential.to_string(),
            scheme: Scheme::Acs3 {
                signed_headers: auth.signed_headers,
                signature: auth.signature.to_string(),
                date: header(req, "x-acs-date").map(str::to_string),
                nonce: header(req, "x-acs-signature-nonce").map(str::to_string),
            },
        });
    }
    match rpc.get("AccessKeyId").filter(|k| !k.is_empty()) {
        Some(ak) => Ok(Presented {
            access_key_id: ak.to_string(),
            scheme: Scheme::V1 {
                signature: rpc.get("Signature").map(str::to_string),
                timestamp: rpc.get("Timestamp").map(str::to_string),
                nonce: rpc.get("SignatureNonce").map(str::to_string),
            },
        }),
        None => Err(AuthFailure::Missing("AccessKeyId".into())),
    }
}

/// Check the signature with `secret`, then the timestamp against `now` within `max_skew`.
pub fn verify(
    req: &WireRequest,
    rpc: &RpcRequest,
    presented: &Presented,
    secret: &str,
    now: DateTime<Utc>,
    max_skew_seconds: u64,
) -> Result<(), AuthFailure> {
    let timestamp = signed_timestamp(req, rpc, &presented.scheme, secret)?;
    let at = DateTime::parse_from_rfc3339(timestamp).map_err(|_| AuthFailure::BadTimestamp)?;
    let skew = (now - at.with_timezone(&Utc)).num_seconds().unsigned_abs();
    if skew > max_skew_seconds {
        return Err(AuthFailure::Stale);
    }
    Ok(())
}

/// Check the signature of either scheme with `secret`, then that its nonce and timestamp are
/// there; the timestamp it signed.
fn signed_timestamp<'a>(
    req: &WireRequest,
    rpc: &RpcRequest,
    scheme: &'a Scheme,
    secret: &str,
) -> Result<&'a str, AuthFailure> {
    match scheme {
        Scheme::V1 { signature, timestamp, nonce } => {
            let signature = signing::needed(signature.as_deref(), "Signature")?;
            let method = rpc.get("SignatureMethod").unwrap_or("");
            let version = rpc.get("SignatureVersion").unwrap_or("");
            if method != "HMAC-SHA1" || version != "1.0" {
                return Err(AuthFailure::UnsupportedMethod(format!("{method} {version}")));
            }
            let string_to_sign = v1_string_to_sign(req.method().as_str(), &rpc.pairs);
            let expected = v1_signature(secret, &string_to_sign);
            signing::compare(&expected, signature, Encoding::Base64, &string_to_sign)?;
            signing::needed_nonce(nonce.as_deref(), "SignatureNonce")?;
            // v1 signs the parameters and no header: what runs must be named by them, not by
            // an `x-acs-action` or `x-acs-version` header added beside the signature.
            for needed in ["Action", "Version"] {
                if rpc.get(needed).is_none_or(str::is_empty) {
                    return Err(AuthFailure::Missing(needed.into()));
                }
            }
            signing::needed(timestamp.as_deref(), "Timestamp")
        }
        Scheme::Acs3 { signed_headers, signature, date, nonce } => {
            signing::require_signed(signed_headers, &ACS3_REQUIRED)?;
            // Every `x-acs-*` header sent must be signed (the action and version among them), or
            // a captured request could be replayed as another action; and so must the content
            // type of a body, which decides whether the body is read as parameters at all.
            let signed = |name: &str| signing::signs(signed_headers, name);
            let unsigned_acs =
                req.headers().keys().any(|k| k.as_str().starts_with("x-acs-") && !signed(k.as_str()));
            if unsigned_acs || (!req.body().is_empty() && !signed("content-type")) {
                return Err(signing::malformed());
            }
            let string_to_sign = acs3_string_to_sign(req, signed_headers);
            let expected = hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes());
            signing::compare(&expected, signature, Encoding::Hex, &string_to_sign)?;
            signing::needed_nonce(nonce.as_deref(), "x-acs-signature-nonce")?;
            signing::needed(date.as_deref(), "x-acs-date")
        }
    }
}

/// `METHOD&%2F&` + the encoded canonical query of every parameter but `Signature`.
pub fn v1_string_to_sign(method: &str, pairs: &[(String, String)]) -> String {
    let canonical = canonical_query(pairs.iter().filter(|(k, _)| k != "Signature"));
    format!("{method}&%2F&{}", rfc3986(&canonical))
}

/// v1 keys HMAC-SHA1 with the secret and a `&`.
fn v1_signature(secret: &str, string_to_sign: &str) -> Vec<u8> {
    hmac_sha1(format!("{secret}&").as_bytes(), string_to_sign.as_bytes())
}

/// The pairs, names and values RFC 3986-encoded, sorted by name then value, joined `k=v&…`.
fn canonical_query<'a>(pairs: impl Iterator<Item = &'a (String, String)>) -> String {
    let mut sorted: Vec<(String, String)> = pairs.map(|(k, v)| (rfc3986(k), rfc3986(v))).collect();
    sorted.sort();
    signing::join_pairs(&sorted)
}

/// `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request.
pub fn acs3_string_to_sign(req: &WireRequest, signed_headers: &[String]) -> String {
    let pairs = crate::encoding::form_pairs(req.uri().query().unwrap_or("").as_bytes()).unwrap_or_default();
    let query = canonical_query(pairs.iter());
    let headers = signing::canonical_headers(req, signed_headers, Values::SortedAscii);
    let payload = sha256_hex(req.body());
    // The body hash the client declared must be the body's; a mismatch shows in the signature.
    let declared = header(req, "x-acs-content-sha256").unwrap_or("");
    let payload = if declared == payload { payload } else { format!("{payload}!={declared}") };
    let canonical = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method(),
        req.uri().path(),
        query,
        headers,
        signed_headers.join(";"),
        payload
    );
    format!("{ACS3}\n{}", sha256_hex(canonical.as_bytes()))
}

/// Client side: add the v1 common parameters and the signature to `pairs`.
pub fn sign_v1(
    method: &str,
    pairs: &mut Vec<(String, String)>,
    access_key_id: &str,
    secret: &str,
    now: DateTime<Utc>,
) {
    let common = [
        ("AccessKeyId", access_key_id.to_string()),
        ("SignatureMethod", "HMAC-SHA1".to_string()),
        ("SignatureVersion", "1.0".to_string()),
        ("SignatureNonce", uuid::Uuid::new_v4().simple().to_string()),
        ("Timestamp", now.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        ("Version", super::API_VERSION.to_string()),
        ("Format", "JSON".to_string()),
    ];
    for (k, v) in common {
        if !pairs.iter().any(|(name, _)| name == k) {
            pairs.push((k.to_string(), v));
        }
    }
    let string_to_sign = v1_string_to_sign(method, pairs);
    pairs.push(("Signature".into(), Encoding::Base64.encode(&v1_signature(secret, &string_to_sign))));
}

/// Client side: add the ACS3 headers and `Authorization` to a request (its query and body final).
pub fn sign_acs3(req: &mut WireRequest, access_key_id: &str, secret: &str, now: DateTime<Utc>) {
    let body_hash = sha256_hex(req.body());
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let date = now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let headers = req.headers_mut();
    for (k, v) in [
        ("x-acs-content-sha256", body_hash),
        ("x-acs-date", date),
        ("x-acs-signature-nonce", nonce),
        ("x-acs-version", super::API_VERSION.to_string()),
    ] {
        headers.insert(k, v.parse().expect("ASCII header value"));
    }
    let mut signed: Vec<String> = req
        .headers()
        .keys()
        .map(|k| k.as_str().to_string())
        .filter(|k| k == "host" || k.starts_with("x-acs-") || k == "content-type")
        .collect();
    signed.sort();
    signed.dedup();
    let string_to_sign = acs3_string_to_sign(req, &signed);
    let signature = Encoding::Hex.encode(&hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes()));
    let auth = Authorization::new(ACS3, access_key_id, signed, &signature);
    req.headers_mut().insert("authorization", auth.to_header(","));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::fixtures::{now, post, HOST};

    fn acs3_post() -> WireRequest {
        let mut req = post("/", HOST, "application/json", ("x-acs-action", "CreateSnapshot"), "{}");
        sign_acs3(&mut req, "AK", "SK", now());
        req
    }

    fn read(req: &WireRequest) -> Result<Presented, AuthFailure> {
        presented(req, &RpcRequest::parse(req).unwrap())
    }

    fn with_auth(value: &[u8]) -> WireRequest {
        let mut req = acs3_post();
        req.headers_mut().insert("authorization", http::HeaderValue::from_bytes(value).unwrap());
        req
    }

    #[test]
    fn acs3_round_trips_in_the_sdks_layout() {
        let req = acs3_post();
        let auth = header(&req, "authorization").unwrap();
        assert!(
            auth.starts_with("ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=content-type;host;"),
            "{auth}"
        );
        let p = read(&req).unwrap();
        assert_eq!(p.access_key_id, "AK");
        assert!(p.nonce().is_some_and(|n| !n.is_empty()));
        let rpc = RpcRequest::parse(&req).unwrap();
        assert_eq!(verify(&req, &rpc, &p, "SK", now(), 900), Ok(()));
        assert!(matches!(verify(&req, &rpc, &p, "other", now(), 900), Err(AuthFailure::Mismatch { .. })));
        assert_eq!(
            verify(&req, &rpc, &p, "SK", now() + chrono::Duration::seconds(901), 900),
            Err(AuthFailure::Stale)
        );
    }

    #[test]
    fn acs3_header_forms() {
        // Another algorithm is named by the value's first word, as sent.
        for (value, named) in
            [("Bearer tok", "Bearer"), ("HMAC-SHA1 x", "HMAC-SHA1"), (" ACS3-HMAC-SHA256 x", "")]
        {
            assert_eq!(read(&with_auth(value.as_bytes())), Err(AuthFailure::UnsupportedMethod(named.into())));
        }
        for value in [
            "ACS3-HMAC-SHA256",
            "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host",
            "ACS3-HMAC-SHA256 Credential=AK,Signature=00",
            "ACS3-HMAC-SHA256 Credential=AK SignedHeaders=host Signature=00",
        ] {
            assert_eq!(read(&with_auth(value.as_bytes())), Err(signing::malformed()), "{value}");
        }
        // Read with the parts in any order and spacing; empty parts are left to the key lookup,
        // the signed-headers check and the comparison.
        let p = read(&with_auth(
            b"ACS3-HMAC-SHA256  Signature=00, SignedHeaders=Host; X-Acs-Date ,Credential=AK",
        ))
        .unwrap();
        assert_eq!(p.access_key_id, "AK");
        assert!(matches!(&p.scheme, Scheme::Acs3 { signed_headers, signature, .. }
            if signed_headers == &["host", "x-acs-date"] && signature == "00"));
        let p = read(&with_auth(b"ACS3-HMAC-SHA256 Credential=,SignedHeaders=;,Signature=")).unwrap();
        assert_eq!(p.access_key_id, "");
        let rpc = RpcRequest::parse(&acs3_post()).unwrap();
        assert_eq!(verify(&acs3_post(), &rpc, &p, "SK", now(), 900), Err(signing::malformed()));
        // A value that is not visible ASCII is no ACS3 header: the v1 parameters are read instead.
        assert_eq!(
            read(&with_auth(b"ACS3-HMAC-SHA256 \xff")),
            Err(AuthFailure::Missing("AccessKeyId".into()))
        );
    }
}
