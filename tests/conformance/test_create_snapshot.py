"""CreateSnapshot (ECS 2014-05-26) through the official Alibaba Python SDKs.

Each documented error code of ECS CreateSnapshot is a test here, run with
every SDK variant (tea ACS3, tea v1, old core v1). HTTP statuses and messages are those of the
ECS API reference, CreateSnapshot.
"""
from __future__ import annotations

import threading
import time
import uuid

import pytest

from ecs_sdk import SDK_VARIANTS, Creds, assert_error, assert_request_id

DISK = "d-ali-stopped-data"

# code -> (HTTP status, accepted Message values), from the CreateSnapshot reference page.
PAGE_CODES = {
    "InvalidDiskId.NotFound": (404, ["The specified DiskId does not exist."]),
    "InvalidSnapshotName.Malformed": (400, ["The specified SnapshotName is wrongly formed."]),
    "InvalidDescription.Malformed": (404, ["The specified description is wrongly formed."]),
    "IncorrectInstanceStatus": (400, ["The current status of the resource does not support this operation."]),
    "IncorrectDiskStatus.CreatingSnapshot": (403, ["A previous snapshot creation is in process."]),
    "InstanceLockedForSecurity": (403, ["The disk attached instance is locked due to security."]),
    "IncorrectDiskStatus.NeverAttached": (403, ["The specified disk has never been attached to any instance."]),
    "QuotaExceed.Snapshot": (403, ["The snapshot quota exceeds."]),
    "IncorrectDiskStatus.NeverUsed": (403, ["The specified disk has never been used after creating."]),
    "CreateSnapshot.Failed": (403, ["The process of creating snapshot is failed."]),
    "DiskInArrears": (403, ["The specified operation is denied as your disk has expired."]),
    "InternalError": (500, ["The request processing has failed due to some unknown error."]),
    "DiskId.ValueNotSupported": (403, ["The specified parameter diskid is not supported."]),
    "DiskCategory.OperationNotSupported": (
        400, ["The operation is not supported to the specified disk due to its disk category"]),
    "IncorrectDiskStatus": (403, ["The current disk status does not support this operation."]),
    "InvalidAccountStatus.NotEnoughBalance": (403, ["Your account does not have enough balance."]),
    "InvalidAccountStatus.SnapshotServiceUnavailable": (403, ["Snapshot service has not been opened yet."]),
    "InvalidInstanceId.NotFound": (404, ["The specified InstanceId does not exist."]),
    "IncorrectVolumeStatus": (403, ["The current volume status does not support this operation."]),
    "InvalidVolumeId.NotFound": (404, ["The specified volume does not exist."]),
    "IdempotentParameterMismatch": (403, ["The specified clientToken is used."]),
    "IncorrectDiskStatus.Invalid": (403, ["The specified device status invalid, restart instance and try again."]),
    "IncorrectDiskType.NotSupport": (403, ["The specified device type is not supported."]),
    "IncorrectDiskStatus.Transferring": (
        403, ["The specified device is transferring, you can retry after the process is finished."]),
    "InvalidParameter.KMSKeyId.KMSUnauthorized": (403, ["ECS service have no right to access your KMS."]),
    "Duplicate.TagKey": (400, ["The Tag.N.Key contain duplicate key."]),
    "InvalidTagKey.Malformed": (400, ["The specified Tag.n.Key is not valid."]),
    "InvalidTagValue.Malformed": (400, ["The specified Tag.n.Value is not valid."]),
    "IdempotentProcessing": (403, ["The previous idempotent request(s) is still processing."]),
}

ERROR_BODY_FIELDS = ("RequestId", "HostId", "Code", "Message", "Recommend")


def assert_page_code(out, code):
    """Code, HTTP status and request id as the CreateSnapshot page says; then the message and body shape."""
    status, messages = PAGE_CODES[code]
    assert_error(out, code, status)
    assert out.message in messages, "Message differs from the reference page: " + out.describe()
    if out.sdk.startswith("tea"):
        missing = [f for f in ERROR_BODY_FIELDS if f not in out.body]
        assert not missing, "error body lacks %s: %s" % (missing, out.describe())
        assert out.body["Code"] == code and out.body["RequestId"] == out.request_id


