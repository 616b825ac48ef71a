"""Benchmark the simulator's renderer: each function at 1280×720, 5 s, several times.

Usage::

    python benchmarks/bench_render.py [--repeat 5] [--function video_edit ...] [--out PATH]

Inputs are synthetic (``vace_studio.simulator.render.samples``): a 5 s, 30 fps, 1280×720 clip of a
textured square moving over a gradient, plus reference / first-frame images and a mask. They are
made once in a temporary folder before timing. Each render writes to memory; the time is the wall
time of ``render_task`` (decode + compose + encode). Prints median and p95 per function and saves
them, with the machine's description, as JSON (default ``benchmarks/results/render.json``).
The target is ≤ 2 s per render on a 2-core machine.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import av
import numpy as np

from vace_studio.simulator.render import FUNCTIONS, render_task
from vace_studio.simulator.render.samples import gradient, moving_square, write_image, write_video

W, H = 1280, 720
TARGET_SECONDS = 2.0


def make_media(folder: Path) -> dict[str, str]:
    """The URL → path map of the benchmark's inputs."""
    frames = moving_square(W, H, 150, x0=200, y0=200, size=240, dx=4, dy=1)
    mask = np.zeros((H, W), dtype=np.uint8)
    mask[200:440, 200:440] = 255
    ref = gradient(900, 900)
    ref[300:600, 300:600] = (230, 200, 40)
    return {
        "https://bench/video.mp4": write_video(folder / "video.mp4", frames, crf=20),
        "https://bench/clip.mp4": write_video(folder / "clip.mp4", frames[:60], crf=20),
        "https://bench/bg.jpg": write_image(folder / "bg.jpg", gradient(1600, 1000)),
        "https://bench/ref.png": write_image(folder / "ref.png", ref),
        "https://bench/mask.png": write_image(folder / "mask.png", mask),
    }


REQUESTS: dict[str, dict[str, Any]] = {
    "image_reference": {
        "ref_images_url": [
            "https://bench/ref.png",
            "https://bench/bg.jpg",
            "https://bench/ref.png",
        ],
        "obj_or_bg": ["obj", "bg", "obj"],
        "size": f"{W}*{H}",
    },
    "video_repainting": {"video_url": "https://bench/video.mp4", "control_condition": "depth"},
    "video_edit": {
        "video_url": "https://bench/video.mp4",
        "mask_image_url": "https://bench/mask.png",
    },
    "video_extension": {
        "first_frame_url": "https://bench/bg.jpg",
        "last_clip_url": "https://bench/clip.mp4",
    },
    "video_outpainting": {
        "video_url": "https://bench/video.mp4",
        "left_scale": 1.5,
        "right_scale": 1.5,
        "top_scale": 1.25,
    },
}
# Variants worth watching: the other control conditions cost differently.
EXTRA: dict[str, tuple[str, dict[str, Any]]] = {
    "video_repainting[scribble]": (
        "video_repainting",
        {"video_url": "https://bench/video.mp4", "control_condition": "scribble", "strength": 0.7},
    ),
    "video_repainting[posebodyface]": (
        "video_repainting",
        {"video_url": "https://bench/video.mp4", "control_condition": "posebodyface"},
    ),
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="renders per function (default 5)")
    parser.add_argument("--function", action="append", help="only these cases (repeatable)")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).parent / "results" / "render.json",
        help="where to save the JSON results",
    )
    args = parser.parse_args(argv)

    cases: dict[str, tuple[str, dict[str, Any]]] = {f: (f, REQUESTS[f]) for f in FUNCTIONS}
    cases.update(EXTRA)
    if args.function:
        cases = {k: v for k, v in cases.items() if k in args.function or v[0] in args.function}

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        print("making inputs…", file=sys.stderr)
        media = make_media(Path(tmp))
        print(f"{'case':34} {'median s':>9} {'p95 s':>7} {'max s':>7} {'MB':>6}")
        for name, (function, params) in cases.items():
            request = {"function": function, "prompt": "a benchmark of the renderer", **params}
            times: list[float] = []
            size = 0
            for _ in range(args.repeat):
                buf = io.BytesIO()
                start = time.perf_counter()
                render_task(request, media, out_path_or_file=buf)
                times.append(time.perf_counter() - start)
                size = len(buf.getvalue())
            row = {
                "function": function,
                "median_s": round(statistics.median(times), 3),
                "p95_s": round(percentile(times, 0.95), 3),
                "max_s": round(max(times), 3),
                "runs_s": [round(t, 3) for t in times],
                "output_bytes": size,
                "within_target": statistics.median(times) <= TARGET_SECONDS,
            }
            results[name] = row
            print(
                f"{name:34} {row['median_s']:9.3f} {row['p95_s']:7.3f} {row['max_s']:7.3f} "
                f"{size / 1e6:6.2f}"
            )

    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "size": f"{W}*{H}",
        "frames": 150,
        "repeat": args.repeat,
        "target_s": TARGET_SECONDS,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "pyav": av.__version__,
            "numpy": np.__version__,
            "load_average_1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        },
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"saved {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
