//! Every fact about an action, in one table per dialect.
//!
//! Each dialect's table (`alibaba/actions.rs`, `tencent/actions.rs`, `zenlayer/actions.rs`) is a
//! macro holding one row per action: its wire name, the Lambda function that serves it, its
//! access, the API that serves it (Tencent's TC3 service, Zenlayer's service and versions), what
//! it reads ahead and its handler. The table is written once and expanded twice:
//!
//! - here, by [`action_enum!`], into the typed action (`AlibabaAction`, …) and its [`Action`]
//!   impl, which the error tables, the signature scopes, the version checks, the rate-limit keys,
//!   the faults and the world files all use instead of names as strings;
//! - in the service crate, into the dispatch to each row's reads-ahead and handler (which live
//!   there, beside the store). Their paths are resolved where the service expands the table, so a
//!   row without a handler does not compile.
//!
//! A dialect's table macro takes the name of the macro to expand its rows with:
//! `alibaba_actions!(action_enum)`.

use crate::Dialect;

/// Declare the project's Lambda functions once: the variant, its binary's name and what it serves.
macro_rules! functions {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)+) => {
        /// The Lambda functions of the project (crates under `functions/`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Function {
            $($(#[$doc])* $variant,)+
        }

        impl Function {
            /// Every function, in declaration order.
            pub const ALL: &'static [Function] = &[$(Function::$variant),+];

            /// The binary (and crate) name.
            pub fn name(self) -> &'static str {
                match self {
                    $(Function::$variant => $name),+
                }
            }
        }
    };
}

functions! {
    /// CreateImage and the images' other writes (DeleteImage, ModifyImageAttribute).
    CreateImage => "create-image",
    /// CreateSnapshot and the snapshots' other writes (DeleteSnapshot, ModifySnapshotAttribute).
    CreateSnapshot => "create-snapshot",
    /// Every read.
    Describe => "describe",
    /// The writes that label resources of either kind: tags and resource groups (which the
    /// provider itself lists as the tag `acs:rm:rgId`).
    Tags => "tags",
}

/// How an action touches the store. A read records its signature nonce beside its reads; every
/// other access records it in its own transaction. A create and a delete may first be tried on
/// what the process remembers of the items they read, checked by their transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    Create,
    Delete,
}

impl Access {
    /// Whether the action is first tried on what the process remembers.
    pub fn speculated(self) -> bool {
        matches!(self, Access::Create | Access::Delete)
    }
}

/// An action of a dialect, as its table declares it.
pub trait Action: Copy + Eq + Send + Sync + std::fmt::Debug + 'static {
    /// What the dialect's actions answer: a typed answer per action, one variant each.
    type Answer: serde::Serialize + Send;
    /// The request the dialect's actions are served from.
    type Request;
    /// What the dialect says serves the action (a product, a service and its versions).
    type Api: Copy + std::fmt::Debug;
    const DIALECT: Dialect;
    /// Every action of the dialect, in the table's order.
    const ALL: &'static [Self];
    /// The name the wire gives it (`CreateSnapshot`).
    fn wire(self) -> &'static str;
    /// The Lambda function that serves it.
    fn function(self) -> Function;
    fn access(self) -> Access;
    fn api(self) -> Self::Api;
    /// The key of a world's rate limit on it (`alibaba:CreateSnapshot`).
    fn rate_limit_key(self) -> &'static str;
    /// The same action among every dialect's.
    fn route(self) -> Route;

    /// The action a wire name names, if the dialect has it.
    fn from_wire(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.wire() == name)
    }
}

