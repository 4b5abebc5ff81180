//! CreateSnapshot: check the world's rules, then write the snapshot, the disk's lock and quota
//! and the token's completion in one transaction.

use super::idempotent::{self, Start};
use chrono::{DateTime, Utc};
use domain::snapshot::{self, CreateSnapshot, SnapshotContext};
use domain::{Account, DomainError, DomainResult, Snapshot};
use store::Store;

/// Who asks, in which dialect and action, and when.
pub struct Caller<'a> {
    pub account: &'a Account,
    pub dialect: &'a str,
    pub action: &'a str,
    pub now: DateTime<Utc>,
}

/// The snapshot created (or, for a replayed client token, the one first created).
pub async fn run(
    store: &Store,
    caller: &Caller<'_>,
    cmd: &CreateSnapshot,
    new_id: fn() -> String,
) -> DomainResult<Snapshot> {
    let account = caller.account;
    let held =
        match idempotent::start(store, account, caller.action, cmd.client_token.as_deref(), cmd, caller.now)
            .await?
        {
            Start::Replay(id) => {
                return store
                    .snapshot(&id)
                    .await?
                    .ok_or_else(|| DomainError::Internal("replayed snapshot is gone".into()))
            }
            Start::Proceed(held) => held,
        };
    let outcome = create(store, caller, cmd, new_id, held.as_ref()).await;
    if outcome.is_err() {
        idempotent::abandon(store, &held).await;
    }
    outcome
}

async fn create(
    store: &Store,
    caller: &Caller<'_>,
    cmd: &CreateSnapshot,
    new_id: fn() -> String,
    held: Option<&idempotent::Held>,
) -> DomainResult<Snapshot> {
    let account = caller.account;
    if let Some(region) = &cmd.region {
        if !store.region_exists(region).await? {
            return Err(DomainError::RegionNotFound);
        }
    }
    let disk = store
        .disk(&cmd.disk_id)
        .await?
        .filter(|d| d.account == account.id && cmd.region.as_ref().is_none_or(|r| *r == d.region))
        .ok_or(DomainError::DiskNotFound)?;
    let instance = match &disk.instance {
        Some(id) => store.instance(id).await?,
        None => None,
    };
    let ctx = SnapshotContext {
        account,
        disk: &disk,
        instance: instance.as_ref(),
        dialect: caller.dialect,
        action: caller.action,
        now: caller.now,
    };
    let snapshot = snapshot::plan(cmd, &ctx, new_id())?;
    let processing = account.settings.timings.request_processing_ms;
    if processing > 0 {
        // The provider's processing time: the token stays "in progress" meanwhile.
        tokio::time::sleep(std::time::Duration::from_millis(processing)).await;
    }
    let token = held.map(|h| (&h.key, h.claim_id.as_str()));
    store.commit_snapshot(&snapshot, account.quotas.snapshots_per_disk, caller.now, token).await?;
    Ok(snapshot)
}
