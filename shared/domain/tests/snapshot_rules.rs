//! CreateSnapshot's rules as the domain decides them (`snapshot::plan`), one table per family:
//! the account, the disk, the instance it is attached to, time, the quota, injected faults, and
//! which rule is judged first. The pages: ECS API reference, CreateSnapshot; CBS API,
//! CreateSnapshot; ZEC API, CreateSnapshot.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{account, check, disk, fault, instance, now, Row, ACCOUNT};
use domain::snapshot::{plan, CreateSnapshot, SnapshotContext};
use domain::{Account, Billing, Disk, DiskStatus, DiskType, DomainError as E, Instance, InstanceStatus};

struct World {
    account: Account,
    disk: Disk,
    /// The instance the store found for the disk's `instance` (`None`: released).
    instance: Option<Instance>,
    action: &'static str,
    now: DateTime<Utc>,
}

fn allowed() -> World {
    World {
        account: account(),
        disk: disk("d-1", DiskType::Data),
        instance: Some(instance()),
        action: "CreateSnapshot",
        now: now(),
    }
}

fn answer(w: &World) -> Result<(), E> {
    let ctx = SnapshotContext {
        account: &w.account,
        disk: &w.disk,
        instance: w.instance.as_ref(),
        dialect: "alibaba",
        action: w.action,
        now: w.now,
    };
    plan(&CreateSnapshot::new("d-1"), &ctx, "s-1".into()).map(|_| ())
}

/// The account: the snapshot service must be opened and the balance enough (ECS API reference,
/// CreateSnapshot: InvalidAccountStatus.SnapshotServiceUnavailable, .NotEnoughBalance).
#[test]
fn account_rules() {
    let table: &[Row<World>] = &[
        ("allowed", |_| {}, Ok(())),
        ("service not opened", |w| w.account.snapshot_service = false, Err(E::SnapshotServiceUnavailable)),
        ("balance not enough", |w| w.account.balance_ok = false, Err(E::InsufficientBalance)),
    ];
    check(table, allowed, answer);
}

/// The disk itself (ECS API reference, CreateSnapshot: IncorrectDiskStatus.*, DiskInArrears,
/// DiskCategory.OperationNotSupported, IncorrectVolumeStatus; CBS API, CreateSnapshot: a local
/// disk has no snapshots).
#[test]
fn disk_rules() {
    let table: &[Row<World>] = &[
        ("in use", |_| {}, Ok(())),
        (
            "available (detached)",
            |w| w.disk.status = DiskStatus::Available,
            Err(E::DiskStatusForbids(DiskStatus::Available)),
        ),
        (
            "creating",
            |w| w.disk.status = DiskStatus::Creating,
            Err(E::DiskStatusForbids(DiskStatus::Creating)),
        ),
        ("invalid", |w| w.disk.status = DiskStatus::Invalid, Err(E::DiskStatusForbids(DiskStatus::Invalid))),
        (
            "transferring",
            |w| w.disk.status = DiskStatus::Transferring,
            Err(E::DiskStatusForbids(DiskStatus::Transferring)),
        ),
        (
            "detaching",
            |w| w.disk.status = DiskStatus::Detaching,
            Err(E::DiskStatusForbids(DiskStatus::Detaching)),
        ),
        ("snapshots not supported", |w| w.disk.snapshot_supported = false, Err(E::DiskSnapshotUnsupported)),
        ("local disk", |w| w.disk.category = "local".into(), Err(E::DiskCategoryUnsupported)),
        ("local disk, any case", |w| w.disk.category = "Local".into(), Err(E::DiskCategoryUnsupported)),
        ("CBS local disk", |w| w.disk.category = "LOCAL_BASIC".into(), Err(E::DiskCategoryUnsupported)),
        ("CBS cloud disk", |w| w.disk.category = "CLOUD_PREMIUM".into(), Ok(())),
        ("device type not supported", |w| w.disk.device_type_supported = false, Err(E::DiskTypeUnsupported)),
        ("KMS key not authorised", |w| w.disk.kms_authorized = false, Err(E::KmsUnauthorized)),
        ("in arrears", |w| w.disk.billing = Billing::Arrears, Err(E::DiskInArrears)),
        ("expired billing is not arrears", |w| w.disk.billing = Billing::Expired, Ok(())),
        ("never attached", |w| w.disk.ever_attached = false, Err(E::DiskNeverAttached)),
        ("never used", |w| w.disk.ever_used = false, Err(E::DiskNeverUsed)),
        ("shared volume in use", |w| w.disk.shared_block = true, Ok(())),
        (
            "shared volume creating",
            |w| (w.disk.shared_block, w.disk.status) = (true, DiskStatus::Creating),
            Err(E::VolumeStatusForbids(DiskStatus::Creating)),
        ),
        (
            "shared volume detaching",
            |w| (w.disk.shared_block, w.disk.status) = (true, DiskStatus::Detaching),
            Err(E::VolumeStatusForbids(DiskStatus::Detaching)),
        ),
        (
            "shared volume available passes the volume rule, not the disk's",
            |w| (w.disk.shared_block, w.disk.status) = (true, DiskStatus::Available),
            Err(E::DiskStatusForbids(DiskStatus::Available)),
        ),
    ];
    check(table, allowed, answer);
}

