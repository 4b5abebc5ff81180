//! Shared parameter helpers of the RPC actions, for images, snapshots and tags alike: the common
//! parameters, unknown ones refused, numbered lists, and the values several actions read by the
//! same rule (description, client token, `Tag.N`, booleans, choices).

use super::wire::RpcRequest;
use domain::tags::Keys;
use domain::text::{char_len, contains_url, is_url_like};
use domain::{DomainError, DomainResult, Field, Tag};

/// At most this many tags on one resource (Tag.1 … Tag.20).
pub const MAX_TAGS: usize = 20;

/// Parameters every RPC request may carry besides its action's own: the signature's, the answer
/// format, the caller's identity, and the region (the old SDK adds it to every call).
const COMMON: [&str; 16] = [
    "Action",
    "Version",
    "Format",
    "RegionId",
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "SignatureType",
    "Timestamp",
    "SecurityToken",
    "OwnerId",
    "OwnerAccount",
    "ResourceOwnerId",
    "ResourceOwnerAccount",
];

pub fn is_common(name: &str) -> bool {
    COMMON.contains(&name)
}

/// Refuse any parameter the action does not take: `known` lists its names, and prefixes ending
/// in `.` for its numbered ones (`Tag.`), which their own readers check.
pub fn only(rpc: &RpcRequest, known: &[&str]) -> DomainResult<()> {
    let taken = |name: &str| {
        is_common(name)
            || known.iter().any(|k| if k.ends_with('.') { name.starts_with(k) } else { *k == name })
    };
    match rpc.params.keys().find(|name| !taken(name)) {
        Some(unknown) => Err(DomainError::UnknownParameter(unknown.clone())),
        None => Ok(()),
    }
}

/// The N of `Name.N…`: decimal digits without a leading zero (so `Tag.01` cannot shadow
/// `Tag.1`), within `range`.
pub fn index(n: &str, range: std::ops::RangeInclusive<usize>) -> Option<usize> {
    let digits = !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('0');
    n.parse::<usize>().ok().filter(|i| digits && range.contains(i))
}

/// A parameter that must be present and not empty.
pub fn required<'a>(rpc: &'a RpcRequest, name: &str) -> DomainResult<&'a str> {
    rpc.get(name).filter(|v| !v.is_empty()).ok_or_else(|| DomainError::missing(name))
}

/// A parameter that may be absent; an empty value counts as absent.
pub fn optional(rpc: &RpcRequest, name: &str) -> Option<String> {
    rpc.get(name).filter(|v| !v.is_empty()).map(str::to_string)
}

pub fn integer(
    rpc: &RpcRequest,
    name: &str,
    range: std::ops::RangeInclusive<i64>,
) -> DomainResult<Option<i64>> {
    match optional(rpc, name) {
        None => Ok(None),
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(DomainError::invalid(
                name,
                format!("It must be an integer from {} to {}.", range.start(), range.end()),
            )),
        },
    }
}

/// Description: up to `max` characters (at least `min` when given), not `http(s)://`.
pub fn description(rpc: &RpcRequest, min: usize, max: usize) -> DomainResult<Option<String>> {
    match rpc.get("Description") {
        None => Ok(None),
        Some(d) if min == 0 && d.is_empty() => Ok(None),
        Some(d) => {
            let len = char_len(d);
            // Control characters could not be written into an XML answer; the provider refuses them.
            if len < min || len > max || is_url_like(d) || d.chars().any(char::is_control) {
                Err(DomainError::Malformed(Field::Description))
            } else {
                Ok(Some(d.to_string()))
            }
        }
    }
}

/// ClientToken: ASCII, at most 64 characters.
pub fn client_token(rpc: &RpcRequest) -> DomainResult<Option<String>> {
    match optional(rpc, "ClientToken") {
        Some(t) if !t.is_ascii() || t.len() > 64 => {
            Err(DomainError::invalid("ClientToken", "It must be ASCII and at most 64 characters."))
        }
        other => Ok(other),
    }
}

