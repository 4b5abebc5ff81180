"""CVM CreateImage (API 3.0, CVM API reference, CreateImage) on `/` through the official Tencent Python SDK.

Each documented error code of CVM CreateImage is a test here, run with the
TC3-HMAC-SHA256 (JSON POST) and HmacSHA256 (form POST) clients; a subset also runs with TC3 over GET
and HmacSHA1. Every answer must be HTTP 200 with Content-Type exactly application/json, errors as
{"Response":{"Error":{"Code","Message"},"RequestId"}} (checked by tencent_sdk.assert_tc_error).
The rate limit (RequestLimitExceeded) is in test_tencent_rate_limit.py, the legacy /v2/index.php form
in test_tencent_legacy.py, authentication / region / unknown action in test_tencent_common.py.
"""
from __future__ import annotations

import json
import time

import pytest

from tencent_sdk import (ALL_VARIANTS, IMAGE_ID_RE, SDK_VARIANTS, SNAPSHOT_ID_RE, assert_created_image,
                         assert_tc_error, describe_image, flt, ids, image_set, mono_start, tag_spec,
                         wait_image_settled)

sdks = pytest.mark.parametrize("sdk", SDK_VARIANTS)
all_sdks = pytest.mark.parametrize("sdk", ALL_VARIANTS)

STOPPED = "ins-tc-stopped"  # Linux, stopped; disks disk-tc-stopped-sys (50 GB), -data (100 GB), -local, -swap
ROW_NAME = "tc-row"


def create(api, sdk, account="acct-tc", **params) -> str:
    return assert_created_image(api.tc_create_image(sdk, account, **params))


def images_named(api, sdk, name, account="acct-tc"):
    return image_set(api.tc_describe_images(sdk, account, Filters=[flt("image-name", name)]))


def total_images(api, sdk, account="acct-tc") -> int:
    out = api.tc_describe_images(sdk, account)
    image_set(out)
    return out.body["TotalCount"]


# ------------------------------------------------------------------------------ success --

@all_sdks
def test_create_minimal_from_stopped_instance(api, sdk):
    image_id = create(api, sdk, InstanceId=STOPPED, ImageName="tc-minimal")
    image = describe_image(api, sdk, image_id)
    got = {k: image.get(k) for k in ("ImageName", "ImageState", "ImageType", "ImageSource", "ImageSize")}
    assert got == {"ImageName": "tc-minimal", "ImageState": "CREATING", "ImageType": "PRIVATE_IMAGE",
                   "ImageSource": "CREATE_IMAGE", "ImageSize": 50}, json.dumps(image)


@all_sdks
def test_create_with_every_field(api, sdk):
    # TagSpecification is a list of structs: JSON for TC3 POST, TagSpecification.0.Tags.1.Key for the
    # GET and form variants.
    image_id = create(api, sdk, InstanceId=STOPPED, ImageName="tc-every-field",
                      ImageDescription="golden image, for tests", ForcePoweroff="FALSE", Sysprep="FALSE",
                      ImageFamily="tc-family", TagSpecification=tag_spec(("env", "test"), ("team", "")),
                      DryRun=False)
    image = describe_image(api, sdk, image_id)
    expected = {"ImageName": "tc-every-field", "ImageDescription": "golden image, for tests",
                "ImageFamily": "tc-family", "ImageState": "CREATING", "ImageType": "PRIVATE_IMAGE",
                "Architecture": "x86_64", "ImageSource": "CREATE_IMAGE", "ImageSize": 50}
    assert {k: image.get(k) for k in expected} == expected, json.dumps(image)
    assert image.get("Tags") == [{"Key": "env", "Value": "test"}, {"Key": "team", "Value": ""}], json.dumps(image)


@sdks
def test_create_with_data_disk_snapshots_both_disks(api, sdk):
    started = time.monotonic()
    image_id = create(api, sdk, InstanceId=STOPPED, ImageName="tc-full", DataDiskIds=["disk-tc-stopped-data"])
    image, seen, _ = wait_image_settled(api, sdk, image_id, started)
    assert image.get("ImageState") == "NORMAL", "states seen: %s; %s" % (seen, json.dumps(image))
    assert image.get("ImageSize") == 50, json.dumps(image)
    snaps = image.get("SnapshotSet") or []
    assert sorted((s.get("DiskUsage"), s.get("DiskSize")) for s in snaps) == [
        ("DATA_DISK", 100), ("SYSTEM_DISK", 50)], json.dumps(image)
    for s in snaps:
        assert isinstance(s.get("SnapshotId"), str) and SNAPSHOT_ID_RE.match(s["SnapshotId"]), json.dumps(image)
    assert len({s.get("SnapshotId") for s in snaps}) == 2, json.dumps(image)


