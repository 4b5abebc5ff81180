//! The parameters of ZEC's deletes and modifications (ZEC API, DeleteImages,
//! ModifyImagesAttributes, DeleteSnapshots, ModifySnapshotsAttribute), checked by their pages
//! and SDK models, into domain commands.

use super::params::{retention_time, snapshot_name, IMAGE_NAME};
use super::wire::ZlRequest;
use crate::json_params::Params;
use chrono::{DateTime, Utc};
use domain::modify::Lifetime;
use domain::{DomainError, DomainResult, Field};

/// "The maximum number of snapshots in each request is 100" (DeleteSnapshots,
/// ModifySnapshotsAttribute); the image calls are given the same bound.
pub const MAX_IDS: usize = 100;

/// A required, non-empty list of at most [`MAX_IDS`] ids.
fn ids(p: &Params<'_>, name: &str) -> DomainResult<Vec<String>> {
    match p.ids(name, MAX_IDS)? {
        Some(ids) if !ids.is_empty() => {
            if ids.iter().any(String::is_empty) {
                return Err(DomainError::invalid(name, "An id is empty."));
            }
            Ok(ids)
        }
        _ => Err(DomainError::missing(name)),
    }
}

/// DeleteImages: `imageIds`.
pub fn delete_images(zl: &ZlRequest) -> DomainResult<Vec<String>> {
    ids(&Params::of(&zl.params, &["imageIds"])?, "imageIds")
}

/// DeleteSnapshots: `snapshotIds`.
pub fn delete_snapshots(zl: &ZlRequest) -> DomainResult<Vec<String>> {
    ids(&Params::of(&zl.params, &["snapshotIds"])?, "snapshotIds")
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
    let ids = ids(&p, "imageIds")?;
    let name = p.required("imageName")?;
    let ends_well = name.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
    if !IMAGE_NAME.accepts(&name) || !ends_well {
        return Err(DomainError::Malformed(Field::ImageName));
    }
    Ok(ModifyImages { ids, name })
}

/// ModifySnapshotsAttribute: a new name, or a new release time, for snapshots.
#[derive(Debug, Clone, PartialEq)]
pub struct ModifySnapshots {
    pub ids: Vec<String>,
    pub name: Option<String>,
    pub lifetime: Option<Lifetime>,
}

/// `snapshotIds`, and at least one of `snapshotName`, `retentionTime` (at least 24 hours ahead)
/// and `isPermanent`. "If you want to change it to indefinite retention, please set isPermanent =
/// true": `true` with a time contradicts it; `false` without one says nothing. Both versions take
/// all four (the 2024-04-01 SDK model lists the first two, the Go SDK and Terraform send all).
pub fn modify_snapshots(zl: &ZlRequest, now: DateTime<Utc>) -> DomainResult<ModifySnapshots> {
    let p = Params::of(&zl.params, &["snapshotIds", "snapshotName", "retentionTime", "isPermanent"])?;
    let ids = ids(&p, "snapshotIds")?;
    let name = p.string("snapshotName")?.filter(|n| !n.is_empty()).map(snapshot_name).transpose()?;
    let until = retention_time(&p, now)?;
    let lifetime = match (p.boolean("isPermanent")?, until) {
        (Some(true), Some(_)) => {
            return Err(DomainError::ParameterConflict("isPermanent, retentionTime".into()))
        }
        (Some(true), None) => Some(Lifetime::Permanent),
        (Some(false), None) => {
            return Err(DomainError::DependsOn {
                name: "isPermanent=false".into(),
                on: "retentionTime".into(),
            })
        }
        (_, Some(at)) => Some(Lifetime::Until(at)),
        (None, None) => None,
    };
    if name.is_none() && lifetime.is_none() {
        return Err(DomainError::OneOfRequired("snapshotName, retentionTime, isPermanent".into()));
    }
    Ok(ModifySnapshots { ids, name, lifetime })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use serde_json::{json, Value};

    fn zl(body: Value) -> ZlRequest {
        ZlRequest::of_body(body)
    }

    fn at(t: DateTime<Utc>) -> String {
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }

    #[test]
    fn id_lists() {
        let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
        assert_eq!(delete_images(&zl(json!({}))), Err(DomainError::missing("imageIds")));
        assert_eq!(
            delete_snapshots(&zl(json!({"snapshotIds": []}))),
            Err(DomainError::missing("snapshotIds"))
        );
        assert!(delete_snapshots(&zl(json!({"snapshotIds": many}))).is_err());
        assert!(delete_snapshots(&zl(json!({"snapshotIds": [""]}))).is_err());
        assert!(delete_images(&zl(json!({"imageIds": "1"}))).is_err());
        assert!(matches!(
            delete_images(&zl(json!({"imageIds": ["1"], "x": 1}))),
            Err(DomainError::UnknownParameter(_))
        ));
        assert_eq!(delete_images(&zl(json!({"imageIds": ["1", "2"]}))).unwrap(), ["1", "2"]);
    }

    #[test]
    fn image_names() {
        let ok = modify_images(&zl(json!({"imageIds": ["1"], "imageName": "a.b-c_d"}))).unwrap();
        assert_eq!(ok.name, "a.b-c_d");
        for bad in ["a", "ab-", "-ab", "a/b", &"a".repeat(64)] {
            let r = modify_images(&zl(json!({"imageIds": ["1"], "imageName": bad})));
            assert_eq!(r, Err(DomainError::Malformed(Field::ImageName)), "{bad}");
        }
        assert_eq!(modify_images(&zl(json!({"imageIds": ["1"]}))), Err(DomainError::missing("imageName")));
    }

    #[test]
    fn snapshot_lifetimes() {
        let now = Utc::now();
        let later = at(now + Duration::hours(25));
        let m = |b: Value| modify_snapshots(&zl(b), now);
        assert_eq!(
            m(json!({"snapshotIds": ["1"], "isPermanent": true})).unwrap().lifetime,
            Some(Lifetime::Permanent)
        );
        let until = m(json!({"snapshotIds": ["1"], "retentionTime": later})).unwrap().lifetime;
        assert!(matches!(until, Some(Lifetime::Until(_))));
        assert!(m(json!({"snapshotIds": ["1"], "retentionTime": later, "isPermanent": false})).is_ok());
        assert!(matches!(
            m(json!({"snapshotIds": ["1"], "retentionTime": later, "isPermanent": true})),
            Err(DomainError::ParameterConflict(_))
        ));
        assert!(matches!(
            m(json!({"snapshotIds": ["1"], "isPermanent": false})),
            Err(DomainError::DependsOn { .. })
        ));
        assert!(matches!(m(json!({"snapshotIds": ["1"]})), Err(DomainError::OneOfRequired(_))));
        let soon = at(now + Duration::hours(2));
        assert_eq!(
            m(json!({"snapshotIds": ["1"], "retentionTime": soon})),
            Err(DomainError::Malformed(Field::RetentionTime))
        );
        assert_eq!(
            m(json!({"snapshotIds": ["1"], "snapshotName": "ab-"})),
            Err(DomainError::Malformed(Field::SnapshotName))
        );
        assert_eq!(
            m(json!({"snapshotIds": ["1"], "snapshotName": "ab"})).unwrap().name.as_deref(),
            Some("ab")
        );
    }
}
