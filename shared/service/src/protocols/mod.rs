//! Each dialect's side of the pipeline (see [`crate::pipeline::Protocol`]): one module per
//! dialect, read top to bottom.

pub mod alibaba;
pub mod tencent;
pub mod zenlayer;
