//! Domain resources as CVM (images) and CBS (snapshots) show them, the filters of their
//! Describe calls, and each action's answer: typed, in the field order the API sends.

use super::images::DescribeImages;
use super::params::Filter;
use super::snapshots::DescribeSnapshots;
use chrono::{DateTime, SecondsFormat, Utc};
use domain::{DiskType, Image, Progress, Snapshot, Tag};
use serde::Serialize;

pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `CREATING`, `NORMAL`, `CREATEFAILED`: the same words for images and snapshots.
pub fn state(p: Progress) -> &'static str {
    match p {
        Progress::InProgress { .. } => "CREATING",
        Progress::Done => "NORMAL",
        Progress::Failed => "CREATEFAILED",
    }
}

fn percent(p: Progress) -> u8 {
    match p {
        Progress::InProgress { percent } => percent,
        Progress::Done => 100,
        Progress::Failed => 0,
    }
}

fn disk_usage(t: DiskType) -> &'static str {
    match t {
        DiskType::System => "SYSTEM_DISK",
        DiskType::Data => "DATA_DISK",
    }
}

crate::answers! {
    /// The answer of each action, as the pipeline carries it to [`super::success`].
    Answer {
        ImageCreated(ImageCreated),
        SnapshotCreated(SnapshotCreated),
        Images(ImagePage),
        Snapshots(SnapshotPage),
        Done(Done),
        ResourceTags(super::tags::ResourceTagPage),
        Failures(super::tags::Failures),
    }
}

/// The answer of an action that answers with its request id alone (the deletes and modifies).
#[derive(Debug, Serialize)]
pub struct Done {}

/// CreateImage's answer.
#[derive(Debug, Serialize)]
pub struct ImageCreated {
    #[serde(rename = "ImageId")]
    pub image_id: String,
}

/// CreateSnapshot's answer.
#[derive(Debug, Serialize)]
pub struct SnapshotCreated {
    #[serde(rename = "SnapshotId")]
    pub snapshot_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagView {
    key: String,
    value: String,
}

fn tags(tags: &[Tag]) -> Vec<TagView> {
    tags.iter().map(|t| TagView { key: t.key.clone(), value: t.value.clone() }).collect()
}

/// Whether a resource's tags pass the `tag-key`, `tag-value` and `tag:<key>` filters.
fn tag_filter(f: &Filter, tags: &[Tag]) -> Option<bool> {
    match (f.name.as_str(), f.tag_key()) {
        ("tag-key", _) => Some(tags.iter().any(|t| f.any(&t.key))),
        ("tag-value", _) => Some(tags.iter().any(|t| f.any(&t.value))),
        (_, Some(key)) => Some(tags.iter().any(|t| t.key == key && f.any(&t.value))),
        _ => None,
    }
}

fn platform(i: &Image) -> String {
    i.platform.clone().unwrap_or_else(|| "TencentOS".into())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageSnapshotView {
    snapshot_id: String,
    disk_usage: &'static str,
    disk_size: u32,
}

/// One image as DescribeImages lists it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageView {
    image_id: String,
    os_name: String,
    image_type: &'static str,
    created_time: String,
    image_name: String,
    image_description: String,
    image_size: u32,
    architecture: String,
    image_state: &'static str,
    platform: String,
    image_creator: String,
    image_source: &'static str,
    sync_percent: u8,
    is_support_cloudinit: bool,
    snapshot_set: Vec<ImageSnapshotView>,
    tags: Vec<TagView>,
    license_type: &'static str,
    image_family: String,
    image_deprecated: bool,
    cdc_cache_status: &'static str,
}

/// One image as DescribeImages lists it, in its state at `now`.
pub fn image(i: &Image, now: DateTime<Utc>) -> ImageView {
    let snapshot_set = i
        .disks
        .iter()
        .filter_map(|d| {
            d.snapshot_id.as_ref().map(|id| ImageSnapshotView {
                snapshot_id: id.clone(),
                disk_usage: disk_usage(d.kind),
                disk_size: d.size_gb,
            })
        })
        .collect();
    let progress = i.state(now);
    ImageView {
        image_id: i.id.clone(),
        os_name: platform(i),
        image_type: "PRIVATE_IMAGE",
        created_time: time(i.created_at),
        image_name: i.name.clone(),
        image_description: i.description.clone().unwrap_or_default(),
        image_size: i.size_gb(),
        architecture: i.architecture.clone().unwrap_or_else(|| "x86_64".into()),
        image_state: state(progress),
        platform: platform(i),
        image_creator: i.account.clone(),
        image_source: "CREATE_IMAGE",
        sync_percent: percent(progress),
        is_support_cloudinit: true,
        snapshot_set,
        tags: tags(&i.tags),
        license_type: "TencentCloud",
        image_family: i.image_family.clone().unwrap_or_default(),
        image_deprecated: i.deprecated,
        cdc_cache_status: "",
    }
}

impl DescribeImages {
    /// Whether an image passes the ids or every filter (values of one filter combine with OR).
    pub fn matches(&self, i: &Image, now: DateTime<Utc>) -> bool {
        if let Some(ids) = &self.image_ids {
            return ids.contains(&i.id);
        }
        self.filters.iter().all(|f| match f.name.as_str() {
            "image-id" => f.any(&i.id),
            // Every image an account has here is its own custom image.
            "image-type" => f.any("PRIVATE_IMAGE"),
            "image-name" => f.any(&i.name),
            "image-state" => f.any(state(i.state(now))),
            "image-family" => f.any(i.image_family.as_deref().unwrap_or_default()),
            "platform" => f.any(&platform(i)),
            // Every custom image here suits every instance type.
            "instance-type" => true,
            _ => tag_filter(f, &i.tags).unwrap_or(false),
        })
    }
}

/// DescribeImages' answer: one page of the matching images.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImagePage {
    total_count: usize,
    image_set: Vec<ImageView>,
}