@sdks
def test_instance_image_has_its_system_disk_snapshot(api, sdk):
    started = time.monotonic()
    image_id = create(api, sdk, InstanceId=STOPPED, ImageName="tc-sys-only")
    image, seen, _ = wait_image_settled(api, sdk, image_id, started)
    assert image.get("ImageState") == "NORMAL", seen
    snaps = image.get("SnapshotSet") or []
    assert [(s.get("DiskUsage"), s.get("DiskSize")) for s in snaps] == [("SYSTEM_DISK", 50)], json.dumps(image)
    assert SNAPSHOT_ID_RE.match(snaps[0].get("SnapshotId") or ""), json.dumps(image)


@sdks
@pytest.mark.parametrize("snapshots,expected", [
    (["snap-tc-sys"], [("snap-tc-sys", "SYSTEM_DISK", 50)]),
    (["snap-tc-sys", "snap-tc-data"], [("snap-tc-data", "DATA_DISK", 100), ("snap-tc-sys", "SYSTEM_DISK", 50)]),
], ids=["system", "system-and-data"])
def test_create_from_snapshots(api, sdk, snapshots, expected):
    started = time.monotonic()
    image_id = create(api, sdk, SnapshotIds=snapshots, ImageName="tc-from-snapshots")
    image, seen, _ = wait_image_settled(api, sdk, image_id, started)
    assert image.get("ImageState") == "NORMAL", seen
    assert image.get("ImageSize") == 50, json.dumps(image)
    got = sorted((s.get("SnapshotId"), s.get("DiskUsage"), s.get("DiskSize")) for s in image.get("SnapshotSet") or [])
    assert got == expected, json.dumps(image)


@sdks
def test_image_ids_are_unique(api, sdk):
    first = create(api, sdk, InstanceId=STOPPED, ImageName="tc-unique-1")
    second = create(api, sdk, InstanceId="ins-tc-windows", ImageName="tc-unique-2")
    third = create(api, sdk, SnapshotIds=["snap-tc-sys"], ImageName="tc-unique-3")
    assert len({first, second, third}) == 3
    assert all(IMAGE_ID_RE.match(i) for i in (first, second, third))


@sdks
@pytest.mark.parametrize("params,field,value", [
    ({"ImageName": "n" * 60}, "ImageName", "n" * 60),
    ({"ImageName": "tc-desc-256", "ImageDescription": "d" * 256}, "ImageDescription", "d" * 256),
    ({"ImageName": "镜像-中文"}, "ImageName", "镜像-中文"),
], ids=["name-60-chars", "description-256-chars", "name-chinese"])
def test_length_limits_accepted(api, sdk, params, field, value):
    image_id = create(api, sdk, InstanceId=STOPPED, **params)
    assert describe_image(api, sdk, image_id).get(field) == value


# --------------------------------------------------------------------- fixture rows --

def row(code, case, params, account="acct-tc"):
    p = dict(params)
    p.setdefault("ImageName", ROW_NAME)
    if p["ImageName"] is None:
        del p["ImageName"]
    return pytest.param(code, account, p, id="%s-%s" % (code, case))


