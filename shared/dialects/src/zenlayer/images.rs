//! The image actions' parameters (ZEC CreateImage, DescribeImages in both versions,
//! DescribeCustomImages, DeleteImages, ModifyImagesAttributes), checked by their pages and SDK
//! models, into domain commands and queries.

use super::params::{choice, paging, required_ids, resource_tags, tag_list, MAX_DESCRIBED_IDS};
use super::wire::ZlRequest;
use crate::json_params::Params;
use domain::image::{CreateImage, ImageRules};
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
    resource_tags(list, &format!("{name}.tags"))
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
        image_ids: p.ids("imageIds", MAX_DESCRIBED_IDS)?,
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
        image_ids: p.ids("imageIds", MAX_DESCRIBED_IDS)?,
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

/// DeleteImages: `imageIds`.
pub fn delete_images(zl: &ZlRequest) -> DomainResult<Vec<String>> {
    required_ids(&Params::of(&zl.params, &["imageIds"])?, "imageIds")
}

/// ModifyImagesAttributes: new names for images.
#[derive(Debug, Clone, PartialEq)]
pub struct ModifyImages {
    pub ids: Vec<String>,
    pub name: String,
}

/// `imageIds` and `imageName`, both required: "must start with a number or a letter, containing
/// 2 to 63 characters. Only letters, numbers, -/_ and periods (.) are supported", and (the SDK's
/// own text) end with a letter or a number.
pub fn modify_images(zl: &ZlRequest) -> DomainResult<ModifyImages> {
    let p = Params::of(&zl.params, &["imageIds", "imageName"])?;
    let ids = required_ids(&p, "imageIds")?;
    let name = p.required("imageName")?;
    let ends_well = name.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
    if !IMAGE_NAME.accepts(&name) || !ends_well {
        return Err(DomainError::Malformed(Field::ImageName));
    }
    Ok(ModifyImages { ids, name })
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
    fn describe_id_lists_take_at_most_a_hundred() {
        let ids = |n: usize| (0..n).map(|i| i.to_string()).collect::<Vec<_>>();
        let refused = |r: DomainResult<()>, name: &str| {
            assert!(
                matches!(r, Err(DomainError::InvalidParameter { name: ref n, .. }) if n == name),
                "{name}: {r:?}"
            );
        };
        refused(describe_images(&zl(json!({"imageIds": ids(101)}))).map(drop), "imageIds");
        refused(describe_custom_images(&zl(json!({"imageIds": ids(101)}))).map(drop), "imageIds");
    }

    #[test]
    fn delete_id_lists() {
        assert_eq!(delete_images(&zl(json!({}))), Err(DomainError::missing("imageIds")));
        assert!(delete_images(&zl(json!({"imageIds": "1"}))).is_err());
        assert!(matches!(
            delete_images(&zl(json!({"imageIds": ["1"], "x": 1}))),
            Err(DomainError::UnknownParameter(_))
        ));
        assert_eq!(delete_images(&zl(json!({"imageIds": ["1", "2"]}))).unwrap(), ["1", "2"]);
    }

    #[test]
    fn new_image_names() {
        let ok = modify_images(&zl(json!({"imageIds": ["1"], "imageName": "a.b-c_d"}))).unwrap();
        assert_eq!(ok.name, "a.b-c_d");
        for bad in ["a", "ab-", "-ab", "a/b", &"a".repeat(64)] {
            let r = modify_images(&zl(json!({"imageIds": ["1"], "imageName": bad})));
            assert_eq!(r, Err(DomainError::Malformed(Field::ImageName)), "{bad}");
        }
        assert_eq!(modify_images(&zl(json!({"imageIds": ["1"]}))), Err(DomainError::missing("imageName")));
    }
}
