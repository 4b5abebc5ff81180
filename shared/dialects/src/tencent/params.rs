//! Each action's parameters, checked by the rules of its page, into domain commands and queries.
//! Parameters arrive as the API 3.0 JSON body has them (see [`super::wire`]); flattened forms
//! carry every scalar as a string, so numbers and booleans are accepted both ways.

use super::wire::TcRequest;
use crate::json_params::{field, Params};
use chrono::{DateTime, Utc};
use domain::image::{CreateImage, ImageRules, ImageSource, MappingSpec, Shutdown};
use domain::snapshot::CreateSnapshot;
use domain::text::char_len;
use domain::{DomainError, DomainResult, Field, Tag};
use serde_json::{Map, Value};

/// CVM's limits: no snapshot is too old to make an image, and disks are 10–32000 GB.
pub const IMAGE_RULES: ImageRules =
    ImageRules { snapshots_since: None, disk_sizes: 10..=32_000, gpu_instances: true, stopped_only: false };

/// Tags as `[{"Key", "Value"}]`: keys 1–127 characters and unique, values up to 255.
fn tag_list(obj_list: &[&Map<String, Value>], list: &str) -> DomainResult<Vec<Tag>> {
    let mut tags: Vec<Tag> = Vec::new();
    for t in obj_list {
        let key = field(t, list, "Key")?.unwrap_or_default().to_string();
        let value = field(t, list, "Value")?.unwrap_or_default().to_string();
        if key.is_empty() || char_len(&key) > 127 {
            return Err(DomainError::invalid(&format!("{list}.Key"), "A tag key has 1 to 127 characters."));
        }
        if char_len(&value) > 255 {
            return Err(DomainError::invalid(
                &format!("{list}.Value"),
                "A tag value has at most 255 characters.",
            ));
        }
        if tags.iter().any(|x| x.key == key) {
            return Err(DomainError::DuplicateTagKey);
        }
        tags.push(Tag { key, value });
    }
    Ok(tags)
}

/// `TagSpecification`: `[{"ResourceType": "image", "Tags": [...]}]`.
fn tag_specification(p: &Params<'_>, resource_type: &str) -> DomainResult<Vec<Tag>> {
    let mut tags = Vec::new();
    for spec in p.objects("TagSpecification")? {
        let kind = field(spec, "TagSpecification", "ResourceType")?;
        if kind != Some(resource_type) {
            return Err(DomainError::invalid(
                "TagSpecification.ResourceType",
                format!("The resource type must be {resource_type}."),
            ));
        }
        let list: Vec<&Map<String, Value>> = match spec.get("Tags") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_object().ok_or_else(|| {
                        DomainError::invalid("TagSpecification.Tags", "It must be a list of tags.")
                    })
                })
                .collect::<DomainResult<_>>()?,
            Some(_) => {
                return Err(DomainError::invalid("TagSpecification.Tags", "It must be a list of tags."))
            }
        };
        tags.extend(tag_list(&list, "TagSpecification.Tags")?);
    }
    let mut keys: Vec<&str> = tags.iter().map(|t| t.key.as_str()).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return Err(DomainError::DuplicateTagKey);
    }
    Ok(tags)
}

/// A length limit in characters, reported as too long.
fn at_most(value: Option<String>, max: usize, field: Field) -> DomainResult<Option<String>> {
    match value {
        Some(v) if char_len(&v) > max => Err(DomainError::TooLong(field)),
        other => Ok(other.filter(|v| !v.is_empty())),
    }
}

const CREATE_IMAGE: [&str; 10] = [
    "ImageName",
    "InstanceId",
    "ImageDescription",
    "ForcePoweroff",
    "Sysprep",
    "DataDiskIds",
    "SnapshotIds",
    "DryRun",
    "TagSpecification",
    "ImageFamily",
];

