//! What the header-signed schemes (ACS3, TC3, ZC2) share, and the checks every scheme ends with:
//! reading `Authorization: <ALGORITHM> Credential=…, SignedHeaders=…, Signature=…`, the canonical
//! headers a signature covers and the headers it must cover, the parts a scheme cannot do without,
//! and comparing a presented signature with the expected one.
//!
//! Each dialect's `signature` module keeps what is its own: how it names its algorithm, what it
//! reads from the credential, the string to sign and the key. Errors name the part that is wrong
//! and never carry a secret: a mismatch carries only the string to sign.

use crate::crypto::constant_time_eq;
use base64::Engine;
use domain::AuthFailure;

/// A malformed or incomplete `Authorization` header, as every scheme answers it.
pub fn malformed() -> AuthFailure {
    AuthFailure::Missing("Authorization".into())
}

/// The header's value as text, trimmed; a value that is not visible ASCII is malformed.
pub fn header_text(raw: &http::HeaderValue) -> Result<&str, AuthFailure> {
    raw.to_str().map(str::trim).map_err(|_| malformed())
}

/// The parameters after the algorithm in `<ALGORITHM> <parameters>`, split at the first space
/// (none without one). A value that names another algorithm than `expected` is an unsupported
/// method, named as sent.
pub fn expect_algorithm<'a>(value: &'a str, expected: &str) -> Result<&'a str, AuthFailure> {
    let (algorithm, parameters) = value.split_once(' ').unwrap_or((value, ""));
    if algorithm != expected {
        return Err(AuthFailure::UnsupportedMethod(algorithm.to_string()));
    }
    Ok(parameters)
}

/// The parts of an `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization<'a> {
    pub algorithm: &'a str,
    /// As written after `Credential=`: a key id, or TC3's scope.
    pub credential: &'a str,
    /// Trimmed and lower-cased, in the order listed (the order they were signed in).
    pub signed_headers: Vec<String>,
    /// As written after `Signature=`.
    pub signature: &'a str,
}

impl<'a> Authorization<'a> {
    pub fn new(
        algorithm: &'a str,
        credential: &'a str,
        signed_headers: Vec<String>,
        signature: &'a str,
    ) -> Self {
        Authorization { algorithm, credential, signed_headers, signature }
    }

    /// Read the parameters that follow `algorithm`: parts separated by `,` (the SDKs write `, `
    /// or `,`), each trimmed and split at its first `=`. The three names are exact, in any order;
    /// a name given twice keeps its last value and any other part is passed over. One of the three
    /// absent is malformed; an empty one is left to [`Authorization::complete`].
    pub fn parse(algorithm: &'a str, parameters: &'a str) -> Result<Self, AuthFailure> {
        let (mut credential, mut signed, mut signature) = (None, None, None);
        for part in parameters.split(',') {
            match part.trim().split_once('=') {
                Some(("Credential", v)) => credential = Some(v),
                Some(("SignedHeaders", v)) => signed = Some(v),
                Some(("Signature", v)) => signature = Some(v),
                _ => {}
            }
        }
        let (Some(credential), Some(signed), Some(signature)) = (credential, signed, signature) else {
            return Err(malformed());
        };
        let signed_headers = signed.split(';').map(|h| h.trim().to_ascii_lowercase()).collect();
        Ok(Authorization::new(algorithm, credential, signed_headers, signature))
    }

    /// The same, refusing an empty credential, signature or signed header name as malformed.
    pub fn complete(self) -> Result<Self, AuthFailure> {
        let empty_header = self.signed_headers.iter().any(String::is_empty);
        if self.credential.is_empty() || self.signature.is_empty() || empty_header {
            return Err(malformed());
        }
        Ok(self)
    }

    /// The header's value, with `separator` between the parts (`, ` or `,`, as each SDK writes).
    ///
    /// # Panics
    /// If a part cannot appear in a header value (test input only).
    pub fn to_header(&self, separator: &str) -> http::HeaderValue {
        let value = format!(
            "{} Credential={}{separator}SignedHeaders={}{separator}Signature={}",
            self.algorithm,
            self.credential,
            self.signed_headers.join(";"),
            self.signature
        );
        value.parse().expect("ASCII header value")
    }
}

