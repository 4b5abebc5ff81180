//! The local HTTP gateway: one process that answers every route, as the deployed load balancer
//! plus functions would — either in-process (the default) or by forwarding each request, by the
//! same routing table, to the functions that `cargo lambda watch` serves. HTTP and HTTPS share its
//! one port (see [`tls`]).

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use service::{App, Scope};
use std::convert::Infallible;
use tokio::net::TcpListener;

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
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                continue;
            }
        };
        let backend = backend.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let Some(tls) = tls else { return connection(TokioIo::new(stream), backend).await };
            let mut first = [0u8; 1];
            // A client that opens a connection and says nothing for this long is let go.
            let peeked =
                tokio::time::timeout(std::time::Duration::from_secs(30), stream.peek(&mut first)).await;
            if !matches!(peeked, Ok(Ok(1))) {
                return;
            }
            if first[0] != tls::HANDSHAKE {
                return connection(TokioIo::new(stream), backend).await;
            }
            match tls.acceptor.accept(stream).await {
                Ok(stream) => connection(TokioIo::new(stream), backend).await,
                Err(e) => tracing::debug!(error = %e, "TLS handshake failed"),
            }
        });
    }
}

/// Serve one connection, plain or TLS.
async fn connection<I>(io: I, backend: Backend)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let svc = service_fn(move |req| {
        let backend = backend.clone();
        async move { Ok::<_, Infallible>(answer(&backend, req).await) }
    });
    // A header line that is not valid HTTP (a control character in its value) is dropped rather
    // than answered with hyper's bare 400: the request then reaches its dialect, which refuses it
    // in its own envelope when the header mattered (a signed header, the action) and ignores it
    // like any unknown header otherwise.
    let conn =
        hyper::server::conn::http1::Builder::new().ignore_invalid_headers(true).serve_connection(io, svc);
    if let Err(e) = conn.await {
        tracing::debug!(error = %e, "connection ended");
    }
}

async fn answer(backend: &Backend, req: hyper::Request<Incoming>) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let head = http::Request::from_parts(parts, ());
    let bytes = match Limited::new(body, dialects::MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return service::too_large(&head).map(Full::new),
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
