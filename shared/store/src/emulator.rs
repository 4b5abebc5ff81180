//! The emulator's own state, shared by every process on the table: the virtual clock (an offset
//! from real time) and the runtime faults, on one item that every request reads ahead with its own
//! reads ([`crate::Ref::Emulator`]), so that neither costs a round trip, or a key, of its own. The
//! scheduler's lease is an item apart: no request reads it.

use crate::items::{self, Item};
use crate::{internal, Store};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use domain::chaos::RuntimeFault;
use domain::DomainResult;

pub(crate) const STATE_PK: &str = "EMULATOR#STATE";
const SCHEDULER_PK: &str = "EMULATOR#SCHEDULER";

/// On the state item the clock is `offset_ms`, and each fault is two attributes: its spec (JSON)
/// and, for a fault limited to a number of requests, how many it has left.
const SPEC: &str = "f_";
const LEFT: &str = "n_";

fn offset_of(item: &Item) -> i64 {
    item.get("offset_ms").and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// The clock and the faults, as one read gives them.
#[derive(Debug, Clone, Default)]
pub struct EmulatorState {
    /// How far the virtual clock is ahead of real time, in milliseconds (0: real time).
    pub offset_ms: i64,
    /// The runtime faults in force, each with the requests it has left (when limited).
    pub faults: Vec<RuntimeFault>,
}

fn state_of(item: &Item) -> EmulatorState {
    let mut faults = Vec::new();
    for (name, value) in item {
        let (Some(id), Ok(spec)) = (name.strip_prefix(SPEC), value.as_s()) else { continue };
        let Ok(mut fault) = serde_json::from_str::<RuntimeFault>(spec) else {
            tracing::warn!(fault = %id, "a runtime fault that cannot be read is ignored");
            continue;
        };
        if fault.count.is_some() {
            let left = item.get(&format!("{LEFT}{id}")).and_then(|v| v.as_n().ok());
            fault.count = Some(left.and_then(|n| n.parse().ok()).unwrap_or(0));
        }
        faults.push(fault);
    }
    faults.sort_by(|a, b| a.id.cmp(&b.id));
    EmulatorState { offset_ms: offset_of(item), faults }
}

impl Store {
    /// The clock and the faults (read ahead when they were).
    pub async fn emulator_state(&self) -> DomainResult<EmulatorState> {
        Ok(self.raw_item(STATE_PK).await?.as_ref().map(state_of).unwrap_or_default())
    }

    /// Move the virtual clock by `by_ms`, atomically (two processes advancing at once each move it
    /// by their own amount). Gives the offsets before and after.
    pub async fn shift_clock(&self, by_ms: i64) -> DomainResult<(i64, i64)> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", items::s(STATE_PK))
            .update_expression("ADD offset_ms :by")
            .expression_attribute_values(":by", items::n(by_ms))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(internal)?;
        let after = out.attributes.as_ref().map_or(0, offset_of);
        Ok((after - by_ms, after))
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

    /// Put a fault in force (replacing one with the same id).
    pub async fn add_fault(&self, fault: &RuntimeFault) -> DomainResult<()> {
        let spec = serde_json::to_string(fault).map_err(internal)?;
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", items::s(STATE_PK))
            .expression_attribute_names("#spec", format!("{SPEC}{}", fault.id))
            .expression_attribute_names("#left", format!("{LEFT}{}", fault.id))
            .expression_attribute_values(":spec", items::s(spec));
        update = match fault.count {
            Some(count) => update
                .update_expression("SET #spec = :spec, #left = :left")
                .expression_attribute_values(":left", items::n(count)),
            None => update.update_expression("SET #spec = :spec REMOVE #left"),
        };
        update.send().await.map_err(internal)?;
        Ok(())
    }

    /// Take one of a limited fault's requests: false when none is left (another process took the
    /// last one), so that a count is honoured across every process on the table.
    pub async fn take_fault(&self, id: &str) -> DomainResult<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", items::s(STATE_PK))
            .update_expression("SET #left = #left - :one")
            .condition_expression("#left > :zero")
            .expression_attribute_names("#left", format!("{LEFT}{id}"))
            .expression_attribute_values(":one", items::n(1))
            .expression_attribute_values(":zero", items::n(0))
            .send()
            .await;
        crate::conditional(result)
    }

    /// Remove every fault (the clock stays); gives how many there were.
    pub async fn clear_faults(&self) -> DomainResult<usize> {
        let state = self.raw_item(STATE_PK).await?.unwrap_or_default();
        let names: Vec<&String> =
            state.keys().filter(|k| k.starts_with(SPEC) || k.starts_with(LEFT)).collect();
        if names.is_empty() {
            return Ok(0);
        }
        let mut update = self.client.update_item().table_name(&self.table).key("pk", items::s(STATE_PK));
        let mut removed = Vec::new();
        for (i, name) in names.iter().enumerate() {
            update = update.expression_attribute_names(format!("#a{i}"), name.as_str());
            removed.push(format!("#a{i}"));
        }
        update.update_expression(format!("REMOVE {}", removed.join(", "))).send().await.map_err(internal)?;
        Ok(names.iter().filter(|k| k.starts_with(SPEC)).count())
    }

    /// Remove one fault; false when there was none with that id.
    pub async fn remove_fault(&self, id: &str) -> DomainResult<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", items::s(STATE_PK))
            .update_expression("REMOVE #spec, #left")
            .condition_expression("attribute_exists(#spec)")
            .expression_attribute_names("#spec", format!("{SPEC}{id}"))
            .expression_attribute_names("#left", format!("{LEFT}{id}"))
            .send()
            .await;
        crate::conditional(result)
    }

    /// An item as stored (read ahead when it was).
    async fn raw_item(&self, pk: &str) -> DomainResult<Option<Item>> {
        if let Some(ahead) = self.take_ahead(pk) {
            return Ok(ahead);
        }
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(pk.to_string()))
            .consistent_read(true)
            .send()
            .await
            .map_err(internal)?;
        Ok(out.item)
    }
}