/// Make a dialect's typed action from its table (see the module's documentation). The rows'
/// reads-ahead and handler are the service's, and are not used here.
#[macro_export]
macro_rules! action_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident: $dialect:ident($dialect_name:literal) for $request:ty => $answer:ty, api $api_ty:ty {
            $($variant:ident => $function:ident, $access:ident, $api:expr, $reads:path, $handler:path;)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($variant),+
        }

        impl $crate::actions::Action for $name {
            type Answer = $answer;
            type Request = $request;
            type Api = $api_ty;
            const DIALECT: $crate::Dialect = $crate::Dialect::$dialect;
            const ALL: &'static [Self] = &[$(Self::$variant),+];

            fn wire(self) -> &'static str {
                match self {
                    $(Self::$variant => stringify!($variant)),+
                }
            }

            fn function(self) -> $crate::actions::Function {
                match self {
                    $(Self::$variant => $crate::actions::Function::$function),+
                }
            }

            fn access(self) -> $crate::actions::Access {
                match self {
                    $(Self::$variant => $crate::actions::Access::$access),+
                }
            }

            fn api(self) -> $api_ty {
                match self {
                    $(Self::$variant => $api),+
                }
            }

            fn rate_limit_key(self) -> &'static str {
                match self {
                    $(Self::$variant => concat!($dialect_name, ":", stringify!($variant))),+
                }
            }

            fn route(self) -> $crate::actions::Route {
                $crate::actions::Route::$dialect(self)
            }
        }
    };
}

pub use crate::alibaba::AlibabaAction;
pub use crate::tencent::TencentAction;
pub use crate::zenlayer::ZenlayerAction;

/// One served action of any dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    Alibaba(AlibabaAction),
    Tencent(TencentAction),
    Zenlayer(ZenlayerAction),
}

/// Every route: each dialect's table, in order.
pub static ROUTES: std::sync::LazyLock<Vec<Route>> = std::sync::LazyLock::new(|| {
    let mut routes: Vec<Route> = AlibabaAction::ALL.iter().map(|a| a.route()).collect();
    routes.extend(TencentAction::ALL.iter().map(|a| a.route()));
    routes.extend(ZenlayerAction::ALL.iter().map(|a| a.route()));
    routes
});

macro_rules! each {
    ($self:ident, $a:ident => $e:expr) => {
        match $self {
            Route::Alibaba($a) => $e,
            Route::Tencent($a) => $e,
            Route::Zenlayer($a) => $e,
        }
    };
}

impl Route {
    /// The route of `dialect`'s action named `wire`, if it is served.
    pub fn find(dialect: Dialect, wire: &str) -> Option<Route> {
        match dialect {
            Dialect::Alibaba => AlibabaAction::from_wire(wire).map(Route::Alibaba),
            Dialect::Tencent => TencentAction::from_wire(wire).map(Route::Tencent),
            Dialect::Zenlayer => ZenlayerAction::from_wire(wire).map(Route::Zenlayer),
        }
    }

    /// The route a dialect's name and an action's wire name give, as a world file or a control
    /// call names them; the error says which of the two is not served.
    pub fn named(dialect: &str, action: &str) -> Result<Route, String> {
        Route::find(dialect_named(dialect)?, action)
            .ok_or_else(|| format!("{dialect} serves no action {action:?}"))
    }

    pub fn dialect(self) -> Dialect {
        each!(self, a => a.route_dialect())
    }

    pub fn wire(self) -> &'static str {
        each!(self, a => a.wire())
    }

    pub fn function(self) -> Function {
        each!(self, a => a.function())
    }

    pub fn access(self) -> Access {
        each!(self, a => a.access())
    }

    pub fn rate_limit_key(self) -> &'static str {
        each!(self, a => a.rate_limit_key())
    }
}

/// One API of a dialect and the actions of it served here, as the tables give them: what the
/// control plane's health lists and the README's served table shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServedApi {
    pub dialect: &'static str,
    /// The API's name and version, as its provider names them (`ZEC 2024-04-01`).
    pub api: String,
    pub actions: Vec<&'static str>,
}