/// CVM CreateImage (API 3.0). Returns the command and whether it is a dry run. The checks on the
/// shape of the request come first: a source is required, DataDiskIds need an InstanceId (this
/// wins over the conflict of InstanceId with SnapshotIds), then the lengths.
pub fn create_image(tc: &TcRequest, region: &str) -> DomainResult<(CreateImage, bool)> {
    let p = Params::of(&tc.params, &CREATE_IMAGE)?;
    let instance = p.string("InstanceId")?.filter(|s| !s.is_empty());
    let snapshots = p.strings("SnapshotIds")?.filter(|s| !s.is_empty());
    let data_disks = p.strings("DataDiskIds")?.filter(|d| !d.is_empty());
    if data_disks.is_some() && instance.is_none() {
        return Err(DomainError::DependsOn { name: "DataDiskIds".into(), on: "InstanceId".into() });
    }
    let source = match (instance, snapshots) {
        (None, None) => return Err(DomainError::OneOfRequired("InstanceId, SnapshotIds".into())),
        (Some(_), Some(_)) => {
            return Err(DomainError::ParameterConflict("InstanceId and SnapshotIds".into()))
        }
        (Some(id), None) => ImageSource::Instance(id),
        (None, Some(ids)) => ImageSource::Mappings(
            ids.into_iter()
                .map(|id| MappingSpec { snapshot_id: Some(id), size_gb: None, device: None, disk_type: None })
                .collect(),
        ),
    };
    let name = at_most(Some(p.required("ImageName")?), 60, Field::ImageName)?;
    let description = at_most(p.string("ImageDescription")?, 256, Field::Description)?;
    let force = p.boolean("ForcePoweroff")?.unwrap_or(false);
    let cmd = CreateImage {
        name,
        description,
        tags: tag_specification(&p, "image")?,
        image_family: p.string("ImageFamily")?.filter(|f| !f.is_empty()),
        data_disks: Some(data_disks.unwrap_or_default()),
        shutdown: if force { Shutdown::Forced } else { Shutdown::Soft },
        sysprep: p.boolean("Sysprep")?.unwrap_or(false),
        ..CreateImage::new(region, source, IMAGE_RULES)
    };
    Ok((cmd, p.boolean("DryRun")?.unwrap_or(false)))
}

/// CVM CreateImage on the older page (`/v2/index.php`): InstanceId and ImageName required,
/// ImageName up to 20 characters, ImageDescription up to 60, Sysprep; nothing else.
pub fn create_image_legacy(tc: &TcRequest, region: &str) -> DomainResult<CreateImage> {
    let p = Params::of(&tc.params, &["InstanceId", "ImageName", "ImageDescription", "Sysprep"])?;
    let instance = p.required("InstanceId")?;
    let name = at_most(Some(p.required("ImageName")?), 20, Field::ImageName)?;
    let description = at_most(p.string("ImageDescription")?, 60, Field::Description)?;
    Ok(CreateImage {
        name,
        description,
        data_disks: Some(Vec::new()),
        shutdown: Shutdown::Soft,
        sysprep: p.boolean("Sysprep")?.unwrap_or(false),
        ..CreateImage::from_instance(region, instance, IMAGE_RULES)
    })
}

/// One `Filters.N`: a name and the values any of which may match.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub name: String,
    pub values: Vec<String>,
}

impl Filter {
    pub fn any(&self, candidate: &str) -> bool {
        self.values.iter().any(|v| v == candidate)
    }

    /// `tag:<key>` filters name the tag key after the colon.
    pub fn tag_key(&self) -> Option<&str> {
        self.name.strip_prefix("tag:")
    }
}

fn filters(p: &Params<'_>, known: &[&str]) -> DomainResult<Vec<Filter>> {
    let mut out = Vec::new();
    for f in p.objects("Filters")? {
        let name = field(f, "Filters", "Name")?.unwrap_or_default().to_string();
        let is_tag = name.strip_prefix("tag:").is_some_and(|k| !k.is_empty());
        if !is_tag && !known.contains(&name.as_str()) {
            return Err(DomainError::InvalidFilter(name));
        }
        let values = match f.get("Values") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| DomainError::invalid("Filters.Values", "It must be a list of strings."))?,
            _ => return Err(DomainError::invalid("Filters.Values", "Each filter needs a list of values.")),
        };
        if values.is_empty() || values.len() > 5 {
            return Err(DomainError::invalid("Filters.Values", "Each filter takes 1 to 5 values."));
        }
        out.push(Filter { name, values });
    }
    if out.len() > 10 {
        return Err(DomainError::invalid("Filters", "At most 10 filters."));
    }
    Ok(out)
}

