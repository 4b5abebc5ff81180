"""CBS CreateSnapshot and DescribeSnapshots (2017-03-12) through the official Tencent Python SDK
(tencentcloud.cbs.v20170312.cbs_client.CbsClient). A new snapshot is CREATING for
settings.timings.snapshot_seconds (2 s in the reference world), then NORMAL with Percent 100.
World snapshots of acct-tc: snap-tc-sys (disk-tc-stopped-sys, 50 GB), snap-tc-sys-b
(disk-tc-running-sys, 50 GB), snap-tc-data (disk-tc-stopped-data, 100 GB); all NORMAL.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from tencent_sdk import (ALL_VARIANTS, SDK_VARIANTS, assert_created_snapshot, assert_tc_error, describe_snapshot,
                         flt, ids, parse_iso_z, snapshot_set, wait_snapshot_settled)

sdks = pytest.mark.parametrize("sdk", SDK_VARIANTS)
all_sdks = pytest.mark.parametrize("sdk", ALL_VARIANTS)

DISK = "disk-tc-stopped-data"  # data disk (100 GB) of the stopped instance
WORLD = {"snap-tc-sys": ("disk-tc-stopped-sys", "SYSTEM_DISK", 50),
         "snap-tc-sys-b": ("disk-tc-running-sys", "SYSTEM_DISK", 50),
         "snap-tc-data": ("disk-tc-stopped-data", "DATA_DISK", 100)}
SNAPSHOT_FIELDS = ("SnapshotId", "SnapshotName", "SnapshotState", "Percent", "DiskId", "DiskUsage", "DiskSize",
                   "CreateTime", "DeadlineTime", "IsPermanent", "Encrypt", "Placement", "ImageCount", "Tags")


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def create(api, sdk, account="acct-tc", **params) -> str:
    return assert_created_snapshot(api.tc_create_snapshot(sdk, account, **params))


def listed(api, sdk, account="acct-tc", **params):
    out = api.tc_describe_snapshots(sdk, account, **params)
    return out.body.get("TotalCount"), sorted(ids(snapshot_set(out), "SnapshotId")), out


def same_instant(shown: str, sent: datetime) -> bool:
    """DeadlineTime is the instant sent, given in UTC as YYYY-MM-DDTHH:MM:SSZ (as every time here)."""
    return abs((parse_iso_z(shown) - sent).total_seconds()) <= 1


# ------------------------------------------------------------------------- CreateSnapshot --

@all_sdks
def test_create_snapshot_creating_then_normal(api, sdk):
    started = time.monotonic()
    snapshot_id = create(api, sdk, DiskId=DISK, SnapshotName="tc-snap")
    snap, seen, elapsed = wait_snapshot_settled(api, sdk, snapshot_id, started)
    assert snap.get("SnapshotState") == "NORMAL", "states seen %s: %s" % (seen, json.dumps(snap))
    assert snap.get("Percent") == 100, json.dumps(snap)
    for state, percent, _ in seen:
        assert isinstance(percent, int) and 0 <= percent <= 100, seen
        if state == "CREATING":
            assert percent < 100, seen
    assert elapsed >= 1.5, "NORMAL after %.1f s, before snapshot_seconds (2 s): %s" % (elapsed, seen)
    assert elapsed < 12, "NORMAL only after %.1f s: %s" % (elapsed, seen)


@sdks
def test_new_snapshot_fields(api, sdk):
    snapshot_id = create(api, sdk, DiskId=DISK, SnapshotName="tc-fields")
    out = api.tc_describe_snapshots(sdk, SnapshotIds=[snapshot_id])
    snap = snapshot_set(out)[0]
    raw = out.raw["Response"]["SnapshotSet"][0]
    missing = [f for f in SNAPSHOT_FIELDS if f not in raw]
    assert not missing, "Snapshot lacks %s: %s" % (missing, json.dumps(raw))
    expected = {"SnapshotId": snapshot_id, "SnapshotName": "tc-fields", "SnapshotState": "CREATING",
                "DiskId": DISK, "DiskUsage": "DATA_DISK", "DiskSize": 100, "IsPermanent": True, "Encrypt": False,
                "Tags": []}
    assert {k: snap.get(k) for k in expected} == expected, json.dumps(snap)
    assert (snap.get("Placement") or {}).get("Zone") == "ap-guangzhou-3", json.dumps(snap)
    assert isinstance(snap.get("ImageCount"), int), json.dumps(snap)
    assert isinstance(snap.get("Percent"), int) and snap["Percent"] < 100, json.dumps(snap)
    created = parse_iso_z(snap.get("CreateTime"))
    assert raw["DeadlineTime"] is None, "a permanent snapshot has a DeadlineTime: %s" % json.dumps(raw)
    assert created.year >= 2024, json.dumps(snap)


@sdks
def test_snapshot_of_system_disk(api, sdk):
    snapshot_id = create(api, sdk, DiskId="disk-tc-stopped-sys")
    snap = describe_snapshot(api, sdk, snapshot_id)
    assert (snap.get("DiskUsage"), snap.get("DiskSize")) == ("SYSTEM_DISK", 50), json.dumps(snap)


@sdks
def test_snapshot_ids_are_unique(api, sdk):
    a = create(api, sdk, DiskId=DISK)
    b = create(api, sdk, DiskId="disk-tc-stopped-sys")
    assert a != b


@sdks
def test_tags_stored(api, sdk):
    snapshot_id = create(api, sdk, DiskId=DISK, Tags=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": ""}])
    snap = describe_snapshot(api, sdk, snapshot_id)
    assert snap.get("Tags") == [{"Key": "env", "Value": "test"}, {"Key": "team", "Value": ""}], json.dumps(snap)


@sdks
def test_deadline_shown_and_not_permanent(api, sdk):
    deadline = (datetime.now(timezone.utc) + timedelta(days=7)).replace(microsecond=0)
    snapshot_id = create(api, sdk, DiskId=DISK, Deadline=iso(deadline))
    snap = describe_snapshot(api, sdk, snapshot_id)
    assert snap.get("IsPermanent") is False, json.dumps(snap)
    assert same_instant(snap.get("DeadlineTime"), deadline), "DeadlineTime %r, sent %s" % (
        snap.get("DeadlineTime"), iso(deadline))


@sdks
def test_without_deadline_permanent(api, sdk):
    snapshot_id = create(api, sdk, DiskId=DISK)
    snap = describe_snapshot(api, sdk, snapshot_id)
    assert snap.get("IsPermanent") is True, json.dumps(snap)


@sdks
def test_snapshot_name_60_accepted(api, sdk):
    snapshot_id = create(api, sdk, DiskId=DISK, SnapshotName="s" * 60)
    assert describe_snapshot(api, sdk, snapshot_id).get("SnapshotName") == "s" * 60


@sdks
def test_second_snapshot_while_creating(api, sdk):
    first_out = api.tc_create_snapshot(sdk, DiskId=DISK)
    first = assert_created_snapshot(first_out)
    started = time.monotonic()
    out = api.tc_create_snapshot(sdk, DiskId=DISK)
    gap = out.finished - first_out.started
    assert gap < 1.5, "too slow (%.1f s) to be sure the first snapshot was still CREATING" % gap
    assert_tc_error(out, "ResourceUnavailable.SnapshotCreating")
    snap, seen, _ = wait_snapshot_settled(api, sdk, first, started)
    assert snap.get("SnapshotState") == "NORMAL", seen
    second = create(api, sdk, DiskId=DISK)
    assert second != first


@sdks
def test_creating_snapshot_does_not_block_other_disks(api, sdk):
    create(api, sdk, DiskId=DISK)
    create(api, sdk, DiskId="disk-tc-stopped-sys")


def deadline_in(delta: timedelta) -> str:
    return iso(datetime.now(timezone.utc) + delta)


ERROR_ROWS = [
    pytest.param("InvalidDiskId.NotFound", "acct-tc", {"DiskId": "disk-nope"}, id="disk-nope"),
    pytest.param("InvalidDiskId.NotFound", "acct-tc", {"DiskId": "disk-tc-other-sys"}, id="other-account"),
    pytest.param("InvalidAccount.InsufficientBalance", "acct-tc-poor", {"DiskId": "disk-tc-poor-sys"}, id="poor"),
    pytest.param("InvalidDisk.NotSupported", "acct-tc", {"DiskId": "disk-tc-stopped-local"}, id="local-disk"),
    pytest.param("InvalidParameterValue", "acct-tc", {"DiskId": DISK, "SnapshotName": "s" * 61}, id="name-61"),
    pytest.param("InvalidParameterValue", "acct-tc", {"DiskId": DISK, "Deadline": "tomorrow"},
                 id="deadline-malformed"),
    pytest.param("InvalidParameterValue", "acct-tc", {"DiskId": DISK, "Deadline": "2020-01-01T00:00:00+00:00"},
                 id="deadline-2020"),
    pytest.param("MissingParameter", "acct-tc", {"SnapshotName": "no-disk"}, id="no-disk-id"),
]


@sdks
@pytest.mark.parametrize("code,account,params", ERROR_ROWS)
def test_create_snapshot_error(api, sdk, code, account, params):
    assert_tc_error(api.tc_create_snapshot(sdk, account, **params), code)


@sdks
def test_deadline_in_the_past(api, sdk):
    out = api.tc_create_snapshot(sdk, DiskId=DISK, Deadline=deadline_in(-timedelta(days=1)))
    assert_tc_error(out, "InvalidParameterValue")


@pytest.mark.parametrize("sdk", ["tc3-get", "hmac1"])
@pytest.mark.parametrize("code,account,params", [p for p in ERROR_ROWS if p.id in ("disk-nope", "name-61")])
def test_create_snapshot_error_other_variants(api, sdk, code, account, params):
    assert_tc_error(api.tc_create_snapshot(sdk, account, **params), code)


@sdks
def test_refused_snapshot_creates_nothing(api, sdk):
    for params in ({"DiskId": DISK, "SnapshotName": "s" * 61}, {"DiskId": "disk-tc-stopped-local"},
                   {"DiskId": DISK, "Deadline": "tomorrow"}):
        assert not api.tc_create_snapshot(sdk, **params).ok
    total, got, out = listed(api, sdk)
    assert (total, got) == (3, sorted(WORLD)), out.describe()


# ---------------------------------------------------------------------- DescribeSnapshots --

@all_sdks
def test_world_snapshots_listed(api, sdk):
    total, got, out = listed(api, sdk)
    assert (total, got) == (3, sorted(WORLD)), out.describe()
    for snap in snapshot_set(out):
        disk, usage, size = WORLD[snap["SnapshotId"]]
        got_fields = {k: snap.get(k) for k in ("DiskId", "DiskUsage", "DiskSize", "SnapshotState", "Percent",
                                               "Encrypt", "IsPermanent")}
        assert got_fields == {"DiskId": disk, "DiskUsage": usage, "DiskSize": size, "SnapshotState": "NORMAL",
                              "Percent": 100, "Encrypt": False, "IsPermanent": True}, json.dumps(snap)
        assert (snap.get("Placement") or {}).get("Zone") == "ap-guangzhou-3", json.dumps(snap)


@sdks
def test_world_snapshot_fields(api, sdk):
    out = api.tc_describe_snapshots(sdk, SnapshotIds=["snap-tc-sys"])
    snaps = snapshot_set(out)
    assert ids(snaps, "SnapshotId") == ["snap-tc-sys"] and out.body["TotalCount"] == 1, out.describe()
    raw = out.raw["Response"]["SnapshotSet"][0]
    missing = [f for f in SNAPSHOT_FIELDS if f not in raw]
    assert not missing, "Snapshot lacks %s: %s" % (missing, json.dumps(raw))
    snap = snaps[0]
    assert isinstance(snap.get("ImageCount"), int) and isinstance(snap.get("SnapshotName"), str), json.dumps(snap)
    assert snap.get("Tags") == [], json.dumps(snap)
    created = parse_iso_z(snap.get("CreateTime"))
    age = (datetime.now(timezone.utc) - created).total_seconds()
    # created_at defaults to "-1d"; the time is given in UTC, with its Z.
    assert abs(age - 86400) < 3600, snap.get("CreateTime")


@sdks
def test_other_account_snapshots_never_show(api, sdk):
    total, got, out = listed(api, sdk)
    assert "snap-tc-other" not in got, out.describe()
    total, got, out = listed(api, sdk, "acct-tc-other")
    assert (total, got) == (1, ["snap-tc-other"]), out.describe()
    # Another account's id answers as an id nobody has: an empty list, as for any id not found
    # (DescribeSnapshots filters; it never refuses an id for not existing).
    out = api.tc_describe_snapshots(sdk, SnapshotIds=["snap-tc-other"])
    assert out.ok, out.describe()
    assert (out.body.get("TotalCount"), snapshot_set(out)) == (0, []), out.describe()


@sdks
def test_snapshot_ids_several(api, sdk):
    total, got, out = listed(api, sdk, SnapshotIds=["snap-tc-sys", "snap-tc-data"])
    assert (total, got) == (2, ["snap-tc-data", "snap-tc-sys"]), out.describe()


@all_sdks
@pytest.mark.parametrize("name,values,expected", [
    ("snapshot-id", ["snap-tc-sys"], ["snap-tc-sys"]),
    ("snapshot-id", ["snap-tc-sys", "snap-tc-data"], ["snap-tc-data", "snap-tc-sys"]),
    ("disk-id", ["disk-tc-stopped-sys"], ["snap-tc-sys"]),
    ("disk-id", ["disk-tc-running-sys", "disk-tc-stopped-data"], ["snap-tc-data", "snap-tc-sys-b"]),
    ("disk-usage", ["SYSTEM_DISK"], ["snap-tc-sys", "snap-tc-sys-b"]),
    ("disk-usage", ["DATA_DISK"], ["snap-tc-data"]),
    ("snapshot-state", ["NORMAL"], sorted(WORLD)),
    ("snapshot-state", ["CREATING"], []),
], ids=["id", "ids", "disk", "disks", "system", "data", "normal", "creating"])
def test_filters_on_world_snapshots(api, sdk, name, values, expected):
    total, got, out = listed(api, sdk, Filters=[flt(name, *values)])
    assert (total, got) == (len(expected), expected), out.describe()


@sdks
def test_filter_snapshot_name_and_state(api, sdk):
    started = time.monotonic()
    new = create(api, sdk, DiskId=DISK, SnapshotName="tc-named")
    assert listed(api, sdk, Filters=[flt("snapshot-name", "tc-named")])[:2] == (1, [new])
    assert listed(api, sdk, Filters=[flt("snapshot-name", "no-such-name")])[:2] == (0, [])
    assert listed(api, sdk, Filters=[flt("snapshot-state", "CREATING")])[:2] == (1, [new])
    assert listed(api, sdk, Filters=[flt("snapshot-state", "CREATEFAILED")])[:2] == (0, [])
    wait_snapshot_settled(api, sdk, new, started)
    assert listed(api, sdk, Filters=[flt("snapshot-state", "CREATING")])[:2] == (0, [])
    assert listed(api, sdk, Filters=[flt("snapshot-state", "NORMAL")])[:2] == (4, sorted(list(WORLD) + [new]))


@all_sdks
def test_filter_tags(api, sdk):
    tagged = create(api, sdk, DiskId=DISK, Tags=[{"Key": "env", "Value": "test"}])
    assert listed(api, sdk, Filters=[flt("tag-key", "env")])[:2] == (1, [tagged])
    assert listed(api, sdk, Filters=[flt("tag-key", "nope")])[:2] == (0, [])
    assert listed(api, sdk, Filters=[flt("tag:env", "test")])[:2] == (1, [tagged])
    assert listed(api, sdk, Filters=[flt("tag:env", "prod")])[:2] == (0, [])


@sdks
def test_filters_combine_with_and(api, sdk):
    total, got, out = listed(api, sdk, Filters=[flt("disk-usage", "SYSTEM_DISK"),
                                                flt("disk-id", "disk-tc-stopped-sys")])
    assert (total, got) == (1, ["snap-tc-sys"]), out.describe()


@all_sdks
def test_unknown_filter(api, sdk):
    assert_tc_error(api.tc_describe_snapshots(sdk, Filters=[flt("no-such-filter", "x")]), "InvalidFilter")


@sdks
def test_offset_and_limit(api, sdk):
    pages = []
    for offset in (0, 2, 3):
        total, got, out = listed(api, sdk, Offset=offset, Limit=2)
        assert total == 3, out.describe()
        pages.append(got)
    assert [len(p) for p in pages] == [2, 1, 0], pages
    assert sorted(pages[0] + pages[1]) == sorted(WORLD), pages
