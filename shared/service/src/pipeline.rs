//! The one request pipeline every dialect goes through: read the request, find its declared
//! action, read ahead, authenticate (signature, freshness, nonce), apply the account's rate limit
//! and the runtime faults, let the dialect admit it, run the action's handler, answer in the
//! dialect's envelope. What differs per dialect is behind [`Protocol`]; everything
//! else is here, once.

use crate::actions::{Access, Action, Serves};
use crate::routes::Scope;
use crate::usecases::Caller;
use crate::App;
use chrono::{DateTime, Utc};
use dialects::{Dialect, WireRequest, WireResponse};
use domain::{Account, AuthFailure, AuthMode, Credential, DomainError, DomainResult};
use std::borrow::Cow;
use store::Ref;
use tracing::Instrument;

/// What a dialect supplies to the pipeline.
pub trait Protocol: dialects::Request + Sync {
    const DIALECT: Dialect;
    /// How far a signed timestamp may be from now, by the provider's rule; a world's
    /// `signature_max_skew_seconds` can only narrow it.
    const MAX_SKEW_SECONDS: u64;
    /// The dialect's actions, as its table declares them (`dialects::actions`).
    type Action: Serves<Self>;
    /// The credentials a request presents, before they are checked.
    type Presented: Send + Sync;

    /// The access key and signature parts the request carries.
    fn presented(&self, req: &WireRequest) -> Result<Self::Presented, AuthFailure>;
    /// The access key the credentials name, and what keeps the request from being sent again
    /// where it must not be.
    fn key_and_replay(presented: &Self::Presented) -> (&str, Option<Replay<'_>>);
    /// What every action of the dialect reads ahead, beside what the action declares it reads:
    /// read together with the caller's credential (`access_key`'s), in one round trip.
    fn common_reads(&self, _action: Self::Action, _access_key: &str) -> Vec<Ref> {
        Vec::new()
    }
    /// Check the signature with the account's secret, and the timestamp's freshness.
    fn verify(
        &self,
        req: &WireRequest,
        presented: &Self::Presented,
        check: &Check,
    ) -> Result<(), AuthFailure>;
    /// What the dialect asks of every action before its handler runs (its version, say).
    fn admit(&self, action: Self::Action) -> DomainResult<()>;
    fn success(&self, action: Self::Action, request_id: &str, answer: &Answer<Self>) -> WireResponse;
    /// An error in the dialect's envelope; `parsed` is `None` when the request could not be read,
    /// `action` when it named no action the dialect serves.
    fn failure(
        parsed: Option<&Self>,
        action: Option<Self::Action>,
        error: &DomainError,
        request_id: &str,
    ) -> WireResponse;
}

/// What keeps a signed request from being sent again where it must not be (`store::Spend`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay<'a> {
    /// What makes a request a replay of another (the nonce, or the nonce with its timestamp):
    /// it is spent once.
    Nonce(Cow<'a, str>),
    /// A signature without a nonce, which does not cover the action header: bound to the first
    /// action it is used for. Lower-cased (hex in any case verifies).
    Signature(String),
}

impl Replay<'_> {
    /// What the request spends, as `action` (which `access` says changes something or not).
    fn spend<'s>(&'s self, action: &'s str, access: Access) -> store::Spend<'s> {
        match self {
            Replay::Nonce(nonce) => store::Spend::Nonce(nonce),
            Replay::Signature(signature) => {
                store::Spend::Signature { signature, action, changes: access != Access::Read }
            }
        }
    }
}

/// What a dialect's actions answer.
pub type Answer<P> = <<P as Protocol>::Action as Action>::Answer;

/// The version a request names must be one the dialect serves; `param` names where it goes.
pub fn check_version(named: Option<&str>, served: &[&str], param: &str) -> DomainResult<()> {
    match named {
        Some(v) if served.contains(&v) => Ok(()),
        Some(other) => Err(DomainError::UnsupportedVersion(other.to_string())),
        None => Err(DomainError::missing(param)),
    }
}

/// What a signature is checked against: the account's secret, and the real time with the
/// greatest skew allowed.
pub struct Check<'a> {
    pub secret: &'a str,
    pub now: DateTime<Utc>,
    pub max_skew_seconds: u64,
}

/// How long a signature nonce (or a signature's first action) is remembered: longer than a
/// request carrying it can stay fresh under any sensible `signature_max_skew_seconds`.
const NONCE_MEMORY_SECONDS: i64 = 2 * 86_400;