ROWS = [
    row("InvalidParameter.ValueTooLarge", "name-61", {"InstanceId": STOPPED, "ImageName": "n" * 61}),
    row("InvalidParameterValue.TooLarge", "description-257", {"InstanceId": STOPPED, "ImageDescription": "d" * 257}),
    row("InvalidImageName.Duplicate", "golden-tc", {"InstanceId": STOPPED, "ImageName": "golden-tc"}),
    row("InvalidInstanceId.NotFound", "ins-nope", {"InstanceId": "ins-nope"}),
    row("InvalidInstanceId.NotFound", "other-account", {"InstanceId": "ins-tc-other"}),
    row("ImageQuotaLimitExceeded", "quota", {"InstanceId": "ins-tc-quota"}, account="acct-tc-quota"),
    row("InvalidInstance.NotSupported", "noimage", {"InstanceId": "ins-tc-noimage"}),
    row("InvalidAccount.InsufficientBalance", "poor", {"InstanceId": "ins-tc-poor"}, account="acct-tc-poor"),
    row("InvalidParameter.DataDiskIdContainsRootDisk", "root-disk",
        {"InstanceId": STOPPED, "DataDiskIds": ["disk-tc-stopped-sys"]}),
    row("InvalidParameter.DataDiskNotBelongSpecifiedInstance", "other-instance-disk",
        {"InstanceId": STOPPED, "DataDiskIds": ["disk-tc-running-data"]}),
    row("InvalidParameter.DuplicateSystemSnapshots", "two-system",
        {"SnapshotIds": ["snap-tc-sys", "snap-tc-sys-b"]}),
    row("InvalidParameter.InstanceImageNotSupport", "nofull",
        {"InstanceId": "ins-tc-nofull", "DataDiskIds": ["disk-tc-nofull-data"]}),
    row("InvalidParameter.InvalidDependence", "data-disks-alone", {"DataDiskIds": ["disk-tc-stopped-data"]}),
    row("InvalidParameter.InvalidDependence", "data-disks-with-snapshots",
        {"DataDiskIds": ["disk-tc-stopped-data"], "SnapshotIds": ["snap-tc-sys"]}),
    row("InvalidParameter.LocalDataDiskNotSupport", "local",
        {"InstanceId": STOPPED, "DataDiskIds": ["disk-tc-stopped-local"]}),
    row("InvalidParameter.SnapshotNotFound", "snap-nope", {"SnapshotIds": ["snap-nope"]}),
    row("InvalidParameter.SnapshotNotFound", "other-account", {"SnapshotIds": ["snap-tc-other"]}),
    row("InvalidParameter.SpecifyOneParameter", "no-source", {}),
    row("InvalidParameter.SwapDiskNotSupport", "swap",
        {"InstanceId": STOPPED, "DataDiskIds": ["disk-tc-stopped-swap"]}),
    row("InvalidParameter.SystemSnapshotNotFound", "data-only", {"SnapshotIds": ["snap-tc-data"]}),
    row("InvalidParameterConflict", "instance-and-snapshots", {"InstanceId": STOPPED, "SnapshotIds": ["snap-tc-sys"]}),
    row("OperationDenied.InstanceOperationInProgress", "busy", {"InstanceId": "ins-tc-busy"}),
    row("ResourceInsufficient.CloudDiskUnavailable", "cdu", {"InstanceId": "ins-tc-cdu"}),
    row("UnsupportedOperation.InstanceStateRebooting", "rebooting", {"InstanceId": "ins-tc-rebooting"}),
    row("UnsupportedOperation.InstanceStateStopping", "stopping", {"InstanceId": "ins-tc-stopping"}),
    row("UnsupportedOperation.InstanceStateTerminating", "terminating", {"InstanceId": "ins-tc-terminating"}),
    row("UnsupportedOperation.NotSupportInstanceImage", "noinstimg", {"InstanceId": "ins-tc-noinstimg"}),
    row("UnsupportedOperation.StoppedModeStopCharging", "stopcharging", {"InstanceId": "ins-tc-stopcharging"}),
    row("MissingParameter", "no-image-name", {"InstanceId": STOPPED, "ImageName": None}),
]


@sdks
@pytest.mark.parametrize("code,account,params", ROWS)
def test_fixture_row(api, sdk, code, account, params):
    out = api.tc_create_image(sdk, account, **params)
    assert_tc_error(out, code)


# The same rows through TC3 over GET and HmacSHA1: list parameters flattened as DataDiskIds.0 etc.
SUBSET = [r for r in ROWS if r.id in (
    "MissingParameter-no-image-name", "InvalidInstanceId.NotFound-ins-nope",
    "InvalidParameter.DataDiskIdContainsRootDisk-root-disk", "InvalidParameter.DuplicateSystemSnapshots-two-system",
    "InvalidParameter.InvalidDependence-data-disks-with-snapshots")]


