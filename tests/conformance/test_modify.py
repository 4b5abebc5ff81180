"""ModifySnapshotAttribute and ModifyImageAttribute (ECS 2014-05-26) through the official Alibaba
Python SDKs (tea ACS3, tea v1, old core v1), by the rules of their ECS API reference pages: what
they change reads back at once from DescribeSnapshots and DescribeImages, and their documented
refusals come back through each SDK's exception.
"""
from __future__ import annotations

import json

import pytest

from ecs_sdk import SDK_VARIANTS, assert_error, assert_request_id, snapshots_of
from images import create_image, describe_image

sdks = pytest.mark.parametrize("sdk", SDK_VARIANTS)


def snapshot(api, sdk, snapshot_id):
    out = api.describe_snapshots(sdk, SnapshotIds=json.dumps([snapshot_id]))
    assert out.ok, out.describe()
    found = snapshots_of(out.body)
    assert len(found) == 1, json.dumps(out.body)
    return found[0]


def modify_snapshot(api, sdk, **params):
    return api.call(sdk, "acct-ali", "ModifySnapshotAttribute", params)


def modify_image(api, sdk, **params):
    params.setdefault("RegionId", "cn-hangzhou")
    return api.call(sdk, "acct-ali", "ModifyImageAttribute", params)


@sdks
def test_a_snapshot_is_renamed_and_its_retention_extended(api, sdk):
    out = modify_snapshot(api, sdk, SnapshotId="s-ali-sys", SnapshotName="conf-renamed",
                          Description="changed", RetentionDays=3650)
    assert out.ok, out.describe()
    assert_request_id(out)
    seen = snapshot(api, sdk, "s-ali-sys")
    assert (seen.get("SnapshotName"), seen.get("Description"), seen.get("RetentionDays")) == \
        ("conf-renamed", "changed", 3650), json.dumps(seen)
    shorter = modify_snapshot(api, sdk, SnapshotId="s-ali-sys", RetentionDays=30)
    assert_error(shorter, "InvalidOperation.DecreaseRetentionDaysUnsupported", 400)


@sdks
@pytest.mark.parametrize("params,code,status", [
    ({}, "NoAttributeToModify", 400),
    ({"SnapshotName": "auto-reserved"}, "InvalidSnapshotName.Malformed", 400),
    ({"Description": "http://no"}, "InvalidDescription.Malformed", 404),
    ({"RetentionDays": 0}, "InvalidRetentionDays.Malformed", 400),
], ids=["nothing", "name", "description", "retention"])
def test_snapshot_refusals(api, sdk, params, code, status):
    out = modify_snapshot(api, sdk, SnapshotId="s-ali-sys", **params)
    assert_error(out, code, status)


@sdks
def test_an_unknown_snapshot_is_not_found(api, sdk):
    out = modify_snapshot(api, sdk, SnapshotId="s-nonexistent", SnapshotName="abc")
    assert_error(out, "InvalidSnapshotId.NotFound", 404)


@sdks
def test_an_image_is_renamed_and_described(api, sdk):
    out = modify_image(api, sdk, ImageId="m-ali-golden", ImageName="conf-golden", Description="second",
                       ImageFamily="conf.family", BootMode="UEFI")
    assert out.ok, out.describe()
    assert_request_id(out)
    seen = describe_image(api, sdk, "m-ali-golden")
    got = {k: seen.get(k) for k in ("ImageName", "Description", "ImageFamily", "BootMode")}
    assert got == {"ImageName": "conf-golden", "Description": "second", "ImageFamily": "conf.family",
                   "BootMode": "UEFI"}, json.dumps(seen)
    # The old name is free again.
    create_image(api, sdk, SnapshotId="s-ali-sys", ImageName="golden-base")


@sdks
def test_an_image_is_deprecated_and_restored(api, sdk):
    assert modify_image(api, sdk, ImageId="m-ali-golden", Status="Deprecated").ok
    seen = describe_image(api, sdk, "m-ali-golden", status="Deprecated")
    assert (seen.get("Status"), seen.get("Usable")) == ("Deprecated", True), json.dumps(seen)
    assert_error(modify_image(api, sdk, ImageId="m-ali-golden", Status="Deprecated"), "ImageStatus.NotAvailable", 403)
    assert modify_image(api, sdk, ImageId="m-ali-golden", Status="Available").ok
    assert describe_image(api, sdk, "m-ali-golden", status="Available").get("Status") == "Available"


@sdks
@pytest.mark.parametrize("params,code,status", [
    ({"ImageName": "9-starts-with-a-digit"}, "InvalidImageName.Malformed", 400),
    ({"ImageFamily": "aliyun-family"}, "InvalidImageFamily.Malformed", 400),
    ({"BootMode": "Legacy"}, "InvalidBootMode.NotSupport", 400),
    ({"LicenseType": "Auto"}, "InvalidLicenseType.NotSupported", 400),
    ({"Status": "Available"}, "ImageStatus.NotDeprecated", 403),
    ({"ImageName": "dry", "DryRun": True}, "DryRunOperation", 400),
], ids=["name", "family", "boot-mode", "licence", "not-deprecated", "dry-run"])
def test_image_refusals(api, sdk, params, code, status):
    out = modify_image(api, sdk, ImageId="m-ali-golden", **params)
    assert_error(out, code, status)
    assert describe_image(api, sdk, "m-ali-golden").get("ImageName") == "golden-base"


@sdks
def test_a_taken_name_and_an_unknown_image(api, sdk):
    other = create_image(api, sdk, SnapshotId="s-ali-sys", ImageName="conf-taken")
    assert other
    assert_error(modify_image(api, sdk, ImageId="m-ali-golden", ImageName="conf-taken"),
                 "InvalidImageName.Duplicated", 400)
    assert_error(modify_image(api, sdk, ImageId="m-nonexistent", ImageName="abc"), "InvalidImageId.NotFound", 404)
