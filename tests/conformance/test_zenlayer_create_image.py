"""Zenlayer ZEC 2025-09-01 CreateImage through the official Python SDK (zenlayercloud-sdk-python).

Every documented error code of ZEC CreateImage is a test here, through the SDK
(code, request id, and the HTTP status its transport saw) and as a raw signed request (HTTP status and
the exact error envelope). Codes and statuses are those of the ZEC API reference, CreateImage; the refusals
the page does not name use the project's codes (INVALID_PARAMETER, MISSING_PARAMETER,
INVALID_RESOURCE_GROUP_NOT_FOUND, INVALID_IMAGE_NAME_DUPLICATE).
"""
from __future__ import annotations

import pytest

import zenlayer_sdk as zs
from conftest import mark_dirty
from zenlayer_sdk import ZONE, REGION, assert_error, assert_ok, data_set, image_ids, tag_assoc


@pytest.fixture
def zl(reference_world):
    return zs.ZlApi(reference_world, on_create=mark_dirty)


# (account, instanceId, code, HTTP status) — the documented error codes of ZEC CreateImage
ROWS = [
    pytest.param("acct-zl-quota", "zl-ins-quota", "INVALID_IMAGE_QUOTA_EXCEED", 400, id="quota"),
    pytest.param("acct-zl", "zl-nope", "INVALID_INSTANCE_NOT_FOUND", 404, id="unknown-instance"),
    pytest.param("acct-zl", "zl-ins-other", "INVALID_INSTANCE_NOT_FOUND", 404, id="other-accounts-instance"),
    pytest.param("acct-zl", "zl-ins-gpu", "OPERATION_DENIED_GPU_INSTANCE_NOT_SUPPORT", 400, id="gpu"),
    pytest.param("acct-zl", "zl-ins-busy", "OPERATION_DENIED_INSTANCE_IN_OPERATION", 400, id="busy"),
    pytest.param("acct-zl", "zl-ins-running", "OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT", 400, id="running"),
]


def image_count(zl, account):
    out = zl.describe_images(account)
    assert_ok(out)
    return out.body["totalCount"]


@pytest.mark.parametrize("account,instance,code,status", ROWS)
def test_fixture_row_through_sdk(zl, account, instance, code, status):
    before = image_count(zl, account)
    out = zl.create_image(account, instanceId=instance, imageName="zl-row-image")
    assert_error(out, code, status)
    assert out.sends == 1, "the SDK retried a %s: %s" % (code, out.describe())
    assert image_count(zl, account) == before, "a refused CreateImage left an image behind"


@pytest.mark.parametrize("account,instance,code,status", ROWS)
def test_fixture_row_raw(zl, account, instance, code, status):
    out = zl.raw(account, "CreateImage", {"instanceId": instance, "imageName": "zl-row-image"})
    assert_error(out, code, status)


# ------------------------------------------------------------------------------ parameters --

@pytest.mark.parametrize("name", ["a", "-ab", "_ab", "a/b", "a b", "a" * 64], ids=["1-char", "leading-dash",
                                                                                  "leading-underscore", "slash",
                                                                                  "space", "64-chars"])
def test_bad_image_name(zl, name):
    out = zl.create_image(instanceId="zl-ins-stopped", imageName=name)
    assert_error(out, "INVALID_PARAMETER", 400)


@pytest.mark.parametrize("name", ["ab", "1-a_b.c", "Z" * 63], ids=["2-chars", "all-allowed-marks", "63-chars"])
def test_image_name_accepted(zl, name):
    out = zl.create_image(instanceId="zl-ins-stopped", imageName=name)
    assert_ok(out)
    assert out.model.imageName == name


def test_duplicated_tag_key(zl):
    out = zl.create_image(instanceId="zl-ins-stopped", imageName="zl-dup-tags",
                          tags=tag_assoc([("env", "a"), ("env", "b")]))
    assert_error(out, "INVALID_PARAMETER", 400)


def test_missing_instance_id(zl):
    out = zl.create_image(imageName="zl-no-instance")
    assert_error(out, "MISSING_PARAMETER", 400)


def test_missing_image_name(zl):
    out = zl.create_image(instanceId="zl-ins-stopped")
    assert_error(out, "MISSING_PARAMETER", 400)


def test_missing_parameter_raw(zl):
    out = zl.raw("acct-zl", "CreateImage", {"instanceId": "zl-ins-stopped"})
    assert_error(out, "MISSING_PARAMETER", 400)


def test_unknown_resource_group(zl):
    out = zl.create_image(instanceId="zl-ins-stopped", imageName="zl-rg-nope", resourceGroupId="rg-nope")
    assert_error(out, "INVALID_RESOURCE_GROUP_NOT_FOUND", 404)
    assert image_count(zl, "acct-zl") == 0


def test_unknown_resource_group_raw(zl):
    out = zl.raw("acct-zl", "CreateImage",
                 {"instanceId": "zl-ins-stopped", "imageName": "zl-rg-nope", "resourceGroupId": "rg-nope"})
    assert_error(out, "INVALID_RESOURCE_GROUP_NOT_FOUND", 404)


# --------------------------------------------------------------------------------- success --

