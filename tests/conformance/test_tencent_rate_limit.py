"""RequestLimitExceeded: at most 10 CreateImage calls per second per account (CVM API reference, CreateImage: "A maximum of 10
requests can be initiated per second for this API"; settings.rate_limits "tencent:CreateImage": 10).

The calls are DryRun=True (they count, and create nothing). Each burst starts just after the start of a
wall-clock second, after a quiet period for the account, with its calls released together (threads and
a barrier). Every call's send and answer times are recorded; a burst that did not fit in one
wall-clock second is not evidence either way, so it is run once more, and the test fails only if the
second try straddles a second boundary as well. The counter lives in the table: a second gateway on
the same table shares it.
"""
from __future__ import annotations

import os
import threading
from collections import Counter
from typing import List, Tuple

import pytest

from tencent_sdk import SDK_VARIANTS, TcOutcome, assert_tc_error, assert_tc_ok, wait_fresh_second

LIMIT = 10
PARAMS = {"acct-tc": {"InstanceId": "ins-tc-stopped", "ImageName": "tc-burst"},
          "acct-tc-other": {"InstanceId": "ins-tc-other", "ImageName": "tc-burst"}}


def burst(api, sdk: str, plan: List[Tuple[str, str]], action: str = "CreateImage") -> List[TcOutcome]:
    """plan: (account, host:port) per call; all calls released at once."""
    barrier = threading.Barrier(len(plan))
    results: List[TcOutcome] = [None] * len(plan)  # type: ignore[list-item]
    errors: List[BaseException] = []

    def run(i: int) -> None:
        account, at = plan[i]
        try:
            barrier.wait(timeout=30)
            if action == "CreateImage":
                results[i] = api.tc_create_image(sdk, account, at=at, pace=False, DryRun=True, **PARAMS[account])
            else:
                results[i] = api.tc_describe_images(sdk, account, at=at)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(plan))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def timing(outs: List[TcOutcome]) -> str:
    base = int(min(o.started for o in outs))
    return "second %d: sent at +%.3f..+%.3f s, last answer at +%.3f s" % (
        base, min(o.started for o in outs) - base, max(o.started for o in outs) - base,
        max(o.finished for o in outs) - base)


def within_one_second(outs: List[TcOutcome]) -> bool:
    return int(min(o.started for o in outs)) == int(max(o.finished for o in outs))


def fresh_burst(api, sdk: str, plan: List[Tuple[str, str]], action: str = "CreateImage") -> List[TcOutcome]:
    keys = sorted({api.creds(a).access_key_id for a, _ in plan})
    tries = []
    for _ in range(2):
        wait_fresh_second(keys)
        outs = burst(api, sdk, plan, action)
        if within_one_second(outs):
            return outs
        tries.append(timing(outs))
    pytest.fail("the burst straddled a second boundary twice, no conclusion: %s" % tries)


def codes(outs: List[TcOutcome]) -> Counter:
    return Counter(o.code for o in outs)


def check_exactly_one_refused(outs: List[TcOutcome]) -> None:
    got = codes(outs)
    assert got == Counter({"DryRunOperation": LIMIT, "RequestLimitExceeded": len(outs) - LIMIT}), (
        "expected %d DryRunOperation and %d RequestLimitExceeded, got %s; %s\n%s" % (
            LIMIT, len(outs) - LIMIT, dict(got), timing(outs), "\n".join(o.describe() for o in outs)))
    for o in outs:
        assert_tc_error(o, o.code)


@pytest.mark.parametrize("sdk", SDK_VARIANTS)
def test_eleventh_call_in_a_second_refused(api, sdk):
    main = os.environ["GATEWAY_ENDPOINT"]
    outs = fresh_burst(api, sdk, [("acct-tc", main)] * (LIMIT + 1))
    check_exactly_one_refused(outs)
    # The next second starts afresh.
    wait_fresh_second([api.creds("acct-tc").access_key_id])
    assert_tc_error(api.tc_create_image(sdk, DryRun=True, **PARAMS["acct-tc"]), "DryRunOperation")


def test_ten_calls_in_a_second_all_pass(api):
    main = os.environ["GATEWAY_ENDPOINT"]
    outs = fresh_burst(api, "tc3", [("acct-tc", main)] * LIMIT)
    assert codes(outs) == Counter({"DryRunOperation": LIMIT}), "%s; %s\n%s" % (
        dict(codes(outs)), timing(outs), "\n".join(o.describe() for o in outs))


def test_limit_shared_by_two_gateways_on_one_table(api, spawn_gateway):
    main = os.environ["GATEWAY_ENDPOINT"]
    second = spawn_gateway(["--table", os.environ["GATEWAY_TABLE"]])
    # The second gateway answers for this world at all.
    assert_tc_ok(api.tc_describe_images("tc3", at=second))
    outs = fresh_burst(api, "tc3", [("acct-tc", main if i % 2 == 0 else second) for i in range(LIMIT + 1)])
    check_exactly_one_refused(outs)
    assert {o.at for o in outs} == {main, second}


def test_limit_is_per_account(api):
    main = os.environ["GATEWAY_ENDPOINT"]
    outs = fresh_burst(api, "tc3", [("acct-tc", main)] * (LIMIT + 1) + [("acct-tc-other", main)])
    check_exactly_one_refused(outs[:LIMIT + 1])
    assert_tc_error(outs[-1], "DryRunOperation")


def test_describe_images_not_limited(api):
    main = os.environ["GATEWAY_ENDPOINT"]
    outs = fresh_burst(api, "tc3", [("acct-tc", main)] * 15, action="DescribeImages")
    for o in outs:
        assert_tc_ok(o)
