//! Each ZEC action's parameters, checked by the rules of its page and SDK model, into domain
//! commands and queries.

use super::wire::ZlRequest;
use crate::json_params::{field, Params};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use domain::image::{CreateImage, ImageRules};
use domain::snapshot::CreateSnapshot;
use domain::text::NameRule;
use domain::{DomainError, DomainResult, Field, Tag};
use serde_json::Value;

/// ZEC's limits: only a stopped instance, never a GPU one, and its system disk only.
pub const IMAGE_RULES: ImageRules =
    ImageRules { snapshots_since: None, disk_sizes: 20..=16_384, gpu_instances: false, stopped_only: true };

/// imageName: 2–63 characters, starting with a letter or a digit; letters, digits, `-`, `_`
/// and `.`. (The page's "-/_" is read as the three characters `-`, `_`, `.` it goes on to name
/// with "and periods"; `/` is not allowed.)
pub const IMAGE_NAME: NameRule = NameRule {
    min: 2,
    max: 63,
    first: |c| c.is_ascii_alphanumeric(),
    rest: |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'),
    refused_prefixes: &[],
};

/// snapshotName: 2–63 characters, starting and ending with a letter or a digit; letters,
/// digits, `-` and `.`.
pub const SNAPSHOT_NAME: NameRule = NameRule {
    min: 2,
    max: 63,
    first: |c| c.is_ascii_alphanumeric(),
    rest: |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'),
    refused_prefixes: &[],
};

/// `{"tags": [{"key", "value"}]}` (a TagAssociation): keys unique and not empty.
fn tag_association(p: &Params<'_>, name: &str) -> DomainResult<Vec<Tag>> {
    let Some(assoc) = p.object(name)? else { return Ok(Vec::new()) };
    if let Some(other) = assoc.keys().find(|k| *k != "tags") {
        return Err(DomainError::UnknownParameter(format!("{name}.{other}")));
    }
    let list = match assoc.get("tags") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(DomainError::invalid(&format!("{name}.tags"), "It must be a list of tags.")),
    };
    tag_list(list, &format!("{name}.tags"))
}

/// `[{"key", "value"}]`.
pub fn tag_list(list: &[Value], name: &str) -> DomainResult<Vec<Tag>> {
    let mut tags: Vec<Tag> = Vec::new();
    for t in list {
        let t = t.as_object().ok_or_else(|| DomainError::invalid(name, "Each tag is an object."))?;
        let key = field(t, name, "key")?.unwrap_or_default().to_string();
        let value = field(t, name, "value")?.unwrap_or_default().to_string();
        if key.is_empty() || key.chars().count() > 64 || value.chars().count() > 64 {
            return Err(DomainError::invalid(name, "A tag key has 1 to 64 characters, a value at most 64."));
        }
        if tags.iter().any(|x| x.key == key) {
            return Err(DomainError::DuplicateTagKey);
        }
        tags.push(Tag { key, value });
    }
    Ok(tags)
}

const CREATE_IMAGE: [&str; 4] = ["instanceId", "imageName", "resourceGroupId", "tags"];

/// CreateImage. The region is the instance's (read by the use case); `resource_group_id` is the
/// group resolved against the account (the default one when none is given).
pub fn create_image(zl: &ZlRequest, region: &str, resource_group_id: String) -> DomainResult<CreateImage> {
    let p = Params::of(&zl.params, &CREATE_IMAGE)?;
    let instance = p.required("instanceId")?;
    let name = p.required("imageName")?;
    if !IMAGE_NAME.accepts(&name) {
        return Err(DomainError::Malformed(Field::ImageName));
    }
    Ok(CreateImage {
        name: Some(name),
        tags: tag_association(&p, "tags")?,
        resource_group_id: Some(resource_group_id),
        // The system disk alone; a stopped instance (the rules refuse a running one).
        data_disks: Some(Vec::new()),
        ..CreateImage::from_instance(region, instance, IMAGE_RULES)
    })
}

/// `resourceGroupId` as given (empty counts as absent).
pub fn resource_group(zl: &ZlRequest) -> DomainResult<Option<String>> {
    match zl.params.get("resourceGroupId") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(DomainError::invalid("resourceGroupId", "It must be a string.")),
    }
}

/// `instanceId` of a CreateImage, needed before the command (its region is the instance's).
pub fn image_instance(zl: &ZlRequest) -> DomainResult<String> {
    Params::of(&zl.params, &CREATE_IMAGE)?.required("instanceId")
}

