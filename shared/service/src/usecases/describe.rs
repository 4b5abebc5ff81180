//! What the Describe calls read: the caller's own snapshots or images in a region of their
//! provider, newest first, read through the narrowest index the request allows. Each dialect
//! then applies its own filters and paging.

use super::Caller;
use domain::{DomainError, DomainResult, Image, Snapshot};
use store::Store;

/// Which snapshots to read.
pub enum SnapshotScope<'a> {
    Ids(&'a [String]),
    Disk(&'a str),
    Account,
}

/// The caller's snapshots in `region` (every region of theirs when `None`), newest first.
pub async fn snapshots(
    store: &Store,
    caller: &Caller<'_>,
    region: Option<&str>,
    scope: SnapshotScope<'_>,
) -> DomainResult<Vec<Snapshot>> {
    let account = caller.account;
    if let Some(region) = region {
        if !store.region_served(region, account.provider).await? {
            return Err(DomainError::RegionNotFound);
        }
    }
    let candidates = match scope {
        SnapshotScope::Ids(ids) => store.snapshots_by_id(ids).await?,
        SnapshotScope::Disk(disk) => store.disk_snapshots(disk).await?,
        SnapshotScope::Account => store.account_snapshots(&account.id).await?,
    };
    let mut mine: Vec<Snapshot> = candidates
        .into_iter()
        // A snapshot past its retention is released, even before the scheduler deletes it.
        .filter(|s| s.account == account.id && region.is_none_or(|r| s.region == r))
        .filter(|s| !domain::schedule::expired(s, caller.now))
        .collect();
    mine.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
    Ok(mine)
}

/// The caller's images in `region` (every region of theirs when `None`), newest first.
pub async fn images(store: &Store, caller: &Caller<'_>, region: Option<&str>) -> DomainResult<Vec<Image>> {
    let account = caller.account;
    if let Some(region) = region {
        if !store.region_served(region, account.provider).await? {
            return Err(DomainError::RegionNotFound);
        }
    }
    let mut mine: Vec<Image> = store
        .account_images(&account.id)
        .await?
        .into_iter()
        .filter(|i| region.is_none_or(|r| i.region == r))
        .collect();
    mine.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
    Ok(mine)
}
