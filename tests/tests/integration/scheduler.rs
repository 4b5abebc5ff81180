//! The snapshot scheduler against DynamoDB Local: due policies snapshot each disk once per slot,
//! a repeated event makes nothing new, a disk that cannot be snapshotted is skipped, and
//! snapshots past their retention are released.

use chrono::{Duration, Utc};
use integration_tests::*;
use serde_json::json;
use service::App;

fn world() -> String {
    reference_with(|w| {
        w["settings"]["timings"]["snapshot_seconds"] = 0.into();
        w["snapshot_policies"] = json!([{
            "id": "sp-every-hour", "account": "acct-ali", "region": "cn-hangzhou",
            "time_points": (0..24).collect::<Vec<u8>>(), "retention_days": 7,
            "disks": ["d-ali-running-sys", "d-ali-stopped-data", "d-ali-local", "d-ali-expired"]
        }, {
            "id": "sp-never-today", "account": "acct-ali", "region": "cn-hangzhou",
            "time_points": [3], "repeat_weekdays": [], "disks": ["d-ali-stopped-sys"]
        }]);
        let snapshots = w["snapshots"].as_array_mut().unwrap();
        snapshots.push(json!({"id": "s-ali-old-auto", "account": "acct-ali", "region": "cn-hangzhou",
            "disk": "d-ali-stopped-sys", "source_disk_type": "system", "created_at": "-3d", "retention_days": 2}));
        snapshots.push(json!({"id": "s-ali-kept", "account": "acct-ali", "region": "cn-hangzhou",
            "disk": "d-ali-stopped-sys", "source_disk_type": "system", "created_at": "-3d", "retention_days": 30}));
    })
}

#[tokio::test]
async fn due_policies_snapshot_each_disk_once_and_expired_snapshots_go() {
    let gw = Gateway::start(&world()).await;
    let app = App::new(gw.store.clone());
    let at = Utc::now();
    let first = service::scheduler::run(&app, at).await.unwrap();
    assert_eq!(first.due_policies, vec!["sp-every-hour".to_string()]);
    assert_eq!(first.created.len(), 2, "{first:?}");
    let failed: Vec<(&str, &str)> =
        first.failed.iter().map(|f| (f.disk.as_str(), f.error.as_str())).collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(failed.iter().any(|(d, e)| *d == "d-ali-running-sys" && e.contains("in progress")), "{failed:?}");
    assert!(failed.iter().any(|(d, _)| *d == "d-ali-local"), "{failed:?}");
    assert_eq!(first.released, vec!["s-ali-old-auto".to_string()]);

    for id in &first.created {
        let s = gw.describe_snapshot(ALI, id).await;
        assert!(s["SnapshotName"].as_str().unwrap().starts_with("auto_"), "{s}");
        assert_eq!(s["SnapshotType"], "auto");
        assert_eq!(s["RetentionDays"], 7);
    }
    // The released snapshot is gone and its disk got its quota unit back (2 world snapshots + 2 test ones, one released).
    assert!(gw.store.snapshot("s-ali-old-auto").await.unwrap().is_none());
    assert!(gw.store.snapshot("s-ali-kept").await.unwrap().is_some());
    assert_eq!(gw.store.disk("d-ali-stopped-sys").await.unwrap().unwrap().snapshot_count, 3);

    // The same event again: nothing new.
    let again = service::scheduler::run(&app, at).await.unwrap();
    assert!(again.created.is_empty(), "{again:?}");
    let mut replayed = again.already_made.clone();
    replayed.sort();
    let mut made = first.created.clone();
    made.sort();
    assert_eq!(replayed, made);
    assert!(again.released.is_empty());

    // The next hour is a new slot.
    let next = service::scheduler::run(&app, at + Duration::hours(1)).await.unwrap();
    assert_eq!(next.created.len(), 2, "{next:?}");
    gw.assert_consistent().await;
}

