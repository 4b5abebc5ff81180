//! The local HTTP gateway: one process that answers every route, as the deployed load balancer
//! plus functions would — either in-process (the default) or by forwarding each request, by the
//! same routing table, to the functions that `cargo lambda watch` serves. HTTP and HTTPS share its
//! one port (see [`tls`]).

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use service::{App, Scope};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_io_timeout::TimeoutStream;

pub mod proxy;
pub mod tls;

/// Where requests are answered.
#[derive(Clone)]
pub enum Backend {
    /// Call the handlers in this process.
    InProcess(App),
    /// Forward to `cargo lambda watch` at this base URL (e.g. `http://127.0.0.1:9000`); the
    /// control plane under `/_emulator/`, when the app has it on, is answered here.
    Proxy(Box<proxy::Proxy>, App),
}

/// How long the gateway waits on a client, and how many clients it serves at once. Without these a
/// client that opens a connection and then sends half a header, half a TLS record or half a body
/// would hold its connection (and a task) forever, and enough of them would exhaust the process.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Until a request's header is complete: counted from the start of the connection (after
    /// the TLS handshake, when there is one) and, on a kept-alive connection, from the end of the
    /// previous answer, so that it also bounds a connection idling between requests.
    pub header_read: Duration,
    /// From the accept until the TLS handshake is done, including the wait for the first byte that
    /// tells TLS from plain HTTP; on a plain-HTTP-only gateway that wait is under `header_read`.
    pub tls_handshake: Duration,
    /// For the whole body of one request, from the moment its header has been read.
    pub body_read: Duration,
    /// How long a write of an answer may make no progress: a client that stops reading (its
    /// window full, the answer queued in the process) is let go when it passes.
    pub write_stall: Duration,
    /// Connections served at once. At the cap the gateway accepts no more until one ends: the
    /// others wait in the kernel's listen backlog, where they cost the process nothing. Zero is
    /// taken as one.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // Generous for any real client on a local or near network (the SDKs send a whole request
        // at once), short enough that a stuck or hostile one is let go soon.
        Limits {
            header_read: Duration::from_secs(10),
            tls_handshake: Duration::from_secs(10),
            body_read: Duration::from_secs(30),
            write_stall: Duration::from_secs(20),
            max_connections: 512,
        }
    }
}

/// Serve HTTP/1.1 on `listener` until the task is dropped, answering in-process.
pub async fn serve(listener: TcpListener, app: App) {
    serve_with(listener, Backend::InProcess(app)).await
}

/// Serve HTTP/1.1 on `listener` until the task is dropped.
pub async fn serve_with(listener: TcpListener, backend: Backend) {
    serve_on(listener, backend, None).await
}

/// Serve HTTP/1.1 on `listener` until the task is dropped, and HTTPS on the same port when `tls`
/// is given: a connection whose first byte opens a TLS handshake is served over TLS.
pub async fn serve_on(listener: TcpListener, backend: Backend, tls: Option<tls::LocalTls>) {
    serve_with_limits(listener, backend, tls, Limits::default()).await
}

/// [`serve_on`] with the given [`Limits`] in place of the defaults.
pub async fn serve_with_limits(
    listener: TcpListener,
    backend: Backend,
    tls: Option<tls::LocalTls>,
    limits: Limits,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    loop {
        // The permit is taken before the accept, so that at the cap new clients stay in the
        // backlog rather than being accepted and left unserved; the connection's task holds it
        // until the connection ends. The semaphore is never closed, so the acquire cannot fail.
        let Ok(permit) = permits.clone().acquire_owned().await else { return };
        let (stream, _) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                continue;
            }
        };
        let backend = backend.clone();
        let tls = tls.clone();
        // Every write, TLS's own included, fails once it has made no progress for the stall limit:
        // hyper then ends the connection and lets go of the answer it held.
        let mut stream = TimeoutStream::new(stream);
        stream.set_write_timeout(Some(limits.write_stall));
        let stream = Box::pin(stream);
        tokio::spawn(async move {
            let _permit = permit;
            let Some(tls) = tls else { return connection(TokioIo::new(stream), backend, limits).await };
            // One deadline for the first byte and the whole handshake: a client that says nothing,
            // or opens a handshake and stops halfway, is let go when it passes.
            let handshake = async {
                let mut first = [0u8; 1];
                if !matches!(stream.get_ref().peek(&mut first).await, Ok(1)) {
                    return None;
                }
                if first[0] != tls::HANDSHAKE {
                    return Some(Err(stream));
                }
                match tls.acceptor.accept(stream).await {
                    Ok(stream) => Some(Ok(stream)),
                    Err(e) => {
                        tracing::debug!(error = %e, "TLS handshake failed");
                        None
                    }
                }
            };
            match tokio::time::timeout(limits.tls_handshake, handshake).await {
                Ok(Some(Ok(stream))) => connection(TokioIo::new(stream), backend, limits).await,
                Ok(Some(Err(plain))) => connection(TokioIo::new(plain), backend, limits).await,
                Ok(None) => {}
                Err(_) => tracing::debug!("no TLS handshake within {}", seconds(limits.tls_handshake)),
            }
        });
    }
}

