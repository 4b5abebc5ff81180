//! CreateImage of an instance as the domain decides it (`image::plan`), one table per family:
//! what is named, the account, the instance's state, the data disks chosen, name and quota, the
//! disks' own locks and quota, and what a shutdown does. The pages: ECS API reference,
//! CreateImage; CVM API, CreateImage; ZEC API, CreateImage.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{
    account, check, cvm_rules, disk, ecs_rules, fault, instance, now, zec_rules, Row, INSTANCE, REGION,
};
use domain::image::{plan, CreateImage, ImageContext, ImagePlan, Shutdown};
use domain::{
    Account, Disk, DiskType, DomainError as E, DomainResult, Instance, InstanceStatus, Os, Progress,
    StoppedMode,
};
use std::cell::Cell;

struct World {
    account: Account,
    images_in_region: u32,
    name_taken: bool,
    instance: Option<Instance>,
    disks: Vec<Disk>,
    cmd: CreateImage,
    now: DateTime<Utc>,
}

/// A running instance with a system disk `d-sys` and a data disk `d-data`, imaged by the ECS
/// page's rules: every disk, as it runs.
fn allowed() -> World {
    World {
        account: account(),
        images_in_region: 0,
        name_taken: false,
        instance: Some(instance()),
        disks: vec![disk("d-sys", DiskType::System), disk("d-data", DiskType::Data)],
        cmd: CreateImage::from_instance(REGION, INSTANCE, ecs_rules()),
        now: now(),
    }
}

fn plan_of(w: &World) -> DomainResult<ImagePlan> {
    let ctx = ImageContext {
        account: &w.account,
        images_in_region: w.images_in_region,
        name_taken: w.name_taken,
        instance: w.instance.as_ref(),
        instance_disks: &w.disks,
        snapshots: &[],
        dialect: "tencent",
        action: "CreateImage",
        now: w.now,
    };
    let n = Cell::new(0);
    let new_id = |kind: &str| {
        n.set(n.get() + 1);
        format!("{kind}-{}", n.get())
    };
    plan(&w.cmd, &ctx, &new_id)
}

fn answer(w: &World) -> Result<(), E> {
    plan_of(w).map(|_| ())
}

fn set_status(w: &mut World, status: InstanceStatus) {
    w.instance.as_mut().unwrap().status = status;
}

fn inst(w: &mut World) -> &mut Instance {
    w.instance.as_mut().unwrap()
}

/// The instance must be the caller's, and the account able to pay for snapshots (ECS API
/// reference, CreateImage: InvalidInstanceId.NotFound, InvalidAccountStatus.*).
#[test]
fn named_and_account_rules() {
    let table: &[Row<World>] = &[
        ("allowed", |_| {}, Ok(())),
        ("no such instance", |w| w.instance = None, Err(E::InstanceNotFound)),
        ("another account's instance", |w| inst(w).account = "acct-2".into(), Err(E::InstanceNotFound)),
        ("service not opened", |w| w.account.snapshot_service = false, Err(E::SnapshotServiceUnavailable)),
        ("balance not enough", |w| w.account.balance_ok = false, Err(E::InsufficientBalance)),
        (
            "what is named before the account",
            |w| (w.instance, w.account.snapshot_service) = (None, false),
            Err(E::InstanceNotFound),
        ),
    ];
    check(table, allowed, answer);
}

