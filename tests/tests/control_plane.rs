//! The operator's control plane under `/_emulator/`: off unless switched on, a bearer token when
//! one is configured, and what `health` tells.

use integration_tests::*;
use service::control::Control;

#[tokio::test]
async fn health_tells_the_table_the_dialects_and_the_round_trips() {
    let world = reference_with(|w| w["settings"]["timings"] = serde_json::json!({"snapshot_seconds": 0}));
    let gw = Gateway::start_with_control(&world, Some(Control::default())).await;
    let before = gw.raw("GET", "/_emulator/health", &[], vec![]).await;
    assert_eq!((before.status, before.content_type.as_str()), (200, "application/json"), "{}", before.text);
    let health = before.json();
    assert_eq!(health["status"], "running");
    assert_eq!(health["table"], gw.store.table());
    assert!(health["dialects"]["tencent"].as_array().unwrap().contains(&"CreateImage".into()), "{health}");
    assert!(health["dialects"]["zenlayer"].as_array().unwrap().contains(&"DescribeCustomImages".into()));
    chrono::DateTime::parse_from_rfc3339(health["time"].as_str().unwrap()).unwrap();
    // Signed CreateSnapshots: their round trips are counted. The first reads the credential with
    // the disk, then the disk's instance, then writes; the next knows the instance and reads it
    // with the rest: two.
    let trips =
        async || gw.raw("GET", "/_emulator/health", &[], vec![]).await.json()["store_round_trips"].as_u64();
    let mut counts = Vec::new();
    for _ in 0..2 {
        let before = trips().await.unwrap();
        let made = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-expired")]).await;
        assert_eq!(made.status, 200, "{}", made.text);
        counts.push(trips().await.unwrap() - before);
    }
    assert_eq!(counts, vec![3, 2]);
    let unknown = gw.raw("GET", "/_emulator/nothing", &[], vec![]).await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn off_it_is_an_unknown_path_and_on_with_a_token_it_asks_for_it() {
    let off = Gateway::start(REFERENCE_WORLD).await;
    let r = off.raw("GET", "/_emulator/health", &[], vec![]).await;
    // Answered by a dialect, in its envelope, as any unknown request.
    assert_eq!((r.status, r.code()), (400, "MissingParameter".to_string()), "{}", r.text);
    let guarded =
        Gateway::start_with_control(REFERENCE_WORLD, Some(Control { token: Some("s3cret".into()) })).await;
    let refused = guarded.raw("GET", "/_emulator/health", &[], vec![]).await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    let wrong = guarded.raw("GET", "/_emulator/health", &[("authorization", "Bearer nope")], vec![]).await;
    assert_eq!(wrong.status, 401);
    let allowed =
        guarded.raw("GET", "/_emulator/health", &[("authorization", "Bearer s3cret")], vec![]).await;
    assert_eq!(allowed.status, 200, "{}", allowed.text);
    assert!(!allowed.text.contains("s3cret"));
}
