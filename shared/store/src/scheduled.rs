//! What the snapshot scheduler reads and releases: every policy and the snapshots due for
//! release, each through a sparse index (never a scan), and the release of one snapshot with its
//! disk's counter.

use crate::items::key::Kind;
use crate::items::{self, key, n, s};
use crate::table::{BY_EXPIRY, BY_KIND};
use crate::{internal, Released, Store};
use chrono::{DateTime, Utc};
use domain::{Account, DomainResult, Snapshot, SnapshotPolicy};

impl Store {
    pub async fn account(&self, id: &str) -> DomainResult<Option<Account>> {
        self.get(&key::account(id)).await
    }

    /// Every account in the table (loaded by a world), through the sparse `by_kind` index.
    pub async fn accounts(&self) -> DomainResult<Vec<Account>> {
        let items = self.query_index(&by_kind(items::ACCOUNT_KIND)).await?;
        let mut accounts: Vec<Account> =
            items.into_iter().map(items::from_item).collect::<DomainResult<_>>()?;
        accounts.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(accounts)
    }

    /// Every instance of an account.
    pub async fn account_instances(&self, account: &str) -> DomainResult<Vec<domain::Instance>> {
        self.owned(account, Kind::Instance.prefix()).await
    }

    /// Every automatic snapshot policy in the table, through the sparse `by_kind` index.
    pub async fn policies(&self) -> DomainResult<Vec<SnapshotPolicy>> {
        let items = self.query_index(&by_kind(items::POLICY_KIND)).await?;
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

    /// Release a snapshot past its retention: [`Store::delete_snapshot`], where one already gone
    /// (two schedulers may race to release it) or one an image has come to use meanwhile is
    /// kept, `Ok(false)`.
    pub async fn release_snapshot(&self, snapshot: &Snapshot) -> DomainResult<bool> {
        Ok(self.delete_snapshot(snapshot, Utc::now()).await? == Released::Deleted)
    }
}

/// The items of one kind, through the sparse `by_kind` index.
fn by_kind(kind: &str) -> crate::read_ahead::Query {
    crate::read_ahead::Query { index: BY_KIND, attribute: "kind", value: kind.to_string(), prefix: None }
}
