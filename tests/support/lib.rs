//! Test support: a gateway on a loopback port over a fresh table in DynamoDB Local, loaded with
//! a world, and a client that signs requests as the Alibaba SDKs do.
//!
//! DynamoDB Local must be running and `DYNAMODB_ENDPOINT` must point at it; the project's test
//! command (`infra/local/test.sh`) does both. Without it the tests fail, they never skip.

use bytes::Bytes;
use chrono::Utc;
use dialects::actions::Action as _;
use dialects::alibaba::signature;
use dialects::tencent::signature::{self as tc_signature, Algorithm as TcAlgorithm};
use dialects::zenlayer::signature as zl_signature;
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
pub const TC: (&str, &str) = ("AKIDRefTencent00000000000000000001", "RefTencentSecret00000000000000001");
pub const TC_POOR: (&str, &str) = ("AKIDRefTencent00000000000000000002", "RefTencentSecret00000000000000002");
pub const TC_QUOTA: (&str, &str) =
    ("AKIDRefTencent00000000000000000003", "RefTencentSecret00000000000000003");
pub const TC_OTHER: (&str, &str) =
    ("AKIDRefTencent00000000000000000004", "RefTencentSecret00000000000000004");
pub const ZL: (&str, &str) = ("ZLRefZenlayer0001", "RefZenlayerSecret0001");
pub const ZL_QUOTA: (&str, &str) = ("ZLRefZenlayer0002", "RefZenlayerSecret0002");
pub const ZL_OTHER: (&str, &str) = ("ZLRefZenlayer0003", "RefZenlayerSecret0003");

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

/// The reference world with its timings set: a snapshot is made in `snapshot_seconds`, an image
/// in `image_seconds` (0: at once).
pub fn timed_world(snapshot_seconds: u64, image_seconds: u64) -> String {
    reference_with(|w| {
        w["settings"]["timings"] =
            serde_json::json!({"snapshot_seconds": snapshot_seconds, "image_seconds": image_seconds})
    })
}

