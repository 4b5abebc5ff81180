"""Fixtures for the conformance suite: a known world in the gateway's table, SDK calls, helpers.

The suite talks to gateways that are already running (infra/local/test.sh starts them). It needs:

  GATEWAY_ENDPOINT   host:port of that gateway, e.g. 127.0.0.1:18080
  GATEWAY_TABLE      the DynamoDB table that gateway serves
  GATEWAY_BIN        path of the `gateway` binary (some tests start a second gateway)
  DYNAMODB_ENDPOINT  the DynamoDB endpoint of that gateway

or, to run in parallel with pytest-xdist (`-n N`), one gateway per worker:

  GATEWAY_ENDPOINTS  host:port of each gateway, comma-separated
  GATEWAY_TABLES     the table of each, in the same order

Worker gwK takes the K-th gateway and table as its GATEWAY_ENDPOINT and GATEWAY_TABLE; there must
be at least as many as workers. Each gateway has its own table, so its world, its virtual clock, its
runtime faults, its rate-limit counters and its quotas are its worker's alone: tests that move the
clock, put faults in force or count quotas cannot see one another. Several workers on one gateway
are refused.

The gateways run with --control-plane. State: tests create snapshots and move the clock. The suite
loads infra/worlds/reference.json at the start, and reloads it (POST /_emulator/reset with the
world, which also puts the clock back to real time and removes runtime faults) before any test that
follows a test that changed state, so no test depends on which tests ran before it. After a create
in a known account, only that account's part of the world is reloaded (the others were not
touched); after a clock move, a world of a test's own or a create the suite cannot attribute, all
of it.
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

import control  # noqa: E402
import ecs_sdk  # noqa: E402
import tencent_sdk  # noqa: E402
from ecs_sdk import Creds, Outcome  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_WORLD = REPO_ROOT / "infra" / "worlds" / "reference.json"
REQUIRED_ENV = ("GATEWAY_ENDPOINT", "GATEWAY_TABLE", "GATEWAY_BIN", "DYNAMODB_ENDPOINT")

# Defaults so that the Rust AWS SDK in the binaries never probes instance metadata.
AWS_LOCAL_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def _worker_index(config) -> Optional[int]:
    """K for pytest-xdist's worker gwK, None outside xdist's workers."""
    workerinput = getattr(config, "workerinput", None)
    worker = workerinput["workerid"] if workerinput else os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else None


def _numprocesses(config) -> int:
    value = getattr(config.option, "numprocesses", None)
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        raise pytest.UsageError("give the number of workers (-n N), one gateway each")


def _select_gateway(config) -> None:
    """Set GATEWAY_ENDPOINT and GATEWAY_TABLE for this process from GATEWAY_ENDPOINTS/GATEWAY_TABLES."""
    endpoints = [e for e in os.environ.get("GATEWAY_ENDPOINTS", "").split(",") if e]
    tables = [t for t in os.environ.get("GATEWAY_TABLES", "").split(",") if t]
    workers = _numprocesses(config)
    index = _worker_index(config)
    if not endpoints and not tables:
        if workers > 1 or index is not None:
            raise pytest.UsageError(
                "parallel workers need a gateway each: set GATEWAY_ENDPOINTS and GATEWAY_TABLES "
                "(comma-separated, one per worker) instead of one GATEWAY_ENDPOINT")
        return
    if len(endpoints) != len(tables):
        raise pytest.UsageError("GATEWAY_ENDPOINTS has %d entries and GATEWAY_TABLES %d" % (
            len(endpoints), len(tables)))
    if len(set(endpoints)) != len(endpoints) or len(set(tables)) != len(tables):
        raise pytest.UsageError("two workers would share a gateway or a table: %s %s" % (endpoints, tables))
    if workers > len(endpoints):
        raise pytest.UsageError("%d workers for %d gateways: each worker needs its own" % (
            workers, len(endpoints)))
    chosen = index or 0
    if chosen >= len(endpoints):
        raise pytest.UsageError("worker gw%d has no gateway of its own (%d given)" % (chosen, len(endpoints)))
    os.environ["GATEWAY_ENDPOINT"] = endpoints[chosen]
    os.environ["GATEWAY_TABLE"] = tables[chosen]


def pytest_configure(config):
    _select_gateway(config)
    missing = [name for name in REQUIRED_ENV if not os.environ.get(name)]
    if missing:
        raise pytest.UsageError(
            "the conformance suite needs a running gateway; missing environment variable(s): %s.\n"
            "Run it through infra/local/test.sh, or set GATEWAY_ENDPOINT=127.0.0.1:PORT "
            "GATEWAY_TABLE=... GATEWAY_BIN=.../target/debug/gateway "
            "DYNAMODB_ENDPOINT=http://127.0.0.1:PORT" % ", ".join(missing))
    path = os.environ["GATEWAY_BIN"]
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise pytest.UsageError("GATEWAY_BIN=%s is not an executable file" % path)


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

    def account_of(self, account: Union[str, Creds, None]) -> Optional[str]:
        """The id of the account named, or owning the access key given; None if it is not known."""
        if account is None:
            return None
        if isinstance(account, str):
            return account if any(a["id"] == account for a in self.doc["accounts"]) else None
        for acct in self.doc["accounts"]:
            if any(c["access_key_id"] == account.access_key_id for c in acct["credentials"]):
                return acct["id"]
        return None

    def disk(self, disk_id: str) -> Dict[str, Any]:
        for d in self.doc["disks"]:
            if d["id"] == disk_id:
                return d
        raise KeyError("disk %s is not in the world" % disk_id)

    def variant(self) -> Dict[str, Any]:
        return copy.deepcopy(self.doc)


# What the table holds that the reference world does not: "everything" (any part of it may differ:
# a world of a test's own, a clock move, a create through a client the suite does not track), or the
# accounts in which a create succeeded (their part alone differs).
_STATE: Dict[str, Any] = {"everything": True, "accounts": set()}


def mark_dirty(account: Optional[str] = None) -> None:
    """The table no longer holds the reference world as loaded: ACCOUNT's part of it (a create in
    that account), or any part when no account is given. Reloaded before the next test."""
    if account is None:
        _STATE["everything"] = True
    else:
        _STATE["accounts"].add(account)


control.on_move(mark_dirty)


def _reset(text: str, what: str) -> None:
    started = time.monotonic()
    try:
        control.reset(text)
    except AssertionError as e:
        pytest.fail("loading %s failed after %.1f s: %s" % (what, time.monotonic() - started, e))


def load_world(path: Union[str, Path]) -> None:
    """Load the world in PATH into this process's gateway's table (POST /_emulator/reset with it):
    the accounts it names get its state, the clock is real and no runtime fault is in force."""
    _reset(Path(path).read_text(encoding="utf-8"), str(path))
    mark_dirty()


def load_reference_world() -> None:
    load_world(REFERENCE_WORLD)
    _STATE["everything"] = False
    _STATE["accounts"] = set()


def reference_part(doc: Dict[str, Any], accounts) -> Dict[str, Any]:
    """The world DOC cut down to ACCOUNTS: those accounts, their resources, policies and faults, and
    every region. Loading it replaces what those accounts have and leaves the others alone."""
    part = copy.deepcopy(doc)
    part["accounts"] = [a for a in part["accounts"] if a["id"] in accounts]
    for kind in ("instances", "disks", "snapshots", "images", "snapshot_policies"):
        part[kind] = [item for item in part.get(kind, []) if item["account"] in accounts]
    kept = {item["id"] for kind in ("instances", "disks", "snapshots", "images") for item in part[kind]}
    part["faults"] = [f for f in part.get("faults", []) if f.get("resource") in kept]
    return part


def restore_known_state(world: "World") -> None:
    """Bring the table back to the reference world: all of it, or the accounts that changed."""
    if _STATE["everything"]:
        load_reference_world()
    elif _STATE["accounts"]:
        accounts = sorted(_STATE["accounts"])
        _reset(json.dumps(reference_part(world.doc, accounts)), "the reference world's part of %s" % accounts)
        _STATE["accounts"] = set()


@pytest.fixture(scope="session")
def reference_world() -> World:
    """The reference world, loaded into the gateway's table once at the start of the session."""
    load_reference_world()
    yield World.read(REFERENCE_WORLD)
    # What the suite leaves in the table is checked afterwards (world verify): by real time.
    if control.moved():
        control.real()