/// Whether `name` is among the signed headers.
pub fn signs(signed_headers: &[String], name: &str) -> bool {
    signed_headers.iter().any(|h| h == name)
}

/// Refuse, as malformed, a signature that leaves out any of `required`: it would not bind the
/// request to what those headers decide.
pub fn require_signed(signed_headers: &[String], required: &[&str]) -> Result<(), AuthFailure> {
    if required.iter().any(|needed| !signs(signed_headers, needed)) {
        return Err(malformed());
    }
    Ok(())
}

/// How a scheme writes a signed header's values into its canonical request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// Read as UTF-8 (lossily), trimmed, in the order received, case kept (ZC2).
    Trimmed,
    /// The same, lower-cased (TC3).
    LowerCased,
    /// Visible-ASCII values only, trimmed, sorted (ACS3).
    SortedAscii,
}

/// `name:value,value\n` for each signed header, in the order listed, its values joined by `,`.
/// An unknown or malformed name simply has no values: the signature then fails to match.
pub fn canonical_headers<B>(req: &http::Request<B>, signed_headers: &[String], rule: Values) -> String {
    let mut out = String::new();
    for name in signed_headers {
        let sent = req.headers().get_all(name.as_str()).iter();
        let mut values: Vec<String> = match rule {
            Values::SortedAscii => {
                sent.filter_map(|v| v.to_str().ok()).map(|v| v.trim().to_string()).collect()
            }
            Values::Trimmed | Values::LowerCased => {
                sent.map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string()).collect()
            }
        };
        match rule {
            Values::Trimmed => {}
            Values::LowerCased => values.iter_mut().for_each(|v| *v = v.to_lowercase()),
            Values::SortedAscii => values.sort_unstable(),
        }
        out.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    out
}

/// `name=value` pairs joined by `&`, in the order given and not encoded.
pub fn join_pairs<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", k.as_ref(), v.as_ref())).collect::<Vec<_>>().join("&")
}

/// A part the scheme cannot do without, or `Missing(name)`.
pub fn needed<'a>(value: Option<&'a str>, name: &str) -> Result<&'a str, AuthFailure> {
    value.ok_or_else(|| AuthFailure::Missing(name.into()))
}

/// A nonce, or `Missing(name)` when it is absent or empty: without one the caller cannot refuse a
/// replay within the freshness window.
pub fn needed_nonce(value: Option<&str>, name: &str) -> Result<(), AuthFailure> {
    match value {
        Some(nonce) if !nonce.is_empty() => Ok(()),
        _ => Err(AuthFailure::Missing(name.into())),
    }
}

/// How a scheme writes its signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Hex,
    Base64,
}

impl Encoding {
    pub fn encode(self, mac: &[u8]) -> String {
        match self {
            Encoding::Hex => hex::encode(mac),
            Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode(mac),
        }
    }

    /// The bytes written; none when the text does not decode.
    fn decode(self, text: &str) -> Vec<u8> {
        match self {
            Encoding::Hex => hex::decode(text).unwrap_or_default(),
            Encoding::Base64 => base64::engine::general_purpose::STANDARD.decode(text).unwrap_or_default(),
        }
    }
}

