"""DeleteImage (ECS 2014-05-26) through the official Alibaba Python SDKs (tea ACS3, tea v1, old core
v1), by the rules of the ECS API reference, DeleteImage: an image that does not exist is ignored; a
deleted image is gone from DescribeImages and gives back its name, its unit of the image quota and
its marks on snapshots; DryRun checks and deletes nothing.

The cleanup of Packer's Alibaba builder is replayed call for call, as
hashicorp/packer-plugin-alicloud builder/ecs/step_create_image.go (Cleanup) and
builder/ecs/step_pre_validate.go make it: find the image by ImageName, DeleteImage without Force,
then DeleteSnapshot (no RegionId, no Force) for each of its DiskDeviceMappings' snapshots.
"""
from __future__ import annotations

import json
import time

import pytest

from ecs_sdk import SDK_VARIANTS, assert_error, assert_request_id, snapshots_of
from images import create_image, describe_images, ids, mappings, wait_available

sdks = pytest.mark.parametrize("sdk", SDK_VARIANTS)

# Packer's builder/ecs/client.go: ImageStatusQueried.
PACKER_STATUSES = "Waiting,Creating,CreateFailed,Available"


def delete(api, sdk, image_id, account="acct-ali", **params):
    return api.call(sdk, account, "DeleteImage", dict(params, RegionId="cn-hangzhou", ImageId=image_id))


def listed(api, sdk, image_id, account="acct-ali") -> bool:
    _, images = describe_images(api, sdk, account, ImageId=image_id, Status="ALL")
    return ids(images) == [image_id]


def snapshot_listed(api, sdk, snapshot_id) -> bool:
    out = api.describe_snapshots(sdk, SnapshotIds=json.dumps([snapshot_id]))
    assert out.ok, out.describe()
    return [s.get("SnapshotId") for s in snapshots_of(out.body)] == [snapshot_id]


@sdks
def test_a_deleted_image_is_gone_and_its_quota_back(api, sdk):
    # Room on the instance's data disk, then the account's one image fills its image quota.
    assert api.call(sdk, "acct-ali-quota", "DeleteSnapshot", {"SnapshotId": "s-ali-quota-1"}).ok
    full = api.create_image(sdk, "acct-ali-quota", InstanceId="i-ali-quota")
    assert_error(full, "QuotaExceed.Image", 403)
    out = delete(api, sdk, "m-ali-quota", "acct-ali-quota")
    assert out.ok, out.describe()
    assert_request_id(out)
    assert set(out.body) == {"RequestId"}, json.dumps(out.body)
    assert not listed(api, sdk, "m-ali-quota", "acct-ali-quota")
    again = api.create_image(sdk, "acct-ali-quota", InstanceId="i-ali-quota")
    assert again.ok, again.describe()


@sdks
def test_a_deleted_image_frees_its_name_and_its_snapshot(api, sdk):
    image_id = create_image(api, sdk, SnapshotId="s-ali-sys", ImageName="conf-delete-me")
    taken = api.create_image(sdk, SnapshotId="s-ali-sys", ImageName="conf-delete-me")
    assert_error(taken, "InvalidImageName.Duplicated", 400)
    out = delete(api, sdk, image_id)
    assert out.ok, out.describe()
    again = create_image(api, sdk, SnapshotId="s-ali-sys", ImageName="conf-delete-me")
    assert again != image_id, "ids are never reused"
    assert delete(api, sdk, again).ok
    gone = api.call(sdk, "acct-ali", "DeleteSnapshot", {"SnapshotId": "s-ali-sys"})
    assert gone.ok, gone.describe()
    assert not snapshot_listed(api, sdk, "s-ali-sys")


@sdks
def test_packer_cleanup_deletes_the_image_then_its_snapshots(api, sdk):
    started = time.monotonic()
    name = "packer-conf-%s" % sdk
    image_id = create_image(api, sdk, InstanceId="i-ali-stopped", ImageName=name)
    image, _, _ = wait_available(api, sdk, image_id, started)
    snapshots = [d["SnapshotId"] for d in mappings(image) if d.get("SnapshotId")]
    assert snapshots, json.dumps(image)
    # step_pre_validate.go: find it by name, in Packer's statuses.
    _, found = describe_images(api, sdk, ImageName=name, Status=PACKER_STATUSES)
    assert ids(found) == [image_id] and found[0].get("ImageOwnerAlias") == "self", json.dumps(found)
    out = api.call(sdk, "acct-ali", "DeleteImage", {"RegionId": "cn-hangzhou", "ImageId": image_id})
    assert out.ok, out.describe()
    for snapshot_id in snapshots:
        out = api.call(sdk, "acct-ali", "DeleteSnapshot", {"SnapshotId": snapshot_id})
        assert out.ok, out.describe()
        assert not snapshot_listed(api, sdk, snapshot_id)
    _, found = describe_images(api, sdk, ImageName=name, Status=PACKER_STATUSES)
    assert found == [], json.dumps(found)


@sdks
@pytest.mark.parametrize("image_id,account", [("m-nonexistent", "acct-ali"), ("m-ali-quota", "acct-ali")],
                         ids=["no-such-image", "another-accounts"])
def test_what_does_not_exist_for_the_caller_is_ignored(api, sdk, image_id, account):
    out = delete(api, sdk, image_id, account)
    assert out.ok, out.describe()
    assert_request_id(out)
    assert listed(api, sdk, "m-ali-quota", "acct-ali-quota"), "another account's image is kept"


@sdks
def test_a_dry_run_deletes_nothing(api, sdk):
    out = delete(api, sdk, "m-ali-golden", DryRun=True)
    assert_error(out, "DryRunOperation", 400)
    assert listed(api, sdk, "m-ali-golden")


@sdks
def test_a_delete_without_its_image_id_is_refused(api, sdk):
    out = api.call(sdk, "acct-ali", "DeleteImage", {"RegionId": "cn-hangzhou"})
    assert_error(out, "MissingParameter", 400)
    assert listed(api, sdk, "m-ali-golden")


@sdks
def test_an_image_instances_run_goes_only_by_force(api, sdk, worlds, world_file):
    def link(doc):
        next(i for i in doc["instances"] if i["id"] == "i-ali-running")["image"] = "m-ali-golden"

    worlds.load(world_file(link))
    out = api.call(sdk, "acct-ali", "ModifyImageAttribute",
                   {"RegionId": "cn-hangzhou", "ImageId": "m-ali-golden", "BootMode": "UEFI"})
    assert_error(out, "OperationDeined.ImageUsingByInstance", 403)
    assert_error(delete(api, sdk, "m-ali-golden"), "ImageUsingByInstance", 403)
    assert listed(api, sdk, "m-ali-golden")
    out = delete(api, sdk, "m-ali-golden", Force=True)
    assert out.ok, out.describe()
    assert not listed(api, sdk, "m-ali-golden")
