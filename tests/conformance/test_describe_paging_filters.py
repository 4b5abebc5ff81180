"""DescribeSnapshots and DescribeImages as the SDKs page and filter them (issue 9): paging by
MaxResults/NextToken, every filter of the SDK request models on a world built so that it separates
items, each refusal, DryRun, the readback and validation points of CreateSnapshot/CreateImage, XML
answers, the Version check, and ClientToken replays across the tea and the old SDK.

Every filter case asserts the exact ids it should list (and TotalCount), not a count.
"""
from __future__ import annotations

import base64
import json
import uuid
import xml.etree.ElementTree as ET
from typing import Any, Dict, List, Optional

import pytest
import requests

import control
import ecs_sdk
from ecs_sdk import EXTRA_QUERY, SDK_VARIANTS, assert_error, assert_request_id, images_of, snapshots_of
from images import LIVE, create_image, describe_image

sdks = pytest.mark.parametrize("sdk", SDK_VARIANTS)

ACCOUNT = "acct-ali"
REGION = ecs_sdk.REGION
PAGE_DISK = "d-ali-stopped-data"  # holds s-ali-data in the reference world
PAGE_COUNT = 23  # snapshots added to PAGE_DISK by the paging world
# The snapshots of acct-ali in cn-hangzhou in the reference world.
WORLD_SNAPSHOTS = ["s-ali-sys", "s-ali-sys-b", "s-ali-data", "s-ali-2012", "s-ali-progressing", "s-ali-noimage"]
POLL_TIMEOUT_S = 15.0


# ----------------------------------------------------------------------------- helpers --

def snap_ids(snaps) -> List[str]:
    return [s.get("SnapshotId") for s in snaps]


def image_ids(images) -> List[str]:
    return [i.get("ImageId") for i in images]


def describe_snaps(api, sdk, account=ACCOUNT, **params):
    out = api.describe_snapshots(sdk, account, **params)
    assert out.ok, "DescribeSnapshots %s failed: %s" % (params, out.describe())
    assert out.status == 200, out.describe()
    assert_request_id(out)
    assert isinstance(out.body.get("TotalCount"), int), out.describe()
    return out.body, snapshots_of(out.body)


def describe_imgs(api, sdk, account=ACCOUNT, **params):
    out = api.describe_images(sdk, account, **params)
    assert out.ok, "DescribeImages %s failed: %s" % (params, out.describe())
    assert out.status == 200, out.describe()
    assert_request_id(out)
    assert isinstance(out.body.get("TotalCount"), int), out.describe()
    return out.body, images_of(out.body)


def create_snap(api, sdk, account=ACCOUNT, **params) -> str:
    out = api.create_snapshot(sdk, account, **params)
    assert out.ok, "CreateSnapshot failed: " + out.describe()
    snapshot_id = out.body.get("SnapshotId")
    assert isinstance(snapshot_id, str) and snapshot_id.startswith("s-"), out.describe()
    return snapshot_id


def snapshot_of(api, sdk, snapshot_id, account=ACCOUNT) -> Dict[str, Any]:
    body, snaps = describe_snaps(api, sdk, account, SnapshotIds=json.dumps([snapshot_id]))
    assert snap_ids(snaps) == [snapshot_id], json.dumps(body)
    return snaps[0]


def wait_accomplished(api, sdk, snapshot_id) -> Dict[str, Any]:
    """Describe the snapshot, moving the virtual clock one second forward between calls, until it
    is accomplished."""
    snap = snapshot_of(api, sdk, snapshot_id)
    for _ in range(int(POLL_TIMEOUT_S)):
        if snap.get("Status") == "accomplished":
            break
        control.advance(1)
        snap = snapshot_of(api, sdk, snapshot_id)
    assert snap.get("Status") == "accomplished", json.dumps(snap)
    return snap


def assert_invalid(out) -> None:
    assert_error(out, "InvalidParameter", 400)


def check_cases(run, cases) -> None:
    """Run every (label, params, expected ids) case; fail once, listing every mismatch."""
    wrong = []
    for label, params, expected in cases:
        body, got = run(params)
        if sorted(got) != sorted(expected) or body["TotalCount"] != len(expected):
            wrong.append("%s %s: expected %s, got %s (TotalCount %s)" % (
                label, params, sorted(expected), sorted(got), body["TotalCount"]))
    assert not wrong, "filters that list the wrong items:\n  " + "\n  ".join(wrong)


def b64decode(token: str) -> Optional[bytes]:
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:
        return None


def edit_middle(token: str) -> str:
    """The token with one character in its middle changed (changes the decoded bytes)."""
    i = len(token) // 2
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    replacement = next(c for c in alphabet if c != token[i])
    return token[:i] + replacement + token[i + 1:]


# ------------------------------------------------------------------------------ worlds --

def world_snapshot(sid, disk, created_at, source_disk_type="data", **extra) -> Dict[str, Any]:
    snap = {"id": sid, "account": ACCOUNT, "region": REGION, "disk": disk, "source_disk_type": source_disk_type,
            "size_gb": 40 if source_disk_type == "system" else 100, "created_at": created_at}
    snap.update(extra)
    return snap


