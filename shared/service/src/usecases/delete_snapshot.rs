//! DeleteSnapshot: the domain's rule over the snapshot as read, then the one delete the
//! scheduler's releases share.

use super::Caller;
use domain::delete::{self, DeleteSnapshot};
use domain::{DomainError, DomainResult};
use store::{Released, Store};

/// Delete the snapshot, or do nothing when there is none to delete.
pub async fn run(store: &Store, caller: &Caller<'_>, cmd: &DeleteSnapshot) -> DomainResult<()> {
    let found = store.snapshot(&cmd.snapshot_id).await?;
    let Some(snapshot) = delete::plan_delete(cmd, found.as_ref(), caller.account)? else {
        return Ok(());
    };
    match store.delete_snapshot(snapshot, caller.now).await? {
        Released::Deleted | Released::Gone => Ok(()),
        // An image was made from it after it was read.
        Released::BacksImage => Err(DomainError::SnapshotBacksImage),
        // A snapshot's delete reads nothing it could find changed.
        Released::Changed => Err(DomainError::Unavailable),
    }
}
