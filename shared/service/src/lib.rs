//! The application: requests in, provider answers out. It routes each request by dialect and
//! action, authenticates it against the account's secret, runs the use case over the store and
//! renders the result in the dialect. The Lambda functions and the local gateway all call
//! [`App::handle`]; they differ only in which routes they serve.

pub mod actions;
pub mod control;
pub mod lambda;
pub mod logging;
pub mod pipeline;
pub mod protocols;
pub mod routes;
pub mod scheduler;
pub mod usecases;

use chrono::{DateTime, Utc};
use dialects::alibaba::RpcRequest;
use dialects::tencent::TcRequest;
use dialects::zenlayer::ZlRequest;
use dialects::{Dialect, WireRequest, WireResponse};
pub use routes::{Function, Route, Scope, ROUTES};
use store::Store;

/// Everything a request needs, built once per process (per Lambda cold start).
#[derive(Clone)]
pub struct App {
    pub store: Store,
    clock: Clock,
    /// The operator's control plane under `/_emulator/`, when switched on.
    control: Option<control::Control>,
    /// The last requests this process answered, for the control plane's dashboard.
    served: control::served::Served,
    /// The runtime faults in force, as last read with the virtual clock.
    faults: std::sync::Arc<Vec<domain::chaos::RuntimeFault>>,
    /// The key sealing paging tokens, as last read with the virtual clock (once one was made).
    seal_key: Option<std::sync::Arc<str>>,
}

/// The time the domain sees: real time moved by the virtual clock's offset (kept in the table, so
/// that every process agrees), or an instant fixed by the caller (the scheduler's slots, tests).
/// Signature freshness always goes by real time: a client signs with its own clock.
#[derive(Debug, Clone, Copy)]
enum Clock {
    Real { offset_ms: i64 },
    Fixed(DateTime<Utc>),
}

impl App {
    pub fn new(store: Store) -> Self {
        App {
            store,
            clock: Clock::Real { offset_ms: 0 },
            control: None,
            served: Default::default(),
            faults: Default::default(),
            seal_key: None,
        }
    }

    /// The same with the time fixed at `at`.
    pub fn at(self, at: DateTime<Utc>) -> Self {
        App { clock: Clock::Fixed(at), ..self }
    }

    /// The same with the virtual clock and the faults as the table has them now (one read).
    pub async fn synced(&self) -> domain::DomainResult<App> {
        Ok(self.with_state(self.store.emulator_state().await?))
    }

    fn with_state(&self, state: store::EmulatorState) -> App {
        let clock = match self.clock {
            Clock::Real { .. } => Clock::Real { offset_ms: state.offset_ms },
            fixed @ Clock::Fixed(_) => fixed,
        };
        let seal_key = state.seal_key.map(Into::into);
        App { clock, faults: std::sync::Arc::new(state.faults), seal_key, ..self.clone() }
    }

    /// The key that seals the paging tokens this service issues, shared by every process on the
    /// table: read with the request, or made the first time one is needed.
    pub async fn seal_key(&self) -> domain::DomainResult<String> {
        self.store.seal_key(self.seal_key.as_deref()).await
    }

    /// The runtime faults in force (as read with the request's reads).
    pub fn faults(&self) -> &[domain::chaos::RuntimeFault] {
        &self.faults
    }

    /// Switch the control plane on (or off, with `None`).
    pub fn with_control(self, control: Option<control::Control>) -> Self {
        App { control, ..self }
    }

    /// The store named by `TABLE_NAME` (default [`store::DEFAULT_TABLE`]), configured from the
    /// environment.
    pub async fn from_env() -> Self {
        let table = std::env::var("TABLE_NAME").unwrap_or_else(|_| store::DEFAULT_TABLE.to_string());
        App::new(Store::from_env(table).await).with_control(control::Control::from_env())
    }

    /// The same, for one request, with `reads` read ahead (see [`Store::read_ahead`]), and with
    /// them the emulator's state (the virtual clock, the runtime faults): one more key in the batch
    /// every request makes anyway.
    pub async fn read_ahead(&self, reads: &[store::Ref]) -> domain::DomainResult<App> {
        let mut all = Vec::with_capacity(reads.len() + 1);
        all.extend_from_slice(reads);
        all.push(store::Ref::Emulator);
        let store = self.store.read_ahead(&all).await?;
        let state = store.emulator_state().await?;
        Ok(App { store, ..self.with_state(state) })
    }

