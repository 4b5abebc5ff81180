"""CVM CreateImage in the legacy API 2.0 form (the older CVM CreateImage page): `/v2/index.php`, requests made by hand.

No SDK speaks this form any more, so the requests are built here (tencent_sdk.legacy_call), GET with
the parameters in the query string and POST with a form body, signed with the API 2.0 signature:
HmacSHA1 without SignatureMethod, string to sign = METHOD + host:port + "/v2/index.php" + "?" + the
decoded name=value pairs sorted by name and joined with "&".

The older page's limits apply on this path only: ImageName at most 20 characters, ImageDescription at most
60; InstanceId and ImageName are required. Its answer carries RequestID (as the page shows) and
RequestId (which the SDK's parser reads), equal, plus the ImageId. On `/` the same request follows
the API 3.0 page (see test_legacy_form_on_root_follows_api3).
"""
from __future__ import annotations

import json
import time

import pytest

from tencent_sdk import (IMAGE_ID_RE, SDK_VARIANTS, UUID_RE, assert_envelope, assert_tc_error, describe_image, flt,
                         ids, image_set, mono_start, wait_image_settled)

methods = pytest.mark.parametrize("method", ["GET", "POST"])
STOPPED = "ins-tc-stopped"


def assert_legacy_created(out) -> str:
    assert out.ok, "legacy CreateImage failed: " + out.describe()
    assert_envelope(out)
    response = out.raw["Response"]
    assert "Error" not in response, out.describe()
    assert isinstance(response.get("RequestID"), str) and UUID_RE.match(response["RequestID"]), out.describe()
    assert response.get("RequestID") == response.get("RequestId"), "RequestID != RequestId: " + out.describe()
    image_id = response.get("ImageId")
    assert isinstance(image_id, str) and IMAGE_ID_RE.match(image_id), out.describe()
    return image_id


def create(api, method, account="acct-tc", **params) -> str:
    return assert_legacy_created(api.tc_legacy(account, params, method=method))


# ------------------------------------------------------------------------------ success --

@methods
def test_create_image(api, method):
    started = time.monotonic()
    image_id = create(api, method, InstanceId=STOPPED, ImageName="tc-legacy", ImageDescription="legacy image")
    image = describe_image(api, "tc3", image_id)
    expected = {"ImageName": "tc-legacy", "ImageDescription": "legacy image", "ImageState": "CREATING",
                "ImageType": "PRIVATE_IMAGE", "ImageSource": "CREATE_IMAGE"}
    assert {k: image.get(k) for k in expected} == expected, json.dumps(image)
    image, seen, _ = wait_image_settled(api, "tc3", image_id, started)
    assert image.get("ImageState") == "NORMAL", seen


@methods
@pytest.mark.parametrize("params", [
    {"ImageName": "n" * 20},
    {"ImageName": "tc-legacy-desc", "ImageDescription": "d" * 60},
    {"ImageName": "tc-legacy-space", "ImageDescription": "with spaces & symbols = ok"},
], ids=["name-20", "description-60", "description-with-symbols"])
def test_limits_accepted(api, method, params):
    image_id = create(api, method, InstanceId=STOPPED, **params)
    image = describe_image(api, "tc3", image_id)
    for key, value in params.items():
        assert image.get(key) == value, json.dumps(image)


@methods
def test_sysprep_on_windows_accepted(api, method):
    create(api, method, InstanceId="ins-tc-windows", ImageName="tc-legacy-win", Sysprep="True")


@methods
def test_hmac_sha256_signature_method_accepted(api, method):
    out = api.tc_legacy("acct-tc", {"InstanceId": STOPPED, "ImageName": "tc-legacy-256"}, method=method,
                        signature_method="HmacSHA256")
    assert_legacy_created(out)


# ---------------------------------------------------------------------- the six codes --

ROWS = [
    pytest.param("InvalidParameter.ValueTooLarge", "acct-tc", {"InstanceId": STOPPED, "ImageName": "n" * 21},
                 id="name-21"),
    pytest.param("InvalidParameter.ValueTooLarge", "acct-tc",
                 {"InstanceId": STOPPED, "ImageName": "tc-legacy", "ImageDescription": "d" * 61}, id="description-61"),
    pytest.param("InvalidImageName.Duplicate", "acct-tc", {"InstanceId": STOPPED, "ImageName": "golden-tc"},
                 id="golden-tc"),
    pytest.param("InvalidInstanceId.NotFound", "acct-tc", {"InstanceId": "ins-nope", "ImageName": "tc-legacy"},
                 id="ins-nope"),
    pytest.param("InvalidInstanceId.NotFound", "acct-tc", {"InstanceId": "ins-tc-other", "ImageName": "tc-legacy"},
                 id="other-account"),
    pytest.param("ImageQuotaLimitExceeded", "acct-tc-quota", {"InstanceId": "ins-tc-quota", "ImageName": "tc-legacy"},
                 id="quota"),
    pytest.param("InvalidInstance.NotSupported", "acct-tc", {"InstanceId": "ins-tc-noimage", "ImageName": "tc-legacy"},
                 id="noimage"),
    pytest.param("MissingParameter", "acct-tc", {"ImageName": "tc-legacy"}, id="no-instance-id"),
    pytest.param("MissingParameter", "acct-tc", {"InstanceId": STOPPED}, id="no-image-name"),
]


