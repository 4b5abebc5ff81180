//! The routing table: every dialect's actions as their tables declare them
//! (`dialects::actions`: the wire name, the function that serves it, its access, its API, what
//! it reads ahead and its handler, in the dialect's module under `protocols/`). The local
//! gateway, the Lambda functions and the deployment template all follow it (a test keeps
//! `infra/` in step).

use crate::actions::{nothing, serves};
use crate::protocols::{alibaba, tencent, zenlayer};
pub use dialects::actions::{AlibabaAction, Function, Route, TencentAction, ZenlayerAction, ROUTES};
use dialects::Dialect;

// Each dialect's table, expanded into the dispatch to its rows' reads-ahead and handlers.
dialects::alibaba_actions!(serves);
dialects::tencent_actions!(serves);
dialects::zenlayer_actions!(serves);

/// Which routes a process serves: all of them (the gateway, a catch-all function) or one
/// function's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Only(Function),
}

impl Scope {
    /// Whether a process with this scope serves `function`'s routes.
    pub fn serves(self, function: Function) -> bool {
        self == Scope::All || self == Scope::Only(function)
    }
}

/// The route for an action of a dialect, if this scope serves it.
pub fn find(dialect: Dialect, action: &str, scope: Scope) -> Option<Route> {
    Route::find(dialect, action).filter(|r| scope.serves(r.function()))
}

/// The function that serves a request (its dialect and action), or `None` when no route does:
/// the catch-all then answers, as the load balancer's default target does.
pub fn function_for(req: &dialects::WireRequest) -> Option<Function> {
    let (dialect, action) = crate::dialect_action(req);
    find(dialect, &action?, Scope::All).map(|r| r.function())
}

/// The binary of the catch-all function.
pub const CATCH_ALL: &str = "catch-all";
