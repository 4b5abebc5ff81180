//! The Tag service (API 2018-08-13, service `tag`) on CVM images and CBS snapshots:
//! ModifyResourceTags, TagResources, UnTagResources and DescribeResourceTagsByResourceIds, by the
//! rules of their pages. Resources are named in the six-segment form
//! `qcs::cvm:<region>:uin/<account>:image/<id>` (snapshots: `…:snapshot/<id>`); the account
//! segment may be empty, as Terraform's provider leaves it.

use super::wire::TcRequest;
use crate::json_params::{field, Params};
use domain::tags::TaggedKind;
use domain::text::char_len;
use domain::{DomainError, DomainResult, Field, Tag, TagRefusal};
use serde::Serialize;
use sha2::Digest;

/// The Tag service's API version.
pub const API_VERSION: &str = "2018-08-13";
/// The most tags one resource carries (Tag service, usage limits).
pub const MAX_TAGS_PER_RESOURCE: usize = 50;
/// The most tags, and resources, one call names.
pub const MAX_PER_CALL: usize = 10;
/// The most resource ids one DescribeResourceTagsByResourceIds names.
pub const MAX_DESCRIBED: usize = 50;

fn refused(r: TagRefusal) -> DomainError {
    DomainError::Tagging(r)
}

/// The account number (uin) an account's resource names carry: stable, derived from its id.
pub fn uin(account: &str) -> String {
    let digest = sha2::Sha256::digest(account.as_bytes());
    let n = u64::from_be_bytes(digest[..8].try_into().unwrap_or_default()) % 9_000_000_000;
    (1_000_000_000 + n).to_string()
}

/// A six-segment resource name, read.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceName {
    pub text: String,
    pub region: String,
    /// The account segment, when given.
    pub uin: Option<String>,
    pub kind: TaggedKind,
    pub id: String,
}

pub fn resource_name(text: &str) -> DomainResult<ResourceName> {
    let bad = || refused(TagRefusal::BadResourceName);
    let rest = text.strip_prefix("qcs::").ok_or_else(bad)?;
    let parts: Vec<&str> = rest.split(':').collect();
    let [service, region, account, resource] = parts.as_slice() else { return Err(bad()) };
    let uin = account.strip_prefix("uin/").ok_or_else(bad)?;
    let (prefix, id) = resource.split_once('/').ok_or_else(bad)?;
    let kind = match (*service, prefix) {
        ("cvm", "image") => TaggedKind::Image,
        ("cvm", "snapshot") => TaggedKind::Snapshot,
        _ => return Err(bad()),
    };
    if region.is_empty() || id.is_empty() || !uin.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    Ok(ResourceName {
        text: text.to_string(),
        region: region.to_string(),
        uin: Some(uin.to_string()).filter(|u| !u.is_empty()),
        kind,
        id: id.to_string(),
    })
}

/// A tag key: 1–127 characters, not a reserved prefix, letters, digits, spaces inside and the
/// listed signs (Tag service, usage limits).
fn check_key(key: &str) -> DomainResult<()> {
    if key.is_empty() {
        return Err(refused(TagRefusal::ValueWithoutKey));
    }
    if char_len(key) > 127 {
        return Err(DomainError::TooLong(Field::TagKey));
    }
    if reserved_key(key) {
        return Err(refused(TagRefusal::ReservedKey));
    }
    if !allowed(key) {
        return Err(DomainError::Malformed(Field::TagKey));
    }
    Ok(())
}

/// Whether a tag key starts with a prefix the system keeps for its own tags (in any case).
pub(super) fn reserved_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    ["qcloud", "tencent", "project", "qcs:", "项目"].iter().any(|p| lower.starts_with(p))
}

/// A tag value: up to 255 characters, of the same characters as keys.
fn check_value(value: &str) -> DomainResult<()> {
    if char_len(value) > 255 {
        return Err(DomainError::TooLong(Field::TagValue));
    }
    if !value.is_empty() && !allowed(value) {
        return Err(DomainError::Malformed(Field::TagValue));
    }
    Ok(())
}

