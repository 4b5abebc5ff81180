//! Serving a create or a delete without reading first: a speculation.
//!
//! A process remembers the last state it read of the items that change only when a world is
//! loaded or the control plane acts — credentials, regions, disks, instances, the emulator's
//! state (the virtual clock and the runtime faults) — and of snapshots, images and client tokens
//! (see [`remembered`]). A create or a delete whose every read is remembered runs on those copies
//! instead of a batch read, and its one transaction carries conditions that hold only while the
//! copies are still true:
//!
//! - every disk and instance it took from memory is as remembered: each field of the copy (the
//!   world load's `gen` among them, written on every item a load puts) is compared, and each
//!   optional field the copy lacks must still be absent (see [`relied_fields`]), on the
//!   transaction's write of that item or on a condition check of it. An instance stopped or
//!   started by another process, a disk attached elsewhere, fails that condition and is read
//!   afresh. With no disk or instance, a condition check of the credential's `gen`: a load
//!   replaces every item of its accounts, so one item of the load still there vouches for the
//!   credential;
//! - the virtual clock is where it was, and no runtime fault is in force (a condition check on the
//!   emulator's state);
//! - what other calls change — a disk's lock and quota counter, an instance's imaging lock, a
//!   token, an image name, a quota — is not taken from the copies at all: the transaction's own
//!   conditions judge it, as they do on every path.
//!
//! When the transaction is refused (or anything else fails), nothing was written, and the request
//! runs again on fresh reads, which then say which rule refused it, in the pages' order.

use crate::items::key::Kind;
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

/// Items remembered in the newer of two generations; when it is full (by count or by size) it
/// becomes the older one and the older is forgotten, so that memory stays bounded (a process
/// serving a very large world, items of many tags, many snapshots and tokens) and keeps the
/// most recent items at least.
const GENERATION: usize = 10_000;
/// The most a generation holds, by [`footprint`]: a process remembers at most twice this.
pub const GENERATION_BYTES: usize = 8 << 20;

#[derive(Debug, Default)]
pub(crate) struct Memory {
    newer: Generation,
    older: Generation,
}

/// Items by key, each with its footprint, and their total.
#[derive(Debug, Default)]
struct Generation {
    items: HashMap<String, (Item, usize)>,
    bytes: usize,
}

impl Generation {
    fn take(&mut self, pk: &str) -> Option<(Item, usize)> {
        let taken = self.items.remove(pk)?;
        self.bytes -= taken.1;
        Some(taken)
    }
}

impl Memory {
    fn get(&self, pk: &str) -> Option<&Item> {
        self.newer.items.get(pk).or_else(|| self.older.items.get(pk)).map(|(item, _)| item)
    }

    fn insert(&mut self, pk: String, item: Item) {
        let size = footprint(&pk, &item);
        // An item larger than a generation is not worth keeping: it would push out all else.
        if size > GENERATION_BYTES {
            self.remove(&pk);
            return;
        }
        self.newer.take(&pk);
        self.older.take(&pk);
        let full = self.newer.items.len() >= GENERATION || self.newer.bytes + size > GENERATION_BYTES;
        if full {
            self.older = std::mem::take(&mut self.newer);
        }
        self.newer.bytes += size;
        self.newer.items.insert(pk, (item, size));
    }

    /// Keep `pk` among the newer items: what requests keep using stays remembered however many
    /// tokens and snapshots pass through.
    fn touch(&mut self, pk: &str) {
        if let Some((item, _)) = self.older.take(pk) {
            self.insert(pk.to_string(), item);
        }
    }

    fn remove(&mut self, pk: &str) {
        self.newer.take(pk);
        self.older.take(pk);
    }

    /// What the process remembers: items, and their footprint.
    #[cfg(test)]
    fn size(&self) -> (usize, usize) {
        (self.newer.items.len() + self.older.items.len(), self.newer.bytes + self.older.bytes)
    }
}

