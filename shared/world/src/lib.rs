//! The world file (format version 1): the situation a user wants to test, parsed and checked
//! into domain resources. A malformed world is refused with the path of the bad field.
//!
//! Three steps: the file is read into its own types (`file.rs`), each refusing unknown fields,
//! wrong types and unknown names where they are; the checks between objects run over what was
//! read (`xref.rs`); the checked file is made into domain resources with the format's defaults
//! (`build.rs`).

mod build;
mod error;
mod file;
mod values;
mod xref;

use chrono::{DateTime, Utc};
use domain::*;
pub use error::WorldError;
use error::{err, Res, DOCUMENT};
use serde::Deserialize;

/// The world shipped with the project (also at `infra/worlds/reference.json`).
pub const REFERENCE_WORLD: &str = include_str!("../../../infra/worlds/reference.json");

/// The longest a request may stay fresh: a day, well inside the two days a nonce is remembered.
pub const MAX_SKEW_SECONDS: u64 = 86_400;

/// A checked world, ready to be written to the store.
#[derive(Debug, Clone)]
pub struct World {
    pub settings: Settings,
    pub accounts: Vec<Account>,
    pub credentials: Vec<Credential>,
    pub regions: Vec<Region>,
    pub instances: Vec<Instance>,
    pub disks: Vec<Disk>,
    pub snapshots: Vec<Snapshot>,
    pub images: Vec<Image>,
    pub snapshot_policies: Vec<SnapshotPolicy>,
}

/// Parse and check a world document. Relative times are taken from `now`.
pub fn parse(text: &str, now: DateTime<Utc>) -> Result<World, WorldError> {
    let file = read(text)?;
    xref::check(&file)?;
    Ok(build::world(file, now))
}

/// The document read into the format's types. Its version is read first, so a document of
/// another version is refused as such, not for the fields this version does not know.
fn read(text: &str) -> Res<file::World> {
    #[derive(Deserialize)]
    struct Head {
        version: Option<serde_json::Value>,
    }
    match serde_json::from_str::<Head>(text) {
        Err(e) if !e.is_data() => return err(DOCUMENT, format!("not valid JSON: {e}")),
        Ok(Head { version: None }) => return err("version", "required field is missing"),
        Ok(Head { version: Some(v) }) if v.as_u64() != Some(1) => {
            return err("version", format!("unsupported version {v} (this is format version 1)"))
        }
        // Version 1, or a document the full read refuses with a path.
        _ => {}
    }
    let mut reader = serde_json::Deserializer::from_str(text);
    let world = serde_path_to_error::deserialize(&mut reader)?;
    reader
        .end()
        .map_err(|e| WorldError { path: DOCUMENT.into(), problem: format!("not valid JSON: {e}") })?;
    Ok(world)
}

/// A time as the format gives it, RFC 3339 or relative to `now` (`-30m`, `+10m`, `-400d`; units
/// s, m, h, d); `path` names it in a refusal.
pub fn parse_time(path: &str, text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, WorldError> {
    match values::Time::parse(text) {
        Ok(t) => Ok(t.at(now)),
        Err(problem) => err(path, problem),
    }
}

#[cfg(test)]
mod tests;
