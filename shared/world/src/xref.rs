//! The checks between the objects of a world, once each object has been read: ids non-empty and
//! unique across the world, access keys unique, every account, region and zone a resource names
//! one of the world's (a region of the account's provider, a zone of the region), image names
//! unique per account and region, a fault's resource a disk or instance of the world and its
//! action a served one, a rate limit's key a served action, and the
//! rules that tie one field to another. Each refusal names the path of the field at fault.

use crate::error::{err, Res};
use crate::file::{self, SnapshotStatus};
use crate::MAX_SKEW_SECONDS;
use dialects::actions::{Origin, Route};
use domain::Provider;
use std::collections::HashMap;

pub fn check(w: &file::World) -> Res<()> {
    if let Some(s) = &w.settings {
        settings(s)?;
    }
    let mut ids = Ids::default();
    let regions = list(&w.regions);
    for (i, r) in regions.iter().enumerate() {
        ids.claim(&format!("regions[{i}]"), &r.id)?;
    }
    let accounts = list(&w.accounts);
    for (i, a) in accounts.iter().enumerate() {
        let at = format!("accounts[{i}]");
        ids.claim(&at, &a.id)?;
        credentials(&at, a)?;
    }
    access_keys(accounts)?;
    let refs = Refs::new(accounts, regions);
    let instances = list(&w.instances);
    for (i, x) in instances.iter().enumerate() {
        let at = format!("instances[{i}]");
        ids.claim(&at, &x.id)?;
        refs.owner(&at, &x.account, &x.region)?;
        refs.zone(&at, &x.region, &x.zone)?;
    }
    let disks = list(&w.disks);
    for (i, d) in disks.iter().enumerate() {
        let at = format!("disks[{i}]");
        ids.claim(&at, &d.id)?;
        refs.owner(&at, &d.account, &d.region)?;
        refs.zone(&at, &d.region, &d.zone)?;
    }
    for (i, s) in list(&w.snapshots).iter().enumerate() {
        let at = format!("snapshots[{i}]");
        ids.claim(&at, &s.id)?;
        refs.owner(&at, &s.account, &s.region)?;
        if s.progress.is_some() && s.status() != SnapshotStatus::Progressing {
            return err(
                format!("{at}.progress"),
                "only a snapshot with status \"progressing\" has a progress",
            );
        }
    }
    let images = list(&w.images);
    for (i, m) in images.iter().enumerate() {
        let at = format!("images[{i}]");
        ids.claim(&at, &m.id)?;
        refs.owner(&at, &m.account, &m.region)?;
    }
    image_names(images)?;
    let snapshots = list(&w.snapshots);
    for (i, d) in disks.iter().enumerate() {
        if let Some(id) = &d.source_snapshot {
            let mine =
                snapshots.iter().any(|s| s.id == *id && s.account == d.account && s.region == d.region);
            if !mine {
                return err(
                    format!("disks[{i}].source_snapshot"),
                    format!(
                        "no snapshot {id:?} of account {:?} in region {:?} in this world",
                        d.account, d.region
                    ),
                );
            }
        }
    }
    for (i, x) in instances.iter().enumerate() {
        if let Some(id) = &x.image {
            let mine = images.iter().any(|m| m.id == *id && m.account == x.account && m.region == x.region);
            if !mine {
                return err(
                    format!("instances[{i}].image"),
                    format!(
                        "no image {id:?} of account {:?} in region {:?} in this world",
                        x.account, x.region
                    ),
                );
            }
        }
    }
    for (i, p) in list(&w.snapshot_policies).iter().enumerate() {
        let at = format!("snapshot_policies[{i}]");
        ids.claim(&at, &p.id)?;
        refs.owner(&at, &p.account, &p.region)?;
        if p.retention_days.is_some_and(|d| d.0 == 0) {
            return err(format!("{at}.retention_days"), "must be -1 (keep forever) or 1..=65536");
        }
    }
    for (i, f) in list(&w.faults).iter().enumerate() {
        // A fault names a served route (or the scheduler), as a runtime fault must: a misspelt
        // one would never fire.
        if let Err(why) = Origin::named(&f.dialect, &f.action) {
            return err(format!("faults[{i}].action"), why);
        }
        let known = disks.iter().any(|d| d.id == f.resource) || instances.iter().any(|x| x.id == f.resource);
        if !known {
            return err(
                format!("faults[{i}].resource"),
                format!("no disk or instance {:?} in this world", f.resource),
            );
        }
    }
    Ok(())
}

/// The items of an optional list (absent or `null`: none).
pub fn list<T>(items: &Option<Vec<T>>) -> &[T] {
    items.as_deref().unwrap_or_default()
}

