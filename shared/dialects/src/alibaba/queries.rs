//! The Describe calls' filters and paging, as the tea SDK's request models define them. Every
//! filter of those models either narrows the answer as documented or is refused with
//! `InvalidParameter`; none is ignored.

use super::params::{boolean, integer, only, optional, required, tags};
use super::wire::RpcRequest;
use base64::Engine;
use chrono::{DateTime, NaiveDateTime, Utc};
use domain::{DiskType, DomainError, DomainResult, Image, Os, Progress, Snapshot, Tag};
use sha2::{Digest, Sha256};

/// How a Describe call pages: by page number, or by an opaque token.
#[derive(Debug, Clone, PartialEq)]
pub enum Paging {
    Pages {
        number: usize,
        size: usize,
    },
    /// `MaxResults` / `NextToken`: `offset` is where the token says to start.
    Token {
        max_results: usize,
        offset: usize,
    },
}

/// A time window from `Filter.N.Key` = `CreationStartTime` / `CreationEndTime`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Created {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl Created {
    fn contains(&self, t: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|e| t <= e)
    }
}

/// `Filter.N.Key` / `Filter.N.Value`: the creation-time window, the only keys the API defines.
fn created(rpc: &RpcRequest) -> DomainResult<Created> {
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
fn choice(rpc: &RpcRequest, name: &str, allowed: &[&str]) -> DomainResult<Option<String>> {
    match optional(rpc, name) {
        Some(v) if allowed.iter().any(|a| a.eq_ignore_ascii_case(&v)) => Ok(Some(v.to_ascii_lowercase())),
        Some(_) => Err(DomainError::invalid(name, format!("Valid values: {}.", allowed.join(", ")))),
        None => Ok(None),
    }
}

/// An optional boolean (`None` when absent).
fn flag(rpc: &RpcRequest, name: &str) -> DomainResult<Option<bool>> {
    match rpc.get(name) {
        None | Some("") => Ok(None),
        Some(_) => boolean(rpc, name).map(Some),
    }
}

/// A list given as JSON (`["a","b"]`) or comma-separated, without repeats, at most 100.
fn id_list(rpc: &RpcRequest, name: &str, json: bool) -> DomainResult<Option<Vec<String>>> {
    let Some(raw) = optional(rpc, name) else { return Ok(None) };
    let ids: Vec<String> = if json {
        serde_json::from_str(&raw)
            .map_err(|_| DomainError::invalid(name, "It must be a JSON array of ids, such as [\"s-xxx\"]."))?
    } else {
        raw.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
    };
    let mut unique: Vec<String> = Vec::new();
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    if unique.len() > 100 {
        return Err(DomainError::invalid(name, "At most 100 ids."));
    }
    Ok(Some(unique))
}

fn pages(rpc: &RpcRequest) -> DomainResult<(usize, usize)> {
    let number = integer(rpc, "PageNumber", 1..=i64::from(u32::MAX))?.unwrap_or(1) as usize;
    let size = integer(rpc, "PageSize", 1..=100)?.unwrap_or(10) as usize;
    Ok((number, size))
}

/// Paging by `MaxResults`/`NextToken` when either is given, else by page number. A token is
/// bound to the query it was issued for: `fingerprint` names the query's filters.
fn paging(rpc: &RpcRequest, fingerprint: &str) -> DomainResult<Paging> {
    if !pages_by_token(rpc) {
        let (number, size) = pages(rpc)?;
        return Ok(Paging::Pages { number, size });
    }
    let max = integer(rpc, "MaxResults", 1..=100)?;
    let offset = match optional(rpc, "NextToken") {
        None => 0,
        Some(t) => read_token(&t, fingerprint)
            .ok_or_else(|| DomainError::invalid("NextToken", "The token is not one this query issued."))?,
    };
    Ok(Paging::Token { max_results: max.unwrap_or(10) as usize, offset })
}

/// Whether a listing pages by `MaxResults`/`NextToken` (and so needs the service's seal key)
/// rather than by page number.
pub fn pages_by_token(rpc: &RpcRequest) -> bool {
    optional(rpc, "MaxResults").is_some() || optional(rpc, "NextToken").is_some()
}

/// The token that resumes `fingerprint`'s listing at `offset`: opaque, and checked on return so
/// that an edited, forged or foreign token is refused rather than misread. The fingerprint is
/// keyed with the service's own key (see [`fingerprint_of`]), so a client cannot compute a seal.
pub fn token(offset: usize, fingerprint: &str) -> String {
    let text = format!("{offset}.{}", seal(offset, fingerprint));
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

pub(crate) fn read_token(token: &str, fingerprint: &str) -> Option<usize> {
    let text =
        String::from_utf8(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token).ok()?).ok()?;
    let (offset, seal_given) = text.split_once('.')?;
    let offset: usize = offset.parse().ok()?;
    crate::crypto::constant_time_eq(seal(offset, fingerprint).as_bytes(), seal_given.as_bytes())
        .then_some(offset)
}

fn seal(offset: usize, fingerprint: &str) -> String {
    hex::encode(&crate::crypto::hmac_sha256(fingerprint.as_bytes(), offset.to_string().as_bytes())[..16])
}

/// One page of `items`, and the token for the next (empty at the end) when paging by token.
pub fn page<'a, T>(paging: &Paging, items: &'a [T], fingerprint: &str) -> (Vec<&'a T>, Option<String>) {
    match *paging {
        Paging::Pages { number, size } => {
            (items.iter().skip((number - 1).saturating_mul(size)).take(size).collect(), None)
        }
        Paging::Token { max_results, offset } => {
            let page: Vec<&'a T> = items.iter().skip(offset).take(max_results).collect();
            let next = offset + page.len();
            let token = if next < items.len() { token(next, fingerprint) } else { String::new() };
            (page, Some(token))
        }
    }
}

