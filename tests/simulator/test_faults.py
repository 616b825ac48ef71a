"""Fault injection over real HTTP: each kind, route targeting, run-time changes, seeding."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.helpers import ASYNC, owner_headers, sim_config
from vace_studio.simulator import FaultConfig, SimulatorHandle, serve
from vace_studio.simulator.samples import Samples

SUBMIT = "/api/v1/services/aigc/video-generation/video-synthesis"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with serve(sim_config(queue_seconds=0.05, run_seconds=0.05, quotas={})) as handle:
        yield handle


@pytest.fixture
def http(sim: SimulatorHandle) -> Iterator[httpx.Client]:
    sim.reset()
    with httpx.Client(
        base_url=sim.base_url, headers=owner_headers(sim, "fault", **ASYNC)
    ) as client:
        yield client
    sim.set_faults(FaultConfig())


def body(media: Samples, seed: int = 0) -> dict[str, Any]:
    return {
        "model": "wan2.1-vace-plus",
        "input": {"function": "video_outpainting", "prompt": "p", "video_url": str(media.video)},
        "parameters": {"seed": seed},
    }


def test_throttle_is_a_429_with_retry_after(
    http: httpx.Client, sim: SimulatorHandle, media: Samples
) -> None:
    sim.set_faults(throttle_rate=1.0, retry_after=0.5)
    response = http.post(SUBMIT, json=body(media))
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "0.5"
    assert response.json()["code"] == "Throttling.RateQuota"
    stats = sim.stats()
    assert stats.faults == {"throttle": 1}
    assert stats.tasks_created == {}


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_in_the_provider_shape(
    http: httpx.Client, sim: SimulatorHandle, media: Samples, status: int
) -> None:
    sim.set_faults(server_error_rate=1.0, server_error_status=status)
    response = http.post(SUBMIT, json=body(media))
    assert response.status_code == status
    assert set(response.json()) == {"code", "message", "request_id"}
    mule = http.get("/vendors/alibaba/v1/wan2.1-vace-plus/generation/x")
    assert mule.status_code == status
    assert "detail" in mule.json()


def test_drop_before_creates_no_task(
    http: httpx.Client, sim: SimulatorHandle, media: Samples
) -> None:
    sim.set_faults(drop_before_rate=1.0, routes=frozenset({"submit"}))
    with pytest.raises(httpx.TransportError):
        http.post(SUBMIT, json=body(media))
    stats = sim.stats()
    assert stats.faults == {"drop_before": 1}
    assert stats.tasks_created == {}


def test_drop_after_creates_the_task_but_answers_nothing(
    http: httpx.Client, sim: SimulatorHandle, media: Samples
) -> None:
    sim.set_faults(drop_after_rate=1.0, routes=frozenset({"submit"}))
    with pytest.raises(httpx.TransportError):
        http.post(SUBMIT, json=body(media))
    sim.set_faults(FaultConfig())
    # A blind retry is exactly the duplicate a client must avoid; the simulator counts it.
    assert http.post(SUBMIT, json=body(media)).status_code == 200
    stats = sim.stats()
    assert stats.faults == {"drop_after": 1}
    assert stats.tasks_created == {"dashscope": 2}
    assert stats.duplicate_submits == 1
    [task_id, _] = [t["id"] for t in sim.tasks()]
    # The dropped submit's task is real and finishes.
    deadline = time.monotonic() + 10
    while http.get(f"/api/v1/tasks/{task_id}").json()["output"]["task_status"] != "SUCCEEDED":
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_malformed_json_body(http: httpx.Client, sim: SimulatorHandle, media: Samples) -> None:
    sim.set_faults(malformed_rate=1.0, routes=frozenset({"poll"}))
    task_id = http.post(SUBMIT, json=body(media)).json()["output"]["task_id"]
    response = http.get(f"/api/v1/tasks/{task_id}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert sim.stats().faults == {"malformed": 1}


def test_slow_answers_are_delayed(http: httpx.Client, sim: SimulatorHandle, media: Samples) -> None:
    sim.set_faults(slow_rate=1.0, slow_seconds=0.4, routes=frozenset({"poll"}))
    started = time.monotonic()
    assert http.get("/api/v1/tasks/anything").status_code == 200
    assert time.monotonic() - started >= 0.4
    with pytest.raises(httpx.ReadTimeout):
        http.get("/api/v1/tasks/anything", timeout=0.1)
    assert sim.stats().faults == {"slow": 2}


def test_task_failures_end_failed_with_the_service_message(
    http: httpx.Client, sim: SimulatorHandle, media: Samples
) -> None:
    sim.set_faults(task_failure_rate=1.0)
    task_id = http.post(SUBMIT, json=body(media)).json()["output"]["task_id"]
    deadline = time.monotonic() + 10
    while (output := http.get(f"/api/v1/tasks/{task_id}").json()["output"])["task_status"] in (
        "PENDING",
        "RUNNING",
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert output["task_status"] == "FAILED"
    assert output["code"] == "DataInspectionFailed"
    assert output["message"] == "Output data may contain inappropriate content."
    assert "video_url" not in output
    assert sim.stats().faults == {"task_failure": 1}


def test_faults_target_route_kinds_and_providers(
    http: httpx.Client, sim: SimulatorHandle, media: Samples
) -> None:
    sim.set_faults(server_error_rate=1.0, routes=frozenset({"poll"}))
    task_id = http.post(SUBMIT, json=body(media)).json()["output"]["task_id"]
    assert http.get(f"/api/v1/tasks/{task_id}").status_code == 500
    sim.set_faults(server_error_rate=1.0, providers=frozenset({"modellix"}))
    assert http.get(f"/api/v1/tasks/{task_id}").status_code == 200  # a DashScope id
    assert http.get("/api/v1/tasks/task-" + "0123456789abcdef01234567").status_code == 500
    # Introspection is never faulted.
    sim.set_faults(drop_before_rate=1.0)
    assert http.get("/_simulator/stats").status_code == 200


def test_download_faults(http: httpx.Client, sim: SimulatorHandle, media: Samples) -> None:
    task_id = http.post(SUBMIT, json=body(media)).json()["output"]["task_id"]
    deadline = time.monotonic() + 10
    while (output := http.get(f"/api/v1/tasks/{task_id}").json()["output"])[
        "task_status"
    ] != "SUCCEEDED":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    video = http.get(output["video_url"]).content
    sim.set_faults(drop_before_rate=1.0, routes=frozenset({"download"}))
    with pytest.raises(httpx.TransportError):
        http.get(output["video_url"])
    sim.set_faults(malformed_rate=1.0, routes=frozenset({"download"}))  # not JSON: untouched
    assert http.get(output["video_url"]).content == video


def test_faults_can_be_set_over_http_and_are_seeded(
    http: httpx.Client, sim: SimulatorHandle
) -> None:
    settings = {"seed": 11, "server_error_rate": 0.5, "routes": ["poll"]}

    def run() -> list[int]:
        assert http.post("/_simulator/faults", json=settings).status_code == 200
        return [http.get("/api/v1/tasks/x").status_code for _ in range(20)]

    first, second = run(), run()
    assert first == second
    assert set(first) == {200, 500}
    current = http.get("/_simulator/faults").json()
    assert current["server_error_rate"] == 0.5
    assert current["routes"] == ["poll"]
    bad = http.post("/_simulator/faults", json={"throttle_rate": 2})
    assert bad.status_code == 400
    assert "throttle_rate" in bad.json()["error"]
    unknown = http.post("/_simulator/faults", json={"nonsense": 1})
    assert unknown.status_code == 400


def test_fault_config_checks_its_values() -> None:
    with pytest.raises(ValueError, match="add up"):
        FaultConfig(throttle_rate=0.6, server_error_rate=0.6)
    with pytest.raises(ValueError, match="5xx"):
        FaultConfig(server_error_status=404)
    with pytest.raises(ValueError, match="unknown"):
        FaultConfig(routes=frozenset({"everything"}))
