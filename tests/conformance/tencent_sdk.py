"""Drive the official Tencent Cloud Python SDK (CVM / CBS 2017-03-12) against the local gateway.

Client variants, named by ``sdk``:

- ``tc3``:     default ``ClientProfile``: TC3-HMAC-SHA256, ``POST /`` with a JSON body;
- ``hmac256``: ``signMethod="HmacSHA256"``: the signature-v1 form, ``POST /`` with a form body;
- ``tc3-get``: TC3-HMAC-SHA256 with ``HttpProfile(reqMethod="GET")``: parameters flattened into the
  query string (``Filters.0.Values.0=…``);
- ``hmac1``:   ``signMethod="HmacSHA1"``: the signature-v1 form with SHA-1.

Every documented error code's test runs with :data:`SDK_VARIANTS` (``tc3``, ``hmac256``); :data:`ALL_VARIANTS` adds
the other two for a subset of calls.

Every call goes through :func:`call`, which returns a :class:`TcOutcome` whatever the SDK did
(returned or raised). Besides what the SDK reports (its response model, or the
``TencentCloudSDKException`` code / message / requestId) the outcome records the raw HTTP answer the
SDK received (status, Content-Type, body): the SDK only parses an error when the status is 200 and
the Content-Type exactly ``application/json`` (or ``text/plain``), so a wrong envelope would
otherwise go unnoticed. The raw answer is taken by wrapping the client's own ``send_request``; the
request the SDK builds and sends is not changed.

Parameters are given as the API names them (PascalCase, nested lists and objects as JSON):
``{"InstanceId": "ins-…", "ImageName": "x", "DataDiskIds": ["disk-…"],
"TagSpecification": [{"ResourceType": "image", "Tags": [{"Key": "k", "Value": "v"}]}]}``.

The legacy API 2.0 form (``/v2/index.php``, the older CVM CreateImage page) has no SDK: :func:`legacy_call` builds and
signs those requests by hand, with the API 2.0 signature (HmacSHA1 over the sorted parameters). :func:`tc3_raw` does the same for a
TC3-HMAC-SHA256 request, for checks of the raw envelope and of requests the SDK cannot produce.

Pacing: the reference world allows 10 CreateImage calls per second per account
(``settings.rate_limits``). Tests run back to back can exceed that without meaning to, so every
CreateImage call made here waits, if needed, to keep at most :data:`PACE_CALLS` calls per account in
any :data:`PACE_WINDOW_S` window. The rate-limit tests pass ``pace=False`` to burst on purpose; their
calls are still recorded, so the calls after them wait until the window has passed.
"""
from __future__ import annotations

import base64
import collections
import hashlib
import hmac
import json
import os
import random
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Deque, Dict, List, Optional, Tuple

import control
from ecs_sdk import Creds

SDK_VARIANTS = ("tc3", "hmac256")
ALL_VARIANTS = ("tc3", "hmac256", "tc3-get", "hmac1")
REGION = "ap-guangzhou"
VERSION = "2017-03-12"
LEGACY_PATH = "/v2/index.php"

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
IMAGE_ID_RE = re.compile(r"^img-[a-z0-9]{8}$")
SNAPSHOT_ID_RE = re.compile(r"^snap-[a-z0-9]{8}$")
ISO_Z_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
JSON_CT = "application/json"

# action -> (service, request model, response model)
ACTIONS = {
    "CreateImage": ("cvm", "CreateImageRequest"),
    "DescribeImages": ("cvm", "DescribeImagesRequest"),
    "CreateSnapshot": ("cbs", "CreateSnapshotRequest"),
    "DescribeSnapshots": ("cbs", "DescribeSnapshotsRequest"),
    "DeleteImages": ("cvm", "DeleteImagesRequest"),
    "ModifyImageAttribute": ("cvm", "ModifyImageAttributeRequest"),
    "DeleteSnapshots": ("cbs", "DeleteSnapshotsRequest"),
    "ModifySnapshotAttribute": ("cbs", "ModifySnapshotAttributeRequest"),
    # The Tag service (API 2018-08-13), through the SDK's own tag client.
    "ModifyResourceTags": ("tag", "ModifyResourceTagsRequest"),
    "TagResources": ("tag", "TagResourcesRequest"),
    "UnTagResources": ("tag", "UnTagResourcesRequest"),
    "DescribeResourceTagsByResourceIds": ("tag", "DescribeResourceTagsByResourceIdsRequest"),
}
PACED_ACTIONS = ("CreateImage",)
PACE_CALLS = 8
PACE_WINDOW_S = 1.25


