//! Domain resources as CVM (images) and CBS (snapshots) show them, and the filters of their
//! Describe calls.

use super::params::{DescribeImages, DescribeSnapshots, Filter};
use chrono::{DateTime, SecondsFormat, Utc};
use domain::{DiskType, Image, Progress, Snapshot, Tag};
use serde_json::{json, Map, Value};

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

fn tags(tags: &[Tag]) -> Value {
    Value::Array(tags.iter().map(|t| json!({"Key": t.key, "Value": t.value})).collect())
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

/// One image as DescribeImages lists it, in its state at `now`.
pub fn image(i: &Image, now: DateTime<Utc>) -> Value {
    let snapshots: Vec<Value> = i
        .disks
        .iter()
        .filter_map(|d| {
            d.snapshot_id
                .as_ref()
                .map(|id| json!({"SnapshotId": id, "DiskUsage": disk_usage(d.kind), "DiskSize": d.size_gb}))
        })
        .collect();
    let progress = i.state(now);
    json!({
        "ImageId": i.id,
        "OsName": platform(i),
        "ImageType": "PRIVATE_IMAGE",
        "CreatedTime": time(i.created_at),
        "ImageName": i.name,
        "ImageDescription": i.description.clone().unwrap_or_default(),
        "ImageSize": i.size_gb(),
        "Architecture": i.architecture.clone().unwrap_or_else(|| "x86_64".into()),
        "ImageState": state(progress),
        "Platform": platform(i),
        "ImageCreator": i.account,
        "ImageSource": "CREATE_IMAGE",
        "SyncPercent": percent(progress),
        "IsSupportCloudinit": true,
        "SnapshotSet": snapshots,
        "Tags": tags(&i.tags),
        "LicenseType": "TencentCloud",
        "ImageFamily": i.image_family.clone().unwrap_or_default(),
        "ImageDeprecated": false,
        "CdcCacheStatus": "",
    })
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

/// The DescribeImages answer for one page of the matching images.
pub fn image_page(query: &DescribeImages, matching: &[Image], now: DateTime<Utc>) -> Map<String, Value> {
    let page: Vec<Value> =
        matching.iter().skip(query.offset).take(query.limit).map(|i| image(i, now)).collect();
    let mut out = Map::new();
    out.insert("TotalCount".into(), json!(matching.len()));
    out.insert("ImageSet".into(), Value::Array(page));
    out
}

/// One snapshot as CBS DescribeSnapshots lists it, in its state at `now`; `zone` is its disk's.
pub fn snapshot(s: &Snapshot, zone: &str, now: DateTime<Utc>) -> Value {
    let progress = s.state(now);
    let deadline = s.expires_at().map(time);
    json!({
        "SnapshotId": s.id,
        "SnapshotName": s.name.clone().unwrap_or_default(),
        "SnapshotState": state(progress),
        "Percent": percent(progress),
        "DiskId": s.disk_id,
        "DiskUsage": disk_usage(s.source_disk_type),
        "DiskSize": s.size_gb,
        "CreateTime": time(s.created_at),
        "LatestModifyTime": time(s.ready_at.filter(|r| *r <= now).unwrap_or(s.created_at)),
        "DeadlineTime": deadline,
        "IsPermanent": deadline.is_none(),
        "Encrypt": false,
        "Placement": {"Zone": zone, "ProjectId": 0},
        "ImageCount": s.image_ids.len(),
        "Images": s.image_ids.iter().map(|id| json!({"ImageId": id})).collect::<Vec<_>>(),
        "SnapshotType": "PRIVATE_SNAPSHOT",
        "SnapshotMode": "NORMAL",
        "CopyFromRemote": false,
        "CopyingToRegions": [],
        "IsLocked": false,
        "ShareReference": 0,
        "TimeStartShare": null,
        "AutoSnapshotPolicyId": "",
        "Tags": tags(&s.tags),
    })
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

/// The DescribeSnapshots answer for one page; `zone_of` gives a disk's zone.
pub fn snapshot_page(
    query: &DescribeSnapshots,
    matching: &[Snapshot],
    zone_of: impl Fn(&str) -> String,
    now: DateTime<Utc>,
) -> Map<String, Value> {
    let page: Vec<Value> = matching
        .iter()
        .skip(query.offset)
        .take(query.limit)
        .map(|s| snapshot(s, &zone_of(&s.disk_id), now))
        .collect();
    let mut out = Map::new();
    out.insert("TotalCount".into(), json!(matching.len()));
    out.insert("SnapshotSet".into(), Value::Array(page));
    out
}
