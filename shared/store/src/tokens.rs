//! Client tokens: claimed with one conditional put each.

use crate::items::{self, n, s};
use crate::table::TTL_ATTRIBUTE;
use crate::{internal, Store};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;
use chrono::{DateTime, Utc};
use domain::idempotency::{TokenRecord, TokenStatus};
use domain::DomainResult;

/// Where a client token lives: per account and action, as the providers scope them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenKey {
    pub account: String,
    pub action: String,
    pub token: String,
}

impl TokenKey {
    pub(crate) fn pk(&self) -> String {
        items::key::token(&self.account, &self.action, &self.token)
    }
}

/// How a create's transaction settles its client token.
#[derive(Debug, Clone)]
pub enum TokenUse {
    /// Claimed before the create (while the world gives requests a processing time, a second
    /// call meanwhile is told the first is still processing): the transaction completes the claim.
    Claimed { key: TokenKey, claim_id: String },
    /// Not claimed: the transaction writes the token's record, completed, on the condition that
    /// no live record exists. A replay, or a twin that lost the race, fails that condition and
    /// then learns the first call's resource from the record.
    Fresh { key: TokenKey, record: TokenRecord, ttl_seconds: u64 },
}

/// A stored token record with its expiry (the TTL attribute).
#[derive(serde::Deserialize)]
struct Stored {
    expires_at: i64,
    #[serde(flatten)]
    record: TokenRecord,
}

/// The record, unless there is none or it has expired.
fn live(stored: Option<Stored>, now: DateTime<Utc>) -> Option<TokenRecord> {
    stored.filter(|s| s.expires_at >= now.timestamp()).map(|s| s.record)
}

/// The outcome of claiming a token.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// This call owns the token now; it must complete or release it.
    Won,
    /// Another call holds (or held) it.
    Taken(TokenRecord),
}

impl Store {
    /// Claim `key` for the call described by `record` (status in progress). The claim succeeds
    /// when the token is new, expired, or held by a call that has been in flight too long.
    pub async fn claim_token(
        &self,
        key: &TokenKey,
        record: &TokenRecord,
        now: DateTime<Utc>,
        ttl_seconds: u64,
    ) -> DomainResult<Claim> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(token_item(key, record, now, ttl_seconds)?))
            .condition_expression(FREE)
            .set_expression_attribute_names(Some(free_names()))
            .set_expression_attribute_values(Some(free_values(now)))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Claim::Won),
            Err(e) => match e.into_service_error() {
                PutItemError::ConditionalCheckFailedException(c) => match c.item {
                    Some(old) => Ok(Claim::Taken(items::from_item(old)?)),
                    None => Err(internal("conditional failure without the old token")),
                },
                other => Err(internal(other)),
            },
        }
    }

    /// The token's record as read ahead (see [`Store::read_ahead`]): `None` when it was not read
    /// ahead; `Some(None)` when it was and is absent or expired.
    pub fn token_read_ahead(
        &self,
        key: &TokenKey,
        now: DateTime<Utc>,
    ) -> DomainResult<Option<Option<TokenRecord>>> {
        let Some(found) = self.take_ahead(&key.pk()) else { return Ok(None) };
        Ok(Some(live(found.map(items::from_item).transpose()?, now)))
    }

    /// Confirm, in one transaction that also records the request's nonce and checks what a
    /// speculation assumed, that the token still holds `record` (remembered, not read): what a
    /// replay served from memory answers must still be true in the table.
    pub async fn confirm_token(
        &self,
        key: &TokenKey,
        record: &TokenRecord,
        now: DateTime<Utc>,
    ) -> DomainResult<()> {
        let check = aws_sdk_dynamodb::types::ConditionCheck::builder()
            .table_name(&self.table)
            .key("pk", s(key.pk()))
            .condition_expression("claim_id = :c AND #exp >= :now")
            .expression_attribute_names("#exp", TTL_ATTRIBUTE)
            .expression_attribute_values(":c", s(&record.claim_id))
            .expression_attribute_values(":now", n(now.timestamp()))
            .build()
            .map_err(internal)?;
        let actions =
            vec![aws_sdk_dynamodb::types::TransactWriteItem::builder().condition_check(check).build()];
        self.transact(actions, |_, _| domain::DomainError::Internal("the token changed".into())).await
    }

    /// The token's record, unless it is absent or expired.
    pub async fn live_token(&self, key: &TokenKey, now: DateTime<Utc>) -> DomainResult<Option<TokenRecord>> {
        Ok(live(self.get(&key.pk()).await?, now))
    }

    /// Give a claim back after the call failed, so the token can be used again.
    pub async fn release_token(&self, key: &TokenKey, claim_id: &str) -> DomainResult<()> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(key.pk()))
            .condition_expression("claim_id = :c AND #st = :in_progress")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":c", s(claim_id))
            .expression_attribute_values(":in_progress", s("IN_PROGRESS"))
            .send()
            .await;
        // Someone else's claim by now: nothing of ours to release.
        crate::conditional(result).map(|_| ())
    }
}

