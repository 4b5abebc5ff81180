//! `bench [--endpoint 127.0.0.1:18080] [--table bench] [--requests 2000] [--concurrency 1,16]`
//!
//! Loads a benchmark world (one Alibaba account with many disks, snapshots done at once, no
//! quota in the way) into `--table`, then drives the gateway at `--endpoint` over HTTP with
//! signed requests, as an SDK would: CreateSnapshot (each with a ClientToken), DescribeSnapshots
//! by id, and CreateSnapshot replays of a token. Prints latency percentiles and throughput per
//! action and concurrency. The gateway must serve the same table (`gateway --table bench`).

use bytes::Bytes;
use chrono::Utc;
use dialects::alibaba::signature;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const KEY: (&str, &str) = ("LTAIbench000000000001", "BenchSecret0001");
const DISKS: usize = 200;

struct Args {
    endpoint: String,
    table: String,
    requests: usize,
    concurrency: Vec<usize>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        endpoint: "127.0.0.1:18080".into(),
        table: "bench".into(),
        requests: 2000,
        concurrency: vec![1, 16],
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--endpoint" => a.endpoint = value,
            "--table" => a.table = value,
            "--requests" => a.requests = value.parse().map_err(|_| "--requests takes a number")?,
            "--concurrency" => {
                a.concurrency = value
                    .split(',')
                    .map(|c| {
                        c.trim()
                            .parse::<usize>()
                            .map_err(|_| "--concurrency takes numbers like 1,16".to_string())
                    })
                    .collect::<Result<_, _>>()?
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

/// One account in one region with `DISKS` attached disks; snapshots complete at once.
fn bench_world() -> String {
    let disks: Vec<serde_json::Value> = (0..DISKS)
        .map(|i| {
            serde_json::json!({"id": format!("d-bench-{i}"), "account": "acct-bench", "region": "cn-hangzhou",
                "zone": "cn-hangzhou-h", "type": if i == 0 { "system" } else { "data" }, "instance": "i-bench"})
        })
        .collect();
    serde_json::json!({
        "version": 1,
        "settings": {"timings": {"snapshot_seconds": 0, "image_seconds": 0}},
        "accounts": [{"id": "acct-bench", "provider": "alibaba",
            "credentials": [{"access_key_id": KEY.0, "secret": KEY.1}],
            "quotas": {"snapshots_per_disk": 1000000, "images_per_region": 1000000}}],
        "regions": [{"id": "cn-hangzhou", "provider": "alibaba", "zones": ["cn-hangzhou-h"]}],
        "instances": [{"id": "i-bench", "account": "acct-bench", "region": "cn-hangzhou", "zone": "cn-hangzhou-h"}],
        "disks": disks,
    })
    .to_string()
}

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

/// One signed RPC call; returns the status and body.
async fn call(client: &HttpClient, endpoint: &str, action: &str, params: &[(&str, String)]) -> (u16, String) {
    let mut pairs: Vec<(String, String)> = vec![("Action".into(), action.into())];
    pairs.extend(params.iter().map(|(k, v)| (k.to_string(), v.clone())));
    signature::sign_v1("POST", &mut pairs, KEY.0, KEY.1, Utc::now());
    let query: String = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", dialects::encoding::rfc3986(k), dialects::encoding::rfc3986(v)))
        .collect::<Vec<_>>()
        .join("&");
    let req = http::Request::builder()
        .method("POST")
        .uri(format!("http://{endpoint}/?{query}"))
        .header("host", endpoint)
        .body(Full::new(Bytes::new()))
        .expect("valid request");
    match client.request(req).await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let body = resp.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
        Err(e) => (0, e.to_string()),
    }
}

/// Run `requests` calls made by `make(i)` with `concurrency` workers; print the figures.
async fn measure<F, Fut>(label: &str, requests: usize, concurrency: usize, make: F)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = (u16, String)> + Send,
{
    let make = Arc::new(make);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (make, next) = (make.clone(), next.clone());
        workers.spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    return (latencies, failures);
                }
                let t = Instant::now();
                let (status, body) = make(i).await;
                latencies.push(t.elapsed());
                if status != 200 {
                    failures += 1;
                    if failures == 1 {
                        eprintln!("bench: {status} {body}");
                    }
                }
            }
        });
    }
    let mut all: Vec<Duration> = Vec::new();
    let mut failures = 0;
    for (lat, f) in workers.join_all().await {
        all.extend(lat);
        failures += f;
    }
    let elapsed = started.elapsed();
    all.sort();
    let pct =
        |p: f64| all[((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1].as_secs_f64() * 1000.0;
    println!(
        "{label:<26} c={concurrency:<3} n={:<6} {:>8.1} req/s   p50 {:>6.2} ms   p90 {:>6.2} ms   p99 {:>6.2} ms   max {:>7.2} ms   errors {failures}",
        all.len(),
        all.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.90),
        pct(0.99),
        all.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
    );
}

/// `requests` CreateSnapshot calls spread over the disks, call `i` with the token `<run>-<i>`.
async fn creates(label: &str, client: &HttpClient, endpoint: &str, run: &str, requests: usize, c: usize) {
    let (cl, ep, run) = (client.clone(), endpoint.to_string(), run.to_string());
    measure(label, requests, c, move |i| {
        let (cl, ep) = (cl.clone(), ep.clone());
        let params = [("DiskId", format!("d-bench-{}", i % DISKS)), ("ClientToken", format!("{run}-{i}"))];
        async move { call(&cl, &ep, "CreateSnapshot", &params).await }
    })
    .await;
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("bench: {e}\nusage: bench [--endpoint HOST:PORT] [--table NAME] [--requests N] [--concurrency 1,16]");
            return std::process::ExitCode::from(2);
        }
    };
    let store = store::Store::from_env(args.table.clone()).await;
    let world = world::parse(&bench_world(), Utc::now()).expect("the bench world is valid");
    if let Err(e) = store.ensure_table().await.and(store.load_world(&world).await.map(|_| ())) {
        eprintln!("bench: loading the bench world into {}: {e}", args.table);
        return std::process::ExitCode::FAILURE;
    }
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    println!(
        "bench: {} requests per run against http://{} (table {})",
        args.requests, args.endpoint, args.table
    );
    let base = uuid::Uuid::new_v4().simple().to_string();
    for &c in &args.concurrency {
        let run = format!("{base}-{c}");
        creates("CreateSnapshot", &client, &args.endpoint, &run, args.requests, c).await;
        // The same tokens again: each answers its first snapshot.
        creates("CreateSnapshot (replay)", &client, &args.endpoint, &run, args.requests, c).await;
        // Polling one snapshot by id, as SDK users wait for a snapshot to complete.
        let (cl, ep) = (client.clone(), args.endpoint.clone());
        let disk = ("DiskId", "d-bench-0".to_string());
        let (_, first) = call(&cl, &ep, "CreateSnapshot", &[disk]).await;
        let id = serde_json::from_str::<serde_json::Value>(&first)
            .ok()
            .and_then(|v| v["SnapshotId"].as_str().map(str::to_string))
            .unwrap_or_default();
        let ids = format!("[\"{id}\"]");
        measure("DescribeSnapshots (by id)", args.requests, c, move |_| {
            let (cl, ep, ids) = (cl.clone(), ep.clone(), ids.clone());
            async move {
                let params = [("RegionId", "cn-hangzhou".to_string()), ("SnapshotIds", ids)];
                call(&cl, &ep, "DescribeSnapshots", &params).await
            }
        })
        .await;
    }
    std::process::ExitCode::SUCCESS
}