def page_ids() -> List[str]:
    return ["s-page-%02d" % n for n in range(1, PAGE_COUNT + 1)]


def paging_world(doc) -> None:
    # 23 more snapshots of PAGE_DISK; pairs share a CreationTime, so the id breaks ties.
    for n, sid in enumerate(page_ids(), start=1):
        created = "2024-05-%02dT08:00:00Z" % (1 + n // 2)
        doc["snapshots"].append(world_snapshot(sid, PAGE_DISK, created, size_gb=200))


def with_resource_groups(doc) -> None:
    for acct in doc["accounts"]:
        if acct["id"] == ACCOUNT:
            acct["resource_groups"] = [{"id": "rg-default", "name": "Default", "default": True},
                                       {"id": "rg-team", "name": "team"}]


def snapshot_filter_world(doc) -> None:
    with_resource_groups(doc)
    doc["snapshots"] += [
        world_snapshot("s-f-2020", "d-ali-running-data", "2020-01-15T00:00:00Z", tags={"team": "a"}),
        world_snapshot("s-f-2021", "d-ali-running-data", "2021-06-15T12:30:00Z", tags={"team": "b"}),
        world_snapshot("s-f-failed", "d-ali-running-data", "2022-03-01T00:00:00Z", status="failed"),
    ]


def image_filter_world(doc) -> None:
    with_resource_groups(doc)
    doc["images"].append({"id": "m-f-2021", "account": ACCOUNT, "region": REGION, "name": "old-2021",
                          "created_at": "2021-06-15T00:00:00Z"})


# ------------------------------------------------------------------ paging by NextToken --

@sdks
def test_paging_by_token_over_many_pages(api, sdk, worlds, world_file):
    worlds.load(world_file(paging_world))
    on_disk = page_ids() + ["s-ali-data"]

    body, big = describe_snaps(api, sdk, DiskId=PAGE_DISK, MaxResults=100)
    assert sorted(snap_ids(big)) == sorted(on_disk), json.dumps(body)
    assert body["TotalCount"] == len(on_disk) and body.get("NextToken") == "", json.dumps(body)
    order = snap_ids(big)
    # Newest first, then by id (descending) among snapshots of the same second.
    keys = [(s["CreationTime"], s["SnapshotId"]) for s in big]
    assert keys == sorted(keys, reverse=True), keys
    body, by_page_number = describe_snaps(api, sdk, DiskId=PAGE_DISK, PageSize=100)
    assert snap_ids(by_page_number) == order, json.dumps(body)

    seen, pages, token = [], 0, None
    while True:
        params = dict(DiskId=PAGE_DISK, MaxResults=5)
        if token is not None:
            params["NextToken"] = token
        body, page = describe_snaps(api, sdk, **params)
        pages += 1
        assert body["TotalCount"] == len(on_disk), "TotalCount moved on page %d: %s" % (pages, json.dumps(body))
        assert 1 <= len(page) <= 5, json.dumps(body)
        seen += snap_ids(page)
        token = body.get("NextToken")
        assert isinstance(token, str), json.dumps(body)
        if token == "":
            break
        assert pages < 10, "paging does not end: %s" % seen
    assert pages == 5, "24 snapshots by 5 came in %d pages" % pages
    assert len(page) == 4, "last page: %s" % snap_ids(page)
    assert seen == order, "token pages differ from one big page:\n%s\n%s" % (seen, order)
    assert len(set(seen)) == len(seen)


@sdks
def test_paging_by_token_with_a_filter_over_the_account(api, sdk, worlds, world_file):
    worlds.load(world_file(paging_world))
    everything = page_ids() + WORLD_SNAPSHOTS
    expected = [s for s in everything if s != "s-ali-progressing"]
    body, big = describe_snaps(api, sdk, Status="accomplished", PageSize=100)
    assert sorted(snap_ids(big)) == sorted(expected), json.dumps(body)
    seen, token, totals, pages = [], None, set(), 0
    while token != "":
        params = dict(Status="accomplished", MaxResults=6)
        if token:
            params["NextToken"] = token
        body, page = describe_snaps(api, sdk, **params)
        totals.add(body["TotalCount"])
        seen += snap_ids(page)
        token = body["NextToken"]
        pages += 1
        assert pages < 10, seen
    assert pages == 5 and totals == {len(expected)}, (pages, totals)
    assert seen == snap_ids(big)


@sdks
def test_token_pages_may_change_size(api, sdk, worlds, world_file):
    # A token is bound to the query's filters, not to its page size.
    worlds.load(world_file(paging_world))
    _, big = describe_snaps(api, sdk, DiskId=PAGE_DISK, MaxResults=100)
    order = snap_ids(big)
    body, first = describe_snaps(api, sdk, DiskId=PAGE_DISK, MaxResults=3)
    assert snap_ids(first) == order[:3] and body["NextToken"], json.dumps(body)
    body2, second = describe_snaps(api, sdk, DiskId=PAGE_DISK, MaxResults=10, NextToken=body["NextToken"])
    assert snap_ids(second) == order[3:13], json.dumps(body2)
    # The same token twice gives the same page.
    body3, again = describe_snaps(api, sdk, DiskId=PAGE_DISK, MaxResults=10, NextToken=body["NextToken"])
    assert snap_ids(again) == snap_ids(second) and body3["NextToken"] == body2["NextToken"]


@sdks
def test_max_results_default_and_bounds_accepted(api, sdk, worlds, world_file):
    worlds.load(world_file(paging_world))
    # NextToken without MaxResults pages by the default 10.
    body, first = describe_snaps(api, sdk, DiskId=PAGE_DISK, MaxResults=1)
    assert len(first) == 1 and body["NextToken"], json.dumps(body)
    body, page = describe_snaps(api, sdk, DiskId=PAGE_DISK, NextToken=body["NextToken"])
    assert len(page) == 10 and body["NextToken"], json.dumps(body)
    body, page = describe_snaps(api, sdk, DiskId=PAGE_DISK, MaxResults=100)
    assert len(page) == PAGE_COUNT + 1 and body["NextToken"] == "", json.dumps(body)


@sdks
@pytest.mark.parametrize("value", [0, 101, -1, "abc"])
def test_max_results_out_of_bounds(api, sdk, value):
    assert_invalid(api.describe_snapshots(sdk, MaxResults=value))


def first_token(api, sdk, **filters) -> str:
    body, page = describe_snaps(api, sdk, MaxResults=2, **filters)
    assert len(page) == 2 and body["NextToken"], json.dumps(body)
    return body["NextToken"]


@sdks
@pytest.mark.parametrize("token", ["garbage", "AAAA", "eyJvZmZzZXQiOjJ9", "1", "-", "2.0"])
def test_garbage_token_refused(api, sdk, token):
    assert_invalid(api.describe_snapshots(sdk, MaxResults=2, NextToken=token))


@sdks
def test_edited_token_refused(api, sdk):
    token = first_token(api, sdk)
    assert describe_snaps(api, sdk, MaxResults=2, NextToken=token)[1], "the token itself is refused"
    edits = [edit_middle(token), token[:-1], token + "A", token[1:], token.upper(), token[::-1]]
    decoded = b64decode(token)
    text = decoded.decode("utf-8", "replace") if decoded else ""
    head, sep, rest = text.partition(".")
    if sep and head.isdigit():  # it reads as OFFSET.SEAL: move the offset, keep the seal
        for offset in (int(head) + 1, int(head) + 2, 0, 100):
            edits.append(base64.urlsafe_b64encode(("%d.%s" % (offset, rest)).encode()).decode().rstrip("="))
    for edited in edits:
        if edited == token:
            continue
        out = api.describe_snapshots(sdk, MaxResults=2, NextToken=edited)
        assert not out.ok and (out.code, out.status) == ("InvalidParameter", 400), (
            "edited token %r (from %r) was not refused: %s" % (edited, token, out.describe()))


@sdks
@pytest.mark.parametrize("other", [
    {"DiskId": "d-ali-running-sys"},
    {"Status": "accomplished"},
    {"SourceDiskType": "System"},
    {"SnapshotIds": json.dumps(WORLD_SNAPSHOTS)},
    {"Tag": [{"Key": "env", "Value": "x"}]},
])
def test_token_of_another_query_refused(api, sdk, other):
    token = first_token(api, sdk)
    assert_invalid(api.describe_snapshots(sdk, MaxResults=2, NextToken=token, **other))


@sdks
def test_token_of_another_filter_value_refused(api, sdk):
    token = first_token(api, sdk, DiskId="d-ali-running-sys")
    assert_invalid(api.describe_snapshots(sdk, MaxResults=2, NextToken=token, DiskId="d-ali-stopped-sys"))
    assert_invalid(api.describe_snapshots(sdk, MaxResults=2, NextToken=token))


@sdks
def test_token_of_another_region_refused(api, sdk):
    # A listing of cn-hangzhou cannot be resumed in cn-beijing: it is another query.
    token = first_token(api, sdk)
    assert_invalid(api.describe_snapshots(sdk, MaxResults=2, NextToken=token, RegionId="cn-beijing"))


@sdks
def test_token_of_another_account_refused(api, sdk):
    token = first_token(api, sdk)
    assert_invalid(api.describe_snapshots(sdk, "acct-ali-other", MaxResults=2, NextToken=token))


# ------------------------------------------------------------ DescribeSnapshots filters --

def snapshot_filter_setup(api, sdk, worlds, world_file):
    """The snapshot filter world, plus a flash snapshot in rg-team (tagged env=flash, waited until
    accomplished) and an image made from s-ali-sys (so s-ali-sys is in use by an image)."""
    worlds.load(world_file(snapshot_filter_world))
    flash = create_snap(api, sdk, DiskId=PAGE_DISK, SnapshotName="conf-flash", Category="Flash",
                        ResourceGroupId="rg-team", Tag=[{"Key": "env", "Value": "flash"}])
    create_image(api, sdk, SnapshotId="s-ali-sys", ImageName="conf-usage")
    snap = wait_accomplished(api, sdk, flash)
    assert snap.get("Category") == "flash" and snap.get("ResourceGroupId") == "rg-team", json.dumps(snap)
    return flash


@sdks
def test_every_snapshot_filter_separates(api, sdk, worlds, world_file):
    flash = snapshot_filter_setup(api, sdk, worlds, world_file)
    everything = WORLD_SNAPSHOTS + ["s-f-2020", "s-f-2021", "s-f-failed", flash]
    system = ["s-ali-sys", "s-ali-sys-b", "s-ali-2012", "s-ali-progressing", "s-ali-noimage"]
    data = ["s-ali-data", "s-f-2020", "s-f-2021", "s-f-failed", flash]
    recent = ["s-ali-sys", "s-ali-sys-b", "s-ali-data", "s-ali-progressing", "s-ali-noimage", flash]
    but = lambda *gone: [s for s in everything if s not in gone]  # noqa: E731

    body, listed = describe_snaps(api, sdk, MaxResults=100)
    assert sorted(snap_ids(listed)) == sorted(everything), json.dumps(body)
    link = {s["SnapshotId"]: s.get("SnapshotLinkId") for s in listed}
    assert link["s-ali-sys"] and link["s-ali-sys"] == link["s-ali-2012"] != link["s-ali-data"], link
    assert link[flash] == link["s-ali-data"], link
    usage = {s["SnapshotId"]: s.get("Usage") for s in listed}
    assert usage["s-ali-sys"] == "image" and usage["s-ali-data"] == "none", usage

    def window(start=None, end=None):
        f = []
        if start:
            f.append({"Key": "CreationStartTime", "Value": start})
        if end:
            f.append({"Key": "CreationEndTime", "Value": end})
        return f

    cases = [
        ("Usage", {"Usage": "image"}, ["s-ali-sys"]),
        ("Usage", {"Usage": "none"}, but("s-ali-sys")),
        ("Usage", {"Usage": "disk"}, []),
        ("Usage", {"Usage": "image_disk"}, []),
        ("Encrypted", {"Encrypted": True}, []),
        ("Encrypted", {"Encrypted": False}, everything),
        ("KMSKeyId", {"KMSKeyId": "0e478b7a-4262-4802-b8cb-00d3fb40****"}, []),
        ("Category", {"Category": "Flash"}, [flash]),
        ("Category", {"Category": "flash"}, [flash]),
        ("Category", {"Category": "Standard"}, but(flash)),
        ("Category", {"Category": "archive"}, []),
        ("ResourceGroupId", {"ResourceGroupId": "rg-team"}, [flash]),
        ("ResourceGroupId", {"ResourceGroupId": "rg-nope"}, []),
        ("Filter.N", {"Filter": window("2020-01-01T00:00Z", "2020-12-31T23:59Z")}, ["s-f-2020"]),
        ("Filter.N", {"Filter": window("2013-01-01T00:00Z", "2022-12-31T00:00Z")},
         ["s-f-2020", "s-f-2021", "s-f-failed"]),
        ("Filter.N", {"Filter": window(end="2013-01-01T00:00Z")}, ["s-ali-2012"]),
        ("Filter.N", {"Filter": window(start="2023-01-01T00:00Z")}, recent),
        ("Filter.N", {"Filter": window("2021-06-15T12:30Z", "2021-06-15T12:30Z")}, ["s-f-2021"]),
        ("Filter.N", {"Filter": window("2021-06-15T12:30:00Z", "2021-06-15T12:30:00Z")}, ["s-f-2021"]),
        ("SnapshotLinkId", {"SnapshotLinkId": link["s-ali-sys"]}, ["s-ali-sys", "s-ali-2012"]),
        ("SnapshotLinkId", {"SnapshotLinkId": link[flash]}, ["s-ali-data", flash]),
        ("SnapshotLinkId", {"SnapshotLinkId": "sl-nope"}, []),
        ("SnapshotIds", {"SnapshotIds": json.dumps(["s-ali-sys"] * 3)}, ["s-ali-sys"]),
        ("SnapshotIds", {"SnapshotIds": json.dumps(["s-f-2020", "s-ali-data", "s-f-2020", "s-ali-other"])},
         ["s-f-2020", "s-ali-data"]),
        ("InstanceId", {"InstanceId": "i-ali-running"},
         ["s-ali-sys-b", "s-ali-progressing", "s-ali-noimage", "s-f-2020", "s-f-2021", "s-f-failed"]),
        ("InstanceId", {"InstanceId": "i-ali-stopped"}, ["s-ali-sys", "s-ali-2012", "s-ali-data", flash]),
        ("InstanceId", {"InstanceId": "i-ali-other"}, []),
        ("SourceDiskType", {"SourceDiskType": "System"}, system),
        ("SourceDiskType", {"SourceDiskType": "data"}, data),
        ("SnapshotType", {"SnapshotType": "user"}, everything),
        ("SnapshotType", {"SnapshotType": "auto"}, []),
        ("SnapshotType", {"SnapshotType": "all"}, everything),
        ("Status", {"Status": "progressing"}, ["s-ali-progressing"]),
        ("Status", {"Status": "accomplished"}, but("s-ali-progressing", "s-f-failed")),
        ("Status", {"Status": "failed"}, ["s-f-failed"]),
        ("Status", {"Status": "all"}, everything),
        ("Tag", {"Tag": [{"Key": "team", "Value": "a"}]}, ["s-f-2020"]),
        ("Tag", {"Tag": [{"Key": "team"}]}, ["s-f-2020", "s-f-2021"]),
        ("Tag", {"Tag": [{"Key": "env", "Value": "flash"}]}, [flash]),
        ("Tag", {"Tag": [{"Key": "team", "Value": "c"}]}, []),
        ("AND", {"DiskId": "d-ali-running-data", "Tag": [{"Key": "team", "Value": "b"}]}, ["s-f-2021"]),
        ("AND", {"InstanceId": "i-ali-stopped", "Category": "Standard", "Usage": "none"},
         ["s-ali-2012", "s-ali-data"]),
        ("AND", {"SourceDiskType": "data", "Status": "accomplished", "Filter": window(start="2021-01-01T00:00Z")},
         ["s-f-2021", "s-ali-data", flash]),
    ]

    def run(params):
        body, snaps = describe_snaps(api, sdk, PageSize=100, **params)
        return body, snap_ids(snaps)

    check_cases(run, cases)


@sdks
@pytest.mark.parametrize("params", [
    {"Usage": "bogus"},
    {"Usage": "x"},
    {"Encrypted": "maybe"},
    {"Category": "bogus"},
    {"SnapshotType": "manual"},
    {"SourceDiskType": "ssd"},
    {"Status": "done"},
    {"Filter": [{"Key": "CreationTime", "Value": "2020-01-01T00:00Z"}]},
    {"Filter": [{"Key": "CreationStartTime", "Value": "yesterday"}]},
    {"SnapshotIds": "not json"},
    {"SnapshotIds": json.dumps(["s-%03d" % n for n in range(101)])},
    {"DryRun": "perhaps"},
], ids=lambda p: json.dumps(p)[:60])
def test_snapshot_filter_refusals(api, sdk, params):
    assert_invalid(api.describe_snapshots(sdk, **params))


@sdks
def test_filter_key_without_value_is_missing(api, sdk):
    out = api.describe_snapshots(sdk, Filter=[{"Key": "CreationStartTime"}])
    assert_error(out, "MissingParameter", 400)
    assert "Filter" in (out.message or ""), out.describe()
    assert_error(api.describe_images(sdk, Filter=[{"Key": "CreationEndTime"}]), "MissingParameter", 400)


@pytest.mark.parametrize("extra", [
    {"Bogus": "1"},
    {"ImageId": "m-ali-golden"},  # a DescribeImages parameter
    {"Filter.11.Key": "CreationStartTime", "Filter.11.Value": "2020-01-01T00:00Z"},
    {"Tag.1.Key": "env", "Tag.01.Key": "team"},
    {"Filter.1.Name": "x"},
])
def test_snapshots_unknown_parameter_refused_through_core(api, extra):
    assert_invalid(api.describe_snapshots("core-v1", **{EXTRA_QUERY: extra}))


# --------------------------------------------------------------- DescribeImages filters --

def image_filter_setup(api, sdk, worlds, world_file):
    worlds.load(world_file(image_filter_world))
    arm = create_image(api, sdk, SnapshotId="s-ali-sys", ImageName="conf-arm", Architecture="arm64",
                       Platform="Ubuntu", ResourceGroupId="rg-team", Tag=[{"Key": "team", "Value": "arm"}])
    win = create_image(api, sdk, SnapshotId="s-ali-sys-b", ImageName="conf-win", Architecture="x86_64",
                       Platform="Windows Server 2022")
    # Past the world's image_seconds: every image is Available, so Usable holds for all of them.
    control.advance(5)
    return arm, win


@sdks
def test_every_image_filter_separates(api, sdk, worlds, world_file):
    arm, win = image_filter_setup(api, sdk, worlds, world_file)
    golden, old = "m-ali-golden", "m-f-2021"
    everything = [arm, win, golden, old]

    body, listed = describe_imgs(api, sdk, Status=LIVE, PageSize=100)
    assert sorted(image_ids(listed)) == sorted(everything), json.dumps(body)
    by_id = {i["ImageId"]: i for i in listed}
    assert by_id[arm].get("Architecture") == "arm64" and by_id[golden].get("Architecture") == "x86_64", by_id
    assert by_id[win].get("OSType") == "windows" and by_id[arm].get("OSType") == "linux", by_id
    own = by_id[golden].get("ImageOwnerId")
    assert own and all(i.get("ImageOwnerId") == own for i in listed), [i.get("ImageOwnerId") for i in listed]
    body, theirs = describe_imgs(api, sdk, "acct-ali-quota", Status=LIVE)
    assert image_ids(theirs) == ["m-ali-quota"], json.dumps(body)
    foreign = theirs[0].get("ImageOwnerId")
    assert foreign and foreign != own, (own, foreign)

    def window(start=None, end=None):
        f = []
        if start:
            f.append({"Key": "CreationStartTime", "Value": start})
        if end:
            f.append({"Key": "CreationEndTime", "Value": end})
        return f

    cases = [
        ("SnapshotId", {"SnapshotId": "s-ali-sys"}, [arm]),
        ("SnapshotId", {"SnapshotId": "s-ali-sys-b"}, [win]),
        ("SnapshotId", {"SnapshotId": "s-nonexist"}, []),
        ("Architecture", {"Architecture": "arm64"}, [arm]),
        ("Architecture", {"Architecture": "x86_64"}, [win, golden, old]),
        ("Architecture", {"Architecture": "i386"}, []),
        ("OSType", {"OSType": "windows"}, [win]),
        ("OSType", {"OSType": "linux"}, [arm, golden, old]),
        ("IsSupportCloudinit", {"IsSupportCloudinit": True}, everything),
        ("IsSupportCloudinit", {"IsSupportCloudinit": False}, []),
        ("IsSupportIoOptimized", {"IsSupportIoOptimized": True}, everything),
        ("IsSupportIoOptimized", {"IsSupportIoOptimized": False}, []),
        ("IsPublic", {"IsPublic": False}, everything),
        ("IsPublic", {"IsPublic": True}, []),
        ("ResourceGroupId", {"ResourceGroupId": "rg-team"}, [arm]),
        ("ResourceGroupId", {"ResourceGroupId": "rg-nope"}, []),
        ("Usage", {"Usage": "none"}, everything),
        ("Usage", {"Usage": "instance"}, []),
        ("Usable", {"Usable": True}, everything),
        ("Usable", {"Usable": False}, []),
        ("ImageOwnerId", {"ImageOwnerId": own}, everything),
        ("ImageOwnerId", {"ImageOwnerId": foreign}, []),
        ("InstanceType", {"InstanceType": "ecs.g7.large"}, everything),
        ("ActionType", {"ActionType": "CreateEcs"}, everything),
        ("ActionType", {"ActionType": "ChangeOS"}, everything),
        ("ShowExpired", {"ShowExpired": True}, everything),
        ("Filter.N", {"Filter": window(end="2022-01-01T00:00Z")}, [old]),
        ("Filter.N", {"Filter": window(start="2022-01-01T00:00Z")}, [arm, win, golden]),
        ("Filter.N", {"Filter": window("2021-01-01T00:00Z", "2021-12-31T23:59Z")}, [old]),
        ("Filter.N", {"Filter": window("2021-06-15T00:00Z", "2021-06-15T00:00Z")}, [old]),
        ("Tag", {"Tag": [{"Key": "team", "Value": "arm"}]}, [arm]),
        ("Tag", {"Tag": [{"Key": "team", "Value": "x86"}]}, []),
        ("AND", {"Architecture": "x86_64", "OSType": "linux"}, [golden, old]),
        ("AND", {"SnapshotId": "s-ali-sys", "Architecture": "x86_64"}, []),
        ("AND", {"ImageOwnerAlias": "self", "ImageOwnerId": own, "OSType": "windows"}, [win]),
    ]

    def run(params):
        body, images = describe_imgs(api, sdk, Status=LIVE, PageSize=100, **params)
        return body, image_ids(images)

    check_cases(run, cases)


@sdks
@pytest.mark.parametrize("params", [
    {"Architecture": "sparc"},
    {"InstanceType": "large"},
    {"ActionType": "Destroy"},
    {"OSType": "beos"},
    {"Usage": "bogus"},
    {"ImageOwnerId": "abc"},
    {"IsPublic": "maybe"},
    {"IsSupportCloudinit": "maybe"},
    {"Usable": "maybe"},
    {"ShowExpired": "maybe"},
    {"ImageOwnerAlias": "everyone"},
    {"Status": "Gone"},
    {"Filter": [{"Key": "CreationTime", "Value": "2020-01-01T00:00Z"}]},
    {"Filter": [{"Key": "CreationEndTime", "Value": "2020/01/01"}]},
    {"PageSize": 0},
], ids=lambda p: json.dumps(p)[:60])
def test_image_filter_refusals(api, sdk, params):
    assert_invalid(api.describe_images(sdk, **params))


@pytest.mark.parametrize("extra", [
    {"Bogus": "1"},
    {"MaxResults": "5"},  # not a DescribeImages parameter in the SDK model
    {"SnapshotIds": json.dumps(["s-ali-sys"])},  # a DescribeSnapshots parameter
    {"Tag.1.Key": "env", "Tag.01.Key": "team"},
])
def test_images_unknown_parameter_refused_through_core(api, extra):
    assert_invalid(api.describe_images("core-v1", **{EXTRA_QUERY: extra}))


# --------------------------------------------------------------------------------- DryRun --

@sdks
def test_dry_run_on_describe_snapshots(api, sdk):
    assert_error(api.describe_snapshots(sdk, DryRun=True), "DryRunOperation", 400)
    assert_error(api.describe_snapshots(sdk, DryRun=True, DiskId=PAGE_DISK, MaxResults=5),
                 "DryRunOperation", 400)
    body, snaps = describe_snaps(api, sdk, DryRun=False, DiskId=PAGE_DISK)
    assert snap_ids(snaps) == ["s-ali-data"], json.dumps(body)


@sdks
def test_dry_run_on_describe_images(api, sdk):
    assert_error(api.describe_images(sdk, DryRun=True), "DryRunOperation", 400)
    assert_error(api.describe_images(sdk, DryRun=True, Architecture="arm64"), "DryRunOperation", 400)
    body, images = describe_imgs(api, sdk, DryRun=False)
    assert image_ids(images) == ["m-ali-golden"], json.dumps(body)


@sdks
def test_dry_run_reports_request_errors_first(api, sdk):
    assert_invalid(api.describe_snapshots(sdk, DryRun=True, MaxResults=0))
    assert_invalid(api.describe_images(sdk, DryRun=True, Architecture="sparc"))
    assert_error(api.describe_snapshots(sdk, DryRun=True, RegionId="cn-nowhere"), "InvalidRegionId.NotFound", 404)
    assert_error(api.describe_images(sdk, DryRun=True, RegionId="cn-nowhere"), "InvalidRegionId.NotFound", 404)


# ---------------------------------------------------------------- readback and validation --

@sdks
def test_instant_access_reads_back(api, sdk):
    sid = create_snap(api, sdk, DiskId=PAGE_DISK, InstantAccess=True, InstantAccessRetentionDays=3)
    snap = snapshot_of(api, sdk, sid)
    assert snap.get("InstantAccess") is True, json.dumps(snap)
    assert snap.get("InstantAccessRetentionDays") == 3, json.dumps(snap)
    plain = snapshot_of(api, sdk, create_snap(api, sdk, DiskId="d-ali-running-data"))
    assert plain.get("InstantAccess") is False, json.dumps(plain)


@sdks
def test_instant_access_days_default_to_retention_days(api, sdk):
    # The SDK model: InstantAccessRetentionDays "Default value: the value of the RetentionDays parameter".
    sid = create_snap(api, sdk, DiskId=PAGE_DISK, InstantAccess=True, RetentionDays=7)
    snap = snapshot_of(api, sdk, sid)
    assert snap.get("InstantAccess") is True and snap.get("RetentionDays") == 7, json.dumps(snap)
    assert snap.get("InstantAccessRetentionDays") == 7, json.dumps(snap)


@sdks
def test_instant_access_days_without_instant_access_refused(api, sdk):
    assert_invalid(api.create_snapshot(sdk, DiskId=PAGE_DISK, InstantAccessRetentionDays=3))


@sdks
@pytest.mark.parametrize("category,shown", [("Flash", "flash"), ("Standard", "standard"), ("flash", "flash")])
def test_category_reads_back(api, sdk, category, shown):
    snap = snapshot_of(api, sdk, create_snap(api, sdk, DiskId=PAGE_DISK, Category=category))
    assert snap.get("Category") == shown, json.dumps(snap)


@sdks
@pytest.mark.parametrize("category", ["bogus", "archive", "Premium"])
def test_category_refused(api, sdk, category):
    assert_invalid(api.create_snapshot(sdk, DiskId=PAGE_DISK, Category=category))


@sdks
@pytest.mark.parametrize("arch", ["sparc", "amd64", "ARM"])
def test_create_image_architecture_refused(api, sdk, arch):
    assert_invalid(api.create_image(sdk, SnapshotId="s-ali-sys", Architecture=arch))


@sdks
@pytest.mark.parametrize("description", ["nightly\x01backup", "tab\x1fhere", "nul\x00byte", "bell\x07x"])
def test_description_with_control_characters_refused(api, sdk, description):
    # CreateSnapshot's page gives InvalidDescription.Malformed HTTP 404, CreateImage's 400.
    assert_error(api.create_snapshot(sdk, DiskId=PAGE_DISK, Description=description),
                 "InvalidDescription.Malformed", 404)
    assert_error(api.create_image(sdk, SnapshotId="s-ali-sys", Description=description),
                 "InvalidDescription.Malformed", 400)


@sdks
def test_tag_value_with_control_characters_refused(api, sdk):
    assert_error(api.create_snapshot(sdk, DiskId=PAGE_DISK, Tag=[{"Key": "env", "Value": "a\x01b"}]),
                 "InvalidTagValue.Malformed", 400)


def core_xml(creds, action: str, params: Dict[str, Any]) -> bytes:
    """One call through the old SDK with Format=XML; the raw answer bytes. (do_action_with_exception
    forces Format=JSON, so this goes one level down, as the SDK's own do_action does.)"""
    client = ecs_sdk.core_client(creds)
    req = ecs_sdk._core_request(action, params, ecs_sdk.endpoint())
    req.set_accept_format("XML")
    status, headers, body, exception = client._implementation_of_do_action(req)
    assert exception is None and status == 200, "%s in XML: HTTP %s %r %s" % (action, status, body[:400], exception)
    content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
    assert "xml" in content_type, "XML answer sent as %r" % content_type
    return body


def test_xml_answers_parse(api, reference_world):
    # Text XML would have to escape comes back escaped, and the document parses.
    description = 'a<b & "c">d\'s'
    sid = create_snap(api, "core-v1", DiskId=PAGE_DISK, Description=description, SnapshotName="conf-xml",
                      Tag=[{"Key": "k&<", "Value": "v>\""}])
    raw = core_xml(reference_world.creds(ACCOUNT), "DescribeSnapshots",
                   {"RegionId": REGION, "DiskId": PAGE_DISK, "MaxResults": 1})
    root = ET.fromstring(raw)
    assert root.tag == "DescribeSnapshotsResponse", raw[:300]
    snaps = root.findall("./Snapshots/Snapshot")
    assert [s.findtext("SnapshotId") for s in snaps] == [sid], raw[:800]
    assert snaps[0].findtext("Description") == description, raw[:800]
    assert root.findtext("TotalCount") == "2" and root.findtext("NextToken"), raw[:800]
    tag = snaps[0].find("./Tags/Tag")
    assert tag is not None and (tag.findtext("TagKey"), tag.findtext("TagValue")) == ("k&<", "v>\""), raw[:800]
    # A refused control character never reaches an answer, JSON or XML.
    out = api.create_snapshot("core-v1", DiskId=PAGE_DISK, Description="bad\x01one")
    assert_error(out, "InvalidDescription.Malformed", 404)
    raw = core_xml(reference_world.creds(ACCOUNT), "DescribeSnapshots", {"RegionId": REGION, "PageSize": 100})
    root = ET.fromstring(raw)
    assert len(root.findall("./Snapshots/Snapshot")) == int(root.findtext("TotalCount")), raw[:300]
    raw = core_xml(reference_world.creds(ACCOUNT), "DescribeImages", {"RegionId": REGION})
    assert [i.findtext("ImageId") for i in ET.fromstring(raw).findall("./Images/Image")] == ["m-ali-golden"]


@sdks
@pytest.mark.parametrize("name", ["éte-image", "Ａbc-image", "イメージ-one", "Ωmega-image", "이미지-one", "ébc", "1abc",
                                  "_abc"])
def test_image_name_must_begin_with_english_or_chinese(api, sdk, name):
    assert_error(api.create_image(sdk, SnapshotId="s-ali-sys", ImageName=name), "InvalidImageName.Malformed", 400)


@sdks
@pytest.mark.parametrize("name", ["镜像-one", "镜a", "Abc镜像:1_2-3"])
def test_image_name_chinese_accepted(api, sdk, name):
    image_id = create_image(api, sdk, SnapshotId="s-ali-sys", ImageName=name)
    image = describe_image(api, sdk, image_id)
    assert image.get("ImageName") == name, json.dumps(image, ensure_ascii=False)


# -------------------------------------------------------------------------------- Version --

def raw_post(form: Dict[str, str]) -> requests.Response:
    return requests.post("http://%s/" % ecs_sdk.endpoint(), data=form, timeout=20,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})


