"""Drive the official Alibaba ECS Python SDKs against the local gateway.

Three client variants are exercised, named by SDK_VARIANTS:

- ``tea-acs3``: alibabacloud-ecs20140526 (tea / darabonba), default ACS3-HMAC-SHA256 signing;
- ``tea-v1``:   the same SDK with ``signature_algorithm="v2"`` (RPC signature v1, HMAC-SHA1);
- ``core-v1``:  aliyun-python-sdk-core + aliyun-python-sdk-ecs (RPC signature v1 only).

Every call goes through :func:`call`, which returns an :class:`Outcome` whatever the SDK did
(returned or raised), so tests can assert on the same fields for every SDK.

Parameters are given with their wire names (PascalCase, as in the API reference):
``{"DiskId": "d-…", "SnapshotName": "x", "Tag": [{"Key": "k", "Value": "v"}]}``.
``DiskDeviceMapping`` (CreateImage) is a list of ``{"SnapshotId", "Size", "Device", "DiskType"}``
dicts; the N of ``DiskDeviceMapping.N`` is the position in the list (from 1). ``Filter``
(DescribeSnapshots, DescribeImages) is a list of ``{"Key", "Value"}`` dicts, sent as ``Filter.N.Key`` /
``Filter.N.Value`` the same way. ``_ExtraQuery`` (core-v1 only) is a dict of raw query parameters the
old SDK adds with ``add_query_param``.
"""
from __future__ import annotations

import importlib
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

SDK_VARIANTS = ("tea-acs3", "tea-v1", "core-v1")
REGION = "cn-hangzhou"
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class Creds:
    access_key_id: str
    secret: str


@dataclass
class Outcome:
    """What one SDK call produced, normalised across SDKs.

    ``status`` is the HTTP status. The old core SDK only returns (rather than raising) on a 2xx
    answer without telling which one; such a success is recorded as 200.
    ``body`` is the parsed success body (PascalCase keys) or, where the SDK exposes it, the
    error object the server sent. ``message`` is the server's ``Message`` field.
    """

    sdk: str
    ok: bool
    status: Optional[int] = None
    code: Optional[str] = None
    message: Optional[str] = None
    request_id: Optional[str] = None
    body: Dict[str, Any] = field(default_factory=dict)
    exception: Optional[BaseException] = None

    def describe(self) -> str:
        if self.ok:
            return "%s: HTTP %s %s" % (self.sdk, self.status, json.dumps(self.body, default=str)[:800])
        exc = "" if self.exception is None else " (%s: %s)" % (
            type(self.exception).__name__, str(self.exception)[:400])
        return "%s: HTTP %s code=%r message=%r request_id=%r body=%s%s" % (
            self.sdk, self.status, self.code, self.message, self.request_id,
            json.dumps(self.body, default=str)[:800], exc)


def endpoint() -> str:
    return os.environ["GATEWAY_ENDPOINT"]


# ----------------------------------------------------------------------------- clients --

def tea_client(creds: Creds, v1: bool = False, endpoint_override: Optional[str] = None):
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi import models as open_api_models

    cfg = open_api_models.Config(
        access_key_id=creds.access_key_id,
        access_key_secret=creds.secret,
        endpoint=endpoint_override or endpoint(),
        protocol="http",
        region_id=REGION,
        read_timeout=20000,
        connect_timeout=5000,
    )
    if v1:
        cfg.signature_algorithm = "v2"  # the RPC HMAC-SHA1 (signature v1) code path
    return Client(cfg)


def core_client(creds: Creds):
    from aliyunsdkcore.client import AcsClient

    return AcsClient(creds.access_key_id, creds.secret, REGION)


# ------------------------------------------------------------------- request builders --

