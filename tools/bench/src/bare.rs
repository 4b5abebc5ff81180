//! The bare line: each create's transaction as ours commits it, sent again with nothing before or
//! around it — what DynamoDB Local alone costs for the call's one round trip.
//!
//! The transactions are captured from the floor (which runs the same store and use-case code as
//! the gateway), after the warm-up, so they carry what a warm process sends: the resource, the
//! disk's lock and quota counter (or the image's marker, counter and snapshot check), the token,
//! the speculation's checks and the nonce. Sent again, the items a transaction creates get fresh
//! keys, and the times its conditions compare with move on by the time since it was captured;
//! nothing else changes.

use crate::{floor, Call, Ctx};
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use store::{Capture, Captured};

/// Transactions captured per call (spread over disks and snapshots as the calls are).
const CAPTURED: usize = 100;
/// The concurrency named in the captured calls' tokens, apart from the measured ones.
const CAPTURE_RUN: usize = 1000;

/// Capture `call`'s transactions; `None` for a call that commits none (a read).
pub async fn capture(ctx: &Ctx, call: Call) -> Result<Option<Vec<Captured>>, String> {
    let sink = Capture::default();
    let store = ctx.store.capturing(sink.clone());
    for i in 0..CAPTURED {
        floor::run(ctx, &store, call, CAPTURE_RUN, i).await?;
    }
    let captured = std::mem::take(&mut *sink.lock().expect("not poisoned"));
    match captured.len() {
        0 => Ok(None),
        n if n == CAPTURED => Ok(Some(captured)),
        n => Err(format!("{CAPTURED} calls of {} committed {n} transactions", call.name())),
    }
}

/// Send captured transaction `i` (modulo their number) again.
pub async fn run(ctx: &Ctx, captured: &[Captured], i: usize) -> Result<(), String> {
    let template = &captured[i % captured.len()];
    let actions = template.actions.iter().map(|a| again(a, template.at, Utc::now())).collect();
    ctx.store.send_transaction(actions).await.map_err(|e| format!("{e:?}"))
}

/// `action`, captured at `at`, as sent at `now`.
fn again(action: &TransactWriteItem, at: DateTime<Utc>, now: DateTime<Utc>) -> TransactWriteItem {
    let values = |v: Option<&HashMap<String, AttributeValue>>| {
        v.map(|v| v.iter().map(|(k, v)| (k.clone(), moved(v, at, now))).collect::<HashMap<_, _>>())
    };
    let built = if let Some(put) = action.put() {
        let mut item = put.item().clone();
        if let Some(AttributeValue::S(pk)) = item.get("pk") {
            let kind = pk.split('#').next().unwrap_or("BARE");
            let fresh = format!("{kind}#bare-{}", uuid::Uuid::new_v4().simple());
            item.insert("pk".into(), AttributeValue::S(fresh));
        }
        Put::builder()
            .table_name(put.table_name())
            .set_item(Some(item))
            .set_condition_expression(put.condition_expression().map(str::to_string))
            .set_expression_attribute_names(put.expression_attribute_names().cloned())
            .set_expression_attribute_values(values(put.expression_attribute_values()))
            .build()
            .map(|p| TransactWriteItem::builder().put(p).build())
    } else if let Some(update) = action.update() {
        Update::builder()
            .table_name(update.table_name())
            .set_key(Some(update.key().clone()))
            .update_expression(update.update_expression())
            .set_condition_expression(update.condition_expression().map(str::to_string))
            .set_expression_attribute_names(update.expression_attribute_names().cloned())
            .set_expression_attribute_values(values(update.expression_attribute_values()))
            .build()
            .map(|u| TransactWriteItem::builder().update(u).build())
    } else if let Some(check) = action.condition_check() {
        ConditionCheck::builder()
            .table_name(check.table_name())
            .set_key(Some(check.key().clone()))
            .condition_expression(check.condition_expression())
            .set_expression_attribute_names(check.expression_attribute_names().cloned())
            .set_expression_attribute_values(values(check.expression_attribute_values()))
            .build()
            .map(|c| TransactWriteItem::builder().condition_check(c).build())
    } else {
        return action.clone();
    };
    built.expect("rebuilt from a valid action")
}

/// A number that is a time near `at` (in milliseconds or in seconds), moved on to `now`; any
/// other value as it is.
fn moved(value: &AttributeValue, at: DateTime<Utc>, now: DateTime<Utc>) -> AttributeValue {
    const WEEK_MS: i64 = 7 * 86_400_000;
    let AttributeValue::N(text) = value else { return value.clone() };
    let Ok(number) = text.parse::<i64>() else { return value.clone() };
    let (at_ms, now_ms) = (at.timestamp_millis(), now.timestamp_millis());
    let shifted = if (number - at_ms).abs() < WEEK_MS {
        number + (now_ms - at_ms)
    } else if (number - at_ms / 1000).abs() < WEEK_MS / 1000 {
        number + (now_ms / 1000 - at_ms / 1000)
    } else {
        return value.clone();
    };
    AttributeValue::N(shifted.to_string())
}