/// Serve one connection, plain or TLS.
async fn connection<I>(io: I, backend: Backend, limits: Limits)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let svc = service_fn(move |req| {
        let backend = backend.clone();
        async move { Ok::<_, Infallible>(answer(&backend, req, limits.body_read).await) }
    });
    // A header line that is not valid HTTP (a control character in its value) is dropped rather
    // than answered with hyper's bare 400: the request then reaches its dialect, which refuses it
    // in its own envelope when the header mattered (a signed header, the action) and ignores it
    // like any unknown header otherwise.
    //
    // hyper's header read timeout needs its timer (without one it is silently off). It starts
    // each time hyper waits for a request head, which is also when a kept-alive connection sits
    // idle after an answer, so it bounds that idle wait too and no timer of our own is needed.
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .ignore_invalid_headers(true)
        .serve_connection(io, svc);
    if let Err(e) = conn.await {
        tracing::debug!(error = %e, "connection ended");
    }
}

async fn answer(
    backend: &Backend,
    req: hyper::Request<Incoming>,
    body_read: Duration,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let head = http::Request::from_parts(parts, ());
    // hyper has no body read timeout: one deadline covers the whole body, so a client that
    // declares more than it sends, or trickles it, is answered and let go.
    let collected = tokio::time::timeout(body_read, Limited::new(body, dialects::MAX_BODY_BYTES).collect());
    let bytes = match collected.await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return service::too_large(&head).map(Full::new)
        }
        // A malformed body (a bad chunk size) or a connection cut mid-body: not a size problem.
        Ok(Err(e)) => {
            let why = format!("The request body could not be read: {}.", innermost(&*e));
            return unreadable(&head, &why);
        }
        Err(_) => {
            let why = format!(
                "The request body could not be read: it did not arrive within {}.",
                seconds(body_read)
            );
            return unreadable(&head, &why);
        }
    };
    let (parts, ()) = head.into_parts();
    let req = http::Request::from_parts(parts, bytes);
    let resp = match backend {
        Backend::InProcess(app) => app.handle(req, Scope::All).await,
        Backend::Proxy(_, app) if app.serves_control(&req) => app.handle(req, Scope::All).await,
        Backend::Proxy(proxy, app) if app.control_on() => {
            let started = std::time::Instant::now();
            let (dialect, action) = service::dialect_action(&req);
            let resp = proxy.forward(req).await;
            let ms = started.elapsed().as_millis() as u64;
            app.note_served(dialect, action.as_deref().unwrap_or(""), &resp, ms);
            resp
        }
        Backend::Proxy(proxy, _) => proxy.forward(req).await,
    };
    resp.map(Full::new)
}

/// The dialect's refusal of an unreadable body, telling the client the connection ends: the rest
/// of the body is never read, so the connection cannot carry another request.
fn unreadable(head: &http::Request<()>, why: &str) -> hyper::Response<Full<Bytes>> {
    let mut resp = service::unreadable_body(head, why).map(Full::new);
    resp.headers_mut().insert(http::header::CONNECTION, http::HeaderValue::from_static("close"));
    resp
}

/// The innermost cause of an error: hyper's outer message ("error reading a body from
/// connection") says less than the cause under it (which chunk-size rule was broken).
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut e = e;
    while let Some(source) = e.source() {
        e = source;
    }
    e.to_string()
}

/// A duration as a client reads it: "30 s", "0.5 s".
fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// Fire the snapshot scheduler at every multiple of `period` in Unix time (an hour: the top of
/// every hour), as the deployment's EventBridge rule does, until the task is dropped: in this
/// process, or through the scheduler function under `cargo lambda watch`. Each firing acts for
/// the hour the virtual clock shows.
pub async fn fire_scheduler(backend: Backend, period: std::time::Duration) {
    let period_ms = period.as_millis().max(1) as i64;
    loop {
        let now = chrono::Utc::now().timestamp_millis();
        let next = (now.div_euclid(period_ms) + 1) * period_ms;
        tokio::time::sleep(std::time::Duration::from_millis((next - now) as u64)).await;
        let at = chrono::DateTime::from_timestamp_millis(next).unwrap_or_else(chrono::Utc::now);
        let outcome = match &backend {
            Backend::InProcess(app) => service::scheduler::fire(app, at)
                .await
                .map(|r| {
                    format!(
                        "{} made, {} again, {} released",
                        r.created.len(),
                        r.already_made.len(),
                        r.released.len()
                    )
                })
                .map_err(|e| e.to_string()),
            Backend::Proxy(proxy, _) => {
                proxy.invoke_scheduler(at).await.map(|body| String::from_utf8_lossy(&body).into_owned())
            }
        };
        match outcome {
            Ok(report) => tracing::info!(at = %at, report = %report, "scheduler fired"),
            Err(e) => {
                tracing::warn!(at = %at, error = %e, "scheduler firing failed; the next one tries again")
            }
        }
    }
}

/// Create the table if needed and load a world file into it, refusing a malformed one.
pub async fn load_world_file(store: &store::Store, path: &str) -> Result<store::LoadSummary, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let world = world::parse(&text, chrono::Utc::now()).map_err(|e| format!("{path}: {e}"))?;
    store.ensure_table().await.map_err(|e| format!("table {}: {e}", store.table()))?;
    store.load_world(&world).await.map_err(|e| format!("loading {path}: {e}"))
}
