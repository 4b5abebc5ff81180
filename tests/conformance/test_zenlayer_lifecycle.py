"""Zenlayer ZEC's deletes and modifications through the official Python SDK, on both its ZEC clients
(2025-09-01 and 2024-04-01), and the ZRM and User clients' tag and group calls: each action on each
version that has it, each code read back through the SDK's exception, and one snapshot seen alike
through both versions.
"""
from __future__ import annotations

import pytest

import zenlayer_sdk as zs
from conftest import mark_dirty
from zenlayer_sdk import assert_error, assert_ok, data_set, retention

ZEC_CLIENTS = ["zec", "zec-2024"]
DISK = "zl-ins-running-sys"


@pytest.fixture
def zl(reference_world):
    mark_dirty("acct-zl")
    return zs.ZlApi(reference_world, on_create=mark_dirty)


def creds(zl):
    return zl.world.creds("acct-zl")


def call(zl, api, action, **params):
    out = zs.call(creds(zl), action, params, api=api)
    if out.ok:
        mark_dirty("acct-zl")
    return out


def snapshot(zl, api, snapshot_id):
    items = data_set(call(zl, api, "DescribeSnapshots", snapshotIds=[snapshot_id]))
    return items[0] if items else None


def made(zl, api, name):
    out = call(zl, api, "CreateSnapshot", diskId=DISK, snapshotName=name)
    assert_ok(out)
    zl.wait_snapshot(out.model.snapshotId)
    return out.model.snapshotId


@pytest.mark.parametrize("maker,deleter", [("zec-2024", "zec"), ("zec", "zec-2024")],
                         ids=["made-2024-deleted-2025", "made-2025-deleted-2024"])
def test_one_snapshot_through_both_versions(zl, maker, deleter):
    sid = made(zl, maker, "both-ways")
    seen = {api: snapshot(zl, api, sid) for api in ZEC_CLIENTS}
    assert seen["zec"] == seen["zec-2024"], seen
    assert seen["zec-2024"]["resourceGroup"]["resourceGroupId"] == "rg-default"
    assert_ok(call(zl, deleter, "ModifySnapshotsAttribute", snapshotIds=[sid], snapshotName="renamed-1"))
    assert snapshot(zl, maker, sid)["snapshotName"] == "renamed-1"
    out = call(zl, deleter, "DeleteSnapshots", snapshotIds=[sid])
    assert_ok(out)
    assert out.model.snapshotIds == []
    assert snapshot(zl, maker, sid) is None and snapshot(zl, deleter, sid) is None


def test_retention_through_2025(zl):
    sid = made(zl, "zec", "kept")
    until = retention(50)
    assert_ok(call(zl, "zec", "ModifySnapshotsAttribute", snapshotIds=[sid], retentionTime=until))
    assert snapshot(zl, "zec-2024", sid)["retentionTime"] == until
    assert_ok(call(zl, "zec", "ModifySnapshotsAttribute", snapshotIds=[sid], isPermanent=True))
    assert snapshot(zl, "zec", sid).get("retentionTime") is None
    assert_error(call(zl, "zec", "ModifySnapshotsAttribute", snapshotIds=[sid], retentionTime=retention(3)),
                 "INVALID_SNAPSHOT_RETENTION_TIME", 400)
    assert_error(call(zl, "zec", "ModifySnapshotsAttribute", snapshotIds=[sid], retentionTime=until, isPermanent=True),
                 "INVALID_PARAMETER", 400)
    assert_ok(call(zl, "zec", "DeleteSnapshots", snapshotIds=[sid]))


@pytest.mark.parametrize("api", ZEC_CLIENTS)
def test_snapshot_codes(zl, api):
    assert_error(call(zl, api, "DeleteSnapshots", snapshotIds=["1234567890123456789"]),
                 "INVALID_DISK_SNAPSHOT_NOT_FOUND", 404)
    assert_error(call(zl, api, "ModifySnapshotsAttribute", snapshotIds=["1234567890123456789"], snapshotName="ab"),
                 "INVALID_DISK_SNAPSHOT_NOT_FOUND", 404)
    assert_error(call(zl, api, "DeleteSnapshots", snapshotIds=[str(i) for i in range(101)]), "INVALID_PARAMETER", 400)
    assert_error(call(zl, api, "DeleteSnapshots"), "MISSING_PARAMETER", 400)
    assert_error(call(zl, api, "ModifySnapshotsAttribute", snapshotIds=["1"]), "MISSING_PARAMETER", 400)
    # One being made cannot go ("The snapshot cannot be deleted during the creation process").
    out = call(zl, api, "CreateSnapshot", diskId=DISK, snapshotName="making")
    assert_ok(out)
    assert_error(call(zl, api, "DeleteSnapshots", snapshotIds=[out.model.snapshotId]),
                 "OPERATION_DENIED_DISK_SNAPSHOT_STATUS", 400)
    zl.wait_snapshot(out.model.snapshotId)
    assert_ok(call(zl, api, "DeleteSnapshots", snapshotIds=[out.model.snapshotId]))


