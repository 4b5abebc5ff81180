//! The Describe calls' filters, as the tea SDK's request models define them: the readers
//! DescribeSnapshots and DescribeImages share (the creation-time window of `Filter.N`, choices,
//! flags, id lists) and the tag match. Every filter of those models either narrows the answer as
//! documented or is refused with `InvalidParameter`; none is ignored.

use super::params::{boolean, optional};
use super::wire::RpcRequest;
use chrono::{DateTime, NaiveDateTime, Utc};
use domain::{DomainError, DomainResult, Tag};

/// A time window from `Filter.N.Key` = `CreationStartTime` / `CreationEndTime`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Created {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl Created {
    pub(super) fn contains(&self, t: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|e| t <= e)
    }
}

/// `Filter.N.Key` / `Filter.N.Value`: the creation-time window, the only keys the API defines.
pub(super) fn created(rpc: &RpcRequest) -> DomainResult<Created> {
    let mut by_index: std::collections::BTreeMap<usize, (Option<String>, Option<String>)> =
        Default::default();
    for (name, value) in &rpc.params {
        let Some(rest) = name.strip_prefix("Filter.") else { continue };
        let (n, field) = rest.split_once('.').unwrap_or((rest, ""));
        let index = super::params::index(n, 1..=10)
            .ok_or_else(|| DomainError::invalid(name, "Filter.N takes N from 1 to 10."))?;
        let slot = by_index.entry(index).or_default();
        match field {
            "Key" => slot.0 = Some(value.clone()),
            "Value" => slot.1 = Some(value.clone()),
            _ => return Err(DomainError::UnknownParameter(name.clone())),
        }
    }
    let mut out = Created::default();
    for (key, value) in by_index.into_values() {
        let at =
            value.as_deref().map(time).transpose()?.ok_or_else(|| DomainError::missing("Filter.N.Value"))?;
        match key.as_deref() {
            Some("CreationStartTime") => out.from = Some(at),
            Some("CreationEndTime") => out.to = Some(at),
            _ => {
                return Err(DomainError::invalid(
                    "Filter.N.Key",
                    "Valid values: CreationStartTime, CreationEndTime.",
                ))
            }
        }
    }
    Ok(out)
}

/// `yyyy-MM-ddTHH:mmZ` as the API writes filter times (seconds and RFC 3339 accepted too).
fn time(s: &str) -> DomainResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%MZ").map(|t| t.and_utc()))
        .map_err(|_| DomainError::invalid("Filter.N.Value", "Times are yyyy-MM-ddTHH:mmZ in UTC."))
}

/// A choice among `allowed` (case-insensitive), given back lower-case.
pub(super) fn choice(rpc: &RpcRequest, name: &str, allowed: &[&str]) -> DomainResult<Option<String>> {
    match optional(rpc, name) {
        Some(v) if allowed.iter().any(|a| a.eq_ignore_ascii_case(&v)) => Ok(Some(v.to_ascii_lowercase())),
        Some(_) => Err(DomainError::invalid(name, format!("Valid values: {}.", allowed.join(", ")))),
        None => Ok(None),
    }
}

/// An optional boolean (`None` when absent).
pub(super) fn flag(rpc: &RpcRequest, name: &str) -> DomainResult<Option<bool>> {
    match rpc.get(name) {
        None | Some("") => Ok(None),
        Some(_) => boolean(rpc, name).map(Some),
    }
}

/// A list given as JSON (`["a","b"]`) or comma-separated, without repeats, at most 100.
pub(super) fn id_list(rpc: &RpcRequest, name: &str, json: bool) -> DomainResult<Option<Vec<String>>> {
    let Some(raw) = optional(rpc, name) else { return Ok(None) };
    let ids: Vec<String> = if json {
        serde_json::from_str(&raw)
            .map_err(|_| DomainError::invalid(name, "It must be a JSON array of ids, such as [\"s-xxx\"]."))?
    } else {
        raw.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
    };
    // In one pass, refused as soon as a 101st distinct id turns up: however long the list, the
    // work stops there (a repeat is not counted twice).
    let mut seen = std::collections::HashSet::new();
    let mut unique: Vec<String> = Vec::new();
    for id in ids {
        if seen.insert(id.clone()) {
            if unique.len() == 100 {
                return Err(DomainError::invalid(name, "At most 100 ids."));
            }
            unique.push(id);
        }
    }
    Ok(Some(unique))
}

