"""Sweeps: how long planning a big grid takes, how close a sweep runs to the quota's ideal, how
good its ETA is, and how long an export takes.

- plan: ``plan_sweep`` of a ``--plan-cells`` grid (every cell validated, provider-checked and
  costed, nothing sent): total and per-cell time.
- run: a ``--cells`` sweep against the simulator with DashScope's quota (2 at once). The ideal
  wall time is ``ceil(cells / 2)`` × the median task time; efficiency = ideal / actual.
- ETA: at every progress change after the first finished task, the predicted remaining time
  against what really remained; mean absolute error, in seconds and relative to the run.
- export: ``export_run`` of the finished sweep to a folder and to a zip.

    python -m benchmarks.bench_sweep [--cells 12] [--queue 0.5] [--run 2] [--plan-cells 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import percentile, save
from vace_studio.engine import Client, PollPolicy
from vace_studio.experiments import SweepProgress, export_run, plan_sweep, sweep
from vace_studio.simulator import SimulatorConfig, serve
from vace_studio.simulator.samples import FileServer, make_video


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    video = make_video(root / "source.mp4")
    config = SimulatorConfig(queue_seconds=args.queue, run_seconds=args.run)
    with serve(config) as sim, FileServer(root) as files:
        client = Client(
            "dashscope",
            api_key=sim.key("sweep"),
            base_url=sim.base_url,
            home=root / "home",
            poll_policy=PollPolicy(default_expected=args.queue + args.run),
        )
        base = {"function": "video_outpainting", "video_url": files.url(video), "left_scale": 1.5}

        seeds = max(1, args.plan_cells // 50)
        started = time.perf_counter()
        plan = plan_sweep(
            client, base, prompt=[f"prompt {i}" for i in range(50)], seed=list(range(seeds))
        )
        plan_seconds = time.perf_counter() - started

        predictions: list[tuple[float, float]] = []  # (when, predicted seconds left)

        def note(progress: SweepProgress) -> None:
            if progress.eta is not None and progress.done < progress.total:
                predictions.append((time.monotonic(), progress.eta))

        run_started = time.monotonic()
        s = sweep(client, base, prompt=[f"p{i}" for i in range(args.cells)], confirm=True)
        await s.wait(on_progress=note)
        ended = time.monotonic()
        stats = sim.stats()

        durations = [
            t.record.finished_at - t.record.submitted_at
            for t in s.tasks
            if t.record.finished_at and t.record.submitted_at
        ]
        typical = statistics.median(durations)
        slots = client.scheduler.limits.max_concurrent or args.cells
        ideal = math.ceil(args.cells / slots) * typical
        errors = [abs((ended - when) - eta) for when, eta in predictions]

        clock = time.perf_counter()
        export_run(s, root / "export")
        folder_seconds = time.perf_counter() - clock
        clock = time.perf_counter()
        export_run(s, root / "export.zip", zip=True)
        zip_seconds = time.perf_counter() - clock
        await client.aclose()

    return {
        "plan": {
            "cells": len(plan.cells),
            "seconds": round(plan_seconds, 3),
            "ms_per_cell": round(plan_seconds / len(plan.cells) * 1000, 3),
        },
        "run": {
            "cells": args.cells,
            "queue_seconds": args.queue,
            "run_seconds": args.run,
            "wall_seconds": round(ended - run_started, 2),
            "ideal_seconds": round(ideal, 2),
            "efficiency": round(ideal / (ended - run_started), 3),
            "task_seconds_p50": round(typical, 3),
            "task_seconds_p90": round(percentile(durations, 90), 3),
            "peak_unfinished": max(stats.peak_unfinished.values()),
            "quota_refusals": sum(n for k, n in stats.rejected.items() if k.endswith(":quota")),
            "duplicate_submits": stats.duplicate_submits,
            "succeeded": s.progress().succeeded,
        },
        "eta": {
            "predictions": len(predictions),
            "mean_abs_error_seconds": round(statistics.fmean(errors), 2) if errors else None,
            "mean_abs_error_of_run": (
                round(statistics.fmean(errors) / (ended - run_started), 3) if errors else None
            ),
        },
        "export": {
            "folder_seconds": round(folder_seconds, 3),
            "zip_seconds": round(zip_seconds, 3),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=12)
    parser.add_argument("--queue", type=float, default=0.5)
    parser.add_argument("--run", type=float, default=2.0)
    parser.add_argument("--plan-cells", type=int, default=1000)
    args = parser.parse_args()
    result = asyncio.run(measure(args))
    print(result)
    save("sweep", result)


if __name__ == "__main__":
    main()
