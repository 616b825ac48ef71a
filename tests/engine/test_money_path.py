"""The money path against the simulator playing the providers' documented behaviour: a paid task
is never created twice, never lost, and never left in a state nobody sees."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from vace_studio.engine import Client, Status
from vace_studio.simulator import SimulatorConfig, account_of, serve
from vace_studio.simulator.samples import Samples

FAST: dict[str, Any] = {"queue_seconds": 0.05, "run_seconds": 0.1}


def _request(requests_for: Any, media: Samples, file_server: str, seed: int = 1) -> dict[str, Any]:
    request = requests_for(media, lambda name: f"{file_server}/{name}")["video_outpainting"]
    return {**request, "seed": seed}


@pytest.mark.parametrize(
    ("provider", "refusal", "code", "message"),
    [
        ("dashscope", "PrepaidBillOverdue", "PrepaidBillOverdue", "prepaid bill is overdue"),
        ("dashscope", "CommodityNotPurchased", "CommodityNotPurchased", "not purchased"),
        ("dashscope", "Throttling.AllocationQuota", "Throttling.AllocationQuota", "quota"),
        # Modellix's error body carries the HTTP status as its code.
        ("modellix", "quota_exceeded", "429", "quota exceeded"),
        ("mulerouter", "daily_spend_limit", None, "daily spend limit exceeded"),
    ],
)
async def test_a_billing_refusal_fails_at_once_and_holds_the_queue_until_resumed(
    requests_for: Any,
    make_client: Any,
    media: Samples,
    file_server: str,
    provider: str,
    refusal: str,
    code: str | None,
    message: str,
) -> None:
    with serve(SimulatorConfig(**FAST)) as sim:
        sim.set_faults(billing={provider: refusal})
        client: Client = make_client(sim, provider)
        tasks = [client.enqueue(_request(requests_for, media, file_server, s)) for s in (1, 2, 3)]
        first = await asyncio.wait_for(
            client.submit(_request(requests_for, media, file_server)), 10
        )
        # The refused task fails with the provider's code verbatim, after a single send.
        assert tasks[0].status is Status.FAILED
        if code is not None:
            assert tasks[0].record.error_code == code
        assert message in (tasks[0].record.error_message or "").lower()
        assert tasks[0].record.advice
        assert "resume submissions" in tasks[0].record.advice
        assert sim.stats().requests[f"{provider}:submit"] <= 2
        # The queue is held: the others keep their place, nothing more is sent, and a new
        # submit() returns (waiting, held) instead of hanging.
        assert client.submissions_held is not None
        assert message in client.submissions_held.lower()
        assert [t.status for t in tasks[1:]] == [Status.WAITING, Status.WAITING]
        assert first.status is Status.WAITING
        await asyncio.sleep(0.5)
        assert sim.stats().requests[f"{provider}:submit"] <= 2
        # A person tops up, then resumes: the waiting tasks are sent and finish.
        sim.set_faults()
        client.resume_submissions()
        assert client.submissions_held is None
        results = await asyncio.wait_for(
            asyncio.gather(*(t.wait() for t in [*tasks[1:], first])), 60
        )
        assert all(r.ok for r in results)
        assert sum(sim.stats().tasks_created.values()) == 3
        await client.aclose()


@pytest.mark.parametrize("provider", ["modellix", "mulerouter"])
async def test_a_lost_answer_returns_uncertain_and_adopting_the_id_finishes_it(
    requests_for: Any, make_client: Any, media: Samples, file_server: str, provider: str
) -> None:
    with serve(SimulatorConfig(**FAST)) as sim:
        sim.set_faults(drop_after_rate=1.0, routes=frozenset({"submit"}))
        client: Client = make_client(sim, provider)
        started = time.monotonic()
        task = await asyncio.wait_for(client.submit(_request(requests_for, media, file_server)), 10)
        assert time.monotonic() - started < 10
        assert task.status is Status.UNCERTAIN
        assert task.needs_person
        assert task.record.advice
        assert "cannot list tasks" in task.record.advice
        assert client.provider.console_url in task.record.advice
        # The caller is not left waiting either.
        assert (await asyncio.wait_for(task.wait(), 5)).status == "uncertain"
        sim.set_faults()
        (created,) = sim.tasks()
        await task.adopt(created["id"])
        result = await asyncio.wait_for(task.wait(), 30)
        assert result.ok
        assert result.task_id == created["id"]
        # Adopting created nothing: still exactly the one task the lost submit made.
        assert sum(sim.stats().tasks_created.values()) == 1
        await client.aclose()


async def test_resubmit_is_the_only_way_a_second_task_is_created(
    requests_for: Any, make_client: Any, media: Samples, file_server: str
) -> None:
    with serve(SimulatorConfig(**FAST)) as sim:
        sim.set_faults(drop_after_rate=1.0, routes=frozenset({"submit"}))
        client: Client = make_client(sim, "modellix")
        task = await asyncio.wait_for(client.submit(_request(requests_for, media, file_server)), 10)
        await asyncio.sleep(1.0)  # nothing happens by itself
        assert task.status is Status.UNCERTAIN
        assert sum(sim.stats().tasks_created.values()) == 1
        sim.set_faults()
        again = await task.resubmit()
        # resubmit() moved it on; mypy keeps the narrowing from the assert above across the await.
        assert task.status is Status.REPLACED  # type: ignore[comparison-overlap]
        assert task.record.replaced_by == again.local_id
        assert again.record.replaces == task.local_id
        assert (await asyncio.wait_for(again.wait(), 30)).ok
        assert sum(sim.stats().tasks_created.values()) == 2
        with pytest.raises(ValueError, match="outcome is unknown"):
            await again.adopt("anything")
        await client.aclose()


async def test_a_5xx_after_creation_is_reconciled_through_the_list_not_submitted_twice(
    requests_for: Any, make_client: Any, media: Samples, file_server: str
) -> None:
    # The service's clock is an hour ahead of ours: only its Date header can tell.
    config = SimulatorConfig(**FAST, clock_skew_seconds=3600.0)
    with serve(config) as sim:
        sim.set_faults(server_error_after_rate=1.0, routes=frozenset({"submit"}))
        client: Client = make_client(sim)
        task = await asyncio.wait_for(client.submit(_request(requests_for, media, file_server)), 30)
        sim.set_faults()
        assert task.status in (Status.QUEUED, Status.RUNNING, Status.SUCCEEDED), task.record
        result = await asyncio.wait_for(task.wait(), 30)
        assert result.ok
        stats = sim.stats()
        assert sum(stats.tasks_created.values()) == 1
        assert stats.requests["dashscope:submit"] == 1
        assert stats.requests.get("dashscope:list", 0) >= 1
        await client.aclose()


async def test_failed_lists_never_mean_not_created(
    requests_for: Any, make_client: Any, media: Samples, file_server: str
) -> None:
    with serve(SimulatorConfig(**FAST)) as sim:
        # The submit is cut off before the route (no task), and every list fails.
        sim.set_faults(drop_before_rate=1.0, routes=frozenset({"submit"}))
        client: Client = make_client(sim)
        sent = client.enqueue(_request(requests_for, media, file_server))
        # Switch faults only once the submit was cut off: on a loaded machine it may take
        # longer than any fixed pause, and a submit sent after the switch would simply succeed.
        await asyncio.wait_for(_until(lambda: _submits(sim) >= 1), 20)
        sim.set_faults(server_error_rate=1.0, routes=frozenset({"list"}))
        await asyncio.wait_for(_until(lambda: sent.status is Status.UNCERTAIN), 20)
        assert sent.record.advice
        assert "keeps checking" in sent.record.advice
        assert sim.stats().requests["dashscope:submit"] == 1  # not re-sent on a failed list
        # Lists recover: after the list lag, successful empty lists prove absence, and only
        # then is it sent again.
        sim.set_faults()
        await asyncio.wait_for(_until(lambda: sent.status is not Status.UNCERTAIN), 30)
        result = await asyncio.wait_for(sent.wait(), 30)
        assert result.ok
        stats = sim.stats()
        assert stats.requests["dashscope:submit"] == 2
        assert sum(stats.tasks_created.values()) == 1
        await client.aclose()


async def test_result_urls_expire_a_day_after_the_task_ended(
    requests_for: Any, make_client: Any, media: Samples, file_server: str
) -> None:
    with serve(SimulatorConfig(**FAST, clock_skew_seconds=-7200.0)) as sim:
        client: Client = make_client(sim)
        task = await client.submit(_request(requests_for, media, file_server))
        result = await asyncio.wait_for(task.wait(), 30)
        (summary,) = sim.tasks()
        assert result.url_expires_at is not None
        # Counted from the provider's end time (on our clock), not from when we looked.
        assert result.url_expires_at <= time.time() + 86_400
        assert result.url_expires_at == pytest.approx(time.time() + 86_400, abs=30)
        assert summary["status"] == "succeeded"
        await client.aclose()


async def test_temporary_uploads_are_cached_per_account(
    make_client: Any, media: Samples, tmp_path: Path
) -> None:
    with serve(SimulatorConfig(**FAST)) as sim:
        home = tmp_path / "shared-home"
        request = {
            "function": "image_reference",
            "prompt": "a cube",
            "ref_images_url": [str(media.image)],
        }
        for key in (sim.key("a"), sim.key("a"), sim.key("b")):
            client: Client = make_client(sim, api_key=key, home=home)
            assert (await asyncio.wait_for((await client.submit(request)).wait(), 30)).ok
            await client.aclose()
        # One upload per account: the second run of account a reused its own upload only.
        assert sim.stats().uploads == 2
        accounts = {t["account"] for t in sim.tasks()}
        assert accounts == {account_of(sim.key("a")), account_of(sim.key("b"))}


def _submits(sim: Any) -> int:
    return int(sim.stats().requests.get("dashscope:submit", 0))


async def _until(condition: Any) -> None:
    # Checking a task's status every 50 ms is what a notebook user watching a card does.
    while not condition():  # noqa: ASYNC110
        await asyncio.sleep(0.05)


async def test_when_lists_never_recover_the_task_stays_uncertain_and_says_checking_stopped(
    requests_for: Any, make_client: Any, media: Samples, file_server: str
) -> None:
    with serve(SimulatorConfig(**FAST)) as sim:
        sim.set_faults(drop_before_rate=1.0, routes=frozenset({"submit"}))
        client: Client = make_client(sim)
        sent = client.enqueue(_request(requests_for, media, file_server))
        # Switch faults only once the submit was cut off: on a loaded machine it may take
        # longer than any fixed pause, and a submit sent after the switch would simply succeed.
        await asyncio.wait_for(_until(lambda: _submits(sim) >= 1), 20)
        sim.set_faults(server_error_rate=1.0, routes=frozenset({"list"}))
        # Quick lists (≈4 s) then background lists (≈15 s with the test policy), all failing.
        await asyncio.wait_for(_until(lambda: "stopped checking" in (sent.record.advice or "")), 40)
        assert sent.status is Status.UNCERTAIN
        assert sim.stats().requests["dashscope:submit"] == 1  # never re-sent on failed lists
        await client.aclose()
