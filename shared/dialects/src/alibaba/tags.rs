//! TagResources, UntagResources, ListTagResources and JoinResourceGroup: their parameters, by the
//! rules of their ECS API reference pages, and ListTagResources' filters and answer.

use super::paging;
use super::params::{boolean, index, only, optional};
use super::wire::RpcRequest;
use domain::tags::{Keys, Retag, TagChange, TaggedKind, MAX_TAGS_PER_RESOURCE};
use domain::text::{char_len, contains_url};
use domain::{DomainError, DomainResult, Field, Tag, TagRefusal};
use serde::Serialize;
use std::collections::BTreeMap;

/// The most resources one call names (`ResourceId.1` … `ResourceId.50`).
pub const MAX_RESOURCES: usize = 50;
/// The most tags one call names.
pub const MAX_TAGS: usize = 20;
/// The most `TagFilter.N` of a listing, and values of each.
pub const MAX_TAG_FILTERS: usize = 5;
/// Tag pairs on one page of ListTagResources (its page sets no size and takes none).
pub const PAGE_SIZE: usize = 50;
/// The tag key that names a resource group in ListTagResources.
pub const GROUP_KEY: &str = "acs:rm:rgId";

/// The `ResourceType` values of the TagResources page; only snapshots and images are served.
const RESOURCE_TYPES: [&str; 19] = [
    "instance",
    "disk",
    "snapshot",
    "image",
    "securitygroup",
    "volume",
    "eni",
    "ddh",
    "ddhcluster",
    "keypair",
    "launchtemplate",
    "reservedinstance",
    "snapshotpolicy",
    "elasticityassurance",
    "capacityreservation",
    "command",
    "invocation",
    "activation",
    "managedinstance",
];

fn refused(r: TagRefusal) -> DomainError {
    DomainError::Tagging(r)
}

fn region(rpc: &RpcRequest) -> DomainResult<String> {
    optional(rpc, "RegionId").ok_or(refused(TagRefusal::Missing("RegionId")))
}

/// `ResourceType`, as the page spells its values (they are case-sensitive).
pub fn resource_type(rpc: &RpcRequest) -> DomainResult<TaggedKind> {
    match optional(rpc, "ResourceType").as_deref() {
        None => Err(refused(TagRefusal::Missing("ResourceType"))),
        Some("snapshot") => Ok(TaggedKind::Snapshot),
        Some("image") => Ok(TaggedKind::Image),
        Some(t) if RESOURCE_TYPES.contains(&t) => Err(refused(TagRefusal::UnsupportedResourceType)),
        Some(_) => Err(refused(TagRefusal::UnknownResourceType)),
    }
}

pub fn type_name(kind: TaggedKind) -> &'static str {
    match kind {
        TaggedKind::Snapshot => "snapshot",
        TaggedKind::Image => "image",
    }
}

/// The values of `Name.N` by N (1 to `max`; a larger N is `too_many`), in N's order.
fn numbered(rpc: &RpcRequest, name: &str, max: usize, too_many: TagRefusal) -> DomainResult<Vec<String>> {
    let mut by_index = BTreeMap::new();
    for (param, value) in &rpc.params {
        let Some(n) = param.strip_prefix(name).and_then(|r| r.strip_prefix('.')) else { continue };
        match index(n, 1..=usize::MAX) {
            Some(i) if i > max => return Err(refused(too_many)),
            Some(i) => by_index.insert(i, value.clone()),
            None => return Err(DomainError::UnknownParameter(param.clone())),
        };
    }
    Ok(by_index.into_values().filter(|v| !v.is_empty()).collect())
}

/// `ResourceId.N`, each once.
fn resource_ids(rpc: &RpcRequest) -> DomainResult<Vec<String>> {
    let mut ids = numbered(rpc, "ResourceId", MAX_RESOURCES, TagRefusal::TooManyResources)?;
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    Ok(ids)
}