@pytest.mark.parametrize("sdk", ["tc3-get", "hmac1"])
@pytest.mark.parametrize("code,account,params", SUBSET)
def test_fixture_row_other_variants(api, sdk, code, account, params):
    out = api.tc_create_image(sdk, account, **params)
    assert_tc_error(out, code)


@sdks
def test_missing_parameter_names_image_name(api, sdk):
    out = api.tc_create_image(sdk, InstanceId=STOPPED)
    assert_tc_error(out, "MissingParameter")
    assert "ImageName" in out.message, out.describe()


@sdks
def test_nothing_created_by_refused_calls(api, sdk):
    before = total_images(api, sdk)
    for params in ({"InstanceId": "ins-nope"}, {"InstanceId": STOPPED, "ImageName": "golden-tc"},
                   {"InstanceId": STOPPED, "DataDiskIds": ["disk-tc-stopped-local"]}):
        params.setdefault("ImageName", ROW_NAME)
        assert not api.tc_create_image(sdk, **params).ok
    assert total_images(api, sdk) == before == 1
    assert images_named(api, sdk, ROW_NAME) == []


# ---------------------------------------------------------------------- order of checks --

ORDER = [
    # shape first: InvalidDependence wins over InvalidParameterConflict (DataDiskIds without InstanceId)
    pytest.param("InvalidParameter.InvalidDependence", "acct-tc",
                 {"DataDiskIds": ["disk-nope"], "SnapshotIds": ["snap-nope"], "ImageName": "n" * 61},
                 id="dependence-before-lengths-and-existence"),
    pytest.param("InvalidParameterConflict", "acct-tc",
                 {"InstanceId": "ins-nope", "SnapshotIds": ["snap-nope"], "ImageName": "n" * 61},
                 id="conflict-before-lengths-and-existence"),
    pytest.param("InvalidParameter.ValueTooLarge", "acct-tc", {"InstanceId": "ins-nope", "ImageName": "n" * 61},
                 id="lengths-before-existence"),
    pytest.param("InvalidParameter.SnapshotNotFound", "acct-tc",
                 {"SnapshotIds": ["snap-tc-data", "snap-nope"], "ImageName": ROW_NAME},
                 id="snapshot-not-found-before-system-snapshot-not-found"),
    pytest.param("InvalidInstanceId.NotFound", "acct-tc-poor", {"InstanceId": "ins-nope", "ImageName": ROW_NAME},
                 id="existence-before-account"),
    pytest.param("OperationDenied.InstanceOperationInProgress", "acct-tc",
                 {"InstanceId": "ins-tc-busy", "ImageName": "golden-tc"}, id="instance-state-before-name"),
    # The page checks "then quota and name" as one step without saying which wins; the name is
    # checked first (acct-tc-quota is at its quota, and quota-filler-1 is its image's name).
    pytest.param("InvalidImageName.Duplicate", "acct-tc-quota",
                 {"InstanceId": "ins-tc-quota", "ImageName": "quota-filler-1"}, id="name-before-quota"),
]


@sdks
@pytest.mark.parametrize("code,account,params", ORDER)
def test_order_of_checks(api, sdk, code, account, params):
    assert_tc_error(api.tc_create_image(sdk, account, **params), code)


# --------------------------------------------------------------- ForcePoweroff / Sysprep --

@sdks
@pytest.mark.parametrize("field", ["ForcePoweroff", "Sysprep"])
@pytest.mark.parametrize("value", ["maybe", "yes", "1", ""])
def test_flag_value_invalid(api, sdk, field, value):
    instance = "ins-tc-windows" if field == "Sysprep" else STOPPED
    out = api.tc_create_image(sdk, InstanceId=instance, ImageName=ROW_NAME, **{field: value})
    assert_tc_error(out, "InvalidParameterValue")


@sdks
@pytest.mark.parametrize("value", ["TRUE", "true", "False", "FALSE"])
def test_force_poweroff_values_accepted(api, sdk, value):
    create(api, sdk, InstanceId=STOPPED, ImageName="tc-force", ForcePoweroff=value)


def test_force_poweroff_json_boolean_accepted(api):
    # Only the TC3 POST client sends JSON; a bool there is sent as JSON true.
    create(api, "tc3", InstanceId=STOPPED, ImageName="tc-force-bool", ForcePoweroff=True)


