//! The table's invariants, checked by reading all of it (an operator's and the tests' check,
//! never on a request's path): what the create transactions and the scheduler promise to keep.

use crate::items::key::Kind;
use crate::items::{self, Item};
use crate::{internal, Store};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use domain::idempotency::{TokenRecord, TokenStatus};
use domain::{Disk, DomainResult, Image, Snapshot};
use std::collections::{BTreeMap, BTreeSet};

impl Store {
    /// Every broken invariant, in words (empty when the table is consistent):
    /// - each disk's snapshot counter equals the snapshots of it;
    /// - each named image has its name marker, and each marker its image;
    /// - each account's image counter in a region equals its images there;
    /// - no client token is still in progress past its lease;
    /// - no snapshot or image belongs to an account that does not exist, no snapshot names an
    ///   image that does not exist, and each snapshot an image is made from exists and names it;
    /// - each disk created from a snapshot names one that exists and lists the disk.
    pub async fn check_invariants(&self, now: DateTime<Utc>) -> DomainResult<Vec<String>> {
        let all = self.everything().await?;
        let disks: Vec<Disk> = of_kind(&all, Kind::Disk)?;
        let snapshots: Vec<Snapshot> = of_kind(&all, Kind::Snapshot)?;
        let images: Vec<Image> = of_kind(&all, Kind::Image)?;
        let accounts: BTreeSet<&str> =
            all.iter().filter_map(|(pk, _)| pk.strip_prefix(Kind::Account.prefix())).collect();
        let mut broken = Vec::new();

        let mut per_disk: BTreeMap<&str, u32> = BTreeMap::new();
        for s in &snapshots {
            *per_disk.entry(s.disk_id.as_str()).or_default() += 1;
        }
        for d in &disks {
            let counted = per_disk.get(d.id.as_str()).copied().unwrap_or(0);
            if d.snapshot_count != counted {
                broken.push(format!("disk {} counts {} snapshots but has {counted}", d.id, d.snapshot_count));
            }
        }

        let markers: BTreeMap<&str, String> = all
            .iter()
            .filter_map(|(pk, item)| {
                Some((pk.strip_prefix(Kind::ImageName.prefix())?, string(item, "image_id")?))
            })
            .collect();
        for i in images.iter().filter(|i| !i.name.is_empty()) {
            let marker = format!("{}#{}#{}", i.account, i.region, i.name);
            if markers.get(marker.as_str()) != Some(&i.id) {
                broken.push(format!("image {} has no name marker {marker}", i.id));
            }
        }
        for (marker, image) in &markers {
            if !images.iter().any(|i| &i.id == image) {
                broken.push(format!("name marker {marker} names a missing image {image}"));
            }
        }

        let mut per_region: BTreeMap<(String, String), u32> = BTreeMap::new();
        for i in &images {
            *per_region.entry((i.account.clone(), i.region.clone())).or_default() += 1;
        }
        let counters: BTreeMap<(String, String), u32> = all
            .iter()
            .filter_map(|(pk, item)| {
                let (account, region) = pk.strip_prefix(Kind::ImageCount.prefix())?.split_once('#')?;
                let n = match item.get("n") {
                    Some(AttributeValue::N(n)) => n.parse().ok()?,
                    _ => 0,
                };
                Some(((account.to_string(), region.to_string()), n))
            })
            .collect();
        for key in per_region.keys().chain(counters.keys()).collect::<BTreeSet<_>>() {
            let (have, counted) =
                (per_region.get(key).copied().unwrap_or(0), counters.get(key).copied().unwrap_or(0));
            if have != counted {
                broken.push(format!("account {} counts {counted} images in {} but has {have}", key.0, key.1));
            }
        }

        for (pk, item) in all.iter().filter(|(pk, _)| pk.starts_with(Kind::Token.prefix())) {
            let record: TokenRecord = items::from_item(item.clone())?;
            if record.status == TokenStatus::InProgress && record.in_flight_until < now {
                broken.push(format!("token {pk} is still in progress past its lease"));
            }
        }

        for s in &snapshots {
            if !accounts.contains(s.account.as_str()) {
                broken.push(format!("snapshot {} belongs to a missing account {}", s.id, s.account));
            }
            for image in &s.image_ids {
                if !images.iter().any(|i| &i.id == image) {
                    broken.push(format!("snapshot {} names a missing image {image}", s.id));
                }
            }
        }
        for i in &images {
            for id in i.disks.iter().filter_map(|d| d.snapshot_id.as_ref()) {
                match snapshots.iter().find(|s| &s.id == id) {
                    None => broken.push(format!("image {} names a missing snapshot {id}", i.id)),
                    Some(s) if !s.image_ids.contains(&i.id) => broken
                        .push(format!("image {} is made from snapshot {id}, which does not name it", i.id)),
                    Some(_) => {}
                }
            }
        }
        for d in &disks {
            let Some(id) = &d.source_snapshot else { continue };
            match snapshots.iter().find(|s| &s.id == id) {
                None => broken.push(format!("disk {} is created from a missing snapshot {id}", d.id)),
                Some(s) if !s.disk_ids.contains(&d.id) => broken
                    .push(format!("disk {} is created from snapshot {id}, which does not list it", d.id)),
                Some(_) => {}
            }
        }
        for i in images.iter().filter(|i| !accounts.contains(i.account.as_str())) {
            broken.push(format!("image {} belongs to a missing account {}", i.id, i.account));
        }
        Ok(broken)
    }

    /// Every item, with its key.
    async fn everything(&self) -> DomainResult<Vec<(String, Item)>> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.table)
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(internal)?;
            for item in page.items.unwrap_or_default() {
                if let Some(pk) = string(&item, "pk") {
                    out.push((pk, item));
                }
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }
}

/// The items whose key starts with `prefix`, read as `T`.
fn of_kind<T: serde::de::DeserializeOwned>(all: &[(String, Item)], kind: Kind) -> DomainResult<Vec<T>> {
    all.iter()
        .filter(|(pk, _)| Kind::of(pk) == Some(kind))
        .map(|(_, i)| items::from_item(i.clone()))
        .collect()
}

fn string(item: &Item, name: &str) -> Option<String> {
    match item.get(name) {
        Some(AttributeValue::S(s)) => Some(s.clone()),
        _ => None,
    }
}
