"""The engine over real HTTP against the simulator: all functions, all protocols, cancel,
failures verbatim, expiry, quotas, local-file uploads."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import av
import pytest

from vace_studio.engine import Client
from vace_studio.requests import InvalidRequest
from vace_studio.simulator import FaultConfig, SimulatorConfig, serve

PROTOCOLS = ("dashscope", "modellix", "mulerouter")


def _decode(path: Path) -> tuple[str, int, int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        return stream.codec_context.name, frames, int(stream.average_rate or 0)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_all_functions_succeed_with_a_downloaded_mp4(
    requests_for: Any,
    protocol: str,
    simulator: Any,
    make_client: Any,
    media: dict[str, Path],
    file_server: str,
) -> None:
    client: Client = make_client(simulator, protocol)
    requests = requests_for(media, lambda name: f"{file_server}/{name}")
    if protocol == "modellix":  # Modellix documents no strength: the client refuses it up front
        with pytest.raises(InvalidRequest, match="strength"):
            client.enqueue(requests["video_repainting"])
        del requests["video_repainting"]["strength"]
    tasks = [await client.submit(r) for r in requests.values()]
    results = await asyncio.gather(*(t.wait(timeout=120) for t in tasks))
    for function, result in zip(requests, results, strict=True):
        assert result.status == "succeeded", (function, result)
        assert result.video_path is not None
        assert result.video_path.is_file()
        assert result.video_path.read_bytes()[4:8] == b"ftyp"
        codec, frames, fps = _decode(result.video_path)
        assert (codec, frames, fps) == ("h264", 150, 30)
        if protocol == "dashscope":  # the only protocol documented to report usage
            assert result.usage
            assert result.usage["video_duration"] == 5
            assert result.cost == pytest.approx(0.5)
    rows = client.store.select()
    assert {r.function for r in rows} == set(requests)
    assert all(r.task_id and r.local_path for r in rows)
    await client.aclose()


async def test_local_files_are_uploaded_to_dashscope_temporary_storage(
    requests_for: Any, simulator: Any, make_client: Any, media: dict[str, Path]
) -> None:
    client: Client = make_client(simulator)
    before = simulator.stats().uploads
    request = requests_for(media, lambda name: str(media["image"].parent / name))["video_edit"]
    task = await client.submit(request)
    result = await task.wait(timeout=60)
    assert result.ok, result
    assert simulator.stats().uploads - before == 2  # the video and the mask
    rows = client.store.select()
    assert rows[0].request["video_url"].startswith("/")  # the store keeps what the user gave
    again = await client.submit(request)
    assert (await again.wait(timeout=60)).ok
    assert simulator.stats().uploads - before == 2  # same content: uploaded once per 48 h
    await client.aclose()


async def test_failure_keeps_the_provider_code_and_message_verbatim(
    requests_for: Any, make_client: Any, media: dict[str, Path], file_server: str
) -> None:
    faults = FaultConfig(task_failure_rate=1.0)
    with serve(SimulatorConfig(queue_seconds=0.05, run_seconds=0.05, faults=faults)) as sim:
        client: Client = make_client(sim)
        request = requests_for(media, lambda name: f"{file_server}/{name}")["video_outpainting"]
        task = await client.submit(request)
        result = await task.wait(timeout=30)
        assert result.status == "failed"
        assert result.error_code == faults.task_failure_code
        assert result.error_message == faults.task_failure_message
        assert result.video_path is None
        await client.aclose()


async def test_invalid_input_refused_by_the_provider_is_not_retried(
    requests_for: Any, simulator: Any, make_client: Any, file_server: str
) -> None:
    client: Client = make_client(simulator)
    # A URL the simulator cannot fetch fails the task the way the service would.
    task = await client.submit(
        {"function": "video_outpainting", "prompt": "p", "video_url": f"{file_server}/nope.mp4"}
    )
    result = await task.wait(timeout=30)
    assert result.status == "failed"
    assert result.error_code
    assert result.error_message
    await client.aclose()


async def test_cancel_a_queued_task(
    requests_for: Any, make_client: Any, media: dict[str, Path], file_server: str
) -> None:
    with serve(SimulatorConfig(queue_seconds=30, run_seconds=1)) as sim:
        client: Client = make_client(sim)
        request = requests_for(media, lambda name: f"{file_server}/{name}")["video_outpainting"]
        task = await client.submit(request)
        assert task.status == "queued"
        assert await task.cancel() is True
        result = await task.wait(timeout=10)
        assert result.status == "canceled"
        assert client.store.get(task.local_id).status == "canceled"  # type: ignore[union-attr]
        await client.aclose()


async def test_waiting_tasks_are_canceled_locally(
    requests_for: Any, make_client: Any, media: dict[str, Path], file_server: str
) -> None:
    with serve(SimulatorConfig(queue_seconds=30, run_seconds=1)) as sim:
        client: Client = make_client(sim)
        request = requests_for(media, lambda name: f"{file_server}/{name}")["video_outpainting"]
        tasks = [client.enqueue({**request, "seed": i}) for i in range(4)]
        await asyncio.sleep(1.5)
        statuses = [str(t.status) for t in tasks]
        assert statuses.count("queued") == 2, statuses  # DashScope: 2 tasks at once
        waiting = [t for t in tasks if t.status == "waiting"]
        assert [t.position for t in waiting] == [1, 2]
        assert await waiting[1].cancel() is True
        assert waiting[1].status == "canceled"
        assert waiting[0].position == 1
        assert sim.stats().tasks_created.get("dashscope") == 2
        for t in tasks:
            await t.cancel()
        await client.aclose()


async def test_quota_respected_and_every_task_finishes(
    requests_for: Any, make_client: Any, media: dict[str, Path], file_server: str
) -> None:
    with serve(SimulatorConfig(queue_seconds=0.1, run_seconds=0.2)) as sim:
        client: Client = make_client(sim)
        request = requests_for(media, lambda name: f"{file_server}/{name}")["video_outpainting"]
        tasks = [client.enqueue({**request, "seed": i}) for i in range(6)]
        results = await asyncio.gather(*(t.wait(timeout=120) for t in tasks))
        assert all(r.ok for r in results), results
        stats = sim.stats()
        assert max(stats.peak_unfinished.values()) <= 2
        assert stats.tasks_created["dashscope"] == 6
        assert stats.rejected.get("dashscope:quota", 0) == 0
        await client.aclose()


async def test_expired_task_ids_become_unknown_and_url_expiry_is_recorded(
    requests_for: Any, make_client: Any, media: dict[str, Path], file_server: str
) -> None:
    config = SimulatorConfig(queue_seconds=0.05, run_seconds=0.05, task_ttl=3.0)
    with serve(config) as sim:
        client: Client = make_client(sim)
        request = requests_for(media, lambda name: f"{file_server}/{name}")["video_outpainting"]
        done = await client.submit(request)
        result = await done.wait(timeout=30)
        assert result.url_expires_at is not None
        assert result.url_expires_at == pytest.approx(time.time() + 86400, abs=60)
        await client.aclose()

    with serve(SimulatorConfig(queue_seconds=30, run_seconds=1, task_ttl=0.5)) as sim:
        client = make_client(sim, home=client.paths.home)
        task = await client.submit({**request, "seed": 99})
        await client.aclose()  # the kernel "dies" while the task is queued
        await asyncio.sleep(1.0)
        revived: Client = make_client(sim, home=client.paths.home)
        resumed = await revived.resume()
        again = next(t for t in resumed if t.local_id == task.local_id)
        result = await again.wait(timeout=30)
        assert result.status == "unknown"
        await revived.aclose()


async def test_task_observers_see_every_new_task(
    requests_for: Any, simulator: Any, make_client: Any, media: dict[str, Path], file_server: str
) -> None:
    client: Client = make_client(simulator)
    seen: list[str] = []
    stop = client.observe_tasks(lambda task: seen.append(task.local_id))
    request = requests_for(media, lambda name: f"{file_server}/{name}")["video_outpainting"]
    first = client.enqueue(request)
    stop()
    client.enqueue({**request, "seed": 5})
    assert seen == [first.local_id]
    for task in client.tasks:
        await task.wait(timeout=60)
    await client.aclose()
