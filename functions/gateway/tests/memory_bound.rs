//! What a gateway process remembers of the table is bounded in bytes, not only in items: the
//! gateway binary, asked for 300 snapshots of 300 long tags each (about 55 MB as it holds them,
//! when it remembers them all), grows by far less than that. Needs DynamoDB Local at
//! `DYNAMODB_ENDPOINT`.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ALI: &str = "LTAI5tRefAlibaba0001";
const SNAPSHOTS: usize = 300;
const TAGS: usize = 300;
const DISKS: [&str; 4] =
    ["d-ali-running-sys", "d-ali-running-data", "d-ali-stopped-sys", "d-ali-stopped-data"];

/// The reference world, signatures off, and the large snapshots.
fn world() -> String {
    let mut w: serde_json::Value = serde_json::from_str(world::REFERENCE_WORLD).unwrap();
    w["settings"]["auth"] = "off".into();
    let tags: serde_json::Map<String, serde_json::Value> =
        (0..TAGS).map(|i| (format!("k{i:03}-{}", "x".repeat(90)), "v".repeat(100).into())).collect();
    let snapshots = w["snapshots"].as_array_mut().unwrap();
    for i in 0..SNAPSHOTS {
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

#[test]
fn what_a_process_remembers_is_bounded_in_bytes() {
    let endpoint = std::env::var("DYNAMODB_ENDPOINT")
        .expect("DYNAMODB_ENDPOINT must point at DynamoDB Local (infra/local/test.sh starts it)");
    let dir = std::env::temp_dir().join(format!("memory-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("world.json");
    std::fs::write(&path, world()).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let table = format!("t-{}", uuid::Uuid::new_v4().simple());
    let gateway = Gateway(
        Command::new(env!("CARGO_BIN_EXE_gateway"))
            .args(["--port", &port.to_string(), "--table", &table, "--no-tls"])
            .args(["--world", path.to_str().unwrap()])
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
    std::fs::remove_dir_all(&dir).ok();
}
