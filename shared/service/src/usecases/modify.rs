//! ModifySnapshotAttribute and ModifyImageAttribute: the domain's rules over the resource as
//! read, then one conditional write. When the resource changed in between, it is read and judged
//! again, so that a rule is never applied to a state that is gone.

use super::Caller;
use domain::modify::{self, ModifyImage, ModifySnapshot};
use domain::{DomainError, DomainResult};
use store::{Modified, Store};

/// How many times a modification is judged again after losing a race before giving up.
const ATTEMPTS: usize = 3;

pub async fn snapshot(store: &Store, caller: &Caller<'_>, cmd: &ModifySnapshot) -> DomainResult<()> {
    for _ in 0..ATTEMPTS {
        let found = store.snapshot(&cmd.snapshot_id).await?;
        let after = modify::plan_snapshot_modify(cmd, found.as_ref(), caller.account, caller.now)?;
        let Some(before) = found else { return Err(DomainError::SnapshotNotFound) };
        if store.modify_snapshot(&before, &after).await? == Modified::Written {
            return Ok(());
        }
    }
    Err(DomainError::Unavailable)
}

pub async fn image(store: &Store, caller: &Caller<'_>, cmd: &ModifyImage) -> DomainResult<()> {
    if !store.region_served(&cmd.region, caller.account.provider).await? {
        return Err(DomainError::RegionNotFound);
    }
    for _ in 0..ATTEMPTS {
        let found = store.image(&cmd.image_id).await?;
        let after = modify::plan_image_modify(cmd, found.as_ref(), caller.account, caller.now)?;
        let Some(before) = found else { return Err(DomainError::ImageNotFound) };
        if store.modify_image(&before, &after).await? == Modified::Written {
            return Ok(());
        }
    }
    Err(DomainError::Unavailable)
}
