"""Helpers shared by the CreateImage and DescribeImages conformance tests."""
from __future__ import annotations

import json
import re
import time
from datetime import datetime, timezone
from typing import Any, Dict, List, Tuple

import control
from ecs_sdk import assert_error, assert_request_id, images_of

TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
PROGRESS_RE = re.compile(r"^(\d{1,3})%$")
POLL_TIMEOUT_S = 20.0
# Statuses a new image passes through; DescribeImages lists only Available ones unless told.
LIVE = "Creating,Available"
ALL_STATUSES = "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated"
ERROR_BODY_FIELDS = ("RequestId", "HostId", "Code", "Message", "Recommend")


def assert_page_error(out, code: str, status: int, messages: List[str]) -> None:
    """Code, HTTP status, request id and message as the reference page gives them."""
    assert_error(out, code, status)
    assert out.message in messages, "Message differs from the reference page: " + out.describe()
    if out.sdk.startswith("tea"):
        missing = [f for f in ERROR_BODY_FIELDS if f not in out.body]
        assert not missing, "error body lacks %s: %s" % (missing, out.describe())
        assert out.body["Code"] == code and out.body["RequestId"] == out.request_id, out.describe()


def assert_created_image(out) -> str:
    assert out.ok, "CreateImage failed: " + out.describe()
    assert out.status == 200, out.describe()
    assert_request_id(out)
    image_id = out.body.get("ImageId")
    assert isinstance(image_id, str) and image_id.startswith("m-") and len(image_id) > 2, out.describe()
    return image_id


def create_image(api, sdk, account="acct-ali", **params) -> str:
    return assert_created_image(api.create_image(sdk, account, **params))


def describe_images(api, sdk, account="acct-ali", **params) -> Tuple[Dict[str, Any], List[Dict[str, Any]]]:
    out = api.describe_images(sdk, account, **params)
    assert out.ok, "DescribeImages failed: " + out.describe()
    assert out.status == 200, out.describe()
    assert_request_id(out)
    for key in ("TotalCount", "PageNumber", "PageSize"):
        assert isinstance(out.body.get(key), int), "%s missing or not a number: %s" % (key, out.describe())
    return out.body, images_of(out.body)


def describe_image(api, sdk, image_id: str, account="acct-ali", status: str = LIVE) -> Dict[str, Any]:
    body, images = describe_images(api, sdk, account, ImageId=image_id, Status=status)
    assert ids(images) == [image_id], json.dumps(body)
    assert body["TotalCount"] == 1, json.dumps(body)
    return images[0]


def ids(images) -> List[str]:
    return [i.get("ImageId") for i in images]


def mappings(image: Dict[str, Any]) -> List[Dict[str, Any]]:
    return list((image.get("DiskDeviceMappings") or {}).get("DiskDeviceMapping") or [])


def progress(image: Dict[str, Any]) -> int:
    m = PROGRESS_RE.match(str(image.get("Progress")))
    assert m, "Progress is not N%%: %s" % json.dumps(image)
    return int(m.group(1))


def parse_time(value) -> datetime:
    assert isinstance(value, str) and TIME_RE.match(value), "CreationTime %r is not YYYY-MM-DDThh:mm:ssZ" % value
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def wait_available(api, sdk, image_id: str, started: float, account="acct-ali",
                   timeout: float = POLL_TIMEOUT_S):
    """Describe the image (Status=Creating,Available), moving the virtual clock one second forward
    between calls, until it is Available.

    Returns (image, states seen as (status, progress, seconds since `started`), seconds to Available):
    seconds of virtual time, the real time since `started` plus the moves. The first call must see
    it Creating with a Progress below 100%.
    """
    moved_before = control.advanced()

    def elapsed() -> float:
        return time.monotonic() - started + control.advanced() - moved_before

    first = describe_image(api, sdk, image_id, account)
    assert first.get("Status") == "Creating", "a new image is not Creating at first: %s" % json.dumps(first)
    assert progress(first) < 100, json.dumps(first)
    seen = [(first.get("Status"), first.get("Progress"), round(elapsed(), 2))]
    image = first
    while elapsed() < timeout:
        control.advance(1)
        image = describe_image(api, sdk, image_id, account)
        state = (image.get("Status"), image.get("Progress"))
        if state != seen[-1][:2]:
            seen.append(state + (round(elapsed(), 2),))
        if image.get("Status") == "Available":
            break
        assert image.get("Status") == "Creating", "unexpected status: %s" % json.dumps(image)
    assert image.get("Status") == "Available", "not Available after %.0f s; states seen %s" % (timeout, seen)
    assert image.get("Progress") == "100%", json.dumps(image)
    return image, seen, elapsed()
