"""Billing refusals as an account state, 5xx answers after the task was created, and the counters
a client test reads to prove it sent little and created no duplicate — over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.helpers import ASYNC, owner_headers, sim_config
from vace_studio.simulator import (
    FaultConfig,
    SimulatorHandle,
    account_of,
    serve,
)
from vace_studio.simulator.samples import Samples

SUBMIT = "/api/v1/services/aigc/video-generation/video-synthesis"
MODELLIX = "/api/v1/alibaba/wan2.1-vace-plus/async"
MULE = "/vendors/alibaba/v1/wan2.1-vace-plus/generation"
ACCOUNT = "billing"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with serve(sim_config(queue_seconds=0.05, run_seconds=0.05, quotas={})) as handle:
        yield handle


@pytest.fixture
def http(sim: SimulatorHandle) -> Iterator[httpx.Client]:
    sim.reset()
    with httpx.Client(
        base_url=sim.base_url, headers=owner_headers(sim, ACCOUNT, **ASYNC)
    ) as client:
        yield client
    sim.set_faults()


def flat(media: Samples, seed: int = 0) -> dict[str, Any]:
    return {
        "function": "video_outpainting",
        "prompt": "p",
        "video_url": str(media.video),
        "seed": seed,
    }


def nested(media: Samples, seed: int = 0) -> dict[str, Any]:
    return {
        "model": "wan2.1-vace-plus",
        "input": {"function": "video_outpainting", "prompt": "p", "video_url": str(media.video)},
        "parameters": {"seed": seed},
    }


DASHSCOPE_REFUSALS = [
    ("PrepaidBillOverdue", 429, "The prepaid bill is overdue."),
    ("PostpaidBillOverdue", 429, "The postpaid bill is overdue."),
    ("CommodityNotPurchased", 429, "Commodity has not purchased yet."),
    ("Throttling.AllocationQuota", 429, "Free allocated quota exceeded."),
    ("Arrearage", 400, "Access denied, please make sure your account is in good standing."),
]


@pytest.mark.parametrize(("code", "status", "message"), DASHSCOPE_REFUSALS)
def test_dashscope_billing_refusals_persist_until_cleared(
    http: httpx.Client, sim: SimulatorHandle, media: Samples, code: str, status: int, message: str
) -> None:
    sim.set_faults(billing={"dashscope": code})
    for seed in range(3):  # not a roll: every submit is refused, however long one waits
        refused = http.post(SUBMIT, json=nested(media, seed))
        assert refused.status_code == status
        assert refused.json() == {
            "code": code,
            "message": message,
            "request_id": refused.json()["request_id"],
        }
        assert "Retry-After" not in refused.headers
        time.sleep(0.05)
    stats = sim.stats()
    assert stats.submits == {"dashscope": 3}
    assert stats.rejected == {"dashscope:billing": 3}
    assert stats.tasks_created == {}
    assert stats.faults == {}  # an account state, not an injected fault
    sim.set_faults()
    assert http.post(SUBMIT, json=nested(media)).status_code == 200
    assert sim.stats().tasks_created == {"dashscope": 1}


def test_gateway_refusals_in_their_shapes(
    http: httpx.Client, sim: SimulatorHandle, media: Samples
) -> None:
    sim.set_faults(billing={"modellix": "quota_exceeded", "mulerouter": "daily_spend_limit"})
    modellix = http.post(MODELLIX, json=flat(media))
    assert modellix.status_code == 429
    assert modellix.json() == {"code": 429, "message": "quota exceeded"}
    mule = http.post(MULE, json={"model": "wan2.1-vace-plus", **flat(media)})
    assert mule.status_code == 429
    assert mule.json() == {
        "code": 429,
        "title": "Too Many Requests",
        "detail": "daily spend limit exceeded",
    }
    # Only the providers named: DashScope still accepts.
    task_id = http.post(SUBMIT, json=nested(media)).json()["output"]["task_id"]
    # Only submits are refused: an account in arrears can still follow its tasks.
    sim.set_faults(billing={"dashscope": "Arrearage"})
    assert http.get(f"/api/v1/tasks/{task_id}").json()["output"]["task_id"] == task_id
    stats = sim.stats()
    assert stats.rejected == {"modellix:billing": 1, "mulerouter:billing": 1}
    assert stats.submits == {"dashscope": 1, "modellix": 1, "mulerouter": 1}
    assert stats.tasks_created == {"dashscope": 1}


def test_billing_can_target_one_account(
    http: httpx.Client, sim: SimulatorHandle, media: Samples
) -> None:
    sim.set_faults(
        billing={"dashscope": "PrepaidBillOverdue"}, billing_accounts={account_of(sim.key(ACCOUNT))}
    )
    assert http.post(SUBMIT, json=nested(media)).status_code == 429
    other = owner_headers(sim, "another-account", **ASYNC)
    assert http.post(SUBMIT, json=nested(media), headers=other).status_code == 200
    assert sim.stats().tasks_by_account == {
        "dashscope:" + account_of(sim.key("another-account")): 1
    }


def test_billing_is_switched_over_http(http: httpx.Client, media: Samples) -> None:
    settings = {"billing": {"dashscope": "CommodityNotPurchased"}}
    assert http.post("/_simulator/faults", json=settings).status_code == 200
    assert http.get("/_simulator/faults").json()["billing"] == {
        "dashscope": "CommodityNotPurchased"
    }
    assert http.post(SUBMIT, json=nested(media)).json()["code"] == "CommodityNotPurchased"
    assert http.post("/_simulator/faults", json={}).status_code == 200
    assert http.post(SUBMIT, json=nested(media)).status_code == 200
    wrong = http.post("/_simulator/faults", json={"billing": {"modellix": "PrepaidBillOverdue"}})
    assert wrong.status_code == 400
    assert "quota_exceeded" in wrong.json()["error"]


def test_billing_names_are_checked() -> None:
    with pytest.raises(ValueError, match="refusals are"):
        FaultConfig(billing={"dashscope": "Broke"})
    with pytest.raises(ValueError, match="unknown provider"):
        FaultConfig(billing={"openai": "quota_exceeded"})
    assert hash(FaultConfig(billing={"dashscope": "Arrearage"}))  # still hashable


@pytest.mark.parametrize(
    ("path", "payload", "shape"),
    [
        (SUBMIT, "nested", {"code", "message", "request_id"}),
        (MODELLIX, "flat", {"code", "message"}),
        (MULE, "mule", {"code", "title", "detail"}),
    ],
)
def test_a_5xx_after_the_task_was_created(
    http: httpx.Client,
    sim: SimulatorHandle,
    media: Samples,
    path: str,
    payload: str,
    shape: set[str],
) -> None:
    sim.set_faults(
        server_error_after_rate=1.0, server_error_status=503, routes=frozenset({"submit"})
    )
    data = {
        "nested": nested(media),
        "flat": flat(media),
        "mule": {"model": "wan2.1-vace-plus", **flat(media)},
    }[payload]
    answer = http.post(path, json=data)
    assert answer.status_code == 503
    assert set(answer.json()) == shape
    stats = sim.stats()
    assert stats.faults == {"server_error_after": 1}
    [task] = sim.tasks()  # the task exists although the client was told "server error"
    provider = task["provider"]
    assert stats.tasks_by_account == {f"{provider}:{account_of(sim.key(ACCOUNT))}": 1}
    deadline = time.monotonic() + 10
    while sim.tasks()[0]["status"] != "succeeded":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # A blind resend of that submit makes the duplicate the counters show.
    sim.set_faults()
    assert http.post(path, json=data).status_code in (200, 202)
    again = sim.stats()
    assert again.duplicate_submits == 1
    assert again.repeated_submit_bodies == 1


def test_counters_for_sends_and_identical_bodies(
    http: httpx.Client, sim: SimulatorHandle, media: Samples
) -> None:
    sim.set_faults(drop_before_rate=1.0, routes=frozenset({"submit"}))
    with pytest.raises(httpx.TransportError):
        http.post(SUBMIT, json=nested(media))
    sim.set_faults()
    for seed in (1, 2, 2):
        assert http.post(SUBMIT, json=nested(media, seed)).status_code == 200
    stats = sim.stats()
    # Every send is in ``requests``; ``submits`` only counts those a route saw.
    assert stats.requests["dashscope:submit"] == 4
    assert stats.submits == {"dashscope": 3}
    assert stats.tasks_created == {"dashscope": 3}
    assert stats.repeated_submit_bodies == 1
    assert stats.duplicate_submits == 1
    assert sorted(stats.submit_bodies.values()) == [1, 2]
    assert all(
        k.startswith(f"dashscope:{account_of(sim.key(ACCOUNT))}:") for k in stats.submit_bodies
    )
    as_json = http.get("/_simulator/stats").json()
    assert as_json["repeated_submit_bodies"] == 1
    assert as_json["tasks_by_account"] == {f"dashscope:{account_of(sim.key(ACCOUNT))}": 3}