/// The instance's state (ECS API reference, CreateImage: IncorrectInstanceStatus,
/// InstanceLockedForSecurity; CVM API, CreateImage: a GPU instance, Sysprep for Windows; ZEC API,
/// CreateImage: a stopped instance, never a GPU one).
#[test]
fn instance_state_rules() {
    let table: &[Row<World>] = &[
        ("stopped", |w| set_status(w, InstanceStatus::Stopped), Ok(())),
        (
            "pending",
            |w| set_status(w, InstanceStatus::Pending),
            Err(E::InstanceStatusForbids(InstanceStatus::Pending)),
        ),
        (
            "starting",
            |w| set_status(w, InstanceStatus::Starting),
            Err(E::InstanceStatusForbids(InstanceStatus::Starting)),
        ),
        (
            "stopping",
            |w| set_status(w, InstanceStatus::Stopping),
            Err(E::InstanceStatusForbids(InstanceStatus::Stopping)),
        ),
        (
            "rebooting",
            |w| set_status(w, InstanceStatus::Rebooting),
            Err(E::InstanceStatusForbids(InstanceStatus::Rebooting)),
        ),
        (
            "terminating",
            |w| set_status(w, InstanceStatus::Terminating),
            Err(E::InstanceStatusForbids(InstanceStatus::Terminating)),
        ),
        (
            "running, where only a stopped one may be imaged",
            |w| w.cmd.rules = zec_rules(),
            Err(E::InstanceStatusForbids(InstanceStatus::Running)),
        ),
        (
            "stopped, where only a stopped one may be imaged",
            |w| (w.cmd.rules, inst(w).status) = (zec_rules(), InstanceStatus::Stopped),
            Ok(()),
        ),
        ("locked for security", |w| inst(w).locked_for_security = true, Err(E::InstanceLockedForSecurity)),
        (
            "imaged until later",
            |w| inst(w).imaging_until = Some(now() + Duration::seconds(1)),
            Err(E::InstanceImageInProgress),
        ),
        ("imaged until now", |w| inst(w).imaging_until = Some(now()), Ok(())),
        ("another operation in progress", |w| inst(w).operation_in_progress = true, Err(E::InstanceBusy)),
        ("GPU, where allowed", |w| inst(w).gpu = true, Ok(())),
        (
            "GPU, where refused",
            |w| (w.cmd.rules, inst(w).status, inst(w).gpu) = (zec_rules(), InstanceStatus::Stopped, true),
            Err(E::GpuInstanceUnsupported),
        ),
        (
            "stopped without charges",
            |w| (inst(w).status, inst(w).stopped_mode) = (InstanceStatus::Stopped, StoppedMode::StopCharging),
            Err(E::StoppedWithoutCharging),
        ),
        ("running, charges stop when it stops", |w| inst(w).stopped_mode = StoppedMode::StopCharging, Ok(())),
        ("cannot be imaged", |w| inst(w).image_supported = false, Err(E::InstanceImageUnsupported)),
        (
            "no instance images",
            |w| inst(w).instance_image_supported = false,
            Err(E::InstanceImageOperationUnsupported),
        ),
        (
            "Sysprep of Linux",
            |w| w.cmd.sysprep = true,
            Err(E::invalid("Sysprep", "Sysprep applies to Windows instances only.")),
        ),
        ("Sysprep of Windows", |w| (w.cmd.sysprep, inst(w).os) = (true, Os::Windows), Ok(())),
        (
            "lock before imaging",
            |w| {
                (inst(w).locked_for_security, inst(w).imaging_until) =
                    (true, Some(now() + Duration::hours(1)))
            },
            Err(E::InstanceLockedForSecurity),
        ),
        (
            "status before GPU",
            |w| (w.cmd.rules, inst(w).gpu) = (zec_rules(), true),
            Err(E::InstanceStatusForbids(InstanceStatus::Running)),
        ),
    ];
    check(table, allowed, answer);
}

/// `DataDiskIds` (CVM API, CreateImage: InvalidParameterValue.*, UnsupportedOperation.*): the
/// system disk always, and the data disks named, each of them the instance's, a cloud disk.
#[test]
fn data_disk_rules() {
    fn named(w: &mut World, ids: &[&str]) {
        w.cmd.rules = cvm_rules();
        w.cmd.data_disks = Some(ids.iter().map(|s| s.to_string()).collect());
        let mut local = disk("d-local", DiskType::Data);
        local.category = "LOCAL_BASIC".into();
        let mut swap = disk("d-swap", DiskType::Data);
        swap.category = "swap".into();
        w.disks.extend([local, swap]);
    }
    let table: &[Row<World>] = &[
        ("none named", |w| named(w, &[]), Ok(())),
        ("a data disk", |w| named(w, &["d-data"]), Ok(())),
        ("the system disk", |w| named(w, &["d-sys"]), Err(E::DataDiskIsSystemDisk)),
        ("not the instance's", |w| named(w, &["d-other"]), Err(E::DataDiskNotOfInstance)),
        ("a local disk", |w| named(w, &["d-local"]), Err(E::DataDiskLocal)),
        ("a swap disk", |w| named(w, &["d-swap"]), Err(E::DataDiskSwap)),
        ("the first wrong one answers", |w| named(w, &["d-data", "d-swap", "d-other"]), Err(E::DataDiskSwap)),
        (
            "data disks where only the system disk can be imaged",
            |w| {
                named(w, &["d-data"]);
                inst(w).full_image_supported = false;
            },
            Err(E::FullImageUnsupported),
        ),
        (
            "no data disk where only the system disk can be imaged",
            |w| {
                named(w, &[]);
                inst(w).full_image_supported = false;
            },
            Ok(()),
        ),
        ("every disk (none chosen) is not judged by that", |w| inst(w).full_image_supported = false, Ok(())),
    ];
    check(table, allowed, answer);
}

