//! Signed calls, as the SDKs send them: to our gateway in each dialect, and to the peer (moto's
//! EC2 query API, signed SigV4 as boto3 signs it, although moto does not check).

use bytes::Bytes;
use chrono::Utc;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

pub const ALI: (&str, &str) = ("LTAIbench000000000001", "BenchSecret0001");
pub const TC: (&str, &str) = ("AKIDbench00000000000000000000000001", "BenchTencentSecret000000000000001");
pub const ZL: (&str, &str) = ("ZLbench0001", "BenchZenlayerSecret0001");

#[derive(Clone)]
pub struct Http {
    client: HttpClient,
}

impl Http {
    pub fn new() -> Self {
        Http { client: Client::builder(TokioExecutor::new()).build_http() }
    }

    /// Send; the status and body (status 0 when the connection failed).
    pub async fn send(&self, req: http::Request<Bytes>) -> (u16, String) {
        let (parts, body) = req.into_parts();
        match self.client.request(http::Request::from_parts(parts, Full::new(body))).await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let body = resp.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                (status, String::from_utf8_lossy(&body).into_owned())
            }
            Err(e) => (0, e.to_string()),
        }
    }
}

/// Our gateway at `endpoint` (host:port).
#[derive(Clone)]
pub struct Ours {
    pub http: Http,
    pub endpoint: String,
}

fn query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", dialects::encoding::rfc3986(k), dialects::encoding::rfc3986(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Ours {
    /// An Alibaba RPC call signed v1 (the old core SDK's form); the parsed answer on success.
    pub async fn alibaba(&self, action: &str, params: &[(&str, String)]) -> Result<Value, String> {
        let mut pairs: Vec<(String, String)> = vec![("Action".into(), action.into())];
        pairs.extend(params.iter().map(|(k, v)| (k.to_string(), v.clone())));
        dialects::alibaba::signature::sign_v1("POST", &mut pairs, ALI.0, ALI.1, Utc::now());
        let req = http::Request::builder()
            .method("POST")
            .uri(format!("http://{}/?{}", self.endpoint, query(&pairs)))
            .header("host", &self.endpoint)
            .body(Bytes::new())
            .expect("a valid request");
        match self.http.send(req).await {
            (200, body) => serde_json::from_str(&body).map_err(|e| format!("{e}: {body}")),
            (status, body) => Err(format!("{status} {body}")),
        }
    }

    /// A Tencent API 3.0 call (TC3-HMAC-SHA256, JSON body) in ap-guangzhou; `Response` on success.
    pub async fn tencent(&self, service: &str, action: &str, params: Value) -> Result<Value, String> {
        let mut req = http::Request::builder()
            .method("POST")
            .uri("/")
            .header("host", &self.endpoint)
            .header("content-type", "application/json")
            .header("x-tc-action", action)
            .header("x-tc-version", "2017-03-12")
            .header("x-tc-region", "ap-guangzhou")
            .body(Bytes::from(params.to_string()))
            .expect("a valid request");
        dialects::tencent::signature::sign_tc3(&mut req, TC.0, TC.1, service, Utc::now());
        *req.uri_mut() = format!("http://{}/", self.endpoint).parse().expect("a valid uri");
        let (status, body) = self.http.send(req).await;
        let parsed: Value = serde_json::from_str(&body).map_err(|e| format!("{status} {e}: {body}"))?;
        match &parsed["Response"]["Error"] {
            Value::Null if status == 200 => Ok(parsed["Response"].clone()),
            _ => Err(format!("{status} {body}")),
        }
    }

    /// A Zenlayer ZEC call (ZC2-HMAC-SHA256); `response` on success.
    pub async fn zenlayer(&self, action: &str, params: Value) -> Result<Value, String> {
        let mut req = http::Request::builder()
            .method("POST")
            .uri("/api/v2/zec")
            .header("host", &self.endpoint)
            .header("content-type", "application/json")
            .header("x-zc-action", action)
            .header("x-zc-version", "2025-09-01")
            .header("x-zc-service", "zec")
            .body(Bytes::from(params.to_string()))
            .expect("a valid request");
        dialects::zenlayer::signature::sign(&mut req, ZL.0, ZL.1, Utc::now());
        *req.uri_mut() = format!("http://{}/api/v2/zec", self.endpoint).parse().expect("a valid uri");
        match self.http.send(req).await {
            (200, body) => {
                let v: Value = serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))?;
                Ok(v["response"].clone())
            }
            (status, body) => Err(format!("{status} {body}")),
        }
    }

    /// The gateway's DynamoDB round trips so far, and its round trips of time (from its control
    /// plane's health).
    pub async fn round_trips(&self) -> Result<(u64, u64), String> {
        let req = http::Request::builder()
            .uri(format!("http://{}/_emulator/health", self.endpoint))
            .header("host", &self.endpoint)
            .body(Bytes::new())
            .expect("a valid request");
        let (status, body) = self.http.send(req).await;
        let v: Value = serde_json::from_str(&body).map_err(|_| format!("{status} {body}"))?;
        let count = |field: &str| {
            v[field].as_u64().ok_or_else(|| {
                format!("the gateway's /_emulator/health has no {field} (is --control-plane on?): {body}")
            })
        };
        Ok((count("store_round_trips")?, count("store_round_trip_waits")?))
    }
}

/// moto's server at `endpoint`, speaking EC2's query API.
#[derive(Clone)]
pub struct Moto {
    pub http: Http,
    pub endpoint: String,
}

impl Moto {
    /// One EC2 call, form-encoded and signed SigV4 as boto3 sends it; the XML answer on success.
    pub async fn ec2(&self, action: &str, params: &[(&str, String)]) -> Result<String, String> {
        let mut pairs: Vec<(String, String)> =
            vec![("Action".into(), action.into()), ("Version".into(), "2016-11-15".into())];
        pairs.extend(params.iter().map(|(k, v)| (k.to_string(), v.clone())));
        let body = query(&pairs);
        let uri = format!("http://{}/", self.endpoint);
        let mut req = http::Request::builder()
            .method("POST")
            .uri(&uri)
            .header("host", &self.endpoint)
            .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
            .body(Bytes::from(body))
            .expect("a valid request");
        sign_sigv4(&mut req).map_err(|e| format!("signing: {e}"))?;
        match self.http.send(req).await {
            (200, body) => Ok(body),
            (status, body) => Err(format!("{status} {body}")),
        }
    }
}

fn sign_sigv4(req: &mut http::Request<Bytes>) -> Result<(), Box<dyn std::error::Error>> {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let identity = aws_credential_types::Credentials::new("bench", "bench", None, None, "bench").into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("ec2")
        .time(std::time::SystemTime::now())
        .settings(SigningSettings::default())
        .build()?
        .into();
    let headers: Vec<(&str, &str)> =
        req.headers().iter().filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?))).collect();
    let signable = SignableRequest::new(
        req.method().as_str(),
        req.uri().to_string(),
        headers.into_iter(),
        SignableBody::Bytes(req.body()),
    )?;
    let (instructions, _) = sign(signable, &params)?.into_parts();
    instructions.apply_to_request_http1x(req);
    Ok(())
}

/// The text of the first `<tag>…</tag>` in an XML answer.
pub fn xml_field(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(xml[start..end].to_string())
}