def assert_created(out):
    assert out.ok, "CreateSnapshot failed: " + out.describe()
    assert out.status == 200, out.describe()
    assert_request_id(out)
    snapshot_id = out.body.get("SnapshotId")
    assert isinstance(snapshot_id, str) and snapshot_id.startswith("s-") and len(snapshot_id) > 2, out.describe()
    return snapshot_id


sdks = pytest.mark.parametrize("sdk", SDK_VARIANTS)


# ------------------------------------------------------------------------------ success --

@sdks
@pytest.mark.parametrize("disk", ["d-ali-stopped-data", "d-ali-stopped-sys", "d-ali-running-data",
                                  "d-ali-expired"])
def test_create_snapshot_succeeds(api, sdk, disk):
    out = api.create_snapshot(sdk, DiskId=disk)
    assert_created(out)


@sdks
def test_create_snapshot_with_all_fields_succeeds(api, sdk):
    out = api.create_snapshot(sdk, DiskId=DISK, SnapshotName="conf-all_fields:1", Description="nightly backup",
                              RetentionDays=7, Tag=[{"Key": "env", "Value": "test"},
                                                    {"Key": "team", "Value": ""}])
    assert_created(out)


@sdks
def test_snapshot_ids_are_unique(api, sdk):
    first = assert_created(api.create_snapshot(sdk, DiskId="d-ali-stopped-data"))
    second = assert_created(api.create_snapshot(sdk, DiskId="d-ali-stopped-sys"))
    assert first != second


# --------------------------------------------------------------------- fixture rows: state --

STATE_ROWS = [
    ("InvalidDiskId.NotFound", "acct-ali", "d-nope"),
    ("InvalidDiskId.NotFound", "acct-ali", "d-ali-other-sys"),  # another account's disk
    ("IncorrectInstanceStatus", "acct-ali", "d-ali-starting-sys"),
    ("IncorrectDiskStatus.CreatingSnapshot", "acct-ali", "d-ali-running-sys"),  # world: s-ali-progressing
    ("InstanceLockedForSecurity", "acct-ali", "d-ali-locked-sys"),
    ("IncorrectDiskStatus.NeverAttached", "acct-ali", "d-ali-neverattached"),
    ("QuotaExceed.Snapshot", "acct-ali-quota", "d-ali-quota-data"),
    ("IncorrectDiskStatus.NeverUsed", "acct-ali", "d-ali-unused"),
    ("IncorrectDiskStatus.NeverUsed", "acct-ali", "d-ali-never-sys"),
    ("CreateSnapshot.Failed", "acct-ali", "d-ali-fails"),
    ("DiskInArrears", "acct-ali", "d-ali-arrears"),
    ("DiskId.ValueNotSupported", "acct-ali", "d-ali-nosnapshot"),
    ("DiskCategory.OperationNotSupported", "acct-ali", "d-ali-local"),
    ("IncorrectDiskStatus", "acct-ali", "d-ali-creating"),
    ("IncorrectDiskStatus", "acct-ali", "d-ali-loading"),
    ("InvalidAccountStatus.NotEnoughBalance", "acct-ali-poor", "d-ali-poor-sys"),
    ("InvalidAccountStatus.SnapshotServiceUnavailable", "acct-ali-nosnap", "d-ali-nosnap-sys"),
    ("InvalidInstanceId.NotFound", "acct-ali", "d-ali-orphan"),
    ("IncorrectVolumeStatus", "acct-ali", "v-ali-shared"),
    ("InvalidVolumeId.NotFound", "acct-ali", "v-nope"),
    ("IncorrectDiskStatus.Invalid", "acct-ali", "d-ali-invalid"),
    ("IncorrectDiskType.NotSupport", "acct-ali", "d-ali-badtype"),
    ("IncorrectDiskStatus.Transferring", "acct-ali", "d-ali-transferring"),
    ("InvalidParameter.KMSKeyId.KMSUnauthorized", "acct-ali", "d-ali-kms"),
]


