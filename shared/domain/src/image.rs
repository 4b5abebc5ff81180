//! Creating a custom image: from an instance (a new snapshot of each of its disks), from a set of
//! disk snapshots mapped to devices, or from one system-disk snapshot. The rules that
//! concurrency could break (unique names, the image quota, the disks' in-progress locks) are
//! enforced again by the store's transaction.

use crate::error::{DomainError, DomainResult};
use crate::model::{
    Account, Disk, DiskType, Image, ImageDisk, Instance, InstanceStatus, Progress, Snapshot, Tag,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::Serialize;

/// Snapshots taken before this day cannot make images.
pub fn oldest_usable_snapshot() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2013, 7, 15, 0, 0, 0).single().unwrap_or_default()
}

/// Disk sizes an image's disks may have, in GB.
pub const DISK_SIZES: std::ops::RangeInclusive<u32> = 5..=2000;
/// The size of an empty disk when none is given.
pub const EMPTY_DISK_GB: u32 = 5;

/// One `DiskDeviceMapping.N` as the caller gave it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappingSpec {
    pub snapshot_id: Option<String>,
    pub size_gb: Option<u32>,
    pub device: Option<String>,
    pub disk_type: Option<DiskType>,
}

/// Where the image comes from, after the provider's priority has picked one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ImageSource {
    Instance(String),
    Mappings(Vec<MappingSpec>),
    Snapshot(String),
}

/// CreateImage as the dialects hand it over, already checked for format.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreateImage {
    pub region: String,
    pub source: ImageSource,
    pub name: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<Tag>,
    pub platform: Option<String>,
    pub architecture: Option<String>,
    pub image_family: Option<String>,
    pub boot_mode: Option<String>,
    pub resource_group_id: Option<String>,
    #[serde(skip)]
    pub client_token: Option<String>,
}

/// What the rules look at, read from the store.
pub struct ImageContext<'a> {
    pub account: &'a Account,
    /// Images the account already has in the region (for the quota).
    pub images_in_region: u32,
    /// Whether the name is taken in the region.
    pub name_taken: bool,
    /// For [`ImageSource::Instance`]: the instance (if it is the caller's) and its disks.
    pub instance: Option<&'a Instance>,
    pub instance_disks: &'a [Disk],
    /// For the snapshot sources: every snapshot named, found or not (`None`).
    pub snapshots: &'a [Option<Snapshot>],
    pub now: DateTime<Utc>,
}

/// The image to write, and for an instance image the new snapshot of each disk.
#[derive(Debug, Clone, PartialEq)]
pub struct ImagePlan {
    pub image: Image,
    pub new_snapshots: Vec<Snapshot>,
    /// Existing snapshots the image is made from (their usage changes).
    pub used_snapshots: Vec<String>,
}

