//! Zenlayer Cloud ZEC, versions 2025-09-01 and 2024-04-01, and the ZRM and User services' calls
//! on its resources.
//!
//! On the wire, as the official SDKs send it: `POST /api/v2/zec` with a camelCase JSON
//! body, the action in `x-zc-action`, signed ZC2-HMAC-SHA256. Success is HTTP 200
//! `{"requestId", "response": {"requestId", …}}` (the SDK hands back `response` and reads the
//! request id inside it); errors are `{"requestId", "code", "message"}` — all three, always, or
//! the SDK fails with a bare `KeyError` — with the HTTP status of the code.
//!
//! - [`wire`]: the request's service, action, version and parameters;
//! - [`versions`]: the services and versions served, and the actions of each;
//! - [`signature`]: ZC2-HMAC-SHA256, verify and sign;
//! - [`actions`]: the action table, every fact about each action;
//! - [`images`]: the image actions' parameters and their rules, into domain commands;
//! - [`snapshots`]: the snapshot actions' parameters and their rules, into domain commands;
//! - [`tags`]: the tag and resource-group calls' parameters (ZRM and User);
//! - [`params`]: parameter helpers shared by images and snapshots (tags, paging, id lists);
//! - [`views`]: domain resources as the API shows them;
//! - [`errors`]: the one table from domain errors to statuses, codes and messages.

pub mod actions;
pub mod errors;
pub mod images;
pub mod params;
pub mod signature;
pub mod snapshots;
pub mod tags;
pub mod versions;
pub mod views;
pub mod wire;

pub use actions::ZenlayerAction;
pub use wire::ZlRequest;

use crate::WireResponse;
use bytes::Bytes;
use serde::Serialize;
use serde_json::{json, Value};

/// A fresh request id in the provider's form: `T` and an upper-case UUID.
pub fn request_id() -> String {
    format!("T{}", uuid::Uuid::new_v4().to_string().to_uppercase())
}

/// A fresh resource id: ZEC ids are 19-digit decimal numbers (`1660545330971680835`).
pub fn resource_id() -> String {
    let n = uuid::Uuid::new_v4().as_u128() % 9_000_000_000_000_000_000;
    (1_000_000_000_000_000_000 + n).to_string()
}

/// A successful answer: `{"requestId", "response": {"requestId", <answer>}}`.
pub fn success(request_id: &str, answer: &impl Serialize) -> WireResponse {
    #[derive(Serialize)]
    struct Response<'a, A> {
        #[serde(rename = "requestId")]
        request_id: &'a str,
        #[serde(flatten)]
        answer: &'a A,
    }
    render(200, &json!({ "requestId": request_id, "response": Response { request_id, answer } }))
}

pub fn failure(status: u16, code: &str, message: &str, request_id: &str) -> WireResponse {
    render(status, &json!({ "requestId": request_id, "code": code, "message": message }))
}

fn render(status: u16, body: &Value) -> WireResponse {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_string()))
        .expect("status codes here are valid")
}
