//! Loading worlds: a reload replaces what the named accounts had; a malformed world writes
//! nothing and names the bad field.

use integration_tests::*;

#[tokio::test]
async fn reloading_replaces_the_accounts_state() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let made = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-expired")]).await.field("SnapshotId");
    assert!(gw.store.snapshot(&made).await.unwrap().is_some());

    let world = world::parse(REFERENCE_WORLD, chrono::Utc::now()).unwrap();
    let summary = gw.store.load_world(&world).await.unwrap();
    assert_eq!(summary.accounts, 12);
    // The world's items are written over what the accounts had; what it does not have again,
    // the snapshot made above, is removed after.
    assert_eq!(summary.removed, 1, "{summary:?}");
    assert!(gw.store.snapshot(&made).await.unwrap().is_none(), "the created snapshot is gone");
    let disk = gw.store.disk("d-ali-expired").await.unwrap().unwrap();
    assert_eq!((disk.snapshot_count, disk.busy_until), (0, None));

    // A world naming only one account leaves the others alone.
    let small = r#"{"version":1,"regions":[{"id":"cn-hangzhou","provider":"alibaba","zones":["cn-hangzhou-h"]}],
        "accounts":[{"id":"acct-ali-other","provider":"alibaba","credentials":[{"access_key_id":"LTAI5tRefAlibaba0002","secret":"RefAlibabaSecret0002"}]}]}"#;
    gw.store.load_world(&world::parse(small, chrono::Utc::now()).unwrap()).await.unwrap();
    assert!(gw.store.snapshot("s-ali-other").await.unwrap().is_none());
    assert!(gw.store.snapshot("s-ali-sys").await.unwrap().is_some());
}