#[tokio::test]
async fn concurrent_deliveries_of_one_event_make_each_snapshot_once() {
    let gw = Gateway::start(&world()).await;
    let app = App::new(gw.store.clone());
    let at = Utc::now();
    let runs = tokio::join!(
        service::scheduler::run(&app, at),
        service::scheduler::run(&app, at),
        service::scheduler::run(&app, at)
    );
    let made: usize = [&runs.0, &runs.1, &runs.2].iter().map(|r| r.as_ref().unwrap().created.len()).sum();
    assert_eq!(made, 2);
    let autos =
        gw.store.account_snapshots("acct-ali").await.unwrap().into_iter().filter(|s| s.automatic).count();
    figures("three deliveries of one scheduler event", 3, autos, 2);
    assert_eq!(autos, 2);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn tencent_policies_make_snapshots_in_tencent_form() {
    let world = reference_with(|w| {
        w["settings"]["timings"]["snapshot_seconds"] = 0.into();
        w["snapshot_policies"] = json!([{
            "id": "sp-tc-hourly", "account": "acct-tc", "region": "ap-guangzhou",
            "time_points": (0..24).collect::<Vec<u8>>(), "retention_days": 3,
            "disks": ["disk-tc-stopped-sys", "disk-tc-stopped-data"]
        }]);
    });
    let gw = Gateway::start(&world).await;
    let report = service::scheduler::run(&App::new(gw.store.clone()), Utc::now()).await.unwrap();
    assert_eq!(report.created.len(), 2, "{report:?}");
    for id in &report.created {
        let tail = id.strip_prefix("snap-").unwrap_or_else(|| panic!("{id}"));
        assert!(
            tail.len() == 8 && tail.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
            "{id}"
        );
        let r = gw.tc(TcSigning::Tc3, TC, "DescribeSnapshots", json!({"SnapshotIds": [id]})).await;
        let s = &r.tc_response()["SnapshotSet"][0];
        assert!(s["SnapshotName"].as_str().unwrap().starts_with("auto_"), "{s}");
        assert_eq!(s["IsPermanent"], false, "retention gives a deadline: {s}");
    }
}

#[tokio::test]
async fn zenlayer_policies_make_snapshots_in_zenlayer_form() {
    let world = reference_with(|w| {
        w["settings"]["timings"]["snapshot_seconds"] = 0.into();
        w["snapshot_policies"] = json!([{
            "id": "sp-zl-hourly", "account": "acct-zl", "region": "asia-east-1",
            "time_points": (0..24).collect::<Vec<u8>>(), "disks": ["zl-ins-stopped-sys"]
        }]);
    });
    let gw = Gateway::start(&world).await;
    let report = service::scheduler::run(&App::new(gw.store.clone()), Utc::now()).await.unwrap();
    assert_eq!(report.created.len(), 1, "{report:?}");
    let id = &report.created[0];
    assert!(id.len() == 19 && id.chars().all(|c| c.is_ascii_digit()), "{id}");
    let listed = gw.zl(ZL, "DescribeSnapshots", json!({"snapshotIds": [id]})).await.json();
    assert_eq!(listed["response"]["dataSet"][0]["snapshotType"], "Auto", "{listed}");
}

/// The world above with one every-hour policy on two disks that can be snapshotted.
fn every_hour_world() -> String {
    reference_with(|w| {
        w["settings"]["timings"]["snapshot_seconds"] = 0.into();
        w["snapshot_policies"] = json!([{
            "id": "sp-every-hour", "account": "acct-ali", "region": "cn-hangzhou",
            "time_points": (0..24).collect::<Vec<u8>>(), "disks": ["d-ali-stopped-data", "d-ali-expired"]
        }]);
    })
}

#[tokio::test]
async fn the_gateway_fires_the_scheduler_on_time_for_the_virtual_hour() {
    // No policy while the clock moves (moving it fires the hours it passes), then the policy.
    let without = reference_with(|w| w["snapshot_policies"] = json!([]));
    let gw = Gateway::start_with_control(&without, Some(service::control::Control::default())).await;
    let moved = gw.control("POST", "clock", json!({"advance": "5h30m"})).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let with = world::parse(&every_hour_world(), Utc::now()).unwrap();
    gw.store.load_world(&with).await.unwrap();
    let before: usize = gw.store.account_snapshots("acct-ali").await.unwrap().len();
    // Every second instead of every hour; each firing acts for the hour the virtual clock shows.
    let app = App::new(gw.store.clone());
    let firing = tokio::spawn(gateway::fire_scheduler(
        gateway::Backend::InProcess(app),
        std::time::Duration::from_secs(1),
    ));
    tokio::time::sleep(std::time::Duration::from_millis(2_600)).await;
    firing.abort();
    let hours: std::collections::BTreeSet<String> = [0, 3]
        .iter()
        .map(|s| {
            let at = Utc::now() + Duration::minutes(330) - Duration::seconds(*s);
            format!(
                "auto_{}_{}",
                at.format("%Y%m%d"),
                at.format("%H").to_string().parse::<u32>().unwrap() + 1
            )
        })
        .collect();
    let snapshots = gw.store.account_snapshots("acct-ali").await.unwrap();
    let autos: Vec<(String, String)> = snapshots[..]
        .iter()
        .filter_map(|s| s.name.clone().filter(|n| n.starts_with("auto_")).map(|n| (s.disk_id.clone(), n)))
        .collect();
    assert_eq!(snapshots.len() - before, autos.len());
    let distinct: std::collections::BTreeSet<_> = autos.iter().cloned().collect();
    assert_eq!(distinct.len(), autos.len(), "two firings in one hour made one snapshot per disk: {autos:?}");
    assert!(autos.len() >= 2, "{autos:?}");
    assert!(
        autos.iter().all(|(_, name)| hours.contains(name)),
        "named for the virtual hour {hours:?}: {autos:?}"
    );
}

#[tokio::test]
async fn through_the_functions_the_gateway_invokes_the_scheduler_with_an_eventbridge_event() {
    use http_body_util::BodyExt;
    // A stand-in for `cargo lambda watch`'s invoke API that keeps what it is sent.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (sent, mut received) = tokio::sync::mpsc::unbounded_channel::<(String, serde_json::Value)>();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let sent = sent.clone();
            let svc = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let sent = sent.clone();
                async move {
                    let path = req.uri().path().to_string();
                    let body = req.into_body().collect().await.unwrap().to_bytes();
                    sent.send((path, serde_json::from_slice(&body).unwrap_or_default())).ok();
                    let report = http_body_util::Full::new(bytes::Bytes::from_static(b"{\"created\":[]}"));
                    Ok::<_, std::convert::Infallible>(hyper::Response::new(report))
                }
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), svc),
            );
        }
    });
    let gw = Gateway::start(&every_hour_world()).await;
    let backend =
        gateway::Backend::Proxy(Box::new(gateway::proxy::Proxy::new(&base)), App::new(gw.store.clone()));
    let firing = tokio::spawn(gateway::fire_scheduler(backend, std::time::Duration::from_secs(1)));
    let (path, event) =
        tokio::time::timeout(std::time::Duration::from_secs(5), received.recv()).await.unwrap().unwrap();
    firing.abort();
    assert_eq!(path, "/2015-03-31/functions/scheduler/invocations");
    assert_eq!(
        (event["source"].as_str(), event["detail-type"].as_str()),
        (Some("aws.events"), Some("Scheduled Event"))
    );
    let at = chrono::DateTime::parse_from_rfc3339(event["time"].as_str().unwrap()).unwrap();
    assert!((Utc::now() - at.with_timezone(&Utc)).num_seconds().abs() <= 2, "{event}");
    assert_eq!(at.timestamp_subsec_millis(), 0, "on the tick: {event}");
}