fn tags_match(want: &[Tag], have: &[Tag]) -> bool {
    want.iter().all(|t| have.iter().any(|h| h.key == t.key && (t.value.is_empty() || h.value == t.value)))
}

/// The identity of a query — whose it is, its region and filters, not its paging or signature —
/// to bind tokens to it: an HMAC under the service's `key`, never shown, which tokens are sealed
/// with.
pub(crate) fn fingerprint_of(rpc: &RpcRequest, account: &str, key: &[u8]) -> String {
    let paging = ["MaxResults", "NextToken", "PageNumber", "PageSize"];
    let mut filters: Vec<(&String, &String)> = rpc
        .params
        .iter()
        .filter(|(k, _)| !paging.contains(&k.as_str()))
        .filter(|(k, _)| k.as_str() == "RegionId" || !super::params::is_common(k))
        .collect();
    filters.sort();
    hex::encode(crate::crypto::hmac_sha256(key, format!("{account}:{filters:?}").as_bytes()))
}

// ---------------------------------------------------------------------------------------------

const DESCRIBE_SNAPSHOTS: [&str; 21] = [
    "RegionId",
    "Category",
    "DiskId",
    "DryRun",
    "Encrypted",
    "InstanceId",
    "KMSKeyId",
    "MaxResults",
    "NextToken",
    "PageNumber",
    "PageSize",
    "ResourceGroupId",
    "SnapshotIds",
    "SnapshotLinkId",
    "SnapshotName",
    "SnapshotType",
    "SourceDiskType",
    "Status",
    "Usage",
    "Filter.",
    "Tag.",
];

/// DescribeSnapshots: every filter of the SDK model, and paging.
#[derive(Debug, Clone, PartialEq)]
pub struct DescribeSnapshots {
    pub region: String,
    pub snapshot_ids: Option<Vec<String>>,
    pub disk_id: Option<String>,
    pub instance_id: Option<String>,
    pub status: Option<String>,
    pub name: Option<String>,
    pub snapshot_type: Option<String>,
    pub source_disk_type: Option<String>,
    pub category: Option<String>,
    pub encrypted: Option<bool>,
    pub kms_key_id: Option<String>,
    pub resource_group_id: Option<String>,
    pub snapshot_link_id: Option<String>,
    pub usage: Option<String>,
    pub created: Created,
    pub tags: Vec<Tag>,
    pub dry_run: bool,
    pub paging: Paging,
    pub fingerprint: String,
}

