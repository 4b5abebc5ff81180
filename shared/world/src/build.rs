//! A checked world file made into domain resources: each optional field takes the default the
//! format documents, and what follows from the world as a whole is derived (a disk's snapshot
//! count and lock, an image's disks, zone and resource group).

use crate::file::{self, ImageStatus, SnapshotStatus};
use crate::values::Uint;
use crate::World;
use chrono::{DateTime, Duration, Utc};
use domain::*;

pub fn world(w: file::World, now: DateTime<Utc>) -> World {
    let settings = w.settings.map(settings).unwrap_or_default();
    let regions: Vec<Region> = w.regions.unwrap_or_default().into_iter().map(region).collect();
    let mut accounts = Vec::new();
    let mut credentials = Vec::new();
    for a in w.accounts.unwrap_or_default() {
        let (account, keys) = account(a, &settings);
        credentials.extend(keys);
        accounts.push(account);
    }
    let mut instances: Vec<Instance> = w.instances.unwrap_or_default().into_iter().map(instance).collect();
    let mut disks: Vec<Disk> = w.disks.unwrap_or_default().into_iter().map(|d| disk(d, now)).collect();
    let mut snapshots: Vec<Snapshot> =
        w.snapshots.unwrap_or_default().into_iter().map(|s| snapshot(s, now)).collect();
    let mut images: Vec<Image> = w.images.unwrap_or_default().into_iter().map(|m| image(m, now)).collect();
    let snapshot_policies = w.snapshot_policies.unwrap_or_default().into_iter().map(policy).collect();
    for f in w.faults.unwrap_or_default() {
        let fault = Fault { dialect: f.dialect, action: f.action, code: f.code };
        // The cross-reference check found the resource among the disks or the instances.
        if let Some(d) = disks.iter_mut().find(|d| d.id == f.resource) {
            d.faults.push(fault);
        } else if let Some(i) = instances.iter_mut().find(|i| i.id == f.resource) {
            i.faults.push(fault);
        }
    }
    derive_disk_counters(&mut disks, &snapshots);
    derive_image_disks(&mut images, &disks, &instances);
    derive_usage(&mut snapshots, &disks, &mut images, &instances);
    place_images(&mut images, &accounts, &regions);
    World { settings, accounts, credentials, regions, instances, disks, snapshots, images, snapshot_policies }
}

fn uint(v: Option<Uint>, default: u64) -> u64 {
    v.map_or(default, |v| v.0)
}

fn settings(s: file::Settings) -> Settings {
    let defaults = Settings::default();
    let timings = match s.timings {
        Some(t) => {
            let d = Timings::default();
            Timings {
                snapshot_seconds: uint(t.snapshot_seconds, d.snapshot_seconds),
                image_seconds: uint(t.image_seconds, d.image_seconds),
                request_processing_ms: uint(t.request_processing_ms, d.request_processing_ms),
            }
        }
        None => defaults.timings,
    };
    Settings {
        auth: s.auth.map_or(AuthMode::Strict, |a| a.get()),
        timings,
        idempotency_ttl_seconds: uint(s.idempotency_ttl_seconds, defaults.idempotency_ttl_seconds),
        signature_max_skew_seconds: uint(s.signature_max_skew_seconds, defaults.signature_max_skew_seconds),
        rate_limits: match s.rate_limits {
            Some(limits) => limits.0.into_iter().map(|(k, v)| (k, v.get())).collect(),
            None => defaults.rate_limits,
        },
    }
}

fn region(r: file::Region) -> Region {
    Region { id: r.id, provider: r.provider.get(), zones: r.zones }
}

fn account(a: file::Account, settings: &Settings) -> (Account, Vec<Credential>) {
    let provider = a.provider.get();
    let default_images = match provider {
        Provider::Alibaba => 100,
        Provider::Tencent => 10,
        Provider::Zenlayer => 20,
    };
    let quotas = a.quotas.as_ref();
    let quotas = Quotas {
        images_per_region: quotas.and_then(|q| q.images_per_region).map_or(default_images, |n| n.get()),
        snapshots_per_disk: quotas.and_then(|q| q.snapshots_per_disk).map_or(64, |n| n.get()),
    };
    let mut resource_groups: Vec<ResourceGroup> = (a.resource_groups.unwrap_or_default().into_iter())
        .map(|g| ResourceGroup {
            id: g.id,
            name: g.name.unwrap_or_default(),
            default: g.default.unwrap_or(false),
        })
        .collect();
    if resource_groups.is_empty() {
        resource_groups.push(ResourceGroup {
            id: "rg-default".into(),
            name: "Default".into(),
            default: true,
        });
    }
    let account = Account {
        id: a.id,
        provider,
        balance_ok: a.balance_ok.unwrap_or(true),
        snapshot_service: a.snapshot_service.unwrap_or(true),
        quotas,
        resource_groups,
        settings: settings.clone(),
    };
    let credentials = (a.credentials.into_iter())
        .map(|c| Credential { access_key_id: c.access_key_id, secret: c.secret, account: account.clone() })
        .collect();
    (account, credentials)
}