pub async fn handle<P: Protocol>(app: &App, req: WireRequest, scope: Scope) -> WireResponse {
    let request_id = P::DIALECT.request_id();
    let parsed = match P::parse(&req) {
        Ok(parsed) => parsed,
        Err(e) => return refusal::<P>(None, None, &e, &request_id),
    };
    let action = parsed.action().unwrap_or_default().to_string();
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        dialect = P::DIALECT.name(),
        action = %action
    );
    // Attributed to the function the load balancer would send it to (see `store::usage`).
    let named = P::Action::from_wire(&action);
    let function = named.map_or(crate::routes::CATCH_ALL, |a| a.function().name());
    let served = async {
        let started = std::time::Instant::now();
        let response = match run(app, &req, &parsed, &action, scope).await {
            Ok((action, answer)) => {
                store::usage::answered(action.rate_limit_key());
                parsed.success(action, &request_id, &answer)
            }
            Err(e) => refusal(Some(&parsed), named, &e, &request_id),
        };
        let ms = started.elapsed().as_millis() as u64;
        tracing::info!(status = response.status().as_u16(), ms, "answered");
        app.note_served(P::DIALECT, &action, &response, ms);
        response
    };
    store::usage::FUNCTION.scope(function, served.instrument(span)).await
}

/// An error answer, logged by its kind (never with secrets: the error carries none).
pub fn refusal<P: Protocol>(
    parsed: Option<&P>,
    action: Option<P::Action>,
    e: &DomainError,
    request_id: &str,
) -> WireResponse {
    let response = P::failure(parsed, action, e, request_id);
    if matches!(e, DomainError::Internal(_) | DomainError::Unavailable) {
        tracing::error!(error = %e, "request failed");
    } else {
        tracing::info!(error = %e, "request refused");
    }
    response
}

async fn run<P: Protocol>(
    app: &App,
    req: &WireRequest,
    parsed: &P,
    action: &str,
    scope: Scope,
) -> DomainResult<(P::Action, Answer<P>)> {
    if action.is_empty() {
        return Err(DomainError::missing("Action"));
    }
    let action = P::Action::from_wire(action)
        .filter(|a| scope.serves(a.function()))
        .ok_or_else(|| DomainError::UnknownAction(action.to_string()))?;
    let access = action.access();
    // Signatures go by real time; everything else by the virtual clock, read with the reads.
    let real_now = app.real_now();
    let presented = parsed.presented(req).map_err(DomainError::Auth)?;
    let (key, replay) = P::key_and_replay(&presented);
    // No nonce is longer than this; a longer one would only be a way to grow the table. (A
    // signature is recorded only once it verified, at its algorithm's length.)
    if matches!(&replay, Some(Replay::Nonce(n)) if n.len() > 128) {
        return Err(DomainError::Auth(AuthFailure::UnsupportedMethod("an over-long nonce".into())));
    }
    // Nothing read ahead is used, or shown, before the signature has verified.
    let mut reads = vec![Ref::Credential(key.to_string())];
    reads.extend(parsed.common_reads(action, key));
    reads.extend(action.reads(parsed, key));
    let request = Request { req, parsed, presented: &presented, action, real_now };
    // A create or a delete is first tried on what this process remembers, in one round trip. Its
    // answer stands once a transaction of it committed (a create made, a replay confirmed, a
    // delete done: refused after that, by a token's other parameters for one, it is refused for
    // good); refused before, for any reason, it runs again on fresh reads, which give the answer.
    if access.speculated() {
        if let Some(mut app) = app.speculate(&reads).await {
            let answer = request.serve(&mut app, &reads, true).await;
            if answer.is_ok() || app.store.speculation_committed() {
                return answer;
            }
        }
    }
    let mut app = match access {
        Access::Read => request.read_ahead_with_nonce(app, key, replay.as_ref(), &reads).await?,
        _ => app.read_ahead(&reads).await?,
    };
    request.serve(&mut app, &reads, false).await
}

/// One request, parsed, with the credentials it presents.
struct Request<'a, P: Protocol> {
    req: &'a WireRequest,
    parsed: &'a P,
    presented: &'a P::Presented,
    action: P::Action,
    real_now: DateTime<Utc>,
}