/// `account` is the caller's: a token serves only the account it was issued to.
/// `seal_key`: the service's key for the paging tokens.
pub fn describe_snapshots(
    rpc: &RpcRequest,
    account: &str,
    seal_key: &[u8],
) -> DomainResult<DescribeSnapshots> {
    only(rpc, &DESCRIBE_SNAPSHOTS)?;
    let fingerprint = fingerprint_of(rpc, account, seal_key);
    Ok(DescribeSnapshots {
        region: required(rpc, "RegionId")?.to_string(),
        snapshot_ids: id_list(rpc, "SnapshotIds", true)?,
        disk_id: optional(rpc, "DiskId"),
        instance_id: optional(rpc, "InstanceId"),
        status: choice(rpc, "Status", &["progressing", "accomplished", "failed", "all"])?,
        name: optional(rpc, "SnapshotName"),
        snapshot_type: choice(rpc, "SnapshotType", &["auto", "user", "all"])?,
        source_disk_type: choice(rpc, "SourceDiskType", &["System", "Data"])?,
        category: choice(rpc, "Category", &["Standard", "Flash", "archive"])?,
        encrypted: flag(rpc, "Encrypted")?,
        kms_key_id: optional(rpc, "KMSKeyId"),
        resource_group_id: optional(rpc, "ResourceGroupId"),
        snapshot_link_id: optional(rpc, "SnapshotLinkId"),
        usage: choice(rpc, "Usage", &["image", "disk", "image_disk", "none"])?,
        created: created(rpc)?,
        tags: tags(rpc)?,
        dry_run: boolean(rpc, "DryRun")?,
        paging: paging(rpc, &fingerprint)?,
        fingerprint,
    })
}

/// The chain a disk's snapshots form (one per disk here).
pub fn snapshot_link_id(s: &Snapshot) -> String {
    format!("sl-{}", s.disk_id)
}

/// A snapshot's usage: what was made from it, images, disks or both.
pub fn snapshot_usage(s: &Snapshot) -> &'static str {
    match (s.image_ids.is_empty(), s.disk_ids.is_empty()) {
        (true, true) => "none",
        (false, true) => "image",
        (true, false) => "disk",
        (false, false) => "image_disk",
    }
}

/// An image's usage: `instance` while instances run it.
pub fn image_usage(i: &Image) -> &'static str {
    if i.instance_ids.is_empty() {
        "none"
    } else {
        "instance"
    }
}

pub fn snapshot_status(p: Progress) -> &'static str {
    match p {
        Progress::InProgress { .. } => "progressing",
        Progress::Done => "accomplished",
        Progress::Failed => "failed",
    }
}

pub fn disk_type(t: DiskType) -> &'static str {
    match t {
        DiskType::System => "system",
        DiskType::Data => "data",
    }
}

impl DescribeSnapshots {
    /// Whether a snapshot passes every filter given (they combine with AND). Nothing here is
    /// encrypted, so `Encrypted=true` and any `KMSKeyId` match nothing.
    pub fn matches(&self, s: &Snapshot, disks_of_instance: Option<&[String]>, now: DateTime<Utc>) -> bool {
        let state = snapshot_status(s.state(now));
        let category = s.category.as_deref().unwrap_or("standard");
        s.region == self.region
            && self.snapshot_ids.as_ref().is_none_or(|ids| ids.contains(&s.id))
            && self.disk_id.as_ref().is_none_or(|d| *d == s.disk_id)
            && disks_of_instance.is_none_or(|disks| disks.contains(&s.disk_id))
            && self.status.as_deref().is_none_or(|st| st == "all" || st == state)
            && self.name.as_ref().is_none_or(|n| s.name.as_ref() == Some(n))
            && self.snapshot_type.as_deref().is_none_or(|t| match t {
                "auto" => s.automatic,
                "user" => !s.automatic,
                _ => true,
            })
            && self.source_disk_type.as_deref().is_none_or(|t| t == disk_type(s.source_disk_type))
            && self.category.as_deref().is_none_or(|c| c.eq_ignore_ascii_case(category))
            && self.encrypted.is_none_or(|e| !e)
            && self.kms_key_id.is_none()
            && self.resource_group_id.as_ref().is_none_or(|g| s.resource_group_id.as_ref() == Some(g))
            && self.snapshot_link_id.as_ref().is_none_or(|l| *l == snapshot_link_id(s))
            && self.usage.as_deref().is_none_or(|u| u == snapshot_usage(s))
            && self.created.contains(s.created_at)
            && tags_match(&self.tags, &s.tags)
    }
}

