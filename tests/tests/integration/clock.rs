//! The virtual clock under `/_emulator/clock`, kept in the table: derived states, client tokens,
//! retention and schedules follow it; signatures keep going by real time; moving it forward fires
//! every scheduler slot passed, once per disk per slot, however many processes share the table.

use chrono::{DateTime, Duration, Utc};
use integration_tests::*;
use serde_json::{json, Value};
use service::control::Control;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

const DISK: &str = "d-ali-expired";

fn on() -> Option<Control> {
    Some(Control::default())
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_default()).unwrap().with_timezone(&Utc)
}

/// The reference world with acct-ali's disks allowed one snapshot more than `DISK` has.
fn one_more_allowed(snapshot_seconds: u32) -> String {
    reference_with(|w| {
        w["settings"]["timings"] = json!({"snapshot_seconds": snapshot_seconds});
        let on_disk = w["snapshots"].as_array().unwrap().iter().filter(|s| s["disk"] == DISK).count();
        let account =
            w["accounts"].as_array_mut().unwrap().iter_mut().find(|a| a["id"] == "acct-ali").unwrap();
        account["quotas"] = json!({"snapshots_per_disk": on_disk + 1});
    })
}

#[tokio::test]
async fn three_days_on_a_one_day_snapshot_is_gone_and_its_disks_quota_is_back() {
    let gw = Gateway::start_with_control(&one_more_allowed(0), on()).await;
    let made = gw.call(ALI, "CreateSnapshot", &[("DiskId", DISK), ("RetentionDays", "1")]).await;
    assert_eq!(made.status, 200, "{}", made.text);
    let id = made.field("SnapshotId");
    let full = gw.call(ALI, "CreateSnapshot", &[("DiskId", DISK)]).await;
    assert_eq!((full.status, full.code()), (403, "QuotaExceed.Snapshot".to_string()), "{}", full.text);

    let moved = gw.control("POST", "clock", json!({"advance": "3d"})).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let moved = moved.json();
    assert!(moved["scheduler"]["released"].as_array().unwrap().contains(&json!(id)), "{moved}");
    let ahead = time(&moved["time"]) - Utc::now();
    assert!(ahead > Duration::hours(71) && ahead <= Duration::hours(72), "{moved}");

    // Gone for the API and from the table; the disk's quota has its room back.
    assert_eq!(gw.describe_snapshot(ALI, &id).await, Value::Null);
    assert!(gw.store.snapshot(&id).await.unwrap().is_none());
    let again = gw.call(ALI, "CreateSnapshot", &[("DiskId", DISK)]).await;
    assert_eq!(again.status, 200, "signed in real time, served in virtual time: {}", again.text);
    // The new snapshot is made at the virtual time.
    let shown = gw.describe_snapshot(ALI, &again.field("SnapshotId")).await;
    let created = shown["CreationTime"].as_str().unwrap().to_string();
    let created = DateTime::parse_from_rfc3339(&created).unwrap();
    assert!(created.with_timezone(&Utc) - Utc::now() > Duration::hours(71), "{shown}");

    let clock = gw.control("GET", "clock", Value::Null).await.json();
    assert_eq!(clock["virtual"], true);
    assert!(clock["offset_ms"].as_i64().unwrap() >= 3 * 86_400_000 - 1_000, "{clock}");
    let real = gw.control("POST", "clock", json!({"real": true})).await.json();
    assert_eq!((real["virtual"].clone(), real["offset_ms"].clone()), (json!(false), json!(0)));
    gw.assert_consistent().await;
}

#[tokio::test]
async fn progress_and_client_tokens_follow_the_virtual_clock() {
    // Snapshots take ten minutes; a client token is remembered for a day.
    let world = reference_with(|w| w["settings"]["timings"] = json!({"snapshot_seconds": 600}));
    let gw = Gateway::start_with_control(&world, on()).await;
    let token = [("DiskId", "d-ali-stopped-data"), ("ClientToken", "clock-token")];
    let first = gw.call(ALI, "CreateSnapshot", &token).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let id = first.field("SnapshotId");
    let status = |v: Value| v["Status"].as_str().unwrap_or_default().to_string();
    assert_eq!(status(gw.describe_snapshot(ALI, &id).await), "progressing");

    assert_eq!(gw.control("POST", "clock", json!({"advance": "11m"})).await.status, 200);
    assert_eq!(status(gw.describe_snapshot(ALI, &id).await), "accomplished");
    // Within the day the token answers the same snapshot; past it, it makes a new one.
    assert_eq!(gw.call(ALI, "CreateSnapshot", &token).await.field("SnapshotId"), id);
    assert_eq!(gw.control("POST", "clock", json!({"advance": "1d1h"})).await.status, 200);
    let later = gw.call(ALI, "CreateSnapshot", &token).await;
    assert_eq!(later.status, 200, "{}", later.text);
    assert_ne!(later.field("SnapshotId"), id, "the token expired in virtual time");

    // Set to an instant; back in time fires nothing.
    let at = "2026-01-05T08:30:00Z";
    let set = gw.control("POST", "clock", json!({"set": at})).await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.json()["scheduler"], Value::Null, "{}", set.text);
    let shown = time(&gw.control("GET", "clock", Value::Null).await.json()["time"]);
    assert!((shown - time(&json!(at))).num_seconds().abs() < 5, "{shown}");
    let health = gw.control("GET", "health", Value::Null).await.json();
    assert!((time(&health["time"]) - time(&json!(at))).num_seconds().abs() < 5, "{health}");

    for bad in [
        json!({"advance": "soon"}),
        json!({"advance": "36h", "real": true}),
        json!({"set": "yesterday"}),
        json!({"real": false}),
        json!({"advance": "4000d"}),
        json!([]),
    ] {
        let r = gw.control("POST", "clock", bad.clone()).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert!(r.json()["error"].is_string());
    }
    gw.assert_consistent().await;
}

