//! The one routing table: (dialect, action) → the function that serves it. The local gateway,
//! the Lambda functions and the deployment template all follow it (a test keeps `infra/` in step).

use dialects::Dialect;

/// The Lambda functions of the project (crates under `functions/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    CreateSnapshot,
    Describe,
}

impl Function {
    pub const ALL: [Function; 2] = [Function::CreateSnapshot, Function::Describe];

    /// The binary (and crate) name.
    pub fn name(self) -> &'static str {
        match self {
            Function::CreateSnapshot => "create-snapshot",
            Function::Describe => "describe",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub dialect: Dialect,
    pub action: &'static str,
    pub function: Function,
}

pub const ROUTES: &[Route] = &[
    Route {
        dialect: Dialect::Alibaba,
        action: "CreateSnapshot",
        function: Function::CreateSnapshot,
    },
    Route {
        dialect: Dialect::Alibaba,
        action: "DescribeSnapshots",
        function: Function::Describe,
    },
];

/// Which routes a process serves: all of them (the gateway, a catch-all function) or one
/// function's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Only(Function),
}

/// The route for an action of a dialect, if this scope serves it.
pub fn find(dialect: Dialect, action: &str, scope: Scope) -> Option<&'static Route> {
    ROUTES
        .iter()
        .find(|r| r.dialect == dialect && r.action == action)
        .filter(|r| scope == Scope::All || scope == Scope::Only(r.function))
}
