//! What a verified signature spends, recorded by the request's first transaction (a replayed
//! create fails on it and writes nothing), or, when the request writes nothing, on its own.
//!
//! Two kinds. A nonce (Alibaba's `SignatureNonce`, Tencent's legacy `Nonce`) is spent once: the
//! same request again is a replay. A signature with no nonce (TC3, ZC2) may be sent again, as the
//! providers allow, but the official SDKs sign only `content-type;host`: the action header is
//! not covered, and the same bytes under another action header verify. So such a signature is
//! bound to the action it was first used for: a change (a create, a modify, a delete) under a
//! signature used before for another action is refused, and a captured `DescribeSnapshots` sent
//! again as `DeleteSnapshots` changes nothing.
//!
//! Two allowances keep honest clients working, as the official SDKs and Terraform call. A read
//! is never refused, and never moves the binding: clients sign identical bodies for different
//! reads within one second (several ZEC `Describe…` calls with `{}`), and a read changes
//! nothing. And a change may follow another action within [`SAME_SECOND_MS`] of that action's
//! first use: a signature covers the body and the second it was made in, and a client that
//! reads a snapshot by id and then deletes it (`{"SnapshotIds": [id]}` both, as Terraform's
//! refresh and destroy send them) within one second signs both alike. Only a client on the
//! request's own path could send it again that soon, and that one could rewrite the original.

use crate::Store;
use domain::{AuthFailure, DomainError, DomainResult};
use std::sync::Arc;

/// What a request's signature spends (see the module's comment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spend<'a> {
    /// A nonce: the request may not be sent again.
    Nonce(&'a str),
    /// A signature without a nonce, bound to the first action it was used for; `changes`: the
    /// action is not a read.
    Signature { signature: &'a str, action: &'a str, changes: bool },
}

/// A spend as the request's store carries it until it is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Nonce,
    Signature { action: String, changes: bool },
}

/// What the request spends, riding in its first transaction (one write fewer for a create) or,
/// when the request writes nothing, recorded on its own at the end.
#[derive(Debug)]
pub(crate) struct PendingNonce {
    access_key_id: String,
    /// The nonce, or the signature (kept apart from nonces by a prefix).
    nonce: String,
    kind: Kind,
    now: chrono::DateTime<chrono::Utc>,
    ttl_seconds: i64,
    /// This request's own id, recorded with the nonce (see [`remember`]).
    writer: String,
    written: std::sync::atomic::AtomicBool,
}

/// The attribute of a nonce's item that names the request that recorded it.
pub(crate) const WRITER: &str = "writer";
/// The attributes of a signature's item: the action it was last bound to, and when (real time,
/// in milliseconds).
const FIRST_ACTION: &str = "first_action";
const FIRST_USED: &str = "first_used";
/// How long after a signature's first use a change may still come under it for another action:
/// the span in which one client second's requests arrive.
pub const SAME_SECOND_MS: i64 = 2_000;

impl PendingNonce {
    /// The conditional put of the nonce, for a transaction.
    pub(crate) fn put(&self, table: &str) -> DomainResult<aws_sdk_dynamodb::types::TransactWriteItem> {
        let (item, condition, values) = self.item();
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .condition_expression(condition)
            .set_expression_attribute_values(Some(values))
            .build()
            .map_err(crate::internal)?;
        Ok(aws_sdk_dynamodb::types::TransactWriteItem::builder().put(put).build())
    }

    /// The item, and the condition (with its values) on which it may be written: new, or
    /// remembered so long ago that it expired; for a signature under a change, also one bound
    /// to that very action, or first used within [`SAME_SECOND_MS`]. A read's signature is
    /// written only when new: its put failing is no refusal (see [`PendingNonce::refused`]), and
    /// it never moves the binding.
    pub(crate) fn item(&self) -> (crate::items::Item, &'static str, crate::items::Item) {
        use crate::items::{key, n, s};
        let now = self.now.timestamp();
        let mut item = vec![
            ("pk".to_string(), s(key::nonce(&self.access_key_id, &self.nonce))),
            (crate::table::TTL_ATTRIBUTE.to_string(), n(now + self.ttl_seconds)),
            (WRITER.to_string(), s(&self.writer)),
        ];
        let mut values = vec![(":now".to_string(), n(now))];
        let mut condition = "attribute_not_exists(pk) OR expires_at < :now";
        if let Kind::Signature { action, changes } = &self.kind {
            let now_ms = self.now.timestamp_millis();
            item.push((FIRST_ACTION.to_string(), s(action)));
            item.push((FIRST_USED.to_string(), n(now_ms)));
            if *changes {
                values.push((":action".to_string(), s(action)));
                values.push((":same_second".to_string(), n(now_ms - SAME_SECOND_MS)));
                condition = "attribute_not_exists(pk) OR expires_at < :now OR first_action = :action \
                             OR first_used > :same_second";
            }
        }
        (item.into_iter().collect(), condition, values.into_iter().collect())
    }