def test_version_actions(zl):
    """2024-04-01 has no image writes: the 2025-09-01 names sent with that version are unknown."""
    for action in ("CreateImage", "DeleteImages", "ModifyImagesAttributes", "DescribeCustomImages"):
        out = zl.raw("acct-zl", action, {}, version="2024-04-01")
        assert_error(out, "INVALID_ACTION_NOT_FOUND", 404)
    out = call(zl, "zec-2024", "DescribeImages", imageIds=["zl-img-quota"])
    assert_ok(out)
    assert out.body["dataSet"] == []  # another account's


def image_of(zl, name):
    out = call(zl, "zec", "CreateImage", instanceId="zl-ins-stopped", imageName=name)
    assert_ok(out)
    zl.wait_image(out.model.imageId)
    return out.model.imageId


def test_image_rename_tag_group_delete(zl):
    image_id = image_of(zl, "life-1")
    assert_ok(call(zl, "zec", "ModifyImagesAttributes", imageIds=[image_id], imageName="life-2"))
    out = zs.call(creds(zl), "ModifyResourceTags",
                  {"resourceUuid": image_id, "replaceTags": [{"key": "env", "value": "qa"}]}, api="zrm")
    assert_ok(out)
    out = zs.call(creds(zl), "AddResourceResourceGroup", {"resourceGroupId": "rg-images", "resources": [image_id]},
                  api="user")
    assert_ok(out)
    [image] = data_set(call(zl, "zec", "DescribeCustomImages", imageIds=[image_id]))
    assert (image["imageName"], image["resourceGroupId"]) == ("life-2", "rg-images")
    assert image["tags"]["tags"] == [{"key": "env", "value": "qa"}]
    [old] = data_set(call(zl, "zec-2024", "DescribeImages", imageIds=[image_id]))
    assert old["imageName"] == "life-2" and "tags" not in old and "imageSource" not in old
    out = call(zl, "zec", "DeleteImages", imageIds=[image_id])
    assert_ok(out)
    assert out.model.imageIds == []
    assert data_set(call(zl, "zec", "DescribeCustomImages", imageIds=[image_id])) == []


def test_image_codes(zl):
    assert_error(call(zl, "zec", "DeleteImages", imageIds=["1234567890123456789"]), "INVALID_IMAGE_NOT_FOUND", 404)
    assert_error(call(zl, "zec", "ModifyImagesAttributes", imageIds=["1234567890123456789"], imageName="ab"),
                 "INVALID_IMAGE_NOT_FOUND", 404)
    out = call(zl, "zec", "CreateImage", instanceId="zl-ins-stopped", imageName="still-making")
    assert_ok(out)
    assert_error(call(zl, "zec", "DeleteImages", imageIds=[out.model.imageId]), "INVALID_IMAGE_STATUS", 400)
    assert_error(call(zl, "zec", "ModifyImagesAttributes", imageIds=[out.model.imageId], imageName="ab-"),
                 "INVALID_PARAMETER", 400)
    zl.wait_image(out.model.imageId)
    other = image_of(zl, "taken-name")
    assert_error(call(zl, "zec", "ModifyImagesAttributes", imageIds=[out.model.imageId], imageName="taken-name"),
                 "INVALID_IMAGE_NAME_DUPLICATE", 400)
    assert_ok(call(zl, "zec", "DeleteImages", imageIds=[out.model.imageId, other]))


def test_tag_and_group_codes(zl):
    tags = lambda **p: zs.call(creds(zl), "ModifyResourceTags", p, api="zrm")  # noqa: E731
    group = lambda **p: zs.call(creds(zl), "AddResourceResourceGroup", p, api="user")  # noqa: E731
    assert_error(tags(resourceUuid="1234567890123456789", replaceTags=[{"key": "a", "value": "b"}]),
                 "INVALID_RESOURCE_NOT_FOUND", 404)
    assert_error(tags(resourceUuid="zl-ins-stopped", replaceTags=[{"key": "a", "value": "b"}]),
                 "INVALID_RESOURCE_CAN_NOT_BOUND", 404)
    assert_error(group(resourceGroupId="rg-nope", resources=["zl-ins-stopped"]),
                 "OPERATION_FAILED_RESOURCE_GROUP_NOT_FOUND", 404)
    assert_error(group(resourceGroupId="rg-images", resources=["1234567890123456789"]),
                 "OPERATION_FAILED_RESOURCE_NOT_FOUND", 404)
