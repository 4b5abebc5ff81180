//! Provider-neutral use cases: the domain's rules over the store's reads and one transaction.

pub mod batch_delete;
pub mod create_image;
pub mod create_snapshot;
pub mod delete_image;
pub mod delete_snapshot;
pub mod describe;
pub mod idempotent;
pub mod modify;
pub mod tags;

use chrono::{DateTime, Utc};
use domain::{Account, DomainError, DomainResult};
use store::Store;

/// Who asks, in which dialect and action, and when.
pub struct Caller<'a> {
    pub account: &'a Account,
    /// The action called and its dialect, or the scheduler.
    pub origin: dialects::actions::Origin,
    pub now: DateTime<Utc>,
    /// When the request arrived, in real time (a client token's twin arriving before the first
    /// call settled the token is told the first is still being processed).
    pub arrived: DateTime<Utc>,
}

/// How many times a write is judged again after losing a race (its condition failed because
/// another call changed the resource in between) before the call gives up with the provider's
/// "try again" code. Each loss means another call's write went through, so this is the number of
/// calls changing one resource at once that a call outlasts.
pub const ATTEMPTS: usize = 10;

/// A speculation (`store::Store::speculate`) answers with its one transaction, which decides
/// alone whether the call goes through: a call that would write `writes` times is left to the
/// run on fresh reads, before it writes anything.
pub(crate) fn one_write(store: &Store, writes: usize) -> DomainResult<()> {
    if store.speculative() && writes > 1 {
        return Err(DomainError::Internal("a call of several writes is not speculated".into()));
    }
    Ok(())
}
