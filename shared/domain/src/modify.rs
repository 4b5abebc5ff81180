//! Changing a snapshot's or an image's attributes: the commands, and the rules over the resource
//! as read, which give the resource as it will be. The store writes only the attributes a
//! modification owns (never the tags or the images' marks, which other calls change), on the
//! condition that what these rules read is unchanged.

use crate::error::{DomainError, DomainResult};
use crate::model::{Account, Image, Progress, Snapshot};
use chrono::{DateTime, Duration, Utc};

/// ModifySnapshotAttribute as the dialects hand it over, already checked for format.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModifySnapshot {
    pub snapshot_id: String,
    /// The region named, when the dialect names one: a snapshot elsewhere is not the one meant.
    pub region: Option<String>,
    pub name: Option<String>,
    /// The new description; an empty one clears it.
    pub description: Option<String>,
    /// Days from the snapshot's creation to its release.
    pub retention_days: Option<u32>,
    /// Kept for ever, or until a given time (Tencent's `IsPermanent` and `Deadline`).
    pub lifetime: Option<Lifetime>,
}

/// How long a snapshot is kept, when a modification sets it outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    Permanent,
    Until(DateTime<Utc>),
}

/// The snapshot as the modification leaves it (ECS API reference, ModifySnapshotAttribute): one
/// still being made cannot change; its retention can be extended, never shortened, and a
/// retention that would end before `now` would shorten a snapshot kept for ever.
pub fn plan_snapshot_modify(
    cmd: &ModifySnapshot,
    found: Option<&Snapshot>,
    account: &Account,
    now: DateTime<Utc>,
) -> DomainResult<Snapshot> {
    let snapshot = found
        .filter(|s| s.account == account.id && cmd.region.as_ref().is_none_or(|r| *r == s.region))
        .filter(|s| !crate::schedule::expired(s, now))
        .ok_or(DomainError::SnapshotNotFound)?;
    if matches!(snapshot.state(now), Progress::InProgress { .. }) {
        return Err(DomainError::SnapshotNotReady);
    }
    let mut after = snapshot.clone();
    if let Some(name) = &cmd.name {
        after.name = Some(name.clone());
    }
    if let Some(description) = &cmd.description {
        after.description = Some(description.clone()).filter(|d| !d.is_empty());
    }
    if let Some(days) = cmd.retention_days {
        let end = snapshot.created_at + Duration::days(i64::from(days));
        let shorter = match snapshot.expires_at() {
            Some(current) => end < current,
            None => end <= now,
        };
        if shorter {
            return Err(DomainError::RetentionShortened);
        }
        after.retention_days = Some(days);
        after.deadline = None;
    }
    match cmd.lifetime {
        None => {}
        Some(Lifetime::Permanent) => {
            after.retention_days = None;
            after.deadline = None;
        }
        Some(Lifetime::Until(end)) if end <= now => {
            return Err(DomainError::invalid("Deadline", "The deadline must be in the future."))
        }
        Some(Lifetime::Until(end)) => {
            after.retention_days = None;
            after.deadline = Some(end);
        }
    }
    Ok(after)
}

/// What ModifyImageAttribute's `Status` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageLifecycle {
    Deprecated,
    Available,
}

/// ModifyImageAttribute as the dialects hand it over, already checked for format. An empty
/// description or family clears it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModifyImage {
    pub image_id: String,
    pub region: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub image_family: Option<String>,
    pub boot_mode: Option<String>,
    pub license_type: Option<String>,
    pub nvme_support: Option<String>,
    pub imds_support: Option<String>,
    pub status: Option<ImageLifecycle>,
    /// Deprecated or not, whatever it is now (Tencent's `ImageDeprecated`).
    pub deprecated: Option<bool>,
    pub dry_run: bool,
}

/// The image as the modification leaves it (ECS API reference, ModifyImageAttribute): one still
/// being created cannot change; instance metadata access cannot go back from v2 to v1; only an
/// available image can be deprecated, and only a deprecated one made available again. Whether a
/// new name is free is the store's to check, in the write.
pub fn plan_image_modify(
    cmd: &ModifyImage,
    found: Option<&Image>,
    account: &Account,
    now: DateTime<Utc>,
) -> DomainResult<Image> {
    let image = found
        .filter(|i| i.account == account.id && i.region == cmd.region)
        .ok_or(DomainError::ImageNotFound)?;
    let state = image.state(now);
    if matches!(state, Progress::InProgress { .. }) {
        return Err(DomainError::ImageCreating);
    }
    let boot_mode_changes = cmd.boot_mode.is_some() && cmd.boot_mode != image.boot_mode;
    if boot_mode_changes && !image.instance_ids.is_empty() {
        return Err(DomainError::ImageBootModeInUse);
    }
    if cmd.imds_support.as_deref() == Some("v1") && image.imds_support.as_deref() == Some("v2") {
        return Err(DomainError::ImdsDowngrade);
    }
    match cmd.status {
        Some(ImageLifecycle::Deprecated) if state != Progress::Done || image.deprecated => {
            return Err(DomainError::ImageNotAvailable)
        }
        Some(ImageLifecycle::Available) if !image.deprecated => return Err(DomainError::ImageNotDeprecated),
        _ => {}
    }
    if cmd.dry_run {
        return Err(DomainError::DryRunPassed);
    }
    let mut after = image.clone();
    let set = |field: &mut Option<String>, value: &Option<String>| {
        if let Some(v) = value {
            *field = Some(v.clone()).filter(|v| !v.is_empty());
        }
    };
    if let Some(name) = &cmd.name {
        after.name = name.clone();
    }
    set(&mut after.description, &cmd.description);
    set(&mut after.image_family, &cmd.image_family);
    set(&mut after.boot_mode, &cmd.boot_mode);
    set(&mut after.license_type, &cmd.license_type);
    set(&mut after.nvme_support, &cmd.nvme_support);
    set(&mut after.imds_support, &cmd.imds_support);
    if let Some(status) = cmd.status {
        after.deprecated = status == ImageLifecycle::Deprecated;
    }
    if let Some(deprecated) = cmd.deprecated {
        after.deprecated = deprecated;
    }
    Ok(after)
}
