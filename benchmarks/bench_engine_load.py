"""1,000 tracked tasks on one event loop: loop lag, poll rate against the budget, memory growth.

The simulator holds every task queued for the whole run, so the engine tracks 1,000 live tasks
while a ticker measures how late the event loop wakes it (loop lag). Every status request is
timestamped as it leaves; the peak count in any one-second window must stay within the poll
budget (DashScope's 20/s).

    python -m benchmarks.bench_engine_load [--tasks 1000] [--seconds 60] [--budget 20]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import percentile, save
from vace_studio.engine import Client
from vace_studio.providers import ProviderLimits
from vace_studio.simulator.samples import FileServer, make_video


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_in_window(times: list[float], window: float = 1.0) -> int:
    ordered = sorted(times)
    return max(
        (bisect.bisect_left(ordered, t + window) - i for i, t in enumerate(ordered)), default=0
    )


async def run(args: argparse.Namespace, base_url: str, key: str, video_url: str) -> dict[str, Any]:
    client = Client(
        "dashscope",
        api_key=key,
        base_url=base_url,
        home=Path(tempfile.mkdtemp(prefix="bench-load-")),
        limits=ProviderLimits(
            submits_per_second=200, max_concurrent=None, polls_per_second=args.budget
        ),
    )
    polls: list[float] = []

    async def stamp(request: httpx.Request) -> None:
        if request.method == "GET" and "/api/v1/tasks/" in request.url.path:
            polls.append(time.monotonic())

    client.transport.http.event_hooks["request"].append(stamp)
    lags: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        while not stop.is_set():
            before = time.monotonic()
            await asyncio.sleep(0.01)
            lags.append(time.monotonic() - before - 0.01)

    ticking = asyncio.create_task(ticker())
    rss_before = rss_mb()
    request = {"function": "video_outpainting", "prompt": "load", "video_url": video_url}
    tasks = [client.enqueue({**request, "seed": i}) for i in range(args.tasks)]
    started = time.monotonic()
    while sum(t.task_id is not None for t in tasks) < args.tasks:
        await asyncio.sleep(0.2)
    submitted_after = time.monotonic() - started
    await asyncio.sleep(args.seconds)
    stop.set()
    await ticking
    rss_after = rss_mb()
    tracked = len(client.scheduler.active)
    await client.aclose()
    return {
        "tasks": args.tasks,
        "tracked": tracked,
        "all_submitted_after_s": submitted_after,
        "loop_lag_p50_ms": statistics.median(lags) * 1000,
        "loop_lag_p99_ms": percentile(lags, 99) * 1000,
        "loop_lag_max_ms": max(lags) * 1000,
        "polls": len(polls),
        "poll_budget_per_s": args.budget,
        "peak_polls_in_any_1s": peak_in_window(polls),
        "rss_growth_mb": rss_after - rss_before,
    }


SIMULATOR = """
import sys, time
from vace_studio.simulator import QuotaConfig, SimulatorConfig, serve
quota = QuotaConfig(submits_per_second=1000, max_unfinished=None, polls_per_second=int(sys.argv[1]))
handle = serve(SimulatorConfig(queue_seconds=3600, run_seconds=1, quotas={"dashscope": quota}))
print(handle.base_url, flush=True)
print(handle.secret, flush=True)  # to the parent, the simulator's owner
time.sleep(3600)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--budget", type=float, default=20.0)
    args = parser.parse_args()
    media = Path(tempfile.mkdtemp(prefix="bench-media-"))
    video = make_video(media / "source.mp4")
    # The simulator runs in its own process, so its work does not show up as our loop lag.
    sim = subprocess.Popen(
        [sys.executable, "-c", SIMULATOR, str(int(args.budget))], stdout=subprocess.PIPE, text=True
    )
    try:
        assert sim.stdout is not None
        base_url = sim.stdout.readline().strip()
        secret = sim.stdout.readline().strip()
        with FileServer(media) as files:
            result = asyncio.run(run(args, base_url, secret, files.url(video)))
        owner = {"X-Simulator-Secret": secret}
        stats = httpx.get(f"{base_url}/_simulator/stats", headers=owner).json()
        result["simulator_quota_rejections"] = stats["rejected"].get("dashscope:quota", 0)
    finally:
        sim.terminate()
        sim.wait()
    print(
        f"{result['tasks']} tasks tracked: loop lag p50 {result['loop_lag_p50_ms']:.2f} ms, "
        f"p99 {result['loop_lag_p99_ms']:.2f} ms (target < 20); peak polls in any 1 s "
        f"{result['peak_polls_in_any_1s']} (budget {args.budget:g}); "
        f"RSS growth {result['rss_growth_mb']:.1f} MB (target < 50); "
        f"quota rejections at the simulator {result['simulator_quota_rejections']}"
    )
    save("engine_load", result)


if __name__ == "__main__":
    main()
