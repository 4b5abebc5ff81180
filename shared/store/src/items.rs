//! Item keys and the conversion between domain values and DynamoDB items.
//!
//! One table, hash key `pk`. Items owned by an account carry `acct`, the hash key of the
//! `by_account` index (range key `pk`), which serves listings and world reloads.

use aws_sdk_dynamodb::types::AttributeValue;
use domain::DomainResult;
use serde::{de::DeserializeOwned, Serialize};
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

pub mod key {
    pub fn credential(access_key_id: &str) -> String {
        format!("AK#{access_key_id}")
    }
    pub fn account(id: &str) -> String {
        format!("ACCT#{id}")
    }
    pub fn region(id: &str) -> String {
        format!("REGION#{id}")
    }
    pub fn instance(id: &str) -> String {
        format!("INST#{id}")
    }
    pub const DISK_PREFIX: &str = "DISK#";
    pub fn disk(id: &str) -> String {
        format!("{DISK_PREFIX}{id}")
    }
    pub const SNAPSHOT_PREFIX: &str = "SNAP#";
    pub fn snapshot(id: &str) -> String {
        format!("{SNAPSHOT_PREFIX}{id}")
    }
    pub fn image(id: &str) -> String {
        format!("{IMAGE_PREFIX}{id}")
    }
    pub const IMAGE_PREFIX: &str = "IMG#";
    /// The marker that keeps image names unique per account and region.
    pub fn image_name(account: &str, region: &str, name: &str) -> String {
        format!("IMGNAME#{account}#{region}#{name}")
    }
    /// The counter of an account's images in a region (the image quota).
    pub fn image_count(account: &str, region: &str) -> String {
        format!("IMGCOUNT#{account}#{region}")
    }
    pub fn policy(id: &str) -> String {
        format!("POLICY#{id}")
    }
    /// Requests an account made in one second under one rate limit (`dialect:Action`).
    pub fn rate(account: &str, limit: &str, second: i64) -> String {
        format!("RATE#{account}#{limit}#{second}")
    }
    pub fn nonce(access_key_id: &str, nonce: &str) -> String {
        format!("NONCE#{access_key_id}#{nonce}")
    }
}

/// DynamoDB refuses key values over 2048 bytes (partition) and 1024 (sort): a value that could
/// not be a key names no item.
pub fn fits_key(value: &str) -> bool {
    value.len() <= 1024
}

pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// An item for `value`, keyed `pk`, owned by `acct` (when it belongs to an account). Null
/// attributes are left out so that `attribute_not_exists` means "not set".
pub fn item<T: Serialize>(pk: &str, acct: Option<&str>, value: &T) -> DomainResult<Item> {
    let mut item: Item = serde_dynamo::to_item(value).map_err(crate::internal)?;
    item.retain(|_, v| !matches!(v, AttributeValue::Null(_)));
    item.insert("pk".into(), s(pk));
    if let Some(acct) = acct {
        item.insert("acct".into(), s(acct));
    }
    Ok(item)
}

/// A snapshot's item: with `expiring`/`expiry` when it will expire, for the scheduler's index.
/// The images it backs are a string set (absent when none), so that an image's create (`ADD`)
/// and another image's delete (`DELETE`) change it without reading it and without losing each
/// other's mark.
pub fn snapshot_item(snapshot: &domain::Snapshot) -> DomainResult<Item> {
    let mut item = self::item(&key::snapshot(&snapshot.id), Some(&snapshot.account), snapshot)?;
    item.remove("image_ids");
    if !snapshot.image_ids.is_empty() {
        item.insert("image_ids".into(), AttributeValue::Ss(snapshot.image_ids.clone()));
    }
    if let Some(expiry) = expiry_of(snapshot) {
        item.insert("expiring".into(), s(EXPIRING));
        item.insert("expiry".into(), expiry);
    }
    Ok(item)
}

/// The `expiry` of a snapshot's item (its end of life), which the scheduler's index reads.
pub fn expiry_of(snapshot: &domain::Snapshot) -> Option<AttributeValue> {
    snapshot.expires_at().map(|end| n(end.timestamp_millis()))
}

/// The item of the marker that holds an image's name in its account and region.
pub fn name_marker_item(image: &domain::Image) -> DomainResult<Item> {
    let marker = key::image_name(&image.account, &image.region, &image.name);
    let mut item = self::item(&marker, Some(&image.account), &serde_json::json!({"image_id": image.id}))?;
    item.insert("region".into(), s(&image.region));
    Ok(item)
}

/// A policy's item: with `kind`, for the scheduler's index.
pub fn policy_item(policy: &domain::SnapshotPolicy) -> DomainResult<Item> {
    let mut item = self::item(&key::policy(&policy.id), Some(&policy.account), policy)?;
    item.insert("kind".into(), s(POLICY_KIND));
    Ok(item)
}

/// The `expiring` value of every expiring snapshot, and the `kind` of every policy.
pub const EXPIRING: &str = "SNAP";
pub const POLICY_KIND: &str = "POLICY";
/// The `kind` of every account item, so that the control plane can list the accounts.
pub const ACCOUNT_KIND: &str = "ACCOUNT";

pub fn from_item<T: DeserializeOwned>(item: Item) -> DomainResult<T> {
    serde_dynamo::from_item(item).map_err(crate::internal)
}