@sdks
def test_sysprep_on_linux_is_invalid(api, sdk):
    out = api.tc_create_image(sdk, InstanceId=STOPPED, ImageName=ROW_NAME, Sysprep="TRUE")
    assert_tc_error(out, "InvalidParameterValue")
    assert images_named(api, sdk, ROW_NAME) == []


@sdks
@pytest.mark.parametrize("value", ["TRUE", "true"])
def test_sysprep_on_windows_accepted(api, sdk, value):
    image_id = create(api, sdk, InstanceId="ins-tc-windows", ImageName="tc-sysprep", Sysprep=value)
    assert describe_image(api, sdk, image_id).get("ImageName") == "tc-sysprep"


@sdks
def test_sysprep_false_on_linux_accepted(api, sdk):
    create(api, sdk, InstanceId=STOPPED, ImageName="tc-sysprep-false", Sysprep="FALSE")


# ------------------------------------------------------------------------- names, mutex --

@sdks
def test_duplicate_name_of_new_image(api, sdk):
    first = create(api, sdk, InstanceId=STOPPED, ImageName="tc-twice")
    out = api.tc_create_image(sdk, InstanceId="ins-tc-windows", ImageName="tc-twice")
    assert_tc_error(out, "InvalidImageName.Duplicate")
    assert ids(images_named(api, sdk, "tc-twice"), "ImageId") == [first]


@sdks
def test_duplicate_name_from_snapshots(api, sdk):
    create(api, sdk, SnapshotIds=["snap-tc-sys"], ImageName="tc-twice-snap")
    assert_tc_error(api.tc_create_image(sdk, SnapshotIds=["snap-tc-sys"], ImageName="tc-twice-snap"),
                    "InvalidImageName.Duplicate")


@sdks
def test_mutex_second_image_of_same_instance(api, sdk):
    first_out = api.tc_create_image(sdk, InstanceId=STOPPED, ImageName="tc-mutex-a")
    first = assert_created_image(first_out)
    started = mono_start(first_out)
    out = api.tc_create_image(sdk, InstanceId=STOPPED, ImageName="tc-mutex-b")
    gap = out.finished - first_out.started
    assert gap < 2.5, "too slow (%.1f s) to be sure the first image was still CREATING" % gap
    assert_tc_error(out, "MutexOperation.TaskRunning")
    assert images_named(api, sdk, "tc-mutex-b") == []
    image, seen, _ = wait_image_settled(api, sdk, first, started)
    assert image.get("ImageState") == "NORMAL", seen
    # The task is over: the instance can be imaged again.
    second = create(api, sdk, InstanceId=STOPPED, ImageName="tc-mutex-b")
    assert second != first


@sdks
def test_mutex_does_not_block_other_instances(api, sdk):
    create(api, sdk, InstanceId=STOPPED, ImageName="tc-mutex-one")
    create(api, sdk, InstanceId="ins-tc-windows", ImageName="tc-mutex-two")


# ---------------------------------------------------------------------------- DryRun --

@all_sdks
def test_dry_run_creates_nothing(api, sdk):
    before = total_images(api, sdk)
    out = api.tc_create_image(sdk, InstanceId=STOPPED, ImageName="tc-dry", DryRun=True)
    assert_tc_error(out, "DryRunOperation")
    assert total_images(api, sdk) == before
    assert images_named(api, sdk, "tc-dry") == []
    # The name is still free, and no task holds the instance.
    image_id = create(api, sdk, InstanceId=STOPPED, ImageName="tc-dry")
    assert ids(images_named(api, sdk, "tc-dry"), "ImageId") == [image_id]


@sdks
@pytest.mark.parametrize("params", [
    {"SnapshotIds": ["snap-tc-sys", "snap-tc-data"]},
    {"InstanceId": STOPPED, "DataDiskIds": ["disk-tc-stopped-data"], "TagSpecification": tag_spec(("a", "b"))},
], ids=["snapshots", "instance-with-data-disk"])
def test_dry_run_other_sources(api, sdk, params):
    out = api.tc_create_image(sdk, ImageName="tc-dry-src", DryRun=True, **params)
    assert_tc_error(out, "DryRunOperation")
    assert images_named(api, sdk, "tc-dry-src") == []


