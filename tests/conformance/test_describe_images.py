"""DescribeImages (ECS 2014-05-26) through the official Alibaba Python SDKs, together with the life
cycle of an image made by CreateImage: Creating, then Available after settings.timings.image_seconds
(3 s in the reference world); an image of an instance first waits for its disks' new snapshots
(snapshot_seconds, 2 s). Without Status, DescribeImages lists Available images only, as the provider
documents.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest

import control
from ecs_sdk import SDK_VARIANTS, snapshots_of
from images import (ALL_STATUSES, LIVE, assert_page_error, create_image, describe_image, describe_images, ids,
                    mappings, parse_time, progress, wait_available)

SYS_SNAPSHOT = "s-ali-sys"
WORLD_IMAGE = "m-ali-golden"  # "golden-base", made 3 days before the world was loaded

sdks = pytest.mark.parametrize("sdk", SDK_VARIANTS)


# ------------------------------------------------------------------------ the world image --

@sdks
def test_world_image_listed_by_default(api, sdk):
    body, images = describe_images(api, sdk)
    assert ids(images) == [WORLD_IMAGE], json.dumps(body)
    assert (body["TotalCount"], body["PageNumber"], body["PageSize"]) == (1, 1, 10), json.dumps(body)
    assert body.get("RegionId") == "cn-hangzhou", json.dumps(body)
    image = images[0]
    expected = {"ImageName": "golden-base", "Status": "Available", "Progress": "100%", "ImageOwnerAlias": "self"}
    assert {k: image.get(k) for k in expected} == expected, json.dumps(image)
    created = parse_time(image.get("CreationTime"))
    age = datetime.now(timezone.utc) - created
    assert abs(age.total_seconds() - 3 * 86400) < 3600, "CreationTime %s is not 3 days ago" % image.get("CreationTime")


@sdks
def test_world_image_has_its_system_disk(api, sdk):
    # Every image has a system disk: Size is its size in GB, and DiskDeviceMappings names it.
    image = describe_image(api, sdk, WORLD_IMAGE)
    assert isinstance(image.get("Size"), int) and image["Size"] > 0, "image Size: %s" % json.dumps(image)
    assert [d.get("Device") for d in mappings(image) if d.get("Type") == "system"] == ["/dev/xvda"], json.dumps(image)


# ---------------------------------------------------------------------------- life cycle --

@sdks
def test_image_from_snapshot_creating_then_available(api, sdk):
    started = time.monotonic()
    image_id = create_image(api, sdk, SnapshotId=SYS_SNAPSHOT, ImageName="conf-lifecycle")
    image, seen, elapsed = wait_available(api, sdk, image_id, started)
    percents = [int(p.rstrip("%")) for _, p, _ in seen]
    assert percents == sorted(percents), "Progress went backwards: %s" % seen
    assert elapsed >= 2.5, "Available after %.1f s, before image_seconds (3 s): %s" % (elapsed, seen)
    assert elapsed < 10, "Available only after %.1f s: %s" % (elapsed, seen)
    assert image.get("ImageName") == "conf-lifecycle"
    assert mappings(image) and all(d.get("Progress") == "100%" for d in mappings(image)), json.dumps(image)


@sdks
def test_image_from_instance_waits_for_its_snapshots(api, sdk):
    started = time.monotonic()
    image_id = create_image(api, sdk, InstanceId="i-ali-stopped", ImageName="conf-lifecycle-instance")
    image, seen, elapsed = wait_available(api, sdk, image_id, started)
    assert elapsed >= 4.5, ("Available after %.1f s, before snapshot_seconds + image_seconds (5 s): %s"
                            % (elapsed, seen))
    assert elapsed < 15, "Available only after %.1f s: %s" % (elapsed, seen)
    snapshot_ids = [d.get("SnapshotId") for d in mappings(image)]
    assert len(snapshot_ids) == 2 and all(snapshot_ids), json.dumps(image)
    out = api.describe_snapshots(sdk, SnapshotIds=json.dumps(snapshot_ids))
    assert out.ok, out.describe()
    snaps = snapshots_of(out.body)
    assert sorted(s.get("SnapshotId") for s in snaps) == sorted(snapshot_ids), json.dumps(out.body)
    assert all(s.get("Status") == "accomplished" and s.get("Usage") == "image" for s in snaps), json.dumps(out.body)


@sdks
def test_default_status_lists_available_only(api, sdk):
    started = time.monotonic()
    image_id = create_image(api, sdk, SnapshotId=SYS_SNAPSHOT)
    body, images = describe_images(api, sdk)
    assert ids(images) == [WORLD_IMAGE], "a Creating image is listed without Status: %s" % json.dumps(body)
    body, images = describe_images(api, sdk, Status="Creating")
    assert ids(images) == [image_id], json.dumps(body)
    assert images[0].get("Status") == "Creating" and progress(images[0]) < 100, json.dumps(body)
    body, images = describe_images(api, sdk, Status="Available")
    assert ids(images) == [WORLD_IMAGE], json.dumps(body)
    body, images = describe_images(api, sdk, Status=LIVE)
    assert ids(images) == [image_id, WORLD_IMAGE], json.dumps(body)
    wait_available(api, sdk, image_id, started)
    body, images = describe_images(api, sdk)
    assert ids(images) == [image_id, WORLD_IMAGE], json.dumps(body)
    body, images = describe_images(api, sdk, Status="Creating")
    assert ids(images) == [], json.dumps(body)


@sdks
@pytest.mark.parametrize("status", ["Waiting", "UnAvailable", "CreateFailed", "Deprecated",
                                    "CreateFailed,Deprecated"])
def test_statuses_nothing_is_in(api, sdk, status):
    body, images = describe_images(api, sdk, Status=status)
    assert images == [] and body["TotalCount"] == 0, json.dumps(body)


@sdks
def test_every_status(api, sdk):
    body, images = describe_images(api, sdk, Status=ALL_STATUSES)
    assert ids(images) == [WORLD_IMAGE], json.dumps(body)


# ------------------------------------------------------------------------------- filters --

@sdks
def test_filter_by_image_ids(api, sdk):
    first = create_image(api, sdk, SnapshotId=SYS_SNAPSHOT)
    control.advance(1)  # CreationTime has whole seconds: the second image is a second newer
    second = create_image(api, sdk, SnapshotId=SYS_SNAPSHOT)
    body, images = describe_images(api, sdk, ImageId="%s,%s" % (first, second), Status=LIVE)
    assert ids(images) == [second, first], json.dumps(body)
    assert body["TotalCount"] == 2
    body, images = describe_images(api, sdk, ImageId="%s,m-nope" % WORLD_IMAGE)
    assert ids(images) == [WORLD_IMAGE], json.dumps(body)
    body, images = describe_images(api, sdk, ImageId="m-nope", Status=ALL_STATUSES)
    assert images == [] and body["TotalCount"] == 0, json.dumps(body)


@sdks
def test_other_accounts_images_are_not_listed(api, sdk):
    theirs = create_image(api, sdk, "acct-ali-other", SnapshotId="s-ali-other", ImageName="conf-theirs")
    body, images = describe_images(api, sdk, ImageId=theirs, Status=ALL_STATUSES)
    assert images == [], json.dumps(body)
    body, images = describe_images(api, sdk, Status=ALL_STATUSES)
    assert ids(images) == [WORLD_IMAGE], json.dumps(body)
    body, images = describe_images(api, sdk, "acct-ali-other", Status=ALL_STATUSES)
    assert ids(images) == [theirs], json.dumps(body)


@sdks
def test_filter_by_name(api, sdk):
    body, images = describe_images(api, sdk, ImageName="golden-base")
    assert ids(images) == [WORLD_IMAGE], json.dumps(body)
    body, images = describe_images(api, sdk, ImageName="golden")
    assert images == [] and body["TotalCount"] == 0, json.dumps(body)


@sdks
@pytest.mark.parametrize("alias,listed", [("self", [WORLD_IMAGE]), ("system", []), ("others", []),
                                          ("marketplace", [])])
def test_filter_by_owner_alias(api, sdk, alias, listed):
    body, images = describe_images(api, sdk, ImageOwnerAlias=alias)
    assert ids(images) == listed, json.dumps(body)
    assert body["TotalCount"] == len(listed), json.dumps(body)


@sdks
def test_filter_by_tags(api, sdk):
    image_id = create_image(api, sdk, SnapshotId=SYS_SNAPSHOT, ImageName="conf-tagged",
                            Tag=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "a"}])
    cases = [
        ([{"Key": "env", "Value": "test"}], [image_id]),
        ([{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "a"}], [image_id]),
        ([{"Key": "env"}], [image_id]),
        ([{"Key": "env", "Value": "prod"}], []),
        ([{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "b"}], []),
        ([{"Key": "owner", "Value": "x"}], []),
    ]
    for tags, expected in cases:
        body, images = describe_images(api, sdk, Tag=tags, Status=LIVE)
        assert ids(images) == expected, "Tag filter %s: %s" % (tags, json.dumps(body))
    image = describe_image(api, sdk, image_id)
    assert (image.get("Tags") or {}).get("Tag") == [{"TagKey": "env", "TagValue": "test"},
                                                     {"TagKey": "team", "TagValue": "a"}], json.dumps(image)


# -------------------------------------------------------------------------------- paging --

@sdks
def test_paging_newest_first(api, sdk):
    made = []
    for n in range(3):
        if made:
            control.advance(1)  # CreationTime has whole seconds: each image a second newer
        made.append(create_image(api, sdk, SnapshotId=SYS_SNAPSHOT, ImageName="conf-page-%d" % n))
    newest_first = list(reversed(made)) + [WORLD_IMAGE]
    body, images = describe_images(api, sdk, Status=LIVE, PageSize=100)
    assert ids(images) == newest_first, json.dumps(body)
    times = [parse_time(i.get("CreationTime")) for i in images]
    assert times == sorted(times, reverse=True), json.dumps(body)
    pages = []
    for number in (1, 2, 3):
        body, images = describe_images(api, sdk, Status=LIVE, PageSize=2, PageNumber=number)
        assert (body["TotalCount"], body["PageNumber"], body["PageSize"]) == (4, number, 2), json.dumps(body)
        pages.append(ids(images))
    assert pages == [newest_first[:2], newest_first[2:], []], pages


@sdks
def test_page_size_over_100_is_refused(api, sdk):
    out = api.describe_images(sdk, PageSize=101)
    assert not out.ok and (out.code, out.status) == ("InvalidParameter", 400), out.describe()


# ------------------------------------------------------------------------------- regions --

@sdks
def test_unknown_region(api, sdk):
    out = api.describe_images(sdk, RegionId="cn-nowhere")
    assert_page_error(out, "InvalidRegionId.NotFound", 404, ["The specified RegionId does not exist."])


@sdks
def test_other_region_has_no_images(api, sdk):
    body, images = describe_images(api, sdk, RegionId="cn-beijing", Status=ALL_STATUSES)
    assert images == [] and body["TotalCount"] == 0, json.dumps(body)
    assert body.get("RegionId") == "cn-beijing", json.dumps(body)


@pytest.mark.parametrize("sdk", ["tea-acs3", "tea-v1"])
def test_region_is_required(api, sdk):
    # Only the tea SDK can leave RegionId out: the old core SDK always sends its client's region.
    out = api.describe_images(sdk, RegionId=None)
    assert_page_error(out, "MissingParameter", 400, [
        'The input parameter "RegionId" that is mandatory for processing this request is not supplied.'])


# --------------------------------------------------------------------------------- shape --

@sdks
def test_image_fields(api, sdk):
    before = datetime.now(timezone.utc).replace(microsecond=0)
    image_id = create_image(api, sdk, DiskDeviceMapping=[{"SnapshotId": SYS_SNAPSHOT}, {"Size": 10}],
                            ImageName="conf-shape")
    image = describe_image(api, sdk, image_id)
    for key in ("ImageId", "ImageName", "ImageVersion", "Description", "Status", "Progress", "CreationTime",
                "Size", "DiskDeviceMappings", "Tags", "Usage", "IsSelfShared", "ImageOwnerAlias", "Platform",
                "Architecture", "ImageFamily", "ResourceGroupId"):
        assert key in image, "%s missing: %s" % (key, json.dumps(image))
    assert isinstance(image["Size"], int) and image["Size"] == 40, json.dumps(image)
    assert image["ImageOwnerAlias"] == "self", json.dumps(image)
    created = parse_time(image["CreationTime"])
    assert before.timestamp() - 2 <= created.timestamp() <= datetime.now(timezone.utc).timestamp() + 2, (
        "CreationTime %s is not the time of the call" % image["CreationTime"])
    for disk in mappings(image):
        assert isinstance(disk.get("Size"), str), "DiskDeviceMapping.Size is not a string: %s" % json.dumps(disk)
        assert disk.get("Type") in ("system", "data"), json.dumps(disk)
