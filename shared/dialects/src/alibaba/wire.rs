//! An RPC request's parameters, action and answer format.

use crate::encoding::form_pairs;
use crate::{header, WireRequest};
use domain::DomainError;
use std::collections::BTreeMap;

/// What the RPC dialect reads off a request before anything else.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcRequest {
    /// Every parameter (query string, then form body), decoded, in wire order; the signature
    /// covers exactly these.
    pub pairs: Vec<(String, String)>,
    /// The same, by name (each name appears once: a repeated one is refused).
    pub params: BTreeMap<String, String>,
    pub action: Option<String>,
    /// Answer in XML (`Format=XML`); JSON otherwise.
    pub xml: bool,
    /// The API version: `Version`, or for ACS3 the `x-acs-version` header.
    pub version: Option<String>,
}

impl RpcRequest {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// Read the request. A query or body that does not decode as UTF-8 is refused; the error is
    /// then answered in JSON (nothing says the caller wanted XML).
    pub fn parse(req: &WireRequest) -> Result<RpcRequest, DomainError> {
        let bad = |_| DomainError::invalid("(request)", "parameters must be UTF-8 percent-encoded");
        let mut pairs = form_pairs(req.uri().query().unwrap_or("").as_bytes()).map_err(bad)?;
        let is_form = header(req, "content-type")
            .is_none_or(|ct| ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
        if is_form && !req.body().is_empty() {
            pairs.extend(form_pairs(req.body()).map_err(bad)?);
        }
        let mut params = BTreeMap::new();
        for (k, v) in &pairs {
            // Every value may come back in an XML answer (`Format=XML`), which cannot carry the
            // non-characters U+FFFE and U+FFFF at all: refused here. (The C0 controls are left to
            // each field's own rule and code — a description's, say — and shown as U+FFFD.)
            if let Some(c) = v.chars().find(|c| matches!(c, '\u{FFFE}' | '\u{FFFF}')) {
                let why =
                    format!("The parameter contains U+{:04X}, which an XML answer cannot carry.", c as u32);
                return Err(DomainError::invalid(k, &why));
            }
            // A name given twice (in the query twice, or in the query and the body) would have
            // one of its values silently ignored.
            if params.insert(k.clone(), v.clone()).is_some() && !k.is_empty() {
                return Err(DomainError::invalid(k, "The parameter is given more than once."));
            }
        }
        let in_header = header(req, "x-acs-action").filter(|a| !a.is_empty());
        // Deployed, the load balancer routes by the header first; in-process the parameter would
        // win. A request naming two actions is refused rather than served as either.
        if let (Some(query), Some(header)) = (params.get("Action").filter(|a| !a.is_empty()), in_header) {
            if query != header {
                return Err(DomainError::invalid(
                    "Action",
                    "The Action parameter and the x-acs-action header differ.",
                ));
            }
        }
        let action =
            params.get("Action").cloned().or_else(|| in_header.map(str::to_string)).filter(|a| !a.is_empty());
        let xml = params.get("Format").is_some_and(|f| f.eq_ignore_ascii_case("xml"));
        let version = params
            .get("Version")
            .cloned()
            .or_else(|| header(req, "x-acs-version").map(str::to_string))
            .filter(|v| !v.is_empty());
        Ok(RpcRequest { pairs, params, action, xml, version })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn req(uri: &str, headers: &[(&str, &str)], body: &str) -> WireRequest {
        let mut b = http::Request::builder().method("POST").uri(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Bytes::from(body.to_string())).unwrap()
    }

    #[test]
    fn action_from_query_or_header_and_format() {
        let r = RpcRequest::parse(&req("/?Action=CreateSnapshot&Format=xml", &[], "")).unwrap();
        assert_eq!(r.action.as_deref(), Some("CreateSnapshot"));
        assert!(r.xml);
        let r =
            RpcRequest::parse(&req("/?DiskId=d-1", &[("x-acs-action", "DescribeSnapshots")], "")).unwrap();
        assert_eq!(r.action.as_deref(), Some("DescribeSnapshots"));
        assert!(!r.xml);
    }

    #[test]
    fn form_body_adds_parameters() {
        let r = RpcRequest::parse(&req(
            "/?Action=CreateSnapshot",
            &[("content-type", "application/x-www-form-urlencoded")],
            "DiskId=d-1&SnapshotName=a+b",
        ))
        .unwrap();
        assert_eq!(r.get("DiskId"), Some("d-1"));
        assert_eq!(r.get("SnapshotName"), Some("a b"));
        let json =
            RpcRequest::parse(&req("/?Action=X", &[("content-type", "application/json")], "{}")).unwrap();
        assert_eq!(json.pairs.len(), 1);
    }

    #[test]
    fn bad_utf8_is_refused() {
        assert!(RpcRequest::parse(&req("/?Action=%FF", &[], "")).is_err());
    }
}
