//! Domain resources as ZEC shows them, and the filters of its Describe calls.

use super::params::{DescribeImages, DescribeSnapshots};
use chrono::{DateTime, SecondsFormat, Utc};
use domain::{DiskType, Image, Os, Progress, ResourceGroup, Snapshot, Tag};
use serde_json::{json, Map, Value};

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

fn tags(tags: &[Tag]) -> Value {
    let list: Vec<Value> = tags.iter().map(|t| json!({"key": t.key, "value": t.value})).collect();
    json!({ "tags": list })
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
pub fn image(i: &Image, now: DateTime<Utc>) -> Map<String, Value> {
    let size = i.size_gb();
    let fields = json!({
        "imageId": i.id,
        "imageName": i.name,
        "imageType": IMAGE_TYPE,
        "imageSource": IMAGE_SOURCE,
        "imageSize": size,
        "minDiskSize": size,
        "imageDescription": i.description.clone().unwrap_or_default(),
        "imageVersion": i.version.clone().unwrap_or_default(),
        "imageStatus": image_status(i.state(now)),
        "nicNetworkType": "VirtioOnly",
        "category": category(i),
        "osType": os_type(i),
        "tags": tags(&i.tags),
    });
    match fields {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// One image as DescribeCustomImages lists it: the same, with its region and resource group.
pub fn custom_image(i: &Image, groups: &[ResourceGroup], now: DateTime<Utc>) -> Map<String, Value> {
    let mut out = image(i, now);
    let group = i.resource_group_id.clone().unwrap_or_default();
    let name = groups.iter().find(|g| g.id == group).map(|g| g.name.clone()).unwrap_or_default();
    out.insert("regionIdList".into(), json!([i.region]));
    out.insert("resourceGroupId".into(), json!(group));
    out.insert("resourceGroupName".into(), json!(name));
    out
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
    pub fn page(&self, items: Vec<Map<String, Value>>) -> Map<String, Value> {
        paged(items, self.page_num, self.page_size)
    }
}

fn paged(items: Vec<Map<String, Value>>, page_num: usize, page_size: usize) -> Map<String, Value> {
    let total = items.len();
    let start = (page_num - 1).saturating_mul(page_size);
    let page: Vec<Value> = items.into_iter().skip(start).take(page_size).map(Value::Object).collect();
    let mut out = Map::new();
    out.insert("totalCount".into(), json!(total));
    out.insert("dataSet".into(), Value::Array(page));
    out
}

/// One snapshot as DescribeSnapshots lists it; `zone` is its disk's.
pub fn snapshot(
    s: &Snapshot,
    zone: &str,
    groups: &[ResourceGroup],
    now: DateTime<Utc>,
) -> Map<String, Value> {
    let group = s.resource_group_id.clone().unwrap_or_default();
    let name = groups.iter().find(|g| g.id == group).map(|g| g.name.clone()).unwrap_or_default();
    let fields = json!({
        "snapshotId": s.id,
        "snapshotName": s.name.clone().unwrap_or_default(),
        "zoneId": zone,
        "status": snapshot_status(s.state(now)),
        "snapshotType": if s.automatic { "Auto" } else { "Manual" },
        "retentionTime": s.expires_at().map(time),
        "diskId": s.disk_id,
        "createTime": time(s.created_at),
        "diskAbility": true,
        "resourceGroup": {"resourceGroupId": group, "resourceGroupName": name},
    });
    match fields {
        Value::Object(m) => m,
        _ => Map::new(),
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

    pub fn page(&self, items: Vec<Map<String, Value>>) -> Map<String, Value> {
        paged(items, self.page_num, self.page_size)
    }
}
