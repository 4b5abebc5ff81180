//! DeleteImage: the domain's rule over the image as read, then the one delete that gives back
//! its name, its quota and its marks on snapshots.

use super::{Caller, ATTEMPTS};
use domain::delete::{self, DeleteImage};
use domain::{DomainError, DomainResult};
use store::{Released, Store};

/// Delete the image, or do nothing when there is none to delete.
pub async fn run(store: &Store, caller: &Caller<'_>, cmd: &DeleteImage) -> DomainResult<()> {
    if !store.region_served(&cmd.region, caller.account.provider).await? {
        return Err(DomainError::RegionNotFound);
    }
    // An image renamed between the read and the delete is read again.
    for _ in 0..ATTEMPTS {
        let found = store.image(&cmd.image_id).await?;
        let Some(image) = delete::plan_image_delete(cmd, found.as_ref(), caller.account)? else {
            return Ok(());
        };
        match store.delete_image(image).await? {
            // Deleted now or by another call first: either way it is gone.
            Released::Deleted | Released::Gone => return Ok(()),
            Released::BacksImage | Released::Changed => {}
        }
    }
    Err(DomainError::Unavailable)
}