/// Paging: `pageNum` from 1, `pageSize` 1–1000 (default 20).
fn paging(p: &Params<'_>) -> DomainResult<(usize, usize)> {
    let num = p.integer("pageNum", 1..=i64::from(u32::MAX))?.unwrap_or(1) as usize;
    let size = p.integer("pageSize", 1..=1000)?.unwrap_or(20) as usize;
    Ok((num, size))
}

fn choice(p: &Params<'_>, name: &str, allowed: &[&str]) -> DomainResult<Option<String>> {
    match p.string(name)?.filter(|v| !v.is_empty()) {
        Some(v) if allowed.contains(&v.as_str()) => Ok(Some(v)),
        Some(_) => Err(DomainError::invalid(name, format!("Valid values: {}.", allowed.join(", ")))),
        None => Ok(None),
    }
}

/// The tag filters of the Describe calls: `tagKeys` (any of them present) and `tags` (each
/// key with its value).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TagFilter {
    pub keys: Vec<String>,
    pub pairs: Vec<Tag>,
}

impl TagFilter {
    fn read(p: &Params<'_>) -> DomainResult<TagFilter> {
        let keys = p.strings("tagKeys")?.unwrap_or_default();
        let pairs = match p.value_of("tags") {
            None => Vec::new(),
            Some(Value::Array(list)) => tag_list(list, "tags")?,
            Some(_) => return Err(DomainError::invalid("tags", "It must be a list of tags.")),
        };
        Ok(TagFilter { keys, pairs })
    }

    pub fn matches(&self, tags: &[Tag]) -> bool {
        (self.keys.is_empty() || self.keys.iter().any(|k| tags.iter().any(|t| &t.key == k)))
            && self.pairs.iter().all(|want| tags.iter().any(|t| t.key == want.key && t.value == want.value))
    }
}

pub const IMAGE_TYPES: [&str; 2] = ["PUBLIC_IMAGE", "CUSTOM_IMAGE"];
pub const OS_TYPES: [&str; 5] = ["windows", "linux", "bsd", "android", "any"];
pub const IMAGE_STATUSES: [&str; 3] = ["CREATING", "AVAILABLE", "UNAVAILABLE"];

/// DescribeImages and DescribeCustomImages: the filters of their SDK models.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DescribeImages {
    pub zone: Option<String>,
    pub region: Option<String>,
    pub image_ids: Option<Vec<String>>,
    pub name: Option<String>,
    pub category: Option<String>,
    pub image_type: Option<String>,
    pub image_source: Option<String>,
    pub os_type: Option<String>,
    pub status: Option<String>,
    pub resource_group_id: Option<String>,
    pub tags: TagFilter,
    pub page_num: usize,
    pub page_size: usize,
}

/// The most ids one Describe call takes.
const MAX_IDS: usize = 100;

pub fn describe_images(zl: &ZlRequest) -> DomainResult<DescribeImages> {
    images_query(zl, &["imageSource", "tagKeys", "tags"])
}

/// DescribeImages in 2024-04-01: the filters of that version's model (no tags, no image source).
pub fn describe_images_2024(zl: &ZlRequest) -> DomainResult<DescribeImages> {
    images_query(zl, &[])
}

/// DescribeImages' filters: those both versions take, and `newer` (refused as unknown unless
/// listed, so a version's query never holds a filter it lacks).
fn images_query(zl: &ZlRequest, newer: &[&str]) -> DomainResult<DescribeImages> {
    let mut known = vec![
        "zoneId",
        "imageIds",
        "imageName",
        "category",
        "imageType",
        "osType",
        "imageStatus",
        "pageNum",
        "pageSize",
    ];
    known.extend_from_slice(newer);
    let p = Params::of(&zl.params, &known)?;
    let (page_num, page_size) = paging(&p)?;
    Ok(DescribeImages {
        zone: p.string("zoneId")?.filter(|z| !z.is_empty()),
        image_ids: p.ids("imageIds", MAX_IDS)?,
        name: p.string("imageName")?.filter(|n| !n.is_empty()),
        category: p.string("category")?.filter(|c| !c.is_empty()),
        image_type: choice(&p, "imageType", &IMAGE_TYPES)?,
        image_source: p.string("imageSource")?.filter(|s| !s.is_empty()),
        os_type: choice(&p, "osType", &OS_TYPES)?,
        status: choice(&p, "imageStatus", &IMAGE_STATUSES)?,
        tags: TagFilter::read(&p)?,
        page_num,
        page_size,
        ..DescribeImages::default()
    })
}

