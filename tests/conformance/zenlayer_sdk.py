"""Drive the official Zenlayer Cloud Python SDK (zenlayercloud-sdk-python: ZEC 2025-09-01 and 2024-04-01,
ZRM 2025-10-14, User 2024-05-29) against the local gateway, and send hand-signed ZC2-HMAC-SHA256 requests where the SDK cannot say what a test needs.

Two ways in, both returning a :class:`ZlOutcome`:

- :func:`call`: ``ZecClient(Credential(ak, secret), Config(scheme="http", domain=GATEWAY_ENDPOINT))``
  and the action's method (``client.CreateImage(request)``), exactly as a user would. The request
  model is filled from a camelCase dict with the SDK's own ``from_json_string``. The SDK exposes
  neither the HTTP status nor the raw body, so the client's transport method is observed (never
  altered) to record them.
- :func:`raw_call`: a ``requests`` POST to ``/api/v2/zec`` signed here (Zenlayer API reference, signature), with every part
  overridable (secret, access key, body bytes, headers, timestamp), for the envelope and
  authentication tests and for the HTTP status of error rows.

Parameters are given with their wire names (camelCase), e.g.
``{"instanceId": "zl-ins-stopped", "imageName": "img-1", "tags": {"tags": [{"key": "k", "value": "v"}]}}``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, Iterable, List, Optional, Union

from requests.structures import CaseInsensitiveDict

import control
from ecs_sdk import Creds

SERVICE = "zec"
PATH = "/api/v2/zec"
API_VERSION = "2025-09-01"
SDK_VERSION_HEADER = "SDK_PYTHON_2.0.077"
SIGNATURE_METHOD = "ZC2-HMAC-SHA256"
CONTENT_TYPE = "application/json"

REGION = "asia-east-1"
ZONE = "asia-east-1a"

ZL_ID_RE = re.compile(r"^[0-9]{19}$")  # ZEC resource ids: 19 decimal digits
ERROR_KEYS = {"requestId", "code", "message"}


@dataclass
class ZlOutcome:
    """What one call produced, via the SDK (``via="sdk"``) or a raw request (``via="raw"``).

    ``status`` is the HTTP status (recorded from the transport for SDK calls). ``body`` is the
    ``response`` object of a success (SDK) or the whole parsed JSON answer (raw). ``model`` is the
    SDK's response model of a success. ``code``/``message``/``request_id`` are those the SDK
    exception carries (SDK) or the error body's fields (raw).
    """

    via: str
    ok: bool
    status: Optional[int] = None
    code: Optional[str] = None
    message: Optional[str] = None
    request_id: Optional[str] = None
    body: Any = None
    model: Any = None
    headers: Any = field(default_factory=dict)  # case-insensitive (requests' CaseInsensitiveDict)
    text: Optional[str] = None
    exception: Optional[BaseException] = None
    sends: int = 0  # HTTP requests the SDK sent for this call (its rate-limit retries add more)
    sent: Any = None  # the last request the SDK sent (requests' PreparedRequest), as it went on the wire

    def describe(self) -> str:
        if self.ok:
            return "%s: HTTP %s %s" % (self.via, self.status, json.dumps(self.body, default=str)[:1200])
        exc = "" if self.exception is None else " (%s: %s)" % (
            type(self.exception).__name__, str(self.exception)[:400])
        return "%s: HTTP %s code=%r message=%r request_id=%r text=%r%s" % (
            self.via, self.status, self.code, self.message, self.request_id, (self.text or "")[:600], exc)


def endpoint() -> str:
    return os.environ["GATEWAY_ENDPOINT"]


# ------------------------------------------------------------------------------------ SDK --

# The SDK's clients by the name used here: (package of the version, client module, client class).
CLIENTS = {
    "zec": ("zenlayercloud.zec.v20250901", "zec_client", "ZecClient"),
    "zec-2024": ("zenlayercloud.zec.v20240401", "zec_client", "ZecClient"),
    "zrm": ("zenlayercloud.zrm.v20251014", "zrm_client", "ZrmClient"),
    "user": ("zenlayercloud.user.v20240529", "user_client", "UserClient"),
}


def client(creds: Creds, at: Optional[str] = None, rate_limit_retries: Optional[int] = None,
           retry_duration: Optional[Callable[[int], float]] = None, api: str = "zec"):
    """The SDK's client of ``api`` (a key of CLIENTS) against the gateway (or ``at``).
    ``rate_limit_retries=None`` keeps the SDK default."""
    import importlib

    from zenlayercloud.common.config import Config
    from zenlayercloud.common.credential import Credential

    package, module, cls = CLIENTS[api]
    kwargs: Dict[str, Any] = {"scheme": "http", "domain": at or endpoint(), "request_timeout": 30}
    if rate_limit_retries is not None:
        kwargs["rate_limit_max_retries"] = rate_limit_retries
    if retry_duration is not None:
        kwargs["rate_limit_retry_duration"] = retry_duration
    client_class = getattr(importlib.import_module("%s.%s" % (package, module)), cls)
    return client_class(Credential(creds.access_key_id, creds.secret), Config(**kwargs))


def request_model(action: str, params: Dict[str, Any], api: str = "zec", beyond_model: Optional[Dict[str, Any]] = None):
    """The SDK's request model for ``action``, filled from camelCase ``params`` by the SDK itself.

    ``beyond_model``: fields the Python model of this version lacks but another official SDK of the
    same version sends (the Go SDK's 2024-04-01 ModifySnapshotsAttribute has ``isPermanent`` and
    ``retentionTime``, and Terraform sends them); set on the model, which serialises every attribute.
    """
    import importlib

    models = importlib.import_module(CLIENTS[api][0] + ".models")
    req = getattr(models, action + "Request")()
    req.from_json_string(json.dumps(params))
    for name, value in (beyond_model or {}).items():
        assert not hasattr(req, name), "%s is in the model: pass it in params" % name
        setattr(req, name, value)
    return req


def call(creds: Creds, action: str, params: Optional[Dict[str, Any]] = None, at: Optional[str] = None,
         rate_limit_retries: Optional[int] = None,
         retry_duration: Optional[Callable[[int], float]] = None, api: str = "zec",
         beyond_model: Optional[Dict[str, Any]] = None) -> ZlOutcome:
    """``client.<action>(request)`` through the SDK's ``api`` client; never raises for API errors."""
    from zenlayercloud.common.excpetion.zenlayer_cloud_sdk_exception import ZenlayerCloudSdkException

    c = client(creds, at=at, rate_limit_retries=rate_limit_retries, retry_duration=retry_duration, api=api)
    seen: Dict[str, Any] = {}
    send = c._send_request
    api_call = c._api_call

    def observed_send(req):  # records the last HTTP answer; the SDK's own handling is unchanged
        resp = send(req)
        seen["status"], seen["text"] = resp.status, resp.data
        seen["headers"] = CaseInsensitiveDict(resp.header or {})
        seen["sends"] = seen.get("sends", 0) + 1
        return resp

    def observed_api_call(*args, **kwargs):  # the `response` dict the SDK hands to the model
        seen["response"] = api_call(*args, **kwargs)
        return seen["response"]

    proxy_request = c.proxy.request

    def observed_request(req):  # keeps the request as sent; the SDK's own handling is unchanged
        http_resp = proxy_request(req)
        seen["sent"] = http_resp.request
        return http_resp

    c._send_request = observed_send
    c._api_call = observed_api_call
    c.proxy.request = observed_request
    req = request_model(action, params or {}, api=api, beyond_model=beyond_model)

    def seen_parts() -> Dict[str, Any]:
        return dict(status=seen.get("status"), headers=seen.get("headers", {}), text=seen.get("text"),
                    sends=seen.get("sends", 0), sent=seen.get("sent"))

    try:
        model = getattr(c, action)(req)
    except ZenlayerCloudSdkException as e:
        return ZlOutcome(via="sdk", ok=False, code=e.code, message=e.message, request_id=e.request_id,
                         exception=e, **seen_parts())
    except Exception as e:  # noqa: BLE001 - KeyError / JSONDecodeError on a malformed answer
        return ZlOutcome(via="sdk", ok=False, code="SDK:" + type(e).__name__, message=str(e)[:500],
                         exception=e, **seen_parts())
    return ZlOutcome(via="sdk", ok=True, request_id=getattr(model, "requestId", None),
                     body=seen.get("response"), model=model, **seen_parts())


