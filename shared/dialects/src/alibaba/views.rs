//! Domain resources as the ECS API shows them, and the Describe calls' pages.

use super::queries::{
    self, disk_type, image_status, os_type, owner_id, snapshot_link_id, snapshot_status, snapshot_usage,
    DescribeImages, DescribeSnapshots,
};
use chrono::{DateTime, SecondsFormat, Utc};
use domain::{Image, Progress, Snapshot, Tag};
use serde_json::{json, Map, Value};

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

pub fn tags(tags: &[Tag]) -> Value {
    let list: Vec<Value> = tags.iter().map(|t| json!({"TagKey": t.key, "TagValue": t.value})).collect();
    json!({ "Tag": list })
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

/// One snapshot as DescribeSnapshots lists it, in its state at `now`.
pub fn snapshot(s: &Snapshot, now: DateTime<Utc>) -> Value {
    let state = s.state(now);
    json!({
        "SnapshotId": s.id,
        "SnapshotName": s.name.clone().unwrap_or_default(),
        "Description": s.description.clone().unwrap_or_default(),
        "Status": snapshot_status(state),
        "Progress": percent(state),
        "RemainTime": remain(state, s.ready_at, now),
        "SourceDiskId": s.disk_id,
        "SourceDiskType": disk_type(s.source_disk_type),
        "SourceDiskSize": s.size_gb.to_string(),
        "SourceStorageType": "disk",
        "SnapshotLinkId": snapshot_link_id(s),
        "CreationTime": time(s.created_at),
        "LastModifiedTime": time(s.ready_at.filter(|r| *r <= now).unwrap_or(s.created_at)),
        "RetentionDays": s.retention_days.unwrap_or(0),
        "SnapshotType": if s.automatic { "auto" } else { "user" },
        "Category": s.category.clone().unwrap_or_else(|| "standard".into()),
        "Usage": snapshot_usage(s),
        "Encrypted": false,
        "KMSKeyId": "",
        "InstantAccess": s.instant_access.is_some(),
        "InstantAccessRetentionDays": s.instant_access.unwrap_or(0),
        "ProductCode": "",
        "RegionId": s.region,
        "ResourceGroupId": s.resource_group_id.clone().unwrap_or_default(),
        "Tags": tags(&s.tags),
    })
}

/// The DescribeSnapshots answer for one page of the matching snapshots.
pub fn snapshot_page(
    query: &DescribeSnapshots,
    matching: &[Snapshot],
    now: DateTime<Utc>,
) -> Map<String, Value> {
    let (page, next) = queries::page(&query.paging, matching, &query.fingerprint);
    let mut out = Map::new();
    out.insert("TotalCount".into(), json!(matching.len()));
    match query.paging {
        queries::Paging::Pages { number, size } => {
            out.insert("PageNumber".into(), json!(number));
            out.insert("PageSize".into(), json!(size));
        }
        queries::Paging::Token { max_results, .. } => {
            out.insert("PageSize".into(), json!(max_results));
        }
    }
    out.insert("NextToken".into(), json!(next.unwrap_or_default()));
    let items: Vec<Value> = page.into_iter().map(|s| snapshot(s, now)).collect();
    out.insert("Snapshots".into(), json!({ "Snapshot": items }));
    out
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
                "RemainTime": remain(state, i.ready_at, now),
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
        "ImageOwnerId": owner_id(&i.account),
        "IsPublic": false,
        "IsCopied": false,
        "IsSubscribed": false,
        "IsSupportCloudinit": true,
        "IsSupportIoOptimized": true,
        "OSType": os_type(i),
        "OSName": i.platform.clone().unwrap_or_default(),
        "Platform": i.platform.clone().unwrap_or_default(),
        "Architecture": i.architecture.clone().unwrap_or_else(|| "x86_64".into()),
        "ImageFamily": i.image_family.clone().unwrap_or_default(),
        "BootMode": i.boot_mode.clone().unwrap_or_else(|| "BIOS".into()),
        "Features": { "ImdsSupport": i.imds_support.clone().unwrap_or_else(|| "v1".into()), "NvmeSupport": "unsupported" },
        "DetectionOptions": { "Status": if i.detection_strategy.is_some() { "Finished" } else { "" } },
        "ResourceGroupId": i.resource_group_id.clone().unwrap_or_default(),
        "SourceInstanceId": i.source_instance.clone().unwrap_or_default(),
        "ProductCode": "",
    })
}

/// The DescribeImages answer for one page of the matching images.
pub fn image_page(query: &DescribeImages, matching: &[Image], now: DateTime<Utc>) -> Map<String, Value> {
    let (page, _) = queries::page(&query.paging, matching, "");
    let mut out = Map::new();
    out.insert("RegionId".into(), json!(query.region));
    out.insert("TotalCount".into(), json!(matching.len()));
    if let queries::Paging::Pages { number, size } = query.paging {
        out.insert("PageNumber".into(), json!(number));
        out.insert("PageSize".into(), json!(size));
    }
    let items: Vec<Value> = page.into_iter().map(|i| image(i, now)).collect();
    out.insert("Images".into(), json!({ "Image": items }));
    out
}
