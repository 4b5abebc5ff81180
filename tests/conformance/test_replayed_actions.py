"""A request an official SDK signed, captured and sent again under another action.

tencentcloud-sdk-python (TC3, POST and GET) and zenlayercloud-sdk-python sign only
``content-type;host``: the action header is outside the signature. The gateway binds a signature to
the action it was first used for, so the SDK's ``DescribeSnapshots`` sent again, byte for byte, as
``DeleteSnapshots`` is refused with the provider's signature code and deletes nothing, while the
same request sent again as itself is still served. (A change may follow under the same signature
within two seconds of its first use, as a read and a delete of one id signed in one second are
alike; the replays here come later.)
"""
from __future__ import annotations

import time

import pytest
import requests

import zenlayer_sdk as zs
from conftest import mark_dirty
from zenlayer_sdk import assert_ok, data_set

TC_SNAPSHOT = "snap-tc-data"
ZL_DISK = "zl-ins-running-sys"
PAST_ONE_SECOND = 2.2  # past the span in which one client second's requests arrive


def replay(sent, header: str, action: str) -> requests.Response:
    """Send the captured request's very bytes again with ``header`` set to ``action``."""
    headers = {k: v for k, v in sent.headers.items() if k.lower() != header.lower()}
    headers[header] = action
    return requests.request(sent.method, sent.url, headers=headers, data=sent.body, timeout=30)


@pytest.mark.parametrize("sdk", ["tc3", "tc3-get"])
def test_a_tencent_sdk_describe_sent_again_as_a_delete_is_refused(api, sdk):
    mark_dirty("acct-tc")  # should the delete go through, the next test gets the world back
    described = api.tc_describe_snapshots(sdk, SnapshotIds=[TC_SNAPSHOT])
    assert described.ok and described.body["TotalCount"] == 1, described.describe()
    assert described.sent is not None and "x-tc-action" not in described.sent.headers.get("Authorization", "")
    time.sleep(PAST_ONE_SECOND)
    answer = replay(described.sent, "X-TC-Action", "DeleteSnapshots")
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json", answer.text
    error = answer.json()["Response"]["Error"]
    assert error["Code"] == "AuthFailure.SignatureFailure", answer.text
    assert api.tc_describe_snapshots(sdk, SnapshotIds=[TC_SNAPSHOT]).body["TotalCount"] == 1, "nothing deleted"
    # The honest request, sent again as itself, is served.
    again = replay(described.sent, "X-TC-Action", "DescribeSnapshots")
    assert again.json()["Response"]["TotalCount"] == 1, again.text


@pytest.fixture
def zl(reference_world):
    mark_dirty("acct-zl")
    return zs.ZlApi(reference_world, on_create=mark_dirty)


@pytest.mark.parametrize("client", ["zec", "zec-2024"])
def test_a_zenlayer_sdk_describe_sent_again_as_a_delete_is_refused(zl, client):
    creds = zl.world.creds("acct-zl")
    made = zs.call(creds, "CreateSnapshot", {"diskId": ZL_DISK, "snapshotName": "kept"}, api=client)
    assert_ok(made)
    sid = made.model.snapshotId
    zl.wait_snapshot(sid)
    described = zs.call(creds, "DescribeSnapshots", {"snapshotIds": [sid]}, api=client)
    assert len(data_set(described)) == 1, described.describe()
    time.sleep(PAST_ONE_SECOND)
    answer = replay(described.sent, "x-zc-action", "DeleteSnapshots")
    assert answer.status_code == 401, answer.text
    assert set(answer.json()) == {"requestId", "code", "message"}, answer.text
    assert answer.json()["code"] == "SIGNATURE_MISMATCH", answer.text
    still = zs.call(creds, "DescribeSnapshots", {"snapshotIds": [sid]}, api=client)
    assert len(data_set(still)) == 1, "nothing deleted: " + still.describe()
    again = replay(described.sent, "x-zc-action", "DescribeSnapshots")
    assert again.status_code == 200 and len(again.json()["response"]["dataSet"]) == 1, again.text
    assert_ok(zs.call(creds, "DeleteSnapshots", {"snapshotIds": [sid]}, api=client))
