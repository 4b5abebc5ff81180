//! What the service adds to the dialects' action tables (`dialects::actions`): each row's
//! reads-ahead and handler. [`serves!`] expands a dialect's table into the [`Serves`] impl of its
//! typed action, which dispatches to the functions the rows name (in the dialect's module under
//! `protocols/`), so a row whose handler is missing, or whose answer the dialect cannot render,
//! does not compile.

use crate::usecases::Caller;
use crate::App;
pub use dialects::actions::{Access, Action, Function};
use domain::DomainResult;
use std::future::Future;
use store::Ref;

/// What a dialect's actions do with a request of type `R`: made by [`serves!`] from the
/// declared reads-ahead and handler of each action.
pub trait Serves<R>: Action<Request = R> {
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

/// Expand a dialect's action table (`dialects::alibaba_actions!(serves)`, …) into the
/// [`Serves`] impl of its typed action: each row's `reads` is a `fn(&Request, access_key: &str)
/// -> Vec<Ref>` (or [`nothing`]), its handler an `async fn(&App, &Request, &Caller) ->
/// DomainResult<T>` where the dialect's answer is `From<T>`. Their paths resolve where the table
/// is expanded (`crate::routes`).
macro_rules! serves {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident: $dialect:ident($dialect_name:literal) for $request:ty => $answer:ty, api $api_ty:ty {
            $($variant:ident => $function:ident, $access:ident, $api:expr, $reads:path, $handler:path;)+
        }
    ) => {
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
    };
}

pub(crate) use serves;
