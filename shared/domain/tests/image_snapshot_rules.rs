//! CreateImage from snapshots as the domain decides it (`image::plan`): one system-disk snapshot
//! (ECS API reference, CreateImage: SnapshotId), or snapshots mapped to devices (ECS API
//! reference, CreateImage: DiskDeviceMapping.N; CVM API, CreateImage: SnapshotIds). One table
//! per family: which snapshots may make images, the disks' sizes, the system disk, the devices.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{account, check, cvm_rules, ecs_rules, now, snapshot, Row, REGION};
use domain::image::{plan, CreateImage, ImageContext, ImagePlan, ImageSource, MappingSpec};
use domain::{Account, DiskType, DomainError as E, DomainResult, Snapshot};

struct World {
    account: Account,
    name_taken: bool,
    /// The snapshot named, as the store found it, for each source entry.
    snapshots: Vec<Option<Snapshot>>,
    cmd: CreateImage,
    now: DateTime<Utc>,
}

/// An image from `s-sys`, a complete 40 GB system-disk snapshot, by the ECS page's rules.
fn allowed() -> World {
    World {
        account: account(),
        name_taken: false,
        snapshots: vec![Some(snapshot("s-sys", DiskType::System, 40))],
        cmd: CreateImage::new(REGION, ImageSource::Snapshot("s-sys".into()), ecs_rules()),
        now: now(),
    }
}

fn plan_of(w: &World) -> DomainResult<ImagePlan> {
    let ctx = ImageContext {
        account: &w.account,
        images_in_region: 0,
        name_taken: w.name_taken,
        instance: None,
        instance_disks: &[],
        snapshots: &w.snapshots,
        dialect: "alibaba",
        action: "CreateImage",
        now: w.now,
    };
    plan(&w.cmd, &ctx, &|kind: &str| format!("{kind}-new"))
}

fn answer(w: &World) -> Result<(), E> {
    plan_of(w).map(|_| ())
}

fn first(w: &mut World) -> &mut Snapshot {
    w.snapshots[0].as_mut().unwrap()
}

/// One `DiskDeviceMapping.N` of snapshot `id` (`""`: an empty disk), nothing else given.
fn map(id: &str) -> MappingSpec {
    let snapshot_id = Some(id.to_string()).filter(|id| !id.is_empty());
    MappingSpec { snapshot_id, size_gb: None, device: None, disk_type: None }
}

/// What else a mapping may give: a size, a device, a disk type.
trait Given {
    fn size(self, gb: u32) -> Self;
    fn on(self, device: &str) -> Self;
    fn of(self, kind: DiskType) -> Self;
}

impl Given for MappingSpec {
    fn size(self, gb: u32) -> Self {
        MappingSpec { size_gb: Some(gb), ..self }
    }
    fn on(self, device: &str) -> Self {
        MappingSpec { device: Some(device.into()), ..self }
    }
    fn of(self, kind: DiskType) -> Self {
        MappingSpec { disk_type: Some(kind), ..self }
    }
}

/// Map `specs`, finding `s-sys` (40 GB, system), `s-sys2` (system) and `s-data` (100 GB, data).
fn mapped(w: &mut World, specs: Vec<MappingSpec>) {
    w.snapshots = specs
        .iter()
        .map(|m| match m.snapshot_id.as_deref() {
            Some(id @ ("s-sys" | "s-sys2")) => Some(snapshot(id, DiskType::System, 40)),
            Some(id @ "s-data") => Some(snapshot(id, DiskType::Data, 100)),
            _ => None,
        })
        .collect();
    w.cmd.source = ImageSource::Mappings(specs);
}

/// `s-sys` and `n` empty data disks.
fn with_empty_disks(n: usize) -> Vec<MappingSpec> {
    [vec![map("s-sys")], vec![map(""); n]].concat()
}

