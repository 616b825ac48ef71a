"""Benchmark the media layer: probes, request checks, previews and fixes on 720p inputs.

Usage::

    python benchmarks/bench_media.py [--repeat 5] [--out PATH]

Inputs are synthetic (``vace_studio.simulator.render.samples``): a 5 s, 16 fps, 1280×720 clip
(81 frames, ``moov`` at the end as PyAV writes it), a 1280×720 mask and a 2000×2000 JPEG, made
once in a temporary folder; remote probes go to a loopback server that honours ``Range``.
Prints median and max per case and saves them as JSON (default
``benchmarks/results/media.json``). Targets: a probe or a request check well under 50 ms (it
runs on every enqueue); a preview under 1 s (it runs while someone drags a slider).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import http.server
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from vace_studio import media
from vace_studio.requests import validate_request
from vace_studio.simulator.render.samples import gradient, moving_square, write_image, write_video

W, H = 1280, 720


class _Ranges(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        found = re.fullmatch(r"bytes=(\d+)-(\d+)", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not found or not path.is_file():
            super().do_GET()
            return
        data = path.read_bytes()
        start, end = int(found.group(1)), min(int(found.group(2)), len(data) - 1)
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self.wfile.write(data[start : end + 1])


def make_media(folder: Path) -> dict[str, Path]:
    frames = moving_square(W, H, 81, x0=200, y0=200, size=240, dx=4, dy=1)
    mask = np.zeros((H, W), dtype=np.uint8)
    mask[200:440, 200:440] = 255
    photo = gradient(2000, 2000)
    photo[600:1400, 600:1400] = (230, 200, 40)
    return {
        "video": Path(write_video(folder / "video.mp4", frames, fps=16, crf=20)),
        "slow": Path(write_video(folder / "slow.mp4", frames[::2], fps=8, crf=20)),
        "mask": Path(write_image(folder / "mask.png", mask)),
        "photo": Path(write_image(folder / "photo.jpg", photo)),
        "large": Path(write_image(folder / "large.jpg", gradient(4000, 3000))),
    }


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "media.json"
    )
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print("making inputs…", file=sys.stderr)
        files = make_media(root)
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_Ranges, directory=str(root))
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/video.mp4"
        edit = validate_request(
            {
                "function": "video_edit",
                "prompt": "p",
                "video_url": str(files["video"]),
                "mask_image_url": str(files["mask"]),
                "mask_frame_id": 81,
            }
        )

        async def remote() -> None:
            async with httpx.AsyncClient() as http:
                await media.probe_remote(url, http, "video")

        out = root / "out"
        out.mkdir()
        cases: dict[str, Callable[[], Any]] = {
            "probe_local video 720p": lambda: media.probe_local(files["video"]),
            "probe_local image 2000²": lambda: media.probe_local(files["photo"]),
            "probe_remote video (ranges)": lambda: asyncio.run(remote()),
            "check_request video_edit": lambda: media.check_request(edit),
            "mask_preview frame 81": lambda: media.mask_preview(
                files["video"], files["mask"], mask_frame_id=81
            ),
            "outpaint_preview": lambda: media.outpaint_preview(
                files["video"], left_scale=1.5, right_scale=1.5
            ),
            "control_preview posebodyface ×4": lambda: media.control_preview(
                files["video"], "posebodyface"
            ),
            "to_h264_mp4 8→16 fps": lambda: media.to_h264_mp4(files["slow"], out / "a.mp4"),
            "resize 4000×3000 JPEG": lambda: media.resize_image_into_range(
                files["large"], out / "b.jpg"
            ),
        }
        print(f"{'case':34} {'median ms':>10} {'max ms':>8}")
        for name, fn in cases.items():
            times = timed(fn, args.repeat)
            results[name] = {
                "median_ms": round(statistics.median(times) * 1000, 1),
                "max_ms": round(max(times) * 1000, 1),
            }
            print(f"{name:34} {results[name]['median_ms']:10.1f} {results[name]['max_ms']:8.1f}")
        server.shutdown()
        server.server_close()
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "repeat": args.repeat,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"saved {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
