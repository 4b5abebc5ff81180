"""DescribeSnapshots (ECS 2014-05-26) through the official Alibaba Python SDKs, together with
the life cycle of a snapshot made by CreateSnapshot (progressing, then accomplished after
settings.timings.snapshot_seconds, which is 2 s in the reference world)."""
from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timezone

import pytest

import control
from ecs_sdk import SDK_VARIANTS, assert_request_id, snapshots_of

DISK = "d-ali-stopped-data"  # data disk of 200 GB; the world has s-ali-data on it
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
PROGRESS_RE = re.compile(r"^(\d{1,3})%$")
POLL_TIMEOUT_S = 15.0

sdks = pytest.mark.parametrize("sdk", SDK_VARIANTS)


def describe(api, sdk, account="acct-ali", **params):
    out = api.describe_snapshots(sdk, account, **params)
    assert out.ok, "DescribeSnapshots failed: " + out.describe()
    assert out.status == 200, out.describe()
    assert_request_id(out)
    snaps = snapshots_of(out.body)
    for key in ("TotalCount", "PageNumber", "PageSize"):
        assert isinstance(out.body.get(key), int), "%s missing or not a number: %s" % (key, out.describe())
    return out.body, snaps


def describe_one(api, sdk, snapshot_id, account="acct-ali"):
    body, snaps = describe(api, sdk, account, SnapshotIds=json.dumps([snapshot_id]))
    assert [s.get("SnapshotId") for s in snaps] == [snapshot_id], json.dumps(body)
    assert body["TotalCount"] == 1, json.dumps(body)
    return snaps[0]


def ids(snaps):
    return [s.get("SnapshotId") for s in snaps]


def create(api, sdk, **params):
    out = api.create_snapshot(sdk, **params)
    assert out.ok, "CreateSnapshot failed: " + out.describe()
    return out.body["SnapshotId"]


def parse_time(value):
    assert isinstance(value, str) and TIME_RE.match(value), "CreationTime %r is not YYYY-MM-DDThh:mm:ssZ" % value
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


@sdks
def test_new_snapshot_progresses_then_accomplishes(api, sdk):
    before = datetime.now(timezone.utc).replace(microsecond=0)
    snapshot_id = create(api, sdk, DiskId=DISK, SnapshotName="conf-describe", Description="nightly backup",
                         RetentionDays=7, Tag=[{"Key": "env", "Value": "test"}])
    first = describe_one(api, sdk, snapshot_id)
    assert first.get("Status") == "progressing", json.dumps(first)
    m = PROGRESS_RE.match(str(first.get("Progress")))
    assert m and int(m.group(1)) < 100, "Progress while progressing: %r" % first.get("Progress")

    # The virtual clock moves one second at a time until the snapshot is accomplished.
    seen = [(first.get("Status"), first.get("Progress"))]
    snap = first
    for _ in range(int(POLL_TIMEOUT_S)):
        control.advance(1)
        snap = describe_one(api, sdk, snapshot_id)
        if seen[-1] != (snap.get("Status"), snap.get("Progress")):
            seen.append((snap.get("Status"), snap.get("Progress")))
        if snap.get("Status") == "accomplished":
            break
        assert snap.get("Status") == "progressing", "unexpected status: %s" % json.dumps(snap)
    assert snap.get("Status") == "accomplished", "not accomplished after %.0f s; states seen %s" % (
        POLL_TIMEOUT_S, seen)
    assert snap.get("Progress") == "100%", json.dumps(snap)

    assert snap.get("SnapshotName") == "conf-describe"
    assert snap.get("Description") == "nightly backup"
    assert snap.get("SourceDiskId") == DISK
    assert snap.get("SourceDiskType") == "data"
    # The provider's model types SourceDiskSize as a string ("200"), and it is sent as one.
    assert snap.get("SourceDiskSize") == "200", json.dumps(snap)
    assert snap.get("RetentionDays") == 7, json.dumps(snap)
    assert (snap.get("Tags") or {}).get("Tag") == [{"TagKey": "env", "TagValue": "test"}], json.dumps(snap)
    created = parse_time(snap.get("CreationTime"))
    now = datetime.now(timezone.utc)
    assert before.timestamp() - 2 <= created.timestamp() <= now.timestamp() + 2, (
        "CreationTime %s is not the time of the call (%s .. %s)" % (snap.get("CreationTime"), before, now))


@sdks
def test_world_snapshot_fields(api, sdk):
    snap = describe_one(api, sdk, "s-ali-2012")
    assert snap.get("Status") == "accomplished" and snap.get("Progress") == "100%", json.dumps(snap)
    assert snap.get("SourceDiskId") == "d-ali-stopped-sys"
    assert snap.get("SourceDiskType") == "system"
    assert snap.get("SourceDiskSize") == "40", json.dumps(snap)
    assert snap.get("CreationTime") == "2012-06-01T00:00:00Z", json.dumps(snap)


