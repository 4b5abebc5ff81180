//! Proxy mode: each request goes, by the routing table, to the function that serves it under
//! `cargo lambda watch` (`/lambda-url/<function>/…`), with its method, path, raw query, headers
//! (the signed `Host` among them) and body unchanged; the function's answer comes back as is.

use bytes::Bytes;
use dialects::{WireRequest, WireResponse};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use service::routes::{function_for, CATCH_ALL};

#[derive(Clone)]
pub struct Proxy {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Proxy {
    /// `base`: where `cargo lambda watch` listens, e.g. `http://127.0.0.1:9000`.
    pub fn new(base: &str) -> Proxy {
        Proxy {
            base: base.trim_end_matches('/').to_string(),
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// The URL a request is forwarded to.
    pub fn target(&self, req: &WireRequest) -> String {
        let function = function_for(req).map_or(CATCH_ALL, |f| f.name());
        let path_and_query = req.uri().path_and_query().map_or("/", |p| p.as_str());
        format!("{}/lambda-url/{function}{path_and_query}", self.base)
    }

    pub async fn forward(&self, req: WireRequest) -> WireResponse {
        let target = self.target(&req);
        let (mut parts, body) = req.into_parts();
        parts.uri = match target.parse() {
            Ok(uri) => uri,
            Err(_) => return unavailable(),
        };
        // `parts.headers` keeps the client's Host: the function verifies the signature with it.
        match self.client.request(http::Request::from_parts(parts, Full::new(body))).await {
            Ok(resp) => {
                let (parts, body) = resp.into_parts();
                match body.collect().await {
                    Ok(b) => http::Response::from_parts(parts, b.to_bytes()),
                    Err(_) => unavailable(),
                }
            }
            Err(e) => {
                tracing::error!(error = %e, target = %target, "the function did not answer");
                unavailable()
            }
        }
    }
}

impl Proxy {
    /// Invoke the scheduler function as EventBridge's hourly rule does: an event of `time`, through
    /// the Lambda invoke API that `cargo lambda watch` serves. Gives the function's answer (its
    /// report), or why there is none.
    pub async fn invoke_scheduler(&self, time: chrono::DateTime<chrono::Utc>) -> Result<Bytes, String> {
        let event = serde_json::json!({
            "version": "0", "id": uuid::Uuid::new_v4().to_string(), "detail-type": "Scheduled Event",
            "source": "aws.events", "account": "000000000000", "region": "us-east-1",
            "time": time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "resources": ["arn:aws:events:us-east-1:000000000000:rule/scheduler-hourly"], "detail": {},
        });
        let req = http::Request::builder()
            .method("POST")
            .uri(format!("{}/2015-03-31/functions/scheduler/invocations", self.base))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(event.to_string())))
            .map_err(|e| e.to_string())?;
        let resp = self.client.request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status();
        let body = resp.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
        if status.is_success() {
            Ok(body)
        } else {
            Err(format!("{status}: {}", String::from_utf8_lossy(&body)))
        }
    }
}

/// The functions cannot be reached: the gateway's own failure, as a load balancer reports it.
fn unavailable() -> WireResponse {
    http::Response::builder()
        .status(502)
        .header("content-type", "text/plain")
        .body(Bytes::from_static(b"502 Bad Gateway: the function did not answer\n"))
        .expect("static response")
}
