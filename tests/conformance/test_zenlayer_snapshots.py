"""Zenlayer ZEC 2025-09-01 CreateSnapshot and DescribeSnapshots through the official Python SDK.

CreateSnapshot takes diskId and snapshotName (both required; the name 2-63 characters, starting and
ending with a letter or a digit, letters digits `-` and `.`) and an optional retentionTime
(`yyyy-MM-ddTHH:mm:ssZ`, at least 24 hours ahead). Snapshots of the reference world take 2 s.
"""
from __future__ import annotations

import pytest

import zenlayer_sdk as zs
from conftest import mark_dirty
from zenlayer_sdk import REGION, ZONE, assert_error, assert_ok, data_set, retention, snapshot_ids


@pytest.fixture
def zl(reference_world):
    return zs.ZlApi(reference_world, on_create=mark_dirty)


DISK = "zl-ins-stopped-sys"


# ------------------------------------------------------------------------------------ create --

def test_create_snapshot(zl):
    keep_until = retention(48)
    out = zl.create_snapshot(diskId=DISK, snapshotName="zl-snap-1", retentionTime=keep_until)
    assert_ok(out)
    snap_id = out.model.snapshotId
    assert zs.ZL_ID_RE.match(snap_id or ""), "snapshotId is not 19 digits: " + out.describe()
    assert out.model.requestId == out.request_id
    assert set(out.body) == {"requestId", "snapshotId"}, out.describe()

    seen = zl.wait_snapshot(snap_id)
    assert seen[0] == "CREATING", "a new snapshot should first be CREATING, saw %s" % seen
    assert seen[-1] == "AVAILABLE"

    listed = zl.describe_snapshots(snapshotIds=[snap_id])
    (snap,) = data_set(listed)
    assert snap["snapshotId"] == snap_id
    assert snap["snapshotName"] == "zl-snap-1"
    assert snap["diskId"] == DISK
    assert snap["zoneId"] == ZONE
    assert snap["status"] == "AVAILABLE"
    assert snap["snapshotType"] == "Manual"
    assert snap["retentionTime"] == keep_until
    assert snap["resourceGroup"] == {"resourceGroupId": "rg-default", "resourceGroupName": "Default"}
    assert snap["diskAbility"] is True
    assert isinstance(snap.get("createTime"), str) and snap["createTime"], listed.describe()
    (model,) = listed.model.dataSet
    assert model.snapshotId == snap_id and model.resourceGroup.resourceGroupId == "rg-default"
    assert listed.model.totalCount == 1


def test_create_snapshot_without_retention_time(zl):
    out = zl.create_snapshot(diskId=DISK, snapshotName="zl-snap-forever")
    assert_ok(out)
    assert zs.ZL_ID_RE.match(out.model.snapshotId or ""), out.describe()


def test_create_snapshot_raw_envelope(zl):
    out = zl.raw("acct-zl", "CreateSnapshot", {"diskId": DISK, "snapshotName": "zl-snap-raw"})
    assert_ok(out)
    assert set(out.body) == {"requestId", "response"}, out.describe()
    assert out.body["response"]["requestId"] == out.body["requestId"]
    assert zs.ZL_ID_RE.match(out.body["response"].get("snapshotId") or ""), out.describe()


def test_second_snapshot_while_first_creating(zl):
    first = zl.create_snapshot(diskId=DISK, snapshotName="zl-snap-a")
    assert_ok(first)
    second = zl.create_snapshot(diskId=DISK, snapshotName="zl-snap-b")
    assert_error(second, "OPERATION_DENIED_DISK_SNAPSHOT_CREATING", 400)
    seen = zl.wait_snapshot(first.model.snapshotId)
    assert seen[0] == "CREATING", seen
    third = zl.create_snapshot(diskId=DISK, snapshotName="zl-snap-b")
    assert_ok(third)


@pytest.mark.parametrize("disk", ["zl-disk-nope", "zl-ins-other-sys"], ids=["unknown", "other-accounts"])
def test_disk_not_found(zl, disk):
    assert_error(zl.create_snapshot(diskId=disk, snapshotName="zl-snap-x"), "INVALID_DISK_NOT_FOUND", 404)


def test_disk_not_found_raw(zl):
    out = zl.raw("acct-zl", "CreateSnapshot", {"diskId": "zl-ins-other-sys", "snapshotName": "zl-snap-x"})
    assert_error(out, "INVALID_DISK_NOT_FOUND", 404)