/// Name and quota come after the instance's state; the disks' locks, quota and faults after them
/// (ECS API reference, CreateImage: InvalidImageName.Duplicated, QuotaExceed.Image).
#[test]
fn name_quota_and_disk_rules() {
    let table: &[Row<World>] = &[
        ("name taken", |w| w.name_taken = true, Err(E::ImageNameTaken)),
        ("one image below the quota", |w| w.images_in_region = 9, Ok(())),
        ("image quota reached", |w| w.images_in_region = 10, Err(E::ImageQuotaReached)),
        ("name before quota", |w| (w.name_taken, w.images_in_region) = (true, 10), Err(E::ImageNameTaken)),
        (
            "instance state before name",
            |w| (w.name_taken, inst(w).locked_for_security) = (true, true),
            Err(E::InstanceLockedForSecurity),
        ),
        (
            "system disk snapshotted",
            |w| w.disks[0].busy_until = Some(now() + Duration::minutes(1)),
            Err(E::DiskSnapshotInProgress),
        ),
        (
            "a disk not chosen may be snapshotted",
            |w| {
                (w.cmd.data_disks, w.disks[1].busy_until) = (Some(vec![]), Some(now() + Duration::minutes(1)))
            },
            Ok(()),
        ),
        ("a disk at its snapshot quota", |w| w.disks[1].snapshot_count = 64, Err(E::SnapshotQuotaReached)),
        (
            "name before the disks",
            |w| (w.name_taken, w.disks[0].busy_until) = (true, Some(now() + Duration::minutes(1))),
            Err(E::ImageNameTaken),
        ),
        (
            "a fault on the instance",
            |w| {
                inst(w).faults =
                    vec![fault("tencent", "CreateImage", "ResourceInsufficient.CloudDiskUnavailable")]
            },
            Err(E::Fault("ResourceInsufficient.CloudDiskUnavailable".into())),
        ),
        (
            "a fault of another action",
            |w| inst(w).faults = vec![fault("tencent", "CreateSnapshot", "InternalError")],
            Ok(()),
        ),
        (
            "the disks before a fault",
            |w| {
                w.disks[1].snapshot_count = 64;
                inst(w).faults = vec![fault("tencent", "CreateImage", "InternalError")];
            },
            Err(E::SnapshotQuotaReached),
        ),
    ];
    check(table, allowed, answer);
}

/// What imaging does to the instance (CVM API, CreateImage: ForcePoweroff; a soft shutdown that
/// fails fails the image): per row the state, the shutdown asked for and whether a soft one
/// fails, then whether the image fails, how many snapshots are made and whether the instance
/// ends up stopped (`None`: it is left as it was, unlocked).
#[test]
fn shutdown_outcomes() {
    use InstanceStatus::{Running, Stopped};
    use Shutdown::{Forced, Never, Soft};
    let table = [
        (Running, Never, false, false, 2, Some(false)),
        (Running, Soft, false, false, 2, Some(true)),
        (Running, Forced, false, false, 2, Some(true)),
        (Running, Soft, true, true, 0, None),
        (Running, Forced, true, false, 2, Some(true)),
        (Stopped, Soft, true, false, 2, Some(false)),
        (Stopped, Forced, false, false, 2, Some(false)),
    ];
    for (status, shutdown, soft_fails, failed, snapshots, stopped) in table {
        let mut w = allowed();
        (inst(&mut w).status, inst(&mut w).soft_shutdown_fails, w.cmd.shutdown) =
            (status, soft_fails, shutdown);
        let p = plan_of(&w).unwrap();
        let row = format!("{status:?} {shutdown:?} soft fails {soft_fails}");
        assert_eq!(p.image.failed, failed, "{row}");
        assert_eq!(p.new_snapshots.len(), snapshots, "{row}");
        assert_eq!(p.instance.as_ref().map(|c| c.stopped), stopped, "{row}");
        // Snapshots take 2 s and the image 3 s more; a failing image snapshots nothing, and
        // stays creating for the image's 3 s (the shutdown's attempt), then reads failed.
        let ready = if failed { now() + Duration::seconds(3) } else { now() + Duration::seconds(5) };
        assert_eq!(p.image.ready_at, Some(ready), "{row}");
        let seen = |at| p.image.state(at);
        assert_eq!(seen(now()), Progress::InProgress { percent: 0 }, "{row}");
        let after = if failed { Progress::Failed } else { Progress::Done };
        assert_eq!(seen(ready), after, "{row}");
        assert!(p.instance.iter().all(|c| c.imaging_until == ready && c.id == INSTANCE), "{row}");
    }
}

/// Which disks an instance image is made of, on which devices, each from a new snapshot of it.
#[test]
fn chosen_disks() {
    let table = [
        (None, vec![("/dev/xvda", "d-sys"), ("/dev/xvdb", "d-data")]),
        (Some(vec![]), vec![("/dev/xvda", "d-sys")]),
        (Some(vec!["d-data".to_string()]), vec![("/dev/xvda", "d-sys"), ("/dev/xvdb", "d-data")]),
    ];
    for (data_disks, expected) in table {
        let mut w = allowed();
        // Listed data disk first: the plan still puts the system disk on /dev/xvda.
        w.disks.reverse();
        w.cmd.data_disks = data_disks.clone();
        let p = plan_of(&w).unwrap();
        let got: Vec<(String, String)> = p
            .image
            .disks
            .iter()
            .map(|d| {
                let s = p.new_snapshots.iter().find(|s| Some(&s.id) == d.snapshot_id.as_ref()).unwrap();
                assert_eq!(s.image_ids, vec![p.image.id.clone()]);
                (d.device.clone(), s.disk_id.clone())
            })
            .collect();
        let expected: Vec<(String, String)> =
            expected.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        assert_eq!(got, expected, "{data_disks:?}");
    }
}
