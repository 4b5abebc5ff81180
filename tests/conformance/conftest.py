"""Fixtures for the conformance suite: a known world in the gateway's table, SDK calls, helpers.

The suite talks to a gateway that is already running (infra/local/test.sh starts one). It needs:

  GATEWAY_ENDPOINT   host:port of that gateway, e.g. 127.0.0.1:18080
  GATEWAY_TABLE      the DynamoDB table that gateway serves
  WORLD_BIN          path of the `world` binary (used to (re)load worlds into GATEWAY_TABLE)
  GATEWAY_BIN        path of the `gateway` binary (some tests start a second gateway)
  DYNAMODB_ENDPOINT  the DynamoDB endpoint of that gateway

State: tests create snapshots. The suite loads infra/worlds/reference.json at the start, and
reloads it before any test that follows a test that changed state (a successful create, or a
world of its own), so no test depends on which tests ran before it.
"""
from __future__ import annotations

import copy
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Optional, Union

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ecs_sdk  # noqa: E402
import tencent_sdk  # noqa: E402
from ecs_sdk import Creds, Outcome  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_WORLD = REPO_ROOT / "infra" / "worlds" / "reference.json"
REQUIRED_ENV = ("GATEWAY_ENDPOINT", "GATEWAY_TABLE", "WORLD_BIN", "GATEWAY_BIN", "DYNAMODB_ENDPOINT")

# Defaults so that the Rust AWS SDK in the binaries never probes instance metadata.
AWS_LOCAL_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def pytest_configure(config):
    missing = [name for name in REQUIRED_ENV if not os.environ.get(name)]
    if missing:
        raise pytest.UsageError(
            "the conformance suite needs a running gateway; missing environment variable(s): %s.\n"
            "Run it through infra/local/test.sh, or set GATEWAY_ENDPOINT=127.0.0.1:PORT "
            "GATEWAY_TABLE=... WORLD_BIN=.../target/debug/world GATEWAY_BIN=.../target/debug/gateway "
            "DYNAMODB_ENDPOINT=http://127.0.0.1:PORT" % ", ".join(missing))
    for name in ("WORLD_BIN", "GATEWAY_BIN"):
        path = os.environ[name]
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            raise pytest.UsageError("%s=%s is not an executable file" % (name, path))


def binary_env(**overrides: str) -> Dict[str, str]:
    env = dict(os.environ)
    for key, value in AWS_LOCAL_ENV.items():
        env.setdefault(key, value)
    env.update(overrides)
    return env


# ------------------------------------------------------------------------------ worlds --

class World:
    """A world document plus lookups the tests need."""

    def __init__(self, doc: Dict[str, Any]):
        self.doc = doc

    @classmethod
    def read(cls, path: Union[str, Path]) -> "World":
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    def creds(self, account_id: str) -> Creds:
        for acct in self.doc["accounts"]:
            if acct["id"] == account_id:
                c = acct["credentials"][0]
                return Creds(c["access_key_id"], c["secret"])
        raise KeyError("account %s is not in the world" % account_id)

    def disk(self, disk_id: str) -> Dict[str, Any]:
        for d in self.doc["disks"]:
            if d["id"] == disk_id:
                return d
        raise KeyError("disk %s is not in the world" % disk_id)

    def variant(self) -> Dict[str, Any]:
        return copy.deepcopy(self.doc)


_STATE = {"dirty": True}


def mark_dirty() -> None:
    """The table no longer holds the reference world as loaded; reload before the next test."""
    _STATE["dirty"] = True


def load_world(path: Union[str, Path]) -> None:
    """`world load PATH --table GATEWAY_TABLE`; fails the test on a non-zero exit."""
    cmd = [os.environ["WORLD_BIN"], "load", str(path), "--table", os.environ["GATEWAY_TABLE"]]
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, env=binary_env(), capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired as e:
        pytest.fail("%s timed out after 120 s\nstdout: %s\nstderr: %s" % (" ".join(cmd), e.stdout, e.stderr))
    if proc.returncode != 0:
        pytest.fail("%s exited %d after %.1f s\nstdout:\n%s\nstderr:\n%s" % (
            " ".join(cmd), proc.returncode, time.monotonic() - started, proc.stdout[-3000:],
            proc.stderr[-3000:]))
    mark_dirty()


def load_reference_world() -> None:
    load_world(REFERENCE_WORLD)
    _STATE["dirty"] = False


@pytest.fixture(scope="session")
def reference_world() -> World:
    """The reference world, loaded into the gateway's table once at the start of the session."""
    load_reference_world()
    return World.read(REFERENCE_WORLD)


@pytest.fixture(autouse=True)
def known_state(reference_world):
    """Before each test: reload the reference world if an earlier test changed state."""
    if _STATE["dirty"]:
        load_reference_world()
    yield


class Worlds:
    """Load worlds into the gateway's table from a test."""

    load = staticmethod(load_world)
    load_reference = staticmethod(load_reference_world)


@pytest.fixture
def worlds() -> Worlds:
    return Worlds()


@pytest.fixture
def world_file(tmp_path, reference_world):
    """Write a variant of the reference world: world_file(mutate) -> path. mutate(doc) edits it."""

    def make(mutate) -> Path:
        doc = reference_world.variant()
        mutate(doc)
        path = tmp_path / "world.json"
        path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
        return path

    return make


# --------------------------------------------------------------------------------- api --

