//! Serving a create or a delete without reading first: a speculation.
//!
//! A process remembers the last state it read of the items that change only when a world is
//! loaded or the control plane acts — credentials, regions, disks, instances, the emulator's
//! state (the virtual clock and the runtime faults) — and of snapshots, images and client tokens
//! (see [`remembered`]). A create or a delete whose every read is remembered runs on those copies
//! instead of a batch read, and its one transaction carries conditions that hold only while the
//! copies are still true:
//!
//! - the world load they come from (`gen`, written on every item a load puts) is unchanged: a
//!   condition on an item of that load the transaction writes anyway (the disk, the instance), or
//!   else a condition check on the credential. A load replaces every item of its accounts, so one
//!   item of the load still there vouches for the credential, the disk and its instance;
//! - the virtual clock is where it was, and no runtime fault is in force (a condition check on the
//!   emulator's state);
//! - what other calls change — a disk's lock and quota counter, an instance's imaging lock, a
//!   token, an image name, a quota — is not taken from the copies at all: the transaction's own
//!   conditions judge it, as they do on every path.
//!
//! When the transaction is refused (or anything else fails), nothing was written, and the request
//! runs again on fresh reads, which then say which rule refused it, in the pages' order.

use crate::items::{key, n, s, Item};
use crate::read_ahead::Ref;
use crate::{emulator, internal, Store};
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Delete, TransactWriteItem, Update};
use domain::DomainResult;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The attribute naming the world load an item comes from.
pub(crate) const GEN: &str = "gen";

/// The last state read of each item worth remembering, by key; shared by a process's requests.
pub(crate) type Known = Arc<Mutex<Memory>>;

/// Items remembered in the newer of two generations; when it is full it becomes the older one and
/// the older is forgotten, so that memory stays bounded (a process serving a very large world, or
/// making many snapshots and tokens) and keeps the most recent `GENERATION` items at least.
const GENERATION: usize = 10_000;

#[derive(Debug, Default)]
pub(crate) struct Memory {
    newer: HashMap<String, Item>,
    older: HashMap<String, Item>,
}

impl Memory {
    fn get(&self, pk: &str) -> Option<&Item> {
        self.newer.get(pk).or_else(|| self.older.get(pk))
    }

    fn insert(&mut self, pk: String, item: Item) {
        if self.newer.len() >= GENERATION && !self.newer.contains_key(&pk) {
            self.older = std::mem::take(&mut self.newer);
        }
        self.older.remove(&pk);
        self.newer.insert(pk, item);
    }

    /// Keep `pk` among the newer items: what requests keep using stays remembered however many
    /// tokens and snapshots pass through.
    fn touch(&mut self, pk: &str) {
        if let Some(item) = self.older.remove(pk) {
            self.insert(pk.to_string(), item);
        }
    }

    fn remove(&mut self, pk: &str) {
        self.newer.remove(pk);
        self.older.remove(pk);
    }
}

/// What a speculative request took from memory, for its transaction to check.
#[derive(Debug)]
pub(crate) struct Speculation {
    /// The world load of the credential, disks and instances it used.
    gen: String,
    /// The credential's key, checked when no write of the transaction touches an item of the load.
    credential: String,
    /// The virtual clock's offset it assumed (with no runtime fault in force).
    offset_ms: i64,
    /// Instances the request names itself, with the state it took them in (`status`): a
    /// CreateImage's plan depends on it. (An instance read with its disk, as CreateSnapshot
    /// reads it, needs no such check: its rules allow Running and Stopped alike, and those are
    /// the only states an instance moves between after its world is loaded, from Running to
    /// Stopped.)
    instances: Vec<(String, AttributeValue)>,
    /// Snapshots the request names itself, with the end of life it took them to have (`expiry`,
    /// `None`: none): the rest of what an image's rules read of a snapshot never changes.
    snapshots: Vec<(String, Option<AttributeValue>)>,
    /// Whether a transaction of it committed: then its answer, success or refusal, stands.
    committed: AtomicBool,
}

/// Items that change only by a world load or the control plane; client tokens (settled once,
/// then only expired or removed by a load); snapshots (what an image's rules read of one changes
/// only by its retention, checked by the write that marks it; what a delete's rules read, by the
/// images made of it, checked by the delete); images (what a delete's rules read of one never
/// changes; its name, which a rename changes, is checked by the delete of its name's marker):
/// remembered when read or written whole, forgotten when deleted.
fn remembered(pk: &str) -> bool {
    ["AK#", "REGION#", "DISK#", "INST#", TOKEN, key::SNAPSHOT_PREFIX, key::IMAGE_PREFIX]
        .iter()
        .any(|p| pk.starts_with(p))
        || pk == emulator::STATE_PK
}

