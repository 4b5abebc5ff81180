//! The world command: a malformed world is refused with the bad field's path and nothing is
//! written; a good one is loaded. Needs DynamoDB Local at `DYNAMODB_ENDPOINT`.

fn dynamodb_endpoint() -> String {
    std::env::var("DYNAMODB_ENDPOINT")
        .expect("DYNAMODB_ENDPOINT must point at DynamoDB Local (infra/local/test.sh starts it)")
}

fn reference_with(change: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(world::REFERENCE_WORLD).unwrap();
    change(&mut v);
    v.to_string()
}

const REFERENCE_WORLD: &str = world::REFERENCE_WORLD;
const ALI: (&str, &str) = ("LTAI5tRefAlibaba0001", "RefAlibabaSecret0001");

#[tokio::test]
async fn the_world_command_refuses_a_malformed_world_and_writes_nothing() {
    let endpoint = dynamodb_endpoint();
    let dir = std::env::temp_dir().join(format!("world-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    let text = reference_with(|w| w["instances"][3]["status"] = "runing".into());
    std::fs::write(&bad, text).unwrap();
    let table = format!("t-{}", uuid::Uuid::new_v4().simple());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_world"))
        .args(["load", bad.to_str().unwrap(), "--table", &table])
        .env("DYNAMODB_ENDPOINT", &endpoint)
        .output()
        .expect("run the world command");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("instances[3].status: unknown status \"runing\""), "{err}");
    // Nothing was written: the table was not even created.
    let store = store::Store::connect(Some(endpoint.clone()), table.clone()).await;
    assert!(store.credential(ALI.0).await.is_err(), "the table should not exist");

    let good = dir.join("good.json");
    std::fs::write(&good, REFERENCE_WORLD).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_world"))
        .args(["load", good.to_str().unwrap(), "--table", &table])
        .env("DYNAMODB_ENDPOINT", &endpoint)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(store.credential(ALI.0).await.unwrap().unwrap().account.id, "acct-ali");
    // The loaded table keeps its invariants.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_world"))
        .args(["verify", "--table", &table])
        .env("DYNAMODB_ENDPOINT", &endpoint)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("consistent"));
}
