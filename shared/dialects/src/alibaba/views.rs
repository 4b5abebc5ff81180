//! Domain resources as the ECS API shows them.

use super::params::{DescribeImages, DescribeSnapshots};
use chrono::{DateTime, SecondsFormat, Utc};
use domain::{DiskType, Image, Progress, Snapshot, Tag};
use serde_json::{json, Map, Value};

pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn status(p: Progress) -> &'static str {
    match p {
        Progress::InProgress { .. } => "progressing",
        Progress::Done => "accomplished",
        Progress::Failed => "failed",
    }
}

pub fn percent(p: Progress) -> String {
    match p {
        Progress::InProgress { percent } => format!("{percent}%"),
        Progress::Done => "100%".into(),
        Progress::Failed => "0%".into(),
    }
}

pub fn tags(tags: &[Tag]) -> Value {
    let list: Vec<Value> = tags.iter().map(|t| json!({"TagKey": t.key, "TagValue": t.value})).collect();
    json!({ "Tag": list })
}

fn disk_type(t: DiskType) -> &'static str {
    match t {
        DiskType::System => "system",
        DiskType::Data => "data",
    }
}

/// One snapshot as DescribeSnapshots lists it, in its state at `now`.
pub fn snapshot(s: &Snapshot, now: DateTime<Utc>) -> Value {
    let state = s.state(now);
    let remain = match (state, s.ready_at) {
        (Progress::InProgress { .. }, Some(ready)) => (ready - now).num_seconds().max(0),
        _ => 0,
    };
    json!({
        "SnapshotId": s.id,
        "SnapshotName": s.name.clone().unwrap_or_default(),
        "Description": s.description.clone().unwrap_or_default(),
        "Status": status(state),
        "Progress": percent(state),
        "RemainTime": remain,
        "SourceDiskId": s.disk_id,
        "SourceDiskType": disk_type(s.source_disk_type),
        "SourceDiskSize": s.size_gb.to_string(),
        "SourceStorageType": "disk",
        "CreationTime": time(s.created_at),
        "LastModifiedTime": time(s.ready_at.filter(|r| *r <= now).unwrap_or(s.created_at)),
        "RetentionDays": s.retention_days.unwrap_or(0),
        "SnapshotType": if s.automatic { "auto" } else { "user" },
        "Category": s.category.clone().unwrap_or_else(|| "standard".into()),
        "Usage": if s.image_ids.is_empty() { "none" } else { "image" },
        "Encrypted": false,
        "InstantAccess": false,
        "ProductCode": "",
        "RegionId": s.region,
        "ResourceGroupId": s.resource_group_id.clone().unwrap_or_default(),
        "Tags": tags(&s.tags),
    })
}

impl DescribeSnapshots {
    /// Whether a snapshot passes every filter given (they combine with AND).
    pub fn matches(&self, s: &Snapshot, disks_of_instance: Option<&[String]>, now: DateTime<Utc>) -> bool {
        let state = status(s.state(now));
        s.region == self.region
            && self.snapshot_ids.as_ref().is_none_or(|ids| ids.contains(&s.id))
            && self.disk_id.as_ref().is_none_or(|d| *d == s.disk_id)
            && disks_of_instance.is_none_or(|disks| disks.contains(&s.disk_id))
            && self.status.as_deref().is_none_or(|st| st == "all" || st == state)
            && self.name.as_ref().is_none_or(|n| s.name.as_ref() == Some(n))
            && self.snapshot_type.as_deref().is_none_or(|t| match t {
                "auto" => s.automatic,
                "user" => !s.automatic,
                _ => true,
            })
            && self.source_disk_type.as_deref().is_none_or(|t| t == disk_type(s.source_disk_type))
            && self.tags.iter().all(|t| {
                s.tags.iter().any(|st| st.key == t.key && (t.value.is_empty() || st.value == t.value))
            })
    }
}

