//! Tencent Cloud, API 3.0 (CVM and CBS, version 2017-03-12), and the older CVM form on
//! `/v2/index.php`.
//!
//! On the wire, as the official SDKs send it: `POST /` with a JSON body and the action in
//! `X-TC-Action`, signed TC3-HMAC-SHA256; the same flattened into a `GET` query; or every
//! parameter in a form body (or query) signed HmacSHA1 / HmacSHA256. Every answer, errors
//! included, is HTTP 200 with `Content-Type: application/json` exactly: the SDK reads an error
//! only under that content type, and turns any other status into a network error.
//!
//! - [`wire`]: the request's form, action, region and parameters;
//! - [`signature`]: TC3 and the HmacSHA1/HmacSHA256 form, verify and sign;
//! - [`actions`]: the action table, every fact about each action;
//! - [`images`]: CVM's image actions' parameters and their rules, into domain commands;
//! - [`snapshots`]: CBS's snapshot actions' parameters and their rules, into domain commands;
//! - [`tags`]: the Tag service's calls on images and snapshots, and their answers;
//! - [`params`]: parameter helpers shared by images and snapshots (tags, filters, paging, ids);
//! - [`views`]: domain resources as the APIs show them;
//! - [`errors`]: the one table from domain errors to codes and messages.

pub mod actions;
pub mod errors;
pub mod images;
pub mod params;
pub mod signature;
pub mod snapshots;
pub mod tags;
pub mod views;
pub mod wire;

pub use actions::TencentAction;
pub use wire::TcRequest;

use crate::WireResponse;
use bytes::Bytes;
use serde::Serialize;
use serde_json::{json, Map, Value};

pub const API_VERSION: &str = "2017-03-12";

/// A fresh request id (a lower-case UUID, as the provider sends).
pub fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A fresh resource id: the provider's prefix and 8 lower-case alphanumerics (`img-0yc6rie8`).
pub fn resource_id(prefix: &str) -> String {
    format!("{prefix}-{}", crate::ids::base36(8))
}

/// A successful answer: `{"Response": {<answer>, "RequestId"}}`; the older page's form also
/// carries `RequestID`, as that page shows it.
pub fn success(legacy: bool, request_id: &str, answer: &impl Serialize) -> WireResponse {
    #[derive(Serialize)]
    struct Response<'a, A> {
        #[serde(flatten)]
        answer: &'a A,
        #[serde(rename = "RequestID", skip_serializing_if = "Option::is_none")]
        legacy_id: Option<&'a str>,
        #[serde(rename = "RequestId")]
        request_id: &'a str,
    }
    let response = Response { answer, legacy_id: legacy.then_some(request_id), request_id };
    render(&json!({ "Response": response }))
}

/// An error answer: `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`, still HTTP 200.
pub fn failure(code: &str, message: &str, legacy: bool, request_id: &str) -> WireResponse {
    let mut response = Map::new();
    response.insert("Error".into(), json!({ "Code": code, "Message": message }));
    if legacy {
        response.insert("RequestID".into(), Value::String(request_id.into()));
    }
    response.insert("RequestId".into(), Value::String(request_id.into()));
    render(&json!({ "Response": response }))
}

fn render(body: &Value) -> WireResponse {
    http::Response::builder()
        .status(200)
        // Exactly this: with a charset suffix the SDK takes an error for a success.
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_string()))
        .expect("static status and header are valid")
}
