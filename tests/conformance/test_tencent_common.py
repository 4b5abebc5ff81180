"""What every Tencent call shares: the envelope (HTTP 200, Content-Type exactly application/json,
{"Response": {..., "RequestId"}}), authentication, regions and unknown actions; for CVM and CBS, with
every client variant.

The SDK itself checks little of the envelope (any non-200 becomes ServerNetworkError; a Content-Type
other than exactly application/json turns an error into an empty success), so the raw answers are
checked too, here with requests made by hand (tencent_sdk.tc3_raw) and in every other test through
the answer the SDK received (tencent_sdk.assert_tc_error / assert_tc_ok).
"""
from __future__ import annotations

import time

import pytest

from ecs_sdk import Creds
from tencent_sdk import (ALL_VARIANTS, IMAGE_ID_RE, UUID_RE, JSON_CT, assert_envelope, assert_tc_error, assert_tc_ok,
                         image_set)

all_sdks = pytest.mark.parametrize("sdk", ALL_VARIANTS)
STOPPED = "ins-tc-stopped"
UNKNOWN = Creds("AKIDUnknownKey000000000000000000000", "UnknownSecret0000000000000000000")


def wrong_secret(api, account="acct-tc") -> Creds:
    return Creds(api.creds(account).access_key_id, "WrongSecret00000000000000000000000")


# ------------------------------------------------------------------------ raw envelope --

def test_raw_success_envelope(api):
    out = api.tc_raw("acct-tc", "cvm", "DescribeImages", {"ImageIds": ["img-tcgolden"]})
    assert out.http_status == 200 and out.content_type == JSON_CT, out.describe()
    assert out.ok, out.describe()
    assert_envelope(out)
    response = out.raw["Response"]
    assert response.get("TotalCount") == 1, out.describe()
    assert [i.get("ImageId") for i in response.get("ImageSet") or []] == ["img-tcgolden"], out.describe()


def test_raw_create_success_envelope(api):
    out = api.tc_raw("acct-tc", "cvm", "CreateImage", {"InstanceId": STOPPED, "ImageName": "tc-raw"})
    assert out.http_status == 200 and out.content_type == JSON_CT, out.describe()
    assert out.ok, out.describe()
    assert_envelope(out)
    assert set(out.raw["Response"]) == {"ImageId", "RequestId"}, out.describe()
    assert IMAGE_ID_RE.match(out.raw["Response"]["ImageId"]), out.describe()


@pytest.mark.parametrize("action,service,payload,code", [
    ("CreateImage", "cvm", {"InstanceId": "ins-nope", "ImageName": "tc-raw"}, "InvalidInstanceId.NotFound"),
    ("CreateImage", "cvm", {"InstanceId": STOPPED}, "MissingParameter"),
    ("DescribeImages", "cvm", {"Limit": 101}, "InvalidParameterValue"),
    ("CreateSnapshot", "cbs", {"DiskId": "disk-nope"}, "InvalidDiskId.NotFound"),
    ("NoSuchAction", "cvm", {}, "InvalidAction"),
], ids=["not-found", "missing", "limit", "cbs-not-found", "no-such-action"])
def test_raw_error_envelope(api, action, service, payload, code):
    out = api.tc_raw("acct-tc", service, action, payload)
    assert out.http_status == 200, "API errors are HTTP 200: " + out.describe()
    assert out.content_type == JSON_CT, out.describe()
    assert set(out.raw) == {"Response"}, out.describe()
    assert set(out.raw["Response"]) == {"Error", "RequestId"}, out.describe()
    assert set(out.raw["Response"]["Error"]) == {"Code", "Message"}, out.describe()
    assert_tc_error(out, code)


def test_request_ids_differ(api):
    seen = set()
    for _ in range(3):
        out = api.tc_describe_images("tc3")
        assert_tc_ok(out)
        seen.add(out.request_id)
        out = api.tc_create_image("tc3", InstanceId="ins-nope", ImageName="tc-x")
        assert_tc_error(out, "InvalidInstanceId.NotFound")
        seen.add(out.request_id)
    assert len(seen) == 6, seen


# ---------------------------------------------------------------------- authentication --

@all_sdks
@pytest.mark.parametrize("action,params", [
    ("CreateImage", {"InstanceId": STOPPED, "ImageName": "tc-auth"}),
    ("DescribeImages", {}),
    ("CreateSnapshot", {"DiskId": "disk-tc-stopped-data"}),
    ("DescribeSnapshots", {}),
], ids=["create-image", "describe-images", "create-snapshot", "describe-snapshots"])
def test_wrong_secret(api, sdk, action, params):
    out = api.tc(sdk, wrong_secret(api), action, params)
    assert_tc_error(out, "AuthFailure.SignatureFailure")


