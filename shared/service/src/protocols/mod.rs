//! Each dialect's side of the pipeline (see [`crate::pipeline::Protocol`]) and the handlers its
//! actions name in the routing table ([`crate::routes`]): one module per dialect, read top to
//! bottom.

pub mod alibaba;
pub mod tencent;
pub mod zenlayer;

use store::{Owned, Ref};

/// What a snapshot listing reads ahead: the snapshots `named`, else the caller's, and the
/// caller's disks (their details go with each snapshot).
pub(crate) fn listed_snapshots(named: Vec<Ref>, access_key: &str) -> Vec<Ref> {
    let mut refs = named;
    if refs.is_empty() {
        refs.push(Ref::caller_owned(access_key, Owned::Snapshots));
    }
    refs.push(Ref::caller_owned(access_key, Owned::Disks));
    refs
}
