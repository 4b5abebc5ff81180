"""Zenlayer ZEC 2025-09-01 DescribeImages (and DescribeCustomImages) filters through the official SDK.

Most tests run in a variant of the reference world where images are done at once
(timings.image_seconds = snapshot_seconds = 0) and acct-zl has two more stopped instances, one of them Windows; four
images are made through the SDK:

    alpha  zl-ins-stopped  linux    tags env=prod, team=a
    beta   zl-ins-s2       linux    tags env=dev
    gamma  zl-ins-s3       linux    no tags
    win    zl-ins-win      windows  tags team=b

plus one of acct-zl-other (tags env=prod), which acct-zl must never see.
"""
from __future__ import annotations

import pytest

import zenlayer_sdk as zs
from conftest import mark_dirty
from zenlayer_sdk import REGION, ZONE, assert_error, assert_ok, data_set, image_ids, tag_assoc


@pytest.fixture
def zl(reference_world):
    return zs.ZlApi(reference_world, on_create=mark_dirty)


def _instance(iid, os_="linux"):
    return {"id": iid, "account": "acct-zl", "region": REGION, "zone": ZONE, "status": "stopped", "os": os_}


def _disk(iid):
    return {"id": iid + "-sys", "account": "acct-zl", "region": REGION, "zone": ZONE, "type": "system",
            "instance": iid, "size_gb": 40}


@pytest.fixture
def images(zl, world_file, worlds):
    """Load the variant world and make the images; returns {label: imageId}."""

    def mutate(doc):
        # An instance's image snapshots its system disk first: both steps at once.
        doc["settings"].setdefault("timings", {}).update(image_seconds=0, snapshot_seconds=0)
        for iid, os_ in (("zl-ins-s2", "linux"), ("zl-ins-s3", "linux"), ("zl-ins-win", "windows")):
            doc["instances"].append(_instance(iid, os_))
            doc["disks"].append(_disk(iid))

    worlds.load(world_file(mutate))
    made = {}
    for label, account, instance, tags in (
        ("alpha", "acct-zl", "zl-ins-stopped", [("env", "prod"), ("team", "a")]),
        ("beta", "acct-zl", "zl-ins-s2", [("env", "dev")]),
        ("gamma", "acct-zl", "zl-ins-s3", []),
        ("win", "acct-zl", "zl-ins-win", [("team", "b")]),
        ("other", "acct-zl-other", "zl-ins-other", [("env", "prod")]),
    ):
        params = {"instanceId": instance, "imageName": "zl-flt-" + label}
        if tags:
            params["tags"] = tag_assoc(tags)
        out = zl.create_image(account, **params)
        assert_ok(out)
        made[label] = out.model.imageId
    return made


def listed(zl, images, account="acct-zl", **filters):
    """The labels DescribeImages lists with these filters (and the outcome)."""
    out = zl.describe_images(account, **filters)
    assert_ok(out)
    by_id = {v: k for k, v in images.items()}
    labels = {by_id.get(i, i) for i in image_ids(out)}
    return labels, out


OWN = {"alpha", "beta", "gamma", "win"}


def test_no_filter_lists_own_images_only(zl, images):
    labels, out = listed(zl, images)
    assert labels == OWN
    assert out.body["totalCount"] == 4
    assert out.model.totalCount == 4 and len(out.model.dataSet) == 4
    assert all(i["imageStatus"] == "AVAILABLE" for i in data_set(out)), out.describe()


def test_other_account_sees_only_its_own(zl, images):
    labels, _ = listed(zl, images, account="acct-zl-other")
    assert labels == {"other"}
    labels, _ = listed(zl, images, imageIds=[images["other"]])
    assert labels == set()
    labels, _ = listed(zl, images, imageName="zl-flt-other")
    assert labels == set()
    custom = zl.describe_custom_images("acct-zl")
    assert images["other"] not in image_ids(custom)


def test_filter_image_ids(zl, images):
    labels, out = listed(zl, images, imageIds=[images["alpha"], images["gamma"]])
    assert labels == {"alpha", "gamma"}
    assert out.body["totalCount"] == 2
    labels, _ = listed(zl, images, imageIds=["1234567890123456789"])
    assert labels == set()


def test_filter_image_name(zl, images):
    labels, _ = listed(zl, images, imageName="zl-flt-beta")
    assert labels == {"beta"}
    labels, _ = listed(zl, images, imageName="zl-flt-nothing")
    assert labels == set()


@pytest.mark.parametrize("image_type,expected", [("CUSTOM_IMAGE", OWN), ("PUBLIC_IMAGE", set())])
def test_filter_image_type(zl, images, image_type, expected):
    labels, out = listed(zl, images, imageType=image_type)
    assert labels == expected
    assert out.body["totalCount"] == len(expected)


