"""The Zenlayer envelope: ZC2-HMAC-SHA256 authentication, action and version routing, body limits,
success and error shapes, by hand-signed requests and through the official SDK.

Errors are HTTP 4xx with a JSON body of exactly {"requestId", "code", "message"} (the SDK needs all
three); successes are HTTP 200 with {"requestId", "response": {"requestId", ...}}, both ids equal.
Authentication codes are the project's (the provider publishes none), all 401.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import zenlayer_sdk as zs
from conftest import mark_dirty
from ecs_sdk import Creds
from zenlayer_sdk import assert_error, assert_ok

# Requests captured from the official SDK, kept with the signature tests of the dialects crate.
VECTORS = Path(__file__).resolve().parents[2] / "shared" / "dialects" / "tests" / "vectors"


@pytest.fixture
def zl(reference_world):
    return zs.ZlApi(reference_world, on_create=mark_dirty)


def wrong_secret(zl) -> Creds:
    return Creds(zl.creds("acct-zl").access_key_id, "NotTheSecret0001")


UNKNOWN_KEY = Creds("ZLNoSuchAccessKey", "RefZenlayerSecret0001")


# ------------------------------------------------------------------------------ signer --

def test_signer_matches_captured_sdk_vector():
    """The raw signer here reproduces the SDK's signature of a captured request (helper self-check)."""
    v = json.loads((VECTORS / "zenlayer-zec-CreateImage.json").read_text())
    headers = {k.lower(): val for k, val in v["headers"]}
    sig = zs.zc2_signature(v["secret"], headers["x-zc-timestamp"], v["body"].encode("utf-8"),
                           headers["content-type"], headers["host"])
    assert sig == v["signature"]


def test_raw_signed_request_accepted(zl):
    out = zl.raw("acct-zl", "DescribeImages", {})
    assert_ok(out)


def test_charset_content_type_accepted(zl):
    """The provider's published signing example uses `application/json; charset=utf-8`."""
    assert_ok(zl.raw("acct-zl", "DescribeImages", {"pageSize": 10, "pageNum": 1},
                     content_type="application/json; charset=utf-8"))


# ------------------------------------------------------------------------- success shape --

@pytest.mark.parametrize("action", ["DescribeImages", "DescribeCustomImages", "DescribeSnapshots"])
def test_success_envelope(zl, action):
    out = zl.raw("acct-zl", action, {})
    assert_ok(out)
    assert out.headers.get("Content-Type", "").startswith("application/json"), out.headers
    assert set(out.body) == {"requestId", "response"}, out.describe()
    assert out.body["requestId"].startswith("T")
    assert out.body["response"]["requestId"] == out.body["requestId"], out.describe()
    assert out.body["response"]["totalCount"] == 0 and out.body["response"]["dataSet"] == []


def test_request_ids_differ(zl):
    a, b = zl.raw("acct-zl", "DescribeImages", {}), zl.raw("acct-zl", "DescribeImages", {})
    assert_ok(a)
    assert_ok(b)
    assert a.request_id != b.request_id


def test_sdk_reads_request_id(zl):
    out = zl.describe_images()
    assert_ok(out)
    assert out.model.requestId == out.body["requestId"] and out.model.requestId.startswith("T")
    assert out.model.totalCount == 0


# -------------------------------------------------------------------------- authentication --

def test_unsigned(zl):
    assert_error(zl.raw(None, "DescribeImages", {}), "INVALID_AUTHORIZATION", 401)


def test_unsigned_create(zl):
    out = zl.raw(None, "CreateImage", {"instanceId": "zl-ins-stopped", "imageName": "zl-unsigned"})
    assert_error(out, "INVALID_AUTHORIZATION", 401)
    assert zl.describe_images().body["totalCount"] == 0


def test_wrong_secret(zl):
    assert_error(zl.raw(wrong_secret(zl), "DescribeImages", {}), "SIGNATURE_MISMATCH", 401)


def test_unknown_access_key(zl):
    assert_error(zl.raw(UNKNOWN_KEY, "DescribeImages", {}), "INVALID_ACCESS_KEY", 401)


def test_tampered_body(zl):
    signed = json.dumps({"instanceId": "zl-ins-stopped", "imageName": "zl-signed"}).encode()
    out = zl.raw("acct-zl", "CreateImage", {"instanceId": "zl-ins-stopped", "imageName": "zl-tampered"},
                 signed_body=signed)
    assert_error(out, "SIGNATURE_MISMATCH", 401)


def test_signature_over_other_host(zl):
    """The Host is signed: a signature made for another host does not verify."""
    creds = zl.creds("acct-zl")
    ts = str(int(time.time()))
    sig = zs.zc2_signature(creds.secret, ts, b"{}", zs.CONTENT_TYPE, "console.zenlayer.com")
    out = zl.raw(None, "DescribeImages", b"{}", headers={
        "x-zc-signature-method": zs.SIGNATURE_METHOD, "x-zc-timestamp": ts,
        "Authorization": "%s Credential=%s, SignedHeaders=content-type;host, Signature=%s" % (
            zs.SIGNATURE_METHOD, creds.access_key_id, sig)})
    assert_error(out, "SIGNATURE_MISMATCH", 401)


