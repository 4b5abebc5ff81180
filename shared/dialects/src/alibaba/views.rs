//! Domain resources as the ECS API shows them, and each action's answer: typed, in the field
//! order the API sends, rendered to JSON or XML by [`super::success`].

use super::images::DescribeImages;
use super::paging::{self, Paging};
use super::snapshots::DescribeSnapshots;
use super::vocabulary::{
    self, disk_type, image_status, os_type, owner_id, snapshot_link_id, snapshot_status, snapshot_usage,
};
use chrono::{DateTime, SecondsFormat, Utc};
use domain::{Image, Progress, Snapshot, Tag};
use serde::Serialize;

pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn percent(p: Progress) -> String {
    match p {
        Progress::InProgress { percent } => format!("{percent}%"),
        Progress::Done => "100%".into(),
        Progress::Failed => "0%".into(),
    }
}

/// Seconds until something in progress is ready: 0 once it is, -1 (unknown) for one that never
/// completes on its own.
fn remain(state: Progress, ready_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> i64 {
    match (state, ready_at) {
        (Progress::InProgress { .. }, Some(ready)) => (ready - now).num_seconds().max(0),
        (Progress::InProgress { .. }, None) => -1,
        _ => 0,
    }
}

fn text(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or_default()
}

crate::answers! {
    /// The answer of each action, as the pipeline carries it to [`super::success`].
    Answer {
        SnapshotCreated(SnapshotCreated),
        ImageCreated(ImageCreated),
        Done(Done),
        Snapshots(SnapshotPage),
        Images(ImagePage),
        Tags(super::tags::TagPage),
    }
}

/// CreateSnapshot's answer.
#[derive(Debug, Serialize)]
pub struct SnapshotCreated {
    #[serde(rename = "SnapshotId")]
    pub snapshot_id: String,
}

/// The answer of an action that answers with its request id alone (DeleteSnapshot).
#[derive(Debug, Serialize)]
pub struct Done {}

/// CreateImage's answer.
#[derive(Debug, Serialize)]
pub struct ImageCreated {
    #[serde(rename = "ImageId")]
    pub image_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagView {
    tag_key: String,
    tag_value: String,
}

#[derive(Debug, Serialize)]
pub struct Tags {
    #[serde(rename = "Tag")]
    tag: Vec<TagView>,
}

pub fn tags(tags: &[Tag]) -> Tags {
    Tags {
        tag: tags.iter().map(|t| TagView { tag_key: t.key.clone(), tag_value: t.value.clone() }).collect(),
    }
}

/// One snapshot as DescribeSnapshots lists it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SnapshotView {
    snapshot_id: String,
    snapshot_name: String,
    description: String,
    status: &'static str,
    progress: String,
    remain_time: i64,
    source_disk_id: String,
    source_disk_type: &'static str,
    source_disk_size: String,
    source_storage_type: &'static str,
    snapshot_link_id: String,
    creation_time: String,
    last_modified_time: String,
    retention_days: u32,
    snapshot_type: &'static str,
    category: String,
    usage: &'static str,
    encrypted: bool,
    #[serde(rename = "KMSKeyId")]
    kms_key_id: &'static str,
    instant_access: bool,
    instant_access_retention_days: u32,
    product_code: &'static str,
    region_id: String,
    resource_group_id: String,
    tags: Tags,
}

/// One snapshot as DescribeSnapshots lists it, in its state at `now`.
pub fn snapshot(s: &Snapshot, now: DateTime<Utc>) -> SnapshotView {
    let state = s.state(now);
    SnapshotView {
        snapshot_id: s.id.clone(),
        snapshot_name: text(&s.name).into(),
        description: text(&s.description).into(),
        status: snapshot_status(state),
        progress: percent(state),
        remain_time: remain(state, s.ready_at, now),
        source_disk_id: s.disk_id.clone(),
        source_disk_type: disk_type(s.source_disk_type),
        source_disk_size: s.size_gb.to_string(),
        source_storage_type: "disk",
        snapshot_link_id: snapshot_link_id(s),
        creation_time: time(s.created_at),
        last_modified_time: time(s.ready_at.filter(|r| *r <= now).unwrap_or(s.created_at)),
        retention_days: s.retention_days.unwrap_or(0),
        snapshot_type: if s.automatic { "auto" } else { "user" },
        category: s.category.clone().unwrap_or_else(|| "standard".into()),
        usage: snapshot_usage(s),
        encrypted: false,
        kms_key_id: "",
        instant_access: s.instant_access.is_some(),
        instant_access_retention_days: s.instant_access.unwrap_or(0),
        product_code: "",
        region_id: s.region.clone(),
        resource_group_id: text(&s.resource_group_id).into(),
        tags: tags(&s.tags),
    }
}

/// DescribeSnapshots' answer: one page of the matching snapshots.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SnapshotPage {
    total_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_number: Option<usize>,
    page_size: usize,
    next_token: String,
    snapshots: SnapshotList,
}

#[derive(Debug, Serialize)]
pub struct SnapshotList {
    #[serde(rename = "Snapshot")]
    snapshot: Vec<SnapshotView>,
}

