//! The operator's control plane, under `/_emulator/`: JSON in and out, next to the cloud APIs.
//! Off unless switched on; when a token is configured, every call must bring it as
//! `Authorization: Bearer <token>`. With the control plane off, `/_emulator/…` is just an unknown
//! path to the dialects.
//!
//! - `state`: health, reset and the resources with their derived states;
//! - `clock`: the virtual clock, and the scheduler run on demand;
//! - `faults`: runtime fault injection (applied by the pipeline to every request);
//! - `served`: the last requests answered; `dashboard`: the page for a person;
//! - `ca.pem`: the local CA's certificate, when the gateway serves HTTPS.

mod clock;
mod dashboard;
pub mod faults;
pub mod served;
mod state;

use crate::App;
use bytes::Bytes;
use dialects::{WireRequest, WireResponse};
use serde_json::{json, Value};

/// The reserved path prefix.
pub const PREFIX: &str = "/_emulator/";

/// Whether the control plane is on, the bearer token it asks for (if any), and the world a reset
/// without a body reloads (the one the service started with; `None`: the project's default world).
#[derive(Debug, Clone, Default)]
pub struct Control {
    pub token: Option<String>,
    pub world: Option<std::sync::Arc<str>>,
    /// The certificate of the local CA behind the gateway's HTTPS, served at `ca.pem`.
    pub ca_pem: Option<std::sync::Arc<str>>,
}

impl Control {
    /// From the environment: `EMULATOR_CONTROL_PLANE=on` switches it on, `EMULATOR_CONTROL_TOKEN`
    /// (when set and not empty) is the bearer token it requires.
    pub fn from_env() -> Option<Control> {
        let on = std::env::var("EMULATOR_CONTROL_PLANE").is_ok_and(|v| v == "on" || v == "1" || v == "true");
        on.then(|| Control {
            token: std::env::var("EMULATOR_CONTROL_TOKEN").ok().filter(|t| !t.is_empty()),
            world: None,
            ca_pem: None,
        })
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
    // The page itself holds no data (it asks for it with the token), so it loads without one.
    if req.method() == http::Method::GET && req.uri().path() == PREFIX {
        return dashboard::page();
    }
    if !control.allows(req) {
        return answer(401, json!({"error": "a bearer token is required (Authorization: Bearer …)"}));
    }
    let path = &req.uri().path()[PREFIX.len()..];
    // Counted before this call's own read of the clock.
    let round_trips = app.store.round_trips();
    // Every endpoint sees the virtual clock as the table has it now.
    let app = match app.synced().await {
        Ok(app) => app,
        Err(e) => return answer(503, json!({"error": e.to_string()})),
    };
    let app = &app;
    let query = req.uri().query().unwrap_or_default();
    match (req.method().as_str(), path) {
        ("GET", "health") => answer(200, state::health(app, round_trips)),
        ("POST", "reset") => state::reset(app, control, req.body()).await,
        ("GET", "state") => state::state(app, query).await,
        ("GET", "clock") => answer(200, clock::show(app)),
        ("POST", "clock") => clock::change(app, req.body()).await,
        ("POST", "scheduler") => clock::scheduler(app).await,
        ("GET", "faults") => faults::list(app).await,
        ("POST", "faults") => faults::add(app, req.body()).await,
        ("DELETE", "faults") => faults::remove(app, query, req.body()).await,
        ("GET", "requests") => answer(200, app.served.to_json()),
        ("GET", "ca.pem") => match &control.ca_pem {
            Some(pem) => http::Response::builder()
                .status(200)
                .header("content-type", "application/x-pem-file")
                .body(Bytes::from(pem.as_bytes().to_vec()))
                .expect("a valid response"),
            None => answer(404, json!({"error": "this process serves no HTTPS"})),
        },
        _ => answer(
            404,
            json!({"error": format!("no control endpoint {} {}", req.method(), req.uri().path())}),
        ),
    }
}

pub(crate) fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(crate) fn answer(status: u16, body: Value) -> WireResponse {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_string()))
        .expect("a valid response")
}