/// About what an item takes in this process's memory: its key, and each attribute's name and
/// value, with what a map entry, a string and a value cost beside their text (measured against
/// the allocator: an item of many small tags takes about three times its text).
pub(crate) fn footprint(pk: &str, item: &Item) -> usize {
    const ENTRY: usize = 96;
    fn value(v: &AttributeValue) -> usize {
        ENTRY
            + match v {
                AttributeValue::S(s) | AttributeValue::N(s) => s.len(),
                AttributeValue::B(b) => b.as_ref().len(),
                AttributeValue::Ss(l) | AttributeValue::Ns(l) => l.iter().map(|s| s.len() + ENTRY).sum(),
                AttributeValue::Bs(l) => l.iter().map(|b| b.as_ref().len() + ENTRY).sum(),
                AttributeValue::L(l) => l.iter().map(value).sum(),
                AttributeValue::M(m) => m.iter().map(|(k, v)| k.len() + value(v)).sum(),
                _ => 0,
            }
    }
    pk.len() + ENTRY + item.iter().map(|(k, v)| k.len() + value(v)).sum::<usize>()
}

/// Fields of an item and the values a speculation took them to have (`None`: unset).
type Fields = Vec<(String, Option<AttributeValue>)>;

/// What a speculative request took from memory, for its transaction to check.
#[derive(Debug)]
pub(crate) struct Speculation {
    /// The world load of the credential, disks and instances it used.
    gen: String,
    /// The credential's key, checked when no write of the transaction touches an item of the load.
    credential: String,
    /// The virtual clock's offset it assumed (with no runtime fault in force).
    offset_ms: i64,
    /// The disks and instances it took from memory (named, or an instance read with its disk),
    /// with the fields it relied on (see [`relied_fields`]).
    relied: Vec<(String, Fields)>,
    /// Snapshots the request names itself, with the end of life it took them to have (`expiry`,
    /// `None`: none): the rest of what an image's rules read of a snapshot never changes.
    snapshots: Vec<(String, Option<AttributeValue>)>,
    /// Whether a transaction of it committed: then its answer, success or refusal, stands.
    committed: AtomicBool,
}

/// Items that change only by a world load or the control plane; disks and instances (whose
/// every field a speculation relies on is checked by its transaction); client tokens (settled
/// once, then only expired or removed by a load); snapshots (what an image's rules read of one
/// changes only by its retention, checked by the write that marks it; what a delete's rules
/// read, by the images made of it, checked by the delete); images (what a delete's rules read of
/// one never changes; its name, which a rename changes, is checked by the delete of its name's
/// marker): remembered when read or written whole, forgotten when deleted.
fn remembered(pk: &str) -> bool {
    use Kind::*;
    matches!(Kind::of(pk), Some(Credential | Region | Disk | Instance | Token | Snapshot | Image))
        || pk == emulator::STATE_PK
}

/// Items of a world load, which carry its `gen`.
fn of_load(pk: &str) -> bool {
    matches!(Kind::of(pk), Some(Kind::Credential | Kind::Disk | Kind::Instance))
}

/// Items a speculation takes as absent: the transaction's conditions require them absent (a
/// token not remembered, an image name) or judge them (an image quota counter, taken as zero).
fn assumed_absent(pk: &str) -> bool {
    matches!(Kind::of(pk), Some(Kind::Token | Kind::ImageName | Kind::ImageCount))
}

fn gen_of(item: &Item) -> Option<&str> {
    item.get(GEN).and_then(|v| v.as_s().ok()).map(String::as_str)
}

/// What other calls change on an item of a kind, and its transactions judge rather than a
/// speculation: a disk's quota counter and snapshot lock, an instance's imaging lock.
fn judged(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Disk => &["snapshot_count", "busy_until"],
        Kind::Instance => &["imaging_until"],
        _ => &[],
    }
}

/// The optional fields of a kind (left out of its item when unset): a speculation on a copy
/// without one relies on its still being unset.
fn optional(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Disk => &["instance", "source_snapshot"],
        Kind::Instance => &["image_id"],
        _ => &[],
    }
}

/// The fields of a remembered disk or instance a speculation relies on, as they are in the copy
/// (`None`: unset): every field but the key, the owner, lists and maps (written by a world load
/// alone, so covered by `gen`), and what the transaction judges itself.
fn relied_fields(kind: Kind, item: &Item) -> Fields {
    let skip = |name: &str| ["pk", "acct"].contains(&name) || judged(kind).contains(&name);
    let scalar = |v: &AttributeValue| {
        matches!(v, AttributeValue::S(_) | AttributeValue::N(_) | AttributeValue::Bool(_))
    };
    let mut fields: Vec<(String, Option<AttributeValue>)> = item
        .iter()
        .filter(|(name, v)| !skip(name) && scalar(v))
        .map(|(name, v)| (name.clone(), Some(v.clone())))
        .collect();
    fields.extend(optional(kind).iter().filter(|f| !item.contains_key(**f)).map(|f| (f.to_string(), None)));
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    fields
}

