//! Tags and resource groups on existing snapshots and images: one transaction over every
//! resource a call names, each written on the condition that its tags and group are still the
//! ones read (lost: `Modified::Changed`, read again and judge again).

use crate::items::{key, n, s};
use crate::modifies::{Changes, Modified};
use crate::{internal, Store};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use domain::tags::TaggedKind;
use domain::{DomainError, DomainResult, Tag};

/// One resource's labels as read, and as a call leaves them.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    pub kind: TaggedKind,
    pub id: String,
    pub tags: Vec<Tag>,
    pub group: Option<String>,
}

impl Store {
    /// Write each `(before, after)` pair's tags and group, all or nothing. Pairs with nothing to
    /// change are left out; none at all is no write.
    pub async fn relabel(&self, pairs: &[(Labels, Labels)]) -> DomainResult<Modified> {
        let mut actions = Vec::new();
        for (before, after) in pairs.iter().filter(|(b, a)| b != a) {
            let pk = match before.kind {
                TaggedKind::Snapshot => key::snapshot(&before.id),
                TaggedKind::Image => key::image(&before.id),
            };
            let mut changes = Changes::default();
            changes.put("tags", Some(list(&after.tags)?));
            changes.put("resource_group_id", after.group.as_ref().map(s));
            let tags_unchanged = if before.tags.is_empty() {
                changes.values.insert(":no_tags".into(), n(0));
                "(attribute_not_exists(#tags) OR size(#tags) = :no_tags)"
            } else {
                changes.values.insert(":was_tags".into(), list(&before.tags)?);
                "#tags = :was_tags"
            };
            let group_unchanged = match &before.group {
                Some(g) => {
                    changes.values.insert(":was_group".into(), s(g));
                    "#resource_group_id = :was_group"
                }
                None => "attribute_not_exists(#resource_group_id)",
            };
            let update = changes
                .apply(Update::builder().table_name(&self.table).key("pk", s(pk)))
                .condition_expression(format!(
                    "attribute_exists(pk) AND {tags_unchanged} AND {group_unchanged}"
                ))
                .build()
                .map_err(internal)?;
            actions.push(TransactWriteItem::builder().update(update).build());
        }
        if actions.is_empty() {
            return Ok(Modified::Written);
        }
        match self.transact(actions, |_, _| DomainError::SnapshotNotFound).await {
            Ok(()) => Ok(Modified::Written),
            Err(DomainError::SnapshotNotFound) => Ok(Modified::Changed),
            Err(e) => Err(e),
        }
    }
}

/// Tags as the items hold them (a list of `{key, value}` maps, in order).
fn list(tags: &[Tag]) -> DomainResult<AttributeValue> {
    serde_dynamo::to_attribute_value(tags).map_err(internal)
}
