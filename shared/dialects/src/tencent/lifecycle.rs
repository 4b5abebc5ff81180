//! The parameters of CVM DeleteImages and ModifyImageAttribute and of CBS DeleteSnapshots and
//! ModifySnapshotAttribute, checked by the rules of their pages, into domain commands.

use super::wire::TcRequest;
use crate::json_params::Params;
use domain::delete::{DeleteImages, DeleteSnapshots};
use domain::modify::{Lifetime, ModifyImage, ModifySnapshot};
use domain::text::char_len;
use domain::{DomainError, DomainResult, Field};

/// The most ids one delete takes (the pages name `InvalidParameterValue.LimitExceeded` without a
/// number; 100 is the bound of the Describe calls' id lists).
pub const MAX_IDS: usize = 100;

/// A list of ids: present, not empty, at most [`MAX_IDS`], each once.
fn id_list(p: &Params<'_>, name: &str, prefix: Option<&str>) -> DomainResult<Vec<String>> {
    let ids = p.strings(name)?.filter(|ids| !ids.is_empty()).ok_or_else(|| DomainError::missing(name))?;
    if ids.len() > MAX_IDS {
        return Err(DomainError::TooManyIds(MAX_IDS));
    }
    if let Some(bad) = prefix.and_then(|pre| ids.iter().find(|id| !id.starts_with(pre))) {
        return Err(DomainError::MalformedId(bad.clone()));
    }
    let mut unique: Vec<String> = Vec::new();
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    Ok(unique)
}

/// CVM DeleteImages: `ImageIds`, `DeleteBindedSnap`, `DryRun`.
pub fn delete_images(tc: &TcRequest, region: &str) -> DomainResult<DeleteImages> {
    let p = Params::of(&tc.params, &["ImageIds", "DeleteBindedSnap", "DryRun"])?;
    Ok(DeleteImages {
        region: region.to_string(),
        ids: id_list(&p, "ImageIds", Some("img-"))?,
        with_snapshots: p.boolean("DeleteBindedSnap")?.unwrap_or(false),
        dry_run: p.boolean("DryRun")?.unwrap_or(false),
    })
}

/// CBS DeleteSnapshots: `SnapshotIds`, `DeleteBindImages`. CBS has no code for a malformed
/// snapshot id: an id of another form is a snapshot that does not exist.
pub fn delete_snapshots(tc: &TcRequest, region: &str) -> DomainResult<DeleteSnapshots> {
    let p = Params::of(&tc.params, &["SnapshotIds", "DeleteBindImages"])?;
    Ok(DeleteSnapshots {
        region: region.to_string(),
        ids: id_list(&p, "SnapshotIds", None)?,
        with_images: p.boolean("DeleteBindImages")?.unwrap_or(false),
    })
}

/// A text of at most `max` characters, or too long.
fn at_most(p: &Params<'_>, name: &str, max: usize, field: Field) -> DomainResult<Option<String>> {
    match p.string(name)? {
        Some(v) if char_len(&v) > max => Err(DomainError::TooLong(field)),
        other => Ok(other),
    }
}

/// CVM ModifyImageAttribute: `ImageName` (at most 60 characters, unique), `ImageDescription` (at
/// most 256), `ImageFamily`, `ImageDeprecated`. An empty name keeps the current one.
pub fn modify_image(tc: &TcRequest, region: &str) -> DomainResult<ModifyImage> {
    let p = Params::of(
        &tc.params,
        &["ImageId", "ImageName", "ImageDescription", "ImageFamily", "ImageDeprecated"],
    )?;
    let image_id = p.required("ImageId")?;
    if !image_id.starts_with("img-") {
        return Err(DomainError::MalformedId(image_id));
    }
    let family = p.string("ImageFamily")?;
    // A family is a name: letters, digits, `.`, `_`, `-`, at most 60 characters.
    let family_ok =
        |f: &str| char_len(f) <= 60 && f.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if family.as_deref().is_some_and(|f| !family_ok(f)) {
        return Err(DomainError::Malformed(Field::ImageFamily));
    }
    Ok(ModifyImage {
        image_id,
        region: region.to_string(),
        name: at_most(&p, "ImageName", 60, Field::ImageName)?.filter(|n| !n.is_empty()),
        description: at_most(&p, "ImageDescription", 256, Field::Description)?,
        image_family: family,
        deprecated: p.boolean("ImageDeprecated")?,
        ..ModifyImage::default()
    })
}

/// CBS ModifySnapshotAttribute: `SnapshotName` (at most 60 characters), `IsPermanent`,
/// `Deadline` (ISO 8601; it makes the snapshot non-permanent, and counts only when `IsPermanent`
/// is not true). A non-permanent snapshot needs its deadline; a request must change something.
pub fn modify_snapshot(tc: &TcRequest, region: &str) -> DomainResult<ModifySnapshot> {
    let p = Params::of(&tc.params, &["SnapshotId", "SnapshotName", "IsPermanent", "Deadline"])?;
    let snapshot_id = p.required("SnapshotId")?;
    let name = at_most(&p, "SnapshotName", 60, Field::SnapshotName)?.filter(|n| !n.is_empty());
    let deadline = match p.string("Deadline")?.filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => Some(
            chrono::DateTime::parse_from_rfc3339(&d)
                .map_err(|_| {
                    DomainError::invalid(
                        "Deadline",
                        "It must be an ISO 8601 time, such as 2026-01-08T09:47:55+00:00.",
                    )
                })?
                .with_timezone(&chrono::Utc),
        ),
    };
    let lifetime = match (p.boolean("IsPermanent")?, deadline) {
        (Some(true), _) => Some(Lifetime::Permanent),
        (_, Some(end)) => Some(Lifetime::Until(end)),
        (Some(false), None) => return Err(DomainError::missing("Deadline")),
        (None, None) => None,
    };
    if name.is_none() && lifetime.is_none() {
        return Err(DomainError::missing("SnapshotName, IsPermanent or Deadline"));
    }
    Ok(ModifySnapshot {
        snapshot_id,
        region: Some(region.to_string()),
        name,
        lifetime,
        ..ModifySnapshot::default()
    })
}