/// The DescribeSnapshots answer for one page of the matching snapshots.
pub fn snapshot_page(
    query: &DescribeSnapshots,
    matching: &[Snapshot],
    now: DateTime<Utc>,
) -> Map<String, Value> {
    let start = (query.page_number - 1).saturating_mul(query.page_size);
    let page: Vec<Value> =
        matching.iter().skip(start).take(query.page_size).map(|s| snapshot(s, now)).collect();
    let mut out = Map::new();
    out.insert("TotalCount".into(), json!(matching.len()));
    out.insert("PageNumber".into(), json!(query.page_number));
    out.insert("PageSize".into(), json!(query.page_size));
    out.insert("NextToken".into(), json!(""));
    out.insert("Snapshots".into(), json!({ "Snapshot": page }));
    out
}

pub fn image_status(p: Progress) -> &'static str {
    match p {
        Progress::InProgress { .. } => "Creating",
        Progress::Done => "Available",
        Progress::Failed => "CreateFailed",
    }
}

/// One image as DescribeImages lists it, in its state at `now`.
pub fn image(i: &Image, now: DateTime<Utc>) -> Value {
    let state = i.state(now);
    let mappings: Vec<Value> = i
        .disks
        .iter()
        .map(|d| {
            json!({
                "Device": d.device,
                "SnapshotId": d.snapshot_id.clone().unwrap_or_default(),
                "Size": d.size_gb.to_string(),
                "Type": disk_type(d.kind),
                "Format": "",
                "ImportOSSBucket": "",
                "ImportOSSObject": "",
                "Progress": percent(state),
                "RemainTime": 0,
            })
        })
        .collect();
    json!({
        "ImageId": i.id,
        "ImageName": i.name,
        "ImageVersion": i.version.clone().unwrap_or_default(),
        "Description": i.description.clone().unwrap_or_default(),
        "Status": image_status(state),
        "Progress": percent(state),
        "CreationTime": time(i.created_at),
        "Size": i.size_gb(),
        "DiskDeviceMappings": { "DiskDeviceMapping": mappings },
        "Tags": tags(&i.tags),
        "Usage": "none",
        "IsSelfShared": "",
        "ImageOwnerAlias": "self",
        "ImageOwnerId": 0,
        "IsPublic": false,
        "IsCopied": false,
        "IsSubscribed": false,
        "IsSupportCloudinit": true,
        "IsSupportIoOptimized": true,
        "OSType": if i.platform.as_deref().is_some_and(|p| p.to_ascii_lowercase().contains("windows")) { "windows" } else { "linux" },
        "OSName": i.platform.clone().unwrap_or_default(),
        "Platform": i.platform.clone().unwrap_or_default(),
        "Architecture": i.architecture.clone().unwrap_or_else(|| "x86_64".into()),
        "ImageFamily": i.image_family.clone().unwrap_or_default(),
        "BootMode": i.boot_mode.clone().unwrap_or_else(|| "BIOS".into()),
        "ResourceGroupId": i.resource_group_id.clone().unwrap_or_default(),
        "SourceInstanceId": i.source_instance.clone().unwrap_or_default(),
        "ProductCode": "",
    })
}

impl DescribeImages {
    pub fn matches(&self, i: &Image, now: DateTime<Utc>) -> bool {
        let status = image_status(i.state(now)).to_ascii_lowercase();
        i.region == self.region
            // Every image here is the caller's own custom image.
            && self.owner_alias.as_deref().is_none_or(|a| a == "self")
            && self.image_ids.as_ref().is_none_or(|ids| ids.contains(&i.id))
            && self.name.as_ref().is_none_or(|n| *n == i.name)
            && self.statuses.contains(&status)
            && self.image_family.as_ref().is_none_or(|f| i.image_family.as_ref() == Some(f))
            && self.tags.iter().all(|t| i.tags.iter().any(|it| it.key == t.key && (t.value.is_empty() || it.value == t.value)))
    }
}

/// The DescribeImages answer for one page of the matching images.
pub fn image_page(query: &DescribeImages, matching: &[Image], now: DateTime<Utc>) -> Map<String, Value> {
    let start = (query.page_number - 1).saturating_mul(query.page_size);
    let page: Vec<Value> = matching.iter().skip(start).take(query.page_size).map(|i| image(i, now)).collect();
    let mut out = Map::new();
    out.insert("RegionId".into(), json!(query.region));
    out.insert("TotalCount".into(), json!(matching.len()));
    out.insert("PageNumber".into(), json!(query.page_number));
    out.insert("PageSize".into(), json!(query.page_size));
    out.insert("Images".into(), json!({ "Image": page }));
    out
}
