//! Creating a custom image: from an instance (a new snapshot of each of its disks), from a set of
//! disk snapshots mapped to devices, or from one system-disk snapshot. The rules that
//! concurrency could break (unique names, the image quota, the disks' in-progress locks) are
//! enforced again by the store's transaction.

use crate::error::{DomainError, DomainResult};
use crate::model::{
    Account, Disk, DiskType, Image, ImageDisk, Instance, InstanceStatus, Os, Progress, Snapshot, StoppedMode,
    Tag,
};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::ops::RangeInclusive;

/// The page-specific limits of a provider's CreateImage, supplied by the dialect that owns them.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageRules {
    /// Snapshots taken before this instant (Unix seconds) cannot make images; `None`: any age.
    pub snapshots_since: Option<i64>,
    /// Sizes an image's disks may have, in GB.
    pub disk_sizes: RangeInclusive<u32>,
    /// Images of GPU instances can be made.
    pub gpu_instances: bool,
    /// Only a stopped instance can be imaged (a running one is refused, not shut down).
    pub stopped_only: bool,
}

/// The size of an empty disk when none is given.
pub const EMPTY_DISK_GB: u32 = 5;

/// What happens to a running instance being imaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Shutdown {
    /// It is imaged as it runs.
    Never,
    /// It is shut down softly first; if that fails, so does the image.
    Soft,
    /// It is shut down softly, and forced off if that fails.
    Forced,
}

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
    pub imds_support: Option<String>,
    pub detection_strategy: Option<String>,
    pub secure_boot: Option<bool>,
    /// For an instance image: the data disks to include with the system disk; `None`: every
    /// disk of the instance.
    pub data_disks: Option<Vec<String>>,
    pub shutdown: Shutdown,
    /// Generalise a Windows system (refused for other systems).
    pub sysprep: bool,
    #[serde(skip)]
    pub client_token: Option<String>,
    #[serde(skip)]
    pub rules: ImageRules,
}

impl CreateImage {
    /// An image in `region` from `source`, judged by a provider's `rules`, and nothing else
    /// given: no name, version, description, tags or attributes; for an instance, every disk,
    /// imaged as it runs, without Sysprep; no client token. Each dialect sets what its page reads
    /// with struct update syntax.
    pub fn new(region: impl Into<String>, source: ImageSource, rules: ImageRules) -> Self {
        CreateImage {
            region: region.into(),
            source,
            name: None,
            version: None,
            description: None,
            tags: Vec::new(),
            platform: None,
            architecture: None,
            image_family: None,
            boot_mode: None,
            resource_group_id: None,
            imds_support: None,
            detection_strategy: None,
            secure_boot: None,
            data_disks: None,
            shutdown: Shutdown::Never,
            sysprep: false,
            client_token: None,
            rules,
        }
    }

    /// [`CreateImage::new`] from the instance `instance_id`.
    pub fn from_instance(
        region: impl Into<String>,
        instance_id: impl Into<String>,
        rules: ImageRules,
    ) -> Self {
        CreateImage::new(region, ImageSource::Instance(instance_id.into()), rules)
    }
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
    /// The dialect and action, to find faults the world injects.
    pub dialect: &'a str,
    pub action: &'a str,
    pub now: DateTime<Utc>,
}

/// The image to write, and for an instance image the new snapshot of each disk.
#[derive(Debug, Clone, PartialEq)]
pub struct ImagePlan {
    pub image: Image,
    pub new_snapshots: Vec<Snapshot>,
    /// Existing snapshots the image is made from (their usage changes).
    pub used_snapshots: Vec<String>,
    /// For an instance image: the instance's imaging lock, and whether it ends up stopped.
    pub instance: Option<InstanceChange>,
}

/// What an instance image does to its instance.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceChange {
    pub id: String,
    /// No other image of it until then.
    pub imaging_until: DateTime<Utc>,
    /// It was running and has been shut down to be imaged.
    pub stopped: bool,
}