/// `Tag.N.Key` / `Tag.N.Value`, N 1–20, keys unique; a value without its key is refused. The
/// value is `None` when not given (ListTagResources then asks for the key alone).
fn tag_pairs(rpc: &RpcRequest) -> DomainResult<Vec<(String, Option<String>)>> {
    let mut by_index: BTreeMap<usize, (Option<String>, Option<String>)> = BTreeMap::new();
    for (param, value) in &rpc.params {
        let Some(rest) = param.strip_prefix("Tag.") else { continue };
        let (n, field) = rest.split_once('.').ok_or_else(|| DomainError::UnknownParameter(param.clone()))?;
        let i = index(n, 1..=usize::MAX).ok_or_else(|| DomainError::UnknownParameter(param.clone()))?;
        if i > MAX_TAGS {
            return Err(refused(TagRefusal::TooManyTags));
        }
        let slot = by_index.entry(i).or_default();
        match field {
            "Key" => slot.0 = Some(value.clone()),
            "Value" => slot.1 = Some(value.clone()),
            _ => return Err(DomainError::UnknownParameter(param.clone())),
        }
    }
    let mut pairs: Vec<(String, Option<String>)> = Vec::new();
    for (key, value) in by_index.into_values() {
        let Some(key) = key else { return Err(refused(TagRefusal::ValueWithoutKey)) };
        if pairs.iter().any(|(k, _)| *k == key) {
            return Err(DomainError::DuplicateTagKey);
        }
        if pairs.iter().any(|(k, _)| Keys::IgnoringCase.same(k, &key)) {
            return Err(refused(TagRefusal::KeysDifferInCase));
        }
        pairs.push((key, value));
    }
    Ok(pairs)
}

/// A tag key of these pages: 1–128 characters, not `acs:` or `aliyun` in any case, no
/// `http(s)://`.
fn check_key(key: &str) -> DomainResult<()> {
    let reserved = reserved_prefix(key) || contains_url(key);
    if key.is_empty() || char_len(key) > 128 || reserved || key.chars().any(char::is_control) {
        return Err(DomainError::Malformed(Field::TagKey));
    }
    Ok(())
}

/// Whether a tag key (or a create's tag value) starts with a prefix the provider keeps for its own
/// tags, `aliyun` or `acs:`, in any case: one rule for every Alibaba tag.
pub(crate) fn reserved_prefix(s: &str) -> bool {
    let head: String = s.chars().take(6).collect::<String>().to_lowercase();
    head.starts_with("aliyun") || head.starts_with("acs:")
}

/// A tag value: up to 128 characters (empty allowed), no `http(s)://`.
fn check_value(value: &str) -> DomainResult<()> {
    if char_len(value) > 128 || contains_url(value) || value.chars().any(char::is_control) {
        return Err(DomainError::Malformed(Field::TagValue));
    }
    Ok(())
}

/// TagResources (ECS API reference, TagResources).
pub fn tag_resources(rpc: &RpcRequest) -> DomainResult<Retag> {
    only(rpc, &["ResourceType", "ResourceId.", "Tag."])?;
    let region = region(rpc)?;
    let kind = resource_type(rpc)?;
    let ids = resource_ids(rpc)?;
    let pairs = tag_pairs(rpc)?;
    if ids.is_empty() {
        return Err(refused(TagRefusal::Missing("ResourceIds")));
    }
    if pairs.is_empty() {
        return Err(refused(TagRefusal::Missing("Tags")));
    }
    let mut tags = Vec::new();
    for (key, value) in pairs {
        let value = value.unwrap_or_default();
        check_key(&key)?;
        check_value(&value)?;
        tags.push(Tag { key, value });
    }
    Ok(Retag {
        region,
        kind,
        ids,
        change: TagChange::Add(tags),
        limit: MAX_TAGS_PER_RESOURCE,
        keys: Keys::IgnoringCase,
    })
}

