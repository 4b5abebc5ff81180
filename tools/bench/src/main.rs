//! `bench --endpoint HOST:PORT --moto HOST:PORT [--table bench] [--requests 2000] [--concurrency 1,16]`
//!
//! Measures, in one run on one machine, three things side by side for each call and concurrency:
//!
//! - **ours**: the gateway at `--endpoint` (started with `--control-plane`, serving `--table`),
//!   driven with signed requests as the SDKs send them;
//! - **floor**: the DynamoDB calls one of those requests makes, issued directly from this process
//!   through the same store code, with nothing else around them (no HTTP, no parsing, no
//!   signatures) — what the store alone costs;
//! - **bare**: for a create, its transaction as the floor committed it, sent again with nothing
//!   before it (fresh keys for what it creates) — what DynamoDB Local alone costs;
//! - **moto**: the peer, moto's server at `--moto`, doing the EC2 call that matches.
//!
//! It prints req/s, p50, p99, errors, DynamoDB requests per request and, at concurrency 1, round
//! trips of time per request (requests sent side by side count once; both counted by the store's
//! client, not assumed), then one line per call, last, of the form
//! `ratio <call> c=<n> ours/moto=<x.xx> ours/floor=<x.xx> ours/bare=<x.xx> p50 ours=… moto=…`
//! (throughput ratios, then the two medians).

mod bare;
mod clients;
mod floor;
mod lambda;
mod load;
mod world;

use clients::{Http, Moto, Ours};
use load::Figures;
use serde_json::json;
use std::process::ExitCode;
use std::sync::Arc;
use store::Store;

/// Measure ours, the floor, the bare transaction and moto side by side.
#[derive(clap::Parser)]
#[command(name = "bench")]
struct Args {
    /// The gateway (started with `--control-plane`, serving `--table`).
    #[arg(long, value_name = "HOST:PORT")]
    endpoint: String,
    /// moto's server: the figures are only worth it side by side.
    #[arg(long, value_name = "HOST:PORT")]
    moto: String,
    /// A function binary to start under a Lambda runtime API, for its cold start and memory.
    #[arg(long, value_name = "BINARY")]
    function: Option<String>,
    #[arg(long, default_value = "bench")]
    table: String,
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    #[arg(long, value_delimiter = ',', default_values_t = [1, 16])]
    concurrency: Vec<usize>,
    /// Only the calls whose names start with one of these (all when none).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

/// The calls measured: ours, the floor of the same call, and the peer's matching call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Call {
    AliCreateSnapshotToken,
    AliCreateSnapshot,
    AliCreateSnapshotReplay,
    AliCreateImage,
    AliDescribeSnapshots,
    TcCreateSnapshot,
    ZlCreateSnapshot,
}

impl Call {
    const ALL: [Call; 7] = [
        Call::AliCreateSnapshotToken,
        Call::AliCreateSnapshot,
        Call::AliCreateSnapshotReplay,
        Call::AliCreateImage,
        Call::AliDescribeSnapshots,
        Call::TcCreateSnapshot,
        Call::ZlCreateSnapshot,
    ];