@sdks
def test_world_progressing_snapshot(api, sdk):
    snap = describe_one(api, sdk, "s-ali-progressing")
    assert snap.get("Status") == "progressing", json.dumps(snap)
    m = PROGRESS_RE.match(str(snap.get("Progress")))
    assert m and int(m.group(1)) < 100, json.dumps(snap)


@sdks
def test_filter_by_disk(api, sdk):
    snapshot_id = create(api, sdk, DiskId=DISK)
    body, snaps = describe(api, sdk, DiskId=DISK)
    assert sorted(ids(snaps)) == sorted([snapshot_id, "s-ali-data"]), json.dumps(body)
    assert body["TotalCount"] == 2, json.dumps(body)
    assert all(s.get("SourceDiskId") == DISK for s in snaps), json.dumps(body)


@sdks
def test_filter_by_status(api, sdk):
    disk = "d-ali-running-sys"  # world: s-ali-progressing (progressing), s-ali-sys-b and s-ali-noimage
    body, snaps = describe(api, sdk, DiskId=disk, Status="progressing")
    assert ids(snaps) == ["s-ali-progressing"], json.dumps(body)
    assert body["TotalCount"] == 1
    body, snaps = describe(api, sdk, DiskId=disk, Status="accomplished")
    assert sorted(ids(snaps)) == ["s-ali-noimage", "s-ali-sys-b"], json.dumps(body)
    assert body["TotalCount"] == 2
    assert all(s.get("Status") == "accomplished" for s in snaps)


@sdks
def test_status_all(api, sdk):
    body, snaps = describe(api, sdk, DiskId="d-ali-running-sys", Status="all")
    assert sorted(ids(snaps)) == ["s-ali-noimage", "s-ali-progressing", "s-ali-sys-b"], json.dumps(body)


@sdks
def test_new_snapshot_moves_between_status_filters(api, sdk):
    snapshot_id = create(api, sdk, DiskId=DISK)
    _, snaps = describe(api, sdk, DiskId=DISK, Status="progressing")
    assert ids(snaps) == [snapshot_id]
    for _ in range(int(POLL_TIMEOUT_S)):
        control.advance(1)
        _, snaps = describe(api, sdk, DiskId=DISK, Status="accomplished")
        if snapshot_id in ids(snaps):
            break
    assert sorted(ids(snaps)) == sorted([snapshot_id, "s-ali-data"])
    _, snaps = describe(api, sdk, DiskId=DISK, Status="progressing")
    assert ids(snaps) == []


@sdks
def test_filter_by_name(api, sdk):
    name = "conf-name-" + uuid.uuid4().hex[:12]
    snapshot_id = create(api, sdk, DiskId=DISK, SnapshotName=name)
    body, snaps = describe(api, sdk, SnapshotName=name)
    assert ids(snaps) == [snapshot_id], json.dumps(body)
    assert snaps[0].get("SnapshotName") == name


@sdks
def test_paging(api, sdk):
    disk = "d-ali-stopped-sys"  # world: s-ali-sys and s-ali-2012
    body1, page1 = describe(api, sdk, DiskId=disk, PageSize=1, PageNumber=1)
    body2, page2 = describe(api, sdk, DiskId=disk, PageSize=1, PageNumber=2)
    body3, page3 = describe(api, sdk, DiskId=disk, PageSize=1, PageNumber=3)
    for n, body in ((1, body1), (2, body2), (3, body3)):
        assert (body["TotalCount"], body["PageNumber"], body["PageSize"]) == (2, n, 1), json.dumps(body)
    assert len(page1) == 1 and len(page2) == 1 and page3 == [], json.dumps([body1, body2, body3])
    assert sorted(ids(page1) + ids(page2)) == ["s-ali-2012", "s-ali-sys"]


@sdks
def test_several_ids(api, sdk):
    body, snaps = describe(api, sdk, SnapshotIds=json.dumps(["s-ali-sys", "s-ali-data", "s-nope"]))
    assert sorted(ids(snaps)) == ["s-ali-data", "s-ali-sys"], json.dumps(body)
    assert body["TotalCount"] == 2


@sdks
def test_other_accounts_snapshots_are_invisible(api, sdk):
    body, snaps = describe(api, sdk, SnapshotIds=json.dumps(["s-ali-other"]))
    assert snaps == [] and body["TotalCount"] == 0, json.dumps(body)
    body, snaps = describe(api, sdk, "acct-ali-other", SnapshotIds=json.dumps(["s-ali-other"]))
    assert ids(snaps) == ["s-ali-other"], json.dumps(body)