/// Auto snapshots per disk, by name (`auto_<date>_<slot>`).
async fn auto_snapshots(gw: &Gateway) -> BTreeMap<String, Vec<String>> {
    let mut by_disk: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in gw.store.account_snapshots("acct-ali").await.unwrap() {
        if let Some(name) = s.name.filter(|n| n.starts_with("auto_")) {
            by_disk.entry(s.disk_id.clone()).or_default().push(name);
        }
    }
    by_disk
}

/// The names of an every-hour policy's slots whose top of the hour is in `(from, to]`.
fn slots_between(from: DateTime<Utc>, to: DateTime<Utc>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut top = from.timestamp().div_euclid(3600) + 1;
    while top * 3600 <= to.timestamp() {
        let at = DateTime::<Utc>::from_timestamp(top * 3600, 0).unwrap();
        out.insert(format!(
            "auto_{}_{}",
            at.format("%Y%m%d"),
            at.format("%H").to_string().parse::<u32>().unwrap() + 1
        ));
        top += 1;
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn passing_a_policys_time_points_makes_one_snapshot_per_disk_per_slot_across_two_processes() {
    let world = reference_with(|w| {
        w["settings"]["timings"]["snapshot_seconds"] = 0.into();
        w["snapshot_policies"] = json!([{
            "id": "sp-every-hour", "account": "acct-ali", "region": "cn-hangzhou",
            "time_points": (0..24).collect::<Vec<u8>>(), "retention_days": 30,
            "disks": ["d-ali-stopped-data", DISK]
        }]);
    });
    let one = Arc::new(Gateway::start_with_control(&world, on()).await);
    let two = Arc::new(one.second_process(on()).await);
    let start = Utc::now();

    // One process moves the clock three hours while both fire "the current hour" again and again.
    let (moved, fired) =
        tokio::join!(one.control("POST", "clock", json!({"advance": "3h"})), fire_from_both(&one, &two, 6));
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert!(fired.iter().all(|status| *status == 200), "{fired:?}");
    // Both move it two hours at once: four more hours, each crossed by exactly one of them.
    let (a, b) = tokio::join!(
        one.control("POST", "clock", json!({"advance": "2h"})),
        two.control("POST", "clock", json!({"advance": "2h"}))
    );
    assert_eq!((a.status, b.status), (200, 200), "{} {}", a.text, b.text);
    let end = time(&two.control("GET", "clock", Value::Null).await.json()["time"]);
    assert!(end - start >= Duration::hours(7), "{end} {start}");

    let crossed = slots_between(start, end);
    let mut start_hour = slots_between(start - Duration::hours(1), start);
    start_hour.extend(crossed.iter().cloned());
    let by_disk = auto_snapshots(&one).await;
    assert_eq!(by_disk.len(), 2, "{by_disk:?}");
    for (disk, names) in &by_disk {
        let distinct: BTreeSet<String> = names.iter().cloned().collect();
        assert_eq!(distinct.len(), names.len(), "{disk}: a slot made two snapshots: {names:?}");
        assert!(
            crossed.is_subset(&distinct),
            "{disk}: {crossed:?} not all in {names:?}\n{}\n{}\n{}",
            moved.text,
            a.text,
            b.text
        );
        // Beyond the hours crossed, at most the hour the clock started in (fired "now" before it moved).
        assert!(distinct.is_subset(&start_hour), "{disk}: {names:?} beyond {start_hour:?}");
    }
    eprintln!("figures: clock: {} slots crossed by two processes, 0 duplicates", crossed.len());
    one.assert_consistent().await;
}

/// `n` scheduler runs on demand, alternating between the two processes, all at once.
async fn fire_from_both(one: &Arc<Gateway>, two: &Arc<Gateway>, n: usize) -> Vec<u16> {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        let gw = if i % 2 == 0 { one.clone() } else { two.clone() };
        set.spawn(async move { gw.control("POST", "scheduler", Value::Null).await.status });
    }
    set.join_all().await
}
