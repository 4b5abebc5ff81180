//! Tags and resource groups on existing images and snapshots: ZRM's ModifyResourceTags
//! (2025-10-14) and User's AddResourceResourceGroup (2024-05-29), the calls Zenlayer's Terraform
//! provider makes when an image's `tags` or `resource_group_id` change.

use super::params::resource_tags;
use super::wire::ZlRequest;
use crate::json_params::Params;
use domain::tags::TagChange;
use domain::{DomainError, DomainResult, TagRefusal};
use serde_json::Value;

/// No limit is published; a resource carries at most this many tags here.
pub const MAX_TAGS_PER_RESOURCE: usize = 50;

/// ModifyResourceTags: one resource's tags, set (`replaceTags`: each key takes its value) and
/// removed (`deleteTagKeys`) in one change.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceTags {
    pub resource: String,
    pub change: TagChange,
}

pub fn modify_resource_tags(zl: &ZlRequest) -> DomainResult<ResourceTags> {
    let p = Params::of(&zl.params, &["resourceUuid", "replaceTags", "deleteTagKeys"])?;
    let resource = p.required("resourceUuid")?;
    let set = match p.value_of("replaceTags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => resource_tags(list, "replaceTags")?,
        Some(_) => return Err(DomainError::invalid("replaceTags", "It must be a list of tags.")),
    };
    let remove = p.strings("deleteTagKeys")?.unwrap_or_default();
    if remove.iter().any(|k| set.iter().any(|t| &t.key == k)) {
        return Err(DomainError::Tagging(TagRefusal::KeyInBothLists));
    }
    Ok(ResourceTags { resource, change: TagChange::Edit { set, remove } })
}

/// AddResourceResourceGroup: resources moved into a resource group.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinGroup {
    pub group: String,
    pub resources: Vec<String>,
}

pub fn add_resource_resource_group(zl: &ZlRequest) -> DomainResult<JoinGroup> {
    let p = Params::of(&zl.params, &["resourceGroupId", "resources"])?;
    let group = p.required("resourceGroupId")?;
    let resources = match p.ids("resources", super::params::MAX_IDS)? {
        Some(ids) if !ids.is_empty() => ids,
        _ => return Err(DomainError::missing("resources")),
    };
    Ok(JoinGroup { group, resources })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Tag;
    use serde_json::json;

    #[test]
    fn tag_changes() {
        let r = modify_resource_tags(&ZlRequest::of_body(json!({
            "resourceUuid": "1", "replaceTags": [{"key": "a", "value": "1"}], "deleteTagKeys": ["b"]
        })))
        .unwrap();
        let set = vec![Tag { key: "a".into(), value: "1".into() }];
        assert_eq!(r.change, TagChange::Edit { set, remove: vec!["b".into()] });
        let both = json!({"resourceUuid": "1", "replaceTags": [{"key": "a"}], "deleteTagKeys": ["a"]});
        assert_eq!(
            modify_resource_tags(&ZlRequest::of_body(both)),
            Err(DomainError::Tagging(TagRefusal::KeyInBothLists))
        );
        assert_eq!(
            modify_resource_tags(&ZlRequest::of_body(json!({}))),
            Err(DomainError::missing("resourceUuid"))
        );
        let long = json!({"resourceUuid": "1", "replaceTags": [{"key": "k".repeat(65)}]});
        assert!(modify_resource_tags(&ZlRequest::of_body(long)).is_err());
    }

    #[test]
    fn group_moves() {
        let ok = add_resource_resource_group(&ZlRequest::of_body(
            json!({"resourceGroupId": "g", "resources": ["1"]}),
        ));
        assert_eq!(ok.unwrap(), JoinGroup { group: "g".into(), resources: vec!["1".into()] });
        let none = add_resource_resource_group(&ZlRequest::of_body(
            json!({"resourceGroupId": "g", "resources": []}),
        ));
        assert_eq!(none, Err(DomainError::missing("resources")));
    }
}