def test_filter_image_source(zl, images):
    labels, _ = listed(zl, images, imageSource="CUSTOM")
    assert labels == OWN
    labels, _ = listed(zl, images, imageSource="OFFICIAL")
    assert labels == set()


@pytest.mark.parametrize("os_type,expected", [("linux", {"alpha", "beta", "gamma"}), ("windows", {"win"}),
                                              ("any", OWN)])
def test_filter_os_type(zl, images, os_type, expected):
    labels, _ = listed(zl, images, osType=os_type)
    assert labels == expected


def test_windows_image_fields(zl, images):
    (img,) = data_set(zl.describe_images(imageIds=[images["win"]]))
    assert (img["osType"], img["category"]) == ("windows", "Windows")


@pytest.mark.parametrize("category,expected", [("Linux", {"alpha", "beta", "gamma"}), ("Windows", {"win"})])
def test_filter_category(zl, images, category, expected):
    labels, _ = listed(zl, images, category=category)
    assert labels == expected


@pytest.mark.parametrize("status,expected", [("AVAILABLE", OWN), ("CREATING", set()), ("UNAVAILABLE", set())])
def test_filter_image_status(zl, images, status, expected):
    labels, _ = listed(zl, images, imageStatus=status)
    assert labels == expected


@pytest.mark.parametrize("keys,expected", [(["team"], {"alpha", "win"}), (["env"], {"alpha", "beta"}),
                                           (["nope"], set())])
def test_filter_tag_keys(zl, images, keys, expected):
    labels, _ = listed(zl, images, tagKeys=keys)
    assert labels == expected


@pytest.mark.parametrize("pairs,expected", [
    ([("env", "prod")], {"alpha"}),
    ([("env", "dev")], {"beta"}),
    ([("team", "b")], {"win"}),
    ([("env", "prod"), ("team", "a")], {"alpha"}),
    ([("env", "prod"), ("team", "b")], set()),
    ([("env", "staging")], set()),
])
def test_filter_tags(zl, images, pairs, expected):
    labels, _ = listed(zl, images, tags=[{"key": k, "value": v} for k, v in pairs])
    assert labels == expected


def test_filter_zone(zl, images):
    labels, _ = listed(zl, images, zoneId=ZONE)
    assert labels == OWN
    assert_error(zl.describe_images(zoneId="asia-east-1z"), "INVALID_ZONE_NOT_FOUND", 404)


def test_paging(zl, images):
    pages = []
    for num in (1, 2, 3):
        out = zl.describe_images(pageNum=num, pageSize=2)
        assert_ok(out)
        assert out.body["totalCount"] == 4, "totalCount must stay the total: " + out.describe()
        pages.append(image_ids(out))
    assert [len(p) for p in pages] == [2, 2, 0]
    assert sorted(pages[0] + pages[1]) == sorted(images[k] for k in OWN)
    out = zl.describe_images(pageNum=1, pageSize=3, osType="linux")
    assert len(image_ids(out)) == 3 and out.body["totalCount"] == 3


@pytest.mark.parametrize("field,value", [("imageType", "SHARED"), ("osType", "solaris"), ("imageStatus", "DONE")])
def test_invalid_enum_value(zl, field, value):
    assert_error(zl.describe_images(**{field: value}), "INVALID_PARAMETER", 400)


def test_invalid_enum_value_raw(zl):
    assert_error(zl.raw("acct-zl", "DescribeImages", {"imageType": "SHARED"}), "INVALID_PARAMETER", 400)


def test_custom_images_filters(zl, images):
    out = zl.describe_custom_images(osType="windows")
    assert image_ids(out) == [images["win"]]
    out = zl.describe_custom_images(tags=[{"key": "env", "value": "prod"}])
    assert image_ids(out) == [images["alpha"]]
    out = zl.describe_custom_images(resourceGroupId="rg-default")
    assert sorted(image_ids(out)) == sorted(images[k] for k in OWN)
    assert data_set(zl.describe_custom_images(resourceGroupId="rg-images")) == []
    out = zl.describe_custom_images(pageNum=2, pageSize=3)
    assert len(image_ids(out)) == 1 and out.body["totalCount"] == 4


def test_status_filter_follows_creation(zl):
    """In the reference world (image_seconds = 3) a new image is CREATING, then AVAILABLE."""
    out = zl.create_image(instanceId="zl-ins-stopped", imageName="zl-status-image")
    assert_ok(out)
    image_id = out.model.imageId
    assert image_id in image_ids(zl.describe_images(imageStatus="CREATING"))
    assert image_id not in image_ids(zl.describe_images(imageStatus="AVAILABLE"))
    zl.wait_image(image_id)
    assert image_id not in image_ids(zl.describe_images(imageStatus="CREATING"))
    assert image_id in image_ids(zl.describe_images(imageStatus="AVAILABLE"))