def auth_off(doc) -> None:
    doc["settings"]["auth"] = "off"


@pytest.mark.parametrize("action,extra", [("DescribeSnapshots", {}), ("DescribeImages", {}),
                                          ("CreateSnapshot", {"DiskId": PAGE_DISK})])
def test_version_missing_or_other(worlds, world_file, reference_world, action, extra):
    worlds.load(world_file(auth_off))
    key = reference_world.creds(ACCOUNT).access_key_id
    base = {"Action": action, "AccessKeyId": key, "Format": "JSON", "RegionId": REGION, **extra}
    cases = [(None, "MissingParameter"), ("2016-03-14", "InvalidVersion"), ("2014-05-27", "InvalidVersion")]
    for version, code in cases:
        form = dict(base) if version is None else dict(base, Version=version)
        r = raw_post(form)
        body = r.json()
        assert (r.status_code, body.get("Code")) == (400, code), "Version=%r: %s %s" % (version, r.status_code,
                                                                                       r.text[:400])
        assert body.get("RequestId"), r.text
    # The control: the right version is served.
    r = raw_post(dict(base, Version="2014-05-26"))
    assert r.status_code == 200, r.text[:400]


# ------------------------------------------------------------------- replays across SDKs --

@pytest.mark.parametrize("first,second", [("core-v1", "tea-acs3"), ("tea-acs3", "core-v1"),
                                          ("core-v1", "tea-v1"), ("tea-v1", "tea-acs3")])