def test_stale_timestamp(zl):
    out = zl.raw("acct-zl", "DescribeImages", {}, timestamp=int(time.time()) - 3600)
    assert_error(out, "SIGNATURE_EXPIRED", 401)


def test_bearer_token_refused(zl):
    out = zl.raw(None, "DescribeImages", {}, headers={"Authorization": "Bearer some-token"})
    assert_error(out, "INVALID_AUTHORIZATION", 401)


def test_sdk_wrong_secret(zl):
    out = zl.call(wrong_secret(zl), "DescribeImages", {})
    assert_error(out, "SIGNATURE_MISMATCH", 401)
    from zenlayercloud.common.excpetion.zenlayer_cloud_sdk_exception import ZenlayerCloudSdkException
    assert isinstance(out.exception, ZenlayerCloudSdkException)


def test_sdk_wrong_secret_create(zl):
    out = zl.call(wrong_secret(zl), "CreateImage", {"instanceId": "zl-ins-stopped", "imageName": "zl-bad-sig"})
    assert_error(out, "SIGNATURE_MISMATCH", 401)


def test_sdk_unknown_access_key(zl):
    assert_error(zl.call(UNKNOWN_KEY, "CreateSnapshot", {"diskId": "zl-ins-stopped-sys", "snapshotName": "zl-s"}),
                 "INVALID_ACCESS_KEY", 401)


def test_other_providers_key_refused(zl):
    """An Alibaba account's key is not a Zenlayer key."""
    ali = zl.world.creds("acct-ali")
    assert_error(zl.raw(ali, "DescribeImages", {}), "INVALID_ACCESS_KEY", 401)


# ----------------------------------------------------------------------- routing and body --

def test_unknown_action(zl):
    assert_error(zl.raw("acct-zl", "DescribeFoo", {}), "INVALID_ACTION_NOT_FOUND", 404)


def test_unknown_action_unsigned(zl):
    # The action is looked up before the signature is read: an unknown one is refused as such.
    assert_error(zl.raw(None, "DescribeFoo", {}), "INVALID_ACTION_NOT_FOUND", 404)


@pytest.mark.parametrize("body", [b'{"instanceId": ', b"not json", b"[1, 2]"], ids=["truncated", "text", "array"])
def test_bad_json(zl, body):
    assert_error(zl.raw("acct-zl", "CreateImage", body), "INVALID_PARAMETER", 400)


def test_body_too_large(zl):
    body = json.dumps({"instanceId": "zl-ins-stopped", "imageName": "zl-big", "pad": "x" * (1024 * 1024)})
    assert len(body) > 1024 * 1024
    assert_error(zl.raw("acct-zl", "CreateImage", body), "REQUEST_ENTITY_TOO_LARGE", 413)


def test_wrong_version(zl):
    assert_error(zl.raw("acct-zl", "DescribeImages", {}, version="1999-01-01"), "INVALID_VERSION_NOT_SUPPORTED", 400)


def test_wrong_version_create(zl):
    out = zl.raw("acct-zl", "CreateImage", {"instanceId": "zl-ins-stopped", "imageName": "zl-v"},
                 version="2099-12-31")
    assert_error(out, "INVALID_VERSION_NOT_SUPPORTED", 400)


# ------------------------------------------------------------------------------ throttling --

@pytest.fixture
def throttled_world(world_file, worlds):
    def mutate(doc):
        doc["settings"].setdefault("rate_limits", {})["zenlayer:DescribeImages"] = 1

    worlds.load(world_file(mutate))


def start_of_second():
    """Sleep to just after the next whole second: the gateway counts requests per clock second."""
    time.sleep(1.02 - (time.time() % 1.0))


def test_rate_limit_answer(zl, throttled_world):
    start_of_second()
    outs = [zl.raw("acct-zl", "DescribeImages", {}) for _ in range(4)]
    refused = [o for o in outs if not o.ok]
    assert refused, "4 requests within a second at a limit of 1/s were all accepted"
    for o in refused:
        assert_error(o, "REQUEST_LIMIT_EXCEEDED", 429)


def test_rate_limit_sdk_without_retries(zl, throttled_world):
    start_of_second()
    first = zl.call("acct-zl", "DescribeImages", {}, rate_limit_retries=0)
    second = zl.call("acct-zl", "DescribeImages", {}, rate_limit_retries=0)
    refused = [o for o in (first, second) if not o.ok]
    assert refused, "two SDK calls at once at a limit of 1/s were both accepted"
    assert_error(refused[-1], "REQUEST_LIMIT_EXCEEDED", 429)
    assert refused[-1].sends == 1


def test_rate_limit_sdk_retry_succeeds(zl, throttled_world):
    """The SDK retries REQUEST_LIMIT_EXCEEDED (re-signed, after its back-off) and then succeeds."""
    start_of_second()
    burst = [zl.raw("acct-zl", "DescribeImages", {}) for _ in range(2)]
    assert any(not o.ok for o in burst), "the limit of 1/s did not bite: %s" % [o.describe() for o in burst]
    out = zl.call("acct-zl", "DescribeImages", {}, rate_limit_retries=2, retry_duration=lambda i: 1.2)
    assert_ok(out)
    assert out.sends >= 2, "the SDK's first try should have been throttled (same second as the burst)"