/// The presented signature against the expected MAC, in constant time. One that does not decode,
/// or has the wrong length, is compared all the same and so mismatches, never panics. A mismatch
/// carries the string to sign (the old Alibaba SDK reads it from the message), never the key.
pub fn compare(
    expected: &[u8],
    presented: &str,
    encoding: Encoding,
    string_to_sign: &str,
) -> Result<(), AuthFailure> {
    if !constant_time_eq(expected, &encoding.decode(presented)) {
        return Err(AuthFailure::Mismatch { string_to_sign: string_to_sign.to_string() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn parse(parameters: &str) -> Result<Authorization<'_>, AuthFailure> {
        Authorization::parse("ALG", parameters)
    }

    fn content_type_and_host() -> Vec<String> {
        vec!["content-type".into(), "host".into()]
    }

    #[test]
    fn the_sdks_layouts_are_read() {
        let want =
            Authorization::new("ALG", "AK/2026-01-01/cvm/tc3_request", content_type_and_host(), "00ff");
        for parameters in [
            "Credential=AK/2026-01-01/cvm/tc3_request, SignedHeaders=content-type;host, Signature=00ff",
            "Credential=AK/2026-01-01/cvm/tc3_request,SignedHeaders=content-type;host,Signature=00ff",
            " Signature=00ff ,SignedHeaders= Content-Type ; HOST,Credential=AK/2026-01-01/cvm/tc3_request,,",
            "Credential=x, Credential=AK/2026-01-01/cvm/tc3_request, Extra=1, noequals, SignedHeaders=content-type;host, Signature=00ff",
        ] {
            assert_eq!(parse(parameters).as_ref(), Ok(&want), "{parameters:?}");
            assert_eq!(parse(parameters).and_then(Authorization::complete), Ok(want.clone()));
        }
        // What follows the first `=` is the value, `=` included; space after it is kept.
        let auth = parse("Credential= AK=, SignedHeaders=host, Signature=a=b").unwrap();
        assert_eq!((auth.credential, auth.signature), (" AK=", "a=b"));
    }

    #[test]
    fn a_part_absent_or_misnamed_is_malformed() {
        for parameters in [
            "",
            "   ",
            ",,,===,",
            "Credential=AK, SignedHeaders=host",
            "Credential=AK, Signature=00",
            "SignedHeaders=host, Signature=00",
            "Credential=AK SignedHeaders=host Signature=00",
            "Credential =AK, SignedHeaders=host, Signature=00",
            "credential=AK, signedheaders=host, signature=00",
        ] {
            assert_eq!(parse(parameters), Err(malformed()), "{parameters:?}");
        }
    }

    #[test]
    fn an_empty_part_is_read_but_not_complete() {
        for parameters in [
            "Credential=, SignedHeaders=host, Signature=00",
            "Credential=AK, SignedHeaders=host, Signature=",
            "Credential=AK, SignedHeaders=content-type;;host, Signature=00",
            "Credential=AK, SignedHeaders=host;, Signature=00",
            "Credential=AK, SignedHeaders=, Signature=00",
        ] {
            let auth = parse(parameters).unwrap();
            assert_eq!(auth.complete(), Err(malformed()), "{parameters:?}");
        }
    }

    #[test]
    fn the_algorithm_is_the_first_word() {
        assert_eq!(expect_algorithm("ALG Credential=AK", "ALG"), Ok("Credential=AK"));
        assert_eq!(expect_algorithm("ALG", "ALG"), Ok(""));
        assert_eq!(
            expect_algorithm("Bearer tok", "ALG"),
            Err(AuthFailure::UnsupportedMethod("Bearer".into()))
        );
        assert_eq!(expect_algorithm("ALGX a", "ALG"), Err(AuthFailure::UnsupportedMethod("ALGX".into())));
        assert_eq!(expect_algorithm("", "ALG"), Err(AuthFailure::UnsupportedMethod(String::new())));
        let raw = http::HeaderValue::from_bytes(b" ALG x ").unwrap();
        assert_eq!(header_text(&raw), Ok("ALG x"));
        let raw = http::HeaderValue::from_bytes(b"ALG \xff").unwrap();
        assert_eq!(header_text(&raw), Err(malformed()));
    }

    #[test]
    fn a_header_written_is_read_back() {
        let auth = Authorization::new("ALG", "AK", content_type_and_host(), "00ff");
        assert_eq!(
            auth.to_header(", "),
            "ALG Credential=AK, SignedHeaders=content-type;host, Signature=00ff"
        );
        assert_eq!(auth.to_header(","), "ALG Credential=AK,SignedHeaders=content-type;host,Signature=00ff");
        for separator in [", ", ","] {
            let value = auth.to_header(separator);
            let parameters = expect_algorithm(value.to_str().unwrap(), "ALG").unwrap();
            assert_eq!(Authorization::parse("ALG", parameters), Ok(auth.clone()));
        }
    }

    #[test]
    fn every_required_header_must_be_signed() {
        let signed = content_type_and_host();
        assert_eq!(require_signed(&signed, &["host", "content-type"]), Ok(()));
        assert_eq!(require_signed(&signed, &["host", "x-date"]), Err(malformed()));
        assert_eq!(require_signed(&signed[1..], &["content-type", "host"]), Err(malformed()));
        assert!(signs(&signed, "host") && !signs(&signed, "Host"));
    }

    #[test]
    fn canonical_headers_follow_each_rule() {
        let req = http::Request::builder()
            .header("b", " Two ")
            .header("b", "one")
            .header("c", http::HeaderValue::from_bytes(b"\xc3\xa9").unwrap())
            .body(Bytes::new())
            .unwrap();
        let names: Vec<String> = ["b", "c", "absent", "bad name"].map(String::from).to_vec();
        assert_eq!(canonical_headers(&req, &names, Values::Trimmed), "b:Two,one\nc:é\nabsent:\nbad name:\n");
        assert_eq!(
            canonical_headers(&req, &names, Values::LowerCased),
            "b:two,one\nc:é\nabsent:\nbad name:\n"
        );
        assert_eq!(
            canonical_headers(&req, &names, Values::SortedAscii),
            "b:Two,one\nc:\nabsent:\nbad name:\n"
        );
    }

    #[test]
    fn a_signature_that_does_not_decode_is_a_mismatch() {
        let mac = [0xde, 0xad, 0xbe, 0xef];
        assert_eq!(Encoding::Hex.encode(&mac), "deadbeef");
        assert_eq!(Encoding::Base64.encode(&mac), "3q2+7w==");
        assert_eq!(compare(&mac, "deadbeef", Encoding::Hex, "sts"), Ok(()));
        assert_eq!(compare(&mac, "DEADBEEF", Encoding::Hex, "sts"), Ok(()));
        assert_eq!(compare(&mac, "3q2+7w==", Encoding::Base64, "sts"), Ok(()));
        let mismatch = Err(AuthFailure::Mismatch { string_to_sign: "sts".into() });
        for (given, encoding) in [
            ("deadbee", Encoding::Hex),
            ("deadbeefoo", Encoding::Hex),
            ("zz", Encoding::Hex),
            ("", Encoding::Hex),
            ("deadbeef", Encoding::Base64),
            ("%%%", Encoding::Base64),
            ("3q2+7w==", Encoding::Hex),
        ] {
            assert_eq!(compare(&mac, given, encoding, "sts"), mismatch, "{given:?}");
        }
    }

    #[test]
    fn needed_parts() {
        assert_eq!(needed(Some(""), "Signature"), Ok(""));
        assert_eq!(needed(None, "Signature"), Err(AuthFailure::Missing("Signature".into())));
        assert_eq!(needed_nonce(Some("7"), "Nonce"), Ok(()));
        for absent in [None, Some("")] {
            assert_eq!(needed_nonce(absent, "Nonce"), Err(AuthFailure::Missing("Nonce".into())));
        }
    }
}

/// What the schemes' unit tests build their requests from.
#[cfg(test)]
pub(crate) mod fixtures {
    use crate::WireRequest;
    use bytes::Bytes;
    use chrono::{DateTime, Utc};

    pub const HOST: &str = "127.0.0.1:8080";

    /// The instant the tests sign at (2026-11-23T14:50:01Z).
    pub fn now() -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_795_445_401, 0).unwrap()
    }

    /// A POST of `body` to `path`, with its `Host`, its `Content-Type` and the header naming the action.
    pub fn post(path: &str, host: &str, content_type: &str, action: (&str, &str), body: &str) -> WireRequest {
        http::Request::builder()
            .method("POST")
            .uri(path)
            .header("host", host)
            .header("content-type", content_type)
            .header(action.0, action.1)
            .body(Bytes::from(body.to_string()))
            .unwrap()
    }
}
