//! The Tencent Tag service (API 2018-08-13) on CVM images and CBS snapshots, through the wire:
//! one tag set with the create calls' tags, read back by DescribeImages and DescribeSnapshots and
//! their tag filters, and the service's codes for names, keys and limits.

use dialects::tencent::tags::uin;
use integration_tests::*;
use serde_json::{json, Value};
use std::sync::Arc;

fn code(r: &Reply) -> String {
    r.tc_code().unwrap_or_else(|| format!("(success) {}", r.text))
}

async fn ok(gw: &Gateway, signing: TcSigning, action: &str, params: Value) -> Value {
    gw.tc_ok(signing, TC, action, params).await
}

fn image(id: &str) -> String {
    format!("qcs::cvm:ap-guangzhou:uin/:image/{id}")
}

fn snapshot(id: &str) -> String {
    format!("qcs::cvm:ap-guangzhou:uin/:snapshot/{id}")
}

async fn described(gw: &Gateway, prefix: &str, ids: &[&str]) -> Vec<(String, String, String)> {
    let page = ok(
        gw,
        TcSigning::Tc3,
        "DescribeResourceTagsByResourceIds",
        json!({"ServiceType": "cvm", "ResourcePrefix": prefix, "ResourceRegion": "ap-guangzhou", "ResourceIds": ids}),
    )
    .await;
    let mut rows: Vec<(String, String, String)> = page["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let s = |k: &str| t[k].as_str().unwrap().to_string();
            (s("ResourceId"), s("TagKey"), s("TagValue"))
        })
        .collect();
    rows.sort();
    rows
}

fn row(id: &str, k: &str, v: &str) -> (String, String, String) {
    (id.into(), k.into(), v.into())
}

#[tokio::test]
async fn modify_resource_tags_and_the_create_calls_share_one_tag_set() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let made = ok(
        &gw,
        TcSigning::Tc3,
        "CreateImage",
        json!({"SnapshotIds": ["snap-tc-sys"], "ImageName": "tagged",
               "TagSpecification": [{"ResourceType": "image", "Tags": [{"Key": "env", "Value": "prod"}]}]}),
    )
    .await;
    let id = made["ImageId"].as_str().unwrap().to_string();
    assert_eq!(described(&gw, "image", &[&id]).await, vec![row(&id, "env", "prod")]);
    // Terraform's update: replace one, add one, delete one; the account segment left empty.
    ok(
        &gw,
        TcSigning::Tc3,
        "ModifyResourceTags",
        json!({"Resource": image(&id), "ReplaceTags": [{"TagKey": "team", "TagValue": "core"}]}),
    )
    .await;
    ok(
        &gw,
        TcSigning::Form,
        "ModifyResourceTags",
        json!({"Resource": format!("qcs::cvm:ap-guangzhou:uin/{}:image/{id}", uin("acct-tc")),
               "ReplaceTags": [{"TagKey": "env", "TagValue": "test"}], "DeleteTags": [{"TagKey": "team"}]}),
    )
    .await;
    assert_eq!(described(&gw, "image", &[&id, "img-nothere1"]).await, vec![row(&id, "env", "test")]);
    let page = ok(&gw, TcSigning::Tc3, "DescribeImages", json!({"ImageIds": [id]})).await;
    assert_eq!(page["ImageSet"][0]["Tags"], json!([{"Key": "env", "Value": "test"}]));
    let by_tag = ok(
        &gw,
        TcSigning::Tc3,
        "DescribeImages",
        json!({"Filters": [{"Name": "tag:env", "Values": ["test"]}]}),
    )
    .await;
    assert_eq!(by_tag["TotalCount"], json!(1), "{by_tag}");

    // Snapshots, through TagResources and UnTagResources, in one call over two resources.
    let r = ok(
        &gw,
        TcSigning::Tc3,
        "TagResources",
        json!({"ResourceList": [snapshot("snap-tc-sys"), snapshot("snap-tc-data")], "Tags": [{"TagKey": "backup", "TagValue": "daily"}]}),
    )
    .await;
    assert_eq!(r["FailedResources"], json!([]));
    let page = ok(
        &gw,
        TcSigning::Tc3,
        "DescribeSnapshots",
        json!({"Filters": [{"Name": "tag-key", "Values": ["backup"]}]}),
    )
    .await;
    assert_eq!(page["TotalCount"], json!(2), "{page}");
    ok(
        &gw,
        TcSigning::Tc3Get,
        "UnTagResources",
        json!({"ResourceList": [snapshot("snap-tc-data")], "TagKeys": ["backup"]}),
    )
    .await;
    assert_eq!(
        described(&gw, "snapshot", &["snap-tc-sys", "snap-tc-data"]).await,
        vec![row("snap-tc-sys", "backup", "daily")]
    );
    gw.assert_consistent().await;
}