@sdks
@pytest.mark.parametrize("code,account,disk", STATE_ROWS, ids=["%s-%s" % (r[0], r[2]) for r in STATE_ROWS])
def test_state_error(api, sdk, code, account, disk):
    out = api.create_snapshot(sdk, account, DiskId=disk, SnapshotName="conf-state")
    assert_page_code(out, code)


# --------------------------------------------------------------------- fixture rows: input --

INPUT_ROWS = [
    ("InvalidSnapshotName.Malformed", "name-auto1", {"SnapshotName": "auto1"}),
    ("InvalidSnapshotName.Malformed", "name-digit-first", {"SnapshotName": "1x"}),
    ("InvalidSnapshotName.Malformed", "name-1-char", {"SnapshotName": "a"}),
    ("InvalidSnapshotName.Malformed", "name-129-chars", {"SnapshotName": "a" * 129}),
    ("InvalidSnapshotName.Malformed", "name-http", {"SnapshotName": "http://x"}),
    ("InvalidDescription.Malformed", "description-1-char", {"Description": "a"}),
    ("InvalidDescription.Malformed", "description-257-chars", {"Description": "d" * 257}),
    ("Duplicate.TagKey", "tag-key-twice", {"Tag": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]}),
    ("InvalidTagKey.Malformed", "tag-key-empty", {"Tag": [{"Key": "", "Value": "v"}]}),
    ("InvalidTagKey.Malformed", "tag-key-65-chars", {"Tag": [{"Key": "k" * 65, "Value": "v"}]}),
    ("InvalidTagKey.Malformed", "tag-key-aliyun", {"Tag": [{"Key": "aliyunx", "Value": "v"}]}),
    ("InvalidTagKey.Malformed", "tag-key-acs", {"Tag": [{"Key": "acs:x", "Value": "v"}]}),
    ("InvalidTagKey.Malformed", "tag-key-http", {"Tag": [{"Key": "http://x", "Value": "v"}]}),
    ("InvalidTagValue.Malformed", "tag-value-129-chars", {"Tag": [{"Key": "k", "Value": "v" * 129}]}),
    ("InvalidTagValue.Malformed", "tag-value-acs", {"Tag": [{"Key": "k", "Value": "acs:x"}]}),
]


@sdks
@pytest.mark.parametrize("code,params", [(r[0], r[2]) for r in INPUT_ROWS], ids=[r[1] for r in INPUT_ROWS])
def test_input_error(api, sdk, code, params):
    out = api.create_snapshot(sdk, DiskId=DISK, **params)
    assert_page_code(out, code)


@sdks
@pytest.mark.parametrize("name", ["ab", "a" * 128, "Name_with-all:chars9"])
def test_snapshot_name_limits_accepted(api, sdk, name):
    assert_created(api.create_snapshot(sdk, DiskId=DISK, SnapshotName=name))


@sdks
@pytest.mark.parametrize("description", ["ab", "d" * 256])
def test_description_limits_accepted(api, sdk, description):
    assert_created(api.create_snapshot(sdk, DiskId=DISK, Description=description))


# ------------------------------------------------------------------------ busy disk, tokens --

@sdks
def test_second_snapshot_while_first_in_progress(api, sdk):
    assert_created(api.create_snapshot(sdk, DiskId=DISK, SnapshotName="conf-first"))
    out = api.create_snapshot(sdk, DiskId=DISK, SnapshotName="conf-second")
    assert_page_code(out, "IncorrectDiskStatus.CreatingSnapshot")


@sdks
def test_client_token_replay_returns_same_snapshot(api, sdk):
    token = str(uuid.uuid4())
    params = dict(DiskId=DISK, SnapshotName="conf-token", ClientToken=token)
    first = assert_created(api.create_snapshot(sdk, **params))
    again = api.create_snapshot(sdk, **params)
    assert assert_created(again) == first, again.describe()