@methods
@pytest.mark.parametrize("code,account,params", ROWS)
def test_legacy_row(api, method, code, account, params):
    assert_tc_error(api.tc_legacy(account, params, method=method), code)


@methods
def test_mutex_second_image_of_same_instance(api, method):
    first_out = api.tc_legacy("acct-tc", {"InstanceId": STOPPED, "ImageName": "tc-legacy-a"}, method=method)
    first = assert_legacy_created(first_out)
    started = mono_start(first_out)
    out = api.tc_legacy("acct-tc", {"InstanceId": STOPPED, "ImageName": "tc-legacy-b"}, method=method)
    gap = out.finished - first_out.started
    assert gap < 2.5, "too slow (%.1f s) to be sure the first image was still creating" % gap
    assert_tc_error(out, "MutexOperation.TaskRunning")
    image, seen, _ = wait_image_settled(api, "tc3", first, started)
    assert image.get("ImageState") == "NORMAL", seen
    create(api, method, InstanceId=STOPPED, ImageName="tc-legacy-b")


@methods
def test_duplicate_name_of_new_image(api, method):
    create(api, method, InstanceId=STOPPED, ImageName="tc-legacy-dup")
    out = api.tc_legacy("acct-tc", {"InstanceId": "ins-tc-windows", "ImageName": "tc-legacy-dup"}, method=method)
    assert_tc_error(out, "InvalidImageName.Duplicate")


@methods
def test_refused_calls_create_nothing(api, method):
    for params in ({"InstanceId": STOPPED, "ImageName": "n" * 21}, {"InstanceId": "ins-nope", "ImageName": "tc-x"}):
        assert not api.tc_legacy("acct-tc", params, method=method).ok
    out = api.tc_describe_images("tc3")
    assert ids(image_set(out), "ImageId") == ["img-tcgolden"], out.describe()


# --------------------------------------------------------------------------- signatures --

@methods
def test_wrong_secret(api, method):
    out = api.tc_legacy("acct-tc", {"InstanceId": STOPPED, "ImageName": "tc-legacy"}, method=method,
                        secret="NotTheSecret000000000000000000000")
    assert_tc_error(out, "AuthFailure.SignatureFailure")


@methods
def test_parameter_changed_after_signing(api, method):
    out = api.tc_legacy("acct-tc", {"InstanceId": STOPPED, "ImageName": "tc-legacy"}, method=method,
                        tamper={"ImageName": "tc-legacy-tampered"})
    assert_tc_error(out, "AuthFailure.SignatureFailure")
    assert image_set(api.tc_describe_images("tc3", Filters=[flt("image-name", "tc-legacy-tampered")])) == []


@methods
def test_signed_with_sha256_but_no_signature_method(api, method):
    # Without SignatureMethod the signature is HmacSHA1; an HMAC-SHA256 one does not match.
    out = api.tc_legacy("acct-tc", {"InstanceId": STOPPED, "ImageName": "tc-legacy"}, method=method,
                        sign_with="HmacSHA256")
    assert_tc_error(out, "AuthFailure.SignatureFailure")


@methods
def test_unknown_secret_id(api, method):
    from ecs_sdk import Creds

    out = api.tc_legacy(Creds("AKIDUnknown000000000000000000000000", "whatever"),
                        {"InstanceId": STOPPED, "ImageName": "tc-legacy"}, method=method)
    assert_tc_error(out, "AuthFailure.SecretIdNotFound")


@methods
def test_stale_timestamp(api, method):
    out = api.tc_legacy("acct-tc", {"InstanceId": STOPPED, "ImageName": "tc-legacy"}, method=method,
                        timestamp=int(time.time()) - 3600)
    assert_tc_error(out, "AuthFailure.SignatureExpire")


# ------------------------------------------------------------------- the same form on / --

@pytest.mark.parametrize("method", ["GET", "POST"])
def test_legacy_form_on_root_follows_api3(api, method):
    # On `/` the signature-v1 form follows the API 3.0 page: a 21-character name is fine there, and the
    # answer is the API 3.0 one (ImageId, RequestId).
    out = api.tc_legacy("acct-tc", {"InstanceId": STOPPED, "ImageName": "n" * 21}, method=method, path="/")
    assert out.ok, out.describe()
    assert_envelope(out)
    image_id = out.raw["Response"].get("ImageId")
    assert isinstance(image_id, str) and IMAGE_ID_RE.match(image_id), out.describe()
    assert describe_image(api, "tc3", image_id).get("ImageName") == "n" * 21


@pytest.mark.parametrize("sdk", SDK_VARIANTS)
def test_sdk_on_root_allows_longer_names_than_legacy(api, sdk):
    # The 20-character legacy limit does not leak to `/`.
    out = api.tc_create_image(sdk, InstanceId=STOPPED, ImageName="n" * 21, ImageDescription="d" * 61)
    assert out.ok, out.describe()