pub fn describe_custom_images(zl: &ZlRequest) -> DomainResult<DescribeImages> {
    let known = [
        "regionId",
        "imageIds",
        "imageName",
        "category",
        "osType",
        "imageStatus",
        "pageNum",
        "pageSize",
        "resourceGroupId",
        "tagKeys",
        "tags",
    ];
    let p = Params::of(&zl.params, &known)?;
    let (page_num, page_size) = paging(&p)?;
    Ok(DescribeImages {
        region: p.string("regionId")?.filter(|r| !r.is_empty()),
        image_ids: p.ids("imageIds", MAX_IDS)?,
        name: p.string("imageName")?.filter(|n| !n.is_empty()),
        category: p.string("category")?.filter(|c| !c.is_empty()),
        os_type: choice(&p, "osType", &OS_TYPES)?,
        status: choice(&p, "imageStatus", &IMAGE_STATUSES)?,
        resource_group_id: p.string("resourceGroupId")?.filter(|g| !g.is_empty()),
        tags: TagFilter::read(&p)?,
        page_num,
        page_size,
        ..DescribeImages::default()
    })
}

/// CreateSnapshot: diskId, snapshotName, retentionTime (`yyyy-MM-ddTHH:mm:ssZ`, at least 24 hours
/// ahead; the snapshot is released then). The same in both versions.
pub fn create_snapshot(zl: &ZlRequest, now: DateTime<Utc>) -> DomainResult<CreateSnapshot> {
    let p = Params::of(&zl.params, &["diskId", "snapshotName", "retentionTime"])?;
    let disk_id = p.required("diskId")?;
    let name = snapshot_name(p.required("snapshotName")?)?;
    let deadline = retention_time(&p, now)?;
    Ok(CreateSnapshot { name: Some(name), deadline, ..CreateSnapshot::new(disk_id) })
}

/// A snapshot name by [`SNAPSHOT_NAME`], ending with a letter or a digit too.
pub fn snapshot_name(name: String) -> DomainResult<String> {
    let ends_well = name.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
    if !SNAPSHOT_NAME.accepts(&name) || !ends_well {
        return Err(DomainError::Malformed(Field::SnapshotName));
    }
    Ok(name)
}

/// `retentionTime`, when given: exactly `yyyy-MM-ddTHH:mm:ssZ` (the parser alone would take a
/// signed, six-digit year), "24 hours after the current time" at least.
pub fn retention_time(p: &Params<'_>, now: DateTime<Utc>) -> DomainResult<Option<DateTime<Utc>>> {
    let Some(t) = p.string("retentionTime")?.filter(|t| !t.is_empty()) else { return Ok(None) };
    match NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%SZ") {
        Ok(at)
            if t.len() == 20
                && t.as_bytes()[..4].iter().all(u8::is_ascii_digit)
                && at.and_utc() >= now + Duration::hours(24) =>
        {
            Ok(Some(at.and_utc()))
        }
        _ => Err(DomainError::Malformed(Field::RetentionTime)),
    }
}

pub const SNAPSHOT_STATUSES: [&str; 5] = ["CREATING", "AVAILABLE", "FAILED", "ROLLING_BACK", "DELETING"];

/// DescribeSnapshots: the filters of its SDK model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DescribeSnapshots {
    pub snapshot_ids: Option<Vec<String>>,
    pub zone: Option<String>,
    pub status: Option<String>,
    pub disk_ids: Option<Vec<String>>,
    pub disk_type: Option<String>,
    pub snapshot_type: Option<String>,
    pub name: Option<String>,
    pub resource_group_id: Option<String>,
    pub page_num: usize,
    pub page_size: usize,
}

pub fn describe_snapshots(zl: &ZlRequest) -> DomainResult<DescribeSnapshots> {
    let known = [
        "snapshotIds",
        "zoneId",
        "status",
        "diskIds",
        "diskType",
        "snapshotType",
        "snapshotName",
        "pageSize",
        "pageNum",
        "resourceGroupId",
    ];
    let p = Params::of(&zl.params, &known)?;
    let (page_num, page_size) = paging(&p)?;
    Ok(DescribeSnapshots {
        snapshot_ids: p.ids("snapshotIds", MAX_IDS)?,
        zone: p.string("zoneId")?.filter(|z| !z.is_empty()),
        status: choice(&p, "status", &SNAPSHOT_STATUSES)?,
        disk_ids: p.ids("diskIds", MAX_IDS)?,
        disk_type: choice(&p, "diskType", &["SYSTEM", "DATA"])?,
        snapshot_type: choice(&p, "snapshotType", &["Auto", "Manual"])?,
        name: p.string("snapshotName")?.filter(|n| !n.is_empty()),
        resource_group_id: p.string("resourceGroupId")?.filter(|g| !g.is_empty()),
        page_num,
        page_size,
    })
}

