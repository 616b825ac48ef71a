"""Decode task inputs (images with Pillow, videos with PyAV) and encode the result MP4.

The only module of the renderer that touches files. Frames are packed 4:2:0 arrays (see
:mod:`vace_studio.imaging.yuv`); decoded videos are converted straight to that layout by swscale.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from dataclasses import dataclass
from fractions import Fraction
from typing import BinaryIO

import av
import av.container
import numpy as np
from PIL import Image, ImageOps

from vace_studio.imaging.arrays import U8
from vace_studio.imaging.canvas import fit_720p
from vace_studio.imaging.yuv import planes

from .errors import invalid

FPS = 30
MAX_SECONDS = 5.0
# x264 ultrafast: a 5 s 720p encode costs ≈ 0.5 s of one core. One encoder thread, because
# (1) x264's output depends on its thread count, so a fixed count gives the same bytes on every
# machine, and (2) the frame producer already runs in parallel with it (see Mp4Writer), so a
# second x264 thread mostly competes with it — and with a concurrent render — for the same cores.
X264_OPTIONS = {"preset": "ultrafast", "crf": "23"}
X264_THREADS = 1
_QUEUE_FRAMES = 8

PathOrFile = str | os.PathLike[str] | BinaryIO


@dataclass(frozen=True)
class LoadedImage:
    """A decoded image: (H, W, 3) RGB and, when the file has transparency, an (H, W) alpha."""

    rgb: U8
    alpha: U8 | None

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


def load_image(path: str | os.PathLike[str], field: str) -> LoadedImage:
    """Decode an image file (JPG/PNG/BMP/TIFF/WEBP…), EXIF orientation applied."""
    try:
        with Image.open(path) as img:
            img.load()
            upright = ImageOps.exif_transpose(img)
            has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
            if has_alpha:
                rgba = np.asarray(upright.convert("RGBA"), dtype=np.uint8)
                return LoadedImage(
                    np.ascontiguousarray(rgba[..., :3]), np.ascontiguousarray(rgba[..., 3])
                )
            return LoadedImage(np.asarray(upright.convert("RGB"), dtype=np.uint8).copy(), None)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise invalid(f"{field}: the file could not be decoded as an image ({exc})") from exc


class VideoClip:
    """A video input, decoded lazily (frames on demand, at most the first 5 s).

    Frames are packed 4:2:0 arrays of ``width×height``: by default the 720p rule
    (:func:`~vace_studio.imaging.canvas.fit_720p`) applied to the file's
    ``source_width×source_height``.
    Call :meth:`close` (the render does it) to release the file.
    """

    def __init__(
        self, path: str | os.PathLike[str], field: str, size: tuple[int, int] | None = None
    ) -> None:
        self.field = field
        try:
            self._container: av.container.InputContainer = av.open(os.fspath(path), mode="r")
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise invalid(f"{field}: the file could not be opened as a video ({exc})") from exc
        fmt = self._container.format.name
        # FFmpeg opens a lone PNG or JPEG as a one-frame "video"; the service wants a video file.
        if not self._container.streams.video or fmt == "image2" or fmt.endswith("_pipe"):
            self._container.close()
            raise invalid(f"{field}: the file is not a video (it was read as {fmt!r})")
        stream = self._container.streams.video[0]
        stream.thread_type = "AUTO"
        self.source_width = int(stream.codec_context.width)
        self.source_height = int(stream.codec_context.height)
        if self.source_width < 2 or self.source_height < 2:
            self._container.close()
            raise invalid(f"{field}: the video has no usable picture size")
        rate = stream.average_rate or stream.guessed_rate
        self.fps = float(rate) if rate else float(FPS)
        self.width, self.height = size or fit_720p(self.source_width, self.source_height)
        self._decoder = self._container.decode(stream)
        self._frames: list[U8] = []
        self._times: list[float] = []
        self._t0: float | None = None
        self._done = False

    def close(self) -> None:
        self._container.close()

    def set_size(self, width: int, height: int) -> None:
        """Change the decoded frame size (even); only before the first frame is decoded."""
        if self._frames:
            raise RuntimeError("set_size after decoding started")
        self.width, self.height = width, height

    def _next(self) -> bool:
        """Decode one more frame; False once the stream (or its first 5 s) is exhausted."""
        if self._done:
            return False
        try:
            frame = next(self._decoder)
        except StopIteration:
            frame = None
        except (av.FFmpegError, ValueError) as exc:
            raise invalid(f"{self.field}: the video could not be decoded ({exc})") from exc
        t = None if frame is None else frame.time
        if frame is not None and t is None:
            t = len(self._frames) / self.fps
        if frame is None or t is None:
            self._done = True
            return False
        if self._t0 is None:
            self._t0 = t
        rel = t - self._t0
        if rel >= MAX_SECONDS - 1e-6:
            self._done = True
            return False
        arr = frame.reformat(width=self.width, height=self.height, format="yuv420p").to_ndarray()
        self._frames.append(np.ascontiguousarray(arr, dtype=np.uint8))
        self._times.append(rel)
        return True

    def load_all(self) -> list[U8]:
        """Decode everything (up to 5 s) and return the frames."""
        while self._next():
            pass
        if not self._frames:
            raise invalid(f"{self.field}: the video contains no decodable frames")
        return self._frames

    def frame(self, index: int) -> U8:
        """Frame ``index`` (0-based, clamped to the last frame). Do not modify it."""
        while index >= len(self._frames) and self._next():
            pass
        if not self._frames:
            raise invalid(f"{self.field}: the video contains no decodable frames")
        return self._frames[min(index, len(self._frames) - 1)]

    def luma(self, index: int) -> U8:
        """The Y plane of frame ``index``."""
        return planes(self.frame(index))[0]

    @property
    def duration(self) -> float:
        """Seconds covered by the frames decoded so far (all of them after :meth:`load_all`)."""
        if not self._times:
            return 0.0
        return self._times[-1] + 1.0 / self.fps

    def index_at(self, t: float, *, loop: bool = True) -> int:
        """The frame shown at time ``t`` (s); a clip shorter than ``t`` loops (or holds its end)."""
        while (not self._times or self._times[-1] <= t) and self._next():
            pass
        if not self._times:
            raise invalid(f"{self.field}: the video contains no decodable frames")
        if t >= self.duration:
            if not loop:
                return len(self._times) - 1
            t = t % self.duration
        # Last frame whose timestamp is ≤ t (+ a tolerance for rounded timestamps).
        return max(0, int(np.searchsorted(self._times, t + 1e-6, side="right")) - 1)


class Mp4Writer:
    """Encode packed 4:2:0 frames to an H.264/yuv420p MP4 at 30 fps on a background thread.

    The producer (frame composition, NumPy) and x264 overlap: :meth:`write` hands a frame to a
    bounded queue and returns. Use as a context manager; :meth:`close` flushes and re-raises any
    encoder error. ``out`` is a path (written with ``+faststart`` so browsers can start playing
    before the download ends) or a seekable binary file object.
    """

    def __init__(self, out: PathOrFile, width: int, height: int) -> None:
        is_path = isinstance(out, str | os.PathLike)
        options = {"movflags": "+faststart"} if is_path else {}
        target = os.fspath(out) if isinstance(out, str | os.PathLike) else out
        self._container = av.open(target, mode="w", format="mp4", options=options)
        stream = self._container.add_stream("libx264", rate=FPS)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.options = dict(X264_OPTIONS)
        cc = stream.codec_context
        cc.thread_count = X264_THREADS
        # Tag what imaging.yuv produces: BT.601 matrix, limited range, sRGB-like (BT.709) primaries.
        cc.colorspace = 6  # SMPTE 170M (BT.601)
        cc.color_range = 1  # MPEG / limited
        cc.color_primaries = 1  # BT.709
        cc.color_trc = 1  # BT.709
        self._stream = stream
        self._queue: queue.Queue[av.VideoFrame | None] = queue.Queue(_QUEUE_FRAMES)
        self._error: BaseException | None = None
        self._count = 0
        self._thread = threading.Thread(target=self._run, name="mp4-encoder", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while (frame := self._queue.get()) is not None:
                if self._error is None:
                    self._container.mux(self._stream.encode(frame))
        except BaseException as exc:  # handed to the producer thread by write()/close()
            self._error = exc
            while self._queue.get() is not None:  # drain so the producer never blocks
                pass

    def write(self, frame: U8) -> None:
        """Queue one packed 4:2:0 frame (copied, so the caller may reuse its buffer)."""
        if self._error is not None:
            raise self._error
        vf = av.VideoFrame.from_ndarray(frame, format="yuv420p")
        vf.pts = self._count
        vf.time_base = Fraction(1, FPS)
        self._count += 1
        self._queue.put(vf)

    def close(self) -> None:
        """Flush the encoder and finish the file."""
        self._queue.put(None)
        self._thread.join()
        try:
            if self._error is not None:
                raise self._error
            self._container.mux(self._stream.encode(None))
        finally:
            self._container.close()

    def abort(self) -> None:
        """Stop after an error in the producer (the output is incomplete)."""
        self._error = self._error or RuntimeError("aborted")  # the encoder skips queued frames
        self._queue.put(None)
        self._thread.join()
        # The file is incomplete anyway; an error while closing it must not hide the real one.
        with contextlib.suppress(Exception):
            self._container.close()

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