#[tokio::test]
async fn names_keys_and_limits_are_refused_with_the_services_codes() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let golden = image("img-tcgolden");
    let fifty: Vec<Value> = (0..10).map(|n| json!({"TagKey": format!("k{n}"), "TagValue": "v"})).collect();
    for batch in 0..5 {
        let tags: Vec<Value> =
            (0..10).map(|n| json!({"TagKey": format!("b{batch}k{n}"), "TagValue": "v"})).collect();
        ok(&gw, TcSigning::Tc3, "ModifyResourceTags", json!({"Resource": golden, "ReplaceTags": tags})).await;
    }
    let eleven: Vec<Value> = (0..11).map(|n| json!({"TagKey": format!("x{n}"), "TagValue": "v"})).collect();
    let cases = [
        (
            json!({"Resource": golden, "ReplaceTags": [{"TagKey": "one-more", "TagValue": "v"}]}),
            "LimitExceeded.ResourceAttachedTags",
        ),
        (json!({"Resource": golden, "ReplaceTags": eleven}), "LimitExceeded.TagNumPerRequest"),
        (
            json!({"Resource": "cvm:image/img-tcgolden", "ReplaceTags": fifty}),
            "InvalidParameterValue.ResourceDescriptionError",
        ),
        (
            json!({"Resource": "qcs::cvm:ap-guangzhou:uin/:instance/ins-tc-stopped", "DeleteTags": [{"TagKey": "a"}]}),
            "InvalidParameterValue.ResourceDescriptionError",
        ),
        (
            json!({"Resource": "qcs::cvm:ap-guangzhou:uin/123:image/img-tcgolden", "DeleteTags": [{"TagKey": "a"}]}),
            "InvalidParameterValue.ResourceDescriptionError",
        ),
        (
            json!({"Resource": "qcs::cvm:ap-shanghai:uin/:image/img-tcgolden", "DeleteTags": [{"TagKey": "a"}]}),
            "InvalidParameterValue.ResourceDescriptionError",
        ),
        (
            json!({"Resource": image("img-tcquota1"), "DeleteTags": [{"TagKey": "a"}]}),
            "InvalidParameterValue.ResourceDescriptionError",
        ),
        (json!({"Resource": golden}), "InvalidParameter.Tag"),
        (json!({"Resource": golden, "ReplaceTags": []}), "InvalidParameter.Tag"),
        (
            json!({"Resource": golden, "ReplaceTags": [{"TagKey": "a", "TagValue": "v"}], "DeleteTags": [{"TagKey": "a"}]}),
            "InvalidParameterValue.DeleteTagsParamError",
        ),
        (
            json!({"Resource": golden, "DeleteTags": [{"TagKey": "a"}], "ReplaceTags": [{"TagKey": "qcloud:x", "TagValue": "v"}]}),
            "InvalidParameter.ReservedTagKey",
        ),
        (
            json!({"Resource": golden, "ReplaceTags": [{"TagKey": "", "TagValue": "v"}]}),
            "InvalidParameterValue.TagKeyEmpty",
        ),
        (
            json!({"Resource": golden, "ReplaceTags": [{"TagKey": "k".repeat(128), "TagValue": "v"}]}),
            "InvalidParameterValue.TagKeyLengthExceeded",
        ),
        (
            json!({"Resource": golden, "ReplaceTags": [{"TagKey": "bad#key", "TagValue": "v"}]}),
            "InvalidParameterValue.TagKeyCharacterIllegal",
        ),
        (
            json!({"Resource": golden, "ReplaceTags": [{"TagKey": "k", "TagValue": "v".repeat(256)}]}),
            "InvalidParameterValue.TagValueLengthExceeded",
        ),
        (
            json!({"Resource": golden, "ReplaceTags": [{"TagKey": "k", "TagValue": "bad#value"}]}),
            "InvalidParameterValue.TagValueCharacterIllegal",
        ),
        (
            json!({"Resource": golden, "ReplaceTags": [{"TagKey": "k", "TagValue": "1"}, {"TagKey": "k", "TagValue": "2"}]}),
            "InvalidParameterValue.TagKeyDuplicate",
        ),
        (json!({"ReplaceTags": [{"TagKey": "k", "TagValue": "v"}]}), "MissingParameter"),
    ];
    for (params, want) in cases {
        let r = gw.tc(TcSigning::Tc3, TC, "ModifyResourceTags", params.clone()).await;
        assert_eq!(code(&r), want, "{params}");
    }
    // TagResources lists what it could not change, and changes the rest.
    let r = ok(
        &gw,
        TcSigning::Tc3,
        "TagResources",
        json!({"ResourceList": [snapshot("snap-tc-data"), snapshot("snap-nothere1")], "Tags": [{"TagKey": "k", "TagValue": "v"}]}),
    )
    .await;
    assert_eq!(r["FailedResources"][0]["Resource"], json!(snapshot("snap-nothere1")), "{r}");
    assert_eq!(r["FailedResources"][0]["Code"], json!("InvalidParameterValue.ResourceDescriptionError"));
    assert_eq!(described(&gw, "snapshot", &["snap-tc-data"]).await, vec![row("snap-tc-data", "k", "v")]);
    let list: Vec<String> = (0..11).map(|_| snapshot("snap-tc-data")).collect();
    let r = gw
        .tc(
            TcSigning::Tc3,
            TC,
            "TagResources",
            json!({"ResourceList": list, "Tags": [{"TagKey": "k", "TagValue": "v"}]}),
        )
        .await;
    assert_eq!(code(&r), "LimitExceeded.ResourceNumPerRequest");
    let describe_cases = [
        (
            json!({"ServiceType": "cbs", "ResourcePrefix": "snapshot", "ResourceRegion": "ap-guangzhou", "ResourceIds": ["snap-tc-data"]}),
            "InvalidParameterValue.ServiceTypeInvalid",
        ),
        (
            json!({"ServiceType": "cvm", "ResourcePrefix": "instance", "ResourceRegion": "ap-guangzhou", "ResourceIds": ["x"]}),
            "InvalidParameterValue.ResourcePrefixInvalid",
        ),
        (
            json!({"ServiceType": "cvm", "ResourcePrefix": "image", "ResourceRegion": "mars-1", "ResourceIds": ["img-tcgolden"]}),
            "InvalidParameterValue.RegionInvalid",
        ),
        (
            json!({"ServiceType": "cvm", "ResourcePrefix": "image", "ResourceIds": ["img-tcgolden"]}),
            "InvalidParameterValue.RegionInvalid",
        ),
        (
            json!({"ServiceType": "cvm", "ResourcePrefix": "image", "ResourceRegion": "ap-guangzhou", "ResourceIds": ["img-tcgolden"], "Limit": 20, "Offset": 5}),
            "InvalidParameterValue.OffsetInvalid",
        ),
    ];
    for (params, want) in describe_cases {
        let r = gw.tc(TcSigning::Tc3, TC, "DescribeResourceTagsByResourceIds", params.clone()).await;
        assert_eq!(code(&r), want, "{params}");
    }
    // Terraform's read: twenty at a time until a short page.
    let first = ok(&gw, TcSigning::Tc3, "DescribeResourceTagsByResourceIds",
        json!({"ServiceType": "cvm", "ResourcePrefix": "image", "ResourceRegion": "ap-guangzhou", "ResourceIds": ["img-tcgolden"], "Limit": 20, "Offset": 40})).await;
    assert_eq!((first["TotalCount"].as_u64(), first["Tags"].as_array().map(Vec::len)), (Some(50), Some(10)));
    assert_eq!(first["Tags"][0]["TagKeyMd5"].as_str().map(str::len), Some(32));
}

