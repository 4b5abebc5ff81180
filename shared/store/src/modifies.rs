//! Changing a snapshot's or an image's attributes: one transaction each, writing only the
//! attributes a modification owns (the tags and the images' marks are other calls'), on the
//! condition that what the domain's rules read is unchanged. A rename moves the image's name
//! marker in the same transaction.

use crate::images::{free_name, take_name};
use crate::items::{self, key, n, s, Item};
use crate::{internal, Store};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use domain::{DomainError, DomainResult, Image, Snapshot};
use std::collections::HashMap;

/// Whether a modification was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modified {
    Written,
    /// The resource changed (or went) since it was read: read it again and judge again.
    Changed,
}

impl Store {
    /// Write `after`'s name, description, retention and deadline over `before`, if its retention
    /// and deadline are still the ones read. The scheduler's expiry index follows the retention.
    pub async fn modify_snapshot(&self, before: &Snapshot, after: &Snapshot) -> DomainResult<Modified> {
        let mut changes = Changes::default();
        changes.put("name", after.name.as_ref().map(s));
        changes.put("description", after.description.as_ref().map(s));
        changes.put("retention_days", after.retention_days.map(n));
        changes.put("deadline", after.deadline.map(|d| n(d.timestamp_millis())));
        let expiry = items::expiry_of(after);
        changes.put("expiring", expiry.as_ref().map(|_| s(items::EXPIRING)));
        changes.put("expiry", expiry);
        let unchanged = match before.retention_days {
            Some(days) => {
                changes.values.insert(":was_days".into(), n(days));
                "#retention_days = :was_days"
            }
            None => "attribute_not_exists(#retention_days)",
        };
        let deadline_unchanged = match before.deadline {
            Some(end) => {
                changes.values.insert(":was_deadline".into(), n(end.timestamp_millis()));
                "#deadline = :was_deadline"
            }
            None => "attribute_not_exists(#deadline)",
        };
        let update = changes
            .apply(Update::builder().table_name(&self.table).key("pk", s(key::snapshot(&before.id))))
            .condition_expression(format!("attribute_exists(pk) AND {unchanged} AND {deadline_unchanged}"))
            .build()
            .map_err(internal)?;
        let actions = vec![TransactWriteItem::builder().update(update).build()];
        settle(self.transact(actions, |_, _| DomainError::SnapshotNotFound).await)
    }

    /// Write `after`'s attributes over `before`, if its name is still the one read; a new name
    /// takes its marker (`ImageNameTaken` when another image holds it) and frees the old one.
    pub async fn modify_image(&self, before: &Image, after: &Image) -> DomainResult<Modified> {
        let t = &self.table;
        let mut changes = Changes::default();
        changes.put("name", Some(s(&after.name)));
        changes.put("description", after.description.as_ref().map(s));
        changes.put("image_family", after.image_family.as_ref().map(s));
        changes.put("boot_mode", after.boot_mode.as_ref().map(s));
        changes.put("license_type", after.license_type.as_ref().map(s));
        changes.put("nvme_support", after.nvme_support.as_ref().map(s));
        changes.put("imds_support", after.imds_support.as_ref().map(s));
        changes.put("deprecated", Some(AttributeValue::Bool(after.deprecated)));
        changes.values.insert(":was_name".into(), s(&before.name));
        let update = changes
            .apply(Update::builder().table_name(t).key("pk", s(key::image(&before.id))))
            .condition_expression("attribute_exists(pk) AND #name = :was_name")
            .build()
            .map_err(internal)?;
        let mut actions = vec![TransactWriteItem::builder().update(update).build()];
        if after.name != before.name {
            actions.push(take_name(t, after)?);
            if !before.name.is_empty() {
                actions.push(free_name(t, before)?);
            }
        }
        let outcome = |index: usize, _: Option<&Item>| match index {
            1 => DomainError::ImageNameTaken,
            _ => DomainError::SnapshotNotFound,
        };
        settle(self.transact(actions, outcome).await)
    }
}

/// A lost condition on the resource itself (reported as `SnapshotNotFound`) means it changed.
fn settle(result: DomainResult<()>) -> DomainResult<Modified> {
    match result {
        Ok(()) => Ok(Modified::Written),
        Err(DomainError::SnapshotNotFound) => Ok(Modified::Changed),
        Err(e) => Err(e),
    }
}

/// An update expression's `SET` and `REMOVE` clauses with their names and values: an attribute
/// given no value is removed (absent means "not set" in this table).
#[derive(Default)]
pub(crate) struct Changes {
    set: Vec<String>,
    remove: Vec<String>,
    names: HashMap<String, String>,
    pub(crate) values: HashMap<String, AttributeValue>,
}

impl Changes {
    pub(crate) fn put(&mut self, attribute: &str, value: Option<AttributeValue>) {
        let name = format!("#{attribute}");
        self.names.insert(name.clone(), attribute.to_string());
        match value {
            Some(v) => {
                self.set.push(format!("{name} = :{attribute}"));
                self.values.insert(format!(":{attribute}"), v);
            }
            None => self.remove.push(name),
        }
    }

    pub(crate) fn apply(
        self,
        update: aws_sdk_dynamodb::types::builders::UpdateBuilder,
    ) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
        let mut expression = String::new();
        if !self.set.is_empty() {
            expression = format!("SET {}", self.set.join(", "));
        }
        if !self.remove.is_empty() {
            expression = format!("{expression} REMOVE {}", self.remove.join(", "));
        }
        update
            .update_expression(expression.trim())
            .set_expression_attribute_names(Some(self.names))
            .set_expression_attribute_values(Some(self.values).filter(|v| !v.is_empty()))
    }
}
