//! Slow, stuck and idle clients are let go: a connection that holds half a header, half a TLS
//! record, half a body or nothing at all, or that stops reading its answer, is closed once the
//! gateway's limit for it passes, a
//! malformed chunked body is refused as unreadable (not as too large), and the connection cap
//! keeps further clients waiting until a connection ends. The gateway here runs with limits of
//! one second, so that each test takes a few seconds.

use integration_tests::*;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The gateway's limits in these tests.
const LIMIT: Duration = Duration::from_secs(1);
const CAP: usize = 2;

/// Well past every limit: a connection still open by then was not let go.
const BOUND: Duration = Duration::from_secs(5);

fn limits() -> gateway::Limits {
    gateway::Limits {
        header_read: LIMIT,
        tls_handshake: LIMIT,
        body_read: LIMIT,
        write_stall: LIMIT,
        max_connections: CAP,
    }
}

async fn gateway(tls: Option<gateway::tls::LocalTls>) -> Gateway {
    Gateway::start_with_limits(REFERENCE_WORLD, tls, limits()).await
}

fn local_tls() -> (gateway::tls::LocalTls, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("tls-{}", uuid::Uuid::new_v4().simple()));
    (gateway::tls::local_tls(&dir, &[]).expect("the local CA"), dir)
}

/// Read until the server closes the connection (an end of file, or a reset), within [`BOUND`]:
/// what it sent, and when it closed. Panics when the connection is still open by then.
async fn closed<S: AsyncRead + Unpin>(stream: &mut S, what: &str) -> (Vec<u8>, Duration) {
    let started = Instant::now();
    let mut got = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    if tokio::time::timeout(BOUND, read).await.is_err() {
        panic!("{what}: the connection is still open after {BOUND:?}");
    }
    (got, started.elapsed())
}

/// An HTTP answer read off the wire: status and body.
struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    fn parse(raw: &[u8]) -> Answer {
        let text = String::from_utf8_lossy(raw);
        let (head, body) =
            text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("not an HTTP answer: {text}"));
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{head}"));
        Answer { status, body: body.to_string() }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

#[tokio::test]
async fn half_a_header_is_let_go() {
    let gw = gateway(None).await;
    let mut tcp = TcpStream::connect(gw.addr).await.unwrap();
    tcp.write_all(b"POST / HTTP/1.1\r\nHost: ecs.aliyuncs.com\r\nContent-Type: appl").await.unwrap();
    let (_, after) = closed(&mut tcp, "half a header").await;
    assert!(after >= LIMIT / 2, "closed after {after:?}, before the header timeout");
}

#[tokio::test]
async fn half_a_tls_record_is_let_go() {
    let (tls, dir) = local_tls();
    let gw = gateway(Some(tls)).await;
    let mut tcp = TcpStream::connect(gw.addr).await.unwrap();
    // A handshake record header announcing 512 bytes, and two of them.
    tcp.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]).await.unwrap();
    closed(&mut tcp, "half a TLS record").await;
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_client_that_sends_nothing_is_let_go_with_and_without_tls() {
    let (tls, dir) = local_tls();
    for tls in [None, Some(tls)] {
        let mode = if tls.is_some() { "HTTP and HTTPS" } else { "HTTP only" };
        let gw = gateway(tls).await;
        let mut tcp = TcpStream::connect(gw.addr).await.unwrap();
        let (got, _) = closed(&mut tcp, &format!("silent client, {mode}")).await;
        assert!(got.is_empty(), "{mode}: {}", String::from_utf8_lossy(&got));
    }
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_kept_alive_connection_idle_between_requests_is_let_go() {
    let gw = gateway(None).await;
    let mut tcp = TcpStream::connect(gw.addr).await.unwrap();
    tcp.write_all(b"GET /?Action=DescribeSnapshots HTTP/1.1\r\nHost: ecs.aliyuncs.com\r\n\r\n")
        .await
        .unwrap();
    // The answer (an unsigned request's refusal), read to the end of its body; the connection
    // stays open for the next request, then idles.
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let answered = async {
        loop {
            let n = tcp.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed before answering: {}", String::from_utf8_lossy(&got));
            got.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&got).to_string();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length: ").map(str::to_string))
                    .and_then(|l| l.trim().parse::<usize>().ok())
                    .expect("a Content-Length");
                if body.len() >= length {
                    return Answer::parse(text.as_bytes());
                }
            }
        }
    };
    let answer = tokio::time::timeout(BOUND, answered).await.expect("an answer");
    assert!(answer.json()["Code"].is_string(), "not the Alibaba envelope: {}", answer.body);
    let (rest, after) = closed(&mut tcp, "idle kept-alive connection").await;
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
    assert!(after >= LIMIT / 2, "closed after {after:?}: keep-alive was not honoured");
}

