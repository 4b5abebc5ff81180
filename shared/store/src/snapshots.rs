//! Disks, instances and snapshots: the reads CreateSnapshot needs and its one transaction.

use crate::items::key::Kind;
use crate::items::{self, key, n, s, Item};
use crate::read_ahead::Query;
use crate::tokens::{self, TokenUse};
use crate::{internal, Store};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use domain::{Disk, DomainError, DomainResult, Instance, Snapshot};

impl Store {
    pub async fn disk(&self, id: &str) -> DomainResult<Option<Disk>> {
        let disk: Option<Disk> = self.get(&key::disk(id)).await?;
        if let Some(d) = &disk {
            self.note_attachment(d);
        }
        Ok(disk)
    }

    pub async fn instance(&self, id: &str) -> DomainResult<Option<Instance>> {
        self.get(&key::instance(id)).await
    }

    pub async fn snapshot(&self, id: &str) -> DomainResult<Option<Snapshot>> {
        self.get(&key::snapshot(id)).await
    }

    /// Write a new snapshot of its disk, taking the disk's in-progress lock (until the snapshot
    /// is ready) and one unit of its quota, and completing the client token's claim — all or
    /// nothing. A lost condition comes back as the domain outcome it stands for.
    pub async fn commit_snapshot(
        &self,
        snapshot: &Snapshot,
        quota: u32,
        now: DateTime<Utc>,
        token: Option<&TokenUse>,
    ) -> DomainResult<()> {
        // The token first: a twin call that lost it is told so (its twin is in flight), before
        // the disk's lock its twin took.
        let mut actions = Vec::new();
        if let Some(token) = token {
            actions.push(tokens::settlement(&self.table, token, &snapshot.id, now)?);
        }
        let first = actions.len();
        actions.push(put_snapshot(&self.table, snapshot)?);
        actions.push(disk_lock(&self.table, snapshot, quota, now)?);
        let outcome = |index: usize, old: Option<&Item>| match index.checked_sub(first) {
            None => DomainError::TokenInFlight,
            Some(1) => lost_disk_lock(old, quota, now),
            _ => DomainError::Internal("snapshot id collision".into()),
        };
        self.transact(actions, outcome).await
    }

    /// Run a transaction; on cancellation, turn the first failed condition into its outcome.
    pub(crate) async fn transact(
        &self,
        actions: Vec<TransactWriteItem>,
        outcome: impl Fn(usize, Option<&Item>) -> DomainError,
    ) -> DomainResult<()> {
        // The request's nonce rides in its first transaction, last.
        let nonce = self.nonce.as_ref().filter(|p| !p.is_written() && p.rides_in_transactions());
        let mut actions = actions;
        if let Some(speculation) = &self.speculation {
            speculation.guard(&self.table, &mut actions)?;
        }
        if let Some(p) = nonce {
            actions.push(p.put(&self.table)?);
        }
        let mut attempts = 0;
        loop {
            attempts += 1;
            let sent = Utc::now();
            let result =
                self.client.transact_write_items().set_transact_items(Some(actions.clone())).send().await;
            let err = match result {
                Ok(_) => {
                    nonce.inspect(|p| p.mark_written());
                    self.note_written(&actions);
                    self.note_committed();
                    self.note_captured(&actions, sent);
                    return Ok(());
                }
                Err(e) => e.into_service_error(),
            };
            let TransactWriteItemsError::TransactionCanceledException(cancel) = &err else {
                return Err(internal(err));
            };
            let reasons = cancel.cancellation_reasons();
            let lost =
                |r: &aws_sdk_dynamodb::types::CancellationReason| r.code() == Some("ConditionalCheckFailed");
            // A speculation refused by a condition: nothing was written; the request runs again on
            // fresh reads, which say why. (One that only met a concurrent transaction tries again
            // below, as any transaction does.)
            if self.speculation.is_some() && reasons.iter().any(lost) {
                return Err(DomainError::Internal("a speculation was refused".into()));
            }
            // A replayed request is refused as such, before any other lost condition.
            if let Some(why) = nonce.filter(|_| reasons.last().is_some_and(lost)).and_then(|p| p.refused()) {
                return Err(DomainError::Auth(why));
            }
            if let Some((i, r)) =
                reasons.iter().enumerate().find(|(_, r)| r.code() == Some("ConditionalCheckFailed"))
            {
                return Err(outcome(i, r.item()));
            }
            // A conflict with a concurrent transaction (real DynamoDB, and DynamoDB Local when two
            // transactions check one item at once): try again, briefly.
            let conflict = reasons.iter().any(|r| r.code() == Some("TransactionConflict"));
            if !conflict || attempts >= 5 {
                return Err(internal(err));
            }
            tokio::time::sleep(std::time::Duration::from_millis(10 * attempts)).await;
        }
    }

    /// Snapshots by id (strongly consistent), in the order asked, skipping unknown ids.
    pub async fn snapshots_by_id(&self, ids: &[String]) -> DomainResult<Vec<Snapshot>> {
        let mut found = Vec::new();
        for id in ids {
            if let Some(s) = self.snapshot(id).await? {
                found.push(s);
            }
        }
        Ok(found)
    }