const TOKEN: &str = "TOKEN#";

/// Items of a world load, which carry its `gen`.
fn of_load(pk: &str) -> bool {
    ["AK#", "DISK#", "INST#"].iter().any(|p| pk.starts_with(p))
}

/// Items a speculation takes as absent: the transaction's conditions require them absent (a
/// token not remembered, an image name) or judge them (an image quota counter, taken as zero).
fn assumed_absent(pk: &str) -> bool {
    [TOKEN, "IMGNAME#", "IMGCOUNT#"].iter().any(|p| pk.starts_with(p))
}

fn gen_of(item: &Item) -> Option<&str> {
    item.get(GEN).and_then(|v| v.as_s().ok()).map(String::as_str)
}

/// The copy a speculation uses: without what other calls change, which the transaction judges.
fn without_locks(pk: &str, mut item: Item) -> Item {
    if pk.starts_with("DISK#") {
        item.insert("snapshot_count".into(), n(0));
        item.remove("busy_until");
    } else if pk.starts_with("INST#") {
        item.remove("imaging_until");
    }
    item
}

impl Store {
    /// Remember what a read found (or forget what it found gone).
    pub(crate) fn note_read(&self, pk: &str, item: Option<&Item>) {
        if !remembered(pk) {
            return;
        }
        let mut known = self.known.lock().expect("not poisoned");
        match item {
            Some(item) => known.insert(pk.to_string(), item.clone()),
            // The emulator's state is absent until the clock first moves: remembered as empty.
            None if pk == emulator::STATE_PK => {
                known.insert(pk.to_string(), Item::new());
            }
            None => {
                known.remove(pk);
            }
        }
    }

    /// Remember the items of remembered kinds a transaction put whole, and forget those it
    /// deleted.
    pub(crate) fn note_written(&self, actions: &[TransactWriteItem]) {
        for put in actions.iter().filter_map(|a| a.put()) {
            if let Some(pk) = put.item().get("pk").and_then(|v| v.as_s().ok()) {
                self.note_read(pk, Some(put.item()));
            }
        }
        for delete in actions.iter().filter_map(|a| a.delete()) {
            if let Some(pk) = delete.key().get("pk").and_then(|v| v.as_s().ok()) {
                self.note_read(pk, None);
            }
        }
    }

    /// This store serving `refs` (and the emulator's state) from memory, with what it assumed
    /// to be checked by its transaction; `None` when something is not remembered, the items do
    /// not come from one world load, or a runtime fault is in force.
    pub fn speculate(&self, refs: &[Ref]) -> Option<Store> {
        let mut known = self.known.lock().expect("not poisoned");
        let mut ahead: HashMap<String, Option<Item>> = HashMap::new();
        let mut gen: Option<String> = None;
        let mut credential = None;
        let mut take = |pk: String, ahead: &mut HashMap<String, Option<Item>>| -> Option<()> {
            // A token remembered is answered as a replay, confirmed by the transaction that
            // records the nonce (see `Store::confirm_token`).
            if let Some(token) = known.get(&pk).filter(|_| pk.starts_with(TOKEN)) {
                ahead.insert(pk, Some(token.clone()));
                return Some(());
            }
            if assumed_absent(&pk) {
                ahead.insert(pk, None);
                return Some(());
            }
            if !remembered(&pk) {
                return None;
            }
            let item = known.get(&pk)?;
            if of_load(&pk) {
                let g = gen_of(item)?;
                match &gen {
                    Some(seen) if seen != g => return None,
                    Some(_) => {}
                    None => gen = Some(g.to_string()),
                }
            }
            if pk.starts_with("DISK#") {
                // Its instance comes with it, as a batch read would bring it.
                if let Some(instance) = item.get("instance").and_then(|v| v.as_s().ok()) {
                    let ipk = key::instance(instance);
                    let copy = without_locks(&ipk, known.get(&ipk)?.clone());
                    if gen_of(&copy) != gen.as_deref() {
                        return None;
                    }
                    ahead.insert(ipk, Some(copy));
                }
            }
            let copy = (!item.is_empty()).then(|| without_locks(&pk, item.clone()));
            ahead.insert(pk, copy);
            Some(())
        };
        let mut instances = Vec::new();
        let mut snapshots = Vec::new();
        for r in refs.iter().chain([&Ref::Emulator]) {
            let pk = r.pk(&self.accounts)?;
            match r {
                Ref::Credential(_) => credential = Some(pk.clone()),
                Ref::Instance(_) => instances.push((pk.clone(), known.get(&pk)?.get("status")?.clone())),
                Ref::Snapshot(_) => snapshots.push((pk.clone(), known.get(&pk)?.get(EXPIRY).cloned())),
                _ => {}
            }
            take(pk, &mut ahead)?;
        }
        let state = ahead.get(emulator::STATE_PK)?.clone().unwrap_or_default();
        if state.get("faults").and_then(|f| f.as_m().ok()).is_some_and(|f| !f.is_empty()) {
            return None;
        }
        let offset_ms = emulator::offset_of(&state);
        let speculation = Speculation {
            gen: gen?,
            credential: credential?,
            offset_ms,
            instances,
            snapshots,
            committed: AtomicBool::new(false),
        };
        for pk in ahead.keys() {
            known.touch(pk);
        }
        drop(known);
        Some(Store {
            ahead: Some(Arc::new(Mutex::new(crate::read_ahead::Read { items: ahead, ..Default::default() }))),
            speculation: Some(Arc::new(speculation)),
            ..self.clone()
        })
    }

