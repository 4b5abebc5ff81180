//! Images: the reads CreateImage needs and its one transaction.

use crate::items::key::Kind;
use crate::items::{self, key, n, s, Item};
use crate::snapshots::{disk_lock, lost_disk_lock, put_snapshot};
use crate::tokens::{self, TokenUse};
use crate::{internal, Store};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use domain::image::ImagePlan;
use domain::{DomainError, DomainResult, Image, InstanceStatus};

/// What each action of the create transaction guards, to name a lost condition.
enum Guard {
    Image,
    Name,
    Quota,
    NewSnapshot,
    DiskLock,
    UsedSnapshot,
    Instance,
    Token,
}

impl Store {
    pub async fn image(&self, id: &str) -> DomainResult<Option<Image>> {
        self.get(&key::image(id)).await
    }

    /// Every image of an account.
    pub async fn account_images(&self, account: &str) -> DomainResult<Vec<Image>> {
        self.owned(account, Kind::Image.prefix()).await
    }

    pub async fn image_name_taken(&self, account: &str, region: &str, name: &str) -> DomainResult<bool> {
        let marker: Option<serde_json::Value> = self.get(&key::image_name(account, region, name)).await?;
        Ok(marker.is_some())
    }

    /// How many images the account has in the region (the quota counter).
    pub async fn image_count(&self, account: &str, region: &str) -> DomainResult<u32> {
        let counter: Option<Counter> = self.get(&key::image_count(account, region)).await?;
        Ok(counter.map_or(0, |c| c.n))
    }

    /// Write an image with its name marker and one unit of the account's image quota in the
    /// region; for an image of an instance, a new snapshot of each disk with the disk's lock;
    /// mark the snapshots it is made from; complete the client token — all or nothing.
    pub async fn commit_image(
        &self,
        plan: &ImagePlan,
        quota: u32,
        snapshot_quota: u32,
        now: DateTime<Utc>,
        token: Option<&TokenUse>,
    ) -> DomainResult<()> {
        let image = &plan.image;
        let t = &self.table;
        let mut actions = Vec::new();
        let mut guards = Vec::new();
        let put = |item: Item| -> DomainResult<TransactWriteItem> {
            let put = Put::builder()
                .table_name(t)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map_err(internal)?;
            Ok(TransactWriteItem::builder().put(put).build())
        };
        // The token first: a twin call that lost it is told so (its twin is in flight), before
        // any condition the twin's own writes made fail.
        if let Some(token) = token {
            actions.push(tokens::settlement(t, token, &image.id, now)?);
            guards.push(Guard::Token);
        }
        actions.push(put(items::item(&key::image(&image.id), Some(&image.account), image)?)?);
        guards.push(Guard::Image);
        if !image.name.is_empty() {
            actions.push(take_name(t, image)?);
            guards.push(Guard::Name);
        }
        let counter = Update::builder()
            .table_name(t)
            .key("pk", s(key::image_count(&image.account, &image.region)))
            .update_expression("SET n = if_not_exists(n, :zero) + :one, acct = :acct")
            .condition_expression("(attribute_not_exists(n) AND :zero < :max) OR n < :max")
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", n(quota))
            .expression_attribute_values(":acct", s(&image.account))
            .build()
            .map_err(internal)?;
        actions.push(TransactWriteItem::builder().update(counter).build());
        guards.push(Guard::Quota);
        for snapshot in &plan.new_snapshots {
            actions.push(put_snapshot(t, snapshot)?);
            guards.push(Guard::NewSnapshot);
            actions.push(disk_lock(t, snapshot, snapshot_quota, now)?);
            guards.push(Guard::DiskLock);
        }
        let mut used = plan.used_snapshots.clone();
        used.sort();
        used.dedup();
        for id in &used {
            let mark = Update::builder()
                .table_name(t)
                .key("pk", s(key::snapshot(id)))
                .update_expression("ADD image_ids :image")
                .condition_expression("attribute_exists(pk)")
                .expression_attribute_values(":image", AttributeValue::Ss(vec![image.id.clone()]))
                .build()
                .map_err(internal)?;
            actions.push(TransactWriteItem::builder().update(mark).build());
            guards.push(Guard::UsedSnapshot);
        }
        if let Some(change) = &plan.instance {
            // One image of an instance at a time; a running instance imaged after a shutdown
            // reads back stopped.
            let status = if change.stopped { ", #st = :stopped" } else { "" };
            let mut update = Update::builder()
                .table_name(t)
                .key("pk", s(key::instance(&change.id)))
                .update_expression(format!("SET imaging_until = :until{status}"))
                .condition_expression(
                    "attribute_exists(pk) AND (attribute_not_exists(imaging_until) OR imaging_until <= :now)",
                )
                .expression_attribute_values(":until", n(change.imaging_until.timestamp_millis()))
                .expression_attribute_values(":now", n(now.timestamp_millis()));
            if change.stopped {
                update = update
                    .expression_attribute_names("#st", "status")
                    .expression_attribute_values(":stopped", s(InstanceStatus::Stopped.as_str()));
            }
            actions.push(TransactWriteItem::builder().update(update.build().map_err(internal)?).build());
            guards.push(Guard::Instance);
        }
        let outcome = |index: usize, old: Option<&Item>| match guards.get(index) {
            Some(Guard::Name) => DomainError::ImageNameTaken,
            Some(Guard::Quota) => DomainError::ImageQuotaReached,
            Some(Guard::DiskLock) => lost_disk_lock(old, snapshot_quota, now),
            Some(Guard::UsedSnapshot) => DomainError::SnapshotNotFound,
            Some(Guard::Instance) => DomainError::InstanceImageInProgress,
            Some(Guard::Token) => DomainError::TokenInFlight,
            Some(Guard::Image | Guard::NewSnapshot) | None => {
                DomainError::Internal("resource id collision".into())
            }
        };
        self.transact(actions, outcome).await
    }
}

/// Take `image`'s name: its marker, on the condition that no image holds the name.
pub(crate) fn take_name(table: &str, image: &Image) -> DomainResult<TransactWriteItem> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(items::name_marker_item(image)?))
        .condition_expression("attribute_not_exists(pk)")
        .build()
        .map_err(internal)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// Free `image`'s name: delete its marker, on the condition that the marker is this image's.
pub(crate) fn free_name(table: &str, image: &Image) -> DomainResult<TransactWriteItem> {
    let delete = Delete::builder()
        .table_name(table)
        .key("pk", s(key::image_name(&image.account, &image.region, &image.name)))
        .condition_expression("image_id = :id")
        .expression_attribute_values(":id", s(&image.id))
        .build()
        .map_err(internal)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

#[derive(serde::Deserialize)]
struct Counter {
    n: u32,
}