fn instance(x: file::Instance) -> Instance {
    Instance {
        id: x.id,
        account: x.account,
        region: x.region,
        zone: x.zone,
        status: x.status.map_or(InstanceStatus::Running, |s| s.get()),
        os: x.os.map_or(Os::Linux, |o| o.get()),
        gpu: x.gpu.unwrap_or(false),
        locked_for_security: x.locked_for_security.unwrap_or(false),
        ever_started: x.ever_started.unwrap_or(true),
        operation_in_progress: x.operation_in_progress.unwrap_or(false),
        image_supported: x.image_supported.unwrap_or(true),
        full_image_supported: x.full_image_supported.unwrap_or(true),
        instance_image_supported: x.instance_image_supported.unwrap_or(true),
        stopped_mode: x.stopped_mode.map_or(StoppedMode::KeepCharging, |m| m.get()),
        soft_shutdown_fails: x.soft_shutdown_fails.unwrap_or(false),
        image_id: x.image,
        faults: Vec::new(),
        imaging_until: None,
    }
}

fn disk(d: file::Disk, now: DateTime<Utc>) -> Disk {
    let attached = if d.instance.is_some() { DiskStatus::InUse } else { DiskStatus::Available };
    Disk {
        id: d.id,
        account: d.account,
        region: d.region,
        zone: d.zone,
        kind: d.kind.get(),
        category: d.category.unwrap_or_else(|| "cloud_essd".into()),
        shared_block: d.shared_block.unwrap_or(false),
        size_gb: d.size_gb.map_or(40, |n| n.get()),
        instance: d.instance,
        ever_attached: d.ever_attached.unwrap_or(true),
        ever_used: d.ever_used.unwrap_or(true),
        data_loaded_at: d.data_loaded_at.map_or(now - Duration::days(2), |t| t.at(now)),
        status: d.status.map_or(attached, |s| s.get()),
        billing: d.billing.map_or(Billing::Ok, |b| b.get()),
        snapshot_supported: d.snapshot_supported.unwrap_or(true),
        device_type_supported: d.device_type_supported.unwrap_or(true),
        kms_authorized: d.kms_authorized.unwrap_or(true),
        source_snapshot: d.source_snapshot,
        faults: Vec::new(),
        busy_until: None,
        snapshot_count: 0,
    }
}

fn snapshot(s: file::Snapshot, now: DateTime<Utc>) -> Snapshot {
    let created_at = s.created_at.map_or(now - Duration::days(1), |t| t.at(now));
    let status = s.status();
    let kind = s.source_disk_type.map_or(DiskType::Data, |t| t.get());
    let size_gb = s.size_gb.map_or(40, |n| n.get());
    Snapshot {
        name: s.name,
        // A world's snapshot keeps the state it is given: `progressing` never completes.
        ready_at: (status != SnapshotStatus::Progressing).then_some(created_at),
        failed: status == SnapshotStatus::Failed,
        retention_days: s.retention_days.map(|d| d.get()),
        stuck_at: s.progress.map(|p| p.get()),
        image_allowed: s.image_allowed.unwrap_or(true),
        tags: (s.tags.map(|t| t.0).unwrap_or_default().into_iter())
            .map(|(key, value)| Tag { key, value })
            .collect(),
        ..Snapshot::new(s.id, s.account, s.region, s.disk, kind, size_gb, created_at)
    }
}

