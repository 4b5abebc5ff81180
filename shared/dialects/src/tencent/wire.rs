//! A Tencent Cloud API request's parts: its form, action, region, and its business parameters
//! as one JSON object whatever form they came in.
//!
//! API 3.0 sends a JSON body (`POST /`, action in `X-TC-Action`), or the same parameters
//! flattened into the query string (`GET`); the SDK's HmacSHA1/HmacSHA256 form and the older
//! `/v2/index.php` page put everything, common parameters included, into a form body or the
//! query. Flattened lists are `Name.N` with N from 0 and structures `Name.N.Field`; they are
//! rebuilt into the JSON the API 3.0 body would have carried, so every action reads its
//! parameters one way.

use crate::encoding::form_pairs;
use crate::{header, WireRequest};
use domain::DomainError;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The path of the older API form (the CreateImage page of API 2.0).
pub const LEGACY_PATH: &str = "/v2/index.php";

/// Parameters every form carries besides the action's own (common request parameters).
const COMMON: [&str; 11] = [
    "Action",
    "Version",
    "Region",
    "Timestamp",
    "Nonce",
    "SecretId",
    "SignatureMethod",
    "Signature",
    "Token",
    "RequestClient",
    "Language",
];

/// Whether a request speaks Tencent: the legacy path, an `X-TC-Action` header, a TC3
/// `Authorization`, or a `SecretId` parameter in the query or (when given) the form body.
pub fn is_tencent<B>(req: &http::Request<B>, body: Option<&[u8]>) -> bool {
    if req.uri().path() == LEGACY_PATH || header(req, "x-tc-action").is_some() {
        return true;
    }
    if header(req, "authorization").is_some_and(|a| a.starts_with("TC3-")) {
        return true;
    }
    let names_secret_id = |raw: &[u8]| raw.split(|b| *b == b'&').any(|p| p.starts_with(b"SecretId="));
    if names_secret_id(req.uri().query().unwrap_or("").as_bytes()) {
        return true;
    }
    body.is_some_and(|b| is_form(req) && names_secret_id(b))
}

fn is_form<B>(req: &http::Request<B>) -> bool {
    header(req, "content-type")
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"))
}

/// What the dialect reads off a request before anything else.
#[derive(Debug, Clone, PartialEq)]
pub struct TcRequest {
    /// Every query and form parameter, decoded, in wire order (the legacy signature covers them).
    pub pairs: Vec<(String, String)>,
    /// The action's own parameters, as the API 3.0 JSON body has them.
    pub params: Map<String, Value>,
    pub action: Option<String>,
    pub region: Option<String>,
    pub version: Option<String>,
    /// The common parameters (`Action`, `Region`, `Version`) read from an `X-TC-*` header alone.
    /// TC3 signs none of those headers, as the provider's API 3.0 does; the HmacSHA1/HmacSHA256
    /// form signs its parameters only, so it must carry them as parameters.
    pub header_only: Vec<&'static str>,
    /// Sent to `/v2/index.php`: the older page's rules and answer apply.
    pub legacy: bool,
}

impl TcRequest {
    pub fn parse(req: &WireRequest) -> Result<TcRequest, DomainError> {
        let bad = |_| DomainError::invalid("(request)", "parameters must be UTF-8 percent-encoded");
        let mut pairs = form_pairs(req.uri().query().unwrap_or("").as_bytes()).map_err(bad)?;
        let json_body = !req.body().is_empty() && !is_form(req);
        if is_form(req) {
            pairs.extend(form_pairs(req.body()).map_err(bad)?);
        }
        let mut header_only = Vec::new();
        let mut common = |name: &'static str, header_name: &str| -> Result<Option<String>, DomainError> {
            let param =
                pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
            let given = header(req, header_name).filter(|v| !v.is_empty());
            match (param, given) {
                // The parameter is covered by every form's signature, the header by none: a
                // request naming two values is refused rather than served as either.
                (Some(p), Some(h)) if p != h => Err(DomainError::invalid(
                    name,
                    format!("The {name} parameter and the {header_name} header differ."),
                )),
                (Some(p), _) => Ok(Some(p.to_string())),
                (None, Some(h)) => {
                    header_only.push(name);
                    Ok(Some(h.to_string()))
                }
                (None, None) => Ok(None),
            }
        };
        let action = common("Action", "x-tc-action")?;
        let region = common("Region", "x-tc-region")?;
        let version = common("Version", "x-tc-version")?;
        let params = if json_body {
            crate::json_body::object(req.body()).map_err(|why| DomainError::invalid("(body)", why))?
        } else {
            let business: Vec<&(String, String)> =
                pairs.iter().filter(|(k, _)| !COMMON.contains(&k.as_str())).collect();
            unflatten(&business)?
        };
        Ok(TcRequest {
            pairs,
            params,
            action,
            region,
            version,
            header_only,
            legacy: req.uri().path() == LEGACY_PATH,
        })
    }
}

/// The most segments a flattened name may have. The deepest the APIs take is five
/// (`TagSpecification.0.Tags.0.Key`); the tree is rebuilt recursively, so an unbounded name would
/// let one small unsigned request exhaust the stack.
pub const MAX_NAME_SEGMENTS: usize = 10;

/// A parameter tree being rebuilt from flattened names.
enum Node {
    Leaf(String),
    Branch(BTreeMap<String, Node>),
}

