//! Loading a world: the accounts it names lose everything they had, then get its state.

use crate::items::{self, key, Item};
use crate::{internal, Store};
use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, PutRequest, WriteRequest};
use domain::{DomainError, DomainResult};
use world::World;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoadSummary {
    pub accounts: usize,
    pub removed: usize,
    pub written: usize,
}

impl Store {
    /// Replace the state of every account the world names with the world's. The world was
    /// checked when it was parsed, so nothing here can be refused half-way for its content.
    pub async fn load_world(&self, world: &World) -> DomainResult<LoadSummary> {
        self.refuse_takeovers(world).await?;
        // What the accounts hold now, removed only once the new state is written: an item the
        // world has again (a credential, a disk) is overwritten in place and never missing, so
        // traffic during a reset never finds a known key unknown.
        let mut before: Vec<AttributeValue> = Vec::new();
        for account in &world.accounts {
            before.extend(
                self.owned_items(&account.id, None).await?.into_iter().filter_map(|mut i| i.remove("pk")),
            );
        }

        let mut puts: Vec<Item> = Vec::new();
        for a in &world.accounts {
            let mut item = items::item(&key::account(&a.id), Some(&a.id), a)?;
            item.insert("kind".into(), items::s(items::ACCOUNT_KIND));
            puts.push(item);
        }
        for c in &world.credentials {
            puts.push(items::item(&key::credential(&c.access_key_id), Some(&c.account.id), c)?);
        }
        for r in &world.regions {
            puts.push(items::item(&key::region(&r.id), None, r)?);
        }
        for i in &world.instances {
            puts.push(items::item(&key::instance(&i.id), Some(&i.account), i)?);
        }
        for d in &world.disks {
            puts.push(items::item(&key::disk(&d.id), Some(&d.account), d)?);
        }
        for sn in &world.snapshots {
            puts.push(items::snapshot_item(sn)?);
        }
        let mut counts: std::collections::BTreeMap<(&str, &str), u32> = Default::default();
        for im in &world.images {
            puts.push(items::item(&key::image(&im.id), Some(&im.account), im)?);
            *counts.entry((&im.account, &im.region)).or_default() += 1;
            if !im.name.is_empty() {
                puts.push(items::name_marker_item(im)?);
            }
        }
        for ((account, region), count) in counts {
            puts.push(items::item(
                &key::image_count(account, region),
                Some(account),
                &serde_json::json!({"n": count}),
            )?);
        }
        for p in &world.snapshot_policies {
            puts.push(items::policy_item(p)?);
        }
        // Every item of this load names it: a process that remembers some of them can tell, in a
        // transaction's condition, that they were not replaced since (see `known`).
        let gen = uuid::Uuid::new_v4().to_string();
        for item in &mut puts {
            item.insert(crate::speculation::GEN.into(), items::s(&gen));
        }
        let written = puts.len();
        // Keys are strings (`Kind#id`).
        let kept: std::collections::HashSet<String> =
            puts.iter().filter_map(|i| i.get("pk")?.as_s().ok().cloned()).collect();
        let requests = puts
            .into_iter()
            .map(|item| {
                let put = PutRequest::builder().set_item(Some(item)).build().map_err(internal)?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<DomainResult<Vec<_>>>()?;
        self.batch_write(requests).await?;
        let mut removals = Vec::new();
        for pk in before.into_iter().filter(|pk| pk.as_s().is_ok_and(|s| !kept.contains(s))) {
            let delete = DeleteRequest::builder().key("pk", pk).build().map_err(internal)?;
            removals.push(WriteRequest::builder().delete_request(delete).build());
        }
        let removed = removals.len();
        self.batch_write(removals).await?;
        Ok(LoadSummary { accounts: world.accounts.len(), removed, written })
    }

    /// Refuse, before anything is written, a world whose ids or access keys already belong to an
    /// account the world does not name as their owner: loading it would take them over.
    async fn refuse_takeovers(&self, world: &World) -> DomainResult<()> {
        let mut owned: Vec<(String, &str)> = Vec::new();
        owned.extend(world.accounts.iter().map(|a| (key::account(&a.id), a.id.as_str())));
        owned.extend(
            world.credentials.iter().map(|c| (key::credential(&c.access_key_id), c.account.id.as_str())),
        );
        owned.extend(world.instances.iter().map(|i| (key::instance(&i.id), i.account.as_str())));
        owned.extend(world.disks.iter().map(|d| (key::disk(&d.id), d.account.as_str())));
        owned.extend(world.snapshots.iter().map(|sn| (key::snapshot(&sn.id), sn.account.as_str())));
        owned.extend(world.images.iter().map(|im| (key::image(&im.id), im.account.as_str())));
        owned.extend(world.snapshot_policies.iter().map(|p| (key::policy(&p.id), p.account.as_str())));
        let pks: Vec<String> = owned.iter().map(|(pk, _)| pk.clone()).collect();
        for chunk in pks.chunks(100) {
            for item in self.batch_get(chunk).await? {
                let (Some(AttributeValue::S(pk)), Some(AttributeValue::S(acct))) =
                    (item.get("pk"), item.get("acct"))
                else {
                    continue;
                };
                if let Some((_, owner)) = owned.iter().find(|(k, _)| k == pk) {
                    if acct != owner {
                        let id = pk.split_once('#').map_or(pk.as_str(), |(_, id)| id);
                        return Err(DomainError::invalid(
                            "world",
                            format!(
                                "{id:?} already belongs to account {acct:?} in this table, not {owner:?}"
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    async fn batch_write(&self, requests: Vec<WriteRequest>) -> DomainResult<()> {
        for chunk in batches(requests) {
            let mut pending = chunk;
            for attempt in 0..10u64 {
                if pending.is_empty() {
                    break;
                }
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(internal)?;
                pending = out.unprocessed_items.and_then(|mut m| m.remove(&self.table)).unwrap_or_default();
                if !pending.is_empty() {
                    tokio::time::sleep(std::time::Duration::from_millis(20 * (attempt + 1))).await;
                }
            }
            if !pending.is_empty() {
                return Err(internal("batch write left items unprocessed"));
            }
        }
        Ok(())
    }
}

/// Requests in batches of at most 25 (DynamoDB's limit) and about 1 MiB of items: a world of large
/// items (thousands of tags) is written in calls that each finish well within a store call's
/// time limit, even on a DynamoDB Local busy with other work.
fn batches(requests: Vec<WriteRequest>) -> Vec<Vec<WriteRequest>> {
    const MOST: usize = 25;
    const BYTES: usize = 1 << 20;
    let size = |r: &WriteRequest| r.put_request().map_or(64, |p| crate::speculation::footprint("", p.item()));
    let mut out: Vec<Vec<WriteRequest>> = Vec::new();
    let mut bytes = 0;
    for request in requests {
        let n = size(&request);
        match out.last_mut() {
            Some(last) if last.len() < MOST && bytes + n <= BYTES => {
                bytes += n;
                last.push(request);
            }
            _ => {
                bytes = n;
                out.push(vec![request]);
            }
        }
    }
    out
}