/// Check every rule and build the image (and snapshots) to write. `new_id` names new resources:
/// it is called with `"image"` or `"snapshot"`. The checks run in the order the pages imply:
/// what is named must exist, then the account, then the source's state, then name and quota.
pub fn plan(
    cmd: &CreateImage,
    ctx: &ImageContext<'_>,
    new_id: &dyn Fn(&str) -> String,
) -> DomainResult<ImagePlan> {
    let account = ctx.account;
    match &cmd.source {
        ImageSource::Instance(_) => {
            if ctx.instance.is_none_or(|i| i.account != account.id) {
                return Err(DomainError::InstanceNotFound);
            }
        }
        ImageSource::Snapshot(_) | ImageSource::Mappings(_) => {
            let named = match &cmd.source {
                ImageSource::Mappings(specs) => specs.iter().map(|m| m.snapshot_id.is_some()).collect(),
                _ => vec![true],
            };
            let gone = |found: &Option<Snapshot>| {
                found.as_ref().is_none_or(|s| crate::schedule::expired(s, ctx.now))
            };
            if named.iter().zip(ctx.snapshots).any(|(wanted, found)| *wanted && gone(found)) {
                return Err(DomainError::SnapshotNotFound);
            }
        }
    }
    if !account.snapshot_service {
        return Err(DomainError::SnapshotServiceUnavailable);
    }
    if !account.balance_ok {
        return Err(DomainError::InsufficientBalance);
    }
    let image_id = new_id("image");
    let timings = &account.settings.timings;
    // An instance's own state is judged before name and quota; its disks' (a snapshot in
    // progress, their snapshot quota) after.
    let chosen = match &cmd.source {
        ImageSource::Instance(_) => Some(instance_disks(cmd, ctx)?),
        _ => None,
    };
    let source = match &cmd.source {
        ImageSource::Instance(_) => None,
        ImageSource::Snapshot(_) => {
            let snapshot = usable(ctx.snapshots.first().and_then(Option::as_ref), ctx.now, &cmd.rules)?;
            if snapshot.source_disk_type != DiskType::System {
                return Err(DomainError::SnapshotNotFromSystemDisk);
            }
            let disk = ImageDisk {
                device: "/dev/xvda".into(),
                snapshot_id: Some(snapshot.id.clone()),
                size_gb: snapshot.size_gb,
                kind: DiskType::System,
            };
            Some(Parts {
                disks: vec![disk],
                used: vec![snapshot.id.clone()],
                ready: ctx.now,
                ..Parts::default()
            })
        }
        ImageSource::Mappings(specs) => Some(from_mappings(specs, ctx, &cmd.rules)?),
    };
    if ctx.name_taken {
        return Err(DomainError::ImageNameTaken);
    }
    if ctx.images_in_region >= account.quotas.images_per_region {
        return Err(DomainError::ImageQuotaReached);
    }
    let (source, failed) = match (source, chosen) {
        (Some(parts), _) => (parts, false),
        (None, chosen) => from_instance(cmd, ctx, chosen.unwrap_or_default(), &image_id, new_id)?,
    };
    let ready_at = source.ready + Duration::seconds(timings.image_seconds as i64);
    let instance = match (&cmd.source, failed) {
        (ImageSource::Instance(id), false) => {
            Some(InstanceChange { id: id.clone(), imaging_until: ready_at, stopped: source.stops_instance })
        }
        _ => None,
    };
    let image = Image {
        id: image_id,
        account: account.id.clone(),
        region: cmd.region.clone(),
        name: cmd.name.clone().unwrap_or_default(),
        created_at: ctx.now,
        // A failing one too stays creating for the image's time (the soft shutdown's attempt).
        ready_at: Some(ready_at),
        failed,
        source_instance: match &cmd.source {
            ImageSource::Instance(id) => Some(id.clone()),
            _ => None,
        },
        version: cmd.version.clone(),
        description: cmd.description.clone(),
        disks: source.disks,
        tags: cmd.tags.clone(),
        platform: cmd.platform.clone(),
        architecture: cmd.architecture.clone(),
        image_family: cmd.image_family.clone(),
        boot_mode: cmd.boot_mode.clone(),
        resource_group_id: cmd.resource_group_id.clone(),
        zone: ctx.instance.map(|i| i.zone.clone()),
        os: ctx.instance.map(|i| i.os),
        imds_support: cmd.imds_support.clone(),
        detection_strategy: cmd.detection_strategy.clone(),
        secure_boot: cmd.secure_boot,
        nvme_support: None,
        license_type: None,
        deprecated: false,
        instance_ids: Vec::new(),
    };
    Ok(ImagePlan { image, new_snapshots: source.new_snapshots, used_snapshots: source.used, instance })
}

