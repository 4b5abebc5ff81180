//! The snapshot actions' parameters (CreateSnapshot, DescribeSnapshots, DeleteSnapshot,
//! ModifySnapshotAttribute), checked by the rules of their pages, into domain commands and
//! queries.

use super::filters::{choice, created, flag, id_list, tags_match, Created};
use super::paging::{fingerprint_of, paging, Paging};
use super::params::{boolean, client_token, description, integer, only, optional, required, tags};
use super::vocabulary::{disk_type, snapshot_link_id, snapshot_status, snapshot_usage};
use super::wire::RpcRequest;
use chrono::{DateTime, Utc};
use domain::delete::DeleteSnapshot;
use domain::modify::ModifySnapshot;
use domain::snapshot::CreateSnapshot;
use domain::text::NameRule;
use domain::{DomainError, DomainResult, Field, Snapshot, Tag};

/// SnapshotName: 2–128 characters, starting with a letter; letters, digits, `:`, `_`, `-`;
/// not `http(s)://`; not `auto…` (reserved for automatic snapshots).
pub const SNAPSHOT_NAME: NameRule = NameRule {
    min: 2,
    max: 128,
    first: char::is_alphabetic,
    rest: |c| c.is_alphanumeric() || matches!(c, ':' | '_' | '-'),
    refused_prefixes: &["auto"],
};

const CREATE_SNAPSHOT: [&str; 11] = [
    "DiskId",
    "SnapshotName",
    "Description",
    "Category",
    "RetentionDays",
    "InstantAccess",
    "InstantAccessRetentionDays",
    "ClientToken",
    "ResourceGroupId",
    "StorageLocationArn",
    "Tag.",
];

/// CreateSnapshot (the ECS CreateSnapshot API reference).
pub fn create_snapshot(rpc: &RpcRequest) -> DomainResult<CreateSnapshot> {
    only(rpc, &CREATE_SNAPSHOT)?;
    let disk_id = required(rpc, "DiskId")?.to_string();
    let name = match rpc.get("SnapshotName") {
        None => None,
        Some(n) if SNAPSHOT_NAME.accepts(n) => Some(n.to_string()),
        Some(_) => return Err(DomainError::Malformed(Field::SnapshotName)),
    };
    let description = description(rpc, 2, 256)?;
    let retention_days = integer(rpc, "RetentionDays", 1..=65_536)?.map(|d| d as u32);
    let tags = tags(rpc)?;
    let client_token = client_token(rpc)?;
    // Snapshots are standard (the default) or flash; the category is kept lower-case so that
    // `Standard` and an absent category mean the same call.
    let category = match optional(rpc, "Category") {
        None => None,
        Some(c) if c.eq_ignore_ascii_case("standard") => None,
        Some(c) if c.eq_ignore_ascii_case("flash") => Some("flash".to_string()),
        Some(_) => return Err(DomainError::invalid("Category", "Valid values: Standard, Flash.")),
    };
    let instant_access = boolean(rpc, "InstantAccess")?;
    let instant_days = integer(rpc, "InstantAccessRetentionDays", 1..=65_535)?.map(|d| d as u32);
    if instant_days.is_some() && !instant_access {
        return Err(DomainError::invalid(
            "InstantAccessRetentionDays",
            "It applies with InstantAccess=true only.",
        ));
    }
    // Local snapshots on a CloudBox are not part of this world.
    if optional(rpc, "StorageLocationArn").is_some() {
        return Err(DomainError::invalid("StorageLocationArn", "Local snapshots are not supported."));
    }
    Ok(CreateSnapshot {
        region: optional(rpc, "RegionId"),
        name,
        description,
        retention_days,
        // Instant access lasts as long as the snapshot is kept unless told otherwise (the SDK
        // model's default: the value of RetentionDays).
        instant_access: instant_access.then_some(instant_days.or(retention_days).unwrap_or(1)),
        tags,
        category,
        resource_group_id: optional(rpc, "ResourceGroupId"),
        client_token,
        ..CreateSnapshot::new(disk_id)
    })
}

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