def test_create_image_from_stopped_instance(zl):
    out = zl.create_image(instanceId="zl-ins-stopped", imageName="zl-image-1", resourceGroupId="rg-images",
                          tags=tag_assoc([("env", "test"), ("team", "conformance")]))
    assert_ok(out)
    model = out.model
    assert zs.ZL_ID_RE.match(model.imageId or ""), "imageId is not 19 digits: " + out.describe()
    assert model.imageName == "zl-image-1"
    assert model.requestId == out.request_id and model.requestId.startswith("T")

    seen = zl.wait_image(model.imageId)
    assert seen[0] == "CREATING", "a new image should first be CREATING, saw %s" % seen
    assert seen[-1] == "AVAILABLE"

    listed = zl.describe_images(imageIds=[model.imageId])
    (img,) = data_set(listed)
    assert img["imageId"] == model.imageId
    assert img["imageName"] == "zl-image-1"
    assert img["imageType"] == "CUSTOM_IMAGE"
    assert img["imageSource"] == "CUSTOM"
    assert img["imageSize"] == 40 and img["minDiskSize"] == 40
    assert img["osType"] == "linux"
    assert img["category"] == "Linux"
    assert img["imageStatus"] == "AVAILABLE"
    assert sorted((t["key"], t["value"]) for t in img["tags"]["tags"]) == [("env", "test"),
                                                                          ("team", "conformance")]
    # The SDK's model reads the same.
    (sdk_img,) = listed.model.dataSet
    assert sdk_img.imageId == model.imageId and sdk_img.imageType == "CUSTOM_IMAGE"
    assert sorted((t.key, t.value) for t in sdk_img.tags.tags) == [("env", "test"), ("team", "conformance")]

    custom = zl.describe_custom_images(imageIds=[model.imageId])
    (cimg,) = data_set(custom)
    assert cimg["resourceGroupId"] == "rg-images"
    assert cimg["resourceGroupName"] == "Images"
    assert cimg["regionIdList"] == [REGION]
    assert cimg["imageStatus"] == "AVAILABLE"
    (sdk_cimg,) = custom.model.dataSet
    assert sdk_cimg.resourceGroupId == "rg-images" and sdk_cimg.regionIdList == [REGION]


def test_image_goes_to_default_resource_group(zl):
    out = zl.create_image(instanceId="zl-ins-stopped", imageName="zl-image-default-rg")
    assert_ok(out)
    (cimg,) = data_set(zl.describe_custom_images(imageIds=[out.model.imageId]))
    assert (cimg["resourceGroupId"], cimg["resourceGroupName"]) == ("rg-default", "Default")


def test_custom_images_resource_group_filter(zl):
    out = zl.create_image(instanceId="zl-ins-stopped", imageName="zl-image-rg", resourceGroupId="rg-images")
    assert_ok(out)
    image_id = out.model.imageId
    assert image_id in image_ids(zl.describe_custom_images(resourceGroupId="rg-images"))
    assert image_id not in image_ids(zl.describe_custom_images(resourceGroupId="rg-default"))
    assert image_id in image_ids(zl.describe_custom_images(regionId=REGION))


def test_create_image_raw_envelope(zl):
    out = zl.raw("acct-zl", "CreateImage", {"instanceId": "zl-ins-stopped", "imageName": "zl-image-raw"})
    assert_ok(out)
    assert set(out.body) == {"requestId", "response"}, out.describe()
    resp = out.body["response"]
    assert resp["requestId"] == out.body["requestId"], out.describe()
    assert zs.ZL_ID_RE.match(resp.get("imageId") or ""), out.describe()
    assert resp.get("imageName") == "zl-image-raw"


# ------------------------------------------------------------------------------------ zone --

def test_image_listed_in_its_instances_zone(zl):
    out = zl.create_image(instanceId="zl-ins-stopped", imageName="zl-image-zone")
    assert_ok(out)
    image_id = out.model.imageId
    assert image_id in image_ids(zl.describe_images(zoneId=ZONE))


def test_unknown_zone_refused(zl):
    assert_error(zl.describe_images(zoneId="asia-east-1z"), "INVALID_ZONE_NOT_FOUND", 404)


def test_image_not_listed_in_another_zone(zl, world_file, worlds):
    def add_zone(doc):
        for region in doc["regions"]:
            if region["id"] == REGION:
                region["zones"].append("asia-east-1b")

    worlds.load(world_file(add_zone))
    out = zl.create_image(instanceId="zl-ins-stopped", imageName="zl-image-zone-b")
    assert_ok(out)
    image_id = out.model.imageId
    assert image_id in image_ids(zl.describe_images(zoneId=ZONE))
    other = zl.describe_images(zoneId="asia-east-1b")
    assert_ok(other)
    assert image_id not in image_ids(other)
    assert other.body["totalCount"] == 0, other.describe()


# ------------------------------------------------------------------------- name, in-flight --

def test_image_name_duplicate(zl):
    first = zl.create_image(instanceId="zl-ins-stopped", imageName="zl-same-name")
    assert_ok(first)
    zl.wait_image(first.model.imageId)
    second = zl.create_image(instanceId="zl-ins-stopped", imageName="zl-same-name")
    assert_error(second, "INVALID_IMAGE_NAME_DUPLICATE", 400)
    assert image_ids(zl.describe_images(imageName="zl-same-name")) == [first.model.imageId]


def test_image_names_are_per_account(zl):
    """Another account's image name (acct-zl-quota's "quota-filler") is free in this account."""
    out = zl.create_image(instanceId="zl-ins-stopped", imageName="quota-filler")
    assert_ok(out)


def test_second_image_while_first_creating(zl):
    first = zl.create_image(instanceId="zl-ins-stopped", imageName="zl-inflight-1")
    assert_ok(first)
    second = zl.create_image(instanceId="zl-ins-stopped", imageName="zl-inflight-2")
    assert_error(second, "OPERATION_DENIED_INSTANCE_IN_OPERATION", 400)
    seen = zl.wait_image(first.model.imageId)
    assert seen[0] == "CREATING", "the first image was not CREATING when the second was refused: %s" % seen
    # Once the first image is done, the instance takes another.
    third = zl.create_image(instanceId="zl-ins-stopped", imageName="zl-inflight-2")
    assert_ok(third)