/// UntagResources (ECS API reference, UntagResources): `All` removes every tag, and cannot come
/// with `TagKey.N`; neither removes nothing.
pub fn untag_resources(rpc: &RpcRequest) -> DomainResult<Retag> {
    only(rpc, &["ResourceType", "ResourceId.", "TagKey.", "All"])?;
    let region = region(rpc)?;
    let kind = resource_type(rpc)?;
    let ids = resource_ids(rpc)?;
    let keys = numbered(rpc, "TagKey", MAX_TAGS, TagRefusal::TooManyTags)?;
    let all = boolean(rpc, "All")?;
    if ids.is_empty() {
        return Err(refused(TagRefusal::Missing("ResourceIds")));
    }
    let change = match (all, keys.is_empty()) {
        (true, false) => return Err(refused(TagRefusal::AllWithKeys)),
        (true, true) => TagChange::RemoveAll,
        (false, _) => TagChange::Remove(keys),
    };
    Ok(Retag { region, kind, ids, change, limit: MAX_TAGS_PER_RESOURCE, keys: Keys::IgnoringCase })
}

/// JoinResourceGroup (ECS API reference, JoinResourceGroup): one resource, one group; its
/// missing parameters are `MissingParameter` (403 on this page). Resource groups belong to the
/// provider's Resource Management service, which is not modelled: any id of its form (`rg-…`) is
/// a group, as CreateSnapshot and CreateImage take them.
pub fn join_resource_group(rpc: &RpcRequest) -> DomainResult<Retag> {
    only(rpc, &["ResourceType", "ResourceId", "ResourceGroupId"])?;
    let need = |name: &str| optional(rpc, name).ok_or_else(|| DomainError::missing(name));
    let id = need("ResourceId")?;
    let group = need("ResourceGroupId")?;
    if !group.starts_with("rg-")
        || group.len() < 4
        || !group.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(DomainError::ResourceGroupNotFound);
    }
    let region = need("RegionId")?;
    let kind = match resource_type(rpc) {
        Err(DomainError::Tagging(TagRefusal::Missing(_))) => {
            return Err(DomainError::missing("ResourceType"))
        }
        // Only snapshots and images are served; any other type names nothing here.
        Err(DomainError::Tagging(TagRefusal::UnsupportedResourceType)) => {
            return Err(refused(TagRefusal::ResourceNotFound))
        }
        other => other?,
    };
    Ok(Retag {
        region,
        kind,
        ids: vec![id],
        change: TagChange::JoinGroup(group),
        limit: MAX_TAGS_PER_RESOURCE,
        keys: Keys::IgnoringCase,
    })
}

/// One `TagFilter.N`: a key (exact, `prefix*` or `*infix*`) and the values any of which matches.
#[derive(Debug, Clone, PartialEq)]
pub struct TagFilter {
    pub key: String,
    pub values: Vec<String>,
}

/// ListTagResources (ECS API reference, ListTagResources), checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ListTags {
    pub region: String,
    pub kind: TaggedKind,
    pub ids: Option<Vec<String>>,
    /// Tags every resource listed carries (a key alone: any value).
    pub tags: Vec<(String, Option<String>)>,
    pub filters: Vec<TagFilter>,
    pub next_token: Option<String>,
}

pub fn list_tag_resources(rpc: &RpcRequest) -> DomainResult<ListTags> {
    only(rpc, &["ResourceType", "ResourceId.", "Tag.", "TagFilter.", "NextToken"])?;
    let region = region(rpc)?;
    let kind = resource_type(rpc)?;
    let ids = resource_ids(rpc)?;
    let tags = tag_pairs(rpc)?;
    for (key, value) in &tags {
        if key != GROUP_KEY {
            check_key(key)?;
        }
        value.as_deref().map(check_value).transpose()?;
    }
    let filters = tag_filters(rpc)?;
    if !tags.is_empty() && !filters.is_empty() {
        return Err(refused(TagRefusal::TagsWithFilters));
    }
    if ids.is_empty() && tags.is_empty() && filters.is_empty() {
        return Err(refused(TagRefusal::NothingToList));
    }
    let ids = Some(ids).filter(|i| !i.is_empty());
    Ok(ListTags { region, kind, ids, tags, filters, next_token: optional(rpc, "NextToken") })
}