/// The DescribeImages answer for one page of the matching images.
pub fn image_page(query: &DescribeImages, matching: &[Image], now: DateTime<Utc>) -> ImagePage {
    let image_set = matching.iter().skip(query.offset).take(query.limit).map(|i| image(i, now)).collect();
    ImagePage { total_count: matching.len(), image_set }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PlacementView {
    zone: String,
    project_id: u32,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageRef {
    image_id: String,
}

/// One snapshot as CBS DescribeSnapshots lists it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SnapshotView {
    snapshot_id: String,
    snapshot_name: String,
    snapshot_state: &'static str,
    percent: u8,
    disk_id: String,
    disk_usage: &'static str,
    disk_size: u32,
    create_time: String,
    latest_modify_time: String,
    deadline_time: Option<String>,
    is_permanent: bool,
    encrypt: bool,
    placement: PlacementView,
    image_count: usize,
    images: Vec<ImageRef>,
    snapshot_type: &'static str,
    snapshot_mode: &'static str,
    copy_from_remote: bool,
    copying_to_regions: [String; 0],
    is_locked: bool,
    share_reference: u32,
    time_start_share: Option<String>,
    auto_snapshot_policy_id: &'static str,
    tags: Vec<TagView>,
}

/// One snapshot as CBS DescribeSnapshots lists it, in its state at `now`; `zone` is its disk's.
pub fn snapshot(s: &Snapshot, zone: &str, now: DateTime<Utc>) -> SnapshotView {
    let progress = s.state(now);
    let deadline = s.expires_at().map(time);
    SnapshotView {
        snapshot_id: s.id.clone(),
        snapshot_name: s.name.clone().unwrap_or_default(),
        snapshot_state: state(progress),
        percent: percent(progress),
        disk_id: s.disk_id.clone(),
        disk_usage: disk_usage(s.source_disk_type),
        disk_size: s.size_gb,
        create_time: time(s.created_at),
        latest_modify_time: time(s.ready_at.filter(|r| *r <= now).unwrap_or(s.created_at)),
        is_permanent: deadline.is_none(),
        deadline_time: deadline,
        encrypt: false,
        placement: PlacementView { zone: zone.into(), project_id: 0 },
        image_count: s.image_ids.len(),
        images: s.image_ids.iter().map(|id| ImageRef { image_id: id.clone() }).collect(),
        snapshot_type: "PRIVATE_SNAPSHOT",
        snapshot_mode: "NORMAL",
        copy_from_remote: false,
        copying_to_regions: [],
        is_locked: false,
        share_reference: 0,
        time_start_share: None,
        auto_snapshot_policy_id: "",
        tags: tags(&s.tags),
    }
}

impl DescribeSnapshots {
    pub fn matches(&self, s: &Snapshot, now: DateTime<Utc>) -> bool {
        if let Some(ids) = &self.snapshot_ids {
            return ids.contains(&s.id);
        }
        self.filters.iter().all(|f| match f.name.as_str() {
            "snapshot-id" => f.any(&s.id),
            "disk-id" => f.any(&s.disk_id),
            "snapshot-name" => f.any(s.name.as_deref().unwrap_or_default()),
            "snapshot-state" => f.any(state(s.state(now))),
            "disk-usage" => f.any(disk_usage(s.source_disk_type)),
            // Nothing here is encrypted.
            "encrypt" => f.any("FALSE"),
            _ => tag_filter(f, &s.tags).unwrap_or(false),
        })
    }

    /// Put the matching snapshots in the order asked (they arrive newest first).
    pub fn order(&self, snapshots: &mut [Snapshot]) {
        if self.by_size {
            snapshots.sort_by_key(|s| std::cmp::Reverse(s.size_gb));
        }
        if self.ascending {
            snapshots.reverse();
        }
    }
}

/// DescribeSnapshots' answer: one page of the matching snapshots.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SnapshotPage {
    total_count: usize,
    snapshot_set: Vec<SnapshotView>,
}

/// The DescribeSnapshots answer for one page; `zone_of` gives a disk's zone.
pub fn snapshot_page(
    query: &DescribeSnapshots,
    matching: &[Snapshot],
    zone_of: impl Fn(&str) -> String,
    now: DateTime<Utc>,
) -> SnapshotPage {
    let snapshot_set = matching
        .iter()
        .skip(query.offset)
        .take(query.limit)
        .map(|s| snapshot(s, &zone_of(&s.disk_id), now))
        .collect();
    SnapshotPage { total_count: matching.len(), snapshot_set }
}