/// A gateway serving a world from its own table.
pub struct Gateway {
    pub addr: SocketAddr,
    pub store: Store,
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    task: tokio::task::JoinHandle<()>,
    /// When set, requests go over HTTPS with this client configuration (one connection each).
    https: Option<std::sync::Arc<rustls::ClientConfig>>,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A TLS client configuration that trusts the certificate in `pem` alone.
pub fn client_config(pem: &str) -> std::sync::Arc<rustls::ClientConfig> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_slice(pem.as_bytes()).expect("a PEM certificate")).unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    std::sync::Arc::new(config)
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub text: String,
    pub headers: http::HeaderMap,
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

    /// The `Response` object of a Tencent answer, after checking what the SDK relies on: HTTP
    /// 200, `Content-Type: application/json` exactly, and a `RequestId`.
    pub fn tc_response(&self) -> Value {
        assert_eq!(self.status, 200, "{}", self.text);
        assert_eq!(self.content_type, "application/json", "{}", self.text);
        let response = self.json()["Response"].clone();
        assert!(response["RequestId"].as_str().is_some_and(|r| r.len() == 36), "no RequestId: {}", self.text);
        response
    }

    /// The error code of a Tencent answer (`None` for a success).
    pub fn tc_code(&self) -> Option<String> {
        let response = self.tc_response();
        let error = &response["Error"];
        if error.is_null() {
            return None;
        }
        assert!(error["Message"].is_string(), "no Message: {}", self.text);
        Some(error["Code"].as_str().unwrap().to_string())
    }

    /// The code of a Zenlayer error (`None` for a success), after checking the envelope the SDK
    /// relies on: exactly `requestId`, `code` and `message` on an error; `requestId` at the top
    /// and inside `response` on a success.
    pub fn zl_code(&self) -> Option<String> {
        let v = self.json();
        let id = v["requestId"].as_str().unwrap_or_else(|| panic!("no requestId: {}", self.text));
        assert!(id.starts_with('T'), "{}", self.text);
        if self.status == 200 {
            assert_eq!(v["response"]["requestId"].as_str(), Some(id), "{}", self.text);
            return None;
        }
        let mut keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, vec!["code", "message", "requestId"], "{}", self.text);
        Some(v["code"].as_str().unwrap().to_string())
    }

    /// A field of a successful Zenlayer answer's `response`.
    pub fn zl_field(&self, name: &str) -> String {
        assert_eq!(self.zl_code(), None, "{}", self.text);
        self.json()["response"][name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} in {}", self.text))
            .to_string()
    }

    /// A field of a successful Tencent answer.
    pub fn tc_field(&self, name: &str) -> String {
        assert_eq!(self.tc_code(), None, "{}", self.text);
        self.tc_response()[name].as_str().unwrap_or_else(|| panic!("no {name} in {}", self.text)).to_string()
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

    /// The same, serving `/_emulator/` as `control` says.
    pub async fn start_with_control(world: &str, control: Option<service::control::Control>) -> Gateway {
        let gw = Self::start(world).await;
        gw.task.abort();
        Self::serve(App::new(gw.store.clone()).with_control(control), gw.store.clone()).await
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
        Gateway { addr, store, client, task, https: None }
    }

    /// A gateway that serves requests from what its process remembers whatever
    /// `EMULATOR_SPECULATION` says (for the tests that count what that saves), serving
    /// `/_emulator/` as `control` says.
    pub async fn start_speculating(world: &str, control: Option<service::control::Control>) -> Gateway {
        let gw = Self::start(world).await;
        gw.task.abort();
        let store = gw.store.clone().with_speculation(true);
        Self::serve(App::new(store.clone()).with_control(control), store).await
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

    /// The same world and table served with HTTPS on the same port (`tls`), and a client that
    /// speaks HTTPS to it trusting `trusted` (the local CA, or another).
    pub async fn start_with_tls(world: &str, tls: gateway::tls::LocalTls, trusted: &str) -> Gateway {
        let mut gw = Self::start(world).await;
        gw.task.abort();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        gw.addr = listener.local_addr().unwrap();
        let backend = gateway::Backend::InProcess(App::new(gw.store.clone()));
        gw.task = tokio::spawn(gateway::serve_on(listener, backend, Some(tls)));
        gw.https = Some(client_config(trusted));
        gw
    }

    /// The same world and table served with `limits` in place of the gateway's defaults (and
    /// HTTPS on the same port when `tls` is given), for the tests of slow and idle clients.
    pub async fn start_with_limits(
        world: &str,
        tls: Option<gateway::tls::LocalTls>,
        limits: gateway::Limits,
    ) -> Gateway {
        let mut gw = Self::start(world).await;
        gw.task.abort();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        gw.addr = listener.local_addr().unwrap();
        let backend = gateway::Backend::InProcess(App::new(gw.store.clone()));
        gw.task = tokio::spawn(gateway::serve_with_limits(listener, backend, tls, limits));
        gw
    }

    /// Switch this client to plain HTTP (`None`) or to HTTPS trusting `trusted`.
    pub fn use_https(&mut self, trusted: Option<&str>) {
        self.https = trusted.map(client_config);
    }

    async fn send(&self, req: http::Request<Bytes>) -> Reply {
        let (parts, body) = req.into_parts();
        let req = http::Request::from_parts(parts, Full::new(body));
        let resp = match &self.https {
            Some(config) => self.send_tls(config.clone(), req).await,
            None => self.client.request(req).await.expect("gateway answers"),
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let content_type =
            headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Reply { status, content_type, text: String::from_utf8_lossy(&bytes).into_owned(), headers }
    }

    /// One request over a TLS connection of its own, to the gateway's name 127.0.0.1.
    async fn send_tls(
        &self,
        config: std::sync::Arc<rustls::ClientConfig>,
        mut req: http::Request<Full<Bytes>>,
    ) -> hyper::Response<hyper::body::Incoming> {
        let tcp = tokio::net::TcpStream::connect(self.addr).await.expect("connect");
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let stream =
            tokio_rustls::TlsConnector::from(config).connect(name, tcp).await.expect("the TLS handshake");
        let (mut sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .expect("HTTP over TLS");
        tokio::spawn(conn);
        // Over a connection of its own the request goes in origin form.
        let path = req.uri().path_and_query().map_or("/".to_string(), |p| p.to_string());
        *req.uri_mut() = path.parse().unwrap();
        sender.send_request(req).await.expect("gateway answers over TLS")
    }

    /// Call an Alibaba action with `key`, RPC v1 signed, its parameters in a form body (which the
    /// old SDK posts, and which carries what a URI is too short for).
    pub async fn call_form(&self, key: (&str, &str), action: &str, params: &[(&str, &str)]) -> Reply {
        let mut pairs: Vec<(String, String)> = vec![("Action".into(), action.into())];
        pairs.extend(params.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        signature::sign_v1("POST", &mut pairs, key.0, key.1, Utc::now());
        let form = [("content-type", "application/x-www-form-urlencoded")];
        self.raw("POST", "/", &form, query(&pairs).into_bytes()).await
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
                if signing == Signing::None {
                    // What every client sends even unsigned.
                    pairs.push(("Version".into(), dialects::alibaba::API_VERSION.into()));
                }
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

    /// Call a Tencent action in region `region`, signed as `signing` says.
    pub async fn tc_in(
        &self,
        signing: TcSigning,
        key: (&str, &str),
        region: &str,
        action: &str,
        params: Value,
    ) -> Reply {
        let host = self.addr.to_string();
        let now = Utc::now();
        // An action not served is sent as CVM's, in its version.
        let served = dialects::tencent::TencentAction::from_wire(action).map(|a| a.api());
        let service = served.unwrap_or(dialects::tencent::actions::Service::Cvm);
        let version = service.version();
        let service = service.name();
        let req = match signing {
            TcSigning::Tc3 | TcSigning::Tc3Get => {
                let get = signing == TcSigning::Tc3Get;
                let (uri, ct, body) = if get {
                    (
                        format!("/?{}", query(&flatten(&params))),
                        "application/x-www-form-urlencoded",
                        String::new(),
                    )
                } else {
                    ("/".to_string(), "application/json", params.to_string())
                };
                let mut req = http::Request::builder()
                    .method(if get { "GET" } else { "POST" })
                    .uri(uri)
                    .header("host", &host)
                    .header("content-type", ct)
                    .header("x-tc-action", action)
                    .header("x-tc-version", version)
                    .header("x-tc-region", region)
                    .body(Bytes::from(body))
                    .unwrap();
                tc_signature::sign_tc3(&mut req, key.0, key.1, service, now);
                req
            }
            TcSigning::Form | TcSigning::Legacy => {
                let legacy = signing == TcSigning::Legacy;
                let path = if legacy { "/v2/index.php" } else { "/" };
                let mut pairs = flatten(&params);
                for (k, v) in [("Action", action), ("Version", version), ("Region", region)] {
                    pairs.push((k.to_string(), v.to_string()));
                }
                let algorithm = if legacy { TcAlgorithm::HmacSha1 } else { TcAlgorithm::HmacSha256 };
                tc_signature::sign_legacy("POST", &host, path, &mut pairs, key.0, key.1, algorithm, now);
                http::Request::builder()
                    .method("POST")
                    .uri(path)
                    .header("host", &host)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Bytes::from(query(&pairs)))
                    .unwrap()
            }
        };
        let (mut parts, body) = req.into_parts();
        parts.uri = format!("http://{host}{}", parts.uri).parse().unwrap();
        self.send(http::Request::from_parts(parts, body)).await
    }

    /// A TC3 call of `action` signed for `service` with API `version`, whatever the action's own.
    pub async fn tc_as(&self, service: &str, version: &str, action: &str, params: Value) -> Reply {
        let host = self.addr.to_string();
        let mut req = http::Request::builder()
            .method("POST")
            .uri("/")
            .header("host", &host)
            .header("content-type", "application/json")
            .header("x-tc-action", action)
            .header("x-tc-version", version)
            .header("x-tc-region", "ap-guangzhou")
            .body(Bytes::from(params.to_string()))
            .unwrap();
        tc_signature::sign_tc3(&mut req, TC.0, TC.1, service, Utc::now());
        let (mut parts, body) = req.into_parts();
        parts.uri = format!("http://{host}/").parse().unwrap();
        self.send(http::Request::from_parts(parts, body)).await
    }

    /// A Tencent call in `ap-guangzhou`.
    pub async fn tc(&self, signing: TcSigning, key: (&str, &str), action: &str, params: Value) -> Reply {
        self.tc_in(signing, key, "ap-guangzhou", action, params).await
    }

    /// Call a ZEC 2025-09-01 action, signed ZC2-HMAC-SHA256 as the SDK signs it.
    pub async fn zl(&self, key: (&str, &str), action: &str, params: Value) -> Reply {
        self.zl_as(key, "zec", "2025-09-01", action, params).await
    }

    /// Call an action of a Zenlayer service (`zec`, `zrm`, `user`) in a version, posted to
    /// `/api/v2/<service>` and signed as the SDKs sign it.
    pub async fn zl_as(
        &self,
        key: (&str, &str),
        service: &str,
        version: &str,
        action: &str,
        params: Value,
    ) -> Reply {
        let host = self.addr.to_string();
        let path = format!("/api/v2/{service}");
        let mut req = http::Request::builder()
            .method("POST")
            .uri(&path)
            .header("host", &host)
            .header("content-type", "application/json")
            .header("x-zc-action", action)
            .header("x-zc-version", version)
            .header("x-zc-service", service)
            .body(Bytes::from(params.to_string()))
            .unwrap();
        zl_signature::sign(&mut req, key.0, key.1, Utc::now());
        let (mut parts, body) = req.into_parts();
        parts.uri = format!("http://{host}{path}").parse().unwrap();
        self.send(http::Request::from_parts(parts, body)).await
    }

    /// Assert the table's invariants hold (counters, name markers, token leases, orphans).
    pub async fn assert_consistent(&self) {
        let broken = self.store.check_invariants(Utc::now()).await.expect("read the table");
        eprintln!("figures: invariants: {} broken", broken.len());
        assert!(broken.is_empty(), "the table is inconsistent:\n{}", broken.join("\n"));
    }

    /// Another gateway process's view of the same table (as a second Lambda instance would be).
    pub async fn sibling(&self) -> Gateway {
        Self::serve(App::new(self.store.clone()), self.store.clone()).await
    }

    /// A second process on the same table: its own DynamoDB client and caches, serving
    /// `/_emulator/` as `control` says.
    pub async fn second_process(&self, control: Option<service::control::Control>) -> Gateway {
        let store = Store::connect(Some(dynamodb_endpoint()), self.store.table()).await;
        Self::serve(App::new(store.clone()).with_control(control), store).await
    }

    /// Move the virtual clock on by `ms`, as the control plane's `clock` does: what would take
    /// that long (a snapshot, an image) is done without waiting for it.
    pub async fn advance_clock(&self, ms: i64) {
        let moved = self.store.shift_clock(ms).await.expect("move the virtual clock");
        assert!(moved.is_some(), "the virtual clock refused to move {ms} ms");
    }

    /// Read with `read` until `done` holds, moving the virtual clock one second between reads (as
    /// a client's poll would wait); the value that made it. Fails after a minute of virtual time.
    pub async fn poll<T: std::fmt::Debug, F: std::future::Future<Output = T>>(
        &self,
        mut read: impl FnMut() -> F,
        done: impl Fn(&T) -> bool,
        what: &str,
    ) -> T {
        let mut last = None;
        for _ in 0..60 {
            let value = read().await;
            if done(&value) {
                return value;
            }
            last = Some(value);
            self.advance_clock(1_000).await;
        }
        panic!("{what} never came; last read: {last:?}");
    }

    /// Read with `read` until `done` holds, every 10 ms of real time (for what a concurrent call
    /// does meanwhile, which the virtual clock does not move); fails after 10 s.
    pub async fn poll_real<T: std::fmt::Debug, F: std::future::Future<Output = T>>(
        &self,
        mut read: impl FnMut() -> F,
        done: impl Fn(&T) -> bool,
        what: &str,
    ) -> T {
        let started = std::time::Instant::now();
        loop {
            let value = read().await;
            if done(&value) {
                return value;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "{what} never came; last: {value:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// A Tencent call that must succeed: its `Response`.
    pub async fn tc_ok(&self, signing: TcSigning, key: (&str, &str), action: &str, params: Value) -> Value {
        let r = self.tc(signing, key, action, params).await;
        assert_eq!(r.tc_code(), None, "{action}: {}", r.text);
        r.tc_response()
    }

    /// A control-plane call with a JSON body (`Value::Null`: none).
    pub async fn control(&self, method: &str, path: &str, body: Value) -> Reply {
        let body = if body.is_null() { Vec::new() } else { body.to_string().into_bytes() };
        self.raw(method, &format!("/_emulator/{path}"), &[("content-type", "application/json")], body).await
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

/// How a Tencent request is sent and signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcSigning {
    /// API 3.0: `POST /`, JSON body, TC3-HMAC-SHA256 (the SDK's default).
    Tc3,
    /// API 3.0 as a `GET` with the parameters flattened into the query.
    Tc3Get,
    /// The SDK's HmacSHA256 form: everything in a form body on `POST /`.
    Form,
    /// The older CreateImage page: a form body on `POST /v2/index.php`, HmacSHA1.
    Legacy,
}

/// One line of a concurrency test's figures, for the reliability report
/// (`infra/local/reliability.sh` collects and adds them up): how many calls raced, how many
/// resources they made and how many they were allowed to make.
pub fn figures(test: &str, calls: usize, made: usize, allowed: usize) {
    eprintln!(
        "figures: concurrency: {test}: {calls} calls, {made} made, {} duplicates",
        made.saturating_sub(allowed)
    );
}

/// Flatten JSON parameters as the Tencent SDK does for its query forms: `Name.N` from 0,
/// `Name.N.Field`, booleans `True`/`False`.
pub fn flatten(params: &Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
        let name = |k: &str| if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
        match v {
            Value::Object(m) => m.iter().for_each(|(k, v)| walk(&name(k), v, out)),
            Value::Array(a) => a.iter().enumerate().for_each(|(i, v)| walk(&name(&i.to_string()), v, out)),
            Value::Bool(b) => out.push((prefix.to_string(), if *b { "True" } else { "False" }.to_string())),
            Value::String(s) => out.push((prefix.to_string(), s.clone())),
            Value::Number(n) => out.push((prefix.to_string(), n.to_string())),
            Value::Null => {}
        }
    }
    let mut out = Vec::new();
    walk("", params, &mut out);
    out
}

/// Encode pairs as a query string (RFC 3986 escapes, as the old core SDK sends them).
pub fn query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", dialects::encoding::rfc3986(k), dialects::encoding::rfc3986(v)))
        .collect::<Vec<_>>()
        .join("&")
}
