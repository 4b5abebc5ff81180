//! Domain resources as ZEC shows them, the filters of its Describe calls, and each action's
//! answer: typed, in the field order the API sends.

use super::images::DescribeImages;
use super::snapshots::DescribeSnapshots;
use chrono::{DateTime, SecondsFormat, Utc};
use domain::{DiskType, Image, Os, Progress, ResourceGroup, Snapshot, Tag};
use serde::Serialize;

pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn image_status(p: Progress) -> &'static str {
    match p {
        Progress::InProgress { .. } => "CREATING",
        Progress::Done => "AVAILABLE",
        Progress::Failed => "UNAVAILABLE",
    }
}

pub fn snapshot_status(p: Progress) -> &'static str {
    match p {
        Progress::InProgress { .. } => "CREATING",
        Progress::Done => "AVAILABLE",
        Progress::Failed => "FAILED",
    }
}

crate::answers! {
    /// The answer of each action, as the pipeline carries it to [`super::success`].
    Answer {
        ImageCreated(ImageCreated),
        SnapshotCreated(SnapshotCreated),
        Images(Page<ImageView>),
        Images2024(Page<ImageView2024>),
        CustomImages(Page<CustomImageView>),
        Snapshots(Page<SnapshotView>),
        Done(Done),
        ImagesNotDeleted(ImagesNotDeleted),
        SnapshotsNotDeleted(SnapshotsNotDeleted),
    }
}

/// The answer of the calls that answer their request id alone.
#[derive(Debug, Serialize)]
pub struct Done {}

/// DeleteImages' answer: the ids of the images it did not delete ("an empty list means all
/// succeeded").
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImagesNotDeleted {
    pub image_ids: Vec<String>,
}

/// DeleteSnapshots' answer: the ids of the snapshots it did not delete.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotsNotDeleted {
    pub snapshot_ids: Vec<String>,
}

/// CreateImage's answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageCreated {
    pub image_id: String,
    pub image_name: String,
}

/// CreateSnapshot's answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotCreated {
    pub snapshot_id: String,
}

/// A Describe call's answer: the total that matched and one page of them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    total_count: usize,
    data_set: Vec<T>,
}

#[derive(Debug, Serialize)]
pub struct TagView {
    key: String,
    value: String,
}

#[derive(Debug, Serialize)]
pub struct Tags {
    tags: Vec<TagView>,
}

fn tags(tags: &[Tag]) -> Tags {
    Tags { tags: tags.iter().map(|t| TagView { key: t.key.clone(), value: t.value.clone() }).collect() }
}

fn os_type(i: &Image) -> &'static str {
    match i.os {
        Some(Os::Windows) => "windows",
        _ => "linux",
    }
}

fn category(i: &Image) -> &'static str {
    match i.os {
        Some(Os::Windows) => "Windows",
        _ => "Linux",
    }
}

/// Every image an account has here is its own custom image, made by CreateImage.
pub const IMAGE_TYPE: &str = "CUSTOM_IMAGE";
pub const IMAGE_SOURCE: &str = "CUSTOM";

/// One image as DescribeImages lists it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageView {
    image_id: String,
    image_name: String,
    image_type: &'static str,
    image_source: &'static str,
    image_size: u32,
    min_disk_size: u32,
    image_description: String,
    image_version: String,
    image_status: &'static str,
    nic_network_type: &'static str,
    category: &'static str,
    os_type: &'static str,
    tags: Tags,
}

pub fn image(i: &Image, now: DateTime<Utc>) -> ImageView {
    let size = i.size_gb();
    ImageView {
        image_id: i.id.clone(),
        image_name: i.name.clone(),
        image_type: IMAGE_TYPE,
        image_source: IMAGE_SOURCE,
        image_size: size,
        min_disk_size: size,
        image_description: i.description.clone().unwrap_or_default(),
        image_version: i.version.clone().unwrap_or_default(),
        image_status: image_status(i.state(now)),
        nic_network_type: "VirtioOnly",
        category: category(i),
        os_type: os_type(i),
        tags: tags(&i.tags),
    }
}

/// One image as DescribeImages lists it in 2024-04-01: that version's ten fields.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageView2024 {
    image_id: String,
    image_name: String,
    image_type: &'static str,
    image_size: u32,
    image_description: String,
    image_version: String,
    image_status: &'static str,
    nic_network_type: &'static str,
    category: &'static str,
    os_type: &'static str,
}

pub fn image_2024(i: &Image, now: DateTime<Utc>) -> ImageView2024 {
    let v = image(i, now);
    ImageView2024 {
        image_id: v.image_id,
        image_name: v.image_name,
        image_type: v.image_type,
        image_size: v.image_size,
        image_description: v.image_description,
        image_version: v.image_version,
        image_status: v.image_status,
        nic_network_type: v.nic_network_type,
        category: v.category,
        os_type: v.os_type,
    }
}