@pytest.fixture(autouse=True)
def known_state(reference_world):
    """Before each test: reload what an earlier test changed of the reference world."""
    restore_known_state(reference_world)
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

# The actions that change what an account has: a success marks its part of the world for reload.
WRITES = ("Create", "Delete", "Modify", "Tag", "Untag", "UnTag", "Join")


class Api:
    """SDK calls against the gateway, by account id of the reference world (or explicit Creds)."""

    def __init__(self, world: World):
        self.world = world

    def creds(self, account: Union[str, Creds]) -> Creds:
        return account if isinstance(account, Creds) else self.world.creds(account)

    def call(self, sdk: str, account: Union[str, Creds], action: str, params: Dict[str, Any],
             at: Optional[str] = None) -> Outcome:
        out = ecs_sdk.call(sdk, self.creds(account), action, params, at=at)
        if action.startswith(WRITES) and out.ok:
            mark_dirty(self.world.account_of(account))
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
        if action.startswith(WRITES) and out.ok:
            mark_dirty(self.world.account_of(account))
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
        if action.startswith(WRITES) and out.ok:
            mark_dirty(self.world.account_of(account))
        return out

    def tc_raw(self, account: Union[str, Creds], service: str, action: str, payload: Dict[str, Any],
               **kwargs) -> "tencent_sdk.TcOutcome":
        """A hand-signed TC3-HMAC-SHA256 POST / (tencent_sdk.tc3_raw)."""
        out = tencent_sdk.tc3_raw(self.creds(account), service, action, payload, **kwargs)
        if action.startswith(WRITES) and out.ok:
            mark_dirty(self.world.account_of(account))
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