/// The copy a speculation uses: without what other calls change, which the transaction judges.
fn without_locks(pk: &str, mut item: Item) -> Item {
    match Kind::of(pk) {
        Some(Kind::Disk) => {
            item.insert("snapshot_count".into(), n(0));
            item.remove("busy_until");
        }
        Some(Kind::Instance) => {
            item.remove("imaging_until");
        }
        _ => {}
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
        if !self.speculating {
            return None;
        }
        let mut known = self.known.lock().expect("not poisoned");
        let mut ahead: HashMap<String, Option<Item>> = HashMap::new();
        let mut gen: Option<String> = None;
        let mut credential = None;
        let mut relied = Vec::new();
        let mut take = |pk: String, ahead: &mut HashMap<String, Option<Item>>| -> Option<()> {
            // A token remembered is answered as a replay, confirmed by the transaction that
            // records the nonce (see `Store::confirm_token`).
            if let Some(token) = known.get(&pk).filter(|_| Kind::of(&pk) == Some(Kind::Token)) {
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
            if let Some(kind @ (Kind::Disk | Kind::Instance)) = Kind::of(&pk) {
                relied.push((pk.clone(), relied_fields(kind, item)));
            }
            if Kind::of(&pk) == Some(Kind::Disk) {
                // Its instance comes with it, as a batch read would bring it.
                if let Some(instance) = item.get("instance").and_then(|v| v.as_s().ok()) {
                    let ipk = key::instance(instance);
                    let remembered = known.get(&ipk)?;
                    if gen_of(remembered) != gen.as_deref() {
                        return None;
                    }
                    relied.push((ipk.clone(), relied_fields(Kind::Instance, remembered)));
                    let copy = without_locks(&ipk, remembered.clone());
                    ahead.insert(ipk, Some(copy));
                }
            }
            let copy = (!item.is_empty()).then(|| without_locks(&pk, item.clone()));
            ahead.insert(pk, copy);
            Some(())
        };
        let mut snapshots = Vec::new();
        for r in refs.iter().chain([&Ref::Emulator]) {
            let pk = r.pk(&self.accounts)?;
            match r {
                Ref::Credential(_) => credential = Some(pk.clone()),
                Ref::Snapshot(_) => snapshots.push((pk.clone(), known.get(&pk)?.get(EXPIRY).cloned())),
                _ => {}
            }
            take(pk, &mut ahead)?;
        }
        relied.sort_by(|a, b| a.0.cmp(&b.0));
        relied.dedup_by(|a, b| a.0 == b.0);
        let state = ahead.get(emulator::STATE_PK)?.clone().unwrap_or_default();
        if state.get("faults").and_then(|f| f.as_m().ok()).is_some_and(|f| !f.is_empty()) {
            return None;
        }
        let offset_ms = emulator::offset_of(&state);
        let speculation = Speculation {
            gen: gen?,
            credential: credential?,
            offset_ms,
            relied,
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
        if !self.speculating {
            return None;
        }
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
    /// `actions` with the speculation's checks: each disk and instance it relied on as remembered
    /// (or, with none, the credential's load); each snapshot named still there with the end of
    /// life it had; the emulator's state unchanged. A check goes on the transaction's write of
    /// the item where it has one (a transaction names an item once).
    pub(crate) fn guard(&self, table: &str, actions: &mut Vec<TransactWriteItem>) -> DomainResult<()> {
        let mut on = |pk: &str, condition: Condition| -> DomainResult<()> {
            match actions.iter().position(|a| written(a) == Some(pk)) {
                Some(i) => actions[i] = with_condition(&actions[i], &condition)?,
                None => actions.push(check(table, pk, &condition)?),
            }
            Ok(())
        };
        for (pk, fields) in &self.relied {
            on(pk, Condition::fields(fields))?;
        }
        for (pk, expiry) in &self.snapshots {
            let condition = match expiry {
                Some(e) => Condition::new("attribute_exists(pk) AND #spec_exp = :spec_exp")
                    .name("#spec_exp", EXPIRY)
                    .value(":spec_exp", e.clone()),
                None => Condition::new("attribute_exists(pk) AND attribute_not_exists(#spec_exp)")
                    .name("#spec_exp", EXPIRY),
            };
            on(pk, condition)?;
        }
        if self.relied.is_empty() {
            let gen = Condition::new("#spec_gen = :spec_gen")
                .name("#spec_gen", GEN)
                .value(":spec_gen", s(&self.gen));
            on(&self.credential, gen)?;
        }
        let clock = if self.offset_ms == 0 {
            "(attribute_not_exists(offset_ms) OR offset_ms = :spec_offset)"
        } else {
            "offset_ms = :spec_offset"
        };
        let state = Condition::new(&format!(
            "attribute_not_exists(pk) OR ({clock} AND (attribute_not_exists(faults) OR size(faults) = :spec_none))"
        ))
        .value(":spec_offset", n(self.offset_ms))
        .value(":spec_none", n(0));
        actions.push(check(table, emulator::STATE_PK, &state)?);
        Ok(())
    }
}

/// A condition a speculation adds to a write or a check: its expression, and the names and
/// values it uses (each `#spec_…` / `:spec_…`, apart from the write's own).
#[derive(Debug, Default)]
struct Condition {
    expression: String,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Condition {
    fn new(expression: &str) -> Self {
        Condition { expression: expression.to_string(), ..Default::default() }
    }

    fn name(mut self, placeholder: &str, attribute: &str) -> Self {
        self.names.insert(placeholder.into(), attribute.into());
        self
    }

    fn value(mut self, placeholder: &str, value: AttributeValue) -> Self {
        self.values.insert(placeholder.into(), value);
        self
    }

    /// Each field equal to its value, or unset where it has none.
    fn fields(fields: &[(String, Option<AttributeValue>)]) -> Self {
        let mut condition = Condition::default();
        let mut parts = Vec::new();
        for (i, (field, value)) in fields.iter().enumerate() {
            let name = format!("#spec_f{i}");
            condition.names.insert(name.clone(), field.clone());
            match value {
                Some(v) => {
                    parts.push(format!("{name} = :spec_v{i}"));
                    condition.values.insert(format!(":spec_v{i}"), v.clone());
                }
                None => parts.push(format!("attribute_not_exists({name})")),
            }
        }
        condition.expression =
            if parts.is_empty() { "attribute_exists(pk)".into() } else { parts.join(" AND ") };
        condition
    }
}

/// The attribute of a snapshot's item that holds its end of life (see `items::snapshot_item`).
const EXPIRY: &str = "expiry";

/// A condition check of item `pk`.
fn check(table: &str, pk: &str, condition: &Condition) -> DomainResult<TransactWriteItem> {
    let check = ConditionCheck::builder()
        .table_name(table)
        .key("pk", s(pk))
        .condition_expression(&condition.expression)
        .set_expression_attribute_names((!condition.names.is_empty()).then(|| condition.names.clone()))
        .set_expression_attribute_values((!condition.values.is_empty()).then(|| condition.values.clone()))
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
fn with_condition(action: &TransactWriteItem, condition: &Condition) -> DomainResult<TransactWriteItem> {
    let joined = |own: Option<&str>| match own {
        Some(own) => format!("({own}) AND ({})", condition.expression),
        None => condition.expression.clone(),
    };
    let names = |own: Option<&HashMap<String, String>>| {
        let mut all = own.cloned().unwrap_or_default();
        all.extend(condition.names.clone());
        (!all.is_empty()).then_some(all)
    };
    let values = |own: Option<&HashMap<String, AttributeValue>>| {
        let mut all = own.cloned().unwrap_or_default();
        all.extend(condition.values.clone());
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

    use domain::{Billing, Disk, DiskStatus, DiskType, Instance, InstanceStatus, Os, StoppedMode};

    /// The attributes of `value`'s item.
    fn attributes<T: serde::Serialize>(value: &T) -> std::collections::BTreeSet<String> {
        crate::items::item("K#x", Some("a"), value).unwrap().into_keys().collect()
    }

    /// Every optional field of a disk and an instance is named in `optional`: a field added to
    /// either that a copy may lack would otherwise go unchecked by a speculation. (A field added
    /// to these structs must be added to the literals below: the test then says where it goes.)
    #[test]
    fn a_speculation_relies_on_every_field_it_may_find_unset() {
        let now = chrono::Utc::now();
        let full_disk = Disk {
            id: "d".into(),
            account: "a".into(),
            region: "r".into(),
            zone: "z".into(),
            kind: DiskType::Data,
            category: "cloud".into(),
            shared_block: false,
            size_gb: 40,
            instance: Some("i".into()),
            ever_attached: true,
            ever_used: true,
            data_loaded_at: now,
            status: DiskStatus::InUse,
            billing: Billing::Ok,
            snapshot_supported: true,
            device_type_supported: true,
            kms_authorized: true,
            source_snapshot: Some("s".into()),
            faults: Vec::new(),
            busy_until: Some(now),
            snapshot_count: 1,
        };
        let bare_disk = Disk { instance: None, source_snapshot: None, busy_until: None, ..full_disk.clone() };
        let full_instance = Instance {
            id: "i".into(),
            account: "a".into(),
            region: "r".into(),
            zone: "z".into(),
            status: InstanceStatus::Running,
            os: Os::Linux,
            gpu: false,
            locked_for_security: false,
            ever_started: true,
            operation_in_progress: false,
            image_supported: true,
            full_image_supported: true,
            instance_image_supported: true,
            stopped_mode: StoppedMode::KeepCharging,
            soft_shutdown_fails: false,
            image_id: Some("m".into()),
            faults: Vec::new(),
            imaging_until: Some(now),
        };
        let bare_instance = Instance { image_id: None, imaging_until: None, ..full_instance.clone() };
        for (kind, full, bare) in [
            (Kind::Disk, attributes(&full_disk), attributes(&bare_disk)),
            (Kind::Instance, attributes(&full_instance), attributes(&bare_instance)),
        ] {
            let may_lack: Vec<&String> =
                full.difference(&bare).filter(|f| !judged(kind).contains(&f.as_str())).collect();
            let named: Vec<&str> = optional(kind).to_vec();
            assert_eq!(may_lack, named, "{kind:?}: the optional fields a speculation relies on");
            // On a bare copy, each is relied on as unset; the judged ones are not relied on.
            let item = crate::items::item("K#x", Some("a"), &bare_disk).unwrap();
            let relied = relied_fields(Kind::Disk, &item);
            assert!(relied.iter().any(|(f, v)| f == "instance" && v.is_none()), "{relied:?}");
            assert!(relied
                .iter()
                .all(|(f, _)| !["snapshot_count", "busy_until", "pk", "acct"].contains(&f.as_str())));
            assert!(relied.iter().any(|(f, v)| f == "status" && v.is_some()));
        }
    }

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
        assert!(memory.size().0 <= 2 * GENERATION);
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

    #[test]
    fn memory_is_bounded_in_bytes_whatever_the_items_size() {
        let mut memory = Memory::default();
        // Items of 200 tags of 200 characters: a few hundred of them fill a generation.
        let tag = AttributeValue::M(
            [("key".to_string(), s("k".repeat(100))), ("value".to_string(), s("v".repeat(100)))].into(),
        );
        let big = Item::from([("tags".to_string(), AttributeValue::L(vec![tag; 200]))]);
        let one = footprint("K#0", &big);
        assert!(one > 40_000, "{one}");
        for i in 0..2_000 {
            memory.insert(format!("K#{i}"), big.clone());
            assert!(memory.size().1 <= 2 * GENERATION_BYTES, "{:?} after {i}", memory.size());
        }
        assert!(memory.get("K#1999").is_some(), "the newest is kept");
        assert!(memory.size().0 < 2_000, "older items were forgotten: {:?}", memory.size());
        // An item larger than a generation is not kept, and does not push the others out.
        let huge = Item::from([("tags".to_string(), AttributeValue::L(vec![big["tags"].clone(); 200]))]);
        memory.insert("HUGE".into(), huge);
        assert!(memory.get("HUGE").is_none() && memory.get("K#1999").is_some());
        // Replacing an item counts its new size, not both.
        let before = memory.size().1;
        memory.insert("K#1999".into(), big.clone());
        assert_eq!(memory.size().1, before);
    }
}