/// The disks of an image and what making them takes.
#[derive(Default)]
struct Parts {
    disks: Vec<ImageDisk>,
    new_snapshots: Vec<Snapshot>,
    used: Vec<String>,
    /// When the disks' snapshots are ready (the image is ready `image_seconds` later).
    ready: DateTime<Utc>,
    stops_instance: bool,
}

/// Judge an instance's state and pick the disks its image is made of.
fn instance_disks<'a>(cmd: &CreateImage, ctx: &ImageContext<'a>) -> DomainResult<Vec<&'a Disk>> {
    let instance: &Instance = ctx.instance.ok_or(DomainError::InstanceNotFound)?;
    if instance.locked_for_security {
        return Err(DomainError::InstanceLockedForSecurity);
    }
    if instance.imaging_until.is_some_and(|u| u > ctx.now) {
        return Err(DomainError::InstanceImageInProgress);
    }
    if instance.operation_in_progress {
        return Err(DomainError::InstanceBusy);
    }
    let allowed = if cmd.rules.stopped_only {
        instance.status == InstanceStatus::Stopped
    } else {
        matches!(instance.status, InstanceStatus::Running | InstanceStatus::Stopped)
    };
    if !allowed {
        return Err(DomainError::InstanceStatusForbids(instance.status));
    }
    if instance.gpu && !cmd.rules.gpu_instances {
        return Err(DomainError::GpuInstanceUnsupported);
    }
    if instance.status == InstanceStatus::Stopped && instance.stopped_mode == StoppedMode::StopCharging {
        return Err(DomainError::StoppedWithoutCharging);
    }
    if !instance.image_supported {
        return Err(DomainError::InstanceImageUnsupported);
    }
    if !instance.instance_image_supported {
        return Err(DomainError::InstanceImageOperationUnsupported);
    }
    if cmd.sysprep && instance.os != Os::Windows {
        return Err(DomainError::invalid("Sysprep", "Sysprep applies to Windows instances only."));
    }
    let chosen: Vec<&Disk> = match &cmd.data_disks {
        None => ctx.instance_disks.iter().collect(),
        Some(ids) => {
            let mut chosen: Vec<&Disk> =
                ctx.instance_disks.iter().filter(|d| d.kind == DiskType::System).collect();
            for id in ids {
                let disk = ctx.instance_disks.iter().find(|d| &d.id == id);
                match disk {
                    Some(d) if d.kind == DiskType::System => return Err(DomainError::DataDiskIsSystemDisk),
                    None => return Err(DomainError::DataDiskNotOfInstance),
                    Some(d) if d.is_local() => return Err(DomainError::DataDiskLocal),
                    Some(d) if d.is_swap() => return Err(DomainError::DataDiskSwap),
                    Some(d) => chosen.push(d),
                }
            }
            if !ids.is_empty() && !instance.full_image_supported {
                return Err(DomainError::FullImageUnsupported);
            }
            chosen
        }
    };
    Ok(chosen)
}