fn image(m: file::Image, now: DateTime<Utc>) -> Image {
    let created_at = m.created_at.map_or(now - Duration::days(1), |t| t.at(now));
    let status = m.status.map_or(ImageStatus::Available, |s| s.get());
    Image {
        id: m.id,
        account: m.account,
        region: m.region,
        name: m.name,
        created_at,
        ready_at: (status != ImageStatus::Creating).then_some(created_at),
        failed: status == ImageStatus::Failed,
        source_instance: m.source_instance,
        version: None,
        description: None,
        // Until its disks are derived (from its source instance), one system disk of this size.
        disks: vec![ImageDisk {
            device: "/dev/xvda".into(),
            snapshot_id: None,
            size_gb: m.size_gb.map_or(40, |n| n.get()),
            kind: DiskType::System,
        }],
        tags: Vec::new(),
        platform: None,
        architecture: None,
        image_family: None,
        boot_mode: None,
        resource_group_id: None,
        zone: None,
        os: None,
        imds_support: None,
        detection_strategy: None,
        secure_boot: None,
        nvme_support: None,
        license_type: None,
        deprecated: false,
        instance_ids: Vec::new(),
    }
}

fn policy(p: file::SnapshotPolicy) -> SnapshotPolicy {
    SnapshotPolicy {
        id: p.id,
        account: p.account,
        region: p.region,
        time_points: p.time_points.into_iter().map(|h| h.get()).collect(),
        utc_offset_hours: p.utc_offset_hours.map_or(0, |h| h.get()),
        repeat_weekdays: match p.repeat_weekdays {
            Some(days) => days.into_iter().map(|d| d.get()).collect(),
            None => (1..=7).collect(),
        },
        retention_days: p.retention_days.map_or(-1, |d| d.get()),
        disks: p.disks.unwrap_or_default(),
    }
}

/// An image made from an instance of the world has that instance's zone, system and disks: the
/// system disk at `/dev/xvda`, data disks from `/dev/xvdb` on.
fn derive_image_disks(images: &mut [Image], disks: &[Disk], instances: &[Instance]) {
    for image in images.iter_mut() {
        let Some(instance) = &image.source_instance else { continue };
        if let Some(source) = instances.iter().find(|i| &i.id == instance) {
            image.zone = Some(source.zone.clone());
            image.os = Some(source.os);
        }
        let mut own: Vec<&Disk> = disks.iter().filter(|d| d.instance.as_ref() == Some(instance)).collect();
        if own.is_empty() {
            continue;
        }
        own.sort_by_key(|d| (d.kind != DiskType::System, d.id.clone()));
        let mut data = (b'b'..=b'z').map(|c| format!("/dev/xvd{}", c as char));
        image.disks = own
            .iter()
            .map(|d| ImageDisk {
                device: match d.kind {
                    DiskType::System => "/dev/xvda".into(),
                    DiskType::Data => data.next().unwrap_or_default(),
                },
                snapshot_id: None,
                size_gb: d.size_gb,
                kind: d.kind,
            })
            .collect();
    }
}

/// An image not made from an instance of the world sits in its region's first zone; a Zenlayer
/// account's image, in the account's default resource group (where CreateImage puts it).
fn place_images(images: &mut [Image], accounts: &[Account], regions: &[Region]) {
    for image in images.iter_mut() {
        if image.zone.is_none() {
            image.zone = regions.iter().find(|r| r.id == image.region).and_then(|r| r.zones.first().cloned());
        }
        let account = accounts.iter().find(|a| a.id == image.account);
        if let Some(account) = account.filter(|a| a.provider == Provider::Zenlayer) {
            if image.resource_group_id.is_none() {
                image.resource_group_id =
                    account.resource_groups.iter().find(|g| g.default).map(|g| g.id.clone());
            }
        }
    }
}

/// A disk's snapshot counter and in-progress lock follow from the world's snapshots of it.
/// Each snapshot lists the disks created from it, and each image the instances that run it (the
/// links the deletes check, kept on the item a delete's condition reads).
fn derive_usage(snapshots: &mut [Snapshot], disks: &[Disk], images: &mut [Image], instances: &[Instance]) {
    for s in snapshots.iter_mut() {
        s.disk_ids = disks
            .iter()
            .filter(|d| d.source_snapshot.as_ref() == Some(&s.id))
            .map(|d| d.id.clone())
            .collect();
    }
    for i in images.iter_mut() {
        i.instance_ids =
            instances.iter().filter(|x| x.image_id.as_ref() == Some(&i.id)).map(|x| x.id.clone()).collect();
    }
}

fn derive_disk_counters(disks: &mut [Disk], snapshots: &[Snapshot]) {
    for disk in disks.iter_mut() {
        let own = snapshots.iter().filter(|s| s.disk_id == disk.id);
        disk.snapshot_count = own.clone().count() as u32;
        if own.clone().any(|s| s.ready_at.is_none() && !s.failed) {
            // A snapshot that never completes keeps its disk busy for good.
            disk.busy_until = Some(domain::forever());
        }
    }
}