/// The instance the disk is attached to (ECS API reference, CreateSnapshot:
/// InstanceLockedForSecurity, IncorrectInstanceStatus, IncorrectDiskStatus.NeverUsed).
#[test]
fn instance_rules() {
    let table: &[Row<World>] = &[
        ("running", |_| {}, Ok(())),
        ("stopped", |w| w.instance.as_mut().unwrap().status = InstanceStatus::Stopped, Ok(())),
        (
            "pending",
            |w| w.instance.as_mut().unwrap().status = InstanceStatus::Pending,
            Err(E::InstanceStatusForbids(InstanceStatus::Pending)),
        ),
        (
            "starting",
            |w| w.instance.as_mut().unwrap().status = InstanceStatus::Starting,
            Err(E::InstanceStatusForbids(InstanceStatus::Starting)),
        ),
        (
            "stopping",
            |w| w.instance.as_mut().unwrap().status = InstanceStatus::Stopping,
            Err(E::InstanceStatusForbids(InstanceStatus::Stopping)),
        ),
        (
            "rebooting",
            |w| w.instance.as_mut().unwrap().status = InstanceStatus::Rebooting,
            Err(E::InstanceStatusForbids(InstanceStatus::Rebooting)),
        ),
        (
            "terminating",
            |w| w.instance.as_mut().unwrap().status = InstanceStatus::Terminating,
            Err(E::InstanceStatusForbids(InstanceStatus::Terminating)),
        ),
        (
            "locked for security",
            |w| w.instance.as_mut().unwrap().locked_for_security = true,
            Err(E::InstanceLockedForSecurity),
        ),
        ("never started", |w| w.instance.as_mut().unwrap().ever_started = false, Err(E::DiskNeverUsed)),
        ("instance released", |w| w.instance = None, Err(E::InstanceNotFound)),
        (
            "instance of another account",
            |w| w.instance.as_mut().unwrap().account = "acct-2".into(),
            Err(E::InstanceNotFound),
        ),
        (
            "in use yet attached to nothing",
            |w| w.disk.instance = None,
            Err(E::DiskStatusForbids(DiskStatus::Available)),
        ),
    ];
    check(table, allowed, answer);
}

/// Time: a disk's data loads for an hour, and one snapshot of a disk at a time (ECS API
/// reference, CreateSnapshot: IncorrectDiskStatus, IncorrectDiskStatus.CreatingSnapshot).
#[test]
fn time_rules() {
    let table: &[Row<World>] = &[
        (
            "data loaded 59 minutes ago",
            |w| w.disk.data_loaded_at = now() - Duration::minutes(59),
            Err(E::DiskDataLoading),
        ),
        ("data loaded an hour ago", |w| w.disk.data_loaded_at = now() - Duration::hours(1), Ok(())),
        (
            "a snapshot until later",
            |w| w.disk.busy_until = Some(now() + Duration::seconds(1)),
            Err(E::DiskSnapshotInProgress),
        ),
        ("a snapshot until now", |w| w.disk.busy_until = Some(now()), Ok(())),
        ("a snapshot until before", |w| w.disk.busy_until = Some(now() - Duration::seconds(1)), Ok(())),
    ];
    check(table, allowed, answer);
}

/// The snapshot quota of a disk (ECS API reference, CreateSnapshot: QuotaExceed.Snapshot).
#[test]
fn quota_rules() {
    let table: &[Row<World>] = &[
        ("one below the quota", |w| w.disk.snapshot_count = 63, Ok(())),
        ("at the quota", |w| w.disk.snapshot_count = 64, Err(E::SnapshotQuotaReached)),
        ("quota of none", |w| w.account.quotas.snapshots_per_disk = 0, Err(E::SnapshotQuotaReached)),
    ];
    check(table, allowed, answer);
}

