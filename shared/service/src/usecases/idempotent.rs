//! Running a create under a client token: claim it first, answer a replay with the first
//! call's resource, release the claim if the create fails.

use chrono::{DateTime, Duration, Utc};
use domain::idempotency::{fingerprint, judge_replay, TokenRecord, TokenStatus};
use domain::{Account, DomainResult};
use serde::Serialize;
use store::{Claim, Store, TokenKey};

/// A claimed token, to be completed by the create's transaction.
pub struct Held {
    pub key: TokenKey,
    pub claim_id: String,
}

/// What claiming gave: go ahead (holding the token, if one was sent), or answer again with the
/// resource the token already produced.
pub enum Start {
    Proceed(Option<Held>),
    Replay(String),
}

/// A crashed call's claim stops blocking its token this long after the call's expected end.
const ABANDONED_AFTER: Duration = Duration::seconds(60);

pub async fn start<C: Serialize>(
    store: &Store,
    account: &Account,
    action: &str,
    token: Option<&str>,
    command: &C,
    now: DateTime<Utc>,
) -> DomainResult<Start> {
    let Some(token) = token else {
        return Ok(Start::Proceed(None));
    };
    let key = TokenKey { account: account.id.clone(), action: action.to_string(), token: token.to_string() };
    let settings = &account.settings;
    let claim_id = uuid::Uuid::new_v4().to_string();
    let record = TokenRecord {
        fingerprint: fingerprint(command),
        status: TokenStatus::InProgress,
        claim_id: claim_id.clone(),
        resource_id: None,
        in_flight_until: now
            + Duration::milliseconds(settings.timings.request_processing_ms as i64)
            + ABANDONED_AFTER,
    };
    match store.claim_token(&key, &record, now, settings.idempotency_ttl_seconds).await? {
        Claim::Won => Ok(Start::Proceed(Some(Held { key, claim_id }))),
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
/// `create` runs holding the token (its transaction completes it), and the token is given back
/// if it fails. Without a token, `create` simply runs. `prefetch` (the create's first reads) runs
/// while the token is claimed, saving a round trip; a replay discards it.
pub async fn once<C: Serialize, T, P>(
    store: &Store,
    caller: &super::Caller<'_>,
    token: Option<&str>,
    command: &C,
    prefetch: impl std::future::Future<Output = P>,
    create: impl AsyncFnOnce(Option<&Held>, P) -> DomainResult<T>,
) -> DomainResult<Made<T>> {
    let (started, prefetched) =
        tokio::join!(start(store, caller.account, caller.action, token, command, caller.now), prefetch);
    let held = match started? {
        Start::Replay(id) => return Ok(Made::Again(id)),
        Start::Proceed(held) => held,
    };
    let outcome = create(held.as_ref(), prefetched).await;
    if outcome.is_err() {
        abandon(store, &held).await;
    }
    outcome.map(Made::New)
}

/// Give the token back when the create failed (nothing was written with it).
pub async fn abandon(store: &Store, held: &Option<Held>) {
    if let Some(h) = held {
        if let Err(e) = store.release_token(&h.key, &h.claim_id).await {
            // The claim then expires on its own; the failure is already being answered.
            tracing::warn!(error = %e, "could not release a client token claim");
        }
    }
}