/// Check every rule and build the image (and snapshots) to write. `new_id` names new resources:
/// it is called with `"image"` or `"snapshot"`.
pub fn plan(
    cmd: &CreateImage,
    ctx: &ImageContext<'_>,
    new_id: &dyn Fn(&str) -> String,
) -> DomainResult<ImagePlan> {
    let account = ctx.account;
    if !account.snapshot_service {
        return Err(DomainError::SnapshotServiceUnavailable);
    }
    if !account.balance_ok {
        return Err(DomainError::InsufficientBalance);
    }
    if ctx.name_taken {
        return Err(DomainError::ImageNameTaken);
    }
    if ctx.images_in_region >= account.quotas.images_per_region {
        return Err(DomainError::ImageQuotaReached);
    }
    let image_id = new_id("image");
    let timings = &account.settings.timings;
    let (disks, new_snapshots, used, snapshots_ready) = match &cmd.source {
        ImageSource::Instance(_) => from_instance(ctx, &image_id, new_id)?,
        ImageSource::Snapshot(_) => {
            let snapshot = usable(ctx.snapshots.first().and_then(Option::as_ref), ctx.now)?;
            if snapshot.source_disk_type != DiskType::System {
                return Err(DomainError::SnapshotNotFromSystemDisk);
            }
            let disk = ImageDisk {
                device: "/dev/xvda".into(),
                snapshot_id: Some(snapshot.id.clone()),
                size_gb: snapshot.size_gb,
                kind: DiskType::System,
            };
            (vec![disk], Vec::new(), vec![snapshot.id.clone()], ctx.now)
        }
        ImageSource::Mappings(specs) => from_mappings(specs, ctx)?,
    };
    let image = Image {
        id: image_id,
        account: account.id.clone(),
        region: cmd.region.clone(),
        name: cmd.name.clone().unwrap_or_default(),
        created_at: ctx.now,
        ready_at: Some(snapshots_ready + Duration::seconds(timings.image_seconds as i64)),
        failed: false,
        source_instance: match &cmd.source {
            ImageSource::Instance(id) => Some(id.clone()),
            _ => None,
        },
        version: cmd.version.clone(),
        description: cmd.description.clone(),
        disks,
        tags: cmd.tags.clone(),
        platform: cmd.platform.clone(),
        architecture: cmd.architecture.clone(),
        image_family: cmd.image_family.clone(),
        boot_mode: cmd.boot_mode.clone(),
        resource_group_id: cmd.resource_group_id.clone(),
    };
    Ok(ImagePlan { image, new_snapshots, used_snapshots: used })
}

type Parts = (Vec<ImageDisk>, Vec<Snapshot>, Vec<String>, DateTime<Utc>);

fn from_instance(
    ctx: &ImageContext<'_>,
    image_id: &str,
    new_id: &dyn Fn(&str) -> String,
) -> DomainResult<Parts> {
    let instance =
        ctx.instance.filter(|i| i.account == ctx.account.id).ok_or(DomainError::InstanceNotFound)?;
    if instance.locked_for_security {
        return Err(DomainError::InstanceLockedForSecurity);
    }
    if !matches!(instance.status, InstanceStatus::Running | InstanceStatus::Stopped) {
        return Err(DomainError::InstanceStatusForbids(instance.status));
    }
    if !instance.image_supported {
        return Err(DomainError::InstanceImageUnsupported);
    }
    // Each disk gets a new snapshot, so a disk already being snapshotted stops the image.
    if ctx.instance_disks.iter().any(|d| d.busy_until.is_some_and(|u| u > ctx.now)) {
        return Err(DomainError::DiskSnapshotInProgress);
    }
    if ctx.instance_disks.iter().any(|d| d.snapshot_count >= ctx.account.quotas.snapshots_per_disk) {
        return Err(DomainError::SnapshotQuotaReached);
    }
    let ready = ctx.now + Duration::seconds(ctx.account.settings.timings.snapshot_seconds as i64);
    let mut disks: Vec<&Disk> = ctx.instance_disks.iter().collect();
    // The system disk first, then data disks in a stable order.
    disks.sort_by_key(|d| (d.kind != DiskType::System, d.id.clone()));
    let mut image_disks = Vec::new();
    let mut snapshots = Vec::new();
    let mut data_devices = data_devices();
    for disk in disks {
        let snapshot = Snapshot {
            id: new_id("snapshot"),
            account: ctx.account.id.clone(),
            region: disk.region.clone(),
            disk_id: disk.id.clone(),
            source_disk_type: disk.kind,
            size_gb: disk.size_gb,
            name: None,
            description: Some(format!("Created for image {image_id}")),
            category: None,
            created_at: ctx.now,
            ready_at: Some(ready),
            failed: false,
            retention_days: None,
            image_allowed: true,
            tags: Vec::new(),
            resource_group_id: None,
            image_ids: vec![image_id.to_string()],
            automatic: false,
        };
        let device = match disk.kind {
            DiskType::System => "/dev/xvda".to_string(),
            DiskType::Data => data_devices.next().unwrap_or_default(),
        };
        image_disks.push(ImageDisk {
            device,
            snapshot_id: Some(snapshot.id.clone()),
            size_gb: disk.size_gb,
            kind: disk.kind,
        });
        snapshots.push(snapshot);
    }
    Ok((image_disks, snapshots, Vec::new(), ready))
}

