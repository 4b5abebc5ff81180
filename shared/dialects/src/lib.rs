//! The wire dialects: each turns a provider's HTTP request into domain commands and turns
//! domain results and errors into the provider's bytes, signatures included. Pure: no I/O.

/// A dialect's answer type: one variant per answer shape, each serialized as the shape itself
/// (`untagged`), with `From` from each shape so a handler returns its own type.
#[macro_export]
macro_rules! answers {
    ($(#[$meta:meta])* $name:ident { $($variant:ident($shape:ty)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, serde::Serialize)]
        #[serde(untagged)]
        pub enum $name {
            $($variant($shape)),+
        }
        $(
            impl From<$shape> for $name {
                fn from(answer: $shape) -> Self {
                    $name::$variant(answer)
                }
            }
        )+
    };
}

pub mod actions;
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

/// What every dialect's request tells before anything in it is checked.
pub trait Request: Sized {
    /// Read the request's parameters, action and format.
    fn parse(req: &WireRequest) -> Result<Self, domain::DomainError>;
    /// The action it names, if any.
    fn action(&self) -> Option<&str>;
    /// The API version it names, if any.
    fn version(&self) -> Option<&str>;
}

macro_rules! requests {
    ($($request:ty),+) => {
        $(
            impl Request for $request {
                fn parse(req: &WireRequest) -> Result<Self, domain::DomainError> {
                    <$request>::parse(req)
                }
                fn action(&self) -> Option<&str> {
                    self.action.as_deref()
                }
                fn version(&self) -> Option<&str> {
                    self.version.as_deref()
                }
            }
        )+
    };
}

requests!(alibaba::RpcRequest, tencent::TcRequest, zenlayer::ZlRequest);

/// The API dialects the gateway speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dialect {
    /// Alibaba ECS RPC, version 2014-05-26.
    Alibaba,
    /// Tencent Cloud CVM and CBS, API 3.0 (version 2017-03-12), CVM's older form on
    /// `/v2/index.php`, and the Tag service (version 2018-08-13).
    Tencent,
    /// Zenlayer Cloud ZEC, versions 2025-09-01 and 2024-04-01, and the ZRM (2025-10-14) and User
    /// (2024-05-29) services' calls on its resources.
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

    /// The dialect a provider's accounts call in.
    pub fn of_provider(provider: domain::Provider) -> Dialect {
        match provider {
            domain::Provider::Alibaba => Dialect::Alibaba,
            domain::Provider::Tencent => Dialect::Tencent,
            domain::Provider::Zenlayer => Dialect::Zenlayer,
        }
    }

    /// Whose accounts may call in this dialect.
    pub fn provider(self) -> domain::Provider {
        match self {
            Dialect::Alibaba => domain::Provider::Alibaba,
            Dialect::Tencent => domain::Provider::Tencent,
            Dialect::Zenlayer => domain::Provider::Zenlayer,
        }
    }

    /// A fresh request id in the provider's form.
    pub fn request_id(self) -> String {
        match self {
            Dialect::Alibaba => alibaba::request_id(),
            Dialect::Tencent => tencent::request_id(),
            Dialect::Zenlayer => zenlayer::request_id(),
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