/// The values of a choice filter, checked against what the API allows.
fn check_values(filters: &[Filter], name: &str, allowed: &[&str]) -> DomainResult<()> {
    for f in filters.iter().filter(|f| f.name == name) {
        if let Some(bad) = f.values.iter().find(|v| !allowed.contains(&v.as_str())) {
            return Err(DomainError::invalid(
                "Filters.Values",
                format!("`{bad}` is not a value of {name} ({}).", allowed.join(", ")),
            ));
        }
    }
    Ok(())
}

/// Ids given directly, at most 100, each with the resource's prefix.
fn ids(p: &Params<'_>, name: &str, prefix: &str) -> DomainResult<Option<Vec<String>>> {
    let Some(ids) = p.strings(name)? else { return Ok(None) };
    if ids.len() > 100 {
        return Err(DomainError::invalid(name, "At most 100 ids."));
    }
    if let Some(bad) = ids.iter().find(|id| !id.starts_with(prefix)) {
        return Err(DomainError::MalformedId(bad.clone()));
    }
    Ok(Some(ids))
}

/// Paging: `Offset` from 0, `Limit` 1–100 (default 20).
fn paging(p: &Params<'_>) -> DomainResult<(usize, usize)> {
    let offset = p.integer("Offset", 0..=i64::from(u32::MAX))?.unwrap_or(0) as usize;
    let limit = p.integer("Limit", 1..=100)?.unwrap_or(20) as usize;
    Ok((offset, limit))
}

/// CVM DescribeImages: ids or filters (not both), and paging.
#[derive(Debug, Clone, PartialEq)]
pub struct DescribeImages {
    pub image_ids: Option<Vec<String>>,
    pub filters: Vec<Filter>,
    pub offset: usize,
    pub limit: usize,
}

pub const IMAGE_FILTERS: [&str; 9] = [
    "image-id",
    "image-type",
    "image-name",
    "image-state",
    "image-family",
    "platform",
    "tag-key",
    "tag-value",
    "instance-type",
];
pub const IMAGE_TYPES: [&str; 4] = ["PRIVATE_IMAGE", "PUBLIC_IMAGE", "SHARED_IMAGE", "MARKET_IMAGE"];
pub const IMAGE_STATES: [&str; 3] = ["CREATING", "NORMAL", "CREATEFAILED"];

pub fn describe_images(tc: &TcRequest) -> DomainResult<DescribeImages> {
    // Every custom image here suits every instance type, so `InstanceType` narrows nothing.
    let p = Params::of(&tc.params, &["ImageIds", "Filters", "Offset", "Limit", "InstanceType"])?;
    let image_ids = ids(&p, "ImageIds", "img-")?;
    let filters = filters(&p, &IMAGE_FILTERS)?;
    if image_ids.is_some() && !filters.is_empty() {
        return Err(DomainError::ParameterConflict("ImageIds and Filters".into()));
    }
    check_values(&filters, "image-type", &IMAGE_TYPES)?;
    check_values(&filters, "image-state", &IMAGE_STATES)?;
    let (offset, limit) = paging(&p)?;
    Ok(DescribeImages { image_ids, filters, offset, limit })
}

const CREATE_SNAPSHOT: [&str; 7] =
    ["DiskId", "SnapshotName", "Deadline", "DiskBackupId", "Tags", "LocalSnap", "DiskUsage"];