/// A fault the world injects on a disk answers its code for its dialect and action only.
#[test]
fn fault_rules() {
    let table: &[Row<World>] = &[
        (
            "this dialect and action",
            |w| w.disk.faults = vec![fault("alibaba", "CreateSnapshot", "InternalError")],
            Err(E::Fault("InternalError".into())),
        ),
        (
            "another dialect",
            |w| w.disk.faults = vec![fault("tencent", "CreateSnapshot", "InternalError")],
            Ok(()),
        ),
        (
            "another action",
            |w| w.disk.faults = vec![fault("alibaba", "CreateImage", "InternalError")],
            Ok(()),
        ),
        (
            "the scheduler's action",
            |w| {
                w.action = "AutoSnapshot";
                w.disk.faults = vec![fault("alibaba", "AutoSnapshot", "InternalError")];
            },
            Err(E::Fault("InternalError".into())),
        ),
    ];
    check(table, allowed, answer);
}

/// Two things wrong: the one judged first answers.
#[test]
fn precedence() {
    let table: &[Row<World>] = &[
        (
            "service before balance",
            |w| (w.account.snapshot_service, w.account.balance_ok) = (false, false),
            Err(E::SnapshotServiceUnavailable),
        ),
        (
            "balance before the disk",
            |w| (w.account.balance_ok, w.disk.status) = (false, DiskStatus::Creating),
            Err(E::InsufficientBalance),
        ),
        (
            "arrears before status",
            |w| (w.disk.billing, w.disk.status) = (Billing::Arrears, DiskStatus::Creating),
            Err(E::DiskInArrears),
        ),
        (
            "disk status before the instance",
            |w| (w.disk.status, w.instance) = (DiskStatus::Creating, None),
            Err(E::DiskStatusForbids(DiskStatus::Creating)),
        ),
        (
            "lock before status",
            |w| {
                let i = w.instance.as_mut().unwrap();
                (i.locked_for_security, i.status) = (true, InstanceStatus::Pending);
            },
            Err(E::InstanceLockedForSecurity),
        ),
        (
            "loading before in progress",
            |w| (w.disk.data_loaded_at, w.disk.busy_until) = (now(), Some(now() + Duration::hours(1))),
            Err(E::DiskDataLoading),
        ),
        (
            "in progress before the quota",
            |w| (w.disk.busy_until, w.disk.snapshot_count) = (Some(now() + Duration::hours(1)), 64),
            Err(E::DiskSnapshotInProgress),
        ),
        (
            "quota before a fault",
            |w| {
                w.disk.snapshot_count = 64;
                w.disk.faults = vec![fault("alibaba", "CreateSnapshot", "InternalError")];
            },
            Err(E::SnapshotQuotaReached),
        ),
    ];
    check(table, allowed, answer);
}

/// An allowed snapshot takes its place from the disk and its settings from the command, and is
/// complete `snapshot_seconds` after now.
#[test]
fn the_planned_snapshot() {
    let w = allowed();
    let cmd = CreateSnapshot {
        region: Some("ignored-by-the-plan".into()),
        name: Some("nightly".into()),
        retention_days: Some(7),
        instant_access: Some(3),
        automatic: true,
        ..CreateSnapshot::new("d-1")
    };
    let ctx = SnapshotContext {
        account: &w.account,
        disk: &w.disk,
        instance: w.instance.as_ref(),
        dialect: "alibaba",
        action: "CreateSnapshot",
        now: w.now,
    };
    let s = plan(&cmd, &ctx, "s-9".into()).unwrap();
    assert_eq!((s.id.as_str(), s.account.as_str(), s.region.as_str()), ("s-9", ACCOUNT, common::REGION));
    assert_eq!((s.disk_id.as_str(), s.source_disk_type, s.size_gb), ("d-1", DiskType::Data, 100));
    assert_eq!(
        (s.name.as_deref(), s.retention_days, s.instant_access, s.automatic),
        (Some("nightly"), Some(7), Some(3), true)
    );
    assert_eq!(s.ready_at, Some(now() + Duration::seconds(2)));
    assert!(s.image_allowed && !s.failed && s.image_ids.is_empty());
}