/// DeleteSnapshot (ECS API reference, DeleteSnapshot): the snapshot, and whether to delete one
/// disks were made from.
pub fn delete_snapshot(rpc: &RpcRequest) -> DomainResult<DeleteSnapshot> {
    only(rpc, &["SnapshotId", "Force"])?;
    Ok(DeleteSnapshot {
        snapshot_id: required(rpc, "SnapshotId")?.to_string(),
        region: optional(rpc, "RegionId"),
        force: boolean(rpc, "Force")?,
    })
}

/// ModifySnapshotAttribute (ECS API reference, ModifySnapshotAttribute). `DisableInstantAccess`
/// is "no longer used": a boolean is accepted and changes nothing. A request that names nothing
/// to change is `NoAttributeToModify`.
pub fn modify_snapshot(rpc: &RpcRequest) -> DomainResult<ModifySnapshot> {
    only(rpc, &["SnapshotId", "SnapshotName", "Description", "RetentionDays", "DisableInstantAccess"])?;
    let snapshot_id = required(rpc, "SnapshotId")?.to_string();
    let name = match rpc.get("SnapshotName") {
        None => None,
        Some(n) if SNAPSHOT_NAME.accepts(n) => Some(n.to_string()),
        Some(_) => return Err(DomainError::Malformed(Field::SnapshotName)),
    };
    let description = match rpc.get("Description") {
        Some("") => Some(String::new()),
        _ => description(rpc, 0, 256)?,
    };
    let retention_days = integer(rpc, "RetentionDays", 1..=65_536)
        .map_err(|_| DomainError::Malformed(Field::RetentionDays))?
        .map(|d| d as u32);
    let instant_access = boolean(rpc, "DisableInstantAccess")
        .map_err(|_| DomainError::Malformed(Field::DisableInstantAccess))
        .map(|_| rpc.get("DisableInstantAccess").is_some_and(|v| !v.is_empty()))?;
    if name.is_none() && description.is_none() && retention_days.is_none() && !instant_access {
        return Err(DomainError::NothingToModify);
    }
    Ok(ModifySnapshot {
        snapshot_id,
        region: optional(rpc, "RegionId"),
        name,
        description,
        retention_days,
        lifetime: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alibaba::params::rpc;
    use domain::Tag;

    #[test]
    fn snapshot_names() {
        for good in ["cap-snap", "a1", "Fin:ance_J-1", "快照1"] {
            assert!(SNAPSHOT_NAME.accepts(good), "{good}");
        }
        let too_long = "a".repeat(129);
        for bad in ["auto1", "1x", "a", too_long.as_str(), "http://x", "bad name!", ""] {
            assert!(!SNAPSHOT_NAME.accepts(bad), "{bad}");
        }
    }

    #[test]
    fn create_snapshot_rules() {
        let cmd = create_snapshot(&rpc(
            "DiskId=d-1&SnapshotName=n1&RetentionDays=7&Tag.1.Key=env&Tag.1.Value=t&ClientToken=x",
        ))
        .unwrap();
        assert_eq!(cmd.retention_days, Some(7));
        assert_eq!(cmd.tags, vec![Tag { key: "env".into(), value: "t".into() }]);
        assert_eq!(create_snapshot(&rpc("SnapshotName=n1")), Err(DomainError::missing("DiskId")));
        assert_eq!(
            create_snapshot(&rpc("DiskId=d&Description=a")),
            Err(DomainError::Malformed(Field::Description))
        );
        assert!(matches!(
            create_snapshot(&rpc("DiskId=d&RetentionDays=0")),
            Err(DomainError::InvalidParameter { .. })
        ));
        assert!(matches!(
            create_snapshot(&rpc("DiskId=d&RetentionDays=65537")),
            Err(DomainError::InvalidParameter { .. })
        ));
        assert!(create_snapshot(&rpc("DiskId=d&RetentionDays=65536")).is_ok());
    }
}
