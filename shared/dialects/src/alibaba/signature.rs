//! Alibaba request signatures: RPC v1 (HMAC-SHA1 over the sorted parameters) and
//! ACS3-HMAC-SHA256 (a canonical request over method, query, signed headers and body hash).
//! Both are verified against the request exactly as received; the signing side exists for tests
//! and benchmarks.

use super::wire::RpcRequest;
use crate::crypto::{constant_time_eq, hmac_sha1, hmac_sha256};
use crate::encoding::rfc3986;
use crate::{header, WireRequest};
use base64::Engine;
use chrono::{DateTime, Utc};
use domain::AuthFailure;
use sha2::{Digest, Sha256};

pub const ACS3: &str = "ACS3-HMAC-SHA256";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

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
    if let Some(auth) = header(req, "authorization") {
        let Some(rest) = auth.strip_prefix(ACS3).map(str::trim_start) else {
            return Err(AuthFailure::UnsupportedMethod(auth.split(' ').next().unwrap_or("").to_string()));
        };
        let mut credential = None;
        let mut signed = None;
        let mut signature = None;
        for part in rest.split(',') {
            match part.trim().split_once('=') {
                Some(("Credential", v)) => credential = Some(v.to_string()),
                Some(("SignedHeaders", v)) => signed = Some(v.to_string()),
                Some(("Signature", v)) => signature = Some(v.to_string()),
                _ => {}
            }
        }
        let (Some(access_key_id), Some(signed), Some(signature)) = (credential, signed, signature) else {
            return Err(AuthFailure::Missing("Authorization".into()));
        };
        let signed_headers = signed.split(';').map(|h| h.trim().to_ascii_lowercase()).collect();
        return Ok(Presented {
            access_key_id,
            scheme: Scheme::Acs3 {
                signed_headers,
                signature,
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
    let timestamp = match &presented.scheme {
        Scheme::V1 { signature, timestamp, nonce } => {
            let signature = signature.as_deref().ok_or_else(|| AuthFailure::Missing("Signature".into()))?;
            let method = rpc.get("SignatureMethod").unwrap_or("");
            let version = rpc.get("SignatureVersion").unwrap_or("");
            if method != "HMAC-SHA1" || version != "1.0" {
                return Err(AuthFailure::UnsupportedMethod(format!("{method} {version}")));
            }
            let string_to_sign = v1_string_to_sign(req.method().as_str(), &rpc.pairs);
            let expected = hmac_sha1(format!("{secret}&").as_bytes(), string_to_sign.as_bytes());
            let given = base64::engine::general_purpose::STANDARD.decode(signature).unwrap_or_default();
            if !constant_time_eq(&expected, &given) {
                return Err(AuthFailure::Mismatch { string_to_sign });
            }
            if nonce.as_deref().is_none_or(str::is_empty) {
                return Err(AuthFailure::Missing("SignatureNonce".into()));
            }
            // v1 signs the parameters and no header: what runs must be named by them, not by
            // an `x-acs-action` or `x-acs-version` header added beside the signature.
            for needed in ["Action", "Version"] {
                if rpc.get(needed).is_none_or(str::is_empty) {
                    return Err(AuthFailure::Missing(needed.into()));
                }
            }
            timestamp.as_deref().ok_or_else(|| AuthFailure::Missing("Timestamp".into()))?
        }
        Scheme::Acs3 { signed_headers, signature, date, nonce } => {
            for needed in ["host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"] {
                if !signed_headers.iter().any(|h| h == needed) {
                    return Err(AuthFailure::Missing("Authorization".into()));
                }
            }
            // Every `x-acs-*` header sent must be signed (the action and version among them), or
            // a captured request could be replayed as another action; and so must the content
            // type of a body, which decides whether the body is read as parameters at all.
            let signed = |name: &str| signed_headers.iter().any(|h| h == name);
            let unsigned_acs =
                req.headers().keys().any(|k| k.as_str().starts_with("x-acs-") && !signed(k.as_str()));
            if unsigned_acs || (!req.body().is_empty() && !signed("content-type")) {
                return Err(AuthFailure::Missing("Authorization".into()));
            }
            let string_to_sign = acs3_string_to_sign(req, signed_headers);
            let expected = hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes());
            let given = hex::decode(signature).unwrap_or_default();
            if !constant_time_eq(&expected, &given) {
                return Err(AuthFailure::Mismatch { string_to_sign });
            }
            if nonce.as_deref().is_none_or(str::is_empty) {
                return Err(AuthFailure::Missing("x-acs-signature-nonce".into()));
            }
            date.as_deref().ok_or_else(|| AuthFailure::Missing("x-acs-date".into()))?
        }
    };
    let at = DateTime::parse_from_rfc3339(timestamp).map_err(|_| AuthFailure::BadTimestamp)?;
    let skew = (now - at.with_timezone(&Utc)).num_seconds().unsigned_abs();
    if skew > max_skew_seconds {
        return Err(AuthFailure::Stale);
    }
    Ok(())
}

/// `METHOD&%2F&` + the encoded canonical query of every parameter but `Signature`.
pub fn v1_string_to_sign(method: &str, pairs: &[(String, String)]) -> String {
    let mut sorted: Vec<(String, String)> =
        pairs.iter().filter(|(k, _)| k != "Signature").map(|(k, v)| (rfc3986(k), rfc3986(v))).collect();
    sorted.sort();
    let canonical = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    format!("{method}&%2F&{}", rfc3986(&canonical))
}

/// `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request.
pub fn acs3_string_to_sign(req: &WireRequest, signed_headers: &[String]) -> String {
    let query = {
        let pairs =
            crate::encoding::form_pairs(req.uri().query().unwrap_or("").as_bytes()).unwrap_or_default();
        let mut sorted: Vec<(String, String)> = pairs.iter().map(|(k, v)| (rfc3986(k), rfc3986(v))).collect();
        sorted.sort();
        sorted.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
    };
    let mut headers = String::new();
    for name in signed_headers {
        let mut values: Vec<&str> = req
            .headers()
            .get_all(name.as_str())
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::trim)
            .collect();
        values.sort_unstable();
        headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    let payload = if req.body().is_empty() {
        EMPTY_SHA256.to_string()
    } else {
        hex::encode(Sha256::digest(req.body()))
    };
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
    format!("{ACS3}\n{}", hex::encode(Sha256::digest(canonical.as_bytes())))
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
    let signature = hmac_sha1(format!("{secret}&").as_bytes(), string_to_sign.as_bytes());
    pairs.push(("Signature".into(), base64::engine::general_purpose::STANDARD.encode(signature)));
}

/// Client side: add the ACS3 headers and `Authorization` to a request (its query and body final).
pub fn sign_acs3(req: &mut WireRequest, access_key_id: &str, secret: &str, now: DateTime<Utc>) {
    let body_hash = if req.body().is_empty() {
        EMPTY_SHA256.to_string()
    } else {
        hex::encode(Sha256::digest(req.body()))
    };
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
    let signature = hex::encode(hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes()));
    let auth =
        format!("{ACS3} Credential={access_key_id},SignedHeaders={},Signature={signature}", signed.join(";"));
    req.headers_mut().insert("authorization", auth.parse().expect("ASCII header value"));
}