#[tokio::test]
async fn a_body_shorter_than_declared_is_refused_in_each_dialect_and_let_go() {
    let gw = gateway(None).await;
    let dialects = [
        ("Alibaba", "Content-Type: application/x-www-form-urlencoded\r\n"),
        ("Tencent", "X-TC-Action: DescribeImages\r\nContent-Type: application/json\r\n"),
        ("Zenlayer", "X-ZC-Action: DescribeImages\r\nContent-Type: application/json\r\n"),
    ];
    for (dialect, headers) in dialects {
        let mut tcp = TcpStream::connect(gw.addr).await.unwrap();
        let request = format!(
            "POST / HTTP/1.1\r\nHost: gateway.test\r\n{headers}Content-Length: 100\r\n\r\n0123456789"
        );
        tcp.write_all(request.as_bytes()).await.unwrap();
        let (raw, after) = closed(&mut tcp, &format!("{dialect}: a body 90 bytes short")).await;
        assert!(after >= LIMIT / 2, "{dialect}: answered after {after:?}, before the body timeout");
        let answer = Answer::parse(&raw);
        let v = answer.json();
        let (code, message) = match dialect {
            "Alibaba" => {
                assert_eq!(answer.status, 400, "{}", answer.body);
                (v["Code"].clone(), v["Message"].clone())
            }
            // Tencent answers every error with HTTP 200.
            "Tencent" => {
                assert_eq!(answer.status, 200, "{}", answer.body);
                (v["Response"]["Error"]["Code"].clone(), v["Response"]["Error"]["Message"].clone())
            }
            _ => {
                assert_eq!(answer.status, 400, "{}", answer.body);
                (v["code"].clone(), v["message"].clone())
            }
        };
        let expected = match dialect {
            "Alibaba" => "InvalidParameter",
            "Tencent" => "InvalidParameterValue",
            _ => "INVALID_PARAMETER",
        };
        assert_eq!(code, expected, "{dialect}: {}", answer.body);
        let message = message.as_str().unwrap_or_default();
        assert!(message.contains("did not arrive within 1 s"), "{dialect}: {message}");
    }
}

#[tokio::test]
async fn a_malformed_chunk_size_is_an_unreadable_body_not_a_large_one() {
    let gw = gateway(None).await;
    let mut tcp = TcpStream::connect(gw.addr).await.unwrap();
    let request = "POST / HTTP/1.1\r\nHost: ecs.aliyuncs.com\r\n\
                   Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n\
                   zz\r\nAction=DescribeSnapshots\r\n0\r\n\r\n";
    tcp.write_all(request.as_bytes()).await.unwrap();
    let (raw, after) = closed(&mut tcp, "a malformed chunk size").await;
    assert!(after < LIMIT, "answered after {after:?}: it waited for a timeout");
    let answer = Answer::parse(&raw);
    assert_eq!(answer.status, 400, "{}", answer.body);
    let v = answer.json();
    assert_eq!(v["Code"], "InvalidParameter", "{}", answer.body);
    let message = v["Message"].as_str().unwrap_or_default();
    assert!(message.contains("could not be read"), "{message}");
    assert!(!message.contains("exceeds the limit"), "{message}");
}

