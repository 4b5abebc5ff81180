//! The wire dialects: each turns a provider's HTTP request into domain commands and turns
//! domain results and errors into the provider's bytes, signatures included. Pure: no I/O.

pub mod alibaba;
pub mod crypto;
pub mod encoding;
pub mod ids;
pub mod json_body;
pub mod json_params;
pub mod signing;
pub mod tencent;
pub mod xml;
pub mod zenlayer;

use bytes::Bytes;

/// The request as the gateway received it: method, path, raw query, headers and raw body.
/// Signatures are checked against exactly these bytes.
pub type WireRequest = http::Request<Bytes>;
pub type WireResponse = http::Response<Bytes>;

/// The largest body any dialect accepts (the ALB / Lambda payload limit is 1 MB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The API dialects the gateway speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Alibaba ECS RPC, version 2014-05-26.
    Alibaba,
    /// Tencent Cloud CVM and CBS, API 3.0 (version 2017-03-12), and CVM's older form on
    /// `/v2/index.php`.
    Tencent,
    /// Zenlayer Cloud ZEC, version 2025-09-01.
    Zenlayer,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Alibaba => "alibaba",
            Dialect::Tencent => "tencent",
            Dialect::Zenlayer => "zenlayer",
        }
    }

    /// Which dialect a request speaks, from its path, headers and parameter names. Alibaba is
    /// the default: its requests carry nothing that marks them beyond their parameters.
    pub fn of(req: &WireRequest) -> Dialect {
        if zenlayer::wire::is_zenlayer(req) {
            Dialect::Zenlayer
        } else if tencent::wire::is_tencent(req, Some(req.body())) {
            Dialect::Tencent
        } else {
            Dialect::Alibaba
        }
    }

    /// The same judged from the head alone (for a body too large to read).
    pub fn of_head<B>(head: &http::Request<B>) -> Dialect {
        if zenlayer::wire::is_zenlayer(head) {
            Dialect::Zenlayer
        } else if tencent::wire::is_tencent(head, None) {
            Dialect::Tencent
        } else {
            Dialect::Alibaba
        }
    }
}

/// A header's value as text (`None` when absent or not visible ASCII).
pub fn header<'a, B>(req: &'a http::Request<B>, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}