def _tea_create_snapshot(params: Dict[str, Any]):
    from alibabacloud_ecs20140526 import models as m

    tags = None
    if "Tag" in params:
        tags = [m.CreateSnapshotRequestTag(key=t.get("Key"), value=t.get("Value")) for t in params["Tag"]]
    return m.CreateSnapshotRequest(
        disk_id=params.get("DiskId"),
        snapshot_name=params.get("SnapshotName"),
        description=params.get("Description"),
        retention_days=params.get("RetentionDays"),
        client_token=params.get("ClientToken"),
        category=params.get("Category"),
        instant_access=params.get("InstantAccess"),
        instant_access_retention_days=params.get("InstantAccessRetentionDays"),
        resource_group_id=params.get("ResourceGroupId"),
        storage_location_arn=params.get("StorageLocationArn"),
        tag=tags,
    )


def _tea_delete_snapshot(params: Dict[str, Any]):
    from alibabacloud_ecs20140526 import models as m

    return m.DeleteSnapshotRequest(snapshot_id=params.get("SnapshotId"), force=params.get("Force"))


def _tea_describe_snapshots(params: Dict[str, Any]):
    from alibabacloud_ecs20140526 import models as m

    tags = None
    if "Tag" in params:
        tags = [m.DescribeSnapshotsRequestTag(key=t.get("Key"), value=t.get("Value")) for t in params["Tag"]]
    filters = None
    if params.get("Filter") is not None:
        filters = [m.DescribeSnapshotsRequestFilter(key=f.get("Key"), value=f.get("Value")) for f in params["Filter"]]
    return m.DescribeSnapshotsRequest(
        region_id=params.get("RegionId", REGION),
        snapshot_ids=params.get("SnapshotIds"),
        disk_id=params.get("DiskId"),
        status=params.get("Status"),
        snapshot_name=params.get("SnapshotName"),
        page_number=params.get("PageNumber"),
        page_size=params.get("PageSize"),
        max_results=params.get("MaxResults"),
        next_token=params.get("NextToken"),
        instance_id=params.get("InstanceId"),
        snapshot_type=params.get("SnapshotType"),
        source_disk_type=params.get("SourceDiskType"),
        category=params.get("Category"),
        usage=params.get("Usage"),
        encrypted=params.get("Encrypted"),
        kmskey_id=params.get("KMSKeyId"),
        resource_group_id=params.get("ResourceGroupId"),
        snapshot_link_id=params.get("SnapshotLinkId"),
        dry_run=params.get("DryRun"),
        filter=filters,
        tag=tags,
    )


def _tea_create_image(params: Dict[str, Any]):
    # RegionId is sent only when given (Api.create_image fills in the default region).
    from alibabacloud_ecs20140526 import models as m

    tags = None
    if "Tag" in params:
        tags = [m.CreateImageRequestTag(key=t.get("Key"), value=t.get("Value")) for t in params["Tag"]]
    mappings = None
    if params.get("DiskDeviceMapping") is not None:
        mappings = [m.CreateImageRequestDiskDeviceMapping(snapshot_id=d.get("SnapshotId"), size=d.get("Size"),
                                                          device=d.get("Device"), disk_type=d.get("DiskType"))
                    for d in params["DiskDeviceMapping"]]
    return m.CreateImageRequest(
        region_id=params.get("RegionId"),
        snapshot_id=params.get("SnapshotId"),
        instance_id=params.get("InstanceId"),
        disk_device_mapping=mappings,
        image_name=params.get("ImageName"),
        image_version=params.get("ImageVersion"),
        description=params.get("Description"),
        platform=params.get("Platform"),
        architecture=params.get("Architecture"),
        image_family=params.get("ImageFamily"),
        boot_mode=params.get("BootMode"),
        resource_group_id=params.get("ResourceGroupId"),
        client_token=params.get("ClientToken"),
        dry_run=params.get("DryRun"),
        tag=tags,
    )


