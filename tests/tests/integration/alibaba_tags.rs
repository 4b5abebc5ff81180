//! Alibaba TagResources, UntagResources, ListTagResources and JoinResourceGroup on snapshots and
//! images, by the rules of their pages (ECS API reference): tags read back at once from the
//! Describe calls and their `Tag.N` filters, every documented refusal with nothing changed, and
//! concurrent calls that never lose a tag.

use domain::tags::TaggedKind;
use domain::Tag;
use integration_tests::*;
use serde_json::{json, Value};
use std::sync::Arc;

const REGION: (&str, &str) = ("RegionId", "cn-hangzhou");

/// A refusal: HTTP status, code, the request's parameters.
type Case = (u16, &'static str, Vec<(&'static str, &'static str)>);

/// The reference world, snapshots complete at once.
fn world() -> String {
    timed_world(0, 0)
}

async fn tag(gw: &Gateway, kind: &str, id: &str, tags: &[(&str, &str)]) -> Reply {
    let mut params = vec![REGION, ("ResourceType", kind), ("ResourceId.1", id)];
    let names: Vec<(String, String)> =
        (1..=tags.len()).map(|n| (format!("Tag.{n}.Key"), format!("Tag.{n}.Value"))).collect();
    for ((k, v), (kn, vn)) in tags.iter().zip(&names) {
        params.push((kn.as_str(), k));
        params.push((vn.as_str(), v));
    }
    gw.call(ALI, "TagResources", &params).await
}

fn pairs(tags: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = tags["Tag"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["TagKey"].as_str().unwrap().into(), t["TagValue"].as_str().unwrap().into()))
        .collect();
    out.sort();
    out
}

