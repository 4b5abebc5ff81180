//! The image actions' parameters (CVM CreateImage, in API 3.0 and on the older page,
//! DescribeImages, DeleteImages and ModifyImageAttribute), checked by the rules of their pages,
//! into domain commands and queries.

use super::params::{check_values, filters, id_list, ids, paging, tag_list, text_at_most, Filter};
use super::wire::TcRequest;
use crate::json_params::{field, Params};
use domain::delete::DeleteImages;
use domain::image::{CreateImage, ImageRules, ImageSource, MappingSpec, Shutdown};
use domain::modify::ModifyImage;
use domain::text::char_len;
use domain::{DomainError, DomainResult, Field, Tag};
use serde_json::{Map, Value};

/// CVM's limits: no snapshot is too old to make an image, and disks are 10–32000 GB.
pub const IMAGE_RULES: ImageRules =
    ImageRules { snapshots_since: None, disk_sizes: 10..=32_000, gpu_instances: true, stopped_only: false };

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

/// A length limit in characters, reported as too long; an empty text counts as absent.
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

/// CVM DeleteImages: `ImageIds`, `DeleteBindedSnap`, `DryRun`.
pub fn delete_images(tc: &TcRequest, region: &str) -> DomainResult<DeleteImages> {
    let p = Params::of(&tc.params, &["ImageIds", "DeleteBindedSnap", "DryRun"])?;
    Ok(DeleteImages {
        region: region.to_string(),
        ids: id_list(&p, "ImageIds", Some("img-"))?,
        with_snapshots: p.boolean("DeleteBindedSnap")?.unwrap_or(false),
        dry_run: p.boolean("DryRun")?.unwrap_or(false),
    })
}

/// CVM ModifyImageAttribute: `ImageName` (at most 60 characters, unique), `ImageDescription` (at
/// most 256), `ImageFamily`, `ImageDeprecated`. An empty name keeps the current one.
pub fn modify_image(tc: &TcRequest, region: &str) -> DomainResult<ModifyImage> {
    let p = Params::of(
        &tc.params,
        &["ImageId", "ImageName", "ImageDescription", "ImageFamily", "ImageDeprecated"],
    )?;
    let image_id = p.required("ImageId")?;
    if !image_id.starts_with("img-") {
        return Err(DomainError::MalformedId(image_id));
    }
    let family = p.string("ImageFamily")?;
    // A family is a name: letters, digits, `.`, `_`, `-`, at most 60 characters.
    let family_ok =
        |f: &str| char_len(f) <= 60 && f.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if family.as_deref().is_some_and(|f| !family_ok(f)) {
        return Err(DomainError::Malformed(Field::ImageFamily));
    }
    Ok(ModifyImage {
        image_id,
        region: region.to_string(),
        name: text_at_most(&p, "ImageName", 60, Field::ImageName)?.filter(|n| !n.is_empty()),
        description: text_at_most(&p, "ImageDescription", 256, Field::Description)?,
        image_family: family,
        deprecated: p.boolean("ImageDeprecated")?,
        ..ModifyImage::default()
    })
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
