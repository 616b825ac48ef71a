"""Sweeps against the real simulator: labels, the provider's quota, cost, confirmation, resume."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vace_studio.engine import Client
from vace_studio.experiments import (
    SECONDS_PER_TASK,
    InvalidSweep,
    Sweep,
    SweepNotConfirmed,
    SweepProgress,
    plan_sweep,
    sweep,
)
from vace_studio.experiments import sweeps as sweeps_module
from vace_studio.simulator import SimulatorConfig, SimulatorHandle, serve

PROMPTS = ["a calm sea", "a busy street", "a snowy forest"]
SEEDS = [1, 2]

MakeClient = Callable[..., Client]


def _check_labels(s: Sweep) -> None:
    """Each result's labels are its cell's, and the request that ran has those values."""
    expected = [{"prompt": p, "seed": n} for p in PROMPTS for n in SEEDS]
    assert [r.labels for r in s.results] == expected
    for result, labels in zip(s.results, expected, strict=True):
        record = s.client.store.get(result.result.local_id)
        assert record is not None
        assert {k: record.request[k] for k in labels} == labels
        assert {k: record.tags[k] for k in labels} == labels
        assert record.group_id == s.group_id


async def test_a_3x2_sweep_gives_6_labelled_results_within_the_quota(
    simulator: SimulatorHandle, make_client: MakeClient, base_request: dict[str, Any]
) -> None:
    client = make_client(simulator)
    before = simulator.stats()
    seen: list[SweepProgress] = []
    s = sweep(client, base_request, prompt=PROMPTS, seed=SEEDS, name="quota")
    assert len(s.cells) == len(s.tasks) == 6
    assert s.progress().waiting + s.progress().active == 6
    results = await s.wait(60, on_progress=seen.append)
    stats = simulator.stats()
    await client.aclose()

    assert [r.result.status for r in results] == ["succeeded"] * 6
    assert all(r.ok and r.result.video_path and r.result.video_path.is_file() for r in results)
    _check_labels(s)
    # The quota is checked where it is enforced: at the simulator, per account.
    assert max(stats.peak_unfinished.values()) <= 2
    assert not [k for k in stats.rejected if k.endswith(":quota")]
    assert stats.duplicate_submits == 0
    assert stats.tasks_created["dashscope"] - before.tasks_created.get("dashscope", 0) == 6
    # Progress went forward only, learned an ETA, and ended complete.
    done = [p.done for p in seen]
    assert done == sorted(done)
    assert done[-1] == 6
    assert any(p.eta is not None and p.done < 6 for p in seen)
    final = s.progress()
    assert (final.done, final.succeeded, final.failed, final.eta) == (6, 6, 0, 0.0)
    assert str(final).startswith("6/6 done, took ")
    frame = s.to_dataframe()
    assert list(frame.columns[:3]) == ["index", "prompt", "seed"]
    assert list(frame["status"]) == ["succeeded"] * 6
    json.dumps(s.to_json())  # JSON-ready, for the widget's gallery


async def test_the_cost_estimate_matches_the_usage_the_simulator_reports(
    simulator: SimulatorHandle, make_client: MakeClient, base_request: dict[str, Any]
) -> None:
    client = make_client(simulator)
    plan = plan_sweep(client, base_request, prompt=PROMPTS[:2], seed=SEEDS)
    s = sweep(client, base_request, prompt=PROMPTS[:2], seed=SEEDS)
    results = await s.wait(60)
    await client.aclose()
    assert plan.estimate == s.estimate
    usage = [r.result.usage or {} for r in results]
    assert [u.get("video_duration") for u in usage] == [SECONDS_PER_TASK] * 4
    billed_seconds = sum(u["video_duration"] for u in usage)
    assert s.estimate.seconds == billed_seconds
    assert s.estimate.total == pytest.approx(sum(r.result.cost or 0 for r in results))
    assert s.progress().cost == pytest.approx(s.estimate.total)


async def test_an_invalid_sweep_records_and_sends_nothing(
    simulator: SimulatorHandle, make_client: MakeClient, base_request: dict[str, Any]
) -> None:
    client = make_client(simulator)
    submits = simulator.stats().submits.get("dashscope", 0)
    with pytest.raises(InvalidSweep) as caught:
        sweep(client, base_request, prompt=["ok", ""], top_scale=[1.5, 3.0])
    assert {p.field for p in caught.value.problems} == {"prompt", "top_scale"}
    assert client.store.select() == []
    assert client.store.groups() == []
    assert simulator.stats().submits.get("dashscope", 0) == submits
    await client.aclose()


async def test_above_the_limit_a_sweep_runs_only_when_confirmed(
    simulator: SimulatorHandle, make_client: MakeClient, base_request: dict[str, Any]
) -> None:
    client = make_client(simulator)
    grid: dict[str, Any] = {"prompt": PROMPTS, "seed": SEEDS}  # 6 × 5 s × $0.10 = $3.00
    with pytest.raises(SweepNotConfirmed, match=r"above confirm_above=\$1.00") as caught:
        sweep(client, base_request, confirm_above=1.0, **grid)
    assert "6 cells (prompt (3) × seed (2)): 6 tasks × 5 s × $0.10/s = $3.00" in str(caught.value)
    asked: list[float | None] = []

    def decline(estimate: Any) -> bool:
        asked.append(estimate.total)
        return False

    with pytest.raises(SweepNotConfirmed, match="you declined it"):
        sweep(client, base_request, confirm_above=1.0, confirm=decline, **grid)
    assert asked == [pytest.approx(3.0)]
    assert client.store.select() == []
    # Under the limit nobody is asked; confirm=True or a yes runs it.
    small = sweep(client, base_request, prompt=["one"], confirm=decline)
    yes = sweep(client, base_request, prompt=["two"], confirm_above=0.1, confirm=lambda e: True)
    forced = sweep(client, base_request, prompt=["three"], confirm_above=0.1, confirm=True)
    assert len(asked) == 1
    for s in (small, yes, forced):
        assert [r.result.status for r in await s.wait(60)] == ["succeeded"]
    await client.aclose()


def test_a_sweep_needs_a_running_event_loop(
    make_client: MakeClient, base_request: dict[str, Any]
) -> None:
    client = make_client("http://127.0.0.1:9")
    with pytest.raises(RuntimeError, match="needs a running event loop"):
        sweep(client, base_request, seed=[1])
    assert client.store.select() == []


async def test_a_finished_sweep_is_rebuilt_from_the_store_by_a_new_client(
    simulator: SimulatorHandle, make_client: MakeClient, base_request: dict[str, Any]
) -> None:
    first = make_client(simulator)
    s = sweep(first, base_request, prompt=PROMPTS, seed=SEEDS, name="again")
    await s.wait(60)
    await first.aclose()
    created = simulator.stats().tasks_created["dashscope"]

    second = make_client(simulator)
    again = await Sweep.resume(second, s.group_id)
    assert (again.name, again.fields, again.estimate) == ("again", ["prompt", "seed"], s.estimate)
    assert [r.to_json() for r in await again.wait(5)] == [r.to_json() for r in s.results]
    assert simulator.stats().tasks_created["dashscope"] == created
    _check_labels(again)
    with pytest.raises(KeyError, match="no sweep"):
        await Sweep.resume(second, "sweep-unknown")
    await second.aclose()


async def test_cells_never_queued_before_a_crash_are_queued_on_resume(
    simulator: SimulatorHandle,
    make_client: MakeClient,
    base_request: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = make_client(simulator)
    real = sweeps_module._enqueue
    calls: list[int] = []

    def crash_after_two(client: Client, cell: Any, group_id: str) -> Any:
        if len(calls) == 2:
            raise KeyboardInterrupt  # the kernel went away mid-loop
        calls.append(cell.index)
        return real(client, cell, group_id)

    monkeypatch.setattr(sweeps_module, "_enqueue", crash_after_two)
    with pytest.raises(KeyboardInterrupt):
        sweep(first, base_request, prompt=PROMPTS, seed=SEEDS)
    monkeypatch.setattr(sweeps_module, "_enqueue", real)
    (group,) = first.store.groups("sweep")
    assert len(first.store.select(group_id=group["id"])) == 2
    await first.aclose()

    second = make_client(simulator)
    s = await Sweep.resume(second, group["id"])
    results = await s.wait(60)
    assert [r.result.status for r in results] == ["succeeded"] * 6
    _check_labels(s)
    assert len(second.store.select(group_id=group["id"])) == 6
    await second.aclose()


RESTART_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    from vace_studio.engine import Client, PollPolicy
    from vace_studio.experiments import sweep

    async def main():
        client = Client("dashscope", api_key=sys.argv[1], base_url=sys.argv[2], home=sys.argv[3],
                        poll_policy=PollPolicy(first_check=0.1, min_interval=0.05,
                                               dense_interval=0.2, default_expected=1.0))
        s = sweep(client, json.loads(sys.argv[4]), prompt=json.loads(sys.argv[5]),
                  seed=json.loads(sys.argv[6]))
        while sum(t.task_id is not None for t in s.tasks) < 2:
            await asyncio.sleep(0.02)
        print(s.group_id, flush=True)
        await asyncio.sleep(3600)

    asyncio.run(main())
    """
)