// ---------------------------------------------------------------------------------------------

const DESCRIBE_IMAGES: [&str; 24] = [
    "RegionId",
    "ActionType",
    "Architecture",
    "DryRun",
    "ImageFamily",
    "ImageId",
    "ImageName",
    "ImageOwnerAlias",
    "ImageOwnerId",
    "InstanceType",
    "IsPublic",
    "IsSupportCloudinit",
    "IsSupportIoOptimized",
    "OSType",
    "PageNumber",
    "PageSize",
    "ResourceGroupId",
    "ShowExpired",
    "SnapshotId",
    "Status",
    "Usable",
    "Usage",
    "Filter.",
    "Tag.",
];

pub const IMAGE_STATUSES: [&str; 6] =
    ["Creating", "Waiting", "Available", "UnAvailable", "CreateFailed", "Deprecated"];

/// DescribeImages: every filter of the SDK model, and paging.
#[derive(Debug, Clone, PartialEq)]
pub struct DescribeImages {
    pub region: String,
    pub image_ids: Option<Vec<String>>,
    pub name: Option<String>,
    /// Statuses asked for, lower-case; the provider's default is `Available` alone.
    pub statuses: Vec<String>,
    pub owner_alias: Option<String>,
    pub owner_id: Option<u64>,
    pub image_family: Option<String>,
    pub architecture: Option<String>,
    pub os_type: Option<String>,
    pub snapshot_id: Option<String>,
    pub resource_group_id: Option<String>,
    pub is_public: Option<bool>,
    pub cloudinit: Option<bool>,
    pub io_optimized: Option<bool>,
    pub usable: Option<bool>,
    pub usage: Option<String>,
    pub created: Created,
    pub tags: Vec<Tag>,
    pub dry_run: bool,
    pub paging: Paging,
}

pub fn describe_images(rpc: &RpcRequest) -> DomainResult<DescribeImages> {
    only(rpc, &DESCRIBE_IMAGES)?;
    let statuses = image_statuses(rpc)?;
    let owner_id = match optional(rpc, "ImageOwnerId") {
        None => None,
        Some(v) => {
            Some(v.parse::<u64>().map_err(|_| DomainError::invalid("ImageOwnerId", "It must be a number."))?)
        }
    };
    // Every custom image here may be used by any instance type, to create instances or change a
    // system disk, and none has a stopped-charging or expired subscription: these narrow nothing,
    // once their values are checked.
    choice(rpc, "ActionType", &["CreateEcs", "ChangeOS"])?;
    flag(rpc, "ShowExpired")?;
    if optional(rpc, "InstanceType").is_some_and(|t| !t.starts_with("ecs.")) {
        return Err(DomainError::invalid("InstanceType", "Instance types are named ecs.<family>.<size>."));
    }
    let (number, size) = pages(rpc)?;
    Ok(DescribeImages {
        region: required(rpc, "RegionId")?.to_string(),
        image_ids: id_list(rpc, "ImageId", false)?,
        name: optional(rpc, "ImageName"),
        statuses,
        owner_alias: choice(rpc, "ImageOwnerAlias", &["system", "self", "others", "marketplace"])?,
        owner_id,
        image_family: optional(rpc, "ImageFamily"),
        architecture: choice(rpc, "Architecture", &["i386", "x86_64", "arm64"])?,
        os_type: choice(rpc, "OSType", &["linux", "windows"])?,
        snapshot_id: optional(rpc, "SnapshotId"),
        resource_group_id: optional(rpc, "ResourceGroupId"),
        is_public: flag(rpc, "IsPublic")?,
        cloudinit: flag(rpc, "IsSupportCloudinit")?,
        io_optimized: flag(rpc, "IsSupportIoOptimized")?,
        usable: flag(rpc, "Usable")?,
        usage: choice(rpc, "Usage", &["instance", "none"])?,
        created: created(rpc)?,
        tags: tags(rpc)?,
        dry_run: boolean(rpc, "DryRun")?,
        paging: Paging::Pages { number, size },
    })
}

