//! Shared parameter helpers of the ZEC, ZRM and User calls, for images and snapshots alike: tag
//! lists, paging, choices, id lists and a zone's region.

use crate::json_params::{field, Params};
use domain::{DomainError, DomainResult, Tag, TagRefusal};
use serde_json::Value;

/// A resource's tags, `[{"key", "value"}]`: no more than a resource may carry, counted before
/// anything is read.
pub fn resource_tags(list: &[Value], name: &str) -> DomainResult<Vec<Tag>> {
    if list.len() > super::tags::MAX_TAGS_PER_RESOURCE {
        return Err(DomainError::Tagging(TagRefusal::QuotaExceeded));
    }
    tag_list(list, name)
}

/// `[{"key", "value"}]`.
pub fn tag_list(list: &[Value], name: &str) -> DomainResult<Vec<Tag>> {
    let mut tags: Vec<Tag> = Vec::new();
    // Keys seen, for the duplicate check in linear time however long the list.
    let mut keys = std::collections::HashSet::new();
    for t in list {
        let t = t.as_object().ok_or_else(|| DomainError::invalid(name, "Each tag is an object."))?;
        let key = field(t, name, "key")?.unwrap_or_default().to_string();
        let value = field(t, name, "value")?.unwrap_or_default().to_string();
        if key.is_empty() || key.chars().count() > 64 || value.chars().count() > 64 {
            return Err(DomainError::invalid(name, "A tag key has 1 to 64 characters, a value at most 64."));
        }
        if !keys.insert(key.clone()) {
            return Err(DomainError::DuplicateTagKey);
        }
        tags.push(Tag { key, value });
    }
    Ok(tags)
}

/// Paging: `pageNum` from 1, `pageSize` 1–1000 (default 20).
pub(super) fn paging(p: &Params<'_>) -> DomainResult<(usize, usize)> {
    let num = p.integer("pageNum", 1..=i64::from(u32::MAX))?.unwrap_or(1) as usize;
    let size = p.integer("pageSize", 1..=1000)?.unwrap_or(20) as usize;
    Ok((num, size))
}

/// A choice among `allowed`, exactly as spelled there; an empty value counts as absent.
pub(super) fn choice(p: &Params<'_>, name: &str, allowed: &[&str]) -> DomainResult<Option<String>> {
    match p.string(name)?.filter(|v| !v.is_empty()) {
        Some(v) if allowed.contains(&v.as_str()) => Ok(Some(v)),
        Some(_) => Err(DomainError::invalid(name, format!("Valid values: {}.", allowed.join(", ")))),
        None => Ok(None),
    }
}

/// The most ids one Describe call takes.
pub(super) const MAX_DESCRIBED_IDS: usize = 100;

/// "The maximum number of snapshots in each request is 100" (DeleteSnapshots,
/// ModifySnapshotsAttribute); the image calls are given the same bound.
pub const MAX_IDS: usize = 100;

/// A required, non-empty list of at most [`MAX_IDS`] ids.
pub(super) fn required_ids(p: &Params<'_>, name: &str) -> DomainResult<Vec<String>> {
    match p.ids(name, MAX_IDS)? {
        Some(ids) if !ids.is_empty() => {
            if ids.iter().any(String::is_empty) {
                return Err(DomainError::invalid(name, "An id is empty."));
            }
            Ok(ids)
        }
        _ => Err(DomainError::missing(name)),
    }
}

/// The zone's region, by ZEC's naming (`asia-east-1a` is in `asia-east-1`).
pub fn region_of_zone(zone: &str) -> &str {
    zone.strip_suffix(|c: char| c.is_ascii_lowercase()).unwrap_or(zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_regions() {
        assert_eq!(region_of_zone("asia-east-1a"), "asia-east-1");
    }
}