/// Which snapshots may make images (ECS API reference, CreateImage: InvalidSnapshotId.NotFound,
/// InvalidSnapshot.TooOld, InvalidSnapshotId.NotReady, OperationDenied).
#[test]
fn snapshot_rules() {
    let table: &[Row<World>] = &[
        ("a complete system-disk snapshot", |_| {}, Ok(())),
        ("not found", |w| w.snapshots = vec![None], Err(E::SnapshotNotFound)),
        ("of a data disk", |w| first(w).source_disk_type = DiskType::Data, Err(E::SnapshotNotFromSystemDisk)),
        (
            "taken before 2013-07-15",
            |w| first(w).created_at = Utc.with_ymd_and_hms(2013, 7, 14, 23, 59, 59).unwrap(),
            Err(E::SnapshotTooOld),
        ),
        (
            "taken on 2013-07-15",
            |w| first(w).created_at = Utc.with_ymd_and_hms(2013, 7, 15, 0, 0, 0).unwrap(),
            Ok(()),
        ),
        (
            "old, where no snapshot is too old",
            |w| {
                (first(w).created_at, w.cmd.rules) =
                    (Utc.with_ymd_and_hms(2012, 1, 1, 0, 0, 0).unwrap(), cvm_rules())
            },
            Ok(()),
        ),
        ("in progress", |w| first(w).ready_at = Some(now() + Duration::seconds(1)), Err(E::SnapshotNotReady)),
        (
            "stuck in progress",
            |w| (first(w).ready_at, first(w).stuck_at) = (None, Some(40)),
            Err(E::SnapshotNotReady),
        ),
        ("failed", |w| first(w).failed = true, Err(E::SnapshotNotReady)),
        ("not allowed to make images", |w| first(w).image_allowed = false, Err(E::SnapshotImageNotAllowed)),
        ("retention passed", |w| first(w).retention_days = Some(1), Err(E::SnapshotNotFound)),
        ("retention not passed", |w| first(w).retention_days = Some(2), Ok(())),
        (
            "retention passed, kept for its image",
            |w| (first(w).retention_days, first(w).image_ids) = (Some(1), vec!["m-1".into()]),
            Ok(()),
        ),
        ("deadline now", |w| first(w).deadline = Some(now()), Err(E::SnapshotNotFound)),
        ("deadline later", |w| first(w).deadline = Some(now() + Duration::seconds(1)), Ok(())),
        (
            "what is named before the account",
            |w| (w.snapshots, w.account.balance_ok) = (vec![None], false),
            Err(E::SnapshotNotFound),
        ),
        (
            "the account before the snapshot's state",
            |w| (first(w).failed, w.account.balance_ok) = (true, false),
            Err(E::InsufficientBalance),
        ),
        (
            "age before progress",
            |w| {
                (first(w).created_at, first(w).failed) =
                    (Utc.with_ymd_and_hms(2013, 1, 1, 0, 0, 0).unwrap(), true)
            },
            Err(E::SnapshotTooOld),
        ),
        (
            "the snapshot before the name",
            |w| (first(w).failed, w.name_taken) = (true, true),
            Err(E::SnapshotNotReady),
        ),
        ("name taken", |w| w.name_taken = true, Err(E::ImageNameTaken)),
    ];
    check(table, allowed, answer);
}

/// The disks' sizes (ECS API reference, CreateImage: InvalidSize.ValueNotSupported; CVM API,
/// CreateImage): within the page's range, never below the snapshot; an empty disk is 5 GB unless
/// told otherwise.
#[test]
fn size_rules() {
    let table: &[Row<World>] = &[
        ("snapshots' own sizes", |w| mapped(w, vec![map("s-sys"), map("s-data")]), Ok(())),
        ("the page's largest", |w| mapped(w, vec![map("s-sys").size(2000)]), Ok(())),
        ("above the page's range", |w| mapped(w, vec![map("s-sys").size(2001)]), Err(E::DiskSizeUnsupported)),
        ("below the snapshot", |w| mapped(w, vec![map("s-sys").size(39)]), Err(E::DiskSizeUnsupported)),
        (
            "a snapshot under 5 GB makes a disk of 5",
            |w| {
                mapped(w, vec![map("s-sys")]);
                first(w).size_gb = 1;
            },
            Ok(()),
        ),
        ("an empty disk of 5 GB", |w| mapped(w, with_empty_disks(1)), Ok(())),
        (
            "an empty disk of 4 GB",
            |w| mapped(w, vec![map("s-sys"), map("").size(4)]),
            Err(E::DiskSizeUnsupported),
        ),
        (
            "an empty disk of 5 GB where disks start at 10",
            |w| {
                mapped(w, with_empty_disks(1));
                w.cmd.rules = cvm_rules();
            },
            Err(E::DiskSizeUnsupported),
        ),
    ];
    check(table, allowed, answer);
}

