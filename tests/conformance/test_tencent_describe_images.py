"""CVM DescribeImages (2017-03-12) through the official Tencent Python SDK: ImageIds, Filters,
Offset/Limit, TotalCount and the fields of each Image, for the world's image (img-tcgolden,
"golden-tc", made 3 days before the world was loaded) and for images made by CreateImage.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest

from tencent_sdk import (ALL_VARIANTS, SDK_VARIANTS, assert_created_image, assert_tc_error, describe_image, flt,
                         ids, image_set, parse_iso_z, tag_spec, wait_image_settled)

sdks = pytest.mark.parametrize("sdk", SDK_VARIANTS)
all_sdks = pytest.mark.parametrize("sdk", ALL_VARIANTS)

GOLDEN = "img-tcgolden"
STOPPED = "ins-tc-stopped"
QUOTA_IMAGES = ["img-tcquota1", "img-tcquota2"]  # acct-tc-quota's two images
IMAGE_FIELDS = ("ImageId", "ImageName", "ImageState", "ImageType", "CreatedTime", "ImageDescription", "ImageSize",
                "Architecture", "Platform", "OsName", "ImageSource", "ImageFamily", "SnapshotSet", "Tags")


def create(api, sdk, account="acct-tc", **params) -> str:
    return assert_created_image(api.tc_create_image(sdk, account, **params))


def listed(api, sdk, account="acct-tc", **params):
    out = api.tc_describe_images(sdk, account, **params)
    return out.body.get("TotalCount"), ids(image_set(out), "ImageId"), out


# ---------------------------------------------------------------------- the world image --

@all_sdks
def test_world_image_listed_without_filters(api, sdk):
    total, got, out = listed(api, sdk)
    assert (total, got) == (1, [GOLDEN]), out.describe()


@all_sdks
def test_world_image_fields(api, sdk):
    out = api.tc_describe_images(sdk, ImageIds=[GOLDEN])
    images = image_set(out)
    assert ids(images, "ImageId") == [GOLDEN] and out.body["TotalCount"] == 1, out.describe()
    raw_image = out.raw["Response"]["ImageSet"][0]
    missing = [f for f in IMAGE_FIELDS if f not in raw_image]
    assert not missing, "Image lacks %s: %s" % (missing, json.dumps(raw_image))
    image = images[0]
    expected = {"ImageName": "golden-tc", "ImageState": "NORMAL", "ImageType": "PRIVATE_IMAGE",
                "Architecture": "x86_64", "ImageSource": "CREATE_IMAGE"}
    assert {k: image.get(k) for k in expected} == expected, json.dumps(image)
    for name in ("ImageDescription", "Platform", "OsName", "ImageFamily"):
        assert isinstance(image.get(name), str), "%s is not a string: %s" % (name, json.dumps(image))
    assert isinstance(image.get("ImageSize"), int) and image["ImageSize"] > 0, json.dumps(image)
    assert isinstance(image.get("SnapshotSet"), list), json.dumps(image)
    assert image.get("Tags") == [], json.dumps(image)
    age = datetime.now(timezone.utc) - parse_iso_z(image.get("CreatedTime"))
    assert abs(age.total_seconds() - 3 * 86400) < 3600, "CreatedTime %s is not 3 days ago" % image.get("CreatedTime")


@sdks
def test_new_image_fields(api, sdk):
    before = datetime.now(timezone.utc).replace(microsecond=0)
    image_id = create(api, sdk, InstanceId=STOPPED, ImageName="tc-fields", ImageDescription="fields",
                      ImageFamily="fam", TagSpecification=tag_spec(("env", "test")))
    out = api.tc_describe_images(sdk, ImageIds=[image_id])
    image = image_set(out)[0]
    raw_image = out.raw["Response"]["ImageSet"][0]
    missing = [f for f in IMAGE_FIELDS if f not in raw_image]
    assert not missing, "Image lacks %s: %s" % (missing, json.dumps(raw_image))
    expected = {"ImageId": image_id, "ImageName": "tc-fields", "ImageState": "CREATING",
                "ImageType": "PRIVATE_IMAGE", "ImageDescription": "fields", "ImageSize": 50,
                "Architecture": "x86_64", "ImageSource": "CREATE_IMAGE", "ImageFamily": "fam",
                "Tags": [{"Key": "env", "Value": "test"}]}
    assert {k: image.get(k) for k in expected} == expected, json.dumps(image)
    for name in ("Platform", "OsName"):
        assert isinstance(image.get(name), str), "%s is not a string: %s" % (name, json.dumps(image))
    created = parse_iso_z(image.get("CreatedTime"))
    assert before.timestamp() - 2 <= created.timestamp() <= time.time() + 2, image.get("CreatedTime")
    for s in image.get("SnapshotSet") or []:
        assert s.get("DiskUsage") in ("SYSTEM_DISK", "DATA_DISK") and isinstance(s.get("DiskSize"), int), \
            json.dumps(image)


@sdks
def test_new_image_without_tags_has_empty_tags(api, sdk):
    image_id = create(api, sdk, InstanceId=STOPPED, ImageName="tc-no-tags")
    assert describe_image(api, sdk, image_id).get("Tags") == []


# --------------------------------------------------------------------------- ImageIds --

@sdks
def test_image_ids_several(api, sdk):
    new = create(api, sdk, InstanceId=STOPPED, ImageName="tc-ids")
    total, got, out = listed(api, sdk, ImageIds=[GOLDEN, new])
    assert total == 2 and sorted(got) == sorted([GOLDEN, new]), out.describe()


@sdks
def test_image_ids_malformed(api, sdk):
    assert_tc_error(api.tc_describe_images(sdk, ImageIds=["bogus"]), "InvalidImageId.Malformed")
    assert_tc_error(api.tc_describe_images(sdk, ImageIds=[GOLDEN, "bogus"]), "InvalidImageId.Malformed")


@sdks
def test_image_ids_with_filters_refused(api, sdk):
    # The API reference: ImageIds and Filters cannot be given together (the common code for two
    # parameters in conflict).
    out = api.tc_describe_images(sdk, ImageIds=[GOLDEN], Filters=[flt("image-type", "PRIVATE_IMAGE")])
    assert_tc_error(out, "InvalidParameterConflict")


@sdks
@pytest.mark.parametrize("image_id", ["img-tcquota1", "img-zzzzzzzz"], ids=["other-account", "unknown"])
def test_image_ids_of_other_account_or_unknown_never_show(api, sdk, image_id):
    # Another account's images never show: the answer is the empty list an id nobody has gets
    # (DescribeImages filters; it never refuses an id for not existing).
    out = api.tc_describe_images(sdk, ImageIds=[image_id])
    assert out.ok, out.describe()
    assert (out.body.get("TotalCount"), ids(image_set(out), "ImageId")) == (0, []), out.describe()


# ---------------------------------------------------------------------------- Filters --

@all_sdks
@pytest.mark.parametrize("image_type,expected", [
    ("PRIVATE_IMAGE", [GOLDEN]), ("PUBLIC_IMAGE", []), ("SHARED_IMAGE", [])])
def test_filter_image_type(api, sdk, image_type, expected):
    total, got, out = listed(api, sdk, Filters=[flt("image-type", image_type)])
    assert (total, got) == (len(expected), expected), out.describe()


@sdks
def test_filter_image_type_several_values(api, sdk):
    total, got, out = listed(api, sdk, Filters=[flt("image-type", "PUBLIC_IMAGE", "PRIVATE_IMAGE")])
    assert (total, got) == (1, [GOLDEN]), out.describe()


@sdks
def test_filter_image_id(api, sdk):
    new = create(api, sdk, InstanceId=STOPPED, ImageName="tc-filter-id")
    total, got, out = listed(api, sdk, Filters=[flt("image-id", new)])
    assert (total, got) == (1, [new]), out.describe()
    total, got, out = listed(api, sdk, Filters=[flt("image-id", new, GOLDEN)])
    assert total == 2 and sorted(got) == sorted([new, GOLDEN]), out.describe()


@sdks
def test_filter_image_name(api, sdk):
    new = create(api, sdk, InstanceId=STOPPED, ImageName="tc-filter-name")
    assert listed(api, sdk, Filters=[flt("image-name", "golden-tc")])[:2] == (1, [GOLDEN])
    assert listed(api, sdk, Filters=[flt("image-name", "tc-filter-name")])[:2] == (1, [new])
    assert listed(api, sdk, Filters=[flt("image-name", "no-such-name")])[:2] == (0, [])


@sdks
def test_filter_image_state(api, sdk):
    started = time.monotonic()
    ok = create(api, sdk, InstanceId=STOPPED, ImageName="tc-state-ok")
    failing = create(api, sdk, InstanceId="ins-tc-softfail", ImageName="tc-state-fail")
    # The failing image is CREATING while its soft shutdown is attempted, like the other one.
    assert describe_image(api, sdk, failing).get("ImageState") == "CREATING"
    total, got, out = listed(api, sdk, Filters=[flt("image-state", "CREATING")])
    assert total == 2 and sorted(got) == sorted([ok, failing]), out.describe()
    assert listed(api, sdk, Filters=[flt("image-state", "CREATEFAILED")])[:2] == (0, [])
    assert listed(api, sdk, Filters=[flt("image-state", "NORMAL")])[:2] == (1, [GOLDEN])
    wait_image_settled(api, sdk, ok, started)
    wait_image_settled(api, sdk, failing, started, creating_first=False)
    total, got, out = listed(api, sdk, Filters=[flt("image-state", "NORMAL")])
    assert total == 2 and sorted(got) == sorted([ok, GOLDEN]), out.describe()
    assert listed(api, sdk, Filters=[flt("image-state", "CREATEFAILED")])[:2] == (1, [failing])
    assert listed(api, sdk, Filters=[flt("image-state", "CREATING")])[:2] == (0, [])
    # Without a filter every state is listed.
    total, got, out = listed(api, sdk)
    assert total == 3 and sorted(got) == sorted([ok, failing, GOLDEN]), out.describe()


@all_sdks
def test_filter_tags(api, sdk):
    tagged = create(api, sdk, InstanceId=STOPPED, ImageName="tc-tagged",
                    TagSpecification=tag_spec(("env", "test"), ("team", "core")))
    assert listed(api, sdk, Filters=[flt("tag-key", "env")])[:2] == (1, [tagged])
    assert listed(api, sdk, Filters=[flt("tag-key", "nope")])[:2] == (0, [])
    assert listed(api, sdk, Filters=[flt("tag:env", "test")])[:2] == (1, [tagged])
    assert listed(api, sdk, Filters=[flt("tag:env", "prod", "test")])[:2] == (1, [tagged])
    assert listed(api, sdk, Filters=[flt("tag:env", "prod")])[:2] == (0, [])
    assert listed(api, sdk, Filters=[flt("tag:team", "core")])[:2] == (1, [tagged])


@sdks
def test_filters_combine_with_and(api, sdk):
    tagged = create(api, sdk, InstanceId=STOPPED, ImageName="tc-and", TagSpecification=tag_spec(("env", "test")))
    assert listed(api, sdk, Filters=[flt("image-name", "tc-and"), flt("tag-key", "env")])[:2] == (1, [tagged])
    assert listed(api, sdk, Filters=[flt("image-name", "golden-tc"), flt("tag-key", "env")])[:2] == (0, [])


@all_sdks
def test_unknown_filter(api, sdk):
    assert_tc_error(api.tc_describe_images(sdk, Filters=[flt("no-such-filter", "x")]), "InvalidFilter")


# ----------------------------------------------------------------------- Offset / Limit --

@sdks
def test_offset_and_limit(api, sdk):
    pages = []
    for offset in (0, 1, 2):
        total, got, out = listed(api, sdk, "acct-tc-quota", Offset=offset, Limit=1)
        assert total == 2, out.describe()
        pages.append(got)
    assert [len(p) for p in pages] == [1, 1, 0], pages
    assert sorted(pages[0] + pages[1]) == QUOTA_IMAGES, pages
    total, got, out = listed(api, sdk, "acct-tc-quota", Offset=0, Limit=100)
    assert total == 2 and sorted(got) == QUOTA_IMAGES, out.describe()


@sdks
def test_limit_over_100(api, sdk):
    assert_tc_error(api.tc_describe_images(sdk, Limit=101), "InvalidParameterValue")


# ---------------------------------------------------------------------------- accounts --

@sdks
def test_other_account_sees_none_of_ours(api, sdk):
    create(api, sdk, InstanceId=STOPPED, ImageName="tc-mine")
    total, got, out = listed(api, sdk, "acct-tc-other")
    assert (total, got) == (0, []), out.describe()
    total, got, out = listed(api, sdk, "acct-tc-other", Filters=[flt("image-name", "golden-tc")])
    assert (total, got) == (0, []), out.describe()


@sdks
def test_each_account_sees_its_own(api, sdk):
    total, got, out = listed(api, sdk, "acct-tc-quota")
    assert total == 2 and sorted(got) == QUOTA_IMAGES, out.describe()
