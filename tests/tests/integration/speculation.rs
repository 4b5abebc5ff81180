//! A create served from what the process remembers, in one round trip, answers as it would on
//! fresh reads whatever another process changed meanwhile: the world reloaded, the virtual clock
//! moved, a runtime fault added, an instance stopped. Each test first shows the call was served
//! that way (one round trip), then changes the table from a store of its own (another process's:
//! this one's memory does not see the change) and checks the answer.

use chrono::Utc;
use dialects::actions::{AlibabaAction, Origin, Route};
use integration_tests::*;
use serde_json::{json, Value};
use store::Store;

/// The reference world with snapshots done at once, so that one disk takes creates back to back.
fn instant(change: impl FnOnce(&mut Value)) -> String {
    reference_with(|w| {
        w["settings"]["timings"] = json!({"snapshot_seconds": 0, "image_seconds": 1});
        // A rate limit's counter is not written by a speculation: rate-limited calls read first.
        w["settings"]["rate_limits"] = json!({});
        change(w);
    })
}

/// Another process's store on the gateway's table.
async fn elsewhere(gw: &Gateway) -> Store {
    Store::connect(Some(dynamodb_endpoint()), gw.store.table()).await
}

const DISK: [(&str, &str); 1] = [("DiskId", "d-ali-expired")];

/// Round trips of one call, and its answer.
async fn counted<F: std::future::Future<Output = Reply>>(gw: &Gateway, call: F) -> (u64, Reply) {
    let before = gw.store.round_trips();
    let reply = call.await;
    (gw.store.round_trips() - before, reply)
}

/// Two creates on the disk: the second is served from memory (one round trip).
async fn warm(gw: &Gateway) {
    let first = gw.call(ALI, "CreateSnapshot", &DISK).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let (trips, second) = counted(gw, gw.call(ALI, "CreateSnapshot", &DISK)).await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(trips, 1, "the second create is served in one round trip");
}