impl<P: Protocol> Request<'_, P> {
    /// Read ahead for a read. When this process remembers the caller's credential and the
    /// signature verifies against it, the nonce is recorded beside the batch read — two calls
    /// sent side by side, one round trip of time — rather than after it. The credential as read
    /// still decides (`authenticate`): a nonce recorded early for a request it then refuses (its
    /// key changed meanwhile) is one a holder of the key signed.
    async fn read_ahead_with_nonce(
        &self,
        app: &App,
        key: &str,
        replay: Option<&Replay<'_>>,
        reads: &[Ref],
    ) -> DomainResult<App> {
        let early = replay.and_then(|replay| {
            let credential = app.store.remembered_credential(key)?;
            let account = &credential.account;
            if account.provider != P::DIALECT.provider() || account.settings.auth != AuthMode::Strict {
                return None;
            }
            verify(self.req, self.parsed, self.presented, &credential, self.real_now).ok()?;
            let spend = replay.spend(self.action.wire(), Access::Read);
            Some(app.store.spending(key, spend, self.real_now, NONCE_MEMORY_SECONDS))
        });
        let Some(store) = early else { return app.read_ahead(reads).await };
        let with_nonce = App { store: store.clone(), ..app.clone() };
        // A record refused (a replay) or failed stays pending: the pipeline tries it again once
        // the credential as read has verified, and answers its outcome then.
        let (read, _) = tokio::join!(with_nonce.read_ahead(reads), store.settle_nonce());
        read
    }

    /// Authenticate, apply the rate limit and the runtime faults, and run the action on `app`
    /// (its reads read ahead). A `speculative` run writes nothing but its create's transaction:
    /// what it cannot do that way (a rate limit's counter, a limited fault, a nonce of its own)
    /// it leaves to the run on fresh reads, by failing.
    async fn serve(
        &self,
        app: &mut App,
        reads: &[Ref],
        speculative: bool,
    ) -> DomainResult<(P::Action, Answer<P>)> {
        let (req, parsed, action) = (self.req, self.parsed, self.action);
        let account = authenticate(app, req, parsed, self.presented, action, self.real_now).await?;
        let app = &*app;
        let limit = action.rate_limit_key();
        if let Some(max) = account.settings.rate_limits.get(limit) {
            if speculative {
                return Err(DomainError::Internal("rate-limited calls are not speculated".into()));
            }
            if !app.store.count_request(&account.id, limit, self.real_now, *max).await? {
                // Refused, the request is spent all the same: its very bytes again are a replay.
                app.store.settle_nonce().await?;
                return Err(DomainError::Throttled);
            }
        }
        if speculative && account.settings.timings.request_processing_ms > 0 {
            return Err(DomainError::Internal("tokens claimed apart are not speculated".into()));
        }
        let named: Vec<&str> = reads.iter().filter_map(Ref::resource_id).collect();
        let struck = crate::control::faults::strike(app, action.route(), &account.id, &named).await;
        // Refused before its handler (a fault, or the dialect's own checks): the nonce is spent all
        // the same.
        if let Err(refused) = struck.and_then(|()| parsed.admit(action)) {
            if !speculative {
                app.store.settle_nonce().await?;
            }
            return Err(refused);
        }
        let caller = Caller {
            account: &account,
            origin: dialects::actions::Origin::Action(action.route()),
            now: app.now(),
            arrived: self.real_now,
        };
        // A create records its nonce in its transaction (or after, when it wrote nothing); a read
        // alongside its reads. A replayed request is refused as such, whatever its action answered.
        // (Boxed: the action's future is large; the request's own stays small.)
        let run = Box::pin(action.serve(app, parsed, &caller));
        let outcome = if action.access() != Access::Read {
            run.await
        } else {
            let (recorded, outcome) = tokio::join!(app.store.settle_nonce(), run);
            recorded?;
            outcome
        };
        if speculative && !app.store.speculation_committed() {
            // Answered without its transaction: not a speculation's to answer.
            return Err(DomainError::Internal("a speculation wrote nothing".into()));
        }
        app.store.settle_nonce().await?;
        Ok((action, outcome?))
    }
}

/// The caller's account, once its signature (unless the world turned checking off) and timestamp
/// pass. The nonce is not a step of its own: `app`'s store holds it, to be recorded by the
/// action's transaction or settled by the pipeline.
async fn authenticate<P: Protocol>(
    app: &mut App,
    req: &WireRequest,
    parsed: &P,
    presented: &P::Presented,
    action: P::Action,
    now: DateTime<Utc>,
) -> DomainResult<Account> {
    let (key, replay) = P::key_and_replay(presented);
    let credential = app
        .store
        .credential(key)
        .await?
        .filter(|c| c.account.provider == P::DIALECT.provider())
        .ok_or(DomainError::Auth(AuthFailure::UnknownKey))?;
    if credential.account.settings.auth == AuthMode::Strict {
        verify(req, parsed, presented, &credential, now).map_err(DomainError::Auth)?;
        // Only a request that proved its key is remembered: an unauthenticated one cannot grow the
        // table.
        if let Some(replay) = &replay {
            let spend = replay.spend(action.wire(), action.access());
            app.store = app.store.spending(key, spend, now, NONCE_MEMORY_SECONDS);
        }
    }
    Ok(credential.account)
}

/// The request's signature checked with `credential`'s secret, and its timestamp's freshness
/// with the greatest skew the provider and the account allow.
fn verify<P: Protocol>(
    req: &WireRequest,
    parsed: &P,
    presented: &P::Presented,
    credential: &Credential,
    now: DateTime<Utc>,
) -> Result<(), AuthFailure> {
    let settings = &credential.account.settings;
    let skew = settings.signature_max_skew_seconds.min(P::MAX_SKEW_SECONDS);
    parsed.verify(req, presented, &Check { secret: &credential.secret, now, max_skew_seconds: skew })
}
