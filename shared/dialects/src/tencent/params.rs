//! Shared parameter helpers of the CVM and CBS actions, for images and snapshots alike: tag
//! lists, the Describe calls' `Filters` and paging, the deletes' id lists, and length limits.
//! Parameters arrive as the API 3.0 JSON body has them (see [`super::wire`]); flattened forms
//! carry every scalar as a string, so numbers and booleans are accepted both ways.

use crate::json_params::{field, Params};
use domain::text::char_len;
use domain::{DomainError, DomainResult, Field, Tag, TagRefusal};
use serde_json::{Map, Value};

/// A create's tags, as `[{"Key", "Value"}]`: keys 1–127 characters, unique and not reserved,
/// values up to 255; no more than a resource may carry (the Tag service's rules, which the create
/// hands its tags to: `LimitExceeded.ResourceAttachedTags`, `InvalidParameter.ReservedTagKey`).
pub(super) fn tag_list(obj_list: &[&Map<String, Value>], list: &str) -> DomainResult<Vec<Tag>> {
    // Counted before anything is read.
    if obj_list.len() > super::tags::MAX_TAGS_PER_RESOURCE {
        return Err(DomainError::Tagging(TagRefusal::QuotaExceeded));
    }
    let mut tags: Vec<Tag> = Vec::new();
    // Keys seen, for the duplicate check in linear time however long the list.
    let mut keys = std::collections::HashSet::new();
    for t in obj_list {
        let key = field(t, list, "Key")?.unwrap_or_default().to_string();
        let value = field(t, list, "Value")?.unwrap_or_default().to_string();
        if key.is_empty() || char_len(&key) > 127 {
            return Err(DomainError::invalid(&format!("{list}.Key"), "A tag key has 1 to 127 characters."));
        }
        if char_len(&value) > 255 {
            return Err(DomainError::invalid(
                &format!("{list}.Value"),
                "A tag value has at most 255 characters.",
            ));
        }
        if super::tags::reserved_key(&key) {
            return Err(DomainError::Tagging(TagRefusal::ReservedKey));
        }
        if !keys.insert(key.clone()) {
            return Err(DomainError::DuplicateTagKey);
        }
        tags.push(Tag { key, value });
    }
    Ok(tags)
}

/// One `Filters.N`: a name and the values any of which may match.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub name: String,
    pub values: Vec<String>,
}

impl Filter {
    pub fn any(&self, candidate: &str) -> bool {
        self.values.iter().any(|v| v == candidate)
    }

    /// `tag:<key>` filters name the tag key after the colon.
    pub fn tag_key(&self) -> Option<&str> {
        self.name.strip_prefix("tag:")
    }
}

pub(super) fn filters(p: &Params<'_>, known: &[&str]) -> DomainResult<Vec<Filter>> {
    let mut out = Vec::new();
    for f in p.objects("Filters")? {
        let name = field(f, "Filters", "Name")?.unwrap_or_default().to_string();
        let is_tag = name.strip_prefix("tag:").is_some_and(|k| !k.is_empty());
        if !is_tag && !known.contains(&name.as_str()) {
            return Err(DomainError::InvalidFilter(name));
        }
        let values = match f.get("Values") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| DomainError::invalid("Filters.Values", "It must be a list of strings."))?,
            _ => return Err(DomainError::invalid("Filters.Values", "Each filter needs a list of values.")),
        };
        if values.is_empty() || values.len() > 5 {
            return Err(DomainError::invalid("Filters.Values", "Each filter takes 1 to 5 values."));
        }
        out.push(Filter { name, values });
    }
    if out.len() > 10 {
        return Err(DomainError::invalid("Filters", "At most 10 filters."));
    }
    Ok(out)
}

/// The values of a choice filter, checked against what the API allows.
pub(super) fn check_values(filters: &[Filter], name: &str, allowed: &[&str]) -> DomainResult<()> {
    for f in filters.iter().filter(|f| f.name == name) {
        if let Some(bad) = f.values.iter().find(|v| !allowed.contains(&v.as_str())) {
            return Err(DomainError::invalid(
                "Filters.Values",
                format!("`{bad}` is not a value of {name} ({}).", allowed.join(", ")),
            ));
        }
    }
    Ok(())
}

/// Ids given directly, at most 100, each with the resource's prefix.
pub(super) fn ids(p: &Params<'_>, name: &str, prefix: &str) -> DomainResult<Option<Vec<String>>> {
    let Some(ids) = p.strings(name)? else { return Ok(None) };
    if ids.len() > 100 {
        return Err(DomainError::invalid(name, "At most 100 ids."));
    }
    if let Some(bad) = ids.iter().find(|id| !id.starts_with(prefix)) {
        return Err(DomainError::MalformedId(bad.clone()));
    }
    Ok(Some(ids))
}

/// Paging: `Offset` from 0, `Limit` 1–100 (default 20).
pub(super) fn paging(p: &Params<'_>) -> DomainResult<(usize, usize)> {
    let offset = p.integer("Offset", 0..=i64::from(u32::MAX))?.unwrap_or(0) as usize;
    let limit = p.integer("Limit", 1..=100)?.unwrap_or(20) as usize;
    Ok((offset, limit))
}

/// The most ids one delete takes (the pages name `InvalidParameterValue.LimitExceeded` without a
/// number; 100 is the bound of the Describe calls' id lists).
pub const MAX_IDS: usize = 100;

/// A list of ids: present, not empty, at most [`MAX_IDS`], each once.
pub(super) fn id_list(p: &Params<'_>, name: &str, prefix: Option<&str>) -> DomainResult<Vec<String>> {
    let ids = p.strings(name)?.filter(|ids| !ids.is_empty()).ok_or_else(|| DomainError::missing(name))?;
    if ids.len() > MAX_IDS {
        return Err(DomainError::TooManyIds(MAX_IDS));
    }
    if let Some(bad) = prefix.and_then(|pre| ids.iter().find(|id| !id.starts_with(pre))) {
        return Err(DomainError::MalformedId(bad.clone()));
    }
    let mut seen = std::collections::HashSet::new();
    Ok(ids.into_iter().filter(|id| seen.insert(id.clone())).collect())
}

/// A text of at most `max` characters (an empty one kept as given), or too long.
pub(super) fn text_at_most(
    p: &Params<'_>,
    name: &str,
    max: usize,
    field: Field,
) -> DomainResult<Option<String>> {
    match p.string(name)? {
        Some(v) if char_len(&v) > max => Err(DomainError::TooLong(field)),
        other => Ok(other),
    }
}
