//! The operator's control plane, under `/_emulator/`: JSON in and out, next to the cloud APIs.
//! Off unless switched on; when a token is configured, every call must bring it as
//! `Authorization: Bearer <token>`. With the control plane off, `/_emulator/…` is just an unknown
//! path to the dialects.

use crate::routes::ROUTES;
use crate::App;
use bytes::Bytes;
use dialects::{WireRequest, WireResponse};
use serde_json::{json, Value};

/// The reserved path prefix.
pub const PREFIX: &str = "/_emulator/";

/// Whether the control plane is on, and the bearer token it asks for (if any).
#[derive(Debug, Clone, Default)]
pub struct Control {
    pub token: Option<String>,
}

impl Control {
    /// From the environment: `EMULATOR_CONTROL_PLANE=on` switches it on, `EMULATOR_CONTROL_TOKEN`
    /// (when set and not empty) is the bearer token it requires.
    pub fn from_env() -> Option<Control> {
        let on = std::env::var("EMULATOR_CONTROL_PLANE").is_ok_and(|v| v == "on" || v == "1" || v == "true");
        on.then(|| Control { token: std::env::var("EMULATOR_CONTROL_TOKEN").ok().filter(|t| !t.is_empty()) })
    }

    fn allows(&self, req: &WireRequest) -> bool {
        let Some(token) = &self.token else { return true };
        let presented = req
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        presented.is_some_and(|p| dialects::crypto::constant_time_eq(p.as_bytes(), token.as_bytes()))
    }
}

/// Answer a control-plane request.
pub async fn handle(app: &App, control: &Control, req: &WireRequest) -> WireResponse {
    if !control.allows(req) {
        return answer(401, json!({"error": "a bearer token is required (Authorization: Bearer …)"}));
    }
    let path = &req.uri().path()[PREFIX.len()..];
    match (req.method().as_str(), path) {
        ("GET", "health") => answer(200, health(app)),
        _ => answer(
            404,
            json!({"error": format!("no control endpoint {} {}", req.method(), req.uri().path())}),
        ),
    }
}

fn health(app: &App) -> Value {
    let mut dialects = serde_json::Map::new();
    for route in ROUTES {
        let actions = dialects.entry(route.dialect.name()).or_insert_with(|| json!([]));
        actions.as_array_mut().expect("an array").push(json!(route.action));
    }
    json!({
        "status": "running",
        "table": app.store.table(),
        "time": app.now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "dialects": dialects,
        "store_round_trips": app.store.round_trips(),
    })
}

fn answer(status: u16, body: Value) -> WireResponse {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_string()))
        .expect("a valid response")
}