#[tokio::test]
async fn at_the_connection_cap_a_client_waits_until_an_idle_one_is_let_go() {
    let gw = gateway(None).await;
    let mut idle = Vec::new();
    for _ in 0..CAP {
        idle.push(TcpStream::connect(gw.addr).await.unwrap());
    }
    // Let the gateway accept them, so that they hold both permits.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let answered =
        tokio::time::timeout(BOUND, gw.call(ALI, "DescribeSnapshots", &[("RegionId", "cn-hangzhou")])).await;
    let waited = started.elapsed();
    let answer = answered.expect("the third client is answered once an idle one is let go");
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(
        waited >= LIMIT * 8 / 10,
        "answered after {waited:?}: it was served while {CAP} idle connections held the cap"
    );
    for (i, mut tcp) in idle.into_iter().enumerate() {
        closed(&mut tcp, &format!("idle connection {i}")).await;
    }
}

/// A world whose Alibaba snapshots make a DescribeSnapshots page of about 8 MB: 40 snapshots of
/// 1,000 long tags each, ten on each of four disks.
fn large_answers() -> String {
    reference_with(|w| {
        w["settings"]["auth"] = "off".into();
        let disks = ["d-ali-stopped-sys", "d-ali-stopped-data", "d-ali-running-sys", "d-ali-running-data"];
        let tags: serde_json::Map<String, serde_json::Value> =
            (0..1000).map(|i| (format!("k{i:04}-{}", "x".repeat(90)), "v".repeat(100).into())).collect();
        let snapshots = w["snapshots"].as_array_mut().unwrap();
        for i in 0..40 {
            snapshots.push(serde_json::json!({
                "id": format!("s-ali-large{i:02}"), "account": "acct-ali", "region": "cn-hangzhou",
                "disk": disks[i % 4], "source_disk_type": "data", "size_gb": 40, "tags": tags,
            }));
        }
    })
}

/// A client that asks for a large answer and never reads it: its receive window stays small and
/// full, and the gateway's write of the answer makes no progress.
async fn never_reads(gw: &Gateway) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut tcp = socket.connect(gw.addr).await.unwrap();
    let query = format!(
        "Action=DescribeSnapshots&RegionId=cn-hangzhou&Version=2014-05-26&PageSize=100&AccessKeyId={}",
        ALI.0
    );
    let request = format!("GET /?{query} HTTP/1.1\r\nHost: {}\r\n\r\n", gw.addr);
    tcp.write_all(request.as_bytes()).await.unwrap();
    tcp
}

/// Clients that stop reading their answers do not hold their connections, and the answers queued
/// for them, for ever: once a write has made no progress for the stall limit the connection is
/// closed (the answer cut short), its place at the cap comes back, and another client is served.
#[tokio::test]
async fn a_client_that_never_reads_its_answer_is_let_go() {
    let gw = Gateway::start_with_limits(&large_answers(), None, limits()).await;
    let mut stuck = Vec::new();
    for _ in 0..CAP {
        stuck.push(never_reads(&gw).await);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let answered =
        tokio::time::timeout(BOUND * 4, gw.call(ALI, "DescribeSnapshots", &[("RegionId", "cn-hangzhou")]))
            .await;
    let answer = answered.expect("another client is answered once a stuck one is let go");
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(started.elapsed() >= LIMIT * 8 / 10, "served while {CAP} stuck clients held the cap");
    for (i, mut tcp) in stuck.into_iter().enumerate() {
        let (got, _) = closed(&mut tcp, &format!("stuck client {i}")).await;
        let text = String::from_utf8_lossy(&got[..got.len().min(4096)]).to_string();
        let length: usize = text
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase().strip_prefix("content-length: ").map(|v| v.trim().parse().unwrap())
            })
            .unwrap_or_else(|| panic!("no content-length: {text}"));
        assert!(length > 4_000_000, "a large answer: {length} bytes");
        assert!(got.len() < length, "stuck client {i}: the answer was cut short ({} of {length})", got.len());
    }
}
