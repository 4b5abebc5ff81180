//! Concurrency claims, tested with many calls at once against DynamoDB Local.

use integration_tests::*;
use service::control::Control;
use std::sync::Arc;
use tokio::task::JoinSet;

async fn all(gw: &Arc<Gateway>, calls: Vec<Vec<(&'static str, String)>>) -> Vec<Reply> {
    let mut set = JoinSet::new();
    for params in calls {
        let gw = gw.clone();
        set.spawn(async move {
            let p: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            gw.call(ALI, "CreateSnapshot", &p).await
        });
    }
    set.join_all().await
}

fn count(replies: &[Reply], code: &str) -> usize {
    replies.iter().filter(|r| r.status != 200 && r.code() == code).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_identical_calls_with_one_token_make_one_snapshot() {
    // Snapshots ready at once and room for many: only the token stands between the calls and
    // fifty snapshots (the disk's in-progress lock would otherwise hide a broken claim).
    let gw = Arc::new(Gateway::start(&quota_world(64, 0)).await);
    let call = vec![
        ("DiskId", "d-ali-expired".to_string()),
        ("SnapshotName", "once".into()),
        ("ClientToken", "same-token".into()),
    ];
    // Five waves of ten: calls that race the first claim, and calls that come while (or after)
    // it completes.
    let mut replies = Vec::new();
    for _ in 0..5 {
        replies.extend(all(&gw, vec![call.clone(); 10]).await);
    }
    let ok: Vec<String> = replies.iter().filter(|r| r.status == 200).map(|r| r.field("SnapshotId")).collect();
    assert!(!ok.is_empty(), "no call succeeded: {:?}", replies.iter().map(|r| &r.text).collect::<Vec<_>>());
    assert!(ok.iter().all(|id| *id == ok[0]), "different snapshots: {ok:?}");
    // Every other call was told the first is still being processed.
    assert_eq!(ok.len() + count(&replies, "IdempotentProcessing"), 50);
    let made = gw.store.disk_snapshots("d-ali-expired").await.unwrap();
    figures("one token, 50 calls", 50, made.len(), 1);
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0].id, ok[0]);
    gw.assert_consistent().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn same_token_calls_served_from_memory_are_told_it_is_processing() {
    // A warm process remembers the disk: each call creates without reading first (one round
    // trip). A twin that loses the token to the first is told it is still being processed when
    // it arrived before the first call wrote the token (how many did depends on timing), else
    // answered the first call's snapshot, which is the only one.
    let gw = Arc::new(Gateway::start(&quota_world(64, 0)).await);
    let warm = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-expired")]).await;
    assert_eq!(warm.status, 200, "{}", warm.text);
    let (answered, processing) = twenty_twins(&gw, "d-ali-expired", "remembered-twins").await;
    eprintln!(
        "figures: concurrency: one token from memory, 20 calls: {answered} answered, {processing} IdempotentProcessing"
    );
}

/// Twenty CreateSnapshot calls at once with one client token, on `disk`, naming the snapshot
/// `name`: one snapshot made, every call answered its id or told it is being processed, and a
/// later replay answered its id. Gives how many were answered and how many told to wait.
async fn twenty_twins(gw: &Arc<Gateway>, disk: &str, name: &str) -> (usize, usize) {
    let token = format!("twenty-{}", uuid::Uuid::new_v4().simple());
    let call = vec![("DiskId", disk.to_string()), ("SnapshotName", name.to_string()), ("ClientToken", token)];
    let replies = all(gw, vec![call.clone(); 20]).await;
    let ok: Vec<String> = replies.iter().filter(|r| r.status == 200).map(|r| r.field("SnapshotId")).collect();
    let processing = count(&replies, "IdempotentProcessing");
    assert!(!ok.is_empty() && ok.iter().all(|id| *id == ok[0]), "{ok:?}");
    assert_eq!(ok.len() + processing, 20, "{:?}", replies.iter().map(|r| &r.text).collect::<Vec<_>>());
    let made = gw.store.disk_snapshots(disk).await.unwrap();
    assert_eq!(made.iter().filter(|s| s.name.as_deref() == Some(name)).count(), 1, "{made:?}");
    let p: Vec<(&str, &str)> = call.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let later = gw.call(ALI, "CreateSnapshot", &p).await;
    assert_eq!((later.status, later.field("SnapshotId")), (200, ok[0].clone()), "{}", later.text);
    gw.assert_consistent().await;
    (ok.len(), processing)
}

fn quota_world(n: u32, seconds: u32) -> String {
    reference_with(|w| {
        w["settings"]["timings"]["snapshot_seconds"] = seconds.into();
        let accounts = w["accounts"].as_array_mut().unwrap();
        let ali = accounts.iter_mut().find(|a| a["id"] == "acct-ali").unwrap();
        ali["quotas"] = serde_json::json!({"snapshots_per_disk": n});
    })
}

fn distinct_calls(n: usize) -> Vec<Vec<(&'static str, String)>> {
    (0..n)
        .map(|_| {
            vec![("DiskId", "d-ali-expired".to_string()), ("ClientToken", uuid::Uuid::new_v4().to_string())]
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_snapshot_in_progress_per_disk_under_contention() {
    let n = 4;
    let gw = Arc::new(Gateway::start(&quota_world(n, 600)).await);
    let replies = all(&gw, distinct_calls(3 * n as usize)).await;
    let ok = replies.iter().filter(|r| r.status == 200).count();
    figures("one snapshot in progress per disk", replies.len(), ok, 1);
    assert_eq!(ok, 1, "{:?}", replies.iter().map(|r| &r.text).collect::<Vec<_>>());
    assert_eq!(count(&replies, "IncorrectDiskStatus.CreatingSnapshot"), 3 * n as usize - 1);
    let disk = gw.store.disk("d-ali-expired").await.unwrap().unwrap();
    assert_eq!(disk.snapshot_count, 1);
    gw.assert_consistent().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_per_disk_quota_never_overshoots() {
    let n = 4;
    let gw = Arc::new(Gateway::start(&quota_world(n, 0)).await);
    // Several waves, so that calls keep racing for the last units of quota.
    let mut successes = 0;
    for _ in 0..3 {
        let replies = all(&gw, distinct_calls(3 * n as usize)).await;
        successes += replies.iter().filter(|r| r.status == 200).count();
        for r in replies.iter().filter(|r| r.status != 200) {
            assert_eq!(r.status, 403, "{}", r.text);
            assert!(
                ["QuotaExceed.Snapshot", "IncorrectDiskStatus.CreatingSnapshot"].contains(&r.code().as_str()),
                "{}",
                r.text
            );
        }
    }
    let made = gw.store.disk_snapshots("d-ali-expired").await.unwrap().len();
    figures("snapshot quota per disk", 9 * n as usize, made, n as usize);
    assert_eq!(made, successes);
    assert_eq!(made, n as usize, "exactly the quota, never more");
    let disk = gw.store.disk("d-ali-expired").await.unwrap().unwrap();
    assert_eq!(disk.snapshot_count, n);
    let last = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-expired")]).await;
    assert_eq!((last.status, last.code()), (403, "QuotaExceed.Snapshot".into()));
    gw.assert_consistent().await;
}

/// Twenty simultaneous calls with one `ClientToken`, on the reference world (no processing
/// time): a call that arrived while the first was still being processed — its read found no
/// token, its transaction lost the token's condition — is told `IdempotentProcessing` (ECS API
/// reference, CreateSnapshot); none makes a second snapshot, and a later call with the token
/// answers the first id. A runtime fault holds nineteen of the calls half a second between their
/// reads and their writes, so that the twentieth commits while they are in flight.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn same_token_calls_in_flight_are_told_it_is_processing() {
    let gw = Arc::new(Gateway::start_with_control(REFERENCE_WORLD, Some(Control::default())).await);
    let hold =
        serde_json::json!({"dialect": "alibaba", "action": "CreateSnapshot", "latency_ms": 500, "count": 19});
    assert_eq!(gw.control("POST", "faults", hold).await.status, 200);
    // A warm process: it knows the key's account, so each call reads its token ahead.
    assert_eq!(gw.call(ALI, "DescribeSnapshots", &[("RegionId", "cn-hangzhou")]).await.status, 200);
    let (answered, processing) = twenty_twins(&gw, "d-ali-stopped-data", "twins").await;
    eprintln!(
        "figures: concurrency: one token, 20 calls: {answered} answered, {processing} IdempotentProcessing"
    );
    assert!(processing > 0, "no call was told the first is still processing");
}

/// Sixty tag writes on one resource at once, in each dialect, through two gateway processes on
/// one table: every call
/// gets a real answer (a success: ten keys, each set six times), never a server error for the
/// contention, and every key lands.
#[tokio::test]
async fn sixty_tag_writes_on_one_resource_all_succeed() {
    const CALLS: usize = 60;
    let first = Gateway::start(&timed_world(0, 0)).await;
    // Half the calls through a second process on the same table.
    let processes = [Arc::new(first.second_process(None).await), Arc::new(first)];
    let gw = processes[1].clone();
    let zl_snapshot = gw
        .zl(
            ZL,
            "CreateSnapshot",
            serde_json::json!({"diskId": "zl-ins-stopped-sys", "snapshotName": "tagged"}),
        )
        .await
        .zl_field("snapshotId");
    let mut set = JoinSet::new();
    for n in 0..CALLS {
        let (gw, zl_snapshot) = (processes[n % 2].clone(), zl_snapshot.clone());
        set.spawn(async move {
            let (key, value) = (format!("k{}", n % 10), format!("v{n}"));
            let params = [
                ("RegionId", "cn-hangzhou"),
                ("ResourceType", "snapshot"),
                ("ResourceId.1", "s-ali-sys"),
                ("Tag.1.Key", key.as_str()),
                ("Tag.1.Value", value.as_str()),
            ];
            let ali = gw.call(ALI, "TagResources", &params).await;
            let resource = "qcs::cvm:ap-guangzhou:uin/:snapshot/snap-tc-sys";
            let body =
                serde_json::json!({"Resource": resource, "ReplaceTags": [{"TagKey": key, "TagValue": value}]});
            let tc = gw.tc_as("tag", "2018-08-13", "ModifyResourceTags", body).await;
            let body = serde_json::json!({"resourceUuid": zl_snapshot, "replaceTags": [{"key": key, "value": value}]});
            let zl = gw.zl_as(ZL, "zrm", "2025-10-14", "ModifyResourceTags", body).await;
            (ali, tc, zl)
        });
    }
    for (ali, tc, zl) in set.join_all().await {
        assert_eq!(ali.status, 200, "Alibaba: {}", ali.text);
        assert_eq!(tc.tc_code(), None, "Tencent: {}", tc.text);
        assert_eq!(zl.zl_code(), None, "Zenlayer: {}", zl.text);
    }
    let params = [("RegionId", "cn-hangzhou"), ("SnapshotIds", "[\"s-ali-sys\"]")];
    let described = gw.call(ALI, "DescribeSnapshots", &params).await;
    let ali_tags = described.json()["Snapshots"]["Snapshot"][0]["Tags"]["Tag"].as_array().unwrap().len();
    let body = serde_json::json!({"SnapshotIds": ["snap-tc-sys"]});
    let listed = gw.tc_ok(TcSigning::Tc3, TC, "DescribeSnapshots", body).await;
    let tc_tags = listed["SnapshotSet"][0]["Tags"].as_array().unwrap().len();
    assert_eq!((ali_tags, tc_tags), (10, 10), "every key landed");
    gw.assert_consistent().await;
}