/// `Status`: a comma-separated list of statuses, or `ALL` alone for every status. Without it,
/// `Available` alone — unless `Usable` is given, which then filters by itself (ECS API
/// reference, DescribeImages: "When Usable is used, Status is required and has no default
/// value").
fn image_statuses(rpc: &RpcRequest) -> DomainResult<Vec<String>> {
    let every = || IMAGE_STATUSES.iter().map(|s| s.to_ascii_lowercase()).collect();
    let asked = optional(rpc, "Status").unwrap_or_default();
    let asked: Vec<&str> = asked.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if asked.is_empty() {
        return Ok(if optional(rpc, "Usable").is_some() { every() } else { vec!["available".into()] });
    }
    if asked.iter().any(|s| s.eq_ignore_ascii_case("ALL")) {
        return match asked.len() {
            1 => Ok(every()),
            _ => Err(DomainError::invalid("Status", "ALL cannot be used together with other statuses.")),
        };
    }
    let known = |s: &&str| IMAGE_STATUSES.iter().find(|known| known.eq_ignore_ascii_case(s));
    asked
        .iter()
        .map(|s| {
            known(s).map(|k| k.to_ascii_lowercase()).ok_or_else(|| {
                DomainError::invalid("Status", format!("Valid values: {}, ALL.", IMAGE_STATUSES.join(", ")))
            })
        })
        .collect()
}

/// Whether an image can be used at once to create an instance: one that is available.
pub fn usable(p: Progress) -> bool {
    p == Progress::Done
}

/// An image's status at `now`: an available image its owner deprecated is `Deprecated` (still
/// usable, as ModifyImageAttribute's page says).
pub fn image_status(i: &Image, now: DateTime<Utc>) -> &'static str {
    match i.state(now) {
        Progress::InProgress { .. } => "Creating",
        Progress::Done if i.deprecated => "Deprecated",
        Progress::Done => "Available",
        Progress::Failed => "CreateFailed",
    }
}

/// An account's owner id as the API shows it: a stable number derived from the account.
pub fn owner_id(account: &str) -> u64 {
    let digest = Sha256::digest(account.as_bytes());
    u64::from_be_bytes(digest[..8].try_into().unwrap_or_default()) % 10_000_000_000_000_000
}

pub fn os_type(i: &Image) -> &'static str {
    let windows_platform = i.platform.as_deref().is_some_and(|p| p.to_ascii_lowercase().contains("windows"));
    if windows_platform || i.os == Some(Os::Windows) {
        "windows"
    } else {
        "linux"
    }
}

impl DescribeImages {
    /// Whether an image passes every filter. Every image here is the caller's own custom image:
    /// not public, cloud-init and I/O optimised, used by the instances the world says run it.
    pub fn matches(&self, i: &Image, now: DateTime<Utc>) -> bool {
        let status = image_status(i, now).to_ascii_lowercase();
        i.region == self.region
            && self.owner_alias.as_deref().is_none_or(|a| a == "self")
            && self.owner_id.is_none_or(|o| o == owner_id(&i.account))
            && self.image_ids.as_ref().is_none_or(|ids| ids.contains(&i.id))
            && self.name.as_ref().is_none_or(|n| *n == i.name)
            && self.statuses.contains(&status)
            && self.image_family.as_ref().is_none_or(|f| i.image_family.as_ref() == Some(f))
            && self.architecture.as_deref().is_none_or(|a| a == i.architecture.as_deref().unwrap_or("x86_64"))
            && self.os_type.as_deref().is_none_or(|o| o == os_type(i))
            && self
                .snapshot_id
                .as_ref()
                .is_none_or(|s| i.disks.iter().any(|d| d.snapshot_id.as_ref() == Some(s)))
            && self.resource_group_id.as_ref().is_none_or(|g| i.resource_group_id.as_ref() == Some(g))
            && self.is_public.is_none_or(|p| !p)
            && self.cloudinit.is_none_or(|c| c)
            && self.io_optimized.is_none_or(|c| c)
            && self.usable.is_none_or(|u| u == usable(i.state(now)))
            && self.usage.as_deref().is_none_or(|u| u == image_usage(i))
            && self.created.contains(i.created_at)
            && tags_match(&self.tags, &i.tags)
    }
}
