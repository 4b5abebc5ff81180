//! The last requests this process answered (time, dialect, action, status, code, milliseconds),
//! for `GET /_emulator/requests` and the dashboard. Kept in memory, per process: a window on the
//! traffic, not a log.

use chrono::{DateTime, Utc};
use dialects::{Dialect, WireResponse};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// How many requests are kept.
const KEPT: usize = 50;

#[derive(Debug, Clone, Serialize)]
pub struct ServedRequest {
    pub time: String,
    pub dialect: &'static str,
    pub action: String,
    pub status: u16,
    /// The provider's error code, when the answer is an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub ms: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Served(Arc<Mutex<VecDeque<ServedRequest>>>);

impl Served {
    pub fn record(
        &self,
        at: DateTime<Utc>,
        dialect: Dialect,
        action: &str,
        response: &WireResponse,
        ms: u64,
    ) {
        let entry = ServedRequest {
            time: super::rfc3339(at),
            dialect: dialect.name(),
            action: action.chars().take(64).collect(),
            status: response.status().as_u16(),
            code: code_of(response),
            ms,
        };
        let mut kept = self.0.lock().expect("not poisoned");
        if kept.len() == KEPT {
            kept.pop_front();
        }
        kept.push_back(entry);
    }

    /// Newest first.
    pub fn to_json(&self) -> Value {
        let kept = self.0.lock().expect("not poisoned");
        json!({"requests": kept.iter().rev().collect::<Vec<_>>()})
    }
}

/// The error code an answer carries, in any dialect's envelope: Alibaba's `Code` (JSON or XML),
/// Tencent's `Response.Error.Code` (with status 200), Zenlayer's `code`.
pub fn code_of(response: &WireResponse) -> Option<String> {
    let body = response.body();
    let error_shaped = response.status().as_u16() >= 400 || body.windows(8).any(|w| w == b"\"Error\":");
    if !error_shaped {
        return None;
    }
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        let code = v.get("Code").or_else(|| v.pointer("/Response/Error/Code")).or_else(|| v.get("code"));
        return code.and_then(Value::as_str).map(str::to_string);
    }
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("<Code>")? + "<Code>".len();
    let end = start + text[start..].find("</Code>")?;
    Some(text[start..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn response(status: u16, body: &str) -> WireResponse {
        http::Response::builder().status(status).body(Bytes::from(body.to_string())).unwrap()
    }

    #[test]
    fn codes_are_read_from_every_envelope() {
        let ali = response(404, r#"{"RequestId":"x","Code":"InvalidDiskId.NotFound","Message":"m"}"#);
        assert_eq!(code_of(&ali).as_deref(), Some("InvalidDiskId.NotFound"));
        let xml = response(400, "<Error><RequestId>x</RequestId><Code>MissingParameter</Code></Error>");
        assert_eq!(code_of(&xml).as_deref(), Some("MissingParameter"));
        let tc =
            response(200, r#"{"Response":{"Error":{"Code":"InternalError","Message":"m"},"RequestId":"x"}}"#);
        assert_eq!(code_of(&tc).as_deref(), Some("InternalError"));
        let zl = response(400, r#"{"requestId":"x","code":"INVALID_PARAMETER","message":"m"}"#);
        assert_eq!(code_of(&zl).as_deref(), Some("INVALID_PARAMETER"));
        assert_eq!(code_of(&response(200, r#"{"Response":{"RequestId":"x"}}"#)), None);
    }

    #[test]
    fn only_the_last_requests_are_kept_newest_first() {
        let served = Served::default();
        for i in 0..(KEPT + 5) {
            served.record(Utc::now(), Dialect::Alibaba, &format!("A{i}"), &response(200, "{}"), 1);
        }
        let v = served.to_json();
        let list = v["requests"].as_array().unwrap();
        assert_eq!(list.len(), KEPT);
        assert_eq!(list[0]["action"], format!("A{}", KEPT + 4));
    }
}
