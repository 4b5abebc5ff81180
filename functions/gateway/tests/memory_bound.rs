//! What a gateway process remembers of the table is bounded in bytes, not only in items: the
//! gateway binary, asked for 300 snapshots of 300 long tags each (about 55 MB as it holds them,
//! when it remembers them all), grows by far less than that. Needs DynamoDB Local at
//! `DYNAMODB_ENDPOINT`.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ALI: &str = "LTAI5tRefAlibaba0001";

/// The two tests each load DynamoDB Local with tens of megabytes: one at a time.
static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
const SNAPSHOTS: usize = 300;
const TAGS: usize = 300;
const DISKS: [&str; 4] =
    ["d-ali-running-sys", "d-ali-running-data", "d-ali-stopped-sys", "d-ali-stopped-data"];

/// The reference world, signatures off, and the large snapshots.
fn world() -> String {
    large_snapshots(SNAPSHOTS, TAGS)
}

/// The reference world, signatures off, and `count` snapshots of `tags` long tags each.
fn large_snapshots(count: usize, tags: usize) -> String {
    let mut w: serde_json::Value = serde_json::from_str(world::REFERENCE_WORLD).unwrap();
    w["settings"]["auth"] = "off".into();
    let tags: serde_json::Map<String, serde_json::Value> =
        (0..tags).map(|i| (format!("k{i:04}-{}", "x".repeat(90)), "v".repeat(100).into())).collect();
    let snapshots = w["snapshots"].as_array_mut().unwrap();
    for i in 0..count {
        snapshots.push(serde_json::json!({
            "id": format!("s-ali-mem{i:03}"), "account": "acct-ali", "region": "cn-hangzhou",
            "disk": DISKS[i % DISKS.len()], "source_disk_type": "data", "size_gb": 40, "tags": tags,
        }));
    }
    w.to_string()
}

/// The process's resident size, in bytes.
fn rss(child: &Child) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

/// `count` clients at once that read the answer to `query` whole.
fn serve_readers(port: u16, query: &str, count: usize) {
    let readers: Vec<_> = (0..count)
        .map(|_| {
            let query = query.to_string();
            std::thread::spawn(move || get(port, &query))
        })
        .collect();
    for reader in readers {
        let (status, _) = reader.join().unwrap();
        assert!(status.contains(" 200 "), "{status}");
    }
}

/// How many connections to `port` the server side holds open (established, in /proc/net/tcp).
fn established(port: u16) -> usize {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    let local = format!(":{port:04X}");
    table
        .lines()
        .skip(1)
        .filter(|l| {
            let fields: Vec<&str> = l.split_whitespace().collect();
            fields.len() > 3 && fields[1].ends_with(&local) && fields[3] == "01"
        })
        .count()
}