# ------------------------------------------------------------------------------- raw ZC2 --

def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def zc2_signature(secret: str, timestamp: str, body: bytes, content_type: str, host: str,
                  method: str = "POST") -> str:
    """ZC2-HMAC-SHA256 as the signature page and the SDK compute it: canonical URI `/`, empty query,
    signed headers content-type;host, the password as the HMAC key."""
    canonical = "%s\n/\n\ncontent-type:%s\nhost:%s\n\ncontent-type;host\n%s" % (
        method, content_type.strip(), host.strip(), sha256_hex(body))
    string_to_sign = "%s\n%s\n%s" % (SIGNATURE_METHOD, timestamp, sha256_hex(canonical.encode("utf-8")))
    return hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def raw_call(creds: Optional[Creds], action: Optional[str], body: Union[bytes, str, Dict[str, Any], None] = None,
             *, version: Optional[str] = API_VERSION, sign: bool = True, signed_body: Optional[bytes] = None,
             timestamp: Optional[int] = None, headers: Optional[Dict[str, Optional[str]]] = None,
             path: str = PATH, at: Optional[str] = None, content_type: str = CONTENT_TYPE,
             timeout: float = 30) -> ZlOutcome:
    """POST ``body`` (a dict is sent as ``json.dumps``, like the SDK) to ``path``, with the SDK's headers.

    ``creds=None`` or ``sign=False`` sends no Authorization, timestamp or signature-method header.
    ``signed_body`` signs other bytes than those sent (a tampered request). ``headers`` adds or
    replaces headers (a value of None removes one); ``content_type`` is sent and signed.
    ``action=None`` / ``version=None`` leave out x-zc-action / x-zc-version.
    """
    import requests

    host = at or endpoint()
    if body is None:
        data = b"{}"
    elif isinstance(body, dict):
        data = json.dumps(body).encode("utf-8")
    elif isinstance(body, str):
        data = body.encode("utf-8")
    else:
        data = body
    hdrs: Dict[str, str] = {
        "x-zc-service": SERVICE,
        "x-zc-sdk-version": SDK_VERSION_HEADER,
        "x-zc-sdk-lang": "Python",
        "Host": host,
        "Content-Type": content_type,
    }
    if version is not None:
        hdrs["x-zc-version"] = version
    if action is not None:
        hdrs["x-zc-action"] = action
    if sign and creds is not None:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sig = zc2_signature(creds.secret, ts, data if signed_body is None else signed_body, content_type, host)
        hdrs["x-zc-signature-method"] = SIGNATURE_METHOD
        hdrs["x-zc-timestamp"] = ts
        hdrs["Authorization"] = "%s Credential=%s, SignedHeaders=content-type;host, Signature=%s" % (
            SIGNATURE_METHOD, creds.access_key_id, sig)
    for name, value in (headers or {}).items():
        for existing in [k for k in hdrs if k.lower() == name.lower()]:
            del hdrs[existing]
        if value is not None:
            hdrs[name] = value
    try:
        resp = requests.post("http://%s%s" % (host, path), data=data, headers=hdrs, timeout=timeout)
    except Exception as e:  # noqa: BLE001 - connection reset on an oversized body, ...
        return ZlOutcome(via="raw", ok=False, code="CONN:" + type(e).__name__, message=str(e)[:500], exception=e)
    out = ZlOutcome(via="raw", ok=resp.status_code == 200, status=resp.status_code, headers=resp.headers,
                    text=resp.text)
    try:
        parsed = resp.json()
    except ValueError as e:
        out.ok = False
        out.code = "RAW:NonJson"
        out.exception = e
        return out
    out.body = parsed
    if isinstance(parsed, dict):
        if out.ok:
            out.request_id = parsed.get("requestId")
        else:
            out.code, out.message, out.request_id = parsed.get("code"), parsed.get("message"), parsed.get("requestId")
    return out