#[tokio::test]
async fn concurrent_tag_calls_on_one_image_never_lose_a_tag() {
    let gw = Arc::new(Gateway::start(REFERENCE_WORLD).await);
    let calls = (0..12).map(|n| {
        let gw = gw.clone();
        tokio::spawn(async move {
            let params = json!({"Resource": image("img-tcgolden"), "ReplaceTags": [{"TagKey": format!("k{n}"), "TagValue": "v"}]});
            gw.tc(TcSigning::Tc3, TC, "ModifyResourceTags", params).await
        })
    });
    for call in calls {
        let r = call.await.unwrap();
        assert_eq!(r.tc_code(), None, "{}", r.text);
    }
    assert_eq!(described(&gw, "image", &["img-tcgolden"]).await.len(), 12);
    gw.assert_consistent().await;
}

#[tokio::test]
async fn the_tag_service_is_told_apart_by_its_version_and_its_signing_scope() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let params = json!({"Resource": image("img-tcgolden"), "DeleteTags": [{"TagKey": "a"}]});
    let right = gw.tc_as("tag", "2018-08-13", "ModifyResourceTags", params.clone()).await;
    assert_eq!(right.tc_code(), None, "{}", right.text);
    // CVM's version is not the Tag service's, nor the Tag service's CVM's.
    let cvm_version = gw.tc_as("tag", "2017-03-12", "ModifyResourceTags", params.clone()).await;
    assert_eq!(code(&cvm_version), "NoSuchVersion");
    let tag_version = gw.tc_as("cvm", "2018-08-13", "DescribeImages", json!({})).await;
    assert_eq!(code(&tag_version), "NoSuchVersion");
    // A signature scoped to another service is not the Tag service's.
    let scoped = gw.tc_as("cvm", "2018-08-13", "ModifyResourceTags", params).await;
    assert_eq!(code(&scoped), "AuthFailure.SignatureFailure");
}
