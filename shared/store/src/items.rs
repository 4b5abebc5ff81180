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
    /// The kinds of item in the table, each named by the prefix of its `pk`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Kind {
        /// An access key and its account (`AK#`), from a world load.
        Credential,
        Account,
        Region,
        /// An instance, from a world load; its state moves by its own calls.
        Instance,
        /// A disk, from a world load; its lock and snapshot counter move with its snapshots.
        Disk,
        Snapshot,
        Image,
        /// The marker that keeps an image name unique per account and region.
        ImageName,
        /// The counter of an account's images in a region.
        ImageCount,
        Policy,
        Token,
        Rate,
        Nonce,
        /// The emulator's own items: the virtual clock and faults, the scheduler's lease.
        Emulator,
    }

    impl Kind {
        pub const ALL: [Kind; 14] = [
            Kind::Credential,
            Kind::Account,
            Kind::Region,
            Kind::Instance,
            Kind::Disk,
            Kind::Snapshot,
            Kind::Image,
            Kind::ImageName,
            Kind::ImageCount,
            Kind::Policy,
            Kind::Token,
            Kind::Rate,
            Kind::Nonce,
            Kind::Emulator,
        ];

        /// The prefix of the kind's keys.
        pub const fn prefix(self) -> &'static str {
            match self {
                Kind::Credential => "AK#",
                Kind::Account => "ACCT#",
                Kind::Region => "REGION#",
                Kind::Instance => "INST#",
                Kind::Disk => "DISK#",
                Kind::Snapshot => "SNAP#",
                Kind::Image => "IMG#",
                Kind::ImageName => "IMGNAME#",
                Kind::ImageCount => "IMGCOUNT#",
                Kind::Policy => "POLICY#",
                Kind::Token => "TOKEN#",
                Kind::Rate => "RATE#",
                Kind::Nonce => "NONCE#",
                Kind::Emulator => "EMULATOR#",
            }
        }

        /// The kind of the item keyed `pk`. (No prefix is the start of another.)
        pub fn of(pk: &str) -> Option<Kind> {
            Kind::ALL.into_iter().find(|k| pk.starts_with(k.prefix()))
        }

        /// The key of the item of this kind named `id`.
        pub fn key(self, id: &str) -> String {
            format!("{}{id}", self.prefix())
        }
    }

    pub fn credential(access_key_id: &str) -> String {
        Kind::Credential.key(access_key_id)
    }
    pub fn account(id: &str) -> String {
        Kind::Account.key(id)
    }
    pub fn region(id: &str) -> String {
        Kind::Region.key(id)
    }
    pub fn instance(id: &str) -> String {
        Kind::Instance.key(id)
    }
    pub fn disk(id: &str) -> String {
        Kind::Disk.key(id)
    }
    pub fn snapshot(id: &str) -> String {
        Kind::Snapshot.key(id)
    }
    pub fn image(id: &str) -> String {
        Kind::Image.key(id)
    }
    /// The marker that keeps image names unique per account and region.
    pub fn image_name(account: &str, region: &str, name: &str) -> String {
        Kind::ImageName.key(&format!("{account}#{region}#{name}"))
    }
    /// The counter of an account's images in a region (the image quota).
    pub fn image_count(account: &str, region: &str) -> String {
        Kind::ImageCount.key(&format!("{account}#{region}"))
    }
    pub fn policy(id: &str) -> String {
        Kind::Policy.key(id)
    }
    /// Requests an account made in one second under one rate limit (`dialect:Action`).
    pub fn rate(account: &str, limit: &str, second: i64) -> String {
        Kind::Rate.key(&format!("{account}#{limit}#{second}"))
    }
    pub fn nonce(access_key_id: &str, nonce: &str) -> String {
        Kind::Nonce.key(&format!("{access_key_id}#{nonce}"))
    }
    pub fn token(account: &str, action: &str, token: &str) -> String {
        Kind::Token.key(&format!("{account}#{action}#{token}"))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn every_key_has_its_kind_and_no_prefix_starts_another() {
            for k in Kind::ALL {
                assert_eq!(Kind::of(&k.key("x")), Some(k));
                for other in Kind::ALL.into_iter().filter(|o| *o != k) {
                    assert!(!other.prefix().starts_with(k.prefix()), "{k:?} and {other:?}");
                }
            }
            assert_eq!(Kind::of(&image_name("a", "r", "n")), Some(Kind::ImageName));
            assert_eq!(Kind::of(&image("i")), Some(Kind::Image));
            assert_eq!(Kind::of("nothing"), None);
        }
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
