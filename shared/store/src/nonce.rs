//! The signature nonce of a request: recorded by the request's first transaction (a replayed
//! create fails on it and writes nothing), or, when the request writes nothing, on its own.

use crate::Store;
use domain::{DomainError, DomainResult};
use std::sync::Arc;

/// A signature nonce that rides in the request's first transaction (one write fewer for a
/// create), or, when the request writes nothing, is remembered on its own at the end.
#[derive(Debug)]
pub(crate) struct PendingNonce {
    access_key_id: String,
    nonce: String,
    now: chrono::DateTime<chrono::Utc>,
    ttl_seconds: i64,
    /// This request's own id, recorded with the nonce (see `tokens::remember_nonce`).
    writer: String,
    written: std::sync::atomic::AtomicBool,
}

/// The attribute of a nonce's item that names the request that recorded it.
pub(crate) const WRITER: &str = "writer";

impl PendingNonce {
    /// The conditional put of the nonce, for a transaction.
    pub(crate) fn put(&self, table: &str) -> DomainResult<aws_sdk_dynamodb::types::TransactWriteItem> {
        let (item, condition, values) =
            nonce_put(&self.access_key_id, &self.nonce, self.now, self.ttl_seconds, &self.writer);
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .condition_expression(condition)
            .set_expression_attribute_values(Some(values))
            .build()
            .map_err(crate::internal)?;
        Ok(aws_sdk_dynamodb::types::TransactWriteItem::builder().put(put).build())
    }

    pub(crate) fn is_written(&self) -> bool {
        self.written.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub(crate) fn mark_written(&self) {
        self.written.store(true, std::sync::atomic::Ordering::SeqCst)
    }
}

/// A nonce's item, and the condition (with its values) on which it may be written: new, or
/// remembered so long ago that it expired.
pub(crate) fn nonce_put(
    access_key_id: &str,
    nonce: &str,
    now: chrono::DateTime<chrono::Utc>,
    ttl_seconds: i64,
    writer: &str,
) -> (crate::items::Item, &'static str, crate::items::Item) {
    use crate::items::{key, n, s};
    let now = now.timestamp();
    let item = [
        ("pk".to_string(), s(key::nonce(access_key_id, nonce))),
        (crate::table::TTL_ATTRIBUTE.to_string(), n(now + ttl_seconds)),
        (WRITER.to_string(), s(writer)),
    ];
    let values = [(":now".to_string(), n(now))];
    (item.into(), "attribute_not_exists(pk) OR expires_at < :now", values.into())
}

impl Store {
    /// This store, whose first transaction also records the signature nonce (and fails with
    /// `NonceReused` when it was used before); see [`Store::settle_nonce`]. A store that carries
    /// that nonce already keeps it, recorded or not.
    pub fn with_nonce(
        &self,
        access_key_id: &str,
        nonce: &str,
        now: chrono::DateTime<chrono::Utc>,
        ttl_seconds: i64,
    ) -> Store {
        if self.nonce.as_ref().is_some_and(|p| p.access_key_id == access_key_id && p.nonce == nonce) {
            return self.clone();
        }
        let pending = PendingNonce {
            access_key_id: access_key_id.to_string(),
            nonce: nonce.to_string(),
            now,
            ttl_seconds,
            writer: uuid::Uuid::new_v4().simple().to_string(),
            written: false.into(),
        };
        Store { nonce: Some(Arc::new(pending)), ..self.clone() }
    }

    /// Record the nonce now unless a transaction already did: `NonceReused` when it was used.
    pub async fn settle_nonce(&self) -> DomainResult<()> {
        let Some(p) = &self.nonce else { return Ok(()) };
        if p.is_written() {
            return Ok(());
        }
        match crate::tokens::remember_nonce(self, &p.access_key_id, &p.nonce, p.now, p.ttl_seconds, &p.writer)
            .await?
        {
            true => {
                p.mark_written();
                Ok(())
            }
            false => Err(DomainError::Auth(domain::AuthFailure::NonceReused)),
        }
    }
}
