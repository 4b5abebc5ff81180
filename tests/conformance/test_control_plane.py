"""The operator's control plane seen by the official SDKs: a runtime fault put in force under
/_emulator/faults reaches the SDK as the provider's error, in the provider's envelope, and is gone
after DELETE; the virtual clock moves what the SDK reads.

The suite's gateway runs with --control-plane (infra/local/test.sh).
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

import pytest

from conftest import mark_dirty
from tencent_sdk import SDK_VARIANTS, assert_created_image, assert_tc_error, assert_tc_ok

STOPPED = "ins-tc-stopped"


def control(method: str, path: str, body=None):
    url = "http://%s/_emulator/%s" % (os.environ["GATEWAY_ENDPOINT"], path)
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.fixture
def no_faults_after():
    yield
    status, _ = control("DELETE", "faults")
    assert status == 200


@pytest.mark.parametrize("sdk", SDK_VARIANTS)
@pytest.mark.parametrize("code", ["InternalError", "ResourceInsufficient.CloudDiskUnavailable"])
def test_a_fault_on_tencent_create_image_reaches_the_sdk_then_goes(api, sdk, code, no_faults_after):
    status, body = control("POST", "faults", {"id": "tc-create-image", "dialect": "tencent",
                                               "action": "CreateImage", "code": code})
    assert status == 200, body
    assert [f["id"] for f in body["faults"]] == ["tc-create-image"], body
    hit = api.tc_create_image(sdk, InstanceId=STOPPED, ImageName="fault-%s" % sdk)
    assert_tc_error(hit, code)
    # Other actions are served as before.
    assert_tc_ok(api.tc_describe_images(sdk))

    status, body = control("DELETE", "faults?id=tc-create-image")
    assert (status, body) == (200, {"removed": 1})
    assert_created_image(api.tc_create_image(sdk, InstanceId=STOPPED, ImageName="fault-%s" % sdk))


def test_a_counted_fault_hits_that_many_calls(api, no_faults_after):
    status, body = control("POST", "faults", {"dialect": "tencent", "action": "DescribeImages",
                                               "code": "InternalError", "count": 2})
    assert status == 200, body
    outcomes = [api.tc_describe_images("tc3") for _ in range(4)]
    assert [o.code for o in outcomes] == ["InternalError", "InternalError", None, None], \
        [o.describe() for o in outcomes]


def test_the_virtual_clock_moves_what_the_sdk_reads(api):
    mark_dirty()
    made = assert_created_image(api.tc_create_image("tc3", InstanceId=STOPPED, ImageName="clock-image"))
    status, body = control("POST", "clock", {"advance": "2h"})
    try:
        assert status == 200, body
        out = api.tc_describe_images("tc3", ImageIds=[made])
        [image] = assert_tc_ok(out)["ImageSet"]
        # Made two virtual hours ago: long done.
        assert image["ImageState"] == "NORMAL", image
    finally:
        status, body = control("POST", "clock", {"real": True})
        assert status == 200 and body["offset_ms"] == 0, body
