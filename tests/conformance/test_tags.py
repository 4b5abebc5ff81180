"""TagResources, UntagResources, ListTagResources and JoinResourceGroup (ECS 2014-05-26) through
the official Alibaba Python SDKs (tea ACS3, tea v1, old core v1), by the rules of their ECS API
reference pages: tags read back at once from the Describe calls and ListTagResources, and the
pages' refusals come back through each SDK's exception.
"""
from __future__ import annotations

import json

import pytest

from ecs_sdk import SDK_VARIANTS, assert_error, assert_request_id, snapshots_of
from images import describe_image

sdks = pytest.mark.parametrize("sdk", SDK_VARIANTS)
REGION = "cn-hangzhou"


def call(api, sdk, action, **params):
    params.setdefault("RegionId", REGION)
    return api.call(sdk, "acct-ali", action, params)


def snapshot_tags(api, sdk, snapshot_id):
    out = api.describe_snapshots(sdk, SnapshotIds=json.dumps([snapshot_id]))
    assert out.ok, out.describe()
    tags = (snapshots_of(out.body)[0].get("Tags") or {}).get("Tag") or []
    return sorted((t["TagKey"], t["TagValue"]) for t in tags)


def listed(api, sdk, **params):
    out = call(api, sdk, "ListTagResources", **params)
    assert out.ok, out.describe()
    assert_request_id(out)
    rows = (out.body.get("TagResources") or {}).get("TagResource") or []
    return sorted((r["ResourceId"], r["TagKey"], r["TagValue"]) for r in rows)


@sdks
def test_tags_on_a_snapshot_and_an_image(api, sdk):
    out = call(api, sdk, "TagResources", ResourceType="snapshot", ResourceId=["s-ali-sys"],
               Tag=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "core"}])
    assert out.ok, out.describe()
    assert_request_id(out)
    assert snapshot_tags(api, sdk, "s-ali-sys") == [("env", "prod"), ("team", "core")]
    assert listed(api, sdk, ResourceType="snapshot", ResourceId=["s-ali-sys"]) == [
        ("s-ali-sys", "env", "prod"), ("s-ali-sys", "team", "core")]
    out = call(api, sdk, "UntagResources", ResourceType="snapshot", ResourceId=["s-ali-sys"], TagKey=["env"])
    assert out.ok, out.describe()
    assert snapshot_tags(api, sdk, "s-ali-sys") == [("team", "core")]

    out = call(api, sdk, "TagResources", ResourceType="image", ResourceId=["m-ali-golden"],
               Tag=[{"Key": "os", "Value": "linux"}])
    assert out.ok, out.describe()
    image = describe_image(api, sdk, "m-ali-golden")
    assert [(t["TagKey"], t["TagValue"]) for t in image["Tags"]["Tag"]] == [("os", "linux")], json.dumps(image)
    assert listed(api, sdk, ResourceType="image", Tag=[{"Key": "os"}]) == [("m-ali-golden", "os", "linux")]
    out = call(api, sdk, "UntagResources", ResourceType="image", ResourceId=["m-ali-golden"], All=True)
    assert out.ok, out.describe()
    assert listed(api, sdk, ResourceType="image", ResourceId=["m-ali-golden"]) == []


@sdks
@pytest.mark.parametrize("action,params,code,status", [
    ("TagResources", {"ResourceType": "snapshot", "ResourceId": ["s-nonexistent"], "Tag": [{"Key": "a", "Value": "b"}]},
     "InvalidResourceId.NotFound", 404),
    ("TagResources", {"ResourceType": "snapshot", "ResourceId": ["s-ali-sys"], "Tag": [{"Key": "acs:x", "Value": "b"}]},
     "InvalidTagKey.Malformed", 400),
    ("TagResources", {"ResourceType": "instance", "ResourceId": ["i-ali-running"], "Tag": [{"Key": "a", "Value": "b"}]},
     "InvalidResourceId.NotSupported", 403),
    ("UntagResources", {"ResourceType": "snapshot", "ResourceId": ["s-ali-sys"], "TagKey": ["a"], "All": True},
     "Param.Conflict", 403),
    ("ListTagResources", {"ResourceType": "snapshot"}, "BothEmpty.TagsAndResources", 403),
    ("JoinResourceGroup", {"ResourceType": "image", "ResourceId": "m-ali-golden", "ResourceGroupId": "no-group"},
     "InvalidResourceGroup.NotFound", 404),
], ids=["unknown-resource", "reserved-key", "instance", "all-and-keys", "nothing-to-list", "unknown-group"])
def test_refusals(api, sdk, action, params, code, status):
    assert_error(call(api, sdk, action, **params), code, status)


@sdks
def test_a_snapshot_and_an_image_join_a_resource_group(api, sdk):
    for kind, resource in (("snapshot", "s-ali-sys"), ("image", "m-ali-golden")):
        out = call(api, sdk, "JoinResourceGroup", ResourceType=kind, ResourceId=resource, ResourceGroupId="rg-conf")
        assert out.ok, out.describe()
    out = api.describe_snapshots(sdk, SnapshotIds=json.dumps(["s-ali-sys"]))
    assert snapshots_of(out.body)[0].get("ResourceGroupId") == "rg-conf", out.describe()
    assert describe_image(api, sdk, "m-ali-golden").get("ResourceGroupId") == "rg-conf"
