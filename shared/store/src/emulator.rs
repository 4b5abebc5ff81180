//! The emulator's own state, shared by every process on the table: the virtual clock (an offset
//! from real time) and the runtime faults, on one item that every request reads ahead with its own
//! reads ([`crate::Ref::Emulator`]), so that neither costs a round trip, or a key, of its own. The
//! scheduler's lease is an item apart: no request reads it.

use crate::items::{self, Item};
use crate::{internal, Store};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use domain::chaos::RuntimeFault;
use domain::DomainResult;

/// The emulator's state (the virtual clock, the runtime faults) and the scheduler's lease: items
/// of the kind `Kind::Emulator`.
pub(crate) const STATE_PK: &str = "EMULATOR#STATE";
const SCHEDULER_PK: &str = "EMULATOR#SCHEDULER";

/// On the state item the clock is `offset_ms`; the faults are one map attribute, `faults`, of id →
/// `{spec: <JSON>, left: <requests left, for a limited fault>}`, so that removing them all is one
/// constant-size update however many there were; `seal_key` keys the tokens Describe calls issue.
const FAULTS: &str = "faults";
const SEAL_KEY: &str = "seal_key";

/// The most faults in force at once: the state item is read with every request, and an item
/// holds at most 400 KB.
pub const MAX_FAULTS: usize = 100;

/// The farthest the virtual clock may be from real time, either way: ten years.
pub const MAX_CLOCK_OFFSET_MS: i64 = 10 * 366 * 86_400_000;

