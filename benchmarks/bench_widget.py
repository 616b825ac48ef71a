"""Benchmark the widget: comm traffic with 200 live tasks, time to an interactive form, and how
many result videos the browser holds at once with 200 results.

Usage::

    python benchmarks/bench_widget.py [--tasks 200] [--finished 40] [--renders 20] [--out PATH]

1. **Comm bytes per task status change** (target ≤ 2 KB). A real ``Studio`` and engine against the
   real simulator (DashScope's quotas: 2 tasks at once, so 198 wait in the local queue and move up
   as others finish; its renderer replaced by a copy of a small MP4 so the run takes seconds).
   Every message the kernel sends on the widget's comm is serialised as Jupyter sends it (header,
   parent header, metadata, content, buffers, via ``jupyter_client.Session``) and its bytes are
   divided by the number of task status changes, counted from the submits until ``--finished``
   tasks are done (the rest are live all along; then they are canceled). For comparison it also
   reports what syncing the whole card list as a trait on each flush would have cost.
2. **Display to interactive form** (target ≤ 100 ms). The built bundle's ``render`` in Debian's
   Chromium with a stand-in model: from the call until the form is laid out and painted (two
   animation frames), median and p95 over ``--renders`` views.
3. **Videos loaded at once with 200 results** (target ≤ 8). The same page with 200 succeeded
   cards: it scrolls through the whole list, sampling how many ``<video>`` elements hold a source.

Prints the figures and saves them with the machine's description as JSON (default
``benchmarks/results/widget.json``).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import av
import comm
import numpy as np
from comm.base_comm import BaseComm
from jupyter_client.session import Session
from PIL import Image

from benchmarks.common import launch_chromium
from vace_studio.engine import Client, PollPolicy, RetryPolicy
from vace_studio.experiments.views import project, task_view
from vace_studio.simulator import SimulatorConfig, serve
from vace_studio.widget import Studio

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "src" / "vace_studio" / "static" / "widget.js"
TARGETS = {"bytes_per_status_change": 2048, "render_ms": 100.0, "videos_at_once": 8}


def small_mp4(seconds: float = 5.0, fps: int = 16, size: tuple[int, int] = (320, 180)) -> bytes:
    """A short H.264 clip: what the stand-in renderer and the stand-in kernel serve."""
    out = io.BytesIO()
    width, height = size
    with av.open(out, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for i in range(int(seconds * fps)):
            frame = np.full((height, width, 3), (30, 60, 120), np.uint8)
            frame[60:120, (i * 4) % (width - 60) :][:, :60] = (230, 40, 40)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


# -- 1. comm bytes per status change ----------------------------------------------------------
class MeasuringComm(BaseComm):
    """Serialises every message as the kernel would send it, and counts the bytes."""

    session = Session(key=b"benchmark-key")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.bytes_sent = 0
        self.messages = 0
        self.largest = 0
        super().__init__(*args, **kwargs)

    def publish_msg(
        self,
        msg_type: str,
        data: Any = None,
        metadata: Any = None,
        buffers: Any = None,
        **keys: Any,
    ) -> None:
        content = {"data": data or {}, "comm_id": self.comm_id, **keys}
        msg = self.session.msg(msg_type, content=content, metadata=metadata or {})
        frames = self.session.serialize(msg)
        size = sum(len(f) for f in frames) + sum(len(memoryview(b)) for b in buffers or [])
        self.bytes_sent += size
        self.messages += 1
        self.largest = max(self.largest, size)


def _stand_in_renderer(video: bytes) -> Any:
    def render(
        request: Mapping[str, Any], inputs: Mapping[str, str], *, out_path_or_file: Any
    ) -> None:
        if hasattr(out_path_or_file, "write"):
            out_path_or_file.write(video)
        else:
            Path(out_path_or_file).write_bytes(video)

    return render


async def comm_traffic(n_tasks: int, finished: int, video: bytes, folder: Path) -> dict[str, Any]:
    image = folder / "ref.png"
    Image.fromarray(np.full((480, 640, 3), 120, np.uint8)).save(image)
    config = SimulatorConfig(
        queue_seconds=0.02, run_seconds=0.05, renderer=_stand_in_renderer(video)
    )
    original = comm.create_comm
    comm.create_comm = MeasuringComm
    try:
        with serve(config) as sim:
            client = Client(
                "simulator", api_key=sim.key(), base_url=sim.base_url, home=folder / "home",
                poll_policy=PollPolicy(first_check=0.02, min_interval=0.02, dense_interval=0.05,
                                       max_interval=0.5, default_expected=0.2),
                retry=RetryPolicy(attempts=4, initial=0.02, max_wait=0.2, max_total=10.0),
            )  # fmt: skip
            studio = Studio(client=client)
            wire: MeasuringComm = studio.comm
            opened = wire.bytes_sent  # the initial state (schema, provider facts)
            changes = 0
            last: dict[str, str] = {}

            def count(task: Any) -> None:
                nonlocal changes
                if last.get(task.local_id) != task.status:
                    last[task.local_id] = task.status
                    changes += 1

            started = time.perf_counter()
            tasks = []
            for i in range(n_tasks):
                task = studio.enqueue(
                    {
                        "function": "image_reference",
                        "prompt": f"kite {i}",
                        "ref_images_url": [str(image)],
                    }
                )
                task.observe(count)
                count(task)
                tasks.append(task)
            await asyncio.sleep(0)  # the burst of new cards goes out as one push, at once
            first_push, created = wire.bytes_sent - opened, changes
            # Measure while (nearly) all of them are live: until `finished` of them are done.
            while sum(t.done for t in tasks) < finished:
                await asyncio.sleep(0.05)
            await asyncio.sleep(studio._cards.throttle.interval + 0.1)
            elapsed = time.perf_counter() - started
            sent = wire.bytes_sent - opened
            flushes = wire.messages - 1
            measured_changes = changes
            # What a synced list trait would have sent: every card, on every flush.
            cards = [project(task_view(t.record, task=t), "card") for t in tasks]
            whole_list = len(json.dumps(cards)) * flushes
            failed = sum(t.status not in ("succeeded", "waiting", "submitting", "queued",
                                          "running") for t in tasks)  # fmt: skip
            for task in tasks:
                if task.status == "waiting":
                    await task.cancel()
            await asyncio.gather(*(t.wait(60) for t in tasks))
            studio.close()
            await client.aclose()
    finally:
        comm.create_comm = original
    return {
        "tasks": n_tasks,
        "finished_while_measuring": finished,
        "failed": failed,
        "status_changes": measured_changes,
        "messages": flushes,
        "comm_bytes": sent,
        "bytes_per_status_change": round(sent / measured_changes, 1),
        "largest_message_bytes": wire.largest,
        "initial_state_bytes": opened,
        "whole_list_trait_bytes_per_status_change": round(whole_list / measured_changes, 1),
        "new_card_bytes": round(first_push / created, 1),
        "bytes_per_later_status_change": round(
            (sent - first_push) / max(1, measured_changes - created), 1
        ),
        "seconds": round(elapsed, 2),
    }


# -- 2 and 3. the front end in Chromium ----------------------------------------------------------
HARNESS_JS = """async ({ bundle, schema, mp4, cards, renders }) => {
  const url = URL.createObjectURL(new Blob([bundle], { type: 'text/javascript' }));
  const widget = (await import(url)).default;
  const video = Uint8Array.from(atob(mp4), (c) => c.charCodeAt(0));
  let served = 0;
  // A stand-in for anywidget's model: traits, events and a kernel answering custom messages.
  const model = (traits, known) => {
    const handlers = new Map();
    const emit = (event, ...args) => (handlers.get(event) || []).forEach((h) => h(...args));
    return {
      get: (k) => traits[k], set: (k, v) => { traits[k] = v; emit('change:' + k); },
      save_changes() {}, on: (e, h) => handlers.set(e, [...(handlers.get(e) || []), h]),
      off: (e, h) => handlers.set(e, (handlers.get(e) || []).filter((x) => x !== h)),
      send(msg) {
        let answer = { id: msg.id, ok: true }, buffers = [];
        if (msg.kind === 'hello') answer = { ...answer, now: Date.now() / 1000, cards: known };
        if (msg.kind === 'video') {
          served++;
          answer = { ...answer, size: video.length, offset: 0, last: true, etag: 'e',
                     mime: 'video/mp4' };
          buffers = [new DataView(video.buffer)];
        }
        setTimeout(() => emit('msg:custom', answer, buffers), 1);
      },
    };
  };
  const traits = () => ({ schema, provider: 'simulator', region: 'intl', endpoint: '',
    simulated: true, notice: '', has_key: false, price_per_second: 0.1, key_targets: [] });
  const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));

  const times = [];
  for (let i = 0; i < renders; i++) {
    const el = document.createElement('div');
    document.body.append(el);
    const t0 = performance.now();
    const cleanup = widget.render({ model: model(traits(), []), el });  // a fresh display
    const form = el.querySelector('form.vs-form');
    await frame();
    form.querySelector('textarea').focus();
    times.push({ sync: Number(el.querySelector('.vs-root').dataset.renderMs),
                 painted: performance.now() - t0,
                 focused: document.activeElement === form.querySelector('textarea') });
    cleanup(); el.remove();
  }

  const el = document.createElement('div');
  document.body.append(el);
  widget.render({ model: model(traits(), cards), el });
  await new Promise((r) => setTimeout(r, 50));
  await frame();
  const count = () => document.querySelectorAll('video[src]').length;
  let peak = 0, samples = 0;
  const shown = document.querySelectorAll('.vs-card').length;
  for (let y = 0; y < document.documentElement.scrollHeight; y += 300) {
    window.scrollTo(0, y);
    for (let k = 0; k < 4; k++) {
      await new Promise((r) => setTimeout(r, 30));
      peak = Math.max(peak, count());
      samples++;
    }
  }
  await new Promise((r) => setTimeout(r, 300));
  const inView = [...document.querySelectorAll('video[src]')].filter((v) => {
    const r = v.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; });
  const playableInView = inView.filter((v) => v.readyState >= 1).length;
  return { times, peak, samples, served, shown, playableInView, inView: inView.length };
}"""


def front_end(renders: int, n_results: int, video: bytes, folder: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from vace_studio.requests import request_schema

    card = {
        "function": "image_reference", "status": "succeeded", "order": 0, "task_id": "t",
        "provider": "simulator", "submitted_at": 1.0, "started_at": 2.0, "finished_at": 8.0,
        "expected_seconds": 7.0, "error_code": None, "error_message": None, "last_error": None,
        "downloading": False, "has_video": True, "video_url": None, "url_expires_at": None,
        "cost": 0.5, "request": {"function": "image_reference", "prompt": "a red kite"},
    }  # fmt: skip
    cards = [
        {**card, "local_id": f"l{i}", "task_id": f"t{i}", "created_at": float(i)}
        for i in range(n_results)
    ]
    with sync_playwright() as p:
        context = launch_chromium(p, folder, {"width": 1280, "height": 900})
        page = context.new_page()
        page.set_content("<!doctype html><html><body></body></html>")
        got = page.evaluate(
            HARNESS_JS,
            {
                "bundle": BUNDLE.read_text(),
                "schema": request_schema(),
                "mp4": base64.b64encode(video).decode(),
                "cards": cards,
                "renders": renders,
            },
        )
        context.close()
    painted = sorted(t["painted"] for t in got["times"])
    return {
        "render_sync_ms_median": round(statistics.median(t["sync"] for t in got["times"]), 1),
        "render_ms_median": round(statistics.median(painted), 1),
        "render_ms_p95": round(painted[max(0, round(0.95 * (len(painted) - 1)))], 1),
        "render_ms_first": round(got["times"][0]["painted"], 1),
        "form_focusable": all(t["focused"] for t in got["times"]),
        "results": n_results,
        "cards_shown": got["shown"],
        "videos_at_once": got["peak"],
        "video_fetches": got["served"],
        "videos_in_view_at_end": got["inView"],
        "playable_in_view_at_end": got["playableInView"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--finished", type=int, default=40, help="tasks to finish while measuring")
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "widget.json")
    args = parser.parse_args(argv)
    if not BUNDLE.is_file():
        print(f"the bundle is missing ({BUNDLE}): run `make` first", file=sys.stderr)
        return 2
    video = small_mp4()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        traffic = asyncio.run(comm_traffic(args.tasks, args.finished, video, folder))
        browser = front_end(args.renders, args.tasks, video, folder)
    figures = {"comm": traffic, "front_end": browser}
    checks = {
        "bytes_per_status_change": traffic["bytes_per_status_change"]
        <= TARGETS["bytes_per_status_change"],
        "render_ms": browser["render_ms_median"] <= TARGETS["render_ms"],
        "videos_at_once": browser["videos_at_once"] <= TARGETS["videos_at_once"],
    }
    report = {
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "targets": TARGETS,
        "figures": figures,
        "met": checks,
    }  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