fn allowed(text: &str) -> bool {
    let sign = |c: char| "+-=._:/@()[],;><【】：".contains(c);
    !text.starts_with(' ')
        && !text.ends_with(' ')
        && text.chars().all(|c| c.is_alphanumeric() || c == ' ' || sign(c))
}

/// Tags as `[{"TagKey", "TagValue"}]`, at most ten, keys unique.
fn tag_list(p: &Params<'_>, name: &str) -> DomainResult<Option<Vec<Tag>>> {
    if !p.has(name) {
        return Ok(None);
    }
    let objects = p.objects(name)?;
    if objects.is_empty() {
        return Err(refused(TagRefusal::NothingToChange));
    }
    if objects.len() > MAX_PER_CALL {
        return Err(refused(TagRefusal::TooManyTags));
    }
    let mut tags: Vec<Tag> = Vec::new();
    for o in objects {
        let key = field(o, name, "TagKey")?.unwrap_or_default().to_string();
        let value = field(o, name, "TagValue")?.unwrap_or_default().to_string();
        check_key(&key)?;
        check_value(&value)?;
        if tags.iter().any(|t| t.key == key) {
            return Err(DomainError::DuplicateTagKey);
        }
        tags.push(Tag { key, value });
    }
    Ok(Some(tags))
}

/// Keys to remove, given as `[{"TagKey"}]` (ModifyResourceTags) or as strings (UnTagResources).
fn key_list(p: &Params<'_>, name: &str, objects: bool) -> DomainResult<Option<Vec<String>>> {
    if !p.has(name) {
        return Ok(None);
    }
    let keys: Vec<String> = if objects {
        p.objects(name)?
            .into_iter()
            .map(|o| field(o, name, "TagKey").map(|k| k.unwrap_or_default().to_string()))
            .collect::<DomainResult<_>>()?
    } else {
        p.strings(name)?.unwrap_or_default()
    };
    if keys.is_empty() {
        return Err(refused(TagRefusal::NothingToChange));
    }
    if keys.len() > MAX_PER_CALL {
        return Err(refused(TagRefusal::TooManyTags));
    }
    for k in &keys {
        if k.is_empty() {
            return Err(refused(TagRefusal::ValueWithoutKey));
        }
    }
    Ok(Some(keys))
}

/// ModifyResourceTags: one resource; `ReplaceTags` and `DeleteTags`, at least one, no key in both.
pub struct ModifyResourceTags {
    pub resource: ResourceName,
    pub set: Vec<Tag>,
    pub remove: Vec<String>,
}

pub fn modify_resource_tags(tc: &TcRequest) -> DomainResult<ModifyResourceTags> {
    let p = Params::of(&tc.params, &["Resource", "ReplaceTags", "DeleteTags"])?;
    let resource = resource_name(&p.required("Resource")?)?;
    let set = tag_list(&p, "ReplaceTags")?;
    let remove = key_list(&p, "DeleteTags", true)?;
    if set.is_none() && remove.is_none() {
        return Err(refused(TagRefusal::NothingToChange));
    }
    let (set, remove) = (set.unwrap_or_default(), remove.unwrap_or_default());
    if set.iter().any(|t| remove.contains(&t.key)) {
        return Err(refused(TagRefusal::KeyInBothLists));
    }
    Ok(ModifyResourceTags { resource, set, remove })
}

/// TagResources / UnTagResources: up to ten resources, each tagged (or untagged) on its own.
pub struct ResourcesTags {
    pub resources: Vec<String>,
    pub set: Vec<Tag>,
    pub remove: Vec<String>,
}

fn resource_list(p: &Params<'_>) -> DomainResult<Vec<String>> {
    let list = p.strings("ResourceList")?.filter(|l| !l.is_empty());
    let list = list.ok_or(refused(TagRefusal::Missing("ResourceList")))?;
    if list.len() > MAX_PER_CALL {
        return Err(refused(TagRefusal::TooManyResources));
    }
    Ok(list)
}