/// Exactly one system disk, the mappings' snapshots usable (ECS API reference, CreateImage:
/// OperationDenied for none or several system-disk snapshots).
#[test]
fn system_disk_rules() {
    let table: &[Row<World>] = &[
        ("a data-disk snapshot alone", |w| mapped(w, vec![map("s-data")]), Err(E::NoSystemDiskSnapshot)),
        (
            "two system-disk snapshots",
            |w| mapped(w, vec![map("s-sys"), map("s-sys2")]),
            Err(E::SeveralSystemDiskSnapshots),
        ),
        (
            "an empty system disk",
            |w| mapped(w, vec![map("").of(DiskType::System).size(40), map("s-data")]),
            Ok(()),
        ),
        (
            "the snapshot's type over the one given",
            |w| mapped(w, vec![map("s-data").of(DiskType::System)]),
            Err(E::NoSystemDiskSnapshot),
        ),
        (
            "a snapshot named and not found",
            |w| mapped(w, vec![map("s-sys"), map("s-gone")]),
            Err(E::SnapshotNotFound),
        ),
        (
            "a mapped snapshot in progress",
            |w| {
                mapped(w, vec![map("s-sys"), map("s-data")]);
                w.snapshots[1].as_mut().unwrap().ready_at = None;
            },
            Err(E::SnapshotNotReady),
        ),
    ];
    check(table, allowed, answer);
}

/// Devices: the system disk on `/dev/xvda`, data disks on `/dev/xvdb` … `/dev/xvdz`, never twice.
#[test]
fn device_rules() {
    let bad = |device: &str| -> Result<(), E> {
        Err(E::invalid("DiskDeviceMapping.N.Device", format!("The device {device} cannot be used here.")))
    };
    let table: Vec<Row<World>> = vec![
        ("the system disk on /dev/xvda", |w| mapped(w, vec![map("s-sys").on("/dev/xvda")]), Ok(())),
        ("the system disk on /dev/xvdb", |w| mapped(w, vec![map("s-sys").on("/dev/xvdb")]), bad("/dev/xvdb")),
        (
            "a data disk on /dev/xvdz",
            |w| mapped(w, vec![map("s-sys"), map("s-data").on("/dev/xvdz")]),
            Ok(()),
        ),
        (
            "a data disk on /dev/xvda",
            |w| mapped(w, vec![map("s-sys"), map("s-data").on("/dev/xvda")]),
            bad("/dev/xvda"),
        ),
        (
            "a data disk on /dev/sdb",
            |w| mapped(w, vec![map("s-sys"), map("s-data").on("/dev/sdb")]),
            bad("/dev/sdb"),
        ),
        (
            "a data disk on /dev/xvdB",
            |w| mapped(w, vec![map("s-sys"), map("s-data").on("/dev/xvdB")]),
            bad("/dev/xvdB"),
        ),
        (
            "two data disks on /dev/xvdc",
            |w| mapped(w, vec![map("s-sys"), map("").on("/dev/xvdc"), map("").on("/dev/xvdc")]),
            bad("/dev/xvdc"),
        ),
        (
            "an unnamed data disk takes a device named later",
            |w| mapped(w, vec![map("s-sys"), map(""), map("").on("/dev/xvdb")]),
            bad("/dev/xvdb"),
        ),
        ("25 data disks", |w| mapped(w, with_empty_disks(25)), Ok(())),
        (
            "26 data disks",
            |w| mapped(w, with_empty_disks(26)),
            Err(E::invalid("DiskDeviceMapping", "At most 25 data disks.")),
        ),
    ];
    check(&table, allowed, answer);
}

/// A mapped image: the system disk first on /dev/xvda, data disks in order, the snapshots used
/// recorded, nothing snapshotted anew, ready `image_seconds` after now.
#[test]
fn the_planned_mapped_image() {
    let mut w = allowed();
    mapped(&mut w, vec![map("").size(20), map("s-data").on("/dev/xvdd"), map("s-sys").size(50)]);
    let p = plan_of(&w).unwrap();
    let disks: Vec<(&str, Option<&str>, u32)> =
        p.image.disks.iter().map(|d| (d.device.as_str(), d.snapshot_id.as_deref(), d.size_gb)).collect();
    assert_eq!(
        disks,
        [("/dev/xvda", Some("s-sys"), 50), ("/dev/xvdb", None, 20), ("/dev/xvdd", Some("s-data"), 100)]
    );
    assert_eq!(p.used_snapshots, ["s-sys", "s-data"]);
    assert!(p.new_snapshots.is_empty() && p.instance.is_none());
    assert_eq!((p.image.ready_at, p.image.size_gb()), (Some(now() + Duration::seconds(3)), 50));
}