    /// The credential this process last read for `access_key`, if it remembers it: what a read
    /// checks its signature against before its batch read, to record its nonce beside it (the
    /// credential as read then decides).
    pub fn remembered_credential(&self, access_key: &str) -> Option<domain::Credential> {
        let item = self.known.lock().expect("not poisoned").get(&key::credential(access_key))?.clone();
        crate::items::from_item(item).ok()
    }

    /// Whether this store serves a speculation (see [`Store::speculate`]).
    pub fn speculative(&self) -> bool {
        self.speculation.is_some()
    }

    /// Whether this request is a speculation one of whose transactions committed (its answer,
    /// success or refusal, then stands: it cannot be run again).
    pub fn speculation_committed(&self) -> bool {
        self.speculation.as_ref().is_some_and(|s| s.committed.load(Ordering::Acquire))
    }

    /// Record that a transaction of this request's speculation committed.
    pub(crate) fn note_committed(&self) {
        if let Some(s) = &self.speculation {
            s.committed.store(true, Ordering::Release);
        }
    }
}

impl Speculation {
    /// `actions` with the speculation's checks: the load's `gen` on the first write to an item of
    /// it (or a check of the credential); the state of each instance named; the emulator's state
    /// unchanged.
    pub(crate) fn guard(&self, table: &str, actions: &mut Vec<TransactWriteItem>) -> DomainResult<()> {
        let mut vouched = false;
        for (pk, status) in &self.instances {
            let values = [(":spec_gen", s(&self.gen)), (":spec_st", status.clone())];
            let condition = "#spec_gen = :spec_gen AND #spec_st = :spec_st";
            match actions.iter().position(|a| written(a) == Some(pk)) {
                Some(i) => actions[i] = with_condition(&actions[i], condition, &values)?,
                None => actions.push(check(table, pk, condition, &values)?),
            }
            vouched = true;
        }
        for (pk, expiry) in &self.snapshots {
            let (condition, values) = match expiry {
                Some(e) => ("attribute_exists(pk) AND #spec_exp = :spec_exp", vec![(":spec_exp", e.clone())]),
                None => ("attribute_exists(pk) AND attribute_not_exists(#spec_exp)", vec![]),
            };
            match actions.iter().position(|a| written(a) == Some(pk)) {
                Some(i) => actions[i] = with_condition(&actions[i], condition, &values)?,
                None => actions.push(check(table, pk, condition, &values)?),
            }
        }
        let gen = [(":spec_gen", s(&self.gen))];
        if !vouched {
            match actions.iter().position(|a| written(a).is_some_and(of_load)) {
                Some(i) => actions[i] = with_condition(&actions[i], "#spec_gen = :spec_gen", &gen)?,
                None => actions.push(check(table, &self.credential, "#spec_gen = :spec_gen", &gen)?),
            }
        }
        let clock = if self.offset_ms == 0 {
            "(attribute_not_exists(offset_ms) OR offset_ms = :spec_offset)"
        } else {
            "offset_ms = :spec_offset"
        };
        let condition = format!(
            "attribute_not_exists(pk) OR ({clock} AND (attribute_not_exists(faults) OR size(faults) = :spec_none))"
        );
        let values = [(":spec_offset", n(self.offset_ms)), (":spec_none", n(0))];
        actions.push(check(table, emulator::STATE_PK, &condition, &values)?);
        Ok(())
    }
}

/// The names the speculation's conditions use.
fn names() -> HashMap<String, String> {
    HashMap::from([
        ("#spec_gen".into(), GEN.into()),
        ("#spec_st".into(), "status".into()),
        ("#spec_exp".into(), EXPIRY.into()),
    ])
}

/// The attribute of a snapshot's item that holds its end of life (see `items::snapshot_item`).
const EXPIRY: &str = "expiry";