def endpoint() -> str:
    return os.environ["GATEWAY_ENDPOINT"]


# ------------------------------------------------------------------------------ outcome --

@dataclass
class TcOutcome:
    """What one call produced.

    ``ok``: the SDK returned (no exception). ``body``: the SDK's response model as a dict
    (PascalCase; fields the server left out are ``None``), or for hand-made requests the
    ``Response`` object. ``code`` / ``message`` / ``request_id``: from the SDK exception (or the
    model's ``RequestId`` on success). ``http_status`` / ``content_type`` / ``raw``: the HTTP answer
    as received (``raw`` is the parsed JSON document, ``None`` if it was not JSON).
    ``started`` / ``finished``: wall-clock times (``time.time()``) around the call.
    """

    sdk: str
    action: str
    ok: bool
    code: Optional[str] = None
    message: Optional[str] = None
    request_id: Optional[str] = None
    body: Dict[str, Any] = field(default_factory=dict)
    http_status: Optional[int] = None
    content_type: Optional[str] = None
    raw: Optional[Any] = None
    raw_text: str = ""
    exception: Optional[BaseException] = None
    started: float = 0.0
    finished: float = 0.0
    at: str = ""
    sent: Any = None  # the request the SDK sent (requests' PreparedRequest), as it went on the wire

    def describe(self) -> str:
        head = "%s %s @%s: HTTP %s %r" % (self.sdk, self.action, self.at, self.http_status, self.content_type)
        if self.ok:
            return "%s ok %s | raw %s" % (head, json.dumps(self.body, default=str, ensure_ascii=False)[:900],
                                          self.raw_text[:600])
        exc = "" if self.exception is None else " (%s: %s)" % (type(self.exception).__name__,
                                                             str(self.exception)[:300])
        return "%s code=%r message=%r request_id=%r | raw %s%s" % (
            head, self.code, self.message, self.request_id, self.raw_text[:600], exc)


# ------------------------------------------------------------------------------ pacing --

_PACE_LOCK = threading.Lock()
_PACE: Dict[str, Deque[float]] = collections.defaultdict(collections.deque)


def _pace(key: str, wait: bool) -> None:
    """Record a paced call for ``key`` (an access key id); first wait for room if ``wait``."""
    while True:
        with _PACE_LOCK:
            q = _PACE[key]
            now = time.monotonic()
            while q and now - q[0] > PACE_WINDOW_S:
                q.popleft()
            if not wait or len(q) < PACE_CALLS:
                q.append(now)
                return
            delay = PACE_WINDOW_S - (now - q[0]) + 0.01
        time.sleep(max(delay, 0.01))


def last_paced_call(key: str) -> Optional[float]:
    """time.monotonic() of the last CreateImage call recorded for ``key``, if any."""
    with _PACE_LOCK:
        q = _PACE.get(key)
        return q[-1] if q else None


def wait_fresh_second(keys: List[str], quiet_s: float = 1.1, margin_s: float = 0.02) -> None:
    """Sleep until no CreateImage call of ``keys`` happened for ``quiet_s`` seconds, then until just
    after the start of the next wall-clock second."""
    for key in keys:
        last = last_paced_call(key)
        if last is not None:
            left = quiet_s - (time.monotonic() - last)
            if left > 0:
                time.sleep(left)
    now = time.time()
    time.sleep((int(now) + 1 - now) + margin_s)


# ----------------------------------------------------------------------------- clients --

def profile(sdk: str, at: Optional[str] = None):
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile

    http = HttpProfile(protocol="http", endpoint=at or endpoint(), reqTimeout=30)
    if sdk == "tc3-get":
        http.reqMethod = "GET"
    elif sdk not in ("tc3", "hmac256", "hmac1"):
        raise ValueError("unknown Tencent SDK variant %r" % sdk)
    sign = {"tc3": None, "tc3-get": None, "hmac256": "HmacSHA256", "hmac1": "HmacSHA1"}[sdk]
    return ClientProfile(signMethod=sign, httpProfile=http)


