"""The gateway's control plane (/_emulator/...) as the suite uses it: resets and the virtual clock.

The suite's gateway runs with --control-plane (infra/local/test.sh). Everything here goes to the
gateway of this test process (GATEWAY_ENDPOINT): under pytest-xdist each worker has its own gateway
and table, so a reset, a clock move or a fault of one worker is never seen by another.

The virtual clock is an offset from real time kept in the table: it goes on ticking after a move.
The wait helpers of the dialects (images.wait_available, tencent_sdk.wait_image_settled, ...) move
it forward one second at a time instead of sleeping; :func:`advanced` tells how far it was moved
since the last reset, so that they can report the virtual time that passed.
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any, Callable, Dict, List, Optional, Tuple

_STATE = {"advanced_s": 0, "moved": False}
_ON_MOVE: List[Callable[[], None]] = []


def on_move(hook: Callable[[], None]) -> None:
    """Call ``hook`` whenever the clock is moved (the suite's mark_dirty)."""
    _ON_MOVE.append(hook)


def request(method: str, path: str, body: Any = None, at: Optional[str] = None,
            timeout: float = 60) -> Tuple[int, Dict[str, Any]]:
    """One control-plane call; ``body`` is sent as JSON (bytes and str as they are)."""
    url = "http://%s/_emulator/%s" % (at or os.environ["GATEWAY_ENDPOINT"], path)
    if body is None or isinstance(body, bytes):
        data = body
    elif isinstance(body, str):
        data = body.encode("utf-8")
    else:
        data = json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def reset(world_text: str) -> Dict[str, Any]:
    """POST reset with a world: the accounts it names get its state, the clock is real again and no
    runtime fault is left in force."""
    status, body = request("POST", "reset", world_text)
    assert status == 200, "reset refused (%s): %s" % (status, body)
    _STATE["advanced_s"] = 0
    _STATE["moved"] = False
    return body


def _moved() -> None:
    _STATE["moved"] = True
    for hook in _ON_MOVE:
        hook()


def advance(seconds: int) -> Dict[str, Any]:
    """Move the virtual clock ``seconds`` forward (whole seconds, as the control plane takes them)."""
    assert isinstance(seconds, int) and seconds > 0, seconds
    _moved()
    status, body = request("POST", "clock", {"advance": "%ds" % seconds})
    assert status == 200, "the clock did not move (%s): %s" % (status, body)
    _STATE["advanced_s"] += seconds
    return body


def set_to(rfc3339: str) -> Dict[str, Any]:
    """Set the virtual clock to a time (it goes on ticking from there)."""
    _moved()
    status, body = request("POST", "clock", {"set": rfc3339})
    assert status == 200, "the clock was not set (%s): %s" % (status, body)
    return body


def real() -> None:
    """Back to real time."""
    status, body = request("POST", "clock", {"real": True})
    assert status == 200 and body.get("offset_ms") == 0, body
    _STATE["advanced_s"] = 0
    _STATE["moved"] = False


def moved() -> bool:
    """Whether the clock was moved since the last reset or return to real time."""
    return bool(_STATE["moved"])


def advanced() -> int:
    """Seconds the clock was advanced since the last reset (moves by :func:`advance` only)."""
    return int(_STATE["advanced_s"])


def wait(read, done, what: str, steps: int = 20):
    """A tool's state wait (Terraform's BuildStateConf, Packer's polls): read, and move the clock a
    second, until ``done(value)``; the value that made it. Fails after ``steps`` reads."""
    value = None
    for _ in range(steps):
        value = read()
        if done(value):
            return value
        advance(1)
    raise AssertionError("%s never came: last %r" % (what, value))