class Api:
    """SDK calls against the gateway, by account id of the reference world (or explicit Creds)."""

    def __init__(self, world: World):
        self.world = world

    def creds(self, account: Union[str, Creds]) -> Creds:
        return account if isinstance(account, Creds) else self.world.creds(account)

    def call(self, sdk: str, account: Union[str, Creds], action: str, params: Dict[str, Any],
             at: Optional[str] = None) -> Outcome:
        out = ecs_sdk.call(sdk, self.creds(account), action, params, at=at)
        if action.startswith("Create") and out.ok:
            mark_dirty()
        return out

    def create_snapshot(self, sdk: str, account: Union[str, Creds] = "acct-ali", **params) -> Outcome:
        return self.call(sdk, account, "CreateSnapshot", params)

    def describe_snapshots(self, sdk: str, account: Union[str, Creds] = "acct-ali", **params) -> Outcome:
        params.setdefault("RegionId", ecs_sdk.REGION)
        return self.call(sdk, account, "DescribeSnapshots", params)

    # RegionId defaults to the SDK region; pass RegionId=None to leave it out (the tea SDK then sends
    # none; the old core SDK always sends its client's region).
    def create_image(self, sdk: str, account: Union[str, Creds] = "acct-ali", **params) -> Outcome:
        params.setdefault("RegionId", ecs_sdk.REGION)
        return self.call(sdk, account, "CreateImage", params)

    def describe_images(self, sdk: str, account: Union[str, Creds] = "acct-ali", **params) -> Outcome:
        params.setdefault("RegionId", ecs_sdk.REGION)
        return self.call(sdk, account, "DescribeImages", params)

    # ---- Tencent CVM / CBS 2017-03-12 (tencent_sdk.py); results are tencent_sdk.TcOutcome ----
    # `region`, `at` (another host:port) and `pace` are lower-case keywords; request parameters are
    # PascalCase. region=None leaves the region out.

    def tc(self, sdk: str, account: Union[str, Creds], action: str, params: Dict[str, Any],
           region: Optional[str] = tencent_sdk.REGION, at: Optional[str] = None, service: Optional[str] = None,
           pace: bool = True) -> "tencent_sdk.TcOutcome":
        out = tencent_sdk.call(sdk, self.creds(account), action, params, region=region, at=at, service=service,
                               pace=pace)
        if action.startswith("Create") and out.ok:
            mark_dirty()
        return out

    def tc_create_image(self, sdk: str, account: Union[str, Creds] = "acct-tc", region=tencent_sdk.REGION,
                        at=None, pace=True, **params) -> "tencent_sdk.TcOutcome":
        return self.tc(sdk, account, "CreateImage", params, region=region, at=at, pace=pace)

    def tc_describe_images(self, sdk: str, account: Union[str, Creds] = "acct-tc", region=tencent_sdk.REGION,
                           at=None, **params) -> "tencent_sdk.TcOutcome":
        return self.tc(sdk, account, "DescribeImages", params, region=region, at=at)

    def tc_create_snapshot(self, sdk: str, account: Union[str, Creds] = "acct-tc", region=tencent_sdk.REGION,
                           at=None, **params) -> "tencent_sdk.TcOutcome":
        return self.tc(sdk, account, "CreateSnapshot", params, region=region, at=at)

    def tc_describe_snapshots(self, sdk: str, account: Union[str, Creds] = "acct-tc", region=tencent_sdk.REGION,
                              at=None, **params) -> "tencent_sdk.TcOutcome":
        return self.tc(sdk, account, "DescribeSnapshots", params, region=region, at=at)

    def tc_legacy(self, account: Union[str, Creds], params: Dict[str, Any], action: str = "CreateImage",
                  **kwargs) -> "tencent_sdk.TcOutcome":
        """A hand-signed API 2.0 request (tencent_sdk.legacy_call), /v2/index.php unless path= says."""
        out = tencent_sdk.legacy_call(self.creds(account), params, action=action, **kwargs)
        if action.startswith("Create") and out.ok:
            mark_dirty()
        return out

    def tc_raw(self, account: Union[str, Creds], service: str, action: str, payload: Dict[str, Any],
               **kwargs) -> "tencent_sdk.TcOutcome":
        """A hand-signed TC3-HMAC-SHA256 POST / (tencent_sdk.tc3_raw)."""
        out = tencent_sdk.tc3_raw(self.creds(account), service, action, payload, **kwargs)
        if action.startswith("Create") and out.ok:
            mark_dirty()
        return out


@pytest.fixture
def api(reference_world) -> Api:
    return Api(reference_world)


# ------------------------------------------------------------------------- processes --

def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float, log_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("gateway exited with %s before listening on %d; log:\n%s" % (
                proc.returncode, port, log_path.read_text(errors="replace")[-4000:]))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail("gateway did not listen on %d within %.0f s; log:\n%s" % (
        port, timeout, log_path.read_text(errors="replace")[-4000:]))


@pytest.fixture
def spawn_gateway(tmp_path):
    """spawn_gateway(args=[...], env={...}) -> "127.0.0.1:PORT": a second gateway, stopped afterwards."""
    procs = []

    def spawn(args=(), env=None) -> str:
        port = free_port()
        log_path = tmp_path / ("gateway-%d.log" % port)
        log = open(log_path, "wb")
        cmd = [os.environ["GATEWAY_BIN"], "--port", str(port), "--host", "127.0.0.1", *args]
        proc = subprocess.Popen(cmd, env=binary_env(**(env or {})), stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        procs.append((proc, log))
        wait_for_port(port, proc, 30, log_path)
        return "127.0.0.1:%d" % port

    yield spawn
    for proc, log in procs:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
