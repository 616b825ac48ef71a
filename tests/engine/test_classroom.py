"""A student's kernel and a key-holder worker sharing a real PostgreSQL store, in one event loop
against the real simulator: what crosses the store, what a student may and may not do, and how a
worker takes over a dead one's submit without paying twice."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.class_tools import cell, fast_render, running_worker
from tests.helpers import FAST_POLLS, sim_config
from vace_studio.engine import Client, SettingsError, Status, TaskRecord
from vace_studio.engine.classroom import KeylessTransport
from vace_studio.engine.reconcile import LostSubmit
from vace_studio.engine.status import WITH_VIDEO
from vace_studio.engine.store_pg import PgStore
from vace_studio.engine.worker_lifecycle import CAP_CODE
from vace_studio.providers import AuthError
from vace_studio.requests import validate_request
from vace_studio.simulator import SimulatorHandle, serve
from vace_studio.simulator.samples import FileServer, Samples


@pytest.fixture(scope="module")
def class_sim() -> Iterator[SimulatorHandle]:
    """The simulator on a short clock with a renderer that costs nothing: these tests are about
    what crosses the store, not about videos."""
    with serve(sim_config(queue_seconds=0.1, run_seconds=0.2, renderer=fast_render)) as handle:
        yield handle


def _student(db: str, home: Path, person: str = "ann") -> Client:
    return Client(store=db, person=person, home=home, announce=False, poll_policy=FAST_POLLS)


async def test_a_students_local_file_and_video_travel_through_the_store(
    pg_url: str, class_sim: SimulatorHandle, media: Samples, tmp_path: Path
) -> None:
    request = {**cell("unused", "ann", 1), "ref_images_url": [str(media.image)]}
    async with running_worker(pg_url, class_sim, "travel", tmp_path / "worker"):
        student = _student(pg_url, tmp_path / "ann")
        assert not student.has_key
        task = student.enqueue(request)
        assert task.record.person == "ann"
        result = await task.wait(60)
        assert result.status in WITH_VIDEO
        assert result.video_path is not None
        assert result.video_path.is_relative_to(tmp_path / "ann")
        assert result.video_path.read_bytes()[4:8] == b"ftyp"
        # The worker submitted its own copy of the student's file, uploaded to the provider.
        stored = student.store.get(task.local_id)
        assert stored is not None
        assert stored.extra["inputs"] == {
            str(media.image): stored.extra["inputs"][str(media.image)]
        }
        assert stored.request["ref_images_url"] == [str(media.image)]
        await student.aclose()
        student.store.close()


async def test_a_student_follows_and_cancels_while_no_worker_runs(
    pg_url: str, class_sim: SimulatorHandle, file_server: FileServer, media: Samples, tmp_path: Path
) -> None:
    async with running_worker(pg_url, class_sim, "cancel", tmp_path / "worker"):
        pass  # registers the account, then stops: tasks now wait
    student = _student(pg_url, tmp_path / "ann")
    image = file_server.url(media.image)
    first, second, third = (student.enqueue(cell(image, "ann", i)) for i in range(3))
    await asyncio.sleep(0.5)
    assert (first.position, second.position, third.position) == (1, 2, 3)
    assert (first.eta, second.eta) == (0, 0)  # the account's two slots are free
    assert third.eta is not None
    assert third.eta > 0
    assert await first.cancel()
    assert first.status is Status.CANCELED
    async with running_worker(pg_url, class_sim, "cancel", tmp_path / "worker"):
        results = [await second.wait(60), await third.wait(60)]
    assert all(result.ok for result in results)
    assert third.position is None
    stored = student.store.get(first.local_id)
    assert stored is not None
    assert stored.status == Status.CANCELED.value  # the worker never claimed it
    await student.aclose()
    student.store.close()


async def test_a_spend_cap_refuses_before_anything_is_sent(
    pg_url: str, class_sim: SimulatorHandle, file_server: FileServer, media: Samples, tmp_path: Path
) -> None:
    async with running_worker(pg_url, class_sim, "cap", tmp_path / "worker") as worker:
        assert worker.lifecycle.per_task_cost() > 0  # DashScope's price, as the sim plays it
        worker.queue.set_cap("ann", 0.0)
        before = class_sim.stats().submits.get("dashscope", 0)
        student = _student(pg_url, tmp_path / "ann")
        task = student.enqueue(cell(file_server.url(media.image), "ann", 7))
        result = await task.wait(30)
    assert result.status == Status.FAILED.value
    assert result.error_code == CAP_CODE
    assert "spend cap of $0.00" in (result.error_message or "")
    assert result.advice
    assert class_sim.stats().submits.get("dashscope", 0) == before
    await student.aclose()
    student.store.close()


async def test_a_student_kernel_never_holds_a_key(
    pg_url: str, class_sim: SimulatorHandle, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError, match="no worker has registered"):
        _student(pg_url, tmp_path / "early")
    async with running_worker(pg_url, class_sim, "keys", tmp_path / "worker"):
        pass
    with pytest.raises(SettingsError, match="takes no key"):
        Client(store=pg_url, api_key="sk-typed-by-a-student", home=tmp_path / "ann")
    student = _student(pg_url, tmp_path / "ann")
    assert isinstance(student.transport, KeylessTransport)
    with pytest.raises(SettingsError, match="worker's environment"):
        student.set_api_key("sk-typed-by-a-student")
    with pytest.raises(AuthError, match="no key"):
        await student.transport.send(student.provider.poll_request("some-task"))
    await student.aclose()
    student.store.close()


async def test_a_submit_a_dead_worker_sent_is_reconciled_not_sent_again(
    pg_url: str, class_sim: SimulatorHandle, file_server: FileServer, media: Samples, tmp_path: Path
) -> None:
    image = file_server.url(media.image)
    async with running_worker(pg_url, class_sim, "dead", tmp_path / "w1") as first:
        pass  # registers the account
    # A worker claimed two tasks and died: one while its submit was on the wire (the provider
    # created the task; nobody recorded its id), one before it sent anything.
    sent_at = time.time()
    created = validate_request(cell(image, "ann", 1))
    spec = first.provider.submit_request(created)
    status, headers, body = await first.transport.send(spec)
    lost_id = first.provider.parse_submit(status, headers, body)
    await first.transport.aclose()
    store = PgStore(pg_url)
    for index, extra in ((1, {"send_started": sent_at}), (2, {})):
        record = TaskRecord(
            id=f"t{index}", provider="dashscope", protocol="dashscope",
            endpoint=first.endpoint, region="intl", function="image_reference",
            request=cell(image, "ann", index), status=Status.SUBMITTING.value,
            created_at=sent_at - 1, updated_at=sent_at, person="ann", extra=extra,
        )  # fmt: skip
        store.insert(record)
    store.close()
    submits = class_sim.stats().submits.get("dashscope", 0)
    async with running_worker(pg_url, class_sim, "dead", tmp_path / "w2") as second:
        student = _student(pg_url, tmp_path / "ann")
        tasks = await student.resume()
        results = {t.local_id: await t.wait(60) for t in tasks}
    assert {r.status for r in results.values()} <= {s.value for s in WITH_VIDEO}
    assert results["t1"].task_id == lost_id  # found in the provider's task list
    assert class_sim.stats().submits.get("dashscope", 0) == submits + 1  # only t2 was sent
    assert second.id != first.id
    await student.aclose()
    student.store.close()


async def test_a_student_cancels_a_task_the_worker_holds_at_the_provider(
    pg_url: str, file_server: FileServer, media: Samples, tmp_path: Path
) -> None:
    config = sim_config(queue_seconds=30, run_seconds=0.2, renderer=fast_render)
    with serve(config) as slow:
        async with running_worker(pg_url, slow, "cancel-queued", tmp_path / "worker"):
            student = _student(pg_url, tmp_path / "ann")
            task = student.enqueue(cell(file_server.url(media.image), "ann", 1))
            while task.status is not Status.QUEUED:  # noqa: ASYNC110 — followed from the store
                await asyncio.sleep(0.05)
            assert await task.cancel()
            assert task.record.status == Status.CANCELED.value
            assert student.shared is not None
            cleared = student.shared.rows(
                "SELECT cancel_requested FROM tasks WHERE id = %s", (task.local_id,)
            )
            assert cleared == [{"cancel_requested": None}]  # asked once, answered once
        await student.aclose()
        student.store.close()


async def test_a_worker_polls_again_a_task_an_error_dropped(
    pg_url: str, file_server: FileServer, media: Samples, tmp_path: Path
) -> None:
    config = sim_config(queue_seconds=2, run_seconds=0.2, renderer=fast_render)
    with serve(config) as slow:
        async with running_worker(pg_url, slow, "dropped", tmp_path / "worker") as worker:
            student = _student(pg_url, tmp_path / "ann")
            task = student.enqueue(cell(file_server.url(media.image), "ann", 1))
            while task.status is not Status.QUEUED:  # noqa: ASYNC110 — followed from the store
                await asyncio.sleep(0.05)
            held = worker.tasks[task.local_id]
            worker.scheduler.release(held)  # as if its poll had died with a database error
            result = await task.wait(30)
        assert result.ok
        await student.aclose()
        student.store.close()


async def test_a_reconciliation_a_dead_worker_left_is_done_again(
    pg_url: str, class_sim: SimulatorHandle, file_server: FileServer, media: Samples, tmp_path: Path
) -> None:
    image = file_server.url(media.image)
    async with running_worker(pg_url, class_sim, "reconciling", tmp_path / "w1") as first:
        pass
    started = time.time()
    spec = first.provider.submit_request(validate_request(cell(image, "ann", 3)))
    lost_id = first.provider.parse_submit(*await first.transport.send(spec))
    await first.transport.aclose()
    store = PgStore(pg_url)
    store.insert(
        TaskRecord(
            id="r1", provider="dashscope", protocol="dashscope", endpoint=first.endpoint,
            region="intl", function="image_reference", request=cell(image, "ann", 3),
            status=Status.RECONCILING.value, created_at=started - 1, updated_at=started,
            person="ann", extra=LostSubmit(started, time.time(), "cut off").to_json(),
        )
    )  # fmt: skip
    store.close()
    async with running_worker(pg_url, class_sim, "reconciling", tmp_path / "w2"):
        student = _student(pg_url, tmp_path / "ann")
        (task,) = await student.resume()
        result = await task.wait(60)
    assert result.ok
    assert result.task_id == lost_id
    await student.aclose()
    student.store.close()
