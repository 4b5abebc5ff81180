//! Every Describe is one round trip of time once the process knows the caller's key: the batch
//! read of the credential and what the call names, the index query it lists through (a disk's
//! snapshots, the caller's snapshots, images or disks) and the signature nonce are sent side by
//! side. Counted by the store's client over HTTP, with the answers checked.

use dialects::actions::{Access, ROUTES};
use dialects::Dialect;
use integration_tests::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The reads not counted here: the tag listings query the tags after their batch read (two
/// round trips of time).
const NOT_ONE_ROUND_TRIP: [(Dialect, &str); 2] =
    [(Dialect::Alibaba, "ListTagResources"), (Dialect::Tencent, "DescribeResourceTagsByResourceIds")];

/// Requests sent and round trips of time of one call, and its answer.
async fn counted<F: std::future::Future<Output = Reply>>(gw: &Gateway, call: F) -> (u64, u64, Reply) {
    let (sent, waits) = (gw.store.round_trips(), gw.store.round_trip_waits());
    let reply = call.await;
    (gw.store.round_trips() - sent, gw.store.round_trip_waits() - waits, reply)
}

fn listed(v: &Value, list: &str) -> usize {
    v.pointer(list).and_then(Value::as_array).map_or_else(|| panic!("no {list} in {v}"), Vec::len)
}

#[tokio::test]
async fn every_describe_is_one_round_trip_of_time() {
    let gw = Gateway::start_speculating(REFERENCE_WORLD, None).await;
    // Each key's first call makes this process learn its account.
    let made = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-stopped-sys")]).await.field("SnapshotId");
    gw.tc(TcSigning::Tc3, TC, "DescribeImages", json!({})).await;
    let zl = [
        ("CreateSnapshot", json!({"diskId": "zl-ins-running-sys", "snapshotName": "listed"})),
        ("CreateImage", json!({"instanceId": "zl-ins-stopped", "imageName": "listed"})),
    ];
    for (action, params) in zl {
        let r = gw.zl(ZL, action, params).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }

    // Every read of the routing table is called below, or named above.
    let mut called = BTreeSet::new();
    let region = ("RegionId", "cn-hangzhou");
    let ids = format!("[\"{made}\"]");
    let ali = [
        ("by id", vec![region, ("SnapshotIds", ids.as_str())], "/Snapshots/Snapshot", 1),
        ("by disk", vec![region, ("DiskId", "d-ali-stopped-sys")], "/Snapshots/Snapshot", 1),
        ("by account", vec![region], "/Snapshots/Snapshot", 1),
        ("by instance", vec![region, ("InstanceId", "i-ali-stopped")], "/Snapshots/Snapshot", 1),
    ];
    for (scope, params, list, at_least) in ali {
        let (sent, waits, r) = counted(&gw, gw.call(ALI, "DescribeSnapshots", &params)).await;
        assert_eq!(r.status, 200, "{scope}: {}", r.text);
        assert!(listed(&r.json(), list) >= at_least, "{scope}: {}", r.text);
        assert_eq!(waits, 1, "Alibaba DescribeSnapshots {scope}: {sent} requests, {waits} round trips");
        called.insert((Dialect::Alibaba, "DescribeSnapshots"));
    }
    let (sent, waits, r) = counted(&gw, gw.call(ALI, "DescribeImages", &[region])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(listed(&r.json(), "/Images/Image") >= 1, "{}", r.text);
    assert_eq!(waits, 1, "Alibaba DescribeImages: {sent} requests, {waits} round trips");
    called.insert((Dialect::Alibaba, "DescribeImages"));

    for (action, list) in [("DescribeSnapshots", "/SnapshotSet"), ("DescribeImages", "/ImageSet")] {
        let (sent, waits, r) = counted(&gw, gw.tc(TcSigning::Tc3, TC, action, json!({}))).await;
        assert_eq!(r.tc_code(), None, "{}", r.text);
        assert!(listed(&r.tc_response(), list) >= 1, "{}", r.text);
        assert_eq!(waits, 1, "Tencent {action}: {sent} requests, {waits} round trips");
        called.insert((Dialect::Tencent, action));
    }
    for action in ["DescribeSnapshots", "DescribeImages", "DescribeCustomImages"] {
        let (sent, waits, r) = counted(&gw, gw.zl(ZL, action, json!({}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(listed(&r.json(), "/response/dataSet") >= 1, "{action}: {}", r.text);
        assert_eq!(waits, 1, "Zenlayer {action}: {sent} requests, {waits} round trips");
        called.insert((Dialect::Zenlayer, action));
    }
    let reads: BTreeSet<(Dialect, &str)> =
        ROUTES.iter().filter(|r| r.access() == Access::Read).map(|r| (r.dialect(), r.wire())).collect();
    for named in NOT_ONE_ROUND_TRIP {
        assert!(reads.contains(&named), "{named:?} is not a read of the routing table");
        called.insert(named);
    }
    assert_eq!(called, reads, "the reads called (or named) and the routing table's reads");
}