@all_sdks
@pytest.mark.parametrize("action,params", [
    ("CreateImage", {"InstanceId": STOPPED, "ImageName": "tc-auth"}),
    ("DescribeSnapshots", {}),
], ids=["create-image", "describe-snapshots"])
def test_unknown_secret_id(api, sdk, action, params):
    assert_tc_error(api.tc(sdk, UNKNOWN, action, params), "AuthFailure.SecretIdNotFound")


@all_sdks
def test_key_of_another_provider_is_unknown(api, sdk):
    # An Alibaba access key is not a Tencent SecretId.
    out = api.tc(sdk, api.creds("acct-ali"), "DescribeImages", {})
    assert_tc_error(out, "AuthFailure.SecretIdNotFound")


def test_refused_signature_creates_nothing(api):
    out = api.tc("tc3", wrong_secret(api), "CreateImage", {"InstanceId": STOPPED, "ImageName": "tc-auth"})
    assert_tc_error(out, "AuthFailure.SignatureFailure")
    out = api.tc_describe_images("tc3")
    assert [i.get("ImageId") for i in image_set(out)] == ["img-tcgolden"], out.describe()


def test_tc3_stale_timestamp(api):
    # The SDK always signs with the current time; a stale request is made by hand.
    out = api.tc_raw("acct-tc", "cvm", "DescribeImages", {}, timestamp=int(time.time()) - 3600)
    assert_tc_error(out, "AuthFailure.SignatureExpire")


def test_tc3_unsigned(api):
    out = api.tc_raw("acct-tc", "cvm", "DescribeImages", {}, drop_headers=("Authorization",))
    assert_tc_error(out, "AuthFailure.InvalidAuthorization")
    assert_envelope(out)


def test_tc3_body_changed_after_signing(api):
    import json as _json
    import requests
    import tencent_sdk

    creds = api.creds("acct-tc")
    host = tencent_sdk.endpoint()
    signed = _json.dumps({"ImageIds": ["img-tcgolden"]}).encode()
    headers = tencent_sdk.tc3_headers(creds, "cvm", "DescribeImages", signed, host, "ap-guangzhou", int(time.time()))
    sent = _json.dumps({"ImageIds": ["img-tcquota1"]}).encode()
    resp = requests.post("http://%s/" % host, data=sent, headers=headers, timeout=30)
    out = tencent_sdk._outcome_from_http("raw-tc3", "DescribeImages", resp, host, time.time())
    assert_tc_error(out, "AuthFailure.SignatureFailure")


# ------------------------------------------------------------------------------ regions --

@all_sdks
@pytest.mark.parametrize("region", ["ap-nowhere", "cn-hangzhou"], ids=["unknown", "alibaba-region"])
@pytest.mark.parametrize("action,params", [
    ("CreateImage", {"InstanceId": STOPPED, "ImageName": "tc-region"}),
    ("DescribeImages", {}),
], ids=["create-image", "describe-images"])
def test_unsupported_region(api, sdk, region, action, params):
    assert_tc_error(api.tc(sdk, "acct-tc", action, params, region=region), "UnsupportedRegion")


@pytest.mark.parametrize("sdk", ["tc3", "hmac256"])
@pytest.mark.parametrize("region", ["ap-nowhere", "cn-hangzhou"], ids=["unknown", "alibaba-region"])
def test_unsupported_region_cbs(api, sdk, region):
    out = api.tc(sdk, "acct-tc", "CreateSnapshot", {"DiskId": "disk-tc-stopped-data"}, region=region)
    assert_tc_error(out, "UnsupportedRegion")


# ------------------------------------------------------------------------ unknown action --

@all_sdks
@pytest.mark.parametrize("service", ["cvm", "cbs"])
def test_unknown_action(api, sdk, service):
    out = api.tc(sdk, "acct-tc", "NoSuchAction", {}, service=service)
    assert_tc_error(out, "InvalidAction")


@all_sdks
def test_create_snapshots_plural_is_unknown(api, sdk):
    # CBS has CreateSnapshot (singular) only.
    assert_tc_error(api.tc(sdk, "acct-tc", "CreateSnapshots", {"DiskId": "disk-tc-stopped-data"}, service="cbs"),
                    "InvalidAction")


# ----------------------------------------------------------------- envelope of the SDK --

@all_sdks
def test_sdk_success_carries_request_id(api, sdk):
    for out in (api.tc_describe_images(sdk), api.tc_describe_snapshots(sdk)):
        assert_tc_ok(out)
        assert UUID_RE.match(out.body.get("RequestId") or ""), out.describe()
