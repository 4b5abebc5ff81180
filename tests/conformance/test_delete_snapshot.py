"""DeleteSnapshot (ECS 2014-05-26) through the official Alibaba Python SDKs (tea ACS3, tea v1, old
core v1), by the rules of the ECS API reference, DeleteSnapshot: a snapshot that does not exist is
ignored, one being made is cancelled, one a custom image is made from is refused with
SnapshotCreatedImage (403); a deleted snapshot is gone from DescribeSnapshots and gives its disk's
quota back.
"""
from __future__ import annotations

import json

import pytest

from ecs_sdk import SDK_VARIANTS, assert_error, assert_request_id, snapshots_of

sdks = pytest.mark.parametrize("sdk", SDK_VARIANTS)


def listed(api, sdk, snapshot_id, account="acct-ali") -> bool:
    out = api.describe_snapshots(sdk, account, SnapshotIds=json.dumps([snapshot_id]))
    assert out.ok, out.describe()
    return [s.get("SnapshotId") for s in snapshots_of(out.body)] == [snapshot_id]


def delete(api, sdk, snapshot_id, account="acct-ali", **params):
    return api.call(sdk, account, "DeleteSnapshot", dict(params, SnapshotId=snapshot_id))


@sdks
def test_a_deleted_snapshot_is_gone_and_its_quota_back(api, sdk):
    # The quota account's disk holds its two snapshots: the quota is full.
    full = api.create_snapshot(sdk, "acct-ali-quota", DiskId="d-ali-quota-data")
    assert_error(full, "QuotaExceed.Snapshot", 403)
    out = delete(api, sdk, "s-ali-quota-1", "acct-ali-quota")
    assert out.ok, out.describe()
    assert_request_id(out)
    assert set(out.body) == {"RequestId"}, json.dumps(out.body)
    assert not listed(api, sdk, "s-ali-quota-1", "acct-ali-quota")
    again = api.create_snapshot(sdk, "acct-ali-quota", DiskId="d-ali-quota-data")
    assert again.ok, again.describe()


@sdks
@pytest.mark.parametrize("snapshot_id,account", [("s-nonexistent", "acct-ali"), ("s-ali-quota-1", "acct-ali")],
                         ids=["no-such-snapshot", "another-accounts"])
def test_what_does_not_exist_for_the_caller_is_ignored(api, sdk, snapshot_id, account):
    out = delete(api, sdk, snapshot_id, account)
    assert out.ok, out.describe()
    assert_request_id(out)
    assert listed(api, sdk, "s-ali-quota-1", "acct-ali-quota"), "another account's snapshot is kept"


@sdks
def test_a_snapshot_being_made_is_cancelled(api, sdk):
    made = api.create_snapshot(sdk, DiskId="d-ali-stopped-data")
    assert made.ok, made.describe()
    snapshot_id = made.body["SnapshotId"]
    busy = api.create_snapshot(sdk, DiskId="d-ali-stopped-data")
    assert_error(busy, "IncorrectDiskStatus.CreatingSnapshot", 403)
    out = delete(api, sdk, snapshot_id)
    assert out.ok, out.describe()
    assert not listed(api, sdk, snapshot_id)
    # Its lock on the disk went with it.
    after = api.create_snapshot(sdk, DiskId="d-ali-stopped-data")
    assert after.ok, after.describe()


@sdks
def test_a_snapshot_an_image_is_made_from_is_refused(api, sdk):
    image = api.create_image(sdk, SnapshotId="s-ali-sys", ImageName="conf-keeps-its-snapshot")
    assert image.ok, image.describe()
    for params in ({}, {"Force": True}):
        out = delete(api, sdk, "s-ali-sys", **params)
        assert_error(out, "SnapshotCreatedImage", 403)
        assert out.message == "The snapshot has been used to create user defined image(s).", out.describe()
    assert listed(api, sdk, "s-ali-sys")


@sdks
def test_a_delete_without_its_snapshot_id_is_refused(api, sdk):
    out = api.call(sdk, "acct-ali", "DeleteSnapshot", {})
    assert_error(out, "MissingParameter", 400)


@sdks
def test_a_snapshot_disks_were_created_from_goes_only_by_force(api, sdk, worlds, world_file):
    def link(doc):
        next(d for d in doc["disks"] if d["id"] == "d-ali-running-data")["source_snapshot"] = "s-ali-data"

    worlds.load(world_file(link))
    out = api.describe_snapshots(sdk, SnapshotIds=json.dumps(["s-ali-data"]))
    assert snapshots_of(out.body)[0].get("Usage") == "disk", out.describe()
    refused = delete(api, sdk, "s-ali-data")
    assert_error(refused, "SnapshotCreatedDisk", 403)
    assert refused.message == "The snapshot has been used to create disk(s).", refused.describe()
    out = delete(api, sdk, "s-ali-data", Force=True)
    assert out.ok, out.describe()
    assert not listed(api, sdk, "s-ali-data")