def test_client_token_replay_across_sdks(api, first, second):
    token = "conf-x-" + uuid.uuid4().hex
    tags = [{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "a"}]
    params = dict(DiskId=PAGE_DISK, SnapshotName="conf-replay", Description="replayed call",
                  RetentionDays=7, ClientToken=token)
    original = create_snap(api, first, Tag=tags, **params)
    # The other SDK (core-v1 adds RegionId, tea does not), tags in another order, Category=Standard
    # spelled out: the same call.
    assert create_snap(api, second, Tag=list(reversed(tags)), **params) == original
    assert create_snap(api, second, Tag=list(reversed(tags)), Category="Standard", **params) == original
    assert create_snap(api, first, Tag=tags, **params) == original
    body, snaps = describe_snaps(api, second, DiskId=PAGE_DISK)
    assert sorted(snap_ids(snaps)) == sorted(["s-ali-data", original]), json.dumps(body)
    # Another business parameter under the same token is another call.
    out = api.create_snapshot(second, DiskId=PAGE_DISK, SnapshotName="conf-replay-other", Description="replayed call",
                              RetentionDays=7, ClientToken=token, Tag=tags)
    assert_error(out, "IdempotentParameterMismatch", 403)
    out = api.create_snapshot(first, Tag=tags[:1], **params)
    assert_error(out, "IdempotentParameterMismatch", 403)
    out = api.create_snapshot(first, Tag=tags, Category="Flash", **params)
    assert_error(out, "IdempotentParameterMismatch", 403)