    /// Every snapshot of an account, oldest first.
    pub async fn account_snapshots(&self, account: &str) -> DomainResult<Vec<Snapshot>> {
        let mut all: Vec<Snapshot> = self.owned(account, Kind::Snapshot.prefix()).await?;
        all.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
        Ok(all)
    }

    /// Every item of an account whose key starts with `prefix`, through the account index.
    pub(crate) async fn owned<T: serde::de::DeserializeOwned>(
        &self,
        account: &str,
        prefix: &'static str,
    ) -> DomainResult<Vec<T>> {
        let items = self.owned_items(account, Some(prefix)).await?;
        items.into_iter().map(items::from_item).collect()
    }

    pub(crate) async fn owned_items(
        &self,
        account: &str,
        prefix: Option<&'static str>,
    ) -> DomainResult<Vec<Item>> {
        self.query_index(&Query::owned(account, prefix)).await
    }

    /// The items `query` finds, page after page: what was read ahead of it, when it was.
    pub(crate) async fn query_index(&self, query: &Query) -> DomainResult<Vec<Item>> {
        match self.take_query(query) {
            Some(found) => Ok(found),
            None => self.run_query(query).await,
        }
    }

    /// A query, made now.
    pub(crate) async fn run_query(&self, query: &Query) -> DomainResult<Vec<Item>> {
        let Query { index, attribute, value, prefix } = query.clone();
        if !items::fits_key(&value) {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let mut q = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index)
                .expression_attribute_names("#h", attribute)
                .expression_attribute_values(":h", s(&value))
                .set_exclusive_start_key(start.take());
            q = match prefix {
                Some(p) => q
                    .key_condition_expression("#h = :h AND begins_with(pk, :p)")
                    .expression_attribute_values(":p", s(p)),
                None => q.key_condition_expression("#h = :h"),
            };
            let page = q.send().await.map_err(internal)?;
            out.extend(page.items.unwrap_or_default());
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }

    /// Every snapshot of a disk (whoever's: the caller filters by account), through `by_disk`.
    pub async fn disk_snapshots(&self, disk: &str) -> DomainResult<Vec<Snapshot>> {
        let items = self.query_index(&Query::disk_snapshots(disk)).await?;
        items.into_iter().map(items::from_item).collect()
    }
}

impl Store {
    /// Every disk of an account.
    pub async fn account_disks(&self, account: &str) -> DomainResult<Vec<Disk>> {
        self.owned(account, Kind::Disk.prefix()).await
    }

    /// The ids of an account's disks attached to an instance.
    pub async fn disks_of_instance(&self, account: &str, instance: &str) -> DomainResult<Vec<String>> {
        let disks = self.account_disks(account).await?;
        Ok(disks.into_iter().filter(|d| d.instance.as_deref() == Some(instance)).map(|d| d.id).collect())
    }
}

/// Put a new snapshot (its disk's update is [`disk_lock`]).
pub(crate) fn put_snapshot(table: &str, snapshot: &Snapshot) -> DomainResult<TransactWriteItem> {
    let item = items::snapshot_item(snapshot)?;
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(pk)")
        .build()
        .map_err(internal)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// Take a disk's in-progress lock until the snapshot is ready, and one unit of its quota, on
/// the conditions that no other snapshot of it is in progress and the quota is not reached.
pub(crate) fn disk_lock(
    table: &str,
    snapshot: &Snapshot,
    quota: u32,
    now: DateTime<Utc>,
) -> DomainResult<TransactWriteItem> {
    let ready = snapshot.ready_at.unwrap_or(snapshot.created_at);
    let update = Update::builder()
        .table_name(table)
        .key("pk", s(key::disk(&snapshot.disk_id)))
        .update_expression(
            "SET busy_until = :ready, snapshot_count = if_not_exists(snapshot_count, :zero) + :one",
        )
        .condition_expression(
            "attribute_exists(pk) \
             AND (attribute_not_exists(busy_until) OR busy_until <= :now) \
             AND (attribute_not_exists(snapshot_count) OR snapshot_count < :max)",
        )
        .expression_attribute_values(":ready", n(ready.timestamp_millis()))
        .expression_attribute_values(":now", n(now.timestamp_millis()))
        .expression_attribute_values(":zero", n(0))
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":max", n(quota))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()
        .map_err(internal)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// Which condition of [`disk_lock`] was lost, judged from the disk as it was.
pub(crate) fn lost_disk_lock(old: Option<&Item>, quota: u32, now: DateTime<Utc>) -> DomainError {
    match old.map(|i| items::from_item::<Disk>(i.clone())) {
        Some(Ok(disk)) if disk.busy_until.is_some_and(|u| u > now) => DomainError::DiskSnapshotInProgress,
        Some(Ok(disk)) if disk.snapshot_count >= quota => DomainError::SnapshotQuotaReached,
        Some(Ok(_)) => DomainError::Internal("disk changed during the call".into()),
        _ => DomainError::DiskNotFound,
    }
}