/// When a token may be written: it is new, expired, or held by a call in flight too long.
const FREE: &str =
    "attribute_not_exists(pk) OR expires_at < :now_s OR (#st = :in_progress AND in_flight_until < :now_ms)";

fn free_names() -> std::collections::HashMap<String, String> {
    [("#st".to_string(), "status".to_string())].into()
}

fn free_values(now: DateTime<Utc>) -> items::Item {
    [
        (":now_s".to_string(), n(now.timestamp())),
        (":now_ms".to_string(), n(now.timestamp_millis())),
        (":in_progress".to_string(), s("IN_PROGRESS")),
    ]
    .into()
}

/// A token's item, expiring `ttl_seconds` from `now`.
fn token_item(
    key: &TokenKey,
    record: &TokenRecord,
    now: DateTime<Utc>,
    ttl_seconds: u64,
) -> DomainResult<items::Item> {
    let mut item = items::item(&key.pk(), Some(&key.account), record)?;
    item.insert(TTL_ATTRIBUTE.into(), n(now.timestamp() + ttl_seconds as i64));
    Ok(item)
}

/// The write that settles a create's token, for its transaction.
pub(crate) fn settlement(
    table: &str,
    token: &TokenUse,
    resource_id: &str,
    now: DateTime<Utc>,
) -> DomainResult<aws_sdk_dynamodb::types::TransactWriteItem> {
    match token {
        TokenUse::Claimed { key, claim_id } => completion(table, key, claim_id, resource_id),
        TokenUse::Fresh { key, record, ttl_seconds } => {
            let done = TokenRecord {
                status: TokenStatus::Completed,
                resource_id: Some(resource_id.to_string()),
                settled_ms: Some(Utc::now().timestamp_millis()),
                ..record.clone()
            };
            let put = aws_sdk_dynamodb::types::Put::builder()
                .table_name(table)
                .set_item(Some(token_item(key, &done, now, *ttl_seconds)?))
                .condition_expression(FREE)
                .set_expression_attribute_names(Some(free_names()))
                .set_expression_attribute_values(Some(free_values(now)))
                .build()
                .map_err(internal)?;
            Ok(aws_sdk_dynamodb::types::TransactWriteItem::builder().put(put).build())
        }
    }
}

/// The update that completes a claim, for the create transaction.
fn completion(
    table: &str,
    key: &TokenKey,
    claim_id: &str,
    resource_id: &str,
) -> DomainResult<aws_sdk_dynamodb::types::TransactWriteItem> {
    let update = aws_sdk_dynamodb::types::Update::builder()
        .table_name(table)
        .key("pk", s(key.pk()))
        .update_expression("SET #st = :done, resource_id = :rid")
        .condition_expression("claim_id = :c")
        .expression_attribute_names("#st", "status")
        .expression_attribute_values(":done", s(status_name(TokenStatus::Completed)))
        .expression_attribute_values(":rid", s(resource_id))
        .expression_attribute_values(":c", s(claim_id))
        .build()
        .map_err(internal)?;
    Ok(aws_sdk_dynamodb::types::TransactWriteItem::builder().update(update).build())
}

fn status_name(status: TokenStatus) -> &'static str {
    match status {
        TokenStatus::InProgress => "IN_PROGRESS",
        TokenStatus::Completed => "COMPLETED",
    }
}
