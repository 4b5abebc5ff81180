//! CreateSnapshot: check the world's rules, then write the snapshot, the disk's lock and quota
//! and the token's completion in one transaction.

use super::idempotent::{self, Made};
use super::Caller;
use domain::schedule;
use domain::snapshot::{self, CreateSnapshot, SnapshotContext};
use domain::{Disk, DomainError, DomainResult, Snapshot};
use store::{Store, TokenUse};

/// The snapshot created (or, for a replayed client token, the id first created).
pub async fn run(
    store: &Store,
    caller: &Caller<'_>,
    cmd: &CreateSnapshot,
    new_id: fn() -> String,
) -> DomainResult<Made<Snapshot>> {
    let token = cmd.client_token.as_deref();
    // The region and the disk are read while the token is claimed.
    let prefetch = async {
        let region = async {
            match &cmd.region {
                Some(r) => store.region_served(r, caller.account.provider).await,
                None => Ok(true),
            }
        };
        tokio::join!(region, store.disk(&cmd.disk_id))
    };
    let make = async |token: Option<&TokenUse>, (region, disk)| {
        create(store, caller, cmd, new_id, token, region, disk).await
    };
    idempotent::once(store, caller, token, cmd, prefetch, make).await
}

/// Release the disk's snapshots that are past their retention (and back no image) now, rather
/// than at the scheduler's next run: an expired snapshot is gone for every purpose, its quota
/// included. Returns how many expired snapshots it found (released by this call or, racing it,
/// by another).
async fn release_expired(
    store: &Store,
    disk: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> DomainResult<usize> {
    let mut found = 0;
    for s in store.disk_snapshots(disk).await? {
        if schedule::expired(&s, now) {
            store.release_snapshot(&s).await?;
            found += 1;
        }
    }
    Ok(found)
}

async fn create(
    store: &Store,
    caller: &Caller<'_>,
    cmd: &CreateSnapshot,
    new_id: fn() -> String,
    token: Option<&TokenUse>,
    region_served: DomainResult<bool>,
    disk: DomainResult<Option<Disk>>,
) -> DomainResult<Snapshot> {
    let account = caller.account;
    if !region_served? {
        return Err(DomainError::RegionNotFound);
    }
    let mut disk = disk?
        .filter(|d| d.account == account.id && cmd.region.as_ref().is_none_or(|r| *r == d.region))
        .ok_or(DomainError::DiskNotFound)?;
    if disk.snapshot_count >= account.quotas.snapshots_per_disk
        && release_expired(store, &disk.id, caller.now).await? > 0
    {
        disk = store.disk(&disk.id).await?.ok_or(DomainError::DiskNotFound)?;
    }
    let instance = match &disk.instance {
        Some(id) => store.instance(id).await?,
        None => None,
    };
    let ctx = SnapshotContext {
        account,
        disk: &disk,
        instance: instance.as_ref(),
        dialect: caller.origin.dialect().name(),
        action: caller.origin.action(),
        now: caller.now,
    };
    let snapshot = snapshot::plan(cmd, &ctx, new_id())?;
    let processing = account.settings.timings.request_processing_ms;
    if processing > 0 {
        // The provider's processing time: the token stays "in progress" meanwhile.
        tokio::time::sleep(std::time::Duration::from_millis(processing)).await;
    }
    store.commit_snapshot(&snapshot, account.quotas.snapshots_per_disk, caller.now, token).await?;
    Ok(snapshot)
}