@sdks
def test_client_token_with_other_params(api, sdk):
    token = str(uuid.uuid4())
    assert_created(api.create_snapshot(sdk, DiskId=DISK, SnapshotName="conf-token-a", ClientToken=token))
    out = api.create_snapshot(sdk, DiskId=DISK, SnapshotName="conf-token-b", ClientToken=token)
    assert_page_code(out, "IdempotentParameterMismatch")


@sdks
def test_client_token_is_per_account(api, sdk):
    token = str(uuid.uuid4())
    mine = assert_created(api.create_snapshot(sdk, DiskId=DISK, ClientToken=token))
    theirs = assert_created(api.create_snapshot(sdk, "acct-ali-other", DiskId="d-ali-other-sys", ClientToken=token))
    assert mine != theirs


@sdks
def test_client_token_while_first_call_processing(api, sdk, worlds, world_file):
    def slow(doc):
        doc["settings"].setdefault("timings", {})["request_processing_ms"] = 2000

    worlds.load(world_file(slow))
    try:
        token = str(uuid.uuid4())
        params = dict(DiskId=DISK, SnapshotName="conf-processing", ClientToken=token)
        first = {}
        thread = threading.Thread(target=lambda: first.setdefault("out", api.create_snapshot(sdk, **params)))
        started = time.monotonic()
        thread.start()
        time.sleep(0.5)
        second = api.create_snapshot(sdk, **params)
        second_elapsed = time.monotonic() - started
        thread.join(timeout=30)
        assert not thread.is_alive(), "the first call did not return"
        assert_page_code(second, "IdempotentProcessing")
        assert second_elapsed < 2.0, "the second call waited for the first (%.1f s)" % second_elapsed
        snapshot_id = assert_created(first["out"])
        assert time.monotonic() - started >= 2.0, "the first call did not hold its claim for 2 s"
        later = api.create_snapshot(sdk, **params)
        assert assert_created(later) == snapshot_id, later.describe()
    finally:
        worlds.load_reference()


# ----------------------------------------------------------------------------- the store --

@sdks
def test_store_unreachable_is_internal_error(api, sdk, spawn_gateway):
    at = spawn_gateway(["--table", "x"], env={"DYNAMODB_ENDPOINT": "http://127.0.0.1:9"})
    out = api.call(sdk, "acct-ali", "CreateSnapshot", {"DiskId": DISK}, at=at)
    assert_page_code(out, "InternalError")


# ------------------------------------------------------------------------------ signatures --

V1_MISMATCH_PREFIX = "Specified signature is not matched with our calculation. server string to sign is:"


@sdks
def test_wrong_secret(api, reference_world, sdk):
    key = reference_world.creds("acct-ali").access_key_id
    out = api.create_snapshot(sdk, Creds(key, "NotTheRightSecret0001"), DiskId=DISK)
    if sdk == "core-v1":
        # The old SDK compares the server's string to sign with its own and, when they are equal,
        # reports InvalidAccessKeySecret instead of SignatureDoesNotMatch.
        assert_error(out, "InvalidAccessKeySecret", 400)
    else:
        assert_error(out, "SignatureDoesNotMatch", 400)
        if sdk == "tea-v1":
            assert out.message.startswith(V1_MISMATCH_PREFIX), out.describe()
            assert "Timestamp%3D" in out.message and "Signature%3D" not in out.message, out.describe()


@sdks
def test_unknown_access_key(api, sdk):
    out = api.create_snapshot(sdk, Creds("LTAI5tNoSuchKey000001", "whatever"), DiskId=DISK)
    assert_error(out, "InvalidAccessKeyId.NotFound", 404)


@sdks
def test_key_of_another_provider_is_unknown(api, sdk):
    out = api.create_snapshot(sdk, "acct-tc", DiskId=DISK)
    assert_error(out, "InvalidAccessKeyId.NotFound", 404)
