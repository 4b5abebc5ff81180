//! The one routing table: (dialect, action) → the function that serves it. The local gateway,
//! the Lambda functions and the deployment template all follow it (a test keeps `infra/` in step).

use dialects::Dialect;

/// The Lambda functions of the project (crates under `functions/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    CreateImage,
    CreateSnapshot,
    Describe,
}

impl Function {
    pub const ALL: [Function; 3] = [Function::CreateImage, Function::CreateSnapshot, Function::Describe];

    /// The binary (and crate) name.
    pub fn name(self) -> &'static str {
        match self {
            Function::CreateImage => "create-image",
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

const fn route(dialect: Dialect, action: &'static str, function: Function) -> Route {
    Route { dialect, action, function }
}

pub const ROUTES: &[Route] = &[
    route(Dialect::Alibaba, "CreateSnapshot", Function::CreateSnapshot),
    route(Dialect::Alibaba, "DescribeSnapshots", Function::Describe),
    route(Dialect::Alibaba, "CreateImage", Function::CreateImage),
    route(Dialect::Alibaba, "DescribeImages", Function::Describe),
    route(Dialect::Tencent, "CreateImage", Function::CreateImage),
    route(Dialect::Tencent, "DescribeImages", Function::Describe),
    route(Dialect::Tencent, "CreateSnapshot", Function::CreateSnapshot),
    route(Dialect::Tencent, "DescribeSnapshots", Function::Describe),
    route(Dialect::Zenlayer, "CreateImage", Function::CreateImage),
    route(Dialect::Zenlayer, "DescribeImages", Function::Describe),
    route(Dialect::Zenlayer, "DescribeCustomImages", Function::Describe),
    route(Dialect::Zenlayer, "CreateSnapshot", Function::CreateSnapshot),
    route(Dialect::Zenlayer, "DescribeSnapshots", Function::Describe),
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

/// The function that serves a request (its dialect and action), or `None` when no route does:
/// the catch-all then answers, as the load balancer's default target does.
pub fn function_for(req: &dialects::WireRequest) -> Option<Function> {
    let (dialect, action) = crate::dialect_action(req);
    find(dialect, &action?, Scope::All).map(|r| r.function)
}

/// The binary of the catch-all function.
pub const CATCH_ALL: &str = "catch-all";
