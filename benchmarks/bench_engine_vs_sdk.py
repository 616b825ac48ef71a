"""vace-studio's engine against the official dashscope SDK, side by side on one simulator.

Both sides run the same tasks (same request, same simulated durations, DashScope's 2-at-a-time
quota, each with its own key so neither steals the other's slots) at the same time. Measured per
task: status requests (counted at the simulator, per account) and completion-detection latency
(the moment the client knew, minus the task's ``end_time`` as the simulator reports it).

    python -m benchmarks.bench_engine_vs_sdk [--tasks 8] [--queue 4] [--run 40]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from benchmarks.common import percentile, save
from vace_studio.engine import Client, PollPolicy
from vace_studio.simulator import SimulatorConfig, serve
from vace_studio.simulator.samples import FileServer, make_video

BEIJING = timezone(timedelta(hours=8))


def _end_time(stamp: str) -> float:
    """DashScope's ``end_time`` (Beijing time, ``YYYY-MM-DD HH:mm:ss.SSS``) as Unix seconds."""
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=BEIJING).timestamp()


async def run_engine(
    base_url: str, key: str, request: dict[str, Any], n: int, warmup: int
) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    client = Client(
        "dashscope", api_key=key, base_url=base_url, home=home, poll_policy=PollPolicy()
    )
    # Warm-up: the engine learns run times from its history; a real user's store has them.
    for task in [client.enqueue({**request, "seed": 10_000 + i}) for i in range(warmup)]:
        await task.wait()
    measured = [client.enqueue({**request, "seed": i}) for i in range(n)]
    await asyncio.gather(*(t.wait() for t in measured))
    latencies = []
    for task in measured:
        rec = task.record
        assert rec.status == "succeeded", rec
        latencies.append(rec.finished_at - _end_time(rec.times["end_time"]))  # type: ignore[operator]
    polls = [t.record.polls for t in measured]
    await client.aclose()
    return {"latencies": latencies, "client_polls": polls, "ids": [t.task_id for t in measured]}


def run_sdk(base_url: str, key: str, request: dict[str, Any], n: int) -> dict[str, Any]:
    import dashscope
    from dashscope import VideoSynthesis

    dashscope.base_http_api_url = f"{base_url}/api/v1"
    params = {k: v for k, v in request.items() if k.endswith("_scale") or k in ("duration",)}
    latencies: list[float] = []
    ids: list[str] = []
    lock = threading.Lock()

    def one(seed: int) -> None:
        while True:  # the SDK has no local queue: retry the 2-concurrent quota's 429 like users do
            response = VideoSynthesis.async_call(
                model="wan2.1-vace-plus",
                prompt=request["prompt"],
                api_key=key,
                extra_input={"function": request["function"], "video_url": request["video_url"]},
                seed=seed,
                **params,
            )
            if response.status_code == 200:
                break
            time.sleep(1.0)
        done = VideoSynthesis.wait(response, api_key=key)
        detected = time.time()
        assert done.output.task_status == "SUCCEEDED", done
        with lock:
            latencies.append(detected - _end_time(done.output.end_time))
            ids.append(done.output.task_id)

    with ThreadPoolExecutor(2) as pool:  # DashScope runs 2 tasks at once per account
        list(pool.map(one, range(n)))
    return {"latencies": latencies, "ids": ids}


def summarize(name: str, latencies: list[float], polls: list[int]) -> dict[str, Any]:
    return {
        "side": name,
        "tasks": len(latencies),
        "polls_per_task_mean": statistics.mean(polls),
        "polls_per_task_median": statistics.median(polls),
        "latency_median_s": statistics.median(latencies),
        "latency_p95_s": percentile(latencies, 95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=4)
    parser.add_argument("--queue", type=float, default=4.0)
    parser.add_argument("--run", type=float, default=40.0)
    parser.add_argument("--jitter", type=float, default=0.2, help="± fraction of each duration")
    args = parser.parse_args()
    media = Path(tempfile.mkdtemp(prefix="bench-media-"))
    video = make_video(media / "source.mp4", seconds=1.0)
    config = SimulatorConfig(
        queue_seconds=args.queue, run_seconds=args.run, duration_jitter=args.jitter
    )
    with serve(config) as sim, FileServer(media) as files:
        request = {
            "function": "video_outpainting",
            "prompt": "a wider view",
            "video_url": files.url(video),
            "left_scale": 1.5,
        }

        async def both() -> tuple[dict[str, Any], dict[str, Any]]:
            sdk = asyncio.get_running_loop().run_in_executor(
                None, run_sdk, sim.base_url, sim.key("sdk"), request, args.tasks
            )
            engine = await run_engine(
                sim.base_url, sim.key("engine"), request, args.tasks, args.warmup
            )
            return engine, await sdk

        engine, sdk = asyncio.run(both())
        listed = sim.tasks()
        tasks = {t["id"]: t for t in listed}
    engine_polls = [int(tasks[i]["polls"]) for i in engine["ids"]]
    sdk_polls = [int(tasks[i]["polls"]) for i in sdk["ids"]]
    rows = [
        summarize("vace-studio", engine["latencies"], engine_polls),
        summarize("dashscope SDK", sdk["latencies"], sdk_polls),
    ]
    ratio = rows[0]["polls_per_task_mean"] / rows[1]["polls_per_task_mean"]
    result = {
        "config": {
            "tasks": args.tasks,
            "warmup": args.warmup,
            "queue_s": args.queue,
            "run_s": args.run,
            "jitter": args.jitter,
        },
        "rows": rows,
        "requests_ratio": ratio,
        "latency_ratio": rows[0]["latency_median_s"] / rows[1]["latency_median_s"],
    }
    for row in rows:
        print(
            f"{row['side']:>14}: {row['polls_per_task_mean']:.1f} status requests/task, "
            f"detection latency median {row['latency_median_s']:.2f} s, "
            f"p95 {row['latency_p95_s']:.2f} s"
        )
    print(
        f"requests ratio vace-studio/SDK = {ratio:.2f} (target <= 0.25); "
        f"latency ratio = {result['latency_ratio']:.2f} (target <= 1)"
    )
    save("engine_vs_sdk", result)


if __name__ == "__main__":
    main()
