//! Deleting several images or snapshots in one call (Tencent's DeleteImages and
//! DeleteSnapshots): every resource is checked before any is deleted, then each goes through the
//! one delete of its kind (the one DeleteImage, DeleteSnapshot and the scheduler use), its rules
//! checked again in its own transaction.

use super::{one_write, Caller, ATTEMPTS};
use domain::delete::{self, DeleteImages, DeleteSnapshots};
use domain::{DomainError, DomainResult, Image, Snapshot};
use store::{Released, Store};

pub async fn images(store: &Store, caller: &Caller<'_>, cmd: &DeleteImages) -> DomainResult<()> {
    let found = read_images(store, &cmd.ids).await?;
    let images = delete::plan_images_delete(cmd, &found, caller.account, caller.now)?;
    if cmd.dry_run {
        return Ok(());
    }
    one_write(store, if cmd.with_snapshots { 2 } else { images.len() })?;
    for image in images {
        delete_image(store, image).await?;
        if cmd.with_snapshots {
            // The snapshots it is made from that nothing else uses any more.
            let ids: Vec<String> = image.disks.iter().filter_map(|d| d.snapshot_id.clone()).collect();
            for snapshot in store.snapshots_by_id(&ids).await? {
                if snapshot.image_ids.is_empty() && snapshot.disk_ids.is_empty() {
                    // An image made of it meanwhile keeps it.
                    store.delete_snapshot(&snapshot, caller.now).await?;
                }
            }
        }
    }
    Ok(())
}

pub async fn snapshots(store: &Store, caller: &Caller<'_>, cmd: &DeleteSnapshots) -> DomainResult<()> {
    let found = store.snapshots_by_id(&cmd.ids).await?;
    let snapshots = delete::plan_snapshots_delete(cmd, &found, caller.account, caller.now)?;
    let images: usize = snapshots.iter().map(|s| s.image_ids.len()).sum();
    one_write(store, snapshots.len() + images)?;
    for snapshot in snapshots {
        delete_snapshot_and_images(store, caller, cmd, snapshot).await?;
    }
    Ok(())
}

/// One snapshot of a DeleteSnapshots. With `DeleteBindImages`, the images made from it go first,
/// so that nothing marks it any more; then it goes, on the condition that nothing marks it. An
/// image made from it meanwhile fails that condition: with `DeleteBindImages` that image goes
/// too and the snapshot is tried again (the call asked for every image bound to it), so the call
/// never answers a refusal after it deleted images; without it, the refusal comes before
/// anything of this snapshot changed.
async fn delete_snapshot_and_images(
    store: &Store,
    caller: &Caller<'_>,
    cmd: &DeleteSnapshots,
    snapshot: &Snapshot,
) -> DomainResult<()> {
    let mut current = snapshot.clone();
    for _ in 0..ATTEMPTS {
        if !current.image_ids.is_empty() {
            if !cmd.with_images {
                return Err(DomainError::SnapshotBacksImage);
            }
            for image in read_images(store, &current.image_ids).await? {
                delete_image(store, &image).await?;
            }
            match store.snapshot(&current.id).await? {
                Some(again) => current = again,
                None => return Ok(()),
            }
            continue;
        }
        match store.delete_snapshot(&current, caller.now).await? {
            Released::Deleted | Released::Gone => return Ok(()),
            Released::BacksImage | Released::Changed => match store.snapshot(&current.id).await? {
                Some(again) => current = again,
                None => return Ok(()),
            },
        }
    }
    Err(DomainError::Unavailable)
}

async fn read_images(store: &Store, ids: &[String]) -> DomainResult<Vec<Image>> {
    let mut out = Vec::new();
    for id in ids {
        out.extend(store.image(id).await?);
    }
    Ok(out)
}

/// One image's delete, read again when it was renamed meanwhile.
async fn delete_image(store: &Store, image: &Image) -> DomainResult<()> {
    let mut current = image.clone();
    for _ in 0..ATTEMPTS {
        match store.delete_image(&current).await? {
            Released::Deleted | Released::Gone => return Ok(()),
            Released::BacksImage | Released::Changed => match store.image(&image.id).await? {
                Some(again) => current = again,
                None => return Ok(()),
            },
        }
    }
    Err(DomainError::Unavailable)
}

/// ZEC DeleteImages: every id one of the caller's images, or nothing is deleted; the rest go
/// through the one image delete. Answers the ids kept (being created, run by instances, or made
/// unusable for a delete by a call in between).
pub async fn each_image(store: &Store, caller: &Caller<'_>, ids: &[String]) -> DomainResult<Vec<String>> {
    let found = read_images(store, ids).await?;
    let plan = delete::plan_each_image_delete(ids, &found, caller.account, caller.now)?;
    // What it keeps is judged on fresh reads (a copy could keep what is no longer in use).
    one_write(store, plan.delete.len() + plan.refused.len())?;
    let mut kept: Vec<String> = plan.refused.into_iter().map(|(id, _)| id).collect();
    for image in plan.delete {
        delete_image(store, image).await?;
    }
    kept.sort_by_key(|id| ids.iter().position(|i| i == id));
    Ok(kept)
}

/// ZEC DeleteSnapshots: every id one of the caller's snapshots, or nothing is deleted; the rest
/// go through the one snapshot delete (the scheduler's). Answers the ids kept.
pub async fn each_snapshot(store: &Store, caller: &Caller<'_>, ids: &[String]) -> DomainResult<Vec<String>> {
    let found = store.snapshots_by_id(ids).await?;
    let plan = delete::plan_each_snapshot_delete(ids, &found, caller.account, caller.now)?;
    // What it keeps is judged on fresh reads (a copy could keep what is no longer in use).
    one_write(store, plan.delete.len() + plan.refused.len())?;
    let mut kept: Vec<String> = plan.refused.into_iter().map(|(id, _)| id).collect();
    for snapshot in plan.delete {
        match store.delete_snapshot(snapshot, caller.now).await? {
            Released::Deleted | Released::Gone => {}
            // An image was made from it after it was read.
            Released::BacksImage | Released::Changed => kept.push(snapshot.id.clone()),
        }
    }
    kept.sort_by_key(|id| ids.iter().position(|i| i == id));
    Ok(kept)
}
