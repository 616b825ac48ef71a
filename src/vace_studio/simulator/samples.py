"""Sample inputs for demos and tests: small images, masks and MP4s, and a loopback file server
that makes local files reachable as http URLs (the way a provider fetches inputs).

Everything here is deterministic and small so that tests stay fast.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import numpy as np
from PIL import Image


def make_image(path: Path, width: int = 480, height: int = 360, seed: int = 0) -> Path:
    """A PNG/JPEG (by suffix) of smooth colour bands with a disc, ``width×height``."""
    rng = np.random.default_rng(seed)
    base = rng.integers(40, 215, size=3)
    y, x = np.mgrid[0:height, 0:width]
    pixels = np.empty((height, width, 3), dtype=np.uint8)
    for channel in range(3):
        wave = np.sin((x / width + channel / 3.0) * np.pi * 2) * 40
        pixels[..., channel] = np.clip(base[channel] + wave, 0, 255)
    disc = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (min(width, height) / 4) ** 2
    pixels[disc] = 255 - base
    Image.fromarray(pixels).save(path)
    return path


def make_mask(path: Path, width: int, height: int) -> Path:
    """A black PNG with a white centre rectangle (white = edit, black = keep)."""
    mask = np.zeros((height, width), dtype=np.uint8)
    mask[height // 4 : 3 * height // 4, width // 4 : 3 * width // 4] = 255
    Image.fromarray(mask).convert("RGB").save(path)
    return path


def make_video(
    path: Path,
    width: int = 320,
    height: int = 240,
    fps: int = 16,
    seconds: float = 1.0,
    *,
    mask: bool = False,
) -> Path:
    """An H.264 MP4 of a moving square (or, with ``mask``, a moving white square on black)."""
    import av  # lazy: only sample makers need PyAV here

    frames = max(1, round(fps * seconds))
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        side = max(8, min(width, height) // 3)
        for i in range(frames):
            pixels = np.zeros((height, width, 3), dtype=np.uint8)
            if not mask:
                pixels[:] = (30 + 3 * i % 60, 90, 160)
            left = int((width - side) * i / max(1, frames - 1))
            top = (height - side) // 2
            pixels[top : top + side, left : left + side] = 255 if mask else (240, 200, 40)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


class CopyingRenderer:
    """A stand-in renderer that writes a ready-made MP4 for every task, instantly.

    For tests of protocols and clients that do not need a real render; ``calls`` counts renders.
    Pass it as ``SimulatorConfig(renderer=CopyingRenderer(path))``.
    """

    def __init__(self, sample: Path) -> None:
        self.sample = Path(sample)
        self.calls = 0

    def __call__(
        self, request: Mapping[str, Any], inputs: Mapping[str, str], *, out_path_or_file: Path
    ) -> None:
        self.calls += 1
        shutil.copyfile(self.sample, out_path_or_file)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class FileServer:
    """Serves one directory over http on loopback; ``url(path)`` gives a file's URL.

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        handler = functools.partial(_QuietHandler, directory=str(self.directory))
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: Path | str) -> str:
        """The http URL of ``path`` (a file in the served directory)."""
        relative = Path(path).resolve().relative_to(self.directory.resolve())
        return f"{self.base_url}/{quote(relative.as_posix())}"

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
