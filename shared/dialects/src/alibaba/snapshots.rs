//! The snapshot actions' parameters (CreateSnapshot, DeleteSnapshot, ModifySnapshotAttribute),
//! checked by the rules of their pages, into domain commands.

use super::params::{boolean, client_token, description, integer, only, optional, required, tags};
use super::wire::RpcRequest;
use domain::delete::DeleteSnapshot;
use domain::modify::ModifySnapshot;
use domain::snapshot::CreateSnapshot;
use domain::text::NameRule;
use domain::{DomainError, DomainResult, Field};

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