/// Every API served, each dialect's in its table's order.
pub fn served_apis() -> Vec<ServedApi> {
    let mut all = Vec::new();
    let mut add = |dialect: Dialect, api: String, action: &'static str| match all
        .iter_mut()
        .find(|s: &&mut ServedApi| s.dialect == dialect.name() && s.api == api)
    {
        Some(s) => s.actions.push(action),
        None => all.push(ServedApi { dialect: dialect.name(), api, actions: vec![action] }),
    };
    for a in AlibabaAction::ALL {
        add(Dialect::Alibaba, format!("{} {}", a.api().product.to_uppercase(), a.api().version), a.wire());
    }
    for a in TencentAction::ALL {
        add(Dialect::Tencent, format!("{} {}", a.api().title(), a.api().version()), a.wire());
    }
    for a in crate::tencent::actions::LEGACY {
        add(Dialect::Tencent, format!("CVM {}, the older page", crate::tencent::API_VERSION), a.wire());
    }
    for served in crate::zenlayer::versions::served() {
        for a in served.actions {
            add(Dialect::Zenlayer, format!("{} {}", served.title, served.version), a.wire());
        }
    }
    all
}

/// The action name a world's fault gives to strike the snapshot scheduler's own snapshots.
pub const SCHEDULER_ACTION: &str = "AutoSnapshot";

/// Who acts on the store: a served action, or the snapshot scheduler applying one provider's
/// automatic snapshot policies (which world faults name as [`SCHEDULER_ACTION`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    Action(Route),
    Scheduler(Dialect),
}

impl Origin {
    /// What a world file's fault names, checked: a served route, or the scheduler of a dialect.
    pub fn named(dialect: &str, action: &str) -> Result<Origin, String> {
        if action == SCHEDULER_ACTION {
            dialect_named(dialect).map(Origin::Scheduler)
        } else {
            Route::named(dialect, action).map(Origin::Action)
        }
    }

    pub fn dialect(self) -> Dialect {
        match self {
            Origin::Action(route) => route.dialect(),
            Origin::Scheduler(dialect) => dialect,
        }
    }

    /// The action's wire name, or [`SCHEDULER_ACTION`].
    pub fn action(self) -> &'static str {
        match self {
            Origin::Action(route) => route.wire(),
            Origin::Scheduler(_) => SCHEDULER_ACTION,
        }
    }
}

/// The dialect a name names.
fn dialect_named(name: &str) -> Result<Dialect, String> {
    let all = [Dialect::Alibaba, Dialect::Tencent, Dialect::Zenlayer];
    all.into_iter().find(|d| d.name() == name).ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|d| d.name()).collect();
        format!("unknown dialect {name:?} ({})", names.join(", "))
    })
}

/// The dialect of a typed action (a helper of [`Route::dialect`]).
trait RouteDialect {
    fn route_dialect(self) -> Dialect;
}

impl<A: Action> RouteDialect for A {
    fn route_dialect(self) -> Dialect {
        A::DIALECT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_found_by_their_names_and_nothing_else() {
        for route in ROUTES.iter() {
            assert_eq!(Route::find(route.dialect(), route.wire()), Some(*route));
            assert_eq!(Route::named(route.dialect().name(), route.wire()), Ok(*route));
            let key = format!("{}:{}", route.dialect().name(), route.wire());
            assert_eq!(route.rate_limit_key(), key);
        }
        assert!(Route::named("alibaba", "CreateSnapshots").unwrap_err().contains("serves no action"));
        assert!(Route::named("aliyun", "CreateSnapshot").unwrap_err().contains("unknown dialect"));
        assert_eq!(Origin::named("tencent", "AutoSnapshot"), Ok(Origin::Scheduler(Dialect::Tencent)));
        assert!(Origin::named("aliyun", "AutoSnapshot").unwrap_err().contains("unknown dialect"));
        assert_eq!(Origin::named("zenlayer", "DeleteImages").map(Origin::action), Ok("DeleteImages"));
        assert!(Origin::named("zenlayer", "DeleteImage").unwrap_err().contains("serves no action"));
    }

    #[test]
    fn every_function_serves_something() {
        for f in Function::ALL {
            assert!(ROUTES.iter().any(|r| r.function() == *f), "{} serves no route", f.name());
        }
    }
}
