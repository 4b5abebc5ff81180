"""CreateImage (ECS 2014-05-26) through the official Alibaba Python SDKs.

Each documented error code of ECS CreateImage is a test here, run with every
SDK variant (tea ACS3, tea v1, old core v1). Codes, HTTP statuses and messages are those of the
ECS API reference, CreateImage. The three sources rank InstanceId > DiskDeviceMapping.N >
SnapshotId: the highest one given is used.
"""
from __future__ import annotations

import json
import time
import uuid

import pytest

import control
from ecs_sdk import SDK_VARIANTS, snapshots_of
from images import (ALL_STATUSES, assert_created_image, assert_page_error, create_image, describe_image,
                    describe_images, ids, mappings)

SYS_SNAPSHOT = "s-ali-sys"  # system-disk snapshot of d-ali-stopped-sys, 40 GB
DATA_SNAPSHOT = "s-ali-data"  # data-disk snapshot of d-ali-stopped-data, 200 GB

# Messages of the reference page; where the page's text is garbled, the provider's usual wording
# (the one the gateway answers with).
MSG = {
    "MissingParameter": [
        'The input parameter "SnapshotId or InstanceId or DiskDeviceMapping" that is mandatory for processing '
        "this request is not supplied.",
    ],
    "IncorrectInstanceStatus": ["The current status of the instance does not support this operation."],
    "InstanceLockedForSecurity": [
        "The specified operation is denied as your instance is locked for security reasons.",
    ],
    "InvalidDescription.Malformed": ["The specified description is wrongly formed."],
    "InvalidImageName.Duplicated": ["The specified Image name has already been used."],
    "InvalidImageName.Malformed": ["The specified Image name is wrongly formed."],
    "InvalidImageVersion.Malformed": ["The specified ImageVersion is wrongly formed."],
    "InvalidInstanceId.NotFound": ["The specified InstanceId does not exist."],
    "InvalidInstanceId.ValueNotSupported": ["The specified InstanceId is not allowed to create image."],
    "InvalidSize.ValueNotSupported": ["The specified parameter DiskDeviceMapping.n.Size beyond the permitted range."],
    "OperationDenied/no-system": [
        "The specified parameter DiskDeviceMapping.n.SnapshotId does not contain system disk snapshot."],
    "OperationDenied/two-system": [
        "The specified parameter DiskDeviceMapping.n.SnapshotId contains two or more system disk snapshots."],
    "InvalidAccountStatus.NotEnoughBalance": ["Your account does not have enough balance."],
    "InvalidAccountStatus.SnapshotServiceUnavailable": ["Snapshot service has not been opened yet."],
    "InvalidParamter.Conflict": ["The specified same token is trying to make requests with different parameters."],
    "InvalidSnapshot.TooOld": [
        "This operation is denied because the specified snapshot by DiskDeviceMapping.n.SnapshotId or SnapshotId "
        "is created before 2013-07-15."],
    "InvalidSnapshotId.NotReady": [
        "The current status of the DiskDeviceMapping.n.SnapshotId or SnapshotId does not support this operation."],
    "OperationDenied/not-allowed": ["The specified snapshot is not allowed to create image."],
    "OperationDenied/not-system": ["The specified snapshot is not from system disk."],
    "QuotaExceed.Image": ["The Image Quota exceeds."],
    "InvalidRegionId.NotFound": ["The specified RegionId does not exist."],
    "InvalidSnapshotId.NotFound": ["The specified SnapshotId does not exist."],
}

# code as the page names it (an OperationDenied row with the situation after a slash) -> status
STATUS = {
    "MissingParameter": 400, "IncorrectInstanceStatus": 400, "InstanceLockedForSecurity": 400,
    "InvalidDescription.Malformed": 400, "InvalidImageName.Duplicated": 400, "InvalidImageName.Malformed": 400,
    "InvalidImageVersion.Malformed": 400, "InvalidInstanceId.NotFound": 400,
    "InvalidInstanceId.ValueNotSupported": 400, "InvalidSize.ValueNotSupported": 400,
    "OperationDenied/no-system": 400, "OperationDenied/two-system": 400,
    "InvalidAccountStatus.NotEnoughBalance": 403, "InvalidAccountStatus.SnapshotServiceUnavailable": 403,
    "InvalidParamter.Conflict": 403, "InvalidSnapshot.TooOld": 403, "InvalidSnapshotId.NotReady": 403,
    "OperationDenied/not-allowed": 403, "OperationDenied/not-system": 403, "QuotaExceed.Image": 403,
    "InvalidRegionId.NotFound": 404, "InvalidSnapshotId.NotFound": 404,
}


