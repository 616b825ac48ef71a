"""Benchmark the Gallery with 200 results: videos loaded at once, page memory, scroll smoothness.

    python -m benchmarks.bench_gallery [--cells 200] [--columns 10] [--out PATH] [--screenshot P]

The built bundle renders in Debian's Chromium with a stand-in anywidget model that answers the
kernel's messages (``sweeps``, ``gallery`` with ``--cells`` succeeded cells on a prompt × seed
grid with ``--columns`` seeds, ``video`` with a small H.264 clip). Then, in the page:

1. **Scroll**: the whole gallery is scrolled down and back up, 40 px per animation frame (about
   2 400 px/s, a brisk wheel). Every frame's duration is recorded (``requestAnimationFrame``
   timestamps): median, p95, the worst, and how many took longer than 50 ms (a visible hitch).
   While scrolling, the number of ``<video>`` elements holding a source is sampled every frame
   (target: at most 8, the loader's cap) and the bytes of live Blob URLs are tracked. Visible
   cells beyond the cap get a still from the kernel (``poster``, a JPEG of a few KB): counted.
2. **Play**: the videos on screen play in sync for two seconds; frame times again, and the
   spread of their ``currentTime`` (the sync target is 0.1 s).
3. **Memory**: Chromium's own counters (CDP ``Performance.getMetrics``): JS heap, DOM nodes,
   after scrolling; and the bytes of video held as Blobs (which live outside the JS heap).

Prints the figures and saves them as JSON (default ``benchmarks/results/gallery.json``).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.bench_widget import small_mp4
from benchmarks.common import machine
from vace_studio.widget.videos import poster_jpeg

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "src" / "vace_studio" / "static" / "widget.js"
TARGETS = {"videos_at_once": 8, "scroll_frame_ms_p95": 50.0, "play_spread_s": 0.1}

HARNESS_JS = """async ({ bundle, schema, mp4, jpeg, sweep }) => {
  // Blob bytes alive, by URL: what the gallery holds in video memory outside the JS heap.
  const sizes = new Map();
  const create = URL.createObjectURL.bind(URL), revoke = URL.revokeObjectURL.bind(URL);
  URL.createObjectURL = (blob) => {
    const u = create(blob); sizes.set(u, blob.size || 0); return u; };
  URL.revokeObjectURL = (u) => { sizes.delete(u); revoke(u); };
  const blobBytes = () => [...sizes.values()].reduce((a, b) => a + b, 0);

  const url = URL.createObjectURL(new Blob([bundle], { type: 'text/javascript' }));
  const widget = (await import(url)).default;
  const video = Uint8Array.from(atob(mp4), (c) => c.charCodeAt(0));
  const still = Uint8Array.from(atob(jpeg), (c) => c.charCodeAt(0));
  let served = 0, posters = 0;
  const handlers = new Map();
  const emit = (event, ...args) => (handlers.get(event) || []).forEach((h) => h(...args));
  const traits = { schema, provider: 'simulator', region: 'intl', endpoint: '', simulated: true,
    notice: '', has_key: false, price_per_second: null, key_targets: [], preview_fields: {},
    sweep_id: sweep.group_id };
  const model = {
    get: (k) => traits[k], set() {}, save_changes() {},
    on: (e, h) => handlers.set(e, [...(handlers.get(e) || []), h]),
    off: (e, h) => handlers.set(e, (handlers.get(e) || []).filter((x) => x !== h)),
    send(msg) {
      let answer = { id: msg.id, ok: true }, buffers = [];
      if (msg.kind === 'hello') answer = { ...answer, now: Date.now() / 1000, cards: [] };
      if (msg.kind === 'sweeps') answer = { ...answer, current: sweep.group_id, sweeps: [{
        group_id: sweep.group_id, name: sweep.name, created_at: 0, fields: sweep.fields,
        cells: sweep.cells.length, done: sweep.cells.length, succeeded: sweep.cells.length }] };
      if (msg.kind === 'gallery')
        answer = { ...answer, sweep: { ...sweep, now: Date.now() / 1000 } };
      if (msg.kind === 'poster') {
        posters++;
        answer = { ...answer, mime: 'image/jpeg', width: 320, height: 180 };
        buffers = [new DataView(still.buffer)];
      }
      if (msg.kind === 'video') {
        served++;
        answer = { ...answer, size: video.length, offset: 0, last: true, etag: 'e',
                   mime: 'video/mp4' };
        buffers = [new DataView(video.buffer)];
      }
      setTimeout(() => emit('msg:custom', answer, buffers), 1);
    },
  };
  const el = document.createElement('div');
  document.body.append(el);
  widget.render({ model, el });
  emit('msg:custom', { kind: 'show', view: 'gallery', group_id: sweep.group_id }, []);
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  for (let i = 0; i < 200 && document.querySelectorAll('.vs-cell').length < sweep.cells.length; i++)
    await wait(20);
  const cells = document.querySelectorAll('.vs-cell').length;
  await wait(500);

  const loaded = () => document.querySelectorAll('.vs-gallery video[src]').length;
  let peak = 0, peakBlob = 0;
  const frames = [];
  // 40 px per frame towards the top or the bottom, until the page stops moving (heights of
  // off-screen cells are estimates under content-visibility, so the end is found, not computed).
  const scroll = async (down) => {
    let last = performance.now();
    for (let i = 0; i < 5000; i++) {
      const y = window.scrollY;
      window.scrollBy(0, down ? 40 : -40);
      if (window.scrollY === y) break;
      const now = await new Promise((r) => requestAnimationFrame(r));
      frames.push(now - last); last = now;
      peak = Math.max(peak, loaded()); peakBlob = Math.max(peakBlob, blobBytes());
    }
  };
  const t0 = performance.now();
  await scroll(true);
  await wait(300);
  await scroll(false);
  const scrollSeconds = (performance.now() - t0) / 1000;
  await wait(1500); // the videos back on screen load again

  const onScreen = () => [...document.querySelectorAll('.vs-gallery video')].filter((v) => {
    const r = v.getBoundingClientRect();
    return v.readyState >= 2 && r.bottom > 0 && r.top < innerHeight; });
  document.querySelector('.vs-gallery > .vs-transport .vs-play').click();
  const playFrames = [];
  let last = performance.now();
  const until = last + 2000;
  while (last < until) {
    const now = await new Promise((r) => requestAnimationFrame(r));
    playFrames.push(now - last); last = now;
  }
  const times = onScreen().map((v) => v.currentTime);
  const playing = onScreen().filter((v) => !v.paused).length;
  return { cells, frames, playFrames, peak, peakBlob, blobNow: blobBytes(), served, posters,
           loadedNow: loaded(), times, playing, scrollSeconds,
           scrollHeight: document.documentElement.scrollHeight };
}"""


def sweep_of(cells: int, columns: int) -> dict[str, Any]:
    rows = max(1, -(-cells // columns))
    prompts = [f"style {i}" for i in range(rows)]
    seeds = list(range(columns))
    out = []
    for index in range(cells):
        labels = {"prompt": prompts[index // columns], "seed": seeds[index % columns]}
        out.append(
            {"index": index, "labels": labels, "local_id": f"l{index}", "task_id": f"t{index}",
             "status": "succeeded", "has_video": True, "has_source": False, "video_url": None,
             "url_expires_at": None, "request": {"function": "image_reference", **labels},
             "error_code": None, "error_message": None, "cost": 0.0}
        )  # fmt: skip
    progress = {"total": cells, "done": cells, "succeeded": cells, "failed": 0, "active": 0,
                "downloading": 0, "waiting": 0, "elapsed": 60.0, "eta": 0.0, "cost": 0.0,
                "fraction": 1.0, "text": ""}  # fmt: skip
    return {"group_id": "sweep-bench", "name": "bench", "created_at": 0,
            "fields": ["prompt", "seed"], "values": {"prompt": prompts, "seed": seeds},
            "estimate": None, "fps": 16.0, "progress": progress, "cells": out}  # fmt: skip


def _stats(frames: list[float]) -> dict[str, float]:
    ordered = sorted(frames)
    pick = lambda q: ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]  # noqa: E731
    return {
        "frames": len(ordered),
        "median_ms": round(pick(0.5), 1),
        "p95_ms": round(pick(0.95), 1),
        "max_ms": round(ordered[-1], 1),
        "over_50ms": sum(f > 50 for f in ordered),
    }


def run(cells: int, columns: int, folder: Path, screenshot: Path | None = None) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from vace_studio.requests import request_schema

    video = small_mp4()
    with tempfile.NamedTemporaryFile(suffix=".mp4") as clip:
        clip.write(video)
        clip.flush()
        still, _, _ = poster_jpeg(clip.name)  # what the kernel answers to `poster`
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update",
            "--autoplay-policy=no-user-gesture-required"]  # fmt: skip
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(folder / "profile"), executable_path=chromium, headless=True, args=args,
            env={**os.environ, "XDG_CONFIG_HOME": str(folder / "profile")},
            viewport={"width": 1280, "height": 900},
        )  # fmt: skip
        page = context.new_page()
        page.set_content("<!doctype html><html><body></body></html>")
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        got = page.evaluate(
            HARNESS_JS,
            {
                "bundle": BUNDLE.read_text(),
                "schema": request_schema(),
                "mp4": base64.b64encode(video).decode(),
                "jpeg": base64.b64encode(still).decode(),
                "sweep": sweep_of(cells, columns),
            },
        )
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        if screenshot is not None:
            page.evaluate("window.scrollTo(0, 400)")
            page.wait_for_timeout(1500)  # the videos now on screen settle and load
            page.screenshot(path=str(screenshot))
        context.close()
    times = got["times"]
    spread = 0.0
    for a in times:
        for b in times:
            d = abs(a - b)
            spread = max(spread, min(d, 5.0 - d))
    return {
        "cells": got["cells"],
        "grid": f"prompt ({-(-cells // columns)}) × seed ({columns})",
        "page_height_px": got["scrollHeight"],
        "scroll_seconds": round(got["scrollSeconds"], 2),
        "scroll": _stats(got["frames"]),
        "videos_at_once": got["peak"],
        "videos_loaded_at_end": got["loadedNow"],
        "video_fetches": got["served"],
        "poster_fetches": got["posters"],
        "blob_mb_peak": round(got["peakBlob"] / 2**20, 2),
        "play": {
            **_stats(got["playFrames"]),
            "videos": len(times),
            "playing": got["playing"],
            "spread_s": round(spread, 3),
        },
        "memory": {
            "js_heap_used_mb": round(metrics.get("JSHeapUsedSize", 0) / 2**20, 1),
            "js_heap_total_mb": round(metrics.get("JSHeapTotalSize", 0) / 2**20, 1),
            "dom_nodes": int(metrics.get("Nodes", 0)),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--columns", type=int, default=10)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "gallery.json"
    )
    parser.add_argument("--screenshot", type=Path, help="also save a picture of the gallery")
    args = parser.parse_args(argv)
    if not BUNDLE.is_file():
        print(f"the bundle is missing ({BUNDLE}): run `make` first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        figures = run(args.cells, args.columns, Path(tmp), args.screenshot)
    met = {
        "videos_at_once": figures["videos_at_once"] <= TARGETS["videos_at_once"],
        "scroll_frame_ms_p95": figures["scroll"]["p95_ms"] <= TARGETS["scroll_frame_ms_p95"],
        "play_spread_s": figures["play"]["spread_s"] <= TARGETS["play_spread_s"],
    }
    report = {"machine": machine(), "targets": TARGETS, "figures": figures, "met": met}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
