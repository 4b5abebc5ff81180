//! The operator's control plane under `/_emulator/`: off unless switched on, a bearer token when
//! one is configured, and what `health` tells.

use integration_tests::*;
use service::control::Control;

#[tokio::test]
async fn health_tells_the_table_the_dialects_and_the_round_trips() {
    let world = reference_with(|w| w["settings"]["timings"] = serde_json::json!({"snapshot_seconds": 0}));
    let gw = Gateway::start_speculating(&world, Some(Control::default())).await;
    let before = gw.raw("GET", "/_emulator/health", &[], vec![]).await;
    assert_eq!((before.status, before.content_type.as_str()), (200, "application/json"), "{}", before.text);
    let health = before.json();
    assert_eq!(health["status"], "running");
    assert_eq!(health["table"], gw.store.table());
    assert!(health["dialects"]["tencent"].as_array().unwrap().contains(&"CreateImage".into()), "{health}");
    assert!(health["dialects"]["zenlayer"].as_array().unwrap().contains(&"DescribeCustomImages".into()));
    chrono::DateTime::parse_from_rfc3339(health["time"].as_str().unwrap()).unwrap();
    // Signed calls: their round trips are counted. The first reads the credential with
    // the disk, then the disk's instance, then writes; the next is served from what the process
    // read, checked by its transaction: one. Then one with a ClientToken and its replay: one each.
    let trips =
        async || gw.raw("GET", "/_emulator/health", &[], vec![]).await.json()["store_round_trips"].as_u64();
    // A control call reads the virtual clock: one round trip of its own, measured here.
    let first = trips().await.unwrap();
    let own = trips().await.unwrap() - first;
    assert_eq!(own, 1);
    let mut counts = Vec::new();
    let mut ids = Vec::new();
    let token = [("DiskId", "d-ali-expired"), ("ClientToken", "counted")];
    for params in [&token[..1], &token[..1], &token, &token] {
        let before = trips().await.unwrap();
        let made = gw.call(ALI, "CreateSnapshot", params).await;
        assert_eq!(made.status, 200, "{}", made.text);
        counts.push(trips().await.unwrap() - before - own);
        ids.push(made.field("SnapshotId"));
    }
    assert_eq!(counts, vec![3, 1, 1, 1]);
    assert_eq!(ids[3], ids[2], "the last call is a replay");
    assert_ne!(ids[2], ids[1]);
    // A read: the batch read and, beside it, the nonce: two requests, one round trip of time
    // (a control call's own read is one of each). A delete of a snapshot it made: one.
    let both = async || {
        let health = gw.raw("GET", "/_emulator/health", &[], vec![]).await.json();
        (health["store_round_trips"].as_u64().unwrap(), health["store_round_trip_waits"].as_u64().unwrap())
    };
    let described = format!("[\"{}\"]", ids[0]);
    let before = both().await;
    let read =
        gw.call(ALI, "DescribeSnapshots", &[("RegionId", "cn-hangzhou"), ("SnapshotIds", &described)]).await;
    assert_eq!(read.status, 200, "{}", read.text);
    let after = both().await;
    assert_eq!((after.0 - before.0 - own, after.1 - before.1 - own), (2, 1));
    let before = trips().await.unwrap();
    let deleted = gw.call(ALI, "DeleteSnapshot", &[("SnapshotId", &ids[0])]).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert_eq!(trips().await.unwrap() - before - own, 1);
    let unknown = gw.raw("GET", "/_emulator/nothing", &[], vec![]).await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn off_it_is_an_unknown_path_and_on_with_a_token_it_asks_for_it() {
    let off = Gateway::start(REFERENCE_WORLD).await;
    let r = off.raw("GET", "/_emulator/health", &[], vec![]).await;
    // Answered by a dialect, in its envelope, as any unknown request.
    assert_eq!((r.status, r.code()), (400, "MissingParameter".to_string()), "{}", r.text);
    let guarded = Gateway::start_with_control(
        REFERENCE_WORLD,
        Some(Control { token: Some("s3cret".into()), ..Control::default() }),
    )
    .await;
    let refused = guarded.raw("GET", "/_emulator/health", &[], vec![]).await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    let wrong = guarded.raw("GET", "/_emulator/health", &[("authorization", "Bearer nope")], vec![]).await;
    assert_eq!(wrong.status, 401);
    let allowed =
        guarded.raw("GET", "/_emulator/health", &[("authorization", "Bearer s3cret")], vec![]).await;
    assert_eq!(allowed.status, 200, "{}", allowed.text);
    assert!(!allowed.text.contains("s3cret"));
}

#[tokio::test]
async fn reset_reloads_the_world_tokens_included() {
    let world = reference_with(|w| w["settings"]["timings"] = serde_json::json!({"snapshot_seconds": 0}));
    let control = Control { world: Some(world.clone().into()), ..Control::default() };
    let gw = Gateway::start_with_control(&world, Some(control)).await;
    let call = [("DiskId", "d-ali-expired"), ("ClientToken", "kept-until-reset")];
    let first = gw.call(ALI, "CreateSnapshot", &call).await.field("SnapshotId");
    assert!(gw.store.snapshot(&first).await.unwrap().is_some());
    let reset = gw.raw("POST", "/_emulator/reset", &[], vec![]).await;
    assert_eq!(reset.status, 200, "{}", reset.text);
    let summary = reset.json();
    assert_eq!(summary["loaded"]["accounts"], 12, "{summary}");
    // What the world does not have again: the new snapshot and its token.
    assert_eq!(summary["removed"].as_u64().unwrap(), 2, "{summary}");
    // The snapshot is gone and the token is free again: the same call makes a new snapshot.
    assert!(gw.store.snapshot(&first).await.unwrap().is_none());
    let again = gw.call(ALI, "CreateSnapshot", &call).await.field("SnapshotId");
    assert_ne!(again, first);
    gw.assert_consistent().await;
    // A world in the body, checked as the `world` command checks it.
    let bad = gw.control("POST", "reset", serde_json::json!({"version": 1, "accounts": 3})).await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert!(bad.json()["error"].as_str().unwrap().contains("accounts"), "{}", bad.text);
}

#[tokio::test]
async fn state_lists_accounts_and_resources_with_derived_states() {
    // Snapshots take ten minutes here: the one made below is still being made when it is read,
    // however slow the machine.
    let gw = Gateway::start_with_control(&timed_world(600, 30), Some(Control::default())).await;
    let made = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-expired")]).await.field("SnapshotId");
    let all = gw.raw("GET", "/_emulator/state", &[], vec![]).await;
    assert_eq!(all.status, 200, "{}", all.text);
    let accounts = all.json()["accounts"].as_array().unwrap().clone();
    assert_eq!(accounts.len(), 12);
    let ali = gw.raw("GET", "/_emulator/state?account=acct-ali&kind=snapshots", &[], vec![]).await.json();
    let listed = &ali["accounts"];
    assert_eq!(listed.as_array().unwrap().len(), 1, "{ali}");
    assert!(listed[0].get("disks").is_none(), "only the kind asked for: {ali}");
    let snapshot =
        listed[0]["snapshots"].as_array().unwrap().iter().find(|s| s["id"] == made.as_str()).unwrap();
    // Just made: still being made.
    assert_eq!(
        (snapshot["state"].as_str(), snapshot["disk_id"].as_str()),
        (Some("creating"), Some("d-ali-expired"))
    );
    assert!(snapshot["progress"].as_u64().unwrap() < 100);
    for bad in ["/_emulator/state?kind=volumes", "/_emulator/state?owner=x"] {
        assert_eq!(gw.raw("GET", bad, &[], vec![]).await.status, 400, "{bad}");
    }
}

#[tokio::test]
async fn what_is_deleted_leaves_the_state() {
    let gw = Gateway::start_with_control(REFERENCE_WORLD, Some(Control::default())).await;
    let ids = |state: &serde_json::Value, kind: &str| -> Vec<String> {
        state["accounts"][0][kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    let state = |kind: &'static str| {
        let gw = &gw;
        async move {
            gw.raw("GET", &format!("/_emulator/state?account=acct-ali&kind={kind}"), &[], vec![]).await.json()
        }
    };
    assert!(ids(&state("images").await, "images").contains(&"m-ali-golden".to_string()));
    assert!(ids(&state("snapshots").await, "snapshots").contains(&"s-ali-data".to_string()));
    let image =
        gw.call(ALI, "DeleteImage", &[("RegionId", "cn-hangzhou"), ("ImageId", "m-ali-golden")]).await;
    assert_eq!(image.status, 200, "{}", image.text);
    let snapshot = gw.call(ALI, "DeleteSnapshot", &[("SnapshotId", "s-ali-data")]).await;
    assert_eq!(snapshot.status, 200, "{}", snapshot.text);
    assert!(!ids(&state("images").await, "images").contains(&"m-ali-golden".to_string()));
    assert!(!ids(&state("snapshots").await, "snapshots").contains(&"s-ali-data".to_string()));
}

/// The README's table of served actions is the one `health` gives, every dialect and API
/// version, as the action tables make it. A row added to a table without the README (or the
/// other way round) fails here, with the table to paste.
#[tokio::test]
async fn the_readme_lists_what_health_serves() {
    let gw = Gateway::start_with_control(REFERENCE_WORLD, Some(Control::default())).await;
    let health = gw.raw("GET", "/_emulator/health", &[], vec![]).await.json();
    let mut table = String::from("| dialect | API | actions |\n|---|---|---|\n");
    for api in health["apis"].as_array().expect("health lists the APIs") {
        let actions: Vec<String> =
            api["actions"].as_array().unwrap().iter().map(|a| format!("`{}`", a.as_str().unwrap())).collect();
        table += &format!(
            "| {} | {} | {} |\n",
            api["dialect"].as_str().unwrap(),
            api["api"].as_str().unwrap(),
            actions.join(", ")
        );
    }
    // Every action of the per-dialect listing is in one API's row, and the other way round.
    for (dialect, actions) in health["dialects"].as_object().unwrap() {
        for action in actions.as_array().unwrap() {
            let row = format!("| {dialect} |");
            let listed = table
                .lines()
                .any(|l| l.starts_with(&row) && l.contains(&format!("`{}`", action.as_str().unwrap())));
            assert!(listed, "{dialect} {action} is in no API's row");
        }
    }
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let (begin, end) = ("<!-- served actions: begin -->\n", "<!-- served actions: end -->");
    let start = readme.find(begin).expect("the README marks its served table") + begin.len();
    let stop = start + readme[start..].find(end).expect("the served table's end mark");
    assert!(
        readme[start..stop] == table,
        "the README's served table differs from health's; it should be:\n{table}"
    );
}

/// The dashboard cannot be framed by another site's page (its buttons move the clock, fire the
/// scheduler and add faults): its CSP says `frame-ancestors 'none'`, and `X-Frame-Options: DENY`
/// tells the browsers that read only that.
#[tokio::test]
async fn the_dashboard_cannot_be_framed() {
    let gw = Gateway::start_with_control(REFERENCE_WORLD, Some(Control::default())).await;
    let page = gw.raw("GET", "/_emulator/", &[], vec![]).await;
    assert_eq!((page.status, page.content_type.as_str()), (200, "text/html; charset=utf-8"));
    let header = |name: &str| page.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let csp = header("content-security-policy");
    assert!(csp.split(';').any(|d| d.trim() == "frame-ancestors 'none'"), "{csp}");
    assert_eq!(header("x-frame-options"), "DENY");
}

/// A world whose policy fires every hour on four Alibaba disks.
fn firing_every_hour() -> String {
    reference_with(|w| {
        w["settings"]["timings"]["snapshot_seconds"] = 0.into();
        w["snapshot_policies"] = serde_json::json!([{
            "id": "sp-every-hour", "account": "acct-ali", "region": "cn-hangzhou",
            "time_points": (0..24).collect::<Vec<u8>>(), "retention_days": 7,
            "disks": ["d-ali-running-sys", "d-ali-stopped-data", "d-ali-stopped-sys", "d-ali-running-data"]
        }]);
    })
}

/// A clock move of three days (which fires the scheduler for every hour it passes) on one process
/// and a reset on another 50 ms later exclude each other: whichever runs second sees all of the
/// first, and the table's invariants hold (no disk counts snapshots it does not have).
#[tokio::test]
async fn a_reset_and_a_clock_move_on_two_processes_exclude_each_other() {
    let world = firing_every_hour();
    let control = || Control { world: Some(world.clone().into()), ..Control::default() };
    let mover = Gateway::start_with_control(&world, Some(control())).await;
    let resetter = mover.second_process(Some(control())).await;
    for trial in 0..3 {
        let moving = mover.control("POST", "clock", serde_json::json!({"advance": "3d"}));
        let resetting = async {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            resetter.raw("POST", "/_emulator/reset", &[], vec![]).await
        };
        let (moved, reset) = tokio::join!(moving, resetting);
        assert_eq!(moved.status, 200, "trial {trial}: {}", moved.text);
        assert_eq!(reset.status, 200, "trial {trial}: {}", reset.text);
        mover.assert_consistent().await;
    }
}

/// Requests during resets, on another process: every one is answered as the world says (a known
/// key is never unknown, a known disk never missing), however the reset and the request interleave.
#[tokio::test]
async fn traffic_during_a_reset_never_finds_a_known_key_unknown() {
    let world = reference_with(|_| {});
    let control = Control { world: Some(world.clone().into()), ..Control::default() };
    let resetter = Gateway::start_with_control(&world, Some(control)).await;
    let caller = resetter.second_process(None).await;
    let stop = std::sync::atomic::AtomicBool::new(false);
    let traffic = async {
        let mut answers = 0;
        while !stop.load(std::sync::atomic::Ordering::SeqCst) {
            let params = [("RegionId", "cn-hangzhou"), ("DiskId", "d-ali-stopped-sys")];
            let r = caller.call(ALI, "DescribeSnapshots", &params).await;
            assert_eq!(r.status, 200, "a request during a reset: {}", r.text);
            let r = caller.tc(TcSigning::Tc3, TC, "DescribeSnapshots", serde_json::json!({})).await;
            assert_eq!(r.tc_code(), None, "a request during a reset: {}", r.text);
            answers += 1;
        }
        answers
    };
    let resets = async {
        for _ in 0..5 {
            let r = resetter.raw("POST", "/_emulator/reset", &[], vec![]).await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
    };
    let (answers, ()) = tokio::join!(traffic, resets);
    assert!(answers > 10, "only {answers} requests ran beside the resets");
    resetter.assert_consistent().await;
}