    /// Why a request whose record was refused is refused, if it is: a nonce used before, or a
    /// signature first used for another action under a change. `None`: a read's signature
    /// already bound, which it may use.
    pub(crate) fn refused(&self) -> Option<AuthFailure> {
        match &self.kind {
            Kind::Nonce => Some(AuthFailure::NonceReused),
            Kind::Signature { changes: true, .. } => Some(AuthFailure::SignatureBound),
            Kind::Signature { changes: false, .. } => None,
        }
    }

    /// Whether it rides in the request's first transaction: not a read's signature, whose put
    /// may fail without refusing anything (the transaction would fail with it).
    pub(crate) fn rides_in_transactions(&self) -> bool {
        self.refused().is_some()
    }

    pub(crate) fn is_written(&self) -> bool {
        self.written.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub(crate) fn mark_written(&self) {
        self.written.store(true, std::sync::atomic::Ordering::SeqCst)
    }
}

impl PendingNonce {
    fn new(
        access_key_id: &str,
        spend: Spend<'_>,
        now: chrono::DateTime<chrono::Utc>,
        ttl_seconds: i64,
        writer: String,
    ) -> PendingNonce {
        let (nonce, kind) = match spend {
            Spend::Nonce(nonce) => (nonce.to_string(), Kind::Nonce),
            // A nonce is the client's own text; a prefix keeps a signature from meeting one.
            Spend::Signature { signature, action, changes } => {
                (format!("signature:{signature}"), Kind::Signature { action: action.to_string(), changes })
            }
        };
        PendingNonce {
            access_key_id: access_key_id.to_string(),
            nonce,
            kind,
            now,
            ttl_seconds,
            writer,
            written: false.into(),
        }
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
        self.spending(access_key_id, Spend::Nonce(nonce), now, ttl_seconds)
    }

    /// This store, whose first transaction also records what the request's signature spends
    /// (and fails with its refusal); see [`Store::settle_nonce`]. A store that carries that
    /// spend already keeps it, recorded or not.
    pub fn spending(
        &self,
        access_key_id: &str,
        spend: Spend<'_>,
        now: chrono::DateTime<chrono::Utc>,
        ttl_seconds: i64,
    ) -> Store {
        let writer = uuid::Uuid::new_v4().simple().to_string();
        let pending = PendingNonce::new(access_key_id, spend, now, ttl_seconds, writer);
        let carried = self.nonce.as_ref().is_some_and(|p| {
            p.access_key_id == pending.access_key_id && p.nonce == pending.nonce && p.kind == pending.kind
        });
        if carried {
            return self.clone();
        }
        Store { nonce: Some(Arc::new(pending)), ..self.clone() }
    }

    /// Record the nonce now unless a transaction already did: `NonceReused` when it was used,
    /// `SignatureBound` for a change under a signature first used for another action.
    pub async fn settle_nonce(&self) -> DomainResult<()> {
        let Some(p) = &self.nonce else { return Ok(()) };
        if p.is_written() {
            return Ok(());
        }
        if !remember(self, p).await? {
            return Err(DomainError::Auth(p.refused().unwrap_or(AuthFailure::NonceReused)));
        }
        p.mark_written();
        Ok(())
    }

    /// Record a signature nonce; false when it was already used (a replayed request).
    pub async fn remember_nonce(
        &self,
        access_key_id: &str,
        nonce: &str,
        now: chrono::DateTime<chrono::Utc>,
        ttl_seconds: i64,
    ) -> DomainResult<bool> {
        self.remember_nonce_by(access_key_id, nonce, now, ttl_seconds, &uuid::Uuid::new_v4().to_string())
            .await
    }

    /// [`Store::remember_nonce`] for the request `writer`: true again when the nonce was recorded
    /// by that same writer (its earlier attempt was applied but its answer lost).
    pub async fn remember_nonce_by(
        &self,
        access_key_id: &str,
        nonce: &str,
        now: chrono::DateTime<chrono::Utc>,
        ttl_seconds: i64,
        writer: &str,
    ) -> DomainResult<bool> {
        let pending =
            PendingNonce::new(access_key_id, Spend::Nonce(nonce), now, ttl_seconds, writer.to_string());
        remember(self, &pending).await
    }
}

/// Record what `p` spends: false when it is refused (see [`PendingNonce::item`]). The
/// SDK retries a put whose answer was lost (an attempt timed out under load, a connection
/// dropped); when the lost attempt was applied, the retry finds the nonce taken — by this very
/// request. The writer recorded with the nonce tells the two apart, so a slow store never turns a
/// request into its own replay.
async fn remember(store: &Store, p: &PendingNonce) -> DomainResult<bool> {
    let (item, condition, values) = p.item();
    let result = store
        .client
        .put_item()
        .table_name(&store.table)
        .set_item(Some(item))
        .condition_expression(condition)
        .set_expression_attribute_values(Some(values))
        .send()
        .await;
    // A read's signature already bound is no refusal: nothing to tell apart.
    if crate::conditional(result)? || p.refused().is_none() {
        return Ok(true);
    }
    let stored = store.read_item(&crate::items::key::nonce(&p.access_key_id, &p.nonce)).await?;
    let by = stored.as_ref().and_then(|i| i.get(WRITER)).and_then(|v| v.as_s().ok());
    Ok(by.is_some_and(|by| *by == p.writer))
}