@pytest.mark.parametrize("value", [
    pytest.param(lambda: retention(1), id="1h-ahead"),
    pytest.param(lambda: retention(23.9), id="23.9h-ahead"),
    pytest.param(lambda: retention(-48), id="in-the-past"),
    pytest.param(lambda: retention(48).replace("T", " "), id="space-separated"),
    pytest.param(lambda: retention(48)[:-1], id="no-Z"),
    pytest.param(lambda: "tomorrow", id="words"),
])
def test_bad_retention_time(zl, value):
    out = zl.create_snapshot(diskId=DISK, snapshotName="zl-snap-ret", retentionTime=value())
    assert_error(out, "INVALID_SNAPSHOT_RETENTION_TIME", 400)


def test_bad_retention_time_raw(zl):
    out = zl.raw("acct-zl", "CreateSnapshot",
                 {"diskId": DISK, "snapshotName": "zl-snap-ret", "retentionTime": retention(1)})
    assert_error(out, "INVALID_SNAPSHOT_RETENTION_TIME", 400)


def test_missing_disk_id(zl):
    assert_error(zl.create_snapshot(snapshotName="zl-snap-x"), "MISSING_PARAMETER", 400)


def test_missing_snapshot_name(zl):
    assert_error(zl.create_snapshot(diskId=DISK), "MISSING_PARAMETER", 400)


@pytest.mark.parametrize("name", ["a", "-ab", "ab-", "a_b", "a/b", "x" * 64],
                         ids=["1-char", "leading-dash", "trailing-dash", "underscore", "slash", "64-chars"])
def test_bad_snapshot_name(zl, name):
    assert_error(zl.create_snapshot(diskId=DISK, snapshotName=name), "INVALID_PARAMETER", 400)


@pytest.mark.parametrize("name", ["ab", "1.a-b.2", "y" * 63], ids=["2-chars", "dots-and-dashes", "63-chars"])
def test_snapshot_name_accepted(zl, name):
    out = zl.create_snapshot(diskId=DISK, snapshotName=name)
    assert_ok(out)
    (snap,) = data_set(zl.describe_snapshots(snapshotIds=[out.model.snapshotId]))
    assert snap["snapshotName"] == name


# ---------------------------------------------------------------------------------- describe --

@pytest.fixture
def snaps(zl, world_file, worlds):
    """A variant world with snapshots done at once, a data disk on zl-ins-stopped, a second zone with an
    instance and its data disk in it; snapshots made through the SDK. Returns {label: snapshotId}."""

    def mutate(doc):
        doc["settings"].setdefault("timings", {}).update(snapshot_seconds=0, image_seconds=0)
        for region in doc["regions"]:
            if region["id"] == REGION:
                region["zones"].append("asia-east-1b")
        doc["disks"].append({"id": "zl-data-1", "account": "acct-zl", "region": REGION, "zone": ZONE,
                             "type": "data", "instance": "zl-ins-stopped", "size_gb": 100})
        # Only an attached disk can be snapshotted: zl-data-b is on an instance in the second zone.
        doc["instances"].append({"id": "zl-ins-b", "account": "acct-zl", "region": REGION, "zone": "asia-east-1b",
                                 "status": "stopped"})
        doc["disks"].append({"id": "zl-data-b", "account": "acct-zl", "region": REGION, "zone": "asia-east-1b",
                             "type": "data", "instance": "zl-ins-b", "size_gb": 50})

    worlds.load(world_file(mutate))
    made = {}
    for label, account, disk in (
        ("sys", "acct-zl", "zl-ins-stopped-sys"),
        ("data", "acct-zl", "zl-data-1"),
        ("run", "acct-zl", "zl-ins-running-sys"),
        ("zoneb", "acct-zl", "zl-data-b"),
        ("other", "acct-zl-other", "zl-ins-other-sys"),
    ):
        out = zl.create_snapshot(account, diskId=disk, snapshotName="zl-s-" + label)
        assert_ok(out)
        made[label] = out.model.snapshotId
    return made


OWN = {"sys", "data", "run", "zoneb"}


def listed(zl, snaps, account="acct-zl", **filters):
    out = zl.describe_snapshots(account, **filters)
    assert_ok(out)
    by_id = {v: k for k, v in snaps.items()}
    return {by_id.get(i, i) for i in snapshot_ids(out)}, out


