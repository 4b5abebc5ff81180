//! A function binary's cold start and memory, measured as AWS runs it: this module serves the
//! Lambda runtime API (the `next` invocation and its `response`) on a loopback port, starts the
//! binary against it, and times exec to the first invocation answered; then it serves more
//! invocations and reads the process's resident memory.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// Invocations waiting for the function, and the answers it owes.
struct Runtime {
    events: tokio::sync::Mutex<mpsc::Receiver<(String, String)>>,
    answers: Mutex<HashMap<String, oneshot::Sender<String>>>,
}

async fn serve(rt: Arc<Runtime>, req: hyper::Request<Incoming>) -> hyper::Response<Full<Bytes>> {
    let path = req.uri().path().to_string();
    if req.method() == hyper::Method::GET && path == "/2018-06-01/runtime/invocation/next" {
        let next = rt.events.lock().await.recv().await;
        let Some((id, event)) = next else {
            // No more invocations: hold the function here until it is stopped.
            std::future::pending::<()>().await;
            unreachable!()
        };
        let deadline = chrono::Utc::now().timestamp_millis() + 30_000;
        return hyper::Response::builder()
            .header("lambda-runtime-aws-request-id", &id)
            .header("lambda-runtime-deadline-ms", deadline.to_string())
            .header(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:us-east-1:123456789012:function:bench",
            )
            .header("lambda-runtime-trace-id", "Root=1-00000000-000000000000000000000000")
            .body(Full::new(Bytes::from(event)))
            .expect("a valid response");
    }
    let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let text = String::from_utf8_lossy(&body).into_owned();
    if let Some(rest) = path.strip_prefix("/2018-06-01/runtime/invocation/") {
        let (id, outcome) = rest.split_once('/').unwrap_or((rest, ""));
        let answer = if outcome == "response" { text } else { format!("{{\"runtimeError\": {text:?}}}") };
        if let Some(tx) = rt.answers.lock().expect("not poisoned").remove(id) {
            let _ = tx.send(answer);
        }
    } else {
        eprintln!("bench: the function reported {path}: {text}");
    }
    hyper::Response::builder().status(202).body(Full::new(Bytes::new())).expect("a valid response")
}

/// What the run of one function binary measured.
pub struct ColdStart {
    pub first_answer: Duration,
    pub requests: usize,
    pub errors: usize,
    pub rss_kib: u64,
    pub peak_kib: u64,
}

fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Start `binary` (with `env`) under this runtime API; `event(i)` makes invocation `i` and
/// `ok(answer)` judges its answer. Times exec to the first answer, then serves `requests` more.
pub async fn measure(
    binary: &str,
    env: &[(&str, String)],
    requests: usize,
    event: impl Fn(usize) -> String,
    ok: impl Fn(&str) -> bool,
) -> Result<ColdStart, String> {
    let (tx, rx) = mpsc::channel(1);
    let rt = Arc::new(Runtime { events: tokio::sync::Mutex::new(rx), answers: Mutex::new(HashMap::new()) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let server_rt = rt.clone();
    let server = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let rt = server_rt.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req| {
                    let rt = rt.clone();
                    async move { Ok::<_, Infallible>(serve(rt, req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    let invoke = |i: usize| {
        let id = format!("bench-{i}");
        let (answer_tx, answer_rx) = oneshot::channel();
        rt.answers.lock().expect("not poisoned").insert(id.clone(), answer_tx);
        (id, answer_rx)
    };
    let (id, first) = invoke(0);
    tx.send((id, event(0))).await.map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut child = tokio::process::Command::new(binary)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("{binary}: {e}"))?;
    let pid = child.id().unwrap_or(0);
    let answer = tokio::time::timeout(Duration::from_secs(30), first)
        .await
        .map_err(|_| format!("{binary} answered no invocation within 30 s"))?
        .map_err(|e| e.to_string())?;
    let first_answer = started.elapsed();
    let mut errors = usize::from(!ok(&answer));
    for i in 1..=requests {
        let (id, answer) = invoke(i);
        tx.send((id, event(i))).await.map_err(|e| e.to_string())?;
        let answer = tokio::time::timeout(Duration::from_secs(30), answer)
            .await
            .map_err(|_| format!("invocation {i} was not answered within 30 s"))?
            .map_err(|e| e.to_string())?;
        errors += usize::from(!ok(&answer));
    }
    let (rss_kib, peak_kib) = (status_kib(pid, "VmRSS:"), status_kib(pid, "VmHWM:"));
    let _ = child.kill().await;
    server.abort();
    Ok(ColdStart { first_answer, requests, errors, rss_kib, peak_kib })
}