/// An image of an instance, and whether it fails (a soft shutdown that did not work).
fn from_instance(
    cmd: &CreateImage,
    ctx: &ImageContext<'_>,
    chosen: Vec<&Disk>,
    image_id: &str,
    new_id: &dyn Fn(&str) -> String,
) -> DomainResult<(Parts, bool)> {
    let instance: &Instance = ctx.instance.ok_or(DomainError::InstanceNotFound)?;
    // Each disk gets a new snapshot, so a disk already being snapshotted stops the image.
    if chosen.iter().any(|d| d.busy_until.is_some_and(|u| u > ctx.now)) {
        return Err(DomainError::DiskSnapshotInProgress);
    }
    if chosen.iter().any(|d| d.snapshot_count >= ctx.account.quotas.snapshots_per_disk) {
        return Err(DomainError::SnapshotQuotaReached);
    }
    if let Some(fault) = instance.faults.iter().find(|f| f.dialect == ctx.dialect && f.action == ctx.action) {
        return Err(DomainError::Fault(fault.code.clone()));
    }
    let running = instance.status == InstanceStatus::Running;
    if running && cmd.shutdown == Shutdown::Soft && instance.soft_shutdown_fails {
        // The task ends failed once the shutdown has been tried: nothing is snapshotted and the
        // instance keeps running.
        let disks = chosen
            .iter()
            .map(|d| ImageDisk { device: String::new(), snapshot_id: None, size_gb: d.size_gb, kind: d.kind })
            .collect();
        return Ok((Parts { disks, ready: ctx.now, ..Parts::default() }, true));
    }
    let ready = ctx.now + Duration::seconds(ctx.account.settings.timings.snapshot_seconds as i64);
    let mut disks = chosen;
    // The system disk first, then data disks in a stable order.
    disks.sort_by_key(|d| (d.kind != DiskType::System, d.id.clone()));
    let mut image_disks = Vec::new();
    let mut snapshots = Vec::new();
    let mut data_devices = data_devices();
    for disk in disks {
        let snapshot = Snapshot {
            description: Some(format!("Created for image {image_id}")),
            ready_at: Some(ready),
            resource_group_id: cmd.resource_group_id.clone(),
            image_ids: vec![image_id.to_string()],
            ..Snapshot::new(
                new_id("snapshot"),
                &ctx.account.id,
                &disk.region,
                &disk.id,
                disk.kind,
                disk.size_gb,
                ctx.now,
            )
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
    let stops_instance = running && cmd.shutdown != Shutdown::Never;
    let parts =
        Parts { disks: image_disks, new_snapshots: snapshots, used: Vec::new(), ready, stops_instance };
    Ok((parts, false))
}

fn from_mappings(specs: &[MappingSpec], ctx: &ImageContext<'_>, rules: &ImageRules) -> DomainResult<Parts> {
    let mut planned: Vec<(ImageDisk, Option<String>)> = Vec::new();
    for (spec, found) in specs.iter().zip(ctx.snapshots) {
        let snapshot = match &spec.snapshot_id {
            Some(_) => Some(usable(found.as_ref(), ctx.now, rules)?),
            None => None,
        };
        let minimum = snapshot.map_or(EMPTY_DISK_GB, |s| s.size_gb);
        let size = spec.size_gb.unwrap_or(minimum.max(EMPTY_DISK_GB));
        if !rules.disk_sizes.contains(&size) || size < minimum {
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
    let disks = planned.into_iter().map(|(d, _)| d).collect();
    Ok(Parts { disks, used, ready: ctx.now, ..Parts::default() })
}

/// `/dev/xvdb` … `/dev/xvdz`.
fn data_devices() -> impl Iterator<Item = String> {
    (b'b'..=b'z').map(|c| format!("/dev/xvd{}", c as char))
}

/// A snapshot an image may be made from.
fn usable<'a>(
    snapshot: Option<&'a Snapshot>,
    now: DateTime<Utc>,
    rules: &ImageRules,
) -> DomainResult<&'a Snapshot> {
    // A snapshot past its retention is released, even before the scheduler deletes it.
    let s = snapshot.filter(|s| !crate::schedule::expired(s, now)).ok_or(DomainError::SnapshotNotFound)?;
    if rules.snapshots_since.is_some_and(|since| s.created_at.timestamp() < since) {
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