def client(sdk: str, creds: Creds, service: str, region: Optional[str] = REGION, at: Optional[str] = None):
    from tencentcloud.common import credential

    cred = credential.Credential(creds.access_key_id, creds.secret)
    if service == "cvm":
        from tencentcloud.cvm.v20170312.cvm_client import CvmClient as C
    elif service == "cbs":
        from tencentcloud.cbs.v20170312.cbs_client import CbsClient as C
    elif service == "tag":
        from tencentcloud.tag.v20180813.tag_client import TagClient as C
    else:  # pragma: no cover - programming error
        raise ValueError("unknown service %r" % service)
    return C(cred, region, profile(sdk, at))


def _request_model(service: str, name: str, params: Dict[str, Any]):
    if service == "cvm":
        from tencentcloud.cvm.v20170312 import models
    elif service == "tag":
        from tencentcloud.tag.v20180813 import models
    else:
        from tencentcloud.cbs.v20170312 import models
    req = getattr(models, name)()
    req.from_json_string(json.dumps(params))
    return req


def _record_raw(c) -> List[Any]:
    """Wrap the client's send_request so the HTTP answers it receives are kept (request unchanged)."""
    seen: List[Any] = []
    original = c.request.send_request

    def send_request(req_inter):
        resp = original(req_inter)
        seen.append(resp)
        return resp

    c.request.send_request = send_request
    return seen


def _fill_raw(out: TcOutcome, seen: List[Any]) -> None:
    if not seen:
        return
    resp = seen[-1]
    out.sent = resp.request
    out.http_status = resp.status_code
    out.content_type = resp.headers.get("Content-Type")
    try:
        content = resp.content
    except Exception as e:  # noqa: BLE001
        out.raw_text = "<unreadable body: %s>" % e
        return
    out.raw_text = content.decode("utf-8", errors="replace")
    try:
        out.raw = json.loads(out.raw_text)
    except ValueError:
        out.raw = None


def call(sdk: str, creds: Creds, action: str, params: Dict[str, Any], region: Optional[str] = REGION,
         at: Optional[str] = None, service: Optional[str] = None, pace: bool = True) -> TcOutcome:
    """Run ``action`` with ``params`` through the variant ``sdk``; never raises for API errors.

    Known actions use the SDK's client method and request model (``client.CreateImage(req)``);
    any other action goes through ``client.call_json`` on ``service`` (default cvm).
    ``region=None`` leaves the region out. ``at`` is another ``host:port`` (default GATEWAY_ENDPOINT).
    """
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

    known = ACTIONS.get(action)
    svc = service or (known[0] if known else "cvm")
    c = client(sdk, creds, svc, region, at)
    seen = _record_raw(c)
    if action in PACED_ACTIONS:
        _pace(creds.access_key_id, wait=pace)
    out = TcOutcome(sdk=sdk, action=action, ok=False, at=at or endpoint())
    out.started = time.time()
    try:
        if known and svc == known[0]:
            resp = getattr(c, action)(_request_model(svc, known[1], params))
            body = json.loads(resp.to_json_string())
        else:
            body = c.call_json(action, params).get("Response") or {}
        out.ok = True
        out.body = body
        out.request_id = body.get("RequestId")
    except TencentCloudSDKException as e:
        out.code, out.message, out.request_id, out.exception = e.code, e.message, e.requestId, e
    except Exception as e:  # noqa: BLE001 - should not happen: the client wraps everything
        out.code, out.message, out.exception = "SDK:" + type(e).__name__, str(e)[:500], e
    out.finished = time.time()
    _fill_raw(out, seen)
    return out


# --------------------------------------------------------------------- hand-made requests --

def _outcome_from_http(sdk: str, action: str, resp, at: str, started: float) -> TcOutcome:
    out = TcOutcome(sdk=sdk, action=action, ok=False, at=at, started=started, finished=time.time())
    out.http_status = resp.status_code
    out.content_type = resp.headers.get("Content-Type")
    out.raw_text = resp.content.decode("utf-8", errors="replace")
    try:
        out.raw = json.loads(out.raw_text)
    except ValueError:
        out.code = "RAW:NotJson"
        return out
    response = out.raw.get("Response") if isinstance(out.raw, dict) else None
    if not isinstance(response, dict):
        out.code = "RAW:NoResponseObject"
        return out
    out.body = response
    out.request_id = response.get("RequestId")
    error = response.get("Error")
    if error is None:
        out.ok = True
    else:
        out.code = error.get("Code") if isinstance(error, dict) else "RAW:BadError"
        out.message = error.get("Message") if isinstance(error, dict) else None
    return out


