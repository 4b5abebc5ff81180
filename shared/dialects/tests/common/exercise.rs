//! The path every robustness and fuzz test drives a request through: the dialect's request
//! parser, each action's parameter readers, the signature scheme's reading and verification, and
//! the error table and envelope a refusal is answered with (the message quotes parameter names
//! and values, so it sees whatever the request carried). Only a panic, or a stack overflow,
//! fails: every error is a fine answer.
//!
//! Self-contained (it names nothing else in `tests/common`), so that the libFuzzer targets in
//! `fuzz/` can include this very file and drive the same path.

use bytes::Bytes;
use chrono::Utc;
use dialects::actions::Action as _;
use dialects::{alibaba, tencent, zenlayer, Dialect};
use domain::DomainError;

/// The request id every refusal here is rendered with.
const REQUEST_ID: &str = "00000000-0000-0000-0000-000000000000";

/// Run the dialect the gateway would pick for `req` (from the whole request, and from its head
/// alone, as for a body too large to read).
pub fn exercise(req: &http::Request<Bytes>) {
    let _ = Dialect::of_head(req);
    exercise_as(Dialect::of(req), req);
}

/// Run every part of `dialect` over `req`, whether or not the request would be routed to it.
pub fn exercise_as(dialect: Dialect, req: &http::Request<Bytes>) {
    let now = Utc::now();
    match dialect {
        Dialect::Alibaba => {
            let rpc = match alibaba::RpcRequest::parse(req) {
                Ok(rpc) => rpc,
                Err(e) => return alibaba_refusal(None, &e),
            };
            let refuse = |e: DomainError| alibaba_refusal(Some(&rpc), &e);
            or_else(alibaba::snapshots::create_snapshot(&rpc), refuse);
            or_else(alibaba::images::create_image(&rpc), refuse);
            or_else(alibaba::snapshots::describe_snapshots(&rpc, "acct", b"key"), refuse);
            or_else(alibaba::images::describe_images(&rpc), refuse);
            match alibaba::signature::presented(req, &rpc) {
                Ok(p) => {
                    let _ = p.nonce();
                    let verified = alibaba::signature::verify(req, &rpc, &p, "secret", now, 900);
                    or_else(verified, |f| refuse(DomainError::Auth(f)));
                }
                Err(f) => refuse(DomainError::Auth(f)),
            }
        }
        Dialect::Tencent => {
            let tc = match tencent::TcRequest::parse(req) {
                Ok(tc) => tc,
                Err(e) => return tencent_refusal(None, &e),
            };
            let refuse = |e: DomainError| tencent_refusal(Some(&tc), &e);
            or_else(tencent::images::create_image(&tc, "r"), refuse);
            or_else(tencent::images::create_image_legacy(&tc, "r"), refuse);
            or_else(tencent::images::describe_images(&tc), refuse);
            or_else(tencent::snapshots::create_snapshot(&tc, "r", now), refuse);
            or_else(tencent::snapshots::describe_snapshots(&tc), refuse);
            match tencent::signature::presented(req, &tc.pairs) {
                Ok(p) => {
                    let _ = p.nonce();
                    let path = req.uri().path();
                    let verified = tencent::signature::verify(req, &tc.pairs, path, &p, "secret", now, 300);
                    or_else(verified, |f| refuse(DomainError::Auth(f)));
                }
                Err(f) => refuse(DomainError::Auth(f)),
            }
        }
        Dialect::Zenlayer => {
            let zl = match zenlayer::ZlRequest::parse(req) {
                Ok(zl) => zl,
                Err(e) => return zenlayer_refusal(None, &e),
            };
            let refuse = |e: DomainError| zenlayer_refusal(Some(&zl), &e);
            or_else(zenlayer::images::create_image(&zl, "r", "rg".into()), refuse);
            or_else(zenlayer::images::describe_images(&zl), refuse);
            or_else(zenlayer::images::describe_custom_images(&zl), refuse);
            or_else(zenlayer::snapshots::create_snapshot(&zl, now), refuse);
            or_else(zenlayer::snapshots::describe_snapshots(&zl), refuse);
            match zenlayer::signature::presented(req) {
                Ok(p) => {
                    let verified = zenlayer::signature::verify(req, &p, "secret", now, 300);
                    or_else(verified, |f| refuse(DomainError::Auth(f)));
                }
                Err(f) => refuse(DomainError::Auth(f)),
            }
        }
    }
}

/// Hand an error to `refuse`; a success needs nothing more.
fn or_else<T, E>(result: Result<T, E>, refuse: impl FnOnce(E)) {
    if let Err(e) = result {
        refuse(e);
    }
}

// The three refusals render an error the way the service's protocols do (error table, then the
// dialect's envelope), with what the request itself decides: its action, Alibaba's answer
// format and a volume named as a disk, Tencent's older page.

fn alibaba_refusal(rpc: Option<&alibaba::RpcRequest>, e: &DomainError) {
    let action = rpc.and_then(|r| r.action.as_deref()).and_then(alibaba::AlibabaAction::from_wire);
    let volume = rpc.and_then(|r| r.get("DiskId")).is_some_and(|d| d.starts_with("v-"));
    let xml = rpc.is_some_and(|r| r.xml);
    let (status, code, message) = alibaba::errors::answer(e, alibaba::errors::Context { action, volume });
    let _ = alibaba::failure(status, &code, &message, xml, REQUEST_ID);
}

fn tencent_refusal(tc: Option<&tencent::TcRequest>, e: &DomainError) {
    let action = tc.and_then(|r| r.action.as_deref()).and_then(tencent::TencentAction::from_wire);
    let legacy = tc.is_some_and(|r| r.legacy);
    let (code, message) = tencent::errors::answer(e, tencent::errors::Context { action, legacy });
    let _ = tencent::failure(&code, &message, legacy, REQUEST_ID);
}

fn zenlayer_refusal(zl: Option<&zenlayer::ZlRequest>, e: &DomainError) {
    let action = zl.and_then(|r| r.action.as_deref()).and_then(zenlayer::ZenlayerAction::from_wire);
    let (status, code, message) = zenlayer::errors::answer(e, action);
    let _ = zenlayer::failure(status, &code, &message, REQUEST_ID);
}
