//! The domain of the emulator: resources, the rules the provider pages state, and one typed
//! error. Pure: no I/O, the clock and fresh ids are passed in.

pub mod chaos;
pub mod delete;
pub mod error;
pub mod idempotency;
pub mod image;
pub mod model;
pub mod modify;
pub mod schedule;
pub mod snapshot;
pub mod tags;
pub mod text;

pub use error::{AuthFailure, DomainError, DomainResult, Field, TagRefusal};
pub use model::*;
