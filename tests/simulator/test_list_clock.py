"""DashScope's task list and the service clock over real HTTP: the 24 h range read in UTC+8, the
default window, the list lag, the item shape, account isolation, list faults, the ``Date``
header on every answer, and a skewed service clock."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest

from tests.helpers import ASYNC, owner_client, owner_headers, sim_config
from vace_studio.simulator import SimulatorHandle, account_of, serve
from vace_studio.simulator.samples import Samples

SUBMIT = "/api/v1/services/aigc/video-generation/video-synthesis"
ACCOUNT = "list"
CST = timezone(timedelta(hours=8))
FMT = "%Y%m%d%H%M%S"
ITEM_KEYS = {
    "task_id", "status", "gmt_create", "model_name", "region", "request_id", "api_key_id",
}  # fmt: skip


def body(media: Samples, seed: int = 0) -> dict[str, Any]:
    return {
        "model": "wan2.1-vace-plus",
        "input": {"function": "video_outpainting", "prompt": "p", "video_url": str(media.video)},
        "parameters": {"seed": seed},
    }


def cst(epoch: float) -> str:
    """A list query time: the service's UTC+8 wall time, whole seconds."""
    return datetime.fromtimestamp(epoch, CST).strftime(FMT)


def finish(http: httpx.Client, task_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        output: dict[str, Any] = http.get(f"/api/v1/tasks/{task_id}").json()["output"]
        if output["task_status"] not in ("PENDING", "RUNNING"):
            return output
        time.sleep(0.03)
    raise AssertionError("the task did not finish")


def listed(http: httpx.Client, **params: str) -> list[str]:
    response = http.get("/api/v1/tasks", params=params)
    assert response.status_code == 200, response.text
    return [item["task_id"] for item in response.json()["data"]]


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    config = sim_config(queue_seconds=0.05, run_seconds=0.05, quotas={}, list_lag_seconds=0)
    with serve(config) as handle:
        yield handle


@pytest.fixture
def http(sim: SimulatorHandle) -> Iterator[httpx.Client]:
    sim.reset()
    with httpx.Client(
        base_url=sim.base_url, headers=owner_headers(sim, ACCOUNT, **ASYNC)
    ) as client:
        yield client
    sim.set_faults()


def test_items_have_the_documented_shape(
    http: httpx.Client, sim: SimulatorHandle, media: Samples
) -> None:
    submitted = http.post(SUBMIT, json=body(media)).json()
    task_id = submitted["output"]["task_id"]
    output = finish(http, task_id)
    page = http.get("/api/v1/tasks").json()
    assert (page["total"], page["page_no"], page["page_size"]) == (1, 1, 10)
    [item] = page["data"]
    assert set(item) == ITEM_KEYS | {"start_time", "end_time"}
    assert item["task_id"] == task_id
    assert item["status"] == "SUCCEEDED"
    assert (item["model_name"], item["region"]) == ("wan2.1-vace-plus", "ap-southeast-1")
    assert item["request_id"] == submitted["request_id"]
    assert item["api_key_id"] == account_of(sim.key(ACCOUNT))
    # Epoch milliseconds, the same instants the poll answer spells in UTC+8.
    for key, stamp in (
        ("gmt_create", "submit_time"),
        ("start_time", "scheduled_time"),
        ("end_time", "end_time"),
    ):
        as_text = datetime.strptime(output[stamp], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=CST)
        assert item[key] == round(as_text.timestamp() * 1000), key
    assert item["gmt_create"] <= item["start_time"] <= item["end_time"]
    assert abs(item["gmt_create"] / 1000 - time.time()) < 5


def test_an_unfinished_task_has_no_end_time_yet() -> None:
    config = sim_config(queue_seconds=30, run_seconds=1, list_lag_seconds=0)
    with (
        serve(config) as sim,
        owner_client(sim, ACCOUNT, **ASYNC) as http,
    ):
        body_ = {
            "model": "wan2.1-vace-plus",
            "input": {"function": "video_outpainting", "prompt": "p", "video_url": "/no.mp4"},
        }
        http.post(SUBMIT, json=body_)
        [item] = http.get("/api/v1/tasks").json()["data"]
        assert item["status"] == "PENDING"
        assert set(item) == ITEM_KEYS


def test_a_range_over_24_hours_is_refused(http: httpx.Client) -> None:
    now = time.time()
    wide = http.get("/api/v1/tasks", params={"start_time": cst(now - 86401), "end_time": cst(now)})
    assert wide.status_code == 400
    error = wide.json()
    assert error["code"] == "InvalidParameter"
    assert "range cannot exceed 24 hours" in error["message"]
    exactly = {"start_time": cst(now - 86400), "end_time": cst(now)}
    assert http.get("/api/v1/tasks", params=exactly).status_code == 200
    # One bound alone reaches 24 h from it; a start two days back cannot be listed at all.
    assert http.get("/api/v1/tasks", params={"start_time": cst(now - 3600)}).status_code == 200
    old = http.get("/api/v1/tasks", params={"end_time": cst(now - 2 * 86400)})
    assert old.status_code == 200
    assert old.json()["data"] == []


def test_query_times_are_read_in_utc_plus_8(http: httpx.Client, media: Samples) -> None:
    task_id = http.post(SUBMIT, json=body(media)).json()["output"]["task_id"]
    now = time.time()
    assert listed(http, start_time=cst(now - 60), end_time=cst(now + 60)) == [task_id]
    # The same wall time written in UTC is 8 hours earlier than the service reads it.
    utc = datetime.fromtimestamp(now, UTC)
    in_utc = {
        "start_time": (utc - timedelta(seconds=60)).strftime(FMT),
        "end_time": (utc + timedelta(seconds=60)).strftime(FMT),
    }
    assert listed(http, **in_utc) == []
    # Without a range the last 24 hours are listed.
    assert listed(http) == [task_id]


def test_only_the_callers_account_is_listed(
    http: httpx.Client, sim: SimulatorHandle, media: Samples
) -> None:
    mine = http.post(SUBMIT, json=body(media)).json()["output"]["task_id"]
    other = owner_headers(sim, "someone-else", **ASYNC)
    with httpx.Client(base_url=sim.base_url, headers=other) as theirs:
        their_id = theirs.post(SUBMIT, json=body(media, seed=1)).json()["output"]["task_id"]
        assert listed(theirs) == [their_id]
    assert listed(http) == [mine]


def test_a_new_task_is_listed_only_after_the_lag(media: Samples) -> None:
    config = sim_config(queue_seconds=0.05, run_seconds=0.05, list_lag_seconds=0.6)
    with (
        serve(config) as sim,
        owner_client(sim, ACCOUNT, **ASYNC) as http,
    ):
        task_id = http.post(SUBMIT, json=body(media)).json()["output"]["task_id"]
        assert listed(http) == []
        # Polling by id works at once: only the list lags.
        assert http.get(f"/api/v1/tasks/{task_id}").json()["output"]["task_status"] != "UNKNOWN"
        time.sleep(0.7)
        assert listed(http) == [task_id]


def test_the_default_lag_is_a_realistic_second() -> None:
    assert sim_config().list_lag_seconds == 1.0


def test_list_calls_can_fail(http: httpx.Client, sim: SimulatorHandle, media: Samples) -> None:
    task_id = http.post(SUBMIT, json=body(media)).json()["output"]["task_id"]
    sim.set_faults(server_error_rate=1.0, routes=frozenset({"list"}))
    failed = http.get("/api/v1/tasks")
    assert failed.status_code == 500
    assert set(failed.json()) == {"code", "message", "request_id"}
    # Only the list: the task itself exists and polls fine.
    assert http.get(f"/api/v1/tasks/{task_id}").status_code == 200
    sim.set_faults(drop_before_rate=1.0, routes=frozenset({"list"}))
    with pytest.raises(httpx.TransportError):
        http.get("/api/v1/tasks")
    stats = sim.stats()
    assert stats.faults == {"server_error": 1, "drop_before": 1}
    assert stats.requests["dashscope:list"] == 2
    assert stats.tasks_created == {"dashscope": 1}


def _date(response: httpx.Response) -> float:
    return parsedate_to_datetime(response.headers["date"]).timestamp()


def test_every_answer_carries_a_date_header(
    http: httpx.Client, sim: SimulatorHandle, media: Samples
) -> None:
    answers = [
        http.post(SUBMIT, json=body(media)),
        http.get("/api/v1/tasks/unknown"),
        http.get("/api/v1/tasks"),
        http.get("/_simulator/health"),
        http.get("/nowhere"),
        httpx.get(sim.base_url + "/api/v1/tasks"),  # a 401
    ]
    sim.set_faults(throttle_rate=1.0)
    answers.append(http.get("/api/v1/tasks/unknown"))
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 404, 401, 429]
    for answer in answers:
        assert len(answer.headers.get_list("date")) == 1
        assert abs(_date(answer) - time.time()) < 3


