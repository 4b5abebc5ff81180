//! The snapshot actions' parameters (CBS CreateSnapshot, DescribeSnapshots, DeleteSnapshots and
//! ModifySnapshotAttribute), checked by the rules of their pages, into domain commands and
//! queries.

use super::params::{check_values, filters, id_list, ids, paging, tag_list, text_at_most, Filter};
use super::wire::TcRequest;
use crate::json_params::Params;
use chrono::{DateTime, Utc};
use domain::delete::DeleteSnapshots;
use domain::modify::{Lifetime, ModifySnapshot};
use domain::snapshot::CreateSnapshot;
use domain::text::char_len;
use domain::{DomainError, DomainResult, Field};

const CREATE_SNAPSHOT: [&str; 7] =
    ["DiskId", "SnapshotName", "Deadline", "DiskBackupId", "Tags", "LocalSnap", "DiskUsage"];

/// CBS CreateSnapshot: DiskId, SnapshotName (up to 60 characters), Deadline (a future ISO 8601
/// time: the snapshot is released then), Tags. Disk backups and local snapshots are not part of
/// this world, so `DiskBackupId` and `LocalSnap=true` are refused rather than ignored.
pub fn create_snapshot(tc: &TcRequest, region: &str, now: DateTime<Utc>) -> DomainResult<CreateSnapshot> {
    let p = Params::of(&tc.params, &CREATE_SNAPSHOT)?;
    let disk_id = p.required("DiskId")?;
    let name = match p.string("SnapshotName")? {
        Some(n) if char_len(&n) > 60 => {
            return Err(DomainError::invalid("SnapshotName", "It has at most 60 characters."))
        }
        other => other.filter(|n| !n.is_empty()),
    };
    let deadline = match p.string("Deadline")?.filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => match DateTime::parse_from_rfc3339(&d) {
            Ok(t) if t.with_timezone(&Utc) > now => Some(t.with_timezone(&Utc)),
            _ => {
                return Err(DomainError::invalid(
                    "Deadline",
                    "It must be a future time in ISO 8601, such as 2030-01-08T09:47:55+00:00.",
                ))
            }
        },
    };
    if p.has("DiskBackupId") {
        return Err(DomainError::invalid("DiskBackupId", "Snapshots from disk backups are not supported."));
    }
    if p.boolean("LocalSnap")? == Some(true) {
        return Err(DomainError::invalid("LocalSnap", "Local snapshots are not supported."));
    }
    if let Some(usage) = p.string("DiskUsage")? {
        if !["SYSTEM_DISK", "DATA_DISK"].contains(&usage.as_str()) {
            return Err(DomainError::invalid("DiskUsage", "Valid values: SYSTEM_DISK, DATA_DISK."));
        }
    }
    Ok(CreateSnapshot {
        region: Some(region.to_string()),
        name,
        deadline,
        tags: tag_list(&p.objects("Tags")?, "Tags")?,
        ..CreateSnapshot::new(disk_id)
    })
}

/// CBS DescribeSnapshots: ids or filters (not both), paging and order.
#[derive(Debug, Clone, PartialEq)]
pub struct DescribeSnapshots {
    pub snapshot_ids: Option<Vec<String>>,
    pub filters: Vec<Filter>,
    pub offset: usize,
    pub limit: usize,
    /// Oldest first (`Order=ASC`); newest first by default.
    pub ascending: bool,
    /// Order by disk size rather than creation time.
    pub by_size: bool,
}

pub const SNAPSHOT_FILTERS: [&str; 8] = [
    "snapshot-id",
    "disk-id",
    "snapshot-name",
    "snapshot-state",
    "disk-usage",
    "encrypt",
    "tag-key",
    "tag-value",
];
pub const SNAPSHOT_STATES: [&str; 3] = ["CREATING", "NORMAL", "CREATEFAILED"];

pub fn describe_snapshots(tc: &TcRequest) -> DomainResult<DescribeSnapshots> {
    let p = Params::of(&tc.params, &["SnapshotIds", "Filters", "Limit", "Offset", "OrderField", "Order"])?;
    let snapshot_ids = ids(&p, "SnapshotIds", "snap-")?;
    let filters = filters(&p, &SNAPSHOT_FILTERS)?;
    if snapshot_ids.is_some() && !filters.is_empty() {
        return Err(DomainError::ParameterConflict("SnapshotIds and Filters".into()));
    }
    check_values(&filters, "snapshot-state", &SNAPSHOT_STATES)?;
    check_values(&filters, "disk-usage", &["SYSTEM_DISK", "DATA_DISK"])?;
    check_values(&filters, "encrypt", &["TRUE", "FALSE"])?;
    let (offset, limit) = paging(&p)?;
    let ascending = match p.string("Order")?.as_deref() {
        None | Some("DESC") => false,
        Some("ASC") => true,
        Some(_) => return Err(DomainError::invalid("Order", "Valid values: ASC, DESC.")),
    };
    let by_size = match p.string("OrderField")?.as_deref() {
        None | Some("CREATE_TIME") => false,
        Some("DISK_SIZE") => true,
        Some(_) => return Err(DomainError::invalid("OrderField", "Valid values: CREATE_TIME, DISK_SIZE.")),
    };
    Ok(DescribeSnapshots { snapshot_ids, filters, offset, limit, ascending, by_size })
}

/// CBS DeleteSnapshots: `SnapshotIds`, `DeleteBindImages`. CBS has no code for a malformed
/// snapshot id: an id of another form is a snapshot that does not exist.
pub fn delete_snapshots(tc: &TcRequest, region: &str) -> DomainResult<DeleteSnapshots> {
    let p = Params::of(&tc.params, &["SnapshotIds", "DeleteBindImages"])?;
    Ok(DeleteSnapshots {
        region: region.to_string(),
        ids: id_list(&p, "SnapshotIds", None)?,
        with_images: p.boolean("DeleteBindImages")?.unwrap_or(false),
    })
}

/// CBS ModifySnapshotAttribute: `SnapshotName` (at most 60 characters), `IsPermanent`,
/// `Deadline` (ISO 8601; it makes the snapshot non-permanent, and counts only when `IsPermanent`
/// is not true). A non-permanent snapshot needs its deadline; a request must change something.
pub fn modify_snapshot(tc: &TcRequest, region: &str) -> DomainResult<ModifySnapshot> {
    let p = Params::of(&tc.params, &["SnapshotId", "SnapshotName", "IsPermanent", "Deadline"])?;
    let snapshot_id = p.required("SnapshotId")?;
    let name = text_at_most(&p, "SnapshotName", 60, Field::SnapshotName)?.filter(|n| !n.is_empty());
    let deadline = match p.string("Deadline")?.filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => Some(
            chrono::DateTime::parse_from_rfc3339(&d)
                .map_err(|_| {
                    DomainError::invalid(
                        "Deadline",
                        "It must be an ISO 8601 time, such as 2026-01-08T09:47:55+00:00.",
                    )
                })?
                .with_timezone(&chrono::Utc),
        ),
    };
    let lifetime = match (p.boolean("IsPermanent")?, deadline) {
        (Some(true), _) => Some(Lifetime::Permanent),
        (_, Some(end)) => Some(Lifetime::Until(end)),
        (Some(false), None) => return Err(DomainError::missing("Deadline")),
        (None, None) => None,
    };
    if name.is_none() && lifetime.is_none() {
        return Err(DomainError::missing("SnapshotName, IsPermanent or Deadline"));
    }
    Ok(ModifySnapshot {
        snapshot_id,
        region: Some(region.to_string()),
        name,
        lifetime,
        ..ModifySnapshot::default()
    })
}
