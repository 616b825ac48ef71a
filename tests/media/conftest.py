"""Media made on the fly (PyAV, Pillow, NumPy) for the media tests: no committed binaries.

``write_video`` / ``write_image`` / ``write_mask`` write small real files; ``pad_mp4`` grows an
MP4 to an exact byte size with a ``free`` box (a valid file FFmpeg skips over), so the 50 MB
limit is tested without encoding 50 MB. Session fixtures hold the files many tests share.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image

from vace_studio.engine import Client, PollPolicy, RetryPolicy
from vace_studio.simulator import SimulatorConfig, serve

FAST_POLLS = PollPolicy(
    first_check=0.1, min_interval=0.05, dense_interval=0.2, max_interval=2.0, default_expected=1.0
)
FAST_RETRY = RetryPolicy(attempts=3, initial=0.02, max_wait=0.2, max_total=10.0)


def write_video(
    path: Path,
    *,
    seconds: float = 1.0,
    fps: float = 16,
    size: tuple[int, int] = (320, 240),
    codec: str = "libx264",
    container: str | None = None,
    faststart: bool = False,
) -> Path:
    """A real video: a bright square moving over a dark blue background."""
    width, height = size
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), mode="w", format=container, options=options) as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if codec == "libx264":
            stream.options = {"preset": "ultrafast"}
        for i in range(round(seconds * fps)):
            frame = np.zeros((height, width, 3), np.uint8)
            frame[:, :, 2] = 90
            side = max(8, height // 5)
            x = (i * 7) % max(1, width - side)
            frame[height // 3 : height // 3 + side, x : x + side] = (240, 200, 30)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def write_image(
    path: Path, size: tuple[int, int] = (480, 400), fmt: str | None = None, *, noise: bool = False
) -> Path:
    """A real image (a gradient with a white square, or RGB noise that compresses badly)."""
    width, height = size
    if noise:
        pixels = np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)
    else:
        pixels = np.zeros((height, width, 3), np.uint8)
        pixels[:, :, 0] = np.linspace(0, 255, width, dtype=np.uint8)[None, :]
        pixels[height // 3 : height // 2, width // 3 : width // 2] = 250
    Image.fromarray(pixels).save(path, fmt)
    return path


def write_mask(
    path: Path, size: tuple[int, int] = (320, 240), *, soft: bool = False, empty: bool = False
) -> Path:
    """A white rectangle on black; ``soft`` blurs its edge into greys, ``empty`` is all black."""
    width, height = size
    mask = np.zeros((height, width), np.uint8)
    if not empty:
        mask[height * 3 // 8 : height * 5 // 8, width * 3 // 8 : width * 5 // 8] = 255
    img = Image.fromarray(mask)
    if soft:
        from PIL import ImageFilter

        img = img.filter(ImageFilter.GaussianBlur(3))
    img.save(path)
    return path


def pad_mp4(src: Path, dst: Path, total_bytes: int) -> Path:
    """A copy of an MP4 grown to exactly ``total_bytes`` by a trailing ``free`` box."""
    data = src.read_bytes()
    extra = total_bytes - len(data)
    assert extra >= 8
    with dst.open("wb") as out:
        out.write(data)
        out.write(extra.to_bytes(4, "big") + b"free")
        out.seek(total_bytes - 1)
        out.write(b"\0")
    return dst


@dataclass(frozen=True)
class Media:
    """Shared valid inputs (in one folder)."""

    root: Path
    image: Path  # 480×400 PNG
    video: Path  # 320×240, 16 fps, 1 s H.264 MP4
    mask: Path  # 320×240 pure black/white PNG
    clip: Path  # 320×240, 16 fps, 1 s


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    root = tmp_path_factory.mktemp("media")
    return Media(
        root,
        write_image(root / "ref.png"),
        write_video(root / "source.mp4"),
        write_mask(root / "mask.png"),
        write_video(root / "clip.mp4"),
    )


class _RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files, honouring single ``Range: bytes=a-b`` requests (206), and counting them."""

    ranges = True
    requests: list[tuple[str, str, str | None]]

    def log_message(self, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        self.requests.append(("HEAD", self.path, None))
        super().do_HEAD()

    def do_GET(self) -> None:
        wanted = self.headers.get("Range")
        self.requests.append(("GET", self.path, wanted))
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", wanted or "")
        path = Path(self.translate_path(self.path))
        if not (self.ranges and match and path.is_file()):
            super().do_GET()
            return
        data = path.read_bytes()
        start = int(match.group(1))
        end = min(int(match.group(2) or len(data) - 1), len(data) - 1)
        if start >= len(data):
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(data)}")
            self.end_headers()
            return
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self.wfile.write(data[start : end + 1])


@dataclass
class FileServer:
    url: str
    root: Path
    requests: list[tuple[str, str, str | None]]


def _serve(root: Path, *, ranges: bool) -> Iterator[FileServer]:
    log: list[tuple[str, str, str | None]] = []
    handler_class = type("Handler", (_RangeHandler,), {"ranges": ranges, "requests": log})
    handler = functools.partial(handler_class, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield FileServer(f"http://127.0.0.1:{server.server_address[1]}", root, log)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FileServer]:
    """A loopback file server with range support over its own folder."""
    yield from _serve(tmp_path_factory.mktemp("served"), ranges=True)


@pytest.fixture(scope="session")
def served_plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FileServer]:
    """A loopback file server that ignores ``Range`` (always 200 with the whole file)."""
    yield from _serve(tmp_path_factory.mktemp("served-plain"), ranges=False)


@pytest.fixture(scope="module")
def simulator() -> Iterator[Any]:
    with serve(SimulatorConfig(queue_seconds=0.05, run_seconds=0.1)) as handle:
        yield handle


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., Client]]:
    """Clients with an isolated home and fast timing; their stores are closed afterwards."""
    made: list[Client] = []

    def build(base_url: str, provider: str = "dashscope", **options: Any) -> Client:
        options.setdefault("poll_policy", FAST_POLLS)
        options.setdefault("retry", FAST_RETRY)
        client = Client(
            provider,
            api_key=options.pop("api_key", "test-key-0123456789"),
            base_url=base_url,
            home=options.pop("home", tmp_path / "home"),
            **options,
        )
        made.append(client)
        return client

    yield build
    for client in made:
        client.store.close()


class Gen:
    """Writes test media into one folder (test modules cannot import this conftest)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def video(self, name: str = "video.mp4", **options: Any) -> Path:
        return write_video(self.root / name, **options)

    def image(
        self, name: str = "image.png", size: tuple[int, int] = (480, 400), **options: Any
    ) -> Path:
        return write_image(self.root / name, size, **options)

    def mask(
        self, name: str = "mask.png", size: tuple[int, int] = (320, 240), **options: Any
    ) -> Path:
        return write_mask(self.root / name, size, **options)

    def pad(self, src: Path, name: str, total_bytes: int) -> Path:
        return pad_mp4(src, self.root / name, total_bytes)


@pytest.fixture
def gen(tmp_path: Path) -> Gen:
    return Gen(tmp_path)