/// One image as DescribeCustomImages lists it: the same, with its region and resource group.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomImageView {
    #[serde(flatten)]
    image: ImageView,
    region_id_list: [String; 1],
    resource_group_id: String,
    resource_group_name: String,
}

pub fn custom_image(i: &Image, groups: &[ResourceGroup], now: DateTime<Utc>) -> CustomImageView {
    let group = i.resource_group_id.clone().unwrap_or_default();
    let name = groups.iter().find(|g| g.id == group).map(|g| g.name.clone()).unwrap_or_default();
    CustomImageView {
        image: image(i, now),
        region_id_list: [i.region.clone()],
        resource_group_id: group,
        resource_group_name: name,
    }
}

impl DescribeImages {
    pub fn matches(&self, i: &Image, now: DateTime<Utc>) -> bool {
        self.zone.as_ref().is_none_or(|z| i.zone.as_ref() == Some(z))
            && self.region.as_ref().is_none_or(|r| *r == i.region)
            && self.image_ids.as_ref().is_none_or(|ids| ids.contains(&i.id))
            && self.name.as_ref().is_none_or(|n| *n == i.name)
            && self.category.as_deref().is_none_or(|c| c == category(i))
            && self.image_type.as_deref().is_none_or(|t| t == IMAGE_TYPE)
            && self.image_source.as_deref().is_none_or(|s| s == IMAGE_SOURCE)
            && self.os_type.as_deref().is_none_or(|t| t == "any" || t == os_type(i))
            && self.status.as_deref().is_none_or(|s| s == image_status(i.state(now)))
            && self.resource_group_id.as_ref().is_none_or(|g| i.resource_group_id.as_ref() == Some(g))
            && self.tags.matches(&i.tags)
    }

    /// One page of `items` (already filtered), with the total.
    pub fn page<T>(&self, items: Vec<T>) -> Page<T> {
        paged(items, self.page_num, self.page_size)
    }
}

fn paged<T>(items: Vec<T>, page_num: usize, page_size: usize) -> Page<T> {
    let total_count = items.len();
    let start = (page_num - 1).saturating_mul(page_size);
    Page { total_count, data_set: items.into_iter().skip(start).take(page_size).collect() }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceGroupView {
    resource_group_id: String,
    resource_group_name: String,
}

/// One snapshot as DescribeSnapshots lists it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotView {
    snapshot_id: String,
    snapshot_name: String,
    zone_id: String,
    status: &'static str,
    snapshot_type: &'static str,
    retention_time: Option<String>,
    disk_id: String,
    create_time: String,
    disk_ability: bool,
    resource_group: ResourceGroupView,
}

/// One snapshot as DescribeSnapshots lists it, in either version (the Go SDK's 2024-04-01 model,
/// which Terraform reads, has every field of 2025-09-01's; Terraform dereferences `snapshotType`,
/// `status` and `resourceGroup` unchecked, so they are always there); `zone` is its disk's.
pub fn snapshot(s: &Snapshot, zone: &str, groups: &[ResourceGroup], now: DateTime<Utc>) -> SnapshotView {
    let group = s.resource_group_id.clone().unwrap_or_default();
    let name = groups.iter().find(|g| g.id == group).map(|g| g.name.clone()).unwrap_or_default();
    SnapshotView {
        snapshot_id: s.id.clone(),
        snapshot_name: s.name.clone().unwrap_or_default(),
        zone_id: zone.into(),
        status: snapshot_status(s.state(now)),
        snapshot_type: if s.automatic { "Auto" } else { "Manual" },
        retention_time: s.expires_at().map(time),
        disk_id: s.disk_id.clone(),
        create_time: time(s.created_at),
        disk_ability: true,
        resource_group: ResourceGroupView { resource_group_id: group, resource_group_name: name },
    }
}

impl DescribeSnapshots {
    pub fn matches(&self, s: &Snapshot, zone: &str, now: DateTime<Utc>) -> bool {
        let kind = match s.source_disk_type {
            DiskType::System => "SYSTEM",
            DiskType::Data => "DATA",
        };
        self.snapshot_ids.as_ref().is_none_or(|ids| ids.contains(&s.id))
            && self.zone.as_deref().is_none_or(|z| z == zone)
            && self.status.as_deref().is_none_or(|st| st == snapshot_status(s.state(now)))
            && self.disk_ids.as_ref().is_none_or(|ids| ids.contains(&s.disk_id))
            && self.disk_type.as_deref().is_none_or(|t| t == kind)
            && self.snapshot_type.as_deref().is_none_or(|t| (t == "Auto") == s.automatic)
            && self.name.as_ref().is_none_or(|n| s.name.as_ref() == Some(n))
            && self.resource_group_id.as_ref().is_none_or(|g| s.resource_group_id.as_ref() == Some(g))
    }

    pub fn page<T>(&self, items: Vec<T>) -> Page<T> {
        paged(items, self.page_num, self.page_size)
    }
}
