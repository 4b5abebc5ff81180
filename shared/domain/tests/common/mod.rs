//! What the rule tables share: a world in which the create being tested is allowed, so that each
//! row breaks one thing (or two, to pin which rule is judged first), and the table runner.

#![allow(dead_code)] // each test binary uses its own part of this

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::image::ImageRules;
use domain::{
    Account, Billing, Disk, DiskStatus, DiskType, DomainError, Fault, Instance, InstanceStatus, Os, Provider,
    Quotas, Settings, Snapshot, StoppedMode,
};

pub const ACCOUNT: &str = "acct-1";
pub const REGION: &str = "cn-hangzhou";
pub const INSTANCE: &str = "i-1";

/// A row: what it shows, what it changes in the allowed world, and what the domain must answer.
pub type Row<W> = (&'static str, fn(&mut W), Result<(), DomainError>);

/// Run every row on a fresh allowed world and report every row whose answer differs.
pub fn check<W>(table: &[Row<W>], allowed: fn() -> W, answer: fn(&W) -> Result<(), DomainError>) {
    let wrong: Vec<String> = table
        .iter()
        .filter_map(|(name, change, expected)| {
            let mut world = allowed();
            change(&mut world);
            let got = answer(&world);
            (got != *expected).then(|| format!("{name}: expected {expected:?}, got {got:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{} of {} rows:\n{}", wrong.len(), table.len(), wrong.join("\n"));
}

/// The instant every table is judged at.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap()
}

pub fn account() -> Account {
    Account {
        id: ACCOUNT.into(),
        provider: Provider::Alibaba,
        balance_ok: true,
        snapshot_service: true,
        quotas: Quotas { images_per_region: 10, snapshots_per_disk: 64 },
        resource_groups: Vec::new(),
        settings: Settings::default(),
    }
}

/// A running Linux instance of the account that may be imaged every way.
pub fn instance() -> Instance {
    Instance {
        id: INSTANCE.into(),
        account: ACCOUNT.into(),
        region: REGION.into(),
        zone: format!("{REGION}-a"),
        status: InstanceStatus::Running,
        os: Os::Linux,
        gpu: false,
        locked_for_security: false,
        ever_started: true,
        operation_in_progress: false,
        image_supported: true,
        full_image_supported: true,
        instance_image_supported: true,
        stopped_mode: StoppedMode::KeepCharging,
        soft_shutdown_fails: false,
        image_id: None,
        faults: Vec::new(),
        imaging_until: None,
    }
}

/// A cloud disk in use on the instance, used, its data loaded long ago, not being snapshotted.
pub fn disk(id: &str, kind: DiskType) -> Disk {
    Disk {
        id: id.into(),
        account: ACCOUNT.into(),
        region: REGION.into(),
        zone: format!("{REGION}-a"),
        kind,
        category: "cloud_essd".into(),
        shared_block: false,
        size_gb: if kind == DiskType::System { 40 } else { 100 },
        instance: Some(INSTANCE.into()),
        ever_attached: true,
        ever_used: true,
        data_loaded_at: now() - Duration::days(30),
        status: DiskStatus::InUse,
        billing: Billing::Ok,
        snapshot_supported: true,
        device_type_supported: true,
        kms_authorized: true,
        source_snapshot: None,
        faults: Vec::new(),
        busy_until: None,
        snapshot_count: 0,
    }
}

/// A complete snapshot of the account, a day old, that may make images.
pub fn snapshot(id: &str, kind: DiskType, size_gb: u32) -> Snapshot {
    let created_at = now() - Duration::days(1);
    Snapshot {
        ready_at: Some(created_at + Duration::minutes(1)),
        ..Snapshot::new(id, ACCOUNT, REGION, format!("d-of-{id}"), kind, size_gb, created_at)
    }
}

pub fn fault(dialect: &str, action: &str, code: &str) -> Fault {
    Fault { dialect: dialect.into(), action: action.into(), code: code.into() }
}

/// ECS API reference, CreateImage: snapshots from before 2013-07-15 cannot make images; an
/// image's disks are 5–2000 GB.
pub fn ecs_rules() -> ImageRules {
    ImageRules {
        snapshots_since: Some(1_373_846_400),
        disk_sizes: 5..=2000,
        gpu_instances: true,
        stopped_only: false,
    }
}

/// CVM API, CreateImage: no snapshot is too old; disks are 10–32000 GB.
pub fn cvm_rules() -> ImageRules {
    ImageRules { snapshots_since: None, disk_sizes: 10..=32_000, gpu_instances: true, stopped_only: false }
}

/// ZEC API, CreateImage: a stopped instance only, never a GPU one.
pub fn zec_rules() -> ImageRules {
    ImageRules { snapshots_since: None, disk_sizes: 20..=16_384, gpu_instances: false, stopped_only: true }
}