pub fn tag_resources(tc: &TcRequest) -> DomainResult<ResourcesTags> {
    let p = Params::of(&tc.params, &["ResourceList", "Tags"])?;
    let resources = resource_list(&p)?;
    let set = tag_list(&p, "Tags")?.ok_or(refused(TagRefusal::Missing("Tags")))?;
    Ok(ResourcesTags { resources, set, remove: Vec::new() })
}

pub fn untag_resources(tc: &TcRequest) -> DomainResult<ResourcesTags> {
    let p = Params::of(&tc.params, &["ResourceList", "TagKeys"])?;
    let resources = resource_list(&p)?;
    let remove = key_list(&p, "TagKeys", false)?.ok_or(refused(TagRefusal::Missing("TagKeys")))?;
    Ok(ResourcesTags { resources, set: Vec::new(), remove })
}

/// DescribeResourceTagsByResourceIds, checked.
pub struct DescribeResourceTags {
    pub kind: TaggedKind,
    pub region: String,
    pub ids: Vec<String>,
    pub offset: usize,
    pub limit: usize,
    /// `System` tags only: none here.
    pub system_only: bool,
}

pub fn describe_resource_tags(tc: &TcRequest) -> DomainResult<DescribeResourceTags> {
    let p = Params::of(
        &tc.params,
        &["ServiceType", "ResourcePrefix", "ResourceIds", "ResourceRegion", "Offset", "Limit", "Category"],
    )?;
    if p.required("ServiceType")? != "cvm" {
        return Err(refused(TagRefusal::UnsupportedResourceType));
    }
    let kind = match p.required("ResourcePrefix")?.as_str() {
        "image" => TaggedKind::Image,
        "snapshot" => TaggedKind::Snapshot,
        _ => return Err(refused(TagRefusal::UnknownResourceType)),
    };
    let ids = p
        .strings("ResourceIds")?
        .filter(|i| !i.is_empty())
        .ok_or_else(|| DomainError::missing("ResourceIds"))?;
    if ids.len() > MAX_DESCRIBED {
        return Err(refused(TagRefusal::TooManyResources));
    }
    let region =
        p.string("ResourceRegion")?.filter(|r| !r.is_empty()).ok_or(refused(TagRefusal::BadRegion))?;
    let limit = p.integer("Limit", 1..=1000)?.unwrap_or(15) as usize;
    let offset = p.integer("Offset", 0..=i64::from(u32::MAX))?.unwrap_or(0) as usize;
    if !offset.is_multiple_of(limit) {
        return Err(refused(TagRefusal::BadOffset));
    }
    let system_only = match p.string("Category")?.as_deref() {
        None | Some("") | Some("All") | Some("Custom") => false,
        Some("System") => true,
        Some(_) => return Err(DomainError::invalid("Category", "Valid values: Custom, System, All.")),
    };
    Ok(DescribeResourceTags { kind, region, ids, offset, limit, system_only })
}

/// One resource's tag, as DescribeResourceTagsByResourceIds lists it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResourceView {
    pub tag_key: String,
    pub tag_value: String,
    pub resource_id: String,
    pub tag_key_md5: String,
    pub tag_value_md5: String,
    pub service_type: &'static str,
    pub category: &'static str,
}

impl TagResourceView {
    pub fn new(resource_id: &str, tag: &Tag) -> Self {
        let md5 = |s: &str| hex::encode(md5::Md5::digest(s.as_bytes()));
        TagResourceView {
            tag_key: tag.key.clone(),
            tag_value: tag.value.clone(),
            resource_id: resource_id.to_string(),
            tag_key_md5: md5(&tag.key),
            tag_value_md5: md5(&tag.value),
            service_type: "cvm",
            category: "Custom",
        }
    }
}

/// DescribeResourceTagsByResourceIds' answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceTagPage {
    pub total_count: usize,
    pub offset: usize,
    pub limit: usize,
    pub tags: Vec<TagResourceView>,
}

/// A resource TagResources or UnTagResources could not change.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FailedResource {
    pub resource: String,
    pub code: String,
    pub message: String,
}

/// TagResources' and UnTagResources' answer: the resources that failed (none on success).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Failures {
    pub failed_resources: Vec<FailedResource>,
}
