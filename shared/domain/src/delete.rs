//! Deleting a snapshot or an image: the commands, and the rules that decide what becomes of
//! them. The store enforces again, in the delete itself, the rules that concurrency could break
//! (no image made from the snapshot meanwhile; the image's name and quota given back once).

use crate::error::{DomainError, DomainResult};
use crate::model::{Account, Image, Snapshot};

/// DeleteSnapshot as the dialects hand it over, already checked for format.
#[derive(Debug, Clone, PartialEq)]
pub struct DeleteSnapshot {
    pub snapshot_id: String,
    /// The region named, when the dialect names one: a snapshot elsewhere is not the one meant.
    pub region: Option<String>,
    /// Delete even a snapshot disks were created from (they can no longer be re-initialised).
    pub force: bool,
}

/// What a delete does with the snapshot as read (`None`: no such snapshot). A snapshot that does
/// not exist, or not for this caller and region, is ignored (ECS API reference, DeleteSnapshot:
/// "If the snapshot does not exist, the request is ignored"): `Ok(None)`. One being made is
/// deleted all the same, its creation cancelled.
pub fn plan_delete<'a>(
    cmd: &DeleteSnapshot,
    found: Option<&'a Snapshot>,
    account: &Account,
) -> DomainResult<Option<&'a Snapshot>> {
    let Some(snapshot) =
        found.filter(|s| s.account == account.id && cmd.region.as_ref().is_none_or(|r| *r == s.region))
    else {
        return Ok(None);
    };
    if !snapshot.image_ids.is_empty() {
        return Err(DomainError::SnapshotBacksImage);
    }
    if !snapshot.disk_ids.is_empty() && !cmd.force {
        return Err(DomainError::SnapshotBacksDisk);
    }
    Ok(Some(snapshot))
}

/// DeleteImage as the dialects hand it over, already checked for format.
#[derive(Debug, Clone, PartialEq)]
pub struct DeleteImage {
    pub image_id: String,
    pub region: String,
    /// Delete even an image instances run.
    pub force: bool,
    /// Check the request and answer the dialect's dry-run code instead of deleting.
    pub dry_run: bool,
}

/// What a delete does with the image as read (`None`: no such image). An image that does not
/// exist, or not for this caller and region, is ignored (ECS API reference, DeleteImage: "If the
/// specified custom image does not exist, the request is ignored"). One still being created is
/// deleted all the same: the snapshots made for it are kept, as ordinary snapshots. One that
/// instances run goes only by force.
pub fn plan_image_delete<'a>(
    cmd: &DeleteImage,
    found: Option<&'a Image>,
    account: &Account,
) -> DomainResult<Option<&'a Image>> {
    let image = found.filter(|i| i.account == account.id && i.region == cmd.region);
    if image.is_some_and(|i| !i.instance_ids.is_empty()) && !cmd.force {
        return Err(DomainError::ImageInUse);
    }
    if cmd.dry_run {
        return Err(DomainError::DryRunPassed);
    }
    Ok(image)
}
