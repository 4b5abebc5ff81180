//! Creating a snapshot of a disk: the command, and the rules that decide whether the world
//! allows it. The store enforces the two rules that concurrency could break (one snapshot in
//! progress per disk, the per-disk quota) again, atomically, when it commits.

use crate::error::{DomainError, DomainResult};
use crate::model::{Account, Billing, Disk, DiskStatus, Instance, InstanceStatus, Snapshot, Tag};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// A disk's data is still being loaded for this long after `data_loaded_at`.
pub const DATA_LOAD_WINDOW: Duration = Duration::hours(1);

/// CreateSnapshot as the dialects hand it over, already checked for format.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreateSnapshot {
    pub disk_id: String,
    /// Checked against the disk's region when given; not part of what the call means (the disk
    /// names its region, and one SDK sends it where another does not), so a client token's
    /// replay does not depend on it.
    #[serde(skip)]
    pub region: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub retention_days: Option<u32>,
    /// An explicit end of life instead of a number of days.
    pub deadline: Option<DateTime<Utc>>,
    /// Instant access for this many days (usable at once, before it completes).
    pub instant_access: Option<u32>,
    pub tags: Vec<Tag>,
    pub category: Option<String>,
    pub resource_group_id: Option<String>,
    /// Made by an automatic snapshot policy (the scheduler), not by a caller.
    pub automatic: bool,
    #[serde(skip)]
    pub client_token: Option<String>,
}

impl CreateSnapshot {
    /// A snapshot of `disk_id` and nothing else given: no region to check, name, description,
    /// retention, tags, category or group, no instant access, made by a caller, no client token.
    /// Each dialect sets what its page reads with struct update syntax.
    pub fn new(disk_id: impl Into<String>) -> Self {
        CreateSnapshot {
            disk_id: disk_id.into(),
            region: None,
            name: None,
            description: None,
            retention_days: None,
            deadline: None,
            instant_access: None,
            tags: Vec::new(),
            category: None,
            resource_group_id: None,
            automatic: false,
            client_token: None,
        }
    }
}

/// What the rules look at: the caller's account, the disk and the instance it is attached to.
pub struct SnapshotContext<'a> {
    pub account: &'a Account,
    pub disk: &'a Disk,
    /// `None` when the disk is detached or its instance no longer exists.
    pub instance: Option<&'a Instance>,
    /// The dialect and action, to find faults the world injects.
    pub dialect: &'a str,
    pub action: &'a str,
    pub now: DateTime<Utc>,
}

/// Check every rule and build the snapshot to write. `id` is the fresh id to give it.
pub fn plan(cmd: &CreateSnapshot, ctx: &SnapshotContext<'_>, id: String) -> DomainResult<Snapshot> {
    check(ctx)?;
    let disk = ctx.disk;
    let seconds = ctx.account.settings.timings.snapshot_seconds;
    Ok(Snapshot {
        name: cmd.name.clone(),
        description: cmd.description.clone(),
        category: cmd.category.clone(),
        ready_at: Some(ctx.now + Duration::seconds(seconds as i64)),
        retention_days: cmd.retention_days,
        deadline: cmd.deadline,
        instant_access: cmd.instant_access,
        tags: cmd.tags.clone(),
        resource_group_id: cmd.resource_group_id.clone(),
        automatic: cmd.automatic,
        ..Snapshot::new(id, &ctx.account.id, &disk.region, &disk.id, disk.kind, disk.size_gb, ctx.now)
    })
}

fn check(ctx: &SnapshotContext<'_>) -> DomainResult<()> {
    let (account, disk) = (ctx.account, ctx.disk);
    if !account.snapshot_service {
        return Err(DomainError::SnapshotServiceUnavailable);
    }
    if !account.balance_ok {
        return Err(DomainError::InsufficientBalance);
    }
    if disk.shared_block && !matches!(disk.status, DiskStatus::InUse | DiskStatus::Available) {
        return Err(DomainError::VolumeStatusForbids(disk.status));
    }
    if !disk.snapshot_supported {
        return Err(DomainError::DiskSnapshotUnsupported);
    }
    if disk.is_local() {
        return Err(DomainError::DiskCategoryUnsupported);
    }
    if !disk.device_type_supported {
        return Err(DomainError::DiskTypeUnsupported);
    }
    if !disk.kms_authorized {
        return Err(DomainError::KmsUnauthorized);
    }
    if disk.billing == Billing::Arrears {
        return Err(DomainError::DiskInArrears);
    }
    if !disk.ever_attached {
        return Err(DomainError::DiskNeverAttached);
    }
    if disk.status != DiskStatus::InUse {
        return Err(DomainError::DiskStatusForbids(disk.status));
    }
    let instance = match (&disk.instance, ctx.instance) {
        (Some(_), Some(instance)) if instance.account == account.id => instance,
        // Attached to an instance that was released (or is not the caller's).
        (Some(_), _) => return Err(DomainError::InstanceNotFound),
        (None, _) => return Err(DomainError::DiskStatusForbids(DiskStatus::Available)),
    };
    if instance.locked_for_security {
        return Err(DomainError::InstanceLockedForSecurity);
    }
    if !matches!(instance.status, InstanceStatus::Running | InstanceStatus::Stopped) {
        return Err(DomainError::InstanceStatusForbids(instance.status));
    }
    if !instance.ever_started || !disk.ever_used {
        return Err(DomainError::DiskNeverUsed);
    }
    if ctx.now < disk.data_loaded_at + DATA_LOAD_WINDOW {
        return Err(DomainError::DiskDataLoading);
    }
    if disk.busy_until.is_some_and(|until| until > ctx.now) {
        return Err(DomainError::DiskSnapshotInProgress);
    }
    if disk.snapshot_count >= account.quotas.snapshots_per_disk {
        return Err(DomainError::SnapshotQuotaReached);
    }
    let fault = disk.faults.iter().find(|f| f.dialect == ctx.dialect && f.action == ctx.action);
    if let Some(fault) = fault {
        return Err(DomainError::Fault(fault.code.clone()));
    }
    Ok(())
}
