//! The world file as written (format version 1): one type per object of the format, each
//! refusing the fields it does not know. An optional field is an `Option` (absent or `null`); its
//! default is applied when the world is built (`build.rs`), after the checks between objects
//! (`xref.rs`).

use crate::values::{object, Choice, Int, Object, Pairs, Spelled, Time, Uint, U32};
use domain::{AuthMode, Billing, DiskStatus, DiskType, InstanceStatus, Os, Provider, StoppedMode};
use serde::de::{Deserializer, IgnoredAny};
use serde::Deserialize;

/// Each struct below reads only from an object (see [`Object`]); `what` names it in a refusal.
macro_rules! objects {
    ($($name:ident: $what:literal),* $(,)?) => {$(
        impl Object for $name {
            const WHAT: &'static str = $what;
            fn derived<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $name::deserialize(d)
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                object(d)
            }
        }
    )*};
}

objects! {
    World: "a world object",
    Settings: "an object",
    Timings: "an object",
    Account: "an account object",
    Quotas: "an object",
    ResourceGroup: "a resource group object",
    Credential: "an object {\"access_key_id\", \"secret\"}",
    Region: "a region object",
    Instance: "an instance object",
    Disk: "a disk object",
    Snapshot: "a snapshot object",
    Image: "an image object",
    SnapshotPolicy: "a snapshot policy object",
    Fault: "a fault object",
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct World {
    /// Read and checked before the rest (see `read`).
    #[allow(dead_code)]
    pub version: IgnoredAny,
    pub settings: Option<Settings>,
    pub accounts: Option<Vec<Account>>,
    pub regions: Option<Vec<Region>>,
    pub instances: Option<Vec<Instance>>,
    pub disks: Option<Vec<Disk>>,
    pub snapshots: Option<Vec<Snapshot>>,
    pub images: Option<Vec<Image>>,
    pub snapshot_policies: Option<Vec<SnapshotPolicy>>,
    pub faults: Option<Vec<Fault>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct Settings {
    pub auth: Option<Choice<AuthMode>>,
    pub timings: Option<Timings>,
    pub idempotency_ttl_seconds: Option<Uint>,
    pub signature_max_skew_seconds: Option<Uint>,
    pub rate_limits: Option<RateLimits>,
}

/// Requests per second per account, by `dialect:Action`.
pub struct RateLimits(pub Vec<(String, U32)>);

impl<'de> Deserialize<'de> for RateLimits {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let limits = Pairs::read(d, "an object of \"dialect:Action\": requests per second")?;
        Ok(RateLimits(limits.0))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct Timings {
    pub snapshot_seconds: Option<Uint>,
    pub image_seconds: Option<Uint>,
    pub request_processing_ms: Option<Uint>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct Account {
    pub id: String,
    pub provider: Choice<Provider>,
    pub balance_ok: Option<bool>,
    pub snapshot_service: Option<bool>,
    pub quotas: Option<Quotas>,
    pub resource_groups: Option<Vec<ResourceGroup>>,
    pub credentials: Vec<Credential>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct Quotas {
    pub images_per_region: Option<U32>,
    pub snapshots_per_disk: Option<U32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct ResourceGroup {
    pub id: String,
    pub name: Option<String>,
    pub default: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct Credential {
    pub access_key_id: String,
    pub secret: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct Region {
    pub id: String,
    pub provider: Choice<Provider>,
    pub zones: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct Instance {
    pub id: String,
    pub account: String,
    pub region: String,
    pub zone: String,
    pub status: Option<Choice<InstanceStatus>>,
    pub os: Option<Choice<Os>>,
    pub gpu: Option<bool>,
    pub locked_for_security: Option<bool>,
    pub ever_started: Option<bool>,
    pub operation_in_progress: Option<bool>,
    pub image_supported: Option<bool>,
    pub full_image_supported: Option<bool>,
    pub instance_image_supported: Option<bool>,
    pub stopped_mode: Option<Choice<StoppedMode>>,
    pub soft_shutdown_fails: Option<bool>,
    /// The custom image the instance runs (an image of this world).
    pub image: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct Disk {
    pub id: String,
    pub account: String,
    pub region: String,
    pub zone: String,
    #[serde(rename = "type")]
    pub kind: Choice<DiskType>,
    pub category: Option<String>,
    pub shared_block: Option<bool>,
    pub size_gb: Option<U32>,
    /// An id not in the world is a released instance.
    pub instance: Option<String>,
    pub ever_attached: Option<bool>,
    pub ever_used: Option<bool>,
    pub data_loaded_at: Option<Time>,
    pub status: Option<Choice<DiskStatus>>,
    pub billing: Option<Choice<Billing>>,
    pub snapshot_supported: Option<bool>,
    pub device_type_supported: Option<bool>,
    pub kms_authorized: Option<bool>,
    /// The snapshot the disk was created from (a snapshot of this world).
    pub source_snapshot: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct Snapshot {
    pub id: String,
    pub account: String,
    pub region: String,
    pub disk: String,
    pub source_disk_type: Option<Choice<DiskType>>,
    pub size_gb: Option<U32>,
    pub created_at: Option<Time>,
    pub status: Option<Choice<SnapshotStatus>>,
    /// How far a snapshot that stays in progress has got (an addition to the format).
    pub progress: Option<Int<0, 99>>,
    pub name: Option<String>,
    pub image_allowed: Option<bool>,
    pub retention_days: Option<Int<1, 65_536>>,
    pub tags: Option<Pairs<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct Image {
    pub id: String,
    pub account: String,
    pub region: String,
    pub name: String,
    pub status: Option<Choice<ImageStatus>>,
    pub created_at: Option<Time>,
    pub source_instance: Option<String>,
    /// The size of its one system disk when it has no source instance in the world (an addition
    /// to the format).
    pub size_gb: Option<U32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct SnapshotPolicy {
    pub id: String,
    pub account: String,
    pub region: String,
    pub time_points: Vec<Int<0, 23>>,
    pub utc_offset_hours: Option<Int<-12, 14>>,
    /// Monday = 1.
    pub repeat_weekdays: Option<Vec<Int<1, 7>>>,
    /// -1 keeps them forever; 0 is refused with the other checks.
    pub retention_days: Option<Int<-1, 65_536>>,
    pub disks: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct Fault {
    pub dialect: String,
    pub action: String,
    pub resource: String,
    pub code: String,
}

impl Snapshot {
    /// Its status: `accomplished` unless given.
    pub fn status(&self) -> SnapshotStatus {
        self.status.map_or(SnapshotStatus::Accomplished, |s| s.get())
    }
}

/// The state a world's snapshot is given; it keeps it (`progressing` never completes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotStatus {
    Progressing,
    Accomplished,
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageStatus {
    Available,
    Creating,
    Failed,
}

impl Spelled for SnapshotStatus {
    const WHAT: &'static str = "snapshot status";
    const ALL: &'static [(&'static str, Self)] = &[
        ("progressing", SnapshotStatus::Progressing),
        ("accomplished", SnapshotStatus::Accomplished),
        ("failed", SnapshotStatus::Failed),
    ];
}

impl Spelled for ImageStatus {
    const WHAT: &'static str = "image status";
    const ALL: &'static [(&'static str, Self)] = &[
        ("available", ImageStatus::Available),
        ("creating", ImageStatus::Creating),
        ("failed", ImageStatus::Failed),
    ];
}

impl Spelled for Provider {
    const WHAT: &'static str = "provider";
    const ALL: &'static [(&'static str, Self)] =
        &[("alibaba", Provider::Alibaba), ("tencent", Provider::Tencent), ("zenlayer", Provider::Zenlayer)];
}

impl Spelled for AuthMode {
    const WHAT: &'static str = "auth mode";
    const ALL: &'static [(&'static str, Self)] = &[("strict", AuthMode::Strict), ("off", AuthMode::Off)];
}

impl Spelled for InstanceStatus {
    const WHAT: &'static str = "status";
    const ALL: &'static [(&'static str, Self)] = &[
        ("pending", InstanceStatus::Pending),
        ("starting", InstanceStatus::Starting),
        ("running", InstanceStatus::Running),
        ("stopping", InstanceStatus::Stopping),
        ("stopped", InstanceStatus::Stopped),
        ("rebooting", InstanceStatus::Rebooting),
        ("terminating", InstanceStatus::Terminating),
    ];
}

impl Spelled for Os {
    const WHAT: &'static str = "os";
    const ALL: &'static [(&'static str, Self)] = &[("linux", Os::Linux), ("windows", Os::Windows)];
}

impl Spelled for StoppedMode {
    const WHAT: &'static str = "stopped mode";
    const ALL: &'static [(&'static str, Self)] =
        &[("keep_charging", StoppedMode::KeepCharging), ("stop_charging", StoppedMode::StopCharging)];
}

impl Spelled for DiskType {
    const WHAT: &'static str = "disk type";
    const ALL: &'static [(&'static str, Self)] = &[("system", DiskType::System), ("data", DiskType::Data)];
}

impl Spelled for DiskStatus {
    const WHAT: &'static str = "disk status";
    const ALL: &'static [(&'static str, Self)] = &[
        ("in_use", DiskStatus::InUse),
        ("available", DiskStatus::Available),
        ("creating", DiskStatus::Creating),
        ("invalid", DiskStatus::Invalid),
        ("transferring", DiskStatus::Transferring),
        ("detaching", DiskStatus::Detaching),
    ];
}

impl Spelled for Billing {
    const WHAT: &'static str = "billing state";
    const ALL: &'static [(&'static str, Self)] =
        &[("ok", Billing::Ok), ("expired", Billing::Expired), ("arrears", Billing::Arrears)];
}