# ---------------------------------------------------------------------------- test API --

class ZlApi:
    """SDK and raw calls by account id of the reference world (or explicit Creds).

    ``on_create`` is called after every successful write (a create, delete, modification, tag or
    group change) with the id of the account it was made in, or None if that is not known (the
    suite's ``mark_dirty``).
    """

    def __init__(self, world, on_create: Callable[[Optional[str]], None]):
        self.world = world
        self.on_create = on_create

    def creds(self, account: Union[str, Creds]) -> Creds:
        return account if isinstance(account, Creds) else self.world.creds(account)

    def _after(self, action: Optional[str], account: Union[str, Creds, None], out: ZlOutcome) -> ZlOutcome:
        if action and action.startswith(("Create", "Delete", "Modify", "Add")) and out.ok:
            self.on_create(self.world.account_of(account))
        return out

    def call(self, account: Union[str, Creds], action: str, params: Optional[Dict[str, Any]] = None,
             **kwargs) -> ZlOutcome:
        return self._after(action, account, call(self.creds(account), action, params or {}, **kwargs))

    def raw(self, account: Union[str, Creds, None], action: Optional[str], body=None, **kwargs) -> ZlOutcome:
        creds = None if account is None else self.creds(account)
        return self._after(action, account, raw_call(creds, action, body, **kwargs))

    def create_image(self, account: Union[str, Creds] = "acct-zl", **params) -> ZlOutcome:
        return self.call(account, "CreateImage", params)

    def describe_images(self, account: Union[str, Creds] = "acct-zl", **params) -> ZlOutcome:
        return self.call(account, "DescribeImages", params)

    def describe_custom_images(self, account: Union[str, Creds] = "acct-zl", **params) -> ZlOutcome:
        return self.call(account, "DescribeCustomImages", params)

    def create_snapshot(self, account: Union[str, Creds] = "acct-zl", **params) -> ZlOutcome:
        return self.call(account, "CreateSnapshot", params)

    def describe_snapshots(self, account: Union[str, Creds] = "acct-zl", **params) -> ZlOutcome:
        return self.call(account, "DescribeSnapshots", params)

    # ---- polling ----

    def wait_image(self, image_id: str, account: Union[str, Creds] = "acct-zl", want: str = "AVAILABLE",
                   timeout: float = 20.0) -> List[str]:
        """Poll DescribeImages(imageIds=[id]) until imageStatus == want; returns the statuses seen."""
        return self._wait(lambda: self.describe_images(account, imageIds=[image_id]), "imageStatus", image_id,
                          want, timeout)

    def wait_snapshot(self, snapshot_id: str, account: Union[str, Creds] = "acct-zl", want: str = "AVAILABLE",
                      timeout: float = 20.0) -> List[str]:
        return self._wait(lambda: self.describe_snapshots(account, snapshotIds=[snapshot_id]), "status",
                          snapshot_id, want, timeout)

    @staticmethod
    def _wait(describe, status_field: str, rid: str, want: str, timeout: float) -> List[str]:
        """Describe, moving the virtual clock one second forward between calls, until ``want``;
        ``timeout``: seconds of virtual time (the real time plus the moves)."""
        seen: List[str] = []
        started, moved_before = time.monotonic(), control.advanced()
        while True:
            out = describe()
            assert out.ok, "describing %s failed: %s" % (rid, out.describe())
            items = data_set(out)
            assert len(items) == 1, "expected exactly %s, got %s" % (rid, out.describe())
            status = items[0].get(status_field)
            if not seen or seen[-1] != status:
                seen.append(status)
            if status == want:
                return seen
            elapsed = time.monotonic() - started + control.advanced() - moved_before
            assert elapsed < timeout, "%s still %s after %.0f s (seen %s)" % (rid, status, timeout, seen)
            control.advance(1)