/// CBS CreateSnapshot: DiskId, SnapshotName (up to 60 characters), Deadline (a future ISO 8601
/// time: the snapshot is released then), Tags. Disk backups and local snapshots are not part of
/// this world, so `DiskBackupId` and `LocalSnap=true` are refused rather than ignored.
pub fn create_snapshot(tc: &TcRequest, region: &str, now: DateTime<Utc>) -> DomainResult<CreateSnapshot> {
    let p = Params::of(&tc.params, &CREATE_SNAPSHOT)?;
    let disk_id = p.required("DiskId")?;
    let name = match p.string("SnapshotName")? {
        Some(n) if char_len(&n) > 60 => {
            return Err(DomainError::invalid("SnapshotName", "It has at most 60 characters."))
        }
        other => other.filter(|n| !n.is_empty()),
    };
    let deadline = match p.string("Deadline")?.filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => match DateTime::parse_from_rfc3339(&d) {
            Ok(t) if t.with_timezone(&Utc) > now => Some(t.with_timezone(&Utc)),
            _ => {
                return Err(DomainError::invalid(
                    "Deadline",
                    "It must be a future time in ISO 8601, such as 2030-01-08T09:47:55+00:00.",
                ))
            }
        },
    };
    if p.has("DiskBackupId") {
        return Err(DomainError::invalid("DiskBackupId", "Snapshots from disk backups are not supported."));
    }
    if p.boolean("LocalSnap")? == Some(true) {
        return Err(DomainError::invalid("LocalSnap", "Local snapshots are not supported."));
    }
    if let Some(usage) = p.string("DiskUsage")? {
        if !["SYSTEM_DISK", "DATA_DISK"].contains(&usage.as_str()) {
            return Err(DomainError::invalid("DiskUsage", "Valid values: SYSTEM_DISK, DATA_DISK."));
        }
    }
    Ok(CreateSnapshot {
        region: Some(region.to_string()),
        name,
        deadline,
        tags: tag_list(&p.objects("Tags")?, "Tags")?,
        ..CreateSnapshot::new(disk_id)
    })
}

/// CBS DescribeSnapshots: ids or filters (not both), paging and order.
#[derive(Debug, Clone, PartialEq)]
pub struct DescribeSnapshots {
    pub snapshot_ids: Option<Vec<String>>,
    pub filters: Vec<Filter>,
    pub offset: usize,
    pub limit: usize,
    /// Oldest first (`Order=ASC`); newest first by default.
    pub ascending: bool,
    /// Order by disk size rather than creation time.
    pub by_size: bool,
}

pub const SNAPSHOT_FILTERS: [&str; 8] = [
    "snapshot-id",
    "disk-id",
    "snapshot-name",
    "snapshot-state",
    "disk-usage",
    "encrypt",
    "tag-key",
    "tag-value",
];
pub const SNAPSHOT_STATES: [&str; 3] = ["CREATING", "NORMAL", "CREATEFAILED"];