@pytest.mark.slow
async def test_a_sweep_survives_a_killed_kernel(
    make_client: MakeClient, base_request: dict[str, Any], tmp_path: Path
) -> None:
    home = tmp_path / "shared-home"
    with serve(SimulatorConfig(queue_seconds=0.5, run_seconds=0.5)) as sim:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            RESTART_SCRIPT,
            sim.key("restart"),
            sim.base_url,
            str(home),
            json.dumps(base_request),
            json.dumps(PROMPTS),
            json.dumps(SEEDS),
            stdout=asyncio.subprocess.PIPE,
        )
        assert child.stdout is not None
        group_id = (await asyncio.wait_for(child.stdout.readline(), 30)).decode().strip()
        child.send_signal(signal.SIGKILL)  # no cleanup, like a crashed kernel
        await child.wait()
        assert group_id.startswith("sweep-")

        client = make_client(sim, api_key=sim.key("restart"), home=home)  # the same account
        before = client.store.select(group_id=group_id)
        assert len(before) == 6
        assert 2 <= sum(r.task_id is not None for r in before) < 6  # killed mid-sweep
        s = await Sweep.resume(client, group_id)
        results = await asyncio.wait_for(s.wait(), 60)
        stats = sim.stats()
        await client.aclose()

    assert [r.result.status for r in results] == ["succeeded"] * 6
    _check_labels(s)
    assert stats.duplicate_submits == 0
    assert stats.tasks_created["dashscope"] == 6
    assert max(stats.peak_unfinished.values()) <= 2


