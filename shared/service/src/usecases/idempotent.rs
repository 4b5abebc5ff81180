//! Running a create under a client token: a replay answers the first call's resource, a
//! second resource is never made.
//!
//! Two ways, by the world's timings. When requests take a processing time, the token is claimed
//! first (one conditional put), so that a second call meanwhile is told the first is still
//! processing; the create's transaction completes the claim, a failed create gives it back.
//! Otherwise the create's transaction writes the token's record itself, on the condition that no
//! live one exists: one write fewer. A call whose read found no record but whose transaction lost
//! the token's condition arrived while its twin was in flight, and is told so; any other call
//! that fails reads the record and answers as a replay would.

use chrono::{DateTime, Duration, Utc};
use domain::idempotency::{fingerprint, judge_replay, TokenRecord, TokenStatus};
use domain::{Account, DomainError, DomainResult};
use serde::Serialize;
use store::{Claim, Store, TokenKey, TokenUse};

/// What claiming gave: go ahead (holding the token), or answer again with the resource the
/// token already produced.
enum Start {
    Proceed(TokenUse),
    Replay(String),
}

/// A crashed call's claim stops blocking its token this long after the call's expected end.
const ABANDONED_AFTER: Duration = Duration::seconds(60);

fn record(account: &Account, fingerprint: String, now: DateTime<Utc>) -> TokenRecord {
    TokenRecord {
        fingerprint,
        status: TokenStatus::InProgress,
        claim_id: uuid::Uuid::new_v4().to_string(),
        resource_id: None,
        in_flight_until: now
            + Duration::milliseconds(account.settings.timings.request_processing_ms as i64)
            + ABANDONED_AFTER,
        settled_ms: None,
    }
}

async fn claim(
    store: &Store,
    key: TokenKey,
    record: TokenRecord,
    account: &Account,
    now: DateTime<Utc>,
) -> DomainResult<Start> {
    match store.claim_token(&key, &record, now, account.settings.idempotency_ttl_seconds).await? {
        Claim::Won => Ok(Start::Proceed(TokenUse::Claimed { key, claim_id: record.claim_id })),
        Claim::Taken(existing) => judge_replay(&existing, &record.fingerprint).map(Start::Replay),
    }
}

/// What a create gave: the resource this call made, or the id a replayed client token made
/// before. A replay answers that id again, as the providers do — also when the resource has
/// since been released (by its retention), rather than failing or making a second one.
#[derive(Debug, Clone, PartialEq)]
pub enum Made<T> {
    New(T),
    Again(String),
}

/// A resource with an id.
pub trait Resource {
    fn id(&self) -> &str;
}

impl Resource for domain::Snapshot {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Resource for domain::Image {
    fn id(&self) -> &str {
        &self.id
    }
}

impl<T: Resource> Made<T> {
    pub fn id(&self) -> &str {
        match self {
            Made::New(r) => r.id(),
            Made::Again(id) => id,
        }
    }
}

/// Run a create at most once per client token: a replay answers the first call's id; otherwise
/// `create` runs with the token for its transaction to settle. Without a token, `create` simply
/// runs. `prefetch` (the create's first reads) runs while the token is claimed, saving a round
/// trip; a replay discards it.
pub async fn once<C: Serialize, T, P>(
    store: &Store,
    caller: &super::Caller<'_>,
    token: Option<&str>,
    command: &C,
    prefetch: impl std::future::Future<Output = P>,
    create: impl AsyncFnOnce(Option<&TokenUse>, P) -> DomainResult<T>,
) -> DomainResult<Made<T>> {
    let Some(token) = token else {
        return create(None, prefetch.await).await.map(Made::New);
    };
    let account = caller.account;
    let key = TokenKey {
        account: account.id.clone(),
        action: caller.origin.action().to_string(),
        token: token.to_string(),
    };
    let record = record(account, fingerprint(command), caller.now);
    if account.settings.timings.request_processing_ms > 0 {
        let (started, prefetched) = tokio::join!(claim(store, key, record, account, caller.now), prefetch);
        let held = match started? {
            Start::Replay(id) => return Ok(Made::Again(id)),
            Start::Proceed(held) => held,
        };
        let outcome = create(Some(&held), prefetched).await;
        if outcome.is_err() {
            abandon(store, &held).await;
        }
        return outcome.map(Made::New);
    }
    let fresh = TokenUse::Fresh { key, record, ttl_seconds: account.settings.idempotency_ttl_seconds };
    let TokenUse::Fresh { key, record, .. } = &fresh else { unreachable!("made just above") };
    // A record settled after this call arrived is a twin's that was being processed meanwhile
    // (ECS API reference, CreateSnapshot: IdempotentProcessing) — the case of a call that first
    // tried to create without reading the token, then read it.
    let in_flight_on_arrival = |existing: &TokenRecord| {
        existing.settled_ms.is_some_and(|settled| settled > caller.arrived.timestamp_millis())
    };
    // A replay known from the read-ahead answers at once.
    let read_ahead = store.token_read_ahead(key, caller.now)?;
    if let Some(Some(existing)) = read_ahead {
        if store.speculative() {
            // Remembered, not read: confirmed (with the nonce recorded) before it is answered.
            store.confirm_token(key, &existing, caller.now).await?;
        }
        let first = judge_replay(&existing, &record.fingerprint);
        if in_flight_on_arrival(&existing) {
            return first.and(Err(DomainError::TokenInFlight));
        }
        return first.map(Made::Again);
    }
    // Whether this call found the token free on arrival (read ahead, and absent). A process's
    // first request of an access key cannot read its token ahead (the key's account is not known
    // yet): a failure then reads the record and answers as a replay.
    let arrived_first = read_ahead.is_some();
    match create(Some(&fresh), prefetch.await).await {
        Ok(made) => Ok(Made::New(made)),
        // A speculation took the token as free without reading it: the run on fresh reads judges.
        Err(e) if store.speculative() => Err(e),
        // The token was free when read and taken when written: a twin call made it in between,
        // and was still being processed when this one arrived (ECS API reference,
        // CreateSnapshot: IdempotentProcessing). Answered without another read.
        Err(DomainError::TokenInFlight) if arrived_first => Err(DomainError::TokenInFlight),
        // Refused — by a rule, or by what a twin took meanwhile (its disk's lock) — or lost to a
        // live record: a record made since this call's read is a twin's that was in flight; one
        // read ahead of none is a replay, answered as one, whatever the state now.
        Err(e) => match store.live_token(key, caller.now).await {
            Ok(Some(existing)) if arrived_first || in_flight_on_arrival(&existing) => {
                judge_replay(&existing, &record.fingerprint).and(Err(DomainError::TokenInFlight))
            }
            Ok(Some(existing)) => judge_replay(&existing, &record.fingerprint).map(Made::Again),
            _ => Err(e),
        },
    }
}

/// Give the claim back when the create failed (nothing was written with it).
async fn abandon(store: &Store, held: &TokenUse) {
    if let TokenUse::Claimed { key, claim_id } = held {
        if let Err(e) = store.release_token(key, claim_id).await {
            // The claim then expires on its own; the failure is already being answered.
            tracing::warn!(error = %e, "could not release a client token claim");
        }
    }
}