pub fn describe_snapshots(tc: &TcRequest) -> DomainResult<DescribeSnapshots> {
    let p = Params::of(&tc.params, &["SnapshotIds", "Filters", "Limit", "Offset", "OrderField", "Order"])?;
    let snapshot_ids = ids(&p, "SnapshotIds", "snap-")?;
    let filters = filters(&p, &SNAPSHOT_FILTERS)?;
    if snapshot_ids.is_some() && !filters.is_empty() {
        return Err(DomainError::ParameterConflict("SnapshotIds and Filters".into()));
    }
    check_values(&filters, "snapshot-state", &SNAPSHOT_STATES)?;
    check_values(&filters, "disk-usage", &["SYSTEM_DISK", "DATA_DISK"])?;
    check_values(&filters, "encrypt", &["TRUE", "FALSE"])?;
    let (offset, limit) = paging(&p)?;
    let ascending = match p.string("Order")?.as_deref() {
        None | Some("DESC") => false,
        Some("ASC") => true,
        Some(_) => return Err(DomainError::invalid("Order", "Valid values: ASC, DESC.")),
    };
    let by_size = match p.string("OrderField")?.as_deref() {
        None | Some("CREATE_TIME") => false,
        Some("DISK_SIZE") => true,
        Some(_) => return Err(DomainError::invalid("OrderField", "Valid values: CREATE_TIME, DISK_SIZE.")),
    };
    Ok(DescribeSnapshots { snapshot_ids, filters, offset, limit, ascending, by_size })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use serde_json::json;

    fn tc(body: Value) -> TcRequest {
        let req = http::Request::builder()
            .method("POST")
            .uri("/")
            .header("x-tc-action", "CreateImage")
            .header("content-type", "application/json")
            .body(Bytes::from(body.to_string()))
            .unwrap();
        TcRequest::parse(&req).unwrap()
    }

    #[test]
    fn create_image_shape_rules_in_order() {
        let err = |b: Value| create_image(&tc(b), "r").unwrap_err();
        assert!(matches!(err(json!({"ImageName": "a"})), DomainError::OneOfRequired(_)));
        assert!(matches!(
            err(json!({"ImageName": "a", "DataDiskIds": ["d"]})),
            DomainError::DependsOn { .. }
        ));
        assert!(matches!(
            err(json!({"ImageName": "a", "DataDiskIds": ["d"], "SnapshotIds": ["s"]})),
            DomainError::DependsOn { .. }
        ));
        assert!(matches!(
            err(json!({"ImageName": "a", "InstanceId": "i", "SnapshotIds": ["s"]})),
            DomainError::ParameterConflict(_)
        ));
        assert_eq!(err(json!({"InstanceId": "i"})), DomainError::missing("ImageName"));
        assert_eq!(
            err(json!({"InstanceId": "i", "ImageName": "a".repeat(61)})),
            DomainError::TooLong(Field::ImageName)
        );
        assert_eq!(
            err(json!({"InstanceId": "i", "ImageName": "a", "ImageDescription": "d".repeat(257)})),
            DomainError::TooLong(Field::Description)
        );
        assert!(matches!(
            err(json!({"InstanceId": "i", "ImageName": "a", "Bogus": 1})),
            DomainError::UnknownParameter(_)
        ));
        assert!(matches!(
            err(json!({"InstanceId": "i", "ImageName": "a", "ForcePoweroff": "maybe"})),
            DomainError::InvalidParameter { .. }
        ));
    }

    #[test]
    fn create_image_reads_every_field() {
        let (cmd, dry) = create_image(
            &tc(json!({"InstanceId": "i", "ImageName": "n", "ForcePoweroff": "TRUE", "Sysprep": false,
                       "DataDiskIds": ["d1"], "DryRun": true, "ImageFamily": "f",
                       "TagSpecification": [{"ResourceType": "image", "Tags": [{"Key": "k", "Value": "v"}]}]})),
            "ap-guangzhou",
        )
        .unwrap();
        assert!(dry);
        assert_eq!(cmd.shutdown, Shutdown::Forced);
        assert_eq!(cmd.data_disks, Some(vec!["d1".to_string()]));
        assert_eq!(cmd.tags, vec![Tag { key: "k".into(), value: "v".into() }]);
        assert_eq!(cmd.image_family.as_deref(), Some("f"));
        let dup = json!({"InstanceId": "i", "ImageName": "n", "TagSpecification": [{"ResourceType": "image",
            "Tags": [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]}]});
        assert_eq!(create_image(&tc(dup), "r").unwrap_err(), DomainError::DuplicateTagKey);
    }

    #[test]
    fn describe_filters() {
        let q = describe_images(&tc(json!({"Filters": [{"Name": "tag:env", "Values": ["a"]}], "Limit": 5})))
            .unwrap();
        assert_eq!(q.filters[0].tag_key(), Some("env"));
        assert_eq!(q.limit, 5);
        let err = |b: Value| describe_images(&tc(b)).unwrap_err();
        assert!(matches!(
            err(json!({"Filters": [{"Name": "nope", "Values": ["a"]}]})),
            DomainError::InvalidFilter(_)
        ));
        assert!(matches!(err(json!({"Limit": 101})), DomainError::InvalidParameter { .. }));
        assert!(matches!(err(json!({"ImageIds": ["bogus"]})), DomainError::MalformedId(_)));
        assert!(matches!(
            err(json!({"ImageIds": ["img-1"], "Filters": [{"Name": "image-id", "Values": ["img-1"]}]})),
            DomainError::ParameterConflict(_)
        ));
    }
}