def test_task_times_follow_the_wall_clock_in_utc_plus_8(http: httpx.Client, media: Samples) -> None:
    before = time.time()
    output = finish(http, http.post(SUBMIT, json=body(media)).json()["output"]["task_id"])
    after = time.time()
    stamps = [
        datetime.strptime(output[key], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=CST).timestamp()
        for key in ("submit_time", "scheduled_time", "end_time")
    ]
    assert before - 0.01 <= stamps[0] <= stamps[1] <= stamps[2] <= after + 0.01


def test_a_skewed_service_clock_shifts_times_the_list_and_date(media: Samples) -> None:
    skew = -3 * 3600.0  # the service's clock is three hours behind this machine's
    config = sim_config(
        queue_seconds=0.05, run_seconds=0.05, list_lag_seconds=0, clock_skew_seconds=skew
    )
    with (
        serve(config) as sim,
        owner_client(sim, ACCOUNT, **ASYNC) as http,
    ):
        submitted = http.post(SUBMIT, json=body(media))
        task_id = submitted.json()["output"]["task_id"]
        service_now = _date(submitted)
        assert abs(service_now - (time.time() + skew)) < 3
        output = finish(http, task_id)
        created = datetime.strptime(output["submit_time"], "%Y-%m-%d %H:%M:%S.%f")
        assert abs(created.replace(tzinfo=CST).timestamp() - service_now) < 3
        # A client that trusts its own clock asks for the wrong hour and finds nothing…
        mine = time.time()
        assert listed(http, start_time=cst(mine - 3600), end_time=cst(mine)) == []
        # …one that reads the service's Date header finds the task.
        theirs = {"start_time": cst(service_now - 3600), "end_time": cst(service_now + 1)}
        assert listed(http, **theirs) == [task_id]
        [item] = http.get("/api/v1/tasks").json()["data"]
        assert abs(item["gmt_create"] / 1000 - service_now) < 3
