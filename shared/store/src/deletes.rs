//! Deleting a snapshot or an image, each in one transaction that gives back what it held.
//!
//! A snapshot gives its disk one unit of quota and, while still being made, the in-progress
//! lock; the API's deletes and the scheduler's releases share it. An image gives back its name,
//! one unit of the account's image quota in its region, and its marks on the snapshots it is
//! made from (which may then be deleted).

use crate::items::{key, n, s, Item};
use crate::{internal, Store};
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use chrono::{DateTime, Utc};
use domain::{DomainError, DomainResult, Image, Snapshot};

/// What became of a snapshot asked to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Released {
    /// Deleted now, with its disk's quota (and lock) given back.
    Deleted,
    /// Already gone (another call deleted it first).
    Gone,
    /// Kept: an image is made from it.
    BacksImage,
    /// Changed since it was read (an image renamed meanwhile): read it again and judge again.
    Changed,
}

impl Store {
    /// Delete `snapshot` as it was read, unless an image uses it (checked in the write itself, so
    /// an image made meanwhile keeps it); disks created from it lose their link to it. A
    /// snapshot still in progress at `now` is cancelled: the lock it holds on its disk goes with
    /// it.
    pub async fn delete_snapshot(&self, snapshot: &Snapshot, now: DateTime<Utc>) -> DomainResult<Released> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key("pk", s(key::snapshot(&snapshot.id)))
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(image_ids) OR size(image_ids) = :none)",
            )
            .expression_attribute_values(":none", n(0))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()
            .map_err(internal)?;
        let mut actions = vec![TransactWriteItem::builder().delete(delete).build()];
        // A disk whose counter is already zero (or a disk that is gone) has nothing to give back.
        // A speculation does not read the disk: it takes it as every snapshot made here leaves
        // it, counting the snapshot and, while it is being made, locked by it until it is ready;
        // the give-back's conditions check both.
        let disk_busy_until = if self.speculative() {
            Some(snapshot.ready_at)
        } else {
            self.disk(&snapshot.disk_id).await?.filter(|d| d.snapshot_count > 0).map(|d| d.busy_until)
        };
        if let Some(busy_until) = disk_busy_until {
            actions.push(give_back(&self.table, snapshot, busy_until, now)?);
        }
        // Disks created from it (deleted by force) lose their link: they cannot be re-initialised.
        for disk in &snapshot.disk_ids {
            let unlink = Update::builder()
                .table_name(&self.table)
                .key("pk", s(key::disk(disk)))
                .update_expression("REMOVE source_snapshot")
                .condition_expression("source_snapshot = :id")
                .expression_attribute_values(":id", s(&snapshot.id))
                .build()
                .map_err(internal)?;
            actions.push(TransactWriteItem::builder().update(unlink).build());
        }
        let outcome = |index: usize, old: Option<&Item>| match (index, old) {
            (0, None) => DomainError::SnapshotNotFound,
            (0, Some(_)) => DomainError::SnapshotBacksImage,
            _ => DomainError::Internal(format!("disk {} changed during the delete", snapshot.disk_id)),
        };
        match self.transact(actions, outcome).await {
            Ok(()) => Ok(Released::Deleted),
            Err(DomainError::SnapshotNotFound) => Ok(Released::Gone),
            Err(DomainError::SnapshotBacksImage) => Ok(Released::BacksImage),
            Err(e) => Err(e),
        }
    }
}

impl Store {
    /// Delete `image` as it was read, with its name marker, its unit of quota and its marks on
    /// snapshots. `Released::Gone` when another call deleted it first.
    pub async fn delete_image(&self, image: &Image) -> DomainResult<Released> {
        let t = &self.table;
        let mut actions = Vec::new();
        let delete = Delete::builder()
            .table_name(t)
            .key("pk", s(key::image(&image.id)))
            .condition_expression("attribute_exists(pk)")
            .build()
            .map_err(internal)?;
        actions.push(TransactWriteItem::builder().delete(delete).build());
        if !image.name.is_empty() {
            // The marker is this image's (a name is never given to two images at once).
            actions.push(crate::images::free_name(t, image)?);
        }
        let counter = Update::builder()
            .table_name(t)
            .key("pk", s(key::image_count(&image.account, &image.region)))
            .update_expression("SET n = n - :one")
            .condition_expression("n > :zero")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":zero", n(0))
            .build()
            .map_err(internal)?;
        actions.push(TransactWriteItem::builder().update(counter).build());
        // A snapshot an image marks cannot be deleted, so every one read marked is still there;
        // `DELETE` from the set leaves other images' marks alone. A speculation does not read
        // them: it takes each snapshot the image is made from as marked by it, as an image made
        // here marks them all, and its conditions check that.
        let mut ids: Vec<String> = image.disks.iter().filter_map(|d| d.snapshot_id.clone()).collect();
        ids.sort();
        ids.dedup();
        let speculative = self.speculative();
        let marked: Vec<String> = if speculative {
            ids
        } else {
            let read = self.snapshots_by_id(&ids).await?.into_iter();
            read.filter(|s| s.image_ids.contains(&image.id)).map(|s| s.id).collect()
        };
        for snapshot in marked {
            let mut unmark = Update::builder()
                .table_name(t)
                .key("pk", s(key::snapshot(&snapshot)))
                .update_expression("DELETE image_ids :image")
                .condition_expression("attribute_exists(pk)")
                .expression_attribute_values(":image", AttributeValue::Ss(vec![image.id.clone()]));
            if speculative {
                unmark = unmark
                    .condition_expression("attribute_exists(pk) AND contains(image_ids, :id)")
                    .expression_attribute_values(":id", s(&image.id));
            }
            actions.push(TransactWriteItem::builder().update(unmark.build().map_err(internal)?).build());
        }
        // The image gone: deleted by another call. Its name marker not its own any more: renamed.
        let outcome = |index: usize, _: Option<&Item>| match index {
            0 => DomainError::ImageNotFound,
            _ => DomainError::ImageNameTaken,
        };
        match self.transact(actions, outcome).await {
            Ok(()) => Ok(Released::Deleted),
            Err(DomainError::ImageNotFound) => Ok(Released::Gone),
            Err(DomainError::ImageNameTaken) => Ok(Released::Changed),
            Err(e) => Err(e),
        }
    }
}

/// One unit of the disk's quota back, and its lock when the snapshot still holds it (in
/// progress at `now`, the lock ending when the snapshot would have been ready).
fn give_back(
    table: &str,
    snapshot: &Snapshot,
    busy_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> DomainResult<TransactWriteItem> {
    let ready = snapshot.ready_at.filter(|r| *r > now);
    let millis = |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp_millis());
    let holds_lock = ready.is_some() && millis(busy_until) == millis(ready);
    let mut update = Update::builder()
        .table_name(table)
        .key("pk", s(key::disk(&snapshot.disk_id)))
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":zero", n(0));
    update = match ready.filter(|_| holds_lock) {
        Some(ready) => update
            .update_expression("SET snapshot_count = snapshot_count - :one REMOVE busy_until")
            .condition_expression("snapshot_count > :zero AND busy_until = :ready")
            .expression_attribute_values(":ready", n(ready.timestamp_millis())),
        None => update
            .update_expression("SET snapshot_count = snapshot_count - :one")
            .condition_expression("snapshot_count > :zero"),
    };
    Ok(TransactWriteItem::builder().update(update.build().map_err(internal)?).build())
}