/// The zone's region, by ZEC's naming (`asia-east-1a` is in `asia-east-1`).
pub fn region_of_zone(zone: &str) -> &str {
    zone.strip_suffix(|c: char| c.is_ascii_lowercase()).unwrap_or(zone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn zl(body: Value) -> ZlRequest {
        ZlRequest::of_body(body)
    }

    #[test]
    fn image_names() {
        for good in ["ab", "1-a_b.c", &"a".repeat(63)] {
            assert!(IMAGE_NAME.accepts(good), "{good}");
        }
        for bad in ["a", "-ab", "_ab", "a/b", "a b", "ümlaut", &"a".repeat(64)] {
            assert!(!IMAGE_NAME.accepts(bad), "{bad}");
        }
    }

    #[test]
    fn create_image_rules() {
        let ok = create_image(
            &zl(json!({"instanceId": "1", "imageName": "img-1",
            "tags": {"tags": [{"key": "env", "value": "t"}]}})),
            "r",
            "rg".into(),
        )
        .unwrap();
        assert_eq!(ok.tags, vec![Tag { key: "env".into(), value: "t".into() }]);
        let err = |b: Value| create_image(&zl(b), "r", "rg".into()).unwrap_err();
        assert_eq!(err(json!({"imageName": "ab"})), DomainError::missing("instanceId"));
        assert_eq!(err(json!({"instanceId": "1"})), DomainError::missing("imageName"));
        assert_eq!(
            err(json!({"instanceId": "1", "imageName": "a/b"})),
            DomainError::Malformed(Field::ImageName)
        );
        let dup =
            json!({"instanceId": "1", "imageName": "ab", "tags": {"tags": [{"key": "k"}, {"key": "k"}]}});
        assert_eq!(err(dup), DomainError::DuplicateTagKey);
        assert!(matches!(
            err(json!({"instanceId": "1", "imageName": "ab", "x": 1})),
            DomainError::UnknownParameter(_)
        ));
    }

    #[test]
    fn id_lists_take_at_most_a_hundred() {
        let ids = |n: usize| (0..n).map(|i| i.to_string()).collect::<Vec<_>>();
        let refused = |r: DomainResult<()>, name: &str| {
            assert!(
                matches!(r, Err(DomainError::InvalidParameter { name: ref n, .. }) if n == name),
                "{name}: {r:?}"
            );
        };
        assert!(describe_snapshots(&zl(json!({"snapshotIds": ids(100)}))).is_ok());
        refused(describe_snapshots(&zl(json!({"snapshotIds": ids(5_000)}))).map(drop), "snapshotIds");
        refused(describe_snapshots(&zl(json!({"diskIds": ids(101)}))).map(drop), "diskIds");
        refused(describe_images(&zl(json!({"imageIds": ids(101)}))).map(drop), "imageIds");
        refused(describe_custom_images(&zl(json!({"imageIds": ids(101)}))).map(drop), "imageIds");
    }

    #[test]
    fn snapshot_rules() {
        let now = Utc::now();
        let later = (now + Duration::hours(25)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let soon = (now + Duration::hours(2)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let cmd =
            create_snapshot(&zl(json!({"diskId": "d", "snapshotName": "s-1", "retentionTime": later})), now)
                .unwrap();
        assert!(cmd.deadline.is_some());
        assert!(create_snapshot(
            &zl(json!({"diskId": "d", "snapshotName": "s-1", "retentionTime": soon})),
            now
        )
        .is_err());
        assert!(create_snapshot(&zl(json!({"diskId": "d", "snapshotName": "s-"})), now).is_err());
        for odd in [
            "+262142-12-31T23:59:59Z",
            "2999-12-31T23:59:59.5Z",
            "2999-12-31 23:59:59Z",
            " 2999-12-31T23:59:59Z",
        ] {
            let body = json!({"diskId": "d", "snapshotName": "s-1", "retentionTime": odd});
            assert!(create_snapshot(&zl(body), now).is_err(), "{odd}");
        }
        assert_eq!(region_of_zone("asia-east-1a"), "asia-east-1");
    }
}