pub(crate) fn offset_of(item: &Item) -> i64 {
    item.get("offset_ms").and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// The clock and the faults, as one read gives them.
#[derive(Debug, Clone, Default)]
pub struct EmulatorState {
    /// How far the virtual clock is ahead of real time, in milliseconds (0: real time).
    pub offset_ms: i64,
    /// The runtime faults in force, each with the requests it has left (when limited).
    pub faults: Vec<RuntimeFault>,
    /// The key that seals paging tokens, once one was made.
    pub seal_key: Option<String>,
}

fn state_of(item: &Item) -> EmulatorState {
    let mut faults = Vec::new();
    let entries = item.get(FAULTS).and_then(|v| v.as_m().ok());
    for (id, entry) in entries.into_iter().flatten() {
        let Ok(entry) = entry.as_m() else { continue };
        let spec = entry.get("spec").and_then(|v| v.as_s().ok());
        let Some(mut fault) = spec.and_then(|s| serde_json::from_str::<RuntimeFault>(s).ok()) else {
            tracing::warn!(fault = %id, "a runtime fault that cannot be read is ignored");
            continue;
        };
        if fault.count.is_some() {
            let left = entry.get("left").and_then(|v| v.as_n().ok());
            fault.count = Some(left.and_then(|n| n.parse().ok()).unwrap_or(0));
        }
        faults.push(fault);
    }
    faults.sort_by(|a, b| a.id.cmp(&b.id));
    let seal_key = item.get(SEAL_KEY).and_then(|v| v.as_s().ok()).cloned();
    EmulatorState { offset_ms: offset_of(item), faults, seal_key }
}

/// A fault as kept in the `faults` map.
fn fault_entry(fault: &RuntimeFault) -> DomainResult<AttributeValue> {
    let mut entry = std::collections::HashMap::from([(
        "spec".to_string(),
        items::s(serde_json::to_string(fault).map_err(internal)?),
    )]);
    if let Some(count) = fault.count {
        entry.insert("left".to_string(), items::n(count));
    }
    Ok(AttributeValue::M(entry))
}

impl Store {
    /// The clock and the faults (read ahead when they were).
    pub async fn emulator_state(&self) -> DomainResult<EmulatorState> {
        Ok(self.raw_item(STATE_PK).await?.as_ref().map(state_of).unwrap_or_default())
    }

    /// Move the virtual clock by `by_ms`, atomically (two processes advancing at once each move it
    /// by their own amount), unless that would take it more than [`MAX_CLOCK_OFFSET_MS`] from real
    /// time (`None`). Gives the offsets before and after.
    pub async fn shift_clock(&self, by_ms: i64) -> DomainResult<Option<(i64, i64)>> {
        if by_ms.abs() > MAX_CLOCK_OFFSET_MS {
            return Ok(None);
        }
        // The bound is on the offset the move leaves, checked in the same write.
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", items::s(STATE_PK))
            .update_expression("ADD offset_ms :by")
            .condition_expression("attribute_not_exists(offset_ms) OR offset_ms BETWEEN :lo AND :hi")
            .expression_attribute_values(":by", items::n(by_ms))
            .expression_attribute_values(":lo", items::n(-MAX_CLOCK_OFFSET_MS - by_ms))
            .expression_attribute_values(":hi", items::n(MAX_CLOCK_OFFSET_MS - by_ms))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        match result {
            Ok(out) => {
                let after = out.attributes.as_ref().map_or(0, offset_of);
                Ok(Some((after - by_ms, after)))
            }
            Err(e) => crate::conditional::<(), _, _>(Err(e)).map(|_| None),
        }
    }

    /// Set the virtual clock's offset (0: back to real time). Gives the offset before.
    pub async fn set_clock_offset(&self, offset_ms: i64) -> DomainResult<i64> {
        let update = self.client.update_item().table_name(&self.table).key("pk", items::s(STATE_PK));
        let update = if offset_ms == 0 {
            update.update_expression("REMOVE offset_ms")
        } else {
            update
                .update_expression("SET offset_ms = :o")
                .expression_attribute_values(":o", items::n(offset_ms))
        };
        let out = update.return_values(ReturnValue::UpdatedOld).send().await.map_err(internal)?;
        Ok(out.attributes.as_ref().map_or(0, offset_of))
    }

    /// Take the scheduler's lease for `holder` until `until_ms` (real time, Unix milliseconds):
    /// false while another holder's lease runs. One scheduler run or clock change at a time,
    /// across every process, so that slots fire in the order of their hours.
    pub async fn take_scheduler_lease(&self, holder: &str, now_ms: i64, until_ms: i64) -> DomainResult<bool> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", items::s(SCHEDULER_PK))
            .item("holder", items::s(holder))
            .item("until_ms", items::n(until_ms))
            .condition_expression("attribute_not_exists(pk) OR until_ms < :now")
            .expression_attribute_values(":now", items::n(now_ms))
            .send()
            .await;
        crate::conditional(result)
    }

    /// Give the scheduler's lease back (when `holder` still has it).
    pub async fn end_scheduler_lease(&self, holder: &str) -> DomainResult<()> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", items::s(SCHEDULER_PK))
            .condition_expression("holder = :holder")
            .expression_attribute_values(":holder", items::s(holder))
            .send()
            .await;
        // Not held any more (it ran out and another took it): nothing to give back.
        crate::conditional(result).map(|_| ())
    }

    /// Put a fault in force (replacing one with the same id): false when [`MAX_FAULTS`] are in
    /// force already.
    pub async fn add_fault(&self, fault: &RuntimeFault) -> DomainResult<bool> {
        let entry = fault_entry(fault)?;
        // The map exists: set the entry in it, if it is a replacement or there is room. It does
        // not: create it holding the entry. Either may lose a race with the other; try again.
        for _ in 0..4 {
            let into_map = self
                .client
                .update_item()
                .table_name(&self.table)
                .key("pk", items::s(STATE_PK))
                .update_expression("SET #f.#id = :entry")
                .condition_expression(
                    "attribute_exists(#f) AND (attribute_exists(#f.#id) OR size(#f) < :max)",
                )
                .expression_attribute_names("#f", FAULTS)
                .expression_attribute_names("#id", &fault.id)
                .expression_attribute_values(":entry", entry.clone())
                .expression_attribute_values(":max", items::n(MAX_FAULTS))
                .send()
                .await;
            if crate::conditional(into_map)? {
                return Ok(true);
            }
            let new_map = self
                .client
                .update_item()
                .table_name(&self.table)
                .key("pk", items::s(STATE_PK))
                .update_expression("SET #f = :map")
                .condition_expression("attribute_not_exists(#f)")
                .expression_attribute_names("#f", FAULTS)
                .expression_attribute_values(
                    ":map",
                    AttributeValue::M(std::collections::HashMap::from([(fault.id.clone(), entry.clone())])),
                )
                .send()
                .await;
            if crate::conditional(new_map)? {
                return Ok(true);
            }
            // Both conditions failed: the map exists (so the first one failed for want of room),
            // unless it was removed in between.
            let state = self.emulator_state_now().await?;
            if state.faults.len() >= MAX_FAULTS {
                return Ok(false);
            }
        }
        Err(domain::DomainError::Unavailable)
    }

    /// Take one of a limited fault's requests: false when none is left (another process took the
    /// last one), so that a count is honoured across every process on the table.
    pub async fn take_fault(&self, id: &str) -> DomainResult<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", items::s(STATE_PK))
            .update_expression("SET #f.#id.#left = #f.#id.#left - :one")
            .condition_expression("#f.#id.#left > :zero")
            .expression_attribute_names("#f", FAULTS)
            .expression_attribute_names("#id", id)
            .expression_attribute_names("#left", "left")
            .expression_attribute_values(":one", items::n(1))
            .expression_attribute_values(":zero", items::n(0))
            .send()
            .await;
        crate::conditional(result)
    }

    /// Remove every fault (the clock stays): one attribute, whatever it holds. Gives how many
    /// there were.
    pub async fn clear_faults(&self) -> DomainResult<usize> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", items::s(STATE_PK))
            .update_expression("REMOVE #f")
            .expression_attribute_names("#f", FAULTS)
            .return_values(ReturnValue::UpdatedOld)
            .send()
            .await
            .map_err(internal)?;
        let old = out.attributes.unwrap_or_default();
        Ok(old.get(FAULTS).and_then(|v| v.as_m().ok()).map_or(0, |m| m.len()))
    }

    /// Remove one fault; false when there was none with that id.
    pub async fn remove_fault(&self, id: &str) -> DomainResult<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", items::s(STATE_PK))
            .update_expression("REMOVE #f.#id")
            .condition_expression("attribute_exists(#f.#id)")
            .expression_attribute_names("#f", FAULTS)
            .expression_attribute_names("#id", id)
            .send()
            .await;
        crate::conditional(result)
    }

    /// The key that seals paging tokens: made once per table, kept on the state item (so every
    /// process agrees), and never shown. `known` is the key as the request's read found it.
    pub async fn seal_key(&self, known: Option<&str>) -> DomainResult<String> {
        if let Some(key) = known {
            return Ok(key.to_string());
        }
        let fresh = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", items::s(STATE_PK))
            .update_expression("SET #k = if_not_exists(#k, :fresh)")
            .expression_attribute_names("#k", SEAL_KEY)
            .expression_attribute_values(":fresh", items::s(fresh))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(internal)?;
        let kept = out.attributes.as_ref().and_then(|a| a.get(SEAL_KEY)).and_then(|v| v.as_s().ok());
        kept.cloned().ok_or_else(|| domain::DomainError::Internal("no seal key kept".into()))
    }

    /// The state as the table has it now, not as read ahead.
    async fn emulator_state_now(&self) -> DomainResult<EmulatorState> {
        Ok(self.read_item(STATE_PK).await?.as_ref().map(state_of).unwrap_or_default())
    }

    /// An item as stored (read ahead when it was).
    async fn raw_item(&self, pk: &str) -> DomainResult<Option<Item>> {
        if let Some(ahead) = self.take_ahead(pk) {
            return Ok(ahead);
        }
        self.read_item(pk).await
    }
}