def _saved_under(paths: list[str], folder: Path) -> bool:
    return all(Path(p).is_file() and Path(p).parent == folder for p in paths)


async def test_in_memory_images_in_a_grid_are_saved_and_labelled_by_path(
    simulator: SimulatorHandle, make_client: MakeClient
) -> None:
    from PIL import Image

    client = make_client(simulator)
    red, blue = (Image.new("RGB", (480, 360), c) for c in ("red", "blue"))
    base = {"function": "image_reference", "prompt": "a toy", "size": "960*960"}
    s = sweep(client, base, ref_images_url=[[red], [blue]])
    labels = [c.labels["ref_images_url"][0] for c in s.cells]
    assert _saved_under(labels, client.paths.home / "inputs")
    assert len(set(labels)) == 2
    assert [r.result.status for r in await s.wait(60)] == ["succeeded"] * 2
    with pytest.raises(InvalidSweep, match=r"ref_images_url\[0\]"):
        sweep(client, base, ref_images_url=[[Image.new("RGB", (480, 360))], [b"not an image"]])
    await client.aclose()


async def test_an_unknown_price_needs_a_confirmation_or_a_price(
    simulator: SimulatorHandle, make_client: MakeClient, base_request: dict[str, Any]
) -> None:
    client = make_client(simulator, provider="modellix")  # publishes no price
    with pytest.raises(SweepNotConfirmed, match=r"its cost is unknown.*price_per_second="):
        sweep(client, base_request, prompt=["a"])
    assert client.store.select() == []
    s = sweep(client, base_request, prompt=["a", "b"], price_per_second=0.05)
    assert s.estimate.total == pytest.approx(0.5)
    assert [r.result.status for r in await s.wait(60)] == ["succeeded"] * 2
    await client.aclose()