    /// The same, for one create, served from what this process remembers instead of reading
    /// ahead (see [`Store::speculate`]); `None` when it remembers too little.
    pub async fn speculate(&self, reads: &[store::Ref]) -> Option<App> {
        let store = self.store.speculate(reads)?;
        let state = store.emulator_state().await.ok()?;
        Some(App { store, ..self.with_state(state) })
    }

    /// The time the domain sees (see [`Clock`]).
    pub fn now(&self) -> DateTime<Utc> {
        match self.clock {
            Clock::Real { offset_ms } => Utc::now() + chrono::Duration::milliseconds(offset_ms),
            Clock::Fixed(at) => at,
        }
    }

    /// Real time, whatever the virtual clock says: what signatures are checked against.
    pub fn real_now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// How far the virtual clock this app last read is ahead of real time, in milliseconds.
    pub fn clock_offset_ms(&self) -> i64 {
        match self.clock {
            Clock::Real { offset_ms } => offset_ms,
            Clock::Fixed(at) => (at - Utc::now()).num_milliseconds(),
        }
    }

    /// Whether the control plane is on in this process.
    pub fn control_on(&self) -> bool {
        self.control.is_some()
    }

    /// Remember an answered request for the control plane's `requests` and dashboard. With the
    /// control plane off nothing is kept, so the answer is not read and no lock is taken.
    pub fn note_served(&self, dialect: Dialect, action: &str, response: &WireResponse, ms: u64) {
        if self.control_on() {
            self.served.record(self.real_now(), dialect, action, response, ms);
        }
    }

    /// Whether this request is for the control plane and the control plane is on.
    pub fn serves_control<B>(&self, req: &http::Request<B>) -> bool {
        self.control.is_some() && req.uri().path().starts_with(control::PREFIX)
    }

    /// Answer one request, serving only the routes `scope` allows.
    pub async fn handle(&self, req: WireRequest, scope: Scope) -> WireResponse {
        if let Some(control) = self.control.as_ref().filter(|_| self.serves_control(&req)) {
            return control::handle(self, control, &req).await;
        }
        match Dialect::of(&req) {
            Dialect::Alibaba => pipeline::handle::<RpcRequest>(self, req, scope).await,
            Dialect::Tencent => pipeline::handle::<TcRequest>(self, req, scope).await,
            Dialect::Zenlayer => pipeline::handle::<ZlRequest>(self, req, scope).await,
        }
    }
}

/// The answer to a request whose body is over [`dialects::MAX_BODY_BYTES`], in its dialect.
pub fn too_large<B>(head: &http::Request<B>) -> WireResponse {
    let e = domain::DomainError::RequestTooLarge;
    match Dialect::of_head(head) {
        Dialect::Alibaba => pipeline::refusal::<RpcRequest>(None, None, &e, &Dialect::Alibaba.request_id()),
        Dialect::Tencent => pipeline::refusal::<TcRequest>(None, None, &e, &Dialect::Tencent.request_id()),
        Dialect::Zenlayer => pipeline::refusal::<ZlRequest>(None, None, &e, &Dialect::Zenlayer.request_id()),
    }
}

/// The answer to a request whose body could not be read — it stopped arriving, or its framing
/// (a chunk size) is malformed — in its dialect: an invalid-parameter refusal of the body, saying
/// `why`. Not [`too_large`]: nothing says the body was over the limit.
pub fn unreadable_body<B>(head: &http::Request<B>, why: &str) -> WireResponse {
    let e = domain::DomainError::invalid("(body)", why);
    match Dialect::of_head(head) {
        Dialect::Alibaba => pipeline::refusal::<RpcRequest>(None, None, &e, &Dialect::Alibaba.request_id()),
        Dialect::Tencent => pipeline::refusal::<TcRequest>(None, None, &e, &Dialect::Tencent.request_id()),
        Dialect::Zenlayer => pipeline::refusal::<ZlRequest>(None, None, &e, &Dialect::Zenlayer.request_id()),
    }
}

/// A request's dialect and the action it names (`None` when it names none or cannot be read).
pub fn dialect_action(req: &WireRequest) -> (Dialect, Option<String>) {
    let dialect = Dialect::of(req);
    let action = match dialect {
        Dialect::Alibaba => RpcRequest::parse(req).ok().and_then(|r| r.action),
        Dialect::Tencent => TcRequest::parse(req).ok().and_then(|r| r.action),
        Dialect::Zenlayer => ZlRequest::parse(req).ok().and_then(|r| r.action),
    };
    (dialect, action)
}