fn owned(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

async fn snapshot_tags(gw: &Gateway, id: &str) -> Vec<(String, String)> {
    let ids = format!("[\"{id}\"]");
    let r = gw.call(ALI, "DescribeSnapshots", &[REGION, ("SnapshotIds", &ids)]).await;
    pairs(&r.json()["Snapshots"]["Snapshot"][0]["Tags"])
}

async fn image_tags(gw: &Gateway, id: &str) -> Vec<(String, String)> {
    let r = gw.call(ALI, "DescribeImages", &[REGION, ("ImageId", id)]).await;
    pairs(&r.json()["Images"]["Image"][0]["Tags"])
}

#[tokio::test]
async fn tags_are_set_overwritten_and_removed_and_read_back_at_once() {
    let gw = Gateway::start(&world()).await;
    let r = tag(&gw, "snapshot", "s-ali-sys", &[("env", "prod"), ("team", "core")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json().as_object().unwrap().keys().collect::<Vec<_>>(), vec!["RequestId"]);
    assert_eq!(snapshot_tags(&gw, "s-ali-sys").await, owned(&[("env", "prod"), ("team", "core")]));
    // An existing key takes the new value.
    assert_eq!(tag(&gw, "snapshot", "s-ali-sys", &[("env", "test")]).await.status, 200);
    assert_eq!(snapshot_tags(&gw, "s-ali-sys").await, owned(&[("env", "test"), ("team", "core")]));
    // The Tag.N filter of DescribeSnapshots finds it.
    let found =
        gw.call(ALI, "DescribeSnapshots", &[REGION, ("Tag.1.Key", "env"), ("Tag.1.Value", "test")]).await;
    let body = found.json();
    let ids: Vec<&Value> =
        body["Snapshots"]["Snapshot"].as_array().unwrap().iter().map(|s| &s["SnapshotId"]).collect();
    assert_eq!(ids, vec!["s-ali-sys"], "{}", found.text);

    let untag = [
        REGION,
        ("ResourceType", "snapshot"),
        ("ResourceId.1", "s-ali-sys"),
        ("TagKey.1", "env"),
        ("TagKey.2", "absent"),
    ];
    assert_eq!(gw.call(ALI, "UntagResources", &untag).await.status, 200);
    assert_eq!(snapshot_tags(&gw, "s-ali-sys").await, owned(&[("team", "core")]));
    let all = [REGION, ("ResourceType", "snapshot"), ("ResourceId.1", "s-ali-sys"), ("All", "true")];
    assert_eq!(gw.call(ALI, "UntagResources", &all).await.status, 200);
    assert!(snapshot_tags(&gw, "s-ali-sys").await.is_empty());

    assert_eq!(tag(&gw, "image", "m-ali-golden", &[("os", "linux")]).await.status, 200);
    assert_eq!(image_tags(&gw, "m-ali-golden").await, owned(&[("os", "linux")]));
    let found = gw.call(ALI, "DescribeImages", &[REGION, ("Tag.1.Key", "os")]).await;
    assert_eq!(found.json()["TotalCount"], json!(1), "{}", found.text);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn tagging_is_all_or_nothing_and_refused_by_the_pages_codes() {
    let gw = Gateway::start(&world()).await;
    assert_eq!(tag(&gw, "snapshot", "s-ali-sys", &[("keep", "me")]).await.status, 200);
    let many: Vec<(String, String)> = (1..=20).map(|n| (format!("k{n}"), "v".to_string())).collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let over = tag(&gw, "snapshot", "s-ali-sys", &many).await;
    assert_eq!((over.status, over.code()), (400, "OperationDenied.QuotaExceed".to_string()), "{}", over.text);
    let long_key: &'static str = Box::leak("k".repeat(129).into_boxed_str());
    let long_value: &'static str = Box::leak("v".repeat(129).into_boxed_str());
    let base = |extra: Vec<(&'static str, &'static str)>| {
        let mut p = vec![REGION, ("ResourceType", "snapshot"), ("ResourceId.1", "s-ali-sys")];
        p.extend(extra);
        p
    };
    let cases: Vec<Case> = vec![
        (
            404,
            "InvalidResourceId.NotFound",
            vec![
                REGION,
                ("ResourceType", "snapshot"),
                ("ResourceId.1", "s-ali-sys"),
                ("ResourceId.2", "s-nonexistent"),
                ("Tag.1.Key", "x"),
                ("Tag.1.Value", "y"),
            ],
        ),
        (
            404,
            "InvalidResourceId.NotFound",
            vec![REGION, ("ResourceType", "snapshot"), ("ResourceId.1", "s-ali-quota-1"), ("Tag.1.Key", "x")],
        ),
        (
            404,
            "InvalidResourceId.NotFound",
            vec![
                ("RegionId", "cn-beijing"),
                ("ResourceType", "snapshot"),
                ("ResourceId.1", "s-ali-sys"),
                ("Tag.1.Key", "x"),
            ],
        ),
        (
            403,
            "InvalidResourceId.NotSupported",
            vec![REGION, ("ResourceType", "instance"), ("ResourceId.1", "i-ali-running"), ("Tag.1.Key", "x")],
        ),
        (
            404,
            "InvalidResourceType.NotFound",
            vec![REGION, ("ResourceType", "Snapshot"), ("ResourceId.1", "s-ali-sys"), ("Tag.1.Key", "x")],
        ),
        (
            404,
            "MissingParameter.ResourceType",
            vec![REGION, ("ResourceId.1", "s-ali-sys"), ("Tag.1.Key", "x")],
        ),
        (
            404,
            "MissingParameter.RegionId",
            vec![("ResourceType", "snapshot"), ("ResourceId.1", "s-ali-sys"), ("Tag.1.Key", "x")],
        ),
        (404, "MissingParameter.ResourceIds", vec![REGION, ("ResourceType", "snapshot"), ("Tag.1.Key", "x")]),
        (404, "MissingParameter.Tags", base(vec![])),
        (400, "NumberExceed.Tags", base(vec![("Tag.21.Key", "x")])),
        (400, "NumberExceed.ResourceIds", base(vec![("ResourceId.51", "s-ali-sys"), ("Tag.1.Key", "x")])),
        (400, "InvalidTagKey.Malformed", base(vec![("Tag.1.Key", "acs:x")])),
        (400, "InvalidTagKey.Malformed", base(vec![("Tag.1.Key", "aliyun-x")])),
        (400, "InvalidTagKey.Malformed", base(vec![("Tag.1.Key", "see http://x")])),
        (400, "InvalidTagKey.Malformed", base(vec![("Tag.1.Key", long_key)])),
        (400, "InvalidTagKey.Malformed", base(vec![("Tag.1.Key", ""), ("Tag.1.Value", "v")])),
        (400, "InvalidTagValue.Malformed", base(vec![("Tag.1.Key", "k"), ("Tag.1.Value", long_value)])),
        (400, "Duplicate.TagKey", base(vec![("Tag.1.Key", "a"), ("Tag.2.Key", "a")])),
        (403, "TagKey.Duplication", base(vec![("Tag.1.Key", "Env"), ("Tag.2.Key", "env")])),
        (400, "InvalidTag.Mismatch", base(vec![("Tag.1.Value", "orphan")])),
    ];
    for (status, code, params) in cases {
        let r = gw.call(ALI, "TagResources", &params).await;
        assert_eq!((r.status, r.code()), (status, code.to_string()), "{params:?}: {}", r.text);
    }
    let conflict = base(vec![("All", "true"), ("TagKey.1", "keep")]);
    let r = gw.call(ALI, "UntagResources", &conflict).await;
    assert_eq!((r.status, r.code()), (403, "Param.Conflict".to_string()), "{}", r.text);
    let r = gw.call(ALI, "UntagResources", &base(vec![("TagKey.21", "keep")])).await;
    assert_eq!((r.status, r.code()), (400, "NumberExceed.Tags".to_string()), "{}", r.text);
    assert_eq!(snapshot_tags(&gw, "s-ali-sys").await, owned(&[("keep", "me")]), "nothing changed");
}

#[tokio::test]
async fn tag_resources_are_listed_filtered_and_paged() {
    let gw = Gateway::start(&world()).await;
    let mut snapshots = Vec::new();
    for _ in 0..3 {
        let r = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-stopped-data")]).await;
        snapshots.push(r.field("SnapshotId"));
        gw.advance_clock(600_000).await;
    }
    let twenty: Vec<(String, String)> = (1..=20).map(|n| (format!("env{n:02}"), format!("v{n}"))).collect();
    let twenty: Vec<(&str, &str)> = twenty.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    for id in &snapshots {
        assert_eq!(tag(&gw, "snapshot", id, &twenty).await.status, 200);
    }
    // By id: that snapshot's twenty tags.
    let r = gw
        .call(
            ALI,
            "ListTagResources",
            &[REGION, ("ResourceType", "snapshot"), ("ResourceId.1", &snapshots[0])],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let rows = r.json()["TagResources"]["TagResource"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 20);
    assert_eq!(rows[0]["ResourceType"], json!("snapshot"));
    assert!(r.json().get("NextToken").is_none(), "{}", r.text);
    // By a tag key: sixty pairs, fifty to a page, then the rest.
    let query = [REGION, ("ResourceType", "snapshot"), ("Tag.1.Key", "env01")];
    let first = gw.call(ALI, "ListTagResources", &query).await;
    assert_eq!(first.json()["TagResources"]["TagResource"].as_array().unwrap().len(), 50);
    let token = first.json()["NextToken"].as_str().unwrap().to_string();
    let mut next = query.to_vec();
    next.push(("NextToken", &token));
    let second = gw.call(ALI, "ListTagResources", &next).await;
    assert_eq!(second.json()["TagResources"]["TagResource"].as_array().unwrap().len(), 10, "{}", second.text);
    // By a key prefix filter and value; by a value that no resource has.
    let filtered = gw
        .call(
            ALI,
            "ListTagResources",
            &[REGION, ("ResourceType", "snapshot"), ("TagFilter.1.TagKey", "env0*")],
        )
        .await;
    assert_eq!(
        filtered.json()["TagResources"]["TagResource"].as_array().unwrap().len(),
        50,
        "{}",
        filtered.text
    );
    let none = gw
        .call(
            ALI,
            "ListTagResources",
            &[REGION, ("ResourceType", "snapshot"), ("Tag.1.Key", "env01"), ("Tag.1.Value", "other")],
        )
        .await;
    assert!(none.json()["TagResources"]["TagResource"].as_array().unwrap().is_empty(), "{}", none.text);

    let cases: Vec<Case> = vec![
        (403, "BothEmpty.TagsAndResources", vec![REGION, ("ResourceType", "snapshot")]),
        (
            400,
            "InvalidTags.MalFormed",
            vec![REGION, ("ResourceType", "snapshot"), ("Tag.1.Key", "a"), ("TagFilter.1.TagKey", "a")],
        ),
        (
            403,
            "NumberExceed.TagValues",
            vec![
                REGION,
                ("ResourceType", "snapshot"),
                ("TagFilter.1.TagKey", "a"),
                ("TagFilter.1.TagValues.6", "x"),
            ],
        ),
        (
            403,
            "InvalidTagFilter.Malformed",
            vec![
                REGION,
                ("ResourceType", "snapshot"),
                ("TagFilter.1.TagKey", "a*"),
                ("TagFilter.1.TagValues.1", "x"),
            ],
        ),
        (
            403,
            "Invalid.NextToken",
            vec![REGION, ("ResourceType", "snapshot"), ("Tag.1.Key", "env01"), ("NextToken", "forged")],
        ),
        (400, "InvalidTag.Mismatch", vec![REGION, ("ResourceType", "snapshot"), ("Tag.1.Value", "x")]),
    ];
    for (status, code, params) in cases {
        let r = gw.call(ALI, "ListTagResources", &params).await;
        assert_eq!((r.status, r.code()), (status, code.to_string()), "{params:?}: {}", r.text);
    }
}

#[tokio::test]
async fn a_resource_joins_a_group() {
    let gw = Gateway::start(&world()).await;
    for (kind, id) in [("snapshot", "s-ali-sys"), ("image", "m-ali-golden")] {
        let r = gw
            .call(
                ALI,
                "JoinResourceGroup",
                &[REGION, ("ResourceType", kind), ("ResourceId", id), ("ResourceGroupId", "rg-team")],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let ids = "[\"s-ali-sys\"]";
    let snapshot = gw.call(ALI, "DescribeSnapshots", &[REGION, ("SnapshotIds", ids)]).await;
    assert_eq!(snapshot.json()["Snapshots"]["Snapshot"][0]["ResourceGroupId"], json!("rg-team"));
    let image = gw.call(ALI, "DescribeImages", &[REGION, ("ImageId", "m-ali-golden")]).await;
    assert_eq!(image.json()["Images"]["Image"][0]["ResourceGroupId"], json!("rg-team"));
    let cases: Vec<Case> = vec![
        (403, "MissingParameter", vec![REGION, ("ResourceType", "image"), ("ResourceGroupId", "rg-team")]),
        (403, "MissingParameter", vec![REGION, ("ResourceType", "image"), ("ResourceId", "m-ali-golden")]),
        (
            404,
            "InvalidResourceType.NotFound",
            vec![
                REGION,
                ("ResourceType", "bucket"),
                ("ResourceId", "m-ali-golden"),
                ("ResourceGroupId", "rg-team"),
            ],
        ),
        (
            404,
            "InvalidResourceGroup.NotFound",
            vec![
                REGION,
                ("ResourceType", "image"),
                ("ResourceId", "m-ali-golden"),
                ("ResourceGroupId", "team"),
            ],
        ),
        (
            404,
            "InvalidResourceId.NotFound",
            vec![
                REGION,
                ("ResourceType", "image"),
                ("ResourceId", "m-nonexistent"),
                ("ResourceGroupId", "rg-team"),
            ],
        ),
    ];
    for (status, code, params) in cases {
        let r = gw.call(ALI, "JoinResourceGroup", &params).await;
        assert_eq!((r.status, r.code()), (status, code.to_string()), "{params:?}: {}", r.text);
    }
}

#[tokio::test]
async fn concurrent_tag_calls_never_lose_a_tag() {
    let gw = Arc::new(Gateway::start(&world()).await);
    let calls = (0..20).map(|n| {
        let gw = gw.clone();
        tokio::spawn(async move {
            let key = format!("k{n}");
            tag(&gw, "snapshot", "s-ali-sys", &[(key.as_str(), "v")]).await
        })
    });
    for call in calls {
        let r = call.await.unwrap();
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert_eq!(snapshot_tags(&gw, "s-ali-sys").await.len(), 20);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn a_write_from_a_stale_read_is_refused_and_judged_again() {
    // Two calls read the same tags; the second to write must not overwrite the first's change.
    let gw = Gateway::start(&world()).await;
    let read = gw.store.snapshot("s-ali-sys").await.unwrap().unwrap();
    let before = store::Labels {
        kind: TaggedKind::Snapshot,
        id: read.id.clone(),
        tags: read.tags.clone(),
        group: None,
    };
    let with = |key: &str| {
        let mut after = before.clone();
        after.tags.push(Tag { key: key.into(), value: "v".into() });
        (before.clone(), after)
    };
    assert_eq!(gw.store.relabel(&[with("first")]).await.unwrap(), store::Modified::Written);
    assert_eq!(gw.store.relabel(&[with("second")]).await.unwrap(), store::Modified::Changed);
    assert_eq!(snapshot_tags(&gw, "s-ali-sys").await, owned(&[("first", "v")]));
}

/// One rule for a tag key's case, everywhere (the error's own words: "The TagKey has duplication
/// with others, case-insensitive"): `Env`, `env` and `ENV` are one key, whether they come in one
/// call or in several, at create or later; the reserved prefixes `aliyun` and `acs:` are refused
/// in any case.
#[tokio::test]
async fn a_tag_key_is_one_key_in_any_case() {
    let gw = Gateway::start(&world()).await;
    assert_eq!(tag(&gw, "snapshot", "s-ali-sys", &[("Env", "prod"), ("team", "core")]).await.status, 200);
    // Set again in another case: the same tag, now spelt as given, with the new value.
    assert_eq!(tag(&gw, "snapshot", "s-ali-sys", &[("env", "test")]).await.status, 200);
    assert_eq!(snapshot_tags(&gw, "s-ali-sys").await, owned(&[("env", "test"), ("team", "core")]));
    assert_eq!(tag(&gw, "snapshot", "s-ali-sys", &[("ENV", "stage")]).await.status, 200);
    assert_eq!(snapshot_tags(&gw, "s-ali-sys").await, owned(&[("ENV", "stage"), ("team", "core")]));
    // Removed in another case.
    let untag = [REGION, ("ResourceType", "snapshot"), ("ResourceId.1", "s-ali-sys"), ("TagKey.1", "Env")];
    assert_eq!(gw.call(ALI, "UntagResources", &untag).await.status, 200);
    assert_eq!(snapshot_tags(&gw, "s-ali-sys").await, owned(&[("team", "core")]));
    // Two spellings in one call: TagResources' code, and CreateSnapshot's.
    let both = tag(&gw, "snapshot", "s-ali-sys", &[("Env", "a"), ("env", "b")]).await;
    assert_eq!((both.status, both.code()), (403, "TagKey.Duplication".to_string()), "{}", both.text);
    let create = [
        REGION,
        ("DiskId", "d-ali-stopped-data"),
        ("Tag.1.Key", "Env"),
        ("Tag.1.Value", "a"),
        ("Tag.2.Key", "env"),
        ("Tag.2.Value", "b"),
    ];
    let made = gw.call(ALI, "CreateSnapshot", &create).await;
    assert_eq!((made.status, made.code()), (400, "Duplicate.TagKey".to_string()), "{}", made.text);
    // The reserved prefixes, in any case, at create and later.
    for key in ["acs:x", "ACS:x", "Aliyunx", "ALIYUN-x", "aliyun"] {
        let r = tag(&gw, "snapshot", "s-ali-sys", &[(key, "v")]).await;
        assert_eq!((r.status, r.code()), (400, "InvalidTagKey.Malformed".to_string()), "{key}: {}", r.text);
        let create = [REGION, ("DiskId", "d-ali-stopped-data"), ("Tag.1.Key", key), ("Tag.1.Value", "v")];
        let r = gw.call(ALI, "CreateSnapshot", &create).await;
        assert_eq!((r.status, r.code()), (400, "InvalidTagKey.Malformed".to_string()), "{key}: {}", r.text);
    }
    assert_eq!(snapshot_tags(&gw, "s-ali-sys").await, owned(&[("team", "core")]), "nothing changed");
    gw.assert_consistent().await;
}
