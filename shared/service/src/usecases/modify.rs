//! ModifySnapshotAttribute and ModifyImageAttribute: the domain's rules over the resource as
//! read, then one conditional write. When the resource changed in between, it is read and judged
//! again, so that a rule is never applied to a state that is gone.

use super::{Caller, ATTEMPTS};
use domain::modify::{self, ModifyImage, ModifySnapshot};
use domain::{DomainError, DomainResult};
use store::{Modified, Store};

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

/// Several snapshots changed alike (ZEC's ModifySnapshotsAttribute): "If any of the snapshot IDs
/// does not exist, the operation will fail immediately", and every one is judged before any is
/// written; then each is modified on its own condition.
pub async fn snapshots(store: &Store, caller: &Caller<'_>, cmds: &[ModifySnapshot]) -> DomainResult<()> {
    let ids: Vec<String> = cmds.iter().map(|c| c.snapshot_id.clone()).collect();
    let found = store.snapshots_by_id(&ids).await?;
    let read = |id: &str| found.iter().find(|s| s.id == id);
    for cmd in cmds {
        let mine = read(&cmd.snapshot_id)
            .filter(|s| s.account == caller.account.id && !domain::schedule::expired(s, caller.now));
        if mine.is_none() {
            return Err(DomainError::SnapshotNotFound);
        }
    }
    for cmd in cmds {
        modify::plan_snapshot_modify(cmd, read(&cmd.snapshot_id), caller.account, caller.now)?;
    }
    for cmd in cmds {
        snapshot(store, caller, cmd).await?;
    }
    Ok(())
}

/// Images renamed (ZEC's ModifyImagesAttributes): every id one of the caller's images, or
/// nothing changes. Names are unique per account and region, so two images cannot take one.
pub async fn images_renamed(
    store: &Store,
    caller: &Caller<'_>,
    ids: &[String],
    name: &str,
) -> DomainResult<()> {
    let mut images = Vec::new();
    for id in ids {
        let image = store.image(id).await?.filter(|i| i.account == caller.account.id);
        let image = image.ok_or(DomainError::ImageNotFound)?;
        if !images.iter().any(|i: &domain::Image| i.id == image.id) {
            images.push(image);
        }
    }
    if images.len() > 1 {
        return Err(DomainError::ImageNameTaken);
    }
    for image in images {
        let cmd = ModifyImage {
            image_id: image.id.clone(),
            region: image.region.clone(),
            name: Some(name.to_string()),
            ..ModifyImage::default()
        };
        self::image(store, caller, &cmd).await?;
    }
    Ok(())
}
