//! Tags and resource groups on existing snapshots and images: read every resource a call names
//! (all the caller's, in the region, or nothing changes), apply the domain's rule to each, write
//! them in one transaction; read again and judge again when one changed in between.

use super::describe::{self, SnapshotScope};
use super::{Caller, ATTEMPTS};
use domain::tags::{self, Retag, TagChange, TaggedKind};
use domain::{DomainError, DomainResult, Image, Snapshot, TagRefusal};
use store::{Labels, Modified, Store};

pub async fn relabel(store: &Store, caller: &Caller<'_>, cmd: &Retag) -> DomainResult<()> {
    let group = match &cmd.change {
        TagChange::JoinGroup(id) => Some(id.clone()),
        _ => None,
    };
    // Calls of this process on the same resources wait their turn rather than fail each other's
    // conditions (see `store::Turn`); the attempts below meet other processes' writes.
    let ids: Vec<&str> = cmd.ids.iter().map(String::as_str).collect();
    let _turn = store.one_at_a_time(&ids).await;
    for attempt in 0..ATTEMPTS {
        let current = labels(store, caller, &cmd.region, cmd.kind, Some(&cmd.ids)).await?;
        if current.len() != cmd.ids.len() {
            return Err(DomainError::Tagging(TagRefusal::ResourceNotFound));
        }
        let mut pairs = Vec::new();
        for before in current {
            let mut after = before.clone();
            match &group {
                Some(g) => after.group = Some(g.clone()),
                None => after.tags = tags::retag(&before.tags, &cmd.change, cmd.limit, cmd.keys)?,
            }
            pairs.push((before, after));
        }
        if store.relabel(&pairs).await? == Modified::Written {
            return Ok(());
        }
        lost_to_another_process(attempt).await;
    }
    Err(DomainError::Unavailable)
}

/// The labels of the caller's resources of `kind` in `region`: those of `ids` that exist (each
/// once, in the order given, read by id), or all of them (read through the account's index).
pub async fn labels(
    store: &Store,
    caller: &Caller<'_>,
    region: &str,
    kind: TaggedKind,
    ids: Option<&[String]>,
) -> DomainResult<Vec<Labels>> {
    let snapshot = |s: Snapshot| Labels { kind, id: s.id, tags: s.tags, group: s.resource_group_id };
    let image = |i: Image| Labels { kind, id: i.id, tags: i.tags, group: i.resource_group_id };
    let Some(ids) = ids else {
        return Ok(match kind {
            TaggedKind::Snapshot => describe::snapshots(store, caller, Some(region), SnapshotScope::Account)
                .await?
                .into_iter()
                .map(snapshot)
                .collect(),
            TaggedKind::Image => {
                describe::images(store, caller, Some(region)).await?.into_iter().map(image).collect()
            }
        });
    };
    if !store.region_served(region, caller.account.provider).await? {
        return Err(DomainError::RegionNotFound);
    }
    let mine = |account: &str, at: &str| account == caller.account.id && at == region;
    let mut out: Vec<Labels> = Vec::new();
    for id in ids {
        let found = match kind {
            TaggedKind::Snapshot => store
                .snapshot(id)
                .await?
                .filter(|s| mine(&s.account, &s.region) && !domain::schedule::expired(s, caller.now))
                .map(snapshot),
            TaggedKind::Image => store.image(id).await?.filter(|i| mine(&i.account, &i.region)).map(image),
        };
        out.extend(found.filter(|l| !out.iter().any(|o| o.id == l.id)));
    }
    Ok(out)
}

/// Tags or a resource group on resources named by id alone, images or snapshots in any of the
/// caller's regions (Zenlayer's ZRM and User calls): every id one of the caller's images or
/// snapshots, or nothing changes; an instance or disk of the caller's is a resource these calls
/// cannot label here.
pub async fn relabel_by_id(
    store: &Store,
    caller: &Caller<'_>,
    ids: &[String],
    change: &TagChange,
    limit: usize,
) -> DomainResult<()> {
    let keys: Vec<&str> = ids.iter().map(String::as_str).collect();
    let _turn = store.one_at_a_time(&keys).await;
    for attempt in 0..ATTEMPTS {
        let mut pairs = Vec::new();
        for id in ids {
            if pairs.iter().any(|(l, _): &(Labels, Labels)| &l.id == id) {
                continue;
            }
            let before = label_of(store, caller, id).await?;
            let mut after = before.clone();
            match change {
                TagChange::JoinGroup(g) => after.group = Some(g.clone()),
                other => after.tags = tags::retag(&before.tags, other, limit, tags::Keys::Exact)?,
            }
            pairs.push((before, after));
        }
        if store.relabel(&pairs).await? == Modified::Written {
            return Ok(());
        }
        lost_to_another_process(attempt).await;
    }
    Err(DomainError::Unavailable)
}

/// The labels of the caller's image or snapshot `id`.
async fn label_of(store: &Store, caller: &Caller<'_>, id: &str) -> DomainResult<Labels> {
    let mine = |account: &str| account == caller.account.id;
    if let Some(i) = store.image(id).await?.filter(|i| mine(&i.account)) {
        return Ok(Labels { kind: TaggedKind::Image, id: i.id, tags: i.tags, group: i.resource_group_id });
    }
    let snapshot = store.snapshot(id).await?;
    if let Some(s) = snapshot.filter(|s| mine(&s.account) && !domain::schedule::expired(s, caller.now)) {
        return Ok(Labels { kind: TaggedKind::Snapshot, id: s.id, tags: s.tags, group: s.resource_group_id });
    }
    let instance = store.instance(id).await?.is_some_and(|i| mine(&i.account));
    if instance || store.disk(id).await?.is_some_and(|d| mine(&d.account)) {
        return Err(DomainError::Tagging(TagRefusal::UnsupportedResourceType));
    }
    Err(DomainError::Tagging(TagRefusal::ResourceNotFound))
}

/// After a write lost its condition to another process's: wait a little, longer each time and
/// by a varying amount, so that two processes writing one resource in turn stop meeting.
async fn lost_to_another_process(attempt: usize) {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let most = 5 * (attempt as u64 + 1);
    tokio::time::sleep(std::time::Duration::from_millis(u64::from(nanos) % most + 1)).await;
}
