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
use domain::Account;

/// Who asks, in which dialect and action, and when.
pub struct Caller<'a> {
    pub account: &'a Account,
    pub dialect: &'a str,
    pub action: &'a str,
    pub now: DateTime<Utc>,
}
