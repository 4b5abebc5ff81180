//! Alibaba Cloud ECS, RPC style, API version 2014-05-26.
//!
//! On the wire, as the official SDKs send it: `POST /` with every parameter in the query
//! string (a urlencoded form body is accepted too); the action in `Action` or, for ACS3-signed
//! requests, only in the `x-acs-action` header. Answers are JSON, or XML when `Format=XML`.
//! Errors carry `RequestId, HostId, Code, Message, Recommend` with the page's HTTP status.
//!
//! - [`wire`]: the request's parameters, action and format;
//! - [`signature`]: RPC v1 (HMAC-SHA1) and ACS3-HMAC-SHA256, verify and sign;
//! - [`actions`]: the action table, every fact about each action;
//! - [`images`]: the image actions' parameters and their rules, into domain commands;
//! - [`snapshots`]: the snapshot actions' parameters and their rules, into domain commands;
//! - [`tags`]: the tag and resource-group calls' parameters, and ListTagResources' answer;
//! - [`params`]: parameter helpers shared by every action (common parameters, tags, booleans);
//! - [`filters`]: the Describe calls' shared filter readers (creation time, choices, id lists);
//! - [`paging`]: paging by page number or by sealed `NextToken`;
//! - [`vocabulary`]: ECS's status, usage and type words, and how domain states map to them;
//! - [`views`]: domain resources as the API shows them;
//! - [`errors`]: the one table from domain errors to codes, statuses and messages.

pub mod actions;
pub mod errors;
pub mod filters;
pub mod images;
pub mod paging;
pub mod params;
pub mod signature;
pub mod snapshots;
pub mod tags;
pub mod views;
pub mod vocabulary;
pub mod wire;

pub use actions::AlibabaAction;
pub use wire::RpcRequest;

use crate::WireResponse;
use bytes::Bytes;
use serde::Serialize;
use serde_json::{json, Value};

pub const API_VERSION: &str = "2014-05-26";
pub const HOST_ID: &str = "ecs.aliyuncs.com";

/// A fresh request id in the provider's form (upper-case UUID).
pub fn request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_uppercase()
}

/// A fresh resource id: the provider's prefix and 20 lower-case alphanumerics (`bp1` and 17
/// random ones).
pub fn resource_id(prefix: &str) -> String {
    format!("{prefix}-bp1{}", crate::ids::base36(17))
}

/// A successful answer: `RequestId`, then the action's answer.
pub fn success(action: &str, xml: bool, request_id: &str, answer: &impl Serialize) -> WireResponse {
    #[derive(Serialize)]
    struct Success<'a, A> {
        #[serde(rename = "RequestId")]
        request_id: &'a str,
        #[serde(flatten)]
        answer: &'a A,
    }
    let body = serde_json::to_value(Success { request_id, answer }).expect("an answer is plain data");
    render(200, xml, &format!("{action}Response"), &body)
}

/// An error answer in the provider's envelope.
pub fn failure(status: u16, code: &str, message: &str, xml: bool, request_id: &str) -> WireResponse {
    let body = json!({
        "RequestId": request_id,
        "HostId": HOST_ID,
        "Code": code,
        "Message": message,
        "Recommend": format!("https://api.aliyun.com/troubleshoot?q={code}&product=Ecs&requestId={request_id}"),
    });
    render(status, xml, "Error", &body)
}

fn render(status: u16, xml: bool, root: &str, body: &Value) -> WireResponse {
    let (content_type, bytes) = if xml {
        ("text/xml;charset=utf-8", crate::xml::document(root, body).into_bytes())
    } else {
        ("application/json;charset=utf-8", body.to_string().into_bytes())
    };
    http::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Bytes::from(bytes))
        .expect("static status and header are valid")
}