    fn name(self) -> &'static str {
        match self {
            Call::AliCreateSnapshotToken => "alibaba.CreateSnapshot+token",
            Call::AliCreateSnapshot => "alibaba.CreateSnapshot",
            Call::AliCreateSnapshotReplay => "alibaba.CreateSnapshot.replay",
            Call::AliCreateImage => "alibaba.CreateImage",
            Call::AliDescribeSnapshots => "alibaba.DescribeSnapshots.byId",
            Call::TcCreateSnapshot => "tencent.CreateSnapshot",
            Call::ZlCreateSnapshot => "zenlayer.CreateSnapshot",
        }
    }

    /// The peer's call this one is compared with.
    fn peer(self) -> Peer {
        match self {
            Call::AliCreateImage => Peer::CreateImage,
            Call::AliDescribeSnapshots => Peer::DescribeSnapshots,
            _ => Peer::CreateSnapshot,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Peer {
    CreateSnapshot,
    CreateImage,
    DescribeSnapshots,
}

/// What every call needs: the clients, the store the floor uses, and ids made during set-up.
pub struct Ctx {
    pub ours: Ours,
    pub moto: Moto,
    pub store: Store,
    /// A snapshot of ours to poll.
    pub snapshot: String,
    /// Snapshots of ours to make images from, one per system disk (images spread over them, as a
    /// user's would be).
    pub image_sources: Vec<String>,
    /// The peer's instance, its root volume and one of its snapshots.
    pub moto_instance: String,
    pub moto_volume: String,
    pub moto_snapshot: String,
    /// Tells this run's tokens and names apart from other runs'.
    pub run: String,
}

impl Ctx {
    /// The snapshot call `i` makes its image from.
    pub fn image_source(&self, i: usize) -> String {
        self.image_sources[i % self.image_sources.len()].clone()
    }
}

async fn ours_call(ctx: &Ctx, call: Call, c: usize, i: usize) -> Result<(), String> {
    let token = format!("{}-{c}-{i}", ctx.run);
    let ali_disk = || ("DiskId", world::disk("alibaba", i));
    match call {
        Call::AliCreateSnapshotToken | Call::AliCreateSnapshotReplay => {
            ctx.ours.alibaba("CreateSnapshot", &[ali_disk(), ("ClientToken", token)]).await.map(drop)
        }
        Call::AliCreateSnapshot => ctx.ours.alibaba("CreateSnapshot", &[ali_disk()]).await.map(drop),
        Call::AliCreateImage => {
            let params = [
                ("RegionId", "cn-hangzhou".to_string()),
                ("SnapshotId", ctx.image_source(i)),
                ("ImageName", format!("bench-{token}")),
                ("ClientToken", token),
            ];
            ctx.ours.alibaba("CreateImage", &params).await.map(drop)
        }
        Call::AliDescribeSnapshots => {
            let params =
                [("RegionId", "cn-hangzhou".to_string()), ("SnapshotIds", format!("[\"{}\"]", ctx.snapshot))];
            let found = ctx.ours.alibaba("DescribeSnapshots", &params).await?;
            match found["TotalCount"].as_u64() {
                Some(1) => Ok(()),
                _ => Err(format!("the snapshot was not found: {found}")),
            }
        }
        Call::TcCreateSnapshot => ctx
            .ours
            .tencent("cbs", "CreateSnapshot", json!({"DiskId": world::disk("tencent", i)}))
            .await
            .map(drop),
        Call::ZlCreateSnapshot => {
            let params = json!({"diskId": world::disk("zenlayer", i), "snapshotName": format!("bench-{i}")});
            ctx.ours.zenlayer("CreateSnapshot", params).await.map(drop)
        }
    }
}

async fn moto_call(ctx: &Ctx, peer: Peer, c: usize, i: usize) -> Result<(), String> {
    match peer {
        Peer::CreateSnapshot => {
            ctx.moto.ec2("CreateSnapshot", &[("VolumeId", ctx.moto_volume.clone())]).await.map(drop)
        }
        Peer::CreateImage => {
            let params =
                [("InstanceId", ctx.moto_instance.clone()), ("Name", format!("bench-{}-{c}-{i}", ctx.run))];
            ctx.moto.ec2("CreateImage", &params).await.map(drop)
        }
        Peer::DescribeSnapshots => {
            let found =
                ctx.moto.ec2("DescribeSnapshots", &[("SnapshotId.1", ctx.moto_snapshot.clone())]).await?;
            match found.contains(&ctx.moto_snapshot) {
                true => Ok(()),
                false => Err(format!("the snapshot was not found: {found}")),
            }
        }
    }
}

/// One row of the table, printed as it is measured.
/// `trips`: the DynamoDB requests and the round trips of time the figure's requests made (the
/// second only means one request's wait at concurrency 1).
fn row(call: &str, who: &str, c: usize, f: &Figures, trips: Option<(u64, u64)>) {
    let per = |n: u64| n as f64 / f.requests.max(1) as f64;
    let sent = trips.map_or("-".to_string(), |(sent, _)| format!("{:.2}", per(sent)));
    let waits = trips.filter(|_| c == 1).map_or("-".to_string(), |(_, waits)| format!("{:.2}", per(waits)));
    println!(
        "| {call:<31} | {who:<5} | {c:>2} | {:>8.1} | {:>7.2} ms | {:>7.2} ms | {:>4} | {sent:>5} | {waits:>5} |",
        f.per_second, f.p50_ms, f.p99_ms, f.errors
    );
}

/// What `before` and `after` counted in between.
fn since(before: (u64, u64), after: (u64, u64)) -> (u64, u64) {
    (after.0.saturating_sub(before.0), after.1.saturating_sub(before.1))
}

async fn set_up(args: &Args) -> Result<Ctx, String> {
    let store = Store::from_env(args.table.clone()).await;
    let parsed = world::text();
    let world = ::world::parse(&parsed, chrono::Utc::now()).map_err(|e| format!("the bench world: {e}"))?;
    store.ensure_table().await.map_err(|e| format!("table {}: {e}", args.table))?;
    store.load_world(&world).await.map_err(|e| format!("loading the bench world: {e}"))?;
    let http = Http::new();
    let ours = Ours { http: http.clone(), endpoint: args.endpoint.clone() };
    let moto = Moto { http, endpoint: args.moto.clone() };
    ours.round_trips().await?;
    let made = ours.alibaba("CreateSnapshot", &[("DiskId", world::disk("alibaba", 0))]).await?;
    let snapshot = made["SnapshotId"].as_str().ok_or("no SnapshotId")?.to_string();
    let mut image_sources = Vec::new();
    for k in 0..world::IMAGE_DISKS {
        let made = ours.alibaba("CreateSnapshot", &[("DiskId", world::image_disk(k))]).await?;
        image_sources.push(made["SnapshotId"].as_str().ok_or("no SnapshotId")?.to_string());
    }
    // The peer: one instance from its first built-in image, its root volume, one snapshot.
    let images = moto.ec2("DescribeImages", &[("Owner.1", "amazon".into())]).await?;
    let ami = clients::xml_field(&images, "imageId").ok_or("moto lists no image")?;
    let ran = moto
        .ec2("RunInstances", &[("ImageId", ami), ("MinCount", "1".into()), ("MaxCount", "1".into())])
        .await?;
    let moto_instance = clients::xml_field(&ran, "instanceId").ok_or("RunInstances gave no instance")?;
    let volumes = moto
        .ec2(
            "DescribeVolumes",
            &[
                ("Filter.1.Name", "attachment.instance-id".into()),
                ("Filter.1.Value.1", moto_instance.clone()),
            ],
        )
        .await?;
    let moto_volume = clients::xml_field(&volumes, "volumeId").ok_or("the instance has no volume")?;
    let snap = moto.ec2("CreateSnapshot", &[("VolumeId", moto_volume.clone())]).await?;
    let moto_snapshot = clients::xml_field(&snap, "snapshotId").ok_or("CreateSnapshot gave no id")?;
    let run = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
    Ok(Ctx { ours, moto, store, snapshot, image_sources, moto_instance, moto_volume, moto_snapshot, run })
}

/// Exec to the first invocation answered, and the resident memory after 1,000 more, of a
/// function binary serving signed DescribeSnapshots calls from load-balancer events.
async fn cold_start(ctx: &Ctx, binary: &str, table: &str) -> Result<String, String> {
    let mut env: Vec<(&str, String)> = vec![("TABLE_NAME", table.to_string()), ("RUST_LOG", "warn".into())];
    for name in [
        "DYNAMODB_ENDPOINT",
        "AWS_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_EC2_METADATA_DISABLED",
    ] {
        if let Ok(v) = std::env::var(name) {
            env.push((name, v));
        }
    }
    let snapshot = ctx.snapshot.clone();
    let event = move |_| {
        let mut pairs = vec![
            ("Action".to_string(), "DescribeSnapshots".to_string()),
            ("RegionId".to_string(), "cn-hangzhou".to_string()),
            ("SnapshotIds".to_string(), format!("[\"{snapshot}\"]")),
        ];
        dialects::alibaba::signature::sign_v1(
            "POST",
            &mut pairs,
            clients::ALI.0,
            clients::ALI.1,
            chrono::Utc::now(),
        );
        let query: serde_json::Map<String, serde_json::Value> =
            pairs.into_iter().map(|(k, v)| (k, dialects::encoding::rfc3986(&v).into())).collect();
        json!({
            "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/describe/b"}},
            "httpMethod": "POST", "path": "/", "queryStringParameters": query,
            "headers": {"host": "ecs.bench.example", "content-length": "0"},
            "body": "", "isBase64Encoded": false
        })
        .to_string()
    };
    let ok = |answer: &str| answer.contains("\"statusCode\":200") && answer.contains("TotalCount");
    let run = lambda::measure(binary, &env, 1000, event, ok).await?;
    Ok(format!(
        "coldstart {}: first invocation answered {:.1} ms after exec; RSS after {} more {:.1} MiB (peak {:.1} MiB); errors {}",
        std::path::Path::new(binary).file_name().and_then(|n| n.to_str()).unwrap_or(binary),
        run.first_answer.as_secs_f64() * 1000.0,
        run.requests,
        run.rss_kib as f64 / 1024.0,
        run.peak_kib as f64 / 1024.0,
        run.errors
    ))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = <Args as clap::Parser>::parse();
    let ctx = match set_up(&args).await {
        Ok(ctx) => Arc::new(ctx),
        Err(e) => {
            eprintln!("bench: setting up: {e}");
            return ExitCode::FAILURE;
        }
    };
    // (A replay replays the tokens of the `+token` call: `--only` keeps both or neither.)
    let calls: Vec<Call> = Call::ALL
        .into_iter()
        .filter(|c| args.only.is_empty() || args.only.iter().any(|o| c.name().starts_with(o.as_str())))
        .collect();
    // Warm up first (the JIT of DynamoDB Local, connection pools, each disk's instance guess), so
    // that the first figure is not paying for it: each call, ours and the floor, then the peer.
    let warm = world::DISKS;
    for &call in &calls {
        let cx = ctx.clone();
        load::measure(warm, 4, move |i| {
            let cx = cx.clone();
            async move { ours_call(&cx, call, 0, i).await }
        })
        .await;
        let cx = ctx.clone();
        load::measure(warm, 4, move |i| {
            let cx = cx.clone();
            async move { floor::run(&cx, &cx.store, call, 0, i).await }
        })
        .await;
    }
    for peer in [Peer::CreateSnapshot, Peer::CreateImage, Peer::DescribeSnapshots] {
        let cx = ctx.clone();
        load::measure(warm, 4, move |i| {
            let cx = cx.clone();
            async move { moto_call(&cx, peer, 0, i).await }
        })
        .await;
    }
    // Each create's transaction, captured from the floor once it runs warm, for the bare line.
    let mut captured = std::collections::HashMap::new();
    for &call in &calls {
        match bare::capture(&ctx, call).await {
            Ok(Some(transactions)) => {
                captured.insert(call, Arc::new(transactions));
            }
            Ok(None) => {}
            Err(e) => {
                eprintln!("bench: capturing the transactions of {}: {e}", call.name());
                return ExitCode::FAILURE;
            }
        }
    }
    println!(
        "bench: {} requests per figure; ours http://{}, moto http://{}",
        args.requests, args.endpoint, args.moto
    );
    println!("| call | who | c | req/s | p50 | p99 | errors | DynamoDB requests/request | round trips of time/request |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut ratios = Vec::new();
    let mut failed = false;
    for &c in &args.concurrency {
        let mut peers: Vec<(Peer, Figures)> = Vec::new();
        for &call in &calls {
            let before = ctx.ours.round_trips().await.unwrap_or_default();
            let cx = ctx.clone();
            let ours = load::measure(args.requests, c, move |i| {
                let cx = cx.clone();
                async move { ours_call(&cx, call, c, i).await }
            })
            .await;
            let trips = since(before, ctx.ours.round_trips().await.unwrap_or_default());
            row(call.name(), "ours", c, &ours, Some(trips));
            let store_trips = |store: &Store| (store.round_trips(), store.round_trip_waits());
            let before = store_trips(&ctx.store);
            let cx = ctx.clone();
            let floor = load::measure(args.requests, c, move |i| {
                let cx = cx.clone();
                async move { floor::run(&cx, &cx.store, call, c, i).await }
            })
            .await;
            row(call.name(), "floor", c, &floor, Some(since(before, store_trips(&ctx.store))));
            // The bare transaction of the same call, where it makes one.
            let bare = match captured.get(&call) {
                Some(transactions) => {
                    let before = store_trips(&ctx.store);
                    let (cx, transactions) = (ctx.clone(), transactions.clone());
                    let f = load::measure(args.requests, c, move |i| {
                        let (cx, transactions) = (cx.clone(), transactions.clone());
                        async move { bare::run(&cx, &transactions, i).await }
                    })
                    .await;
                    row(call.name(), "bare", c, &f, Some(since(before, store_trips(&ctx.store))));
                    failed |= f.errors > 0;
                    Some(f)
                }
                None => None,
            };
            let peer = call.peer();
            let moto = match peers.iter().find(|(p, _)| *p == peer) {
                Some((_, f)) => f.clone(),
                None => {
                    let cx = ctx.clone();
                    let f = load::measure(args.requests, c, move |i| {
                        let cx = cx.clone();
                        async move { moto_call(&cx, peer, c, i).await }
                    })
                    .await;
                    row(&format!("moto EC2 {peer:?}"), "moto", c, &f, None);
                    peers.push((peer, f.clone()));
                    f
                }
            };
            failed |= ours.errors + floor.errors + moto.errors > 0;
            let to_bare = bare.map_or("-".into(), |b| format!("{:.2}", ours.per_second / b.per_second));
            ratios.push(format!(
                "ratio {} c={c} ours/moto={:.2} ours/floor={:.2} ours/bare={to_bare} p50 ours={:.2} ms moto={:.2} ms",
                call.name(),
                ours.per_second / moto.per_second,
                ours.per_second / floor.per_second,
                ours.p50_ms,
                moto.p50_ms
            ));
        }
    }
    if let Some(binary) = &args.function {
        match cold_start(&ctx, binary, &args.table).await {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("bench: the cold start of {binary}: {e}");
                failed = true;
            }
        }
    }
    for line in ratios {
        println!("{line}");
    }
    if failed {
        eprintln!("bench: some calls failed (see above): the figures above count them as errors");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
