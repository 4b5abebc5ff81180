//! Domain resources as the ECS API shows them.

use super::params::DescribeSnapshots;
use chrono::{DateTime, SecondsFormat, Utc};
use domain::{DiskType, Progress, Snapshot, Tag};
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
    let list: Vec<Value> = tags
        .iter()
        .map(|t| json!({"TagKey": t.key, "TagValue": t.value}))
        .collect();
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
        "RetentionDays": s.retention_days,
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
    pub fn matches(
        &self,
        s: &Snapshot,
        disks_of_instance: Option<&[String]>,
        now: DateTime<Utc>,
    ) -> bool {
        let state = status(s.state(now));
        s.region == self.region
            && self
                .snapshot_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&s.id))
            && self.disk_id.as_ref().is_none_or(|d| *d == s.disk_id)
            && disks_of_instance.is_none_or(|disks| disks.contains(&s.disk_id))
            && self
                .status
                .as_deref()
                .is_none_or(|st| st == "all" || st == state)
            && self
                .name
                .as_ref()
                .is_none_or(|n| s.name.as_ref() == Some(n))
            && self.snapshot_type.as_deref().is_none_or(|t| match t {
                "auto" => s.automatic,
                "user" => !s.automatic,
                _ => true,
            })
            && self
                .source_disk_type
                .as_deref()
                .is_none_or(|t| t == disk_type(s.source_disk_type))
            && self.tags.iter().all(|t| {
                s.tags
                    .iter()
                    .any(|st| st.key == t.key && (t.value.is_empty() || st.value == t.value))
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
    let page: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(query.page_size)
        .map(|s| snapshot(s, now))
        .collect();
    let mut out = Map::new();
    out.insert("TotalCount".into(), json!(matching.len()));
    out.insert("PageNumber".into(), json!(query.page_number));
    out.insert("PageSize".into(), json!(query.page_size));
    out.insert("NextToken".into(), json!(""));
    out.insert("Snapshots".into(), json!({ "Snapshot": page }));
    out
}
