//! A ZEC request's parts: its service (from the path), action, version and JSON parameters.

use crate::{header, WireRequest};
use domain::DomainError;
use serde_json::{Map, Value};

/// Where every Zenlayer service is posted: `/api/v2/<service>`.
pub const PATH_PREFIX: &str = "/api/v2/";

/// Whether a request speaks Zenlayer: its path, an `x-zc-action` header or a ZC2 signature.
pub fn is_zenlayer<B>(req: &http::Request<B>) -> bool {
    req.uri().path().starts_with(PATH_PREFIX)
        || header(req, "x-zc-action").is_some()
        || header(req, "authorization").is_some_and(|a| a.starts_with("ZC2-"))
}

#[derive(Debug, Clone, PartialEq)]
pub struct ZlRequest {
    pub service: String,
    pub action: Option<String>,
    pub version: Option<String>,
    /// The body: the action's parameters, camelCase.
    pub params: Map<String, Value>,
}

impl ZlRequest {
    pub fn parse(req: &WireRequest) -> Result<ZlRequest, DomainError> {
        let service =
            req.uri().path().strip_prefix(PATH_PREFIX).unwrap_or("").trim_end_matches('/').to_string();
        let params = if req.body().iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            crate::json_body::object(req.body()).map_err(|why| DomainError::invalid("(body)", why))?
        };
        Ok(ZlRequest {
            service,
            action: header(req, "x-zc-action").filter(|a| !a.is_empty()).map(str::to_string),
            version: header(req, "x-zc-version").filter(|v| !v.is_empty()).map(str::to_string),
            params,
        })
    }

    /// A ZEC request of these parameters, for the parameter rules' tests.
    #[cfg(test)]
    pub fn of_body(body: Value) -> ZlRequest {
        let params = body.as_object().expect("a JSON object").clone();
        ZlRequest { service: "zec".into(), action: None, version: None, params }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn parts_of_a_request() {
        let req = http::Request::builder()
            .method("POST")
            .uri("/api/v2/zec")
            .header("x-zc-action", "CreateImage")
            .header("x-zc-version", "2025-09-01")
            .body(Bytes::from(r#"{"instanceId": "1"}"#))
            .unwrap();
        assert!(is_zenlayer(&req));
        let r = ZlRequest::parse(&req).unwrap();
        assert_eq!((r.service.as_str(), r.action.as_deref()), ("zec", Some("CreateImage")));
        assert_eq!(r.params["instanceId"], "1");
        let bad = http::Request::builder().uri("/api/v2/zec").body(Bytes::from("[")).unwrap();
        assert!(ZlRequest::parse(&bad).is_err());
        let other = http::Request::builder().uri("/?Action=X").body(Bytes::new()).unwrap();
        assert!(!is_zenlayer(&other));
    }
}
