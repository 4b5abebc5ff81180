//! One declaration per action. The routing table (`crate::routes`) lists every dialect's actions
//! once, with [`actions!`]: the wire name, the Lambda function that serves it, whether it writes,
//! what it reads ahead and its handler. The typed action, the route table, the reads and the
//! dispatch all follow from that list, so an action without a handler does not compile.

use crate::routes::Function;
use crate::usecases::Caller;
use crate::App;
use domain::DomainResult;
use std::future::Future;
use store::Ref;

/// Whether an action writes (its nonce goes into its own transaction) or only reads (its nonce
/// is recorded beside its reads). A create and a delete write, and may first be tried on what
/// the process remembers of the items they read, checked by their transaction
/// (`store::Store::speculate`).
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

/// An action of a dialect, as [`actions!`] declares it.
pub trait Action: Copy + Send + Sync + std::fmt::Debug + 'static {
    /// What the dialect's actions answer: a typed answer per action, one variant each.
    type Answer: serde::Serialize + Send;
    /// Every action of the dialect, in declaration order.
    const ALL: &'static [Self];
    /// The name the wire gives it (`CreateSnapshot`).
    fn wire(self) -> &'static str;
    /// The Lambda function that serves it.
    fn function(self) -> Function;
    fn access(self) -> Access;

    /// The action a wire name names, if the dialect has it.
    fn from_wire(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.wire() == name)
    }
}

/// What a dialect's actions do with a request of type `R`: made by [`actions!`] from the
/// declared reads-ahead and handler of each action.
pub trait Serves<R>: Action {
    /// What the action will read, as far as its parameters tell.
    fn reads(self, request: &R, access_key: &str) -> Vec<Ref>;
    /// Run the action's handler.
    fn serve(
        self,
        app: &App,
        request: &R,
        caller: &Caller<'_>,
    ) -> impl Future<Output = DomainResult<Self::Answer>> + Send;
}

/// The reads of an action that reads nothing ahead beyond the dialect's own.
pub fn nothing<R>(_: &R, _: &str) -> Vec<Ref> {
    Vec::new()
}

/// Declare dialects' actions, one line each, one enum per dialect:
///
/// ```text
/// actions! {
///     /// doc
///     pub enum AlibabaAction for RpcRequest => ali::Answer {
///         // wire name     function         access  reads ahead      handler
///         CreateSnapshot => CreateSnapshot, Write,  create_reads,    create_snapshot;
///     }
///     …
/// }
/// ```
///
/// The variant's name is the wire name; `function` a [`Function`]; `access` an [`Access`];
/// `reads` a `fn(&Request, access_key: &str) -> Vec<Ref>` (or [`nothing`]); the handler an
/// `async fn(&App, &Request, &Caller) -> DomainResult<T>` where the dialect's answer is
/// `From<T>`. It makes the enum and its [`Action`] and [`Serves`] impls, which dispatch to the
/// declared functions.
macro_rules! actions {
    ($(
        $(#[$meta:meta])*
        $vis:vis enum $name:ident for $request:ty => $answer:ty {
            $($variant:ident => $function:ident, $access:ident, $reads:path, $handler:path;)+
        }
    )+) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $($variant),+
        }

        impl $crate::actions::Action for $name {
            type Answer = $answer;
            const ALL: &'static [Self] = &[$(Self::$variant),+];

            fn wire(self) -> &'static str {
                match self {
                    $(Self::$variant => stringify!($variant)),+
                }
            }

            fn function(self) -> $crate::routes::Function {
                match self {
                    $(Self::$variant => $crate::routes::Function::$function),+
                }
            }

            fn access(self) -> $crate::actions::Access {
                match self {
                    $(Self::$variant => $crate::actions::Access::$access),+
                }
            }
        }

        impl $crate::actions::Serves<$request> for $name {
            fn reads(self, request: &$request, access_key: &str) -> Vec<store::Ref> {
                match self {
                    $(Self::$variant => $reads(request, access_key)),+
                }
            }

            async fn serve(
                self,
                app: &$crate::App,
                request: &$request,
                caller: &$crate::usecases::Caller<'_>,
            ) -> domain::DomainResult<$answer> {
                match self {
                    $(Self::$variant => $handler(app, request, caller).await.map(<$answer>::from)),+
                }
            }
        }
    )+};
}

pub(crate) use actions;