/// One HTTP/1.1 GET, its status line and body length.
fn get(port: u16, query: &str) -> (String, usize) {
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(tcp, "GET /?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    tcp.read_to_end(&mut answer).unwrap();
    let text = String::from_utf8_lossy(&answer);
    (text.lines().next().unwrap_or_default().to_string(), answer.len())
}

struct Gateway(Child);

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The gateway binary on a free port over a fresh table with `world` loaded, plain HTTP, with
/// the further `args`; once it listens.
fn spawn(world: &str, args: &[&str]) -> (Gateway, u16) {
    let endpoint = std::env::var("DYNAMODB_ENDPOINT")
        .expect("DYNAMODB_ENDPOINT must point at DynamoDB Local (infra/local/test.sh starts it)");
    let dir = std::env::temp_dir().join(format!("memory-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("world.json");
    std::fs::write(&path, world).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let table = format!("t-{}", uuid::Uuid::new_v4().simple());
    let gateway = Gateway(
        Command::new(env!("CARGO_BIN_EXE_gateway"))
            .args(["--port", &port.to_string(), "--table", &table, "--no-tls"])
            .args(["--world", path.to_str().unwrap()])
            .args(args)
            .env("DYNAMODB_ENDPOINT", &endpoint)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the gateway"),
    );
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(120), "the gateway did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::remove_dir_all(&dir).ok();
    (gateway, port)
}

#[test]
fn what_a_process_remembers_is_bounded_in_bytes() {
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    let (gateway, port) = spawn(&world(), &[]);
    let query = |id: &str| {
        format!(
            "Action=DescribeSnapshots&Version=2014-05-26&RegionId=cn-hangzhou&AccessKeyId={ALI}&SnapshotIds=%5B%22{id}%22%5D"
        )
    };
    // Warm: the process has served a large answer once before it is measured.
    for i in 0..20 {
        let (status, _) = get(port, &query(&format!("s-ali-mem{i:03}")));
        assert!(status.contains(" 200 "), "{status}");
    }
    let before = rss(&gateway.0);
    let mut answered = 0;
    for i in 0..SNAPSHOTS {
        let (status, length) = get(port, &query(&format!("s-ali-mem{i:03}")));
        assert!(status.contains(" 200 "), "{status}");
        answered += length;
    }
    let after = rss(&gateway.0);
    let grown = after.saturating_sub(before);
    println!(
        "figures: memory: {SNAPSHOTS} snapshots read ({} MB answered), RSS {} MB before, {} MB after (+{} MB)",
        answered >> 20,
        before >> 20,
        after >> 20,
        grown >> 20
    );
    // Two generations of 8 MiB, with the allocator's slack (about 15 MB measured); remembering
    // them all grew it by about 55 MB.
    assert!(grown < 40 << 20, "the process grew by {} MB reading {SNAPSHOTS} large snapshots", grown >> 20);
}

/// Clients that ask for a large answer and never read it hold it only until the write has made no
/// progress for the stall limit (here 2 s): the gateway answers others meanwhile, closes the stuck
/// connections, and gives back what their answers took: serving the same answers again reuses
/// it, and the process does not grow past the peak it reached while they were stuck.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
// The lock only orders this test after the other, which runs on a thread of its own: nothing in
// this runtime ever waits for it.
#[allow(clippy::await_holding_lock)]
async fn stuck_readers_are_let_go_and_their_answers_given_back() {
    const STUCK: usize = 4;
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    let (gateway, port) = spawn(&large_snapshots(40, 1000), &["--write-stall", "2"]);
    let page = format!(
        "Action=DescribeSnapshots&Version=2014-05-26&RegionId=cn-hangzhou&AccessKeyId={ALI}&PageSize=100"
    );
    let (status, length) = get(port, &page);
    assert!(status.contains(" 200 ") && length > 8_000_000, "{status} {length}");
    let before = rss(&gateway.0);
    let mut stuck = Vec::new();
    for _ in 0..STUCK {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let mut tcp = socket.connect(([127, 0, 0, 1], port).into()).await.unwrap();
        let request = format!("GET /?{page} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        tokio::io::AsyncWriteExt::write_all(&mut tcp, request.as_bytes()).await.unwrap();
        stuck.push(tcp);
    }
    // Others are answered meanwhile.
    let small = format!(
        "Action=DescribeSnapshots&Version=2014-05-26&RegionId=cn-hangzhou&AccessKeyId={ALI}&PageSize=1"
    );
    let (status, _) = tokio::task::spawn_blocking(move || get(port, &small)).await.unwrap();
    assert!(status.contains(" 200 "), "{status}");
    // The gateway lets them go: it holds no connection open any more.
    let mut peak = rss(&gateway.0);
    let waiting = Instant::now();
    while established(port) > 0 {
        peak = peak.max(rss(&gateway.0));
        assert!(waiting.elapsed() < Duration::from_secs(90), "the stuck connections are still open");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Each stuck connection was closed, its answer cut short.
    for (i, tcp) in stuck.iter_mut().enumerate() {
        let mut got = 0usize;
        let mut buf = vec![0u8; 1 << 16];
        let read = async {
            loop {
                match tokio::io::AsyncReadExt::read(tcp, &mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => got += n,
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(60), read)
            .await
            .unwrap_or_else(|_| panic!("stuck client {i} still open"));
        assert!(got < length, "stuck client {i}: {got} of {length} bytes");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = rss(&gateway.0);
    // What they held was given back: serving the same answers again reuses it, and the process
    // does not grow past the peak it reached while they were stuck.
    serve_readers(port, &page, STUCK);
    let again = rss(&gateway.0);
    println!(
        "figures: stuck readers: {STUCK} clients of a {} MB answer; RSS {} MB before, {} MB at the peak seen, {} MB once they were let go, {} MB after serving readers the same answers",
        length >> 20,
        before >> 20,
        peak >> 20,
        after >> 20,
        again >> 20
    );
    assert!(
        again < peak + (16 << 20),
        "the process grew to {} MB past its peak of {} MB",
        again >> 20,
        peak >> 20
    );
}