def _tea_describe_images(params: Dict[str, Any]):
    from alibabacloud_ecs20140526 import models as m

    tags = None
    if "Tag" in params:
        tags = [m.DescribeImagesRequestTag(key=t.get("Key"), value=t.get("Value")) for t in params["Tag"]]
    filters = None
    if params.get("Filter") is not None:
        filters = [m.DescribeImagesRequestFilter(key=f.get("Key"), value=f.get("Value")) for f in params["Filter"]]
    return m.DescribeImagesRequest(
        region_id=params.get("RegionId"),
        image_id=params.get("ImageId"),
        image_name=params.get("ImageName"),
        status=params.get("Status"),
        image_owner_alias=params.get("ImageOwnerAlias"),
        image_family=params.get("ImageFamily"),
        page_number=params.get("PageNumber"),
        page_size=params.get("PageSize"),
        image_owner_id=params.get("ImageOwnerId"),
        architecture=params.get("Architecture"),
        ostype=params.get("OSType"),
        snapshot_id=params.get("SnapshotId"),
        resource_group_id=params.get("ResourceGroupId"),
        is_public=params.get("IsPublic"),
        is_support_cloudinit=params.get("IsSupportCloudinit"),
        is_support_io_optimized=params.get("IsSupportIoOptimized"),
        usable=params.get("Usable"),
        usage=params.get("Usage"),
        instance_type=params.get("InstanceType"),
        action_type=params.get("ActionType"),
        show_expired=params.get("ShowExpired"),
        dry_run=params.get("DryRun"),
        filter=filters,
        tag=tags,
    )


_TEA_ACTIONS: Dict[str, tuple] = {
    "CreateSnapshot": (_tea_create_snapshot, "create_snapshot"),
    "DescribeSnapshots": (_tea_describe_snapshots, "describe_snapshots"),
    "DeleteSnapshot": (_tea_delete_snapshot, "delete_snapshot"),
    "CreateImage": (_tea_create_image, "create_image"),
    "DescribeImages": (_tea_describe_images, "describe_images"),
}

_CORE_SCALARS = {
    "CreateSnapshot": ("DiskId", "SnapshotName", "Description", "RetentionDays", "ClientToken",
                       "Category", "InstantAccess", "InstantAccessRetentionDays", "ResourceGroupId",
                       "StorageLocationArn"),
    "DescribeSnapshots": ("RegionId", "SnapshotIds", "DiskId", "Status", "SnapshotName",
                          "PageNumber", "PageSize", "MaxResults", "NextToken", "InstanceId", "SnapshotType",
                          "SourceDiskType", "Category", "Usage", "Encrypted", "KMSKeyId", "ResourceGroupId",
                          "SnapshotLinkId", "DryRun"),
    "DeleteSnapshot": ("SnapshotId", "Force"),
    # The old SDK sends the client's region as RegionId when the request has none.
    "CreateImage": ("RegionId", "SnapshotId", "InstanceId", "ImageName", "ImageVersion", "Description",
                    "Platform", "Architecture", "ImageFamily", "BootMode", "ResourceGroupId",
                    "ClientToken", "DryRun"),
    "DescribeImages": ("RegionId", "ImageId", "ImageName", "Status", "ImageOwnerAlias", "ImageFamily",
                       "PageNumber", "PageSize", "ImageOwnerId", "Architecture", "OSType", "SnapshotId",
                       "ResourceGroupId", "IsPublic", "IsSupportCloudinit", "IsSupportIoOptimized", "Usable",
                       "Usage", "InstanceType", "ActionType", "ShowExpired", "DryRun"),
}

# Raw query parameters the old SDK adds with add_query_param, beyond its request class's setters
# (a name the action does not take, for instance): {"_ExtraQuery": {"Name": "value"}}. Only the
# core SDK can send them; the tea SDK's request models have no such door.
EXTRA_QUERY = "_ExtraQuery"