/// `A.0=x&A.1=y&T.0.Key=k` → `{"A": ["x", "y"], "T": [{"Key": "k"}]}`.
fn unflatten(pairs: &[&(String, String)]) -> Result<Map<String, Value>, DomainError> {
    let mut root = BTreeMap::new();
    for (name, value) in pairs {
        let clash =
            || DomainError::invalid(name, "the parameter is given twice, or as both a value and a list");
        let segments: Vec<&str> = name.splitn(MAX_NAME_SEGMENTS + 1, '.').collect();
        if segments.len() > MAX_NAME_SEGMENTS {
            let shown: String = name.chars().take(64).collect();
            return Err(DomainError::invalid(
                &shown,
                format!("A parameter name has at most {MAX_NAME_SEGMENTS} dot-separated parts."),
            ));
        }
        let mut level = &mut root;
        for (i, segment) in segments.iter().enumerate() {
            if i + 1 == segments.len() {
                if level.insert(segment.to_string(), Node::Leaf(value.clone())).is_some() {
                    return Err(clash());
                }
            } else {
                let next = level.entry(segment.to_string()).or_insert_with(|| Node::Branch(BTreeMap::new()));
                level = match next {
                    Node::Branch(map) => map,
                    Node::Leaf(_) => return Err(clash()),
                };
            }
        }
    }
    let mut out = Map::new();
    for (k, node) in root {
        out.insert(k, to_value(node));
    }
    Ok(out)
}

fn to_value(node: Node) -> Value {
    match node {
        Node::Leaf(s) => Value::String(s),
        Node::Branch(map) => {
            let indices: Option<Vec<usize>> = map.keys().map(|k| k.parse::<usize>().ok()).collect();
            match indices {
                Some(mut idx) => {
                    let mut entries: Vec<(usize, Node)> = idx.drain(..).zip(map.into_values()).collect();
                    entries.sort_by_key(|(i, _)| *i);
                    Value::Array(entries.into_iter().map(|(_, n)| to_value(n)).collect())
                }
                None => Value::Object(map.into_iter().map(|(k, n)| (k, to_value(n))).collect()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use serde_json::json;

    fn req(method: &str, uri: &str, headers: &[(&str, &str)], body: &str) -> WireRequest {
        let mut b = http::Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Bytes::from(body.to_string())).unwrap()
    }

    #[test]
    fn detection() {
        assert!(is_tencent(&req("POST", "/", &[("X-TC-Action", "CreateImage")], "{}"), None));
        assert!(is_tencent(&req("GET", "/v2/index.php?Action=CreateImage", &[], ""), None));
        let form = req(
            "POST",
            "/",
            &[("content-type", "application/x-www-form-urlencoded")],
            "Action=X&SecretId=AK",
        );
        assert!(!is_tencent(&form, None));
        assert!(is_tencent(&form, Some(form.body())));
        assert!(!is_tencent(&req("POST", "/?Action=CreateSnapshot&AccessKeyId=a", &[], ""), None));
    }

    #[test]
    fn flattened_parameters_become_the_json_body() {
        let r = TcRequest::parse(&req(
            "GET",
            "/?ImageName=a+b&DataDiskIds.1=d2&DataDiskIds.0=d1&TagSpecification.0.ResourceType=image\
             &TagSpecification.0.Tags.0.Key=env&TagSpecification.0.Tags.0.Value=t&DryRun=False",
            &[("X-TC-Action", "CreateImage"), ("X-TC-Region", "ap-guangzhou")],
            "",
        ))
        .unwrap();
        assert_eq!(
            Value::Object(r.params),
            json!({"ImageName": "a b", "DataDiskIds": ["d1", "d2"], "DryRun": "False",
                   "TagSpecification": [{"ResourceType": "image", "Tags": [{"Key": "env", "Value": "t"}]}]})
        );
        assert_eq!(r.action.as_deref(), Some("CreateImage"));
        assert_eq!(r.region.as_deref(), Some("ap-guangzhou"));
    }

    #[test]
    fn legacy_form_and_clashes() {
        let r = TcRequest::parse(&req(
            "POST",
            "/v2/index.php",
            &[("content-type", "application/x-www-form-urlencoded")],
            "Action=CreateImage&Region=ap-guangzhou&SecretId=AK&Nonce=1&InstanceId=ins-1",
        ))
        .unwrap();
        assert!(r.legacy);
        assert_eq!(Value::Object(r.params), json!({"InstanceId": "ins-1"}));
        assert!(TcRequest::parse(&req("GET", "/?A=1&A.0=2", &[("X-TC-Action", "X")], "")).is_err());
        assert!(TcRequest::parse(&req("POST", "/", &[("X-TC-Action", "X")], "[1]")).is_err());
    }

    #[test]
    fn deep_names_are_refused_before_any_tree_is_built() {
        let deep = format!("/?a{}=1", ".a".repeat(1000));
        let err = TcRequest::parse(&req("GET", &deep, &[("X-TC-Action", "X")], "")).unwrap_err();
        assert!(err.to_string().contains("at most 10"), "{err}");
        let ok = format!("/?a{}=1", ".a".repeat(MAX_NAME_SEGMENTS - 1));
        assert!(TcRequest::parse(&req("GET", &ok, &[("X-TC-Action", "X")], "")).is_ok());
    }
}
