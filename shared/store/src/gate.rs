//! A precondition for a request's writes: a check that runs alongside the request's reads (it is
//! started at once, on its own task) and must have passed before the request's transaction is
//! sent. The pipeline uses it for the signature nonce: remembering the nonce costs no step of
//! its own, yet a replayed request never writes.

use crate::Store;
use domain::{DomainError, DomainResult};
use std::future::Future;
use std::sync::Arc;
use tokio::sync::{Mutex, OnceCell};
use tokio::task::JoinHandle;

#[derive(Debug)]
pub(crate) struct Gate {
    running: Mutex<Option<JoinHandle<DomainResult<()>>>>,
    outcome: OnceCell<DomainResult<()>>,
}

impl Gate {
    async fn passed(&self) -> DomainResult<()> {
        let outcome = self.outcome.get_or_init(|| async {
            let Some(task) = self.running.lock().await.take() else {
                return Err(DomainError::Internal("a write precondition was lost".into()));
            };
            task.await
                .unwrap_or_else(|e| Err(DomainError::Internal(format!("a write precondition failed: {e}"))))
        });
        outcome.await.clone()
    }
}

impl Store {
    /// This store, whose transactions first wait for `check` (started now) to pass.
    pub fn gated(&self, check: impl Future<Output = DomainResult<()>> + Send + 'static) -> Store {
        let gate = Gate { running: Mutex::new(Some(tokio::spawn(check))), outcome: OnceCell::new() };
        Store { gate: Some(Arc::new(gate)), ..self.clone() }
    }

    /// Wait for this store's precondition (if any) and answer its outcome (the same every time).
    pub async fn precondition(&self) -> DomainResult<()> {
        match &self.gate {
            Some(gate) => gate.passed().await,
            None => Ok(()),
        }
    }
}

/// A signature nonce that rides in the request's first transaction (one write fewer for a
/// create), or, when the request writes nothing, is remembered on its own at the end.
#[derive(Debug)]
pub(crate) struct PendingNonce {
    access_key_id: String,
    nonce: String,
    now: chrono::DateTime<chrono::Utc>,
    ttl_seconds: i64,
    written: std::sync::atomic::AtomicBool,
}

impl PendingNonce {
    /// The conditional put of the nonce, for a transaction.
    pub(crate) fn put(&self, table: &str) -> DomainResult<aws_sdk_dynamodb::types::TransactWriteItem> {
        use crate::items::{key, n, s};
        let now = self.now.timestamp();
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(table)
            .item("pk", s(key::nonce(&self.access_key_id, &self.nonce)))
            .item(crate::table::TTL_ATTRIBUTE, n(now + self.ttl_seconds))
            .condition_expression("attribute_not_exists(pk) OR expires_at < :now")
            .expression_attribute_values(":now", n(now))
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

impl Store {
    /// This store, whose first transaction also records the signature nonce (and fails with
    /// `NonceReused` when it was used before); see [`Store::settle_nonce`].
    pub fn with_nonce(
        &self,
        access_key_id: &str,
        nonce: &str,
        now: chrono::DateTime<chrono::Utc>,
        ttl_seconds: i64,
    ) -> Store {
        let pending = PendingNonce {
            access_key_id: access_key_id.to_string(),
            nonce: nonce.to_string(),
            now,
            ttl_seconds,
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
        match self.remember_nonce(&p.access_key_id, &p.nonce, p.now, p.ttl_seconds).await? {
            true => {
                p.mark_written();
                Ok(())
            }
            false => Err(DomainError::Auth(domain::AuthFailure::NonceReused)),
        }
    }
}
