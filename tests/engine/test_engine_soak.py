"""Robustness: faults, restarts and secrets, counted at the simulator."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest

from vace_studio.engine import Client
from vace_studio.providers import ProviderLimits
from vace_studio.simulator import FaultConfig, QuotaConfig, SimulatorConfig, serve

SOAK_TASKS = int(os.environ.get("VACE_SOAK_TASKS", "1000"))


async def _created_ids(base_url: str, key: str) -> list[str]:
    """Every task id the simulator created for this key, read through DashScope's list API."""
    ids: list[str] = []
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"}) as http:
        for page in range(1, 1000):
            response = await http.get(
                f"{base_url}/api/v1/tasks", params={"page_no": page, "page_size": 100}
            )
            response.raise_for_status()
            items = response.json()["data"]
            ids += [item["task_id"] for item in items]
            if len(items) < 100:
                return ids
    raise AssertionError("too many pages")


@pytest.mark.slow
async def test_fault_soak_loses_nothing_and_duplicates_nothing(
    requests_for: Any, make_client: Any, media: dict[str, Path], file_server: str
) -> None:
    faults = FaultConfig(
        seed=7,
        throttle_rate=0.03,
        retry_after=0.05,
        server_error_rate=0.02,
        drop_before_rate=0.02,
        drop_after_rate=0.01,
        malformed_rate=0.01,
        slow_rate=0.01,
        slow_seconds=0.2,
        task_failure_rate=0.01,
        routes=frozenset({"submit", "poll", "download"}),
    )
    quota = QuotaConfig(submits_per_second=200, max_unfinished=64, polls_per_second=400)
    config = SimulatorConfig(
        queue_seconds=0.05, run_seconds=0.1, faults=faults, quotas={"dashscope": quota}
    )
    key = "soak-key"
    with serve(config) as sim:
        client: Client = make_client(
            sim.base_url,
            api_key=key,
            limits=ProviderLimits(submits_per_second=150, max_concurrent=64, polls_per_second=300),
        )
        # One request for all: the simulator renders it once, so the soak tests the engine.
        request = requests_for(media, lambda name: f"{file_server}/{name}")["video_outpainting"]
        tasks = [client.enqueue(request) for _ in range(SOAK_TASKS)]
        results = await asyncio.wait_for(asyncio.gather(*(t.wait() for t in tasks)), timeout=600)
        created = await _created_ids(sim.base_url, key)
        stats = sim.stats()
        await client.aclose()

    by_status: dict[str, int] = {}
    for r in results:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    tracked = [t.task_id for t in tasks if t.task_id]
    # 0 duplicates: every task the simulator created belongs to exactly one local task.
    assert len(set(created)) == len(created)
    assert sorted(created) == sorted(tracked), by_status
    # 0 lost: every local task ended, with a created task behind it.
    assert len(tracked) == SOAK_TASKS, by_status
    # Every final state is right: failures are exactly the injected task failures.
    failed = [r for r in results if r.status == "failed"]
    assert all(r.error_code == faults.task_failure_code for r in failed), failed[:3]
    assert len(failed) == stats.faults.get("task_failure", 0)
    assert by_status.get("succeeded", 0) == SOAK_TASKS - len(failed)
    assert all(r.video_path and r.video_path.is_file() for r in results if r.status == "succeeded")
    assert sum(stats.faults.values()) >= SOAK_TASKS * 0.05  # the faults really happened
    assert client.store.select(statuses=("uncertain", "waiting", "submitting")) == []


RESTART_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    from vace_studio.engine import Client, PollPolicy

    async def main():
        client = Client("dashscope", api_key="restart-key", base_url=sys.argv[1], home=sys.argv[2],
                        poll_policy=PollPolicy(first_check=0.1, min_interval=0.05,
                                               dense_interval=0.2, default_expected=1.0))
        request = json.loads(sys.argv[3])
        tasks = [client.enqueue({**request, "seed": i}) for i in range(int(sys.argv[4]))]
        while sum(t.task_id is not None for t in tasks) < 2:
            await asyncio.sleep(0.02)
        print("SUBMITTED", flush=True)
        await asyncio.sleep(3600)

    asyncio.run(main())
    """
)


async def test_a_killed_client_resumes_every_task(
    requests_for: Any, make_client: Any, media: dict[str, Path], file_server: str, tmp_path: Path
) -> None:
    request = requests_for(media, lambda name: f"{file_server}/{name}")["video_outpainting"]
    home = tmp_path / "shared-home"
    n = 5
    with serve(SimulatorConfig(queue_seconds=0.5, run_seconds=0.5)) as sim:
        child = subprocess.Popen(  # noqa: ASYNC220 — the kernel we kill: blocking is the point
            [
                sys.executable,
                "-c",
                RESTART_SCRIPT,
                sim.base_url,
                str(home),
                json.dumps(request),
                str(n),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "SUBMITTED"
        child.send_signal(signal.SIGKILL)  # no cleanup, like a crashed kernel
        child.wait()
        child.stdout.close()

        client: Client = make_client(sim.base_url, api_key="restart-key", home=home)
        before = client.store.select()
        assert len(before) == n
        assert sum(r.task_id is not None for r in before) >= 2
        resumed = await client.resume()
        assert len(resumed) == n
        results = await asyncio.gather(*(t.wait(timeout=60) for t in resumed))
        assert [r.status for r in results] == ["succeeded"] * n
        assert sim.stats().duplicate_submits == 0
        assert sim.stats().tasks_created["dashscope"] == n
        await client.aclose()


async def test_the_api_key_appears_nowhere(
    requests_for: Any,
    make_client: Any,
    media: dict[str, Path],
    file_server: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret = "sk-" + "7f3a9c" * 6
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    faults = FaultConfig(seed=3, server_error_rate=0.2, throttle_rate=0.1, retry_after=0.05)
    with serve(SimulatorConfig(queue_seconds=0.05, run_seconds=0.05, faults=faults)) as sim:
        client: Client = make_client(sim.base_url, api_key=secret)
        reqs = requests_for(media, lambda name: f"{file_server}/{name}")
        bad = {**reqs["video_outpainting"], "video_url": f"{file_server}/missing.mp4"}
        tasks = [await client.submit(r) for r in (*reqs.values(), bad)]
        results = await asyncio.gather(*(t.wait(timeout=120) for t in tasks))
        texts += [repr(client), repr(client.settings), repr(client.transport)]
        texts += [repr(r) for r in results] + [repr(t.record) for t in tasks]
        texts += [str(t.last_error) for t in tasks]
        # A wrong key: the provider's refusal must not echo ours.
        with serve(SimulatorConfig(api_keys={"the-right-key"})) as strict:
            wrong: Client = make_client(strict.base_url, api_key=secret, home=client.paths.home)
            refused = await wrong.submit(reqs["video_outpainting"])
            texts += [str(refused.record.error_message), repr(refused.record)]
            await wrong.aclose()
        await client.aclose()
    client.store.close()
    blobs = [p.read_bytes() for p in client.paths.home.rglob("*") if p.is_file()]
    captured = capsys.readouterr()
    texts += [caplog.text, captured.out, captured.err]
    assert refused.status == "failed"
    assert any(r.ok for r in results)
    assert not [t for t in texts if secret in t]
    assert not [b for b in blobs if secret.encode() in b]