/// A condition check of item `pk`.
fn check(
    table: &str,
    pk: &str,
    condition: &str,
    values: &[(&str, AttributeValue)],
) -> DomainResult<TransactWriteItem> {
    let used: HashMap<String, String> =
        names().into_iter().filter(|(k, _)| condition.contains(k.as_str())).collect();
    let check = ConditionCheck::builder()
        .table_name(table)
        .key("pk", s(pk))
        .condition_expression(condition)
        .set_expression_attribute_names((!used.is_empty()).then_some(used))
        .set_expression_attribute_values(
            (!values.is_empty()).then(|| values.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()),
        )
        .build()
        .map_err(internal)?;
    Ok(TransactWriteItem::builder().condition_check(check).build())
}

/// The key of the item an update or a delete writes (a transaction names an item once: a
/// check of it goes on that write).
fn written(action: &TransactWriteItem) -> Option<&str> {
    let key = match (action.update(), action.delete()) {
        (Some(update), _) => update.key(),
        (_, Some(delete)) => delete.key(),
        _ => return None,
    };
    key.get("pk")?.as_s().ok().map(String::as_str)
}

/// `action` (an update or a delete) on `condition` too, besides its own.
fn with_condition(
    action: &TransactWriteItem,
    condition: &str,
    values: &[(&str, AttributeValue)],
) -> DomainResult<TransactWriteItem> {
    let joined = |own: Option<&str>| match own {
        Some(own) => format!("({own}) AND {condition}"),
        None => condition.to_string(),
    };
    let names = |own: Option<&HashMap<String, String>>| {
        let mut all = own.cloned().unwrap_or_default();
        all.extend(names().into_iter().filter(|(k, _)| condition.contains(k.as_str())));
        (!all.is_empty()).then_some(all)
    };
    let values = |own: Option<&HashMap<String, AttributeValue>>| {
        let mut all = own.cloned().unwrap_or_default();
        all.extend(values.iter().map(|(k, v)| (k.to_string(), v.clone())));
        (!all.is_empty()).then_some(all)
    };
    if let Some(update) = action.update() {
        let update = Update::builder()
            .table_name(update.table_name())
            .set_key(Some(update.key().clone()))
            .update_expression(update.update_expression())
            .condition_expression(joined(update.condition_expression()))
            .set_expression_attribute_names(names(update.expression_attribute_names()))
            .set_expression_attribute_values(values(update.expression_attribute_values()))
            .set_return_values_on_condition_check_failure(
                update.return_values_on_condition_check_failure().cloned(),
            )
            .build()
            .map_err(internal)?;
        return Ok(TransactWriteItem::builder().update(update).build());
    }
    let delete = action.delete().ok_or_else(|| internal("a check goes on an update or a delete"))?;
    let delete = Delete::builder()
        .table_name(delete.table_name())
        .set_key(Some(delete.key().clone()))
        .condition_expression(joined(delete.condition_expression()))
        .set_expression_attribute_names(names(delete.expression_attribute_names()))
        .set_expression_attribute_values(values(delete.expression_attribute_values()))
        .set_return_values_on_condition_check_failure(
            delete.return_values_on_condition_check_failure().cloned(),
        )
        .build()
        .map_err(internal)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_keeps_the_most_recent_generation_at_least_and_is_bounded() {
        let mut memory = Memory::default();
        let item = |i: usize| Item::from([("n".to_string(), n(i as i64))]);
        for i in 0..=GENERATION {
            memory.insert(format!("K#{i}"), item(i));
        }
        // The first item moved to the older generation and is still found.
        assert_eq!(memory.get("K#0"), Some(&item(0)));
        // Replaced items are found in their newest state.
        memory.insert("K#0".into(), item(7));
        assert_eq!(memory.get("K#0"), Some(&item(7)));
        for i in GENERATION + 1..=3 * GENERATION {
            memory.insert(format!("K#{i}"), item(i));
        }
        assert_eq!(memory.get("K#1"), None, "forgotten after two generations");
        assert!(memory.newer.len() + memory.older.len() <= 2 * GENERATION);
        assert!(memory.get(&format!("K#{}", 3 * GENERATION)).is_some());
        memory.remove(&format!("K#{}", 3 * GENERATION));
        assert!(memory.get(&format!("K#{}", 3 * GENERATION)).is_none());
        // An item in use is kept among the newer ones.
        memory.insert("USED".into(), item(1));
        for i in 0..3 * GENERATION {
            memory.insert(format!("L#{i}"), item(i));
            if i % (GENERATION / 2) == 0 {
                memory.touch("USED");
            }
        }
        assert_eq!(memory.get("USED"), Some(&item(1)), "touched, kept");
    }
}