fn tag_filters(rpc: &RpcRequest) -> DomainResult<Vec<TagFilter>> {
    let mut by_index: BTreeMap<usize, (Option<String>, BTreeMap<usize, String>)> = BTreeMap::new();
    let bad = || refused(TagRefusal::BadTagFilter);
    for (param, value) in &rpc.params {
        let Some(rest) = param.strip_prefix("TagFilter.") else { continue };
        let (n, field) = rest.split_once('.').ok_or_else(bad)?;
        let i = index(n, 1..=MAX_TAG_FILTERS).ok_or_else(bad)?;
        let slot = by_index.entry(i).or_default();
        match field.split_once('.') {
            None if field == "TagKey" => slot.0 = Some(value.clone()),
            Some(("TagValues", m)) => match index(m, 1..=usize::MAX) {
                Some(m) if m > MAX_TAG_FILTERS => return Err(refused(TagRefusal::TooManyTagValues)),
                Some(m) => {
                    slot.1.insert(m, value.clone());
                }
                None => return Err(bad()),
            },
            _ => return Err(DomainError::UnknownParameter(param.clone())),
        }
    }
    let mut filters = Vec::new();
    for (key, values) in by_index.into_values() {
        let key = key.filter(|k| !k.is_empty()).ok_or_else(bad)?;
        let values: Vec<String> = values.into_values().collect();
        // A fuzzy key takes no values; a fuzzy value needs an exact key.
        if (key.contains('*') && !values.is_empty())
            || (!pattern_ok(&key))
            || !values.iter().all(|v| pattern_ok(v))
        {
            return Err(bad());
        }
        filters.push(TagFilter { key, values });
    }
    Ok(filters)
}

/// Exact, `prefix*` or `*infix*`: a star only at those places.
fn pattern_ok(p: &str) -> bool {
    let inner = p.strip_prefix('*').and_then(|r| r.strip_suffix('*')).unwrap_or(p);
    let inner = if inner == p { p.strip_suffix('*').unwrap_or(p) } else { inner };
    !inner.is_empty() && !inner.contains('*')
}

fn pattern_matches(p: &str, s: &str) -> bool {
    match (p.strip_prefix('*').and_then(|r| r.strip_suffix('*')), p.strip_suffix('*')) {
        (Some(infix), _) => s.contains(infix),
        (None, Some(prefix)) => s.starts_with(prefix),
        (None, None) => s == p,
    }
}

impl ListTags {
    /// Whether a resource with these tags and group is listed.
    pub fn matches(&self, tags: &[Tag], group: Option<&str>) -> bool {
        let pair = |(key, value): &(String, Option<String>)| {
            if key == GROUP_KEY {
                return value.as_deref().is_none_or(|v| group == Some(v));
            }
            tags.iter().any(|t| t.key == *key && value.as_ref().is_none_or(|v| t.value == *v))
        };
        let filter = |f: &TagFilter| {
            tags.iter().any(|t| {
                pattern_matches(&f.key, &t.key)
                    && (f.values.is_empty() || f.values.iter().any(|v| pattern_matches(v, &t.value)))
            })
        };
        self.tags.iter().all(pair) && self.filters.iter().all(filter)
    }

    /// The token that resumes this listing at `offset`.
    pub fn token_at(&self, rpc: &RpcRequest, account: &str, seal_key: &[u8], offset: usize) -> String {
        paging::token(offset, &paging::fingerprint_of(rpc, account, seal_key))
    }

    /// The offset the request's `NextToken` resumes at (0 without one).
    pub fn offset(&self, rpc: &RpcRequest, account: &str, seal_key: &[u8]) -> DomainResult<usize> {
        match &self.next_token {
            None => Ok(0),
            Some(t) => paging::read_token(t, &paging::fingerprint_of(rpc, account, seal_key))
                .ok_or(refused(TagRefusal::BadNextToken)),
        }
    }
}

/// One resource's tag as ListTagResources lists it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResourceView {
    pub resource_type: &'static str,
    pub resource_id: String,
    pub tag_key: String,
    pub tag_value: String,
}

#[derive(Debug, Serialize)]
pub struct TagResourceList {
    #[serde(rename = "TagResource")]
    pub tag_resource: Vec<TagResourceView>,
}

/// ListTagResources' answer: a page of resource-tag pairs, and the token of the next page when
/// there is one.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagPage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    pub tag_resources: TagResourceList,
}
