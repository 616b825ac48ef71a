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
import time
from pathlib import Path
from typing import Any

import pytest

from vace_studio.engine import Client, Status
from vace_studio.engine.status import UNFINISHED
from vace_studio.providers import ProviderLimits
from vace_studio.simulator import FaultConfig, QuotaConfig, SimulatorConfig, serve

SOAK_TASKS = int(os.environ.get("VACE_SOAK_TASKS", "150"))
"""``make soak`` runs the acceptance figure, 1,000 tasks per provider."""

# The acceptance soak's shape: 10 % transport faults, 8 % of answers a 5xx *after* the request
# was handled (for a submit: the task exists), and faults on list calls too.
SOAK_FAULTS = FaultConfig(
    seed=7,
    drop_before_rate=0.03,
    drop_after_rate=0.03,
    malformed_rate=0.02,
    slow_rate=0.02,
    slow_seconds=0.2,
    server_error_rate=0.02,
    server_error_after_rate=0.08,
    throttle_rate=0.02,
    retry_after=0.05,
    task_failure_rate=0.01,
    routes=frozenset({"submit", "poll", "download", "list"}),
)
SOAK_LIMITS = ProviderLimits(submits_per_second=150, max_concurrent=64, polls_per_second=300)


def _seed_of(summary: dict[str, Any]) -> int:
    return int(summary["request"]["seed"])


@pytest.mark.slow
@pytest.mark.parametrize("provider", ["dashscope", "modellix"])
async def test_fault_soak_loses_nothing_and_duplicates_nothing(
    requests_for: Any, make_client: Any, media: dict[str, Path], file_server: str, provider: str
) -> None:
    quota = QuotaConfig(submits_per_second=200, max_unfinished=64, polls_per_second=400)
    config = SimulatorConfig(
        queue_seconds=0.05, run_seconds=0.1, faults=SOAK_FAULTS, quotas={provider: quota}
    )
    with serve(config) as sim:
        client: Client = make_client(sim, provider, limits=SOAK_LIMITS)
        base = requests_for(media, lambda name: f"{file_server}/{name}")["video_outpainting"]
        # A seed per task: the simulator renders one video, and each request is recognisable.
        tasks = [client.enqueue({**base, "seed": i}) for i in range(SOAK_TASKS)]
        # A generous bound that grows with the soak (a loaded 2-core machine runs ~1 task/s).
        patience = 120 + 3.0 * SOAK_TASKS
        started = time.monotonic()
        results = await asyncio.wait_for(asyncio.gather(*(t.wait() for t in tasks)), patience)
        first_pass = time.monotonic() - started
        uncertain = [t for t in tasks if t.needs_person]
        # Surfaced, never silent: each carries what happened and what a person can do.
        assert all(t.record.advice and t.record.error_message for t in uncertain)
        if provider == "dashscope":
            # DashScope lists tasks: with lists that recover, nothing needs a person.
            assert uncertain == []
        # A person settles the rest, as the card offers: adopt the task the simulator holds for
        # that request, or submit again when there is none.
        sim.set_faults()
        created_by_seed = {_seed_of(t): t["id"] for t in sim.tasks()}
        for task in uncertain:
            found = created_by_seed.get(int(task.request["seed"]))
            if found is not None:
                await task.adopt(found)
            else:
                tasks[tasks.index(task)] = await task.resubmit()
        results = await asyncio.wait_for(asyncio.gather(*(t.wait() for t in tasks)), patience)
        summaries = sim.tasks()
        stats = sim.stats()
        await client.aclose()

    seeds = [_seed_of(t) for t in summaries]
    # 0 duplicates, counted at the simulator: every request became exactly one task.
    assert sorted(seeds) == list(range(SOAK_TASKS)), len(seeds)
    assert stats.duplicate_submits == 0
    # 0 lost: every created task is the one its local task tracks, and every task ended.
    assert sorted(t["id"] for t in summaries) == sorted(t.task_id or "" for t in tasks)
    by_status: dict[str, int] = {}
    for r in results:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    failed = [r for r in results if r.status == Status.FAILED]
    # Modellix's failed tasks carry no reason (as documented): the message says so.
    reasons = {SOAK_FAULTS.task_failure_code, None if provider == "modellix" else ""}
    assert all(r.error_code in reasons and r.error_message for r in failed), failed[:3]
    assert len(failed) == stats.faults.get("task_failure", 0), by_status
    assert by_status.get(Status.SUCCEEDED, 0) == SOAK_TASKS - len(failed), by_status
    assert all(r.video_path and r.video_path.is_file() for r in results if r.ok)
    assert stats.faults.get("server_error_after", 0) >= SOAK_TASKS * 0.03
    assert client.store.select(statuses=UNFINISHED) == []
    print(  # the figures, for the closing note (-s shows them)
        f"\nsoak {provider}: {SOAK_TASKS} tasks in {first_pass:.0f} s, "
        f"faults {dict(stats.faults)}, person-settled {len(uncertain)}, statuses {by_status}"
    )


RESTART_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    from vace_studio.engine import Client, PollPolicy

    async def main():
        client = Client("dashscope", api_key=sys.argv[5], base_url=sys.argv[1], home=sys.argv[2],
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
                sim.key("restart"),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "SUBMITTED"
        child.send_signal(signal.SIGKILL)  # no cleanup, like a crashed kernel
        child.wait()
        child.stdout.close()

        client: Client = make_client(sim, api_key=sim.key("restart"), home=home)
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
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    faults = FaultConfig(seed=3, server_error_rate=0.2, throttle_rate=0.1, retry_after=0.05)
    with serve(SimulatorConfig(queue_seconds=0.05, run_seconds=0.05, faults=faults)) as sim:
        # The key is the simulator's secret (with an account suffix): it must leak nowhere.
        secret = sim.key("leak")
        client: Client = make_client(sim, api_key=secret)
        reqs = requests_for(media, lambda name: f"{file_server}/{name}")
        bad = {**reqs["video_outpainting"], "video_url": f"{file_server}/missing.mp4"}
        tasks = [await client.submit(r) for r in (*reqs.values(), bad)]
        results = await asyncio.gather(*(t.wait(timeout=120) for t in tasks))
        texts += [repr(client), repr(client.settings), repr(client.transport)]
        texts += [repr(r) for r in results] + [repr(t.record) for t in tasks]
        texts += [str(t.last_error) for t in tasks]
        # A wrong key: the provider's refusal must not echo ours.
        with serve(SimulatorConfig(api_keys={"the-right-key"})) as strict:
            wrong: Client = make_client(strict, api_key=secret, home=client.paths.home)
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