@sdks
@pytest.mark.parametrize("code,params", [
    ("InvalidInstanceId.NotFound", {"InstanceId": "ins-nope", "ImageName": "tc-dry-err"}),
    ("InvalidImageName.Duplicate", {"InstanceId": STOPPED, "ImageName": "golden-tc"}),
    ("InvalidParameter.ValueTooLarge", {"InstanceId": STOPPED, "ImageName": "n" * 61}),
    ("ImageQuotaLimitExceeded", {"InstanceId": "ins-tc-quota", "ImageName": "tc-dry-err", "account": "acct-tc-quota"}),
], ids=["not-found", "duplicate", "too-long", "quota"])
def test_dry_run_reports_the_error_first(api, sdk, code, params):
    params = dict(params)
    account = params.pop("account", "acct-tc")
    assert_tc_error(api.tc_create_image(sdk, account, DryRun=True, **params), code)


@sdks
def test_dry_run_while_a_task_runs_reports_mutex(api, sdk):
    create(api, sdk, InstanceId=STOPPED, ImageName="tc-dry-mutex-a")
    out = api.tc_create_image(sdk, InstanceId=STOPPED, ImageName="tc-dry-mutex-b", DryRun=True)
    assert_tc_error(out, "MutexOperation.TaskRunning")


# ---------------------------------------------------------------------------- states --

@sdks
def test_stopped_instance_image_creating_then_normal(api, sdk):
    out = api.tc_create_image(sdk, InstanceId=STOPPED, ImageName="tc-life")
    image_id = assert_created_image(out)
    started = mono_start(out)
    image, seen, elapsed = wait_image_settled(api, sdk, image_id, started)
    assert image.get("ImageState") == "NORMAL", "states seen %s: %s" % (seen, json.dumps(image))
    assert [s for s, _ in seen] == ["CREATING", "NORMAL"], seen
    assert elapsed >= 2.5, "NORMAL after %.1f s, before image_seconds (3 s): %s" % (elapsed, seen)
    assert elapsed < 15, "NORMAL only after %.1f s: %s" % (elapsed, seen)


@sdks
def test_running_instance_image_reaches_normal(api, sdk):
    started = time.monotonic()
    image_id = create(api, sdk, InstanceId="ins-tc-running", ImageName="tc-running")
    image, seen, _ = wait_image_settled(api, sdk, image_id, started)
    assert image.get("ImageState") == "NORMAL", "states seen %s: %s" % (seen, json.dumps(image))


@sdks
def test_soft_shutdown_failure_ends_createfailed(api, sdk):
    started = time.monotonic()
    image_id = create(api, sdk, InstanceId="ins-tc-softfail", ImageName="tc-softfail")
    # The image is CREATING while the soft shutdown is attempted (the world's image_seconds), then
    # CREATEFAILED: nothing is snapshotted.
    image, seen, elapsed = wait_image_settled(api, sdk, image_id, started)
    assert image.get("ImageState") == "CREATEFAILED", "states seen %s: %s" % (seen, json.dumps(image))
    assert [s for s, _ in seen] == ["CREATING", "CREATEFAILED"], seen
    assert elapsed >= 2.5, "CREATEFAILED after %.1f s, before image_seconds (3 s): %s" % (elapsed, seen)
    assert image.get("SnapshotSet") == [], json.dumps(image)


@sdks
@pytest.mark.parametrize("value", ["TRUE", "true"])
def test_soft_shutdown_failure_with_force_poweroff_reaches_normal(api, sdk, value):
    started = time.monotonic()
    image_id = create(api, sdk, InstanceId="ins-tc-softfail", ImageName="tc-softfail-forced", ForcePoweroff=value)
    image, seen, _ = wait_image_settled(api, sdk, image_id, started)
    assert image.get("ImageState") == "NORMAL", "states seen %s: %s" % (seen, json.dumps(image))


@sdks
def test_force_poweroff_false_on_softfail_still_fails(api, sdk):
    started = time.monotonic()
    image_id = create(api, sdk, InstanceId="ins-tc-softfail", ImageName="tc-softfail-false", ForcePoweroff="FALSE")
    image, seen, _ = wait_image_settled(api, sdk, image_id, started)
    assert image.get("ImageState") == "CREATEFAILED", "states seen %s: %s" % (seen, json.dumps(image))
    assert [s for s, _ in seen] == ["CREATING", "CREATEFAILED"], seen
