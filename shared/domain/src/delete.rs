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

/// Deleting several images at once (Tencent CVM DeleteImages): every one must be the caller's
/// and no longer being created, or none is deleted.
#[derive(Debug, Clone, PartialEq)]
pub struct DeleteImages {
    pub region: String,
    pub ids: Vec<String>,
    /// Delete the snapshots the images are made from too, those no other image or disk uses.
    pub with_snapshots: bool,
    /// Check only: delete nothing.
    pub dry_run: bool,
}

/// Deleting several snapshots at once (Tencent CBS DeleteSnapshots): every one must be the
/// caller's and complete, and one an image is made from needs `with_images`, or none is deleted.
#[derive(Debug, Clone, PartialEq)]
pub struct DeleteSnapshots {
    pub region: String,
    pub ids: Vec<String>,
    /// Delete the images made from the snapshots first.
    pub with_images: bool,
}

/// The images a batch deletes, checked (ids as given, each once).
pub fn plan_images_delete<'a>(
    cmd: &DeleteImages,
    found: &'a [Image],
    account: &Account,
    now: chrono::DateTime<chrono::Utc>,
) -> DomainResult<Vec<&'a Image>> {
    let mut out = Vec::new();
    for id in &cmd.ids {
        let image = found
            .iter()
            .find(|i| &i.id == id && i.account == account.id && i.region == cmd.region)
            .ok_or(DomainError::ImageNotFound)?;
        if matches!(image.state(now), crate::model::Progress::InProgress { .. }) {
            return Err(DomainError::ImageCreating);
        }
        if !image.instance_ids.is_empty() {
            return Err(DomainError::ImageInUse);
        }
        if !out.iter().any(|i: &&Image| i.id == image.id) {
            out.push(image);
        }
    }
    Ok(out)
}

/// The snapshots a batch deletes, checked (ids as given, each once).
pub fn plan_snapshots_delete<'a>(
    cmd: &DeleteSnapshots,
    found: &'a [Snapshot],
    account: &Account,
    now: chrono::DateTime<chrono::Utc>,
) -> DomainResult<Vec<&'a Snapshot>> {
    let mut out = Vec::new();
    for id in &cmd.ids {
        let snapshot = found
            .iter()
            .find(|s| &s.id == id && s.account == account.id && s.region == cmd.region)
            .filter(|s| !crate::schedule::expired(s, now))
            .ok_or(DomainError::SnapshotNotFound)?;
        if matches!(snapshot.state(now), crate::model::Progress::InProgress { .. }) {
            return Err(DomainError::SnapshotNotReady);
        }
        if !snapshot.image_ids.is_empty() && !cmd.with_images {
            return Err(DomainError::SnapshotBacksImage);
        }
        if !out.iter().any(|s: &&Snapshot| s.id == snapshot.id) {
            out.push(snapshot);
        }
    }
    Ok(out)
}

/// What a batch that deletes what it may does with the ids it is given (ZEC API, DeleteImages and
/// DeleteSnapshots: "If some of the snapshots cannot be deleted, the API will return a list of
/// snapshot IDs that failed to be deleted. The rest of the snapshots are executed normally").
#[derive(Debug, PartialEq)]
pub struct EachDeleted<'a, T> {
    /// To delete, each once, in the order given.
    pub delete: Vec<&'a T>,
    /// Left as they are, each with the rule that kept it.
    pub refused: Vec<(String, DomainError)>,
}

impl<'a, T> EachDeleted<'a, T> {
    /// The plan, or, when the rules keep every id, the first id's refusal: a call that can delete
    /// nothing is refused with the reason rather than answered with its whole list.
    fn settle(self) -> DomainResult<EachDeleted<'a, T>> {
        match (self.delete.is_empty(), self.refused.first()) {
            (true, Some((_, why))) => Err(why.clone()),
            _ => Ok(self),
        }
    }
}

/// ZEC DeleteImages: every id must be one of the caller's images (in any region), or nothing is
/// deleted; one still being created, or one instances run, is kept and listed.
pub fn plan_each_image_delete<'a>(
    ids: &[String],
    found: &'a [Image],
    account: &Account,
    now: chrono::DateTime<chrono::Utc>,
) -> DomainResult<EachDeleted<'a, Image>> {
    let mut plan = EachDeleted { delete: Vec::new(), refused: Vec::new() };
    for id in dedup(ids) {
        let image = found
            .iter()
            .find(|i| &i.id == id && i.account == account.id)
            .ok_or(DomainError::ImageNotFound)?;
        if matches!(image.state(now), crate::model::Progress::InProgress { .. }) {
            plan.refused.push((id.clone(), DomainError::ImageCreating));
        } else if !image.instance_ids.is_empty() {
            plan.refused.push((id.clone(), DomainError::ImageInUse));
        } else {
            plan.delete.push(image);
        }
    }
    plan.settle()
}

/// ZEC DeleteSnapshots: every id must be one of the caller's snapshots, or nothing is deleted;
/// one still being made ("The snapshot cannot be deleted during the creation process"), or one an
/// image is made from, is kept and listed. Disks created from a snapshot do not keep it.
pub fn plan_each_snapshot_delete<'a>(
    ids: &[String],
    found: &'a [Snapshot],
    account: &Account,
    now: chrono::DateTime<chrono::Utc>,
) -> DomainResult<EachDeleted<'a, Snapshot>> {
    let mut plan = EachDeleted { delete: Vec::new(), refused: Vec::new() };
    for id in dedup(ids) {
        let snapshot = found
            .iter()
            .find(|s| &s.id == id && s.account == account.id)
            .filter(|s| !crate::schedule::expired(s, now))
            .ok_or(DomainError::SnapshotNotFound)?;
        if matches!(snapshot.state(now), crate::model::Progress::InProgress { .. }) {
            plan.refused.push((id.clone(), DomainError::SnapshotNotReady));
        } else if !snapshot.image_ids.is_empty() {
            plan.refused.push((id.clone(), DomainError::SnapshotBacksImage));
        } else {
            plan.delete.push(snapshot);
        }
    }
    plan.settle()
}

/// The ids, each once, in the order first given.
fn dedup(ids: &[String]) -> Vec<&String> {
    let mut out: Vec<&String> = Vec::new();
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}
