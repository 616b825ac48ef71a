"""Frames, clips and masks cut from a video for the widget's editing tools.

Frame numbers are the service's: 1-based, in display order, at the video's own frame rate —
frame ``n`` is the ``n``-th frame PyAV decodes, the same one :func:`~vace_studio.media.previews.
mask_preview` draws a mask over and the simulator edits from. So the frame a person picks in the
scrubber is the frame ``mask_frame_id`` means.

- :class:`FrameStrip` — every frame of a video as a small JPEG (the scrubber plays and steps
  through these; decoded once, kept while the video is shown).
- :func:`frame_png` — one frame at full resolution (the painter's background, an exported frame).
- :func:`cut` — frames ``first``–``last`` as a new H.264 MP4 (the trimmer), through
  :func:`~vace_studio.media.fixes.trim`.
- :func:`mask_png` / :func:`mask_bits` — a painted mask (bits) to a pure black/white PNG and
  back.
"""

from __future__ import annotations

import io
import os
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from vace_studio.imaging.arrays import U8
from vace_studio.imaging.masks import binarize
from vace_studio.media.fixes import trim
from vace_studio.media.frames import iter_frames, read_frames, read_rgb
from vace_studio.media.limits import VIDEO
from vace_studio.media.probe import ProbeError, probe_video

PathLike = str | os.PathLike[str]

MAX_STRIP_FRAMES = 1800
"""Frames a strip holds (a minute at 30 fps): the trimmer cuts from the start of long videos."""


def _video_fps(path: PathLike) -> tuple[float, int, int]:
    try:
        info = probe_video(path)
    except ProbeError as error:
        raise ValueError(f"{Path(path).name}: {error.reason}") from None
    return info.fps or VIDEO.min_fps, info.width, info.height


@dataclass(frozen=True)
class FrameStrip:
    """Every frame of a video (up to :data:`MAX_STRIP_FRAMES`) as JPEGs ``width`` px across.

    ``frames[n - 1]`` is frame ``n``; ``video_width``/``video_height`` are the full resolution.
    """

    name: str
    fps: float
    video_width: int
    video_height: int
    width: int
    height: int
    frames: tuple[bytes, ...]
    complete: bool

    @classmethod
    def decode(cls, path: PathLike, width: int) -> FrameStrip:
        fps, video_width, video_height = _video_fps(path)
        width = max(16, min(width, video_width))
        height = max(2, round(video_height * width / video_width))
        jpegs: list[bytes] = []
        complete = True
        for _, rgb in iter_frames(path):
            if len(jpegs) >= MAX_STRIP_FRAMES:
                complete = False
                break
            out = io.BytesIO()
            image = Image.fromarray(rgb)
            if image.width != width:
                image = image.resize((width, height), Image.Resampling.BILINEAR)
            image.save(out, "JPEG", quality=80)
            jpegs.append(out.getvalue())
        if not jpegs:
            raise ValueError(f"{Path(path).name}: the video contains no decodable frames")
        return cls(
            Path(path).name, fps, video_width, video_height, width, height, tuple(jpegs), complete
        )

    def facts(self) -> dict[str, object]:
        """What the browser needs besides the pictures (no path)."""
        return {
            "name": self.name,
            "fps": self.fps,
            "frames": len(self.frames),
            "complete": self.complete,
            "video_width": self.video_width,
            "video_height": self.video_height,
            "width": self.width,
            "height": self.height,
        }


def _frame(path: PathLike, frame: int) -> U8:
    if frame < 1:
        raise ValueError(f"frame numbers start at 1 (got {frame})")
    return read_frames(path, [frame - 1])[frame - 1]


def frame_png(path: PathLike, frame: int) -> bytes:
    """Frame ``frame`` (1-based; past the end: the last frame) as a full-resolution PNG."""
    out = io.BytesIO()
    Image.fromarray(_frame(path, frame)).save(out, "PNG")
    return out.getvalue()


def cut(path: PathLike, first: int, last: int, dst: PathLike) -> tuple[Path, int, float]:
    """Frames ``first``–``last`` (1-based, inclusive) of a video as an H.264 MP4 at ``dst``,
    through :func:`~vace_studio.media.fixes.trim` (from frame ``first``'s time, for the frames'
    duration; the frame rate is the source's, raised to 16 fps when lower). Returns the file,
    its frame count and seconds.
    """
    if not 1 <= first <= last:
        raise ValueError(f"a clip starts at frame 1 or later and ends after it ({first}–{last})")
    fps, _, _ = _video_fps(path)
    made = trim(path, (last - first + 1) / fps, dst, start=(first - 1) / fps)
    info = probe_video(made)
    return made, info.frames, info.frames / info.fps


def last_frames(path: PathLike, seconds: float) -> tuple[int, int]:
    """The first and last frame numbers of a video's final ``seconds`` (for "Extend")."""
    fps, _, _ = _video_fps(path)
    total = sum(1 for _ in iter_frames(path))
    if total == 0:
        raise ValueError(f"{Path(path).name}: the video contains no decodable frames")
    count = max(1, min(total, int(seconds * fps + 1e-6)))
    return total - count + 1, total


def mask_png(bits: bytes | memoryview, width: int, height: int) -> bytes:
    """A painted mask — ``width × height`` pixels packed 8 to a byte, first pixel in the highest
    bit, row after row (``np.packbits``) — as a black/white PNG (mode L, only 0 and 255: what the
    service asks for)."""
    packed = np.frombuffer(bits, dtype=np.uint8)
    expected = (width * height + 7) // 8
    if packed.size != expected:
        raise ValueError(
            f"the mask has {packed.size} bytes, not the {expected} of {width}×{height} pixels"
        )
    on = np.unpackbits(packed)[: width * height].reshape(height, width)
    out = io.BytesIO()
    Image.fromarray((on * 255).astype(np.uint8), mode="L").save(out, "PNG", optimize=True)
    return out.getvalue()


def mask_bits(path: PathLike, width: int, height: int) -> bytes:
    """An existing mask image as ``width × height`` pixels packed as :func:`mask_png` takes them
    (1 = edit), binarised with the simulator's rule and stretched to that size when it is
    another (what :func:`~vace_studio.media.fixes.scale_mask_to_video` does)."""
    rgb = read_rgb(path)
    if rgb.shape[:2] != (height, width):
        resized = Image.fromarray(rgb).resize((width, height), Image.Resampling.BILINEAR)
        rgb = np.asarray(resized)
    return np.packbits(binarize(rgb)).tobytes()


def still(png: bytes, limit: int) -> tuple[bytes, str]:
    """A frame's PNG, or a high-quality JPEG of it when the PNG is over ``limit`` bytes (a host
    that carries bytes as text takes smaller messages; the painter's background need not be
    lossless). Returns the bytes and their MIME type."""
    if len(png) <= limit:
        return png, "image/png"
    out = io.BytesIO()
    with Image.open(io.BytesIO(png)) as image:
        image.convert("RGB").save(out, "JPEG", quality=92)
    return out.getvalue(), "image/jpeg"


class StripCache:
    """The last few strips decoded, by (file, modification time, width): stepping and playing
    in the scrubber ask for frames many times, the video is decoded once."""

    def __init__(self, size: int = 3) -> None:
        self._strips: deque[tuple[tuple[str, float, int], FrameStrip]] = deque(maxlen=size)

    def get(self, path: Path, width: int) -> FrameStrip:
        key = (str(path), path.stat().st_mtime, width)
        for known, strip in self._strips:
            if known == key:
                return strip
        strip = FrameStrip.decode(path, width)
        self._strips.append((key, strip))
        return strip