/// The DescribeSnapshots answer for one page of the matching snapshots.
pub fn snapshot_page(query: &DescribeSnapshots, matching: &[Snapshot], now: DateTime<Utc>) -> SnapshotPage {
    let (page, next) = paging::page(&query.paging, matching, &query.fingerprint);
    let (page_number, page_size) = match query.paging {
        Paging::Pages { number, size } => (Some(number), size),
        Paging::Token { max_results, .. } => (None, max_results),
    };
    SnapshotPage {
        total_count: matching.len(),
        page_number,
        page_size,
        next_token: next.unwrap_or_default(),
        snapshots: SnapshotList { snapshot: page.into_iter().map(|s| snapshot(s, now)).collect() },
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DiskMappingView {
    device: String,
    snapshot_id: String,
    size: String,
    #[serde(rename = "Type")]
    kind: &'static str,
    format: &'static str,
    #[serde(rename = "ImportOSSBucket")]
    import_oss_bucket: &'static str,
    #[serde(rename = "ImportOSSObject")]
    import_oss_object: &'static str,
    progress: String,
    remain_time: i64,
}

#[derive(Debug, Serialize)]
pub struct DiskMappings {
    #[serde(rename = "DiskDeviceMapping")]
    disk_device_mapping: Vec<DiskMappingView>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Features {
    imds_support: String,
    nvme_support: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DetectionOptions {
    status: &'static str,
}

/// One image as DescribeImages lists it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageView {
    image_id: String,
    image_name: String,
    image_version: String,
    description: String,
    status: &'static str,
    progress: String,
    creation_time: String,
    size: u32,
    disk_device_mappings: DiskMappings,
    tags: Tags,
    usage: &'static str,
    usable: bool,
    is_self_shared: &'static str,
    image_owner_alias: &'static str,
    image_owner_id: u64,
    is_public: bool,
    is_copied: bool,
    is_subscribed: bool,
    is_support_cloudinit: bool,
    is_support_io_optimized: bool,
    #[serde(rename = "OSType")]
    os_type: &'static str,
    #[serde(rename = "OSName")]
    os_name: String,
    platform: String,
    architecture: String,
    image_family: String,
    boot_mode: String,
    license_type: String,
    features: Features,
    detection_options: DetectionOptions,
    resource_group_id: String,
    source_instance_id: String,
    product_code: &'static str,
}

/// One image as DescribeImages lists it, in its state at `now`.
pub fn image(i: &Image, now: DateTime<Utc>) -> ImageView {
    let state = i.state(now);
    let mapping = |d: &domain::ImageDisk| DiskMappingView {
        device: d.device.clone(),
        snapshot_id: text(&d.snapshot_id).into(),
        size: d.size_gb.to_string(),
        kind: disk_type(d.kind),
        format: "",
        import_oss_bucket: "",
        import_oss_object: "",
        progress: percent(state),
        remain_time: remain(state, i.ready_at, now),
    };
    ImageView {
        image_id: i.id.clone(),
        image_name: i.name.clone(),
        image_version: text(&i.version).into(),
        description: text(&i.description).into(),
        status: image_status(i, now),
        progress: percent(state),
        creation_time: time(i.created_at),
        size: i.size_gb(),
        disk_device_mappings: DiskMappings { disk_device_mapping: i.disks.iter().map(mapping).collect() },
        tags: tags(&i.tags),
        usage: vocabulary::image_usage(i),
        usable: vocabulary::usable(state),
        is_self_shared: "",
        image_owner_alias: "self",
        image_owner_id: owner_id(&i.account),
        is_public: false,
        is_copied: false,
        is_subscribed: false,
        is_support_cloudinit: true,
        is_support_io_optimized: true,
        os_type: os_type(i),
        os_name: text(&i.platform).into(),
        platform: text(&i.platform).into(),
        architecture: i.architecture.clone().unwrap_or_else(|| "x86_64".into()),
        image_family: text(&i.image_family).into(),
        boot_mode: i.boot_mode.clone().unwrap_or_else(|| "BIOS".into()),
        license_type: text(&i.license_type).into(),
        features: Features {
            imds_support: i.imds_support.clone().unwrap_or_else(|| "v1".into()),
            nvme_support: i.nvme_support.clone().unwrap_or_else(|| "unsupported".into()),
        },
        detection_options: DetectionOptions {
            status: if i.detection_strategy.is_some() { "Finished" } else { "" },
        },
        resource_group_id: text(&i.resource_group_id).into(),
        source_instance_id: text(&i.source_instance).into(),
        product_code: "",
    }
}

/// DescribeImages' answer: one page of the matching images.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImagePage {
    region_id: String,
    total_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_number: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_size: Option<usize>,
    images: ImageList,
}

#[derive(Debug, Serialize)]
pub struct ImageList {
    #[serde(rename = "Image")]
    image: Vec<ImageView>,
}

/// The DescribeImages answer for one page of the matching images.
pub fn image_page(query: &DescribeImages, matching: &[Image], now: DateTime<Utc>) -> ImagePage {
    let (page, _) = paging::page(&query.paging, matching, "");
    let (page_number, page_size) = match query.paging {
        Paging::Pages { number, size } => (Some(number), Some(size)),
        Paging::Token { .. } => (None, None),
    };
    ImagePage {
        region_id: query.region.clone(),
        total_count: matching.len(),
        page_number,
        page_size,
        images: ImageList { image: page.into_iter().map(|i| image(i, now)).collect() },
    }
}