fn from_mappings(specs: &[MappingSpec], ctx: &ImageContext<'_>) -> DomainResult<Parts> {
    let mut planned: Vec<(ImageDisk, Option<String>)> = Vec::new();
    for (spec, found) in specs.iter().zip(ctx.snapshots) {
        let snapshot = match &spec.snapshot_id {
            Some(_) => Some(usable(found.as_ref(), ctx.now)?),
            None => None,
        };
        let minimum = snapshot.map_or(EMPTY_DISK_GB, |s| s.size_gb);
        let size = spec.size_gb.unwrap_or(minimum.max(EMPTY_DISK_GB));
        if !DISK_SIZES.contains(&size) || size < minimum {
            return Err(DomainError::DiskSizeUnsupported);
        }
        let kind = match snapshot {
            Some(s) => s.source_disk_type,
            None => spec.disk_type.unwrap_or(DiskType::Data),
        };
        let disk = ImageDisk {
            device: spec.device.clone().unwrap_or_default(),
            snapshot_id: spec.snapshot_id.clone(),
            size_gb: size,
            kind,
        };
        planned.push((disk, snapshot.map(|s| s.id.clone())));
    }
    match planned.iter().filter(|(d, _)| d.kind == DiskType::System).count() {
        0 => return Err(DomainError::NoSystemDiskSnapshot),
        1 => {}
        _ => return Err(DomainError::SeveralSystemDiskSnapshots),
    }
    // The system disk is /dev/xvda; data disks take /dev/xvdb… in order, never twice.
    planned.sort_by_key(|(d, _)| d.kind != DiskType::System);
    let mut devices = data_devices();
    let mut seen = Vec::new();
    for (disk, _) in planned.iter_mut() {
        let default = match disk.kind {
            DiskType::System => "/dev/xvda".to_string(),
            DiskType::Data => {
                devices.next().ok_or(DomainError::invalid("DiskDeviceMapping", "At most 25 data disks."))?
            }
        };
        if disk.device.is_empty() {
            disk.device = default;
        }
        let valid = match disk.kind {
            DiskType::System => disk.device == "/dev/xvda",
            DiskType::Data => {
                disk.device.len() == 9
                    && disk.device.starts_with("/dev/xvd")
                    && disk.device.as_bytes()[8].is_ascii_lowercase()
                    && disk.device != "/dev/xvda"
            }
        };
        if !valid || seen.contains(&disk.device) {
            return Err(DomainError::invalid(
                "DiskDeviceMapping.N.Device",
                format!("The device {} cannot be used here.", disk.device),
            ));
        }
        seen.push(disk.device.clone());
    }
    let used = planned.iter().filter_map(|(_, s)| s.clone()).collect();
    Ok((planned.into_iter().map(|(d, _)| d).collect(), Vec::new(), used, ctx.now))
}

/// `/dev/xvdb` … `/dev/xvdz`.
fn data_devices() -> impl Iterator<Item = String> {
    (b'b'..=b'z').map(|c| format!("/dev/xvd{}", c as char))
}

/// A snapshot an image may be made from.
fn usable(snapshot: Option<&Snapshot>, now: DateTime<Utc>) -> DomainResult<&Snapshot> {
    let s = snapshot.ok_or(DomainError::SnapshotNotFound)?;
    if s.created_at < oldest_usable_snapshot() {
        return Err(DomainError::SnapshotTooOld);
    }
    if s.state(now) != Progress::Done {
        return Err(DomainError::SnapshotNotReady);
    }
    if !s.image_allowed {
        return Err(DomainError::SnapshotImageNotAllowed);
    }
    Ok(s)
}
