//! Test support: a gateway on a loopback port over a fresh table in DynamoDB Local, loaded with
//! a world, and a client that signs requests as the Alibaba SDKs do.
//!
//! DynamoDB Local must be running and `DYNAMODB_ENDPOINT` must point at it; the project's test
//! command (`infra/local/test.sh`) does both. Without it the tests fail, they never skip.

use bytes::Bytes;
use chrono::Utc;
use dialects::alibaba::signature;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use service::App;
use std::net::SocketAddr;
use store::Store;

pub use world::REFERENCE_WORLD;

/// The reference world's keys (see `infra/worlds/reference.json`).
pub const ALI: (&str, &str) = ("LTAI5tRefAlibaba0001", "RefAlibabaSecret0001");
pub const ALI_OTHER: (&str, &str) = ("LTAI5tRefAlibaba0002", "RefAlibabaSecret0002");
pub const ALI_POOR: (&str, &str) = ("LTAI5tRefAlibaba0003", "RefAlibabaSecret0003");
pub const ALI_NOSNAP: (&str, &str) = ("LTAI5tRefAlibaba0004", "RefAlibabaSecret0004");
pub const ALI_QUOTA: (&str, &str) = ("LTAI5tRefAlibaba0005", "RefAlibabaSecret0005");

pub fn dynamodb_endpoint() -> String {
    match std::env::var("DYNAMODB_ENDPOINT") {
        Ok(e) if !e.is_empty() => e,
        _ => panic!(
            "DYNAMODB_ENDPOINT is not set. These tests need DynamoDB Local: run `infra/local/test.sh` \
             (it installs and starts it), or start DynamoDB Local yourself and set \
             DYNAMODB_ENDPOINT=http://127.0.0.1:PORT"
        ),
    }
}

/// The reference world with changes applied to its JSON.
pub fn reference_with(change: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(REFERENCE_WORLD).expect("reference world is JSON");
    change(&mut v);
    v.to_string()
}

/// A gateway serving a world from its own table.
pub struct Gateway {
    pub addr: SocketAddr,
    pub store: Store,
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The error code of an error envelope (asserting the envelope's shape on the way).
    pub fn code(&self) -> String {
        let v = self.json();
        for field in ["RequestId", "HostId", "Code", "Message", "Recommend"] {
            assert!(v[field].is_string(), "envelope lacks {field}: {}", self.text);
        }
        v["Code"].as_str().unwrap().to_string()
    }

    pub fn field(&self, name: &str) -> String {
        self.json()[name].as_str().unwrap_or_else(|| panic!("no {name} in {}", self.text)).to_string()
    }
}

/// How a request is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// RPC v1, HMAC-SHA1, parameters in the query (the old core SDK).
    V1,
    /// ACS3-HMAC-SHA256, action in `x-acs-action` (the tea SDK's default).
    Acs3,
    None,
}

impl Gateway {
    /// A fresh table loaded with `world`, served on a free loopback port.
    pub async fn start(world: &str) -> Gateway {
        Self::start_on(Some(dynamodb_endpoint()), world).await
    }

    pub async fn start_on(endpoint: Option<String>, world: &str) -> Gateway {
        let table = format!("t-{}", uuid::Uuid::new_v4().simple());
        let store = Store::connect(endpoint, table).await;
        if !world.is_empty() {
            store.ensure_table().await.expect("create the test table (is DynamoDB Local running?)");
            let parsed = world::parse(world, Utc::now()).expect("test world parses");
            store.load_world(&parsed).await.expect("load the test world");
        }
        Self::serve(App::new(store.clone()), store).await
    }

    async fn serve(app: App, store: Store) -> Gateway {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(gateway::serve(listener, app));
        let client = Client::builder(TokioExecutor::new()).build_http();
        Gateway { addr, store, client, task }
    }

    /// Send raw bytes: method, path and query, headers, body.
    pub async fn raw(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Reply {
        let mut b =
            http::Request::builder().method(method).uri(format!("http://{}{path_and_query}", self.addr));
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(b.body(Bytes::from(body)).unwrap()).await
    }

    async fn send(&self, req: http::Request<Bytes>) -> Reply {
        let (parts, body) = req.into_parts();
        let resp = self
            .client
            .request(http::Request::from_parts(parts, Full::new(body)))
            .await
            .expect("gateway answers");
        let status = resp.status().as_u16();
        let content_type =
            resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Reply { status, content_type, text: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// Call an Alibaba action with `key`, signed by `signing`.
    pub async fn call_signed(
        &self,
        signing: Signing,
        key: (&str, &str),
        action: &str,
        params: &[(&str, &str)],
    ) -> Reply {
        let mut pairs: Vec<(String, String)> =
            params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let host = self.addr.to_string();
        match signing {
            Signing::V1 | Signing::None => {
                pairs.insert(0, ("Action".into(), action.into()));
                if signing == Signing::V1 {
                    signature::sign_v1("POST", &mut pairs, key.0, key.1, Utc::now());
                }
                let q = query(&pairs);
                let req = http::Request::builder()
                    .method("POST")
                    .uri(format!("http://{host}/?{q}"))
                    .header("host", &host)
                    .body(Bytes::new())
                    .unwrap();
                self.send(req).await
            }
            Signing::Acs3 => {
                let q = query(&pairs);
                let mut req = http::Request::builder()
                    .method("POST")
                    .uri(format!("/?{q}"))
                    .header("host", &host)
                    .header("x-acs-action", action)
                    .body(Bytes::new())
                    .unwrap();
                signature::sign_acs3(&mut req, key.0, key.1, Utc::now());
                *req.uri_mut() = format!("http://{host}/?{q}").parse().unwrap();
                self.send(req).await
            }
        }
    }

    /// Call with the given key, RPC v1 signing.
    pub async fn call(&self, key: (&str, &str), action: &str, params: &[(&str, &str)]) -> Reply {
        self.call_signed(Signing::V1, key, action, params).await
    }

    /// Poll DescribeSnapshots for one snapshot.
    pub async fn describe_snapshot(&self, key: (&str, &str), id: &str) -> Value {
        let ids = format!("[\"{id}\"]");
        let r =
            self.call(key, "DescribeSnapshots", &[("RegionId", "cn-hangzhou"), ("SnapshotIds", &ids)]).await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()["Snapshots"]["Snapshot"][0].clone()
    }
}

/// Encode pairs as a query string (RFC 3986 escapes, as the old core SDK sends them).
pub fn query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", dialects::encoding::rfc3986(k), dialects::encoding::rfc3986(v)))
        .collect::<Vec<_>>()
        .join("&")
}