# ---------------------------------------------------------------------------- reading --

def data_set(out: ZlOutcome) -> List[Dict[str, Any]]:
    """The dataSet list of a Describe* success (the response dict as the SDK received it)."""
    assert out.ok, out.describe()
    return list((out.body or {}).get("dataSet") or [])


def ids_of(out: ZlOutcome, key: str) -> List[str]:
    return [item.get(key) for item in data_set(out)]


def image_ids(out: ZlOutcome) -> List[str]:
    return ids_of(out, "imageId")


def snapshot_ids(out: ZlOutcome) -> List[str]:
    return ids_of(out, "snapshotId")


def retention(hours: float) -> str:
    """A retentionTime ``hours`` from now, as ``yyyy-MM-ddTHH:mm:ssZ``."""
    return (datetime.now(timezone.utc) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def tag_assoc(pairs: Iterable[tuple]) -> Dict[str, Any]:
    """CreateImage's TagAssociation: ``{"tags": [{"key", "value"}]}``."""
    return {"tags": [{"key": k, "value": v} for k, v in pairs]}


# ------------------------------------------------------------------------------ checks --

def assert_request_id(out: ZlOutcome) -> None:
    assert isinstance(out.request_id, str) and len(out.request_id) > 1 and out.request_id.startswith("T"), (
        "request id missing or not of the form T...: " + out.describe())


def assert_ok(out: ZlOutcome) -> None:
    assert out.ok, "expected success: " + out.describe()
    assert out.status == 200, out.describe()
    assert_request_id(out)


def assert_error(out: ZlOutcome, code: str, status: Optional[int]) -> None:
    """An error answer with ``code`` and HTTP ``status`` (None: do not check the status), a request id
    T..., and a non-empty message. Raw answers must also have exactly the three documented keys."""
    assert not out.ok, "expected %s (%s), the call succeeded: %s" % (code, status, out.describe())
    assert out.code == code, "expected %s (%s), got %s" % (code, status, out.describe())
    if status is not None:
        assert out.status == status, "expected HTTP %s for %s, got %s" % (status, code, out.describe())
    assert_request_id(out)
    assert isinstance(out.message, str) and out.message, "empty message: " + out.describe()
    if out.via == "raw":
        assert isinstance(out.body, dict) and set(out.body) == ERROR_KEYS, (
            "error body keys are not exactly %s: %s" % (sorted(ERROR_KEYS), out.describe()))
        assert (out.headers.get("Content-Type") or "").startswith(
            "application/json"), "error is not JSON by Content-Type: %s %s" % (out.headers, out.describe())
