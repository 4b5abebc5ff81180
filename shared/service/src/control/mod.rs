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
    /// Host names the control plane answers to besides the loopback ones (`localhost`,
    /// `127.0.0.1`, `::1`), when no token is asked for: see [`Control::host_allowed`].
    pub hosts: Vec<String>,
}

impl Control {
    /// From the environment: `EMULATOR_CONTROL_PLANE=on` switches it on, `EMULATOR_CONTROL_TOKEN`
    /// (when set and not empty) is the bearer token it requires, `EMULATOR_CONTROL_HOSTS` (names,
    /// comma-separated) the host names it answers to besides the loopback ones.
    pub fn from_env() -> Option<Control> {
        let on = std::env::var("EMULATOR_CONTROL_PLANE").is_ok_and(|v| v == "on" || v == "1" || v == "true");
        let hosts = std::env::var("EMULATOR_CONTROL_HOSTS").unwrap_or_default();
        on.then(|| Control {
            token: std::env::var("EMULATOR_CONTROL_TOKEN").ok().filter(|t| !t.is_empty()),
            world: None,
            ca_pem: None,
            hosts: hosts
                .split(',')
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        })
    }

    /// Whether the `Host` a request was sent to is one this control plane answers to. Without a
    /// token, a web page the developer opens could otherwise reach it by DNS rebinding: a name of
    /// the attacker's that resolves to 127.0.0.1 makes the browser treat the emulator as that
    /// name's origin, and lets the page read the answers. Such a request carries the attacker's
    /// name in `Host`, so only loopback names and the configured ones are served. With a token
    /// the check is not needed (a page cannot present the token) and any host is served.
    fn host_allowed(&self, req: &WireRequest) -> bool {
        if self.token.is_some() {
            return true;
        }
        let Some(host) = req.headers().get(http::header::HOST).and_then(|h| h.to_str().ok()) else {
            // HTTP/1.0 without Host: not a browser.
            return true;
        };
        let name = host_name(host).to_ascii_lowercase();
        ["localhost", "127.0.0.1", "::1"].contains(&name.as_str())
            || name.ends_with(".localhost")
            || self.hosts.contains(&name)
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
    // The control plane is no deployed function's (the template leaves it off).
    store::usage::FUNCTION.scope("control-plane", Box::pin(handling(app, control, req))).await
}

async fn handling(app: &App, control: &Control, req: &WireRequest) -> WireResponse {
    // The page itself holds no data (it asks for it with the token), so it loads without one.
    if req.method() == http::Method::GET && req.uri().path() == PREFIX {
        return dashboard::page();
    }
    if !control.host_allowed(req) {
        let e = "this host name is not served by the control plane (set EMULATOR_CONTROL_HOSTS, or a token)";
        return answer(403, json!({"error": e}));
    }
    if let Some(refused) = cross_site_write(req) {
        return answer(refused.0, json!({"error": refused.1}));
    }
    if !control.allows(req) {
        return answer(401, json!({"error": "a bearer token is required (Authorization: Bearer …)"}));
    }
    let path = &req.uri().path()[PREFIX.len()..];
    // Counted before this call's own read of the clock.
    let round_trips = (app.store.round_trips(), app.store.round_trip_waits());
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

/// The name part of a `Host` value: `[::1]:8080` → `::1`, `localhost:80` → `localhost`.
fn host_name(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

/// A write a browser was made to send from another site, refused with its status and reason.
///
/// Any page can make the browser POST to `http://127.0.0.1:…` with a "simple" content type
/// (`text/plain`, a form) and no preflight; it cannot read the answer, but the write is done. So
/// a write must come from no browser at all (curl, scripts: no `Origin`), or from a page of this
/// origin (the dashboard), and a body must be declared JSON, which a browser sends cross-site
/// only after a CORS preflight that is never granted here.
fn cross_site_write(req: &WireRequest) -> Option<(u16, &'static str)> {
    if req.method() == http::Method::GET || req.method() == http::Method::HEAD {
        return None;
    }
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = header("origin") {
        let authority = origin.split_once("://").map(|(_, a)| a);
        let same = authority.is_some_and(|a| header("host").is_some_and(|h| a.eq_ignore_ascii_case(h)));
        if !same {
            return Some((403, "a write from another origin is refused"));
        }
    }
    if header("sec-fetch-site").is_some_and(|s| s != "same-origin" && s != "none") {
        return Some((403, "a write from another site is refused"));
    }
    let json = header("content-type").is_some_and(|ct| {
        ct.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    });
    if !req.body().is_empty() && !json {
        return Some((415, "a body must be sent as Content-Type: application/json"));
    }
    None
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