def _snake(action: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()


def _tea_generic(action: str):
    """The lifecycle actions: the tea SDK's own request model, filled from wire names (its
    from_map takes `Tag` as a list of {Key, Value}, `ResourceId` and `TagKey` as lists)."""
    from alibabacloud_ecs20140526 import models as m

    return (lambda params: getattr(m, action + "Request")().from_map(params)), _snake(action)


def _core_generic(action: str, params: Dict[str, Any], at: str):
    """The lifecycle actions through the old SDK's request class: a list goes through its
    repeat-list setter (`Tag` → set_Tags, `ResourceId` → set_ResourceIds), the rest through
    set_<Name>, or as a raw query parameter where the class has no setter (RegionId)."""
    module = importlib.import_module("aliyunsdkecs.request.v20140526.%sRequest" % action)
    req = getattr(module, action + "Request")()
    for name, value in params.items():
        if value is None or name == EXTRA_QUERY:
            continue
        setter = getattr(req, ("set_%ss" if isinstance(value, list) else "set_%s") % name, None)
        if setter is not None:
            setter(value)
        else:
            req.add_query_param(name, value)
    for name, value in (params.get(EXTRA_QUERY) or {}).items():
        req.add_query_param(name, value)
    req.set_endpoint(at)
    req.set_protocol_type("http")
    return req


def _core_request(action: str, params: Dict[str, Any], at: str):
    if action not in _CORE_SCALARS:
        return _core_generic(action, params, at)
    if action == "CreateSnapshot":
        from aliyunsdkecs.request.v20140526.CreateSnapshotRequest import CreateSnapshotRequest as R
    elif action == "DescribeSnapshots":
        from aliyunsdkecs.request.v20140526.DescribeSnapshotsRequest import DescribeSnapshotsRequest as R
    elif action == "DeleteSnapshot":
        from aliyunsdkecs.request.v20140526.DeleteSnapshotRequest import DeleteSnapshotRequest as R
    elif action == "CreateImage":
        from aliyunsdkecs.request.v20140526.CreateImageRequest import CreateImageRequest as R
    elif action == "DescribeImages":
        from aliyunsdkecs.request.v20140526.DescribeImagesRequest import DescribeImagesRequest as R
    else:  # pragma: no cover - programming error
        raise ValueError("no core request for %s" % action)
    req = R()
    for name in _CORE_SCALARS[action]:
        if params.get(name) is not None:
            setter = getattr(req, "set_" + name, None)
            if setter is not None:
                setter(params[name])
            else:  # e.g. RegionId, which the old SDK otherwise fills in from the client's region
                req.add_query_param(name, params[name])
    if params.get("Tag") is not None:
        req.set_Tags([{"Key": t.get("Key"), "Value": t.get("Value")} for t in params["Tag"]])
    if params.get("DiskDeviceMapping") is not None:  # CreateImage: DiskDeviceMapping.N by list position
        req.set_DiskDeviceMappings([dict(d) for d in params["DiskDeviceMapping"]])
    if params.get("Filter") is not None:  # Filter.N.Key / Filter.N.Value by list position
        filters = [{"Key": f.get("Key"), "Value": f.get("Value")} for f in params["Filter"]]
        if hasattr(req, "set_Filters"):  # DescribeImages
            req.set_Filters(filters)
        else:  # DescribeSnapshots has set_Filter1Key … set_Filter2Value only
            for n, f in enumerate(filters, start=1):
                for part in ("Key", "Value"):
                    if f[part] is None:
                        continue
                    setter = getattr(req, "set_Filter%d%s" % (n, part), None)
                    if setter is not None:
                        setter(f[part])
                    else:
                        req.add_query_param("Filter.%d.%s" % (n, part), f[part])
    for name, value in (params.get(EXTRA_QUERY) or {}).items():
        req.add_query_param(name, value)
    req.set_endpoint(at)
    req.set_protocol_type("http")
    return req


# ----------------------------------------------------------------------------- calling --

def _none_if_str_none(value: Any) -> Optional[str]:
    # The tea SDK formats a missing RequestId as the string 'None'.
    if value is None or value == "None":
        return None
    return str(value)


def _call_tea(sdk: str, creds: Creds, action: str, params: Dict[str, Any],
              at: Optional[str]) -> Outcome:
    from alibabacloud_tea_openapi.exceptions import AlibabaCloudException

    if params.get(EXTRA_QUERY):
        raise ValueError("%s: only the core SDK sends raw query parameters" % sdk)
    build, method = _TEA_ACTIONS.get(action) or _tea_generic(action)
    client = tea_client(creds, v1=(sdk == "tea-v1"), endpoint_override=at)
    try:
        resp = getattr(client, method)(build(params))
    except AlibabaCloudException as e:
        data = dict(e.data) if isinstance(e.data, dict) else {}
        data.pop("statusCode", None)
        return Outcome(sdk=sdk, ok=False, status=e.status_code, code=e.code,
                       message=data.get("Message"), request_id=_none_if_str_none(e.request_id),
                       body=data, exception=e)
    except Exception as e:  # noqa: BLE001 - non-JSON answers, connection errors, ...
        return Outcome(sdk=sdk, ok=False, code="SDK:" + type(e).__name__, message=str(e)[:500],
                       exception=e)
    body = resp.body.to_map() if resp.body is not None else {}
    return Outcome(sdk=sdk, ok=True, status=resp.status_code, request_id=body.get("RequestId"),
                   body=body)


def _call_core(sdk: str, creds: Creds, action: str, params: Dict[str, Any],
               at: Optional[str]) -> Outcome:
    from aliyunsdkcore.acs_exception.exceptions import ClientException, ServerException

    client = core_client(creds)
    req = _core_request(action, params, at or endpoint())
    try:
        raw = client.do_action_with_exception(req)
    except ServerException as e:
        return Outcome(sdk=sdk, ok=False, status=e.get_http_status(), code=e.get_error_code(),
                       message=e.get_error_msg(), request_id=e.get_request_id(), exception=e)
    except ClientException as e:
        return Outcome(sdk=sdk, ok=False, code="SDK:" + str(e.get_error_code()),
                       message=e.get_error_msg(), exception=e)
    except Exception as e:  # noqa: BLE001 - e.g. IndexError on a malformed signature message
        return Outcome(sdk=sdk, ok=False, code="SDK:" + type(e).__name__, message=str(e)[:500],
                       exception=e)
    try:
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        return Outcome(sdk=sdk, ok=False, status=200, code="SDK:NonJsonSuccessBody",
                       message=repr(raw[:300]), exception=e)
    return Outcome(sdk=sdk, ok=True, status=200, request_id=body.get("RequestId"), body=body)


def call(sdk: str, creds: Creds, action: str, params: Dict[str, Any],
         at: Optional[str] = None) -> Outcome:
    """Run ``action`` with ``params`` through the SDK variant ``sdk``; never raises for API errors.

    ``at`` is another ``host:port`` to send to (default: GATEWAY_ENDPOINT).
    """
    if sdk in ("tea-acs3", "tea-v1"):
        return _call_tea(sdk, creds, action, params, at)
    if sdk == "core-v1":
        return _call_core(sdk, creds, action, params, at)
    raise ValueError("unknown SDK variant %r" % sdk)


def snapshots_of(body: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The list under Snapshots.Snapshot of a DescribeSnapshots body (empty if absent)."""
    snaps = body.get("Snapshots") or {}
    return list(snaps.get("Snapshot") or [])


def images_of(body: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The list under Images.Image of a DescribeImages body (empty if absent)."""
    images = body.get("Images") or {}
    return list(images.get("Image") or [])


# ------------------------------------------------------------------------------ checks --

def assert_request_id(out: Outcome) -> None:
    assert out.request_id, "no RequestId came back: " + out.describe()
    assert UUID_RE.match(out.request_id), "RequestId is not a UUID: " + out.describe()


def assert_error(out: Outcome, code: str, status: int) -> None:
    assert not out.ok, "expected %s (%d), the call succeeded: %s" % (code, status, out.describe())
    assert (out.code, out.status) == (code, status), "expected %s (%d), got %s" % (
        code, status, out.describe())
    assert_request_id(out)