fn settings(s: &file::Settings) -> Res<()> {
    // A rate limit names a served route by its key (`alibaba:CreateSnapshot`).
    for (key, _) in s.rate_limits.iter().flat_map(|l| &l.0) {
        let route = key.split_once(':').ok_or_else(|| "not dialect:Action".to_string());
        if let Err(why) = route.and_then(|(dialect, action)| Route::named(dialect, action)) {
            return err(format!("settings.rate_limits.{key}"), why);
        }
    }
    // A nonce is remembered for two days: a request must not stay fresh longer than that.
    match s.signature_max_skew_seconds {
        Some(skew) if skew.0 > MAX_SKEW_SECONDS => err(
            "settings.signature_max_skew_seconds",
            format!("{} is over {MAX_SKEW_SECONDS} (one day)", skew.0),
        ),
        _ => Ok(()),
    }
}

/// Every id of the world, with the path of the object that has it.
#[derive(Default)]
struct Ids<'w>(HashMap<&'w str, String>);

impl<'w> Ids<'w> {
    fn claim(&mut self, at: &str, id: &'w str) -> Res<()> {
        if id.is_empty() {
            return err(format!("{at}.id"), "must not be empty");
        }
        if let Some(first) = self.0.get(id) {
            return err(
                format!("{at}.id"),
                format!("id {id:?} is used twice in this world (also at {first}.id)"),
            );
        }
        self.0.insert(id, at.to_string());
        Ok(())
    }
}

fn credentials(at: &str, a: &file::Account) -> Res<()> {
    if a.credentials.is_empty() {
        return err(
            format!("{at}.credentials"),
            "expected a non-empty list of {\"access_key_id\", \"secret\"}, found an empty list",
        );
    }
    for (j, c) in a.credentials.iter().enumerate() {
        for (field, value) in [("access_key_id", &c.access_key_id), ("secret", &c.secret)] {
            if value.is_empty() {
                return err(format!("{at}.credentials[{j}].{field}"), "must not be empty");
            }
        }
    }
    Ok(())
}

fn access_keys(accounts: &[file::Account]) -> Res<()> {
    let mut seen: HashMap<&str, String> = HashMap::new();
    for (i, a) in accounts.iter().enumerate() {
        for (j, c) in a.credentials.iter().enumerate() {
            let at = format!("accounts[{i}].credentials[{j}].access_key_id");
            if let Some(first) = seen.get(c.access_key_id.as_str()) {
                return err(at, format!("access key {:?} is given twice (also at {first})", c.access_key_id));
            }
            seen.insert(&c.access_key_id, at);
        }
    }
    Ok(())
}

fn image_names(images: &[file::Image]) -> Res<()> {
    let mut seen: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for (i, m) in images.iter().enumerate() {
        let key = (m.account.as_str(), m.region.as_str(), m.name.as_str());
        if let Some(first) = seen.get(&key) {
            return err(
                format!("images[{i}].name"),
                format!(
                    "image name {:?} is used twice in account {:?} and region {:?} (also at images[{first}].name)",
                    m.name, m.account, m.region
                ),
            );
        }
        seen.insert(key, i);
    }
    Ok(())
}

/// Lookups for cross-references: account → provider, region → (provider, zones).
struct Refs<'w> {
    accounts: HashMap<&'w str, Provider>,
    regions: HashMap<&'w str, (Provider, &'w [String])>,
}

impl<'w> Refs<'w> {
    fn new(accounts: &'w [file::Account], regions: &'w [file::Region]) -> Self {
        Refs {
            accounts: accounts.iter().map(|a| (a.id.as_str(), a.provider.get())).collect(),
            regions: regions
                .iter()
                .map(|r| (r.id.as_str(), (r.provider.get(), r.zones.as_slice())))
                .collect(),
        }
    }

    /// The account exists, and the region is one of the world's of the same provider.
    fn owner(&self, at: &str, account: &str, region: &str) -> Res<()> {
        let Some(provider) = self.accounts.get(account) else {
            return err(format!("{at}.account"), format!("no account {account:?} in this world"));
        };
        match self.regions.get(region) {
            Some((p, _)) if p == provider => Ok(()),
            Some(_) => err(
                format!("{at}.region"),
                format!("region {region:?} belongs to another provider than account {account:?}"),
            ),
            None => err(format!("{at}.region"), format!("no region {region:?} in this world")),
        }
    }

    fn zone(&self, at: &str, region: &str, zone: &str) -> Res<()> {
        match self.regions.get(region) {
            Some((_, zones)) if zones.iter().any(|z| z == zone) => Ok(()),
            _ => err(format!("{at}.zone"), format!("zone {zone:?} is not a zone of region {region:?}")),
        }
    }
}
