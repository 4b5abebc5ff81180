//! Provider-neutral use cases: the domain's rules over the store's reads and one transaction.

pub mod create_image;
pub mod create_snapshot;
pub mod idempotent;
