//! What the snapshot scheduler reads and releases: every policy and the snapshots due for
//! release, each through a sparse index (never a scan), and the release of one snapshot with its
//! disk's counter.

use crate::items::{self, key, n, s, Item};
use crate::table::{BY_EXPIRY, BY_KIND};
use crate::{internal, Store};
use aws_sdk_dynamodb::types::{Delete, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use domain::{Account, DomainError, DomainResult, Snapshot, SnapshotPolicy};

impl Store {
    pub async fn account(&self, id: &str) -> DomainResult<Option<Account>> {
        self.get(&key::account(id)).await
    }

    /// Every account in the table (loaded by a world), through the sparse `by_kind` index.
    pub async fn accounts(&self) -> DomainResult<Vec<Account>> {
        let items = self.query_index(BY_KIND, "kind", items::ACCOUNT_KIND, None).await?;
        let mut accounts: Vec<Account> =
            items.into_iter().map(items::from_item).collect::<DomainResult<_>>()?;
        accounts.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(accounts)
    }

    /// Every instance of an account.
    pub async fn account_instances(&self, account: &str) -> DomainResult<Vec<domain::Instance>> {
        self.owned(account, "INST#").await
    }

    /// Every automatic snapshot policy in the table, through the sparse `by_kind` index.
    pub async fn policies(&self) -> DomainResult<Vec<SnapshotPolicy>> {
        let items = self.query_index(BY_KIND, "kind", items::POLICY_KIND, None).await?;
        items.into_iter().map(items::from_item).collect()
    }

    /// Every snapshot whose retention or deadline has passed by `now`, through the sparse
    /// `by_expiry` index: only those are read, never the table.
    pub async fn snapshots_due(&self, now: DateTime<Utc>) -> DomainResult<Vec<Snapshot>> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(BY_EXPIRY)
                .key_condition_expression("expiring = :e AND expiry <= :now")
                .expression_attribute_values(":e", s(items::EXPIRING))
                .expression_attribute_values(":now", n(now.timestamp_millis()))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(internal)?;
            for item in page.items.unwrap_or_default() {
                out.push(items::from_item(item)?);
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
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
}