pub(super) fn tags_match(want: &[Tag], have: &[Tag]) -> bool {
    want.iter().all(|t| have.iter().any(|h| h.key == t.key && (t.value.is_empty() || h.value == t.value)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alibaba::params::rpc;
    use chrono::{Duration, TimeZone};

    fn refused_name(result: DomainResult<Created>) -> String {
        match result {
            Err(DomainError::InvalidParameter { name, .. }) => name,
            other => panic!("not refused as invalid: {other:?}"),
        }
    }

    #[test]
    fn a_creation_window_is_read() {
        let window = created(&rpc("Filter.1.Key=CreationStartTime&Filter.1.Value=2024-01-02T03:04Z\
             &Filter.2.Key=CreationEndTime&Filter.2.Value=2024-02-01T00:00:00Z"))
        .unwrap();
        let from = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap();
        assert_eq!(window, Created { from: Some(from), to: Some(to) });
        assert!(window.contains(from) && window.contains(to));
        assert!(!window.contains(from - Duration::seconds(1)));
        assert!(!window.contains(to + Duration::seconds(1)));
        let open = created(&rpc("RegionId=r")).unwrap();
        assert_eq!(open, Created::default());
        assert!(open.contains(from));
    }

    #[test]
    fn a_creation_window_is_refused() {
        let read = |q: &str| created(&rpc(q));
        assert_eq!(
            refused_name(read("Filter.1.Key=ImageName&Filter.1.Value=2024-01-02T03:04Z")),
            "Filter.N.Key"
        );
        assert_eq!(
            refused_name(read("Filter.1.Key=CreationStartTime&Filter.1.Value=yesterday")),
            "Filter.N.Value"
        );
        assert_eq!(refused_name(read("Filter.11.Key=CreationStartTime")), "Filter.11.Key");
        assert_eq!(refused_name(read("Filter.01.Key=CreationStartTime")), "Filter.01.Key");
        assert_eq!(read("Filter.1.Key=CreationStartTime"), Err(DomainError::missing("Filter.N.Value")));
        assert_eq!(read("Filter.1.Size=1"), Err(DomainError::UnknownParameter("Filter.1.Size".into())));
    }

    #[test]
    fn choices_flags_and_id_lists() {
        let r = rpc("Status=ACCOMPLISHED&Encrypted=True&Usable=maybe\
                     &SnapshotIds=%5B%22s-1%22%2C%22s-2%22%2C%22s-1%22%5D&ImageId=m-1,%20m-2,,m-1");
        let status = |allowed: &[&str]| choice(&r, "Status", allowed);
        assert_eq!(status(&["progressing", "accomplished"]).unwrap().as_deref(), Some("accomplished"));
        assert!(
            matches!(status(&["failed"]), Err(DomainError::InvalidParameter { ref name, .. }) if name == "Status")
        );
        assert_eq!(choice(&r, "Category", &["Standard"]).unwrap(), None);
        assert_eq!(flag(&r, "Encrypted").unwrap(), Some(true));
        assert_eq!(flag(&r, "DryRun").unwrap(), None);
        assert!(matches!(flag(&r, "Usable"), Err(DomainError::InvalidParameter { .. })));
        let ids = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(id_list(&r, "SnapshotIds", true).unwrap(), ids(&["s-1", "s-2"]));
        assert_eq!(id_list(&r, "ImageId", false).unwrap(), ids(&["m-1", "m-2"]));
        assert!(matches!(id_list(&r, "ImageId", true), Err(DomainError::InvalidParameter { .. })));
        let many = (0..101).map(|i| format!("m-{i}")).collect::<Vec<_>>().join(",");
        assert!(matches!(
            id_list(&rpc(&format!("ImageId={many}")), "ImageId", false),
            Err(DomainError::InvalidParameter { .. })
        ));
    }

    #[test]
    fn tags_match_by_key_and_by_value_when_one_is_given() {
        let tag = |k: &str, v: &str| Tag { key: k.into(), value: v.into() };
        let have = [tag("env", "prod"), tag("team", "a")];
        assert!(tags_match(&[], &have));
        assert!(tags_match(&[tag("env", "")], &have));
        assert!(tags_match(&[tag("env", "prod"), tag("team", "a")], &have));
        assert!(!tags_match(&[tag("env", "test")], &have));
        assert!(!tags_match(&[tag("owner", "")], &have));
    }
}
