//! Tags given at create time follow the rules a resource's tags follow later: no more than a
//! resource may carry (counted before anything is read, so a body of thousands of tags is
//! refused at once, never an `InternalError` from the store's item size), keys the provider
//! reserves refused, each with the provider's code; a resource made with the most tags it may
//! carry can still lose one.

use integration_tests::*;
use serde_json::{json, Value};

fn tc_tags(n: usize, key: &str) -> Value {
    Value::Array((0..n).map(|i| json!({"Key": format!("{key}{i}"), "Value": "v"})).collect())
}

fn zl_tags(n: usize) -> Value {
    Value::Array((0..n).map(|i| json!({"key": format!("k{i}"), "value": "v"})).collect())
}

fn tc_code(r: &Reply) -> String {
    r.tc_code().unwrap_or_else(|| format!("(success) {}", r.text))
}

#[tokio::test]
async fn tencent_create_tags_keep_the_tag_services_rules() {
    let gw = Gateway::start(&timed_world(0, 0)).await;
    let snapshot = |tags: Value| json!({"DiskId": "disk-tc-stopped-data", "Tags": tags});
    let image = |tags: Value| {
        json!({"SnapshotIds": ["snap-tc-sys"], "ImageName": format!("tags-{}", tags.as_array().unwrap().len()),
               "TagSpecification": [{"ResourceType": "image", "Tags": tags}]})
    };
    for n in [51, 12_000] {
        let r = gw.tc(TcSigning::Tc3, TC, "CreateSnapshot", snapshot(tc_tags(n, "k"))).await;
        assert_eq!(tc_code(&r), "LimitExceeded.ResourceAttachedTags", "{n} tags");
        let r = gw.tc(TcSigning::Tc3, TC, "CreateImage", image(tc_tags(n, "k"))).await;
        assert_eq!(tc_code(&r), "LimitExceeded.ResourceAttachedTags", "{n} tags");
    }
    for reserved in ["qcloud:x", "QCS:x", "tencent-x", "project"] {
        let tags = json!([{"Key": reserved, "Value": "v"}]);
        let r = gw.tc(TcSigning::Tc3, TC, "CreateSnapshot", snapshot(tags.clone())).await;
        assert_eq!(tc_code(&r), "InvalidParameter.ReservedTagKey", "{reserved}");
        let r = gw.tc(TcSigning::Tc3, TC, "CreateImage", image(tags)).await;
        assert_eq!(tc_code(&r), "InvalidParameter.ReservedTagKey", "{reserved}");
    }
    // The most a resource carries: made, and a tag can still be removed through the Tag service.
    let made = gw.tc_ok(TcSigning::Tc3, TC, "CreateSnapshot", snapshot(tc_tags(50, "k"))).await;
    let id = made["SnapshotId"].as_str().unwrap();
    let resource = format!("qcs::cvm:ap-guangzhou:uin/:snapshot/{id}");
    let removed = gw
        .tc_as(
            "tag",
            "2018-08-13",
            "ModifyResourceTags",
            json!({"Resource": resource, "DeleteTags": [{"TagKey": "k0"}]}),
        )
        .await;
    assert_eq!(tc_code(&removed), format!("(success) {}", removed.text));
    let listed = gw.tc_ok(TcSigning::Tc3, TC, "DescribeSnapshots", json!({"SnapshotIds": [id]})).await;
    assert_eq!(listed["SnapshotSet"][0]["Tags"].as_array().unwrap().len(), 49, "{listed}");
    gw.assert_consistent().await;
}

#[tokio::test]
async fn zenlayer_create_tags_keep_the_resource_limit() {
    let gw = Gateway::start(&timed_world(0, 0)).await;
    for n in [51, 9_000] {
        let params =
            json!({"instanceId": "zl-ins-stopped", "imageName": "tagged", "tags": {"tags": zl_tags(n)}});
        let r = gw.zl(ZL, "CreateImage", params).await;
        assert_eq!(
            (r.status, r.zl_code()),
            (400, Some("INVALID_PARAMETER_EXCEED_MAXIMUM".into())),
            "{n}: {}",
            r.text
        );
    }
    let params =
        json!({"instanceId": "zl-ins-stopped", "imageName": "tagged", "tags": {"tags": zl_tags(50)}});
    let made = gw.zl(ZL, "CreateImage", params).await;
    assert_eq!(made.zl_code(), None, "{}", made.text);
    gw.assert_consistent().await;
}