#[tokio::test]
async fn a_world_reloaded_elsewhere_is_seen() {
    let gw = Gateway::start_speculating(&instant(|_| {}), None).await;
    warm(&gw).await;
    let off = instant(|w| {
        let accounts = w["accounts"].as_array_mut().unwrap();
        let ali = accounts.iter_mut().find(|a| a["id"] == "acct-ali").unwrap();
        ali["snapshot_service"] = json!(false);
    });
    elsewhere(&gw).await.load_world(&world::parse(&off, Utc::now()).unwrap()).await.unwrap();
    let refused = gw.call(ALI, "CreateSnapshot", &DISK).await;
    assert_eq!(refused.code(), "InvalidAccountStatus.SnapshotServiceUnavailable", "{}", refused.text);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn a_clock_moved_elsewhere_is_seen() {
    let gw = Gateway::start_speculating(&instant(|_| {}), None).await;
    warm(&gw).await;
    let day_ms = 86_400_000;
    elsewhere(&gw).await.shift_clock(day_ms).await.unwrap().unwrap();
    let made = gw.call(ALI, "CreateSnapshot", &DISK).await.field("SnapshotId");
    let snapshot = gw.store.snapshot(&made).await.unwrap().unwrap();
    let ahead = (snapshot.created_at - Utc::now()).num_milliseconds();
    assert!(ahead > day_ms - 60_000, "made at the moved clock's time, not {ahead} ms from now");
    // The next one, remembering the moved clock, is served in one round trip again.
    let (trips, again) = counted(&gw, gw.call(ALI, "CreateSnapshot", &DISK)).await;
    assert_eq!((again.status, trips), (200, 1), "{}", again.text);
}

#[tokio::test]
async fn a_fault_added_elsewhere_strikes() {
    let gw = Gateway::start_speculating(&instant(|_| {}), None).await;
    warm(&gw).await;
    let fault = json!({"id": "f1", "dialect": "alibaba", "action": "CreateSnapshot", "code": "Throttling"});
    let fault: domain::chaos::RuntimeFault = serde_json::from_value(fault).unwrap();
    elsewhere(&gw).await.add_fault(&fault).await.unwrap();
    let struck = gw.call(ALI, "CreateSnapshot", &DISK).await;
    assert_eq!(struck.code(), "Throttling", "{}", struck.text);
}

#[tokio::test]
async fn an_instance_stopped_elsewhere_is_imaged_as_stopped() {
    let gw = Gateway::start_speculating(&instant(|_| {}), None).await;
    let softly = json!({"InstanceId": "ins-tc-softfail", "ImageName": "soft-1"});
    let image = |params: Value| gw.tc(TcSigning::Tc3, TC, "CreateImage", params);
    // Remembered running: its soft shutdown fails, so the image will fail.
    let failing = image(softly).await.tc_field("ImageId");
    // Another process images it forced off: it is stopped now.
    let other = gw.second_process(None).await;
    let forced = json!({"InstanceId": "ins-tc-softfail", "ImageName": "forced", "ForcePoweroff": "TRUE"});
    other.tc(TcSigning::Tc3, TC, "CreateImage", forced).await.tc_field("ImageId");
    assert_eq!(
        other.store.instance("ins-tc-softfail").await.unwrap().unwrap().status,
        domain::InstanceStatus::Stopped
    );
    // Past the forced image's lock on the instance (real time: moving the clock would make this
    // process read everything again).
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    // Stopped, nothing needs shutting down: this image is made.
    let made =
        image(json!({"InstanceId": "ins-tc-softfail", "ImageName": "soft-2"})).await.tc_field("ImageId");
    gw.advance_clock(2_000).await;
    assert_eq!(describe_state(&gw, &failing).await, "CREATEFAILED");
    assert_eq!(describe_state(&gw, &made).await, "NORMAL");
}

async fn describe_state(gw: &Gateway, id: &str) -> Value {
    let r = gw.tc(TcSigning::Tc3, TC, "DescribeImages", json!({"ImageIds": [id]})).await;
    r.tc_response()["ImageSet"][0]["ImageState"].clone()
}

/// The rule that tells a twin of a call in flight from a replay, when the twin did not read the
/// token before its create: it arrived before the first call wrote the token. Run through the
/// use case with the arrival times set, so that it does not depend on timing.
#[tokio::test]
async fn a_twin_that_arrived_before_the_token_was_written_is_told_it_is_processing() {
    use service::usecases::{create_snapshot, idempotent::Made, Caller};
    let gw = Gateway::start_speculating(&instant(|_| {}), None).await;
    let account = gw.store.credential(ALI.0).await.unwrap().unwrap().account;
    let cmd = domain::snapshot::CreateSnapshot {
        client_token: Some("one-token".into()),
        ..domain::snapshot::CreateSnapshot::new("d-ali-expired")
    };
    let at = |arrived| Caller {
        account: &account,
        origin: Origin::Action(Route::Alibaba(AlibabaAction::CreateSnapshot)),
        now: Utc::now(),
        arrived,
    };
    let new_id = || format!("s-{}", uuid::Uuid::new_v4().simple());
    let started = Utc::now();
    let first = create_snapshot::run(&gw.store, &at(started), &cmd, new_id).await.unwrap();
    let Made::New(first) = first else { panic!("the first call makes the snapshot") };
    // A twin that arrived with the first, before its token was written: still processing.
    let twin = create_snapshot::run(&gw.store, &at(started), &cmd, new_id).await;
    assert_eq!(twin, Err(domain::DomainError::TokenInFlight));
    // One that arrived after: a replay, answered the first call's snapshot.
    let later = create_snapshot::run(&gw.store, &at(Utc::now()), &cmd, new_id).await.unwrap();
    assert_eq!(later, Made::Again(first.id.clone()));
    assert_eq!(gw.store.disk_snapshots("d-ali-expired").await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_replay_is_answered_from_memory_once_the_table_confirms_it() {
    // With signatures checked (the nonce is recorded with the confirmation) and without.
    for auth in ["strict", "off"] {
        let world = instant(|w| w["settings"]["auth"] = json!(auth));
        let gw = Gateway::start_speculating(&world, None).await;
        warm(&gw).await;
        let call = [("DiskId", "d-ali-expired"), ("ClientToken", "remembered")];
        let (trips, first) = counted(&gw, gw.call(ALI, "CreateSnapshot", &call)).await;
        let first = first.field("SnapshotId");
        assert_eq!(trips, 1, "a create with a token, from memory ({auth})");
        let (trips, again) = counted(&gw, gw.call(ALI, "CreateSnapshot", &call)).await;
        assert_eq!((trips, again.field("SnapshotId")), (1, first.clone()), "a replay, from memory ({auth})");
        // The world reloaded elsewhere: the token is gone with everything the account had, and
        // the same call makes a new snapshot rather than answering one that no longer exists.
        elsewhere(&gw).await.load_world(&world::parse(&world, Utc::now()).unwrap()).await.unwrap();
        let after = gw.call(ALI, "CreateSnapshot", &call).await.field("SnapshotId");
        assert_ne!(after, first, "{auth}");
        assert!(gw.store.snapshot(&after).await.unwrap().is_some());
    }
}

#[tokio::test]
async fn an_image_of_a_remembered_snapshot_is_one_round_trip_and_its_retention_is_checked() {
    let gw = Gateway::start_speculating(&instant(|_| {}), None).await;
    let system = [("RegionId", "cn-hangzhou"), ("DiskId", "d-ali-stopped-sys"), ("RetentionDays", "5")];
    let snapshot = gw.call(ALI, "CreateSnapshot", &system).await.field("SnapshotId");
    let gw = &gw;
    let snapshot = snapshot.as_str();
    let image = |name: &'static str| async move {
        let p = [("RegionId", "cn-hangzhou"), ("SnapshotId", snapshot), ("ImageName", name)];
        gw.call(ALI, "CreateImage", &p).await
    };
    let (trips, made) = counted(gw, image("from-memory")).await;
    assert_eq!((made.status, trips), (200, 1), "{}", made.text);
    // Another process changes its retention. What the image's rules read of a snapshot changes
    // only that way (a snapshot expires when it ends), so the image's write checks it: this
    // process's copy is refused and the snapshot read again.
    let other = gw.second_process(None).await;
    let kept = [("SnapshotId", snapshot), ("RetentionDays", "10")];
    let modified = other.call(ALI, "ModifySnapshotAttribute", &kept).await;
    assert_eq!(modified.status, 200, "{}", modified.text);
    let (trips, again) = counted(gw, image("after-a-change")).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert!(trips > 1, "the changed snapshot was read again ({trips} round trips)");
    let (trips, then) = counted(gw, image("remembered-again")).await;
    assert_eq!((then.status, trips), (200, 1), "{}", then.text);
}

/// A read on a credential the process remembers puts its nonce beside its batch read: two calls,
/// one round trip of time. The credential as read still decides: a key whose secret changed
/// elsewhere is refused, though the old secret verified against this process's copy; and the
/// same signed request again is a replay.
#[tokio::test]
async fn a_read_records_its_nonce_beside_its_batch_read() {
    let world = instant(|_| {});
    let gw = Gateway::start_speculating(&world, None).await;
    let made = gw.call(ALI, "CreateSnapshot", &DISK).await.field("SnapshotId");
    let ids = format!("[\"{made}\"]");
    let describe = [("RegionId", "cn-hangzhou"), ("SnapshotIds", ids.as_str())];
    let (calls, waits) = (gw.store.round_trips(), gw.store.round_trip_waits());
    let r = gw.call(ALI, "DescribeSnapshots", &describe).await;
    assert_eq!(r.json()["Snapshots"]["Snapshot"][0]["SnapshotId"], made.as_str(), "{}", r.text);
    let counted = (gw.store.round_trips() - calls, gw.store.round_trip_waits() - waits);
    assert_eq!(counted, (2, 1), "the batch read and the nonce's put, side by side");

    let rotated = instant(|w| {
        let accounts = w["accounts"].as_array_mut().unwrap();
        let ali = accounts.iter_mut().find(|a| a["id"] == "acct-ali").unwrap();
        ali["credentials"][0]["secret"] = json!("RotatedElsewhere0001");
    });
    elsewhere(&gw).await.load_world(&world::parse(&rotated, Utc::now()).unwrap()).await.unwrap();
    let r = gw.call(ALI, "DescribeSnapshots", &describe).await;
    assert_eq!((r.status, r.code()), (400, "SignatureDoesNotMatch".to_string()), "{}", r.text);
    let r = gw.call(("LTAI5tRefAlibaba0001", "RotatedElsewhere0001"), "DescribeSnapshots", &describe).await;
    assert_eq!(r.status, 200, "the new secret: {}", r.text);
}

/// An instance whose state another process moved (a stop begun elsewhere) is judged in its new
/// state, though this process remembers it running: the speculation's transaction checks every
/// field of the instance it relied on, the instance read with its disk included.
#[tokio::test]
async fn an_instance_stopping_elsewhere_refuses_a_snapshot_of_its_disk() {
    let gw = Gateway::start_speculating(&instant(|_| {}), None).await;
    warm(&gw).await;
    let other = elsewhere(&gw).await;
    let moved = other.set_instance_status("i-ali-running", domain::InstanceStatus::Stopping).await;
    assert!(moved.unwrap(), "the instance is there");
    let (trips, refused) = counted(&gw, gw.call(ALI, "CreateSnapshot", &DISK)).await;
    assert_eq!(refused.code(), "IncorrectInstanceStatus", "{}", refused.text);
    assert!(trips > 1, "read afresh after the remembered state failed its condition ({trips})");
    // Running again elsewhere: served again, from what the fresh read taught this process.
    other.set_instance_status("i-ali-running", domain::InstanceStatus::Running).await.unwrap();
    let made = gw.call(ALI, "CreateSnapshot", &DISK).await;
    assert_eq!(made.status, 200, "{}", made.text);
    let (trips, again) = counted(&gw, gw.call(ALI, "CreateSnapshot", &DISK)).await;
    assert_eq!((again.status, trips), (200, 1), "{}", again.text);
    gw.assert_consistent().await;
}
