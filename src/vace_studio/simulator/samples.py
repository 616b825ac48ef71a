"""Sample inputs for demos and tests: small images, masks and MP4s, and a loopback file server
that makes local files reachable as http URLs (the way a provider fetches inputs).

Everything here is deterministic and small so that tests stay fast. :func:`write_samples` writes
one matching set (an image, a video, a mask for that video, a clip) into a folder; the test
suite's shared ``media`` fixture is that set, and notebooks can use it the same way.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import numpy as np
from PIL import Image, ImageFilter


def make_image(
    path: Path,
    width: int = 480,
    height: int = 360,
    seed: int = 0,
    *,
    fmt: str | None = None,
    noise: bool = False,
) -> Path:
    """An image of smooth colour bands with a disc, ``width×height``.

    The format follows the suffix unless ``fmt`` (a Pillow format name such as ``"GIF"``) says
    otherwise. ``noise`` draws seeded RGB noise instead, which compresses badly: a way to make a
    file that is large in bytes but small in pixels.
    """
    rng = np.random.default_rng(seed)
    if noise:
        pixels = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    else:
        base = rng.integers(40, 215, size=3)
        y, x = np.mgrid[0:height, 0:width]
        pixels = np.empty((height, width, 3), dtype=np.uint8)
        for channel in range(3):
            wave = np.sin((x / width + channel / 3.0) * np.pi * 2) * 40
            pixels[..., channel] = np.clip(base[channel] + wave, 0, 255)
        disc = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (min(width, height) / 4) ** 2
        pixels[disc] = 255 - base
    Image.fromarray(pixels).save(path, fmt)
    return path


def make_mask(
    path: Path,
    width: int,
    height: int,
    *,
    extent: float = 0.5,
    soft: bool = False,
    empty: bool = False,
) -> Path:
    """A greyscale mask: black with a white centred rectangle (white = edit, black = keep).

    ``extent`` is the rectangle's width and height as a fraction of the mask's (0.5: a quarter of
    the area). ``soft`` blurs its edge into greys (an impure mask); ``empty`` leaves it all black.
    """
    mask = np.zeros((height, width), dtype=np.uint8)
    if not empty:
        margin = (1 - extent) / 2
        top, left = round(height * margin), round(width * margin)
        mask[top : height - top, left : width - left] = 255
    image = Image.fromarray(mask)
    if soft:
        image = image.filter(ImageFilter.GaussianBlur(3))
    image.save(path)
    return path


def make_video(
    path: Path,
    width: int = 320,
    height: int = 240,
    fps: int = 16,
    seconds: float = 1.0,
    *,
    mask: bool = False,
    codec: str = "libx264",
    container: str | None = None,
    faststart: bool = False,
) -> Path:
    """A video of a moving square (or, with ``mask``, a moving white square on black).

    H.264 in an MP4 by default; ``codec`` and ``container`` (PyAV names such as ``"mpeg4"``,
    ``"mov"``) make other files, and ``faststart`` puts the index before the media data.
    """
    import av  # lazy: only sample makers need PyAV here

    frames = max(1, round(fps * seconds))
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", format=container, options=options) as out:
        stream = out.add_stream(codec, rate=fps)
        if not isinstance(stream, av.VideoStream):
            raise ValueError(f"codec: must be a video codec (got {codec!r})")
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if codec == "libx264":
            stream.options = {"preset": "ultrafast"}
        side = max(8, min(width, height) // 3)
        for i in range(frames):
            pixels = np.zeros((height, width, 3), dtype=np.uint8)
            if not mask:
                pixels[:] = (3 * i % 30, 0, 90)  # dark blue, so tints and overlays stand out
            left = int((width - side) * i / max(1, frames - 1))
            top = (height - side) // 2
            pixels[top : top + side, left : left + side] = 255 if mask else (240, 200, 40)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@dataclass(frozen=True)
class Samples:
    """One folder of matching sample inputs, as :func:`write_samples` makes them.

    Files are attributes (``samples.video``) and, for code that treats the set as a mapping,
    items by the same name (``samples["video"]``).
    """

    root: Path
    image: Path  # ref.png: 480×400, within every function's image limits
    video: Path  # source.mp4: 320×240, 16 fps, 1 s, H.264
    mask: Path  # mask.png: 320×240, matches ``video``; the white centre is 1/16 of the area
    clip: Path  # clip.mp4: like ``video``, for video_extension

    def __getitem__(self, name: str) -> Path:
        if name not in _SAMPLE_FILES:
            raise KeyError(name)
        path: Path = getattr(self, name)
        return path


_SAMPLE_FILES = frozenset(f.name for f in dataclasses.fields(Samples)) - {"root"}


def write_samples(root: Path) -> Samples:
    """Write the standard sample set into the existing folder ``root``."""
    return Samples(
        root=root,
        image=make_image(root / "ref.png", 480, 400),
        video=make_video(root / "source.mp4"),
        mask=make_mask(root / "mask.png", 320, 240, extent=0.25),
        clip=make_video(root / "clip.mp4"),
    )


_RANGE = re.compile(r"bytes=(\d+)-(\d*)")


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves files quietly, honours one ``Range: bytes=a-b`` (206) when ``ranges`` is on, and
    appends (method, path, Range header) to ``log``."""

    ranges: bool
    log: list[tuple[str, str, str | None]]

    def __init__(
        self, *args: Any, ranges: bool, log: list[tuple[str, str, str | None]], **kwargs: Any
    ) -> None:
        self.ranges, self.log = ranges, log
        super().__init__(*args, **kwargs)  # the base class handles the request right here

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self.log.append(("HEAD", self.path, None))
        super().do_HEAD()

    def do_GET(self) -> None:
        wanted = self.headers.get("Range")
        self.log.append(("GET", self.path, wanted))
        match = _RANGE.fullmatch(wanted or "")
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


class FileServer:
    """Serves one directory over http on loopback; ``url(path)`` gives a file's URL.

    ``ranges`` (default on) answers single ``Range: bytes=a-b`` requests with 206, as object
    stores and CDNs do; off, every GET gets the whole file. ``requests`` lists what was asked, as
    (method, path, Range header). ``str(server)`` is its base URL. Use as a context manager, or
    call :meth:`close`.
    """

    def __init__(self, directory: Path, *, ranges: bool = True) -> None:
        self.directory = Path(directory)
        self.requests: list[tuple[str, str, str | None]] = []
        handler = functools.partial(
            _Handler, directory=str(self.directory), ranges=ranges, log=self.requests
        )
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def __str__(self) -> str:
        return self.base_url

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
