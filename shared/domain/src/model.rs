//! The resources of the emulated clouds, in provider-neutral terms.
//!
//! Times are UTC instants; they serialise as epoch milliseconds so the store can compare them in
//! condition expressions. A resource never stores its asynchronous state: the state is derived
//! from its timestamps when it is read (see [`Snapshot::state`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The cloud an account belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Alibaba,
    Tencent,
    Zenlayer,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Alibaba => "alibaba",
            Provider::Tencent => "tencent",
            Provider::Zenlayer => "zenlayer",
        }
    }
}

/// Whether requests must carry a valid signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    #[default]
    Strict,
    Off,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    pub snapshot_seconds: u64,
    pub image_seconds: u64,
    /// How long a create call holds its client-token claim before it commits: the provider's
    /// processing time, which is what makes the "still processing" answer observable.
    pub request_processing_ms: u64,
}

impl Default for Timings {
    fn default() -> Self {
        Timings { snapshot_seconds: 2, image_seconds: 3, request_processing_ms: 0 }
    }
}

/// The world's settings. Each account carries the settings of the world that loaded it, so
/// worlds loaded side by side into one table keep their own rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub auth: AuthMode,
    pub timings: Timings,
    pub idempotency_ttl_seconds: u64,
    pub signature_max_skew_seconds: u64,
    /// Requests per second per account, keyed `dialect:Action`.
    pub rate_limits: BTreeMap<String, u32>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            auth: AuthMode::Strict,
            timings: Timings::default(),
            idempotency_ttl_seconds: 86_400,
            signature_max_skew_seconds: 900,
            rate_limits: BTreeMap::from([("tencent:CreateImage".to_string(), 10)]),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quotas {
    pub images_per_region: u32,
    pub snapshots_per_disk: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceGroup {
    pub id: String,
    pub name: String,
    pub default: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub provider: Provider,
    pub balance_ok: bool,
    pub snapshot_service: bool,
    pub quotas: Quotas,
    pub resource_groups: Vec<ResourceGroup>,
    pub settings: Settings,
}

/// One access key of an account, as the gateway looks it up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Credential {
    pub access_key_id: String,
    pub secret: String,
    pub account: Account,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    pub id: String,
    pub provider: Provider,
    pub zones: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstanceStatus {
    Pending,
    Starting,
    Running,
    Stopping,
    Stopped,
    Rebooting,
    Terminating,
}

impl InstanceStatus {
    pub const ALL: [InstanceStatus; 7] = [
        InstanceStatus::Pending,
        InstanceStatus::Starting,
        InstanceStatus::Running,
        InstanceStatus::Stopping,
        InstanceStatus::Stopped,
        InstanceStatus::Rebooting,
        InstanceStatus::Terminating,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InstanceStatus::Pending => "pending",
            InstanceStatus::Starting => "starting",
            InstanceStatus::Running => "running",
            InstanceStatus::Stopping => "stopping",
            InstanceStatus::Stopped => "stopped",
            InstanceStatus::Rebooting => "rebooting",
            InstanceStatus::Terminating => "terminating",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    Linux,
    Windows,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoppedMode {
    KeepCharging,
    StopCharging,
}

/// A provider-side failure the world injects on one resource for one call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    pub dialect: String,
    pub action: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub id: String,
    pub account: String,
    pub region: String,
    pub zone: String,
    pub status: InstanceStatus,
    pub os: Os,
    pub gpu: bool,
    pub locked_for_security: bool,
    pub ever_started: bool,
    pub operation_in_progress: bool,
    pub image_supported: bool,
    pub full_image_supported: bool,
    pub instance_image_supported: bool,
    pub stopped_mode: StoppedMode,
    pub soft_shutdown_fails: bool,
    /// The custom image it runs, if any.
    #[serde(default)]
    pub image_id: Option<String>,
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Until when an image of this instance is being created (one at a time).
    #[serde(default, with = "chrono::serde::ts_milliseconds_option")]
    pub imaging_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiskType {
    System,
    Data,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiskStatus {
    InUse,
    Available,
    Creating,
    Invalid,
    Transferring,
    Detaching,
}

impl DiskStatus {
    pub const ALL: [DiskStatus; 6] = [
        DiskStatus::InUse,
        DiskStatus::Available,
        DiskStatus::Creating,
        DiskStatus::Invalid,
        DiskStatus::Transferring,
        DiskStatus::Detaching,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DiskStatus::InUse => "in_use",
            DiskStatus::Available => "available",
            DiskStatus::Creating => "creating",
            DiskStatus::Invalid => "invalid",
            DiskStatus::Transferring => "transferring",
            DiskStatus::Detaching => "detaching",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Billing {
    Ok,
    Expired,
    Arrears,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disk {
    pub id: String,
    pub account: String,
    pub region: String,
    pub zone: String,
    #[serde(rename = "disk_type")]
    pub kind: DiskType,
    pub category: String,
    pub shared_block: bool,
    pub size_gb: u32,
    pub instance: Option<String>,
    pub ever_attached: bool,
    pub ever_used: bool,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub data_loaded_at: DateTime<Utc>,
    pub status: DiskStatus,
    pub billing: Billing,
    pub snapshot_supported: bool,
    pub device_type_supported: bool,
    pub kms_authorized: bool,
    /// The snapshot it was created from, if any (cleared when that snapshot is deleted by force).
    #[serde(default)]
    pub source_snapshot: Option<String>,
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Until when a snapshot of this disk is in progress (the one-at-a-time lock).
    #[serde(default, with = "chrono::serde::ts_milliseconds_option")]
    pub busy_until: Option<DateTime<Utc>>,
    /// Snapshots of this disk that exist (the per-disk quota counter).
    #[serde(default)]
    pub snapshot_count: u32,
}

impl Disk {
    /// A disk whose category is a local disk (not a cloud disk).
    pub fn is_local(&self) -> bool {
        self.category.eq_ignore_ascii_case("local") || self.category.starts_with("LOCAL")
    }

    pub fn is_swap(&self) -> bool {
        self.category.eq_ignore_ascii_case("swap")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// A time that never comes: the end of a lock held by something that never completes.
pub fn forever() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_300_799, 0).unwrap_or_default()
}

/// The asynchronous state of a snapshot or an image, derived from its timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    InProgress { percent: u8 },
    Done,
    Failed,
}

/// Derive progress from a start and a ready time (`None`: never ready on its own).
pub fn progress_at(
    started: DateTime<Utc>,
    ready_at: Option<DateTime<Utc>>,
    failed: bool,
    now: DateTime<Utc>,
) -> Progress {
    if failed {
        return Progress::Failed;
    }
    match ready_at {
        Some(ready) if now >= ready => Progress::Done,
        Some(ready) => {
            let total = (ready - started).num_milliseconds().max(1);
            let done = (now - started).num_milliseconds().clamp(0, total);
            // Never show 100% before the state flips.
            let percent = (done * 100 / total).min(99) as u8;
            Progress::InProgress { percent }
        }
        None => Progress::InProgress { percent: 0 },
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub id: String,
    pub account: String,
    pub region: String,
    pub disk_id: String,
    pub source_disk_type: DiskType,
    pub size_gb: u32,
    pub name: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created_at: DateTime<Utc>,
    /// When it becomes complete; `None` for a snapshot that stays in progress.
    #[serde(default, with = "chrono::serde::ts_milliseconds_option")]
    pub ready_at: Option<DateTime<Utc>>,
    pub failed: bool,
    pub retention_days: Option<u32>,
    /// An explicit end of life (Tencent's `Deadline`), instead of a number of days.
    #[serde(default, with = "chrono::serde::ts_milliseconds_option")]
    pub deadline: Option<DateTime<Utc>>,
    /// Days of instant access, when it was asked for.
    #[serde(default)]
    pub instant_access: Option<u32>,
    /// For a snapshot that never completes (a world's `progressing` one): how far it has got.
    #[serde(default)]
    pub stuck_at: Option<u8>,
    pub image_allowed: bool,
    pub tags: Vec<Tag>,
    pub resource_group_id: Option<String>,
    /// Ids of the images this snapshot backs.
    #[serde(default)]
    pub image_ids: Vec<String>,
    /// Ids of the disks created from it.
    #[serde(default)]
    pub disk_ids: Vec<String>,
    /// Made by an automatic snapshot policy.
    #[serde(default)]
    pub automatic: bool,
}

impl Snapshot {
    /// A snapshot of `disk_id` taken at `created_at`, with nothing else given: complete at once,
    /// may make images, no name, description, category, retention, deadline, instant access,
    /// tags, group or images, made by a caller. Each maker sets what it knows with struct update
    /// syntax.
    pub fn new(
        id: impl Into<String>,
        account: impl Into<String>,
        region: impl Into<String>,
        disk_id: impl Into<String>,
        source_disk_type: DiskType,
        size_gb: u32,
        created_at: DateTime<Utc>,
    ) -> Self {
        Snapshot {
            id: id.into(),
            account: account.into(),
            region: region.into(),
            disk_id: disk_id.into(),
            source_disk_type,
            size_gb,
            name: None,
            description: None,
            category: None,
            created_at,
            ready_at: Some(created_at),
            failed: false,
            retention_days: None,
            deadline: None,
            instant_access: None,
            stuck_at: None,
            image_allowed: true,
            tags: Vec::new(),
            resource_group_id: None,
            image_ids: Vec::new(),
            disk_ids: Vec::new(),
            automatic: false,
        }
    }

    pub fn state(&self, now: DateTime<Utc>) -> Progress {
        match (self.ready_at, self.stuck_at, self.failed) {
            (None, Some(percent), false) => Progress::InProgress { percent },
            _ => progress_at(self.created_at, self.ready_at, self.failed, now),
        }
    }

    /// When the snapshot is released by its deadline or retention period, if it has one.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.deadline
            .or_else(|| self.retention_days.map(|d| self.created_at + chrono::Duration::days(i64::from(d))))
    }
}

/// One disk of an image: its device, the snapshot it is made from (none: an empty disk), its size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageDisk {
    pub device: String,
    pub snapshot_id: Option<String>,
    pub size_gb: u32,
    #[serde(rename = "disk_type")]
    pub kind: DiskType,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Image {
    pub id: String,
    pub account: String,
    pub region: String,
    pub name: String,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created_at: DateTime<Utc>,
    /// When it becomes available; `None` for an image that stays creating.
    #[serde(default, with = "chrono::serde::ts_milliseconds_option")]
    pub ready_at: Option<DateTime<Utc>>,
    pub failed: bool,
    pub source_instance: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub disks: Vec<ImageDisk>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub platform: Option<String>,
    #[serde(default)]
    pub architecture: Option<String>,
    #[serde(default)]
    pub image_family: Option<String>,
    #[serde(default)]
    pub boot_mode: Option<String>,
    #[serde(default)]
    pub resource_group_id: Option<String>,
    /// The zone of the instance it was made from, if any.
    #[serde(default)]
    pub zone: Option<String>,
    /// The system of the instance it was made from, if known.
    #[serde(default)]
    pub os: Option<Os>,
    /// Instance metadata access it supports (`v1`, `v2`), when given.
    #[serde(default)]
    pub imds_support: Option<String>,
    #[serde(default)]
    pub detection_strategy: Option<String>,
    #[serde(default)]
    pub secure_boot: Option<bool>,
    /// Whether it supports NVMe (`supported`, `unsupported`), when set.
    #[serde(default)]
    pub nvme_support: Option<String>,
    /// The licence it is billed under (`BYOL`), when set.
    #[serde(default)]
    pub license_type: Option<String>,
    /// Deprecated by its owner: listed as such, still usable.
    #[serde(default)]
    pub deprecated: bool,
    /// Ids of the instances that run it.
    #[serde(default)]
    pub instance_ids: Vec<String>,
}

impl Image {
    /// A failing image is creating until its task ends (`ready_at`: a soft shutdown that is
    /// attempted, then given up), and failed from then on.
    pub fn state(&self, now: DateTime<Utc>) -> Progress {
        let failed = self.failed && self.ready_at.is_none_or(|ready| now >= ready);
        progress_at(self.created_at, self.ready_at, failed, now)
    }

    /// The size of its system disk, in GB.
    pub fn size_gb(&self) -> u32 {
        self.disks.iter().find(|d| d.kind == DiskType::System).map_or(0, |d| d.size_gb)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotPolicy {
    pub id: String,
    pub account: String,
    pub region: String,
    pub time_points: Vec<u8>,
    pub utc_offset_hours: i8,
    pub repeat_weekdays: Vec<u8>,
    pub retention_days: i32,
    pub disks: Vec<String>,
}
