//! Each dialect's side of the pipeline (see [`crate::pipeline::Protocol`]) and the handlers its
//! actions name in the routing table ([`crate::routes`]): one module per dialect, read top to
//! bottom.

pub mod alibaba;
pub mod tencent;
pub mod zenlayer;
