//! The application: requests in, provider answers out. It routes each request by dialect and
//! action, authenticates it against the account's secret, runs the use case over the store and
//! renders the result in the dialect. The Lambda functions and the local gateway all call
//! [`App::handle`]; they differ only in which routes they serve.

pub mod alibaba;
pub mod lambda;
pub mod logging;
pub mod routes;
pub mod scheduler;
pub mod usecases;

use chrono::{DateTime, Utc};
use dialects::{Dialect, WireRequest, WireResponse};
pub use routes::{Function, Route, Scope, ROUTES};
use store::Store;

/// Everything a request needs, built once per process (per Lambda cold start).
#[derive(Clone)]
pub struct App {
    pub store: Store,
    clock: fn() -> DateTime<Utc>,
}

impl App {
    pub fn new(store: Store) -> Self {
        App { store, clock: Utc::now }
    }

    /// The store named by `TABLE_NAME` (default [`store::DEFAULT_TABLE`]), configured from the
    /// environment.
    pub async fn from_env() -> Self {
        let table = std::env::var("TABLE_NAME").unwrap_or_else(|_| store::DEFAULT_TABLE.to_string());
        App::new(Store::from_env(table).await)
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Answer one request, serving only the routes `scope` allows.
    pub async fn handle(&self, req: WireRequest, scope: Scope) -> WireResponse {
        match Dialect::of(&req) {
            Dialect::Alibaba => alibaba::handle(self, req, scope).await,
        }
    }
}

/// The answer to a request whose body is over [`dialects::MAX_BODY_BYTES`], in its dialect.
pub fn too_large<B>(head: &http::Request<B>) -> WireResponse {
    match Dialect::of(head) {
        Dialect::Alibaba => alibaba::refuse(&domain::DomainError::RequestTooLarge),
    }
}
