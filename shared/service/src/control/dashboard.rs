//! `GET /_emulator/`: the dashboard, one self-contained page (its style and script inline, nothing
//! fetched from elsewhere) that reads the other endpoints with the bearer token given in the
//! page's address after `#token=` (a fragment never reaches a server or its logs).

use bytes::Bytes;
use dialects::WireResponse;

const PAGE: &str = include_str!("dashboard.html");

pub(super) fn page() -> WireResponse {
    http::Response::builder()
        .status(200)
        .header("content-type", "text/html; charset=utf-8")
        // Nothing but this page's own inline style and script, and calls back to this service;
        // and no page of another site may frame it (its buttons move the clock and add faults).
        .header(
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
        )
        .header("x-frame-options", "DENY")
        .header("cache-control", "no-store")
        .body(Bytes::from_static(PAGE.as_bytes()))
        .expect("a valid response")
}