/// `Tag.N.Key` / `Tag.N.Value` (also the deprecated lower-case `key` / `value`), N 1–20.
pub fn tags(rpc: &RpcRequest) -> DomainResult<Vec<Tag>> {
    let mut by_index: std::collections::BTreeMap<usize, (Option<String>, Option<String>)> =
        Default::default();
    for (name, value) in &rpc.params {
        let Some(rest) = name.strip_prefix("Tag.") else {
            continue;
        };
        let Some((n, field)) = rest.split_once('.') else {
            return Err(DomainError::UnknownParameter(name.clone()));
        };
        let Some(n) = index(n, 1..=MAX_TAGS) else {
            return Err(DomainError::invalid(name, "Tag.N takes N from 1 to 20."));
        };
        let slot = by_index.entry(n).or_default();
        match field {
            "Key" | "key" => slot.0 = slot.0.take().or(Some(value.clone())),
            "Value" | "value" => slot.1 = slot.1.take().or(Some(value.clone())),
            _ => return Err(DomainError::UnknownParameter(name.clone())),
        }
    }
    let mut tags: Vec<Tag> = Vec::new();
    for (key, value) in by_index.into_values() {
        let key = key.unwrap_or_default();
        let value = value.unwrap_or_default();
        let reserved = |s: &str| super::tags::reserved_prefix(s) || contains_url(s);
        if key.is_empty() || char_len(&key) > 64 || reserved(&key) {
            return Err(DomainError::Malformed(Field::TagKey));
        }
        if char_len(&value) > 128 || reserved(&value) {
            return Err(DomainError::Malformed(Field::TagValue));
        }
        // Keys are told apart ignoring case, as TagResources tells them (`Env` and `env` are
        // one key).
        if tags.iter().any(|t| Keys::IgnoringCase.same(&t.key, &key)) {
            return Err(DomainError::DuplicateTagKey);
        }
        if value.chars().any(char::is_control) {
            return Err(DomainError::Malformed(Field::TagValue));
        }
        tags.push(Tag { key, value });
    }
    // The order tags are given in means nothing (and must not change a client token's meaning).
    tags.sort();
    Ok(tags)
}

/// True for `true` / `True` / `TRUE` (the SDKs send Python booleans).
pub fn boolean(rpc: &RpcRequest, name: &str) -> DomainResult<bool> {
    match rpc.get(name) {
        None | Some("") => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(_) => Err(DomainError::invalid(name, "It must be true or false.")),
    }
}

/// A choice among `allowed`, given back in the spelling of the list.
pub fn one_of(rpc: &RpcRequest, name: &str, allowed: &[&str]) -> DomainResult<Option<String>> {
    match optional(rpc, name) {
        Some(v) => match allowed.iter().find(|a| a.eq_ignore_ascii_case(&v)) {
            Some(a) => Ok(Some(a.to_string())),
            None => Err(DomainError::invalid(name, format!("Valid values: {}.", allowed.join(", ")))),
        },
        None => Ok(None),
    }
}

/// A request with `query` as its parameters, for the tests.
#[cfg(test)]
pub(super) fn rpc(query: &str) -> RpcRequest {
    let req = http::Request::builder().uri(format!("/?{query}")).body(bytes::Bytes::new()).unwrap();
    RpcRequest::parse(&req).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_rules() {
        let t = |q: &str| tags(&rpc(q));
        assert_eq!(t("Tag.1.Key=a&Tag.2.Key=a"), Err(DomainError::DuplicateTagKey));
        let long_key = format!("Tag.1.Key={}", "k".repeat(65));
        for bad in [
            "Tag.1.Key=",
            "Tag.1.Value=v",
            long_key.as_str(),
            "Tag.1.Key=aliyunx",
            "Tag.1.Key=acs:x",
            "Tag.1.Key=http://x",
        ] {
            assert_eq!(t(bad), Err(DomainError::Malformed(Field::TagKey)), "{bad}");
        }
        let long_value = format!("Tag.1.Key=k&Tag.1.Value={}", "v".repeat(129));
        for bad in [long_value.as_str(), "Tag.1.Key=k&Tag.1.Value=acs:x"] {
            assert_eq!(t(bad), Err(DomainError::Malformed(Field::TagValue)), "{bad}");
        }
        assert_eq!(t("Tag.1.key=k&Tag.1.value=").unwrap(), vec![Tag { key: "k".into(), value: "".into() }]);
        assert!(t("Tag.21.Key=k").is_err());
    }
}