def test_describe_all_own(zl, snaps):
    labels, out = listed(zl, snaps)
    assert labels == OWN
    assert out.body["totalCount"] == 4
    labels, _ = listed(zl, snaps, account="acct-zl-other")
    assert labels == {"other"}
    labels, _ = listed(zl, snaps, snapshotIds=[snaps["other"]])
    assert labels == set()


def test_filter_snapshot_ids(zl, snaps):
    labels, _ = listed(zl, snaps, snapshotIds=[snaps["sys"], snaps["data"]])
    assert labels == {"sys", "data"}


def test_filter_disk_ids(zl, snaps):
    labels, _ = listed(zl, snaps, diskIds=["zl-ins-stopped-sys"])
    assert labels == {"sys"}
    labels, _ = listed(zl, snaps, diskIds=["zl-data-1", "zl-ins-running-sys"])
    assert labels == {"data", "run"}


@pytest.mark.parametrize("disk_type,expected", [("SYSTEM", {"sys", "run"}), ("DATA", {"data", "zoneb"})])
def test_filter_disk_type(zl, snaps, disk_type, expected):
    labels, _ = listed(zl, snaps, diskType=disk_type)
    assert labels == expected


@pytest.mark.parametrize("status,expected", [("AVAILABLE", OWN), ("CREATING", set()), ("FAILED", set())])
def test_filter_status(zl, snaps, status, expected):
    labels, _ = listed(zl, snaps, status=status)
    assert labels == expected


@pytest.mark.parametrize("kind,expected", [("Manual", OWN), ("Auto", set())])
def test_filter_snapshot_type(zl, snaps, kind, expected):
    labels, _ = listed(zl, snaps, snapshotType=kind)
    assert labels == expected


def test_filter_snapshot_name(zl, snaps):
    labels, _ = listed(zl, snaps, snapshotName="zl-s-data")
    assert labels == {"data"}
    labels, _ = listed(zl, snaps, snapshotName="zl-s-other")
    assert labels == set()


def test_filter_zone(zl, snaps):
    labels, _ = listed(zl, snaps, zoneId=ZONE)
    assert labels == {"sys", "data", "run"}
    labels, out = listed(zl, snaps, zoneId="asia-east-1b")
    assert labels == {"zoneb"}
    assert data_set(out)[0]["zoneId"] == "asia-east-1b"
    assert_error(zl.describe_snapshots(zoneId="asia-east-1z"), "INVALID_ZONE_NOT_FOUND", 404)


def test_filter_resource_group(zl, snaps):
    labels, _ = listed(zl, snaps, resourceGroupId="rg-default")
    assert labels == OWN
    labels, _ = listed(zl, snaps, resourceGroupId="rg-images")
    assert labels == set()


def test_paging(zl, snaps):
    pages = []
    for num in (1, 2, 3):
        out = zl.describe_snapshots(pageNum=num, pageSize=3)
        assert_ok(out)
        assert out.body["totalCount"] == 4, "totalCount must stay the total: " + out.describe()
        pages.append(snapshot_ids(out))
    assert [len(p) for p in pages] == [3, 1, 0]
    assert sorted(pages[0] + pages[1]) == sorted(snaps[k] for k in OWN)


@pytest.mark.parametrize("field,value", [("status", "DONE"), ("diskType", "BOOT"), ("snapshotType", "manual")])
def test_invalid_enum_value(zl, field, value):
    assert_error(zl.describe_snapshots(**{field: value}), "INVALID_PARAMETER", 400)


def test_status_filter_follows_creation(zl):
    """In the reference world (snapshot_seconds = 2) a new snapshot is CREATING, then AVAILABLE."""
    out = zl.create_snapshot(diskId=DISK, snapshotName="zl-snap-status")
    assert_ok(out)
    snap_id = out.model.snapshotId
    assert snap_id in snapshot_ids(zl.describe_snapshots(status="CREATING"))
    assert snap_id not in snapshot_ids(zl.describe_snapshots(status="AVAILABLE"))
    zl.wait_snapshot(snap_id)
    assert snap_id not in snapshot_ids(zl.describe_snapshots(status="CREATING"))
    assert snap_id in snapshot_ids(zl.describe_snapshots(status="AVAILABLE"))
