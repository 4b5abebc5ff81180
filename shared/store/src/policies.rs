//! What the snapshot scheduler reads and releases: every policy, snapshots whose retention may
//! have passed, and the release of one snapshot with its disk's counter.

use crate::items::{self, key, n, s, Item};
use crate::{internal, Store};
use aws_sdk_dynamodb::types::{Delete, TransactWriteItem, Update};
use domain::{Account, DomainError, DomainResult, Snapshot, SnapshotPolicy};

impl Store {
    pub async fn account(&self, id: &str) -> DomainResult<Option<Account>> {
        self.get(&key::account(id)).await
    }

    /// Every automatic snapshot policy in the table.
    pub async fn policies(&self) -> DomainResult<Vec<SnapshotPolicy>> {
        let items = self.scan("begins_with(pk, :p)", &[(":p", s("POLICY#"))]).await?;
        items.into_iter().map(items::from_item).collect()
    }

    /// Every snapshot that has a retention period or deadline (the ones that may be due for
    /// release).
    pub async fn snapshots_with_retention(&self) -> DomainResult<Vec<Snapshot>> {
        let filter =
            "begins_with(pk, :p) AND (attribute_exists(retention_days) OR attribute_exists(deadline))";
        let items = self.scan(filter, &[(":p", s(key::SNAPSHOT_PREFIX))]).await?;
        items.into_iter().map(items::from_item).collect()
    }

    /// Delete a snapshot and give its disk back one unit of quota, together. A snapshot already
    /// gone is not an error (two schedulers may race to release it: `Ok(false)`); one an image
    /// has come to use meanwhile is kept (`Ok(false)`); a lost race on the disk's counter is an
    /// error, reported, and the next run retries it.
    pub async fn release_snapshot(&self, snapshot: &Snapshot) -> DomainResult<bool> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key("pk", s(key::snapshot(&snapshot.id)))
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(image_ids) OR size(image_ids) = :none)",
            )
            .expression_attribute_values(":none", n(0))
            .build()
            .map_err(internal)?;
        let mut actions = vec![TransactWriteItem::builder().delete(delete).build()];
        // A disk whose counter is already zero (or a disk that is gone) has nothing to give back.
        let counted = self.disk(&snapshot.disk_id).await?.is_some_and(|d| d.snapshot_count > 0);
        if counted {
            let count = Update::builder()
                .table_name(&self.table)
                .key("pk", s(key::disk(&snapshot.disk_id)))
                .update_expression("SET snapshot_count = snapshot_count - :one")
                .condition_expression("snapshot_count > :zero")
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":zero", n(0))
                .build()
                .map_err(internal)?;
            actions.push(TransactWriteItem::builder().update(count).build());
        }
        let outcome = |index: usize, _: Option<&Item>| match index {
            0 => DomainError::SnapshotNotFound,
            _ => DomainError::Internal(format!(
                "the counter of disk {} changed during the release",
                snapshot.disk_id
            )),
        };
        match self.transact(actions, outcome).await {
            Ok(()) => Ok(true),
            Err(DomainError::SnapshotNotFound) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn scan(
        &self,
        filter: &str,
        values: &[(&str, aws_sdk_dynamodb::types::AttributeValue)],
    ) -> DomainResult<Vec<Item>> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let mut scan = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression(filter)
                .set_exclusive_start_key(start.take());
            for (k, v) in values {
                scan = scan.expression_attribute_values(*k, v.clone());
            }
            let page = scan.send().await.map_err(internal)?;
            out.extend(page.items.unwrap_or_default());
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }
}