def legacy_string_to_sign(method: str, host: str, path: str, params: Dict[str, str]) -> str:
    """METHOD + host[:port] + path + "?" + name=value (decoded, sorted by name) joined by &."""
    joined = "&".join("%s=%s" % (k, params[k]) for k in sorted(params))
    return "%s%s%s?%s" % (method.upper(), host, path, joined)


def legacy_sign(secret: str, string_to_sign: str, method: str = "HmacSHA1") -> str:
    digest = hashlib.sha256 if method == "HmacSHA256" else hashlib.sha1
    return base64.b64encode(hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), digest).digest()).decode()


def legacy_call(creds: Creds, params: Dict[str, Any], action: str = "CreateImage", method: str = "GET",
                path: str = LEGACY_PATH, at: Optional[str] = None, region: Optional[str] = REGION,
                secret: Optional[str] = None, signature_method: Optional[str] = None,
                timestamp: Optional[int] = None, tamper: Optional[Dict[str, str]] = None,
                sign_with: Optional[str] = None, pace: bool = True) -> TcOutcome:
    """One API 2.0 style request (the older CVM CreateImage page), signed HmacSHA1 without ``SignatureMethod`` by default.

    ``params``: business parameters (strings). ``secret``: sign with this instead of the account's
    secret. ``signature_method``: send ``SignatureMethod`` and sign accordingly (``HmacSHA256``).
    ``tamper``: parameters changed after signing. ``sign_with``: the HMAC actually used
    (``HmacSHA1`` / ``HmacSHA256``) when it should differ from what ``SignatureMethod`` announces.
    GET puts everything in the query string, POST in an ``application/x-www-form-urlencoded`` body.
    """
    import requests

    host = at or endpoint()
    all_params: Dict[str, str] = {
        "Action": action,
        "Version": VERSION,
        "Timestamp": str(int(time.time()) if timestamp is None else timestamp),
        "Nonce": str(random.randint(1, 2 ** 62)),
        "SecretId": creds.access_key_id,
    }
    if region is not None:
        all_params["Region"] = region
    if signature_method:
        all_params["SignatureMethod"] = signature_method
    for k, v in params.items():
        all_params[k] = v if isinstance(v, str) else str(v)
    to_sign = legacy_string_to_sign(method, host, path, all_params)
    all_params["Signature"] = legacy_sign(secret if secret is not None else creds.secret, to_sign,
                                          sign_with or signature_method or "HmacSHA1")
    if tamper:
        all_params.update(tamper)
    if action in PACED_ACTIONS:
        _pace(creds.access_key_id, wait=pace)
    url = "http://%s%s" % (host, path)
    started = time.time()
    if method.upper() == "GET":
        resp = requests.get(url, params=list(all_params.items()), timeout=30)
    else:
        resp = requests.post(url, data=list(all_params.items()), timeout=30,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    return _outcome_from_http("legacy-" + method.lower(), action, resp, host, started)


def tc3_headers(creds: Creds, service: str, action: str, body: bytes, host: str, region: Optional[str],
                timestamp: int, secret: Optional[str] = None,
                content_type: str = JSON_CT) -> Dict[str, str]:
    """Headers of a TC3-HMAC-SHA256 POST / (what the SDK sends), computed independently."""
    date = datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")
    canonical = "POST\n/\n\ncontent-type:%s\nhost:%s\n\ncontent-type;host\n%s" % (
        content_type, host, hashlib.sha256(body).hexdigest())
    scope = "%s/%s/tc3_request" % (date, service)
    to_sign = "TC3-HMAC-SHA256\n%d\n%s\n%s" % (timestamp, scope, hashlib.sha256(canonical.encode()).hexdigest())

    def h(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()

    key = h(h(h(("TC3" + (secret if secret is not None else creds.secret)).encode("utf-8"), date), service),
            "tc3_request")
    signature = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": content_type,
        "Host": host,
        "X-TC-Action": action,
        "X-TC-Version": VERSION,
        "X-TC-Timestamp": str(timestamp),
        "Authorization": "TC3-HMAC-SHA256 Credential=%s/%s, SignedHeaders=content-type;host, Signature=%s" % (
            creds.access_key_id, scope, signature),
    }
    if region is not None:
        headers["X-TC-Region"] = region
    return headers


def tc3_raw(creds: Creds, service: str, action: str, payload: Dict[str, Any], region: Optional[str] = REGION,
            at: Optional[str] = None, timestamp: Optional[int] = None, secret: Optional[str] = None,
            drop_headers: Tuple[str, ...] = (), pace: bool = True) -> TcOutcome:
    """A TC3-HMAC-SHA256 ``POST /`` made with ``requests`` (no SDK): the raw HTTP answer is the outcome."""
    import requests

    host = at or endpoint()
    body = json.dumps(payload).encode("utf-8")
    ts = int(time.time()) if timestamp is None else timestamp
    headers = tc3_headers(creds, service, action, body, host, region, ts, secret)
    for name in drop_headers:
        headers.pop(name, None)
    if action in PACED_ACTIONS:
        _pace(creds.access_key_id, wait=pace)
    started = time.time()
    resp = requests.post("http://%s/" % host, data=body, headers=headers, timeout=30)
    return _outcome_from_http("raw-tc3", action, resp, host, started)


# ------------------------------------------------------------------------------ checks --

def assert_envelope(out: TcOutcome) -> None:
    """HTTP 200, Content-Type exactly application/json, {"Response": {..., "RequestId": uuid}}."""
    assert out.http_status == 200, "HTTP status is not 200: " + out.describe()
    assert out.content_type == JSON_CT, "Content-Type is not exactly application/json: " + out.describe()
    assert isinstance(out.raw, dict) and isinstance(out.raw.get("Response"), dict), (
        "answer is not {\"Response\": {...}}: " + out.describe())
    rid = out.raw["Response"].get("RequestId")
    assert isinstance(rid, str) and UUID_RE.match(rid), "Response.RequestId is not a UUID: " + out.describe()


def assert_request_id(out: TcOutcome) -> None:
    assert isinstance(out.request_id, str) and out.request_id, "no RequestId came back: " + out.describe()
    assert UUID_RE.match(out.request_id), "RequestId is not a UUID: " + out.describe()


def assert_tc_error(out: TcOutcome, code: str) -> None:
    """The call failed with ``code``, in the Tencent error envelope, and the SDK read its requestId."""
    assert not out.ok, "expected %s, the call succeeded: %s" % (code, out.describe())
    assert out.code == code, "expected %s, got %s" % (code, out.describe())
    assert_envelope(out)
    err = out.raw["Response"].get("Error")
    assert isinstance(err, dict) and err.get("Code") == code, out.describe()
    assert isinstance(err.get("Message"), str) and err["Message"], "empty error Message: " + out.describe()
    assert out.message == err["Message"], out.describe()
    assert_request_id(out)
    assert out.request_id == out.raw["Response"]["RequestId"], out.describe()


def assert_tc_ok(out: TcOutcome) -> Dict[str, Any]:
    assert out.ok, "call failed: " + out.describe()
    assert_envelope(out)
    assert "Error" not in out.raw["Response"], out.describe()
    assert_request_id(out)
    return out.body


def assert_created_image(out: TcOutcome) -> str:
    body = assert_tc_ok(out)
    image_id = body.get("ImageId")
    assert isinstance(image_id, str) and IMAGE_ID_RE.match(image_id), "ImageId: " + out.describe()
    return image_id


def assert_created_snapshot(out: TcOutcome) -> str:
    body = assert_tc_ok(out)
    snapshot_id = body.get("SnapshotId")
    assert isinstance(snapshot_id, str) and SNAPSHOT_ID_RE.match(snapshot_id), "SnapshotId: " + out.describe()
    return snapshot_id


def image_set(out: TcOutcome) -> List[Dict[str, Any]]:
    body = assert_tc_ok(out)
    assert isinstance(body.get("TotalCount"), int), "TotalCount missing: " + out.describe()
    images = body.get("ImageSet")
    assert isinstance(images, list), "ImageSet missing: " + out.describe()
    return images


def snapshot_set(out: TcOutcome) -> List[Dict[str, Any]]:
    body = assert_tc_ok(out)
    assert isinstance(body.get("TotalCount"), int), "TotalCount missing: " + out.describe()
    snaps = body.get("SnapshotSet")
    assert isinstance(snaps, list), "SnapshotSet missing: " + out.describe()
    return snaps


def ids(items: List[Dict[str, Any]], key: str) -> List[str]:
    return [i.get(key) for i in items]


def parse_iso_z(value: Any) -> datetime:
    assert isinstance(value, str) and ISO_Z_RE.match(value), "%r is not YYYY-MM-DDTHH:MM:SSZ" % (value,)
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


# ------------------------------------------------------------------- describe and poll --

POLL_TIMEOUT_S = 20.0


def describe_image(api, sdk: str, image_id: str, account: str = "acct-tc") -> Dict[str, Any]:
    """DescribeImages ImageIds=[image_id]: exactly that image, TotalCount 1."""
    out = api.tc_describe_images(sdk, account, ImageIds=[image_id])
    images = image_set(out)
    assert ids(images, "ImageId") == [image_id], out.describe()
    assert out.body["TotalCount"] == 1, out.describe()
    return images[0]


def wait_image_settled(api, sdk: str, image_id: str, started: float, account: str = "acct-tc",
                       timeout: float = POLL_TIMEOUT_S, creating_first: bool = True):
    """Describe the image, moving the virtual clock one second forward between calls, until it
    leaves CREATING (with ``creating_first``, the first call must see CREATING).

    Returns (image, [(state, seconds since `started`)], seconds until it left CREATING): seconds of
    virtual time, the real time since `started` plus the moves.
    """
    elapsed = _virtual_elapsed(started)
    image = describe_image(api, sdk, image_id, account)
    if creating_first:
        assert image.get("ImageState") == "CREATING", "a new image is not CREATING at first: %s" % json.dumps(image)
    seen = [(image.get("ImageState"), round(elapsed(), 2))]
    while image.get("ImageState") == "CREATING" and elapsed() < timeout:
        control.advance(1)
        image = describe_image(api, sdk, image_id, account)
        if image.get("ImageState") != seen[-1][0]:
            seen.append((image.get("ImageState"), round(elapsed(), 2)))
    assert image.get("ImageState") != "CREATING", "still CREATING after %.0f s" % timeout
    return image, seen, elapsed()


def _virtual_elapsed(started: float):
    """Seconds of virtual time since ``started`` (a time.monotonic()), counting the clock's moves
    from now on."""
    moved_before = control.advanced()
    return lambda: time.monotonic() - started + control.advanced() - moved_before


def describe_snapshot(api, sdk: str, snapshot_id: str, account: str = "acct-tc") -> Dict[str, Any]:
    """DescribeSnapshots SnapshotIds=[snapshot_id]: exactly that snapshot, TotalCount 1."""
    out = api.tc_describe_snapshots(sdk, account, SnapshotIds=[snapshot_id])
    snaps = snapshot_set(out)
    assert ids(snaps, "SnapshotId") == [snapshot_id], out.describe()
    assert out.body["TotalCount"] == 1, out.describe()
    return snaps[0]


def wait_snapshot_settled(api, sdk: str, snapshot_id: str, started: float, account: str = "acct-tc",
                          timeout: float = POLL_TIMEOUT_S):
    """Describe the snapshot, moving the virtual clock one second forward between calls, until it
    leaves CREATING (the first call must see CREATING).

    Returns (snapshot, [(state, percent, seconds since `started`)], seconds until it left CREATING):
    seconds of virtual time, the real time since `started` plus the moves.
    """
    elapsed = _virtual_elapsed(started)
    snap = describe_snapshot(api, sdk, snapshot_id, account)
    assert snap.get("SnapshotState") == "CREATING", "a new snapshot is not CREATING at first: %s" % json.dumps(snap)
    seen = [("CREATING", snap.get("Percent"), round(elapsed(), 2))]
    while snap.get("SnapshotState") == "CREATING" and elapsed() < timeout:
        control.advance(1)
        snap = describe_snapshot(api, sdk, snapshot_id, account)
        state = (snap.get("SnapshotState"), snap.get("Percent"))
        if state != seen[-1][:2]:
            seen.append(state + (round(elapsed(), 2),))
    assert snap.get("SnapshotState") != "CREATING", "still CREATING after %.0f s; seen %s" % (timeout, seen)
    return snap, seen, elapsed()


def flt(name: str, *values: str) -> Dict[str, Any]:
    """One DescribeImages / DescribeSnapshots filter."""
    return {"Name": name, "Values": list(values)}


def tag_spec(*pairs: Tuple[str, str]) -> List[Dict[str, Any]]:
    """CreateImage TagSpecification for ResourceType image."""
    return [{"ResourceType": "image", "Tags": [{"Key": k, "Value": v} for k, v in pairs]}]


def mono_start(out: TcOutcome) -> float:
    """The time.monotonic() at which ``out``'s request was sent (after any pacing wait)."""
    return time.monotonic() - (time.time() - out.started)