def assert_page_code(out, row_code):
    """The CreateImage page's error row `row_code`: its code, HTTP status and message."""
    assert_page_error(out, row_code.split("/")[0], STATUS[row_code], MSG[row_code])


def mapping(*entries):
    """DiskDeviceMapping.1, .2, … in order; each entry a dict of SnapshotId / Size / Device / DiskType."""
    return list(entries)


sdks = pytest.mark.parametrize("sdk", SDK_VARIANTS)


def images_named(api, sdk, name, account="acct-ali"):
    _, images = describe_images(api, sdk, account, ImageName=name, Status=ALL_STATUSES)
    return images


# ------------------------------------------------------------------------------ success --

@sdks
def test_create_from_snapshot_with_all_fields(api, sdk):
    image_id = create_image(
        api, sdk, SnapshotId=SYS_SNAPSHOT, ImageName="conf-all_fields:1", ImageVersion="2.1.0",
        Description="golden image for tests", Platform="Ubuntu", Architecture="arm64", ImageFamily="conf-family",
        ResourceGroupId="rg-conf", Tag=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": ""}])
    image = describe_image(api, sdk, image_id)
    assert image.get("Status") == "Creating", json.dumps(image)
    expected = {
        "ImageName": "conf-all_fields:1", "ImageVersion": "2.1.0", "Description": "golden image for tests",
        "Platform": "Ubuntu", "Architecture": "arm64", "ImageFamily": "conf-family", "ResourceGroupId": "rg-conf",
        "ImageOwnerAlias": "self", "Size": 40,
    }
    got = {k: image.get(k) for k in expected}
    assert got == expected, json.dumps(image)
    assert (image.get("Tags") or {}).get("Tag") == [{"TagKey": "env", "TagValue": "test"},
                                                     {"TagKey": "team", "TagValue": ""}], json.dumps(image)
    disks = mappings(image)
    assert [(d.get("Device"), d.get("SnapshotId"), d.get("Size"), d.get("Type")) for d in disks] == [
        ("/dev/xvda", SYS_SNAPSHOT, "40", "system")], json.dumps(image)


@sdks
def test_create_from_snapshot_minimal(api, sdk):
    image_id = create_image(api, sdk, SnapshotId=SYS_SNAPSHOT)
    image = describe_image(api, sdk, image_id)
    assert image.get("Size") == 40 and image.get("ImageOwnerAlias") == "self", json.dumps(image)


@sdks
def test_create_from_instance_snapshots_every_disk(api, sdk):
    image_id = create_image(api, sdk, InstanceId="i-ali-stopped", ImageName="conf-from-instance")
    image = describe_image(api, sdk, image_id)
    assert image.get("Status") == "Creating", json.dumps(image)
    assert image.get("Size") == 40, json.dumps(image)
    disks = mappings(image)
    assert [(d.get("Device"), d.get("Size"), d.get("Type")) for d in disks] == [
        ("/dev/xvda", "40", "system"), ("/dev/xvdb", "200", "data")], json.dumps(image)
    world_snapshots = {"s-ali-sys", "s-ali-2012", "s-ali-data"}
    for disk_id, dev, size, kind in (("d-ali-stopped-sys", disks[0], "40", "system"),
                                     ("d-ali-stopped-data", disks[1], "200", "data")):
        snapshot_id = dev.get("SnapshotId")
        assert isinstance(snapshot_id, str) and snapshot_id.startswith("s-"), json.dumps(image)
        assert snapshot_id not in world_snapshots, "the image reuses a world snapshot: %s" % json.dumps(image)
        out = api.describe_snapshots(sdk, DiskId=disk_id)
        assert out.ok, out.describe()
        snaps = {s.get("SnapshotId"): s for s in snapshots_of(out.body)}
        assert snapshot_id in snaps, "the image's snapshot %s is not listed for %s: %s" % (
            snapshot_id, disk_id, json.dumps(out.body))
        snap = snaps[snapshot_id]
        assert snap.get("Usage") == "image", json.dumps(snap)
        assert snap.get("SourceDiskId") == disk_id and snap.get("SourceDiskType") == kind, json.dumps(snap)
        assert snap.get("SourceDiskSize") == size, json.dumps(snap)
    assert disks[0].get("SnapshotId") != disks[1].get("SnapshotId")
    # They take settings.timings.snapshot_seconds (2 s): that much later on the virtual clock, both
    # are accomplished.
    control.advance(2)
    snapshot_ids = [d.get("SnapshotId") for d in disks]
    out = api.describe_snapshots(sdk, SnapshotIds=json.dumps(snapshot_ids))
    assert out.ok, out.describe()
    states = {s.get("SnapshotId"): (s.get("Status"), s.get("Progress")) for s in snapshots_of(out.body)}
    assert states == {i: ("accomplished", "100%") for i in snapshot_ids}, json.dumps(out.body)


@sdks
def test_create_from_disk_device_mappings(api, sdk):
    image_id = create_image(api, sdk, ImageName="conf-mappings", DiskDeviceMapping=mapping(
        {"SnapshotId": SYS_SNAPSHOT}, {"SnapshotId": DATA_SNAPSHOT}, {"Size": 10}))
    image = describe_image(api, sdk, image_id)
    assert image.get("Size") == 40, json.dumps(image)
    got = [(d.get("Device"), d.get("SnapshotId") or "", d.get("Size"), d.get("Type")) for d in mappings(image)]
    assert got == [("/dev/xvda", SYS_SNAPSHOT, "40", "system"),
                   ("/dev/xvdb", DATA_SNAPSHOT, "200", "data"),
                   ("/dev/xvdc", "", "10", "data")], json.dumps(image)


@sdks
def test_mapping_size_may_exceed_snapshot(api, sdk):
    image_id = create_image(api, sdk, DiskDeviceMapping=mapping(
        {"SnapshotId": SYS_SNAPSHOT, "Size": 80}, {"Size": 5}, {"Size": 2000}))
    image = describe_image(api, sdk, image_id)
    assert [d.get("Size") for d in mappings(image)] == ["80", "5", "2000"], json.dumps(image)
    assert image.get("Size") == 80, json.dumps(image)


@sdks
def test_empty_mapping_disk_defaults_to_5_gb(api, sdk):
    image_id = create_image(api, sdk, DiskDeviceMapping=mapping({"SnapshotId": SYS_SNAPSHOT}, {"DiskType": "data"}))
    image = describe_image(api, sdk, image_id)
    got = [(d.get("Device"), d.get("Size")) for d in mappings(image)]
    assert got == [("/dev/xvda", "40"), ("/dev/xvdb", "5")], json.dumps(image)


@sdks
def test_image_ids_are_unique(api, sdk):
    first = create_image(api, sdk, SnapshotId=SYS_SNAPSHOT)
    second = create_image(api, sdk, SnapshotId=SYS_SNAPSHOT)
    assert first != second


@sdks
def test_snapshot_used_by_image_shows_usage(api, sdk):
    def usage():
        out = api.describe_snapshots(sdk, SnapshotIds=json.dumps([SYS_SNAPSHOT]))
        assert out.ok, out.describe()
        snaps = snapshots_of(out.body)
        assert [s.get("SnapshotId") for s in snaps] == [SYS_SNAPSHOT], json.dumps(out.body)
        return snaps[0].get("Usage")

    assert usage() == "none"
    create_image(api, sdk, SnapshotId=SYS_SNAPSHOT)
    assert usage() == "image"


# ---------------------------------------------------------------------- source priority --

@sdks
def test_instance_outranks_snapshot(api, sdk):
    image_id = create_image(api, sdk, InstanceId="i-ali-stopped", SnapshotId="s-nope")
    image = describe_image(api, sdk, image_id)
    assert [d.get("Device") for d in mappings(image)] == ["/dev/xvda", "/dev/xvdb"], json.dumps(image)


@sdks
def test_instance_outranks_mappings(api, sdk):
    out = api.create_image(sdk, InstanceId="i-nope", DiskDeviceMapping=mapping({"SnapshotId": SYS_SNAPSHOT}))
    assert_page_code(out, "InvalidInstanceId.NotFound")


@sdks
def test_mappings_outrank_snapshot(api, sdk):
    image_id = create_image(api, sdk, SnapshotId="s-nope",
                            DiskDeviceMapping=mapping({"SnapshotId": SYS_SNAPSHOT}, {"SnapshotId": DATA_SNAPSHOT}))
    image = describe_image(api, sdk, image_id)
    assert [d.get("SnapshotId") for d in mappings(image)] == [SYS_SNAPSHOT, DATA_SNAPSHOT], json.dumps(image)


@sdks
def test_mappings_used_even_when_snapshot_would_do(api, sdk):
    out = api.create_image(sdk, SnapshotId=SYS_SNAPSHOT, DiskDeviceMapping=mapping({"SnapshotId": DATA_SNAPSHOT}))
    assert_page_code(out, "OperationDenied/no-system")


@sdks
def test_no_source_is_missing_parameter(api, sdk):
    out = api.create_image(sdk, ImageName="conf-nosource")
    assert_page_code(out, "MissingParameter")


@pytest.mark.parametrize("sdk", ["tea-acs3", "tea-v1"])
def test_region_is_required(api, sdk):
    # Only the tea SDK can leave RegionId out: the old core SDK always sends its client's region.
    out = api.create_image(sdk, RegionId=None, SnapshotId=SYS_SNAPSHOT)
    assert_page_error(out, "MissingParameter", 400, [
        'The input parameter "RegionId" that is mandatory for processing this request is not supplied.'])


# --------------------------------------------------------------------- fixture rows: state --

STATE_ROWS = [
    ("IncorrectInstanceStatus", "starting", "acct-ali", {"InstanceId": "i-ali-starting"}),
    # d-ali-running-sys has a snapshot in progress for good (s-ali-progressing): its instance cannot
    # have every disk snapshotted now.
    ("IncorrectInstanceStatus", "running-disk-busy", "acct-ali", {"InstanceId": "i-ali-running"}),
    ("InstanceLockedForSecurity", "locked", "acct-ali", {"InstanceId": "i-ali-locked"}),
    ("InvalidInstanceId.NotFound", "i-nope", "acct-ali", {"InstanceId": "i-nope"}),
    ("InvalidInstanceId.NotFound", "other-account", "acct-ali", {"InstanceId": "i-ali-other"}),
    ("InvalidInstanceId.ValueNotSupported", "noimage", "acct-ali", {"InstanceId": "i-ali-noimage"}),
    ("InvalidSize.ValueNotSupported", "data-size-4", "acct-ali",
     {"DiskDeviceMapping": mapping({"SnapshotId": SYS_SNAPSHOT}, {"Size": 4})}),
    ("InvalidSize.ValueNotSupported", "data-size-2001", "acct-ali",
     {"DiskDeviceMapping": mapping({"SnapshotId": SYS_SNAPSHOT}, {"Size": 2001})}),
    ("InvalidSize.ValueNotSupported", "below-snapshot", "acct-ali",
     {"DiskDeviceMapping": mapping({"SnapshotId": SYS_SNAPSHOT, "Size": 20})}),
    ("OperationDenied/no-system", "data-only", "acct-ali",
     {"DiskDeviceMapping": mapping({"SnapshotId": DATA_SNAPSHOT})}),
    ("OperationDenied/two-system", "two-system", "acct-ali",
     {"DiskDeviceMapping": mapping({"SnapshotId": SYS_SNAPSHOT}, {"SnapshotId": "s-ali-sys-b"})}),
    ("InvalidAccountStatus.NotEnoughBalance", "poor", "acct-ali-poor", {"InstanceId": "i-ali-poor"}),
    ("InvalidAccountStatus.SnapshotServiceUnavailable", "nosnap", "acct-ali-nosnap", {"InstanceId": "i-ali-nosnap"}),
    ("InvalidSnapshot.TooOld", "snapshot", "acct-ali", {"SnapshotId": "s-ali-2012"}),
    ("InvalidSnapshot.TooOld", "mapping", "acct-ali", {"DiskDeviceMapping": mapping({"SnapshotId": "s-ali-2012"})}),
    ("InvalidSnapshotId.NotReady", "snapshot", "acct-ali", {"SnapshotId": "s-ali-progressing"}),
    ("InvalidSnapshotId.NotReady", "mapping", "acct-ali",
     {"DiskDeviceMapping": mapping({"SnapshotId": "s-ali-progressing"})}),
    ("OperationDenied/not-allowed", "noimage", "acct-ali", {"SnapshotId": "s-ali-noimage"}),
    ("OperationDenied/not-system", "data", "acct-ali", {"SnapshotId": DATA_SNAPSHOT}),
    ("QuotaExceed.Image", "quota", "acct-ali-quota", {"InstanceId": "i-ali-quota"}),
    ("InvalidRegionId.NotFound", "cn-nowhere", "acct-ali", {"RegionId": "cn-nowhere", "SnapshotId": SYS_SNAPSHOT}),
    ("InvalidSnapshotId.NotFound", "s-nope", "acct-ali", {"SnapshotId": "s-nope"}),
    ("InvalidSnapshotId.NotFound", "other-account", "acct-ali", {"SnapshotId": "s-ali-other"}),
    ("InvalidSnapshotId.NotFound", "mapping", "acct-ali",
     {"DiskDeviceMapping": mapping({"SnapshotId": SYS_SNAPSHOT}, {"SnapshotId": "s-nope"})}),
]


@sdks
@pytest.mark.parametrize("code,account,params", [(r[0], r[2], r[3]) for r in STATE_ROWS],
                         ids=["%s-%s" % (r[0], r[1]) for r in STATE_ROWS])
def test_state_error(api, sdk, code, account, params):
    out = api.create_image(sdk, account, ImageName="conf-state", **params)
    assert_page_code(out, code)


@sdks
def test_duplicate_name_of_world_image(api, sdk):
    out = api.create_image(sdk, SnapshotId=SYS_SNAPSHOT, ImageName="golden-base")
    assert_page_code(out, "InvalidImageName.Duplicated")


@sdks
def test_duplicate_name_of_new_image(api, sdk):
    create_image(api, sdk, SnapshotId=SYS_SNAPSHOT, ImageName="conf-twice")
    out = api.create_image(sdk, SnapshotId=SYS_SNAPSHOT, ImageName="conf-twice")
    assert_page_code(out, "InvalidImageName.Duplicated")
    assert len(images_named(api, sdk, "conf-twice")) == 1


@sdks
def test_names_are_per_account(api, sdk):
    create_image(api, sdk, "acct-ali-other", SnapshotId="s-ali-other", ImageName="golden-base")


@sdks
def test_quota_counts_only_the_account(api, sdk):
    # acct-ali-quota is at its quota of one image; acct-ali is far from its own.
    assert_page_code(api.create_image(sdk, "acct-ali-quota", InstanceId="i-ali-quota"), "QuotaExceed.Image")
    create_image(api, sdk, SnapshotId=SYS_SNAPSHOT)


# --------------------------------------------------------------------- fixture rows: input --

INPUT_ROWS = [
    ("InvalidImageName.Malformed", "name-digit-first", {"ImageName": "1abc"}),
    ("InvalidImageName.Malformed", "name-1-char", {"ImageName": "a"}),
    ("InvalidImageName.Malformed", "name-129-chars", {"ImageName": "a" * 129}),
    ("InvalidImageName.Malformed", "name-http", {"ImageName": "http://x"}),
    ("InvalidImageName.Malformed", "name-https", {"ImageName": "https://x"}),
    ("InvalidImageName.Malformed", "name-space-bang", {"ImageName": "bad name!"}),
    ("InvalidDescription.Malformed", "description-257-chars", {"Description": "d" * 257}),
    ("InvalidDescription.Malformed", "description-http", {"Description": "http://example.com"}),
    ("InvalidDescription.Malformed", "description-https", {"Description": "https://example.com"}),
    ("InvalidImageVersion.Malformed", "version-41-chars", {"ImageVersion": "v" * 41}),
    # All three SDKs send an empty string as an empty parameter (checked on the wire), so this row
    # runs everywhere.
    ("InvalidImageVersion.Malformed", "version-empty", {"ImageVersion": ""}),
]


@sdks
@pytest.mark.parametrize("code,params", [(r[0], r[2]) for r in INPUT_ROWS], ids=[r[1] for r in INPUT_ROWS])
def test_input_error(api, sdk, code, params):
    out = api.create_image(sdk, SnapshotId=SYS_SNAPSHOT, **params)
    assert_page_code(out, code)


@sdks
@pytest.mark.parametrize("name", ["ab", "a" * 128, "Name_with-all:chars9", "镜像-1"],
                         ids=["2-chars", "128-chars", "all-chars", "chinese"])
def test_image_name_limits_accepted(api, sdk, name):
    image_id = create_image(api, sdk, SnapshotId=SYS_SNAPSHOT, ImageName=name)
    assert describe_image(api, sdk, image_id).get("ImageName") == name


@sdks
@pytest.mark.parametrize("description", ["", "d", "d" * 256], ids=["empty", "1-char", "256-chars"])
def test_description_limits_accepted(api, sdk, description):
    image_id = create_image(api, sdk, SnapshotId=SYS_SNAPSHOT, Description=description)
    assert describe_image(api, sdk, image_id).get("Description") == description


@sdks
@pytest.mark.parametrize("version", ["1", "v" * 40], ids=["1-char", "40-chars"])
def test_image_version_limits_accepted(api, sdk, version):
    image_id = create_image(api, sdk, SnapshotId=SYS_SNAPSHOT, ImageVersion=version)
    assert describe_image(api, sdk, image_id).get("ImageVersion") == version


# ------------------------------------------------------------------- instance disks busy --

@sdks
def test_instance_busy_while_its_image_snapshots_progress(api, sdk):
    started = time.monotonic()
    create_image(api, sdk, InstanceId="i-ali-stopped")
    again = api.create_image(sdk, InstanceId="i-ali-stopped")
    snap = api.create_snapshot(sdk, DiskId="d-ali-stopped-data")
    assert time.monotonic() - started < 1.8, "too slow to see the snapshots in progress"
    assert_page_code(again, "IncorrectInstanceStatus")
    assert_page_error(snap, "IncorrectDiskStatus.CreatingSnapshot", 403,
                      ["A previous snapshot creation is in process."])
    # The snapshots take settings.timings.snapshot_seconds (2 s); then the instance can make images
    # again. The virtual clock moves one second at a time; elapsed counts real time and the moves.
    moved_before = control.advanced()

    def elapsed() -> float:
        return time.monotonic() - started + control.advanced() - moved_before

    while True:
        control.advance(1)
        out = api.create_image(sdk, InstanceId="i-ali-stopped")
        if out.ok or elapsed() > 15:
            break
        assert_page_code(out, "IncorrectInstanceStatus")
    assert_created_image(out)
    assert elapsed() >= 1.5, "the instance was free before its snapshots were done"


# ------------------------------------------------------------------------------- DryRun --

DRY_RUN_OK = ["Request validation has been passed with DryRun flag set."]


@sdks
@pytest.mark.parametrize("params", [
    {"SnapshotId": SYS_SNAPSHOT},
    {"InstanceId": "i-ali-stopped"},
    {"DiskDeviceMapping": mapping({"SnapshotId": SYS_SNAPSHOT}, {"Size": 10})},
], ids=["snapshot", "instance", "mappings"])
def test_dry_run_creates_nothing(api, sdk, params):
    out = api.create_image(sdk, ImageName="conf-dry", DryRun=True, **params)
    assert_page_error(out, "DryRunOperation", 400, DRY_RUN_OK)
    assert images_named(api, sdk, "conf-dry") == []
    body, images = describe_images(api, sdk, Status=ALL_STATUSES)
    assert ids(images) == ["m-ali-golden"], json.dumps(body)
    if "InstanceId" in params:
        # No snapshot was taken either: the disks are free for one.
        snap = api.create_snapshot(sdk, DiskId="d-ali-stopped-data")
        assert snap.ok, snap.describe()


@sdks
def test_dry_run_reports_the_error_first(api, sdk):
    out = api.create_image(sdk, SnapshotId="s-nope", DryRun=True)
    assert_page_code(out, "InvalidSnapshotId.NotFound")
    out = api.create_image(sdk, SnapshotId=SYS_SNAPSHOT, ImageName="golden-base", DryRun=True)
    assert_page_code(out, "InvalidImageName.Duplicated")


@sdks
def test_dry_run_false_creates(api, sdk):
    image_id = create_image(api, sdk, SnapshotId=SYS_SNAPSHOT, ImageName="conf-wet", DryRun=False)
    assert ids(images_named(api, sdk, "conf-wet")) == [image_id]


@sdks
def test_dry_run_leaves_the_token_unused(api, sdk):
    token = str(uuid.uuid4())
    out = api.create_image(sdk, SnapshotId=SYS_SNAPSHOT, ImageName="conf-dry-token", ClientToken=token, DryRun=True)
    assert_page_error(out, "DryRunOperation", 400, DRY_RUN_OK)
    image_id = create_image(api, sdk, SnapshotId=SYS_SNAPSHOT, ImageName="conf-dry-token", ClientToken=token)
    assert ids(images_named(api, sdk, "conf-dry-token")) == [image_id]


# ---------------------------------------------------------------------------- ClientToken --

@sdks
@pytest.mark.parametrize("source", [
    {"SnapshotId": SYS_SNAPSHOT},
    {"InstanceId": "i-ali-stopped"},
    {"DiskDeviceMapping": mapping({"SnapshotId": SYS_SNAPSHOT}, {"SnapshotId": DATA_SNAPSHOT})},
], ids=["snapshot", "instance", "mappings"])
def test_client_token_replay_returns_same_image(api, sdk, source):
    token = str(uuid.uuid4())
    params = dict(source, ImageName="conf-token", ClientToken=token)
    first = create_image(api, sdk, **params)
    again = api.create_image(sdk, **params)
    assert assert_created_image(again) == first, again.describe()
    assert ids(images_named(api, sdk, "conf-token")) == [first]


@sdks
def test_client_token_with_other_name_conflicts(api, sdk):
    token = str(uuid.uuid4())
    first = create_image(api, sdk, SnapshotId=SYS_SNAPSHOT, ImageName="conf-token-a", ClientToken=token)
    out = api.create_image(sdk, SnapshotId=SYS_SNAPSHOT, ImageName="conf-token-b", ClientToken=token)
    assert_page_code(out, "InvalidParamter.Conflict")
    assert images_named(api, sdk, "conf-token-b") == []
    assert ids(images_named(api, sdk, "conf-token-a")) == [first]


@sdks
def test_client_token_with_other_source_conflicts(api, sdk):
    token = str(uuid.uuid4())
    create_image(api, sdk, SnapshotId=SYS_SNAPSHOT, ImageName="conf-token-src", ClientToken=token)
    out = api.create_image(sdk, InstanceId="i-ali-stopped", ImageName="conf-token-src", ClientToken=token)
    assert_page_code(out, "InvalidParamter.Conflict")


@sdks
def test_client_token_is_per_account(api, sdk):
    token = str(uuid.uuid4())
    mine = create_image(api, sdk, SnapshotId=SYS_SNAPSHOT, ClientToken=token)
    theirs = create_image(api, sdk, "acct-ali-other", SnapshotId="s-ali-other", ClientToken=token)
    assert mine != theirs


@sdks
def test_refused_call_gives_its_token_back(api, sdk):
    token = str(uuid.uuid4())
    out = api.create_image(sdk, SnapshotId="s-nope", ImageName="conf-token-retry", ClientToken=token)
    assert_page_code(out, "InvalidSnapshotId.NotFound")
    create_image(api, sdk, SnapshotId=SYS_SNAPSHOT, ImageName="conf-token-retry", ClientToken=token)
